//! `annals import`, `annals export`, `annals append`: files in and out of a store.
//!
//! They open the same store `annals serve` uses (the SQLite file `--db`, default
//! `./annals.db`, or the PostgreSQL database `--store postgres://…`), and
//! every write goes through the store's append, so the rules are those of the service:
//! atomic batches, idempotent ids, the expected version. A file is validated against what the
//! stream already holds (its events may name actors registered earlier); an import is all or
//! nothing unless `--keep-valid` is given. Exit status: 0 done, 1 refused (the report says
//! why; nothing was written), 2 a file or the store cannot be read.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use annals_core::catalog::Catalog;
use annals_core::format::Format;
use annals_core::{Envelope, ExpectedVersion, Proposed, StreamName};
use annals_formats::export::{export as write_export, ExportFormat, ExportInfo};
use annals_formats::load;
use anyhow::Context;

use super::output::{note, print};
use crate::store::{Location, Store, StoreError};

/// The store options shared by the commands.
#[derive(Debug, clap::Args)]
pub struct StoreArgs {
    /// The SQLite file of the store (the one `annals serve` uses).
    #[arg(long, env = "ANNALS_DB", default_value = "./annals.db")]
    pub db: PathBuf,
    /// A PostgreSQL database instead of the SQLite file: `postgres://user@host/db`.
    #[arg(long, env = "ANNALS_STORE", value_name = "URL", hide_env_values = true, conflicts_with = "db")]
    pub store: Option<String>,
    /// The stream (record) to work on.
    #[arg(long)]
    pub stream: String,
}

/// Arguments of `annals import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The file to import (Annals JSON document or NDJSON log, TimelineJS JSON, CSV, …).
    pub file: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
    /// Read the file as this format instead of detecting it.
    #[arg(long, value_name = "FORMAT")]
    format: Option<Format>,
    /// Import the valid records even when others are rejected (by default nothing is written).
    #[arg(long)]
    keep_valid: bool,
}

/// Arguments of `annals export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Output format: annals-ndjson (the log, envelopes with positions), annals-json (the log
    /// as a document), or the current record as timelinejs-json, csv, ics or geojson.
    #[arg(long, value_name = "FORMAT", default_value = "annals-ndjson")]
    format: ExportFormat,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Write each event's title and summary in this language (a tag such as ru, az or be)
    /// where the record has them, else in the record's own, marked as such (timelinejs-json
    /// and ics); csv writes the record's own texts and this language's columns only.
    #[arg(long, value_name = "LANG", value_parser = lang_tag)]
    lang: Option<String>,
}

/// A language tag for `--lang`, checked as the record's tags are.
fn lang_tag(tag: &str) -> Result<String, String> {
    annals_core::lang::check_tag(tag).map(|()| tag.to_owned()).map_err(|said| said.to_string())
}

/// Arguments of `annals append`.
#[derive(Debug, clap::Args)]
pub struct AppendArgs {
    /// A file with one record, an array of records or an NDJSON log; `-` or nothing reads stdin.
    pub file: Option<PathBuf>,
    #[command(flatten)]
    store: StoreArgs,
    /// Refuse the append unless the stream is at this version (its number of events).
    #[arg(long, value_name = "VERSION")]
    expected_version: Option<u64>,
}

/// The command's one runtime: a store opened on it (PostgreSQL's connections are tasks)
/// is used on it.
fn runtime() -> anyhow::Result<&'static tokio::runtime::Runtime> {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    if let Some(rt) = RUNTIME.get() {
        return Ok(rt);
    }
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the runtime")?;
    Ok(RUNTIME.get_or_init(|| rt))
}

fn open(args: &StoreArgs) -> anyhow::Result<(std::sync::Arc<dyn Store>, StreamName)> {
    if let Err(reason) = annals_core::id::check_stream(&args.stream) {
        anyhow::bail!("bad stream name: {reason}");
    }
    let location = Location::from_args(&args.db, args.store.as_deref()).map_err(anyhow::Error::msg)?;
    let store = runtime()?.block_on(location.open()).with_context(|| format!("opening {}", location.describe()))?;
    Ok((store, StreamName::from(args.stream.as_str())))
}

