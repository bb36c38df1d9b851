//! The relation map's layout and drawing: core's deterministic layout of the all-time graph,
//! the drawing fitted to the canvas, node sizes, the labels placed where they cover nothing
//! ([`crate::placement`]), and the canvas paint.
//!
//! *Why here and not on the page:* the layout, the label placement and the paint were 8 KB
//! of the gzipped page bundle, needed only by readers who open the map. What crosses is a
//! [`MapPlan`] as JSON, with the colours and the graph views resolved on the page, where the
//! record is.
//!
//! The all-time graph is sent once per record (`all`) and kept here with its layout, so a
//! replay step sends only what it changes the drawing of: the graph as of the slider's year.
//! The canvas' own input is handled here too (`live`): a drag pans, the wheel or a two-finger
//! pinch zooms (redrawn here, no round trip through the page; on a phone the pinch is how a
//! dense map is read closer), a click or the keyboard ([`crate::keys`])
//! moves the focus and chooses an actor. The page hears what it must act on as events on the
//! canvas: `mapfocus` (the focused actor's id, for its announcement), `mapchoose` (an actor
//! chosen: its relations) and `mapback` (back to all actors). *Why:* the pointer and the keys
//! act on the nodes as drawn, which exist only once this module has drawn them; on the page
//! they were 2–3 KB of the gzipped bundle.

use std::cell::RefCell;
use std::collections::HashMap;

use annals_core::projection::{layout_in, Edge, GraphView, Node};
use annals_core::PerKind;
use serde::Deserialize;

use crate::placement::{crowding, fit, place_labels, separate, sort_indices, Disc, Rect};

/// The all-time graph, the layout's input: nodes as (id, activity) in the page's order (by
/// id), edges as (index, index, shared events).
#[derive(Debug, Clone, Deserialize)]
pub struct AllGraph {
    /// The nodes.
    pub nodes: Vec<(String, u32)>,
    /// The edges.
    pub edges: Vec<(usize, usize, u32)>,
}

/// What to draw.
#[derive(Debug, Clone, Deserialize)]
pub struct MapPlan {
    /// Which record the graph is of: `all` comes with a new key only.
    pub key: u64,
    /// The all-time graph, when the page has not sent it for this key yet.
    #[serde(default)]
    pub all: Option<AllGraph>,
    /// The canvas' size in CSS pixels (the page sizes it) and the device pixel ratio.
    pub width: f64,
    /// Height in CSS pixels.
    pub height: f64,
    /// Device pixels per CSS pixel.
    pub ratio: f64,
    /// The graph as of the slider's year: (id, label, activity, colour).
    pub nodes: Vec<(String, String, u32, String)>,
    /// Its edges: (a, b, shared events, colour of their most common kind).
    pub edges: Vec<(String, String, u32, String)>,
    /// The ego actor.
    #[serde(default)]
    pub ego: Option<String>,
    /// The ego actor's relations of all time, which its view is fitted to.
    #[serde(default)]
    pub ego_nodes: Option<Vec<String>>,
    /// The focused actor (only while the canvas has the focus; the focus is this module's, see
    /// `live`).
    #[serde(default)]
    pub focused: Option<String>,
    /// The node under the pointer (this module's, see `live`; the page never sends it).
    #[serde(default)]
    pub hovered: Option<String>,
    /// The selected event's actors.
    #[serde(default)]
    pub highlight: Vec<String>,
    /// The year the map shows, in the page's words ("As of 2015"), for its picture.
    #[serde(default)]
    pub as_of: String,
    /// Pan (x, y) and zoom (this module's, see `live`: a drag or the wheel changes it).
    #[serde(default)]
    pub transform: (f64, f64, f64),
    /// Whether the map is in someone else's page (a widget), where the plain wheel scrolls
    /// that page and only Ctrl/⌘ + wheel (a trackpad pinch) zooms.
    #[serde(default)]
    pub embedded: bool,
    /// The page's colours.
    pub paper: String,
    /// Rings and emphasised edges.
    pub accent: String,
    /// Labels.
    pub ink: String,
    /// Leader lines.
    pub muted: String,
}

/// A node as drawn: id, position on the canvas (CSS pixels) and radius.
#[derive(Debug, Clone, PartialEq)]
pub struct Dot {
    /// Actor id.
    pub id: String,
    /// Centre.
    pub x: f64,
    /// Centre.
    pub y: f64,
    /// Radius.
    pub r: f64,
}

/// Label font and the height of a label's box.
pub const FONT: &str = "12px system-ui, sans-serif";
const LABEL_HEIGHT: f64 = 15.0;
/// At most this many labels are tried per paint (most important first), so a record of
/// thousands of actors stays quick to draw.
const MAX_LABELS: usize = 250;
/// At most this many labels are asked for (see `place`), the focused node's among them.
const MUST_LABELS: usize = 12;
/// The smallest radius a crowded drawing shrinks a node to (see [`crowding`]).
const SMALLEST: f64 = 3.0;

/// Radius of a node: 4 px plus up to `16 × size` px by the square root of its share of the
/// busiest actor's activity (all time), so one very busy actor cannot cover the map.
pub fn radius(activity: u32, busiest: u32, size: f64) -> f64 {
    4.0 + 16.0 * size * (f64::from(activity) / f64::from(busiest.max(1))).min(1.0).sqrt()
}

/// A point in canvas pixels (or in the layout's box).
pub type Point = (f64, f64);
/// A layout for one box shape: the shape's key, positions by actor id and in node order.
type Shaped = (i32, HashMap<String, Point>, Vec<Point>);
/// An edge to draw: from, to, shared events, colour, emphasised.
pub type Line = (Point, Point, u32, String, bool);
/// A label to draw: its node's index (in drawing order), text, box, leader line.
pub type Label = (usize, String, Rect, Option<(Point, Point)>);

/// The all-time graph of the current record and its layout for one box shape.
struct Kept {
    key: u64,
    graph: GraphView,
    busiest: u32,
    layout: Option<Shaped>,
}

