//! The projections of a stream: `GET /api/streams/{stream}/lod|window|stats|graph|timeline`.
//!
//! Every answer comes from the stream's projections as [`kept`](super::kept) keeps them —
//! folded once, current with every commit — so a read costs what it answers, not the size of
//! the record. The `ETag` is the stream's version (`If-None-Match` with it gets `304 Not
//! Modified`). Dates are partial dates (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`); days in answers
//! are day numbers since 1970-01-01 (`from_day`/`to_day` take them too).
//!
//! What a view shows, bounded:
//!
//! - `lod?from=&to=&level=decade|year|month|day` (or `width=PX` instead of `level`: the
//!   finest level whose buckets are at least 6 px wide, as the app draws) — the
//!   level-of-detail counts of the window: `{"stream", "version", "level", "from", "to",
//!   "extent", "kinds": [kind names], "buckets": [{start, end, counts: {by_kind: [n per kind,
//!   in the order of "kinds"], uncertain}}]}`, empty buckets left out. At most
//!   [`MAX_BUCKETS`] buckets (a wider window at that level is 400); decades, years and months
//!   are read from the index, days counted from the events of the window. With the web app's
//!   filters (`actor=ID`, `q=TEXT`, judged as the page judges them: see [`shown`]) the counts
//!   are of the events they keep, walked (at most [`shown::MAX_WALK`] a call, gated, on the
//!   work threads, kept per version and query): the answer then holds `next` while there are
//!   more, the `cursor` of the next part (whose first bucket may continue this one's last).
//! - `window?from=&to=&limit=&cursor=` — the events overlapping the window, in order of
//!   occurrence, paged: at most `limit` (default 200, at most [`MAX_WINDOW_LIMIT`]) entries of
//!   the timeline's shape, and `next`, the `cursor` of the next page, while there are more.
//!   One call looks at no more than [`MAX_WINDOW_SCAN`] events (a page may then hold fewer
//!   than `limit`, with a `next`). `actor=` and `q=` keep only the events the page's filters
//!   keep, looking at no more than [`MAX_SHOWN_SCAN`] a call: the page's search of a stream
//!   it reads by the window.
//! - `stats` — `{"stream", "version", …}` with the fields of [`StatsView`]; `as_of=DATE` is
//!   exact and taken from the per-year index (no fold: see `Projections::stats_as_of`); each
//!   figure is computed once per stream version and date, then looked up. With the web app's
//!   filters (`actor=`, `q=`, judged as the page judges them: see [`shown`]) the figures are
//!   of the events they keep (with `as_of`, of those certainly begun by its date), walked in
//!   the timeline's order as `lod`'s filtered counts are (at most [`shown::MAX_WALK`] a
//!   call, gated, on the work threads, kept per version and query): each answer holds the
//!   figures of its part, `walked` (the events walked by its end) `of` (all to walk), and
//!   `next`, the `cursor` of the next part, while there are more. The whole filtered record's
//!   figures are the parts' added up (a year may continue in the next part; `actors` and
//!   `retracted` are the stream's in every part: the filters choose events, not
//!   registrations). Filters do not combine with `as_of_position` (the history keeps
//!   figures, not the events a filter would walk): 400 `bad_query`; `cursor` without a
//!   filter is 400 too.
//!
//! Answers of `window`, `graph` and `stats` (from the kept projections) are kept as written,
//! per stream version and query ([`Answers`]): asked again, they are sent without being
//! written again.
//! - `graph` — `{"stream", "version", "nodes": [{id, label, kind, activity, x, y}],
//!   "edges": [{a, b, by_kind, weight, main_kind}]}`; optional `ego=ACTOR` (the actor and
//!   its neighbours), `from`/`to` (only events that start between `from`'s first day and
//!   `to`'s last day), positions from the deterministic [`layout`] in −1..=1. A window (and
//!   `as_of`) keeps the places of the all-time layout — laid out once per stream version —, so
//!   its nodes stay put as the window moves (as in the app's replay) and it costs no layout of
//!   its own; an ego view is laid out as itself. A window's activity and edges come from the
//!   graph's per-year index (see core's `projection::graph`). `as_of=DATE` is
//!   the window up to the date's last day: events whose *first possible* day is by then. That
//!   is exact for a year (and for any date when events are dated at least as precisely); an
//!   event dated only "1990" counts in `as_of=1990-03`, where a fold would leave it out.
//!   Gated (its cost grows with the events and actors).
//! - `timeline` — the whole timeline in one answer (`{"stream", "version", "extent",
//!   "entries"}`): what the app fetched before `lod` and `window`, kept for small records and
//!   as the baseline of the benchmark. Only for records of at most [`MAX_TIMELINE_ENTRIES`]
//!   events (`serve --max-timeline`) (a larger one is 400 `answer_too_large`, which says to read by the window: at a
//!   million events the answer was 441 MB); gated, and the permit is kept until the answer is
//!   sent, so the gate bounds the answers in memory. `as_of=DATE` filters the kept timeline
//!   (exact).
//!
//! `as_of_position=N` (what the log held at position N; with `as_of`, `from`/`to` and `ego`
//! as without it) comes from the kept projections' history (core's `projection::history`):
//! `stats` and `graph` add up the changes between the checkpoint nearest N and N (at most
//! 32,768 of them, plus those of the years a window cuts), `timeline` replays the changes up to N
//! (its answer grows with the record anyway; gated). No read folds the log. A position at or
//! past the stream's last envelope is the stream now, answered as without it.

