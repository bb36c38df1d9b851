//! TimelineJS3 files: the JSON format, and the slide model its spreadsheet shares.
//!
//! A TimelineJS timeline is a list of *slides*: a date (or a range), a headline and a text
//! that may hold HTML, media, a group, a background. It has no actors and no sources, so a
//! slide becomes an `Other` domain event (or `Talks`/`Call`/`Statement` when its group names
//! that kind) with its medium in `media`, and every TimelineJS field without an Annals home is
//! kept under `codes` with a `timelinejs:` prefix (`timelinejs:group`,
//! `timelinejs:background.color`, `timelinejs:media.link_target`, …). *Why codes:* they are part of the event,
//! so they survive the log, corrections and the round trip back to TimelineJS, and the
//! validator already accepts any scheme name there.
//!
//! - Eras (labelled spans) are events too, marked `timelinejs:type = era` and tagged
//!   `timelinejs-era`; the writer puts them back into `eras`.
//! - The title slide has no date, so it is not an event: it becomes the record's title and
//!   its [`Introduction`] (text, medium, background), and is written back from them.
//! - HTML is written by anyone, so it goes through the sanitizer ([`crate::rich`]): the plain
//!   text becomes `title`/`summary`, the markup that survives the allow-list
//!   `title_html`/`summary_html`; captions and credits become plain text. The writer uses the
//!   markup only while it still says what the (possibly corrected) title or summary says, and
//!   sanitizes it again.
//! - A medium is linked by an `http(s)` address: any other is a problem of the slide, named
//!   as the file names it (`events[3].media.url`, the sheet's `Media`). A slide with a medium
//!   and no headline is titled from its text or its medium, with a note.
//! - Precision is never invented: a slide with only a year is a year-precision event.
//!   Times of day have no place in an Annals date and are kept as `timelinejs:start_time`.
//! - The event id is the slide's `unique_id` (made into a valid id if needed); otherwise it
//!   is derived from the start date and the headline, so importing the same file twice
//!   gives the same ids (and the second import is idempotent).
//! - TimelineJS has no sources. The writer closes a slide's text with a paragraph that shows
//!   them and carries each field in `data-` attributes ([`sources_paragraph`]); the reader
//!   takes them back from it. Any other slide cites the file itself
//!   ([`crate::import::file_source`]): a media link illustrates a slide rather than vouching
//!   for it.

use annals_core::problem::{Quoted, Said};
use annals_core::says;

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::value::RawValue;
use serde_json::Value;

use crate::import::file_source;
use crate::rich;
use annals_core::date::{Occurred, PartialDate};
use annals_core::embed::escape_html;
use annals_core::envelope::Proposed;
use annals_core::event::{DomainEvent, Event, EventKind, Introduction, Media, MediaKind, Source};
use annals_core::format::{finish, Format, Loaded, Located, Parsed};
use annals_core::html::Allowed;
use annals_core::id::check_event_id;
use annals_core::validate::check_url;
use annals_core::validate::Known;
use annals_core::Problem;

/// The prefix of the `codes` keys that keep TimelineJS fields.
pub const CODE_PREFIX: &str = "timelinejs:";

/// What a slide is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SlideKind {
    /// An ordinary slide.
    Event,
    /// A labelled span on the axis.
    Era,
}

/// One end of a slide's date, as the file gives it (text, not yet checked).
#[derive(Debug, Clone, Default)]
pub(crate) struct DateParts {
    pub year: String,
    pub month: String,
    pub day: String,
    /// The time of day, as given (`"10:30"`), or empty.
    pub time: String,
    /// The date's own display text (`start_date.display_date` in JSON).
    pub display: String,
}

impl DateParts {
    fn is_empty(&self) -> bool {
        [&self.year, &self.month, &self.day, &self.time].iter().all(|s| s.trim().is_empty())
    }
}

/// The names of a slide's fields in the file, for diagnostics: JSON paths or sheet columns.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Part {
    Year(bool),
    Month(bool),
    Day(bool),
    Time(bool),
    Headline,
    UniqueId,
    /// A field of the medium (`url`, `thumbnail`, …).
    Media(&'static str),
    /// A field of the background (`url`, `color`).
    Background(&'static str),
}

/// A slide read from a JSON file or a spreadsheet row, before it is checked.
#[derive(Debug, Clone)]
pub(crate) struct Slide {
    pub line: Option<usize>,
    pub record: usize,
    pub kind: SlideKind,
    pub start: DateParts,
    pub end: DateParts,
    pub headline: String,
    pub text: String,
    /// `codes` to keep, without the prefix: `media.url`, `group`, `background.color`, …
    pub extra: BTreeMap<String, String>,
    pub group: String,
    pub unique_id: String,
    /// Where the slide is in a JSON file (`events[3]`), for diagnostics; empty in a sheet.
    pub path: String,
}

impl Slide {
    pub(crate) fn new(line: Option<usize>, record: usize, kind: SlideKind) -> Self {
        Self {
            line,
            record,
            kind,
            start: DateParts::default(),
            end: DateParts::default(),
            headline: String::new(),
            text: String::new(),
            extra: BTreeMap::new(),
            group: String::new(),
            unique_id: String::new(),
            path: String::new(),
        }
    }
}

/// Turns slides into events: ids, dates, titles, kinds, codes.
pub(crate) struct Converter<'a> {
    pub format: Format,
    pub file_name: &'a str,
    /// How a field is named in this file, for diagnostics.
    pub name_of: fn(Part, &Slide) -> String,
    used_ids: HashSet<String>,
}

