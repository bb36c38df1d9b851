//! Each projection on small records written here, and snapshots of every projection of the
//! default record (`data/azerbaijan-belarus.json`).

use annals_core::format::native::{load, read_ndjson};
use annals_core::projection::{layout, AsOf, GraphQuery, LaneMode, Level, Projections, Timeline};
use annals_core::validate::Nothing;
use annals_core::{EventKind, ExpectedVersion, Log, PartialDate, StreamName, Timestamp};

/// Actors and events shared by the small tests: three countries, two leaders, a capital.
const BASE: &str = r#"
{"id":"a:aze","type":"ActorRegistered","payload":{"actor":"aze","kind":"country","names":{"en":"Azerbaijan"},"capital":"baku"}}
{"id":"a:blr","type":"ActorRegistered","payload":{"actor":"blr","kind":"country","names":{"en":"Belarus"}}}
{"id":"a:uzb","type":"ActorRegistered","payload":{"actor":"uzb","kind":"country","names":{"en":"Uzbekistan"}}}
{"id":"a:baku","type":"ActorRegistered","payload":{"actor":"baku","kind":"place","names":{"en":"Baku"},"country":"aze","coordinates":{"lat":40.4093,"lon":49.8671}}}
{"id":"a:aliyev","type":"ActorRegistered","payload":{"actor":"aliyev","kind":"person","names":{"en":"Ilham Aliyev"},"country":"aze"}}
{"id":"a:luk","type":"ActorRegistered","payload":{"actor":"lukashenko","kind":"person","names":{"en":"Alexander Lukashenko"},"country":"blr"}}
{"id":"v2024","type":"Visit","payload":{"occurred":"2024-05-16/2024-05-17","title":"State visit","visitor":"lukashenko","host":"aze","level":"state","actors":[{"actor":"aliyev","role":"host"}],"places":["baku"],"sources":[{"publisher":"P","title":"T"}]}}
{"id":"s2024","type":"Signing","payload":{"occurred":"2024-05-16","title":"Nine documents","parties":["aze","blr"],"count":9,"documents":[{"title":"Protocol","kind":"protocol"}],"part_of":"v2024","sources":[{"publisher":"P","title":"T"}]}}
{"id":"v2009","type":"Visit","payload":{"occurred":"2009","title":"Visit","visitor":"aliyev","host":"blr","sources":[{"publisher":"P","title":"T"}]}}
{"id":"c2021","type":"Call","payload":{"occurred":"2021-05-22","title":"Call","actors":[{"actor":"aliyev","role":"caller"},{"actor":"lukashenko","role":"recipient"}],"sources":[{"publisher":"P","title":"T"}]}}
{"id":"s2018","type":"Signing","payload":{"occurred":"2018-11-19","title":"Nine more","parties":["aze","blr"],"count":9,"sources":[{"publisher":"P","title":"T"}]}}
{"id":"t2024","type":"Talks","payload":{"occurred":"2024-02","title":"Talks","actors":[{"actor":"uzb"},{"actor":"aze"}],"sources":[{"publisher":"P","title":"T"}]}}
"#;

fn fold_text(text: &str, as_of: AsOf) -> Projections {
    let loaded = read_ndjson(text.as_bytes(), &Nothing);
    assert!(loaded.is_clean(), "{:#?}", loaded.diagnostics);
    let mut log = Log::new();
    log.append(&StreamName::from("t"), ExpectedVersion::Any, loaded.proposed(), Timestamp(0)).expect("append");
    Projections::fold(log.read_from(0), as_of)
}

fn titles(t: &Timeline) -> Vec<String> {
    t.entries().map(|r| format!("{} {}", r.event.occurred, r.id)).collect()
}

fn day(s: &str) -> i64 {
    s.parse::<PartialDate>().expect("date").first_day()
}

#[test]
fn timeline_orders_by_occurrence_with_coarse_dates_first() {
    let p = fold_text(BASE, AsOf::NOW);
    assert_eq!(
        titles(&p.timeline),
        [
            "2009 v2009",
            "2018-11-19 s2018",
            "2021-05-22 c2021",
            "2024-02 t2024",
            "2024-05-16 s2024",
            "2024-05-16/2024-05-17 v2024"
        ]
    );
    // A window catches the year-only visit from inside its year, and the range from its end.
    let in_2009: Vec<_> = p.timeline.window(day("2009-07-01"), day("2009-07-31")).map(|r| r.id.as_str()).collect();
    assert_eq!(in_2009, ["v2009"]);
    let on_17_may: Vec<_> = p.timeline.window(day("2024-05-17"), day("2024-05-17")).map(|r| r.id.as_str()).collect();
    assert_eq!(on_17_may, ["v2024"]);
}

