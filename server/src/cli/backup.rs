//! `annals backup DEST`: a consistent copy of a SQLite store, also while `annals serve` runs.
//!
//! The copy is one self-contained database file (SQLite's `VACUUM INTO`, which reads one
//! snapshot: appends committed during the copy are either wholly in it or not at all), made
//! owner-only, then opened and checked like a store before the command reports success.
//! Copying `annals.db` with `cp` is not a backup of a running store: the latest events sit in
//! `annals.db-wal` until a checkpoint. For PostgreSQL use its own tools (`pg_dump`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::output::print;
use crate::store::sqlite;

/// Arguments of `annals backup`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file to write the copy to (must not exist yet).
    pub dest: PathBuf,
    /// The SQLite file of the store (the one `annals serve` uses).
    #[arg(long, env = "ANNALS_DB", default_value = "./annals.db")]
    pub db: PathBuf,
}

pub(super) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let position = sqlite::backup(&args.db, &args.dest)
        .with_context(|| format!("backing up {} to {}", args.db.display(), args.dest.display()))?;
    print(&format!(
        "annals: copied {} to {} (the log up to position {position}, checked)\n",
        args.db.display(),
        args.dest.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}
