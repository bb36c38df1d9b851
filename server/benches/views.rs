//! Figures of the read endpoints on a large record (a benchmark, not a timed test).
//!
//! Builds a SQLite file of `ANNALS_BENCH_EVENTS` synthetic events (default 1,000,000), starts
//! the real `annals serve` on it, and measures, with `ANNALS_BENCH_READERS` concurrent readers
//! (default 16), the latency (p50, p99) and answer size of each bounded read endpoint —
//! `lod`, `window`, `stats` (now, as of a year, as of a log position, with the page's filters:
//! a part, and every part as the page asks them), `graph` (also as of a
//! log position), a filtered `events` read — and then the whole-log reads: the whole
//! `timeline` (now and as of a position) and stats as of a year and the last position (a
//! fold of the log per call before the history was kept). Run with `ANNALS_BENCH_BIN` set to
//! an older build (`compare.sh` does both), the same cases measure what that build did. The baseline goes through the gate of expensive reads, as it
//! would in service; answers shed with 503 are counted apart. The server's peak resident
//! memory (`VmHWM`) is read after the first fold, after the bounded reads and after the
//! baseline, and its resident memory (`VmRSS`) at the end.
//!
//! `ANNALS_BENCH_DB=/tmp/views.db` keeps the store there and uses it again in later runs
//! (building a million events takes a while); `ANNALS_BENCH_BIN=path/to/annals` measures
//! another build of the binary (an older one, side by side with this one, on the same store).
//! Views asked again at the same version are answered from what the service kept; the
//! "distinct" cases ask windows and graphs no reader asked before, so they are written each
//! time.
//!
//! `ANNALS_BENCH_STORE=postgres://…` serves a PostgreSQL store instead (`--store`), built
//! first when `ANNALS_BENCH_BUILD=1` (only built, not served, with `only`) by the streaming
//! builder of `support/pg_build.rs` (straight into the store's tables: the writer would keep
//! every event in the bench; its rate and memory are printed as it goes).
//! `ANNALS_BENCH_ONLY=events` measures only what needs nothing kept — `healthz`, plain `events`
//! pages, one append — and then what each view answers, for a store too large to fold;
//! `ANNALS_BENCH_KEPT_MAX=N` passes `--kept-max-events N`; `ANNALS_BENCH_CASES=TEXT` measures
//! only the bounded cases whose label holds it, and no baseline. The server is killed when its VmRSS
//! passes `ANNALS_BENCH_RSS_LIMIT_MB` (default 20,000) or the machine's available memory falls
//! under 1.5 GB, with where it stopped. `pg10m.sh` is issue 14's run with all of these.
//!
//! `cargo bench -p annals-server --bench views`.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use annals_core::synth::{SplitMix, SynthOptions};
use annals_server::store::sqlite::SqliteStore;
use annals_server::store::Store;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[path = "support/pg_build.rs"]
mod pg_build;

/// The store building the tests use too (and their harness, unused here).
#[path = "../tests/common/served.rs"]
#[allow(dead_code, reason = "the bench uses only the store building")]
mod served;

/// The path each reader asks for its i-th request.
type Paths = Arc<dyn Fn(usize, usize) -> String + Send + Sync>;

/// The path each reader walks from (its first part).
type Walk = Arc<dyn Fn(usize) -> String + Send + Sync>;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// One answer: status, body bytes, time.
struct Sample {
    status: u16,
    bytes: usize,
    took: Duration,
}

async fn get(addr: SocketAddr, path: &str) -> Sample {
    get_body(addr, path).await.0
}

