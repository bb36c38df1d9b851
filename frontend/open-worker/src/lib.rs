//! # annals-open
//!
//! The web app's file-opening worker: reading, detecting and checking a person's own file,
//! off the page's thread and out of the page's bundle. A binary of its own (`annals-open`,
//! built by trunk as a Web Worker from the root `index.html`), started by the page only when
//! someone opens, drops or pastes a file (see `annals_web::open`).
//!
//! *Why its own crate:* a wasm binary keeps every `#[wasm_bindgen]` export of the crates it
//! links, and the app's library exports the embed widget (and so all of yew); this crate
//! depends on `annals-core` and the browser bindings only. *Why a worker at all:* the readers
//! of other tools' formats and the XML parser are needed only by someone who opens a file, and
//! validating a large file as a whole (one long step) must not block the page.
//!
//! The crate's library is also what the page shares with the worker: the messages
//! ([`FromWorker`], [`Checked`], [`Progress`]) and [`Lines`], the one driver of NDJSON
//! decoded in parts. The page depends on it
//! without the `foreign-formats` feature (default here, so the worker reads every format).
//!
//! - [`Checker`] — the worker's work in steps, pure and tested natively;
//! - [`export_log`] — a download written in any format, from the page's log (the writers of
//!   other tools' formats are left out of the page's bundle too);
//! - [`worker`] — the worker's end of the messages (the only part that touches the browser).

use annals_core::envelope::decode_record;
use annals_core::format::export::{export, ExportFormat, ExportInfo, Exported};
use annals_core::format::native::{write_ndjson, NdjsonParts};
use annals_core::format::{load, Diagnostic, Format, Loaded};
use annals_core::validate::Nothing;
use annals_core::{Envelope, StreamName, Timestamp};
use serde::{Deserialize, Serialize};

pub mod worker;

/// Bytes read from a file between two progress messages.
pub const READ_SLICE: usize = 4 << 20;
/// About how many bytes of an NDJSON log are decoded between two progress messages (in the
/// worker) or two yields (on the page).
pub const PART_BYTES: usize = 2 << 20;

/// An NDJSON text taken a part of whole lines at a time: **the one driver of every decoding
/// in parts** — a file by URL while its body downloads (`annals_web::record::Incoming`, fed
/// with [`Lines::push_with`] and drained with [`Lines::arrived`]), a file checked in the
/// worker ([`Checker`]) and the checked log taken in on the page (`annals_web::open::Builder`),
/// both with every byte in and cut by [`Lines::next_part`]. What each does with a part (core's
/// `NdjsonParts`, or the envelopes of a log already checked) is its own; where parts are cut
/// and which line each starts on is decided here only.
///
/// A part is `(start, end, first line)`: a byte range of [`Lines::bytes`] that ends at a line
/// end (or at the end of the text), and the 1-based number of its first line.
#[derive(Debug)]
pub struct Lines {
    bytes: Vec<u8>,
    /// How much of `bytes` was taken: whole lines.
    taken: usize,
    /// The line number of the first line not yet taken.
    next_line: usize,
}

impl Default for Lines {
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

impl Lines {
    /// A text whose bytes are `bytes` so far (all of it, or none yet).
    pub fn new(bytes: Vec<u8>) -> Self {
        Self { bytes, taken: 0, next_line: 1 }
    }

    /// Room for `additional` more bytes.
    pub fn reserve(&mut self, additional: usize) {
        self.bytes.reserve(additional);
    }

    /// The next `len` bytes, written by `fill` into the buffer (so a chunk from JavaScript is
    /// copied once).
    pub fn push_with(&mut self, len: usize, fill: impl FnOnce(&mut [u8])) {
        let start = self.bytes.len();
        self.bytes.resize(start + len, 0);
        fill(&mut self.bytes[start..]);
    }

    /// Every byte so far.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Every byte, given up.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// How many bytes were taken in parts.
    pub fn taken(&self) -> usize {
        self.taken
    }

