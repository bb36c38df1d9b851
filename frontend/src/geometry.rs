//! The timeline's geometry, without the DOM: the time scale, axis ticks, where each event is
//! drawn, and which mark a point hits. Pure, so it is tested natively; the canvas component
//! only paints what this computes.

use std::sync::Arc;

use annals_core::catalog::Resolved;
use annals_core::date::{civil_from_days, days_from_civil, PartialDate, Precision};
use annals_core::projection::{Bucket, Level};
use annals_core::EventKind;

/// Width of the lane-label column, in CSS pixels.
pub const LABEL_WIDTH: f64 = 128.0;
/// Height of the axis band at the top.
pub const AXIS_HEIGHT: f64 = 30.0;
/// Height of one lane.
pub const LANE_HEIGHT: f64 = 34.0;

/// Maps days to x and back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    /// First visible day.
    pub from: f64,
    /// Last visible day.
    pub to: f64,
    /// x of `from`.
    pub left: f64,
    /// Width in pixels of the time area.
    pub width: f64,
}

impl Scale {
    /// The x of a day.
    pub fn x(&self, day: f64) -> f64 {
        self.left + (day - self.from) / (self.to - self.from).max(1e-9) * self.width
    }

    /// The day at an x.
    pub fn day(&self, x: f64) -> f64 {
        self.from + (x - self.left) / self.width.max(1e-9) * (self.to - self.from)
    }

    /// Days per pixel.
    pub fn days_per_px(&self) -> f64 {
        (self.to - self.from) / self.width.max(1e-9)
    }
}

/// A gridline of the axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// The day it marks.
    pub day: i32,
    /// Its label.
    pub label: String,
}

/// Axis ticks for a scale: decades, years, months or days, at least ~70 px apart.
pub fn ticks(scale: &Scale) -> Vec<Tick> {
    let dpp = scale.days_per_px();
    let min_days = 70.0 * dpp;
    let (from, to) = (scale.from.floor() as i32, scale.to.ceil() as i32);
    let (y0, _, _) = civil_from_days(from);
    let (y1, _, _) = civil_from_days(to);
    let mut out = Vec::new();
    if min_days > 365.25 {
        let step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
            .into_iter()
            .find(|s| f64::from(*s) * 365.25 >= min_days)
            .unwrap_or(1000);
        let mut y = y0.div_euclid(step) * step;
        while y <= y1 {
            out.push(Tick { day: days_from_civil(y, 1, 1), label: y.to_string() });
            y += step;
        }
    } else if min_days > 14.0 {
        // Ticks of 14 days would be closer than the minimum; a month apart is wide enough.
        let step = [1, 2, 3, 6].into_iter().find(|s| f64::from(*s) * 30.44 >= min_days).unwrap_or(6);
        for y in y0..=y1 {
            for m in (1..=12).step_by(step as usize) {
                let label = if m == 1 {
                    y.to_string()
                } else {
                    PartialDate::month(y, m).map(|d| short_month(&d)).unwrap_or_default()
                };
                out.push(Tick { day: days_from_civil(y, m as u8, 1), label });
            }
        }
    } else {
        let step = [1, 2, 7, 14].into_iter().find(|s| f64::from(*s) >= min_days).unwrap_or(14);
        let mut d = from.div_euclid(step) * step;
        while d <= to {
            let date = PartialDate::from_day_number(d);
            let label = format!("{} {}", date.day_value().unwrap_or(1), short_month(&date));
            out.push(Tick { day: d, label });
            d += step;
        }
    }
    out.retain(|t| f64::from(t.day) >= scale.from - 1.0 && f64::from(t.day) <= scale.to + 1.0);
    out
}

fn short_month(d: &PartialDate) -> String {
    const M: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let m = d.month_value().unwrap_or(1);
    if m == 1 && d.day_value().is_none() {
        return d.year_value().to_string();
    }
    M[usize::from(m - 1)].to_owned()
}

/// How an event is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A single known day: a dot.
    Point,
    /// A known range of days: a bar.
    Bar,
    /// A date known only to the month or year: a pale span over all it may mean.
    Uncertain,
}

/// One event as drawn.
///
/// It holds the event itself (a reference count, not a copy): a frame places up to
/// [`DETAIL_LIMIT`](crate::timeline::DETAIL_LIMIT) marks, and copying each title and date
/// label into them every frame was a measurable part of a pan.
#[derive(Debug, Clone)]
pub struct Mark {
    /// The event.
    pub event: Arc<Resolved>,
    /// Its kind.
    pub kind: EventKind,
    /// Lane index.
    pub lane: usize,
    /// Left edge.
    pub x1: f64,
    /// Right edge.
    pub x2: f64,
    /// Vertical centre.
    pub y: f64,
    /// Shape.
    pub shape: Shape,
    /// Whether a dispute is attached.
    pub disputed: bool,
}

