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
#[cfg(not(target_arch = "wasm32"))]
mod history;
pub mod stats;
pub mod timeline;

use std::sync::Arc;

use crate::catalog::{Catalog, Change, Resolved};
use crate::date::PartialDate;
use crate::envelope::Envelope;

pub use graph::{layout, layout_in, Edge, GraphQuery, GraphView, Node, RelationGraph};
pub use stats::{Direction, Stats, StatsView, Totals, YearRow};
pub use timeline::{group_of, Bucket, Counts, Lane, LaneMode, Level, Timeline};

/// Values keyed by log position, for folds that see positions in increasing order: an
/// append is a push, a correction or retraction (rare) a search. Much cheaper than a
/// hash map when a million events are folded, because nothing is hashed and memory is read
/// in order.
///
/// The search is not a plain binary search: positions are distinct and increasing, so two
/// entries are never further apart in the vector than in position, and positions are
/// nearly consecutive (only envelopes that are not domain events leave gaps). A guess
/// from the position therefore lands on or next to the entry, and every probe narrows the
/// range to the distance in positions; a binary search of a million entries would take
/// twenty probes, each a cache miss.
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

    /// How many positions have been given a value (removed ones included).
    pub(crate) fn positions(&self) -> usize {
        self.items.len()
    }

    pub(crate) fn insert(&mut self, position: u64, value: T) {
        if self.items.last().is_none_or(|(p, _)| *p < position) {
            self.items.push((position, Some(value)));
            return;
        }
        match self.search(position) {
            Ok(i) => self.items[i].1 = Some(value),
            Err(i) => self.items.insert(i, (position, Some(value))),
        }
    }

    pub(crate) fn remove(&mut self, position: u64) -> Option<T> {
        let i = self.search(position).ok()?;
        self.items[i].1.take()
    }

    /// Where `position` is (`Ok`) or would go (`Err`), like `binary_search`.
    fn search(&self, position: u64) -> Result<usize, usize> {
        let items = &self.items;
        let distance = |from: u64, to: u64| usize::try_from(to - from).unwrap_or(usize::MAX);
        // The answer (the number of entries below `position`) lies in `lo..=hi`. Entries
        // `d` apart in the vector are at least `d` apart in position, which bounds it from
        // both sides after each probe.
        let (mut lo, mut hi) = (0, items.len());
        for _ in 0..8 {
            if lo >= hi {
                break;
            }
            let first = items[lo].0;
            if position <= first {
                return if position == first { Ok(lo) } else { Err(lo) };
            }
            let guess = lo.saturating_add(distance(first, position)).min(hi - 1);
            let at = items[guess].0;
            match at.cmp(&position) {
                std::cmp::Ordering::Equal => return Ok(guess),
                std::cmp::Ordering::Less => {
                    lo = guess + 1;
                    hi = hi.min(guess.saturating_add(distance(at, position)));
                }
                std::cmp::Ordering::Greater => {
                    hi = guess;
                    lo = lo.max(guess.saturating_sub(distance(position, at)));
                }
            }
        }
        let end = if hi < items.len() { hi + 1 } else { items.len() };
        match items[lo..end].binary_search_by_key(&position, |(p, _)| *p) {
            Ok(i) => Ok(lo + i),
            Err(i) => Err(lo + i),
        }
    }

    /// Every position that has a value, in order, with it.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, &T)> {
        self.items.iter().filter_map(|(p, v)| Some((*p, v.as_ref()?)))
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &T> {
        self.items.iter().filter_map(|(_, v)| v.as_ref())
    }

    /// Every position given a value, in order, with its value (`None` once removed).
    pub(crate) fn into_slots(self) -> Vec<(u64, Option<T>)> {
        self.items
    }
}

/// Values per consecutive integer key — decades, years or months — in an array from
/// `base`: a record of a few centuries stays small, and finding a key's value is an index,
/// not a search. Keys never stored read as the default value.
///
/// *Deep time:* a record may reach from the Big Bang to today, 13.8 billion years, and an
/// array over every year between would not fit in memory. The array never grows past
/// [`DENSE_SLOTS`]; a key it cannot reach goes beside it: `far` lists those keys in order,
/// each with its value's place in `far_values`. (A sorted vector, not a tree map: a map type
/// of its own cost the browser's bundle 6 KB. A new far key is inserted in order, which moves
/// the keys after it: files give deep time mostly in date order, so a new key usually goes at
/// the end; a record of very many distinct deep years in random order pays a quadratic
/// cost.) The array only ever grows, so once a key was too far for it, the array can never
/// reach it later (that would make it longer than the cap): a key lives in one of the two,
/// and the keys of `far` lie below or above the array's.
#[derive(Debug, Clone, Default)]
pub(crate) struct Dense<T> {
    base: i64,
    values: Vec<T>,
    far: Vec<(i64, u32)>,
    far_values: Vec<T>,
}