    /// The whole lines that arrived since the last part (up to the last line end in), if any.
    pub fn arrived(&mut self) -> Option<(usize, usize, usize)> {
        let end = self.bytes[self.taken..].iter().rposition(|b| *b == b'\n')? + self.taken + 1;
        Some(self.take(end))
    }

    /// The next part of at least `target` bytes that ends at a line end, or the rest of the
    /// text when no line end follows (every byte is in); `None` when all was taken.
    pub fn next_part(&mut self, target: usize) -> Option<(usize, usize, usize)> {
        if self.taken >= self.bytes.len() {
            return None;
        }
        let want = (self.taken + target.max(1)).min(self.bytes.len());
        let end = match self.bytes[want..].iter().position(|b| *b == b'\n') {
            Some(i) => want + i + 1,
            None => self.bytes.len(),
        };
        Some(self.take(end))
    }

    /// The rest of the text, line end or not (every byte is in); `None` when all was taken.
    pub fn rest(&mut self) -> Option<(usize, usize, usize)> {
        (self.taken < self.bytes.len()).then(|| self.take(self.bytes.len()))
    }

    fn take(&mut self, end: usize) -> (usize, usize, usize) {
        let part = (self.taken, end, self.next_line);
        self.next_line += self.bytes[self.taken..end].iter().filter(|b| **b == b'\n').count();
        self.taken = end;
        part
    }
}

/// Cuts an NDJSON log into parts of at least `target` bytes that end at a line end (the last
/// part takes the rest), as [`Lines::next_part`] does. Returns `(start, end, first line)` of
/// each part; line numbers are 1-based.
pub fn line_parts(bytes: &[u8], target: usize) -> Vec<(usize, usize, usize)> {
    let mut lines = Lines::new(bytes.to_vec());
    std::iter::from_fn(|| lines.next_part(target)).collect()
}

/// How far a [`Checker`] or a [`Builder`] is: what it is doing, how much of it is done, of
/// how much.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// The step, for people.
    pub what: String,
    /// Done so far.
    pub done: f64,
    /// Of this much.
    pub total: f64,
    /// True when the work is over.
    pub finished: bool,
}

impl Progress {
    /// `done` of `total`, not finished.
    pub fn new(what: String, done: usize, total: usize) -> Self {
        Self { what, done: done as f64, total: total as f64, finished: false }
    }

    /// The work is over.
    pub fn finished() -> Self {
        Self { what: "Done".into(), done: 1.0, total: 1.0, finished: true }
    }
}

/// What the worker tells the page, as JSON. *API boundary* between the two wasm binaries of
/// one build (they are always built together, so it needs no version).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
// Externally tagged (serde's default): an internally tagged enum buffers every message and
// costs the page's bundle kilobytes more to decode.
#[serde(rename_all = "kebab-case")]
pub enum FromWorker {
    /// Started and listening: the page may send the file. (A message sent before would be
    /// lost while the worker's wasm is still loading.)
    Ready,
    /// How far it is.
    Progress(Progress),
    /// The file could not be read at all (unreadable, or its format unknown).
    Failed {
        /// What went wrong, for people.
        message: String,
    },
    /// Checked; the accepted part follows beside the message as an NDJSON log.
    Checked(Checked),
    /// A record written for a download; the file's text follows beside the message.
    Exported {
        /// Events written.
        written: usize,
        /// Events the format cannot hold.
        left_out: usize,
    },
}

/// What checking a file found, without the records themselves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checked {
    /// The file's name.
    pub name: String,
    /// The format it was read as.
    pub format: Format,
    /// Its title, or its name when it has none.
    pub title: String,
    /// The stream the file names, if any.
    pub stream: Option<String>,
    /// Records accepted.
    pub accepted: usize,
    /// Records rejected.
    pub rejected: usize,
    /// Every problem, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// Remarks that are not problems (a column not read, a value kept under `codes`).
    pub notes: Vec<Diagnostic>,
}

/// Checks a file in steps (in the worker): [`Checker::step`] does one step and says how far
/// it is; the result is the same wherever the steps fall.
pub struct Checker {
    name: String,
    format: Format,
    stage: Stage,
}

