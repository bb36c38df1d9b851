//! The colours canvases paint with, read from the page's CSS custom properties.
//!
//! *Why:* the timeline, the map and the charts draw on canvases, which CSS cannot colour. If
//! they used fixed colours, an embed with `theme=dark` (or a host page that sets
//! `--annals-paper` and friends on `<annals-timeline>`) would get a dark page with a light
//! canvas in it. So each paint reads the same custom properties the stylesheet uses
//! (`--paper`, `--band`, `--ink`, `--muted`, `--rule`, `--accent`), from the canvas element
//! itself, so a shadow root's `:host` values and a `data-theme` on an ancestor both apply. The
//! kind colours stay fixed: they carry meaning and were chosen to read on both papers.
//!
//! *Performance:* reading a computed style makes the browser bring the style of the whole
//! document up to date first, and a zoom step has just changed the DOM (the list, the date
//! boxes), so reading it on every frame cost a style recalculation per frame. The canvases keep
//! the palette in a [`ColourCache`] and read it again only when the theme may have changed: when
//! the widget is mounted (a widget's `theme` attribute remounts it), when the window is resized
//! (a host's media queries may set other colours) and when the system's colour scheme changes.

/// The light palette, used when a property is missing (and natively).
pub const LIGHT: Palette =
    Palette { paper: "#fbfaf7", band: "#f1eee6", ink: "#1b1f24", muted: "#4a5560", rule: "#d9d4c7", accent: "#8a3b12" };

/// A palette as CSS colour strings, valid for the canvas `fillStyle`/`strokeStyle`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Palette<S = &'static str> {
    /// Background.
    pub paper: S,
    /// Every other lane.
    pub band: S,
    /// Text and the selection frame.
    pub ink: S,
    /// Axis labels.
    pub muted: S,
    /// Grid lines.
    pub rule: S,
    /// Disputes and the ego node.
    pub accent: S,
}

/// The palette in force at an element.
pub type Colours = Palette<String>;

impl Colours {
    /// Reads the custom properties at `element`, falling back to [`LIGHT`] for any that is
    /// unset or not a plain colour (a value is only accepted if it is a hex colour or a
    /// colour function, so a stray host-page value cannot make the canvas throw).
    pub fn at(element: &web_sys::Element) -> Colours {
        let style = web_sys::window().and_then(|w| w.get_computed_style(element).ok().flatten());
        let read = |name: &str, fallback: &str| -> String {
            style
                .as_ref()
                .and_then(|s| s.get_property_value(name).ok())
                .map(|v| v.trim().to_owned())
                .filter(|v| is_colour(v))
                .unwrap_or_else(|| fallback.to_owned())
        };
        Palette {
            paper: read("--paper", LIGHT.paper),
            band: read("--band", LIGHT.band),
            ink: read("--ink", LIGHT.ink),
            muted: read("--muted", LIGHT.muted),
            rule: read("--rule", LIGHT.rule),
            accent: read("--accent", LIGHT.accent),
        }
    }
}

/// The palette of one canvas, read from the page once and again only after something that
/// can change the theme (see the module docs); the listeners live as long as the cache.
pub struct ColourCache {
    colours: Option<Colours>,
    stale: std::rc::Rc<std::cell::Cell<bool>>,
    _listeners: Vec<gloo::events::EventListener>,
}

impl Default for ColourCache {
    fn default() -> Self {
        Self::new()
    }
}

impl ColourCache {
    /// An empty cache, watching the window's size and the system's colour scheme.
    pub fn new() -> Self {
        let stale = std::rc::Rc::new(std::cell::Cell::new(true));
        let listeners = Self::watch(&stale);
        Self { colours: None, stale, _listeners: listeners }
    }

    /// Listeners that mark the palette stale when the window is resized or the system's
    /// colour scheme changes (nothing natively).
    fn watch(stale: &std::rc::Rc<std::cell::Cell<bool>>) -> Vec<gloo::events::EventListener> {
        #[cfg(target_arch = "wasm32")]
        if let Some(w) = web_sys::window() {
            let mark = || {
                let stale = stale.clone();
                move |_: &web_sys::Event| stale.set(true)
            };
            let mut listeners = vec![gloo::events::EventListener::new(&w, "resize", mark())];
            if let Ok(Some(scheme)) = w.match_media("(prefers-color-scheme: dark)") {
                listeners.push(gloo::events::EventListener::new(&scheme, "change", mark()));
            }
            return listeners;
        }
        let _ = stale;
        Vec::new()
    }

    /// The palette at `element`: the one read before, unless the theme may have changed.
    pub fn at(&mut self, element: &web_sys::Element) -> &Colours {
        if self.stale.replace(false) || self.colours.is_none() {
            self.colours = Some(Colours::at(element));
        }
        self.colours.get_or_insert_with(|| LIGHT.owned())
    }
}

impl Palette {
    /// The palette as owned strings.
    pub fn owned(&self) -> Colours {
        Palette {
            paper: self.paper.to_owned(),
            band: self.band.to_owned(),
            ink: self.ink.to_owned(),
            muted: self.muted.to_owned(),
            rule: self.rule.to_owned(),
            accent: self.accent.to_owned(),
        }
    }
}

/// Whether a custom-property value looks like a colour the canvas understands: `#rgb`,
/// `#rrggbb` (with optional alpha) or `rgb(…)`/`rgba(…)`/`hsl(…)`/`hsla(…)`.
pub fn is_colour(v: &str) -> bool {
    if let Some(hex) = v.strip_prefix('#') {
        return matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    let functional = ["rgb(", "rgba(", "hsl(", "hsla("].iter().any(|f| v.starts_with(f));
    functional && v.ends_with(')') && v.bytes().all(|b| b.is_ascii_alphanumeric() || b" .,%()/-".contains(&b))
}

/// `#rrggbb` (or `#rgb`) as its three channels; `None` for anything else.
pub fn rgb(hex: &str) -> Option<(u8, u8, u8)> {
    let h = hex.strip_prefix('#')?;
    let digits: Vec<u8> = match h.len() {
        3 => h.bytes().flat_map(|b| [b, b]).collect(),
        6 => h.bytes().collect(),
        _ => return None,
    };
    let channel = |i: usize| u8::from_str_radix(std::str::from_utf8(&digits[i..i + 2]).ok()?, 16).ok();
    Some((channel(0)?, channel(2)?, channel(4)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_colours_are_taken_from_the_page() {
        for ok in ["#fff", "#16191d", "#16191dcc", "rgb(1, 2, 3)", "hsl(210 10% 20% / 50%)"] {
            assert!(is_colour(ok), "{ok}");
        }
        for bad in ["", "red;x", "url(x)", "#12", "#ggg", "rgb(1,2,3", "var(--x)", "expression(alert(1))"] {
            assert!(!is_colour(bad), "{bad}");
        }
    }

    #[test]
    fn hex_colours_split_into_channels() {
        assert_eq!(rgb("#fbfaf7"), Some((251, 250, 247)));
        assert_eq!(rgb("#fa0"), Some((255, 170, 0)));
        assert_eq!(rgb("rgb(1,2,3)"), None);
        assert_eq!(rgb("#12345"), None);
    }
}
