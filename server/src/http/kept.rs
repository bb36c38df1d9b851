//! The projections the service keeps, and the gate of expensive reads.
//!
//! *Why kept.* Folding a million events takes seconds and about a gigabyte; folded per request,
//! three `stats?as_of=…` at once once took five. Here each stream is folded **once**, at its
//! first use, and then kept current: a follower task wakes on every commit of the store (its
//! position watch, the same one the live publisher follows) and folds only the new envelopes
//! of each kept stream. A read also compares the store's last position with the one its
//! projections have seen, and folds what is missing itself, so an answer never lags an
//! append that was acknowledged before the read began, even when the follower has not run
//! yet. With nothing new, a read does no I/O at all.
//!
//! *Why bounded.* At most `capacity` streams are kept (`annals serve --kept-streams`); when
//! another is needed, the one used least recently is dropped (its memory is freed when the
//! last read of it ends). First folds run one at a time, so their transient memory does not
//! add up. Readers share a read lock — many at once — and folding new envelopes takes the
//! write lock briefly: the projections are never copied.
//!
//! *What else is kept.* Besides the projections, each stream keeps the subject of every
//! envelope in log order ([`Logged`]: what a filtered `events` read judges an envelope by), so
//! a filter scans memory instead of decoding the log from the store, the search text of each
//! domain event as it stands ([`Texts`]: what `events?q=` finds it by), and answers already
//! written at the stream's version ([`Answers`], bounded in bytes, dropped at the next
//! version): a view asked twice — a window the app pans back to, the graph — is written once.
//! The projections also keep their history (core's `projection::history`: every change with
//! its position, and checkpoints), so a view as of a log position (`as_of_position`) is
//! added up from memory instead of folding the log up to it per call. After each fold the
//! graph's year index and the history's checkpoints are built at once ([`prepare`]), so the
//! first read after a fold does not pay for them.
//!
//! *Where reads compute.* A read that computes its answer (a window, figures, a graph, a
//! view as of a position) does it on a blocking thread, at most one per CPU at once and in
//! the order they came ([`Work`]): on the async threads, such reads held both threads of a
//! two-core machine and the other requests (and the gate's timers) waited behind them in no
//! particular order, so the slowest waited many times the median. Reads that compute
//! nothing (a plain `events` page: one store read) take no place here: beside four loops of
//! distinct `stats?as_of_position` on a million events, 16 readers of plain pages measured
//! p99 49 ms with this pool and 164 ms without it (computing on the async threads). Answers
//! already written are sent from the async thread, and a read that waited is looked up again
//! before it computes (the same query asked by many at once is computed once, mostly).
//!
//! *Why a size limit.* A kept stream costs memory in proportion to its events (measured 2.6
//! KB an envelope with its views and history, [`KEPT_BYTES_PER_EVENT`]): ten million events
//! would take 26 GB, and a service that folds them is killed by the kernel, taking every
//! other stream, append and live connection down with it. So at most `max_events` events
//! are kept in all (`annals serve --kept-max-events`, by default what half the machine's
//! memory holds: [`default_max_events`]): keeping a stream drops the least recently used ones
//! until the events kept, its own with theirs, fit (three streams each just under the limit
//! would take three times the memory it stands for), and a stream with more than
//! `max_events` events alone is never folded: its views (and filtered `events`
//! reads, which scan the kept log) answer 400 `stream_too_large` with its size, the limit and
//! what still works — its plain `events` pages, appends and live updates, which need nothing
//! kept — while smaller streams are served as before. The size is read from the store before
//! a first fold (one indexed query), and a kept stream that grew past the limit is dropped at
//! its next view.
//!
//! *The gate.* Reads whose cost grows with the record (the whole timeline, the graph with its
//! layout, filtered event scans) each take a permit of [`Gate`]
//! (`--expensive-reads`, default the number of CPUs). A read that gets none within
//! [`Gate::WAIT`] is answered 503 with `Retry-After`, so a burst of them queues briefly and
//! then sheds instead of piling up memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use annals_core::catalog::{Catalog, Resolved};
use annals_core::projection::{Projections, StatsView};
use annals_core::{ActorId, DomainEvent, Envelope, Event, EventId, PartialDate, StreamName};
use axum::body::Bytes;
use tokio::sync::{OwnedRwLockReadGuard, OwnedSemaphorePermit, RwLock, Semaphore};

