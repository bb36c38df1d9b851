//! The timeline canvas: lanes, events and counted clusters, drawn with the 2D canvas API.
//!
//! One canvas, not one DOM node per event, so a hundred thousand events cost what the pixels
//! cost. When more than [`DETAIL_LIMIT`] events fall in the window, the lanes show counted
//! clusters from the core level-of-detail index instead (or, with a text or actor filter the
//! index cannot apply, clusters counted from the filtered events).
//!
//! Overlapping events take rows of their lane ([`geometry::stack`]), so the timeline is as tall
//! as the rows in view: nothing is drawn over anything else, and what finds no row is counted.
//!
//! The canvas itself is only the part of the lanes the window shows ([`slice`]): the timeline's
//! box takes the lanes' full height, and the canvas inside it, placed at the part in view, is
//! painted shifted by that part's top (and painted again when the page scrolls). *Why:* at a
//! hundred thousand events a month's window stacks into lanes two to three times taller than the
//! screen, and every frame of a zoom or pan filled, uploaded and composited the whole bitmap —
//! that, not the stacking, made a zoom step's 95th percentile half as slow again as before lanes
//! had rows. During a gesture the canvas' own pixels are never more than the screen's. At rest a
//! timeline up to [`WHOLE_SCREENS`] screens tall is painted whole, once: scrolling the page then
//! repaints nothing, and a capture of the whole page (a full-page screenshot, a print preview)
//! shows every lane. Only a taller one stays a slice at rest too; a picture of the timeline,
//! "Save picture", is drawn from what was placed, all of it, whatever its height.
//!
//! Keys are listened to on the canvas only (it is one tab stop): ← → move between events —
//! and stop on a counted cluster ("+12") when the next event is counted in it, which Enter
//! then zooms into —, Shift+← → pan, + − zoom, Home/End jump to the first/last event, Enter
//! opens the details, Escape clears the selection. The wheel zooms around the pointer, a drag pans, two fingers
//! pinch.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use annals_core::projection::{LaneMode, Timeline};
use annals_core::EventKind;
use gloo::events::EventListener;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

use crate::geometry::{self, Cluster, LaneRows, Mark, More, Scale, Shape, AXIS_HEIGHT, LANE_HEIGHT};
use crate::hooks::gestures::{capture, offset, use_wheel, Drag};
use crate::number::decimal;
use crate::palette::kind_colour;
use crate::record::Record;
use crate::state::{Action, View};
use crate::theme::{ColourCache, Colours};
use crate::visible::Visible;

/// The font of the axis and of the marks' labels.
const LABEL_FONT: &str = "12px system-ui, sans-serif";
/// The font of the lanes' names.
const LANE_FONT: &str = "13px system-ui, sans-serif";

/// Above this many events in the window, clusters are drawn instead of single events.
pub const DETAIL_LIMIT: usize = 1500;

/// Above this many marks in the window, marks are drawn without labels and the lanes' rows
/// take at most [`SCREEN_SHARE`] of the screen's height: the picture is then where events are
/// — at 1,500 marks, a label of each would be a wall of cut-off titles —, and labels (and
/// rows) come as you zoom in. *Why a limit:* each label is a call into the browser's text
/// shaper (5–12 µs in Chromium, where a dot costs 6), and each row makes the canvas taller, so
/// at a hundred thousand events the labels and rows of a year's window cost more than
/// everything else a frame of a zoom does.
pub const LABEL_LIMIT: usize = 400;

/// The share of the screen's height the lanes' rows may take above [`LABEL_LIMIT`] marks (see
/// [`geometry::stack_within`]); what finds no row within it is counted ("+12").
const SCREEN_SHARE: f64 = 0.7;

/// Props of [`TimelineCanvas`].
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The record.
    pub record: Rc<Record>,
    /// The view.
    pub view: UseReducerHandle<View>,
    /// The events that pass the filters.
    pub visible: Rc<Visible>,
    /// Where to say how to describe what was drawn, for a picture (see `picture`).
    #[prop_or_default]
    pub drawing: crate::picture::Drawing,
}

/// What was drawn last, for hit-testing and keyboard moves, and what painting keeps between
/// frames.
#[derive(Default)]
struct Drawn {
    marks: Vec<Mark>,
    /// Counted events ("+12") as drawn.
    more: Vec<More>,
    /// The counted clusters drawn instead of events (too many in the window), for a picture:
    /// left, right, centre and height, colour, count.
    clusters: Vec<(f64, f64, f64, f64, &'static str, u32)>,
    /// The labels, the lanes' rows and the gridlines as drawn (for [`describe`]).
    spots: Vec<geometry::LabelSpot>,
    rows: LaneRows,
    ticks: Vec<(f64, String)>,
    /// The axis labels as drawn: where each begins, its width and its text.
    axis: Vec<(f64, f64, String)>,
    scale: Option<Scale>,
    /// The timeline's height (its box's): lanes grow with their rows, so it follows what is drawn.
    height: f64,
    /// The part of the lanes the canvas holds: its top and height, in the timeline's pixels
    /// (see [`slice`]); pointer positions on the canvas are shifted by the top.
    slice: (f64, f64),
    /// The part of those painted by the last paint (the same at rest; during a gesture the
    /// canvas may hold more than the part in view, which alone is painted again).
    part: (f64, f64),
    /// The canvas' backing size in device pixels: assigning `width`/`height` reallocates and
    /// clears the bitmap even when the value is the same, so it is set only when it changes.
    size: (u32, u32),
    /// Widths in the font of mark labels and the axis (12 px).
    labels: TextWidths,
    /// Widths in the font of lane labels (13 px).
    lanes: TextWidths,
    /// Widths in the font of counts (bold 11 px).
    counts: TextWidths,
    /// The lanes' names as drawn, for the names and the timeline's width they were laid out for.
    column: Option<Column>,
    /// The 2D context, looked up once.
    context: Option<CanvasRenderingContext2d>,
    /// The palette, read from the page once (see [`crate::theme`]).
    colours: ColourCache,
}

/// The lane-name column: as wide as the longest name needs, within a cap, each name on as many
/// lines as it needs (at most [`geometry::NAME_LINES`]).
///
/// *Why measured:* a fixed column cut "Commission meeting" to "Commission m…" at 1280 px while
/// a file whose only lane is "Other" gave 128 px of the time area to a five-letter word.
struct Column {
    names: Vec<String>,
    screen: f64,
    /// Its width: where the time area begins.
    left: f64,
    /// Each name's lines (the last shortened with "…" only when [`geometry::NAME_LINES`] lines
    /// at the cap cannot hold it; the whole name is in the timeline's accessible description).
    lines: Vec<Vec<String>>,
}

/// Room around a lane's name in its column: 8 px left of it, 12 px right.
const COLUMN_PAD: f64 = 20.0;

impl Column {
    fn new(names: &[String], screen: f64, widths: &mut TextWidths, ctx: &CanvasRenderingContext2d) -> Column {
        ctx.set_font(LANE_FONT);
        let mut widest = 0.0f64;
        for n in names {
            widest = widest.max(widths.width(ctx, n));
        }
        // At most 30 % of the timeline's width (but 104 px on a phone, where "Commission" fits
        // a line) and 200 px.
        let left = (widest + COLUMN_PAD).max(64.0).min((screen * 0.3).max(104.0)).min(200.0).ceil();
        let room = left - COLUMN_PAD;
        let mut lines = Vec::new();
        for name in names {
            let mut of = Vec::new();
            let mut rest = Some(name.as_str());
            while let Some(text) = rest {
                if of.len() + 1 == geometry::NAME_LINES {
                    of.push(fitted(widths, ctx, text, room).0.into_owned());
                    break;
                }
                let (line, more) = geometry::lane_lines(text, room, &mut |t| widths.width(ctx, t));
                of.push(line);
                rest = more;
            }
            lines.push(of);
        }
        Column { names: names.to_vec(), screen, left, lines }
    }
}

/// Where each line of the lanes' names goes: (lane, y, text). A name of one line is centred on
/// its lane's first row (on a strip, on the strip), two lines around that centre, more from the
/// lane's top down.
fn name_lines<'a>(column: &'a Column, rows: &LaneRows) -> Vec<(usize, f64, &'a str)> {
    let mut out = Vec::new();
    for (lane, lines) in column.lines.iter().enumerate() {
        let spread = geometry::LINE_HEIGHT * lines.len().saturating_sub(1) as f64 / 2.0;
        let first =
            rows.top(lane) + (rows.height(lane).min(LANE_HEIGHT) / 2.0 - spread).max(geometry::STRIP_HEIGHT / 2.0);
        for (i, line) in lines.iter().enumerate() {
            out.push((lane, first + geometry::LINE_HEIGHT * i as f64, line.as_str()));
        }
    }
    out
}

