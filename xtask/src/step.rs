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
    for step in steps {
        let action = match step.work {
            Work::Run(action) => action,
            Work::Skip(reason) => {
                println!("\nskip: {} ({reason})", step.name);
                continue;
            }
        };
        println!("\n==> {}", step.name);
        let clock = Instant::now();
        let outcome = action();
        let took = clock.elapsed();
        if let Err(error) = outcome {
            println!("\nFAILED: {} ({}): {error}", step.name, seconds(took));
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
