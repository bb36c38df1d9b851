//! GDELT 1.0 and 2.0 events exports.
//!
//! A GDELT export is one machine-coded event per row: two CAMEO actors, a CAMEO event code,
//! three geographies, a date, the time GDELT saw it and the article it came from. The reader
//! turns each row into an Annals event and keeps every code it does not use as a field in
//! `codes`, so nothing GDELT said is lost and nothing is presented as more than GDELT said.
//!
//! Layouts (see `docs/format.md`, "GDELT"):
//! - 2.0: 61 TAB-separated columns, no header, `DATEADDED` as `YYYYMMDDHHMMSS`;
//! - 1.0: the same columns without the three `*_ADM2Code` (58), or also without `SOURCEURL`
//!   (57, the historical back-files), `DATEADDED` as `YYYYMMDD`; re-exports may carry a header
//!   row (then columns are found by name), may be comma-separated with quotes, and write `NA`
//!   for a missing value.
//!
//! Decisions, and why:
//! - **Codes stay strings.** CAMEO `042` is not `42`; a code is copied, never parsed to a number.
//! - **Kinds.** 042 "make a visit" and 043 "host a visit" are Visits (043 swaps the roles:
//!   Actor1 hosts Actor2); 040, 044, 045, 046 (consult, meet at a third location, mediate,
//!   negotiate) are Talks; 041 is a Call; 057 "sign formal agreement" is a Signing; root 01
//!   (public statements) is a Statement; everything else is Other. A visit row whose two actors
//!   are not two different known actors cannot be a Visit (Annals needs a visitor and a host
//!   who differ), so it stays Other, with its code.
//! - **Signings.** GDELT never says what or how many documents were signed, and a Signing
//!   needs documents or a stated count. Stating `count: 1` would invent a number a source
//!   never gave; instead the Signing lists one document *described* (not titled) as "A formal
//!   agreement (not named in the GDELT record)", which is what CAMEO 057 asserts: at least one.
//! - **One visit, many rows.** CAMEO data codes one visit several times: 042 from the
//!   visitor's side, 043 from the host's, once per article. Rows that make the same visitor
//!   visit the same host on the same day are merged into one Visit, with every article as a
//!   source and the other rows' ids and codes kept in `codes["gdelt:merged"]`.
//! - **Actors are countries where GDELT knows the country.** `Actor1CountryCode` (a CAMEO
//!   country code, ISO-like: `BLR`) names the actor; the full actor code (`BLRGOV`) and GDELT's
//!   name for it (which is noisy: the city `MINSK` coded as `BLR`) stay in the event's codes
//!   and summary. An actor without a country (`GOV`, `BUS`) is registered as the organization
//!   `cameo-gov`: it stands for "a government GDELT could not place", not for one body.
//! - **Geography is FIPS 10-4, not ISO.** `ActionGeo_CountryCode` says `BO` for Belarus. It is
//!   kept as the `fips` code of a place actor and never used to name a country actor. `0,0`
//!   coordinates mean "unknown" and are dropped.
//! - **Two clocks.** `SQLDATE` is when it happened (`occurred`, to the day); `DATEADDED` is when
//!   GDELT recorded it (`recorded_at`). They differ for old events reported late.
//! - **Sources.** `SOURCEURL` is the article: publisher = its host, title = "GDELT event N".
//!   The 57-column files have no URL, and early files put a name there instead of a link; then
//!   the source is GDELT itself (publisher "GDELT", with the outlet's name as the title when
//!   given).
//! - **Rows are borrowed, not copied.** An export is a quarter of a million rows of 61
//!   fields. A row's fields are slices of its line (a quoted comma-separated field is copied
//!   only when it has `""` to unescape), columns are found by position (their places are
//!   fixed when the program is compiled, or once from a header), and only what an event
//!   keeps is copied, once, when the event is made. Copying every field into a `Vec<String>`
//!   and cloning the codes made reading 35 times slower than splitting the file at its tabs.

use annals_core::problem::{Quoted, Said};
use annals_core::says;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use rustc_hash::FxHashMap;

use crate::countries::{intern_country, slug};
use crate::import::Actors;
use annals_core::date::{days_from_civil, Occurred, PartialDate, Timestamp};
use annals_core::envelope::Proposed;
use annals_core::event::{
    ActorKind, ActorRegistration, Coordinates, Document, DocumentKind, DomainEvent, Event, EventKind, Participant,
    Role, Source,
};
use annals_core::format::{finish, Format, Loaded, Located, Parsed};
use annals_core::id::ActorId;
use annals_core::validate::{check_url, Known};
use annals_core::Problem;

/// The 61 columns of a GDELT 2.0 export, in order.
pub const COLUMNS_V2: [&str; 61] = [
    "GLOBALEVENTID",
    "SQLDATE",
    "MonthYear",
    "Year",
    "FractionDate",
    "Actor1Code",
    "Actor1Name",
    "Actor1CountryCode",
    "Actor1KnownGroupCode",
    "Actor1EthnicCode",
    "Actor1Religion1Code",
    "Actor1Religion2Code",
    "Actor1Type1Code",
    "Actor1Type2Code",
    "Actor1Type3Code",
    "Actor2Code",
    "Actor2Name",
    "Actor2CountryCode",
    "Actor2KnownGroupCode",
    "Actor2EthnicCode",
    "Actor2Religion1Code",
    "Actor2Religion2Code",
    "Actor2Type1Code",
    "Actor2Type2Code",
    "Actor2Type3Code",
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
    "Actor1Geo_Type",
    "Actor1Geo_FullName",
    "Actor1Geo_CountryCode",
    "Actor1Geo_ADM1Code",
    "Actor1Geo_ADM2Code",
    "Actor1Geo_Lat",
    "Actor1Geo_Long",
    "Actor1Geo_FeatureID",
    "Actor2Geo_Type",
    "Actor2Geo_FullName",
    "Actor2Geo_CountryCode",
    "Actor2Geo_ADM1Code",
    "Actor2Geo_ADM2Code",
    "Actor2Geo_Lat",
    "Actor2Geo_Long",
    "Actor2Geo_FeatureID",
    "ActionGeo_Type",
    "ActionGeo_FullName",
    "ActionGeo_CountryCode",
    "ActionGeo_ADM1Code",
    "ActionGeo_ADM2Code",
    "ActionGeo_Lat",
    "ActionGeo_Long",
    "ActionGeo_FeatureID",
    "DATEADDED",
    "SOURCEURL",
];

/// Which GDELT layout a file has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// 1.0 historical back-files: 57 columns, no `SOURCEURL`.
    V1NoUrl,
    /// 1.0 daily files: 58 columns.
    V1,
    /// 2.0: 61 columns.
    V2,
}

impl Version {
    /// The layout with this many columns, if any.
    pub fn from_width(width: usize) -> Option<Version> {
        match width {
            57 => Some(Version::V1NoUrl),
            58 => Some(Version::V1),
            61 => Some(Version::V2),
            _ => None,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Version::V1NoUrl => "GDELT 1.0 without SOURCEURL (57 columns)",
            Version::V1 => "GDELT 1.0 (58 columns)",
            Version::V2 => "GDELT 2.0 (61 columns)",
        }
    }

    /// The column names of this layout, in order.
    pub fn columns(self) -> Vec<&'static str> {
        COLUMNS_V2.iter().copied().filter(|c| self.has(c)).collect()
    }

    /// Whether this layout has a column of [`COLUMNS_V2`].
    fn has(self, column: &str) -> bool {
        (self == Version::V2 || !column.ends_with("_ADM2Code")) && (self != Version::V1NoUrl || column != "SOURCEURL")
    }
}

/// True when `name` is a column of the GDELT export (any version), ignoring case.
pub fn is_column(name: &str) -> bool {
    COLUMNS_V2.iter().any(|c| c.eq_ignore_ascii_case(name))
}

/// The place of a column in [`COLUMNS_V2`], found when the program is compiled: the reader
/// names the columns it reads, a misspelt name does not build, and a row is read by
/// position, with no lookup by name.
const fn column(name: &str) -> usize {
    let mut i = 0;
    while i < COLUMNS_V2.len() {
        let (a, b) = (COLUMNS_V2[i].as_bytes(), name.as_bytes());
        if a.len() == b.len() {
            let mut j = 0;
            while j < a.len() && a[j] == b[j] {
                j += 1;
            }
            if j == a.len() {
                return i;
            }
        }
        i += 1;
    }
    panic!("not a GDELT column")
}