use super::error::no_stream;
use super::ApiError;
use crate::store::{Store, StoreError};

/// Envelopes read from the store per round trip while folding.
const FOLD_PAGE: usize = 10_000;
/// Envelopes folded at once (a bulk fold sorts once per batch).
const FOLD_BATCH: usize = 100_000;
/// Batches up to this size are applied one envelope at a time, on the request's task.
const SMALL_BATCH: usize = 64;
/// Streams kept unless configured otherwise.
pub const DEFAULT_KEPT_STREAMS: usize = 16;
/// What a kept stream costs a service per event: its projections with views and history,
/// the kept log and texts — measured 2.6 KB an envelope on a million synthetic events
/// (`benches/views.rs`, "resident after the fold", less the store writer's 2.1 KB).
pub const KEPT_BYTES_PER_EVENT: u64 = 2_600;

/// The default of `--kept-max-events`: as many events as half of the machine's memory holds
/// kept ([`KEPT_BYTES_PER_EVENT`] each); the memory is `MemTotal` of `/proc/meminfo`, or the
/// cgroup's `memory.max` when lower. The other half is left to the store, the first fold's
/// transient copies and the answers. Without either file (not Linux): 4,000,000.
pub fn default_max_events() -> u64 {
    let total = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        let kb = m.lines().find_map(|l| l.strip_prefix("MemTotal:"))?.trim().trim_end_matches("kB").trim();
        kb.parse::<u64>().ok().map(|kb| kb * 1024)
    });
    let cgroup = std::fs::read_to_string("/sys/fs/cgroup/memory.max").ok().and_then(|m| m.trim().parse::<u64>().ok());
    match (total, cgroup) {
        (None, None) => 4_000_000,
        (t, c) => t.unwrap_or(u64::MAX).min(c.unwrap_or(u64::MAX)) / 2 / KEPT_BYTES_PER_EVENT,
    }
}

/// The refusal of a view of a stream of `events` events, above `max`.
fn too_large(stream: &StreamName, events: u64, max: u64) -> ApiError {
    ApiError::bad_request(
        "stream_too_large",
        format!(
            "stream {:?} has {events} events, more than the {max} this service keeps in memory for its \
             views (serve --kept-max-events); its timeline, figures, graph and filtered reads are not \
             available here, but its events can still be read page by page \
             (/api/streams/{}/events?after=POSITION), appended and followed live",
            stream.as_str(),
            percent_encoding::utf8_percent_encode(stream.as_str(), percent_encoding::NON_ALPHANUMERIC),
        ),
    )
}

/// The projections of one stream as they stand, with the stream's version.
#[derive(Debug, Default)]
pub struct Current {
    /// The stream's version when last caught up.
    pub version: u64,
    /// The projections.
    pub projections: Projections,
    /// The store's last position (of any stream) known to be folded in.
    seen: u64,
    /// Whether the first fold has completed.
    folded: bool,
    /// Figures already computed at `version`, by the last day of their as-of date.
    stats: Mutex<(u64, StatsMemo)>,
    /// Every envelope of the stream, in log order, with what it is about.
    pub log: Vec<Logged>,
    /// The search text of each domain event, as it stands now.
    texts: Texts,
    /// Rows of `log` whose subject and text are written (the rest are folded and not yet).
    indexed: usize,
    /// Answers written at a version (shared, so a read may keep one after its lock is gone).
    pub answers: Arc<Mutex<Answers>>,
    /// Where the all-time graph's layout puts each actor, at a version (see `views::graph`).
    pub places: Arc<Mutex<Places>>,
}

/// Positions of the all-time graph's nodes, by actor, and the version they were laid out at.
pub type Places = (u64, Option<Arc<HashMap<ActorId, (f64, f64)>>>);

