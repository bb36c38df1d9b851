//! `annals validate FILE [--json]`.

use std::process::ExitCode;

use annals_core::format::Loaded;
use serde::Serialize;

use super::output::print;
use super::{display_name, Input};

/// Arguments of `annals validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: Input,
    /// Print the report as JSON: {"format", "accepted", "rejected", "diagnostics": [{"line" or "record", "field", "message"}]}.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Report<'a> {
    file: String,
    format: &'static str,
    accepted: usize,
    rejected: usize,
    diagnostics: &'a [annals_core::Problem],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    notes: &'a [annals_core::Problem],
}

pub(super) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let loaded = args.input.load()?;
    let file = display_name(&args.input.file);
    if args.json {
        let report = Report {
            file,
            format: loaded.format.name(),
            accepted: loaded.accepted.len(),
            rejected: loaded.rejected,
            diagnostics: &loaded.diagnostics,
            notes: &loaded.notes,
        };
        print(&format!("{}\n", serde_json::to_string_pretty(&report).unwrap_or_default()))?;
    } else {
        print(&human(&file, &loaded))?;
    }
    Ok(if loaded.is_clean() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// The report for people: one line per problem, `file:line: record N, field: message`, as
/// compilers print them (editors jump to the line), then a summary.
fn human(file: &str, loaded: &Loaded) -> String {
    let mut s = String::new();
    for d in &loaded.notes {
        s.push_str(&line(file, "note", d));
    }
    for d in &loaded.diagnostics {
        s.push_str(&line(file, "error", d));
    }
    let verdict = if loaded.is_clean() { "ok" } else { "FAILED" };
    s.push_str(&format!(
        "{file}: {verdict}: {} format, {} accepted, {} rejected, {}\n",
        loaded.format.name(),
        annals_core::words::count(loaded.accepted.len(), "record", "records"),
        loaded.rejected,
        annals_core::words::count(loaded.diagnostics.len(), "problem", "problems")
    ));
    s
}

/// One `file:line: severity: record N, field: message` line.
pub(super) fn line(file: &str, severity: &str, d: &annals_core::Problem) -> String {
    let at = match d.line {
        Some(l) => format!("{file}:{l}"),
        None => file.to_owned(),
    };
    let record = d.record.map(|r| format!("record {r}")).unwrap_or_default();
    let place: Vec<&str> = [record.as_str(), d.field.as_str()].into_iter().filter(|p| !p.is_empty()).collect();
    if place.is_empty() {
        format!("{at}: {severity}: {}\n", d.message)
    } else {
        format!("{at}: {severity}: {}: {}\n", place.join(", "), d.message)
    }
}
