//! CSV spreadsheets: the TimelineJS sheet and the Annals CSV template.
//!
//! People keep timelines in spreadsheets, and spreadsheets export CSV in more than one
//! dialect, so the reader takes what they produce rather than what RFC 4180 says:
//! - the **delimiter** is sniffed from the header line (`,`, `;` as European exports write
//!   it, or a tab): the one that occurs most often outside quotes;
//! - quoted fields may hold delimiters, doubled quotes, HTML and **line breaks**; a
//!   diagnostic names the *physical* line where its record starts, as an editor shows it;
//! - a UTF-8 byte-order mark and CRLF line ends are accepted; blank rows are skipped.
//!
//! The header says which sheet it is, matched by name, case-insensitively, in any order:
//! - **TimelineJS** (`Year`, `Headline`, …): each row is a slide and goes through the same
//!   conversion as the TimelineJS JSON reader ([`crate::timelinejs`]), its Media columns
//!   included; `Type` = `title` gives the record's title and introduction, `era` an era.
//! - **The Annals template** (`type`, `occurred`, `title`, …; see [`TEMPLATE_COLUMNS`] and
//!   `docs/format.md`): a row is a domain event or an actor registration. Cells are turned
//!   into the payload a JSON record would carry and decoded and validated the same way, so
//!   the rules are those of every other format. Actors named but not registered are
//!   registered on the fly (their kind guessed from the column, see [`guess_kind`]), with a
//!   note, because a spreadsheet user names people and countries rather than registering them.
//!
//! Columns the reader does not know are ignored, with one note each.
//!
//! The `csv` crate tokenizes: it gives each record's position (so a diagnostic names the line
//! a record starts on) and never stops at a malformed row; the one thing it does not say, a
//! quoted cell left open at the end of the file, is checked here on the last record.

use annals_core::problem::{Quoted, Said};
use annals_core::says;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::import::Actors;
use crate::timelinejs::{slug, slug_or_hash, title_slide, Converter, Part, Slide, SlideKind};
use annals_core::envelope::{decode_event, Proposed};
use annals_core::event::{ActorKind, ActorRegistration};
use annals_core::format::{finish, Format, Loaded, Located, Parsed};
use annals_core::id::check_actor_id;
use annals_core::validate::Known;
use annals_core::Problem;

/// One row of a CSV file: its cells and the physical line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 1-based line where the row starts.
    pub line: usize,
    /// The cells, unquoted.
    pub cells: Vec<String>,
}

/// The delimiter that occurs most often outside quotes on the header line: `,`, `;` or tab.
pub fn sniff_delimiter(text: &str) -> char {
    let mut counts = [(',', 0usize), (';', 0), ('\t', 0)];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' if !quoted => break,
            c if !quoted => {
                if let Some(slot) = counts.iter_mut().find(|(d, _)| *d == c) {
                    slot.1 += 1;
                }
            }
            _ => {}
        }
    }
    // Ties go to the comma (first in the list): max_by_key keeps the last maximum.
    counts.iter().rev().max_by_key(|(_, n)| *n).map_or(',', |(d, _)| *d)
}

/// Splits CSV text into rows. Never fails: an unterminated quote ends at the end of the
/// file, and is reported as a problem at the line the row started on.
///
/// The `csv` crate tokenizes (flexible widths, no header row, the sniffed delimiter); the
/// physical line a row starts on is counted from each record's byte position.
pub fn rows(text: &str, delimiter: char) -> (Vec<Row>, Vec<Problem>) {
    let delimiter = u8::try_from(delimiter).unwrap_or(b',');
    let mut reader =
        ::csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut record = ::csv::ByteRecord::new();
    let bytes = text.as_bytes();
    let (mut line, mut counted) = (1, 0);
    let mut last_start = None;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            // Reading from memory without UTF-8 checks cannot fail; should it, say so and stop.
            Err(e) => {
                problems.push(problem(Some(line), says!("could not be read as CSV ({0})", e)));
                break;
            }
        }
        // The record's first byte: the crate's position can sit on the line end before it.
        let mut start = record.position().and_then(|p| usize::try_from(p.byte()).ok()).unwrap_or(counted);
        start += bytes.get(start..).unwrap_or_default().iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        // Lines are counted here, not taken from the crate, which counts a CRLF file's lines
        // one short: "\n", "\r\n" and a lone "\r" each end a line, as editors show them.
        if let Some(between) = bytes.get(counted..start) {
            line += line_ends(between, bytes.get(start).copied());
            counted = start;
        }
        last_start = Some((line, start));
        // Fields split at ASCII bytes of UTF-8 text are UTF-8; a line break inside a quoted
        // cell reads as "\n" whatever the file's line ends.
        let cells = record
            .iter()
            .map(|f| {
                let cell = String::from_utf8_lossy(f);
                if cell.contains('\r') {
                    cell.replace("\r\n", "\n")
                } else {
                    cell.into_owned()
                }
            })
            .collect();
        out.push(Row { line, cells });
    }
    // Only the last record can run to the end of the file inside a quoted cell.
    if let Some((line, start)) = last_start {
        if ends_inside_quotes(bytes.get(start..).unwrap_or_default(), delimiter) {
            problems.push(problem(
                Some(line),
                says!(
                    "a quoted cell is never closed; expected a closing \" (the rest of the file was read as that cell)"
                ),
            ));
        }
    }
    out.retain(|r| r.cells.iter().any(|c| !c.trim().is_empty()));
    (out, problems)
}

