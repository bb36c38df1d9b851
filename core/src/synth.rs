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
    let mut out = Vec::with_capacity(opts.events + opts.events / 30 + opts.countries * 2);
    out.extend(Synthetic::new(opts));
    out
}

/// [`synthetic_log`] one envelope at a time, the same envelopes in the same order. *Why:* a
/// builder of a store of millions writes them as they come, holding a chunk, not the log.
#[derive(Debug)]
pub struct Synthetic {
    opts: SynthOptions,
    rng: SplitMix,
    stream: StreamName,
    countries: Vec<ActorId>,
    leaders: Vec<ActorId>,
    source: Source,
    years: u64,
    retracted: std::collections::HashSet<u64>,
    /// Registrations made (two per country).
    registered: usize,
    /// The next domain event's number.
    n: usize,
    /// The last position handed out.
    position: u64,
    /// A change made with the domain event before it, handed out next.
    pending: Option<Envelope>,
}

impl Synthetic {
    /// The generator of the log `opts` describes.
    pub fn new(opts: SynthOptions) -> Self {
        Synthetic {
            opts,
            rng: SplitMix::new(opts.seed),
            stream: StreamName::from("synthetic"),
            countries: (0..opts.countries).map(|i| ActorId::from(format!("c{i}"))).collect(),
            leaders: (0..opts.countries).map(|i| ActorId::from(format!("p{i}"))).collect(),
            source: Source {
                publisher: "Synthetic Wire".into(),
                title: Some("Generated report".into()),
                ..Source::default()
            },
            years: (opts.to_year - opts.from_year + 1).max(1) as u64,
            retracted: std::collections::HashSet::new(),
            registered: 0,
            n: 0,
            position: 0,
            pending: None,
        }
    }

    fn envelope(&mut self, id: String, event: Event) -> Envelope {
        self.position += 1;
        Envelope {
            position: self.position,
            id: EventId::from(id),
            stream: self.stream.clone(),
            recorded_at: Timestamp(1_700_000_000_000 + self.position as i64 * 1000),
            event,
        }
    }

    fn registration(&mut self) -> Envelope {
        let i = self.registered / 2;
        let person = self.registered % 2 == 1;
        self.registered += 1;
        if person {
            let mut leader = ActorRegistration::new(self.leaders[i].clone(), ActorKind::Person, format!("Leader {i}"));
            leader.country = Some(self.countries[i].clone());
            self.envelope(format!("actor:p{i}"), Event::ActorRegistered(Box::new(leader)))
        } else {
            let country = ActorRegistration::new(self.countries[i].clone(), ActorKind::Country, format!("Country {i}"));
            self.envelope(format!("actor:c{i}"), Event::ActorRegistered(Box::new(country)))
        }
    }

    /// Domain event `n`, and after every hundredth a change of an earlier one (kept pending).
    fn domain(&mut self) -> Envelope {
        let (opts, n) = (self.opts, self.n);
        self.n += 1;
        let rng = &mut self.rng;
        let year = opts.from_year + rng.below(self.years) as i64;
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
        let (countries, leaders) = (&self.countries, &self.leaders);
        let mut e = DomainEvent::new(occurred, format!("{} {n}", kind.label()));
        e.sources.push(self.source.clone());
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
        // Commissions are not registered in synthetic logs; record these as talks.
        let kind = if kind == EventKind::CommissionMeeting { EventKind::Talks } else { kind };
        let domain = self.envelope(format!("e{n}"), Event::Domain(kind, std::sync::Arc::new(e)));
        if n > 0 && n % 100 == 0 {
            // A live target: retry a few times past retracted ones, else skip this change.
            let (rng, retracted) = (&mut self.rng, &mut self.retracted);
            if let Some(t) = (0..8).map(|_| rng.below(n as u64)).find(|t| !retracted.contains(t)) {
                let meta = self.change(n, year, t);
                self.pending = Some(self.envelope(format!("m{n}"), meta));
            }
        }
        domain
    }

    /// The change made after domain event `n` (of `year`) to event `t`.
    fn change(&mut self, n: usize, year: i64, t: u64) -> Event {
        let target = EventId::from(format!("e{t}"));
        let source = &self.source;
        match self.rng.below(3) {
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
            _ => {
                self.retracted.insert(t);
                Event::Retracted(Box::new(Retraction {
                    target,
                    reason: "duplicate".into(),
                    sources: vec![source.clone()],
                }))
            }
        }
    }
}

impl Iterator for Synthetic {
    type Item = Envelope;

    fn next(&mut self) -> Option<Envelope> {
        if let Some(change) = self.pending.take() {
            return Some(change);
        }
        if self.registered < 2 * self.opts.countries {
            return Some(self.registration());
        }
        (self.n < self.opts.events).then(|| self.domain())
    }
}
