//! **A large stream, read by the window on screen** (`annals serve`'s bounded reads).
//!
//! Reading a stream's whole log and folding it costs what the record weighs: a million events
//! took seconds before the first paint. Above a size ([`threshold`]) the page does not: it
//! opens from the level-of-detail counts of all time (`lod`, one small answer), and asks for
//! the events (`window`, pages of at most 1000) only where the window on screen holds few
//! enough of them to be drawn one by one — plus a margin on each side, so the next steps of a
//! pan or a zoom find them already here. Below the size, reading the whole log is faster (one
//! fold, no request per gesture), and the page keeps doing that.
//!
//! *What is kept:* the counts fetched (per level, each for the span asked), the day
//! ranges whose events have all arrived, and the last answers of the service's views of the
//! whole stream (`stats`, with the page's actor and search filters; `graph`: the charts and
//! the map count the record, not what was fetched, see [`Remote::served`]). Events arrive
//! folded into the record as envelopes made from the timeline's entries (the event as it
//! stands now, with its disputes), so the timeline, the list in view and the details read
//! them as they read any record's; the counts draw the clusters wherever the events are not
//! all here. One request for events is
//! in flight at a time: a window that moved away from it stops it between pages (its
//! generation is stale), and a request for counts is never made twice.
//!
//! *Architecture invariant:* this module knows the service's answers and nothing of the page
//! around it: arrivals are handed to a callback the record's hook sets (so no import circle
//! with `record`).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use std::collections::BTreeSet;

use annals_core::projection::{Bucket, Counts, Lane, Level, Projections, Timeline};
use annals_core::{Envelope, Event, EventKind, StreamName};

use crate::address::encode;

/// Streams with more events than this open by the window. Measured with
/// `tests/e2e/bench/served.mjs` (headless Chromium, 1280×800, one run, load ~5): the whole
/// log first painted in 0.81 s at 10,000 events and 5.5 s at 100,000 (by the window: 0.51 s
/// and 0.35 s). The whole log passes a second past about 12,000 events; below that it is
/// kept, since a record read whole gives search, the charts and the map exactly. A page may
/// lower it with `?window_above=N` (the end-to-end test does, to try the path on a few
/// thousand events).
pub const THRESHOLD: u64 = 20_000;

/// Events are fetched for a window holding at most this many (ahead of a zoom that will
/// need them), and the margins beside it while the three hold at most [`AHEAD`].
const FETCH: u64 = 4000;
/// The most events a window with its margins is fetched with.
const AHEAD: u64 = 8000;
/// One page of `window`.
const PAGE: usize = 1000;
/// The most events the page keeps folded: past it, the ranges fetched farthest from the
/// window are dropped (and fetched again when the window comes back to them) until half of
/// it is kept. Dropping refolds what is kept: measured in headless Chromium (a served stream
/// of 40,000 events panned a year at a time from 1950 to 2025, under load), 52 ms once every
/// 36 steps, the page holding at most 19,541 events (without it, all 40,000 by the end); at
/// the end-to-end test's 1,500, 1.5–15 ms. A pan fetches at most [`AHEAD`] events, so a
/// reader panning on holds at most `HOLD` (half of it and a fetch under way after a drop).
pub const HOLD: usize = 20_000;
/// One page of the search (`window` with the page's filters).
pub const FOUND_PAGE: usize = 50;

/// The stream size above which the page reads by the window (`?window_above=` or [`THRESHOLD`]).
pub fn threshold() -> u64 {
    crate::address::param("window_above").and_then(|n| n.parse().ok()).unwrap_or(THRESHOLD)
}

/// The most events the page keeps folded (`?window_hold=N` or [`HOLD`]; the end-to-end test
/// lowers it, as it lowers `window_above`, to try dropping on a few thousand events).
fn hold() -> usize {
    crate::address::param("window_hold").and_then(|n| n.parse().ok()).unwrap_or(HOLD)
}

/// Where arrivals go: envelopes of events that arrived, or none when counts did.
pub type Arrive = Rc<dyn Fn(Vec<Envelope>)>;

/// Counts at one level over a span of days, of the events the filters keep (`filter`, the
/// query of [`filter`]; empty: of every event). Filtered counts arrive in parts (the service
/// walks a bounded number of events a call): `done` once all have.
struct Counted {
    level: Level,
    span: (i64, i64),
    buckets: Vec<Bucket>,
    filter: String,
    done: bool,
}

/// Counts asked for: their level, span and filter.
type Asked = (Level, (i64, i64), String);

