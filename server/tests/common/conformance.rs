//! The store conformance suite: what every [`Store`] backend must do, written once.
//!
//! `run(make)` takes a function that makes a fresh, empty store (asynchronously: a
//! PostgreSQL store connects) and runs every case on its own store. The reference for "what the answer must be" is the in-memory
//! [`annals_core::Log`]: a store accepts, refuses and numbers exactly as it does.

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::Arc;

use annals_core::{AppendError, ExpectedVersion, Log, Proposed, StreamName, Timestamp};
use annals_server::store::{Store, StoreError};

use super::{actor_json, call, call_json, countries, record};

fn s(name: &str) -> StreamName {
    StreamName::from(name)
}

/// Runs every case, each on a fresh store from `make`.
pub async fn run<S: Store, F: Future<Output = S>>(make: impl Fn() -> F) {
    empty_store_reads_nothing(make().await).await;
    batches_get_gapless_positions_across_streams(make().await).await;
    reads_page_by_position(make().await).await;
    reposting_returns_the_original_positions(make().await).await;
    ids_reused_or_partly_stored_are_refused(make().await).await;
    expected_versions_guard_the_stream(make().await).await;
    invalid_batches_change_nothing(make().await).await;
    the_same_operations_give_the_same_answers_as_the_in_memory_log(make().await).await;
    for seed in 1..=5 {
        random_operations_give_the_same_answers_as_the_in_memory_log(make().await, seed).await;
    }
    concurrent_appends_are_all_stored_gaplessly(Arc::new(make().await)).await;
    concurrent_writers_with_the_same_expected_version_one_wins(Arc::new(make().await)).await;
    subscribers_see_the_last_committed_position(make().await).await;
    corrections_queued_together_see_each_other(make().await).await;
}

async fn positions_of_all(store: &dyn Store) -> Vec<u64> {
    store.read_all(0, usize::MAX >> 1).await.expect("read all").iter().map(|e| e.position).collect()
}

async fn empty_store_reads_nothing<S: Store>(store: S) {
    assert!(store.streams().await.expect("streams").is_empty());
    assert!(store.read_all(0, 10).await.expect("read").is_empty());
    let page = store.read_stream(s("nothing"), 0, 10).await.expect("read stream");
    assert_eq!((page.version, page.events.len()), (0, 0));
    assert_eq!(*store.subscribe().borrow(), 0);
}

async fn batches_get_gapless_positions_across_streams<S: Store>(store: S) {
    let a = store.append(s("a"), ExpectedVersion::NoStream, countries()).await.expect("a");
    assert_eq!((a.positions.clone(), a.version, a.duplicate), (vec![1, 2], 2, false));
    let mut b_batch = countries();
    for p in &mut b_batch {
        p.id = format!("b-{}", p.id).into();
    }
    let b = store.append(s("b"), ExpectedVersion::Any, b_batch).await.expect("b");
    assert_eq!((b.positions.clone(), b.version), (vec![3, 4], 2));
    let a2 = store.append(s("a"), ExpectedVersion::Exact(2), vec![call("c1"), call("c2")]).await.expect("a2");
    assert_eq!((a2.positions.clone(), a2.version), (vec![5, 6], 4));
    assert_eq!(positions_of_all(&store).await, vec![1, 2, 3, 4, 5, 6]);
    let streams = store.streams().await.expect("streams");
    let summary: Vec<(String, u64, u64)> =
        streams.iter().map(|i| (i.stream.to_string(), i.version, i.last_position)).collect();
    assert_eq!(summary, vec![("a".into(), 4, 6), ("b".into(), 2, 4)]);
    let page = store.read_stream(s("a"), 0, 100).await.expect("page");
    assert_eq!(page.version, 4);
    assert_eq!(page.events.iter().map(|e| e.position).collect::<Vec<_>>(), vec![1, 2, 5, 6]);
    assert!(page.events.iter().all(|e| e.stream.as_str() == "a"));
    assert_eq!(page.events[2].id.as_str(), "c1");
    assert_eq!(page.events[2].event, call("c1").event, "the stored event reads back equal");
}

