//! The panels beside the timeline: the details of the selected event, the list of events in
//! the window (what a screen reader reads, and what a small screen shows), and the filters.

use std::rc::Rc;

use annals_core::catalog::Resolved;
use annals_core::html::Allowed;
use annals_core::projection::LaneMode;
use annals_core::EventKind;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::palette::kind_colour;
use annals_core::event::{independent_publishers, Source};
use annals_core::lang::{same_language, Shown, Texts};
use annals_core::validate::check_url;

use crate::i18n::{self, en, t, tf, tx};
use crate::record::Record;
use crate::shown;
use crate::state::{Action, View};

/// On a small screen (one column), brings the details into view when the reader selects
/// another event and its heading is off screen: a tap on the timeline or the list must show
/// something where the reader looks, not 600 px further down. Not on the first render (a deep
/// link opens where the page starts) and never in a widget (that would scroll the host page).
/// With `screen` (the story, which is the phone's screen), also on the first render and
/// whenever the view tabs above it are not at the screen's top: the slide fills the screen
/// under the tabs, so the reader still sees which view this is, and a move that leaves the
/// tabs where they are moves nothing. (One hook for both: each hook instance costs the page's
/// bundle.) The story's strip, inside the node, is
/// scrolled sideways to keep the current slide in its middle, in a widget too.
#[hook]
pub fn use_bring_into_view(node: &NodeRef, selected: Option<String>, embedded: bool, screen: bool) {
    let first = use_mut_ref(|| true);
    let node = node.clone();
    use_effect_with(selected, move |selected| {
        let first = std::mem::replace(&mut *first.borrow_mut(), false);
        // The story's strip keeps the current slide in its middle (a phone shows two or three).
        let current = node
            .cast::<web_sys::Element>()
            .and_then(|el| el.query_selector(".strip-track [aria-current]").ok().flatten());
        if let Some(b) = current.and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok()) {
            if let Some(track) = b.offset_parent().and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
                track.set_scroll_left(b.offset_left() - (track.client_width() - b.offset_width()) / 2);
            }
        }
        if embedded || (!screen && (first || selected.is_none())) {
            return;
        }
        let Some(w) = web_sys::window() else { return };
        let narrow = w.match_media("(max-width: 48rem)").ok().flatten().is_some_and(|q| q.matches());
        let tabs = w.document().filter(|_| screen).and_then(|d| d.query_selector(".tabs").ok().flatten());
        let Some(el) = tabs.or_else(|| node.cast::<web_sys::Element>()) else { return };
        let top = el.get_bounding_client_rect().top();
        let height = w.inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(0.0);
        if narrow && (top < 0.0 || top > height - 48.0 || (screen && top > 1.0)) {
            el.scroll_into_view_with_bool(true);
        }
    });
}

/// Props of [`Details`].
#[derive(Properties, PartialEq)]
pub struct DetailsProps {
    /// The record.
    pub record: Rc<Record>,
    /// The selected event id.
    pub selected: Option<String>,
}

/// Everything the record holds about the selected event.
#[function_component(Details)]
pub fn details(props: &DetailsProps) -> Html {
    let node = use_node_ref();
    let embedded = use_context::<crate::context::InEmbed>().is_some();
    let label = crate::context::use_landmark_label(t("Event details"));
    use_bring_into_view(&node, props.selected.clone(), embedded, false);
    let projections = props.record.projections();
    let catalog = &projections.catalog;
    let Some(r) = props.selected.as_deref().and_then(|id| catalog.event_any(id)) else {
        return html! {
            <section ref={node} id="details" class="details empty" tabindex="-1" aria-label={label}>
                <p>{ tx("Select an event on the timeline or in the list to read its details and sources.") }</p>
            </section>
        };
    };
    html! {
        <section ref={node} id="details" class="details" tabindex="-1" aria-label={label} aria-live="polite">
            { event_body(catalog, r) }
        </section>
    }
}

