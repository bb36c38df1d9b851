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
//! A record read by the window (`remote`) holds only the events fetched for the timeline, so
//! its map is the service's (`graph`, `Remote::served`): the all-time graph, laid out
//! here as a whole record's is (the same picture), and the graph as of the slider's year (and
//! of the chosen actor) asked of the service as the slider moves; until an answer is here the
//! map says it is asking.
//!
//! What was drawn is written on the canvas (`data-nodes`, `data-labels`, `data-highlight`,
//! `data-focused`, by the module): the browser tests read positions there rather than guess
//! from pixels.

use std::rc::Rc;

use annals_core::date::PartialDate;
use annals_core::event::ActorKind;
use annals_core::projection::{Edge, GraphQuery, GraphView, Node};
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

/// The actor `id` and its neighbours in the all-time graph `all` (the nodes of core's ego view
/// of all time), in one pass over its edges: what an ego view is fitted to.
fn ego_of(all: &GraphView, id: &str) -> Vec<String> {
    let other = |e: &Edge| match (e.a.as_str() == id, e.b.as_str() == id) {
        (true, _) => Some(e.b.as_str().to_owned()),
        (_, true) => Some(e.a.as_str().to_owned()),
        _ => None,
    };
    let mut ids: Vec<String> = all.edges.iter().filter_map(other).collect();
    if all.nodes.binary_search_by(|n| n.id.as_str().cmp(id)).is_ok() {
        ids.push(id.to_owned());
    }
    ids
}

/// The service's `graph` answer as core's view: `nodes` `{id, label, kind, activity, …}` and
/// `edges` `{a, b, by_kind: [one count per kind, in `EventKind::ALL`'s order], …}`, sorted as
/// core sorts them (the service writes core's view); `None` when it is not that. Read by hand
/// from a `Value`: a derived reader would be code of its own in the page's bundle.
fn served_graph(answer: &serde_json::Value) -> Option<GraphView> {
    let text = |v: &serde_json::Value, key: &str| v[key].as_str().map(str::to_owned);
    let count = |v: &serde_json::Value| v.as_u64().and_then(|n| u32::try_from(n).ok());
    let kinds =
        [ActorKind::Country, ActorKind::Person, ActorKind::Organization, ActorKind::Commission, ActorKind::Place];
    let mut graph = GraphView::default();
    for n in answer["nodes"].as_array()? {
        let kind = n["kind"].as_str().and_then(|k| kinds.into_iter().find(|kind| kind.name() == k));
        graph.nodes.push(Node {
            id: text(n, "id")?.into(),
            label: text(n, "label")?,
            kind,
            activity: count(&n["activity"])?,
        });
    }
    for e in answer["edges"].as_array()? {
        let mut by_kind = annals_core::PerKind::<u32>::default();
        for (slot, n) in by_kind.0.iter_mut().zip(e["by_kind"].as_array()?) {
            *slot = count(n)?;
        }
        graph.edges.push(Edge { a: text(e, "a")?.into(), b: text(e, "b")?.into(), by_kind });
    }
    Some(graph)
}