/// A window the canvas shows ahead of the view while a wheel, drag or pinch goes on.
///
/// *Why:* the view lives in the app's reducer, and every change of it re-renders the app: the
/// list of events in view, the date boxes, the URL fragment (`replaceState`, which Chromium also
/// throttles when it is called on every frame). Doing that for each wheel step cost more than the
/// canvas itself. So during a gesture only the canvas follows the input, painting its own
/// window; the view is told once the input has rested for [`SETTLE_MS`] (or at once when a drag
/// ends, a key is pressed or the widget goes away), and everything else follows then.
#[derive(Debug, Clone, Copy)]
struct Gesture {
    /// The view's window when the gesture began.
    base: (f64, f64),
    /// The window shown.
    window: (f64, f64),
}

/// How long the input must rest before the view takes a gesture's window.
pub const SETTLE_MS: u32 = 150;

/// Everything a paint needs besides the window, as of the last render.
struct Scene {
    record: Rc<Record>,
    visible: Rc<Visible>,
    view: View,
    width: f64,
    lane_keys: Vec<String>,
    lane_labels: Vec<String>,
    shown_kinds: Vec<EventKind>,
}

/// The widget's state outside yew's render path: what was drawn, the scene, the gesture.
#[derive(Default)]
struct Widget {
    drawn: Drawn,
    scene: Option<Scene>,
    gesture: Option<Gesture>,
    settle: Option<gloo::timers::callback::Timeout>,
    /// What the canvas shows now, so a render that would paint the same picture does not
    /// (a hover's tooltip, or the view settling on the window the gesture already painted).
    painted: Option<Painted>,
    /// The counted cluster ("+12") the keyboard is on, if any.
    more: Option<MoreFocus>,
}

/// A counted cluster the keyboard is on: its lane and the days of its events. (Clusters are
/// placed anew each frame; the one drawn ringed is the one of that lane over those days.)
type MoreFocus = (usize, (i64, i64));

/// Whether a drawn cluster is the one the keyboard is on.
fn is_focused(c: &More, focus: Option<MoreFocus>) -> bool {
    focus.is_some_and(|(lane, (first, last))| c.lane == lane && c.days.0 <= last && first <= c.days.1)
}

/// Everything a picture depends on.
#[derive(Debug, Clone, PartialEq)]
struct Painted {
    /// The view without its window (filters, selection, lanes).
    view: View,
    window: (f64, f64),
    record: usize,
    visible: usize,
    size: (f64, f64, f64),
    /// The canvas or a lane was kept taller than it needs during a gesture (it shrinks at rest).
    held: bool,
    /// The cluster the keyboard is on.
    more: Option<MoreFocus>,
    /// The part of the lanes painted (see [`slice`]).
    part: (f64, f64),
}

impl Painted {
    /// The same picture: equal, and windows within a hundredth of a pixel of each other.
    fn same(&self, other: &Painted) -> bool {
        let px = (self.window.1 - self.window.0).abs() / self.size.0.max(1.0) / 100.0;
        let close = (self.window.0 - other.window.0).abs() <= px && (self.window.1 - other.window.1).abs() <= px;
        close && Painted { window: other.window, ..self.clone() } == *other
    }
}

impl Widget {
    /// The window shown: the gesture's, or the view's.
    fn window(&self) -> Option<(f64, f64)> {
        self.gesture.map(|g| g.window).or_else(|| self.scene.as_ref().map(|s| (s.view.from, s.view.to)))
    }

    /// Paints the scene at the window shown.
    fn paint(&mut self, canvas: &HtmlCanvasElement) {
        let Some(window) = self.window() else { return };
        let Some(scene) = &self.scene else { return };
        let w = if scene.width > 0.0 { scene.width } else { f64::from(canvas.client_width()) };
        let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
        let place = placed(canvas);
        let now = Painted {
            view: View { from: 0.0, to: 0.0, ..scene.view.clone() },
            window,
            record: Rc::as_ptr(&scene.record) as usize,
            visible: Rc::as_ptr(&scene.visible) as usize,
            size: (w, 0.0, ratio),
            held: false,
            more: self.more,
            part: slice(place, self.drawn.height, self.gesture.is_some()),
        };
        if self.painted.as_ref().is_some_and(|p| p.same(&now)) {
            return;
        }
        let held = paint(&mut self.drawn, canvas, (w, place), scene, window, self.gesture.is_some(), self.more);
        self.painted = Some(Painted { held, part: self.drawn.part, ..now });
    }

    /// Where a pointer event is, in the timeline's pixels (the canvas holds a part of it).
    fn at(&self, e: &PointerEvent) -> (f64, f64) {
        let (x, y) = offset(e);
        (x, y + self.drawn.slice.0)
    }
}

/// The tallest timeline painted whole at rest, in screens (window heights): three screens of
/// canvas at a phone's pixel ratio of three is about 60 MB of bitmap, the most worth holding.
const WHOLE_SCREENS: f64 = 3.0;

/// How finely the canvas' height follows the part in view: assigning a canvas' height
/// reallocates its bitmap, so a scroll changes it only every so many pixels.
const SLICE_STEP: f64 = 64.0;

/// Where the timeline is in the window: the top of its inside, and the window's height (read
/// once per paint, before it writes any style: a read after a write would lay the page out
/// again).
fn placed(canvas: &HtmlCanvasElement) -> Option<(f64, f64)> {
    let screen = web_sys::window()?.inner_height().ok()?.as_f64()?;
    let parent = canvas.parent_element()?;
    Some((parent.get_bounding_client_rect().top() + f64::from(parent.client_top()), screen))
}

/// The part of a timeline `height` pixels tall that the window shows (`place`, see [`placed`]):
/// its top and height, in the timeline's pixels (whole pixels, the height a multiple of
/// [`SLICE_STEP`] where the timeline goes on). A timeline wholly out of view gets the
/// screenful nearest to the window. At rest (not `moving`) a timeline of at most
/// [`WHOLE_SCREENS`] screens is all of it.
fn slice(place: Option<(f64, f64)>, height: f64, moving: bool) -> (f64, f64) {
    let Some((inside, screen)) = place else { return (0.0, height) };
    if !moving && height <= WHOLE_SCREENS * screen {
        return (0.0, height);
    }
    // (`max`/`min`, not `clamp`: its panic message prints floats, which the bundle leaves out.)
    let top = (-inside).max(0.0).min(height).floor();
    let bottom = (screen - inside).max(0.0).min(height).ceil();
    if bottom - top < 1.0 {
        let shown = screen.min(height).ceil();
        return if inside > 0.0 { (0.0, shown) } else { ((height - shown).max(0.0), shown) };
    }
    let shown = (((bottom - top) / SLICE_STEP).ceil() * SLICE_STEP).min(height - top).min(screen.ceil());
    (top, shown)
}

/// Moves the window shown by `change` and paints it; the view follows once the input rests.
fn move_window(
    widget: &Rc<RefCell<Widget>>,
    canvas: &NodeRef,
    view: &UseReducerDispatcher<View>,
    change: impl FnOnce((f64, f64)) -> (f64, f64),
) {
    let Some(c) = canvas.cast::<HtmlCanvasElement>() else { return };
    let mut w = widget.borrow_mut();
    let (Some(settled), Some(current)) = (w.scene.as_ref().map(|s| (s.view.from, s.view.to)), w.window()) else {
        return;
    };
    let base = w.gesture.map_or(settled, |g| g.base);
    w.gesture = Some(Gesture { base, window: change(current) });
    w.paint(&c);
    let (widget, view) = (widget.clone(), view.clone());
    w.settle = Some(gloo::timers::callback::Timeout::new(SETTLE_MS, move || settle(&widget, &view)));
}

/// Hands the gesture's window to the view (and so to the list, the date boxes and the URL).
fn settle(widget: &Rc<RefCell<Widget>>, view: &UseReducerDispatcher<View>) {
    let window = {
        let mut w = widget.borrow_mut();
        w.settle = None;
        w.gesture.map(|g| g.window)
    };
    if let Some((from, to)) = window {
        crate::record::mark("annals:settle");
        view.dispatch(Action::Window(from, to));
    }
}

