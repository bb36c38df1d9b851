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
//! *The gate.* Reads whose cost grows with the record (the whole timeline, the graph with its
//! layout, filtered event scans, folds as of a log position) each take a permit of [`Gate`]
//! (`--expensive-reads`, default the number of CPUs). A read that gets none within
//! [`Gate::WAIT`] is answered 503 with `Retry-After`, so a burst of them queues briefly and
//! then sheds instead of piling up memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use annals_core::projection::{AsOf, Projections, StatsView};
use annals_core::{Envelope, PartialDate, StreamName};
use tokio::sync::{OwnedRwLockReadGuard, OwnedSemaphorePermit, RwLock, Semaphore};

use super::streams::no_stream;
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
}

/// Figures by the last day of their as-of date (`None`: now).
type StatsMemo = HashMap<Option<i32>, Arc<StatsView>>;

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

/// A kept stream, read-locked: hold it only while the answer is computed.
pub type View = OwnedRwLockReadGuard<Current>;

#[derive(Debug)]
struct Slot {
    stream: StreamName,
    current: Arc<RwLock<Current>>,
}

#[derive(Debug, Default)]
struct Streams {
    /// Each kept stream with the tick of its last use.
    map: HashMap<StreamName, (Arc<Slot>, u64)>,
    tick: u64,
}

/// The kept projections of up to `capacity` streams; see the module docs.
#[derive(Debug)]
pub struct Kept {
    capacity: usize,
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
            streams: Mutex::default(),
            first_folds: Semaphore::new(1),
            follower: OnceLock::new(),
        }
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
        let slot = self.slot(stream)?;
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
        if view.version == 0 {
            // Keep no entry for streams that do not exist: names in URLs are free to invent.
            drop(view);
            if let Ok(mut streams) = self.streams.lock() {
                if streams.map.get(stream).is_some_and(|(s, _)| Arc::ptr_eq(s, &slot)) {
                    streams.map.remove(stream);
                }
            }
            return Err(no_stream(stream));
        }
        Ok(view)
    }

    /// The slot of a stream, made (dropping the least recently used one when full).
    fn slot(&self, stream: &StreamName) -> Result<Arc<Slot>, ApiError> {
        let mut streams = self.streams.lock().map_err(|_| ApiError::Storage("the kept views are poisoned".into()))?;
        streams.tick += 1;
        let tick = streams.tick;
        if let Some((slot, used)) = streams.map.get_mut(stream) {
            *used = tick;
            return Ok(slot.clone());
        }
        while streams.map.len() >= self.capacity {
            let oldest = streams.map.iter().min_by_key(|(_, (_, used))| *used).map(|(name, _)| name.clone());
            match oldest {
                Some(name) => {
                    tracing::info!("views: no longer keeping stream {name} (--kept-streams {})", self.capacity);
                    streams.map.remove(&name);
                }
                None => break,
            }
        }
        let slot = Arc::new(Slot { stream: stream.clone(), current: Arc::default() });
        streams.map.insert(stream.clone(), (slot.clone(), tick));
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
                    Ok(streams) => streams.map.values().map(|(slot, _)| slot.clone()).collect(),
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
    loop {
        let page = store.read_stream(stream.clone(), after, FOLD_PAGE).await?;
        current.version = page.version;
        let n = page.events.len();
        after = page.events.last().map_or(after, |e| e.position);
        batch.extend(page.events);
        if batch.len() >= FOLD_BATCH || n < FOLD_PAGE {
            if let Err(e) = fold_in(&mut current.projections, std::mem::take(&mut batch)).await {
                // The projections were lost with the fold: start again at the next read.
                *current = Current::default();
                return Err(e);
            }
        }
        if n < FOLD_PAGE {
            break;
        }
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

/// Folds a stream as of a log position afresh (nothing kept), reading in pages and folding
/// in batches, so no more than a batch of envelopes is held besides the projections.
pub async fn fold_as_of(store: &dyn Store, stream: &StreamName, position: u64) -> Result<(u64, Projections), ApiError> {
    let mut projections = Projections::new(AsOf { position: Some(position), date: None });
    let mut after = 0;
    let mut batch: Vec<Envelope> = Vec::new();
    let version = loop {
        let page = store.read_stream(stream.clone(), after, FOLD_PAGE).await?;
        let n = page.events.len();
        after = page.events.last().map_or(after, |e| e.position);
        let done = n < FOLD_PAGE || after >= position;
        batch.extend(page.events.into_iter().filter(|e| e.position <= position));
        if batch.len() >= FOLD_BATCH || done {
            fold_in(&mut projections, std::mem::take(&mut batch)).await?;
        }
        if done {
            break page.version;
        }
    };
    if version == 0 {
        return Err(no_stream(stream));
    }
    Ok((version, projections))
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
