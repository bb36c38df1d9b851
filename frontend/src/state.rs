//! What the reader is looking at: the visible window, the filters, the selected event and
//! the lane mode — and how it is written in the URL.
//!
//! This is a pure [`Reducible`]: every change is an [`Action`], nothing here touches the DOM,
//! so it is tested natively. The URL fragment holds the whole view (`#e=…&from=…&to=…&kinds=…
//! &q=…&lanes=actor`), so a reload or a shared link opens the same view, inside iframes too.

use std::collections::BTreeSet;
use std::rc::Rc;

use annals_core::catalog::Resolved;
use annals_core::date::PartialDate;
use annals_core::projection::LaneMode;
use annals_core::EventKind;
use yew::Reducible;

use crate::address::encode;
use crate::record::Record;

/// The smallest window: two days, so a single day stays readable.
pub const MIN_SPAN_DAYS: f64 = 2.0;
/// The largest window of a record of recent centuries: 600 years. A record reaching further
/// (back to the Big Bang) may be seen whole: its view's [`View::widest`] is wider.
pub const MAX_SPAN_DAYS: f64 = 600.0 * 365.25;
/// The widest any window may be: every year Annals reads. A gesture zooms within it (it does
/// not know the record); the view settles within its own [`View::widest`].
pub const WIDEST_DAYS: f64 = (annals_core::date::MAX_YEAR - annals_core::date::MIN_YEAR) as f64 * 365.25;

/// Which visual is shown above the list and details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Panel {
    /// The timeline.
    #[default]
    Timeline,
    /// The relation map.
    Map,
    /// The charts.
    Charts,
    /// The story: one slide per event (see `story`).
    Story,
}

impl Panel {
    /// The name used in the URL.
    pub fn name(self) -> &'static str {
        match self {
            Panel::Timeline => "timeline",
            Panel::Map => "map",
            Panel::Charts => "charts",
            Panel::Story => "story",
        }
    }
}

/// The view state.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    /// The visual shown.
    pub panel: Panel,
    /// First visible day (day number, fractional while zooming).
    pub from: f64,
    /// Last visible day.
    pub to: f64,
    /// Kinds shown; empty means all.
    pub kinds: BTreeSet<EventKind>,
    /// Free-text search, matched against title, summary, actors, places, tags.
    pub query: String,
    /// Only events involving this actor (the map's ego view sets it).
    pub actor: Option<String>,
    /// The selected event.
    pub selected: Option<String>,
    /// Lanes by kind, by actor, by the file's groups, or one lane.
    pub lanes: LaneMode,
    /// The lanes of the record's whole view ([`default_view`]: by group when the file gave its
    /// events groups, else by kind). The address names the lanes only when they differ from it.
    pub default_lanes: LaneMode,
    /// The visual the record opens on (the story for a TimelineJS file with a title slide, else
    /// the timeline). The address names the view only when it differs from it.
    pub default_panel: Panel,
    /// The widest window: [`MAX_SPAN_DAYS`], or the whole record and a margin when it is longer.
    pub widest: f64,
}

impl Default for View {
    fn default() -> Self {
        Self {
            panel: Panel::Timeline,
            from: 0.0,
            to: 365.0,
            kinds: BTreeSet::new(),
            query: String::new(),
            actor: None,
            selected: None,
            lanes: LaneMode::Kind,
            default_lanes: LaneMode::Kind,
            default_panel: Panel::Timeline,
            widest: MAX_SPAN_DAYS,
        }
    }
}

/// Everything that can change the view.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Zoom by a factor (< 1 zooms in) around a day.
    Zoom {
        /// Factor applied to the span.
        factor: f64,
        /// The day that stays in place.
        around: f64,
    },
    /// Move the window by a number of days.
    Pan(f64),
    /// Show exactly this window.
    Window(f64, f64),
    /// Show or hide a kind.
    ToggleKind(EventKind),
    /// Set the search text.
    Query(String),
    /// Only events involving an actor (or all with `None`).
    Actor(Option<String>),
    /// Select an event (or nothing).
    Select(Option<String>),
    /// Select an event and bring it into view.
    Focus {
        /// The event.
        id: String,
        /// Its first day.
        start: f64,
        /// Its last day.
        end: f64,
    },
    /// Lanes by kind, actor, group or none.
    Lanes(LaneMode),
    /// Show another visual.
    Show(Panel),
    /// Replace the whole view (from the URL).
    Replace(Box<View>),
}

