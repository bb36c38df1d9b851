//! Rich text: the small HTML subset an event's `title_html` and `summary_html` may hold, and
//! HTML turned into plain text.
//!
//! *Where rich text lives, and why.* An event's `title` and `summary` stay plain text: search,
//! the list of events, the calendar and CSV writers and every reader of the record read them
//! as they are, and none of them has to think about markup. Files from tools that write HTML
//! (TimelineJS) keep their paragraphs, links, emphasis and lists in two optional fields beside
//! them, `title_html` and `summary_html`, which must say the same words as the plain field.
//!
//! *Architecture invariant:* the record never holds markup outside the allow-list. Core does
//! not sanitize (a sanitizer needs an HTML parser, too heavy for the page's bundle); it
//! **checks**: [`check`] accepts only the allowed tags, links only to `http(s)`/`mailto`, and
//! no other attribute, so a hostile native file is refused like any other bad field. The
//! readers of other tools' files (`annals-formats`) turn arbitrary HTML into this subset with
//! a sanitizer first. So whatever the page is handed, its rich text contains no script, event
//! handler, `javascript:` link, frame or style.

use crate::problem::{Quoted, Said};
use crate::says;

/// Tags a `summary_html` may use: blocks, then the inline tags a `title_html` may use too.
pub const BLOCK_TAGS: [&str; 6] = ["p", "ul", "ol", "li", "blockquote", "br"];

/// Tags a `title_html` may use (and a `summary_html` inside its blocks).
pub const INLINE_TAGS: [&str; 6] = ["a", "em", "strong", "i", "b", "br"];

/// Attributes a link (`a`) may have; no other tag has any.
pub const LINK_ATTRIBUTES: [&str; 3] = ["href", "title", "rel"];

/// Whether a text may hold blocks (paragraphs, lists) or only inline markup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    /// A title: links, emphasis and line breaks.
    Inline,
    /// A summary: paragraphs, lists and quotations too.
    Blocks,
}

impl Allowed {
    fn permits(self, tag: &str) -> bool {
        INLINE_TAGS.contains(&tag) || (self == Allowed::Blocks && BLOCK_TAGS.contains(&tag))
    }

    fn list(self) -> String {
        let mut tags: Vec<&str> = INLINE_TAGS.to_vec();
        if self == Allowed::Blocks {
            tags.extend(BLOCK_TAGS.iter().filter(|t| !INLINE_TAGS.contains(t)));
        }
        tags.join(", ")
    }
}

/// Checks that `html` uses only the allowed tags and attributes; the error says, in words,
/// the first thing that is not allowed and what is.
pub fn check(html: &str, allowed: Allowed) -> Result<(), Said> {
    let expected = || {
        says!(
            "expected only the tags {0} (a link with href, title and rel, its href an http(s) or mailto link or # and an event's id)",
            allowed.list()
        )
    };
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let Some(end) = tag_end(rest) else {
            return Err(says!(
                "has a \"<\" that opens no tag; write &lt; for the character, {0}",
                expected().carried()
            ));
        };
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        let (closing, body) = match tag.strip_prefix('/') {
            Some(b) => (true, b),
            None => (false, tag),
        };
        let body = body.strip_suffix('/').unwrap_or(body);
        let name_len = body.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(body.len());
        let name = body[..name_len].to_ascii_lowercase();
        if name.is_empty() {
            let shown: String = tag.chars().take(20).collect();
            return Err(says!("has <{0}…>, which is not an allowed tag; {1}", shown, expected().carried()));
        }
        if !allowed.permits(&name) {
            return Err(says!("has <{0}>, which is not allowed; {1}", name, expected().carried()));
        }
        let attributes = attributes(&body[name_len..]).ok_or_else(|| {
            says!("has a <{0}> tag whose attributes cannot be read; expected name=\"value\" pairs", name)
        })?;
        if closing && !attributes.is_empty() {
            return Err(says!("has a closing </{0}> with attributes; {1}", name, expected().carried()));
        }
        for (attribute, value) in attributes {
            let attribute = attribute.to_ascii_lowercase();
            if name != "a" || !LINK_ATTRIBUTES.contains(&attribute.as_str()) {
                return Err(says!(
                    "has the attribute {0} on <{1}>, which is not allowed; {2}",
                    Quoted(&attribute),
                    name,
                    expected().carried()
                ));
            }
            if attribute == "href" {
                let href = decode_entities(value);
                let mail =
                    href.strip_prefix("mailto:").is_some_and(|m| m.contains('@') && !m.contains(char::is_whitespace));
                // A link to an event of the record's own (TimelineJS's `#unique_id`), written
                // as it is (an id's characters need no entity): it can say nothing but which event.
                let own = value.strip_prefix('#').is_some_and(|id| crate::id::check_event_id(id).is_ok());
                if !mail && !own {
                    crate::link::check_url(&href).map_err(|e| says!("has a link whose href {0}", e.carried()))?;
                }
            }
        }
    }
    Ok(())
}

