//! The SQLite store: the default backend, one file, no server.
//!
//! # File format
//!
//! One table, one row per envelope (`PRAGMA user_version = 1`):
//!
//! ```sql
//! CREATE TABLE events (
//!     position       INTEGER PRIMARY KEY,   -- global, gapless from 1, commit order (the rowid)
//!     id             TEXT    NOT NULL UNIQUE,
//!     stream         TEXT    NOT NULL,
//!     stream_version INTEGER NOT NULL,      -- 1-based index of the event in its stream
//!     recorded_at    TEXT    NOT NULL,      -- RFC 3339 UTC, milliseconds (`Timestamp`)
//!     type           TEXT    NOT NULL,      -- `Visit`, `ActorRegistered`, …
//!     schema_version INTEGER NOT NULL,      -- of the payload, upcast on read
//!     payload        TEXT    NOT NULL,      -- the payload JSON, as in the envelope JSON
//!     UNIQUE (stream, stream_version)
//! ) STRICT;
//! CREATE INDEX events_by_stream ON events (stream, position);
//! ```
//!
//! The columns are the fields of the envelope JSON of [`annals_core::envelope`], so a row
//! is an envelope and the same schema maps one to one onto PostgreSQL. The unique
//! constraints are a second line of defence behind the writer's own checks: a duplicate id
//! or a second event at the same stream version cannot be stored even by a bug.
//!
//! # Commit protocol
//!
//! The database runs in WAL mode with `synchronous=FULL`: a commit returns only after the
//! WAL is on disk, and a crash at any moment leaves the last committed transaction intact.
//!
//! One writer thread owns the only write connection and the in-memory state the append rules
//! need (each stream's version and [`StreamIndex`]; ids are looked up in the table, and so
//! are the envelopes a correction is checked against). It loops:
//!
//! 1. wait for one append request, then drain every request already queued (a group);
//! 2. `BEGIN IMMEDIATE`; if the table's last position differs from the one in memory
//!    (another process wrote to the file), rebuild the state from the table first;
//! 3. for each request in arrival order, plan it with [`plan_append`] against the state
//!    (which already includes the earlier requests of the group). A rejected request
//!    changes nothing. An accepted one is inserted with the next positions and folded into
//!    the state;
//! 4. `COMMIT` (durable), publish the last position to subscribers, answer each request.
//!
//! If any statement or the commit fails, the transaction is rolled back and nothing of the
//! group is stored: every request of the group gets a storage error (a retry is safe: ids
//! make it idempotent) and the state is rebuilt from the table. So an acknowledged append is
//! always durable, and positions are gapless and in commit order. Many concurrent appends
//! share one fsync, which is what makes them fast.
//!
//! One process per file: opening takes an exclusive lock on `<db>.lock` ([`super::lock`]),
//! so a second `annals serve` (or `import`, `append`, `export`) on a file in use is refused
//! with a message naming the holder. The kernel releases the lock when the process dies.
//! (A writer that bypasses the lock is still noticed at step 2 and stays correct, at the
//! cost of a full reload; its commits do not wake this process's live subscribers.) After
//! each commit the writer records the last position in the lock file.
//!
//! Reads use separate read-only connections (WAL readers never block the writer), on
//! tokio's blocking pool; a read of a stream page and its version is one read transaction.
//!
//! # Recovery, damage, and a clean stop
//!
//! Opening the file folds the whole table into the in-memory state, checking on the way
//! that positions are gapless and stream versions consecutive; a file that fails the check
//! is refused, not repaired. SQLite's own recovery (rolling back an incomplete WAL
//! transaction) has already run by then.
//!
//! SQLite takes a missing or truncated WAL for an older state and a 0-byte file for a new
//! database, without a word; the store would then be served, or seeded again, as if nothing
//! had been lost. So a 0-byte database is refused; a missing one is created only when the
//! lock file records no acknowledged event; and a log that ends before the position the
//! lock file records is refused *before anything is written* (the connection is not even
//! closed, since closing would checkpoint), so putting the missing `-wal` back still works.
//!
//! [`Store::close`] (and dropping the store) checkpoints the WAL with `TRUNCATE`: after a
//! clean stop the database file alone holds the whole store. The files are created
//! owner-only (0600; SQLite gives `-wal` and `-shm` the database file's mode). [`backup`]
//! copies a live store in one snapshot (`VACUUM INTO`) into one file.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use annals_core::envelope::current_schema;
#[cfg(doc)]
use annals_core::index::StreamIndex;
use annals_core::log::{plan_append, AppendContext, Plan, StreamInfo};
use annals_core::validate::Known;
use annals_core::{Appended, Envelope, EventId, ExpectedVersion, Proposed, StreamName, Timestamp};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior};
use tokio::sync::{mpsc, oneshot, watch, Semaphore};

