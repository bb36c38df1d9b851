//! Addresses: the page's own query string, the view's URL fragment, and URLs made absolute.
//!
//! *Why no parser of our own:* a query string and a fragment are
//! `application/x-www-form-urlencoded`, which the `form_urlencoded` crate reads as the
//! browser's `URLSearchParams` does (both follow the WHATWG URL standard). Everything reads
//! with [`pairs`], so the natively tested code (the view's fragment form, the widget's
//! options) and the browser-only code ([`param`]) share one reader.
//!
//! Values are written with [`encode`]: everything but unreserved characters and `:` `/` `@`
//! percent-encoded, a space as `%20` (not `+`), so a fragment or a snippet stays readable and
//! means the same to every reader of it.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// What [`encode`] escapes: all but letters, digits, `-` `_` `.` `~` and `:` `/` `@`.
const ESCAPED: &AsciiSet =
    &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~').remove(b':').remove(b'/').remove(b'@');

/// Percent-encodes what a query or fragment value cannot hold literally.
pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, ESCAPED).collect()
}

/// The decoded name/value pairs of a query string or fragment (with or without its leading
/// `?` or `#`), in order. A malformed escape is kept as it is.
pub fn pairs(text: &str) -> Vec<(String, String)> {
    let text = text.strip_prefix(['?', '#']).unwrap_or(text);
    form_urlencoded::parse(text.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// A parameter of the page's own address (`?src=`, `?stream=`); `None` when absent or empty.
/// (Read with [`pairs`], not the browser's `URLSearchParams`: the same WHATWG reader, and its
/// bindings made the main bundle larger than the one reader it already has.)
pub fn param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    pairs(&search).into_iter().find(|(k, v)| k == name && !v.is_empty()).map(|(_, v)| v)
}

/// A query string (with or without its `?`) with `name` set to `value` (or removed, for
/// `None`), the other pairs kept in order; `""` when nothing is left, else with its `?`.
pub fn with_param(search: &str, name: &str, value: Option<&str>) -> String {
    let mut kept: Vec<String> = pairs(search)
        .into_iter()
        .filter(|(k, _)| k != name)
        .map(|(k, v)| format!("{}={}", encode(&k), encode(&v)))
        .collect();
    if let Some(v) = value {
        kept.push(format!("{}={}", encode(name), encode(v)));
    }
    if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", kept.join("&"))
    }
}

/// A URL made absolute against the document's base URL.
pub fn absolute(url: &str) -> Option<String> {
    let base = web_sys::window()?.document()?.base_uri().ok()??;
    web_sys::Url::new_with_base(url, &base).ok().map(|u| u.href())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_encoded_readably_and_read_back() {
        assert_eq!(encode("Karabakh & Zangezur"), "Karabakh%20%26%20Zangezur");
        assert_eq!(encode("https://d.example/r.json?a=1"), "https://d.example/r.json%3Fa%3D1");
        assert_eq!(encode("é"), "%C3%A9");
        let back = pairs(&format!("?q={}&src={}", encode("a + b & c"), encode("x?y=z")));
        assert_eq!(back, [("q".to_owned(), "a + b & c".to_owned()), ("src".to_owned(), "x?y=z".to_owned())]);
    }

    #[test]
    fn a_parameter_is_set_replaced_or_removed_and_the_others_kept() {
        assert_eq!(with_param("?src=a%20b.json&theme=light", "theme", Some("dark")), "?src=a%20b.json&theme=dark");
        assert_eq!(with_param("", "theme", Some("dark")), "?theme=dark");
        assert_eq!(with_param("?theme=dark", "theme", None), "");
        assert_eq!(with_param("?a=1&theme=dark&b=2", "theme", None), "?a=1&b=2");
    }

    #[test]
    fn plus_is_a_space_and_bad_escapes_stay() {
        assert_eq!(
            pairs("#q=a+b%20c&x=%zz%4&flag"),
            [
                ("q".to_owned(), "a b c".to_owned()),
                ("x".to_owned(), "%zz%4".to_owned()),
                ("flag".to_owned(), String::new()),
            ]
        );
    }
}
