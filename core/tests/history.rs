//! Views as of a log position from the kept history equal a fold of the log up to that
//! position, on both clocks (as of a position, and as of a position and a date), for every
//! view (figures, graph whole, windowed and ego, timeline), at positions on, before and
//! after checkpoints, after a bulk fold (two threads) and after appends folded one by one,
//! and with actors registered and corrected partway.

#![cfg(not(target_arch = "wasm32"))]

use std::sync::Arc;

use annals_core::event::{
    ActorKind, ActorRegistration, Correction, DomainEvent, Participant, Retraction, Role, Source,
};
use annals_core::projection::{AsOf, GraphQuery, Projections};
use annals_core::synth::{synthetic_log, SynthOptions};
use annals_core::{Envelope, Event, EventKind, Occurred, PartialDate};

fn date(text: &str) -> PartialDate {
    text.parse().expect("date")
}

/// A synthetic log of `events` with, partway, a new actor, its talks, its correction into a
/// place, a retraction, an event corrected into another year, and another new actor whose
/// one event is corrected at once.
fn log(events: usize) -> Vec<Envelope> {
    let synthetic = synthetic_log(SynthOptions { events, countries: 12, from_year: 1980, to_year: 2000, seed: 7 });
    let source = Source { publisher: "Wire".into(), title: Some("Report".into()), ..Source::default() };
    let talks = |with: &str, year: i64| {
        let mut e = DomainEvent::new(Occurred::on(PartialDate::year(year).expect("year")), "Talks");
        e.sources.push(source.clone());
        e.actors = vec![
            Participant { actor: "c1".into(), role: Role::Participant },
            Participant { actor: with.into(), role: Role::Participant },
        ];
        Event::Domain(EventKind::Talks, Arc::new(e))
    };
    let mut to_place = serde_json::Map::new();
    to_place.insert("kind".into(), serde_json::Value::from("place"));
    let mut to_1999 = serde_json::Map::new();
    to_1999.insert("occurred".into(), serde_json::Value::from("1999-05-02"));
    let correction = |target: &str, changes| {
        Event::Corrected(Box::new(Correction { target: target.into(), changes, reason: None, sources: vec![] }))
    };
    let extra = vec![
        ("actor:x", Event::ActorRegistered(Box::new(ActorRegistration::new("x", ActorKind::Person, "Mr X")))),
        ("t-x", talks("x", 1985)),
        ("t-x2", talks("x", 1990)),
        ("fix-x", correction("actor:x", to_place)),
        ("t-x3", talks("x", 1991)),
        ("move-t-x2", correction("t-x2", to_1999.clone())),
        (
            "drop-t-x",
            Event::Retracted(Box::new(Retraction { target: "t-x".into(), reason: "wrong".into(), sources: vec![] })),
        ),
        // An event that alone joins two actors, corrected just after: a read that takes the
        // changes back out of a later checkpoint must take the correction out first.
        ("actor:y", Event::ActorRegistered(Box::new(ActorRegistration::new("y", ActorKind::Person, "Ms Y")))),
        ("t-y", talks("y", 1986)),
        ("move-t-y", correction("t-y", to_1999.clone())),
    ];
    annals_core::synth::spliced(&synthetic, synthetic.len() / 3, extra)
}

/// Every view of `kept` as of `position` against a fold of `log` up to it.
fn check(kept: &Projections, log: &[Envelope], position: u64) {
    let at = kept.at_position(position).expect("a history");
    let folded = Projections::fold(log, AsOf { position: Some(position), date: None });
    assert_eq!(at.stats(None), folded.stats_view(), "stats as of position {position}");
    for d in ["1979", "1985", "1990-06", "1990-06-15", "1999-05-01", "1999-05-02", "2000"] {
        let d = date(d);
        let by_date = Projections::fold(log, AsOf { position: Some(position), date: Some(d) });
        assert_eq!(at.stats(Some(d)), by_date.stats_view(), "stats as of position {position} and {d}");
    }
    let windows = [
        None,
        Some((date("1985").first_day(), date("1990").last_day())),
        Some((date("1984-03-10").first_day(), date("1991-07").last_day())),
        Some((date("1990-02").first_day(), date("1990-11-20").last_day())),
        Some((i64::MIN, date("1987-04").last_day())),
        Some((date("1999-05-02").first_day(), i64::MAX)),
    ];
    for window in windows {
        for ego in [None, Some("c1".into()), Some("x".into())] {
            let query = GraphQuery { window, ego };
            assert_eq!(at.graph(&query), folded.graph_view(&query), "graph as of position {position}, {query:?}");
        }
    }
    let entries = |t: &annals_core::projection::Timeline| serde_json::to_string(&t.entries().collect::<Vec<_>>());
    assert_eq!(
        entries(&at.timeline()).expect("json"),
        entries(&folded.timeline).expect("json"),
        "timeline as of position {position}"
    );
}

