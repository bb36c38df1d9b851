//! The worker's end (the `annals-open` binary): takes one request from the page — the file's
//! name, the format asked for (or "" to detect it) and the `File` or the pasted text — reads
//! and checks it with a [`Checker`], and answers with [`FromWorker`] messages: progress, then
//! the report with the accepted part as an NDJSON log (its bytes transferred, not copied). Or,
//! for a download, writes the page's record in a format ([`export_log`]).
//!
//! Nothing here runs on the page; the page's end is `annals_web::worker` (started by `annals_web::opener`).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::js_sys::{Array, Uint8Array};
use web_sys::{DedicatedWorkerGlobalScope, File, FileReaderSync, MessageEvent};

use annals_core::says;

use crate::{cannot_tell, export_log, format_of, Checker, FromWorker, Progress, PART_BYTES, READ_SLICE};

/// Listens for the page's request and says it is ready. Called by the worker's `main`.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = web_sys::js_sys::global().unchecked_into();
    let on_message = {
        let scope = scope.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Err(message) = serve(&scope, &e.data()) {
                post(&scope, &FromWorker::Failed { message }, None);
            }
        })
    };
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker, which the page stops when it is done.
    on_message.forget();
    post(&scope, &FromWorker::Ready, None);
}

/// Sends a message, with the bytes of a log beside it (transferred: the worker is done with
/// them).
fn post(scope: &DedicatedWorkerGlobalScope, message: &FromWorker, log: Option<&[u8]>) {
    let json = JsValue::from_str(&serde_json::to_string(message).unwrap_or_default());
    let _ = match log {
        Some(log) => {
            let bytes = Uint8Array::from(log);
            scope.post_message_with_transfer(&Array::of2(&json, &bytes), &Array::of1(&bytes.buffer()))
        }
        None => scope.post_message(&json),
    };
}

/// Answers one request: `["export", format, title, the log's bytes, language]` writes a
/// download (titles and summaries in the reader's language where the record has them, as
/// `annals export --lang` does), anything else is a file to open; an error message when it
/// cannot be done (a carried message, `Said::carried`, which the page says in its language).
fn serve(scope: &DedicatedWorkerGlobalScope, request: &JsValue) -> Result<(), String> {
    let request: &Array = request.dyn_ref().ok_or("the page sent no file")?;
    if request.get(0).as_string().as_deref() == Some("export") {
        let format = request.get(1).as_string().and_then(|f| f.parse().ok()).ok_or("the page asked for no format")?;
        let title = request.get(2).as_string().unwrap_or_default();
        let log =
            String::from_utf8(Uint8Array::new(&request.get(3)).to_vec()).map_err(|_| "the page sent no record")?;
        let lang = request.get(4).as_string().filter(|l| !l.is_empty());
        let exported = export_log(&log, format, &title, lang.as_deref())?;
        let answer = FromWorker::Exported { written: exported.written, left_out: exported.left_out };
        post(scope, &answer, Some(exported.text.as_bytes()));
        return Ok(());
    }
    let name = request.get(0).as_string().unwrap_or_default();
    let asked = request.get(1).as_string().and_then(|f| f.parse().ok());
    let input = request.get(2);
    let bytes = match input.as_string() {
        Some(text) => text.into_bytes(),
        None => read(scope, input.dyn_ref().ok_or("the page sent no file")?, &name)?,
    };
    let format = format_of(&bytes, &name, asked).ok_or_else(|| cannot_tell(&name))?;
    let mut checker = Checker::new(bytes, &name, format, PART_BYTES);
    loop {
        let progress = checker.step();
        if progress.finished {
            break;
        }
        post(scope, &FromWorker::Progress(progress), None);
    }
    let (checked, log) =
        checker.finished().ok_or_else(|| says!("{0}: checking stopped before the end", name).carried())?;
    post(scope, &FromWorker::Checked(checked), Some(log.as_bytes()));
    Ok(())
}

/// Reads a file in slices (a worker may read synchronously), saying how far it is.
fn read(scope: &DedicatedWorkerGlobalScope, file: &File, name: &str) -> Result<Vec<u8>, String> {
    let unreadable = |_| says!("{0}: the browser could not read the file", name).carried();
    let reader = FileReaderSync::new().map_err(unreadable)?;
    let total = file.size();
    let mut bytes = Vec::with_capacity(total as usize);
    let mut start = 0.0;
    while start < total {
        let end = (start + READ_SLICE as f64).min(total);
        let slice = file.slice_with_f64_and_f64(start, end).map_err(unreadable)?;
        let buffer = reader.read_as_array_buffer(&slice).map_err(unreadable)?;
        bytes.extend(Uint8Array::new(&buffer).to_vec());
        start = end;
        let progress = Progress { what: format!("Reading {name}"), done: start, total, finished: false };
        post(scope, &FromWorker::Progress(progress), None);
    }
    Ok(bytes)
}
