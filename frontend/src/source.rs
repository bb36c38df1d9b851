//! **The one route from a source to a record**: a file by URL (`?src=`, a widget's `src`),
//! a stream of `annals serve` (or, on a static site, the default record in the bundle), a
//! person's own file (picked or dropped) or pasted text — in any format — becomes a
//! [`Record`] here, and nowhere else.
//!
//! - A file by URL is fetched **once**, and decoded while it downloads
//!   ([`Incoming`](crate::record::Incoming)). An Annals file read clean is shown at once; any
//!   other (another tool's format, or one with problems) is handed to the file-opening worker
//!   as a `File` made from the bytes already fetched, so it is never fetched again.
//! - A stream is read through the API page by page; a large one by the window on screen
//!   ([`crate::remote`]).
//! - A person's own file and pasted text go to the worker straight away (it reads every
//!   format and reports every problem; see `open`).
//!
//! What the route hears — progress, then a record or the worker's report, or why there is
//! none — goes to one callback; the shells decide what to show of it (see `hooks::record`).
//! Loading sets User Timing marks (`annals:fetched`, `annals:loaded`, `annals:folded`) that
//! the first-render benchmark reads.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use annals_core::format::Format;
use annals_core::Envelope;
use wasm_bindgen::JsValue;
use web_sys::js_sys::{Array, Uint8Array};
use web_sys::File;

use crate::i18n::tf;

use crate::address::encode;
use crate::open::Report;
use crate::record::{from_loaded, mark, Incoming, Record};
use crate::worker::{read, Reader};

/// Where the static site finds the default record (copied into the bundle by trunk).
pub const DEFAULT_RECORD_URL: &str = "data/azerbaijan-belarus.json";

/// Where a record comes from.
#[derive(Clone)]
pub enum Source {
    /// A file by URL, relative to the page.
    Url(String),
    /// The stream of `annals serve` with this name (or its first stream); on a static site,
    /// with no service to ask, the default record shipped in the bundle.
    Service(Option<String>),
    /// A person's own file, picked or dropped.
    File(File),
    /// Text a person pasted.
    Text(String),
}

impl Source {
    /// What a page or a widget names: the file `src` if given, else the stream.
    pub fn named(src: Option<String>, stream: Option<String>) -> Source {
        match src {
            Some(url) => Source::Url(url),
            None => Source::Service(stream),
        }
    }
}

/// Where the route finds what it needs, each ending in `/` (empty: the page's own directory).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Place {
    /// The bundle's directory: the worker's files.
    pub bundle: String,
    /// Where `annals serve`'s API is, and the default record and stream titles beside it.
    pub service: String,
}

/// What a source became.
pub enum Opened {
    /// A record read on the page: an Annals file read clean, or a stream.
    Record(Rc<Record>),
    /// A file read by the worker: its report, with the valid part ready to show.
    Checked(Report),
}

/// What the route says while it works.
pub enum Heard {
    /// A step of the worker's: what, done, of how many.
    Progress(String, f64, f64),
    /// Bytes of a file by URL received, of how many.
    Received(f64, f64),
    /// The end: what the source became, or why it became nothing (for people).
    Done(Result<Opened, String>),
}

/// A source being read; dropping it stops the work (the worker, and anything heard after).
pub struct Loading {
    stopped: Rc<Cell<bool>>,
    reader: Rc<RefCell<Option<Reader>>>,
}

impl Drop for Loading {
    fn drop(&mut self) {
        self.stopped.set(true);
        drop(self.reader.borrow_mut().take());
    }
}

/// Reads `source` (with `asked`, the format a person chose for their own file, or none to
/// detect it) and tells `hear` how it goes.
pub fn load(source: Source, place: &Place, asked: Option<Format>, hear: impl Fn(Heard) + 'static) -> Loading {
    start(source, place, asked, Box::new(hear))
}

/// [`load`] with `hear` boxed: one copy of the route for every caller (generic over `hear`,
/// its async body was compiled once per caller, ~7 KB of the page's code in all).
fn start(source: Source, place: &Place, asked: Option<Format>, hear: Box<dyn Fn(Heard)>) -> Loading {
    let stopped = Rc::new(Cell::new(false));
    let reader = Rc::new(RefCell::new(None::<Reader>));
    let hear: Rc<dyn Fn(Heard)> = {
        let stopped = stopped.clone();
        Rc::new(move |heard| {
            if !stopped.get() {
                hear(heard);
            }
        })
    };
    let (place, slot, stop) = (place.clone(), reader.clone(), stopped.clone());
    wasm_bindgen_futures::spawn_local(async move {
        let (name, input) = match source {
            Source::File(file) => (file.name(), JsValue::from(file)),
            Source::Text(text) => (crate::i18n::t("pasted text").to_owned(), JsValue::from_str(&text)),
            Source::Url(url) => match fetch(&url, &|done, total| hear(Heard::Received(done, total))).await {
                Fetched::Read(record) => return hear(Heard::Done(Ok(Opened::Record(record)))),
                Fetched::Failed(message) => return hear(Heard::Done(Err(message))),
                Fetched::Unread(file, _) => (file.name(), JsValue::from(file)),
            },
            Source::Service(stream) => {
                let done = match fetch_stream(&place.service, stream).await {
                    Some(found) => found.map(Opened::Record),
                    None => match fetch(&format!("{}{DEFAULT_RECORD_URL}", place.service), &|_, _| ()).await {
                        Fetched::Read(record) => Ok(Opened::Record(record)),
                        // The bundle's own record is an Annals file: one the page cannot read
                        // is a broken bundle, said as the page's loader says it.
                        Fetched::Failed(message) | Fetched::Unread(_, message) => Err(message),
                    },
                };
                return hear(Heard::Done(done));
            }
        };
        if stop.get() {
            return;
        }
        let progress = {
            let hear = hear.clone();
            move |what, done, total| hear(Heard::Progress(what, done, total))
        };
        let done = {
            let hear = hear.clone();
            move |built: Result<Report, String>| hear(Heard::Done(built.map(Opened::Checked)))
        };
        match read(&place.bundle, &name, asked, &input, progress, done) {
            Ok(started) => *slot.borrow_mut() = Some(started),
            Err(message) => hear(Heard::Done(Err(message))),
        }
    });
    Loading { stopped, reader }
}

