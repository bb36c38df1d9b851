//! `use_visible`: the events that pass the view's filters, recomputed only when the record or
//! a filter changes — never on a zoom or pan frame (see [`crate::visible`]).

use std::rc::Rc;

use yew::prelude::*;

use crate::record::Record;
use crate::state::View;
use crate::visible::{visible, Visible};

/// The filters' result for `record` under `view`, memoized on the record and the filters.
#[hook]
pub fn use_visible(record: &Rc<Record>, view: &View) -> Rc<Visible> {
    let key = (Rc::as_ptr(record) as usize, view.kinds.clone(), view.query.clone(), view.actor.clone());
    let (record, view) = (record.clone(), view.clone());
    use_memo(key, move |_| {
        let projections = record.projections();
        let catalog = &projections.catalog;
        visible(&projections.timeline, &view, |id| catalog.actor_name(id).to_owned())
    })
}
