//! What the record held at any log position, without folding the log again: the views
//! `as_of_position` asks for.
//!
//! *Why a history.* A fold as of position P is a **prefix** of the fold as of now: the catalog
//! turns each envelope into the same [`Change`] whatever comes after it. So projections that
//! keep a history ([`Projections::with_history`](super::Projections::with_history)) record
//! every change they take in with the position of its envelope, and a view as of P is the
//! changes up to P, added up. Nothing is read from the store, nothing decoded, no catalog
//! folded. Before, each such read folded the stream up to P afresh: seconds and a gigabyte at
//! a million events.
//!
//! *Why checkpoints.* Adding up a million changes per read would be a fold again. Every
//! [`EVERY`] changes a checkpoint keeps what the figures ([`Stats`]) and the graph's per-year
//! counts come to there; a view as of P starts from the last checkpoint at or before P and
//! takes in at most `EVERY` changes (plus those not yet checkpointed, fewer than `EVERY` once
//! [`History::prepare`] has run). A change counts its `before` out and its `after` in, so the
//! changes of one event telescope to its picture at P.
//!
//! *The years a window cuts.* A window of the graph (or the figures as of a day within a
//! year) needs the events of the (at most two) years it cuts as they stood at P, filtered by
//! day. Each year keeps the indices of the changes that touched it; those are added up with
//! the window's filter. That costs the year's changes, as the window of now costs the year's
//! events.
//!
//! *The timeline as of P* is the whole list of the events then: a replay of the changes up to
//! P into a timeline (in memory, its cost grows with P, as its answer does).
//!
//! *Actors.* The views name and count actors from the catalog: the history keeps each actor's
//! registration after every envelope that registered or corrected it, and the positions of
//! retractions, and makes a catalog of those as of P.
//!
//! Native only: the service keeps a history; the browser folds a file once and never asks
//! as of a position, and its bundle does not carry this.

use std::collections::BTreeMap;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use super::graph::{count, Edges, GraphQuery, GraphView, RelationGraph};
use super::{Stats, StatsView, Timeline};
use crate::catalog::{Catalog, Change, Resolved};
use crate::date::{civil_from_days, days_from_civil, PartialDate};
use crate::event::{ActorRegistration, EventKind};
use crate::id::ActorId;

/// Changes between two checkpoints.
pub(crate) const EVERY: usize = 1 << 16;

/// One change, with the position of the envelope that made it.
#[derive(Debug, Clone)]
struct Step {
    position: u64,
    change: Change,
}

/// Activity (events per actor number) and edges of some events.
#[derive(Debug, Clone, Default)]
struct Part {
    activity: FxHashMap<u32, u32>,
    edges: Edges,
}

impl Part {
    fn add(&mut self, other: &Part) {
        for (&a, &n) in &other.activity {
            *self.activity.entry(a).or_default() += n;
        }
        for (&pair, by_kind) in &other.edges {
            let e = self.edges.entry(pair).or_default();
            for (kind, n) in by_kind.kinds() {
                e[kind] += *n;
            }
        }
    }
}

/// What the changes up to a checkpoint add up to.
#[derive(Debug, Clone, Default)]
struct Checkpoint {
    /// How many changes it has taken in.
    steps: usize,
    stats: Stats,
    /// The graph's counts per year (of the events' first days), and of all years.
    years: BTreeMap<i64, Part>,
    all: Part,
}

/// What one picture of an event adds to the graph: its kind, first day and actors.
struct Contribution {
    kind: EventKind,
    start: i64,
    year: i64,
}

fn contribution(graph: &RelationGraph, r: &Resolved, actors: &mut Vec<u32>) -> Contribution {
    graph.actors_of(r, actors);
    let start = r.event.occurred.first_day();
    Contribution { kind: r.kind, start, year: civil_from_days(start).0 }
}

/// The year (of its first day) of an event's picture.
fn year_of(r: &Resolved) -> i64 {
    civil_from_days(r.event.occurred.first_day()).0
}

/// The first and last day of a year.
fn days_of(year: i64) -> (i64, i64) {
    (days_from_civil(year, 1, 1), days_from_civil(year, 12, 31))
}

/// The record's changes in log order, with checkpoints; see the module docs.
#[derive(Debug, Clone, Default)]
pub(crate) struct History {
    steps: Vec<Step>,
    /// Each actor's registration after each envelope that registered or corrected it.
    actors: Vec<(u64, Arc<ActorRegistration>)>,
    /// Positions of the retractions.
    retractions: Vec<u64>,
    /// Per year, the indices of the changes whose `before` or `after` begins in it.
    by_year: BTreeMap<i64, Vec<u32>>,
    /// How many changes `by_year` and `met` have taken in.
    indexed: usize,
    /// Each actor's first change as a participant (the graph knows an actor from then on,
    /// and an ego view of an actor it does not know is the whole graph).
    met: FxHashMap<ActorId, u32>,
    checkpoints: Vec<Checkpoint>,
    /// Changes between checkpoints (0: [`EVERY`]).
    every: usize,
}

