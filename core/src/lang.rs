//! Record text in several languages: an event's title and summary, a source's title and
//! quote, a record's title, description and introduction, each given per language tag.
//!
//! A text of the record stays one plain field (`title`, `summary`, …) in the record's own
//! language ([`crate::event::DomainEvent::lang`], English unless it says otherwise), and its
//! other languages sit beside it in a map by tag (`titles`, `summaries`, …). *Why beside, not
//! instead:* everything that reads `title` (the timeline's labels, the exports, the
//! validator's length rules, other tools' writers) keeps reading one string, and a record
//! in one language does not change at all.
//!
//! Every text in another language says whose words it is ([`Origin`]): the source's own, as
//! it published them (a Russian agency's headline), or a translation made by the record's
//! editors. The field is required, so no translation can pass for a source's words by
//! omission; and a text that claims to be a source's must be found in one of the sources the
//! event cites (checked by [`crate::validate`]).
//!
//! *Architecture invariant:* core picks a text ([`pick`]) and says which language it is in
//! and whose it is; saying so to a reader ("shown in English", "translation") is the
//! front end's.

use crate::problem::{Quoted, Said};
use crate::says;

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// Whose words a text in another language is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// The source's own words, as it published them in this language.
    Source,
    /// A translation made by the record's editors.
    Translation,
}

impl Origin {
    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            Origin::Source => "source",
            Origin::Translation => "translation",
        }
    }
}

/// A text in one language, and whose words it is. (Read with [`deserialize_texts`].)
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct LangText {
    /// The words, as plain text.
    pub text: String,
    /// Whose words they are (required: a file must say).
    pub origin: Origin,
}

impl LangText {
    /// A translation by the record's editors.
    pub fn translation(text: impl Into<String>) -> Self {
        Self { text: text.into(), origin: Origin::Translation }
    }

    /// A source's own words.
    pub fn source(text: impl Into<String>) -> Self {
        Self { text: text.into(), origin: Origin::Source }
    }
}

/// A text's other languages, by language tag (`{"ru": {"text": "…", "origin": "translation"}}`).
pub type Texts = BTreeMap<String, LangText>;

/// Reads [`Texts`] (`#[serde(deserialize_with = …)]`): through a JSON value, then by hand.
///
/// *Why not derived:* a derived decoder is instantiated once per deserializer the payload
/// types are read with (several in the browser), and these maps sit in every event and
/// source; a JSON value's decoder is there already. The page's bundle has a hard budget.
pub fn deserialize_texts<'de, D: Deserializer<'de>>(d: D) -> Result<Texts, D::Error> {
    texts_from_value(Value::deserialize(d)?).map_err(|said| serde::de::Error::custom(said.carried()))
}

/// [`Texts`] from a JSON value, or what is wrong with it in plain words.
pub fn texts_from_value(value: Value) -> Result<Texts, Said> {
    let Value::Object(map) = value else {
        return Err(says!(
            "expected texts by language tag: {\"ru\": {\"text\": \"…\", \"origin\": \"translation\"}}, found {0}",
            value
        ));
    };
    let mut out = Texts::new();
    for (tag, text) in map {
        let tag_shown = || format!("{tag:?}");
        let Value::Object(mut fields) = text else {
            return Err(says!(
                "{0}: expected {\"text\": \"…\", \"origin\": \"source\" or \"translation\"}",
                tag_shown()
            ));
        };
        let words = match fields.remove("text") {
            Some(Value::String(s)) => s,
            Some(other) => return Err(says!("{0}: text is {1}; expected a string", tag_shown(), other)),
            None => {
                return Err(says!("{0}: the field text is missing; expected the text in that language", tag_shown()))
            }
        };
        let origin = match fields.remove("origin") {
            Some(Value::String(s)) if s == "source" => Origin::Source,
            Some(Value::String(s)) if s == "translation" => Origin::Translation,
            Some(other) => {
                return Err(says!("{0}: origin is {1}; expected \"source\" or \"translation\"", tag_shown(), other))
            }
            None => {
                return Err(says!(
                    "{0}: the field origin is missing; expected \"source\" or \"translation\"",
                    tag_shown()
                ))
            }
        };
        if let Some(unknown) = fields.keys().next() {
            return Err(says!("{0}: unknown field {1}; expected only text and origin", tag_shown(), unknown));
        }
        out.insert(tag, LangText { text: words, origin });
    }
    Ok(out)
}

/// The language of a record's own text when it does not name one.
pub const DEFAULT_LANG: &str = "en";

/// A text as it is to be shown to a reader of some language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown<'a> {
    /// The words.
    pub text: &'a str,
    /// The language they are in (a tag as the record writes it).
    pub lang: &'a str,
    /// Whose words they are when they are not the record's own text; `None` for the record's
    /// own (the plain field).
    pub origin: Option<Origin>,
}