/// Everything the record holds about one event — its kind, headline, date (saying when the
/// sources give no more), text, actors, documents, disputes, corrections and sources: the
/// details panel and a story's slide show the same.
///
/// An event read from another tool's file that cites nothing (a TimelineJS slide) has only
/// the file itself as its source (`Source::is_file_itself`), and Annals gave it the kind
/// "Other": for it, the kind "Other", the sources' precision and the Sources block would say
/// nothing to its reader, so they are left out (its kind shows when the file's groups gave
/// one). The headline and text keep their markup ([`crate::rich`]).
pub fn event_body(catalog: &annals_core::Catalog, r: &Resolved) -> Html {
    let e = &r.event;
    let file_only = e.sources.iter().all(Source::is_file_itself) && !e.sources.is_empty();
    let name = |id: &str| catalog.actor_name(id).to_owned();
    let (title, summary) = (e.title_for(shown::want()), e.summary_for(shown::want()));
    // One note for both, under the title, when they say the same (both translations, both English).
    let title_note = shown::note(&title);
    let summary_note = summary.as_ref().and_then(shown::note).filter(|n| title_note.as_ref() != Some(n));
    html! {
        <>
            if !(file_only && r.kind == EventKind::Other) {
                <p class="kind" style={format!("border-color:{}", kind_colour(r.kind))}>{ i18n::kind(r.kind) }</p>
            }
            <h2 lang={title.lang.to_owned()}>{ own_markup(&title, e.title_html.as_deref(), Allowed::Inline, catalog) }</h2>
            if let Some(n) = title_note { <p class="lang-note">{ n }</p> }
            <p class="date">
                { i18n::occurred(&e.occurred) }
                if e.occurred.precision() != annals_core::Precision::Day && !file_only {
                    <span class="note">{ tx(" — the sources give no more precise date") }</span>
                }
            </p>
            if let Some(ret) = &r.retracted {
                <p class="retracted" role="note">{ tf("Retracted: {0}", &[&ret.reason]) }</p>
            }
            if let Some(s) = &summary {
                { summary_text(s, e.summary_html.as_deref(), catalog) }
                if let Some(n) = summary_note { <p class="lang-note">{ n }</p> }
            }
            // Keyed by its address: another event's medium starts afresh (not broken, not asked for).
            if let Some(m) = &e.media { <crate::media::Medium key={m.url.clone()} medium={m.clone()} /> }
            <dl>
                { row(tx("Visitor"), e.visitor.as_ref().map(|v| name(v.as_str()))) }
                { row(tx("Host"), e.host.as_ref().map(|h| name(h.as_str()))) }
                { row(tx("Level"), e.level.map(|l| i18n::level(l).to_string())) }
                { row(tx("Commission"), e.commission.as_ref().map(|c| name(c.as_str()))) }
                { row(tx("Session"), e.session.map(|n| n.to_string())) }
                { row(tx("Co-chairs"), names(e.co_chairs.iter().map(|c| name(c.as_str())))) }
                { row(tx("Parties"), names(e.parties.iter().map(|c| name(c.as_str())))) }
                { row(tx("Actors"), names(e.actors.iter().map(|p| format!("{} ({})", name(p.actor.as_str()), i18n::role(p.role))))) }
                { row(tx("Places"), names(e.places.iter().map(|p| name(p.as_str())))) }
            </dl>
            if r.kind == EventKind::Signing {
                <h3>{ tf("Documents signed: {0}", &[&e.documents_signed()]) }</h3>
                if e.count.is_some_and(|n| n as usize > e.documents.len()) {
                    <p class="note">{ tf("The sources state {0} documents; {1} titles are known.", &[&e.documents_signed(), &e.documents.len()]) }</p>
                }
                <ul class="documents">
                    { for e.documents.iter().map(|d| html! { <li>{ format!("{} ({})", d.title, i18n::document_kind(d.kind)) }</li> }) }
                </ul>
            }
            { for r.disputes.iter().map(|d| html! {
                <div class="dispute" role="note">
                    <h3>{ tf("Disputed: {0}", &[&field_words(&d.dispute.field)]) }</h3>
                    // In the reader's language, with the note every other translated text has.
                    if let Some(n) = d.dispute.note_in(shown::want()) { <p>{ shown::words(&n) }</p>{ shown::note_line(&n) } }
                    <ul>
                        { for d.dispute.claims.iter().map(|c| html! {
                            <li>
                                <strong>{ claim_value(&c.value) }</strong>
                                if let Some(n) = &c.note { <span>{ format!(" — {n}") }</span> }
                                <ul class="sources">{ for c.sources.iter().map(source_item) }</ul>
                            </li>
                        }) }
                    </ul>
                </div>
            }) }
            { for r.corrections.iter().map(|c| html! {
                <div class="correction" role="note">
                    <h3>{ tx("Corrected") }</h3>
                    <p>{ tf("Changed: {0}", &[&c.changes.keys().map(|k| field_words(k)).collect::<Vec<_>>().join(", ")]) }
                        { c.reason.as_ref().map(|r| format!(" — {r}")).unwrap_or_default() }</p>
                </div>
            }) }
            if !file_only {
                <h3>{ tx("Sources") }</h3>
                <p class="backing">{ backing(&e.sources) }</p>
                <ul class="sources">{ for e.sources.iter().map(source_item) }</ul>
            }
        </>
    }
}

