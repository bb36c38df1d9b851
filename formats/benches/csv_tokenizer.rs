#![expect(missing_docs, reason = "criterion macros generate undocumented items")]
//! The CSV tokenizer: the `csv` crate (what `annals_formats::csv::rows` uses) against the
//! hand-written tokenizer it replaced, kept here only as the yardstick, on the same few MB of
//! CSV in one process.
//!
//! The CSV is the Annals CSV export of a synthetic log (`annals_core::synth`): a sheet of the
//! template's columns as a person would get from `annals export`. Before
//! criterion's runs, both are run in turns for a few rounds and the ratio of their best times
//! is printed (`ratio csv crate ÷ hand-written: …`), so both sides see the same load.
//!
//! Run: `cargo bench -p annals-formats --bench csv_tokenizer`; `ANNALS_BENCH_MB` sets the size
//! (default 5).

use std::time::{Duration, Instant};

use annals_core::synth::{synthetic_log, SynthOptions};
use annals_formats::export::{export, ExportFormat, ExportInfo};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// The tokenizer `annals_formats::csv` had before the `csv` crate: rows with the physical line
/// each starts on, and whether the file ended inside a quoted cell.
fn hand_written(text: &str, delimiter: char) -> (Vec<(usize, Vec<String>)>, bool) {
    let mut out = Vec::new();
    let mut line = 1;
    let mut row_line = 1;
    let mut cells: Vec<String> = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => quoted = false,
                '\r' if chars.peek() == Some(&'\n') => {}
                '\n' => {
                    line += 1;
                    cell.push('\n');
                }
                c => cell.push(c),
            }
            continue;
        }
        match c {
            '"' if cell.is_empty() && !was_quoted => {
                quoted = true;
                was_quoted = true;
            }
            c if c == delimiter => {
                cells.push(std::mem::take(&mut cell));
                was_quoted = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                cells.push(std::mem::take(&mut cell));
                was_quoted = false;
                out.push((row_line, std::mem::take(&mut cells)));
                line += 1;
                row_line = line;
            }
            c => cell.push(c),
        }
    }
    if !cell.is_empty() || !cells.is_empty() || was_quoted {
        cells.push(cell);
        out.push((row_line, cells));
    }
    out.retain(|(_, r)| r.iter().any(|c| !c.trim().is_empty()));
    (out, quoted)
}

fn with_crate(text: &str) -> usize {
    annals_formats::csv::rows(text, ',').0.len()
}

/// The Annals CSV export of a synthetic log of about `mb` megabytes.
fn sheet(mb: usize) -> String {
    let info = ExportInfo::default();
    let probe = synthetic_log(SynthOptions { events: 2_000, ..SynthOptions::default() });
    let per_event = export(&probe, ExportFormat::Csv, &info).text.len() / 2_000 + 1;
    let events = mb * 1_000_000 / per_event;
    export(&synthetic_log(SynthOptions { events, ..SynthOptions::default() }), ExportFormat::Csv, &info).text
}

/// The best of a few alternating runs of each, and their ratio.
fn interleaved(a: &dyn Fn() -> usize, b: &dyn Fn() -> usize) {
    let (mut best_a, mut best_b) = (Duration::MAX, Duration::MAX);
    for _ in 0..7 {
        let t = Instant::now();
        std::hint::black_box(a());
        best_a = best_a.min(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(b());
        best_b = best_b.min(t.elapsed());
    }
    eprintln!(
        "ratio csv crate ÷ hand-written: {:.2} (best of 7: {:.1} ms ÷ {:.1} ms)",
        best_a.as_secs_f64() / best_b.as_secs_f64(),
        best_a.as_secs_f64() * 1e3,
        best_b.as_secs_f64() * 1e3
    );
}

fn tokenizer(c: &mut Criterion) {
    let mb = std::env::var("ANNALS_BENCH_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let text = sheet(mb);
    // Both read the same rows, on the same lines, before either is timed.
    let (rows, _) = annals_formats::csv::rows(&text, ',');
    let (old, unclosed) = hand_written(&text, ',');
    assert!(!unclosed);
    assert_eq!(rows.len(), old.len());
    assert!(rows.iter().zip(&old).all(|(r, (line, cells))| r.line == *line && &r.cells == cells));
    let lines = text.lines().count();
    eprintln!("csv: {} bytes, {} lines, {} rows", text.len(), lines, rows.len());
    interleaved(&|| with_crate(&text), &|| hand_written(&text, ',').0.len());
    let mut group = c.benchmark_group("csv");
    group.sample_size(20).measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("tokenize/csv-crate", |b| b.iter(|| with_crate(&text)));
    group.bench_function("tokenize/hand-written", |b| b.iter(|| hand_written(&text, ',').0.len()));
    group.finish();
}

criterion_group!(benches, tokenizer);
criterion_main!(benches);