async fn get_body(addr: SocketAddr, path: &str) -> (Sample, Vec<u8>) {
    request(addr, &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")).await
}

/// An append of `body` to `stream` with the bench's token.
async fn post(addr: SocketAddr, stream: &str, body: &str) -> (Sample, Vec<u8>) {
    let head = format!(
        "POST /api/streams/{stream}/events HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Authorization: Bearer bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    request(addr, &(head + body)).await
}

async fn request(addr: SocketAddr, request: &str) -> (Sample, Vec<u8>) {
    let started = Instant::now();
    let mut socket = TcpStream::connect(addr).await.expect("connect");
    socket.write_all(request.as_bytes()).await.expect("send");
    let mut raw = Vec::new();
    socket.read_to_end(&mut raw).await.expect("read");
    let took = started.elapsed();
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(raw.len());
    let status = std::str::from_utf8(&raw[..end.min(64)])
        .ok()
        .and_then(|h| h.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = raw.get(end + 4..).unwrap_or_default().to_vec();
    (Sample { status, bytes: raw.len().saturating_sub(end + 4), took }, body)
}

fn vm(pid: u32, field: &str) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .map(|l| l[field.len() + 1..].trim().to_owned())
        .unwrap_or_else(|| "?".into())
}

/// `readers` tasks, each asking `per_reader` paths made by `path(reader, i)`; prints one line.
async fn measure(label: &str, addr: SocketAddr, readers: usize, per_reader: usize, path: Paths) {
    let started = Instant::now();
    let tasks: Vec<_> = (0..readers)
        .map(|r| {
            let path = path.clone();
            tokio::spawn(async move {
                let mut samples = Vec::with_capacity(per_reader);
                for i in 0..per_reader {
                    samples.push(get(addr, &path(r, i)).await);
                }
                samples
            })
        })
        .collect();
    let mut samples = Vec::new();
    for t in tasks {
        samples.extend(t.await.expect("reader"));
    }
    let wall = started.elapsed();
    let shed = samples.iter().filter(|s| s.status == 503).count();
    let failed: Vec<u16> = samples.iter().filter(|s| s.status != 200 && s.status != 503).map(|s| s.status).collect();
    assert!(failed.is_empty(), "{label}: statuses {failed:?}");
    let mut ok: Vec<&Sample> = samples.iter().filter(|s| s.status == 200).collect();
    ok.sort_by_key(|s| s.took);
    let at = |q: f64| {
        let i = ((ok.len() as f64 * q).ceil() as usize).saturating_sub(1);
        ok.get(i).map_or(f64::NAN, |s| s.took.as_secs_f64() * 1000.0)
    };
    let bytes = ok.iter().map(|s| s.bytes).sum::<usize>() / ok.len().max(1);
    println!(
        "{label:<44} {:>4} ok {:>4} shed   p50 {:>9.1} ms   p99 {:>9.1} ms   {:>12} B/answer   {:>6.1} s",
        ok.len(),
        shed,
        at(0.50),
        at(0.99),
        bytes,
        wall.as_secs_f64()
    );
}

/// Every part of a filtered `stats` (reader r's `path(r)`), each asked with the `next` of the
/// one before, by `readers` at once: the calls, and the time until the last part.
async fn walk_every_part(
    label: &str,
    addr: SocketAddr,
    readers: usize,
    path: Arc<dyn Fn(usize) -> String + Send + Sync>,
) {
    let started = Instant::now();
    let tasks: Vec<_> = (0..readers)
        .map(|r| {
            let path = path(r);
            tokio::spawn(async move {
                let (mut calls, mut shed, mut cursor) = (0, 0, String::new());
                let mut longest = Duration::ZERO;
                loop {
                    let (sample, body) = get_body(addr, &format!("{path}{cursor}")).await;
                    if sample.status == 503 {
                        shed += 1;
                        continue;
                    }
                    assert_eq!(sample.status, 200, "{path}{cursor}");
                    calls += 1;
                    longest = longest.max(sample.took);
                    let next = serde_json::from_slice::<serde_json::Value>(&body)
                        .ok()
                        .and_then(|v| v["next"].as_str().map(str::to_owned));
                    match next {
                        Some(next) => cursor = format!("&cursor={next}"),
                        None => break,
                    }
                }
                (calls, shed, longest, started.elapsed())
            })
        })
        .collect();
    let mut done = Vec::new();
    for t in tasks {
        done.push(t.await.expect("reader"));
    }
    let calls = done[0].0;
    let shed: usize = done.iter().map(|d| d.1).sum();
    let longest = done.iter().map(|d| d.2).max().unwrap_or_default();
    let last = done.iter().map(|d| d.3).max().unwrap_or_default();
    println!(
        "{label:<44} {readers:>2} reader(s): {calls} calls each, {shed} shed, slowest call {:.1} ms, all parts in {:.2} s",
        longest.as_secs_f64() * 1000.0,
        last.as_secs_f64()
    );
}

async fn build(path: &Path, events: usize) -> usize {
    let started = Instant::now();
    let store = SqliteStore::open(path).expect("open");
    let stored = served::append_synthetic(&store, "synthetic", events, SynthOptions::default().seed).await;
    store.close().await.expect("close");
    println!("store: {stored} envelopes ({events} synthetic events) in {:.1} s", started.elapsed().as_secs_f64());
    stored
}

/// The bench's PostgreSQL store of `events` synthetic events, written by [`pg_build`] (not
/// through the store's writer, which would keep every event in the bench's memory).
async fn build_postgres(url: &str, events: usize) -> usize {
    let started = Instant::now();
    let options = pg_build::Options::default();
    let stored = pg_build::build(url, "synthetic", events, options).await.unwrap_or_else(|e| panic!("{e}"));
    println!(
        "store: {stored} envelopes in PostgreSQL in {:.1} s ({:?}); builder VmHWM {}",
        started.elapsed().as_secs_f64(),
        options.write,
        pg_build::vm_hwm()
    );
    stored as usize
}

/// Kills `pid` when its resident memory passes `limit_kb`, saying so and how far it got (a
/// service folding a large store would otherwise take the machine's memory); polls every
/// 200 ms until the process is gone.
fn watch_memory(pid: u32, limit_kb: u64, started: Instant) {
    std::thread::spawn(move || {
        let mut peak = 0;
        loop {
            let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else { return };
            let rss: u64 = status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or(0);
            if rss > peak + 1_048_576 {
                peak = rss;
                println!("  [watch] {:.1} s: server VmRSS {} MB", started.elapsed().as_secs_f64(), rss / 1024);
            }
            // (The machine is shared: its available memory is watched too.)
            let available: u64 = std::fs::read_to_string("/proc/meminfo")
                .ok()
                .and_then(|m| {
                    m.lines()
                        .find_map(|l| l.strip_prefix("MemAvailable:"))
                        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                })
                .unwrap_or(u64::MAX);
            if rss > limit_kb || available < 1_536 * 1024 {
                println!(
                    "  [watch] {:.1} s: server VmRSS {} MB (limit {} MB, ANNALS_BENCH_RSS_LIMIT_MB), machine's MemAvailable {} MB (floor 1536 MB): killed",
                    started.elapsed().as_secs_f64(),
                    rss / 1024,
                    limit_kb / 1024,
                    available / 1024
                );
                // (Our own child, by its id.)
                let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
}

fn serve(dir: &Path, db: &Path) -> (Child, SocketAddr) {
    std::fs::create_dir_all(dir.join("dist")).expect("dist");
    std::fs::write(dir.join("dist/index.html"), "<!doctype html><title>bench</title>").expect("index");
    let bin = std::env::var("ANNALS_BENCH_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_annals").to_owned());
    println!("binary: {bin}");
    let mut command = Command::new(bin);
    command.args(["serve", "--addr", "127.0.0.1:0", "--dist", "dist", "--no-seed"]);
    match std::env::var("ANNALS_BENCH_STORE") {
        Ok(url) => command.arg("--store").arg(url),
        Err(_) => command.arg("--db").arg(db),
    };
    if let Ok(max) = std::env::var("ANNALS_BENCH_KEPT_MAX") {
        command.arg("--kept-max-events").arg(max);
    }
    let started = Instant::now();
    let mut child = command
        .args(["--max-connections", "4096"])
        .current_dir(dir)
        .env("ANNALS_TOKEN", "bench")
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "warn,annals=info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start annals serve");
    watch_memory(child.id(), env_usize("ANNALS_BENCH_RSS_LIMIT_MB", 20_000) as u64 * 1024, started);
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let addr = loop {
        let Some(Ok(line)) = lines.next() else {
            let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
            println!(
                "annals serve stopped before it listened ({status}) after {:.1} s",
                started.elapsed().as_secs_f64()
            );
            std::process::exit(1);
        };
        if line.contains("WARN") || line.contains("ERROR") || line.contains("kept") {
            println!("  serve: {line}");
        }
        if let Some(at) = line.find("http://") {
            let rest = &line[at + "http://".len()..];
            break rest.split('/').next().unwrap_or(rest).parse().expect("address");
        }
    };
    println!("serve started (listening) in {:.1} s", started.elapsed().as_secs_f64());
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

/// `ANNALS_BENCH_ONLY=events`: what needs nothing kept — `healthz`, plain `events` pages with
/// `readers` concurrent readers, one append — and then what each view answers (with
/// `ANNALS_BENCH_KEPT_MAX` below the stream's size: the refusal, timed), for a store too large
/// to fold.
async fn events_only(addr: SocketAddr, pid: u32, readers: usize) {
    let s = "/api/streams/synthetic";
    let (health, body) = get_body(addr, "/healthz").await;
    println!(
        "healthz: {} in {:.1} ms: {}",
        health.status,
        health.took.as_secs_f64() * 1000.0,
        String::from_utf8_lossy(&body)
    );
    let (first, body) = get_body(addr, &format!("{s}/events?limit=1")).await;
    let page: serde_json::Value = serde_json::from_slice(&body).expect("an events page");
    let stored = page["version"].as_u64().expect("the stream's version");
    println!(
        "first events page: {} in {:.1} ms; the stream has {stored} events",
        first.status,
        first.took.as_secs_f64() * 1000.0
    );
    let step = (stored / (readers as u64 * 40)).max(1) as usize;
    measure(
        "events, plain page of 100, spread over the log",
        addr,
        readers,
        40,
        Arc::new(move |r, i| format!("{s}/events?after={}", (r * 40 + i) * step)),
    )
    .await;
    measure(
        "events, plain page of 100, the last page",
        addr,
        readers,
        40,
        Arc::new(move |_, _| format!("{s}/events?after={}", stored.saturating_sub(50))),
    )
    .await;
    println!("after the pages: VmHWM {}, VmRSS {}", vm(pid, "VmHWM"), vm(pid, "VmRSS"));
    // One append: a copy of an early domain event under a new id.
    let (_, body) = get_body(addr, &format!("{s}/events?after=100&limit=1")).await;
    let page: serde_json::Value = serde_json::from_slice(&body).expect("an events page");
    let e = &page["events"][0];
    let record = serde_json::json!({"id": format!("bench-append-{}", std::process::id()), "type": e["type"], "payload": e["payload"]});
    let (appended, body) = post(addr, "synthetic", &record.to_string()).await;
    println!(
        "one append: {} in {:.1} ms: {}",
        appended.status,
        appended.took.as_secs_f64() * 1000.0,
        String::from_utf8_lossy(&body)
    );
    for path in ["lod?width=1200", "stats", "window?from=1990&to=1990&limit=100", "graph", "events?q=minsk"] {
        let (answer, body) = get_body(addr, &format!("{s}/{path}")).await;
        let text = String::from_utf8_lossy(&body);
        println!(
            "{path}: {} in {:.1} ms: {}",
            answer.status,
            answer.took.as_secs_f64() * 1000.0,
            if answer.status == 200 { format!("{} B", body.len()) } else { text.into_owned() }
        );
    }
    let (health, _) = get_body(addr, "/healthz").await;
    println!(
        "healthz after the views: {}; at the end: VmHWM {}, VmRSS {}",
        health.status,
        vm(pid, "VmHWM"),
        vm(pid, "VmRSS")
    );
}

#[tokio::main]
async fn main() {
    let events = env_usize("ANNALS_BENCH_EVENTS", 1_000_000);
    let readers = env_usize("ANNALS_BENCH_READERS", 16);
    let dir = tempfile::tempdir().expect("dir");
    let db = std::env::var_os("ANNALS_BENCH_DB").map_or_else(|| dir.path().join("bench.db"), Into::into);
    let stored = if let Ok(url) = std::env::var("ANNALS_BENCH_STORE") {
        // PostgreSQL: built when its stream is empty (or missing), else used as it is.
        let only = std::env::var("ANNALS_BENCH_BUILD").is_ok_and(|v| v == "only");
        let fresh = only || std::env::var("ANNALS_BENCH_BUILD").is_ok_and(|v| v == "1");
        println!("store: PostgreSQL{}", if fresh { ", built now" } else { " (kept from an earlier run)" });
        if only {
            build_postgres(&url, events).await;
            return;
        } else if fresh {
            Some(build_postgres(&url, events).await)
        } else {
            None
        }
    } else if db.exists() {
        // The version of the stream (one stream: its envelopes), read below from `stats`.
        println!("store: {} (kept from an earlier run)", db.display());
        None
    } else {
        Some(build(&db, events).await)
    };
    let (mut child, addr) = serve(dir.path(), &db);
    let pid = child.id();
    // (What the store's writer keeps to plan appends is in memory from the start.)
    println!("server pid {pid}; after start: VmHWM {}, VmRSS {}", vm(pid, "VmHWM"), vm(pid, "VmRSS"));
    if std::env::var("ANNALS_BENCH_ONLY").is_ok_and(|v| v == "events") {
        events_only(addr, pid, readers).await;
        let _ = child.kill();
        let _ = child.wait();
        return;
    }

    let (first, body) = get_body(addr, "/api/streams/synthetic/stats").await;
    assert_eq!(first.status, 200);
    let version = serde_json::from_slice::<serde_json::Value>(&body).ok().and_then(|v| v["version"].as_u64());
    let stored = stored.unwrap_or_else(|| version.expect("the stream's version") as usize);
    println!(
        "first use (the one fold of the stream): {:.2} s; VmHWM {}, VmRSS {}",
        first.took.as_secs_f64(),
        vm(pid, "VmHWM"),
        vm(pid, "VmRSS")
    );
    // The graph's year index is built after the fold (before, the first window built it).
    let (window_first, _) = get_body(addr, "/api/streams/synthetic/graph?from=1960&to=1961-06").await;
    assert_eq!(window_first.status, 200);
    println!("first graph window after the fold: {:.1} ms", window_first.took.as_secs_f64() * 1000.0);
    let rss_kb = vm(pid, "VmRSS").trim_end_matches(" kB").trim().parse::<u64>().unwrap_or(0);
    println!("resident after the fold: {:.0} bytes per envelope", rss_kb as f64 * 1024.0 / stored.max(1) as f64);

    println!("\n{readers} concurrent readers; bounded endpoints:");
    let s = "/api/streams/synthetic";
    let year = |r: usize, i: usize| 1950 + (SplitMix::new((r * 1000 + i) as u64).below(75) as usize);
    let position = move |r: usize, i: usize| 1 + SplitMix::new((r * 7717 + i) as u64).below(stored as u64);
    let cases: Vec<(&str, usize, Paths)> = vec![
        ("lod, whole record, width=1200", 40, Arc::new(move |_, _| format!("{s}/lod?width=1200"))),
        (
            "lod, one year at a random place, width=1200",
            40,
            Arc::new(move |r, i| format!("{s}/lod?from={y}&to={y}&width=1200", y = year(r, i))),
        ),
        (
            "lod, ten years by month",
            40,
            Arc::new(move |r, i| format!("{s}/lod?from={}&to={}&level=month", year(r, i), year(r, i) + 9)),
        ),
        (
            "window, one month, limit=1000",
            40,
            Arc::new(move |r, i| format!("{s}/window?from={y}-06&to={y}-06&limit=1000", y = year(r, i))),
        ),
        (
            "window, one year, limit=200",
            20,
            Arc::new(move |r, i| format!("{s}/window?from={y}&to={y}&limit=200", y = year(r, i))),
        ),
        (
            "window, one month, distinct, limit=1000",
            40,
            Arc::new(move |r, i| {
                let day = -7305 + SplitMix::new((r * 1009 + i) as u64).below(27_000) as i64;
                format!("{s}/window?from_day={day}&to_day={}&limit=1000", day + 30)
            }),
        ),
        // The page's filters (a filtered count walks at most 5,000 events a call, on the work
        // threads behind the gate): distinct queries, so none is answered from the kept answers.
        (
            "lod?q=… whole record, one part, distinct (gated)",
            10,
            Arc::new(move |r, i| format!("{s}/lod?width=1200&q=no-such-text-{r}-{i}")),
        ),
        (
            "lod?actor=… one year by day, distinct (gated)",
            10,
            Arc::new(move |r, i| format!("{s}/lod?from={y}&to={y}&level=day&actor=p{}", r * 10 + i, y = year(r, i))),
        ),
        (
            "window?q=… search page, distinct (gated)",
            10,
            Arc::new(move |r, i| format!("{s}/window?as=log&limit=50&q=statement%20{r}{i}")),
        ),
        ("stats", 40, Arc::new(move |_, _| format!("{s}/stats"))),
        // The page's filters on the figures (walked as the filtered `lod`, at most 5,000 events
        // a call, gated): one part each, of distinct queries (none kept); `stats` above is the
        // unfiltered baseline, read from the per-year index.
        (
            "stats?actor=… first part, distinct (gated)",
            10,
            Arc::new(move |r, i| format!("{s}/stats?actor=p{}", r * 10 + i)),
        ),
        (
            "stats?q=… a part at a random place, distinct (gated)",
            10,
            Arc::new(move |r, i| {
                let day = -7305 + SplitMix::new((r * 3301 + i) as u64).below(27_000) as i64;
                format!("{s}/stats?q=statement%20{r}{i}&cursor={day}.{day}.0")
            }),
        ),
        ("stats?as_of=YEAR", 40, Arc::new(move |r, i| format!("{s}/stats?as_of={}", year(r, i)))),
        ("stats?as_of=YEAR-MM-DD", 40, Arc::new(move |r, i| format!("{s}/stats?as_of={}-07-14", year(r, i)))),
        (
            "stats?as_of_position=P, distinct",
            10,
            Arc::new(move |r, i| format!("{s}/stats?as_of_position={}", position(r, i))),
        ),
        (
            "stats?as_of_position=P&as_of=YEAR-MM-DD",
            10,
            Arc::new(move |r, i| format!("{s}/stats?as_of_position={}&as_of={}-07-14", position(r, i), year(r, i))),
        ),
        ("graph (gated)", 5, Arc::new(move |_, _| format!("{s}/graph"))),
        (
            "graph?as_of_position=P, distinct (gated)",
            5,
            Arc::new(move |r, i| format!("{s}/graph?as_of_position={}", position(r, i))),
        ),
        (
            "graph?as_of_position=P&from=&to=, distinct (gated)",
            5,
            Arc::new(move |r, i| {
                format!("{s}/graph?as_of_position={}&from={}-03&to={}", position(r, i), year(r, i), year(r, i) + 3)
            }),
        ),
        ("graph?as_of=YEAR (gated)", 5, Arc::new(move |r, i| format!("{s}/graph?as_of={}", year(r, i)))),
        (
            "graph?from=&to=, distinct (gated)",
            5,
            Arc::new(move |r, i| format!("{s}/graph?from={y}-{m:02}&to={y}", y = year(r, i), m = 1 + (r + i) % 12)),
        ),
        (
            "events?q=… one call (gated, ≤5,000 scanned)",
            10,
            Arc::new(move |r, i| {
                let after = SplitMix::new((r * 7919 + i) as u64).below(stored as u64);
                format!("{s}/events?q=no-such-text&after={after}")
            }),
        ),
        ("events, plain page of 100", 40, Arc::new(move |r, i| format!("{s}/events?after={}", (r * 40 + i) * 1000))),
    ];
    // `ANNALS_BENCH_CASES=TEXT`: only the cases whose label holds it (and no baseline).
    let only = std::env::var("ANNALS_BENCH_CASES").ok();
    for (label, per_reader, path) in cases {
        if only.as_deref().is_none_or(|o| label.contains(o)) {
            measure(label, addr, readers, per_reader, path).await;
        }
    }
    println!("after the bounded endpoints: VmHWM {}, VmRSS {}", vm(pid, "VmHWM"), vm(pid, "VmRSS"));
    // What a page reading the stream by the window waits for before its charts are drawn with
    // a filter: every part, asked one after another (a reader alone, then `readers` at once,
    // each its own filter, so none is answered from what another's walk kept).
    let walks: [(&str, Walk); 2] = [
        ("stats?actor=p…, every part", Arc::new(move |r| format!("{s}/stats?actor=p{}", r + 3))),
        ("stats?q=visit …, every part", Arc::new(move |r| format!("{s}/stats?q=visit%20{r}"))),
    ];
    for (label, path) in walks {
        if only.as_deref().is_none_or(|o| label.contains(o)) {
            for readers in [1, readers] {
                walk_every_part(label, addr, readers, path.clone()).await;
            }
        }
    }
    if only.is_some() {
        let _ = child.kill();
        let _ = child.wait();
        return;
    }

    println!("\nbaseline, the whole-log reads (sequential, then {readers} concurrent through the gate):");
    let last = stored + 100;
    let baselines: Vec<(&str, usize, Paths)> = vec![
        ("whole timeline", 1, Arc::new(move |_, _| format!("{s}/timeline"))),
        (
            "stats?as_of=YEAR&as_of_position=END (before: a fold of the log)",
            1,
            Arc::new(move |r, i| format!("{s}/stats?as_of={}&as_of_position={last}", year(r, i))),
        ),
        (
            "timeline?as_of_position=P",
            1,
            Arc::new(move |r, i| format!("{s}/timeline?as_of_position={}", position(r, i) / 2 + stored as u64 / 2)),
        ),
    ];
    for (label, per_reader, path) in baselines {
        // A build that answers the whole timeline only up to `--max-timeline` events refuses it
        // here (400 `answer_too_large`, at once): said, and not measured.
        let (probe, body) = get_body(addr, &path(0, 0)).await;
        if probe.status == 400 && String::from_utf8_lossy(&body).contains("answer_too_large") {
            println!("{label:<44} refused: larger than the whole timeline is answered for (answer_too_large)");
            continue;
        }
        measure(&format!("{label}, 1 reader"), addr, 1, 3, path.clone()).await;
        println!("  VmHWM {}", vm(pid, "VmHWM"));
        measure(&format!("{label}, {readers} readers"), addr, readers, per_reader, path).await;
        println!("  VmHWM {}", vm(pid, "VmHWM"));
    }
    println!("\nat the end: VmHWM {}, VmRSS {}", vm(pid, "VmHWM"), vm(pid, "VmRSS"));
    let _ = child.kill();
    let _ = child.wait();
}
