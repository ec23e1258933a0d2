#![no_main]
//! Fuzz target `spf_macro`: see `mailcheck_fuzz::spf_macro` in src/lib.rs.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mailcheck_fuzz::spf_macro(data));
