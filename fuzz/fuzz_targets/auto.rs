//! Fuzz target: detects the format, then reads (see `annals_fuzz::check`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    annals_fuzz::check(data, None);
});