fn problem(line: Option<usize>, message: Said) -> Problem {
    Problem::about_file(message).at(line, None)
}

/// How many lines end in `bytes`; `next` is the byte after them (a "\r" right before a
/// "\n" is one line end with it).
fn line_ends(bytes: &[u8], next: Option<u8>) -> usize {
    let mut n = 0;
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'\n' => n += 1,
            b'\r' if bytes.get(i + 1).copied().or(next) != Some(b'\n') => n += 1,
            _ => {}
        }
    }
    n
}

/// True when `raw`, the text from a record's start to the end of the file, ends inside a
/// quoted cell: a quote opens a cell only at its start, and `""` inside is a quote.
fn ends_inside_quotes(raw: &[u8], delimiter: u8) -> bool {
    let mut quoted = false;
    let mut cell_start = true;
    let mut bytes = raw.iter().peekable();
    while let Some(&b) = bytes.next() {
        if quoted {
            if b == b'"' && bytes.next_if_eq(&&b'"').is_none() {
                quoted = false;
            }
        } else if b == b'"' && cell_start {
            quoted = true;
            cell_start = false;
        } else {
            cell_start = b == delimiter || b == b'\n' || b == b'\r';
        }
    }
    quoted
}

/// Which rows of the template a column applies to; a cell of the other kind of row must
/// be empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rows {
    /// Domain events and actor registrations (an actor row's `title` is its English name).
    Both,
    /// Domain events only.
    Event,
    /// Actor registrations only.
    Actor,
}

/// The columns of the Annals CSV template, in the order the writer uses, with the rows they
/// apply to: the one list the header, the writer and the per-row checks read.
const TEMPLATE: [(&str, Rows); 41] = [
    ("id", Rows::Both),
    ("type", Rows::Both),
    ("occurred", Rows::Event),
    ("title", Rows::Both),
    ("summary", Rows::Event),
    ("visitor", Rows::Event),
    ("host", Rows::Event),
    ("level", Rows::Event),
    ("actors", Rows::Event),
    ("places", Rows::Event),
    ("parties", Rows::Event),
    ("documents", Rows::Event),
    ("count", Rows::Event),
    ("commission", Rows::Event),
    ("session", Rows::Event),
    ("co_chairs", Rows::Event),
    ("outcomes", Rows::Event),
    ("part_of", Rows::Event),
    ("tags", Rows::Event),
    ("codes", Rows::Both),
    ("title_html", Rows::Event),
    ("summary_html", Rows::Event),
    ("media_url", Rows::Event),
    ("media_kind", Rows::Event),
    ("media_caption", Rows::Event),
    ("media_credit", Rows::Event),
    ("media_alt", Rows::Event),
    ("media_licence", Rows::Event),
    ("media_thumbnail", Rows::Event),
    ("media_title", Rows::Event),
    ("media_link", Rows::Event),
    ("actor", Rows::Actor),
    ("kind", Rows::Actor),
    ("names", Rows::Actor),
    ("iso3", Rows::Actor),
    ("country", Rows::Actor),
    ("capital", Rows::Actor),
    ("office", Rows::Actor),
    ("lat", Rows::Actor),
    ("lon", Rows::Actor),
    ("members", Rows::Actor),
];

/// The columns of the Annals CSV template, in the order the writer uses. Sources take
/// `source_*` columns; a second and further sources `source2_*`, `source3_*`, ….
pub const TEMPLATE_COLUMNS: [&str; TEMPLATE.len()] = {
    let mut names = [""; TEMPLATE.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = TEMPLATE[i].0;
        i += 1;
    }
    names
};

/// The template's columns that apply to `rows` only, in the writer's order.
fn only_on(rows: Rows) -> impl Iterator<Item = &'static str> {
    TEMPLATE.iter().filter(move |(_, r)| *r == rows).map(|(c, _)| *c)
}

/// The fields of a medium, as the template's `media_*` columns name them.
pub const MEDIA_PARTS: [&str; 9] = ["url", "kind", "caption", "credit", "alt", "licence", "thumbnail", "title", "link"];

/// The parts of a source, as the template's `source_*` columns name them.
pub const SOURCE_PARTS: [&str; 10] =
    ["publisher", "title", "url", "date", "author", "quote", "partial", "no_url", "titles", "quotes"];

