//! `cargo xtask`: the one place that knows how to set up, build, test and run Annals.
//!
//! The README gives two commands, `cargo xtask run` and `cargo xtask test`, and they work on a
//! fresh machine because everything they need is written down here, as code, once:
//! which tools at which versions (see [`setup`]), how the web app is built (trunk, with npm's
//! `wasm-opt` first on `PATH`), and which checks make up "the tests", in order. CI runs
//! `.ci/run`, which is `cargo xtask test`, so CI and a developer run exactly the same steps.
//!
//! xtask uses only the standard library so that it builds in seconds, before any tool exists.
//!
//! Commands:
//! - `cargo xtask setup` — install what is missing (idempotent; prints one line per tool).
//! - `cargo xtask test` — setup, then every check in order, stopping at the first failure.
//!   The native tests run against a throwaway PostgreSQL server started for them
//!   ([`postgres`]), whose URL they get in `ANNALS_TEST_POSTGRES`.
//! - `cargo xtask cycles` — no import circles between the modules of any crate ([`cycles`]);
//!   also a step of `test`, right after `fmt`.
//! - `cargo xtask test-postgres` — only the PostgreSQL store's tests, with a throwaway server.
//! - `cargo xtask crash [ROUNDS]` — the SIGKILL crash test of `annals serve` with more rounds
//!   than the test run's 20 (default 500).
//! - `cargo xtask run [--addr ADDR]` — setup for the web build, build the web app, run the app.
//! - `cargo xtask bench [ARGS]` — the benchmarks (core fold, formats import, the stores, the
//!   service's read endpoints on a large record, then the browser benchmarks: static files, and a
//!   stream under `annals serve`).
//! - `cargo xtask fuzz [SECONDS]` — every fuzz target of `fuzz/` for SECONDS each (default 60);
//!   separate from `test` because it needs nightly and runs for as long as it is given.

mod cmd;
mod cycles;
mod postgres;
mod setup;
mod step;

use std::env;
use std::path::Path;
use std::process::ExitCode;

use cmd::{capture, find_files, run, Result, Workspace};
use setup::{setup, setup_fuzz, Scope, CHROMEDRIVER, WASM_TARGET};
use step::{run_all, Step};

/// Where `cargo xtask run` serves by default.
const DEFAULT_ADDR: &str = "127.0.0.1:8080";
/// The record `cargo xtask run` checks while the service does not exist yet.
const SAMPLE_RECORD: &str = "data/azerbaijan-belarus.json";

const USAGE: &str = "\
usage: cargo xtask <command>

  setup               install the pinned tools that are missing (idempotent)
  cycles              check that no crate's modules import each other in a circle
  test                setup, then fmt, import circles, clippy, tests (with a throwaway PostgreSQL server), wasm build,
                      browser tests, web build, e2e
  test-postgres       the PostgreSQL store's tests, against a throwaway PostgreSQL server
  crash [ROUNDS]      the SIGKILL crash test of annals serve with more rounds (default 500)
  run [--addr ADDR]   build (and precompress) the web app and run the app (default address 127.0.0.1:8080)
  bench [ARGS]        run the benchmarks: core fold, formats import (ARGS go to them), the stores (SQLite, PostgreSQL),
                      the service's read endpoints at 1M events, then web app vs vis-timeline and
                      a stream under annals serve in the web app
  fuzz [SECONDS]      run every fuzz target for SECONDS each (default 60; needs nightly, installs cargo-fuzz)";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(args: &[String]) -> Result {
    let ws = Workspace::locate()?;
    let (command, rest) = args.split_first().ok_or(format!("no command given\n{USAGE}"))?;
    match command.as_str() {
        "setup" => setup(&ws, Scope::All),
        "test" => test(&ws),
        "cycles" => cycles::check(&ws),
        "run" => run_app(&ws, &parse_addr(rest)?),
        "bench" => bench(&ws, rest),
        "crash" => crash(&ws, rest),
        "test-postgres" => run_all(vec![
            Step::new("setup", || setup(&ws, Scope::Postgres)),
            with_postgres(&ws, "tests (PostgreSQL store)", "cargo test -p annals-server --test store_postgres"),
        ]),
        "fuzz" => fuzz(&ws, parse_seconds(rest)?),
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n{USAGE}")),
    }
}

