//! The views of a large record against the real `annals serve` on a real SQLite file: the
//! level-of-detail counts and the paged window agree with the whole timeline; the kept
//! projections follow appends at once; stats as of a date; filtered reads scan a bounded
//! number of envelopes per call; a text search finds, before and after corrections, what
//! looking each envelope's event up found; `lod` and `window` with the web app's filters count
//! and find what the page shows, a bounded walk a call, and `stats` with them are the figures
//! of the events they keep; a kept-stream cap of one still answers two streams; and a
//! full gate answers 503 with `Retry-After` and the JSON error.

#![cfg(unix)]

mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;

use annals_core::{ExpectedVersion, Proposed, StreamName};
use annals_server::store::sqlite::SqliteStore;
use annals_server::store::Store;
use common::served::{append_synthetic, get, send, Server};
use serde_json::Value;

const TOKEN: &str = "views-token";

/// `annals serve --no-seed` in `dir` (with an empty web app) and `args`.
fn serve(dir: &Path, args: &[&str]) -> Server {
    std::fs::create_dir_all(dir.join("dist")).expect("dist");
    std::fs::write(dir.join("dist/index.html"), "<!doctype html><title>t</title>").expect("index");
    let args: Vec<&str> = ["--no-seed"].iter().chain(args).copied().collect();
    Server::start(dir, &args, TOKEN, None)
}

async fn ok(addr: SocketAddr, path: &str) -> Value {
    let answer = get(addr, path).await;
    assert_eq!(answer.status, 200, "{path}: {}", String::from_utf8_lossy(&answer.body));
    answer.json()
}

/// A SQLite file in `dir` holding `events` synthetic events in stream `name`.
async fn synthetic_store(dir: &Path, name: &str, events: usize, seed: u64) {
    let store = SqliteStore::open(dir.join("annals.db")).expect("open");
    append_synthetic(&store, name, events, seed).await;
    store.close().await.expect("close");
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// (first_day, last_day, id) of every timeline entry.
fn keys(entries: &Value) -> Vec<(i64, i64, String)> {
    entries
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| (int(&e["first_day"]), int(&e["last_day"]), e["id"].as_str().expect("id").to_owned()))
        .collect()
}

