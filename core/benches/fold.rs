#![expect(missing_docs, reason = "criterion macros generate undocumented items")]
//! Folding a synthetic log of 1,000,000 domain events into every projection.
//!
//! Side by side in the same process:
//! - `baseline/scan`: the floor — read every envelope once and count events per kind;
//! - `catalog`: the resolved state alone (corrections, retractions, disputes);
//! - `projections`: catalog + timeline (with its level-of-detail index) + relation graph + stats.
//!
//! Run: `cargo bench -p annals-core --bench fold` (or `cargo xtask bench`).

use annals_core::synth::{synthetic_log, SynthOptions};
use annals_core::{AsOf, Catalog, Event, EventKind, Projections};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

fn fold(c: &mut Criterion) {
    let events: usize = std::env::var("ANNALS_BENCH_EVENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let log = synthetic_log(SynthOptions { events, countries: 150, ..SynthOptions::default() });
    let mut group = c.benchmark_group("fold");
    group.sample_size(10);
    group.throughput(Throughput::Elements(log.len() as u64));
    group.bench_function("baseline/scan", |b| {
        b.iter(|| {
            let mut counts = [0u64; EventKind::COUNT + 5];
            for env in &log {
                let i = match &env.event {
                    Event::Domain(k, _) => k.index(),
                    other => EventKind::COUNT + other.type_name().len() % 5,
                };
                counts[i] += env.position & 1;
            }
            counts
        })
    });
    group.bench_function("baseline/id-index", |b| {
        b.iter_batched(
            rustc_hash::FxHashMap::<annals_core::EventId, u64>::default,
            |mut ids| {
                ids.reserve(log.len());
                for env in &log {
                    ids.insert(env.id.clone(), env.position);
                }
                ids
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("catalog", |b| {
        b.iter_batched(
            Catalog::new,
            |mut catalog| {
                for env in &log {
                    catalog.apply(env);
                }
                catalog
            },
            BatchSize::PerIteration,
        )
    });
    // Each view alone, fed the changes the catalog produced (collected beforehand).
    let mut catalog = Catalog::new();
    let changes: Vec<annals_core::Change> = log.iter().filter_map(|env| catalog.apply(env)).collect();
    group.bench_function("view/timeline", |b| {
        b.iter_batched(
            annals_core::projection::Timeline::default,
            |mut t| {
                t.begin_bulk(changes.len());
                for c in &changes {
                    t.change(c);
                }
                t.end_bulk();
                t
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("view/graph", |b| {
        b.iter_batched(
            annals_core::projection::RelationGraph::default,
            |mut g| {
                g.begin_bulk(changes.len());
                for c in &changes {
                    g.change(c, &catalog);
                }
                g.end_bulk();
                g
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("view/stats", |b| {
        b.iter_batched(
            annals_core::projection::Stats::default,
            |mut st| {
                for c in &changes {
                    st.change(c);
                }
                st
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("projections", |b| {
        b.iter_batched(|| (), |()| Projections::fold(&log, AsOf::NOW), BatchSize::PerIteration)
    });
    group.finish();
}

criterion_group!(benches, fold);
criterion_main!(benches);