/// A source's texts in other languages as one list cell: `ru=…` for the editors'
/// translation, `ru:source=…` for words the source published in that language.
pub fn lang_list(texts: &annals_core::lang::Texts) -> String {
    join_list(texts.iter().map(|(tag, t)| match t.origin {
        annals_core::lang::Origin::Translation => format!("{tag}={}", t.text),
        annals_core::lang::Origin::Source => format!("{tag}:source={}", t.text),
    }))
}

/// Reads a [`lang_list`] cell into the JSON of `Texts`.
fn read_lang_list(cell: &str, column: &str, problems: &mut Vec<Problem>) -> Map<String, Value> {
    let mut texts = Map::new();
    for item in split_list(cell) {
        let Some((key, text)) = item.split_once('=') else {
            problems.push(Problem::new(
                column,
                says!(
                    "{0} is not lang=text; expected e.g. ru=Визит or ru:source=… for the source's own words",
                    Quoted(&item)
                ),
            ));
            continue;
        };
        let (tag, origin) = match key.trim().strip_suffix(":source") {
            Some(tag) => (tag, "source"),
            None => (key.trim(), "translation"),
        };
        texts.insert(tag.to_owned(), serde_json::json!({"text": text.trim(), "origin": origin}));
    }
    texts
}

/// The TimelineJS sheet columns Annals reads.
const SHEET_COLUMNS: [&str; 20] = [
    "year",
    "month",
    "day",
    "time",
    "end year",
    "end month",
    "end day",
    "end time",
    "display date",
    "headline",
    "text",
    "media",
    "media credit",
    "media caption",
    "media thumbnail",
    "type",
    "group",
    "background",
    // Added to the template in December 2024.
    "alt text",
    // What version 1 sheets call the group.
    "tag",
];

/// Which sheet a header row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sheet {
    /// The TimelineJS spreadsheet.
    Timelinejs,
    /// The Annals CSV template.
    Template,
}

fn normalize(header: &str) -> String {
    header.trim().trim_start_matches('\u{feff}').split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Tells the sheet from its header cells.
pub fn sheet_of(header: &[String]) -> Option<Sheet> {
    let names: BTreeSet<String> = header.iter().map(|h| normalize(h)).collect();
    if names.contains("year") && names.contains("headline") {
        Some(Sheet::Timelinejs)
    } else if names.contains("type")
        && names.contains("title")
        && (names.contains("occurred") || names.contains("actor"))
    {
        Some(Sheet::Template)
    } else {
        None
    }
}

/// True when the first line of `text` is the header of a sheet this reader knows.
pub fn looks_like(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or("");
    let (rows, _) = rows(first, sniff_delimiter(first));
    rows.first().is_some_and(|r| sheet_of(&r.cells).is_some())
}

/// Reads a CSV file; `name` names the file in synthesized sources.
pub fn read(bytes: &[u8], name: &str, known: &dyn Known) -> Loaded {
    let mut parsed = Parsed::default();
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t),
        Err(e) => {
            let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
            parsed.diagnostics.push(Problem::about_file(says!("the file is not UTF-8 (invalid byte at offset {0}); expected UTF-8 text (save the sheet as \"CSV UTF-8\")", e.valid_up_to())).at(Some(line), None));
            return finish(Format::Csv, parsed, known);
        }
    };
    let (rows, problems) = rows(text, sniff_delimiter(text));
    parsed.diagnostics.extend(problems);
    let Some((header, data)) = rows.split_first() else {
        parsed
            .diagnostics
            .push(Problem::about_file(says!("the file is empty; expected a header row and one row per event")));
        return finish(Format::Csv, parsed, known);
    };
    match sheet_of(&header.cells) {
        Some(Sheet::Timelinejs) => read_sheet(header, data, name, &mut parsed),
        Some(Sheet::Template) => read_template(header, data, known, &mut parsed),
        None => parsed.diagnostics.push(Problem::about_file(says!("the header row ({0}) is neither a TimelineJS sheet (Year, …, Headline, …) nor the Annals template (id, type, occurred, title, …)", header.cells.join(", "))).at(Some(header.line), None)),
    }
    finish(Format::Csv, parsed, known)
}

/// The columns of a header: normalized name → index. Unknown and repeated columns get a note.
fn columns(header: &Row, known: impl Fn(&str) -> bool, parsed: &mut Parsed) -> BTreeMap<String, usize> {
    let mut map = BTreeMap::new();
    for (i, h) in header.cells.iter().enumerate() {
        let n = normalize(h);
        if n.is_empty() {
            continue;
        }
        if !known(&n) {
            parsed.notes.push(
                Problem::new(h.trim().to_owned(), says!("is not a column Annals reads; its cells are ignored"))
                    .at(Some(header.line), None),
            );
        } else if let std::collections::btree_map::Entry::Vacant(slot) = map.entry(n) {
            slot.insert(i);
        } else {
            parsed.notes.push(
                Problem::new(h.trim().to_owned(), says!("appears twice; the first one is read"))
                    .at(Some(header.line), None),
            );
        }
    }
    map
}