enum Stage {
    /// Decoding an NDJSON log: the bytes, where the parts are cut, the next part.
    Decoding { lines: Lines, part_bytes: usize, log: NdjsonParts },
    /// A decoded log, to validate as a whole.
    Validating(NdjsonParts),
    /// A file read whole.
    Whole { bytes: Vec<u8> },
    /// The report and the accepted part as an NDJSON log.
    Done(Box<(Checked, String)>),
    /// Between two stages.
    Moving,
}

impl Checker {
    /// A checker for `bytes`, the file `name` read as `format`; an NDJSON log is decoded in
    /// parts of about `part_bytes`.
    pub fn new(bytes: Vec<u8>, name: &str, format: Format, part_bytes: usize) -> Self {
        // A log that is not UTF-8 is read whole, so the reader says where the bad byte is.
        let stage = if format == Format::AnnalsNdjson && std::str::from_utf8(&bytes).is_ok() {
            Stage::Decoding { lines: Lines::new(bytes), part_bytes, log: NdjsonParts::default() }
        } else {
            Stage::Whole { bytes }
        };
        Self { name: name.to_owned(), format, stage }
    }

    /// Does one step of the work and says how far it is.
    pub fn step(&mut self) -> Progress {
        let name = &self.name;
        match std::mem::replace(&mut self.stage, Stage::Moving) {
            Stage::Decoding { mut lines, part_bytes, mut log } => match lines.next_part(part_bytes) {
                Some((start, end, line)) => {
                    // Parts end at line ends, so each is UTF-8 when the whole is.
                    log.decode(std::str::from_utf8(&lines.bytes()[start..end]).unwrap_or_default(), line);
                    let total = lines.bytes().len();
                    self.stage = Stage::Decoding { lines, part_bytes, log };
                    Progress::new(format!("Reading the records of {name}"), end, total)
                }
                None => {
                    let what = format!("Checking the {} records of {name}", log.records());
                    self.stage = Stage::Validating(log);
                    Progress::new(what, 0, 1)
                }
            },
            Stage::Validating(log) => self.finish(log.finish(&Nothing)),
            Stage::Whole { bytes } => {
                let loaded = load(&bytes, name, Some(self.format), &Nothing);
                self.finish(loaded)
            }
            done @ Stage::Done(_) => {
                self.stage = done;
                Progress::finished()
            }
            Stage::Moving => Progress::finished(),
        }
    }

    fn finish(&mut self, mut loaded: Loaded) -> Progress {
        let stream = loaded.stream.clone().unwrap_or_else(|| StreamName::from("default"));
        let checked = Checked {
            name: self.name.clone(),
            format: self.format,
            title: loaded.title.take().unwrap_or_else(|| self.name.clone()),
            stream: loaded.stream.as_ref().map(|s| s.as_str().to_owned()),
            accepted: loaded.accepted.len(),
            rejected: loaded.rejected,
            diagnostics: std::mem::take(&mut loaded.diagnostics),
            notes: std::mem::take(&mut loaded.notes),
        };
        // Validated together here; the page only decodes and folds them.
        let log = write_ndjson(&loaded.into_envelopes(&stream, Timestamp(0)));
        self.stage = Stage::Done(Box::new((checked, log)));
        Progress::finished()
    }

    /// The report and the accepted part as an NDJSON log, once [`Checker::step`] said it is
    /// finished.
    pub fn finished(self) -> Option<(Checked, String)> {
        match self.stage {
            Stage::Done(done) => Some(*done),
            _ => None,
        }
    }
}

