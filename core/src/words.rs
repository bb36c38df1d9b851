//! Counted words in English sentences: "1 record", "93 records" — never "record(s)".
//!
//! The command line, the service's log and the file readers' notes speak English (the browser's
//! interface has its own counting, by each language's plural rules). One function, so a count
//! is written one way everywhere it is.

/// `n` and the word for one or for many: `count(1, "record", "records")` is "1 record".
pub fn count(n: impl TryInto<u64>, one: &str, many: &str) -> String {
    let n: u64 = n.try_into().unwrap_or(u64::MAX);
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(1usize, "record", "records"), "1 record");
        assert_eq!(count(0u32, "record", "records"), "0 records");
        assert_eq!(count(93i64, "record", "records"), "93 records");
        assert_eq!(count(-1i64, "record", "records"), format!("{} records", u64::MAX));
    }
}
