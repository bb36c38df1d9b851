//! Loading a record in the browser: fetch, validate with the core loader, fold.
//!
//! A record file fetched by URL is decoded while it downloads ([`Incoming`]): an NDJSON log
//! is decoded a chunk of whole lines at a time as the body arrives (core's `NdjsonParts`,
//! whose result does not depend on where the parts were cut), then validated once and
//! folded. *Why:* decoding a large log took longer than its transfer, and the two used to
//! run one after the other. Anything that is not a log (a JSON document) is read whole and
//! loaded as before, and so is a log whose whole text turns out not to be one: what the
//! person sees never depends on how the body was cut.

use std::cell::{Ref, RefCell};
use std::rc::Rc;

use annals_core::format::native::{detect, load, NdjsonParts};
use annals_core::format::{Format, Loaded};
use annals_core::lang::{self, Shown, Texts};
use annals_core::projection::{AsOf, Projections};
use annals_core::validate::Nothing;
use annals_core::{Envelope, StreamName, Timestamp};
use annals_open_messages::Lines;
use yew::prelude::*;

/// A record ready to show.
///
/// *Why the fold is shared and mutable:* a live update from the service used to copy the
/// record (its projections and its whole log) and fold the envelope into the copy, so one
/// update cost as much as the record is large. Now the folded record lives once, in a
/// `RefCell` shared by every `Record` of it, and an update folds into it in place
/// ([`Record::with`]); what yew compares is the `Record` value (by identity), and an update
/// makes a new one, so components holding the old one re-render. [`Record::id`] names the
/// record itself and stays the same across updates.
#[derive(Debug, Clone)]
pub struct Record {
    /// Its title.
    pub title: String,
    /// What it is about, as its file introduces it (the story's title slide shows it).
    pub description: Option<String>,
    /// Its introduction (a TimelineJS title slide's text, medium and background): the story's
    /// title slide shows its medium, on its background.
    pub introduction: Option<Rc<annals_core::Introduction>>,
    /// It opens as a story (a TimelineJS file with a title slide: its readers expect the story
    /// first), unless the address asks for another view.
    pub story: bool,
    /// The title and the description in other languages (`annals_core::lang`).
    pub texts: Rc<(Texts, Texts)>,
    /// When the record comes from an `annals serve` stream: its name, followed live.
    pub live: Option<String>,
    /// A person's own file (picked, dropped or pasted): it lives in this browser only and has
    /// no address, so it cannot be linked to or embedded.
    pub own_file: bool,
    /// The event that arrived last from the live stream (the app says so and marks it).
    pub arrived: Option<String>,
    /// A large stream read by the window on screen (`remote`): its projections hold the
    /// events fetched so far, and the counts of the rest are there.
    pub remote: Option<Rc<crate::remote::Remote>>,
    folded: Rc<RefCell<Folded>>,
}

/// The projections and the log they were folded from.
#[derive(Debug)]
struct Folded {
    projections: Projections,
    /// The log itself, in position order: what an export writes and an import sends.
    log: Vec<Envelope>,
}

impl Record {
    /// A record of a log, folded.
    pub fn new(title: String, log: Vec<Envelope>, live: Option<String>) -> Self {
        let projections = Projections::fold(&log, AsOf::NOW);
        Self::folded(title, projections, log, live)
    }

    /// A record of a log already folded into `projections`.
    pub fn folded(title: String, projections: Projections, log: Vec<Envelope>, live: Option<String>) -> Self {
        Self {
            title,
            description: None,
            introduction: None,
            story: false,
            texts: Rc::default(),
            live,
            own_file: false,
            arrived: None,
            remote: None,
            folded: Rc::new(RefCell::new(Folded { projections, log })),
        }
    }

    /// The record with what it is about.
    pub fn described(self, description: Option<String>) -> Record {
        Record { description, ..self }
    }

