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
//! **A message is said once, in English, with its values apart** ([`Said`], written with
//! [`says!`]): its text with numbered places (`"is {0} characters long; expected at most
//! {1}"`) is the message's identifier, and the values (ids, numbers, what was found) fill the
//! places. The command line and the service print the English sentence (`message`); the
//! browser's open report looks the text up in the interface's catalog (the English text is the
//! key there, as for every interface text) and fills the same values into the translation.
//! *Why the text as identifier and not a code or an enum:* the English must exist anyway (the
//! command line, the fallback), the source then shows what a person reads, and the check of
//! the catalogs (`frontend/tests/catalogs.rs`) extracts every `says!` text from core and the
//! readers, so a new message without translations fails a test. The values are words of the
//! file (ids, field names, numbers), never type names of the code.
//!
//! The serialized form is the browser worker's and the service's: `line` and `record` are
//! left out when not known, `field` and `message` are always there, and `text` and `args`
//! (the message's identifier and values) are there when the message has them.

use std::fmt::Display;

use serde::{Deserialize, Serialize};

/// A message in words: its English text with numbered places `{0}`, `{1}`… — the message's
/// identifier, and the key of its translations — and the values for those places.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Said {
    /// The English text with numbered places.
    pub text: &'static str,
    /// The values, in the order of their numbers.
    pub args: Vec<String>,
}

/// A [`Said`] message: `says!("found {0}; expected {1}", found, expected)`; each value is
/// written with its `Display`. The text must be a literal (the catalogs' check reads it from
/// the source).
#[macro_export]
macro_rules! says {
    ($text:literal $(, $arg:expr)* $(,)?) => {
        if $crate::problem::VALUES {
            $crate::problem::Said::new($text, &[$(&$arg as &dyn ::std::fmt::Display),*])
        } else {
            $crate::problem::Said::new($text, &[])
        }
    };
}

/// Whether messages keep their values (feature `message-values`, off in the browser page's
/// build of core; see `core/Cargo.toml`). A constant, so the page's build drops the values'
/// code at every `says!`.
pub const VALUES: bool = cfg!(feature = "message-values");

impl Display for Said {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let args: Vec<&dyn Display> = self.args.iter().map(|a| a as &dyn Display).collect();
        f.write_str(&fill(self.text, &args, &|_| None))
    }
}

/// A value written as the file has it, quoted (`"aze"`): the `{:?}` of a value, as a place of a
/// message takes it without a string made for it at each of the many places that quote.
pub struct Quoted<'a, T: std::fmt::Debug + ?Sized>(pub &'a T);

impl<T: std::fmt::Debug + ?Sized> Display for Quoted<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// Marks a message carried inside a string: a value that is itself a message ("has a link
/// whose href {0}", the link's own problem in the place) or a message passing through
/// serde's `Error::custom`, which takes a string. See [`Said::carried`].
const CARRIED: char = '\u{1}';
/// Separates the text and values of a carried message.
const APART: char = '\u{1f}';
/// Ends a carried message (a value may itself carry one: they nest).
const END: char = '\u{2}';

impl Said {
    /// A message from its text and values. *Why not inline in [`says!`]:* one call per
    /// message, not a vector built at each of a few hundred places (the browser page's
    /// bundle has a hard budget).
    #[inline(never)]
    pub fn new(text: &'static str, args: &[&dyn Display]) -> Said {
        Said { text, args: args.iter().map(ToString::to_string).collect() }
    }

    /// The message as one string, its text and values apart, for a place that takes a string:
    /// a value of another message (whose English and translations then say it in its own
    /// words, [`fill`]) or serde's `Error::custom` ([`Said::from_serde`] finds it again).
    pub fn carried(&self) -> String {
        // A message that is only another carried message is that message.
        if let ("{0}", [only]) = (self.text, self.args.as_slice()) {
            if only.starts_with(CARRIED) {
                return only.clone();
            }
        }
        carry(self.text, &self.args)
    }