thread_local! {
    static KEPT: RefCell<Option<Kept>> = const { RefCell::new(None) };
    /// The plan drawn last (without the all-time graph, which is kept): what a picture of the
    /// map shows.
    pub static LAST_PLAN: RefCell<Option<MapPlan>> = const { RefCell::new(None) };
}

/// The all-time graph as core's view, for [`layout_in`] (labels and kinds do not move nodes).
pub fn graph(all: AllGraph) -> GraphView {
    let nodes: Vec<Node> = all
        .nodes
        .into_iter()
        .map(|(id, activity)| Node { id: id.into(), label: String::new(), kind: None, activity })
        .collect();
    let edges = all
        .edges
        .into_iter()
        .filter(|(a, b, _)| *a < nodes.len() && *b < nodes.len())
        .map(|(a, b, weight)| {
            let mut by_kind = PerKind::default();
            by_kind[0] = weight;
            Edge { a: nodes[a].id.clone(), b: nodes[b].id.clone(), by_kind }
        })
        .collect();
    GraphView { nodes, edges }
}

/// What the paint decided, before any pixel is drawn: node positions, the emphasised edges,
/// the labels' spots. Split from the paint so it is tested natively.
pub struct Scene {
    /// Nodes in drawing order (small under big), with their colours.
    pub dots: Vec<(Dot, String)>,
    /// Edges as (from, to, width, colour, emphasised), plain ones first.
    pub lines: Vec<Line>,
    /// Labels: node index, text, box, leader line.
    pub labels: Vec<Label>,
    /// The emphasised edges' ends, for `data-highlight`.
    pub emphasised: Vec<String>,
    /// The plain edges' thinning and opacity ([`edge_ink`]).
    pub edge_ink: (f64, f64),
}

/// Lays out (once per record and box shape) and places everything of `plan`; `measure` gives
/// a label's width in pixels.
pub fn scene(plan: &mut MapPlan, measure: &dyn Fn(&str) -> f64) -> Result<Scene, String> {
    KEPT.with(|kept| {
        let mut kept = kept.borrow_mut();
        if let Some(all) = plan.all.take() {
            let graph = graph(all);
            let busiest = graph.nodes.iter().map(|n| n.activity).max().unwrap_or(1);
            *kept = Some(Kept { key: plan.key, graph, busiest, layout: None });
        }
        let Some(kept) = kept.as_mut().filter(|k| k.key == plan.key) else {
            return Err("the map's graph was not sent with its first drawing".to_owned());
        };
        Ok(place(plan, kept, measure))
    })
}

