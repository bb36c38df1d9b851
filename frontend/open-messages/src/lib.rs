//! # annals-open-messages
//!
//! What the web page and its file-opening worker (`annals-open`) say to each other: the
//! messages ([`FromWorker`], [`Checked`], [`Progress`]), how a log is cut into parts
//! ([`Lines`], [`line_parts`]) and the sizes of those parts. *API boundary* between the two wasm binaries
//! of one build (always built together, so the messages carry no version).
//!
//! *Why a crate of its own:* the page needs the messages and the worker needs the readers of
//! every format (`annals-formats`). Were the messages in the worker's crate, the page would
//! depend on that crate and so on the readers, and only a feature flag would keep them out of
//! its bundle (a flag that any build naming both crates turns on again, as features are
//! unified). Here the page depends on this crate and on `annals-core`, and the dependency
//! graph itself says the readers are not in its bundle
//! (`cargo tree -p annals-web --target wasm32-unknown-unknown -e normal` does not list
//! `annals-formats`).

use annals_core::format::Format;
use annals_core::Problem;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Bytes read from a file between two progress messages.
pub const READ_SLICE: usize = 4 << 20;
/// About how many bytes of an NDJSON log are decoded between two progress messages (in the
/// worker) or two yields (on the page).
pub const PART_BYTES: usize = 2 << 20;

/// An NDJSON text taken a part of whole lines at a time: **the one driver of every decoding
/// in parts** — a file by URL while its body downloads (`annals_web::record::Incoming`, fed
/// with [`Lines::push_with`] and drained with [`Lines::arrived`]), a file checked in the
/// worker (`annals_open::Checker`) and the checked log taken in on the page (`annals_web::open::Builder`),
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

/// How far the worker's checker or the page's builder is: what it is doing, how much of it is
/// done, of how much.
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
    /// What it is about, as the file introduces it.
    #[serde(default)]
    pub description: Option<String>,
    /// Its introduction (a TimelineJS title slide: text, medium, background), as JSON: the
    /// page reads it with the reader of introductions it has anyway
    /// (`annals_core::format::native::read_introduction`).
    #[serde(default)]
    pub introduction: Option<String>,
    /// Whether it opens as a story: a TimelineJS file with a title slide, whose readers expect
    /// the story first.
    #[serde(default)]
    pub story: bool,
    /// The stream the file names, if any.
    pub stream: Option<String>,
    /// Records accepted.
    pub accepted: usize,
    /// Records rejected.
    pub rejected: usize,
    /// Every problem, in file order.
    pub diagnostics: Vec<Problem>,
    /// Remarks that are not problems (a column not read, a value kept under `codes`).
    pub notes: Vec<Problem>,
}

impl FromWorker {
    /// Reads a message as the worker writes it (serde's form of this enum: `"ready"` or
    /// `{"variant": …}`), by hand from a JSON `Value`. `Err` says what was wrong.
    ///
    /// *Why by hand:* this runs on the page, and the derived decoder of the enum with its
    /// report and problems (inlined into serde_json's reader) was ~12 KB of the page's code
    /// before optimisation; `Value`'s reader is in the page anyway, and picking fields out of
    /// a `Value` costs little. The worker writes with the derive; `the_page_reads_every_message`
    /// checks that what it writes reads back the same.
    pub fn read(json: &str) -> Result<FromWorker, String> {
        let value: Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
        if value.as_str() == Some("ready") {
            return Ok(FromWorker::Ready);
        }
        let Some((variant, body)) = value.as_object().filter(|o| o.len() == 1).and_then(|o| o.iter().next()) else {
            return Err(format!("not a message: {}", annals_core::event::json_text(&value)));
        };
        let f = Fields(body, variant);
        Ok(match variant.as_str() {
            "progress" => FromWorker::Progress(Progress {
                what: f.string("what")?,
                done: f.number("done")?,
                total: f.number("total")?,
                finished: f.flag("finished")?,
            }),
            "failed" => FromWorker::Failed { message: f.string("message")? },
            "exported" => FromWorker::Exported { written: f.count("written")?, left_out: f.count("left_out")? },
            "checked" => FromWorker::Checked(Checked {
                name: f.string("name")?,
                format: f.string("format")?.parse()?,
                title: f.string("title")?,
                description: f.optional("description")?,
                introduction: f.optional("introduction")?,
                story: f.get("story").map_or(Ok(false), |_| f.flag("story"))?,
                stream: f.optional("stream")?,
                accepted: f.count("accepted")?,
                rejected: f.count("rejected")?,
                diagnostics: f.problems("diagnostics")?,
                notes: f.problems("notes")?,
            }),
            other => return Err(format!("unknown message {other:?}")),
        })
    }
}

/// The fields of a JSON object, read for [`FromWorker::read`]; the `&str` names the object.
struct Fields<'a>(&'a Value, &'a str);

