//! The relation map: actors as nodes sized by activity, shared events as edges weighted by
//! count and coloured by their most common kind, placed by the core's deterministic layout.
//!
//! Positions come from the all-time graph and stay put while the as-of slider replays the
//! record year by year, so the eye follows the relation growing instead of nodes jumping.
//! The layout is drawn into a box of the canvas' proportions (`layout_in`) and fitted to the
//! canvas with room for labels, so a wide screen gets a wide map; labels are placed where
//! they cover no node and no other label. Layout, placement and paint are the visuals
//! module's (`annals_visuals::map`, loaded the first time the map is drawn, see
//! [`crate::visuals`]): this component computes the graph views, sizes the canvas, and sends
//! a plan. The canvas' pointer, wheel and keys are the module's too (they act on the nodes as
//! it drew them, which exist only once it has): it tells this component, by events on the
//! canvas, which actor has the focus (announced here), which one was chosen, and when to go
//! back. Until the first drawing the map says so.
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
//! `data-focused`, by the module): the browser tests read positions there rather than guess
//! from pixels.

use std::rc::Rc;

use annals_core::date::PartialDate;
use annals_core::event::ActorKind;
use annals_core::projection::{GraphQuery, GraphView};
use gloo::events::EventListener;
use gloo::timers::callback::Interval;
use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, HtmlInputElement};
use yew::prelude::*;

use crate::i18n::{en, t, tf, tx};
use crate::palette::kind_colour;
use crate::record::Record;
use crate::state::{Action, View};

/// Props of [`RelationMap`].
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The record.
    pub record: Rc<Record>,
    /// The view (the ego actor lives there, shared with the timeline).
    pub view: UseReducerHandle<View>,
}

/// Whether the map has been drawn yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Drawing {
    /// Waiting for the visuals module (its first load).
    Waiting,
    /// Drawn.
    Done,
    /// The module could not draw it.
    Failed,
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

/// What the page says of a drawing besides the graphs: the canvas, the view's state.
#[derive(serde::Serialize)]
struct Scene<'a> {
    key: usize,
    width: f64,
    height: f64,
    ratio: f64,
    ego: Option<&'a str>,
    ego_nodes: Option<&'a [String]>,
    highlight: &'a [String],
    /// In someone else's page, where only Ctrl/⌘ + wheel zooms (see `hooks::gestures`).
    embedded: bool,
    /// "As of 2015": the year the map shows, for a picture of it.
    as_of: String,
}

