//! Opening a person's own file in the browser: by picker, by dropping it on the page, or by
//! pasting its text — and any file by URL the page cannot read itself (`?src=`, a widget's
//! `src`), which [`crate::source`] hands to the same worker with the bytes it fetched.
//!
//! A file is checked by the same core loader as `annals validate`, so it is accepted or
//! refused for the same reasons as on the command line. Nothing is half-loaded silently:
//! a clean file becomes the current record at once; a file with problems shows a report
//! (counts, and every problem with its line, record and field), and the person chooses to
//! view the valid part or nothing — the record on screen stays until they choose.
//!
//! *Why a worker:* the file is read, detected and checked in a Web Worker, the `annals-open`
//! binary of its own crate (`frontend/open-worker`, built by trunk with every reader, `annals-formats`).
//! The readers of other tools' formats and the XML parser are only needed by someone who opens
//! a file, so the main bundle leaves them out and the worker is fetched on the first open; and
//! validating a large file as a whole (one long step: a log may register an actor after the
//! record that names it, so parts cannot be validated alone) no longer blocks the page.
//!
//! The work is cut in two halves that meet in one message, a [`Checked`] report and the
//! accepted records as an NDJSON log of envelopes:
//! - in the worker, `annals_open::Checker`: the file read in slices, its format detected, an
//!   NDJSON log decoded in parts with progress, everything validated, the accepted part written
//!   as a log;
//! - on the page, a [`Builder`]: that log decoded part by part and folded into the projections
//!   [`FOLD_STEP`] events at a time, with a yield to the browser between steps.
//!
//! Both halves are pure and tested natively, together ([`check_all`]); only the messages and
//! the yielding touch the browser ([`crate::worker`] on the page, `annals_open::worker` in the
//! worker).

use std::rc::Rc;

use annals_core::envelope::decode_record;
use annals_core::format::native::read_introduction;
use annals_core::format::Format;
use annals_core::projection::{AsOf, Projections};
use annals_core::Problem;
use annals_core::{Envelope, StreamName};
pub use annals_open_messages::{cannot_tell, line_parts, Checked, FromWorker, Lines, Progress, PART_BYTES};

use crate::i18n::{t, tf};
use crate::record::Record;

/// About how many bytes of the checked log the page decodes between two yields. Smaller than
/// the worker's parts: here every step is a frame the page does not draw.
pub const TAKE_BYTES: usize = 1 << 20;
/// Envelopes folded into the projections between two yields.
pub const FOLD_STEP: usize = 20_000;

/// "1 record", "12 records".
pub fn records(n: usize) -> String {
    crate::words::count(n, "record", "records")
}

/// The report's button that shows the valid part: "View the 1 valid record", "View the 4
/// valid records".
pub fn view_valid(accepted: usize) -> String {
    tf("View the {0}", &[&crate::words::count(accepted, "valid record", "valid records")])
}

/// Builds the record of a checked file (on the page): decodes the accepted log part by part,
/// then folds it into the projections, a step at a time.
pub struct Builder {
    checked: Checked,
    part_bytes: usize,
    fold_step: usize,
    build: Build,
}

enum Build {
    Decoding { log: Lines, envelopes: Vec<Envelope> },
    Folding { envelopes: Vec<Envelope>, projections: Box<Projections>, next: usize },
    Done(Box<Report>),
    Moving,
}

impl Builder {
    /// A builder for what the worker sent: the report and the accepted part as an NDJSON log,
    /// decoded in parts of about `part_bytes` and folded `fold_step` envelopes per step.
    pub fn new(checked: Checked, log: String, part_bytes: usize, fold_step: usize) -> Self {
        let envelopes = Vec::with_capacity(checked.accepted);
        let log = Lines::new(log.into_bytes());
        Self { checked, part_bytes, fold_step: fold_step.max(1), build: Build::Decoding { log, envelopes } }
    }