async fn reads_page_by_position<S: Store>(store: S) {
    store.append(s("a"), ExpectedVersion::Any, countries()).await.expect("countries");
    let calls: Vec<Proposed> = (0..10).map(|i| call(&format!("c{i}"))).collect();
    store.append(s("a"), ExpectedVersion::Any, calls).await.expect("calls");
    let first = store.read_all(0, 5).await.expect("first");
    assert_eq!(first.iter().map(|e| e.position).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5]);
    let next = store.read_all(5, 5).await.expect("next");
    assert_eq!(next.iter().map(|e| e.position).collect::<Vec<_>>(), vec![6, 7, 8, 9, 10]);
    let page = store.read_stream(s("a"), 10, 5).await.expect("tail");
    assert_eq!(page.events.iter().map(|e| e.position).collect::<Vec<_>>(), vec![11, 12]);
    assert_eq!(page.version, 12);
}

async fn reposting_returns_the_original_positions<S: Store>(store: S) {
    store.append(s("a"), ExpectedVersion::Any, countries()).await.expect("countries");
    let first = store.append(s("a"), ExpectedVersion::Any, vec![call("c1"), call("c2")]).await.expect("first");
    let again = store.append(s("a"), ExpectedVersion::Exact(0), vec![call("c1"), call("c2")]).await.expect("again");
    assert_eq!(again.positions, first.positions);
    assert!(again.duplicate);
    assert_eq!(again.version, 4);
    assert_eq!(positions_of_all(&store).await, vec![1, 2, 3, 4], "nothing new was written");
}

async fn ids_reused_or_partly_stored_are_refused<S: Store>(store: S) {
    store.append(s("a"), ExpectedVersion::Any, countries()).await.expect("countries");
    store.append(s("a"), ExpectedVersion::Any, vec![call("c1")]).await.expect("c1");
    let other = record(&call_json("c1", "2020", "aze", "blr"));
    let err = store.append(s("a"), ExpectedVersion::Any, vec![other]).await.expect_err("other content");
    assert!(matches!(err, StoreError::Rejected(AppendError::IdReused { position: 3, .. })), "{err:?}");
    let err = store.append(s("b"), ExpectedVersion::Any, vec![call("c1")]).await.expect_err("other stream");
    assert!(matches!(err, StoreError::Rejected(AppendError::IdReused { .. })), "{err:?}");
    let err = store.append(s("a"), ExpectedVersion::Any, vec![call("c1"), call("c2")]).await.expect_err("partly");
    assert!(matches!(err, StoreError::Rejected(AppendError::PartlyAppended { existing: 1, total: 2 })), "{err:?}");
    assert_eq!(positions_of_all(&store).await, vec![1, 2, 3]);
}

async fn expected_versions_guard_the_stream<S: Store>(store: S) {
    store.append(s("a"), ExpectedVersion::NoStream, countries()).await.expect("new stream");
    let err = store.append(s("a"), ExpectedVersion::NoStream, vec![call("c1")]).await.expect_err("exists");
    assert!(matches!(err, StoreError::Rejected(AppendError::WrongVersion { actual: 2, .. })), "{err:?}");
    let err = store.append(s("a"), ExpectedVersion::Exact(1), vec![call("c1")]).await.expect_err("stale");
    assert!(matches!(err, StoreError::Rejected(AppendError::WrongVersion { actual: 2, .. })), "{err:?}");
    store.append(s("a"), ExpectedVersion::Exact(2), vec![call("c1")]).await.expect("current");
    assert_eq!(positions_of_all(&store).await, vec![1, 2, 3]);
}

