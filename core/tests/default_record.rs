//! The default record in `data/` is valid, complete and honest about what it does not know.

use annals_core::format::native::load;
use annals_core::format::Format;
use annals_core::projection::{AsOf, GraphQuery, Projections};
use annals_core::validate::Nothing;
use annals_core::{Event, EventKind, ExpectedVersion, Log, Precision, StreamName, Timestamp};

const RECORD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/azerbaijan-belarus.json");

fn log() -> Log {
    let bytes = std::fs::read(RECORD).expect("read the default record");
    let loaded = load(&bytes, RECORD, None, &Nothing);
    assert_eq!(loaded.format, Format::AnnalsJson);
    assert!(loaded.is_clean(), "{:#?}", loaded.diagnostics);
    let mut log = Log::new();
    let stream = loaded.stream.clone().expect("the record names its stream");
    log.append(&stream, ExpectedVersion::NoStream, loaded.proposed(), Timestamp(0)).expect("append");
    log
}

#[test]
fn the_default_record_is_valid_and_large_enough() {
    let log = log();
    let stream = StreamName::from("azerbaijan-belarus");
    let domain: Vec<_> = log
        .stream(&stream)
        .filter_map(|e| match &e.event {
            Event::Domain(kind, d) => Some((*kind, d)),
            _ => None,
        })
        .collect();
    assert!(domain.len() >= 25, "{} domain events", domain.len());
    for (_, d) in &domain {
        assert!(!d.sources.is_empty(), "{} has no source", d.title);
    }
    let years: Vec<i32> = domain.iter().map(|(_, d)| d.occurred.start().year_value()).collect();
    assert_eq!(years.iter().min(), Some(&1993));
    assert_eq!(years.iter().max(), Some(&2025));
}

#[test]
fn the_state_visit_and_its_signing_are_there() {
    let p = Projections::fold(log().read_from(0), AsOf::NOW);
    let visit = p.catalog.event("2024-05-16-state-visit").expect("state visit");
    assert_eq!(visit.kind, EventKind::Visit);
    assert_eq!(visit.event.occurred.to_string(), "2024-05-16/2024-05-17");
    let signing = p
        .catalog
        .events()
        .find(|r| {
            r.kind == EventKind::Signing
                && r.event.part_of.as_ref().map(|x| x.as_str()) == Some("2024-05-16-state-visit")
        })
        .expect("signing of the state visit");
    assert_eq!(signing.event.count, Some(9));
    assert!(signing.event.documents.len() < 9 && !signing.event.documents.is_empty());
}

#[test]
fn disputes_are_kept_and_years_stay_years() {
    let p = Projections::fold(log().read_from(0), AsOf::NOW);
    let disputed: Vec<_> = p.catalog.events().filter(|r| r.is_disputed()).collect();
    assert_eq!(disputed.len(), 2, "{:?}", disputed.iter().map(|r| &r.id).collect::<Vec<_>>());
    let meeting = disputed.iter().find(|r| r.kind == EventKind::CommissionMeeting).expect("13th session");
    assert_eq!(meeting.event.session, Some(13));
    assert_eq!(meeting.event.occurred.precision(), Precision::Year);
    let claims: Vec<String> = meeting.disputes[0].dispute.claims.iter().map(|c| c.value.to_string()).collect();
    assert_eq!(claims, ["\"2023-03-15\"", "\"2023-05-15\""]);
    let year_only: Vec<String> = p
        .catalog
        .events()
        .filter(|r| r.event.occurred.precision() == Precision::Year)
        .map(|r| r.event.occurred.to_string())
        .collect();
    assert!(year_only.contains(&"2009".to_owned()) && year_only.contains(&"2012".to_owned()), "{year_only:?}");
    let graph = p.graph_view(&GraphQuery::default());
    assert!(graph.nodes.iter().any(|n| n.id.as_str() == "lukashenko"));
}

#[test]
fn the_readme_example_is_a_valid_record() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).expect("README");
    let start = readme.find("```json\n").expect("a json example") + "```json\n".len();
    let end = start + readme[start..].find("```").expect("end of example");
    let loaded = load(&readme.as_bytes()[start..end], "README.md", None, &Nothing);
    assert!(loaded.is_clean(), "{:#?}", loaded.diagnostics);
    assert_eq!(loaded.accepted.len(), 3);
}

/// Actors are named for readers of a language where the record has their names in it, by
/// exact tag, then primary language, then English; the map's labels follow.
#[test]
fn actors_are_named_in_the_readers_language() {
    let bytes = include_bytes!("../../data/azerbaijan-belarus.json");
    let loaded = load(bytes, "azerbaijan-belarus.json", None, &Nothing);
    let envelopes = loaded.into_envelopes(&StreamName::from("s"), Timestamp(0));
    let mut p = Projections::fold(&envelopes, AsOf::NOW);
    let cases =
        [(None, "Azerbaijan"), (Some("ru-BY"), "Азербайджан"), (Some("AZ"), "Azərbaycan"), (Some("fr"), "Azerbaijan")];
    for (tag, name) in cases {
        p.catalog.set_language(tag);
        assert_eq!(p.catalog.actor_name("aze"), name, "{tag:?}");
        let graph = p.graph_view(&GraphQuery::default());
        let node = graph.nodes.iter().find(|n| n.id.as_str() == "aze").expect("aze is on the map");
        assert_eq!(node.label, name, "map label for {tag:?}");
    }
    assert_eq!(p.catalog.actor_name("no-such-actor"), "no-such-actor");
}
