//! Helpers shared by the server's test binaries: records to append, stores in temp dirs.

#![allow(dead_code, reason = "each test binary uses a different part")]

pub mod conformance;
pub mod served;

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

/// The PostgreSQL server the tests use, from `ANNALS_TEST_POSTGRES`. Unset is a failure, not
/// a skip: a backend that is not tested is not known to work.
pub fn postgres_url() -> String {
    match std::env::var("ANNALS_TEST_POSTGRES") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "ANNALS_TEST_POSTGRES is not set: the PostgreSQL tests need a real server. \
             `cargo xtask test` starts a throwaway one on 127.0.0.1 and sets it; or set \
             ANNALS_TEST_POSTGRES=postgres://USER@127.0.0.1:PORT/DB (each test makes and drops its own schemas)"
        ),
    }
}

/// Fresh schemas in the test database, one store each, dropped by [`PgSchemas::drop_all`].
pub struct PgSchemas {
    base: String,
    admin: tokio_postgres::Client,
    made: std::sync::Mutex<Vec<String>>,
    tag: String,
}

impl PgSchemas {
    /// Connects to `ANNALS_TEST_POSTGRES`; `tag` names this test's schemas.
    pub async fn connect(tag: &str) -> Self {
        let base = postgres_url();
        let (admin, connection) = tokio_postgres::connect(&base, tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to ANNALS_TEST_POSTGRES: {e}"));
        tokio::spawn(connection);
        Self { base, admin, made: std::sync::Mutex::new(Vec::new()), tag: tag.to_owned() }
    }

    /// A new, empty schema and the URL of a store in it.
    pub async fn url(&self) -> String {
        let n = self.made.lock().expect("schemas").len();
        let schema = format!("annals_test_{}_{}_{n}", self.tag, std::process::id());
        self.admin
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
            .await
            .expect("create schema");
        self.made.lock().expect("schemas").push(schema.clone());
        self.url_of(&schema)
    }

    /// The URL of a store in `schema`.
    pub fn url_of(&self, schema: &str) -> String {
        let sep = if self.base.contains('?') { '&' } else { '?' };
        format!("{}{sep}options=-c%20search_path%3D{schema}", self.base)
    }

    /// A statement on the test database, as the administrator.
    pub fn admin(&self) -> &tokio_postgres::Client {
        &self.admin
    }

    /// Drops every schema made here.
    pub async fn drop_all(&self) {
        let made = std::mem::take(&mut *self.made.lock().expect("schemas"));
        for schema in made {
            self.admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await.expect("drop schema");
        }
    }
}
