//! Mounting a widget into an element of someone else's page: the custom element
//! `<annals-timeline>` and `Annals.mount(element, options)` (both defined by the small
//! `frontend/annals-embed.js`, which loads this bundle and calls [`mount`]).
//!
//! The widget renders into a **shadow root** on the element, with the app's stylesheets linked
//! inside that root: the host page's CSS cannot restyle the widget, and the widget's CSS (which
//! styles `button`, `a`, `h2`, …) cannot leak onto the host page. A host can still theme it
//! through the inherited custom properties (`--paper`, `--ink`, …) or `theme="dark"`.
//!
//! *Why linked, not inlined:* the stylesheets are files of the bundle (`style.css`,
//! `embed.css`, the same the app page loads, so the browser fetches them once for every widget
//! on a page); inlined in the wasm they cost every reader of the app 4 KB of gzipped bundle. Until
//! they arrive the widget is hidden by one inline rule that `embed.css` overrides, so no
//! unstyled widget flashes on the host page.
//!
//! *Why the custom element is defined in JavaScript:* a custom element's class must extend
//! `HTMLElement`, which wasm-bindgen cannot express; the script is a dozen lines that read the
//! attributes and call in here, so every behaviour stays in Rust.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::{Element, ShadowRootInit, ShadowRootMode};

use super::widget::{Widget, WidgetProps};
use super::{Mode, Options};

/// The stylesheets inside every widget's shadow root, relative to the bundle: the app's, then
/// the embed's.
pub const STYLESHEETS: [&str; 2] = ["style.css", "embed.css"];

/// The one rule inlined in the shadow root: hidden until `embed.css` (later in the root, so it
/// wins) shows it.
const UNTIL_STYLED: &str = ".annals.embed{visibility:hidden}";

/// A mounted widget; `unmount()` removes it and stops everything it runs.
#[wasm_bindgen]
pub struct Mounted {
    app: Rc<RefCell<Slot>>,
}

/// A widget waiting for its language's texts, shown, or removed (perhaps before it was shown).
enum Slot {
    Waiting,
    Shown(yew::AppHandle<Widget>),
    Gone,
}

#[wasm_bindgen]
impl Mounted {
    /// Removes the widget (its live connection and listeners go with it).
    pub fn unmount(&mut self) {
        if let Slot::Shown(app) = std::mem::replace(&mut *self.app.borrow_mut(), Slot::Gone) {
            app.destroy();
        }
    }
}

/// Mounts a widget into `host` (in its shadow root, created if needed, replacing an earlier
/// widget there). `options` is a plain object with the option names of
/// [`Options::from_pairs`] (string or number values); `base` is the URL of the bundle's
/// directory, where the default record and, under `annals serve`, the API are.
#[wasm_bindgen]
pub fn mount(host: Element, options: JsValue, base: String) -> Result<Mounted, JsValue> {
    let shadow = match host.shadow_root() {
        Some(shadow) => shadow,
        None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?,
    };
    while let Some(child) = shadow.first_child() {
        shadow.remove_child(&child)?;
    }
    let document = host.owner_document().ok_or("the element is not in a document")?;
    let base = if base.is_empty() || base.ends_with('/') { base } else { format!("{base}/") };
    let style = document.create_element("style")?;
    style.set_text_content(Some(UNTIL_STYLED));
    shadow.append_child(&style)?;
    for sheet in STYLESHEETS {
        let link = document.create_element("link")?;
        link.set_attribute("rel", "stylesheet")?;
        link.set_attribute("href", &format!("{base}{sheet}"))?;
        shadow.append_child(&link)?;
    }
    let root = document.create_element("div")?;
    shadow.append_child(&root)?;
    let options = Rc::new(Options::from_pairs(pairs(&options)));
    let lang = super::widget::language(&options, false);
    let props = WidgetProps { options, mode: Mode::Element, base: base.clone() };
    // Rendered once its language's texts are in (at once if they are).
    let app = Rc::new(RefCell::new(Slot::Waiting));
    let slot = app.clone();
    crate::i18n::choose(
        lang,
        base,
        Box::new(move || {
            let mut slot = slot.borrow_mut();
            if matches!(*slot, Slot::Waiting) {
                *slot = Slot::Shown(yew::Renderer::<Widget>::with_root_and_props(root, props).render());
            }
        }),
    );
    Ok(Mounted { app })
}

/// The string and number properties of a plain object.
fn pairs(options: &JsValue) -> Vec<(String, String)> {
    let Some(object) = options.dyn_ref::<web_sys::js_sys::Object>() else { return Vec::new() };
    web_sys::js_sys::Object::entries(object)
        .iter()
        .filter_map(|entry| {
            let entry = entry.dyn_into::<web_sys::js_sys::Array>().ok()?;
            let key = entry.get(0).as_string()?;
            let value = entry.get(1);
            let value = value.as_string().or_else(|| {
                value
                    .as_f64()
                    .and_then(|n| web_sys::js_sys::Number::from(n).to_string_with_radix(10).ok())
                    .map(String::from)
            })?;
            Some((key, value))
        })
        .collect()
}