/// The text for a reader of language `want` (a BCP 47 tag): the record's own text when it is
/// in that language, else the text given for that exact tag, else for its primary language
/// (`ru` for `ru-BY`), else the record's own text in its own language `own`.
pub fn pick<'a>(own_text: &'a str, own: &'a str, texts: &'a Texts, want: &str) -> Shown<'a> {
    let mine = Shown { text: own_text, lang: own, origin: None };
    if same_language(own, want) {
        return mine;
    }
    let primary = primary(want);
    let exact = texts.iter().find(|(k, _)| k.eq_ignore_ascii_case(want));
    let found = exact.or_else(|| texts.iter().find(|(k, _)| primary_matches(k, primary)));
    found.map_or(mine, |(k, t)| Shown { text: &t.text, lang: k, origin: Some(t.origin) })
}

/// The primary language subtag of a tag (`ru` of `ru-BY`).
pub fn primary(tag: &str) -> &str {
    tag.split(['-', '_']).next().unwrap_or(tag)
}

fn primary_matches(tag: &str, want_primary: &str) -> bool {
    tag.eq_ignore_ascii_case(want_primary) || primary(tag).eq_ignore_ascii_case(want_primary)
}

/// Whether two tags name the same language for a reader (their primary subtags agree).
pub fn same_language(a: &str, b: &str) -> bool {
    primary(a).eq_ignore_ascii_case(primary(b))
}

/// The ISO 639-1 two-letter codes, concatenated: the primary subtags a tag may have.
const ISO_639_1: &str = "aaabaeafakamanarasavayazbabebgbhbibmbnbobrbscacechcocrcscucvcydadedvdzeeeleneoeseteufafffifjfofrfygagdglgngugvhahehihohrhthuhyhziaidieigiiikioisitiujajvkakgkikjkkklkmknkokrkskukvkwkylalblglilnloltlulvmgmhmimkmlmnmrmsmtmynanbndnengnlnnnonrnvnyocojomorospipiplpsptqurmrnrorurwsascsdsesgsiskslsmsnsosqsrssstsusvswtatetgthtitktltntotrtstttwtyugukuruzvevivowawoxhyiyozazhzu";

/// Checks a language tag: a known two-letter language (ISO 639-1, lowercase or not),
/// optionally followed by subtags of 2 to 8 letters or digits (`az-Latn`, `ru-BY`).
pub fn check_tag(tag: &str) -> Result<(), Said> {
    let mut parts = tag.split('-');
    let first = parts.next().unwrap_or("").to_ascii_lowercase();
    let known = first.len() == 2
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && ISO_639_1.as_bytes().chunks(2).any(|c| c == first.as_bytes());
    if !known {
        return Err(says!("{0} is not a known language tag; expected a two-letter language code such as \"ru\", \"az\" or \"be\", optionally with a region or script (\"az-Latn\")", Quoted(&tag)));
    }
    if let Some(bad) = parts.find(|p| !(2..=8).contains(&p.len()) || !p.bytes().all(|b| b.is_ascii_alphanumeric())) {
        return Err(says!("{0} has a subtag {1} that is not 2 to 8 letters or digits; expected a tag such as \"az-Latn\" or \"ru-BY\"", Quoted(&tag), Quoted(&bad)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(pairs: &[(&str, &str, Origin)]) -> Texts {
        pairs.iter().map(|(k, t, o)| ((*k).to_owned(), LangText { text: (*t).to_owned(), origin: *o })).collect()
    }

    #[test]
    fn a_reader_gets_their_language_else_the_records_own() {
        let t = texts(&[("ru", "Визит", Origin::Source), ("az-Latn", "Səfər", Origin::Translation)]);
        let cases = [
            ("ru", "Визит", "ru", Some(Origin::Source)),
            ("ru-BY", "Визит", "ru", Some(Origin::Source)),
            ("az", "Səfər", "az-Latn", Some(Origin::Translation)),
            ("AZ-latn", "Səfər", "az-Latn", Some(Origin::Translation)),
            ("be", "Visit", "en", None),
            ("en-GB", "Visit", "en", None),
        ];
        for (want, text, lang, origin) in cases {
            assert_eq!(pick("Visit", "en", &t, want), Shown { text, lang, origin }, "{want}");
        }
        // The record's own language wins over a text given for it in the map.
        let own_ru = texts(&[("en", "Visit", Origin::Translation)]);
        assert_eq!(pick("Визит", "ru", &own_ru, "ru").origin, None);
        assert_eq!(pick("Визит", "ru", &own_ru, "en").text, "Visit");
    }

    #[test]
    fn tags_are_known_languages_with_plain_subtags() {
        for good in ["ru", "az", "be", "en", "az-Latn", "ru-BY", "EN", "zh-Hant-TW"] {
            assert_eq!(check_tag(good), Ok(()), "{good}");
        }
        for bad in ["", "xx", "rus", "r", "ru_RU", "ru-", "az-Latin-extralong", "русский", "q1"] {
            assert!(check_tag(bad).is_err(), "{bad}");
        }
        assert!(ISO_639_1.len().is_multiple_of(2));
    }
}
