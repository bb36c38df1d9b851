//! PLOVER-coded events (JSON array or JSON Lines).
//!
//! PLOVER (the CAMEO successor of the Open Event Data Alliance) codes an event as an event
//! type (`CONSULT`), a mode (how: `visit`, `phone`) and a context (why: `diplomatic`), with
//! actors and recipients given as entity objects whose `code` is a three-letter country code.
//! Two generations of field names exist and both are read:
//!
//! | meaning | older (gold-standard records) | current (PLOVER manual) |
//! |---|---|---|
//! | who acts | `source` | `actor` |
//! | who is acted on | `target` | `recipient` |
//! | the trigger words | `eventText` | `event_text` |
//! | where | `eventLoc` | `event_loc` |
//! | an entity's words | `actorText` | `entity_text` |
//!
//! Decisions, and why:
//! - **Kinds.** `CONSULT` with mode `visit` is a Visit (the manual: "the visitor will always be
//!   coded as the actor and the host will be the recipient"); the older mode `host` (CAMEO 043)
//!   swaps them. `CONSULT` with mode `phone` is a Call; any other `CONSULT` is Talks. `SUPPORT`
//!   whose trigger words say "sign" is a Signing (the manual puts "ratify, sign, or finalize an
//!   agreement" under SUPPORT); `AGREE` never is, since it codes *intent* ("promises to sign",
//!   "invitations for state visits"). Everything else is Other. The PLOVER type, mode and
//!   context are always kept in `codes`.
//! - **Actors are countries** by their entity `code` (the same ISO-like codes as CAMEO), as in
//!   the GDELT reader; the entity's words ("Russian President Boris Yeltsin") stay in the
//!   summary. A code that is not ISO 3166-1 alpha-3 (`IGO`, the old `JAP`) is registered as an
//!   organization named by its code, never guessed into a country.
//! - **Placeholder dates.** The PLOVER gold-standard records date every event `2000-01-01`:
//!   they are coding examples, not a chronology. When every dated record of a file says
//!   `2000-01-01`, the events are kept on that date (Annals needs one) but each is tagged
//!   `placeholder-date`, and the file gets one note saying so, so that no one reads
//!   them as having happened on New Year's Day 2000.
//! - **`DOCUMENT` records** describe the file, not an event: their text becomes the file's
//!   description.
//! - **Sources.** The citation (`cite_info`, or the older `publication`) is the source, with the
//!   coded sentence (`text`) as its quote; a record with neither cites the file.

use annals_core::problem::{Quoted, Said};
use annals_core::says;

use serde_json::{Map, Value};

use crate::countries::{intern_country, slug};
use crate::import::{file_source, Actors};
use annals_core::date::{Occurred, PartialDate};
use annals_core::envelope::Proposed;
use annals_core::event::{
    ActorKind, ActorRegistration, Coordinates, Document, DocumentKind, DomainEvent, Event, EventKind, Participant,
    Role, Source,
};
use annals_core::format::{finish, Format, Loaded, Located, Parsed};
use annals_core::id::{check_event_id, ActorId};
use annals_core::validate::{check_url, Known};
use annals_core::Problem;

/// The PLOVER event types, in the spellings of the README, the 2.0 manual and CAMEO2PLOVER.
pub const EVENT_TYPES: [&str; 21] = [
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "INVESTIGATE",
    "DEMAND",
    "DISAPPROVE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "MOBILIZE",
    "SANCTION",
    "COERCE",
    "ASSAULT",
    "FIGHT",
    "CRIME",
    "REQUEST",
    "ACCUSE",
];

/// The date PLOVER's gold-standard records use when the real date is unknown.
pub const PLACEHOLDER_DATE: &str = "2000-01-01";

/// Keys that mark an object as a PLOVER record (for format detection).
pub const KEYS: [&str; 8] =
    ["event_type", "eventText", "event_text", "recipient", "source", "target", "mode", "context"];

/// Reads PLOVER records: a JSON array of objects, or one object per line.
pub fn read(bytes: &[u8], name: &str, known: &dyn Known) -> Loaded {
    let mut parsed = Parsed::default();
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            parsed.diagnostics.push(file_diag(says!(
                "the file is not UTF-8 (invalid byte at offset {0}); expected UTF-8 text",
                e.valid_up_to()
            )));
            return finish(Format::Plover, parsed, known);
        }
    };
    let items = objects(text, &mut parsed);
    build(items, name, &mut parsed, known);
    finish(Format::Plover, parsed, known)
}

fn file_diag(message: Said) -> Problem {
    Problem::about_file(message)
}

/// One item of the file: where it is and what it holds.
struct Item {
    line: usize,
    record: usize,
    value: Value,
}

