//! What every reader of another tool's format shares.
//!
//! Foreign formats name actors (a GDELT actor code, a PLOVER country, a TimelineJS group)
//! without registering them, and cite no source per event the way Annals requires. A reader
//! turns them into a record that validates on its own:
//! - [`Actors`] interns each actor once and emits its `ActorRegistered` record just before
//!   the first record that uses it, so the accepted part never refers forward;
//! - [`file_source`] is the honest fallback source of an event whose file gives none: the
//!   file itself, by name and format.

use annals_core::envelope::Proposed;
use annals_core::event::{ActorRegistration, Event, Source};
use annals_core::format::{Format, Located};
use annals_core::id::{ActorId, EventId};

/// The actors a reader has met so far, and the registrations still to emit.
#[derive(Debug, Default)]
pub struct Actors {
    known: std::collections::BTreeSet<ActorId>,
    pending: Vec<ActorRegistration>,
}

impl Actors {
    /// Returns the actor's id, queueing its registration the first time it is seen.
    /// `make` builds the registration only then; later calls share the first id's text.
    pub fn intern(&mut self, id: &str, make: impl FnOnce(ActorId) -> ActorRegistration) -> ActorId {
        if let Some(known) = self.known.get(id) {
            return known.clone();
        }
        let id = ActorId::from(id);
        self.known.insert(id.clone());
        self.pending.push(make(id.clone()));
        id
    }

    /// True when the actor was already interned.
    pub fn contains(&self, id: &str) -> bool {
        self.known.contains(id)
    }

    /// Moves the queued registrations into `records` (as records numbered `record`, at
    /// `line`), to be called before pushing the record that uses them.
    pub fn flush(&mut self, records: &mut Vec<Located>, line: Option<usize>, record: usize) {
        for reg in self.pending.drain(..) {
            let id = EventId::from(format!("actor:{}", reg.actor));
            records.push(Located { line, record, proposed: Proposed::new(id, Event::ActorRegistered(Box::new(reg))) });
        }
    }
}

/// The source of an event whose file cites none: the file itself.
pub fn file_source(format: Format, file_name: &str) -> Source {
    Source {
        publisher: format!("{} file", format.name()),
        title: Some(format!("Imported from {file_name}")),
        ..Source::default()
    }
}

/// True for a source [`file_source`] made: it names a file Annals read, not a publication,
/// so writers for other tools leave it out ([`Source::is_file_itself`], which the page asks too).
pub fn is_file_source(source: &Source) -> bool {
    source.is_file_itself()
}
