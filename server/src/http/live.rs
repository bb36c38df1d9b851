//! Live updates: `GET /api/streams/{stream}/live`, Server-Sent Events.
//!
//! Each new envelope of the stream is one event: `id:` is its global position, `data:` the
//! envelope JSON (default event type, so `EventSource.onmessage` gets it). A client that
//! reconnects sends `Last-Event-ID` (browsers do it themselves) and receives exactly the
//! envelopes after that position; a first connection may pass `?after=N` (the position
//! its data is at), and otherwise receives only what is appended from then on.
//!
//! *Nothing lost, nothing repeated.* Every subscriber keeps `cursor`, the position of the
//! last envelope it sent, and only ever sends envelopes of its stream after it, in
//! position order, taken from a read that covers *every* position after `cursor` up to
//! some point. Two sources give such reads:
//!
//! - [`Recent`], one window of the latest envelopes of the whole log, shared by every
//!   subscriber: one task follows the store (one read per commit, however many
//!   subscribers), keeps the window contiguous (`first..=last`, no holes) with each
//!   envelope serialized once, and publishes `last` after each extension;
//! - the store itself, when a subscriber is behind the window (resuming from long ago).
//!
//! A subscriber watches the window's `last` *before* reading, so an extension after its
//! read always wakes it. The store is the source of truth; notifications carry no data.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use annals_core::StreamName;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use axum::Router;
use futures_util::Stream;
use serde::Deserialize;
use tokio::sync::{mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::StreamExt as _;

use super::{ApiError, AppState, StreamPath};
use crate::store::{Store, StoreError};

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route("/streams/{stream}/live", get(live))
}

/// Envelopes read from the store per round trip.
const PAGE: usize = 500;
/// Envelopes the shared window keeps.
const WINDOW: usize = 10_000;

/// The query of a subscription.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveQuery {
    after: Option<u64>,
}

async fn live(
    State(state): State<AppState>,
    StreamPath(stream): StreamPath,
    headers: HeaderMap,
    query: Result<Query<LiveQuery>, QueryRejection>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let Query(query) = query?;
    let last_event_id = match headers.get("last-event-id") {
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|t| t.trim().parse::<u64>().ok())
                .filter(|p| *p <= super::MAX_POSITION)
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "bad_last_event_id",
                        format!(
                            "Last-Event-ID is not a log position; expected a number from 0 to {}",
                            super::MAX_POSITION
                        ),
                    )
                })?,
        ),
        None => None,
    };
    let recent = state.recent.clone();
    recent.start(&state.store);
    let published = recent.subscribe();
    let start =
        last_event_id.or(super::position("after", query.after)?).unwrap_or_else(|| *state.store.subscribe().borrow());
    let (tx, rx) = mpsc::channel::<Event>(64);
    let subscriber = Subscriber { store: state.store.clone(), recent, stream, cursor: start, scanned: start, tx };
    let closed = state.closed();
    tokio::spawn(async move {
        tokio::select! {
            () = subscriber.run(published) => {}
            () = closed => {}
        }
    });
    let events = ReceiverStream::new(rx).map(Ok);
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// One envelope of the window, serialized once.
#[derive(Debug, Clone)]
struct Entry {
    position: u64,
    stream: StreamName,
    json: Arc<str>,
}

#[derive(Debug, Default)]
struct Window {
    /// Contiguous positions `last + 1 - entries.len() ..= last`.
    entries: VecDeque<Entry>,
    last: u64,
}

impl Window {
    fn first(&self) -> u64 {
        self.last + 1 - self.entries.len() as u64
    }
}

/// The latest envelopes of the whole log, shared by every live subscriber. See the module
/// docs.
#[derive(Debug)]
pub struct Recent {
    window: RwLock<Window>,
    published: watch::Sender<u64>,
    started: OnceLock<()>,
}

impl Default for Recent {
    fn default() -> Self {
        Self { window: RwLock::default(), published: watch::channel(0).0, started: OnceLock::new() }
    }
}

impl Recent {
    /// Starts following the store (once; later calls do nothing). The window begins empty
    /// at the store's last committed position.
    fn start(self: &Arc<Self>, store: &Arc<dyn Store>) {
        self.started.get_or_init(|| {
            let last = *store.subscribe().borrow();
            if let Ok(mut window) = self.window.write() {
                window.last = last;
            }
            self.published.send_replace(last);
            tokio::spawn(self.clone().follow(store.clone()));
        });
    }

