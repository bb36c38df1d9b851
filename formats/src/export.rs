//! Writing a record out, for Annals and for other tools.
//!
//! The native formats write the **log** (every envelope, corrections and disputes included),
//! because they are lossless and read back into the same record. Every other format has no
//! place for a correction or a dispute, so it gets the **record as it stands now**: the
//! envelopes are folded through the [`Catalog`], corrections applied, retracted events left
//! out, and the events written in date order (ties by position, so output is deterministic).
//!
//! - `timelinejs-json`: slides, eras and the title slide (the record's introduction), with
//!   each event's medium and rich text. What the TimelineJS reader kept under `timelinejs:`
//!   codes goes back where it came from, so a TimelineJS file survives a trip through Annals.
//!   Every piece of HTML is sanitized on the way out and a background is only a link or a
//!   colour: a file written here is read by other programs. Sources close each slide's text as a paragraph the reader takes back;
//!   TimelineJS has no actors, so those are not written.
//! - `csv`: the Annals CSV template (actor rows, then event rows), which the CSV reader reads
//!   back into the same current record.
//! - `ics`: one all-day `VEVENT` per event (RFC 5545). A year- or month-precision date spans
//!   its whole year or month, since a calendar cannot say "some day in 2009".
//! - `geojson`: events where they happened. Places become points; a visit becomes a line
//!   from the visitor's capital to the host's. Events with no known coordinates are left out
//!   and counted in [`Exported::left_out`].

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};

use annals_core::catalog::{Catalog, Resolved};
use annals_core::date::{civil_from_days, PartialDate};
use annals_core::envelope::{Envelope, Proposed};
use annals_core::event::{ActorKind, ActorRegistration, EventKind, Introduction, Media};
use annals_core::format::native::{write_document, write_ndjson, DocumentInfo};
/// The names of the formats and what writing gives live in core, so the web page can offer
/// them without linking the writers.
pub use annals_core::format::{ExportFormat, Exported};
use annals_core::html::{same_words, Allowed};
use annals_core::id::ActorId;
use annals_core::lang::{same_language, LangText, Origin, Shown};

use crate::csv::{join_list, lang_list, MEDIA_PARTS, SOURCE_PARTS, TEMPLATE_COLUMNS};
use crate::rich;
use crate::timelinejs::{html_escape, is_colour, plain_text, sources_paragraph, CODE_PREFIX, MADE_TITLE};

/// What the record is called, for the formats that carry a name.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportInfo<'a> {
    /// The stream name.
    pub stream: Option<&'a str>,
    /// A title for people.
    pub title: Option<&'a str>,
    /// What the record covers.
    pub description: Option<&'a str>,
    /// What a reader sees first: the text and medium of a TimelineJS title slide.
    pub introduction: Option<&'a Introduction>,
    /// The language to write the record's texts in (`--lang`): each event's title and summary
    /// in that language where the record has them, else in its own. The CSV template writes
    /// its own texts and that language's columns only; the native formats carry every
    /// language and ignore it.
    pub lang: Option<&'a str>,
}

/// Writes envelopes (a stream, in position order) in a format.
pub fn export(envelopes: &[Envelope], format: ExportFormat, info: &ExportInfo<'_>) -> Exported {
    match format {
        ExportFormat::AnnalsNdjson => Exported { text: write_ndjson(envelopes), written: envelopes.len(), left_out: 0 },
        ExportFormat::AnnalsJson => {
            let records: Vec<Proposed> = envelopes
                .iter()
                .map(|e| Proposed { id: e.id.clone(), event: e.event.clone(), recorded_at: Some(e.recorded_at) })
                .collect();
            let doc = DocumentInfo {
                stream: info.stream,
                title: info.title,
                description: info.description,
                introduction: info.introduction,
                titles: None,
                descriptions: None,
            };
            Exported { text: write_document(&doc, &records), written: records.len(), left_out: 0 }
        }
        _ => {
            let mut catalog = Catalog::new();
            for env in envelopes {
                catalog.apply(env);
            }
            let events = in_date_order(&catalog);
            match format {
                ExportFormat::TimelinejsJson => timelinejs(&events, info),
                ExportFormat::Csv => csv(&catalog, &events, info.lang),
                ExportFormat::Ics => ics(&events, info),
                _ => geojson(&catalog, &events),
            }
        }
    }
}