/// One envelope of a kept stream: its position, type and what it is about — a domain event
/// is about itself, a correction, dispute or retraction about its target, a registration
/// about its actor.
#[derive(Debug, Clone)]
pub struct Logged {
    /// Its log position.
    pub position: u64,
    /// Its type's name (`Visit`, `Corrected`, `ActorRegistered`, …).
    pub type_name: &'static str,
    /// What it is about.
    pub about: About,
    /// The row (index in the log) of the domain event it is about, [`NO_ROW`] until that
    /// event is folded (and for registrations).
    subject: u32,
    /// On a domain event's own row: where its search text lies in [`Texts`].
    text_at: usize,
    text_len: u32,
}

/// No row: see [`Logged`].
const NO_ROW: u32 = u32::MAX;

/// What an envelope is about.
#[derive(Debug, Clone)]
pub enum About {
    /// A domain event (by its id).
    Event(EventId),
    /// An actor (by its id).
    Actor(ActorId),
}

impl Logged {
    fn of(env: &Envelope) -> Self {
        let about = match &env.event {
            Event::ActorRegistered(a) => About::Actor(a.actor.clone()),
            event => About::Event(event.target().unwrap_or(&env.id).clone()),
        };
        Logged {
            position: env.position,
            type_name: env.event.type_name(),
            about,
            subject: NO_ROW,
            text_at: 0,
            text_len: 0,
        }
    }
}

/// The text a search (`events?q=`) finds each domain event of a kept stream by, as it stands
/// now: its titles and summaries ([`DomainEvent::texts`]), each lowercased, joined by
/// [`Texts::SEPARATOR`], one after another in one string. *Why:* judging an envelope by
/// looking its event up in the catalog and reading its texts cost a hash lookup, a few
/// cache misses and a fold of the case per text (2.9 ms of CPU a call of 5,000 envelopes
/// on a million, measured; 0.45 ms so); here a scan reads the rows in order and one short
/// string per row, mostly in order too. The
/// search answers what the lookup answered: a needle containing the separator is judged
/// the old way. A corrected event's text is written again at the end and its old one left
/// behind until the dead text outweighs the live ([`Texts::set`] then compacts).
#[derive(Debug, Default)]
pub struct Texts {
    folded: String,
    live: usize,
}

impl Texts {
    /// Between the texts of one event (no match may span two of them).
    pub const SEPARATOR: char = '\0';

    /// Writes the search text of `event` for `row`.
    fn set(&mut self, log: &mut [Logged], row: usize, event: &DomainEvent) {
        let start = self.folded.len();
        for (i, text) in event.texts().enumerate() {
            if i > 0 {
                self.folded.push(Self::SEPARATOR);
            }
            if text.is_ascii() {
                let at = self.folded.len();
                self.folded.push_str(text);
                self.folded[at..].make_ascii_lowercase();
            } else {
                // (Each text by itself: lowercasing depends on the neighbouring letters.)
                self.folded.push_str(&text.to_lowercase());
            }
        }
        let len = self.folded.len() - start;
        let old = log[row].text_len as usize;
        let (Ok(len32), Ok(own)) = (u32::try_from(len), u32::try_from(row)) else {
            // Not kept: the rows about it are searched the old way.
            self.folded.truncate(start);
            self.live -= old;
            log[row].text_len = 0;
            log[row].subject = NO_ROW;
            return;
        };
        log[row].text_len = len32;
        log[row].text_at = start;
        log[row].subject = own;
        self.live = self.live + len - old;
        if self.folded.len() > 2 * self.live + (1 << 20) {
            self.compact(log);
        }
    }

    /// Drops the texts no row points to.
    fn compact(&mut self, log: &mut [Logged]) {
        let mut folded = String::with_capacity(self.live);
        for l in log.iter_mut().filter(|l| l.text_len > 0) {
            let at = folded.len();
            folded.push_str(&self.folded[l.text_at..l.text_at + l.text_len as usize]);
            l.text_at = at;
        }
        self.live = folded.len();
        self.folded = folded;
    }
}