    /// A message of serde_json's in words, with its values apart: unknown, missing and
    /// repeated fields, a value of the wrong type, not JSON at all — and a message of this
    /// crate's carried through serde ([`Said::carried`]). serde's place (" at line L column
    /// C") is left out: a problem has its own.
    ///
    /// *Why behind `error-paths`:* the browser page never shows a decoding problem of its own
    /// (a file it cannot read cleanly goes to the worker, built with the feature), so its
    /// bundle keeps only the message as it is.
    #[inline(never)]
    pub fn from_serde(message: &str) -> Said {
        if cfg!(not(feature = "error-paths")) {
            return says!("{0}", message);
        }
        let message = message.rfind(" at line ").map_or(message, |i| &message[..i]);
        if message.starts_with(CARRIED) {
            return says!("{0}", message);
        }
        let quoted = |s: &str| s.trim_matches('`').to_owned();
        if let Some(rest) = message.strip_prefix("unknown field `") {
            if let Some((name, expected)) = rest.split_once("`, expected one of ") {
                return says!("unknown field {0}; expected one of {1}", name, expected.replace('`', ""));
            }
            if let Some((name, expected)) = rest.split_once("`, expected ") {
                return says!("unknown field {0}; expected {1}", name, quoted(expected));
            }
            if let Some(name) = rest.strip_suffix("`, there are no fields") {
                return says!("unknown field {0}; expected no fields", name);
            }
        }
        if let Some(rest) = message.strip_prefix("unknown variant `") {
            if let Some((name, expected)) = rest.split_once("`, expected one of ") {
                return says!("unknown value {0}; expected one of {1}", name, expected.replace('`', ""));
            }
            if let Some((name, expected)) = rest.split_once("`, expected ") {
                return says!("unknown value {0}; expected {1}", name, quoted(expected));
            }
        }
        if let Some(name) = message.strip_prefix("missing field `").and_then(|r| r.strip_suffix('`')) {
            return says!("the field {0} is missing", name);
        }
        if let Some(name) = message.strip_prefix("duplicate field `").and_then(|r| r.strip_suffix('`')) {
            return says!("the field {0} is given twice", name);
        }
        for prefix in ["invalid type: ", "invalid value: "] {
            if let Some((found, expected)) = message.strip_prefix(prefix).and_then(|r| r.split_once(", expected ")) {
                return says!("found {0}; expected {1}", found, expected);
            }
        }
        if let Some((found, expected)) =
            message.strip_prefix("invalid length ").and_then(|r| r.split_once(", expected "))
        {
            return says!("has {0} items; expected {1}", found, expected);
        }
        match message {
            m if m.starts_with("EOF while parsing") => says!("the text ends before the JSON value does"),
            "trailing characters" => says!("has more text after the JSON value"),
            "expected value" => says!("is not a JSON value"),
            "key must be a string" => says!("has an object key that is not a string"),
            m if m.starts_with("expected `,` or") => says!("lacks a comma or a closing bracket"),
            "control character (\\u0000-\\u001F) found while parsing a string" => {
                says!("has a control character inside a string")
            }
            "invalid escape" => says!("has an invalid escape inside a string"),
            "expected `:`" => says!("lacks a colon after an object key"),
            _ => says!("is not valid JSON ({0})", message),
        }
    }
}

/// `text` and `args` as one carried string: `\u{1}text\u{1f}arg…\u{2}`.
fn carry(text: &str, args: &[String]) -> String {
    let mut out = String::from(CARRIED);
    out.push_str(text);
    for a in args {
        out.push(APART);
        out.push_str(a);
    }
    out.push(END);
    out
}

