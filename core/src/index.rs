//! The index a store's writer plans appends with: what validation asks of a stream's
//! envelopes, without keeping them.
//!
//! [`plan_append`](crate::log::plan_append) validates a batch through [`Known`]: what an id
//! stands for and whether it was retracted, each actor's kind, and — only to check a
//! `Corrected` — the current payload of its target. A [`Catalog`] answers all of that, but
//! it holds every event decoded (about 2 KB an envelope), so a writer that kept one per
//! stream could not even start on a store of ten million events. This index keeps per id
//! one packed word (its position, what it is, whether it was retracted) and the positions
//! of the corrections of each corrected event; actors, a few thousand at most, are kept
//! whole in a catalog of their own.
//!
//! *Why the ids live in one buffer:* an `EventId` per id is an allocation of its own (a
//! 7-byte id takes a 32-byte block, plus the 16-byte pointer in the map). [`Ids`] keeps
//! every id back to back in one string, its end and its entry in two vectors, and a hash
//! table of indexes into them. Measured on a store of a million envelopes: 44 bytes an
//! envelope resident (19 of them the table's buckets), where a map of `EventId`s took 84 and
//! the catalogs 2,180. A correction's target is rebuilt on demand from the
//! stored envelopes — the original and its corrections, read back by position — by folding
//! them into a fresh [`Catalog`]: the same code that applies corrections everywhere else,
//! and a domain event's corrections need nothing but the event itself.
//!
//! *Architecture invariant:* the index follows [`Catalog::apply`]'s rules exactly (an id
//! seen before, an actor registered twice, a change of an unknown or retracted event are
//! ignored the same way), so [`Indexed`] answers every [`Known`] question as a catalog of
//! the same envelopes would; `core/tests/index.rs` checks it on synthetic logs.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::{FxBuildHasher, FxHashMap};
use serde_json::Value;

use crate::catalog::Catalog;
use crate::envelope::Envelope;
use crate::event::{ActorKind, Event, EventKind};
use crate::validate::{Known, KnownEvent};

/// What an id stands for, packed into one word: the position in the upper 56 bits, a
/// retracted flag and what the event is ([`What`]) in the lowest byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry(u64);

const RETRACTED: u64 = 0x80;

impl Entry {
    fn new(position: u64, what: What) -> Self {
        Entry(position << 8 | u64::from(what.code()))
    }

    fn position(self) -> u64 {
        self.0 >> 8
    }

    fn what(self) -> What {
        What::from_code((self.0 & 0x7f) as u8)
    }

    fn retracted(self) -> bool {
        self.0 & RETRACTED != 0
    }
}

/// The kinds of things an id can stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    Domain(EventKind),
    Actor,
    Corrected,
    Retracted,
    Disputed,
}

impl What {
    const ACTOR: u8 = EventKind::COUNT as u8;

    fn code(self) -> u8 {
        match self {
            What::Domain(kind) => kind.index() as u8,
            What::Actor => Self::ACTOR,
            What::Corrected => Self::ACTOR + 1,
            What::Retracted => Self::ACTOR + 2,
            What::Disputed => Self::ACTOR + 3,
        }
    }

    fn from_code(code: u8) -> Self {
        match code.checked_sub(Self::ACTOR) {
            None => What::Domain(EventKind::ALL[usize::from(code)]),
            Some(0) => What::Actor,
            Some(1) => What::Corrected,
            Some(2) => What::Retracted,
            Some(_) => What::Disputed,
        }
    }

    fn type_name(self) -> &'static str {
        match self {
            What::Domain(kind) => kind.name(),
            What::Actor => "ActorRegistered",
            What::Corrected => "Corrected",
            What::Retracted => "Retracted",
            What::Disputed => "Disputed",
        }
    }
}

/// Every id of a stream and its [`Entry`]; see the module docs for the layout.
#[derive(Debug, Clone, Default)]
struct Ids {
    /// Indexes into `ends` and `entries`, hashed by the id they stand for.
    table: HashTable<usize>,
    /// Every id, back to back, in the order they were first seen.
    text: String,
    /// Where each id ends in `text` (it starts where the one before ends).
    ends: Vec<usize>,
    entries: Vec<Entry>,
}

impl Ids {
    fn find(&self, id: &str) -> Option<usize> {
        self.table.find(FxBuildHasher.hash_one(id), |&i| nth(&self.text, &self.ends, i) == id).copied()
    }

    fn get(&self, id: &str) -> Option<Entry> {
        self.find(id).map(|i| self.entries[i])
    }

    fn get_mut(&mut self, id: &str) -> Option<&mut Entry> {
        self.find(id).map(|i| &mut self.entries[i])
    }

    /// Adds an id not in the table yet.
    fn insert(&mut self, id: &str, entry: Entry) {
        let i = self.entries.len();
        self.text.push_str(id);
        self.ends.push(self.text.len());
        self.entries.push(entry);
        let Self { table, text, ends, .. } = self;
        table.insert_unique(FxBuildHasher.hash_one(id), i, |&j| FxBuildHasher.hash_one(nth(text, ends, j)));
    }

    fn len(&self) -> usize {
        self.entries.len()
    }
}

