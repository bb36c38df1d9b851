//! The PostgreSQL store: one database shared by any number of stateless `annals serve`
//! replicas (and the `import`/`export`/`append` commands), with the same rules and the same
//! answers as the SQLite store.
//!
//! # Schema
//!
//! The tables live in the connection's current schema (the first one of `search_path`, so
//! `?options=-c%20search_path%3Dannals` in the URL puts a store in schema `annals`):
//!
//! ```sql
//! CREATE TABLE events (
//!     position       BIGINT  PRIMARY KEY CHECK (position > 0),  -- global, gapless, commit order
//!     id             TEXT    NOT NULL UNIQUE,
//!     stream         TEXT    NOT NULL,
//!     stream_version BIGINT  NOT NULL CHECK (stream_version > 0),
//!     recorded_at    TEXT    NOT NULL,   -- RFC 3339 UTC, milliseconds (`Timestamp`)
//!     type           TEXT    NOT NULL,
//!     schema_version INTEGER NOT NULL,
//!     payload        TEXT    NOT NULL,   -- the payload JSON, as in the envelope JSON
//!     UNIQUE (stream, stream_version)
//! );
//! CREATE INDEX events_by_stream ON events (stream, position);
//! CREATE TABLE log_head (                -- exactly one row
//!     one      BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
//!     position BIGINT  NOT NULL,         -- the last committed position
//!     format   INTEGER NOT NULL          -- 1
//! );
//! ```
//!
//! `events` is the SQLite table column for column (the envelope JSON of
//! [`annals_core::envelope`]), so an export from one backend imports into the other
//! unchanged. The payload is `TEXT`, not `jsonb`, so it reads back byte for byte as the store
//! wrote it (`jsonb` would reorder keys and drop duplicates).
//!
//! # Why a locked head row, not a sequence
//!
//! A `bigserial` position is the obvious mapping and the wrong one: sequence values are
//! handed out at insert time, not at commit time. Writer A takes 10, writer B takes 11, B
//! commits first; a subscriber that reads `position > 9` sees 11, moves its cursor to 11,
//! and never reads 10 when A commits a moment later. A rolled-back writer leaves a hole
//! for good. Every PostgreSQL event store meets this (see the gap discussion in the
//! project's event-store research): Marten and Axon wait for gaps to prove dead behind a
//! high-water mark or a timeout, Message DB serializes per category and lets global reads
//! see gaps, disintegrate reads a visibility horizon from `pg_locks`.
//!
//! Annals takes the simple, correct-by-construction way (as commanded's `$all` row does):
//! **every writing transaction locks the single `log_head` row (`SELECT … FOR UPDATE`)
//! before it picks positions, and holds the lock until it commits.** So
//!
//! - positions are *gapless*: the next position is the head plus one, and the head is
//!   updated in the same transaction as the rows, so a rollback takes both back;
//! - positions become *visible in order*: writer B cannot read the head until writer A has
//!   committed (PostgreSQL makes A's commit visible before it releases A's locks), so B's
//!   positions are all above A's and B commits after A. A reader that has seen position
//!   `n` has seen everything up to `n`; `position > last` never skips a late commit.
//!
//! *Why the row, not `pg_advisory_xact_lock`:* both serialize the same way, but the row
//! also holds the value the lock protects. Reading it under the lock tells a replica at once
//! whether others have appended since its last group (so it folds just those rows), and a
//! head that disagrees with the table is caught on opening. *Why not the research's other
//! options:* a high-water mark (Marten) or a gap timeout (Axon) makes every reader reason
//! about gaps and can stall on, or skip past, a slow transaction; logical decoding needs a
//! replication slot. Serializing is correct without any of that, and group commit keeps its
//! cost down (see the store benchmark).
//!
//! The price is that appends are serialized across all replicas. Within a replica the
//! writer amortizes it the way the SQLite writer does: one transaction (one lock, one WAL
//! flush) per *group* of queued appends. The lock is held for a few round trips, never
//! across anything but the database.
//!
//! # Commit protocol
//!
//! Each store (each replica) runs one writer task with its own connection and an
//! in-memory state (each stream's version and [`StreamIndex`], and the last position it
//! has folded). It loops:
//!
//! 1. wait for one append request, then take every request already queued (a group);
//! 2. `BEGIN` (read committed); `SELECT position FROM log_head FOR UPDATE` — the lock — and,
//!    pipelined behind it (so it runs once the lock is held), read in one statement the
//!    stored rows of every id the group names;
//! 3. fold the rows after the state's last position up to the head into the state (the
//!    appends of other replicas), checking they are gapless and consecutive per stream;
//! 4. if the group corrects stored events, read the envelopes their current payloads are
//!    rebuilt from (each target and its earlier corrections, by position; one statement);
//! 5. plan each request in arrival order with [`plan_append`] against the state and those
//!    rows (both already include the earlier requests of the group); a rejected request
//!    changes nothing, an accepted one takes the next positions and is folded in;
//! 6. insert every accepted envelope in one statement (`UNNEST`), and, pipelined, set the
//!    head and `pg_notify` the store's channel;
//! 7. `COMMIT` — durable before it returns (the store refuses `synchronous_commit=off`
//!    for its session) — then publish the new position locally and answer each request.
//!
//! If anything fails, the transaction is rolled back and every request of the group gets a
//! storage error (a retry is safe: ids make it idempotent); the state is dropped and rebuilt
//! from the table by the next group. A failed `COMMIT` on a lost connection is ambiguous:
//! the group may have been stored, and a retry then answers with the original positions.
//!
//! Connections come back by themselves: a closed connection is replaced before its next
//! use, a group whose `BEGIN` failed (nothing of it was sent) is tried once more on a new
//! connection, and so is a failed read. A database restart or failover therefore costs the
//! groups in flight at that moment, not the replica.
//!
//! # Live updates across replicas
//!
//! [`Store::subscribe`]'s position is moved by three things, and it only ever moves to a
//! head that was read from the table, or written by this process's own commit, so every
//! position up to it is committed and visible:
//!
//! - this replica's own commits, at once;
//! - `LISTEN` on the store's channel: a notification (delivered by PostgreSQL only after
//!   the notifying commit) is a wake-up to read the head, never data;
//! - a read of the head every [`POLL`] and after every (re)connection of the listener.
//!
//! A lost notification (a dropped listener connection) therefore only delays a wake-up
//! until the next poll, and subscribers, which re-read the store after their own cursor,
//! never lose an event.
//!
//! # Opening
//!
//! Opening creates the tables if missing (under a transaction-level advisory lock, so
//! replicas starting together do not race), refuses a newer `format`, and folds the whole
//! table in one repeatable-read snapshot, checking positions are gapless, stream versions
//! consecutive, and the head equal to the last position. TLS is not supported: use a local
//! or Unix-socket connection (`host=/var/run/postgresql`), or a tunnel.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use annals_core::envelope::current_schema;
#[cfg(doc)]
use annals_core::index::StreamIndex;
use annals_core::log::{plan_append, AppendContext, Plan, StreamInfo};
use annals_core::validate::Known;
use annals_core::Event;
use annals_core::{Appended, Envelope, EventId, ExpectedVersion, Proposed, StreamName, Timestamp};
use futures_util::{StreamExt as _, TryStreamExt as _};
use tokio::sync::{mpsc, oneshot, watch, Mutex};
use tokio::task::JoinHandle;
use tokio_postgres::config::Host;
use tokio_postgres::types::ToSql;
use tokio_postgres::{AsyncMessage, Client, Config, IsolationLevel, NoTls, Row, Statement, Transaction};

