//! Reading and writing files of events.
//!
//! Every reader turns bytes into [`Loaded`]: the records that passed validation, and a
//! [`Diagnostic`] for every problem found — which line or record, which field, what was
//! found and what was expected. Readers never panic and never stop at the first problem.
//! Whether to use the valid part or nothing is the caller's choice; [`Loaded::is_clean`]
//! says whether there is a choice to make.
//!
//! Records rejected by validation can take others with them: an event naming an actor whose
//! registration was rejected is rejected too (its diagnostic says so), so the accepted part
//! is always valid on its own.
//!
//! The readers of other tools' files are behind the `foreign-formats` feature (on by default).
//! *Why:* the browser's main bundle reads only Annals files (the default record, `?src=`,
//! the widget) and leaves the rest to the file-opening worker, which is built with it; the
//! bytes of five readers and an XML parser are then downloaded only by someone who opens a
//! file. Without the feature [`load`] reads the native formats and says so for the others;
//! [`csv`] and [`timelinejs`] stay compiled because [`export`] writes those formats with
//! their helpers (their readers are then unreachable and left out by the linker).

#[cfg(feature = "foreign-formats")]
pub mod countries;
pub mod csv;
pub mod export;
#[cfg(feature = "foreign-formats")]
pub mod gdelt;
#[cfg(feature = "foreign-formats")]
pub mod history;
pub mod import;
pub mod native;
#[cfg(feature = "foreign-formats")]
pub mod plover;
pub mod timelinejs;

use serde::{Deserialize, Serialize};

use crate::envelope::Proposed;
use crate::id::StreamName;
use crate::validate::{validate_records, Known, Problem};

/// The file formats Annals reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// The Annals JSON document: `{"annals": 1, "events": [...]}`.
    AnnalsJson,
    /// The Annals NDJSON log: one record or envelope per line.
    AnnalsNdjson,
    /// A spreadsheet export: the TimelineJS sheet header or the Annals CSV template.
    Csv,
    /// A TimelineJS3 JSON file (`title`, `events`, `eras`).
    TimelinejsJson,
    /// A GDELT events export, 1.0 (57/58 columns) or 2.0 (61 columns), tab-separated.
    Gdelt,
    /// PLOVER-coded events, a JSON array or JSON Lines.
    Plover,
    /// HistoryAtState XML: foreign leaders' visits or presidential/secretary travels.
    HistoryAtState,
}

impl Format {
    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Format::AnnalsJson => "annals-json",
            Format::AnnalsNdjson => "annals-ndjson",
            Format::Csv => "csv",
            Format::TimelinejsJson => "timelinejs-json",
            Format::Gdelt => "gdelt",
            Format::Plover => "plover",
            Format::HistoryAtState => "historyatstate-xml",
        }
    }

    /// Every format, for `--format` help.
    pub const ALL: [Format; 7] = [
        Format::AnnalsJson,
        Format::AnnalsNdjson,
        Format::Csv,
        Format::TimelinejsJson,
        Format::Gdelt,
        Format::Plover,
        Format::HistoryAtState,
    ];
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL.into_iter().find(|f| f.name() == s).ok_or_else(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
            format!("unknown format {s:?}; expected one of {}", names.join(", "))
        })
    }
}