/// Splits the file into items, with their lines.
fn objects(text: &str, parsed: &mut Parsed) -> Vec<Item> {
    let body = text.trim_start_matches('\u{feff}');
    let lead = text.len() - body.len();
    let trimmed = body.trim_start();
    if trimmed.starts_with('[') {
        let raws: Vec<&serde_json::value::RawValue> = match serde_json::from_str(body) {
            Ok(r) => r,
            Err(e) => {
                parsed.diagnostics.push(
                    Problem::about_file(says!(
                        "is not a JSON array of PLOVER records: {0}",
                        Said::from_serde(&e.to_string()).carried()
                    ))
                    .at(Some(e.line()), None),
                );
                return Vec::new();
            }
        };
        let base = text.as_ptr() as usize;
        let (mut line, mut scanned) = (1, 0);
        let mut items = Vec::with_capacity(raws.len());
        for (i, raw) in raws.into_iter().enumerate() {
            let offset = (raw.get().as_ptr() as usize).saturating_sub(base).clamp(lead, text.len());
            line += text.as_bytes()[scanned.min(offset)..offset].iter().filter(|b| **b == b'\n').count();
            scanned = offset;
            // A RawValue is valid JSON, so this parse cannot fail; a failure is still reported.
            match serde_json::from_str::<Value>(raw.get()) {
                Ok(value) => items.push(Item { line, record: i + 1, value }),
                Err(e) => {
                    parsed.undecodable += 1;
                    parsed
                        .diagnostics
                        .push(Problem::about_file(Said::from_serde(&e.to_string())).at(Some(line), Some(i + 1)));
                }
            }
        }
        return items;
    }
    let mut items = Vec::new();
    let mut record = 0;
    for (i, l) in text.lines().enumerate() {
        let l = l.trim().trim_start_matches('\u{feff}');
        if l.is_empty() {
            continue;
        }
        record += 1;
        match serde_json::from_str::<Value>(l) {
            Ok(value) => items.push(Item { line: i + 1, record, value }),
            Err(e) => {
                parsed.undecodable += 1;
                parsed.diagnostics.push(
                    Problem::about_file(says!("is not a JSON object: {0}; expected one PLOVER record per line", e))
                        .at(Some(i + 1), Some(record)),
                );
            }
        }
    }
    items
}

/// The first of several spellings of a field that the record has.
fn field<'a>(obj: &'a Map<String, Value>, names: &[&'static str]) -> Option<(&'static str, &'a Value)> {
    names.iter().find_map(|n| obj.get(*n).map(|v| (*n, v)))
}

