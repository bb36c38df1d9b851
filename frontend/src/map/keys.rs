//! The node an arrow key moves the relation map's focus to, among the nodes as the visuals
//! module drew them (canvas pixels).
//!
//! *Why on the page:* the focus must move the moment a key is pressed, with no wait for the
//! lazily loaded module that lays out and draws the map; this needs only the drawn positions.
//! Pure and natively tested.

/// A key that moves the map's focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// The next node to the left (in reading order of x, then y).
    Left,
    /// The next node to the right.
    Right,
    /// The nearest node above.
    Up,
    /// The nearest node below.
    Down,
    /// The leftmost node.
    First,
    /// The rightmost node.
    Last,
}

/// Where the focus goes from node `from` (an index into `points`, canvas pixels). ←/→ walk
/// every node from left to right (so each is reachable, in a stable order), ↑/↓ go to the
/// nearest node above or below (distance across the direction counts double), staying put
/// at the edge.
pub fn step(points: &[(f64, f64)], from: usize, key: Move) -> usize {
    let mut order: Vec<usize> = (0..points.len()).collect();
    annals_core::order::sort_indices(&mut order, &|a, b| {
        points[a].0.total_cmp(&points[b].0).then(points[a].1.total_cmp(&points[b].1)).then(a.cmp(&b))
    });
    let rank = order.iter().position(|&i| i == from);
    match (key, rank) {
        (_, None) => order.first().copied().unwrap_or(from),
        (Move::First, _) => order[0],
        (Move::Last, _) => order[order.len() - 1],
        (Move::Left, Some(r)) => order[r.saturating_sub(1)],
        (Move::Right, Some(r)) => order[(r + 1).min(order.len() - 1)],
        (Move::Up | Move::Down, Some(_)) => {
            let (x, y) = points[from];
            let sign = if key == Move::Up { -1.0 } else { 1.0 };
            (0..points.len())
                .filter(|&i| (points[i].1 - y) * sign > 0.0)
                .min_by(|&a, &b| {
                    let cost = |i: usize| (points[i].1 - y).abs() + 2.0 * (points[i].0 - x).abs();
                    cost(a).total_cmp(&cost(b)).then(a.cmp(&b))
                })
                .unwrap_or(from)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_walk_every_node_and_up_down_go_to_the_nearest() {
        //      1
        //  0       3
        //      2
        let p = [(0.0, 50.0), (50.0, 0.0), (50.0, 100.0), (100.0, 50.0)];
        let walk: Vec<usize> = std::iter::successors(Some(0), |&i| Some(step(&p, i, Move::Right))).take(5).collect();
        assert_eq!(walk, [0, 1, 2, 3, 3], "left to right, top first on a tie, stopping at the end");
        assert_eq!(step(&p, 1, Move::Left), 0);
        assert_eq!(step(&p, 0, Move::Left), 0);
        assert_eq!(step(&p, 0, Move::Up), 1);
        assert_eq!(step(&p, 0, Move::Down), 2);
        assert_eq!(step(&p, 1, Move::Up), 1, "nothing above");
        assert_eq!(step(&p, 2, Move::Up), 1, "straight above beats nearer but aside");
        assert_eq!((step(&p, 2, Move::First), step(&p, 0, Move::Last)), (0, 3));
        assert_eq!(step(&p, 9, Move::Right), 0, "an unknown start goes to the first");
    }
}