/// Markup that passed [`check`], its links made safe to follow from the page:
/// - a link out of the record opens apart from the page: `target="_blank" rel="noopener
///   noreferrer"` written first in its `<a>` tag (a browser keeps the first of two attributes
///   of one name, so a `rel` of the record's cannot undo it), so the linked site neither
///   learns the page's address nor gets a handle on its window;
/// - a link to an event of the record's (`#` and its id) leads where `here` says that event
///   is on the page, and is no link at all (`<a>` with no attribute: its words stay, as text)
///   when `here` knows no such event. `here` is handed an id that passed [`check`] (an id's
///   characters only) and must answer with text that can stand in a quoted attribute.
///
/// Tags are walked as [`check`] walks them, so a `<a` inside a quoted attribute value is left
/// alone.
pub fn links_apart(html: &str, here: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(html.len() + 48);
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let Some(end) = tag_end(rest) else { break };
        let name = rest[..end].find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(end);
        out.push_str(&rest[..name]);
        let mut tail = &rest[name..=end];
        if rest[..name].eq_ignore_ascii_case("a") {
            let href = attributes(rest[name..end].trim_end_matches('/'))
                .and_then(|a| a.into_iter().find(|(n, _)| n.eq_ignore_ascii_case("href")));
            match href.and_then(|(_, h)| h.strip_prefix('#')) {
                Some(id) => {
                    if let Some(to) = here(id) {
                        out.push_str(&format!(" href=\"{to}\""));
                    }
                    tail = ">";
                }
                None => out.push_str(" target=\"_blank\" rel=\"noopener noreferrer\""),
            }
        }
        out.push_str(tail);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Where a tag that starts after a `<` ends (the index of its `>`), skipping `>` inside quoted
/// attribute values; `None` when what follows the `<` is no tag.
fn tag_end(text: &str) -> Option<usize> {
    if !text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!' || c == '?') {
        return None;
    }
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            (None, '<') => return None,
            _ => {}
        }
    }
    None
}

/// The attributes of a tag, as (name, raw value) pairs; `None` when they cannot be read.
fn attributes(mut text: &str) -> Option<Vec<(&str, &str)>> {
    let mut out = Vec::new();
    loop {
        text = text.trim_start();
        if text.is_empty() {
            return Some(out);
        }
        let name_len =
            text.find(|c: char| c.is_whitespace() || c == '=' || c == '"' || c == '\'').unwrap_or(text.len());
        if name_len == 0 {
            return None;
        }
        let name = &text[..name_len];
        text = text[name_len..].trim_start();
        let Some(after) = text.strip_prefix('=') else {
            out.push((name, ""));
            continue;
        };
        let after = after.trim_start();
        let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let close = after[1..].find(quote)?;
        out.push((name, &after[1..1 + close]));
        text = &after[close + 2..];
    }
}

