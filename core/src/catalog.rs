//! The catalog: the record as it stands after every correction, retraction and dispute.
//!
//! The log never changes an event in place; a `Corrected` event carries a merge patch, a
//! `Retracted` event withdraws one, a `Disputed` event attaches competing claims. The
//! catalog folds those into one current picture of each domain event ([`Resolved`]) and
//! reports each change as a [`Change`] (what the event looked like before, and after).
//! Every projection consumes changes rather than raw envelopes, so each reflects
//! corrections, retractions and disputes the same way, by removing the old contribution and
//! adding the new one.
//!
//! The catalog is also the [`Known`] context validation needs inside a stream.

use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::Serialize;
use serde_json::Value;

use crate::date::Timestamp;
use crate::envelope::{decode_event, Envelope};
use crate::event::{ActorKind, ActorRegistration, Dispute, DomainEvent, Event, EventKind, Source};
use crate::id::{ActorId, EventId};
use crate::validate::{merge_patch, Known, KnownEvent};

/// A correction that was applied to an event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppliedCorrection {
    /// Id of the `Corrected` event.
    pub id: EventId,
    /// Its log position.
    pub position: u64,
    /// When the log learned of it.
    pub recorded_at: Timestamp,
    /// The merge patch it applied.
    pub changes: serde_json::Map<String, Value>,
    /// Why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What it rests on.
    pub sources: Vec<Source>,
}

/// A dispute attached to an event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttachedDispute {
    /// Id of the `Disputed` event.
    pub id: EventId,
    /// Its log position.
    pub position: u64,
    /// The dispute.
    #[serde(flatten)]
    pub dispute: Dispute,
}

/// A retraction of an event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppliedRetraction {
    /// Id of the `Retracted` event.
    pub id: EventId,
    /// Its log position.
    pub position: u64,
    /// Why.
    pub reason: String,
    /// What it rests on.
    pub sources: Vec<Source>,
}

/// A domain event as it currently stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resolved {
    /// The event's id.
    pub id: EventId,
    /// Log position of the original event; also the tie-breaker of every ordering.
    pub position: u64,
    /// When the log first learned of it.
    pub recorded_at: Timestamp,
    /// Its kind.
    pub kind: EventKind,
    /// Its current content, corrections applied (shared with the envelope until corrected).
    pub event: Arc<DomainEvent>,
    /// Corrections applied, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub corrections: Vec<AppliedCorrection>,
    /// Disputes attached, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub disputes: Vec<AttachedDispute>,
    /// Set when the event has been retracted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retracted: Option<Box<AppliedRetraction>>,
}

/// The tag of an era: a labelled span of time another tool's file gives (TimelineJS's `eras`),
/// kept as an event so that it is stored, cited and written back like one. Readers show it as
/// a span over the events it holds and count it apart from them.
pub const ERA_TAG: &str = "timelinejs-era";

impl Resolved {
    /// Whether any dispute is attached.
    pub fn is_disputed(&self) -> bool {
        !self.disputes.is_empty()
    }

    /// Whether this is an era ([`ERA_TAG`]): a span, not an event.
    pub fn is_era(&self) -> bool {
        self.event.tags.iter().any(|t| t == ERA_TAG)
    }
}

/// How one domain event changed: its picture before and after an envelope.
/// `before == None` is an addition; `after == None` a removal (retraction).
#[derive(Debug, Clone)]
pub struct Change {
    /// The event as it was, if it was visible.
    pub before: Option<Arc<Resolved>>,
    /// The event as it is now, if it is visible.
    pub after: Option<Arc<Resolved>>,
}

/// What an id stands for in the catalog: sixteen bytes, so the one id map stays small.
#[derive(Debug, Clone)]
enum Slot {
    /// A domain event; retracted when `retracted` is set on it.
    Domain(Arc<Resolved>),
    /// An actor registration: the index, in `Catalog::registered`, of the actor it registered.
    Actor(u32),
    /// A correction, retraction or dispute.
    Change(ChangeType),
}

/// The types of the events that change other events.
#[derive(Debug, Clone, Copy)]
enum ChangeType {
    Corrected,
    Retracted,
    Disputed,
}