/// What fetching a file by URL gave.
enum Fetched {
    /// An Annals file, read clean on the page.
    Read(Rc<Record>),
    /// Nothing to read: the server said no, or the network failed.
    Failed(String),
    /// Bytes the page cannot read as an Annals file (another format, or problems): the
    /// worker's, as a `File` named after the URL's last path segment, with what the page's
    /// own loader said.
    Unread(File, String),
}

/// Why a file by URL could not be fetched at all, for people. The browser says only "Failed
/// to fetch"; the likely cause differs with where the file is: on another site, that site has
/// not allowed other sites to read it (CORS), which the reader cannot fix but can work around.
pub fn unreachable(url: &str, other_site: bool) -> String {
    if other_site {
        tf(
            "Could not read {0}: its site does not let other sites read its files, or it cannot be reached. \
             Download the file and open it here with “Open a file…”, or ask the site's owner to allow reading \
             from other sites (CORS).",
            &[&url],
        )
    } else {
        tf("Could not reach {0}: check the address and the connection.", &[&url])
    }
}

/// Whether `url` (relative to the page) is on another origin than the page.
fn other_site(url: &str) -> bool {
    let Some(location) = web_sys::window().map(|w| w.location()) else { return false };
    let (Ok(href), Ok(origin)) = (location.href(), location.origin()) else { return false };
    web_sys::Url::new_with_base(url, &href).is_ok_and(|u| u.origin() != origin)
}

/// Fetches a record by URL, decoding it while it downloads (see [`Incoming`]), telling
/// `progress` the bytes in and of how many.
async fn fetch(url: &str, progress: &dyn Fn(f64, f64)) -> Fetched {
    let response = match crate::http::get(url).await {
        Ok(r) if r.ok() => r,
        Ok(r) => {
            return Fetched::Failed(tf("{0}: the server answered {1} {2}", &[&url, &r.status(), &r.status_text()]))
        }
        Err(_) => return Fetched::Failed(unreachable(url, other_site(url))),
    };
    let mut incoming = match read_body(&response, url, progress).await {
        Ok(incoming) => incoming,
        Err(message) => return Fetched::Failed(message),
    };
    match from_loaded(incoming.finish(), url) {
        Ok(record) => Fetched::Read(Rc::new(record)),
        Err(message) => match file(incoming.into_bytes(), url) {
            Some(file) => Fetched::Unread(file, message),
            None => Fetched::Failed(message),
        },
    }
}

/// The bytes of `url` as a `File` named after its last path segment.
fn file(bytes: Vec<u8>, url: &str) -> Option<File> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let name = path.rsplit('/').find(|s| !s.is_empty()).unwrap_or(path);
    File::new_with_u8_array_sequence(&Array::of1(&Uint8Array::from(bytes.as_slice())), name).ok()
}

/// Reads the body of a record file chunk by chunk into an [`Incoming`]; the whole body at
/// once where the browser gives no stream. Marks `annals:fetched` when the last byte has
/// arrived. A body whose length is known is reported to `progress` every 2 % (a large file
/// takes seconds: the person sees it come).
async fn read_body(
    response: &crate::http::Response,
    url: &str,
    progress: &dyn Fn(f64, f64),
) -> Result<Incoming, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{ReadableStreamDefaultReader, ReadableStreamReadResult};

    let mut incoming = Incoming::new(url);
    // The whole body is kept: room for it at once, when the server says how long it is.
    let length = response.header("content-length").and_then(|l| l.parse::<usize>().ok());
    incoming.reserve(length.unwrap_or(0).min(1 << 30));
    let total = length.unwrap_or(0) as f64;
    let (mut received, mut told) = (0.0, 0.0);
    match response.body() {
        Some(body) => {
            let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
            loop {
                if total > 0.0 && received - told >= total / 50.0 {
                    progress(received.min(total), total);
                    told = received;
                }
                let read =
                    JsFuture::from(reader.read()).await.map_err(|e| format!("{url}: {}", crate::http::message(&e)))?;
                let read: ReadableStreamReadResult = read.unchecked_into();
                if read.get_done().unwrap_or(false) {
                    break;
                }
                let chunk = Uint8Array::new(&read.get_value());
                received += f64::from(chunk.length());
                incoming.push_with(chunk.length() as usize, |into| chunk.copy_to(into));
            }
        }
        None => {
            let bytes = response.bytes().await.map_err(|e| format!("{url}: {e}"))?;
            incoming.push(&bytes);
        }
    }
    mark("annals:fetched");
    Ok(incoming)
}