impl<'a> Converter<'a> {
    pub(crate) fn new(format: Format, file_name: &'a str, name_of: fn(Part, &Slide) -> String) -> Self {
        Self { format, file_name, name_of, used_ids: HashSet::new() }
    }

    /// Converts one slide; problems go to `parsed.diagnostics` (and the slide is counted as
    /// undecodable), remarks to `parsed.notes`.
    pub(crate) fn convert(&mut self, mut slide: Slide, parsed: &mut Parsed) {
        let mut problems: Vec<Problem> = Vec::new();
        let mut notes: Vec<Problem> = Vec::new();
        let start = self.date(&slide, &slide.start, false, &mut problems);
        let end = self.date(&slide, &slide.end, true, &mut problems);
        let occurred = match (start, end) {
            (Some(s), None) => Some(Occurred::on(s)),
            (Some(s), Some(e)) => match Occurred::between(s, e) {
                Ok(o) => Some(o),
                Err(err) => {
                    problems.push(Problem::new((self.name_of)(Part::Year(true), &slide), err.said()));
                    None
                }
            },
            (None, _) => {
                if slide.start.is_empty() {
                    problems.push(Problem::new(
                        (self.name_of)(Part::Year(false), &slide),
                        says!("is missing; expected the year the event starts (negative for BCE)"),
                    ));
                }
                None
            }
        };
        let headline = rich::read(&slide.headline, Allowed::Inline);
        let (text_html, carried) = take_sources(&slide.text, &mut notes);
        let text = rich::read(&text_html, Allowed::Blocks);
        let summary = text.plain.clone();
        let mut extra = std::mem::take(&mut slide.extra);
        let media = take_media(&mut extra, &|p| (self.name_of)(p, &slide), &mut problems, &mut notes);
        check_background(&extra, &|p| (self.name_of)(p, &slide), &mut problems);
        slide.extra = extra;
        let mut made_title = None;
        let title = if !headline.plain.is_empty() {
            headline.plain.clone()
        } else if let Some((title, from)) = made_from(&summary, media.as_ref()) {
            notes.push(Problem::new(
                (self.name_of)(Part::Headline, &slide),
                says!("is empty; the title is made from {0}", from.carried()),
            ));
            made_title = Some(title.clone());
            title
        } else if let (SlideKind::Era, Some(o)) = (slide.kind, occurred) {
            notes.push(Problem::new(
                (self.name_of)(Part::Headline, &slide),
                says!("is empty; the era is titled by its dates"),
            ));
            made_title = Some(format!("Era {}", o.label()));
            format!("Era {}", o.label())
        } else {
            problems.push(Problem::new(
                (self.name_of)(Part::Headline, &slide),
                says!("is empty and there is no text or medium; expected a headline"),
            ));
            String::new()
        };
        let Some(occurred) = occurred.filter(|_| problems.is_empty()) else {
            parsed.undecodable += 1;
            parsed.diagnostics.extend(problems.into_iter().map(|p| p.at(slide.line, Some(slide.record))));
            return;
        };
        let mut codes: BTreeMap<String, String> = BTreeMap::new();
        for (k, v) in &slide.extra {
            if !v.trim().is_empty() {
                codes.insert(format!("{CODE_PREFIX}{k}"), v.clone());
            }
        }
        if !slide.group.trim().is_empty() {
            codes.insert(format!("{CODE_PREFIX}group"), slide.group.clone());
        }
        if let Some(made) = made_title {
            // The file had no headline: writing it back leaves it out again.
            codes.insert(format!("{CODE_PREFIX}{MADE_TITLE}"), made);
        }
        for (key, parts) in [("start_time", &slide.start), ("end_time", &slide.end)] {
            if !parts.time.trim().is_empty() {
                codes.insert(format!("{CODE_PREFIX}{key}"), parts.time.trim().to_owned());
            }
        }
        for (key, parts) in [("start_date.display_date", &slide.start), ("end_date.display_date", &slide.end)] {
            if !parts.display.trim().is_empty() {
                codes.insert(format!("{CODE_PREFIX}{key}"), parts.display.clone());
            }
        }
        let mut tags = Vec::new();
        if slide.kind == SlideKind::Era {
            codes.insert(format!("{CODE_PREFIX}type"), "era".into());
            tags.push(annals_core::catalog::ERA_TAG.to_owned());
        }
        let id = self.id(&slide, occurred, &title, &mut codes, &mut notes);
        let kind = if slide.kind == SlideKind::Era { EventKind::Other } else { kind_of_group(&slide.group) };
        let mut event = DomainEvent::new(occurred, title);
        event.summary = Some(summary).filter(|s| !s.is_empty());
        event.title_html = headline.html.filter(|_| !headline.plain.is_empty());
        event.summary_html = text.html.filter(|_| event.summary.is_some());
        event.media = media;
        event.sources = if carried.is_empty() { vec![file_source(self.format, self.file_name)] } else { carried };
        event.codes = codes;
        event.tags = tags;
        parsed.notes.extend(notes.into_iter().map(|p| p.at(slide.line, Some(slide.record))));
        parsed.records.push(Located {
            line: slide.line,
            record: slide.record,
            proposed: Proposed::new(id, Event::Domain(kind, std::sync::Arc::new(event))),
        });
    }

