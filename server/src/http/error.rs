//! The one error shape of the API.
//!
//! Every error, from a malformed body to a failed disk, is answered with its status and
//!
//! ```json
//! {"error": {"status": 422, "code": "invalid", "message": "2 problems in the batch",
//!            "diagnostics": [{"record": 1, "field": "payload.sources", "message": "…"}]}}
//! ```
//!
//! `code` is stable and meant for programs; `message` is for people. `diagnostics` (only on
//! 422) has the shape of the diagnostics of `annals validate --json`, with `record` the
//! 1-based index of the record in the posted batch.

use annals_core::Problem;
use annals_core::{AppendError, ExpectedVersion};
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::store::StoreError;

/// Everything a request can fail with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// The request itself is wrong: a bad stream name, query, header or malformed JSON (400).
    #[error("{message}")]
    BadRequest {
        /// Stable code (`bad_stream`, `bad_query`, `malformed_json`, `bad_if_match`, …).
        code: &'static str,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A write without the right bearer token (401).
    #[error("{0}")]
    Unauthorized(&'static str),
    /// No such stream or route (404).
    #[error("{0}")]
    NotFound(String),
    /// The route exists but not with this method (405).
    #[error("this method is not allowed here")]
    MethodNotAllowed,
    /// The append conflicts with what is stored: an id reused for other content, a batch
    /// partly stored (409).
    #[error("{message}")]
    Conflict {
        /// `id_reused` or `partly_appended`.
        code: &'static str,
        /// What happened.
        message: String,
    },
    /// `If-Match` named another version than the stream's; nothing was written (412).
    #[error("{message}")]
    PreconditionFailed {
        /// What happened.
        message: String,
        /// The stream's current version (also sent as the `ETag`).
        version: u64,
    },
    /// The body is larger than the limit (413).
    #[error("the body is larger than the limit of {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The records do not decode or do not validate; nothing was written (422).
    #[error("{message}")]
    Unprocessable {
        /// A summary.
        message: String,
        /// Every problem, by record and field.
        diagnostics: Vec<Problem>,
    },
    /// The store failed (500).
    #[error("{0}")]
    Storage(String),
    /// The store is shutting down (503).
    #[error("the store is closed")]
    Unavailable,
    /// Too many expensive reads at once; try again after `retry_after` seconds (503 with
    /// `Retry-After`).
    #[error("the server is busy with other reads of this kind; try again in {retry_after} s")]
    Busy {
        /// Seconds to wait, also sent as `Retry-After`.
        retry_after: u64,
    },
    /// Something this server does not offer, such as oEmbed as XML (501).
    #[error("{0}")]
    NotImplemented(String),
    /// Any other refusal of the HTTP layer: header fields too large (431), a range that
    /// cannot be satisfied (416), …
    #[error("{message}")]
    Http {
        /// The status.
        status: StatusCode,
        /// Stable code (`headers_too_large`, or the status's reason in snake case).
        code: &'static str,
        /// What happened.
        message: String,
    },
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    status: u16,
    code: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    diagnostics: Option<&'a [Problem]>,
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Unavailable | ApiError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::NotImplemented(_) => StatusCode::NOT_IMPLEMENTED,
            ApiError::Http { status, .. } => *status,
        }
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { code, .. } | ApiError::Conflict { code, .. } => code,
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::PreconditionFailed { .. } => "version_mismatch",
            ApiError::PayloadTooLarge { .. } => "body_too_large",
            ApiError::Unprocessable { .. } => "invalid",
            ApiError::Storage(_) => "storage_failed",
            ApiError::Unavailable => "unavailable",
            ApiError::Busy { .. } => "busy",
            ApiError::NotImplemented(_) => "not_implemented",
            ApiError::Http { code, .. } => code,
        }
    }

    /// The error for a bare status that some layer answered without a body.
    pub fn from_status(status: StatusCode) -> Self {
        match status {
            StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
            StatusCode::NOT_FOUND => ApiError::NotFound("no such resource".into()),
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => ApiError::Http {
                status,
                code: "headers_too_large",
                message: format!(
                    "the request's header fields are too large; at most {} fields and {} bytes are read",
                    super::MAX_HEADERS,
                    super::MAX_HEADER_BYTES
                ),
            },
            StatusCode::RANGE_NOT_SATISFIABLE => ApiError::Http {
                status,
                code: "range_not_satisfiable",
                message: "the requested range lies outside the file".into(),
            },
            _ => ApiError::Http {
                status,
                code: if status.is_server_error() { "server_error" } else { "bad_request" },
                message: status.canonical_reason().unwrap_or("the request failed").to_lowercase(),
            },
        }
    }

    /// A 400 with a code and a message.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::BadRequest { code, message: message.into() }
    }

    /// Maps a failure to read the body: too large is 413, anything else 400.
    pub fn from_body(rejection: BytesRejection, limit: usize) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge { limit }
        } else {
            ApiError::bad_request("unreadable_body", rejection.body_text())
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::bad_request("bad_query", rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::bad_request("bad_path", rejection.body_text())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Rejected(e) => e.into(),
            StoreError::Storage(m) => ApiError::Storage(m),
            StoreError::Closed => ApiError::Unavailable,
        }
    }
}

impl From<AppendError> for ApiError {
    fn from(e: AppendError) -> Self {
        let message = e.to_string();
        match e {
            AppendError::BadStream { .. } => ApiError::bad_request("bad_stream", message),
            AppendError::Empty => ApiError::Unprocessable { message, diagnostics: Vec::new() },
            AppendError::WrongVersion { stream, expected, actual } => {
                let expected = match expected {
                    ExpectedVersion::Exact(v) => format!("version {v}"),
                    ExpectedVersion::NoStream => "no stream".to_owned(),
                    ExpectedVersion::Any => "any version".to_owned(),
                };
                let message =
                    format!("stream {:?} is at version {actual}, not {expected}; nothing was written", stream.as_str());
                ApiError::PreconditionFailed { message, version: actual }
            }
            AppendError::IdReused { .. } => ApiError::Conflict { code: "id_reused", message },
            AppendError::PartlyAppended { .. } => ApiError::Conflict { code: "partly_appended", message },
            AppendError::Invalid(problems) => ApiError::Unprocessable {
                message,
                diagnostics: problems.into_iter().map(|(i, p)| p.at(None, Some(i + 1))).collect(),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() && !matches!(self, ApiError::Busy { .. }) {
            tracing::error!("{status}: {self}");
        }
        let diagnostics = match &self {
            ApiError::Unprocessable { diagnostics, .. } => Some(diagnostics.as_slice()),
            _ => None,
        };
        let body = Body {
            error: Inner { status: status.as_u16(), code: self.code(), message: self.to_string(), diagnostics },
        };
        let mut response = (status, Json(body)).into_response();
        match &self {
            ApiError::Unauthorized(_) => {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::PreconditionFailed { version, .. } => {
                response.headers_mut().insert(header::ETAG, super::etag(*version));
            }
            ApiError::Busy { retry_after } => {
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            }
            _ => {}
        }
        response
    }
}

/// The 404 of a stream with no events.
pub fn no_stream(stream: &annals_core::StreamName) -> ApiError {
    ApiError::NotFound(format!("there is no stream {:?} (no event was appended to it)", stream.as_str()))
}