/// The `i`th id of [`Ids`] (a function of the fields, so that the table's rehash can call it
/// while the table is borrowed).
fn nth<'a>(text: &'a str, ends: &[usize], i: usize) -> &'a str {
    let start = if i == 0 { 0 } else { ends[i - 1] };
    &text[start..ends[i]]
}

/// What a writer knows of one stream to plan appends: see the module docs.
#[derive(Debug, Clone, Default)]
pub struct StreamIndex {
    ids: Ids,
    /// The positions of the corrections of each corrected domain event, by its position.
    corrections: FxHashMap<u64, Vec<u64>>,
    /// The stream's actor registrations and their corrections, folded as the catalog does.
    actors: Catalog,
}

impl StreamIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Folds one envelope in, as [`Catalog::apply`] would.
    pub fn apply(&mut self, env: &Envelope) {
        if self.ids.find(env.id.as_str()).is_some() {
            return;
        }
        let position = env.position;
        let target = match &env.event {
            Event::Domain(kind, _) => {
                self.ids.insert(env.id.as_str(), Entry::new(position, What::Domain(*kind)));
                return;
            }
            Event::ActorRegistered(a) => {
                if self.actors.actor(a.actor.as_str()).is_none() {
                    self.ids.insert(env.id.as_str(), Entry::new(position, What::Actor));
                    self.actors.apply(env);
                }
                return;
            }
            Event::Corrected(c) => {
                self.ids.insert(env.id.as_str(), Entry::new(position, What::Corrected));
                &c.target
            }
            Event::Retracted(r) => {
                self.ids.insert(env.id.as_str(), Entry::new(position, What::Retracted));
                &r.target
            }
            Event::Disputed(_) => {
                self.ids.insert(env.id.as_str(), Entry::new(position, What::Disputed));
                return;
            }
        };
        let Some(entry) = self.ids.get_mut(target.as_str()) else { return };
        match (&env.event, entry.what()) {
            (Event::Corrected(_), What::Actor) => {
                self.actors.apply(env);
            }
            (Event::Corrected(_), What::Domain(_)) if !entry.retracted() => {
                self.corrections.entry(entry.position()).or_default().push(position);
            }
            (Event::Retracted(_), What::Domain(_)) => entry.0 |= RETRACTED,
            _ => {}
        }
    }

    /// The positions of the envelopes [`Known::payload`] of a domain event reads back: the
    /// event's and its corrections', oldest first. `None` for an id that is not a domain
    /// event of this stream (actors' payloads are kept; changes have none).
    pub fn payload_positions(&self, id: &str) -> Option<Vec<u64>> {
        let entry = self.ids.get(id)?;
        if !matches!(entry.what(), What::Domain(_)) {
            return None;
        }
        let mut positions = vec![entry.position()];
        positions.extend(self.corrections.get(&entry.position()).into_iter().flatten());
        Some(positions)
    }

    /// Number of ids known.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether no id is known.
    pub fn is_empty(&self) -> bool {
        self.ids.len() == 0
    }

    /// The index as [`Known`], reading the envelopes a correction's target needs with `read`
    /// (the stored envelope at a position; `None` when it cannot be read, which makes the
    /// payload unknown: the caller must then refuse to plan, see [`Indexed`]).
    pub fn known<R: Fn(u64) -> Option<Envelope>>(&self, read: R) -> Indexed<'_, R> {
        Indexed { index: self, read }
    }
}

/// A [`StreamIndex`] with a way to read stored envelopes back: the [`Known`] a store plans
/// with.
///
/// A payload whose envelopes cannot be read is `None`, which validation takes as "nothing
/// to check the correction against"; so `read` must note its failures and the store must
/// turn a plan made while one happened into an error, never write it.
pub struct Indexed<'a, R> {
    index: &'a StreamIndex,
    read: R,
}

impl<R: Fn(u64) -> Option<Envelope>> Known for Indexed<'_, R> {
    fn actor_kind(&self, id: &str) -> Option<ActorKind> {
        self.index.actors.actor_kind(id)
    }

    fn event(&self, id: &str) -> Option<KnownEvent> {
        let entry = self.index.ids.get(id)?;
        Some(KnownEvent { type_name: entry.what().type_name(), retracted: entry.retracted() })
    }

    fn payload(&self, id: &str) -> Option<Value> {
        let entry = self.index.ids.get(id)?;
        match entry.what() {
            What::Actor => self.index.actors.payload(id),
            What::Domain(_) => {
                let mut catalog = Catalog::new();
                for position in self.index.payload_positions(id)? {
                    catalog.apply(&(self.read)(position)?);
                }
                catalog.payload(id)
            }
            What::Corrected | What::Retracted | What::Disputed => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_keeps_position_kind_and_retraction() {
        for what in EventKind::ALL.iter().map(|k| What::Domain(*k)).chain([
            What::Actor,
            What::Corrected,
            What::Retracted,
            What::Disputed,
        ]) {
            let mut entry = Entry::new((1 << 56) - 1, what);
            assert_eq!((entry.position(), entry.what(), entry.retracted()), ((1 << 56) - 1, what, false));
            entry.0 |= RETRACTED;
            assert_eq!((entry.position(), entry.what(), entry.retracted()), ((1 << 56) - 1, what, true));
        }
    }
}