/// After a fold, points the rows from `from` on at the rows of the events they are about,
/// and writes the search text of every event they changed (a new one, or one corrected).
fn index_texts(log: &mut [Logged], texts: &mut Texts, catalog: &Catalog, from: usize) {
    // Rows before `from` whose events changed (the catalog holds the end of the fold, so
    // a row from `from` on gets its final text on its own turn).
    let mut changed: Vec<(usize, &Arc<Resolved>)> = Vec::new();
    for i in from..log.len() {
        let About::Event(id) = &log[i].about else { continue };
        let Some(r) = catalog.event_any(id.as_str()) else { continue };
        // Mostly the event's own row; else (a change, an id used twice) its first one.
        let row = if log[i].position == r.position { i } else { log.partition_point(|l| l.position < r.position) };
        if row >= log.len() || log[row].position != r.position || row >= NO_ROW as usize {
            continue;
        }
        log[i].subject = row as u32;
        if row == i {
            texts.set(log, row, &r.event);
        } else if row < from {
            changed.push((row, r));
        }
    }
    changed.sort_unstable_by_key(|(row, _)| *row);
    changed.dedup_by_key(|(row, _)| *row);
    for (row, r) in changed {
        texts.set(log, row, &r.event);
    }
    if from == 0 {
        // (After the first fold: most of a stream is in, little will be added.)
        texts.folded.shrink_to_fit();
    }
}

/// Bytes of answers kept per stream, at most.
pub const ANSWERS_BYTES: usize = 32 << 20;

/// Answers written at one version of a stream, by endpoint and query; see the module docs.
#[derive(Debug, Default)]
pub struct Answers {
    version: u64,
    bytes: usize,
    kept: HashMap<String, Bytes>,
}

impl Answers {
    /// The answer to `key` written at `version`, if kept.
    pub fn get(&mut self, version: u64, key: &str) -> Option<Bytes> {
        if self.version != version {
            return None;
        }
        self.kept.get(key).cloned()
    }

    /// Keeps an answer written at `version` (forgetting those of other versions; when the
    /// bytes would pass [`ANSWERS_BYTES`], forgetting all first).
    pub fn keep(&mut self, version: u64, key: String, body: Bytes) {
        if body.len() > ANSWERS_BYTES / 4 {
            return;
        }
        if self.version != version || self.bytes + body.len() > ANSWERS_BYTES {
            *self = Answers { version, ..Answers::default() };
        }
        self.bytes += body.len();
        if let Some(old) = self.kept.insert(key, body) {
            self.bytes -= old.len();
        }
    }
}

/// Figures by the last day of their as-of date (`None`: now).
type StatsMemo = HashMap<Option<i64>, Arc<StatsView>>;

/// Figures kept per version, at most.
const STATS_MEMO: usize = 256;

impl Current {
    /// The figures, as of a date or now: computed once per version and date (their cost is
    /// the years times the visit directions), then a lookup.
    pub fn stats(&self, as_of: Option<PartialDate>) -> Arc<StatsView> {
        let key = as_of.map(|d| d.last_day());
        if let Ok(memo) = self.stats.lock() {
            if memo.0 == self.version {
                if let Some(view) = memo.1.get(&key) {
                    return view.clone();
                }
            }
        }
        let view = Arc::new(match as_of {
            Some(date) => self.projections.stats_as_of(date),
            None => self.projections.stats_view(),
        });
        if let Ok(mut memo) = self.stats.lock() {
            if memo.0 != self.version || memo.1.len() >= STATS_MEMO {
                *memo = (self.version, HashMap::new());
            }
            memo.1.insert(key, view.clone());
        }
        view
    }
}

impl Current {
    /// The lowercased search text ([`Texts`]) of the domain event `logged` is about, when
    /// kept; else (not folded yet when it was logged, or a registration) `None`, and the
    /// caller looks it up in the catalog.
    pub fn search_text(&self, logged: &Logged) -> Option<&str> {
        let row = self.log.get(logged.subject as usize)?;
        // (An event's own row points at itself once its text is written.)
        if row.subject != logged.subject {
            return None;
        }
        self.texts.folded.get(row.text_at..row.text_at + row.text_len as usize)
    }

    /// Nothing folded yet; the projections keep their history, so views as of a log
    /// position are answered from memory (see core's `projection::history`).
    fn new() -> Self {
        Current { projections: Projections::with_history(), ..Current::default() }
    }
}