/// What the page keeps of a stream read by the window.
pub struct Remote {
    base: String,
    stream: String,
    /// The stream's last position when it was opened, then as live updates arrive: where the
    /// live connection goes on from (the events fetched by window do not move it).
    pub head: Cell<u64>,
    /// The kinds the stream has (the lanes by kind).
    kinds: Vec<EventKind>,
    /// The first and last day of the stream's events.
    pub extent: Option<(i64, i64)>,
    counted: RefCell<Vec<Counted>>,
    /// Counts asked for.
    counting: RefCell<Vec<Asked>>,
    /// The filters the window was last drawn with (filtered counts of others are dropped).
    filter: RefCell<String>,
    /// The window last drawn: what is kept when fetched events are dropped.
    window: Cell<(i64, i64)>,
    /// The most events kept folded ([`hold`]).
    hold: usize,
    /// Day ranges whose events have all arrived, in no order.
    covered: RefCell<Vec<(i64, i64)>>,
    /// The events being fetched: their range and generation.
    fetching: Cell<Option<((i64, i64), u32)>>,
    generation: Cell<u32>,
    /// Where arrivals go (the record's reducer); set by the record's hook.
    arrive: RefCell<Option<Arrive>>,
    /// Events asked for by id (a link to one not fetched), each once.
    looked_up: RefCell<Vec<String>>,
    /// The service's views asked for (`served`), by `endpoint?query@position`.
    served: RefCell<Vec<(String, Option<Served>)>>,
}

/// An answer of the service's views (`Remote::served`), or why there is none.
pub type Served = Result<Rc<serde_json::Value>, String>;

/// How long a refused question to the service's views waits before it is asked again.
const RETRY_MS: u32 = 5_000;

/// How many answers of the service's views are kept, the least recently used let go (a replay
/// asks one a year).
const SERVED: usize = 32;

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote").field("stream", &self.stream).finish_non_exhaustive()
    }
}

/// `lod`'s answer: its level, its span and its buckets, each `(start, end, counts by kind
/// in core's order of kinds, uncertain)`.
struct LodAnswer {
    level: String,
    from: i64,
    to: i64,
    buckets: Vec<Bucket>,
    /// With a filter: where the next part goes on (`cursor=`), while there is more.
    next: Option<String>,
}

/// Reads `lod`'s answer. *Why by hand:* a derived decoder of its nested shape cost the page's
/// bundle 3 KB gzipped. The answer is the service's own (`server/src/http/views.rs`,
/// `LodBody`): after `"buckets":` come only buckets, each written as `{"start":S,"end":E,
/// "counts":{"by_kind":[one count per kind, in `EventKind::ALL`'s order],"uncertain":U}}`,
/// so its integers, in order, are the buckets' fields; anything else is refused (`None`).
fn lod(bytes: &[u8]) -> Option<LodAnswer> {
    let text = std::str::from_utf8(bytes).ok()?;
    let after = |key: &str| text.find(key).map(|at| &text[at + key.len()..]);
    let integer = |s: &str| -> Option<i64> {
        let end = s.find(|c: char| c != '-' && !c.is_ascii_digit()).unwrap_or(s.len());
        s[..end].parse().ok()
    };
    let level = after("\"level\":\"")?.split('"').next()?.to_owned();
    let (from, to) = (integer(after("\"from\":")?)?, integer(after("\"to\":")?)?);
    // (`next` comes before the buckets, whose text is all numbers.)
    let next = after("\"next\":\"").and_then(|n| n.split('"').next()).map(str::to_owned);
    let mut numbers = Vec::new();
    let mut rest = after("\"buckets\":[")?;
    while let Some(at) = rest.find(|c: char| c == '-' || c.is_ascii_digit()) {
        rest = &rest[at..];
        numbers.push(integer(rest)?);
        rest = rest.trim_start_matches(|c: char| c == '-' || c.is_ascii_digit());
    }
    const FIELDS: usize = EventKind::COUNT + 3;
    if numbers.len() % FIELDS != 0 {
        return None;
    }
    let buckets = numbers
        .chunks(FIELDS)
        .map(|b| {
            let mut counts = Counts { uncertain: b[FIELDS - 1] as u32, ..Counts::default() };
            for (slot, n) in counts.by_kind.0.iter_mut().zip(&b[2..FIELDS - 1]) {
                *slot = *n as u32;
            }
            Bucket { start: b[0], end: b[1], counts }
        })
        .collect();
    Some(LodAnswer { level, from, to, buckets, next })
}

