//! Figures: events per year and kind, documents signed (per year and cumulative), visits
//! by direction, and how much of the record is disputed or corrected.
//!
//! An event counts in the year it began; a year-only event counts in that year, so the
//! figures never claim more precision than the record has.
//!
//! Everything is kept **per year** (counts, documents, disputed, corrected, visits), so the
//! figures as of a year are a sum over the years up to it rather than a fold of the log: a
//! service answers `as_of=1990` on a million events from a few hundred rows
//! ([`Stats::view_through`]).

use std::collections::BTreeMap;

use serde::Serialize;

use super::Dense;
use crate::catalog::{Catalog, Change, Resolved};
use crate::date::CALENDAR_YEARS;
use crate::event::{ActorKind, EventKind, PerKind};
use crate::id::ActorId;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct YearCounts {
    by_kind: PerKind<u32>,
    documents: u64,
    disputed: u64,
    corrected: u64,
}

/// Visits by visitor and host, by their numbers in [`Stats`]' `actors`. *Why numbers:* the
/// figures as of a year sum every year's visits before it, hundreds of thousands of pairs
/// on a large record; keyed by ids, hashing their text was most of the cost.
type Visits = rustc_hash::FxHashMap<(u32, u32), u32>;

/// The statistics projection.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Counts per year, in an array (a lookup per event is an index, not a tree search).
    years: Dense<YearCounts>,
    /// Visits per year of the visit.
    visits: Dense<Visits>,
    /// Visits of all years (the figures of now read these, not every year's).
    all_visits: Visits,
    /// The actors of `visits`, numbered in the order first counted.
    actors: Vec<ActorId>,
    /// The number of each actor in `actors`.
    numbers: rustc_hash::FxHashMap<ActorId, u32>,
}

/// One row of the per-year table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearRow {
    /// The year.
    pub year: i64,
    /// Events that began that year, per kind.
    pub by_kind: PerKind<u32>,
    /// Documents signed that year (stated counts).
    pub documents: u64,
    /// Documents signed up to and including that year.
    pub documents_cumulative: u64,
}

/// Visits from one country to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Direction {
    /// The visitor's country (or the visitor, when no country is known).
    pub from: ActorId,
    /// The host's country.
    pub to: ActorId,
    /// How many visits.
    pub visits: u32,
}

/// The figures a masthead shows (see [`Stats::totals`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Live domain events.
    pub events: u64,
    /// Documents signed in all.
    pub documents: u64,
    /// Events with at least one open dispute.
    pub disputed: u64,
}

/// A summary of the figures, ready to print or to chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatsView {
    /// Live domain events.
    pub events: u64,
    /// Events per kind, by kind name.
    pub by_kind: BTreeMap<&'static str, u64>,
    /// Per-year rows, every year from the first to the last (empty years included).
    pub years: Vec<YearRow>,
    /// Documents signed in all.
    pub documents: u64,
    /// Registered actors per kind.
    pub actors: BTreeMap<&'static str, u64>,
    /// Visits by direction, most first.
    pub visits: Vec<Direction>,
    /// Events with at least one open dispute.
    pub disputed: u64,
    /// Events corrected at least once.
    pub corrected: u64,
    /// Events retracted.
    pub retracted: u64,
}

impl Stats {
    /// Takes in one change from the catalog.
    pub fn change(&mut self, change: &Change) {
        if let Some(old) = &change.before {
            self.count(old, -1);
        }
        if let Some(new) = &change.after {
            self.count(new, 1);
        }
    }

    /// Counts one event in (`delta` 1) or out (−1). *Public because* the service counts the
    /// figures of the events a filter keeps with it (a walk of the timeline, `stats?actor=`):
    /// one rule of what an event adds to the figures.
    pub fn count(&mut self, r: &Resolved, delta: i64) {
        let add = |n: &mut u64| *n = n.saturating_add_signed(delta);
        let key = r.event.occurred.start().year_value();
        let year = self.years.slot(key);
        if r.is_disputed() {
            add(&mut year.disputed);
        }
        if !r.corrections.is_empty() {
            add(&mut year.corrected);
        }
        let n = &mut year.by_kind[r.kind];
        *n = n.saturating_add_signed(delta as i32);
        if r.kind == EventKind::Signing {
            year.documents = year.documents.saturating_add_signed(delta * i64::from(r.event.documents_signed()));
        }
        if r.kind == EventKind::Visit && r.event.part_of.is_none() {
            if let (Some(v), Some(h)) = (&r.event.visitor, &r.event.host) {
                let pair = (self.number(v), self.number(h));
                count_visit(self.visits.slot(key), pair, delta);
                count_visit(&mut self.all_visits, pair, delta);
            }
        }
    }