/// A carried message's text and values (`s` after its opening mark, up to its end mark; a
/// value may carry a message of its own).
fn uncarry(s: &str) -> (&str, Vec<&str>) {
    let (mut depth, mut parts, mut start) = (0usize, Vec::new(), 0);
    for (i, c) in s.char_indices() {
        match c {
            CARRIED => depth += 1,
            END if depth == 0 => {
                parts.push(&s[start..i]);
                break;
            }
            END => depth -= 1,
            APART if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
        if i + c.len_utf8() == s.len() {
            parts.push(&s[start..]);
        }
    }
    let text = parts.first().copied().unwrap_or_default();
    (text, parts.into_iter().skip(1).collect())
}

/// Fills `{0}`, `{1}`… in `text` with `args` in order of their numbers; anything else in
/// braces is kept as written. A value that is a carried message ([`Said::carried`]) is said
/// in its own words: `words` gives a message text's translation (`None`: its English), the
/// interface's catalog in the browser. One filler for the English message and the interface's
/// translations, so both say the same values in the same places.
pub fn fill(text: &str, args: &[&dyn Display], words: &dyn Fn(&str) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').and_then(|close| Some((close, after[..close].parse::<usize>().ok()?))) {
            Some((close, i)) if i < args.len() => {
                let arg = args[i].to_string();
                match arg.strip_prefix(CARRIED) {
                    Some(inner) => {
                        let (text, inner) = uncarry(inner);
                        let inner: Vec<&dyn Display> = inner.iter().map(|a| a as &dyn Display).collect();
                        out.push_str(&fill(words(text).unwrap_or(text), &inner, words));
                    }
                    None => out.push_str(&arg),
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

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
    /// What is wrong, what was found and what was expected, in plain words (English).
    pub message: String,
    /// The message's text with numbered places, its identifier (see [`Said`]); empty for a
    /// message of another program (an old service's).
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub text: Box<str>,
    /// The values of the message's places.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
}

impl Problem {
    /// A problem with a field, its place not yet known.
    pub fn new(field: impl Into<String>, said: Said) -> Self {
        let message = said.to_string();
        // A message carried through serde (`says!("{0}", carried)`) is that message: its own
        // text and values, so what a problem says in JSON (the service's answers, the worker's
        // report) never holds the carrying marks.
        let (text, args) = match (said.text, said.args.as_slice()) {
            ("{0}", [only]) if only.starts_with(CARRIED) && only.ends_with(END) => {
                let (text, args) = uncarry(&only[CARRIED.len_utf8()..]);
                (text.into(), args.into_iter().map(str::to_owned).collect())
            }
            _ => (said.text.into(), said.args),
        };
        Problem { line: None, record: None, field: field.into(), message, text, args }
    }

    /// A problem with the file (or record) as a whole: no line, record or field.
    pub fn about_file(said: Said) -> Self {
        Problem::new(String::new(), said)
    }

    /// The message as a value of another message (see [`Said::carried`]); a message of
    /// another program without a text stays its words.
    pub fn carried(&self) -> String {
        // (A problem never holds a bare carried message: `new` opens it.)
        match &*self.text {
            "" => self.message.clone(),
            text => carry(text, &self.args),
        }
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
impl Display for Problem {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A message whose value is a message whose value is a message: English and translated,
    /// each in its own words with its own values.
    #[test]
    fn carried_messages_nest_and_translate_at_every_depth() {
        let inner = says!("day {0} does not exist in {1}", 30, "2021-02");
        let middle = says!("has a link whose href {0}", inner.carried());
        let outer = says!("after the correction: {0}", middle.carried());
        assert_eq!(outer.to_string(), "after the correction: has a link whose href day 30 does not exist in 2021-02");
        let ru = |t: &str| match t {
            "after the correction: {0}" => Some("после исправления: {0}"),
            "day {0} does not exist in {1}" => Some("дня {0} нет в {1}"),
            _ => None,
        };
        let args: Vec<&dyn Display> = outer.args.iter().map(|a| a as &dyn Display).collect();
        assert_eq!(
            fill(ru(outer.text).unwrap_or_default(), &args, &ru),
            "после исправления: has a link whose href дня 30 нет в 2021-02"
        );
        // A problem of a carried message only is that message.
        let problem = Problem::new("x", Said::from_serde(&format!("{} at line 1 column 2", inner.carried())));
        assert_eq!(problem.message, "day 30 does not exist in 2021-02");
        assert_eq!(problem.carried(), inner.carried());
    }

    #[test]
    fn serde_messages_are_said_with_their_values_apart() {
        let said = Said::from_serde("unknown field `sumary`, expected one of `title`, `summary` at line 1 column 9");
        assert_eq!(
            (said.text, said.args.as_slice()),
            ("unknown field {0}; expected one of {1}", &["sumary".to_owned(), "title, summary".to_owned()][..])
        );
        assert_eq!(Said::from_serde("missing field `origin`").to_string(), "the field origin is missing");
        assert_eq!(
            Said::from_serde("EOF while parsing an object at line 3 column 0").text,
            "the text ends before the JSON value does"
        );
    }
}