/// `cargo xtask test`: every check, in order, stopping at the first failure.
fn test(ws: &Workspace) -> Result {
    // annals-open: the web app's file-opening worker, a second wasm binary with every reader
    // (annals-formats); annals-open-messages: what the page and the worker say to each other;
    // annals-visuals: the charts and the map's drawing, a module the page imports when it first
    // draws one.
    let wasm_crates = format!(
        "-p annals-core -p annals-formats -p annals-web -p annals-open-messages -p annals-open -p annals-visuals \
         --target {WASM_TARGET}"
    );
    let lines = [
        ("clippy (native)", "cargo clippy --workspace --all-targets -- -D warnings".to_owned()),
        ("clippy (wasm32)", format!("cargo clippy {wasm_crates} -- -D warnings")),
    ];
    let mut steps = vec![
        Step::new("setup", || setup(ws, Scope::All)),
        Step::command("fmt", ws.line("cargo fmt --all -- --check")),
        Step::new("import circles", || cycles::check(ws)),
    ];
    steps.extend(lines.iter().map(|(name, line)| Step::command(name, ws.line(line))));
    steps.extend([
        native_tests(ws),
        Step::command("build (wasm32)", ws.line(&format!("cargo build {wasm_crates}"))),
        browser_tests(ws),
        web_build(ws),
        e2e_tests(ws),
    ]);
    run_all(steps)
}

/// `cargo test --workspace` with a throwaway PostgreSQL server for the PostgreSQL store's
/// tests.
///
/// Without the shared corpus (a clone with no `../shared` beside it), the tests on it skip; cargo
/// hides what a passing test prints, so this says so before they run.
fn native_tests(ws: &Workspace) -> Step<'_> {
    let corpus = env::var_os("ANNALS_CORPUS").map_or_else(|| ws.file("../shared/corpus"), Into::into);
    if !corpus.is_dir() {
        println!(
            "note: no corpus at {} (../shared/corpus, or set ANNALS_CORPUS): the tests on other people's files \
             skip and say so (see them with `cargo test -- --nocapture`); the project's own fixtures still run",
            corpus.display()
        );
    }
    with_postgres(ws, "tests (native, with PostgreSQL)", "cargo test --workspace")
}

/// A step that runs `line` with a throwaway PostgreSQL server (its URL in
/// `ANNALS_TEST_POSTGRES`), stopped and deleted afterwards whatever the outcome.
fn with_postgres<'a>(ws: &'a Workspace, name: &str, line: &str) -> Step<'a> {
    let command = ws.line(line);
    Step::new(name, move || postgres_run(ws, command))
}

/// Runs `command` with a throwaway PostgreSQL server, as [`with_postgres`].
fn postgres_run(ws: &Workspace, mut command: std::process::Command) -> Result {
    let cluster = postgres::Cluster::start(ws)?;
    command.env(postgres::URL_VAR, cluster.url());
    run(&mut command)
}

/// Rounds of `cargo xtask crash` when none are given.
const CRASH_ROUNDS: u32 = 500;

/// `cargo xtask crash [ROUNDS]`: `server/tests/crash.rs` (writers appending over HTTP while
/// `annals serve` is killed with SIGKILL, then every acknowledged event checked) for ROUNDS
/// rounds instead of the 20 of the test run, on SQLite and on a throwaway PostgreSQL server,
/// one after the other.
fn crash(ws: &Workspace, args: &[String]) -> Result {
    let rounds = match args {
        [] => CRASH_ROUNDS,
        [n] => n.parse().ok().filter(|n| *n > 0).ok_or(format!("ROUNDS must be a positive number, not `{n}`"))?,
        _ => return Err(format!("cannot read `crash` arguments {args:?}\n{USAGE}")),
    };
    let mut command = ws.line("cargo test -p annals-server --test crash -- --nocapture --test-threads 1");
    command.env("ANNALS_CRASH_ROUNDS", rounds.to_string());
    run_all(vec![
        Step::new("setup", || setup(ws, Scope::Postgres)),
        Step::new(&format!("crash test, {rounds} SIGKILL rounds (SQLite, PostgreSQL)"), || postgres_run(ws, command)),
    ])
}

/// `cargo xtask run`: build the web app, then serve it (or, until the service exists, check the
/// sample record and say how to look at the static site).
fn run_app(ws: &Workspace, addr: &str) -> Result {
    run_all(vec![Step::new("setup (web build)", || setup(ws, Scope::WebBuild)), web_build(ws)])?;
    let server = |args: &str| ws.line(&format!("cargo run --release -p annals-server -- {args}"));
    println!("\nbuilding the server to see whether `annals serve` exists yet…");
    let help = capture(&mut server("serve --help"));
    if help.is_some_and(|text| text.contains("--addr")) {
        println!("\nserving on http://{addr}/ (Ctrl-C stops)");
        return run(&mut server(&format!("serve --addr {addr} --dist dist")));
    }
    println!("\n`annals serve` does not exist yet; checking the sample record instead");
    run(&mut server(&format!("validate {SAMPLE_RECORD}")))?;
    run(&mut server(&format!("stats {SAMPLE_RECORD}")))?;
    println!(
        "\nthe web app is built in {}\nto look at it: python3 -m http.server -d dist 8080",
        ws.file("dist").display()
    );
    Ok(())
}

