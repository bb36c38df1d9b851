#![expect(missing_docs, reason = "criterion macros generate undocumented items")]
//! Import throughput: reading ~100 MB files through `annals_formats::load` (decode, validate, report),
//! beside plain parses of the same bytes in the same run.
//!
//! - Annals NDJSON, a synthetic log written by `annals_core::format::native::write_ndjson`:
//!   - `ndjson/baseline/value`: `serde_json` parses each line into a `serde_json::Value`;
//!   - `ndjson/baseline/decode`: each line decoded into the envelope structs, no validation;
//!   - `ndjson/load`: `annals_formats::load`, everything a person's import does.
//! - GDELT 2.0, the rows of `gdelt/20150218230000.export.CSV` of the shared corpus (`../shared/corpus` or `ANNALS_CORPUS`) repeated in memory
//!   with new event ids and years (so rows do not merge across copies), when that file is there:
//!   - `gdelt/baseline/split`: each line split at its tabs, the fields borrowed (the least any
//!     reader of the file must do);
//!   - `gdelt/baseline/rows`: each line parsed into a row of owned fields, what
//!     `serde_json::Value` is for the NDJSON file: a generic parse keeping every value;
//!   - `gdelt/load`: `annals_formats::load` with the GDELT reader.
//!
//! Issue 5's goal: validation costs at most twice the plain parse (`ndjson/load` ≤ 2 ×
//! `ndjson/baseline/value`, and the same for GDELT against `gdelt/baseline/rows`; the borrowed
//! split is printed too, as the floor). Throughput is printed in bytes per second.
//!
//! Criterion measures each function over half a minute, one after the other, so on a
//! machine shared with other work the two sides of a ratio see different loads. Before
//! them, each reader and its baseline are also run in turns, a few rounds, and the ratio of
//! their best times is printed, by the clock and (on Linux) by the thread's CPU time, which
//! other processes do not inflate: `ratio ndjson load ÷ value: …`.
//!
//! Run: `cargo bench -p annals-formats --bench import` (or `cargo xtask bench`); set
//! `ANNALS_BENCH_MB` for another size.

use std::time::{Duration, Instant};

use annals_core::format::native;
use annals_core::synth::{synthetic_log, SynthOptions};
use annals_core::validate::Nothing;
use annals_formats::Format;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

// Where the shared corpus is, as the tests find it.
#[path = "../tests/common/corpus.rs"]
mod corpus;

const GDELT_SAMPLE: &str = "gdelt/20150218230000.export.CSV";

fn megabytes() -> usize {
    std::env::var("ANNALS_BENCH_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(100)
}

/// A synthetic NDJSON log of about `mb` megabytes.
fn ndjson(mb: usize) -> String {
    let probe =
        native::write_ndjson(&synthetic_log(SynthOptions { events: 2_000, countries: 150, ..SynthOptions::default() }));
    let per_event = probe.len() / 2_000 + 1;
    let events = mb * 1_000_000 / per_event;
    native::write_ndjson(&synthetic_log(SynthOptions { events, countries: 150, ..SynthOptions::default() }))
}

/// The GDELT sample repeated to about `mb` megabytes: copy `r` gets event ids `+ r·10⁹` and
/// its dates `r` years earlier, so the reader sees as many distinct events as rows.
fn gdelt(sample: &str, mb: usize) -> String {
    let copies = (mb * 1_000_000).div_ceil(sample.len().max(1));
    let mut out = String::with_capacity(copies * sample.len() + 1024);
    for r in 0..copies {
        for line in sample.lines().filter(|l| !l.trim().is_empty()) {
            for (i, field) in line.split('\t').enumerate() {
                if i > 0 {
                    out.push('\t');
                }
                match (i, field.parse::<u64>()) {
                    (0, Ok(id)) => out.push_str(&(id + r as u64 * 1_000_000_000).to_string()),
                    // SQLDATE (YYYYMMDD), MonthYear (YYYYMM), Year: the same day, r years back.
                    (1..=3, Ok(n)) => {
                        let scale = [0, 10_000, 100, 1][i];
                        out.push_str(&(n - r as u64 * scale).to_string());
                    }
                    _ => out.push_str(field),
                }
            }
            out.push('\n');
        }
    }
    out
}

/// The time this thread has run, in seconds, where the system says (Linux).
fn cpu_time() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(stat.split_whitespace().next()?.parse::<f64>().ok()? / 1e9)
}

/// A tab-separated file as rows of owned fields: the generic parse of a GDELT file.
fn owned_rows(file: &str) -> Vec<Vec<String>> {
    file.lines().map(|line| line.split('\t').map(str::to_owned).collect()).collect()
}