impl ChangeType {
    fn name(self) -> &'static str {
        match self {
            ChangeType::Corrected => "Corrected",
            ChangeType::Retracted => "Retracted",
            ChangeType::Disputed => "Disputed",
        }
    }
}

/// The current picture of a stream: domain events, actors, and every id ever seen.
///
/// One map from id to [`Slot`] answers every question about an id with one lookup; on a
/// million events the hash map is the cost of the fold, so there is only one.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    ids: FxHashMap<EventId, Slot>,
    /// Every actor registered, in order of registration (what [`Slot::Actor`] points into).
    registered: Vec<ActorId>,
    actors: FxHashMap<ActorId, Arc<ActorRegistration>>,
    live: usize,
    retracted: usize,
    last_position: u64,
    skipped: Vec<(u64, String)>,
    /// The language actors are named in ([`Catalog::actor_name`]); `None` is English.
    language: Option<String>,
}

impl Catalog {
    /// An empty catalog.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes room for `additional` more events.
    pub fn reserve(&mut self, additional: usize) {
        self.ids.reserve(additional);
    }

    /// Folds one envelope in; returns the change to a domain event, if any.
    ///
    /// Never panics: an envelope that cannot apply (a correction whose result no longer
    /// decodes, a target that does not exist) is skipped and noted in [`Catalog::skipped`].
    /// Validation keeps such envelopes out of logs written by Annals.
    pub fn apply(&mut self, env: &Envelope) -> Option<Change> {
        self.last_position = self.last_position.max(env.position);
        if let Event::Domain(kind, e) = &env.event {
            let resolved = Arc::new(Resolved {
                id: env.id.clone(),
                position: env.position,
                recorded_at: env.recorded_at,
                kind: *kind,
                event: e.clone(),
                corrections: Vec::new(),
                disputes: Vec::new(),
                retracted: None,
            });
            return match self.ids.entry(env.id.clone()) {
                std::collections::hash_map::Entry::Occupied(_) => {
                    self.skip(env.position, format!("id {:?} seen before", env.id.as_str()));
                    None
                }
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(Slot::Domain(resolved.clone()));
                    self.live += 1;
                    Some(Change { before: None, after: Some(resolved) })
                }
            };
        }
        if self.ids.contains_key(&env.id) {
            self.skip(env.position, format!("id {:?} seen before", env.id.as_str()));
            return None;
        }
        match &env.event {
            Event::Domain(..) => None,
            Event::ActorRegistered(a) => {
                if self.actors.contains_key(&a.actor) {
                    self.skip(env.position, format!("actor {:?} registered before", a.actor.as_str()));
                    return None;
                }
                self.ids.insert(env.id.clone(), Slot::Actor(self.registered.len() as u32));
                self.registered.push(a.actor.clone());
                self.actors.insert(a.actor.clone(), Arc::new((**a).clone()));
                None
            }
            Event::Corrected(c) => {
                self.ids.insert(env.id.clone(), Slot::Change(ChangeType::Corrected));
                match self.ids.get(&c.target).cloned() {
                    Some(Slot::Actor(a)) => {
                        let actor_id = self.registered[a as usize].clone();
                        let current = self.actors.get(&actor_id)?;
                        match patched::<ActorRegistration>(&**current, "ActorRegistered", &c.changes) {
                            Some(Event::ActorRegistered(updated)) if updated.actor == actor_id => {
                                self.actors.insert(actor_id, Arc::new(*updated));
                            }
                            _ => {
                                self.skip(env.position, format!("correction of {:?} does not apply", c.target.as_str()))
                            }
                        }
                        None
                    }
                    Some(Slot::Domain(old)) if old.retracted.is_none() => {
                        match patched::<DomainEvent>(&*old.event, old.kind.name(), &c.changes) {
                            Some(Event::Domain(kind, event)) => {
                                let mut new = (*old).clone();
                                new.kind = kind;
                                new.event = event;
                                new.corrections.push(AppliedCorrection {
                                    id: env.id.clone(),
                                    position: env.position,
                                    recorded_at: env.recorded_at,
                                    changes: c.changes.clone(),
                                    reason: c.reason.clone(),
                                    sources: c.sources.clone(),
                                });
                                Some(self.replace(old, new))
                            }
                            _ => {
                                self.skip(
                                    env.position,
                                    format!("correction of {:?} does not decode", c.target.as_str()),
                                );
                                None
                            }
                        }
                    }
                    _ => {
                        self.skip(env.position, format!("correction of unknown event {:?}", c.target.as_str()));
                        None
                    }
                }
            }
            Event::Retracted(r) => {
                self.ids.insert(env.id.clone(), Slot::Change(ChangeType::Retracted));
                let Some(Slot::Domain(old)) = self.ids.get(&r.target).cloned() else {
                    self.skip(env.position, format!("retraction of unknown event {:?}", r.target.as_str()));
                    return None;
                };
                if old.retracted.is_some() {
                    self.skip(env.position, format!("{:?} was already retracted", r.target.as_str()));
                    return None;
                }
                let mut gone = (*old).clone();
                gone.retracted = Some(Box::new(AppliedRetraction {
                    id: env.id.clone(),
                    position: env.position,
                    reason: r.reason.clone(),
                    sources: r.sources.clone(),
                }));
                self.ids.insert(r.target.clone(), Slot::Domain(Arc::new(gone)));
                self.live -= 1;
                self.retracted += 1;
                Some(Change { before: Some(old), after: None })
            }
            Event::Disputed(d) => {
                self.ids.insert(env.id.clone(), Slot::Change(ChangeType::Disputed));
                let Some(Slot::Domain(old)) = self.ids.get(&d.target).cloned().filter(|s| !is_retracted(s)) else {
                    self.skip(env.position, format!("dispute of unknown event {:?}", d.target.as_str()));
                    return None;
                };
                let mut new = (*old).clone();
                new.disputes.push(AttachedDispute {
                    id: env.id.clone(),
                    position: env.position,
                    dispute: (**d).clone(),
                });
                Some(self.replace(old, new))
            }
        }
    }

    fn skip(&mut self, position: u64, why: String) {
        self.skipped.push((position, why));
    }

    fn replace(&mut self, old: Arc<Resolved>, new: Resolved) -> Change {
        let new = Arc::new(new);
        self.ids.insert(new.id.clone(), Slot::Domain(new.clone()));
        Change { before: Some(old), after: Some(new) }
    }

    /// A live (not retracted) domain event.
    pub fn event(&self, id: &str) -> Option<&Arc<Resolved>> {
        self.event_any(id).filter(|r| r.retracted.is_none())
    }

    /// A domain event, live or retracted.
    pub fn event_any(&self, id: &str) -> Option<&Arc<Resolved>> {
        match self.ids.get(id) {
            Some(Slot::Domain(r)) => Some(r),
            _ => None,
        }
    }

    fn domain(&self) -> impl Iterator<Item = &Arc<Resolved>> {
        self.ids.values().filter_map(|s| match s {
            Slot::Domain(r) => Some(r),
            _ => None,
        })
    }

    /// All live domain events, in no particular order.
    pub fn events(&self) -> impl Iterator<Item = &Arc<Resolved>> {
        self.domain().filter(|r| r.retracted.is_none())
    }

    /// All retracted domain events, in no particular order.
    pub fn retracted(&self) -> impl Iterator<Item = &Arc<Resolved>> {
        self.domain().filter(|r| r.retracted.is_some())
    }

    /// Number of live domain events.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Number of retracted domain events.
    pub fn retracted_len(&self) -> usize {
        self.retracted
    }

    /// Whether there is no live domain event.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// A registered actor.
    pub fn actor(&self, id: &str) -> Option<&Arc<ActorRegistration>> {
        self.actors.get(id)
    }

    /// All registered actors, sorted by id.
    pub fn actors(&self) -> Vec<&Arc<ActorRegistration>> {
        let mut list: Vec<_> = self.actors.values().collect();
        crate::order::sort_by(&mut list, |a, b| a.actor.cmp(&b.actor));
        list
    }

    /// The display name of an actor id: its name in the catalog's language
    /// ([`Catalog::set_language`]), else English, else the id itself.
    pub fn actor_name<'a>(&'a self, id: &'a str) -> &'a str {
        match (self.actors.get(id), &self.language) {
            (None, _) => id,
            (Some(a), None) => a.name(),
            (Some(a), Some(tag)) => a.name_for(tag),
        }
    }

    /// Names actors for readers of a language (a BCP 47 tag such as `ru` or `be-BY`), where
    /// the record has their names in it; English otherwise. It changes how the record is
    /// shown, never what it holds.
    pub fn set_language(&mut self, tag: Option<&str>) {
        self.language = tag.filter(|t| !t.is_empty()).map(str::to_owned);
    }

    /// The language actors are named in ([`Catalog::set_language`]), if one was set.
    pub fn language(&self) -> Option<&str> {
        self.language.as_deref()
    }

    /// The country an actor stands for: itself if a country, else its `country`.
    pub fn country_of<'a>(&'a self, id: &'a ActorId) -> &'a ActorId {
        match self.actors.get(id) {
            Some(a) if a.kind == ActorKind::Country => id,
            Some(a) => a.country.as_ref().unwrap_or(id),
            None => id,
        }
    }

    /// A catalog of these actors (as registered then) and a count of retracted events, named
    /// in this catalog's language: what the views of an earlier log position read of the
    /// catalog (see `projection::history`). It knows no events.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn of_actors(
        &self,
        actors: impl IntoIterator<Item = Arc<ActorRegistration>>,
        retracted: usize,
    ) -> Catalog {
        let mut catalog = Catalog { retracted, language: self.language.clone(), ..Catalog::default() };
        for a in actors {
            catalog.registered.push(a.actor.clone());
            catalog.actors.insert(a.actor.clone(), a);
        }
        catalog
    }

    /// The actor an `ActorRegistered` event registered, by the event's id.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn registered_by(&self, id: &str) -> Option<&ActorId> {
        match self.ids.get(id) {
            Some(Slot::Actor(a)) => self.registered.get(*a as usize),
            _ => None,
        }
    }

    /// Whether an id is in the catalog (any kind of event).
    pub(crate) fn knows(&self, id: &str) -> bool {
        self.ids.contains_key(id)
    }

    /// The highest log position folded in.
    pub fn last_position(&self) -> u64 {
        self.last_position
    }

    /// Envelopes that could not apply, with the reason (position, reason).
    pub fn skipped(&self) -> &[(u64, String)] {
        &self.skipped
    }
}

