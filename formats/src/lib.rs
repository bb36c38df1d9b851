//! # annals-formats
//!
//! Other tools' files, read into an Annals record and written from one: TimelineJS (JSON and
//! the spreadsheet), the Annals CSV template, GDELT exports, PLOVER records, HistoryAtState
//! XML, and the iCalendar and GeoJSON writers, with [`detect`] and [`load`], which read a file
//! in any of them (Annals' own formats included).
//!
//! *Why a crate of its own:* `annals-core` is the model and reads its own formats; these
//! readers are most of the code about files (and the only user of an XML parser), and the
//! browser's main bundle must not carry them. The page depends on core and not on this crate,
//! so nothing here can reach its bundle by accident; the file-opening worker, the service and
//! the CLI depend on this crate. The dependency goes one way: this crate builds on core's
//! reading contract (`annals_core::format`: [`Parsed`] in, [`finish`] to validate,
//! [`Loaded`] out, a [`Problem`] for every problem) and core never names a reader here.
//!
//! - [`detect`], [`load`] — any file, any format;
//! - [`csv`], [`timelinejs`], [`gdelt`], [`plover`], [`history`] — the readers;
//! - [`export`] — every format Annals writes (the native ones through core);
//! - [`rich`] — HTML from other tools sanitized to the subset an event may hold (ammonia);
//! - [`import`] — what the readers share (actors interned once, the file as a source);
//! - [`countries`] — country names and codes to actor ids, for the event-data formats.
//!
//! [`Parsed`]: annals_core::format::Parsed
//! [`finish`]: annals_core::format::finish

// The shared corpus for the tests, found in one place (see the file).
#[cfg(test)]
#[macro_use]
#[path = "../tests/common/corpus.rs"]
mod corpus;

pub mod countries;
pub mod csv;
pub mod export;
pub mod gdelt;
pub mod history;
pub mod import;
pub mod plover;
pub mod rich;
pub mod timelinejs;

use annals_core::format::native;
pub use annals_core::format::{Format, Loaded};
use annals_core::validate::Known;
pub use annals_core::Problem;

/// Guesses the format of a file from its content (and name, when the content is ambiguous).
///
/// - The event-data formats are told by their content alone (see [`detect_event_data`]).
/// - A JSON object is an Annals document, an Annals log or a TimelineJS file, as
///   [`native::detect_text`] tells them apart.
/// - A first line that is the header of a known sheet (TimelineJS or the Annals template,
///   `,`, `;` or tab separated) is CSV; so is a `.csv` file whose header is not tab-separated.
pub fn detect(bytes: &[u8], name: &str) -> Option<Format> {
    let text = std::str::from_utf8(bytes).ok()?;
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with("//"))?;
    if let Some(format) = detect_event_data(text, first) {
        return Some(format);
    }
    if first.starts_with('{') {
        return native::detect_text(text, name);
    }
    if csv::looks_like(text) || (name.to_ascii_lowercase().ends_with(".csv") && csv::sniff_delimiter(first) != '\t') {
        return Some(Format::Csv);
    }
    None
}

/// Recognises the event-data formats by their content alone:
/// - GDELT: a line of 57, 58 or 61 TAB-separated fields starting with a number, or a header
///   row starting with `GLOBALEVENTID` (TAB- or comma-separated, quoted or not);
/// - PLOVER: a JSON array whose first item, or a first line that is an object, has PLOVER's
///   keys (`event` with `eventText`/`event_text`/`actor`/`source`/`mode`, or `event_type`);
/// - HistoryAtState: an XML document whose root is `<visits>` or `<trips>`.
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
/// appended to); pass [`annals_core::validate::Nothing`] for a file on its own.
pub fn load(bytes: &[u8], name: &str, format: Option<Format>, known: &dyn Known) -> Loaded {
    match format.or_else(|| detect(bytes, name)) {
        Some(Format::AnnalsJson) => native::read_document(bytes, known),
        Some(Format::AnnalsNdjson) => native::read_ndjson(bytes, known),
        Some(Format::Csv) => csv::read(bytes, name, known),
        Some(Format::TimelinejsJson) => timelinejs::read(bytes, name, known),
        Some(Format::Gdelt) => gdelt::read(bytes, name, known),
        Some(Format::Plover) => plover::read(bytes, name, known),
        Some(Format::HistoryAtState) => history::read(bytes, name, known),
        None => Loaded::failed(Format::AnnalsJson, Problem::about_file(native::cannot_tell())),
    }
}
