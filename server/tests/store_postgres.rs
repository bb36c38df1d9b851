//! The PostgreSQL store against a real server (`ANNALS_TEST_POSTGRES`; unset fails): the
//! conformance suite, replicas on one database (one winner of an expected version, gapless
//! positions that a follower reads without skipping, live wake-ups), reopening, the
//! documented schema and its integrity checks, and two real `annals serve` replicas.

#![cfg(unix)]

mod common;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use annals_core::{AppendError, ExpectedVersion, StreamName};
use annals_server::store::postgres::PostgresStore;
use annals_server::store::{Store, StoreError};
use common::{call, call_json, countries, PgSchemas};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn s(name: &str) -> StreamName {
    StreamName::from(name)
}

async fn open(url: &str) -> PostgresStore {
    PostgresStore::open(url).await.unwrap_or_else(|e| panic!("open the PostgreSQL store: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_passes_the_conformance_suite() {
    let schemas = PgSchemas::connect("conf").await;
    common::conformance::run(|| async { open(&schemas.url().await).await }).await;
    schemas.drop_all().await;
}

/// A correction made through one replica is what the other checks its next correction against:
/// it folds the other's rows into its index and reads the envelopes back from the table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_checks_a_correction_against_another_replicas_correction() {
    let schemas = PgSchemas::connect("replicafix").await;
    let url = schemas.url().await;
    let replicas = [open(&url).await, open(&url).await];
    let correction = |id: &str, changes: &str| {
        common::record(&format!(
            r#"{{"id":"{id}","type":"Corrected","payload":{{"target":"c1","changes":{changes},"sources":[{{"publisher":"Test","title":"Erratum"}}]}}}}"#
        ))
    };
    let summaries = r#"{"summaries":{"ru":{"text":"Разговор","origin":"translation"}}}"#;
    replicas[0].append(s("a"), ExpectedVersion::Any, [countries(), vec![call("c1")]].concat()).await.expect("c1");
    let err = replicas[1].append(s("a"), ExpectedVersion::Any, vec![correction("k0", summaries)]).await;
    assert!(matches!(err, Err(StoreError::Rejected(AppendError::Invalid(_)))), "no summary yet: {err:?}");
    replicas[0]
        .append(s("a"), ExpectedVersion::Any, vec![correction("k1", r#"{"summary":"Talked"}"#)])
        .await
        .expect("k1");
    replicas[1].append(s("a"), ExpectedVersion::Any, vec![correction("k2", summaries)]).await.expect("over k1");
    let err = replicas[0].append(s("a"), ExpectedVersion::Any, vec![correction("k3", r#"{"summary":null}"#)]).await;
    assert!(matches!(err, Err(StoreError::Rejected(AppendError::Invalid(_)))), "k2's translations: {err:?}");
    drop(replicas);
    schemas.drop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_keeps_the_rules_across_restarts() {
    let schemas = PgSchemas::connect("restarts").await;
    let url = schemas.url().await;
    common::conformance::across_restarts(|| open(&url)).await;
    schemas.drop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reopened_store_has_everything_and_continues_gaplessly() {
    let schemas = PgSchemas::connect("reopen").await;
    let url = schemas.url().await;
    {
        let store = open(&url).await;
        store.append(s("a"), ExpectedVersion::NoStream, countries()).await.expect("countries");
        store.append(s("a"), ExpectedVersion::Any, vec![call("c1"), call("c2")]).await.expect("calls");
    }
    let store = open(&url).await;
    assert_eq!(*store.subscribe().borrow(), 4);
    let all = store.read_all(0, 100).await.expect("read");
    assert_eq!(all.iter().map(|e| e.position).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    assert_eq!(all[3].event, call("c2").event);
    let again = store.append(s("a"), ExpectedVersion::Exact(0), vec![call("c1")]).await.expect("repost");
    assert_eq!((again.positions, again.duplicate), (vec![3], true));
    let next = store.append(s("a"), ExpectedVersion::Exact(4), vec![call("c3")]).await.expect("next");
    assert_eq!((next.positions, next.version), (vec![5], 5));
    drop(store);
    schemas.drop_all().await;
}

/// Two replicas, many writers, one expected version: exactly one append wins, whichever
/// replica it went through; the others are told the stream's real version.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_with_the_same_expected_version_one_wins() {
    let schemas = PgSchemas::connect("race").await;
    let url = schemas.url().await;
    let replicas = [Arc::new(open(&url).await), Arc::new(open(&url).await)];
    replicas[0].append(s("a"), ExpectedVersion::NoStream, countries()).await.expect("countries");
    for round in 0..5u64 {
        let version = 2 + round;
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let store = replicas[i % 2].clone();
                let id = format!("r{round}-w{i}");
                tokio::spawn(
                    async move { store.append(s("a"), ExpectedVersion::Exact(version), vec![call(&id)]).await },
                )
            })
            .collect();
        let mut won = Vec::new();
        for t in tasks {
            match t.await.expect("task") {
                Ok(done) => won.push(done.positions),
                Err(StoreError::Rejected(AppendError::WrongVersion { actual, .. })) => {
                    assert_eq!(actual, version + 1, "round {round}");
                }
                Err(e) => panic!("round {round}: unexpected {e:?}"),
            }
        }
        assert_eq!(won, vec![vec![version + 1]], "round {round}: exactly one winner");
    }
    let all = replicas[1].read_all(0, 1000).await.expect("read");
    assert_eq!(all.iter().map(|e| e.position).collect::<Vec<_>>(), (1..=7).collect::<Vec<_>>());
    drop(replicas);
    schemas.drop_all().await;
}

/// The gap test: writers on two replicas append concurrently while a follower on a third
/// reads `position > last` over and over. Every read must continue exactly at `last + 1`
/// (a late commit of a lower position would be skipped otherwise), and the follower ends
/// with every acknowledged position once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_append_gaplessly_and_a_follower_never_skips() {
    let schemas = PgSchemas::connect("follow").await;
    let url = schemas.url().await;
    let replicas = [Arc::new(open(&url).await), Arc::new(open(&url).await)];
    let follower = Arc::new(open(&url).await);
    replicas[0].append(s("a"), ExpectedVersion::NoStream, countries()).await.expect("countries");
    const WRITERS: usize = 8;
    const EACH: usize = 40;
    let total = 2 + (WRITERS * EACH) as u64;
    let follow = {
        let follower = follower.clone();
        tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut last = 0;
            let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
            while last < total {
                assert!(tokio::time::Instant::now() < deadline, "the follower is stuck at {last}");
                let page = follower.read_all(last, 7).await.expect("follow");
                for (i, env) in page.iter().enumerate() {
                    assert_eq!(env.position, last + 1 + i as u64, "a read after {last} skipped a position");
                }
                if let Some(end) = page.last() {
                    last = end.position;
                }
                seen.extend(page.iter().map(|e| e.position));
                tokio::task::yield_now().await;
            }
            seen
        })
    };
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let store = replicas[w % 2].clone();
            tokio::spawn(async move {
                let mut positions = Vec::new();
                for i in 0..EACH {
                    let batch = vec![call(&format!("w{w}-{i}"))];
                    positions
                        .extend(store.append(s("a"), ExpectedVersion::Any, batch).await.expect("append").positions);
                }
                positions
            })
        })
        .collect();
    let mut acknowledged = BTreeSet::new();
    for w in writers {
        for p in w.await.expect("writer") {
            assert!(acknowledged.insert(p), "position {p} acknowledged twice");
        }
    }
    assert_eq!(acknowledged, (3..=total).collect::<BTreeSet<u64>>());
    let seen = follow.await.expect("follower");
    assert_eq!(seen, (1..=total).collect::<Vec<u64>>(), "the follower saw every position once, in order");
    let page = follower.read_stream(s("a"), 0, 1).await.expect("page");
    assert_eq!(page.version, total);
    drop((replicas, follower));
    schemas.drop_all().await;
}

/// The invariant itself, deterministically: while another writer holds the log head with
/// position 3 written but not committed, an append through the store waits (it cannot take
/// position 4 and become visible before 3), nothing after 2 is visible, and once the other
/// writer commits, the append takes 4 and a reader after 2 sees 3 then 4.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_later_position_never_becomes_visible_before_an_earlier_one() {
    let schemas = PgSchemas::connect("order").await;
    let url = schemas.url().await;
    let schema = url.rsplit("%3D").next().expect("schema").to_owned();
    let store = Arc::new(open(&url).await);
    store.append(s("a"), ExpectedVersion::NoStream, countries()).await.expect("countries");
    // A slow writer (another replica): locks the head, writes position 3, does not commit yet.
    let (mut slow, connection) =
        tokio_postgres::connect(&common::postgres_url(), tokio_postgres::NoTls).await.expect("connect");
    tokio::spawn(connection);
    let tx = slow.transaction().await.expect("begin");
    let head: i64 =
        tx.query_one(&format!("SELECT position FROM {schema}.log_head FOR UPDATE"), &[]).await.expect("lock").get(0);
    assert_eq!(head, 2);
    let payload = serde_json::to_string(&call("late").event.payload()).expect("payload");
    tx.execute(
        &format!("INSERT INTO {schema}.events VALUES (3, 'late', 'a', 3, '2026-01-01T00:00:00.000Z', 'Call', 1, $1)"),
        &[&payload],
    )
    .await
    .expect("insert");
    tx.execute(&format!("UPDATE {schema}.log_head SET position = 3"), &[]).await.expect("head");
    let append = {
        let store = store.clone();
        tokio::spawn(async move { store.append(s("a"), ExpectedVersion::Any, vec![call("next")]).await })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!append.is_finished(), "the append did not wait for the writer holding the head");
    assert!(store.read_all(2, 10).await.expect("read").is_empty(), "nothing after 2 is visible yet");
    tx.commit().await.expect("commit");
    let done = append.await.expect("task").expect("append");
    assert_eq!(done.positions, vec![4]);
    let after: Vec<(u64, String)> =
        store.read_all(2, 10).await.expect("read").into_iter().map(|e| (e.position, e.id.to_string())).collect();
    assert_eq!(after, [(3, "late".to_owned()), (4, "next".to_owned())]);
    drop(store);
    schemas.drop_all().await;
}

/// Two replicas started together on an empty database both seed it: the record is loaded
/// once (the second append repeats the first one's ids and is a duplicate), both serve it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_seeding_an_empty_database_load_the_record_once() {
    let schemas = PgSchemas::connect("seed").await;
    let url = schemas.url().await;
    let dir = tempfile::tempdir().expect("dir");
    let start = || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_annals"))
            .args(["serve", "--addr", "127.0.0.1:0", "--dist", "/nonexistent", "--token", TOKEN, "--store", &url])
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start annals serve");
        let addr = common::listening(&mut child);
        (child, addr)
    };
    let (first, second) = std::thread::scope(|scope| {
        let a = scope.spawn(start);
        let b = scope.spawn(start);
        (a.join().expect("first"), b.join().expect("second"))
    });
    for (_, addr) in [&first, &second] {
        let mut socket = TcpStream::connect(addr).await.expect("connect");
        socket.write_all(b"GET /api/streams HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").await.expect("send");
        let mut response = String::new();
        socket.read_to_string(&mut response).await.expect("read");
        assert!(response.contains(r#"{"stream":"azerbaijan-belarus","version":93,"last_position":93}"#), "{response}");
    }
    for (mut child, _) in [first, second] {
        child.kill().expect("kill");
        child.wait().expect("reap");
    }
    schemas.drop_all().await;
}

/// Every session of a store killed (as a database restart or a failover does): the next
/// append and the next reads reconnect and succeed; nothing is lost or doubled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_reconnects_after_its_sessions_are_killed() {
    let schemas = PgSchemas::connect("kill").await;
    let app = format!("annals_kill_{}", std::process::id());
    let url = format!("{}&application_name={app}", schemas.url().await);
    let store = open(&url).await;
    store.append(s("a"), ExpectedVersion::NoStream, countries()).await.expect("countries");
    assert_eq!(store.read_all(0, 10).await.expect("read").len(), 2);
    let sessions = |sql: &'static str| {
        let admin = schemas.admin();
        let app = app.clone();
        async move { admin.query_one(sql, &[&app]).await.expect("sessions").get::<_, i64>(0) }
    };
    let killed =
        sessions("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1").await;
    assert!(killed >= 3, "the writer, the listener and a reader were killed ({killed})");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while sessions("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1").await > 0 {
        assert!(tokio::time::Instant::now() < deadline, "the killed sessions did not end");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let done = store.append(s("a"), ExpectedVersion::Exact(2), vec![call("c1")]).await.expect("append after the kill");
    assert_eq!(done.positions, vec![3]);
    for _ in 0..8 {
        // Every read slot, the killed ones included.
        assert_eq!(store.read_all(0, 10).await.expect("read after the kill").len(), 3);
    }
    assert_eq!(store.streams().await.expect("streams").len(), 1);
    drop(store);
    schemas.drop_all().await;
}

