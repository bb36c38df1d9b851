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
