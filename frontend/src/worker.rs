//! The page's end of the file-opening worker (`annals-open`, see `open` for why a worker):
//! starting it, sending it one request, hearing its answers, and building the record of a
//! checked file on the page in steps. Used by every route that needs the worker: a file by
//! URL the page cannot read ([`crate::source`]), the opener's own files, and downloads
//! ([`crate::save`]).
//!
//! *Why the worker starts from a Blob URL* ([`worker_script`]): `new Worker(url)` refuses a
//! script of another origin, and a widget on someone else's page runs on that page's origin
//! while the worker's files sit beside the bundle. A script made on the page is of the page's
//! origin wherever it runs; it imports the worker's files by absolute URL (a relative URL has
//! nothing to resolve against inside a blob worker). The app and the iframe page start it the
//! same way, with their own directory as the base: one code path.

use std::rc::Rc;

use annals_core::format::Format;
use gloo::timers::future::TimeoutFuture;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::js_sys::{Array, Uint8Array};
use web_sys::{Blob, BlobPropertyBag, ErrorEvent, MessageEvent, Url, Worker};

use crate::open::{Builder, Checked, FromWorker, Report, FOLD_STEP, TAKE_BYTES};

/// The worker's script, which trunk writes beside the bundle (`data-type="worker"` in
/// `index.html`).
pub const WORKER_JS: &str = "annals-open.js";
/// The worker's wasm.
pub const WORKER_WASM: &str = "annals-open_bg.wasm";

/// The script of the worker started from a Blob URL: imports the worker's JavaScript from
/// `base` (an absolute URL of the bundle's directory, ending in `/`) and starts its wasm.
/// The URLs are written as JSON strings, so no character of them can end the literal.
pub fn worker_script(base: &str) -> String {
    let url = |file: &str| serde_json::to_string(&format!("{base}{file}")).unwrap_or_else(|_| "\"\"".to_owned());
    format!("importScripts({});wasm_bindgen({});", url(WORKER_JS), url(WORKER_WASM))
}

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
        Self::start_with(base, request, Rc::new(answer))
    }

    /// [`Reader::start_at`] with `answer` shared: one copy of the worker's plumbing for every
    /// caller (generic over `answer`, it was compiled once per caller).
    fn start_with(base: &str, request: Array, answer: Rc<dyn Fn(Answer)>) -> Result<Reader, String> {
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
                match FromWorker::read(&json) {
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
                            Err(_) => answer(Answer::Failed(crate::i18n::tf(
                                "{0}: the reader sent back no records",
                                &[&checked.name],
                            ))),
                        }
                    }
                    Err(e) => {
                        answer(Answer::Failed(crate::i18n::tf("the file reader said something unexpected: {0}", &[&e])))
                    }
                }
            })
        };
        let on_error = {
            let (worker, answer) = (worker.clone(), answer);
            Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
                worker.terminate();
                answer(Answer::Failed(crate::i18n::tf("the file reader stopped: {0}", &[&e.message()])));
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
    let mut url = crate::address::absolute(relative)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_blob_worker_imports_by_absolute_url() {
        assert_eq!(
            worker_script("https://annals.example/app/"),
            r#"importScripts("https://annals.example/app/annals-open.js");wasm_bindgen("https://annals.example/app/annals-open_bg.wasm");"#
        );
        // A quote in the URL cannot end the string.
        assert!(worker_script("https://x/\");alert(1)//").contains(r#"\");alert(1)"#));
    }
}