/// HTML to plain text: tags dropped (`<br>`, `<p>`, `<div>`, `<li>` and headings end a line),
/// entities decoded, runs of spaces collapsed, blank lines squeezed. Text without markup
/// comes back unchanged apart from whitespace.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(['<', '&']) {
        push_text(&mut out, &rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('<') {
            // A tag ends at the next '>'; a '<' that starts no tag ("a < b") is text.
            let tag_like = rest[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!');
            match rest.find('>') {
                Some(end) if tag_like => {
                    let name: String = rest[1..end]
                        .trim_start_matches('/')
                        .chars()
                        .take_while(char::is_ascii_alphanumeric)
                        .collect::<String>()
                        .to_ascii_lowercase();
                    if matches!(
                        name.as_str(),
                        "br" | "p"
                            | "div"
                            | "li"
                            | "ul"
                            | "ol"
                            | "h1"
                            | "h2"
                            | "h3"
                            | "h4"
                            | "h5"
                            | "h6"
                            | "blockquote"
                    ) {
                        out.push('\n');
                    }
                    rest = &rest[end + 1..];
                }
                _ => {
                    push_text(&mut out, "<");
                    rest = &rest[1..];
                }
            }
        } else {
            let end = rest.find(';').filter(|e| *e <= 10);
            match end.and_then(|e| entity(&rest[1..e]).map(|c| (e, c))) {
                Some((e, c)) => {
                    let mut buf = [0u8; 4];
                    push_text(&mut out, c.encode_utf8(&mut buf));
                    rest = &rest[e + 1..];
                }
                None => {
                    push_text(&mut out, "&");
                    rest = &rest[1..];
                }
            }
        }
    }
    push_text(&mut out, rest);
    let mut text = String::new();
    for l in out.lines().map(str::trim) {
        if l.is_empty() {
            continue;
        }
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(l);
    }
    text
}