#[test]
fn level_of_detail_counts_per_bucket_and_marks_uncertain_dates() {
    let p = fold_text(BASE, AsOf::NOW);
    let decades = p.timeline.buckets(Level::Decade, day("2000"), day("2029"));
    let totals: Vec<u32> = decades.iter().map(|b| b.counts.total()).collect();
    assert_eq!(totals, [1, 1, 4]);
    let years = p.timeline.buckets(Level::Year, day("2024"), day("2024-12-31"));
    assert_eq!(years.len(), 1);
    assert_eq!(years[0].counts.by_kind[EventKind::Visit.index()], 1);
    assert_eq!(years[0].counts.by_kind[EventKind::Signing.index()], 1);
    assert_eq!(years[0].counts.uncertain, 0);
    // "2024-02" is a month: certain in a month bucket, uncertain in a day bucket.
    let feb = p.timeline.buckets(Level::Month, day("2024-02"), day("2024-02"));
    assert_eq!((feb[0].counts.total(), feb[0].counts.uncertain), (1, 0));
    let feb_days = p.timeline.buckets(Level::Day, day("2024-02-01"), day("2024-02-29"));
    assert_eq!((feb_days[0].counts.total(), feb_days[0].counts.uncertain), (1, 1));
    // The year-only 2009 visit is uncertain at month level.
    let y2009 = p.timeline.buckets(Level::Month, day("2009"), day("2009-12-31"));
    assert_eq!(y2009[0].counts.uncertain, 1);
    assert_eq!(Level::for_scale(1.0 / 50.0, 8.0), Level::Day);
    assert_eq!(Level::for_scale(3.0, 8.0), Level::Month);
    assert_eq!(Level::for_scale(40.0, 8.0), Level::Year);
    assert_eq!(Level::for_scale(400.0, 8.0), Level::Decade);
}

#[test]
fn lanes_by_the_files_own_groups() {
    // Two groups (one under a reader's prefix, one bare), and an event without a group.
    let text = format!(
        "{BASE}{}\n{}\n",
        r#"{"id":"g1","type":"Other","payload":{"occurred":"2019-03-01","title":"Council","codes":{"timelinejs:group":"Council "},"sources":[{"publisher":"P","title":"T"}]}}"#,
        r#"{"id":"g2","type":"Other","payload":{"occurred":"2020-03-01","title":"Works","codes":{"group":"Works","timelinejs:media.url":"x"},"sources":[{"publisher":"P","title":"T"}]}}"#,
    );
    let p = fold_text(&text, AsOf::NOW);
    assert!(p.timeline.has_groups());
    let groups = p.timeline.lanes(LaneMode::Group, &p.catalog);
    let labels: Vec<&str> = groups.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(labels, ["Council", "Works", "No group"], "in the order they first occur, the ungrouped last");
    let lane = |id: &str| Timeline::lanes_of(p.catalog.event(id).expect("event"), LaneMode::Group, &groups);
    assert_eq!((lane("g1"), lane("g2"), lane("v2024")), (vec![0], vec![1], vec![2]));
    for mode in LaneMode::ALL {
        assert_eq!(LaneMode::from_name(mode.name()), Some(mode));
    }
    assert_eq!(LaneMode::from_name("kinds"), None);
}