impl Mark {
    /// The event id.
    pub fn id(&self) -> &str {
        self.event.id.as_str()
    }

    /// The title, drawn beside the mark when there is room.
    pub fn title(&self) -> &str {
        &self.event.event.title
    }

    /// The honest date label ("2009", "16–17 May 2024").
    pub fn date(&self) -> String {
        self.event.event.occurred.label()
    }

    /// Where the drawn mark begins and ends on x (a dot is wider than its day).
    pub fn extent(&self) -> (f64, f64) {
        match self.shape {
            Shape::Point => {
                let cx = (self.x1 + self.x2) / 2.0;
                (cx - DOT_RADIUS, cx + DOT_RADIUS)
            }
            Shape::Bar => (self.x1, self.x2.max(self.x1 + 6.0)),
            Shape::Uncertain => (self.x1, self.x2.max(self.x1 + 4.0)),
        }
    }

    /// Whether a label may not cover it: every dot and bar, and a pale span too narrow to
    /// read as a background (zoomed out, a month's span is a few pixels, drawn as a mark).
    pub fn blocks_labels(&self) -> bool {
        self.shape != Shape::Uncertain || self.x2 - self.x1 < NARROW_SPAN
    }
}

/// A pale span narrower than this is an obstacle for labels, like a dot.
const NARROW_SPAN: f64 = 24.0;

/// Radius of a single day's dot.
pub const DOT_RADIUS: f64 = 6.0;

/// The y of a lane's centre.
pub fn lane_y(lane: usize) -> f64 {
    AXIS_HEIGHT + LANE_HEIGHT * (lane as f64 + 0.5)
}

/// Places events: one mark per (event, lane).
pub fn marks<'a>(events: impl IntoIterator<Item = (&'a Arc<Resolved>, Vec<usize>)>, scale: &Scale) -> Vec<Mark> {
    let mut out = Vec::new();
    for (r, lanes) in events {
        let o = &r.event.occurred;
        let x1 = scale.x(f64::from(o.first_day()));
        let x2 = scale.x(f64::from(o.last_day() + 1));
        let shape = match (o.precision(), o.end()) {
            (Precision::Day, None) => Shape::Point,
            (Precision::Day, Some(_)) => Shape::Bar,
            _ => Shape::Uncertain,
        };
        for lane in lanes {
            out.push(Mark {
                event: r.clone(),
                kind: r.kind,
                lane,
                x1,
                x2,
                y: lane_y(lane),
                shape,
                disputed: r.is_disputed(),
            });
        }
    }
    out
}

/// The mark at a point, preferring precise marks over the pale spans beneath them, and the
/// nearest dot when several are close.
pub fn hit(marks: &[Mark], x: f64, y: f64) -> Option<&Mark> {
    let half = LANE_HEIGHT / 2.0;
    let near: Vec<&Mark> = marks.iter().filter(|m| (y - m.y).abs() <= half).collect();
    let precise = near
        .iter()
        .filter(|m| m.shape != Shape::Uncertain)
        .filter(|m| x >= m.x1.min((m.x1 + m.x2) / 2.0 - 7.0) && x <= m.x2.max((m.x1 + m.x2) / 2.0 + 7.0))
        .min_by(|a, b| {
            let da = (x - (a.x1 + a.x2) / 2.0).abs();
            let db = (x - (b.x1 + b.x2) / 2.0).abs();
            da.total_cmp(&db)
        });
    precise
        .or_else(|| {
            near.iter().filter(|m| x >= m.x1 && x <= m.x2).min_by(|a, b| (a.x2 - a.x1).total_cmp(&(b.x2 - b.x1)))
        })
        .copied()
}

/// Where a mark's label goes: its left edge, and how wide it may be (the text is shortened
/// with "…" to fit when `room` is less than its width).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelSpot {
    /// Index of the mark in the slice given to [`label_spots`].
    pub mark: usize,
    /// Left edge of the text.
    pub x: f64,
    /// Widest the text may be drawn.
    pub room: f64,
}

/// Gap between a label and the marks or labels around it.
const LABEL_GAP: f64 = 6.0;
/// A label shortened to less than this is not drawn: "Vis…" helps nobody.
pub const MIN_LABEL: f64 = 40.0;
/// Labels are never wider than this (long titles are shortened).
pub const MAX_LABEL: f64 = 220.0;