use super::lock::StoreLock;
use super::state::WriterState;
use super::{decode_row, BoxFuture, Store, StoreError, StreamPage};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
    position       INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    stream         TEXT    NOT NULL,
    stream_version INTEGER NOT NULL,
    recorded_at    TEXT    NOT NULL,
    type           TEXT    NOT NULL,
    schema_version INTEGER NOT NULL,
    payload        TEXT    NOT NULL,
    UNIQUE (stream, stream_version)
) STRICT;
CREATE INDEX IF NOT EXISTS events_by_stream ON events (stream, position);
PRAGMA user_version = 1;
";

/// The file format version, kept in `PRAGMA user_version`.
const FORMAT: i64 = 1;

const COLUMNS: &str = "position, id, stream, stream_version, recorded_at, type, schema_version, payload";

/// Tries of the checkpoint at close, 100 ms apart, while readers hold the WAL.
const CHECKPOINT_ATTEMPTS: usize = 10;
/// Most requests one commit takes; the rest wait for the next group.
const MAX_GROUP: usize = 1024;
/// Most reads running at once, and read connections kept open between reads. Waiting for a
/// connection is cheaper than opening one, and bounds the blocking threads reads take.
const READERS: usize = 8;

fn storage(e: impl std::fmt::Display) -> StoreError {
    StoreError::Storage(e.to_string())
}

/// The SQLite store. See the module docs for the file format and the commit protocol.
#[derive(Debug)]
pub struct SqliteStore {
    requests: Option<mpsc::Sender<Message>>,
    readers: Arc<ReadPool>,
    permits: Arc<Semaphore>,
    committed: watch::Receiver<u64>,
    writer: Option<JoinHandle<()>>,
}

/// What the writer is asked to do.
#[derive(Debug)]
enum Message {
    Append(Request),
    /// Checkpoint the WAL into the database file and stop; the answer says how it went.
    Close(oneshot::Sender<Result<(), StoreError>>),
}

#[derive(Debug)]
struct Request {
    stream: StreamName,
    expected: ExpectedVersion,
    batch: Vec<Proposed>,
    reply: oneshot::Sender<Result<Appended, StoreError>>,
}

