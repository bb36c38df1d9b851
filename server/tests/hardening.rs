//! The real `annals serve` under hostile clients and damaged files: slow headers under a low
//! open-file limit, SIGTERM whatever the clients do, one self-contained file after a stop,
//! `annals backup` of a live store, a second `serve` refused, damaged or missing files
//! refused (and left as found), owner-only files, out-of-range positions, JSON on every
//! error, `--dist` kept closed, the token from a file, `accept` out of descriptors, and the
//! bundle and API compressed.

#![cfg(unix)]

mod common;

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use annals_server::store::sqlite::SqliteStore;
use annals_server::store::Store;
use common::served::{get, send, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TOKEN: &str = "hardening-token";

fn serve(dir: &Path, args: &[&str], nofile: Option<u32>) -> Server {
    Server::start(dir, args, TOKEN, nofile)
}

/// Runs `annals serve` expecting it to refuse to start; returns its exit code and stderr.
fn refused(dir: &Path) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_annals"))
        .args(["serve", "--addr", "127.0.0.1:0", "--db", "annals.db", "--dist", "dist"])
        .current_dir(dir)
        .env("ANNALS_TOKEN", TOKEN)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start")
        .wait_with_output()
        .expect("wait");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Stopping the server as a test means to.
trait Stop {
    fn terminate(self, limit: Duration) -> (std::process::ExitStatus, Duration);
    fn kill(self);
}

impl Stop for Server {
    /// SIGTERM, then waits (at most `limit`) for the exit; returns the exit status and time.
    fn terminate(mut self, limit: Duration) -> (std::process::ExitStatus, Duration) {
        let started = Instant::now();
        signal(&self.child, "-TERM");
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return (status, started.elapsed());
            }
            if started.elapsed() > limit {
                let _ = self.child.kill();
                panic!("annals serve still ran {limit:?} after SIGTERM:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn kill(mut self) {
        signal(&self.child, "-KILL");
        self.child.wait().expect("wait");
    }
}

fn signal(child: &Child, which: &str) {
    let status = Command::new("kill").arg(which).arg(child.id().to_string()).status().expect("kill");
    assert!(status.success());
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_header_clients_beyond_the_open_file_limit_do_not_starve_healthz() {
    const SLOW: usize = 1100;
    let dir = tempfile::tempdir().expect("dir");
    let server = serve(dir.path(), &["--no-seed", "--header-timeout", "3"], Some(1024));
    let addr = server.addr;
    // 1,100 clients, each sending a request head one byte a second: more than `ulimit -n`.
    let head = b"GET /healthz HTTP/1.1\r\nHost: slow\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
    let closed = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut slow = Vec::new();
    for _ in 0..SLOW {
        let closed = closed.clone();
        slow.push(tokio::spawn(async move {
            let Ok(mut socket) = TcpStream::connect(addr).await else {
                closed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return;
            };
            for byte in head {
                if socket.write_all(&[*byte]).await.is_err() {
                    break;
                }
                let mut buf = [0u8; 64];
                // A closed connection reads as 0 bytes (or an error) within the second.
                match tokio::time::timeout(Duration::from_secs(1), socket.read(&mut buf)).await {
                    Err(_) => {}
                    Ok(_) => break,
                }
            }
            closed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for _ in 0..5 {
        let started = Instant::now();
        let answer = tokio::time::timeout(Duration::from_secs(2), get(addr, "/healthz"))
            .await
            .unwrap_or_else(|_| panic!("/healthz did not answer within 2 s:\n{}", server.log()));
        assert_eq!(answer.status, 200, "{answer:?}");
        assert!(started.elapsed() < Duration::from_secs(2));
    }
    // The header timeout (3 s) has closed the slow clients (or room was made by closing them).
    let deadline = Instant::now() + Duration::from_secs(10);
    while closed.load(std::sync::atomic::Ordering::Relaxed) < SLOW && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let gone = closed.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(gone, SLOW, "every slow client is closed (header timeout 3 s), none sent its head");
    for task in slow {
        task.await.expect("slow client");
    }
    assert_eq!(get(addr, "/healthz").await.status, 200);
    let log = server.log();
    assert!(log.contains("at most 960 connections"), "the cap follows ulimit -n 1024 less 64:\n{log}");
    let (status, _) = server.terminate(Duration::from_secs(10));
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_within_seconds_whatever_the_clients_do_and_leaves_one_file() {
    let dir = tempfile::tempdir().expect("dir");
    let server = serve(dir.path(), &[], None);
    let addr = server.addr;
    for name in ["annals.db", "annals.db-wal", "annals.db-shm", "annals.db.lock"] {
        assert_eq!(mode(&dir.path().join(name)), 0o600, "{name} is owner-only");
    }
    // A client holding a half-sent head.
    let mut half = TcpStream::connect(addr).await.expect("connect");
    half.write_all(b"GET /api/streams HTTP/1.1\r\nHost: te").await.expect("send");
    // A live subscriber.
    let mut live = TcpStream::connect(addr).await.expect("connect");
    live.write_all(b"GET /api/streams/azerbaijan-belarus/live HTTP/1.1\r\nHost: test\r\n\r\n").await.expect("send");
    let mut buf = [0u8; 64];
    let n = live.read(&mut buf).await.expect("head");
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    // A request whose body never comes: it is in flight when the signal arrives.
    let mut stalled = TcpStream::connect(addr).await.expect("connect");
    stalled
        .write_all(
            format!(
                "POST /api/streams/s/events HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {TOKEN}\r\nContent-Length: 1000\r\n\r\n[{{"
            )
            .as_bytes(),
        )
        .await
        .expect("send");
    // An idle keep-alive connection.
    let mut idle = TcpStream::connect(addr).await.expect("connect");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n").await.expect("send");
    let n = idle.read(&mut buf).await.expect("answer");
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    tokio::time::sleep(Duration::from_millis(200)).await;

    let (status, took) = server.terminate(Duration::from_secs(10));
    assert!(status.success(), "{status:?}");
    assert!(took < Duration::from_secs(8), "stopped in {took:?} (5 s grace for the stalled request)");
    drop((half, live, stalled, idle));

    // The database file alone holds the store: copied without its -wal, it has everything.
    let wal = dir.path().join("annals.db-wal");
    assert!(!wal.exists() || std::fs::metadata(&wal).expect("wal").len() == 0, "the WAL is checkpointed");
    let copy = tempfile::tempdir().expect("copy");
    std::fs::copy(dir.path().join("annals.db"), copy.path().join("annals.db")).expect("copy");
    let store = SqliteStore::open(copy.path().join("annals.db")).expect("the copy opens");
    assert_eq!(store.read_all(0, 1000).await.expect("read").len(), 93);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_serve_on_one_file_is_refused_and_a_killed_one_frees_it() {
    let dir = tempfile::tempdir().expect("dir");
    let first = serve(dir.path(), &[], None);
    let (code, stderr) = refused(dir.path());
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("annals.db is in use by process {}", first.child.id()))
            && stderr.contains("annals.db.lock")
            && stderr.contains("stop that annals first"),
        "{stderr}"
    );
    assert_eq!(get(first.addr, "/healthz").await.status, 200, "the first one is untouched");
    first.kill();
    // The kernel released the lock with the process.
    let second = serve(dir.path(), &[], None);
    let streams = get(second.addr, "/api/streams").await.json();
    assert_eq!(streams["streams"][0]["version"], 93, "{streams}");
    second.terminate(Duration::from_secs(10));
}

/// A store seeded with the default record (93 events), killed so the events sit in its WAL.
fn killed_store() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("dir");
    let server = serve(dir.path(), &[], None);
    server.kill();
    let wal = std::fs::metadata(dir.path().join("annals.db-wal")).expect("a WAL after SIGKILL").len();
    assert!(wal > 100_000, "the events are in the WAL ({wal} bytes)");
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_or_missing_files_are_reported_and_left_as_found() {
    // A 0-byte database.
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("annals.db"), b"").expect("empty");
    let (code, stderr) = refused(dir.path());
    assert_eq!(code, Some(2));
    assert!(stderr.contains("annals.db is empty (0 bytes), not an Annals store"), "{stderr}");
    assert_eq!(std::fs::metadata(dir.path().join("annals.db")).expect("db").len(), 0, "not seeded");

    // The WAL removed while the events sat in it.
    let dir = killed_store();
    let wal = dir.path().join("annals.db-wal");
    let saved = std::fs::read(&wal).expect("wal");
    std::fs::remove_file(&wal).expect("remove");
    let (code, stderr) = refused(dir.path());
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("the log ends at position 0 but")
            && stderr.contains("records that position 93 was acknowledged")
            && stderr.contains("annals.db-wal"),
        "{stderr}"
    );
    // Put back, it serves everything again: the refusal changed nothing.
    std::fs::write(&wal, &saved).expect("restore");
    let server = serve(dir.path(), &[], None);
    assert_eq!(get(server.addr, "/api/streams").await.json()["streams"][0]["version"], 93);
    server.kill();

    // The WAL cut in half.
    let dir = killed_store();
    let wal = dir.path().join("annals.db-wal");
    let whole = std::fs::read(&wal).expect("wal");
    std::fs::write(&wal, &whole[..whole.len() / 2]).expect("cut");
    let (code, stderr) = refused(dir.path());
    assert_eq!(code, Some(2));
    assert!(stderr.contains("records that position 93 was acknowledged: events are missing"), "{stderr}");
    assert_eq!(std::fs::read(&wal).expect("wal"), &whole[..whole.len() / 2], "the cut WAL is left as found");

    // The database deleted, its lock file left.
    let dir = killed_store();
    for name in ["annals.db", "annals.db-wal", "annals.db-shm"] {
        std::fs::remove_file(dir.path().join(name)).expect("remove");
    }
    let (code, stderr) = refused(dir.path());
    assert_eq!(code, Some(2));
    assert!(stderr.contains("annals.db does not exist, but") && stderr.contains("held 93 events"), "{stderr}");
    assert!(!dir.path().join("annals.db").exists(), "not created, not seeded");
}

/// Posts one event; its position when acknowledged with 201.
async fn append(addr: SocketAddr, id: &str) -> Option<u64> {
    let body = common::call_json(id, "2024-05-16", "aze", "blr");
    let answer = send(
        addr,
        &format!(
            "POST /api/streams/s/events HTTP/1.1\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json"
        ),
        body.as_bytes(),
    )
    .await;
    (answer.status == 201).then(|| answer.json()["positions"][0].as_u64().expect("position"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_copies_a_live_store_while_a_writer_appends() {
    let dir = tempfile::tempdir().expect("dir");
    let server = serve(dir.path(), &["--no-seed"], None);
    let addr = server.addr;
    let countries = format!("[{},{}]", common::actor_json("aze"), common::actor_json("blr"));
    let answer = send(
        addr,
        &format!("POST /api/streams/s/events HTTP/1.1\r\nAuthorization: Bearer {TOKEN}"),
        countries.as_bytes(),
    )
    .await;
    assert_eq!(answer.status, 201);
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let id = format!("call-{n}");
                let position = append(addr, &id).await.expect("acknowledged");
                acknowledged.lock().expect("acks").push((position, id));
                n += 1;
            }
        })
    };
    let mut sizes = Vec::new();
    for round in 0..3 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let before = acknowledged.lock().expect("acks").clone();
        let dest = dir.path().join(format!("backup-{round}.db"));
        let out = tokio::task::spawn_blocking({
            let (db, dest) = (dir.path().join("annals.db"), dest.clone());
            move || Command::new(env!("CARGO_BIN_EXE_annals")).arg("backup").arg(&dest).arg("--db").arg(&db).output()
        })
        .await
        .expect("join")
        .expect("run backup");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(mode(&dest), 0o600);
        // The copy opens as a store (positions gapless, versions consecutive) and holds every
        // event acknowledged before the copy began, at its position.
        let store = SqliteStore::open(&dest).expect("the copy opens");
        let events = store.read_all(0, 100_000).await.expect("read");
        let positions: Vec<u64> = events.iter().map(|e| e.position).collect();
        assert_eq!(positions, (1..=events.len() as u64).collect::<Vec<_>>());
        for (position, id) in &before {
            let found = &events[*position as usize - 1];
            assert_eq!(found.id.as_str(), id);
        }
        assert!(events.len() >= before.len() + 2, "{} events, {} acknowledged before", events.len(), before.len());
        sizes.push(events.len());
        // A second backup onto the same file is refused; the copy is left alone.
        let again = Command::new(env!("CARGO_BIN_EXE_annals")).arg("backup").arg(&dest).output().expect("run");
        assert_eq!(again.status.code(), Some(2));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.await.expect("writer");
    assert!(sizes.windows(2).all(|w| w[0] < w[1]), "the writer kept appending during the copies: {sizes:?}");
    server.terminate(Duration::from_secs(10));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_positions_are_400_every_error_is_json_and_dist_stays_closed() {
    let dir = tempfile::tempdir().expect("dir");
    let dist = dir.path().join("dist");
    std::fs::create_dir(&dist).expect("dist");
    std::fs::write(dist.join("index.html"), "<html><head></head><body>annals</body></html>").expect("index");
    std::fs::write(dist.join("app.js"), "export const answer = 42;\n".repeat(100)).expect("js");
    std::fs::write(dist.join("other.js"), "export {};\n").expect("js");
    std::os::unix::fs::symlink("/", dist.join("root")).expect("link");
    std::os::unix::fs::symlink("/etc/passwd", dist.join("passwd.js")).expect("link");
    std::os::unix::fs::symlink("/etc/passwd", dist.join("other.js.br")).expect("link");
    let server = serve(dir.path(), &[], None);
    let addr = server.addr;
    let events = "/api/streams/azerbaijan-belarus/events";

    for path in [
        format!("{events}?after=9223372036854775808"),
        format!("{events}?after=18446744073709551615"),
        "/api/streams/azerbaijan-belarus/stats?as_of_position=9223372036854775808".to_owned(),
        "/api/streams/azerbaijan-belarus/live?after=9223372036854775808".to_owned(),
    ] {
        let answer = get(addr, &path).await;
        assert_eq!(answer.status, 400, "{path}: {answer:?}");
        let body = answer.json();
        assert_eq!(body["error"]["code"], "bad_query", "{path}: {body}");
        assert!(body["error"]["message"].as_str().expect("message").contains("out of range"), "{body}");
    }
    let last = get(addr, &format!("{events}?after=9223372036854775807")).await;
    assert_eq!(last.status, 200);
    assert_eq!(last.json()["events"], serde_json::json!([]));
    let answer =
        send(addr, "GET /api/streams/azerbaijan-belarus/live HTTP/1.1\r\nLast-Event-ID: 9223372036854775808", b"")
            .await;
    assert_eq!((answer.status, answer.json()["error"]["code"].clone()), (400, "bad_last_event_id".into()));

    // 405 outside /api: a route, the app page, a file.
    for (head, allow) in [
        ("POST /healthz HTTP/1.1", Some("GET,HEAD")),
        ("DELETE /index.html HTTP/1.1", Some("GET,HEAD")),
        ("PUT /app.js HTTP/1.1", None),
    ] {
        let answer = send(addr, head, b"x").await;
        assert_eq!(answer.status, 405, "{head}: {answer:?}");
        assert_eq!(answer.json()["error"]["code"], "method_not_allowed", "{head}");
        if let Some(allow) = allow {
            assert_eq!(answer.header("allow").map(|a| a.replace(' ', "")), Some(allow.to_owned()), "{head}");
        }
    }
    // 431: too many bytes of headers, too many header fields.
    let big = format!("GET /healthz HTTP/1.1\r\nX-Big: {}", "a".repeat(40 * 1024));
    let many: String = (0..150).map(|i| format!("\r\nX-H{i}: v")).collect();
    for head in [big, format!("GET /app.js HTTP/1.1{many}")] {
        let answer = send(addr, &head, b"").await;
        assert_eq!(answer.status, 431);
        assert_eq!(answer.json()["error"]["code"], "headers_too_large");
    }

    // Nothing outside dist: links out of it are not followed, nor a precompressed sibling.
    let passwd = std::fs::read_to_string("/etc/passwd").expect("passwd");
    for (path, encoding) in
        [("/root/etc/passwd", ""), ("/passwd.js", ""), ("/other.js", "br"), ("/root/etc/hostname", "gzip")]
    {
        let answer = send(addr, &format!("GET {path} HTTP/1.1\r\nAccept-Encoding: {encoding}"), b"").await;
        assert_eq!(answer.status, 404, "{path}: {answer:?}");
        assert_eq!(answer.json()["error"]["code"], "not_found");
        assert!(!String::from_utf8_lossy(&answer.decoded()).contains(passwd.lines().next().expect("line")));
    }
    assert!(
        server.logs_within("refused /passwd.js: it leads out of the web app's directory", Duration::from_secs(5)),
        "{}",
        server.log()
    );

    // A file is revalidated: no-cache, an ETag, and 304 for a matching If-None-Match.
    let file = get(addr, "/app.js").await;
    assert_eq!(file.status, 200);
    assert_eq!(file.header("cache-control"), Some("no-cache"));
    let tag = file.header("etag").expect("etag").to_owned();
    let again = send(addr, &format!("GET /app.js HTTP/1.1\r\nIf-None-Match: {tag}"), b"").await;
    assert_eq!((again.status, again.body.len()), (304, 0));
    assert_eq!(again.header("etag"), Some(tag.as_str()));
    assert_eq!(get(addr, "/").await.header("cache-control"), Some("no-cache"));
    server.terminate(Duration::from_secs(10));

    // Nor is the app page itself read through a link out of dist.
    std::fs::write(dir.path().join("outside.html"), "secret-outside").expect("outside");
    std::fs::remove_file(dist.join("index.html")).expect("remove");
    std::os::unix::fs::symlink(dir.path().join("outside.html"), dist.join("index.html")).expect("link");
    let server = serve(dir.path(), &[], None);
    for path in ["/", "/index.html", "/some/app/route"] {
        let answer = get(server.addr, path).await;
        assert_eq!(answer.status, 404, "{path}");
        assert!(!String::from_utf8_lossy(&answer.decoded()).contains("secret-outside"), "{path}");
    }
    server.terminate(Duration::from_secs(10));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_comes_from_a_file_and_stays_off_the_command_line() {
    let dir = tempfile::tempdir().expect("dir");
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "from-a-file\n").expect("token");
    let mut command = Command::new(env!("CARGO_BIN_EXE_annals"));
    command
        .args(["serve", "--addr", "127.0.0.1:0", "--db", "annals.db", "--no-seed", "--token-file", "token"])
        .current_dir(dir.path())
        .env_remove("ANNALS_TOKEN")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("start");
    let addr = common::listening(&mut child);
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", child.id())).unwrap_or_default();
    assert!(!String::from_utf8_lossy(&cmdline).contains("from-a-file"));
    let post = |token: &str| {
        format!(
            "POST /api/streams/s/events HTTP/1.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json"
        )
    };
    let registration = common::actor_json("aze");
    assert_eq!(send(addr, &post("from-a-file"), registration.as_bytes()).await.status, 201);
    assert_eq!(send(addr, &post(TOKEN), registration.as_bytes()).await.status, 401);
    assert!(!dir.path().join("annals.db.token").exists(), "no token was generated");
    let server = Server { child, addr, log: Arc::default() };
    server.terminate(Duration::from_secs(10));

    std::fs::write(&token_file, "  \n").expect("empty token");
    let out = Command::new(env!("CARGO_BIN_EXE_annals"))
        .args(["serve", "--db", "annals.db", "--token-file", "token"])
        .current_dir(dir.path())
        .env_remove("ANNALS_TOKEN")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the token file is empty"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bundle_is_sent_precompressed_the_api_compressed_and_live_events_promptly() {
    let dir = tempfile::tempdir().expect("dir");
    let dist = dir.path().join("dist");
    std::fs::create_dir(&dist).expect("dist");
    std::fs::write(dist.join("index.html"), "<html><head></head><body>annals</body></html>").expect("index");
    let script: String = (0..2000).map(|i| format!("export const v{i} = {};\n", i * 7)).collect();
    std::fs::write(dist.join("app.js"), &script).expect("js");
    let out = Command::new(env!("CARGO_BIN_EXE_annals")).arg("precompress").arg(&dist).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("precompressed 1 file"));
    let server = serve(dir.path(), &[], None);
    let addr = server.addr;

    // The file: brotli or gzip as the client accepts (the very bytes precompress wrote), else plain.
    for (accept, encoding, sibling) in [("br, gzip", Some("br"), "app.js.br"), ("gzip", Some("gzip"), "app.js.gz")] {
        let answer = send(addr, &format!("GET /app.js HTTP/1.1\r\nAccept-Encoding: {accept}"), b"").await;
        assert_eq!((answer.status, answer.header("content-encoding")), (200, encoding), "{accept}");
        assert_eq!(answer.body, std::fs::read(dist.join(sibling)).expect("sibling"));
        assert_eq!(answer.decoded(), script.as_bytes());
        assert_eq!(answer.header("vary"), Some("accept-encoding"));
    }
    let plain = get(addr, "/app.js").await;
    assert_eq!((plain.header("content-encoding"), plain.body.as_slice()), (None, script.as_bytes()));

    // An API answer, compressed on the fly, reads the same as the plain one.
    let events = "/api/streams/azerbaijan-belarus/events?limit=100";
    let plain = get(addr, events).await;
    let packed = send(addr, &format!("GET {events} HTTP/1.1\r\nAccept-Encoding: br, gzip"), b"").await;
    assert_eq!(packed.header("content-encoding"), Some("br"));
    assert!(packed.body.len() * 4 < plain.body.len(), "{} vs {} bytes", packed.body.len(), plain.body.len());
    assert_eq!(packed.json(), plain.json());

    // The live stream is not compressed, so each event is sent when it happens.
    let mut live = TcpStream::connect(addr).await.expect("connect");
    live.write_all(b"GET /api/streams/s/live?after=0 HTTP/1.1\r\nHost: test\r\nAccept-Encoding: br, gzip\r\n\r\n")
        .await
        .expect("send");
    let countries = format!("[{},{}]", common::actor_json("xxa"), common::actor_json("xxb"));
    let head = format!("POST /api/streams/s/events HTTP/1.1\r\nAuthorization: Bearer {TOKEN}");
    assert_eq!(send(addr, &head, countries.as_bytes()).await.status, 201);
    let mut seen = Vec::new();
    let started = Instant::now();
    while !String::from_utf8_lossy(&seen).contains("actor:xxb") {
        let mut buf = [0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(2), live.read(&mut buf))
            .await
            .expect("the appended events arrive within 2 s")
            .expect("read");
        assert!(n > 0, "the stream ended");
        seen.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&seen);
    assert!(text.contains("text/event-stream") && !text.to_ascii_lowercase().contains("content-encoding"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(2));
    server.terminate(Duration::from_secs(10));
}

/// CPU time a process has used (user + system), in clock ticks, from `/proc/PID/stat`.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
    // The fields after the command name (in parentheses, which may hold spaces): utime and
    // stime are the 12th and 13th after it.
    let fields: Vec<&str> = stat[stat.rfind(')').expect("comm") + 2..].split_whitespace().collect();
    fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime")
}

/// A write whose body is held back: the connection stays in a request.
async fn stalled_write(addr: SocketAddr) -> Option<TcpStream> {
    let mut socket = TcpStream::connect(addr).await.ok()?;
    let head = format!(
        "POST /api/streams/s/events HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {TOKEN}\r\nContent-Length: 1000\r\n\r\n["
    );
    socket.write_all(head.as_bytes()).await.ok()?;
    Some(socket)
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_descriptors_the_accept_loop_backs_off_and_recovers() {
    use rustix::process::{prlimit, Pid, Resource, Rlimit};
    let dir = tempfile::tempdir().expect("dir");
    let server = serve(dir.path(), &["--no-seed"], None);
    let (addr, pid) = (server.addr, server.child.id());
    // 100 connections in a request each, so none can be closed to make room.
    let mut busy = Vec::new();
    for _ in 0..100 {
        busy.push(stalled_write(addr).await.expect("connect"));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    // The limit lowered under the running server (its cap was set at start from a high one):
    // a few descriptors left, then `accept` fails with "Too many open files".
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).expect("fds").count() as u64;
    let target = Pid::from_raw(i32::try_from(pid).expect("pid"));
    // The server inherited this process's hard limit; only the soft one is lowered.
    let hard = rustix::process::getrlimit(Resource::Nofile).maximum;
    let old = prlimit(target, Resource::Nofile, Rlimit { current: Some(fds + 5), maximum: hard }).expect("lower");
    // New clients keep coming, so there is always one to accept.
    let flood = tokio::spawn(async move {
        let mut held = Vec::new();
        loop {
            if let Some(socket) = stalled_write(addr).await {
                held.push(socket);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Out of descriptors for 2 s: a loop that retried at once would burn a core meanwhile.
    let (ticks, started) = (cpu_ticks(pid), Instant::now());
    tokio::time::sleep(Duration::from_secs(2)).await;
    let used = cpu_ticks(pid) - ticks;
    let wall = started.elapsed().as_secs_f64() * 100.0;
    let log = server.log();
    let complaints = log.lines().filter(|l| l.contains("cannot accept a connection (Too many open files")).count();
    assert!((1..=4).contains(&complaints), "said so, at most once a second ({complaints} times):\n{log}");
    // Backing off it takes 1-2 ticks here; retrying at once, over 70.
    assert!((used as f64) < wall * 0.1, "the accept loop spun: {used} ticks of CPU in {wall:.0}");

    // Descriptors back: the service answers at once.
    prlimit(target, Resource::Nofile, old).expect("restore");
    flood.abort();
    drop(busy);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let answer = tokio::time::timeout(Duration::from_secs(2), get(addr, "/healthz")).await.expect("answered");
    assert_eq!(answer.status, 200);
    server.terminate(Duration::from_secs(10));
}