impl History {
    /// A history with a checkpoint every `every` changes (tests use small ones).
    pub(crate) fn every(every: usize) -> Self {
        Self { every, ..Self::default() }
    }

    /// Records a change made by the envelope at `position` (changes come in log order).
    pub(crate) fn push(&mut self, position: u64, change: Change) {
        if change.before.is_some() && change.after.is_none() {
            self.retractions.push(position);
        }
        self.steps.push(Step { position, change });
    }

    /// Records an actor's registration as it stands after the envelope at `position`.
    pub(crate) fn actor(&mut self, position: u64, registration: Arc<ActorRegistration>) {
        self.actors.push((position, registration));
    }

    /// Makes room for `additional` more changes.
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.steps.reserve(additional);
    }

    /// Indexes the changes recorded since the last call by year and makes the checkpoints
    /// they complete, so a read as of any position takes in fewer than [`EVERY`] changes past
    /// its checkpoint. `graph` is the graph as of now (it has numbered every actor).
    pub(crate) fn prepare(&mut self, graph: &RelationGraph) {
        for (i, step) in self.steps.iter().enumerate().skip(self.indexed) {
            let years = [&step.change.before, &step.change.after].map(|r| r.as_ref().map(|r| year_of(r)));
            for year in years.iter().flatten() {
                let list = self.by_year.entry(*year).or_default();
                if list.last() != Some(&(i as u32)) {
                    list.push(i as u32);
                }
            }
            if let Some(r) = &step.change.after {
                for a in r.event.participant_ids() {
                    if !self.met.contains_key(a) {
                        self.met.insert(a.clone(), i as u32);
                    }
                }
            }
        }
        self.indexed = self.steps.len();
        let mut actors = Vec::new();
        let every = if self.every == 0 { EVERY } else { self.every };
        loop {
            let last = self.checkpoints.last();
            let from = last.map_or(0, |c| c.steps);
            if self.steps.len() < from + every {
                break;
            }
            let mut next = last.cloned().unwrap_or_default();
            for step in &self.steps[from..from + every] {
                next.stats.change(&step.change);
                for (r, delta) in [(&step.change.before, -1), (&step.change.after, 1)] {
                    let Some(r) = r else { continue };
                    let c = contribution(graph, r, &mut actors);
                    let year = next.years.entry(c.year).or_default();
                    count(&mut year.activity, &mut year.edges, c.kind, &actors, delta);
                    count(&mut next.all.activity, &mut next.all.edges, c.kind, &actors, delta);
                }
            }
            next.steps = from + every;
            self.checkpoints.push(next);
        }
    }

    /// How many changes the record had taken in at `position`.
    fn upto(&self, position: u64) -> usize {
        self.steps.partition_point(|s| s.position <= position)
    }

    /// The last checkpoint at or before `upto` changes (`None`: start from nothing).
    fn checkpoint(&self, upto: usize) -> Option<&Checkpoint> {
        let i = self.checkpoints.partition_point(|c| c.steps <= upto);
        i.checked_sub(1).map(|i| &self.checkpoints[i])
    }

    /// The catalog's actors and retractions as of `position`, named as `now` names them.
    fn catalog_at(&self, position: u64, now: &Catalog) -> Catalog {
        let upto = self.actors.partition_point(|(p, _)| *p <= position);
        let mut actors: FxHashMap<&str, &Arc<ActorRegistration>> = FxHashMap::default();
        for (_, a) in &self.actors[..upto] {
            actors.insert(a.actor.as_str(), a);
        }
        let retracted = self.retractions.partition_point(|p| *p <= position);
        now.of_actors(actors.into_values().cloned(), retracted)
    }

    /// The figures as of `position`, and as of `date` too when given (see
    /// [`Projections::stats_as_of`](super::Projections::stats_as_of)).
    pub(crate) fn stats_at(&self, position: u64, date: Option<PartialDate>, now: &Catalog) -> StatsView {
        let upto = self.upto(position);
        let checkpoint = self.checkpoint(upto);
        let mut stats = checkpoint.map(|c| c.stats.clone()).unwrap_or_default();
        for step in &self.steps[checkpoint.map_or(0, |c| c.steps)..upto] {
            stats.change(&step.change);
        }
        let catalog = self.catalog_at(position, now);
        let Some(date) = date else { return stats.view(&catalog) };
        let year = date.year_value();
        if date.month_value().is_none() {
            return stats.view_through(&catalog, year, None);
        }
        // The date's own year: the events that begin in it, as they stood at `position`, if
        // they had certainly begun by the date.
        let last = date.last_day();
        let mut part = Stats::default();
        for step in self.year_steps(year, upto) {
            for (r, delta) in [(&step.change.before, -1), (&step.change.after, 1)] {
                if let Some(r) = r.as_ref().filter(|r| year_of(r) == year) {
                    if r.event.occurred.certain_start_day() <= last {
                        part.count(r, delta);
                    }
                }
            }
        }
        stats.view_through(&catalog, year.saturating_sub(1), Some(&part))
    }

    /// Whether the graph had met `actor` within the first `upto` changes.
    fn met(&self, actor: &ActorId, upto: usize) -> bool {
        match self.met.get(actor) {
            Some(&i) => (i as usize) < upto,
            None => self.steps[self.indexed.min(upto)..upto]
                .iter()
                .filter_map(|s| s.change.after.as_ref())
                .any(|r| r.event.participant_ids().any(|a| a == actor)),
        }
    }

    /// The changes among the first `upto` that touched `year`, in log order.
    fn year_steps(&self, year: i64, upto: usize) -> impl Iterator<Item = &Step> {
        let list = self.by_year.get(&year).map_or(&[][..], |l| &l[..]);
        let (indexed, steps) = (self.indexed, &self.steps);
        let end = list.partition_point(|&i| (i as usize) < upto);
        // (Changes recorded after the last `prepare` are not indexed: looked at directly.)
        let rest = (indexed..upto).filter(move |&i| {
            let s = &steps[i].change;
            [&s.before, &s.after].iter().any(|r| r.as_ref().is_some_and(|r| year_of(r) == year))
        });
        list[..end].iter().map(|&i| i as usize).chain(rest).map(move |i| &steps[i])
    }

    /// The relation graph as of `position` for a query (see
    /// [`RelationGraph::view`]); `graph` and `now` are the graph and catalog as of now.
    pub(crate) fn graph_at(
        &self,
        position: u64,
        query: &GraphQuery,
        graph: &RelationGraph,
        now: &Catalog,
    ) -> GraphView {
        let upto = self.upto(position);
        let checkpoint = self.checkpoint(upto);
        let mut counts = Part::default();
        // A year inside the window is counted whole (from the checkpoint, then the changes
        // after it); a year the window cuts, event by event from its own changes.
        let (from, to) = query.window.unwrap_or((i64::MIN, i64::MAX));
        // (An open end is a bound no year reaches, not a day to find the year of.)
        let year_at = |day: i64, open: i64| (day != open).then(|| civil_from_days(day).0);
        let (first_year, last_year) = (year_at(from, i64::MIN), year_at(to, i64::MAX));
        let whole = |year: i64| {
            let (first, last) = days_of(year);
            query.window.is_none() || (from <= first && last <= to)
        };
        match checkpoint {
            Some(c) if query.window.is_none() => counts.add(&c.all),
            Some(c) => {
                let years = first_year.unwrap_or(i64::MIN)..=last_year.unwrap_or(i64::MAX);
                for (_, part) in c.years.range(years).filter(|(y, _)| whole(**y)) {
                    counts.add(part);
                }
            }
            None => {}
        }
        let mut actors = Vec::new();
        let mut take = |counts: &mut Part, step: &Step, keep: &dyn Fn(&Contribution) -> bool| {
            for (r, delta) in [(&step.change.before, -1), (&step.change.after, 1)] {
                let Some(r) = r else { continue };
                let c = contribution(graph, r, &mut actors);
                if keep(&c) {
                    count(&mut counts.activity, &mut counts.edges, c.kind, &actors, delta);
                }
            }
        };
        for step in &self.steps[checkpoint.map_or(0, |c| c.steps)..upto] {
            take(&mut counts, step, &|c| whole(c.year));
        }
        if query.window.is_some() {
            let cut: FxHashSet<i64> = [first_year, last_year].into_iter().flatten().filter(|y| !whole(*y)).collect();
            for &year in &cut {
                for step in self.year_steps(year, upto) {
                    take(&mut counts, step, &|c| c.year == year && c.start >= from && c.start <= to);
                }
            }
        }
        let mut activity = vec![0u32; graph.numbered()];
        for (a, n) in counts.activity {
            if let Some(slot) = activity.get_mut(a as usize) {
                *slot = n;
            }
        }
        counts.edges.retain(|_, by_kind| by_kind.iter().any(|n| *n > 0));
        let ego = query.ego.as_ref().filter(|e| self.met(e, upto));
        graph.view_of(&activity, &counts.edges, ego, &self.catalog_at(position, now))
    }

    /// The timeline as of `position`: every change up to it, replayed.
    pub(crate) fn timeline_at(&self, position: u64) -> Timeline {
        let upto = self.upto(position);
        let mut timeline = Timeline::default();
        timeline.begin_bulk(upto);
        for step in &self.steps[..upto] {
            timeline.change(&step.change);
        }
        timeline.end_bulk();
        timeline
    }
}