use std::collections::HashMap;
use std::sync::Arc;

use annals_core::catalog::{Catalog, Resolved};
use annals_core::projection::{layout, AtPosition, Edge, GraphQuery, Level, Node, StatsView, Timeline};
use annals_core::{ActorId, Envelope, Event, EventId, EventKind, Occurred, PartialDate, StreamName, Timestamp};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::kept::{Answers, View};
use super::shown::{self, Shown};
use super::{etag, not_modified, ApiError, AppState, StreamPath};

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/streams/{stream}/lod", get(lod))
        .route("/streams/{stream}/window", get(window))
        .route("/streams/{stream}/timeline", get(timeline))
        .route("/streams/{stream}/graph", get(graph))
        .route("/streams/{stream}/stats", get(stats))
}

/// Steps of the graph layout.
const LAYOUT_ITERATIONS: u32 = 300;
/// Most buckets one `lod` answer holds.
pub const MAX_BUCKETS: i64 = 10_000;
/// Widest `width` of `lod`, in pixels.
pub const MAX_WIDTH: u32 = 10_000;
/// Narrowest bucket, in pixels, when `lod` chooses the level from `width` (as the app does).
const MIN_BUCKET_PX: f64 = 6.0;
/// Default page of `window`.
const DEFAULT_WINDOW_LIMIT: usize = 200;
/// Largest page of `window`.
pub const MAX_WINDOW_LIMIT: usize = 1000;
/// Most events one `window` call looks at.
pub const MAX_WINDOW_SCAN: usize = 20_000;
/// Most events one filtered `window` call looks at (the page's search walks the record with
/// it, a page at a time): a filtered walk reads each event, an unfiltered one only its key
/// (see [`shown::MAX_WALK`]).
pub const MAX_SHOWN_SCAN: usize = shown::MAX_WALK;
/// Most entries `timeline` answers in one piece by default (about 45 MB of JSON; `serve
/// --max-timeline`): a larger record is read by the window (`lod`, then `window` pages), so no
/// one answer's memory grows with the store.
pub const MAX_TIMELINE_ENTRIES: usize = 100_000;

/// The query of `timeline` and `graph`; see the module docs.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewQuery {
    as_of: Option<String>,
    as_of_position: Option<u64>,
    ego: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

fn date(name: &str, text: Option<&str>) -> Result<Option<PartialDate>, ApiError> {
    text.map(|t| {
        t.parse::<PartialDate>().map_err(|e| {
            ApiError::bad_request("bad_query", format!("{name}={t:?}: {e}; expected YYYY, YYYY-MM or YYYY-MM-DD"))
        })
    })
    .transpose()
}

/// The projections a view is computed from: the kept ones, and with `as_of_position` the
/// position they are seen from (`None` when it is now: the stream had nothing after it).
type Source = (View, Option<u64>);

async fn source(state: &AppState, stream: &StreamName, position: Option<u64>) -> Result<Source, ApiError> {
    let position = super::position("as_of_position", position)?;
    let view = state.kept.get(&state.store, stream).await?;
    let position = position.filter(|p| *p < view.projections.catalog.last_position());
    Ok((view, position))
}

/// The kept projections as of a log position (from their history).
fn at(view: &View, position: u64) -> Result<AtPosition<'_>, ApiError> {
    view.projections
        .at_position(position)
        .ok_or_else(|| ApiError::Storage("the kept projections of this stream keep no history".into()))
}

fn answer<T: Serialize>(version: u64, body: T) -> Response {
    ([(header::ETAG, etag(version))], Json(body)).into_response()
}

