//! `use_scheme`: the app page's colours — the system's (light or dark, followed as it
//! changes), or the reader's choice, kept in the address as `?theme=light|dark` so a shared
//! link or a reload shows the same colours.
//!
//! The resolved scheme is set as `data-theme` on the document's root element, where the
//! stylesheet's dark palette (`[data-theme="dark"]`, shared with the widgets) applies to the
//! whole page, form controls included (`color-scheme`). The canvases read their colours from
//! the same custom properties ([`crate::theme`]) when they are mounted, so the app remounts
//! its views when the scheme changes (their state is in the URL fragment and survives).

use gloo::events::EventListener;
use yew::prelude::*;

use crate::address::{param, with_param};
use crate::i18n::{en, t};

/// What the reader chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Follow the system's setting (`prefers-color-scheme`).
    System,
    /// Ink on paper.
    Light,
    /// Light ink on a dark paper.
    Dark,
}

impl Choice {
    /// Every choice, in menu order.
    pub const ALL: [Choice; 3] = [Choice::System, Choice::Light, Choice::Dark];

    /// The value in the address and the menu (`system` is the absence of `theme=`).
    pub fn name(self) -> &'static str {
        match self {
            Choice::System => "system",
            Choice::Light => "light",
            Choice::Dark => "dark",
        }
    }

    /// The menu's words for it.
    pub fn label(self) -> &'static str {
        t(match self {
            Choice::System => en("As the system"),
            Choice::Light => en("Light"),
            Choice::Dark => en("Dark"),
        })
    }

    /// The choice a `theme=` value names; anything else follows the system.
    pub fn parse(value: Option<&str>) -> Choice {
        match value {
            Some("light") => Choice::Light,
            Some("dark") => Choice::Dark,
            _ => Choice::System,
        }
    }

    /// Whether the page is dark, given whether the system is.
    pub fn dark(self, system_dark: bool) -> bool {
        match self {
            Choice::System => system_dark,
            Choice::Light => false,
            Choice::Dark => true,
        }
    }
}

/// The reader's choice, whether the page is dark, and how to choose again.
pub struct Scheme {
    /// What the reader chose.
    pub choice: Choice,
    /// Whether the page is drawn dark now.
    pub dark: bool,
    /// Choose again (kept in the address).
    pub choose: Callback<Choice>,
}

/// The app page's colour scheme (see the module docs).
#[hook]
pub fn use_scheme() -> Scheme {
    let choice = use_state(|| Choice::parse(param("theme").as_deref()));
    let system_dark = use_state(|| query().is_some_and(|q| q.matches()));
    {
        let system_dark = system_dark.clone();
        use_effect_with((), move |_| {
            let listener = query().map(|q| {
                let target = q.clone();
                EventListener::new(&target, "change", move |_| system_dark.set(q.matches()))
            });
            move || drop(listener)
        });
    }
    let dark = choice.dark(*system_dark);
    // Set while rendering, not in an effect: the views remounted for the new scheme paint their
    // canvases in their own effects, which run before their parent's.
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("data-theme", if dark { "dark" } else { "light" });
    }
    let choose = {
        let choice = choice.clone();
        Callback::from(move |next: Choice| {
            choice.set(next);
            replace_param("theme", (next != Choice::System).then(|| next.name()));
        })
    };
    Scheme { choice: *choice, dark, choose }
}

/// Sets (or removes) a parameter of the page's query string in place (no new history entry):
/// the app page's choices kept in its address (`theme=`, `lang=`).
pub fn replace_param(name: &str, value: Option<&str>) {
    let Some(w) = web_sys::window() else { return };
    let location = w.location();
    let (Ok(path), Ok(search), Ok(hash)) = (location.pathname(), location.search(), location.hash()) else {
        return;
    };
    let url = format!("{path}{}{hash}", with_param(&search, name, value));
    if let Ok(history) = w.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// The system's dark-scheme query.
fn query() -> Option<web_sys::MediaQueryList> {
    web_sys::window()?.match_media("(prefers-color-scheme: dark)").ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_names_a_choice_and_anything_else_follows_the_system() {
        assert_eq!(Choice::parse(Some("dark")), Choice::Dark);
        assert_eq!(Choice::parse(Some("light")), Choice::Light);
        for other in [None, Some(""), Some("neon"), Some("system")] {
            assert_eq!(Choice::parse(other), Choice::System);
        }
        assert!(Choice::System.dark(true) && !Choice::System.dark(false));
        assert!(Choice::Dark.dark(false) && !Choice::Light.dark(true));
    }
}