/// Runs `reader` and `baseline` in turns and prints the ratio of their best times, by the
/// clock and by CPU time.
fn interleaved(name: &str, reader: &dyn Fn() -> usize, baseline: &dyn Fn() -> usize) {
    const ROUNDS: usize = 5;
    let mut best = [[f64::MAX; 2]; 2];
    for _ in 0..ROUNDS {
        for (side, f) in [reader, baseline].into_iter().enumerate() {
            let (clock, cpu) = (Instant::now(), cpu_time());
            std::hint::black_box(f());
            best[side][0] = best[side][0].min(clock.elapsed().as_secs_f64());
            if let (Some(start), Some(end)) = (cpu, cpu_time()) {
                best[side][1] = best[side][1].min(end - start);
            }
        }
    }
    let [[wall, cpu], [base_wall, base_cpu]] = best;
    let cpu = if cpu < f64::MAX {
        format!(", CPU {:.0} ÷ {:.0} ms = {:.2}", cpu * 1e3, base_cpu * 1e3, cpu / base_cpu)
    } else {
        String::new()
    };
    eprintln!(
        "ratio {name}: best of {ROUNDS} in turns, clock {:.0} ÷ {:.0} ms = {:.2}{cpu}",
        wall * 1e3,
        base_wall * 1e3,
        wall / base_wall
    );
}

fn import(c: &mut Criterion) {
    let mb = megabytes();
    let mut group = c.benchmark_group("import");
    group.sample_size(10).measurement_time(Duration::from_secs(30)).warm_up_time(Duration::from_secs(1));

    let log = ndjson(mb);
    let records = log.lines().count();
    let check = annals_formats::load(log.as_bytes(), "bench.ndjson", Some(Format::AnnalsNdjson), &Nothing);
    assert!(check.is_clean() && check.accepted.len() == records, "the synthetic log must load whole");
    drop(check);
    eprintln!("ndjson: {} bytes, {records} records", log.len());
    interleaved(
        "ndjson load ÷ value",
        &|| annals_formats::load(log.as_bytes(), "bench.ndjson", Some(Format::AnnalsNdjson), &Nothing).accepted.len(),
        &|| log.lines().filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok()).count(),
    );
    group.throughput(Throughput::Bytes(log.len() as u64));
    group.bench_function("ndjson/baseline/value", |b| {
        b.iter(|| log.lines().filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok()).count())
    });
    group.bench_function("ndjson/baseline/decode", |b| {
        b.iter(|| log.lines().filter_map(|line| annals_core::envelope::decode_record(line).ok()).count())
    });
    group.bench_function("ndjson/load", |b| {
        b.iter(|| annals_formats::load(log.as_bytes(), "bench.ndjson", Some(Format::AnnalsNdjson), &Nothing))
    });
    drop(log);

    // Without the corpus the GDELT half is skipped (the corpus helper says so on stderr).
    if let Some(sample) = corpus::read(GDELT_SAMPLE) {
        let sample = String::from_utf8_lossy(&sample);
        {
            let file = gdelt(&sample, mb);
            let check = annals_formats::load(file.as_bytes(), "bench.export.CSV", Some(Format::Gdelt), &Nothing);
            assert!(!check.accepted.is_empty(), "the GDELT sample must load: {:?}", check.diagnostics.first());
            eprintln!(
                "gdelt: {} bytes, {} rows, {} records accepted, {} rejected",
                file.len(),
                file.lines().count(),
                check.accepted.len(),
                check.rejected
            );
            drop(check);
            interleaved(
                "gdelt load ÷ rows",
                &|| {
                    annals_formats::load(file.as_bytes(), "bench.export.CSV", Some(Format::Gdelt), &Nothing)
                        .accepted
                        .len()
                },
                &|| owned_rows(&file).len(),
            );
            interleaved(
                "gdelt load ÷ split",
                &|| {
                    annals_formats::load(file.as_bytes(), "bench.export.CSV", Some(Format::Gdelt), &Nothing)
                        .accepted
                        .len()
                },
                &|| file.lines().map(|line| line.split('\t').filter(|f| !f.is_empty()).count()).sum::<usize>(),
            );
            group.throughput(Throughput::Bytes(file.len() as u64));
            group.bench_function("gdelt/baseline/split", |b| {
                b.iter(|| file.lines().map(|line| line.split('\t').filter(|f| !f.is_empty()).count()).sum::<usize>())
            });
            group.bench_function("gdelt/baseline/rows", |b| b.iter(|| owned_rows(&file).len()));
            group.bench_function("gdelt/load", |b| {
                b.iter(|| annals_formats::load(file.as_bytes(), "bench.export.CSV", Some(Format::Gdelt), &Nothing))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);
