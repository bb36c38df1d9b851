//! Properties of the log that must hold for every sequence of appends.
//!
//! - replay equals fold: projections built append by append equal those folded from a replay;
//! - appends never reorder: positions are gapless from 1, and what was read stays as read;
//! - a rejected batch changes nothing;
//! - ids are idempotent: re-appending an accepted batch returns its positions and writes nothing.

use annals_core::event::{
    ActorKind, ActorRegistration, Claim, Correction, Dispute, DomainEvent, Participant, Retraction, Role, Source,
};
use annals_core::projection::{AsOf, GraphQuery, Level, Projections};
use annals_core::{
    ActorId, AppendError, Envelope, Event, EventId, EventKind, ExpectedVersion, Log, Occurred, PartialDate, Proposed,
    StreamName, Timestamp,
};
use proptest::prelude::*;

const STREAMS: [&str; 2] = ["alpha", "beta"];
const ACTORS: [&str; 3] = ["aze", "blr", "uzb"];

/// One step of a generated history.
#[derive(Debug, Clone)]
struct Step {
    stream: usize,
    expected: Option<u64>,
    events: Vec<Spec>,
}

/// A generated event: mostly valid, sometimes deliberately not.
#[derive(Debug, Clone)]
struct Spec {
    /// 0: correct the event `id`, 1: retract it, 2: dispute it, otherwise a domain event.
    op: u8,
    id: u8,
    kind: usize,
    year: i64,
    actor: usize,
    cite: bool,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0u8..12,
        0u8..40,
        0usize..7,
        // Now and then a year of deep time, where the views keep their counts apart.
        prop_oneof![9 => 1990i64..2026, 1 => -20_000_000_000i64..-10_000],
        0usize..4,
        prop::bool::weighted(0.9),
    )
        .prop_map(|(op, id, kind, year, actor, cite)| Spec { op, id, kind, year, actor, cite })
}

fn step() -> impl Strategy<Value = Step> {
    (0usize..2, prop::option::weighted(0.3, 0u64..6), prop::collection::vec(spec(), 1..5))
        .prop_map(|(stream, expected, events)| Step { stream, expected, events })
}

fn registrations() -> Vec<Proposed> {
    ACTORS
        .iter()
        .map(|a| {
            let actor = ActorRegistration::new(*a, ActorKind::Country, a.to_uppercase());
            Proposed::new(format!("actor:{a}"), Event::ActorRegistered(Box::new(actor)))
        })
        .collect()
}

fn proposed(stream: usize, s: &Spec) -> Proposed {
    let target = EventId::from(format!("{}-{}", STREAMS[stream], s.id));
    let source = Source { publisher: "Wire".into(), title: Some("Report".into()), ..Source::default() };
    let meta_id = format!("{}-m{}-{}-{}", STREAMS[stream], s.op, s.id, s.year);
    match s.op {
        0 => {
            let mut changes = serde_json::Map::new();
            changes.insert("occurred".into(), serde_json::Value::from(s.year.to_string()));
            changes.insert("title".into(), serde_json::Value::from(format!("Corrected {}", s.year)));
            let c = Correction { target, changes, reason: None, sources: vec![source] };
            return Proposed::new(meta_id, Event::Corrected(Box::new(c)));
        }
        1 => {
            let r = Retraction { target, reason: "recorded in error".into(), sources: vec![source] };
            return Proposed::new(meta_id, Event::Retracted(Box::new(r)));
        }
        2 => {
            let claim = |y: i64| Claim {
                value: serde_json::Value::from(y.to_string()),
                sources: vec![source.clone()],
                note: None,
            };
            let d = Dispute {
                target,
                field: "occurred".into(),
                claims: vec![claim(s.year), claim(s.year + 1)],
                note: None,
                notes: Default::default(),
            };
            return Proposed::new(meta_id, Event::Disputed(Box::new(d)));
        }
        _ => {}
    }
    let kind = EventKind::ALL[s.kind];
    let date = PartialDate::year(s.year).expect("year in range");
    let mut e = DomainEvent::new(Occurred::on(date), format!("{} {}", kind.label(), s.id));
    if s.cite {
        e.sources.push(Source { publisher: "Wire".into(), title: Some("Report".into()), ..Source::default() });
    }
    // actor index 3 names an actor nobody registered: the event is invalid.
    let a = ActorId::from(ACTORS.get(s.actor).copied().unwrap_or("nobody"));
    let b = ActorId::from(ACTORS[(s.actor + 1) % 3]);
    match kind {
        EventKind::Visit => {
            e.visitor = Some(a);
            e.host = Some(b);
        }
        EventKind::Signing => {
            e.parties = vec![a, b];
            e.count = Some(2);
        }
        EventKind::CommissionMeeting => {
            // No commission is registered: record these as talks between the two.
            return Proposed::new(format!("{}-{}", STREAMS[stream], s.id), talks(e, a, b));
        }
        _ => {
            e.actors = vec![
                Participant { actor: a, role: Role::Participant },
                Participant { actor: b, role: Role::Participant },
            ]
        }
    }
    Proposed::new(format!("{}-{}", STREAMS[stream], s.id), Event::Domain(kind, std::sync::Arc::new(e)))
}

