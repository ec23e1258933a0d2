//! DNS fault injection: `mailcheck domain`, `verify` and `spf --ip` against a
//! server that misbehaves on purpose (support/faulty_dns.rs) for one name at a
//! time, in each place a check looks something up.
//!
//! A fault that leaves no answer (silence, SERVFAIL, REFUSED, a CNAME loop)
//! must give the RFC's temporary error: `temperror`, or a check with status
//! `error`, and exit 3; never a "missing record" and never a panic. A fault a
//! correct client works around (TC then TCP, an answer over 512 bytes, a
//! forged datagram before the real one) must give the same result as the
//! fault-free control ("ok" names in fixtures/faults/faults.example.zone).
//! Every run has `--timeout 1` and must end within [`BOUND`]; every question
//! must be looked up once per run (see [`assert_one_lookup_per_question`]).
//! ROBUSTNESS.md tabulates the outcomes these tests assert.

use crate::support::faulty_dns::{Fault, FaultyDns};
use crate::support::{Out, fixtures, mailcheck};
use hickory_resolver::proto::rr::RecordType;
use mailcheck::dns::{MAX_ASKS, RETRY_FAILED_AFTER};
use serde_json::Value;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Every run must end within this, whatever the fault: a safety net, not a speed measurement.
const BOUND: Duration = Duration::from_secs(15);
/// The per-answer timeout every run is given.
const TIMEOUT: &str = "1";
/// UDP copies one lookup of a silent name puts on the wire with [`TIMEOUT`]:
/// the first and a resend every third of the timeout until it runs out
/// (src/dns/client.rs, `udp_pooled`). A timeout never falls back to TCP.
const COPIES_PER_SILENT_LOOKUP: usize = 3;
/// Queries one lookup of a name whose server answers at once (SERVFAIL,
/// REFUSED, a referral, a lame answer, a CNAME loop in one answer, a garbled
/// datagram dropped before the real answer): one, with no resend and no TCP.
const QUERIES_PER_ANSWERED_LOOKUP: usize = 1;
/// An address every fixture SPF record authorizes (203.0.113.0/24).
const PASS_IP: &str = "203.0.113.5";
/// An address no fixture SPF record authorizes.
const FAIL_IP: &str = "192.0.2.250";
/// Wording that would present a temporary failure as a missing or empty record.
const MISSING_WORDS: &[&str] = &[
    "no spf record",
    "publishes no",
    "no dmarc record",
    "no dkim key",
    "key not found",
    "has no",
    "no mx record",
    "does not exist",
    "nxdomain",
];

/// What a run under a fault must conclude.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// The same result as the fault-free control.
    Normal,
    /// `temperror` / status `error`, exit 3.
    Temporary,
    /// Either of the two (the fault may fairly be treated as a failed attempt).
    NormalOrTemporary,
}

/// The outcome each fault must produce.
fn expect(fault: Fault) -> Expect {
    match fault {
        Fault::Silent
        | Fault::ServFail
        | Fault::Refused
        | Fault::Loop
        | Fault::Referral
        | Fault::Lame => Expect::Temporary,
        Fault::Truncated | Fault::BigTxt | Fault::Garbage | Fault::Duplicate => Expect::Normal,
        // Asked again only after a failure has aged (src/dns/mod.rs,
        // RETRY_FAILED_AFTER): within one check, a flaky name times out.
        Fault::Flaky => Expect::Temporary,
        // The garbled datagram carries the query's ID: a resolver may drop it and
        // keep waiting (then the real answer follows) or count it as a failed try.
        Fault::Garbled => Expect::NormalOrTemporary,
    }
}

/// True for faults applied by table to the control's (`ok`) names only: the
/// fixture zone has no names of their own.
fn table_only(fault: Fault) -> bool {
    !Fault::ALL.contains(&fault)
}

/// The fixture variant whose names a fault is put on: its own, or the
/// control's for a table-only fault.
fn names_of(fault: Fault) -> Option<Fault> {
    (!table_only(fault)).then_some(fault)
}

/// The fixture word of a variant: the fault's, or `ok` for the control.
fn word(variant: Option<Fault>) -> &'static str {
    variant.map_or("ok", Fault::word)
}

/// The variant's index in the fixture zone: `ok` 0, then [`Fault::ALL`] from 1.
fn index(variant: Option<Fault>) -> u8 {
    variant
        .and_then(|f| Fault::ALL.iter().position(|x| *x == f))
        .and_then(|i| u8::try_from(i + 1).ok())
        .unwrap_or(0)
}

/// The address of `F.t.faults.example`, the shared faulty target.
fn target_ip(variant: Option<Fault>) -> String {
    format!("203.0.113.{}", 10 + index(variant))
}

/// The zone files every fault server loads.
fn fault_zones() -> Vec<PathBuf> {
    vec![
        fixtures().join("faults/faults.example.zone"),
        fixtures().join("faults/reverse-203.0.113.zone"),
    ]
}

/// The names whose first label the protocol fixes, broken by table for every
/// fault at once: `_dmarc.dmarc-F` and the PTR name of `ptr-F`'s MX address.
fn standard_table() -> Vec<(String, Fault)> {
    let mut table = Vec::new();
    for fault in Fault::ALL {
        let w = fault.word();
        table.push((format!("_dmarc.dmarc-{w}.faults.example"), fault));
        let ptr = 40 + index(Some(fault));
        table.push((format!("{ptr}.113.0.203.in-addr.arpa"), fault));
    }
    table
}