impl Fields<'_> {
    fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    fn wrong(&self, key: &str, expected: &str) -> String {
        format!("{}.{key}: expected {expected}", self.1)
    }

    fn string(&self, key: &str) -> Result<String, String> {
        self.get(key).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| self.wrong(key, "a string"))
    }

    fn optional(&self, key: &str) -> Result<Option<String>, String> {
        self.get(key).map(|_| self.string(key)).transpose()
    }

    fn number(&self, key: &str) -> Result<f64, String> {
        self.get(key).and_then(Value::as_f64).ok_or_else(|| self.wrong(key, "a number"))
    }

    fn count(&self, key: &str) -> Result<usize, String> {
        self.get(key).and_then(Value::as_u64).map(|n| n as usize).ok_or_else(|| self.wrong(key, "a count"))
    }

    fn flag(&self, key: &str) -> Result<bool, String> {
        self.get(key).and_then(Value::as_bool).ok_or_else(|| self.wrong(key, "true or false"))
    }

    fn problems(&self, key: &str) -> Result<Vec<Problem>, String> {
        let list = self.get(key).and_then(Value::as_array).ok_or_else(|| self.wrong(key, "a list"))?;
        list.iter()
            .map(|p| {
                let f = Fields(p, key);
                let place = |k| f.get(k).map(|_| f.count(k)).transpose();
                let args = match f.get("args") {
                    None => Vec::new(),
                    Some(a) => a
                        .as_array()
                        .and_then(|a| a.iter().map(|v| v.as_str().map(str::to_owned)).collect())
                        .ok_or_else(|| f.wrong("args", "a list of strings"))?,
                };
                Ok(Problem {
                    line: place("line")?,
                    record: place("record")?,
                    field: f.string("field")?,
                    message: f.string("message")?,
                    text: f.optional("text")?.unwrap_or_default().into(),
                    args,
                })
            })
            .collect()
    }
}

/// The message for a file whose format cannot be told.
/// (A carried message, `Said::carried`: the page says it in the interface's language.)
pub fn cannot_tell(name: &str) -> String {
    let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
    annals_core::says!(
        "{0}: could not tell the format of this file; choose one of {1} above and try again",
        name,
        names.join(", ")
    )
    .carried()
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

    /// What the worker writes (the derive) the page reads back the same (by hand), for every
    /// format: the worker named HistoryAtState XML "history-at-state", which the page did not
    /// know, and every XML file opened in the browser failed.
    #[test]
    fn the_page_reads_every_message() {
        let mut problem = Problem::new("when", annals_core::problem::Said::new("is empty; expected {0}", &[&"a date"]));
        (problem.line, problem.record) = (Some(4), Some(3));
        let mut messages = vec![
            FromWorker::Ready,
            FromWorker::Progress(Progress { what: "Reading".into(), done: 1.0, total: 2.0, finished: false }),
            FromWorker::Failed { message: "no".into() },
            FromWorker::Exported { written: 4, left_out: 1 },
        ];
        messages.extend(Format::ALL.map(|format| {
            FromWorker::Checked(Checked {
                name: "visits.xml".into(),
                format,
                title: "Visits".into(),
                description: Some("All of them".into()),
                introduction: None,
                story: format == Format::TimelinejsJson,
                stream: Some("visits".into()),
                accepted: 2,
                rejected: 1,
                diagnostics: vec![problem.clone()],
                notes: vec![],
            })
        }));
        for message in messages {
            let json = serde_json::to_string(&message).expect("the worker writes it");
            assert_eq!(FromWorker::read(&json), Ok(message), "{json}");
        }
    }

    /// A message the page cannot read is an error that says what was wrong, never a panic.
    #[test]
    fn a_wrong_message_says_what_is_wrong() {
        for (json, says) in [
            ("{not json", "key must be a string"),
            (r#""steady""#, "not a message"),
            (r#"{"failed":{"message":"x"},"ready":null}"#, "not a message"),
            (r#"{"finished":{}}"#, "unknown message"),
            (r#"{"exported":{"written":-1,"left_out":0}}"#, "exported.written: expected a count"),
            (r#"{"progress":{"what":"x","done":1,"total":2}}"#, "progress.finished: expected true or false"),
            (
                r#"{"checked":{"name":"a","format":"csv","title":"a","accepted":1,"rejected":0,"diagnostics":[{"field":"f"}],"notes":[]}}"#,
                "diagnostics.message: expected a string",
            ),
            (
                r#"{"checked":{"name":"a","format":"doc","title":"a","accepted":1,"rejected":0,"diagnostics":[],"notes":[]}}"#,
                "unknown format",
            ),
        ] {
            let e = FromWorker::read(json).expect_err(json);
            assert!(e.contains(says), "{json}: {e}");
        }
        let read = FromWorker::read(r#"{"progress":{"what":"Reading","done":1,"total":2.5,"finished":false}}"#);
        assert_eq!(
            read,
            Ok(FromWorker::Progress(Progress { what: "Reading".into(), done: 1.0, total: 2.5, finished: false }))
        );
    }
}
