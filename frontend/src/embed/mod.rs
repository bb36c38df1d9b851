//! Embedding the widget in other pages: an iframe page, a custom element, and the snippets.
//!
//! There are two ways in, and both run the **same bundle** (one `annals-web.js` + wasm):
//!
//! - **iframe** — `index.html?embed=1&src=…` (or `&stream=…` under `annals serve`). The page
//!   [`start`](crate::start)s in frame mode ([`widget::start_frame`]): only the
//!   [`widget::Widget`] (the shared record view, `crate::view`, without its filters), options
//!   from the query string. *Why the same
//!   `index.html` and not an `embed.html`:* trunk builds one HTML entry per build; a second,
//!   hand-written page would need its own loader and could drift from the app's. With a query
//!   flag the iframe page is byte-for-byte the app page, so it works wherever the app works —
//!   `annals serve` or any static host — and the server's oEmbed discovery link is injected
//!   into the one page. The frame owns its address, so the view lives in the iframe's URL
//!   fragment and deep links work inside it; it reports its height to the parent page
//!   ([`height`]).
//! - **custom element** — `<script type="module" src=".../annals-embed.js">` defines
//!   `<annals-timeline src=… view=…>` and `Annals.mount(element, options)`; both call
//!   [`element::mount`], which renders a [`widget::Widget`] into a shadow root on that element,
//!   with the app's stylesheet inside it (no style leaks in or out).
//!
//! *Invariant:* a widget on someone else's page never touches that page's address, history,
//! keys or DOM outside its own element: each widget has its own record and view state (no
//! globals), listens for keys on its own canvas, and reads nothing of the host but its own
//! attributes. Record text is rendered as text nodes, never parsed as markup. Canvases learn
//! that they are embedded from `crate::context::InEmbed`, which the widget provides.
//!
//! This module holds what the ways in share and is pure ([`Options`], tested natively); it
//! imports none of its submodules, which import it.
//!
//! [`Options`] are the same in both ways — the query parameters of the iframe, the attributes
//! of the element — and use the keys of the app's URL fragment for the view (`view`, `e` or
//! `event`, `from`, `to`, `kinds`, `q`, `actor`, `lanes`), so any view of the app can be
//! embedded by copying its fragment ([`snippet`] does that).

pub mod element;
pub mod height;
pub mod snippet;
pub mod widget;

use crate::address::{encode, pairs};
use crate::state::View;

/// Where a widget runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The iframe page: owns its URL and reports its height to the parent.
    Frame,
    /// A custom element on a host page: owns nothing but its element.
    Element,
}

/// Light or dark colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// Ink on paper (the app's colours).
    #[default]
    Light,
    /// Light ink on a dark paper.
    Dark,
}

impl Theme {
    /// The name used in options and in `data-theme`.
    pub fn name(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// The keys of the view, as in the app's URL fragment ([`View::from_fragment`]).
const VIEW_KEYS: [&str; 8] = ["view", "e", "from", "to", "kinds", "q", "actor", "lanes"];

/// The smallest and largest fixed height a widget accepts, in CSS pixels.
pub const HEIGHTS: std::ops::RangeInclusive<u32> = 160..=4000;

/// What a widget shows and how.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// A record file by URL (relative to the page that holds the widget).
    pub src: Option<String>,
    /// A stream of `annals serve`.
    pub stream: Option<String>,
    /// The base URL of `annals serve` (custom element only; default: where the script is).
    pub service: Option<String>,
    /// The view options in fragment form (`from=…&kinds=…`), read over the record's default.
    pub view: String,
    /// A fixed height in pixels (the content scrolls inside); `None` sizes to the content.
    pub height: Option<u32>,
    /// The colours.
    pub theme: Theme,
    /// The language of the page that embeds: the interface speaks it (if it is one of
    /// `i18n::Lang`), it is set as `lang` on the widget, and actors are named in it where the
    /// record has their names in it.
    pub lang: Option<String>,
    /// The Pym.js child id (iframe only), so Pym parents know which frame is talking.
    pub child_id: Option<String>,
}

impl Options {
    /// Options from name/value pairs (decoded). Unknown names and malformed values are
    /// ignored, so an old snippet or a typo still shows something sensible.
    pub fn from_pairs<K: AsRef<str>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Options {
        let mut o = Options::default();
        let mut view = Vec::new();
        for (key, value) in pairs {
            let value: String = value.into();
            let value = value.trim().to_owned();
            let key = match key.as_ref() {
                "event" => "e",
                other => other,
            };
            match key {
                "src" if !value.is_empty() => o.src = Some(value),
                "stream" if !value.is_empty() => o.stream = Some(value),
                "service" if !value.is_empty() => {
                    o.service = Some(if value.ends_with('/') { value } else { format!("{value}/") })
                }
                "height" => o.height = value.trim_end_matches("px").parse().ok().filter(|h| HEIGHTS.contains(h)),
                "theme" => o.theme = if value == "dark" { Theme::Dark } else { Theme::Light },
                "lang" if is_language_tag(&value) => o.lang = Some(value),
                "childId" if is_child_id(&value) => o.child_id = Some(value),
                k if VIEW_KEYS.contains(&k) => view.push(format!("{k}={}", encode(&value))),
                _ => {}
            }
        }
        o.view = view.join("&");
        o
    }

