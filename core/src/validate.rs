//! Validation: nothing enters the log until it passes here.
//!
//! Decoding ([`crate::envelope`]) checks the *shape* of a record; this module checks its
//! *meaning*: every domain event cites a source, a visit has a visitor and a host, a
//! signing's stated count is not smaller than its list of titles, references point at
//! actors and events that exist, a correction still leaves a valid event behind. It
//! returns every problem it finds, each with the path of the field and what was expected,
//! so a person can fix a whole file in one pass. A field's path is written out only when
//! it has a problem: a valid record of a large file costs no allocation here.
//!
//! *Architecture invariant:* validation sees the rest of the record only through the
//! narrow [`Known`] trait, so the in-memory log, the server's stores and the browser share
//! these rules without sharing storage.

use crate::problem::{Quoted, Said};
use crate::says;

use std::collections::hash_map::Entry;

use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::Value;

use crate::date::Occurred;
use crate::envelope::{decode_event, Proposed};
use crate::event::{ActorKind, ActorRegistration, DomainEvent, Event, EventKind, Introduction, Media, Source};
use crate::html::{self, Allowed};
use crate::id::{check_actor_id, check_event_id, ActorId};
use crate::lang::{self, Origin, Texts};
pub use crate::link::check_url;
use crate::problem::Problem;

/// What an event id stands for, as far as validation needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownEvent {
    /// Its type name (`Visit`, `ActorRegistered`, `Corrected`, …).
    pub type_name: &'static str,
    /// Whether it has been retracted.
    pub retracted: bool,
}

/// The part of the record validation may consult.
pub trait Known {
    /// The kind of a registered actor.
    fn actor_kind(&self, id: &str) -> Option<ActorKind>;
    /// What an event id stands for.
    fn event(&self, id: &str) -> Option<KnownEvent>;
    /// The current payload of an event (after earlier corrections), for checking a correction.
    fn payload(&self, id: &str) -> Option<Value>;
}

impl<T: Known + ?Sized> Known for &T {
    fn actor_kind(&self, id: &str) -> Option<ActorKind> {
        (**self).actor_kind(id)
    }
    fn event(&self, id: &str) -> Option<KnownEvent> {
        (**self).event(id)
    }
    fn payload(&self, id: &str) -> Option<Value> {
        (**self).payload(id)
    }
}

/// An empty record: nothing is known.
#[derive(Debug, Clone, Copy, Default)]
pub struct Nothing;

impl Known for Nothing {
    fn actor_kind(&self, _: &str) -> Option<ActorKind> {
        None
    }
    fn event(&self, _: &str) -> Option<KnownEvent> {
        None
    }
    fn payload(&self, _: &str) -> Option<Value> {
        None
    }
}

/// Validates a batch against what is already known. Events of the batch may refer to
/// actors registered anywhere in the batch and to events earlier in it.
///
/// Returns the problems of each item, by index into `batch`; an empty result means the
/// whole batch is valid. A reused id names its first use as "item N" (1-based, in the batch);
/// [`validate_records`] lets a reader name it the way its diagnostics name records.
pub fn validate_batch(batch: &[Proposed], known: &dyn Known) -> Vec<(usize, Problem)> {
    validate_records(batch, known, &|i| format!("item {}", i + 1))
}

