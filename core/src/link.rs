//! Which links Annals accepts: `http` or `https`, with a host, without whitespace.
//!
//! Its own module because both the record's checks (`validate`) and the rich-text check
//! (`html`, for the links inside a text) ask it, and `validate` already uses `html`: one rule,
//! asked from below both, with no circle between them.

use crate::problem::{Quoted, Said};
use crate::says;

/// A link may only be `http` or `https`, with a host and no whitespace.
pub fn check_url(url: &str) -> Result<(), Said> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).ok_or_else(|| {
        says!("{0} is not an http(s) link; expected a URL starting with https:// or http://", Quoted(&url))
    })?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(says!("{0} is not a valid link; expected https://host/path without spaces", Quoted(&url)));
    }
    Ok(())
}