    /// Does one step of the work and says how far it is; an error if the log does not decode
    /// (it was written by the worker of the same build, so that is a bug, not a bad file).
    pub fn step(&mut self) -> Result<Progress, String> {
        let name = &self.checked.name;
        Ok(match std::mem::replace(&mut self.build, Build::Moving) {
            Build::Decoding { mut log, mut envelopes } => match log.next_part(self.part_bytes) {
                Some((start, end, _)) => {
                    // Parts end at line ends, and the log came as a string: each part is UTF-8.
                    let part = std::str::from_utf8(&log.bytes()[start..end]).unwrap_or_default();
                    for line in part.lines().filter(|l| !l.is_empty()) {
                        envelopes.push(envelope(line).map_err(|e| format!("{name}: {e}"))?);
                    }
                    let total = log.bytes().len();
                    self.build = Build::Decoding { log, envelopes };
                    Progress::new(tf("Taking in the records of {0}", &[&name]), end, total)
                }
                None => {
                    let total = envelopes.len();
                    self.build =
                        Build::Folding { envelopes, projections: Box::new(Projections::new(AsOf::NOW)), next: 0 };
                    Progress::new(tf("Building the views of {0}", &[&name]), 0, total)
                }
            },
            Build::Folding { envelopes, mut projections, next } => {
                let end = (next + self.fold_step).min(envelopes.len());
                projections.extend(&envelopes[next..end]);
                let total = envelopes.len();
                if end < total {
                    self.build = Build::Folding { envelopes, projections, next: end };
                    return Ok(Progress::new(tf("Building the views of {0}", &[&name]), end, total));
                }
                let c = &mut self.checked;
                self.build = Build::Done(Box::new(Report {
                    name: c.name.clone(),
                    format: c.format,
                    accepted: envelopes.len(),
                    rejected: c.rejected,
                    diagnostics: std::mem::take(&mut c.diagnostics),
                    notes: std::mem::take(&mut c.notes),
                    stream: c.stream.as_deref().map(StreamName::from),
                    record: Rc::new(
                        Record::folded(c.title.clone(), *projections, envelopes, None)
                            .described(c.description.clone())
                            .introduced(
                                c.introduction.as_deref().and_then(|i| read_introduction(i, &mut Vec::new())),
                                c.story,
                            ),
                    ),
                }));
                Progress::finished()
            }
            done @ Build::Done(_) => {
                self.build = done;
                Progress::finished()
            }
            Build::Moving => Progress::finished(),
        })
    }

    /// The report, once [`Builder::step`] said it is finished.
    pub fn report(self) -> Option<Report> {
        match self.build {
            Build::Done(report) => Some(*report),
            _ => None,
        }
    }
}

/// One envelope of the checked log. Decoded with core's `decode_record` itself rather than
/// through `Envelope`'s `Deserialize` (which first copies the line into a raw value): this is
/// the page's longest step when a large file opens.
fn envelope(line: &str) -> Result<Envelope, String> {
    let record = decode_record(line)
        .map_err(|e| format!("the checked records came back unreadable: {}: {}", e.field, e.message))?;
    match (record.position, record.stream, record.proposed.recorded_at) {
        (Some(position), Some(stream), Some(recorded_at)) => {
            Ok(Envelope { position, id: record.proposed.id, stream, recorded_at, event: record.proposed.event })
        }
        _ => Err("the checked records came back without their positions".to_owned()),
    }
}

/// What checking a file found, with the valid part ready to show.
#[derive(Debug)]
pub struct Report {
    /// The file's name.
    pub name: String,
    /// The format it was read as.
    pub format: Format,
    /// Records accepted.
    pub accepted: usize,
    /// Records rejected.
    pub rejected: usize,
    /// Every problem, in file order.
    pub diagnostics: Vec<Problem>,
    /// Remarks that are not problems (a column not read, a value kept under `codes`).
    pub notes: Vec<Problem>,
    /// The valid part, ready to show.
    pub record: Rc<Record>,
    /// The stream the file names, if any.
    pub stream: Option<StreamName>,
}

impl PartialEq for Report {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Report {
    /// True when the whole file was accepted.
    pub fn is_clean(&self) -> bool {
        self.diagnostics.is_empty()
    }

    /// One line for people: "events.csv (csv): 120 records accepted, 3 rejected, 4 problems".
    pub fn summary(&self) -> String {
        let problems = match self.diagnostics.len() {
            0 => t("no problems").to_owned(),
            n => crate::words::count(n, "problem", "problems"),
        };
        tf(
            "{0} ({1}): {2} accepted, {3} rejected, {4}",
            &[
                &self.name,
                &self.format.name(),
                &crate::words::count(self.accepted, "record", "records"),
                &crate::i18n::number(self.rejected as u64),
                &problems,
            ],
        )
    }

    /// The widget's one line about a file with problems (it has no room for the report, the
    /// app shows it): `None` for a clean file.
    pub fn widget_note(&self) -> Option<String> {
        if self.rejected > 0 {
            let all = self.accepted + self.rejected;
            Some(tf(
                "{0} of {1} could not be read — open in Annals for the report",
                &[&crate::i18n::number(self.rejected as u64), &records(all)],
            ))
        } else if self.is_clean() {
            None
        } else {
            let n = self.diagnostics.len();
            let problems = crate::words::count(n, "problem", "problems");
            Some(tf("{0} in this file — open in Annals for the report", &[&problems]))
        }
    }

    /// The widget's error when nothing of the file could be shown.
    pub fn nothing_read(&self) -> String {
        let all = self.accepted + self.rejected;
        if all == 0 {
            tf("{0}: no records could be read from this file", &[&self.name])
        } else {
            tf("{0}: none of its {1} could be read — open it in Annals for the report", &[&self.name, &records(all)])
        }
    }
}

/// Checks a whole file and builds its record without yielding — what the worker and the page
/// do in steps, for tests (the worker's half is the `annals-open` crate, a dependency of the
/// tests only).
#[cfg(test)]
pub fn check_all(bytes: &[u8], name: &str, asked: Option<Format>, part_bytes: usize) -> Result<Report, String> {
    use annals_open::{format_of, Checker};
    let format = format_of(bytes, name, asked).ok_or_else(|| cannot_tell(name))?;
    let mut checker = Checker::new(bytes.to_vec(), name, format, part_bytes);
    while !checker.step().finished {}
    let (checked, log) = checker.finished().ok_or_else(|| format!("{name}: checking stopped before the end"))?;
    let mut builder = Builder::new(checked, log, part_bytes, part_bytes.clamp(1, FOLD_STEP));
    while !builder.step()?.finished {}
    builder.report().ok_or_else(|| format!("{name}: building stopped before the end"))
}

#[cfg(test)]
mod tests {
    use annals_core::format::native::load;
    use annals_core::validate::Nothing;
    use annals_core::Timestamp;