use super::state::WriterState;
use super::{decode_row, BoxFuture, Store, StoreError, StreamPage};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
    position       BIGINT  PRIMARY KEY CHECK (position > 0),
    id             TEXT    NOT NULL UNIQUE,
    stream         TEXT    NOT NULL,
    stream_version BIGINT  NOT NULL CHECK (stream_version > 0),
    recorded_at    TEXT    NOT NULL,
    type           TEXT    NOT NULL,
    schema_version INTEGER NOT NULL,
    payload        TEXT    NOT NULL,
    UNIQUE (stream, stream_version)
);
CREATE INDEX IF NOT EXISTS events_by_stream ON events (stream, position);
CREATE TABLE IF NOT EXISTS log_head (
    one      BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    position BIGINT  NOT NULL,
    format   INTEGER NOT NULL
);
INSERT INTO log_head (one, position, format) VALUES (TRUE, 0, 1) ON CONFLICT DO NOTHING;
";

/// The schema version, kept in `log_head.format`.
const FORMAT: i32 = 1;

/// The columns of `events`, in the order of [`Rows`].
pub const COLUMNS: &str = "position, id, stream, stream_version, recorded_at, type, schema_version, payload";

/// Most requests one commit takes; the rest wait for the next group.
const MAX_GROUP: usize = 1024;
/// Read connections per store; each one pipelines the reads given to it.
const READERS: usize = 4;
/// How often the listener reads the head even without a notification.
pub const POLL: Duration = Duration::from_secs(2);

fn storage(e: impl std::fmt::Display) -> StoreError {
    StoreError::Storage(e.to_string())
}

/// A PostgreSQL error with what the server said (tokio-postgres' own text is only
/// "db error" for those).
fn pg(e: tokio_postgres::Error) -> StoreError {
    StoreError::Storage(pg_text(&e))
}

fn pg_text(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let detail = db.detail().map(|d| format!(" ({d})")).unwrap_or_default();
            format!("PostgreSQL: {}: {}{detail}", db.severity(), db.message())
        }
        None => match std::error::Error::source(e) {
            Some(source) => format!("PostgreSQL: {e}: {source}"),
            None => format!("PostgreSQL: {e}"),
        },
    }
}