/// `window?as=log`'s answer: the page's events as envelopes (the registrations of the actors
/// they name first), which the page decodes as it decodes any log.
#[derive(serde::Deserialize)]
struct WindowLog {
    events: Vec<Envelope>,
    next: Option<String>,
    /// The window's first and last day (with `event=`: the event's).
    from: i64,
    to: i64,
}

/// A level by its name in `lod`'s answers (coarsest when unknown: drawn, never trusted finer).
fn level_named(name: &str) -> Level {
    Level::ALL.into_iter().find(|l| level_name(*l).eq_ignore_ascii_case(name)).unwrap_or(Level::Decade)
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Decade => "decade",
        Level::Year => "year",
        Level::Month => "month",
        Level::Day => "day",
    }
}

/// The body of a good answer to `url`, or why not (for people).
async fn body(url: &str) -> Result<Vec<u8>, String> {
    match crate::http::get(url).await {
        Ok(r) if r.ok() => r.bytes().await,
        // A stream larger than the service keeps views of (`serve --kept-max-events`): said
        // in words, not as a status, with the address of its `events` pages, which names it
        // (it ends the message: the page shows it as a link, `rich::linked`).
        Ok(r) if r.bytes().await.is_ok_and(|b| b.windows(18).any(|w| w == b"\"stream_too_large\"")) => {
            let path = url.split('?').next().unwrap_or(url);
            let events = format!("{}/events", path.rsplit_once('/').map_or(path, |p| p.0));
            let events = crate::address::absolute(&events).unwrap_or(events);
            Err(crate::i18n::tf(
                "This stream has more events than this service can show as a timeline. Its events can still be read page by page: {0}",
                &[&events],
            ))
        }
        Ok(r) => Err(crate::i18n::tf("{0}: the server answered {1}", &[&url, &r.status()])),
        Err(e) => Err(format!("{url}: {e}")),
    }
}

impl Remote {
    /// Opens `stream` of the service at `base`, whose last position is `head`: the counts of
    /// all time at the page's width.
    pub async fn open(base: &str, stream: &str, head: u64) -> Result<Remote, String> {
        let width = web_sys::window().and_then(|w| w.inner_width().ok()).and_then(|w| w.as_f64()).unwrap_or(1280.0);
        let url = format!("{base}api/streams/{}/lod?width={}", encode(stream), (width as u32).clamp(1, 10_000));
        let answer = lod(&body(&url).await?)
            .ok_or_else(|| crate::i18n::tf("{0}: the service's answer could not be read", &[&url]))?;
        let LodAnswer { level, from, to, buckets, .. } = answer;
        let kinds =
            EventKind::ALL.into_iter().filter(|k| buckets.iter().any(|b| b.counts.by_kind[k.index()] > 0)).collect();
        Ok(Remote {
            base: base.to_owned(),
            stream: stream.to_owned(),
            head: Cell::new(head),
            kinds,
            extent: (!buckets.is_empty()).then_some((from, to)),
            counted: RefCell::new(vec![Counted {
                level: level_named(&level),
                span: (from, to),
                buckets,
                filter: String::new(),
                done: true,
            }]),
            counting: RefCell::default(),
            filter: RefCell::default(),
            window: Cell::new((from, to)),
            hold: hold(),
            covered: RefCell::default(),
            fetching: Cell::new(None),
            generation: Cell::new(0),
            arrive: RefCell::new(None),
            looked_up: RefCell::default(),
            served: RefCell::default(),
        })
    }

