//! Where the relation map puts things, in pixels: the drawing fitted to the canvas and each
//! label in a free spot beside its node. (The node an arrow key moves to is [`crate::keys`].)
//!
//! Pure and natively tested: the canvas only measures text and draws what is decided here.
//! *Why placement and not "label to the right":* a big node drawn after a small neighbour
//! covered the neighbour's label (Belarus under Azerbaijan), and labels of nodes close together
//! ran into each other. A label is now tried at the right, left, above and below its node and
//! takes the first spot that overlaps no node and no label already placed; failing that, a spot
//! a little further out, tied to its node by a leader line that crosses no label (and that no
//! label placed later may cover: on a phone a leader ran through a neighbour's name); failing
//! that, it is left out (the
//! node is still announced when focused, and the list names every actor's events). The labels a
//! reader asked for (the focused or pointed-at node's) must be placed: they look further out,
//! as far as the canvas reaches, before they give up a node's room.
//!
//! *Why nodes are shrunk and parted here:* a dense record (forty countries, each linked to
//! nearly every other) drawn on a phone put its full-sized nodes rim to rim or over one another.
//! A crowded drawing keeps every node's size relative to the others but shrinks them all
//! ([`crowding`]: nodes cover no more than a share of the drawing, the rest is the names'),
//! and the few that still overlap are pushed apart ([`separate`]) — not the whole layout
//! moved, so the drawing stays core's.

/// A rectangle in canvas pixels (`x`, `y` its top-left corner).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// Whether the two share more than a touching edge.
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }

    /// Whether `o` lies wholly inside.
    pub fn contains(&self, o: &Rect) -> bool {
        o.x >= self.x && o.y >= self.y && o.x + o.w <= self.x + self.w && o.y + o.h <= self.y + self.h
    }

    /// Whether the disc overlaps the rectangle.
    pub fn meets(&self, d: &Disc) -> bool {
        let nx = d.x.clamp(self.x, self.x + self.w);
        let ny = d.y.clamp(self.y, self.y + self.h);
        (d.x - nx).powi(2) + (d.y - ny).powi(2) < d.r * d.r
    }

    /// Whether the segment passes through the rectangle (more than touching it): the part of
    /// the segment inside each pair of edges, narrowed axis by axis (Liang–Barsky), is not
    /// empty.
    pub fn crossed_by(&self, ((x1, y1), (x2, y2)): Segment) -> bool {
        let (dx, dy) = (x2 - x1, y2 - y1);
        let (mut enter, mut leave) = (0.0f64, 1.0f64);
        for (p, q) in [(-dx, x1 - self.x), (dx, self.x + self.w - x1), (-dy, y1 - self.y), (dy, self.y + self.h - y1)] {
            if p == 0.0 {
                // Parallel to these edges: outside them, or along them.
                if q <= 0.0 {
                    return false;
                }
            } else if p < 0.0 {
                enter = enter.max(q / p);
            } else {
                leave = leave.min(q / p);
            }
        }
        enter < leave
    }

    fn grown(&self, by: f64) -> Rect {
        Rect { x: self.x - by, y: self.y - by, w: self.w + 2.0 * by, h: self.h + 2.0 * by }
    }
}

/// A node as drawn: centre and radius in canvas pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Disc {
    /// Centre, x.
    pub x: f64,
    /// Centre, y.
    pub y: f64,
    /// Radius.
    pub r: f64,
}

/// Where a label went: its box (text drawn left-aligned, vertically centred in it) and, when
/// it sits away from its node, the leader line from the node's rim to the box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spot {
    /// The label's box.
    pub rect: Rect,
    /// From the node's rim to the box, when the label is not beside its node.
    pub leader: Option<((f64, f64), (f64, f64))>,
}

/// Gap between a node's rim and its label.
const GAP: f64 = 3.0;
/// Room kept free around a label, so two labels never touch.
const PAD: f64 = 1.5;

