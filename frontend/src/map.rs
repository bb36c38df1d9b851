//! The relation map: actors as nodes sized by activity, shared events as edges weighted by
//! count and coloured by their most common kind, placed by the core's deterministic layout.
//!
//! Positions come from the all-time graph and stay put while the as-of slider replays the
//! record year by year, so the eye follows the relation growing instead of nodes jumping.
//! Clicking a node shows its ego view and filters the timeline and list to its events.
//! Drag pans, the wheel zooms. Play advances a year at a time; with `prefers-reduced-motion`
//! there is no autoplay, only step buttons.

use std::collections::HashMap;
use std::rc::Rc;

use annals_core::date::PartialDate;
use annals_core::event::ActorKind;
use annals_core::projection::{layout, GraphQuery, GraphView};
use gloo::timers::callback::Interval;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlInputElement};
use yew::prelude::*;

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
    /// Position in −1..=1.
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

/// Nodes of a view placed at their all-time positions.
pub fn place(view: &GraphView, positions: &HashMap<String, (f64, f64)>) -> Vec<Placed> {
    view.nodes
        .iter()
        .map(|n| Placed {
            id: n.id.as_str().to_owned(),
            label: n.label.clone(),
            at: positions.get(n.id.as_str()).copied().unwrap_or((0.0, 0.0)),
            radius: 4.0 + f64::from(n.activity).sqrt() * 2.6,
            colour: actor_colour(n.kind),
        })
        .collect()
}

