//! Names of things in the record: events, actors and streams.
//!
//! They are cheap to clone (`Arc<str>`) because every projection keys on them. Reading a
//! file accepts any string so that the validator can report *every* bad name with its
//! place in the file; [`check_event_id`], [`check_actor_id`] and [`check_stream`] say
//! what a good one looks like.

use crate::problem::{Quoted, Said};
use crate::says;

use std::borrow::Borrow;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

macro_rules! name_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Arc<str>);

        impl $name {
            /// The name as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(Arc::from(s))
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(Arc::from(s))
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

name_type!(
    /// The writer-chosen id of an event. Appending the same id twice is idempotent.
    EventId
);
name_type!(
    /// The id of an actor: a country, person, organization, commission or place.
    ActorId
);
name_type!(
    /// The name of a stream: one record (for example `azerbaijan-belarus`).
    StreamName
);

/// Longest event id accepted.
pub const MAX_EVENT_ID: usize = 128;
/// Longest actor id accepted.
pub const MAX_ACTOR_ID: usize = 64;
/// Longest stream name accepted.
pub const MAX_STREAM: usize = 64;

/// What an event id may be: 1–128 characters of `A–Z a–z 0–9 . _ : / @ + -`.
pub fn check_event_id(id: &str) -> Result<(), Said> {
    check(id, MAX_EVENT_ID, |c| c.is_ascii_alphanumeric() || "._:/@+-".contains(c), "letters, digits and . _ : / @ + -")
}

/// What an actor id may be: 1–64 characters of lowercase `a–z 0–9 -`, not starting with `-`.
pub fn check_actor_id(id: &str) -> Result<(), Said> {
    check(
        id,
        MAX_ACTOR_ID,
        |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-',
        "lowercase letters, digits and -",
    )?;
    if id.starts_with('-') {
        return Err(says!("{0} starts with '-'; expected a letter or digit first", Quoted(&id)));
    }
    Ok(())
}

/// What a stream name may be: 1–64 characters of `A–Z a–z 0–9 . _ -`, not starting with `.`.
pub fn check_stream(name: &str) -> Result<(), Said> {
    check(name, MAX_STREAM, |c| c.is_ascii_alphanumeric() || "._-".contains(c), "letters, digits and . _ -")?;
    if name.starts_with('.') {
        return Err(says!("{0} starts with '.'; expected a letter or digit first", Quoted(&name)));
    }
    Ok(())
}

fn check(text: &str, max: usize, ok: impl Fn(char) -> bool, allowed: &str) -> Result<(), Said> {
    if text.is_empty() {
        return Err(says!("is empty; expected 1 or more characters"));
    }
    if text.len() > max {
        return Err(says!("is {0} characters long; expected at most {1}", text.len(), max));
    }
    if let Some(bad) = text.chars().find(|&c| !ok(c)) {
        return Err(says!("{0} contains {1}; expected only {2}", Quoted(&text), Quoted(&bad), allowed));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(check_event_id("2024-05-16-state-visit").is_ok());
        assert!(check_event_id("actor:aze").is_ok());
        assert!(check_event_id("").is_err());
        assert!(check_event_id("has space").is_err());
        assert!(check_event_id(&"x".repeat(129)).is_err());
        assert!(check_actor_id("lukashenko").is_ok());
        assert!(check_actor_id("Lukashenko").is_err());
        assert!(check_actor_id("-x").is_err());
        assert!(check_stream("azerbaijan-belarus").is_ok());
        assert!(check_stream("../etc").is_err());
        assert!(check_stream(".hidden").is_err());
    }
}