/// [`validate_batch`], with `name(i)` saying how the message about a reused id names item
/// `i` of the batch (a file reader says "line 12, record 10": a batch index counts the
/// actor registrations a reader adds and skips the records that did not decode, so it
/// matches no number the person can find in the file).
pub fn validate_records<P: AsRef<Proposed>>(
    batch: &[P],
    known: &dyn Known,
    name: &dyn Fn(usize) -> String,
) -> Vec<(usize, Problem)> {
    let mut ctx = BatchContext {
        known,
        batch,
        actors: FxHashMap::with_capacity_and_hasher(batch.len() / 64, Default::default()),
        ids: FxHashMap::with_capacity_and_hasher(batch.len(), Default::default()),
        state: vec![ItemState::Pending; batch.len()],
        retracted_known: FxHashSet::default(),
    };
    for p in batch.iter().map(AsRef::as_ref) {
        if let Event::ActorRegistered(a) = &p.event {
            ctx.actors.entry(a.actor.as_str()).or_insert(BatchActor { kind: a.kind, registered: false });
        }
    }
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let mut id_problems: Vec<Option<Problem>> = Vec::with_capacity(CHUNK);
    for (start, chunk) in (0..).step_by(CHUNK).zip(batch.chunks(CHUNK)) {
        // Ids first, in order, in a loop short enough to overlap the cache misses of a
        // chunk's worth of id-map inserts. Validating the chunk's events then finds a later
        // id of the chunk already in the map, but only as `Pending`, which counts as absent.
        id_problems.clear();
        for (i, p) in (start..).zip(chunk.iter().map(AsRef::as_ref)) {
            let id = p.id.as_str();
            id_problems.push(match check_event_id(id) {
                Err(msg) => Some(Problem::new("id", msg)),
                Ok(()) => match ctx.ids.entry(id) {
                    Entry::Occupied(first) => Some(Problem::new(
                        "id",
                        says!("{0} is used twice (also by {1}); ids must be unique", Quoted(&id), name(*first.get())),
                    )),
                    Entry::Vacant(v) => {
                        v.insert(i);
                        None
                    }
                },
            });
        }
        read_ahead(chunk);
        for ((i, p), id_problem) in (start..).zip(chunk.iter().map(AsRef::as_ref)).zip(id_problems.drain(..)) {
            out.clear();
            out.extend(id_problem);
            if let Event::ActorRegistered(a) = &p.event {
                let actor = a.actor.as_str();
                if known.actor_kind(actor).is_some() {
                    out.push(Problem::new(
                        "payload.actor",
                        says!("actor {0} is already registered; correct it with a Corrected event", Quoted(&actor)),
                    ));
                } else if let Some(here) = ctx.actors.get_mut(actor) {
                    if here.registered {
                        out.push(Problem::new(
                            "payload.actor",
                            says!("actor {0} is registered twice in this batch", Quoted(&actor)),
                        ));
                    }
                    here.registered = true;
                }
            }
            validate_event(&p.event, &ctx, &mut out);
            if !out.is_empty() {
                ctx.state[i] = ItemState::Invalid;
                problems.extend(out.drain(..).map(|pr| (i, pr)));
                continue;
            }
            ctx.state[i] = ItemState::Valid;
            if let Event::Retracted(r) = &p.event {
                let target = r.target.as_str();
                match ctx.batch_item(target) {
                    Some(t) => ctx.state[t] = ItemState::Retracted,
                    None if known.event(target).is_some() => {
                        ctx.retracted_known.insert(target);
                    }
                    None => {}
                }
            }
        }
    }
    problems
}

/// Items validated at a time; see [`validate_records`] and [`read_ahead`].
const CHUNK: usize = 256;

/// Reads what validating a chunk's domain events will read — their title, sources and
/// actor ids, each in an allocation of its own — in a loop short enough that the processor
/// has the cache misses of many events in flight at once (the idea of `projection::bulk`;
/// core forbids `unsafe`, so there is no prefetch instruction).
fn read_ahead<P: AsRef<Proposed>>(chunk: &[P]) {
    let mut acc = 0u8;
    for p in chunk {
        if let Event::Domain(_, e) = &p.as_ref().event {
            let first = |s: &str| s.as_bytes().first().copied().unwrap_or(0);
            acc ^= first(&e.title);
            for s in &e.sources {
                acc ^= first(&s.publisher);
            }
            for a in e.participant_ids() {
                acc ^= first(a.as_str());
            }
        }
    }
    std::hint::black_box(acc);
}

/// What the batch itself says, over what was known before it. Everything borrows from the
/// batch: a 100,000-record file is validated without copying an id, and a payload is turned
/// into JSON only when a correction asks for it.
///
/// Event ids have one map, from id to the first item that uses it: it tells a reused id,
/// and with the items' states (a dense vector, read in order) what an id stands for and
/// its payload. Its entries are small, so a 250,000-record file's map takes fewer cache
/// lines. The keys are the batch's own ids, not an attacker's choice of hash-flooding keys
/// against a long-lived table, so the cheap Fx hash is enough; SipHash cost a tenth of
/// validating a large file.
struct BatchContext<'a, P> {
    known: &'a dyn Known,
    batch: &'a [P],
    actors: FxHashMap<&'a str, BatchActor>,
    ids: FxHashMap<&'a str, usize>,
    state: Vec<ItemState>,
    /// Events known before the batch that an item of it retracted.
    retracted_known: FxHashSet<&'a str>,
}

