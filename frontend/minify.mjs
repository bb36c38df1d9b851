// Minifies the ES-module JavaScript that wasm-bindgen generates (the app's and the visuals
// module's glue) in trunk's staging directory after a release build.
//
// Why: trunk's own JS minifier gives up on wasm-bindgen's `export { … as default }` ("Failed
// to minify JS", and the file ships as written), yet those bytes count in the main bundle's
// 400 KB budget: terser takes the app's glue from 11.6 to 8.9 KB gzipped. Classic scripts
// (the worker's glue, the embed loader) are minified by trunk already and are left as they are.
// Before that, the wasm beside each glue and the glue itself get short names for the wasm's
// imports and exports (`short-names.mjs`: 9.3 KB of the gzipped bundle).
// The page's integrity hashes of those scripts and modules are updated to match. Run by trunk (`Trunk.toml`, `[[hooks]]`); terser comes from `tests/e2e/package.json`, which
// `cargo xtask setup` installs.

import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shortenExports, shortenImports } from './short-names.mjs';

if (process.env.TRUNK_PROFILE !== 'release') process.exit(0);
const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error('minify.mjs: TRUNK_STAGING_DIR is not set (run by trunk as a post_build hook)');
  process.exit(1);
}
const require = createRequire(new URL('../tests/e2e/package.json', import.meta.url));
let minify;
try {
  ({ minify } = require('terser'));
} catch {
  console.error('minify.mjs: terser is not installed in tests/e2e; run `cargo xtask setup`');
  process.exit(1);
}

const sri = (text) => `sha384-${createHash('sha384').update(text).digest('base64')}`;
// The page names each script with its subresource-integrity hash: a changed script gets its
// new hash there, or the browser refuses to run it.
const pagePath = join(staging, 'index.html');
let page = readFileSync(pagePath, 'utf8');
for (const name of readdirSync(staging)) {
  if (!name.endsWith('.js')) continue;
  const path = join(staging, name);
  const code = readFileSync(path, 'utf8');
  if (!/^export /m.test(code)) continue;
  // The wasm beside the glue gets short import and export names first (see short-names.mjs),
  // and the page its new hash.
  let glue = code;
  const wasmPath = join(staging, name.replace(/\.js$/, '_bg.wasm'));
  if (existsSync(wasmPath)) {
    const wasm = readFileSync(wasmPath);
    const imports = shortenImports(wasm, code, name.replace(/\.js$/, ''));
    const short = shortenExports(imports.wasm, imports.js);
    writeFileSync(wasmPath, short.wasm);
    glue = short.js;
    page = page.split(sri(wasm)).join(sri(short.wasm));
    console.log(`minify.mjs: ${imports.renamed} imports and ${short.renamed} exports of ${name} renamed`);
  }
  const out = await minify(glue, { module: true, compress: true, mangle: true });
  writeFileSync(path, out.code);
  const [before, after] = [sri(code), sri(out.code)];
  if (page.includes(before)) page = page.split(before).join(after);
  console.log(`minify.mjs: ${name} ${code.length} → ${out.code.length} bytes`);
}
writeFileSync(pagePath, page);
