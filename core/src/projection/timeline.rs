//! The timeline: events ordered by when they occurred, in lanes, with a level-of-detail index.
//!
//! Each event covers the days it may mean: a year-only event covers its year and is marked
//! uncertain, a visit covers its range. The level-of-detail index counts events per bucket
//! (decade, year, month, day) and per kind, so a view zoomed out over a million events reads
//! a few hundred buckets, not a million entries: the cost of a frame depends on the pixels,
//! not on the size of the record.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;

use serde::Serialize;

use crate::catalog::{Catalog, Change, Resolved};
use crate::date::{civil_from_days, days_from_civil, Precision};
use crate::event::EventKind;

/// The bucket sizes of the level-of-detail index, coarsest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Level {
    /// Ten calendar years (2020–2029).
    Decade,
    /// A calendar year.
    Year,
    /// A calendar month.
    Month,
    /// A day.
    Day,
}

impl Level {
    /// Every level, coarsest first.
    pub const ALL: [Level; 4] = [Level::Decade, Level::Year, Level::Month, Level::Day];

    /// The bucket holding a day.
    pub fn bucket(self, day: i32) -> i64 {
        if self == Level::Day {
            return i64::from(day);
        }
        let (y, m, _) = civil_from_days(day);
        match self {
            Level::Decade => i64::from(y).div_euclid(10),
            Level::Year => i64::from(y),
            _ => i64::from(y) * 12 + i64::from(m) - 1,
        }
    }

    /// The first and last day of a bucket.
    pub fn span(self, bucket: i64) -> (i32, i32) {
        match self {
            Level::Decade => {
                let y = (bucket * 10) as i32;
                (days_from_civil(y, 1, 1), days_from_civil(y + 9, 12, 31))
            }
            Level::Year => (
                days_from_civil(bucket as i32, 1, 1),
                days_from_civil(bucket as i32, 12, 31),
            ),
            Level::Month => {
                let y = bucket.div_euclid(12) as i32;
                let m = (bucket.rem_euclid(12) + 1) as u8;
                (
                    days_from_civil(y, m, 1),
                    days_from_civil(y, m, crate::date::days_in_month(y, m)),
                )
            }
            Level::Day => (bucket as i32, bucket as i32),
        }
    }

    /// The finest level whose buckets, at `days_per_pixel`, are at least `min_px` wide.
    pub fn for_scale(days_per_pixel: f64, min_px: f64) -> Level {
        let widths = [
            (Level::Day, 1.0),
            (Level::Month, 30.44),
            (Level::Year, 365.25),
        ];
        for (level, days) in widths {
            if days / days_per_pixel >= min_px {
                return level;
            }
        }
        Level::Decade
    }

    fn precision(self) -> Precision {
        match self {
            Level::Decade | Level::Year => Precision::Year,
            Level::Month => Precision::Month,
            Level::Day => Precision::Day,
        }
    }
}

/// Counts of one bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    /// Events per kind, indexed by [`EventKind::index`].
    pub by_kind: [u32; 7],
    /// Of those, events whose date is coarser than the bucket (a year-only event in a month
    /// bucket): the bucket holds them by their earliest day, but they may belong elsewhere.
    pub uncertain: u32,
}

impl Counts {
    /// All events in the bucket.
    pub fn total(&self) -> u32 {
        self.by_kind.iter().sum()
    }
}

/// One bucket of the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// First day covered (day number).
    pub start: i32,
    /// Last day covered.
    pub end: i32,
    /// Its counts.
    pub counts: Counts,
}

/// How lanes are formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum LaneMode {
    /// One lane per kind of event.
    Kind,
    /// One lane per actor (countries and people), an event in the lane of each participant.
    Actor,
}

/// A lane of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lane {
    /// A stable key (`Visit`, or an actor id).
    pub key: String,
    /// What people read.
    pub label: String,
}

/// Key of the ordered index: first day, last day, position (unique).
type OrderKey = (i32, i32, u64);

/// The timeline projection.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    order: BTreeMap<OrderKey, Arc<Resolved>>,
    lod: [BTreeMap<i64, Counts>; 4],
    longest: i32,
}

