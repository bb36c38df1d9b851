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
    pub const NOW: AsOf = AsOf {
        position: None,
        date: None,
    };

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
        Self {
            as_of,
            ..Self::default()
        }
    }

    /// Folds a sequence of envelopes.
    pub fn fold<'a>(envelopes: impl IntoIterator<Item = &'a Envelope>, as_of: AsOf) -> Self {
        let mut p = Self::new(as_of);
        for env in envelopes {
            p.apply(env);
        }
        p
    }

    /// The moment these projections are seen from.
    pub fn as_of(&self) -> AsOf {
        self.as_of
    }

    /// Folds one envelope in.
    pub fn apply(&mut self, env: &Envelope) {
        if self.as_of.position.is_some_and(|p| env.position > p) {
            return;
        }
        let Some(change) = self.catalog.apply(env) else {
            return;
        };
        let visible = |r: Option<Arc<Resolved>>| r.filter(|r| self.as_of.shows(r));
        let change = Change {
            before: visible(change.before),
            after: visible(change.after),
        };
        if change.before.is_none() && change.after.is_none() {
            return;
        }
        self.timeline.change(&change);
        self.graph.change(&change, &self.catalog);
        self.stats.change(&change);
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