/// The most slots the array of a [`Dense`] holds: 65,536 years, or months of 5,461 years.
pub(crate) const DENSE_SLOTS: usize = 1 << 16;

impl<T: Clone + Default> Dense<T> {
    /// The value of a key, made room for.
    pub(crate) fn slot(&mut self, key: i64) -> &mut T {
        if self.values.is_empty() && self.far.is_empty() {
            self.base = key;
        }
        if key < self.base {
            let need = (self.base.abs_diff(key) as u128).saturating_add(self.values.len() as u128);
            if need > DENSE_SLOTS as u128 {
                return self.far_slot(key);
            }
            let room = (DENSE_SLOTS - need as usize).min(self.values.len() / 2 + 8);
            let grow = self.base.abs_diff(key) as usize + room;
            self.values.splice(0..0, std::iter::repeat_n(T::default(), grow));
            self.base -= grow as i64;
        }
        let i = key.abs_diff(self.base);
        if i >= self.values.len() as u64 {
            if i >= DENSE_SLOTS as u64 {
                return self.far_slot(key);
            }
            let len = (i as usize + 1 + self.values.len() / 2).min(DENSE_SLOTS);
            self.values.resize(len, T::default());
        }
        &mut self.values[i as usize]
    }

    /// The value of a key kept beside the array.
    fn far_slot(&mut self, key: i64) -> &mut T {
        let at = self.far.partition_point(|(k, _)| *k < key);
        let i = match self.far.get(at) {
            Some((k, i)) if *k == key => *i as usize,
            _ => {
                self.far.insert(at, (key, self.far_values.len() as u32));
                self.far_values.push(T::default());
                self.far_values.len() - 1
            }
        };
        &mut self.far_values[i]
    }

    /// Keys from `from` to `to` (inclusive) that have room, with their values.
    pub(crate) fn range(&self, from: i64, to: i64) -> impl DoubleEndedIterator<Item = (i64, &T)> {
        let len = self.values.len() as i64;
        let lo = (from.saturating_sub(self.base)).clamp(0, len) as usize;
        let hi = (to.saturating_sub(self.base).saturating_add(1)).clamp(0, len) as usize;
        let near = self.values[lo..hi.max(lo)].iter().enumerate().map(move |(i, v)| (self.base + (lo + i) as i64, v));
        let (below, above) = self.far_around(from, to);
        below.chain(near).chain(above)
    }

    /// Every key that has room, in order, with its value.
    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = (i64, &T)> {
        self.range(i64::MIN, i64::MAX)
    }

    /// The far keys in `from..=to` below the array and above it.
    fn far_around(
        &self,
        from: i64,
        to: i64,
    ) -> (impl DoubleEndedIterator<Item = (i64, &T)>, impl DoubleEndedIterator<Item = (i64, &T)>) {
        let end = self.base.saturating_add(self.values.len() as i64);
        let pick = move |lo: i64, hi: i64| {
            let a = self.far.partition_point(|(k, _)| *k < lo);
            let b = self.far.partition_point(|(k, _)| *k <= hi).max(a);
            self.far[a..b].iter().map(|(k, i)| (*k, &self.far_values[*i as usize]))
        };
        (pick(from, to.min(self.base.saturating_sub(1))), pick(from.max(end), to))
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
    /// Every change taken in, for views as of a log position (see `history`).
    #[cfg(not(target_arch = "wasm32"))]
    history: Option<Box<history::History>>,
}

impl Projections {
    /// Empty projections seen from a moment.
    pub fn new(as_of: AsOf) -> Self {
        Self { as_of, ..Self::default() }
    }

    /// Empty projections of now that also keep their history, so views as of any log
    /// position ([`Projections::at_position`]) are answered without folding the log again.
    /// The history costs memory (about a hundred bytes a change, and a checkpoint every
    /// 65,536 changes): what a service keeps, not what a one-off fold needs.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn with_history() -> Self {
        Self { history: Some(Box::default()), ..Self::default() }
    }

    /// [`Projections::with_history`] with a checkpoint every `every` changes (tests make
    /// many checkpoints on a small record with it).
    #[cfg(not(target_arch = "wasm32"))]
    #[doc(hidden)]
    pub fn with_history_every(every: usize) -> Self {
        Self { history: Some(Box::new(history::History::every(every))), ..Self::default() }
    }

    /// Builds what the first reads would otherwise build: the graph's year index (windows
    /// of the graph) and the history's checkpoints. A service calls it after folding, off
    /// its request path.
    pub fn prepare_reads(&mut self) {
        self.graph.prepare_windows();
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(history) = &mut self.history {
            history.prepare(&self.graph);
        }
    }