/// Places labels of `size` (width, height) for the nodes `wanted` names (indices into `discs`,
/// most important first) inside `bounds`. Every node is an obstacle, labelled or not; each
/// label placed becomes one. Returns one answer per entry of `wanted`, `None` where no free
/// spot was found.
///
/// The first `must` entries are labels a reader asked for (the focused node's): they are tried
/// out to the canvas' edges, and where even that finds nothing free of nodes, they go in the
/// first spot in `bounds` that covers no other label (over nodes, as a tooltip would).
pub fn place_labels(discs: &[Disc], wanted: &[(usize, (f64, f64))], must: usize, bounds: Rect) -> Vec<Option<Spot>> {
    let mut placed: Vec<Rect> = Vec::with_capacity(wanted.len());
    let mut leaders: Vec<Segment> = Vec::new();
    wanted
        .iter()
        .enumerate()
        .map(|(k, &(i, (w, h)))| {
            let d = discs.get(i)?;
            // A leader line crosses no label, and no label goes over a leader line: either
            // would read as a line through the text.
            let clear = |s: &Spot| {
                let r = &s.rect;
                bounds.contains(r)
                    && !placed.iter().any(|p| p.grown(PAD).overlaps(r))
                    && !leaders.iter().any(|l| r.grown(PAD).crossed_by(*l))
                    && s.leader.is_none_or(|l| !placed.iter().any(|p| p.grown(PAD).crossed_by(l)))
            };
            let free = |s: &Spot| clear(s) && !discs.iter().any(|o| s.rect.meets(&Disc { r: o.r + PAD, ..*o }));
            let asked = k < must;
            // Asked for: rings out to the farthest corner of the canvas, then along its edges.
            let rings = if asked { (bounds.w.hypot(bounds.h) / (h + 4.0)).ceil().max(1.0) as u32 } else { RINGS };
            let mut spots: Vec<Spot> = candidates(d, w, h, rings).collect();
            if asked {
                along_edges(*d, w, h, bounds, &mut spots);
            }
            let spot = spots.iter().find(|s| free(s)).or_else(|| spots.iter().find(|s| asked && clear(s))).copied()?;
            placed.push(spot.rect);
            leaders.extend(spot.leader);
            Some(spot)
        })
        .collect()
}

/// How many rings of spots further out a label is tried in (see [`candidates`]).
const RINGS: u32 = 6;

/// A straight line from one point to another.
type Segment = ((f64, f64), (f64, f64));

/// Spots to try for a `w`×`h` label of disc `d`, in order: beside it (right, left, above,
/// below), then further out in eight directions with a leader line, in `rings` rings (a busy
/// node is ringed by its neighbours; its label may have to reach past them).
fn candidates(d: &Disc, w: f64, h: f64, rings: u32) -> impl Iterator<Item = Spot> + '_ {
    let near = d.r + GAP;
    let beside = [
        (d.x + near, d.y - h / 2.0),
        (d.x - near - w, d.y - h / 2.0),
        (d.x - w / 2.0, d.y - near - h),
        (d.x - w / 2.0, d.y + near),
    ]
    .into_iter()
    .map(move |(x, y)| Spot { rect: Rect { x, y, w, h }, leader: None });
    // Eight directions (cos, sin), the sideways ones first: labels read sideways.
    const D: f64 = std::f64::consts::FRAC_1_SQRT_2;
    const DIRS: [(f64, f64); 8] =
        [(1.0, 0.0), (-1.0, 0.0), (D, -D), (-D, -D), (D, D), (-D, D), (0.0, -1.0), (0.0, 1.0)];
    let away = (1..=rings).flat_map(move |ring| {
        DIRS.iter().map(move |&(c, s)| {
            let reach = near + f64::from(ring) * (h + 4.0);
            let (ax, ay) = (d.x + c * reach, d.y + s * reach);
            // The box hangs off the anchor on the side facing away from the node.
            let x = if c > 0.3 {
                ax
            } else if c < -0.3 {
                ax - w
            } else {
                ax - w / 2.0
            };
            let y = if s > 0.3 {
                ay
            } else if s < -0.3 {
                ay - h
            } else {
                ay - h / 2.0
            };
            Spot { rect: Rect { x, y, w, h }, leader: Some(((d.x + c * d.r, d.y + s * d.r), (ax, ay))) }
        })
    });
    beside.chain(away)
}

