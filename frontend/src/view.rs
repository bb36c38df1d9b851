//! **The one record view**: the visual (timeline, relation map or charts), the filters, the
//! list of events in view and the details of the selected one — what the app page and every
//! widget (the iframe page, the custom element) show of a record. The shells around it only
//! choose where the record comes from and what surrounds it (the app: masthead, tabs, Embed
//! panel, opener; a widget: its head, its note); what the view itself shows is decided by its
//! props ([`RecordViewProps::controls`]), not by copies of its markup.

use std::rc::Rc;

use yew::prelude::*;

use crate::charts::Charts;
use crate::found::FoundList;
use crate::hooks::visible::use_visible;
use crate::map::RelationMap;
use crate::panels::{Controls, Details, EventList};
use crate::record::Record;
use crate::state::{default_view, Panel, View};
use crate::story::Story;
use crate::timeline::TimelineCanvas;

/// Props of [`RecordView`].
#[derive(Properties, PartialEq)]
pub struct RecordViewProps {
    /// The record.
    pub record: Rc<Record>,
    /// The view (window, filters, selection, panel), owned by the shell (see `hooks::view`).
    pub view: UseReducerHandle<View>,
    /// Whether the filters and zoom buttons are shown (the app: yes; a widget: its view is
    /// fixed by its options and changed by the reader's own zooming, panning and selecting).
    #[prop_or(true)]
    pub controls: bool,
}

/// The visual, filters, list and details of one record.
#[function_component(RecordView)]
pub fn record_view(props: &RecordViewProps) -> Html {
    let RecordViewProps { record, view, controls } = props;
    let visible = use_visible(record, view);
    // "All" shows the record's whole extent (scanned once per record).
    let whole = use_memo(Rc::as_ptr(record) as usize, {
        let record = record.clone();
        move |_| default_view(&record)
    });
    let drawing = use_memo((), |_| crate::picture::Drawing::default());
    use_linked_event(record, view);
    html! {
        <>
            // A story is read slide by slide; its filters stay in the address, out of the way.
            if *controls && view.panel != Panel::Story {
                <Controls view={view.clone()} extent={(whole.from, whole.to)} record={record.clone()} />
            }
            { match view.panel {
                Panel::Timeline => html! { <TimelineCanvas record={record.clone()} view={view.clone()} visible={visible.clone()} drawing={(*drawing).clone()} /> },
                Panel::Map => html! { <RelationMap record={record.clone()} view={view.clone()} /> },
                Panel::Charts => html! { <Charts record={record.clone()} visible={visible.clone()} kinds={view.kinds.clone()} filter={crate::remote::filter(view.actor.as_deref(), &view.query)} /> },
                // The slide is the details, and the strip the list.
                Panel::Story => html! { <Story record={record.clone()} view={view.clone()} visible={visible.clone()} /> },
            } }
            // The app's, not a widget's: a picture is taken where the record is explored, and a
            // widget's host page keeps its room for the view ("Open in Annals" leads here).
            // (Not under a map that says there is none to draw; a record read by the window
            // has the service's map, whatever its fetched events name.)
            if *controls && view.panel != Panel::Story && (view.panel != Panel::Map || record.remote.is_some() || record.projections().graph.has_actors()) {
                { crate::picture::save(record, view, &visible, &drawing) }
            }
            if view.panel != Panel::Story {
                <div class="columns">
                    // A stream read by the window is searched in the whole record, through the
                    // service (`found`); else the list is of the events in view.
                    if record.remote.is_some() && !view.query.trim().is_empty() {
                        <FoundList record={record.clone()} view={view.clone()} />
                    } else {
                        <EventList record={record.clone()} view={view.clone()} {visible} />
                    }
                    <Details record={record.clone()} selected={view.selected.clone()} />
                </div>
            }
        </>
    }
}

/// A stream read by the window (`remote`) whose selected event is not here (a link to it,
/// `#e=…`): the event is fetched by its id and the window moved to it, unless the window
/// already holds it and is drawn event by event (then its events bring it).
#[hook]
fn use_linked_event(record: &Rc<Record>, view: &UseReducerHandle<View>) {
    let selected = view.selected.clone();
    let (record, view) = (record.clone(), view.clone());
    use_effect_with((record.id(), selected), move |(_, selected)| {
        let (Some(remote), Some(id)) = (&record.remote, selected) else { return };
        if record.projections().catalog.event(id).is_some() {
            return;
        }
        remote.look_up(id, {
            let (remote, view) = (remote.clone(), view.clone());
            move |first, last| {
                let (from, to) = (view.from, view.to);
                let holds = from <= first as f64 && last as f64 + 1.0 <= to;
                if !(holds && remote.drawable(from as i64, to as i64)) {
                    // A month to each side: few enough events to be fetched and drawn.
                    view.dispatch(crate::state::Action::Window(first as f64 - 30.0, last as f64 + 31.0));
                }
            }
        });
    });
}
