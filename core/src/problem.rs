//! One problem, from the decoder that finds it to the line a person reads.
//!
//! A [`Problem`] is the field path and the message in plain words, plus the place in the file
//! — line and record — each filled in as it becomes known. *Why one type:* the decoder
//! ([`crate::envelope`]) knows the field but not the line; the validator
//! ([`crate::validate`]) knows the field and the item of its batch; a reader
//! ([`crate::format`] and the readers of other tools' files) knows the line and the record
//! number; the command line, the service and the browser's open report print all three.
//! Each used to have its own shape (a decode error, a validation problem, a located
//! diagnostic, `(field, message)` pairs) and every hand-over copied fields across. With one
//! type a problem is created once and each layer adds what it knows ([`Problem::at`]), so
//! no layer can drop a field or reword a message on the way. The place is optional rather
//! than a second "located" type because the readers of other tools' files meet problems
//! in every state of knowledge (a whole-file problem has no line; a problem found before
//! the record is numbered has a line only), and two types would need a conversion for
//! each.
//!
//! The serialized form is the browser worker's and the service's: `line` and `record` are
//! left out when not known, `field` and `message` are always there.

use serde::{Deserialize, Serialize};

/// One problem with a file, a record or a field, and where it is as far as that is known.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
pub struct Problem {
    /// 1-based line in the file, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based record number (item of the events array, data line of a log), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<usize>,
    /// Path of the field within the record (`payload.sources[0].publisher`, or a reader's
    /// column name); empty for the record or file as a whole.
    pub field: String,
    /// What is wrong, what was found and what was expected, in plain words.
    pub message: String,
}

impl Problem {
    /// A problem with a field, its place not yet known.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Problem { line: None, record: None, field: field.into(), message: message.into() }
    }

    /// A problem with the file (or record) as a whole: no line, record or field.
    pub fn about_file(message: impl Into<String>) -> Self {
        Problem::new(String::new(), message)
    }

    /// The same problem at a line and record of the file (what a reader adds).
    #[must_use]
    pub fn at(mut self, line: Option<usize>, record: Option<usize>) -> Self {
        self.line = line;
        self.record = record;
        self
    }
}

/// `line 3, record 2, payload.title: is empty; expected text` — the place as far as it is
/// known (`file` when neither line nor record is), then the field when there is one.
impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.record) {
            (Some(l), Some(r)) => write!(f, "line {l}, record {r}")?,
            (Some(l), None) => write!(f, "line {l}")?,
            (None, Some(r)) => write!(f, "record {r}")?,
            (None, None) => f.write_str("file")?,
        }
        if !self.field.is_empty() {
            write!(f, ", {}", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A JSON decoder over text, as the readers of this crate use it.
pub(crate) type JsonText<'a, 'de> = &'a mut serde_json::Deserializer<serde_json::de::StrRead<'de>>;

/// Decodes a `T` from JSON and, when that fails, says which field was being read: its path
/// (`sources[0].publisher`; empty for the value as a whole) and the decoder's error.
///
/// *Why a feature:* tracking the path (`serde_path_to_error`) instantiates a second decoder
/// for every type it wraps. The browser page never shows a decoding problem of its own — a
/// file it cannot read cleanly goes to the file-opening worker, which is built with the
/// feature and reports the field — so the page's bundle leaves it out (`error-paths`, on by
/// default) and gets an empty path.
pub(crate) fn decode_json<'de, T: Deserialize<'de>>(de: JsonText<'_, 'de>) -> Result<T, (String, serde_json::Error)> {
    #[cfg(feature = "error-paths")]
    {
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            // "." is the value itself; "?" a place the tracker could not name.
            (if path == "." || path == "?" { String::new() } else { path }, e.into_inner())
        })
    }
    #[cfg(not(feature = "error-paths"))]
    {
        T::deserialize(de).map_err(|e| (String::new(), e))
    }
}
