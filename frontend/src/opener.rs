//! The opener on the page: the button, the drop zone, the paste box, progress and the
//! report. The reading itself is the one route's (`source`, through `hooks::record`, which
//! also reads a `?src=` file the page cannot read): the opener hands it a person's file and
//! shows what [`Opening`] says.

use std::rc::Rc;

use annals_core::format::Format;
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, File, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::i18n::{en, t, tf, tx};

use crate::hooks::record::Opening;
use crate::number::decimal;
use crate::open::Report;
use crate::record::Record;
use crate::source::Source;

/// Props of [`Opener`].
#[derive(Properties, PartialEq)]
pub struct OpenerProps {
    /// Reads a person's file or text, in the format asked for (or detected).
    pub on_open: Callback<(Source, Option<Format>)>,
    /// Shows a record in every view.
    pub on_view: Callback<Rc<Record>>,
    /// Where reading a file stands.
    pub opening: UseStateHandle<Opening>,
    /// A file dropped on the page, handed over by the page.
    #[prop_or_default]
    pub dropped: Option<DroppedFile>,
    /// The record on screen, to save.
    #[prop_or_default]
    pub current: Option<Rc<Record>>,
}

/// A file dropped somewhere on the page (each drop a new value, so the same file can be
/// dropped twice).
#[derive(Clone)]
pub struct DroppedFile(pub File, pub u32);

impl PartialEq for DroppedFile {
    fn eq(&self, other: &Self) -> bool {
        self.1 == other.1
    }
}

/// Takes the first file of a drop, if any.
pub fn dropped_file(e: &DragEvent) -> Option<File> {
    e.data_transfer()?.files()?.get(0)
}

/// Opens files: a button that shows the picker, the paste box and the format choice; the
/// progress of a file being read; its report.
#[function_component(Opener)]
pub fn opener(props: &OpenerProps) -> Html {
    let open = use_state(|| false);
    let format = use_state(|| None::<Format>);
    let paste_ref = use_node_ref();
    // Under `annals serve`, an editor can import a checked file into a stream.
    let service = use_state(|| false);
    {
        let service = service.clone();
        use_effect_with(*open, move |open| {
            if *open {
                wasm_bindgen_futures::spawn_local(async move { service.set(crate::save::service_here().await) });
            }
        });
    }

    let opening = props.opening.clone();
    // The panel opens when a file starts being read (a drop, or a `?src=` file the page could
    // not read), and folds away when a clean file is shown, so the record has the screen (the
    // status line stays).
    {
        let open = open.clone();
        let key = match &*opening {
            Opening::Busy(..) => Some(true),
            Opening::Checked(report) if report.is_clean() && report.accepted > 0 => Some(false),
            _ => None,
        };
        use_effect_with(key, move |key| {
            if let Some(show) = key {
                open.set(*show);
            }
        });
    }
    let run = {
        let on_open = props.on_open.clone();
        let format = format.clone();
        Callback::from(move |source: Source| on_open.emit((source, *format)))
    };

    // A drop on the page arrives through the props.
    {
        let run = run.clone();
        use_effect_with(props.dropped.clone(), move |dropped| {
            if let Some(DroppedFile(file, _)) = dropped {
                run.emit(Source::File(file.clone()));
            }
        });
    }

    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let on_pick = {
        let run = run.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) else { return };
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                run.emit(Source::File(file));
            }
            input.set_value("");
        })
    };
    let on_paste_read = {
        let run = run.clone();
        let paste_ref = paste_ref.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(area) = paste_ref.cast::<HtmlTextAreaElement>() {
                let text = area.value();
                if !text.trim().is_empty() {
                    run.emit(Source::Text(text));
                }
            }
        })
    };
    let on_format = {
        let format = format.clone();
        Callback::from(move |e: Event| {
            let Some(select) = e.target().and_then(|t| t.dyn_into::<HtmlSelectElement>().ok()) else { return };
            format.set(select.value().parse().ok());
        })
    };
    let body = match &*opening {
        Opening::Idle => html! {},
        Opening::Busy(what, done, total) => html! {
            <div class="open-progress" role="status">
                <label>{ format!("{}… {}%", progress_words(what), if *total > 0.0 { (done / total * 100.0).round() as u32 } else { 0 }) }
                    <progress max={decimal(*total)} value={decimal(*done)}></progress>
                </label>
            </div>
        },
        Opening::Failed(message) => html! { <p class="error" role="alert">{ crate::i18n::said(message) }</p> },
        Opening::Checked(report) => html! {
            <>
                { report_view(report, &props.on_view, &opening) }
                if *service && report.accepted > 0 {
                    <crate::save::Import
                        record={report.record.clone()}
                        stream={crate::save::default_stream(report.stream.as_ref().map(|s| s.as_str()), &report.name)} />
                }
            </>
        },
    };
    html! {
        <section class="opener" aria-label={t("Open your own file")}>
            <button type="button" class="open-toggle" aria-expanded={open.to_string()} onclick={toggle}>
                { tx("Open a file…") }
            </button>
            if let (false, Opening::Checked(report)) = (*open, &*opening) {
                if report.is_clean() {
                    <p class="open-done" role="status">{ tf("Opened {0}", &[&report.summary()]) }</p>
                }
            }
            if *open {
                <div class="open-panel">
                    <p class="note">{ tx("Drop a file anywhere on the page, choose one, or paste its text. Annals reads its own JSON and NDJSON, CSV spreadsheets (TimelineJS or the Annals template), TimelineJS JSON, GDELT and PLOVER exports and HistoryAtState XML. The file stays in your browser.") }</p>
                    <div class="open-row">
                        <label class="search">{ tx("Format") }
                            <select onchange={on_format} aria-label={t("Format of the file")}>
                                <option value="" selected={format.is_none()}>{ tx("Detect automatically") }</option>
                                { for Format::ALL.iter().map(|f| html! {
                                    <option value={f.name()} selected={*format == Some(*f)}>{ f.name() }</option>
                                }) }
                            </select>
                        </label>
                        <label class="file-pick">{ tx("Choose a file") }
                            <input type="file" onchange={on_pick} />
                        </label>
                    </div>
                    <label class="paste">{ tx("…or paste the file's text") }
                        <textarea ref={paste_ref} rows="4" spellcheck="false"></textarea>
                    </label>
                    <button type="button" onclick={on_paste_read}>{ tx("Read the pasted text") }</button>
                    { body }
                    if let Some(record) = &props.current {
                        <crate::save::Export record={record.clone()} />
                    }
                </div>
            }
        </section>
    }
}

