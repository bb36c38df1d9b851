//! Auto-height for the iframe: the frame tells its parent page how tall its content is, so the
//! host can size the iframe to fit (no inner scroll bar, no empty band).
//!
//! A page cannot measure a cross-origin iframe's content, so the child has to say it, with
//! `postMessage`. Hosts listen for one of a few de-facto formats; the frame sends each of them
//! on every change of its height (they are tiny, and a host ignores what it does not know):
//!
//! - **Pym.js** (NPR): the string `"pym" + "xPYMx" + id + "xPYMx" + "height" + "xPYMx" + N`,
//!   only when the parent gave the frame a `childId` (Pym parents add it to the URL); a Pym
//!   parent also asks for the height by sending `… "width" …`, and gets an answer.
//! - **AMP / `@newswire/frames`**: the object `{sentinel: "amp", type: "embed-size", height: N}`.
//! - **embed.ly-style hosts**: the JSON string `{"context":"iframe.resize","src":location.href,
//!   "height":N}` (the iframe snippet's own listener reads this one).
//!
//! The messages go to any origin (`"*"`): a height says nothing private, and the frame cannot
//! know who embeds it.
//!
//! Changes are noticed by a `ResizeObserver`, and also by a check once a second: browsers do not
//! run the rendering steps (where resize observations are delivered) of a cross-origin frame
//! that is out of view, so a frame below the fold would otherwise keep its first, "loading"
//! height until scrolled to. The check is one layout read, and sends nothing when nothing
//! changed.

use gloo::events::EventListener;
use gloo::timers::callback::Interval;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

/// The Pym.js separator.
const PYM: &str = "xPYMx";

/// The Pym.js height message of child `id`.
pub fn pym_message(id: &str, height: u32) -> String {
    format!("pym{PYM}{id}{PYM}height{PYM}{height}")
}

/// Whether a message from the parent is Pym's width notice to child `id` (a request to answer
/// with the height). The width is a number of pixels, whole or decimal; it is checked by its
/// digits, not parsed (the float parser and its tables cost the page bundle 14 KB gzipped for this one test).
pub fn is_pym_width(data: &str, id: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    data.strip_prefix(&format!("pym{PYM}{id}{PYM}width{PYM}"))
        .is_some_and(|w| w.split_once('.').map_or(digits(w), |(whole, part)| digits(whole) && digits(part)))
}

/// The embed.ly-style message, as a JSON string.
pub fn resize_message(href: &str, height: u32) -> String {
    annals_core::event::json_text(&serde_json::json!({ "context": "iframe.resize", "src": href, "height": height }))
}

/// Sends the height in every format to the parent window (nothing when the page is not in a
/// frame).
pub fn post(height: u32, child_id: Option<&str>) {
    let Some(window) = web_sys::window() else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    if JsValue::from(parent.clone()) == JsValue::from(window.clone()) {
        return;
    }
    let href = window.location().href().unwrap_or_default();
    if let Some(id) = child_id {
        let _ = parent.post_message(&JsValue::from_str(&pym_message(id, height)), "*");
    }
    let amp = web_sys::js_sys::Object::new();
    let set = |k: &str, v: JsValue| web_sys::js_sys::Reflect::set(&amp, &JsValue::from_str(k), &v);
    let _ = set("sentinel", JsValue::from_str("amp"));
    let _ = set("type", JsValue::from_str("embed-size"));
    let _ = set("height", JsValue::from(height));
    let _ = parent.post_message(&amp, "*");
    let _ = parent.post_message(&JsValue::from_str(&resize_message(&href, height)), "*");
}

/// The height of the page's content: the bottom of the widget's root, in page coordinates.
fn content_height(root: &web_sys::Element) -> u32 {
    let scroll = web_sys::window().and_then(|w| w.scroll_y().ok()).unwrap_or(0.0);
    (root.get_bounding_client_rect().bottom() + scroll).ceil().max(0.0) as u32
}

/// What a running reporter holds: the observer, its callback, the Pym listener, the timer.
type Reporting = (web_sys::ResizeObserver, Closure<dyn FnMut()>, Option<EventListener>, Interval);

/// How often the height is checked besides the observer, in milliseconds.
const CHECK_EVERY_MS: u32 = 1000;

/// While `enabled`, reports the height of `root` to the parent page whenever it changes (a
/// `ResizeObserver`, so a panel opening, the list growing or a width change that rewraps text
/// all count), and answers Pym's width notices.
#[hook]
pub fn use_height_reporter(root: NodeRef, enabled: bool, child_id: Option<String>) {
    use_effect_with((enabled, child_id), move |(enabled, child_id)| {
        let mut keep: Option<Reporting> = None;
        if let (true, Some(element)) = (*enabled, root.cast::<web_sys::Element>()) {
            let last = std::rc::Rc::new(std::cell::Cell::new(0u32));
            let report = {
                let element = element.clone();
                let child_id = child_id.clone();
                move |force: bool| {
                    let h = content_height(&element);
                    if force || h != last.get() {
                        last.set(h);
                        post(h, child_id.as_deref());
                    }
                }
            };
            let on_resize = Closure::<dyn FnMut()>::new({
                let report = report.clone();
                move || report(false)
            });
            let observer = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok();
            let pym = child_id.clone().and_then(|id| {
                let window = web_sys::window()?;
                let report = report.clone();
                Some(EventListener::new(&window, "message", move |e| {
                    let data = e.dyn_ref::<web_sys::MessageEvent>().and_then(|m| m.data().as_string());
                    if data.is_some_and(|d| is_pym_width(&d, &id)) {
                        report(true);
                    }
                }))
            });
            let check = Interval::new(CHECK_EVERY_MS, move || report(false));
            if let Some(observer) = observer {
                observer.observe(&element);
                keep = Some((observer, on_resize, pym, check));
            }
        }
        move || {
            if let Some((observer, _, _, _)) = keep {
                observer.disconnect();
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_messages_have_the_shapes_hosts_expect() {
        assert_eq!(pym_message("annals-1", 812), "pymxPYMxannals-1xPYMxheightxPYMx812");
        let v: serde_json::Value =
            serde_json::from_str(&resize_message("https://a.example/?embed=1&x=\"", 640)).expect("json");
        assert_eq!(
            v,
            serde_json::json!({"context": "iframe.resize", "src": "https://a.example/?embed=1&x=\"", "height": 640})
        );
        assert!(is_pym_width("pymxPYMxannals-1xPYMxwidthxPYMx720", "annals-1"));
        assert!(!is_pym_width("pymxPYMxother-1xPYMxwidthxPYMx720", "annals-1"));
        assert!(!is_pym_width("pymxPYMxannals-1xPYMxheightxPYMx720", "annals-1"));
        assert!(is_pym_width("pymxPYMxannals-1xPYMxwidthxPYMx720.5", "annals-1"));
        for not_a_width in ["", "wide", "7e2", "1.2.3", ".5", "-720"] {
            assert!(
                !is_pym_width(&format!("pymxPYMxannals-1xPYMxwidthxPYMx{not_a_width}"), "annals-1"),
                "{not_a_width:?}"
            );
        }
    }
}
