//! The Annals native formats: a JSON document and an NDJSON log.
//!
//! The document is what people write and share:
//!
//! ```json
//! {"annals": 1, "stream": "azerbaijan-belarus", "title": "…", "description": "…",
//!  "events": [{"id": "…", "type": "Visit", "payload": {…}}, …]}
//! ```
//!
//! The log is what stores export and import: one record or full envelope per line (blank
//! lines and lines starting with `//` are ignored). Both are described by the JSON Schemas
//! in `data/schema/`. Records keep the line they start on, found from where serde's
//! borrowed raw value sits in the input, so a diagnostic in a 40,000-line document still
//! points at the right line.
//!
//! [`detect`] and [`load`] read these two formats only, and tell a TimelineJS JSON file from
//! an Annals document so it can be handed on: the web page's loader (which leaves other tools'
//! readers to its file-opening worker) and core's own tests use them. Everything else calls
//! `annals_formats::load`, which reads every format and uses [`detect_text`] for the JSON ones.

use crate::problem::{Quoted, Said};
use crate::says;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{finish, Format, Loaded, Located, Parsed};
use crate::envelope::{decode_record, decode_record_ref, Envelope, Proposed};
use crate::event::Introduction;
use crate::id::StreamName;
use crate::lang::Texts;
use crate::problem::{decode_json, Problem};
use crate::validate::Known;

/// The document format version this program reads and writes.
pub const DOCUMENT_VERSION: u32 = 1;

#[derive(Deserialize)]
#[serde(expecting = "a JSON object")]
struct RawDocument<'a> {
    #[serde(default)]
    annals: Option<serde_json::Value>,
    #[serde(default)]
    stream: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default, deserialize_with = "crate::lang::deserialize_texts")]
    titles: Texts,
    #[serde(default, deserialize_with = "crate::lang::deserialize_texts")]
    descriptions: Texts,
    #[serde(default, borrow)]
    introduction: Option<&'a RawValue>,
    #[serde(borrow)]
    events: Vec<&'a RawValue>,
}

fn utf8(bytes: &[u8]) -> Result<&str, Problem> {
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
        Problem::about_file(says!(
            "the file is not UTF-8 (invalid byte at offset {0}); expected UTF-8 text",
            e.valid_up_to()
        ))
        .at(Some(line), None)
    })
}

/// Reads an Annals JSON document.
pub fn read_document(bytes: &[u8], known: &dyn Known) -> Loaded {
    let text = match utf8(bytes) {
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t),
        Err(d) => return Loaded::failed(Format::AnnalsJson, d),
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let doc: RawDocument<'_> = match decode_json(&mut de) {
        Ok(doc) => doc,
        Err((path, inner)) => {
            let message = Said::from_serde(&inner.to_string()).carried();
            return Loaded::failed(
                Format::AnnalsJson,
                Problem::new(
                    path,
                    says!("{0} (expected an Annals JSON document: {\"annals\": 1, \"events\": [...]})", message),
                )
                .at(Some(inner.line()).filter(|l| *l > 0), None),
            );
        }
    };
    let mut parsed = Parsed { title: doc.title, description: doc.description, ..Parsed::default() };
    crate::validate::record_texts(&doc.titles, &doc.descriptions, &mut parsed.diagnostics);
    (parsed.titles, parsed.descriptions) = (doc.titles, doc.descriptions);
    if let Some(raw) = doc.introduction {
        parsed.introduction = read_introduction(raw.get(), &mut parsed.diagnostics);
    }
    match doc.annals {
        None => {}
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(u64::from(DOCUMENT_VERSION)) => {}
        Some(other) => parsed.diagnostics.push(Problem::new(
            "annals",
            says!("found {0}; expected the document version {1}", other, DOCUMENT_VERSION),
        )),
    }
    if let Some(s) = doc.stream {
        match crate::id::check_stream(&s) {
            Ok(()) => parsed.stream = Some(StreamName::from(s)),
            Err(reason) => parsed
                .diagnostics
                .push(Problem::new("stream", says!("stream name {0}: {1}", Quoted(&s), reason.carried()))),
        }
    }
    let base = text.as_ptr() as usize;
    let (mut line, mut scanned) = (1usize, 0usize);
    for (i, raw) in doc.events.iter().enumerate() {
        let offset = (raw.get().as_ptr() as usize).saturating_sub(base).min(text.len());
        line += text.as_bytes()[scanned..offset].iter().filter(|b| **b == b'\n').count();
        scanned = offset;
        let record = i + 1;
        match decode_record(raw.get()) {
            Ok(decoded) => parsed.records.push(Located { line: Some(line), record, proposed: decoded.proposed }),
            Err(e) => {
                parsed.undecodable += 1;
                parsed.diagnostics.push(e.at(Some(line), Some(record)));
            }
        }
    }
    finish(Format::AnnalsJson, parsed, known)
}

