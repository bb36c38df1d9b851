//! The default record in `data/` is valid, complete and honest about what it does not know.

use annals_core::event::Source;
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
    let years: Vec<i64> = domain.iter().map(|(_, d)| d.occurred.start().year_value()).collect();
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
    // Nine (the seed article) against the eight titles the sources list: the target keeps
    // the titles, the dispute both counts.
    assert_eq!(signing.event.count, None);
    assert_eq!(signing.event.documents.len(), 8);
    let claims: Vec<String> = signing.disputes[0].dispute.claims.iter().map(|c| c.value.to_string()).collect();
    assert_eq!((signing.disputes[0].dispute.field.as_str(), claims), ("count", vec!["9".to_owned(), "8".to_owned()]));
}

#[test]
fn disputes_are_kept_and_years_stay_years() {
    let p = Projections::fold(log().read_from(0), AsOf::NOW);
    let disputed: Vec<_> = p.catalog.events().filter(|r| r.is_disputed()).collect();
    let mut targets: Vec<&str> = disputed.iter().map(|r| r.id.as_str()).collect();
    targets.sort_unstable();
    assert_eq!(
        targets,
        [
            "2010-embassy-foundation",
            "2016-11-28-lukashenko-official-visit",
            "2021-04-13-lukashenko-working-visit",
            "2023-igc-13th-meeting",
            "2024-05-16-signing",
            "2024-05-16-state-visit",
        ]
    );
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
    assert!(year_only.contains(&"2007".to_owned()) && year_only.contains(&"2009".to_owned()), "{year_only:?}");
    // A dated official page pins the 2012 visit to a day; a month stays a month.
    assert_eq!(p.catalog.event("2012-aliyev-visit").expect("2012").event.occurred.to_string(), "2012-08-28");
    let june_2010 = p.catalog.event("2010-06-lukashenko-official-visit").expect("June 2010");
    assert_eq!(june_2010.event.occurred.precision(), Precision::Month);
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

/// Every actor of the default record has its name in all four languages of the interface, so
/// no reader of one of them meets a name left in another language on the map or in the details.
#[test]
fn every_actor_is_named_in_all_four_languages() {
    let record: serde_json::Value =
        serde_json::from_slice(include_bytes!("../../data/azerbaijan-belarus.json")).expect("JSON");
    let mut missing = Vec::new();
    for event in record["events"].as_array().expect("events") {
        if event["type"] != "ActorRegistered" {
            continue;
        }
        for lang in ["en", "ru", "az", "be"] {
            if event["payload"]["names"][lang].as_str().is_none_or(str::is_empty) {
                missing.push(format!("{} in {lang}", event["payload"]["actor"]));
            }
        }
    }
    assert!(missing.is_empty(), "actors without a name: {missing:?}");
}

/// Every citation a reader can follow, or says why not: a link, or `no_url` with the reason.
/// No event rests only on citations without a link, and a page that backs a claim only in
/// part says what it does back.
#[test]
fn every_citation_has_a_link_or_says_why_not() {
    let log = log();
    let mut citations = 0;
    let mut unlinked = Vec::new();
    let check = |what: &str, s: &Source, unlinked: &mut Vec<String>| {
        match (&s.url, &s.no_url) {
            (Some(_), None) => {}
            (None, Some(_)) => unlinked.push(what.to_owned()),
            (url, why) => panic!("{what}: {} has url {url:?} and no_url {why:?}", s.publisher),
        }
        if s.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
            panic!("{what}: {} has no title", s.publisher);
        }
    };
    for envelope in log.stream(&StreamName::from("azerbaijan-belarus")) {
        let id = envelope.id.as_str();
        match &envelope.event {
            Event::Domain(_, d) => {
                for s in &d.sources {
                    citations += 1;
                    check(id, s, &mut unlinked);
                }
                assert!(d.sources.iter().any(|s| s.url.is_some()), "{id}: no source with a link");
                if d.tags.iter().any(|t| t == "single-source") {
                    let full = d.sources.iter().filter(|s| s.partial.is_none() && s.url.is_some()).count();
                    assert!(full <= 1, "{id} is tagged single-source but {full} pages support it in full");
                }
            }
            Event::Disputed(dispute) => {
                for claim in &dispute.claims {
                    assert!(claim.sources.iter().any(|s| s.url.is_some()), "{id}: a claim without a link");
                    for s in &claim.sources {
                        check(id, s, &mut unlinked);
                    }
                }
            }
            _ => {}
        }
    }
    assert!(citations >= 150, "{citations} citations");
    // The one News.az report of 16 May 2024 that the research could not find, cited four times.
    assert_eq!(
        unlinked,
        [
            "2024-05-16-state-visit",
            "2024-05-16-talks-zagulba",
            "2024-05-16-karabakh-invitation",
            "2024-05-16-commission-and-cop29-announcement"
        ]
    );
}