impl SqliteStore {
    /// Opens (or creates) the store at `path`, recording events at the time of the
    /// system clock.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with_clock(path, crate::clock::now)
    }

    /// Opens (or creates) the store at `path` with a clock for `recorded_at`.
    pub fn open_with_clock(path: impl AsRef<Path>, clock: fn() -> Timestamp) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let (mut lock, recorded) = StoreLock::acquire(&path)?;
        prepare_file(&path, recorded, lock.path())?;
        let conn = Connection::open(&path).map_err(|e| opening(&path, e))?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(storage)?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(storage)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Storage(format!("{}: cannot use WAL mode (got {mode})", path.display())));
        }
        conn.execute_batch("PRAGMA synchronous = FULL;").map_err(storage)?;
        let format: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(storage)?;
        if format > FORMAT {
            return Err(StoreError::Storage(format!(
                "{}: file format {format} is newer than this program's ({FORMAT}); use a newer annals",
                path.display()
            )));
        }
        // Before anything is written: a file that lost acknowledged events is left as found
        // (the connection is not even closed, since closing checkpoints), so putting the
        // missing -wal back still works.
        let on_file = last_position_on_file(&conn).map_err(|e| opening(&path, e))?;
        if on_file < recorded {
            let error = lost(&path, on_file, recorded, lock.path());
            std::mem::forget(conn);
            return Err(error);
        }
        conn.execute_batch(SCHEMA).map_err(storage)?;
        let state = load_state(&conn).map_err(|e| match e {
            StoreError::Storage(m) => StoreError::Storage(format!("{}: {m}", path.display())),
            other => other,
        })?;
        lock.record(state.last_position).map_err(|e| StoreError::Storage(format!("{}: {e}", lock.path().display())))?;
        let (committed_tx, committed) = watch::channel(state.last_position);
        let (requests, queue) = mpsc::channel(4 * MAX_GROUP);
        let writer = std::thread::Builder::new()
            .name("annals-sqlite-writer".into())
            .spawn(move || Writer { conn, state, committed: committed_tx, clock, lock }.run(queue))
            .map_err(storage)?;
        Ok(Self {
            requests: Some(requests),
            readers: Arc::new(ReadPool { path, idle: Mutex::new(Vec::new()) }),
            permits: Arc::new(Semaphore::new(READERS)),
            committed,
            writer: Some(writer),
        })
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let readers = self.readers.clone();
        let permit = self.permits.clone().acquire_owned().await.map_err(|_| StoreError::Closed)?;
        tokio::task::spawn_blocking(move || {
            let out = readers.with(f);
            drop(permit);
            out
        })
        .await
        .map_err(storage)?
    }
}

/// Copies the store at `src` into a new file `dest` in one snapshot (`VACUUM INTO`), owner-only,
/// and checks the copy as [`SqliteStore::open`] would. Takes no lock: the store may be
/// served meanwhile. Returns the last position in the copy.
pub fn backup(src: &Path, dest: &Path) -> Result<u64, StoreError> {
    match std::fs::metadata(src) {
        Ok(meta) if meta.len() == 0 => {
            return Err(StoreError::Storage(format!("{} is empty (0 bytes), not an Annals store", src.display())))
        }
        Ok(_) => {}
        Err(e) => return Err(opening(src, e)),
    }
    let dest_text =
        dest.to_str().ok_or_else(|| StoreError::Storage(format!("{}: the file name must be UTF-8", dest.display())))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(dest).map_err(|e| StoreError::Storage(format!("{}: cannot create the copy: {e}", dest.display())))?;
    let copy = || -> Result<u64, StoreError> {
        let conn = Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| opening(src, e))?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(storage)?;
        conn.execute("VACUUM INTO ?1", [dest_text])
            .map_err(|e| StoreError::Storage(format!("{}: the copy failed: {e}", src.display())))?;
        drop(conn);
        let copy = Connection::open(dest).map_err(|e| opening(dest, e))?;
        let state = load_state(&copy)
            .map_err(|e| StoreError::Storage(format!("{}: the copy is not sound: {e}", dest.display())))?;
        Ok(state.last_position)
    };
    copy().inspect_err(|_| {
        let _ = std::fs::remove_file(dest);
    })
}

/// The last position in the file as it is (0 when it has no events table yet).
fn last_position_on_file(conn: &Connection) -> rusqlite::Result<u64> {
    let has_table: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events')",
        [],
        |r| r.get(0),
    )?;
    if !has_table {
        return Ok(0);
    }
    conn.query_row("SELECT COALESCE(MAX(position), 0) FROM events", [], |r| r.get::<_, i64>(0)).map(|p| p as u64)
}

/// The refusal of a store that ends before the position its lock file records.
fn lost(path: &Path, on_file: u64, recorded: u64, lock: &Path) -> StoreError {
    StoreError::Storage(format!(
        "{}: the log ends at position {on_file} but {} records that position {recorded} was acknowledged: \
         events are missing. The write-ahead log {} was deleted, cut short or not copied along, or the \
         database was replaced. Nothing was changed: put the missing file back or restore a backup \
         (`annals backup` makes one); only to serve what is left, delete {}",
        path.display(),
        lock.display(),
        suffixed(path, "-wal").display(),
        lock.display()
    ))
}

/// `path` with `suffix` appended to its file name (`annals.db` → `annals.db-wal`).
fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A failure to open the database, naming the file.
fn opening(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Storage(format!("{}: cannot open the database: {e}", path.display()))
}

