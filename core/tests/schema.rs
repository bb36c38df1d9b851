//! The JSON Schemas in `data/schema/` describe the files the loader reads.
//!
//! - The default record, the examples and what the program itself writes pass the schemas.
//! - Documents with typical mistakes fail them, and fail the loader too.
//! - What the schemas accept in those files the loader accepts as well; where the schemas
//!   cannot see a mistake (an unregistered actor, a count smaller than its titles) the
//!   loader still catches it, with the line and the field.
//! - The patterns for dates, ids and links agree with the Rust checks they mirror.
//!
//! The three schemas refer to each other by relative `$ref`; they are registered under their
//! `$id`s and the validator is built offline, so nothing is ever fetched.

use std::path::PathBuf;
use std::sync::OnceLock;

use annals_core::date::{PartialDate, Timestamp};
use annals_core::format::native::load;
use annals_core::format::native::{write_document, write_ndjson, DocumentInfo};
use annals_core::format::{Format, Loaded};
use annals_core::id::{check_actor_id, check_event_id, check_stream};
use annals_core::validate::{check_url, Nothing};
use annals_core::{ExpectedVersion, Log};
use jsonschema::{Registry, Validator};
use serde_json::{json, Value};

const BASE: &str = "https://annals.invalid/schema/";
const RECORD: &str = "annals-record.schema.json";
const ENVELOPE: &str = "annals-envelope.schema.json";
const DOCUMENT: &str = "annals-document.schema.json";

fn path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(relative)
}

fn read(relative: &str) -> Vec<u8> {
    std::fs::read(path(relative)).unwrap_or_else(|e| panic!("read {relative}: {e}"))
}

fn read_json(relative: &str) -> Value {
    serde_json::from_slice(&read(relative)).unwrap_or_else(|e| panic!("parse {relative}: {e}"))
}

fn schema_file(name: &str) -> Value {
    read_json(&format!("data/schema/{name}"))
}

/// The registry of the three schemas, by `$id`.
fn registry() -> Registry<'static> {
    let mut builder = Registry::new();
    for name in [RECORD, ENVELOPE, DOCUMENT] {
        let schema = schema_file(name);
        let id = format!("{BASE}{name}");
        assert_eq!(schema["$id"], json!(id), "$id of {name}");
        builder = builder.add(&id, schema).unwrap_or_else(|e| panic!("register {name}: {e}"));
    }
    builder.prepare().expect("prepare the registry")
}

/// A validator for a schema (or one of its `$defs`) given by URI, with no network access.
fn validator(uri: &str) -> Validator {
    let registry = registry();
    jsonschema::options()
        .offline()
        .with_registry(&registry)
        .build(&json!({ "$ref": uri }))
        .unwrap_or_else(|e| panic!("build a validator for {uri}: {e}"))
}

struct Schemas {
    record: Validator,
    envelope: Validator,
    document: Validator,
}

fn schemas() -> &'static Schemas {
    static SCHEMAS: OnceLock<Schemas> = OnceLock::new();
    SCHEMAS.get_or_init(|| Schemas {
        record: validator(&format!("{BASE}{RECORD}")),
        envelope: validator(&format!("{BASE}{ENVELOPE}")),
        document: validator(&format!("{BASE}{DOCUMENT}")),
    })
}

/// Every error as `instance path: message`.
fn errors(v: &Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance).map(|e| format!("{}: {e}", e.instance_path())).collect()
}

fn assert_valid(v: &Validator, instance: &Value, what: &str) {
    let errs = errors(v, instance);
    assert!(errs.is_empty(), "{what} should pass the schema:\n{errs:#?}");
}

/// Asserts the instance fails and that some error sits at `at` (a JSON pointer).
fn assert_invalid_at(v: &Validator, instance: &Value, at: &str, what: &str) {
    let errs: Vec<(String, String)> =
        v.iter_errors(instance).map(|e| (e.instance_path().to_string(), e.to_string())).collect();
    assert!(!errs.is_empty(), "{what} should fail the schema");
    assert!(errs.iter().any(|(p, _)| p == at), "{what}: expected an error at {at}, found {errs:#?}");
}