    fn date(&self, slide: &Slide, parts: &DateParts, end: bool, problems: &mut Vec<Problem>) -> Option<PartialDate> {
        if parts.is_empty() {
            return None;
        }
        let name = |p: Part| (self.name_of)(p, slide);
        let mut bad = false;
        let mut number = |text: &str, part: Part, what: &str| -> Option<i64> {
            match clean_integer(text) {
                Ok(n) => n,
                Err(()) => {
                    problems.push(Problem::new(
                        name(part),
                        says!("{0} is not a whole number; expected {1}", Quoted(&text), what),
                    ));
                    bad = true;
                    None
                }
            }
        };
        let year = number(&parts.year, Part::Year(end), &says!("a year such as 2024 (negative for BCE)").carried());
        let month = number(&parts.month, Part::Month(end), &says!("a month from 1 to 12").carried());
        let day = number(&parts.day, Part::Day(end), &says!("a day of the month").carried());
        if bad {
            return None;
        }
        let Some(year) = year else {
            problems.push(Problem::new(
                name(Part::Year(end)),
                says!("is missing but a month, day or time is given; expected the year"),
            ));
            return None;
        };
        if day.is_some() && month.is_none() {
            problems.push(Problem::new(
                name(Part::Month(end)),
                says!("is missing but a day is given; expected the month too"),
            ));
            return None;
        }
        if !parts.time.trim().is_empty() && day.is_none() {
            problems.push(Problem::new(
                name(Part::Time(end)),
                says!("is given without a day; expected a full date with a time"),
            ));
            return None;
        }
        let month_u32 = |m: i64| u32::try_from(m).unwrap_or(u32::MAX);
        let result = match (month, day) {
            (None, _) => PartialDate::year(year),
            (Some(m), None) => PartialDate::month(year, month_u32(m)),
            (Some(m), Some(d)) => PartialDate::day(year, month_u32(m), month_u32(d)),
        };
        match result {
            Ok(d) => Some(d),
            Err(e) => {
                let part = match e {
                    annals_core::date::DateError::Month(_) | annals_core::date::DateError::DeepPrecision(_) => {
                        Part::Month(end)
                    }
                    annals_core::date::DateError::Day { .. } => Part::Day(end),
                    _ => Part::Year(end),
                };
                problems.push(Problem::new(name(part), e.said()));
                None
            }
        }
    }

    fn id(
        &mut self,
        slide: &Slide,
        occurred: Occurred,
        title: &str,
        codes: &mut BTreeMap<String, String>,
        notes: &mut Vec<Problem>,
    ) -> String {
        let given = slide.unique_id.trim();
        if !given.is_empty() {
            if check_event_id(given).is_ok() {
                self.used_ids.insert(given.to_owned());
                return given.to_owned();
            }
            let fixed = unique(&mut self.used_ids, id_safe(given));
            codes.insert(format!("{CODE_PREFIX}unique_id"), given.to_owned());
            notes.push(Problem::new(
                (self.name_of)(Part::UniqueId, slide),
                says!(
                    "{0} is not a valid Annals id; the event's id is {1} (the original is kept)",
                    Quoted(&given),
                    Quoted(&fixed)
                ),
            ));
            return fixed;
        }
        let prefix = if slide.kind == SlideKind::Era { "era-" } else { "" };
        unique(&mut self.used_ids, format!("{prefix}{}-{}", occurred.start(), slug_or_hash(title)))
    }
}

/// The kind a TimelineJS group names, when it names one Annals can hold without more facts.
fn kind_of_group(group: &str) -> EventKind {
    let g = group.trim().to_ascii_lowercase();
    let g = g.strip_suffix('s').unwrap_or(&g);
    match g {
        "talk" => EventKind::Talks,
        "call" => EventKind::Call,
        "statement" => EventKind::Statement,
        _ => EventKind::Other,
    }
}

/// The code that keeps the title Annals made for a slide without a headline: while the
/// title is still that, the writer leaves the headline out again.
pub const MADE_TITLE: &str = "headline.made";

/// A title for a slide without a headline: the text's first words, else the medium's caption
/// or title, else what the medium is and where it is; with what it was made from.
fn made_from(summary: &str, media: Option<&Media>) -> Option<(String, Said)> {
    let short = |text: &str| -> String {
        let line = one_line(text.lines().next().unwrap_or(""));
        if line.chars().count() <= 120 {
            return line;
        }
        let cut: String = line.chars().take(120).collect();
        let words = cut.rsplit_once(' ').map_or(cut.as_str(), |(w, _)| w);
        format!("{words}…")
    };
    if !summary.is_empty() {
        return Some((short(summary), says!("the beginning of the text")));
    }
    let media = media?;
    if let Some(caption) = media.caption.as_deref() {
        return Some((short(caption), says!("the medium's caption")));
    }
    if let Some(title) = media.title.as_deref() {
        return Some((short(title), says!("the medium's title")));
    }
    let host = media.url.split("://").nth(1).and_then(|r| r.split(['/', '?', '#']).next()).unwrap_or("");
    let kind = match media.kind() {
        MediaKind::Image => "Image",
        MediaKind::Video => "Video",
        MediaKind::Audio => "Recording",
        MediaKind::Page => "Page",
        MediaKind::Document => "Document",
    };
    Some((format!("{kind} from {host}"), says!("what the medium is and where it is")))
}