/// Live events by date (ties by position), except that an event part of another comes
/// right after it when the date order would put it first (talks on the first day of a
/// two-day visit): a file read back must never refer forward.
fn in_date_order(catalog: &Catalog) -> Vec<&Arc<Resolved>> {
    let mut sorted: Vec<&Arc<Resolved>> = catalog.events().collect();
    sorted.sort_by(|a, b| a.event.occurred.cmp(&b.event.occurred).then(a.position.cmp(&b.position)));
    let mut out = Vec::with_capacity(sorted.len());
    let mut written = std::collections::HashSet::new();
    let mut waiting: BTreeMap<&str, Vec<&Arc<Resolved>>> = BTreeMap::new();
    for r in sorted {
        let parent = r.event.part_of.as_ref().map(|p| p.as_str());
        match parent {
            Some(p) if !written.contains(p) && catalog.event(p).is_some() => waiting.entry(p).or_default().push(r),
            _ => {
                let mut stack = vec![r];
                while let Some(next) = stack.pop() {
                    written.insert(next.id.as_str());
                    out.push(next);
                    if let Some(children) = waiting.remove(next.id.as_str()) {
                        stack.extend(children.into_iter().rev());
                    }
                }
            }
        }
    }
    // Parts of events never written (a cycle cannot be validated in, but be safe) go last.
    out.extend(waiting.into_values().flatten());
    out
}

fn code<'a>(r: &'a Resolved, key: &str) -> Option<&'a str> {
    r.event.codes.get(&format!("{CODE_PREFIX}{key}")).map(String::as_str).filter(|s| !s.is_empty())
}

// ---------------------------------------------------------------------------------------
// TimelineJS.

/// The HTML to write for a title or summary: the first of the marked-up versions that still
/// says what the current text says (a correction may have changed the text and not them),
/// else the text escaped. Each is sanitized again on the way out: a `timelinejs:` code of an
/// older file was never checked, and a file written here is read by other programs.
fn html_for(current: &str, marked_up: &[Option<&str>], allowed: Allowed) -> String {
    for html in marked_up.iter().flatten() {
        let clean = rich::sanitize(html, allowed);
        if same_words(&plain_text(&clean), current) {
            return clean;
        }
    }
    html_escape(current)
}

/// A TimelineJS file, its fields in the order TimelineJS documents them.
#[derive(Serialize)]
struct TlFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<TlTitle>,
    events: Vec<TlSlide>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    eras: Vec<TlSlide>,
}

#[derive(Serialize)]
struct TlTitle {
    text: TlText,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    media: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    background: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unique_id: Option<String>,
}

#[derive(Serialize)]
struct TlText {
    #[serde(skip_serializing_if = "Option::is_none")]
    headline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
}

#[derive(Serialize)]
struct TlDate {
    year: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    month: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    day: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hour: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    minute: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    second: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_date: Option<String>,
}

#[derive(Serialize)]
struct TlSlide {
    start_date: TlDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_date: Option<TlDate>,
    text: TlText,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    media: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_date: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    background: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    autolink: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unique_id: Option<String>,
}

/// A slide's text: the summary (as the HTML it came with, while that still fits), then the
/// sources, which TimelineJS has no field for.
fn slide_text(r: &Resolved, lang: Option<&str>) -> Option<String> {
    let summary = r.event.summary_for(lang.unwrap_or(r.event.lang())).map(|s| {
        let html = html_for(s.text, &[r.event.summary_html.as_deref(), code(r, "text")], Allowed::Blocks);
        format!("{html}{}", translation_note(s))
    });
    match (summary, sources_paragraph(&r.event.sources)) {
        (Some(text), Some(sources)) => Some(format!("{text}{sources}")),
        (text, sources) => text.or(sources),
    }
}

