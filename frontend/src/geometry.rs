//! The timeline's geometry, without the DOM: the time scale, axis ticks, where each event is
//! drawn, and which mark a point hits. Pure, so it is tested natively; the canvas component
//! only paints what this computes.

use std::sync::Arc;

use annals_core::catalog::Resolved;
use annals_core::date::{civil_from_days, days_from_civil, PartialDate, Precision, CALENDAR_YEARS};
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
    pub day: i64,
    /// Its label.
    pub label: String,
}

/// Axis ticks for a scale: decades, years, months or days, at least ~70 px apart — or, for
/// the longer labels of deep time ("4.5 billion years ago"), as far apart as the longest label
/// of the step needs (`width` measures a label in the axis font). In deep time (a window
/// reaching past the calendar's years, where dates have no months) the ticks stay years.
pub fn ticks(scale: &Scale, mut width: impl FnMut(&str) -> f64) -> Vec<Tick> {
    let dpp = scale.days_per_px();
    let min_days = 70.0 * dpp;
    let (from, to) = (scale.from.floor() as i64, scale.to.ceil() as i64);
    let (y0, _, _) = civil_from_days(from);
    let (y1, _, _) = civil_from_days(to);
    let deep = !(CALENDAR_YEARS.contains(&y0) && CALENDAR_YEARS.contains(&y1));
    let mut out = Vec::new();
    if min_days > 365.25 || deep {
        // Steps of 1, 2 and 5 times a power of ten years, up to the age of the universe and past.
        let steps = (0..12).flat_map(|p| [1, 2, 5].map(|m| m * 10i64.pow(p)));
        for step in steps {
            let px = step as f64 * 365.25 / dpp.max(1e-9);
            if px < 70.0 {
                continue;
            }
            let label = crate::i18n::year;
            // The first and last ticks' labels are as long as any of the step's (their numbers
            // round alike).
            let (first, last) = (y0.div_euclid(step) * step, y1.div_euclid(step) * step);
            if width(&label(first)).max(width(&label(last))) + 12.0 > px {
                continue;
            }
            let mut y = first;
            while y <= y1 {
                out.push(Tick { day: days_from_civil(y, 1, 1), label: label(y) });
                y += step;
            }
            break;
        }
    } else if min_days > 14.0 {
        // Ticks of 14 days would be closer than the minimum; a month apart is wide enough.
        let step = [1, 2, 3, 6].into_iter().find(|s| *s as f64 * 30.44 >= min_days).unwrap_or(6);
        for y in y0..=y1 {
            for m in (1..=12).step_by(step as usize) {
                let label = if m == 1 {
                    crate::i18n::year(y)
                } else {
                    PartialDate::month(y, m).map(|d| short_month(&d)).unwrap_or_default()
                };
                out.push(Tick { day: days_from_civil(y, m as u8, 1), label });
            }
        }
    } else {
        let step = [1, 2, 7, 14].into_iter().find(|s| *s as f64 >= min_days).unwrap_or(14);
        let mut d = from.div_euclid(step) * step;
        while d <= to {
            let date = PartialDate::from_day_number(d);
            let label = crate::i18n::short_month(date.month_value().unwrap_or(1), Some(date.day_value().unwrap_or(1)));
            out.push(Tick { day: d, label });
            d += step;
        }
    }
    out.retain(|t| t.day as f64 >= scale.from - 1.0 && t.day as f64 <= scale.to + 1.0);
    out
}

fn short_month(d: &PartialDate) -> String {
    let m = d.month_value().unwrap_or(1);
    if m == 1 && d.day_value().is_none() {
        return crate::i18n::year(d.year_value());
    }
    crate::i18n::short_month(m, None)
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
    /// Row inside the lane (see [`stack`]).
    pub row: usize,
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
    /// The first and last day it may mean (computed once: a date's day numbers are calendar
    /// arithmetic, and counted marks need them every frame).
    pub days: (i64, i64),
}

impl Mark {
    /// The event id.
    pub fn id(&self) -> &str {
        self.event.id.as_str()
    }

    /// The title, drawn beside the mark when there is room.
    pub fn title(&self) -> &str {
        self.event.event.title_for(crate::shown::want()).text
    }

    /// The honest date label ("2009", "16–17 May 2024").
    pub fn date(&self) -> String {
        crate::i18n::occurred(&self.event.event.occurred)
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
}

/// Radius of a single day's dot.
pub const DOT_RADIUS: f64 = 6.0;

/// The y of a lane's centre when every lane has one row (clusters zoomed out).
pub fn lane_y(lane: usize) -> f64 {
    AXIS_HEIGHT + LANE_HEIGHT * (lane as f64 + 0.5)
}

/// Places events: one mark per (event, lane), each in its lane's first row until
/// [`stack`] gives it its row.
pub fn marks<'a>(events: impl IntoIterator<Item = (&'a Arc<Resolved>, Vec<usize>)>, scale: &Scale) -> Vec<Mark> {
    let mut out = Vec::new();
    for (r, lanes) in events {
        let o = &r.event.occurred;
        let days = (o.first_day(), o.last_day());
        let x1 = scale.x(days.0 as f64);
        let x2 = scale.x((days.1 + 1) as f64);
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
                row: 0,
                x1,
                x2,
                y: lane_y(lane),
                shape,
                disputed: r.is_disputed(),
                days,
            });
        }
    }
    out
}

/// The mark at a point, preferring precise marks over the pale spans of its row, and the
/// nearest dot when several are close.
pub fn hit(marks: &[Mark], x: f64, y: f64) -> Option<&Mark> {
    let half = ROW_HEIGHT / 2.0;
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

/// Height of one row of a lane.
pub const ROW_HEIGHT: f64 = 24.0;
/// Space above a lane's first row and below its last (a lane of one row is [`LANE_HEIGHT`]).
pub const LANE_PAD: f64 = (LANE_HEIGHT - ROW_HEIGHT) / 2.0;
/// Rows of events every lane may take, however little room the screen leaves (with labels:
/// a crowded record grows taller than the screen, and the page scrolls); beyond them a lane
/// grows only while the timeline has room ([`Room`]). The events that find no row are counted
/// ([`More`]) in one more row below.
pub const MAX_ROWS: usize = 5;
/// Height of a lane with no event in the window: a strip that holds its name's line.
pub const STRIP_HEIGHT: f64 = 20.0;
/// Distance between the lines of a lane's name (13 px text) when it takes more than one.
pub const LINE_HEIGHT: f64 = 14.0;
/// The most lines a lane's name takes (the last shortened with "…" if it still does not fit).
pub const NAME_LINES: usize = 4;

/// The height a lane's name of `lines` lines needs: a strip for one, a lane of one row for two.
pub fn name_height(lines: usize) -> f64 {
    LINE_HEIGHT * lines.max(1) as f64 + STRIP_HEIGHT - LINE_HEIGHT
}

/// How tall each lane is: its rows, one lane under the other below the axis, and never shorter
/// than its name needs. A lane without rows (no event in the window) is a strip as tall as its
/// name ([`STRIP_HEIGHT`] for a name of one line).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LaneRows {
    rows: Vec<usize>,
    tops: Vec<f64>,
    heights: Vec<f64>,
}