/// Checks the database file before SQLite opens it, and creates a missing one owner-only
/// (SQLite gives its `-wal` and `-shm` files the database file's permissions).
///
/// A 0-byte file is refused: SQLite would take it for a new database and the store would
/// be seeded again, though the file was meant to hold a record. A missing file is created
/// only when the lock file records no acknowledged event.
fn prepare_file(path: &Path, recorded: u64, lock: &Path) -> Result<(), StoreError> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() == 0 => Err(StoreError::Storage(format!(
            "{} is empty (0 bytes), not an Annals store: it was cut short or replaced. Restore it from a \
             backup, or delete it to start a new store",
            path.display()
        ))),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if recorded > 0 {
                return Err(StoreError::Storage(format!(
                    "{} does not exist, but {} records that it held {}: it was moved or \
                     deleted. Restore it (with its -wal file, if any); to start a new, empty store, delete {}",
                    path.display(),
                    lock.display(),
                    annals_core::words::count(recorded, "event", "events"),
                    lock.display()
                )));
            }
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            options.open(path).map(drop).map_err(|e| opening(path, e))
        }
        Err(e) => Err(opening(path, e)),
    }
}

impl Drop for SqliteStore {
    /// Stops the writer after the requests already queued and waits for it, so the file is
    /// closed when the store is gone (a reopen in the same process sees everything).
    fn drop(&mut self) {
        self.requests.take();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

impl Store for SqliteStore {
    fn append(
        &self,
        stream: StreamName,
        expected: ExpectedVersion,
        batch: Vec<Proposed>,
    ) -> BoxFuture<'_, Result<Appended, StoreError>> {
        Box::pin(async move {
            let requests = self.requests.as_ref().ok_or(StoreError::Closed)?;
            let (reply, answer) = oneshot::channel();
            let request = Request { stream, expected, batch, reply };
            requests.send(Message::Append(request)).await.map_err(|_| StoreError::Closed)?;
            answer.await.map_err(|_| StoreError::Closed)?
        })
    }

    /// Waits for the appends already queued, checkpoints the WAL into the database file
    /// (`TRUNCATE`: the `-wal` file is left empty) and stops the writer; later appends get
    /// [`StoreError::Closed`]. After it the database file alone holds the whole store.
    fn close(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(async move {
            let Some(requests) = self.requests.as_ref() else { return Ok(()) };
            let (reply, answer) = oneshot::channel();
            if requests.send(Message::Close(reply)).await.is_err() {
                return Ok(());
            }
            answer.await.unwrap_or(Ok(()))
        })
    }

    fn read_all(&self, after: u64, limit: usize) -> BoxFuture<'_, Result<Vec<Envelope>, StoreError>> {
        Box::pin(self.read(move |conn| {
            let sql = format!("SELECT {COLUMNS} FROM events WHERE position > ?1 ORDER BY position LIMIT ?2");
            let mut stmt = conn.prepare_cached(&sql).map_err(storage)?;
            let rows = stmt.query(params![after as i64, limit as i64]).map_err(storage)?;
            collect(rows)
        }))
    }