/// Room kept between two nodes' rims.
pub const NODE_GAP: f64 = 2.0;
/// The least share of their full radius a crowded drawing shrinks nodes to (a phone's ten
/// pixels across for the busiest is still a node one can see and touch); what is still too
/// close then is parted by [`separate`], or read by zooming in.
pub const LEAST_SHARE: f64 = 0.4;

/// Calls `f(i, j)` for each pair `i < j` of discs whose centres are less than `reach` apart,
/// found by a sweep along x (a record may have thousands of actors; no hash map, whose code
/// the module would carry once more for this key).
fn near_pairs(discs: &[Disc], reach: f64, f: &mut dyn FnMut(usize, usize)) {
    let mut order: Vec<usize> = (0..discs.len()).collect();
    sort_indices(&mut order, &|a, b| discs[a].x.total_cmp(&discs[b].x));
    for (k, &i) in order.iter().enumerate() {
        for &j in &order[k + 1..] {
            let (a, b) = (&discs[i], &discs[j]);
            if b.x - a.x >= reach {
                break;
            }
            if (a.x - b.x).hypot(a.y - b.y) < reach {
                f(i.min(j), i.max(j));
            }
        }
    }
}

/// How much of the drawing's area the nodes may cover before they are shrunk.
pub const NODE_COVER: f64 = 0.08;

/// The share of their radii (at most 1, at least [`LEAST_SHARE`]) at which the discs cover no
/// more than [`NODE_COVER`] of `area` (the drawing's, in square pixels): the sizes stay
/// relative to one another, and a crowded drawing — forty busy countries on a phone — has
/// smaller nodes and so room for their names. A few close nodes among many do not shrink the
/// others (that is [`separate`]'s part); a sparse record is drawn as ever.
pub fn crowding(discs: &[Disc], area: f64) -> f64 {
    let covered: f64 = discs.iter().map(|d| std::f64::consts::PI * d.r * d.r).sum();
    if covered <= 0.0 {
        return 1.0;
    }
    (NODE_COVER * area.max(0.0) / covered).sqrt().clamp(LEAST_SHARE, 1.0)
}

/// Pushes apart the discs that overlap (closer than their radii and [`NODE_GAP`]): each of a
/// pair moves half the overlap away from the other, in rounds until none overlap (at most 40,
/// fewer for thousands of nodes: a drag redraws the map every frame, and a heap that thick is
/// read by zooming in anyway). Two at one spot part across or down (by their indices), so the
/// answer is the same on every run.
pub fn separate(discs: &mut [Disc]) {
    let widest = discs.iter().map(|d| d.r).fold(0.0, f64::max);
    let reach = 2.0 * widest + NODE_GAP;
    for _ in 0..(40_000 / discs.len().max(1)).clamp(4, 40) {
        let mut push = vec![(0.0f64, 0.0f64); discs.len()];
        let mut moved = false;
        near_pairs(discs, reach, &mut |i, j| {
            let (a, b) = (&discs[i], &discs[j]);
            let (dx, dy) = (b.x - a.x, b.y - a.y);
            let apart = dx.hypot(dy);
            let want = a.r + b.r + NODE_GAP;
            if apart >= want - 1e-9 {
                return;
            }
            // The direction from a to b; across or down (by the pair) when they coincide.
            let (ux, uy) = if apart > 1e-9 {
                (dx / apart, dy / apart)
            } else if (i + j) % 2 == 0 {
                (1.0, 0.0)
            } else {
                (0.0, 1.0)
            };
            let half = (want - apart) / 2.0 + 0.01;
            push[i].0 -= ux * half;
            push[i].1 -= uy * half;
            push[j].0 += ux * half;
            push[j].1 += uy * half;
            moved = true;
        });
        if !moved {
            return;
        }
        for (d, (px, py)) in discs.iter_mut().zip(push) {
            d.x += px;
            d.y += py;
        }
    }
}