    /// Whether [`Projections::prepare_reads`] has a checkpoint of the history to make (the
    /// sum of tens of thousands of changes: a service runs it off its request path then).
    pub fn checkpoint_due(&self) -> bool {
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(history) = &self.history {
            return history.checkpoint_due();
        }
        false
    }

    /// The views as the log stood at `position` (what it held then: no envelope after it),
    /// from the history, or `None` when these projections keep none.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn at_position(&self, position: u64) -> Option<AtPosition<'_>> {
        let history = self.history.as_deref()?;
        Some(AtPosition { now: self, history, position })
    }

    /// Folds a sequence of envelopes.
    pub fn fold<'a>(envelopes: impl IntoIterator<Item = &'a Envelope>, as_of: AsOf) -> Self {
        let mut p = Self::new(as_of);
        p.extend(envelopes);
        p
    }

    /// Folds many envelopes at once: the same result as [`Projections::apply`] on each, but
    /// the timeline sorts once at the end instead of inserting in order one by one, the
    /// graph counts its edges once at the end, and a large fold runs in chunks (natively on
    /// two threads); see the `bulk` module.
    pub fn extend<'a>(&mut self, envelopes: impl IntoIterator<Item = &'a Envelope>) {
        let envelopes = envelopes.into_iter();
        let expected = envelopes.size_hint().0;
        self.catalog.reserve(expected);
        self.graph.reserve(expected);
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(history) = &mut self.history {
            history.reserve(expected);
        }
        self.graph.begin_bulk(expected);
        self.timeline.begin_bulk(expected);
        bulk::fold(self, envelopes, expected);
        self.timeline.end_bulk();
        self.graph.end_bulk();
    }

    /// The moment these projections are seen from.
    pub fn as_of(&self) -> AsOf {
        self.as_of
    }

    /// Folds one envelope in.
    pub fn apply(&mut self, env: &Envelope) {
        let change = self.catalog_step(env);
        #[cfg(not(target_arch = "wasm32"))]
        if self.history.is_some() {
            let actor = self.actor_changed(env).and_then(|a| self.catalog.actor(a.as_str()).cloned());
            if let Some(history) = &mut self.history {
                if let Some(registration) = actor {
                    history.actor(env.position, registration);
                }
                if let Some(change) = &change {
                    history.push(env.position, change.clone());
                }
            }
        }
        if let Some(change) = change {
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

    /// The actor whose registration an envelope may have changed (registered or corrected).
    #[cfg(not(target_arch = "wasm32"))]
    fn actor_changed(&self, env: &Envelope) -> Option<crate::id::ActorId> {
        use crate::event::Event;
        if self.as_of.position.is_some_and(|limit| env.position > limit) {
            return None;
        }
        match &env.event {
            Event::ActorRegistered(a) => Some(a.actor.clone()),
            Event::Corrected(c) => self.catalog.registered_by(c.target.as_str()).cloned(),
            _ => None,
        }
    }

    /// The relation graph for a query.
    pub fn graph_view(&self, query: &GraphQuery) -> GraphView {
        self.graph.view(query, &self.catalog)
    }

    /// The figures a masthead shows (events, documents, disputed): [`Projections::stats_view`]'s
    /// numbers without its tables.
    pub fn totals(&self) -> Totals {
        self.stats.totals()
    }

    /// The figures.
    pub fn stats_view(&self) -> StatsView {
        self.stats.view(&self.catalog)
    }

    /// The figures as of a date — only events that had certainly begun by its last day — from
    /// projections folded without a date: the same answer as folding the log again with
    /// [`AsOf::date`], without the fold. The years before the date's year come from the
    /// per-year index of [`Stats`]; of the date's own year, every event when the date is a
    /// year, otherwise only the events that begin in that year are looked at (found in the
    /// timeline by a binary search), so the cost is one year's events at most.
    pub fn stats_as_of(&self, date: PartialDate) -> StatsView {
        let year = date.year_value();
        if date.month_value().is_none() {
            return self.stats.view_through(&self.catalog, year, None);
        }
        let whole = PartialDate::year(year).map(|y| (y.first_day(), y.last_day()));
        let (first, last) = whole.unwrap_or((date.first_day(), date.last_day()));
        // (An event certainly begun by the date's last day began by it at the latest: the
        // events of the year starting after it are not looked at.)
        let mut part = Stats::default();
        for r in self.timeline.starting(first, last.min(date.last_day())) {
            if r.event.occurred.certain_start_day() <= date.last_day() {
                part.count(r, 1);
            }
        }
        self.stats.view_through(&self.catalog, year.saturating_sub(1), Some(&part))
    }
}

/// The views of projections that keep a history, as the log stood at a position: see
/// [`Projections::at_position`]. Each is exactly what a fold of the log up to the position
/// gives ([`AsOf::position`]); the property tests compare them.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug, Clone, Copy)]
pub struct AtPosition<'a> {
    now: &'a Projections,
    history: &'a history::History,
    position: u64,
}

