//! # annals-web
//!
//! The Annals browser app, on `annals-core` compiled to WebAssembly: the same loader,
//! validator and projections as the service, so a file means the same thing in both.
//!
//! Two shells show one record view: the app page ([`app`]) and the widget for other pages
//! ([`embed`]). Each only chooses where its record comes from and what surrounds it; the
//! record view itself ([`view`]), the route from a source to a record ([`source`]) and the
//! hooks that load, follow and filter ([`hooks`]) are shared.
//!
//! - [`app`] — the app page: opener, masthead, tabs, Embed panel around the record view;
//! - [`embed`] — the widget in other pages: the iframe page, the custom element, the snippets;
//! - [`view`] — the one record view: visual, filters, list, details;
//! - [`source`] — the one route from a source (URL, stream, file, text) to a record;
//! - [`hooks`] — loading, live updates, the view and its URL, the filters' result, gestures;
//! - [`record`] — a record on screen, folded, and its streaming decode;
//! - [`state`] — the view (window, filters, selection) as a pure reducer, and its URL form;
//! - [`visible`] — the events that pass the filters;
//! - [`geometry`] — the timeline's scale, ticks, marks and hit-testing, pure;
//! - [`timeline`] — the canvas timeline;
//! - [`map`] — the relation map, with its as-of replay;
//! - [`charts`] — events per year and documents signed (plotters);
//! - [`panels`] — details, the accessible list of events in view, filters;
//! - [`palette`] — the colours of event kinds;
//! - [`i18n`] — the interface's language: texts, dates, numbers and plural forms;
//! - [`shown`] — the record's own text in the reader's language, marked where it is not;
//! - [`context`] — whether a view runs embedded in someone else's page;
//! - [`open`] — what opening a file needs, pure: the report and the builder of the checked log;
//! - [`opener`] — the opener (picker, drop, paste) and its report, on the page;
//! - [`worker`] — the page's end of the file-opening worker;
//! - [`http`] — the page's requests, on the browser's `fetch`;
//! - [`save`] — saving the record in any format, importing it into the service;
//! - [`address`] — query strings, fragments and URLs;
//! - [`fragment`] — the view in the page's URL fragment (never on a host page);
//! - [`number`] — numbers written for CSS and test hooks (one float writer in the bundle);
//! - [`theme`] — the colours canvases paint with, from the stylesheet's custom properties.

pub mod address;
pub mod app;
pub mod charts;
pub mod context;
pub mod embed;
pub mod found;
pub mod fragment;
pub mod geometry;
pub mod hooks;
pub mod http;
pub mod i18n;
pub mod map;
pub mod media;
pub mod number;
pub mod open;
pub mod opener;
pub mod palette;
pub mod panels;
pub mod picture;
pub mod print;
pub mod record;
pub mod remote;
pub mod rich;
pub mod save;
pub mod shown;
pub mod source;
pub mod state;
pub mod story;
pub mod theme;
pub mod timeline;
pub mod view;
pub mod visible;
pub mod visuals;
pub mod words;
pub mod worker;

pub use app::{App, Explorer, ExplorerProps};

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
        embed::widget::start_frame();
    } else {
        // In the language `?lang=` names, else the browser's: its texts first, then the app.
        let lang =
            address::param("lang").as_deref().and_then(i18n::Lang::from_tag).unwrap_or_else(i18n::browser_language);
        i18n::choose(
            lang,
            String::new(),
            Box::new(|| {
                yew::Renderer::<App>::new().render();
            }),
        );
    }
}