#[test]
fn lanes_by_kind_and_by_actor() {
    let p = fold_text(BASE, AsOf::NOW);
    let kinds = p.timeline.lanes(LaneMode::Kind, &p.catalog);
    let keys: Vec<&str> = kinds.iter().map(|l| l.key.as_str()).collect();
    assert_eq!(keys, ["Visit", "Signing", "Talks", "Call"], "only the kinds the record has, in lane order");
    let call = p.catalog.event("c2021").expect("call");
    assert_eq!(Timeline::lanes_of(call, LaneMode::Kind, &kinds), [3]);
    assert!(!p.timeline.has_groups());
    assert_eq!(p.timeline.lanes(LaneMode::None, &p.catalog).len(), 1);
    assert_eq!(Timeline::lanes_of(call, LaneMode::None, &kinds), [0]);
    let actors = p.timeline.lanes(LaneMode::Actor, &p.catalog);
    let labels: Vec<&str> = actors.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(labels, ["Azerbaijan", "Ilham Aliyev", "Belarus", "Alexander Lukashenko", "Uzbekistan"]);
    let visit = p.catalog.event("v2024").expect("visit");
    let lanes = Timeline::lanes_of(visit, LaneMode::Actor, &actors);
    let of_visit: Vec<&str> = lanes.iter().map(|i| actors[*i].key.as_str()).collect();
    assert_eq!(of_visit, ["lukashenko", "aze", "aliyev"]);
}

const CHANGES: &str = r#"
{"id":"fix1","type":"Corrected","payload":{"target":"c2021","changes":{"occurred":"2021-11-08","title":"Call (corrected)"},"reason":"wrong day","sources":[{"publisher":"Q","title":"U"}]}}
{"id":"gone","type":"Retracted","payload":{"target":"s2018","reason":"duplicate of another record","sources":[{"publisher":"Q","title":"U"}]}}
{"id":"dis","type":"Disputed","payload":{"target":"t2024","field":"occurred","claims":[{"value":"2024-02-08","sources":[{"publisher":"A","title":"a"}]},{"value":"2024-02-15","sources":[{"publisher":"B","title":"b"}]}]}}
{"id":"fix-actor","type":"Corrected","payload":{"target":"a:uzb","changes":{"names":{"en":"Republic of Uzbekistan"}}}}
"#;

#[test]
fn corrections_retractions_and_disputes_reach_every_projection() {
    let p = fold_text(&format!("{BASE}{CHANGES}"), AsOf::NOW);
    assert_eq!(
        titles(&p.timeline),
        ["2009 v2009", "2021-11-08 c2021", "2024-02 t2024", "2024-05-16 s2024", "2024-05-16/2024-05-17 v2024"]
    );
    let call = p.catalog.event("c2021").expect("call");
    assert_eq!(call.event.title, "Call (corrected)");
    assert_eq!(call.corrections.len(), 1);
    assert!(p.catalog.event("s2018").is_none());
    assert_eq!(
        p.catalog.event_any("s2018").and_then(|r| r.retracted.as_ref()).map(|r| r.reason.as_str()),
        Some("duplicate of another record")
    );
    let stats = p.stats_view();
    assert_eq!((stats.events, stats.disputed, stats.corrected, stats.retracted), (5, 1, 1, 1));
    assert_eq!(stats.documents, 9, "the retracted signing no longer counts");
    let graph = p.graph_view(&GraphQuery::default());
    let uzb = graph.nodes.iter().find(|n| n.id.as_str() == "uzb").expect("uzb");
    assert_eq!(uzb.label, "Republic of Uzbekistan");
    let aze_blr = graph.edges.iter().find(|e| e.a.as_str() == "aze" && e.b.as_str() == "blr").expect("edge");
    assert_eq!(aze_blr.by_kind[EventKind::Signing.index()], 1);
    // The LOD index follows the moved call.
    let y2021 = p.timeline.buckets(Level::Month, day("2021-05"), day("2021-11"));
    assert_eq!(y2021.len(), 1);
    assert_eq!(y2021[0].start, day("2021-11-01"));
}

/// The graph's year index, once built, follows corrections and retractions: a window that
/// cuts a year after them is the window of a fresh fold (each year keeps its events beside
/// their positions, and must take them away together).
#[test]
fn graph_windows_follow_changes_made_after_the_year_index_is_built() {
    let text = format!("{BASE}{CHANGES}");
    let loaded = read_ndjson(text.as_bytes(), &Nothing);
    let mut log = Log::new();
    log.append(&StreamName::from("t"), ExpectedVersion::Any, loaded.proposed(), Timestamp(0)).expect("append");
    let envelopes = log.read_from(0);
    let (head, tail) = envelopes.split_at(envelopes.len() - 4);
    let mut p = Projections::fold(head, AsOf::NOW);
    let windows = [("2018-11-01", "2018-11-30"), ("2021-05-01", "2021-06-30"), ("2021-06-01", "2024-05-16")];
    let view = |p: &Projections, (from, to): (&str, &str)| {
        let to = to.parse::<PartialDate>().expect("date").last_day();
        p.graph_view(&GraphQuery { window: Some((day(from), to)), ego: None })
    };
    let before: Vec<_> = windows.iter().map(|w| view(&p, *w)).collect();
    for env in tail {
        p.apply(env);
    }
    let fresh = Projections::fold(envelopes, AsOf::NOW);
    for (w, before) in windows.iter().zip(before) {
        assert_eq!(view(&p, *w), view(&fresh, *w), "{w:?}");
        assert_ne!(view(&p, *w), before, "{w:?} changed");
    }
}