    /// The number of an actor in `actors` (given one when first counted).
    fn number(&mut self, id: &ActorId) -> u32 {
        if let Some(&i) = self.numbers.get(id) {
            return i;
        }
        let i = self.actors.len() as u32;
        self.actors.push(id.clone());
        self.numbers.insert(id.clone(), i);
        i
    }

    /// The figures, with actors resolved through the catalog.
    pub fn view(&self, catalog: &Catalog) -> StatsView {
        self.view_through(catalog, i64::MAX, None)
    }

    /// The three figures a masthead shows — live events, documents signed, events disputed —
    /// summed from the per-year index: the same numbers as [`Stats::view`]'s, without its
    /// tables. *Why apart:* the web page shows only these, and `view` (the per-year rows, the
    /// actors and the visits by direction) was 2 KB of its gzipped bundle.
    pub fn totals(&self) -> Totals {
        let mut totals = Totals::default();
        for (_, c) in self.years.iter() {
            totals.events += c.by_kind.iter().map(|n| u64::from(*n)).sum::<u64>();
            totals.documents += c.documents;
            totals.disputed += c.disputed;
        }
        totals
    }

    /// The figures of the events that began in or before `last_year`, plus those of `extra`
    /// (counted apart, e.g. the part of a year up to a date). Years, documents, disputed,
    /// corrected and visits are summed from the per-year index: the cost is the number of
    /// years times the visit directions, never the number of events. Actors and retractions
    /// come from the catalog as they stand (as for a fold as of a date, which filters events,
    /// not registrations).
    pub fn view_through(&self, catalog: &Catalog, last_year: i64, extra: Option<&Stats>) -> StatsView {
        let mut terms = vec![Term { stats: self, through: last_year, subtract: false }];
        terms.extend(extra.map(|x| Term { stats: x, through: i64::MAX, subtract: false }));
        Self::view_of_terms(catalog, &terms)
    }

