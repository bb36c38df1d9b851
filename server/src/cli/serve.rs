//! `annals serve`: the store, the API and the web app in one process.
//!
//! On first start with an empty store it loads the default record; when no token is given
//! it generates one, keeps it beside the database (`<db>.token`, owner-only) and prints it
//! once. With `--store postgres://…` the token must be given: replicas share it.
//!
//! Replicas: any number of `annals serve --store postgres://…` processes may serve one
//! database (behind a load balancer); they hold no state of their own that the database
//! does not have. Seeding an empty store from two replicas at once is safe: the second
//! append repeats the first one's ids and is answered as a duplicate.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use annals_core::log::StreamInfo;
use annals_core::validate::Nothing;
use annals_core::{Appended, ExpectedVersion, StreamName};
use annals_formats::load;
use anyhow::{bail, Context};
use tracing_subscriber::EnvFilter;

use crate::http::listen::{self, Limits};
use crate::http::{self, AppState, DEFAULT_BODY_LIMIT};
use crate::store::{Location, Store};

/// The default record, built into the binary so `annals serve` works from any directory.
pub const DEFAULT_RECORD: &str = include_str!("../../../data/azerbaijan-belarus.json");
/// Where the default record is looked for first, relative to the current directory.
pub const DEFAULT_SEED: &str = "data/azerbaijan-belarus.json";

/// Arguments of `annals serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, env = "ANNALS_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The SQLite database file (created when missing).
    #[arg(long, env = "ANNALS_DB", default_value = "./annals.db")]
    pub db: PathBuf,
    /// A PostgreSQL database instead of the SQLite file: `postgres://user@host/db`. Any
    /// number of replicas may serve one database; give them all the same --token.
    #[arg(long, env = "ANNALS_STORE", value_name = "URL", hide_env_values = true, conflicts_with = "db")]
    pub store: Option<String>,
    /// The built web app to serve at `/` (`trunk build` output).
    #[arg(long, env = "ANNALS_DIST", default_value = "dist")]
    pub dist: PathBuf,
    /// The bearer token writes must present, in the environment variable ANNALS_TOKEN or
    /// (visible to every user in the process list, so better not) as --token TOKEN. Without
    /// it or --token-file, a token is generated on first start, stored in `<db>.token`
    /// (owner-only) and printed once.
    #[arg(long, env = "ANNALS_TOKEN", hide_env_values = true, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Read the bearer token from this file (its first line; keep it owner-only).
    #[arg(long, value_name = "PATH", conflicts_with = "token")]
    pub token_file: Option<PathBuf>,
    /// The record loaded into an empty store on first start [default: data/azerbaijan-belarus.json
    /// when it exists, else the copy built into the binary].
    #[arg(long, value_name = "FILE")]
    pub seed: Option<PathBuf>,
    /// Start with an empty store instead of loading a record.
    #[arg(long, conflicts_with = "seed")]
    pub no_seed: bool,
    /// Largest request body accepted, in bytes (larger ones get 413).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_BODY_LIMIT)]
    pub max_body: usize,
    /// Connections open at once; lowered to what the open-file limit (`ulimit -n`) allows.
    /// When all are taken, the oldest one not in a request is closed for a newcomer.
    #[arg(long, value_name = "N", default_value_t = listen::DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// Seconds a client has to send a whole request head before its connection is closed.
    #[arg(long, value_name = "SECONDS", default_value_t = listen::DEFAULT_HEADER_TIMEOUT.as_secs_f64())]
    pub header_timeout: f64,
    /// Streams whose projections are kept in memory (each folded once, then kept current);
    /// the one used least recently is dropped when another is needed.
    #[arg(long, value_name = "N", default_value_t = http::kept::DEFAULT_KEPT_STREAMS as u64,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub kept_streams: u64,
    /// The most events whose views (timeline, figures, graph, filtered reads) are kept in
    /// memory, over all kept streams: a stream larger than this alone has its views answer
    /// 400 `stream_too_large` (its plain event pages, appends and live updates keep working),
    /// and keeping a stream drops the least recently viewed ones until it fits. A kept stream costs about
    /// 2.6 KB an event, so the default is what half of this machine's memory holds so
    /// (MemTotal, or the cgroup limit when lower, / 2 / 2,600 B; printed at start). It guards
    /// against the kernel killing the service for its memory.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub kept_max_events: Option<u64>,
    /// Expensive reads (whole timeline, graph, filtered event scans, as-of-position folds) at
    /// once; more wait up to 2 s, then get 503 with Retry-After. Default: the number of CPUs.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub expensive_reads: Option<u64>,
    /// The most events the whole timeline (`/api/streams/{stream}/timeline`) is answered for in
    /// one piece; a larger record is read by the window (`lod`, then `window` pages).
    #[arg(long, value_name = "N", default_value_t = http::views::MAX_TIMELINE_ENTRIES as u64)]
    pub max_timeline: u64,
    /// Fold the largest streams (up to --kept-streams) in the background at start, so the first
    /// view of a large record (level of detail, window, stats) does not wait for the fold.
    #[arg(long)]
    pub fold_at_start: bool,
}