const GLOBALEVENTID: usize = column("GLOBALEVENTID");
const SQLDATE: usize = column("SQLDATE");
const DATEADDED: usize = column("DATEADDED");
const EVENT_CODE: usize = column("EventCode");
const GOLDSTEIN: usize = column("GoldsteinScale");
const SOURCEURL: usize = column("SOURCEURL");
const ACTOR_CODE: [usize; 2] = [column("Actor1Code"), column("Actor2Code")];
const ACTOR_NAME: [usize; 2] = [column("Actor1Name"), column("Actor2Name")];
const ACTOR_COUNTRY: [usize; 2] = [column("Actor1CountryCode"), column("Actor2CountryCode")];
const GEO_FULL_NAME: usize = column("ActionGeo_FullName");
const GEO_COUNTRY: usize = column("ActionGeo_CountryCode");
const GEO_LAT: usize = column("ActionGeo_Lat");
const GEO_LONG: usize = column("ActionGeo_Long");
const GEO_FEATURE: usize = column("ActionGeo_FeatureID");
/// Columns kept as they are under `codes`, with their code names.
const KEPT: [(usize, &str); 8] = [
    (column("EventBaseCode"), "cameo:base"),
    (column("EventRootCode"), "cameo:root"),
    (column("QuadClass"), "gdelt:quadclass"),
    (column("IsRootEvent"), "gdelt:isrootevent"),
    (column("NumMentions"), "gdelt:nummentions"),
    (column("NumSources"), "gdelt:numsources"),
    (column("NumArticles"), "gdelt:numarticles"),
    (column("AvgTone"), "gdelt:avgtone"),
];

/// Where a file has each column; `None` when it has no such column.
struct Layout {
    version: Version,
    width: usize,
    /// For each column of [`COLUMNS_V2`], its place in this file's rows.
    index: [Option<usize>; COLUMNS_V2.len()],
}

impl Layout {
    fn positional(version: Version) -> Layout {
        let mut index = [None; COLUMNS_V2.len()];
        let mut width = 0;
        for (slot, c) in index.iter_mut().zip(COLUMNS_V2) {
            if version.has(c) {
                *slot = Some(width);
                width += 1;
            }
        }
        Layout { version, width, index }
    }

    /// From a header row; the version follows from which columns it has.
    fn from_header(fields: &[Cow<'_, str>]) -> Result<Layout, Said> {
        let mut index = [None; COLUMNS_V2.len()];
        for (i, f) in fields.iter().enumerate() {
            if let Some(c) = COLUMNS_V2.iter().position(|c| c.eq_ignore_ascii_case(f.trim())) {
                index[c].get_or_insert(i);
            }
        }
        let missing: Vec<&str> = [GLOBALEVENTID, SQLDATE, EVENT_CODE, DATEADDED]
            .into_iter()
            .filter(|c| index[*c].is_none())
            .map(|c| COLUMNS_V2[c])
            .collect();
        if !missing.is_empty() {
            return Err(says!(
                "the header row lacks {0}; expected the GDELT column names (GLOBALEVENTID, SQLDATE, …)",
                missing.join(", ")
            ));
        }
        let version = if index[column("ActionGeo_ADM2Code")].is_some() {
            Version::V2
        } else if index[SOURCEURL].is_some() {
            Version::V1
        } else {
            Version::V1NoUrl
        };
        Ok(Layout { version, width: fields.len(), index })
    }

    /// The value of a column (a constant above) in a row: trimmed, `None` when absent,
    /// empty or `NA`.
    fn get<'r>(&self, row: &'r [Cow<'_, str>], column: usize) -> Option<&'r str> {
        let v = row.get((*self.index.get(column)?)?)?.trim();
        (!v.is_empty() && v != "NA").then_some(v)
    }
}

/// How fields are separated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Separator {
    Tab,
    /// Comma-separated with `"` quoting (R's `write.csv`).
    Comma,
}

/// Splits a line into `fields`, borrowed from the line unless a quoted field must be
/// unescaped; `Err` for an unterminated quote.
fn split<'a>(line: &'a str, sep: Separator, fields: &mut Vec<Cow<'a, str>>) -> Result<(), Said> {
    fields.clear();
    if sep == Separator::Tab {
        fields.extend(line.split('\t').map(Cow::Borrowed));
        return Ok(());
    }
    if !line.contains('"') {
        fields.extend(line.split(',').map(Cow::Borrowed));
        return Ok(());
    }
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else if c == '"' && at_start {
            quoted = true;
            at_start = false;
        } else if c == ',' {
            fields.push(Cow::Owned(std::mem::take(&mut field)));
            at_start = true;
        } else {
            field.push(c);
            at_start = false;
        }
    }
    if quoted {
        return Err(says!("a quoted field is not closed on this line; expected a closing \""));
    }
    fields.push(Cow::Owned(field));
    Ok(())
}

/// One side of an event as GDELT codes it.
#[derive(Debug, Clone, Copy)]
struct RowActor<'r> {
    /// The full CAMEO actor code (`BLRGOV`).
    code: &'r str,
    /// GDELT's name for it (`MINSK`).
    name: Option<&'r str>,
    /// The CAMEO country code (`BLR`).
    country: Option<&'r str>,
}

/// Where an event took place, as GDELT geocodes it.
#[derive(Debug, Clone, Copy)]
struct Geo<'r> {
    full_name: &'r str,
    fips: Option<&'r str>,
    feature: Option<&'r str>,
    coordinates: Option<Coordinates>,
}

/// A row that decoded cleanly, borrowed from the line: only what an event keeps is
/// copied, when the event is made.
#[derive(Debug, Clone)]
struct Row<'r> {
    line: usize,
    record: usize,
    id: &'r str,
    date: PartialDate,
    added: Option<Timestamp>,
    actors: [Option<RowActor<'r>>; 2],
    code: &'r str,
    /// The columns of [`KEPT`], in its order.
    kept: [Option<&'r str>; KEPT.len()],
    goldstein: Option<&'r str>,
    geo: Option<Geo<'r>>,
    source: Source,
}

impl Row<'_> {
    /// The codes the event keeps: every column the reader does not turn into a field.
    fn codes(&self) -> BTreeMap<String, String> {
        let mut codes = BTreeMap::new();
        codes.insert("gdelt:globaleventid".to_owned(), self.id.to_owned());
        codes.insert("cameo".to_owned(), self.code.to_owned());
        for ((_, key), value) in KEPT.iter().zip(self.kept) {
            if let Some(v) = value {
                codes.insert((*key).to_owned(), v.to_owned());
            }
        }
        if let Some(g) = self.goldstein {
            codes.insert("goldstein".to_owned(), g.to_owned());
        }
        for (n, a) in self.actors.iter().enumerate() {
            if let Some(a) = a {
                codes.insert(format!("gdelt:actor{}", n + 1), a.code.to_owned());
            }
        }
        if let Some(f) = self.geo.as_ref().and_then(|g| g.fips) {
            codes.insert("fips".to_owned(), f.to_owned());
        }
        codes
    }
}

/// Reads a GDELT export. The file's name is not needed: every row cites its own article,
/// or GDELT itself.
///
/// Rows are decoded and turned into events one at a time, so a row's fields are borrowed
/// from its line and only what the event keeps is copied.
pub fn read(bytes: &[u8], _name: &str, known: &dyn Known) -> Loaded {
    let mut parsed = Parsed::default();
    let mut builder = Builder::new(known);
    decode(bytes, &mut parsed, &mut builder);
    builder.finish(&mut parsed);
    finish(Format::Gdelt, parsed, known)
}

