// Gives the functions a wasm module imports from its wasm-bindgen glue, and what it exports to
// that glue, short names, in the wasm and in the glue alike.
//
// Why: wasm-bindgen names each import after the Rust binding and a hash
// (`__wbg_addEventListener_a3f1c2…`), several hundred of them, each written twice: once in the
// wasm's import section and once as a key of the glue's import object; exports such as a
// closure's `wasm_bindgen__convert__closures_____invoke__h…` likewise. Those names were 9 KB of
// the gzipped page; its 400 KB budget (tests/e2e/open.test.mjs) pays for them and nobody reads
// them. The browser matches an import by its module and name, and the glue reads an export by
// its name, so any names work when both sides agree.
//
// Only imports of the glue's own module (`./<stem>_bg.js`, which becomes `w`) are renamed;
// snippets' imports keep the names their files export. Only exports the glue reads as
// `wasm.<name>` and in no other way are renamed. Anything unexpected (an import's name not
// found exactly once in the glue, an import kind this reader does not know) throws: the build
// fails rather than ship a module whose names do not match.

const utf8 = new TextEncoder();
const text = new TextDecoder('utf-8', { fatal: true });

function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

function writeLeb(value, out) {
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
}

// A name (its length, then UTF-8) at `at` in `bytes`: the name and where what follows it begins.
function readName(bytes, at) {
  const [length, from] = leb(bytes, at);
  return [text.decode(bytes.subarray(from, from + length)), from + length];
}

// Appends `name` to `out` as the binary format writes a name.
function writeName(name, out) {
  const bytes = utf8.encode(name);
  writeLeb(bytes.length, out);
  out.push(...bytes);
}

// The end of an import's description (after its kind byte), by the binary format's rules.
function descriptionEnd(bytes, kind, at) {
  const limits = (i) => {
    const flags = bytes[i++];
    [, i] = leb(bytes, i);
    if (flags & 1) [, i] = leb(bytes, i);
    return i;
  };
  switch (kind) {
    case 0: // function: type index
      return leb(bytes, at)[1];
    case 1: // table: reference type, limits
      return limits(at + 1);
    case 2: // memory: limits
      return limits(at);
    case 3: // global: value type, mutability
      return at + 2;
    case 4: // tag: attribute, type index
      return leb(bytes, at + 1)[1];
    default:
      throw new Error(`import of unknown kind ${kind}`);
  }
}

// The n-th short name: a, b, …, Z, ba, bb, … (letters only: always a plain identifier).
const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
function shortName(n) {
  let name = '';
  do {
    name = letters[n % letters.length] + name;
    n = Math.floor(n / letters.length);
  } while (n > 0);
  return name;
}

/** Renames the glue module's imports in `wasm` (bytes) and `js` (its glue, as text). */
export function shortenImports(wasm, js, stem) {
  const glue = `./${stem}_bg.js`;
  let renamed = 0;
  const out = rewriteSection(wasm, 2, (start, end) => {
    const section = [];
    let [count, i] = leb(wasm, start);
    writeLeb(count, section);
    while (count-- > 0) {
      const names = [];
      for (let k = 0; k < 2; k++) {
        let name;
        [name, i] = readName(wasm, i);
        names.push(name);
      }
      const kind = wasm[i];
      const descEnd = descriptionEnd(wasm, kind, i + 1);
      let [module, name] = names;
      if (module === glue) {
        module = 'w';
        const short = shortName(renamed++);
        const key = `${name}:`;
        const found = js.split(key).length - 1;
        if (found !== 1) throw new Error(`${stem}: the import ${name} is ${found} times a key in the glue, not once`);
        js = js.replace(key, `${short}:`);
        name = short;
      }
      writeName(module, section);
      writeName(name, section);
      for (let k = i; k < descEnd; k++) section.push(wasm[k]);
      i = descEnd;
    }
    if (i !== end) throw new Error(`${stem}: the import section did not end where its size says`);
    return section;
  });
  // The glue hands its import object over under the module's name; it becomes `w` too.
  const entry = `"${glue}": import0`;
  const found = js.split(entry).length - 1;
  if (renamed > 0 && found !== 1) throw new Error(`${stem}: the glue names its import module ${found} times, not once`);
  if (renamed > 0) js = js.replace(entry, 'w: import0');
  return { wasm: out, js, renamed };
}

/**
 * Renames the wasm's exports that the glue reads only as `wasm.<name>` (its instance's
 * exports), in the export section and the glue alike. An export the glue names in any other
 * way (in a string, or as a property of something else) keeps its name.
 */
export function shortenExports(wasm, js) {
  let renamed = 0;
  const out = rewriteSection(wasm, 7, (start, end) => {
    const section = [];
    let [count, i] = leb(wasm, start);
    writeLeb(count, section);
    while (count-- > 0) {
      let name;
      [name, i] = readName(wasm, i);
      const descEnd = leb(wasm, i + 1)[1]; // kind, index
      // Every time the glue names it as a property, it is `wasm.<name>`; never in quotes.
      const escaped = name.replace(/\$/g, '\\$');
      const properties = js.match(new RegExp(`\\.${escaped}(?![\\w$])`, 'g')) ?? [];
      const onWasm = new RegExp(`(?<![\\w$.])wasm\\.${escaped}(?![\\w$])`, 'g');
      const read = js.match(onWasm) ?? [];
      const quoted = js.includes(`'${name}'`) || js.includes(`"${name}"`) || js.includes(`\`${name}\``);
      if (/^[\w$]+$/.test(name) && read.length > 0 && read.length === properties.length && !quoted) {
        const short = `_${shortName(renamed++)}`;
        js = js.replace(onWasm, `wasm.${short}`);
        name = short;
      }
      writeName(name, section);
      for (let k = i; k < descEnd; k++) section.push(wasm[k]);
      i = descEnd;
    }
    if (i !== end) throw new Error('the export section did not end where its size says');
    return section;
  });
  return { wasm: out, js, renamed };
}

/**
 * `wasm` with its section `id` replaced by what `rewrite(start, end)` makes of the section's
 * contents (the bytes from `start` to `end`) as an array of bytes; the other sections as they are.
 */
function rewriteSection(wasm, id, rewrite) {
  const out = [...wasm.subarray(0, 8)];
  let at = 8;
  while (at < wasm.length) {
    const [size, start] = leb(wasm, at + 1);
    const end = start + size;
    if (wasm[at] === id) {
      const section = rewrite(start, end);
      out.push(id);
      writeLeb(section.length, out);
      out.push(...section);
    } else {
      for (let i = at; i < end; i++) out.push(wasm[i]);
    }
    at = end;
  }
  return Uint8Array.from(out);
}