fn load_bytes(bytes: &[u8], name: &str) -> Loaded {
    load(bytes, name, None, &Nothing)
}

fn assert_clean(loaded: &Loaded, what: &str) {
    assert!(loaded.is_clean(), "{what}: {:#?}", loaded.diagnostics);
    assert_eq!(loaded.rejected, 0, "{what}");
}

/// The data lines of an NDJSON file, with their 1-based line numbers.
fn data_lines(text: &str) -> Vec<(usize, Value)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with("//")
        })
        .map(|(i, l)| {
            let value = serde_json::from_str(l).unwrap_or_else(|e| panic!("line {}: {e}", i + 1));
            (i + 1, value)
        })
        .collect()
}

fn minimal_document() -> Value {
    read_json("data/examples/minimal.json")
}

fn document_bytes(doc: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(doc).expect("serialize")
}

// ------------------------------------------------------------------------------------------

#[test]
fn the_schemas_build_and_describe_every_property() {
    let _ = schemas();
    for name in [RECORD, ENVELOPE, DOCUMENT] {
        let schema = schema_file(name);
        assert_eq!(schema["$schema"], json!("https://json-schema.org/draft/2020-12/schema"));
        let mut missing = Vec::new();
        described(&schema, "#", &mut missing);
        assert!(missing.is_empty(), "{name}: properties without a description: {missing:#?}");
    }
}

/// Collects the property definitions that have no description. Conditions and alternatives
/// (`if`, `then`, `else`, `anyOf`, …) only restate constraints on properties defined elsewhere.
fn described(schema: &Value, at: &str, missing: &mut Vec<String>) {
    let Value::Object(map) = schema else { return };
    for (key, value) in map {
        if matches!(key.as_str(), "if" | "then" | "else" | "anyOf" | "allOf" | "oneOf" | "not") {
            continue;
        }
        if key == "properties" {
            for (name, property) in value.as_object().into_iter().flatten() {
                let ok = property.get("description").and_then(Value::as_str).is_some_and(|d| !d.trim().is_empty());
                if !ok {
                    missing.push(format!("{at}/properties/{name}"));
                }
                described(property, &format!("{at}/properties/{name}"), missing);
            }
        } else {
            described(value, &format!("{at}/{key}"), missing);
        }
    }
}

#[test]
fn the_default_record_and_the_examples_pass_the_schemas_and_the_loader() {
    let s = schemas();
    for file in ["data/azerbaijan-belarus.json", "data/examples/minimal.json"] {
        assert_valid(&s.document, &read_json(file), file);
        let loaded = load_bytes(&read(file), file);
        assert_eq!(loaded.format, Format::AnnalsJson, "{file}");
        assert_clean(&loaded, file);
    }

    let file = "data/examples/minimal.ndjson";
    let bytes = read(file);
    let text = String::from_utf8(bytes.clone()).expect("utf-8");
    let lines = data_lines(&text);
    assert_eq!(lines.len(), 5);
    for (line, value) in &lines {
        assert_valid(&s.record, value, &format!("{file} line {line}"));
    }
    let ndjson = load_bytes(&bytes, file);
    assert_eq!(ndjson.format, Format::AnnalsNdjson);
    assert_clean(&ndjson, file);

    // The NDJSON example holds the same records as the JSON example.
    let json = load_bytes(&read("data/examples/minimal.json"), "minimal.json");
    assert_eq!(ndjson.proposed(), json.proposed());
    assert_eq!(json.accepted.len(), 5);
}

