//! The interface's language: English, Azerbaijani, Russian or Belarusian — its texts, dates,
//! numbers and plural forms.
//!
//! **The English text is the key** (as in gettext): every interface text is written in the
//! code in English and wrapped — [`t`] for a text, [`tf`] for one with values (`{0}`, `{1}`…,
//! which a translation may reorder), [`crate::words::count`] for a counted word. *Why:* the
//! English text must be in the bundle anyway (it is the fallback while a catalog loads, or
//! when one lacks a text), so a key of its own would only add bytes; and the source shows what
//! the reader sees. A changed English text loses its translations until the catalogs follow —
//! which the check of the catalogs (`tests/catalogs.rs`, every wrapped text of the source in
//! every catalog, no catalog text the source no longer has) makes a failing test, not a
//! silent English word.
//!
//! **The other languages are catalogs fetched when chosen** (`lang/az.json`, `lang/ru.json`,
//! `lang/be.json`, copied beside the bundle and precompressed like it): the main bundle has a
//! hard size budget, and a reader needs one language, not three. A catalog carries its
//! language, its name and a note that it is the Annals project's own translation; a counted
//! word is an object with the plural categories of its language (`one`/`few`/`many`/`other`
//! for Russian and Belarusian, `one`/`other` for Azerbaijani).
//!
//! **Dates, numbers and plural categories come from the browser's `Intl`**, not from tables in
//! the bundle: when a catalog is set, the month names of the language are read once from
//! `Intl.DateTimeFormat` (the form a month takes after a day, "16 мая", and its standalone form,
//! "май 2024"), and the page composes from them a date that says no more than is known — a
//! year-only date is the year, a month-precise date the month and year. Where the browser does
//! not have a language's months (Chromium knows no Belarusian dates, and Azerbaijani ones
//! without month names: "2024 M05 16"), the catalog's own month names serve — they are fetched
//! with it, not shipped in the bundle. Counts use `Intl.PluralRules` and `Intl.NumberFormat`.
//! English keeps core's labels (`PartialDate::label`).
//!
//! **One language per bundle instance.** The texts are looked up in the instance's current
//! catalog, not passed down through every component: the app and the iframe page have one
//! language; on a host page, `annals-embed.js` starts one instance of the bundle per language
//! its widgets' `lang` attributes name, so each widget still speaks its own (ARCHITECTURE.md).
//! A shell loads its language before it renders ([`choose`]); the app's
//! menu changes it in place and draws its views again.

use std::cell::RefCell;
use std::fmt::Display;
use std::rc::Rc;

use annals_core::date::PartialDate;
use annals_core::event::{DocumentKind, Role, VisitLevel};
use annals_core::{ActorKind, EventKind, Occurred};

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English, the code's own texts.
    #[default]
    En,
    /// Azerbaijani, in Latin script.
    Az,
    /// Russian.
    Ru,
    /// Belarusian.
    Be,
}

impl Lang {
    /// Every language, in the menu's order.
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Az, Lang::Ru, Lang::Be];

    /// The language's code (BCP 47), in `lang=`, `<html lang>` and the catalog's file name.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Az => "az",
            Lang::Ru => "ru",
            Lang::Be => "be",
        }
    }

    /// The language's name in itself, as the menu shows it.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Az => "Azərbaycanca",
            Lang::Ru => "Русский",
            Lang::Be => "Беларуская",
        }
    }

    /// The interface language a language tag asks for ("ru-BY" → Russian, "az-Latn" →
    /// Azerbaijani), by its primary subtag; `None` for one the interface does not speak.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?;
        Lang::ALL.into_iter().find(|l| l.code().eq_ignore_ascii_case(primary))
    }

    /// The first of the reader's languages (in their order of preference) that the interface
    /// speaks, else English.
    pub fn negotiate<'a>(tags: impl IntoIterator<Item = &'a str>) -> Lang {
        tags.into_iter().find_map(Lang::from_tag).unwrap_or_default()
    }
}

