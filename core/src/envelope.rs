//! The envelope: what the log stores around each event, and its serialized form.
//!
//! On the wire and on disk an envelope is one JSON object:
//!
//! ```json
//! {"position": 42, "id": "2024-05-16-state-visit", "stream": "azerbaijan-belarus",
//!  "recorded_at": "2026-11-26T10:00:00Z", "type": "Visit", "schema_version": 2,
//!  "payload": {"occurred": "2024-05-16/2024-05-17", "title": "…", …}}
//! ```
//!
//! A *record* (what a writer submits, a line of an NDJSON file or an item of a JSON
//! document) is the same object without `position` and `stream`, and with `recorded_at`
//! and `schema_version` optional.
//!
//! Every payload carries the schema version it was written in. Reading an older version
//! runs it through [`upcast`], a chain of pure functions on JSON, one step per version, so
//! files and stores written by earlier releases keep loading. A version newer than this
//! program knows is refused with a message, never guessed at.

use crate::problem::{Quoted, Said};
use crate::says;

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::date::Timestamp;
use crate::event::{Event, EventKind, EVENT_TYPES};
use crate::id::{EventId, StreamName};
use crate::problem::{decode_json, JsonText, Problem};

/// An event as the log stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// Position in the log: gapless, from 1, in commit order. Assigned by the log.
    pub position: u64,
    /// The writer-chosen id.
    pub id: EventId,
    /// The record (stream) it belongs to.
    pub stream: StreamName,
    /// When the log learned it (given by the caller; core has no clock).
    pub recorded_at: Timestamp,
    /// The event.
    pub event: Event,
}

/// An event proposed for the log: an id and the event, before it has a position.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposed {
    /// The writer-chosen id.
    pub id: EventId,
    /// The event.
    pub event: Event,
    /// When it was recorded, if the writer says (imports of old logs keep theirs).
    pub recorded_at: Option<Timestamp>,
}

impl AsRef<Proposed> for Proposed {
    fn as_ref(&self) -> &Proposed {
        self
    }
}

impl Proposed {
    /// A proposed event without its own recorded time.
    pub fn new(id: impl Into<EventId>, event: Event) -> Self {
        Self { id: id.into(), event, recorded_at: None }
    }
}

/// The schema version this program writes for an event type.
///
/// History:
/// - `Signing` v1 listed `documents` as plain title strings; v2 lists `{"title", "kind"}`
///   objects.
/// - Every domain kind then gained `media`, `title_html` and `summary_html` (`Signing` v3, the
///   other kinds v2): what the TimelineJS reader had kept as `timelinejs:media.*`,
///   `timelinejs:headline` and `timelinejs:text` codes moves into them.
/// - Then record text in several languages ([`crate::lang`]): a domain event's `lang`,
///   `titles` and `summaries`, and every source's `titles` and `quotes` (`Signing` v4, the
///   other kinds v3, and every other type v2, since each cites sources). The step only adds
///   fields, so its upcast changes nothing; it exists so that an older program refuses a
///   newer payload by its version ("not known to this program") instead of tripping over
///   an unknown field.
/// - Then a dispute's note in other languages (`Disputed` v3, `notes`): it too only adds a
///   field.
pub fn current_schema(type_name: &str) -> u32 {
    match type_name {
        "Signing" => 4,
        "Visit" | "CommissionMeeting" | "Talks" | "Call" | "Statement" | "Other" | "Disputed" => 3,
        _ => 2,
    }
}

/// The version a domain kind's step to media starts from (`Signing` v2, the others v1);
/// `None` for the types that are no domain kind.
fn media_step_from(type_name: &str) -> Option<u32> {
    match type_name {
        "Signing" => Some(2),
        other => other.parse::<EventKind>().is_ok().then_some(1),
    }
}

