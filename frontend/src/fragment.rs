//! Keeping a view in the page's URL fragment, both ways.
//!
//! The app's page and the iframe embed page own their address, so the view lives in its
//! fragment: a reload or a shared link opens exactly what was on screen, and a deep link
//! (`#e=…`) selects an event, inside an iframe too (where the fragment is the iframe's own).
//! A widget mounted into someone else's page (the custom element) never calls this: the host
//! page's address is not ours to read or write.

use std::sync::atomic::{AtomicBool, Ordering};

use gloo::events::EventListener;
use yew::prelude::*;

/// Whether this page follows its fragment (the app's page, the iframe page): only there does a
/// link of the record's text to one of its events (`#e=…`, `crate::rich`) lead anywhere. In a
/// custom element it would change the host page's address, which may mean something else to
/// the host (a route), so there such a link stays text. Set while rendering, before the record.
pub static FOLLOWED: AtomicBool = AtomicBool::new(false);

use crate::state::{Action, View};

/// The current fragment of the page (with its `#`), or an empty string.
pub fn current() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// While `enabled`: writes the view into the fragment whenever it changes (`replaceState`: no
/// history entry per zoom step), and follows the fragment when someone edits it or follows an
/// in-page link: the view is then read over `initial` (the view a bare address shows), except
/// for a fragment that names an event and nothing else (`#e=…`, a link of the record's own
/// text to one of its events, `crate::rich`): that selects the event in the view on screen.
/// (A flag rather than not calling it: hooks are called on every render.)
#[hook]
pub fn use_fragment_sync(view: UseReducerHandle<View>, initial: View, enabled: bool) {
    if enabled {
        FOLLOWED.store(true, Ordering::Relaxed);
    }
    {
        let fragment = view.to_fragment();
        use_effect_with((fragment, enabled), |(fragment, enabled)| {
            if !*enabled {
                return;
            }
            if let Some(w) = web_sys::window() {
                if let Ok(history) = w.history() {
                    let _ =
                        history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("#{fragment}")));
                }
            }
        });
    }
    use_effect_with(enabled, move |enabled| {
        let listener = web_sys::window().filter(|_| *enabled).map(|w| {
            EventListener::new(&w, "hashchange", move |_| {
                let fragment = current();
                view.dispatch(match crate::address::pairs(&fragment).as_slice() {
                    [(e, id)] if e == "e" => Action::Select(Some(id.clone())),
                    _ => Action::Replace(Box::new(View::from_fragment(&fragment, &initial))),
                });
            })
        });
        move || drop(listener)
    });
}
