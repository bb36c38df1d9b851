//! The opener on the page: the button, the drop zone, the paste box, progress and the
//! report; and the page's end of the worker ([`Reader`], and [`read`], which the opener and the
//! embed widget both read files with).

use std::rc::Rc;

use annals_core::format::Format;
use gloo::timers::future::TimeoutFuture;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::js_sys::{Array, Uint8Array};
use web_sys::{
    Blob, BlobPropertyBag, DragEvent, ErrorEvent, File, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement,
    MessageEvent, Url, Worker,
};
use yew::prelude::*;

use super::{worker_script, Builder, Checked, FromWorker, Report, FOLD_STEP, TAKE_BYTES};
use crate::record::Record;

/// What the worker said.
pub(crate) enum Answer {
    Progress(String, f64, f64),
    Failed(String),
    Checked(Checked, String),
    /// A download written: events written, events left out, the file's text.
    Exported(usize, usize, String),
}

/// A running worker doing one thing (reading a file, or writing a download); stopped when
/// dropped.
pub(crate) struct Reader {
    worker: Worker,
    /// The Blob URL of the worker's script, revoked with the worker.
    script: String,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl Reader {
    /// Starts a worker beside the page's own bundle and sends it `request` (name, format asked
    /// for or "", the `File` or the pasted text) once it says it is ready; `answer` hears the
    /// rest.
    pub(crate) fn start(request: Array, answer: impl Fn(Answer) + 'static) -> Result<Reader, String> {
        Self::start_at("", request, answer)
    }

    /// [`Reader::start`] with the worker's files at `base` (the bundle's directory; empty: the
    /// page's directory), started from a Blob URL so that a host page of another origin can
    /// start it too (see the module docs of `open`).
    pub(crate) fn start_at(base: &str, request: Array, answer: impl Fn(Answer) + 'static) -> Result<Reader, String> {
        const CANNOT: &str = "the browser could not start the file reader";
        let base = absolute_base(base).ok_or(CANNOT)?;
        let options = BlobPropertyBag::new();
        options.set_type("text/javascript");
        let blob =
            Blob::new_with_str_sequence_and_options(&Array::of1(&JsValue::from_str(&worker_script(&base))), &options)
                .map_err(|_| CANNOT)?;
        let script = Url::create_object_url_with_blob(&blob).map_err(|_| CANNOT)?;
        let worker = match Worker::new(&script) {
            Ok(worker) => worker,
            Err(_) => {
                let _ = Url::revoke_object_url(&script);
                return Err(CANNOT.to_owned());
            }
        };
        let answer = Rc::new(answer);
        let on_message = {
            let (worker, answer) = (worker.clone(), answer.clone());
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                let data = e.data();
                // A message is its JSON, or `[JSON, the accepted log as UTF-8 bytes]`.
                let (json, log) = match data.dyn_into::<Array>() {
                    Ok(parts) => (parts.get(0), Some(parts.get(1))),
                    Err(data) => (data, None),
                };
                let json = json.as_string().unwrap_or_default();
                match serde_json::from_str::<FromWorker>(&json) {
                    Ok(FromWorker::Ready) => {
                        if worker.post_message(&request).is_err() {
                            answer(Answer::Failed("the browser could not hand the file to the reader".into()));
                        }
                    }
                    Ok(FromWorker::Progress(p)) => answer(Answer::Progress(p.what, p.done, p.total)),
                    Ok(FromWorker::Failed { message }) => {
                        worker.terminate();
                        answer(Answer::Failed(message));
                    }
                    Ok(FromWorker::Exported { written, left_out }) => {
                        worker.terminate();
                        let bytes = log.map(|l| Uint8Array::new(&l).to_vec()).unwrap_or_default();
                        answer(Answer::Exported(written, left_out, String::from_utf8_lossy(&bytes).into_owned()));
                    }
                    Ok(FromWorker::Checked(checked)) => {
                        worker.terminate();
                        let bytes = log.map(|l| Uint8Array::new(&l).to_vec()).unwrap_or_default();
                        match String::from_utf8(bytes) {
                            Ok(log) => answer(Answer::Checked(checked, log)),
                            Err(_) => {
                                answer(Answer::Failed(format!("{}: the reader sent back no records", checked.name)))
                            }
                        }
                    }
                    Err(e) => answer(Answer::Failed(format!("the file reader said something unexpected: {e}"))),
                }
            })
        };
        let on_error = {
            let (worker, answer) = (worker.clone(), answer);
            Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
                worker.terminate();
                answer(Answer::Failed(format!("the file reader stopped: {}", e.message())));
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Reader { worker, script, _on_message: on_message, _on_error: on_error })
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.worker.terminate();
        let _ = Url::revoke_object_url(&self.script);
    }
}

