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
    /// Its current content, corrections applied.
    pub event: DomainEvent,
    /// Corrections applied, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub corrections: Vec<AppliedCorrection>,
    /// Disputes attached, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub disputes: Vec<AttachedDispute>,
    /// Set when the event has been retracted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retracted: Option<AppliedRetraction>,
}

impl Resolved {
    /// Whether any dispute is attached.
    pub fn is_disputed(&self) -> bool {
        !self.disputes.is_empty()
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

/// The current picture of a stream: domain events, actors, and every id ever seen.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    events: FxHashMap<EventId, Arc<Resolved>>,
    retracted: FxHashMap<EventId, Arc<Resolved>>,
    actors: FxHashMap<ActorId, Arc<ActorRegistration>>,
    actor_events: FxHashMap<EventId, ActorId>,
    types: FxHashMap<EventId, KnownEvent>,
    last_position: u64,
    skipped: Vec<(u64, String)>,
}

impl Catalog {
    /// An empty catalog.
    pub fn new() -> Self {
        Self::default()
    }

    /// Folds one envelope in; returns the change to a domain event, if any.
    ///
    /// Never panics: an envelope that cannot apply (a correction whose result no longer
    /// decodes, a target that does not exist) is skipped and noted in [`Catalog::skipped`].
    /// Validation keeps such envelopes out of logs written by Annals.
    pub fn apply(&mut self, env: &Envelope) -> Option<Change> {
        self.last_position = self.last_position.max(env.position);
        if self.types.contains_key(&env.id) {
            self.skipped.push((
                env.position,
                format!("id {:?} seen before", env.id.as_str()),
            ));
            return None;
        }
        self.types.insert(
            env.id.clone(),
            KnownEvent {
                type_name: env.event.type_name(),
                retracted: false,
            },
        );
        match &env.event {
            Event::Domain(kind, e) => {
                let resolved = Arc::new(Resolved {
                    id: env.id.clone(),
                    position: env.position,
                    recorded_at: env.recorded_at,
                    kind: *kind,
                    event: (**e).clone(),
                    corrections: Vec::new(),
                    disputes: Vec::new(),
                    retracted: None,
                });
                self.events.insert(env.id.clone(), resolved.clone());
                Some(Change {
                    before: None,
                    after: Some(resolved),
                })
            }
            Event::ActorRegistered(a) => {
                if self.actors.contains_key(&a.actor) {
                    self.skipped.push((
                        env.position,
                        format!("actor {:?} registered before", a.actor.as_str()),
                    ));
                    return None;
                }
                self.actor_events.insert(env.id.clone(), a.actor.clone());
                self.actors.insert(a.actor.clone(), Arc::new((**a).clone()));
                None
            }
            Event::Corrected(c) => {
                if let Some(actor_id) = self.actor_events.get(&c.target).cloned() {
                    let Some(current) = self.actors.get(&actor_id) else {
                        return None;
                    };
                    match patched::<ActorRegistration>(&**current, "ActorRegistered", &c.changes) {
                        Some(Event::ActorRegistered(updated)) if updated.actor == actor_id => {
                            self.actors.insert(actor_id, Arc::new(*updated));
                        }
                        _ => self.skipped.push((
                            env.position,
                            format!("correction of {:?} does not apply", c.target.as_str()),
                        )),
                    }
                    return None;
                }
                let Some(old) = self.events.get(&c.target).cloned() else {
                    self.skipped.push((
                        env.position,
                        format!("correction of unknown event {:?}", c.target.as_str()),
                    ));
                    return None;
                };
                match patched::<DomainEvent>(&old.event, old.kind.name(), &c.changes) {
                    Some(Event::Domain(kind, event)) => {
                        let mut new = (*old).clone();
                        new.kind = kind;
                        new.event = *event;
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
                        self.skipped.push((
                            env.position,
                            format!("correction of {:?} does not decode", c.target.as_str()),
                        ));
                        None
                    }
                }
            }
            Event::Retracted(r) => {
                let Some(old) = self.events.remove(&r.target) else {
                    self.skipped.push((
                        env.position,
                        format!("retraction of unknown event {:?}", r.target.as_str()),
                    ));
                    return None;
                };
                let mut gone = (*old).clone();
                gone.retracted = Some(AppliedRetraction {
                    id: env.id.clone(),
                    position: env.position,
                    reason: r.reason.clone(),
                    sources: r.sources.clone(),
                });
                if let Some(t) = self.types.get_mut(&r.target) {
                    t.retracted = true;
                }
                self.retracted.insert(r.target.clone(), Arc::new(gone));
                Some(Change {
                    before: Some(old),
                    after: None,
                })
            }
            Event::Disputed(d) => {
                let Some(old) = self.events.get(&d.target).cloned() else {
                    self.skipped.push((
                        env.position,
                        format!("dispute of unknown event {:?}", d.target.as_str()),
                    ));
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

    fn replace(&mut self, old: Arc<Resolved>, new: Resolved) -> Change {
        let new = Arc::new(new);
        self.events.insert(new.id.clone(), new.clone());
        Change {
            before: Some(old),
            after: Some(new),
        }
    }

    /// A live (not retracted) domain event.
    pub fn event(&self, id: &str) -> Option<&Arc<Resolved>> {
        self.events.get(id)
    }

    /// A domain event, live or retracted.
    pub fn event_any(&self, id: &str) -> Option<&Arc<Resolved>> {
        self.events.get(id).or_else(|| self.retracted.get(id))
    }

    /// All live domain events, in no particular order.
    pub fn events(&self) -> impl Iterator<Item = &Arc<Resolved>> {
        self.events.values()
    }

    /// All retracted domain events, in no particular order.
    pub fn retracted(&self) -> impl Iterator<Item = &Arc<Resolved>> {
        self.retracted.values()
    }

    /// Number of live domain events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether there is no live domain event.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// A registered actor.
    pub fn actor(&self, id: &str) -> Option<&Arc<ActorRegistration>> {
        self.actors.get(id)
    }

    /// All registered actors, sorted by id.
    pub fn actors(&self) -> Vec<&Arc<ActorRegistration>> {
        let mut list: Vec<_> = self.actors.values().collect();
        list.sort_by(|a, b| a.actor.cmp(&b.actor));
        list
    }

    /// The display name of an actor id (its English name, else the id itself).
    pub fn actor_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.actors.get(id).map_or(id, |a| a.name())
    }

    /// The country an actor stands for: itself if a country, else its `country`.
    pub fn country_of<'a>(&'a self, id: &'a ActorId) -> &'a ActorId {
        match self.actors.get(id) {
            Some(a) if a.kind == ActorKind::Country => id,
            Some(a) => a.country.as_ref().unwrap_or(id),
            None => id,
        }
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

fn patched<T: Serialize>(
    current: &T,
    type_name: &str,
    changes: &serde_json::Map<String, Value>,
) -> Option<Event> {
    let mut value = serde_json::to_value(current).ok()?;
    merge_patch(&mut value, &Value::Object(changes.clone()));
    let raw = serde_json::value::RawValue::from_string(value.to_string()).ok()?;
    decode_event(type_name, None, &raw).ok()
}

impl Known for Catalog {
    fn actor_kind(&self, id: &str) -> Option<ActorKind> {
        self.actors.get(id).map(|a| a.kind)
    }

    fn event(&self, id: &str) -> Option<KnownEvent> {
        self.types.get(id).copied()
    }

    fn payload(&self, id: &str) -> Option<Value> {
        if let Some(r) = self.events.get(id) {
            return serde_json::to_value(&r.event).ok();
        }
        let actor = self.actor_events.get(id)?;
        serde_json::to_value(&**self.actors.get(actor)?).ok()
    }
}
