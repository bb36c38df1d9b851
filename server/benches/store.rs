//! Figures of the stores (a benchmark, not a timed test):
//!
//! - durable appends per second and p50/p99 latency at concurrency 1 and 64, beside a naive
//!   baseline in the same run (one SQLite transaction per event, same settings, same disk);
//! - the same for the PostgreSQL store, beside its naive baseline (one PostgreSQL
//!   transaction per event through its own connection, same head-row lock, same server),
//!   when `ANNALS_BENCH_POSTGRES` (or `ANNALS_TEST_POSTGRES`) names a server; each figure
//!   uses a fresh schema, dropped afterwards;
//! - bulk appends and reading the whole log back, in events per second;
//! - fan-out: N Server-Sent Events subscribers over real sockets, time from an append being
//!   acknowledged to each subscriber receiving it.
//!
//! `cargo bench -p annals-server --bench store`. `ANNALS_BENCH_EVENTS` sets the size of the
//! read test (default 1,000,000); `ANNALS_BENCH_APPENDS` the appends per concurrency level
//! (default 2,000); `ANNALS_BENCH_SUBSCRIBERS` the subscribers of the fan-out (default 1,000);
//! `ANNALS_BENCH_ONLY=appends` stops after the append figures.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use annals_core::envelope::decode_record;
use annals_core::synth::{synthetic_log, SynthOptions};
use annals_core::{AppendError, ExpectedVersion, Proposed, StreamName};
use annals_server::store::postgres::PostgresStore;
use annals_server::store::sqlite::SqliteStore;
use annals_server::store::{Store, StoreError};

const ACTORS: [&str; 2] = [
    r#"{"id":"actor:aze","type":"ActorRegistered","payload":{"actor":"aze","kind":"country","names":{"en":"Azerbaijan"}}}"#,
    r#"{"id":"actor:blr","type":"ActorRegistered","payload":{"actor":"blr","kind":"country","names":{"en":"Belarus"}}}"#,
];

fn call(id: &str) -> Proposed {
    let json = format!(
        r#"{{"id":"{id}","type":"Call","payload":{{"occurred":"2024-05-16","title":"Call {id}","actors":[{{"actor":"aze"}},{{"actor":"blr"}}],"sources":[{{"publisher":"Bench","title":"Report {id}"}}]}}}}"#
    );
    decode_record(&json).expect("bench record").proposed
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct Figures {
    label: String,
    appends: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Figures {
    fn print(&mut self) {
        self.latencies.sort_unstable();
        let at = |q: f64| {
            let i = ((self.latencies.len() as f64 * q).ceil() as usize).saturating_sub(1);
            self.latencies.get(i).copied().unwrap_or_default()
        };
        println!(
            "{:<34} {:>9.0} appends/s   p50 {:>8.2} ms   p99 {:>8.2} ms   ({} appends in {:.2} s)",
            self.label,
            self.appends as f64 / self.elapsed.as_secs_f64(),
            at(0.50).as_secs_f64() * 1e3,
            at(0.99).as_secs_f64() * 1e3,
            self.appends,
            self.elapsed.as_secs_f64()
        );
    }
}

async fn store_appends(dir: &Path, concurrency: usize, total: usize) -> Figures {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.join(format!("store-{concurrency}.db"))).expect("open"));
    appends(store, format!("store, concurrency {concurrency}"), concurrency, total).await
}

/// `total` single-event appends from `concurrency` tasks, each waiting for its answer.
async fn appends(store: Arc<dyn Store>, label: String, concurrency: usize, total: usize) -> Figures {
    let actors: Vec<Proposed> = ACTORS.iter().map(|j| decode_record(j).expect("actor").proposed).collect();
    store.append(StreamName::from("s"), ExpectedVersion::NoStream, actors).await.expect("actors");
    let per = total / concurrency;
    let start = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(per);
                for i in 0..per {
                    let event = call(&format!("w{w}-{i}"));
                    let t = Instant::now();
                    store.append(StreamName::from("s"), ExpectedVersion::Any, vec![event]).await.expect("append");
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(total);
    for t in tasks {
        latencies.extend(t.await.expect("task"));
    }
    Figures { label, appends: per * concurrency, elapsed: start.elapsed(), latencies }
}

/// The PostgreSQL server of the benchmark, if one is named.
fn postgres_url() -> Option<String> {
    ["ANNALS_BENCH_POSTGRES", "ANNALS_TEST_POSTGRES"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|u| !u.trim().is_empty()))
}

