//! Story mode (`view=story`): the record told one event at a time, as a journalist's
//! timeline is read — a title slide with the record's introduction, then one slide per event
//! in date order with its headline, its date as precise as the sources make it, its text,
//! actors, documents, disputes and sources (the details panel's body, [`event_body`]).
//!
//! - **Where the reader is** is the view's selection (`e=` in the address), so a deep link
//!   opens on its slide, Back/Forward and a shared link work, and switching to the timeline
//!   keeps the event selected. No selection is the title slide; a selected era is the first
//!   slide that begins in it.
//! - **Moving**: ← → (and Page Up/Down), Home/End, the Previous/Next buttons, a swipe, or the
//!   strip below, which shows where the reader is among the slides and jumps to any of them.
//!   The strip lists the slides near the current one only, so a record of a hundred thousand
//!   events costs what a few dozen buttons cost.
//! - **Screen readers** hear "Slide 3 of 18: headline, date" once per move, from one polite
//!   live region; the slide itself is not live (it would be read twice).
//! - **Motion**: a new slide fades in, unless the reader asks for reduced motion (CSS).
//! - The filters apply: the slides are the events the filters let through. A selected event
//!   they hide (a link to it) is still shown, on a card that says so and links to the story
//!   without them.
//! - **The title slide** is the record's introduction: its title, text and medium. It and
//!   every slide stand on the background their file gives (a TimelineJS slide's colour or
//!   picture, `backdrop`) under a card of the page's paper, so the text keeps its contrast
//!   on any background. A TimelineJS file with a title slide opens here
//!   (`state::default_view`).
//! - **Eras** (TimelineJS's labelled spans, core's `ERA_TAG`) are no slides: they are labelled
//!   spans over the slides they hold in the strip, and not counted as events (`Resolved::is_era`;
//!   the masthead and the list count them apart).
//! - **The strip spaces slides evenly**, not by time: each is a button a finger can take with
//!   its date written on it, and a record may reach from the Big Bang to 1969 (by time, every
//!   human date would share one pixel, as it does in TimelineJS's own strip).
//! - **On a phone the story is the screen under the view tabs**: it fills the viewport's
//!   height below them, and the tabs are scrolled to the top when it is shown and after a move
//!   from the strip at its foot (`panels`'s `use_bring_into_view`), so the reader sees which
//!   view this is, and ←/→ leave the page where it is; never in a widget.

use std::rc::Rc;

use yew::prelude::*;

use crate::i18n::{occurred, t, tf, tx};

use crate::media::Medium;
use crate::palette::kind_colour;
use crate::panels::{event_body, summary_text};
use crate::record::Record;
use crate::state::{Action, View};
use crate::visible::Visible;
use crate::words::count;

/// How many slides the strip lists on each side of the current one.
const STRIP_REACH: usize = 24;

/// A slide's background as its file gives it (`timelinejs:background.color` and `.url`, the
/// title slide's and every event's): a colour (`#` and hex only, so nothing else reaches the
/// style) and a picture (an `http(s)` address, loaded lazily without a referrer, as media
/// are). The slide's words sit on a card of the page's paper over it, so they keep their
/// contrast whatever the background.
fn backdrop(codes: &std::collections::BTreeMap<String, String>) -> (Option<&str>, Option<String>) {
    let code = |key: &str| codes.get(key).map(|v| v.trim());
    let colour = code("timelinejs:background.color").filter(|c| {
        c.strip_prefix('#').is_some_and(|h| matches!(h.len(), 3 | 6) && h.bytes().all(|b| b.is_ascii_hexdigit()))
    });
    let picture = code("timelinejs:background.url")
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .map(str::to_owned);
    (colour, picture)
}

/// Props of [`Story`].
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The record.
    pub record: Rc<Record>,
    /// The view (the selection is the slide).
    pub view: UseReducerHandle<View>,
    /// The events that pass the filters: the slides after the title slide, in date order.
    pub visible: Rc<Visible>,
}

/// Where a move goes from slide `at` of `last + 1` (0 is the title slide).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// One slide back.
    Previous,
    /// One slide on.
    Next,
    /// The title slide.
    First,
    /// The last slide.
    Last,
}

impl Move {
    /// The slide a move from `at` reaches, with `last` the last slide's number.
    pub fn from(self, at: usize, last: usize) -> usize {
        match self {
            Move::Previous => at.saturating_sub(1),
            Move::Next => (at + 1).min(last),
            Move::First => 0,
            Move::Last => last,
        }
    }