fn talks(mut e: DomainEvent, a: ActorId, b: ActorId) -> Event {
    e.actors =
        vec![Participant { actor: a, role: Role::Participant }, Participant { actor: b, role: Role::Participant }];
    Event::Domain(EventKind::Talks, std::sync::Arc::new(e))
}

fn fresh_log() -> Log {
    let mut log = Log::new();
    for s in STREAMS {
        log.append(&StreamName::from(s), ExpectedVersion::NoStream, registrations_for(s), Timestamp(0))
            .expect("actors");
    }
    log
}

fn registrations_for(stream: &str) -> Vec<Proposed> {
    registrations()
        .into_iter()
        .map(|mut p| {
            p.id = format!("{stream}/{}", p.id).into();
            p
        })
        .collect()
}

/// The incremental views agree with a naive recomputation from the catalog.
fn consistent(p: &Projections) -> Result<(), TestCaseError> {
    let mut naive: Vec<_> = p.catalog.events().collect();
    naive.sort_by_key(|r| (r.event.occurred.first_day(), r.event.occurred.last_day(), r.position));
    let naive_ids: Vec<&str> = naive.iter().map(|r| r.id.as_str()).collect();
    let timeline_ids: Vec<&str> = p.timeline.entries().map(|r| r.id.as_str()).collect();
    prop_assert_eq!(&timeline_ids, &naive_ids, "timeline differs from the catalog");
    for r in &naive {
        let shown = p.timeline.entries().find(|t| t.id == r.id).expect("present");
        prop_assert_eq!(&shown.event, &r.event, "timeline shows a stale version of {}", r.id);
    }
    let every_day = (
        annals_core::date::days_from_civil(annals_core::date::MIN_YEAR, 1, 1),
        annals_core::date::days_from_civil(annals_core::date::MAX_YEAR, 12, 31),
    );
    for level in Level::ALL {
        let total: u32 = p.timeline.buckets(level, every_day.0, every_day.1).iter().map(|b| b.counts.total()).sum();
        prop_assert_eq!(total as usize, naive.len(), "level {:?} counts", level);
    }
    let stats = p.stats_view();
    prop_assert_eq!(stats.events as usize, naive.len());
    prop_assert_eq!(stats.disputed as usize, naive.iter().filter(|r| r.is_disputed()).count());
    prop_assert_eq!(stats.corrected as usize, naive.iter().filter(|r| !r.corrections.is_empty()).count());
    // The masthead's figures (the web page reads these, not the whole view) are the view's.
    let totals = p.totals();
    prop_assert_eq!(
        (totals.events, totals.documents, totals.disputed),
        (stats.events, stats.documents, stats.disputed)
    );
    let graph = p.graph_view(&GraphQuery::default());
    for node in &graph.nodes {
        let n = naive.iter().filter(|r| r.event.participants().iter().any(|(a, _)| **a == node.id)).count();
        prop_assert_eq!(node.activity as usize, n, "activity of {}", node.id);
    }
    Ok(())
}