/// The answer kept for `endpoint` and the request's query at the view's version, or else
/// `write` it on the [`Work`](super::kept::Work) threads (and keep it). Looked up again
/// there: a reader that waited behind another asking the same sends what that one wrote.
async fn kept_or_computed(
    state: &AppState,
    view: View,
    endpoint: &str,
    uri: &Uri,
    write: impl FnOnce(&View) -> Result<Vec<u8>, ApiError> + Send + 'static,
) -> Result<Response, ApiError> {
    let key = format!("{endpoint}?{}", uri.query().unwrap_or(""));
    let version = view.version;
    if let Some(body) = view.answers.lock().ok().and_then(|mut a| a.get(version, &key)) {
        return Ok(written(version, body));
    }
    let body = state
        .work
        .run(move || {
            if let Some(body) = view.answers.lock().ok().and_then(|mut a| a.get(version, &key)) {
                return Ok(body);
            }
            let body = axum::body::Bytes::from(write(&view)?);
            if let Ok(mut a) = view.answers.lock() {
                a.keep(version, key, body.clone());
            }
            Ok::<_, ApiError>(body)
        })
        .await??;
    Ok(written(version, body))
}

/// A JSON answer written by serde, or the error of a failed writing.
fn json<T: Serialize>(endpoint: &str, body: &T) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(body).map_err(|e| ApiError::Storage(format!("writing the answer of {endpoint} failed: {e}")))
}

/// A JSON answer already written.
fn written(version: u64, body: axum::body::Bytes) -> Response {
    ([(header::ETAG, etag(version)), (header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body)
        .into_response()
}

/// The answer kept for `endpoint` and the request's query at `version`, or else `write` it
/// (and keep it): see [`Answers`].
fn kept_or_written(
    answers: &std::sync::Mutex<Answers>,
    version: u64,
    endpoint: &str,
    uri: &Uri,
    write: impl FnOnce() -> serde_json::Result<Vec<u8>>,
) -> Result<Response, ApiError> {
    let key = format!("{endpoint}?{}", uri.query().unwrap_or(""));
    if let Some(body) = answers.lock().ok().and_then(|mut a| a.get(version, &key)) {
        return Ok(written(version, body));
    }
    let body = axum::body::Bytes::from(
        write().map_err(|e| ApiError::Storage(format!("writing the answer of {endpoint} failed: {e}")))?,
    );
    if let Ok(mut a) = answers.lock() {
        a.keep(version, key, body.clone());
    }
    Ok(written(version, body))
}

#[derive(Serialize)]
struct TimelineEntry<'a> {
    #[serde(flatten)]
    resolved: &'a Resolved,
    occurred: &'a Occurred,
    label: String,
    first_day: i64,
    last_day: i64,
    title: &'a str,
    disputed: bool,
    corrected: bool,
}

impl<'a> TimelineEntry<'a> {
    fn of(r: &'a Resolved) -> Self {
        TimelineEntry {
            resolved: r,
            occurred: &r.event.occurred,
            label: r.event.occurred.label(),
            first_day: r.event.occurred.first_day(),
            last_day: r.event.occurred.last_day(),
            title: &r.event.title,
            disputed: r.is_disputed(),
            corrected: !r.corrections.is_empty(),
        }
    }
}

#[derive(Serialize)]
struct TimelineBody<'a> {
    stream: &'a StreamName,
    version: u64,
    extent: Option<(i64, i64)>,
    entries: Vec<TimelineEntry<'a>>,
}

async fn timeline(
    State(state): State<AppState>,
    StreamPath(stream): StreamPath,
    headers: HeaderMap,
    query: Result<Query<ViewQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let as_of = date("as_of", query.as_of.as_deref())?;
    let permit = state.gate.enter().await?;
    let (view, position) = source(&state, &stream, query.as_of_position).await?;
    let version = view.version;
    if let Some(response) = not_modified(&headers, version) {
        return Ok(response);
    }
    // (As of a position the record held at most as many entries as envelopes before it.)
    let entries = view.projections.timeline.len().min(position.map_or(usize::MAX, |p| p as usize));
    if entries > state.max_timeline {
        return Err(ApiError::bad_request(
            "answer_too_large",
            format!(
                "stream {stream} has {entries} events; the whole timeline is answered for at most {}: \
                 read it by the window instead (lod for the counts, then window, a page at a time)",
                state.max_timeline
            ),
        ));
    }
    // Tens of megabytes on a large record: written off the async threads (which keep
    // the gate's timers running), and sent holding the permit, so the gate bounds the
    // answers in memory, not only their making.
    let bytes = tokio::task::spawn_blocking(move || {
        let then: Option<Timeline> = match position {
            Some(position) => Some(at(&view, position)?.timeline()),
            None => None,
        };
        let timeline = then.as_ref().unwrap_or(&view.projections.timeline);
        let shown = |r: &&Arc<Resolved>| as_of.is_none_or(|d| r.event.occurred.certain_start_day() <= d.last_day());
        let entries: Vec<TimelineEntry> = timeline.entries().filter(shown).map(|r| TimelineEntry::of(r)).collect();
        let extent = match as_of {
            None => timeline.extent(),
            Some(_) => {
                entries.first().map(|e| (e.first_day, entries.iter().map(|e| e.last_day).max().unwrap_or(e.last_day)))
            }
        };
        serde_json::to_vec(&TimelineBody { stream: &stream, version, extent, entries })
            .map_err(|e| ApiError::Storage(format!("writing the timeline failed: {e}")))
    })
    .await
    .map_err(|e| ApiError::Storage(format!("writing the timeline failed: {e}")))??;
    Ok(held_until_sent(version, bytes, permit))
}

