//! Every event kind through every projection: for each [`EventKind`], a minimal valid event
//! of that kind is folded and shows up in the timeline (its lane, its bucket), in the
//! relation graph (an edge between its two actors, counted under its kind) and in the figures
//! (per kind, per year). A new kind that some projection forgets fails here; a new kind
//! without a minimal event here does not compile ([`minimal`] matches every kind).

use std::sync::Arc;

use annals_core::event::{Participant, Role, Source};
use annals_core::projection::{AsOf, GraphQuery, LaneMode, Level, Projections, Timeline};
use annals_core::{
    ActorKind, ActorRegistration, DomainEvent, Event, EventKind, ExpectedVersion, Log, Occurred, PartialDate, Proposed,
    StreamName, Timestamp,
};

/// The day a kind's event happens on: one day per kind, in lane order.
fn date(kind: EventKind) -> PartialDate {
    PartialDate::day(2020, 1, 1 + kind.index() as u32).expect("a day of January")
}

/// The smallest valid event of `kind` between `aze` and `blr`.
fn minimal(kind: EventKind) -> DomainEvent {
    let mut e = DomainEvent::new(Occurred::on(date(kind)), format!("A {}", kind.label()));
    e.sources.push(Source { publisher: "Publisher".into(), title: Some("Title".into()), ..Source::default() });
    let both = || ["aze", "blr"].map(|a| Participant { actor: a.into(), role: Role::Participant }).to_vec();
    match kind {
        EventKind::Visit => {
            e.visitor = Some("aze".into());
            e.host = Some("blr".into());
        }
        EventKind::Signing => {
            e.parties = vec!["aze".into(), "blr".into()];
            e.count = Some(1);
        }
        EventKind::CommissionMeeting => {
            e.commission = Some("joint".into());
            e.co_chairs = vec!["aze".into(), "blr".into()];
        }
        EventKind::Talks | EventKind::Call | EventKind::Statement | EventKind::Other => e.actors = both(),
    }
    e
}

fn fold() -> Projections {
    let actors = [
        ActorRegistration::new("aze", ActorKind::Country, "Azerbaijan"),
        ActorRegistration::new("blr", ActorKind::Country, "Belarus"),
        ActorRegistration::new("joint", ActorKind::Commission, "Joint commission"),
    ]
    .map(|a| Proposed::new(format!("actor:{}", a.actor.as_str()), Event::ActorRegistered(Box::new(a))))
    .to_vec();
    let events: Vec<Proposed> =
        EventKind::ALL.map(|k| Proposed::new(k.name(), Event::Domain(k, Arc::new(minimal(k))))).to_vec();
    let mut log = Log::new();
    let stream = StreamName::from("kinds");
    for batch in [actors, events] {
        log.append(&stream, ExpectedVersion::Any, batch, Timestamp(0)).expect("valid events");
    }
    Projections::fold(log.read_from(0), AsOf::NOW)
}

fn on_timeline(t: &Timeline, kind: EventKind) -> bool {
    t.entries().any(|r| r.kind == kind && r.id.as_str() == kind.name())
}

#[test]
fn every_kind_reaches_every_projection() {
    let p = fold();
    let lanes = p.timeline.lanes(LaneMode::Kind, &p.catalog);
    assert_eq!(lanes.len(), EventKind::COUNT);
    let graph = p.graph_view(&GraphQuery::default());
    let edge = graph.edges.iter().find(|e| e.a.as_str() == "aze" && e.b.as_str() == "blr").expect("aze–blr edge");
    let stats = p.stats_view();
    let year = stats.years.iter().find(|y| y.year == 2020).expect("2020 row");
    for kind in EventKind::ALL {
        assert!(on_timeline(&p.timeline, kind), "{kind} is not on the timeline");
        let r = p.timeline.entries().find(|r| r.kind == kind).expect("entry");
        let lane = Timeline::lanes_of(r, LaneMode::Kind, &lanes);
        assert_eq!(lane, [kind.index()], "{kind}'s lane");
        assert_eq!((lanes[kind.index()].key.as_str(), lanes[kind.index()].label.as_str()), (kind.name(), kind.label()));
        let day = date(kind).first_day();
        let buckets = p.timeline.buckets(Level::Day, day, day);
        assert_eq!(buckets.len(), 1, "{kind}: one bucket on its day");
        assert_eq!(buckets[0].counts.by_kind[kind], 1, "{kind}: counted in its own lane of the bucket");
        assert_eq!(buckets[0].counts.total(), 1, "{kind}: and nowhere else");
        assert_eq!(edge.by_kind[kind], 1, "{kind} between aze and blr in the graph");
        assert_eq!(stats.by_kind.get(kind.name()), Some(&1), "{kind} in the figures");
        assert_eq!(year.by_kind[kind], 1, "{kind} in its year");
    }
    assert_eq!(edge.weight(), EventKind::COUNT as u32);
    assert_eq!(stats.events, EventKind::COUNT as u64);
    let year_buckets =
        p.timeline.buckets(Level::Year, date(EventKind::Visit).first_day(), date(EventKind::Other).first_day());
    assert_eq!(year_buckets[0].counts.by_kind.iter().copied().collect::<Vec<_>>(), vec![1; EventKind::COUNT]);
}

#[test]
fn kind_names_are_the_names_in_files() {
    for kind in EventKind::ALL {
        assert_eq!(serde_json::to_value(kind).expect("json"), kind.name());
        assert_eq!(kind.name().parse::<EventKind>(), Ok(kind));
        assert!(annals_core::event::EVENT_TYPES.contains(&kind.name()));
    }
    assert_eq!(annals_core::event::EVENT_TYPES.len(), EventKind::COUNT + 4);
    // A per-kind table is written as the plain array, in lane order.
    let mut counts = annals_core::PerKind::<u32>::default();
    counts[EventKind::Signing] = 2;
    let plain: Vec<u32> = EventKind::ALL.map(|k| if k == EventKind::Signing { 2 } else { 0 }).to_vec();
    assert_eq!(serde_json::to_string(&counts).expect("json"), serde_json::to_string(&plain).expect("json"));
    assert_eq!(format!("{counts:?}"), format!("{plain:?}"));
}