pub(super) fn run(args: &Args) -> anyhow::Result<()> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Colour codes only for a person at a terminal: a log file or a journal gets plain text.
    let colour = std::io::stderr().is_terminal();
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(colour).try_init();
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the runtime")?;
    let result = runtime.block_on(serve(args));
    // Tasks still running (a read on the blocking pool) must not hold the exit.
    runtime.shutdown_timeout(SHUTDOWN_LEFTOVERS);
    result
}

/// How long tasks left over after the shutdown may delay the exit.
const SHUTDOWN_LEFTOVERS: Duration = Duration::from_secs(1);

async fn serve(args: &Args) -> anyhow::Result<()> {
    let location = Location::from_args(&args.db, args.store.as_deref()).map_err(anyhow::Error::msg)?;
    let given = match &args.token_file {
        Some(path) => Some(token_file(path)?),
        None => args.token.clone(),
    };
    let token = match &location {
        Location::Sqlite(db) => token(given.as_deref(), db)?,
        // Replicas share the database and must share the token; there is no file beside it.
        Location::Postgres(_) => match given.as_deref().map(str::trim) {
            Some(token) if !token.is_empty() => token.to_owned(),
            _ => bail!(
                "with --store postgres://… give the write token (ANNALS_TOKEN or --token-file): replicas share it"
            ),
        },
    };
    let store: Arc<dyn Store> = location.open().await.with_context(|| format!("opening {}", location.describe()))?;
    if !args.no_seed {
        let (name, bytes) = seed_source(args.seed.as_deref())?;
        if let Some(done) = seed(&*store, &name, &bytes).await? {
            tracing::info!("loaded {name}: {} events, version {}", done.positions.len(), done.version);
        }
    }
    if !args.dist.join("index.html").exists() {
        tracing::warn!(
            "{} has no index.html: the web app is not served (build it with `trunk build`)",
            args.dist.display()
        );
    }
    let mut state = AppState::new(store.clone(), token)
        .with_body_limit(args.max_body)
        .with_max_timeline(usize::try_from(args.max_timeline).unwrap_or(usize::MAX));
    let max_events = args.kept_max_events.unwrap_or_else(http::kept::default_max_events);
    state.kept = Arc::new(
        http::kept::Kept::new(usize::try_from(args.kept_streams).unwrap_or(usize::MAX)).with_max_events(max_events),
    );
    tracing::info!(
        "views are kept for at most {max_events} events in all, so for streams of at most {max_events} events (--kept-max-events{})",
        if args.kept_max_events.is_some() { "" } else { ", the default for this machine's memory" }
    );
    if let Some(permits) = args.expensive_reads {
        state = state.with_expensive_reads(usize::try_from(permits).unwrap_or(usize::MAX));
    }
    if args.fold_at_start {
        fold_at_start(&state);
    }
    let app = http::router(state.clone(), Some(&args.dist));
    let listener = listen::bind(args.addr).with_context(|| format!("listening on {}", args.addr))?;
    let addr = listener.local_addr()?;
    let header_timeout = Duration::try_from_secs_f64(args.header_timeout)
        .ok()
        .filter(|t| !t.is_zero())
        .with_context(|| format!("--header-timeout {}: expected a positive number of seconds", args.header_timeout))?;
    let limits = Limits { max_connections: args.max_connections, header_timeout, ..Limits::default() };
    tracing::info!("serving {} on http://{addr}/", location.describe());
    let closing = state.clone();
    listen::serve(listener, app, limits, async move {
        shutdown().await;
        tracing::info!("shutting down");
        closing.close();
    })
    .await?;
    tracing::info!("stopped; closing the store");
    store.close().await.context("closing the store")?;
    tracing::info!("the store is closed");
    Ok(())
}

