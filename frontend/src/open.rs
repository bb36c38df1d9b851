//! Opening a person's own file in the browser: by picker, by dropping it on the page, by
//! pasting its text, or by `?src=URL` (see [`crate::record::fetch`]).
//!
//! A file is checked by the same core loader as `annals validate`, so it is accepted or
//! refused for the same reasons as on the command line. Nothing is half-loaded silently:
//! a clean file becomes the current record at once; a file with problems shows a report
//! (counts, and every problem with its line, record and field), and the person chooses to
//! view the valid part or nothing — the record on screen stays until they choose.
//!
//! Large files keep the page responsive. The work is cut into steps with a yield to the
//! browser between them, and the page shows which step it is on:
//! - the file is read in slices of [`READ_SLICE`] bytes;
//! - an NDJSON log is decoded in parts of about [`PART_BYTES`], cut at line ends, then
//!   validated once as a whole (a log may register an actor after the record that names it,
//!   so a part cannot be validated alone);
//! - the accepted events are folded into the projections [`FOLD_STEP`] at a time.
//!
//! The checking is pure ([`Checker`]) and tested natively; only the reading and the
//! yielding touch the browser.

use std::rc::Rc;

use annals_core::format::native::NdjsonParts;
use annals_core::format::{load, Diagnostic, Format, Loaded};
use annals_core::projection::{AsOf, Projections};
use annals_core::validate::Nothing;
use annals_core::{Envelope, StreamName, Timestamp};

use crate::record::Record;

/// Bytes read from a file between two yields to the browser.
pub const READ_SLICE: usize = 4 << 20;
/// About how many bytes of an NDJSON log are decoded between two yields.
pub const PART_BYTES: usize = 2 << 20;
/// Envelopes folded into the projections between two yields.
pub const FOLD_STEP: usize = 20_000;

/// Cuts an NDJSON log into parts of at least `target` bytes that end at a line end (the last
/// part takes the rest). Returns `(start, end, first line)` of each part; line numbers are
/// 1-based.
pub fn line_parts(bytes: &[u8], target: usize) -> Vec<(usize, usize, usize)> {
    let mut parts = Vec::new();
    let (mut start, mut line) = (0, 1);
    while start < bytes.len() {
        let want = (start + target.max(1)).min(bytes.len());
        let end = match bytes[want..].iter().position(|b| *b == b'\n') {
            Some(i) => want + i + 1,
            None => bytes.len(),
        };
        parts.push((start, end, line));
        line += bytes[start..end].iter().filter(|b| **b == b'\n').count();
        start = end;
    }
    parts
}

/// Checks a file in steps and folds what it accepts, so a large file can be shown with
/// progress and without freezing the page. [`Checker::step`] does one step; the result is
/// the same wherever the steps fall.
pub struct Checker {
    name: String,
    format: Format,
    stage: Stage,
    fold_step: usize,
}

enum Stage {
    /// Decoding an NDJSON log: the bytes, where the parts are cut, the next part.
    Decoding {
        bytes: Vec<u8>,
        parts: Vec<(usize, usize, usize)>,
        next: usize,
        log: NdjsonParts,
    },
    /// A file read whole.
    Whole {
        bytes: Vec<u8>,
    },
    /// Folding the accepted envelopes into the projections.
    Folding {
        loaded: Box<Loaded>,
        envelopes: Vec<Envelope>,
        projections: Box<Projections>,
        next: usize,
    },
    Done(Box<Report>),
    /// Between two stages.
    Moving,
}

/// How far a [`Checker`] is: what it is doing, how much of it is done, of how much.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// The step, for people.
    pub what: String,
    /// Done so far.
    pub done: f64,
    /// Of this much.
    pub total: f64,
    /// True when the report is ready ([`Checker::report`]).
    pub finished: bool,
}

impl Progress {
    fn new(what: String, done: usize, total: usize) -> Self {
        Self { what, done: done as f64, total: total as f64, finished: false }
    }

    fn finished() -> Self {
        Self { what: "Done".into(), done: 1.0, total: 1.0, finished: true }
    }
}