/// Brings a payload written in an older schema version up to the current one.
///
/// Each step is a pure function from version N to N+1; the chain runs until the current
/// version. Errors name the field that could not be upcast.
pub fn upcast(type_name: &str, mut version: u32, mut payload: Value) -> Result<Value, Problem> {
    let current = current_schema(type_name);
    if version == 0 || version > current {
        return Err(Problem::new(
            "schema_version",
            says!(
                "schema_version {0} of {1} is not known to this program (expected 1 to {2})",
                version,
                type_name,
                current
            ),
        ));
    }
    while version < current {
        payload = match (type_name, version) {
            ("Signing", 1) => signing_v1_to_v2(payload)?,
            (t, v) if media_step_from(t) == Some(v) => media_codes_to_fields(payload),
            // The step to languages only adds fields.
            _ => payload,
        };
        version += 1;
    }
    Ok(payload)
}

/// `Signing` v1 → v2: `"documents": ["Title", …]` becomes `[{"title": "Title", "kind": "other"}, …]`.
fn signing_v1_to_v2(mut payload: Value) -> Result<Value, Problem> {
    if let Some(Value::Array(docs)) = payload.get_mut("documents") {
        for (i, doc) in docs.iter_mut().enumerate() {
            match doc {
                Value::String(title) => {
                    let title = std::mem::take(title);
                    *doc = serde_json::json!({"title": title, "kind": "other"});
                }
                Value::Object(_) => {}
                _ => {
                    return Err(Problem::new(
                        format!("payload.documents[{i}]"),
                        says!("expected a document title (string) in schema_version 1"),
                    ))
                }
            }
        }
    }
    Ok(payload)
}

/// The `timelinejs:media.*` codes that became fields of `media`, with the field each became.
const MEDIA_CODES: [(&str, &str); 7] = [
    ("timelinejs:media.url", "url"),
    ("timelinejs:media.caption", "caption"),
    ("timelinejs:media.credit", "credit"),
    ("timelinejs:media.thumbnail", "thumbnail"),
    ("timelinejs:media.alt", "alt"),
    ("timelinejs:media.title", "title"),
    ("timelinejs:media.link", "link"),
];

/// A domain kind's last version without media (`Signing` v2, the others v1) → the next:
/// what the TimelineJS reader kept in `codes` moves into the fields made for it.
///
/// - `timelinejs:media.url` and its companions become `media` (a medium needs its address:
///   without `timelinejs:media.url`, the codes stay codes, as the old writer ignored them);
/// - `timelinejs:headline` and `timelinejs:text`, the original HTML of the title and the
///   summary, become `title_html` and `summary_html` when they keep to the allowed subset
///   ([`crate::html::check`]) and say what the title and summary say; otherwise they stay
///   codes (the TimelineJS writer sanitizes them before it writes them).
///
/// Nothing is checked here beyond that: the event is validated as it is read.
fn media_codes_to_fields(mut payload: Value) -> Value {
    let Some(object) = payload.as_object_mut() else { return payload };
    let Some(Value::Object(mut codes)) = object.remove("codes") else { return payload };
    if matches!(codes.get("timelinejs:media.url"), Some(Value::String(_))) && !object.contains_key("media") {
        let mut media = serde_json::Map::new();
        for (code, field) in MEDIA_CODES {
            if let Some(value @ Value::String(_)) = codes.remove(code) {
                media.insert(field.to_owned(), value);
            }
        }
        object.insert("media".to_owned(), Value::Object(media));
    }
    for (code, field, plain, allowed) in [
        ("timelinejs:headline", "title_html", "title", crate::html::Allowed::Inline),
        ("timelinejs:text", "summary_html", "summary", crate::html::Allowed::Blocks),
    ] {
        let fits = match (codes.get(code), object.get(plain)) {
            (Some(Value::String(html)), Some(Value::String(text))) => {
                crate::html::check(html, allowed).is_ok()
                    && crate::html::same_words(&crate::html::plain_text(html), text)
            }
            _ => false,
        };
        if fits && !object.contains_key(field) {
            if let Some(html) = codes.remove(code) {
                object.insert(field.to_owned(), html);
            }
        }
    }
    if !codes.is_empty() {
        object.insert("codes".to_owned(), Value::Object(codes));
    }
    payload
}