/// A PostgreSQL URL or key-value string as a person may see it: without the password.
pub fn describe(config: &Config) -> String {
    let user = config.get_user().map(|u| format!("{u}@")).unwrap_or_default();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let port = config.get_ports().get(i).or(config.get_ports().first()).copied().unwrap_or(5432);
            match host {
                Host::Tcp(name) => format!("{name}:{port}"),
                Host::Unix(path) => format!("{}:{port}", path.display()),
            }
        })
        .collect();
    let db = config.get_dbname().unwrap_or_default();
    format!("postgres://{user}{}/{db}", hosts.join(","))
}

/// Parses a `postgres://` URL (or a key-value connection string).
pub fn parse(url: &str) -> Result<Config, StoreError> {
    url.parse::<Config>().map_err(|e| StoreError::Storage(format!("not a PostgreSQL connection string: {e}")))
}

/// Opens a connection and drives it on the runtime.
async fn connect(config: &Config) -> Result<Client, StoreError> {
    let (client, connection) = config.connect(NoTls).await.map_err(|e| match pg(e) {
        StoreError::Storage(m) => StoreError::Storage(format!("cannot connect to {}: {m}", describe(config))),
        other => other,
    })?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!("connection closed: {}", pg_text(&e));
        }
    });
    Ok(client)
}

/// The PostgreSQL store. See the module docs for the schema and the commit protocol.
#[derive(Debug)]
pub struct PostgresStore {
    requests: Option<mpsc::Sender<Request>>,
    readers: Arc<Readers>,
    committed: watch::Receiver<u64>,
    listener: JoinHandle<()>,
    described: String,
}

#[derive(Debug)]
struct Request {
    stream: StreamName,
    expected: ExpectedVersion,
    batch: Vec<Proposed>,
    reply: oneshot::Sender<Result<Appended, StoreError>>,
}

impl PostgresStore {
    /// Opens the store at a `postgres://` URL (creating its tables when missing), recording
    /// events at the time of the system clock.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        Self::open_with_clock(url, crate::clock::now).await
    }

    /// Opens the store with a clock for `recorded_at`.
    pub async fn open_with_clock(url: &str, clock: fn() -> Timestamp) -> Result<Self, StoreError> {
        let mut config = parse(url)?;
        if config.get_application_name().is_none() {
            config.application_name("annals");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        let described = describe(&config);
        let at = |e: StoreError| match e {
            StoreError::Storage(m) if !m.contains(&described) => StoreError::Storage(format!("{described}: {m}")),
            other => other,
        };
        let mut client = connect(&config).await.map_err(at)?;
        let schema = prepare_database(&mut client).await.map_err(at)?;
        let state = load(&mut client).await.map_err(at)?;
        let channel = channel_of(&schema);
        let (committed_tx, committed) = watch::channel(state.last_position);
        let committed_tx = Arc::new(committed_tx);
        let conn = WriteConn::prepare(client).await.map_err(at)?;
        let (requests, queue) = mpsc::channel(4 * MAX_GROUP);
        let writer = Writer {
            config: config.clone(),
            channel: channel.clone(),
            conn: Some(conn),
            state: Some(state),
            committed: committed_tx.clone(),
            clock,
        };
        tokio::spawn(writer.run(queue));
        let listener = tokio::spawn(listen(config.clone(), channel, committed_tx));
        let readers = Arc::new(Readers {
            config,
            slots: (0..READERS).map(|_| Mutex::new(None)).collect(),
            next: AtomicUsize::new(0),
        });
        Ok(Self { requests: Some(requests), readers, committed, listener, described })
    }

    /// Where the store is, without the password.
    pub fn describe(&self) -> &str {
        &self.described
    }
}

impl Drop for PostgresStore {
    /// Stops listening; the writer answers the requests already queued, then ends.
    fn drop(&mut self) {
        self.requests.take();
        self.listener.abort();
    }
}

/// Checks the session is durable, creates the tables when missing and checks the format.
/// Returns the schema the store lives in.
async fn prepare_database(client: &mut Client) -> Result<String, StoreError> {
    let sync: String = client.query_one("SHOW synchronous_commit", &[]).await.map_err(pg)?.get(0);
    if sync == "off" {
        // An acknowledged append must be durable: never let a server default weaken that.
        client.batch_execute("SET synchronous_commit = on").await.map_err(pg)?;
    }
    let fsync: String = client.query_one("SHOW fsync", &[]).await.map_err(pg)?.get(0);
    if fsync != "on" {
        tracing::warn!("the PostgreSQL server runs with fsync={fsync}: commits are not durable");
    }
    let schema: Option<String> = client.query_one("SELECT current_schema()", &[]).await.map_err(pg)?.get(0);
    let schema = schema.ok_or_else(|| {
        StoreError::Storage("no schema of the search_path exists; create it or set another search_path".into())
    })?;
    let tx = client.transaction().await.map_err(pg)?;
    // Replicas starting together would race on CREATE TABLE IF NOT EXISTS.
    tx.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.annals-schema'))", &[])
        .await
        .map_err(pg)?;
    tx.batch_execute(SCHEMA).await.map_err(pg)?;
    let format: i32 = tx.query_one("SELECT format FROM log_head", &[]).await.map_err(pg)?.get(0);
    tx.commit().await.map_err(pg)?;
    if format > FORMAT {
        return Err(StoreError::Storage(format!(
            "schema {schema:?} has format {format}, newer than this program's ({FORMAT}); use a newer annals"
        )));
    }
    Ok(schema)
}