/// A text of the record's: its markup as elements when it is the record's own text (not a
/// translation) and has markup that passes ([`crate::rich::own`]), else its words.
fn own_markup(s: &Shown<'_>, html: Option<&str>, allowed: Allowed, events: &annals_core::Catalog) -> Html {
    crate::rich::own(s, html, allowed, events).unwrap_or_else(|| html! { { s.text.to_owned() } })
}

/// A summary or an introduction's text as the block under a headline: paragraphs and lists
/// in a `div` when it has markup, else one paragraph.
pub fn summary_text(s: &Shown<'_>, html: Option<&str>, events: &annals_core::Catalog) -> Html {
    let lang = s.lang.to_owned();
    match crate::rich::own(s, html, Allowed::Blocks, events) {
        Some(markup) => html! { <div class="summary-text rich" {lang}>{ markup }</div> },
        None => html! { <p class="summary-text" {lang}>{ crate::rich::linked(s.text) }</p> },
    }
}

/// A term and its description in the details' list, when there is one to give. (One
/// function for every row: each `html!` of a row was code of its own.)
fn row(term: Html, value: Option<String>) -> Html {
    match value {
        Some(value) => html! { <><dt>{ term }</dt><dd>{ value }</dd></> },
        None => html! {},
    }
}

/// Names joined by commas, or none when there are none.
fn names(list: impl Iterator<Item = String>) -> Option<String> {
    let list: Vec<String> = list.collect();
    (!list.is_empty()).then(|| list.join(", "))
}

/// How many sources, from how many independent publishers, back an event (a page that
/// republishes or cites another outlet counts as that outlet: `Source::origin`).
fn backing(sources: &[Source]) -> String {
    let publishers = independent_publishers(sources, &crate::words::lower);
    let linked = sources.iter().filter(|s| s.url.is_some()).count();
    let sources_text = crate::words::count(sources.len(), "source", "sources");
    let publishers_text = match publishers {
        1 => t("one publisher only").to_owned(),
        n => crate::words::count(n, "independent publisher", "independent publishers"),
    };
    let links = match (linked, sources.len()) {
        (l, n) if l == n => String::new(),
        (0, _) => t(", none with a link").to_owned(),
        (l, _) => tf(", {0} with a link", &[&l]),
    };
    tf("{0} from {1}{2}", &[&sources_text, &publishers_text, &links])
}