/// A record's envelope fields, its strings borrowed from the text where they need no
/// unescaping: the id is copied once, into its [`EventId`], and the stream name and type
/// (the same in every record of a file) are not copied at all.
#[derive(Deserialize)]
#[serde(expecting = "an Annals record: a JSON object with \"id\", \"type\" and \"payload\"")]
struct RawRecord<'a> {
    #[serde(default)]
    position: Option<u64>,
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(default, borrow)]
    stream: Option<Cow<'a, str>>,
    #[serde(default)]
    recorded_at: Option<Timestamp>,
    #[serde(rename = "type", borrow)]
    type_name: Cow<'a, str>,
    #[serde(default)]
    schema_version: Option<u32>,
    #[serde(borrow)]
    payload: &'a RawValue,
}

/// A record decoded from JSON: the event and whatever envelope fields it carried.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedRecord {
    /// Position, when the record is a full envelope.
    pub position: Option<u64>,
    /// Stream, when the record names one.
    pub stream: Option<StreamName>,
    /// The proposed event.
    pub proposed: Proposed,
}

/// A record decoded from JSON, its stream name still borrowed from the text.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedRecordRef<'a> {
    /// Position, when the record is a full envelope.
    pub position: Option<u64>,
    /// Stream, when the record names one.
    pub stream: Option<Cow<'a, str>>,
    /// The proposed event.
    pub proposed: Proposed,
}

/// Decodes one record or envelope from JSON text; see [`decode_record_ref`].
pub fn decode_record(text: &str) -> Result<DecodedRecord, Problem> {
    decode_record_ref(text).map(|r| DecodedRecord {
        position: r.position,
        stream: r.stream.map(|s| StreamName::from(&*s)),
        proposed: r.proposed,
    })
}

/// Decodes one record or envelope from JSON text, leaving its stream name in the text: a
/// reader of a log compares it with the file's stream instead of allocating it per record.
///
/// Records are decoded in one pass where they can be (see `one_pass`), without tracking
/// where the decoder is; only one that fails is decoded again with its path tracked, for the
/// diagnostic. (Tracking the path of every field of every record cost a third of reading a
/// large file.) In the browser too, for domain events: the app opens logs of 100,000
/// records by URL, and there the one-pass decoder cut the decoding by about a fifth
/// (~115 ms) for 8 KB of gzipped bundle (a second, untracked instantiation of the domain
/// payload's decoder; all four other payloads' cost 6 KB more and would break the budget).
/// Natively the two-pass way also tries untracked first; in the browser it does not.
pub fn decode_record_ref(text: &str) -> Result<DecodedRecordRef<'_>, Problem> {
    if let Some(decoded) = one_pass::decode(text) {
        return Ok(decoded);
    }
    decode_two_pass(text)
}

/// The record, then its payload as the type it names; see [`decode_record_ref`].
fn decode_two_pass(text: &str) -> Result<DecodedRecordRef<'_>, Problem> {
    #[cfg(not(target_arch = "wasm32"))]
    let untracked = serde_json::from_str::<RawRecord<'_>>(text).ok();
    #[cfg(target_arch = "wasm32")]
    let untracked: Option<RawRecord<'_>> = None;
    let raw: RawRecord<'_> = match untracked {
        Some(raw) => raw,
        None => {
            let mut de = serde_json::Deserializer::from_str(text);
            decode_json(&mut de).map_err(path_error(""))?
        }
    };
    let event = decode_event(&raw.type_name, raw.schema_version, raw.payload)?;
    Ok(DecodedRecordRef {
        position: raw.position,
        stream: raw.stream,
        proposed: Proposed { id: EventId::from(&*raw.id), event, recorded_at: raw.recorded_at },
    })
}

/// The one-pass decoder [`decode_record_ref`] tries first.
///
/// The two-pass way reads a record with its payload as raw JSON, then reads the payload
/// again into the type the record names: every payload byte is scanned twice. When `type`
/// (and `schema_version`, if given) come before `payload` — as this program writes them —
/// the type is known when the payload is reached, and it is decoded in the same pass.
/// Anything else (payload first, an older schema, any error) gives `None`, and the
/// two-pass way reads the record again and says what is wrong where: this decoder only
/// ever returns what that way would.
mod one_pass {
    use std::borrow::Cow;
    use std::fmt;

