//! Synthetic records for benchmarks and load tests.
//!
//! Deterministic (a SplitMix64 generator seeded by the caller): the same seed gives the same
//! log on every machine, so figures from two runs compare. The mix is shaped like a real
//! record: mostly day-precise events, some month- and year-only, ranges for visits, signings
//! with stated counts, and a sprinkling of corrections, disputes and retractions.

use crate::date::{Occurred, PartialDate, Timestamp};
use crate::envelope::Envelope;
use crate::event::{
    ActorKind, ActorRegistration, Claim, Correction, Dispute, DomainEvent, Event, EventKind, Participant, Retraction,
    Role, Source, VisitLevel,
};
use crate::id::{ActorId, EventId, StreamName};

/// A small deterministic random generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// Options for [`synthetic_log`].
#[derive(Debug, Clone, Copy)]
pub struct SynthOptions {
    /// Domain events to generate.
    pub events: usize,
    /// Countries (each with a leader).
    pub countries: usize,
    /// First year of the record.
    pub from_year: i64,
    /// Last year of the record.
    pub to_year: i64,
    /// Seed.
    pub seed: u64,
}

impl Default for SynthOptions {
    fn default() -> Self {
        Self { events: 1000, countries: 40, from_year: 1950, to_year: 2025, seed: 1 }
    }
}

/// `log` with `extra` events (id, event) put in before its envelope at index `at`, in the
/// log's stream, and every position renumbered from 1: a test's own cases among synthetic
/// ones, so that reads cross them at many places.
pub fn spliced(log: &[Envelope], at: usize, extra: Vec<(&str, Event)>) -> Vec<Envelope> {
    let (head, tail) = log.split_at(at.min(log.len()));
    let stream = log.first().map_or_else(|| StreamName::from("synthetic"), |e| e.stream.clone());
    let mut out: Vec<Envelope> = head.to_vec();
    for (id, event) in extra {
        out.push(Envelope { position: 0, id: id.into(), stream: stream.clone(), recorded_at: Timestamp(0), event });
    }
    out.extend(tail.iter().cloned());
    for (i, env) in out.iter_mut().enumerate() {
        env.position = i as u64 + 1;
    }
    out
}