    /// The figures of a sum of figures: each term's events that began in or before its
    /// `through` year, added or taken away. *Why:* the history answers "as of a log
    /// position" as a checkpoint plus the events counted in and out since (or until) it,
    /// without copying the checkpoint's figures (a copy of their per-year visits cost more
    /// than the answer). The terms taken away must be contained in those added (as the
    /// events counted out of a checkpoint are in it): every count stays exact.
    pub(crate) fn view_of_terms(catalog: &Catalog, terms: &[Term<'_>]) -> StatsView {
        let mut table: Dense<YearCounts> = Dense::default();
        // Visits summed by pairs of actor numbers of this view (each term numbers its own).
        let mut numbering = Numbering::default();
        let mut visits: rustc_hash::FxHashMap<(u32, u32), u32> = rustc_hash::FxHashMap::default();
        // (Every term added first, then those taken away: no count passes below zero.)
        let ordered = terms.iter().filter(|t| !t.subtract).chain(terms.iter().filter(|t| t.subtract));
        for &Term { stats, through, subtract } in ordered {
            let add = |total: u64, n: u64| if subtract { total.saturating_sub(n) } else { total + n };
            for (year, c) in stats.years.range(i64::MIN, through).filter(|(_, c)| **c != YearCounts::default()) {
                let row = table.slot(year);
                for k in EventKind::ALL {
                    row.by_kind[k] = if subtract {
                        row.by_kind[k].saturating_sub(c.by_kind[k])
                    } else {
                        row.by_kind[k].saturating_add(c.by_kind[k])
                    };
                }
                row.documents = add(row.documents, c.documents);
                row.disputed = add(row.disputed, c.disputed);
                row.corrected = add(row.corrected, c.corrected);
            }
            let last_counted = stats.years.iter().rev().find(|(_, c)| **c != YearCounts::default()).map(|(y, _)| y);
            let every_year = [&stats.all_visits];
            let years: Box<dyn Iterator<Item = &Visits>> = if last_counted.is_none_or(|last| last <= through) {
                Box::new(every_year.into_iter())
            } else {
                Box::new(stats.visits.range(i64::MIN, through).map(|(_, year)| year))
            };
            let ours: Vec<u32> = stats.actors.iter().map(|a| numbering.number(a)).collect();
            for year in years {
                for (&(v, h), n) in year.iter().filter(|(_, n)| **n > 0) {
                    let total = visits.entry((ours[v as usize], ours[h as usize])).or_default();
                    *total = if subtract { total.saturating_sub(*n) } else { *total + n };
                }
            }
        }
        // (A pair whose visits were all taken away is no direction.)
        visits.retain(|_, n| *n > 0);
        let mut years = Vec::new();
        let (mut cumulative, mut events, mut disputed, mut corrected) = (0, 0, 0, 0);
        // Years with no event left in them count as none, as if never seen. Between two
        // calendar years every year has a row; in deep time only a year with events does (a
        // record reaching back to the Big Bang would have 13.8 billion).
        let counted = |(_, c): &(i64, &YearCounts)| **c != YearCounts::default();
        let mut previous: Option<i64> = None;
        for (year, c) in table.iter().filter(counted) {
            if let Some(before) = previous.filter(|b| CALENDAR_YEARS.contains(b) && CALENDAR_YEARS.contains(&year)) {
                for empty in before + 1..year {
                    years.push(YearRow {
                        year: empty,
                        by_kind: PerKind::default(),
                        documents: 0,
                        documents_cumulative: cumulative,
                    });
                }
            }
            previous = Some(year);
            cumulative += c.documents;
            events += c.by_kind.iter().map(|n| u64::from(*n)).sum::<u64>();
            disputed += c.disputed;
            corrected += c.corrected;
            years.push(YearRow { year, by_kind: c.by_kind, documents: c.documents, documents_cumulative: cumulative });
        }
        let mut by_kind = BTreeMap::new();
        for k in EventKind::ALL {
            let n: u64 = table.iter().map(|(_, y)| u64::from(y.by_kind[k])).sum();
            by_kind.insert(k.name(), n);
        }
        let mut actors = BTreeMap::new();
        for a in catalog.actors() {
            *actors.entry(a.kind.name()).or_insert(0u64) += 1;
        }
        for kind in
            [ActorKind::Country, ActorKind::Person, ActorKind::Organization, ActorKind::Commission, ActorKind::Place]
        {
            actors.entry(kind.name()).or_insert(0);
        }
        let mut directions: BTreeMap<(ActorId, ActorId), u32> = BTreeMap::new();
        for ((v, h), n) in visits {
            let (v, h) = (numbering.ids[v as usize], numbering.ids[h as usize]);
            let key = (catalog.country_of(v).clone(), catalog.country_of(h).clone());
            *directions.entry(key).or_default() += n;
        }
        let mut visits: Vec<Direction> =
            directions.into_iter().map(|((from, to), visits)| Direction { from, to, visits }).collect();
        crate::order::sort_by(&mut visits, |a, b| {
            b.visits.cmp(&a.visits).then((&a.from, &a.to).cmp(&(&b.from, &b.to)))
        });
        StatsView {
            events,
            by_kind,
            documents: cumulative,
            years,
            actors,
            visits,
            disputed,
            corrected,
            retracted: catalog.retracted_len() as u64,
        }
    }
}

/// Actors numbered for one view: the terms of a sum each number their own.
#[derive(Default)]
struct Numbering<'a> {
    by_id: rustc_hash::FxHashMap<&'a ActorId, u32>,
    ids: Vec<&'a ActorId>,
}

impl<'a> Numbering<'a> {
    fn number(&mut self, id: &'a ActorId) -> u32 {
        let next = self.ids.len() as u32;
        let i = *self.by_id.entry(id).or_insert(next);
        if i == next {
            self.ids.push(id);
        }
        i
    }
}

/// One term of [`Stats::view_of_terms`]: figures through a year, added or taken away.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Term<'a> {
    pub(crate) stats: &'a Stats,
    pub(crate) through: i64,
    pub(crate) subtract: bool,
}

/// Counts one visit in (`delta` 1) or out (−1).
fn count_visit(visits: &mut Visits, pair: (u32, u32), delta: i64) {
    match visits.get_mut(&pair) {
        Some(n) => *n = n.saturating_add_signed(delta as i32),
        None if delta > 0 => {
            visits.insert(pair, delta as u32);
        }
        None => {}
    }
}
