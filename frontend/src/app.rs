//! The app page: the record its address names (`?src=`, `?stream=`, or the service's first
//! stream, or the default record) in the shared record view, with what only the app has
//! around it — the opener (and a drop anywhere on the page), the masthead, the view tabs and
//! the Embed panel. The page owns its address: the view lives in its URL fragment.

use std::rc::Rc;

use yew::prelude::*;

use crate::address::param;
use crate::embed::snippet::EmbedPanel;
use crate::hooks::record::use_record;
use crate::hooks::scheme::replace_param;
use crate::hooks::scheme::{use_scheme, Choice};
use crate::hooks::view::use_view;
use crate::i18n::{choose, note, number, occurred, t, tf, tx, Lang};
use crate::opener::{dropped_file, DroppedFile, Opener};
use crate::record::{Record, RecordState};
use crate::source::Place;
use crate::state::{Action, Panel};
use crate::view::RecordView;
use crate::words::count;

/// The app: loads a record, then shows it.
#[function_component(App)]
pub fn app() -> Html {
    // A file named in the address wins; otherwise the service's stream, if there is a
    // service; otherwise the default record shipped with the static site. A named file the
    // page cannot read goes to the worker, and its report to the opener.
    let named = use_memo((), |_| (param("src"), param("stream")));
    // The interface's language: loaded before the app was mounted (`?lang=`, else the
    // browser's, see `crate::start`), changed by the menu. `?lang=` also names the actors.
    let lang = crate::i18n::current();
    let redraw = use_force_update();
    let tag = use_memo((), |_| param("lang").or_else(|| Some(lang.code().to_owned())));
    let record = use_record((*named).clone(), Place::default(), (*tag).clone(), false, true);
    // A file dropped anywhere on the app is opened (the drop is taken on the app's element,
    // not the whole document), in the format chosen in the opener.
    let dropped = use_state(|| None::<DroppedFile>);
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let ondrop = {
        let dropped = dropped.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(file) = dropped_file(&e) {
                let n = dropped.as_ref().map_or(0, |d| d.1 + 1);
                dropped.set(Some(DroppedFile(file, n)));
            }
        })
    };
    let scheme = use_scheme();
    let on_scheme = {
        let choose = scheme.choose.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            choose.emit(Choice::parse(Some(&value)));
        })
    };
    let current = match &*record.state {
        RecordState::Ready(r) => Some(r.clone()),
        _ => None,
    };
    let on_language = {
        let (redraw, current) = (redraw.clone(), current.clone());
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            let Some(next) = Lang::from_tag(&value) else { return };
            // The actors are named in it too; the views are drawn again once its texts are in.
            if let Some(record) = &current {
                record.set_language(Some(next.code()));
            }
            replace_param("lang", Some(next.code()));
            let redraw = redraw.clone();
            choose(next, String::new(), Box::new(move || redraw.force_update()));
        })
    };
    // Set while rendering, like the scheme: `<html lang>` is what the texts are in now.
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", lang.code());
    }
    html! {
        <main class="annals" {ondragover} {ondrop}>
            <div class="page-tools">
                <label class="language">{ tx("Language") }
                    <select onchange={on_language}>
                        { for Lang::ALL.into_iter().map(|l| html! {
                            <option value={l.code()} lang={l.code()} selected={l == lang}>{ l.name() }</option>
                        }) }
                    </select>
                </label>
                if !note().is_empty() { <small class="translation-note">{ note() }</small> }
                <label class="scheme">{ tx("Colours") }
                    <select onchange={on_scheme}>
                        { for Choice::ALL.into_iter().map(|c| html! {
                            <option value={c.name()} selected={c == scheme.choice}>{ c.label() }</option>
                        }) }
                    </select>
                </label>
                <Opener key={lang.code()} on_open={record.open.clone()} on_view={record.show.clone()} opening={record.opening.clone()}
                    dropped={(*dropped).clone()} {current} />
            </div>
            { match &*record.state {
                // A large file by URL takes seconds to come: how much has, when its size is known.
                RecordState::Loading => html! {
                    <p class="status" role="status">{ tx("Loading the record…") }
                        if record.received.1 > 0.0 {
                            <progress max={crate::number::decimal(record.received.1)} value={crate::number::decimal(record.received.0)}
                                aria-label={t("Loading the record…")}></progress>
                        }
                    </p>
                },
                // (The page's one heading then: what went wrong.)
                RecordState::Failed(message) => html! { <div role="alert"><h1 class="status error">{ crate::rich::linked(message) }</h1></div> },
                // Keyed by the scheme too: the canvases read their colours when they are mounted;
                // and by the language: every text below is drawn again in it.
                RecordState::Ready(record) => html! {
                    <Explorer key={format!("{}-{}-{}", record.id(), scheme.dark, lang.code())} record={record.clone()} />
                },
            } }
        </main>
    }
}

