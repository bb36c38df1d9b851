//! The embedded widget: one record in the shared record view ([`crate::view::RecordView`],
//! without its filters: the view is fixed by the embed's options and changed by the reader's
//! own zooming, panning and selecting), under a head with the record's title and "Open in
//! Annals".
//!
//! Everything a widget knows lives in its own component state: its record (read by the same
//! hook as the app's, from its own options), its view (a reducer), its live connection. Two
//! widgets on a page share nothing. Only in [`Mode::Frame`] does the view also live in the
//! page's URL fragment (the iframe's own address) and is the height reported to the parent.
//!
//! A `src` the page cannot read as an Annals file (a CSV, a TimelineJS JSON, …) is read by the
//! file-opening worker with the bytes already fetched (see `source`), the worker's files at
//! the widget's `base`. The widget shows the accepted records; it has no room for the report,
//! so a file with problems gets one line saying how many records were not read and pointing to
//! "Open in Annals", where the opener shows the whole report.

use std::rc::Rc;

use yew::prelude::*;

use super::snippet::app_url;
use super::{height, Mode, Options};
use crate::address::absolute;
use crate::context::InEmbed;
use crate::hooks::record::{use_record, Opening};
use crate::hooks::view::use_view;
use crate::i18n::{browser_language, t, tx, Lang};
use crate::record::{Record, RecordState};
use crate::source::Place;
use crate::view::RecordView;

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

/// Starts the iframe page: the widget alone, on the page's body, options from the address.
pub fn start_frame() {
    let Some(window) = web_sys::window() else { return };
    let options = Options::from_query(&window.location().search().unwrap_or_default());
    // The frame is a page of its own: its root element carries the language and theme so the
    // page background follows them too.
    // (Its `lang` is set by the widget, once it knows the language it speaks.)
    if let Some(html) = window.document().and_then(|d| d.document_element()) {
        let _ = html.set_attribute("data-theme", options.theme.name());
        let _ = html.set_attribute("class", "embed-frame");
    }
    let lang = options.lang.as_deref().and_then(Lang::from_tag).unwrap_or_else(browser_language);
    let props = WidgetProps { options: Rc::new(options), mode: Mode::Frame, base: String::new() };
    crate::i18n::choose(
        lang,
        String::new(),
        Box::new(move || {
            yew::Renderer::<Widget>::with_props(props).render();
        }),
    );
}

/// The language a widget speaks: its `lang` option, else (an element) its host page's
/// `<html lang>`, else the reader's browser's; English if the interface speaks none of them.
pub fn language(options: &Options, frame: bool) -> Lang {
    let host = || (!frame).then(host_language).flatten().and_then(|h| Lang::from_tag(&h));
    options.lang.as_deref().and_then(Lang::from_tag).or_else(host).unwrap_or_else(browser_language)
}

/// Loads the record its options name, then shows it.
#[function_component(Widget)]
pub fn widget(props: &WidgetProps) -> Html {
    let options = &props.options;
    let place =
        Place { bundle: props.base.clone(), service: options.service.clone().unwrap_or_else(|| props.base.clone()) };
    // A file with problems: the valid part at once (there is no room for the report).
    let named = (options.src.clone(), options.stream.clone());
    let record = use_record(named, place, options.lang.clone(), true, false);
    // The interface's language (loaded before the widget was mounted, see `language`). The
    // root's `lang` is the option's tag where it names that language ("ru-BY"), else its code.
    let frame = props.mode == Mode::Frame;
    let shown = crate::i18n::current();
    let tag =
        options.lang.clone().filter(|l| Lang::from_tag(l) == Some(shown)).unwrap_or_else(|| shown.code().to_owned());
    if frame {
        if let Some(html) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = html.set_attribute("lang", &tag);
        }
    }
    let note = match &*record.opening {
        Opening::Checked(report) => report.widget_note(),
        _ => None,
    };
    let root = use_node_ref();
    height::use_height_reporter(root.clone(), props.mode == Mode::Frame, options.child_id.clone());
    let style = options.height.map(|h| format!("height:{h}px;overflow:auto"));
    html! {
        // The iframe page is a document of its own: its content is its main landmark.
        <@{if props.mode == Mode::Frame { "main" } else { "div" }} ref={root} class="annals embed" data-theme={options.theme.name()} lang={tag} {style}>
            <ContextProvider<InEmbed> context={InEmbed}>
            { match &*record.state {
                RecordState::Loading => html! { <p class="status" role="status">{ tx("Loading the record…") }</p> },
                RecordState::Failed(message) => html! { <p class="status error" role="alert">{ crate::rich::linked(&crate::i18n::said(message)) }</p> },
                RecordState::Ready(record) => html! {
                    <>
                        if let Some(note) = note {
                            <p class="note embed-note" role="status">{ note }</p>
                        }
                        <Embedded record={record.clone()} options={options.clone()} mode={props.mode} base={props.base.clone()} />
                    </>
                },
            } }
            </ContextProvider<InEmbed>>
        </@>
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

/// The widget's view of a loaded record: its head, then the shared record view.
#[function_component(Embedded)]
pub fn embedded(props: &EmbeddedProps) -> Html {
    let record = props.record.clone();
    let frame = props.mode == Mode::Frame;
    // The frame's own fragment (a deep link into the iframe) wins over the options.
    let view = use_view(&record, &props.options.view, frame);
    {
        let title = record.title_shown().text.to_owned();
        use_effect_with((frame, title), |(frame, title)| {
            if let (true, Some(d)) = (*frame, web_sys::window().and_then(|w| w.document())) {
                d.set_title(&format!("{title} — Annals"));
            }
        });
    }
    let link = open_link(&props.options, frame, &props.base, &view.to_fragment());
    // The title in the widget's language where the record has it, marked (as the app's
    // masthead marks it) as the editors' translation or as shown in another language.
    let title = record.title_shown();
    let title_note = crate::shown::note(&title);
    html! {
        <>
            // Not a <header>: on a host page that would be one more banner per widget. The
            // iframe page's title is its own page's first heading; on a host page, a section's.
            <div class="embed-head">
                <@{if frame { "h1" } else { "h2" }} class="embed-title">{ crate::shown::words(&title) }
                    if let Some(n) = title_note { { " " }<span class="badge lang-badge">{ n }</span> }
                    if record.live.is_some() { { " " }<span class="live" title={t("New events appear as they are recorded")}>{ tx("live") }</span> }
                </@>
                <a class="embed-open" href={link} target="_blank" rel="noopener">{ tx("Open in Annals") }</a>
            </div>
            <RecordView {record} {view} controls={false} />
        </>
    }
}

/// The language of the page that holds an element widget (its root's `lang`), if it says.
fn host_language() -> Option<String> {
    let root = web_sys::window()?.document()?.document_element()?;
    root.get_attribute("lang").filter(|l| !l.is_empty())
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
    app_url(&page, src.as_deref(), options.stream.as_deref(), fragment)
}