/// The TimelineJS media fields that have a field in [`Media`], by their key in a slide's
/// `extra` (`media.url`, …); the others (`media.link_target`) stay codes.
const MEDIA_FIELDS: [(&str, Part); 7] = [
    ("media.url", Part::Media("url")),
    ("media.caption", Part::Media("caption")),
    ("media.credit", Part::Media("credit")),
    ("media.thumbnail", Part::Media("thumbnail")),
    ("media.alt", Part::Media("alt")),
    ("media.title", Part::Media("title")),
    ("media.link", Part::Media("link")),
];

/// Takes a slide's medium out of its `extra`: the address and links must be `http(s)` (a
/// problem otherwise, named as the file names the field), the texts are made plain (TimelineJS
/// allows HTML in a caption or credit: it is sanitized first). Without an address there is no
/// medium, and what was given stays in `extra` (kept as codes).
///
/// TimelineJS also takes HTML in place of an address: a `<blockquote>` (a quotation shown as
/// the medium) is kept, sanitized, as the code `timelinejs:media.quote` and written back; an
/// `<iframe>` (embed code) gives its `src` as the medium's address when that is an `http(s)`
/// link — the frame itself never is read. Both with a note.
pub(crate) fn take_media(
    extra: &mut BTreeMap<String, String>,
    name: &dyn Fn(Part) -> String,
    problems: &mut Vec<Problem>,
    notes: &mut Vec<Problem>,
) -> Option<Media> {
    let mut url = extra.get("media.url").map(|u| u.trim().to_owned()).filter(|u| !u.is_empty())?;
    if url.to_ascii_lowercase().starts_with("<blockquote") {
        extra.remove("media.url");
        extra.insert("media.quote".into(), rich::sanitize(&url, Allowed::Blocks));
        // Its caption and credit stay codes, written back as TimelineJS reads them: as HTML,
        // so as escaped plain text.
        for (key, _) in MEDIA_FIELDS {
            if let Some(v) = extra.get_mut(key) {
                *v = html_escape(&rich::plain(v));
            }
        }
        notes.push(Problem::new(
            name(Part::Media("url")),
            says!("is a quotation written as HTML, not a link; it is kept (sanitized) for TimelineJS, not as a medium"),
        ));
        return None;
    }
    if url.to_ascii_lowercase().starts_with("<iframe") {
        if let Some(src) = frame_source(&url).filter(|s| check_url(s).is_ok()) {
            notes.push(Problem::new(
                name(Part::Media("url")),
                says!("is embed code; its address {0} is the medium (the frame itself is never read)", Quoted(&src)),
            ));
            url = src;
        }
    }
    extra.insert("media.url".into(), url.clone());
    let mut media = Media::new(url);
    for (key, part) in MEDIA_FIELDS {
        let Some(value) = extra.remove(key) else { continue };
        let value = value.trim();
        let Part::Media(field) = part else { continue };
        let link = match field {
            "url" | "thumbnail" | "link" => {
                if value.is_empty() {
                    continue;
                }
                if let Err(message) = check_url(value) {
                    problems.push(Problem::new(
                        name(part),
                        says!("{0} (a medium is linked by its address; embedded HTML is never read)", message),
                    ));
                }
                Some(value.to_owned())
            }
            _ => None,
        };
        let text = || Some(rich::plain(value)).filter(|t| !t.is_empty());
        match field {
            "thumbnail" => media.thumbnail = link,
            "link" => media.link = link,
            "caption" => media.caption = text(),
            "credit" => media.credit = text(),
            "alt" => media.alt = text(),
            "title" => media.title = text(),
            _ => {}
        }
    }
    Some(media)
}

/// The `src` of an `<iframe …>` tag, entities decoded.
fn frame_source(tag: &str) -> Option<String> {
    let end = tag.find('>').unwrap_or(tag.len());
    let attrs = &tag[..end];
    let lower = attrs.to_ascii_lowercase();
    let at = lower.find(" src=")? + " src=".len();
    let rest = &attrs[at..];
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let len = rest[1..].find(quote)?;
    Some(annals_core::html::decode_entities(&rest[1..1 + len]))
}

/// Checks a slide's background: an image by an `http(s)` address, a colour as `#` and hex
/// digits or a colour's name. Both are written back into TimelineJS files, so nothing else
/// (a `javascript:` address, CSS) may pass.
pub(crate) fn check_background(
    extra: &BTreeMap<String, String>,
    name: &dyn Fn(Part) -> String,
    problems: &mut Vec<Problem>,
) {
    if let Some(url) = extra.get("background.url").map(|u| u.trim()).filter(|u| !u.is_empty()) {
        if let Err(message) = check_url(url) {
            problems.push(Problem::new(name(Part::Background("url")), message));
        }
    }
    if let Some(color) = extra.get("background.color").map(|c| c.trim()).filter(|c| !c.is_empty()) {
        if !is_colour(color) {
            problems.push(Problem::new(
                name(Part::Background("color")),
                says!("{0} is not a colour; expected #rgb, #rrggbb or a colour's name such as navy", Quoted(&color)),
            ));
        }
    }
}

/// A colour as TimelineJS takes it and nothing more: `#` and 3, 4, 6 or 8 hex digits, or a
/// name of ASCII letters (`navy`).
pub fn is_colour(text: &str) -> bool {
    match text.strip_prefix('#') {
        Some(hex) => matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit()),
        None => (1..=30).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphabetic()),
    }
}