    /// The service's `endpoint` (`stats`, `graph`) of the whole stream with `query`, as of the
    /// stream's position: the charts and the map of a record read by the window are the
    /// service's, answered from its kept projections, bounded, not a count of the events
    /// fetched so far. `None` while it is asked (asked once; its arrival re-renders the
    /// record, as counts' arrivals do); read as a JSON `Value` (the reader the page has
    /// anyway), or why not, for people. The last [`SERVED`] answers are kept. An answer in
    /// parts (it holds `next`: the filtered `stats`) is asked on part after part while it is
    /// kept; until the last, what is kept is the latest part (it holds `next` and says how
    /// far the walk is: `walked` of `of`), then an array of every part, in order.
    pub fn served(self: &Rc<Self>, endpoint: &'static str, query: String) -> Option<Served> {
        let key = format!("{endpoint}?{query}@{}", self.head.get());
        let mut kept = self.served.borrow_mut();
        // The last used last: the answers on screen (the all-time graph, asked on every
        // drawing of the map) are never the ones let go during a replay.
        if let Some(at) = kept.iter().position(|(k, _)| *k == key) {
            let entry = kept.remove(at);
            let answer = entry.1.clone();
            kept.push(entry);
            return answer;
        }
        if kept.len() >= SERVED {
            kept.remove(0);
        }
        kept.push((key.clone(), None));
        drop(kept);
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let set = |answer: Served| {
                let mut kept = this.served.borrow_mut();
                let slot = kept.iter_mut().find(|(k, _)| *k == key);
                slot.map(|slot| slot.1 = Some(answer)).is_some()
            };
            let mut cursor = String::new();
            let mut parts = Vec::new();
            let answer = loop {
                let url = format!("{}api/streams/{}/{endpoint}?{query}{cursor}", this.base, encode(&this.stream));
                let answer = body(&url).await.and_then(|bytes| {
                    let value: Option<serde_json::Value> =
                        std::str::from_utf8(&bytes).ok().and_then(|text| serde_json::from_str(text).ok());
                    value.ok_or_else(|| crate::i18n::tf("{0}: the service's answer could not be read", &[&url]))
                });
                match answer {
                    // A part of a walk (filtered figures): kept as the answer meanwhile (the
                    // charts say how far it is), then asked on while it is still kept.
                    Ok(part) if part["next"].is_string() => {
                        cursor = format!("&cursor={}", encode(part["next"].as_str().unwrap_or_default()));
                        let wanted = set(Ok(Rc::new(part.clone())));
                        this.emit(Vec::new());
                        if !wanted {
                            return;
                        }
                        parts.push(part);
                    }
                    // The last part: the answer is all of them, in order.
                    Ok(last) if !parts.is_empty() => {
                        parts.push(last);
                        break Ok(Rc::new(serde_json::Value::Array(parts)));
                    }
                    answer => break answer.map(Rc::new),
                }
            };
            let failed = answer.is_err();
            set(answer);
            this.emit(Vec::new());
            // A refusal is said, then asked again a while later (a busy service answers 503
            // and takes the question later; asking at once would only repeat the refusal).
            if failed {
                gloo::timers::future::TimeoutFuture::new(RETRY_MS).await;
                this.served.borrow_mut().retain(|(k, _)| *k != key);
                this.emit(Vec::new());
            }
        });
        None
    }

    /// Where the service gives the stream's events, a page of a thousand at a time (what an
    /// export of the whole record is made from: the page holds only what it fetched).
    pub fn events_url(&self) -> String {
        format!("{}api/streams/{}/events?limit=1000", self.base, encode(&self.stream))
    }

    /// Where arrivals go from now on.
    pub fn on_arrival(&self, arrive: Arrive) {
        *self.arrive.borrow_mut() = Some(arrive);
    }

    /// How many events the stream had when it was opened (the counts of all time).
    pub fn total(&self) -> u64 {
        self.counted.borrow().first().map_or(0, |c| c.buckets.iter().map(|b| u64::from(b.counts.total())).sum())
    }

    /// The lanes by kind: the kinds the stream has.
    pub fn lanes(&self) -> Vec<Lane> {
        self.kinds.iter().map(|k| Lane { key: k.name().to_owned(), label: k.name().to_owned() }).collect()
    }

    /// Whether every event of `from..=to` is here (the covered ranges are kept joined).
    pub fn is_covered(&self, from: i64, to: i64) -> bool {
        self.covered.borrow().iter().any(|&(a, b)| a <= from && to <= b)
    }

    /// The counts of `from..=to` at `level` of the events the filters keep (`filter`, see
    /// [`filter`]), or as near as is here (a coarser level of a span holding the window), for
    /// the clusters. Filtered counts still arriving give the part counted; none for a filter
    /// are none (never the counts of every event, which would be wrong).
    pub fn buckets(&self, level: Level, from: i64, to: i64, filter: &str) -> Vec<Bucket> {
        let counted = self.counted.borrow();
        let holds = |c: &&Counted| c.filter == filter && c.span.0 <= from && to <= c.span.1;
        let best = counted.iter().filter(holds).filter(|c| c.level <= level).max_by_key(|c| (c.done, c.level));
        let Some(best) = best.or_else(|| counted.first().filter(|_| filter.is_empty())) else { return Vec::new() };
        let start = best.buckets.partition_point(|b| b.end < from);
        best.buckets[start..].iter().take_while(|b| b.start <= to).copied().collect()
    }

    /// How many events `from..=to` holds, by the finest counts here (buckets the range cuts
    /// count whole: an estimate from above).
    pub fn count(&self, from: i64, to: i64) -> u64 {
        let level = Level::Day;
        self.buckets(level, from, to, "").iter().map(|b| u64::from(b.counts.total())).sum()
    }

    /// How many events of `from..=to` the page's filters keep (`filter`, and the kinds shown:
    /// all when empty), as [`Remote::count`] counts.
    pub fn count_shown(&self, from: i64, to: i64, filter: &str, kinds: &BTreeSet<EventKind>) -> u64 {
        let shown = |k: &EventKind| kinds.is_empty() || kinds.contains(k);
        let kept = |b: &Bucket| {
            EventKind::ALL.iter().filter(|k| shown(k)).map(|k| u64::from(b.counts.by_kind[*k])).sum::<u64>()
        };
        self.buckets(Level::Day, from, to, filter).iter().map(kept).sum()
    }

    /// Whether the window `from..=to` holds few enough events to be fetched and drawn one by one.
    pub fn drawable(&self, from: i64, to: i64) -> bool {
        self.count(from, to) <= FETCH
    }

    /// Fetches the event `id` by itself (a link names an event the window has not brought):
    /// it arrives as a window's events do, and `found` hears its first and last day. Asked once
    /// per id; an id the service does not know shows nothing, as in a record read whole.
    pub fn look_up(self: &Rc<Self>, id: &str, found: impl FnOnce(i64, i64) + 'static) {
        if self.looked_up.borrow().iter().any(|i| i == id) {
            return;
        }
        self.looked_up.borrow_mut().push(id.to_owned());
        let url = format!("{}api/streams/{}/window?as=log&event={}", self.base, encode(&self.stream), encode(id));
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let Ok(bytes) = body(&url).await else { return };
            let Some(page) = std::str::from_utf8(&bytes).ok().and_then(|t| serde_json::from_str::<WindowLog>(t).ok())
            else {
                return;
            };
            this.emit(page.events);
            found(page.from, page.to);
        });
    }

    /// Whether the window `from..=to` can be drawn event by event (its events are all here);
    /// it also asks for what the window and the next steps of a gesture need — the counts at
    /// `level`, and the events when few enough, a window's width to each side, as soon as the
    /// window comes within half a width of where its events end. Cheap when nothing is
    /// missing: it runs per frame.
    ///
    /// With the page's filters (`filter`, see [`filter`]) it also asks for their counts: the
    /// clusters count what the filters keep.
    pub fn ready(self: &Rc<Self>, level: Level, from: i64, to: i64, filter: &str) -> bool {
        let span = (to - from).max(1);
        let (lo, hi) = (from - span, to + span);
        self.window.set((from, to));
        if *self.filter.borrow() != filter {
            // Another filter: the counts of the one before are of no use now.
            *self.filter.borrow_mut() = filter.to_owned();
            self.counted.borrow_mut().retain(|c| c.filter.is_empty() || c.filter == filter);
            self.counting.borrow_mut().retain(|c| c.2.is_empty() || c.2 == filter);
        }
        let missing = |filter: &str| {
            let has = self
                .counted
                .borrow()
                .iter()
                .any(|c| c.filter == filter && c.level == level && c.span.0 <= from && to <= c.span.1);
            let asked = self
                .counting
                .borrow()
                .iter()
                .any(|(l, (a, b), f)| *l == level && *a <= from && to <= *b && f == filter);
            !has && !asked
        };
        if level != Level::Decade && missing("") {
            self.count_at(level, lo, hi, String::new());
        }
        if !filter.is_empty() && missing(filter) {
            self.count_at(level, lo, hi, filter.to_owned());
        }
        let near = (from - span / 2, to + span / 2);
        let fetching = |(a, b): (i64, i64)| self.fetching.get().is_some_and(|((c, d), _)| c <= a && b <= d);
        if !self.is_covered(near.0, near.1) && !fetching(near) && self.count(from, to) <= FETCH {
            let wanted = if self.count(lo, hi) <= AHEAD { (lo, hi) } else { (from, to) };
            if let Some(range) = self.uncovered(wanted).filter(|r| !fetching(*r)) {
                self.fetch(range);
            }
        }
        self.is_covered(from, to)
    }

    /// `range` less the covered ranges at its ends (what is here is not fetched again).
    fn uncovered(&self, (mut lo, mut hi): (i64, i64)) -> Option<(i64, i64)> {
        for &(a, b) in self.covered.borrow().iter() {
            if a <= lo && lo <= b {
                lo = b + 1;
            }
            if a <= hi && hi <= b {
                hi = a - 1;
            }
        }
        (lo <= hi).then_some((lo, hi))
    }

    /// Marks `range` as here, joined with the ranges it touches.
    fn cover(&self, (mut lo, mut hi): (i64, i64)) {
        let mut covered = self.covered.borrow_mut();
        covered.retain(|&(a, b)| {
            let apart = b + 1 < lo || hi + 1 < a;
            if !apart {
                lo = lo.min(a);
                hi = hi.max(b);
            }
            apart
        });
        covered.push((lo, hi));
    }

    /// Asks for the counts of `from..=to` at `level` of the events `filter` keeps; filtered
    /// counts come in parts, each drawn as it arrives, asked one after another while the
    /// filter is still the page's.
    fn count_at(self: &Rc<Self>, level: Level, from: i64, to: i64, filter: String) {
        // Days are counted from the events of the window: never more buckets than an answer holds.
        let (from, to) = if level == Level::Day { (from.max(to - 9_000), to) } else { (from, to) };
        self.counting.borrow_mut().push((level, (from, to), filter.clone()));
        let this = self.clone();
        let url = format!(
            "{}api/streams/{}/lod?from_day={from}&to_day={to}&level={}{filter}",
            self.base,
            encode(&self.stream),
            level_name(level)
        );
        wasm_bindgen_futures::spawn_local(async move {
            let mut cursor = String::new();
            let mut first = true;
            loop {
                let url = format!("{url}{cursor}");
                let Some(answer) = body(&url).await.ok().as_deref().and_then(lod) else { break };
                let mut counted = this.counted.borrow_mut();
                if first {
                    let (level, span) = (level_named(&answer.level), (answer.from, answer.to));
                    let done = answer.next.is_none();
                    counted.push(Counted { level, span, buckets: answer.buckets, filter: filter.clone(), done });
                    first = false;
                } else {
                    // The part goes on from the last one: its first bucket may be the last one's.
                    let Some(c) = counted.iter_mut().rev().find(|c| c.filter == filter && c.span.0 == answer.from)
                    else {
                        break;
                    };
                    let mut buckets = answer.buckets.into_iter();
                    if let (Some(last), Some(b)) = (c.buckets.last_mut(), buckets.as_slice().first()) {
                        if last.start == b.start {
                            for k in EventKind::ALL {
                                last.counts.by_kind[k] += b.counts.by_kind[k];
                            }
                            last.counts.uncertain += b.counts.uncertain;
                            buckets.next();
                        }
                    }
                    c.buckets.extend(buckets);
                    c.done = answer.next.is_none();
                }
                drop(counted);
                this.emit(Vec::new());
                match answer.next {
                    Some(next) if *this.filter.borrow() == filter => cursor = format!("&cursor={}", encode(&next)),
                    _ => break,
                }
            }
        });
    }

    /// Fetches the events of `range`, page by page, each folded into the record as it
    /// arrives; stops between pages once a newer range is asked for.
    fn fetch(self: &Rc<Self>, range: (i64, i64)) {
        let generation = self.generation.get().wrapping_add(1);
        self.generation.set(generation);
        self.fetching.set(Some((range, generation)));
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let mut cursor: Option<String> = None;
            loop {
                let url = format!(
                    "{}api/streams/{}/window?as=log&from_day={}&to_day={}&limit={PAGE}{}",
                    this.base,
                    encode(&this.stream),
                    range.0,
                    range.1,
                    cursor.as_deref().map(|c| format!("&cursor={}", encode(c))).unwrap_or_default()
                );
                let Ok(bytes) = body(&url).await else { break };
                // Read as `str`, as all the page's JSON (see `http::Response::json`).
                let Some(page) =
                    std::str::from_utf8(&bytes).ok().and_then(|t| serde_json::from_str::<WindowLog>(t).ok())
                else {
                    break;
                };
                if this.generation.get() != generation {
                    return;
                }
                this.emit(page.events);
                match page.next {
                    Some(next) => cursor = Some(next),
                    None => {
                        this.cover(range);
                        break;
                    }
                }
            }
            if this.generation.get() == generation {
                this.fetching.set(None);
                this.emit(Vec::new());
            }
        });
    }

    /// One page of the search of the whole record (`window?as=log` with the page's filters,
    /// `filter`, from `cursor`): the events the filters keep, as envelopes, and where the next
    /// page goes on. A page may hold none with a `next` (the service walks a bounded number of
    /// events a call).
    pub async fn search(&self, filter: &str, cursor: Option<&str>) -> Result<(Vec<Envelope>, Option<String>), String> {
        let url = format!(
            "{}api/streams/{}/window?as=log&limit={FOUND_PAGE}{filter}{}",
            self.base,
            encode(&self.stream),
            cursor.map(|c| format!("&cursor={}", encode(c))).unwrap_or_default()
        );
        let bytes = body(&url).await?;
        let page = std::str::from_utf8(&bytes)
            .ok()
            .and_then(|t| serde_json::from_str::<WindowLog>(t).ok())
            .ok_or_else(|| crate::i18n::tf("{0}: the service's answer could not be read", &[&url]))?;
        Ok((page.events, page.next))
    }

    /// Past [`HOLD`] events folded (`timeline`): keeps of the ranges fetched only what lies
    /// within a window's width of the window last drawn (or the window alone, or nothing,
    /// when that still holds more than half of `HOLD`: its events are drawn as counts then) and
    /// answers the days kept, for the record to refold what lies there ([`kept`]); `None`
    /// below `HOLD`. What is dropped is fetched again when the window comes back to it.
    pub fn trim(&self, timeline: &Timeline) -> Option<Vec<(i64, i64)>> {
        if timeline.len() <= self.hold {
            return None;
        }
        let (from, to) = self.window.get();
        let span = (to - from).max(1);
        let covered = self.covered.borrow().clone();
        let within = |(lo, hi): (i64, i64)| -> Vec<(i64, i64)> {
            covered.iter().map(|&(a, b)| (a.max(lo), b.min(hi))).filter(|(a, b)| a <= b).collect()
        };
        let held =
            |ranges: &[(i64, i64)]| ranges.iter().map(|&(a, b)| timeline.window_indices(a, b).len()).sum::<usize>();
        let region = [(from - span, to + span), (from, to)]
            .into_iter()
            .find(|&r| held(&within(r)) <= self.hold / 2)
            .unwrap_or((0, -1));
        let kept = within(region);
        *self.covered.borrow_mut() = kept.clone();
        // The pages of a fetch under way that have arrived are kept too (its range is marked
        // as here once its last page is).
        let under_way = self.fetching.get().map(|((a, b), _)| (a.max(region.0), b.min(region.1)));
        Some(kept.into_iter().chain(under_way.filter(|(a, b)| a <= b)).collect())
    }

    /// Whether the event `id` was fetched by itself (a link or a match selected): kept when
    /// fetched events are dropped.
    pub fn looked_up(&self, id: &str) -> bool {
        self.looked_up.borrow().iter().any(|i| i == id)
    }

    /// The stream's name.
    pub fn stream(&self) -> StreamName {
        StreamName::from(self.stream.as_str())
    }

    fn emit(&self, envelopes: Vec<Envelope>) {
        let arrive = self.arrive.borrow().clone();
        if let Some(arrive) = arrive {
            arrive(envelopes);
        }
    }
}