impl View {
    /// The last day in view (the window is the days `from..to`, `to` exclusive).
    pub fn last_day(&self) -> i64 {
        self.to.ceil() as i64 - 1
    }

    /// The span of the window in days.
    pub fn span(&self) -> f64 {
        self.to - self.from
    }

    /// Applies an action, returning the new view.
    pub fn apply(&self, action: Action) -> View {
        let mut v = self.clone();
        match action {
            Action::Zoom { factor, around } => (v.from, v.to) = zoom_within((v.from, v.to), factor, around, v.widest),
            Action::Pan(days) => {
                v.from += days;
                v.to += days;
            }
            Action::Window(from, to) => {
                let (from, to) = if from <= to { (from, to) } else { (to, from) };
                // (`min` then `max`, not `clamp`: its check of the bounds brings a float printer
                // into the bundle.)
                let span = (to - from).min(v.widest).max(MIN_SPAN_DAYS);
                let mid = (from + to) / 2.0;
                v.from = mid - span / 2.0;
                v.to = mid + span / 2.0;
            }
            Action::ToggleKind(kind) => {
                // From "all" (empty), toggling a kind hides it: all others stay shown. The
                // last shown kind cannot be hidden (an empty set means "all").
                if v.kinds.len() == 1 && v.kinds.contains(&kind) {
                    return v;
                }
                if v.kinds.is_empty() {
                    v.kinds = kinds(EventKind::ALL.into_iter().filter(|k| *k != kind));
                } else if !v.kinds.remove(&kind) {
                    v.kinds.insert(kind);
                }
                if v.kinds.len() == EventKind::ALL.len() {
                    v.kinds.clear();
                }
            }
            Action::Query(q) => v.query = q,
            Action::Actor(a) => v.actor = a,
            Action::Select(id) => v.selected = id,
            Action::Focus { id, start, end } => {
                v.selected = Some(id);
                // An event already in view stays where it is; one outside comes in with a margin.
                if start >= v.from && end + 1.0 <= v.to {
                    return v;
                }
                let margin = v.span() * 0.1;
                if end + 1.0 > v.to - margin {
                    let shift = end + 1.0 - (v.to - margin);
                    v.from += shift;
                    v.to += shift;
                }
                if start < v.from + margin {
                    let shift = v.from + margin - start;
                    v.from -= shift;
                    v.to -= shift;
                }
            }
            Action::Lanes(mode) => v.lanes = mode,
            Action::Show(panel) => v.panel = panel,
            Action::Replace(view) => v = *view,
        }
        v
    }

    /// Whether an event passes the filters (kinds, actor, search text).
    pub fn shows(&self, r: &Resolved, actor_name: impl Fn(&str) -> String) -> bool {
        if !self.kinds.is_empty() && !self.kinds.contains(&r.kind) {
            return false;
        }
        if let Some(a) = &self.actor {
            if !r.event.participants().iter().any(|(p, _)| p.as_str() == a) {
                return false;
            }
        }
        let q = crate::words::lower(self.query.trim());
        if q.is_empty() {
            return true;
        }
        let e = &r.event;
        // Every language's title and summary: a Russian query finds an event by its Russian
        // title whichever language the page shows.
        let mut haystack = e.tags.join(" ");
        for text in e.texts() {
            haystack.push(' ');
            haystack.push_str(text);
        }
        for (a, _) in e.participants() {
            haystack.push(' ');
            haystack.push_str(&actor_name(a.as_str()));
        }
        for p in &e.places {
            haystack.push(' ');
            haystack.push_str(&actor_name(p.as_str()));
        }
        let haystack = crate::words::lower(&haystack);
        q.split_whitespace().all(|word| haystack.contains(word))
    }

