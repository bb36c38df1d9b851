//! **The search of a stream read by the window** (`remote`): what the search box finds in the
//! whole record, not only in the events fetched.
//!
//! *Why through the service.* A stream read by the window holds the events near the window
//! and counts of the rest; searching what is here would miss nearly everything. The service
//! judges the page's filters as the page does (`window` with `q=` and `actor=`: see
//! `server/src/http/shown.rs`) and walks a bounded number of events a call, so the search
//! asks page after page, in order of occurrence, until it has a page of matches or the
//! record ends; "More matches" goes on from there. It waits for typing to pause
//! ([`DEBOUNCE_MS`]), and an answer for a query no longer in the box is dropped (each query
//! has its generation), so a slow answer never shows over a newer query's.
//!
//! Selecting a match selects the event and brings the window to it; the view fetches an event
//! that is not here by its id (`Remote::look_up`, `view::use_linked_event`).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use annals_core::{DomainEvent, Event, EventKind};
use yew::prelude::*;

use crate::i18n::{self, t, tf, tx};
use crate::palette::kind_colour;
use crate::record::Record;
use crate::remote::{Remote, FOUND_PAGE};
use crate::state::{Action, View};

/// How long typing pauses before the search is asked.
const DEBOUNCE_MS: u32 = 300;

/// One event found. (No `PartialEq`: comparing events field by field would cost the bundle
/// the comparison of every payload type; nothing compares matches.)
#[derive(Clone)]
struct Match {
    id: String,
    kind: EventKind,
    event: Arc<DomainEvent>,
}

/// What the search of one query has found so far.
#[derive(Clone, Default)]
struct Found {
    matches: Rc<Vec<Match>>,
    /// Where the next page goes on, while the record has more to search.
    next: Option<String>,
    searching: bool,
    failed: Option<String>,
}

/// Props of [`FoundList`].
#[derive(Properties, PartialEq)]
pub struct FoundProps {
    /// The record (read by the window).
    pub record: Rc<Record>,
    /// The view, whose filters are searched for and which a match is selected in.
    pub view: UseReducerHandle<View>,
}

/// What the list shows, and how it is redrawn. (A cell and a redraw, not `use_state`: a
/// state hook of its own type cost the bundle 3.4 KB.)
#[derive(Clone)]
struct Shown {
    found: Rc<RefCell<Found>>,
    redraw: UseForceUpdateHandle,
}

impl Shown {
    fn set(&self, found: Found) {
        *self.found.borrow_mut() = found;
        self.redraw.force_update();
    }
}

/// Asks for pages from `cursor` on until a page of matches more than `matches` is here or
/// the record ends, showing each as it comes; stops when `generation` moves on (a newer query).
async fn search(
    remote: Rc<Remote>,
    filter: String,
    mut cursor: Option<String>,
    mut matches: Vec<Match>,
    generation: (Rc<Cell<u32>>, u32),
    state: Shown,
) {
    let wanted = matches.len() + FOUND_PAGE;
    loop {
        let answer = remote.search(&filter, cursor.as_deref()).await;
        if generation.0.get() != generation.1 {
            return;
        }
        let (events, next) = match answer {
            Ok(page) => page,
            Err(why) => {
                let matches = Rc::new(matches);
                state.set(Found { matches, next: cursor, searching: false, failed: Some(why) });
                return;
            }
        };
        matches.extend(events.into_iter().filter_map(|env| match env.event {
            Event::Domain(kind, event) => Some(Match { id: env.id.as_str().to_owned(), kind, event }),
            _ => None,
        }));
        let more = next.is_some() && matches.len() < wanted;
        state.set(Found { matches: Rc::new(matches.clone()), next: next.clone(), searching: more, failed: None });
        if !more {
            return;
        }
        cursor = next;
    }
}