/// Places labels so that none is cut off by the edges of the time area (`left..right`) and none
/// runs over another label or over a later mark in its lane.
///
/// Per lane, left to right: a label goes right of its mark; when the right edge would cut it,
/// it goes left of the mark instead, if it fits there; otherwise it is shortened to the room
/// there is, or left out when that is less than [`MIN_LABEL`]. A pale span's label is drawn
/// inside the span, from where the span enters the view. `width` is a title's full width.
pub fn label_spots(marks: &[Mark], left: f64, right: f64, mut width: impl FnMut(&Mark) -> f64) -> Vec<LabelSpot> {
    let mut lanes: Vec<Vec<usize>> = Vec::new();
    for (i, m) in marks.iter().enumerate() {
        if lanes.len() <= m.lane {
            lanes.resize_with(m.lane + 1, Vec::new);
        }
        lanes[m.lane].push(i);
    }
    let mut out = Vec::new();
    for lane in &mut lanes {
        lane.sort_by(|a, b| marks[*a].x1.total_cmp(&marks[*b].x1));
        // Where the next label may begin: after the last label, and after the marks passed.
        let mut free = left;
        for (k, &i) in lane.iter().enumerate() {
            let m = &marks[i];
            let (start, end) = m.extent();
            let precise = m.shape != Shape::Uncertain;
            // Right of the mark (inside a pale span, from where it enters the view).
            let x = if precise { end + LABEL_GAP } else { start.max(left) + 4.0 };
            // When `x` is taken by an earlier label, nothing fits left of the mark either (the
            // mark is left of `x`): then the label is left out without measuring its title.
            let spot = (x >= free)
                .then(|| {
                    // Where the first later mark a label may not cover begins (one that reaches
                    // past `x`; the marks are in order of where they begin).
                    let next = lane[k + 1..]
                        .iter()
                        .map(|j| &marks[*j])
                        .filter(|n| n.blocks_labels())
                        .map(Mark::extent)
                        .find(|(_, e)| *e > x)
                        .map_or(f64::INFINITY, |(s, _)| s);
                    let limit = if precise { next.min(right) } else { next.min(right).min(end) } - LABEL_GAP;
                    let w = width(m).min(MAX_LABEL);
                    let spot = if x + w <= limit {
                        (x, w)
                    } else if precise
                        && x + w > right
                        && start - LABEL_GAP <= right
                        && start - LABEL_GAP - w >= free.max(left)
                    {
                        // Cut off by the right edge, and there is room on the left.
                        (start - LABEL_GAP - w, w)
                    } else {
                        (x, (limit - x).min(w))
                    };
                    (spot.1 >= MIN_LABEL.min(w)).then_some(spot)
                })
                .flatten();
            if let Some((x, room)) = spot {
                out.push(LabelSpot { mark: i, x, room });
                free = free.max(x + room + LABEL_GAP);
            }
            if m.blocks_labels() {
                free = free.max(end + 2.0);
            }
        }
    }
    out
}

/// A counted bucket as drawn when zoomed out.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// Lane index.
    pub lane: usize,
    /// Left edge.
    pub x1: f64,
    /// Right edge.
    pub x2: f64,
    /// Events in it.
    pub count: u32,
    /// Of which dated more coarsely than the bucket.
    pub uncertain: u32,
}

/// Clusters from the level-of-detail index, one per (bucket, kind lane) with events.
pub fn clusters(buckets: &[Bucket], shown: &[EventKind], scale: &Scale) -> Vec<Cluster> {
    let mut out = Vec::new();
    for b in buckets {
        for (lane, kind) in shown.iter().enumerate() {
            let count = b.counts.by_kind[kind.index()];
            if count == 0 {
                continue;
            }
            out.push(Cluster {
                lane,
                x1: scale.x(f64::from(b.start)),
                x2: scale.x(f64::from(b.end + 1)),
                count,
                uncertain: b.counts.uncertain.min(count),
            });
        }
    }
    out
}