/// Where validation stands with an item of the batch.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ItemState {
    /// Not validated yet: as far as earlier items are concerned, it does not exist.
    Pending,
    /// It has problems: it does not exist for later items either.
    Invalid,
    /// It passed.
    Valid,
    /// It passed, and a later item retracted it.
    Retracted,
}

/// An actor registered in the batch.
#[derive(Clone, Copy)]
struct BatchActor {
    /// The kind its first registration gives it.
    kind: ActorKind,
    /// Whether a registration of it has been met yet, in batch order.
    registered: bool,
}

impl<P: AsRef<Proposed>> BatchContext<'_, P> {
    /// The item of the batch an id stands for: the first that uses it, if it passed.
    fn batch_item(&self, id: &str) -> Option<usize> {
        let i = *self.ids.get(id)?;
        matches!(self.state[i], ItemState::Valid | ItemState::Retracted).then_some(i)
    }
}

impl<P: AsRef<Proposed>> Known for BatchContext<'_, P> {
    fn actor_kind(&self, id: &str) -> Option<ActorKind> {
        self.actors.get(id).map(|a| a.kind).or_else(|| self.known.actor_kind(id))
    }
    fn event(&self, id: &str) -> Option<KnownEvent> {
        if let Some(i) = self.batch_item(id) {
            let type_name = self.batch[i].as_ref().event.type_name();
            return Some(KnownEvent { type_name, retracted: self.state[i] == ItemState::Retracted });
        }
        let mut event = self.known.event(id)?;
        event.retracted |= !self.retracted_known.is_empty() && self.retracted_known.contains(id);
        Some(event)
    }
    fn payload(&self, id: &str) -> Option<Value> {
        match self.batch_item(id).map(|i| &self.batch[i].as_ref().event) {
            Some(event @ (Event::Domain(..) | Event::ActorRegistered(_))) => Some(event.payload()),
            _ => self.known.payload(id),
        }
    }
}

