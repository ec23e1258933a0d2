#![no_main]
//! Fuzz target `dkim_sig`: see `mailcheck_fuzz::dkim_sig` in src/lib.rs.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mailcheck_fuzz::dkim_sig(data));