    fn read_stream(
        &self,
        stream: StreamName,
        after: u64,
        limit: usize,
    ) -> BoxFuture<'_, Result<StreamPage, StoreError>> {
        Box::pin(self.read(move |conn| {
            let tx = conn.transaction().map_err(storage)?;
            let version: i64 = tx
                .query_row(
                    "SELECT COALESCE(MAX(stream_version), 0) FROM events WHERE stream = ?1",
                    [stream.as_str()],
                    |r| r.get(0),
                )
                .map_err(storage)?;
            let events = {
                let sql = format!(
                    "SELECT {COLUMNS} FROM events WHERE stream = ?1 AND position > ?2 ORDER BY position LIMIT ?3"
                );
                let mut stmt = tx.prepare_cached(&sql).map_err(storage)?;
                let rows = stmt.query(params![stream.as_str(), after as i64, limit as i64]).map_err(storage)?;
                collect(rows)?
            };
            tx.finish().map_err(storage)?;
            Ok(StreamPage { version: version as u64, events })
        }))
    }

    fn streams(&self) -> BoxFuture<'_, Result<Vec<StreamInfo>, StoreError>> {
        Box::pin(self.read(|conn| {
            let mut stmt = conn
                // Each stream's head, hopping from one stream name to the next along the
                // indexes (a `GROUP BY` reads every row: 123 ms at a million events, this 3 ms).
                .prepare_cached(
                    "WITH RECURSIVE s(stream) AS (
                       SELECT MIN(stream) FROM events
                       UNION ALL
                       SELECT (SELECT MIN(e.stream) FROM events e WHERE e.stream > s.stream) FROM s WHERE s.stream IS NOT NULL)
                     SELECT s.stream,
                            (SELECT MAX(stream_version) FROM events e WHERE e.stream = s.stream),
                            (SELECT MAX(position) FROM events e WHERE e.stream = s.stream)
                     FROM s WHERE s.stream IS NOT NULL ORDER BY s.stream",
                )
                .map_err(storage)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(StreamInfo {
                        stream: StreamName::from(r.get::<_, String>(0)?),
                        version: r.get::<_, i64>(1)? as u64,
                        last_position: r.get::<_, i64>(2)? as u64,
                    })
                })
                .map_err(storage)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(storage)
        }))
    }

    fn subscribe(&self) -> watch::Receiver<u64> {
        self.committed.clone()
    }
}

fn collect(mut rows: rusqlite::Rows<'_>) -> Result<Vec<Envelope>, StoreError> {
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(storage)? {
        out.push(envelope(row)?.0);
    }
    Ok(out)
}

/// Decodes a row of [`COLUMNS`] into an envelope and its stream version.
fn envelope(row: &Row<'_>) -> Result<(Envelope, u64), StoreError> {
    let position = row.get::<_, i64>(0).map_err(storage)? as u64;
    let stream_version = row.get::<_, i64>(3).map_err(storage)? as u64;
    let recorded_at: String = row.get(4).map_err(storage)?;
    let type_name: String = row.get(5).map_err(storage)?;
    let payload: String = row.get(7).map_err(storage)?;
    let env = decode_row(
        position,
        row.get(1).map_err(storage)?,
        row.get(2).map_err(storage)?,
        &recorded_at,
        &type_name,
        row.get(6).map_err(storage)?,
        &payload,
    )?;
    Ok((env, stream_version))
}

/// Folds the whole table into the writer's state, checking that positions are gapless and
/// stream versions consecutive.
fn load_state(conn: &Connection) -> Result<WriterState, StoreError> {
    let mut state = WriterState::default();
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM events ORDER BY position")).map_err(storage)?;
    let mut rows = stmt.query([]).map_err(storage)?;
    while let Some(row) = rows.next().map_err(storage)? {
        let (env, stream_version) = envelope(row)?;
        state.apply_stored(&env, stream_version, "file")?;
    }
    Ok(state)
}

/// The view of the store [`plan_append`] plans against: versions and indexes from memory;
/// stored ids, and the envelopes a correction's target is rebuilt from, from the table
/// (inside the writer's open transaction, so earlier requests of the same group are seen).
struct Planner<'a> {
    state: &'a WriterState,
    conn: &'a Connection,
    /// Set when an envelope a correction needs could not be read: the plan made without it
    /// must not be written.
    unreadable: std::cell::RefCell<Option<StoreError>>,
}

impl<'a> Planner<'a> {
    fn new(state: &'a WriterState, conn: &'a Connection) -> Self {
        Self { state, conn, unreadable: std::cell::RefCell::new(None) }
    }

    /// The stored envelope at a position, noting a failure to read it.
    fn stored_at(&self, position: u64) -> Option<Envelope> {
        let found = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM events WHERE position = ?1"))
            .and_then(|mut stmt| stmt.query_row([position as i64], |row| Ok(envelope(row))).optional());
        let failure = match found {
            Ok(Some(Ok((env, _)))) => return Some(env),
            Ok(Some(Err(e))) => e,
            Ok(None) => StoreError::Storage(format!("position {position} is missing from the file")),
            Err(e) => storage(e),
        };
        self.unreadable.borrow_mut().get_or_insert(failure);
        None
    }