    /// The record with its introduction, opening as a story or not.
    pub fn introduced(self, introduction: Option<annals_core::Introduction>, story: bool) -> Record {
        Record { introduction: introduction.map(Rc::new), story, ..self }
    }

    /// The record with its title and description in other languages.
    pub fn in_languages(self, titles: Texts, descriptions: Texts) -> Record {
        Record { texts: Rc::new((titles, descriptions)), ..self }
    }

    /// Its title in the reader's language where it has one (`crate::shown`).
    pub fn title_shown(&self) -> Shown<'_> {
        lang::pick(&self.title, lang::DEFAULT_LANG, &self.texts.0, crate::shown::want())
    }

    /// Its description in the reader's language where it has one.
    pub fn description_shown(&self) -> Option<Shown<'_>> {
        let want = crate::shown::want();
        self.description.as_deref().map(|d| lang::pick(d, lang::DEFAULT_LANG, &self.texts.1, want))
    }

    /// The same record, as a person's own file ([`Record::own_file`]).
    pub fn as_own_file(&self) -> Record {
        Record { own_file: true, ..self.clone() }
    }

    /// Its projections. (Borrowed for as long as the guard lives: drop it before anything
    /// that may fold a live update, which only the record reducer does.)
    pub fn projections(&self) -> Ref<'_, Projections> {
        Ref::map(self.folded.borrow(), |f| &f.projections)
    }

    /// The log itself, in position order: what an export writes and an import sends.
    pub fn log(&self) -> Ref<'_, [Envelope]> {
        Ref::map(self.folded.borrow(), |f| f.log.as_slice())
    }

    /// Names the record's actors in a language (see `Catalog::set_language`).
    pub fn set_language(&self, lang: Option<&str>) {
        self.folded.borrow_mut().projections.catalog.set_language(lang);
    }

    /// The record read by the window through `remote`.
    pub fn windowed(self, remote: crate::remote::Remote) -> Record {
        Record { remote: Some(Rc::new(remote)), ..self }
    }

    /// The last position the page has of its stream, where live updates go on from.
    pub fn position(&self) -> u64 {
        match &self.remote {
            Some(remote) => remote.head.get(),
            None => self.projections().catalog.last_position(),
        }
    }

    /// The identity of the record: the same for every update of it, another for another record.
    pub fn id(&self) -> usize {
        Rc::as_ptr(&self.folded) as usize
    }

    /// The record with more envelopes folded in (a live update): folded into the shared
    /// record in place, and returned as a new `Record` so that what shows it re-renders.
    pub fn with(&self, envelopes: &[Envelope]) -> Record {
        let mut folded = self.folded.borrow_mut();
        for env in envelopes {
            folded.projections.apply(env);
        }
        folded.log.extend_from_slice(envelopes);
        let arrived = envelopes.iter().rev().find(|e| matches!(e.event, annals_core::Event::Domain(..)));
        Record { arrived: arrived.map(|e| e.id.as_str().to_owned()).or_else(|| self.arrived.clone()), ..self.clone() }
    }
}

impl PartialEq for Record {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

/// Where loading stands.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordState {
    /// Fetching.
    Loading,
    /// Something went wrong; the message says what, for people.
    Failed(String),
    /// Loaded.
    Ready(Rc<Record>),
}

/// What changes the record state.
#[derive(Debug)]
pub enum RecordAction {
    /// Loading finished (or failed).
    Loaded(RecordState),
    /// A live envelope arrived.
    Append(Box<Envelope>),
    /// Events of a window arrived (`remote`), or counts (none).
    Merge(Vec<Envelope>),
}

/// A reducer, so that a live envelope is folded into the record as it is *now*, not as it
/// was when the connection opened.
impl Reducible for RecordState {
    type Action = RecordAction;