/// A connection to the benchmark's server, driven on the runtime.
async fn pg_connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.expect("connect");
    tokio::spawn(connection);
    client
}

/// A fresh schema and the URL of a store in it.
async fn pg_schema(admin: &tokio_postgres::Client, url: &str, name: &str) -> String {
    admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}")).await.expect("schema");
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-c%20search_path%3D{name}")
}

async fn postgres_store_appends(url: &str, concurrency: usize, total: usize) -> Figures {
    let admin = pg_connect(url).await;
    let schema = format!("annals_bench_store_{concurrency}");
    let store_url = pg_schema(&admin, url, &schema).await;
    let store: Arc<dyn Store> = Arc::new(PostgresStore::open(&store_url).await.expect("open"));
    let figures = appends(store, format!("postgres store, concurrency {concurrency}"), concurrency, total).await;
    admin.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).await.expect("drop");
    figures
}

/// The naive PostgreSQL baseline: each writer has its own connection and appends one event
/// per transaction (lock the head row, next stream version, INSERT, move the head, COMMIT),
/// on the store's own tables.
async fn postgres_naive_appends(url: &str, concurrency: usize, total: usize) -> Figures {
    let admin = pg_connect(url).await;
    let schema = format!("annals_bench_naive_{concurrency}");
    let store_url = pg_schema(&admin, url, &schema).await;
    drop(PostgresStore::open(&store_url).await.expect("create the tables"));
    let per = total / concurrency;
    let start = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|w| {
            let store_url = store_url.clone();
            tokio::spawn(async move {
                let mut client = pg_connect(&store_url).await;
                let mut latencies = Vec::with_capacity(per);
                for i in 0..per {
                    let event = call(&format!("w{w}-{i}"));
                    let payload = serde_json::to_string(&event.event.payload()).expect("payload");
                    let t = Instant::now();
                    let tx = client.transaction().await.expect("begin");
                    let position: i64 =
                        tx.query_one("SELECT position + 1 FROM log_head FOR UPDATE", &[]).await.expect("head").get(0);
                    let version: i64 = tx
                        .query_one("SELECT COALESCE(MAX(stream_version), 0) + 1 FROM events WHERE stream = 's'", &[])
                        .await
                        .expect("version")
                        .get(0);
                    tx.execute(
                        "INSERT INTO events VALUES ($1, $2, 's', $3, '2026-01-01T00:00:00Z', 'Call', 1, $4)",
                        &[&position, &event.id.as_str(), &version, &payload],
                    )
                    .await
                    .expect("insert");
                    tx.execute("UPDATE log_head SET position = $1", &[&position]).await.expect("head");
                    tx.commit().await.expect("commit");
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(total);
    for t in tasks {
        latencies.extend(t.await.expect("task"));
    }
    let figures = Figures {
        label: format!("postgres naive, concurrency {concurrency}"),
        appends: per * concurrency,
        elapsed: start.elapsed(),
        latencies,
    };
    admin.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).await.expect("drop");
    figures
}

/// The naive baseline: each writer has its own connection and appends one event per
/// transaction (BEGIN IMMEDIATE, next position, INSERT, COMMIT), same pragmas and schema.
fn naive_appends(dir: &Path, concurrency: usize, total: usize) -> Figures {
    let path = dir.join(format!("naive-{concurrency}.db"));
    let open = || {
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.busy_timeout(Duration::from_secs(60)).expect("busy timeout");
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;").expect("pragmas");
        conn
    };
    open()
        .execute_batch(
            "CREATE TABLE events (position INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, stream TEXT NOT NULL,
             stream_version INTEGER NOT NULL, recorded_at TEXT NOT NULL, type TEXT NOT NULL,
             schema_version INTEGER NOT NULL, payload TEXT NOT NULL, UNIQUE (stream, stream_version)) STRICT;
             CREATE INDEX events_by_stream ON events (stream, position);",
        )
        .expect("schema");
    let per = total / concurrency;
    let start = Instant::now();
    let threads: Vec<_> = (0..concurrency)
        .map(|w| {
            let mut conn = open();
            std::thread::spawn(move || {
                let mut latencies = Vec::with_capacity(per);
                for i in 0..per {
                    let event = call(&format!("w{w}-{i}"));
                    let payload = serde_json::to_string(&event.event.payload()).expect("payload");
                    let t = Instant::now();
                    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).expect("begin");
                    let (position, version): (i64, i64) = tx
                        .query_row(
                            "SELECT COALESCE(MAX(position), 0) + 1, (SELECT COALESCE(MAX(stream_version), 0) + 1 FROM events WHERE stream = 's') FROM events",
                            [],
                            |r| Ok((r.get(0)?, r.get(1)?)),
                        )
                        .expect("next");
                    tx.execute(
                        "INSERT INTO events VALUES (?1, ?2, 's', ?3, '2026-01-01T00:00:00Z', 'Call', 1, ?4)",
                        rusqlite::params![position, event.id.as_str(), version, payload],
                    )
                    .expect("insert");
                    tx.commit().expect("commit");
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(total);
    for t in threads {
        latencies.extend(t.join().expect("thread"));
    }
    Figures {
        label: format!("naive baseline, concurrency {concurrency}"),
        appends: per * concurrency,
        elapsed: start.elapsed(),
        latencies,
    }
}

async fn bulk_and_read(dir: &Path, events: usize) {
    let log = synthetic_log(SynthOptions { events, ..SynthOptions::default() });
    let n = log.len();
    let store = SqliteStore::open(dir.join("bulk.db")).expect("open");
    let stream = StreamName::from("synthetic");
    let start = Instant::now();
    let mut skipped = 0;
    for chunk in log.chunks(10_000) {
        let mut batch: Vec<Proposed> = chunk.iter().map(|e| Proposed::new(e.id.clone(), e.event.clone())).collect();
        loop {
            match store.append(stream.clone(), ExpectedVersion::Any, batch.clone()).await {
                Ok(_) => break,
                // The synthetic log has a few changes of retracted events, which validation
                // refuses; leave those out.
                Err(StoreError::Rejected(AppendError::Invalid(problems))) => {
                    let bad: BTreeSet<usize> = problems.iter().map(|(i, _)| *i).collect();
                    skipped += bad.len();
                    batch = batch.into_iter().enumerate().filter(|(i, _)| !bad.contains(i)).map(|(_, p)| p).collect();
                }
                Err(e) => panic!("bulk: {e}"),
            }
        }
    }
    let n = n - skipped;
    let elapsed = start.elapsed();
    if skipped > 0 {
        println!("({skipped} synthetic events left out: they change retracted events, which validation refuses)");
    }
    println!(
        "bulk append, batches of 10,000       {:>9.0} events/s   ({n} events in {:.2} s)",
        n as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64()
    );
    let start = Instant::now();
    let mut after = 0;
    let mut read = 0;
    loop {
        let page = store.read_all(after, 10_000).await.expect("read");
        if page.is_empty() {
            break;
        }
        read += page.len();
        after = page.last().map_or(after, |e| e.position);
    }
    let elapsed = start.elapsed();
    assert_eq!(read, n);
    println!(
        "read the whole log, pages of 10,000  {:>9.0} events/s   ({read} events in {:.2} s)",
        read as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64()
    );
    drop(store);
    let start = Instant::now();
    let _reopened = SqliteStore::open(dir.join("bulk.db")).expect("reopen");
    println!(
        "reopen (fold the table into memory)  {:>9.0} events/s   ({n} events in {:.2} s)",
        n as f64 / start.elapsed().as_secs_f64(),
        start.elapsed().as_secs_f64()
    );
}

/// Subscribers on raw sockets; one append every 20 ms; latency from the acknowledgement to
/// each subscriber reading the event's `id:` line.
async fn fanout(dir: &Path, subscribers: usize, appends: usize) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let store = Arc::new(SqliteStore::open(dir.join("fanout.db")).expect("open"));
    let actors: Vec<Proposed> = ACTORS.iter().map(|j| decode_record(j).expect("actor").proposed).collect();
    store.append(StreamName::from("s"), ExpectedVersion::NoStream, actors).await.expect("actors");
    let app = annals_server::http::router(annals_server::http::AppState::new(store.clone(), "token"), None);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let last = 2 + appends as u64;
    let (ready_tx, mut ready) = tokio::sync::mpsc::channel::<()>(subscribers);
    let tasks: Vec<_> = (0..subscribers)
        .map(|_| {
            let ready_tx = ready_tx.clone();
            tokio::spawn(async move {
                let mut socket = tokio::net::TcpStream::connect(addr).await.expect("connect");
                let request = "GET /api/streams/s/live HTTP/1.1\r\nHost: bench\r\nLast-Event-ID: 2\r\n\r\n";
                socket.write_all(request.as_bytes()).await.expect("send");
                let mut seen: Vec<(u64, Instant)> = Vec::with_capacity(appends);
                let mut text = String::new();
                let mut buf = vec![0u8; 16 * 1024];
                let mut told = false;
                loop {
                    let n = socket.read(&mut buf).await.expect("read");
                    if n == 0 {
                        break;
                    }
                    let now = Instant::now();
                    text.push_str(&String::from_utf8_lossy(&buf[..n]));
                    if !told && text.contains("\r\n\r\n") {
                        told = true;
                        let _ = ready_tx.send(()).await;
                    }
                    while let Some(at) = text.find("id: ") {
                        let rest = &text[at + 4..];
                        let Some(end) = rest.find('\n') else { break };
                        if let Ok(id) = rest[..end].trim().parse::<u64>() {
                            seen.push((id, now));
                        }
                        text.drain(..at + 4 + end);
                    }
                    if seen.last().is_some_and(|(id, _)| *id >= last) {
                        break;
                    }
                }
                seen
            })
        })
        .collect();
    drop(ready_tx);
    for _ in 0..subscribers {
        ready.recv().await.expect("subscriber ready");
    }
    let mut acked = Vec::with_capacity(appends);
    for i in 0..appends {
        store.append(StreamName::from("s"), ExpectedVersion::Any, vec![call(&format!("f{i}"))]).await.expect("append");
        acked.push(Instant::now());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut latencies = Vec::with_capacity(subscribers * appends);
    let mut missing = 0;
    for t in tasks {
        let seen = t.await.expect("subscriber");
        missing += appends - seen.len().min(appends);
        for (id, at) in seen {
            if let Some(ack) = id.checked_sub(3).and_then(|i| acked.get(i as usize)) {
                latencies.push(at.saturating_duration_since(*ack));
            }
        }
    }
    latencies.sort_unstable();
    let at = |q: f64| {
        let i = ((latencies.len() as f64 * q).ceil() as usize).saturating_sub(1);
        latencies.get(i).copied().unwrap_or_default().as_secs_f64() * 1e3
    };
    println!(
        "fan-out to {subscribers} SSE subscribers      p50 {:>8.2} ms   p99 {:>8.2} ms   max {:>8.2} ms   ({} deliveries, {missing} missing)",
        at(0.5),
        at(0.99),
        at(1.0),
        latencies.len()
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a test run (`cargo test --benches`) passes nothing: skip.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let dir = tempfile::tempdir_in(
        std::env::var("ANNALS_BENCH_DIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string()),
    )
    .expect("temp dir");
    let appends = env_usize("ANNALS_BENCH_APPENDS", 2_000);
    let events = env_usize("ANNALS_BENCH_EVENTS", 1_000_000);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    println!("durable appends (WAL, synchronous=FULL) in {}", dir.path().display());
    for concurrency in [1, 64] {
        runtime.block_on(store_appends(dir.path(), concurrency, appends)).print();
        naive_appends(dir.path(), concurrency, appends).print();
    }
    match postgres_url() {
        Some(url) => {
            let described = annals_server::store::Location::Postgres(url.clone()).describe();
            println!("durable appends on PostgreSQL ({described}, synchronous_commit on)");
            for concurrency in [1, 64] {
                runtime.block_on(postgres_store_appends(&url, concurrency, appends)).print();
                runtime.block_on(postgres_naive_appends(&url, concurrency, appends)).print();
            }
        }
        None => println!("PostgreSQL: not measured (set ANNALS_BENCH_POSTGRES=postgres://…)"),
    }
    if std::env::var("ANNALS_BENCH_ONLY").is_ok_and(|only| only == "appends") {
        return;
    }
    let subscribers = env_usize("ANNALS_BENCH_SUBSCRIBERS", 1_000);
    runtime.block_on(fanout(dir.path(), subscribers, 50));
    runtime.block_on(bulk_and_read(dir.path(), events));
}