async fn invalid_batches_change_nothing<S: Store>(store: S) {
    store.append(s("a"), ExpectedVersion::Any, countries()).await.expect("countries");
    let unknown_actor = record(&call_json("c1", "2024", "aze", "arm"));
    let err = store.append(s("a"), ExpectedVersion::Any, vec![call("c0"), unknown_actor]).await.expect_err("invalid");
    let StoreError::Rejected(AppendError::Invalid(problems)) = err else { panic!("not invalid: {err:?}") };
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].0, 1, "the second record of the batch");
    let err = store.append(s("a"), ExpectedVersion::Any, Vec::new()).await.expect_err("empty");
    assert_eq!(err, StoreError::Rejected(AppendError::Empty));
    let err = store.append(s("../etc"), ExpectedVersion::Any, countries()).await.expect_err("bad stream");
    assert!(matches!(err, StoreError::Rejected(AppendError::BadStream { .. })), "{err:?}");
    // Actors registered in another stream are not known here.
    let err = store.append(s("b"), ExpectedVersion::Any, vec![call("b1")]).await.expect_err("other stream's actors");
    assert!(matches!(err, StoreError::Rejected(AppendError::Invalid(_))), "{err:?}");
    assert_eq!(positions_of_all(&store).await, vec![1, 2]);
    assert_eq!(store.streams().await.expect("streams").len(), 1);
}

async fn the_same_operations_give_the_same_answers_as_the_in_memory_log<S: Store>(store: S) {
    let ops: Vec<(&str, ExpectedVersion, Vec<Proposed>)> = vec![
        ("a", ExpectedVersion::NoStream, countries()),
        ("a", ExpectedVersion::Exact(2), vec![call("c1")]),
        ("a", ExpectedVersion::Exact(2), vec![call("c2")]),
        ("a", ExpectedVersion::Any, vec![call("c1")]),
        ("b", ExpectedVersion::Any, vec![record(&actor_json("aze"))]),
        ("b", ExpectedVersion::Any, vec![record(&actor_json("xyz"))]),
        ("a", ExpectedVersion::Any, vec![call("c3"), record(&call_json("c4", "2024-02", "aze", "arm"))]),
        ("a", ExpectedVersion::Any, vec![call("c3"), call("c4")]),
        ("a", ExpectedVersion::Any, vec![call("c3"), call("c5")]),
    ];
    let mut log = Log::new();
    for (i, (stream, expected, batch)) in ops.into_iter().enumerate() {
        let want = log.append(&s(stream), expected, batch.clone(), Timestamp(0));
        let got = store.append(s(stream), expected, batch).await;
        match (want, got) {
            (Ok(w), Ok(g)) => assert_eq!(w, g, "operation {i}"),
            (Err(w), Err(StoreError::Rejected(g))) => assert_eq!(w, g, "operation {i}"),
            (w, g) => panic!("operation {i}: the log answered {w:?}, the store {g:?}"),
        }
    }
    let stored = store.read_all(0, 1000).await.expect("read");
    let expected: Vec<(u64, String, String)> =
        log.read_from(0).iter().map(|e| (e.position, e.id.to_string(), e.stream.to_string())).collect();
    let got: Vec<(u64, String, String)> =
        stored.iter().map(|e| (e.position, e.id.to_string(), e.stream.to_string())).collect();
    assert_eq!(got, expected);
}

async fn concurrent_appends_are_all_stored_gaplessly<S: Store>(store: Arc<S>) {
    store.append(s("a"), ExpectedVersion::Any, countries()).await.expect("countries");
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.append(s("a"), ExpectedVersion::Any, vec![call(&format!("c{i}"))]).await })
        })
        .collect();
    let mut positions = BTreeSet::new();
    for t in tasks {
        let done = t.await.expect("task").expect("append");
        assert!(!done.duplicate);
        positions.extend(done.positions);
    }
    assert_eq!(positions, (3..=66).collect::<BTreeSet<u64>>(), "each append got its own position");
    assert_eq!(positions_of_all(&*store).await, (1..=66).collect::<Vec<u64>>());
    assert_eq!(store.read_stream(s("a"), 0, 1).await.expect("page").version, 66);
}