/// Starts a fault server over `zones` with the standard table plus `extra`.
fn start(zones: &[PathBuf], extra: &[(String, Fault)]) -> FaultyDns {
    let mut table = standard_table();
    table.extend(extra.iter().cloned());
    let refs: Vec<(&str, Fault)> = table.iter().map(|(n, f)| (n.as_str(), *f)).collect();
    FaultyDns::start(zones, &refs)
}

/// Runs mailcheck against `server` with `--json` and `--timeout 1` (unless
/// `args` sets a timeout), and checks what every run must satisfy: it ends
/// within [`BOUND`], does not panic, and exits 0, 1 or 3.
fn run(server: &FaultyDns, args: &[&str]) -> Out {
    let addr = server.addr.to_string();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--json", "--resolver", &addr]);
    if !args.contains(&"--timeout") {
        all.extend(["--timeout", TIMEOUT]);
    }
    let started = Instant::now();
    let out = mailcheck(&all);
    let elapsed = started.elapsed();
    LAST_RUN.with(|t| t.set(elapsed));
    assert!(
        elapsed < BOUND,
        "mailcheck {} took {elapsed:?}",
        args.join(" ")
    );
    assert!(
        !out.stderr.contains("panicked") && out.code != 101,
        "mailcheck {} panicked:\n{}",
        args.join(" "),
        out.stderr
    );
    assert!(
        [0, 1, 3].contains(&out.code),
        "mailcheck {}: exit {}\nstdout: {}\nstderr: {}",
        args.join(" "),
        out.code,
        out.stdout,
        out.stderr
    );
    out
}

thread_local! {
    /// How long the last [`run`] on this thread took: a failed question may
    /// be asked again after [`RETRY_FAILED_AFTER`], so the run's length
    /// bounds how many lookups of it are legitimate.
    static LAST_RUN: std::cell::Cell<Duration> = const { std::cell::Cell::new(Duration::ZERO) };
}

/// How many lookups of one failed question a run of `elapsed` may make: the
/// first, then one more each [`RETRY_FAILED_AFTER`], at most [`MAX_ASKS`]
/// (src/dns/mod.rs).
fn lookups_allowed(elapsed: Duration) -> usize {
    let again = elapsed.as_millis() / RETRY_FAILED_AFTER.as_millis().max(1);
    (1 + again as usize).min(usize::from(MAX_ASKS))
}

/// Every question was looked up once: a question answered normally reached the
/// server at most once per transport (UDP, then TCP after TC); a failing one
/// no more often than one lookup sends it, times the lookups the last run's
/// length allows (one, unless it ran past [`RETRY_FAILED_AFTER`]). Nothing
/// mailcheck sent failed to parse.
fn assert_one_lookup_per_question(server: &FaultyDns, what: &str) {
    assert_eq!(server.unparsable(), 0, "{what}: unparsable queries");
    let lookups = lookups_allowed(LAST_RUN.with(|t| t.get()));
    for ((name, rtype), c) in server.counts() {
        let fault = server.fault_for(&name);
        let total = c.udp + c.tcp;
        let ok = match fault {
            None | Some(Fault::Truncated | Fault::BigTxt | Fault::Garbage | Fault::Duplicate) => {
                c.udp <= 1 && c.tcp <= 1
            }
            Some(
                Fault::ServFail
                | Fault::Refused
                | Fault::Garbled
                | Fault::Referral
                | Fault::Lame
                | Fault::Loop,
            ) => total <= QUERIES_PER_ANSWERED_LOOKUP * lookups,
            // Flaky is silent for its first lookup, then answers.
            Some(Fault::Silent | Fault::Flaky) => {
                c.tcp == 0 && c.udp <= COPIES_PER_SILENT_LOOKUP * lookups
            }
        };
        assert!(
            ok,
            "{what}: {name} {rtype} was asked {} times over UDP and {} over TCP (fault {fault:?}, {lookups} lookup(s) allowed)",
            c.udp, c.tcp
        );
    }
}

/// The fault was really exercised: the faulted question reached the server, a
/// truncated one was asked again over TCP, and a bigtxt answer was over 512
/// bytes (over UDP with EDNS, or over TCP after TC).
fn assert_fault_hit(server: &FaultyDns, fault: Fault, name: &str, rtype: RecordType, big: bool) {
    let c = server.count(name, rtype);
    assert!(c.udp + c.tcp > 0, "{name} {rtype} was never asked");
    assert_eq!(server.fault_for(name), Some(fault), "{name}");
    if fault == Fault::Truncated {
        assert_eq!(
            c.tcp, 1,
            "{name} {rtype}: TC must be followed by one TCP query"
        );
    }
    if fault == Fault::BigTxt && big {
        assert!(
            c.largest_udp_reply > 512 || c.tcp > 0,
            "{name} {rtype}: the answer was not over 512 bytes ({c:?})"
        );
    }
}