/// Every envelope of a stream, page by page.
async fn read_stream(store: &dyn Store, stream: &StreamName) -> Result<Vec<Envelope>, StoreError> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = store.read_stream(stream.clone(), after, 10_000).await?;
        let Some(last) = page.events.last().map(|e| e.position) else { break };
        after = last;
        out.extend(page.events);
    }
    Ok(out)
}

/// The projections of a stream of the store.
pub(super) fn stream_projections(
    db: &std::path::Path,
    store: Option<&str>,
    stream: &str,
) -> anyhow::Result<annals_core::Projections> {
    let args = StoreArgs { db: db.to_owned(), store: store.map(str::to_owned), stream: stream.to_owned() };
    let (store, stream) = open(&args)?;
    let envelopes = runtime()?.block_on(read_stream(&*store, &stream))?;
    let location = Location::from_args(&args.db, args.store.as_deref()).map_err(anyhow::Error::msg)?;
    anyhow::ensure!(!envelopes.is_empty(), "stream {stream} has no events in {}", location.describe());
    Ok(annals_core::Projections::fold(&envelopes, annals_core::AsOf::NOW))
}

/// Prints a refused append the way `validate` prints problems; returns exit status 1.
fn refused(what: &str, error: &StoreError) -> ExitCode {
    match error {
        StoreError::Rejected(annals_core::AppendError::Invalid(problems)) => {
            for (i, p) in problems {
                note!("{what}: error: item {}, {}: {}", i + 1, p.field, p.message);
            }
            note!(
                "{what}: FAILED: {}; nothing was written",
                annals_core::words::count(problems.len(), "problem", "problems")
            );
        }
        other => note!("{what}: FAILED: {other}; nothing was written"),
    }
    ExitCode::from(1)
}

pub(super) fn import(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let (bytes, progress) = super::progress::read_file(&args.file)
        .with_context(|| format!("{}: cannot read the file", args.file.display()))?;
    let name = args.file.display().to_string();
    let (store, stream) = open(&args.store)?;
    runtime()?.block_on(async {
        progress.step("validating", format!("{} against {stream}", super::progress::size(bytes.len())));
        let mut known = Catalog::new();
        let mut stored = std::collections::HashSet::new();
        for env in read_stream(&*store, &stream).await? {
            known.apply(&env);
            stored.insert(env.id);
        }
        // A file whose every record is already in the stream is a repeated import: the store
        // answers it (identical records are idempotent, changed ones are refused). Anything
        // else is validated against what the stream holds.
        let alone = load(&bytes, &name, args.format, &annals_core::validate::Nothing);
        let repeated = alone.is_clean()
            && !alone.accepted.is_empty()
            && alone.accepted.iter().all(|l| stored.contains(&l.proposed.id));
        let loaded = if repeated { alone } else { load(&bytes, &name, args.format, &known) };
        progress.clear();
        for d in &loaded.notes {
            note!("{name}: note: {d}");
        }
        for d in &loaded.diagnostics {
            note!("{name}: error: {d}");
        }
        if !loaded.is_clean() && !args.keep_valid {
            note!(
                "{name}: FAILED: {} rejected; nothing was imported (--keep-valid imports the {} valid ones)",
                annals_core::words::count(loaded.rejected, "record", "records"),
                loaded.accepted.len()
            );
            return Ok(ExitCode::from(1));
        }
        if loaded.accepted.is_empty() {
            note!("{name}: nothing to import");
            return Ok(ExitCode::from(u8::from(!loaded.is_clean())));
        }
        let total = loaded.accepted.len();
        let records = annals_core::words::count(total, "record", "records");
        note!("{name}: importing {records} into {stream} …");
        progress.step("writing", format!("{records} into {stream}"));
        let written = store.append(stream.clone(), ExpectedVersion::Any, loaded.proposed()).await;
        progress.clear();
        match written {
            Ok(done) => {
                let verb = if done.duplicate { "already there" } else { "imported" };
                print(&format!("{name}: {verb}: {records}, {stream} is at version {}\n", done.version))?;
                Ok(if loaded.is_clean() { ExitCode::SUCCESS } else { ExitCode::from(1) })
            }
            Err(e @ StoreError::Rejected(_)) => Ok(refused(&name, &e)),
            Err(e) => Err(e.into()),
        }
    })
}

