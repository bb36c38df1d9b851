//! The timeline's geometry, without the DOM: the time scale, axis ticks, where each event is
//! drawn, and which mark a point hits. Pure, so it is tested natively; the canvas component
//! only paints what this computes.

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
    } else if min_days > 28.0 {
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
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// The event id.
    pub id: String,
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
    /// The title, drawn beside the mark when there is room.
    pub title: String,
    /// The honest date label ("2009", "16–17 May 2024").
    pub date: String,
}

/// The y of a lane's centre.
pub fn lane_y(lane: usize) -> f64 {
    AXIS_HEIGHT + LANE_HEIGHT * (lane as f64 + 0.5)
}

/// Places events: one mark per (event, lane).
pub fn marks<'a>(events: impl IntoIterator<Item = (&'a Resolved, Vec<usize>)>, scale: &Scale) -> Vec<Mark> {
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
                id: r.id.as_str().to_owned(),
                kind: r.kind,
                lane,
                x1,
                x2,
                y: lane_y(lane),
                shape,
                disputed: r.is_disputed(),
                title: r.event.title.clone(),
                date: o.label(),
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

    #[test]
    fn scale_round_trips() {
        let s = scale("2000-01-01", "2010-01-01", 500.0);
        let day = 11_000.5;
        assert!((s.day(s.x(day)) - day).abs() < 1e-6);
    }
}