/// The notification channel of a schema's store. Channel names are at most 63 bytes; two
/// schemas that share a truncated name only wake each other, which costs one read.
fn channel_of(schema: &str) -> String {
    let mut channel = format!("annals_log_{schema}");
    while channel.len() > 63 {
        channel.pop();
    }
    channel
}

/// `name` as a quoted SQL identifier.
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Folds the whole table in one snapshot and checks it against the head.
async fn load(client: &mut Client) -> Result<WriterState, StoreError> {
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(pg)?;
    let head = tx.query_one("SELECT position FROM log_head", &[]).await.map_err(pg)?.get::<_, i64>(0);
    let after =
        tx.prepare(&format!("SELECT {COLUMNS} FROM events WHERE position > $1 ORDER BY position")).await.map_err(pg)?;
    let mut state = WriterState::default();
    fold_after(&tx, &after, &mut state, head as u64).await?;
    tx.commit().await.map_err(pg)?;
    Ok(state)
}

/// Folds the rows after the state's last position into it, checking that they are gapless,
/// consecutive per stream, and end at `head`.
async fn fold_after(
    tx: &Transaction<'_>,
    after: &Statement,
    state: &mut WriterState,
    head: u64,
) -> Result<(), StoreError> {
    if head == state.last_position {
        return Ok(());
    }
    let rows = tx.query_raw(after, [state.last_position as i64]).await.map_err(pg)?;
    let mut rows = std::pin::pin!(rows);
    while let Some(row) = rows.try_next().await.map_err(pg)? {
        let (env, stream_version) = envelope(&row)?;
        state.apply_stored(&env, stream_version, "table")?;
    }
    if state.last_position != head {
        return Err(StoreError::Storage(format!(
            "the log head says {head} but the last event is at {}; the table was changed outside Annals",
            state.last_position
        )));
    }
    Ok(())
}

/// Decodes a row of [`COLUMNS`] into an envelope and its stream version.
fn envelope(row: &Row) -> Result<(Envelope, u64), StoreError> {
    let position: i64 = row.try_get(0).map_err(pg)?;
    let stream_version: i64 = row.try_get(3).map_err(pg)?;
    let env = decode_row(
        position as u64,
        row.try_get(1).map_err(pg)?,
        row.try_get(2).map_err(pg)?,
        row.try_get(4).map_err(pg)?,
        row.try_get(5).map_err(pg)?,
        i64::from(row.try_get::<_, i32>(6).map_err(pg)?),
        row.try_get(7).map_err(pg)?,
    )?;
    Ok((env, stream_version as u64))
}

fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Store for PostgresStore {
    fn append(
        &self,
        stream: StreamName,
        expected: ExpectedVersion,
        batch: Vec<Proposed>,
    ) -> BoxFuture<'_, Result<Appended, StoreError>> {
        Box::pin(async move {
            let requests = self.requests.as_ref().ok_or(StoreError::Closed)?;
            let (reply, answer) = oneshot::channel();
            requests.send(Request { stream, expected, batch, reply }).await.map_err(|_| StoreError::Closed)?;
            answer.await.map_err(|_| StoreError::Closed)?
        })
    }

    fn read_all(&self, after: u64, n: usize) -> BoxFuture<'_, Result<Vec<Envelope>, StoreError>> {
        Box::pin(async move {
            let rows = self.readers.query(|r| &r.read_all, &[&(after as i64), &limit(n)]).await?;
            rows.iter().map(|row| envelope(row).map(|(env, _)| env)).collect()
        })
    }

    fn read_stream(&self, stream: StreamName, after: u64, n: usize) -> BoxFuture<'_, Result<StreamPage, StoreError>> {
        Box::pin(async move {
            let rows = self.readers.query(|r| &r.read_stream, &[&stream.as_str(), &(after as i64), &limit(n)]).await?;
            // One statement, one snapshot: the version and the page agree.
            let mut version = 0;
            let mut events = Vec::with_capacity(rows.len());
            for row in &rows {
                version = row.try_get::<_, i64>(0).map_err(pg)? as u64;
                let position: Option<i64> = row.try_get(1).map_err(pg)?;
                if position.is_some() {
                    events.push(envelope_at(row, 1)?);
                }
            }
            Ok(StreamPage { version, events })
        })
    }

    fn streams(&self) -> BoxFuture<'_, Result<Vec<StreamInfo>, StoreError>> {
        Box::pin(async move {
            let rows = self.readers.query(|r| &r.streams, &[]).await?;
            rows.iter()
                .map(|r| {
                    Ok(StreamInfo {
                        stream: StreamName::from(r.try_get::<_, String>(0).map_err(pg)?),
                        version: r.try_get::<_, i64>(1).map_err(pg)? as u64,
                        last_position: r.try_get::<_, i64>(2).map_err(pg)? as u64,
                    })
                })
                .collect()
        })
    }

    fn subscribe(&self) -> watch::Receiver<u64> {
        self.committed.clone()
    }
}