/// A JSON answer sent in chunks, keeping `permit` until the last chunk is taken.
fn held_until_sent(version: u64, bytes: Vec<u8>, permit: tokio::sync::OwnedSemaphorePermit) -> Response {
    const CHUNK: usize = 1 << 20;
    let length = bytes.len();
    let bytes = axum::body::Bytes::from(bytes);
    let chunks: Vec<axum::body::Bytes> =
        (0..length).step_by(CHUNK).map(|at| bytes.slice(at..(at + CHUNK).min(length))).collect();
    let body = futures_util::stream::unfold((chunks.into_iter(), permit), |(mut chunks, permit)| async move {
        chunks.next().map(|chunk| (Ok::<_, std::convert::Infallible>(chunk), (chunks, permit)))
    });
    (
        [
            (header::ETAG, etag(version)),
            (header::CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (header::CONTENT_LENGTH, HeaderValue::from(length)),
        ],
        axum::body::Body::from_stream(body),
    )
        .into_response()
}

/// The query of `lod` and `window`; see the module docs.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowQuery {
    from: Option<String>,
    to: Option<String>,
    from_day: Option<i64>,
    to_day: Option<i64>,
    level: Option<String>,
    width: Option<u32>,
    limit: Option<usize>,
    cursor: Option<String>,
    /// `window?as=log`: the page's events as envelopes (see [`log_of`]).
    #[serde(rename = "as")]
    shape: Option<String>,
    /// `window?as=log&event=ID`: that one event as envelopes, its days the window (the page
    /// opens a link to an event it has not fetched with it).
    event: Option<String>,
    /// The page's filters (see [`shown`]): only the events naming this actor…
    actor: Option<String>,
    /// …and holding every word of this text.
    q: Option<String>,
}

impl WindowQuery {
    /// The window in days: given, or else the record's extent (asked only then).
    fn days(&self, extent: impl FnOnce() -> Option<(i64, i64)>) -> Result<(i64, i64), ApiError> {
        let one = |name: &str, text: &Option<String>, day: Option<i64>, first: bool| -> Result<Option<i64>, ApiError> {
            match (date(name, text.as_deref())?, day) {
                (Some(_), Some(_)) => Err(ApiError::bad_request(
                    "bad_query",
                    format!("{name} and {name}_day both given; expected one of them"),
                )),
                (Some(d), None) => Ok(Some(if first { d.first_day() } else { d.last_day() })),
                (None, day) => Ok(day),
            }
        };
        let from = one("from", &self.from, self.from_day, true)?;
        let to = one("to", &self.to, self.to_day, false)?;
        let (from, to) = match (from, to) {
            (Some(from), Some(to)) => (from, to),
            (from, to) => {
                let (lo, hi) = extent().unwrap_or((0, 0));
                (from.unwrap_or(lo), to.unwrap_or(hi))
            }
        };
        if from > to {
            return Err(ApiError::bad_request(
                "bad_query",
                format!("the window ends (day {to}) before it begins (day {from})"),
            ));
        }
        Ok((from, to))
    }

    fn only(&self, endpoint: &str, allowed: &[&str]) -> Result<(), ApiError> {
        let given = [
            ("level", self.level.is_some()),
            ("width", self.width.is_some()),
            ("limit", self.limit.is_some()),
            ("cursor", self.cursor.is_some()),
            ("as", self.shape.is_some()),
            ("event", self.event.is_some()),
            ("actor", self.actor.is_some()),
            ("q", self.q.is_some()),
        ];
        match given.iter().find(|(name, set)| *set && !allowed.contains(name)) {
            Some((name, _)) => Err(ApiError::bad_request("bad_query", format!("{endpoint} takes no {name}="))),
            None => Ok(()),
        }
    }
}

#[derive(Serialize)]
struct LodBody<'a> {
    stream: &'a StreamName,
    version: u64,
    level: Level,
    from: i64,
    to: i64,
    extent: Option<(i64, i64)>,
    /// With a filter, when the walk stopped before the window's end: the `cursor` to go on.
    /// (Before the buckets: the page reads every number after `"buckets":` as theirs.)
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
    kinds: Vec<&'static str>,
    buckets: Vec<annals_core::projection::Bucket>,
}

