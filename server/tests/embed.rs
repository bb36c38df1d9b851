//! Embedding through the router (`oneshot`): the oEmbed provider and the app page's discovery
//! link, over a real SQLite store and a small `dist/` in a temporary directory.

mod common;

use std::sync::Arc;

use annals_core::{ExpectedVersion, StreamName};
use annals_server::http::{router, AppState};
use annals_server::store::Store;
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use common::{call, countries, TempDb};
use serde_json::Value;
use tower::ServiceExt;

const HOST: &str = "annals.test:8080";
const INDEX: &str = "<!doctype html>\n<html><head><title>Annals</title></head><body data-annals-app></body></html>\n";

struct App {
    router: Router,
    _db: TempDb,
    _dist: tempfile::TempDir,
}

/// An app over a store holding stream `s`, serving a `dist/` with an index page and a script.
async fn app() -> App {
    let db = TempDb::new();
    let store: Arc<dyn Store> = Arc::new(db.store());
    store.append(StreamName::from("s"), ExpectedVersion::NoStream, countries()).await.expect("countries");
    store.append(StreamName::from("s"), ExpectedVersion::Any, vec![call("c2")]).await.expect("call");
    let dist = tempfile::tempdir().expect("dist");
    std::fs::write(dist.path().join("index.html"), INDEX).expect("index");
    std::fs::write(dist.path().join("annals-embed.js"), "export {};\n").expect("script");
    let router = router(AppState::new(store, "token"), Some(dist.path()));
    App { router, _db: db, _dist: dist }
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

impl App {
    async fn get(&self, uri: &str) -> Answer {
        self.get_with(uri, &[]).await
    }

    async fn get_with(&self, uri: &str, headers: &[(&str, &str)]) -> Answer {
        let mut request = Request::get(uri).header(header::HOST, HOST);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let response =
            self.router.clone().oneshot(request.body(Body::empty()).expect("request")).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
        Answer { status, headers, text: String::from_utf8_lossy(&bytes).into_owned() }
    }
}

/// `url` as a query value.
fn q(url: &str) -> String {
    url.replace('%', "%25").replace('&', "%26").replace('#', "%23").replace('?', "%3F").replace('=', "%3D")
}

#[tokio::test]
async fn oembed_answers_a_rich_iframe_for_an_app_page() {
    let app = app().await;
    let page = format!("http://{HOST}/?stream=s#e=c2&kinds=Call");
    let a = app.get(&format!("/oembed?url={}&format=json", q(&page))).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert!(a.headers[header::CONTENT_TYPE].to_str().expect("type").starts_with("application/json"));
    assert_eq!(a.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*", "consumers may ask from a browser");
    let body = a.json();
    assert_eq!(body["type"], "rich");
    assert_eq!(body["version"], "1.0");
    assert_eq!(body["provider_name"], "Annals");
    assert_eq!(body["title"], "s — Annals");
    assert_eq!((body["width"].as_u64(), body["height"].as_u64()), (Some(800), Some(720)));
    assert_eq!(
        body["html"],
        format!(
            "<iframe src=\"http://{HOST}/?embed=1&amp;stream=s#e=c2&amp;kinds=Call\" title=\"s (Annals timeline)\" \
             width=\"800\" height=\"720\" style=\"border:0;max-width:100%\" loading=\"lazy\" \
             sandbox=\"allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox\"></iframe>"
        )
    );
}

#[tokio::test]
async fn oembed_keeps_within_the_consumers_limits() {
    let app = app().await;
    let page = format!("http://{HOST}/index.html?src=https%3A%2F%2Fdata.example%2Fr.json");
    let body = app.get(&format!("/oembed?url={}&maxwidth=400&maxheight=300", q(&page))).await.json();
    assert_eq!((body["width"].as_u64(), body["height"].as_u64()), (Some(400), Some(300)));
    assert_eq!(body["title"], "r.json — Annals", "a file is named by its file name");
    assert!(body["html"].as_str().expect("html").contains("width=\"400\" height=\"300\""));
    // Larger limits than the default change nothing; nonsense limits are no limits.
    let body = app.get(&format!("/oembed?url={}&maxwidth=5000&maxheight=wide", q(&page))).await.json();
    assert_eq!((body["width"].as_u64(), body["height"].as_u64()), (Some(800), Some(720)));
}

#[tokio::test]
async fn oembed_refuses_what_is_not_ours() {
    let app = app().await;
    for url in [
        "http://elsewhere.example/?stream=s".to_owned(),
        format!("http://{HOST}/api/streams"),
        format!("http://{HOST}/annals-embed.js"),
        format!("http://{HOST}/?stream=nosuch"),
        "javascript:alert(1)".to_owned(),
    ] {
        let a = app.get(&format!("/oembed?url={}", q(&url))).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{url}: {}", a.text);
        assert_eq!(a.json()["error"]["code"], "not_found", "{url}");
    }
    let a = app.get("/oembed").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text);
}

#[tokio::test]
async fn oembed_as_xml_is_not_implemented() {
    let app = app().await;
    let a = app.get(&format!("/oembed?url={}&format=xml", q(&format!("http://{HOST}/")))).await;
    assert_eq!(a.status, StatusCode::NOT_IMPLEMENTED, "{}", a.text);
    assert_eq!(a.json()["error"]["code"], "not_implemented");
}

#[tokio::test]
async fn the_app_page_carries_the_discovery_link_for_its_own_address() {
    let app = app().await;
    for (path, expected) in [
        ("/", format!("http://{HOST}/")),
        ("/index.html?src=data%2Fx.json", format!("http://{HOST}/index.html?src=data%2Fx.json")),
    ] {
        let a = app.get(path).await;
        assert_eq!(a.status, StatusCode::OK);
        assert!(a.headers[header::CONTENT_TYPE].to_str().expect("type").starts_with("text/html"));
        let href = format!(
            "http://{HOST}/oembed?url={}&amp;format=json",
            form_urlencoded::byte_serialize(expected.as_bytes()).collect::<String>()
        );
        let link =
            format!("<link rel=\"alternate\" type=\"application/json+oembed\" href=\"{href}\" title=\"Annals\" />");
        assert!(a.text.contains(&link), "{path}: {}", a.text);
        assert!(a.text.find(&link) < a.text.find("</head>"), "in the head");
        assert!(a.text.contains("<body data-annals-app>"), "the rest of the page is as built");
    }
    // Behind a TLS proxy the link says https.
    let a = app.get_with("/", &[("x-forwarded-proto", "https")]).await;
    assert!(a.text.contains(&format!("href=\"https://{HOST}/oembed?url=https%3A%2F%2F")), "{}", a.text);
    // A path the app routes gets the page, without a link (oEmbed would refuse that address).
    let a = app.get("/some/view").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.text.contains("data-annals-app") && !a.text.contains("json+oembed"), "{}", a.text);
}

#[tokio::test]
async fn the_widget_files_may_be_loaded_by_other_sites() {
    let app = app().await;
    let a = app.get_with("/annals-embed.js", &[("origin", "http://host.example")]).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    // The API keeps its own CORS, one header, not two.
    let a = app.get_with("/api/streams", &[("origin", "http://host.example")]).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.headers.get_all(header::ACCESS_CONTROL_ALLOW_ORIGIN).iter().count(), 1);
}