impl LaneRows {
    /// Lanes of `rows[i]` rows each, at least `names[i]` tall (else [`STRIP_HEIGHT`]).
    pub fn new(rows: Vec<usize>, names: &[f64]) -> LaneRows {
        let mut tops = Vec::with_capacity(rows.len());
        let mut heights = Vec::with_capacity(rows.len());
        let mut y = AXIS_HEIGHT;
        for (i, r) in rows.iter().enumerate() {
            let name = names.get(i).copied().unwrap_or(STRIP_HEIGHT);
            let h = if *r == 0 { name } else { (2.0 * LANE_PAD + ROW_HEIGHT * *r as f64).max(name) };
            tops.push(y);
            heights.push(h);
            y += h;
        }
        LaneRows { rows, tops, heights }
    }

    /// `lanes` lanes of one row.
    pub fn uniform(lanes: usize) -> LaneRows {
        LaneRows::new(vec![1; lanes], &[])
    }

    /// How many lanes.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows of each lane (none: a strip).
    pub fn rows(&self) -> &[usize] {
        &self.rows
    }

    /// The top of a lane.
    pub fn top(&self, lane: usize) -> f64 {
        self.tops.get(lane).copied().unwrap_or(AXIS_HEIGHT)
    }

    /// The height of a lane.
    pub fn height(&self, lane: usize) -> f64 {
        self.heights.get(lane).copied().unwrap_or(LANE_HEIGHT)
    }

    /// The vertical centre of a row of a lane.
    pub fn row_y(&self, lane: usize, row: usize) -> f64 {
        self.top(lane) + LANE_PAD + ROW_HEIGHT * (row as f64 + 0.5)
    }

    /// The bottom of the last lane (the axis' when there is none).
    pub fn bottom(&self) -> f64 {
        self.rows.len().checked_sub(1).map_or(AXIS_HEIGHT, |last| self.top(last) + self.height(last))
    }
}

/// The first line of a lane's name in `room` pixels (`width` measures a text), and the rest:
/// whole on one line when it fits, else broken after the last word that fits (inside a word too
/// long for a line). A line may also end after a hyphen, a dash or a slash.
pub fn lane_lines<'a>(name: &'a str, room: f64, width: &mut dyn FnMut(&str) -> f64) -> (String, Option<&'a str>) {
    if width(name) <= room {
        return (name.to_owned(), None);
    }
    let hyphen = width("-");
    let mut used = 0.0;
    // (The end of the first line: after the last space that fits, else inside the word, with
    // room for a hyphen.)
    let first = name.chars().next().map_or(0, char::len_utf8);
    let (mut word, mut inside) = (None, first);
    for (at, c) in name.char_indices() {
        if c == ' ' && at > 0 {
            word = Some(at);
        }
        used += width(c.encode_utf8(&mut [0; 4]));
        if used > room {
            break;
        }
        if used + hyphen <= room {
            inside = inside.max(at + c.len_utf8());
        }
        if c == '-' || c == '/' || c == '–' {
            word = Some(at + c.len_utf8());
        }
    }
    let line = match word {
        Some(cut) => name[..cut].trim_end().to_owned(),
        None => name[..inside].to_owned() + "-",
    };
    let rest = name[word.unwrap_or(inside)..].trim_start();
    (line, (!rest.is_empty()).then_some(rest))
}

/// How many rows the lanes may take ([`stack_within`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Room<'a> {
    /// Rows all lanes may take together (their rows of counted events included).
    pub budget: usize,
    /// Rows of events each lane may take whatever the budget.
    pub floor: usize,
    /// Rows each lane keeps at least (during a gesture, the rows it had: the lanes only grow
    /// while the input goes on, and nothing below them jumps).
    pub held: &'a [usize],
    /// Height each lane's name needs (see [`LaneRows::new`]).
    pub names: &'a [f64],
}

/// Where a mark's label goes: its left edge, and how wide it may be (the text is shortened
/// with "…" to fit when `room` is less than its width).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelSpot {
    /// Index of the mark in the slice given to [`stack`].
    pub mark: usize,
    /// Left edge of the text.
    pub x: f64,
    /// Widest the text may be drawn.
    pub room: f64,
    /// Drawn inside its bar (or pale span), not beside it.
    pub inside: bool,
}

/// Events of a lane that found no row, counted where they are ("+12"): zooming in spreads them
/// until they find rows of their own.
#[derive(Debug, Clone, PartialEq)]
pub struct More {
    /// Lane index.
    pub lane: usize,
    /// Left edge of the first of them.
    pub x1: f64,
    /// Right edge of the last.
    pub x2: f64,
    /// Vertical centre (the lane's row below its events).
    pub y: f64,
    /// Left edge of its badge: where the first of them begins, kept inside the time area.
    pub at: f64,
    /// How many.
    pub count: u32,
    /// The days they cover, for zooming to them.
    pub days: (i64, i64),
}

impl More {
    /// The text drawn.
    pub fn label(&self) -> String {
        format!("+{}", self.count)
    }

    /// Where the drawn badge begins and ends on x.
    pub fn extent(&self) -> (f64, f64) {
        (self.at, self.at + MORE_WIDTH)
    }
}

/// Width of a "+12" badge.
pub const MORE_WIDTH: f64 = 38.0;

/// Lanes stacked into rows: how tall each lane is, where the labels go, and what was counted.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stack {
    /// The rows of each lane.
    pub lanes: LaneRows,
    /// The labels drawn.
    pub labels: Vec<LabelSpot>,
    /// The counted events.
    pub more: Vec<More>,
}

/// Gap between a label and the marks or labels around it.
const LABEL_GAP: f64 = 6.0;
/// Gap between two marks in one row.
const MARK_GAP: f64 = 3.0;
/// A label shortened to less than this is not drawn: "Vis…" helps nobody.
pub const MIN_LABEL: f64 = 40.0;
/// The room a label keeps for itself in its row when its mark is placed: a longer title
/// still gets what room there is up to the next mark of its row.
pub const LABEL_RESERVE: f64 = 320.0;
/// Padding of a label inside a bar, on each side.
const INSIDE_PAD: f64 = 4.0;
/// Room a dispute's "?" takes right of its mark: drawn 1 px from it, about 6 px wide in bold
/// 11 px, and clear of what follows.
pub const DISPUTE_WIDTH: f64 = 9.0;

/// A mark's label, as first placed.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Placed {
    /// Right of the mark or inside it, from `x`: its room is up to the next mark of the row.
    From(f64, bool),
    /// Left of the mark, from `x`, `room` wide (the right edge would have cut it).
    Left(f64, f64),
}

