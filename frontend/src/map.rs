//! The relation map: actors as nodes sized by activity, shared events as edges weighted by
//! count and coloured by their most common kind, placed by the core's deterministic layout.
//!
//! Positions come from the all-time graph and stay put while the as-of slider replays the
//! record year by year, so the eye follows the relation growing instead of nodes jumping.
//! The layout is drawn into a box of the canvas' proportions (`layout_in`) and fitted to the
//! canvas with room for labels, so a wide screen gets a wide map; labels are placed where
//! they cover no node and no other label ([`placement`]).
//!
//! Clicking a node, or focusing it with the arrow keys and pressing Enter or Space, shows its
//! ego view and filters the timeline and list to its events; Escape goes back. The focused
//! node is ringed and announced (a polite live region). The selected event — picked in the
//! list or the timeline, or named by the page address — is drawn emphasised: its actors ringed
//! and the edges between them thick. Drag pans, the wheel zooms. Play advances a year at a
//! time; with `prefers-reduced-motion` there is no autoplay, only step buttons. A record that
//! names no actors says so instead of drawing an empty box.
//!
//! What was drawn is written on the canvas (`data-nodes`, `data-labels`, `data-highlight`,
//! `data-focused`): the browser tests read positions there rather than guess from pixels.

pub mod placement;

use std::collections::HashMap;
use std::rc::Rc;

use annals_core::date::PartialDate;
use annals_core::event::ActorKind;
use annals_core::projection::{layout_in, GraphQuery, GraphView};
use gloo::timers::callback::Interval;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlInputElement};
use yew::prelude::*;

use self::placement::{fit, place_labels, step, Disc, Move, Rect};
use crate::hooks::gestures::{capture, offset, use_wheel, Drag};
use crate::palette::kind_colour;
use crate::record::Record;
use crate::state::{Action, View};
use crate::theme::Colours;

/// Props of [`RelationMap`].
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The record.
    pub record: Rc<Record>,
    /// The view (the ego actor lives there, shared with the timeline).
    pub view: UseReducerHandle<View>,
}

/// A node as drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// Actor id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Position from the layout.
    pub at: (f64, f64),
    /// Radius in pixels.
    pub radius: f64,
    /// Fill colour.
    pub colour: &'static str,
}

/// Colour of an actor by kind.
pub fn actor_colour(kind: Option<ActorKind>) -> &'static str {
    match kind {
        Some(ActorKind::Country) => "#1b1f24",
        Some(ActorKind::Person) => "#8a3b12",
        Some(ActorKind::Commission) => "#009E73",
        Some(ActorKind::Organization) => "#5b6770",
        _ => "#9aa3ab",
    }
}

/// Radius of a node: 4 px plus up to `16 × size` px by the square root of its share of the
/// busiest actor's activity (all time), so one very busy actor cannot cover the map.
pub fn radius(activity: u32, busiest: u32, size: f64) -> f64 {
    4.0 + 16.0 * size * (f64::from(activity) / f64::from(busiest.max(1))).min(1.0).sqrt()
}

/// Nodes of a view placed at their all-time positions.
pub fn place(view: &GraphView, positions: &HashMap<String, (f64, f64)>, busiest: u32, size: f64) -> Vec<Placed> {
    view.nodes
        .iter()
        .map(|n| Placed {
            id: n.id.as_str().to_owned(),
            label: n.label.clone(),
            at: positions.get(n.id.as_str()).copied().unwrap_or((0.0, 0.0)),
            radius: radius(n.activity, busiest, size),
            colour: actor_colour(n.kind),
        })
        .collect()
}

/// All-time positions for one record and one box shape.
struct Layout {
    key: (usize, i32),
    positions: HashMap<String, (f64, f64)>,
    points: Vec<(f64, f64)>,
    busiest: u32,
}

/// What one paint needs besides the canvas.
struct Scene<'a> {
    graph: &'a GraphView,
    all: &'a GraphView,
    key: usize,
    transform: (f64, f64, f64),
    ego: Option<&'a str>,
    /// The ego actor's relations of all time.
    ego_nodes: Option<&'a [String]>,
    focused: Option<&'a str>,
    highlight: &'a [String],
}

