//! Server-Sent Events over a real socket: resuming after `Last-Event-ID` delivers exactly
//! the missing envelopes, and live appends arrive once each, in order.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use annals_core::{ExpectedVersion, StreamName};
use annals_server::http::{router, AppState};
use annals_server::store::Store;
use common::{call, countries, TempDb};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Server {
    addr: SocketAddr,
    store: Arc<dyn Store>,
    _db: TempDb,
}

async fn server() -> Server {
    let db = TempDb::new();
    let store: Arc<dyn Store> = Arc::new(db.store());
    store.append(StreamName::from("s"), ExpectedVersion::NoStream, countries()).await.expect("countries");
    store.append(StreamName::from("s"), ExpectedVersion::Any, vec![call("c1"), call("c2")]).await.expect("calls");
    let app = router(AppState::new(store.clone(), "token"), None);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    Server { addr, store, _db: db }
}

impl Server {
    async fn append(&self, stream: &str, ids: &[&str]) -> Vec<u64> {
        let batch = ids.iter().map(|id| call(id)).collect();
        self.store.append(StreamName::from(stream), ExpectedVersion::Any, batch).await.expect("append").positions
    }
}

/// A minimal SSE client on a raw socket: HTTP/1.1, chunked transfer decoding, SSE frames.
struct Subscriber {
    socket: TcpStream,
    raw: Vec<u8>,
    text: String,
}

