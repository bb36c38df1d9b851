//! The HTTP API and the web app, over a [`Store`].
//!
//! One router per resource, merged under `/api`:
//!
//! - [`streams`] — `GET /api/streams`, `GET|POST /api/streams/{stream}/events`;
//! - [`views`] — `GET /api/streams/{stream}/lod|window|stats|graph|timeline`, the
//!   projections, as [`kept`] keeps them current;
//! - [`live`] — `GET /api/streams/{stream}/live`, Server-Sent Events of new envelopes;
//!
//! plus `GET /healthz`, `GET /oembed` ([`embed`]), and the web app (`dist/`) for every other
//! path, its page carrying the oEmbed discovery link. Every error has the one JSON shape of
//! [`ApiError`]. Reads are public, with CORS so other sites can fetch a record — and load the
//! widget script and wasm from another page; the stream version is their `ETag`. Writes need
//! `Authorization: Bearer <token>`.

pub mod embed;
pub mod error;
pub mod files;
pub mod kept;
pub mod listen;
pub mod live;
pub mod shown;
pub mod streams;
pub mod views;

use std::path::Path;
use std::sync::Arc;

use annals_core::id::check_stream;
use annals_core::StreamName;
use axum::extract::{DefaultBodyLimit, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::middleware;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tokio::sync::watch;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::trace::TraceLayer;

pub use error::ApiError;

use crate::store::Store;

/// Requests with more header fields than this are refused with 431.
pub const MAX_HEADERS: usize = 100;
/// Requests whose header fields (names and values) add up to more bytes than this are
/// refused with 431.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Bodies larger than this are refused with 413 unless configured otherwise.
pub const DEFAULT_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The bearer token writes must present.
    pub token: Arc<str>,
    /// The largest body accepted, in bytes.
    pub body_limit: usize,
    /// The most events the whole `timeline` answers in one piece (see `views`).
    pub max_timeline: usize,
    /// Projections of the streams in use, kept current.
    pub kept: Arc<kept::Kept>,
    /// The limit on expensive reads at once.
    pub gate: kept::Gate,
    /// Where reads that compute their answers run.
    pub work: kept::Work,
    /// The latest envelopes, shared by every live subscriber.
    pub recent: Arc<live::Recent>,
    /// Set when the server shuts down: live streams end so connections can close.
    closing: Arc<watch::Sender<bool>>,
}

impl AppState {
    /// State over a store, with a write token and the default body limit.
    pub fn new(store: Arc<dyn Store>, token: impl Into<Arc<str>>) -> Self {
        Self {
            store,
            token: token.into(),
            body_limit: DEFAULT_BODY_LIMIT,
            max_timeline: views::MAX_TIMELINE_ENTRIES,
            kept: Arc::default(),
            gate: kept::Gate::per_cpu(),
            work: kept::Work::per_cpu(),
            recent: Arc::default(),
            closing: Arc::new(watch::channel(false).0),
        }
    }

    /// Ends every live stream (new ones end at once), so a graceful shutdown does not wait
    /// for subscribers that never hang up.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Resolves when [`AppState::close`] has been called.
    pub fn closed(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut closing = self.closing.subscribe();
        async move {
            let _ = closing.wait_for(|closed| *closed).await;
        }
    }

    /// The same state keeping at most `streams` streams' projections.
    pub fn with_kept_streams(mut self, streams: usize) -> Self {
        self.kept = Arc::new(kept::Kept::new(streams));
        self
    }

    /// The same state with at most `permits` expensive reads at once.
    pub fn with_expensive_reads(mut self, permits: usize) -> Self {
        self.gate = kept::Gate::new(permits);
        self
    }

    /// The same state answering the whole `timeline` for records of at most `events` events.
    pub fn with_max_timeline(mut self, events: usize) -> Self {
        self.max_timeline = events;
        self
    }

    /// The same state with another body limit.
    pub fn with_body_limit(mut self, limit: usize) -> Self {
        self.body_limit = limit;
        self
    }
}

