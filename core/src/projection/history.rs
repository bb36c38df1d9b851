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
//! counts come to there; a view as of P starts from the checkpoint **nearest** P and takes in
//! the changes after it, or takes back out those before it when the next checkpoint is
//! nearer — at most `EVERY / 2` changes (plus those not yet checkpointed, fewer than `EVERY`
//! once [`History::prepare`] has run). A change counts its `before` out and its `after` in,
//! so the changes of one event telescope to its picture at P; taken back out, the last
//! change goes first, so every count stays one the record had.
//!
//! *Nothing copied, nothing looked up twice.* The figures as of P are the checkpoint's plus
//! the events counted in since, minus those counted out, summed by the view itself
//! (`Stats::view_of_terms`): copying a checkpoint's figures (their per-year visits) cost
//! more than the answer. What each change adds to the graph — kind, first day, actor
//! numbers — is worked out once by `prepare` (a few dozen bytes a change), so a read adds
//! numbers instead of hashing actor ids and reading dates per change.
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
use super::stats::Term;
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

/// A checkpoint and the changes between it and a position; see [`History::nearest`].
struct Replay<'a> {
    checkpoint: Option<&'a Checkpoint>,
    /// The changes, by index.
    steps: std::ops::Range<usize>,
    /// Whether the changes come before the checkpoint (to be taken back out of it).
    back: bool,
}

/// What one picture of an event adds to the graph: its kind, first day (and its year), and
/// its actors, `len` numbers from `from` in [`History::numbers`]; and the day by which it
/// had certainly begun (what the figures as of a day within its year ask).
#[derive(Debug, Clone, Copy)]
struct Picture {
    start: i64,
    certain: i64,
    year: i64,
    from: u32,
    len: u16,
    kind: EventKind,
}