/// The timeline widget.
#[function_component(TimelineCanvas)]
pub fn timeline_canvas(props: &Props) -> Html {
    let canvas = use_node_ref();
    let widget = use_mut_ref(Widget::default);
    let width = use_state(|| 0.0f64);
    let hover = use_state(|| None::<(Mark, f64, f64)>);
    // Whether a tooltip is shown, for the listeners that outlive a render (the wheel's): a
    // tooltip must not stay behind at a point the picture has moved away from.
    let tip = use_mut_ref(|| false);
    // What the keyboard's last stop on a counted cluster says (a polite live region).
    let announce = use_state(String::new);
    let pointers = use_mut_ref(HashMap::<i32, (f64, f64)>::new);
    let drag = use_mut_ref(|| None::<Drag>);
    let dispatcher = props.view.dispatcher();
    // What was drawn, for a picture of the timeline (see `picture`).
    {
        let (widget, canvas) = (widget.clone(), canvas.clone());
        *props.drawing.0.borrow_mut() = Some(Rc::new(move || {
            let (Some(c), mut w) = (canvas.cast::<HtmlCanvasElement>(), widget.borrow_mut()) else {
                return String::new();
            };
            let Widget { drawn, scene, more, .. } = &mut *w;
            let Some(s) = scene else { return String::new() };
            describe(drawn, &c, &s.lane_labels, s.view.selected.as_deref(), *more)
        }));
    }

    let view = &*props.view;
    let record = &props.record;
    // Lanes by actor count every event's participants: once per record and mode, not per frame.
    let lanes = use_memo((Rc::as_ptr(record) as usize, view.lanes), {
        let record = record.clone();
        move |(_, mode)| {
            let p = record.projections();
            match (&record.remote, mode) {
                (Some(remote), LaneMode::Kind) => remote.lanes(),
                _ => p.timeline.lanes(*mode, &p.catalog),
            }
        }
    });
    // By kind, the kinds the record has and the filters show (no empty lanes).
    let shown = |l: &&annals_core::projection::Lane| {
        view.lanes != LaneMode::Kind
            || view.kinds.is_empty()
            || l.key.parse::<EventKind>().is_ok_and(|k| view.kinds.contains(&k))
    };
    // A record whose events are all of no particular kind (another tool's file: a TimelineJS
    // slide is "Other") has one lane that says nothing by its kind's name.
    let one_other = lanes.len() == 1 && lanes[0].key == EventKind::Other.name();
    let (lane_keys, lane_labels): (Vec<String>, Vec<String>) = lanes
        .iter()
        .filter(shown)
        .map(|l| {
            // A kind's lane is named in the interface's language (core names it in English),
            // and so is the one lane of `none` (core's "All events").
            let label = match (view.lanes, l.key.parse::<EventKind>()) {
                (LaneMode::None, _) => crate::i18n::t("All events").to_owned(),
                (LaneMode::Kind, Ok(_)) if one_other => crate::i18n::t("All events").to_owned(),
                (LaneMode::Kind, Ok(k)) => crate::i18n::kind(k).to_owned(),
                _ => l.label.clone(),
            };
            (l.key.clone(), label)
        })
        .unzip();
    let shown_kinds: Vec<EventKind> = match view.lanes {
        LaneMode::Kind => lane_keys.iter().filter_map(|k| k.parse().ok()).collect(),
        _ => Vec::new(),
    };

    // Every lane's whole name, for the accessible description (a name may be shortened on the
    // canvas, see `Column`).
    let mut lanes_said = crate::i18n::t("Lanes").to_owned();
    for (i, name) in lane_labels.iter().enumerate() {
        lanes_said.push_str(if i == 0 { ": " } else { ", " });
        lanes_said.push_str(name);
    }
    lanes_said.push('.');

    // The scene of this render. A view whose window moved since a gesture began (the gesture
    // settled, or another control moved it) ends the gesture: the view wins.
    {
        let mut w = widget.borrow_mut();
        if w.gesture.is_some_and(|g| g.base != (view.from, view.to)) {
            w.gesture = None;
            w.settle = None;
        }
        w.scene = Some(Scene {
            record: record.clone(),
            visible: props.visible.clone(),
            view: view.clone(),
            width: *width,
            lane_keys,
            lane_labels,
            shown_kinds,
        });
    }

    // Track the element's width.
    {
        let canvas = canvas.clone();
        let width = width.clone();
        use_effect_with((), move |_| {
            let measure = {
                let canvas = canvas.clone();
                let width = width.clone();
                move || {
                    if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                        width.set(c.client_width() as f64);
                    }
                }
            };
            measure();
            let listener = web_sys::window().map(|w| EventListener::new(&w, "resize", move |_| measure()));
            move || drop(listener)
        });
    }

    // The part of the lanes in view moves as the page (or a box around the timeline) scrolls,
    // or the window changes height: the canvas follows it (see `slice`). A paint that would
    // show the same part does nothing.
    {
        let (canvas, widget) = (canvas.clone(), widget.clone());
        use_effect_with((), move |_| {
            let follow = Rc::new(move || {
                if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                    widget.borrow_mut().paint(&c);
                }
            });
            let options =
                gloo::events::EventListenerOptions { phase: gloo::events::EventListenerPhase::Capture, passive: true };
            let listeners = web_sys::window().map(|w| {
                ["scroll", "resize"].map(|name| {
                    let follow = follow.clone();
                    EventListener::new_with_options(&w, name, options, move |_| follow())
                })
            });
            move || drop(listeners)
        });
    }

    // A gesture still going on when the widget goes away is not lost.
    {
        let widget = widget.clone();
        let dispatcher = dispatcher.clone();
        use_effect_with((), move |_| {
            move || {
                let pending = widget.borrow_mut().settle.take();
                if pending.is_some() {
                    settle(&widget, &dispatcher);
                }
            }
        });
    }

    // The wheel zooms around the pointer (on a host page only with Ctrl/⌘, see `gestures`).
    {
        let canvas_for_zoom = canvas.clone();
        let dispatcher = dispatcher.clone();
        let widget = widget.clone();
        let (hover, tip) = (hover.clone(), tip.clone());
        use_wheel(canvas.clone(), move |e| {
            if std::mem::take(&mut *tip.borrow_mut()) {
                hover.set(None);
            }
            let Some(scale) = widget.borrow().drawn.scale else { return };
            let around = scale.day(f64::from(e.offset_x()));
            let delta = match e.delta_mode() {
                1 => e.delta_y() * 16.0,
                2 => e.delta_y() * 400.0,
                _ => e.delta_y(),
            };
            let factor = (delta * 0.0015).exp();
            move_window(&widget, &canvas_for_zoom, &dispatcher, |w| crate::state::zoom(w, factor, around));
        });
    }

    // Paint after every render.
    {
        let canvas = canvas.clone();
        let widget = widget.clone();
        use_effect(move || {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                widget.borrow_mut().paint(&c);
            }
        });
    }

    let onpointerdown = {
        let drag = drag.clone();
        let pointers = pointers.clone();
        let widget = widget.clone();
        Callback::from(move |e: PointerEvent| {
            capture(&e);
            let at = widget.borrow().at(&e);
            pointers.borrow_mut().insert(e.pointer_id(), at);
            *drag.borrow_mut() = Some(Drag::horizontal(at));
        })
    };
    let onpointermove = {
        let drag = drag.clone();
        let dispatcher = dispatcher.clone();
        let widget = widget.clone();
        let canvas = canvas.clone();
        let hover = hover.clone();
        let tip = tip.clone();
        let pointers = pointers.clone();
        Callback::from(move |e: PointerEvent| {
            let (x, y) = widget.borrow().at(&e);
            let Some(scale) = widget.borrow().drawn.scale else { return };
            // Two pointers: pinch to zoom around their midpoint.
            let mut ps = pointers.borrow_mut();
            if ps.len() == 2 && ps.contains_key(&e.pointer_id()) {
                let before: Vec<(f64, f64)> = ps.values().copied().collect();
                ps.insert(e.pointer_id(), (x, y));
                let after: Vec<(f64, f64)> = ps.values().copied().collect();
                let dist = |p: &[(f64, f64)]| ((p[0].0 - p[1].0).powi(2) + (p[0].1 - p[1].1).powi(2)).sqrt().max(1.0);
                let around = scale.day((after[0].0 + after[1].0) / 2.0);
                let factor = dist(&before) / dist(&after);
                drop(ps);
                move_window(&widget, &canvas, &dispatcher, |w| crate::state::zoom(w, factor, around));
                return;
            }
            drop(ps);
            let mut d = drag.borrow_mut();
            if let Some(press) = d.as_mut() {
                if let Some((dx, _)) = press.step((x, y)) {
                    let days = -dx * scale.days_per_px();
                    drop(d);
                    move_window(&widget, &canvas, &dispatcher, |(from, to)| (from + days, to + days));
                    // Setting state re-renders even to the same value: only when there is a tooltip.
                    if hover.is_some() {
                        hover.set(None);
                    }
                }
                return;
            }
            drop(d);
            let hit = geometry::hit(&widget.borrow().drawn.marks, x, y).cloned();
            if hit.as_ref().map(Mark::id) != hover.as_ref().map(|(m, _, _)| m.id()) {
                *tip.borrow_mut() = hit.is_some();
                hover.set(hit.map(|m| (m, x, y)));
            }
        })
    };
    let onpointerup = {
        let drag = drag.clone();
        let dispatcher = dispatcher.clone();
        let widget = widget.clone();
        let pointers = pointers.clone();
        Callback::from(move |e: PointerEvent| {
            pointers.borrow_mut().remove(&e.pointer_id());
            let was = drag.borrow_mut().take();
            match was.map(|d| d.moved()) {
                Some(false) => {
                    let mut w = widget.borrow_mut();
                    let (x, y) = w.at(&e);
                    w.more = None;
                    let drawn = &w.drawn;
                    let hit = geometry::hit(&drawn.marks, x, y).map(|m| m.id().to_owned());
                    // A counted cluster ("+12") opens: the window zooms to its days.
                    let action = match geometry::hit_more(&drawn.more, x, y).filter(|_| hit.is_none()) {
                        Some(c) => open_cluster(c.days),
                        None => Action::Select(hit),
                    };
                    drop(w);
                    dispatcher.dispatch(action);
                }
                // A drag ends: the view takes its window now.
                Some(true) if widget.borrow_mut().settle.take().is_some() => settle(&widget, &dispatcher),
                _ => {}
            }
        })
    };
    let onpointerleave = {
        let (hover, tip) = (hover.clone(), tip.clone());
        Callback::from(move |_: PointerEvent| {
            *tip.borrow_mut() = false;
            hover.set(None);
        })
    };
    let onkeydown = {
        let dispatcher = dispatcher.clone();
        let widget = widget.clone();
        let record = record.clone();
        let visible = props.visible.clone();
        let view = props.view.clone();
        let (hover, tip) = (hover.clone(), tip.clone());
        let canvas = canvas.clone();
        let announce = announce.clone();
        Callback::from(move |e: KeyboardEvent| {
            // Keys act on the window shown, so a gesture still settling is handed over first.
            let shown = widget.borrow().window();
            let current = match shown {
                Some((from, to)) if (from, to) != (view.from, view.to) => View { from, to, ..(*view).clone() },
                _ => (*view).clone(),
            };
            let handled = |e: &KeyboardEvent| {
                e.prevent_default();
                if std::mem::take(&mut *tip.borrow_mut()) {
                    hover.set(None);
                }
                if widget.borrow_mut().settle.take().is_some() {
                    settle(&widget, &dispatcher);
                }
            };
            // Counted clusters ("+12") are stops of the arrows too: an arrow whose next event
            // is counted stops on its cluster (ringed and announced), Enter or Space opens it.
            let on = widget.borrow().more;
            let plain = !(e.shift_key() || e.alt_key() || e.ctrl_key() || e.meta_key());
            let key = e.key();
            if plain && (key == "ArrowRight" || key == "ArrowLeft") {
                let p = record.projections();
                let next = next_event(&current, &p.timeline, &visible, on.map(|m| m.1), key == "ArrowRight");
                let r = next.and_then(|i| p.timeline.at(i));
                let counted = r.and_then(|r| counted_in(&widget.borrow().drawn, r));
                if let Some(c) = counted {
                    handled(&e);
                    widget.borrow_mut().more = Some((c.lane, c.days));
                    if let Some(el) = canvas.cast::<HtmlCanvasElement>() {
                        widget.borrow_mut().paint(&el);
                    }
                    let day = |d: i64| crate::i18n::date(&annals_core::PartialDate::from_day_number(d));
                    announce.set(crate::i18n::tf(
                        "Not drawn at this zoom: {0}, {1} to {2}. Enter zooms in.",
                        &[&crate::words::count(c.count, "event", "events"), &day(c.days.0), &day(c.days.1)],
                    ));
                    return;
                }
                if on.is_some() {
                    handled(&e);
                    widget.borrow_mut().more = None;
                    announce.set(String::new());
                    if let Some(r) = r {
                        dispatcher.dispatch(focus(r));
                    }
                    return;
                }
            }
            if let Some(days) = on.map(|m| m.1) {
                let action = match key.as_str() {
                    "Enter" | " " => Some(open_cluster(days)),
                    "Escape" => None,
                    _ => return dispatch_key(&e, &current, &record, &visible, handled, &dispatcher),
                };
                handled(&e);
                widget.borrow_mut().more = None;
                announce.set(String::new());
                match action {
                    Some(action) => dispatcher.dispatch(action),
                    None => {
                        if let Some(el) = canvas.cast::<HtmlCanvasElement>() {
                            widget.borrow_mut().paint(&el);
                        }
                    }
                }
                return;
            }
            dispatch_key(&e, &current, &record, &visible, handled, &dispatcher);
        })
    };

    // The keyboard's stop on a cluster ends when the focus leaves the timeline.
    let onblur = {
        let (widget, canvas, announce) = (widget.clone(), canvas.clone(), announce.clone());
        Callback::from(move |_: FocusEvent| {
            if widget.borrow_mut().more.take().is_some() {
                announce.set(String::new());
                if let Some(el) = canvas.cast::<HtmlCanvasElement>() {
                    widget.borrow_mut().paint(&el);
                }
            }
        })
    };

    let label = crate::i18n::tf(
        "Timeline of {0}, {1} to {2}. Arrow keys move between events, plus and minus zoom, Shift and arrows pan.",
        &[
            &crate::words::count(props.visible.len(), "event", "events"),
            &crate::i18n::date(&annals_core::PartialDate::from_day_number(view.from as i64)),
            &crate::i18n::date(&annals_core::PartialDate::from_day_number(view.to as i64)),
        ],
    );
    // A stream read by the window says how many events the page holds (the tests read it:
    // the page's memory stays bounded, see `remote::HOLD`).
    let held = record.remote.as_ref().map(|_| record.projections().timeline.len().to_string());
    html! {
        <div class="timeline" data-held={held}>
            <canvas
                ref={canvas}
                class="timeline-canvas"
                tabindex="0"
                role="application"
                aria-roledescription={crate::i18n::t("timeline")}
                aria-label={label}
                aria-describedby="timeline-lanes"
                {onpointerdown}
                {onpointermove}
                {onpointerup}
                {onpointerleave}
                {onkeydown}
                {onblur}
            />
            <p id="timeline-lanes" class="visually-hidden">{ lanes_said }</p>
            <p class="visually-hidden" aria-live="polite">{ (*announce).clone() }</p>
            if let Some((m, x, y)) = &*hover {
                <div class="tooltip" role="tooltip" style={tooltip_place(*x, *y, *width, widget.borrow().drawn.height)}>
                    { { let title = m.event.event.title_for(crate::shown::want()); html! { <>
                        <strong lang={title.lang.to_owned()}>{ title.text.to_owned() }</strong>
                        { crate::shown::badge(&title) }
                    </> } } }
                    <span>{ format!("{} · {}", m.date(), crate::i18n::kind(m.kind)) }</span>
                    if m.disputed { <span class="badge">{ crate::i18n::tx("disputed") }</span> }
                </div>
            }
        </div>
    }
}

