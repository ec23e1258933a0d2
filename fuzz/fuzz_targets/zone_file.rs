#![no_main]
//! Fuzz target `zone_file`: see `mailcheck_fuzz::zone_file` in src/lib.rs.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mailcheck_fuzz::zone_file(data));
