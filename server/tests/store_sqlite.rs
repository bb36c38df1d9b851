//! The SQLite store: the conformance suite, restart recovery and the file's integrity checks.

mod common;

use annals_core::{ExpectedVersion, StreamName};
use annals_server::store::sqlite::SqliteStore;
use annals_server::store::{Store, StoreError};
use common::{call, countries, TempDb};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_passes_the_conformance_suite() {
    let db = TempDb::new();
    common::conformance::run(|| std::future::ready(db.store())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_keeps_the_rules_across_restarts() {
    let db = TempDb::new();
    let path = db.path();
    common::conformance::across_restarts(|| std::future::ready(SqliteStore::open(&path).expect("open"))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reopened_store_has_everything_and_continues_gaplessly() {
    let db = TempDb::new();
    let path = db.path();
    let stream = StreamName::from("a");
    {
        let store = SqliteStore::open(&path).expect("open");
        store.append(stream.clone(), ExpectedVersion::NoStream, countries()).await.expect("countries");
        store.append(stream.clone(), ExpectedVersion::Any, vec![call("c1"), call("c2")]).await.expect("calls");
    }
    let store = SqliteStore::open(&path).expect("reopen");
    assert_eq!(*store.subscribe().borrow(), 4);
    let all = store.read_all(0, 100).await.expect("read");
    assert_eq!(all.iter().map(|e| e.position).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    assert_eq!(all[3].event, call("c2").event);
    // The rebuilt state knows the stream's version, its actors and its ids.
    let again = store.append(stream.clone(), ExpectedVersion::Exact(0), vec![call("c1")]).await.expect("repost");
    assert_eq!((again.positions, again.duplicate), (vec![3], true));
    let next = store.append(stream.clone(), ExpectedVersion::Exact(4), vec![call("c3")]).await.expect("next");
    assert_eq!((next.positions, next.version), (vec![5], 5));
}

#[tokio::test]
async fn a_file_with_a_gap_in_positions_is_refused() {
    let db = TempDb::new();
    let path = db.path();
    {
        let store = SqliteStore::open(&path).expect("open");
        store.append(StreamName::from("a"), ExpectedVersion::Any, countries()).await.expect("countries");
        store.append(StreamName::from("a"), ExpectedVersion::Any, vec![call("c1")]).await.expect("c1");
    }
    {
        let conn = rusqlite::Connection::open(&path).expect("raw open");
        conn.execute("DELETE FROM events WHERE position = 2", []).expect("delete");
    }
    let err = SqliteStore::open(&path).expect_err("refused");
    let StoreError::Storage(message) = err else { panic!("not a storage error: {err:?}") };
    assert!(message.contains("not gapless"), "{message}");
}

#[tokio::test]
async fn the_file_is_in_wal_mode_with_the_documented_table() {
    let db = TempDb::new();
    let path = db.path();
    let store = SqliteStore::open(&path).expect("open");
    store.append(StreamName::from("a"), ExpectedVersion::Any, countries()).await.expect("countries");
    let conn = rusqlite::Connection::open(&path).expect("raw open");
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("mode");
    assert_eq!(mode, "wal");
    let row: (i64, String, String, i64, String, String, i64) = conn
        .query_row(
            "SELECT position, id, stream, stream_version, recorded_at, type, schema_version FROM events WHERE position = 2",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
        )
        .expect("row");
    assert_eq!((row.0, row.1.as_str(), row.2.as_str(), row.3), (2, "actor:blr", "a", 2));
    assert!(row.4.ends_with('Z'), "{}", row.4);
    assert_eq!((row.5.as_str(), row.6), ("ActorRegistered", 2));
}
