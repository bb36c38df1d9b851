//! The hooks the shells (the app page and the widgets) and the views share, so that loading,
//! following, filtering and the canvases' gestures are written once:
//!
//! - [`record`] — `use_record`: a record from a source (the one route, [`crate::source`]),
//!   followed live when it is a stream, and a person's own files opened on request;
//! - [`live`] — `use_live`: a stream of `annals serve` followed with an `EventSource`;
//! - [`view`] — `use_view`: the view's reducer over a record's whole view, and (on a page
//!   that owns its address) its URL fragment;
//! - [`visible`] — `use_visible`: the filters' result, memoized;
//! - [`scheme`] — `use_scheme`: the app page's light or dark colours, chosen or the system's;
//! - [`gestures`] — the wheel and the drag the timeline and the relation map share.

pub mod gestures;
pub mod live;
pub mod record;
pub mod scheme;
pub mod view;
pub mod visible;