/// The record's media are the two presidents' official pages on an event, linked (never copied),
/// each credited to its publisher, and each one of the pages the event cites as a source (a
/// medium illustrates; it may not bring a claim of its own).
#[test]
fn the_default_records_media_are_cited_official_pages_credited() {
    let log = log();
    let mut seen = 0;
    for e in log.stream(&StreamName::from("azerbaijan-belarus")) {
        let Event::Domain(_, d) = &e.event else { continue };
        let Some(m) = &d.media else { continue };
        seen += 1;
        assert!(
            m.url.starts_with("https://president.gov.by/") || m.url.starts_with("https://president.az/"),
            "{}",
            m.url
        );
        assert_eq!(m.kind, Some(annals_core::event::MediaKind::Page), "{}", m.url);
        let credit = m.credit.as_deref().unwrap_or_default();
        assert!(credit.starts_with("President of the Republic of"), "{}: credit {credit:?}", m.url);
        assert!(
            d.sources.iter().any(|s| s.url.as_deref() == Some(m.url.as_str())),
            "{}: {} is not among its sources",
            d.title,
            m.url
        );
    }
    assert!(seen >= 5, "{seen} events carry a medium");
}

#[test]
fn every_event_reads_in_english_russian_and_azerbaijani() {
    use annals_core::lang::Origin;
    let log = log();
    let mut from_sources = Vec::new();
    for env in log.read_from(0) {
        let Event::Domain(_, e) = &env.event else { continue };
        let id = env.id.as_str();
        assert_eq!(e.lang(), "en", "{id}: the record's own text is English");
        let summary = e.summary.as_deref().unwrap_or_else(|| panic!("{id} has no summary"));
        for lang in ["ru", "az"] {
            let title = e.titles.get(lang).unwrap_or_else(|| panic!("{id} has no {lang} title"));
            let text = e.summaries.get(lang).unwrap_or_else(|| panic!("{id} has no {lang} summary"));
            assert_ne!(title.text, e.title, "{id}: the {lang} title is the English one");
            assert_ne!(text.text, summary, "{id}: the {lang} summary is the English one");
            // The script says the language: Cyrillic for Russian, Latin with ə for Azerbaijani.
            let cyrillic = |s: &str| s.chars().any(|c| ('\u{400}'..='\u{4ff}').contains(&c));
            match lang {
                "ru" => assert!(cyrillic(&title.text) && cyrillic(&text.text), "{id}: ru is not in Cyrillic"),
                _ => assert!(
                    !cyrillic(&text.text) && text.text.contains(['ə', 'ı', 'ş', 'ğ', 'ç', 'ö', 'ü']),
                    "{id}: az"
                ),
            }
            // A summary is always the editors' translation; a title the source's words only
            // where a cited source published it (validation holds that).
            assert_eq!(text.origin, Origin::Translation, "{id} {lang} summary");
            if title.origin == Origin::Source {
                from_sources.push(format!("{id} {lang}"));
            }
            assert_eq!(e.title_for(lang).text, title.text);
        }
        assert_eq!(e.title_for("be").text, e.title, "{id}: no Belarusian, so English");
    }
    assert_eq!(
        from_sources,
        [
            "2010-06-lukashenko-official-visit az",
            "2013-11-20-lukashenko-official-visit ru",
            "2021-11-08-phone-call ru",
            "2024-05-16-talks-zagulba ru",
            "2024-11-11-cop29-working-visit ru",
        ]
    );
}