/// The bucket level for a scale: buckets at least 6 px wide.
pub fn level(scale: &Scale) -> Level {
    Level::for_scale(scale.days_per_px(), 6.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scale(from: &str, to: &str, width: f64) -> Scale {
        let d = |s: &str| f64::from(s.parse::<PartialDate>().expect("date").first_day());
        Scale { from: d(from), to: d(to), left: LABEL_WIDTH, width }
    }

    #[test]
    fn ticks_adapt_from_decades_to_days() {
        let labels = |s: &Scale| ticks(s).into_iter().map(|t| t.label).collect::<Vec<_>>();
        assert_eq!(labels(&scale("1990-01-01", "2030-01-01", 300.0)), ["1990", "2000", "2010", "2020", "2030"]);
        assert_eq!(labels(&scale("1990-01-01", "2000-01-01", 600.0)).len(), 6, "two-year steps");
        assert_eq!(labels(&scale("2024-01-01", "2025-01-01", 900.0))[..4], ["2024", "Feb", "Mar", "Apr"]);
        let days = labels(&scale("2024-05-14", "2024-05-20", 900.0));
        assert!(days.contains(&"16 May".to_owned()), "{days:?}");
    }

    /// Marks of the default record in a window, one lane per kind, and where their labels go
    /// when every title is `width` pixels wide.
    fn placed(from: &str, to: &str, width: f64) -> (Vec<Mark>, Vec<LabelSpot>, Scale) {
        let record =
            crate::record::from_bytes(include_bytes!("../../data/azerbaijan-belarus.json"), "x").expect("record");
        let s = scale(from, to, 900.0);
        let projections = record.projections();
        let timeline = &projections.timeline;
        let marks = marks(timeline.window(s.from as i32, s.to as i32).map(|r| (r, vec![r.kind.index()])), &s);
        let spots = label_spots(&marks, s.left, s.left + s.width, |_| width);
        (marks, spots, s)
    }

    #[test]
    fn labels_stay_inside_and_off_other_marks_and_labels() {
        for (from, to) in [("2024-01-01", "2025-01-01"), ("2024-05-01", "2024-06-01"), ("1995-01-01", "2026-01-01")] {
            for width in [30.0, 90.0, 400.0] {
                let (marks, spots, s) = placed(from, to, width);
                let what = format!("{from}..{to}, labels {width} px");
                for a in &spots {
                    let (x1, x2) = (a.x, a.x + a.room);
                    assert!(x1 >= s.left && x2 <= s.left + s.width + 1e-9, "{what}: {a:?} is cut off");
                    assert!(a.room <= width.min(MAX_LABEL) + 1e-9, "{what}: {a:?} is wider than its text");
                    let lane = marks[a.mark].lane;
                    let own = &marks[a.mark];
                    for m in marks.iter().filter(|m| m.lane == lane && m.blocks_labels() && !std::ptr::eq(*m, own)) {
                        let (m1, m2) = m.extent();
                        assert!(x2 <= m1 || x1 >= m2, "{what}: {a:?} runs over the mark of {}", m.id());
                    }
                    for b in spots.iter().filter(|b| b != &a && marks[b.mark].lane == lane) {
                        assert!(x2 <= b.x || x1 >= b.x + b.room, "{what}: {a:?} overlaps {b:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_label_at_the_right_edge_goes_left_of_its_mark() {
        // The last event of the record, with the window ending just after it.
        let record =
            crate::record::from_bytes(include_bytes!("../../data/azerbaijan-belarus.json"), "x").expect("record");
        let projections = record.projections();
        let timeline = &projections.timeline;
        let last = timeline.entries().rfind(|r| r.event.occurred.precision() == Precision::Day).expect("event");
        let day = f64::from(last.event.occurred.last_day());
        let s = Scale { from: day - 400.0, to: day + 3.0, left: LABEL_WIDTH, width: 900.0 };
        let marks = marks([(last, vec![0])], &s);
        let spots = label_spots(&marks, s.left, s.left + s.width, |_| 120.0);
        assert_eq!(spots.len(), 1, "{spots:?}");
        assert_eq!(spots[0].room, 120.0, "whole, not shortened");
        assert!(spots[0].x + spots[0].room <= marks[0].extent().0, "left of the mark: {spots:?} {:?}", marks[0]);
    }

    #[test]
    fn a_crowded_label_is_shortened_or_left_out() {
        // Many marks in a month, titles far wider than the gaps between them.
        let (marks, spots, _) = placed("2024-05-01", "2024-06-01", 400.0);
        assert!(!marks.is_empty());
        assert!(spots.iter().all(|s| s.room >= MIN_LABEL && s.room <= MAX_LABEL), "{spots:?}");
    }

    #[test]
    fn scale_round_trips() {
        let s = scale("2000-01-01", "2010-01-01", 500.0);
        let day = 11_000.5;
        assert!((s.day(s.x(day)) - day).abs() < 1e-6);
    }
}