/// A TimelineJS title slide as a record's title and introduction: the headline is the title
/// (its markup kept as the code `timelinejs:headline`), the text, medium, background and
/// `unique_id` the introduction. Problems with its medium or background leave them out.
pub(crate) fn title_slide(
    mut slide: Slide,
    name: &dyn Fn(Part) -> String,
    diagnostics: &mut Vec<Problem>,
) -> (Option<String>, Option<Introduction>, Vec<Problem>) {
    let headline = rich::read(&slide.headline, Allowed::Inline);
    let text = rich::read(&slide.text, Allowed::Blocks);
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let media = take_media(&mut slide.extra, name, &mut problems, &mut notes);
    let media_problems = problems.len();
    check_background(&slide.extra, name, &mut problems);
    let (media_ok, background_ok) = (media_problems == 0, problems.len() == media_problems);
    let mut intro = Introduction {
        text: Some(text.plain.clone()).filter(|t| !t.is_empty()),
        text_html: text.html.filter(|_| !text.plain.is_empty()),
        texts: Default::default(),
        media: media.filter(|_| media_ok),
        codes: BTreeMap::new(),
    };
    for (k, v) in &slide.extra {
        if !v.trim().is_empty() && (background_ok || !k.starts_with("background.")) {
            intro.codes.insert(format!("{CODE_PREFIX}{k}"), v.clone());
        }
    }
    if let Some(html) = headline.html.filter(|_| !headline.plain.is_empty()) {
        intro.codes.insert(format!("{CODE_PREFIX}headline"), html);
    }
    if !slide.unique_id.trim().is_empty() {
        intro.codes.insert(format!("{CODE_PREFIX}unique_id"), slide.unique_id.trim().to_owned());
    }
    let mut checked = Vec::new();
    annals_core::validate::introduction(&intro, "title", &mut checked);
    if !checked.is_empty() {
        // Too long a text, say: the introduction's parts that fail are left out.
        intro.text_html = None;
        intro.media = None;
        problems.extend(checked);
    }
    diagnostics.extend(problems.into_iter().map(|p| p.at(slide.line, None)));
    let title = Some(headline.plain).filter(|t| !t.is_empty());
    (title, Some(intro).filter(|i| !i.is_empty()), notes.into_iter().map(|p| p.at(slide.line, None)).collect())
}

/// TimelineJS's `clean_integer`: whitespace and thousands commas dropped; empty is `None`.
fn clean_integer(text: &str) -> Result<Option<i64>, ()> {
    let t: String = text.chars().filter(|c| !c.is_whitespace() && *c != ',').collect();
    if t.is_empty() {
        return Ok(None);
    }
    let t = t.strip_prefix('+').unwrap_or(&t);
    t.parse::<i64>().map(Some).map_err(|_| ())
}

/// An id made of the allowed characters: the others become `-`.
fn id_safe(text: &str) -> String {
    let mut out: String =
        text.chars().map(|c| if c.is_ascii_alphanumeric() || "._:/@+-".contains(c) { c } else { '-' }).collect();
    out.truncate(100);
    if out.trim_matches('-').is_empty() {
        format!("slide-{:016x}", fnv(text))
    } else {
        out
    }
}

/// A lowercase ASCII slug of a text, at most 60 characters: `"Last great Roman-Persian War."`
/// → `last-great-roman-persian-war`. Empty when the text has no ASCII letters or digits.
pub(crate) fn slug(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars() {
        let c = fold_latin(c);
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 60 {
            break;
        }
    }
    slug.trim_end_matches('-').to_owned()
}

/// A Latin letter with a diacritic as its base letter (`é` → `e`, `ə` → `e`, `ş` → `s`),
/// so names in Azerbaijani, Turkish and most European languages keep readable slugs.
fn fold_latin(c: char) -> char {
    const FOLDS: [(&str, char); 16] = [
        ("àáâãäåāăąǎ", 'a'),
        ("çćĉċč", 'c'),
        ("ďđ", 'd'),
        ("èéêëēĕėęěəǝ", 'e'),
        ("ĝğġģ", 'g'),
        ("ìíîïĩīĭįı", 'i'),
        ("ķ", 'k'),
        ("ĺļľŀł", 'l'),
        ("ñńņňŉ", 'n'),
        ("òóôõöøōŏő", 'o'),
        ("ŕŗř", 'r'),
        ("śŝşšș", 's'),
        ("ţťțŧ", 't'),
        ("ùúûüũūŭůűų", 'u'),
        ("ýÿŷ", 'y'),
        ("źżž", 'z'),
    ];
    let lower = c.to_lowercase().next().unwrap_or(c);
    if lower.is_ascii() {
        return lower;
    }
    FOLDS.iter().find(|(from, _)| from.contains(lower)).map_or(c, |(_, to)| *to)
}

/// The slug of a title, or a hash when it has none (a Cyrillic headline), so an id
/// derived from it is stable either way.
pub(crate) fn slug_or_hash(title: &str) -> String {
    let s = slug(title);
    if s.is_empty() {
        format!("{:016x}", fnv(title))
    } else {
        s
    }
}