#[test]
fn as_of_a_date_shows_what_had_certainly_happened() {
    let p = fold_text(BASE, AsOf { position: None, date: Some("2009-06-30".parse().expect("d")) });
    assert!(p.timeline.is_empty(), "a year-only 2009 event is not certain by June 2009");
    let p = fold_text(BASE, AsOf { position: None, date: Some("2009".parse().expect("d")) });
    assert_eq!(titles(&p.timeline), ["2009 v2009"]);
    let p = fold_text(BASE, AsOf { position: None, date: Some("2024-05-16".parse().expect("d")) });
    assert_eq!(p.timeline.len(), 6);
    assert_eq!(p.stats_view().documents, 18);
    // A correction that moves an event past the date hides it.
    let later = r#"{"id":"move","type":"Corrected","payload":{"target":"c2021","changes":{"occurred":"2025-01-01"}}}"#;
    let p =
        fold_text(&format!("{BASE}{later}\n"), AsOf { position: None, date: Some("2024-12-31".parse().expect("d")) });
    assert!(p.catalog.event("c2021").is_some());
    assert!(p.timeline.entries().all(|r| r.id.as_str() != "c2021"));
}

#[test]
fn as_of_a_position_shows_what_was_known() {
    let all = fold_text(&format!("{BASE}{CHANGES}"), AsOf::NOW);
    let before_changes = fold_text(&format!("{BASE}{CHANGES}"), AsOf { position: Some(12), date: None });
    assert_eq!(before_changes.timeline.len(), 6);
    assert_eq!(before_changes.catalog.event("c2021").map(|r| r.event.title.as_str()), Some("Call"));
    assert_eq!(all.catalog.event("c2021").map(|r| r.event.title.as_str()), Some("Call (corrected)"));
}

#[test]
fn graph_windows_ego_views_and_a_deterministic_layout() {
    let p = fold_text(BASE, AsOf::NOW);
    let all = p.graph_view(&GraphQuery::default());
    let ids: Vec<&str> = all.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["aliyev", "aze", "blr", "lukashenko", "uzb"], "places are not nodes");
    let in_2024 = p.graph_view(&GraphQuery { window: Some((day("2024"), day("2024-12-31"))), ego: None });
    assert!(in_2024.edges.iter().all(|e| e.weight() == 1), "{:?}", in_2024.edges);
    let ego = p.graph_view(&GraphQuery { window: None, ego: Some("uzb".into()) });
    let ego_ids: Vec<&str> = ego.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ego_ids, ["aze", "uzb"]);
    let first = layout(&all, 300);
    let second = layout(&all, 300);
    assert_eq!(first, second);
    assert!(first.iter().all(|(x, y)| x.is_finite() && y.is_finite() && x.abs() <= 1.0 && y.abs() <= 1.0));
    for i in 0..first.len() {
        for j in i + 1..first.len() {
            let d = ((first[i].0 - first[j].0).powi(2) + (first[i].1 - first[j].1).powi(2)).sqrt();
            assert!(d > 0.05, "nodes {i} and {j} overlap: {d}");
        }
    }
}

#[test]
fn stats_count_by_year_kind_documents_and_direction() {
    let p = fold_text(BASE, AsOf::NOW);
    let s = p.stats_view();
    assert_eq!(s.years.first().map(|y| y.year), Some(2009));
    assert_eq!(s.years.len(), 16, "empty years are rows too");
    let y2024 = s.years.iter().find(|y| y.year == 2024).expect("2024");
    assert_eq!(y2024.documents, 9);
    assert_eq!(y2024.documents_cumulative, 18);
    assert_eq!(s.by_kind["Visit"], 2);
    let dirs: Vec<String> = s.visits.iter().map(|d| format!("{}->{}:{}", d.from, d.to, d.visits)).collect();
    assert_eq!(dirs, ["aze->blr:1", "blr->aze:1"]);
    assert_eq!(s.actors["country"], 3);
}

