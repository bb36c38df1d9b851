//! The timeline: events ordered by when they occurred, in lanes, with a level-of-detail index.
//!
//! Each event covers the days it may mean: a year-only event covers its year and is marked
//! uncertain, a visit covers its range. The level-of-detail index counts events per bucket
//! (decade, year, month, day) and per kind, so a view zoomed out over a million events reads
//! a few hundred buckets, not a million entries: the cost of a frame depends on the pixels,
//! not on the size of the record.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::{ByPosition, Dense};
use crate::catalog::{Catalog, Change, Resolved};
use crate::date::{civil_from_days, days_from_civil, Precision};

use crate::event::{EventKind, PerKind};

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
    pub fn bucket(self, day: i64) -> i64 {
        if self == Level::Day {
            return day;
        }
        let (y, m, _) = civil_from_days(day);
        match self {
            Level::Decade => y.div_euclid(10),
            Level::Year => y,
            _ => y * 12 + i64::from(m) - 1,
        }
    }

    /// The first and last day of a bucket.
    pub fn span(self, bucket: i64) -> (i64, i64) {
        match self {
            Level::Decade => {
                let y = bucket * 10;
                (days_from_civil(y, 1, 1), days_from_civil(y + 9, 12, 31))
            }
            Level::Year => (days_from_civil(bucket, 1, 1), days_from_civil(bucket, 12, 31)),
            Level::Month => {
                let y = bucket.div_euclid(12);
                let m = (bucket.rem_euclid(12) + 1) as u8;
                (days_from_civil(y, m, 1), days_from_civil(y, m, crate::date::days_in_month(y, m)))
            }
            Level::Day => (bucket, bucket),
        }
    }

    /// The finest level whose buckets, at `days_per_pixel`, are at least `min_px` wide.
    pub fn for_scale(days_per_pixel: f64, min_px: f64) -> Level {
        let widths = [(Level::Day, 1.0), (Level::Month, 30.44), (Level::Year, 365.25)];
        for (level, days) in widths {
            if days / days_per_pixel >= min_px {
                return level;
            }
        }
        Level::Decade
    }

    /// The precision a date needs to lie in one bucket of this level for sure (a date
    /// coarser than it counts as uncertain there).
    pub fn precision(self) -> Precision {
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
    /// Events per kind.
    pub by_kind: PerKind<u32>,
    /// Of those, events whose date is coarser than the bucket (a year-only event in a month
    /// bucket): the bucket holds them by their earliest day, but they may belong elsewhere.
    pub uncertain: u32,
}

impl Counts {
    /// All events in the bucket.
    pub fn total(&self) -> u32 {
        self.by_kind.iter().sum()
    }

    /// Counts `r` into (`delta` 1) or out of (−1) a bucket at `level`: by its kind, and as
    /// uncertain when its date is coarser than the level's buckets.
    pub fn add(&mut self, r: &Resolved, level: Level, delta: i32) {
        self.by_kind[r.kind] = self.by_kind[r.kind].saturating_add_signed(delta);
        if r.event.occurred.precision() < level.precision() {
            self.uncertain = self.uncertain.saturating_add_signed(delta);
        }
    }
}

/// One bucket of the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// First day covered (day number).
    pub start: i64,
    /// Last day covered.
    pub end: i64,
    /// Its counts.
    pub counts: Counts,
}

/// How lanes are formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum LaneMode {
    /// One lane per kind of event (kinds with no event in the record have none).
    Kind,
    /// One lane per actor (countries and people), an event in the lane of each participant.
    Actor,
    /// One lane per group the file itself gave its events (a TimelineJS slide's `group`, the
    /// `Group` column of its spreadsheet), kept in the event's codes (see [`group_of`]); events
    /// without a group share a last lane.
    Group,
    /// One lane for every event.
    None,
}

impl LaneMode {
    /// Every mode, in the order a person is offered them.
    pub const ALL: [LaneMode; 4] = [LaneMode::Kind, LaneMode::Actor, LaneMode::Group, LaneMode::None];