    fn reduce(self: Rc<Self>, action: RecordAction) -> Rc<Self> {
        match action {
            RecordAction::Loaded(state) => Rc::new(state),
            RecordAction::Append(env) => match &*self {
                RecordState::Ready(r) if env.position > r.position() => {
                    if let Some(remote) = &r.remote {
                        remote.head.set(env.position);
                    }
                    Rc::new(RecordState::Ready(Rc::new(r.with(&[*env]))))
                }
                _ => self,
            },
            RecordAction::Merge(envelopes) => match &*self {
                RecordState::Ready(r) if r.remote.is_some() => {
                    let merged = Record { ..(**r).clone() };
                    {
                        let mut folded = r.folded.borrow_mut();
                        // An event (or actor) fetched twice — it overlaps two windows — is folded once.
                        for env in &envelopes {
                            let catalog = &folded.projections.catalog;
                            let known = match &env.event {
                                annals_core::Event::ActorRegistered(a) => catalog.actor(a.actor.as_str()).is_some(),
                                _ => catalog.event_any(env.id.as_str()).is_some(),
                            };
                            if !known {
                                folded.projections.apply(env);
                            }
                        }
                        // Bounded: past `remote::HOLD` events, the ranges far from the window
                        // are dropped and what is kept is folded anew (timed as `annals:trim`).
                        if let Some(remote) = &r.remote {
                            if let Some(ranges) = remote.trim(&folded.projections.timeline) {
                                mark("annals:trim-start");
                                let stream = remote.stream();
                                let keep = |id: &str| remote.looked_up(id);
                                folded.projections = crate::remote::kept(&folded.projections, &ranges, keep, &stream);
                                measure("annals:trim", "annals:trim-start");
                            }
                        }
                    }
                    Rc::new(RecordState::Ready(Rc::new(merged)))
                }
                _ => self,
            },
        }
    }
}

/// Builds a record from the bytes of a file. Only a clean file is shown in this first
/// version; the message names the first problem and how many there are.
pub fn from_bytes(bytes: &[u8], name: &str) -> Result<Record, String> {
    from_loaded(load(bytes, name, None, &Nothing), name)
}

/// Builds a record from a loaded file, as [`from_bytes`] does.
pub(crate) fn from_loaded(loaded: Loaded, name: &str) -> Result<Record, String> {
    mark("annals:loaded");
    if let Some(first) = loaded.diagnostics.first() {
        return Err(crate::i18n::tf(
            "{0}: {1}; the first: {2}",
            &[&name, &crate::words::count(loaded.diagnostics.len(), "problem", "problems"), &first],
        ));
    }
    let stream = loaded.stream.clone().unwrap_or_else(|| StreamName::from("default"));
    let title = loaded.title.clone().unwrap_or_else(|| name.to_owned());
    let description = loaded.description.clone();
    let introduction = loaded.introduction.clone();
    let texts = (loaded.titles.clone(), loaded.descriptions.clone());
    // Validated once by the loader; folded once.
    let envelopes = loaded.into_envelopes(&stream, Timestamp(0));
    let record = Record::new(title, envelopes, None)
        .described(description)
        .introduced(introduction, false)
        .in_languages(texts.0, texts.1);
    mark("annals:folded");
    Ok(record)
}

/// A User Timing mark (`performance.mark`) at a step of loading, so the time to first render
/// can be taken apart (fetched, decoded and validated, folded, first paint) by the benchmark
/// or in DevTools. Nothing natively.
pub fn mark(name: &str) {
    #[cfg(target_arch = "wasm32")]
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = name;
}

/// A User Timing measure from the mark `start` to now (what the benchmarks and tests read).
pub fn measure(name: &str, start: &str) {
    #[cfg(target_arch = "wasm32")]
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.measure_with_start_mark(name, start);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (name, start);
}

/// A loaded record shown for readers of a language (`lang=` of an embed): actors are named
/// in it where the record has their names in it.
pub fn in_language(state: RecordState, lang: Option<&str>) -> RecordState {
    if let (RecordState::Ready(record), Some(lang)) = (&state, lang) {
        record.set_language(Some(lang));
    }
    state
}