/// A source's title or quote in the reader's language, when the source gives one, beside the
/// words as published: "(… — translated by the record's editors)".
fn also_in(texts: &Texts) -> Html {
    let want = shown::want();
    let Some((lang, t)) = texts.iter().find(|(k, _)| same_language(k, want)) else { return html! {} };
    let s = Shown { text: &t.text, lang, origin: Some(t.origin) };
    html! { <span class="lang-alt">{ " (" }{ shown::words(&s) }{ " — " }{ shown::note(&s).unwrap_or_default() }{ ")" }</span> }
}

/// One source as a reader checks it: publisher, title (a link when the record gives a safe
/// `http(s)` URL), date and author, the words quoted, what the page supports when only part,
/// and why there is no link when there is none. Text from the record is rendered as text.
fn source_item(s: &Source) -> Html {
    let title = s.title.clone().unwrap_or_else(|| t("Untitled page").to_owned());
    let link = s.url.as_deref().filter(|u| check_url(u).is_ok());
    let byline: Vec<String> = s.date.iter().map(i18n::date).chain(s.author.iter().cloned()).collect();
    html! {
        <li class="source">
            <span class="publisher">{ s.publisher.clone() }</span>{ " — " }
            { match link {
                Some(url) => html! { <a href={url.to_owned()} rel="noopener noreferrer" target="_blank"><cite>{ title }</cite></a> },
                None => html! { <cite>{ title }</cite> },
            } }
            if !byline.is_empty() { <span class="byline">{ format!(" ({})", byline.join(", ")) }</span> }
            { also_in(&s.titles) }
            if let Some(q) = &s.quote { <blockquote>{ q.clone() }{ also_in(&s.quotes) }</blockquote> }
            if let Some(p) = &s.partial { <p class="partial">{ tf("Supports only in part: {0}", &[p]) }</p> }
            if link.is_none() {
                <p class="no-link">{ match &s.no_url {
                    Some(why) => tf("No link: {0}", &[why]),
                    None => t("No link given for this source.").to_owned(),
                } }</p>
            }
        </li>
    }
}

/// A field of a record (as a dispute or a correction names it) in words: "the date", not
/// `occurred`; a named claim (`first_official_visit`) with its underscores as spaces.
pub fn field_words(field: &str) -> String {
    let known = t(match field {
        "occurred" => en("the date"),
        "count" => en("the number of documents"),
        "level" => en("the level of the visit"),
        "title" => en("the title"),
        "summary" => en("the summary"),
        "place" => en("the place"),
        "actors" => en("who took part"),
        "kind" => en("the kind of event"),
        "sources" => en("the sources"),
        "documents" => en("the documents"),
        "target" => en("the event it concerns"),
        "visitor" => en("the visitor"),
        "host" => en("the host"),
        "tags" => en("the tags"),
        _ => return field.replace(['_', '.'], " "),
    });
    known.to_owned()
}

fn claim_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => match s.parse::<annals_core::Occurred>() {
            Ok(o) => i18n::occurred(&o),
            Err(_) => s.clone(),
        },
        serde_json::Value::Bool(true) => t("yes").into(),
        serde_json::Value::Bool(false) => t("no").into(),
        other => annals_core::event::json_text(other),
    }
}

/// Props of [`EventList`].
#[derive(Properties, PartialEq)]
pub struct ListProps {
    /// The record.
    pub record: Rc<Record>,
    /// The view.
    pub view: UseReducerHandle<View>,
    /// The events that pass the filters.
    pub visible: Rc<crate::visible::Visible>,
}

