//! The relation map's keyboard, on the nodes as drawn (canvas pixels): where an arrow key moves
//! the focus, and what Enter, Space and Escape do. Pure and natively tested; the canvas'
//! listeners (`map::live`) apply it.
//!
//! *Why in this module, not on the page:* the keys act on the nodes as drawn, and there are
//! none before this module has drawn them, so nothing is lost by keeping the keyboard (and the
//! pointer) beside the drawing — and the page's bundle is spared their code.

use crate::placement::sort_indices;

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

impl Move {
    /// The move a key (`KeyboardEvent.key`) makes, if any.
    pub fn of_key(key: &str) -> Option<Move> {
        Some(match key {
            "ArrowLeft" => Move::Left,
            "ArrowRight" => Move::Right,
            "ArrowUp" => Move::Up,
            "ArrowDown" => Move::Down,
            "Home" => Move::First,
            "End" => Move::Last,
            _ => return None,
        })
    }
}

/// Where the focus goes from node `from` (an index into `points`, canvas pixels). ←/→ walk
/// every node from left to right (so each is reachable, in a stable order), ↑/↓ go to the
/// nearest node above or below (distance across the direction counts double), staying put
/// at the edge.
pub fn step(points: &[(f64, f64)], from: usize, key: Move) -> usize {
    let mut order: Vec<usize> = (0..points.len()).collect();
    sort_indices(&mut order, &|a, b| {
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

/// What a key does on the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// The focus goes to this node (an index into the nodes as drawn).
    Focus(usize),
    /// This node's actor is chosen, as a click does: its relations, or back to all actors
    /// when it is the one shown with its relations.
    Choose(usize),
    /// Back from an actor's relations to all actors.
    Back,
    /// The focus is dropped.
    Unfocus,
    /// Taken, nothing changes (Space with no focus must still not scroll the page).
    Stay,
}

/// What `key` does on the map drawn as `dots` (centre x, y and radius, in drawing order),
/// with the focus on `focused` (an index into `dots`); `None` for a key the map leaves to the
/// page. The first arrow lands on `first` (the ego actor, else an actor of the selected event,
/// when drawn), or else on the busiest actor; Escape goes back when `ego_shown`.
pub fn answer(
    key: &str,
    dots: &[(f64, f64, f64)],
    focused: Option<usize>,
    first: Option<usize>,
    ego_shown: bool,
) -> Option<Answer> {
    if let Some(to) = Move::of_key(key).filter(|_| !dots.is_empty()) {
        let next = match focused {
            Some(at) => step(&dots.iter().map(|d| (d.0, d.1)).collect::<Vec<_>>(), at, to),
            None => {
                first.unwrap_or_else(|| (0..dots.len()).max_by(|&a, &b| dots[a].2.total_cmp(&dots[b].2)).unwrap_or(0))
            }
        };
        return Some(Answer::Focus(next));
    }
    match key {
        "Enter" | " " => Some(focused.map_or(Answer::Stay, Answer::Choose)),
        "Escape" if ego_shown => Some(Answer::Back),
        "Escape" if focused.is_some() => Some(Answer::Unfocus),
        _ => None,
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

    #[test]
    fn the_first_arrow_lands_on_the_preferred_or_the_busiest_and_enter_and_escape_act() {
        let dots = [(0.0, 10.0, 4.0), (50.0, 10.0, 9.0), (100.0, 10.0, 6.0)];
        assert_eq!(answer("ArrowLeft", &dots, None, None, false), Some(Answer::Focus(1)), "the busiest");
        assert_eq!(answer("ArrowLeft", &dots, None, Some(2), false), Some(Answer::Focus(2)), "the ego or selected");
        assert_eq!(answer("ArrowRight", &dots, Some(1), Some(0), false), Some(Answer::Focus(2)), "then it walks");
        assert_eq!(answer("End", &dots, Some(0), None, false), Some(Answer::Focus(2)));
        assert_eq!(answer("ArrowRight", &[], None, None, false), None, "nothing drawn, nothing taken");
        assert_eq!(answer("Enter", &dots, Some(2), None, false), Some(Answer::Choose(2)));
        assert_eq!(answer(" ", &dots, None, None, false), Some(Answer::Stay), "Space never scrolls the map away");
        assert_eq!(answer("Escape", &dots, Some(2), None, true), Some(Answer::Back));
        assert_eq!(answer("Escape", &dots, Some(2), None, false), Some(Answer::Unfocus));
        assert_eq!(answer("Escape", &dots, None, None, false), None, "left to the page");
        assert_eq!(answer("x", &dots, Some(2), None, false), None);
    }
}