/// A record file as its body arrives: every byte is kept, and while the file looks like an
/// NDJSON log its whole lines are decoded as soon as they are in. [`Incoming::finish`] gives
/// exactly what [`load`] gives for the whole file: the decoded parts are used only when the
/// whole text is detected as a log, and are what `read_ndjson` would have decoded (it strips
/// one byte-order mark, then decodes with `NdjsonParts`, which strips another on line 1);
/// otherwise the whole file goes through [`load`]. Where the parts are cut is decided by
/// `annals_open::Lines`, the driver every decoding in parts shares.
#[derive(Debug)]
pub struct Incoming {
    name: String,
    lines: Lines,
    /// The log decoded so far, while the file looks like one.
    parts: Option<NdjsonParts>,
    /// Whether the file was looked at to tell if it is a log.
    told: bool,
}

impl Incoming {
    /// Nothing received yet of the file `name` (its URL: a name ending in `.ndjson` helps
    /// tell a log, as it does for [`load`]).
    pub fn new(name: &str) -> Self {
        Self { name: name.to_owned(), lines: Lines::default(), parts: None, told: false }
    }

    /// Room for `additional` more bytes of the body.
    pub fn reserve(&mut self, additional: usize) {
        self.lines.reserve(additional);
    }

    /// The next bytes of the body.
    pub fn push(&mut self, chunk: &[u8]) {
        self.push_with(chunk.len(), |into| into.copy_from_slice(chunk));
    }

    /// The next `len` bytes of the body, written by `fill` into the buffer (so a chunk from
    /// JavaScript is copied once).
    pub fn push_with(&mut self, len: usize, fill: impl FnOnce(&mut [u8])) {
        self.lines.push_with(len, fill);
        if !self.told {
            // Told once, from the first whole lines, by the same detection as `load`'s; the
            // whole text is detected again at the end, which is what decides.
            let bytes = self.lines.bytes();
            let Some(end) = bytes.iter().rposition(|b| *b == b'\n') else { return };
            self.told = true;
            if detect(&bytes[..=end], &self.name) == Some(Format::AnnalsNdjson) {
                self.parts = Some(NdjsonParts::default());
            }
        }
        if self.parts.is_some() {
            if let Some(part) = self.lines.arrived() {
                self.decode(part);
            }
        }
    }

    /// Decodes a part of whole lines, if the file still looks like a log.
    fn decode(&mut self, (start, end, line): (usize, usize, usize)) {
        let Some(parts) = &mut self.parts else { return };
        let Ok(mut text) = std::str::from_utf8(&self.lines.bytes()[start..end]) else {
            // Not UTF-8: `load` says where, at the end.
            self.parts = None;
            return;
        };
        if line == 1 {
            text = text.strip_prefix('\u{feff}').unwrap_or(text);
        }
        parts.decode(text, line);
    }

    /// The whole file, loaded: validated once, as [`load`] would. The bytes stay (see
    /// [`Incoming::into_bytes`]).
    pub fn finish(&mut self) -> Loaded {
        if self.parts.is_some() && detect(self.lines.bytes(), &self.name) == Some(Format::AnnalsNdjson) {
            if let Some(part) = self.lines.rest() {
                self.decode(part);
            }
            if let Some(parts) = self.parts.take() {
                return parts.finish(&Nothing);
            }
        }
        load(self.lines.bytes(), &self.name, None, &Nothing)
    }