/// One text of a catalog: a translation, or the forms of a counted word by plural category.
#[derive(Debug)]
enum Text {
    Plain(&'static str),
    Plural(Vec<(&'static str, &'static str)>),
}

/// A language's texts and what the browser says about its dates.
#[derive(Debug)]
pub struct Catalog {
    /// The catalog's language.
    pub lang: Lang,
    /// Who translated it ("translated by the Annals project", in the language).
    pub note: &'static str,
    /// By English text, sorted (a binary search: no hasher in the bundle for it).
    texts: Vec<(&'static str, Text)>,
    months: Months,
}

/// Month names from `Intl.DateTimeFormat`, read once per language (index 0 is January).
#[derive(Debug, Default)]
struct Months {
    /// After a day number: "16 мая 2024".
    after_day: Vec<String>,
    /// On its own, with a year: "май 2024".
    alone: Vec<String>,
    /// Short, on its own (the timeline's axis).
    short_alone: Vec<String>,
    /// Short, after a day ("16 мая" on the axis).
    short_after_day: Vec<String>,
}

impl Catalog {
    /// Reads a catalog file (see the module docs). Its strings live as long as the page: a
    /// page loads each language at most once.
    pub fn parse(lang: Lang, json: &str) -> Result<Catalog, String> {
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| format!("{e}"))?;
        let leak = |s: &str| -> &'static str { Box::leak(s.to_owned().into_boxed_str()) };
        let note = value.get("translation").and_then(|v| v.as_str()).map_or("", leak);
        // The catalog's month names, for a browser whose `Intl` lacks the language.
        let list = |name: &str| -> Vec<String> {
            let names = value.get("months").and_then(|m| m.get(name)).and_then(|l| l.as_array());
            names.map(|l| l.iter().filter_map(|n| Some(n.as_str()?.to_owned())).collect()).unwrap_or_default()
        };
        let months = Months {
            after_day: list("after_day"),
            alone: list("alone"),
            short_alone: list("short_alone"),
            short_after_day: list("short_after_day"),
        };
        let texts: Vec<(&'static str, Text)> = value
            .get("texts")
            .and_then(|v| v.as_object())
            .ok_or("the catalog has no \"texts\" object")?
            .iter()
            .filter_map(|(key, text)| {
                let text = match text {
                    serde_json::Value::String(s) => Text::Plain(leak(s)),
                    serde_json::Value::Object(forms) => {
                        Text::Plural(forms.iter().filter_map(|(c, f)| Some((leak(c), leak(f.as_str()?)))).collect())
                    }
                    _ => return None,
                };
                Some((leak(key), text))
            })
            .collect();
        // Already in order: serde_json's objects are ordered maps (by key, as `str` orders).
        Ok(Catalog { lang, note, texts, months })
    }

    fn get(&self, en: &str) -> Option<&Text> {
        let i = self.texts.binary_search_by(|(k, _)| (*k).cmp(en)).ok()?;
        Some(&self.texts[i].1)
    }

    fn plain(&self, en: &str) -> Option<&'static str> {
        match self.get(en)? {
            Text::Plain(s) => Some(s),
            Text::Plural(_) => None,
        }
    }
}

thread_local! {
    /// The page's current catalog (`None`: English).
    static CURRENT: RefCell<Option<Rc<Catalog>>> = const { RefCell::new(None) };
    /// The catalogs this page has loaded, by language.
    static LOADED: RefCell<Vec<Rc<Catalog>>> = const { RefCell::new(Vec::new()) };
}

fn with_current<R>(f: impl FnOnce(Option<&Catalog>) -> R) -> R {
    CURRENT.with(|c| f(c.borrow().as_deref()))
}

/// The language the interface speaks now.
pub fn current() -> Lang {
    with_current(|c| c.map_or(Lang::En, |c| c.lang))
}

/// The current catalog's translator note (empty in English).
pub fn note() -> &'static str {
    with_current(|c| c.map_or("", |c| c.note))
}

