//! One stable sort for the short lists that are sorted now and then (a graph's nodes and
//! edges, a catalog's actors, a file's problems, the figures' visit pairs, the timeline's
//! marks and lanes in the browser).
//!
//! *Why not `slice::sort_by` at each place:* the standard sort is generic over the element
//! and the comparison, so every call site compiles its own copy of the whole algorithm — in
//! the browser bundle, where every byte is downloaded, that was 11 copies of the stable sort
//! (about 4 KB each before compression). Here the algorithm is compiled once, for indices
//! compared through a `dyn Fn`; each call site adds only the small code that builds the
//! indices and moves the elements into their order. The hot sorts of a fold (the timeline's
//! order keys, an event's actors) keep the standard sort: they run per event.

use std::cmp::Ordering;

/// Sorts `v` by `cmp`, stably (equal elements keep their order), like `slice::sort_by`.
pub fn sort_by<T>(v: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    let mut order: Vec<usize> = (0..v.len()).collect();
    sort_indices(&mut order, &|a, b| cmp(&v[a], &v[b]));
    permute(v, &mut order);
}

/// Sorts `v` by a key, stably, like `slice::sort_by_key`.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Sorts indices by `cmp` of the elements they stand for, stably. The one instance of the
/// standard sort behind every function of this module.
#[inline(never)]
pub fn sort_indices(order: &mut [usize], cmp: &dyn Fn(usize, usize) -> Ordering) {
    order.sort_by(|&a, &b| cmp(a, b));
}

/// Puts `v` in `order` (`order[i]`: where the element that goes to `i` is now), following
/// each cycle of the permutation with swaps; `order` is used up.
fn permute<T>(v: &mut [T], order: &mut [usize]) {
    for start in 0..order.len() {
        let mut at = start;
        while order[at] != at {
            let from = order[at];
            order[at] = at;
            if from == start {
                break;
            }
            v.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_as_the_standard_stable_sort_does() {
        // A small linear congruential generator (not `synth`'s, which would tie the modules).
        let mut state = 11u64;
        let mut below = |n: u64| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        for n in [0usize, 1, 2, 3, 7, 20, 33, 100, 1000] {
            // Few distinct keys, so stability shows: (key, original place).
            let v: Vec<(u64, usize)> = (0..n).map(|i| (below(5), i)).collect();
            let mut ours = v.clone();
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            let mut theirs = v.clone();
            theirs.sort_by_key(|a| a.0);
            assert_eq!(ours, theirs, "{n} elements");
            let mut by_key = v.clone();
            sort_by_key(&mut by_key, |e| std::cmp::Reverse(e.0));
            theirs.sort_by_key(|e| std::cmp::Reverse(e.0));
            assert_eq!(by_key, theirs, "{n} elements, by key");
        }
    }

    #[test]
    fn moves_elements_that_cannot_be_copied() {
        let mut v: Vec<String> = ["d", "b", "a", "c", "b"].iter().map(|s| (*s).to_owned()).collect();
        sort_by(&mut v, |a, b| a.cmp(b));
        assert_eq!(v, ["a", "b", "b", "c", "d"]);
    }
}
