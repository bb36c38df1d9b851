//! The record's rich text on the page: paragraphs, lists, quotations, links and emphasis of a
//! `title_html`, `summary_html` or introduction's `text_html`, as elements.
//!
//! *Why it checks again.* Every way a record reaches the page has checked its markup already
//! (`annals_core::validate` runs [`annals_core::html::check`] when the page reads an Annals
//! file, when the worker reads any file, and when the service takes an event in; upcasting an
//! old event keeps only markup that passes). Markup is the one field the page hands to the
//! browser's parser, so the page does not rely on that: markup is made into elements here and
//! nowhere else, and only when it passes the check at this moment and says the words of the
//! text shown beside it (a translation shown instead of the own text has other words, so it
//! is shown plain). Anything else is shown as the plain text. The check is core's, already in
//! the bundle for the page's own reading of files, so this costs a few hundred bytes, not a
//! sanitizer.
//!
//! Links out of the record open apart from the page; a link to one of the record's own events
//! (`#` and its id, TimelineJS's link to a slide) is the page's address of that event, `#e=`
//! and the id, so it is a real link (a keyboard follows it, a middle click opens the event in
//! a new tab) and following it selects the event in the view on screen (`fragment`): the
//! story goes to its slide, the details show it. An id the record does not hold, or a page
//! that does not follow its fragment (a custom element: the address is the host's,
//! `fragment::FOLLOWED`), leaves the words as text ([`annals_core::html::links_apart`]).
//!
//! Plain text (a record without markup, the page's own messages) has its bare web addresses
//! made links ([`linked`]), as TimelineJS does for the same files.

use annals_core::html::{check, links_apart, plain_text, same_words, Allowed};
use annals_core::Catalog;
use yew::{AttrValue, Html};

/// The record's own text `s` as elements of its markup `html` (see [`markup`]); `None` for a
/// translation or a source's words shown instead (they are plain), or markup that does not pass.
pub fn own(s: &annals_core::lang::Shown<'_>, html: Option<&str>, allowed: Allowed, events: &Catalog) -> Option<Html> {
    s.origin.is_none().then(|| markup(html, s.text, allowed, events)).flatten()
}

/// `html` as elements when it is allowed markup saying what `plain` says; `None` otherwise
/// (show `plain`). Its links to events lead to those of `events`.
pub fn markup(html: Option<&str>, plain: &str, allowed: Allowed, events: &Catalog) -> Option<Html> {
    let html = html?;
    if check(html, allowed).is_err() || !same_words(&plain_text(html), plain) {
        return None;
    }
    let here = |id: &str| {
        let followed = crate::fragment::FOLLOWED.load(std::sync::atomic::Ordering::Relaxed);
        (followed && events.event_any(id).is_some()).then(|| format!("#e={}", crate::address::encode(id)))
    };
    Some(Html::from_html_unchecked(AttrValue::from(links_apart(html, here))))
}

/// Plain text with its web addresses (`http://…`, `https://…`) as links that open apart from
/// the page, the rest as text: a TimelineJS reader expects a bare address in a slide's text to
/// be one (its page links them), and so does a reader of the page's own messages (the
/// service's refusal to show a stream ends with the address of its events pages, `remote`).
pub fn linked(text: &str) -> Html {
    yew::html! {
        for split_links(text).into_iter().map(|(piece, link)| if link {
            yew::html! { <a href={piece.to_owned()} target="_blank" rel="noopener noreferrer">{ piece }</a> }
        } else {
            yew::html! { { piece } }
        })
    }
}

/// `text` in pieces, each with whether it is a web address: one begins a word with `http`, ends
/// at white space (less the punctuation of the sentence after it) and is a link Annals accepts
/// (`annals_core::link::check_url`: `http(s)://` and a host).
fn split_links(text: &str) -> Vec<(&str, bool)> {
    let mut pieces = Vec::new();
    let (mut start, mut from) = (0, 0);
    while let Some(found) = text[from..].find("http").map(|i| from + i) {
        let tail = &text[found..];
        let word = tail.find(char::is_whitespace).unwrap_or(tail.len());
        let mut url = &tail[..word];
        // A closing bracket is the address's when it closes one the address opened (Wikipedia's).
        while let Some(c) = url.chars().last().filter(|c| {
            ".,;:!?\"'»”".contains(*c)
                || (*c == ')'
                    && url.bytes().filter(|b| *b == b'(').count() < url.bytes().filter(|b| *b == b')').count())
        }) {
            url = &url[..url.len() - c.len_utf8()];
        }
        let begins_word = !text[..found].ends_with(|c: char| c.is_ascii_alphanumeric());
        // (Which links Annals accepts is core's one rule, as for a source's link.)
        if begins_word && annals_core::link::check_url(url).is_ok() {
            if found > start {
                pieces.push((&text[start..found], false));
            }
            pieces.push((url, true));
            start = found + url.len();
        }
        from = found + word;
    }
    if start < text.len() {
        pieces.push((&text[start..], false));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_checked_markup_saying_the_same_words_becomes_elements() {
        let (plain, c) = ("One two", &Catalog::default());
        assert!(markup(Some("<p>One <em>two</em></p>"), plain, Allowed::Blocks, c).is_some());
        assert!(markup(Some("<p>One <em>two</em></p>"), plain, Allowed::Inline, c).is_none(), "no block in a title");
        assert!(markup(Some("<p>One <img src=x onerror=alert(1)>two</p>"), plain, Allowed::Blocks, c).is_none());
        assert!(markup(Some("<a href=\"javascript:alert(1)\">One two</a>"), plain, Allowed::Blocks, c).is_none());
        assert!(markup(Some("<a href=\"#javascript:alert(1)\">One two</a>"), plain, Allowed::Blocks, c).is_none());
        assert!(markup(Some("<p>Eins <em>zwei</em></p>"), plain, Allowed::Blocks, c).is_none(), "other words");
        assert!(markup(None, plain, Allowed::Blocks, c).is_none());
    }

    #[test]
    fn bare_web_addresses_become_links_without_the_sentence_s_punctuation() {
        let text = "From https://en.wikipedia.org/wiki/X_(y). See (http://a.example/b), \
                    not xhttp://c.example nor http:// alone; https://d.example";
        let links: Vec<&str> = split_links(text).into_iter().filter(|p| p.1).map(|p| p.0).collect();
        assert_eq!(links, ["https://en.wikipedia.org/wiki/X_(y)", "http://a.example/b", "https://d.example"]);
        assert_eq!(split_links(text).iter().map(|p| p.0).collect::<String>(), text, "every character kept, once");
        assert_eq!(split_links("no address"), [("no address", false)]);
        assert!(split_links("not http:///no-host either").iter().all(|p| !p.1), "no host, no link");
        assert!(split_links("").is_empty());
    }
}
