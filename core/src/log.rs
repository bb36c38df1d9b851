//! The append-only log, in memory.
//!
//! This is the reference model of the record's write rules, used by the browser, the
//! tests and the CLI; the server's durable stores follow the same rules through
//! [`plan_append`], so "what a valid append is" is written once:
//!
//! 1. a batch is all or nothing: one invalid event rejects the batch and changes nothing;
//! 2. positions are gapless from 1 and never reorder;
//! 3. an id already in the log is idempotent: re-appending the same event (same id, same
//!    content, same stream) returns its original position and writes nothing; the same
//!    id with other content is refused;
//! 4. an optional expected version of the stream guards against lost updates.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::catalog::Catalog;
use crate::date::Timestamp;
use crate::envelope::{Envelope, Proposed};
use crate::id::{check_stream, EventId, StreamName};
use crate::problem::Problem;
use crate::validate::{validate_batch, Known, Nothing};

/// The version a writer expects the stream to be at (the number of events in it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ExpectedVersion {
    /// No expectation.
    Any,
    /// The stream must not exist yet (version 0).
    NoStream,
    /// The stream must be at exactly this version.
    Exact(u64),
}

impl std::fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExpectedVersion::Any => f.write_str("any version"),
            ExpectedVersion::NoStream => f.write_str("no stream (version 0)"),
            ExpectedVersion::Exact(v) => write!(f, "version {v}"),
        }
    }
}

impl ExpectedVersion {
    fn admits(self, actual: u64) -> bool {
        match self {
            ExpectedVersion::Any => true,
            ExpectedVersion::NoStream => actual == 0,
            ExpectedVersion::Exact(v) => v == actual,
        }
    }
}

/// Why an append was refused. Nothing was written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AppendError {
    /// The stream name is not acceptable.
    #[error("bad stream name: {reason}")]
    BadStream {
        /// The name given.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The batch is empty.
    #[error("the batch is empty; expected at least one event")]
    Empty,
    /// The stream is not at the expected version.
    #[error("stream {stream:?} is at version {actual}, expected {expected}")]
    WrongVersion {
        /// The stream.
        stream: String,
        /// What the writer expected.
        expected: ExpectedVersion,
        /// Where it is.
        actual: u64,
    },
    /// An id already in the log names a different event (or one in another stream).
    #[error("id {id:?} is already used at position {position} by a different event")]
    IdReused {
        /// The id.
        id: String,
        /// Where the existing event is.
        position: u64,
    },
    /// Some, but not all, ids of the batch are already in the log.
    #[error("{existing} of {total} events of the batch are already in the log; retry the whole batch or only the new events")]
    PartlyAppended {
        /// How many are already there.
        existing: usize,
        /// How many the batch holds.
        total: usize,
    },
    /// Validation failed: (index in batch, problem) for every problem.
    #[error("{} in the batch", crate::words::count(.0.len(), "problem", "problems"))]
    Invalid(Vec<(usize, Problem)>),
}

/// What an append did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Appended {
    /// Positions of the batch's events, in batch order.
    pub positions: Vec<u64>,
    /// The stream's version after the append.
    pub version: u64,
    /// True when every event was already in the log and nothing was written.
    pub duplicate: bool,
}

/// What a store must look up to plan an append.
pub trait AppendContext {
    /// The stream's current version (0 if it does not exist).
    fn version(&self, stream: &StreamName) -> u64;
    /// Where an id is stored, and the stored event, if it is.
    fn existing(&self, id: &EventId) -> Option<(u64, StreamName, Proposed)>;
    /// What the stream holds, for validation: a [`Catalog`], or a store's
    /// [`StreamIndex`](crate::index::StreamIndex) reading payloads back. `None` for a stream
    /// not written yet.
    fn known(&self, stream: &StreamName) -> Option<Box<dyn Known + '_>>;
}

/// The outcome of planning: write these events, or answer with these positions.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// Every event is already stored: answer with the original positions.
    AlreadyAppended(Appended),
    /// Write the batch (already validated).
    Write,
}

