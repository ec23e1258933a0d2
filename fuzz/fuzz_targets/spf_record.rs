#![no_main]
//! Fuzz target `spf_record`: see `mailcheck_fuzz::spf_record` in src/lib.rs.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mailcheck_fuzz::spf_record(data));