    use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
    use serde::Deserialize;

    use super::{current_schema, DecodedRecordRef, Proposed};
    use crate::date::Timestamp;
    use crate::event::{DomainEvent, Event, EVENT_TYPES};
    use crate::id::EventId;

    pub(super) fn decode(text: &str) -> Option<DecodedRecordRef<'_>> {
        serde_json::from_str::<Record<'_>>(text).ok().map(|r| r.0)
    }

    struct Record<'a>(DecodedRecordRef<'a>);

    impl<'de> Deserialize<'de> for Record<'de> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_map(RecordVisitor)
        }
    }

    /// Gives up on this record; the two-pass way will read it.
    fn give_up<E: de::Error>() -> E {
        E::custom("not a one-pass record")
    }

    /// Sets a field once; a repeated field is left to the two-pass way to report.
    fn once<T, E: de::Error>(slot: &mut Option<T>, value: T) -> Result<(), E> {
        match slot.replace(value) {
            Some(_) => Err(give_up()),
            None => Ok(()),
        }
    }

    struct RecordVisitor;

    impl<'de> Visitor<'de> for RecordVisitor {
        type Value = Record<'de>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a record")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Record<'de>, A::Error> {
            let (mut position, mut id, mut stream, mut recorded_at) = (None, None, None, None);
            let (mut type_name, mut schema_version, mut event) = (None::<Text<'de>>, None, None);
            while let Some(key) = map.next_key::<Text<'de>>()? {
                match &*key.0 {
                    "position" => once(&mut position, map.next_value::<Option<u64>>()?)?,
                    "id" => once(&mut id, map.next_value::<Text<'de>>()?)?,
                    "stream" => once(&mut stream, map.next_value::<Option<Text<'de>>>()?)?,
                    "recorded_at" => once(&mut recorded_at, map.next_value::<Option<Timestamp>>()?)?,
                    "type" => once(&mut type_name, map.next_value::<Text<'de>>()?)?,
                    "schema_version" => once(&mut schema_version, map.next_value::<Option<u32>>()?)?,
                    "payload" => {
                        let Some(t) = &type_name else { return Err(give_up()) };
                        let version = schema_version.flatten().unwrap_or_else(|| current_schema(&t.0));
                        if event.is_some() || !super::only_added_fields_since(&t.0, version) {
                            return Err(give_up());
                        }
                        event = Some(map.next_value_seed(Payload(&t.0))?);
                    }
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            // A schema_version after the payload must still be the one it was read as.
            let (Some(id), Some(type_name), Some(event)) = (id, type_name, event) else { return Err(give_up()) };
            if schema_version.flatten().is_some_and(|v| !super::only_added_fields_since(&type_name.0, v)) {
                return Err(give_up());
            }
            Ok(Record(DecodedRecordRef {
                position: position.flatten(),
                stream: stream.flatten().map(|s| s.0),
                proposed: Proposed { id: EventId::from(&*id.0), event, recorded_at: recorded_at.flatten() },
            }))
        }
    }

    /// A payload of the named type.
    struct Payload<'t>(&'t str);

    impl<'de> DeserializeSeed<'de> for Payload<'_> {
        type Value = Event;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Event, D::Error> {
            if !EVENT_TYPES.contains(&self.0) {
                return Err(give_up());
            }
            // In the browser only domain events, nearly every record of a large log, are
            // read here: the other payloads' decoders would cost bundle size for little time,
            // and those records are left to the two-pass way (their names are no kind).
            Ok(match self.0 {
                #[cfg(not(target_arch = "wasm32"))]
                "ActorRegistered" => Event::ActorRegistered(Deserialize::deserialize(d)?),
                #[cfg(not(target_arch = "wasm32"))]
                "Corrected" => Event::Corrected(Deserialize::deserialize(d)?),
                #[cfg(not(target_arch = "wasm32"))]
                "Retracted" => Event::Retracted(Deserialize::deserialize(d)?),
                #[cfg(not(target_arch = "wasm32"))]
                "Disputed" => Event::Disputed(Deserialize::deserialize(d)?),
                other => {
                    let kind = other.parse().map_err(|_| give_up::<D::Error>())?;
                    Event::Domain(kind, std::sync::Arc::new(DomainEvent::deserialize(d)?))
                }
            })
        }
    }

    /// A string, borrowed from the text unless it has escapes.
    struct Text<'a>(Cow<'a, str>);

    impl<'de> Deserialize<'de> for Text<'de> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_str(TextVisitor)
        }
    }

    struct TextVisitor;

    impl<'de> Visitor<'de> for TextVisitor {
        type Value = Text<'de>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
            Ok(Text(Cow::Borrowed(v)))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'de>, E> {
            Ok(Text(Cow::Owned(v.to_owned())))
        }
    }
}