    /// The move a key asks for, if any.
    pub fn of_key(key: &str) -> Option<Move> {
        Some(match key {
            "ArrowLeft" | "PageUp" => Move::Previous,
            "ArrowRight" | "PageDown" => Move::Next,
            "Home" => Move::First,
            "End" => Move::Last,
            _ => return None,
        })
    }
}

/// The slides the strip lists around slide `at` of `total`: a range of slide numbers.
pub fn strip_range(at: usize, total: usize) -> std::ops::Range<usize> {
    let start = at.saturating_sub(STRIP_REACH);
    let end = (at + STRIP_REACH + 1).min(total);
    start..end
}

/// The story: the slide, the controls, the strip.
#[function_component(Story)]
pub fn story(props: &Props) -> Html {
    let projections = props.record.projections();
    let timeline = &projections.timeline;
    // The eras among the events the filters let through are no slides (see the module docs); a
    // record without eras keeps its list as it is.
    let is_era = |i: &usize| timeline.at(*i).is_some_and(|r| r.is_era());
    let eras: Vec<usize> = props.visible.iter().copied().filter(is_era).collect();
    let kept: Vec<usize>;
    let slides: &[usize] = if eras.is_empty() {
        &props.visible
    } else {
        kept = props.visible.iter().copied().filter(|i| !is_era(i)).collect();
        &kept
    };
    let last = slides.len();
    // The selection's slide (1-based; 0 is the title slide, or a selected event the filters
    // hide: `hidden` below). A selected era (a link to it, say) is the first slide that begins in it.
    let at = props
        .view
        .selected
        .as_deref()
        .and_then(|id| {
            let slide = |within: &dyn Fn(&annals_core::catalog::Resolved) -> bool| {
                slides.iter().position(|i| timeline.at(*i).is_some_and(|r| within(r)))
            };
            slide(&|r| r.id.as_str() == id).or_else(|| {
                let era = projections.catalog.event(id).filter(|r| r.is_era())?;
                let span = era.event.occurred.first_day()..=era.event.occurred.last_day();
                slide(&|r| span.contains(&r.event.occurred.first_day()))
            })
        })
        .map_or(0, |p| p + 1);
    let id_of = |slide: usize| -> Option<String> {
        slide.checked_sub(1).and_then(|i| slides.get(i)).and_then(|i| timeline.at(*i)).map(|r| r.id.as_str().to_owned())
    };
    // Selecting a slide's event (or nothing: the title slide).
    let go = {
        let view = props.view.clone();
        move |id: Option<String>| {
            let view = view.clone();
            Callback::from(move |_: MouseEvent| view.dispatch(Action::Select(id.clone())))
        }
    };
    // Where each move goes from here: the ids are looked up for these four slides only.
    let targets: Vec<(Move, Option<String>)> = [Move::Previous, Move::Next, Move::First, Move::Last]
        .into_iter()
        .map(|m| (m, id_of(m.from(at, last))))
        .collect();
    let onkeydown = {
        let view = props.view.clone();
        let targets = targets.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.alt_key() || e.ctrl_key() || e.meta_key() {
                return;
            }
            let Some(m) = Move::of_key(&e.key()) else { return };
            e.prevent_default();
            if let Some((_, id)) = targets.iter().find(|(t, _)| *t == m) {
                view.dispatch(Action::Select(id.clone()));
            }
        })
    };
    // A swipe: a horizontal pointer move of 48 px or more between down and up.
    let swipe_from = use_mut_ref(|| None::<i32>);
    let onpointerdown = {
        let swipe_from = swipe_from.clone();
        Callback::from(move |e: PointerEvent| *swipe_from.borrow_mut() = Some(e.client_x()))
    };
    let onpointerup = {
        let (view, targets) = (props.view.clone(), targets.clone());
        Callback::from(move |e: PointerEvent| {
            let Some(x0) = swipe_from.borrow_mut().take() else { return };
            let dx = e.client_x() - x0;
            let m = match dx {
                dx if dx <= -48 => Move::Next,
                dx if dx >= 48 => Move::Previous,
                _ => return,
            };
            if let Some((_, id)) = targets.iter().find(|(t, _)| *t == m) {
                view.dispatch(Action::Select(id.clone()));
            }
        })
    };
    let target = |m: Move| targets.iter().find(|(t, _)| *t == m).map(|(_, id)| id.clone()).unwrap_or_default();
    // A selected event the filters hide (a link of the record's text to it, a shared address)
    // is shown on its own card, said to be outside the slides: the title slide instead would
    // lose what the reader followed. It stands before the first slide (Next goes there).
    let hidden = props
        .view
        .selected
        .as_deref()
        .filter(|_| at == 0)
        .and_then(|id| projections.catalog.event_any(id))
        .filter(|r| !r.is_era());
    let current = at.checked_sub(1).and_then(|i| slides.get(i)).and_then(|i| timeline.at(*i)).or(hidden);
    let said = match current {
        Some(r) if hidden.is_some() => r.event.title_for(crate::shown::want()).text.to_owned(),
        Some(r) => {
            let title = r.event.title_for(crate::shown::want()).text;
            tf("Slide {0} of {1}: {2}, {3}", &[&(at + 1), &(last + 1), &title, &occurred(&r.event.occurred)])
        }
        None => tf("Slide 1 of {0}: {1}", &[&(last + 1), &props.record.title_shown().text]),
    };
    // The slide's words on their card, the class and the background's codes: one article below
    // holds either (one `html!` for both, for the bundle's sake).
    let intro = props.record.introduction.as_deref();
    let (card, title_slide, codes) = match current {
        Some(r) => {
            let card = html! {
                <div class="card">
                    if hidden.is_some() {
                        <p class="note outside">
                            { tx("The filters hide this event: it is not among the slides.") }{ " " }
                            // The address of the story at this event and nothing else: read over the
                            // bare view (`fragment`), it has no filters.
                            <a href={format!("#view=story&e={}", crate::address::encode(r.id.as_str()))}>{ tx("Show every event") }</a>
                        </p>
                    }
                    { event_body(&projections.catalog, r) }
                </div>
            };
            (card, None, Some(&r.event.codes))
        }
        None => {
            let extent = timeline.extent().map(|(lo, hi)| {
                let year = |d: i64| crate::i18n::year(annals_core::date::civil_from_days(d).0);
                (year(lo), year(hi))
            });
            let card = html! {
                <div class="card title-card">
                    <h2>{ crate::shown::words(&props.record.title_shown()) }</h2>
                    if let Some(d) = props.record.description_shown() {
                        { summary_text(&d, intro.and_then(|i| i.text_html.as_deref()), &projections.catalog) }
                        { crate::shown::note_line(&d) }
                    }
                    if let Some(m) = intro.and_then(|i| i.media.clone()) { <Medium medium={m} /> }
                    <p class="note">
                        { count(last, "event", "events") }
                        if let Some((lo, hi)) = extent { { format!(", {lo}{}{hi}", if lo.contains(' ') { " – " } else { "–" }) } }
                    </p>
                    if last > 0 {
                        <button type="button" class="story-start" onclick={go(target(Move::Next))}>{ tx("Begin the story →") }</button>
                    }
                </div>
            };
            (card, Some("title-slide"), intro.map(|i| &i.codes))
        }
    };
    let (colour, picture) = codes.map(backdrop).unwrap_or_default();
    let slide = html! {
        <article key={format!("s{at}")} class={classes!("slide", title_slide)} data-backdrop={(colour.is_some() || picture.is_some()).then_some("")}
            style={colour.map(|c| format!("background-color:{c}"))}
            aria-label={tf("Slide {0} of {1}", &[&(at + 1), &(last + 1)])}>
            if let Some(src) = picture {
                <img class="backdrop-picture" {src} alt="" loading="lazy" referrerpolicy="no-referrer" />
            }
            { card }
        </article>
    };
    let strip = strip_range(at, last + 1);
    let day = |n: usize| {
        n.checked_sub(1).and_then(|i| slides.get(i)).and_then(|i| timeline.at(*i)).map(|r| r.event.occurred.first_day())
    };
    let days: Vec<i64> = strip.clone().map(|n| day(n).unwrap_or(i64::MIN)).collect();
    let spans = era_spans(
        eras.iter()
            .map(|i| timeline.at(*i).map_or((1, 0), |r| (r.event.occurred.first_day(), r.event.occurred.last_day()))),
        &days,
    );
    // On a phone the story is the screen: its slide at the top (the app's tools above it, a
    // scroll away), also after a move made from the strip at its foot; never in a widget.
    let story = use_node_ref();
    let embedded = use_context::<crate::context::InEmbed>().is_some();
    crate::panels::use_bring_into_view(&story, props.view.selected.clone(), embedded, true);
    html! {
        <section ref={story} class="story" aria-roledescription={t("story")} aria-label={tf("Story of {0}", &[&props.record.title_shown().text])}>
            <div class="story-stage" tabindex="0" {onkeydown} {onpointerdown} {onpointerup}
                aria-describedby="story-keys">
                { slide }
            </div>
            <p id="story-keys" class="visually-hidden">{ tx("Use the left and right arrow keys, Home and End to move between slides.") }</p>
            <p class="visually-hidden" aria-live="polite" aria-atomic="true">{ said }</p>
            <div class="story-nav">
                <button type="button" onclick={go(target(Move::Previous))} disabled={at == 0}
                    aria-label={t("Previous slide")}>{ tx("← Previous") }</button>
                <span class="story-where">{ format!("{} / {}", if hidden.is_some() { "–".to_owned() } else { (at + 1).to_string() }, last + 1) }</span>
                <button type="button" onclick={go(target(Move::Next))} disabled={at == last}
                    aria-label={t("Next slide")}>{ tx("Next →") }</button>
            </div>
            <div class="strip-track">
                // The eras over the slides they hold, as labelled spans (in rows where they overlap).
                if !spans.is_empty() {
                    <ul class="strip-eras" aria-label={t("Eras")}>
                        { for spans.iter().map(|(era, first, n, row)| {
                            let label = timeline.at(eras[*era]).map(|r| r.event.title_for(crate::shown::want()).text.to_owned());
                            html! { <li style={format!("grid-area:{row}/{}/auto/span {n}", first + 1)} title={label.clone()}>{ label }</li> }
                        }) }
                    </ul>
                }
                // Each button is named by what it shows, its date and headline (what a voice-control
                // user says), then its place among the slides.
                <ol class="story-strip" aria-label={t("Slides")}>
                    { for strip.map(|slide| {
                        let r = slide.checked_sub(1).and_then(|i| slides.get(i)).and_then(|i| timeline.at(*i));
                        let (label, colour, title) = match r {
                            Some(r) => (occurred(&r.event.occurred), kind_colour(r.kind), r.event.title_for(crate::shown::want()).text.to_owned()),
                            None => (t("Title").to_owned(), "var(--ink)", props.record.title_shown().text.to_owned()),
                        };
                        let id = r.map(|r| r.id.as_str().to_owned());
                        html! {
                            <li key={slide}>
                                <button type="button" onclick={go(id)} aria-current={(slide == at).then_some("step")} title={title.clone()}>
                                    <span class="swatch" style={format!("background:{colour}")} aria-hidden="true"></span>
                                    <span class="strip-date">{ label }</span>
                                    <span class="strip-title">{ title }</span>
                                    <span class="visually-hidden">{ ", " }{ tf("Slide {0} of {1}", &[&(slide + 1), &(last + 1)]) }</span>
                                </button>
                            </li>
                        }
                    }) }
                </ol>
            </div>
        </section>
    }
}