/// A document's `introduction` (its JSON), checked; `None` (and its problems in
/// `diagnostics`) when it cannot be read or is not valid, which leaves the events to be read
/// all the same. (Public: the web page reads the introduction its file-opening worker sends
/// with this, the reader it has anyway.)
pub fn read_introduction(raw: &str, diagnostics: &mut Vec<Problem>) -> Option<Introduction> {
    let mut de = serde_json::Deserializer::from_str(raw);
    let intro: Option<Introduction> = match decode_json(&mut de) {
        Ok(intro) => intro,
        Err((path, e)) => {
            let field = if path.is_empty() { "introduction".to_owned() } else { format!("introduction.{path}") };
            diagnostics.push(Problem::new(field, Said::from_serde(&e.to_string())));
            return None;
        }
    };
    let intro = intro.filter(|i| !i.is_empty())?;
    let mut problems = Vec::new();
    crate::validate::introduction(&intro, "introduction", &mut problems);
    if problems.is_empty() {
        Some(intro)
    } else {
        diagnostics.extend(problems);
        None
    }
}

/// Reads an Annals NDJSON log (records or envelopes, one per line).
pub fn read_ndjson(bytes: &[u8], known: &dyn Known) -> Loaded {
    let text = match utf8(bytes) {
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t),
        Err(d) => return Loaded::failed(Format::AnnalsNdjson, d),
    };
    let mut log = NdjsonParts::default();
    log.decode(text, 1);
    log.finish(known)
}

/// An NDJSON log read part by part: each part (whole lines) is decoded as it comes, and the
/// whole log is validated once at the end, exactly as [`read_ndjson`] would. This lets a
/// caller that must stay responsive (the browser) decode a large log in steps; the result
/// does not depend on where the parts were cut.
#[derive(Debug, Default)]
pub struct NdjsonParts {
    parsed: Parsed,
    records: usize,
}

impl NdjsonParts {
    /// Decodes whole lines of the log; `first_line` is the 1-based line of the part's first
    /// line in the file.
    pub fn decode(&mut self, part: &str, first_line: usize) {
        let part = if first_line == 1 { part.strip_prefix('\u{feff}').unwrap_or(part) } else { part };
        let parsed = &mut self.parsed;
        for (i, line) in part.lines().enumerate() {
            let line_no = first_line + i;
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with("//") {
                continue;
            }
            self.records += 1;
            let record = self.records;
            match decode_record_ref(trimmed) {
                Ok(decoded) => {
                    if let Some(problem) = stream_problem(&mut parsed.stream, decoded.stream.as_deref()) {
                        parsed.undecodable += 1;
                        parsed.diagnostics.push(Problem::new("stream", problem).at(Some(line_no), Some(record)));
                        continue;
                    }
                    parsed.records.push(Located { line: Some(line_no), record, proposed: decoded.proposed });
                }
                Err(e) => {
                    parsed.undecodable += 1;
                    parsed.diagnostics.push(e.at(Some(line_no), Some(record)));
                }
            }
        }
    }

    /// Records decoded so far (good or not).
    pub fn records(&self) -> usize {
        self.records
    }

    /// Validates everything decoded against `known`, as [`read_ndjson`] does.
    pub fn finish(self, known: &dyn Known) -> Loaded {
        finish(Format::AnnalsNdjson, self.parsed, known)
    }
}

/// Checks a record's stream name; the first one names the file's stream, and every other
/// record must be in the same stream. A name equal to the file's was checked with the first
/// record that gave it, so a log of one stream checks and allocates its name once.
fn stream_problem(file_stream: &mut Option<StreamName>, record: Option<&str>) -> Option<Said> {
    let record = record?;
    if file_stream.as_ref().is_some_and(|s| s.as_str() == record) {
        return None;
    }
    if let Err(reason) = crate::id::check_stream(record) {
        return Some(says!("stream name {0}: {1}", Quoted(&record), reason.carried()));
    }
    match file_stream {
        None => {
            *file_stream = Some(StreamName::from(record));
            None
        }
        Some(s) => Some(says!(
            "record is in stream {0} but the file's first record is in {1}; expected one stream per file",
            Quoted(&record),
            Quoted(&s.as_str())
        )),
    }
}

/// The message for a file whose format cannot be told, as every loader says it.
pub fn cannot_tell() -> Said {
    says!("could not tell the format of this file; expected an Annals JSON document or NDJSON log, a TimelineJS JSON file, a CSV sheet with a known header, a GDELT export, PLOVER records or HistoryAtState XML (give --format)")
}