fn key(r: &Resolved) -> OrderKey {
    (
        r.event.occurred.first_day(),
        r.event.occurred.last_day(),
        r.position,
    )
}

impl Timeline {
    /// Takes in one change from the catalog.
    pub fn change(&mut self, change: &Change) {
        if let Some(old) = &change.before {
            self.order.remove(&key(old));
            self.count(old, -1);
        }
        if let Some(new) = &change.after {
            let k = key(new);
            self.longest = self.longest.max(k.1 - k.0);
            self.order.insert(k, new.clone());
            self.count(new, 1);
        }
    }

    fn count(&mut self, r: &Resolved, delta: i32) {
        let day = r.event.occurred.first_day();
        let precision = r.event.occurred.precision();
        for (i, level) in Level::ALL.into_iter().enumerate() {
            let map = &mut self.lod[i];
            let entry = map.entry(level.bucket(day)).or_default();
            let k = r.kind.index();
            entry.by_kind[k] = entry.by_kind[k].saturating_add_signed(delta);
            if precision < level.precision() {
                entry.uncertain = entry.uncertain.saturating_add_signed(delta);
            }
            if entry.total() == 0 {
                map.remove(&level.bucket(day));
            }
        }
    }

    /// Number of events on the timeline.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether the timeline is empty.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Every event in order of occurrence (ties by log position).
    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &Arc<Resolved>> {
        self.order.values()
    }

    /// Events overlapping the days `from..=to`, in order of occurrence.
    pub fn window(&self, from: i32, to: i32) -> impl Iterator<Item = &Arc<Resolved>> {
        let lower = (from.saturating_sub(self.longest), i32::MIN, 0);
        let upper = (to, i32::MAX, u64::MAX);
        self.order
            .range((Bound::Included(lower), Bound::Included(upper)))
            .filter(move |((_, end, _), _)| *end >= from)
            .map(|(_, r)| r)
    }

    /// The first and last day covered by any event.
    pub fn extent(&self) -> Option<(i32, i32)> {
        let first = self.order.keys().next()?.0;
        let last = self.order.keys().map(|k| k.1).max()?;
        Some((first, last))
    }

    /// Buckets of a level overlapping `from..=to`, in order, empty buckets omitted.
    pub fn buckets(&self, level: Level, from: i32, to: i32) -> Vec<Bucket> {
        let i = Level::ALL.iter().position(|l| *l == level).unwrap_or(0);
        self.lod[i]
            .range(level.bucket(from)..=level.bucket(to))
            .map(|(b, counts)| {
                let (start, end) = level.span(*b);
                Bucket {
                    start,
                    end,
                    counts: *counts,
                }
            })
            .collect()
    }

    /// The lanes for a mode, in display order: kinds in their fixed order; actors by
    /// how many events they take part in, most active first (ties by actor id).
    pub fn lanes(&self, mode: LaneMode, catalog: &Catalog) -> Vec<Lane> {
        match mode {
            LaneMode::Kind => EventKind::ALL
                .iter()
                .map(|k| Lane {
                    key: k.name().to_owned(),
                    label: k.label().to_owned(),
                })
                .collect(),
            LaneMode::Actor => {
                let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
                for r in self.order.values() {
                    for (a, _) in r.event.participants() {
                        *counts.entry(a.as_str()).or_default() += 1;
                    }
                }
                let mut list: Vec<(&str, u32)> = counts.into_iter().collect();
                list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                list.into_iter()
                    .map(|(a, _)| Lane {
                        key: a.to_owned(),
                        label: catalog.actor_name(a).to_owned(),
                    })
                    .collect()
            }
        }
    }

    /// The lanes an event is drawn in (indices into [`Timeline::lanes`] for the same mode).
    pub fn lanes_of(r: &Resolved, mode: LaneMode, lanes: &[Lane]) -> Vec<usize> {
        match mode {
            LaneMode::Kind => vec![r.kind.index()],
            LaneMode::Actor => r
                .event
                .participants()
                .into_iter()
                .filter_map(|(a, _)| lanes.iter().position(|l| l.key == a.as_str()))
                .collect(),
        }
    }
}
