//! Counted words for people: "1 event", "51 events" — never "event(s)" or "1 events"; in
//! Russian "1 событие", "3 события", "5 событий" (see [`crate::i18n::plural`]).
//!
//! One place, so that the interface's counts are written one way, and the check of the
//! catalogs finds every counted word (`count(n, "one", "many")` with both words written out).
//! And [`lower`], the page's lower case.

/// `n` (written for the interface's language) and the word for that many.
pub fn count(n: impl TryInto<u64>, one: &'static str, many: &'static str) -> String {
    let n: u64 = n.try_into().unwrap_or(u64::MAX);
    format!("{} {}", crate::i18n::number(n), crate::i18n::plural(n, one, many))
}

/// `text` in lower case, as `str::to_lowercase` writes it (Unicode's full case mapping, a final
/// sigma included): in the page through the browser's `String.prototype.toLowerCase`.
///
/// *Why the browser's:* Rust's mapping brings its Unicode tables (the case pairs, and the cased
/// and case-ignorable letters a final sigma is decided by) — 10.7 KB of the gzipped page, for
/// the search box, a file name and the count of a record's publishers; the browser knows the
/// same mapping. ASCII is lowered here. Natively (the tests) it is Rust's own;
/// `frontend/tests/components.rs` compares the two in a browser.
pub fn lower(text: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        if text.is_ascii() {
            return text.to_ascii_lowercase();
        }
        String::from(web_sys::js_sys::JsString::from(text).to_lower_case())
    }
    #[cfg(not(target_arch = "wasm32"))]
    text.to_lowercase()
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