/// The query of the page's filters that the service judges as the page does (`actor=`,
/// `q=`: `server/src/http/shown.rs`), empty when they keep every event: what filtered counts
/// and the search are asked with. (The kinds are not in it: the counts are by kind.)
pub fn filter(actor: Option<&str>, query: &str) -> String {
    let mut out = String::new();
    if let Some(actor) = actor {
        out.push_str("&actor=");
        out.push_str(&encode(actor));
    }
    if !query.trim().is_empty() {
        out.push_str("&q=");
        out.push_str(&encode(query.trim()));
    }
    out
}

/// The projections of the events of `projections` that overlap `ranges` or that `also`
/// keeps (by id), folded anew from envelopes made of them as they stand — every actor's
/// registration, each event, its disputes — as the service's `window?as=log` makes them:
/// what the page keeps when fetched events are dropped ([`Remote::trim`]).
pub fn kept(
    projections: &Projections,
    ranges: &[(i64, i64)],
    also: impl Fn(&str) -> bool,
    stream: &StreamName,
) -> Projections {
    let envelope = |position: u64, id: annals_core::EventId, recorded_at, event: Event| Envelope {
        position,
        id,
        stream: stream.clone(),
        recorded_at,
        event,
    };
    let catalog = &projections.catalog;
    let mut log: Vec<Envelope> = catalog
        .actors()
        .into_iter()
        .map(|a| {
            let id = annals_core::EventId::from(format!("served-actor:{}", a.actor.as_str()));
            envelope(0, id, annals_core::Timestamp::default(), Event::ActorRegistered(Box::new((**a).clone())))
        })
        .collect();
    for r in projections.timeline.entries() {
        let (first, last) = (r.event.occurred.first_day(), r.event.occurred.last_day());
        if !(ranges.iter().any(|&(a, b)| first <= b && a <= last) || also(r.id.as_str())) {
            continue;
        }
        log.push(envelope(r.position, r.id.clone(), r.recorded_at, Event::Domain(r.kind, r.event.clone())));
        for d in &r.disputes {
            log.push(envelope(d.position, d.id.clone(), r.recorded_at, Event::Disputed(Box::new(d.dispute.clone()))));
        }
    }
    let mut folded = Projections::fold(&log, projections.as_of());
    folded.catalog.set_language(catalog.language());
    folded
}