#[test]
fn what_the_program_writes_passes_the_schemas() {
    let s = schemas();
    let file = "data/azerbaijan-belarus.json";
    let loaded = load_bytes(&read(file), file);
    assert_clean(&loaded, file);
    let stream = loaded.stream.clone().expect("stream");
    let mut log = Log::new();
    log.append(&stream, ExpectedVersion::NoStream, loaded.proposed(), Timestamp(1_795_000_000_000)).expect("append");

    // The NDJSON export: one envelope per line.
    let exported = write_ndjson(log.read_from(0));
    let lines = data_lines(&exported);
    assert_eq!(lines.len(), loaded.accepted.len());
    for (line, value) in &lines {
        assert_valid(&s.envelope, value, &format!("exported envelope, line {line}"));
        // An envelope is not a record: a record has no position or stream.
        assert!(!s.record.is_valid(value), "line {line} passed as a record");
    }
    let reread = load_bytes(exported.as_bytes(), "export.ndjson");
    assert_clean(&reread, "the NDJSON export");

    // The JSON document the program writes.
    let written = write_document(
        &DocumentInfo {
            stream: Some(stream.as_str()),
            title: loaded.title.as_deref(),
            description: loaded.description.as_deref(),
            introduction: loaded.introduction.as_ref(),
            titles: Some(&loaded.titles),
            descriptions: Some(&loaded.descriptions),
        },
        &loaded.proposed(),
    );
    let value: Value = serde_json::from_str(&written).expect("written document");
    assert_valid(&s.document, &value, "the written document");
}

#[test]
fn documents_with_mistakes_fail_the_schema_and_the_loader() {
    let s = schemas();
    // (what, mutation, where the schema complains, the loader's field)
    type Mutation = fn(&mut Value);
    let cases: [(&str, Mutation, &str, &str); 11] = [
        (
            "a Visit without host",
            |d| {
                d["events"][3]["payload"].as_object_mut().expect("payload").remove("host");
            },
            "/events/3/payload",
            "payload.host",
        ),
        (
            "a domain event without sources",
            |d| {
                d["events"][4]["payload"].as_object_mut().expect("payload").remove("sources");
            },
            "/events/4/payload",
            "payload.sources",
        ),
        (
            "a domain event with an empty list of sources",
            |d| d["events"][3]["payload"]["sources"] = json!([]),
            "/events/3/payload/sources",
            "payload.sources",
        ),
        ("an id with a space", |d| d["events"][4]["id"] = json!("2024-05-16 signing"), "/events/4/id", "id"),
        (
            "a date 2024-5-1",
            |d| d["events"][4]["payload"]["occurred"] = json!("2024-5-1"),
            "/events/4/payload/occurred",
            "payload.occurred",
        ),
        (
            "a field of a Visit on a Signing",
            |d| d["events"][4]["payload"]["host"] = json!("aze"),
            "/events/4/payload/host",
            "payload.host",
        ),
        (
            "a source with a javascript: link",
            |d| {
                d["events"][4]["payload"]["sources"][0]["url"] = json!("javascript:alert(1)");
            },
            "/events/4/payload/sources/0/url",
            "payload.sources[0].url",
        ),
        (
            "a source with a link and a reason why it has none",
            |d| d["events"][4]["payload"]["sources"][0]["no_url"] = json!("Not found"),
            "/events/4/payload/sources/0",
            "payload.sources[0].no_url",
        ),
        (
            "a source with an empty reason for having no link",
            |d| {
                let source = d["events"][4]["payload"]["sources"][0].as_object_mut().expect("source");
                source.remove("url");
                source.insert("no_url".into(), json!(" "));
            },
            "/events/4/payload/sources/0/no_url",
            "payload.sources[0].no_url",
        ),
        (
            "a source with an empty note of partial support",
            |d| d["events"][4]["payload"]["sources"][0]["partial"] = json!(""),
            "/events/4/payload/sources/0/partial",
            "payload.sources[0].partial",
        ),
        (
            "an actor id with a capital letter",
            |d| d["events"][2]["payload"]["actor"] = json!("Lukashenko"),
            "/events/2/payload/actor",
            "payload.actor",
        ),
    ];
    for (what, mutate, at, field) in cases {
        let mut doc = minimal_document();
        mutate(&mut doc);
        assert_invalid_at(&s.document, &doc, at, what);
        let loaded = load_bytes(&document_bytes(&doc), "mutated.json");
        assert!(!loaded.is_clean(), "{what}: the loader accepted it");
        assert!(
            loaded.diagnostics.iter().any(|d| d.field == field),
            "{what}: expected a diagnostic on {field}, found {:#?}",
            loaded.diagnostics
        );
    }
}

