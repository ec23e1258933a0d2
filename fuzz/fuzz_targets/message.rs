#![no_main]
//! Fuzz target `message`: see `mailcheck_fuzz::message` in src/lib.rs.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mailcheck_fuzz::message(data));