fn cell<'r>(row: &'r Row, columns: &BTreeMap<String, usize>, name: &str) -> &'r str {
    columns.get(name).and_then(|i| row.cells.get(*i)).map_or("", |c| c.trim())
}

// ---------------------------------------------------------------------------------------
// The TimelineJS sheet.

fn sheet_name(part: Part, _: &Slide) -> String {
    match part {
        Part::Year(false) => "Year",
        Part::Month(false) => "Month",
        Part::Day(false) => "Day",
        Part::Time(false) => "Time",
        Part::Year(true) => "End Year",
        Part::Month(true) => "End Month",
        Part::Day(true) => "End Day",
        Part::Time(true) => "End Time",
        Part::Headline => "Headline",
        Part::UniqueId => "Headline",
        Part::Media("url") => "Media",
        Part::Media("caption") => "Media Caption",
        Part::Media("credit") => "Media Credit",
        Part::Media("thumbnail") => "Media Thumbnail",
        Part::Media("alt") => "Alt Text",
        Part::Media(_) => "Media",
        Part::Background(_) => "Background",
    }
    .to_owned()
}

fn read_sheet(header: &Row, data: &[Row], name: &str, parsed: &mut Parsed) {
    let cols = columns(header, |n| SHEET_COLUMNS.contains(&n), parsed);
    let mut converter = Converter::new(Format::Csv, name, sheet_name);
    for (i, row) in data.iter().enumerate() {
        let record = i + 1;
        let get = |n: &str| cell(row, &cols, n).to_owned();
        let kind = get("type").to_lowercase();
        let mut slide =
            Slide::new(Some(row.line), record, if kind == "era" { SlideKind::Era } else { SlideKind::Event });
        if !kind.is_empty() && kind != "era" && kind != "title" {
            parsed.notes.push(
                Problem::new(
                    "Type",
                    says!("{0} is not a TimelineJS type (title, era or blank); read as an event", Quoted(&get("type"))),
                )
                .at(Some(row.line), Some(record)),
            );
            slide.extra.insert("type".into(), get("type"));
        }
        slide.start.year = get("year");
        slide.start.month = get("month");
        slide.start.day = get("day");
        slide.start.time = get("time");
        slide.end.year = get("end year");
        slide.end.month = get("end month");
        slide.end.day = get("end day");
        slide.end.time = get("end time");
        slide.headline = get("headline");
        slide.text = cell(row, &cols, "text").to_owned();
        slide.group = if cols.contains_key("group") { get("group") } else { get("tag") };
        for (column, key) in [
            ("display date", "display_date"),
            ("media", "media.url"),
            ("media credit", "media.credit"),
            ("media caption", "media.caption"),
            ("media thumbnail", "media.thumbnail"),
            ("alt text", "media.alt"),
        ] {
            slide.extra.insert(key.into(), get(column));
        }
        // A Background cell is an image when it is a link, a colour otherwise.
        let background = get("background");
        let key = if background.starts_with("http://") || background.starts_with("https://") {
            "background.url"
        } else {
            "background.color"
        };
        slide.extra.insert(key.into(), background);
        slide.extra.retain(|_, v| !v.trim().is_empty());
        if kind == "title" {
            let name = |p: Part| sheet_name(p, &slide);
            let (title, intro, notes) = title_slide(slide.clone(), &name, &mut parsed.diagnostics);
            parsed.title = title;
            parsed.introduction = intro;
            parsed.notes.extend(notes.into_iter().map(|p| p.at(Some(row.line), Some(record))));
            continue;
        }
        converter.convert(slide, parsed);
    }
}

// ---------------------------------------------------------------------------------------
// The Annals template.

fn is_template_column(name: &str) -> bool {
    if TEMPLATE_COLUMNS.contains(&name) || name == "co-chairs" || name == "lang" {
        return true;
    }
    source_column(name).is_some() || lang_column(name).is_some()
}

/// A column of an event's text in another language: `title@ru` → ("titles", "ru",
/// "translation"), the editors' translation; `summary@az:source` → ("summaries", "az",
/// "source"), a source's own words. (The `lang` column names the language of `title` and
/// `summary` themselves, English when empty.)
pub fn lang_column(name: &str) -> Option<(&'static str, &str, &'static str)> {
    let (base, rest) = name.split_once('@')?;
    let field = match base {
        "title" => "titles",
        "summary" => "summaries",
        _ => return None,
    };
    let (tag, origin) = match rest.strip_suffix(":source") {
        Some(tag) => (tag, "source"),
        None => (rest, "translation"),
    };
    (!tag.is_empty()).then_some((field, tag, origin))
}

/// `source_url` → (1, "url"); `source3_title` → (3, "title").
fn source_column(name: &str) -> Option<(usize, &str)> {
    let rest = name.strip_prefix("source")?;
    let (n, part) = rest.split_once('_')?;
    let n = if n.is_empty() { 1 } else { n.parse().ok().filter(|n| (2..=20).contains(n))? };
    SOURCE_PARTS.contains(&part).then_some((n, part))
}