/// FNV-1a, 64 bits: a stable hash (the standard library's is seeded per process).
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn unique(used: &mut HashSet<String>, base: String) -> String {
    let mut id = base.clone();
    let mut n = 2;
    while used.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    used.insert(id.clone());
    id
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub use annals_core::html::plain_text;

/// Plain text as HTML that shows the same text: escaped by core's one HTML escaper
/// (`annals_core::embed::escape_html`), line breaks as `<br>`.
pub fn html_escape(text: &str) -> String {
    escape_html(text).replace('\n', "<br>")
}

/// The class of the paragraph that carries an event's sources through TimelineJS, which has
/// no field for them: people see "Sources: …" under the text, and every field of each source
/// is in `data-` attributes, so reading the file back restores the sources exactly.
const SOURCES_CLASS: &str = "annals-sources";
const SOURCE_CLASS: &str = "annals-source";

/// The paragraph of sources to append to a slide's text; `None` when there is nothing to cite
/// (sources Annals made for an imported file are left out).
pub fn sources_paragraph(sources: &[Source]) -> Option<String> {
    let items: Vec<String> = sources
        .iter()
        .filter(|s| !crate::import::is_file_source(s))
        .map(|s| {
            let mut attrs = format!(" data-publisher=\"{}\"", attr_escape(&s.publisher));
            let date = s.date.map(|d| d.to_string());
            for (name, value) in [
                ("title", s.title.as_deref()),
                ("date", date.as_deref()),
                ("url", s.url.as_deref()),
                ("author", s.author.as_deref()),
                ("quote", s.quote.as_deref()),
                ("partial", s.partial.as_deref()),
                ("no-url", s.no_url.as_deref()),
            ] {
                if let Some(v) = value {
                    attrs.push_str(&format!(" data-{name}=\"{}\"", attr_escape(v)));
                }
            }
            // A source's texts in other languages, as JSON (TimelineJS has no field for them).
            for (name, texts) in [("titles", &s.titles), ("quotes", &s.quotes)] {
                if !texts.is_empty() {
                    let json = serde_json::to_string(texts).unwrap_or_default();
                    attrs.push_str(&format!(" data-{name}=\"{}\"", attr_escape(&json)));
                }
            }
            let mut shown = html_escape(&s.publisher);
            if let Some(t) = &s.title {
                shown.push_str(" — ");
                shown.push_str(&html_escape(t));
            }
            if let Some(url) = s.url.as_deref().filter(|u| check_url(u).is_ok()) {
                shown = format!("<a href=\"{0}\">{1}</a>", attr_escape(url), shown);
            }
            format!("<span class=\"{0}\"{1}>{2}</span>", SOURCE_CLASS, attrs, shown)
        })
        .collect();
    (!items.is_empty()).then(|| format!("<p class=\"{0}\">Sources: {1}</p>", SOURCES_CLASS, items.join("; ")))
}

/// A source's texts in other languages from a `data-titles` or `data-quotes` attribute (JSON);
/// one that cannot be read is left out, and said so.
fn texts_attr(tag: &str, name: &str, notes: &mut Vec<Problem>) -> annals_core::lang::Texts {
    let Some(json) = attr(tag, name) else { return Default::default() };
    let value = serde_json::from_str(&json).unwrap_or_default();
    annals_core::lang::texts_from_value(value).unwrap_or_else(|_| {
        notes.push(Problem::new("text.text", says!("a source's {0} is not texts by language; it is left out", name)));
        Default::default()
    })
}

/// Splits a slide's text into the text proper and the sources its closing
/// [`sources_paragraph`] carries (none when it has no such paragraph).
fn take_sources(html: &str, notes: &mut Vec<Problem>) -> (String, Vec<Source>) {
    let marker = format!("<p class=\"{0}\">", SOURCES_CLASS);
    let Some(start) = html.rfind(&marker) else { return (html.to_owned(), Vec::new()) };
    let inner = &html[start + marker.len()..];
    let Some(end) = inner.find("</p>").filter(|e| inner[e + 4..].trim().is_empty()) else {
        return (html.to_owned(), Vec::new());
    };
    let mut sources = Vec::new();
    let open = format!("<span class=\"{0}\"", SOURCE_CLASS);
    let mut rest = &inner[..end];
    while let Some(i) = rest.find(&open) {
        let Some(close) = rest[i..].find('>') else { break };
        let tag = &rest[i..i + close];
        let date = attr(tag, "data-date");
        let parsed_date = date.as_deref().and_then(|d| d.parse().ok());
        if let (Some(d), None) = (&date, parsed_date) {
            notes.push(Problem::new(
                "text.text",
                says!("a source's date {0} is not a date; it is left out", Quoted(&d)),
            ));
        }
        sources.push(Source {
            publisher: attr(tag, "data-publisher").unwrap_or_default(),
            title: attr(tag, "data-title"),
            date: parsed_date,
            url: attr(tag, "data-url"),
            author: attr(tag, "data-author"),
            quote: attr(tag, "data-quote"),
            partial: attr(tag, "data-partial"),
            no_url: attr(tag, "data-no-url"),
            titles: texts_attr(tag, "data-titles", notes),
            quotes: texts_attr(tag, "data-quotes", notes),
        });
        rest = &rest[i + close..];
    }
    (html[..start].trim_end().to_owned(), sources)
}

/// The value of an attribute written by [`sources_paragraph`], entities decoded.
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let from = tag.find(&key)? + key.len();
    let len = tag[from..].find('"')?;
    Some(annals_core::html::decode_entities(&tag[from..from + len]))
}

/// Text as an attribute value: escaped as everywhere, line breaks as entities.
fn attr_escape(text: &str) -> String {
    escape_html(text).replace('\n', "&#10;")
}

// ---------------------------------------------------------------------------------------
// The JSON reader.