/// A kept stream, read-locked: hold it only while the answer is computed.
pub type View = OwnedRwLockReadGuard<Current>;

#[derive(Debug)]
struct Slot {
    stream: StreamName,
    current: Arc<RwLock<Current>>,
}

#[derive(Debug, Default)]
struct Streams {
    /// Each kept stream with the tick of its last use and its events (as of its last view).
    map: HashMap<StreamName, Entry>,
    tick: u64,
}

#[derive(Debug)]
struct Entry {
    slot: Arc<Slot>,
    used: u64,
    events: u64,
}

/// The kept projections of up to `capacity` streams; see the module docs.
#[derive(Debug)]
pub struct Kept {
    capacity: usize,
    /// Streams with more events are not folded (see the module docs); `None`: no limit.
    max_events: Option<u64>,
    streams: Mutex<Streams>,
    first_folds: Semaphore,
    follower: OnceLock<()>,
}

impl Default for Kept {
    fn default() -> Self {
        Self::new(DEFAULT_KEPT_STREAMS)
    }
}

impl Kept {
    /// Keeps at most `capacity` streams (at least one).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            max_events: None,
            streams: Mutex::default(),
            first_folds: Semaphore::new(1),
            follower: OnceLock::new(),
        }
    }

    /// The same, folding no stream of more than `events` events (see the module docs).
    pub fn with_max_events(mut self, events: u64) -> Self {
        self.max_events = Some(events);
        self
    }

    /// The most events a stream is kept with, if limited.
    pub fn max_events(&self) -> Option<u64> {
        self.max_events
    }

    /// How many streams are kept at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many streams are kept now.
    pub fn len(&self) -> usize {
        self.streams.lock().map_or(0, |s| s.map.len())
    }

    /// Whether no stream is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The stream's projections, current as of the store's last commit; 404 for a stream
    /// without events.
    pub async fn get(self: &Arc<Self>, store: &Arc<dyn Store>, stream: &StreamName) -> Result<View, ApiError> {
        self.follow(store);
        let head = *store.subscribe().borrow();
        let events = match self.max_events {
            Some(max) => self.check_size(store, stream, max).await?,
            None => 0,
        };
        let slot = self.slot(stream, events)?;
        let view = {
            let current = slot.current.clone().read_owned().await;
            if current.folded && current.seen >= head {
                Some(current)
            } else {
                None
            }
        };
        let view = match view {
            Some(view) => view,
            None => {
                let mut current = slot.current.clone().write_owned().await;
                if !(current.folded && current.seen >= head) {
                    let _first = if current.folded {
                        None
                    } else {
                        Some(self.first_folds.acquire().await.map_err(|_| ApiError::Unavailable)?)
                    };
                    catch_up(&mut current, &**store, stream, head).await?;
                }
                current.downgrade()
            }
        };
        if let Some(max) = self.max_events.filter(|max| view.version > *max) {
            // (Grown past the limit since its size was read: the appends are folded, the
            // stream is dropped now, before it grows more.)
            let events = view.version;
            drop(view);
            self.forget(stream, events, max);
            return Err(too_large(stream, events, max));
        }
        if let Ok(mut streams) = self.streams.lock() {
            if let Some(entry) = streams.map.get_mut(stream).filter(|e| Arc::ptr_eq(&e.slot, &slot)) {
                entry.events = view.version;
            }
        }
        if view.version == 0 {
            // Keep no entry for streams that do not exist: names in URLs are free to invent.
            drop(view);
            if let Ok(mut streams) = self.streams.lock() {
                if streams.map.get(stream).is_some_and(|e| Arc::ptr_eq(&e.slot, &slot)) {
                    streams.map.remove(stream);
                }
            }
            return Err(no_stream(stream));
        }
        Ok(view)
    }

    /// Refuses a stream of more than `max` events (dropping it if it was kept and grew): its
    /// events as its entry has them when it is kept (its size when it was taken in, or its
    /// version at its last view; growth since is caught after the catch-up, in `get`), else
    /// as the store says.
    async fn check_size(&self, store: &Arc<dyn Store>, stream: &StreamName, max: u64) -> Result<u64, ApiError> {
        let known = self.streams.lock().ok().and_then(|s| s.map.get(stream).map(|e| e.events));
        let events = match known {
            Some(version) if version <= max => return Ok(version),
            Some(version) => version,
            // (Past the last position: the version alone, no events.)
            None => store.read_stream(stream.clone(), i64::MAX as u64, 1).await?.version,
        };
        if events <= max {
            return Ok(events);
        }
        self.forget(stream, events, max);
        Err(too_large(stream, events, max))
    }

    /// Drops a stream grown to `events` events, past `max`, if kept.
    fn forget(&self, stream: &StreamName, events: u64, max: u64) {
        if let Ok(mut streams) = self.streams.lock() {
            if streams.map.remove(stream).is_some() {
                tracing::info!("views: no longer keeping stream {stream}: {events} events (--kept-max-events {max})");
            }
        }
    }

    /// The slot of a stream of `events` events, made when it is not kept: the least recently
    /// used streams are dropped first while `capacity` streams are kept, or while the events
    /// kept in all would pass `max_events` with this one's (the limit is the memory of the
    /// views of every kept stream, not of each: three streams just under it must not take
    /// three times the memory it stands for).
    fn slot(&self, stream: &StreamName, events: u64) -> Result<Arc<Slot>, ApiError> {
        let mut streams = self.streams.lock().map_err(|_| ApiError::Storage("the kept views are poisoned".into()))?;
        streams.tick += 1;
        let tick = streams.tick;
        if let Some(entry) = streams.map.get_mut(stream) {
            entry.used = tick;
            return Ok(entry.slot.clone());
        }
        let budget = self.max_events.unwrap_or(u64::MAX);
        loop {
            let full = streams.map.len() >= self.capacity;
            let kept: u64 = streams.map.values().map(|e| e.events).sum();
            let over = kept.saturating_add(events) > budget;
            if !full && !over {
                break;
            }
            let oldest = streams.map.iter().min_by_key(|(_, e)| e.used).map(|(name, _)| name.clone());
            let Some(name) = oldest else { break };
            if full {
                tracing::info!("views: no longer keeping stream {name} (--kept-streams {})", self.capacity);
            } else {
                tracing::info!(
                    "views: no longer keeping stream {name}, to keep {stream} ({events} events): at most {budget} events are kept in all (--kept-max-events)"
                );
            }
            streams.map.remove(&name);
        }
        let slot = Arc::new(Slot { stream: stream.clone(), current: Arc::new(RwLock::new(Current::new())) });
        streams.map.insert(stream.clone(), Entry { slot: slot.clone(), used: tick, events });
        Ok(slot)
    }

    /// Starts the follower (once): on each commit, every kept stream folds what is new.
    fn follow(self: &Arc<Self>, store: &Arc<dyn Store>) {
        if self.follower.set(()).is_err() {
            return;
        }
        let kept = Arc::downgrade(self);
        let store = store.clone();
        let mut commits = store.subscribe();
        tokio::spawn(async move {
            while commits.changed().await.is_ok() {
                let head = *commits.borrow_and_update();
                let Some(this) = kept.upgrade() else { break };
                let slots: Vec<Arc<Slot>> = match this.streams.lock() {
                    Ok(streams) => streams.map.values().map(|e| e.slot.clone()).collect(),
                    Err(_) => break,
                };
                drop(this);
                for slot in slots {
                    // A stream in its first fold (or held long) is left to its readers, who
                    // catch up themselves.
                    let Ok(mut current) = tokio::time::timeout(Duration::from_secs(1), slot.current.write()).await
                    else {
                        continue;
                    };
                    if current.folded && current.seen < head {
                        if let Err(e) = catch_up(&mut current, &*store, &slot.stream, head).await {
                            tracing::warn!("views: stream {} not brought up to date: {e}", slot.stream);
                        }
                    }
                }
            }
        });
    }
}