/// Validates one event against what is known; appends problems to `out`.
pub fn validate_event(event: &Event, known: &dyn Known, out: &mut Vec<Problem>) {
    match event {
        Event::Domain(kind, e) => domain(*kind, e, known, "payload", out),
        Event::ActorRegistered(a) => actor(a, known, "payload", out),
        Event::Corrected(c) => {
            let Some(target) = target_event(c.target.as_str(), known, out) else {
                return;
            };
            if matches!(target.type_name, "Corrected" | "Retracted" | "Disputed") {
                out.push(Problem::new(
                    "payload.target",
                    says!(
                        "a {0} cannot be corrected; expected a domain event or an actor registration",
                        target.type_name
                    ),
                ));
                return;
            }
            if c.changes.is_empty() {
                out.push(Problem::new("payload.changes", says!("is empty; expected at least one changed field")));
                return;
            }
            if target.type_name == "ActorRegistered" && c.changes.contains_key("actor") {
                out.push(Problem::new(
                    "payload.changes.actor",
                    says!("an actor's id cannot change; register a new actor instead"),
                ));
            }
            sources(&c.sources, &|| "payload.sources".to_owned(), false, out);
            let Some(mut current) = known.payload(c.target.as_str()) else {
                return;
            };
            merge_patch(&mut current, &Value::Object(c.changes.clone()));
            let text = crate::event::json_text(&current);
            let raw = match serde_json::value::RawValue::from_string(text) {
                Ok(raw) => raw,
                Err(e) => {
                    out.push(Problem::new("payload.changes", Said::from_serde(&e.to_string())));
                    return;
                }
            };
            match decode_event(target.type_name, None, &raw) {
                Err(e) => out.push(Problem::new(rebase(&e.field), says!("after the correction: {0}", e.carried()))),
                Ok(corrected) => {
                    let mut inner = Vec::new();
                    match &corrected {
                        Event::Domain(kind, e) => domain(*kind, e, known, "payload", &mut inner),
                        Event::ActorRegistered(a) => actor(a, known, "payload", &mut inner),
                        _ => {}
                    }
                    out.extend(
                        inner
                            .into_iter()
                            .map(|p| Problem::new(rebase(&p.field), says!("after the correction: {0}", p.carried()))),
                    );
                }
            }
        }
        Event::Retracted(r) => {
            if let Some(target) = target_event(r.target.as_str(), known, out) {
                if EventKind::ALL.iter().all(|k| k.name() != target.type_name) {
                    out.push(Problem::new(
                        "payload.target",
                        says!("a {0} cannot be retracted; expected a domain event", target.type_name),
                    ));
                }
            }
            if r.reason.trim().is_empty() {
                out.push(Problem::new("payload.reason", says!("is empty; expected why the event is retracted")));
            }
            sources(&r.sources, &|| "payload.sources".to_owned(), false, out);
        }
        Event::Disputed(d) => {
            if let Some(target) = target_event(d.target.as_str(), known, out) {
                if EventKind::ALL.iter().all(|k| k.name() != target.type_name) {
                    out.push(Problem::new(
                        "payload.target",
                        says!("a {0} cannot be disputed; expected a domain event", target.type_name),
                    ));
                }
            }
            if d.field.trim().is_empty() {
                out.push(Problem::new("payload.field", says!("is empty; expected the name of the disputed field")));
            }
            lang_texts(&d.notes, Some(lang::DEFAULT_LANG), MAX_TEXT, &|| "payload.notes".to_owned(), out);
            if d.note.is_none() && !d.notes.is_empty() {
                out.push(Problem::new(
                    "payload.notes",
                    says!("is given without a note; expected the note in the record's own language too"),
                ));
            }
            if d.claims.len() < 2 {
                out.push(Problem::new(
                    "payload.claims",
                    says!("a dispute needs at least 2 claims; found {0}", d.claims.len()),
                ));
            }
            for (i, claim) in d.claims.iter().enumerate() {
                let base = format!("payload.claims[{i}]");
                sources(&claim.sources, &|| format!("{base}.sources"), true, out);
                if d.field == "occurred" {
                    match claim.value.as_str().map(str::parse::<Occurred>) {
                        Some(Ok(_)) => {}
                        Some(Err(e)) => out.push(Problem::new(format!("{base}.value"), e.said())),
                        None => out.push(Problem::new(
                            format!("{base}.value"),
                            says!("expected a date string such as \"2023-03-15\""),
                        )),
                    }
                }
            }
        }
    }
}

fn rebase(field: &str) -> String {
    match field.strip_prefix("payload") {
        Some(rest) => format!("payload.changes{rest}"),
        None => field.to_owned(),
    }
}

fn target_event(id: &str, known: &dyn Known, out: &mut Vec<Problem>) -> Option<KnownEvent> {
    match known.event(id) {
        None => {
            out.push(Problem::new(
                "payload.target",
                says!("no event {0} earlier in the record; expected the id of an earlier event", Quoted(&id)),
            ));
            None
        }
        Some(t) if t.retracted => {
            out.push(Problem::new("payload.target", says!("event {0} has been retracted", Quoted(&id))));
            None
        }
        Some(t) => Some(t),
    }
}

const MAX_TITLE: usize = 500;
const MAX_TEXT: usize = 20_000;

