//! `annals stats FILE [--json]`.

use std::fmt::Write as _;
use std::process::ExitCode;

use annals_core::projection::{AsOf, Projections, StatsView};
use annals_core::{EventKind, ExpectedVersion, Log, StreamName};

use super::{display_name, now, Input, Unreadable};

/// Arguments of `annals stats`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: Input,
    /// Print the figures as JSON.
    #[arg(long)]
    json: bool,
}

pub(super) fn run(args: &Args) -> Result<ExitCode, Unreadable> {
    let loaded = args.input.load()?;
    let file = display_name(&args.input.file);
    if !loaded.is_clean() {
        eprintln!(
            "{file}: {} record(s) rejected; the figures cover the {} valid ones (see `annals validate {file}`)",
            loaded.rejected,
            loaded.accepted.len()
        );
    }
    let stream = loaded.stream.clone().unwrap_or_else(|| StreamName::from("default"));
    let mut log = Log::new();
    if !loaded.accepted.is_empty() {
        if let Err(e) = log.append(&stream, ExpectedVersion::Any, loaded.proposed(), now()) {
            // The accepted part of a file is valid on its own; this would be a bug.
            eprintln!("{file}: could not fold the valid records: {e}");
            return Ok(ExitCode::from(1));
        }
    }
    let projections = Projections::fold(log.read_from(0), AsOf::NOW);
    let view = projections.stats_view();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&view).unwrap_or_default());
    } else {
        print!("{}", table(loaded.title.as_deref().unwrap_or(&file), &view, &projections));
    }
    Ok(ExitCode::SUCCESS)
}

fn table(title: &str, s: &StatsView, p: &Projections) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{title}");
    let _ = writeln!(
        out,
        "{} events, {} documents signed, {} disputed, {} corrected, {} retracted\n",
        s.events, s.documents, s.disputed, s.corrected, s.retracted
    );
    let short = ["Visit", "Sign", "Comm", "Talk", "Call", "Stmt", "Other"];
    let _ = write!(out, "{:>6}", "year");
    for k in short {
        let _ = write!(out, " {k:>5}");
    }
    let _ = writeln!(out, " {:>5} {:>5}", "docs", "cumul");
    for y in &s.years {
        if y.by_kind.iter().all(|n| *n == 0) && y.documents == 0 {
            continue;
        }
        let _ = write!(out, "{:>6}", y.year);
        for n in y.by_kind {
            let _ = write!(out, " {:>5}", if n == 0 { ".".to_owned() } else { n.to_string() });
        }
        let _ = writeln!(out, " {:>5} {:>5}", y.documents, y.documents_cumulative);
    }
    let _ = write!(out, "{:>6}", "total");
    for k in EventKind::ALL {
        let _ = write!(out, " {:>5}", s.by_kind.get(k.name()).copied().unwrap_or(0));
    }
    let _ = writeln!(out, " {:>5}\n", s.documents);
    let actors: Vec<String> = s.actors.iter().filter(|(_, n)| **n > 0).map(|(k, n)| format!("{n} {k}")).collect();
    let _ = writeln!(out, "actors: {}", actors.join(", "));
    for d in &s.visits {
        let from = p.catalog.actor_name(d.from.as_str());
        let to = p.catalog.actor_name(d.to.as_str());
        let _ = writeln!(out, "visits {from} → {to}: {}", d.visits);
    }
    out
}