/// Spots along the edges of `b` for a `w`×`h` label of disc `d` (added to `out`), nearest the node first, each
/// on a leader line from the node's rim to the nearest point of the box: the last resort of a
/// label a reader asked for in a crowded drawing, whose free room is often only the strip the
/// drawing leaves along the canvas' edges (which the rings step over).
fn along_edges(d: Disc, w: f64, h: f64, b: Rect, out: &mut Vec<Spot>) {
    let steps = |room: f64, step: f64| (0..=(room.max(0.0) / step) as u32).map(move |k| f64::from(k) * step);
    let mut rects: Vec<Rect> = Vec::new();
    for x in steps(b.w - w, (w / 4.0).max(1.0)) {
        rects.push(Rect { x: b.x + x, y: b.y, w, h });
        rects.push(Rect { x: b.x + x, y: b.y + b.h - h, w, h });
    }
    for y in steps(b.h - h, (h / 2.0).max(1.0)) {
        rects.push(Rect { x: b.x, y: b.y + y, w, h });
        rects.push(Rect { x: b.x + b.w - w, y: b.y + y, w, h });
    }
    let near = |r: &Rect| (d.x.clamp(r.x, r.x + r.w), d.y.clamp(r.y, r.y + r.h));
    let far = |r: &Rect| {
        let (x, y) = near(r);
        (x - d.x).hypot(y - d.y)
    };
    let mut order: Vec<usize> = (0..rects.len()).collect();
    sort_indices(&mut order, &|a, b| far(&rects[a]).total_cmp(&far(&rects[b])));
    for k in order {
        let rect = rects[k];
        let to = near(&rect);
        let apart = (to.0 - d.x).hypot(to.1 - d.y).max(1e-9);
        let from = (d.x + (to.0 - d.x) / apart * d.r, d.y + (to.1 - d.y) / apart * d.r);
        out.push(Spot { rect, leader: Some((from, to)) });
    }
}

/// How positions from the layout (x in −aspect..=aspect, y in −1..=1) map to the canvas: a
/// scale per axis (within [`STRETCH`] of each other, so the drawing keeps its proportions
/// near enough) and an offset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Pixels per layout unit along x and along y.
    pub scale: (f64, f64),
    /// Canvas x of layout x = 0.
    pub cx: f64,
    /// Canvas y of layout y = 0.
    pub cy: f64,
}

impl Fit {
    /// Canvas pixels of a layout position.
    pub fn at(&self, p: (f64, f64)) -> (f64, f64) {
        (self.cx + p.0 * self.scale.0, self.cy + p.1 * self.scale.1)
    }
}

/// How much more one axis may be scaled than the other when the drawing's proportions and the
/// canvas' differ: the drawing fills a little more of the box, distances stay near true.
pub const STRETCH: f64 = 1.25;

/// Fits the bounding box of `points` into a `width`×`height` canvas less `margin` (x, y) on
/// each side, centred: the largest scale that fits both axes, and on the axis with room to
/// spare up to [`STRETCH`] times that.
pub fn fit(points: &[(f64, f64)], width: f64, height: f64, margin: (f64, f64)) -> Fit {
    let (mut lo, mut hi) = ((f64::MAX, f64::MAX), (f64::MIN, f64::MIN));
    for p in points {
        lo = (lo.0.min(p.0), lo.1.min(p.1));
        hi = (hi.0.max(p.0), hi.1.max(p.1));
    }
    if points.is_empty() {
        return Fit { scale: (1.0, 1.0), cx: width / 2.0, cy: height / 2.0 };
    }
    let room = ((width - 2.0 * margin.0).max(1.0), (height - 2.0 * margin.1).max(1.0));
    let span = (hi.0 - lo.0, hi.1 - lo.1);
    let each = (room.0 / span.0.max(1e-9), room.1 / span.1.max(1e-9));
    let scale = match (span.0 > 1e-9, span.1 > 1e-9) {
        (true, true) => {
            let both = each.0.min(each.1);
            (each.0.min(both * STRETCH), each.1.min(both * STRETCH))
        }
        (true, false) => (each.0, each.0),
        (false, true) => (each.1, each.1),
        (false, false) => (1.0, 1.0),
    };
    let mid = ((lo.0 + hi.0) / 2.0, (lo.1 + hi.1) / 2.0);
    Fit { scale, cx: width / 2.0 - mid.0 * scale.0, cy: height / 2.0 - mid.1 * scale.1 }
}