/// Decodes every row, reporting every problem, and hands the rows that decoded to `builder`.
fn decode(bytes: &[u8], parsed: &mut Parsed, builder: &mut Builder<'_>) {
    let mut layout: Option<Layout> = None;
    let mut sep: Option<Separator> = None;
    let mut record = 0;
    let mut first = true;
    let mut fields = Vec::new();
    let mut problems = Vec::new();
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = i + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let raw = if first { raw.strip_prefix("\u{feff}".as_bytes()).unwrap_or(raw) } else { raw };
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let Ok(line) = std::str::from_utf8(raw) else {
            record += 1;
            parsed.undecodable += 1;
            parsed.diagnostics.push(diag(line_no, Some(record), "", says!("is not valid UTF-8; expected UTF-8 text")));
            continue;
        };
        let sep = *sep.get_or_insert(if line.contains('\t') { Separator::Tab } else { Separator::Comma });
        if let Err(msg) = split(line, sep, &mut fields) {
            record += 1;
            parsed.undecodable += 1;
            parsed.diagnostics.push(diag(line_no, Some(record), "", msg));
            continue;
        }
        if first {
            first = false;
            if fields.first().is_some_and(|f| f.trim().eq_ignore_ascii_case("GLOBALEVENTID")) {
                match Layout::from_header(&fields) {
                    Ok(l) => layout = Some(l),
                    Err(msg) => {
                        parsed.diagnostics.push(diag(line_no, None, "", msg));
                        return;
                    }
                }
                continue;
            }
        }
        record += 1;
        let layout = match &layout {
            Some(l) => l,
            None => match Version::from_width(fields.len()) {
                Some(v) => layout.insert(Layout::positional(v)),
                None => {
                    parsed.undecodable += 1;
                    parsed.diagnostics.push(diag(
                        line_no,
                        Some(record),
                        "",
                        says!(
                            "has {0} fields; expected 61 (GDELT 2.0), 58 or 57 (GDELT 1.0) {1}-separated fields",
                            fields.len(),
                            if sep == Separator::Tab { "TAB" } else { "comma" }
                        ),
                    ));
                    continue;
                }
            },
        };
        if fields.len() != layout.width {
            parsed.undecodable += 1;
            parsed.diagnostics.push(diag(
                line_no,
                Some(record),
                "",
                says!(
                    "has {0} fields; expected {1} like the rest of this {2} file",
                    fields.len(),
                    layout.width,
                    layout.version.label()
                ),
            ));
            continue;
        }
        problems.clear();
        let row = decode_row(layout, &fields, line_no, record, &mut problems);
        if problems.is_empty() {
            if let Some(row) = row {
                builder.add(row);
                continue;
            }
        }
        parsed.undecodable += 1;
        parsed.diagnostics.extend(problems.drain(..).map(|p| p.at(Some(line_no), Some(record))));
    }
}

fn diag(line: usize, record: Option<usize>, field: &str, message: Said) -> Problem {
    Problem::new(field.to_owned(), message).at(Some(line), record)
}

/// Decodes one row; every problem goes to `problems` as (column, message).
fn decode_row<'r>(
    layout: &Layout,
    fields: &'r [Cow<'_, str>],
    line: usize,
    record: usize,
    problems: &mut Vec<Problem>,
) -> Option<Row<'r>> {
    let get = |c: usize| layout.get(fields, c);
    let mut problem = |c: usize, m: Said| problems.push(Problem::new(COLUMNS_V2[c], m));
    let id = match get(GLOBALEVENTID) {
        Some(v) if v.bytes().all(|b| b.is_ascii_digit()) && v.len() <= 20 => Some(v),
        Some(v) => {
            problem(GLOBALEVENTID, says!("found {0}; expected the event's number (digits only)", Quoted(&v)));
            None
        }
        None => {
            problem(GLOBALEVENTID, says!("is missing; expected the event's number"));
            None
        }
    };
    let date = match get(SQLDATE) {
        Some(v) => match parse_digits_date(v) {
            Ok(d) => Some(d),
            Err(m) => {
                problem(SQLDATE, m);
                None
            }
        },
        None => {
            problem(SQLDATE, says!("is missing; expected the event's date as YYYYMMDD"));
            None
        }
    };
    let added = match get(DATEADDED) {
        Some(v) => match parse_added(v, layout.version) {
            Ok(t) => Some(t),
            Err(m) => {
                problem(DATEADDED, m);
                None
            }
        },
        None => None,
    };
    let code = match get(EVENT_CODE) {
        Some(v) if is_cameo_code(v) => Some(v),
        Some(v) => {
            problem(
                EVENT_CODE,
                says!("found {0}; expected a CAMEO event code of 2 to 4 digits such as \"042\"", Quoted(&v)),
            );
            None
        }
        None => {
            problem(EVENT_CODE, says!("is missing; expected a CAMEO event code such as \"042\""));
            None
        }
    };
    let mut actors = [None, None];
    for (n, slot) in actors.iter_mut().enumerate() {
        let country = get(ACTOR_COUNTRY[n]);
        if let Some(c) = country {
            if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                problem(
                    ACTOR_COUNTRY[n],
                    says!("found {0}; expected a three-letter CAMEO country code such as \"BLR\"", Quoted(&c)),
                );
            }
        }
        let name = get(ACTOR_NAME[n]);
        if let Some(code) = get(ACTOR_CODE[n]) {
            // Known-group codes may be lowercase in real files (`ran`, `hni`).
            if !code.bytes().all(|b| b.is_ascii_alphanumeric()) || code.len() > 40 {
                problem(
                    ACTOR_CODE[n],
                    says!(
                        "found {0}; expected a CAMEO actor code of letters and digits such as \"BLRGOV\"",
                        Quoted(&code)
                    ),
                );
            }
            *slot = Some(RowActor { code, name, country });
        } else if let Some(c) = country {
            // A country without an actor code: GDELT never writes this, but the country is enough.
            *slot = Some(RowActor { code: c, name, country: Some(c) });
        }
    }
    let kept = KEPT.map(|(c, _)| get(c));
    let goldstein = get(GOLDSTEIN).filter(|g| match g.parse::<f64>() {
        Ok(x) if (-10.0..=10.0).contains(&x) => true,
        _ => {
            problem(GOLDSTEIN, says!("found {0}; expected a number from -10 to 10", Quoted(&g)));
            false
        }
    });
    let geo = decode_geo(layout, fields, &mut problem);
    let source = match (get(SOURCEURL), id) {
        (Some(url), Some(id)) if check_url(url).is_ok() => Source {
            publisher: url_host(url).to_owned(),
            title: Some(format!("GDELT event {id}")),
            url: Some(url.to_owned()),
            ..Source::default()
        },
        (other, id) => Source {
            publisher: "GDELT".to_owned(),
            title: Some(match other {
                Some(outlet) => format!("GDELT event {}, from {outlet}", id.unwrap_or("?")),
                None => format!("GDELT event {}", id.unwrap_or("?")),
            }),
            ..Source::default()
        },
    };
    Some(Row { line, record, id: id?, date: date?, added, actors, code: code?, kept, goldstein, geo, source })
}

fn decode_geo<'r>(
    layout: &Layout,
    fields: &'r [Cow<'_, str>],
    problem: &mut impl FnMut(usize, Said),
) -> Option<Geo<'r>> {
    let get = |c: usize| layout.get(fields, c);
    let full_name = get(GEO_FULL_NAME)?;
    let fips = get(GEO_COUNTRY);
    if let Some(f) = fips {
        if f.len() != 2 || !f.bytes().all(|b| b.is_ascii_uppercase()) {
            problem(
                GEO_COUNTRY,
                says!("found {0}; expected a two-letter FIPS 10-4 country code such as \"BO\"", Quoted(&f)),
            );
        }
    }
    let mut number = |c: usize, range: std::ops::RangeInclusive<f64>| -> Option<f64> {
        let v = get(c)?;
        match v.parse::<f64>() {
            Ok(x) if range.contains(&x) => Some(x),
            _ => {
                problem(
                    c,
                    says!("found {0}; expected a number from {1} to {2}", Quoted(&v), range.start(), range.end()),
                );
                None
            }
        }
    };
    let lat = number(GEO_LAT, -90.0..=90.0);
    let lon = number(GEO_LONG, -180.0..=180.0);
    let coordinates = match (lat, lon) {
        // 0,0 is how GDELT exports write "no coordinates"; nothing is plotted there.
        (Some(lat), Some(lon)) if !(lat == 0.0 && lon == 0.0) => Some(Coordinates { lat, lon }),
        _ => None,
    };
    Some(Geo { full_name, fips, feature: get(GEO_FEATURE), coordinates })
}

/// True for a CAMEO event code: 2 to 4 digits (`04`, `042`, `0421`).
fn is_cameo_code(v: &str) -> bool {
    (2..=4).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit())
}

fn parse_digits_date(v: &str) -> Result<PartialDate, Said> {
    if v.len() != 8 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(says!("found {0}; expected a date as YYYYMMDD", Quoted(&v)));
    }
    let n = |r: std::ops::Range<usize>| v.get(r).and_then(|s| s.parse::<u32>().ok()).unwrap_or(0);
    PartialDate::day(i64::from(n(0..4)), n(4..6), n(6..8))
        .map_err(|e| says!("found {0}: {1}", Quoted(&v), e.said().carried()))
}