/// Positions around every `every`-th envelope, the start, the special events and the end,
/// and in the later half of the checkpoints' intervals (where a read starts from the next
/// checkpoint and takes the changes back out of it).
fn positions(log: &[Envelope], every: usize) -> Vec<u64> {
    let last = log.len() as u64;
    let mut at = vec![
        0,
        1,
        2,
        last / 3 + 1,
        last / 3 + 3,
        last / 3 + 5,
        last / 3 + 7,
        last / 3 + 9,
        last / 3 + 10,
        last - 1,
        last,
        last + 10,
    ];
    for k in (every as u64..last).step_by(every * 3) {
        at.extend([k - 1, k, k + 1]);
    }
    let e = every as u64;
    at.extend([e / 2 + 7, e * 3 / 4, e * 2 - 5, last / 3 + e / 2 + 3].into_iter().filter(|p| *p < last));
    at
}

#[test]
fn views_as_of_a_position_equal_a_fold_up_to_it() {
    let every = 1000;
    let log = log(6_000);
    // Folded in two bulk folds, then prepared, then appends one by one not yet prepared (the
    // changes past the last checkpoint and the last index are read as they are).
    let mut kept = Projections::with_history_every(every);
    let (a, rest) = log.split_at(2_500);
    let (b, c) = rest.split_at(2_500);
    kept.extend(a);
    kept.extend(b);
    kept.prepare_reads();
    for env in c {
        kept.apply(env);
    }
    for position in positions(&log, every) {
        check(&kept, &log, position);
    }
    // Prepared again: the same answers from the new checkpoints.
    kept.prepare_reads();
    for position in positions(&log, every).into_iter().step_by(2) {
        check(&kept, &log, position);
    }
}

/// A read just before the special events, with the next checkpoint just after them: it
/// starts from that checkpoint and takes the changes back out of it, the last first (the
/// correction of `t-y` before `t-y` itself, or the edge it alone made stays).
#[test]
fn changes_taken_back_out_of_a_later_checkpoint_answer_as_a_fold_does() {
    let log = log(6_000);
    let mut kept = Projections::with_history_every(2_016);
    kept.extend(&log);
    kept.prepare_reads();
    let special = log.len() as u64 / 3;
    for position in special..special + 12 {
        check(&kept, &log, position);
    }
}

/// A fold large enough to run on two threads keeps the same history as one by one.
#[test]
fn a_history_kept_by_a_large_bulk_fold_answers_as_a_fold_does() {
    let log = log(60_000);
    let mut kept = Projections::with_history_every(8_192);
    kept.extend(&log);
    kept.prepare_reads();
    for position in [20_005, 41_000, log.len() as u64] {
        check(&kept, &log, position);
    }
}

/// A service asks whether a checkpoint is due to make it off its request path: due once
/// `every` changes have come since the last, not after it is made.
#[test]
fn a_checkpoint_is_due_every_so_many_changes() {
    let log = log(600);
    let mut kept = Projections::with_history_every(100);
    let mut due_at = Vec::new();
    for env in &log {
        kept.apply(env);
        if kept.checkpoint_due() {
            due_at.push(env.position);
            kept.prepare_reads();
            assert!(!kept.checkpoint_due(), "made at {}", env.position);
        }
    }
    assert!(due_at.len() >= 5, "due at {due_at:?}");
    assert!(!Projections::fold(&log, AsOf::NOW).checkpoint_due(), "no history, no checkpoint");
}

#[test]
fn projections_without_a_history_answer_no_position() {
    let p = Projections::fold(&log(100), AsOf::NOW);
    assert!(p.at_position(10).is_none());
}
