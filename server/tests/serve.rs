//! The real `annals serve` process: first start loads the built-in default record and
//! generates a token (printed once), a restart loads nothing twice and prints nothing, and
//! SIGTERM stops it cleanly even with a live subscriber connected.

#![cfg(unix)]

mod common;

use std::io::Read;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Starts `annals serve` in `dir` (where there is no `data/`, so the built-in record is
/// the seed) and returns it with its address.
fn start(dir: &Path) -> (Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_annals"))
        .args(["serve", "--addr", "127.0.0.1:0", "--db", "annals.db"])
        .current_dir(dir)
        .env_remove("ANNALS_TOKEN")
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start annals serve");
    let addr = common::listening(&mut child);
    (child, addr)
}

async fn get(addr: SocketAddr, path: &str) -> String {
    let mut socket = TcpStream::connect(addr).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    socket.write_all(request.as_bytes()).await.expect("send");
    let mut response = String::new();
    socket.read_to_string(&mut response).await.expect("read");
    response
}

fn stop(mut child: Child) -> (std::process::ExitStatus, String) {
    let status = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().expect("kill");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "annals serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stdout = String::new();
    child.stdout.take().expect("stdout").read_to_string(&mut stdout).expect("stdout");
    (status, stdout)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_start_seeds_and_makes_a_token_restart_does_neither() {
    let dir = tempfile::tempdir().expect("dir");
    let (child, addr) = start(dir.path());
    let streams = get(addr, "/api/streams").await;
    assert!(streams.contains(r#"{"stream":"azerbaijan-belarus","version":93,"last_position":93}"#), "{streams}");
    // A live subscriber stays connected while the server is asked to stop.
    let mut live = TcpStream::connect(addr).await.expect("connect");
    live.write_all(b"GET /api/streams/azerbaijan-belarus/live HTTP/1.1\r\nHost: test\r\n\r\n").await.expect("send");
    let mut head = [0u8; 64];
    let n = live.read(&mut head).await.expect("head");
    assert!(head[..n].starts_with(b"HTTP/1.1 200"));
    let (status, stdout) = stop(child);
    assert!(status.success(), "{status:?}");
    let token = std::fs::read_to_string(dir.path().join("annals.db.token")).expect("token file");
    assert!(stdout.contains(token.trim()), "the token is printed on first start: {stdout}");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("annals.db.token")).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let (child, addr) = start(dir.path());
    let streams = get(addr, "/api/streams").await;
    assert!(streams.contains(r#""version":93,"last_position":93"#), "loaded once: {streams}");
    let (status, stdout) = stop(child);
    assert!(status.success());
    assert!(!stdout.contains(token.trim()), "the token is printed only once: {stdout}");
}