fn year_of_day(day: i64) -> i64 {
    // Civil year of a day number (days since 1970-01-01), as in the proleptic Gregorian calendar.
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    yoe + era * 400 + i64::from(month <= 2)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lod_and_window_agree_with_the_whole_timeline_and_follow_appends() {
    let dir = tempfile::tempdir().expect("dir");
    synthetic_store(dir.path(), "big", 20_000, 3).await;
    let server = serve(dir.path(), &[]);
    let addr = server.addr;

    let whole = ok(addr, "/api/streams/big/timeline").await;
    let all = keys(&whole["entries"]);
    assert!(all.len() > 19_000, "{} entries", all.len());

    // Year counts of the index are the entries per year of their first day.
    let lod = ok(addr, "/api/streams/big/lod?level=year").await;
    assert_eq!(lod["level"], "Year");
    assert_eq!(lod["extent"], whole["extent"]);
    let kinds = lod["kinds"].as_array().expect("kinds").len();
    let mut expected: BTreeMap<i64, i64> = BTreeMap::new();
    for (first, _, _) in &all {
        *expected.entry(year_of_day(*first)).or_default() += 1;
    }
    let mut got = BTreeMap::new();
    for b in lod["buckets"].as_array().expect("buckets") {
        let counts = b["counts"]["by_kind"].as_array().expect("by_kind");
        assert_eq!(counts.len(), kinds);
        got.insert(year_of_day(int(&b["start"])), counts.iter().map(int).sum::<i64>());
    }
    assert_eq!(got, expected);

    // A width picks the level; days of one month; bounds.
    let narrow = ok(addr, "/api/streams/big/lod?from=1990-03&to=1990-03&width=1200").await;
    assert_eq!(narrow["level"], "Day");
    let in_march: i64 = narrow["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| b["counts"]["by_kind"].as_array().expect("by_kind").iter().map(int).sum::<i64>())
        .sum();
    let (from, to) = (int(&narrow["from"]), int(&narrow["to"]));
    assert_eq!(to - from, 30);
    assert_eq!(in_march, all.iter().filter(|(f, _, _)| (from..=to).contains(f)).count() as i64);
    let wide = ok(addr, "/api/streams/big/lod?width=800").await;
    assert_eq!(wide["level"], "Year", "75 years on 800 px: years are 10 px wide");
    for (query, code) in [
        ("level=day", "window_too_wide"),
        ("level=week", "bad_query"),
        ("width=0", "bad_query"),
        ("", "bad_query"),
        ("level=year&limit=3", "bad_query"),
        ("from=2000&to=1990&level=year", "bad_query"),
        ("from=1990&from_day=3&level=year", "bad_query"),
    ] {
        let answer = get(addr, &format!("/api/streams/big/lod?{query}")).await;
        assert_eq!(answer.status, 400, "{query}");
        assert_eq!(answer.json()["error"]["code"], code, "{query}");
    }

    // Paging through a window gives the entries overlapping it, in order, once each.
    let (from, to) = ("1980-05-01", "1984-02");
    let (first_day, last_day) = {
        let lod = ok(addr, &format!("/api/streams/big/lod?from={from}&to={to}&level=year")).await;
        (int(&lod["from"]), int(&lod["to"]))
    };
    let expected: Vec<_> = all.iter().filter(|(f, l, _)| *f <= last_day && *l >= first_day).cloned().collect();
    let mut paged = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let page = ok(addr, &format!("/api/streams/big/window?from={from}&to={to}&limit=97{cursor}")).await;
        let entries = keys(&page["entries"]);
        assert!(entries.len() <= 97);
        paged.extend(entries);
        pages += 1;
        match page["next"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert!(expected.len() > 500, "{} in the window", expected.len());
    assert_eq!(pages, expected.len().div_ceil(97));
    assert_eq!(paged, expected);
    for query in ["limit=0", "limit=1001", "cursor=abc", "cursor=1.2", "level=year", "as=entries"] {
        let answer = get(addr, &format!("/api/streams/big/window?{query}")).await;
        assert_eq!(answer.status, 400, "{query}");
    }
    assert_eq!(get(addr, "/api/streams/big/lod?level=year&as=log").await.status, 400);

    // `as=log`: the same page as envelopes — the registrations of the actors it names, then
    // each event as it stands (its own position, id and content), in the same order.
    let query = format!("from={from}&to={to}&limit=97");
    let entries = ok(addr, &format!("/api/streams/big/window?{query}")).await;
    let log = ok(addr, &format!("/api/streams/big/window?{query}&as=log")).await;
    assert_eq!(log["next"], entries["next"]);
    let events = log["events"].as_array().expect("events");
    let position = |v: &&Value| events.iter().position(|e| std::ptr::eq(e, *v)).expect("in the page");
    let (registrations, rest): (Vec<&Value>, Vec<&Value>) = events.iter().partition(|e| e["type"] == "ActorRegistered");
    let (disputes, domain): (Vec<&Value>, Vec<&Value>) = rest.into_iter().partition(|e| e["type"] == "Disputed");
    let entries = entries["entries"].as_array().expect("entries");
    assert_eq!(domain.len(), entries.len());
    let disputed: usize = entries.iter().map(|e| e["disputes"].as_array().map_or(0, Vec::len)).sum();
    assert_eq!(disputes.len(), disputed, "each dispute of the page, once");
    for dispute in &disputes {
        let target = &dispute["payload"]["target"];
        let of = events.iter().position(|e| e["id"] == *target).expect("its event is in the page");
        assert!(of < position(dispute), "a dispute follows its event");
    }
    for (envelope, entry) in domain.iter().zip(entries) {
        assert_eq!(envelope["id"], entry["id"]);
        assert_eq!(envelope["position"], entry["position"]);
        assert_eq!(envelope["type"], entry["kind"]);
        assert_eq!(envelope["payload"], entry["event"]);
        let decoded: annals_core::Envelope = serde_json::from_value((*envelope).clone()).expect("an envelope");
        assert_eq!(decoded.id.as_str(), entry["id"].as_str().expect("id"));
    }
    let registered: Vec<&str> = registrations.iter().map(|r| r["payload"]["actor"].as_str().expect("actor")).collect();
    assert!(!registered.is_empty());
    assert!(registrations.iter().map(position).max() < domain.iter().map(position).min(), "actors come first");
    for entry in entries {
        for actor in entry["event"]["actors"].as_array().into_iter().flatten() {
            assert!(registered.contains(&actor["actor"].as_str().expect("actor")), "{actor} is registered in the page");
        }
    }

    // `as=log&event=ID`: that event as the page's log has it, its days the window.
    let one = domain[0];
    let id = one["id"].as_str().expect("id");
    let by_id = ok(addr, &format!("/api/streams/big/window?as=log&event={id}")).await;
    let got = by_id["events"].as_array().expect("events");
    let theirs = got.iter().find(|e| e["id"] == one["id"]).expect("the event");
    assert_eq!(theirs, one, "the same envelope as in a window's page");
    let entry = &entries[0];
    assert_eq!((by_id["from"].clone(), by_id["to"].clone()), (entry["first_day"].clone(), entry["last_day"].clone()));
    for actor in one["payload"]["actors"].as_array().into_iter().flatten() {
        assert!(got.iter().any(|e| e["payload"]["actor"] == actor["actor"] && e["type"] == "ActorRegistered"));
    }
    assert_eq!(get(addr, "/api/streams/big/window?as=log&event=no-such-event").await.status, 404);
    for query in [format!("event={id}"), format!("as=log&event={id}&from=1990")] {
        assert_eq!(get(addr, &format!("/api/streams/big/window?{query}")).await.status, 400, "{query}");
    }

    // An append shows in every view as soon as it is acknowledged.
    let before = ok(addr, "/api/streams/big/stats").await;
    let record = common::call_json("late-call", "1990-03-15", "c0", "c1");
    let head = format!(
        "POST /api/streams/big/events HTTP/1.1\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json"
    );
    let appended = send(addr, &head, record.as_bytes()).await;
    assert_eq!(appended.status, 201, "{}", String::from_utf8_lossy(&appended.body));
    let version = int(&appended.json()["version"]);
    let after = ok(addr, "/api/streams/big/stats").await;
    assert_eq!(int(&after["version"]), version);
    assert_eq!(int(&after["events"]), int(&before["events"]) + 1);
    let march = ok(addr, "/api/streams/big/lod?from=1990-03&to=1990-03&level=day").await;
    let day_15 = march["buckets"].as_array().expect("buckets").iter().find(|b| int(&b["start"]) == 7378);
    let before_15 = narrow["buckets"].as_array().expect("buckets").iter().find(|b| int(&b["start"]) == 7378);
    let total =
        |b: Option<&Value>| b.map_or(0, |b| b["counts"]["by_kind"].as_array().expect("k").iter().map(int).sum());
    assert_eq!(total(day_15), total(before_15) + 1);
    let window = ok(addr, "/api/streams/big/window?from=1990-03-15&to=1990-03-15&limit=1000").await;
    assert!(keys(&window["entries"]).iter().any(|(_, _, id)| id == "late-call"));
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_as_of_a_date_count_what_had_begun_and_graph_as_of_is_a_window() {
    let dir = tempfile::tempdir().expect("dir");
    synthetic_store(dir.path(), "big", 5_000, 5).await;
    let server = serve(dir.path(), &[]);
    let addr = server.addr;
    let whole = ok(addr, "/api/streams/big/timeline").await;
    let all = keys(&whole["entries"]);
    for year in [1949, 1950, 1977, 2000, 2025] {
        let stats = ok(addr, &format!("/api/streams/big/stats?as_of={year}")).await;
        let begun = all.iter().filter(|(f, _, _)| year_of_day(*f) <= year).count() as i64;
        assert_eq!(int(&stats["events"]), begun, "as of {year}");
        let rows = stats["years"].as_array().expect("years");
        assert!(rows.iter().all(|r| int(&r["year"]) <= year));
        // The timeline as of the year holds the same events.
        let timeline = ok(addr, &format!("/api/streams/big/timeline?as_of={year}")).await;
        assert_eq!(timeline["entries"].as_array().expect("entries").len() as i64, begun);
    }
    // As of a log position is a fold up to it: the first 100 positions hold fewer events.
    let early = ok(addr, "/api/streams/big/stats?as_of_position=100").await;
    assert!(int(&early["events"]) < 100, "{}", early["events"]);
    // The graph as of a year is the graph of the window up to it.
    let as_of = ok(addr, "/api/streams/big/graph?as_of=1970").await;
    let window = ok(addr, "/api/streams/big/graph?to=1970").await;
    assert_eq!(as_of["edges"], window["edges"]);
    let now = ok(addr, "/api/streams/big/graph").await;
    let weight = |g: &Value| g["edges"].as_array().expect("edges").iter().map(|e| int(&e["weight"])).sum::<i64>();
    assert!(weight(&as_of) < weight(&now));
    // A window's nodes stand where the all-time layout puts them (no layout of their own).
    let place = |g: &Value| -> BTreeMap<String, (f64, f64)> {
        let nodes = g["nodes"].as_array().expect("nodes");
        nodes
            .iter()
            .map(|n| {
                (n["id"].as_str().expect("id").to_owned(), (n["x"].as_f64().expect("x"), n["y"].as_f64().expect("y")))
            })
            .collect()
    };
    let all_time = place(&now);
    let window = ok(addr, "/api/streams/big/graph?from=1960&to=1961-06").await;
    assert!(!place(&window).is_empty() && place(&window).len() < all_time.len(), "a window has some of the actors");
    for graph in [&as_of, &window] {
        for (id, at) in place(graph) {
            assert_eq!(Some(&at), all_time.get(&id), "{id} stands where the all-time layout puts it");
        }
    }
    drop(server);
}

/// The whole timeline only for records up to `--max-timeline` events: a larger one is refused
/// with words that say how to read it (at a million events the answer was 441 MB), also as of
/// a position past the cap; earlier positions and the bounded views still answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_timeline_of_a_record_above_the_cap_is_refused_and_says_how_to_read_it() {
    let dir = tempfile::tempdir().expect("dir");
    synthetic_store(dir.path(), "big", 2_000, 3).await;
    let server = serve(dir.path(), &["--max-timeline", "1000"]);
    let addr = server.addr;
    for path in ["/api/streams/big/timeline", "/api/streams/big/timeline?as_of_position=1500"] {
        let answer = get(addr, path).await;
        assert_eq!(answer.status, 400, "{path}");
        let error = &answer.json()["error"];
        assert_eq!(error["code"], "answer_too_large", "{path}");
        let message = error["message"].as_str().expect("message");
        assert!(message.contains("at most 1000") && message.contains("by the window"), "{message}");
    }
    let early = ok(addr, "/api/streams/big/timeline?as_of_position=500").await;
    assert!(!early["entries"].as_array().expect("entries").is_empty());
    ok(addr, "/api/streams/big/window?from=1900&to=2100&limit=100").await;
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filtered_read_scans_a_bounded_number_of_envelopes_per_call() {
    let dir = tempfile::tempdir().expect("dir");
    synthetic_store(dir.path(), "big", 25_000, 7).await;
    let server = serve(dir.path(), &[]);
    let addr = server.addr;
    // Nothing matches: each call stops after 5,000 envelopes with a `next`, until the end.
    let mut after = 0;
    let mut calls = 0;
    loop {
        let page = ok(addr, &format!("/api/streams/big/events?q=no-such-text-anywhere&after={after}")).await;
        assert!(page["events"].as_array().expect("events").is_empty());
        calls += 1;
        match page["next"].as_u64() {
            Some(next) => {
                assert!(next > after);
                assert!(next - after <= 5_000, "one call scanned {} envelopes", next - after);
                after = next;
            }
            None => break,
        }
    }
    assert!(calls >= 5, "{calls} calls for 25,000 envelopes");
    // Matches found by following `next` are those of a plain read of the whole stream.
    let mut found = 0;
    let mut after = 0;
    loop {
        let page = ok(addr, &format!("/api/streams/big/events?kind=Signing&limit=1000&after={after}")).await;
        found += page["events"].as_array().expect("events").len();
        match page["next"].as_u64() {
            Some(next) => after = next,
            None => break,
        }
    }
    let mut expected = 0;
    let mut after = 0;
    loop {
        let page = ok(addr, &format!("/api/streams/big/events?limit=1000&after={after}")).await;
        let events = page["events"].as_array().expect("events");
        expected += events.iter().filter(|e| e["type"] == "Signing").count();
        match page["next"].as_u64() {
            Some(next) => after = next,
            None => break,
        }
    }
    assert!(expected > 100);
    assert_eq!(found, expected);
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_kept_stream_still_answers_two_and_a_full_gate_sheds_with_503() {
    let dir = tempfile::tempdir().expect("dir");
    {
        let store = SqliteStore::open(dir.path().join("annals.db")).expect("open");
        append_synthetic(&store, "one", 30_000, 11).await;
        // Ids are unique across the log: the second stream has its own.
        let mut two: Vec<Proposed> = ["xa", "xb"].iter().map(|a| common::record(&common::actor_json(a))).collect();
        two.extend((0..300).map(|i| common::record(&common::call_json(&format!("two-{i}"), "2001-02-03", "xa", "xb"))));
        store.append(StreamName::from("two"), ExpectedVersion::Any, two).await.expect("append two");
        store.close().await.expect("close");
    }
    let server = serve(dir.path(), &["--kept-streams", "1", "--expensive-reads", "1"]);
    let addr = server.addr;
    let one = ok(addr, "/api/streams/one/stats").await;
    let two = ok(addr, "/api/streams/two/stats").await;
    for _ in 0..2 {
        assert_eq!(ok(addr, "/api/streams/one/stats").await, one);
        assert_eq!(ok(addr, "/api/streams/two/stats").await, two);
    }
    assert_ne!(one["events"], two["events"]);
    assert!(server.logs_within("no longer keeping stream", std::time::Duration::from_secs(5)), "{}", server.log());

    // Whole timelines of 30,000 events, 32 at once, one at a time: those that wait over
    // 2 s are turned away with the JSON error and Retry-After; the others are whole.
    let tasks: Vec<_> = (0..32).map(|_| tokio::spawn(get(addr, "/api/streams/one/timeline"))).collect();
    let (mut served, mut shed) = (0, 0);
    for task in tasks {
        let answer = task.await.expect("task");
        match answer.status {
            200 => {
                assert!(answer.json()["entries"].as_array().expect("entries").len() > 29_000);
                served += 1;
            }
            503 => {
                assert_eq!(answer.header("retry-after"), Some("1"));
                assert_eq!(answer.json()["error"]["code"], "busy");
                shed += 1;
            }
            other => panic!("status {other}"),
        }
    }
    assert!(served >= 1 && shed >= 1, "{served} served, {shed} shed");
    // Cheap views do not wait for the gate.
    assert_eq!(ok(addr, "/api/streams/one/stats").await, one);
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fold_at_start_folds_the_largest_streams_before_any_read() {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteStore::open(dir.path().join("annals.db")).expect("open");
    append_synthetic(&store, "big", 3_000, 4).await;
    let small: Vec<Proposed> = common::countries().into_iter().chain([common::call("s1")]).collect();
    store.append(StreamName::from("small"), ExpectedVersion::Any, small).await.expect("append small");
    store.close().await.expect("close");
    let server = serve(dir.path(), &["--fold-at-start", "--kept-streams", "1"]);
    // Only the largest of the two is kept (one stream), and it is folded with no read asked.
    assert!(server.logs_within("folded stream big at start", std::time::Duration::from_secs(30)), "{}", server.log());
    assert!(!server.log().contains("folded stream small"), "{}", server.log());
    let lod = ok(server.addr, "/api/streams/big/lod?level=decade").await;
    assert!(lod["buckets"].as_array().is_some_and(|b| !b.is_empty()));
}

/// Every envelope of a stream, read from the store at `dir` (the server stopped).
async fn stream_envelopes(dir: &Path, name: &str) -> Vec<annals_core::Envelope> {
    let store = SqliteStore::open(dir.join("annals.db")).expect("open");
    let mut all = Vec::new();
    loop {
        let after = all.last().map_or(0, |e: &annals_core::Envelope| e.position);
        let page = store.read_stream(StreamName::from(name), after, 10_000).await.expect("read");
        if page.events.is_empty() {
            break;
        }
        all.extend(page.events);
    }
    store.close().await.expect("close");
    all
}

/// What a fold of `log` up to `position` shows at `path` (one of the paths asked below), in
/// the terms of the answer: the figures' fields, the graph's nodes and edges without their
/// places, the timeline's keys.
fn expected(log: &[annals_core::Envelope], position: u64, path: &str) -> Value {
    use annals_core::projection::{AsOf, GraphQuery, Projections};
    let query: BTreeMap<String, String> =
        form_urlencoded::parse(path.split_once('?').map_or("", |(_, q)| q).as_bytes()).into_owned().collect();
    let date = |name: &str| query.get(name).map(|d| d.parse::<annals_core::PartialDate>().expect("date"));
    let folded = Projections::fold(log, AsOf { position: Some(position), date: date("as_of") });
    if path.contains("/stats") {
        return serde_json::to_value(folded.stats_view()).expect("json");
    }
    if path.contains("/graph") {
        let window = match (date("from"), date("to")) {
            (None, None) => None,
            (from, to) => Some((from.map_or(i64::MIN, |d| d.first_day()), to.map_or(i64::MAX, |d| d.last_day()))),
        };
        let view = folded.graph_view(&GraphQuery { window, ego: query.get("ego").map(|e| e.as_str().into()) });
        return serde_json::to_value(view).expect("json");
    }
    let entries = folded.timeline.entries().map(|r| {
        let o = &r.event.occurred;
        (o.first_day(), o.last_day(), r.id.as_str().to_owned())
    });
    serde_json::to_value(entries.collect::<Vec<_>>()).expect("json")
}

/// An answer in the terms of [`expected`].
fn shown(path: &str, answer: &Value) -> Value {
    let mut answer = answer.clone();
    if path.contains("/stats") {
        let map = answer.as_object_mut().expect("object");
        map.remove("stream");
        map.remove("version");
        return answer;
    }
    if path.contains("/graph") {
        let pick = |list: &Value, keys: &[&str]| -> Value {
            let list = list.as_array().expect("list").iter();
            Value::Array(list.map(|n| keys.iter().map(|k| ((*k).to_owned(), n[*k].clone())).collect()).collect())
        };
        return serde_json::json!({
            "nodes": pick(&answer["nodes"], &["id", "label", "kind", "activity"]),
            "edges": pick(&answer["edges"], &["a", "b", "by_kind"]),
        });
    }
    serde_json::to_value(keys(&answer["entries"])).expect("json")
}

/// Views as of a log position (the history of the kept projections, no fold per call) are
/// those of a fold of the store up to that position — figures (also as of a year and a day),
/// the graph (whole, a window cutting two years, an ego view), the timeline — at positions
/// across the record, in another stream's stretch of the log, and after appends and a
/// retraction made while the stream was kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn views_as_of_a_position_equal_a_fold_of_the_store_up_to_it() {
    let dir = tempfile::tempdir().expect("dir");
    {
        let store = SqliteStore::open(dir.path().join("annals.db")).expect("open");
        append_synthetic(&store, "big", 3_000, 9).await;
        // Another stream's stretch of the log.
        let mut other = common::countries();
        other.extend((0..150).map(|i| common::call(&format!("other-{i}"))));
        store.append(StreamName::from("other"), ExpectedVersion::Any, other).await.expect("append");
        store.close().await.expect("close");
    }
    let before = stream_envelopes(dir.path(), "big").await;
    let big_last = before.last().expect("envelopes").position;
    let server = serve(dir.path(), &[]);
    let addr = server.addr;
    let now = ok(addr, "/api/streams/big/timeline").await;

    // Appended while kept: calls, and a retraction of an early event.
    let head = format!(
        "POST /api/streams/big/events HTTP/1.1\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json"
    );
    let target = now["entries"][10]["id"].as_str().expect("id").to_owned();
    let mut records: Vec<String> =
        (0..4).map(|i| common::call_json(&format!("late-{i}"), &format!("1990-06-1{i}"), "c1", "p3")).collect();
    records.insert(
        2,
        format!(r#"{{"id":"drop-it","type":"Retracted","payload":{{"target":"{target}","reason":"a test"}}}}"#),
    );
    let mut appended = Vec::new();
    for record in &records {
        let answer = send(addr, &head, record.as_bytes()).await;
        assert_eq!(answer.status, 201, "{}", String::from_utf8_lossy(&answer.body));
        appended.push(int(&answer.json()["positions"][0]) as u64);
    }
    let last = *appended.last().expect("appended");

    let positions =
        [1, 50, 700, 2_000, big_last, big_last + 150, appended[0], appended[2], appended[3], last, last + 9];
    let paths = [
        "stats",
        "stats?as_of=1990-06-15",
        "stats?as_of=1980",
        "graph",
        "graph?from=1960-03&to=1990-07-04",
        "graph?ego=p3",
        "timeline",
    ];
    // Asked sixteen at a time: computed on the work threads side by side, each answer is
    // still its own position's.
    let asked: Vec<(u64, String)> = positions
        .iter()
        .flat_map(|&p| {
            paths.iter().map(move |path| {
                let join = if path.contains('?') { '&' } else { '?' };
                (p, format!("/api/streams/big/{path}{join}as_of_position={p}"))
            })
        })
        .collect();
    let mut answers = Vec::new();
    for batch in asked.chunks(16) {
        let tasks: Vec<_> = batch
            .iter()
            .cloned()
            .map(|(p, path)| tokio::spawn(async move { (p, path.clone(), ok(addr, &path).await) }))
            .collect();
        for task in tasks {
            answers.push(task.await.expect("reader"));
        }
    }
    // The head of the log, asked as a position, is the record now.
    let stats_now = ok(addr, "/api/streams/big/stats").await;
    let at_last = ok(addr, &format!("/api/streams/big/stats?as_of_position={last}")).await;
    assert_eq!(shown("/stats", &at_last), shown("/stats", &stats_now));
    drop(server);

    let log = stream_envelopes(dir.path(), "big").await;
    assert_eq!(log.len(), before.len() + records.len());
    for (p, path, answer) in &answers {
        assert_eq!(shown(path, answer), expected(&log, *p, path), "{path}");
    }
    // (Not a vacuous comparison: the positions show different records.)
    let stats = |p: u64| {
        let path = format!("/api/streams/big/stats?as_of_position={p}");
        answers.iter().find(|(q, asked, _)| *q == p && *asked == path).map(|(_, _, answer)| answer.clone())
    };
    let count = |p: u64| int(&stats(p).expect("stats")["events"]);
    assert_eq!(count(50), 0);
    let graph =
        answers.iter().find(|(p, path, _)| *p == big_last && path.ends_with(&format!("graph?as_of_position={p}")));
    let edges = graph.map_or(0, |(_, path, answer)| shown(path, answer)["edges"].as_array().map_or(0, Vec::len));
    assert!(edges > 100, "{edges} edges");
    assert!(count(700) < count(2_000) && count(2_000) < count(big_last));
    assert_eq!(count(big_last), count(big_last + 150));
    assert_eq!(count(appended[2]), count(appended[0]), "a call in, an event retracted");
    assert_eq!(count(appended[3]), count(appended[0]) + 1);
}

/// The envelopes a text search finds, judged the way the service judged them before it kept
/// search texts: each envelope's event (or actor) looked up in the whole record folded as it
/// stands, its texts lowercased one by one.
fn searched_the_old_way(
    envelopes: &[annals_core::Envelope],
    kind: Option<&str>,
    actor: Option<&str>,
    q: &str,
) -> Vec<u64> {
    use annals_core::{Event, Projections};
    let mut p = Projections::default();
    for env in envelopes {
        p.apply(env);
    }
    let q = q.to_lowercase();
    let has = |text: &str| text.to_lowercase().contains(&q);
    envelopes
        .iter()
        .filter(|env| kind.is_none_or(|k| k.eq_ignore_ascii_case(env.event.type_name())))
        .filter(|env| match &env.event {
            Event::ActorRegistered(a) => p
                .catalog
                .actor(a.actor.as_str())
                .is_some_and(|a| actor.is_none_or(|x| a.actor.as_str() == x) && a.names.values().any(|n| has(n))),
            event => {
                let id = event.target().unwrap_or(&env.id);
                p.catalog.event_any(id.as_str()).is_some_and(|r| {
                    let e = &r.event;
                    actor.is_none_or(|x| e.participant_ids().chain(e.places.iter()).any(|a| a.as_str() == x))
                        && e.texts().any(has)
                })
            }
        })
        .map(|env| env.position)
        .collect()
}

/// Every position `events?{query}` finds, following `next` (small pages, many calls).
async fn searched(addr: SocketAddr, query: &str) -> Vec<u64> {
    let mut found = Vec::new();
    let mut after = 0;
    loop {
        let page = ok(addr, &format!("/api/streams/big/events?limit=7&after={after}&{query}")).await;
        found.extend(page["events"].as_array().expect("events").iter().map(|e| e["position"].as_u64().expect("pos")));
        match page["next"].as_u64() {
            Some(next) => after = next,
            None => return found,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_search_finds_what_looking_up_each_envelope_found() {
    let dir = tempfile::tempdir().expect("dir");
    synthetic_store(dir.path(), "big", 12_000, 13).await;
    let server = serve(dir.path(), &[]);
    let addr = server.addr;
    let post = |records: String| async move {
        let head = format!(
            "POST /api/streams/big/events HTTP/1.1\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json"
        );
        let answer = send(addr, &head, records.as_bytes()).await;
        assert_eq!(answer.status, 201, "{}", String::from_utf8_lossy(&answer.body));
    };
    let with = |id: &str, set: Value| -> Value {
        let mut record: Value = serde_json::from_str(&common::call_json(id, "1990-03-15", "c0", "c1")).expect("json");
        for (k, v) in set.as_object().expect("fields") {
            record["payload"][k] = v.clone();
        }
        record
    };
    // Texts that are not ASCII (a final sigma, a dotted capital I), a summary, a translation.
    let first = Value::Array(vec![
        with("greek", serde_json::json!({"title": "ΟΔΟΣ ΑΘΗΝΩΝ", "summary": "Συνάντηση στην Αθήνα"})),
        with("turkish", serde_json::json!({"title": "İSTANBUL görüşmesi"})),
        with(
            "russian",
            serde_json::json!({"titles": {"ru": {"text": "Телефонный разговор", "origin": "translation"}}}),
        ),
    ]);
    post(first.to_string()).await;
    let queries = [
        "q=visit%201",
        "q=corrected%203",
        "q=CALL%205",
        "q=%CE%9F%CE%94%CE%9F%CE%A3",             // ΟΔΟΣ
        "q=%CF%82",                               // ς
        "q=%CF%83%CF%85%CE%BD%CE%AC%CE%BD%CF%84", // συνάντ
        "q=%C4%B0stanbul",                        // İstanbul
        "q=%D1%80%D0%B0%D0%B7%D0%B3%D0%BE%D0%B2%D0%BE%D1%80",
        "q=country%203",
        "q=renamed",
        "q=",
        "q=a%00b",
        "q=no-such-text",
        "kind=Call&q=call%201",
        "kind=corrected&q=CORRECTED",
        "actor=c0&q=visit",
    ];
    // Once before the changes below (the first fold), once after (folded as they come).
    let before: Vec<Vec<u64>> = {
        let mut all = Vec::new();
        for query in queries {
            all.push(searched(addr, query).await);
        }
        all
    };
    assert!(before[3].len() == 1 && before[6].len() == 1 && before[7].len() == 1, "{before:?}");
    let correct = |id: &str, target: &str, title: &str| serde_json::json!({"id": id, "type": "Corrected", "payload": {"target": target, "changes": {"title": title}, "reason": "test", "sources": [{"publisher": "Test", "title": "Fix"}]}});
    post(
        Value::Array(vec![
            correct("fix-greek", "greek", "Renamed meeting"),
            correct("fix-e5", "e5", "Renamed ΣΑΣ"),
            with("late", serde_json::json!({"title": "Late visit 1"})),
        ])
        .to_string(),
    )
    .await;
    let mut after = Vec::new();
    for query in queries {
        after.push(searched(addr, query).await);
    }
    drop(server);

    let store = SqliteStore::open(dir.path().join("annals.db")).expect("open");
    let envelopes = store.read_stream(StreamName::from("big"), 0, 1_000_000).await.expect("read").events;
    store.close().await.expect("close");
    for (query, got) in queries.iter().zip(&after) {
        let param = |name: &str| -> Option<String> {
            form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
        };
        let expected = searched_the_old_way(
            &envelopes,
            param("kind").as_deref(),
            param("actor").as_deref(),
            &param("q").unwrap_or_default(),
        );
        assert_eq!(got, &expected, "{query}");
    }
    // The corrections moved what the searches find: the Greek title is gone (its summary
    // stays), e5 is found by its new one, and both corrections by their events' texts.
    assert!(after[3].is_empty() && after[5].len() == 2, "{after:?}");
    assert_eq!(after[9].len(), 4, "{after:?}");
    assert!(after[0].len() > before[0].len());
}

/// Each of `cases` (a path under the stream `big`, the error's code, words of its message) is
/// answered 400 with the JSON error, saying why.
async fn refused(addr: SocketAddr, cases: &[(&str, &str, &str)]) {
    for (path, code, says) in cases {
        let answer = get(addr, &format!("/api/streams/big/{path}")).await;
        assert_eq!(answer.status, 400, "{path}");
        let error = &answer.json()["error"];
        assert_eq!(error["code"], *code, "{path}");
        assert!(error["message"].as_str().is_some_and(|m| m.contains(says)), "{path}: {error}");
    }
}

/// The ids of the timeline's entries that the web app's filters keep: every word of `q` in
/// the title (the synthetic events have no summary or tags, and no actor is named so), and
/// `actor` among the participants.
fn kept_by_the_page(entries: &Value, actor: Option<&str>, q: &str) -> Vec<(i64, String)> {
    let names = |e: &Value| -> Vec<String> {
        let event = &e["event"];
        let mut ids: Vec<String> =
            ["visitor", "host", "commission"].iter().filter_map(|f| event[*f].as_str().map(str::to_owned)).collect();
        for field in ["parties", "co_chairs"] {
            ids.extend(event[field].as_array().into_iter().flatten().filter_map(|a| a.as_str().map(str::to_owned)));
        }
        ids.extend(
            event["actors"].as_array().into_iter().flatten().filter_map(|a| a["actor"].as_str().map(str::to_owned)),
        );
        ids
    };
    entries
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| actor.is_none_or(|a| names(e).iter().any(|n| n == a)))
        .filter(|e| {
            let title = e["title"].as_str().expect("title").to_lowercase();
            q.split_whitespace().all(|w| title.contains(&w.to_lowercase()))
        })
        .map(|e| (int(&e["first_day"]), e["id"].as_str().expect("id").to_owned()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lod_and_window_with_the_pages_filters_count_and_find_what_it_shows_walking_a_bounded_number() {
    let dir = tempfile::tempdir().expect("dir");
    synthetic_store(dir.path(), "big", 45_000, 11).await;
    let server = serve(dir.path(), &[]);
    let addr = server.addr;
    let whole = ok(addr, "/api/streams/big/timeline").await;
    let all = whole["entries"].as_array().expect("entries").len();
    assert!(all > 40_000, "{all} entries");
    let walk = annals_server::http::shown::MAX_WALK;

    for (actor, q) in [(None, "SIGNING"), (Some("p3"), ""), (Some("p3"), "visit")] {
        let expected = kept_by_the_page(&whole["entries"], actor, q);
        assert!(!expected.is_empty() && expected.len() < all / 2, "{actor:?} {q:?}: {}", expected.len());
        let filter = format!("{}&q={}", actor.map(|a| format!("actor={a}")).unwrap_or_default(), q);
        // Counts by year, a call walking at most MAX_WALK events, then going on from `next`.
        let mut by_year: BTreeMap<i64, i64> = BTreeMap::new();
        let (mut cursor, mut calls) = (String::new(), 0);
        loop {
            let lod = ok(addr, &format!("/api/streams/big/lod?level=year&{filter}{cursor}")).await;
            for b in lod["buckets"].as_array().expect("buckets") {
                let n: i64 = b["counts"]["by_kind"].as_array().expect("by_kind").iter().map(int).sum();
                *by_year.entry(year_of_day(int(&b["start"]))).or_default() += n;
            }
            calls += 1;
            match lod["next"].as_str() {
                Some(next) => cursor = format!("&cursor={next}"),
                None => break,
            }
        }
        assert_eq!(calls, all.div_ceil(walk), "{actor:?} {q:?}: each call walks at most {walk}");
        let mut counted: BTreeMap<i64, i64> = BTreeMap::new();
        for (first, _) in &expected {
            *counted.entry(year_of_day(*first)).or_default() += 1;
        }
        assert_eq!(by_year, counted, "{actor:?} {q:?}");
        // Asked again at the same version: the same bytes, kept.
        let again = get(addr, &format!("/api/streams/big/lod?level=year&{filter}")).await;
        assert_eq!(again.status, 200);

        // The page's search: a filtered window, paged, finds the same events in order.
        let mut found = Vec::new();
        let mut cursor = String::new();
        loop {
            let page = ok(addr, &format!("/api/streams/big/window?as=log&limit=1000&{filter}{cursor}")).await;
            for e in page["events"].as_array().expect("events") {
                if e["type"] != "ActorRegistered" && e["type"] != "Disputed" {
                    found.push(e["id"].as_str().expect("id").to_owned());
                }
            }
            match page["next"].as_str() {
                Some(next) => cursor = format!("&cursor={next}"),
                None => break,
            }
        }
        let expected: Vec<String> = expected.into_iter().map(|(_, id)| id).collect();
        let differ = found.iter().zip(&expected).position(|(a, b)| a != b);
        assert_eq!((found.len(), differ), (expected.len(), None), "{actor:?} {q:?}");
    }

    // An unknown actor keeps nothing; bad filters are 400 with the JSON error, saying why.
    let none = ok(addr, "/api/streams/big/lod?level=decade&actor=nobody").await;
    assert!(none["buckets"].as_array().expect("buckets").is_empty());
    let long = "x".repeat(201);
    refused(
        addr,
        &[
            ("lod?level=year&actor=", "bad_query", "actor= is empty"),
            (&*format!("lod?level=year&q={long}"), "bad_query", "at most 200"),
            ("lod?level=year&cursor=1.2.3", "bad_query", "only with a filter"),
            ("lod?level=year&q=visit&cursor=abc", "bad_cursor", "not a cursor"),
            ("lod?level=day&q=visit", "window_too_wide", "buckets"),
            ("window?as=log&event=e1&q=visit", "bad_query", "event= takes"),
            ("window?q=visit&limit=0", "bad_query", "limit=0"),
        ],
    )
    .await;
    drop(server);
}

/// The figures of a filtered `stats`, its parts added up: the years' counts and documents,
/// the totals and the visits by direction (`actors` and `retracted` are the stream's in each).
fn added_up(parts: &[Value]) -> Value {
    let mut years: BTreeMap<i64, (Vec<i64>, i64)> = BTreeMap::new();
    let mut by_kind: BTreeMap<String, i64> = BTreeMap::new();
    let mut visits: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut totals: BTreeMap<&str, i64> = BTreeMap::new();
    for part in parts {
        for row in part["years"].as_array().expect("years") {
            let (counts, documents) = years.entry(int(&row["year"])).or_default();
            let these: Vec<i64> = row["by_kind"].as_array().expect("by_kind").iter().map(int).collect();
            counts.resize(these.len(), 0);
            counts.iter_mut().zip(these).for_each(|(a, b)| *a += b);
            *documents += int(&row["documents"]);
        }
        for (kind, n) in part["by_kind"].as_object().expect("by_kind") {
            *by_kind.entry(kind.clone()).or_default() += int(n);
        }
        for v in part["visits"].as_array().expect("visits") {
            let key = (v["from"].as_str().expect("from").to_owned(), v["to"].as_str().expect("to").to_owned());
            *visits.entry(key).or_default() += int(&v["visits"]);
        }
        for field in ["events", "documents", "disputed", "corrected"] {
            *totals.entry(field).or_default() += int(&part[field]);
        }
        assert_eq!(
            (&part["actors"], &part["retracted"]),
            (&parts[0]["actors"], &parts[0]["retracted"]),
            "the stream's in every part"
        );
    }
    years.retain(|_, (counts, _)| counts.iter().any(|n| *n > 0));
    serde_json::json!({
        "years": years.into_iter().collect::<Vec<_>>(),
        "by_kind": by_kind,
        "visits": visits.into_iter().map(|((f, t), n)| (format!("{f}>{t}"), n)).collect::<BTreeMap<_, _>>(),
        "events": totals["events"], "documents": totals["documents"], "disputed": totals["disputed"],
        "corrected": totals["corrected"],
    })
}

/// [`added_up`]'s terms of figures of one answer (core's `StatsView` as JSON).
fn as_added_up(stats: &Value) -> Value {
    added_up(std::slice::from_ref(stats))
}

/// `stats` with the web app's filters, walked in parts, are the figures of a fold of the
/// record's events that the page's filters keep (its registrations, those events, their
/// corrections and disputes) — now and as of a year and a day — and bad values are 400.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_with_the_pages_filters_are_the_figures_of_the_events_they_keep() {
    use annals_core::projection::{AsOf, Projections};
    let dir = tempfile::tempdir().expect("dir");
    synthetic_store(dir.path(), "big", 12_000, 5).await;
    let log = stream_envelopes(dir.path(), "big").await;
    let server = serve(dir.path(), &[]);
    let addr = server.addr;
    let whole = ok(addr, "/api/streams/big/timeline").await;
    let all = whole["entries"].as_array().expect("entries").len();
    let walk = annals_server::http::shown::MAX_WALK;
    assert!(all > 2 * walk, "{all} entries: the figures come in parts");
    let unfiltered = ok(addr, "/api/streams/big/stats").await;

    for (actor, q, as_of) in [
        (None, "SIGNING", None),
        (Some("p3"), "", None),
        (Some("p3"), "visit", None),
        (Some("p3"), "", Some("1990")),
        (None, "visit", Some("1985-06-15")),
    ] {
        let case = format!("{actor:?} {q:?} {as_of:?}");
        // The events the page keeps, judged apart from the service's code (the synthetic
        // events name no actor in their titles), then the log of those events alone.
        let kept: std::collections::HashSet<String> =
            kept_by_the_page(&whole["entries"], actor, q).into_iter().map(|(_, id)| id).collect();
        assert!(!kept.is_empty() && kept.len() < all / 2, "{case}: {}", kept.len());
        let theirs: Vec<annals_core::Envelope> = log
            .iter()
            .filter(|e| match (&e.event, e.event.target()) {
                (annals_core::Event::Domain(..), _) => kept.contains(e.id.as_str()),
                (_, Some(target)) => kept.contains(target.as_str()),
                _ => true,
            })
            .cloned()
            .collect();
        let date = as_of.map(|d| d.parse::<annals_core::PartialDate>().expect("date"));
        let folded = Projections::fold(&theirs, AsOf { position: None, date });
        let expected = serde_json::to_value(folded.stats_view()).expect("json");
        assert!(int(&expected["events"]) > 0, "{case}");

        let filter = format!(
            "{}&q={q}{}",
            actor.map(|a| format!("actor={a}")).unwrap_or_default(),
            as_of.map(|d| format!("&as_of={d}")).unwrap_or_default()
        );
        let (mut parts, mut cursor) = (Vec::new(), String::new());
        loop {
            let part = ok(addr, &format!("/api/streams/big/stats?{filter}{cursor}")).await;
            assert!(int(&part["walked"]) <= int(&part["of"]), "{case}: {part}");
            let next = part["next"].as_str().map(|n| format!("&cursor={n}"));
            parts.push(part);
            match next {
                Some(next) => cursor = next,
                None => break,
            }
        }
        let last = parts.last().expect("a part");
        assert_eq!(last["walked"], last["of"], "{case}: walked to the end");
        assert_eq!(parts.len(), (int(&last["of"]) as usize).div_ceil(walk), "{case}: at most {walk} a call");
        // (The filters choose among the events shown: the registrations and the retractions
        // counted are the stream's.)
        assert_eq!((&last["actors"], &last["retracted"]), (&unfiltered["actors"], &unfiltered["retracted"]), "{case}");
        assert_eq!(added_up(&parts), as_added_up(&expected), "{case}");
        // Asked again at the same version: kept, the same bytes.
        let first = get(addr, &format!("/api/streams/big/stats?{filter}")).await;
        let again = get(addr, &format!("/api/streams/big/stats?{filter}")).await;
        assert_eq!((first.status, &first.body), (200, &again.body), "{case}");
    }

    // Bad values are 400 with the JSON error, saying why.
    let long = "x".repeat(201);
    refused(
        addr,
        &[
            ("stats?actor=", "bad_query", "actor= is empty"),
            (&*format!("stats?q={long}"), "bad_query", "at most 200"),
            ("stats?q=visit&as_of_position=10", "bad_query", "without as_of_position"),
            ("stats?cursor=1.2.3", "bad_query", "only with a filter"),
            ("stats?actor=p3&cursor=1.2", "bad_cursor", "not a cursor"),
            ("stats?actor=p3&as_of=1990-13", "bad_query", "as_of="),
            ("stats?actor=p3&from=1990", "bad_query", "unknown field"),
        ],
    )
    .await;
    drop(server);
}