/// Where each era (its first and last day) stands over the strip whose slides begin on
/// `days` (`i64::MIN` for the title slide): the era's number, the first column it covers, how
/// many, and its row (1 and on; an era that would overlap one already placed goes a row
/// lower). Eras with no slide listed are left out.
fn era_spans(eras: impl Iterator<Item = (i64, i64)>, days: &[i64]) -> Vec<(usize, usize, usize, usize)> {
    let mut spans: Vec<(usize, usize, usize, usize)> = Vec::new();
    for (era, (from, to)) in eras.enumerate() {
        let inside = |d: &i64| (from..=to).contains(d);
        let Some(first) = days.iter().position(inside) else { continue };
        let n = days[first..].iter().take_while(|d| inside(d)).count();
        let row = (1..)
            .find(|row| !spans.iter().any(|(_, f, m, r)| r == row && *f < first + n && first < f + m))
            .unwrap_or(1);
        spans.push((era, first, n, row));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_stop_at_the_ends() {
        assert_eq!(Move::Previous.from(0, 5), 0);
        assert_eq!(Move::Next.from(5, 5), 5);
        assert_eq!(Move::Next.from(2, 5), 3);
        assert_eq!(Move::First.from(4, 5), 0);
        assert_eq!(Move::Last.from(1, 5), 5);
        assert_eq!(Move::of_key("ArrowRight"), Some(Move::Next));
        assert_eq!(Move::of_key("Home"), Some(Move::First));
        assert_eq!(Move::of_key("a"), None);
    }

    #[test]
    fn the_strip_lists_the_slides_near_the_current_one() {
        assert_eq!(strip_range(0, 10), 0..10);
        assert_eq!(strip_range(50, 100_001), 26..75);
        assert_eq!(strip_range(100_000, 100_001), 99_976..100_001);
    }

    #[test]
    fn eras_span_the_slides_they_hold_in_rows_that_do_not_overlap() {
        let eras = [(10, 20), (20, 30), (100, 200), (0, 5)];
        let days = [i64::MIN, 10, 15, 20, 25, 40];
        assert_eq!(
            era_spans(eras.into_iter(), &days),
            vec![(0, 1, 3, 1), (1, 3, 2, 2)],
            "the second shares the slide of day 20 with the first, so it goes a row lower; the others hold no slide"
        );
    }
}