/// What a reader of an export must be told about a text in another language than the
/// record's own: whose words it is (TimelineJS and iCalendar have no field for it).
fn translation_note(s: Shown<'_>) -> &'static str {
    match s.origin {
        Some(Origin::Translation) => "<p><em>Translated by the record's editors.</em></p>",
        Some(Origin::Source) => "<p><em>The title and text in the source's own words, as published.</em></p>",
        None => "",
    }
}

/// A slide's `media` and `background` objects: the medium's fields (texts escaped, as
/// TimelineJS reads them as HTML) and the `timelinejs:media.*` codes it has no field for, and
/// the background codes that are still a link or a colour.
fn media_and_background(
    media: Option<&Media>,
    codes: &BTreeMap<String, String>,
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let mut out = BTreeMap::new();
    let mut background = BTreeMap::new();
    let quoted = media.is_none() && codes.contains_key(&format!("{CODE_PREFIX}media.quote"));
    if let Some(m) = media {
        out.insert("url".to_owned(), m.url.clone());
        for (key, value) in [("caption", &m.caption), ("credit", &m.credit), ("alt", &m.alt), ("title", &m.title)] {
            if let Some(v) = value {
                out.insert(key.to_owned(), html_escape(v));
            }
        }
        for (key, value) in [("thumbnail", &m.thumbnail), ("link", &m.link)] {
            if let Some(v) = value {
                out.insert(key.to_owned(), v.clone());
            }
        }
    }
    for (key, value) in codes {
        let Some(rest) = key.strip_prefix(CODE_PREFIX) else { continue };
        if let Some(k) = rest.strip_prefix("media.") {
            if k == "quote" {
                // A quotation TimelineJS shows in place of a medium (sanitized when read).
                if media.is_none() {
                    out.insert("url".to_owned(), rich::sanitize(value, Allowed::Blocks));
                }
            } else if (media.is_some() || quoted) && !value.contains(['<', '>', '"']) {
                out.entry(k.to_owned()).or_insert_with(|| value.clone());
            }
        } else if let Some(k) = rest.strip_prefix("background.") {
            let safe = match k {
                "url" => annals_core::validate::check_url(value).is_ok(),
                "color" => is_colour(value),
                _ => !value.contains(['<', '>', '"']),
            };
            if safe {
                background.insert(k.to_owned(), value.clone());
            }
        }
    }
    (out, background)
}

fn tl_date(date: PartialDate, time: Option<&str>, display: Option<&str>) -> TlDate {
    let mut d = TlDate {
        year: date.year_value(),
        month: date.month_value(),
        day: date.day_value(),
        hour: None,
        minute: None,
        second: None,
        display_date: display.map(str::to_owned),
    };
    if let Some(t) = time {
        let parts: Vec<Option<u32>> = t.split(':').map(|p| p.trim().parse().ok()).collect();
        if let [Some(h), Some(m)] | [Some(h), Some(m), _] = parts.as_slice() {
            d.hour = Some(*h);
            d.minute = Some(*m);
            if let [_, _, Some(s)] = parts.as_slice() {
                d.second = Some(*s);
            }
        }
    }
    d
}

fn timelinejs(events: &[&Arc<Resolved>], info: &ExportInfo<'_>) -> Exported {
    let mut file = TlFile { title: None, events: Vec::new(), eras: Vec::new() };
    for r in events {
        let e = &r.event;
        let title = e.title_for(info.lang.unwrap_or(e.lang())).text;
        let start = e.occurred.start();
        let mut slide = TlSlide {
            start_date: tl_date(start, code(r, "start_time"), code(r, "start_date.display_date")),
            end_date: e.occurred.end().map(|end| tl_date(end, code(r, "end_time"), code(r, "end_date.display_date"))),
            text: TlText {
                headline: (code(r, MADE_TITLE) != Some(e.title.as_str()))
                    .then(|| html_for(title, &[e.title_html.as_deref(), code(r, "headline")], Allowed::Inline)),
                text: slide_text(r, info.lang),
            },
            media: BTreeMap::new(),
            group: None,
            display_date: None,
            background: BTreeMap::new(),
            autolink: None,
            unique_id: None,
        };
        if code(r, "type") == Some("era") {
            // An era needs an end; a single date spans itself.
            if slide.end_date.is_none() {
                slide.end_date = Some(tl_date(start, None, None));
            }
            file.eras.push(slide);
            continue;
        }
        (slide.media, slide.background) = media_and_background(e.media.as_ref(), &e.codes);
        // The group the file gave; an Annals event is grouped by its kind (Other is no group).
        slide.group = code(r, "group").or((r.kind != EventKind::Other).then(|| r.kind.label())).map(str::to_owned);
        slide.display_date = code(r, "display_date").map(str::to_owned);
        slide.autolink = (code(r, "autolink") == Some("false")).then_some(false);
        slide.unique_id = Some(code(r, "unique_id").unwrap_or(r.id.as_str()).to_owned());
        file.events.push(slide);
    }
    let title = info.title.or(info.stream);
    let intro = info.introduction;
    let intro_code = |key: &str| intro.and_then(|i| i.codes.get(&format!("{CODE_PREFIX}{key}"))).map(String::as_str);
    if title.is_some() || info.description.is_some() || intro.is_some_and(|i| !i.is_empty()) {
        // The introduction's text is the title slide's; a record without one shows its description.
        let text = match intro.and_then(|i| i.text.as_deref()) {
            Some(t) => Some(html_for(t, &[intro.and_then(|i| i.text_html.as_deref())], Allowed::Blocks)),
            None => info.description.map(html_escape),
        };
        let (media, background) = media_and_background(
            intro.and_then(|i| i.media.as_ref()),
            &intro.map(|i| i.codes.clone()).unwrap_or_default(),
        );
        file.title = Some(TlTitle {
            text: TlText { headline: title.map(|t| html_for(t, &[intro_code("headline")], Allowed::Inline)), text },
            media,
            background,
            unique_id: intro_code("unique_id").map(str::to_owned),
        });
    }
    let written = file.events.len() + file.eras.len();
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
    text.push('\n');
    Exported { text, written, left_out: 0 }
}

// ---------------------------------------------------------------------------------------
// CSV (the Annals template).

fn csv_cell(out: &mut String, value: &str) {
    if value.contains([',', '"', '\n', '\r', ';', '\t']) || value.starts_with(' ') || value.ends_with(' ') {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

fn csv_row(out: &mut String, cells: &[String]) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_cell(out, c);
    }
    out.push_str("\r\n");
}

fn csv(catalog: &Catalog, events: &[&Arc<Resolved>], lang: Option<&str>) -> Exported {
    let actors = catalog.actors();
    let sources_needed = events
        .iter()
        .map(|r| r.event.sources.len())
        .chain(actors.iter().map(|a| a.sources.len()))
        .max()
        .unwrap_or(0)
        .max(1);
    let mut header: Vec<String> = TEMPLATE_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    for n in 1..=sources_needed {
        let prefix = if n == 1 { "source".to_owned() } else { format!("source{n}") };
        header.extend(SOURCE_PARTS.iter().map(|p| format!("{prefix}_{p}")));
    }
    // The texts in other languages (all of them, or `lang`'s): `title@ru`, `summary@az:source`.
    let wanted = |tag: &str| lang.is_none_or(|l| same_language(tag, l));
    let lang_column = |base: &str, tag: &str, t: &LangText| match t.origin {
        Origin::Translation => format!("{base}@{tag}"),
        Origin::Source => format!("{base}@{tag}:source"),
    };
    let mut lang_columns = std::collections::BTreeSet::new();
    for r in events {
        for (base, texts) in [("title", &r.event.titles), ("summary", &r.event.summaries)] {
            lang_columns.extend(texts.iter().filter(|(tag, _)| wanted(tag)).map(|(tag, t)| lang_column(base, tag, t)));
        }
    }
    if events.iter().any(|r| r.event.lang.is_some()) {
        header.push("lang".to_owned());
    }
    header.extend(lang_columns);
    let at = |name: &str| header.iter().position(|h| h == name).unwrap_or(0);
    let source_cells = |cells: &mut Vec<String>, sources: &[annals_core::event::Source]| {
        for (n, s) in sources.iter().enumerate() {
            let prefix = if n == 0 { "source".to_owned() } else { format!("source{}", n + 1) };
            let parts = [
                Some(s.publisher.clone()),
                s.title.clone(),
                s.url.clone(),
                s.date.map(|d| d.to_string()),
                s.author.clone(),
                s.quote.clone(),
                s.partial.clone(),
                s.no_url.clone(),
                Some(lang_list(&s.titles)),
                Some(lang_list(&s.quotes)),
            ];
            for (part, value) in SOURCE_PARTS.iter().zip(parts) {
                cells[at(&format!("{prefix}_{part}"))] = value.unwrap_or_default();
            }
        }
    };
    let codes_cell = |codes: &BTreeMap<String, String>| join_list(codes.iter().map(|(k, v)| format!("{k}={v}")));
    let mut out = String::new();
    csv_row(&mut out, &header);
    for a in &actors {
        let mut cells = vec![String::new(); header.len()];
        cells[at("id")] = format!("actor:{}", a.actor);
        cells[at("type")] = "ActorRegistered".into();
        cells[at("title")] = a.names.get("en").cloned().unwrap_or_default();
        cells[at("actor")] = a.actor.to_string();
        cells[at("kind")] = a.kind.name().into();
        cells[at("names")] = join_list(a.names.iter().filter(|(l, _)| *l != "en").map(|(l, n)| format!("{l}={n}")));
        cells[at("iso3")] = a.iso3.clone().unwrap_or_default();
        cells[at("country")] = a.country.as_ref().map(ToString::to_string).unwrap_or_default();
        cells[at("capital")] = a.capital.as_ref().map(ToString::to_string).unwrap_or_default();
        cells[at("office")] = a.office.clone().unwrap_or_default();
        if let Some(c) = a.coordinates {
            cells[at("lat")] = c.lat.to_string();
            cells[at("lon")] = c.lon.to_string();
        }
        cells[at("members")] = join_list(a.members.iter().map(ActorId::as_str));
        cells[at("codes")] = codes_cell(&a.codes);
        source_cells(&mut cells, &a.sources);
        csv_row(&mut out, &cells);
    }
    for r in events {
        let e = &r.event;
        let mut cells = vec![String::new(); header.len()];
        cells[at("id")] = r.id.to_string();
        cells[at("type")] = r.kind.name().into();
        cells[at("occurred")] = e.occurred.to_string();
        cells[at("title")] = e.title.clone();
        cells[at("summary")] = e.summary.clone().unwrap_or_default();
        if let Some(l) = &e.lang {
            cells[at("lang")] = l.clone();
        }
        for (base, texts) in [("title", &e.titles), ("summary", &e.summaries)] {
            for (tag, t) in texts.iter().filter(|(tag, _)| wanted(tag)) {
                cells[at(&lang_column(base, tag, t))] = t.text.clone();
            }
        }
        let id = |a: &Option<ActorId>| a.as_ref().map(ToString::to_string).unwrap_or_default();
        cells[at("visitor")] = id(&e.visitor);
        cells[at("host")] = id(&e.host);
        cells[at("commission")] = id(&e.commission);
        cells[at("level")] = e.level.map(|l| l.name().to_owned()).unwrap_or_default();
        cells[at("actors")] = join_list(e.actors.iter().map(|p| format!("{}:{}", p.actor, p.role.name())));
        cells[at("places")] = join_list(e.places.iter().map(ActorId::as_str));
        cells[at("parties")] = join_list(e.parties.iter().map(ActorId::as_str));
        cells[at("co_chairs")] = join_list(e.co_chairs.iter().map(ActorId::as_str));
        cells[at("documents")] = join_list(e.documents.iter().map(|d| {
            let kind = serde_json::to_value(d.kind).ok().and_then(|v| v.as_str().map(str::to_owned));
            format!("{}: {}", kind.unwrap_or_else(|| "other".into()), d.title)
        }));
        cells[at("count")] = e.count.map(|n| n.to_string()).unwrap_or_default();
        cells[at("session")] = e.session.map(|n| n.to_string()).unwrap_or_default();
        cells[at("outcomes")] = join_list(&e.outcomes);
        cells[at("part_of")] = e.part_of.as_ref().map(ToString::to_string).unwrap_or_default();
        cells[at("tags")] = join_list(&e.tags);
        cells[at("codes")] = codes_cell(&e.codes);
        cells[at("title_html")] = e.title_html.clone().unwrap_or_default();
        cells[at("summary_html")] = e.summary_html.clone().unwrap_or_default();
        if let Some(m) = &e.media {
            let parts = [
                Some(m.url.clone()),
                m.kind.map(|k| k.name().to_owned()),
                m.caption.clone(),
                m.credit.clone(),
                m.alt.clone(),
                m.licence.clone(),
                m.thumbnail.clone(),
                m.title.clone(),
                m.link.clone(),
            ];
            for (part, value) in MEDIA_PARTS.iter().zip(parts) {
                cells[at(&format!("media_{part}"))] = value.unwrap_or_default();
            }
        }
        source_cells(&mut cells, &e.sources);
        csv_row(&mut out, &cells);
    }
    Exported { text: out, written: events.len(), left_out: 0 }
}

// ---------------------------------------------------------------------------------------
// iCalendar.

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn ics_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Writes one content line folded at 75 octets (§3.1): continuation lines start with a
/// space, and a UTF-8 character is never split.
fn ics_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn ics_date(day: i64) -> Option<String> {
    let (y, m, d) = civil_from_days(day);
    (1..=9999).contains(&y).then(|| format!("{y:04}{m:02}{d:02}"))
}

fn ics(events: &[&Arc<Resolved>], info: &ExportInfo<'_>) -> Exported {
    let mut out = String::new();
    ics_line(&mut out, "BEGIN:VCALENDAR");
    ics_line(&mut out, "VERSION:2.0");
    ics_line(&mut out, "PRODID:-//Annals//Annals export//EN");
    ics_line(&mut out, "CALSCALE:GREGORIAN");
    if let Some(name) = info.title.or(info.stream) {
        ics_line(&mut out, &format!("X-WR-CALNAME:{}", ics_text(name)));
    }
    let (mut written, mut left_out) = (0, 0);
    for r in events {
        let e = &r.event;
        // DTEND is exclusive: the day after the last day the event may mean.
        let (Some(start), Some(end)) = (ics_date(e.occurred.first_day()), ics_date(e.occurred.last_day() + 1)) else {
            left_out += 1;
            continue;
        };
        written += 1;
        ics_line(&mut out, "BEGIN:VEVENT");
        let uid = match info.stream {
            Some(s) => format!("{}@{s}", r.id),
            None => r.id.to_string(),
        };
        ics_line(&mut out, &format!("UID:{}", ics_text(&uid)));
        // DTSTAMP is required; core has no clock, and when the log learned the event is
        // the honest "this information was created" time.
        ics_line(&mut out, &format!("DTSTAMP:{}", ics_stamp(r.recorded_at)));
        ics_line(&mut out, &format!("DTSTART;VALUE=DATE:{start}"));
        ics_line(&mut out, &format!("DTEND;VALUE=DATE:{end}"));
        let want = info.lang.unwrap_or(e.lang());
        let (title, summary) = (e.title_for(want), e.summary_for(want));
        // The language is named when one was asked for (RFC 5545 §3.2.10).
        let param = info.lang.map(|_| format!(";LANGUAGE={}", title.lang)).unwrap_or_default();
        ics_line(&mut out, &format!("SUMMARY{param}:{}", ics_text(title.text)));
        let mut description = String::new();
        if e.occurred.precision() != annals_core::date::Precision::Day {
            let _ = writeln!(description, "Date as the sources give it: {}", e.occurred.label());
        }
        if let Some(s) = summary {
            let _ = writeln!(description, "{}", s.text);
        }
        for (what, s) in [("title", Some(title)), ("summary", summary)] {
            match s.and_then(|s| s.origin) {
                Some(Origin::Translation) => {
                    let _ = writeln!(description, "The {what} is translated by the record's editors.");
                }
                Some(Origin::Source) => {
                    let _ = writeln!(description, "The {what} is in the source's own words, as published.");
                }
                None => {}
            }
        }
        for s in &e.sources {
            let mut line = s.publisher.clone();
            for part in [&s.title, &s.url].into_iter().flatten() {
                line.push_str(" — ");
                line.push_str(part);
            }
            let _ = writeln!(description, "Source: {line}");
        }
        ics_line(&mut out, &format!("DESCRIPTION:{}", ics_text(description.trim_end())));
        ics_line(&mut out, &format!("CATEGORIES:{}", ics_text(r.kind.label())));
        if let Some(url) = e.sources.first().and_then(|s| s.url.as_deref()) {
            if annals_core::validate::check_url(url).is_ok() {
                ics_line(&mut out, &format!("URL:{url}"));
            }
        }
        ics_line(&mut out, "END:VEVENT");
    }
    ics_line(&mut out, "END:VCALENDAR");
    Exported { text: out, written, left_out }
}

fn ics_stamp(t: annals_core::date::Timestamp) -> String {
    let text = t.to_string();
    // 2026-11-30T05:55:23.120Z → 20261130T055523Z
    let (date, time) = text.split_once('T').unwrap_or((&text, "00:00:00Z"));
    let time: String = time.chars().take(8).filter(|c| *c != ':').collect();
    format!("{}T{time}Z", date.replace('-', ""))
}

// ---------------------------------------------------------------------------------------
// GeoJSON.

fn point_of(catalog: &Catalog, id: &str) -> Option<[f64; 2]> {
    catalog.actor(id)?.coordinates.map(|c| [c.lon, c.lat])
}

/// Where an actor's country has its capital: the actor itself if a country, else its
/// `country`; then that country's `capital`, then the capital's coordinates.
fn capital_of(catalog: &Catalog, id: &ActorId) -> Option<[f64; 2]> {
    let actor: &ActorRegistration = catalog.actor(id.as_str())?;
    let country =
        if actor.kind == ActorKind::Country { actor } else { catalog.actor(actor.country.as_ref()?.as_str())? };
    point_of(catalog, country.capital.as_ref()?.as_str())
}

fn geojson(catalog: &Catalog, events: &[&Arc<Resolved>]) -> Exported {
    let mut features = Vec::new();
    let mut left_out = 0;
    for r in events {
        let e = &r.event;
        let line = match (r.kind, &e.visitor, &e.host) {
            (EventKind::Visit, Some(v), Some(h)) => match (capital_of(catalog, v), capital_of(catalog, h)) {
                (Some(a), Some(b)) if a != b => Some(json!({"type": "LineString", "coordinates": [a, b]})),
                _ => None,
            },
            _ => None,
        };
        let points: Vec<[f64; 2]> = e.places.iter().filter_map(|p| point_of(catalog, p.as_str())).collect();
        let geometry = match (line, points.as_slice()) {
            (Some(line), _) => line,
            (None, []) => {
                left_out += 1;
                continue;
            }
            (None, [p]) => json!({"type": "Point", "coordinates": p}),
            (None, many) => json!({"type": "MultiPoint", "coordinates": many}),
        };
        let places: Vec<&str> = e.places.iter().map(|p| catalog.actor_name(p.as_str())).collect();
        let mut properties = json!({
            "id": r.id.as_str(),
            "kind": r.kind.name(),
            "title": e.title,
            "occurred": e.occurred.to_string(),
            "date": e.occurred.label(),
            "places": places,
        });
        if let (Some(v), Some(h), Some(map)) = (&e.visitor, &e.host, properties.as_object_mut()) {
            map.insert("visitor".into(), Value::from(catalog.actor_name(v.as_str())));
            map.insert("host".into(), Value::from(catalog.actor_name(h.as_str())));
        }
        features.push(json!({"type": "Feature", "id": r.id.as_str(), "geometry": geometry, "properties": properties}));
    }
    let written = features.len();
    // `left_out` is a foreign member (RFC 7946 §6.1): readers that do not know it ignore it.
    let collection = json!({"type": "FeatureCollection", "features": features, "left_out": left_out});
    let mut text = serde_json::to_string_pretty(&collection).unwrap_or_default();
    text.push('\n');
    Exported { text, written, left_out }
}