/// `base` made absolute against the document (empty: the document's own directory), ending
/// in `/`.
fn absolute_base(base: &str) -> Option<String> {
    let relative = if base.is_empty() { "./" } else { base };
    let mut url = crate::embed::widget::absolute(relative)?;
    if !url.ends_with('/') {
        url.push('/');
    }
    Some(url)
}

/// Reads `input` (a `File` or text) named `name` in the worker whose files are at `base` (see
/// [`Reader::start_at`]), `asked` the format chosen or none, and builds its record on the page:
/// `progress` hears each step (what, done, of how many), `done` the report or why there is
/// none. The work stops when the returned [`Reader`] is dropped.
pub(crate) fn read(
    base: &str,
    name: &str,
    asked: Option<Format>,
    input: &JsValue,
    progress: impl Fn(String, f64, f64) + 'static,
    done: impl Fn(Result<Report, String>) + 'static,
) -> Result<Reader, String> {
    let request = Array::of3(&JsValue::from_str(name), &JsValue::from_str(asked.map_or("", |f| f.name())), input);
    let (progress, done) = (Rc::new(progress), Rc::new(done));
    Reader::start_at(base, request, move |answer| match answer {
        Answer::Progress(what, n, total) => progress(what, n, total),
        Answer::Failed(message) => done(Err(message)),
        Answer::Exported(..) => {}
        Answer::Checked(checked, log) => {
            let (progress, done) = (progress.clone(), done.clone());
            wasm_bindgen_futures::spawn_local(async move { done(build(checked, log, &*progress).await) });
        }
    })
    .map_err(|message| format!("{name}: {message}"))
}

/// Builds the record of a checked file in steps, yielding to the browser between them.
async fn build(checked: Checked, log: String, progress: &dyn Fn(String, f64, f64)) -> Result<Report, String> {
    let mut builder = Builder::new(checked, log, TAKE_BYTES, FOLD_STEP);
    loop {
        let step = builder.step()?;
        if step.finished {
            break;
        }
        progress(step.what, step.done, step.total);
        TimeoutFuture::new(0).await;
    }
    builder.report().ok_or_else(|| "building the record stopped before the end".to_owned())
}

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

/// Fetches the file at `url` (relative to the page) as a `File` named after its last path
/// segment, for the opener; `None` when it cannot be fetched.
pub async fn fetch_file(url: &str) -> Option<File> {
    let response = gloo::net::http::Request::get(url).send().await.ok().filter(|r| r.ok())?;
    let bytes = response.binary().await.ok()?;
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let name = path.rsplit('/').find(|s| !s.is_empty()).unwrap_or(path);
    File::new_with_u8_array_sequence(&Array::of1(&Uint8Array::from(bytes.as_slice())), name).ok()
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

    // One place sends a file or text to the worker and takes its answers. A new file
    // replaces (and so stops) the worker of the one before.
    let reader = use_mut_ref(|| None::<Reader>);
    let run = {
        let opening = opening.clone();
        let open = open.clone();
        let on_view = props.on_view.clone();
        let format = format.clone();
        Callback::from(move |(name, input): (String, JsValue)| {
            opening.set(Opening::Busy(format!("Starting to read {name}"), 0.0, 1.0));
            let progress = {
                let opening = opening.clone();
                move |what, done, total| opening.set(Opening::Busy(what, done, total))
            };
            let done = {
                let (opening, open, on_view) = (opening.clone(), open.clone(), on_view.clone());
                move |built: Result<Report, String>| match built {
                    Ok(report) if report.is_clean() && report.accepted > 0 => {
                        // A clean file needs no choice: show it, and fold the panel away so
                        // the record has the screen (the status line stays).
                        on_view.emit(report.record.clone());
                        opening.set(Opening::Checked(Rc::new(report)));
                        open.set(false);
                    }
                    Ok(report) => opening.set(Opening::Checked(Rc::new(report))),
                    Err(message) => opening.set(Opening::Failed(message)),
                }
            };
            // The app's own page: the worker is beside it.
            let started = read("", &name, *format, &input, progress, done);
            if let Err(message) = &started {
                opening.set(Opening::Failed(message.clone()));
            }
            *reader.borrow_mut() = started.ok();
        })
    };

    // A drop on the page arrives through the props.
    {
        let run = run.clone();
        let open = open.clone();
        use_effect_with(props.dropped.clone(), move |dropped| {
            if let Some(DroppedFile(file, _)) = dropped {
                open.set(true);
                run.emit((file.name(), file.clone().into()));
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
                run.emit((file.name(), file.into()));
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
                    run.emit(("pasted text".to_owned(), JsValue::from_str(&text)));
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
                    <button type="button" onclick={view_valid}>{ super::view_valid(report.accepted) }</button>
                }
                <button type="button" onclick={nothing}>{ "View nothing (keep the current record)" }</button>
            </div>
        </div>
    }
}
