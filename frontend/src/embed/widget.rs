//! The embedded widget: one record, one visual (timeline, map or charts), the list of events in
//! view and the details of the selected one — no tabs, no filter bar, the view fixed by the
//! embed's options and changed by the reader's own zooming, panning and selecting.
//!
//! Everything a widget knows lives in its own component state: its record (loaded from its own
//! options), its view (a reducer), its live connection. Two widgets on a page share nothing.
//! Only in [`Mode::Frame`] does the view also live in the page's URL fragment (the iframe's own
//! address) and is the height reported to the parent.
//!
//! A `src` the page cannot read as an Annals file (a CSV, a TimelineJS JSON, …) is read by the
//! file-opening worker, as the app's opener reads it ([`crate::open::ui::read`], the worker's
//! files at the widget's `base`). The widget shows the accepted records; it has no room for
//! the report, so a file with problems gets one line saying how many records were not read
//! and pointing to "Open in Annals", where the opener shows the whole report.

use std::rc::Rc;

use yew::prelude::*;

use super::{height, Mode, Options};
use crate::panels::{Details, EventList};
use crate::record::{self, Record, RecordAction, RecordState};
use crate::state::{Panel, View};
use crate::timeline::TimelineCanvas;

/// Props of [`Widget`].
#[derive(Properties, PartialEq, Clone)]
pub struct WidgetProps {
    /// What to show.
    pub options: Rc<Options>,
    /// Iframe page or custom element.
    pub mode: Mode,
    /// Where the bundle is (ending in `/`), or empty on the bundle's own page.
    pub base: String,
}

/// Loads the record its options name, then shows it.
#[function_component(Widget)]
pub fn widget(props: &WidgetProps) -> Html {
    let options = &props.options;
    let state = use_reducer(|| RecordState::Loading);
    // What the widget says about a file read with problems.
    let note = use_state(|| None::<String>);
    // The worker reading a file of another format; stopped with the widget or a new `src`.
    let reader = use_mut_ref(|| None::<crate::open::ui::Reader>);
    let service = options.service.clone().unwrap_or_else(|| props.base.clone());
    {
        let dispatcher = state.dispatcher();
        let (note, reader) = (note.clone(), reader.clone());
        let worker_base = props.base.clone();
        let key = (options.src.clone(), options.stream.clone(), service.clone(), options.lang.clone());
        use_effect_with(key, move |(src, stream, service, lang)| {
            let (src, stream, service, lang) = (src.clone(), stream.clone(), service.clone(), lang.clone());
            note.set(None);
            let stop = reader.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let loaded = record::fetch_record(src.clone(), stream, &service).await;
                let Some(url) = src.filter(|_| matches!(loaded, RecordState::Failed(_))) else {
                    dispatcher.dispatch(RecordAction::Loaded(record::in_language(loaded, lang.as_deref())));
                    return;
                };
                // Not an Annals file (or one with problems): the worker reads every format.
                let Some(file) = crate::open::fetch_file(&url).await else {
                    dispatcher.dispatch(RecordAction::Loaded(loaded));
                    return;
                };
                let done = {
                    let dispatcher = dispatcher.clone();
                    move |built: Result<crate::open::Report, String>| {
                        let state = match built {
                            Ok(report) if report.accepted > 0 => {
                                note.set(report.widget_note());
                                record::in_language(RecordState::Ready(report.record.clone()), lang.as_deref())
                            }
                            Ok(report) => RecordState::Failed(report.nothing_read()),
                            Err(message) => RecordState::Failed(message),
                        };
                        dispatcher.dispatch(RecordAction::Loaded(state));
                    }
                };
                let started = crate::open::ui::read(&worker_base, &file.name(), None, &file.into(), |_, _, _| {}, done);
                match started {
                    Ok(started) => *reader.borrow_mut() = Some(started),
                    Err(message) => dispatcher.dispatch(RecordAction::Loaded(RecordState::Failed(message))),
                }
            });
            move || drop(stop.borrow_mut().take())
        });
    }
    // A stream of the service is followed live, like in the app.
    {
        let dispatcher = state.dispatcher();
        let live = match &*state {
            RecordState::Ready(r) => r.live.clone().map(|s| (s, r.projections().catalog.last_position())),
            _ => None,
        };
        let follow = live.as_ref().map(|(s, _)| s.clone());
        let service = service.clone();
        use_effect_with(follow, move |_| {
            let source = live.and_then(|(stream, after)| crate::live::follow(&service, &stream, after, dispatcher));
            move || drop(source)
        });
    }
    let root = use_node_ref();
    height::use_height_reporter(root.clone(), props.mode == Mode::Frame, options.child_id.clone());
    let style = options.height.map(|h| format!("height:{h}px;overflow:auto"));
    html! {
        <div ref={root} class="annals embed" data-theme={options.theme.name()} lang={options.lang.clone()} {style}>
            <ContextProvider<super::InEmbed> context={super::InEmbed}>
            { match &*state {
                RecordState::Loading => html! { <p class="status" role="status">{ "Loading the record…" }</p> },
                RecordState::Failed(message) => html! { <p class="status error" role="alert">{ message.clone() }</p> },
                RecordState::Ready(record) => html! {
                    <>
                        if let Some(note) = &*note {
                            <p class="note embed-note" role="status">{ note.clone() }</p>
                        }
                        <Embedded record={record.clone()} options={options.clone()} mode={props.mode} base={props.base.clone()} />
                    </>
                },
            } }
            </ContextProvider<super::InEmbed>>
        </div>
    }
}

