//! Where a record view runs, as a yew context: on the app's own page or embedded in someone
//! else's. *Why a context of its own:* the canvases (timeline, map) must know it to leave the
//! wheel to a host page, and reading it from the embed module tied every view to the widget
//! that shows them (an import circle).

/// Context present inside an embedded widget. Canvases read it to leave the wheel to the host
/// page: a reader scrolling past an embed must scroll the page, not zoom the timeline, so an
/// embedded timeline or map zooms with Ctrl/⌘ + wheel (a trackpad pinch sends that) or with
/// its + and − keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InEmbed;

/// The name of a part of the record view that makes it a landmark on the app page, and
/// nothing in a widget. *Why:* a page may hold several widgets, and two landmarks of one role
/// and name on a page confuse the landmark menu of a screen reader (axe `landmark-unique`);
/// inside a widget the parts are found by their headings instead.
#[yew::hook]
pub fn use_landmark_label(label: &'static str) -> Option<&'static str> {
    yew::use_context::<InEmbed>().is_none().then_some(label)
}
