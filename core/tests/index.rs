//! The writers' index answers what validation asks exactly as a catalog of the same envelopes
//! does — what each id is, whether it was retracted, each actor's kind, and a correction's
//! target's current payload rebuilt from the envelopes read back by position — on synthetic
//! logs with the awkward cases spliced in, valid or not (a store folds whatever its table holds).

use annals_core::catalog::Catalog;
use annals_core::event::{ActorKind, ActorRegistration, Correction, Event, Retraction, Source};
use annals_core::index::StreamIndex;
use annals_core::synth::{spliced, synthetic_log, SynthOptions};
use annals_core::validate::Known;
use annals_core::{Envelope, EventId};
use serde_json::{json, Value};

fn source() -> Source {
    Source { publisher: "Wire".into(), title: Some("Report".into()), ..Source::default() }
}

fn correct(target: &str, changes: Value) -> Event {
    let Value::Object(changes) = changes else { panic!("changes are an object") };
    Event::Corrected(Box::new(Correction {
        target: EventId::from(target),
        changes,
        reason: None,
        sources: vec![source()],
    }))
}

fn retract(target: &str) -> Event {
    Event::Retracted(Box::new(Retraction {
        target: EventId::from(target),
        reason: "wrong".into(),
        sources: vec![source()],
    }))
}

fn register(actor: &str, kind: ActorKind) -> Event {
    Event::ActorRegistered(Box::new(ActorRegistration::new(actor, kind, format!("Actor {actor}"))))
}

/// Folds `log` into a catalog and an index and compares their answers for every id the log
/// names (and one it does not), and every actor it registers.
fn check(log: &[Envelope]) {
    let mut catalog = Catalog::new();
    let mut index = StreamIndex::new();
    for env in log {
        catalog.apply(env);
        index.apply(env);
    }
    let reads = std::cell::Cell::new(0usize);
    let read = |position: u64| {
        reads.set(reads.get() + 1);
        log.get(position as usize - 1).cloned()
    };
    let indexed = index.known(read);
    let mut ids: Vec<&str> = log.iter().map(|e| e.id.as_str()).collect();
    ids.extend(log.iter().filter_map(|e| e.event.target()).map(EventId::as_str));
    ids.push("never-used");
    for id in ids {
        assert_eq!(indexed.event(id), Known::event(&catalog, id), "event {id}");
        assert_eq!(indexed.payload(id), catalog.payload(id), "payload {id}");
    }
    let actors = log.iter().filter_map(|e| match &e.event {
        Event::ActorRegistered(a) => Some(a.actor.as_str()),
        _ => None,
    });
    for actor in actors.chain(["nobody"]) {
        assert_eq!(indexed.actor_kind(actor), catalog.actor_kind(actor), "actor {actor}");
    }
    assert!(reads.get() > 0, "payloads were read back");
}

#[test]
fn the_index_answers_as_the_catalog_on_synthetic_logs() {
    for seed in 1..=3 {
        check(&synthetic_log(SynthOptions { events: 5_000, countries: 12, seed, ..SynthOptions::default() }));
    }
}

#[test]
fn the_index_answers_as_the_catalog_on_awkward_cases() {
    let synthetic = synthetic_log(SynthOptions { events: 400, countries: 6, ..SynthOptions::default() });
    let extra = vec![
        // Corrected twice: the second patch applies over the first.
        ("x1", correct("e10", json!({"title": "First fix"}))),
        ("x2", correct("e10", json!({"summary": "Second fix"}))),
        // A correction that does not decode is skipped by both.
        ("x3", correct("e11", json!({"occurred": "not a date"}))),
        ("x4", correct("e11", json!({"title": "Applies"}))),
        // Retracted, then corrected: the correction is ignored.
        ("x5", retract("e12")),
        ("x6", correct("e12", json!({"title": "Too late"}))),
        ("x7", retract("e12")),
        // A change of a change, of itself, of nothing.
        ("x8", correct("x1", json!({"title": "Of a correction"}))),
        ("x9", correct("x9", json!({"title": "Of itself"}))),
        ("x10", correct("nothing", json!({"title": "Of nothing"}))),
        ("x11", retract("actor:c1")),
        // An actor corrected into another kind, and registered twice.
        ("x12", correct("actor:c2", json!({"kind": "organization"}))),
        ("x13", register("c2", ActorKind::Person)),
        ("x14", register("new", ActorKind::Place)),
        ("x15", correct("actor:c3", json!({"kind": 5}))),
        // An id used again, by another kind of event.
        ("e13", register("dup", ActorKind::Country)),
        ("x16", correct("e13", json!({"title": "Of the first e13"}))),
    ];
    check(&spliced(&synthetic, 300, extra));
}