/// Where the tooltip of a point goes: below right of the pointer, or — where it would run out
/// of the timeline (which clips it) — left of it or above it. (Its width is at most the
/// stylesheet's `max-width`, 22rem, so it is not measured.)
fn tooltip_place(x: f64, y: f64, width: f64, height: f64) -> String {
    const WIDE: f64 = 22.0 * 16.0;
    const TALL: f64 = 90.0;
    // (One `format!`: each call site costs the bundle its own code.)
    let (across, at) = if x + 12.0 + WIDE > width && x > width / 2.0 {
        ("right", (width - x + 12.0).max(0.0))
    } else {
        ("left", x + 12.0)
    };
    let (down, to) = if y + 12.0 + TALL > height && y > height / 2.0 {
        ("bottom", (height - y + 12.0).max(0.0))
    } else {
        ("top", y + 12.0)
    };
    format!("{across}:{}px;{down}:{}px", decimal(at), decimal(to))
}

/// Does what a key stands for (see [`key_action`]), if anything: `handled` first.
fn dispatch_key(
    e: &KeyboardEvent,
    view: &View,
    record: &Record,
    visible: &[usize],
    handled: impl Fn(&KeyboardEvent),
    dispatcher: &UseReducerDispatcher<View>,
) {
    if let Some(action) = key_action(e, view, record, visible) {
        handled(e);
        dispatcher.dispatch(action);
    }
}