#[test]
fn unknown_fields_are_refused_by_the_schema_and_the_loader() {
    // A misspelt optional field must not vanish silently: both the schema and the loader
    // refuse it, and the loader names the field.
    let s = schemas();
    let mut doc = minimal_document();
    doc["events"][3]["payload"]["sumary"] = json!("A misspelt summary");
    assert_invalid_at(&s.document, &doc, "/events/3/payload", "a misspelt field");
    let loaded = load_bytes(&document_bytes(&doc), "typo.json");
    assert_eq!(loaded.rejected, 2, "the visit, and the signing that is part of it");
    assert!(loaded.diagnostics[0].message.contains("unknown field sumary"), "{:?}", loaded.diagnostics);
    assert_eq!(loaded.diagnostics[0].field, "payload.sumary");

    // `$schema` is the one extra field a document may carry, for editors.
    let mut doc = minimal_document();
    doc["$schema"] = json!(format!("{BASE}{DOCUMENT}"));
    assert_valid(&s.document, &doc, "a document naming its schema");
    assert_clean(&load_bytes(&document_bytes(&doc), "named.json"), "a document naming its schema");

    let mut doc = minimal_document();
    doc["event"] = json!([]);
    assert!(!s.document.is_valid(&doc), "a misspelt top-level field");

    let mut doc = minimal_document();
    doc.as_object_mut().expect("doc").remove("annals");
    assert!(!s.document.is_valid(&doc), "a document without `annals`");
}

#[test]
fn signing_schema_version_1_lists_titles_as_strings() {
    let s = schemas();
    let v1 = json!({"id": "s1", "type": "Signing", "schema_version": 1, "payload": {
        "occurred": "2018-11-19", "title": "Nine documents", "parties": ["aze", "blr"],
        "documents": ["Joint statement"], "count": 9,
        "sources": [{"publisher": "Trend News Agency (en.trend.az)", "title": "Report"}]}});
    assert_valid(&s.record, &v1, "a Signing v1");

    let mut v2_with_strings = v1.clone();
    v2_with_strings.as_object_mut().expect("record").remove("schema_version");
    assert_invalid_at(&s.record, &v2_with_strings, "/payload/documents/0", "a Signing v2 with string documents");
    let mut v1_with_objects = v1.clone();
    v1_with_objects["payload"]["documents"] = json!([{"title": "Joint statement"}]);
    assert!(!s.record.is_valid(&v1_with_objects));
    let mut visit_v4 = json!({"id": "v", "type": "Visit", "schema_version": 4, "payload": {}});
    assert_invalid_at(&s.record, &visit_v4, "/schema_version", "a Visit v4");
    visit_v4["schema_version"] = json!(0);
    assert!(!s.record.is_valid(&visit_v4));
    let actor_v3 = json!({"id": "a", "type": "ActorRegistered", "schema_version": 3, "payload": {}});
    assert_invalid_at(&s.record, &actor_v3, "/schema_version", "an ActorRegistered v3");

    // The loader agrees: v1 is upcast, v2 with strings is refused.
    let ndjson = |signing: &Value| {
        let mut text = String::from_utf8(read("data/examples/minimal.ndjson")).expect("utf-8");
        text.push_str(&signing.to_string());
        text.push('\n');
        load_bytes(text.as_bytes(), "v1.ndjson")
    };
    let loaded = ndjson(&v1);
    assert_clean(&loaded, "a Signing v1");
    let written = serde_json::to_value(&loaded.accepted[5].proposed).expect("serialize");
    assert_eq!(written["schema_version"], json!(4));
    assert_eq!(written["payload"]["documents"], json!([{"title": "Joint statement", "kind": "other"}]));
    assert_valid(&s.record, &written, "the upcast Signing");
    let loaded = ndjson(&v2_with_strings);
    assert_eq!(loaded.rejected, 1);
    assert_eq!(loaded.diagnostics[0].field, "payload.documents[0]");
}

