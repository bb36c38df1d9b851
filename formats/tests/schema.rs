//! What the importers make passes the record schema of `data/schema/` (core's `tests/schema.rs`
//! checks the schemas against Annals' own files and the loader).
//!
//! The schemas refer to each other by relative `$ref`; they are registered under their `$id`s
//! and the validator is built offline, so nothing is ever fetched.

use std::path::PathBuf;

use annals_core::validate::Nothing;
use annals_formats::{load, Loaded};
use jsonschema::{Registry, Validator};
use serde_json::{json, Value};

#[path = "common/corpus.rs"]
mod corpus;

const BASE: &str = "https://annals.invalid/schema/";
const RECORD: &str = "annals-record.schema.json";
const ENVELOPE: &str = "annals-envelope.schema.json";
const DOCUMENT: &str = "annals-document.schema.json";

fn read(relative: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(relative);
    std::fs::read(path).unwrap_or_else(|e| panic!("read {relative}: {e}"))
}

/// A validator for the record schema, the other two registered for its `$ref`s.
fn record_schema() -> Validator {
    let mut builder = Registry::new();
    for name in [RECORD, ENVELOPE, DOCUMENT] {
        let schema: Value = serde_json::from_slice(&read(&format!("data/schema/{name}")))
            .unwrap_or_else(|e| panic!("parse {name}: {e}"));
        builder = builder.add(format!("{BASE}{name}"), schema).unwrap_or_else(|e| panic!("register {name}: {e}"));
    }
    let registry = builder.prepare().expect("prepare the registry");
    jsonschema::options()
        .offline()
        .with_registry(&registry)
        .build(&json!({ "$ref": format!("{BASE}{RECORD}") }))
        .expect("build the record validator")
}

fn assert_valid(v: &Validator, instance: &Value, what: &str) {
    let errs: Vec<String> = v.iter_errors(instance).map(|e| format!("{}: {e}", e.instance_path())).collect();
    assert!(errs.is_empty(), "{what} should pass the schema:\n{errs:#?}");
}

fn load_bytes(bytes: &[u8], name: &str) -> Loaded {
    load(bytes, name, None, &Nothing)
}

fn assert_clean(loaded: &Loaded, what: &str) {
    assert!(loaded.is_clean(), "{what}: {:#?}", loaded.diagnostics);
    assert_eq!(loaded.rejected, 0, "{what}");
}

struct Schemas {
    record: Validator,
}

fn schemas() -> Schemas {
    Schemas { record: record_schema() }
}

/// Records made by the TimelineJS and CSV readers (derived ids, `timelinejs:` codes, era
/// tags, actors registered on the fly) are records a person could have written.
#[test]
fn what_the_importers_make_passes_the_record_schema() {
    let s = schemas();
    let mut inputs = vec![("events.csv", read("data/examples/events.csv"))];
    // The real TimelineJS file when the shared corpus is there (it says so when it is not).
    if let Some(eras) = corpus::read("timelinejs/eras.json") {
        inputs.insert(0, ("eras.json", eras));
    }
    for (name, bytes) in inputs {
        let loaded = load_bytes(&bytes, name);
        assert_clean(&loaded, name);
        assert!(!loaded.accepted.is_empty(), "{name}");
        for l in &loaded.accepted {
            let value = serde_json::to_value(&l.proposed).expect("serialize");
            assert_valid(&s.record, &value, &format!("{name} record {}", l.record));
        }
    }
}