#[cfg(test)]
mod tests {
    use super::{kept, lod};
    use annals_core::StreamName;

    #[test]
    fn what_is_kept_is_the_events_of_the_ranges_as_they_stand() {
        let bytes = include_bytes!("../../data/azerbaijan-belarus.json");
        let loaded = annals_formats::load(bytes, "x.json", None, &annals_core::validate::Nothing);
        let log = loaded.into_envelopes(&StreamName::from("x"), annals_core::Timestamp::default());
        let p = annals_core::Projections::fold(&log, annals_core::AsOf::NOW);
        let (from, to) = p.timeline.extent().expect("extent");
        // (The first half, or up to the first disputed event.)
        let disputed = p.timeline.entries().find(|r| r.is_disputed()).expect("a disputed event");
        let middle = ((from + to) / 2).max(disputed.event.occurred.last_day());
        let ranges = [(from, middle)];
        let selected = p.timeline.entries().last().expect("an event").id.as_str().to_owned();
        let k = kept(&p, &ranges, |id| id == selected, &StreamName::from("x"));
        let expected: Vec<&str> = p
            .timeline
            .entries()
            .filter(|r| r.event.occurred.first_day() <= middle || r.id.as_str() == selected)
            .map(|r| r.id.as_str())
            .collect();
        let got: Vec<&str> = k.timeline.entries().map(|r| r.id.as_str()).collect();
        assert!(got.len() > 3 && got.len() < p.timeline.len(), "{} of {}", got.len(), p.timeline.len());
        assert_eq!(got, expected);
        // As they stood: the same content, disputes and actors' names.
        for r in k.timeline.entries() {
            let was = p.catalog.event(r.id.as_str()).expect("was there");
            assert_eq!((&r.event, r.disputes.len(), r.position), (&was.event, was.disputes.len(), was.position));
        }
        assert_eq!(k.catalog.actors().len(), p.catalog.actors().len());
        assert!(k.timeline.entries().any(|r| r.is_disputed()), "the disputes are kept");
    }