/// Where a problem is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Diagnostic {
    /// 1-based line in the file, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based record number (item of the events array, data line of a log), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<usize>,
    /// Path of the field within the record; empty for the record or file as a whole.
    pub field: String,
    /// What is wrong, what was found and what was expected.
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.record) {
            (Some(l), Some(r)) => write!(f, "line {l}, record {r}")?,
            (Some(l), None) => write!(f, "line {l}")?,
            (None, Some(r)) => write!(f, "record {r}")?,
            (None, None) => f.write_str("file")?,
        }
        if !self.field.is_empty() {
            write!(f, ", {}", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A record read from a file, with where it was.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    /// 1-based line where the record starts.
    pub line: Option<usize>,
    /// 1-based record number.
    pub record: usize,
    /// The record.
    pub proposed: Proposed,
}

impl AsRef<Proposed> for Located {
    fn as_ref(&self) -> &Proposed {
        &self.proposed
    }
}

/// What reading a file produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The format read.
    pub format: Format,
    /// The stream the file names, if any.
    pub stream: Option<StreamName>,
    /// The file's title, if any.
    pub title: Option<String>,
    /// The file's description, if any.
    pub description: Option<String>,
    /// Records that passed validation, in file order.
    pub accepted: Vec<Located>,
    /// Number of records rejected.
    pub rejected: usize,
    /// Every problem found, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// Remarks that are not problems (a spreadsheet column Annals does not read, a value
    /// kept under `codes`): the file stays clean, but the person should know.
    pub notes: Vec<Diagnostic>,
}

impl Loaded {
    /// A file not read at all: no records, one problem about the file as a whole.
    pub(crate) fn failed(format: Format, diagnostic: Diagnostic) -> Self {
        Loaded {
            format,
            stream: None,
            title: None,
            description: None,
            accepted: Vec::new(),
            rejected: 0,
            diagnostics: vec![diagnostic],
            notes: Vec::new(),
        }
    }

    /// True when every record was accepted and there is no problem.
    pub fn is_clean(&self) -> bool {
        self.diagnostics.is_empty()
    }

    /// The accepted records, ready to append.
    pub fn proposed(&self) -> Vec<Proposed> {
        self.accepted.iter().map(|l| l.proposed.clone()).collect()
    }

    /// The accepted records as the envelopes of a new stream (positions from 1), without
    /// going through a [`crate::Log`]: they were validated together already, and a reader
    /// that only shows a file (the browser) need not validate it twice.
    pub fn into_envelopes(self, stream: &StreamName, recorded_at: crate::Timestamp) -> Vec<crate::Envelope> {
        self.accepted
            .into_iter()
            .enumerate()
            .map(|(i, l)| crate::Envelope {
                position: i as u64 + 1,
                id: l.proposed.id,
                stream: stream.clone(),
                recorded_at: l.proposed.recorded_at.unwrap_or(recorded_at),
                event: l.proposed.event,
            })
            .collect()
    }
}

/// What a reader hands to [`finish`]: decoded records and the problems found so far.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub stream: Option<StreamName>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub records: Vec<Located>,
    pub diagnostics: Vec<Diagnostic>,
    /// Remarks that are not problems; see [`Loaded::notes`].
    pub notes: Vec<Diagnostic>,
    /// Records that did not even decode.
    pub undecodable: usize,
}

/// Validates decoded records against `known`, dropping the invalid ones and whatever
/// depends on them, until the accepted part is valid on its own.
pub(crate) fn finish(format: Format, mut parsed: Parsed, known: &dyn Known) -> Loaded {
    // Validation reads the records in place, and a round only drops the rejected ones: a
    // file of 100,000 records is never copied or split apart between rounds.
    let mut batch = std::mem::take(&mut parsed.records);
    let mut rejected = parsed.undecodable;
    let mut first_round = true;
    loop {
        let problems = validate_records(&batch, known, &|i| match &batch[i] {
            Located { line: Some(line), record, .. } => format!("line {line}, record {record}"),
            Located { line: None, record, .. } => format!("record {record}"),
        });
        if problems.is_empty() {
            break;
        }
        let mut bad = vec![false; batch.len()];
        for (i, Problem { field, message }) in problems {
            bad[i] = true;
            let message = if first_round { message } else { format!("{message} (it depends on a rejected record)") };
            let Located { line, record, .. } = batch[i];
            parsed.diagnostics.push(Diagnostic { line, record: Some(record), field, message });
        }
        let before = batch.len();
        let mut keep = bad.iter().map(|b| !b);
        batch.retain(|_| keep.next().unwrap_or(false));
        rejected += before - batch.len();
        first_round = false;
    }
    let accepted = batch;
    parsed.diagnostics.sort_by_key(|d| (d.record.unwrap_or(0), d.line.unwrap_or(0)));
    Loaded {
        format,
        stream: parsed.stream,
        title: parsed.title,
        description: parsed.description,
        accepted,
        rejected,
        diagnostics: parsed.diagnostics,
        notes: parsed.notes,
    }
}