/// Makes `catalog` the page's language (`None`: English).
pub fn set(catalog: Option<Rc<Catalog>>) {
    if let Some(c) = catalog.as_ref().filter(|c| LOADED.with(|l| l.borrow().iter().all(|l| l.lang != c.lang))) {
        LOADED.with(|l| l.borrow_mut().push(c.clone()));
    }
    CURRENT.with(|c| *c.borrow_mut() = catalog);
}

/// Marks an English text for the catalogs where it is chosen, and [`t`] translates it where it
/// is used (`t(match k { A => en("…"), … })`): one lookup, not one per arm.
pub const fn en(text: &'static str) -> &'static str {
    text
}

/// An interface text in the current language: `en`, the English text, is its key.
#[inline(never)]
pub fn t(en: &'static str) -> &'static str {
    with_current(|c| c.and_then(|c| c.plain(en))).unwrap_or(en)
}

/// [`t`] as a text node of the page. *Why:* a `&str` becomes a text node by a conversion that
/// yew inlines where it is used, and at a hundred texts that was bytes the bundle's budget
/// does not have; this is one call per text.
#[inline(never)]
pub fn tx(en: &'static str) -> yew::Html {
    yew::virtual_dom::VText::new(yew::AttrValue::Static(t(en))).into()
}

/// An interface text with values: `{0}`, `{1}`… in the text (English or translated) are
/// replaced by `args` in order of their numbers.
#[inline(never)]
pub fn tf(en: &'static str, args: &[&dyn Display]) -> String {
    fill(t(en), args)
}

fn fill(text: &str, args: &[&dyn Display]) -> String {
    annals_core::problem::fill(text, args, &words)
}

/// A message text's translation in the current catalog, any text (not only the source's
/// literals): core's and the file readers' messages ([`annals_core::problem::Said`]).
fn words(en: &str) -> Option<&'static str> {
    with_current(|c| c.and_then(|c| c.plain(en)))
}

/// A problem's message in the interface's language, and whether it is in it (`false`: the
/// English sentence, for a message the catalog lacks or another program's without a text —
/// the page marks it `lang="en"`). Its values are filled into the translation as core fills
/// them into the English.
pub fn problem(p: &annals_core::Problem) -> (String, bool) {
    message(&p.text, &p.args, &p.message)
}

/// A message given as its English text with `{0}`… (`text`), its values (`args`) and the
/// English sentence (`english`) — a problem, or a diagnostic in the service's answer — in the
/// interface's language, and whether it is in it (see [`problem`]).
pub fn message(text: &str, args: &[String], english: &str) -> (String, bool) {
    match words(text) {
        Some(text) => {
            let args: Vec<&dyn Display> = args.iter().map(|a| a as &dyn Display).collect();
            (fill(text, &args), true)
        }
        None => (english.to_owned(), current() == Lang::En),
    }
}

/// A message the worker sends as one string (`FromWorker::Failed`: a carried
/// [`annals_core::problem::Said`]) in the interface's language; a plain string as it is.
pub fn said(message: &str) -> String {
    fill("{0}", &[&message])
}

/// The word for `n` things: `one`/`many` in English (which together are the catalog's key,
/// `"event|events"`), else the form of `n`'s plural category in the current language.
pub fn plural(n: u64, one: &'static str, many: &'static str) -> String {
    let english = || if n == 1 { one } else { many };
    with_current(|c| {
        let Some(c) = c else { return english().to_owned() };
        let Some(Text::Plural(forms)) = c.get(&format!("{one}|{many}")) else {
            return english().to_owned();
        };
        let category = category(n);
        forms
            .iter()
            .find(|(c, _)| *c == category)
            .or_else(|| forms.iter().find(|(c, _)| *c == "other"))
            .map_or_else(|| english().to_owned(), |(_, f)| (*f).to_owned())
    })
}

/// A count written for the current language ("12 345" in Russian, "12345" in English, as the
/// record's own numbers are): `Intl.NumberFormat` where the browser knows the language, else
/// plain digits (never another language's separators).
pub fn number(n: u64) -> String {
    #[cfg(target_arch = "wasm32")]
    if current() != Lang::En {
        use web_sys::js_sys::{Array, Intl::NumberFormat, JsString, Number, Object};
        let code = current().code();
        if NumberFormat::supported_locales_of(&Array::of1(&JsString::from(code)), &Object::new()).length() > 0 {
            return Number::from(n as f64).to_locale_string(code).into();
        }
    }
    n.to_string()
}

/// The plural category of `n` in the current language (`Intl.PluralRules`).
fn category(n: u64) -> String {
    #[cfg(target_arch = "wasm32")]
    if current() != Lang::En {
        use web_sys::js_sys::{Array, Intl::PluralRules, JsString, Object};
        let rules = PluralRules::new(&Array::of1(&JsString::from(current().code())), &Object::new());
        return rules.select(n as f64).into();
    }
    if n == 1 { "one" } else { "other" }.to_owned()
}

/// An event kind's name for people ("Commission meeting"; core's labels are the keys, and the
/// check of the catalogs asks for every kind).
pub fn kind(k: EventKind) -> &'static str {
    t(k.label())
}