/// Folds the envelopes of `stream` after the last one folded, up to the end of the stream;
/// `head` (read before) is then known to be folded in.
async fn catch_up(current: &mut Current, store: &dyn Store, stream: &StreamName, head: u64) -> Result<(), StoreError> {
    let mut after = current.projections.catalog.last_position();
    let mut batch: Vec<Envelope> = Vec::new();
    let mut folded = 0;
    loop {
        let page = store.read_stream(stream.clone(), after, FOLD_PAGE).await?;
        current.version = page.version;
        // (A page read again after a failed read is not logged twice.)
        let logged = current.log.last().map_or(0, |l| l.position);
        current.log.extend(page.events.iter().filter(|e| e.position > logged).map(Logged::of));
        let n = page.events.len();
        after = page.events.last().map_or(after, |e| e.position);
        batch.extend(page.events);
        if batch.len() >= FOLD_BATCH || n < FOLD_PAGE {
            folded += batch.len();
            if let Err(e) = fold_in(&mut current.projections, std::mem::take(&mut batch)).await {
                // The projections were lost with the fold: start again at the next read.
                *current = Current::new();
                return Err(e);
            }
        }
        if n < FOLD_PAGE {
            break;
        }
    }
    if let Err(e) = prepare(current, folded).await {
        *current = Current::new();
        return Err(e);
    }
    current.seen = current.seen.max(head);
    current.folded = true;
    Ok(())
}