/// The matches of the search in the whole record, listed as the list of events in view is.
#[function_component(FoundList)]
pub fn found_list(props: &FoundProps) -> Html {
    let view = &*props.view;
    let filter = crate::remote::filter(view.actor.as_deref(), &view.query);
    let found = use_memo((), |_| Rc::new(RefCell::new(Found::default())));
    let state = Shown { found: (*found).clone(), redraw: use_force_update() };
    let generation = use_memo((), |_| Rc::new(Cell::new(0u32)));
    let remote = props.record.remote.clone();
    {
        let (state, generation, remote) = (state.clone(), (*generation).clone(), remote.clone());
        use_effect_with(filter.clone(), move |filter| {
            let mine = generation.get().wrapping_add(1);
            generation.set(mine);
            state.set(Found { searching: true, ..Found::default() });
            let filter = filter.clone();
            let timer = remote.filter(|_| !filter.is_empty()).map(|remote| {
                gloo::timers::callback::Timeout::new(DEBOUNCE_MS, move || {
                    let run = search(remote, filter, None, Vec::new(), (generation, mine), state);
                    wasm_bindgen_futures::spawn_local(run);
                })
            });
            move || drop(timer)
        });
    }
    let more = {
        let (state, generation, remote, filter) = (state.clone(), (*generation).clone(), remote, filter);
        Callback::from(move |_: MouseEvent| {
            let now = state.found.borrow().clone();
            let (Some(remote), Some(next)) = (remote.clone(), now.next.clone()) else { return };
            let mine = generation.get().wrapping_add(1);
            generation.set(mine);
            let had = (*now.matches).clone();
            state.set(Found { searching: true, ..now });
            let run = search(remote, filter.clone(), Some(next), had, (generation.clone(), mine), state.clone());
            wasm_bindgen_futures::spawn_local(run);
        })
    };
    let state = found.borrow();
    // The kinds shown filter the matches here (the service counts and finds every kind).
    let shown: Vec<&Match> =
        state.matches.iter().filter(|m| view.kinds.is_empty() || view.kinds.contains(&m.kind)).collect();
    let counted = crate::words::count(shown.len(), "match", "matches");
    let heading = match (&state.failed, state.searching, state.next.is_some()) {
        (Some(why), _, _) => tf("The search did not finish: {0}", &[why]),
        (None, true, _) if shown.is_empty() => t("Searching the whole record…").to_owned(),
        (None, _, true) => tf("{0} so far in the whole record", &[&counted]),
        (None, _, false) => tf("{0} in the whole record", &[&counted]),
    };
    let label = crate::context::use_landmark_label(t("Matches in the whole record"));
    let selected = view.selected.as_deref();
    html! {
        <section class="event-list found" aria-label={label} aria-busy={state.searching.to_string()}>
            <h2 aria-live="polite">{ heading }</h2>
            <ol>
                { for shown.into_iter().map(|m| {
                    let is_selected = selected == Some(m.id.as_str());
                    let onclick = {
                        let view = props.view.clone();
                        let (id, occurred) = (m.id.clone(), m.event.occurred);
                        Callback::from(move |_: MouseEvent| view.dispatch(Action::Focus {
                            id: id.clone(),
                            start: occurred.first_day() as f64,
                            end: occurred.last_day() as f64,
                        }))
                    };
                    let title = m.event.title_for(crate::shown::want());
                    html! {
                        <li key={m.id.clone()} data-id={m.id.clone()} class={classes!(is_selected.then_some("selected"))}>
                            <button type="button" {onclick} aria-pressed={is_selected.to_string()}>
                                <span class="swatch" style={format!("background:{}", kind_colour(m.kind))} aria-hidden="true"></span>
                                <span class="date">{ i18n::occurred(&m.event.occurred) }</span>
                                <span class="title">{ crate::shown::words(&title) }{ " " }{ crate::shown::badge(&title) }</span>
                            </button>
                        </li>
                    }
                }) }
            </ol>
            if state.next.is_some() && !state.searching && state.failed.is_none() {
                <button type="button" class="more" onclick={more}>{ tx("More matches") }</button>
            }
        </section>
    }
}