/// A page of `GET /api/streams/{stream}/events`.
#[derive(Debug, serde::Deserialize)]
struct EventsPage {
    events: Vec<Envelope>,
    #[serde(default)]
    next: Option<u64>,
}

#[derive(Debug, serde::Deserialize)]
struct StreamList {
    streams: Vec<StreamEntry>,
}

#[derive(Debug, serde::Deserialize)]
struct StreamEntry {
    stream: String,
    /// Its events (its version).
    #[serde(default)]
    version: u64,
    #[serde(default)]
    last_position: u64,
}

/// When the page is served by `annals serve` (at `base`), the record of a stream (`wanted`
/// or the first), read through the API page by page. `None` when there is no service (a
/// static site), so the caller falls back to the file.
async fn fetch_stream(base: &str, wanted: Option<String>) -> Option<Result<Rc<Record>, String>> {
    let list: StreamList =
        crate::http::get(&format!("{base}api/streams")).await.ok().filter(|r| r.ok())?.json().await.ok()?;
    let stream = match wanted {
        Some(s) => s,
        None => list.streams.first()?.stream.clone(),
    };
    let heading = heading_of(base, &stream).await.unwrap_or_default();
    let title = heading.title.unwrap_or_else(|| stream.clone());
    // A large stream is read by the window on screen (see `remote`), a smaller one whole.
    let record = match list.streams.iter().find(|e| e.stream == stream && e.version > crate::remote::threshold()) {
        Some(entry) => {
            let remote = match crate::remote::Remote::open(base, &stream, entry.last_position).await {
                Ok(remote) => remote,
                Err(message) => return Some(Err(message)),
            };
            mark("annals:loaded");
            let empty = annals_core::Projections::new(annals_core::AsOf::NOW);
            Record::folded(title, empty, Vec::new(), Some(stream)).windowed(remote)
        }
        None => match read_log(base, &stream).await {
            Ok(envelopes) => Record::new(title, envelopes, Some(stream)),
            Err(message) => return Some(Err(message)),
        },
    };
    Some(Ok(Rc::new(record.described(heading.description).in_languages(heading.titles, heading.descriptions))))
}

/// The whole log of a stream, read through the API page by page.
async fn read_log(base: &str, stream: &str) -> Result<Vec<Envelope>, String> {
    let mut envelopes = Vec::new();
    let mut after = 0;
    loop {
        let url = format!("{base}api/streams/{}/events?after={after}&limit=1000", encode(stream));
        let page: EventsPage = match crate::http::get(&url).await {
            Ok(r) if r.ok() => r.json().await.map_err(|e| format!("{url}: {e}"))?,
            Ok(r) => return Err(tf("{0}: the server answered {1}", &[&url, &r.status()])),
            Err(e) => return Err(format!("{url}: {e}")),
        };
        envelopes.extend(page.events);
        match page.next {
            Some(n) if n > after => after = n,
            _ => return Ok(envelopes),
        }
    }
}

/// The title and introduction of a stream, from its document shipped in the bundle
/// (`data/{stream}.json`, as the default record is); the store keeps events, not titles.
async fn heading_of(base: &str, stream: &str) -> Option<Heading> {
    let url = format!("{base}data/{}.json", encode(stream));
    let response = crate::http::get(&url).await.ok().filter(|r| r.ok())?;
    let bytes = response.bytes().await.ok()?;
    serde_json::from_str::<Heading>(std::str::from_utf8(&bytes).ok()?).ok()
}

/// What [`heading_of`] reads of a document: its title and description, in every language.
#[derive(serde::Deserialize, Default)]
struct Heading {
    title: Option<String>,
    description: Option<String>,
    #[serde(default, deserialize_with = "annals_core::lang::deserialize_texts")]
    titles: annals_core::lang::Texts,
    #[serde(default, deserialize_with = "annals_core::lang::deserialize_texts")]
    descriptions: annals_core::lang::Texts,
}

#[cfg(test)]
mod tests {
    use super::unreachable;

    #[test]
    fn a_file_that_cannot_be_fetched_is_explained_without_the_browsers_words() {
        let elsewhere = unreachable("https://data.example/r.json", true);
        assert!(elsewhere.contains("does not let other sites read"), "{elsewhere}");
        assert!(elsewhere.contains("Open a file…"), "{elsewhere}");
        let here = unreachable("data/r.json", false);
        assert!(here.starts_with("Could not reach data/r.json"), "{here}");
        assert!(!here.contains("TypeError") && !elsewhere.contains("TypeError"));
    }
}