pub(super) fn export(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let (store, stream) = open(&args.store)?;
    let envelopes = runtime()?.block_on(read_stream(&*store, &stream))?;
    if envelopes.is_empty() {
        let location = Location::from_args(&args.store.db, args.store.store.as_deref()).map_err(anyhow::Error::msg)?;
        note!("annals: stream {stream} has no events in {}", location.describe());
        return Ok(ExitCode::from(1));
    }
    let info = ExportInfo { stream: Some(stream.as_str()), lang: args.lang.as_deref(), ..ExportInfo::default() };
    let exported = write_export(&envelopes, args.format, &info);
    if exported.left_out > 0 {
        let why = match args.format {
            ExportFormat::Geojson => "no coordinates are known for them",
            _ => "their dates cannot be written in this format",
        };
        note!(
            "annals: {} left out of the {} file: {why}",
            annals_core::words::count(exported.left_out, "event", "events"),
            args.format
        );
    }
    let text = exported.text;
    match &args.output {
        Some(path) => std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?,
        None => print(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn append(args: &AppendArgs) -> anyhow::Result<ExitCode> {
    let (name, bytes) = match &args.file {
        Some(path) if path.as_os_str() != "-" => (
            path.display().to_string(),
            std::fs::read(path).with_context(|| format!("{}: cannot read the file", path.display()))?,
        ),
        _ => {
            let mut bytes = Vec::new();
            std::io::stdin().read_to_end(&mut bytes).context("reading standard input")?;
            ("stdin".to_owned(), bytes)
        }
    };
    let batch = match parse_records(&bytes) {
        Ok(batch) => batch,
        Err(message) => {
            note!("{name}: error: {message}");
            return Ok(ExitCode::from(1));
        }
    };
    let (store, stream) = open(&args.store)?;
    let expected = args.expected_version.map_or(ExpectedVersion::Any, ExpectedVersion::Exact);
    runtime()?.block_on(async {
        match store.append(stream.clone(), expected, batch).await {
            Ok(done) => {
                let positions: Vec<String> = done.positions.iter().map(u64::to_string).collect();
                let verb = if done.duplicate { "already stored at" } else { "appended at" };
                print(&format!(
                    "{name}: {verb} {} {}; {stream} is at version {}\n",
                    if positions.len() == 1 { "position" } else { "positions" },
                    positions.join(", "),
                    done.version
                ))?;
                Ok(ExitCode::SUCCESS)
            }
            Err(e @ StoreError::Rejected(_)) => Ok(refused(&name, &e)),
            Err(e) => Err(e.into()),
        }
    })
}

/// One record, a JSON array of records, or NDJSON lines of records.
fn parse_records(bytes: &[u8]) -> Result<Vec<Proposed>, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "the input is not UTF-8".to_owned())?;
    let decode = |t: &str, n: usize| {
        annals_core::envelope::decode_record(t)
            .map(|r| r.proposed)
            .map_err(|e| format!("record {n}, {}: {}", e.field, e.message))
    };
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Array(items)) => {
            items.iter().enumerate().map(|(i, v)| decode(&v.to_string(), i + 1)).collect()
        }
        Ok(_) => Ok(vec![decode(text, 1)?]),
        Err(_) => text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("//"))
            .enumerate()
            .map(|(i, l)| decode(l, i + 1))
            .collect(),
    }
}
