//! Embedding: the oEmbed provider (`GET /oembed`) and the app page with its discovery link.
//!
//! oEmbed lets a CMS turn a pasted link into an embed: it finds the provider through a
//! `<link rel="alternate" type="application/json+oembed" href=".../oembed?url=…">` in the
//! page, asks it, and gets back the iframe to insert (`type: "rich"`). The link must be in the
//! HTML the server sends — consumers do not run the app's JavaScript — so the app page is not
//! served as a plain file: [`app_page`] reads `dist/index.html` and writes the link into its
//! `<head>`, for the very address requested.
//!
//! Only our own app pages are embeddable: a `url` on another host, or a path that is not the
//! app (`/` or `/index.html`), or a stream the store does not hold, is 404. The iframe is the
//! same address with `embed=1` (the app's iframe mode), so the view in its query and fragment
//! comes along. Only JSON is offered; `format=xml` is 501, as the oEmbed spec asks.

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{ApiError, AppState};

/// The name consumers show as the provider.
pub const PROVIDER_NAME: &str = "Annals";
/// The iframe's size when the consumer sets no limit.
pub const DEFAULT_SIZE: (u32, u32) = (800, 720);
// The same iframe as the web app's Embed panel, written by core.
use annals_core::embed::iframe_tag;
/// Paths of the app page: the only embeddable addresses.
const APP_PATHS: [&str; 2] = ["/", "/index.html"];

/// The query of `GET /oembed`.
#[derive(Debug, Deserialize)]
pub struct OembedQuery {
    /// The page to embed.
    url: Option<String>,
    /// The largest width the consumer can show.
    maxwidth: Option<String>,
    /// The largest height the consumer can show.
    maxheight: Option<String>,
    /// `json` (the default) or something we do not offer.
    format: Option<String>,
}

/// The scheme and host the client used to reach us: `Host`, and `X-Forwarded-Proto` when a
/// proxy terminates TLS in front of the service.
fn origin(headers: &HeaderMap) -> Option<(String, String)> {
    let host = headers.get(header::HOST)?.to_str().ok()?.trim().to_ascii_lowercase();
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|v| v == "https" || v == "http")
        .unwrap_or_else(|| "http".to_owned());
    (!host.is_empty()).then_some((scheme, host))
}

/// A page URL of ours, taken apart: its query (without `?`) and fragment (without `#`).
#[derive(Debug, PartialEq, Eq)]
struct AppUrl {
    query: String,
    fragment: String,
}

/// `url` if it is an app page on `host`; `None` otherwise.
fn own_app_url(url: &str, host: &str) -> Option<AppUrl> {
    let (url, fragment) = url.split_once('#').unwrap_or((url, ""));
    let uri: Uri = url.parse().ok()?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return None;
    }
    if !uri.authority()?.as_str().eq_ignore_ascii_case(host) {
        return None;
    }
    if !APP_PATHS.contains(&uri.path()) {
        return None;
    }
    Some(AppUrl { query: uri.query().unwrap_or("").to_owned(), fragment: fragment.to_owned() })
}

/// The value of a query parameter (the first one of that name, percent-decoded).
fn param(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// True when one `&`-separated part of a query is the `embed` parameter, whatever its value.
fn is_embed(part: &str) -> bool {
    form_urlencoded::parse(part.as_bytes()).next().is_some_and(|(k, _)| k == "embed")
}

pub use annals_core::embed::escape_html as attr;

/// Percent-encodes a query value (`application/x-www-form-urlencoded`, as a form would).
fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A size limit from the query; unreadable or zero limits are no limit.
fn limit(value: Option<&str>) -> Option<u32> {
    value?.trim().parse::<u32>().ok().filter(|n| *n > 0)
}

/// `GET /oembed?url=…&maxwidth=&maxheight=&format=json`.
pub async fn oembed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<OembedQuery>,
) -> Result<Response, ApiError> {
    match q.format.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("" | "json") => {}
        Some(other) => {
            return Err(ApiError::NotImplemented(format!("oEmbed format {other:?} is not offered; use format=json")))
        }
    }
    let url = q
        .url
        .as_deref()
        .filter(|u| !u.is_empty())
        .ok_or_else(|| ApiError::bad_request("bad_query", "`url` is required"))?;
    let (scheme, host) =
        origin(&headers).ok_or_else(|| ApiError::bad_request("bad_request", "the request has no Host header"))?;
    let page = own_app_url(url, &host)
        .ok_or_else(|| ApiError::NotFound(format!("{url} is not a page of this Annals ({scheme}://{host}/)")))?;
    // What the page shows: a file, a stream, or the service's first stream.
    let streams = state.store.streams().await?;
    let name = match (param(&page.query, "src"), param(&page.query, "stream")) {
        (Some(src), _) => src.rsplit('/').next().unwrap_or(&src).to_owned(),
        (None, Some(stream)) => {
            if !streams.iter().any(|s| s.stream.as_str() == stream) {
                return Err(ApiError::NotFound(format!("this Annals has no stream {stream:?}")));
            }
            stream
        }
        (None, None) => streams.first().map(|s| s.stream.as_str().to_owned()).unwrap_or_else(|| "Annals".to_owned()),
    };
    let title = format!("{name} — {PROVIDER_NAME}");
    let width = limit(q.maxwidth.as_deref()).map_or(DEFAULT_SIZE.0, |m| m.min(DEFAULT_SIZE.0));
    let height = limit(q.maxheight.as_deref()).map_or(DEFAULT_SIZE.1, |m| m.min(DEFAULT_SIZE.1));
    let mut src = format!("{scheme}://{host}/?embed=1");
    // The page's own parameters as it wrote them, but for its `embed`, which the iframe sets.
    if !page.query.is_empty() {
        let rest: Vec<&str> = page.query.split('&').filter(|p| !p.is_empty() && !is_embed(p)).collect();
        if !rest.is_empty() {
            src.push('&');
            src.push_str(&rest.join("&"));
        }
    }
    if !page.fragment.is_empty() {
        src.push('#');
        src.push_str(&page.fragment);
    }
    let html = iframe_tag(&src, &name, &width.to_string(), &height.to_string());
    let body: Value = json!({
        "type": "rich",
        "version": "1.0",
        "title": title,
        "provider_name": PROVIDER_NAME,
        "provider_url": format!("{scheme}://{host}/"),
        "html": html,
        "width": width,
        "height": height,
        "cache_age": 3600,
    });
    Ok(Json(body).into_response())
}