/// A synthetic log of one stream: actor registrations, then domain events with about 1%
/// corrections, disputes and retractions mixed in. Valid by construction: changes only
/// target events that exist and have not been retracted.
pub fn synthetic_log(opts: SynthOptions) -> Vec<Envelope> {
    let stream = StreamName::from("synthetic");
    let mut rng = SplitMix::new(opts.seed);
    let mut out = Vec::with_capacity(opts.events + opts.events / 30 + opts.countries * 2);
    let push = |id: String, event: Event, out: &mut Vec<Envelope>| {
        let position = out.len() as u64 + 1;
        out.push(Envelope {
            position,
            id: EventId::from(id),
            stream: stream.clone(),
            recorded_at: Timestamp(1_700_000_000_000 + position as i64 * 1000),
            event,
        });
    };
    let countries: Vec<ActorId> = (0..opts.countries).map(|i| ActorId::from(format!("c{i}"))).collect();
    let leaders: Vec<ActorId> = (0..opts.countries).map(|i| ActorId::from(format!("p{i}"))).collect();
    for i in 0..opts.countries {
        let country = ActorRegistration::new(countries[i].clone(), ActorKind::Country, format!("Country {i}"));
        push(format!("actor:c{i}"), Event::ActorRegistered(Box::new(country)), &mut out);
        let mut person = ActorRegistration::new(leaders[i].clone(), ActorKind::Person, format!("Leader {i}"));
        person.country = Some(countries[i].clone());
        push(format!("actor:p{i}"), Event::ActorRegistered(Box::new(person)), &mut out);
    }
    let source =
        Source { publisher: "Synthetic Wire".into(), title: Some("Generated report".into()), ..Source::default() };
    let years = (opts.to_year - opts.from_year + 1).max(1) as u64;
    let mut retracted = std::collections::HashSet::new();
    for n in 0..opts.events {
        let year = opts.from_year + rng.below(years) as i64;
        let month = 1 + rng.below(12) as u32;
        let day = 1 + rng.below(28) as u32;
        let precision = rng.below(100);
        let start = match precision {
            0..=4 => PartialDate::year(year),
            5..=14 => PartialDate::month(year, month),
            _ => PartialDate::day(year, month, day),
        }
        .unwrap_or_else(|_| PartialDate::from_day_number(0));
        let kind = EventKind::ALL[rng.below(EventKind::COUNT as u64) as usize];
        let occurred = if kind == EventKind::Visit && precision > 14 && rng.below(2) == 0 {
            let end = PartialDate::from_day_number(start.first_day() + 1 + rng.below(3) as i64);
            Occurred::between(start, end).unwrap_or(Occurred::on(start))
        } else {
            Occurred::on(start)
        };
        let a = rng.below(opts.countries as u64) as usize;
        let mut b = rng.below(opts.countries as u64) as usize;
        if b == a {
            b = (a + 1) % opts.countries.max(2);
        }
        let mut e = DomainEvent::new(occurred, format!("{} {n}", kind.label()));
        e.sources.push(source.clone());
        match kind {
            EventKind::Visit => {
                e.visitor = Some(leaders[a].clone());
                e.host = Some(countries[b].clone());
                e.level = Some(VisitLevel::Official);
                e.actors.push(Participant { actor: leaders[b].clone(), role: Role::Host });
            }
            EventKind::Signing => {
                e.parties = vec![countries[a].clone(), countries[b].clone()];
                e.count = Some(1 + rng.below(9) as u32);
            }
            EventKind::CommissionMeeting
            | EventKind::Talks
            | EventKind::Call
            | EventKind::Statement
            | EventKind::Other => {
                e.actors.push(Participant { actor: leaders[a].clone(), role: Role::Participant });
                e.actors.push(Participant { actor: leaders[b].clone(), role: Role::Participant });
            }
        }
        if kind == EventKind::CommissionMeeting {
            // Commissions are not registered in synthetic logs; record these as talks.
            push(format!("e{n}"), Event::Domain(EventKind::Talks, std::sync::Arc::new(e)), &mut out);
        } else {
            push(format!("e{n}"), Event::Domain(kind, std::sync::Arc::new(e)), &mut out);
        }
        if n > 0 && n % 100 == 0 {
            // A live target: retry a few times past retracted ones, else skip this change.
            let Some(t) = (0..8).map(|_| rng.below(n as u64)).find(|t| !retracted.contains(t)) else { continue };
            let target = EventId::from(format!("e{t}"));
            let meta = match rng.below(3) {
                0 => {
                    let mut changes = serde_json::Map::new();
                    changes.insert("title".into(), serde_json::Value::from(format!("Corrected {n}")));
                    Event::Corrected(Box::new(Correction {
                        target,
                        changes,
                        reason: Some("typo".into()),
                        sources: vec![source.clone()],
                    }))
                }
                1 => Event::Disputed(Box::new(Dispute {
                    target,
                    field: "occurred".into(),
                    claims: vec![
                        Claim {
                            value: serde_json::Value::from(format!("{year}")),
                            sources: vec![source.clone()],
                            note: None,
                        },
                        Claim {
                            value: serde_json::Value::from(format!("{}", year + 1)),
                            sources: vec![source.clone()],
                            note: None,
                        },
                    ],
                    note: None,
                    notes: Default::default(),
                })),
                _ => Event::Retracted(Box::new(Retraction {
                    target: {
                        retracted.insert(t);
                        target
                    },
                    reason: "duplicate".into(),
                    sources: vec![source.clone()],
                })),
            };
            push(format!("m{n}"), meta, &mut out);
        }
    }
    out
}