/// The relation map widget.
#[function_component(RelationMap)]
pub fn relation_map(props: &Props) -> Html {
    let record = props.record.clone();
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
    // The palette, read once (see `theme`): replay and drag repaint every frame.
    let colours = use_mut_ref(crate::theme::ColourCache::new);
    let redraw = use_state(|| 0u32);
    let reduced_motion = web_sys::window()
        .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .is_some_and(|m| m.matches());

    // All-time positions, computed once per record.
    let positions = use_memo(Rc::as_ptr(&record) as usize, {
        let record = record.clone();
        move |_| {
            let all = record.projections().graph_view(&GraphQuery::default());
            let pos = layout(&all, 300);
            all.nodes.iter().map(|n| n.id.as_str().to_owned()).zip(pos).collect::<HashMap<_, _>>()
        }
    });

    let ego = props.view.actor.clone();
    let until = annals_core::date::days_from_civil(*as_of, 12, 31);
    let graph = record
        .projections()
        .graph_view(&GraphQuery { window: Some((i32::MIN / 2, until)), ego: ego.clone().map(Into::into) });
    let placed = Rc::new(place(&graph, &positions));

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
        let placed = placed.clone();
        let graph = graph.clone();
        let transform = transform.clone();
        let drawn = drawn.clone();
        let ego = ego.clone();
        let colours = colours.clone();
        use_effect(move || {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                let colours = colours.borrow_mut().at(&c).clone();
                *drawn.borrow_mut() = paint(&c, &graph, &placed, *transform.borrow(), ego.as_deref(), &colours);
            }
        });
    }

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
        let view = props.view.clone();
        Callback::from(move |e: PointerEvent| {
            if drag.borrow_mut().take().is_some_and(|d| !d.moved()) {
                let (x, y) = offset(&e);
                let hit = drawn
                    .borrow()
                    .iter()
                    .filter(|(p, px, py)| (x - px).powi(2) + (y - py).powi(2) <= (p.radius + 4.0).powi(2))
                    .map(|(p, _, _)| p.id.clone())
                    .next();
                let current = view.actor.clone();
                match hit {
                    Some(id) if current.as_deref() == Some(id.as_str()) => view.dispatch(Action::Actor(None)),
                    Some(id) => view.dispatch(Action::Actor(Some(id))),
                    None => {}
                }
            }
        })
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
    let step = |delta: i32| {
        let as_of = as_of.clone();
        Callback::from(move |_: MouseEvent| as_of.set((*as_of + delta).clamp(first_year, last_year)))
    };
    let ego_name = ego.as_deref().map(|id| record.projections().catalog.actor_name(id).to_owned());
    html! {
        <section class="map" aria-label="Relation map">
            <div class="map-controls">
                <label class="as-of">{ format!("As of {}", *as_of) }
                    <input type="range" min={first_year.to_string()} max={last_year.to_string()} value={as_of.to_string()} oninput={onslide} />
                </label>
                if reduced_motion {
                    <button type="button" onclick={step(-1)} aria-label="Previous year">{ "◀" }</button>
                    <button type="button" onclick={step(1)} aria-label="Next year">{ "▶" }</button>
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
                    <span class="note">{ "Click an actor to see its relations and filter the timeline." }</span>
                }
            </div>
            <canvas ref={canvas} class="map-canvas" role="img" tabindex="0" {onpointerdown} {onpointermove} {onpointerup}
                aria-label={format!("Relation map as of {}: {} actors, {} relations", *as_of, graph.nodes.len(), graph.edges.len())} />
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

fn paint(
    canvas: &HtmlCanvasElement,
    graph: &GraphView,
    placed: &[Placed],
    t: (f64, f64, f64),
    ego: Option<&str>,
    colours: &Colours,
) -> Vec<(Placed, f64, f64)> {
    let width = f64::from(canvas.client_width().max(300));
    let height = (width * 0.6).clamp(320.0, 560.0);
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
    let (ox, oy, zoom) = t;
    let half = (width.min(height) / 2.0 - 40.0) * zoom;
    let to_screen = |p: (f64, f64)| (width / 2.0 + ox + p.0 * half, height / 2.0 + oy + p.1 * half);
    let at: HashMap<&str, (f64, f64)> = placed.iter().map(|p| (p.id.as_str(), to_screen(p.at))).collect();
    for e in &graph.edges {
        let (Some(a), Some(b)) = (at.get(e.a.as_str()), at.get(e.b.as_str())) else { continue };
        ctx.set_stroke_style_str(kind_colour(e.main_kind()));
        ctx.set_global_alpha(0.55);
        ctx.set_line_width(1.0 + f64::from(e.weight()).sqrt() * 1.4);
        ctx.begin_path();
        ctx.move_to(a.0, a.1);
        ctx.line_to(b.0, b.1);
        ctx.stroke();
    }
    ctx.set_global_alpha(1.0);
    ctx.set_line_width(1.0);
    let mut out = Vec::with_capacity(placed.len());
    let mut order: Vec<&Placed> = placed.iter().collect();
    order.sort_by(|a, b| a.radius.total_cmp(&b.radius));
    for p in order {
        let (x, y) = at.get(p.id.as_str()).copied().unwrap_or((0.0, 0.0));
        ctx.begin_path();
        let _ = ctx.arc(x, y, p.radius, 0.0, std::f64::consts::TAU);
        // Countries are drawn in ink, which follows the theme.
        ctx.set_fill_style_str(if p.colour == crate::theme::LIGHT.ink { &colours.ink } else { p.colour });
        ctx.fill();
        ctx.set_stroke_style_str(&colours.paper);
        ctx.stroke();
        if ego == Some(p.id.as_str()) {
            ctx.set_stroke_style_str(&colours.accent);
            ctx.set_line_width(3.0);
            ctx.stroke();
            ctx.set_line_width(1.0);
        }
        if p.radius >= 7.0 || ego.is_some() {
            ctx.set_font("12px system-ui, sans-serif");
            ctx.set_fill_style_str(&colours.ink);
            ctx.set_text_baseline("middle");
            let label: String = if p.label.chars().count() > 32 {
                p.label.chars().take(30).collect::<String>() + "…"
            } else {
                p.label.clone()
            };
            let _ = ctx.fill_text(&label, x + p.radius + 4.0, y);
        }
        out.push((p.clone(), x, y));
    }
    out
}