fn place(s: &MapPlan, kept: &mut Kept, measure: &dyn Fn(&str) -> f64) -> Scene {
    let (width, height) = (s.width, s.height);
    // Nodes are smaller on a small canvas. Room around the drawing: the biggest node, plus a
    // little of a label's width sideways and a label's height above and below (a label at the
    // edge goes inwards, or out on a leader line).
    let size = (width / 800.0).clamp(0.6, 1.0);
    let biggest = 4.0 + 16.0 * size;
    let margin = (biggest + 4.0 + (width * 0.06).min(60.0), biggest + 4.0 + LABEL_HEIGHT);
    let aspect = (width - 2.0 * margin.0) / (height - 2.0 * margin.1).max(1.0);
    let shape = (aspect * 4.0).round() as i32;
    if kept.layout.as_ref().is_none_or(|l| l.0 != shape) {
        let pos = layout_in(&kept.graph, 300, f64::from(shape) / 4.0);
        let positions = kept.graph.nodes.iter().map(|n| n.id.as_str().to_owned()).zip(pos.iter().copied()).collect();
        kept.layout = Some((shape, positions, pos));
    }
    let Some((_, positions, points)) = kept.layout.as_ref() else {
        return Scene {
            dots: Vec::new(),
            lines: Vec::new(),
            labels: Vec::new(),
            emphasised: Vec::new(),
            edge_ink: (1.0, 0.55),
        };
    };
    // The ego view is fitted to the actor's relations of all time (so replay does not move
    // them either); the whole map to every actor.
    let fitted = match &s.ego_nodes {
        Some(ids) => {
            let points: Vec<(f64, f64)> = ids.iter().filter_map(|id| positions.get(id).copied()).collect();
            fit(&points, width, height, margin)
        }
        None => fit(points, width, height, margin),
    };
    let (ox, oy, zoom) = s.transform;
    let to_screen = |p: (f64, f64)| {
        let (x, y) = fitted.at(p);
        (width / 2.0 + ox + (x - width / 2.0) * zoom, height / 2.0 + oy + (y - height / 2.0) * zoom)
    };
    // Sized and parted for the actors of all time (the ego view's relations of all time), not
    // the year's: replaying through time neither shrinks nor moves the nodes drawn.
    // (A map of the same type as `label_of`'s below: one copy of its code in the module.)
    let ego_set: Option<HashMap<&str, &str>> =
        s.ego_nodes.as_ref().map(|ids| ids.iter().map(|id| (id.as_str(), id.as_str())).collect());
    let everyone: Vec<(&str, u32)> = kept
        .graph
        .nodes
        .iter()
        .map(|n| (n.id.as_str(), n.activity))
        .filter(|(id, _)| ego_set.as_ref().is_none_or(|e| e.contains_key(id)))
        .collect();
    let mut discs: Vec<Disc> = everyone
        .iter()
        .map(|&(id, activity)| {
            let (x, y) = to_screen(positions.get(id).copied().unwrap_or((0.0, 0.0)));
            Disc { x, y, r: radius(activity, kept.busiest, size) }
        })
        .collect();
    // (Zooming in spreads the drawing over more than the canvas: nodes grow back.)
    let share = crowding(&discs, width * height * zoom * zoom);
    let shrunk = |r: f64| (r * share).max(SMALLEST.min(r));
    for d in &mut discs {
        d.r = shrunk(d.r);
    }
    separate(&mut discs);
    // The year's nodes where the layout puts them, then (overriding) where they were parted to.
    let at: HashMap<&str, (f64, f64)> = s
        .nodes
        .iter()
        .map(|n| (n.0.as_str(), to_screen(positions.get(n.0.as_str()).copied().unwrap_or((0.0, 0.0)))))
        .chain(everyone.iter().zip(&discs).map(|(&(id, _), d)| (id, (d.x, d.y))))
        .collect();
    let lit = |id: &str| s.highlight.iter().any(|h| h == id);

    // Edges, the selected event's last (over the others).
    let mut lines = Vec::new();
    let mut emphasised = Vec::new();
    for (a_id, b_id, weight, colour) in &s.edges {
        let (Some(a), Some(b)) = (at.get(a_id.as_str()), at.get(b_id.as_str())) else { continue };
        let strong = lit(a_id) && lit(b_id);
        if strong {
            emphasised.push(format!("{a_id} {b_id}"));
        }
        lines.push((*a, *b, *weight, colour.clone(), strong));
    }
    lines.sort_by_key(|l| l.4);
    let edge_ink = edge_ink(&lines, width * height, zoom);

    // Nodes, small under big.
    let mut order: Vec<usize> = (0..s.nodes.len()).collect();
    let radii: Vec<f64> = s.nodes.iter().map(|n| shrunk(radius(n.2, kept.busiest, size))).collect();
    sort_indices(&mut order, &|a, b| radii[a].total_cmp(&radii[b]));
    let dots: Vec<(Dot, String)> = order
        .into_iter()
        .map(|i| {
            let n = &s.nodes[i];
            let (x, y) = at.get(n.0.as_str()).copied().unwrap_or((0.0, 0.0));
            (Dot { id: n.0.clone(), x, y, r: radii[i] }, n.3.clone())
        })
        .collect();

    // Labels: the ego actor, the focused, the pointed-at and the selected event's first, then
    // by size (activity).
    // A node's rings are part of it: no label goes over them either.
    let focused = s.focused.as_deref();
    let hovered = s.hovered.as_deref();
    let ego = s.ego.as_deref();
    let discs: Vec<Disc> = dots
        .iter()
        .map(|(d, _)| {
            let id = d.id.as_str();
            let ring = if focused == Some(id) {
                10.0
            } else if ego == Some(id) || lit(id) {
                5.0
            } else {
                0.0
            };
            Disc { x: d.x, y: d.y, r: d.r + ring }
        })
        .collect();
    let label_of: HashMap<&str, &str> = s.nodes.iter().map(|n| (n.0.as_str(), n.1.as_str())).collect();
    // A node panned or zoomed off the canvas is not named at its edge (unless it has the focus:
    // the keys may walk to it).
    let on_canvas = |d: &Dot| (0.0..=width).contains(&d.x) && (0.0..=height).contains(&d.y);
    let mut wanted: Vec<usize> =
        (0..dots.len()).filter(|&i| on_canvas(&dots[i].0) || focused == Some(dots[i].0.id.as_str())).collect();
    let rank = |d: &Dot| {
        let id = d.id.as_str();
        (ego != Some(id), focused != Some(id), hovered != Some(id), !lit(id))
    };
    sort_indices(&mut wanted, &|a, b| {
        rank(&dots[a].0).cmp(&rank(&dots[b].0)).then(dots[b].0.r.total_cmp(&dots[a].0.r))
    });
    wanted.truncate(MAX_LABELS);
    // The labels a reader asked for: the ego actor's, the focused and the pointed-at node's, the
    // selected event's actors' (a dozen at most: a summit's forty are named as room allows).
    let must = wanted.iter().take_while(|&&i| rank(&dots[i].0) < (true, true, true, true)).count().min(MUST_LABELS);
    let longest = if width < 560.0 { 20 } else { 32 };
    let texts: Vec<String> =
        wanted.iter().map(|&i| short(label_of.get(dots[i].0.id.as_str()).copied().unwrap_or(""), longest)).collect();
    let sized: Vec<(usize, (f64, f64))> =
        wanted.iter().zip(&texts).map(|(&i, t)| (i, (measure(t) + 4.0, LABEL_HEIGHT))).collect();
    let spots = place_labels(&discs, &sized, must, Rect { x: 0.0, y: 0.0, w: width, h: height });
    let labels = wanted
        .iter()
        .zip(texts)
        .zip(&spots)
        .filter_map(|((&i, text), spot)| spot.map(|spot| (i, text, spot.rect, spot.leader)))
        .collect();
    Scene { dots, lines, labels, emphasised, edge_ink }
}

/// The least and the most zoom (a wheel, a pinch).
const ZOOM: (f64, f64) = (0.4, 8.0);

/// The pan and zoom `t` (see [`MapPlan::transform`]) of a `size` canvas zoomed `by` times
/// (within [`ZOOM`]) about the canvas point `at`, which stays where it is: what is under the
/// fingers of a pinch stays under them.
pub fn zoom_about(t: (f64, f64, f64), size: (f64, f64), at: Point, by: f64) -> (f64, f64, f64) {
    let zoom = (t.2 * by).clamp(ZOOM.0, ZOOM.1);
    let k = zoom / t.2;
    // A canvas point is centre + pan + (drawing − centre) · zoom; keep `at`'s drawing point.
    let (cx, cy) = (size.0 / 2.0, size.1 / 2.0);
    (at.0 - cx - (at.0 - cx - t.0) * k, at.1 - cy - (at.1 - cy - t.1) * k, zoom)
}

/// How much of the canvas the plain edges may cover (their length times their width, over its
/// area) before they are drawn thinner and lighter.
const EDGE_COVER: f64 = 0.15;

/// The plain edges' thinning (a factor of their width) and opacity. Up to [`EDGE_COVER`] of
/// the canvas they are drawn as always (1 + 1.4·√shared px at 0.55); beyond it both shrink with
/// the square root of the excess (the width) and its fourth root (the opacity), no lower than a
/// tenth and 0.12, so a few edges look as they did and a record whose forty actors are all
/// linked shows its nodes through a veil of fine lines. `zoom` divides the lengths: zooming in
/// does not thin them.
pub fn edge_ink(lines: &[Line], area: f64, zoom: f64) -> (f64, f64) {
    let ink: f64 = lines
        .iter()
        .filter(|l| !l.4)
        .map(|(a, b, weight, _, _)| (a.0 - b.0).hypot(a.1 - b.1) / zoom * (1.0 + 1.4 * f64::from(*weight).sqrt()))
        .sum();
    // Below 1 by as much as the edges would ink more than their share.
    let room = EDGE_COVER * area.max(1.0) / ink.max(1e-9);
    if room >= 1.0 {
        (1.0, 0.55)
    } else {
        (room.sqrt().max(0.1), (0.55 * room.sqrt().sqrt()).max(0.12))
    }
}