/// Sorts indices by a comparison. One function for every index sort of the map, so the
/// bundle holds one copy of the sort, not one per closure.
pub fn sort_indices(v: &mut [usize], cmp: &dyn Fn(usize, usize) -> std::cmp::Ordering) {
    v.sort_by(|a, b| cmp(*a, *b));
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOX: Rect = Rect { x: 0.0, y: 0.0, w: 400.0, h: 300.0 };

    fn disc(x: f64, y: f64, r: f64) -> Disc {
        Disc { x, y, r }
    }

    /// No placed label overlaps a node or another label, and each lies in the box.
    fn check_free(discs: &[Disc], spots: &[Option<Spot>]) {
        let rects: Vec<Rect> = spots.iter().flatten().map(|s| s.rect).collect();
        for (i, r) in rects.iter().enumerate() {
            assert!(BOX.contains(r), "label {i} leaves the box: {r:?}");
            for d in discs {
                assert!(!r.meets(d), "label {i} {r:?} is on the node {d:?}");
            }
            for (j, o) in rects.iter().enumerate().skip(i + 1) {
                assert!(!r.overlaps(o), "labels {i} {r:?} and {j} {o:?} overlap");
            }
        }
    }

    #[test]
    fn a_lone_node_is_labelled_on_its_right() {
        let discs = [disc(100.0, 100.0, 10.0)];
        let spots = place_labels(&discs, &[(0, (50.0, 14.0))], 0, BOX);
        assert_eq!(spots, [Some(Spot { rect: Rect { x: 113.0, y: 93.0, w: 50.0, h: 14.0 }, leader: None })]);
    }

    #[test]
    fn a_label_does_not_go_under_a_big_neighbour() {
        // The Belarus case: a big node just right of a smaller one.
        let discs = [disc(100.0, 150.0, 15.0), disc(140.0, 150.0, 16.0)];
        let spots = place_labels(&discs, &[(1, (70.0, 14.0)), (0, (50.0, 14.0))], 0, BOX);
        check_free(&discs, &spots);
        let small = spots[1].expect("the small node's label finds room");
        assert!(small.rect.x + small.rect.w <= 100.0 - 15.0, "it goes to the left: {small:?}");
    }

    #[test]
    fn labels_of_a_row_of_close_nodes_take_turns_and_never_overlap() {
        let discs: Vec<Disc> = (0..8).map(|i| disc(120.0 + f64::from(i) * 22.0, 150.0, 6.0)).collect();
        let wanted: Vec<(usize, (f64, f64))> = (0..8).map(|i| (i, (60.0, 14.0))).collect();
        let spots = place_labels(&discs, &wanted, 0, BOX);
        check_free(&discs, &spots);
        assert!(spots.iter().filter(|s| s.is_some()).count() >= 6, "{spots:?}");
        assert!(spots.iter().flatten().any(|s| s.leader.is_some()), "some need a leader line: {spots:?}");
        for s in spots.iter().flatten() {
            if let Some((from, to)) = s.leader {
                let anchored = [s.rect.x, s.rect.x + s.rect.w, s.rect.x + s.rect.w / 2.0].contains(&to.0)
                    || [s.rect.y, s.rect.y + s.rect.h, s.rect.y + s.rect.h / 2.0].contains(&to.1);
                assert!(anchored, "the leader ends at its label: {s:?}");
                assert!(discs.iter().any(|d| ((from.0 - d.x).hypot(from.1 - d.y) - d.r).abs() < 1e-6));
            }
        }
    }

    #[test]
    fn leader_lines_cross_no_label() {
        // Close nodes in a cluster, labels wider than the gaps: several need leader lines.
        let discs: Vec<Disc> =
            (0..12).map(|i| disc(150.0 + f64::from(i % 4) * 26.0, 120.0 + f64::from(i / 4) * 26.0, 7.0)).collect();
        let wanted: Vec<(usize, (f64, f64))> = (0..12).map(|i| (i, (70.0, 14.0))).collect();
        let spots = place_labels(&discs, &wanted, 0, BOX);
        check_free(&discs, &spots);
        assert!(spots.iter().flatten().filter(|s| s.leader.is_some()).count() >= 2, "{spots:?}");
        for (i, s) in spots.iter().enumerate() {
            let Some(line) = s.and_then(|s| s.leader) else { continue };
            for (j, o) in spots.iter().enumerate() {
                if let Some(o) = o.filter(|_| i != j) {
                    assert!(
                        !o.rect.crossed_by(line),
                        "the leader of {i} {line:?} crosses the label of {j} {:?}",
                        o.rect
                    );
                }
            }
        }
    }

    #[test]
    fn a_segment_crosses_a_rectangle_only_through_it() {
        let r = Rect { x: 10.0, y: 10.0, w: 20.0, h: 10.0 };
        assert!(r.crossed_by(((0.0, 15.0), (40.0, 15.0))), "straight through");
        assert!(r.crossed_by(((0.0, 0.0), (20.0, 15.0))), "into it");
        assert!(!r.crossed_by(((0.0, 0.0), (40.0, 5.0))), "above");
        assert!(!r.crossed_by(((0.0, 10.0), (40.0, 10.0))), "along an edge");
        assert!(!r.crossed_by(((0.0, 0.0), (10.0, 10.0))), "to a corner");
        assert!(!r.crossed_by(((31.0, 0.0), (31.0, 40.0))), "beside");
    }

    #[test]
    fn a_node_at_the_right_edge_is_labelled_inside_the_box() {
        let discs = [disc(390.0, 150.0, 8.0)];
        let spots = place_labels(&discs, &[(0, (80.0, 14.0))], 0, BOX);
        check_free(&discs, &spots);
        assert!(spots[0].expect("placed").rect.x + 80.0 <= 390.0 - 8.0);
    }

    #[test]
    fn where_nothing_is_free_the_label_is_left_out() {
        // A node walled in by a grid of others, with a label wider than any gap.
        let mut discs = vec![disc(200.0, 150.0, 5.0)];
        for i in -11..=11 {
            for j in -11..=11 {
                if (i, j) != (0, 0) {
                    discs.push(disc(200.0 + f64::from(i) * 12.0, 150.0 + f64::from(j) * 12.0, 5.0));
                }
            }
        }
        let spots = place_labels(&discs, &[(0, (40.0, 14.0))], 0, BOX);
        assert_eq!(spots, [None]);
        assert_eq!(place_labels(&discs, &[(999, (40.0, 14.0))], 1, BOX), [None], "an unknown node");
    }

    #[test]
    fn a_label_a_reader_asked_for_reaches_past_a_crowd_and_covers_no_node() {
        // The walled-in node of the test above, its label asked for (focused): it goes out
        // beyond the grid on a leader line, still clear of every node.
        let mut discs = vec![disc(200.0, 150.0, 5.0)];
        for i in -11..=11 {
            for j in -11..=11 {
                if (i, j) != (0, 0) {
                    discs.push(disc(200.0 + f64::from(i) * 12.0, 150.0 + f64::from(j) * 12.0, 5.0));
                }
            }
        }
        let beside = discs.iter().position(|d| (d.x, d.y) == (200.0, 162.0)).expect("a neighbour");
        let spots = place_labels(&discs, &[(0, (40.0, 14.0)), (beside, (40.0, 14.0))], 1, BOX);
        check_free(&discs, &spots);
        assert!(spots[0].is_some_and(|s| s.leader.is_some()), "placed on a leader line: {spots:?}");
        assert_eq!(spots[1], None, "a label nobody asked for still gives up");
        // Where no spot in the box is clear of nodes, the asked-for label goes over them, as a
        // tooltip does, but never over another label.
        let full: Vec<Disc> =
            (0..40).flat_map(|i| (0..30).map(move |j| disc(f64::from(i) * 10.0, f64::from(j) * 10.0, 4.0))).collect();
        let spots = place_labels(&full, &[(0, (60.0, 14.0)), (40, (60.0, 14.0)), (45, (60.0, 14.0))], 2, BOX);
        let (a, b) = (spots[0].expect("the first asked for"), spots[1].expect("the second asked for"));
        assert!(BOX.contains(&a.rect) && BOX.contains(&b.rect) && !a.rect.overlaps(&b.rect), "{spots:?}");
        assert_eq!(spots[2], None);
    }

    #[test]
    fn a_roomy_drawing_keeps_its_sizes_and_a_crowded_one_shrinks_them_all_alike() {
        // Ten nodes of 10 px on 400 × 300 cover 2.6 %: full size.
        let ten: Vec<Disc> = (0..10).map(|i| disc(f64::from(i) * 40.0, 0.0, 10.0)).collect();
        assert_eq!(crowding(&ten, 400.0 * 300.0), 1.0);
        // Forty cover 10.5 %: shrunk to cover 8 %, all alike (the radii's share is the same).
        let forty: Vec<Disc> = (0..40).map(|i| disc(f64::from(i) * 10.0, 0.0, 10.0)).collect();
        let share = crowding(&forty, 400.0 * 300.0);
        let covered: f64 = forty.iter().map(|d| std::f64::consts::PI * (d.r * share).powi(2)).sum();
        assert!((covered / (400.0 * 300.0) - NODE_COVER).abs() < 1e-9, "{share}");
        // However crowded, nodes keep at least LEAST_SHARE of their size.
        assert_eq!(crowding(&forty, 100.0), LEAST_SHARE);
        assert_eq!(crowding(&[], 100.0), 1.0);
    }

    #[test]
    fn overlapping_nodes_are_parted_and_the_others_stay_put() {
        let mut discs =
            vec![disc(100.0, 100.0, 10.0), disc(105.0, 100.0, 10.0), disc(100.0, 100.0, 6.0), disc(300.0, 200.0, 8.0)];
        let before = discs.clone();
        separate(&mut discs);
        for (i, a) in discs.iter().enumerate() {
            for b in &discs[i + 1..] {
                assert!(
                    a.x.hypot(a.y) >= 0.0 && (a.x - b.x).hypot(a.y - b.y) >= a.r + b.r + NODE_GAP - 1e-6,
                    "{a:?} {b:?}"
                );
            }
        }
        assert_eq!(discs[3], before[3], "a node clear of the others does not move");
        assert!(discs[0].x < discs[1].x, "parted along the line between them: {discs:?}");
        let again = {
            let mut d = before.clone();
            separate(&mut d);
            d
        };
        assert_eq!(again, discs, "the same every time");
        // Moving the whole drawing moves the answer with it (a pan does not reshuffle nodes).
        let mut moved: Vec<Disc> = before.iter().map(|d| disc(d.x + 1000.0, d.y - 500.0, d.r)).collect();
        separate(&mut moved);
        for (m, d) in moved.iter().zip(&discs) {
            assert!((m.x - 1000.0 - d.x).abs() < 1e-6 && (m.y + 500.0 - d.y).abs() < 1e-6, "{m:?} {d:?}");
        }
    }

    #[test]
    fn fit_fills_the_limiting_axis_and_centres_the_other() {
        let points = [(-2.0, -1.0), (2.0, 1.0), (0.0, 0.5)];
        let f = fit(&points, 1000.0, 400.0, (50.0, 20.0));
        // x: 900 px for 4 units, y: 360 px for 2 units → 180 px per unit, y is the limit;
        // x may take 1.25 times that, 225 px per unit.
        assert_eq!(f.scale, (225.0, 180.0));
        assert_eq!(f.at((-2.0, -1.0)), (50.0, 20.0));
        assert_eq!(f.at((2.0, 1.0)), (950.0, 380.0));
        let far = fit(&points, 2000.0, 400.0, (50.0, 20.0));
        assert_eq!(far.scale, (225.0, 180.0), "no more than 1.25 times, however wide the canvas");
        assert_eq!(far.at((0.0, 0.0)), (1000.0, 200.0), "centred");
        let one = fit(&[(0.3, 0.3)], 200.0, 100.0, (10.0, 10.0));
        assert_eq!(one.at((0.3, 0.3)), (100.0, 50.0), "a single node sits in the middle");
        let flat = fit(&[(0.0, 0.0), (1.0, 0.0)], 200.0, 100.0, (10.0, 10.0));
        assert_eq!((flat.at((0.0, 0.0)), flat.at((1.0, 0.0))), ((10.0, 50.0), (190.0, 50.0)));
    }
}
