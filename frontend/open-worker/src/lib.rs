//! # annals-open
//!
//! The web app's file-opening worker: reading, detecting and checking a person's own file,
//! off the page's thread and out of the page's bundle. A binary of its own (`annals-open`,
//! built by trunk as a Web Worker from the root `index.html`), started by the page only when
//! someone opens, drops or pastes a file (see `annals_web::open`).
//!
//! *Why its own crate:* a wasm binary keeps every `#[wasm_bindgen]` export of the crates it
//! links, and the app's library exports the embed widget (and so all of yew); this crate
//! depends on `annals-core`, `annals-formats` and the browser bindings only. *Why a worker at
//! all:* the readers of other tools' formats and the XML parser are needed only by someone who
//! opens a file, and validating a large file as a whole (one long step) must not block the page.
//!
//! The messages the page and the worker exchange ([`FromWorker`], [`Checked`], [`Progress`],
//! [`line_parts`]) are the `annals-open-messages` crate, re-exported here: the page depends on
//! that crate and never on this one, so the readers cannot reach its bundle (see that crate's
//! docs for why not a feature flag).
//!
//! - [`Checker`] — the worker's work in steps, pure and tested natively;
//! - [`export_log`] — a download written in any format, from the page's log (the writers of
//!   other tools' formats are left out of the page's bundle too);
//! - [`worker`] — the worker's end of the messages (the only part that touches the browser).

use annals_core::envelope::decode_record;
use annals_core::format::native::{write_ndjson, NdjsonParts};
use annals_core::format::{Format, Loaded};
use annals_core::validate::Nothing;
use annals_core::{Envelope, StreamName, Timestamp};
use annals_formats::export::{export, ExportFormat, ExportInfo, Exported};
use annals_formats::load;
pub use annals_open_messages::{cannot_tell, line_parts, Checked, FromWorker, Lines, Progress, PART_BYTES, READ_SLICE};

pub mod worker;

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
            // A TimelineJS title slide's text is the file's introduction; its plain text is
            // what the masthead and the title slide show.
            description: loaded
                .description
                .take()
                .or_else(|| loaded.introduction.as_ref().and_then(|i| i.text.clone()))
                .filter(|s| !s.trim().is_empty()),
            introduction: loaded.introduction.as_ref().and_then(|i| serde_json::to_string(i).ok()),
            story: loaded.introduction.is_some() && matches!(self.format, Format::TimelinejsJson | Format::Csv),
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

/// Writes a record, given as the NDJSON log the page keeps, in `format` for a download:
/// `annals_formats::export`, the same code as `annals export`. *Why here:* the writers of other tools' formats
/// are needed only by someone who downloads, so the page's bundle leaves them to the worker.
pub fn export_log(log: &str, format: ExportFormat, title: &str, lang: Option<&str>) -> Result<Exported, String> {
    let mut envelopes = Vec::new();
    for line in log.lines().filter(|l| !l.is_empty()) {
        let record = decode_record(line)
            .map_err(|e| format!("the record came to the writer unreadable: {}: {}", e.field, e.message))?;
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
    Ok(export(
        &envelopes,
        format,
        &ExportInfo { stream: None, title: Some(title), description: None, introduction: None, lang },
    ))
}

/// The format to read `bytes` as: the one asked for, else the detected one.
pub fn format_of(bytes: &[u8], name: &str, asked: Option<Format>) -> Option<Format> {
    asked.or_else(|| annals_formats::detect(bytes, name))
}

#[cfg(test)]
mod tests {
    use super::*;

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
            // The page reads it by hand (`FromWorker::read`), to the same message.
            assert_eq!(FromWorker::read(&json), Ok(message), "{json}");
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
            for lang in [None, Some("ru")] {
                let info = ExportInfo { stream: None, title: Some("T"), description: None, introduction: None, lang };
                let direct = export(&envelopes, format, &info);
                let via_log = export_log(&log, format, "T", lang).expect("exported");
                assert_eq!((via_log.text, via_log.written), (direct.text, direct.written), "{format:?} {lang:?}");
            }
        }
        // The reader's language reaches the writer: the default record's Russian titles.
        let english = export_log(&log, ExportFormat::Ics, "T", None).expect("exported").text;
        let russian = export_log(&log, ExportFormat::Ics, "T", Some("ru")).expect("exported").text;
        // (iCalendar folds long lines, so only the line's start is looked for.)
        assert!(russian.contains("SUMMARY;LANGUAGE=ru:Установлены"), "the Russian title of 1993's first event");
        assert!(!english.contains("Установлены") && english.contains("SUMMARY:Diplomatic relations"));
        assert!(export_log("{not json", ExportFormat::Csv, "T", None).is_err());
    }

    #[test]
    fn an_unknown_file_says_so() {
        assert_eq!(format_of(b"\x00\x01binary", "blob.bin", None), None);
        // Carried (the page says it in its language), and English as it is said.
        let message = annals_core::problem::fill("{0}", &[&cannot_tell("blob.bin")], &|_| None);
        assert!(message.contains("blob.bin") && message.contains("annals-json"), "{message}");
        assert!(message.starts_with("blob.bin: could not tell the format"), "{message}");
    }

    /// A TimelineJS file with a title slide opens as a story, and its introduction (medium and
    /// background) reaches the page as the JSON the page's reader of introductions reads.
    #[test]
    fn a_timelinejs_title_slide_opens_a_story_and_sends_its_introduction() {
        let file = br##"{"title": {"text": {"headline": "Rivers", "text": "<p>How they were named.</p>"},
            "media": {"url": "https://example.org/delta.jpg", "caption": "The delta"},
            "background": {"color": "#1a2b3c"}},
          "events": [{"start_date": {"year": 1901}, "text": {"headline": "The first map"}}]}"##;
        let (checked, _) = check(file, "rivers.json", usize::MAX);
        assert!(checked.story, "a title slide: the story first");
        let intro = annals_core::format::native::read_introduction(
            checked.introduction.as_deref().expect("the introduction is sent"),
            &mut Vec::new(),
        )
        .expect("the page reads it");
        assert_eq!(intro.media.map(|m| m.url), Some("https://example.org/delta.jpg".to_owned()));
        assert_eq!(intro.codes.get("timelinejs:background.color").map(String::as_str), Some("#1a2b3c"));
        let no_title = br#"{"events": [{"start_date": {"year": 1901}, "text": {"headline": "The first map"}}]}"#;
        assert!(!check(no_title, "rivers.json", usize::MAX).0.story, "no title slide: the timeline");
    }
}