/// A mark in its row: where it (with its label) begins and ends, its label, and its title's
/// width.
#[derive(Debug, Clone, Copy)]
struct InRow {
    mark: usize,
    begins: f64,
    ends: f64,
    label: Placed,
    width: f64,
}

/// Where a mark (index `i`) goes: the row `free(begins, ends)` finds for it with its label
/// (inside its bar when it fits, else right of it, else left of it), or else for it alone;
/// `None` when no row has room even for the mark.
fn place(
    m: &Mark,
    i: usize,
    left: f64,
    right: f64,
    width: &mut dyn FnMut(&Mark) -> f64,
    free: &dyn Fn(f64, f64) -> Option<usize>,
) -> Option<(usize, InRow)> {
    let (s, drawn_end) = m.extent();
    // A dispute's "?" is drawn just right of its mark: it takes room in the row as the mark does.
    let e = drawn_end + if m.disputed { DISPUTE_WIDTH } else { 0.0 };
    // No row for the mark alone: counted, and its title never asked for.
    let alone = free(s, e)?;
    let w = width(m);
    let (vs, ve) = (s.max(left), drawn_end.min(right));
    let spanned = m.shape != Shape::Point;
    // (where the mark and label begin, where they end, the label)
    let choice = if spanned && ve - vs >= w + 2.0 * INSIDE_PAD {
        Some((s, e, Placed::From(vs + INSIDE_PAD, true)))
    } else if e + LABEL_GAP + w <= right {
        Some((s, e + LABEL_GAP + w.min(LABEL_RESERVE), Placed::From(e + LABEL_GAP, false)))
    } else if s - LABEL_GAP - w >= left && e <= right {
        Some((s - LABEL_GAP - w, e, Placed::Left(s - LABEL_GAP - w, w)))
    } else if e <= right && s - LABEL_GAP - left > (right - e - LABEL_GAP).max(MIN_LABEL) {
        // Whole on neither side: shortened on the side with more room (on a phone, the right
        // edge is near).
        Some((left, e, Placed::Left(left, s - LABEL_GAP - left)))
    } else {
        None
    };
    let (row, begins, ends, label) = match choice.and_then(|(b, end, p)| Some((free(b, end)?, b, end, p))) {
        Some(found) => found,
        // The mark alone; inside a bar in view, or right of the mark, the label takes what
        // room the row leaves it.
        None if spanned && ve - vs >= MIN_LABEL + 2.0 * INSIDE_PAD => {
            (alone, s, e, Placed::From(vs + INSIDE_PAD, true))
        }
        None => (alone, s, e, Placed::From(e + LABEL_GAP, false)),
    };
    Some((row, InRow { mark: i, begins, ends, label, width: w }))
}

/// Stacks the marks of each lane into rows, so that no mark or label covers another, and
/// places the labels. `lanes` is how many lanes there are (a lane without marks is a strip);
/// `left..right` is the time area; `width` is a title's full width (asked only for marks that
/// find a row).
///
/// Greedy interval packing, per lane from left to right: a mark goes into the first row whose
/// last occupied x is left of where the mark (with its label) begins. Its label goes inside
/// its bar when it fits there, else right of the mark, else — when the right edge would cut it
/// — left of it; the row is taken up to the label's end (at most [`LABEL_RESERVE`]). When no
/// row has room for the mark with its label, it goes into the first row with room for the
/// mark alone, and its label gets what room there is up to the next mark of that row (or none,
/// when that is less than [`MIN_LABEL`]). A lane grows to [`MAX_ROWS`] rows; the marks that find
/// no room in them are counted in one more row ([`More`]) and leave `marks`. Then every mark
/// gets its row's y.
///
/// The work is a few comparisons per mark and row: it runs on every frame, over the marks
/// in view only (at most [`crate::timeline::DETAIL_LIMIT`]).
pub fn stack(marks: &mut Vec<Mark>, lanes: usize, left: f64, right: f64, width: impl FnMut(&Mark) -> f64) -> Stack {
    stack_within(marks, lanes, left, right, Room { floor: MAX_ROWS, ..Room::default() }, width)
}