impl Checker {
    /// A checker for `bytes`, the file `name` read as `format`; an NDJSON log is decoded in
    /// parts of about `part_bytes`, and `fold_step` envelopes are folded per step.
    pub fn new(bytes: Vec<u8>, name: &str, format: Format, part_bytes: usize, fold_step: usize) -> Self {
        // A log that is not UTF-8 is read whole, so the reader says where the bad byte is.
        let stage = if format == Format::AnnalsNdjson && std::str::from_utf8(&bytes).is_ok() {
            let parts = line_parts(&bytes, part_bytes);
            Stage::Decoding { bytes, parts, next: 0, log: NdjsonParts::default() }
        } else {
            Stage::Whole { bytes }
        };
        Self { name: name.to_owned(), format, stage, fold_step: fold_step.max(1) }
    }

    /// Does one step of the work and says how far it is.
    pub fn step(&mut self) -> Progress {
        let name = self.name.clone();
        match std::mem::replace(&mut self.stage, Stage::Moving) {
            Stage::Decoding { bytes, parts, next, mut log } => match parts.get(next) {
                Some(&(start, end, line)) => {
                    // Parts end at line ends, so each is UTF-8 when the whole is.
                    log.decode(std::str::from_utf8(&bytes[start..end]).unwrap_or_default(), line);
                    let total = bytes.len();
                    self.stage = Stage::Decoding { bytes, parts, next: next + 1, log };
                    Progress::new(format!("Reading the records of {name}"), end, total)
                }
                None => self.start_folding(log.finish(&Nothing)),
            },
            Stage::Whole { bytes } => {
                let loaded = load(&bytes, &name, Some(self.format), &Nothing);
                self.start_folding(loaded)
            }
            Stage::Folding { loaded, envelopes, mut projections, next } => {
                let end = (next + self.fold_step).min(envelopes.len());
                projections.extend(&envelopes[next..end]);
                let total = envelopes.len();
                if end < total {
                    self.stage = Stage::Folding { loaded, envelopes, projections, next: end };
                    return Progress::new(format!("Building the views of {name}"), end, total);
                }
                let loaded = *loaded;
                let title = loaded.title.clone().unwrap_or_else(|| name.clone());
                self.stage = Stage::Done(Box::new(Report {
                    name,
                    format: self.format,
                    accepted: envelopes.len(),
                    stream: loaded.stream,
                    record: Rc::new(Record::folded(title, *projections, envelopes, None)),
                    rejected: loaded.rejected,
                    diagnostics: loaded.diagnostics,
                    notes: loaded.notes,
                }));
                Progress::finished()
            }
            done @ Stage::Done(_) => {
                self.stage = done;
                Progress::finished()
            }
            Stage::Moving => Progress::finished(),
        }
    }

    fn start_folding(&mut self, mut loaded: Loaded) -> Progress {
        let stream = loaded.stream.clone().unwrap_or_else(|| StreamName::from("default"));
        // The accepted records become the envelopes; the rest of `loaded` is the report.
        let accepted = std::mem::take(&mut loaded.accepted);
        let count = accepted.len();
        let part = Loaded {
            format: loaded.format,
            stream: loaded.stream.clone(),
            title: None,
            description: None,
            accepted,
            rejected: 0,
            diagnostics: Vec::new(),
            notes: Vec::new(),
        };
        let envelopes = part.into_envelopes(&stream, Timestamp(0));
        let what = format!("Building the views of {}", self.name);
        self.stage = Stage::Folding {
            loaded: Box::new(loaded),
            envelopes,
            projections: Box::new(Projections::new(AsOf::NOW)),
            next: 0,
        };
        Progress::new(what, 0, count)
    }

    /// The report, once [`Checker::step`] said it is finished.
    pub fn report(self) -> Option<Report> {
        match self.stage {
            Stage::Done(report) => Some(*report),
            _ => None,
        }
    }
}

/// What checking a file found.
#[derive(Debug)]
pub struct Report {
    /// The file's name.
    pub name: String,
    /// The format it was read as.
    pub format: Format,
    /// Records accepted.
    pub accepted: usize,
    /// Records rejected.
    pub rejected: usize,
    /// Every problem, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// Remarks that are not problems (a column not read, a value kept under `codes`).
    pub notes: Vec<Diagnostic>,
    /// The valid part, ready to show.
    pub record: Rc<Record>,
    /// The stream the file names, if any.
    pub stream: Option<StreamName>,
}

