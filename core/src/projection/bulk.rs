//! Folding many envelopes at once, as fast as memory allows.
//!
//! A fold of a million envelopes is bound by memory, not by arithmetic: every envelope's
//! id, payload and actor lists live in their own allocations, scattered over a few hundred
//! megabytes, and each view reads them once. Two things keep the processor busy anyway:
//!
//! - **Chunks with a read-ahead pass.** Envelopes are taken [`CHUNK`] at a time; a short
//!   loop first reads what the fold of each will read (the id's bytes and its place in the
//!   catalog's id map, the payload's reference count; on the views' side, its dates and
//!   participants). That loop is small enough that the processor has the cache misses of
//!   many envelopes in flight at once, instead of waiting for each in turn inside the long
//!   per-envelope fold, where every reference count taken is an atomic operation that waits
//!   for all earlier memory traffic. There is no prefetch instruction here: core forbids
//!   `unsafe`.
//! - **Two threads, natively.** The catalog must see envelopes one after another, and each
//!   view must see changes in log order, but the views need nothing from the catalog
//!   but its changes. On native targets, a large fold runs the catalog on the calling
//!   thread and hands each chunk of changes to a second thread, which folds them into the
//!   three views (about half of the work). The timeline takes each change over rather than
//!   copying it: another reference count would be an atomic operation, which waits for every
//!   pending write to memory. The two ends of the fold run side by side as well: the views'
//!   thread hands the timeline back for its sort on the calling thread, and meanwhile
//!   counts the graph's edges. WebAssembly in the browser has no threads, so there the same
//!   chunks are folded on one thread.
//!
//! The result is the one [`Projections::apply`] gives envelope by envelope (the property
//! tests fold both ways and compare). The graph reads one thing outside the change — the
//! kind of an actor when it first meets it — so the catalog thread sends every change of an
//! actor's kind in line with the changes, and the graph thread keeps its own copy in step.

use super::Projections;
use crate::catalog::Catalog;
use crate::envelope::Envelope;
use crate::event::{DomainEvent, Event};

/// Envelopes per chunk: enough to amortise a hand-over between threads, few enough that a
/// chunk's read-ahead data is still in cache when it is folded.
const CHUNK: usize = 1024;

/// Below this many envelopes a second thread costs more than it saves.
#[cfg(not(target_arch = "wasm32"))]
const PARALLEL_FROM: usize = 50_000;

/// Folds `envelopes` into `p` (the timeline is already in bulk mode).
pub(super) fn fold<'a>(p: &mut Projections, envelopes: impl Iterator<Item = &'a Envelope>, expected: usize) {
    #[cfg(not(target_arch = "wasm32"))]
    if expected >= PARALLEL_FROM {
        return parallel::fold(p, envelopes);
    }
    let _ = expected;
    let mut chunk: Vec<&Envelope> = Vec::with_capacity(CHUNK);
    let mut envelopes = envelopes.peekable();
    while envelopes.peek().is_some() {
        chunk.clear();
        chunk.extend(envelopes.by_ref().take(CHUNK));
        read_ahead(&p.catalog, &chunk);
        read_ahead_payloads(&chunk);
        for env in &chunk {
            // One by one: the graph reads actor kinds from the catalog as they stand now.
            p.apply(env);
        }
    }
}

/// Reads what the catalog will read to fold a chunk of envelopes — each id's bytes and its
/// place in the id map, each payload's reference count — in a loop short enough that the
/// processor overlaps the cache misses of many envelopes (see the module docs).
fn read_ahead(catalog: &Catalog, chunk: &[&Envelope]) {
    let mut acc = 0usize;
    for env in chunk {
        acc ^= usize::from(catalog.knows(env.id.as_str()));
        if let Event::Domain(_, e) = &env.event {
            acc ^= std::sync::Arc::strong_count(e);
        }
    }
    std::hint::black_box(acc);
}

/// Reads what the views will read of an event: its dates and participants.
fn read_ahead_event(e: &DomainEvent) -> u64 {
    let mut acc = e.occurred.first_day() as u64;
    for a in e.participant_ids() {
        acc ^= a.as_str().len() as u64;
    }
    acc
}

/// [`read_ahead_event`] for the payloads of a chunk of envelopes, when the views are folded
/// on this thread.
fn read_ahead_payloads(chunk: &[&Envelope]) {
    let mut acc = 0u64;
    for env in chunk {
        if let Event::Domain(_, e) = &env.event {
            acc ^= read_ahead_event(e);
        }
    }
    std::hint::black_box(acc);
}