// ---- snapshots of the default record ----

fn default_record() -> Projections {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/azerbaijan-belarus.json");
    let loaded = load(&std::fs::read(path).expect("read"), path, None, &Nothing);
    assert!(loaded.is_clean());
    let mut log = Log::new();
    log.append(&StreamName::from("azerbaijan-belarus"), ExpectedVersion::Any, loaded.proposed(), Timestamp(0))
        .expect("append");
    Projections::fold(log.read_from(0), AsOf::NOW)
}

#[test]
fn snapshot_timeline_of_the_default_record() {
    let p = default_record();
    let lines: Vec<String> = p
        .timeline
        .entries()
        .map(|r| {
            let flags = if r.is_disputed() { " [disputed]" } else { "" };
            format!("{:<28} {:<18} {}{}", r.event.occurred.label(), r.kind.label(), r.event.title, flags)
        })
        .collect();
    insta::assert_snapshot!(lines.join("\n"));
    let decades: Vec<String> = p
        .timeline
        .buckets(Level::Decade, i64::MIN / 2, i64::MAX / 2)
        .iter()
        .map(|b| format!("{}: {:?}", PartialDate::from_day_number(b.start), b.counts.by_kind))
        .collect();
    insta::assert_snapshot!("default_record_decades", decades.join("\n"));
}

#[test]
fn snapshot_graph_of_the_default_record() {
    let p = default_record();
    let view = p.graph_view(&GraphQuery::default());
    let positions = layout(&view, 300);
    let nodes: Vec<String> = view
        .nodes
        .iter()
        .zip(&positions)
        .map(|(n, (x, y))| format!("{:<22} {:>3} ({x:+.3}, {y:+.3})", n.id.as_str(), n.activity))
        .collect();
    let edges: Vec<String> = view.edges.iter().map(|e| format!("{} -- {} {:?}", e.a, e.b, e.by_kind)).collect();
    insta::assert_snapshot!(format!("{}\n\n{}", nodes.join("\n"), edges.join("\n")));
}

#[test]
fn snapshot_stats_of_the_default_record() {
    insta::assert_json_snapshot!(default_record().stats_view());
}

#[test]
fn window_indices_cover_exactly_the_window() {
    let p = fold_text(BASE, AsOf::NOW);
    for (from, to) in [("2009-07-01", "2009-07-31"), ("2024-05-17", "2024-05-17"), ("2000", "2030"), ("1990", "1991")] {
        let (f, t) = (day(from), day(to) + 365);
        let by_index: Vec<&str> = p
            .timeline
            .window_indices(f, t)
            .filter_map(|i| p.timeline.at(i))
            .filter(|r| r.event.occurred.last_day() >= f)
            .map(|r| r.id.as_str())
            .collect();
        let by_window: Vec<&str> = p.timeline.window(f, t).map(|r| r.id.as_str()).collect();
        assert_eq!(by_index, by_window, "{from}..{to}");
    }
}

/// The figures as of a date, taken from the per-year index of projections folded for now,
/// are those of a fold as of that date, for years, months and days, on a synthetic log
/// with corrections, disputes and retractions.
#[test]
fn stats_as_of_a_date_match_a_fold_as_of_it() {
    use annals_core::synth::{synthetic_log, SynthOptions};
    let log = synthetic_log(SynthOptions { events: 6_000, from_year: 1990, to_year: 2010, ..SynthOptions::default() });
    let now = Projections::fold(&log, AsOf::NOW);
    for date in ["1989", "1990", "1995", "1995-01", "1995-07", "2001-02-28", "2001-03-01", "2010-12-31", "2030"] {
        let date: PartialDate = date.parse().expect("date");
        let folded = Projections::fold(&log, AsOf { position: None, date: Some(date) }).stats_view();
        assert_eq!(now.stats_as_of(date), folded, "as of {date}");
    }
    let middle = now.stats_as_of("2001-02-28".parse().expect("date"));
    assert!(middle.events > 0 && middle.events < now.stats_view().events, "{}", middle.events);
}

