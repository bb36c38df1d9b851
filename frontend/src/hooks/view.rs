//! `use_view`: what the reader is looking at (see [`crate::state`]) as a reducer, starting
//! from the record's whole view with a shell's options over it, and — only on a page that
//! owns its address (the app, the iframe page) — kept in the URL fragment both ways.

use std::rc::Rc;

use yew::prelude::*;

use crate::fragment;
use crate::record::Record;
use crate::state::{default_view, View};

/// The view of `record`: its whole view with `options` (fragment form, `from=…&kinds=…`, or
/// empty) read over it; with `own_address`, the page's fragment wins over both and follows
/// the view.
#[hook]
pub fn use_view(record: &Rc<Record>, options: &str, own_address: bool) -> UseReducerHandle<View> {
    // The whole-record view scans every event for its extent: once per record, not per frame.
    let initial = use_memo((Rc::as_ptr(record) as usize, options.to_owned()), {
        let record = record.clone();
        move |(_, options)| View::from_fragment(options, &default_view(&record))
    });
    let initial = (*initial).clone();
    let view = {
        let initial = initial.clone();
        use_reducer(move || if own_address { View::from_fragment(&fragment::current(), &initial) } else { initial })
    };
    fragment::use_fragment_sync(view.clone(), initial, own_address);
    view
}
