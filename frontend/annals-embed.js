// Annals widgets for any page. One tag loads it:
//
//   <script type="module" src="https://YOUR-ANNALS/annals-embed.js"></script>
//   <annals-timeline src="my-record.json" view="timeline"></annals-timeline>
//
// or, from a script: `await Annals.mount(element, { src: "my-record.json", view: "map" })`,
// which returns a handle with `unmount()`.
//
// This file only defines the element and loads the app's bundle (`annals-web.js` and its
// wasm, next to this file); everything else — loading the record, drawing, keys — is the Rust
// widget (frontend/src/embed/), which renders into the element's shadow root. A custom element
// must be a class extending HTMLElement, which Rust cannot declare; hence these few lines.
// Attributes are read when the element is connected and whenever one of them changes.

const base = new URL('./', import.meta.url);
const bundles = new Map();
const SPOKEN = ['en', 'az', 'ru', 'be'];

/**
 * The app's bundle for widgets of one language, loaded once per language on the page.
 *
 * The bundle keeps its interface texts for one language at a time (frontend/src/i18n.rs). A
 * widget whose `lang` names another language than the others' gets an instance of its own:
 * the same files (the wasm is fetched once, from the cache), imported under another module
 * URL, so each instance has its own memory and its own language. Widgets without a `lang`
 * (or with one the interface does not speak) all follow the host page and share one.
 */
function load(lang) {
  const primary = String(lang ?? '').split(/[-_]/)[0].toLowerCase();
  const key = SPOKEN.includes(primary) ? primary : '';
  if (!bundles.has(key)) {
    const url = new URL('annals-web.js', base);
    if (key) url.searchParams.set('lang', key);
    bundles.set(
      key,
      import(url.href).then(async (m) => {
        await m.default({ module_or_path: new URL('annals-web_bg.wasm', base) });
        return m;
      }),
    );
  }
  return bundles.get(key);
}

const OPTIONS = ['src', 'stream', 'service', 'view', 'event', 'from', 'to', 'kinds', 'q', 'actor', 'lanes', 'height', 'theme', 'lang'];

class AnnalsTimeline extends HTMLElement {
  static get observedAttributes() {
    return OPTIONS;
  }

  #handle = null;
  #generation = 0;

  connectedCallback() {
    this.#render();
  }

  disconnectedCallback() {
    this.#generation++;
    this.#handle?.unmount();
    this.#handle = null;
  }

  attributeChangedCallback() {
    if (this.isConnected) this.#render();
  }

  async #render() {
    const generation = ++this.#generation;
    const m = await load(this.getAttribute('lang'));
    // A newer render (or a removal) happened while the bundle loaded.
    if (generation !== this.#generation || !this.isConnected) return;
    const options = {};
    for (const name of OPTIONS) {
      const value = this.getAttribute(name);
      if (value !== null) options[name] = value;
    }
    // Unmounted by the instance that mounted it (another, if `lang` changed).
    this.#handle?.unmount();
    this.#handle = m.mount(this, options, base.href);
  }
}

if (!customElements.get('annals-timeline')) customElements.define('annals-timeline', AnnalsTimeline);

globalThis.Annals ??= Object.freeze({
  /** Mounts a widget into `element` (in its shadow root); resolves to a handle with `unmount()`. */
  async mount(element, options = {}) {
    const m = await load(options.lang);
    return m.mount(element, options, base.href);
  },
});
