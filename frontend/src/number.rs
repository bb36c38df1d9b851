//! Numbers written for the page's own use (CSS lengths, the `<progress>` element, the test hook
//! of the timeline), not for people: people's numbers go through [`crate::i18n::number`].
//!
//! Why a module for one function: `format!("{}", f64)` pulls the standard library's float
//! printer (its shortest and exact algorithms, ~11 KB of code) into the bundle, next to the JSON
//! number writer that `serde_json` already brings. Writing every float through the JSON writer
//! keeps one of the two. A test in `tests/e2e/open.test.mjs` holds the bundle's size.

/// `x` in its shortest decimal form ("12", "0.5", "-3.25"); a number that is not finite, "0".
pub fn decimal(x: f64) -> String {
    if x.is_finite() {
        serde_json::to_string(&x).unwrap_or_else(|_| "0".to_owned())
    } else {
        "0".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::decimal;

    #[test]
    fn shortest_forms() {
        assert_eq!(decimal(12.0), "12.0");
        assert_eq!(decimal(0.5), "0.5");
        assert_eq!(decimal(-3.25), "-3.25");
        assert_eq!(decimal(f64::NAN), "0");
    }
}