    /// The view as a URL fragment (without `#`).
    pub fn to_fragment(&self) -> String {
        let mut parts = Vec::new();
        if self.panel != self.default_panel {
            parts.push(format!("view={}", self.panel.name()));
        }
        if let Some(id) = &self.selected {
            parts.push(format!("e={}", encode(id)));
        }
        parts.push(format!("from={}", PartialDate::from_day_number(self.from.floor() as i64)));
        parts.push(format!("to={}", PartialDate::from_day_number(self.last_day())));
        if !self.kinds.is_empty() {
            let kinds: Vec<&str> = self.kinds.iter().map(|k| k.name()).collect();
            parts.push(format!("kinds={}", kinds.join(",")));
        }
        if !self.query.is_empty() {
            parts.push(format!("q={}", encode(&self.query)));
        }
        if let Some(a) = &self.actor {
            parts.push(format!("actor={}", encode(a)));
        }
        if self.lanes != self.default_lanes {
            parts.push(format!("lanes={}", self.lanes.name()));
        }
        parts.join("&")
    }

    /// Reads a URL fragment (with or without `#`) over a default view; unknown or malformed
    /// parts are ignored, so an old or hand-edited link still opens something sensible.
    pub fn from_fragment(fragment: &str, default: &View) -> View {
        let mut v = default.clone();
        let mut from = None;
        let mut to = None;
        for (key, value) in crate::address::pairs(fragment) {
            match key.as_str() {
                "e" if !value.is_empty() => v.selected = Some(value),
                "from" => from = value.parse::<PartialDate>().ok().map(|d| d.first_day() as f64),
                "to" => to = value.parse::<PartialDate>().ok().map(|d| (d.last_day() + 1) as f64),
                "kinds" => v.kinds = kinds(value.split(',').filter_map(|k| k.parse().ok())),
                "q" => v.query = value,
                "actor" if !value.is_empty() => v.actor = Some(value),
                "view" => {
                    v.panel = match value.as_str() {
                        "map" => Panel::Map,
                        "charts" => Panel::Charts,
                        "story" => Panel::Story,
                        _ => Panel::Timeline,
                    }
                }
                "lanes" => v.lanes = LaneMode::from_name(&value).unwrap_or(default.lanes),
                _ => {}
            }
        }
        if v.kinds.len() == EventKind::ALL.len() {
            v.kinds.clear();
        }
        if let (Some(f), Some(t)) = (from, to) {
            v = v.apply(Action::Window(f, t));
        }
        v
    }
}

/// The whole-record view, with the time extent padded so nothing sits on the edge.
pub fn default_view(record: &Record) -> View {
    let extent = record.remote.as_ref().map_or_else(|| record.projections().timeline.extent(), |r| r.extent);
    let (lo, hi) = extent.unwrap_or((0, 365));
    let pad = ((hi - lo) as f64 * 0.04).max(30.0);
    let lanes = if record.projections().timeline.has_groups() { LaneMode::Group } else { LaneMode::Kind };
    let panel = if record.story { Panel::Story } else { Panel::Timeline };
    let (from, to) = (lo as f64 - pad, hi as f64 + pad);
    let widest = ((to - from) * 1.5).clamp(MAX_SPAN_DAYS, WIDEST_DAYS);
    View { from, to, lanes, default_lanes: lanes, panel, default_panel: panel, widest, ..View::default() }
}

/// A window (`from`, `to` in days) zoomed by `factor` (< 1 zooms in) around the day `around`,
/// which stays where it is on screen; the span stays within [`MIN_SPAN_DAYS`] and
/// [`WIDEST_DAYS`]. The timeline zooms its own window with this during a gesture, before the
/// view is told (see `timeline`), which then keeps it within [`View::widest`].
pub fn zoom(window: (f64, f64), factor: f64, around: f64) -> (f64, f64) {
    zoom_within(window, factor, around, WIDEST_DAYS)
}

