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
//! node is still announced when focused, and the list names every actor's events).

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
pub fn place_labels(discs: &[Disc], wanted: &[(usize, (f64, f64))], bounds: Rect) -> Vec<Option<Spot>> {
    let mut placed: Vec<Rect> = Vec::with_capacity(wanted.len());
    let mut leaders: Vec<Segment> = Vec::new();
    wanted
        .iter()
        .map(|&(i, (w, h))| {
            let d = discs.get(i)?;
            // A leader line crosses no label, and no label goes over a leader line: either
            // would read as a line through the text.
            let free = |s: &Spot| {
                let r = &s.rect;
                bounds.contains(r)
                    && !discs.iter().any(|o| r.meets(&Disc { r: o.r + PAD, ..*o }))
                    && !placed.iter().any(|p| p.grown(PAD).overlaps(r))
                    && !leaders.iter().any(|l| r.grown(PAD).crossed_by(*l))
                    && s.leader.is_none_or(|l| !placed.iter().any(|p| p.grown(PAD).crossed_by(l)))
            };
            let spot = candidates(d, w, h).find(free)?;
            placed.push(spot.rect);
            leaders.extend(spot.leader);
            Some(spot)
        })
        .collect()
}

/// A straight line from one point to another.
type Segment = ((f64, f64), (f64, f64));

/// Spots to try for a `w`×`h` label of disc `d`, in order: beside it (right, left, above,
/// below), then further out in eight directions with a leader line, in six rings (a busy
/// node is ringed by its neighbours; its label may have to reach past them).
fn candidates(d: &Disc, w: f64, h: f64) -> impl Iterator<Item = Spot> + '_ {
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
    let away = (1..=6).flat_map(move |ring| {
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
        let spots = place_labels(&discs, &[(0, (50.0, 14.0))], BOX);
        assert_eq!(spots, [Some(Spot { rect: Rect { x: 113.0, y: 93.0, w: 50.0, h: 14.0 }, leader: None })]);
    }

    #[test]
    fn a_label_does_not_go_under_a_big_neighbour() {
        // The Belarus case: a big node just right of a smaller one.
        let discs = [disc(100.0, 150.0, 15.0), disc(140.0, 150.0, 16.0)];
        let spots = place_labels(&discs, &[(1, (70.0, 14.0)), (0, (50.0, 14.0))], BOX);
        check_free(&discs, &spots);
        let small = spots[1].expect("the small node's label finds room");
        assert!(small.rect.x + small.rect.w <= 100.0 - 15.0, "it goes to the left: {small:?}");
    }

    #[test]
    fn labels_of_a_row_of_close_nodes_take_turns_and_never_overlap() {
        let discs: Vec<Disc> = (0..8).map(|i| disc(120.0 + f64::from(i) * 22.0, 150.0, 6.0)).collect();
        let wanted: Vec<(usize, (f64, f64))> = (0..8).map(|i| (i, (60.0, 14.0))).collect();
        let spots = place_labels(&discs, &wanted, BOX);
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
        let spots = place_labels(&discs, &wanted, BOX);
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
        let spots = place_labels(&discs, &[(0, (80.0, 14.0))], BOX);
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
        let spots = place_labels(&discs, &[(0, (40.0, 14.0))], BOX);
        assert_eq!(spots, [None]);
        assert_eq!(place_labels(&discs, &[(999, (40.0, 14.0))], BOX), [None], "an unknown node");
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
