//! The HTTP API through the router (`oneshot`, no sockets) over a real SQLite file: every
//! status with its JSON error body, and the store unchanged after every refused request.

mod common;

use std::sync::Arc;

use annals_core::{ExpectedVersion, StreamName};
use annals_server::cli::serve::{seed, token, token_path, DEFAULT_RECORD};
use annals_server::http::{router, AppState};
use annals_server::store::Store;
use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use common::{actor_json, call, call_json, countries, TempDb};
use serde_json::{json, Value};
use tower::ServiceExt;

const TOKEN: &str = "test-token";

struct App {
    router: Router,
    store: Arc<dyn Store>,
    _db: TempDb,
}

/// An app over a fresh store holding stream `s`: `aze`, `blr` and calls `c1` (2009) and
/// `c2` (2024-05-16), version 4.
async fn app() -> App {
    app_with(|state| state).await
}

async fn app_with(configure: impl FnOnce(AppState) -> AppState) -> App {
    let db = TempDb::new();
    let store: Arc<dyn Store> = Arc::new(db.store());
    let s = StreamName::from("s");
    store.append(s.clone(), ExpectedVersion::NoStream, countries()).await.expect("countries");
    let c1 = common::record(&call_json("c1", "2009", "aze", "blr"));
    store.append(s, ExpectedVersion::Any, vec![c1, call("c2")]).await.expect("calls");
    let state = configure(AppState::new(store.clone(), TOKEN));
    App { router: router(state, None), store, _db: db }
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl App {
    async fn send(&self, request: Request<Body>) -> Answer {
        let response = self.router.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
        let body = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).expect("JSON body") };
        Answer { status, headers, body }
    }

    async fn get(&self, uri: &str) -> Answer {
        self.send(Request::get(uri).body(Body::empty()).expect("request")).await
    }

    async fn post(&self, uri: &str, headers: &[(&str, &str)], body: impl Into<Body>) -> Answer {
        let mut request = Request::builder().method(Method::POST).uri(uri);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        self.send(request.body(body.into()).expect("request")).await
    }

    async fn post_events(&self, headers: &[(&str, &str)], body: impl Into<Body>) -> Answer {
        let mut all = vec![("authorization", "Bearer test-token"), ("content-type", "application/json")];
        all.extend_from_slice(headers);
        self.post("/api/streams/s/events", &all, body).await
    }

    async fn streams(&self) -> Value {
        let answer = self.get("/api/streams").await;
        assert_eq!(answer.status, StatusCode::OK);
        answer.body
    }

    /// Runs a request that must be refused: checks the status, the one error shape, and that
    /// the store did not change. Returns the error object.
    async fn refused(&self, status: StatusCode, code: &str, request: Request<Body>) -> Value {
        let before = self.streams().await;
        let answer = self.send(request).await;
        assert_eq!(answer.status, status, "{}", answer.body);
        assert_error_shape(&answer.body, status, code);
        assert_eq!(self.streams().await, before, "the store changed");
        answer.body["error"].clone()
    }
}

fn assert_error_shape(body: &Value, status: StatusCode, code: &str) {
    let error = body.get("error").unwrap_or_else(|| panic!("no error object in {body}"));
    assert_eq!(error["status"], status.as_u16(), "{body}");
    assert_eq!(error["code"], code, "{body}");
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    let keys: Vec<&String> = body.as_object().map(|o| o.keys().collect()).unwrap_or_default();
    assert_eq!(keys, ["error"], "{body}");
}

fn post(uri: &str, headers: &[(&str, &str)], body: impl Into<Body>) -> Request<Body> {
    let mut request = Request::builder().method(Method::POST).uri(uri);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    request.body(body.into()).expect("request")
}

const AUTH: (&str, &str) = ("authorization", "Bearer test-token");

fn new_call(id: &str) -> String {
    call_json(id, "2025-01-02", "aze", "blr")
}