/// No message in these checks words a temporary failure as a missing record.
fn assert_no_missing_wording(checks: &[&Value], what: &str) {
    for check in checks {
        let text = check.to_string().to_ascii_lowercase();
        for bad in MISSING_WORDS {
            assert!(
                !text.contains(bad),
                "{what}: a temporary failure worded as a missing record ({bad:?}): {check}"
            );
        }
    }
}

/// True when the check's name is in `area` (its first dotted segment).
fn in_area(check: &Value, area: &str) -> bool {
    check["name"]
        .as_str()
        .and_then(|n| n.split('.').next())
        .is_some_and(|first| first == area)
}

/// Each check's (name, status), in report order.
fn statuses(report: &Value) -> Vec<(String, String)> {
    report["checks"]
        .as_array()
        .map(|checks| {
            checks
                .iter()
                .map(|c| {
                    (
                        c["name"].as_str().unwrap_or("").to_owned(),
                        c["status"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------- domain

/// Where `mailcheck domain` meets the fault.
#[derive(Debug, Clone, Copy)]
enum DomainPlace {
    /// The domain's own name: its MX and SPF TXT queries.
    Apex,
    /// The target of the SPF record's `include:`.
    SpfInclude,
    /// The MX exchange's A/AAAA.
    MxHost,
    /// The PTR of the MX address.
    Ptr,
    /// The DKIM key record of the selector.
    DkimKey,
    /// The `_dmarc` TXT record.
    Dmarc,
}

impl DomainPlace {
    /// `mailcheck domain` arguments for a variant.
    fn args(self, variant: Option<Fault>) -> Vec<String> {
        let w = word(variant);
        let (domain, selector) = match self {
            DomainPlace::Apex => (format!("{w}.apex.faults.example"), "s1".to_owned()),
            DomainPlace::SpfInclude => (format!("include-{w}.faults.example"), "s1".to_owned()),
            DomainPlace::MxHost => (format!("mxhost-{w}.faults.example"), "s1".to_owned()),
            DomainPlace::Ptr => (format!("ptr-{w}.faults.example"), "s1".to_owned()),
            DomainPlace::DkimKey => ("dkim.faults.example".to_owned(), w.to_owned()),
            DomainPlace::Dmarc => (format!("dmarc-{w}.faults.example"), "s1".to_owned()),
        };
        vec!["domain".into(), domain, "--selector".into(), selector]
    }

    /// The question the fault hits, and whether its answer is over 512 bytes for bigtxt.
    fn faulted(self, variant: Option<Fault>) -> (String, RecordType, bool) {
        let w = word(variant);
        match self {
            DomainPlace::Apex => (format!("{w}.apex.faults.example"), RecordType::TXT, true),
            DomainPlace::SpfInclude => (format!("{w}.t.faults.example"), RecordType::TXT, true),
            DomainPlace::MxHost => (format!("{w}.t.faults.example"), RecordType::A, false),
            DomainPlace::Ptr => (
                format!("{}.113.0.203.in-addr.arpa", 40 + index(variant)),
                RecordType::PTR,
                false,
            ),
            DomainPlace::DkimKey => (
                format!("{w}._domainkey.dkim.faults.example"),
                RecordType::TXT,
                true,
            ),
            DomainPlace::Dmarc => (
                format!("_dmarc.dmarc-{w}.faults.example"),
                RecordType::TXT,
                true,
            ),
        }
    }

    /// The check areas (first segment of a check name) that must report the failure.
    fn areas(self) -> &'static [&'static str] {
        match self {
            DomainPlace::Apex => &["mx", "spf"],
            DomainPlace::SpfInclude => &["spf"],
            DomainPlace::MxHost => &["mx"],
            DomainPlace::Ptr => &["ptr"],
            DomainPlace::DkimKey => &["dkim"],
            DomainPlace::Dmarc => &["dmarc"],
        }
    }
}

/// Runs `mailcheck domain` for a variant of a place on a fresh fault server.
fn run_domain(place: DomainPlace, variant: Option<Fault>) -> (Out, FaultyDns) {
    let (variant, extra) = match variant {
        Some(fault) if table_only(fault) => (None, vec![(place.faulted(None).0, fault)]),
        _ => (variant, Vec::new()),
    };
    let server = start(&fault_zones(), &extra);
    let args = place.args(variant);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&server, &refs);
    (out, server)
}

/// One cell: `mailcheck domain` with `fault` at `place`.
fn check_domain(place: DomainPlace, fault: Fault) {
    let what = format!("domain {place:?} {fault:?}");
    let (out, server) = run_domain(place, Some(fault));
    let report = out.json();
    let temporary = match expect(fault) {
        Expect::Temporary => true,
        Expect::Normal => false,
        Expect::NormalOrTemporary => out.code == 3,
    };
    if temporary {
        assert_eq!(out.code, 3, "{what}: {}", out.stdout);
        assert_eq!(report["status"], "error", "{what}: {}", out.stdout);
        let checks: Vec<&Value> = report["checks"].as_array().into_iter().flatten().collect();
        for area in place.areas() {
            assert!(
                checks
                    .iter()
                    .any(|c| c["status"] == "error" && in_area(c, area)),
                "{what}: no {area} check reports the DNS failure: {}",
                out.stdout
            );
        }
        for c in &checks {
            assert_ne!(
                c["status"], "fail",
                "{what}: a DNS failure failed a check: {c}"
            );
        }
        let suspects: Vec<&Value> = checks
            .iter()
            .copied()
            .filter(|c| c["status"] != "pass" || place.areas().iter().any(|a| in_area(c, a)))
            .collect();
        assert_no_missing_wording(&suspects, &what);
        if matches!(fault, Fault::Referral | Fault::Lame) {
            // The message says which server would not answer.
            let addr = server.addr.to_string();
            assert!(
                checks.iter().any(|c| c["status"] == "error"
                    && c["message"].as_str().is_some_and(|m| m.contains(&addr))),
                "{what}: no error names {addr}: {}",
                out.stdout
            );
        }
    } else {
        let (control, _) = run_domain(place, None);
        assert_eq!(out.code, 0, "{what}: {}", out.stdout);
        assert_eq!(out.code, control.code, "{what}: {}", out.stdout);
        assert_eq!(statuses(&report), statuses(&control.json()), "{what}");
    }
    let (name, rtype, big) = place.faulted(names_of(fault));
    assert_fault_hit(&server, fault, &name, rtype, big);
    assert_one_lookup_per_question(&server, &what);
}

// ---------------------------------------------------------------- spf --ip

/// Where `mailcheck spf --ip` meets the fault.
#[derive(Debug, Clone, Copy)]
enum SpfPlace {
    /// The checked domain's own TXT record.
    Record,
    /// The target of `include:`.
    Include,
    /// The target of `a:`.
    A,
    /// The address of the domain's MX host, for the `mx` mechanism.
    MxHost,
}

impl SpfPlace {
    /// `mailcheck spf` arguments for a variant.
    fn args(self, variant: Option<Fault>) -> Vec<String> {
        let w = word(variant);
        let (domain, ip) = match self {
            SpfPlace::Record => (format!("{w}.t.faults.example"), PASS_IP.to_owned()),
            SpfPlace::Include => (format!("include-{w}.faults.example"), PASS_IP.to_owned()),
            SpfPlace::A => (format!("a-{w}.faults.example"), target_ip(variant)),
            SpfPlace::MxHost => (format!("mxhost-{w}.faults.example"), target_ip(variant)),
        };
        vec!["spf".into(), domain, "--ip".into(), ip]
    }

    /// The question the fault hits, and whether its answer is over 512 bytes for bigtxt.
    fn faulted(self, variant: Option<Fault>) -> (String, RecordType, bool) {
        let target = format!("{}.t.faults.example", word(variant));
        match self {
            SpfPlace::Record | SpfPlace::Include => (target, RecordType::TXT, true),
            SpfPlace::A | SpfPlace::MxHost => (target, RecordType::A, false),
        }
    }
}

/// Runs `mailcheck spf --ip` for a variant of a place on a fresh fault server.
fn run_spf(place: SpfPlace, variant: Option<Fault>) -> (Out, FaultyDns) {
    let (variant, extra) = match variant {
        Some(fault) if table_only(fault) => (None, vec![(place.faulted(None).0, fault)]),
        _ => (variant, Vec::new()),
    };
    let server = start(&fault_zones(), &extra);
    let args = place.args(variant);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&server, &refs);
    (out, server)
}

/// One cell: `mailcheck spf --ip` with `fault` at `place`.
fn check_spf(place: SpfPlace, fault: Fault) {
    let what = format!("spf {place:?} {fault:?}");
    let (out, server) = run_spf(place, Some(fault));
    let report = out.json();
    let temporary = match expect(fault) {
        Expect::Temporary => true,
        Expect::Normal => false,
        Expect::NormalOrTemporary => out.code == 3,
    };
    if temporary {
        assert_eq!(report["result"], "temperror", "{what}: {}", out.stdout);
        assert_eq!(out.code, 3, "{what}: {}", out.stdout);
        assert_eq!(report["status"], "error", "{what}: {}", out.stdout);
        let checks: Vec<&Value> = report["checks"].as_array().into_iter().flatten().collect();
        for c in &checks {
            assert_ne!(
                c["status"], "fail",
                "{what}: a DNS failure failed a check: {c}"
            );
        }
        assert_no_missing_wording(&checks, &what);
    } else {
        let (control, _) = run_spf(place, None);
        let expected = control.json();
        assert_eq!(report["result"], "pass", "{what}: {}", out.stdout);
        assert_eq!(out.code, control.code, "{what}: {}", out.stdout);
        assert_eq!(statuses(&report), statuses(&expected), "{what}");
    }
    let (name, rtype, big) = place.faulted(names_of(fault));
    assert_fault_hit(&server, fault, &name, rtype, big);
    assert_one_lookup_per_question(&server, &what);
}

// ---------------------------------------------------------------- verify

/// Where `mailcheck verify` meets the fault.
#[derive(Debug, Clone, Copy)]
enum VerifyPlace {
    /// The SPF record of the MAIL FROM domain (an unsigned message from `F.apex`).
    SpfRecord,
    /// The `include:` target of that SPF record (an unsigned message from `include-F`).
    SpfInclude,
    /// The DKIM key of fixtures/verify/rsa-pass.eml, from an IP SPF fails, so
    /// DMARC rests on DKIM alone.
    DkimKey,
    /// The `_dmarc` record of the From domain (an unsigned message from `dmarc-F`).
    Dmarc,
}

/// The DKIM key record of rsa-pass.eml's signature.
const RSA_PASS_KEY: &str = "s1._domainkey.rsa-pass.verify.example";

impl VerifyPlace {
    /// The From and MAIL FROM domain of the unsigned message, for places that use one.
    fn domain(self, variant: Option<Fault>) -> Option<String> {
        let w = word(variant);
        match self {
            VerifyPlace::SpfRecord => Some(format!("{w}.apex.faults.example")),
            VerifyPlace::SpfInclude => Some(format!("include-{w}.faults.example")),
            VerifyPlace::Dmarc => Some(format!("dmarc-{w}.faults.example")),
            VerifyPlace::DkimKey => None,
        }
    }

    /// The question the fault hits, and whether its answer is over 512 bytes for bigtxt.
    fn faulted(self, variant: Option<Fault>) -> (String, RecordType, bool) {
        let w = word(variant);
        match self {
            VerifyPlace::SpfRecord => (format!("{w}.apex.faults.example"), RecordType::TXT, true),
            VerifyPlace::SpfInclude => (format!("{w}.t.faults.example"), RecordType::TXT, true),
            VerifyPlace::DkimKey => (RSA_PASS_KEY.to_owned(), RecordType::TXT, true),
            VerifyPlace::Dmarc => (
                format!("_dmarc.dmarc-{w}.faults.example"),
                RecordType::TXT,
                true,
            ),
        }
    }
}

/// An unsigned message from `alice@DOMAIN` with Return-Path `bounce@DOMAIN`.
fn unsigned_message(domain: &str) -> String {
    format!(
        "Return-Path: <bounce@{domain}>\r\n\
         From: Alice Sender <alice@{domain}>\r\n\
         To: Bob Receiver <bob@receiver.example>\r\n\
         Subject: DNS fault test\r\n\
         Date: Fri, 20 Nov 2026 09:05:00 +0000\r\n\
         Message-ID: <fault-test@{domain}>\r\n\
         \r\n\
         Hello Bob.\r\n"
    )
}

/// Runs `mailcheck verify` for a variant of a place on a fresh fault server.
fn run_verify(place: VerifyPlace, variant: Option<Fault>) -> (Out, FaultyDns) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut zones = fault_zones();
    let mut extra = Vec::new();
    let fault = variant;
    let variant = match variant {
        Some(f) if table_only(f) => {
            if place.domain(None).is_some() {
                extra.push((place.faulted(None).0, f));
            }
            None
        }
        _ => variant,
    };
    let (message, ip) = match place.domain(variant) {
        Some(domain) => {
            let path = dir.path().join("message.eml");
            std::fs::write(&path, unsigned_message(&domain)).expect("write the message");
            (path, PASS_IP)
        }
        None => {
            // The same key with a long n= tag, so that its answer is over 512 bytes.
            let zone = if variant == Some(Fault::BigTxt) {
                "faults/rsa-pass-bigkey.zone"
            } else {
                "verify/rsa-pass.zone"
            };
            zones.push(fixtures().join(zone));
            if let Some(fault) = fault {
                extra.push((RSA_PASS_KEY.to_owned(), fault));
            }
            (fixtures().join("verify/rsa-pass.eml"), FAIL_IP)
        }
    };
    let server = start(&zones, &extra);
    let message = message.display().to_string();
    let out = run(&server, &["verify", &message, "--ip", ip]);
    (out, server)
}

/// The parts of a verify report a fault may change.
fn verdict(report: &Value) -> Value {
    serde_json::json!({
        "status": report["status"],
        "spf": report["spf"]["result"],
        "dkim": report["dkim"].as_array().map(|d| d.iter().map(|s| s["result"].clone()).collect::<Vec<_>>()),
        "dmarc": report["dmarc"]["result"],
        "policy": report["dmarc"]["policy"],
        "disposition": report["dmarc"]["disposition"],
    })
}

/// One cell: `mailcheck verify` with `fault` at `place`.
fn check_verify(place: VerifyPlace, fault: Fault) {
    let what = format!("verify {place:?} {fault:?}");
    let (out, server) = run_verify(place, Some(fault));
    let report = out.json();
    let temporary = match expect(fault) {
        Expect::Temporary => true,
        Expect::Normal => false,
        Expect::NormalOrTemporary => out.code == 3,
    };
    if temporary {
        let faulted = match place {
            VerifyPlace::SpfRecord | VerifyPlace::SpfInclude => &report["spf"]["result"],
            VerifyPlace::DkimKey => &report["dkim"][0]["result"],
            VerifyPlace::Dmarc => &report["dmarc"]["result"],
        };
        assert_eq!(faulted, "temperror", "{what}: {}", out.stdout);
        // DMARC rests on the faulted result in every place, so it is temporary too.
        assert_eq!(
            report["dmarc"]["result"], "temperror",
            "{what}: {}",
            out.stdout
        );
        assert_eq!(report["status"], "error", "{what}: {}", out.stdout);
        assert_eq!(out.code, 3, "{what}: {}", out.stdout);
        let mut parts: Vec<&Value> = vec![&report["spf"], &report["dmarc"]];
        parts.extend(report["dkim"].as_array().into_iter().flatten());
        assert_no_missing_wording(&parts, &what);
    } else {
        let (control, _) = run_verify(place, None);
        assert_eq!(out.code, 0, "{what}: {}", out.stdout);
        assert_eq!(out.code, control.code, "{what}");
        assert_eq!(verdict(&report), verdict(&control.json()), "{what}");
    }
    let (name, rtype, big) = place.faulted(names_of(fault));
    assert_fault_hit(&server, fault, &name, rtype, big);
    assert_one_lookup_per_question(&server, &what);
}

// ---------------------------------------------------------------- the matrix

/// One module per place, one test per fault: `faults::<command>_<place>::<fault>`.
macro_rules! cells {
    ($($module:ident: $check:ident($place:expr) { $($(#[$attr:meta])* $test:ident => $fault:ident,)* })*) => {
        $(
            mod $module {
                use super::*;
                $(
                    #[test]
                    $(#[$attr])*
                    fn $test() {
                        $check($place, Fault::$fault);
                    }
                )*
            }
        )*
    };
}

cells! {
    domain_apex: check_domain(DomainPlace::Apex) {
        silent => Silent, servfail => ServFail, refused => Refused, truncated => Truncated,
        cname_loop => Loop, referral => Referral, lame => Lame, duplicate => Duplicate,
        bigtxt => BigTxt, garbage => Garbage, garbled => Garbled,
    }
    domain_spf_include: check_domain(DomainPlace::SpfInclude) {
        silent => Silent, servfail => ServFail, refused => Refused, truncated => Truncated,
        cname_loop => Loop, referral => Referral, lame => Lame, duplicate => Duplicate,
        bigtxt => BigTxt, garbage => Garbage, garbled => Garbled,
    }
    domain_mx_host: check_domain(DomainPlace::MxHost) {
        silent => Silent, servfail => ServFail, refused => Refused, truncated => Truncated,
        cname_loop => Loop, referral => Referral, lame => Lame, duplicate => Duplicate,
        garbage => Garbage, garbled => Garbled,
    }
    domain_ptr: check_domain(DomainPlace::Ptr) {
        silent => Silent, servfail => ServFail, refused => Refused, truncated => Truncated,
        cname_loop => Loop, referral => Referral, lame => Lame, duplicate => Duplicate,
        garbage => Garbage, garbled => Garbled,
    }
    domain_dkim_key: check_domain(DomainPlace::DkimKey) {
        silent => Silent, servfail => ServFail, refused => Refused, truncated => Truncated,
        cname_loop => Loop, referral => Referral, lame => Lame, duplicate => Duplicate,
        bigtxt => BigTxt, garbage => Garbage, garbled => Garbled,
    }
    domain_dmarc: check_domain(DomainPlace::Dmarc) {
        silent => Silent, servfail => ServFail, refused => Refused, truncated => Truncated,
        cname_loop => Loop, referral => Referral, lame => Lame, duplicate => Duplicate,
        bigtxt => BigTxt, garbage => Garbage, garbled => Garbled,
    }
    spf_record: check_spf(SpfPlace::Record) {
        silent => Silent, servfail => ServFail, refused => Refused, truncated => Truncated,
        cname_loop => Loop, referral => Referral, lame => Lame, duplicate => Duplicate,
        bigtxt => BigTxt, garbage => Garbage, garbled => Garbled,
    }
    spf_include: check_spf(SpfPlace::Include) {
        silent => Silent, servfail => ServFail, refused => Refused, truncated => Truncated,
        cname_loop => Loop, referral => Referral, lame => Lame, duplicate => Duplicate,
        bigtxt => BigTxt, garbage => Garbage, garbled => Garbled,
    }
    spf_a: check_spf(SpfPlace::A) {
        silent => Silent, servfail => ServFail, refused => Refused, truncated => Truncated,
        cname_loop => Loop, referral => Referral, lame => Lame, duplicate => Duplicate,
        garbage => Garbage, garbled => Garbled,
    }
    spf_mx_host: check_spf(SpfPlace::MxHost) {
        silent => Silent, servfail => ServFail, refused => Refused, truncated => Truncated,
        cname_loop => Loop, referral => Referral, lame => Lame, duplicate => Duplicate,
        garbage => Garbage, garbled => Garbled,
    }
    verify_spf_record: check_verify(VerifyPlace::SpfRecord) {
        silent => Silent, servfail => ServFail, refused => Refused, truncated => Truncated,
        cname_loop => Loop, referral => Referral, lame => Lame, duplicate => Duplicate,
        bigtxt => BigTxt, garbage => Garbage, garbled => Garbled,
    }
    verify_spf_include: check_verify(VerifyPlace::SpfInclude) {
        silent => Silent, servfail => ServFail, refused => Refused, truncated => Truncated,
        cname_loop => Loop, referral => Referral, lame => Lame, duplicate => Duplicate,
        bigtxt => BigTxt, garbage => Garbage, garbled => Garbled,
    }
    verify_dkim_key: check_verify(VerifyPlace::DkimKey) {
        silent => Silent, servfail => ServFail, refused => Refused, truncated => Truncated,
        cname_loop => Loop, referral => Referral, lame => Lame, duplicate => Duplicate,
        bigtxt => BigTxt, garbage => Garbage, garbled => Garbled,
    }
    verify_dmarc: check_verify(VerifyPlace::Dmarc) {
        silent => Silent, servfail => ServFail, refused => Refused, truncated => Truncated,
        cname_loop => Loop, referral => Referral, lame => Lame, duplicate => Duplicate,
        bigtxt => BigTxt, garbage => Garbage, garbled => Garbled,
    }
}

// ---------------------------------------------------------------- the rest

#[test]
fn controls_pass_through_the_fault_server_as_they_do_offline() {
    let places = [
        DomainPlace::Apex,
        DomainPlace::SpfInclude,
        DomainPlace::MxHost,
        DomainPlace::Ptr,
        DomainPlace::DkimKey,
        DomainPlace::Dmarc,
    ];
    for place in places {
        let (out, server) = run_domain(place, None);
        assert_eq!(out.code, 0, "domain {place:?}: {}", out.stdout);
        assert_eq!(
            out.json()["status"],
            "pass",
            "domain {place:?}: {}",
            out.stdout
        );
        assert_one_lookup_per_question(&server, &format!("domain {place:?} control"));
        // The fault server answers as the zone files do.
        let mut args = place.args(None);
        args.push("--json".into());
        for zone in fault_zones() {
            args.push("--zone".into());
            args.push(zone.display().to_string());
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let offline = mailcheck(&refs);
        assert_eq!(
            offline.json(),
            out.json(),
            "domain {place:?}: server vs --zone"
        );
    }
    for place in [
        SpfPlace::Record,
        SpfPlace::Include,
        SpfPlace::A,
        SpfPlace::MxHost,
    ] {
        let (out, server) = run_spf(place, None);
        assert_eq!(out.code, 0, "spf {place:?}: {}", out.stdout);
        assert_eq!(out.json()["result"], "pass", "spf {place:?}");
        assert_one_lookup_per_question(&server, &format!("spf {place:?} control"));
    }
    for place in [
        VerifyPlace::SpfRecord,
        VerifyPlace::SpfInclude,
        VerifyPlace::DkimKey,
        VerifyPlace::Dmarc,
    ] {
        let (out, server) = run_verify(place, None);
        assert_eq!(out.code, 0, "verify {place:?}: {}", out.stdout);
        let report = out.json();
        assert_eq!(report["dmarc"]["result"], "pass", "verify {place:?}");
        assert_one_lookup_per_question(&server, &format!("verify {place:?} control"));
    }
}

#[test]
fn the_fault_server_picks_faults_by_first_label_or_table() {
    let server = start(
        &fault_zones(),
        &[("Odd.Name.example".to_owned(), Fault::Refused)],
    );
    assert_eq!(
        server.fault_for("silent.t.faults.example"),
        Some(Fault::Silent)
    );
    assert_eq!(
        server.fault_for("GARBLED.apex.faults.example."),
        Some(Fault::Garbled)
    );
    assert_eq!(
        server.fault_for("loop-b.loop.t.faults.example"),
        Some(Fault::Loop)
    );
    assert_eq!(server.fault_for("odd.name.example"), Some(Fault::Refused));
    assert_eq!(
        server.fault_for("_dmarc.dmarc-servfail.faults.example"),
        Some(Fault::ServFail)
    );
    assert_eq!(server.fault_for("include-silent.faults.example"), None);
    assert_eq!(server.fault_for("mx.silent.apex.faults.example"), None);
}

#[test]
fn a_dkim_temperror_does_not_hide_a_conclusive_dmarc_pass() {
    // From an IP SPF passes (aligned), DMARC passes whatever the DKIM key lookup did.
    let mut zones = fault_zones();
    zones.push(fixtures().join("verify/rsa-pass.zone"));
    let server = start(&zones, &[(RSA_PASS_KEY.to_owned(), Fault::ServFail)]);
    let message = fixtures().join("verify/rsa-pass.eml").display().to_string();
    let out = run(&server, &["verify", &message, "--ip", PASS_IP]);
    let report = out.json();
    assert_eq!(report["dkim"][0]["result"], "temperror", "{}", out.stdout);
    assert_eq!(report["spf"]["result"], "pass");
    assert_eq!(report["dmarc"]["result"], "pass");
    assert_eq!(out.code, 0, "{}", out.stdout);
}

#[test]
fn failed_questions_shared_by_several_domains_are_looked_up_once() {
    // servfail.t is the include target of one domain, the MX host of another and,
    // with --ip, the PTR name's forward lookup; servfail.apex is a third domain.
    let server = start(&fault_zones(), &[]);
    let ip = target_ip(Some(Fault::ServFail));
    let out = run(
        &server,
        &[
            "domain",
            "include-servfail.faults.example",
            "mxhost-servfail.faults.example",
            "servfail.apex.faults.example",
            "--selector",
            "s1",
            "--ip",
            &ip,
        ],
    );
    assert_eq!(out.code, 3, "{}", out.stdout);
    for line in out.json_lines() {
        assert_eq!(line["status"], "error", "{line}");
    }
    for rtype in [RecordType::TXT, RecordType::A, RecordType::AAAA] {
        let c = server.count("servfail.t.faults.example", rtype);
        assert!(c.udp > 0, "servfail.t {rtype} was never asked");
    }
    assert_one_lookup_per_question(&server, "three domains sharing servfail.t");
}

/// `--deadline 2` with `--timeout 30` against names that never answer: the run
/// ends within ~6 s with exit 3 and status error, nothing failed. Returns the report.
fn check_deadline(args: &[&str]) -> Value {
    let server = start(&fault_zones(), &[]);
    let mut all = args.to_vec();
    all.extend(["--timeout", "30", "--deadline", "2"]);
    let started = Instant::now();
    let out = run(&server, &all);
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(6),
        "{args:?} took {elapsed:?}"
    );
    assert_eq!(out.code, 3, "{args:?}: {}\n{}", out.stdout, out.stderr);
    let report = out.json();
    assert_eq!(report["status"], "error", "{}", out.stdout);
    assert!(
        !out.stdout.contains("\"status\":\"fail\""),
        "{}",
        out.stdout
    );
    report
}

/// The `run.deadline` check a cut-short `domain` or `spf` report carries.
fn assert_deadline_finding(report: &Value) {
    let checks: Vec<&Value> = report["checks"].as_array().into_iter().flatten().collect();
    assert!(
        checks
            .iter()
            .any(|c| c["name"] == "run.deadline" && c["status"] == "error"),
        "{report}"
    );
}

#[test]
fn deadline_bounds_a_domain_run_against_a_silent_server() {
    let report = check_deadline(&[
        "domain",
        "silent.apex.faults.example",
        "--selector",
        "silent",
    ]);
    assert_deadline_finding(&report);
}

#[test]
fn deadline_bounds_a_verify_run_against_a_silent_server() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("message.eml");
    std::fs::write(&path, unsigned_message("silent.apex.faults.example")).expect("write");
    let message = path.display().to_string();
    let report = check_deadline(&["verify", &message, "--ip", PASS_IP]);
    assert_eq!(report["spf"]["result"], "temperror", "{report}");
    assert_eq!(report["dmarc"]["result"], "temperror", "{report}");
}

#[test]
fn deadline_bounds_an_spf_run_against_a_silent_server() {
    let report = check_deadline(&["spf", "silent.t.faults.example", "--ip", PASS_IP]);
    assert_eq!(report["result"], "temperror", "{report}");
    assert_deadline_finding(&report);
}

#[test]
fn a_failed_question_is_asked_again_after_a_while() {
    // ok.t.faults.example is silent for 1.5 s after its first question. One
    // domain at a time: include-ok (its include ok.t times out at ~1 s),
    // then three domains whose names time out (1 s each at least), then
    // ok.t itself, whose SPF record is the same question, now 3 s old:
    // asked again.
    let server = start(
        &fault_zones(),
        &[("ok.t.faults.example".to_owned(), Fault::Flaky)],
    );
    let dir = tempfile::tempdir().expect("temporary directory");
    let list = dir.path().join("domains.txt");
    std::fs::write(
        &list,
        "include-ok.faults.example\nsilent.apex.faults.example\ninclude-silent.faults.example\nmxhost-silent.faults.example\nok.t.faults.example\n",
    )
    .expect("write the list");
    let list = list.display().to_string();
    let out = run(
        &server,
        &[
            "domain",
            "--from-file",
            &list,
            "--concurrency",
            "1",
            "--selector",
            "s1",
        ],
    );
    let reports = out.json_lines();
    assert_eq!(reports.len(), 5, "{}", out.stdout);
    let spf = |report: &Value| -> Vec<String> {
        report["checks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| in_area(c, "spf"))
            .map(|c| c["status"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    assert!(
        spf(&reports[0]).contains(&"error".to_owned()),
        "{}",
        reports[0]
    );
    let last = spf(&reports[4]);
    assert!(
        !last.is_empty() && !last.contains(&"error".to_owned()),
        "the failure stuck: {}",
        reports[4]
    );
    let asked = server.count("ok.t.faults.example", RecordType::TXT);
    assert!(asked.udp >= 2, "{asked:?}");
}

#[test]
fn a_dangling_dkim_cname_names_its_target() {
    let server = start(&fault_zones(), &[]);
    let args = ["domain", "dkim.faults.example", "--selector", "dangling"];
    let live = run(&server, &args);
    let mut offline_args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    offline_args.push("--json".into());
    for zone in fault_zones() {
        offline_args.push("--zone".into());
        offline_args.push(zone.display().to_string());
    }
    let refs: Vec<&str> = offline_args.iter().map(String::as_str).collect();
    let offline = mailcheck(&refs);
    for out in [&live, &offline] {
        assert_eq!(out.code, 1, "{}", out.stdout);
        let report = out.json();
        let dkim: Vec<&Value> = report["checks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["name"] == "dkim.selector")
            .collect();
        assert_eq!(dkim.len(), 1, "{report}");
        assert_eq!(dkim[0]["status"], "fail", "{report}");
        let message = dkim[0]["message"].as_str().unwrap_or("");
        assert!(
            message.contains(
                "dangling._domainkey.dkim.faults.example \u{2192} gone.provider.faults.example: no such name"
            ),
            "{message}"
        );
    }
}