/// The extent, found from the end of the timeline, is the first and last day of all events.
#[test]
fn the_extent_covers_every_event() {
    use annals_core::synth::{synthetic_log, SynthOptions};
    for seed in 1..4 {
        let log = synthetic_log(SynthOptions { events: 3_000, seed, ..SynthOptions::default() });
        let t = Projections::fold(&log, AsOf::NOW).timeline;
        let first = t.entries().map(|r| r.event.occurred.first_day()).min();
        let last = t.entries().map(|r| r.event.occurred.last_day()).max();
        assert_eq!(t.extent(), first.zip(last), "seed {seed}");
    }
    assert_eq!(Timeline::default().extent(), None);
}

/// A record from the Big Bang to today (the shape of TimelineJS's cosmology template): the
/// views keep their counts of far years apart instead of an array over 13.8 billion years.
const DEEP: &str = r#"
{"id":"bang","type":"Other","payload":{"occurred":"-13800000000","title":"The Big Bang","sources":[{"publisher":"P","title":"T"}]}}
{"id":"sun","type":"Other","payload":{"occurred":"-4600000000","title":"The Solar System forms","sources":[{"publisher":"P","title":"T"}]}}
{"id":"paleozoic","type":"Other","payload":{"occurred":"-538800000/-251902000","title":"Paleozoic era","sources":[{"publisher":"P","title":"T"}]}}
{"id":"sapiens","type":"Other","payload":{"occurred":"-315000","title":"Homo sapiens","sources":[{"publisher":"P","title":"T"}]}}
{"id":"wheel","type":"Other","payload":{"occurred":"-3500","title":"A wheeled vehicle","sources":[{"publisher":"P","title":"T"}]}}
{"id":"now","type":"Other","payload":{"occurred":"2024-05-16","title":"Today","sources":[{"publisher":"P","title":"T"}]}}
"#;

#[test]
fn a_record_from_the_big_bang_to_today_is_ordered_counted_and_summed() {
    let p = fold_text(DEEP, AsOf::NOW);
    let ids: Vec<&str> = p.timeline.entries().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["bang", "sun", "paleozoic", "sapiens", "wheel", "now"]);
    let (first, last) = p.timeline.extent().expect("extent");
    assert_eq!((first, last), (day("-13800000000"), day("2024-05-16")));
    // Zoomed out over everything: one bucket per decade with an event, found without walking
    // the 1.38 billion decades between.
    let decades = p.timeline.buckets(Level::Decade, first, last);
    let starts: Vec<i64> = decades.iter().map(|b| Level::Decade.bucket(b.start)).collect();
    assert_eq!(starts, [-1_380_000_000, -460_000_000, -53_880_000, -31_500, -350, 202]);
    assert!(decades.iter().all(|b| b.counts.total() == 1 && b.counts.uncertain == 0));
    for level in Level::ALL {
        let total: u32 = p.timeline.buckets(level, first, last).iter().map(|b| b.counts.total()).sum();
        assert_eq!(total, 6, "{level:?}");
    }
    // A window in deep time finds the era that covers it.
    let cambrian: Vec<&str> = p.timeline.window(day("-500000000"), day("-500000000")).map(|r| r.id.as_str()).collect();
    assert_eq!(cambrian, ["paleozoic"]);
    // The figures list the years that have events (the calendar's years in between are filled).
    let stats = p.stats_view();
    assert_eq!(stats.events, 6);
    let years: Vec<i64> = stats.years.iter().filter(|y| y.by_kind.iter().sum::<u32>() > 0).map(|y| y.year).collect();
    assert_eq!(years, [-13_800_000_000, -4_600_000_000, -538_800_000, -315_000, -3500, 2024]);
    assert_eq!(stats.years.len(), 4 + (2024 + 3500 + 1), "far years alone, then every calendar year");
    let before_life = p.stats_as_of("-1000000000".parse().expect("date"));
    assert_eq!(before_life.events, 2);
    let graph = p.graph_view(&GraphQuery { window: Some((first, day("-4600000000"))), ego: None });
    assert!(graph.nodes.is_empty(), "no actors in deep time");
}