/// Splits a list cell on `|`; `\|` is a literal bar and `\\` a backslash.
pub fn split_list(cell: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut item = String::new();
    let mut chars = cell.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n @ ('|' | '\\')) => item.push(n),
                Some(n) => {
                    item.push('\\');
                    item.push(n);
                }
                None => item.push('\\'),
            },
            '|' => out.push(std::mem::take(&mut item)),
            c => item.push(c),
        }
    }
    out.push(item);
    out.into_iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
}

/// Joins list items with `|`, escaping bars and backslashes inside them.
pub fn join_list<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let escaped: Vec<String> =
        items.into_iter().map(|s| s.as_ref().replace('\\', "\\\\").replace('|', "\\|")).collect();
    escaped.join("|")
}

/// The kind an actor named in a template column is registered as, when the file does not
/// register it: a place in `places`, a commission in `commission`, a country for a
/// three-letter id (`aze`, like ISO codes) or in `host`/`parties`, a person otherwise
/// (`visitor`, `co_chairs`, `actors`).
pub fn guess_kind(column: &str, id: &str) -> ActorKind {
    match column {
        "places" => ActorKind::Place,
        "commission" => ActorKind::Commission,
        _ if id.len() == 3 && id.bytes().all(|b| b.is_ascii_lowercase()) => ActorKind::Country,
        "host" | "parties" => ActorKind::Country,
        _ => ActorKind::Person,
    }
}