async fn concurrent_writers_with_the_same_expected_version_one_wins<S: Store>(store: Arc<S>) {
    store.append(s("a"), ExpectedVersion::Any, countries()).await.expect("countries");
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(
                async move { store.append(s("a"), ExpectedVersion::Exact(2), vec![call(&format!("w{i}"))]).await },
            )
        })
        .collect();
    let mut won = 0;
    for t in tasks {
        match t.await.expect("task") {
            Ok(done) => {
                won += 1;
                assert_eq!(done.positions, vec![3]);
            }
            Err(StoreError::Rejected(AppendError::WrongVersion { actual: 3, .. })) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(won, 1);
    assert_eq!(positions_of_all(&*store).await, vec![1, 2, 3]);
}

async fn subscribers_see_the_last_committed_position<S: Store>(store: S) {
    let mut rx = store.subscribe();
    assert_eq!(*rx.borrow_and_update(), 0);
    store.append(s("a"), ExpectedVersion::Any, countries()).await.expect("countries");
    tokio::time::timeout(std::time::Duration::from_secs(5), rx.changed()).await.expect("notified").expect("open");
    assert_eq!(*rx.borrow_and_update(), 2);
    // A refused append commits nothing and notifies nothing new.
    let _ = store.append(s("a"), ExpectedVersion::NoStream, vec![call("c1")]).await;
    assert_eq!(*rx.borrow(), 2);
}

/// SplitMix64, for reproducible random operations without a dependency.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    }
}

/// 300 random appends to three streams — expected versions right, wrong and absent, ids
/// new, reposted, reused with other content or in another stream, records that do not
/// validate — answered exactly as the in-memory log answers them.
async fn random_operations_give_the_same_answers_as_the_in_memory_log<S: Store>(store: S, seed: u64) {
    let mut random = Random(seed);
    let mut log = Log::new();
    let streams = ["a", "b", "c"];
    let mut ops: Vec<(StreamName, ExpectedVersion, Vec<Proposed>)> = streams
        .iter()
        .map(|name| {
            let actors = ["aze", "blr"]
                .iter()
                .map(|a| {
                    let mut p = record(&actor_json(a));
                    p.id = format!("{name}-actor:{a}").into();
                    p
                })
                .collect();
            (s(name), ExpectedVersion::Any, actors)
        })
        .collect();
    for _ in 0..300 {
        let stream = s(streams[random.below(3) as usize]);
        let version = log.version(&stream);
        let expected = match random.below(4) {
            0 => ExpectedVersion::Exact(version),
            1 => ExpectedVersion::Exact(version.saturating_sub(1 + random.below(2))),
            2 => ExpectedVersion::NoStream,
            _ => ExpectedVersion::Any,
        };
        let batch = (0..1 + random.below(3))
            .map(|_| {
                let id = format!("e{}", random.below(40));
                let year = 2020 + random.below(2);
                let other = if random.below(6) == 0 { "arm" } else { "blr" };
                record(&call_json(&id, &year.to_string(), "aze", other))
            })
            .collect();
        ops.push((stream, expected, batch));
    }
    let mut outcomes = BTreeSet::new();
    for (i, (stream, expected, batch)) in ops.into_iter().enumerate() {
        let want = log.append(&stream, expected, batch.clone(), Timestamp(0));
        outcomes.insert(match &want {
            Ok(done) if done.duplicate => "duplicate",
            Ok(_) => "appended",
            Err(AppendError::WrongVersion { .. }) => "wrong version",
            Err(AppendError::IdReused { .. }) => "id reused",
            Err(AppendError::PartlyAppended { .. }) => "partly appended",
            Err(AppendError::Invalid(_)) => "invalid",
            Err(_) => "other",
        });
        let got = store.append(stream, expected, batch).await;
        match (want, got) {
            (Ok(w), Ok(g)) => assert_eq!(w, g, "seed {seed}, operation {i}"),
            (Err(w), Err(StoreError::Rejected(g))) => assert_eq!(w, g, "seed {seed}, operation {i}"),
            (w, g) => panic!("seed {seed}, operation {i}: the log answered {w:?}, the store {g:?}"),
        }
    }
    let expected_outcomes =
        BTreeSet::from(["appended", "duplicate", "wrong version", "id reused", "partly appended", "invalid"]);
    assert_eq!(outcomes, expected_outcomes, "seed {seed}: the operations cover every answer");
    let stored = store.read_all(0, 100_000).await.expect("read");
    assert_eq!(stored.len(), log.len(), "seed {seed}");
    for (got, want) in stored.iter().zip(log.read_from(0)) {
        assert_eq!(
            (got.position, &got.id, &got.stream, &got.event),
            (want.position, &want.id, &want.stream, &want.event)
        );
    }
    let streams: Vec<(StreamName, u64)> =
        store.streams().await.expect("streams").into_iter().map(|i| (i.stream, i.version)).collect();
    let want: Vec<(StreamName, u64)> = log.streams().into_iter().map(|i| (i.stream, i.version)).collect();
    assert_eq!(streams, want, "seed {seed}");
}

