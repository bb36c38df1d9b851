//! What every fuzz target checks, whatever the bytes: reading never panics (libFuzzer reports
//! a panic as a crash), and what a reader accepts is valid on its own — validating the
//! accepted records again, with nothing else known, finds no problem. That second property is
//! what `annals_core::format::finish` promises the callers that append the accepted part.

use annals_core::format::Format;
use annals_formats::load;
use annals_core::validate::{validate_batch, Nothing};

/// Loads `data` as `format` (or detects it) and checks the promises of every reader.
pub fn check(data: &[u8], format: Option<Format>) {
    let loaded = load(data, "fuzz-input", format, &Nothing);
    if let Some(f) = format {
        assert_eq!(loaded.format, f, "a forced format is the format read");
    }
    let again = validate_batch(&loaded.proposed(), &Nothing);
    assert!(again.is_empty(), "accepted records are not valid on their own: {again:?}");
    for d in &loaded.diagnostics {
        assert!(!d.message.trim().is_empty(), "a diagnostic without a message: {d:?}");
    }
    if loaded.diagnostics.is_empty() {
        assert_eq!(loaded.rejected, 0, "records were rejected without a diagnostic");
    }
}