#[test]
fn media_and_rich_text_pass_the_schema_and_the_loader_and_hostile_ones_fail_both() {
    let s = schemas();
    let event = |payload_extra: Value| {
        let mut payload = json!({"occurred": "2024-05-16", "title": "A day", "summary": "One two",
            "sources": [{"publisher": "P", "title": "T"}]});
        for (k, v) in payload_extra.as_object().expect("object") {
            payload[k] = v.clone();
        }
        json!({"id": "e1", "type": "Other", "payload": payload})
    };
    let good = event(json!({
        "media": {"url": "https://example.org/hall.jpg", "kind": "image", "caption": "The hall",
                  "credit": "Photo: P", "alt": "A long table", "licence": "CC BY 4.0",
                  "thumbnail": "https://example.org/hall-small.jpg", "title": "Hall", "link": "https://example.org/"},
        "summary_html": "<p>One <a href=\"https://example.org/\" rel=\"noopener\">two</a></p>",
        "title_html": "A <em>day</em>"}));
    assert_valid(&s.record, &good, "an event with media and rich text");
    let doc = |records: Vec<Value>| json!({"annals": 1, "events": records});
    assert_clean(&load_bytes(&document_bytes(&doc(vec![good])), "media.json"), "an event with media");

    // (what, payload fields, the loader's field)
    let hostile = [
        ("a javascript: medium", json!({"media": {"url": "javascript:alert(1)"}}), "payload.media.url"),
        (
            "a data: thumbnail",
            json!({"media": {"url": "https://x.example/a.png", "thumbnail": "data:text/html,x"}}),
            "payload.media.thumbnail",
        ),
        ("a medium without address", json!({"media": {"caption": "c"}}), "payload.media.url"),
        ("an unknown kind", json!({"media": {"url": "https://x.example/", "kind": "hologram"}}), "payload.media.kind"),
        ("a script", json!({"summary_html": "<p>One</p><script>alert(1)</script>two"}), "payload.summary_html"),
        ("an event handler", json!({"summary_html": "<p onmouseover=\"x()\">One two</p>"}), "payload.summary_html"),
        (
            "a javascript: link",
            json!({"summary_html": "<a href=\"javascript:x()\">One two</a>"}),
            "payload.summary_html",
        ),
        (
            "an iframe",
            json!({"summary_html": "<iframe src=\"https://x.example\"></iframe>One two"}),
            "payload.summary_html",
        ),
        ("a style", json!({"title_html": "<b style=\"x\">A day</b>"}), "payload.title_html"),
    ];
    for (what, fields, field) in hostile {
        let record = event(fields);
        assert!(!s.record.is_valid(&record), "the schema accepted {what}");
        let loaded = load_bytes(&document_bytes(&doc(vec![record])), "hostile.json");
        assert_eq!(loaded.accepted.len(), 0, "{what}");
        assert_eq!(loaded.diagnostics[0].field, field, "{what}: {:?}", loaded.diagnostics);
        assert!(!loaded.diagnostics[0].message.contains("Option<"), "{what}: {}", loaded.diagnostics[0].message);
    }
    // Rich text that says other words than its plain twin passes the schema, not the loader.
    let other_words = event(json!({"summary_html": "<p>Three four</p>"}));
    let loaded = load_bytes(&document_bytes(&doc(vec![other_words])), "words.json");
    assert_eq!(loaded.diagnostics[0].field, "payload.summary_html");

    // The introduction of a document.
    let mut with_intro = doc(vec![]);
    with_intro["introduction"] = json!({"text": "Why", "text_html": "<p><em>Why</em></p>",
        "media": {"url": "https://example.org/v", "kind": "video"}, "codes": {"timelinejs:background.color": "#000"}});
    assert_valid(&s.document, &with_intro, "a document with an introduction");
    let loaded = load_bytes(&document_bytes(&with_intro), "intro.json");
    assert_clean(&loaded, "a document with an introduction");
    assert_eq!(loaded.introduction.and_then(|i| i.media).map(|m| m.url), Some("https://example.org/v".to_owned()));
    with_intro["introduction"]["media"]["url"] = json!("javascript:x()");
    assert!(!s.document.is_valid(&with_intro));
    let loaded = load_bytes(&document_bytes(&with_intro), "intro.json");
    assert_eq!(loaded.diagnostics[0].field, "introduction.media.url");
    assert!(loaded.introduction.is_none());
}