/// Guesses the format of a file from its content (and name, when the content is ambiguous).
///
/// - A JSON object is an Annals document when it has `annals`, or `events` whose items are
///   records (`type` and `payload`); it is a TimelineJS file when its `events` are slides
///   (`start_date`, `text`, `media`) or it has `eras` or `scale`.
/// - Lines whose first object has `payload` are an Annals log. `//` comment lines are skipped.
/// - A first line that is the header of a known sheet (TimelineJS or the Annals template,
///   `,`, `;` or tab separated) is CSV; so is a `.csv` file whose header is not tab-separated.
///
/// Without the `foreign-formats` feature only JSON is told apart (nothing else could be read).
pub fn detect(bytes: &[u8], name: &str) -> Option<Format> {
    let text = std::str::from_utf8(bytes).ok()?;
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with("//"))?;
    #[cfg(feature = "foreign-formats")]
    if let Some(format) = detect_event_data(text, first) {
        return Some(format);
    }
    if first.starts_with('{') {
        if let Some(format) = detect_json_object(text) {
            return Some(format);
        }
        if let Ok(keys) = serde_json::from_str::<std::collections::HashMap<String, serde::de::IgnoredAny>>(first) {
            if keys.contains_key("events") {
                return Some(Format::AnnalsJson);
            }
            if keys.contains_key("payload") {
                return Some(Format::AnnalsNdjson);
            }
        }
        if name.ends_with(".ndjson") || name.ends_with(".jsonl") {
            return Some(Format::AnnalsNdjson);
        }
        return Some(Format::AnnalsJson);
    }
    #[cfg(feature = "foreign-formats")]
    if csv::looks_like(text) || (name.to_ascii_lowercase().ends_with(".csv") && csv::sniff_delimiter(first) != '\t') {
        return Some(Format::Csv);
    }
    None
}

/// Tells an Annals document from a TimelineJS file by their keys; `None` when the text is
/// not one JSON object (a log) or says neither.
fn detect_json_object(text: &str) -> Option<Format> {
    use serde::de::IgnoredAny;
    use serde_json::value::RawValue;
    use std::collections::HashMap;
    let top: HashMap<String, &RawValue> = serde_json::from_str(text).ok()?;
    if top.contains_key("annals") {
        return Some(Format::AnnalsJson);
    }
    let slide_keys = ["start_date", "end_date", "text", "media", "unique_id", "background", "display_date"];
    if let Some(events) = top.get("events") {
        let items: Vec<HashMap<String, IgnoredAny>> = serde_json::from_str(events.get()).unwrap_or_default();
        if let Some(item) = items.first() {
            if item.contains_key("payload") || (item.contains_key("type") && item.contains_key("id")) {
                return Some(Format::AnnalsJson);
            }
            if slide_keys.iter().any(|k| item.contains_key(*k)) {
                return Some(Format::TimelinejsJson);
            }
        }
    }
    if top.contains_key("eras") || top.contains_key("scale") {
        return Some(Format::TimelinejsJson);
    }
    if top.contains_key("events") {
        return Some(Format::AnnalsJson);
    }
    None
}