/// `DATEADDED`: `YYYYMMDDHHMMSS` (2.0) or `YYYYMMDD` (1.0), UTC.
fn parse_added(v: &str, version: Version) -> Result<Timestamp, Said> {
    let expected = if version == Version::V2 { "YYYYMMDDHHMMSS" } else { "YYYYMMDD" };
    if !(v.len() == 8 || v.len() == 14) || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(says!("found {0}; expected when GDELT added the event as {1} (UTC)", Quoted(&v), expected));
    }
    let date = parse_digits_date(&v[..8])
        .map_err(|_| says!("found {0}; expected a real date as {1}", Quoted(&v), expected))?;
    let n = |r: std::ops::Range<usize>| v.get(r).and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
    let (h, m, s) = if v.len() == 14 { (n(8..10), n(10..12), n(12..14)) } else { (0, 0, 0) };
    if h > 23 || m > 59 || s > 59 {
        return Err(says!("found {0}; the time of day does not exist", Quoted(&v)));
    }
    let day = days_from_civil(date.year_value(), date.month_value().unwrap_or(1), date.day_value().unwrap_or(1));
    Ok(Timestamp((day * 86_400 + h * 3600 + m * 60 + s) * 1000))
}

/// The host of an http(s) URL (already checked by `check_url`).
fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    host.rsplit_once('@').map_or(host, |(_, h)| h)
}

/// The CAMEO label of an event code, from the CAMEO codebook: the codes Annals maps to a
/// kind of its own, and the twenty root categories for the rest.
pub fn cameo_label(code: &str) -> &'static str {
    match code {
        "010" => "Make statement",
        "040" => "Consult",
        "041" => "Discuss by telephone",
        "042" => "Make a visit",
        "043" => "Host a visit",
        "044" => "Meet at a third location",
        "045" => "Mediate",
        "046" => "Engage in negotiation",
        "057" => "Sign formal agreement",
        _ => match code.get(..2) {
            Some("01") => "Make public statement",
            Some("02") => "Appeal",
            Some("03") => "Express intent to cooperate",
            Some("04") => "Consult",
            Some("05") => "Engage in diplomatic cooperation",
            Some("06") => "Engage in material cooperation",
            Some("07") => "Provide aid",
            Some("08") => "Yield",
            Some("09") => "Investigate",
            Some("10") => "Demand",
            Some("11") => "Disapprove",
            Some("12") => "Reject",
            Some("13") => "Threaten",
            Some("14") => "Protest",
            Some("15") => "Exhibit force posture",
            Some("16") => "Reduce relations",
            Some("17") => "Coerce",
            Some("18") => "Assault",
            Some("19") => "Fight",
            Some("20") => "Use unconventional mass violence",
            _ => "Unknown CAMEO code",
        },
    }
}

/// The Annals kind a CAMEO event code maps to, before looking at the actors.
pub fn kind_of(code: &str) -> EventKind {
    match code {
        "042" | "043" => EventKind::Visit,
        "040" | "044" | "045" | "046" => EventKind::Talks,
        "041" => EventKind::Call,
        "057" => EventKind::Signing,
        _ if code.starts_with("01") => EventKind::Statement,
        _ => EventKind::Other,
    }
}

/// An event being built, and where it came from.
struct Pending {
    line: usize,
    record: usize,
    /// The event's id, `gdelt:` and GDELT's number.
    id: String,
    kind: EventKind,
    event: DomainEvent,
    recorded_at: Option<Timestamp>,
    registrations: Vec<ActorRegistration>,
}

/// Turns decoded rows into records, one row at a time: actors first, visits merged.
///
/// A file names a few hundred actors and places in a quarter of a million rows, so each is
/// worked out once, by its code, and later rows take the id from a map.
struct Builder<'k> {
    known: &'k dyn Known,
    actors: Actors,
    /// The actor of a CAMEO country code, and of an actor code without a country.
    by_country: FxHashMap<String, ActorId>,
    by_code: FxHashMap<String, ActorId>,
    /// The names titles use.
    names: FxHashMap<ActorId, String>,
    places: FxHashMap<String, ActorId>,
    pending: Vec<Pending>,
    visits: FxHashMap<(PartialDate, ActorId, ActorId), usize>,
    merged: usize,
    unpaired: usize,
}

impl<'k> Builder<'k> {
    fn new(known: &'k dyn Known) -> Self {
        Builder {
            known,
            actors: Actors::default(),
            by_country: FxHashMap::default(),
            by_code: FxHashMap::default(),
            names: FxHashMap::default(),
            places: FxHashMap::default(),
            pending: Vec::new(),
            visits: FxHashMap::default(),
            merged: 0,
            unpaired: 0,
        }
    }

    fn add(&mut self, row: Row<'_>) {
        let a1 = row.actors[0].as_ref().map(|a| self.actor_id(a));
        let a2 = row.actors[1].as_ref().map(|a| self.actor_id(a));
        let place = row.geo.as_ref().and_then(|g| self.place_id(g));
        let mut scratch = Vec::new();
        self.actors.flush(&mut scratch, Some(row.line), row.record);
        let registrations: Vec<ActorRegistration> = scratch
            .into_iter()
            .filter_map(|l| match l.proposed.event {
                Event::ActorRegistered(r) => Some(*r),
                _ => None,
            })
            .collect();
        let mut kind = kind_of(row.code);
        // 042: Actor1 visits Actor2. 043: Actor1 hosts Actor2.
        let pair = match (row.code, &a1, &a2) {
            ("042", Some(v), Some(h)) if v != h => Some((v.clone(), h.clone())),
            ("043", Some(h), Some(v)) if v != h => Some((v.clone(), h.clone())),
            _ => None,
        };
        if kind == EventKind::Visit && pair.is_none() {
            kind = EventKind::Other;
            self.unpaired += 1;
        }
        if let Some((v, h)) = &pair {
            if let Some(&at) = self.visits.get(&(row.date, v.clone(), h.clone())) {
                self.merged += 1;
                merge_into(&mut self.pending[at], row, registrations);
                return;
            }
        }
        let name = |id: &Option<ActorId>| id.as_ref().and_then(|i| self.names.get(i)).map(String::as_str);
        let label = cameo_label(row.code);
        let mut title = match (kind, &pair, name(&a1), name(&a2)) {
            (EventKind::Visit, Some((v, h)), _, _) => format!(
                "{} visits {}",
                self.names.get(v).map_or(v.as_str(), String::as_str),
                self.names.get(h).map_or(h.as_str(), String::as_str)
            ),
            (_, _, Some(x), Some(y)) if x != y => format!("{label}: {x} – {y}"),
            (_, _, Some(x), _) | (_, _, None, Some(x)) => format!("{label}: {x}"),
            _ => format!("{label} (no actor coded)"),
        };
        let _ = write!(title, " (CAMEO {})", row.code);
        let mut event = DomainEvent::new(Occurred::on(row.date), title);
        event.summary = Some(summary(&row));
        event.codes = row.codes();
        if let Some(p) = place {
            event.places.push(p);
        }
        match (kind, pair) {
            (EventKind::Visit, Some((v, h))) => {
                event.visitor = Some(v.clone());
                event.host = Some(h.clone());
                self.visits.insert((row.date, v, h), self.pending.len());
            }
            (EventKind::Signing, _) => {
                event.parties = dedup([a1, a2]);
                event.documents.push(Document {
                    title: "A formal agreement (not named in the GDELT record)".to_owned(),
                    kind: DocumentKind::Agreement,
                });
            }
            (k, _) => {
                let (r1, r2) = match k {
                    EventKind::Call => (Role::Caller, Role::Recipient),
                    EventKind::Statement => (Role::Speaker, Role::Addressee),
                    _ => (Role::Participant, Role::Participant),
                };
                for (id, role) in [(a1, r1), (a2, r2)] {
                    if let Some(actor) = id {
                        if !event.actors.iter().any(|p| p.actor == actor) {
                            event.actors.push(Participant { actor, role });
                        }
                    }
                }
            }
        }
        let id = format!("gdelt:{}", row.id);
        event.sources.push(row.source);
        self.pending.push(Pending {
            line: row.line,
            record: row.record,
            id,
            kind,
            event,
            recorded_at: row.added,
            registrations,
        });
    }