/// `cargo xtask bench`: the benchmarks: the core fold and formats import (ARGS go to them), the stores (SQLite and,
/// on a throwaway server, PostgreSQL), the read endpoints of `annals serve` on a large record (`ANNALS_BENCH_EVENTS`,
/// default 1,000,000), then, on a fresh web build, the browser benchmarks (static files; a served stream).
fn bench(ws: &Workspace, args: &[String]) -> Result {
    let mut fold = ws.line("cargo bench -p annals-core --bench fold");
    let mut import = ws.line("cargo bench -p annals-formats --bench import");
    if !args.is_empty() {
        fold.arg("--").args(args);
        import.arg("--").args(args);
    }
    run_all(vec![
        Step::command("bench: fold (annals-core)", fold),
        Step::command("bench: import (annals-formats)", import),
        Step::new("setup", || setup(ws, Scope::All)),
        with_postgres(ws, "bench: stores (SQLite, PostgreSQL)", "cargo bench -p annals-server --bench store"),
        Step::command(
            "bench: views (annals serve, read endpoints)",
            ws.line("cargo bench -p annals-server --bench views"),
        ),
        web_build(ws),
        web_bench(ws),
        // After the views bench, which built target/release/annals.
        Step::command("bench: served (a stream under annals serve)", ws.cmd("node", &["tests/e2e/bench/served.mjs"])),
    ])
}

/// How long each fuzz target runs when `cargo xtask fuzz` is given no time.
const DEFAULT_FUZZ_SECONDS: u64 = 60;
/// The fuzz crate, outside the workspace.
const FUZZ_DIR: &str = "fuzz";
/// Bytes of each seed file: libFuzzer's inputs stay small, so it mutates structure, not bulk.
const SEED_BYTES: usize = 4096;

/// `cargo xtask fuzz [SECONDS]`: each target of `fuzz/Cargo.toml` for `seconds`, one after
/// the other, stopping at the first crash (the crashing input is left in `fuzz/artifacts/`).
fn fuzz(ws: &Workspace, seconds: u64) -> Result {
    setup_fuzz(ws)?;
    let manifest = ws.read(&format!("{FUZZ_DIR}/Cargo.toml"))?;
    let targets = fuzz_targets(&manifest);
    if targets.is_empty() {
        return Err(format!("no [[bin]] targets in {FUZZ_DIR}/Cargo.toml"));
    }
    seed(ws, &targets)?;
    let steps = targets
        .iter()
        .map(|target| {
            let corpus = format!("{FUZZ_DIR}/corpus/{target}");
            let line = format!(
                "cargo +nightly fuzz run --fuzz-dir {FUZZ_DIR} {target} {corpus} -- -max_total_time={seconds} \
                 -max_len={SEED_BYTES} -dict={FUZZ_DIR}/formats.dict"
            );
            Step::command(&format!("fuzz {target} ({seconds} s)"), ws.line(&line))
        })
        .collect();
    run_all(steps)
}

/// The `name`s of the `[[bin]]` sections of the fuzz crate's manifest, in order.
fn fuzz_targets(manifest: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut in_bin = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_bin = line == "[[bin]]";
        } else if let Some(value) = line.strip_prefix("name").map(str::trim).and_then(|r| r.strip_prefix('=')) {
            if in_bin {
                targets.push(value.trim().trim_matches('"').to_owned());
            }
        }
    }
    targets
}

/// Starting inputs for every target (in `fuzz/corpus/`, which git ignores): the project's own
/// examples, and the head of each real-world file of `../shared/corpus/` when it is there.
fn seed(ws: &Workspace, targets: &[String]) -> Result {
    let mut seeds = find_files(&ws.file("data/examples"), &|_| true);
    seeds.extend(find_files(&ws.file("../shared/corpus"), &|p| !p.ends_with("README.md")));
    for target in targets {
        let dir = ws.file(&format!("{FUZZ_DIR}/corpus/{target}"));
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        for (i, path) in seeds.iter().enumerate() {
            let Ok(bytes) = std::fs::read(path) else { continue };
            let name = path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let out = dir.join(format!("seed-{i}-{name}"));
            std::fs::write(&out, &bytes[..bytes.len().min(SEED_BYTES)])
                .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        }
    }
    Ok(())
}

/// `[SECONDS]`: a whole number of seconds, at least 1.
fn parse_seconds(args: &[String]) -> Result<u64> {
    match args {
        [] => Ok(DEFAULT_FUZZ_SECONDS),
        [s] => s.parse::<u64>().ok().filter(|n| *n > 0).ok_or(format!("`fuzz` takes a number of seconds, found {s:?}")),
        _ => Err(format!("`fuzz` takes at most one argument, found {args:?}\n{USAGE}")),
    }
}

