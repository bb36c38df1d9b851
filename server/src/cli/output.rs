//! What the commands write, and what happens when nobody reads it.
//!
//! `annals stats --json FILE | head -1` closes the pipe after one line. `println!` panics on
//! the next write ("failed printing to stdout: Broken pipe"), so every command writes its
//! standard output through [`print`] instead, which turns a closed pipe into [`Closed`]. The
//! command stops there, and `main` exits quietly (no message) with status
//! [`CLOSED_PIPE`] = 141 = 128 + SIGPIPE: what a shell reports for `cat` or `grep` killed by
//! SIGPIPE, so `$?` and `set -o pipefail` see annals as they see other Unix tools.
//!
//! *Why not die by the signal itself.* The Rust runtime ignores SIGPIPE; restoring the default
//! takes `libc::signal`, which is `unsafe` (forbidden in this workspace), and it would apply
//! to the whole process, `annals serve`'s sockets included, where a peer that hangs up must be
//! an error to handle, not the end of the service. An exit status chosen in one place keeps
//! the rest of the program ordinary.
//!
//! Standard error carries notes and errors for a person; if it is closed there is nobody to
//! tell, so [`note!`] drops what cannot be written instead of panicking like `eprintln!`, and
//! the command goes on (a closed standard output still stops it).

use std::io::{ErrorKind, Write};

/// The exit status after standard output was closed: 128 + SIGPIPE (13), as a shell shows a
/// command killed by a closed pipe.
pub const CLOSED_PIPE: u8 = 141;

/// Standard output was closed by its reader: stop quietly.
#[derive(Debug, thiserror::Error)]
#[error("standard output was closed")]
pub struct Closed;

/// Writes `text` to standard output and flushes it; a closed pipe is [`Closed`].
pub fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Err(Closed.into()),
        Err(e) => Err(anyhow::Error::new(e).context("writing to standard output")),
    }
}

/// Writes one line to standard error, or nothing if it cannot be written. Use [`note!`].
pub fn note_line(line: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Like `eprintln!`, without the panic when standard error is closed.
macro_rules! note {
    ($($arg:tt)*) => {
        $crate::cli::output::note_line(format_args!($($arg)*))
    };
}
pub(crate) use note;

/// True when `error` (or what it wraps) is a closed standard output.
pub fn is_closed(error: &anyhow::Error) -> bool {
    error.downcast_ref::<Closed>().is_some()
}
