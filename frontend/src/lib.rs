//! # annals-web
//!
//! The Annals browser app, on `annals-core` compiled to WebAssembly: the same loader,
//! validator and projections as the service, so a file means the same thing in both.
//!
//! This first version loads the default record and lists it in order of occurrence with
//! its sources; the timeline canvas, relation map and charts build on the same state.

pub mod record;

use std::rc::Rc;

use yew::prelude::*;

use record::{Record, RecordState};

/// Where the static site finds the default record (copied into the bundle by trunk).
pub const DEFAULT_RECORD_URL: &str = "data/azerbaijan-belarus.json";

/// Mounts the app on the page's body.
pub fn start() {
    yew::Renderer::<App>::new().render();
}

/// The app: loads a record, then shows it.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_state(|| RecordState::Loading);
    {
        let state = state.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                state.set(record::fetch(DEFAULT_RECORD_URL).await);
            });
        });
    }
    html! {
        <main class="annals">
            { match &*state {
                RecordState::Loading => html! { <p class="status" role="status">{ "Loading the record…" }</p> },
                RecordState::Failed(message) => html! { <p class="status error" role="alert">{ message.clone() }</p> },
                RecordState::Ready(record) => html! { <RecordList record={record.clone()} /> },
            } }
        </main>
    }
}

/// Props of [`RecordList`].
#[derive(Properties, PartialEq)]
pub struct RecordListProps {
    /// The record to list.
    pub record: Rc<Record>,
}

/// The events of a record in order of occurrence, with their sources.
#[function_component(RecordList)]
pub fn record_list(props: &RecordListProps) -> Html {
    let record = &props.record;
    let p = &record.projections;
    let stats = p.stats_view();
    html! {
        <>
            <header>
                <h1>{ record.title.clone() }</h1>
                <p class="summary">
                    { format!("{} events · {} documents signed · {} disputed", stats.events, stats.documents, stats.disputed) }
                </p>
            </header>
            <ol class="events">
                { for p.timeline.entries().map(|r| html! {
                    <li class={classes!("event", r.kind.name(), r.is_disputed().then_some("disputed"))} key={r.id.as_str()}>
                        <span class="date">{ r.event.occurred.label() }</span>
                        <span class="kind">{ r.kind.label() }</span>
                        <span class="title">{ r.event.title.clone() }</span>
                        if r.is_disputed() { <span class="badge">{ "disputed" }</span> }
                        <ul class="sources">
                            { for r.event.sources.iter().map(|s| html! {
                                <li>{ record::source_link(s) }</li>
                            }) }
                        </ul>
                    </li>
                }) }
            </ol>
        </>
    }
}
