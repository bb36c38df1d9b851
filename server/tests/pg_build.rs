//! The bench's streaming builder of a PostgreSQL store (`benches/support/pg_build.rs`) against
//! a real server (`ANNALS_TEST_POSTGRES`): what it writes straight into the tables is what the
//! store's own writer writes for the same proposals — row for row, byte for byte — and the
//! real store opens it (its checks of gapless positions, stream versions and the head pass),
//! reads it back, and appends after it.

#![cfg(unix)]

mod common;

#[path = "../benches/support/pg_build.rs"]
#[allow(dead_code, reason = "the bench's builder; the test uses what it checks")]
mod pg_build;

use annals_core::{ExpectedVersion, StreamName};
use annals_server::store::postgres::PostgresStore;
use annals_server::store::Store;
use common::PgSchemas;

/// Every column of every row, and the head, as text (what a reader of the table sees).
async fn table(url: &str) -> (Vec<String>, i64) {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.expect("connect");
    tokio::spawn(connection);
    let rows = client
        .query(
            "SELECT position, id, stream, stream_version, recorded_at, type, schema_version, payload \
             FROM events ORDER BY position",
            &[],
        )
        .await
        .expect("rows");
    let rows = rows
        .iter()
        .map(|r| {
            format!(
                "{}|{}|{}|{}|{}|{}|{}|{}",
                r.get::<_, i64>(0),
                r.get::<_, String>(1),
                r.get::<_, String>(2),
                r.get::<_, i64>(3),
                r.get::<_, String>(4),
                r.get::<_, String>(5),
                r.get::<_, i32>(6),
                r.get::<_, String>(7)
            )
        })
        .collect();
    let head = client.query_one("SELECT position FROM log_head", &[]).await.expect("head").get(0);
    (rows, head)
}

const EVENTS: usize = 5_000;

/// Rounds of 2,000 (three: the later ones prefixed) in transactions of 700 rows (not aligned
/// with the rounds).
fn options(write: pg_build::Write) -> pg_build::Options {
    pg_build::Options { round: 2_000, chunk: 700, write, progress: false }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_built_store_is_what_the_writer_writes_and_the_store_reads_it_back() {
    let schemas = PgSchemas::connect("pgbuild").await;
    let (by_writer, by_copy, by_insert) = (schemas.url().await, schemas.url().await, schemas.url().await);
    let stream = StreamName::from("synthetic");

    // The writer's way: the same proposals appended through the store.
    let store = PostgresStore::open(&by_writer).await.expect("open");
    let (mut appended, mut r) = (0u64, 0u64);
    while let Some(proposed) = pg_build::round(EVENTS, 2_000, r, appended) {
        let proposed: Vec<_> = proposed.collect();
        for batch in proposed.chunks(1_000) {
            store.append(stream.clone(), ExpectedVersion::Any, batch.to_vec()).await.expect("append");
        }
        appended += proposed.len() as u64;
        r += 1;
    }
    let written = store.read_all(0, usize::MAX).await.expect("read");
    drop(store);
    assert!(appended > EVENTS as u64, "the changes are among the events: {appended}");

    for (url, write) in [(&by_copy, pg_build::Write::Copy), (&by_insert, pg_build::Write::Insert)] {
        let built = pg_build::build(url, "synthetic", EVENTS, options(write)).await.expect("build");
        assert_eq!(built, appended, "{write:?}");
        assert_eq!(
            table(url).await,
            table(&by_writer).await,
            "{write:?}: the rows and the head as the writer wrote them"
        );

        // The real store opens it (checking it) and reads the same envelopes back.
        let store = PostgresStore::open(url).await.expect("the store opens what was built");
        assert_eq!(*store.subscribe().borrow(), appended);
        assert_eq!(store.read_all(0, usize::MAX).await.expect("read"), written, "{write:?}");
        let page = store.read_stream(stream.clone(), 0, 10).await.expect("page");
        assert_eq!(page.version, appended);
        // Its writer planned from the built rows: an id stored is a duplicate, a new one goes on.
        let first = written[100].clone();
        let again = annals_core::Proposed::new(first.id.clone(), first.event.clone());
        let dup = store.append(stream.clone(), ExpectedVersion::Any, vec![again]).await.expect("repeat");
        assert_eq!((dup.duplicate, dup.positions), (true, vec![first.position]));
        let new = annals_core::Proposed::new("after-the-build", first.event.clone());
        let next = store.append(stream.clone(), ExpectedVersion::Exact(appended), vec![new]).await.expect("next");
        assert_eq!((next.positions, next.version), (vec![appended + 1], appended + 1));
    }

    // A store with events is not built into.
    let refused = pg_build::build(&by_writer, "synthetic", 10, options(pg_build::Write::Copy)).await;
    let message = refused.expect_err("a store with events is refused");
    assert!(message.contains(&format!("already holds {appended} events")), "{message}");
    schemas.drop_all().await;
}
