#![no_main]
//! Fuzz target `zone_generate`: see `mailcheck_fuzz::zone_generate` in src/lib.rs.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mailcheck_fuzz::zone_generate(data));