    /// Options from a query string (`?embed=1&src=…`).
    pub fn from_query(search: &str) -> Options {
        Options::from_pairs(pairs(search))
    }

    /// The view these options ask for, over the record's default view.
    pub fn initial_view(&self, default: &View) -> View {
        View::from_fragment(&self.view, default)
    }
}

/// Whether a query string asks for the iframe page (`embed=1`, or `embed` alone).
pub fn frame_requested(search: &str) -> bool {
    pairs(search).iter().any(|(k, v)| k == "embed" && v != "0" && v != "false")
}

/// A BCP 47-looking tag (`en`, `ru-BY`, `zh-Hant-TW`): letters, digits and hyphens only.
fn is_language_tag(v: &str) -> bool {
    (2..=35).contains(&v.len())
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && v.as_bytes()[0].is_ascii_alphabetic()
}

/// A Pym child id goes inside `xPYMx`-separated messages: keep it to a plain token.
fn is_child_id(v: &str) -> bool {
    (1..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use annals_core::EventKind;

    #[test]
    fn query_options_are_read() {
        let o = Options::from_query(
            "?embed=1&src=https%3A%2F%2Fexample.org%2Fr.json&view=map&event=2024-05-16-state-visit&from=2024-01-01&to=2024-12-31&kinds=Visit,Signing&height=480&theme=dark&lang=ru-BY&childId=annals-1&junk=1",
        );
        assert_eq!(o.src.as_deref(), Some("https://example.org/r.json"));
        assert_eq!(o.height, Some(480));
        assert_eq!(o.theme, Theme::Dark);
        assert_eq!(o.lang.as_deref(), Some("ru-BY"));
        assert_eq!(o.child_id.as_deref(), Some("annals-1"));
        assert_eq!(o.view, "view=map&e=2024-05-16-state-visit&from=2024-01-01&to=2024-12-31&kinds=Visit%2CSigning");
        let v = o.initial_view(&View::default());
        assert_eq!(v.panel, crate::state::Panel::Map);
        assert_eq!(v.selected.as_deref(), Some("2024-05-16-state-visit"));
        assert_eq!(v.kinds, [EventKind::Visit, EventKind::Signing].into_iter().collect());
    }

    #[test]
    fn lanes_are_an_option_of_both_ways_in() {
        use annals_core::projection::LaneMode;
        let grouped = View { lanes: LaneMode::Group, default_lanes: LaneMode::Group, ..View::default() };
        for mode in LaneMode::ALL {
            let o = Options::from_pairs([("lanes", mode.name())]);
            assert_eq!(o.initial_view(&grouped).lanes, mode);
        }
        assert_eq!(Options::from_query("?embed=1&lanes=upside-down").initial_view(&grouped).lanes, LaneMode::Group);
    }

    #[test]
    fn bad_values_are_dropped_not_trusted() {
        let o = Options::from_pairs([
            ("height", "99999"),
            ("lang", "en\"><script>"),
            ("childId", "a xPYMx b"),
            ("theme", "neon"),
            ("src", ""),
        ]);
        assert_eq!(o, Options::default());
        assert_eq!(Options::from_pairs([("height", "320px")]).height, Some(320));
        assert_eq!(
            Options::from_pairs([("service", "https://a.example/annals")]).service.as_deref(),
            Some("https://a.example/annals/")
        );
    }

    #[test]
    fn only_embed_asks_for_the_frame() {
        assert!(frame_requested("?embed=1&src=x"));
        assert!(frame_requested("?src=x&embed"));
        assert!(!frame_requested("?src=x"));
        assert!(!frame_requested("?embed=0"));
        assert!(!frame_requested("?embedded=1"));
    }
}