    fn subscribe(&self) -> watch::Receiver<u64> {
        self.published.subscribe()
    }

    fn last(&self) -> u64 {
        self.window.read().map_or(0, |w| w.last)
    }

    /// Extends the window with every commit, for as long as the store is open.
    async fn follow(self: Arc<Self>, store: Arc<dyn Store>) {
        let mut committed = store.subscribe();
        loop {
            committed.borrow_and_update();
            loop {
                let page = match store.read_all(self.last(), PAGE).await {
                    Ok(page) => page,
                    Err(StoreError::Closed) => return,
                    Err(e) => {
                        tracing::warn!("live: reading the log: {e}; retrying");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                };
                let n = page.len();
                let entries: Vec<Entry> = page
                    .into_iter()
                    .filter_map(|env| match serde_json::to_string(&env) {
                        Ok(json) => Some(Entry { position: env.position, stream: env.stream, json: json.into() }),
                        Err(e) => {
                            tracing::error!("live: cannot encode position {}: {e}", env.position);
                            None
                        }
                    })
                    .collect();
                if !entries.is_empty() {
                    if let Ok(mut window) = self.window.write() {
                        for entry in entries {
                            // Reads after `last` are contiguous (positions are gapless);
                            // the check keeps the window free of holes regardless.
                            if entry.position == window.last + 1 {
                                window.last = entry.position;
                                window.entries.push_back(entry);
                            }
                        }
                        while window.entries.len() > WINDOW {
                            window.entries.pop_front();
                        }
                        self.published.send_replace(window.last);
                    }
                }
                if n < PAGE {
                    break;
                }
            }
            if committed.changed().await.is_err() {
                return;
            }
        }
    }

    /// The stream's entries after `scanned`, and how far they cover, if the window reaches
    /// back to `scanned`; `None` when the caller must read the store instead.
    fn after(&self, stream: &StreamName, scanned: u64) -> Option<(Vec<Entry>, u64)> {
        let window = self.window.read().ok()?;
        if scanned >= window.last {
            return Some((Vec::new(), scanned));
        }
        if scanned + 1 < window.first() {
            return None;
        }
        let skip = (scanned + 1 - window.first()) as usize;
        let entries = window.entries.iter().skip(skip).filter(|e| &e.stream == stream).cloned().collect();
        Some((entries, window.last))
    }
}

/// One live connection.
struct Subscriber {
    store: Arc<dyn Store>,
    recent: Arc<Recent>,
    stream: StreamName,
    /// Position of the last envelope sent.
    cursor: u64,
    /// Every position up to here has been considered (`>= cursor`).
    scanned: u64,
    tx: mpsc::Sender<Event>,
}

impl Subscriber {
    /// Sends the stream's envelopes after the start, then each new one, until the client
    /// leaves.
    async fn run(mut self, mut published: watch::Receiver<u64>) {
        loop {
            published.borrow_and_update();
            let sent = match self.recent.after(&self.stream, self.scanned) {
                Some((entries, covered)) => self.send_recent(entries, covered).await,
                None => self.catch_up().await,
            };
            if !sent {
                return;
            }
            tokio::select! {
                changed = published.changed() => if changed.is_err() { return },
                () = self.tx.closed() => return,
            }
        }
    }

    async fn send_recent(&mut self, entries: Vec<Entry>, covered: u64) -> bool {
        for entry in entries {
            if entry.position <= self.cursor {
                continue;
            }
            let event = Event::default().id(entry.position.to_string()).data(&*entry.json);
            if self.tx.send(event).await.is_err() {
                return false;
            }
            self.cursor = entry.position;
        }
        self.scanned = self.scanned.max(covered);
        true
    }

    /// Reads the store after the cursor until it has nothing more.
    async fn catch_up(&mut self) -> bool {
        loop {
            let page = match self.store.read_stream(self.stream.clone(), self.cursor, PAGE).await {
                Ok(page) => page,
                Err(e) => {
                    tracing::warn!("live {}: {e}", self.stream);
                    return false;
                }
            };
            let n = page.events.len();
            for env in page.events {
                let event = match Event::default().id(env.position.to_string()).json_data(&env) {
                    Ok(event) => event,
                    Err(e) => {
                        tracing::error!("live {}: cannot encode position {}: {e}", self.stream, env.position);
                        return false;
                    }
                };
                if self.tx.send(event).await.is_err() {
                    return false;
                }
                self.cursor = env.position;
            }
            self.scanned = self.cursor;
            if n < PAGE {
                return true;
            }
        }
    }
}