    /// Plans a request; a read that failed while planning fails it as a storage error.
    fn plan(&self, request: &Request) -> Result<Result<Plan, annals_core::AppendError>, StoreError> {
        let plan = plan_append(self, &request.stream, request.expected, &request.batch);
        match self.unreadable.borrow_mut().take() {
            Some(e) => Err(StoreError::Storage(format!("reading back what a correction changes: {e}"))),
            None => Ok(plan),
        }
    }
}

impl AppendContext for Planner<'_> {
    fn version(&self, stream: &StreamName) -> u64 {
        self.state.version(stream)
    }

    fn existing(&self, id: &EventId) -> Option<(u64, StreamName, Proposed)> {
        let found = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM events WHERE id = ?1"))
            .and_then(|mut stmt| stmt.query_row([id.as_str()], |row| Ok(envelope(row))).optional());
        match found {
            Ok(Some(Ok((env, _)))) => Some((env.position, env.stream, Proposed::new(env.id, env.event))),
            Ok(None) => None,
            Ok(Some(Err(e))) => {
                tracing::error!("looking up id {:?}: {e}", id.as_str());
                None
            }
            // Not found here means the insert will hit the UNIQUE constraint and fail the
            // request with a storage error: never a silent duplicate.
            Err(e) => {
                tracing::error!("looking up id {:?}: {e}", id.as_str());
                None
            }
        }
    }

    fn known(&self, stream: &StreamName) -> Option<Box<dyn Known + '_>> {
        let index = self.state.index(stream)?;
        Some(Box::new(index.known(|position| self.stored_at(position))))
    }
}

/// The single writer: owns the write connection and the state.
struct Writer {
    conn: Connection,
    state: WriterState,
    committed: watch::Sender<u64>,
    clock: fn() -> Timestamp,
    /// The store's lock, where the last acknowledged position is recorded.
    lock: StoreLock,
}

type Outcome = Result<Appended, StoreError>;

impl Writer {
    fn run(mut self, mut queue: mpsc::Receiver<Message>) {
        let mut closing = None;
        'serve: while let Some(first) = queue.blocking_recv() {
            let mut group = Vec::new();
            let mut next = Some(first);
            while let Some(message) = next.take() {
                match message {
                    Message::Append(request) => group.push(request),
                    Message::Close(reply) => {
                        closing = Some(reply);
                        break;
                    }
                }
                if group.len() < MAX_GROUP {
                    next = queue.try_recv().ok();
                }
            }
            if !group.is_empty() {
                self.commit(group);
            }
            if closing.is_some() {
                break 'serve;
            }
        }
        // Appends that were queued after the close are refused (their sender sees Closed).
        drop(queue);
        let outcome = self.checkpoint();
        if let Err(e) = &outcome {
            tracing::error!("{e}");
        }
        // The connection and the lock go before the close is acknowledged: whoever awaited it
        // may open the file at once (another process, `annals backup`'s check, a test's serve).
        drop(self);
        if let Some(reply) = closing {
            let _ = reply.send(outcome);
        }
    }

    /// Commits one group, publishes and records its last position, answers each request.
    fn commit(&mut self, mut group: Vec<Request>) {
        let outcomes = self.commit_group(&mut group);
        if self.state.last_position != *self.committed.borrow() {
            // Recorded before anyone hears of it, so an acknowledged position is always in
            // the lock file unless the process died right here (the record may lag, never lead).
            if let Err(e) = self.lock.record(self.state.last_position) {
                tracing::warn!("cannot record the last position in {}: {e}", self.lock.path().display());
            }
            self.committed.send_replace(self.state.last_position);
        }
        for (request, outcome) in group.into_iter().zip(outcomes) {
            let _ = request.reply.send(outcome);
        }
    }

    /// Moves every committed page from the WAL into the database file and empties the WAL.
    fn checkpoint(&self) -> Result<(), StoreError> {
        let mut busy = 0;
        // A read still running (a request cut off by the shutdown deadline) holds the WAL;
        // it ends within moments.
        for attempt in 0..CHECKPOINT_ATTEMPTS {
            if attempt > 0 {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            busy = self
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get::<_, i64>(0))
                .map_err(|e| StoreError::Storage(format!("checkpoint of the write-ahead log failed: {e}")))?;
            if busy == 0 {
                break;
            }
        }
        if busy != 0 {
            return Err(StoreError::Storage(
                "the write-ahead log could not be emptied (a reader was still active); the data is safe \
                 in the -wal file, which must stay beside the database"
                    .to_owned(),
            ));
        }
        Ok(())
    }

    fn commit_group(&mut self, group: &mut [Request]) -> Vec<Outcome> {
        let now = (self.clock)();
        match try_group(&mut self.conn, &mut self.state, group, now) {
            Ok(outcomes) => outcomes,
            Err(e) => {
                tracing::error!("commit of {} append request(s) failed: {e}", group.len());
                match load_state(&self.conn) {
                    Ok(state) => self.state = state,
                    Err(e) => tracing::error!("rebuilding the state after a failed commit: {e}"),
                }
                group.iter().map(|_| Err(e.clone())).collect()
            }
        }
    }
}