#[test]
fn invalid_ndjson_is_rejected_record_by_record() {
    let s = schemas();
    let file = "data/examples/invalid.ndjson";
    let bytes = read(file);
    let loaded = load_bytes(&bytes, file);
    assert_eq!(loaded.format, Format::AnnalsNdjson);
    assert_eq!(loaded.accepted.len(), 3);
    assert_eq!(loaded.rejected, 5);
    let got: Vec<(Option<usize>, Option<usize>, &str)> =
        loaded.diagnostics.iter().map(|d| (d.line, d.record, d.field.as_str())).collect();
    assert_eq!(
        got,
        [
            (Some(7), Some(4), "payload.sources"),
            (Some(9), Some(5), "payload.host"),
            (Some(11), Some(6), "payload.occurred"),
            (Some(13), Some(7), "payload.host"),
            (Some(15), Some(8), "payload.count"),
        ],
        "{:#?}",
        loaded.diagnostics
    );
    assert!(loaded.diagnostics[1].message.contains("unknown actor \"arm\""));
    assert!(loaded.diagnostics[2].message.contains("day 30"));
    assert!(loaded.diagnostics[4].message.contains("cannot be smaller"));

    // Each bad record is announced by a comment on the line above it.
    let text = String::from_utf8(bytes).expect("utf-8");
    let all: Vec<&str> = text.lines().collect();
    for d in &loaded.diagnostics {
        let line = d.line.expect("line");
        assert!(all[line - 2].starts_with("// "), "no comment above line {line}");
    }

    // The schema sees the mistakes of a single record; an unregistered actor and a count
    // smaller than its titles need the rest of the file, and only the loader sees them.
    let rejected_by_schema: Vec<usize> =
        data_lines(&text).into_iter().filter(|(_, v)| !s.record.is_valid(v)).map(|(line, _)| line).collect();
    assert_eq!(rejected_by_schema, [7, 11, 13]);
}

