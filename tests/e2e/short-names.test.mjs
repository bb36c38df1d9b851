// The release build's renaming of a wasm's imports from its glue and of its exports to it
// (frontend/short-names.mjs): the wasm and the glue get the same short names, a snippet's
// imports and exports the glue reads otherwise keep theirs, and a glue that does not match its
// wasm stops the build.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shortenExports, shortenImports } from '../../frontend/short-names.mjs';

const bytes = (s) => [...new TextEncoder().encode(s)];
const name = (s) => [bytes(s).length, ...bytes(s)];

// A module with one function type and the given (module, name) function imports.
function wasmImporting(pairs) {
  const imports = [pairs.length, ...pairs.flatMap(([m, n]) => [...name(m), ...name(n), 0x00, 0x00])];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
    0x02, imports.length, ...imports,
  ]);
}

const glue = `function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_log_0123456789abcdef: function() { console.log('one'); },
        __wbg_now_fedcba9876543210: function() { return Date.now(); },
    };
    return {
        __proto__: null,
        "./app_bg.js": import0,
    };
}`;

test('the glue module imports get short names in the wasm and the glue alike; a snippet keeps its own', () => {
  const wasm = wasmImporting([
    ['./app_bg.js', '__wbg_log_0123456789abcdef'],
    ['./snippets/app-1/inline0.js', 'draw'],
    ['./app_bg.js', '__wbg_now_fedcba9876543210'],
  ]);
  const out = shortenImports(wasm, glue, 'app');
  assert.equal(out.renamed, 2);
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(out.wasm));
  assert.deepEqual(
    imports.map((i) => [i.module, i.name]),
    [['w', 'a'], ['./snippets/app-1/inline0.js', 'draw'], ['w', 'b']],
  );
  assert.match(out.js, /\ba: function\(\) \{ console\.log\('one'\); \}/);
  assert.match(out.js, /\bb: function\(\) \{ return Date\.now\(\); \}/);
  assert.match(out.js, /\bw: import0/);
  assert.doesNotMatch(out.js, /__wbg_(log|now)|app_bg/);
  // The glue's import object, built from the renamed text, satisfies the renamed wasm.
  const importObject = new Function(`${out.js}; return __wbg_get_imports();`)();
  importObject['./snippets/app-1/inline0.js'] = { draw() {} };
  assert.ok(new WebAssembly.Instance(new WebAssembly.Module(out.wasm), importObject));
});

test('a glue that lacks an import of its wasm stops the build, naming it', () => {
  const wasm = wasmImporting([['./app_bg.js', '__wbg_gone_1111111111111111']]);
  assert.throws(() => shortenImports(wasm, glue, 'app'), /app: the import __wbg_gone_1111111111111111 is 0 times a key in the glue, not once/);
});

test('a wasm with no imports from its glue is left as it is', () => {
  const wasm = wasmImporting([['./snippets/app-1/inline0.js', 'draw']]);
  const out = shortenImports(wasm, glue, 'app');
  assert.equal(out.renamed, 0);
  assert.deepEqual([...out.wasm], [...wasm]);
  assert.equal(out.js, glue);
});

// A module with one memory, exported under each of `names`.
function wasmExporting(names) {
  const exports = [names.length, ...names.flatMap((n) => [...name(n), 0x02, 0x00])];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x05, 0x03, 0x01, 0x00, 0x01,
    0x07, exports.length, ...exports,
  ]);
}

test('exports the glue reads only as wasm.<name> get short names; others keep theirs', () => {
  const wasm = wasmExporting(['memory', 'invoke_h1', 'invoke_h1_4', 'shared', 'quoted', 'unused']);
  const js = [
    'let wasm; const size = wasm.memory.buffer.byteLength;',
    'function invoke_h1(a) { wasm.invoke_h1(a); } function invoke_h1_4(a) { wasm.invoke_h1_4(a); }',
    'wasm.shared(); other.shared(); wasm.quoted(); const key = "quoted";',
  ].join('\n');
  const out = shortenExports(wasm, js);
  assert.equal(out.renamed, 3);
  assert.deepEqual(
    WebAssembly.Module.exports(new WebAssembly.Module(out.wasm)).map((e) => e.name),
    ['_a', '_b', '_c', 'shared', 'quoted', 'unused'],
  );
  assert.equal(
    out.js,
    [
      'let wasm; const size = wasm._a.buffer.byteLength;',
      'function invoke_h1(a) { wasm._b(a); } function invoke_h1_4(a) { wasm._c(a); }',
      'wasm.shared(); other.shared(); wasm.quoted(); const key = "quoted";',
    ].join('\n'),
  );
});