/// Folds a batch: a few envelopes one by one here, many in a bulk fold off the async
/// threads (it runs for seconds on a large record).
async fn fold_in(projections: &mut Projections, batch: Vec<Envelope>) -> Result<(), StoreError> {
    if batch.len() <= SMALL_BATCH {
        for env in &batch {
            projections.apply(env);
        }
        return Ok(());
    }
    let mut taken = std::mem::take(projections);
    let folded = tokio::task::spawn_blocking(move || {
        taken.extend(&batch);
        taken
    })
    .await
    .map_err(|e| StoreError::Storage(format!("folding the stream failed: {e}")))?;
    *projections = folded;
    Ok(())
}

/// Builds, after a fold of `folded` envelopes, what the first reads would otherwise build —
/// the graph's year index (the first graph window after a fold built it, seconds on a
/// million events), the history's checkpoints (views as of a log position) and the search
/// texts of the events folded ([`Texts`]). After a large fold, or when a checkpoint is due,
/// it runs off the async threads; after a few appends, here (an update then).
async fn prepare(current: &mut Current, folded: usize) -> Result<(), StoreError> {
    let from = current.indexed;
    // (After a few appends a checkpoint of the history may still be due: folding 65,536
    // changes, off the async threads too.)
    if folded <= SMALL_BATCH && !current.projections.checkpoint_due() {
        current.projections.prepare_reads();
        index_texts(&mut current.log, &mut current.texts, &current.projections.catalog, from);
        current.indexed = current.log.len();
        return Ok(());
    }
    let mut projections = std::mem::take(&mut current.projections);
    let mut log = std::mem::take(&mut current.log);
    let mut texts = std::mem::take(&mut current.texts);
    let prepared = tokio::task::spawn_blocking(move || {
        projections.prepare_reads();
        index_texts(&mut log, &mut texts, &projections.catalog, from);
        (projections, log, texts)
    })
    .await
    .map_err(|e| StoreError::Storage(format!("indexing the stream failed: {e}")))?;
    (current.projections, current.log, current.texts) = prepared;
    current.indexed = current.log.len();
    Ok(())
}

/// Where the reads that compute run: on blocking threads, at most one per CPU at once, in
/// the order they came; see the module docs.
#[derive(Debug, Clone)]
pub struct Work {
    permits: Arc<Semaphore>,
}

impl Work {
    /// At most `threads` computing reads at once (at least one).
    pub fn new(threads: usize) -> Self {
        Self { permits: Arc::new(Semaphore::new(threads.clamp(1, Semaphore::MAX_PERMITS))) }
    }

    /// The default: one per CPU.
    pub fn per_cpu() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    /// Runs `f` on a blocking thread once a place is free (waiting in line, never shed: what
    /// must be shed goes through the [`Gate`] first).
    pub async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
        let permit = self.permits.clone().acquire_owned().await.map_err(|_| ApiError::Unavailable)?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            f()
        })
        .await
        .map_err(|e| ApiError::Storage(format!("a read failed: {e}")))
    }
}