    /// Writes the records (each event after the actors it registers) and the notes.
    fn finish(self, parsed: &mut Parsed) {
        let note = |message: Said| Problem::new("EventCode".to_owned(), message);
        if self.merged > 0 {
            parsed.notes.push(note(says!(
                "visit rows merged into a visit already read (same day, visitor and host: CAMEO 042 from one side, 043 from the other, or another article): {0}; their ids are kept in codes[\"gdelt:merged\"]",
                self.merged
            )));
        }
        if self.unpaired > 0 {
            parsed.notes.push(note(says!(
                "rows coded as a visit (042/043) without two different actors, so not a visit: {0}; kept as Other with the CAMEO code",
                self.unpaired
            )));
        }
        parsed.records.reserve(self.pending.len());
        for p in self.pending {
            for reg in p.registrations {
                let id = format!("actor:{}", reg.actor);
                parsed.records.push(Located {
                    line: Some(p.line),
                    record: p.record,
                    proposed: Proposed::new(id, Event::ActorRegistered(Box::new(reg))),
                });
            }
            let mut proposed = Proposed::new(p.id, Event::Domain(p.kind, std::sync::Arc::new(p.event)));
            proposed.recorded_at = p.recorded_at;
            parsed.records.push(Located { line: Some(p.line), record: p.record, proposed });
        }
    }

    /// The Annals actor of one side of a row.
    fn actor_id(&mut self, a: &RowActor<'_>) -> ActorId {
        if let Some(code) = a.country {
            if let Some(id) = self.by_country.get(code) {
                return id.clone();
            }
            if let Some(id) = intern_country(&mut self.actors, self.known, code, "cameo") {
                if !self.names.contains_key(&id) {
                    let name =
                        crate::countries::iso3_name(code).map_or_else(|| format!("CAMEO code {code}"), str::to_owned);
                    self.names.insert(id.clone(), name);
                }
                self.by_country.insert(code.to_owned(), id.clone());
                return id;
            }
        }
        if let Some(id) = self.by_code.get(a.code) {
            return id.clone();
        }
        // No country: a role GDELT could not place (`GOV`, `BUS`), one actor per code.
        let id_text = format!("cameo-{}", slug(a.code).unwrap_or_else(|| "unknown".to_owned()));
        let id_text = if id_text.len() > annals_core::id::MAX_ACTOR_ID { "cameo-unknown".to_owned() } else { id_text };
        let label = format!("{} (CAMEO actor without a country)", a.code);
        if !self.names.contains_key(id_text.as_str()) {
            self.names.insert(ActorId::from(id_text.as_str()), label.clone());
        }
        let id = if self.known.actor_kind(&id_text).is_some() {
            ActorId::from(id_text)
        } else {
            self.actors.intern(&id_text, |id| {
                let mut reg = ActorRegistration::new(id, ActorKind::Organization, label);
                reg.codes.insert("cameo".to_owned(), a.code.to_owned());
                reg
            })
        };
        self.by_code.insert(a.code.to_owned(), id.clone());
        id
    }

    /// The place actor of an event's ActionGeo: FIPS code and coordinates, never a country.
    fn place_id(&mut self, g: &Geo<'_>) -> Option<ActorId> {
        if let Some(id) = self.places.get(g.full_name) {
            return Some(id.clone());
        }
        let key = g.feature.map_or_else(|| g.full_name.to_owned(), |f| f.replace('-', "n"));
        let id = format!("geo-{}", slug(&key)?);
        if id.len() > annals_core::id::MAX_ACTOR_ID {
            return None;
        }
        let id = match self.known.actor_kind(&id) {
            Some(ActorKind::Place) => ActorId::from(id),
            Some(_) => return None,
            None => self.actors.intern(&id, |id| {
                let mut reg = ActorRegistration::new(id, ActorKind::Place, g.full_name);
                reg.coordinates = g.coordinates;
                if let Some(f) = g.fips {
                    reg.codes.insert("fips".to_owned(), f.to_owned());
                }
                if let Some(f) = g.feature {
                    reg.codes.insert("gdelt:featureid".to_owned(), f.to_owned());
                }
                reg
            }),
        };
        self.places.insert(g.full_name.to_owned(), id.clone());
        Some(id)
    }
}

/// Folds a later row of the same visit into the first: its article, its id and code.
fn merge_into(first: &mut Pending, row: Row<'_>, registrations: Vec<ActorRegistration>) {
    // Actors (a place) first met on the merged row are registered with the visit.
    first.registrations.extend(registrations);
    let e = &mut first.event;
    if !e.sources.contains(&row.source) {
        e.sources.push(row.source);
    }
    let note = format!("{}:{}", row.id, row.code);
    e.codes
        .entry("gdelt:merged".to_owned())
        .and_modify(|m| {
            m.push(' ');
            m.push_str(&note);
        })
        .or_insert(note);
    first.recorded_at = match (first.recorded_at, row.added) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
}

