//! Figures: events per year and kind, documents signed (per year and cumulative), visits
//! by direction, and how much of the record is disputed or corrected.
//!
//! An event counts in the year it began; a year-only event counts in that year, so the
//! figures never claim more precision than the record has.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Dense;
use crate::catalog::{Catalog, Change, Resolved};
use crate::event::{ActorKind, EventKind, PerKind};
use crate::id::ActorId;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct YearCounts {
    by_kind: PerKind<u32>,
    documents: u64,
}

/// The statistics projection.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Counts per year, in an array (a lookup per event is an index, not a tree search).
    years: Dense<YearCounts>,
    /// Visits by visitor, then host (nested so a lookup clones and hashes no pair).
    visits: rustc_hash::FxHashMap<ActorId, rustc_hash::FxHashMap<ActorId, u32>>,
    events: u64,
    disputed: u64,
    corrected: u64,
}

/// One row of the per-year table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearRow {
    /// The year.
    pub year: i32,
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

    fn count(&mut self, r: &Resolved, delta: i64) {
        let add = |n: &mut u64| *n = n.saturating_add_signed(delta);
        add(&mut self.events);
        if r.is_disputed() {
            add(&mut self.disputed);
        }
        if !r.corrections.is_empty() {
            add(&mut self.corrected);
        }
        let year = self.years.slot(i64::from(r.event.occurred.start().year_value()));
        let n = &mut year.by_kind[r.kind];
        *n = n.saturating_add_signed(delta as i32);
        if r.kind == EventKind::Signing {
            year.documents = year.documents.saturating_add_signed(delta * i64::from(r.event.documents_signed()));
        }
        if r.kind == EventKind::Visit && r.event.part_of.is_none() {
            if let (Some(v), Some(h)) = (&r.event.visitor, &r.event.host) {
                let hosts = match self.visits.get_mut(v) {
                    Some(hosts) => hosts,
                    None => self.visits.entry(v.clone()).or_default(),
                };
                match hosts.get_mut(h) {
                    Some(n) => *n = n.saturating_add_signed(delta as i32),
                    None if delta > 0 => {
                        hosts.insert(h.clone(), delta as u32);
                    }
                    None => {}
                }
            }
        }
    }

    /// The figures, with actors resolved through the catalog.
    pub fn view(&self, catalog: &Catalog) -> StatsView {
        let mut years = Vec::new();
        let mut cumulative = 0;
        // Years with no event left in them count as none, as if never seen.
        let counted = |(_, c): &(i64, &YearCounts)| **c != YearCounts::default();
        if let (Some((first, _)), Some((last, _))) =
            (self.years.iter().find(counted), self.years.iter().rev().find(counted))
        {
            for (year, c) in self.years.range(first, last) {
                cumulative += c.documents;
                years.push(YearRow {
                    year: year as i32,
                    by_kind: c.by_kind,
                    documents: c.documents,
                    documents_cumulative: cumulative,
                });
            }
        }
        let mut by_kind = BTreeMap::new();
        for k in EventKind::ALL {
            let n: u64 = self.years.iter().map(|(_, y)| u64::from(y.by_kind[k])).sum();
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
        for (v, hosts) in &self.visits {
            for (h, n) in hosts.iter().filter(|(_, n)| **n > 0) {
                let key = (catalog.country_of(v).clone(), catalog.country_of(h).clone());
                *directions.entry(key).or_default() += n;
            }
        }
        let mut visits: Vec<Direction> =
            directions.into_iter().map(|((from, to), visits)| Direction { from, to, visits }).collect();
        visits.sort_by(|a, b| b.visits.cmp(&a.visits).then((&a.from, &a.to).cmp(&(&b.from, &b.to))));
        StatsView {
            events: self.events,
            by_kind,
            documents: cumulative,
            years,
            actors,
            visits,
            disputed: self.disputed,
            corrected: self.corrected,
            retracted: catalog.retracted_len() as u64,
        }
    }
}