    /// The name in addresses and embed options (`lanes=group`).
    pub fn name(self) -> &'static str {
        match self {
            LaneMode::Kind => "kind",
            LaneMode::Actor => "actor",
            LaneMode::Group => "group",
            LaneMode::None => "none",
        }
    }

    /// The mode of a name, if it is one.
    pub fn from_name(name: &str) -> Option<LaneMode> {
        LaneMode::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// The group a file gave an event: the code named `group`, or `…:group` under a reader's prefix
/// (the TimelineJS reader keeps a slide's group as `timelinejs:group`), when not blank.
///
/// *Why codes and not a field of its own:* codes are already how an event keeps what its file
/// said beyond Annals' fields; they live in the event, so the group survives the log, a
/// correction and a trip back to the file's format, with no new schema version.
pub fn group_of(r: &Resolved) -> Option<&str> {
    r.event
        .codes
        .iter()
        .find(|(k, v)| (k.as_str() == "group" || k.ends_with(":group")) && !v.trim().is_empty())
        .map(|(_, v)| v.trim())
}

/// The key of the lane of events without a group (a group's key is its name).
const NO_GROUP: &str = "";

/// A lane of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lane {
    /// A stable key (`Visit`, or an actor id).
    pub key: String,
    /// What people read.
    pub label: String,
}

/// Key of the ordered index: first day, last day, position (unique).
type OrderKey = (i64, i64, u64);

/// The timeline projection.
///
/// Events are kept in a vector sorted by (first day, last day, position). A live change is
/// a binary search and an insert; a bulk fold ([`crate::Projections::fold`]) collects by
/// position and sorts once at the end, which is what makes folding a million events cheap.
/// The level-of-detail index keeps decade, year and month counts in dense arrays; day
/// buckets are counted from the events in the window, which at day zoom are few.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    order: Vec<(OrderKey, Arc<Resolved>)>,
    bulk: Option<ByPosition<(OrderKey, Arc<Resolved>)>>,
    lod: [Dense<Counts>; 3],
    longest: i64,
}

/// An event on the timeline: its place in the order, and the event.
type Entry = (OrderKey, Arc<Resolved>);

/// Sorts the entries of a bulk fold's slots (by position; `None` where one was removed) by
/// (first day, last day, position).
///
/// A counting sort on the first day (a record spans a few tens of thousands of days, far
/// fewer than a large fold has events), then a sort by (last day, position) inside each day,
/// which is no work when the entries came in log order and the day's events end together
/// (the common case): a handful of passes over memory instead of the twenty
/// of a comparison sort of a million entries. The counting sort places slot numbers, four
/// bytes each, and then reads the entries once in their new order, so each entry is moved
/// once, into the one vector the timeline keeps. A record spread over many more days than it
/// has events is sorted by comparison.
fn sort_by_days(mut slots: Vec<(u64, Option<Entry>)>) -> Vec<Entry> {
    let days = || slots.iter().filter_map(|(_, e)| e.as_ref().map(|(k, _)| k.0));
    let (Some(min), Some(max)) = (days().min(), days().max()) else {
        return Vec::new();
    };
    let live = days().count();
    // (A record reaching back to the Big Bang spans more days than any count; it is sorted
    // by comparison.)
    let span = usize::try_from(max.abs_diff(min)).unwrap_or(usize::MAX).saturating_add(1);
    if span > live.saturating_mul(4).saturating_add(4096) || u32::try_from(slots.len()).is_err() {
        let mut entries: Vec<Entry> = slots.into_iter().filter_map(|(_, e)| e).collect();
        entries.sort_unstable_by_key(order_key);
        return entries;
    }
    let day = |k: &OrderKey| (k.0 - min) as usize;
    let mut next = vec![0usize; span + 1];
    for (k, _) in slots.iter().filter_map(|(_, e)| e.as_ref()) {
        next[day(k) + 1] += 1;
    }
    for d in 1..next.len() {
        next[d] += next[d - 1];
    }
    // `from[i]` is the slot of the i-th entry in the new order.
    let mut from = vec![0u32; live];
    for (i, (_, e)) in slots.iter().enumerate() {
        if let Some((k, _)) = e {
            let place = &mut next[day(k)];
            from[*place] = i as u32;
            *place += 1;
        }
    }
    let mut sorted: Vec<Entry> = Vec::with_capacity(live);
    sorted.extend(from.iter().filter_map(|&i| slots[i as usize].1.take()));
    let mut start = 0;
    while start < sorted.len() {
        let first = sorted[start].0 .0;
        let len = sorted[start..].iter().take_while(|(k, _)| k.0 == first).count();
        let run = &mut sorted[start..start + len];
        // (The run shares its first day, so its order by the whole key is by the rest; the
        // same function as above keeps one copy of the sort in the browser bundle.)
        if !run.is_sorted_by_key(order_key) {
            run.sort_unstable_by_key(order_key);
        }
        start += len;
    }
    sorted
}