fn level_named(name: &str) -> Result<Level, ApiError> {
    match name.to_ascii_lowercase().as_str() {
        "decade" => Ok(Level::Decade),
        "year" => Ok(Level::Year),
        "month" => Ok(Level::Month),
        "day" => Ok(Level::Day),
        _ => Err(ApiError::bad_request("bad_query", format!("level={name:?}: expected decade, year, month or day"))),
    }
}

async fn lod(
    State(state): State<AppState>,
    StreamPath(stream): StreamPath,
    headers: HeaderMap,
    uri: Uri,
    query: Result<Query<WindowQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    query.only("lod", &["level", "width", "actor", "q", "cursor"])?;
    // Filtered counts walk the events (see `shown`): behind the gate, on the work threads.
    let filtered = Shown::given(query.actor.as_deref(), query.q.as_deref())?;
    if query.cursor.is_some() && !filtered {
        return Err(ApiError::bad_request("bad_query", "lod takes cursor= only with a filter (actor= or q=)"));
    }
    let cursor = query.cursor.as_deref().map(parse_cursor).transpose()?;
    let permit = if filtered { Some(state.gate.enter().await?) } else { None };
    let view = state.kept.get(&state.store, &stream).await?;
    if let Some(response) = not_modified(&headers, view.version) {
        return Ok(response);
    }
    let timeline = &view.projections.timeline;
    let extent = timeline.extent();
    let (from, to) = query.days(|| extent)?;
    let level = match (&query.level, query.width) {
        (Some(name), None) => level_named(name)?,
        (None, Some(width)) if (1..=MAX_WIDTH).contains(&width) => {
            Level::for_scale((to - from + 1) as f64 / f64::from(width), MIN_BUCKET_PX)
        }
        (None, Some(width)) => {
            return Err(ApiError::bad_request("bad_query", format!("width={width}: expected 1..={MAX_WIDTH} pixels")))
        }
        _ => {
            return Err(ApiError::bad_request(
                "bad_query",
                "lod needs level= (decade, year, month, day) or width= (pixels)",
            ))
        }
    };
    let too_wide = move |buckets: i64| {
        ApiError::bad_request(
            "window_too_wide",
            format!("the window holds {buckets} buckets at level {level:?}; at most {MAX_BUCKETS}: narrow it or choose a coarser level"),
        )
    };
    // Decades are the coarsest level: a record reaching back to the Big Bang spans more of
    // them than an answer may hold, but only the decades with events are sent (the index
    // keeps far decades apart, so finding them costs what they hold), and those are counted.
    let span = level.bucket(to).saturating_sub(level.bucket(from)).saturating_add(1);
    if span > MAX_BUCKETS && level != Level::Decade {
        return Err(too_wide(span));
    }
    if filtered {
        let (actor, q) = (query.actor, query.q);
        let response = kept_or_computed(&state, view, "lod", &uri, move |view| {
            let (timeline, catalog) = (&view.projections.timeline, &view.projections.catalog);
            let shown = Shown::parse(actor.as_deref(), q.as_deref(), catalog)?.unwrap_or_default();
            let (buckets, next) = shown::buckets(timeline, catalog, &shown, level, (from, to), cursor, shown::MAX_WALK);
            if buckets.len() as i64 > MAX_BUCKETS {
                return Err(too_wide(buckets.len() as i64));
            }
            let kinds = EventKind::ALL.iter().map(|k| k.name()).collect();
            let version = view.version;
            let next = next.map(cursor_text);
            json("lod", &LodBody { stream: &stream, version, level, from, to, extent, kinds, buckets, next })
        })
        .await;
        drop(permit);
        return response;
    }
    let buckets = timeline.buckets(level, from, to);
    if buckets.len() as i64 > MAX_BUCKETS {
        return Err(too_wide(buckets.len() as i64));
    }
    let body = LodBody {
        stream: &stream,
        version: view.version,
        level,
        from,
        to,
        extent,
        kinds: EventKind::ALL.iter().map(|k| k.name()).collect(),
        buckets,
        next: None,
    };
    Ok(answer(view.version, body))
}

/// The key the timeline is ordered by: first day, last day, position.
type OrderKey = shown::OrderKey;

/// A key as a `cursor` (what `next` says).
fn cursor_text((first, last, position): OrderKey) -> String {
    format!("{first}.{last}.{position}")
}

