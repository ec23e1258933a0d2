#![no_main]
//! Fuzz target `auth_results`: see `mailcheck_fuzz::auth_results` in src/lib.rs.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mailcheck_fuzz::auth_results(data));
