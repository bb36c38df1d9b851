//! A list of named steps run in order, timed, stopping at the first failure.
//!
//! The last line on stdout is always `xtask: N passed, M failed` (M is 0 or 1), so a CI log can be
//! read at a glance.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::cmd::{self, Result};

/// One named piece of work, or a note that it does not apply.
pub struct Step<'a> {
    name: String,
    work: Work<'a>,
}

enum Work<'a> {
    Run(Box<dyn FnOnce() -> Result + 'a>),
    /// Not run and not counted, for this reason.
    Skip(String),
}

impl<'a> Step<'a> {
    /// A step that runs `action`.
    pub fn new(name: &str, action: impl FnOnce() -> Result + 'a) -> Self {
        Self { name: name.to_owned(), work: Work::Run(Box::new(action)) }
    }

    /// A step that runs one command.
    pub fn command(name: &str, mut command: Command) -> Self {
        Self::new(name, move || cmd::run(&mut command))
    }

    /// A step that does not apply; the log says why.
    pub fn skip(name: &str, reason: &str) -> Self {
        Self { name: name.to_owned(), work: Work::Skip(reason.to_owned()) }
    }
}

/// Runs `steps` in order, printing each one's wall time; stops at the first failure.
pub fn run_all(steps: Vec<Step<'_>>) -> Result {
    let started = Instant::now();
    let mut times = Vec::new();
    match free_disk_mb() {
        Some(mb) if mb < NEEDED_MB => println!(
            "disk: WARNING: {mb} MB free on this checkout's disk; a fresh full run writes about {NEEDED_MB} MB, \
             and a build that runs out fails as a linker's \"Bus error\" or \"No space left on device\""
        ),
        Some(mb) => println!("disk: {mb} MB free"),
        None => {}
    }
    for step in steps {
        let action = match step.work {
            Work::Run(action) => action,
            Work::Skip(reason) => {
                println!("\nskip: {} ({reason})", step.name);
                continue;
            }
        };
        println!("\n==> {}", step.name);
        let free_before = free_disk_mb();
        let clock = Instant::now();
        let outcome = action();
        let took = clock.elapsed();
        if let Err(error) = outcome {
            println!("\nFAILED: {} ({}): {error}", step.name, seconds(took));
            // A link that dies of a Bus error, or a write with "No space left on device", is a
            // full disk, not a bad change: say how much room there was, so a log tells which.
            if let (Some(before), Some(now)) = (free_before, free_disk_mb()) {
                println!("disk: {before} MB free at the step's start, {now} MB now (a fresh full run writes about {NEEDED_MB} MB)");
            }
            println!("xtask: {} passed, 1 failed", times.len());
            return Err(format!("step `{}` failed", step.name));
        }
        println!("--- ok: {} ({})", step.name, seconds(took));
        times.push((step.name, took));
    }
    print_times(&times, started.elapsed());
    println!("xtask: {} passed, 0 failed", times.len());
    Ok(())
}

/// About what a full `cargo xtask test` from a fresh clone writes under the checkout (target/,
/// node_modules, dist/), with `CARGO_INCREMENTAL=0` as `.ci/run` sets it: its peak was 3.1 GB
/// (measured December 2026), with some room for the cargo registry and the tools it installs
/// outside the checkout. The disk's free room is said at the start and on a failure: a CI run
/// once failed at a link with "Bus error" on a disk that another job had filled.
pub const NEEDED_MB: u64 = 4_000;

/// The free space, in MB, of the disk this checkout is on (`df`), when it can be read.
pub fn free_disk_mb() -> Option<u64> {
    let out = cmd::capture(Command::new("df").args(["-Pk", "."]))?;
    let kb: u64 = out.lines().nth(1)?.split_whitespace().nth(3)?.parse().ok()?;
    Some(kb / 1024)
}

/// The wall time of every step, then the total.
fn print_times(times: &[(String, Duration)], total: Duration) {
    println!("\nwall time per step:");
    for (name, took) in times {
        println!("  {:>8}  {name}", seconds(*took));
    }
    println!("  {:>8}  total", seconds(total));
}

/// A duration as seconds with one decimal.
fn seconds(duration: Duration) -> String {
    format!("{:.1}s", duration.as_secs_f64())
}