    #[test]
    fn an_answer_of_lod_is_read_bucket_by_bucket() {
        // As `annals serve` writes it (server/src/http/views.rs, `LodBody`).
        let text = r#"{"stream":"s-1","version":12,"level":"Year","from":-7305,"to":20088,"extent":[-7305,20088],"kinds":["Visit","Signing","CommissionMeeting","Talks","Call","Statement","Other"],"buckets":[{"start":-7305,"end":-6941,"counts":{"by_kind":[3,0,0,1,0,12,0],"uncertain":2}},{"start":19723,"end":20088,"counts":{"by_kind":[0,0,0,0,7,0,1],"uncertain":0}}]}"#;
        let answer = lod(text.as_bytes()).expect("read");
        assert_eq!((answer.level.as_str(), answer.from, answer.to), ("Year", -7305, 20088));
        assert_eq!(answer.buckets.len(), 2);
        assert_eq!((answer.buckets[0].start, answer.buckets[0].end), (-7305, -6941));
        assert_eq!(answer.buckets[0].counts.by_kind.0, [3, 0, 0, 1, 0, 12, 0]);
        assert_eq!((answer.buckets[0].counts.total(), answer.buckets[0].counts.uncertain), (16, 2));
        assert_eq!(answer.buckets[1].counts.by_kind.0, [0, 0, 0, 0, 7, 0, 1]);
        assert_eq!(answer.next, None);
        // A filtered answer in parts: where the next part goes on, read before the buckets.
        let part = r#"{"stream":"s","version":3,"level":"Year","from":-7305,"to":20088,"extent":[-7305,20088],"next":"-7000.-6990.41","kinds":["Visit","Signing","CommissionMeeting","Talks","Call","Statement","Other"],"buckets":[{"start":-7305,"end":-6941,"counts":{"by_kind":[1,0,0,0,0,0,0],"uncertain":0}}]}"#;
        let part = lod(part.as_bytes()).expect("read");
        assert_eq!((part.next.as_deref(), part.buckets.len()), (Some("-7000.-6990.41"), 1));
        // Not an answer of lod: refused, never half read.
        assert!(lod(br#"{"error":{"status":400}}"#).is_none());
        assert!(lod(br#"{"level":"Year","from":1,"to":2,"buckets":[{"start":1,"end":2}]}"#).is_none());
    }
}
