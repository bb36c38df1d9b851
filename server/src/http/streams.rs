//! Streams and their events: list, read (paged, filtered), append.
//!
//! # Reading: `GET /api/streams/{stream}/events`
//!
//! Pages through the stream's envelopes in log order. `after` is a global position
//! (exclusive, default 0), `limit` the page size (default 100, at most 1000). The answer is
//! `{"stream", "version", "events": [envelope…], "next"}`; `next` is the `after` of the next
//! page, present while there may be more. The `ETag` is the stream's version
//! (`If-None-Match` with it gets `304 Not Modified`).
//!
//! Filters narrow the page; every filter given must match. Each envelope is judged by the
//! event it is about, **as that event stands now** (corrections applied): a domain event
//! is about itself, a `Corrected`/`Retracted`/`Disputed` about its target, an
//! `ActorRegistered` about its actor.
//!
//! - `kind=Visit,Signing` — the envelope's own type, one of a comma-separated list (any type
//!   name, case-insensitive);
//! - `actor=lukashenko` — the event names the actor (as visitor, host, party, co-chair,
//!   commission, participant or place), or the envelope registers it;
//! - `from=2009`, `to=2024-05` — partial dates; the event's dates overlap `from`'s first day
//!   ..= `to`'s last day (registrations have no date and never match);
//! - `q=minsk` — case-insensitive text in the event's title or summary, or the actor's names.
//!
//! With filters, a page scans forward until `limit` envelopes match, the stream ends, or
//! [`MAX_SCAN`] envelopes have been looked at — so one call costs the same on any record,
//! and a page may hold fewer than `limit` envelopes (even none) with a `next`; `next`
//! continues the scan. The scan runs over what the service keeps of the stream (the subject
//! of each envelope, the events as they stand, see [`super::kept`]), not over the log: only
//! the envelopes that match are read from the store. `q` alone reads each event's kept
//! search text (lowercased once, when folded: [`super::kept::Texts`]) instead of looking the
//! event up per envelope. Filtered reads go through the gate of expensive reads (503 with
//! `Retry-After` when it stays full) and scan on the work threads with the other reads that
//! compute ([`super::kept::Work`]); a plain page is one store read and takes neither.
//!
//! # Writing: `POST /api/streams/{stream}/events`
//!
//! The body is one record or a JSON array of records in the native record format (as in
//! an NDJSON log: `{"id", "type", "payload", "schema_version"?, "recorded_at"?}`), appended
//! atomically. Needs `Authorization: Bearer <token>` (401). `If-Match: "<version>"` makes the
//! append conditional on the stream's version (412 and nothing written otherwise). Answers
//! `201 Created` with `{"stream", "positions", "version", "duplicate": false}`, or `200 OK`
//! with the original positions and `"duplicate": true` when every record was stored before.
//! Malformed JSON is 400; records that do not decode or validate are 422 with diagnostics;
//! an id stored with other content, or a batch partly stored, is 409; a body over the limit
//! is 413.

use annals_core::envelope::decode_record;
use annals_core::log::StreamInfo;
use annals_core::{says, Problem};
use annals_core::{Envelope, ExpectedVersion, PartialDate, Proposed, StreamName};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::error::no_stream;
use super::kept::{About, Current, Logged, Texts};
use super::{etag, not_modified, ApiError, AppState, Authorized, StreamPath};

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route("/streams", get(list)).route("/streams/{stream}/events", get(read).post(append))
}

#[derive(Serialize)]
struct StreamList {
    streams: Vec<StreamInfo>,
}

async fn list(State(state): State<AppState>) -> Result<Json<StreamList>, ApiError> {
    Ok(Json(StreamList { streams: state.store.streams().await? }))
}

/// Default page size.
const DEFAULT_LIMIT: usize = 100;
/// Largest page size.
const MAX_LIMIT: usize = 1000;
/// Most envelopes one filtered read looks at.
pub const MAX_SCAN: usize = 5_000;

/// The query of a read; see the module docs.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    after: Option<u64>,
    limit: Option<usize>,
    kind: Option<String>,
    actor: Option<String>,
    from: Option<String>,
    to: Option<String>,
    q: Option<String>,
}

#[derive(Serialize)]
struct EventsPage {
    stream: StreamName,
    version: u64,
    events: Vec<Envelope>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<u64>,
}

/// The filters of a read, parsed.
#[derive(Debug, Default)]
struct Filter {
    kinds: Option<Vec<String>>,
    actor: Option<String>,
    from: Option<i64>,
    to: Option<i64>,
    q: Option<String>,
}

