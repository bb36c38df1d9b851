//! Durable stores of the log: the narrow [`Store`] trait and its backends.
//!
//! A store keeps envelopes of many streams under one global, gapless position, and follows
//! the append rules of the core ([`annals_core::log::plan_append`]: all or nothing,
//! idempotent ids, expected versions, validation against the stream's catalog), so a
//! durable store accepts and refuses exactly what the in-memory [`annals_core::Log`] does.
//!
//! *Why this shape.* The trait is object safe and returns boxed futures, so the HTTP layer
//! holds one `Arc<dyn Store>` whatever the backend. Behind it a backend is free to be
//! blocking: the SQLite backend ([`sqlite`]) runs one writer thread that owns the write
//! connection and the in-memory catalogs (the state `plan_append` needs), and runs reads on
//! tokio's blocking pool with separate read-only connections. An async trait over a sync
//! engine keeps request handlers from ever blocking a runtime thread, and a single writer
//! makes positions gapless by construction.
//!
//! *Live updates.* [`Store::subscribe`] hands out a `watch` of the last committed position.
//! It carries no events: a subscriber remembers the last position it delivered, and on every
//! change re-reads the store after it. A notification can be coalesced or arrive late, but
//! nothing is lost or delivered twice, because the store, not the channel, is the truth.

pub mod sqlite;

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
}

/// The time the log records events at: milliseconds since the Unix epoch, now.
pub fn now() -> annals_core::Timestamp {
    crate::cli::now()
}