/// [`read_ahead_event`] for a chunk of changes, on the views' thread.
#[cfg(not(target_arch = "wasm32"))]
fn read_ahead_views<'a>(changes: impl Iterator<Item = &'a crate::catalog::Change>) {
    let mut acc = 0u64;
    for change in changes {
        for r in change.before.iter().chain(change.after.iter()) {
            acc ^= read_ahead_event(&r.event);
        }
    }
    std::hint::black_box(acc);
}

#[cfg(not(target_arch = "wasm32"))]
mod parallel {
    use std::sync::mpsc;

    use rustc_hash::FxHashMap;

    use super::{read_ahead, read_ahead_views, CHUNK};
    use crate::catalog::Change;
    use crate::envelope::Envelope;
    use crate::event::ActorKind;
    use crate::id::ActorId;
    use crate::projection::{Projections, Timeline};

    /// What the views' thread takes in, in log order.
    enum Item {
        /// A change for the views, with the position of the envelope that made it.
        Change(u64, Change),
        /// An actor's kind as the catalog now has it (`None`: not registered).
        Actor(ActorId, Option<ActorKind>),
    }

    /// The catalog here; the views on a second thread.
    pub(super) fn fold<'a>(p: &mut Projections, envelopes: impl Iterator<Item = &'a Envelope>) {
        let mut timeline = std::mem::take(&mut p.timeline);
        let mut graph = std::mem::take(&mut p.graph);
        let mut stats = std::mem::take(&mut p.stats);
        // The history takes the changes on the views' thread (a copy of each costs two
        // reference counts, the views' thread's share); actors here, where they change.
        let mut history = p.history.take();
        let keep_actors = history.is_some();
        let mut actors = Vec::new();
        let mut kinds: FxHashMap<ActorId, ActorKind> =
            p.catalog.actors().into_iter().map(|a| (a.actor.clone(), a.kind)).collect();
        let (to_views, views_in) = mpsc::sync_channel::<Vec<Item>>(4);
        let (timeline_back, timeline_in) = mpsc::sync_channel::<Timeline>(1);
        std::thread::scope(|scope| {
            let views = scope.spawn(move || {
                for items in views_in {
                    read_ahead_views(items.iter().filter_map(|item| match item {
                        Item::Change(_, change) => Some(change),
                        Item::Actor(..) => None,
                    }));
                    for item in items {
                        match item {
                            Item::Change(position, change) => {
                                if let Some(history) = &mut history {
                                    history.push(position, change.clone());
                                }
                                graph.change_with(&change, &kinds);
                                stats.change(&change);
                                timeline.take(change);
                            }
                            Item::Actor(id, Some(kind)) => {
                                kinds.insert(id, kind);
                            }
                            Item::Actor(id, None) => {
                                kinds.remove(&id);
                            }
                        }
                    }
                }
                // The ends of the fold side by side: the timeline's sort on the catalog's
                // thread, which has nothing else to do now, the graph's edge count here.
                // If the other thread has stopped, its panic is what the join reports.
                let _ = timeline_back.send(timeline);
                graph.end_bulk();
                (graph, stats, history)
            });
            let mut chunk: Vec<&Envelope> = Vec::with_capacity(CHUNK);
            let mut envelopes = envelopes.peekable();
            while envelopes.peek().is_some() {
                chunk.clear();
                chunk.extend(envelopes.by_ref().take(CHUNK));
                read_ahead(&p.catalog, &chunk);
                let mut items = Vec::with_capacity(chunk.len());
                for env in &chunk {
                    if let Some(change) = p.catalog_step(env) {
                        items.push(Item::Change(env.position, change));
                    }
                    if let Some(actor) = p.actor_changed(env) {
                        let registration = p.catalog.actor(actor.as_str());
                        if let (true, Some(registration)) = (keep_actors, registration) {
                            actors.push((env.position, registration.clone()));
                        }
                        items.push(Item::Actor(actor, registration.map(|a| a.kind)));
                    }
                }
                if to_views.send(items).is_err() {
                    break; // the other thread has stopped: its join below says why
                }
            }
            drop(to_views);
            if let Ok(mut t) = timeline_in.recv() {
                t.end_bulk();
                p.timeline = t;
            }
            match views.join() {
                Ok((g, s, mut history)) => {
                    p.graph = g;
                    p.stats = s;
                    if let Some(history) = &mut history {
                        for (position, registration) in actors {
                            history.actor(position, registration);
                        }
                    }
                    p.history = history;
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        });
    }
}