impl Scene {
    /// A plain edge's stroke width and opacity (lighter while an event's edges are emphasised).
    pub fn plain_edge(&self, weight: u32, emphasis: bool) -> (f64, f64) {
        let width = (1.0 + 1.4 * f64::from(weight).sqrt()) * self.edge_ink.0;
        (width, if emphasis { self.edge_ink.1 * 0.3 / 0.55 } else { self.edge_ink.1 })
    }
}

/// A label of at most `longest` characters (shortened with "…").
fn short(label: &str, longest: usize) -> String {
    if label.chars().count() > longest {
        label.chars().take(longest - 1).collect::<String>() + "…"
    } else {
        label.to_owned()
    }
}

/// Rounded to a whole pixel, for the data attributes (labels keep 1.5 px clear of everything).
pub fn px(v: f64) -> i64 {
    v.round() as i64
}

/// What was drawn, for the browser tests, in whole pixels (ids hold no bars in practice;
/// they are the first field, so a test can still split on the last numbers): `data-nodes`,
/// `data-labels`, `data-highlight`.
pub fn attributes(scene: &Scene) -> [String; 3] {
    let nodes: Vec<String> =
        scene.dots.iter().map(|(d, _)| format!("{} {} {} {}", d.id, px(d.x), px(d.y), px(d.r))).collect();
    let labels: Vec<String> = scene
        .labels
        .iter()
        .map(|(i, _, r, leader)| {
            let leader = if leader.is_some() { " leader" } else { "" };
            format!("{} {} {} {} {}{leader}", scene.dots[*i].0.id, px(r.x), px(r.y), px(r.w), px(r.h))
        })
        .collect();
    [nodes.join("|"), labels.join("|"), scene.emphasised.join("|")]
}

#[cfg(target_arch = "wasm32")]
pub(crate) mod paint {
    //! The pixels: what [`super::scene`] decided, drawn on the canvas.
    use wasm_bindgen::{JsCast, JsValue};
    use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

    use super::{attributes, scene, Dot, MapPlan, FONT};

    fn line(ctx: &CanvasRenderingContext2d, a: (f64, f64), b: (f64, f64)) {
        ctx.begin_path();
        ctx.move_to(a.0, a.1);
        ctx.line_to(b.0, b.1);
        ctx.stroke();
    }

    fn ring(ctx: &CanvasRenderingContext2d, x: f64, y: f64, r: f64, colour: &str, width: f64) {
        ctx.begin_path();
        let _ = ctx.arc(x, y, r, 0.0, std::f64::consts::TAU);
        ctx.set_stroke_style_str(colour);
        ctx.set_line_width(width);
        ctx.stroke();
        ctx.set_line_width(1.0);
    }

    /// Draws `plan` and answers the nodes as drawn (for the pointer and the keys, see `live`).
    pub(crate) fn draw(canvas: &HtmlCanvasElement, mut plan: MapPlan) -> Result<Vec<Dot>, JsValue> {
        let ctx = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
            .ok_or_else(|| JsValue::from_str("the map's canvas cannot be drawn on"))?;
        ctx.set_font(FONT);
        let measure = |t: &str| ctx.measure_text(t).map_or(100.0, |m| m.width());
        let s = scene(&mut plan, &measure).map_err(|e| JsValue::from_str(&e))?;
        let (width, height) = (plan.width, plan.height);
        let _ = ctx.set_transform(plan.ratio, 0.0, 0.0, plan.ratio, 0.0, 0.0);
        ctx.set_fill_style_str(&plan.paper);
        ctx.fill_rect(0.0, 0.0, width, height);
        let lit = |id: &str| plan.highlight.iter().any(|h| h == id);

        for (a, b, weight, colour, strong) in &s.lines {
            let w = f64::from(*weight).sqrt();
            if *strong {
                ctx.set_global_alpha(1.0);
                ctx.set_stroke_style_str(&plan.accent);
                ctx.set_line_width(6.0 + w);
                line(&ctx, *a, *b);
                ctx.set_stroke_style_str(colour);
                ctx.set_line_width(2.0 + w * 0.5);
            } else {
                let (width, alpha) = s.plain_edge(*weight, !plan.highlight.is_empty());
                ctx.set_stroke_style_str(colour);
                ctx.set_global_alpha(alpha);
                ctx.set_line_width(width);
            }
            line(&ctx, *a, *b);
        }
        ctx.set_global_alpha(1.0);

        // Nodes; rings for the ego actor, the selected event's actors and the focus.
        for (d, colour) in &s.dots {
            ctx.set_line_width(1.0);
            ctx.begin_path();
            let _ = ctx.arc(d.x, d.y, d.r, 0.0, std::f64::consts::TAU);
            ctx.set_fill_style_str(colour);
            ctx.fill();
            ctx.set_stroke_style_str(&plan.paper);
            ctx.stroke();
            if plan.ego.as_deref() == Some(d.id.as_str()) || lit(&d.id) {
                ring(&ctx, d.x, d.y, d.r + 3.5, &plan.accent, 3.0);
            }
            if plan.focused.as_deref() == Some(d.id.as_str()) {
                // A dashed ring (arcs: the dash API wants a JS array).
                ctx.set_stroke_style_str(&plan.ink);
                ctx.set_line_width(2.0);
                for k in 0..16 {
                    let a = f64::from(k) * std::f64::consts::TAU / 16.0;
                    ctx.begin_path();
                    let _ = ctx.arc(d.x, d.y, d.r + 8.0, a, a + std::f64::consts::TAU / 28.0);
                    ctx.stroke();
                }
                ctx.set_line_width(1.0);
            }
        }

        ctx.set_text_baseline("middle");
        for (_, text, r, leader) in &s.labels {
            if let Some((from, to)) = leader {
                ctx.set_stroke_style_str(&plan.muted);
                ctx.set_line_width(1.0);
                line(&ctx, *from, *to);
            }
            ctx.set_global_alpha(0.85);
            ctx.set_fill_style_str(&plan.paper);
            ctx.fill_rect(r.x, r.y, r.w, r.h);
            ctx.set_global_alpha(1.0);
            ctx.set_fill_style_str(&plan.ink);
            let _ = ctx.fill_text(text, r.x + 2.0, r.y + r.h / 2.0);
        }

        let [nodes, labels, highlight] = attributes(&s);
        let _ = canvas.set_attribute("data-nodes", &nodes);
        let _ = canvas.set_attribute("data-labels", &labels);
        let _ = canvas.set_attribute("data-highlight", &highlight);
        let _ = canvas.set_attribute("data-focused", plan.focused.as_deref().unwrap_or(""));
        Ok(s.dots.into_iter().map(|(d, _)| d).collect())
    }
}