/// Props of [`Explorer`].
#[derive(Properties, PartialEq)]
pub struct ExplorerProps {
    /// The record to explore.
    pub record: Rc<Record>,
}

/// One record on the app page: the masthead, the view tabs, the Embed panel, then the shared
/// record view with its filters.
#[function_component(Explorer)]
pub fn explorer(props: &ExplorerProps) -> Html {
    let record = props.record.clone();
    // The URL follows the view, and the view follows the URL.
    let view = use_view(&record, "", true);
    let embedding = use_state(|| false);
    let intro_open = use_state(|| false);
    let (intro, intro_more) = (use_node_ref(), use_node_ref());
    use_intro_fold(intro.clone(), intro_more.clone(), (*intro_open, view.panel == Panel::Story));
    let (printing, print) = crate::print::use_printing();
    // Only the masthead's three figures, not the whole `stats_view` (its tables cost the
    // bundle); a TimelineJS file's eras are spans, not events: counted apart (as the story
    // counts them).
    let stats = use_memo(Rc::as_ptr(&record) as usize, {
        let record = record.clone();
        move |_| {
            let p = record.projections();
            (p.totals(), p.timeline.entries().filter(|r| r.is_era()).count())
        }
    });
    let (stats, eras) = (&stats.0, stats.1);
    html! {
        <>
            <header class="masthead">
                // The space keeps the badge a word of its own for screen readers ("… relations, live").
                <h1>{ crate::shown::words(&record.title_shown()) }
                    if record.live.is_some() { { " " }<span class="live" title={t("New events appear as they are recorded")}>{ tx("live") }</span> }
                </h1>
                // Whose words the title is, as the details say it of an event's: "translated by
                // the record's editors", or "shown in English" where the record lacks the language.
                { crate::shown::note_line(&record.title_shown()) }
                <p class="summary">
                    // Only what the record has: a file of discoveries has no documents signed
                    // and nothing disputed to count.
                    // A stream read by the window (`remote`) counts all its events, not those here.
                    { count(record.remote.as_ref().map_or(stats.events, |r| r.total().max(stats.events)).saturating_sub(eras as u64), "event", "events") }
                    if eras > 0 { { " · " }{ count(eras, "era", "eras") } }
                    if stats.documents > 0 { { " · " }{ tf("{0} signed", &[&count(stats.documents, "document", "documents")]) } }
                    if stats.disputed > 0 { { " · " }{ tf("{0} disputed", &[&number(stats.disputed)]) } }
                </p>
                // On a phone the introduction is one line until "more" (the stylesheet clamps it
                // and shows the button only there), so the visual is on the first screen; the
                // button only when the line cuts the text (see `use_intro_fold`). Its paragraphs,
                // links and emphasis as the title slide shows them (`summary_text`).
                if let Some(text) = record.description_shown() {
                    <div ref={intro} class={if *intro_open { "intro open" } else { "intro" }} id="record-intro">
                        { crate::panels::summary_text(&text, record.introduction.as_deref().and_then(|i| i.text_html.as_deref()), &record.projections().catalog) }
                    </div>
                    <button ref={intro_more} type="button" class="intro-more" aria-expanded={intro_open.to_string()} aria-controls="record-intro"
                        onclick={{ let o = intro_open.clone(); Callback::from(move |_: MouseEvent| o.set(!*o)) }}>
                        { if *intro_open { tx("less") } else { tx("more") } }
                    </button>
                }
                { arrived(&record, &view) }
            </header>
            <nav class="tabs" aria-label={t("Views")}>
                { for [(Panel::Timeline, t("Timeline")), (Panel::Story, t("Story")), (Panel::Map, t("Relation map")), (Panel::Charts, t("Charts"))].into_iter().map(|(panel, label)| {
                    let handle = view.clone();
                    let onclick = Callback::from(move |_: MouseEvent| handle.dispatch(Action::Show(panel)));
                    html! { <button type="button" aria-pressed={(view.panel == panel).to_string()} {onclick}>{ label }</button> }
                }) }
                <button type="button" class="embed-button" aria-expanded={embedding.to_string()}
                    onclick={{ let e = embedding.clone(); Callback::from(move |_: MouseEvent| e.set(!*e)) }}>{ tx("Embed") }</button>
                <button type="button" class="print-button" onclick={print}>{ tx("Print") }</button>
            </nav>
            if *embedding {
                <EmbedPanel record={record.clone()} view={(*view).clone()}
                    onclose={{ let e = embedding.clone(); Callback::from(move |()| e.set(false)) }} />
            }
            if printing {
                <crate::print::Chronology record={record.clone()} view={(*view).clone()} />
            }
            <RecordView {record} {view} />
        </>
    }
}

