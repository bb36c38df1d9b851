//! `annals stats FILE [--json]`, or `annals stats --stream NAME [--db FILE | --store URL]` for
//! a stream of the store.

use std::fmt::Write as _;
use std::process::ExitCode;

use annals_core::format::Format;
use annals_core::projection::{AsOf, Projections, StatsView};
use annals_core::{EventKind, StreamName};

use super::output::{note, print};
use super::{display_name, Input};
use crate::clock::now;

/// Arguments of `annals stats`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file to read (Annals JSON document or NDJSON log); or give --stream.
    #[arg(required_unless_present = "stream")]
    file: Option<std::path::PathBuf>,
    /// Read the file as this format instead of detecting it: annals-json, annals-ndjson, csv,
    /// timelinejs-json, gdelt, plover or historyatstate-xml.
    #[arg(long, value_name = "FORMAT")]
    format: Option<Format>,
    /// A stream of the store instead of a file.
    #[arg(long, conflicts_with = "file")]
    stream: Option<String>,
    /// The SQLite file of the store, with --stream.
    #[arg(long, env = "ANNALS_DB", default_value = "./annals.db")]
    db: std::path::PathBuf,
    /// A PostgreSQL database instead of the SQLite file, with --stream: `postgres://user@host/db`.
    #[arg(long, env = "ANNALS_STORE", value_name = "URL", hide_env_values = true, conflicts_with = "db")]
    store: Option<String>,
    /// Print the figures as JSON.
    #[arg(long)]
    json: bool,
}

pub(super) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let (title, projections) = match (&args.stream, &args.file) {
        (Some(stream), _) => {
            let projections = super::records::stream_projections(&args.db, args.store.as_deref(), stream)?;
            (stream.clone(), projections)
        }
        (None, Some(file)) => of_file(&Input { file: file.clone(), format: args.format })?,
        (None, None) => anyhow::bail!("give a FILE or --stream NAME"),
    };
    let view = projections.stats_view();
    if args.json {
        print(&format!("{}\n", serde_json::to_string_pretty(&view).unwrap_or_default()))?;
    } else {
        print(&table(&title, &view, &projections))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The projections of a file's valid records, and its title.
fn of_file(input: &Input) -> anyhow::Result<(String, Projections)> {
    let loaded = input.load()?;
    let file = display_name(&input.file);
    if !loaded.is_clean() {
        note!(
            "{file}: {} rejected; the figures cover the {} valid ones (see `annals validate {file}`)",
            annals_core::words::count(loaded.rejected, "record", "records"),
            loaded.accepted.len()
        );
    }
    let stream = loaded.stream.clone().unwrap_or_else(|| StreamName::from("default"));
    let title = loaded.title.clone().unwrap_or(file);
    // The accepted part of a file is valid on its own: fold it without validating again.
    let envelopes = loaded.into_envelopes(&stream, now());
    Ok((title, Projections::fold(&envelopes, AsOf::NOW)))
}

/// The heading of a kind's column: at most 5 characters.
fn column(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Visit => "Visit",
        EventKind::Signing => "Sign",
        EventKind::CommissionMeeting => "Comm",
        EventKind::Talks => "Talk",
        EventKind::Call => "Call",
        EventKind::Statement => "Stmt",
        EventKind::Other => "Other",
    }
}

fn table(title: &str, s: &StatsView, p: &Projections) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{title}");
    let _ = writeln!(
        out,
        "{} events, {} documents signed, {} disputed, {} corrected, {} retracted\n",
        s.events, s.documents, s.disputed, s.corrected, s.retracted
    );
    let _ = write!(out, "{:>6}", "year");
    for k in EventKind::ALL {
        let _ = write!(out, " {:>5}", column(k));
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