/// Where the app page is read from.
#[derive(Debug, Clone)]
pub struct AppPage {
    index: Arc<PathBuf>,
    /// `dist/`, resolved: the page must resolve inside it (see `http::files`).
    root: Arc<PathBuf>,
}

impl AppPage {
    /// The app page of a `dist/` directory.
    pub fn new(dist: &std::path::Path) -> Self {
        let root = std::fs::canonicalize(dist).unwrap_or_else(|_| dist.to_owned());
        Self { index: Arc::new(dist.join("index.html")), root: Arc::new(root) }
    }

    /// The page, unless it is missing or a link that leads out of `dist/`.
    async fn read(&self) -> Result<String, ApiError> {
        let real = tokio::fs::canonicalize(&*self.index)
            .await
            .map_err(|e| ApiError::NotFound(format!("the web app is not built ({e})")))?;
        if !real.starts_with(&*self.root) {
            tracing::warn!("refused {}: it leads out of the web app's directory", self.index.display());
            return Err(ApiError::NotFound("the web app is not built".into()));
        }
        tokio::fs::read_to_string(&real)
            .await
            .map_err(|e| ApiError::NotFound(format!("the web app is not built ({e})")))
    }
}

/// The app page, `dist/index.html`, with the oEmbed discovery link for this very address in
/// its `<head>` when the address is embeddable (the page itself for every other path, so the
/// app can route).
pub async fn app_page(State(page): State<AppPage>, headers: HeaderMap, uri: Uri) -> Response {
    let html = match page.read().await {
        Ok(html) => html,
        Err(e) => return e.into_response(),
    };
    let link = origin(&headers).filter(|_| APP_PATHS.contains(&uri.path())).map(|(scheme, host)| {
        let here = format!("{scheme}://{host}{}", uri.path_and_query().map_or("/", |p| p.as_str()));
        let href = format!("{scheme}://{host}/oembed?url={}&format=json", encode(&here));
        format!(
            "<link rel=\"alternate\" type=\"application/json+oembed\" href=\"{}\" title=\"Annals\" />\n",
            attr(&href)
        )
    });
    let html = match (link, html.find("</head>")) {
        (Some(link), Some(at)) => format!("{}{link}{}", &html[..at], &html[at..]),
        _ => html,
    };
    ([(header::CACHE_CONTROL, "no-cache")], Html(html)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_app_pages_on_our_host_are_ours() {
        let ours = own_app_url("http://127.0.0.1:8080/?stream=s#e=x&from=2024-01-01", "127.0.0.1:8080").expect("ours");
        assert_eq!(ours, AppUrl { query: "stream=s".into(), fragment: "e=x&from=2024-01-01".into() });
        assert!(own_app_url("https://Annals.Example/index.html", "annals.example").is_some());
        for other in [
            "http://evil.example/?stream=s",
            "http://127.0.0.1:8081/",
            "http://127.0.0.1:8080/api/streams",
            "javascript:alert(1)",
            "ftp://127.0.0.1:8080/",
            "/",
            "",
        ] {
            assert_eq!(own_app_url(other, "127.0.0.1:8080"), None, "{other}");
        }
    }

    #[test]
    fn values_are_escaped_and_encoded() {
        assert_eq!(attr("a\"<b>&'"), "a&quot;&lt;b&gt;&amp;&#39;");
        assert_eq!(encode("http://h/?a=1&b=2#c"), "http%3A%2F%2Fh%2F%3Fa%3D1%26b%3D2%23c");
        assert_eq!(param("src=data%2Fx.json&stream=s", "src").as_deref(), Some("data/x.json"));
        assert_eq!(param("stream=a+b%21&stream=c", "stream").as_deref(), Some("a b!"));
        assert_eq!(param("src", "stream"), None);
        assert!(is_embed("embed=1") && is_embed("embed") && is_embed("%65mbed=true"));
        assert!(!is_embed("embedded=1") && !is_embed("stream=embed"));
        assert_eq!(limit(Some("0")), None);
        assert_eq!(limit(Some("400")), Some(400));
        assert_eq!(limit(Some("wide")), None);
    }
}