/// The plan the visuals module draws (`annals_visuals::map::MapPlan`, JSON): the scene, the
/// graph as of the slider's year with its colours resolved, and the all-time graph when `all`
/// is given.
fn plan(graph: &GraphView, all: Option<&GraphView>, scene: Scene, colours: &crate::theme::Colours) -> String {
    #[derive(serde::Serialize)]
    struct Plan<'a> {
        #[serde(flatten)]
        scene: Scene<'a>,
        nodes: Vec<(&'a str, &'a str, u32, &'a str)>,
        edges: Vec<(&'a str, &'a str, u32, &'static str)>,
        paper: &'a str,
        accent: &'a str,
        ink: &'a str,
        muted: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        all: Option<All<'a>>,
    }
    #[derive(serde::Serialize)]
    struct All<'a> {
        nodes: Vec<(&'a str, u32)>,
        edges: Vec<(usize, usize, u32)>,
    }
    // Countries are drawn in ink, which follows the theme.
    let ink = |c: &'static str| if c == crate::theme::LIGHT.ink { colours.ink.as_str() } else { c };
    let all = all.map(|all| {
        let at = |id: &str| all.nodes.binary_search_by(|n| n.id.as_str().cmp(id)).ok();
        All {
            nodes: all.nodes.iter().map(|n| (n.id.as_str(), n.activity)).collect(),
            edges: all.edges.iter().filter_map(|e| Some((at(e.a.as_str())?, at(e.b.as_str())?, e.weight()))).collect(),
        }
    });
    let plan = Plan {
        scene,
        nodes: graph
            .nodes
            .iter()
            .map(|n| (n.id.as_str(), n.label.as_str(), n.activity, ink(actor_colour(n.kind))))
            .collect(),
        edges: graph
            .edges
            .iter()
            .map(|e| (e.a.as_str(), e.b.as_str(), e.weight(), kind_colour(e.main_kind())))
            .collect(),
        paper: &colours.paper,
        accent: &colours.accent,
        ink: &colours.ink,
        muted: &colours.muted,
        all,
    };
    serde_json::to_string(&plan).unwrap_or_default()
}

/// The relation map, or, for a record without actors, a sentence saying there is none.
#[function_component(RelationMap)]
pub fn relation_map(props: &Props) -> Html {
    let label = crate::context::use_landmark_label(t("Relation map"));
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
    // The record whose all-time graph the module has (it keeps it, and its layout).
    let sent = use_mut_ref(|| None::<usize>);
    let drawing = use_state_eq(|| Drawing::Waiting);
    // The palette, read once (see `theme`): replay repaints every year.
    let colours = use_mut_ref(crate::theme::ColourCache::new);
    let redraw = use_state(|| 0u32);
    // The actor the module says has the focus, for the announcement.
    let focused = use_state(|| None::<String>);
    let embedded = use_context::<crate::context::InEmbed>().is_some();
    let reduced_motion = web_sys::window()
        .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .is_some_and(|m| m.matches());

    let ego = props.view.actor.clone();
    let until = annals_core::date::days_from_civil(*as_of, 12, 31);
    let graph = Rc::new(
        record
            .projections()
            .graph_view(&GraphQuery { window: Some((i64::MIN / 2, until)), ego: ego.clone().map(Into::into) }),
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
            let listener =
                web_sys::window().map(|w| EventListener::new(&w, "resize", move |_| redraw.set(*redraw + 1)));
            move || drop(listener)
        });
    }

    // What the module hears on the canvas: the focus moved (announced below), an actor
    // chosen by a click or Enter/Space (its relations), or back to all actors (Escape, or the
    // chosen actor chosen again).
    {
        let canvas = canvas.clone();
        let (view, focused) = (props.view.clone(), focused.clone());
        use_effect_with((), move |_| {
            let listeners = canvas.cast::<HtmlCanvasElement>().map(|c| {
                let detail = |e: &Event| {
                    web_sys::js_sys::Reflect::get(e, &"detail".into())
                        .ok()
                        .and_then(|d| d.as_string())
                        .unwrap_or_default()
                };
                let chosen = view.clone();
                [
                    EventListener::new(&c, "mapfocus", move |e| {
                        let id = detail(e);
                        focused.set((!id.is_empty()).then_some(id));
                    }),
                    EventListener::new(&c, "mapchoose", move |e| chosen.dispatch(Action::Actor(Some(detail(e))))),
                    EventListener::new(&c, "mapback", move |_| view.dispatch(Action::Actor(None))),
                ]
            });
            move || drop(listeners)
        });
    }

    // Paint: the page sizes the canvas, the visuals module lays out and draws.
    {
        let canvas = canvas.clone();
        let graph = graph.clone();
        let all = all.clone();
        let key = Rc::as_ptr(&record) as usize;
        let ego = ego.clone();
        let colours = colours.clone();
        let sent = sent.clone();
        let drawing = drawing.clone();
        let highlight = highlight.clone();
        let ego_nodes = ego_nodes.clone();
        let as_of = tf("As of {0}", &[&crate::i18n::year(*as_of)]);
        use_effect(move || {
            let Some(c) = canvas.cast::<HtmlCanvasElement>() else { return };
            let colours = colours.borrow_mut().at(&c).clone();
            let width = f64::from(c.client_width().max(300));
            // Landscape on a wide screen; on a phone a little taller than wide, for labels' sake.
            let height = if width < 560.0 { width * 1.2 } else { width * 0.6 }.clamp(320.0, 560.0);
            let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
            let (bitmap_w, bitmap_h) = ((width * ratio) as u32, (height * ratio) as u32);
            if c.width() != bitmap_w || c.height() != bitmap_h {
                c.set_width(bitmap_w);
                c.set_height(bitmap_h);
                let _ = c.set_attribute("style", &format!("height:{}px", crate::number::decimal(height)));
            }
            let first = *sent.borrow() != Some(key);
            *sent.borrow_mut() = Some(key);
            let scene = Scene {
                key,
                width,
                height,
                ratio,
                ego: ego.as_deref(),
                ego_nodes: (*ego_nodes).as_deref(),
                highlight: &highlight,
                embedded,
                as_of,
            };
            let plan = plan(&graph, first.then_some(&*all), scene, &colours);
            draw(c, plan, move |drawn| {
                if drawn {
                    drawing.set(Drawing::Done);
                } else {
                    // The next drawing sends the graph again.
                    *sent.borrow_mut() = None;
                    drawing.set(Drawing::Failed);
                }
            });
        });
    }

    let onslide = {
        let as_of = as_of.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) {
                if let Ok(y) = input.value().parse::<i64>() {
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
    let step_year = |delta: i64| {
        let as_of = as_of.clone();
        Callback::from(move |_: MouseEvent| as_of.set((*as_of + delta).clamp(first_year, last_year)))
    };
    let name = |id: &str| catalog.actor_name(id).to_owned();
    let ego_name = ego.as_deref().map(name);
    // What the live region says: the focused actor, and what Enter does with it.
    let announce = focused_node.map_or_else(String::new, |n| {
        let relations = graph.edges.iter().filter(|e| e.a == n.id || e.b == n.id).count();
        let kind = crate::i18n::actor_kind(n.kind);
        let events = crate::words::count(n.activity, "event", "events");
        let relations = crate::words::count(relations, "relation", "relations");
        if ego.as_deref() == Some(n.id.as_str()) {
            tf(
                "{0}, {1}: {2}, {3}. Shown with its relations; Enter or Escape shows all actors.",
                &[&n.label, &kind, &events, &relations],
            )
        } else {
            tf("{0}, {1}: {2}, {3}. Enter shows its relations and events.", &[&n.label, &kind, &events, &relations])
        }
    });
    let highlighted = selected.filter(|_| !highlight.is_empty()).map(|r| {
        let names: Vec<String> = highlight.iter().map(|id| name(id)).collect();
        tf("On the map: “{0}” — {1}", &[&r.event.title_for(crate::shown::want()).text, &names.join(", ")])
    });
    // After every hook (their order may not change between renders).
    if all.nodes.is_empty() {
        return html! {
            <section class="map" aria-label={label}>
                <p class="map-empty">{ tx("This record names no actors, so there is no map to draw.") }</p>
            </section>
        };
    }
    html! {
        <section class="map" aria-label={label}>
            <div class="map-controls">
                <label class="as-of">{ tf("As of {0}", &[&crate::i18n::year(*as_of)]) }
                    <input type="range" min={first_year.to_string()} max={last_year.to_string()} value={as_of.to_string()} oninput={onslide} />
                </label>
                if reduced_motion {
                    <button type="button" onclick={step_year(-1)} aria-label={t("Previous year")}>{ "◀" }</button>
                    <button type="button" onclick={step_year(1)} aria-label={t("Next year")}>{ "▶" }</button>
                } else {
                    <button type="button" onclick={toggle_play} aria-pressed={playing.to_string()}>
                        { tx(if *playing { en("Pause") } else { en("Play") }) }
                    </button>
                }
                if let Some(name) = ego_name {
                    <button type="button" onclick={{ let v = props.view.clone(); Callback::from(move |_: MouseEvent| v.dispatch(Action::Actor(None))) }}>
                        { tf("Showing {0} and its relations ✕", &[&name]) }
                    </button>
                } else {
                    <span class="note">{ tx("Click an actor, or focus the map and use the arrow keys and Enter, to see its relations and filter the timeline.") }</span>
                }
            </div>
            if let Some(text) = highlighted {
                <p class="map-highlight">{ text }</p>
            }
            if *drawing != Drawing::Done {
                <p class="map-drawing" role="status">{ if *drawing == Drawing::Failed { t("The map could not be drawn.") } else { t("Drawing the map…") } }</p>
            }
            <canvas ref={canvas} class="map-canvas" tabindex="0" role="application" aria-roledescription={t("relation map")}
                aria-label={tf("Relation map as of {0}: {1}, {2}. Arrow keys move between actors, Enter shows an actor's relations and events, Escape goes back.", &[&crate::i18n::year(*as_of), &crate::words::count(graph.nodes.len(), "actor", "actors"), &crate::words::count(graph.edges.len(), "relation", "relations")])} />
            <p class="map-announce" aria-live="polite">{ announce }</p>
            <ul class="legend" aria-label={t("Legend")}>
                // Countries are drawn in ink, which follows the theme.
                <li><span class="swatch" style="background:var(--ink)"></span>{ tx("country") }</li>
                <li><span class="swatch" style={format!("background:{}", actor_colour(Some(ActorKind::Person)))}></span>{ tx("person") }</li>
                <li><span class="swatch" style={format!("background:{}", actor_colour(Some(ActorKind::Organization)))}></span>{ tx("organization") }</li>
                <li><span class="swatch" style={format!("background:{}", actor_colour(Some(ActorKind::Commission)))}></span>{ tx("commission") }</li>
                <li>{ tx("edges: colour of the most common kind of shared event, width by count") }</li>
            </ul>
        </section>
    }
}

/// Sends `plan` to the visuals module and tells `then` whether it drew it (if not, it says
/// why on the console).
#[cfg(target_arch = "wasm32")]
fn draw(canvas: HtmlCanvasElement, plan: String, then: impl FnOnce(bool) + 'static) {
    crate::visuals::draw(
        "map",
        canvas,
        plan,
        Box::new(move |answer| {
            let drawn = answer.is_ok();
            crate::visuals::warn(answer);
            then(drawn);
        }),
    );
}

/// Natively there is no canvas and no module.
#[cfg(not(target_arch = "wasm32"))]
fn draw(_: HtmlCanvasElement, _: String, _: impl FnOnce(bool) + 'static) {}