/// Guesses whether a file is an Annals document, an Annals log or a TimelineJS file, from its
/// content (and name, when the content is ambiguous); `None` for anything that does not start
/// with a JSON object. See [`detect_text`].
pub fn detect(bytes: &[u8], name: &str) -> Option<Format> {
    detect_text(std::str::from_utf8(bytes).ok()?, name)
}

/// A JSON object's keys, each with its value's text unread. *Why one type for every probe of
/// [`detect_text`]:* each distinct map type is another hash table and map decoder in the
/// browser bundle, and the values are never looked at.
type Keys<'a> = std::collections::HashMap<String, &'a RawValue>;

/// [`detect`] for text already known to be UTF-8.
///
/// - A JSON object is an Annals document when it has `annals`, or `events` whose items are
///   records (`type` and `payload`); it is a TimelineJS file when its `events` are slides
///   (`start_date`, `text`, `media`) or it has `eras` or `scale`.
/// - Lines whose first object has `payload` are an Annals log. `//` comment lines are skipped.
/// - Any other first object is an Annals log when the name says `.ndjson` or `.jsonl`, else
///   an Annals document (whose reader then says what is wrong with it).
pub fn detect_text(text: &str, name: &str) -> Option<Format> {
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with("//"))?;
    if !first.starts_with('{') {
        return None;
    }
    if let Some(format) = detect_json_object(text) {
        return Some(format);
    }
    if let Ok(keys) = serde_json::from_str::<Keys<'_>>(first) {
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
    Some(Format::AnnalsJson)
}

