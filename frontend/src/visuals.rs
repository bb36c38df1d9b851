//! The page's door to the visuals module (`frontend/visuals`, crate `annals-visuals`): the
//! charts and the relation map's layout, drawing and canvas input, a wasm module of its own that
//! trunk builds beside the bundle and that is imported the first time a chart or the map is drawn.
//!
//! *Why:* plotters and the map's layout, label placement, paint, pointer and keys are needed
//! only by readers who open those views, and cost the page bundle 27 KB gzipped. Calls made before the module
//! has loaded wait for it, in the order they were made.

#[cfg(target_arch = "wasm32")]
mod door {
    use wasm_bindgen::prelude::*;
    use web_sys::HtmlCanvasElement;

    #[wasm_bindgen(inline_js = "
let loaded;
export function draw(which, canvas, plan) {
  const base = new URL('../../', import.meta.url);
  loaded ??= import(new URL('annals-visuals.js', base).href).then(async (m) => {
    await m.default({ module_or_path: new URL('annals-visuals_bg.wasm', base) });
    return m;
  });
  return loaded.then((m) => m[which](canvas, plan));
}")]
    extern "C" {
        /// Calls the module's `which` (`per_year`, `documents`, `map`) with the canvas and the
        /// plan (JSON); the promise holds its answer.
        pub fn draw(which: &str, canvas: HtmlCanvasElement, plan: String) -> web_sys::js_sys::Promise;
    }
}

/// What to do with the module's answer (or why not).
#[cfg(target_arch = "wasm32")]
pub type Then = Box<dyn FnOnce(Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>)>;

/// Draws `plan` (JSON) with the module's `which` on `canvas`, then hands the answer (or why
/// not) to `then`. (Boxed: one waiting task in the bundle for every caller.)
#[cfg(target_arch = "wasm32")]
pub fn draw(which: &'static str, canvas: web_sys::HtmlCanvasElement, plan: String, then: Then) {
    let promise = door::draw(which, canvas, plan);
    wasm_bindgen_futures::spawn_local(async move { then(wasm_bindgen_futures::JsFuture::from(promise).await) });
}

/// Says in the console why the module could not do what it was asked.
#[cfg(target_arch = "wasm32")]
pub fn warn(answer: Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>) {
    if let Err(e) = answer {
        web_sys::console::warn_1(&e);
    }
}