fn parse_cursor(text: &str) -> Result<OrderKey, ApiError> {
    let bad = || {
        ApiError::bad_request(
            "bad_cursor",
            format!("cursor={text:?} is not a cursor of this endpoint; pass the `next` of a page"),
        )
    };
    let mut parts = text.split('.');
    let first = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let last = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let position = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    if parts.next().is_some() {
        return Err(bad());
    }
    Ok((first, last, position))
}

#[derive(Serialize)]
struct WindowBody<'a> {
    stream: &'a StreamName,
    version: u64,
    from: i64,
    to: i64,
    entries: Vec<TimelineEntry<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

/// `window?as=log`: the page as envelopes, what a client folds as it folds a log.
#[derive(Serialize)]
struct WindowLog<'a> {
    stream: &'a StreamName,
    version: u64,
    from: i64,
    to: i64,
    events: Vec<Envelope>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

/// The envelopes that fold into these events as they stand now: first the registrations of
/// the actors they name (once each, with ids `served-actor:{actor}` of their own: the
/// catalog does not keep a registration's envelope), then each event — its content as it
/// stands, corrections applied, at its own position — followed by its disputes. *Why:* the
/// web app reads a large stream by the window (`frontend/src/remote.rs`) and folds what it
/// fetches into its projections; envelopes are what it already decodes, so reading a
/// window costs its bundle no decoder of its own.
fn log_of(entries: &[&Arc<Resolved>], catalog: &Catalog, stream: &StreamName) -> Vec<Envelope> {
    let mut out = Vec::with_capacity(entries.len() + 8);
    let mut named: Vec<&ActorId> = Vec::new();
    for r in entries {
        for (actor, _) in r.event.participants() {
            if !named.contains(&actor) {
                named.push(actor);
            }
        }
    }
    for actor in named {
        let Some(registration) = catalog.actor(actor.as_str()) else { continue };
        out.push(Envelope {
            position: 0,
            id: EventId::from(format!("served-actor:{}", actor.as_str())),
            stream: stream.clone(),
            recorded_at: Timestamp::default(),
            event: Event::ActorRegistered(Box::new((**registration).clone())),
        });
    }
    for r in entries {
        out.push(Envelope {
            position: r.position,
            id: r.id.clone(),
            stream: stream.clone(),
            recorded_at: r.recorded_at,
            event: Event::Domain(r.kind, r.event.clone()),
        });
        out.extend(r.disputes.iter().map(|d| Envelope {
            position: d.position,
            id: d.id.clone(),
            stream: stream.clone(),
            recorded_at: r.recorded_at,
            event: Event::Disputed(Box::new(d.dispute.clone())),
        }));
    }
    out
}

async fn window(
    State(state): State<AppState>,
    StreamPath(stream): StreamPath,
    headers: HeaderMap,
    uri: Uri,
    query: Result<Query<WindowQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    query.only("window", &["limit", "cursor", "as", "event", "actor", "q"])?;
    let as_log = match query.shape.as_deref() {
        None => false,
        Some("log") => true,
        Some(other) => {
            return Err(ApiError::bad_request("bad_query", format!("as={other:?}: expected as=log, or no as=")))
        }
    };
    let limit = query.limit.unwrap_or(DEFAULT_WINDOW_LIMIT);
    if limit == 0 || limit > MAX_WINDOW_LIMIT {
        return Err(ApiError::bad_request("bad_query", format!("limit={limit}: expected 1..={MAX_WINDOW_LIMIT}")));
    }
    let cursor = query.cursor.as_deref().map(parse_cursor).transpose()?;
    // A filtered window (the page's search) walks up to MAX_SHOWN_SCAN events: gated.
    let filtered = Shown::given(query.actor.as_deref(), query.q.as_deref())?;
    let _permit = if filtered { Some(state.gate.enter().await?) } else { None };
    let view = state.kept.get(&state.store, &stream).await?;
    if let Some(response) = not_modified(&headers, view.version) {
        return Ok(response);
    }
    if let Some(id) = &query.event {
        if !as_log
            || filtered
            || query.from.is_some()
            || query.to.is_some()
            || query.from_day.is_some()
            || query.to_day.is_some()
        {
            return Err(ApiError::bad_request(
                "bad_query",
                "event= takes as=log and no window; expected as=log&event=ID",
            ));
        }
        let catalog = &view.projections.catalog;
        let r = catalog.event(id).ok_or_else(|| ApiError::NotFound(format!("no event {id:?} in stream {stream}")))?;
        let (from, to) = (r.event.occurred.first_day(), r.event.occurred.last_day());
        let events = log_of(&[r], catalog, &stream);
        return kept_or_written(&view.answers, view.version, "window", &uri, || {
            serde_json::to_vec(&WindowLog { stream: &stream, version: view.version, from, to, events, next: None })
        });
    }
    let (from, to) = query.days(|| view.projections.timeline.extent())?;
    let (actor, q) = (query.actor, query.q);
    kept_or_computed(&state, view, "window", &uri, move |view| {
        let timeline = &view.projections.timeline;
        let catalog = &view.projections.catalog;
        let shown = Shown::parse(actor.as_deref(), q.as_deref(), catalog)?;
        let scan = if shown.is_some() { MAX_SHOWN_SCAN } else { MAX_WINDOW_SCAN };
        let range = timeline.window_indices(from, to);
        // The first index after the cursor.
        let lo = cursor.map_or(range.start, |cursor| timeline.after_key(range.clone(), cursor));
        // The scan compares the keys kept beside the events (the long events that begin
        // before the window make it start up to the longest event's days earlier).
        let mut entries = Vec::new();
        let mut at = lo;
        let mut last = None;
        while at < range.end && entries.len() < limit && at - lo < scan {
            if let (Some(k), Some(r)) = (timeline.key_at(at), timeline.at(at)) {
                if k.1 >= from && shown.as_ref().is_none_or(|s| s.keeps(r, catalog)) {
                    entries.push(r);
                }
                last = Some(k);
            }
            at += 1;
        }
        let next = (at < range.end).then(|| last.map(cursor_text)).flatten();
        let version = view.version;
        if as_log {
            let events = log_of(&entries, &view.projections.catalog, &stream);
            return json("window", &WindowLog { stream: &stream, version, from, to, events, next });
        }
        let entries = entries.into_iter().map(|r| TimelineEntry::of(r)).collect();
        json("window", &WindowBody { stream: &stream, version, from, to, entries, next })
    })
    .await
}

