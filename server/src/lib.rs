//! # annals-server
//!
//! The `annals` binary: the command-line tool and the HTTP service around `annals-core`.
//! All I/O of Annals lives here — files, clock, terminal, network, the durable store — while
//! the rules of the record stay in the core, so the browser, the CLI and the service accept
//! and reject the same things.
//!
//! - [`cli`] — the commands (`validate`, `stats`, `serve`).
//! - [`store`] — the [`store::Store`] trait and its SQLite backend.
//! - [`http`] — the API and the web app over a store.
//! - [`clock`] — the time of day, read by the commands and the stores.

pub mod cli;
pub mod clock;
pub mod http;
pub mod store;
