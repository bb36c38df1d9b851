//! GDELT 1.0 and 2.0 events exports.
//!
//! (Being written: this reader refuses every file with one diagnostic until it lands.)

use super::{import::unsupported, Format, Loaded};
use crate::validate::Known;

/// Reads a file of this format; `name` is the file's name, used in synthesized sources.
pub fn read(bytes: &[u8], name: &str, known: &dyn Known) -> Loaded {
    let _ = (bytes, name, known);
    unsupported(Format::Gdelt)
}