/// The relation map, or, for a record without actors, a sentence saying there is none.
#[function_component(RelationMap)]
pub fn relation_map(props: &Props) -> Html {
    let label = crate::context::use_landmark_label(t("Relation map"));
    let record = props.record.clone();
    let remote = record.remote.is_some();
    let (first_year, last_year) = {
        let ext = record.remote.as_ref().map_or_else(|| record.projections().timeline.extent(), |r| r.extent);
        let ext = ext.unwrap_or((0, 0));
        (PartialDate::from_day_number(ext.0).year_value(), PartialDate::from_day_number(ext.1).year_value())
    };
    let as_of = use_state(|| last_year);
    let ego = props.view.actor.clone();
    // A record read by the window: the service's graphs, of all time and as of the year.
    let served = |query: String| record.remote.as_ref().map(|r| r.served("graph", query));
    let served_all = served(String::new()).flatten();
    let mut asked = format!("as_of={}", *as_of);
    if let Some(ego) = &ego {
        asked.push_str(&format!("&ego={}", crate::address::encode(ego)));
    }
    let served_at = served(asked).flatten();
    // The answer as of the year shown last: kept on screen while the next is on its way.
    let shown_at = use_mut_ref(|| None::<crate::remote::Served>);
    let asking = remote && (served_all.is_none() || served_at.is_none());
    if served_at.is_some() {
        *shown_at.borrow_mut() = served_at;
    }
    // Each answer read when it is used (the all-time one once): the page holds no copy.
    let read = |served: &Option<crate::remote::Served>| match served {
        Some(Ok(v)) => served_graph(v).ok_or_else(|| t("The service's graph could not be read.").to_owned()).map(Some),
        Some(Err(e)) => Err(e.clone()),
        None => Ok(None),
    };
    let at_year = read(&shown_at.borrow());
    // The all-time graph: the layout's input (a new one, a new key for the module).
    // (Served: not a new graph when the window's events arrive, which make a new record.)
    let whose = match &served_all {
        Some(Ok(v)) => Rc::as_ptr(v) as usize,
        _ if remote => 0,
        _ => Rc::as_ptr(&record) as usize,
    };
    let all = use_memo(whose, {
        let (record, served) = (record.clone(), served_all.clone());
        move |_| match served {
            Some(Ok(v)) => served_graph(&v).unwrap_or_default(),
            _ if remote => GraphView::default(),
            _ => record.projections().graph_view(&GraphQuery::default()),
        }
    });
    // (The all-time answer is read once, above: here only whether it said why not, or held
    // nodes that could not be read.)
    let failed = at_year.as_ref().err().cloned().or_else(|| match &served_all {
        Some(Err(e)) => Some(e.clone()),
        Some(Ok(v)) if all.nodes.is_empty() && v["nodes"].as_array().is_none_or(|n| !n.is_empty()) => {
            Some(t("The service's graph could not be read.").to_owned())
        }
        _ => None,
    });
    let canvas = use_node_ref();
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

    let until = annals_core::date::days_from_civil(*as_of, 12, 31);
    let graph = match at_year {
        Ok(Some(graph)) if remote => Rc::new(graph),
        // Before the first answer as of the year: all time is the last year's graph.
        _ if remote && ego.is_none() && *as_of >= last_year => all.clone(),
        _ if remote => Rc::new(GraphView::default()),
        _ => Rc::new(
            record
                .projections()
                .graph_view(&GraphQuery { window: Some((i64::MIN / 2, until)), ego: ego.clone().map(Into::into) }),
        ),
    };
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
    // (Served: the actor and its neighbours in the all-time graph, as core's ego view has them.)
    // (Core's ego view of all time has these nodes: the actor and its neighbours in the
    // all-time graph, found in one pass over its edges — for a record read whole or served.)
    let ego_nodes = use_memo((Rc::as_ptr(&all) as usize, ego.clone()), {
        let all = all.clone();
        move |(_, ego)| ego.as_deref().map(|id| ego_of(&all, id))
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
        // The all-time graph's: a record's (read whole) or the service's answer.
        let key = Rc::as_ptr(&all) as usize;
        let ego = ego.clone();
        let colours = colours.clone();
        let sent = sent.clone();
        let drawing = drawing.clone();
        let highlight = highlight.clone();
        let ego_nodes = ego_nodes.clone();
        let as_of = tf("As of {0}", &[&crate::i18n::year(*as_of)]);
        use_effect(move || {
            let Some(c) = canvas.cast::<HtmlCanvasElement>() else { return };
            if all.nodes.is_empty() {
                return; // the service's graph is on its way
            }
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
    // (The all-time graph's label first: a record read by the window may not have the actor.)
    let name = |id: &str| match all.nodes.binary_search_by(|n| n.id.as_str().cmp(id)) {
        Ok(at) => all.nodes[at].label.clone(),
        Err(_) => catalog.actor_name(id).to_owned(),
    };
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
        // A sentence instead of a canvas: the service's graph on its way, or none to draw.
        let (class, text) = match failed {
            Some(e) if remote => ("error", tf("The service could not give the map: {0}", &[&e])),
            None if remote && asking => {
                ("map-drawing", t("Asking the service for the map of the whole record…").to_owned())
            }
            _ => ("map-empty", t("This record names no actors, so there is no map to draw.").to_owned()),
        };
        return html! {
            <section class="map" aria-label={label}>
                <p {class} role="status">{ text }</p>
            </section>
        };
    }
    let (class, status) = if let Some(e) = failed {
        ("error", tf("The service could not give the map: {0}", &[&e]))
    } else if asking {
        ("map-drawing", tf("Asking the service for the map as of {0}…", &[&crate::i18n::year(*as_of)]))
    } else if *drawing != Drawing::Done {
        (
            "map-drawing",
            if *drawing == Drawing::Failed { t("The map could not be drawn.") } else { t("Drawing the map…") }
                .to_owned(),
        )
    } else {
        ("map-status", String::new())
    };
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
            // (Served: the line is always there, so a replay's questions do not move the map.)
            if remote || !status.is_empty() {
                <p class={class} role="status">{ status }</p>
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_actors_relations_of_all_time_are_cores_ego_view() {
        let record =
            crate::record::from_bytes(include_bytes!("../../data/azerbaijan-belarus.json"), "x").expect("record");
        let all = record.projections().graph_view(&GraphQuery::default());
        for node in &all.nodes {
            let id = node.id.as_str();
            let ego = record.projections().graph_view(&GraphQuery { window: None, ego: Some(node.id.clone()) });
            let mut ours = ego_of(&all, id);
            ours.sort();
            assert_eq!(ours, ego.nodes.iter().map(|n| n.id.as_str().to_owned()).collect::<Vec<_>>(), "{id}");
        }
        assert!(ego_of(&all, "nobody").is_empty());
    }

    #[test]
    fn the_services_graph_is_read_as_cores_view() {
        // The service writes core's view with places and weights beside (server/src/http/views.rs).
        let record =
            crate::record::from_bytes(include_bytes!("../../data/azerbaijan-belarus.json"), "x").expect("record");
        let whole = record.projections().graph_view(&GraphQuery::default());
        let mut answer = serde_json::to_value(&whole).expect("json");
        for node in answer["nodes"].as_array_mut().expect("nodes") {
            node["x"] = serde_json::json!(0.5);
        }
        assert!(whole.nodes.iter().any(|n| n.kind.is_some()) && !whole.edges.is_empty());
        assert_eq!(served_graph(&answer), Some(whole));
        assert_eq!(served_graph(&serde_json::json!({"nodes": [{"id": "x"}], "edges": []})), None, "no label");
    }
}
