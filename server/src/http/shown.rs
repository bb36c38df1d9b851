//! What the web app's filters keep, judged on the service: `lod`, `window` and `stats` take
//! `actor=` and `q=` so a page reading a large stream by the window (`frontend/src/remote.rs`)
//! counts, finds and charts what it draws.
//!
//! *Why the app's rule, not `events?q=`'s.* The page draws the events it has fetched through
//! its own filter (`View::shows`, `frontend/src/state.rs`) and the clusters elsewhere from
//! these counts: were the two rules different, a cluster of "12" would open onto 9 events.
//! So the rule is the page's, word for word: `actor=ID` keeps the events naming the actor
//! among their participants (not as a place); `q=` is split at white space and keeps the
//! events where every word (case folded) is in a title or summary (any language), a tag, or
//! the name of a participant or place (`Catalog::actor_name`, as the page names them).
//!
//! *Why bounded.* A filtered count cannot be read from the level-of-detail index (nor
//! filtered figures from the per-year stats): it walks the events of the window (of the
//! record). The walk is a pass over the kept timeline (the words' actors are
//! found once per call, among the registered actors, so an event costs its texts and no
//! lookup), but it costs what the window holds: a call walks at most [`MAX_WALK`] events and
//! says where the next goes on (`next`, a cursor, as `window`'s pages do), and the answers
//! are kept per stream version and query with the others ([`super::kept::Answers`]),
//! computed on the work threads behind the gate.

use std::collections::HashSet;
use std::ops::Range;

use annals_core::catalog::{Catalog, Resolved};
use annals_core::projection::{Bucket, Counts, Level, Stats, Timeline};

use super::streams::contains_folded;
use super::ApiError;

/// Most events one filtered count walks (a call of `lod` or `stats` with a filter): its
/// answer then holds a `next` to go on from. Measured at 1M events: a walk costs about 1.2 µs an event
/// (each event's texts and participants read where they lie; the whole record 1.3 s in one
/// call), and with 16 readers of distinct queries at 20,000 a call the p99 was 349 ms
/// (`benches/views.rs`): at 5,000, as many as a filtered `events` read scans, it is ~6 ms.
pub const MAX_WALK: usize = 5_000;

/// The page's filters, parsed against a catalog; see the module docs.
#[derive(Debug, Default)]
pub struct Shown<'a> {
    actor: Option<String>,
    /// Each word of `q`, lowercased, with the registered actors whose name holds it.
    words: Vec<(String, HashSet<&'a str>)>,
}

/// Longest `q=`, in characters (a query is typed by a person).
const MAX_QUERY: usize = 200;

impl<'a> Shown<'a> {
    /// The filters of `actor=` and `q=`; `None` when neither keeps anything out.
    pub fn parse(actor: Option<&str>, q: Option<&str>, catalog: &'a Catalog) -> Result<Option<Self>, ApiError> {
        if !Self::given(actor, q)? {
            return Ok(None);
        }
        let words: Vec<String> = q.unwrap_or("").split_whitespace().map(str::to_lowercase).collect();
        let actors = catalog.actors();
        let words = words
            .into_iter()
            .map(|word| {
                let named = actors
                    .iter()
                    .map(|a| a.actor.as_str())
                    .filter(|id| contains_folded(catalog.actor_name(id), &word))
                    .collect();
                (word, named)
            })
            .collect();
        Ok(Some(Shown { actor: actor.map(str::to_owned), words }))
    }

    /// Whether `actor=` and `q=` filter anything (a `q` of white space does not), or why they
    /// are not filters (400 `bad_query`): checked before a read waits for the gate.
    pub fn given(actor: Option<&str>, q: Option<&str>) -> Result<bool, ApiError> {
        if let Some(q) = q.filter(|q| q.chars().count() > MAX_QUERY) {
            return Err(ApiError::bad_request(
                "bad_query",
                format!("q= is {} characters long; expected at most {MAX_QUERY}", q.chars().count()),
            ));
        }
        if actor.is_some_and(|a| a.trim().is_empty()) {
            return Err(ApiError::bad_request("bad_query", "actor= is empty; expected an actor's id"));
        }
        Ok(actor.is_some() || q.is_some_and(|q| !q.trim().is_empty()))
    }

