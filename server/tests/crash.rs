//! Crash safety of the real `annals serve`: writers append concurrently over HTTP while the
//! server is killed with SIGKILL at a random moment, round after round. After every kill
//! the file opens cleanly, every acknowledged event is present at the position it was
//! acknowledged with, positions are gapless and nothing is duplicated.
//!
//! The same runs against the PostgreSQL store (`--store`, the server from
//! `ANNALS_TEST_POSTGRES`): there the database survives and the killed replica's open
//! transaction, which holds the log head, must be rolled back and its lock released.
//!
//! `ANNALS_CRASH_ROUNDS` sets the number of rounds (default 20; `cargo xtask crash [ROUNDS]`).

#![cfg(unix)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use annals_core::{ExpectedVersion, StreamName};
use annals_server::store::postgres::PostgresStore;
use annals_server::store::sqlite::SqliteStore;
use annals_server::store::Store;
use common::{call_json, countries, TempDb};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TOKEN: &str = "crash-token";

/// Where the store under test is.
#[derive(Clone)]
enum Backend {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Backend {
    async fn open(&self) -> Result<Box<dyn Store>, annals_server::store::StoreError> {
        Ok(match self {
            Self::Sqlite(path) => Box::new(SqliteStore::open(path)?),
            Self::Postgres(url) => Box::new(PostgresStore::open(url).await?),
        })
    }
}

fn start(backend: &Backend) -> (Child, SocketAddr) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_annals"));
    command.args(["serve", "--addr", "127.0.0.1:0", "--no-seed", "--token", TOKEN, "--dist", "/nonexistent"]);
    match backend {
        Backend::Sqlite(db) => command.arg("--db").arg(db),
        Backend::Postgres(url) => command.args(["--store", url]),
    };
    let mut child = command
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start annals serve");
    let addr = common::listening(&mut child);
    (child, addr)
}

/// Posts one event; `Some(position)` only when the server acknowledged it with 201.
async fn append(addr: SocketAddr, id: &str) -> Option<u64> {
    let body = call_json(id, "2024-05-16", "aze", "blr");
    let request = format!(
        "POST /api/streams/s/events HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut socket = TcpStream::connect(addr).await.ok()?;
    socket.write_all(request.as_bytes()).await.ok()?;
    let mut response = String::new();
    socket.read_to_string(&mut response).await.ok()?;
    if !response.starts_with("HTTP/1.1 201") {
        return None;
    }
    let json = &response[response.find("\r\n\r\n")? + 4..];
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    value["positions"][0].as_u64()
}

/// SplitMix64: a few random numbers without a dependency.
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_appends_survive_sigkill() {
    let db = TempDb::new();
    rounds(Backend::Sqlite(db.path())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_appends_survive_sigkill_on_postgres() {
    let schemas = common::PgSchemas::connect("crash").await;
    rounds(Backend::Postgres(schemas.url().await)).await;
    schemas.drop_all().await;
}

async fn rounds(backend: Backend) {
    let rounds: u32 = std::env::var("ANNALS_CRASH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(20);
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64);
    println!("seed {seed}");
    let mut random = Random(seed);
    {
        let store = backend.open().await.expect("create");
        store.append(StreamName::from("s"), ExpectedVersion::NoStream, countries()).await.expect("countries");
    }
    let mut acknowledged: BTreeMap<String, u64> = BTreeMap::new();
    for round in 0..rounds {
        let (mut child, addr) = start(&backend);
        let writers: Vec<_> = (0..8)
            .map(|w| {
                tokio::spawn(async move {
                    let mut acked = Vec::new();
                    for i in 0.. {
                        let id = format!("r{round}-w{w}-{i}");
                        match append(addr, &id).await {
                            Some(position) => acked.push((id, position)),
                            None => break,
                        }
                    }
                    acked
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(20 + random.below(250))).await;
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        for w in writers {
            acknowledged.extend(w.await.expect("writer"));
        }
        let store = backend.open().await.unwrap_or_else(|e| panic!("round {round}: the store does not open: {e}"));
        let all = store.read_all(0, usize::MAX >> 1).await.expect("read");
        let positions: Vec<u64> = all.iter().map(|e| e.position).collect();
        assert_eq!(positions, (1..=all.len() as u64).collect::<Vec<_>>(), "round {round}: gapless");
        let stored: BTreeMap<&str, u64> = all.iter().map(|e| (e.id.as_str(), e.position)).collect();
        assert_eq!(stored.len(), all.len(), "round {round}: no id twice");
        for (id, position) in &acknowledged {
            assert_eq!(stored.get(id.as_str()), Some(position), "round {round}: acknowledged {id} lost or moved");
        }
        let versions: BTreeSet<u64> = store
            .read_stream(StreamName::from("s"), 0, usize::MAX >> 1)
            .await
            .expect("s")
            .events
            .iter()
            .map(|e| e.position)
            .collect();
        assert_eq!(versions.len(), all.len());
    }
    assert!(acknowledged.len() > rounds as usize, "the writers got through: {} acknowledged", acknowledged.len());
    println!("{rounds} rounds, {} acknowledged appends, all present", acknowledged.len());
}
