//! Fuzz target `components`: the check lives in `src/lib.rs`, shared with tests/regressions.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capsule_migrate_fuzz::components(data));