/// A cell naming an actor: an id as it is, or a name ("Ilham Aliyev") made into an id
/// (`ilham-aliyev`), with the name to register it under.
fn actor_ref(text: &str) -> (String, String) {
    if check_actor_id(text).is_ok() {
        let name = if text.len() == 3 {
            text.to_ascii_uppercase()
        } else {
            text.split('-')
                .filter(|w| !w.is_empty())
                .map(|w| {
                    let mut c = w.chars();
                    c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        return (text.to_owned(), name);
    }
    // A name with no Latin letters gives no id: it stays as written, and validation says
    // what an id may be (register the actor in its own row instead).
    let id = slug(text);
    (if id.is_empty() { text.to_owned() } else { id }, text.to_owned())
}

fn read_template(header: &Row, data: &[Row], known: &dyn Known, parsed: &mut Parsed) {
    let mut cols = columns(header, is_template_column, parsed);
    if let Some(i) = cols.remove("co-chairs") {
        cols.entry("co_chairs".into()).or_insert(i);
    }
    let mut sources: BTreeMap<usize, Vec<(&str, usize)>> = BTreeMap::new();
    for (name, i) in &cols {
        if let Some((n, part)) = source_column(name) {
            let part = SOURCE_PARTS.iter().find(|p| **p == part).copied().unwrap_or("title");
            sources.entry(n).or_default().push((part, *i));
        }
    }
    // Actors the file registers itself, wherever their row is: they are not guessed.
    let registered: BTreeSet<String> = data
        .iter()
        .filter(|r| cell(r, &cols, "type").eq_ignore_ascii_case("ActorRegistered"))
        .map(|r| cell(r, &cols, "actor").to_owned())
        .collect();
    let mut actors = Actors::default();
    let mut used_ids = BTreeSet::new();
    for (i, row) in data.iter().enumerate() {
        let record = i + 1;
        let mut problems: Vec<Problem> = Vec::new();
        let get = |n: &str| cell(row, &cols, n);
        let type_name = get("type");
        let is_actor = type_name.eq_ignore_ascii_case("ActorRegistered");
        let kind = type_name.parse::<annals_core::event::EventKind>();
        if !is_actor && kind.is_err() {
            let message = if matches!(type_name, "Corrected" | "Retracted" | "Disputed") {
                says!(
                    "{0} records are not read from the CSV template; write them in an Annals JSON document",
                    type_name
                )
            } else {
                says!("{0} is not a type; expected ActorRegistered, Visit, Signing, CommissionMeeting, Talks, Call, Statement or Other", Quoted(&type_name))
            };
            parsed.undecodable += 1;
            parsed.diagnostics.push(Problem::new("type", message).at(Some(row.line), Some(record)));
            continue;
        }
        let mut payload = Map::new();
        let mut put = |k: &str, v: Value| {
            payload.insert(k.to_owned(), v);
        };
        let text = |s: &str| Value::String(s.to_owned());
        let list = |s: &str| Value::Array(split_list(s).into_iter().map(Value::String).collect());
        let number = |column: &str, problems: &mut Vec<Problem>| -> Option<Value> {
            let c = get(column);
            if c.is_empty() {
                return None;
            }
            match c.parse::<u32>() {
                Ok(n) => Some(Value::from(n)),
                Err(_) => {
                    problems
                        .push(Problem::new(column, says!("{0} is not a whole number; expected 1 or more", Quoted(&c))));
                    None
                }
            }
        };
        let mut refs: Vec<(&'static str, String, String)> = Vec::new();
        let (type_name, id) = if is_actor {
            for column in only_on(Rows::Event) {
                if !get(column).is_empty() {
                    problems.push(Problem::new(
                        column,
                        says!("does not apply to an ActorRegistered row; expected it empty"),
                    ));
                }
            }
            put("actor", text(get("actor")));
            put("kind", text(&get("kind").to_lowercase()));
            let mut names = Map::new();
            if !get("title").is_empty() {
                names.insert("en".into(), text(get("title")));
            }
            for item in split_list(get("names")) {
                match item.split_once('=') {
                    Some((lang, name)) => {
                        names.insert(lang.trim().to_owned(), text(name.trim()));
                    }
                    None => problems.push(Problem::new(
                        "names",
                        says!("{0} is not lang=name; expected e.g. be=Мінск", Quoted(&item)),
                    )),
                }
            }
            put("names", Value::Object(names));
            for column in ["iso3", "office"] {
                if !get(column).is_empty() {
                    put(column, text(get(column)));
                }
            }
            for column in ["country", "capital"] {
                if !get(column).is_empty() {
                    put(column, text(&actor_ref(get(column)).0));
                }
            }
            if !get("country").is_empty() {
                let (id, name) = actor_ref(get("country"));
                refs.push(("host", id, name));
            }
            if !get("capital").is_empty() {
                let (id, name) = actor_ref(get("capital"));
                refs.push(("places", id, name));
            }
            match (get("lat"), get("lon")) {
                ("", "") => {}
                (lat, lon) => match (lat.parse::<f64>(), lon.parse::<f64>()) {
                    (Ok(lat), Ok(lon)) if lat.is_finite() && lon.is_finite() => {
                        put("coordinates", serde_json::json!({"lat": lat, "lon": lon}));
                    }
                    _ => problems.push(Problem::new(
                        "lat",
                        says!(
                            "lat {0} and lon {1} are not both numbers; expected degrees such as 53.9 and 27.56",
                            Quoted(&lat),
                            Quoted(&lon)
                        ),
                    )),
                },
            }
            if !get("members").is_empty() {
                put("members", list(get("members")));
            }
            let id = if get("id").is_empty() { format!("actor:{}", get("actor")) } else { get("id").to_owned() };
            ("ActorRegistered", id)
        } else {
            for column in only_on(Rows::Actor) {
                if !get(column).is_empty() {
                    problems
                        .push(Problem::new(column, says!("does not apply to a {0} row; expected it empty", type_name)));
                }
            }
            let kind = kind.unwrap_or(annals_core::event::EventKind::Other);
            put("occurred", text(get("occurred")));
            put("title", text(get("title")));
            let mut media = Map::new();
            for part in MEDIA_PARTS {
                let value = get(&format!("media_{part}"));
                if !value.is_empty() {
                    let value = if part == "kind" { value.to_lowercase() } else { value.to_owned() };
                    media.insert(part.to_owned(), Value::String(value));
                }
            }
            if !media.is_empty() {
                put("media", Value::Object(media));
            }
            for column in ["summary", "title_html", "summary_html", "level", "part_of", "lang"] {
                if !get(column).is_empty() {
                    put(column, text(get(column)));
                }
            }
            let mut texts: [Map<String, Value>; 2] = Default::default();
            for name in cols.keys() {
                let (Some((field, tag, origin)), value) = (lang_column(name), get(name)) else { continue };
                let slot = &mut texts[usize::from(field == "summaries")];
                if value.is_empty() {
                    continue;
                } else if slot.contains_key(tag) {
                    problems.push(Problem::new(
                        name.as_str(),
                        says!("is a second text in {0}; expected either the translation ({1} column without :source) or the source's words, not both", tag, field),
                    ));
                } else {
                    slot.insert(tag.to_owned(), serde_json::json!({"text": value, "origin": origin}));
                }
            }
            for (field, map) in ["titles", "summaries"].into_iter().zip(texts) {
                if !map.is_empty() {
                    put(field, Value::Object(map));
                }
            }
            for column in ["visitor", "host", "commission"] {
                if !get(column).is_empty() {
                    let (id, name) = actor_ref(get(column));
                    put(column, Value::String(id.clone()));
                    refs.push((column, id, name));
                }
            }
            for column in ["places", "parties", "co_chairs"] {
                let items = split_list(get(column));
                if !items.is_empty() {
                    let mut ids = Vec::new();
                    for item in items {
                        let (id, name) = actor_ref(&item);
                        ids.push(Value::String(id.clone()));
                        refs.push((column, id, name));
                    }
                    put(column, Value::Array(ids));
                }
            }
            let mut participants = Vec::new();
            for item in split_list(get("actors")) {
                let (who, role) = match item.rsplit_once(':') {
                    Some((who, role)) => (who.trim().to_owned(), Some(role.trim().to_owned())),
                    None => (item.clone(), None),
                };
                let (id, name) = actor_ref(&who);
                let mut p = Map::new();
                p.insert("actor".into(), Value::String(id.clone()));
                refs.push(("actors", id, name));
                if let Some(role) = role {
                    p.insert("role".into(), Value::String(role));
                }
                participants.push(Value::Object(p));
            }
            if !participants.is_empty() {
                put("actors", Value::Array(participants));
            }
            let mut documents = Vec::new();
            for item in split_list(get("documents")) {
                let kinds = [
                    "agreement",
                    "protocol",
                    "memorandum",
                    "plan",
                    "declaration",
                    "statement",
                    "treaty",
                    "programme",
                    "roadmap",
                    "contract",
                    "other",
                ];
                let doc = match item.split_once(':') {
                    Some((k, title)) if kinds.contains(&k.trim().to_lowercase().as_str()) => {
                        serde_json::json!({"title": title.trim(), "kind": k.trim().to_lowercase()})
                    }
                    _ => serde_json::json!({"title": item}),
                };
                documents.push(doc);
            }
            if !documents.is_empty() {
                put("documents", Value::Array(documents));
            }
            for column in ["count", "session"] {
                if let Some(n) = number(column, &mut problems) {
                    put(column, n);
                }
            }
            for column in ["outcomes", "tags"] {
                if !get(column).is_empty() {
                    put(column, list(get(column)));
                }
            }
            let id = if get("id").is_empty() {
                let base = format!("{}-{}", get("occurred"), slug_or_hash(get("title")));
                let mut id = base.clone();
                let mut n = 2;
                while used_ids.contains(&id) {
                    id = format!("{base}-{n}");
                    n += 1;
                }
                id
            } else {
                get("id").to_owned()
            };
            (kind.name(), id)
        };
        used_ids.insert(id.clone());
        let mut codes = Map::new();
        for item in split_list(get("codes")) {
            match item.split_once('=') {
                Some((k, v)) => {
                    codes.insert(k.trim().to_owned(), Value::String(v.trim().to_owned()));
                }
                None => problems.push(Problem::new(
                    "codes",
                    says!("{0} is not scheme=code; expected e.g. cameo=042", Quoted(&item)),
                )),
            }
        }
        if !codes.is_empty() {
            put("codes", Value::Object(codes));
        }
        let mut list_of_sources = Vec::new();
        for parts in sources.values() {
            let mut source = Map::new();
            for (part, i) in parts {
                let value = row.cells.get(*i).map_or("", |c| c.trim());
                if value.is_empty() {
                } else if matches!(*part, "titles" | "quotes") {
                    let column = header.cells.get(*i).map_or(*part, |h| h.trim());
                    source.insert((*part).to_owned(), Value::Object(read_lang_list(value, column, &mut problems)));
                } else {
                    source.insert((*part).to_owned(), Value::String(value.to_owned()));
                }
            }
            if !source.is_empty() {
                list_of_sources.push(Value::Object(source));
            }
        }
        if !list_of_sources.is_empty() {
            put("sources", Value::Array(list_of_sources));
        }
        let event = serde_json::value::RawValue::from_string(Value::Object(payload).to_string())
            .map_err(|e| Problem::about_file(Said::from_serde(&e.to_string())))
            .and_then(|raw| {
                decode_event(type_name, None, &raw).map_err(|e| Problem { field: column_of(&e.field), ..e })
            });
        let event = match event {
            Ok(event) if problems.is_empty() => event,
            Ok(_) => {
                parsed.undecodable += 1;
                parsed.diagnostics.extend(problems.into_iter().map(|p| p.at(Some(row.line), Some(record))));
                continue;
            }
            Err(problem) => {
                parsed.undecodable += 1;
                parsed
                    .diagnostics
                    .extend(problems.into_iter().chain([problem]).map(|p| p.at(Some(row.line), Some(record))));
                continue;
            }
        };
        // Actors named but registered nowhere are registered now, just before first use.
        for (column, id, name) in refs {
            if registered.contains(&id)
                || known.actor_kind(&id).is_some()
                || actors.contains(&id)
                || check_actor_id(&id).is_err()
            {
                continue;
            }
            let kind = guess_kind(column, &id);
            actors.intern(&id, |actor| ActorRegistration::new(actor, kind, name.clone()));
            parsed.notes.push(Problem::new(column.to_owned(), says!("actor {0} is not registered; registered as a {1} named {2} (correct it with a Corrected record if that is wrong)", Quoted(&id), kind.name(), Quoted(&name))).at(Some(row.line), Some(record)));
        }
        actors.flush(&mut parsed.records, Some(row.line), record);
        parsed.records.push(Located { line: Some(row.line), record, proposed: Proposed::new(id, event) });
    }
}

/// `payload.sources[0].url` → `source_url`; `payload.host` → `host`: the column to fix.
fn column_of(field: &str) -> String {
    let f = field.strip_prefix("payload.").unwrap_or(field);
    if let Some(rest) = f.strip_prefix("sources[") {
        if let Some((n, part)) = rest.split_once("].") {
            let n: usize = n.parse().unwrap_or(0);
            return if n == 0 { format!("source_{part}") } else { format!("source{}_{part}", n + 1) };
        }
    }
    if let Some(part) = f.strip_prefix("media.") {
        return format!("media_{part}");
    }
    if let Some(rest) = f.strip_prefix("names.") {
        return if rest == "en" { "title".into() } else { "names".into() };
    }
    f.split(['.', '[']).next().unwrap_or(f).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row as (line, cells) for comparing.
    type Expected<'a> = (usize, Vec<&'a str>);

    fn cells(text: &str, delimiter: char) -> Vec<(usize, Vec<String>)> {
        rows(text, delimiter).0.into_iter().map(|r| (r.line, r.cells)).collect()
    }

    #[test]
    fn rows_keep_quotes_newlines_and_their_first_line() {
        let cases: Vec<(&str, char, Vec<Expected<'_>>)> = vec![
            ("a,b\n1,2\n", ',', vec![(1, vec!["a", "b"]), (2, vec!["1", "2"])]),
            ("a;b\r\n\"x;y\";\"say \"\"hi\"\"\"\r\n", ';', vec![(1, vec!["a", "b"]), (2, vec!["x;y", "say \"hi\""])]),
            (
                "a,b\n\"one\ntwo\nthree\",x\nlast,y",
                ',',
                vec![(1, vec!["a", "b"]), (2, vec!["one\ntwo\nthree", "x"]), (5, vec!["last", "y"])],
            ),
            ("a,b\n\n,\n1,\n", ',', vec![(1, vec!["a", "b"]), (4, vec!["1", ""])]),
            ("a\tb\n<p>1</p>\t2", '\t', vec![(1, vec!["a", "b"]), (2, vec!["<p>1</p>", "2"])]),
            ("a,\"\"\n", ',', vec![(1, vec!["a", ""])]),
            // CRLF line ends, also inside a quoted cell, and old Mac files' lone CR.
            (
                "a,b\r\n\"x\r\ny\",z\r\n\r\nlast,1\r\n",
                ',',
                vec![(1, vec!["a", "b"]), (2, vec!["x\ny", "z"]), (5, vec!["last", "1"])],
            ),
            ("a\rb\r\rc", ',', vec![(1, vec!["a"]), (2, vec!["b"]), (4, vec!["c"])]),
        ];
        for (text, delimiter, expected) in cases {
            let expected: Vec<(usize, Vec<String>)> =
                expected.into_iter().map(|(l, c)| (l, c.into_iter().map(str::to_owned).collect())).collect();
            assert_eq!(cells(text, delimiter), expected, "{text:?}");
        }
    }

    #[test]
    fn an_unclosed_quote_is_reported_where_its_row_starts() {
        let (rows, problems) = rows("a,b\n1,2\n3,\"open\nmore\n", ',');
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[2].cells, ["3", "open\nmore\n"]);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, Some(3));
    }

    #[test]
    fn the_delimiter_is_sniffed_from_the_header_only() {
        for (text, expected) in [
            ("Year,Month,Headline\n1;2;3;4;5", ','),
            ("Year;Month;Headline;\"a,b,c,d\"\n", ';'),
            ("Year\tHeadline\n", '\t'),
            ("single\n", ','),
            ("", ','),
        ] {
            assert_eq!(sniff_delimiter(text), expected, "{text:?}");
        }
    }

    #[test]
    fn lists_escape_their_bars() {
        let items = ["a|b", "c\\d", " e "];
        let joined = join_list(items);
        assert_eq!(joined, "a\\|b|c\\\\d| e ");
        assert_eq!(split_list(&joined), ["a|b", "c\\d", "e"]);
        assert!(split_list("").is_empty());
        assert_eq!(split_list("x||y|"), ["x", "y"]);
    }

    #[test]
    fn actor_kinds_are_guessed_from_the_column() {
        for (column, id, kind) in [
            ("places", "minsk", ActorKind::Place),
            ("commission", "igc", ActorKind::Commission),
            ("visitor", "aze", ActorKind::Country),
            ("host", "belarus", ActorKind::Country),
            ("visitor", "aliyev", ActorKind::Person),
            ("actors", "mfa-belarus", ActorKind::Person),
        ] {
            assert_eq!(guess_kind(column, id), kind, "{column} {id}");
        }
        assert_eq!(actor_ref("Ilham Aliyev"), ("ilham-aliyev".to_owned(), "Ilham Aliyev".to_owned()));
        assert_eq!(actor_ref("aze"), ("aze".to_owned(), "AZE".to_owned()));
        assert_eq!(actor_ref("ilham-aliyev").1, "Ilham Aliyev");
        assert_eq!(actor_ref("Café Européen").0, "cafe-europeen");
        assert_eq!(actor_ref("Ильхам Алиев").0, "Ильхам Алиев");
    }
}
