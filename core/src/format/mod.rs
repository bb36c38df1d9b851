//! Reading and writing files of events: what every reader shares, and Annals' own formats.
//!
//! Every reader turns bytes into [`Loaded`]: the records that passed validation, and a
//! [`Problem`] for every problem found — which line or record, which field, what was
//! found and what was expected. Readers never panic and never stop at the first problem.
//! Whether to use the valid part or nothing is the caller's choice; [`Loaded::is_clean`]
//! says whether there is a choice to make.
//!
//! Records rejected by validation can take others with them: an event naming an actor whose
//! registration was rejected is rejected too (its diagnostic says so), so the accepted part
//! is always valid on its own.
//!
//! *What is here and what is not:* core reads and writes its own formats ([`native`]: the
//! JSON document and the NDJSON log) and owns the contract every reader fulfils ([`Parsed`]
//! in, [`finish`] to validate, [`Loaded`] out). The readers and writers of other tools' files
//! (TimelineJS, CSV, GDELT, PLOVER, HistoryAtState, iCalendar, GeoJSON) and the any-format
//! dispatcher are the `annals-formats` crate, which depends on this one. *Why:* the browser's
//! main bundle reads only Annals files (the default record, `?src=`, the widget) and does not
//! depend on that crate at all; a file in another format goes to the file-opening worker,
//! which does. [`Format`] and [`ExportFormat`] still name every format, so the page can offer
//! them and the worker's messages can carry them without linking a reader.

pub mod native;

use serde::{Deserialize, Serialize};

use crate::envelope::Proposed;
use crate::event::Introduction;
use crate::id::StreamName;
use crate::lang::Texts;
use crate::problem::Problem;
use crate::validate::{validate_records, Known};

/// The file formats Annals reads. Written and read by serde under the names of
/// [`Format::name`] (the web worker tells the page the format it read this way, and the page
/// reads the name back with `FromStr`).
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
    /// (serde's own kebab-case name, `history-at-state`, is still read; written, it made every
    /// XML file opened in the web app fail with "unknown format".)
    #[serde(rename = "historyatstate-xml", alias = "history-at-state")]
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
    /// The file's title in other languages ([`crate::lang`]).
    pub titles: Texts,
    /// The file's description in other languages.
    pub descriptions: Texts,
    /// The record's introduction (a TimelineJS title slide's text and medium), if any.
    pub introduction: Option<Introduction>,
    /// Records that passed validation, in file order.
    pub accepted: Vec<Located>,
    /// Number of records rejected.
    pub rejected: usize,
    /// Every problem found, in file order.
    pub diagnostics: Vec<Problem>,
    /// Remarks that are not problems (a spreadsheet column Annals does not read, a value
    /// kept under `codes`): the file stays clean, but the person should know.
    pub notes: Vec<Problem>,
}

impl Loaded {
    /// A file not read at all: no records, one problem about the file as a whole.
    pub fn failed(format: Format, diagnostic: Problem) -> Self {
        Loaded {
            format,
            stream: None,
            title: None,
            description: None,
            titles: Texts::new(),
            descriptions: Texts::new(),
            introduction: None,
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
pub struct Parsed {
    /// The stream the file names, if any.
    pub stream: Option<StreamName>,
    /// The file's title, if any.
    pub title: Option<String>,
    /// The file's description, if any.
    pub description: Option<String>,
    /// The file's title in other languages ([`crate::lang`]).
    pub titles: Texts,
    /// The file's description in other languages.
    pub descriptions: Texts,
    /// The record's introduction, if any (checked by the reader).
    pub introduction: Option<Introduction>,
    /// Records decoded, in file order, not yet validated.
    pub records: Vec<Located>,
    /// Problems found while decoding.
    pub diagnostics: Vec<Problem>,
    /// Remarks that are not problems; see [`Loaded::notes`].
    pub notes: Vec<Problem>,
    /// Records that did not even decode.
    pub undecodable: usize,
}

/// Validates decoded records against `known`, dropping the invalid ones and whatever
/// depends on them, until the accepted part is valid on its own.
pub fn finish(format: Format, mut parsed: Parsed, known: &dyn Known) -> Loaded {
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
        for (i, mut problem) in problems {
            bad[i] = true;
            if !first_round {
                problem.message.push_str(" (it depends on a rejected record)");
            }
            let Located { line, record, .. } = batch[i];
            parsed.diagnostics.push(problem.at(line, Some(record)));
        }
        let before = batch.len();
        let mut keep = bad.iter().map(|b| !b);
        batch.retain(|_| keep.next().unwrap_or(false));
        rejected += before - batch.len();
        first_round = false;
    }
    let accepted = batch;
    crate::order::sort_by_key(&mut parsed.diagnostics, |d| (d.record.unwrap_or(0), d.line.unwrap_or(0)));
    Loaded {
        format,
        stream: parsed.stream,
        title: parsed.title,
        description: parsed.description,
        titles: parsed.titles,
        descriptions: parsed.descriptions,
        introduction: parsed.introduction,
        accepted,
        rejected,
        diagnostics: parsed.diagnostics,
        notes: parsed.notes,
    }
}

/// The formats Annals writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    /// The Annals JSON document (the whole log).
    AnnalsJson,
    /// The Annals NDJSON log (envelopes, with positions).
    AnnalsNdjson,
    /// A TimelineJS3 JSON file.
    TimelinejsJson,
    /// The Annals CSV template.
    Csv,
    /// An iCalendar file.
    Ics,
    /// A GeoJSON FeatureCollection.
    Geojson,
}

impl ExportFormat {
    /// Every format, for `--format` help.
    pub const ALL: [ExportFormat; 6] = [
        ExportFormat::AnnalsJson,
        ExportFormat::AnnalsNdjson,
        ExportFormat::TimelinejsJson,
        ExportFormat::Csv,
        ExportFormat::Ics,
        ExportFormat::Geojson,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::AnnalsJson => "annals-json",
            ExportFormat::AnnalsNdjson => "annals-ndjson",
            ExportFormat::TimelinejsJson => "timelinejs-json",
            ExportFormat::Csv => "csv",
            ExportFormat::Ics => "ics",
            ExportFormat::Geojson => "geojson",
        }
    }
}

impl std::fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for ExportFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ExportFormat::ALL.into_iter().find(|f| f.name() == s).ok_or_else(|| {
            let names: Vec<&str> = ExportFormat::ALL.iter().map(|f| f.name()).collect();
            format!("unknown export format {s:?}; expected one of {}", names.join(", "))
        })
    }
}

/// A written record.
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    /// The file's text.
    pub text: String,
    /// Events written.
    pub written: usize,
    /// Live events not written because the format cannot hold them (no coordinates for
    /// GeoJSON, a date before year 1 or in year 9999 for iCalendar).
    pub left_out: usize,
}

#[cfg(test)]
mod tests {
    use super::Format;

    #[test]
    fn serde_writes_and_reads_every_format_by_its_name() {
        for format in Format::ALL {
            let json = serde_json::to_string(&format).expect("written");
            assert_eq!(json, format!("\"{}\"", format.name()));
            assert_eq!(serde_json::from_str::<Format>(&json).expect("read"), format);
            assert_eq!(format.name().parse::<Format>(), Ok(format));
        }
        let old: Format = serde_json::from_str("\"history-at-state\"").expect("the old name is still read");
        assert_eq!(old, Format::HistoryAtState);
    }
}
