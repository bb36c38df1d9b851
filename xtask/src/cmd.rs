//! The workspace and the external programs xtask runs in it.
//!
//! Every child process starts at the workspace root with the same `PATH`:
//! `tests/e2e/node_modules/.bin` first (so `wasm-opt` is npm's pinned binaryen, never Debian's),
//! then `$CARGO_HOME/bin` (tools that `cargo install` just put there), then the caller's `PATH`.

use std::env;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// xtask's error: a message for a person, already naming the tool or step that failed.
pub type Result<T = ()> = std::result::Result<T, String>;

/// Where the npm tools live, relative to the workspace root.
pub const NODE_BIN: &str = "tests/e2e/node_modules/.bin";

/// The workspace root and the environment every child process gets.
pub struct Workspace {
    /// The directory holding the workspace `Cargo.toml`.
    pub root: PathBuf,
    /// The `PATH` given to every child process.
    path: OsString,
}

impl Workspace {
    /// Finds the workspace (the parent of this crate) and builds the child `PATH`.
    pub fn locate() -> Result<Self> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .ok_or("xtask must live in a folder of the workspace")?
            .to_path_buf();
        let mut dirs = vec![root.join(NODE_BIN), cargo_home().join("bin")];
        dirs.extend(env::split_paths(&env::var_os("PATH").unwrap_or_default()));
        let path = env::join_paths(dirs).map_err(|e| format!("cannot build PATH: {e}"))?;
        Ok(Self { root, path })
    }

    /// A command for `program` with `args`, run at the workspace root with the project's `PATH`.
    pub fn cmd(&self, program: &str, args: &[&str]) -> Command {
        let mut command = Command::new(program);
        command.args(args).current_dir(&self.root).env("PATH", &self.path);
        command
    }

    /// A command from a space-separated line such as `cargo test --workspace` (no quoting: for
    /// fixed command lines whose words hold no spaces).
    pub fn line(&self, line: &str) -> Command {
        let words: Vec<&str> = line.split_whitespace().collect();
        let (program, args) = words.split_first().map_or(("", &[][..]), |(p, a)| (*p, a));
        self.cmd(program, args)
    }

    /// A path inside the workspace.
    pub fn file(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// The text of a workspace file.
    pub fn read(&self, relative: &str) -> Result<String> {
        fs::read_to_string(self.file(relative)).map_err(|e| format!("cannot read {relative}: {e}"))
    }

    /// The first directory on the child `PATH` that holds `program`.
    pub fn which(&self, program: &str) -> Option<PathBuf> {
        env::split_paths(&self.path).map(|dir| dir.join(program)).find(|candidate| candidate.is_file())
    }
}

/// `$CARGO_HOME`, which defaults to `~/.cargo`.
fn cargo_home() -> PathBuf {
    env::var_os("CARGO_HOME")
        .map_or_else(|| PathBuf::from(env::var_os("HOME").unwrap_or_default()).join(".cargo"), PathBuf::from)
}

/// Runs `command` with inherited stdio, after echoing it; fails unless it exits with success.
pub fn run(command: &mut Command) -> Result {
    let shown = display(command);
    println!("$ {shown}");
    let status = command.status().map_err(|e| not_started(&shown, &e))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// The trimmed stdout of `command` if it runs and succeeds; its stderr is discarded.
pub fn capture(command: &mut Command) -> Option<String> {
    let output = command.stderr(Stdio::null()).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// `command` as a person would type it (environment overrides other than `PATH` included).
fn display(command: &Command) -> String {
    let envs = command.get_envs().filter(|(key, _)| *key != "PATH").map(|(key, value)| {
        let value = value.unwrap_or_default().to_string_lossy();
        format!("{}={value}", key.to_string_lossy())
    });
    let words = std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|word| word.to_string_lossy().into_owned());
    envs.chain(words).collect::<Vec<_>>().join(" ")
}

/// The message for a program that could not be started at all.
fn not_started(shown: &str, error: &std::io::Error) -> String {
    let program = shown.split(' ').next().unwrap_or(shown);
    format!("could not start `{shown}`: {error} (is `{program}` installed and on PATH?)")
}

/// Files below `dir` (skipping `node_modules` and `target`) for which `keep` holds, sorted.
pub fn find_files(dir: &Path, keep: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return found;
    };
    for path in entries.flatten().map(|entry| entry.path()) {
        let name = path.file_name().unwrap_or_default();
        if path.is_dir() && name != "node_modules" && name != "target" {
            found.extend(find_files(&path, keep));
        } else if path.is_file() && keep(&path) {
            found.push(path);
        }
    }
    found.sort();
    found
}
