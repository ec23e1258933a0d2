#![no_main]
//! Fuzz target `dmarc_record`: see `mailcheck_fuzz::dmarc_record` in src/lib.rs.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mailcheck_fuzz::dmarc_record(data));