/// Props of [`Embedded`].
#[derive(Properties, PartialEq)]
pub struct EmbeddedProps {
    /// The record.
    pub record: Rc<Record>,
    /// The options.
    pub options: Rc<Options>,
    /// Iframe page or custom element.
    pub mode: Mode,
    /// Where the bundle is.
    pub base: String,
}

/// The widget's view of a loaded record.
#[function_component(Embedded)]
pub fn embedded(props: &EmbeddedProps) -> Html {
    let record = props.record.clone();
    let frame = props.mode == Mode::Frame;
    let initial = use_memo((Rc::as_ptr(&record) as usize, props.options.view.clone()), {
        let record = record.clone();
        let options = props.options.clone();
        move |_| options.initial_view(&crate::default_view(&record))
    });
    let initial = (*initial).clone();
    let view = {
        let initial = initial.clone();
        // The frame's own fragment (a deep link into the iframe) wins over the options.
        use_reducer(move || if frame { View::from_fragment(&crate::fragment::current(), &initial) } else { initial })
    };
    crate::fragment::use_fragment_sync(view.clone(), initial.clone(), frame);
    {
        let title = record.title.clone();
        use_effect_with((frame, title), |(frame, title)| {
            if let (true, Some(d)) = (*frame, web_sys::window().and_then(|w| w.document())) {
                d.set_title(&format!("{title} — Annals"));
            }
        });
    }
    let visible =
        use_memo((Rc::as_ptr(&record) as usize, view.kinds.clone(), view.query.clone(), view.actor.clone()), {
            let record = record.clone();
            let view = (*view).clone();
            move |_| {
                let projections = record.projections();
                let catalog = &projections.catalog;
                crate::timeline::visible(&projections.timeline, &view, |id| catalog.actor_name(id).to_owned())
            }
        });
    let link = open_link(&props.options, frame, &props.base, &view.to_fragment());
    html! {
        <>
            <header class="embed-head">
                <h2 class="embed-title">{ record.title.clone() }
                    if record.live.is_some() { <span class="live" title="New events appear as they are recorded">{ "live" }</span> }
                </h2>
                <a class="embed-open" href={link} target="_blank" rel="noopener">{ "Open in Annals" }</a>
            </header>
            { match view.panel {
                Panel::Timeline => html! { <TimelineCanvas record={record.clone()} view={view.clone()} visible={visible.clone()} /> },
                Panel::Map => html! { <crate::map::RelationMap record={record.clone()} view={view.clone()} /> },
                Panel::Charts => html! { <crate::charts::Charts record={record.clone()} visible={visible.clone()} /> },
            } }
            <div class="columns">
                <EventList record={record.clone()} view={view.clone()} visible={visible} />
                <Details record={record.clone()} selected={view.selected.clone()} />
            </div>
        </>
    }
}

/// The app's page showing the same record and view, for "Open in Annals": the frame's own
/// address without the embed options, or, for an element, the app next to the script.
fn open_link(options: &Options, frame: bool, base: &str, fragment: &str) -> String {
    let page = if frame {
        web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_default()
    } else {
        base.to_owned()
    };
    // A relative `src` is relative to the page that holds the widget; the app is elsewhere.
    let src = options.src.as_deref().map(|s| absolute(s).unwrap_or_else(|| s.to_owned()));
    super::snippet::app_url(&page, src.as_deref(), options.stream.as_deref(), fragment)
}

/// A URL made absolute against the document's base URL.
pub fn absolute(url: &str) -> Option<String> {
    let base = web_sys::window()?.document()?.base_uri().ok()??;
    web_sys::Url::new_with_base(url, &base).ok().map(|u| u.href())
}