/// A string field, trimmed; `None` when absent, null or empty.
fn text_of<'a>(obj: &'a Map<String, Value>, names: &[&'static str]) -> Option<&'a str> {
    field(obj, names).and_then(|(_, v)| v.as_str()).map(str::trim).filter(|s| !s.is_empty())
}

/// A field that may be one string or a list of strings (`event`, `mode`, `context`).
fn strings(obj: &Map<String, Value>, names: &[&'static str], problems: &mut Vec<Problem>) -> Vec<String> {
    let Some((name, v)) = field(obj, names) else {
        return Vec::new();
    };
    match v {
        Value::Null => Vec::new(),
        Value::String(s) => s.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        Value::Array(items) => {
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item.as_str() {
                    Some(s) if !s.trim().is_empty() => out.push(s.trim().to_owned()),
                    Some(_) => {}
                    None => {
                        problems.push(Problem::new(format!("{name}[{i}]"), says!("found {0}; expected a string", item)))
                    }
                }
            }
            out
        }
        other => {
            problems.push(Problem::new(name, says!("found {0}; expected a string or a list of strings", other)));
            Vec::new()
        }
    }
}

/// An entity (actor or recipient) as the record gives it.
#[derive(Debug, Clone)]
struct Entity {
    code: Option<String>,
    text: Option<String>,
}

/// A list of entities; `""` and `null` mean none.
fn entities(obj: &Map<String, Value>, names: &[&'static str], problems: &mut Vec<Problem>) -> Vec<Entity> {
    let Some((name, v)) = field(obj, names) else {
        return Vec::new();
    };
    let list = match v {
        Value::Null => return Vec::new(),
        Value::String(s) if s.trim().is_empty() => return Vec::new(),
        Value::Array(items) => items.as_slice(),
        Value::Object(_) => std::slice::from_ref(v),
        other => {
            problems.push(Problem::new(
                name.to_owned(),
                says!("found {0}; expected a list of entities such as [{\"code\": \"USA\"}]", other),
            ));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let path = if matches!(v, Value::Array(_)) { format!("{name}[{i}]") } else { name.to_owned() };
        let Some(o) = item.as_object() else {
            problems.push(Problem::new(
                path,
                says!("found {0}; expected an entity object such as {\"code\": \"USA\"}", item),
            ));
            continue;
        };
        let code = text_of(o, &["code"]).map(str::to_owned);
        if let Some(c) = &code {
            if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                problems.push(Problem::new(
                    format!("{path}.code"),
                    says!("found {0}; expected a three-letter code such as \"USA\"", Quoted(&c)),
                ));
                continue;
            }
        }
        let text = text_of(o, &["entity_text", "actorText", "actor_text"]).map(str::to_owned);
        if code.is_none() && text.is_none() {
            problems.push(Problem::new(path, says!("has neither a code nor a text; expected at least \"code\"")));
            continue;
        }
        out.push(Entity { code, text });
    }
    out
}

/// A record that decoded: everything the event needs, actors not yet interned.
struct Record {
    line: usize,
    record: usize,
    id: String,
    date: PartialDate,
    end: Option<PartialDate>,
    types: Vec<String>,
    modes: Vec<String>,
    contexts: Vec<String>,
    actors: Vec<Entity>,
    recipients: Vec<Entity>,
    event_text: Option<String>,
    sentence: Option<String>,
    place: Option<(String, Option<String>, Option<Coordinates>)>,
    cite: Option<Source>,
}

/// Decodes one item; `None` (with problems) when it cannot become an event, `Some(Err)` for
/// a `DOCUMENT` record's description.
fn decode(item: &Item, problems: &mut Vec<Problem>) -> Option<Result<Record, String>> {
    let Some(obj) = item.value.as_object() else {
        problems.push(Problem::new(
            String::new(),
            says!("found {0}; expected a PLOVER record (a JSON object)", kind_of_json(&item.value)),
        ));
        return None;
    };
    let types: Vec<String> =
        strings(obj, &["event", "event_type"], problems).into_iter().map(|t| t.to_ascii_uppercase()).collect();
    if types.first().is_some_and(|t| t == "DOCUMENT") {
        let words = ["eventText", "event_text", "comment", "license", "copyright"]
            .iter()
            .filter_map(|k| text_of(obj, &[k]))
            .collect::<Vec<_>>()
            .join(" ");
        return Some(Err(words));
    }
    let id = match text_of(obj, &["id"]) {
        Some(id) => match check_event_id(&format!("plover:{id}")) {
            Ok(()) => Some(id.to_owned()),
            Err(msg) => {
                problems.push(Problem::new("id", msg));
                None
            }
        },
        None => {
            problems.push(Problem::new("id", says!("is missing; expected the record's id")));
            None
        }
    };
    let date = |names: &[&'static str], required: bool, problems: &mut Vec<Problem>| match field(obj, names) {
        Some((_, Value::String(s))) => match s.trim().parse::<PartialDate>() {
            Ok(d) => Some(d),
            Err(e) => {
                problems.push(Problem::new(names[0].to_owned(), e.said()));
                None
            }
        },
        None | Some((_, Value::Null)) if !required => None,
        None | Some((_, Value::Null)) => {
            problems
                .push(Problem::new(names[0].to_owned(), says!("is missing; expected the event's date as YYYY-MM-DD")));
            None
        }
        Some((name, other)) => {
            problems.push(Problem::new(
                name.to_owned(),
                says!("found {0}; expected a date string such as \"2016-07-24\"", other),
            ));
            None
        }
    };
    let start = date(&["date"], true, problems);
    let end = date(&["enddate", "end_date"], false, problems);
    match types.first() {
        None => {
            problems.push(Problem::new("event", says!("is missing; expected a PLOVER event type such as \"CONSULT\"")))
        }
        Some(t) if !EVENT_TYPES.contains(&t.as_str()) => problems.push(Problem::new(
            "event",
            says!("found {0}; expected a PLOVER event type ({1})", Quoted(&t), EVENT_TYPES.join(", ")),
        )),
        Some(_) => {}
    }
    let modes = strings(obj, &["mode"], problems);
    let contexts = strings(obj, &["context"], problems);
    let actors = entities(obj, &["actor", "source"], problems);
    let recipients = entities(obj, &["recipient", "target"], problems);
    let place = field(obj, &["event_loc", "eventLoc"]).and_then(|(_, v)| v.as_object()).and_then(|loc| {
        let name = text_of(loc, &["name", "resolved_place", "extracted_place"])?.to_owned();
        let cc = text_of(loc, &["country_code", "country code"]).map(str::to_owned);
        let lat = loc.get("lat").and_then(Value::as_f64);
        let lon = loc.get("lon").and_then(Value::as_f64);
        let coordinates = match (lat, lon) {
            (Some(lat), Some(lon))
                if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) && !(lat == 0.0 && lon == 0.0) =>
            {
                Some(Coordinates { lat, lon })
            }
            _ => None,
        };
        Some((name, cc, coordinates))
    });
    let cite = citation(obj, id.as_deref().unwrap_or("?"));
    let occurred_ok = match (start, end) {
        (Some(s), Some(e)) => match Occurred::between(s, e) {
            Ok(_) => true,
            Err(err) => {
                problems.push(Problem::new("enddate", err.said()));
                false
            }
        },
        _ => true,
    };
    if !problems.is_empty() || !occurred_ok {
        return None;
    }
    Some(Ok(Record {
        line: item.line,
        record: item.record,
        id: id?,
        date: start?,
        end,
        types,
        modes,
        contexts,
        actors,
        recipients,
        event_text: text_of(obj, &["event_text", "eventText"]).map(str::to_owned),
        sentence: text_of(obj, &["text"]).map(str::to_owned),
        place,
        cite,
    }))
}

fn kind_of_json(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The record's citation: `cite_info` (current) or `publication` (older), with the coded
/// sentence as the quote.
fn citation(obj: &Map<String, Value>, id: &str) -> Option<Source> {
    let info = field(obj, &["cite_info", "citeInfo"]).and_then(|(_, v)| v.as_object());
    let from_info = |k: &'static str| info.and_then(|i| text_of(i, &[k])).map(str::to_owned);
    let publisher = from_info("publication")
        .or_else(|| from_info("corpus"))
        .or_else(|| text_of(obj, &["publication"]).map(str::to_owned))?;
    let url = from_info("url").filter(|u| check_url(u).is_ok());
    Some(Source {
        publisher,
        title: Some(from_info("title").unwrap_or_else(|| format!("PLOVER record {0}", id))),
        url,
        quote: text_of(obj, &["text"]).map(str::to_owned),
        ..Source::default()
    })
}

/// What Annals kind a record is, and who visits whom for a visit.
fn kind(
    r: &Record,
    first_actor: Option<&ActorId>,
    first_recipient: Option<&ActorId>,
) -> (EventKind, Option<(ActorId, ActorId)>) {
    let t = r.types.first().map_or("", String::as_str);
    let has_mode = |m: &str| r.modes.iter().any(|x| x.eq_ignore_ascii_case(m));
    match t {
        "CONSULT" if has_mode("visit") || has_mode("host") => {
            let pair = match (first_actor, first_recipient) {
                (Some(a), Some(b)) if a != b => {
                    Some(if has_mode("host") { (b.clone(), a.clone()) } else { (a.clone(), b.clone()) })
                }
                _ => None,
            };
            match pair {
                Some(p) => (EventKind::Visit, Some(p)),
                None => (EventKind::Talks, None),
            }
        }
        "CONSULT" if has_mode("phone") => (EventKind::Call, None),
        "CONSULT" => (EventKind::Talks, None),
        "SUPPORT" if r.event_text.as_deref().is_some_and(says_signed) => (EventKind::Signing, None),
        _ => (EventKind::Other, None),
    }
}

/// True when trigger words say something was signed ("signed treaty", "signing").
fn says_signed(words: &str) -> bool {
    words.split(|c: char| !c.is_alphanumeric()).any(|w| {
        let w = w.to_lowercase();
        w == "sign" || w == "signs" || w == "signed" || w == "signing"
    })
}

/// The kind of document trigger words name, for a described (untitled) document.
fn document_kind(words: &str) -> (DocumentKind, &'static str) {
    let w = words.to_lowercase();
    for (needle, kind, noun) in [
        ("treaty", DocumentKind::Treaty, "A treaty"),
        ("protocol", DocumentKind::Protocol, "A protocol"),
        ("memorand", DocumentKind::Memorandum, "A memorandum"),
        ("declaration", DocumentKind::Declaration, "A declaration"),
        ("agreement", DocumentKind::Agreement, "An agreement"),
    ] {
        if w.contains(needle) {
            return (kind, noun);
        }
    }
    (DocumentKind::Other, "A document")
}

/// Turns decoded records into events, actors first.
fn build(items: Vec<Item>, name: &str, parsed: &mut Parsed, known: &dyn Known) {
    let mut records = Vec::new();
    let mut descriptions = Vec::new();
    for item in &items {
        let mut problems = Vec::new();
        match decode(item, &mut problems) {
            Some(Ok(r)) => records.push(r),
            Some(Err(words)) => descriptions.push(words),
            None => {
                parsed.undecodable += 1;
                if problems.is_empty() {
                    problems.push(Problem::new(String::new(), says!("could not be read as a PLOVER record")));
                }
                parsed.diagnostics.extend(problems.into_iter().map(|p| p.at(Some(item.line), Some(item.record))));
            }
        }
    }
    if !descriptions.is_empty() {
        parsed.description = Some(descriptions.join(" "));
    }
    let placeholder =
        !records.is_empty() && records.iter().all(|r| r.date.to_string() == PLACEHOLDER_DATE && r.end.is_none());
    if placeholder {
        // Not an error (the records are what they are), but no one may miss it: a note.
        parsed.notes.push(Problem::new("date".to_owned(), says!("every record is dated {0}, the placeholder PLOVER's example records use for an unknown date; \
                 the events are kept on that date but tagged \"placeholder-date\": do not read them as having happened then", PLACEHOLDER_DATE)));
    }
    let mut actors = Actors::default();
    for r in records {
        let mut intern = |e: &Entity| entity_actor(e, &mut actors, known);
        let acting: Vec<(ActorId, &Entity)> = r.actors.iter().filter_map(|e| intern(e).map(|id| (id, e))).collect();
        let acted: Vec<(ActorId, &Entity)> = r.recipients.iter().filter_map(|e| intern(e).map(|id| (id, e))).collect();
        let place = r.place.as_ref().and_then(|p| place_actor(p, &mut actors, known));
        actors.flush(&mut parsed.records, Some(r.line), r.record);
        let (kind, pair) = kind(&r, acting.first().map(|a| &a.0), acted.first().map(|a| &a.0));
        let label = label(&r);
        let names = |list: &[(ActorId, &Entity)]| {
            let mut out: Vec<String> = Vec::new();
            for (id, e) in list {
                let n = display_name(id, e);
                if !out.contains(&n) {
                    out.push(n);
                }
            }
            out.join(", ")
        };
        let title = match &pair {
            Some((v, h)) => {
                let find = |id: &ActorId| {
                    acting
                        .iter()
                        .chain(&acted)
                        .find(|(a, _)| a == id)
                        .map_or(id.to_string(), |(a, e)| display_name(a, e))
                };
                format!("{0} visits {1} (PLOVER {2})", find(v), find(h), label)
            }
            None => match (names(&acting), names(&acted)) {
                (a, b) if a.is_empty() && b.is_empty() => format!("PLOVER {label}"),
                (a, b) if b.is_empty() => format!("{0}: PLOVER {1}", a, label),
                (a, b) if a.is_empty() => format!("PLOVER {0} towards {1}", label, b),
                (a, b) => format!("{0} – {1}: PLOVER {2}", a, b, label),
            },
        };
        let occurred = match r.end {
            Some(end) => Occurred::between(r.date, end).unwrap_or(Occurred::on(r.date)),
            None => Occurred::on(r.date),
        };
        let mut event = DomainEvent::new(occurred, title);
        event.summary = Some(summary(&r));
        event.sources.push(r.cite.clone().unwrap_or_else(|| {
            let mut s = file_source(Format::Plover, name);
            s.quote = r.sentence.clone();
            s
        }));
        event.codes.insert("plover:event".to_owned(), r.types.join(","));
        if !r.modes.is_empty() {
            event.codes.insert("plover:mode".to_owned(), r.modes.join(","));
        }
        if !r.contexts.is_empty() {
            event.codes.insert("plover:context".to_owned(), r.contexts.join(","));
        }
        event.codes.insert("plover:id".to_owned(), r.id.clone());
        if placeholder {
            event.tags.push("placeholder-date".to_owned());
        }
        if let Some(p) = place {
            event.places.push(p);
        }
        let everyone = || acting.iter().chain(&acted).map(|(id, _)| id.clone());
        match (kind, pair) {
            (EventKind::Visit, Some((visitor, host))) => {
                for id in everyone() {
                    if id != visitor && id != host && !event.actors.iter().any(|p| p.actor == id) {
                        // Other recipients of a host: they visit too.
                        let role = if acted.iter().any(|(a, _)| *a == id) == acted.iter().any(|(a, _)| *a == visitor) {
                            Role::Visitor
                        } else {
                            Role::Participant
                        };
                        event.actors.push(Participant { actor: id, role });
                    }
                }
                event.visitor = Some(visitor);
                event.host = Some(host);
            }
            (EventKind::Signing, _) => {
                for id in everyone() {
                    if !event.parties.contains(&id) {
                        event.parties.push(id);
                    }
                }
                let (doc_kind, noun) = document_kind(r.event_text.as_deref().unwrap_or_default());
                event
                    .documents
                    .push(Document { title: format!("{0} (not named in the PLOVER record)", noun), kind: doc_kind });
            }
            (k, _) => {
                let (r1, r2) = match k {
                    EventKind::Call => (Role::Caller, Role::Recipient),
                    _ => (Role::Participant, Role::Participant),
                };
                for (id, role) in
                    acting.iter().map(|a| (a.0.clone(), r1)).chain(acted.iter().map(|a| (a.0.clone(), r2)))
                {
                    if !event.actors.iter().any(|p| p.actor == id) {
                        event.actors.push(Participant { actor: id, role });
                    }
                }
            }
        }
        parsed.records.push(Located {
            line: Some(r.line),
            record: r.record,
            proposed: Proposed::new(format!("plover:{}", r.id), Event::Domain(kind, std::sync::Arc::new(event))),
        });
    }
}

/// `CONSULT (visit, diplomatic)`.
fn label(r: &Record) -> String {
    let t = r.types.join("/");
    let detail: Vec<&str> = r.modes.iter().chain(&r.contexts).map(String::as_str).collect();
    if detail.is_empty() {
        t
    } else {
        format!("{t} ({})", detail.join(", "))
    }
}

fn display_name(id: &ActorId, e: &Entity) -> String {
    match e.code.as_deref().and_then(crate::countries::iso3_name) {
        Some(n) => n.to_owned(),
        None => e.text.clone().or_else(|| e.code.clone()).unwrap_or_else(|| id.to_string()),
    }
}

fn summary(r: &Record) -> String {
    let mut parts = Vec::new();
    let words = |list: &[Entity]| {
        list.iter()
            .map(|e| match (&e.text, &e.code) {
                (Some(t), Some(c)) => format!("{t} ({c})"),
                (Some(t), None) => t.clone(),
                (None, Some(c)) => c.clone(),
                (None, None) => String::new(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    if !r.actors.is_empty() {
        parts.push(format!("Actor: {0}.", words(&r.actors)));
    }
    if !r.recipients.is_empty() {
        parts.push(format!("Recipient: {0}.", words(&r.recipients)));
    }
    if let Some(t) = &r.event_text {
        parts.push(format!("Coded from the words \"{0}\".", t));
    }
    if let Some((n, _, _)) = &r.place {
        parts.push(format!("Where: {0}.", n));
    }
    parts.join(" ")
}

/// The actor of an entity: its country by code, else an organization by its words.
fn entity_actor(e: &Entity, actors: &mut Actors, known: &dyn Known) -> Option<ActorId> {
    if let Some(code) = &e.code {
        return intern_country(actors, known, code, "plover");
    }
    let text = e.text.as_deref()?;
    let id = format!("plover-{}", slug(text)?);
    let id = id.get(..annals_core::id::MAX_ACTOR_ID).map_or(id.as_str(), |s| s.trim_end_matches('-')).to_owned();
    if known.actor_kind(&id).is_some() {
        return Some(ActorId::from(id));
    }
    Some(actors.intern(&id, |id| ActorRegistration::new(id, ActorKind::Organization, text)))
}

fn place_actor(
    (name, cc, coordinates): &(String, Option<String>, Option<Coordinates>),
    actors: &mut Actors,
    known: &dyn Known,
) -> Option<ActorId> {
    let id = format!("loc-{}", slug(name)?);
    let id = id.get(..annals_core::id::MAX_ACTOR_ID).map_or(id.as_str(), |s| s.trim_end_matches('-')).to_owned();
    match known.actor_kind(&id) {
        Some(ActorKind::Place) => return Some(ActorId::from(id)),
        Some(_) => return None,
        None => {}
    }
    Some(actors.intern(&id, |id| {
        let mut reg = ActorRegistration::new(id, ActorKind::Place, name.clone());
        reg.coordinates = *coordinates;
        if let Some(cc) = cc {
            reg.codes.insert("plover:country_code".to_owned(), cc.clone());
        }
        reg
    }))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use annals_core::validate::Nothing;

    const GOLD: &str = "plover/PLOVER_GSR_CAMEO.json";

    fn messages(loaded: &Loaded) -> Vec<String> {
        loaded.diagnostics.iter().map(ToString::to_string).collect()
    }

    fn event<'a>(loaded: &'a Loaded, id: &str) -> (EventKind, &'a DomainEvent) {
        loaded
            .accepted
            .iter()
            .find_map(|l| match &l.proposed.event {
                Event::Domain(k, e) if l.proposed.id.as_str() == id => Some((*k, e.as_ref())),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{id} not accepted"))
    }

    fn id(e: &Option<ActorId>) -> Option<&str> {
        e.as_ref().map(ActorId::as_str)
    }

    #[test]
    fn the_gold_standard_records_import_with_their_quirks_reported() {
        let loaded = read(&corpus!(GOLD), "PLOVER_GSR_CAMEO.json", &Nothing);
        let placeholder = "file, date: every record is dated 2000-01-01, the placeholder PLOVER's example records use for an unknown date; \
             the events are kept on that date but tagged \"placeholder-date\": do not read them as having happened then";
        assert_eq!(loaded.notes.iter().map(ToString::to_string).collect::<Vec<_>>(), vec![placeholder.to_owned()]);
        assert_eq!(
            messages(&loaded),
            vec![
                // Context written where the recipients belong.
                "line 116, record 8, target: found \"diplomatic\"; expected a list of entities such as [{\"code\": \"USA\"}]".to_owned(),
                "line 4825, record 291, id: \"plover:PLOVER-GSR01-COERCE-0004\" is used twice (also by line 4596, record 278); ids must be unique"
                    .to_owned(),
            ]
        );
        assert_eq!(loaded.rejected, 2);
        // The DOCUMENT record describes the file.
        assert!(loaded.description.as_deref().is_some_and(|d| d.contains("internal documentation")));
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for l in &loaded.accepted {
            *kinds.entry(l.proposed.event.type_name()).or_default() += 1;
        }
        let events: usize = kinds.iter().filter(|(k, _)| **k != "ActorRegistered").map(|(_, n)| n).sum();
        // 323 items: 1 DOCUMENT, 2 rejected, 320 events; counted from the raw JSON apart from this reader.
        assert_eq!(events, 320);
        for (k, n) in [("Visit", 6), ("Talks", 4), ("Call", 1), ("Signing", 2), ("Other", 307)] {
            assert_eq!(kinds.get(k), Some(&n), "{k}");
        }
        let countries = loaded
            .accepted
            .iter()
            .filter(|l| matches!(&l.proposed.event, Event::ActorRegistered(r) if r.kind == ActorKind::Country))
            .count();
        assert_eq!(countries, 106, "distinct ISO codes among the accepted records");
        for l in &loaded.accepted {
            if let Event::Domain(_, e) = &l.proposed.event {
                assert_eq!(e.occurred.to_string(), PLACEHOLDER_DATE);
                assert_eq!(e.tags, vec!["placeholder-date".to_owned()]);
            }
        }
    }

    /// The CONSULT quirks, checked on the corpus and on our fixture alike: `ids` are a visit,
    /// a visit in the older `host` mode (hosted by Russia, with PLOVER's JAP), a host with two
    /// recipients, a visit with no recipient, and a phone consultation.
    fn check_consult(loaded: &Loaded, ids: [&str; 5]) {
        let [visit, hosted, two_recipients, no_recipient, phone] = ids;
        // CONSULT with mode visit: the actor visits the recipient.
        let (k, e) = event(loaded, visit);
        assert_eq!((k, id(&e.visitor), id(&e.host)), (EventKind::Visit, Some("mar"), Some("usa")));
        assert_eq!(e.codes.get("plover:mode").map(String::as_str), Some("visit"));
        assert_eq!(e.codes.get("plover:context").map(String::as_str), Some("diplomatic"));
        assert_eq!(e.title, "Morocco visits United States (PLOVER CONSULT (visit, diplomatic))");
        // The older mode host ("Russian President Boris Yeltsin hosted Japanese Prime Minister"):
        // the actor is the host.
        let (k, e) = event(loaded, hosted);
        assert_eq!((k, id(&e.visitor), id(&e.host)), (EventKind::Visit, Some("jap"), Some("rus")));
        // JAP is PLOVER's code, not ISO's JPN: an organization named by its code, not a guess.
        let jap = loaded.accepted.iter().find_map(|l| match &l.proposed.event {
            Event::ActorRegistered(r) if r.actor.as_str() == "jap" => Some(r),
            _ => None,
        });
        assert!(
            jap.is_some_and(|r| r.kind == ActorKind::Organization && r.iso3.is_none() && r.name() == "PLOVER code JAP")
        );
        // A host with two recipients (Qatar hosts the Emirates and Saudi Arabia): both visit.
        let (_, e) = event(loaded, two_recipients);
        assert_eq!((id(&e.visitor), id(&e.host)), (Some("are"), Some("qat")));
        assert_eq!(e.actors, vec![Participant { actor: ActorId::from("sau"), role: Role::Visitor }]);
        // A visit with no recipient is talks; a phone consultation is a call between callers.
        assert_eq!(event(loaded, no_recipient).0, EventKind::Talks);
        let (k, e) = event(loaded, phone);
        assert_eq!(k, EventKind::Call);
        assert_eq!(e.actors.iter().map(|p| p.role).collect::<Vec<_>>(), vec![Role::Caller, Role::Caller]);
    }

    #[test]
    fn consult_visit_and_the_older_host_mode() {
        let loaded = read(&corpus!(GOLD), "x", &Nothing);
        let ids = ["CONSULT-0001", "CONSULT-0005", "CONSULT-0009", "CONSULT-0011", "CONSULT-0002"];
        check_consult(&loaded, ids.map(|n| format!("plover:PLOVER-GSR01-{n}")).each_ref().map(String::as_str));
    }

    #[test]
    fn support_with_signed_words_is_a_signing_of_a_described_document() {
        let loaded = read(&corpus!(GOLD), "x", &Nothing);
        let (k, e) = event(&loaded, "plover:PLOVER-GSR01-SUPPORT-0011");
        assert_eq!(k, EventKind::Signing);
        assert_eq!(e.count, None);
        assert_eq!(
            e.documents,
            vec![Document { title: "A treaty (not named in the PLOVER record)".into(), kind: DocumentKind::Treaty }]
        );
        assert_eq!(e.parties, vec![ActorId::from("lby"), ActorId::from("bgr")]);
        // Praise is SUPPORT too, but nothing was signed.
        assert_eq!(event(&loaded, "plover:PLOVER-GSR01-SUPPORT-0002").0, EventKind::Other);
        let s = &e.sources[0];
        assert_eq!(s.publisher, "OEDA team from CAMEO 1.1b3 manual");
        assert_eq!(s.title.as_deref(), Some("PLOVER record PLOVER-GSR01-SUPPORT-0011"));
        assert!(s.quote.as_deref().is_some_and(|q| q.contains("Gaddafi")));
    }

    /// Records in the gold standard's shape (older field names, every date 2000-01-01), written
    /// for this test: each quirk the corpus tests above check, on a file of our own.
    const GOLD_SHAPED: &str = r#"[
{"id": "G-DOCUMENT-0001", "event": "DOCUMENT", "eventText": "Coding examples kept as internal documentation of this file", "publication": "Test coders"},
{"id": "G-CONSULT-0001", "date": "2000-01-01", "source": [{"actorText": "Moroccan envoys", "code": "MAR"}], "target": [{"actorText": "the President", "code": "USA"}], "event": "CONSULT", "eventText": "met", "context": "diplomatic", "mode": "visit", "publication": "Test coders"},
{"id": "G-CONSULT-0002", "date": "2000-01-01", "source": [{"actorText": "the Russian President", "code": "RUS"}], "target": [{"actorText": "the Japanese Prime Minister", "code": "JAP"}], "event": "CONSULT", "eventText": "hosted", "mode": "host", "publication": "Test coders"},
{"id": "G-CONSULT-0003", "date": "2000-01-01", "source": [{"code": "QAT"}], "target": [{"code": "ARE"}, {"code": "SAU"}], "event": "CONSULT", "eventText": "mediated between", "mode": "host", "publication": "Test coders"},
{"id": "G-CONSULT-0004", "date": "2000-01-01", "source": [{"code": "FRA"}, {"code": "ROU"}], "event": "CONSULT", "eventText": "held talks", "mode": "visit", "publication": "Test coders"},
{"id": "G-CONSULT-0005", "date": "2000-01-01", "source": [{"code": "USA"}, {"code": "RUS"}], "target": "", "event": "CONSULT", "eventText": "telephoned", "mode": "phone", "publication": "Test coders"},
{"id": "G-SUPPORT-0001", "date": "2000-01-01", "source": [{"actorText": "Colonel Gaddafi", "code": "LBY"}, {"code": "BGR"}], "event": "SUPPORT", "eventText": "signed treaty", "text": "Colonel Gaddafi and the Bulgarian President signed a treaty.", "publication": "Test coders"},
{"id": "G-SUPPORT-0002", "date": "2000-01-01", "source": [{"code": "USA"}], "target": [{"code": "HTI"}], "event": "SUPPORT", "eventText": "praised", "publication": "Test coders"},
{"id": "G-AGREE-0001", "date": "2000-01-01", "source": [{"code": "TUR"}, {"code": "GRC"}], "target": "diplomatic", "event": "AGREE", "publication": "Test coders"},
{"id": "G-SUPPORT-0002", "date": "2000-01-01", "source": [{"code": "USA"}], "event": "SUPPORT", "publication": "Test coders"}
]"#;

    #[test]
    fn gold_standard_quirks_in_a_fixture() {
        let loaded = read(GOLD_SHAPED.as_bytes(), "gold.txt", &Nothing);
        // Every record on 2000-01-01: one note, and each event tagged.
        let notes: Vec<String> = loaded.notes.iter().map(ToString::to_string).collect();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].starts_with("file, date: every record is dated 2000-01-01, the placeholder"), "{notes:?}");
        // Context where the recipients belong, and an id used twice, are refused with their lines.
        assert_eq!(
            messages(&loaded),
            vec![
                "line 10, record 9, target: found \"diplomatic\"; expected a list of entities such as [{\"code\": \"USA\"}]",
                "line 11, record 10, id: \"plover:G-SUPPORT-0002\" is used twice (also by line 9, record 8); ids must be unique",
            ]
        );
        assert_eq!(loaded.rejected, 2);
        // The DOCUMENT record describes the file.
        assert!(loaded.description.as_deref().is_some_and(|d| d.contains("internal documentation")));
        for l in &loaded.accepted {
            if let Event::Domain(_, e) = &l.proposed.event {
                assert_eq!(e.occurred.to_string(), PLACEHOLDER_DATE);
                assert_eq!(e.tags, vec!["placeholder-date".to_owned()]);
            }
        }
        check_consult(
            &loaded,
            [
                "plover:G-CONSULT-0001",
                "plover:G-CONSULT-0002",
                "plover:G-CONSULT-0003",
                "plover:G-CONSULT-0004",
                "plover:G-CONSULT-0005",
            ],
        );
        // SUPPORT with signed words is a signing of a described document; praise is not.
        let (k, e) = event(&loaded, "plover:G-SUPPORT-0001");
        assert_eq!(k, EventKind::Signing);
        assert_eq!(e.count, None);
        assert_eq!(
            e.documents,
            vec![Document { title: "A treaty (not named in the PLOVER record)".into(), kind: DocumentKind::Treaty }]
        );
        assert_eq!(e.parties, vec![ActorId::from("lby"), ActorId::from("bgr")]);
        let s = &e.sources[0];
        assert_eq!(s.publisher, "Test coders");
        assert_eq!(s.title.as_deref(), Some("PLOVER record G-SUPPORT-0001"));
        assert!(s.quote.as_deref().is_some_and(|q| q.contains("Gaddafi")));
        assert_eq!(event(&loaded, "plover:G-SUPPORT-0002").0, EventKind::Other);
    }

    #[test]
    fn current_field_names_as_json_lines() {
        let text = r#"{"id":"PHOXv1-20160724-0042","date":"2016-07-24","actor":[{"code":"AZE","entity_text":"Ilham Aliyev"}],"recipient":[{"code":"BLR"}],"event":["CONSULT"],"mode":["visit"],"context":["diplomatic","economic"],"event_text":"visited","enddate":"2016-07-25","cite_info":{"url":"https://example.org/a","title":"Aliyev in Minsk","publication":"Example News"},"event_loc":{"name":"Minsk","country_code":"BLR","lat":53.9,"lon":27.5667}}

{"id":"PHOXv1-2","date":"2016-07-26","actor":[{"code":"USA"}],"recipient":[{"code":"CAN"}],"event":"CONSULT","mode":"phone"}
"#;
        let loaded = read(text.as_bytes(), "mine.jsonl", &Nothing);
        assert_eq!(messages(&loaded), Vec::<String>::new());
        let (k, e) = event(&loaded, "plover:PHOXv1-20160724-0042");
        assert_eq!((k, id(&e.visitor), id(&e.host)), (EventKind::Visit, Some("aze"), Some("blr")));
        assert_eq!(e.occurred.to_string(), "2016-07-24/2016-07-25");
        assert_eq!(e.codes.get("plover:context").map(String::as_str), Some("diplomatic,economic"));
        assert!(e.tags.is_empty(), "real dates are not placeholders");
        assert!(loaded.notes.is_empty());
        assert_eq!(e.sources[0].publisher, "Example News");
        assert_eq!(e.sources[0].url.as_deref(), Some("https://example.org/a"));
        assert_eq!(e.places, vec![ActorId::from("loc-minsk")]);
        assert!(e.summary.as_deref().is_some_and(|s| s.contains("Ilham Aliyev (AZE)")));
        let (k, e) = event(&loaded, "plover:PHOXv1-2");
        assert_eq!(k, EventKind::Call);
        // No citation: the file is the source.
        assert_eq!(e.sources[0].publisher, "plover file");
        let second =
            loaded.accepted.iter().find(|l| l.proposed.id.as_str() == "plover:PHOXv1-2").map(|l| (l.line, l.record));
        assert_eq!(second, Some((Some(3), 2)));
    }

    #[test]
    fn every_problem_of_every_record_is_reported() {
        let text = r#"[
  {"id": "a b", "date": "2016-02-30", "event": "VISIT", "actor": [{"code": "usa"}, 5], "mode": 7},
  {"date": "2016-01-01", "event": "AGREE", "recipient": "USA", "enddate": "2015-01-01"},
  3,
  {"id": "ok", "date": "2016-01-01", "event": "agree", "actor": {"code": "USA"}}
]"#;
        let loaded = read(text.as_bytes(), "x", &Nothing);
        assert_eq!(
            messages(&loaded),
            vec![
                "line 2, record 1, id: \"plover:a b\" contains ' '; expected only letters, digits and . _ : / @ + -",
                "line 2, record 1, date: day 30 does not exist in 2016-02",
                "line 2, record 1, event: found \"VISIT\"; expected a PLOVER event type (AGREE, CONSULT, SUPPORT, CONCEDE, COOPERATE, AID, RETREAT, INVESTIGATE, DEMAND, DISAPPROVE, REJECT, THREATEN, PROTEST, MOBILIZE, SANCTION, COERCE, ASSAULT, FIGHT, CRIME, REQUEST, ACCUSE)",
                "line 2, record 1, mode: found 7; expected a string or a list of strings",
                "line 2, record 1, actor[0].code: found \"usa\"; expected a three-letter code such as \"USA\"",
                "line 2, record 1, actor[1]: found 5; expected an entity object such as {\"code\": \"USA\"}",
                "line 3, record 2, id: is missing; expected the record's id",
                "line 3, record 2, recipient: found \"USA\"; expected a list of entities such as [{\"code\": \"USA\"}]",
                "line 3, record 2, enddate: range ends (2015-01-01) before it starts (2016-01-01)",
                "line 4, record 3: found a number; expected a PLOVER record (a JSON object)",
            ]
        );
        assert_eq!(loaded.rejected, 3);
        let (k, e) = event(&loaded, "plover:ok");
        assert_eq!(k, EventKind::Other);
        assert_eq!(e.codes.get("plover:event").map(String::as_str), Some("AGREE"));
    }

    #[test]
    fn broken_json_says_where() {
        let loaded = read(b"[{\"id\": 1},\n {", "x", &Nothing);
        assert_eq!(loaded.diagnostics.len(), 1);
        assert_eq!(loaded.diagnostics[0].line, Some(2));
        let loaded = read(b"{\"id\": \"x\"\nnot json\n", "x", &Nothing);
        assert_eq!(loaded.diagnostics.len(), 2);
        assert_eq!(loaded.rejected, 2);
        let loaded = read(b"\xff[]", "x", &Nothing);
        assert_eq!(
            messages(&loaded),
            vec!["file: the file is not UTF-8 (invalid byte at offset 0); expected UTF-8 text"]
        );
    }

    #[test]
    fn detection_knows_the_gold_standard_file() {
        assert_eq!(crate::detect(&corpus!(GOLD), "PLOVER_GSR_CAMEO.txt"), Some(Format::Plover));
    }

    #[test]
    fn detection_knows_plover_by_its_keys() {
        use crate::{detect, load};
        // The gold standard file's shape: a JSON array under a .txt name, with the older field names.
        let gold = br#"[{"id": "X-0001", "date": "2000-01-01", "source": [{"code": "MAR"}], "event": "CONSULT"}]"#;
        assert_eq!(detect(gold, "PLOVER_GSR_CAMEO.txt"), Some(Format::Plover));
        let line = br#"{"id":"a","date":"2016-07-24","actor":[{"code":"USA"}],"event":["CONSULT"]}"#;
        assert_eq!(detect(line, "x.jsonl"), Some(Format::Plover));
        assert_eq!(detect(br#"[{"id": "a", "event_type": "AGREE"}]"#, "x.json"), Some(Format::Plover));
        assert_eq!(load(line, "x.jsonl", None, &Nothing).format, Format::Plover);
        // Annals' own formats stay Annals'.
        assert_eq!(detect(br#"{"id":"x","type":"Call","payload":{}}"#, "x.jsonl"), Some(Format::AnnalsNdjson));
        assert_eq!(detect(br#"{"annals":1,"events":[]}"#, "x.json"), Some(Format::AnnalsJson));
        assert_eq!(detect(b"[1, 2]", "x.json"), None);
        assert_eq!(detect(b"[", "x.json"), None);
    }
}
