//! Helpers shared by the server's test binaries: records to append, stores in temp dirs.

#![allow(dead_code, reason = "each test binary uses a different part")]

pub mod conformance;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use annals_core::envelope::decode_record;
use annals_core::Proposed;
use annals_server::store::sqlite::SqliteStore;

/// A country registration, as JSON.
pub fn actor_json(actor: &str) -> String {
    format!(
        r#"{{"id":"actor:{actor}","type":"ActorRegistered","payload":{{"actor":"{actor}","kind":"country","names":{{"en":"Country {actor}"}}}}}}"#
    )
}

/// A call between two registered countries, as JSON.
pub fn call_json(id: &str, occurred: &str, a: &str, b: &str) -> String {
    format!(
        r#"{{"id":"{id}","type":"Call","payload":{{"occurred":"{occurred}","title":"Call {id}","actors":[{{"actor":"{a}"}},{{"actor":"{b}"}}],"sources":[{{"publisher":"Test","title":"Report {id}"}}]}}}}"#
    )
}

/// A record decoded from JSON.
pub fn record(json: &str) -> Proposed {
    decode_record(json).expect("test record decodes").proposed
}

/// Registrations of `aze` and `blr`.
pub fn countries() -> Vec<Proposed> {
    vec![record(&actor_json("aze")), record(&actor_json("blr"))]
}

/// A call between `aze` and `blr`.
pub fn call(id: &str) -> Proposed {
    record(&call_json(id, "2024-05-16", "aze", "blr"))
}

/// A fresh database file in a temp dir that lives as long as the returned guard.
pub struct TempDb {
    pub dir: tempfile::TempDir,
    counter: AtomicUsize,
}

impl TempDb {
    pub fn new() -> Self {
        Self { dir: tempfile::tempdir().expect("temp dir"), counter: AtomicUsize::new(0) }
    }

    /// A path for a new database.
    pub fn path(&self) -> PathBuf {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        self.dir.path().join(format!("annals-{n}.db"))
    }

    /// A new, empty SQLite store.
    pub fn store(&self) -> SqliteStore {
        SqliteStore::open(self.path()).expect("open store")
    }
}

/// Waits until a spawned `annals serve` (stderr piped) logs the address it listens on, then
/// keeps draining its stderr so the server never blocks on a full pipe.
pub fn listening(child: &mut std::process::Child) -> std::net::SocketAddr {
    use std::io::{BufRead, BufReader};
    let stderr = child.stderr.take().expect("stderr is piped");
    let mut lines = BufReader::new(stderr).lines();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let addr = loop {
        assert!(std::time::Instant::now() < deadline, "annals serve did not start");
        let line = lines.next().expect("annals serve exited before listening").expect("stderr line");
        if let Some(at) = line.find("http://") {
            let rest = &line[at + "http://".len()..];
            break rest.split('/').next().unwrap_or(rest).parse().expect("address");
        }
    };
    std::thread::spawn(move || for _ in lines {});
    addr
}
