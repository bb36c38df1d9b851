//! A throwaway PostgreSQL server for the tests: a fresh cluster in a temp folder, listening on
//! 127.0.0.1 at a free port, stopped and deleted when [`Cluster`] is dropped.
//!
//! *Why a cluster of our own* rather than the machine's `postgresql` service: the tests need a
//! server on any machine `cargo xtask test` runs on (CI runs on a fresh clone with nothing
//! started), must not touch a developer's databases, and must leave nothing behind. The
//! server binaries come from Debian's `postgresql` package, which setup installs.
//!
//! `initdb` refuses to run as root, so as root the cluster belongs to the `postgres` user
//! (the package creates it) and every server command runs through `runuser -u postgres --`.
//! Authentication is `trust` on 127.0.0.1 and the socket folder is private to the cluster.
//! When `ANNALS_TEST_POSTGRES` is already set, that server is used and nothing is started.

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd::{capture, run, Result, Workspace};
use crate::setup::postgres_bin;

/// The variable the server's tests read the database URL from.
pub const URL_VAR: &str = "ANNALS_TEST_POSTGRES";
/// The database the tests get (each test makes its own schemas in it).
const DATABASE: &str = "annals_test";

/// A running throwaway cluster, or the server named by `ANNALS_TEST_POSTGRES`.
pub struct Cluster {
    url: String,
    /// `None` when the server is not ours to stop.
    owned: Option<Owned>,
}

struct Owned {
    bin: PathBuf,
    dir: PathBuf,
    as_postgres: bool,
}

impl Cluster {
    /// Starts a fresh cluster (or uses the one `ANNALS_TEST_POSTGRES` names).
    pub fn start(ws: &Workspace) -> Result<Self> {
        if let Some(url) = std::env::var(URL_VAR).ok().filter(|u| !u.trim().is_empty()) {
            println!("using the PostgreSQL server of {URL_VAR}");
            return Ok(Self { url, owned: None });
        }
        let bin = postgres_bin()?;
        let as_postgres = capture(&mut ws.line("id -u")).as_deref() == Some("0");
        let port = free_port()?;
        // `/tmp` rather than `$TMPDIR`: the `postgres` user must reach the folder, and the
        // socket path in it must stay under the 107 bytes a Unix socket name may have.
        let tmp = Some(PathBuf::from("/tmp")).filter(|t| t.is_dir()).unwrap_or_else(std::env::temp_dir);
        sweep_stale(&tmp, &bin, as_postgres);
        let dir = tmp.join(format!("annals-postgres-{}-{port}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| format!("removing the stale {}: {e}", dir.display()))?;
        }
        fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        let owned = Owned { bin, dir, as_postgres };
        // From here on, dropping `cluster` stops and deletes whatever was started.
        let cluster = Self { url: format!("postgres://postgres@127.0.0.1:{port}/{DATABASE}"), owned: Some(owned) };
        let Some(owned) = &cluster.owned else { return Err("no cluster".into()) };
        if as_postgres {
            run(Command::new("chown").arg("postgres:postgres").arg(&owned.dir))?;
        }
        let data = owned.dir.join("data");
        let mut initdb = owned.command("initdb");
        initdb.arg("-D").arg(&data).args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"]);
        run(initdb.stdout(std::process::Stdio::null()))?;
        let options = format!("-k {} -p {port} -c listen_addresses=127.0.0.1", owned.dir.display());
        let mut start = owned.command("pg_ctl");
        start.arg("-D").arg(&data).arg("-l").arg(owned.dir.join("server.log")).args(["-o", &options, "-w", "start"]);
        run(&mut start).map_err(|e| format!("{e}; see {}", owned.dir.join("server.log").display()))?;
        let mut createdb = owned.command("createdb");
        createdb.args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "postgres", DATABASE]);
        run(&mut createdb)?;
        println!("PostgreSQL is listening on 127.0.0.1:{port}; {URL_VAR}={}", cluster.url);
        Ok(cluster)
    }

    /// The URL of the test database.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Owned {
    /// A server program, as the `postgres` user when we are root.
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path).current_dir(&self.dir);
            command
        } else {
            let mut command = Command::new(path);
            command.current_dir(&self.dir);
            command
        }
    }
}

impl Drop for Cluster {
    /// Stops the server (fast shutdown: open sessions are ended) and deletes the cluster.
    fn drop(&mut self) {
        let Some(owned) = &self.owned else { return };
        let data = owned.dir.join("data");
        if data.join("postmaster.pid").exists() {
            let mut stop = owned.command("pg_ctl");
            stop.arg("-D").arg(&data).args(["-m", "fast", "-w", "stop"]);
            if let Err(e) = run(stop.stdout(std::process::Stdio::null())) {
                eprintln!("xtask: stopping the test PostgreSQL server: {e}");
            }
        }
        if let Err(e) = fs::remove_dir_all(&owned.dir) {
            eprintln!("xtask: removing {}: {e}", owned.dir.display());
        }
    }
}

/// Stops and deletes the clusters that earlier xtask runs left behind when they were killed
/// before [`Cluster`]'s `Drop` could run (Ctrl-C twice, SIGKILL, a CI timeout): a folder
/// `annals-postgres-PID-PORT` whose PID is no longer a running process. A cluster of a run
/// still going is left alone.
fn sweep_stale(tmp: &Path, bin: &Path, as_postgres: bool) {
    // Whether a process runs is read from /proc; without it (not Linux), sweep nothing.
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(tmp) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix("annals-postgres-")) else { continue };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else { continue };
        if Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        println!("xtask: removing the PostgreSQL cluster a killed run left in {}", entry.path().display());
        // Dropping an owned cluster stops its server and deletes the folder.
        drop(Cluster {
            url: String::new(),
            owned: Some(Owned { bin: bin.to_owned(), dir: entry.path(), as_postgres }),
        });
    }
}

/// A port on 127.0.0.1 that is free now (the server binds it a moment later).
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("finding a free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| format!("finding a free port: {e}"))
}