/// The picture of `r` (its actors numbered by `graph` into `actors`, `from` and `len` left 0).
fn picture(graph: &RelationGraph, r: &Resolved, actors: &mut Vec<u32>) -> Picture {
    graph.actors_of(r, actors);
    let start = r.event.occurred.first_day();
    let certain = r.event.occurred.certain_start_day();
    Picture { start, certain, year: civil_from_days(start).0, from: 0, len: 0, kind: r.kind }
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
    /// What each indexed change's `before` and `after` add to the graph: worked out once
    /// (numbering actors is a hash lookup per participant, and reads replay tens of
    /// thousands of changes), a few dozen bytes a change.
    pictures: Vec<[Option<Picture>; 2]>,
    /// The actor numbers of `pictures`.
    numbers: Vec<u32>,
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
        for i in self.pictures.len()..self.steps.len() {
            let change = &self.steps[i].change;
            let pictures = [&change.before, &change.after].map(|r| {
                let r = r.as_ref()?;
                let mut p = picture(graph, r, &mut actors);
                p.from = u32::try_from(self.numbers.len()).ok()?;
                p.len = u16::try_from(actors.len()).ok()?;
                self.numbers.extend_from_slice(&actors);
                Some(p)
            });
            // (Over 4 billion numbers, or an event of 65,536 actors: worked out when read.)
            if change.before.is_some() != pictures[0].is_some() || change.after.is_some() != pictures[1].is_some() {
                break;
            }
            self.pictures.push(pictures);
        }
        let every = self.interval();
        loop {
            let last = self.checkpoints.last();
            let from = last.map_or(0, |c| c.steps);
            if self.steps.len() < from + every {
                break;
            }
            let mut next = last.cloned().unwrap_or_default();
            for i in from..from + every {
                next.stats.change(&self.steps[i].change);
                self.sides(i, false, graph, &mut actors, |p, actors, delta| {
                    let year = next.years.entry(p.year).or_default();
                    count(&mut year.activity, &mut year.edges, p.kind, actors, delta);
                    count(&mut next.all.activity, &mut next.all.edges, p.kind, actors, delta);
                });
            }
            next.steps = from + every;
            self.checkpoints.push(next);
        }
    }

    /// Whether [`History::prepare`] would make a checkpoint.
    pub(crate) fn checkpoint_due(&self) -> bool {
        self.steps.len() >= self.checkpoints.last().map_or(0, |c| c.steps) + self.interval()
    }

    /// Changes between checkpoints.
    fn interval(&self) -> usize {
        if self.every == 0 {
            EVERY
        } else {
            self.every
        }
    }

    /// Calls `f` with the picture of change `i`'s `before` (to count out, −1) and of its
    /// `after` (to count in, 1); taken `back` out of the counts, the other way round, `after`
    /// first. Worked out by [`History::prepare`], or here for changes it has not seen.
    fn sides(
        &self,
        i: usize,
        back: bool,
        graph: &RelationGraph,
        scratch: &mut Vec<u32>,
        mut f: impl FnMut(&Picture, &[u32], i32),
    ) {
        let sign = if back { -1 } else { 1 };
        let order = if back { [1, 0] } else { [0, 1] };
        if let Some(pictures) = self.pictures.get(i) {
            for side in order {
                if let Some(p) = &pictures[side] {
                    let actors = &self.numbers[p.from as usize..p.from as usize + p.len as usize];
                    f(p, actors, sign * if side == 0 { -1 } else { 1 });
                }
            }
            return;
        }
        let change = &self.steps[i].change;
        for side in order {
            let Some(r) = (if side == 0 { &change.before } else { &change.after }) else { continue };
            let p = picture(graph, r, scratch);
            f(&p, scratch, sign * if side == 0 { -1 } else { 1 });
        }
    }

    /// How many changes the record had taken in at `position`.
    fn upto(&self, position: u64) -> usize {
        self.steps.partition_point(|s| s.position <= position)
    }

    /// The checkpoint nearest `upto` changes (`None`: nothing, the start) and the changes
    /// between it and `upto`: after it when it is at or before `upto` (taken in), else
    /// before it (taken back out, last first). Counts are sums, so either way gives the
    /// counts at `upto`, and a read takes in at most half of [`EVERY`] changes (plus those
    /// not yet checkpointed).
    fn nearest(&self, upto: usize) -> Replay<'_> {
        let i = self.checkpoints.partition_point(|c| c.steps <= upto);
        let before = i.checked_sub(1).map(|i| &self.checkpoints[i]);
        let from = before.map_or(0, |c| c.steps);
        match self.checkpoints.get(i) {
            Some(after) if after.steps - upto < upto - from => {
                Replay { checkpoint: Some(after), steps: upto..after.steps, back: true }
            }
            _ => Replay { checkpoint: before, steps: from..upto, back: false },
        }
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
        let replay = self.nearest(upto);
        let empty = Stats::default();
        let base = replay.checkpoint.map_or(&empty, |c| &c.stats);
        // The last year the figures sum whole (the date's own year is added apart).
        let through = match date {
            None => i64::MAX,
            Some(d) if d.month_value().is_none() => d.year_value(),
            Some(d) => d.year_value().saturating_sub(1),
        };
        // The events the changes count in and out, apart (nothing of the checkpoint copied);
        // those of later years left out unread, as their pictures say.
        let (mut counted_in, mut counted_out) = (Stats::default(), Stats::default());
        for i in replay.steps {
            let change = &self.steps[i].change;
            let pictures = self.pictures.get(i);
            let summed = |side: usize| pictures.is_none_or(|p| p[side].is_none_or(|p| p.year <= through));
            let (gone, come) = if replay.back { (1, 0) } else { (0, 1) };
            let side = |s: usize| if s == 0 { &change.before } else { &change.after };
            if let Some(r) = side(gone).as_ref().filter(|_| summed(gone)) {
                counted_out.count(r, 1);
            }
            if let Some(r) = side(come).as_ref().filter(|_| summed(come)) {
                counted_in.count(r, 1);
            }
        }
        let catalog = self.catalog_at(position, now);
        let terms = |through: i64| {
            [(base, false), (&counted_in, false), (&counted_out, true)].map(|(stats, subtract)| Term {
                stats,
                through,
                subtract,
            })
        };
        let Some(date) = date else { return Stats::view_of_terms(&catalog, &terms(through)) };
        let year = date.year_value();
        if date.month_value().is_none() {
            return Stats::view_of_terms(&catalog, &terms(through));
        }
        // The date's own year: the events that begin in it, as they stood at `position`, if
        // they had certainly begun by the date.
        let last = date.last_day();
        let mut part = Stats::default();
        for i in self.year_steps(year, upto) {
            let change = &self.steps[i].change;
            // (The days of a picture worked out by `prepare` are not worked out again, nor
            // the events left out read.)
            let pictures = self.pictures.get(i);
            for (side, r, delta) in [(0, &change.before, -1), (1, &change.after, 1)] {
                let Some(r) = r else { continue };
                let counted = match pictures {
                    Some(p) => p[side].is_some_and(|p| p.year == year && p.certain <= last),
                    None => year_of(r) == year && r.event.occurred.certain_start_day() <= last,
                };
                if counted {
                    part.count(r, delta);
                }
            }
        }
        let mut terms = terms(through).to_vec();
        terms.push(Term { stats: &part, through: i64::MAX, subtract: false });
        Stats::view_of_terms(&catalog, &terms)
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

    /// The indices of the changes among the first `upto` that touched `year`, in log order.
    fn year_steps(&self, year: i64, upto: usize) -> impl Iterator<Item = usize> + '_ {
        let list = self.by_year.get(&year).map_or(&[][..], |l| &l[..]);
        let (indexed, steps) = (self.indexed, &self.steps);
        let end = list.partition_point(|&i| (i as usize) < upto);
        // (Changes recorded after the last `prepare` are not indexed: looked at directly.)
        let rest = (indexed..upto).filter(move |&i| {
            let s = &steps[i].change;
            [&s.before, &s.after].iter().any(|r| r.as_ref().is_some_and(|r| year_of(r) == year))
        });
        list[..end].iter().map(|&i| i as usize).chain(rest)
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
        let replay = self.nearest(upto);
        let checkpoint = replay.checkpoint;
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
        let mut take = |counts: &mut Part, i: usize, back: bool, keep: &dyn Fn(&Picture) -> bool| {
            self.sides(i, back, graph, &mut actors, |p, actors, delta| {
                if keep(p) {
                    count(&mut counts.activity, &mut counts.edges, p.kind, actors, delta);
                }
            });
        };
        // (Taken back out last change first, so each `after` is in the counts when it goes.)
        if replay.back {
            for i in replay.steps.rev() {
                take(&mut counts, i, true, &|p| whole(p.year));
            }
        } else {
            for i in replay.steps {
                take(&mut counts, i, false, &|p| whole(p.year));
            }
        }
        if query.window.is_some() {
            let cut: FxHashSet<i64> = [first_year, last_year].into_iter().flatten().filter(|y| !whole(*y)).collect();
            for &year in &cut {
                for i in self.year_steps(year, upto) {
                    take(&mut counts, i, false, &|p| p.year == year && p.start >= from && p.start <= to);
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