/// Folds the largest streams that may be kept together (up to `--kept-max-events` events in
/// all, `--kept-streams` of them), one after the other in the background (`--fold-at-start`);
/// reads that come first fold (or wait for) their stream as always.
fn fold_at_start(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        let mut streams = match state.store.streams().await {
            Ok(streams) => streams,
            Err(e) => return tracing::warn!("--fold-at-start: the streams could not be listed: {e}"),
        };
        streams.sort_by_key(|s| std::cmp::Reverse(s.version));
        // (A stream over --kept-max-events is never folded: its views are refused.)
        let mut room = state.kept.max_events().unwrap_or(u64::MAX);
        let fits = |s: &StreamInfo| {
            let fits = s.version <= room;
            if fits {
                room -= s.version;
            }
            fits
        };
        for info in streams.into_iter().filter(fits).take(state.kept.capacity()) {
            let started = std::time::Instant::now();
            match state.kept.get(&state.store, &info.stream).await {
                Ok(view) => tracing::info!(
                    "folded stream {} at start ({} events) in {:.1} s",
                    info.stream,
                    view.version,
                    started.elapsed().as_secs_f64()
                ),
                Err(e) => tracing::warn!("--fold-at-start: stream {} not folded: {e:?}", info.stream),
            }
        }
    });
}

/// Resolves on Ctrl-C or SIGTERM: requests in flight finish, the store closes cleanly.
async fn shutdown() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(term) => term,
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM: {e}");
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The record to seed from: `--seed FILE`, else `data/azerbaijan-belarus.json` when it
/// exists, else the copy built into the binary. Returns a name for messages and the bytes.
pub fn seed_source(given: Option<&Path>) -> anyhow::Result<(String, Vec<u8>)> {
    if let Some(path) = given {
        let bytes = std::fs::read(path).with_context(|| format!("reading the seed {}", path.display()))?;
        return Ok((path.display().to_string(), bytes));
    }
    match std::fs::read(DEFAULT_SEED) {
        Ok(bytes) => Ok((DEFAULT_SEED.to_owned(), bytes)),
        Err(_) => Ok(("the built-in default record".to_owned(), DEFAULT_RECORD.as_bytes().to_vec())),
    }
}

/// Loads a record into the store if the store is empty; does nothing otherwise (so a
/// restart never loads it twice). Records that do not validate are left out, with a warning.
pub async fn seed(store: &dyn Store, name: &str, bytes: &[u8]) -> anyhow::Result<Option<Appended>> {
    if !store.streams().await?.is_empty() {
        return Ok(None);
    }
    let loaded = load(bytes, name, None, &Nothing);
    for d in &loaded.diagnostics {
        tracing::warn!("{name}: {d}");
    }
    if loaded.accepted.is_empty() {
        bail!("{name}: no valid record to load");
    }
    let stream = loaded.stream.clone().unwrap_or_else(|| StreamName::from("default"));
    let done = store.append(stream, ExpectedVersion::NoStream, loaded.proposed()).await?;
    Ok(Some(done))
}

/// The write token: the one given, else the one in `<db>.token`, else a new one stored
/// there with owner-only permissions and printed once.
pub fn token(given: Option<&str>, db: &Path) -> anyhow::Result<String> {
    if let Some(token) = given {
        if token.trim().is_empty() {
            bail!("the token is empty");
        }
        return Ok(token.trim().to_owned());
    }
    let path = token_path(db);
    match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => return Ok(text.trim().to_owned()),
        Ok(_) => bail!("{} is empty; delete it to generate a new token", path.display()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness for a token: {e}"))?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    write_private(&path, &token).with_context(|| format!("writing {}", path.display()))?;
    super::output::print(&format!(
        "annals: generated a write token, stored in {} (owner-only):\n{token}\n",
        path.display()
    ))?;
    Ok(token)
}

/// The token in a file: its first line, trimmed.
fn token_file(path: &Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading the token file {}", path.display()))?;
    match text.lines().next().map(str::trim) {
        Some(token) if !token.is_empty() => Ok(token.to_owned()),
        _ => bail!("{}: the token file is empty; write the token on its first line", path.display()),
    }
}

/// `<db>.token`.
pub fn token_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".token");
    PathBuf::from(name)
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}