    /// Whether the page shows the event under these filters.
    pub fn keeps(&self, r: &Resolved, catalog: &Catalog) -> bool {
        let e = &r.event;
        if let Some(actor) = &self.actor {
            if !e.participant_ids().any(|a| a.as_str() == actor) {
                return false;
            }
        }
        self.words.iter().all(|(word, named)| {
            e.texts().any(|t| contains_folded(t, word))
                || e.tags.iter().any(|t| contains_folded(t, word))
                || e.participant_ids().chain(e.places.iter()).any(|a| {
                    named.contains(a.as_str())
                        // An actor never registered is named by its id.
                        || (contains_folded(a.as_str(), word) && catalog.actor(a.as_str()).is_none())
                })
        })
    }
}

/// An order key of the timeline — first day, last day, position —, where a walk goes on
/// (the `cursor` of a next part).
pub type OrderKey = (i64, i64, u64);

/// The part of `range` (indices into the timeline) one call walks: from the event after
/// `cursor` on, at most `walk` events (at least one); with the key of the last one walked
/// when more of `range` are left (the next call goes on from it). *Why one function:* every
/// filtered walk (`lod`'s counts, `stats`' figures) pages the same way, so one cursor goes on
/// in both.
fn part(
    timeline: &Timeline,
    range: Range<usize>,
    cursor: Option<OrderKey>,
    walk: usize,
) -> (Range<usize>, Option<OrderKey>) {
    // The first index after the cursor.
    let lo = cursor.map_or(range.start, |cursor| timeline.after_key(range.clone(), cursor));
    let end = range.end.min(lo.saturating_add(walk.max(1))).max(lo);
    let next = if end < range.end { timeline.key_at(end - 1) } else { None };
    (lo..end, next)
}

/// The counts at `level` of the events the filters keep among those starting in the buckets
/// of `from..=to` (empty buckets left out), as `Timeline::buckets` counts all of them — from
/// the event after `cursor` on, walking at most `walk` events ([`MAX_WALK`] in `lod`): with
/// the key of the last one walked when more are left (the next call goes on from it; its
/// first bucket may be this one's last, to be added up).
pub fn buckets(
    timeline: &Timeline,
    catalog: &Catalog,
    shown: &Shown,
    level: Level,
    (from, to): (i64, i64),
    cursor: Option<OrderKey>,
    walk: usize,
) -> (Vec<Bucket>, Option<OrderKey>) {
    let (first, _) = level.span(level.bucket(from));
    let (_, last) = level.span(level.bucket(to));
    let (walked, next) = part(timeline, timeline.starting_indices(first, last), cursor, walk);
    let mut out: Vec<Bucket> = Vec::new();
    for r in walked.filter_map(|i| timeline.at(i)).filter(|r| shown.keeps(r, catalog)) {
        let day = r.event.occurred.first_day();
        let bucket = match out.last_mut() {
            Some(b) if b.start <= day && day <= b.end => b,
            _ => {
                let (start, end) = level.span(level.bucket(day));
                out.push(Bucket { start, end, counts: Counts::default() });
                out.last_mut().expect("just pushed")
            }
        };
        bucket.counts.add(r, level, 1);
    }
    (out, next)
}

/// One part of the figures of the events the filters keep ([`figures`]).
#[derive(Debug)]
pub struct Figures {
    /// The figures of the events kept in this part (core's per-year `Stats`).
    pub stats: Stats,
    /// Where the next part goes on, while events are left to walk.
    pub next: Option<OrderKey>,
    /// How many events are walked by the end of this part (those of the parts before it too).
    pub walked: usize,
    /// How many events the whole walk looks at.
    pub of: usize,
}