/// Decodes a payload of a given type and schema version (upcasting older versions).
pub fn decode_event(type_name: &str, schema_version: Option<u32>, payload: &RawValue) -> Result<Event, Problem> {
    let version = schema_version.unwrap_or_else(|| current_schema(type_name));
    if !EVENT_TYPES.contains(&type_name) {
        return Err(Problem::new(
            "type",
            says!("unknown event type {0}; expected one of {1}", Quoted(&type_name), EVENT_TYPES.join(", ")),
        ));
    }
    if version == current_schema(type_name) || steps_change_nothing(type_name, version, payload.get()) {
        typed(type_name, payload.get())
    } else {
        let value: Value = serde_json::from_str(payload.get())
            .map_err(|e| Problem::new("payload", Said::from_serde(&e.to_string())))?;
        // The upcast payload is written back to text and read like a current one. *Why:*
        // each deserializer type instantiates every payload's derived decoder (wrapped by
        // `serde_path_to_error`) once more; reading old versions from a `Value` doubled that
        // code in the browser bundle, for a path only old files take.
        typed(type_name, &crate::event::json_text(&upcast(type_name, version, value)?))
    }
}

/// True when the steps from `version` to the current one would change nothing: the step to
/// languages (which only adds fields) and a step to media with no `timelinejs:` code to
/// move. Such a payload is read as it is. *Why:* a store written before those steps holds
/// every event in an older version, and going through a JSON `Value` and back for each
/// would slow down every opening of it.
fn steps_change_nothing(type_name: &str, version: u32, payload: &str) -> bool {
    match media_step_from(type_name) {
        Some(from) if (1..=from).contains(&version) => {
            let documents_as_strings = type_name == "Signing" && version == 1;
            !(documents_as_strings || payload.contains("timelinejs:"))
        }
        _ => only_added_fields_since(type_name, version),
    }
}

/// True when every step from `version` to the current one only adds fields (today: the step
/// to languages), so the payload decodes as the current version would, unread in between.
pub(crate) fn only_added_fields_since(type_name: &str, version: u32) -> bool {
    let current = current_schema(type_name);
    let after_media = media_step_from(type_name).map_or(1, |from| from + 1);
    (after_media..=current).contains(&version)
}

/// [`typed`] without tracking the path, natively (see [`decode_record`]): `None` on any
/// error, and then [`typed`] says where.
#[cfg(not(target_arch = "wasm32"))]
fn typed_untracked(type_name: &str, text: &str) -> Option<Event> {
    Some(match type_name {
        "ActorRegistered" => Event::ActorRegistered(serde_json::from_str(text).ok()?),
        "Corrected" => Event::Corrected(serde_json::from_str(text).ok()?),
        "Retracted" => Event::Retracted(serde_json::from_str(text).ok()?),
        "Disputed" => Event::Disputed(serde_json::from_str(text).ok()?),
        other => Event::Domain(other.parse().ok()?, std::sync::Arc::new(serde_json::from_str(text).ok()?)),
    })
}