    /// The file's bytes: what the worker reads when the page cannot (see `source`).
    pub fn into_bytes(self) -> Vec<u8> {
        self.lines.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_record_builds() {
        let bytes = include_bytes!("../../data/azerbaijan-belarus.json");
        let record = from_bytes(bytes, "azerbaijan-belarus.json").expect("record");
        assert_eq!(record.title, "Azerbaijan–Belarus relations");
        let shown = in_language(RecordState::Ready(Rc::new(record.clone())), Some("ru-BY"));
        let RecordState::Ready(shown) = shown else { panic!("the record is ready") };
        assert_eq!(shown.projections().catalog.actor_name("aze"), "Азербайджан");
        assert!(record.projections().timeline.len() >= 25);
    }

    #[test]
    fn a_live_update_folds_into_the_record_in_place() {
        let bytes = include_bytes!("../../data/azerbaijan-belarus.json");
        let whole = from_bytes(bytes, "azerbaijan-belarus.json").expect("record");
        let log = whole.log().to_vec();
        let (first, rest) = log.split_at(log.len() - 3);
        let mut state = Rc::new(RecordState::Ready(Rc::new(Record::new("r".into(), first.to_vec(), Some("s".into())))));
        let RecordState::Ready(before) = &*state else { panic!("ready") };
        let before = before.clone();
        for env in rest {
            state = state.reduce(RecordAction::Append(Box::new(env.clone())));
        }
        // An envelope already folded in is not folded again.
        state = state.reduce(RecordAction::Append(Box::new(rest[0].clone())));
        let RecordState::Ready(after) = &*state else { panic!("ready") };
        assert!(after != &before, "a new value, so what shows the record re-renders");
        assert_eq!(after.id(), before.id(), "the same record, not a copy");
        assert_eq!(after.log().len(), log.len());
        assert_eq!(after.projections().stats_view(), whole.projections().stats_view());
        assert_eq!(after.projections().timeline.len(), whole.projections().timeline.len());
    }

    /// The file cut into chunks of `size` bytes (and the last), as a body may arrive.
    fn streamed(bytes: &[u8], name: &str, size: usize) -> Loaded {
        let mut incoming = Incoming::new(name);
        for chunk in bytes.chunks(size) {
            incoming.push(chunk);
        }
        incoming.finish()
    }

    #[test]
    fn a_file_decoded_while_it_arrives_loads_as_it_does_whole() {
        let log = export_ndjson();
        let with_problems = format!(
            "\u{feff}\u{feff}// a comment\r\n\n{}\n{{\"id\":\"x\",\"type\":\"Visit\",\"payload\":{{\"title\":\"é\"}}}}\nnot json\n{}",
            include_str!("../../data/examples/invalid.ndjson"),
            log.lines().take(40).collect::<Vec<_>>().join("\r\n"),
        );
        let document = include_str!("../../data/azerbaijan-belarus.json");
        let files: [(&[u8], &str); 7] = [
            (log.as_bytes(), "log.ndjson"),
            (with_problems.as_bytes(), "problems.ndjson"),
            (include_bytes!("../../data/examples/minimal.ndjson"), "minimal.ndjson"),
            (document.as_bytes(), "azerbaijan-belarus.json"),
            // A document named like a log: told as a log from its first line, then not.
            (document.as_bytes(), "document.ndjson"),
            (b"{\"id\":\"a\"}\n\xff\xfe\n", "not-utf8.ndjson"),
            (b"", "empty.ndjson"),
        ];
        for (bytes, name) in files {
            let whole = load(bytes, name, None, &Nothing);
            for size in [1, 2, 7, 100, 4096, bytes.len().max(1)] {
                assert_eq!(streamed(bytes, name, size), whole, "{name} in chunks of {size}");
            }
        }
    }

    /// The default record as an NDJSON log of envelopes.
    fn export_ndjson() -> String {
        let record = from_bytes(include_bytes!("../../data/azerbaijan-belarus.json"), "x").expect("record");
        let log = record.log();
        annals_core::format::native::write_ndjson(&log)
    }

    #[test]
    fn a_broken_file_names_its_first_problem() {
        let err = from_bytes(b"{\"annals\": 1, \"events\": [{\"id\": \"x\"}]}", "mine.json").expect_err("broken");
        assert!(err.starts_with("mine.json: 1 problem; the first: line 1, record 1"), "{err}");
    }
}
