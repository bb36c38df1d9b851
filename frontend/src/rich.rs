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
}