fn typed(type_name: &str, text: &str) -> Result<Event, Problem> {
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(event) = typed_untracked(type_name, text) {
        return Ok(event);
    }
    fn go<T: DeserializeOwned>(de: JsonText<'_, '_>) -> Result<T, Problem> {
        decode_json(de).map_err(path_error("payload"))
    }
    let de = &mut serde_json::Deserializer::from_str(text);
    Ok(match type_name {
        "ActorRegistered" => Event::ActorRegistered(Box::new(go(de)?)),
        "Corrected" => Event::Corrected(Box::new(go(de)?)),
        "Retracted" => Event::Retracted(Box::new(go(de)?)),
        "Disputed" => Event::Disputed(Box::new(go(de)?)),
        other => {
            let kind: EventKind = other.parse().map_err(|said| Problem::new("type", said))?;
            Event::Domain(kind, std::sync::Arc::new(go(de)?))
        }
    })
}

fn path_error(prefix: &'static str) -> impl Fn((String, serde_json::Error)) -> Problem {
    move |(path, e)| decoding_problem(prefix, &path, &e)
}

/// The problem of a payload the decoder refused. One copy, not one per kind's decoder.
#[inline(never)]
fn decoding_problem(prefix: &str, path: &str, e: &serde_json::Error) -> Problem {
    let field = match (prefix, path) {
        (p, "") => p.to_owned(),
        ("", p) => p.to_owned(),
        (pre, p) => format!("{pre}.{p}"),
    };
    Problem::new(field, Said::from_serde(&e.to_string()))
}

struct PayloadSer<'a>(&'a Event);

impl Serialize for PayloadSer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Event::Domain(_, e) => e.serialize(s),
            Event::ActorRegistered(a) => a.serialize(s),
            Event::Corrected(c) => c.serialize(s),
            Event::Retracted(r) => r.serialize(s),
            Event::Disputed(d) => d.serialize(s),
        }
    }
}

#[derive(Serialize)]
struct EnvelopeOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<u64>,
    id: &'a EventId,
    #[serde(skip_serializing_if = "Option::is_none")]
    stream: Option<&'a StreamName>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recorded_at: Option<Timestamp>,
    #[serde(rename = "type")]
    type_name: &'static str,
    schema_version: u32,
    payload: PayloadSer<'a>,
}

impl Serialize for Envelope {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let type_name = self.event.type_name();
        EnvelopeOut {
            position: Some(self.position),
            id: &self.id,
            stream: Some(&self.stream),
            recorded_at: Some(self.recorded_at),
            type_name,
            schema_version: current_schema(type_name),
            payload: PayloadSer(&self.event),
        }
        .serialize(s)
    }
}

