//! HTML from other tools' files, made safe: the text as plain text, and its markup cut down
//! to the subset an event may hold (`annals_core::html`).
//!
//! TimelineJS headlines, texts and captions are HTML written by anyone. *Why a sanitizer
//! crate (ammonia) and not our own:* taking arbitrary HTML apart the way a browser would
//! (unclosed tags, entities, comments, `<svg>` and `<math>` that change the parsing rules) is
//! what a browser's parser does, and html5ever, under ammonia, is such a parser. Our own
//! code only ever *checks* what is left (`annals_core::html::check`), so a sanitizer gap
//! could at worst refuse a slide's markup, never let a script through.
//!
//! - Only the allow-list survives: paragraphs, line breaks, lists, quotations, links,
//!   emphasis; for a headline only the inline part. Scripts and styles go with their content;
//!   any other tag goes, its text stays. No attribute survives but a link's `href` (an
//!   `http(s)` or `mailto:` address, or `#` and an event id — TimelineJS's link to the slide
//!   of that `unique_id`, which the reader makes the event's id; other relative ones are
//!   dropped), `title` and the `rel` added to every link.
//! - The plain text is taken from the sanitized HTML, so a script's code never becomes a
//!   summary either.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use ammonia::{Builder, UrlRelative};
use annals_core::html::{self, Allowed, BLOCK_TAGS, INLINE_TAGS};
use annals_core::id::check_event_id;

/// A text read from HTML: what it says, and the markup worth keeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rich {
    /// The text without markup.
    pub plain: String,
    /// The sanitized HTML, when it has markup beyond the text itself (a paragraph, a link,
    /// emphasis); `None` for text that is just text.
    pub html: Option<String>,
}

/// Blocks the subset has no tag for, kept through the first pass so that their text still
/// breaks where they end (`<h2>Head</h2>text` is "Head", then "text", not "Headtext").
const WIDER_BLOCKS: [&str; 7] = ["div", "h1", "h2", "h3", "h4", "h5", "h6"];

/// Cuts `html` down to the allowed subset: see the module docs. A `div` becomes a paragraph
/// and a heading a paragraph in bold, so their text keeps its breaks.
pub fn sanitize(html: &str, allowed: Allowed) -> String {
    let wide = clean(html, allowed, true);
    let mut blocks = wide;
    for tag in WIDER_BLOCKS {
        let (open, close) = if tag == "div" { ("<p>", "</p>") } else { ("<p><strong>", "</strong></p>") };
        blocks = blocks.replace(&format!("<{tag}>"), open).replace(&format!("</{tag}>"), close);
    }
    clean(&blocks, allowed, false)
}

/// One pass of the sanitizer: the subset's tags (and, when `wider`, [`WIDER_BLOCKS`] and
/// paragraphs, without attributes).
fn clean(html: &str, allowed: Allowed, wider: bool) -> String {
    let mut tags: HashSet<&str> = INLINE_TAGS.into_iter().collect();
    if allowed == Allowed::Blocks {
        tags.extend(BLOCK_TAGS);
    }
    if wider {
        tags.extend(WIDER_BLOCKS);
        tags.insert("p");
    }
    Builder::empty()
        .tags(tags)
        .clean_content_tags(["script", "style"].into_iter().collect())
        .tag_attributes(HashMap::from([("a", ["href", "title"].into_iter().collect())]))
        .generic_attributes(HashSet::new())
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .url_relative(UrlRelative::Custom(Box::new(own_event_link)))
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true)
        .clean(html)
        .to_string()
}

/// A relative link kept: `#` and an event id (a link to the record's own event, as TimelineJS
/// links to a slide by its `unique_id`); `None` drops any other.
fn own_event_link(url: &str) -> Option<Cow<'_, str>> {
    url.strip_prefix('#').filter(|id| check_event_id(id).is_ok()).map(|_| url.into())
}

/// Reads a text that may hold HTML; a headline (`Allowed::Inline`) is one line.
pub fn read(text: &str, allowed: Allowed) -> Rich {
    let clean = sanitize(text, allowed);
    // The words as the wider pass has them, with a break wherever a block ended.
    let plain = html::plain_text(&self::clean(text, allowed, true));
    let plain = if allowed == Allowed::Inline { plain.split_whitespace().collect::<Vec<_>>().join(" ") } else { plain };
    // Markup is kept when there is a tag left (an entity alone is no markup), and only as
    // the core check accepts it: a link the sanitizer let through but core refuses (an
    // `https://` with no host) costs the markup, never the text.
    let html = Some(clean.trim().to_owned()).filter(|h| {
        h.contains('<') && html::check(h, allowed).is_ok() && html::same_words(&html::plain_text(h), &plain)
    });
    Rich { plain, html }
}