#[cfg(target_arch = "wasm32")]
pub(crate) mod live {
    //! The canvas' input: drag, wheel, click and keys, on the nodes as drawn (see the module
    //! docs). Each canvas has its own (a host page may hold several widgets): a new canvas
    //! (the map shown again, another record) starts afresh, unpanned and unfocused, and a
    //! canvas no longer in its document is let go, with its listeners.
    use std::cell::RefCell;

    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{Event, HtmlCanvasElement, KeyboardEvent, PointerEvent, WheelEvent};

    use super::{paint, Dot, MapPlan, LAST_PLAN};
    use crate::keys::{answer, Answer};

    /// How far (in CSS pixels, across and down) a pointer must move before a press is a drag,
    /// not a click — as on the timeline.
    const DRAG_SLOP: f64 = 4.0;

    /// A press: where it went down, where it was last, whether it became a drag.
    struct Press {
        start: (f64, f64),
        last: (f64, f64),
        moved: bool,
    }

    type Listener = (&'static str, Closure<dyn FnMut(Event)>);
    /// What a listener does, with the canvas it listens on.
    type Handler = Box<dyn Fn(&HtmlCanvasElement, &Event)>;

    /// The map on screen.
    struct Live {
        canvas: HtmlCanvasElement,
        /// The page's plan drawn last, without the all-time graph (kept with its layout).
        plan: MapPlan,
        dots: Vec<Dot>,
        /// Pan (x, y) and zoom.
        transform: (f64, f64, f64),
        press: Option<Press>,
        /// The pointers down (id, where last), so two fingers pinch.
        fingers: Vec<(i32, (f64, f64))>,
        focused: Option<String>,
        has_focus: bool,
        /// The node under a mouse pointer (not a press): its name is drawn.
        hovered: Option<String>,
        listeners: Vec<Listener>,
    }

    impl Drop for Live {
        fn drop(&mut self) {
            for (kind, f) in &self.listeners {
                let _ = self.canvas.remove_event_listener_with_callback(kind, f.as_ref().unchecked_ref());
            }
        }
    }

    thread_local! {
        static LIVE: RefCell<Vec<Live>> = const { RefCell::new(Vec::new()) };
    }

    /// Draws the page's `plan` on `canvas` with this module's pan, zoom and focus.
    pub(crate) fn show(canvas: &HtmlCanvasElement, mut plan: MapPlan) -> Result<(), JsValue> {
        let all = plan.all.take();
        let fresh = LIVE.with(|live| {
            let mut live = live.borrow_mut();
            live.retain(|l| l.canvas.is_connected() || l.canvas.is_same_node(Some(canvas)));
            match live.iter_mut().find(|l| l.canvas.is_same_node(Some(canvas))) {
                Some(l) => {
                    l.plan = plan;
                    false
                }
                None => {
                    live.push(Live {
                        canvas: canvas.clone(),
                        plan,
                        dots: Vec::new(),
                        transform: (0.0, 0.0, 1.0),
                        press: None,
                        fingers: Vec::new(),
                        focused: None,
                        has_focus: false,
                        hovered: None,
                        listeners: Vec::new(),
                    });
                    true
                }
            }
        });
        if fresh {
            listen(canvas);
        }
        LIVE.with(|live| match live.borrow_mut().iter_mut().find(|l| l.canvas.is_same_node(Some(canvas))) {
            Some(l) => redraw(l, all),
            None => Ok(()),
        })
    }

    /// Draws the kept plan again with the current pan, zoom and focus. (Never inlined: the paint
    /// is one copy for every input.)
    #[inline(never)]
    fn redraw(l: &mut Live, all: Option<super::AllGraph>) -> Result<(), JsValue> {
        let mut plan = l.plan.clone();
        plan.transform = l.transform;
        plan.focused = l.focused.clone().filter(|_| l.has_focus);
        plan.hovered = l.hovered.clone();
        LAST_PLAN.with(|last| *last.borrow_mut() = Some(plan.clone()));
        plan.all = all;
        l.dots = paint::draw(&l.canvas, plan)?;
        Ok(())
    }

    /// Tells the page `kind` (`mapfocus`, `mapchoose`, `mapback`) about actor `id`.
    fn tell(canvas: &HtmlCanvasElement, kind: &str, id: &str) {
        let init = web_sys::CustomEventInit::new();
        init.set_detail(&JsValue::from_str(id));
        if let Ok(e) = web_sys::CustomEvent::new_with_event_init_dict(kind, &init) {
            let _ = canvas.dispatch_event(&e);
        }
    }

    /// What to tell the page after an input, once the map is no longer borrowed (the page
    /// may act at once).
    type Told = Vec<(&'static str, String)>;

    /// Runs `f` on the live map (if `canvas` is still it), redraws when it asks, then tells
    /// the page what it said. (`f` is `dyn`: one copy of this for every listener.)
    fn with_live(canvas: &HtmlCanvasElement, f: &mut dyn FnMut(&mut Live, &mut Told) -> bool) {
        let mut told = Told::new();
        LIVE.with(|live| {
            let mut live = live.borrow_mut();
            let Some(l) = live.iter_mut().find(|l| l.canvas.is_same_node(Some(canvas))) else { return };
            if f(l, &mut told) {
                if let Err(e) = redraw(l, None) {
                    web_sys::console::warn_1(&e);
                }
            }
        });
        for (kind, id) in told {
            tell(canvas, kind, &id);
        }
    }

    /// Focuses node `at` and chooses its actor (or goes back, when it is the one shown with
    /// its relations).
    fn choose(l: &mut Live, at: usize, told: &mut Told) {
        let id = l.dots[at].id.clone();
        if l.plan.ego.as_deref() == Some(id.as_str()) {
            told.push(("mapback", String::new()));
        } else {
            told.push(("mapchoose", id));
        }
    }

    fn focus(l: &mut Live, id: Option<String>, told: &mut Told) {
        told.push(("mapfocus", id.clone().unwrap_or_default()));
        l.focused = id;
    }

    /// Forgets pointer `id` (lifted, or never down).
    fn lift(l: &mut Live, id: i32) {
        l.fingers.retain(|f| f.0 != id);
    }

    /// The node at `(x, y)` (within 4 px of its rim: small nodes are hard to hit), the one
    /// drawn on top first.
    fn hit(dots: &[Dot], (x, y): (f64, f64)) -> Option<usize> {
        dots.iter().rposition(|d| (x - d.x).powi(2) + (y - d.y).powi(2) <= (d.r + 4.0).powi(2))
    }

    fn offset(e: &PointerEvent) -> (f64, f64) {
        (f64::from(e.offset_x()), f64::from(e.offset_y()))
    }

    fn listen(canvas: &HtmlCanvasElement) {
        let mut listeners: Vec<Listener> = Vec::new();
        let mut on = |kind: &'static str, passive: bool, f: Handler| {
            let target = canvas.clone();
            let closure = Closure::<dyn FnMut(Event)>::new(move |e: Event| f(&target, &e));
            let options = web_sys::AddEventListenerOptions::new();
            options.set_passive(passive);
            let _ = canvas.add_event_listener_with_callback_and_add_event_listener_options(
                kind,
                closure.as_ref().unchecked_ref(),
                &options,
            );
            listeners.push((kind, closure));
        };
        on(
            "pointerdown",
            true,
            Box::new(|c, e| {
                let Some(e) = e.dyn_ref::<PointerEvent>() else { return };
                // Keeps the pointer's events on the canvas, so a drag that leaves it ends on it.
                let _ = c.set_pointer_capture(e.pointer_id());
                let at = offset(e);
                let id = e.pointer_id();
                with_live(c, &mut |l, _| {
                    lift(l, id);
                    l.fingers.push((id, at));
                    // A second finger makes a pinch, never a click.
                    l.press = Some(Press { start: at, last: at, moved: l.fingers.len() > 1 });
                    false
                });
            }),
        );
        on(
            "pointermove",
            true,
            Box::new(|c, e| {
                let Some(e) = e.dyn_ref::<PointerEvent>() else { return };
                let at = offset(e);
                let id = e.pointer_id();
                with_live(c, &mut |l, _| {
                    // Two fingers: the map zooms by how much they spread, about their midpoint,
                    // and follows the midpoint.
                    if let [(a, pa), (b, pb), ..] = l.fingers[..] {
                        if id == a || id == b {
                            let (qa, qb) = if id == a { (at, pb) } else { (pa, at) };
                            let mid = |p: (f64, f64), q: (f64, f64)| ((p.0 + q.0) / 2.0, (p.1 + q.1) / 2.0);
                            let (from, to) = (mid(pa, pb), mid(qa, qb));
                            let by = (qa.0 - qb.0).hypot(qa.1 - qb.1) / (pa.0 - pb.0).hypot(pa.1 - pb.1).max(1.0);
                            let t = super::zoom_about(l.transform, (l.plan.width, l.plan.height), from, by);
                            l.transform = (t.0 + to.0 - from.0, t.1 + to.1 - from.1, t.2);
                            l.fingers[usize::from(id == b)].1 = at;
                            return true;
                        }
                    }
                    let Some(p) = l.press.as_mut() else {
                        // No press: the node pointed at shows its name.
                        let over = hit(&l.dots, at).map(|i| l.dots[i].id.clone());
                        return std::mem::replace(&mut l.hovered, over) != l.hovered;
                    };
                    if !p.moved && (at.0 - p.start.0).abs() + (at.1 - p.start.1).abs() <= DRAG_SLOP {
                        return false;
                    }
                    p.moved = true;
                    let (dx, dy) = (at.0 - p.last.0, at.1 - p.last.1);
                    p.last = at;
                    l.transform.0 += dx;
                    l.transform.1 += dy;
                    true
                });
            }),
        );
        on(
            "pointerup",
            true,
            Box::new(|c, e| {
                let Some(e) = e.dyn_ref::<PointerEvent>() else { return };
                let (x, y) = offset(e);
                let id = e.pointer_id();
                with_live(c, &mut |l, told| {
                    lift(l, id);
                    if let Some(&(_, left)) = l.fingers.first() {
                        // A finger stays after a pinch: it pans on from where it is.
                        l.press = Some(Press { start: left, last: left, moved: true });
                        return false;
                    }
                    if l.press.take().is_none_or(|p| p.moved) {
                        return false;
                    }
                    let Some(at) = hit(&l.dots, (x, y)) else { return false };
                    focus(l, Some(l.dots[at].id.clone()), told);
                    choose(l, at, told);
                    true
                });
            }),
        );
        // Not passive: zooming must not scroll the page.
        on(
            "wheel",
            false,
            Box::new(|c, e| {
                let Some(e) = e.dyn_ref::<WheelEvent>() else { return };
                with_live(c, &mut |l, _| {
                    if l.plan.embedded && !(e.ctrl_key() || e.meta_key()) {
                        return false;
                    }
                    e.prevent_default();
                    l.transform = super::zoom_about(
                        l.transform,
                        (l.plan.width, l.plan.height),
                        (l.plan.width / 2.0 + l.transform.0, l.plan.height / 2.0 + l.transform.1),
                        (-e.delta_y() * 0.0015).exp(),
                    );
                    true
                });
            }),
        );
        on(
            "keydown",
            false,
            Box::new(|c, e| {
                let Some(e) = e.dyn_ref::<KeyboardEvent>() else { return };
                with_live(c, &mut |l, told| {
                    let at = |id: &str| l.dots.iter().position(|d| d.id == id);
                    let current = l.focused.as_deref().and_then(at);
                    // The first arrow lands on the ego actor, else an actor of the selected event.
                    let first = l.plan.ego.iter().chain(&l.plan.highlight).find_map(|id| at(id));
                    let dots: Vec<(f64, f64, f64)> = l.dots.iter().map(|d| (d.x, d.y, d.r)).collect();
                    let Some(what) = answer(&e.key(), &dots, current, first, l.plan.ego.is_some()) else {
                        return false;
                    };
                    // Space would scroll the page, arrows too.
                    e.prevent_default();
                    match what {
                        Answer::Focus(at) => focus(l, Some(l.dots[at].id.clone()), told),
                        Answer::Choose(at) => choose(l, at, told),
                        Answer::Back => told.push(("mapback", String::new())),
                        Answer::Unfocus => focus(l, None, told),
                        Answer::Stay => return false,
                    }
                    true
                });
            }),
        );
        on(
            "focus",
            true,
            Box::new(|c, _| {
                with_live(c, &mut |l, _| {
                    l.has_focus = true;
                    l.focused.is_some()
                })
            }),
        );
        on(
            "pointercancel",
            true,
            Box::new(|c, e| {
                let Some(e) = e.dyn_ref::<PointerEvent>() else { return };
                let id = e.pointer_id();
                with_live(c, &mut |l, _| {
                    lift(l, id);
                    l.press = None;
                    false
                });
            }),
        );
        on("pointerleave", true, Box::new(|c, _| with_live(c, &mut |l, _| l.hovered.take().is_some())));
        on(
            "blur",
            true,
            Box::new(|c, _| {
                with_live(c, &mut |l, _| {
                    l.has_focus = false;
                    l.focused.is_some()
                })
            }),
        );
        LIVE.with(|live| {
            if let Some(l) = live.borrow_mut().iter_mut().find(|l| l.canvas.is_same_node(Some(canvas))) {
                l.listeners = listeners;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(all: bool) -> MapPlan {
        let json = format!(
            r##"{{"key":7,{}"width":800,"height":480,"ratio":1,
                "nodes":[["a","Alpha",4,"#111111"],["b","Beta",1,"#222222"],["c","Gamma",2,"#333333"]],
                "edges":[["a","b",1,"#0072B2"],["a","c",2,"#D55E00"]],
                "highlight":["a","c"],"transform":[0,0,1],
                "paper":"#fff","accent":"#f00","ink":"#000","muted":"#888"}}"##,
            if all {
                r#""all":{"nodes":[["a",4],["b",1],["c",2],["d",1]],"edges":[[0,1,1],[0,2,2],[2,3,1]]},"#
            } else {
                ""
            }
        );
        serde_json::from_str(&json).expect("plan")
    }

    #[test]
    fn the_map_is_laid_out_as_core_lays_out_the_graph_and_placed_in_the_canvas() {
        let mut first = plan(true);
        let s = scene(&mut first, &|t| 7.0 * t.chars().count() as f64).expect("scene");
        assert_eq!(s.dots.len(), 3, "the nodes as of the year, not the all-time ones");
        assert_eq!(s.dots.last().map(|d| d.0.id.as_str()), Some("a"), "the busiest is drawn last, over the others");
        assert_eq!(s.dots[2].0.r, radius(4, 4, 1.0));
        for (d, _) in &s.dots {
            assert!((0.0..=800.0).contains(&d.x) && (0.0..=480.0).contains(&d.y), "{d:?} is on the canvas");
        }
        assert_eq!(s.emphasised, ["a c"], "the edge between the selected event's actors");
        assert_eq!(s.lines.last().map(|l| l.4), Some(true), "emphasised edges are drawn last");
        assert_eq!(s.labels.len(), 3, "room for every label");
        // The graph carries the edges' weights (the layout's pull).
        let g = graph(AllGraph {
            nodes: vec![("a".into(), 4), ("b".into(), 1), ("c".into(), 2), ("d".into(), 1)],
            edges: vec![(0, 1, 1), (0, 2, 2), (2, 3, 1)],
        });
        assert_eq!(g.edges[1].weight(), 2);
        // A later drawing of the same record needs no graph; another record does.
        let mut again = plan(false);
        let s2 = scene(&mut again, &|_| 30.0).expect("the kept graph");
        assert_eq!(
            s2.dots.iter().map(|d| (d.0.x, d.0.y)).collect::<Vec<_>>(),
            s.dots.iter().map(|d| (d.0.x, d.0.y)).collect::<Vec<_>>()
        );
        // Panned so that a node is off the canvas: it is not named at the edge.
        let mut panned = plan(false);
        panned.transform = (-2000.0, 0.0, 1.0);
        let s3 = scene(&mut panned, &|_| 30.0).expect("the kept graph");
        assert!(s3.labels.is_empty(), "{:?}", s3.labels);
        let mut other = plan(false);
        other.key = 8;
        assert!(scene(&mut other, &|_| 30.0).is_err(), "an unknown record's graph is asked for");
        let [nodes, _, highlight] = attributes(&s);
        assert_eq!(nodes.split('|').count(), 3);
        assert_eq!(highlight, "a c");
    }

    #[test]
    fn a_few_edges_are_drawn_as_ever_and_many_thinner_and_lighter() {
        let edge = |len: f64, weight: u32| -> Line { ((0.0, 0.0), (len, 0.0), weight, String::new(), false) };
        // Ten edges of 100 px, 2.4 px wide, on 800 × 480: 0.6 % of the canvas.
        let few: Vec<Line> = (0..10).map(|_| edge(100.0, 1)).collect();
        assert_eq!(edge_ink(&few, 800.0 * 480.0, 1.0), (1.0, 0.55));
        // Forty actors all linked, 780 edges of 150 px sharing 25 events each, on a phone.
        let dense: Vec<Line> = (0..780).map(|_| edge(150.0, 25)).collect();
        let (thin, alpha) = edge_ink(&dense, 310.0 * 372.0, 1.0);
        let width = 8.0 * thin;
        assert!((0.8..=2.0).contains(&width) && (0.12..=0.3).contains(&alpha), "{width} px at {alpha}");
        // Thinner with more ink, never below the floors; zooming in does not thin them.
        let (thinner, lighter) = edge_ink(&dense, 200.0 * 200.0, 1.0);
        assert!(thinner < thin && lighter < alpha);
        assert_eq!(edge_ink(&dense, 10.0, 1.0), (0.1, 0.12));
        assert_eq!(edge_ink(&dense, 310.0 * 372.0, 1.0), {
            let zoomed: Vec<Line> = (0..780).map(|_| edge(300.0, 25)).collect();
            edge_ink(&zoomed, 310.0 * 372.0, 2.0)
        });
        // Emphasised edges do not count: they are drawn thick on purpose.
        let mut strong = few.clone();
        strong.extend((0..780).map(|_| ((0.0, 0.0), (150.0, 0.0), 25, String::new(), true)));
        assert_eq!(edge_ink(&strong, 800.0 * 480.0, 1.0), (1.0, 0.55));
    }

    #[test]
    fn a_dense_graph_on_a_phone_has_nodes_apart_and_the_focused_one_named() {
        // Forty actors, each linked to every other (the e2e tests' generated record is nearly so).
        let ids: Vec<String> = (0..40).map(|i| format!("c{i}")).collect();
        let edges: Vec<(usize, usize, u32)> =
            (0..40).flat_map(|a| (a + 1..40).map(move |b| (a, b, 20 + ((a * b) % 7) as u32))).collect();
        let all = AllGraph { nodes: ids.iter().map(|id| (id.clone(), 500 + id.len() as u32)).collect(), edges };
        let mut plan = plan(false);
        plan.key = 40;
        plan.all = Some(all.clone());
        (plan.width, plan.height) = (310.0, 372.0);
        plan.nodes = ids.iter().map(|id| (id.clone(), format!("Country {id}"), 500, "#111111".to_owned())).collect();
        plan.edges = all.edges.iter().map(|&(a, b, w)| (ids[a].clone(), ids[b].clone(), w, "#0072B2".into())).collect();
        plan.highlight.clear();
        let measure = |t: &str| 7.0 * t.chars().count() as f64;
        for focused in [None, Some("c0"), Some("c17"), Some("c39")] {
            plan.focused = focused.map(str::to_owned);
            let s = scene(&mut plan.clone(), &measure).expect("scene");
            for (i, (a, _)) in s.dots.iter().enumerate() {
                for (b, _) in &s.dots[i + 1..] {
                    assert!((a.x - b.x).hypot(a.y - b.y) >= a.r + b.r, "{a:?} and {b:?} overlap");
                }
            }
            if let Some(f) = focused {
                assert!(s.labels.iter().any(|l| s.dots[l.0].0.id == f), "{f} is named when focused");
            }
            let rects: Vec<&Rect> = s.labels.iter().map(|l| &l.2).collect();
            for (i, r) in rects.iter().enumerate() {
                assert!(rects[i + 1..].iter().all(|o| !r.overlaps(o)), "labels overlap: {r:?}");
                for (d, _) in &s.dots {
                    let own = s.labels[i].0;
                    if s.dots[own].0.id != d.id {
                        assert!(
                            !r.meets(&Disc { x: d.x, y: d.y, r: d.r }),
                            "{focused:?}: the label {:?} covers {d:?}",
                            s.labels[i]
                        );
                    }
                }
            }
            let (thin, alpha) = s.edge_ink;
            assert!(thin < 0.5 && alpha < 0.4, "780 edges are drawn thin and light: {thin} {alpha}");
        }
        // A selected event's actors are named too, wherever they sit in the crowd (on a canvas
        // so small that beside their nodes and on the usual leader lines there is no room).
        plan.focused = None;
        (plan.width, plan.height) = (200.0, 240.0);
        plan.highlight = vec!["c3".into(), "c21".into(), "c30".into()];
        let s = scene(&mut plan.clone(), &measure).expect("scene");
        for id in &plan.highlight {
            assert!(s.labels.iter().any(|l| &s.dots[l.0].0.id == id), "{id} of the selected event is named");
        }
    }

    #[test]
    fn a_zoom_keeps_the_point_it_is_about_in_place() {
        let on_canvas =
            |t: (f64, f64, f64), p: Point| (400.0 + t.0 + (p.0 - 400.0) * t.2, 240.0 + t.1 + (p.1 - 240.0) * t.2);
        let t = (30.0, -20.0, 1.5);
        // The drawing point under (100, 50) now.
        let p = (400.0 + (100.0 - 400.0 - t.0) / t.2, 240.0 + (50.0 - 240.0 - t.1) / t.2);
        let z = zoom_about(t, (800.0, 480.0), (100.0, 50.0), 2.0);
        assert_eq!(z.2, 3.0);
        let (x, y) = on_canvas(z, p);
        assert!((x - 100.0).abs() < 1e-9 && (y - 50.0).abs() < 1e-9, "{x} {y}");
        // About the drawing's centre on the canvas, the pan does not change.
        assert_eq!(zoom_about(t, (800.0, 480.0), (430.0, 220.0), 2.0), (30.0, -20.0, 3.0));
        assert_eq!(zoom_about(t, (800.0, 480.0), (0.0, 0.0), 100.0).2, 8.0, "no more than 8 times");
        assert_eq!(zoom_about(t, (800.0, 480.0), (0.0, 0.0), 0.01).2, 0.4);
    }

    #[test]
    fn long_labels_are_shortened() {
        assert_eq!(short("Organization for Security and Co-operation", 20), "Organization for Se…");
        assert_eq!(short("Belarus", 20), "Belarus");
    }
}