fn is_retracted(slot: &Slot) -> bool {
    matches!(slot, Slot::Domain(r) if r.retracted.is_some())
}

fn patched<T: Serialize>(current: &T, type_name: &str, changes: &serde_json::Map<String, Value>) -> Option<Event> {
    let mut value = crate::event::json_value(current);
    merge_patch(&mut value, &Value::Object(changes.clone()));
    let raw = serde_json::value::RawValue::from_string(crate::event::json_text(&value)).ok()?;
    decode_event(type_name, None, &raw).ok()
}

impl Known for Catalog {
    fn actor_kind(&self, id: &str) -> Option<ActorKind> {
        self.actors.get(id).map(|a| a.kind)
    }

    fn event(&self, id: &str) -> Option<KnownEvent> {
        Some(match self.ids.get(id)? {
            Slot::Domain(r) => KnownEvent { type_name: r.kind.name(), retracted: r.retracted.is_some() },
            Slot::Actor(_) => KnownEvent { type_name: "ActorRegistered", retracted: false },
            Slot::Change(t) => KnownEvent { type_name: t.name(), retracted: false },
        })
    }

    fn payload(&self, id: &str) -> Option<Value> {
        match self.ids.get(id)? {
            Slot::Domain(r) => Some(crate::event::json_value(&*r.event)),
            Slot::Actor(a) => Some(crate::event::json_value(&**self.actors.get(&self.registered[*a as usize])?)),
            Slot::Change(_) => None,
        }
    }
}