/// Decodes the [`COLUMNS`] of a row that start at column `from`.
fn envelope_at(row: &Row, from: usize) -> Result<Envelope, StoreError> {
    let position: i64 = row.try_get(from).map_err(pg)?;
    decode_row(
        position as u64,
        row.try_get(from + 1).map_err(pg)?,
        row.try_get(from + 2).map_err(pg)?,
        row.try_get(from + 4).map_err(pg)?,
        row.try_get(from + 5).map_err(pg)?,
        i64::from(row.try_get::<_, i32>(from + 6).map_err(pg)?),
        row.try_get(from + 7).map_err(pg)?,
    )
}

/// A read connection with its statements prepared.
#[derive(Debug)]
struct ReadConn {
    client: Client,
    read_all: Statement,
    read_stream: Statement,
    streams: Statement,
}

impl ReadConn {
    async fn connect(config: &Config) -> Result<Self, StoreError> {
        let client = connect(config).await?;
        let read_all = client
            .prepare(&format!("SELECT {COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2"))
            .await
            .map_err(pg)?;
        let read_stream = client
            .prepare(&format!(
                "SELECT v.version, e.* FROM
                   (SELECT COALESCE(MAX(stream_version), 0) AS version FROM events WHERE stream = $1) v
                 LEFT JOIN LATERAL
                   (SELECT {COLUMNS} FROM events WHERE stream = $1 AND position > $2 ORDER BY position LIMIT $3) e
                 ON TRUE
                 ORDER BY e.position"
            ))
            .await
            .map_err(pg)?;
        // Each stream's head, found by hopping from one stream name to the next along the
        // `(stream, stream_version)` index: a `GROUP BY` reads every row (1.3 s at ten
        // million events, on every page load), this reads two index entries a stream (14 ms).
        // The last version of a stream is also its last position. Names sort by bytes, as
        // everywhere else (not by the database's collation).
        let streams = client
            .prepare(
                "WITH RECURSIVE s(stream) AS (
                   (SELECT stream FROM events ORDER BY stream LIMIT 1)
                   UNION ALL
                   SELECT (SELECT e.stream FROM events e WHERE e.stream > s.stream ORDER BY e.stream LIMIT 1)
                   FROM s WHERE s.stream IS NOT NULL)
                 SELECT s.stream, h.stream_version, h.position FROM s CROSS JOIN LATERAL
                   (SELECT stream_version, position FROM events e WHERE e.stream = s.stream
                    ORDER BY e.stream_version DESC LIMIT 1) h
                 ORDER BY s.stream COLLATE \"C\"",
            )
            .await
            .map_err(pg)?;
        Ok(Self { client, read_all, read_stream, streams })
    }
}

/// A few read connections, each shared by the reads given to it (tokio-postgres pipelines
/// queries on one connection); a closed one is replaced on its slot's next use.
#[derive(Debug)]
struct Readers {
    config: Config,
    slots: Vec<Mutex<Option<Arc<ReadConn>>>>,
    next: AtomicUsize,
}

impl Readers {
    /// The connection of the next slot (round robin), (re)connected if needed, and its slot.
    async fn get(&self) -> Result<(usize, Arc<ReadConn>), StoreError> {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.slots.len();
        let Some(slot) = self.slots.get(i) else { return Err(StoreError::Closed) };
        let mut slot = slot.lock().await;
        if let Some(conn) = slot.as_ref().filter(|c| !c.client.is_closed()) {
            return Ok((i, conn.clone()));
        }
        let conn = Arc::new(ReadConn::connect(&self.config).await?);
        *slot = Some(conn.clone());
        Ok((i, conn))
    }

    /// Runs one read. A read that fails is tried once more on a new connection (reads are
    /// idempotent): a database restart or a killed session costs a reconnect, not an error.
    async fn query(
        &self,
        statement: fn(&ReadConn) -> &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, StoreError> {
        let (i, conn) = self.get().await?;
        match conn.client.query(statement(&conn), params).await {
            Ok(rows) => Ok(rows),
            Err(first) => {
                tracing::warn!("read failed ({}); retrying on a new connection", pg_text(&first));
                if let Some(slot) = self.slots.get(i) {
                    let mut slot = slot.lock().await;
                    if slot.as_ref().is_some_and(|c| Arc::ptr_eq(c, &conn)) {
                        *slot = None;
                    }
                }
                let (_, conn) = self.get().await?;
                conn.client.query(statement(&conn), params).await.map_err(pg)
            }
        }
    }
}

/// The view [`plan_append`] plans against: versions and indexes from the state, stored
/// ids and the envelopes corrections are checked against from the rows read for the group
/// (plus the group's own earlier writes).
struct Planner<'a> {
    state: &'a WriterState,
    stored: &'a HashMap<EventId, (u64, StreamName, Proposed)>,
    envelopes: &'a HashMap<u64, Envelope>,
    /// The first position a payload needed that was not read: the plan must not be written.
    missing: std::cell::Cell<Option<u64>>,
}

