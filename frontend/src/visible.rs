//! The events that pass the view's filters, computed once per change of the filters and
//! shared by everything that shows them (timeline, charts, list). *Why its own module:* the
//! filters' result is not the timeline's; the charts and the list read it too, and the
//! performance rule that keeps frames cheap (walk the window, never the record) lives here.

use annals_core::projection::Timeline;

use crate::state::View;

/// The events that pass the view's filters (kinds, actor, search — not the window): their
/// indices into [`Timeline::entries`] in order, and a mask by index for window lookups.
///
/// Computed once per change of the filters (the app memoizes it), never per frame: a frame
/// only walks the window, found by binary search. Equality is identity, so passing the same
/// memoized value down does not make components compare a hundred thousand entries.
#[derive(Debug, Default)]
pub struct Visible {
    /// Indices of the shown events, in order of occurrence.
    pub indices: Vec<usize>,
    /// `mask[i]`: whether entry `i` is shown.
    pub mask: Vec<bool>,
}

impl PartialEq for Visible {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl std::ops::Deref for Visible {
    type Target = [usize];

    fn deref(&self) -> &[usize] {
        &self.indices
    }
}

impl Visible {
    /// Indices of the shown events that overlap the days `from..=to`, in order, lazily.
    pub fn window<'a>(&'a self, timeline: &'a Timeline, from: i64, to: i64) -> impl Iterator<Item = usize> + 'a {
        timeline
            .window_indices(from, to)
            .filter(|i| self.mask.get(*i).copied().unwrap_or(false))
            .filter(move |i| timeline.at(*i).is_some_and(|r| r.event.occurred.last_day() >= from))
    }

    /// Indices of the shown events that overlap the days `from..=to`, in order.
    pub fn in_window(&self, timeline: &Timeline, from: i64, to: i64) -> Vec<usize> {
        self.window(timeline, from, to).collect()
    }

    /// The shown events in the window, or `None` when there are more than `limit` (then the
    /// caller draws clusters and never walks the rest of the window).
    pub fn in_window_up_to(&self, timeline: &Timeline, from: i64, to: i64, limit: usize) -> Option<Vec<usize>> {
        let list: Vec<usize> = self.window(timeline, from, to).take(limit + 1).collect();
        (list.len() <= limit).then_some(list)
    }

    /// How many shown events overlap the window. Events starting inside it only need the
    /// mask (read in order, cheap); only those starting before it are looked at.
    pub fn count_in_window(&self, timeline: &Timeline, from: i64, to: i64) -> usize {
        let range = timeline.window_indices(from, to);
        let starts_inside = timeline
            .window_indices(from, to)
            .find(|i| timeline.at(*i).is_some_and(|r| r.event.occurred.first_day() >= from))
            .unwrap_or(range.end);
        let before = (range.start..starts_inside)
            .filter(|i| self.mask.get(*i).copied().unwrap_or(false))
            .filter(|i| timeline.at(*i).is_some_and(|r| r.event.occurred.last_day() >= from))
            .count();
        let inside = self.mask.get(starts_inside..range.end).map_or(0, |m| m.iter().filter(|b| **b).count());
        before + inside
    }
}

/// Which events pass the view's filters.
pub fn visible(timeline: &Timeline, view: &View, name: impl Fn(&str) -> String) -> Visible {
    // No filter (how a record opens): every event, without asking each.
    let unfiltered = view.kinds.is_empty() && view.actor.is_none() && view.query.trim().is_empty();
    let mask: Vec<bool> = if unfiltered {
        vec![true; timeline.len()]
    } else {
        timeline.entries().map(|r| view.shows(r, &name)).collect()
    };
    let indices = mask.iter().enumerate().filter(|(_, shown)| **shown).map(|(i, _)| i).collect();
    Visible { indices, mask }
}

#[cfg(test)]
mod tests {
    use super::*;
    use annals_core::EventKind;

    #[test]
    fn the_fast_window_count_matches_the_plain_one() {
        let record =
            crate::record::from_bytes(include_bytes!("../../data/azerbaijan-belarus.json"), "x").expect("record");
        let projections = record.projections();
        let timeline = &projections.timeline;
        let filters = [View::default(), View { kinds: [EventKind::Visit].into_iter().collect(), ..View::default() }];
        for view in &filters {
            let shown = visible(timeline, view, |id| id.to_owned());
            for from in (8_000..20_500).step_by(97) {
                for span in [1, 30, 400, 5_000] {
                    let plain = shown.in_window(timeline, from, from + span);
                    assert_eq!(shown.count_in_window(timeline, from, from + span), plain.len(), "{from}+{span}");
                    let limited = shown.in_window_up_to(timeline, from, from + span, 3);
                    assert_eq!(limited, (plain.len() <= 3).then(|| plain.clone()));
                }
            }
        }
    }
}
