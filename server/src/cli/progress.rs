//! The progress of a long command on stderr: a bar while a file is read (bytes), then a
//! spinner with the elapsed time for each step that cannot report how far it is (validating
//! the whole file is one call into the core; writing is one atomic append).
//!
//! Drawn only when stderr is a terminal and the file is large ([`LARGE`]): a script, a pipe
//! or CI gets exactly the lines it got before, and a small file does not flicker.

use std::cell::RefCell;
use std::io::{IsTerminal, Read};
use std::path::Path;
use std::time::Duration;

use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Files at least this large get a progress display.
pub const LARGE: u64 = 4 * 1024 * 1024;
/// Bytes read per step of the bar.
const CHUNK: usize = 1024 * 1024;

/// The progress display of one command; does nothing when hidden.
pub struct Progress {
    /// The bar or spinner drawn now; `None` when hidden.
    bar: RefCell<Option<ProgressBar>>,
}

impl Progress {
    /// A display for a file of `len` bytes, drawn when stderr is a terminal and the file is
    /// large.
    pub fn for_file(len: u64) -> Self {
        Self::new(len, std::io::stderr().is_terminal() && len >= LARGE)
    }

    fn new(len: u64, shown: bool) -> Self {
        if !shown {
            return Self { bar: RefCell::new(None) };
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{prefix:>10} [{bar:32}] {bytes}/{total_bytes} {bytes_per_sec}")
            .map(|s| s.progress_chars("=> "));
        if let Ok(style) = style {
            bar.set_style(style);
        }
        bar.set_prefix("reading");
        Self { bar: RefCell::new(Some(bar)) }
    }

    /// Moves the bar by `n` bytes read.
    fn read(&self, n: usize) {
        if let Some(bar) = &*self.bar.borrow() {
            bar.inc(n as u64);
        }
    }

    /// Replaces what is drawn with a spinner: `step` (`validating`, `writing`) and what it
    /// is working on.
    pub fn step(&self, step: &str, message: String) {
        let mut bar = self.bar.borrow_mut();
        let Some(old) = bar.as_ref() else { return };
        old.finish_and_clear();
        let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{prefix:>10} {spinner} {msg} ({elapsed})") {
            spinner.set_style(style);
        }
        spinner.set_prefix(step.to_owned());
        spinner.set_message(message);
        spinner.enable_steady_tick(Duration::from_millis(120));
        *bar = Some(spinner);
    }

    /// Removes the display, so the lines printed next stand alone; a later step draws again.
    pub fn clear(&self) {
        if let Some(bar) = &*self.bar.borrow() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}

/// Reads a whole file, moving `progress` as it goes.
pub fn read_file(path: &Path) -> std::io::Result<(Vec<u8>, Progress)> {
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    let progress = Progress::for_file(len);
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    let mut chunk = vec![0u8; CHUNK];
    loop {
        let n = file.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&chunk[..n]);
        progress.read(n);
    }
    Ok((bytes, progress))
}

/// `12.3 MiB`.
pub fn size(bytes: usize) -> String {
    HumanBytes(bytes as u64).to_string()
}

#[cfg(test)]
mod tests {
    use super::{read_file, Progress};

    #[test]
    fn reading_a_file_gives_its_bytes_and_no_display_off_a_terminal() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("big");
        let data: Vec<u8> = (0..3 * 1024 * 1024 + 17).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).expect("write");
        let (bytes, progress) = read_file(&path).expect("read");
        assert_eq!(bytes, data);
        // `cargo test` captures stderr: not a terminal, nothing is drawn.
        assert!(progress.bar.borrow().is_none());
    }

    #[test]
    fn a_shown_bar_counts_the_bytes_read() {
        let progress = Progress::new(10, true);
        progress.read(4);
        progress.read(6);
        assert_eq!(progress.bar.borrow().as_ref().map(indicatif::ProgressBar::position), Some(10));
        progress.step("writing", "3 records".into());
        assert!(progress.bar.borrow().as_ref().is_some_and(|b| !b.is_finished() && b.length().is_none()));
        progress.clear();
        assert!(progress.bar.borrow().as_ref().is_some_and(indicatif::ProgressBar::is_finished));
    }
}
