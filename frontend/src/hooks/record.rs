//! `use_record`: the record a shell shows, read by the one route ([`crate::source`]) from the
//! source its page or options name, followed live when it is a stream ([`super::live`]), and
//! replaced by a person's own file when they open one (the app's opener).
//!
//! The app and the widgets differ in one choice only, `partial`: what to do with a file the
//! worker read with problems. A widget has no room for the report, so it shows the valid
//! part at once (with a one-line note, from [`Opening::Checked`]); the app shows the report
//! and lets the person choose (the opener reads [`UseRecord::opening`]).

use std::cell::Cell;
use std::rc::Rc;

use annals_core::format::Format;
use yew::prelude::*;

use super::live::use_live;
use crate::open::Report;
use crate::record::{in_language, Record, RecordAction, RecordState};
use crate::source::{load, Heard, Loading, Opened, Place, Source};

/// Where reading a file in the worker stands (what the opener shows).
#[derive(Clone, PartialEq)]
pub enum Opening {
    /// Nothing read.
    Idle,
    /// A step with progress: what, done, of how many.
    Busy(String, f64, f64),
    /// Nothing could be read; why, for people.
    Failed(String),
    /// Read: the report, with the valid part.
    Checked(Rc<Report>),
}

/// What [`use_record`] gives a shell.
pub struct UseRecord {
    /// The record (or where loading it stands).
    pub state: UseReducerHandle<RecordState>,
    /// The last file read by the worker, for the opener (which may set it back to
    /// [`Opening::Idle`]) and the widget's note.
    pub opening: UseStateHandle<Opening>,
    /// Opens a person's own file (or pasted text), in the format asked for or detected; a
    /// clean one replaces the record at once, one with problems waits in [`UseRecord::opening`].
    pub open: Callback<(Source, Option<Format>)>,
    /// Shows a person's own file in place of the record on screen (the valid part of a report).
    pub show: Callback<Rc<Record>>,
    /// While a file by URL downloads: its bytes in, of how many (0 of 0 when unknown).
    pub received: UseStateHandle<(f64, f64)>,
}

/// Reads the record named by `src` or `stream` (see [`Source::named`]) from `place`, its
/// actors named in `lang`; `partial`: show the valid part of a file with problems at once.
/// `own_address`: the page's address is the shell's (the app), so a record a person opens
/// starts from its own whole view rather than the address's view of the one before.
#[hook]
pub fn use_record(
    named: (Option<String>, Option<String>),
    place: Place,
    lang: Option<String>,
    partial: bool,
    own_address: bool,
) -> UseRecord {
    let state = use_reducer(|| RecordState::Loading);
    let opening = use_state(|| Opening::Idle);
    let received = use_state(|| (0.0, 0.0));
    // What is being read: the named source, and a person's own file (each stopped by the next
    // of its kind, and with the shell).
    let reading = use_mut_ref(|| None::<Loading>);
    let opened = use_mut_ref(|| None::<Loading>);
    use_live(&state, &place.service);

    let show = {
        let (dispatcher, lang) = (state.dispatcher(), lang.clone());
        // What `show` is given is always a person's own file (the opener's).
        Callback::from(move |record: Rc<Record>| {
            let record = Rc::new(record.as_own_file());
            if own_address {
                if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
                    let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("#"));
                }
            }
            dispatcher.dispatch(RecordAction::Loaded(in_language(RecordState::Ready(record), lang.as_deref())));
        })
    };

    {
        let (dispatcher, opening, reading, received) =
            (state.dispatcher(), opening.clone(), reading.clone(), received.clone());
        use_effect_with((named, place.clone(), lang), move |((src, stream), place, lang)| {
            let lang = lang.clone();
            // Whether the worker took the file (then its failure is the opener's to show too).
            let worked = Cell::new(false);
            let hear = move |heard: Heard| {
                let ready = |record: Rc<Record>| in_language(RecordState::Ready(record), lang.as_deref());
                let state = match heard {
                    Heard::Progress(what, done, total) => {
                        worked.set(true);
                        return opening.set(Opening::Busy(what, done, total));
                    }
                    Heard::Received(done, total) => return received.set((done, total)),
                    Heard::Done(Ok(Opened::Record(record))) => ready(record),
                    Heard::Done(Ok(Opened::Checked(report))) => {
                        let shown = report.accepted > 0 && (partial || report.is_clean());
                        let state = match (shown, partial) {
                            (true, _) => ready(report.record.clone()),
                            (false, true) => RecordState::Failed(report.nothing_read()),
                            (false, false) => RecordState::Failed(report.summary()),
                        };
                        opening.set(Opening::Checked(Rc::new(report)));
                        state
                    }
                    Heard::Done(Err(message)) => {
                        if worked.get() {
                            opening.set(Opening::Failed(message.clone()));
                        }
                        RecordState::Failed(message)
                    }
                };
                // A stream read by the window: its arrivals are folded by the reducer.
                if let RecordState::Ready(remote) = &state {
                    if let Some(remote) = &remote.remote {
                        let dispatcher = dispatcher.clone();
                        remote
                            .on_arrival(Rc::new(move |envelopes| dispatcher.dispatch(RecordAction::Merge(envelopes))));
                    }
                }
                dispatcher.dispatch(RecordAction::Loaded(state));
            };
            *reading.borrow_mut() = Some(load(Source::named(src.clone(), stream.clone()), place, None, hear));
            move || drop(reading.borrow_mut().take())
        });
    }

    let open = {
        let (opening, show, place) = (opening.clone(), show.clone(), place);
        Callback::from(move |(source, asked): (Source, Option<Format>)| {
            let name = match &source {
                Source::File(file) => file.name(),
                Source::Text(_) => crate::i18n::t("pasted text").to_owned(),
                Source::Url(url) => url.clone(),
                Source::Service(stream) => stream.clone().unwrap_or_default(),
            };
            opening.set(Opening::Busy(crate::i18n::tf("Starting to read {0}", &[&name]), 0.0, 1.0));
            let (opening, show) = (opening.clone(), show.clone());
            let hear = move |heard: Heard| match heard {
                Heard::Progress(what, done, total) => opening.set(Opening::Busy(what, done, total)),
                Heard::Received(..) => {}
                Heard::Done(Ok(Opened::Record(record))) => {
                    show.emit(record);
                    opening.set(Opening::Idle);
                }
                Heard::Done(Ok(Opened::Checked(report))) => {
                    // A clean file needs no choice: it is shown at once.
                    if report.is_clean() && report.accepted > 0 {
                        show.emit(report.record.clone());
                    }
                    opening.set(Opening::Checked(Rc::new(report)));
                }
                Heard::Done(Err(message)) => opening.set(Opening::Failed(message)),
            };
            *opened.borrow_mut() = Some(load(source, &place, asked, hear));
        })
    };

    UseRecord { state, opening, open, show, received }
}