impl Serialize for Proposed {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let type_name = self.event.type_name();
        EnvelopeOut {
            position: None,
            id: &self.id,
            stream: None,
            recorded_at: self.recorded_at,
            type_name,
            schema_version: current_schema(type_name),
            payload: PayloadSer(&self.event),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Envelope {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        let record = decode_record(raw.get()).map_err(D::Error::custom)?;
        let missing = |f: &str| D::Error::custom(says!("envelope without {0}", f));
        Ok(Envelope {
            position: record.position.ok_or_else(|| missing("position"))?,
            stream: record.stream.ok_or_else(|| missing("stream"))?,
            recorded_at: record.proposed.recorded_at.ok_or_else(|| missing("recorded_at"))?,
            id: record.proposed.id,
            event: record.proposed.event,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_round_trips_through_json() {
        let text = r#"{"position":3,"id":"e1","stream":"s","recorded_at":"2026-01-02T03:04:05Z","type":"Call","schema_version":3,"payload":{"occurred":"2021-05-22","title":"Phone call","sources":[{"publisher":"Trend"}]}}"#;
        let env: Envelope = serde_json::from_str(text).expect("decode");
        assert_eq!(env.position, 3);
        assert_eq!(env.event.type_name(), "Call");
        let again = serde_json::to_string(&env).expect("encode");
        assert_eq!(again, text);
    }

    #[test]
    fn one_pass_decodes_what_two_passes_do_or_leaves_the_record_to_them() {
        let visit = r#""payload":{"occurred":"2024","title":"V","visitor":"a","host":"b"}"#;
        let signing = r#""payload":{"occurred":"2018","title":"S","documents":[{"title":"T"}]}"#;
        for (text, one_pass) in [
            (format!(r#"{{"position":1,"id":"v","stream":"s","type":"Visit","schema_version":3,{visit}}}"#), true),
            (format!(r#"{{"position":1,"id":"v","stream":"s","type":"Visit","schema_version":2,{visit}}}"#), true),
            (format!(r#"{{"position":1,"id":"v","stream":"s","type":"Visit","schema_version":4,{visit}}}"#), false),
            (format!(r#"{{"position":1,"id":"v","stream":"s","type":"Visit","schema_version":1,{visit}}}"#), false),
            (format!(r#"{{"id":"v1","type":"Visit","extra":[1,{{}}],{visit},"recorded_at":null}}"#), true),
            (format!(r#"{{{visit},"id":"v","type":"Visit"}}"#), false),
            (format!(r#"{{"id":"s","type":"Signing",{signing},"schema_version":1}}"#), false),
            (r#"{"id":"s","type":"Signing","schema_version":1,"payload":{"occurred":"2018","title":"S","documents":["T"]}}"#.to_owned(), false),
            (format!(r#"{{"id":"v","id":"w","type":"Visit",{visit}}}"#), false),
            (format!(r#"{{"id":"v","type":"visit",{visit}}}"#), false),
            (format!(r#"{{"id":"v","type":"Visit",{visit}}} x"#), false),
            (r#"{"id":"v","type":"Visit","payload":{"occurred":"2024","titel":"V"}}"#.to_owned(), false),
        ] {
            let fast = one_pass::decode(&text);
            assert_eq!(fast.is_some(), one_pass, "{text}");
            if let Some(fast) = fast {
                assert_eq!(Ok(fast), decode_two_pass(&text), "{text}");
            }
        }
    }

    #[test]
    fn signing_v1_documents_are_upcast() {
        let text = r#"{"id":"s1","type":"Signing","schema_version":1,"payload":{"occurred":"2018-11-19","title":"Nine documents","documents":["Joint statement"],"count":9}}"#;
        let rec = decode_record(text).expect("decode");
        let Event::Domain(EventKind::Signing, e) = rec.proposed.event else { panic!("not a signing") };
        assert_eq!(e.documents[0].title, "Joint statement");
        assert_eq!(e.documents[0].kind, crate::event::DocumentKind::Other);
        assert_eq!(e.count, Some(9));
    }

    fn domain(text: &str) -> std::sync::Arc<crate::event::DomainEvent> {
        match decode_record(text).expect("decode").proposed.event {
            Event::Domain(_, e) => e,
            other => panic!("not a domain event: {other:?}"),
        }
    }

    #[test]
    fn timelinejs_codes_of_older_versions_become_media_and_rich_text() {
        let codes = r#""codes":{"timelinejs:media.url":"https://example.org/a.jpg","timelinejs:media.caption":"The hall","timelinejs:media.credit":"Photo: P","timelinejs:media.link_target":"_blank","timelinejs:text":"<p>One <em>two</em></p>","timelinejs:headline":"<b>Big</b> day","timelinejs:group":"Talks"}"#;
        for (type_name, version) in [("Other", 1), ("Talks", 1), ("Signing", 2)] {
            let extra = if type_name == "Signing" { r#","count":1"# } else { "" };
            let text = format!(
                r#"{{"id":"e","type":"{type_name}","schema_version":{version},"payload":{{"occurred":"2020","title":"Big day","summary":"One two"{extra},{codes}}}}}"#
            );
            let e = domain(&text);
            let media = e.media.as_ref().expect("media");
            assert_eq!(media.url, "https://example.org/a.jpg", "{type_name}");
            assert_eq!(media.caption.as_deref(), Some("The hall"));
            assert_eq!(media.credit.as_deref(), Some("Photo: P"));
            assert_eq!(media.kind(), crate::event::MediaKind::Image);
            assert_eq!(e.summary_html.as_deref(), Some("<p>One <em>two</em></p>"));
            assert_eq!(e.title_html.as_deref(), Some("<b>Big</b> day"));
            // What has no field stays a code.
            let left: Vec<&str> = e.codes.keys().map(String::as_str).collect();
            assert_eq!(left, ["timelinejs:group", "timelinejs:media.link_target"], "{type_name}");
        }
    }

    #[test]
    fn older_codes_that_do_not_fit_stay_codes() {
        // Markup outside the subset, a text that says other words, media without an address.
        let text = r#"{"id":"e","type":"Other","schema_version":1,"payload":{"occurred":"2020","title":"Day","summary":"Hello","codes":{"timelinejs:text":"<p onclick=\"x()\">Hello</p>","timelinejs:headline":"<em>Night</em>","timelinejs:media.caption":"No address"}}}"#;
        let e = domain(text);
        assert_eq!((e.media.as_ref(), e.summary_html.as_ref(), e.title_html.as_ref()), (None, None, None));
        assert_eq!(e.codes.len(), 3);
        // The upcast is a pure JSON step: no codes, nothing changes.
        let plain = serde_json::json!({"occurred": "2020", "title": "x"});
        assert_eq!(upcast("Visit", 1, plain.clone()), Ok(plain));
        // Such a payload is not even taken apart: it reads as the current version would.
        let raw = RawValue::from_string(r#"{"occurred":"2020","title":"x"}"#.to_owned()).expect("raw");
        assert!(steps_change_nothing("Visit", 1, raw.get()));
        assert!(steps_change_nothing("Visit", 2, raw.get()));
        assert_eq!(decode_event("Visit", Some(1), &raw), decode_event("Visit", None, &raw));
        assert!(!steps_change_nothing("Signing", 1, raw.get()), "Signing 1 lists documents as strings");
        assert!(steps_change_nothing("ActorRegistered", 1, raw.get()));
        assert!(!steps_change_nothing("Visit", 4, raw.get()), "a version from the future");
        assert!(!steps_change_nothing("Visit", 0, raw.get()));
    }

    #[test]
    fn a_current_record_with_a_bad_medium_is_read_and_left_to_validation() {
        let text = r#"{"id":"e","type":"Other","payload":{"occurred":"2020","title":"x","media":{"url":"javascript:alert(1)"}}}"#;
        assert_eq!(domain(text).media.as_ref().map(|m| m.url.as_str()), Some("javascript:alert(1)"));
        let unknown = r#"{"id":"e","type":"Other","payload":{"occurred":"2020","title":"x","media":{"url":"https://x.example","onload":"y"}}}"#;
        assert_eq!(decode_record(unknown).expect_err("unknown field").field, "payload.media.onload");
    }

    #[test]
    fn unknown_versions_and_types_are_refused_with_the_field() {
        let future = r#"{"id":"s1","type":"Visit","schema_version":7,"payload":{}}"#;
        assert_eq!(decode_record(future).expect_err("future").field, "schema_version");
        let unknown = r#"{"id":"s1","type":"Parade","payload":{}}"#;
        let err = decode_record(unknown).expect_err("unknown type");
        assert_eq!(err.field, "type");
        assert!(err.message.contains("CommissionMeeting"), "{}", err.message);
        let bad_field = r#"{"id":"s1","type":"Visit","payload":{"occurred":"2024-13","title":"x"}}"#;
        let err = decode_record(bad_field).expect_err("bad month");
        assert_eq!(err.field, "payload.occurred");
        assert!(err.message.contains("month 13"), "{}", err.message);
        let nested = r#"{"id":"s1","type":"Visit","payload":{"occurred":"2024","title":"x","sources":[{"publisher":"p","date":"May"}]}}"#;
        assert_eq!(decode_record(nested).expect_err("nested").field, "payload.sources[0].date");
    }
}