fn json_name(part: Part, slide: &Slide) -> String {
    let (date, end) = match part {
        Part::Year(e) => ("year", e),
        Part::Month(e) => ("month", e),
        Part::Day(e) => ("day", e),
        Part::Time(e) => ("hour", e),
        Part::Headline => return format!("{}.text.headline", json_base(slide)),
        Part::UniqueId => return format!("{}.unique_id", json_base(slide)),
        Part::Media(field) => return format!("{}.media.{field}", json_base(slide)),
        Part::Background(field) => return format!("{}.background.{field}", json_base(slide)),
    };
    format!("{}.{}.{date}", json_base(slide), if end { "end_date" } else { "start_date" })
}

fn json_base(slide: &Slide) -> &str {
    &slide.path
}

/// Reads a TimelineJS3 JSON file; `name` names the file in the events' source.
pub fn read(bytes: &[u8], name: &str, known: &dyn Known) -> Loaded {
    let format = Format::TimelinejsJson;
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t),
        Err(e) => {
            let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
            return failed(
                format,
                Some(line),
                "",
                says!("the file is not UTF-8 (invalid byte at offset {0}); expected UTF-8 text", e.valid_up_to()),
            );
        }
    };
    let top: HashMap<String, &RawValue> = match serde_json::from_str(text) {
        Ok(top) => top,
        Err(e) => {
            let message = Said::from_serde(&e.to_string()).carried();
            return failed(
                format,
                Some(e.line()).filter(|l| *l > 0),
                "",
                says!(
                    "{0} (expected a TimelineJS JSON object: {\"title\": …, \"events\": [...], \"eras\": [...]})",
                    message
                ),
            );
        }
    };
    let lines = LineIndex::new(text);
    let mut parsed = Parsed::default();
    let mut keys: Vec<&String> = top.keys().collect();
    keys.sort();
    for key in keys {
        match key.as_str() {
            "events" | "eras" | "title" => {}
            "scale" => match serde_json::from_str::<Value>(top[key].get()) {
                Ok(Value::String(s)) if s == "human" || s == "cosmological" => {}
                Ok(v) => parsed.notes.push(Problem::new("scale", says!("is {0}; Annals needs no scale: it reads years from {1} to {2} (beyond -9999 to 9999 to the year only)", v, annals_core::date::MIN_YEAR, annals_core::date::MAX_YEAR)).at(Some(lines.line_of(text, top[key].get())), None)),
                Err(_) => {}
            },
            other => parsed.notes.push(Problem::new(other.to_owned(), says!("is not a TimelineJS field Annals reads; ignored")).at(Some(lines.line_of(text, top[key].get())), None)),
        }
    }
    if let Some(raw) = top.get("title") {
        let line = Some(lines.line_of(text, raw.get()));
        match serde_json::from_str::<Value>(raw.get()) {
            Ok(Value::Object(title)) => {
                let mut slide = Slide::new(line, 0, SlideKind::Event);
                slide.path = "title".into();
                let mut notes = Vec::new();
                slide_from_json(&title, &mut slide, "title", &mut notes);
                let dropped: Vec<&str> = title
                    .keys()
                    .map(String::as_str)
                    .filter(|k| matches!(*k, "start_date" | "end_date" | "group" | "display_date" | "autolink"))
                    .collect();
                if !dropped.is_empty() {
                    notes.push(Problem::new(
                        "title",
                        says!(
                            "the title slide becomes the record's title and introduction; its {0} are not kept",
                            dropped.join(", ")
                        ),
                    ));
                }
                parsed.notes.extend(notes.into_iter().map(|p| Problem { line, ..p }));
                let (headline, intro, notes) =
                    title_slide(slide.clone(), &|p| json_name(p, &slide), &mut parsed.diagnostics);
                parsed.title = headline;
                parsed.introduction = intro;
                parsed.notes.extend(notes);
            }
            Ok(Value::Null) => {}
            _ => parsed.diagnostics.push(
                Problem::new("title", says!("is not an object; expected {\"text\": {\"headline\": …, \"text\": …}}"))
                    .at(line, None),
            ),
        }
    }
    let mut converter = Converter::new(format, name, json_name);
    let mut record = 0;
    let mut saw_events = false;
    for (key, kind) in [("events", SlideKind::Event), ("eras", SlideKind::Era)] {
        let Some(raw) = top.get(key) else { continue };
        saw_events |= key == "events";
        let items: Vec<&RawValue> = match serde_json::from_str(raw.get()) {
            Ok(items) => items,
            Err(_) => {
                parsed.diagnostics.push(
                    Problem::new(
                        key,
                        says!("is not an array; expected a list of slides ({0}: [{\"start_date\": …}, …])", key),
                    )
                    .at(Some(lines.line_of(text, raw.get())), None),
                );
                continue;
            }
        };
        for (i, item) in items.iter().enumerate() {
            record += 1;
            let line = Some(lines.line_of(text, item.get()));
            let path = format!("{key}[{i}]");
            match serde_json::from_str::<Value>(item.get()) {
                Ok(Value::Object(map)) => {
                    let mut slide = Slide::new(line, record, kind);
                    slide.path = path.clone();
                    let mut notes = Vec::new();
                    slide_from_json(&map, &mut slide, &path, &mut notes);
                    parsed.notes.extend(notes.into_iter().map(|p| p.at(line, Some(record))));
                    converter.convert(slide, &mut parsed);
                }
                _ => {
                    parsed.undecodable += 1;
                    parsed.diagnostics.push(
                        Problem::new(
                            path,
                            says!("is not an object; expected a slide {\"start_date\": {\"year\": …}, \"text\": {…}}"),
                        )
                        .at(line, Some(record)),
                    );
                }
            }
        }
    }
    if !saw_events {
        parsed
            .diagnostics
            .push(Problem::new("events", says!("is missing; expected the list of slides of a TimelineJS file")));
    }
    finish(format, parsed, known)
}