/// An entry's place in the order.
fn order_key(entry: &Entry) -> OrderKey {
    entry.0
}

fn key(r: &Resolved) -> OrderKey {
    (r.event.occurred.first_day(), r.event.occurred.last_day(), r.position)
}

impl Timeline {
    /// Takes in one change from the catalog.
    pub fn change(&mut self, change: &Change) {
        self.take(change.clone());
    }

    /// Takes in one change from the catalog, keeping its picture without another
    /// reference count (each is an atomic operation, which waits for every pending write).
    pub(crate) fn take(&mut self, change: Change) {
        if let Some(old) = &change.before {
            match &mut self.bulk {
                Some(map) => {
                    map.remove(old.position);
                }
                None => {
                    if let Ok(i) = self.order.binary_search_by(|(k, _)| k.cmp(&key(old))) {
                        self.order.remove(i);
                    }
                }
            }
            self.count(old, -1);
        }
        if let Some(new) = change.after {
            let k = key(&new);
            self.longest = self.longest.max(k.1 - k.0);
            self.count(&new, 1);
            match &mut self.bulk {
                Some(map) => {
                    map.insert(new.position, (k, new));
                }
                None => {
                    let i = self.order.partition_point(|(x, _)| *x < k);
                    self.order.insert(i, (k, new));
                }
            }
        }
    }

    /// Starts a bulk fold (catching up on many changes at once): changes are collected and
    /// sorted once in [`Timeline::end_bulk`]. Queries in between see no events.
    pub fn begin_bulk(&mut self, expected: usize) {
        if self.bulk.is_none() {
            let mut existing: Vec<(OrderKey, Arc<Resolved>)> = std::mem::take(&mut self.order);
            crate::order::sort_by_key(&mut existing, |(k, _)| k.2);
            let mut map = ByPosition::default();
            map.reserve(existing.len() + expected);
            for entry in existing {
                map.insert(entry.0 .2, entry);
            }
            self.bulk = Some(map);
        }
    }

    /// Ends a bulk fold: sorts what was collected.
    pub fn end_bulk(&mut self) {
        if let Some(map) = self.bulk.take() {
            self.order = sort_by_days(map.into_slots());
        }
    }