/// [`stack`] within `room`: each lane takes the rows it needs while all lanes together stay
/// within `room.budget` rows (the rows of counted events included, and at least two per lane);
/// when they would take more, the busiest are cut back evenly — each to the same number of
/// rows, the most that keeps the total within the budget, but never below `room.floor` — and
/// what no longer finds a row is counted.
///
/// *Why a budget:* a lane of eight rows on a screen with room for thirty should not count
/// three of its events as "+3"; but a picture taller than the screen is not read, and the
/// labels it draws are the most expensive part of a frame: at a hundred thousand events, a
/// window of a year has a thousand marks, and many rows in each of seven lanes would draw
/// hundreds of labels per frame of a zoom. *Why a floor:* with labels, a busy record keeps
/// its five rows a lane (and the page scrolls) rather than counting what a reader came for.
pub fn stack_within(
    marks: &mut Vec<Mark>,
    lanes: usize,
    left: f64,
    right: f64,
    room: Room,
    mut width: impl FnMut(&Mark) -> f64,
) -> Stack {
    let mut by_lane: Vec<Vec<usize>> = vec![Vec::new(); lanes];
    for (i, m) in marks.iter().enumerate() {
        if m.lane >= by_lane.len() {
            by_lane.resize_with(m.lane + 1, Vec::new);
        }
        by_lane[m.lane].push(i);
    }
    for order in &mut by_lane {
        annals_core::order::sort_indices(order, &|a, b| marks[a].extent().0.total_cmp(&marks[b].extent().0));
    }
    // The most rows a lane may ever take.
    let floor = room.floor.max(1);
    let limit = floor.max(room.budget);
    // First at most `MAX_ROWS` rows a lane (or the floor): a crowded window already needs more
    // than the budget there, and packing it deeper first would only be undone.
    let first = MAX_ROWS.max(floor).min(limit);
    let mut packed: Vec<(Vec<Vec<InRow>>, Vec<usize>)> =
        by_lane.iter().map(|order| pack(marks, order, first, left, right, &mut width)).collect();
    // Rows a lane takes when cut back to `cap` rows of events (plus one of counted events).
    let taken = |packed: &[(Vec<Vec<InRow>>, Vec<usize>)], cap: usize| -> usize {
        packed.iter().map(|(rows, over)| rows.len().min(cap) + usize::from(!over.is_empty() || rows.len() > cap)).sum()
    };
    let budget = room.budget.max(2 * by_lane.len());
    // Lanes that found no room in those rows grow while the budget has rows to spare.
    if limit > first && taken(&packed, first) < budget {
        for (order, lane) in by_lane.iter().zip(packed.iter_mut()) {
            if !lane.1.is_empty() {
                *lane = pack(marks, order, limit, left, right, &mut width);
            }
        }
    }
    if taken(&packed, limit) > budget {
        let cap = (floor..limit).rev().find(|cap| taken(&packed, *cap) <= budget).unwrap_or(floor);
        for (order, lane) in by_lane.iter().zip(packed.iter_mut()) {
            if lane.0.len() > cap {
                *lane = pack(marks, order, cap, left, right, &mut width);
            }
        }
    }
    // During a gesture a lane keeps the rows it had and takes no more: a lane that grew would
    // move the box and everything below it on a frame of the pan (a layout of the page each
    // time), so what no longer fits is counted until the input rests.
    if !room.held.is_empty() {
        for (lane, (order, packed)) in by_lane.iter().zip(packed.iter_mut()).enumerate() {
            let held = room.held.get(lane).copied().unwrap_or(0).max(1);
            if packed.0.len() + usize::from(!packed.1.is_empty()) > held {
                *packed = pack(marks, order, (held - 1).max(1), left, right, &mut width);
            }
        }
    }
    let mut labels = Vec::new();
    let mut counted: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut rows_of = Vec::with_capacity(by_lane.len());
    for (lane, (rows, over)) in packed.into_iter().enumerate() {
        // Label rooms: up to the next mark of the row, the right edge, the end of the bar.
        for (row, items) in rows.iter().enumerate() {
            for (k, &InRow { mark: i, label, width: w, .. }) in items.iter().enumerate() {
                marks[i].row = row;
                let m = &marks[i];
                let spot = match label {
                    Placed::Left(x, room) => LabelSpot { mark: i, x, room, inside: false },
                    Placed::From(x, inside) => {
                        let next = items.get(k + 1).map_or(f64::INFINITY, |n| n.begins) - LABEL_GAP;
                        let limit = if inside { m.extent().1.min(right) - INSIDE_PAD } else { next.min(right) };
                        LabelSpot { mark: i, x, room: (limit - x).min(w), inside }
                    }
                };
                if spot.room >= MIN_LABEL.min(w) && spot.room > 0.0 {
                    labels.push(spot);
                }
            }
        }
        let held = room.held.get(lane).copied().unwrap_or(0);
        rows_of.push((rows.len() + usize::from(!over.is_empty())).max(held));
        if !over.is_empty() {
            counted.push((lane, over));
        }
    }
    let lane_rows = LaneRows::new(rows_of, room.names);
    for m in marks.iter_mut() {
        m.y = lane_rows.row_y(m.lane, m.row);
    }
    // The counted of a lane share its last row, in groups of those whose badges would touch.
    // A group of one is drawn as itself, with its label where the row leaves room ("+1" would
    // take the same room and say less); a larger group is a badge, and its events leave the marks.
    let mut more = Vec::new();
    let mut gone = vec![false; marks.len()];
    for (lane, over) in &counted {
        let row = lane_rows.rows[*lane] - 1;
        let y = lane_rows.row_y(*lane, row);
        let mut groups: Vec<(More, usize)> = Vec::new();
        for (at_over, &i) in over.iter().enumerate() {
            let m = &marks[i];
            let (s, e) = m.extent();
            let days = m.days;
            match groups.last_mut() {
                Some((c, _)) if s <= c.x2.max(c.extent().1) + MARK_GAP => {
                    c.x2 = c.x2.max(e);
                    c.count += 1;
                    c.days = (c.days.0.min(days.0), c.days.1.max(days.1));
                }
                _ => {
                    let at = s.min(right - MORE_WIDTH).max(left);
                    groups.push((More { lane: *lane, x1: s, x2: e, y, at, count: 1, days }, at_over));
                }
            }
        }
        // (Each group: its badge, and where its events begin in `over`.)
        for (k, (c, first)) in groups.iter().enumerate() {
            if c.count > 1 {
                for &o in &over[*first..*first + c.count as usize] {
                    gone[o] = true;
                }
                more.push(c.clone());
                continue;
            }
            let i = over[*first];
            let m = &mut marks[i];
            (m.row, m.y) = (row, y);
            let x = m.extent().1 + if m.disputed { DISPUTE_WIDTH } else { 0.0 } + LABEL_GAP;
            let next = groups.get(k + 1).map_or(right, |(n, _)| n.x1.min(n.at) - LABEL_GAP).min(right);
            let w = width(m);
            let room = (next - x).min(w);
            if room >= MIN_LABEL.min(w) && room > 0.0 {
                labels.push(LabelSpot { mark: i, x, room, inside: false });
            }
        }
    }
    if gone.contains(&true) {
        // The counted leave the marks (they are not drawn, nor hit); labels follow the rest.
        let mut new_index = Vec::with_capacity(marks.len());
        let mut kept = 0;
        for c in &gone {
            new_index.push(kept);
            kept += usize::from(!c);
        }
        let mut i = 0;
        marks.retain(|_| {
            i += 1;
            !gone[i - 1]
        });
        for l in &mut labels {
            l.mark = new_index[l.mark];
        }
    }
    Stack { lanes: lane_rows, labels, more }
}

/// Packs one lane's marks (`order`: their indices, by where they begin) into at most `cap`
/// rows: the rows with their marks in order, and the marks that found no row.
fn pack(
    marks: &[Mark],
    order: &[usize],
    cap: usize,
    left: f64,
    right: f64,
    width: &mut dyn FnMut(&Mark) -> f64,
) -> (Vec<Vec<InRow>>, Vec<usize>) {
    // Precise marks first, then pale spans: a month's or a year's span is drawn across a
    // day's events, and must not push them out of the rows.
    let (precise, vague): (Vec<usize>, Vec<usize>) = order.iter().partition(|i| marks[**i].shape != Shape::Uncertain);
    // Per row: where it is taken up to (of the precise marks, placed in order), and its marks.
    let mut ends: Vec<f64> = Vec::new();
    let mut rows: Vec<Vec<InRow>> = Vec::new();
    let mut over = Vec::new();
    for &i in &precise {
        let free = |from: f64, _: f64| (0..cap).find(|r| ends.get(*r).is_none_or(|end| *end + MARK_GAP <= from));
        let Some((row, item)) = place(&marks[i], i, left, right, width, &free) else {
            over.push(i);
            continue;
        };
        if row == ends.len() {
            ends.push(item.ends);
            rows.push(Vec::new());
        } else {
            ends[row] = item.ends;
        }
        rows[row].push(item);
    }
    // Pale spans go where a row is free over their whole extent.
    for &i in &vague {
        let free = |from: f64, to: f64| {
            (0..cap).find(|r| {
                rows.get(*r)
                    .is_none_or(|items| items.iter().all(|it| it.ends + MARK_GAP <= from || to + MARK_GAP <= it.begins))
            })
        };
        // (Rows and the counted stay in order of where they begin: inserted in place, not
        // sorted, which would cost the bundle a sort of its own.)
        let start = marks[i].extent().0;
        let Some((row, item)) = place(&marks[i], i, left, right, width, &free) else {
            over.insert(over.partition_point(|o| marks[*o].extent().0 <= start), i);
            continue;
        };
        if row == rows.len() {
            rows.push(Vec::new());
        }
        let items = &mut rows[row];
        items.insert(items.partition_point(|it| it.begins <= item.begins), item);
    }
    (rows, over)
}

