//! # annals-web
//!
//! The Annals browser app, on `annals-core` compiled to WebAssembly: the same loader,
//! validator and projections as the service, so a file means the same thing in both.
//!
//! - [`state`] — the view (window, filters, selection) as a pure reducer, and its URL form;
//! - [`geometry`] — the timeline's scale, ticks, marks and hit-testing, pure;
//! - [`timeline`] — the canvas timeline widget;
//! - [`map`] — the relation map, with its as-of replay;
//! - [`charts`] — events per year and documents signed (plotters);
//! - [`panels`] — details, the accessible list of events in view, filters;
//! - [`record`] — fetching and folding a record;
//! - [`embed`] — the widget in other pages: the iframe page, the custom element, the snippets;
//! - [`fragment`] — the view in the page's URL fragment (never on a host page);
//! - [`theme`] — the colours canvases paint with, from the stylesheet's custom properties;
//! - [`open`] — opening a person's own file (picker, drop, paste), with its report;
//! - [`save`] — saving the record in any format, importing it into the service.

pub mod charts;
pub mod embed;
pub mod fragment;
pub mod geometry;
pub mod map;
pub mod open;
pub mod panels;
pub mod record;
pub mod save;
pub mod state;
pub mod theme;
pub mod timeline;

use std::rc::Rc;

use yew::prelude::*;

use panels::{Controls, Details, EventList};
use record::{Record, RecordAction, RecordState};
use state::{Action, Panel, View};
use timeline::TimelineCanvas;

/// Where the static site finds the default record (copied into the bundle by trunk).
pub const DEFAULT_RECORD_URL: &str = "data/azerbaijan-belarus.json";

/// Starts the page the bundle was loaded by: the app, or with `?embed=1` the iframe widget.
///
/// Only on the app's own page, marked `<body data-annals-app>`: when `annals-embed.js` loads the
/// same bundle into someone else's page, the wasm start function runs there too, and must not
/// take over that page's body (widgets are mounted on their elements instead).
pub fn start() {
    let Some(window) = web_sys::window() else { return };
    let ours = window.document().and_then(|d| d.body()).is_some_and(|b| b.has_attribute("data-annals-app"));
    if !ours {
        return;
    }
    if embed::frame_requested(&window.location().search().unwrap_or_default()) {
        embed::start_frame();
    } else {
        yew::Renderer::<App>::new().render();
    }
}

/// The app: loads a record, then shows it.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| RecordState::Loading);
    // A file dropped on the app (or named by `?src=` and not read by the page, below).
    let dropped = use_state(|| None::<open::DroppedFile>);
    {
        let state = state.dispatcher();
        let dropped = dropped.clone();
        use_effect_with((), move |_| {
            let (src, stream) = (query_param("src"), query_param("stream"));
            wasm_bindgen_futures::spawn_local(async move {
                // A file named in the address wins; otherwise the service's stream, if there
                // is a service; otherwise the default record shipped with the static site.
                let loaded = record::fetch_record(src.clone(), stream, "").await;
                let failed = matches!(loaded, RecordState::Failed(_));
                state.dispatch(RecordAction::Loaded(loaded));
                // The page reads Annals files only: a named file it could not read (another
                // tool's format, or one with problems) goes to the opener, which reads every
                // format and reports every problem.
                if let (true, Some(url)) = (failed, src) {
                    if let Some(file) = open::fetch_file(&url).await {
                        dropped.set(Some(open::DroppedFile(file, 0)));
                    }
                }
            });
        });
    }
    // Follow the stream live when it comes from the service.
    {
        let dispatcher = state.dispatcher();
        let live = match &*state {
            RecordState::Ready(r) => r.live.clone().map(|s| (s, r.projections().catalog.last_position())),
            _ => None,
        };
        let follow = live.as_ref().map(|(s, _)| s.clone());
        use_effect_with(follow, move |_| {
            let source = live.and_then(|(stream, after)| live::follow("", &stream, after, dispatcher));
            move || drop(source)
        });
    }
    // A file dropped anywhere on the app is opened (the drop is taken on the app's element,
    // not the whole document).
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let ondrop = {
        let dropped = dropped.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(file) = open::dropped_file(&e) {
                let n = dropped.as_ref().map_or(0, |d| d.1 + 1);
                dropped.set(Some(open::DroppedFile(file, n)));
            }
        })
    };
    let on_view = {
        let state = state.dispatcher();
        Callback::from(move |record: Rc<Record>| {
            // A new record starts from its own whole view, not the window and selection of
            // the one before.
            if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("#"));
            }
            state.dispatch(RecordAction::Loaded(RecordState::Ready(record)));
        })
    };
    html! {
        <main class="annals" {ondragover} {ondrop}>
            <open::Opener on_view={on_view} dropped={(*dropped).clone()}
                current={match &*state { RecordState::Ready(r) => Some(r.clone()), _ => None }} />
            { match &*state {
                RecordState::Loading => html! { <p class="status" role="status">{ "Loading the record…" }</p> },
                RecordState::Failed(message) => html! { <p class="status error" role="alert">{ message.clone() }</p> },
                RecordState::Ready(record) => html! { <Explorer key={record.id()} record={record.clone()} /> },
            } }
        </main>
    }
}