#[cfg(not(target_arch = "wasm32"))]
impl AtPosition<'_> {
    /// The figures then (as of a date too, when given: see [`Projections::stats_as_of`]).
    /// Bounded: the nearest checkpoint and at most 32,768 changes between it and the
    /// position (plus, with a date inside a year, that year's changes).
    pub fn stats(&self, date: Option<PartialDate>) -> StatsView {
        self.history.stats_at(self.position, date, &self.now.catalog)
    }

    /// The relation graph then, for a query. Bounded as [`AtPosition::stats`] (plus, for a
    /// window, the changes of the years it cuts).
    pub fn graph(&self, query: &GraphQuery) -> GraphView {
        self.history.graph_at(self.position, query, &self.now.graph, &self.now.catalog)
    }

    /// The timeline then: every change up to the position replayed (its cost grows with the
    /// record, as the whole timeline's answer does).
    pub fn timeline(&self) -> Timeline {
        self.history.timeline_at(self.position)
    }
}

#[cfg(test)]
mod tests {
    use super::{ByPosition, Dense, DENSE_SLOTS};

    /// Keys near each other go into the array, far ones beside it; either way every key reads
    /// back its value, in order, and a range finds exactly the keys inside it.
    #[test]
    fn dense_keys_far_apart_stay_apart() {
        let keys = [2024, 1990, -1_380_000_000, 2026, -3500, -460_000_000, 70_000, 1_000_000_000, -3501];
        let mut dense: Dense<u32> = Dense::default();
        for (i, k) in keys.iter().enumerate() {
            *dense.slot(*k) += i as u32 + 1;
        }
        assert!(dense.values.len() <= DENSE_SLOTS);
        let mut expected: Vec<(i64, u32)> = keys.iter().enumerate().map(|(i, k)| (*k, i as u32 + 1)).collect();
        expected.sort();
        let stored: Vec<(i64, u32)> = dense.iter().filter(|(_, v)| **v > 0).map(|(k, v)| (k, *v)).collect();
        assert_eq!(stored, expected);
        let backwards: Vec<i64> = dense.iter().rev().filter(|(_, v)| **v > 0).map(|(k, _)| k).collect();
        assert_eq!(backwards, expected.iter().rev().map(|(k, _)| *k).collect::<Vec<_>>());
        for (from, to) in [(-2_000_000_000, 0), (-3500, 2024), (2025, 2_000_000_000), (5, 4), (i64::MIN, i64::MAX)] {
            let found: Vec<i64> = dense.range(from, to).filter(|(_, v)| **v > 0).map(|(k, _)| k).collect();
            let inside: Vec<i64> = expected.iter().map(|(k, _)| *k).filter(|k| (from..=to).contains(k)).collect();
            assert_eq!(found, inside, "{from}..={to}");
        }
        // Adding to a key again finds the same slot.
        *dense.slot(-1_380_000_000) += 10;
        assert_eq!(dense.range(-1_380_000_000, -1_380_000_000).next(), Some((-1_380_000_000, &13)));
    }

    /// Every position from 0 to past the last is found, or placed, where a binary search
    /// would find or place it.
    fn check(positions: &[u64]) {
        let mut map = ByPosition::default();
        for &p in positions {
            map.insert(p, p);
        }
        let last = positions.last().copied().unwrap_or(0);
        for p in 0..=last + 2 {
            let expected = map.items.binary_search_by_key(&p, |(q, _)| *q);
            assert_eq!(map.search(p), expected, "position {p} among {positions:?}");
        }
    }

    #[test]
    fn search_agrees_with_binary_search() {
        check(&[]);
        check(&[1]);
        check(&[5]);
        check(&[1, 2, 3, 4, 5, 6, 7, 8]);
        check(&[3, 4, 6, 7, 9, 10, 11, 40, 41, 42]);
        check(&[1, 1000, 1001, 1002, 1003, 5000, 5001]);
        check(&(1..300).map(|i| i * i).collect::<Vec<_>>());
        check(&(1..2000).filter(|i| i % 97 != 0 && i % 13 != 5).collect::<Vec<_>>());
    }

    #[test]
    fn search_survives_positions_far_apart() {
        let mut map = ByPosition::default();
        for p in [1, 2, u64::MAX / 2, u64::MAX - 1] {
            map.insert(p, ());
        }
        assert_eq!(map.search(u64::MAX - 1), Ok(3));
        assert_eq!(map.search(u64::MAX), Err(4));
        assert_eq!(map.search(3), Err(2));
        assert_eq!(map.remove(2), Some(()));
        assert_eq!(map.values().count(), 3);
    }
}