/// A role in an event, for people.
pub fn role(r: Role) -> &'static str {
    t(match r {
        Role::Participant => en("participant"),
        Role::Visitor => en("visitor"),
        Role::Host => en("host"),
        Role::Party => en("party"),
        Role::CoChair => en("co-chair"),
        Role::Caller => en("caller"),
        Role::Recipient => en("recipient"),
        Role::Speaker => en("speaker"),
        Role::Addressee => en("addressee"),
    })
}

/// The level of a visit, for people.
pub fn level(l: VisitLevel) -> &'static str {
    t(match l {
        VisitLevel::State => en("state"),
        VisitLevel::Official => en("official"),
        VisitLevel::Working => en("working"),
        VisitLevel::Private => en("private"),
        VisitLevel::Multilateral => en("multilateral"),
    })
}

/// The kind of a signed document, for people.
pub fn document_kind(k: DocumentKind) -> &'static str {
    t(match k {
        DocumentKind::Agreement => en("agreement"),
        DocumentKind::Protocol => en("protocol"),
        DocumentKind::Memorandum => en("memorandum"),
        DocumentKind::Plan => en("plan"),
        DocumentKind::Declaration => en("declaration"),
        DocumentKind::Statement => en("statement"),
        DocumentKind::Treaty => en("treaty"),
        DocumentKind::Programme => en("programme"),
        DocumentKind::Roadmap => en("roadmap"),
        DocumentKind::Contract => en("contract"),
        DocumentKind::Other => en("other document"),
    })
}

/// What an actor is, for people (`None`: an actor the record does not describe).
pub fn actor_kind(k: Option<ActorKind>) -> &'static str {
    t(match k {
        Some(ActorKind::Country) => en("country"),
        Some(ActorKind::Person) => en("person"),
        Some(ActorKind::Organization) => en("organization"),
        Some(ActorKind::Commission) => en("commission"),
        Some(ActorKind::Place) => en("place"),
        None => en("actor"),
    })
}

/// A year for people: the calendar's as [`era_year`] ("2009", "3500 BC"), deep time's as
/// [`deep_year`] ("13.8 billion years ago").
pub fn year(year: i64) -> String {
    if annals_core::date::CALENDAR_YEARS.contains(&year) {
        era_year(year)
    } else {
        deep_year(year)
    }
}

/// A calendar year as people read it: a year of the common era is its number, one before it
/// carries its era — "3500 BC", "3500 г. до н. э.", "e.ə. 3500" (a file writes 3500 BC as
/// `-3500`, docs/format.md). The era is the catalog's text, not `Intl.DateTimeFormat`'s:
/// Chromium has it for Russian only of the three (Azerbaijani gets the fallback "BCE 3500",
/// Belarusian nothing), and the page's budget has no room for code that would ask it for one
/// language.
pub fn era_year(year: i64) -> String {
    if year < 0 {
        tf("{0} BC", &[&year.unsigned_abs()])
    } else {
        year.to_string()
    }
}