/// A parameter of the page address (`?src=URL` names the record to load, `?stream=` the
/// service's stream).
fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let prefix = format!("{name}=");
    search
        .trim_start_matches('?')
        .split('&')
        .find_map(|p| p.strip_prefix(prefix.as_str()))
        .map(state::decode)
        .filter(|s| !s.is_empty())
}

pub(crate) mod live {
    //! Live updates from `annals serve` (at `base`): an `EventSource` on the stream's `/live`,
    //! from the position the page has. The browser reconnects by itself and sends `Last-Event-ID`, so
    //! nothing is lost or repeated; each envelope is folded into the record (in place, see `record`).

    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{EventSource, MessageEvent};
    use yew::UseReducerDispatcher;

    use crate::record::{RecordAction, RecordState};

    /// The open connection; closed when dropped.
    pub struct Following {
        source: EventSource,
        _on_message: Closure<dyn FnMut(MessageEvent)>,
    }

    impl Drop for Following {
        fn drop(&mut self) {
            self.source.close();
        }
    }

    pub fn follow(
        base: &str,
        stream: &str,
        after: u64,
        records: UseReducerDispatcher<RecordState>,
    ) -> Option<Following> {
        let url = format!("{base}api/streams/{}/live?after={after}", crate::state::encode(stream));
        let source = EventSource::new(&url).ok()?;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let Some(text) = e.data().as_string() else { return };
            let Ok(env) = serde_json::from_str::<annals_core::Envelope>(&text) else { return };
            records.dispatch(RecordAction::Append(Box::new(env)));
        });
        source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Some(Following { source, _on_message: on_message })
    }
}

/// Props of [`Explorer`].
#[derive(Properties, PartialEq)]
pub struct ExplorerProps {
    /// The record to explore.
    pub record: Rc<Record>,
}

/// The whole-record view, with the time extent padded so nothing sits on the edge.
pub fn default_view(record: &Record) -> View {
    let (lo, hi) = record.projections().timeline.extent().unwrap_or((0, 365));
    let pad = (f64::from(hi - lo) * 0.04).max(30.0);
    View { from: f64::from(lo) - pad, to: f64::from(hi) + pad, ..View::default() }
}

/// The timeline, filters, list and details of one record.
#[function_component(Explorer)]
pub fn explorer(props: &ExplorerProps) -> Html {
    let record = props.record.clone();
    // The whole-record view scans every event for its extent: once per record, not per frame.
    let initial = use_memo(Rc::as_ptr(&record) as usize, {
        let record = record.clone();
        move |_| default_view(&record)
    });
    let initial = (*initial).clone();
    let view = {
        let initial = initial.clone();
        use_reducer(move || View::from_fragment(&fragment::current(), &initial))
    };
    // The URL follows the view, and the view follows the URL.
    fragment::use_fragment_sync(view.clone(), initial.clone(), true);
    let embedding = use_state(|| false);
    // The filters' result, recomputed only when the record or a filter changes — never on a
    // zoom or pan frame.
    let visible =
        use_memo((Rc::as_ptr(&record) as usize, view.kinds.clone(), view.query.clone(), view.actor.clone()), {
            let record = record.clone();
            let view = (*view).clone();
            move |_| {
                let projections = record.projections();
                let catalog = &projections.catalog;
                timeline::visible(&projections.timeline, &view, |id| catalog.actor_name(id).to_owned())
            }
        });
    let stats = use_memo(Rc::as_ptr(&record) as usize, {
        let record = record.clone();
        move |_| record.projections().stats_view()
    });
    html! {
        <>
            <header class="masthead">
                <h1>{ record.title.clone() }
                    if record.live.is_some() { <span class="live" title="New events appear as they are recorded">{ "live" }</span> }
                </h1>
                <p class="summary">
                    { format!("{} events · {} documents signed · {} disputed", stats.events, stats.documents, stats.disputed) }
                </p>
            </header>
            <nav class="tabs" aria-label="Views">
                { for [(Panel::Timeline, "Timeline"), (Panel::Map, "Relation map"), (Panel::Charts, "Charts")].into_iter().map(|(panel, label)| {
                    let handle = view.clone();
                    let onclick = Callback::from(move |_: MouseEvent| handle.dispatch(Action::Show(panel)));
                    html! { <button type="button" aria-pressed={(view.panel == panel).to_string()} {onclick}>{ label }</button> }
                }) }
                <button type="button" class="embed-button" aria-expanded={embedding.to_string()}
                    onclick={{ let e = embedding.clone(); Callback::from(move |_: MouseEvent| e.set(!*e)) }}>{ "Embed" }</button>
            </nav>
            if *embedding {
                <embed::snippet::EmbedPanel record={record.clone()} view={(*view).clone()}
                    onclose={{ let e = embedding.clone(); Callback::from(move |()| e.set(false)) }} />
            }
            <Controls view={view.clone()} extent={(initial.from, initial.to)} record={record.clone()} />
            { match view.panel {
                Panel::Timeline => html! { <TimelineCanvas record={record.clone()} view={view.clone()} visible={visible.clone()} /> },
                Panel::Map => html! { <map::RelationMap record={record.clone()} view={view.clone()} /> },
                Panel::Charts => html! { <charts::Charts record={record.clone()} visible={visible.clone()} /> },
            } }
            <div class="columns">
                <EventList record={record.clone()} view={view.clone()} visible={visible} />
                <Details record={record.clone()} selected={view.selected.clone()} />
            </div>
        </>
    }
}