/// Opening a counted cluster: the window zooms to its days (and a little around them).
fn open_cluster((first, last): (i64, i64)) -> Action {
    let (first, last) = (first as f64, (last + 1) as f64);
    let pad = (last - first) * 0.1 + 1.0;
    Action::Window(first - pad, last + pad)
}

/// The cluster an event is counted in, when it is not drawn as a mark of its own.
fn counted_in(drawn: &Drawn, r: &annals_core::catalog::Resolved) -> Option<More> {
    if drawn.more.is_empty() || drawn.marks.iter().any(|m| m.id() == r.id.as_str()) {
        return None;
    }
    let (first, last) = (r.event.occurred.first_day(), r.event.occurred.last_day());
    drawn.more.iter().find(|c| c.days.0 <= first && last <= c.days.1).cloned()
}

/// The event an arrow goes to (its index in the timeline): the next or previous one the
/// filters let through, from the selected event, or from a cluster's days (`from`): the first
/// event that begins after them, or the last that begins before them. With nothing selected,
/// the first (or last) in view.
fn next_event(
    view: &View,
    timeline: &Timeline,
    visible: &[usize],
    from: Option<(i64, i64)>,
    forward: bool,
) -> Option<usize> {
    let entry = |i: &usize| timeline.at(*i);
    if let Some((first, last)) = from {
        let begins = |i: &&usize| entry(i).map(|r| r.event.occurred.first_day());
        return if forward {
            visible.iter().find(|i| begins(i).is_some_and(|d| d > last)).copied()
        } else {
            visible.iter().rev().find(|i| begins(i).is_some_and(|d| d < first)).copied()
        };
    }
    let current = view
        .selected
        .as_deref()
        .and_then(|id| visible.iter().position(|i| entry(i).is_some_and(|r| r.id.as_str() == id)));
    let next = match (current, forward) {
        (None, true) => {
            visible.iter().position(|i| entry(i).is_some_and(|r| (r.event.occurred.last_day() as f64) >= view.from))?
        }
        (None, false) => {
            visible.iter().rposition(|i| entry(i).is_some_and(|r| (r.event.occurred.first_day() as f64) <= view.to))?
        }
        (Some(c), true) => (c + 1).min(visible.len().checked_sub(1)?),
        (Some(c), false) => c.saturating_sub(1),
    };
    visible.get(next).copied()
}

/// The action a key stands for on the timeline, if any.
fn key_action(e: &KeyboardEvent, view: &View, record: &Record, visible: &[usize]) -> Option<Action> {
    let projections = record.projections();
    let timeline = &projections.timeline;
    let entry = |i: &usize| timeline.at(*i);
    let step =
        |forward: bool| -> Option<Action> { Some(focus(entry(&next_event(view, timeline, visible, None, forward)?)?)) };
    match e.key().as_str() {
        "ArrowRight" if e.shift_key() => Some(Action::Pan(view.span() * 0.1)),
        "ArrowLeft" if e.shift_key() => Some(Action::Pan(-view.span() * 0.1)),
        "ArrowRight" => step(true),
        "ArrowLeft" => step(false),
        "+" | "=" => Some(Action::Zoom { factor: 0.6, around: (view.from + view.to) / 2.0 }),
        "-" | "_" => Some(Action::Zoom { factor: 1.0 / 0.6, around: (view.from + view.to) / 2.0 }),
        "Home" => visible.first().and_then(entry).map(|r| focus(r)),
        "End" => visible.last().and_then(entry).map(|r| focus(r)),
        "Escape" => Some(Action::Select(None)),
        "Enter" => {
            // The details of *this* widget: a page may hold several (each in its own shadow
            // root), so the panel is found from the canvas, never looked up in the document.
            let canvas = e.target()?.dyn_into::<web_sys::Element>().ok()?;
            let details = canvas.closest(".annals").ok()??.query_selector(".details").ok()??;
            let _ = details.dyn_ref::<web_sys::HtmlElement>()?.focus();
            None
        }
        _ => None,
    }
}

fn focus(r: &annals_core::catalog::Resolved) -> Action {
    Action::Focus {
        id: r.id.as_str().to_owned(),
        start: (r.event.occurred.first_day() as f64),
        end: (r.event.occurred.last_day() as f64),
    }
}