/// The relation map, or, for a record without actors, a sentence saying there is none.
#[function_component(RelationMap)]
pub fn relation_map(props: &Props) -> Html {
    let label = crate::context::use_landmark_label("Relation map");
    let record = props.record.clone();
    // The all-time graph: the layout's input.
    let all = use_memo(Rc::as_ptr(&record) as usize, {
        let record = record.clone();
        move |_| record.projections().graph_view(&GraphQuery::default())
    });
    let canvas = use_node_ref();
    let (first_year, last_year) = {
        let ext = record.projections().timeline.extent().unwrap_or((0, 0));
        (PartialDate::from_day_number(ext.0).year_value(), PartialDate::from_day_number(ext.1).year_value())
    };
    let as_of = use_state(|| last_year);
    let playing = use_state(|| false);
    let transform = use_mut_ref(|| (0.0f64, 0.0f64, 1.0f64));
    let drag = use_mut_ref(|| None::<Drag>);
    let drawn = use_mut_ref(Vec::<(Placed, f64, f64)>::new);
    let layout_cache = use_mut_ref(|| None::<Layout>);
    // The palette, read once (see `theme`): replay and drag repaint every frame.
    let colours = use_mut_ref(crate::theme::ColourCache::new);
    let redraw = use_state(|| 0u32);
    let focused = use_state(|| None::<String>);
    let has_focus = use_state(|| false);
    let reduced_motion = web_sys::window()
        .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .is_some_and(|m| m.matches());

    let ego = props.view.actor.clone();
    let until = annals_core::date::days_from_civil(*as_of, 12, 31);
    let graph = Rc::new(
        record
            .projections()
            .graph_view(&GraphQuery { window: Some((i32::MIN / 2, until)), ego: ego.clone().map(Into::into) }),
    );
    // The selected event's actors that are on the map.
    let catalog = &record.projections().catalog;
    let selected = props.view.selected.as_deref().and_then(|id| catalog.event_any(id));
    let highlight: Rc<Vec<String>> = Rc::new(
        selected
            .map(|r| {
                r.event
                    .participants()
                    .into_iter()
                    .map(|(a, _)| a.as_str().to_owned())
                    .filter(|a| all.nodes.binary_search_by(|n| n.id.as_str().cmp(a)).is_ok())
                    .collect()
            })
            .unwrap_or_default(),
    );
    // The ego actor's relations of all time, which the ego view is fitted to.
    let ego_nodes = use_memo((Rc::as_ptr(&record) as usize, ego.clone()), {
        let record = record.clone();
        move |(_, ego)| {
            ego.as_ref().map(|id| {
                let view = record.projections().graph_view(&GraphQuery { window: None, ego: Some(id.clone().into()) });
                view.nodes.into_iter().map(|n| n.id.as_str().to_owned()).collect::<Vec<String>>()
            })
        }
    });
    let focused_node = focused.as_deref().and_then(|id| graph.nodes.iter().find(|n| n.id.as_str() == id));

    // Autoplay: one year per tick, stopping at the end.
    {
        let as_of = as_of.clone();
        let playing = playing.clone();
        use_effect_with((*playing, *as_of), move |(is_playing, year)| {
            let interval = (*is_playing && *year < last_year).then(|| {
                let as_of = as_of.clone();
                let next = *year + 1;
                Interval::new(700, move || as_of.set(next))
            });
            if *is_playing && *year >= last_year {
                playing.set(false);
            }
            move || drop(interval)
        });
    }

    // A new size (the window resized, a phone turned) is a new picture: the canvas is sized
    // and the graph fitted to it when it paints.
    // (A state set re-renders even to the value it has, which a listener made once sets.)
    {
        let redraw = redraw.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window()
                .map(|w| gloo::events::EventListener::new(&w, "resize", move |_| redraw.set(*redraw + 1)));
            move || drop(listener)
        });
    }

    // The wheel zooms (on a host page only with Ctrl/⌘, see `gestures`).
    {
        let transform = transform.clone();
        let redraw = redraw.clone();
        use_wheel(canvas.clone(), move |e| {
            let mut t = transform.borrow_mut();
            t.2 = (t.2 * (-e.delta_y() * 0.0015).exp()).clamp(0.4, 8.0);
            redraw.set(*redraw + 1);
        });
    }

    // Paint.
    {
        let canvas = canvas.clone();
        let graph = graph.clone();
        let all = all.clone();
        let key = Rc::as_ptr(&record) as usize;
        let transform = transform.clone();
        let drawn = drawn.clone();
        let ego = ego.clone();
        let colours = colours.clone();
        let layout_cache = layout_cache.clone();
        let highlight = highlight.clone();
        let ego_nodes = ego_nodes.clone();
        let focused = (*has_focus).then(|| (*focused).clone()).flatten();
        use_effect(move || {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                let colours = colours.borrow_mut().at(&c).clone();
                let scene = Scene {
                    graph: &graph,
                    all: &all,
                    key,
                    transform: *transform.borrow(),
                    ego: ego.as_deref(),
                    ego_nodes: ego_nodes.as_deref(),
                    focused: focused.as_deref(),
                    highlight: &highlight,
                };
                *drawn.borrow_mut() = paint(&c, &scene, &mut layout_cache.borrow_mut(), &colours);
            }
        });
    }

    // Selecting an actor: the same for a click and for Enter/Space on the focused node.
    let choose = {
        let view = props.view.clone();
        Callback::from(move |id: String| {
            let again = view.actor.as_deref() == Some(id.as_str());
            view.dispatch(Action::Actor((!again).then_some(id)));
        })
    };

    let onpointerdown = {
        let drag = drag.clone();
        Callback::from(move |e: PointerEvent| {
            capture(&e);
            *drag.borrow_mut() = Some(Drag::free(offset(&e)));
        })
    };
    let onpointermove = {
        let drag = drag.clone();
        let transform = transform.clone();
        let redraw = redraw.clone();
        Callback::from(move |e: PointerEvent| {
            let mut d = drag.borrow_mut();
            let Some(press) = d.as_mut() else { return };
            if let Some((dx, dy)) = press.step(offset(&e)) {
                let mut t = transform.borrow_mut();
                t.0 += dx;
                t.1 += dy;
                redraw.set(*redraw + 1);
            }
        })
    };
    let onpointerup = {
        let drag = drag.clone();
        let drawn = drawn.clone();
        let choose = choose.clone();
        let focused = focused.clone();
        Callback::from(move |e: PointerEvent| {
            if drag.borrow_mut().take().is_some_and(|d| !d.moved()) {
                let (x, y) = offset(&e);
                let hit = drawn
                    .borrow()
                    .iter()
                    .filter(|(p, px, py)| (x - px).powi(2) + (y - py).powi(2) <= (p.radius + 4.0).powi(2))
                    .map(|(p, _, _)| p.id.clone())
                    .next();
                if let Some(id) = hit {
                    focused.set(Some(id.clone()));
                    choose.emit(id);
                }
            }
        })
    };
    let onkeydown = {
        let drawn = drawn.clone();
        let focused = focused.clone();
        let view = props.view.clone();
        let highlight = highlight.clone();
        Callback::from(move |e: KeyboardEvent| {
            let key = match e.key().as_str() {
                "ArrowLeft" => Some(Move::Left),
                "ArrowRight" => Some(Move::Right),
                "ArrowUp" => Some(Move::Up),
                "ArrowDown" => Some(Move::Down),
                "Home" => Some(Move::First),
                "End" => Some(Move::Last),
                _ => None,
            };
            let drawn = drawn.borrow();
            let current = focused.as_deref().and_then(|id| drawn.iter().position(|(p, _, _)| p.id == id));
            match e.key().as_str() {
                _ if key.is_some() && !drawn.is_empty() => {
                    e.prevent_default();
                    let next = match (current, key) {
                        (Some(at), Some(key)) => {
                            let points: Vec<(f64, f64)> = drawn.iter().map(|(_, x, y)| (*x, *y)).collect();
                            step(&points, at, key)
                        }
                        // The first press lands on the ego actor, an actor of the selected
                        // event, or else the busiest actor.
                        _ => view
                            .actor
                            .iter()
                            .chain(highlight.iter())
                            .find_map(|id| drawn.iter().position(|(p, _, _)| &p.id == id))
                            .unwrap_or_else(|| {
                                (0..drawn.len())
                                    .max_by(|&a, &b| drawn[a].0.radius.total_cmp(&drawn[b].0.radius))
                                    .unwrap_or(0)
                            }),
                    };
                    focused.set(Some(drawn[next].0.id.clone()));
                }
                "Enter" | " " => {
                    // Space would scroll the page.
                    e.prevent_default();
                    if let Some(at) = current {
                        choose.emit(drawn[at].0.id.clone());
                    }
                }
                "Escape" if view.actor.is_some() => {
                    e.prevent_default();
                    view.dispatch(Action::Actor(None));
                }
                "Escape" if focused.is_some() => {
                    e.prevent_default();
                    focused.set(None);
                }
                _ => {}
            }
        })
    };
    let onfocus = {
        let has_focus = has_focus.clone();
        Callback::from(move |_: FocusEvent| has_focus.set(true))
    };
    let onblur = {
        let has_focus = has_focus.clone();
        Callback::from(move |_: FocusEvent| has_focus.set(false))
    };
    let onslide = {
        let as_of = as_of.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) {
                if let Ok(y) = input.value().parse::<i32>() {
                    as_of.set(y);
                }
            }
        })
    };
    let toggle_play = {
        let playing = playing.clone();
        let as_of = as_of.clone();
        Callback::from(move |_: MouseEvent| {
            if !*playing && *as_of >= last_year {
                as_of.set(first_year);
            }
            playing.set(!*playing);
        })
    };
    let step_year = |delta: i32| {
        let as_of = as_of.clone();
        Callback::from(move |_: MouseEvent| as_of.set((*as_of + delta).clamp(first_year, last_year)))
    };
    let name = |id: &str| catalog.actor_name(id).to_owned();
    let ego_name = ego.as_deref().map(name);
    // What the live region says: the focused actor, and what Enter does with it.
    let announce = focused_node.map_or_else(String::new, |n| {
        let relations = graph.edges.iter().filter(|e| e.a == n.id || e.b == n.id).count();
        let kind = n.kind.map_or("actor", ActorKind::name);
        let events = crate::words::count(n.activity, "event", "events");
        let relations = crate::words::count(relations, "relation", "relations");
        if ego.as_deref() == Some(n.id.as_str()) {
            format!(
                "{}, {kind}: {events}, {relations}. Shown with its relations; Enter or Escape shows all actors.",
                n.label
            )
        } else {
            format!("{}, {kind}: {events}, {relations}. Enter shows its relations and events.", n.label)
        }
    });
    let highlighted = selected.filter(|_| !highlight.is_empty()).map(|r| {
        let names: Vec<String> = highlight.iter().map(|id| name(id)).collect();
        format!("On the map: “{}” — {}", r.event.title, names.join(", "))
    });
    // After every hook (their order may not change between renders).
    if all.nodes.is_empty() {
        return html! {
            <section class="map" aria-label={label}>
                <p class="map-empty">{ "This record names no actors, so there is no map to draw." }</p>
            </section>
        };
    }
    html! {
        <section class="map" aria-label={label}>
            <div class="map-controls">
                <label class="as-of">{ format!("As of {}", *as_of) }
                    <input type="range" min={first_year.to_string()} max={last_year.to_string()} value={as_of.to_string()} oninput={onslide} />
                </label>
                if reduced_motion {
                    <button type="button" onclick={step_year(-1)} aria-label="Previous year">{ "◀" }</button>
                    <button type="button" onclick={step_year(1)} aria-label="Next year">{ "▶" }</button>
                } else {
                    <button type="button" onclick={toggle_play} aria-pressed={playing.to_string()}>
                        { if *playing { "Pause" } else { "Play" } }
                    </button>
                }
                if let Some(name) = ego_name {
                    <button type="button" onclick={{ let v = props.view.clone(); Callback::from(move |_: MouseEvent| v.dispatch(Action::Actor(None))) }}>
                        { format!("Showing {name} and its relations ✕") }
                    </button>
                } else {
                    <span class="note">{ "Click an actor, or focus the map and use the arrow keys and Enter, to see its relations and filter the timeline." }</span>
                }
            </div>
            if let Some(text) = highlighted {
                <p class="map-highlight">{ text }</p>
            }
            <canvas ref={canvas} class="map-canvas" tabindex="0" role="application" aria-roledescription="relation map"
                {onpointerdown} {onpointermove} {onpointerup} {onkeydown} {onfocus} {onblur}
                aria-label={format!("Relation map as of {}: {} actors, {} relations. Arrow keys move between actors, Enter shows an actor's relations and events, Escape goes back.", *as_of, graph.nodes.len(), graph.edges.len())} />
            <p class="map-announce" aria-live="polite">{ announce }</p>
            <ul class="legend" aria-label="Legend">
                // Countries are drawn in ink, which follows the theme.
                <li><span class="swatch" style="background:var(--ink)"></span>{ "country" }</li>
                <li><span class="swatch" style={format!("background:{}", actor_colour(Some(ActorKind::Person)))}></span>{ "person" }</li>
                <li><span class="swatch" style={format!("background:{}", actor_colour(Some(ActorKind::Organization)))}></span>{ "organization" }</li>
                <li><span class="swatch" style={format!("background:{}", actor_colour(Some(ActorKind::Commission)))}></span>{ "commission" }</li>
                <li>{ "edges: colour of the most common kind of shared event, width by count" }</li>
            </ul>
        </section>
    }
}

