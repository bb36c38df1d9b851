//! What a store's single writer keeps in memory to plan appends: each stream's version and
//! [`StreamIndex`], and the last position. Both backends fold their table into it the same
//! way, checking that the stored log is still what Annals wrote (gapless positions,
//! consecutive stream versions), so a table changed behind Annals' back is refused, not
//! trusted.
//!
//! *Why an index, not a catalog:* a [`Catalog`](annals_core::Catalog) holds every event
//! decoded, about 2 KB an envelope, so ten million events would not fit in memory before
//! any view is kept. The index holds a word per id and reads the few envelopes a
//! correction's check needs back from the table (the backends' `Planner`s say how).

use std::collections::BTreeMap;

use annals_core::index::StreamIndex;
use annals_core::{Envelope, StreamName};

use super::StoreError;

/// What the writer knows about one stream.
#[derive(Debug, Default)]
struct StreamState {
    version: u64,
    index: StreamIndex,
}

/// What the writer knows: enough to plan appends without reading the whole table.
#[derive(Debug, Default)]
pub(crate) struct WriterState {
    streams: BTreeMap<StreamName, StreamState>,
    /// The position of the last envelope folded in.
    pub(crate) last_position: u64,
}

impl WriterState {
    /// Folds in an envelope the writer itself just committed.
    pub(crate) fn apply(&mut self, env: &Envelope) {
        let s = self.streams.entry(env.stream.clone()).or_default();
        s.index.apply(env);
        s.version += 1;
        self.last_position = env.position;
    }

    /// Folds in an envelope read back from storage (`where_`: "file" or "table", for the
    /// message), after checking that it continues the log: the next position, and the next
    /// version of its stream.
    pub(crate) fn apply_stored(&mut self, env: &Envelope, stream_version: u64, where_: &str) -> Result<(), StoreError> {
        if env.position != self.last_position + 1 {
            return Err(StoreError::Storage(format!(
                "positions are not gapless: {} follows {}; the {where_} was changed outside Annals",
                env.position, self.last_position
            )));
        }
        let expected = self.version(&env.stream) + 1;
        if stream_version != expected {
            return Err(StoreError::Storage(format!(
                "position {}: stream {:?} version {stream_version}, expected {expected}",
                env.position,
                env.stream.as_str()
            )));
        }
        self.apply(env);
        Ok(())
    }

    /// A stream's version (its number of events); 0 for a stream not seen.
    pub(crate) fn version(&self, stream: &StreamName) -> u64 {
        self.streams.get(stream).map_or(0, |s| s.version)
    }

    /// A stream's index, if the stream exists.
    pub(crate) fn index(&self, stream: &StreamName) -> Option<&StreamIndex> {
        self.streams.get(stream).map(|s| &s.index)
    }
}