/// A comparable digest of every projection of a stream.
fn digest(p: &Projections) -> String {
    let timeline: Vec<String> = p.timeline.entries().map(|r| format!("{}@{}", r.id, r.event.occurred)).collect();
    let graph = serde_json::to_string(&p.graph_view(&GraphQuery::default())).expect("graph");
    let stats = serde_json::to_string(&p.stats_view()).expect("stats");
    format!("{timeline:?}\n{graph}\n{stats}")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn log_laws_hold(steps in prop::collection::vec(step(), 1..25)) {
        let mut log = fresh_log();
        let mut live: Vec<Projections> = STREAMS.iter().map(|_| Projections::new(AsOf::NOW)).collect();
        for (i, s) in STREAMS.iter().enumerate() {
            for env in log.stream(&StreamName::from(*s)) {
                live[i].apply(env);
            }
        }
        let mut accepted: Vec<(usize, Vec<Proposed>, Vec<u64>)> = Vec::new();
        let mut outcomes = [0usize; 3];
        for (n, step) in steps.iter().enumerate() {
            let stream = StreamName::from(STREAMS[step.stream]);
            let batch: Vec<Proposed> = step.events.iter().map(|s| proposed(step.stream, s)).collect();
            let expected = step.expected.map_or(ExpectedVersion::Any, |v| ExpectedVersion::Exact(v + 3));
            let before: Vec<Envelope> = log.read_from(0).to_vec();
            match log.append(&stream, expected, batch.clone(), Timestamp(n as i64)) {
                Ok(done) if done.duplicate => {
                    outcomes[1] += 1;
                    prop_assert_eq!(log.read_from(0), &before[..], "a duplicate append wrote something");
                }
                Ok(done) => {
                    // Gapless, in order, after everything that was there.
                    let first = before.len() as u64 + 1;
                    prop_assert_eq!(done.positions.clone(), (first..first + batch.len() as u64).collect::<Vec<_>>());
                    prop_assert_eq!(&log.read_from(0)[..before.len()], &before[..], "an append changed the past");
                    for env in log.read_from(before.len() as u64) {
                        live[step.stream].apply(env);
                    }
                    accepted.push((step.stream, batch, done.positions));
                    outcomes[0] += 1;
                }
                Err(e) => {
                    outcomes[2] += 1;
                    prop_assert_eq!(log.read_from(0), &before[..], "rejected batch changed the log: {}", e);
                    if let AppendError::WrongVersion { actual, .. } = e {
                        prop_assert_eq!(actual, log.version(&stream));
                    }
                }
            }
        }
        // Positions are 1..=n with no gap and every id appears once.
        let all = log.read_from(0);
        for (i, env) in all.iter().enumerate() {
            prop_assert_eq!(env.position, i as u64 + 1);
        }
        let mut ids: Vec<&str> = all.iter().map(|e| e.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        prop_assert_eq!(ids.len(), all.len());
        // Replay equals fold.
        for (i, s) in STREAMS.iter().enumerate() {
            let stream = StreamName::from(*s);
            let replayed = Projections::fold(log.stream(&stream), AsOf::NOW);
            prop_assert_eq!(digest(&replayed), digest(&live[i]));
            consistent(&live[i])?;
        }
        // Re-appending any accepted batch is idempotent.
        let len = log.len();
        for (stream, batch, positions) in accepted {
            let again = log
                .append(&StreamName::from(STREAMS[stream]), ExpectedVersion::Exact(0), batch, Timestamp(99))
                .expect("idempotent re-append");
            prop_assert!(again.duplicate);
            prop_assert_eq!(again.positions, positions);
        }
        prop_assert_eq!(log.len(), len);
        COVERAGE.with(|c| {
            let mut c = c.borrow_mut();
            for i in 0..3 {
                c[i] += outcomes[i];
            }
        });
    }
}

thread_local! {
    static COVERAGE: std::cell::RefCell<[usize; 3]> = const { std::cell::RefCell::new([0; 3]) };
}

#[test]
fn the_generator_reaches_accepts_duplicates_and_rejections() {
    // Runs the property on its own thread, then checks that all three paths were taken,
    // so the laws above were not checked vacuously.
    log_laws_hold();
    let [ok, dup, rejected] = COVERAGE.with(|c| *c.borrow());
    assert!(ok > 100 && rejected > 100, "accepted {ok}, duplicates {dup}, rejected {rejected}");
}

#[test]
fn a_reused_id_with_other_content_is_refused() {
    let mut log = fresh_log();
    let stream = StreamName::from("alpha");
    let spec = Spec { op: 9, id: 1, kind: 4, year: 2021, actor: 0, cite: true };
    log.append(&stream, ExpectedVersion::Any, vec![proposed(0, &spec)], Timestamp(1)).expect("first");
    let changed = Spec { year: 2022, ..spec.clone() };
    let err = log.append(&stream, ExpectedVersion::Any, vec![proposed(0, &changed)], Timestamp(2)).expect_err("reuse");
    assert!(matches!(err, AppendError::IdReused { position: 7, .. }), "{err:?}");
    let other = Spec { id: 2, ..spec.clone() };
    let err = log
        .append(&stream, ExpectedVersion::Any, vec![proposed(0, &spec), proposed(0, &other)], Timestamp(3))
        .expect_err("partly appended");
    assert_eq!(err, AppendError::PartlyAppended { existing: 1, total: 2 });
    assert_eq!(log.len(), 7);
}

#[test]
fn expected_version_guards_the_stream() {
    let mut log = fresh_log();
    let stream = StreamName::from("beta");
    let e = |id| proposed(1, &Spec { op: 9, id, kind: 4, year: 2021, actor: 0, cite: true });
    assert_eq!(log.version(&stream), 3);
    let err = log.append(&stream, ExpectedVersion::Exact(2), vec![e(1)], Timestamp(1)).expect_err("stale");
    assert_eq!(
        err,
        AppendError::WrongVersion { stream: "beta".into(), expected: ExpectedVersion::Exact(2), actual: 3 }
    );
    log.append(&stream, ExpectedVersion::Exact(3), vec![e(1)], Timestamp(1)).expect("current");
    let err =
        log.append(&StreamName::from("beta"), ExpectedVersion::NoStream, vec![e(2)], Timestamp(1)).expect_err("exists");
    assert!(matches!(err, AppendError::WrongVersion { actual: 4, .. }));
    let err =
        log.append(&StreamName::from("bad name"), ExpectedVersion::Any, vec![e(3)], Timestamp(1)).expect_err("name");
    assert!(matches!(err, AppendError::BadStream { .. }));
    assert_eq!(log.append(&stream, ExpectedVersion::Any, vec![], Timestamp(1)), Err(AppendError::Empty));
}

#[test]
fn the_synthetic_log_is_valid_through_the_log() {
    let envelopes = annals_core::synth::synthetic_log(annals_core::synth::SynthOptions {
        events: 30_000,
        ..annals_core::synth::SynthOptions::default()
    });
    let batch: Vec<Proposed> = envelopes.iter().map(|e| Proposed::new(e.id.clone(), e.event.clone())).collect();
    let mut log = Log::new();
    log.append(&StreamName::from("synthetic"), ExpectedVersion::NoStream, batch, Timestamp(0)).expect("valid");
    assert_eq!(log.len(), envelopes.len());
}

/// Regression: at a million events the generator used to correct, dispute or retract events it
/// had already retracted (31 such records), which validation rightly refuses.
#[test]
fn synthetic_changes_never_target_retracted_events() {
    let envelopes = annals_core::synth::synthetic_log(annals_core::synth::SynthOptions {
        events: 300_000,
        ..annals_core::synth::SynthOptions::default()
    });
    let mut retracted = std::collections::HashSet::new();
    let mut changes = 0;
    for env in &envelopes {
        if let Some(target) = env.event.target() {
            assert!(!retracted.contains(target.as_str()), "{} targets retracted {}", env.id, target);
            changes += 1;
        }
        if let Event::Retracted(r) = &env.event {
            retracted.insert(r.target.as_str().to_owned());
        }
    }
    assert!(changes > 2500 && retracted.len() > 800, "{changes} changes, {} retracted", retracted.len());
}

/// A fold large enough to run in chunks (on two threads natively) equals folding envelope by
/// envelope, including the graph's reading of actor kinds: a place named before it is
/// registered counts as a participant, one registered first does not, and an actor corrected
/// into a place before it is named does not either.
#[test]
fn a_large_fold_equals_folding_one_by_one() {
    use annals_core::synth::{synthetic_log, SynthOptions};
    let synthetic = synthetic_log(SynthOptions { events: 60_000, countries: 20, ..SynthOptions::default() });
    let source = Source { publisher: "Wire".into(), title: Some("Report".into()), ..Source::default() };
    let talks = |with: &str| {
        let mut e = DomainEvent::new(Occurred::on(PartialDate::year(1995).expect("year")), "Talks");
        e.sources.push(source.clone());
        e.actors = vec![
            Participant { actor: "c1".into(), role: Role::Participant },
            Participant { actor: with.into(), role: Role::Participant },
        ];
        Event::Domain(EventKind::Talks, std::sync::Arc::new(e))
    };
    let place = |id: &str, kind: ActorKind| Event::ActorRegistered(Box::new(ActorRegistration::new(id, kind, id)));
    let mut to_place = serde_json::Map::new();
    to_place.insert("kind".into(), serde_json::Value::from("place"));
    let extra = vec![
        ("t-minsk", talks("minsk")),
        ("actor:minsk", place("minsk", ActorKind::Place)),
        ("actor:baku", place("baku", ActorKind::Place)),
        ("t-baku", talks("baku")),
        ("actor:x", place("x", ActorKind::Person)),
        (
            "fix-x",
            Event::Corrected(Box::new(Correction {
                target: "actor:x".into(),
                changes: to_place,
                reason: None,
                sources: vec![],
            })),
        ),
        ("t-x", talks("x")),
    ];
    let log = annals_core::synth::spliced(&synthetic, 30_000, extra);
    let views = |p: &Projections| {
        let window = GraphQuery {
            window: Some((
                PartialDate::year(1990).expect("year").first_day(),
                PartialDate::year(2000).expect("year").last_day(),
            )),
            ego: None,
        };
        let windowed = serde_json::to_string(&p.graph_view(&window)).expect("graph");
        format!("{}\n{windowed}", digest(p))
    };
    let year_2000 = PartialDate::year(2000).expect("year");
    for as_of in
        [AsOf::NOW, AsOf { position: Some(45_000), date: None }, AsOf { position: None, date: Some(year_2000) }]
    {
        let folded = Projections::fold(&log, as_of);
        let mut one_by_one = Projections::new(as_of);
        for env in &log {
            one_by_one.apply(env);
        }
        assert_eq!(views(&folded), views(&one_by_one), "as of {as_of:?}");
        let nodes: Vec<String> =
            folded.graph_view(&GraphQuery::default()).nodes.iter().map(|n| n.id.to_string()).collect();
        assert!(nodes.contains(&"minsk".to_owned()), "a place named before it was registered is a participant");
        assert!(!nodes.contains(&"baku".to_owned()) && !nodes.contains(&"x".to_owned()), "{nodes:?}");
    }
}
