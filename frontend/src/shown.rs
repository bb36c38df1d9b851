//! The record's own text (titles, summaries, its description) in the reader's language.
//!
//! The record gives its texts in its own language and, beside them, in others
//! (`annals_core::lang`); the interface's language picks one. Where the record lacks the
//! reader's language the text is shown in its own and **says so** ("shown in English"), and
//! where it is the editors' translation it says that too: a reader must never take a
//! translation for the source's words, nor English for a missing translation of the page.
//! Every such text carries its `lang`, so a screen reader reads it with the right voice.
//!
//! *Why here and not in core:* core picks the text ([`annals_core::lang::pick`]); the words
//! of the notes are the interface's, translated in its catalogs.

use annals_core::lang::{same_language, Origin, Shown};
use yew::prelude::*;

use crate::i18n::{self, en, t, tf, Lang};

/// The language the record's texts are picked for: the interface's.
pub fn want() -> &'static str {
    i18n::current().code()
}

/// "shown in English" when a text is not in the interface's language; `None` when it is.
pub fn elsewhere(s: &Shown<'_>) -> Option<String> {
    if same_language(s.lang, want()) {
        return None;
    }
    Some(match Lang::from_tag(s.lang) {
        Some(l) => t(match l {
            Lang::En => en("shown in English"),
            Lang::Az => en("shown in Azerbaijani"),
            Lang::Ru => en("shown in Russian"),
            Lang::Be => en("shown in Belarusian"),
        })
        .to_owned(),
        None => tf("shown in the language {0}", &[&s.lang]),
    })
}

/// What a reader is told about a text: it is in another language than theirs, or it is the
/// editors' translation, or a source's own words; nothing for the record's own text in the
/// reader's language.
pub fn note(s: &Shown<'_>) -> Option<String> {
    elsewhere(s).or_else(|| {
        Some(
            t(match s.origin? {
                Origin::Translation => en("translated by the record's editors"),
                Origin::Source => en("the source's own words, as published"),
            })
            .to_owned(),
        )
    })
}

/// A text as an inline element with its `lang` (for a heading, a list row, a tooltip).
pub fn words(s: &Shown<'_>) -> Html {
    html! { <span lang={s.lang.to_owned()}>{ s.text.to_owned() }</span> }
}

/// The note of [`note`] as a small line under a text, when there is one.
pub fn note_line(s: &Shown<'_>) -> Html {
    match note(s) {
        Some(n) => html! { <p class="lang-note">{ n }</p> },
        None => html! {},
    }
}

/// The short mark a row or tooltip carries when its text is not in the reader's language.
pub fn badge(s: &Shown<'_>) -> Html {
    match elsewhere(s) {
        Some(n) => html! { <span class="badge lang-badge">{ n }</span> },
        None => html! {},
    }
}