impl Planner<'_> {
    fn stored_at(&self, position: u64) -> Option<Envelope> {
        let found = self.envelopes.get(&position).cloned();
        if found.is_none() && self.missing.get().is_none() {
            self.missing.set(Some(position));
        }
        found
    }
}

impl AppendContext for Planner<'_> {
    fn version(&self, stream: &StreamName) -> u64 {
        self.state.version(stream)
    }

    fn existing(&self, id: &EventId) -> Option<(u64, StreamName, Proposed)> {
        self.stored.get(id).cloned()
    }

    fn known(&self, stream: &StreamName) -> Option<Box<dyn Known + '_>> {
        let index = self.state.index(stream)?;
        Some(Box::new(index.known(|position| self.stored_at(position))))
    }
}

/// The ids the group's corrections target: their payloads are rebuilt while planning.
fn corrected_targets(group: &[Request]) -> HashSet<EventId> {
    let corrections = group.iter().flat_map(|r| &r.batch);
    corrections
        .filter_map(|p| match &p.event {
            Event::Corrected(c) => Some(c.target.clone()),
            _ => None,
        })
        .collect()
}

/// Whether planning may read this envelope back: a corrected target, or one of its corrections.
fn rebuilds(env: &Envelope, targets: &HashSet<EventId>) -> bool {
    match &env.event {
        Event::Corrected(c) => targets.contains(&c.target),
        _ => targets.contains(&env.id),
    }
}

/// The writer's connection with its statements prepared.
struct WriteConn {
    client: Client,
    lock_head: Statement,
    after: Statement,
    by_ids: Statement,
    by_positions: Statement,
    insert: Statement,
    advance: Statement,
}

impl WriteConn {
    async fn connect(config: &Config) -> Result<Self, StoreError> {
        let mut client = connect(config).await?;
        prepare_database(&mut client).await?;
        Self::prepare(client).await
    }

    async fn prepare(client: Client) -> Result<Self, StoreError> {
        let lock_head = client.prepare("SELECT position FROM log_head FOR UPDATE").await.map_err(pg)?;
        let after = client
            .prepare(&format!("SELECT {COLUMNS} FROM events WHERE position > $1 ORDER BY position"))
            .await
            .map_err(pg)?;
        let by_ids =
            client.prepare(&format!("SELECT {COLUMNS} FROM events WHERE id = ANY($1::text[])")).await.map_err(pg)?;
        let by_positions = client
            .prepare(&format!("SELECT {COLUMNS} FROM events WHERE position = ANY($1::bigint[])"))
            .await
            .map_err(pg)?;
        let insert = client
            .prepare(&format!(
                "INSERT INTO events ({COLUMNS}) SELECT * FROM UNNEST(
                   $1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::integer[], $8::text[])"
            ))
            .await
            .map_err(pg)?;
        let advance = client
            .prepare(
                "WITH head AS (UPDATE log_head SET position = $1 RETURNING position)
                 SELECT pg_notify($2, position::text) FROM head",
            )
            .await
            .map_err(pg)?;
        Ok(Self { client, lock_head, after, by_ids, by_positions, insert, advance })
    }
}

/// The stored rows of envelopes, one vector per column in the order of [`COLUMNS`]: what a
/// group inserts (`UNNEST`), and what the views bench's streaming builder copies in
/// (`benches/support/pg_build.rs`), so both write an envelope the same way.
#[derive(Debug, Default)]
pub struct Rows {
    /// The log positions.
    pub position: Vec<i64>,
    /// The event ids.
    pub id: Vec<String>,
    /// The stream names.
    pub stream: Vec<String>,
    /// Each event's version in its stream.
    pub stream_version: Vec<i64>,
    /// When each was recorded (RFC 3339).
    pub recorded_at: Vec<String>,
    /// The type names (the `type` column).
    pub type_name: Vec<String>,
    /// Each payload's schema version.
    pub schema_version: Vec<i32>,
    /// The payloads as JSON text.
    pub payload: Vec<String>,
}

impl Rows {
    /// Adds the row of `env`, the `stream_version`-th event of its stream.
    pub fn push(&mut self, env: &Envelope, stream_version: u64) -> Result<(), StoreError> {
        let type_name = env.event.type_name();
        self.position.push(env.position as i64);
        self.id.push(env.id.as_str().to_owned());
        self.stream.push(env.stream.as_str().to_owned());
        self.stream_version.push(stream_version as i64);
        self.recorded_at.push(env.recorded_at.to_string());
        self.type_name.push(type_name.to_owned());
        self.schema_version.push(i32::try_from(current_schema(type_name)).map_err(storage)?);
        self.payload.push(serde_json::to_string(&env.event.payload()).map_err(storage)?);
        Ok(())
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        self.position.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.position.is_empty()
    }
}