fn domain(kind: EventKind, e: &DomainEvent, known: &dyn Known, base: &str, out: &mut Vec<Problem>) {
    let f = |name: &str| format!("{base}.{name}");
    text(&e.title, &|| f("title"), MAX_TITLE, true, out);
    if let Some(s) = &e.summary {
        text(s, &|| f("summary"), MAX_TEXT, false, out);
    }
    rich_text(e.title_html.as_deref(), Some(&e.title), Allowed::Inline, &|| f("title_html"), "title", out);
    rich_text(e.summary_html.as_deref(), e.summary.as_deref(), Allowed::Blocks, &|| f("summary_html"), "summary", out);
    if !e.titles.is_empty() || !e.summaries.is_empty() || e.lang.is_some() {
        languages(e, &f, out);
    }
    if let Some(m) = &e.media {
        media(m, &|| f("media"), out);
    }
    sources(&e.sources, &|| f("sources"), true, out);
    for (i, p) in e.actors.iter().enumerate() {
        actor_ref(&p.actor, None, &|| format!("{base}.actors[{i}].actor"), known, out);
    }
    for (i, p) in e.places.iter().enumerate() {
        actor_ref(p, Some(ActorKind::Place), &|| format!("{base}.places[{i}]"), known, out);
    }
    for (i, t) in e.tags.iter().enumerate() {
        if t.trim().is_empty() || t.chars().count() > 64 {
            out.push(Problem::new(format!("{base}.tags[{i}]"), says!("expected a tag of 1 to 64 characters")));
        }
    }
    if let Some(p) = &e.part_of {
        match known.event(p.as_str()) {
            None => out.push(Problem::new(
                f("part_of"),
                says!("no event {0} in the record; expected the id of the visit this belongs to", Quoted(&p.as_str())),
            )),
            Some(t) if EventKind::ALL.iter().all(|k| k.name() != t.type_name) => out.push(Problem::new(
                f("part_of"),
                says!("{0} is a {1}; expected a domain event", Quoted(&p.as_str()), t.type_name),
            )),
            Some(_) => {}
        }
    }
    for k in e.codes.keys() {
        if k.trim().is_empty() {
            out.push(Problem::new(f("codes"), says!("has an empty scheme name")));
        }
    }
    let only = |field: &str, present: bool, allowed: &[EventKind], out: &mut Vec<Problem>| {
        if present && !allowed.contains(&kind) {
            let names: Vec<&str> = allowed.iter().map(|k| k.name()).collect();
            out.push(Problem::new(
                f(field),
                says!("does not apply to a {0}; expected only on {1}", kind.name(), names.join(" or ")),
            ));
        }
    };
    only("visitor", e.visitor.is_some(), &[EventKind::Visit], out);
    only("host", e.host.is_some(), &[EventKind::Visit], out);
    only("level", e.level.is_some(), &[EventKind::Visit], out);
    only("parties", !e.parties.is_empty(), &[EventKind::Signing], out);
    only("documents", !e.documents.is_empty(), &[EventKind::Signing], out);
    only("count", e.count.is_some(), &[EventKind::Signing], out);
    only("commission", e.commission.is_some(), &[EventKind::CommissionMeeting], out);
    only("session", e.session.is_some(), &[EventKind::CommissionMeeting], out);
    only("co_chairs", !e.co_chairs.is_empty(), &[EventKind::CommissionMeeting], out);
    only("outcomes", !e.outcomes.is_empty(), &[EventKind::CommissionMeeting], out);
    match kind {
        EventKind::Visit => {
            match &e.visitor {
                Some(v) => actor_ref(v, None, &|| f("visitor"), known, out),
                None => out.push(Problem::new(f("visitor"), says!("is missing; a Visit needs the actor who travels"))),
            }
            match &e.host {
                Some(h) => actor_ref(h, None, &|| f("host"), known, out),
                None => {
                    out.push(Problem::new(f("host"), says!("is missing; a Visit needs the host (usually a country)")))
                }
            }
            if e.visitor.is_some() && e.visitor == e.host {
                out.push(Problem::new(f("host"), says!("is the same actor as the visitor")));
            }
        }
        EventKind::Signing => {
            for (i, p) in e.parties.iter().enumerate() {
                actor_ref(p, None, &|| format!("{base}.parties[{i}]"), known, out);
            }
            for (i, d) in e.documents.iter().enumerate() {
                text(&d.title, &|| format!("{base}.documents[{i}].title"), MAX_TITLE, true, out);
            }
            match e.count {
                None if e.documents.is_empty() => out.push(Problem::new(
                    f("documents"),
                    says!("is empty and there is no count; a Signing needs the documents or the stated count"),
                )),
                Some(0) => out
                    .push(Problem::new(f("count"), says!("is 0; expected the stated number of documents (1 or more)"))),
                Some(n) if (n as usize) < e.documents.len() => out.push(Problem::new(
                    f("count"),
                    says!(
                        "is {0} but {1} document titles are listed; the stated count cannot be smaller",
                        n,
                        e.documents.len()
                    ),
                )),
                _ => {}
            }
        }
        EventKind::CommissionMeeting => {
            match &e.commission {
                Some(c) => actor_ref(c, Some(ActorKind::Commission), &|| f("commission"), known, out),
                None => out
                    .push(Problem::new(f("commission"), says!("is missing; a CommissionMeeting needs its commission"))),
            }
            if e.session == Some(0) {
                out.push(Problem::new(f("session"), says!("is 0; sessions are numbered from 1")));
            }
            for (i, c) in e.co_chairs.iter().enumerate() {
                actor_ref(c, None, &|| format!("{base}.co_chairs[{i}]"), known, out);
            }
        }
        EventKind::Talks | EventKind::Call | EventKind::Statement | EventKind::Other => {}
    }
}