/// A limit on expensive reads running at once; see the module docs.
#[derive(Debug, Clone)]
pub struct Gate {
    permits: Arc<Semaphore>,
}

impl Gate {
    /// How long a read waits for a permit before it is answered 503.
    pub const WAIT: Duration = Duration::from_secs(2);

    /// At most `permits` expensive reads at once (at least one).
    pub fn new(permits: usize) -> Self {
        Self { permits: Arc::new(Semaphore::new(permits.clamp(1, Semaphore::MAX_PERMITS))) }
    }

    /// The default: one per CPU.
    pub fn per_cpu() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    /// A permit, waiting up to [`Gate::WAIT`]; [`ApiError::Busy`] otherwise.
    pub async fn enter(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        match tokio::time::timeout(Self::WAIT, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) => Err(ApiError::Unavailable),
            Err(_) => Err(ApiError::Busy { retry_after: 1 }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{About, Answers, Logged, Texts, ANSWERS_BYTES, NO_ROW};
    use annals_core::{DomainEvent, Occurred, PartialDate};
    use axum::body::Bytes;

    #[test]
    fn texts_rewritten_many_times_are_compacted_and_stay_right() {
        let mut log: Vec<Logged> = (0..10)
            .map(|i| Logged {
                position: i + 1,
                type_name: "Call",
                about: About::Event(format!("e{i}").into()),
                subject: NO_ROW,
                text_at: 0,
                text_len: 0,
            })
            .collect();
        let mut texts = Texts::default();
        let on = Occurred::on(PartialDate::year(2000).expect("year"));
        let title = |row: usize, round: usize| format!("Row {row} ΣΑΣ round {round} {}", "X".repeat(10_000));
        for round in 0..40 {
            for row in 0..log.len() {
                let mut event = DomainEvent::new(on, title(row, round));
                event.summary = Some(format!("Summary {row}"));
                texts.set(&mut log, row, &event);
            }
        }
        // Forty rounds of ten 10 kB texts: compacted on the way (dead text at most the live
        // text and a megabyte), and every row reads its last text.
        assert!(texts.folded.len() <= 2 * texts.live + (1 << 20), "{} of {}", texts.folded.len(), texts.live);
        for (row, l) in log.iter().enumerate() {
            assert_eq!(l.subject, row as u32);
            let text = &texts.folded[l.text_at..l.text_at + l.text_len as usize];
            assert_eq!(text, format!("{}\0summary {row}", title(row, 39).to_lowercase()));
            assert!(text.contains("σας round 39"), "lowercased with its final sigma");
        }
    }

    #[test]
    fn answers_are_kept_per_version_and_bounded_in_bytes() {
        let mut answers = Answers::default();
        answers.keep(3, "window?from=1990".into(), Bytes::from_static(b"[1]"));
        assert_eq!(answers.get(3, "window?from=1990").as_deref(), Some(&b"[1]"[..]));
        assert_eq!(answers.get(3, "window?from=1991"), None);
        // Another version: the old answer is not given, and keeping one forgets it.
        assert_eq!(answers.get(4, "window?from=1990"), None);
        answers.keep(4, "stats?".into(), Bytes::from_static(b"{}"));
        assert_eq!(answers.get(4, "window?from=1990"), None);
        assert_eq!(answers.bytes, 2);
        // Past the bound, all is forgotten first; an answer over a quarter of it is not kept.
        let big = Bytes::from(vec![b' '; ANSWERS_BYTES / 4]);
        for i in 0..4 {
            answers.keep(4, format!("graph?{i}"), big.clone());
        }
        assert!(answers.bytes <= ANSWERS_BYTES);
        assert_eq!(answers.get(4, "stats?"), None, "forgotten to make room");
        assert!(answers.get(4, "graph?3").is_some());
        answers.keep(4, "timeline?".into(), Bytes::from(vec![b' '; ANSWERS_BYTES / 4 + 1]));
        assert_eq!(answers.get(4, "timeline?"), None);
    }
}