fn dedup(ids: [Option<ActorId>; 2]) -> Vec<ActorId> {
    let mut out: Vec<ActorId> = Vec::new();
    for id in ids.into_iter().flatten() {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// What GDELT said about the row in words, its noisy names included.
fn summary(row: &Row<'_>) -> String {
    let mut out = String::new();
    for (n, a) in row.actors.iter().enumerate() {
        if let Some(a) = a {
            let _ = write!(out, "Actor{}: {} ({}", n + 1, a.name.unwrap_or("no name"), a.code);
            if let Some(c) = a.country {
                let _ = write!(out, ", country {c}");
            }
            out.push_str("). ");
        }
    }
    if let Some(g) = &row.geo {
        let _ = write!(out, "Where: {}. ", g.full_name);
    }
    let _ = write!(out, "Machine-coded by GDELT from news reports: CAMEO {} \"{}\".", row.code, cameo_label(row.code));
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use annals_core::validate::Nothing;

    const CORPUS_FILE: &str = "gdelt/20150218230000.export.CSV";

    /// A row of `version` with the given columns set and every other column empty.
    fn row(version: Version, set: &[(&str, &str)], sep: &str) -> String {
        let columns = version.columns();
        for (c, _) in set {
            assert!(columns.contains(c), "{c} is not a column of {version:?}");
        }
        columns.iter().map(|c| set.iter().find(|(k, _)| k == c).map_or("", |(_, v)| v)).collect::<Vec<_>>().join(sep)
    }

    /// A clean 042 visit of Azerbaijan to Belarus, in Minsk.
    const VISIT: [(&str, &str); 12] = [
        ("GLOBALEVENTID", "1"),
        ("SQLDATE", "20240516"),
        ("Actor1Code", "AZEGOV"),
        ("Actor1Name", "ILHAM ALIYEV"),
        ("Actor1CountryCode", "AZE"),
        ("Actor2Code", "BLR"),
        ("Actor2Name", "MINSK"),
        ("Actor2CountryCode", "BLR"),
        ("EventCode", "042"),
        ("ActionGeo_FullName", "Minsk, Horad Minsk, Belarus"),
        ("ActionGeo_CountryCode", "BO"),
        ("DATEADDED", "20240517"),
    ];

    fn with(
        base: &[(&'static str, &'static str)],
        changes: &[(&'static str, &'static str)],
    ) -> Vec<(&'static str, &'static str)> {
        let mut out: Vec<(&str, &str)> =
            base.iter().filter(|(k, _)| !changes.iter().any(|(c, _)| c == k)).copied().collect();
        out.extend_from_slice(changes);
        out
    }

    fn domain(l: &Located) -> Option<(EventKind, &DomainEvent)> {
        match &l.proposed.event {
            Event::Domain(k, e) => Some((*k, e.as_ref())),
            _ => None,
        }
    }

    fn registration<'a>(loaded: &'a Loaded, actor: &str) -> Option<&'a ActorRegistration> {
        loaded.accepted.iter().find_map(|l| match &l.proposed.event {
            Event::ActorRegistered(r) if r.actor.as_str() == actor => Some(r.as_ref()),
            _ => None,
        })
    }

    fn messages(loaded: &Loaded) -> Vec<String> {
        loaded.diagnostics.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn the_first_gdelt_2_export_imports_whole_with_visits_merged() {
        let loaded = read(&corpus!(CORPUS_FILE), "20150218230000.export.CSV", &Nothing);
        assert_eq!(messages(&loaded), Vec::<String>::new());
        assert_eq!(loaded.rejected, 0);
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        let mut merged_rows = 0;
        for l in &loaded.accepted {
            *kinds.entry(l.proposed.event.type_name()).or_default() += 1;
            if let Some((_, e)) = domain(l) {
                merged_rows += e.codes.get("gdelt:merged").map_or(0, |m| m.split(' ').count());
            }
        }
        // 2,271 rows: 159 of them repeat a visit already read (same day, visitor and host),
        // so 2,112 events. Counted independently of this reader from the raw columns.
        assert_eq!(merged_rows, 159);
        // 374 rows say 042 or 043: 76 visits, 159 merged into them, 139 without two actors.
        let notes: Vec<String> = loaded.notes.iter().map(ToString::to_string).collect();
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(
            notes[0].starts_with("file, EventCode: visit rows merged into a visit already read")
                && notes[0].contains("): 159;"),
            "{notes:?}"
        );
        assert!(
            notes[1].starts_with("file, EventCode: rows coded as a visit (042/043)")
                && notes[1].contains("not a visit: 139;"),
            "{notes:?}"
        );
        let events: usize = kinds.iter().filter(|(k, _)| **k != "ActorRegistered").map(|(_, n)| n).sum();
        assert_eq!(events, 2271 - 159);
        let expected: BTreeMap<&str, usize> =
            [("Visit", 76), ("Talks", 182), ("Call", 4), ("Signing", 13), ("Statement", 238), ("Other", 1599)]
                .into_iter()
                .collect();
        for (k, n) in &expected {
            assert_eq!(kinds.get(k), Some(n), "{k}");
        }
        // 163 distinct actors: countries by CAMEO country code, the rest by actor code.
        let actors = loaded
            .accepted
            .iter()
            .filter(|l| matches!(&l.proposed.event, Event::ActorRegistered(r) if r.kind != ActorKind::Place))
            .count();
        assert_eq!(actors, 163);
    }

    #[test]
    fn reciprocal_042_and_043_rows_are_one_visit() {
        // Kagame visits Kenya: row 410412439 says 042 (RWA visits KEN), row 410412435 says
        // 043 (KEN hosts RWA), both on 2015-02-17.
        let loaded = read(&corpus!(CORPUS_FILE), "x", &Nothing);
        let visits: Vec<&DomainEvent> = loaded
            .accepted
            .iter()
            .filter_map(domain)
            .filter(|(k, e)| {
                *k == EventKind::Visit
                    && e.visitor.as_ref().map(ActorId::as_str) == Some("rwa")
                    && e.host.as_ref().map(ActorId::as_str) == Some("ken")
            })
            .map(|(_, e)| e)
            .collect();
        assert_eq!(visits.len(), 1);
        let v = visits[0];
        assert_eq!(v.occurred.to_string(), "2015-02-17");
        assert_eq!(v.codes.get("gdelt:globaleventid").map(String::as_str), Some("410412435"));
        assert_eq!(v.codes.get("cameo").map(String::as_str), Some("043"));
        assert!(v.codes.get("gdelt:merged").is_some_and(|m| m.contains("410412439:042")), "{:?}", v.codes);
        assert!(v.title.starts_with("Rwanda visits Kenya"), "{}", v.title);
    }

    #[test]
    fn codes_stay_strings_with_their_leading_zeros_and_both_clocks_are_kept() {
        let loaded = read(&corpus!(CORPUS_FILE), "x", &Nothing);
        let first = loaded.accepted.iter().find(|l| l.proposed.id.as_str() == "gdelt:410412347");
        let Some(first) = first else { panic!("event 410412347 missing") };
        let Some((kind, e)) = domain(first) else { panic!("not a domain event") };
        // 043 with only Actor2 ("GOV PRESIDENT"): no host and visitor pair, so not a Visit.
        assert_eq!(kind, EventKind::Other);
        assert_eq!(e.codes.get("cameo").map(String::as_str), Some("043"));
        assert_eq!(e.codes.get("cameo:root").map(String::as_str), Some("04"));
        assert_eq!(e.codes.get("goldstein").map(String::as_str), Some("2.8"));
        assert_eq!(e.occurred.to_string(), "2014-02-18");
        assert_eq!(first.proposed.recorded_at.map(|t| t.to_string()).as_deref(), Some("2015-02-18T23:00:00Z"));
        let s = &e.sources[0];
        assert_eq!(s.publisher, "www.dailymaverick.co.za");
        assert_eq!(s.title.as_deref(), Some("GDELT event 410412347"));
        assert!(s.url.as_deref().is_some_and(|u| u.starts_with("http://www.dailymaverick.co.za/article/")));
    }

    #[test]
    fn fips_geo_codes_name_places_never_countries() {
        // Row 410412684: Actor1 is "MINSK" coded as the country BLR; the action is geocoded
        // to Belarus as FIPS "BO".
        let loaded = read(&corpus!(CORPUS_FILE), "x", &Nothing);
        let blr = registration(&loaded, "blr").expect("blr registered");
        assert_eq!((blr.kind, blr.name(), blr.iso3.as_deref()), (ActorKind::Country, "Belarus", Some("BLR")));
        assert_eq!(blr.codes.get("cameo").map(String::as_str), Some("BLR"));
        assert!(!blr.codes.contains_key("fips"));
        assert!(registration(&loaded, "bo").is_none());
        let e = loaded.accepted.iter().find(|l| l.proposed.id.as_str() == "gdelt:410412684").and_then(domain);
        let Some((_, e)) = e else { panic!("event 410412684 missing") };
        assert_eq!(e.codes.get("fips").map(String::as_str), Some("BO"));
        assert_eq!(e.codes.get("gdelt:actor1").map(String::as_str), Some("BLR"));
        assert!(e.summary.as_deref().is_some_and(|s| s.contains("MINSK (BLR, country BLR)")), "{:?}", e.summary);
        let place = registration(&loaded, e.places[0].as_str()).expect("place registered");
        assert_eq!(place.kind, ActorKind::Place);
        assert_eq!(place.codes.get("fips").map(String::as_str), Some("BO"));
        assert!(place.country.is_none());
        // No place anywhere sits at 0,0 (12 rows of the file are geocoded there).
        assert!(!loaded.accepted.iter().any(|l| matches!(&l.proposed.event,
            Event::ActorRegistered(r) if r.coordinates.is_some_and(|c| c.lat == 0.0 && c.lon == 0.0))));
    }

    #[test]
    fn rows_without_actor1_are_kept_with_the_actor_they_have() {
        let loaded = read(&corpus!(CORPUS_FILE), "x", &Nothing);
        let e = loaded.accepted.iter().find(|l| l.proposed.id.as_str() == "gdelt:410412348").and_then(domain);
        let Some((kind, e)) = e else { panic!("event 410412348 missing") };
        // 042 "IND MUMBAI" visits nobody GDELT could code: Other, with India as participant.
        assert_eq!(kind, EventKind::Other);
        assert_eq!(e.actors, vec![Participant { actor: ActorId::from("ind"), role: Role::Participant }]);
        let orgs: Vec<&str> = loaded
            .accepted
            .iter()
            .filter_map(|l| match &l.proposed.event {
                Event::ActorRegistered(r) if r.actor.as_str().starts_with("cameo-") => Some(r.actor.as_str()),
                _ => None,
            })
            .collect();
        assert!(orgs.contains(&"cameo-gov") && orgs.contains(&"cameo-ran"), "{orgs:?}");
    }

    #[test]
    fn a_visit_and_its_reciprocal_row_in_a_fixture() {
        let v2 = with(&VISIT, &[("DATEADDED", "20240517000000")]);
        let host = with(
            &v2,
            &[
                ("GLOBALEVENTID", "2"),
                ("EventCode", "043"),
                ("Actor1Code", "BLR"),
                ("Actor1CountryCode", "BLR"),
                ("Actor2Code", "AZEGOV"),
                ("Actor2CountryCode", "AZE"),
            ],
        );
        let other_day = with(&v2, &[("GLOBALEVENTID", "3"), ("SQLDATE", "20240517")]);
        let text =
            [row(Version::V2, &v2, "\t"), row(Version::V2, &host, "\t"), row(Version::V2, &other_day, "\t")].join("\n");
        let loaded = read(text.as_bytes(), "x", &Nothing);
        assert_eq!(messages(&loaded), Vec::<String>::new());
        let visits: Vec<&DomainEvent> = loaded.accepted.iter().filter_map(domain).map(|(_, e)| e).collect();
        assert_eq!(visits.len(), 2, "two days, two visits");
        assert_eq!(visits[0].codes.get("gdelt:merged").map(String::as_str), Some("2:043"));
        assert_eq!(
            (visits[0].visitor.as_ref().map(ActorId::as_str), visits[0].host.as_ref().map(ActorId::as_str)),
            (Some("aze"), Some("blr"))
        );
        assert_eq!(visits[0].title, "Azerbaijan visits Belarus (CAMEO 042)");
        // Rows without a SOURCEURL cite GDELT, each row by its own number.
        assert_eq!(visits[0].sources.len(), 2);
        assert_eq!(visits[0].sources[0].publisher, "GDELT");
    }

    #[test]
    fn the_export_quirks_in_a_fixture() {
        let v2 = with(&VISIT, &[("DATEADDED", "20150218230000"), ("SQLDATE", "20150217")]);
        // 043 with only Actor2, coded by role and no country: not a visit, and a year older
        // than the day it was added (SQLDATE is the event's day, DATEADDED GDELT's clock).
        let only_actor2 = [
            ("GLOBALEVENTID", "11"),
            ("SQLDATE", "20140218"),
            ("Actor2Code", "GOV"),
            ("Actor2Name", "PRESIDENT"),
            ("EventCode", "043"),
            ("EventRootCode", "04"),
            ("GoldsteinScale", "2.8"),
            ("DATEADDED", "20150218230000"),
            ("SOURCEURL", "http://www.example.co.za/article/2015-02-18-a-visit"),
        ];
        // 042 with only Actor1: the actor it has, as a participant.
        let only_actor1 = [
            ("GLOBALEVENTID", "12"),
            ("SQLDATE", "20150217"),
            ("Actor1Code", "IND"),
            ("Actor1Name", "MUMBAI"),
            ("Actor1CountryCode", "IND"),
            ("EventCode", "042"),
            ("DATEADDED", "20150218230000"),
        ];
        // A city coded as its country; the action geocoded with FIPS "BO" (Belarus).
        let fips = [
            ("GLOBALEVENTID", "13"),
            ("SQLDATE", "20150217"),
            ("Actor1Code", "BLR"),
            ("Actor1Name", "MINSK"),
            ("Actor1CountryCode", "BLR"),
            ("EventCode", "010"),
            ("ActionGeo_Type", "4"),
            ("ActionGeo_FullName", "Minsk, Horad Minsk, Belarus"),
            ("ActionGeo_CountryCode", "BO"),
            ("ActionGeo_Lat", "53.9"),
            ("ActionGeo_Long", "27.5667"),
            ("DATEADDED", "20150218230000"),
        ];
        let visit = with(&v2, &[("GLOBALEVENTID", "14")]);
        let again = with(&v2, &[("GLOBALEVENTID", "15")]);
        let text = [&only_actor2[..], &only_actor1, &fips, &visit, &again]
            .iter()
            .map(|set| row(Version::V2, set, "\t"))
            .collect::<Vec<_>>()
            .join("\n");
        let loaded = read(text.as_bytes(), "x", &Nothing);
        assert_eq!(messages(&loaded), Vec::<String>::new());
        assert_eq!(loaded.rejected, 0);
        let notes: Vec<String> = loaded.notes.iter().map(ToString::to_string).collect();
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("): 1;"), "{notes:?}");
        assert!(notes[1].contains("so not a visit: 2;"), "{notes:?}");
        let event = |id: &str| {
            let found = loaded.accepted.iter().find(|l| l.proposed.id.as_str() == id);
            found.unwrap_or_else(|| panic!("{id} missing"))
        };
        // Codes stay strings with their leading zeros; both clocks are kept.
        let first = event("gdelt:11");
        let Some((kind, e)) = domain(first) else { panic!("not a domain event") };
        assert_eq!(kind, EventKind::Other);
        assert_eq!(e.codes.get("cameo").map(String::as_str), Some("043"));
        assert_eq!(e.codes.get("cameo:root").map(String::as_str), Some("04"));
        assert_eq!(e.codes.get("goldstein").map(String::as_str), Some("2.8"));
        assert_eq!(e.occurred.to_string(), "2014-02-18");
        assert_eq!(first.proposed.recorded_at.map(|t| t.to_string()).as_deref(), Some("2015-02-18T23:00:00Z"));
        let s = &e.sources[0];
        assert_eq!(s.publisher, "www.example.co.za");
        assert_eq!(s.title.as_deref(), Some("GDELT event 11"));
        assert!(s.url.as_deref().is_some_and(|u| u.starts_with("http://www.example.co.za/article/")));
        // Actors without a country are organizations by their CAMEO code.
        assert!(registration(&loaded, "cameo-gov").is_some());
        let Some((kind, e)) = domain(event("gdelt:12")) else { panic!("not a domain event") };
        assert_eq!(kind, EventKind::Other);
        assert_eq!(e.actors, vec![Participant { actor: ActorId::from("ind"), role: Role::Participant }]);
        // FIPS geo codes name places, never countries.
        let blr = registration(&loaded, "blr").expect("blr registered");
        assert_eq!((blr.kind, blr.name(), blr.iso3.as_deref()), (ActorKind::Country, "Belarus", Some("BLR")));
        assert_eq!(blr.codes.get("cameo").map(String::as_str), Some("BLR"));
        assert!(!blr.codes.contains_key("fips"));
        assert!(registration(&loaded, "bo").is_none());
        let Some((_, e)) = domain(event("gdelt:13")) else { panic!("not a domain event") };
        assert_eq!(e.codes.get("fips").map(String::as_str), Some("BO"));
        assert_eq!(e.codes.get("gdelt:actor1").map(String::as_str), Some("BLR"));
        assert!(e.summary.as_deref().is_some_and(|s| s.contains("MINSK (BLR, country BLR)")), "{:?}", e.summary);
        let place = registration(&loaded, e.places[0].as_str()).expect("place registered");
        assert_eq!(place.kind, ActorKind::Place);
        assert_eq!(place.codes.get("fips").map(String::as_str), Some("BO"));
        assert!(place.country.is_none());
        // The repeated visit row is merged into the first.
        let Some((kind, e)) = domain(event("gdelt:14")) else { panic!("not a domain event") };
        assert_eq!(kind, EventKind::Visit);
        assert_eq!(e.codes.get("gdelt:merged").map(String::as_str), Some("15:042"));
        assert!(!loaded.accepted.iter().any(|l| l.proposed.id.as_str() == "gdelt:15"));
    }

    #[test]
    fn signings_list_a_described_agreement_and_no_invented_count() {
        let sign = with(&VISIT, &[("EventCode", "057"), ("SOURCEURL", "https://example.org/a")]);
        let loaded =
            read(row(Version::V2, &sign, "\t").replace("20240517", "20240517120000").as_bytes(), "x", &Nothing);
        let (kind, e) = loaded.accepted.iter().find_map(domain).expect("a signing");
        assert_eq!(kind, EventKind::Signing);
        assert_eq!(e.count, None);
        assert_eq!(e.documents.len(), 1);
        assert_eq!(e.documents[0].kind, DocumentKind::Agreement);
        assert!(e.documents[0].title.contains("not named"));
        assert_eq!(e.parties, vec![ActorId::from("aze"), ActorId::from("blr")]);
        assert_eq!(e.sources[0].publisher, "example.org");
    }

    #[test]
    fn kinds_follow_the_cameo_code() {
        for (code, kind) in [
            ("040", EventKind::Talks),
            ("041", EventKind::Call),
            ("044", EventKind::Talks),
            ("046", EventKind::Talks),
            ("057", EventKind::Signing),
            ("010", EventKind::Statement),
            ("0131", EventKind::Statement),
            ("036", EventKind::Other),
            ("190", EventKind::Other),
            ("42", EventKind::Other),
        ] {
            assert_eq!(kind_of(code), kind, "{code}");
        }
        assert_eq!(cameo_label("0874"), "Yield");
    }

    #[test]
    fn gdelt_1_with_58_columns_a_header_row_quotes_and_na() {
        let columns = Version::V1.columns();
        let header = columns.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(",");
        let quoted = |set: &[(&str, &str)]| {
            columns
                .iter()
                .map(|c| set.iter().find(|(k, _)| k == c).map_or("NA".to_owned(), |(_, v)| format!("\"{v}\"")))
                .collect::<Vec<_>>()
                .join(",")
        };
        let zero = with(
            &VISIT,
            &[
                ("GLOBALEVENTID", "7"),
                ("ActionGeo_Lat", "0"),
                ("ActionGeo_Long", "0"),
                ("ActionGeo_FeatureID", "-99"),
                ("ActionGeo_FullName", "Somewhere, \"quoted\""),
            ],
        );
        let text = format!(
            "{header}\r\n{}\r\n{}\r\n",
            quoted(&VISIT),
            quoted(&zero).replace("\"Somewhere, \"quoted\"\"", "\"Somewhere, \"\"quoted\"\"\"")
        );
        let loaded = read(text.as_bytes(), "aug2012.csv", &Nothing);
        assert_eq!(messages(&loaded), Vec::<String>::new());
        let first = loaded.accepted.iter().find(|l| l.proposed.id.as_str() == "gdelt:1").expect("row 1");
        // 1.0's DATEADDED is a day.
        assert_eq!(first.proposed.recorded_at.map(|t| t.to_string()).as_deref(), Some("2024-05-17T00:00:00Z"));
        assert_eq!(first.line, Some(2));
        let place = loaded.accepted.iter().find_map(|l| match &l.proposed.event {
            Event::ActorRegistered(r) if r.names.get("en").is_some_and(|n| n == "Somewhere, \"quoted\"") => Some(r),
            _ => None,
        });
        assert!(place.is_some_and(|p| p.coordinates.is_none()), "0,0 is no position: {place:?}");
    }

    #[test]
    fn gdelt_1_with_57_columns_and_no_header() {
        let text = row(Version::V1NoUrl, &VISIT, "\t");
        assert_eq!(text.split('\t').count(), 57);
        let loaded = read(text.as_bytes(), "x", &Nothing);
        assert_eq!(messages(&loaded), Vec::<String>::new());
        let (_, e) = loaded.accepted.iter().find_map(domain).expect("a visit");
        assert_eq!(e.sources[0].title.as_deref(), Some("GDELT event 1"));
        assert_eq!(e.sources[0].url, None);
    }

    #[test]
    fn every_problem_of_every_row_is_reported() {
        let bad = with(
            &VISIT,
            &[
                ("GLOBALEVENTID", "x1"),
                ("SQLDATE", "20240230"),
                ("EventCode", "42a"),
                ("Actor1CountryCode", "az"),
                ("ActionGeo_Lat", "95"),
            ],
        );
        let text = format!(
            "{}\n{}\n\n{}\nshort\tline\n",
            row(Version::V2, &VISIT, "\t").replace("20240517", "20240517999999"),
            row(Version::V2, &bad, "\t").replace("20240517", "20240517000000"),
            row(Version::V1, &VISIT, "\t"),
        );
        let loaded = read(text.as_bytes(), "x", &Nothing);
        assert_eq!(
            messages(&loaded),
            vec![
                "line 1, record 1, DATEADDED: found \"20240517999999\"; the time of day does not exist",
                "line 2, record 2, GLOBALEVENTID: found \"x1\"; expected the event's number (digits only)",
                "line 2, record 2, SQLDATE: found \"20240230\": day 30 does not exist in 2024-02",
                "line 2, record 2, EventCode: found \"42a\"; expected a CAMEO event code of 2 to 4 digits such as \"042\"",
                "line 2, record 2, Actor1CountryCode: found \"az\"; expected a three-letter CAMEO country code such as \"BLR\"",
                "line 2, record 2, ActionGeo_Lat: found \"95\"; expected a number from -90 to 90",
                "line 4, record 3: has 58 fields; expected 61 like the rest of this GDELT 2.0 (61 columns) file",
                "line 5, record 4: has 2 fields; expected 61 like the rest of this GDELT 2.0 (61 columns) file",
            ]
        );
        assert_eq!(loaded.rejected, 4);
        assert!(loaded.accepted.is_empty());
    }

    #[test]
    fn a_file_of_neither_width_says_which_widths_exist() {
        let loaded = read(b"1\t2\t3\n", "x", &Nothing);
        assert_eq!(
            messages(&loaded),
            vec!["line 1, record 1: has 3 fields; expected 61 (GDELT 2.0), 58 or 57 (GDELT 1.0) TAB-separated fields"]
        );
        let loaded = read(b"GLOBALEVENTID,Foo\n1,2\n", "x", &Nothing);
        assert_eq!(
            messages(&loaded),
            vec!["line 1: the header row lacks SQLDATE, EventCode, DATEADDED; expected the GDELT column names (GLOBALEVENTID, SQLDATE, …)"]
        );
        let loaded = read(b"\xff\xfe\t1\n\"open,2\n", "x", &Nothing);
        assert_eq!(loaded.diagnostics.len(), 2);
        assert_eq!(loaded.rejected, 2);
    }

    #[test]
    fn an_import_into_a_stream_reuses_its_countries() {
        struct Blr;
        impl Known for Blr {
            fn actor_kind(&self, id: &str) -> Option<ActorKind> {
                match id {
                    "blr" => Some(ActorKind::Country),
                    "aze" => Some(ActorKind::Person),
                    _ => None,
                }
            }
            fn event(&self, _: &str) -> Option<annals_core::validate::KnownEvent> {
                None
            }
            fn payload(&self, _: &str) -> Option<serde_json::Value> {
                None
            }
        }
        let loaded = read(row(Version::V1NoUrl, &VISIT, "\t").as_bytes(), "x", &Blr);
        assert_eq!(messages(&loaded), Vec::<String>::new());
        assert!(registration(&loaded, "blr").is_none(), "already in the stream");
        // "aze" is someone else there: the CAMEO country gets an id of its own.
        assert!(registration(&loaded, "cameo-aze").is_some());
    }

    #[test]
    fn detection_knows_the_gdelt_2_export_by_its_width() {
        use crate::{detect, load};
        let bytes = corpus!(CORPUS_FILE);
        assert_eq!(detect(&bytes, "20150218230000.export.CSV"), Some(Format::Gdelt));
        assert_eq!(load(&bytes, "a.csv", None, &Nothing).format, Format::Gdelt);
        // --format wins over detection.
        assert_eq!(load(&bytes, "x", Some(Format::Plover), &Nothing).format, Format::Plover);
    }

    #[test]
    fn detection_knows_gdelt_by_width_and_header() {
        use crate::{detect, load};
        // A 2.0 export row as GDELT writes it: a 14-digit DATEADDED and a SOURCEURL last.
        let v2 = with(&VISIT, &[("DATEADDED", "20240517000000"), ("SOURCEURL", "https://example.org/a")]);
        let v2 = row(Version::V2, &v2, "\t");
        assert_eq!(detect(v2.as_bytes(), "20240517.export.CSV"), Some(Format::Gdelt));
        assert_eq!(load(v2.as_bytes(), "a.csv", None, &Nothing).format, Format::Gdelt);
        assert_eq!(detect(row(Version::V1NoUrl, &VISIT, "\t").as_bytes(), "x"), Some(Format::Gdelt));
        assert_eq!(detect(row(Version::V1, &VISIT, "\t").as_bytes(), "x"), Some(Format::Gdelt));
        assert_eq!(detect(b"\"GLOBALEVENTID\",\"SQLDATE\"\n", "x.csv"), Some(Format::Gdelt));
        assert_eq!(detect(b"GLOBALEVENTID\tSQLDATE\n", "x.tsv"), Some(Format::Gdelt));
        // Other tab-separated text is not GDELT.
        assert_eq!(detect(b"1\t2\t3\n", "x.tsv"), None);
        let wide_words = vec!["a"; 61].join("\t");
        assert_eq!(detect(wide_words.as_bytes(), "x.tsv"), None);
        // --format wins over detection.
        assert_eq!(load(v2.as_bytes(), "x", Some(Format::Plover), &Nothing).format, Format::Plover);
    }

    #[test]
    fn detect_does_not_slice_a_first_line_inside_a_character() {
        // Found by review while fuzzing: the header check cut the first line at byte 13,
        // which panics when byte 13 is inside a multi-byte character.
        assert_eq!(crate::detect("GLOBALEVENTIé\t1".as_bytes(), "x"), None);
        assert_eq!(crate::detect("\"ééééééé".as_bytes(), "x"), None);
        assert_eq!(crate::detect(b"globaleventid,sqldate", "x"), Some(Format::Gdelt));
    }

    #[test]
    fn a_sourceurl_that_is_not_a_link_names_the_outlet_and_gdelt_is_the_publisher() {
        // Early GDELT 1.0 daily files put an outlet's name where the URL belongs.
        let text = row(Version::V1, &with(&VISIT, &[("SOURCEURL", "BBC Monitoring")]), "\t");
        let loaded = read(text.as_bytes(), "x", &Nothing);
        assert_eq!(messages(&loaded), Vec::<String>::new());
        let (_, e) = loaded.accepted.iter().find_map(domain).expect("a visit");
        assert_eq!(e.sources[0].publisher, "GDELT");
        assert_eq!(e.sources[0].title.as_deref(), Some("GDELT event 1, from BBC Monitoring"));
        assert_eq!(e.sources[0].url, None);
    }
}
