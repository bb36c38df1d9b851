//! The projections of a stream: `GET /api/streams/{stream}/timeline|graph|stats`.
//!
//! Each takes `as_of=DATE` (only events that had certainly begun by then) and/or
//! `as_of_position=N` (only what the log held at position N), the two clocks of
//! [`AsOf`]. Without them the answer comes from a per-stream cache of [`Projections`] that
//! is brought up to date from the store on each request (only the new envelopes are
//! folded); with them the stream is folded afresh. The `ETag` is the stream's version
//! (`If-None-Match` with it gets `304 Not Modified`).
//!
//! - `timeline` — `{"stream", "version", "extent": [first_day, last_day] | null,
//!   "entries": [...]}`, entries in order of occurrence, each the resolved event (`id`,
//!   `position`, `recorded_at`, `kind`, `event`, `corrections`, `disputes`, `retracted`)
//!   plus `occurred`, `label`, `first_day`, `last_day`, `title`, `disputed`, `corrected`.
//!   Days are day numbers since 1970-01-01.
//! - `graph` — `{"stream", "version", "nodes": [{id, label, kind, activity, x, y}],
//!   "edges": [{a, b, by_kind, weight, main_kind}]}`; optional `ego=ACTOR` (the actor and
//!   its neighbours), `from`/`to` (partial dates: only events that start between `from`'s
//!   first day and `to`'s last day), positions from the deterministic [`layout`] in −1..=1.
//! - `stats` — `{"stream", "version", …}` with the fields of [`StatsView`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use annals_core::catalog::Resolved;
use annals_core::projection::{layout, AsOf, Edge, GraphQuery, Node, Projections, StatsView};
use annals_core::{ActorId, EventKind, Occurred, PartialDate, StreamName};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::streams::no_stream;
use super::{etag, not_modified, ApiError, AppState, StreamPath};
use crate::store::Store;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/streams/{stream}/timeline", get(timeline))
        .route("/streams/{stream}/graph", get(graph))
        .route("/streams/{stream}/stats", get(stats))
}

/// Envelopes read from the store per round trip while folding.
const FOLD_PAGE: usize = 10_000;
/// Steps of the graph layout.
const LAYOUT_ITERATIONS: u32 = 300;

/// The current projections of each stream, folded incrementally.
#[derive(Debug, Default)]
pub struct ViewCache {
    streams: Mutex<HashMap<StreamName, Arc<tokio::sync::Mutex<Current>>>>,
}

#[derive(Debug, Default)]
struct Current {
    version: u64,
    projections: Arc<Projections>,
}

impl ViewCache {
    /// The stream's version and its projections as they stand now, folding in whatever
    /// was appended since the last call. The snapshot is shared: later appends do not
    /// change it.
    pub async fn current(&self, store: &dyn Store, stream: &StreamName) -> Result<(u64, Arc<Projections>), ApiError> {
        let slot = {
            let mut streams =
                self.streams.lock().map_err(|_| ApiError::Storage("the view cache is poisoned".into()))?;
            streams.entry(stream.clone()).or_default().clone()
        };
        let mut current = slot.lock().await;
        loop {
            let after = current.projections.catalog.last_position();
            let page = store.read_stream(stream.clone(), after, FOLD_PAGE).await?;
            current.version = page.version;
            let n = page.events.len();
            if n > 0 {
                let projections = Arc::make_mut(&mut current.projections);
                if n > 64 {
                    projections.extend(&page.events);
                } else {
                    for env in &page.events {
                        projections.apply(env);
                    }
                }
            }
            if n < FOLD_PAGE {
                break;
            }
        }
        let answer = (current.version, current.projections.clone());
        drop(current);
        if answer.0 == 0 {
            // Keep no entry for streams that do not exist: names in URLs are free to invent.
            if let Ok(mut streams) = self.streams.lock() {
                streams.remove(stream);
            }
        }
        Ok(answer)
    }
}

/// The query of a projection; see the module docs.
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