/// Shows "more" (the element `button`) only when the introduction (`intro`) is cut by the
/// phone's one-line clamp, so that it has something to show: measured after layout, when the
/// text is folded or unfolded, and on every resize (a turned phone, a wider window). (The
/// masthead is drawn anew in another language or for another record, so those are measured on
/// mounting.) The story hides the introduction (its title slide says it), so a masthead that
/// opened in the story is measured again when another view shows it (`shown`: whether it is
/// unfolded, and whether the story shows).
///
/// *How:* with the clamp on, a cut text is taller than its box (`scrollHeight` >
/// `clientHeight`); while unfolded it is measured with its folded class put back for the
/// moment of the measure (no frame is drawn in between). Where the stylesheet clamps nothing
/// (a wide screen), nothing is cut. The button's `hidden` is set here, not rendered: no state,
/// so no render of the page for a measure.
#[hook]
fn use_intro_fold(intro: NodeRef, button: NodeRef, shown: (bool, bool)) {
    use_effect_with(shown, move |_| {
        let measure = move || {
            let (Some(el), Some(button)) = (intro.cast::<web_sys::Element>(), button.cast::<web_sys::Element>()) else {
                return;
            };
            let class = el.get_attribute("class").unwrap_or_default();
            let _ = el.set_attribute("class", "intro");
            let cut = el.scroll_height() > el.client_height() + 1;
            let _ = el.set_attribute("class", &class);
            let _ = if cut { button.remove_attribute("hidden") } else { button.set_attribute("hidden", "") };
        };
        measure();
        let listener = web_sys::window().map(|w| gloo::events::EventListener::new(&w, "resize", move |_| measure()));
        move || drop(listener)
    });
}

/// The notice of an event that arrived from the live stream, with a button that shows it.
fn arrived(record: &Record, view: &UseReducerHandle<crate::state::View>) -> Html {
    let Some(id) = record.arrived.as_deref() else { return html! {} };
    let projections = record.projections();
    let Some(r) = projections.catalog.event(id) else { return html! {} };
    let focus = Action::Focus {
        id: id.to_owned(),
        start: r.event.occurred.first_day() as f64,
        end: r.event.occurred.last_day() as f64,
    };
    let onclick = {
        let view = view.clone();
        Callback::from(move |_: MouseEvent| view.dispatch(focus.clone()))
    };
    html! {
        <p class="arrived" role="status">
            { tf("Just recorded: {0} ({1})", &[&r.event.title_for(crate::shown::want()).text, &occurred(&r.event.occurred)]) }
            { " " }<button type="button" {onclick}>{ tx("Show it") }</button>
        </p>
    }
}