fn actor(a: &ActorRegistration, known: &dyn Known, base: &str, out: &mut Vec<Problem>) {
    let f = |name: &str| format!("{base}.{name}");
    if let Err(msg) = check_actor_id(a.actor.as_str()) {
        out.push(Problem::new(f("actor"), msg));
    }
    match a.names.get("en") {
        Some(n) if !n.trim().is_empty() => {}
        _ => out.push(Problem::new(f("names.en"), says!("is missing; expected the actor's name in English"))),
    }
    for (lang, name) in &a.names {
        if name.trim().is_empty() {
            out.push(Problem::new(format!("{base}.names.{lang}"), says!("is empty")));
        }
    }
    if let Some(iso) = &a.iso3 {
        if a.kind != ActorKind::Country {
            out.push(Problem::new(f("iso3"), says!("applies only to a country")));
        } else if iso.len() != 3 || !iso.bytes().all(|b| b.is_ascii_uppercase()) {
            out.push(Problem::new(
                f("iso3"),
                says!(
                    "{0} is not an ISO 3166-1 alpha-3 code; expected three capital letters such as \"BLR\"",
                    Quoted(&iso)
                ),
            ));
        }
    }
    if let Some(c) = &a.coordinates {
        if !(-90.0..=90.0).contains(&c.lat) {
            out.push(Problem::new(
                f("coordinates.lat"),
                says!("{0} is not a latitude; expected a number from -90 to 90", number(c.lat)),
            ));
        }
        if !(-180.0..=180.0).contains(&c.lon) {
            out.push(Problem::new(
                f("coordinates.lon"),
                says!("{0} is not a longitude; expected a number from -180 to 180", number(c.lon)),
            ));
        }
    }
    if let Some(c) = &a.country {
        actor_ref(c, Some(ActorKind::Country), &|| f("country"), known, out);
    }
    if let Some(c) = &a.capital {
        if a.kind != ActorKind::Country {
            out.push(Problem::new(f("capital"), says!("applies only to a country")));
        }
        actor_ref(c, Some(ActorKind::Place), &|| f("capital"), known, out);
    }
    for (i, m) in a.members.iter().enumerate() {
        actor_ref(m, None, &|| format!("{base}.members[{i}]"), known, out);
    }
    sources(&a.sources, &|| f("sources"), false, out);
}

fn actor_ref(
    id: &ActorId,
    kind: Option<ActorKind>,
    field: &dyn Fn() -> String,
    known: &dyn Known,
    out: &mut Vec<Problem>,
) {
    if let Err(msg) = check_actor_id(id.as_str()) {
        out.push(Problem::new(field(), msg));
        return;
    }
    match (known.actor_kind(id.as_str()), kind) {
        (None, _) => out.push(Problem::new(
            field(),
            says!("unknown actor {0}; expected an actor registered by an ActorRegistered event", Quoted(&id.as_str())),
        )),
        (Some(found), Some(expected)) if found != expected => out.push(Problem::new(
            field(),
            says!("actor {0} is a {1}; expected a {2}", Quoted(&id.as_str()), found.name(), expected.name()),
        )),
        _ => {}
    }
}

fn text(value: &str, field: &dyn Fn() -> String, max: usize, required: bool, out: &mut Vec<Problem>) {
    if required && value.trim().is_empty() {
        out.push(Problem::new(field(), says!("is empty; expected text")));
    } else if value.len() > max && value.chars().count() > max {
        out.push(Problem::new(
            field(),
            says!("is {0} characters long; expected at most {1}", value.chars().count(), max),
        ));
    }
}