/// The projections a query asks for, with the stream's version.
async fn projections(
    state: &AppState,
    stream: &StreamName,
    query: &ViewQuery,
) -> Result<(u64, Arc<Projections>), ApiError> {
    let as_of = AsOf {
        position: super::position("as_of_position", query.as_of_position)?,
        date: date("as_of", query.as_of.as_deref())?,
    };
    let (version, projections) = if as_of == AsOf::NOW {
        state.views.current(&*state.store, stream).await?
    } else {
        let mut events = Vec::new();
        let mut after = 0;
        let version = loop {
            let page = state.store.read_stream(stream.clone(), after, FOLD_PAGE).await?;
            let n = page.events.len();
            after = page.events.last().map_or(after, |e| e.position);
            events.extend(page.events.into_iter().filter(|e| as_of.position.is_none_or(|p| e.position <= p)));
            if n < FOLD_PAGE || as_of.position.is_some_and(|p| after > p) {
                break page.version;
            }
        };
        (version, Arc::new(Projections::fold(&events, as_of)))
    };
    if version == 0 {
        return Err(no_stream(stream));
    }
    Ok((version, projections))
}

fn answer<T: Serialize>(version: u64, body: T) -> Response {
    ([(header::ETAG, etag(version))], Json(body)).into_response()
}

#[derive(Serialize)]
struct TimelineEntry<'a> {
    #[serde(flatten)]
    resolved: &'a Resolved,
    occurred: &'a Occurred,
    label: String,
    first_day: i32,
    last_day: i32,
    title: &'a str,
    disputed: bool,
    corrected: bool,
}

#[derive(Serialize)]
struct TimelineBody<'a> {
    stream: &'a StreamName,
    version: u64,
    extent: Option<(i32, i32)>,
    entries: Vec<TimelineEntry<'a>>,
}

async fn timeline(
    State(state): State<AppState>,
    StreamPath(stream): StreamPath,
    headers: HeaderMap,
    query: Result<Query<ViewQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let (version, p) = projections(&state, &stream, &query).await?;
    if let Some(response) = not_modified(&headers, version) {
        return Ok(response);
    }
    let entries = p
        .timeline
        .entries()
        .map(|r| TimelineEntry {
            resolved: r,
            occurred: &r.event.occurred,
            label: r.event.occurred.label(),
            first_day: r.event.occurred.first_day(),
            last_day: r.event.occurred.last_day(),
            title: &r.event.title,
            disputed: r.is_disputed(),
            corrected: !r.corrections.is_empty(),
        })
        .collect();
    Ok(answer(version, TimelineBody { stream: &stream, version, extent: p.timeline.extent(), entries }))
}

#[derive(Serialize)]
struct PlacedNode<'a> {
    #[serde(flatten)]
    node: &'a Node,
    x: f64,
    y: f64,
}

#[derive(Serialize)]
struct WeightedEdge<'a> {
    #[serde(flatten)]
    edge: &'a Edge,
    weight: u32,
    main_kind: EventKind,
}

#[derive(Serialize)]
struct GraphBody<'a> {
    stream: &'a StreamName,
    version: u64,
    nodes: Vec<PlacedNode<'a>>,
    edges: Vec<WeightedEdge<'a>>,
}

async fn graph(
    State(state): State<AppState>,
    StreamPath(stream): StreamPath,
    headers: HeaderMap,
    query: Result<Query<ViewQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let from = date("from", query.from.as_deref())?;
    let to = date("to", query.to.as_deref())?;
    let window = match (from, to) {
        (None, None) => None,
        (from, to) => Some((from.map_or(i32::MIN, |d| d.first_day()), to.map_or(i32::MAX, |d| d.last_day()))),
    };
    let (version, p) = projections(&state, &stream, &query).await?;
    if let Some(response) = not_modified(&headers, version) {
        return Ok(response);
    }
    let view = p.graph_view(&GraphQuery { window, ego: query.ego.as_deref().map(ActorId::from) });
    let positions = layout(&view, LAYOUT_ITERATIONS);
    let nodes = view.nodes.iter().zip(&positions).map(|(node, &(x, y))| PlacedNode { node, x, y }).collect();
    let edges = view
        .edges
        .iter()
        .map(|edge| WeightedEdge { edge, weight: edge.weight(), main_kind: edge.main_kind() })
        .collect();
    Ok(answer(version, GraphBody { stream: &stream, version, nodes, edges }))
}

#[derive(Serialize)]
struct StatsBody<'a> {
    stream: &'a StreamName,
    version: u64,
    #[serde(flatten)]
    stats: StatsView,
}

async fn stats(
    State(state): State<AppState>,
    StreamPath(stream): StreamPath,
    headers: HeaderMap,
    query: Result<Query<ViewQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let (version, p) = projections(&state, &stream, &query).await?;
    if let Some(response) = not_modified(&headers, version) {
        return Ok(response);
    }
    Ok(answer(version, StatsBody { stream: &stream, version, stats: p.stats_view() }))
}
