//! # annals-server
//!
//! The `annals` binary: the command-line tool (and, later, the HTTP service) around
//! `annals-core`. All I/O of Annals lives here — files, clock, terminal — while the rules of
//! the record stay in the core, so the browser and the CLI accept and reject the same things.

pub mod cli;