impl Report {
    /// True when the whole file was accepted.
    pub fn is_clean(&self) -> bool {
        self.diagnostics.is_empty()
    }

    /// One line for people: "events.csv (csv): 120 record(s) accepted, 3 rejected, 4 problems".
    pub fn summary(&self) -> String {
        let problems = match self.diagnostics.len() {
            0 => "no problems".to_owned(),
            1 => "1 problem".to_owned(),
            n => format!("{n} problems"),
        };
        format!(
            "{} ({}): {} record(s) accepted, {} rejected, {problems}",
            self.name,
            self.format.name(),
            self.accepted,
            self.rejected
        )
    }
}

/// The format to read `bytes` as: the one asked for, else the detected one.
pub fn format_of(bytes: &[u8], name: &str, asked: Option<Format>) -> Option<Format> {
    asked.or_else(|| annals_core::format::detect(bytes, name))
}

/// Checks a whole file without yielding (what the browser does in steps), for tests.
pub fn check_all(bytes: &[u8], name: &str, asked: Option<Format>, part_bytes: usize) -> Result<Report, String> {
    let format = format_of(bytes, name, asked).ok_or_else(|| cannot_tell(name))?;
    let mut checker = Checker::new(bytes.to_vec(), name, format, part_bytes, part_bytes.clamp(1, FOLD_STEP));
    while !checker.step().finished {}
    checker.report().ok_or_else(|| format!("{name}: checking stopped before the end"))
}

/// The message for a file whose format cannot be told.
pub fn cannot_tell(name: &str) -> String {
    let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
    format!("{name}: could not tell the format of this file; choose one of {} above and try again", names.join(", "))
}

pub use ui::{dropped_file, DroppedFile, Opener, OpenerProps};

mod ui {
    //! The opener: the button, the drop zone, the paste box, progress and the report.

    use std::rc::Rc;