/// Plain text from HTML that may be hostile (a caption, a credit): sanitized first.
pub fn plain(text: &str) -> String {
    read(text, Allowed::Inline).plain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_kept_within_the_allow_list() {
        for (input, allowed, plain, kept) in [
            (
                "<p>One <em>two</em></p><ul><li>a</li></ul>",
                Allowed::Blocks,
                "One two\na",
                Some("<p>One <em>two</em></p><ul><li>a</li></ul>"),
            ),
            ("Tom &amp; Jerry", Allowed::Blocks, "Tom & Jerry", None),
            ("<p>Just a paragraph</p>", Allowed::Inline, "Just a paragraph", None),
            (
                "<a href=\"https://example.org/x\" target=\"_blank\" class=\"c\">link</a>",
                Allowed::Inline,
                "link",
                Some("<a href=\"https://example.org/x\" rel=\"noopener noreferrer\">link</a>"),
            ),
            (
                "<div><h2>Head</h2><span style=\"x\">text</span></div>",
                Allowed::Blocks,
                "Head\ntext",
                Some("<p><strong>Head</strong></p>text"),
            ),
            ("<p>Just a <div>paragraph</div></p>", Allowed::Inline, "Just a paragraph", None),
            (
                "<a target=\"_self\" href=\"#wikipedia-images\">jump</a> <a href=\"other.html\">away</a>",
                Allowed::Inline,
                "jump away",
                Some("<a href=\"#wikipedia-images\" rel=\"noopener noreferrer\">jump</a> <a rel=\"noopener noreferrer\">away</a>"),
            ),
        ] {
            let got = read(input, allowed);
            assert_eq!(got.plain, plain, "{input}");
            if let Some(k) = kept {
                // ammonia writes attributes in its own order; compare what core would read.
                let html = got.html.as_deref().unwrap_or_else(|| panic!("markup of {input} lost"));
                assert_eq!(html::plain_text(html), html::plain_text(k), "{input}");
                assert_eq!(html::check(html, allowed), Ok(()), "{input}");
            } else {
                assert_eq!(got.html, None, "{input}");
            }
        }
    }

    #[test]
    fn a_link_to_a_slide_of_the_file_keeps_its_address() {
        let got =
            read("<a target=\"_self\" href=\"#wikipedia-images\">jump</a> <a href=\"#a(b)\">no</a>", Allowed::Inline);
        let html = got.html.expect("markup kept");
        assert!(html.contains("href=\"#wikipedia-images\""), "{html}");
        assert_eq!(html.matches("href").count(), 1, "not an id: dropped; {html}");
    }

    #[test]
    fn hostile_markup_never_survives() {
        let payloads = [
            "<script>alert(1)</script>Hi",
            "<img src=x onerror=alert(1)>Hi",
            "<a href=\"javascript:alert(1)\">Hi</a>",
            "<a href=\"JaVaScRiPt:alert(1)\">Hi</a>",
            "<a href=\"&#106;avascript:alert(1)\">Hi</a>",
            "<a href=\"java\tscript:alert(1)\">Hi</a>",
            "<a href=\"data:text/html;base64,PHNjcmlwdD4=\">Hi</a>",
            "<iframe src=\"https://evil.example\"></iframe>Hi",
            "<p style=\"background:url(javascript:alert(1))\">Hi</p>",
            "<svg><script>alert(1)</script></svg>Hi",
            "<math><mi xlink:href=\"javascript:alert(1)\">Hi</mi></math>",
            "<p onclick=\"alert(1)\" onmouseover=alert(1)>Hi</p>",
            "<style>body{display:none}</style>Hi",
            "<<script>script>alert(1)<</script>/script>Hi",
            "<!--<script>alert(1)</script>-->Hi",
            "<form action=\"https://evil.example\"><input value=x></form>Hi",
            "<object data=\"x.swf\"></object><embed src=\"x\">Hi",
            "<base href=\"https://evil.example/\"><meta http-equiv=\"refresh\" content=\"0\">Hi",
            "<a href=\"#x\" onclick=\"alert(1)\">Hi</a>",
            "<a href=\"#javascript:alert(1)\">Hi</a>",
            "<a href=\"#x&quot; onclick=&quot;alert(1)\">Hi</a>",
        ];
        for payload in payloads {
            for allowed in [Allowed::Inline, Allowed::Blocks] {
                let clean = sanitize(payload, allowed);
                let lower = clean.to_ascii_lowercase();
                for bad in [
                    "<script",
                    "onerror",
                    "onclick",
                    "onmouseover",
                    "javascript:",
                    "<iframe",
                    "style",
                    "<svg",
                    "<img",
                    "data:",
                    "<form",
                    "<object",
                    "<embed",
                    "<base",
                    "<meta",
                    "<math",
                ] {
                    assert!(!lower.contains(bad), "{payload:?} left {bad:?}: {clean}");
                }
                assert_eq!(html::check(&clean, allowed), Ok(()), "{payload:?} → {clean}");
                let rich = read(payload, allowed);
                assert!(!rich.plain.contains("alert(1)"), "{payload:?} → {:?}", rich.plain);
            }
        }
    }
}