/// A year of deep time, beyond the calendar's ±9999 (such a date is known to the year only):
/// years before now, "13.8 billion years ago", "315,000 years ago" — the count exact, in the
/// long compact form of `Intl.NumberFormat` where the browser has the language ("13,8
/// миллиарда лет назад"), in English words from core otherwise — and a future year "year 12,000".
pub fn deep_year(year: i64) -> String {
    let n = year.unsigned_abs();
    let count = deep_count(n);
    if year < 0 {
        tf("{0} years ago", &[&count])
    } else {
        tf("year {0}", &[&count])
    }
}

/// A large count for [`deep_year`]: "13.79963 billion", "315,000" (exact: every digit given).
fn deep_count(n: u64) -> String {
    #[cfg(target_arch = "wasm32")]
    if current() != Lang::En {
        use web_sys::js_sys::{Array, Intl::NumberFormat, JsString, Object, Reflect};
        let code = current().code();
        let locales = Array::of1(&JsString::from(code));
        if NumberFormat::supported_locales_of(&locales, &Object::new()).length() > 0 {
            let options = Object::new();
            if n >= 1_000_000 {
                let _ = Reflect::set(&options, &"notation".into(), &"compact".into());
                let _ = Reflect::set(&options, &"compactDisplay".into(), &"long".into());
            }
            let _ = Reflect::set(&options, &"maximumSignificantDigits".into(), &21.into());
            let format = NumberFormat::new(&locales, &options).format();
            if let Some(text) =
                format.call1(&wasm_bindgen::JsValue::NULL, &(n as f64).into()).ok().and_then(|v| v.as_string())
            {
                return text;
            }
        }
        return n.to_string();
    }
    annals_core::date::large_number(n)
}

/// A date for people that says no more than is known: "2009", "May 2024", "16 May 2024",
/// "15 March 44 BC" in English; "май 2024", "16 мая 2024", "15 марта 44 г. до н. э." in
/// Russian; "may 2024", "16 may 2024" in Azerbaijani; in deep time [`deep_year`].
pub fn date(d: &PartialDate) -> String {
    if d.is_deep() {
        return deep_year(d.year_value());
    }
    with_current(|c| match c {
        Some(c) if c.months.alone.len() == 12 && c.months.after_day.len() == 12 => {
            let year = era_year(d.year_value());
            match (d.month_value(), d.day_value()) {
                (None, _) => year,
                (Some(m), None) => format!("{} {year}", c.months.alone[usize::from(m) - 1]),
                (Some(m), Some(day)) => format!("{day} {} {year}", c.months.after_day[usize::from(m) - 1]),
            }
        }
        _ => d.label(),
    })
}

/// When an event happened, for people: [`date`], or a range ("16–17 мая 2024",
/// "17 октября 2006 – 18 октября 2007").
pub fn occurred(o: &Occurred) -> String {
    if current() == Lang::En {
        return o.label();
    }
    let Some(end) = o.end() else { return date(&o.start()) };
    let s = o.start();
    match (s.day_value(), end.day_value()) {
        (Some(sd), Some(ed)) if s.year_value() == end.year_value() && s.month_value() == end.month_value() => {
            let whole = date(&end);
            let rest = whole.split_once(' ').map_or("", |(_, r)| r);
            format!("{sd}–{ed} {rest}")
        }
        _ => format!("{} – {}", date(&s), date(&end)),
    }
}

/// A short month on the timeline's axis: "Feb", or with its day, "16 May" (`None`: the month
/// alone).
pub fn short_month(month: u8, day: Option<u8>) -> String {
    const EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let i = usize::from(month.clamp(1, 12) - 1);
    with_current(|c| match (c, day) {
        (Some(c), None) if c.months.short_alone.len() == 12 => c.months.short_alone[i].clone(),
        (Some(c), Some(d)) if c.months.short_after_day.len() == 12 => format!("{d} {}", c.months.short_after_day[i]),
        (_, None) => EN[i].to_owned(),
        (_, Some(d)) => format!("{d} {}", EN[i]),
    })
}