impl Filter {
    fn parse(q: &EventsQuery) -> Result<Self, ApiError> {
        let date = |name: &str, text: &Option<String>| -> Result<Option<PartialDate>, ApiError> {
            text.as_deref()
                .map(|t| {
                    t.parse::<PartialDate>().map_err(|e| {
                        ApiError::bad_request(
                            "bad_query",
                            format!("{name}={t:?}: {e}; expected YYYY, YYYY-MM or YYYY-MM-DD"),
                        )
                    })
                })
                .transpose()
        };
        Ok(Self {
            kinds: q.kind.as_deref().map(|k| k.split(',').map(|s| s.trim().to_ascii_lowercase()).collect()),
            actor: q.actor.clone(),
            from: date("from", &q.from)?.map(|d| d.first_day()),
            to: date("to", &q.to)?.map(|d| d.last_day()),
            q: q.q.as_deref().map(str::to_lowercase),
        })
    }

    fn is_empty(&self) -> bool {
        self.kinds.is_none() && self.actor.is_none() && self.from.is_none() && self.to.is_none() && self.q.is_none()
    }

    /// Whether a kept envelope matches, judged by what it is about as that stands now.
    fn matches(&self, logged: &Logged, kept: &Current) -> bool {
        if let Some(kinds) = &self.kinds {
            if !kinds.iter().any(|k| k.eq_ignore_ascii_case(logged.type_name)) {
                return false;
            }
        }
        if self.actor.is_none() && self.from.is_none() && self.to.is_none() && self.q.is_none() {
            return true;
        }
        let p = &kept.projections;
        match &logged.about {
            About::Actor(id) => {
                let Some(actor) = p.catalog.actor(id.as_str()) else {
                    return false;
                };
                self.from.is_none()
                    && self.to.is_none()
                    && self.actor.as_ref().is_none_or(|x| x == actor.actor.as_str())
                    && self.q.as_ref().is_none_or(|q| actor.names.values().any(|n| contains_folded(n, q)))
            }
            About::Event(subject) => {
                // Text alone: the kept search text, no lookup (see `kept::Texts`).
                let kept_text = match &self.q {
                    Some(q) if !q.contains(Texts::SEPARATOR) => kept.search_text(logged),
                    _ => None,
                };
                if let (Some(q), Some(text), true) =
                    (&self.q, kept_text, self.actor.is_none() && self.from.is_none() && self.to.is_none())
                {
                    return text.contains(q.as_str());
                }
                let Some(r) = p.catalog.event_any(subject.as_str()) else {
                    return false;
                };
                let e = &r.event;
                self.actor.as_ref().is_none_or(|x| e.participant_ids().chain(e.places.iter()).any(|a| a.as_str() == x))
                    && self.from.is_none_or(|from| e.occurred.last_day() >= from)
                    && self.to.is_none_or(|to| e.occurred.first_day() <= to)
                    // The title and summary in every language the record gives them.
                    && self.q.as_ref().is_none_or(|q| match kept_text {
                        Some(text) => text.contains(q.as_str()),
                        None => e.texts().any(|t| contains_folded(t, q)),
                    })
            }
        }
    }
}

/// Whether `text`, lowercased, contains `needle` (lowercase already); ASCII text (most
/// titles) is compared in place, without a lowercased copy.
pub(super) fn contains_folded(text: &str, needle: &str) -> bool {
    if text.is_ascii() && needle.is_ascii() {
        let (t, n) = (text.as_bytes(), needle.as_bytes());
        return n.is_empty() || t.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    text.to_lowercase().contains(needle)
}

/// The rows of the kept stream after position `after` that match, scanning at most
/// [`MAX_SCAN`] of them: the stream's version, (row, position) of each match, and the `next`.
fn scan(view: &Current, filter: &Filter, after: u64, limit: usize) -> (u64, Vec<(usize, u64)>, Option<u64>) {
    let start = view.log.partition_point(|l| l.position <= after);
    let mut matched = Vec::new();
    let mut at = start;
    while at < view.log.len() && at - start < MAX_SCAN && matched.len() < limit {
        if filter.matches(&view.log[at], view) {
            matched.push((at, view.log[at].position));
        }
        at += 1;
    }
    let next = (at < view.log.len()).then(|| view.log[at - 1].position);
    (view.version, matched, next)
}

async fn read(
    State(state): State<AppState>,
    StreamPath(stream): StreamPath,
    headers: HeaderMap,
    query: Result<Query<EventsQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::bad_request("bad_query", format!("limit={limit}: expected 1..={MAX_LIMIT}")));
    }
    let filter = Filter::parse(&query)?;
    let after = super::position("after", query.after)?.unwrap_or(0);
    let page = if filter.is_empty() {
        let page = state.store.read_stream(stream.clone(), after, limit).await?;
        let next = (page.events.len() == limit).then(|| page.events.last().map_or(after, |e| e.position));
        EventsPage { stream, version: page.version, events: page.events, next }
    } else {
        let _permit = state.gate.enter().await?;
        // The positions that match, from the kept stream (no envelope decoded), on the work
        // threads with the other reads that compute…
        let view = state.kept.get(&state.store, &stream).await?;
        let (version, matched, next) = state.work.run(move || scan(&view, &filter, after, limit)).await?;
        // …then those envelopes from the store, in runs of neighbours.
        let mut events = Vec::with_capacity(matched.len());
        let mut i = 0;
        while i < matched.len() {
            let (first_index, first) = matched[i];
            let mut j = i;
            while j + 1 < matched.len() && matched[j + 1].0 - first_index < MAX_LIMIT {
                j += 1;
            }
            let wanted = &matched[i..=j];
            let page = state.store.read_stream(stream.clone(), first - 1, matched[j].0 - first_index + 1).await?;
            events.extend(page.events.into_iter().filter(|e| wanted.iter().any(|(_, p)| *p == e.position)));
            i = j + 1;
        }
        EventsPage { stream, version, events, next }
    };
    if page.version == 0 {
        return Err(no_stream(&page.stream));
    }
    if let Some(response) = not_modified(&headers, page.version) {
        return Ok(response);
    }
    Ok(([(header::ETAG, etag(page.version))], Json(page)).into_response())
}