    use annals_core::format::Format;
    use gloo::timers::future::TimeoutFuture;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{DragEvent, File, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
    use yew::prelude::*;

    use super::{cannot_tell, format_of, Checker, Report, FOLD_STEP, PART_BYTES, READ_SLICE};
    use crate::record::Record;

    /// Where opening a file stands.
    #[derive(Clone, PartialEq)]
    enum Opening {
        Idle,
        /// A step with progress: what, done, of how many.
        Busy(String, f64, f64),
        Failed(String),
        Checked(Rc<Report>),
    }

    impl PartialEq for Report {
        fn eq(&self, other: &Self) -> bool {
            std::ptr::eq(self, other)
        }
    }

    /// Props of [`Opener`].
    #[derive(Properties, PartialEq)]
    pub struct OpenerProps {
        /// Shows a record in every view.
        pub on_view: Callback<Rc<Record>>,
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

    /// Reads a file in slices, reporting progress.
    async fn read_file(file: &File, progress: &dyn Fn(f64, f64)) -> Result<Vec<u8>, String> {
        let total = file.size();
        let mut bytes = Vec::with_capacity(total as usize);
        let mut start = 0.0;
        while start < total {
            let end = (start + READ_SLICE as f64).min(total);
            let slice = file.slice_with_f64_and_f64(start, end).map_err(|_| "the browser could not slice the file")?;
            let buffer =
                JsFuture::from(slice.array_buffer()).await.map_err(|_| "the browser could not read the file")?;
            bytes.extend(web_sys::js_sys::Uint8Array::new(&buffer).to_vec());
            start = end;
            progress(start, total);
            TimeoutFuture::new(0).await;
        }
        Ok(bytes)
    }

    /// Checks bytes in steps, yielding to the browser between them.
    async fn check(
        bytes: Vec<u8>,
        name: String,
        asked: Option<Format>,
        progress: &dyn Fn(&str, f64, f64),
    ) -> Result<Report, String> {
        let format = format_of(&bytes, &name, asked).ok_or_else(|| cannot_tell(&name))?;
        let mut checker = Checker::new(bytes, &name, format, PART_BYTES, FOLD_STEP);
        loop {
            let step = checker.step();
            if step.finished {
                break;
            }
            progress(&step.what, step.done, step.total);
            TimeoutFuture::new(0).await;
        }
        checker.report().ok_or_else(|| format!("{name}: checking stopped before the end"))
    }

    /// Opens files: a button that shows the picker, the paste box and the format choice; the
    /// progress of a file being read; its report.
    #[function_component(Opener)]
    pub fn opener(props: &OpenerProps) -> Html {
        let open = use_state(|| false);
        let opening = use_state(|| Opening::Idle);
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

        // One place runs a file or text through reading and checking.
        let run = {
            let opening = opening.clone();
            let open = open.clone();
            let on_view = props.on_view.clone();
            let format = format.clone();
            Callback::from(move |(name, input): (String, Result<File, String>)| {
                let opening = opening.clone();
                let open = open.clone();
                let on_view = on_view.clone();
                let asked = *format;
                wasm_bindgen_futures::spawn_local(async move {
                    let bytes = match input {
                        Ok(file) => {
                            let setter = opening.clone();
                            let label = format!("Reading {name}");
                            let progress = move |done, total| setter.set(Opening::Busy(label.clone(), done, total));
                            match read_file(&file, &progress).await {
                                Ok(b) => b,
                                Err(e) => return opening.set(Opening::Failed(format!("{name}: {e}"))),
                            }
                        }
                        Err(text) => text.into_bytes(),
                    };
                    let setter = opening.clone();
                    let progress =
                        move |what: &str, done, total| setter.set(Opening::Busy(what.to_owned(), done, total));
                    match check(bytes, name, asked, &progress).await {
                        Ok(report) if report.is_clean() && report.accepted > 0 => {
                            // A clean file needs no choice: show it, and fold the panel away
                            // so the record has the screen (the status line stays).
                            on_view.emit(report.record.clone());
                            opening.set(Opening::Checked(Rc::new(report)));
                            open.set(false);
                        }
                        Ok(report) => opening.set(Opening::Checked(Rc::new(report))),
                        Err(message) => opening.set(Opening::Failed(message)),
                    }
                });
            })
        };

        // A drop on the page arrives through the props.
        {
            let run = run.clone();
            let open = open.clone();
            use_effect_with(props.dropped.clone(), move |dropped| {
                if let Some(DroppedFile(file, _)) = dropped {
                    open.set(true);
                    run.emit((file.name(), Ok(file.clone())));
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
                    run.emit((file.name(), Ok(file)));
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
                        run.emit(("pasted text".to_owned(), Err(text)));
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
                    <label>{ format!("{what}… {}%", if *total > 0.0 { (done / total * 100.0).round() } else { 0.0 }) }
                        <progress max={total.to_string()} value={done.to_string()}></progress>
                    </label>
                </div>
            },
            Opening::Failed(message) => html! { <p class="error" role="alert">{ message.clone() }</p> },
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
            <section class="opener" aria-label="Open your own file">
                <button type="button" class="open-toggle" aria-expanded={open.to_string()} onclick={toggle}>
                    { "Open a file…" }
                </button>
                if let (false, Opening::Checked(report)) = (*open, &*opening) {
                    if report.is_clean() {
                        <p class="open-done" role="status">{ format!("Opened {}", report.summary()) }</p>
                    }
                }
                if *open {
                    <div class="open-panel">
                        <p class="note">{ "Drop a file anywhere on the page, choose one, or paste its text. Annals reads its own JSON and NDJSON, CSV spreadsheets (TimelineJS or the Annals template), TimelineJS JSON, GDELT and PLOVER exports and HistoryAtState XML. The file stays in your browser." }</p>
                        <div class="open-row">
                            <label class="search">{ "Format" }
                                <select onchange={on_format} aria-label="Format of the file">
                                    <option value="" selected={format.is_none()}>{ "Detect automatically" }</option>
                                    { for Format::ALL.iter().map(|f| html! {
                                        <option value={f.name()} selected={*format == Some(*f)}>{ f.name() }</option>
                                    }) }
                                </select>
                            </label>
                            <label class="file-pick">{ "Choose a file" }
                                <input type="file" onchange={on_pick} />
                            </label>
                        </div>
                        <label class="paste">{ "…or paste the file's text" }
                            <textarea ref={paste_ref} rows="4" spellcheck="false"></textarea>
                        </label>
                        <button type="button" onclick={on_paste_read}>{ "Read the pasted text" }</button>
                        { body }
                        if let Some(record) = &props.current {
                            <crate::save::Export record={record.clone()} />
                        }
                    </div>
                }
            </section>
        }
    }

    /// Problems or notes, each with its line, record and field; the first `shown` of them.
    fn problem_list(list: &[annals_core::format::Diagnostic], shown: usize) -> Html {
        html! {
            <>
                <ol class="problems">
                    { for list.iter().take(shown).map(|d| html! {
                        <li>
                            if let Some(l) = d.line { <span class="where">{ format!("line {l}") }</span> }
                            if let Some(r) = d.record { <span class="where">{ format!("record {r}") }</span> }
                            if !d.field.is_empty() { <code>{ d.field.clone() }</code> }
                            <span>{ d.message.clone() }</span>
                        </li>
                    }) }
                </ol>
                if list.len() > shown {
                    <p class="note">{ format!("…and {} more.", list.len() - shown) }</p>
                }
            </>
        }
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
                    <summary>{ format!("{} note(s) on how the file was read", report.notes.len()) }</summary>
                    { problem_list(&report.notes, SHOWN) }
                </details>
            }
        };
        if report.is_clean() {
            return html! {
                <div class="open-done" role="status">
                    <p>{ format!("Opened {}", report.summary()) }</p>
                    { notes }
                </div>
            };
        }
        html! {
            <div class="open-report" role="alert">
                <p><strong>{ report.summary() }</strong></p>
                { problem_list(&report.diagnostics, SHOWN) }
                { notes }
                <div class="open-choice">
                    if report.accepted > 0 {
                        <button type="button" onclick={view_valid}>{ format!("View the {} valid records", report.accepted) }</button>
                    }
                    <button type="button" onclick={nothing}>{ "View nothing (keep the current record)" }</button>
                </div>
            </div>
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_end_at_line_ends_and_count_lines() {
        let text = b"a\nbb\nccc\ndddd\n";
        let parts = line_parts(text, 3);
        assert_eq!(parts, vec![(0, 5, 1), (5, 9, 3), (9, 14, 4)]);
        let whole: Vec<u8> = parts.iter().flat_map(|(s, e, _)| text[*s..*e].to_vec()).collect();
        assert_eq!(whole, text);
        assert_eq!(line_parts(b"no newline", 4), vec![(0, 10, 1)]);
        assert!(line_parts(b"", 4).is_empty());
    }

    /// A log checked in small parts says exactly what it says checked whole.
    #[test]
    fn a_log_checked_in_parts_equals_the_log_checked_whole() {
        let bytes =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/examples/invalid.ndjson")).expect("example");
        let whole = check_all(&bytes, "invalid.ndjson", None, usize::MAX).expect("whole");
        for part in [1, 64, 300] {
            let parts = check_all(&bytes, "invalid.ndjson", None, part).expect("parts");
            assert_eq!(parts.diagnostics, whole.diagnostics, "parts of {part} bytes");
            assert_eq!((parts.accepted, parts.rejected), (whole.accepted, whole.rejected));
            assert_eq!(parts.record.projections().timeline.len(), whole.record.projections().timeline.len());
        }
        assert!(whole.accepted > 0 && whole.rejected > 0, "the example has good and bad records: {}", whole.summary());
    }

    #[test]
    fn the_default_record_as_a_log_in_parts() {
        let doc =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/azerbaijan-belarus.json")).expect("record");
        let whole = check_all(&doc, "azerbaijan-belarus.json", None, usize::MAX).expect("document");
        assert!(whole.is_clean(), "{:?}", whole.diagnostics);
        let envelopes = load(&doc, "x.json", None, &Nothing).into_envelopes(&StreamName::from("s"), Timestamp(0));
        let log = annals_core::format::native::write_ndjson(&envelopes);
        let parts = check_all(log.as_bytes(), "log.ndjson", None, 500).expect("log");
        assert!(parts.is_clean(), "{:?}", parts.diagnostics);
        assert_eq!(parts.accepted, whole.accepted);
        assert_eq!(parts.record.projections().stats_view(), whole.record.projections().stats_view());
        assert_eq!(parts.record.title, "log.ndjson");
    }

    #[test]
    fn an_unknown_file_says_so() {
        let Err(err) = check_all(b"\x00\x01binary", "blob.bin", None, PART_BYTES) else {
            panic!("a binary file was read")
        };
        assert!(err.contains("blob.bin") && err.contains("annals-json"), "{err}");
    }
}