/// Paints a scene at a window (`from`, `to` in days).
///
/// Marks are placed first (stacked into rows, which measures their titles), because the rows
/// decide how tall the lanes, and so the timeline, are. The canvas is the part of them in
/// view (`place`, see [`slice`]).
///
/// During a gesture (`moving`) the timeline only grows, and so does each lane (it keeps the rows
/// it had): resizing them moves everything below, so they shrink once the input rests. Returns
/// whether something was kept taller than it needs (the picture at rest is then another).
fn paint(
    drawn: &mut Drawn,
    canvas: &HtmlCanvasElement,
    (width, place): (f64, Option<(f64, f64)>),
    scene: &Scene,
    (from, to): (f64, f64),
    moving: bool,
    more: Option<MoreFocus>,
) -> bool {
    let Scene { record, visible, view, lane_keys, lane_labels, shown_kinds, .. } = scene;
    drawn.marks.clear();
    drawn.more.clear();
    drawn.clusters.clear();
    drawn.scale = None;
    if drawn.context.is_none() {
        drawn.context =
            canvas.get_context("2d").ok().flatten().and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok());
    }
    let Some(ctx) = drawn.context.clone() else { return false };
    // The lanes' names, laid out once per set of names and width (see `Column`).
    if drawn.column.as_ref().is_none_or(|c| c.screen != width || c.names != *lane_labels) {
        drawn.column = Some(Column::new(lane_labels, width, &mut drawn.lanes, &ctx));
    }
    let column = drawn.column.take().unwrap_or_else(|| Column::new(lane_labels, width, &mut drawn.lanes, &ctx));
    let label_width = column.left;
    // A lane is as tall as its name's lines at least (an empty lane is a strip that tall).
    let names: Vec<f64> = column.lines.iter().map(|l| geometry::name_height(l.len())).collect();
    let scale = Scale { from, to, left: label_width, width: (width - label_width - 8.0).max(10.0) };
    let right = scale.left + scale.width;

    // Events (stacked) or clusters.
    let projections = record.projections();
    let timeline = &projections.timeline;
    let (from_day, to_day) = (from.floor() as i64, to.ceil() as i64);
    let level = geometry::level(&scale);
    // A stream read by the window (`remote`) draws events where they are all here, else counts.
    let remote = record.remote.as_ref();
    // (The filters the service counts by: the clusters count what they keep.)
    let filter = remote.map(|_| crate::remote::filter(view.actor.as_deref(), &view.query)).unwrap_or_default();
    let detail = match remote {
        Some(r) if !r.ready(level, from_day, to_day, &filter) => None,
        _ => visible.in_window_up_to(timeline, from_day, to_day, DETAIL_LIMIT),
    };
    let entry = |i: &usize| timeline.at(*i);
    let lanes_of = |r: &annals_core::catalog::Resolved| -> Vec<usize> {
        match view.lanes {
            LaneMode::Kind => lane_keys.iter().position(|k| k == r.kind.name()).into_iter().collect(),
            LaneMode::Actor => r
                .event
                .participants()
                .into_iter()
                .filter_map(|(a, _)| lane_keys.iter().position(|k| k == a.as_str()))
                .collect(),
            LaneMode::Group => {
                let key = annals_core::projection::group_of(r).unwrap_or("");
                lane_keys.iter().position(|k| k == key).into_iter().collect()
            }
            LaneMode::None => vec![0],
        }
    };
    let mut marks = Vec::new();
    let mut clusters = Vec::new();
    let mut stack = geometry::Stack::default();
    let mut kept = false;
    ctx.set_font(LABEL_FONT);
    if let Some(in_window) = &detail {
        marks = geometry::marks(in_window.iter().filter_map(entry).map(|r| (r, lanes_of(r))), &scale);
        // A mark wholly outside the time area (the window's days are whole, its edges are not)
        // takes no row: a lane whose events are all off screen is empty.
        marks.retain(|m| m.extent().1 >= label_width && m.extent().0 <= right);
        // Titles are placed by their widths in the label font (summed character advances:
        // no call into the browser per title, see `TextWidths`).
        // Above `LABEL_LIMIT` marks they are placed without labels (a title of no width gets
        // no label), and the lanes' rows, all together, take at most a share of the screen's
        // height: see there.
        let labelled = marks.len() <= LABEL_LIMIT;
        // With labels, lanes grow while they fit the window (and keep five rows each
        // whatever); without, their rows take at most a share of it.
        let screen = web_sys::window().and_then(|w| w.inner_height().ok()).and_then(|h| h.as_f64()).unwrap_or(800.0);
        let lanes = lane_keys.len() as f64;
        let share = if labelled { 1.0 } else { SCREEN_SHARE };
        let budget = ((screen * share - AXIS_HEIGHT - lanes * 2.0 * geometry::LANE_PAD) / geometry::ROW_HEIGHT).max(0.0)
            as usize;
        // During a gesture a lane keeps the rows it had (nothing below it jumps); at rest, an
        // empty lane shrinks to a strip.
        let held = if moving && drawn.rows.len() == lane_keys.len() { drawn.rows.rows() } else { &[] };
        kept = !held.is_empty();
        let floor = if labelled { geometry::MAX_ROWS } else { 1 };
        let room = geometry::Room { budget, floor, held, names: &names };
        let labels = &mut drawn.labels;
        stack = geometry::stack_within(&mut marks, lane_keys.len(), label_width, right, room, |m| {
            if labelled {
                labels.width(&ctx, m.title())
            } else {
                0.0
            }
        });
    } else {
        let unfiltered = view.query.trim().is_empty() && view.actor.is_none() && view.lanes == LaneMode::Kind;
        clusters = if let Some(r) = remote {
            geometry::clusters(&r.buckets(level, from_day, to_day, &filter), shown_kinds, &scale)
        } else if unfiltered {
            geometry::clusters(&timeline.buckets(level, from_day, to_day), shown_kinds, &scale)
        } else {
            count_clusters(&visible.in_window(timeline, from_day, to_day), timeline, &scale, level, &lanes_of)
        };
        stack.lanes = LaneRows::uniform(lane_keys.len());
    }
    let rows = &stack.lanes;
    let needed = rows.bottom().max(AXIS_HEIGHT + LANE_HEIGHT) + 8.0;
    let height = if moving { needed.max(drawn.height) } else { needed };

    // The timeline's box follows the lanes; the canvas is the part of them in view, placed
    // there (see `slice`); its bitmap, its CSS size at the device's pixel ratio (assigning
    // either resets the context, so only when they change).
    if drawn.height != height {
        if let Some(parent) = canvas.parent_element().and_then(|p| p.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = parent.style().set_property("height", &format!("{}px", decimal(height)));
        }
        drawn.height = height;
    }
    // The part painted; during a gesture a canvas that already holds it (the whole timeline,
    // painted at rest) is kept: shrinking it would reallocate its bitmap on the gesture's first
    // step, and painting only the part keeps each step's work a screenful's.
    let (top, shown) = slice(place, height, moving);
    let (held_top, held_height) = drawn.slice;
    let keep = moving && held_top <= top && top + shown <= held_top + held_height && held_top + held_height <= height;
    if !keep && drawn.slice != (top, shown) {
        let style = canvas.style();
        let _ = style.set_property("top", &format!("{}px", decimal(top)));
        let _ = style.set_property("height", &format!("{}px", decimal(shown)));
        drawn.slice = (top, shown);
    }
    drawn.part = (top, shown);
    let (canvas_top, canvas_height) = drawn.slice;
    let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    let size = ((width * ratio) as u32, (canvas_height * ratio) as u32);
    if drawn.size != size || canvas.width() != size.0 || canvas.height() != size.1 {
        canvas.set_width(size.0);
        canvas.set_height(size.1);
        drawn.size = size;
    }
    // The bitmap is kept between frames: reset the transform (not accumulate it), shifted by
    // the canvas' top, so everything below is drawn in the timeline's pixels, clipped to the
    // part painted; the paper below covers every pixel of the part.
    let _ = ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, -canvas_top * ratio);
    ctx.set_global_alpha(1.0);
    ctx.save();
    ctx.begin_path();
    ctx.rect(0.0, top, width, shown);
    ctx.clip();
    let colours = drawn.colours.at(canvas).clone();

    // Paper, lanes, labels.
    ctx.set_fill_style_str(&colours.paper);
    ctx.fill_rect(0.0, top, width, shown);
    ctx.set_fill_style_str(&colours.band);
    for i in (0..lane_labels.len()).step_by(2) {
        ctx.fill_rect(0.0, rows.top(i), width, rows.height(i));
    }
    ctx.set_font(LANE_FONT);
    ctx.set_text_baseline("middle");
    // A name on its lane's first row, or its two lines around it; a lane without events in the
    // window (a strip) has its name in the muted colour.
    let mut style = None;
    for (lane, y, text) in name_lines(&column, rows) {
        if y + 20.0 < top || y - 20.0 > top + shown {
            continue;
        }
        let empty = rows.rows().get(lane) == Some(&0);
        if style != Some(empty) {
            ctx.set_fill_style_str(if empty { &colours.muted } else { &colours.ink });
            style = Some(empty);
        }
        let _ = ctx.fill_text(text, 8.0, y);
    }

    // Axis: one path for every gridline, then the labels, in the font of the marks' labels
    // (`draw_marks` counts on it).
    ctx.set_font(LABEL_FONT);
    let ticks: Vec<(f64, String)> = geometry::ticks(&scale, |label| drawn.labels.width(&ctx, label))
        .into_iter()
        .map(|t| (scale.x(t.day as f64).round() + 0.5, t.label))
        .filter(|(x, _)| *x >= label_width)
        .collect();
    ctx.set_stroke_style_str(&colours.rule);
    ctx.begin_path();
    for (x, _) in &ticks {
        ctx.move_to(*x, AXIS_HEIGHT - 6.0);
        ctx.line_to(*x, height);
    }
    ctx.stroke();
    ctx.set_fill_style_str(&colours.muted);
    // The labels drawn, for the test hook: (x, width, text).
    let mut axis = Vec::new();
    let mut free = label_width;
    for (x, label) in &ticks {
        // A label the right edge would cut goes left of its line (a phone's window may hold
        // one tick, near the edge), if it stays clear of the one before; else only the line.
        let w = drawn.labels.width(&ctx, label);
        let at = if x + 4.0 + w <= width { x + 4.0 } else { x - 4.0 - w };
        if at >= free {
            let _ = ctx.fill_text(label, at, AXIS_HEIGHT / 2.0);
            axis.push((at, w, label.clone()));
            free = at + w + 8.0;
        }
    }

    ctx.save();
    ctx.begin_path();
    ctx.rect(label_width, AXIS_HEIGHT, width - label_width, height - AXIS_HEIGHT);
    ctx.clip();
    if detail.is_some() {
        let selected = view.selected.as_deref();
        let part = (top, top + shown);
        draw_marks(&ctx, &marks, &stack, part, (selected, more), &colours, &mut drawn.labels, &mut drawn.counts);
    } else {
        draw_clusters(&ctx, &clusters, lane_keys, view.lanes, &mut drawn.counts, &mut drawn.clusters);
    }
    ctx.restore();
    ctx.restore();
    // Only a page of our own gets the mark; an embedded widget writes nothing on the host's
    // window (its canvas then lives in a shadow root, not in the document).
    if canvas.get_root_node().has_type::<web_sys::Document>() {
        mark_first_paint(detail.as_ref().map_or(DETAIL_LIMIT + 1, Vec::len));
    }
    drawn.marks = marks;
    drawn.more = stack.more;
    drawn.spots = stack.labels;
    drawn.rows = stack.lanes;
    drawn.ticks = ticks;
    drawn.axis = axis;
    drawn.scale = Some(scale);
    drawn.column = Some(column);
    if canvas.has_attribute("data-test") {
        let _ =
            canvas.set_attribute("data-drawn", &describe(drawn, canvas, lane_labels, view.selected.as_deref(), more));
    }
    kept || height > needed
}

