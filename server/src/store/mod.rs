//! Durable stores of the log: the narrow [`Store`] trait and its backends.
//!
//! A store keeps envelopes of many streams under one global, gapless position, and follows
//! the append rules of the core ([`annals_core::log::plan_append`]: all or nothing,
//! idempotent ids, expected versions, validation against what the stream holds), so a
//! durable store accepts and refuses exactly what the in-memory [`annals_core::Log`] does.
//!
//! *Why this shape.* The trait is object safe and returns boxed futures, so the HTTP layer
//! holds one `Arc<dyn Store>` whatever the backend. Behind it a backend is free to be
//! blocking: the SQLite backend ([`sqlite`]) runs one writer thread that owns the write
//! connection and the in-memory index of ids (the state `plan_append` needs, `state.rs`), and runs reads on
//! tokio's blocking pool with separate read-only connections. An async trait over a sync
//! engine keeps request handlers from ever blocking a runtime thread, and a single writer
//! makes positions gapless by construction.
//!
//! Backends: [`sqlite`] (the default: one file, one process) and [`postgres`] (one
//! database shared by many stateless replicas); [`Location`] picks one from the command line.
//!
//! *Live updates.* [`Store::subscribe`] hands out a `watch` of the last committed position.
//! It carries no events: a subscriber remembers the last position it delivered, and on every
//! change re-reads the store after it. A notification can be coalesced or arrive late, but
//! nothing is lost or delivered twice, because the store, not the channel, is the truth.

pub mod lock;
pub mod postgres;
pub mod sqlite;
mod state;

use std::future::Future;
use std::pin::Pin;

use annals_core::log::StreamInfo;
use annals_core::{AppendError, Appended, Envelope, ExpectedVersion, Proposed, StreamName};
use tokio::sync::watch;

/// A boxed future that can cross threads: what the object-safe [`Store`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why a store operation failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// The append broke a rule of the log; nothing was written.
    #[error(transparent)]
    Rejected(#[from] AppendError),
    /// The storage engine failed (I/O, a full disk, a corrupt file). For an append, nothing
    /// of the request was acknowledged; it may be retried (ids make retries idempotent).
    #[error("storage failed: {0}")]
    Storage(String),
    /// The store is shutting down or its writer has stopped.
    #[error("the store is closed")]
    Closed,
}

/// A page of one stream, read in one consistent snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamPage {
    /// The stream's version in that snapshot (the number of its events).
    pub version: u64,
    /// The envelopes of the page, in position order.
    pub events: Vec<Envelope>,
}

/// A durable append-only log of many streams.
///
/// Every backend passes the conformance suite (`server/tests/common/conformance.rs`),
/// which pins the behaviour below.
pub trait Store: Send + Sync + 'static {
    /// Appends a batch to a stream atomically, after the rules of
    /// [`annals_core::log::plan_append`]. Returns only when the batch is durable (or was
    /// already stored, `duplicate: true`).
    fn append(
        &self,
        stream: StreamName,
        expected: ExpectedVersion,
        batch: Vec<Proposed>,
    ) -> BoxFuture<'_, Result<Appended, StoreError>>;

    /// Up to `limit` envelopes of every stream after a global position, in position order.
    fn read_all(&self, after: u64, limit: usize) -> BoxFuture<'_, Result<Vec<Envelope>, StoreError>>;

    /// Up to `limit` envelopes of one stream after a global position, with the stream's
    /// version read in the same snapshot.
    fn read_stream(
        &self,
        stream: StreamName,
        after: u64,
        limit: usize,
    ) -> BoxFuture<'_, Result<StreamPage, StoreError>>;

    /// Every stream with its version (event count) and last position, by name.
    fn streams(&self) -> BoxFuture<'_, Result<Vec<StreamInfo>, StoreError>>;

    /// The last committed position, updated after every commit. Re-read the store after the
    /// position you hold when it changes (see the module docs).
    fn subscribe(&self) -> watch::Receiver<u64>;

    /// Finishes the appends already queued and leaves the store's files clean for a stop
    /// (SQLite: the WAL checkpointed into the one database file). Later appends may fail
    /// with [`StoreError::Closed`]. The default does nothing.
    fn close(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(async { Ok(()) })
    }
}

/// Where a store is: the SQLite file (the default) or a PostgreSQL database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file, created when missing.
    Sqlite(std::path::PathBuf),
    /// A `postgres://` (or `postgresql://`) URL; tables are created when missing.
    Postgres(String),
}

impl Location {
    /// `--store URL` when given (it must be a PostgreSQL URL), else the SQLite file `db`.
    pub fn from_args(db: &std::path::Path, store: Option<&str>) -> Result<Self, String> {
        match store {
            None => Ok(Self::Sqlite(db.to_owned())),
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                postgres::parse(url).map_err(|e| e.to_string())?;
                Ok(Self::Postgres(url.to_owned()))
            }
            Some(_) => Err("--store expects a postgres://… URL (the SQLite file is given with --db)".to_owned()),
        }
    }

    /// The location as a person may see it (a URL without its password).
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite(path) => path.display().to_string(),
            Self::Postgres(url) => {
                postgres::parse(url).map_or_else(|_| "postgres://…".to_owned(), |c| postgres::describe(&c))
            }
        }
    }

    /// Opens the store.
    pub async fn open(&self) -> Result<std::sync::Arc<dyn Store>, StoreError> {
        Ok(match self {
            Self::Sqlite(path) => std::sync::Arc::new(sqlite::SqliteStore::open(path)?),
            Self::Postgres(url) => std::sync::Arc::new(postgres::PostgresStore::open(url).await?),
        })
    }
}

/// Decodes the columns of a stored row (the same in every backend) into an envelope.
pub(crate) fn decode_row(
    position: u64,
    id: String,
    stream: String,
    recorded_at: &str,
    type_name: &str,
    schema_version: i64,
    payload: &str,
) -> Result<Envelope, StoreError> {
    let bad = |m: String| StoreError::Storage(format!("the event at position {position} cannot be read: {m}"));
    let recorded_at: annals_core::Timestamp = recorded_at.parse().map_err(|e| bad(format!("recorded_at: {e}")))?;
    let raw: &serde_json::value::RawValue = serde_json::from_str(payload).map_err(|e| bad(format!("payload: {e}")))?;
    let schema_version = u32::try_from(schema_version).map_err(|e| bad(format!("schema_version: {e}")))?;
    let event = annals_core::envelope::decode_event(type_name, Some(schema_version), raw)
        .map_err(|e| bad(format!("{}: {}", e.field, e.message)))?;
    Ok(Envelope { position, id: annals_core::EventId::from(id), stream: StreamName::from(stream), recorded_at, event })
}