    use super::*;

    /// A log checked in small parts says exactly what it says checked whole.
    #[test]
    fn a_log_checked_in_parts_equals_the_log_checked_whole() {
        let bytes =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/examples/invalid.ndjson")).expect("example");
        let whole = check_all(&bytes, "invalid.ndjson", None, usize::MAX).expect("whole");
        for part in [1, 64, 300] {
            let parts = check_all(&bytes, "invalid.ndjson", None, part).expect("parts");
            assert_eq!(parts.diagnostics, whole.diagnostics, "parts of {part} bytes");
            assert_eq!((parts.accepted, parts.rejected), (whole.accepted, whole.rejected));
            assert_eq!(parts.record.projections().timeline.len(), whole.record.projections().timeline.len());
        }
        assert!(whole.accepted > 0 && whole.rejected > 0, "the example has good and bad records: {}", whole.summary());
    }

    #[test]
    fn the_default_record_as_a_log_in_parts() {
        let doc =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/azerbaijan-belarus.json")).expect("record");
        let whole = check_all(&doc, "azerbaijan-belarus.json", None, usize::MAX).expect("document");
        assert!(whole.is_clean(), "{:?}", whole.diagnostics);
        let envelopes = load(&doc, "x.json", None, &Nothing).into_envelopes(&StreamName::from("s"), Timestamp(0));
        let log = annals_core::format::native::write_ndjson(&envelopes);
        let parts = check_all(log.as_bytes(), "log.ndjson", None, 500).expect("log");
        assert!(parts.is_clean(), "{:?}", parts.diagnostics);
        assert_eq!(parts.accepted, whole.accepted);
        assert_eq!(parts.record.projections().stats_view(), whole.record.projections().stats_view());
        assert_eq!(parts.record.title, "log.ndjson");
    }

    #[test]
    fn one_valid_record_is_singular() {
        assert_eq!(view_valid(1), "View the 1 valid record");
        assert_eq!(view_valid(4), "View the 4 valid records");
    }

    /// The widget's note counts the rejected records among all; nothing readable is an error
    /// naming the file.
    #[test]
    fn the_widget_note_counts_the_records_not_read() {
        let sheet = |rows: &[&str]| {
            let mut text = "id,type,occurred,title,source_publisher,source_title\n".to_owned();
            for row in rows {
                text.push_str(row);
                text.push_str(",BelTA,A report\n");
            }
            text
        };
        let (good, broken) = ("a,Statement,2024-05-16,A statement", "b,Talks,not a date,Broken");
        let csv = sheet(&[good, broken, "c,Talks,2024-05-18,Talks"]);
        let report = check_all(csv.as_bytes(), "three.csv", None, PART_BYTES).expect("read");
        assert_eq!((report.accepted, report.rejected), (2, 1), "{}", report.summary());
        assert_eq!(
            report.widget_note().as_deref(),
            Some("1 of 3 records could not be read — open in Annals for the report")
        );
        let report = check_all(sheet(&[broken]).as_bytes(), "bad.csv", None, PART_BYTES).expect("read");
        assert_eq!(report.accepted, 0);
        assert!(report.nothing_read().starts_with("bad.csv: none of its 1 record could"), "{}", report.nothing_read());
        let clean = check_all(sheet(&[good]).as_bytes(), "ok.csv", None, PART_BYTES).expect("read");
        assert_eq!(clean.widget_note(), None, "{:?}", clean.diagnostics);
    }

    #[test]
    fn an_unknown_file_says_so() {
        let Err(err) = check_all(b"\x00\x01binary", "blob.bin", None, PART_BYTES) else {
            panic!("a binary file was read")
        };
        assert!(err.contains("blob.bin") && err.contains("annals-json"), "{err}");
    }

    /// Another tool's file goes through the same two halves (the worker is built with every
    /// reader).
    #[test]
    fn a_timelinejs_sheet_is_checked_and_built() {
        let csv = "Year,Month,Day,Time,End Year,End Month,End Day,End Time,Display Date,Headline,Text,Media,Media Credit,Media Caption,Media Thumbnail,Type,Group,Background\n\
                   2019,5,16,,,,,,,A visit,Text,,,,,,,\n";
        let report = check_all(csv.as_bytes(), "sheet.csv", None, PART_BYTES).expect("read");
        assert_eq!(report.format, Format::Csv);
        assert_eq!(report.record.projections().timeline.len(), 1, "{}", report.summary());
    }
}
