//! The web app's files (`--dist`): kept inside the directory, precompressed, revalidated.
//!
//! tower-http's `ServeDir` does the serving (ranges, `Last-Modified`, and the `.br`/`.gz`
//! files beside each file when the client accepts them, written by `annals precompress`).
//! In front of it this module adds what it lacks:
//!
//! - **Nothing outside `--dist`.** `ServeDir` follows symbolic links, so a link inside the
//!   directory (say to `/`) would serve any file the process can read. Each request's file,
//!   and its `.br` and `.gz` siblings, are resolved (`canonicalize`, links followed) and
//!   must lie under the resolved `--dist`; otherwise the answer is 404, as for a file that
//!   is not there. (Checked per request, so links made after the start are caught too.)
//! - **Revalidation.** The bundle's names carry no content hash (host pages of the widget
//!   load `annals-embed.js` by name, see `Trunk.toml`), so no file may be cached as
//!   immutable: every answer says `Cache-Control: no-cache` and carries an `ETag` (size and
//!   modification time of the file), and a matching `If-None-Match` gets `304` without a
//!   body. A browser's repeat visit moves only the headers.
//! - `Vary: Accept-Encoding`, since one address has several encodings.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use super::ApiError;

/// What every file answer says about caching.
const REVALIDATE: &str = "no-cache";

/// The files of `dist`, with `fallback` for paths that are not files (the app page).
#[derive(Clone)]
pub struct Files<F> {
    root: PathBuf,
    serve: ServeDir<F>,
}

impl<F> Files<F> {
    /// `dist` with its fallback, as `ServeDir` would serve it.
    pub fn new(dist: &Path, fallback: F) -> Self {
        // A directory that does not resolve stays as given: nothing under it can be served
        // then, and the check below refuses everything that resolves elsewhere.
        let root = std::fs::canonicalize(dist).unwrap_or_else(|_| dist.to_owned());
        let serve = ServeDir::new(dist).precompressed_br().precompressed_gzip().fallback(fallback);
        Self { root, serve }
    }
}

impl<F> Files<F>
where
    F: tower::Service<Request, Response = Response, Error = std::convert::Infallible> + Clone + Send + 'static,
    F::Future: Send + 'static,
{
    /// Answers one request (see the module docs).
    pub async fn answer(self, request: Request) -> Response {
        let file = match self.file_of(request.uri().path()).await {
            Ok(file) => file,
            Err(()) => {
                tracing::warn!("refused {}: it leads out of the web app's directory", request.uri().path());
                return ApiError::NotFound("no such file".into()).into_response();
            }
        };
        let tag = match &file {
            Some(path) => {
                tokio::fs::metadata(path).await.ok().filter(std::fs::Metadata::is_file).and_then(|m| etag(&m))
            }
            None => None,
        };
        if let Some(tag) = &tag {
            if matches(request.headers(), tag) {
                let mut response = StatusCode::NOT_MODIFIED.into_response();
                decorate(response.headers_mut(), Some(tag));
                return response;
            }
        }
        let mut response = match self.serve.oneshot(request).await {
            Ok(response) => response.map(Body::new),
            Err(e) => return ApiError::Storage(format!("reading the web app's files failed: {e}")).into_response(),
        };
        if response.status().is_success() {
            decorate(response.headers_mut(), tag.as_ref());
        }
        response
    }

    /// The file a path names (`None` when the path is not one the service would open), or
    /// `Err` when it or a precompressed sibling resolves outside the root.
    async fn file_of(&self, path: &str) -> Result<Option<PathBuf>, ()> {
        let Ok(decoded) = percent_encoding::percent_decode_str(path).decode_utf8() else {
            return Ok(None);
        };
        let mut file = self.root.clone();
        for part in decoded.split('/') {
            match part {
                "" | "." => {}
                // ServeDir refuses these itself; nothing is opened.
                ".." => return Ok(None),
                _ if part.contains('\\') || part.contains('\0') => return Ok(None),
                part => file.push(part),
            }
        }
        if decoded.ends_with('/') || tokio::fs::metadata(&file).await.is_ok_and(|m| m.is_dir()) {
            file.push("index.html");
        }
        for suffix in ["", ".br", ".gz"] {
            let mut name = file.clone().into_os_string();
            name.push(suffix);
            let candidate = PathBuf::from(name);
            if tokio::fs::symlink_metadata(&candidate).await.is_err() {
                continue;
            }
            match tokio::fs::canonicalize(&candidate).await {
                Ok(real) if real.starts_with(&self.root) => {}
                // A link out of the root, or one that leads nowhere.
                _ => return Err(()),
            }
        }
        Ok(Some(file))
    }
}

/// A weak tag from the file's size and modification time (weak: the same tag covers each
/// encoding of the file).
fn etag(meta: &std::fs::Metadata) -> Option<HeaderValue> {
    let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    HeaderValue::from_str(&format!("W/\"{:x}-{:x}\"", meta.len(), modified.as_nanos())).ok()
}

/// True when `If-None-Match` names the tag (compared weakly, as RFC 9110 asks for it).
fn matches(headers: &HeaderMap, tag: &HeaderValue) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let ours = tag.to_str().map(bare).unwrap_or_default();
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || bare(t) == ours)
}

/// The caching headers of a file answer.
fn decorate(headers: &mut HeaderMap, tag: Option<&HeaderValue>) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(tag) = tag {
        headers.insert(header::ETAG, tag.clone());
    }
}