/// A JSON scalar as text: strings as they are, numbers and booleans written out, null empty.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

fn slide_from_json(map: &serde_json::Map<String, Value>, slide: &mut Slide, path: &str, notes: &mut Vec<Problem>) {
    for (key, value) in map {
        let at = format!("{path}.{key}");
        match key.as_str() {
            "start_date" | "end_date" => {
                let parts = if key == "start_date" { &mut slide.start } else { &mut slide.end };
                date_from_json(value, parts, &at, notes);
            }
            "text" => match value {
                Value::Object(t) => {
                    for (k, v) in t {
                        match k.as_str() {
                            "headline" => slide.headline = scalar(v),
                            "text" => slide.text = scalar(v),
                            _ => notes.push(Problem::new(format!("{at}.{k}"), says!("is not read by Annals; ignored"))),
                        }
                    }
                }
                Value::Null => {}
                other => slide.text = scalar(other),
            },
            "media" | "background" => match value {
                Value::Object(m) => {
                    for (k, v) in m {
                        let s = scalar(v);
                        if v.is_object() || v.is_array() {
                            notes.push(Problem::new(format!("{at}.{k}"), says!("is not text; ignored")));
                        } else if !s.trim().is_empty() {
                            slide.extra.insert(format!("{key}.{k}"), s);
                        }
                    }
                }
                Value::Null => {}
                _ => notes.push(Problem::new(at, says!("is not an object; ignored"))),
            },
            "group" => slide.group = scalar(value),
            "display_date" => {
                let s = scalar(value);
                if !s.trim().is_empty() {
                    slide.extra.insert("display_date".into(), s);
                }
            }
            "unique_id" => slide.unique_id = scalar(value),
            "autolink" => {
                if value == &Value::Bool(false) {
                    slide.extra.insert("autolink".into(), "false".into());
                }
            }
            _ => notes.push(Problem::new(at, says!("is not a TimelineJS field Annals reads; ignored"))),
        }
    }
}

fn date_from_json(value: &Value, parts: &mut DateParts, at: &str, notes: &mut Vec<Problem>) {
    let Value::Object(d) = value else {
        if !value.is_null() {
            notes.push(Problem::new(
                at.to_owned(),
                says!("is not an object; expected {\"year\": …, \"month\": …, \"day\": …}"),
            ));
        }
        return;
    };
    let (mut hour, mut minute, mut second) = (String::new(), String::new(), String::new());
    for (k, v) in d {
        let s = scalar(v);
        match k.as_str() {
            "year" => parts.year = s,
            "month" => parts.month = s,
            "day" => parts.day = s,
            "hour" => hour = s,
            "minute" => minute = s,
            "second" => second = s,
            "display_date" | "display_text" => parts.display = s,
            "millisecond" | "format" | "thumbnail" => {
                if !s.trim().is_empty() {
                    notes.push(Problem::new(format!("{at}.{k}"), says!("has no place in an Annals date; ignored")));
                }
            }
            _ => notes.push(Problem::new(format!("{at}.{k}"), says!("is not a TimelineJS date field; ignored"))),
        }
    }
    if !hour.trim().is_empty() {
        let two = |s: &str| clean_integer(s).ok().flatten().map_or_else(|| s.trim().to_owned(), |n| format!("{n:02}"));
        let mut time = format!("{}:{}", two(&hour), if minute.trim().is_empty() { "00".into() } else { two(&minute) });
        if !second.trim().is_empty() {
            time.push(':');
            time.push_str(&two(&second));
        }
        parts.time = time;
    }
}

fn failed(format: Format, line: Option<usize>, field: &str, message: Said) -> Loaded {
    Loaded::failed(format, Problem::new(field, message).at(line, None))
}

/// Line numbers of positions in a text, by binary search over the line starts.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    /// The 1-based line of a slice borrowed from `text`.
    pub(crate) fn line_of(&self, text: &str, part: &str) -> usize {
        let offset = (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize).min(text.len());
        self.starts.partition_point(|s| *s <= offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_text_reads_back_as_the_same_text() {
        for text in ["a < b & \"c\"", "line one\nline two", "<b>not markup</b>"] {
            assert_eq!(plain_text(&html_escape(text)), text);
        }
    }

    #[test]
    fn ids_are_stable_and_valid() {
        assert_eq!(slug_or_hash("Muhammad Migrates from Mecca to Medina"), "muhammad-migrates-from-mecca-to-medina");
        assert_eq!(slug("Əli Əhmədov, Şuşa, Gəncə, Zürich, Łódź"), "eli-ehmedov-susa-gence-zurich-lodz");
        assert_eq!(slug_or_hash("Визит"), slug_or_hash("Визит"));
        assert_eq!(slug_or_hash("Визит").len(), 16);
        assert!(check_event_id(&id_safe("has spaces & symbols")).is_ok());
        assert!(check_event_id(&id_safe("   ")).is_ok());
    }
}