/// Label font and the height of a label's box.
const FONT: &str = "12px system-ui, sans-serif";
const LABEL_HEIGHT: f64 = 15.0;
/// At most this many labels are tried per paint (most important first), so a record of
/// thousands of actors stays quick to draw.
const MAX_LABELS: usize = 250;

fn paint(
    canvas: &HtmlCanvasElement,
    s: &Scene,
    cache: &mut Option<Layout>,
    colours: &Colours,
) -> Vec<(Placed, f64, f64)> {
    let width = f64::from(canvas.client_width().max(300));
    // Landscape on a wide screen; on a phone a little taller than wide, for labels' sake.
    let height = if width < 560.0 { width * 1.2 } else { width * 0.6 }.clamp(320.0, 560.0);
    let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    canvas.set_width((width * ratio) as u32);
    canvas.set_height((height * ratio) as u32);
    let _ = canvas.set_attribute("style", &format!("height:{height}px"));
    let Some(ctx) = canvas.get_context("2d").ok().flatten().and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return Vec::new();
    };
    let _ = ctx.scale(ratio, ratio);
    ctx.set_fill_style_str(&colours.paper);
    ctx.fill_rect(0.0, 0.0, width, height);

    // Nodes are smaller on a small canvas. Room around the drawing: the biggest node, plus a
    // little of a label's width sideways and a label's height above and below (a label at the
    // edge goes inwards, or out on a leader line).
    let size = (width / 800.0).clamp(0.6, 1.0);
    let biggest = 4.0 + 16.0 * size;
    let margin = (biggest + 4.0 + (width * 0.06).min(60.0), biggest + 4.0 + LABEL_HEIGHT);
    let aspect = (width - 2.0 * margin.0) / (height - 2.0 * margin.1).max(1.0);
    let key = (s.key, (aspect * 4.0).round() as i32);
    if cache.as_ref().is_none_or(|l| l.key != key) {
        let pos = layout_in(s.all, 300, f64::from(key.1) / 4.0);
        *cache = Some(Layout {
            key,
            positions: s.all.nodes.iter().map(|n| n.id.as_str().to_owned()).zip(pos.iter().copied()).collect(),
            points: pos,
            busiest: s.all.nodes.iter().map(|n| n.activity).max().unwrap_or(1),
        });
    }
    let Some(layout) = cache.as_ref() else { return Vec::new() };
    let placed = place(s.graph, &layout.positions, layout.busiest, size);
    // The ego view is fitted to the actor's relations of all time (so replay does not move
    // them either); the whole map to every actor.
    let fitted = match s.ego_nodes {
        Some(ids) => {
            let points: Vec<(f64, f64)> = ids.iter().filter_map(|id| layout.positions.get(id).copied()).collect();
            fit(&points, width, height, margin)
        }
        None => fit(&layout.points, width, height, margin),
    };
    let (ox, oy, zoom) = s.transform;
    let to_screen = |p: (f64, f64)| {
        let (x, y) = fitted.at(p);
        (width / 2.0 + ox + (x - width / 2.0) * zoom, height / 2.0 + oy + (y - height / 2.0) * zoom)
    };
    let at: HashMap<&str, (f64, f64)> = placed.iter().map(|p| (p.id.as_str(), to_screen(p.at))).collect();
    let lit = |id: &str| s.highlight.iter().any(|h| h == id);

    // Edges, then the selected event's edges over them.
    let mut emphasised = Vec::new();
    for e in &s.graph.edges {
        let (Some(a), Some(b)) = (at.get(e.a.as_str()), at.get(e.b.as_str())) else { continue };
        if lit(e.a.as_str()) && lit(e.b.as_str()) {
            emphasised.push((*a, *b, e));
            continue;
        }
        ctx.set_stroke_style_str(kind_colour(e.main_kind()));
        ctx.set_global_alpha(if s.highlight.is_empty() { 0.55 } else { 0.3 });
        ctx.set_line_width(1.0 + f64::from(e.weight()).sqrt() * 1.4);
        line(&ctx, *a, *b);
    }
    ctx.set_global_alpha(1.0);
    for (a, b, e) in &emphasised {
        ctx.set_stroke_style_str(&colours.accent);
        ctx.set_line_width(6.0 + f64::from(e.weight()).sqrt());
        line(&ctx, *a, *b);
        ctx.set_stroke_style_str(kind_colour(e.main_kind()));
        ctx.set_line_width(2.0 + f64::from(e.weight()).sqrt() * 0.5);
        line(&ctx, *a, *b);
    }

    // Nodes, small under big; rings for the ego actor, the selected event's actors and focus.
    let mut order: Vec<usize> = (0..placed.len()).collect();
    placement::sort_indices(&mut order, &|a, b| placed[a].radius.total_cmp(&placed[b].radius));
    let mut out = Vec::with_capacity(placed.len());
    for p in order.into_iter().map(|i| &placed[i]) {
        let (x, y) = at.get(p.id.as_str()).copied().unwrap_or((0.0, 0.0));
        ctx.set_line_width(1.0);
        ctx.begin_path();
        let _ = ctx.arc(x, y, p.radius, 0.0, std::f64::consts::TAU);
        // Countries are drawn in ink, which follows the theme.
        ctx.set_fill_style_str(if p.colour == crate::theme::LIGHT.ink { &colours.ink } else { p.colour });
        ctx.fill();
        ctx.set_stroke_style_str(&colours.paper);
        ctx.stroke();
        if s.ego == Some(p.id.as_str()) || lit(&p.id) {
            ring(&ctx, x, y, p.radius + 3.5, &colours.accent, 3.0);
        }
        if s.focused == Some(p.id.as_str()) {
            // A dashed ring (arcs: the dash API wants a JS array).
            ctx.set_stroke_style_str(&colours.ink);
            ctx.set_line_width(2.0);
            for k in 0..16 {
                let a = f64::from(k) * std::f64::consts::TAU / 16.0;
                ctx.begin_path();
                let _ = ctx.arc(x, y, p.radius + 8.0, a, a + std::f64::consts::TAU / 28.0);
                ctx.stroke();
            }
            ctx.set_line_width(1.0);
        }
        out.push((p.clone(), x, y));
    }

    // Labels: the ego actor, the focused one and the selected event's first, then by size.
    ctx.set_font(FONT);
    ctx.set_text_baseline("middle");
    // A node's rings are part of it: no label goes over them either.
    let discs: Vec<Disc> = out
        .iter()
        .map(|(p, x, y)| {
            let id = p.id.as_str();
            let ring = if s.focused == Some(id) {
                10.0
            } else if s.ego == Some(id) || lit(id) {
                5.0
            } else {
                0.0
            };
            Disc { x: *x, y: *y, r: p.radius + ring }
        })
        .collect();
    let mut wanted: Vec<usize> = (0..out.len()).collect();
    let rank = |p: &Placed| {
        let id = p.id.as_str();
        (s.ego != Some(id), s.focused != Some(id), !lit(id))
    };
    placement::sort_indices(&mut wanted, &|a, b| {
        rank(&out[a].0).cmp(&rank(&out[b].0)).then(out[b].0.radius.total_cmp(&out[a].0.radius))
    });
    wanted.truncate(MAX_LABELS);
    let longest = if width < 560.0 { 20 } else { 32 };
    let texts: Vec<String> = wanted.iter().map(|&i| short(&out[i].0.label, longest)).collect();
    let sized: Vec<(usize, (f64, f64))> = wanted
        .iter()
        .zip(&texts)
        .map(|(&i, t)| (i, (ctx.measure_text(t).map_or(100.0, |m| m.width()) + 4.0, LABEL_HEIGHT)))
        .collect();
    let spots = place_labels(&discs, &sized, Rect { x: 0.0, y: 0.0, w: width, h: height });
    let mut labels = Vec::new();
    for ((&i, text), spot) in wanted.iter().zip(&texts).zip(&spots) {
        let Some(spot) = spot else { continue };
        let r = spot.rect;
        if let Some((from, to)) = spot.leader {
            ctx.set_stroke_style_str(&colours.muted);
            ctx.set_line_width(1.0);
            line(&ctx, from, to);
        }
        ctx.set_global_alpha(0.85);
        ctx.set_fill_style_str(&colours.paper);
        ctx.fill_rect(r.x, r.y, r.w, r.h);
        ctx.set_global_alpha(1.0);
        ctx.set_fill_style_str(&colours.ink);
        let _ = ctx.fill_text(text, r.x + 2.0, r.y + r.h / 2.0);
        labels.push(format!(
            "{} {} {} {} {}{}",
            out[i].0.id,
            px(r.x),
            px(r.y),
            px(r.w),
            px(r.h),
            if spot.leader.is_some() { " leader" } else { "" }
        ));
    }

    // What was drawn, for the browser tests, in whole pixels (ids hold no bars in practice;
    // they are the first field, so a test can still split on the last numbers).
    let nodes: Vec<String> =
        out.iter().map(|(p, x, y)| format!("{} {} {} {}", p.id, px(*x), px(*y), px(p.radius))).collect();
    let edges: Vec<String> = emphasised.iter().map(|(_, _, e)| format!("{} {}", e.a, e.b)).collect();
    let _ = canvas.set_attribute("data-nodes", &nodes.join("|"));
    let _ = canvas.set_attribute("data-labels", &labels.join("|"));
    let _ = canvas.set_attribute("data-highlight", &edges.join("|"));
    let _ = canvas.set_attribute("data-focused", s.focused.unwrap_or(""));
    out
}

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

/// Rounded to a whole pixel, for the data attributes (integers: formatting more floats costs
/// the bundle a float formatter of its own, and labels keep 1.5 px clear of everything).
fn px(v: f64) -> i64 {
    v.round() as i64
}

/// A label of at most `longest` characters (shortened with "…").
fn short(label: &str, longest: usize) -> String {
    if label.chars().count() > longest {
        label.chars().take(longest - 1).collect::<String>() + "…"
    } else {
        label.to_owned()
    }
}