/// What was drawn last, as JSON: the canvas' size, the lanes (names, rows), the gridlines, the axis labels as drawn,
/// each mark's lane, row, extent, shape, colour and label as drawn, and the counted clusters.
/// For tests, on request (a `data-test` attribute on the canvas, written as `data-drawn`: a
/// canvas has no DOM to query), and for a picture of the timeline, which the visuals module
/// draws from it (see `picture`).
fn describe(
    drawn: &mut Drawn,
    canvas: &HtmlCanvasElement,
    lanes: &[String],
    selected: Option<&str>,
    focus: Option<MoreFocus>,
) -> String {
    // Written by hand: a JSON value type costs the bundle kilobytes for a test's hook.
    let text = |t: &str| serde_json::to_string(t).unwrap_or_default();
    let list = |items: Vec<String>| format!("[{}]", items.join(","));
    let (Some(scale), Some(ctx)) = (drawn.scale, drawn.context.clone()) else { return String::new() };
    let Drawn {
        marks, spots, more, clusters, rows, ticks, axis, labels, colours, height, column, lanes: widths, ..
    } = drawn;
    ctx.set_font(LANE_FONT);
    let names = column.as_ref().map_or_else(
        || "[]".to_owned(),
        |c| {
            let line = |(lane, y, t): (usize, f64, &str)| {
                format!("[{lane},{},{},{}]", decimal(y), decimal(widths.width(&ctx, t)), text(t))
            };
            list(name_lines(c, rows).into_iter().map(line).collect())
        },
    );
    ctx.set_font(LABEL_FONT);
    let marks = marks
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let label = spots.iter().find(|l| l.mark == i).map_or("null".to_owned(), |l| {
                let shown = text(&fitted(labels, &ctx, m.title(), l.room).0);
                format!(r#"{{"x":{},"room":{},"inside":{},"text":{shown}}}"#, decimal(l.x), decimal(l.room), l.inside)
            });
            let (x1, x2) = m.extent();
            format!(
                r#"{{"id":{},"lane":{},"row":{},"x1":{},"x2":{},"y":{},"shape":{},"colour":"{}","disputed":{},"selected":{},"label":{label}}}"#,
                text(m.id()),
                m.lane,
                m.row,
                decimal(x1),
                decimal(x2),
                decimal(m.y),
                m.shape as u8,
                kind_colour(m.kind),
                m.disputed,
                selected == Some(m.id()),
            )
        })
        .collect();
    let more = more
        .iter()
        .map(|c| {
            let focused = is_focused(c, focus);
            format!(
                r#"{{"lane":{},"x1":{},"x2":{},"at":{},"y":{},"count":{},"focused":{focused}}}"#,
                c.lane,
                decimal(c.x1),
                decimal(c.x2),
                decimal(c.at),
                decimal(c.y),
                c.count
            )
        })
        .collect();
    let clusters = list(
        clusters
            .iter()
            .map(|(x1, x2, y, h, colour, n)| {
                format!(r#"[{},{},{},{},"{colour}",{n}]"#, decimal(*x1), decimal(*x2), decimal(*y), decimal(*h))
            })
            .collect(),
    );
    let c = colours.at(canvas);
    let colours = list([&c.paper, &c.band, &c.ink, &c.muted, &c.rule, &c.accent].map(|c| text(c)).to_vec());
    let ticks = list(ticks.iter().map(|(x, l)| format!("[{},{}]", decimal(*x), text(l))).collect());
    let axis = list(
        axis.iter()
            .map(|(x, w, t)| format!(r#"{{"x":{},"width":{},"text":{}}}"#, decimal(*x), decimal(*w), text(t)))
            .collect(),
    );
    let tops =
        list((0..lanes.len()).map(|i| format!("[{},{}]", decimal(rows.top(i)), decimal(rows.height(i)))).collect());
    let lanes = list(lanes.iter().map(|l| text(l)).collect());
    format!(
        r#"{{"width":{},"height":{},"left":{},"axis_height":{},"axis":{axis},"dot":{},"colours":{colours},"lanes":{lanes},"names":{names},"rows":{tops},"ticks":{ticks},"marks":{},"more":{},"clusters":{clusters}}}"#,
        decimal(scale.left + scale.width + 8.0),
        decimal(*height),
        decimal(scale.left),
        decimal(AXIS_HEIGHT),
        decimal(geometry::DOT_RADIUS),
        list(marks),
        list(more)
    )
}

/// Records, once, when the timeline first painted events (`window.__annalsFirstPaint`, in
/// `performance.now()` milliseconds), for the benchmark and end-to-end tests.
fn mark_first_paint(events: usize) {
    let Some(w) = web_sys::window() else { return };
    let key = wasm_bindgen::JsValue::from_str("__annalsFirstPaint");
    if events == 0 || web_sys::js_sys::Reflect::has(&w, &key).unwrap_or(true) {
        return;
    }
    let now = w.performance().map_or(0.0, |p| p.now());
    let _ = web_sys::js_sys::Reflect::set(&w, &key, &wasm_bindgen::JsValue::from_f64(now));
}

/// Clusters counted from the filtered events in the window (what the level-of-detail index
/// cannot count: a text or actor filter, lanes other than by kind). The events come in order
/// of their first day, so each lane's buckets come in order too: a lane's count goes on in its
/// last cluster or opens the next. (No map of buckets: a map type of its own cost the bundle
/// more than this.)
fn count_clusters(
    in_window: &[usize],
    timeline: &Timeline,
    scale: &Scale,
    level: annals_core::projection::Level,
    lanes_of: &dyn Fn(&annals_core::catalog::Resolved) -> Vec<usize>,
) -> Vec<Cluster> {
    let mut out: Vec<Cluster> = Vec::new();
    // Per lane: its open bucket and that cluster's place in `out`.
    let mut open: Vec<Option<(i64, usize)>> = Vec::new();
    for r in in_window.iter().filter_map(|i| timeline.at(*i)) {
        let bucket = level.bucket(r.event.occurred.first_day());
        for lane in lanes_of(r) {
            if lane >= open.len() {
                open.resize(lane + 1, None);
            }
            match open[lane] {
                Some((b, at)) if b == bucket => out[at].count += 1,
                _ => {
                    let (s, e) = level.span(bucket);
                    open[lane] = Some((bucket, out.len()));
                    out.push(Cluster {
                        lane,
                        x1: scale.x(s as f64),
                        x2: scale.x((e + 1) as f64),
                        count: 1,
                        uncertain: 0,
                    });
                }
            }
        }
    }
    out
}

/// Draws counted clusters: bars first, one fill style per lane, then every count in one font.
/// (Setting a font is parsed by the canvas each time; zoomed out, hundreds of clusters are
/// drawn per frame.)
fn draw_clusters(
    ctx: &CanvasRenderingContext2d,
    clusters: &[Cluster],
    lane_keys: &[String],
    mode: LaneMode,
    counts: &mut TextWidths,
    drawn: &mut Vec<(f64, f64, f64, f64, &'static str, u32)>,
) {
    let colour = |lane: usize| match mode {
        LaneMode::Kind => lane_keys.get(lane).and_then(|k| k.parse::<EventKind>().ok()).map_or("#6B6B6B", kind_colour),
        _ => "#4a5560",
    };
    let height = |c: &Cluster| (6.0 + (f64::from(c.count)).ln_1p() * 4.0).min(LANE_HEIGHT - 6.0);
    let mut order: Vec<&Cluster> = clusters.iter().collect();
    annals_core::order::sort_by_key(&mut order, |c| c.lane);
    ctx.set_global_alpha(0.75);
    for lane in order.chunk_by(|a, b| a.lane == b.lane) {
        ctx.set_fill_style_str(colour(lane[0].lane));
        let y = geometry::lane_y(lane[0].lane);
        for c in lane {
            let h = height(c);
            ctx.fill_rect(c.x1 + 0.5, y - h / 2.0, (c.x2 - c.x1 - 1.0).max(1.0), h);
            drawn.push((c.x1, c.x2, y, h, colour(c.lane), c.count));
        }
    }
    ctx.set_global_alpha(1.0);
    ctx.set_fill_style_str("#ffffff");
    ctx.set_font("bold 11px system-ui, sans-serif");
    ctx.set_text_align("center");
    // A count only where it fits inside its bar (a decade of 13,279 events is wider than the
    // bar on a phone).
    for c in order.iter().filter(|c| c.x2 - c.x1 > 24.0) {
        let count = c.count.to_string();
        let w = counts.width(ctx, &count);
        if w + 4.0 <= c.x2 - c.x1 {
            let _ = ctx.fill_text(&count, (c.x1 + c.x2) / 2.0, geometry::lane_y(c.lane));
        }
    }
    ctx.set_text_align("start");
}

/// Draws marks, then their labels and the counted clusters.
///
/// *Why in passes:* every change of fill style or font is parsed by the canvas and every
/// `fill()` rasterizes a path, so a thousand marks drawn one by one cost a thousand of each.
/// Dots and bars of one colour share a path and a fill; labels share one font. Where marks and
/// labels go is [`geometry::stack`]: each in a row of its lane, never over another.
#[allow(clippy::too_many_arguments)]
fn draw_marks(
    ctx: &CanvasRenderingContext2d,
    marks: &[Mark],
    stack: &geometry::Stack,
    (above, below): (f64, f64),
    (selected, focus): (Option<&str>, Option<MoreFocus>),
    colours: &Colours,
    labels: &mut TextWidths,
    counts: &mut TextWidths,
) {
    // Only what is in the part of the lanes the canvas holds (`slice`): a label outside it is a
    // call into the text shaper for nothing.
    let seen = |y: f64| y + geometry::ROW_HEIGHT >= above && y - geometry::ROW_HEIGHT <= below;
    let mut order: Vec<&Mark> = marks.iter().filter(|m| seen(m.y)).collect();
    annals_core::order::sort_by_key(&mut order, |m| (m.shape != Shape::Uncertain, m.kind.index()));
    let uncertain = order.partition_point(|m| m.shape == Shape::Uncertain);

    // Pale spans, each with its dashed outline, one fill style per kind.
    let _ = ctx.set_line_dash(&js_dash(&[4.0, 3.0]));
    for group in order[..uncertain].chunk_by(|a, b| a.kind == b.kind) {
        let colour = kind_colour(group[0].kind);
        ctx.set_fill_style_str(colour);
        ctx.set_global_alpha(0.18);
        for m in group {
            ctx.fill_rect(m.x1, m.y - 9.0, (m.x2 - m.x1).max(4.0), 18.0);
        }
        ctx.set_global_alpha(1.0);
        ctx.set_stroke_style_str(colour);
        for m in group {
            ctx.stroke_rect(m.x1 + 0.5, m.y - 8.5, (m.x2 - m.x1 - 1.0).max(3.0), 17.0);
        }
    }
    let _ = ctx.set_line_dash(&js_dash(&[]));
    // Dots and bars, one path per kind (the order is by kind). A bar is tall enough to carry
    // its label.
    for group in order[uncertain..].chunk_by(|a, b| a.kind == b.kind) {
        ctx.set_fill_style_str(kind_colour(group[0].kind));
        ctx.begin_path();
        for m in group {
            match m.shape {
                Shape::Point => {
                    let cx = (m.x1 + m.x2) / 2.0;
                    ctx.move_to(cx + geometry::DOT_RADIUS, m.y);
                    let _ = ctx.arc(cx, m.y, geometry::DOT_RADIUS, 0.0, std::f64::consts::TAU);
                }
                _ => ctx.rect(m.x1, m.y - 8.0, (m.x2 - m.x1).max(6.0), 16.0),
            }
        }
        ctx.fill();
    }
    // Disputes and the selection.
    // (Fonts only when needed: each assignment is parsed by the canvas, ~0.2 ms; the axis
    // left the label font set.)
    if order.iter().any(|m| m.disputed) {
        ctx.set_fill_style_str(&colours.accent);
        ctx.set_font("bold 11px system-ui, sans-serif");
        for m in order.iter().filter(|m| m.disputed) {
            let _ = ctx.fill_text("?", m.extent().1 + 1.0, m.y - 9.0);
        }
        ctx.set_font(LABEL_FONT);
    }
    if let Some(m) = order.iter().find(|m| selected == Some(m.id())) {
        ctx.set_stroke_style_str(&colours.ink);
        ctx.set_line_width(2.0);
        let (x1, x2) = m.extent();
        ctx.stroke_rect(x1 - 3.0, m.y - 11.0, x2 - x1 + 6.0, 22.0);
        ctx.set_line_width(1.0);
    }
    // Labels (measured when stacked), shortened to their room; a bar's own label in white.
    for inside_bar in [false, true] {
        ctx.set_fill_style_str(if inside_bar { "#ffffff" } else { &colours.ink });
        for spot in stack
            .labels
            .iter()
            .filter(|l| seen(marks[l.mark].y) && (l.inside && marks[l.mark].shape == Shape::Bar) == inside_bar)
        {
            let m = &marks[spot.mark];
            let (text, _) = fitted(labels, ctx, m.title(), spot.room);
            let y = m.y + if m.shape == Shape::Uncertain { 0.0 } else { 0.5 };
            let _ = ctx.fill_text(&text, spot.x, y);
        }
    }
    // Counted clusters: a badge "+12" where the events are that found no row.
    if !stack.more.is_empty() {
        ctx.set_font("bold 11px system-ui, sans-serif");
        for c in stack.more.iter().filter(|c| seen(c.y)) {
            let (x1, x2) = c.extent();
            ctx.set_fill_style_str(&colours.muted);
            ctx.fill_rect(c.x1, c.y - 2.0, (c.x2 - c.x1).max(1.0), 4.0);
            ctx.fill_rect(x1, c.y - 8.0, x2 - x1, 16.0);
            ctx.set_fill_style_str(&colours.paper);
            let label = c.label();
            let (text, _) = fitted(counts, ctx, &label, geometry::MORE_WIDTH - 4.0);
            let _ = ctx.fill_text(&text, x1 + 4.0, c.y + 0.5);
        }
        // The cluster the keyboard is on, ringed as a selected mark is.
        if let Some(c) = stack.more.iter().find(|c| is_focused(c, focus)) {
            let (x1, x2) = c.extent();
            ctx.set_stroke_style_str(&colours.ink);
            ctx.set_line_width(2.0);
            ctx.stroke_rect(x1 - 3.0, c.y - 11.0, x2 - x1 + 6.0, 22.0);
            ctx.set_line_width(1.0);
        }
        ctx.set_font(LABEL_FONT);
    }
}

/// Widths of text in one font, from the advance of each character, each character measured
/// once (`measureText` is a call into the browser's text shaper).
///
/// *Why not measure each title:* a zoom gives every label a new room each frame, and
/// shortening a title to its room by measuring cost two to four `measureText` calls per label
/// and frame — at a thousand marks in view, more than the stacking itself. Summed advances
/// leave out kerning, which only narrows text: for every title of the default record the
/// shaped width was at most the sum (measured in Chromium), so a label placed by the sum stays
/// inside its room. (The canvas' `maxWidth` argument would guarantee it, but it has the
/// browser measure the text again on every draw.)
struct TextWidths {
    /// Advances of ASCII characters (NaN: not measured yet).
    ascii: [f64; 128],
    /// Advances of the others (few in a record, so a list: a map of its own would cost the
    /// bundle more than a search costs here).
    other: Vec<(char, f64)>,
    /// The width of "…".
    ellipsis: f64,
}

impl Default for TextWidths {
    fn default() -> TextWidths {
        TextWidths { ascii: [f64::NAN; 128], other: Vec::new(), ellipsis: f64::NAN }
    }
}

impl TextWidths {
    /// The advance of a character, measured the first time it is asked for.
    fn advance(&mut self, ctx: &CanvasRenderingContext2d, c: char) -> f64 {
        let measure = |c: char| ctx.measure_text(c.encode_utf8(&mut [0; 4])).map_or(8.0, |m| m.width());
        match self.ascii.get_mut(c as usize) {
            Some(w) if w.is_nan() => {
                *w = measure(c);
                *w
            }
            Some(w) => *w,
            None => match self.other.iter().find(|(o, _)| *o == c) {
                Some((_, w)) => *w,
                None => {
                    let w = measure(c);
                    self.other.push((c, w));
                    w
                }
            },
        }
    }

    /// How wide `text` is.
    fn width(&mut self, ctx: &CanvasRenderingContext2d, text: &str) -> f64 {
        text.chars().map(|c| self.advance(ctx, c)).sum()
    }
}

/// `text` as drawn in at most `max` pixels: whole when it fits, else cut and ended with "…"
/// (or nothing, when not even "…" fits), and its width.
fn fitted<'a>(widths: &mut TextWidths, ctx: &CanvasRenderingContext2d, text: &'a str, max: f64) -> (Cow<'a, str>, f64) {
    let whole = widths.width(ctx, text);
    if whole <= max {
        return (Cow::Borrowed(text), whole);
    }
    if widths.ellipsis.is_nan() {
        widths.ellipsis = ctx.measure_text("…").map_or(12.0, |m| m.width());
    }
    let room = max - widths.ellipsis;
    let mut used = 0.0;
    let mut cut = 0;
    for (at, c) in text.char_indices() {
        let w = widths.advance(ctx, c);
        if used + w > room {
            break;
        }
        used += w;
        cut = at + c.len_utf8();
    }
    if room < 0.0 {
        return (Cow::Borrowed(""), 0.0);
    }
    (Cow::Owned(format!("{}…", text[..cut].trim_end())), used + widths.ellipsis)
}

fn js_dash(values: &[f64]) -> wasm_bindgen::JsValue {
    let array = js_sys_array(values);
    array.into()
}

fn js_sys_array(values: &[f64]) -> web_sys::js_sys::Array {
    values.iter().map(|v| wasm_bindgen::JsValue::from_f64(*v)).collect()
}
