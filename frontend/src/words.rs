//! Counted words for people: "1 event", "51 events" — never "event(s)" or "1 events".
//!
//! One place, so that the interface's counts are written one way (and, when the interface
//! speaks other languages, are found in one place).

/// `n` and the word for one or for many.
pub fn count(n: impl TryInto<u64>, one: &str, many: &str) -> String {
    let n: u64 = n.try_into().unwrap_or(u64::MAX);
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(1usize, "event", "events"), "1 event");
        assert_eq!(count(1u64, "event", "events"), "1 event");
        assert_eq!(count(0u32, "event", "events"), "0 events");
        assert_eq!(count(51usize, "event", "events"), "51 events");
    }
}