impl Subscriber {
    async fn connect(addr: SocketAddr, path: &str, last_event_id: Option<u64>) -> Self {
        let mut socket = TcpStream::connect(addr).await.expect("connect");
        let resume = last_event_id.map(|id| format!("Last-Event-ID: {id}\r\n")).unwrap_or_default();
        let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nAccept: text/event-stream\r\n{resume}\r\n");
        socket.write_all(request.as_bytes()).await.expect("send");
        let mut me = Self { socket, raw: Vec::new(), text: String::new() };
        while !me.raw.windows(4).any(|w| w == b"\r\n\r\n") {
            me.fill().await.expect("headers");
        }
        let end = me.raw.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4).unwrap_or(0);
        let head = String::from_utf8_lossy(&me.raw[..end]).to_lowercase();
        assert!(head.starts_with("http/1.1 200"), "{head}");
        assert!(head.contains("content-type: text/event-stream"), "{head}");
        assert!(head.contains("transfer-encoding: chunked"), "{head}");
        me.raw.drain(..end);
        me
    }

    async fn fill(&mut self) -> Option<()> {
        let mut buf = [0u8; 8192];
        let n = self.socket.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        self.raw.extend_from_slice(&buf[..n]);
        Some(())
    }

    /// Moves every complete chunk from `raw` to `text`.
    fn decode_chunks(&mut self) {
        loop {
            let Some(eol) = self.raw.windows(2).position(|w| w == b"\r\n") else { return };
            let size_line = String::from_utf8_lossy(&self.raw[..eol]).to_string();
            let size = usize::from_str_radix(size_line.trim(), 16).expect("chunk size");
            if self.raw.len() < eol + 2 + size + 2 {
                return;
            }
            let data = self.raw[eol + 2..eol + 2 + size].to_vec();
            self.raw.drain(..eol + 2 + size + 2);
            self.text.push_str(&String::from_utf8(data).expect("utf-8"));
        }
    }

    /// The next envelope event (`id`, envelope), skipping comments; `None` on timeout.
    async fn next(&mut self, wait: Duration) -> Option<(u64, Value)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            self.decode_chunks();
            while let Some(end) = self.text.find("\n\n") {
                let frame: String = self.text.drain(..end + 2).collect();
                let mut id = None;
                let mut data = None;
                for line in frame.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = Some(v.trim().parse::<u64>().expect("numeric id"));
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data = Some(serde_json::from_str::<Value>(v.trim()).expect("JSON data"));
                    }
                }
                if let (Some(id), Some(data)) = (id, data) {
                    return Some((id, data));
                }
            }
            match tokio::time::timeout_at(deadline, self.fill()).await {
                Ok(Some(())) => {}
                Ok(None) | Err(_) => return None,
            }
        }
    }

    async fn expect(&mut self, ids: &[u64]) {
        for want in ids {
            let (id, envelope) = self.next(Duration::from_secs(5)).await.unwrap_or_else(|| panic!("no event {want}"));
            assert_eq!(id, *want);
            assert_eq!(envelope["position"], *want);
            assert_eq!(envelope["stream"], "s");
        }
    }

    async fn expect_nothing(&mut self) {
        if let Some((id, _)) = self.next(Duration::from_millis(300)).await {
            panic!("unexpected event {id}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resuming_after_last_event_id_gets_exactly_the_missing_events() {
    let server = server().await;
    let mut live = Subscriber::connect(server.addr, "/api/streams/s/live", Some(2)).await;
    live.expect(&[3, 4]).await;
    live.expect_nothing().await;
    assert_eq!(server.append("s", &["c3", "c4"]).await, [5, 6]);
    live.expect(&[5, 6]).await;
    drop(live);
    // Missed while disconnected, with another stream's events in between.
    server
        .store
        .append(
            StreamName::from("other"),
            ExpectedVersion::Any,
            countries()
                .into_iter()
                .map(|mut p| {
                    p.id = format!("o-{}", p.id).into();
                    p
                })
                .collect(),
        )
        .await
        .expect("other stream");
    assert_eq!(server.append("s", &["c5", "c6"]).await, [9, 10]);
    let mut live = Subscriber::connect(server.addr, "/api/streams/s/live", Some(6)).await;
    live.expect(&[9, 10]).await;
    live.expect_nothing().await;
    assert_eq!(server.append("s", &["c7"]).await, [11]);
    live.expect(&[11]).await;
    live.expect_nothing().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_connection_gets_only_new_events_or_those_after_the_query_position() {
    let server = server().await;
    let mut live = Subscriber::connect(server.addr, "/api/streams/s/live", None).await;
    live.expect_nothing().await;
    server.append("s", &["c3"]).await;
    live.expect(&[5]).await;
    let mut from_query = Subscriber::connect(server.addr, "/api/streams/s/live?after=3", None).await;
    from_query.expect(&[4, 5]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_reach_a_subscriber_once_each_in_order() {
    let server = Arc::new(server().await);
    let mut live = Subscriber::connect(server.addr, "/api/streams/s/live", Some(4)).await;
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let server = server.clone();
            tokio::spawn(async move {
                for i in 0..10 {
                    server.append("s", &[&format!("w{w}-{i}")]).await;
                }
            })
        })
        .collect();
    for w in writers {
        w.await.expect("writer");
    }
    let want: Vec<u64> = (5..=84).collect();
    live.expect(&want).await;
    live.expect_nothing().await;
}

#[tokio::test]
async fn a_bad_last_event_id_is_400_in_the_error_shape() {
    let server = server().await;
    let mut socket = TcpStream::connect(server.addr).await.expect("connect");
    let request = "GET /api/streams/s/live HTTP/1.1\r\nHost: test\r\nLast-Event-ID: later\r\nConnection: close\r\n\r\n";
    socket.write_all(request.as_bytes()).await.expect("send");
    let mut response = String::new();
    socket.read_to_string(&mut response).await.expect("read");
    assert!(response.starts_with("HTTP/1.1 400"), "{response}");
    assert!(response.contains(r#""code":"bad_last_event_id""#), "{response}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_behind_the_shared_window_catches_up_from_the_store() {
    let server = server().await;
    // Start the shared window at position 4, then push 10,500 envelopes of another stream
    // through it, so positions 3 and 4 fall out of it.
    let mut first = Subscriber::connect(server.addr, "/api/streams/s/live", None).await;
    let other = StreamName::from("other");
    let actors = countries()
        .into_iter()
        .map(|mut p| {
            p.id = format!("o-{}", p.id).into();
            p
        })
        .collect();
    server.store.append(other.clone(), ExpectedVersion::Any, actors).await.expect("other actors");
    for b in 0..21 {
        let batch = (0..500).map(|i| call(&format!("o-{b}-{i}"))).collect();
        server.store.append(other.clone(), ExpectedVersion::Any, batch).await.expect("other calls");
    }
    let late = server.append("s", &["late"]).await[0];
    assert_eq!(late, 4 + 2 + 21 * 500 + 1);
    first.expect(&[late]).await;
    let mut behind = Subscriber::connect(server.addr, "/api/streams/s/live", Some(2)).await;
    behind.expect(&[3, 4, late]).await;
    behind.expect_nothing().await;
    let next = server.append("s", &["later"]).await[0];
    behind.expect(&[next]).await;
    first.expect(&[next]).await;
}