/// Tells an Annals document from a TimelineJS file by their keys; `None` when the text is
/// not one JSON object (a log) or says neither.
fn detect_json_object(text: &str) -> Option<Format> {
    let top: Keys<'_> = serde_json::from_str(text).ok()?;
    if top.contains_key("annals") {
        return Some(Format::AnnalsJson);
    }
    let slide_keys = ["start_date", "end_date", "text", "media", "unique_id", "background", "display_date"];
    if let Some(events) = top.get("events") {
        let items: Vec<Keys<'_>> = serde_json::from_str(events.get()).unwrap_or_default();
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

/// Reads an Annals file: detects (or takes) its format and reads it when it is one of Annals'
/// own; any other format is a file not read, with a message saying where it is read.
///
/// `known` is what the records may refer to besides themselves (the stream they will be
/// appended to); pass [`crate::validate::Nothing`] for a file on its own.
pub fn load(bytes: &[u8], name: &str, format: Option<Format>, known: &dyn Known) -> Loaded {
    match format.or_else(|| detect(bytes, name)) {
        Some(Format::AnnalsJson) => read_document(bytes, known),
        Some(Format::AnnalsNdjson) => read_ndjson(bytes, known),
        Some(other) => Loaded::failed(
            other,
            Problem::about_file(says!("{0} files are not read by this build (only Annals files are); the web app reads them in its file opener", other.name())),
        ),
        None => Loaded::failed(Format::AnnalsJson, Problem::about_file(cannot_tell())),
    }
}

/// Document metadata for [`write_document`].
#[derive(Debug, Clone, Default)]
pub struct DocumentInfo<'a> {
    /// The stream name.
    pub stream: Option<&'a str>,
    /// The title.
    pub title: Option<&'a str>,
    /// The description.
    pub description: Option<&'a str>,
    /// The introduction (the text and medium a reader sees first).
    pub introduction: Option<&'a Introduction>,
    /// The title in other languages.
    pub titles: Option<&'a Texts>,
    /// The description in other languages.
    pub descriptions: Option<&'a Texts>,
}

/// Writes records as an Annals JSON document (pretty-printed, one record per item).
pub fn write_document(info: &DocumentInfo<'_>, records: &[Proposed]) -> String {
    let mut out = String::from("{\n  \"annals\": 1");
    let mut field = |name: &str, value: Option<&str>| {
        if let Some(v) = value {
            out.push_str(&format!(",\n  \"{name}\": {}", serde_json::Value::from(v)));
        }
    };
    field("stream", info.stream);
    field("title", info.title);
    field("description", info.description);
    for (name, texts) in [("titles", info.titles), ("descriptions", info.descriptions)] {
        if let Some(t) = texts.filter(|t| !t.is_empty()) {
            out.push_str(&format!(",\n  \"{name}\": {}", serde_json::to_string(t).unwrap_or_default()));
        }
    }
    if let Some(intro) = info.introduction.filter(|i| !i.is_empty()) {
        out.push_str(&format!(",\n  \"introduction\": {}", serde_json::to_string(intro).unwrap_or_default()));
    }
    out.push_str(",\n  \"events\": [");
    for (i, r) in records.iter().enumerate() {
        out.push_str(if i == 0 { "\n    " } else { ",\n    " });
        out.push_str(&serde_json::to_string(r).unwrap_or_default());
    }
    out.push_str("\n  ]\n}\n");
    out
}

/// Writes envelopes as an NDJSON log, one per line.
pub fn write_ndjson(envelopes: &[Envelope]) -> String {
    let mut out = String::with_capacity(envelopes.len() * 400);
    for env in envelopes {
        out.push_str(&serde_json::to_string(env).unwrap_or_default());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Nothing;

    const ACTORS: &str = r#"{"id":"a1","type":"ActorRegistered","payload":{"actor":"aze","kind":"country","names":{"en":"Azerbaijan"}}}
{"id":"a2","type":"ActorRegistered","payload":{"actor":"blr","kind":"country","names":{"en":"Belarus"}}}"#;

    #[test]
    fn ndjson_reports_every_problem_with_its_line_and_field() {
        let text = format!(
            "{ACTORS}\n\n// a comment\n{}\n{}\n{}\nnot json\n",
            r#"{"id":"v1","type":"Visit","payload":{"occurred":"2024-05-16","title":"State visit","visitor":"blr","host":"aze","sources":[{"publisher":"Turan","title":"Results"}]}}"#,
            r#"{"id":"v2","type":"Visit","payload":{"occurred":"2024-05-16","title":"","visitor":"blr","host":"nowhere","sources":[]}}"#,
            r#"{"id":"v3","type":"Visit","payload":{"occurred":"2024-02-30","title":"x"}}"#,
        );
        let loaded = read_ndjson(text.as_bytes(), &Nothing);
        assert_eq!(loaded.accepted.len(), 3);
        assert_eq!(loaded.rejected, 3);
        let got: Vec<String> = loaded.diagnostics.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "line 6, record 4, payload.title: is empty; expected text",
                "line 6, record 4, payload.sources: is empty; every event must cite at least one source",
                "line 6, record 4, payload.host: unknown actor \"nowhere\"; expected an actor registered by an ActorRegistered event",
                "line 7, record 5, payload.occurred: day 30 does not exist in 2024-02",
                "line 8, record 6: is not valid JSON (expected ident)",
            ]
        );
    }

    #[test]
    fn document_records_know_their_lines() {
        let text = r#"{
  "annals": 1,
  "stream": "s",
  "events": [
    {"id": "a1", "type": "ActorRegistered", "payload": {"actor": "aze", "kind": "country", "names": {"en": "Azerbaijan"}}},

    {"id": "c1", "type": "Call",
     "payload": {"occurred": "2021", "title": "Call", "sources": [{"publisher": "P", "url": "javascript:alert(1)"}]}}
  ]
}"#;
        let loaded = read_document(text.as_bytes(), &Nothing);
        assert_eq!(loaded.stream.as_ref().map(StreamName::as_str), Some("s"));
        assert_eq!(loaded.accepted.len(), 1);
        assert_eq!(loaded.diagnostics.len(), 1, "{:?}", loaded.diagnostics);
        let d = &loaded.diagnostics[0];
        assert_eq!((d.line, d.record, d.field.as_str()), (Some(7), Some(2), "payload.sources[0].url"));
    }

    #[test]
    fn broken_documents_say_where() {
        let loaded = read_document(b"{\"annals\": 1, \"events\": [\n  {\"id\": 1,}\n]}", &Nothing);
        assert_eq!(loaded.diagnostics.len(), 1);
        assert_eq!(loaded.diagnostics[0].line, Some(2));
        let not_utf8 = read_document(b"{\"a\":\n\xff}", &Nothing);
        assert_eq!(not_utf8.diagnostics[0].line, Some(2));
        assert!(not_utf8.diagnostics[0].message.contains("UTF-8"));
    }

    #[test]
    fn rejection_cascades_to_dependants() {
        let text = r#"{"id":"a1","type":"ActorRegistered","payload":{"actor":"Bad Id","kind":"country","names":{"en":"X"}}}
{"id":"a2","type":"ActorRegistered","payload":{"actor":"aze","kind":"country","names":{"en":"Azerbaijan"},"capital":"baku"}}
{"id":"a3","type":"ActorRegistered","payload":{"actor":"baku","kind":"place","names":{}}}"#;
        let loaded = read_ndjson(text.as_bytes(), &Nothing);
        assert!(loaded.accepted.is_empty(), "{:?}", loaded.accepted);
        assert_eq!(loaded.rejected, 3);
        assert!(loaded.diagnostics.iter().any(|d| d.message.contains("depends on a rejected record")));
    }
}