/// True when two texts say the same words, whatever their spaces and line breaks: a
/// `summary_html` must say what its `summary` says.
pub fn same_words(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

/// Appends text, collapsing whitespace into single spaces (newlines come only from tags).
fn push_text(out: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_whitespace() && c != '\u{a0}' {
            if !out.ends_with([' ', '\n']) && !out.is_empty() {
                out.push(' ');
            }
        } else if c == '\u{a0}' {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
}

/// Entities decoded, nothing else changed.
pub fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|e| *e <= 10);
        match end.and_then(|e| entity(&rest[1..e]).map(|c| (e, c))) {
            Some((e, c)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        // Control characters are not text; `&#0;` stays as written.
        return char::from_u32(code).filter(|c| !c.is_control() || matches!(c, '\n' | '\t'));
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "laquo" => '«',
        "raquo" => '»',
        "copy" => '©',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allow_list_accepts_rich_text_and_nothing_more() {
        let good = [
            "<p>One <em>two</em> <strong>three</strong></p><ul><li>a</li><li>b<br></li></ul>",
            "<p><a href=\"https://example.org/a?b=1&amp;c=2\" rel=\"noopener noreferrer\" title=\"x > y\">link</a></p>",
            "<blockquote><p>Q</p></blockquote><ol><li><i>i</i> <b>b</b></li></ol>",
            "<a href=\"mailto:desk@example.org\">mail</a> Tom &amp; Jerry &lt;3 &nbsp;",
            "plain text, no markup",
            "<a href=\"#wikipedia-images\">jump</a> <a href=\"#era-600:x\">era</a>",
        ];
        for html in good {
            assert_eq!(check(html, Allowed::Blocks), Ok(()), "{html}");
        }
        let bad = [
            ("<script>alert(1)</script>", "<script>"),
            ("<p onclick=\"alert(1)\">x</p>", "\"onclick\""),
            ("<a href=\"javascript:alert(1)\">x</a>", "not an http(s) link"),
            ("<a href=\"&#106;avascript:alert(1)\">x</a>", "not an http(s) link"),
            ("<a href=\" javascript:alert(1)\">x</a>", "not an http(s) link"),
            ("<iframe src=\"https://evil.example\"></iframe>", "<iframe>"),
            ("<p style=\"color:red\">x</p>", "\"style\""),
            ("<style>p{}</style>", "<style>"),
            ("<img src=x onerror=alert(1)>", "<img>"),
            ("<!-- a comment -->", "not an allowed tag"),
            ("a < b", "opens no tag"),
            ("<a href=https://x.example>x</a>", "cannot be read"),
            ("<p>x</p id=\"a\">", "closing"),
            ("<svg><script>x</script></svg>", "<svg>"),
            ("<a href=\"#javascript:alert(1)\">x</a>", "not an http(s) link"),
            ("<a href=\"#\">x</a>", "not an http(s) link"),
            ("<a href=\"#x\" onclick=\"alert(1)\">x</a>", "\"onclick\""),
            ("<a href=\"#a b\">x</a>", "not an http(s) link"),
            ("<a href=\"&#35;x\">x</a>", "not an http(s) link"),
        ];
        for (html, says) in bad {
            let err = check(html, Allowed::Blocks).expect_err(html);
            assert!(err.to_string().contains(says), "{html}: {err}");
        }
        assert!(check("<p>para</p>", Allowed::Inline).expect_err("a block in a title").to_string().contains("<p>"));
        assert_eq!(check("<em>x</em> <a href=\"https://x.example/\">y</a>", Allowed::Inline), Ok(()));
    }

    #[test]
    fn links_open_apart_and_nothing_else_changes() {
        for (html, apart) in [
            ("<p>No link</p>", "<p>No link</p>"),
            (
                "<a href=\"https://x.example/\" rel=\"opener\">x</a>",
                "<a target=\"_blank\" rel=\"noopener noreferrer\" href=\"https://x.example/\" rel=\"opener\">x</a>",
            ),
            ("<A\nhref='https://x.example/'>y</A>", "<A target=\"_blank\" rel=\"noopener noreferrer\"\nhref='https://x.example/'>y</A>"),
            (
                "<a title=\"a <a b\" href=\"mailto:a@b.example\">m</a> <abbr>",
                "<a target=\"_blank\" rel=\"noopener noreferrer\" title=\"a <a b\" href=\"mailto:a@b.example\">m</a> <abbr>",
            ),
            ("<b>b</b> &lt;a", "<b>b</b> &lt;a"),
        ] {
            assert_eq!(links_apart(html, |_| None), apart, "{html}");
        }
    }

    #[test]
    fn links_to_the_records_own_events_lead_there_or_are_text() {
        let here = |id: &str| (id == "wikipedia-images" || id == "javascript:x").then(|| format!("#e={id}"));
        for (html, led) in [
            ("<a href=\"#wikipedia-images\" title=\"t\">jump</a>", "<a href=\"#e=wikipedia-images\">jump</a>"),
            ("<a title=\"t\" href='#wikipedia-images' rel=\"x\">jump</a>", "<a href=\"#e=wikipedia-images\">jump</a>"),
            (
                "<a href=\"#elsewhere\">gone</a>, <a href=\"#javascript:x\">x</a>",
                "<a>gone</a>, <a href=\"#e=javascript:x\">x</a>",
            ),
            (
                "<a href=\"https://x.example/#wikipedia-images\">out</a>",
                "<a target=\"_blank\" rel=\"noopener noreferrer\" href=\"https://x.example/#wikipedia-images\">out</a>",
            ),
        ] {
            assert_eq!(check(html, Allowed::Inline), Ok(()), "{html}");
            assert_eq!(links_apart(html, here), led, "{html}");
        }
    }

    #[test]
    fn html_becomes_plain_text() {
        for (html, text) in [
            ("plain text", "plain text"),
            ("<p>One</p><p>Two</p>", "One\nTwo"),
            ("a<br>b<br/>c", "a\nb\nc"),
            ("<b>bold</b> and <a href=\"https://x\">link</a>", "bold and link"),
            ("Tom &amp; Jerry &lt;3 &#8212; &#x41;&nbsp;x", "Tom & Jerry <3 — A x"),
            ("a < b and c > d", "a < b and c > d"),
            ("unknown &entity; & stray", "unknown &entity; & stray"),
            ("  spaced \n\n  out  ", "spaced out"),
            ("<ul><li>one</li><li>two</li></ul>", "one\ntwo"),
            ("<script>x</script>", "x"),
            ("&#xFFFFFFFF; &#0;", "&#xFFFFFFFF; &#0;"),
        ] {
            assert_eq!(plain_text(html), text, "{html:?}");
        }
        assert!(same_words("One\ntwo  three", " One two\nthree"));
        assert!(!same_words("One two", "One three"));
    }
}