/// Recognises the event-data formats by their content alone:
/// - GDELT: a line of 57, 58 or 61 TAB-separated fields starting with a number, or a header
///   row starting with `GLOBALEVENTID` (TAB- or comma-separated, quoted or not);
/// - PLOVER: a JSON array whose first item, or a first line that is an object, has PLOVER's
///   keys (`event` with `eventText`/`event_text`/`actor`/`source`/`mode`, or `event_type`);
/// - HistoryAtState: an XML document whose root is `<visits>` or `<trips>`.
#[cfg(feature = "foreign-formats")]
fn detect_event_data(text: &str, first: &str) -> Option<Format> {
    let head = first.trim_start_matches('"');
    if head.get(..13).is_some_and(|h| h.eq_ignore_ascii_case("GLOBALEVENTID")) {
        return Some(Format::Gdelt);
    }
    if first.contains('\t') {
        let fields: Vec<&str> = first.split('\t').collect();
        let numeric = fields.first().is_some_and(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
        if numeric && gdelt::Version::from_width(fields.len()).is_some() {
            return Some(Format::Gdelt);
        }
    }
    if first.starts_with('<') {
        return xml_root(text).filter(|r| *r == "visits" || *r == "trips").map(|_| Format::HistoryAtState);
    }
    let object = match text.trim_start().strip_prefix('[') {
        Some(rest) => rest.trim_start(),
        None if first.starts_with('{') => first,
        None => return None,
    };
    let keys = serde_json::Deserializer::from_str(object)
        .into_iter::<std::collections::HashMap<String, serde::de::IgnoredAny>>()
        .next()?
        .ok()?;
    let has = |k: &str| keys.contains_key(k);
    let plover = has("event_type")
        || (has("event") && ["eventText", "event_text", "actor", "source", "recipient", "mode"].iter().any(|k| has(k)));
    plover.then_some(Format::Plover)
}

/// The name of the root element of an XML document, skipping the prolog, comments and
/// doctype, without parsing the rest.
#[cfg(feature = "foreign-formats")]
fn xml_root(text: &str) -> Option<&str> {
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    loop {
        if let Some(r) = rest.strip_prefix("<?") {
            rest = r.split_once("?>")?.1.trim_start();
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = r.split_once("-->")?.1.trim_start();
        } else if let Some(r) = rest.strip_prefix("<!") {
            rest = r.split_once('>')?.1.trim_start();
        } else {
            let r = rest.strip_prefix('<')?;
            let end = r.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(r.len());
            return Some(&r[..end]);
        }
    }
}

/// Reads a file: detects (or takes) its format, decodes and validates every record.
///
/// `known` is what the records may refer to besides themselves (the stream they will be
/// appended to); pass [`crate::validate::Nothing`] for a file on its own.
pub fn load(bytes: &[u8], name: &str, format: Option<Format>, known: &dyn Known) -> Loaded {
    let format = format.or_else(|| detect(bytes, name));
    match format {
        Some(Format::AnnalsJson) => native::read_document(bytes, known),
        Some(Format::AnnalsNdjson) => native::read_ndjson(bytes, known),
        #[cfg(feature = "foreign-formats")]
        Some(Format::Csv) => csv::read(bytes, name, known),
        #[cfg(feature = "foreign-formats")]
        Some(Format::TimelinejsJson) => timelinejs::read(bytes, name, known),
        #[cfg(feature = "foreign-formats")]
        Some(Format::Gdelt) => gdelt::read(bytes, name, known),
        #[cfg(feature = "foreign-formats")]
        Some(Format::Plover) => plover::read(bytes, name, known),
        #[cfg(feature = "foreign-formats")]
        Some(Format::HistoryAtState) => history::read(bytes, name, known),
        #[cfg(not(feature = "foreign-formats"))]
        Some(other) => unread(other, format!("{} files are not read by this build (no foreign-formats feature); the web app reads them in its file opener", other.name())),
        None => unread(Format::AnnalsJson, "could not tell the format of this file; expected an Annals JSON document or NDJSON log, a TimelineJS JSON file, a CSV sheet with a known header, a GDELT export, PLOVER records or HistoryAtState XML (give --format)".into()),
    }
}

/// A file not read at all, with a message about the file as a whole.
fn unread(format: Format, message: String) -> Loaded {
    Loaded::failed(format, Diagnostic { line: None, record: None, field: String::new(), message })
}
