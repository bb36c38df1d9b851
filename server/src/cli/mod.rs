//! Command-line interface.
//!
//! Exit codes are part of the interface, for scripts: 0 when the work is done and the input
//! is clean, 1 when the input has errors (each reported), 2 when the input cannot be read at
//! all or the command line is wrong, 141 when standard output was closed before the command
//! finished (`annals stats FILE | head -1`; see [`output`]).

mod backup;
pub mod output;
pub mod precompress;
mod progress;
mod records;
pub mod serve;
mod stats;
mod validate;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use annals_core::format::{Format, Loaded};
use annals_core::validate::Nothing;
use annals_formats::load;
use clap::{Parser, Subcommand};

/// Keeps and shows the record of relations between states.
#[derive(Debug, Parser)]
#[command(name = "annals", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a file of events and report every problem (line or record, field, what was expected).
    ///
    /// Exit status: 0 when the file is clean, 1 when it has errors, 2 when it cannot be read.
    Validate(validate::Args),
    /// Print figures of a file of events: events per kind and year, actors, documents signed.
    Stats(stats::Args),
    /// Run the service: the event store (SQLite, or PostgreSQL with --store), the HTTP API and the web app.
    ///
    /// Loads the default record into an empty store on first start. Writes need the bearer
    /// token (ANNALS_TOKEN, --token-file, or the one generated into <db>.token; with --store
    /// it must be given, and every replica of one database gets the same). Two `serve` on
    /// one SQLite file are refused; SIGTERM or Ctrl-C stops it within seconds and leaves the
    /// store in the one database file.
    Serve(serve::Args),
    /// Import a file of events into a stream of the store, all or nothing (unless --keep-valid).
    ///
    /// The file is validated against what the stream already holds. Exit status: 0 imported,
    /// 1 refused (nothing written), 2 unreadable.
    Import(records::ImportArgs),
    /// Export a stream of the store as an NDJSON log (default) or a JSON document.
    Export(records::ExportArgs),
    /// Copy a SQLite store into one self-contained file, consistently, also while it is served.
    ///
    /// The copy is checked before the command reports success. Exit status: 0 copied, 2 failed.
    Backup(backup::Args),
    /// Write FILE.br and FILE.gz beside each file of the built web app, for `serve` to send.
    Precompress(precompress::Args),
    /// Append events (one record, an array, or NDJSON; from a file or stdin) to a stream.
    ///
    /// --expected-version refuses the append if the stream has moved on. Exit status: 0
    /// appended (or already stored), 1 refused (nothing written), 2 unreadable.
    Append(records::AppendArgs),
}

/// Options shared by the commands that read a file.
#[derive(Debug, clap::Args)]
pub struct Input {
    /// The file to read (Annals JSON document or NDJSON log).
    pub file: PathBuf,
    /// Read the file as this format instead of detecting it: annals-json, annals-ndjson, csv,
    /// timelinejs-json, gdelt, plover or historyatstate-xml.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<Format>,
}

/// A file that could not be read at all.
#[derive(Debug)]
pub struct Unreadable {
    path: PathBuf,
    error: std::io::Error,
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: cannot read the file: {}", self.path.display(), self.error)
    }
}

impl std::error::Error for Unreadable {}

impl Input {
    /// Reads and validates the file.
    pub fn load(&self) -> Result<Loaded, Unreadable> {
        let bytes = std::fs::read(&self.file).map_err(|error| Unreadable { path: self.file.clone(), error })?;
        Ok(load(&bytes, &display_name(&self.file), self.format, &Nothing))
    }
}

fn display_name(path: &Path) -> String {
    path.display().to_string()
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Validate(args) => validate::run(&args),
        Command::Stats(args) => stats::run(&args),
        Command::Serve(args) => serve::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Import(args) => records::import(&args),
        Command::Export(args) => records::export(&args),
        Command::Append(args) => records::append(&args),
        Command::Backup(args) => backup::run(&args),
        Command::Precompress(args) => precompress::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) if output::is_closed(&e) => ExitCode::from(output::CLOSED_PIPE),
        // A file or the store could not be read, or the service could not start.
        Err(e) => {
            output::note!("annals: {e:#}");
            ExitCode::from(2)
        }
    }
}