#[derive(Serialize)]
struct AppendResponse {
    stream: StreamName,
    positions: Vec<u64>,
    version: u64,
    duplicate: bool,
}

async fn append(
    _: Authorized,
    State(state): State<AppState>,
    StreamPath(stream): StreamPath,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let expected = if_match(&headers)?;
    let body = body.map_err(|r| ApiError::from_body(r, state.body_limit))?;
    let batch = decode_body(&body, &stream)?;
    let count = batch.len();
    let appended = state.store.append(stream.clone(), expected, batch).await?;
    let status = if appended.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    if !appended.duplicate {
        tracing::info!("appended {count} event(s) to {stream} at version {}", appended.version);
    }
    let response = AppendResponse {
        stream,
        positions: appended.positions,
        version: appended.version,
        duplicate: appended.duplicate,
    };
    Ok((status, [(header::ETAG, etag(response.version))], Json(response)).into_response())
}

/// Reads `If-Match: "<version>"` (quotes and a `W/` prefix optional).
fn if_match(headers: &HeaderMap) -> Result<ExpectedVersion, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(ExpectedVersion::Any);
    };
    let text = value.to_str().unwrap_or("");
    let bare = text.trim();
    let bare = bare.strip_prefix("W/").unwrap_or(bare).trim_matches('"');
    bare.parse::<u64>().map(ExpectedVersion::Exact).map_err(|_| {
        ApiError::bad_request(
            "bad_if_match",
            format!("If-Match {text:?} is not a stream version; expected \"<version>\" as in the ETag of a read"),
        )
    })
}

/// Decodes one record or an array of records, reporting every record that does not decode.
fn decode_body(body: &[u8], stream: &StreamName) -> Result<Vec<Proposed>, ApiError> {
    let malformed = |m: String| ApiError::bad_request("malformed_json", m);
    let text = std::str::from_utf8(body).map_err(|e| malformed(format!("the body is not UTF-8: {e}")))?;
    let value: &RawValue = serde_json::from_str(text).map_err(|e| malformed(format!("the body is not JSON: {e}")))?;
    let items: Vec<&RawValue> = if value.get().starts_with('[') {
        serde_json::from_str(value.get()).map_err(|e| malformed(format!("the body is not JSON: {e}")))?
    } else {
        vec![value]
    };
    let mut batch = Vec::with_capacity(items.len());
    let mut diagnostics = Vec::new();
    let mut problem = |record: usize, problem: Problem| diagnostics.push(problem.at(None, Some(record)));
    for (i, item) in items.iter().enumerate() {
        match decode_record(item.get()) {
            Ok(decoded) => {
                if decoded.position.is_some() {
                    problem(i + 1, Problem::new("position", says!("positions are assigned by the log; leave it out")));
                }
                if let Some(named) = decoded.stream.as_ref().filter(|s| *s != stream) {
                    problem(
                        i + 1,
                        Problem::new(
                            "stream",
                            says!(
                                "names stream {0} but was posted to {1}",
                                format!("{:?}", named.as_str()),
                                format!("{:?}", stream.as_str())
                            ),
                        ),
                    );
                }
                batch.push(decoded.proposed);
            }
            Err(e) => problem(i + 1, e),
        }
    }
    if diagnostics.is_empty() {
        Ok(batch)
    } else {
        Err(ApiError::Unprocessable {
            message: format!(
                "{} in the batch; nothing was written",
                annals_core::words::count(diagnostics.len(), "problem", "problems")
            ),
            diagnostics,
        })
    }
}
