//! The visuals module's binary: trunk builds it as a module of its own; the page imports it
//! and calls the library's exported functions (there is nothing to run at start). Naming the
//! library links it, with its exports.

use annals_visuals as _;

fn main() {}