#[derive(Serialize)]
struct PlacedNode {
    #[serde(flatten)]
    node: Node,
    x: f64,
    y: f64,
}

#[derive(Serialize)]
struct WeightedEdge {
    #[serde(flatten)]
    edge: Edge,
    weight: u32,
    main_kind: EventKind,
}

#[derive(Serialize)]
struct GraphBody<'a> {
    stream: &'a StreamName,
    version: u64,
    nodes: Vec<PlacedNode>,
    edges: Vec<WeightedEdge>,
}

async fn graph(
    State(state): State<AppState>,
    StreamPath(stream): StreamPath,
    headers: HeaderMap,
    uri: Uri,
    query: Result<Query<ViewQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let from = date("from", query.from.as_deref())?;
    let to = date("to", query.to.as_deref())?;
    let as_of = date("as_of", query.as_of.as_deref())?;
    let last = match (to, as_of) {
        (Some(to), Some(as_of)) => Some(to.last_day().min(as_of.last_day())),
        (to, as_of) => to.or(as_of).map(|d| d.last_day()),
    };
    let window = match (from, last) {
        (None, None) => None,
        (from, last) => Some((from.map_or(i64::MIN, |d| d.first_day()), last.unwrap_or(i64::MAX))),
    };
    let _permit = state.gate.enter().await?;
    let (source, position) = source(&state, &stream, query.as_of_position).await?;
    let version = source.version;
    if let Some(response) = not_modified(&headers, version) {
        return Ok(response);
    }
    // The layout is the cost of a graph, and the same at the same version: kept.
    let answers = source.answers.clone();
    let key = format!("graph?{}", uri.query().unwrap_or(""));
    if let Some(body) = answers.lock().ok().and_then(|mut a| a.get(version, &key)) {
        return Ok(written(version, body));
    }
    let ego = query.ego.as_deref().map(ActorId::from);
    let graph_query = GraphQuery { window, ego: ego.clone() };
    let body = state
        .work
        .run(move || {
            let view = match position {
                Some(position) => at(&source, position)?.graph(&graph_query),
                None => source.projections.graph_view(&graph_query),
            };
            // The all-time graph and a window of it (not an ego view, which is laid out as
            // itself) take their places from the all-time layout of now, kept per version: a
            // window costs no layout of its own, and its nodes stay where they are as the
            // window moves, as in the app — also as of an earlier position.
            let kept_places = ego.is_none().then(|| source.places.clone());
            let places =
                kept_places.as_ref().and_then(|p| p.lock().ok().and_then(|p| (p.0 == version).then(|| p.1.clone()))?);
            let whole = match (&kept_places, &places, window.is_some() || position.is_some()) {
                (Some(_), None, true) => Some(source.projections.graph_view(&GraphQuery::default())),
                _ => None,
            };
            // The layout needs no projections: let appends in while it runs.
            drop(source);
            let positions: Vec<(f64, f64)> = match kept_places {
                None => layout(&view, LAYOUT_ITERATIONS),
                Some(kept_places) => {
                    let places = places.unwrap_or_else(|| {
                        let whole = whole.as_ref().unwrap_or(&view);
                        let at = layout(whole, LAYOUT_ITERATIONS);
                        let places: Arc<HashMap<ActorId, (f64, f64)>> =
                            Arc::new(whole.nodes.iter().map(|n| n.id.clone()).zip(at).collect());
                        if let Ok(mut kept) = kept_places.lock() {
                            *kept = (version, Some(places.clone()));
                        }
                        places
                    });
                    view.nodes.iter().map(|n| places.get(&n.id).copied().unwrap_or((0.0, 0.0))).collect()
                }
            };
            let nodes = view.nodes.into_iter().zip(positions).map(|(node, (x, y))| PlacedNode { node, x, y }).collect();
            let edges = view
                .edges
                .into_iter()
                .map(|edge| {
                    let (weight, main_kind) = (edge.weight(), edge.main_kind());
                    WeightedEdge { edge, weight, main_kind }
                })
                .collect();
            Ok::<_, ApiError>(axum::body::Bytes::from(json(
                "graph",
                &GraphBody { stream: &stream, version, nodes, edges },
            )?))
        })
        .await??;
    if let Ok(mut a) = answers.lock() {
        a.keep(version, key, body.clone());
    }
    Ok(written(version, body))
}