/// Loads a language's catalog from `lang/CODE.json` under `base` (the bundle's directory,
/// ending in `/`; empty: the page's own) — or takes it from the catalogs already loaded — and
/// makes it the page's language. English needs nothing.
#[cfg(target_arch = "wasm32")]
pub async fn load(lang: Lang, base: &str) -> Result<(), String> {
    if lang == Lang::En {
        set(None);
        return Ok(());
    }
    if let Some(c) = LOADED.with(|l| l.borrow().iter().find(|c| c.lang == lang).cloned()) {
        set(Some(c));
        return Ok(());
    }
    let url = format!("{base}lang/{}.json", lang.code());
    let answer = crate::http::get(&url).await?;
    if !answer.ok() {
        return Err(format!("{url}: {} {}", answer.status(), answer.status_text()));
    }
    let mut catalog = Catalog::parse(lang, &answer.text().await?).map_err(|e| format!("{url}: {e}"))?;
    if let Some(months) = months(lang) {
        catalog.months = months;
    }
    set(Some(Rc::new(catalog)));
    Ok(())
}

/// The month names of `lang`, from `Intl.DateTimeFormat`: each month's name is the `month`
/// part of a formatted date of that month (so "мая" after a day and "май" before a year).
/// `None` where the browser does not have them — it does not know the language (Chromium's
/// Belarusian), or knows it without its month names ("M05", Chromium's Azerbaijani) —: the
/// catalog's own names are used then.
#[cfg(target_arch = "wasm32")]
fn months(lang: Lang) -> Option<Months> {
    use web_sys::js_sys::{Array, Date, Intl::DateTimeFormat, JsString, Object, Reflect};
    let locales = Array::of1(&JsString::from(lang.code()));
    if DateTimeFormat::supported_locales_of(&locales, &Object::new()).length() == 0 {
        return None;
    }
    let format = |fields: &[(&str, &str)]| {
        let options = Object::new();
        for (k, v) in fields {
            let _ = Reflect::set(&options, &JsString::from(*k), &JsString::from(*v));
        }
        let f = DateTimeFormat::new(&locales, &options);
        (1..=12)
            .map(|m| {
                let parts = f.format_to_parts(&Date::new_with_year_month_day(2001, m - 1, 15));
                parts
                    .iter()
                    .find(|p| {
                        Reflect::get(p, &"type".into()).ok().and_then(|t| t.as_string()).as_deref() == Some("month")
                    })
                    .and_then(|p| Reflect::get(&p, &"value".into()).ok()?.as_string())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
    };
    let months = Months {
        after_day: format(&[("day", "numeric"), ("month", "long"), ("year", "numeric")]),
        alone: format(&[("month", "long"), ("year", "numeric")]),
        short_alone: format(&[("month", "short")]),
        short_after_day: format(&[("day", "numeric"), ("month", "short")]),
    };
    let named = |l: &[String]| l.iter().all(|m| !m.is_empty() && !m.contains(|c: char| c.is_ascii_digit()));
    [&months.after_day, &months.alone, &months.short_alone, &months.short_after_day]
        .iter()
        .all(|l| named(l))
        .then_some(months)
}

/// The language the reader's browser prefers (`navigator.languages`), among those the
/// interface speaks; English if none.
pub fn browser_language() -> Lang {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else { return Lang::En };
    let tags: Vec<String> = navigator.languages().iter().filter_map(|v| v.as_string()).collect();
    Lang::negotiate(tags.iter().map(String::as_str))
}

/// Makes `lang` the page's language — at once if its catalog is in, else once it is loaded
/// from `base` (see [`load`]) — then calls `then` (also when the catalog could not be loaded:
/// the interface stays as it was). The shells load the language before they render, and the
/// app's menu renders again in `then`: no hook waits for it in every render (a hook that did
/// cost the bundle 3 KB gzipped). `then` is boxed: one copy of this code for every caller.
pub fn choose(lang: Lang, base: String, then: Box<dyn FnOnce()>) {
    if current() == lang {
        return then();
    }
    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = load(lang, &base).await {
            web_sys::console::warn_1(&format!("the interface stays in English: {e}").into());
        }
        then();
    });
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = base;
        then();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_names_a_language_by_its_primary_subtag() {
        assert_eq!(Lang::from_tag("ru-BY"), Some(Lang::Ru));
        assert_eq!(Lang::from_tag("az-Latn-AZ"), Some(Lang::Az));
        assert_eq!(Lang::from_tag("BE"), Some(Lang::Be));
        assert_eq!(Lang::from_tag("de"), None);
        assert_eq!(Lang::negotiate(["de-DE", "be-BY", "ru"]), Lang::Be);
        assert_eq!(Lang::negotiate(["fr"]), Lang::En);
    }

    #[test]
    fn values_fill_their_numbered_places_in_any_order() {
        assert_eq!(fill("Slide {0} of {1}", &[&3, &18]), "Slide 3 of 18");
        assert_eq!(fill("{1}: {0}", &[&"a", &"b"]), "b: a");
        assert_eq!(fill("{x} {5} {", &[&1]), "{x} {5} {");
    }

    #[test]
    fn a_catalog_translates_and_english_is_the_fallback() {
        let json = r#"{"language":"ru","translation":"Перевод проекта Annals",
            "texts":{"Timeline":"Лента","event|events":{"one":"событие","few":"события","many":"событий","other":"события"}}}"#;
        let catalog = Catalog::parse(Lang::Ru, json).expect("catalog");
        set(Some(Rc::new(catalog)));
        assert_eq!(t("Timeline"), "Лента");
        assert_eq!(t("Charts"), "Charts", "a missing text stays English");
        assert_eq!(current(), Lang::Ru);
        assert_eq!(note(), "Перевод проекта Annals");
        set(None);
        assert_eq!(t("Timeline"), "Timeline");
        assert_eq!(plural(2, "event", "events"), "events");
    }

    /// A file's problem, as the worker sends it, is said in the catalog's language with its
    /// values, also a message inside it (a date's problem after a correction); one the catalog
    /// lacks stays English and says so. (The page's own build of core keeps no values, so the
    /// problems are made as the worker's JSON brings them.)
    #[test]
    fn a_problem_is_said_in_the_language_with_its_values() {
        use annals_core::problem::Said;
        use annals_core::Problem;
        let json = r#"{"language":"ru","texts":{
            "after the correction: {0}":"после исправления: {0}",
            "day {0} does not exist in {1}":"дня {0} нет в {1}",
            "{0}: could not tell the format of this file; choose one of {1} above and try again":"{0}: не удалось определить формат этого файла; выберите выше один из форматов {1} и попробуйте снова"}}"#;
        set(Some(Rc::new(Catalog::parse(Lang::Ru, json).expect("catalog"))));
        let inner = Said { text: "day {0} does not exist in {1}", args: vec!["30".into(), "2021-02".into()] };
        let sent = serde_json::json!({
            "field": "payload.changes.occurred",
            "message": "after the correction: day 30 does not exist in 2021-02",
            "text": "after the correction: {0}",
            "args": [inner.carried()],
        });
        let problem: Problem = serde_json::from_value(sent).expect("a problem");
        assert_eq!(super::problem(&problem), ("после исправления: дня 30 нет в 2021-02".to_owned(), true));
        let other: Problem = serde_json::from_value(
            serde_json::json!({"field": "x", "message": "is empty; expected text", "text": "is empty; expected text"}),
        )
        .expect("a problem");
        assert_eq!(super::problem(&other), ("is empty; expected text".to_owned(), false));
        let failed = Said {
            text: "{0}: could not tell the format of this file; choose one of {1} above and try again",
            args: vec!["a.bin".into(), "csv".into()],
        };
        assert_eq!(
            said(&failed.carried()),
            "a.bin: не удалось определить формат этого файла; выберите выше один из форматов csv и попробуйте снова"
        );
        assert_eq!(said("plain words"), "plain words");
        set(None);
        assert_eq!(super::problem(&other), ("is empty; expected text".to_owned(), true));
    }
}