/// Writes a record, given as the NDJSON log the page keeps, in `format` for a download: core's
/// `export`, the same code as `annals export`. *Why here:* the writers of other tools' formats
/// are needed only by someone who downloads, so the page's bundle leaves them to the worker.
pub fn export_log(log: &str, format: ExportFormat, title: &str) -> Result<Exported, String> {
    let mut envelopes = Vec::new();
    for line in log.lines().filter(|l| !l.is_empty()) {
        let record = decode_record(line).map_err(|e| format!("the record came to the writer unreadable: {e}"))?;
        let (Some(position), Some(stream), Some(recorded_at)) =
            (record.position, record.stream, record.proposed.recorded_at)
        else {
            return Err("the record came to the writer without its positions".to_owned());
        };
        envelopes.push(Envelope {
            position,
            id: record.proposed.id,
            stream,
            recorded_at,
            event: record.proposed.event,
        });
    }
    Ok(export(&envelopes, format, &ExportInfo { stream: None, title: Some(title), description: None }))
}

/// The format to read `bytes` as: the one asked for, else the detected one.
pub fn format_of(bytes: &[u8], name: &str, asked: Option<Format>) -> Option<Format> {
    asked.or_else(|| annals_core::format::detect(bytes, name))
}

/// The message for a file whose format cannot be told.
pub fn cannot_tell(name: &str) -> String {
    let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
    format!("{name}: could not tell the format of this file; choose one of {} above and try again", names.join(", "))
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

    fn check(bytes: &[u8], name: &str, part_bytes: usize) -> (Checked, String) {
        let format = format_of(bytes, name, None).expect("a known format");
        let mut checker = Checker::new(bytes.to_vec(), name, format, part_bytes);
        while !checker.step().finished {}
        checker.finished().expect("checked")
    }

    /// A log checked in small parts says exactly what it says checked whole, and the
    /// accepted part is written as one envelope a line.
    #[test]
    fn a_log_checked_in_parts_equals_the_log_checked_whole() {
        let bytes =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/examples/invalid.ndjson")).expect("example");
        let whole = check(&bytes, "invalid.ndjson", usize::MAX);
        for part in [1, 64, 300] {
            assert_eq!(check(&bytes, "invalid.ndjson", part), whole, "parts of {part} bytes");
        }
        let (checked, log) = whole;
        assert!(checked.accepted > 0 && checked.rejected > 0, "the example has good and bad records");
        assert_eq!(log.lines().count(), checked.accepted);
        assert_eq!(checked.title, "invalid.ndjson");
    }

    /// The report crosses from the worker to the page as JSON, problems and notes included.
    #[test]
    fn the_worker_s_answers_survive_the_trip_to_the_page() {
        let bytes =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/examples/invalid.ndjson")).expect("example");
        let (checked, _) = check(&bytes, "invalid.ndjson", 64);
        assert!(!checked.diagnostics.is_empty());
        let progress = Progress::new("Reading".into(), 1, 2);
        for message in [
            FromWorker::Checked(checked),
            FromWorker::Exported { written: 3, left_out: 1 },
            FromWorker::Ready,
            FromWorker::Progress(progress),
            FromWorker::Failed { message: "x".into() },
        ] {
            let json = serde_json::to_string(&message).expect("json");
            assert_eq!(serde_json::from_str::<FromWorker>(&json).expect("back"), message, "{json}");
        }
    }

    /// What the worker writes from the page's log is what core writes from the envelopes.
    #[test]
    fn a_record_exports_from_its_log_as_from_its_envelopes() {
        let doc = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/azerbaijan-belarus.json"))
            .expect("the default record");
        let envelopes = load(&doc, "x.json", None, &Nothing).into_envelopes(&StreamName::from("s"), Timestamp(0));
        let log = write_ndjson(&envelopes);
        for format in ExportFormat::ALL {
            let info = ExportInfo { stream: None, title: Some("T"), description: None };
            let direct = export(&envelopes, format, &info);
            let via_log = export_log(&log, format, "T").expect("exported");
            assert_eq!((via_log.text, via_log.written), (direct.text, direct.written), "{format:?}");
        }
        assert!(export_log("{not json", ExportFormat::Csv, "T").is_err());
    }

    #[test]
    fn an_unknown_file_says_so() {
        assert_eq!(format_of(b"\x00\x01binary", "blob.bin", None), None);
        let message = cannot_tell("blob.bin");
        assert!(message.contains("blob.bin") && message.contains("annals-json"), "{message}");
    }
}
