//! `annals serve --kept-max-events`: a stream larger than the limit is never folded — each of
//! its views answers 400 `stream_too_large` with a sentence saying its size, the limit and
//! what still works — while its plain `events` pages, appends and live updates, `healthz` and
//! the views of smaller streams keep working; a kept stream that grows past the limit is
//! dropped at its next view; `--fold-at-start` folds only streams within the limit. Against
//! the real `annals serve` on a real SQLite file.

#![cfg(unix)]

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use annals_core::{ExpectedVersion, Proposed, StreamName};
use annals_server::store::sqlite::SqliteStore;
use annals_server::store::Store;
use common::served::{append_synthetic, get, send, Server};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TOKEN: &str = "kept-limit-token";
const LIMIT: u64 = 1_000;

async fn status_of(addr: SocketAddr, path: &str) -> (u16, Value) {
    let answer = get(addr, path).await;
    let body = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    (answer.status, body)
}

async fn append(addr: SocketAddr, stream: &str, body: &str) -> u16 {
    let head = format!("POST /api/streams/{stream}/events HTTP/1.1\r\nAuthorization: Bearer {TOKEN}");
    send(addr, &head, body.as_bytes()).await.status
}

/// Reads a live connection until `needle` arrives (or fails after 10 s).
async fn live_until(socket: &mut TcpStream, needle: &str) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 8192];
    let found = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let n = socket.read(&mut buf).await.expect("live read");
            assert!(n > 0, "the live connection closed: {}", String::from_utf8_lossy(&seen));
            seen.extend_from_slice(&buf[..n]);
            if String::from_utf8_lossy(&seen).contains(needle) {
                break;
            }
        }
    })
    .await;
    let text = String::from_utf8_lossy(&seen).into_owned();
    assert!(found.is_ok(), "{needle:?} never came live: {text}");
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_above_the_limit_is_refused_its_views_and_everything_else_serves() {
    let dir = tempfile::tempdir().expect("dir");
    let big = {
        let store = SqliteStore::open(dir.path().join("annals.db")).expect("open");
        let big = append_synthetic(&store, "big", 3_000, 7).await as u64;
        let small: Vec<Proposed> = common::countries().into_iter().chain([common::call("s1")]).collect();
        store.append(StreamName::from("small"), ExpectedVersion::Any, small).await.expect("append small");
        store.close().await.expect("close");
        big
    };
    assert!(big > LIMIT);
    std::fs::create_dir_all(dir.path().join("dist")).expect("dist");
    std::fs::write(dir.path().join("dist/index.html"), "<!doctype html><title>t</title>").expect("index");
    let args = ["--no-seed", "--kept-max-events", &LIMIT.to_string(), "--fold-at-start"];
    let server = Server::start(dir.path(), &args, TOKEN, None);
    let addr = server.addr;
    assert!(server.logs_within("streams of at most 1000 events", Duration::from_secs(5)), "{}", server.log());
    // At start, the largest stream that may be kept is folded; the one above the limit is not tried.
    assert!(server.logs_within("folded stream small at start", Duration::from_secs(10)), "{}", server.log());

    // Every view of the big stream: refused, saying why and what still works.
    for view in ["lod?width=1200", "window?from=1990&to=1990", "stats", "graph", "timeline", "events?q=talks"] {
        let (status, body) = status_of(addr, &format!("/api/streams/big/{view}")).await;
        assert_eq!(status, 400, "{view}: {body}");
        let error = &body["error"];
        assert_eq!(error["code"], "stream_too_large", "{view}: {body}");
        let message = error["message"].as_str().expect("message");
        for part in [
            &format!("has {big} events"),
            "more than the 1000",
            "page by page (/api/streams/big/events?after=POSITION)",
            "appended and followed live",
        ] {
            assert!(message.contains(part), "{view}: {part:?} not in {message:?}");
        }
    }
    let log = server.log();
    assert!(!log.contains("stream big") && !log.contains("WARN"), "the big stream was never folded: {log}");

    // What needs nothing kept serves: healthz, pages, live, appends.
    assert_eq!(get(addr, "/healthz").await.status, 200);
    let (status, page) = status_of(addr, "/api/streams/big/events?after=500").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["events"].as_array().map(Vec::len), Some(100));
    assert_eq!(page["version"], big);
    let mut live = TcpStream::connect(addr).await.expect("connect");
    let head = format!("GET /api/streams/big/live HTTP/1.1\r\nHost: t\r\nLast-Event-ID: {big}\r\n\r\n");
    live.write_all(head.as_bytes()).await.expect("live");
    let call = common::call_json("after-the-limit", "2024-05-16", "c1", "c2");
    assert_eq!(append(addr, "big", &call).await, 201);
    live_until(&mut live, "after-the-limit").await;
    let (_, last) = status_of(addr, &format!("/api/streams/big/events?after={big}")).await;
    assert_eq!(last["events"][0]["id"], "after-the-limit");

    // A stream below the limit is viewed as ever.
    let (status, stats) = status_of(addr, "/api/streams/small/stats").await;
    assert_eq!(status, 200, "{stats}");
    assert_eq!(status_of(addr, "/api/streams/small/lod?width=600").await.0, 200);

    // Until it grows past the limit: then it is dropped and refused too.
    let calls: Vec<String> =
        (0..LIMIT).map(|i| common::call_json(&format!("grow-{i}"), "2024-05-17", "aze", "blr")).collect();
    assert_eq!(append(addr, "small", &format!("[{}]", calls.join(","))).await, 201);
    let (status, body) = status_of(addr, "/api/streams/small/stats").await;
    assert_eq!((status, &body["error"]["code"]), (400, &Value::from("stream_too_large")), "{body}");
    assert!(server.logs_within("no longer keeping stream small", Duration::from_secs(5)), "{}", server.log());
    assert_eq!(status_of(addr, "/api/streams/small/events?after=0").await.0, 200);
    assert_eq!(get(addr, "/healthz").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_limit_holds_for_the_events_kept_in_all_the_least_recently_viewed_stream_gives_way() {
    let dir = tempfile::tempdir().expect("dir");
    let (a, b) = {
        let store = SqliteStore::open(dir.path().join("annals.db")).expect("open");
        let a = append_synthetic(&store, "a", 600, 11).await as u64;
        let mut batch: Vec<Proposed> = common::countries();
        batch.extend((0..600).map(|i| common::call(&format!("b-{i}"))));
        let b = batch.len() as u64;
        store.append(StreamName::from("b"), ExpectedVersion::Any, batch).await.expect("append b");
        store.close().await.expect("close");
        (a, b)
    };
    // Each fits alone; the two together do not.
    assert!(a <= LIMIT && b <= LIMIT && a + b > LIMIT, "{a} + {b}");
    std::fs::create_dir_all(dir.path().join("dist")).expect("dist");
    std::fs::write(dir.path().join("dist/index.html"), "<!doctype html><title>t</title>").expect("index");
    let server = Server::start(dir.path(), &["--no-seed", "--kept-max-events", &LIMIT.to_string()], TOKEN, None);
    let addr = server.addr;

    let (status, stats) = status_of(addr, "/api/streams/a/stats").await;
    assert_eq!(status, 200, "{stats}");
    assert!(!server.log().contains("no longer keeping"), "{}", server.log());
    // Keeping b drops a (the least recently viewed), and the other way round: both are
    // served, never both kept.
    let (status, stats) = status_of(addr, "/api/streams/b/stats").await;
    assert_eq!(status, 200, "{stats}");
    let dropped = format!("no longer keeping stream a, to keep b ({b} events): at most {LIMIT} events are kept in all");
    assert!(server.logs_within(&dropped, Duration::from_secs(5)), "{}", server.log());
    assert_eq!(status_of(addr, "/api/streams/a/lod?width=600").await.0, 200);
    let dropped = format!("no longer keeping stream b, to keep a ({a} events)");
    assert!(server.logs_within(&dropped, Duration::from_secs(5)), "{}", server.log());
}