/// Checks a batch against the rules of the module docs, without writing anything.
pub fn plan_append(
    ctx: &dyn AppendContext,
    stream: &StreamName,
    expected: ExpectedVersion,
    batch: &[Proposed],
) -> Result<Plan, AppendError> {
    if let Err(reason) = check_stream(stream.as_str()) {
        return Err(AppendError::BadStream { name: stream.as_str().to_owned(), reason: reason.to_string() });
    }
    if batch.is_empty() {
        return Err(AppendError::Empty);
    }
    let mut existing = Vec::new();
    for p in batch {
        if let Some((position, s, stored)) = ctx.existing(&p.id) {
            if &s != stream || stored.event != p.event {
                return Err(AppendError::IdReused { id: p.id.as_str().to_owned(), position });
            }
            existing.push(position);
        }
    }
    let version = ctx.version(stream);
    if existing.len() == batch.len() {
        return Ok(Plan::AlreadyAppended(Appended { positions: existing, version, duplicate: true }));
    }
    if !existing.is_empty() {
        return Err(AppendError::PartlyAppended { existing: existing.len(), total: batch.len() });
    }
    if !expected.admits(version) {
        return Err(AppendError::WrongVersion { stream: stream.as_str().to_owned(), expected, actual: version });
    }
    let known = ctx.known(stream);
    let problems = validate_batch(batch, known.as_deref().unwrap_or(&Nothing));
    if !problems.is_empty() {
        return Err(AppendError::Invalid(problems));
    }
    Ok(Plan::Write)
}

#[derive(Debug, Clone, Default)]
struct StreamState {
    positions: Vec<u64>,
    catalog: Catalog,
}

/// An in-memory append-only log of many streams.
#[derive(Debug, Clone, Default)]
pub struct Log {
    envelopes: Vec<Envelope>,
    ids: FxHashMap<EventId, u64>,
    streams: BTreeMap<StreamName, StreamState>,
}

/// A stream's name, version and size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StreamInfo {
    /// The stream.
    pub stream: StreamName,
    /// Its version: the number of events in it.
    pub version: u64,
    /// Position of its last event.
    pub last_position: u64,
}

impl Log {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a batch atomically. See the module docs for the rules.
    pub fn append(
        &mut self,
        stream: &StreamName,
        expected: ExpectedVersion,
        batch: Vec<Proposed>,
        recorded_at: Timestamp,
    ) -> Result<Appended, AppendError> {
        if let Plan::AlreadyAppended(done) = plan_append(self, stream, expected, &batch)? {
            return Ok(done);
        }
        let state = self.streams.entry(stream.clone()).or_default();
        let mut positions = Vec::with_capacity(batch.len());
        for p in batch {
            let position = self.envelopes.len() as u64 + 1;
            let env = Envelope {
                position,
                id: p.id,
                stream: stream.clone(),
                recorded_at: p.recorded_at.unwrap_or(recorded_at),
                event: p.event,
            };
            state.catalog.apply(&env);
            state.positions.push(position);
            self.ids.insert(env.id.clone(), position);
            self.envelopes.push(env);
            positions.push(position);
        }
        Ok(Appended { positions, version: state.positions.len() as u64, duplicate: false })
    }

    /// Every envelope after a position (0 for all), in log order.
    pub fn read_from(&self, after: u64) -> &[Envelope] {
        let start = (after as usize).min(self.envelopes.len());
        &self.envelopes[start..]
    }

    /// The envelopes of one stream, in log order.
    pub fn stream(&self, stream: &StreamName) -> impl Iterator<Item = &Envelope> {
        self.streams.get(stream).into_iter().flat_map(|s| s.positions.iter().map(|p| &self.envelopes[*p as usize - 1]))
    }

    /// The stream's current version (0 when it does not exist).
    pub fn version(&self, stream: &StreamName) -> u64 {
        self.streams.get(stream).map_or(0, |s| s.positions.len() as u64)
    }

    /// Every stream, by name.
    pub fn streams(&self) -> Vec<StreamInfo> {
        self.streams
            .iter()
            .map(|(name, s)| StreamInfo {
                stream: name.clone(),
                version: s.positions.len() as u64,
                last_position: s.positions.last().copied().unwrap_or(0),
            })
            .collect()
    }

    /// The current picture of a stream.
    pub fn catalog(&self, stream: &StreamName) -> Option<&Catalog> {
        self.streams.get(stream).map(|s| &s.catalog)
    }

    /// Number of envelopes.
    pub fn len(&self) -> usize {
        self.envelopes.len()
    }

    /// Whether the log is empty.
    pub fn is_empty(&self) -> bool {
        self.envelopes.is_empty()
    }
}

impl AppendContext for Log {
    fn version(&self, stream: &StreamName) -> u64 {
        Log::version(self, stream)
    }

    fn existing(&self, id: &EventId) -> Option<(u64, StreamName, Proposed)> {
        let position = *self.ids.get(id)?;
        let env = &self.envelopes[position as usize - 1];
        Some((position, env.stream.clone(), Proposed::new(env.id.clone(), env.event.clone())))
    }

    fn known(&self, stream: &StreamName) -> Option<Box<dyn Known + '_>> {
        Log::catalog(self, stream).map(|c| Box::new(c) as Box<dyn Known>)
    }
}
