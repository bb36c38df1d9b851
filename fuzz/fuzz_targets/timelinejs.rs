//! Fuzz target: reads every input as `Format::TimelinejsJson` (see `annals_fuzz::check`).
#![no_main]

use annals_core::format::Format;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    annals_fuzz::check(data, Some(Format::TimelinejsJson));
});