/// The counted cluster at a point.
pub fn hit_more(more: &[More], x: f64, y: f64) -> Option<&More> {
    more.iter().find(|c| (y - c.y).abs() <= ROW_HEIGHT / 2.0 && x >= c.x1.min(c.at) && x <= c.x2.max(c.extent().1))
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
                x1: scale.x(b.start as f64),
                x2: scale.x((b.end + 1) as f64),
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
        let d = |s: &str| s.parse::<PartialDate>().expect("date").first_day() as f64;
        Scale { from: d(from), to: d(to), left: LABEL_WIDTH, width }
    }

    /// A label's width in the axis font, as the tests take it (12 px system-ui: about 6 px a
    /// character).
    fn estimate(label: &str) -> f64 {
        label.chars().count() as f64 * 6.0
    }

    #[test]
    fn ticks_adapt_from_decades_to_days() {
        let labels = |s: &Scale| ticks(s, estimate).into_iter().map(|t| t.label).collect::<Vec<_>>();
        assert_eq!(labels(&scale("1990-01-01", "2030-01-01", 300.0)), ["1990", "2000", "2010", "2020", "2030"]);
        assert_eq!(labels(&scale("1990-01-01", "2000-01-01", 600.0)).len(), 6, "two-year steps");
        assert_eq!(labels(&scale("2024-01-01", "2025-01-01", 900.0))[..4], ["2024", "Feb", "Mar", "Apr"]);
        let days = labels(&scale("2024-05-14", "2024-05-20", 900.0));
        assert!(days.contains(&"16 May".to_owned()), "{days:?}");
    }

    /// From the Big Bang to today on a laptop and on a phone: ticks read as years before now,
    /// none closer to the next than its label is long, and zoomed in they stay years (deep
    /// time has no months) down to a single year, then to the calendar's own labels.
    #[test]
    fn deep_time_ticks_read_as_years_ago_and_never_crowd() {
        let labels = |s: &Scale| ticks(s, estimate).into_iter().map(|t| t.label).collect::<Vec<_>>();
        let spaced = |s: &Scale| {
            let t = ticks(s, estimate);
            for pair in t.windows(2) {
                let room = s.x(pair[1].day as f64) - s.x(pair[0].day as f64);
                let needs = estimate(&pair[0].label) + 12.0;
                assert!(room >= needs, "{} and {} are {room:.0} px apart", pair[0].label, pair[1].label);
            }
            t.len()
        };
        let wide = scale("-14400000000", "2024", 1152.0);
        assert_eq!(
            labels(&wide),
            [
                "14 billion years ago",
                "12 billion years ago",
                "10 billion years ago",
                "8 billion years ago",
                "6 billion years ago",
                "4 billion years ago",
                "2 billion years ago",
                "0"
            ]
        );
        assert_eq!(spaced(&wide), 8);
        let phone = scale("-14400000000", "2024", 232.0);
        assert_eq!(labels(&phone), ["10 billion years ago", "0"]);
        spaced(&phone);
        // The whole cosmology template as the app opens it (padded into the future) on a phone:
        // the window's odd end does not make the ticks' labels look longer than they are.
        let padded = scale("-14352000000", "+552000000", 230.0);
        assert_eq!(labels(&padded), ["10 billion years ago", "0"]);
        let humans = scale("-330000", "-290000", 900.0);
        assert_eq!(labels(&humans)[..2], ["330,000 years ago", "320,000 years ago"]);
        spaced(&humans);
        // Where deep time meets the calendar: "10,000 years ago", then the calendar's years.
        let neolithic = scale("-12000", "-6000", 900.0);
        assert_eq!(
            labels(&neolithic),
            ["12,000 years ago", "11,000 years ago", "10,000 years ago", "9000 BC", "8000 BC", "7000 BC", "6000 BC"]
        );
        spaced(&neolithic);
        // Zoomed in to a few years of deep time: every year, no months.
        let close = scale("-13800000003", "-13799999999", 900.0);
        assert_eq!(labels(&close)[0], "13.800000003 billion years ago", "every year exact");
        assert!(labels(&close).iter().all(|l| l.ends_with("years ago")), "{:?}", labels(&close));
    }

    /// Marks of the default record in a window, one lane per kind, stacked when every title
    /// is `width(title)` pixels wide.
    fn stacked(from: &str, to: &str, screen: f64, width: impl Fn(&str) -> f64) -> (Vec<Mark>, Stack, Scale) {
        let record =
            crate::record::from_bytes(include_bytes!("../../data/azerbaijan-belarus.json"), "x").expect("record");
        let s = scale(from, to, screen);
        let projections = record.projections();
        let timeline = &projections.timeline;
        let mut marks = marks(timeline.window(s.from as i64, s.to as i64).map(|r| (r, vec![r.kind.index()])), &s);
        let stack = stack(&mut marks, EventKind::COUNT, s.left, s.left + s.width, |m| width(m.title()));
        (marks, stack, s)
    }

    /// About the width of 12 px system-ui text.
    fn text_width(title: &str) -> f64 {
        title.chars().count() as f64 * 6.5
    }

    /// Where a mark ends on x with its dispute's "?".
    fn reach(m: &Mark) -> f64 {
        m.extent().1 + if m.disputed { DISPUTE_WIDTH } else { 0.0 }
    }

    /// What each drawn thing takes on x in its (lane, row): marks (with a dispute's "?"), labels
    /// and the badges of counted events (in their lane's last row).
    fn taken(marks: &[Mark], stack: &Stack) -> Vec<((usize, usize), f64, f64, String)> {
        let mut out: Vec<_> =
            marks.iter().map(|m| ((m.lane, m.row), m.extent().0, reach(m), format!("mark {}", m.id()))).collect();
        for c in &stack.more {
            let (a, b) = c.extent();
            out.push(((c.lane, stack.lanes.rows()[c.lane] - 1), a, b, format!("{} at {a}", c.label())));
        }
        for l in stack.labels.iter().filter(|l| !l.inside) {
            let m = &marks[l.mark];
            out.push(((m.lane, m.row), l.x, l.x + l.room, format!("label {}", m.id())));
        }
        out
    }

    fn assert_nothing_overlaps(marks: &[Mark], stack: &Stack, s: &Scale, width: &dyn Fn(&str) -> f64, what: &str) {
        let taken = taken(marks, stack);
        for (i, a) in taken.iter().enumerate() {
            for b in &taken[i + 1..] {
                if a.0 == b.0 && a.3 != b.3 {
                    // A mark and its own label never meet (the label is beside it).
                    assert!(a.2 <= b.1 || b.2 <= a.1, "{what}: {} and {} overlap in {:?}", a.3, b.3, a.0);
                }
            }
        }
        for m in marks {
            let (top, height) = (stack.lanes.top(m.lane), stack.lanes.height(m.lane));
            assert!(m.y > top && m.y < top + height, "{what}: {} (row {}) is outside its lane", m.id(), m.row);
        }
        for l in &stack.labels {
            assert!(l.x >= s.left - 1e-9 && l.x + l.room <= s.left + s.width + 1e-9, "{what}: {l:?} is cut off");
            assert!(l.room >= MIN_LABEL.min(width(marks[l.mark].title())) - 1e-9, "{what}: {l:?} too short");
        }
    }

    #[test]
    fn one_day_of_the_state_visit_is_stacked_and_labelled() {
        // 16–17 May 2024 at one-day zoom (issue 12): one statement hid the other, the trip to
        // Fuzuli and Shusha was under the state visit's bar, the bar had no label, and labels
        // were cut with hundreds of pixels free.
        let (marks, stack, s) = stacked("2024-05-16", "2024-05-18", 1100.0, text_width);
        assert_nothing_overlaps(&marks, &stack, &s, &text_width, "16–17 May");
        let mark = |id: &str| marks.iter().find(|m| m.id() == id).unwrap_or_else(|| panic!("{id} is drawn"));
        let label = |id: &str| stack.labels.iter().find(|l| marks[l.mark].id() == id);
        let (a, b) = (mark("2024-05-16-karabakh-invitation"), mark("2024-05-16-commission-and-cop29-announcement"));
        assert_eq!(a.lane, b.lane);
        assert_ne!(a.y, b.y, "the two statements of 16 May are in rows of their own");
        let (visit, trip) = (mark("2024-05-16-state-visit"), mark("2024-05-17-fuzuli-shusha"));
        assert_ne!(visit.y, trip.y, "the trip of 17 May is not under the state visit's bar");
        assert!(stack.more.is_empty(), "{:?}", stack.more);
        for m in &marks {
            let l = label(m.id()).unwrap_or_else(|| panic!("{} has a label", m.id()));
            assert_eq!(l.room, text_width(m.title()), "{}'s label is whole: {l:?}", m.id());
        }
        assert!(label("2024-05-16-state-visit").is_some_and(|l| l.inside), "the bar carries its label");
        assert!(stack.lanes.bottom() > AXIS_HEIGHT + LANE_HEIGHT * EventKind::COUNT as f64, "the lanes grew");
    }

    #[test]
    fn labels_stay_inside_and_off_other_marks_and_labels() {
        for (from, to) in [("2024-01-01", "2025-01-01"), ("2024-05-01", "2024-06-01"), ("1995-01-01", "2026-01-01")] {
            for width in [30.0, 90.0, 400.0] {
                for screen in [900.0, 250.0] {
                    let (marks, stack, s) = stacked(from, to, screen, |_| width);
                    let what = format!("{from}..{to}, labels {width} px on {screen} px");
                    assert_nothing_overlaps(&marks, &stack, &s, &|_| width, &what);
                    // (Row `MAX_ROWS` is the counted events' row, where one alone is drawn itself.)
                    for m in &marks {
                        assert!(m.row <= MAX_ROWS, "{}: row {}", m.id(), m.row);
                    }
                }
            }
        }
    }

    #[test]
    fn a_lone_counted_event_is_drawn_itself_not_as_plus_one() {
        // The default record at all time on a wide screen: Signing's sixth event found no row of
        // the five and was a "+1" badge in the row below, where the mark itself fits.
        for screen in [1100.0, 900.0, 250.0] {
            let (marks, stack, s) = stacked("1992-02-23", "2027-02-14", screen, text_width);
            let what = format!("all time on {screen} px");
            assert_nothing_overlaps(&marks, &stack, &s, &text_width, &what);
            assert!(stack.more.iter().all(|c| c.count > 1), "{what}: {:?}", stack.more);
            let total = crate::record::from_bytes(include_bytes!("../../data/azerbaijan-belarus.json"), "x")
                .expect("record")
                .projections()
                .timeline
                .window(s.from as i64, s.to as i64)
                .count();
            let counted: u32 = stack.more.iter().map(|c| c.count).sum();
            assert_eq!(marks.len() + counted as usize, total, "{what}: every event drawn or counted once");
            if screen == 1100.0 {
                assert!(marks.iter().any(|m| m.row == MAX_ROWS), "{what}: a lone event is drawn in the counted row");
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
        let day = last.event.occurred.last_day() as f64;
        let s = Scale { from: day - 400.0, to: day + 3.0, left: LABEL_WIDTH, width: 900.0 };
        let mut marks = marks([(last, vec![0])], &s);
        let stack = stack(&mut marks, 1, s.left, s.left + s.width, |_| 120.0);
        assert_eq!(stack.labels.len(), 1, "{stack:?}");
        assert_eq!(stack.labels[0].room, 120.0, "whole, not shortened");
        assert!(stack.labels[0].x + 120.0 <= marks[0].extent().0, "left of the mark: {stack:?} {:?}", marks[0]);
    }

    /// `n` visits of three days, one starting every `every` days from 1 Jan 2000.
    fn visits(n: usize, every: i64) -> Vec<Arc<Resolved>> {
        let start = days_from_civil(2000, 1, 1);
        (0..n)
            .map(|i| {
                let first = PartialDate::from_day_number(start + i as i64 * every);
                let last = PartialDate::from_day_number(start + i as i64 * every + 2);
                let occurred = annals_core::Occurred::between(first, last).expect("range");
                Arc::new(Resolved {
                    id: format!("v{i}").as_str().into(),
                    position: i as u64 + 1,
                    recorded_at: annals_core::Timestamp(0),
                    kind: EventKind::Visit,
                    event: Arc::new(annals_core::DomainEvent::new(occurred, "A visit")),
                    corrections: Vec::new(),
                    disputes: Vec::new(),
                    retracted: None,
                })
            })
            .collect()
    }

    #[test]
    fn a_crowd_grows_its_lane_to_the_cap_then_is_counted() {
        // 495 visits a week apart over nine years: once one solid bar.
        let all = visits(495, 7);
        let s = scale("2000-01-01", "2009-06-30", 900.0);
        let mut marks = marks(all.iter().map(|r| (r, vec![0])), &s);
        let stack = stack(&mut marks, 1, s.left, s.left + s.width, |_| 60.0);
        assert_nothing_overlaps(&marks, &stack, &s, &|_| 60.0, "495 visits");
        let counted: u32 = stack.more.iter().map(|c| c.count).sum();
        assert_eq!(counted as usize + marks.len(), all.len(), "every visit is drawn or counted");
        let rows: std::collections::BTreeSet<usize> = marks.iter().map(|m| m.row).collect();
        assert_eq!(rows.len(), MAX_ROWS, "every row is used: {rows:?}");
        assert!(counted > 0, "{counted} of {} counted", all.len());
        assert!(stack.more.iter().all(|c| (c.y - stack.lanes.row_y(0, MAX_ROWS)).abs() < 1e-9), "in the row below");
        // Counted clusters do not overlap, and each covers the days of its events.
        for w in stack.more.windows(2) {
            assert!(w[0].x2.max(w[0].extent().1) < w[1].x1, "{:?} {:?}", w[0], w[1]);
            assert!(w[0].days.1 < w[1].days.0);
        }
        assert_eq!(stack.lanes.bottom(), AXIS_HEIGHT + 2.0 * LANE_PAD + ROW_HEIGHT * (MAX_ROWS + 1) as f64);
        // Zoomed in on one cluster, its events find rows (and nothing is counted).
        let c = &stack.more[0];
        let zoomed = Scale { from: c.days.0 as f64, to: (c.days.1 + 1) as f64, left: LABEL_WIDTH, width: 900.0 };
        let inside: Vec<&Arc<Resolved>> = all
            .iter()
            .filter(|r| r.event.occurred.first_day() >= c.days.0 && r.event.occurred.last_day() <= c.days.1)
            .collect();
        let mut marks = super::marks(inside.into_iter().map(|r| (r, vec![0])), &zoomed);
        let open = super::stack(&mut marks, 1, zoomed.left, zoomed.left + zoomed.width, |_| 60.0);
        assert!(open.more.is_empty(), "{:?}", open.more);
    }

    #[test]
    fn a_row_budget_cuts_the_busiest_lanes_back_evenly() {
        // Three lanes: two crowds (lanes 0 and 2) and a lane of three visits far apart.
        let crowd = visits(495, 7);
        let few = visits(3, 900);
        let s = scale("2000-01-01", "2009-06-30", 900.0);
        let events = crowd
            .iter()
            .map(|r| (r, vec![0]))
            .chain(few.iter().map(|r| (r, vec![1])))
            .chain(crowd.iter().map(|r| (r, vec![2])));
        let all = marks(events, &s);
        let total = all.len();
        // At their floor: both crowds take every row and a row of counted events.
        let mut marks = all.clone();
        let room = |budget, floor| Room { budget, floor, ..Room::default() };
        let free = stack_within(&mut marks, 3, s.left, s.left + s.width, room(0, MAX_ROWS), |_| 60.0);
        let rows = |st: &Stack| st.lanes.rows().to_vec();
        assert_eq!(rows(&free), vec![MAX_ROWS + 1, 1, MAX_ROWS + 1]);
        // Within ten rows: the quiet lane keeps its one, the crowds get three of events and
        // one of counted events each (3 + 1 + 1 + 3 + 1 = 9; four each would be 11).
        let mut marks = all.clone();
        let cut = stack_within(&mut marks, 3, s.left, s.left + s.width, room(10, 1), |_| 60.0);
        assert_eq!(rows(&cut), vec![4, 1, 4]);
        assert_nothing_overlaps(&marks, &cut, &s, &|_| 60.0, "within a budget");
        let counted: u32 = cut.more.iter().map(|c| c.count).sum();
        assert_eq!(counted as usize + marks.len(), total, "every mark is drawn or counted");
        assert_eq!(marks.iter().filter(|m| m.lane == 1).count(), 3, "the quiet lane is not cut");
        assert!(marks.iter().all(|m| m.row < 3), "no lane beyond its three rows");
        // A budget below two rows a lane is raised to it.
        let mut marks = all.clone();
        let least = stack_within(&mut marks, 3, s.left, s.left + s.width, room(1, 1), |_| 60.0);
        assert_eq!(rows(&least), vec![2, 1, 2]);
        // A floor is kept whatever the budget: with labels, a busy record keeps five rows a lane.
        let mut marks = all.clone();
        let floored = stack_within(&mut marks, 3, s.left, s.left + s.width, room(10, MAX_ROWS), |_| 60.0);
        assert_eq!(rows(&floored), vec![MAX_ROWS + 1, 1, MAX_ROWS + 1]);
        // A budget larger than the floor is shared out: the crowds grow past five rows.
        let mut marks = all;
        let roomy = stack_within(&mut marks, 3, s.left, s.left + s.width, room(31, MAX_ROWS), |_| 60.0);
        assert_eq!(rows(&roomy), vec![15, 1, 15]);
        assert_nothing_overlaps(&marks, &roomy, &s, &|_| 60.0, "within a roomy budget");
    }

    #[test]
    fn a_lane_takes_the_rows_it_needs_while_there_is_room() {
        // eras.json's case (issue 12): one lane of 23 slides, eight rows deep, read "+1 +2 +3"
        // below five rows with room for thirty on the screen. Here: 24 visits of three days, one
        // a day, so that eight overlap at once.
        let all = visits(24, 1);
        let s = scale("1999-12-25", "2000-02-05", 900.0);
        let room = |budget| Room { budget, floor: MAX_ROWS, ..Room::default() };
        let mut marks = marks(all.iter().map(|r| (r, vec![0])), &s);
        let roomy = stack_within(&mut marks, 1, s.left, s.left + s.width, room(30), |_| 60.0);
        assert!(roomy.more.is_empty(), "nothing counted with room to spare: {:?}", roomy.more);
        assert_eq!(marks.len(), all.len());
        assert!(roomy.lanes.rows()[0] > MAX_ROWS, "the lane grew past five rows: {:?}", roomy.lanes.rows());
        assert_nothing_overlaps(&marks, &roomy, &s, &|_| 60.0, "a roomy lane");
        // Without the room, five rows and the rest counted, as before.
        let mut marks = super::marks(all.iter().map(|r| (r, vec![0])), &s);
        let tight = stack_within(&mut marks, 1, s.left, s.left + s.width, room(3), |_| 60.0);
        assert_eq!(tight.lanes.rows(), [MAX_ROWS + 1]);
        assert!(!tight.more.is_empty());
    }

    #[test]
    fn a_lane_without_events_in_view_is_a_strip_and_lanes_hold_their_rows_during_a_gesture() {
        let all = visits(5, 1);
        let s = scale("2000-01-01", "2000-01-20", 700.0);
        let mut marks = marks(all.iter().map(|r| (r, vec![1])), &s);
        let names = [name_height(1), name_height(2), name_height(2)];
        let room = Room { budget: 30, floor: MAX_ROWS, held: &[], names: &names };
        let at_rest = stack_within(&mut marks, 3, s.left, s.left + s.width, room, |_| 2000.0);
        assert_eq!(at_rest.lanes.rows(), [0, 4, 0]);
        assert_eq!(at_rest.lanes.height(0), STRIP_HEIGHT, "an empty lane is a strip");
        assert_eq!(at_rest.lanes.height(2), LANE_HEIGHT, "as tall as its name's two lines");
        assert_eq!(at_rest.lanes.top(1), AXIS_HEIGHT + STRIP_HEIGHT);
        assert!(marks.iter().all(|m| m.y > at_rest.lanes.top(1) && m.y < at_rest.lanes.top(2)));
        // During a gesture a lane keeps the rows it had: nothing below it moves.
        let mut marks = super::marks(all[..1].iter().map(|r| (r, vec![1])), &s);
        let held = [1, 4, 0];
        let moving = stack_within(&mut marks, 3, s.left, s.left + s.width, Room { held: &held, ..room }, |_| 2000.0);
        assert_eq!(moving.lanes.rows(), [1, 4, 0]);
        assert_eq!(moving.lanes.top(2), AXIS_HEIGHT + LANE_HEIGHT + 2.0 * LANE_PAD + 4.0 * ROW_HEIGHT);
        // A name of four lines makes its lane taller than one row.
        let mut marks = super::marks(all[..1].iter().map(|r| (r, vec![0])), &s);
        let tall = [name_height(4)];
        let long = stack_within(&mut marks, 1, s.left, s.left + s.width, Room { names: &tall, ..room }, |_| 10.0);
        assert_eq!(long.lanes.height(0), 4.0 * LINE_HEIGHT + STRIP_HEIGHT - LINE_HEIGHT);
        assert!(long.lanes.height(0) > LANE_HEIGHT);
    }

    /// During a gesture a lane takes no more rows than it had, even with room on the screen:
    /// what no longer fits is counted until the input rests (a lane that grew would move the
    /// box and everything below it on a frame of the pan).
    #[test]
    fn during_a_gesture_a_lane_takes_no_more_rows_than_it_had() {
        let all = visits(24, 1);
        let s = scale("1999-12-25", "2000-02-05", 900.0);
        let names = [name_height(1), name_height(1)];
        let held = [2, 0];
        let room = Room { budget: 30, floor: MAX_ROWS, held: &held, names: &names };
        let mut marks = marks(all.iter().map(|r| (r, vec![0])), &s);
        let moving = stack_within(&mut marks, 2, s.left, s.left + s.width, room, |_| 60.0);
        assert_eq!(moving.lanes.rows()[0], 2, "one row of events and one of counted events");
        assert!(!moving.more.is_empty(), "the rest is counted");
        assert!(marks.iter().all(|m| m.row == 0));
        // At rest the same window takes the rows it needs.
        let mut marks = super::marks(all.iter().map(|r| (r, vec![0])), &s);
        let at_rest = stack_within(&mut marks, 2, s.left, s.left + s.width, Room { held: &[], ..room }, |_| 60.0);
        assert!(at_rest.lanes.rows()[0] > MAX_ROWS);
    }

    #[test]
    fn a_lane_name_takes_two_lines_when_one_is_too_short() {
        let width = &mut |t: &str| t.chars().count() as f64 * 7.0;
        let mut check = |name: &str, room: f64, first: &str, rest: Option<&str>| {
            let (line, more) = lane_lines(name, room, width);
            assert_eq!((line.as_str(), more), (first, rest), "{name} in {room} px");
        };
        check("Visit", 70.0, "Visit", None);
        check("Commission meeting", 76.0, "Commission", Some("meeting"));
        check("Alexander Lukashenko", 76.0, "Alexander", Some("Lukashenko"));
        // A word longer than the line is broken with a hyphen.
        check("Intergovernmental", 70.0, "Intergove-", Some("rnmental"));
        check("Azerbaijan-Belarus", 90.0, "Azerbaijan-", Some("Belarus"));
        check("Azerbaijan–Belarus talks", 90.0, "Azerbaijan–", Some("Belarus talks"));
        // The rest may still be too long: the caller goes on with it.
        check("A B C D E F G H", 21.0, "A B", Some("C D E F G H"));
    }

    #[test]
    fn pale_spans_do_not_push_the_days_out_of_the_rows() {
        // Ten events known only to the month, and three visits in it: at a month's zoom the
        // spans cover the view, and it was the visits that were counted.
        let mut all = visits(3, 9);
        for i in 0..10 {
            let month = PartialDate::month(2000, 1).expect("month");
            let mut r = (*all[0]).clone();
            r.id = format!("m{i}").as_str().into();
            r.event = Arc::new(annals_core::DomainEvent::new(annals_core::Occurred::on(month), "In January"));
            all.push(Arc::new(r));
        }
        let s = scale("2000-01-01", "2000-02-01", 900.0);
        let mut marks = marks(all.iter().map(|r| (r, vec![0])), &s);
        let stack = stack(&mut marks, 1, s.left, s.left + s.width, |_| 60.0);
        for id in ["v0", "v1", "v2"] {
            assert!(marks.iter().any(|m| m.id() == id), "{id} has a row: {:?}", stack.more);
        }
        let counted: u32 = stack.more.iter().map(|c| c.count).sum();
        assert_eq!(counted as usize + marks.len(), all.len());
        assert!(counted > 0, "the spans beyond the rows are counted");
        assert_nothing_overlaps(&marks, &stack, &s, &|_| 60.0, "spans and visits");
    }

    #[test]
    fn a_mark_goes_into_the_first_row_with_room() {
        // Visits of three days, one a day: four overlap, the fifth begins after the first ends.
        let all = visits(5, 1);
        let s = scale("2000-01-01", "2000-01-20", 700.0);
        let mut marks = marks(all.iter().map(|r| (r, vec![0])), &s);
        // Titles too wide to sit beside or inside their bars: each mark takes only itself.
        let stack = stack(&mut marks, 1, s.left, s.left + s.width, |_| 2000.0);
        let rows: Vec<usize> = marks.iter().map(|m| m.row).collect();
        assert_eq!(rows, [0, 1, 2, 3, 0], "{marks:?}");
        assert!(hit(&marks, marks[1].x1 + 2.0, marks[1].y).is_some_and(|m| m.id() == "v1"));
        assert!(hit(&marks, marks[1].x1 + 2.0, marks[0].y).is_some_and(|m| m.id() == "v0"), "rows apart");
        assert!(hit(&marks, marks[2].x1 + 2.0, marks[2].y).is_some_and(|m| m.id() == "v2"));
        assert_eq!(stack.lanes.height(0), 2.0 * LANE_PAD + 4.0 * ROW_HEIGHT);
    }

    #[test]
    fn scale_round_trips() {
        let s = scale("2000-01-01", "2010-01-01", 500.0);
        let day = 11_000.5;
        assert!((s.day(s.x(day)) - day).abs() < 1e-6);
    }
}