/// Checks a text with markup: the allowed subset only ([`crate::html::check`]), and the same
/// words as its plain twin `plain` (named `plain_name`), so the two never say different things.
fn rich_text(
    html: Option<&str>,
    plain: Option<&str>,
    allowed: Allowed,
    field: &dyn Fn() -> String,
    plain_name: &str,
    out: &mut Vec<Problem>,
) {
    let Some(html) = html else { return };
    let max = if allowed == Allowed::Inline { MAX_TITLE * 4 } else { MAX_TEXT * 2 };
    text(html, field, max, true, out);
    if let Err(message) = html::check(html, allowed) {
        out.push(Problem::new(field(), message));
        return;
    }
    match plain {
        None => out.push(Problem::new(
            field(),
            says!("is given without {0}; expected the same text without markup in {0} too", plain_name),
        )),
        Some(plain) if !html::same_words(&html::plain_text(html), plain) => out.push(Problem::new(
            field(),
            says!(
                "does not say what {0} says; expected the same words as {0}, with markup (or leave it out)",
                plain_name
            ),
        )),
        Some(_) => {}
    }
}

/// The longest caption, alt text or credit of a medium.
const MAX_MEDIA_TEXT: usize = 2_000;

/// Checks a medium: an `http(s)` address, and its links and texts.
pub fn media(m: &Media, base: &dyn Fn() -> String, out: &mut Vec<Problem>) {
    let f = |name: &str| format!("{}.{name}", base());
    if m.url.trim().is_empty() {
        out.push(Problem::new(
            f("url"),
            says!("is missing; expected the address of the picture, video, recording, page or document"),
        ));
    } else if let Err(msg) = check_url(&m.url) {
        out.push(Problem::new(f("url"), msg));
    }
    for (name, link) in [("thumbnail", &m.thumbnail), ("link", &m.link)] {
        if let Some(Err(msg)) = link.as_deref().map(check_url) {
            out.push(Problem::new(f(name), msg));
        }
    }
    for (name, value, max) in [
        ("caption", &m.caption, MAX_MEDIA_TEXT),
        ("credit", &m.credit, MAX_TITLE),
        ("alt", &m.alt, MAX_MEDIA_TEXT),
        ("licence", &m.licence, MAX_TITLE),
        ("title", &m.title, MAX_TITLE),
    ] {
        if let Some(v) = value {
            text(v, &|| f(name), max, true, out);
        }
    }
}

/// Checks an event's texts in other languages: known tags, no empty text, not the event's
/// own language again, a summary's translation only beside a summary, and a text that says it
/// is a source's own words found in a source the event cites.
fn languages(e: &DomainEvent, f: &dyn Fn(&str) -> String, out: &mut Vec<Problem>) {
    if let Some(tag) = &e.lang {
        if let Err(message) = lang::check_tag(tag) {
            out.push(Problem::new(f("lang"), message));
        }
    }
    let own = e.lang();
    for (name, plain, texts, max) in
        [("titles", Some(&e.title), &e.titles, MAX_TITLE), ("summaries", e.summary.as_ref(), &e.summaries, MAX_TEXT)]
    {
        lang_texts(texts, Some(own), max, &|| f(name), out);
        if plain.is_none() && !texts.is_empty() {
            out.push(Problem::new(
                f(name),
                says!("is given without a summary; expected the summary in the record's own language too"),
            ));
        }
        for (tag, t) in texts {
            if t.origin == Origin::Source && !t.text.trim().is_empty() && !published_by_a_source(&t.text, &e.sources) {
                out.push(Problem::new(
                    format!("{}.{tag}.origin", f(name)),
                    says!("says the text is a source's own words, but no source the event cites has it as its title or in its quote; expected \"translation\", or the source that published these words in sources"),
                ));
            }
        }
    }
}

/// Whether some source published these words: as its title (in any language) or within its
/// quote.
fn published_by_a_source(words: &str, sources: &[Source]) -> bool {
    let words = words.trim();
    sources.iter().any(|s| {
        let titles = s.title.iter().chain(s.titles.values().filter(|t| t.origin == Origin::Source).map(|t| &t.text));
        let quotes = s.quote.iter().chain(s.quotes.values().filter(|t| t.origin == Origin::Source).map(|t| &t.text));
        titles.into_iter().any(|t| t.trim() == words) || quotes.into_iter().any(|q| q.contains(words))
    })
}

