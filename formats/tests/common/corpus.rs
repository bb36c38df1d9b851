//! The shared corpus of real files written by other tools, for the tests that read them.
//!
//! The corpus is never copied into the repository: it sits beside the checkout
//! (`../shared/corpus`, relative to the workspace) or wherever `ANNALS_CORPUS` says. *Why a
//! skip and not a failure when it is absent:* a fresh clone must pass its tests; every quirk
//! these tests check is also checked on the project's own small fixtures beside them, and CI,
//! which has the corpus, runs both. A skipped test says so on stderr (`cargo test -- --nocapture`
//! shows it).
//!
//! One file, included by the library's unit tests, the integration tests, the import bench and
//! the server's CLI tests (`#[path]`), so there is one place that knows where the corpus is.

use std::path::PathBuf;

/// Where the corpus is: `ANNALS_CORPUS`, else `../shared/corpus` beside the workspace.
pub fn dir() -> PathBuf {
    match std::env::var_os("ANNALS_CORPUS") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
    }
}

/// Where `relative` is in the corpus, or `None` (with a line on stderr) when there is no
/// corpus at all. A corpus that is there but lacks the file is a failure: it is incomplete.
pub fn path(relative: &str) -> Option<PathBuf> {
    let dir = dir();
    if !dir.is_dir() {
        eprintln!("skipped: {relative}: {} not found (../shared/corpus, or set ANNALS_CORPUS)", dir.display());
        return None;
    }
    let path = dir.join(relative);
    assert!(path.is_file(), "{}: not found (the corpus is there but lacks this file)", path.display());
    Some(path)
}

/// The bytes of `relative` in the corpus, or `None` (with a line on stderr) when there is no
/// corpus at all.
#[allow(dead_code, reason = "the CLI tests pass the corpus's paths to the binary, with `path` alone")]
pub fn read(relative: &str) -> Option<Vec<u8>> {
    let path = path(relative)?;
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

/// The bytes of a corpus file, or the end of the test (skipped, saying so) without a corpus.
#[allow(unused_macros, reason = "the import bench and the CLI tests do without it")]
macro_rules! corpus {
    ($relative:expr) => {
        match crate::corpus::read($relative) {
            Some(bytes) => bytes,
            None => return,
        }
    };
}