/// The browser benchmark: the web app and vis-timeline with the same 100,000 synthetic events in
/// headless chromium (`tests/e2e/bench/run.mjs`); it prints a table and writes
/// `target/bench/web.json`.
fn web_bench(ws: &Workspace) -> Step<'static> {
    Step::command("bench: web (Annals vs vis-timeline)", ws.cmd("node", &["tests/e2e/bench/run.mjs"]))
}

/// `trunk build --release` into `dist/`, then `annals precompress dist`: the `.br` and `.gz` files
/// beside each file that `annals serve` sends to browsers that accept them (brotli at its best
/// setting takes seconds, too slow for the server to do per request or at start). The workspace
/// `PATH` puts npm's wasm-opt first, and setup has checked that it is the version `Trunk.toml`
/// pins, so trunk downloads nothing.
fn web_build(ws: &Workspace) -> Step<'_> {
    Step::new("web build (trunk, then precompressed)", move || {
        run(&mut ws.line("trunk build --release --skip-version-check"))?;
        run(&mut ws.line("cargo run --quiet -p annals-server -- precompress dist"))
    })
}

/// The wasm tests in headless chromium, if the frontend has any `wasm_bindgen_test`.
fn browser_tests(ws: &Workspace) -> Step<'static> {
    let name = "browser tests (wasm32)";
    let mentions_test = |path: &Path| {
        path.extension().is_some_and(|ext| ext == "rs")
            && std::fs::read_to_string(path).is_ok_and(|text| text.contains("wasm_bindgen_test"))
    };
    if find_files(&ws.file("frontend"), &mentions_test).is_empty() {
        return Step::skip(name, "no `wasm_bindgen_test` in frontend/");
    }
    let mut command = ws.line(&format!("cargo test -p annals-web --target {WASM_TARGET}"));
    command.env("CHROMEDRIVER", CHROMEDRIVER);
    Step::command(name, command)
}

/// `node --test` over the end-to-end test files (`tests/e2e/**/*.test.mjs`), if there are any.
fn e2e_tests(ws: &Workspace) -> Step<'static> {
    let name = "end-to-end tests";
    let is_test = |path: &Path| path.to_string_lossy().ends_with(".test.mjs");
    let files = find_files(&ws.file("tests/e2e"), &is_test);
    if files.is_empty() {
        return Step::skip(name, "no tests/e2e/*.test.mjs");
    }
    let mut command = ws.cmd("node", &["--test"]);
    command.args(files.iter().filter_map(|path| path.strip_prefix(&ws.root).ok()));
    Step::command(name, command)
}

/// `--addr ADDR` or `--addr=ADDR`; the default otherwise.
fn parse_addr(args: &[String]) -> Result<String> {
    let addr = match args {
        [] => Some(DEFAULT_ADDR),
        [flag, addr] if flag == "--addr" => Some(addr.as_str()),
        [flag] => flag.strip_prefix("--addr="),
        _ => None,
    };
    addr.map(str::to_owned).ok_or(format!("cannot read `run` arguments {args:?}\n{USAGE}"))
}

#[cfg(test)]
mod tests {
    use super::{fuzz_targets, parse_addr, parse_seconds, DEFAULT_ADDR};

    fn addr(args: &[&str]) -> Option<String> {
        let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
        parse_addr(&args).ok()
    }

    #[test]
    fn reads_the_address() {
        assert_eq!(addr(&[]).as_deref(), Some(DEFAULT_ADDR));
        assert_eq!(addr(&["--addr", "0.0.0.0:80"]).as_deref(), Some("0.0.0.0:80"));
        assert_eq!(addr(&["--addr=[::1]:8080"]).as_deref(), Some("[::1]:8080"));
        assert_eq!(addr(&["--port", "80"]), None);
    }

    #[test]
    fn reads_the_fuzz_time_and_targets() {
        let secs = |args: &[&str]| parse_seconds(&args.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>()).ok();
        assert_eq!(secs(&[]), Some(60));
        assert_eq!(secs(&["300"]), Some(300));
        assert_eq!(secs(&["0"]), None);
        assert_eq!(secs(&["1m"]), None);
        let manifest = "[package]\nname = \"annals-fuzz\"\n\n[[bin]]\nname = \"gdelt\"\npath = \"x\"\n\n[dependencies]\nname = \"no\"\n[[bin]]\nname=\"plover\"\n";
        assert_eq!(fuzz_targets(manifest), vec!["gdelt".to_owned(), "plover".to_owned()]);
    }
}