/// The single writer of a store: owns its connection and the state.
struct Writer {
    config: Config,
    channel: String,
    conn: Option<WriteConn>,
    /// `None` after a failure: rebuilt from the table by the next group.
    state: Option<WriterState>,
    committed: Arc<watch::Sender<u64>>,
    clock: fn() -> Timestamp,
}

type Outcome = Result<Appended, StoreError>;

/// Why a group failed: before its transaction began (nothing was sent: safe to retry), or
/// during it (rolled back; a failed `COMMIT` may have been applied).
enum Failure {
    BeforeBegin(StoreError),
    During(StoreError),
}

impl Failure {
    fn into_inner(self) -> StoreError {
        match self {
            Self::BeforeBegin(e) | Self::During(e) => e,
        }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Self::During(e)
    }
}

impl Writer {
    async fn run(mut self, mut queue: mpsc::Receiver<Request>) {
        while let Some(first) = queue.recv().await {
            let mut group = vec![first];
            while group.len() < MAX_GROUP {
                match queue.try_recv() {
                    Ok(request) => group.push(request),
                    Err(_) => break,
                }
            }
            let outcomes = self.commit_group(&mut group).await;
            if let Some(state) = &self.state {
                publish(&self.committed, state.last_position);
            }
            for (request, outcome) in group.into_iter().zip(outcomes) {
                let _ = request.reply.send(outcome);
            }
        }
    }

    async fn commit_group(&mut self, group: &mut [Request]) -> Vec<Outcome> {
        let mut result = self.try_group(group).await;
        if let Err(Failure::BeforeBegin(e)) = &result {
            // Nothing of the group reached the database: try once more on a new connection
            // (the server restarted, or this session was killed while idle).
            tracing::warn!("starting a commit failed ({e}); retrying on a new connection");
            self.conn = None;
            result = self.try_group(group).await;
        }
        match result.map_err(Failure::into_inner) {
            Ok(outcomes) => outcomes,
            Err(e) => {
                tracing::error!("commit of {} append request(s) failed: {e}", group.len());
                self.state = None;
                if self.conn.as_ref().is_some_and(|c| c.client.is_closed()) {
                    self.conn = None;
                }
                group.iter().map(|_| Err(e.clone())).collect()
            }
        }
    }