#[tokio::test]
async fn health_and_stream_list() {
    let app = app().await;
    let health = app.get("/healthz").await;
    assert_eq!((health.status, &health.body), (StatusCode::OK, &json!({"status": "ok", "last_position": 4})));
    assert_eq!(app.streams().await, json!({"streams": [{"stream": "s", "version": 4, "last_position": 4}]}));
}

#[tokio::test]
async fn reading_events_pages_with_the_version_as_etag() {
    let app = app().await;
    let page = app.get("/api/streams/s/events?limit=3").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers[header::ETAG], "\"4\"");
    assert_eq!(page.body["version"], 4);
    let ids: Vec<&str> =
        page.body["events"].as_array().expect("events").iter().filter_map(|e| e["id"].as_str()).collect();
    assert_eq!(ids, ["actor:aze", "actor:blr", "c1"]);
    assert_eq!(page.body["next"], 3);
    assert_eq!(page.body["events"][2]["position"], 3);
    assert_eq!(page.body["events"][2]["stream"], "s");
    let rest = app.get("/api/streams/s/events?after=3&limit=3").await;
    assert_eq!(rest.body["events"].as_array().map(Vec::len), Some(1));
    assert!(rest.body.get("next").is_none());
}

#[tokio::test]
async fn reading_events_filters_by_kind_actor_dates_and_text() {
    let app = app().await;
    let ids = |answer: &Answer| -> Vec<String> {
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        answer.body["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter_map(|e| e["id"].as_str().map(String::from))
            .collect()
    };
    assert_eq!(ids(&app.get("/api/streams/s/events?kind=call").await), ["c1", "c2"]);
    assert_eq!(ids(&app.get("/api/streams/s/events?kind=ActorRegistered,Visit").await), ["actor:aze", "actor:blr"]);
    assert_eq!(ids(&app.get("/api/streams/s/events?from=2024&to=2024-12").await), ["c2"]);
    assert_eq!(ids(&app.get("/api/streams/s/events?to=2010").await), ["c1"]);
    assert_eq!(ids(&app.get("/api/streams/s/events?actor=blr").await), ["actor:blr", "c1", "c2"]);
    assert_eq!(ids(&app.get("/api/streams/s/events?q=CALL%20C2").await), ["c2"]);
    assert_eq!(ids(&app.get("/api/streams/s/events?q=country%20aze").await), ["actor:aze"]);
    let first = app.get("/api/streams/s/events?kind=Call&limit=1").await;
    assert_eq!(ids(&first), ["c1"]);
    assert_eq!(first.body["next"], 3);
    assert_eq!(ids(&app.get("/api/streams/s/events?kind=Call&after=3").await), ["c2"]);
    // A Russian query finds the event by its Russian title; an English one still by its own.
    let ru = r#"{"id":"c3","type":"Call","payload":{"occurred":"2021-11-08","title":"Phone call","titles":{"ru":{"text":"Телефонный разговор Алиева и Лукашенко","origin":"translation"}},"actors":[{"actor":"aze"},{"actor":"blr"}],"sources":[{"publisher":"P","title":"T"}]}}"#;
    assert_eq!(app.post_events(&[], ru).await.status, StatusCode::CREATED);
    assert_eq!(ids(&app.get("/api/streams/s/events?q=%D1%80%D0%B0%D0%B7%D0%B3%D0%BE%D0%B2%D0%BE%D1%80").await), ["c3"]);
    assert_eq!(ids(&app.get("/api/streams/s/events?q=phone%20call").await), ["c3"]);
}

#[tokio::test]
async fn odd_stream_names_bad_queries_and_unknown_streams_get_the_error_shape() {
    let app = app().await;
    for uri in ["/api/streams/bad%20name/events", "/api/streams/..%2Fetc/events", "/api/streams/.hidden/timeline"] {
        app.refused(StatusCode::BAD_REQUEST, "bad_stream", Request::get(uri).body(Body::empty()).expect("req")).await;
    }
    let long = format!("/api/streams/{}/events", "x".repeat(65));
    app.refused(StatusCode::BAD_REQUEST, "bad_stream", Request::get(&long).body(Body::empty()).expect("req")).await;
    for uri in [
        "/api/streams/s/events?limit=abc",
        "/api/streams/s/events?limit=0",
        "/api/streams/s/events?from=2024-13",
        "/api/streams/s/events?colour=red",
        "/api/streams/s/timeline?as_of=yesterday",
        "/api/streams/s/graph?as_of_position=-1",
    ] {
        app.refused(StatusCode::BAD_REQUEST, "bad_query", Request::get(uri).body(Body::empty()).expect("req")).await;
    }
    for uri in ["/api/streams/nothing/events", "/api/streams/nothing/stats", "/api/nope", "/api/streams/s/nope"] {
        app.refused(StatusCode::NOT_FOUND, "not_found", Request::get(uri).body(Body::empty()).expect("req")).await;
    }
    let delete = Request::delete("/api/streams/s/events").body(Body::empty()).expect("req");
    app.refused(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", delete).await;
}

#[tokio::test]
async fn writes_without_the_token_are_401_and_change_nothing() {
    let app = app().await;
    let body = new_call("c3");
    let error =
        app.refused(StatusCode::UNAUTHORIZED, "unauthorized", post("/api/streams/s/events", &[], body.clone())).await;
    assert!(error["message"].as_str().is_some_and(|m| m.contains("Bearer")));
    for auth in ["Bearer wrong", "Basic dGVzdA==", "Bearer ", "test-token"] {
        let request = post("/api/streams/s/events", &[("authorization", auth)], body.clone());
        app.refused(StatusCode::UNAUTHORIZED, "unauthorized", request).await;
    }
    let answer = app.send(post("/api/streams/s/events", &[], body)).await;
    assert_eq!(answer.headers[header::WWW_AUTHENTICATE], "Bearer");
}

#[tokio::test]
async fn new_events_are_201_and_reposting_them_is_200_with_the_original_positions() {
    let app = app().await;
    let batch = format!("[{},{}]", new_call("c3"), new_call("c4"));
    let created = app.post_events(&[], batch.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body, json!({"stream": "s", "positions": [5, 6], "version": 6, "duplicate": false}));
    assert_eq!(created.headers[header::ETAG], "\"6\"");
    let before = app.streams().await;
    let again = app.post_events(&[("if-match", "\"4\"")], batch).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body, json!({"stream": "s", "positions": [5, 6], "version": 6, "duplicate": true}));
    assert_eq!(app.streams().await, before, "a repost writes nothing");
    let one = app.post_events(&[("if-match", "\"6\"")], new_call("c5")).await;
    assert_eq!((one.status, &one.body["positions"]), (StatusCode::CREATED, &json!([7])));
    let page = app.get("/api/streams/s/events?after=6").await;
    assert_eq!(page.body["events"][0]["id"], "c5");
    assert!(page.body["events"][0]["recorded_at"].as_str().is_some_and(|t| t.ends_with('Z')));
}

#[tokio::test]
async fn a_stale_if_match_is_412_with_the_current_version() {
    let app = app().await;
    let request = post("/api/streams/s/events", &[AUTH, ("if-match", "\"3\"")], new_call("c3"));
    let error = app.refused(StatusCode::PRECONDITION_FAILED, "version_mismatch", request).await;
    assert!(error["message"].as_str().is_some_and(|m| m.contains("version 4")), "{error}");
    let answer = app.post_events(&[("if-match", "\"3\"")], new_call("c3")).await;
    assert_eq!(answer.headers[header::ETAG], "\"4\"");
    let request = post("/api/streams/s/events", &[AUTH, ("if-match", "latest")], new_call("c3"));
    app.refused(StatusCode::BAD_REQUEST, "bad_if_match", request).await;
    // A new stream: If-Match "0" means "must not exist yet".
    let created = app.post("/api/streams/t/events", &[AUTH, ("if-match", "\"0\"")], actor_json("zz")).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
}

#[tokio::test]
async fn malformed_json_is_400_and_wrong_shapes_are_422_with_diagnostics() {
    let app = app().await;
    for body in ["{", "", "[1,", "nope"] {
        let request = post("/api/streams/s/events", &[AUTH], body);
        app.refused(StatusCode::BAD_REQUEST, "malformed_json", request).await;
    }
    let request = post("/api/streams/s/events", &[AUTH], vec![0xff, 0xfe]);
    app.refused(StatusCode::BAD_REQUEST, "malformed_json", request).await;
    for body in ["42", "\"text\"", r#"{"id": 1, "type": "Call", "payload": {}}"#, "[42]"] {
        let request = post("/api/streams/s/events", &[AUTH], body);
        let error = app.refused(StatusCode::UNPROCESSABLE_ENTITY, "invalid", request).await;
        assert_eq!(error["diagnostics"][0]["record"], 1, "{error}");
    }
    let request = post("/api/streams/s/events", &[AUTH], "[]");
    app.refused(StatusCode::UNPROCESSABLE_ENTITY, "invalid", request).await;
    let positioned = r#"{"position": 9, "stream": "other", "id": "c9", "type": "Call", "payload": {"occurred": "2020", "title": "x", "sources": [{"publisher": "p", "title": "t"}]}}"#;
    let request = post("/api/streams/s/events", &[AUTH], positioned);
    let error = app.refused(StatusCode::UNPROCESSABLE_ENTITY, "invalid", request).await;
    let fields: Vec<&str> =
        error["diagnostics"].as_array().expect("diags").iter().filter_map(|d| d["field"].as_str()).collect();
    assert_eq!(fields, ["position", "stream"]);
}

#[tokio::test]
async fn validation_failures_are_422_with_every_problem_by_record_and_field() {
    let app = app().await;
    let bad_date = r#"{"id": "c8", "type": "Call", "payload": {"occurred": "2024-02-30", "title": "x", "sources": [{"publisher": "p", "title": "t"}]}}"#;
    let batch = format!("[{}, {}, {bad_date}]", new_call("c3"), call_json("c4", "2024", "aze", "arm"));
    let request = post("/api/streams/s/events", &[AUTH], batch);
    let error = app.refused(StatusCode::UNPROCESSABLE_ENTITY, "invalid", request).await;
    let diagnostics = error["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(diagnostics.len(), 1, "decoding fails first: {error}");
    assert_eq!(
        diagnostics[0],
        json!({
            "record": 3,
            "field": "payload.occurred",
            "message": "day 30 does not exist in 2024-02",
            "text": "day {0} does not exist in {1}",
            "args": ["30", "2024-02"]
        })
    );
    let batch = format!("[{}, {}]", new_call("c3"), call_json("c4", "2024", "aze", "arm"));
    let request = post("/api/streams/s/events", &[AUTH], batch);
    let error = app.refused(StatusCode::UNPROCESSABLE_ENTITY, "invalid", request).await;
    let d = &error["diagnostics"][0];
    assert_eq!((d["record"].as_u64(), d["field"].as_str()), (Some(2), Some("payload.actors[1].actor")), "{error}");
    assert!(d["message"].as_str().is_some_and(|m| m.contains("arm")), "{error}");
}

#[tokio::test]
async fn ids_reused_for_other_content_are_409() {
    let app = app().await;
    let other = call_json("c2", "2001", "aze", "blr");
    let request = post("/api/streams/s/events", &[AUTH], other);
    app.refused(StatusCode::CONFLICT, "id_reused", request).await;
    let partly = format!("[{}, {}]", call_json("c2", "2024-05-16", "aze", "blr"), new_call("c3"));
    let request = post("/api/streams/s/events", &[AUTH], partly);
    app.refused(StatusCode::CONFLICT, "partly_appended", request).await;
}

#[tokio::test]
async fn bodies_over_the_limit_are_413() {
    let app = app_with(|state| state.with_body_limit(1024)).await;
    let big = format!("[{}]", vec![new_call("c3"); 20].join(","));
    assert!(big.len() > 1024);
    let request = post("/api/streams/s/events", &[AUTH], big.clone());
    app.refused(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", request).await;
    // Without a Content-Length (a streamed body) the limit holds too.
    let stream = futures_util::stream::iter(vec![Ok::<_, std::io::Error>(big.into_bytes())]);
    let request = post("/api/streams/s/events", &[AUTH], Body::from_stream(stream));
    app.refused(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", request).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_writers_with_the_same_if_match_one_gets_201_the_other_412() {
    let app = Arc::new(app().await);
    for round in 0..10u64 {
        let version = 4 + round;
        let tag = format!("\"{version}\"");
        let writers: Vec<_> = ["a", "b"]
            .into_iter()
            .map(|w| {
                let app = app.clone();
                let tag = tag.clone();
                let body = new_call(&format!("r{round}-{w}"));
                tokio::spawn(async move { app.post_events(&[("if-match", &tag)], body).await })
            })
            .collect();
        let mut statuses = Vec::new();
        for w in writers {
            let answer = w.await.expect("writer");
            if answer.status == StatusCode::PRECONDITION_FAILED {
                assert_error_shape(&answer.body, answer.status, "version_mismatch");
            }
            statuses.push(answer.status.as_u16());
        }
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 412], "round {round}");
    }
    let positions: Vec<u64> = app.store.read_all(0, 100).await.expect("read").iter().map(|e| e.position).collect();
    assert_eq!(positions, (1..=14).collect::<Vec<u64>>());
}

#[tokio::test]
async fn projections_answer_with_the_version_and_honour_as_of() {
    let app = app().await;
    let timeline = app.get("/api/streams/s/timeline").await;
    assert_eq!(timeline.status, StatusCode::OK, "{}", timeline.body);
    assert_eq!(timeline.headers[header::ETAG], "\"4\"");
    let entries = timeline.body["entries"].as_array().expect("entries");
    let ids: Vec<&str> = entries.iter().filter_map(|e| e["id"].as_str()).collect();
    assert_eq!(ids, ["c1", "c2"]);
    assert_eq!(entries[0]["label"], "2009");
    assert_eq!(entries[0]["occurred"], "2009");
    assert_eq!(entries[0]["kind"], "Call");
    assert_eq!(entries[0]["title"], "Call c1");
    assert_eq!(entries[0]["disputed"], false);
    let as_of = app.get("/api/streams/s/timeline?as_of_position=3").await;
    assert_eq!(as_of.body["entries"].as_array().map(Vec::len), Some(1));
    let as_of = app.get("/api/streams/s/timeline?as_of=2010").await;
    assert_eq!(as_of.body["entries"].as_array().map(Vec::len), Some(1));
    let stats = app.get("/api/streams/s/stats").await;
    assert_eq!(
        (stats.status, &stats.body["events"], &stats.body["by_kind"]["Call"]),
        (StatusCode::OK, &json!(2), &json!(2))
    );
    let graph = app.get("/api/streams/s/graph").await;
    assert_eq!(graph.status, StatusCode::OK, "{}", graph.body);
    let nodes = graph.body["nodes"].as_array().expect("nodes");
    assert_eq!(nodes.len(), 2);
    assert!(nodes.iter().all(|n| n["x"].is_number() && n["y"].is_number()));
    assert_eq!(graph.body["edges"][0]["weight"], 2);
    let window = app.get("/api/streams/s/graph?from=2024&to=2024").await;
    assert_eq!(window.body["edges"][0]["weight"], 1, "{}", window.body);
    let ego = app.get("/api/streams/s/graph?ego=aze").await;
    assert_eq!(ego.body["nodes"].as_array().map(Vec::len), Some(2), "{}", ego.body);
    // The cache follows appends.
    app.post_events(&[], new_call("c3")).await;
    let timeline = app.get("/api/streams/s/timeline").await;
    assert_eq!(
        (timeline.body["version"].as_u64(), timeline.body["entries"].as_array().map(Vec::len)),
        (Some(5), Some(3))
    );
}

#[tokio::test]
async fn reads_are_open_to_other_origins() {
    let app = app().await;
    let request =
        Request::get("/api/streams/s/events").header("origin", "https://example.org").body(Body::empty()).expect("req");
    let answer = app.send(request).await;
    assert_eq!(answer.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert!(answer.headers[header::ACCESS_CONTROL_EXPOSE_HEADERS].to_str().is_ok_and(|h| h.contains("etag")));
}

#[tokio::test]
async fn the_web_app_is_served_for_paths_outside_the_api() {
    let dist = tempfile::tempdir().expect("dist");
    std::fs::write(dist.path().join("index.html"), "<html>annals</html>").expect("index");
    let db = TempDb::new();
    let state = AppState::new(Arc::new(db.store()), TOKEN);
    let app = router(state, Some(dist.path()));
    for uri in ["/", "/timeline/2024"] {
        let response = app.clone().oneshot(Request::get(uri).body(Body::empty()).expect("req")).await.expect("ok");
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
        assert_eq!(&body[..], b"<html>annals</html>");
    }
    let response = app.oneshot(Request::get("/api/nope").body(Body::empty()).expect("req")).await.expect("ok");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_default_record_is_loaded_on_first_start_and_not_twice() {
    let db = TempDb::new();
    let path = db.path();
    {
        let store = annals_server::store::sqlite::SqliteStore::open(&path).expect("open");
        let done = seed(&store, "default", DEFAULT_RECORD.as_bytes()).await.expect("seed").expect("loaded");
        assert_eq!((done.positions.len(), done.version), (93, 93));
        assert!(seed(&store, "default", DEFAULT_RECORD.as_bytes()).await.expect("seed").is_none());
    }
    let store = annals_server::store::sqlite::SqliteStore::open(&path).expect("reopen");
    assert!(seed(&store, "default", DEFAULT_RECORD.as_bytes()).await.expect("seed").is_none());
    let streams = store.streams().await.expect("streams");
    assert_eq!(streams.len(), 1);
    assert_eq!((streams[0].stream.as_str(), streams[0].version), ("azerbaijan-belarus", 93));
}

#[test]
fn a_generated_token_is_stored_owner_only_and_reused() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("annals.db");
    let first = token(None, &db).expect("generated");
    assert_eq!(first.len(), 64);
    let path = token_path(&db);
    assert_eq!(path, dir.path().join("annals.db.token"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(token(None, &db).expect("reused"), first);
    assert_eq!(token(Some("given"), &db).expect("given"), "given");
}

#[tokio::test]
async fn a_read_with_the_current_etag_is_304() {
    let app = app().await;
    for uri in ["/api/streams/s/events", "/api/streams/s/timeline", "/api/streams/s/graph", "/api/streams/s/stats"] {
        let request = Request::get(uri).header("if-none-match", "\"4\"").body(Body::empty()).expect("req");
        let answer = app.send(request).await;
        assert_eq!(answer.status, StatusCode::NOT_MODIFIED, "{uri}");
        assert_eq!(answer.headers[header::ETAG], "\"4\"", "{uri}");
        let request = Request::get(uri).header("if-none-match", "\"3\"").body(Body::empty()).expect("req");
        assert_eq!(app.send(request).await.status, StatusCode::OK, "{uri}");
    }
}

/// A record from the Big Bang to today: every view answers, with the day numbers of deep time
/// (about −5 × 10¹², beyond 32 bits) exact, and nothing wraps or panics.
#[tokio::test]
async fn views_of_deep_time_answer_without_wrapping() {
    let app = app().await;
    let deep = |id: &str, occurred: &str| {
        format!(
            r#"{{"id":"{id}","type":"Other","payload":{{"occurred":"{occurred}","title":"{id}","sources":[{{"publisher":"P","title":"T"}}]}}}}"#
        )
    };
    let body = format!(
        "[{},{},{}]",
        deep("bang", "-13800000000"),
        deep("paleozoic", "-538800000/-251902000"),
        deep("sapiens", "-315000")
    );
    let posted = app.post_events(&[], body).await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.body);
    let bang_day = annals_core::PartialDate::year(-13_800_000_000).expect("year").first_day();
    assert!(bang_day < i64::from(i32::MIN), "beyond 32 bits");

    let timeline = app.get("/api/streams/s/timeline").await;
    assert_eq!(timeline.status, StatusCode::OK, "{}", timeline.body);
    let entries = timeline.body["entries"].as_array().expect("entries");
    let ids: Vec<&str> = entries.iter().filter_map(|e| e["id"].as_str()).collect();
    assert_eq!(ids, ["bang", "paleozoic", "sapiens", "c1", "c2"]);
    assert_eq!(entries[0]["label"], "13.8 billion years ago");
    assert_eq!(entries[0]["first_day"], bang_day);
    assert_eq!(timeline.body["extent"][0], bang_day);

    // Zoomed out over everything: the decades that hold events, not 1.38 billion of them.
    let lod = app.get("/api/streams/s/lod?width=1000").await;
    assert_eq!((lod.status, &lod.body["level"]), (StatusCode::OK, &json!("Decade")), "{}", lod.body);
    assert_eq!(lod.body["buckets"].as_array().map(Vec::len), Some(5), "{}", lod.body);
    assert_eq!(lod.body["buckets"][0]["start"], bang_day);
    // A finer level over all of it is still refused with the usual error.
    let years = app.get("/api/streams/s/lod?level=year").await;
    assert_error_shape(&years.body, years.status, "window_too_wide");

    let window = app.get("/api/streams/s/window?from=-600000000&to=-300000").await;
    assert_eq!(window.status, StatusCode::OK, "{}", window.body);
    let ids: Vec<&str> =
        window.body["entries"].as_array().expect("entries").iter().filter_map(|e| e["id"].as_str()).collect();
    assert_eq!(ids, ["paleozoic", "sapiens"]);
    let by_day = app.get(&format!("/api/streams/s/window?from_day={bang_day}&to_day={}", bang_day + 1)).await;
    assert_eq!(by_day.body["entries"][0]["id"], "bang", "{}", by_day.body);

    let stats = app.get("/api/streams/s/stats").await;
    assert_eq!((stats.status, &stats.body["events"]), (StatusCode::OK, &json!(5)), "{}", stats.body);
    let years: Vec<i64> =
        stats.body["years"].as_array().expect("years").iter().filter_map(|y| y["year"].as_i64()).collect();
    assert_eq!(years[..3], [-13_800_000_000, -538_800_000, -315_000]);
    assert_eq!(years.len(), 3 + (2024 - 2009 + 1), "far years alone, the calendar's every year");
    let then = app.get("/api/streams/s/stats?as_of=-1000000000").await;
    assert_eq!(then.body["events"], 1, "{}", then.body);
    let graph = app.get("/api/streams/s/graph?from=-13800000000&to=-300000").await;
    assert_eq!(graph.status, StatusCode::OK, "{}", graph.body);
    let read = app.get("/api/streams/s/events?from=-13800000000&to=-13800000000").await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.body["events"].as_array().map(Vec::len), Some(1), "{}", read.body);
    // A month in deep time is refused as a query, in words.
    let bad = app.get("/api/streams/s/timeline?as_of=-13800000000-05").await;
    assert_error_shape(&bad.body, bad.status, "bad_query");
    assert!(bad.body["error"]["message"].as_str().is_some_and(|m| m.contains("to the year only")), "{}", bad.body);
}