/// The events in the window, as a list people and screen readers can read.
///
/// *Why rows are components:* this list re-renders on every zoom and pan frame (the window is
/// in its props), and a month of a large record holds a hundred events or more. Each row is a
/// keyed [`EventRow`] whose props compare cheaply, so a frame re-renders only the rows that
/// enter the window or change selection, not every row with its strings and callbacks.
#[function_component(EventList)]
pub fn event_list(props: &ListProps) -> Html {
    let label = crate::context::use_landmark_label(t("Events in view"));
    let view = &*props.view;
    let projections = props.record.projections();
    let timeline = &projections.timeline;
    let (from, to) = (view.from.floor() as i64, view.to.ceil() as i64);
    let mut total = props.visible.count_in_window(timeline, from, to);
    // A stream read by the window: where its events are not all here, its counts say how many.
    if let Some(remote) = props.record.remote.as_ref().filter(|r| !r.is_covered(from, to)) {
        let filter = crate::remote::filter(view.actor.as_deref(), &view.query);
        total = total.max(remote.count_shown(from, to, &filter, &view.kinds) as usize);
    }
    let in_window: Vec<usize> = props.visible.window(timeline, from, to).take(LIST_LIMIT).collect();
    let shown = in_window.len();
    // A TimelineJS file's eras are listed but counted apart, as the masthead counts them (only
    // where every row is listed: files with eras are small).
    let eras = if shown == total {
        in_window.iter().filter(|i| timeline.at(**i).is_some_and(|r| r.is_era())).count()
    } else {
        0
    };
    let mut counted = crate::words::count(total - eras, "event", "events");
    if eras > 0 {
        counted = format!("{counted} · {}", crate::words::count(eras, "era", "eras"));
    }
    let selected = view.selected.as_deref();
    let dispatcher = props.view.dispatcher();
    html! {
        <section class="event-list" aria-label={label}>
            <h2>{ tf("{0} in view", &[&counted]) }</h2>
            <ol>
                { for in_window.into_iter().filter_map(|index| {
                    let r = timeline.at(index)?;
                    let is_selected = selected == Some(r.id.as_str());
                    Some(html! {
                        <EventRow key={index} record={props.record.clone()} {index} selected={is_selected} view={dispatcher.clone()} />
                    })
                }) }
            </ol>
            if total > shown {
                <p class="note">{ tf("{0} more; zoom in or filter to list them.", &[&i18n::number((total - shown) as u64)]) }</p>
            }
        </section>
    }
}

/// At most this many events are listed; the heading counts them all.
pub const LIST_LIMIT: usize = 200;

/// Props of [`EventRow`].
#[derive(Properties, PartialEq)]
pub struct RowProps {
    /// The record (compared by identity).
    pub record: Rc<Record>,
    /// The event's index in the timeline.
    pub index: usize,
    /// Whether it is the selected event.
    pub selected: bool,
    /// Where a click sends the selection.
    pub view: UseReducerDispatcher<View>,
}

/// One event of the list.
#[function_component(EventRow)]
pub fn event_row(props: &RowProps) -> Html {
    let projections = props.record.projections();
    let Some(r) = projections.timeline.at(props.index) else { return html! {} };
    let r: &Resolved = r;
    let id = r.id.as_str().to_owned();
    let onclick = {
        let view = props.view.clone();
        let id = id.clone();
        Callback::from(move |_| view.dispatch(Action::Select(Some(id.clone()))))
    };
    let arrived = props.record.arrived.as_deref() == Some(id.as_str());
    html! {
        <li data-id={id} class={classes!(props.selected.then_some("selected"), arrived.then_some("arrived"))}>
            <button type="button" {onclick} aria-pressed={props.selected.to_string()}>
                <span class="swatch" style={format!("background:{}", kind_colour(r.kind))} aria-hidden="true"></span>
                <span class="date">{ i18n::occurred(&r.event.occurred) }</span>
                { { let title = r.event.title_for(shown::want()); html! {
                    <span class="title">{ shown::words(&title) }{ " " }{ shown::badge(&title) }</span>
                } } }
                if r.is_disputed() { <span class="badge">{ tx("disputed") }</span> }
            </button>
        </li>
    }
}

