//! Projections: pure folds of the log into the views people look at.
//!
//! [`Projections::apply`] takes one envelope at a time. The [`Catalog`] turns it into a
//! [`Change`] of one domain event (before and after corrections, retractions, disputes),
//! and each view — [`Timeline`], [`RelationGraph`], [`Stats`] — updates itself from that
//! change. A new view is a new `change` method; it never touches storage.
//!
//! **As-of, on both clocks.** [`AsOf::position`] folds only what the log held at position
//! P ("what was known then"); [`AsOf::date`] shows only events that had certainly begun by
//! a date ("what had happened by then"). Both are filters on the same fold, so a
//! correction that moves an event past the date removes it, and one that moves it back
//! adds it again.

mod bulk;
pub mod graph;
pub mod stats;
pub mod timeline;

use std::sync::Arc;

use crate::catalog::{Catalog, Change, Resolved};
use crate::date::PartialDate;
use crate::envelope::Envelope;

pub use graph::{layout, Edge, GraphQuery, GraphView, Node, RelationGraph};
pub use stats::{Direction, Stats, StatsView, YearRow};
pub use timeline::{Bucket, Counts, Lane, LaneMode, Level, Timeline};

/// Values keyed by log position, for folds that see positions in increasing order: an
/// append is a push, a correction or retraction (rare) a binary search. Much cheaper than a
/// hash map when a million events are folded, because nothing is hashed and memory is read
/// in order.
#[derive(Debug, Clone)]
pub(crate) struct ByPosition<T> {
    items: Vec<(u64, Option<T>)>,
}

impl<T> Default for ByPosition<T> {
    fn default() -> Self {
        Self { items: Vec::new() }
    }
}

impl<T> ByPosition<T> {
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.items.reserve(additional);
    }

    pub(crate) fn insert(&mut self, position: u64, value: T) {
        if self.items.last().is_none_or(|(p, _)| *p < position) {
            self.items.push((position, Some(value)));
            return;
        }
        match self.items.binary_search_by_key(&position, |(p, _)| *p) {
            Ok(i) => self.items[i].1 = Some(value),
            Err(i) => self.items.insert(i, (position, Some(value))),
        }
    }

    pub(crate) fn remove(&mut self, position: u64) -> Option<T> {
        let i = self.items.binary_search_by_key(&position, |(p, _)| *p).ok()?;
        self.items[i].1.take()
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &T> {
        self.items.iter().filter_map(|(_, v)| v.as_ref())
    }

    pub(crate) fn into_values(self) -> impl Iterator<Item = T> {
        self.items.into_iter().filter_map(|(_, v)| v)
    }
}

/// Which moment to look at the record from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AsOf {
    /// Fold only envelopes at or before this log position.
    pub position: Option<u64>,
    /// Show only events that had certainly begun by this date (its last day).
    pub date: Option<PartialDate>,
}

impl AsOf {
    /// The whole record, now.
    pub const NOW: AsOf = AsOf { position: None, date: None };

    fn shows(&self, r: &Resolved) -> bool {
        match self.date {
            Some(d) => r.event.occurred.certain_start_day() <= d.last_day(),
            None => true,
        }
    }
}

/// Every projection of one stream, folded together from one catalog.
#[derive(Debug, Clone, Default)]
pub struct Projections {
    /// The current picture of each event and actor.
    pub catalog: Catalog,
    /// Events in order of occurrence.
    pub timeline: Timeline,
    /// Who meets whom.
    pub graph: RelationGraph,
    /// Figures.
    pub stats: Stats,
    as_of: AsOf,
}

impl Projections {
    /// Empty projections seen from a moment.
    pub fn new(as_of: AsOf) -> Self {
        Self { as_of, ..Self::default() }
    }

    /// Folds a sequence of envelopes.
    pub fn fold<'a>(envelopes: impl IntoIterator<Item = &'a Envelope>, as_of: AsOf) -> Self {
        let mut p = Self::new(as_of);
        p.extend(envelopes);
        p
    }

    /// Folds many envelopes at once: the same result as [`Projections::apply`] on each, but
    /// the timeline sorts once at the end instead of inserting in order one by one, and a
    /// large fold runs in chunks (natively on two threads); see the `bulk` module.
    pub fn extend<'a>(&mut self, envelopes: impl IntoIterator<Item = &'a Envelope>) {
        let envelopes = envelopes.into_iter();
        let expected = envelopes.size_hint().0;
        self.catalog.reserve(expected);
        self.graph.reserve(expected);
        self.timeline.begin_bulk(expected);
        bulk::fold(self, envelopes, expected);
        self.timeline.end_bulk();
    }

    /// The moment these projections are seen from.
    pub fn as_of(&self) -> AsOf {
        self.as_of
    }

    /// Folds one envelope in.
    pub fn apply(&mut self, env: &Envelope) {
        if let Some(change) = self.catalog_step(env) {
            self.graph.change(&change, &self.catalog);
            self.stats.change(&change);
            self.timeline.take(change);
        }
    }

    /// Folds one envelope into the catalog; returns the change the views must take in, if
    /// it is visible from this moment.
    fn catalog_step(&mut self, env: &Envelope) -> Option<Change> {
        if self.as_of.position.is_some_and(|p| env.position > p) {
            return None;
        }
        let change = self.catalog.apply(env)?;
        let visible = |r: Option<Arc<Resolved>>| r.filter(|r| self.as_of.shows(r));
        let change = Change { before: visible(change.before), after: visible(change.after) };
        (change.before.is_some() || change.after.is_some()).then_some(change)
    }

    /// The relation graph for a query.
    pub fn graph_view(&self, query: &GraphQuery) -> GraphView {
        self.graph.view(query, &self.catalog)
    }

    /// The figures.
    pub fn stats_view(&self) -> StatsView {
        self.stats.view(&self.catalog)
    }
}