/// [`zoom`] within a widest span.
fn zoom_within((from, to): (f64, f64), factor: f64, around: f64, widest: f64) -> (f64, f64) {
    let old = to - from;
    let span = (old * factor).min(widest).max(MIN_SPAN_DAYS);
    let ratio = if old > 0.0 { (around - from) / old } else { 0.5 };
    let from = around - span * ratio;
    (from, from + span)
}

/// The reducer the app keeps in a `use_reducer`.
impl Reducible for View {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(self.apply(action))
    }
}

/// A set of kinds, inserted one by one: `collect` into a `BTreeSet` sorts first, with a copy of
/// the standard sort of its own in the browser bundle, for at most eight kinds.
fn kinds(list: impl Iterator<Item = EventKind>) -> BTreeSet<EventKind> {
    let mut set = BTreeSet::new();
    for kind in list {
        set.insert(kind);
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_finds_an_event_by_its_text_in_any_language() {
        use annals_core::lang::LangText;
        let mut e = annals_core::DomainEvent::new("2021-11-08".parse().expect("date"), "Phone call");
        e.titles.insert("ru".into(), LangText::translation("Телефонный разговор Алиева и Лукашенко"));
        e.summaries.insert("az".into(), LangText::translation("İki prezident telefonla danışıb"));
        let r = Resolved {
            id: "c".into(),
            position: 1,
            recorded_at: annals_core::Timestamp(0),
            kind: EventKind::Call,
            event: std::sync::Arc::new(e),
            corrections: Vec::new(),
            disputes: Vec::new(),
            retracted: None,
        };
        let finds = |q: &str| View { query: q.into(), ..View::default() }.shows(&r, |a| a.to_owned());
        for q in ["phone", "ТЕЛЕФОННЫЙ разговор", "алиева", "prezident telefonla", "call phone"]
        {
            assert!(finds(q), "{q}");
        }
        for q in ["визит", "phone визит"] {
            assert!(!finds(q), "{q}");
        }
    }

    fn day(s: &str) -> f64 {
        s.parse::<PartialDate>().expect("date").first_day() as f64
    }

    #[test]
    fn zoom_keeps_the_day_under_the_pointer() {
        let v = View { from: day("2000-01-01"), to: day("2010-01-01"), ..View::default() };
        let around = day("2008-01-01");
        let z = v.apply(Action::Zoom { factor: 0.5, around });
        assert!((z.span() - v.span() / 2.0).abs() < 1e-6);
        let before = (around - v.from) / v.span();
        let after = (around - z.from) / z.span();
        assert!((before - after).abs() < 1e-9);
        let tiny = z.apply(Action::Zoom { factor: 1e-9, around });
        assert_eq!(tiny.span(), MIN_SPAN_DAYS);
    }

    #[test]
    fn kind_toggles_start_from_all() {
        let v = View::default().apply(Action::ToggleKind(EventKind::Call));
        assert_eq!(v.kinds.len(), 6);
        assert!(!v.kinds.contains(&EventKind::Call));
        let back = v.apply(Action::ToggleKind(EventKind::Call));
        assert!(back.kinds.is_empty(), "all kinds shown again means no filter");
    }

    #[test]
    fn a_record_that_opens_as_a_story_has_the_story_for_its_whole_view() {
        let record =
            crate::record::from_bytes(include_bytes!("../../data/azerbaijan-belarus.json"), "x").expect("record");
        assert_eq!(default_view(&record).panel, Panel::Timeline);
        let story = default_view(&record.introduced(None, true));
        assert_eq!((story.panel, story.default_panel), (Panel::Story, Panel::Story));
    }

    #[test]
    fn the_address_names_the_view_when_it_is_not_the_one_the_record_opens_on() {
        let story = View { panel: Panel::Story, default_panel: Panel::Story, ..View::default() };
        assert!(!story.to_fragment().contains("view="), "{}", story.to_fragment());
        let timeline = story.apply(Action::Show(Panel::Timeline));
        assert!(timeline.to_fragment().starts_with("view=timeline&"), "{}", timeline.to_fragment());
        assert_eq!(View::from_fragment(&timeline.to_fragment(), &story).panel, Panel::Timeline);
        assert_eq!(View::from_fragment("from=2024-01-01", &story).panel, Panel::Story);
    }

    #[test]
    fn the_fragment_round_trips() {
        let v = View {
            panel: Panel::Map,
            from: day("2024-01-01"),
            to: day("2025-01-01"),
            kinds: [EventKind::Visit, EventKind::Signing].into_iter().collect(),
            query: "Karabakh & Zangezur".into(),
            actor: Some("aliyev".into()),
            selected: Some("2024-05-16-state-visit".into()),
            lanes: LaneMode::Actor,
            default_lanes: LaneMode::Kind,
            default_panel: Panel::Timeline,
            widest: MAX_SPAN_DAYS,
        };
        let text = v.to_fragment();
        assert_eq!(
            text,
            "view=map&e=2024-05-16-state-visit&from=2024-01-01&to=2024-12-31&kinds=Visit,Signing&q=Karabakh%20%26%20Zangezur&actor=aliyev&lanes=actor"
        );
        let back = View::from_fragment(&format!("#{text}"), &View::default());
        assert_eq!(back.selected, v.selected);
        assert_eq!(back.kinds, v.kinds);
        assert_eq!(back.query, v.query);
        assert_eq!(back.lanes, LaneMode::Actor);
        assert_eq!(back.panel, Panel::Map);
        assert!((back.from - v.from).abs() <= 1.0 && (back.to - v.to).abs() <= 1.0, "{back:?}");
        assert_eq!(View::from_fragment(&back.to_fragment(), &View::default()).to_fragment(), back.to_fragment());
    }

    #[test]
    fn lanes_are_named_only_when_they_differ_from_the_records_default() {
        let grouped = View { lanes: LaneMode::Group, default_lanes: LaneMode::Group, ..View::default() };
        assert!(!grouped.to_fragment().contains("lanes"), "{}", grouped.to_fragment());
        for mode in LaneMode::ALL {
            let v = grouped.apply(Action::Lanes(mode));
            let back = View::from_fragment(&v.to_fragment(), &grouped);
            assert_eq!(back.lanes, mode, "{}", v.to_fragment());
        }
        assert_eq!(grouped.apply(Action::Lanes(LaneMode::Kind)).to_fragment().matches("lanes=kind").count(), 1);
        assert_eq!(View::from_fragment("lanes=sideways", &grouped).lanes, LaneMode::Group);
    }

    #[test]
    fn malformed_fragments_fall_back_to_the_default() {
        let d = View { from: 1.0, to: 100.0, ..View::default() };
        let v = View::from_fragment("#from=yesterday&kinds=Parade&%zz&e=", &d);
        assert_eq!(v, d);
        // (How escapes are read is tested in `address`.)
    }

    #[test]
    fn the_last_kind_cannot_be_hidden() {
        let only = View { kinds: [EventKind::Other].into_iter().collect(), ..View::default() };
        assert_eq!(only.apply(Action::ToggleKind(EventKind::Other)).kinds, only.kinds);
    }

    #[test]
    fn focus_does_not_move_a_visible_event() {
        let v = View { from: 0.0, to: 100.0, ..View::default() };
        let f = v.apply(Action::Focus { id: "x".into(), start: 2.0, end: 2.0 });
        assert_eq!((f.from, f.to), (0.0, 100.0));
    }

    #[test]
    fn focus_brings_the_event_into_view() {
        let v = View { from: 0.0, to: 100.0, ..View::default() };
        let f = v.apply(Action::Focus { id: "x".into(), start: 300.0, end: 302.0 });
        assert_eq!(f.selected.as_deref(), Some("x"));
        assert!(f.from <= 300.0 && f.to >= 303.0);
        assert_eq!(f.span(), 100.0);
    }
}
