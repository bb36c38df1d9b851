//! # annals-core
//!
//! The model of Annals: the record of relations between states as an append-only log of
//! events, and the pure folds that turn the log into a timeline, a relation graph and
//! figures. It runs unchanged natively (the `annals` service and CLI) and in the browser
//! (WebAssembly), so it does no I/O, reads no clock and draws no random numbers: it is
//! handed bytes and times, and gives back values.
//!
//! - [`date`] — partial dates and ranges that keep their precision.
//! - [`event`] — the events: visits, signings, commission meetings, …, actors, corrections.
//! - [`envelope`] — what the log stores around an event; versioned JSON with upcasting.
//! - [`lang`] — record text in several languages: whose words each is, which one a reader sees.
//! - [`validate`] — the rules an event must pass before it enters the log.
//! - [`log`] — the in-memory append-only log and the append rules every store shares.
//! - [`catalog`] — the record as it stands after corrections, retractions and disputes.
//! - [`projection`] — timeline, relation graph, statistics; as-of on both clocks.
//! - [`html`] — the small HTML subset rich text may use, checked, and HTML as plain text.
//! - [`format`] — what every file reader shares (diagnostics for every problem, validation of
//!   what was read) and Annals' own formats; other tools' formats are the `annals-formats` crate.
//! - [`synth`] — deterministic synthetic records for benchmarks.
//! - [`order`] — one stable sort for short lists, compiled once (bytes of the browser bundle).

pub mod catalog;
pub mod date;
pub mod embed;
pub mod envelope;
pub mod event;
pub mod format;
pub mod html;
pub mod id;
pub mod index;
pub mod lang;
pub mod link;
pub mod log;
pub mod order;
pub mod problem;
pub mod projection;
pub mod synth;
pub mod validate;
pub mod words;

pub use catalog::{Catalog, Change, Resolved};
pub use date::{Occurred, PartialDate, Precision, Timestamp};
pub use envelope::{Envelope, Proposed};
pub use event::{ActorKind, ActorRegistration, DomainEvent, Event, EventKind, Introduction, Media, MediaKind, PerKind};
pub use id::{ActorId, EventId, StreamName};
pub use log::{AppendError, Appended, ExpectedVersion, Log};
pub use problem::Problem;
pub use projection::{AsOf, Projections};