/// A commit through one replica wakes the subscribers of another (LISTEN/NOTIFY); with the
/// listener's connection killed, the wake-up still comes (the listener reconnects and
/// reads the head; nothing is lost, at worst late).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_through_one_replica_wakes_the_other() {
    let schemas = PgSchemas::connect("wake").await;
    let url = schemas.url().await;
    let a = open(&url).await;
    let b = open(&url).await;
    let mut rx = b.subscribe();
    assert_eq!(*rx.borrow_and_update(), 0);
    a.append(s("a"), ExpectedVersion::NoStream, countries()).await.expect("countries");
    tokio::time::timeout(Duration::from_secs(1), rx.wait_for(|p| *p == 2))
        .await
        .expect("woken within a second (a notification, not the poll)")
        .expect("open");
    // Kill every listening session: the notifications of the next commit are lost.
    let killed: i64 = schemas
        .admin()
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE datname = current_database() AND query LIKE 'SELECT position FROM log_head' AND state = 'idle'
               AND pid <> pg_backend_pid() AND backend_type = 'client backend'
               AND application_name = 'annals'",
            &[],
        )
        .await
        .expect("terminate")
        .get(0);
    assert!(killed >= 1, "a listener session was found and killed");
    a.append(s("a"), ExpectedVersion::Any, vec![call("c1")]).await.expect("c1");
    tokio::time::timeout(Duration::from_secs(10), rx.wait_for(|p| *p == 3))
        .await
        .expect("woken after the listener reconnected")
        .expect("open");
    drop((a, b));
    schemas.drop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tables_are_the_documented_ones() {
    let schemas = PgSchemas::connect("schema").await;
    let url = schemas.url().await;
    let store = open(&url).await;
    store.append(s("a"), ExpectedVersion::Any, countries()).await.expect("countries");
    let schema = url.rsplit("%3D").next().expect("schema").to_owned();
    let rows = schemas
        .admin()
        .query(
            "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
             WHERE table_schema = $1 ORDER BY table_name, ordinal_position",
            &[&schema],
        )
        .await
        .expect("columns");
    let columns: Vec<String> = rows
        .iter()
        .map(|r| format!("{}.{} {}", r.get::<_, String>(0), r.get::<_, String>(1), r.get::<_, String>(2)))
        .collect();
    assert_eq!(
        columns,
        [
            "events.position bigint",
            "events.id text",
            "events.stream text",
            "events.stream_version bigint",
            "events.recorded_at text",
            "events.type text",
            "events.schema_version integer",
            "events.payload text",
            "log_head.one boolean",
            "log_head.position bigint",
            "log_head.format integer",
        ]
    );
    let row = schemas
        .admin()
        .query_one(&format!("SELECT id, stream, stream_version, recorded_at, type, schema_version FROM {schema}.events WHERE position = 2"), &[])
        .await
        .expect("row");
    assert_eq!((row.get::<_, &str>(0), row.get::<_, &str>(1), row.get::<_, i64>(2)), ("actor:blr", "a", 2));
    assert!(row.get::<_, &str>(3).ends_with('Z'));
    assert_eq!((row.get::<_, &str>(4), row.get::<_, i32>(5)), ("ActorRegistered", 2));
    let head =
        schemas.admin().query_one(&format!("SELECT position, format FROM {schema}.log_head"), &[]).await.expect("head");
    assert_eq!((head.get::<_, i64>(0), head.get::<_, i32>(1)), (2, 1));
    drop(store);
    schemas.drop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tables_changed_outside_annals_are_refused() {
    let schemas = PgSchemas::connect("gap").await;
    let url = schemas.url().await;
    let schema = url.rsplit("%3D").next().expect("schema").to_owned();
    {
        let store = open(&url).await;
        store.append(s("a"), ExpectedVersion::Any, countries()).await.expect("countries");
        store.append(s("a"), ExpectedVersion::Any, vec![call("c1")]).await.expect("c1");
    }
    schemas.admin().batch_execute(&format!("DELETE FROM {schema}.events WHERE position = 2")).await.expect("delete");
    let err = PostgresStore::open(&url).await.expect_err("a gap is refused");
    let StoreError::Storage(message) = err else { panic!("not a storage error: {err:?}") };
    assert!(message.contains("not gapless"), "{message}");
    schemas
        .admin()
        .batch_execute(&format!(
            "DELETE FROM {schema}.events WHERE position = 3; UPDATE {schema}.log_head SET format = 2"
        ))
        .await
        .expect("newer format");
    let err = PostgresStore::open(&url).await.expect_err("a newer format is refused");
    assert!(err.to_string().contains("newer than this program"), "{err}");
    schemas.drop_all().await;
}

const TOKEN: &str = "replica-token";

/// `annals serve --store URL` with the PostgreSQL store, its address, and a drain of its
/// stderr.
fn serve(url: &str) -> (Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_annals"))
        .args(["serve", "--addr", "127.0.0.1:0", "--no-seed", "--dist", "/nonexistent", "--token", TOKEN])
        .args(["--store", url])
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start annals serve");
    let addr = common::listening(&mut child);
    (child, addr)
}

async fn post(addr: SocketAddr, body: &str) -> String {
    let request = format!(
        "POST /api/streams/s/events HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut socket = TcpStream::connect(addr).await.expect("connect");
    socket.write_all(request.as_bytes()).await.expect("send");
    let mut response = String::new();
    socket.read_to_string(&mut response).await.expect("read");
    response
}

/// Two real `annals serve` processes on one database: an event posted to one reaches a live
/// subscriber of the other, once each, in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_serve_replicas_share_the_log_and_its_live_updates() {
    let schemas = PgSchemas::connect("serve").await;
    let url = schemas.url().await;
    {
        let store = open(&url).await;
        store.append(s("s"), ExpectedVersion::NoStream, countries()).await.expect("countries");
    }
    let (mut a, addr_a) = serve(&url);
    let (mut b, addr_b) = serve(&url);
    let mut live = TcpStream::connect(addr_b).await.expect("connect");
    live.write_all(b"GET /api/streams/s/live HTTP/1.1\r\nHost: test\r\nLast-Event-ID: 2\r\n\r\n").await.expect("send");
    let mut text = String::new();
    let mut buf = [0u8; 8192];
    while !text.contains("\r\n\r\n") {
        let n = live.read(&mut buf).await.expect("head");
        assert!(n > 0, "the subscriber's connection closed");
        text.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    for id in ["x1", "x2", "x3"] {
        let response = post(addr_a, &call_json(id, "2024-05-16", "aze", "blr")).await;
        assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    }
    // Then writers on both replicas at once: the subscriber still gets every position once,
    // in order (a position committed late through A is never skipped by B's subscriber).
    let writers: Vec<_> = (0..4)
        .map(|w| {
            tokio::spawn(async move {
                for i in 0..10 {
                    let addr = if (w + i) % 2 == 0 { addr_a } else { addr_b };
                    let response = post(addr, &call_json(&format!("w{w}-{i}"), "2024-05-16", "aze", "blr")).await;
                    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
                }
            })
        })
        .collect();
    for w in writers {
        w.await.expect("writer");
    }
    // The `id:` lines read so far, complete lines only (a read may end inside one).
    let ids = |text: &str| -> Vec<u64> {
        let complete = &text[..text.rfind('\n').map_or(0, |end| end + 1)];
        complete.lines().filter_map(|l| l.trim_end().strip_prefix("id: ")).map(|id| id.parse().expect("id")).collect()
    };
    let got = tokio::time::timeout(Duration::from_secs(20), async {
        while ids(&text).len() < 43 {
            let n = live.read(&mut buf).await.expect("events");
            assert!(n > 0, "the subscriber's connection closed");
            text.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    })
    .await;
    assert!(got.is_ok(), "the subscriber of replica B did not receive every append: {text}");
    assert_eq!(ids(&text), (3..=45).collect::<Vec<u64>>(), "{text}");
    // And a write through B with a stale expected version is refused: the replicas agree.
    let stale = format!(
        "POST /api/streams/s/events HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {TOKEN}\r\nIf-Match: \"2\"\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        call_json("x4", "2024", "aze", "blr").len(),
        call_json("x4", "2024", "aze", "blr")
    );
    let mut socket = TcpStream::connect(addr_b).await.expect("connect");
    socket.write_all(stale.as_bytes()).await.expect("send");
    let mut response = String::new();
    socket.read_to_string(&mut response).await.expect("read");
    assert!(response.starts_with("HTTP/1.1 412"), "{response}");
    for child in [&mut a, &mut b] {
        child.kill().expect("kill");
        child.wait().expect("reap");
    }
    schemas.drop_all().await;
}

/// `annals import`, `export` and `append` with `--store`: the same commands on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_record_commands_work_on_postgres() {
    let schemas = PgSchemas::connect("cli").await;
    let url = schemas.url().await;
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("record.ndjson");
    let mut text = String::new();
    for record in [common::actor_json("aze"), common::actor_json("blr"), call_json("c1", "2024", "aze", "blr")] {
        text.push_str(&record);
        text.push('\n');
    }
    std::fs::write(&file, &text).expect("write");
    let annals = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_annals"))
            .args(args)
            .args(["--store", &url, "--stream", "r"])
            .output()
            .expect("run annals");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let file_arg = file.display().to_string();
    let (code, stdout, stderr) = annals(&["import", &file_arg]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("imported: 3 records, r is at version 3"), "{stdout}");
    let (code, stdout, _) = annals(&["import", &file_arg]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("already there"), "{stdout}");
    let more = dir.path().join("more.json");
    std::fs::write(&more, call_json("c2", "2025", "aze", "blr")).expect("write");
    let more_arg = more.display().to_string();
    let (code, _, stderr) = annals(&["append", "--expected-version", "1", &more_arg]);
    assert_eq!(code, Some(1), "a stale expected version is refused: {stderr}");
    let (code, stdout, stderr) = annals(&["append", "--expected-version", "3", &more_arg]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("appended at position 4; r is at version 4"), "{stdout}");
    let (code, stdout, stderr) = annals(&["export"]);
    assert_eq!(code, Some(0), "{stderr}");
    let positions: Vec<u64> = stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("envelope")["position"].as_u64().expect("position")
        })
        .collect();
    assert_eq!(positions, [1, 2, 3, 4]);
    let (code, stdout, stderr) = annals(&["stats", "--json"]);
    assert_eq!(code, Some(0), "{stderr}");
    let figures: serde_json::Value = serde_json::from_str(&stdout).expect("stats JSON");
    assert_eq!(figures["events"], 2, "the stream's two calls: {stdout}");
    // The password never appears in messages.
    let out = Command::new(env!("CARGO_BIN_EXE_annals"))
        .args(["export", "--stream", "r", "--store", "postgres://who:secret-word@127.0.0.1:1/none"])
        .output()
        .expect("run annals");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("postgres://who@127.0.0.1:1/none") && !stderr.contains("secret-word"), "{stderr}");
    let out = Command::new(env!("CARGO_BIN_EXE_annals"))
        .args(["export", "--stream", "r", "--store", "annals.db"])
        .output()
        .expect("run annals");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--store expects a postgres://"));
    // Replicas share one token: serve does not make one up for a database.
    let out = Command::new(env!("CARGO_BIN_EXE_annals"))
        .args(["serve", "--addr", "127.0.0.1:0", "--no-seed", "--store", &url])
        .env_remove("ANNALS_TOKEN")
        .output()
        .expect("run annals");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("give the write token"));
    schemas.drop_all().await;
}