/// Props of [`Controls`].
#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    /// The view.
    pub view: UseReducerHandle<View>,
    /// The whole extent of the record (days), for "All".
    pub extent: (f64, f64),
    /// The record, whose actors the actor filter offers.
    pub record: Rc<Record>,
}

/// Filters and zoom buttons.
#[function_component(Controls)]
pub fn controls(props: &ControlsProps) -> Html {
    let view = &*props.view;
    // The actors to filter by, most active first. Counting them walks every event, and the
    // select is not needed to show the record, so they are counted after the first paint
    // (until then the select offers "All actors" only).
    let actors = use_state(|| Rc::new(Vec::<(String, String)>::new()));
    {
        let actors = actors.clone();
        let record = props.record.clone();
        use_effect_with(Rc::as_ptr(&props.record) as usize, move |_| {
            let count = gloo::timers::callback::Timeout::new(0, move || {
                let p = record.projections();
                let list =
                    p.timeline.lanes(LaneMode::Actor, &p.catalog).into_iter().map(|l| (l.key, l.label)).collect();
                actors.set(Rc::new(list));
            });
            move || drop(count)
        });
    }
    // The kinds the record has (as its lanes by kind are): a file of other people's events
    // need not offer the six diplomatic kinds it has none of. One pass over the events, per
    // record.
    let kinds = use_memo(Rc::as_ptr(&props.record) as usize, {
        let record = props.record.clone();
        move |_| {
            let p = record.projections();
            // (A stream read by the window: the kinds its counts have, not those fetched.)
            let lanes =
                record.remote.as_ref().map_or_else(|| p.timeline.lanes(LaneMode::Kind, &p.catalog), |r| r.lanes());
            lanes.iter().filter_map(|l| l.key.parse::<EventKind>().ok()).collect::<Vec<_>>()
        }
    });
    let dispatch = |action: Action| {
        let handle = props.view.clone();
        Callback::from(move |_: MouseEvent| handle.dispatch(action.clone()))
    };
    let oninput = {
        let handle = props.view.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) {
                handle.dispatch(Action::Query(input.value()));
            }
        })
    };
    // A window before year 1 or beyond 9999 has no date a date box can show (it would stand
    // empty): both boxes then hold years.
    let by_year = [view.from.floor() as i64, view.to.ceil() as i64 - 1]
        .iter()
        .any(|d| !(1..=9999).contains(&annals_core::date::civil_from_days(*d).0));
    let date_input = |label: &'static str, day: f64, is_from: bool| {
        let handle = props.view.clone();
        let onchange = Callback::from(move |e: Event| {
            let Some(input) = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) else { return };
            let value = input.value();
            let date = match value.parse::<i64>() {
                Ok(year) if by_year => annals_core::PartialDate::year(year).ok(),
                _ => value.parse::<annals_core::PartialDate>().ok(),
            };
            let Some(date) = date else { return };
            let v = &*handle;
            handle.dispatch(if is_from {
                Action::Window(date.first_day() as f64, v.to)
            } else {
                Action::Window(v.from, date.last_day() as f64 + 1.0)
            });
        });
        // `to` is exclusive: the box shows the last day in view.
        let shown =
            annals_core::PartialDate::from_day_number(if is_from { day.floor() as i64 } else { day.ceil() as i64 - 1 });
        let year = shown.year_value();
        let (kind, value) = if by_year { ("number", year.to_string()) } else { ("date", shown.to_string()) };
        // A year box says its year in words with its name ("From: 13.8 billion years ago").
        let label = if by_year { format!("{label}: {}", i18n::year(year)) } else { label.to_owned() };
        html! { <label class="date-input">{ label }<input type={kind} {value} {onchange} /></label> }
    };
    let mid = (view.from + view.to) / 2.0;
    let (lo, hi) = props.extent;
    // On a phone the filters fold behind one button (the stylesheet shows it only there), so
    // the visual is on the first screen; the zoom buttons stay out.
    let open = use_state(|| false);
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    html! {
        <div class={if *open { "controls open" } else { "controls" }} role="group" aria-label={t("Filters and zoom")}>
            <button type="button" class="filters-toggle" aria-expanded={open.to_string()} onclick={toggle}>{ tx("Filters") }</button>
            // One kind is no choice: no filter for a record of a single kind.
            if kinds.len() > 1 {
            <fieldset class="kinds">
                <legend>{ tx("Kinds") }</legend>
                { for kinds.iter().map(|k| {
                    let checked = view.kinds.is_empty() || view.kinds.contains(k);
                    let handle = props.view.clone();
                    let kind = *k;
                    let onchange = Callback::from(move |_: Event| handle.dispatch(Action::ToggleKind(kind)));
                    html! {
                        <label class="kind-toggle">
                            <input type="checkbox" name="kind" value={k.name()} {checked} {onchange} />
                            <span class="swatch" style={format!("background:{}", kind_colour(*k))} aria-hidden="true"></span>
                            { i18n::kind(*k) }
                        </label>
                    }
                }) }
            </fieldset>
            }
            // (A stream read by the window is searched through the service: see `found`.)
            <label class="search">{ tx("Search") }
                <input type="search" placeholder={t("title, actor, place…")} value={view.query.clone()} {oninput} />
            </label>
            { date_input(t("From"), view.from, true) }
            { date_input(t("To"), view.to, false) }
            <div class="zoom" role="group" aria-label={t("Zoom")}>
                <button type="button" onclick={dispatch(Action::Zoom { factor: 0.6, around: mid })} aria-label={t("Zoom in")}>{ "+" }</button>
                <button type="button" onclick={dispatch(Action::Zoom { factor: 1.0 / 0.6, around: mid })} aria-label={t("Zoom out")}>{ "−" }</button>
                <button type="button" onclick={dispatch(Action::Window(lo, hi))}>{ tx("All") }</button>
            </div>
            <div class="lanes" role="group" aria-label={t("Lanes")}>
                // "By group" only for a record whose file gave its events groups (its lanes
                // are then by group unless the address says otherwise).
                { for LaneMode::ALL.into_iter()
                    .filter(|m| *m != LaneMode::Group || view.default_lanes == LaneMode::Group || view.lanes == LaneMode::Group)
                    .map(|mode| html! {
                        <button type="button" aria-pressed={(view.lanes == mode).to_string()} onclick={dispatch(Action::Lanes(mode))}>
                            { tx(match mode {
                                LaneMode::Kind => en("By kind"),
                                LaneMode::Actor => en("By actor"),
                                LaneMode::Group => en("By group"),
                                LaneMode::None => en("One lane"),
                            }) }
                        </button>
                    }) }
            </div>
            <label class="search">{ tx("Actor") }
                <select onchange={{
                    let handle = props.view.clone();
                    Callback::from(move |e: Event| {
                        if let Some(select) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
                            let v = select.value();
                            handle.dispatch(Action::Actor((!v.is_empty()).then_some(v)));
                        }
                    })
                }}>
                    <option value="" selected={view.actor.is_none()}>{ tx("All actors") }</option>
                    // An actor filtered by (the address, the map) whose events are not here
                    // (a stream read by the window) is still offered, as chosen.
                    if let Some(a) = view.actor.as_ref().filter(|a| !actors.iter().any(|(id, _)| id == *a)) {
                        <option value={a.clone()} selected=true>{ props.record.projections().catalog.actor_name(a).to_owned() }</option>
                    }
                    { for actors.iter().map(|(id, name)| html! {
                        <option value={id.clone()} selected={view.actor.as_deref() == Some(id.as_str())}>{ name.clone() }</option>
                    }) }
                </select>
            </label>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::field_words;

    #[test]
    fn fields_are_named_in_words() {
        assert_eq!(field_words("occurred"), "the date");
        assert_eq!(field_words("target"), "the event it concerns");
        assert_eq!(field_words("first_official_visit"), "first official visit");
    }
}