#[test]
fn date_patterns_agree_with_the_parser() {
    let date = validator(&format!("{BASE}{RECORD}#/$defs/partialDate"));
    let years =
        [-9999, -2000, -1900, -400, -100, -44, -4, -1, 0, 1, 4, 100, 400, 1900, 1993, 2000, 2023, 2024, 2100, 9999];
    let mut checked = 0;
    for y in years {
        let year = if y < 0 { format!("-{:04}", -y) } else { format!("{y:04}") };
        let mut texts = vec![year.clone()];
        for m in 0..=13 {
            texts.push(format!("{year}-{m:02}"));
            for d in 0..=32 {
                texts.push(format!("{year}-{m:02}-{d:02}"));
            }
        }
        for text in texts {
            let parsed = text.parse::<PartialDate>().is_ok();
            assert_eq!(date.is_valid(&json!(text)), parsed, "{text}: the parser says {parsed}");
            checked += 1;
        }
    }
    assert!(checked > 9000);
    // Deep time: a signed year of more digits, without a month or a day; the schema and the
    // parser agree on each.
    for text in [
        "-13800000000",
        "-13799630000",
        "-315000",
        "-10000",
        "+10000",
        "+12000",
        "-100000000000",
        "+100000000000",
        "-100000000001",
        "-999999999999",
        "10000",
        "13800000000",
        "-013800000000",
        "+0012000",
        "-13800000000-01",
        "-13800000000-01-01",
        "+12000-05-16",
    ] {
        let parsed = text.parse::<PartialDate>().is_ok();
        assert_eq!(date.is_valid(&json!(text)), parsed, "{text}: the parser says {parsed}");
    }
    // Not canonical: the schema is stricter than the parser or both refuse.
    for text in [
        "",
        "24",
        "2024-5",
        "2024-5-1",
        "2024-05-1",
        " 2024",
        "2024 ",
        "02024",
        "12345",
        "2024-05-16T10:00",
        "May 2024",
        "2024/2025",
        "+2024",
        "--2024",
    ] {
        assert!(!date.is_valid(&json!(text)), "{text:?} passed the schema");
    }

    let occurred = validator(&format!("{BASE}{RECORD}#/$defs/occurred"));
    for text in
        ["2009", "2024-02", "2024-05-16/2024-05-17", "2006-10/2006-11-02", "-0044-03-15", "-538800000/-251902000"]
    {
        assert!(occurred.is_valid(&json!(text)), "{text}");
        assert!(text.parse::<annals_core::Occurred>().is_ok(), "{text}");
    }
    for text in ["2024-05-16/", "/2024", "2024-02-30/2024-03-01", "2024 / 2025", "2024/2025/2026"] {
        assert!(!occurred.is_valid(&json!(text)), "{text:?} passed the schema");
    }

    let timestamp = validator(&format!("{BASE}{RECORD}#/$defs/timestamp"));
    for text in [
        "2026-11-26T10:00:00Z",
        "2026-11-26t10:00:00z",
        "2026-11-26 10:00:00Z",
        "2024-05-16T13:30:00.250+04:00",
        "2024-02-29T23:59:60-01:30",
    ] {
        assert!(timestamp.is_valid(&json!(text)), "{text}");
        assert!(text.parse::<Timestamp>().is_ok(), "{text}");
    }
    for text in [
        "2024-05-16",
        "2024-05-16T10:00Z",
        "2024-05-16T25:00:00Z",
        "2024-05-16T10:00:00+0400",
        "2023-02-29T10:00:00Z",
        "2024-05-16T10:00:00",
    ] {
        assert!(!timestamp.is_valid(&json!(text)), "{text:?} passed the schema");
        assert!(text.parse::<Timestamp>().is_err(), "{text:?} passed the parser");
    }
}

#[test]
fn id_and_link_patterns_agree_with_the_checks() {
    let event_id = validator(&format!("{BASE}{RECORD}#/$defs/eventId"));
    let actor_id = validator(&format!("{BASE}{RECORD}#/$defs/actorId"));
    let stream = validator(&format!("{BASE}{ENVELOPE}#/properties/stream"));
    let url = validator(&format!("{BASE}{RECORD}#/$defs/source/properties/url"));
    let long = |n: usize| "x".repeat(n);
    let names = [
        String::new(),
        "a".into(),
        "aze".into(),
        "actor:aze".into(),
        "2024-05-16-state-visit".into(),
        "has space".into(),
        "Lukashenko".into(),
        "-x".into(),
        ".hidden".into(),
        "../etc".into(),
        "a_b.c".into(),
        "a@b+c/d".into(),
        "é".into(),
        "a\tb".into(),
        long(64),
        long(65),
        long(128),
        long(129),
    ];
    for name in &names {
        let v = json!(name);
        assert_eq!(event_id.is_valid(&v), check_event_id(name).is_ok(), "event id {name:?}");
        assert_eq!(actor_id.is_valid(&v), check_actor_id(name).is_ok(), "actor id {name:?}");
        assert_eq!(stream.is_valid(&v), check_stream(name).is_ok(), "stream {name:?}");
    }
    for link in [
        "https://president.az/en/articles/view/30780",
        "http://a",
        "https://a?x#y",
        "https://",
        "https:///path",
        "https://?q",
        "ftp://example.org",
        "HTTPS://example.org",
        "javascript:alert(1)",
        "https://example.org/a b",
        "https://example.org/\u{a0}",
        "https://example.org/\u{85}",
        "https://example.org/\u{7f}",
        " https://example.org",
    ] {
        assert_eq!(url.is_valid(&json!(link)), check_url(link).is_ok(), "url {link:?}");
    }
}