#[derive(Serialize)]
struct StatsBody<'a> {
    stream: &'a StreamName,
    version: u64,
    #[serde(flatten)]
    stats: &'a StatsView,
}

/// One part of the figures of the events the page's filters keep (see the module docs).
#[derive(Serialize)]
struct FilteredStatsBody<'a> {
    stream: &'a StreamName,
    version: u64,
    /// Events walked by the end of this part…
    walked: usize,
    /// …of all the walk looks at.
    of: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
    #[serde(flatten)]
    stats: &'a StatsView,
}

/// The query of `stats`; see the module docs.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    as_of: Option<String>,
    as_of_position: Option<u64>,
    /// The page's filters (see [`shown`]).
    actor: Option<String>,
    q: Option<String>,
    /// Where a filtered walk goes on (the `next` of the part before).
    cursor: Option<String>,
}

async fn stats(
    State(state): State<AppState>,
    StreamPath(stream): StreamPath,
    headers: HeaderMap,
    uri: Uri,
    query: Result<Query<StatsQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let as_of = date("as_of", query.as_of.as_deref())?;
    let filtered = Shown::given(query.actor.as_deref(), query.q.as_deref())?;
    if filtered && query.as_of_position.is_some() {
        return Err(ApiError::bad_request(
            "bad_query",
            "stats takes actor= and q= without as_of_position=: the figures of a filter are walked over \
             the events as they stand now; ask them as_of= a date, or as of a position without a filter",
        ));
    }
    if query.cursor.is_some() && !filtered {
        return Err(ApiError::bad_request("bad_query", "stats takes cursor= only with a filter (actor= or q=)"));
    }
    let cursor = query.cursor.as_deref().map(parse_cursor).transpose()?;
    if filtered {
        // Filtered figures walk the events (see `shown`): behind the gate, on the work threads.
        let permit = state.gate.enter().await?;
        let view = state.kept.get(&state.store, &stream).await?;
        if let Some(response) = not_modified(&headers, view.version) {
            return Ok(response);
        }
        let (actor, q) = (query.actor, query.q);
        let response = kept_or_computed(&state, view, "stats", &uri, move |view| {
            let (timeline, catalog) = (&view.projections.timeline, &view.projections.catalog);
            let shown = Shown::parse(actor.as_deref(), q.as_deref(), catalog)?.unwrap_or_default();
            let by = as_of.map(|d| d.last_day());
            let part = shown::figures(timeline, catalog, &shown, by, cursor, shown::MAX_WALK);
            let (version, walked, of, next) = (view.version, part.walked, part.of, part.next.map(cursor_text));
            let stats = &part.stats.view(catalog);
            json("stats", &FilteredStatsBody { stream: &stream, version, walked, of, next, stats })
        })
        .await;
        drop(permit);
        return response;
    }
    let (view, position) = source(&state, &stream, query.as_of_position).await?;
    let version = view.version;
    if let Some(response) = not_modified(&headers, version) {
        return Ok(response);
    }
    kept_or_computed(&state, view, "stats", &uri, move |view| match position {
        None => json("stats", &StatsBody { stream: &stream, version, stats: &view.stats(as_of) }),
        Some(position) => {
            json("stats", &StatsBody { stream: &stream, version, stats: &at(view, position)?.stats(as_of) })
        }
    })
    .await
}
