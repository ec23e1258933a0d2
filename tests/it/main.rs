//! mailcheck's integration tests: one binary, run against the built
//! `mailcheck` executable. DNS comes from the fixture zones, both offline
//! (`--zone`) and over the wire from a real DNS server on 127.0.0.1.

mod batch;
mod check;
mod cli;
mod commands;
mod dnssec;
mod domain;
mod explain;
mod faults;
mod formats;
mod fuzz_regressions;
mod hostile;
mod knot;
mod mta_sts;
mod openspf;
mod postfix;
mod replay;
mod serve;
mod smtp;
mod spf_eval;
mod support;
mod verify;
mod verify_rules;
mod zonefile;