/// A `Corrected` record of `target` with these changes, as JSON.
fn correction(id: &str, target: &str, changes: &str) -> Proposed {
    record(&format!(
        r#"{{"id":"{id}","type":"Corrected","payload":{{"target":"{target}","changes":{changes},"sources":[{{"publisher":"Test","title":"Erratum {id}"}}]}}}}"#
    ))
}

/// What an append should come to: accepted, or refused because the batch is invalid, or
/// because an id is used by another event.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Should {
    Accept,
    BeInvalid,
    ReuseAnId,
}

/// The rules hold across restarts: a reopened store rebuilds what planning needs from its
/// table, and a correction is checked against its target as corrected so far, read back
/// from the store. `open` opens the *same* store each time (a file, a schema). Each step is
/// answered as the in-memory log answers it, and as written beside it; the store is closed
/// and reopened between the steps marked so.
pub async fn across_restarts<S: Store, F: Future<Output = S>>(open: impl Fn() -> F) {
    let summaries = r#"{"summaries":{"ru":{"text":"Разговор","origin":"translation"}}}"#;
    let steps: Vec<(bool, Vec<Proposed>, Should)> = vec![
        (false, [countries(), vec![call("c1"), call("c2"), call("c3")]].concat(), Should::Accept),
        // Translations of a summary need the summary: refused before the first correction.
        (false, vec![correction("k0", "c1", summaries)], Should::BeInvalid),
        (false, vec![correction("k1", "c1", r#"{"summary":"They talked"}"#)], Should::Accept),
        (
            false,
            vec![record(
                r#"{"id":"r2","type":"Retracted","payload":{"target":"c2","reason":"Never happened","sources":[{"publisher":"Test","title":"Erratum"}]}}"#,
            )],
            Should::Accept,
        ),
        (false, vec![correction("k2", "actor:blr", r#"{"kind":"commission"}"#)], Should::Accept),
        // After a restart: checked against the summary the first correction added.
        (true, vec![correction("k3", "c1", summaries)], Should::Accept),
        // Again, after another: removing the summary now leaves its translations alone.
        (true, vec![correction("k4", "c1", r#"{"summary":null}"#)], Should::BeInvalid),
        (false, vec![correction("k5", "c1", r#"{"title":"Call about gas"}"#)], Should::Accept),
        // A retracted event stays retracted.
        (true, vec![correction("k6", "c2", r#"{"title":"Still wrong"}"#)], Should::BeInvalid),
        // Actor registrations can be corrected; their kind stays corrected.
        (true, vec![correction("k7", "actor:aze", r#"{"names":{"ru":"Азербайджан"}}"#)], Should::Accept),
        (false, vec![correction("k8", "actor:aze", r#"{"names":{"en":""}}"#)], Should::BeInvalid),
        (true, vec![record(&meeting("m1", "blr"))], Should::Accept),
        (false, vec![record(&meeting("m2", "aze"))], Should::BeInvalid),
        // Ids: the same event again is a duplicate; other content under a used id is refused.
        (true, vec![call("c3")], Should::Accept),
        (false, vec![correction("k1", "c1", r#"{"summary":"They talked"}"#)], Should::Accept),
        (false, vec![correction("k1", "c1", r#"{"summary":"Something else"}"#)], Should::ReuseAnId),
        (false, vec![record(&call_json("c1", "2020", "aze", "blr"))], Should::ReuseAnId),
        // A new event, corrected only after a restart.
        (false, vec![call("c4")], Should::Accept),
        (true, vec![correction("k9", "c4", r#"{"summary":"Oil"}"#)], Should::Accept),
        (false, vec![correction("k10", "c4", summaries)], Should::Accept),
    ];
    let stream = s("restarts");
    let mut log = Log::new();
    let mut store = Some(open().await);
    for (i, (restart, batch, should)) in steps.into_iter().enumerate() {
        if restart {
            drop(store.take());
            store = Some(open().await);
        }
        let Some(current) = store.as_ref() else { unreachable!("opened above") };
        let want = log.append(&stream, ExpectedVersion::Any, batch.clone(), Timestamp(0));
        let got = current.append(stream.clone(), ExpectedVersion::Any, batch).await;
        let came = match &got {
            Ok(_) => Should::Accept,
            Err(StoreError::Rejected(AppendError::Invalid(_))) => Should::BeInvalid,
            Err(StoreError::Rejected(AppendError::IdReused { .. })) => Should::ReuseAnId,
            Err(e) => panic!("step {i}: {e}"),
        };
        assert_eq!(came, should, "step {i}: {got:?}");
        match (want, got) {
            (Ok(w), Ok(g)) => assert_eq!(w, g, "step {i}"),
            (Err(w), Err(StoreError::Rejected(g))) => assert_eq!(w, g, "step {i}"),
            (w, g) => panic!("step {i}: the log answered {w:?}, the store {g:?}"),
        }
    }
    let Some(store) = store else { unreachable!("open") };
    assert_eq!(positions_of_all(&store).await, (1..=log.len() as u64).collect::<Vec<_>>());
}

/// A commission meeting of `commission`, as JSON.
fn meeting(id: &str, commission: &str) -> String {
    format!(
        r#"{{"id":"{id}","type":"CommissionMeeting","payload":{{"occurred":"2024","title":"Meeting {id}","commission":"{commission}","sources":[{{"publisher":"Test","title":"Report {id}"}}]}}}}"#
    )
}

/// Two appends queued together (likely one commit group): the second corrects what the
/// first just corrected, and is checked against it, not against the event as stored before.
async fn corrections_queued_together_see_each_other<S: Store>(store: S) {
    let calls: Vec<Proposed> = (0..10).map(|i| call(&format!("c{i}"))).collect();
    store.append(s("a"), ExpectedVersion::Any, [countries(), calls].concat()).await.expect("calls");
    let summaries = r#"{"summaries":{"ru":{"text":"Разговор","origin":"translation"}}}"#;
    for i in 0..10 {
        let first = store.append(
            s("a"),
            ExpectedVersion::Any,
            vec![correction(&format!("s{i}"), &format!("c{i}"), r#"{"summary":"They talked"}"#)],
        );
        let second =
            store.append(s("a"), ExpectedVersion::Any, vec![correction(&format!("t{i}"), &format!("c{i}"), summaries)]);
        let (first, second) = futures_util::join!(first, second);
        first.expect("the summary");
        second.expect("its translations, over the summary");
    }
    let refused = store.append(s("a"), ExpectedVersion::Any, vec![correction("u0", "c0", r#"{"summary":null}"#)]).await;
    assert!(matches!(refused, Err(StoreError::Rejected(AppendError::Invalid(_)))), "{refused:?}");
    assert_eq!(positions_of_all(&store).await, (1..=32).collect::<Vec<u64>>());
}
