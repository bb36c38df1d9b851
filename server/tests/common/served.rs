//! The real `annals serve`, for the test binaries that drive it over TCP: starting it (under a
//! `ulimit -n` when asked) and waiting for its address, its log, plain HTTP/1.1 requests
//! written by hand (so a test can send what no client library would), answers read back with
//! their headers, de-chunked and decoded, and stores of synthetic events to serve.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use annals_core::synth::{synthetic_log, SynthOptions};
use annals_core::{AppendError, ExpectedVersion, Proposed, StreamName};
use annals_server::store::sqlite::SqliteStore;
use annals_server::store::{Store, StoreError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// `annals serve`, running: the process, its address, its log lines so far and to come.
/// Dropping it kills the process.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// `annals serve` in `dir` on `annals.db` and `dist/` with `args` and the write token
    /// `token`, under `ulimit -n nofile` when given; returns once it listens.
    pub fn start(dir: &Path, args: &[&str], token: &str, nofile: Option<u32>) -> Server {
        let mut command = match nofile {
            Some(n) => {
                let mut c = Command::new("sh");
                c.arg("-c").arg(format!("ulimit -n {n} && exec \"$0\" \"$@\"")).arg(env!("CARGO_BIN_EXE_annals"));
                c
            }
            None => Command::new(env!("CARGO_BIN_EXE_annals")),
        };
        command
            .args(["serve", "--addr", "127.0.0.1:0", "--db", "annals.db", "--dist", "dist"])
            .args(args)
            .current_dir(dir)
            .env("ANNALS_TOKEN", token)
            .env("NO_COLOR", "1")
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("start annals serve");
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let deadline = Instant::now() + Duration::from_secs(30);
        let addr = loop {
            assert!(Instant::now() < deadline, "annals serve did not start");
            let line = match lines.next() {
                Some(line) => line.expect("stderr line"),
                None => panic!("annals serve exited before listening:\n{}", log.lock().expect("log").join("\n")),
            };
            log.lock().expect("log").push(line.clone());
            if let Some(at) = line.find("http://") {
                let rest = &line[at + "http://".len()..];
                break rest.split('/').next().unwrap_or(rest).parse().expect("address");
            }
        };
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock().expect("log").push(line);
            }
        });
        Server { child, addr, log }
    }

    /// Its log so far.
    pub fn log(&self) -> String {
        self.log.lock().expect("log").join("\n")
    }

    /// Whether a line of its log holds `text` within `limit` (lines reach the log through a
    /// thread of their own, a moment after the answer that caused them).
    pub fn logs_within(&self, text: &str, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        loop {
            if self.log.lock().expect("log").iter().any(|l| l.contains(text)) {
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// An answer: status, headers (lower-case names), body (de-chunked, not decoded).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The body as JSON (decoded first).
    pub fn json(&self) -> serde_json::Value {
        let body = self.decoded();
        serde_json::from_slice(&body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&body[..body.len().min(300)])))
    }

    /// The body as the client reads it, after its `Content-Encoding`.
    pub fn decoded(&self) -> Vec<u8> {
        use std::io::Read;
        let mut out = Vec::new();
        match self.header("content-encoding") {
            Some("br") => brotli::Decompressor::new(&self.body[..], 4096).read_to_end(&mut out).map(drop),
            Some("gzip") => flate2::read::GzDecoder::new(&self.body[..]).read_to_end(&mut out).map(drop),
            _ => {
                out.clone_from(&self.body);
                Ok(())
            }
        }
        .expect("decodes");
        out
    }
}

/// Sends `head` (request line and headers, without the final blank line) with
/// `Connection: close` (and the body's length, when there is one), and reads the whole answer.
pub async fn send(addr: SocketAddr, head: &str, body: &[u8]) -> Answer {
    let mut socket = TcpStream::connect(addr).await.expect("connect");
    let mut request = format!("{head}\r\nHost: test\r\nConnection: close\r\n");
    if !body.is_empty() {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    socket.write_all(request.as_bytes()).await.expect("send");
    socket.write_all(body).await.expect("send body");
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), socket.read_to_end(&mut raw))
        .await
        .expect("answered in time")
        .expect("read");
    parse(&raw)
}

/// `GET path`.
pub async fn get(addr: SocketAddr, path: &str) -> Answer {
    send(addr, &format!("GET {path} HTTP/1.1"), b"").await
}

/// An answer read from the wire: head, then the body (chunks joined).
pub fn parse(raw: &[u8]) -> Answer {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or_else(|| panic!("no head in {raw:?}"));
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).expect("status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    if headers.iter().any(|(n, v)| n == "transfer-encoding" && v.contains("chunked")) {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n").expect("chunk size");
            let size = usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).expect("utf-8").trim(), 16)
                .expect("hex size");
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[line_end + 2..line_end + 2 + size]);
            rest = &rest[line_end + 2 + size + 2..];
        }
        body = out;
    }
    Answer { status, headers, body }
}

/// Appends `events` synthetic events (seeded) to stream `name`, leaving out the changes of
/// retracted events, which validation refuses. Returns the envelopes stored.
pub async fn append_synthetic(store: &SqliteStore, name: &str, events: usize, seed: u64) -> usize {
    let log = synthetic_log(SynthOptions { events, seed, ..SynthOptions::default() });
    let stream = StreamName::from(name);
    let mut stored = 0;
    for chunk in log.chunks(10_000) {
        let mut batch: Vec<Proposed> = chunk.iter().map(|e| Proposed::new(e.id.clone(), e.event.clone())).collect();
        loop {
            match store.append(stream.clone(), ExpectedVersion::Any, batch.clone()).await {
                Ok(_) => break,
                Err(StoreError::Rejected(AppendError::Invalid(problems))) => {
                    let bad: BTreeSet<usize> = problems.iter().map(|(i, _)| *i).collect();
                    batch = batch.into_iter().enumerate().filter(|(i, _)| !bad.contains(i)).map(|(_, p)| p).collect();
                }
                Err(e) => panic!("append: {e}"),
            }
        }
        stored += batch.len();
    }
    stored
}