    fn count(&mut self, r: &Resolved, delta: i32) {
        let start = r.event.occurred.start();
        let (y, m) = (start.year_value(), start.month_value().unwrap_or(1));
        let buckets = [y.div_euclid(10), y, y * 12 + i64::from(m) - 1];
        for (i, level) in [Level::Decade, Level::Year, Level::Month].into_iter().enumerate() {
            self.lod[i].slot(buckets[i]).add(r, level, delta);
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
    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &Arc<Resolved>> + ExactSizeIterator {
        self.order.iter().map(|(_, r)| r)
    }

    /// The event at an index of [`Timeline::entries`].
    pub fn at(&self, index: usize) -> Option<&Arc<Resolved>> {
        self.order.get(index).map(|(_, r)| r)
    }

    /// The first day, last day and log position of the event at an index of
    /// [`Timeline::entries`]: what the order is sorted by, kept beside each event, so a scan
    /// over a window compares days without computing them from the event's dates.
    pub fn key_at(&self, index: usize) -> Option<(i64, i64, u64)> {
        self.order.get(index).map(|(k, _)| *k)
    }

    /// The first index of `range` (a range of [`Timeline::window_indices`] or
    /// [`Timeline::starting_indices`], sorted by order key) whose key comes after `key`: where
    /// a page that ended at `key` goes on.
    pub fn after_key(&self, range: std::ops::Range<usize>, key: (i64, i64, u64)) -> usize {
        match self.order.get(range.clone()) {
            Some(keys) => range.start + keys.partition_point(|(k, _)| *k <= key),
            None => range.end,
        }
    }

    /// The indices (into [`Timeline::entries`]) of the events that *may* overlap the days
    /// `from..=to`: every event that does is in the range, found by binary search; callers
    /// check the last day of each (long events starting earlier are included).
    pub fn window_indices(&self, from: i64, to: i64) -> std::ops::Range<usize> {
        let lo = self.order.partition_point(|(k, _)| k.0 < from.saturating_sub(self.longest));
        let hi = self.order.partition_point(|(k, _)| k.0 <= to).max(lo);
        lo..hi
    }

    /// Events overlapping the days `from..=to`, in order of occurrence.
    pub fn window(&self, from: i64, to: i64) -> impl Iterator<Item = &Arc<Resolved>> {
        let lo = self.order.partition_point(|(k, _)| k.0 < from.saturating_sub(self.longest));
        let hi = self.order.partition_point(|(k, _)| k.0 <= to).max(lo);
        self.order[lo..hi].iter().filter(move |(k, _)| k.1 >= from).map(|(_, r)| r)
    }

    /// Events whose first day is in `from..=to`, in order of occurrence (a binary search, then
    /// only those events).
    pub fn starting(&self, from: i64, to: i64) -> impl Iterator<Item = &Arc<Resolved>> {
        self.order[self.starting_indices(from, to)].iter().map(|(_, r)| r)
    }

    /// The indices (into [`Timeline::entries`]) of the events whose first day is in
    /// `from..=to`: how many a walk of them costs is known before it begins.
    pub fn starting_indices(&self, from: i64, to: i64) -> std::ops::Range<usize> {
        let lo = self.order.partition_point(|(k, _)| k.0 < from);
        let hi = self.order.partition_point(|(k, _)| k.0 <= to).max(lo);
        lo..hi
    }

    /// The first and last day covered by any event.
    ///
    /// The last day is found from the end: no event lasts more than `longest` days, so once
    /// the events reached start more than that before the latest end seen, none earlier can
    /// end later. A service asks for the extent on every view of a million events.
    pub fn extent(&self) -> Option<(i64, i64)> {
        let first = self.order.first()?.0 .0;
        let mut last = i64::MIN;
        for (k, _) in self.order.iter().rev() {
            if k.0.saturating_add(self.longest) < last {
                break;
            }
            last = last.max(k.1);
        }
        Some((first, last))
    }

    /// Buckets of a level overlapping `from..=to`, in order, empty buckets omitted.
    /// An event is counted in the bucket of its first day.
    pub fn buckets(&self, level: Level, from: i64, to: i64) -> Vec<Bucket> {
        let bucket = |b: i64, counts: Counts| {
            let (start, end) = level.span(b);
            Bucket { start, end, counts }
        };
        let dense = match level {
            Level::Decade => &self.lod[0],
            Level::Year => &self.lod[1],
            Level::Month => &self.lod[2],
            Level::Day => {
                let mut days: BTreeMap<i64, Counts> = BTreeMap::new();
                let lo = self.order.partition_point(|(k, _)| k.0 < from);
                for (k, r) in self.order[lo..].iter().take_while(|(k, _)| k.0 <= to) {
                    days.entry(k.0).or_default().add(r, Level::Day, 1);
                }
                return days.into_iter().map(|(b, c)| bucket(b, c)).collect();
            }
        };
        dense
            .range(level.bucket(from), level.bucket(to))
            .filter(|(_, c)| c.total() > 0)
            .map(|(b, c)| bucket(b, *c))
            .collect()
    }

    /// The lanes for a mode, in display order: the kinds the record has, in their fixed order;
    /// actors by how many events they take part in, most active first (ties by actor id);
    /// groups in the order they first occur. *Why no empty lanes:* a file of talks and
    /// statements read as six empty lanes and a full one.
    pub fn lanes(&self, mode: LaneMode, catalog: &Catalog) -> Vec<Lane> {
        match mode {
            LaneMode::Kind => {
                let mut used = PerKind::<bool>::default();
                for (_, r) in &self.order {
                    used[r.kind] = true;
                }
                EventKind::ALL
                    .iter()
                    .filter(|k| used[**k])
                    .map(|k| Lane { key: k.name().to_owned(), label: k.label().to_owned() })
                    .collect()
            }
            LaneMode::Actor => {
                let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
                for (_, r) in &self.order {
                    for (a, _) in r.event.participants() {
                        *counts.entry(a.as_str()).or_default() += 1;
                    }
                }
                let mut list: Vec<(&str, u32)> = counts.into_iter().collect();
                crate::order::sort_by(&mut list, |a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                list.into_iter()
                    .map(|(a, _)| Lane { key: a.to_owned(), label: catalog.actor_name(a).to_owned() })
                    .collect()
            }
            LaneMode::Group => {
                // In the order the groups first occur in time; the ungrouped last.
                let mut lanes: Vec<Lane> = Vec::new();
                // (The map type of the actors' counts: in the browser, another map type is more
                // code in the bundle.)
                let mut seen: BTreeMap<&str, u32> = BTreeMap::new();
                let mut ungrouped = false;
                for (_, r) in &self.order {
                    match group_of(r) {
                        Some(g) if !seen.contains_key(g) => {
                            seen.insert(g, 0);
                            lanes.push(Lane { key: g.to_owned(), label: g.to_owned() });
                        }
                        Some(_) => {}
                        None => ungrouped = true,
                    }
                }
                if ungrouped {
                    lanes.push(Lane { key: NO_GROUP.to_owned(), label: "No group".to_owned() });
                }
                lanes
            }
            LaneMode::None => vec![Lane { key: "all".to_owned(), label: "All events".to_owned() }],
        }
    }

    /// Whether any event has a group of its file's (see [`group_of`]).
    pub fn has_groups(&self) -> bool {
        self.order.iter().any(|(_, r)| group_of(r).is_some())
    }

    /// The lanes (indices into `lanes`, from [`Timeline::lanes`] in the same mode) an event is
    /// drawn in: one, or one per participant by actor.
    pub fn lanes_of(r: &Resolved, mode: LaneMode, lanes: &[Lane]) -> Vec<usize> {
        let key = match mode {
            LaneMode::Kind => r.kind.name(),
            LaneMode::Actor => {
                return r
                    .event
                    .participants()
                    .into_iter()
                    .filter_map(|(a, _)| lanes.iter().position(|l| l.key == a.as_str()))
                    .collect()
            }
            LaneMode::Group => group_of(r).unwrap_or(NO_GROUP),
            LaneMode::None => return vec![0],
        };
        lanes.iter().position(|l| l.key == key).into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::SplitMix;

    fn entries(n: u64, days: u64, rng: &mut SplitMix) -> Vec<(u64, Option<Entry>)> {
        let r = Arc::new(Resolved {
            id: "e".into(),
            position: 0,
            recorded_at: crate::Timestamp(0),
            kind: EventKind::Call,
            event: Arc::new(crate::DomainEvent::new(crate::Occurred::on(crate::PartialDate::from_day_number(0)), "x")),
            corrections: Vec::new(),
            disputes: Vec::new(),
            retracted: None,
        });
        (1..=n)
            .map(|position| {
                let first = rng.below(days) as i64 - 5_000;
                // Every seventh slot was removed in the fold.
                let entry = ((first, first + rng.below(3) as i64 * 30, position), r.clone());
                (position, (position % 7 != 3).then_some(entry))
            })
            .collect()
    }

    #[test]
    fn the_day_sort_orders_as_a_comparison_sort_does() {
        let mut rng = SplitMix::new(7);
        // Dense days (counting sort), sparse days (comparison fallback), log order and not.
        for (n, days, shuffle) in [(5_000, 300, false), (5_000, 300, true), (300, 10_000_000, false), (0, 1, false)] {
            let mut input = entries(n, days, &mut rng);
            if shuffle {
                input.reverse();
            }
            let mut expected: Vec<OrderKey> = input.iter().filter_map(|(_, e)| e.as_ref().map(|(k, _)| *k)).collect();
            expected.sort_unstable();
            let got: Vec<OrderKey> = sort_by_days(input).iter().map(|(k, _)| *k).collect();
            assert_eq!(got, expected, "{n} entries over {days} days");
        }
    }
}