/// Checks texts by language: each tag known and not `own` (that text is the plain field),
/// each text neither empty nor too long.
fn lang_texts(texts: &Texts, own: Option<&str>, max: usize, field: &dyn Fn() -> String, out: &mut Vec<Problem>) {
    for (tag, t) in texts {
        let at = || format!("{}.{tag}", field());
        if let Err(message) = lang::check_tag(tag) {
            out.push(Problem::new(at(), message));
        } else if own.is_some_and(|own| own.eq_ignore_ascii_case(tag)) {
            out.push(Problem::new(
                at(),
                says!("is in the record's own language ({0}); expected other languages only (the text in {0} is the plain field)", tag),
            ));
        }
        text(&t.text, &|| format!("{}.text", at()), max, true, out);
    }
}

/// Checks a document's `titles` and `descriptions`: known tags, no empty text.
pub fn record_texts(titles: &Texts, descriptions: &Texts, out: &mut Vec<Problem>) {
    lang_texts(titles, None, MAX_TITLE, &|| "titles".to_owned(), out);
    lang_texts(descriptions, None, MAX_TEXT, &|| "descriptions".to_owned(), out);
}

/// Checks a record's introduction (a document's `introduction`): its text, markup and medium.
pub fn introduction(intro: &Introduction, base: &str, out: &mut Vec<Problem>) {
    let f = |name: &str| format!("{base}.{name}");
    if let Some(t) = &intro.text {
        text(t, &|| f("text"), MAX_TEXT, false, out);
    }
    rich_text(intro.text_html.as_deref(), intro.text.as_deref(), Allowed::Blocks, &|| f("text_html"), "text", out);
    lang_texts(&intro.texts, None, MAX_TEXT, &|| f("texts"), out);
    if let Some(m) = &intro.media {
        media(m, &|| f("media"), out);
    }
}

/// Checks a list of sources; `required` asks for at least one.
/// A number as a person wrote it ("91.5", "-200"), for a message. Written by the JSON number
/// writer the crate already has, so the browser bundle carries one float formatter, not two.
fn number(n: f64) -> String {
    let written = serde_json::Number::from_f64(n).map_or_else(|| "this".to_owned(), |n| n.to_string());
    match written.strip_suffix(".0") {
        Some(whole) => whole.to_owned(),
        None => written,
    }
}

fn sources(list: &[Source], base: &dyn Fn() -> String, required: bool, out: &mut Vec<Problem>) {
    if required && list.is_empty() {
        out.push(Problem::new(base(), says!("is empty; every event must cite at least one source")));
    }
    for (i, s) in list.iter().enumerate() {
        let f = |name: &str| format!("{}[{i}].{name}", base());
        if s.publisher.trim().is_empty() {
            out.push(Problem::new(
                f("publisher"),
                says!("is missing; expected the outlet or site that published the source"),
            ));
        }
        let has_title = s.title.as_deref().is_some_and(|t| !t.trim().is_empty());
        if !has_title && s.url.is_none() {
            out.push(Problem::new(
                f("title"),
                says!("is missing and there is no url; expected a title or description of the source"),
            ));
        }
        if let Some(url) = &s.url {
            if let Err(msg) = check_url(url) {
                out.push(Problem::new(f("url"), msg));
            }
            if s.no_url.is_some() {
                out.push(Problem::new(f("no_url"), says!("is given together with a url; expected one of the two")));
            }
        }
        if let Some(why) = &s.no_url {
            text(why, &|| f("no_url"), MAX_TITLE, true, out);
        }
        if let Some(what) = &s.partial {
            text(what, &|| f("partial"), MAX_TITLE, true, out);
        }
        lang_texts(&s.titles, None, MAX_TITLE, &|| f("titles"), out);
        lang_texts(&s.quotes, None, MAX_TEXT, &|| f("quotes"), out);
        if s.quote.is_none() && !s.quotes.is_empty() {
            out.push(Problem::new(
                f("quotes"),
                says!("is given without a quote; expected the quote as the source gives it too"),
            ));
        }
    }
}

/// Applies an RFC 7396 JSON merge patch.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch_map) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    if let Value::Object(map) = target {
        for (k, v) in patch_map {
            if v.is_null() {
                map.remove(k);
            } else {
                merge_patch(map.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}
