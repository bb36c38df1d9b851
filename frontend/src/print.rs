//! The printed chronology: what paper gets when a reader prints the app page — every event
//! the filters let through, in date order, each with its sources as numbered footnotes, and
//! the filters in force said in words, so the printout stands on its own.
//!
//! *Why only while printing:* a record may hold a hundred thousand events; laying them all
//! out in the page for a print that may never come would cost every reader. The chronology
//! is built on the browser's `beforeprint` (and by the Print button, which then prints) and
//! dropped on `afterprint`; the print stylesheet hides everything else.
//!
//! Footnotes are shared: the same page cited by several events has one number.

use std::collections::HashMap;
use std::rc::Rc;

use annals_core::event::Source;
use gloo::events::EventListener;
use yew::prelude::*;

use crate::i18n::{t, tf, tx};

use crate::record::Record;
use crate::state::View;
use crate::words::count;

/// Props of [`Chronology`].
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The record.
    pub record: Rc<Record>,
    /// The view (its filters apply, and are said on paper).
    pub view: View,
}

/// Sources numbered in order of first citation; one number per page (its URL, or publisher
/// and title when it has none).
#[derive(Debug, Default)]
pub struct Footnotes<'a> {
    /// The sources, in number order (number = index + 1).
    pub list: Vec<&'a Source>,
    seen: HashMap<(String, String), usize>,
}

impl<'a> Footnotes<'a> {
    /// The number of a source, giving it the next one if it is new.
    pub fn number(&mut self, s: &'a Source) -> usize {
        let key = match &s.url {
            Some(url) => (url.clone(), String::new()),
            None => (s.publisher.clone(), s.title.clone().unwrap_or_default()),
        };
        let next = self.list.len() + 1;
        *self.seen.entry(key).or_insert_with(|| {
            self.list.push(s);
            next
        })
    }
}

/// The filters in force, in words ("Only Visit, Signing · matching “Minsk”"), or `None`.
pub fn filters_in_words(view: &View, actor_name: impl Fn(&str) -> String) -> Option<String> {
    let mut parts = Vec::new();
    if !view.kinds.is_empty() {
        parts.push(tf("only {0}", &[&view.kinds.iter().map(|k| crate::i18n::kind(*k)).collect::<Vec<_>>().join(", ")]));
    }
    if !view.query.is_empty() {
        parts.push(tf("matching “{0}”", &[&view.query]));
    }
    if let Some(a) = &view.actor {
        parts.push(tf("involving {0}", &[&actor_name(a)]));
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// Whether the page is being printed (between `beforeprint` and `afterprint`), and a way to
/// print from a button.
#[hook]
pub fn use_printing() -> (bool, Callback<MouseEvent>) {
    let printing = use_state(|| false);
    // Asked for by the button: print once the chronology is in the page.
    let asked = use_mut_ref(|| false);
    {
        let printing = printing.clone();
        use_effect_with((), move |_| {
            let listeners = web_sys::window().map(|w| {
                let (on, off) = (printing.clone(), printing);
                [
                    EventListener::new(&w, "beforeprint", move |_| on.set(true)),
                    EventListener::new(&w, "afterprint", move |_| off.set(false)),
                ]
            });
            move || drop(listeners)
        });
    }
    {
        let asked = asked.clone();
        use_effect_with(*printing, move |printing| {
            if *printing && std::mem::replace(&mut *asked.borrow_mut(), false) {
                if let Some(w) = web_sys::window() {
                    let _ = w.print();
                }
            }
        });
    }
    let print = {
        let printing = printing.clone();
        Callback::from(move |_: MouseEvent| {
            *asked.borrow_mut() = true;
            printing.set(true);
        })
    };
    (*printing, print)
}

/// The chronology with its footnotes (rendered only while printing; see the module docs).
#[function_component(Chronology)]
pub fn chronology(props: &Props) -> Html {
    let visible = crate::hooks::visible::use_visible(&props.record, &props.view);
    let projections = props.record.projections();
    let catalog = &projections.catalog;
    let events: Vec<_> = visible.iter().filter_map(|i| projections.timeline.at(*i)).collect();
    let mut notes = Footnotes::default();
    let items: Vec<(String, String, Option<String>, Vec<usize>)> = events
        .iter()
        .map(|r| {
            let marks = r.event.sources.iter().map(|s| notes.number(s)).collect();
            let want = crate::shown::want();
            let (title, summary) = (r.event.title_for(want).text.to_owned(), r.event.summary_for(want));
            (crate::i18n::occurred(&r.event.occurred), title, summary.map(|s| s.text.to_owned()), marks)
        })
        .collect();
    let total = projections.timeline.len();
    let filters = filters_in_words(&props.view, |a| catalog.actor_name(a).to_owned());
    html! {
        <section class="print-chronology" aria-label={t("Chronology for printing")}>
            <h2>{ tx("Chronology") }</h2>
            <p class="note">
                { match &filters {
                    Some(f) => tf("{0} of {1}: {2}.", &[&count(items.len(), "event", "events"), &crate::i18n::number(total as u64), &f]),
                    None => tf("All {0}.", &[&count(items.len(), "event", "events")]),
                } }
            </p>
            <ol class="chronology">
                { for items.into_iter().map(|(date, title, summary, marks)| html! {
                    <li>
                        <span class="date">{ date }</span>{ " " }
                        <strong>{ title }</strong>
                        if let Some(s) = summary { { format!(" — {s}") } }
                        { for marks.into_iter().map(|n| html! { <sup><a href={format!("#note-{n}")}>{ format!("[{n}]") }</a></sup> }) }
                    </li>
                }) }
            </ol>
            <h2>{ tx("Sources") }</h2>
            <ol class="footnotes">
                { for notes.list.iter().enumerate().map(|(i, s)| html! {
                    <li id={format!("note-{}", i + 1)}>
                        { format!("{} — {}", s.publisher, s.title.clone().unwrap_or_else(|| t("Untitled page").to_owned())) }
                        if let Some(d) = &s.date { { format!(" ({})", crate::i18n::date(d)) } }
                        if let Some(u) = &s.url { { ". " }<span class="url">{ u.clone() }</span> }
                    </li>
                }) }
            </ol>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(publisher: &str, title: &str, url: Option<&str>) -> Source {
        serde_json::from_value(serde_json::json!({ "publisher": publisher, "title": title, "url": url }))
            .expect("a source")
    }

    #[test]
    fn a_page_cited_twice_has_one_number() {
        let a = source("A", "One", Some("https://a.example/1"));
        let a_again = source("A (again)", "One, cited again", Some("https://a.example/1"));
        let b = source("B", "Two", None);
        let b_again = source("B", "Two", None);
        let mut notes = Footnotes::default();
        assert_eq!([notes.number(&a), notes.number(&b), notes.number(&a_again), notes.number(&b_again)], [1, 2, 1, 2]);
        assert_eq!(notes.list.len(), 2);
    }

    #[test]
    fn filters_are_said_in_words() {
        let mut view = View::default();
        assert_eq!(filters_in_words(&view, |a| a.to_owned()), None);
        view.kinds = [annals_core::EventKind::Visit].into_iter().collect();
        view.query = "Minsk".into();
        view.actor = Some("aze".into());
        assert_eq!(
            filters_in_words(&view, |_| "Azerbaijan".to_owned()).as_deref(),
            Some("only Visit · matching “Minsk” · involving Azerbaijan")
        );
    }
}