/// The figures (`stats`) of the events the filters keep — of those certainly begun by the day
/// `by` when given (`as_of`: as `Projections::stats_as_of` counts them) — walking the
/// timeline in order from the event after `cursor`, at most `walk` events: the figures of
/// the whole filtered record are the sum of the parts' (each year's counts added up).
pub fn figures(
    timeline: &Timeline,
    catalog: &Catalog,
    shown: &Shown,
    by: Option<i64>,
    cursor: Option<OrderKey>,
    walk: usize,
) -> Figures {
    // (An event certainly begun by a day has its first possible day by then: the walk ends there.)
    let range = timeline.starting_indices(i64::MIN, by.unwrap_or(i64::MAX));
    let (walked, next) = part(timeline, range.clone(), cursor, walk);
    let mut stats = Stats::default();
    let begun = |r: &&std::sync::Arc<Resolved>| by.is_none_or(|day| r.event.occurred.certain_start_day() <= day);
    for r in walked.clone().filter_map(|i| timeline.at(i)).filter(begun).filter(|r| shown.keeps(r, catalog)) {
        stats.count(r, 1);
    }
    Figures { stats, next, walked: walked.end - range.start, of: range.len() }
}

#[cfg(test)]
mod tests {
    use super::{buckets, figures, Shown, MAX_WALK};
    use annals_core::projection::{Bucket, Level, Projections};

    #[test]
    fn filtered_counts_add_up_to_the_events_the_filter_keeps() {
        let bytes = include_bytes!("../../../data/azerbaijan-belarus.json");
        let loaded = annals_formats::load(bytes, "azerbaijan-belarus.json", None, &annals_core::validate::Nothing);
        let envelopes = loaded.into_envelopes(&"s".into(), annals_core::Timestamp::default());
        let mut p = Projections::default();
        p.extend(&envelopes);
        let (timeline, catalog) = (&p.timeline, &p.catalog);
        let (from, to) = timeline.extent().expect("extent");
        let all = timeline.buckets(Level::Year, from, to);
        // Without a word or an actor nothing is filtered: no filter at all.
        assert!(Shown::parse(None, Some("  "), catalog).expect("parse").is_none());
        for (actor, q) in [(None, Some("minsk")), (Some("aliyev"), None), (None, Some("VISIT baku"))] {
            let shown = Shown::parse(actor, q, catalog).expect("parse").expect("a filter");
            let kept = timeline.entries().filter(|r| shown.keeps(r, catalog)).count();
            let (counted, next) = buckets(timeline, catalog, &shown, Level::Year, (from, to), None, MAX_WALK);
            assert_eq!(next, None, "a small record is counted in one call");
            // Walked five events a call, going on from each `next`: the same counts, added up.
            let mut paged: Vec<Bucket> = Vec::new();
            let mut cursor = None;
            let mut calls = 0;
            loop {
                let (part, next) = buckets(timeline, catalog, &shown, Level::Year, (from, to), cursor, 5);
                for b in part {
                    match paged.last_mut() {
                        Some(last) if last.start == b.start => {
                            for k in annals_core::EventKind::ALL {
                                last.counts.by_kind[k] += b.counts.by_kind[k];
                            }
                            last.counts.uncertain += b.counts.uncertain;
                        }
                        _ => paged.push(b),
                    }
                }
                calls += 1;
                match next {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            assert_eq!(paged, counted, "{actor:?} {q:?}");
            // The figures, walked five events a call: their parts add up to the events kept.
            let (mut cursor, mut events, mut parts) = (None, 0, 0);
            loop {
                let part = figures(timeline, catalog, &shown, None, cursor, 5);
                events += part.stats.view(catalog).events;
                parts += 1;
                assert_eq!((part.walked, part.of), ((parts * 5).min(timeline.len()), timeline.len()));
                match part.next {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            assert_eq!((events as usize, parts), (kept, timeline.len().div_ceil(5)), "{actor:?} {q:?}");
            assert_eq!(calls, timeline.len().div_ceil(5));
            let total: u32 = counted.iter().map(|b| b.counts.total()).sum();
            assert_eq!(total as usize, kept, "{actor:?} {q:?}");
            assert!(kept > 0 && kept < timeline.len(), "{actor:?} {q:?} keeps {kept} of {}", timeline.len());
            // Each bucket is one of the unfiltered ones, counting no more than it.
            for b in &counted {
                let whole = all.iter().find(|a| a.start == b.start).expect("the same bucket");
                assert!(b.counts.total() <= whole.counts.total() && b.end == whole.end);
            }
        }
    }
}