/// The whole application: the API, `/healthz` and, when `dist` is given, the web app
/// (unknown paths outside `/api` get `dist/index.html`, so the app can route).
pub fn router(state: AppState, dist: Option<&Path>) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD])
        .allow_headers([header::IF_NONE_MATCH, HeaderName::from_static("last-event-id")])
        .expose_headers([header::ETAG]);
    let api = Router::new()
        .merge(streams::router())
        .merge(views::router())
        .merge(live::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(state.body_limit))
        .layer(cors);
    // The widget on other sites imports the bundle as a module script and fetches its wasm:
    // both are CORS requests. Everything outside /api is public and read-only, so any origin.
    let public = || CorsLayer::new().allow_origin(Any).allow_methods([Method::GET, Method::HEAD]);
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/oembed", get(embed::oembed).layer(public()))
        .nest("/api", api)
        .with_state(state);
    let app = match dist {
        Some(dist) => {
            // The app page gets the oEmbed discovery link; so does every path the app routes.
            let page = get(embed::app_page).with_state(embed::AppPage::new(dist));
            let files = files::Files::new(dist, page.clone());
            let files = tower::service_fn(move |request: axum::extract::Request| {
                let files = files.clone();
                async move { Ok::<_, std::convert::Infallible>(files.answer(request).await) }
            });
            let files = Router::new().fallback_service(files).layer(public());
            app.route_service("/", page.clone()).route_service("/index.html", page).fallback_service(files)
        }
        None => app,
    };
    // Errors answered without a body by any layer get the JSON one (inside the compression,
    // so it is compressed too); the SSE stream is never compressed (the layer's default).
    app.layer(middleware::map_response(json_errors))
        .layer(middleware::from_fn(header_limits))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}

/// Gives an error answer that has no JSON body the one of [`ApiError`] (405 of a route that
/// exists with other methods, 405 of the files, …), keeping its headers (`Allow`).
async fn json_errors(response: axum::response::Response) -> axum::response::Response {
    use axum::response::IntoResponse;
    let status = response.status();
    let is_json =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let json = ApiError::from_status(status).into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in json.headers() {
        parts.headers.insert(name, value.clone());
    }
    axum::response::Response::from_parts(parts, json.into_body())
}

/// Refuses requests with more than [`MAX_HEADERS`] header fields or [`MAX_HEADER_BYTES`]
/// bytes of them with a JSON 431 (larger ones still are refused by hyper itself, without a
/// body: see [`listen`]).
async fn header_limits(request: axum::extract::Request, next: middleware::Next) -> axum::response::Response {
    use axum::response::IntoResponse;
    let headers = request.headers();
    let bytes: usize = headers.iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
    if headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        return ApiError::from_status(axum::http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE).into_response();
    }
    next.run(request).await
}

async fn healthz(State(state): State<AppState>) -> Json<serde_json::Value> {
    let last_position = *state.store.subscribe().borrow();
    Json(json!({"status": "ok", "last_position": last_position}))
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such resource; see /api/streams".into())
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// The largest log position a store can hold (SQLite and PostgreSQL keep positions in signed
/// 64-bit integers).
pub const MAX_POSITION: u64 = i64::MAX as u64;

/// A position given in a query or header (`name` for the message), checked against
/// [`MAX_POSITION`]: a larger number is a 400, never wrapped into a negative one.
pub fn position(name: &str, value: Option<u64>) -> Result<Option<u64>, ApiError> {
    match value {
        Some(v) if v > MAX_POSITION => Err(ApiError::bad_request(
            "bad_query",
            format!("{name}={v}: out of range; expected a log position from 0 to {MAX_POSITION}"),
        )),
        other => Ok(other),
    }
}

/// The `ETag` of a stream at a version: the version in quotes.
pub fn etag(version: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

/// `304 Not Modified` when the request's `If-None-Match` names this version's `ETag`.
pub fn not_modified(headers: &axum::http::HeaderMap, version: u64) -> Option<axum::response::Response> {
    use axum::response::IntoResponse;
    let tag = etag(version);
    let matches = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || t.trim().trim_start_matches("W/") == tag);
    matches.then(|| (axum::http::StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response())
}

/// The `{stream}` of a path, checked with [`check_stream`] (400 otherwise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamPath(pub StreamName);

impl<S: Send + Sync> FromRequestParts<S> for StreamPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(name) = axum::extract::Path::<String>::from_request_parts(parts, state).await?;
        check_stream(&name).map_err(|reason| {
            // The reason names the stream itself when it quotes a character.
            let reason = reason.to_string();
            let message = if reason.starts_with('"') {
                format!("stream name {reason}")
            } else {
                format!("stream name {name:?} {reason}")
            };
            ApiError::bad_request("bad_stream", message)
        })?;
        Ok(StreamPath(StreamName::from(name)))
    }
}

/// Proof that the request carries the write token (401 otherwise). Extracted before the
/// body, so an unauthorized request is refused without reading it.
#[derive(Debug, Clone, Copy)]
pub struct Authorized;

impl FromRequestParts<AppState> for Authorized {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let given = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        let Some(given) = given else {
            return Err(ApiError::Unauthorized("writing needs an `Authorization: Bearer <token>` header"));
        };
        let token = given.strip_prefix("Bearer ").or_else(|| given.strip_prefix("bearer ")).unwrap_or("").trim();
        if constant_time_eq(token.as_bytes(), state.token.as_bytes()) {
            Ok(Authorized)
        } else {
            Err(ApiError::Unauthorized("the bearer token is not the token of this server"))
        }
    }
}

/// Compares without returning early, so the time taken does not tell how much matched.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