    /// Steps 2–6 of the commit protocol, except answering. `Err` means the whole group
    /// failed and nothing of it was acknowledged.
    async fn try_group(&mut self, group: &mut [Request]) -> Result<Vec<Outcome>, Failure> {
        let now = (self.clock)();
        if self.conn.as_ref().is_none_or(|c| c.client.is_closed()) {
            self.conn = Some(WriteConn::connect(&self.config).await.map_err(Failure::BeforeBegin)?);
        }
        let Some(conn) = self.conn.as_mut() else { return Err(Failure::BeforeBegin(StoreError::Closed)) };
        let tx = conn.client.transaction().await.map_err(|e| Failure::BeforeBegin(pg(e)))?;
        let mut state = self.state.take().unwrap_or_default();
        // Pipelined: the server runs the id lookup after the lock is granted, so it sees every
        // commit before ours (read committed: each statement reads what is committed when it
        // starts).
        let ids: Vec<&str> = group.iter().flat_map(|r| r.batch.iter().map(|p| p.id.as_str())).collect();
        let by_ids: [&(dyn ToSql + Sync); 1] = [&ids];
        // `join!`, not `try_join!`: when the first statement fails the second fails too
        // ("transaction is aborted"), and the first error is the one that says why.
        let (head, found) = tokio::join!(tx.query_one(&conn.lock_head, &[]), tx.query(&conn.by_ids, &by_ids));
        let head = head.map_err(pg)?.get::<_, i64>(0) as u64;
        let found = found.map_err(pg)?;
        if head < state.last_position {
            state = WriterState::default();
        }
        fold_after(&tx, &conn.after, &mut state, head).await?;

        let mut stored = HashMap::new();
        for row in found {
            let (env, _) = envelope(&row)?;
            stored.insert(env.id.clone(), (env.position, env.stream, Proposed::new(env.id, env.event)));
        }

        // What the group's corrections are checked against: each stored target and its
        // corrections, read by position (the group's own writes are added as they are made).
        let targets = corrected_targets(group);
        let mut envelopes = HashMap::new();
        let positions: Vec<i64> = group
            .iter()
            .filter_map(|r| state.index(&r.stream).map(|index| (r, index)))
            .flat_map(|(r, index)| {
                r.batch.iter().filter_map(|p| match &p.event {
                    Event::Corrected(c) => index.payload_positions(c.target.as_str()),
                    _ => None,
                })
            })
            .flatten()
            .map(|p| p as i64)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if !positions.is_empty() {
            let by_positions: [&(dyn ToSql + Sync); 1] = [&positions];
            for row in tx.query(&conn.by_positions, &by_positions).await.map_err(pg)? {
                let (env, _) = envelope(&row)?;
                envelopes.insert(env.position, env);
            }
        }

        let mut rows = Rows::default();
        let mut outcomes = Vec::with_capacity(group.len());
        for request in group.iter_mut() {
            let planner =
                Planner { state: &state, stored: &stored, envelopes: &envelopes, missing: std::cell::Cell::new(None) };
            let plan = plan_append(&planner, &request.stream, request.expected, &request.batch);
            if let Some(position) = planner.missing.get() {
                return Err(Failure::During(StoreError::Storage(format!(
                    "position {position}, which a correction is checked against, was not read back from the table"
                ))));
            }
            let outcome = match plan {
                Err(e) => Err(StoreError::Rejected(e)),
                Ok(Plan::AlreadyAppended(done)) => Ok(done),
                Ok(Plan::Write) => {
                    let batch = std::mem::take(&mut request.batch);
                    let version = state.version(&request.stream);
                    let mut positions = Vec::with_capacity(batch.len());
                    for (i, p) in batch.into_iter().enumerate() {
                        let env = Envelope {
                            position: state.last_position + 1,
                            id: p.id,
                            stream: request.stream.clone(),
                            recorded_at: p.recorded_at.unwrap_or(now),
                            event: p.event,
                        };
                        rows.push(&env, version + 1 + i as u64)?;
                        state.apply(&env);
                        if rebuilds(&env, &targets) {
                            envelopes.insert(env.position, env.clone());
                        }
                        positions.push(env.position);
                        stored.insert(env.id.clone(), (env.position, env.stream, Proposed::new(env.id, env.event)));
                    }
                    Ok(Appended { version: version + positions.len() as u64, positions, duplicate: false })
                }
            };
            outcomes.push(outcome);
        }

        if !rows.is_empty() {
            let params: [&(dyn ToSql + Sync); 8] = [
                &rows.position,
                &rows.id,
                &rows.stream,
                &rows.stream_version,
                &rows.recorded_at,
                &rows.type_name,
                &rows.schema_version,
                &rows.payload,
            ];
            let last = state.last_position as i64;
            let advance: [&(dyn ToSql + Sync); 2] = [&last, &self.channel];
            let (inserted, advanced) =
                tokio::join!(tx.execute(&conn.insert, &params), tx.query(&conn.advance, &advance));
            inserted.map_err(pg)?;
            advanced.map_err(pg)?;
        }
        tx.commit().await.map_err(pg)?;
        self.state = Some(state);
        Ok(outcomes)
    }
}

/// Moves the published position forward (never back: two sources race to publish).
fn publish(committed: &watch::Sender<u64>, position: u64) {
    committed.send_if_modified(|current| {
        let newer = position > *current;
        if newer {
            *current = position;
        }
        newer
    });
}

/// Follows the commits of other processes: `LISTEN` for wake-ups, the head read after each
/// one, after each (re)connection, and every [`POLL`]. Runs until the store is dropped.
async fn listen(config: Config, channel: String, committed: Arc<watch::Sender<u64>>) {
    let mut failures = 0u32;
    loop {
        match listen_once(&config, &channel, &committed).await {
            Ok(()) => failures = 0,
            Err(e) => {
                failures = failures.saturating_add(1);
                if failures == 1 {
                    tracing::warn!("live: the listener connection failed: {e}; reconnecting");
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(250 * u64::from(failures.min(20)))).await;
    }
}

/// One listener connection, until it fails.
async fn listen_once(config: &Config, channel: &str, committed: &watch::Sender<u64>) -> Result<(), StoreError> {
    let (client, mut connection) = config.connect(NoTls).await.map_err(pg)?;
    let (wake_tx, mut wake) = mpsc::unbounded_channel::<()>();
    let messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
    let driver = tokio::spawn(async move {
        let mut messages = std::pin::pin!(messages);
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(_)) => {
                    if wake_tx.send(()).is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!("live: listener connection: {}", pg_text(&e));
                    return;
                }
            }
        }
    });
    let result = async {
        client.batch_execute(&format!("LISTEN {}", quote_ident(channel))).await.map_err(pg)?;
        let head = client.prepare("SELECT position FROM log_head").await.map_err(pg)?;
        let mut poll = tokio::time::interval(POLL);
        loop {
            // Read the head first: commits made before LISTEN took effect are seen here.
            let position: i64 = client.query_one(&head, &[]).await.map_err(pg)?.get(0);
            publish(committed, position as u64);
            tokio::select! {
                woke = wake.recv() => {
                    if woke.is_none() {
                        return Err(StoreError::Storage("the listener connection closed".into()));
                    }
                    while wake.try_recv().is_ok() {}
                }
                _ = poll.tick() => {}
            }
        }
    }
    .await;
    driver.abort();
    result
}