/// What the worker says it is doing ("Reading the records of events.csv"), in the interface's
/// language: the worker's few progress sentences are known, and translated by their form.
fn progress_words(what: &str) -> String {
    if let Some(name) = what.strip_prefix("Reading the records of ") {
        return tf("Reading the records of {0}", &[&name]);
    }
    let checking = what.strip_prefix("Checking the ").and_then(|r| r.split_once(" records of "));
    if let Some((n, name)) = checking {
        return tf("Checking the {0} records of {1}", &[&n, &name]);
    }
    match what {
        "Reading" => t("Reading").to_owned(),
        other => other.to_owned(),
    }
}

/// Problems or notes, each with its line, record and field; the first `shown` of them. The
/// list scrolls when long (longer still in Azerbaijani or Belarusian on a phone), so it takes
/// the keyboard's focus to be scrolled, and is named.
fn problem_list(list: &[annals_core::Problem], shown: usize, label: &'static str) -> Html {
    html! {
        <>
            <ol class="problems" tabindex="0" aria-label={t(label)}>
                { for list.iter().take(shown).map(|d| html! {
                    <li>
                        if let Some(l) = d.line { <span class="where">{ tf("line {0}", &[&l]) }</span> }
                        if let Some(r) = d.record { <span class="where">{ tf("record {0}", &[&r]) }</span> }
                        if !d.field.is_empty() { <code>{ d.field.clone() }</code> }
                        // In the interface's language; a message the catalog lacks stays English and
                        // is marked so, for a screen reader to pronounce it as English.
                        { english_or_not(crate::i18n::problem(d)) }
                    </li>
                }) }
            </ol>
            if list.len() > shown {
                <p class="note">{ tf("…and {0} more.", &[&crate::i18n::number((list.len() - shown) as u64)]) }</p>
            }
        </>
    }
}

/// A problem's message, marked English when the catalog lacks it (see `i18n::problem`).
fn english_or_not((text, ours): (String, bool)) -> Html {
    html! { <span lang={(!ours).then_some("en")}>{ text }</span> }
}

/// The report of a checked file: counts, problems, and the choice.
fn report_view(report: &Rc<Report>, on_view: &Callback<Rc<Record>>, opening: &UseStateHandle<Opening>) -> Html {
    /// Problems listed before "and N more" (the counts above are always complete).
    const SHOWN: usize = 200;
    let view_valid = {
        let on_view = on_view.clone();
        let report = report.clone();
        let opening = opening.clone();
        Callback::from(move |_: MouseEvent| {
            on_view.emit(report.record.clone());
            opening.set(Opening::Idle);
        })
    };
    let nothing = {
        let opening = opening.clone();
        Callback::from(move |_: MouseEvent| opening.set(Opening::Idle))
    };
    let notes = if report.notes.is_empty() {
        html! {}
    } else {
        html! {
            <details class="notes">
                <summary>{ tf("{0} on how the file was read", &[&crate::words::count(report.notes.len(), "note", "notes")]) }</summary>
                { problem_list(&report.notes, SHOWN, en("Notes on the file")) }
            </details>
        }
    };
    if report.is_clean() {
        return html! {
            <div class="open-done" role="status">
                <p>{ tf("Opened {0}", &[&report.summary()]) }</p>
                { notes }
            </div>
        };
    }
    html! {
        <div class="open-report" role="alert">
            <p><strong>{ report.summary() }</strong></p>
            { problem_list(&report.diagnostics, SHOWN, en("Problems in the file")) }
            { notes }
            <div class="open-choice">
                if report.accepted > 0 {
                    <button type="button" onclick={view_valid}>{ crate::open::view_valid(report.accepted) }</button>
                }
                <button type="button" onclick={nothing}>{ tx("View nothing (keep the current record)") }</button>
            </div>
        </div>
    }
}