/// Steps 2–4 of the commit protocol, except answering. `Err` means the whole group failed
/// and nothing of it is stored (the state may be ahead of the table and must be rebuilt).
fn try_group(
    conn: &mut Connection,
    state: &mut WriterState,
    group: &mut [Request],
    now: Timestamp,
) -> Result<Vec<Outcome>, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(storage)?;
    let last: i64 = tx.query_row("SELECT COALESCE(MAX(position), 0) FROM events", [], |r| r.get(0)).map_err(storage)?;
    if last as u64 != state.last_position {
        tracing::warn!("another process wrote to the store; reloading it");
        *state = load_state(&tx)?;
    }
    let mut outcomes = Vec::with_capacity(group.len());
    for request in group.iter_mut() {
        let plan = Planner::new(state, &tx).plan(request)?;
        let outcome = match plan {
            Err(e) => Err(StoreError::Rejected(e)),
            Ok(Plan::AlreadyAppended(done)) => Ok(done),
            Ok(Plan::Write) => {
                let batch = std::mem::take(&mut request.batch);
                let version = state.version(&request.stream);
                let envelopes: Vec<Envelope> = batch
                    .into_iter()
                    .enumerate()
                    .map(|(i, p)| Envelope {
                        position: state.last_position + 1 + i as u64,
                        id: p.id,
                        stream: request.stream.clone(),
                        recorded_at: p.recorded_at.unwrap_or(now),
                        event: p.event,
                    })
                    .collect();
                insert(&tx, &envelopes, version)?;
                for env in &envelopes {
                    state.apply(env);
                }
                Ok(Appended {
                    positions: envelopes.iter().map(|e| e.position).collect(),
                    version: version + envelopes.len() as u64,
                    duplicate: false,
                })
            }
        };
        outcomes.push(outcome);
    }
    tx.commit().map_err(storage)?;
    Ok(outcomes)
}

/// Inserts one request's envelopes, the stream being at `version` before them.
fn insert(conn: &Connection, envelopes: &[Envelope], version: u64) -> Result<(), StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!("INSERT INTO events ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"))
        .map_err(storage)?;
    for (i, env) in envelopes.iter().enumerate() {
        let type_name = env.event.type_name();
        let payload = serde_json::to_string(&env.event.payload()).map_err(storage)?;
        stmt.execute(params![
            env.position as i64,
            env.id.as_str(),
            env.stream.as_str(),
            (version + 1 + i as u64) as i64,
            env.recorded_at.to_string(),
            type_name,
            i64::from(current_schema(type_name)),
            payload,
        ])
        .map_err(storage)?;
    }
    Ok(())
}

/// Read-only connections, opened on demand and kept for reuse.
#[derive(Debug)]
struct ReadPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl ReadPool {
    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let mut conn = match idle {
            Some(conn) => conn,
            None => {
                let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
                let conn = Connection::open_with_flags(&self.path, flags).map_err(storage)?;
                conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(storage)?;
                conn
            }
        };
        let out = f(&mut conn);
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < READERS {
                idle.push(conn);
            }
        }
        out
    }
}
