//! The bodies of mailcheck's fuzz targets. Each `fuzz_targets/<name>.rs` calls
//! the function of the same name here, so a target's logic can be read (and
//! replayed on one input) in one place.
//!
//! Everything runs offline: DNS comes from zones built in memory
//! ([`mailcheck::dns::Dns::zones`]), so no packet leaves the process. A target
//! must never panic; the few `assert!`s below are properties the code promises
//! (documented in its doc comments), so a violation is a bug too.

use hickory_resolver::proto::rr::{Name, RData, Record, RecordType, rdata::TXT};
use mail_auth::{AuthenticatedMessage, dkim::DomainKey, dmarc::DmarcRecord, dns::TxtRecordParser};
use mailcheck::{
    auth::Auth,
    check::{dkim, dmarc, spf},
    dns::{
        Dns,
        zone::{Zone, ZoneRcode, ZoneSet},
    },
    render,
    verify::{self, Envelope, input},
};
use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
    path::Path,
    sync::OnceLock,
};

/// One current-thread runtime for every iteration (mailcheck's checks only
/// need `join!`, never `spawn`).
fn block_on<F: Future>(f: F) -> F::Output {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime")
    })
    .block_on(f)
}

fn name(text: &str) -> Name {
    Name::from_ascii(text).expect("a valid fixed name")
}

/// A TXT record whose one text is `data`, split into 255-byte strings as a
/// zone file (or a DNS answer) would carry it.
fn txt_record(owner: &str, data: &[u8]) -> Record {
    let strings: Vec<&[u8]> = if data.is_empty() {
        vec![b""]
    } else {
        data.chunks(255).collect()
    };
    Record::from_rdata(name(owner), 300, RData::TXT(TXT::from_bytes(strings)))
}

/// A fixed zone, parsed from text once (the fixtures are known to load).
fn fixed_zone(text: &'static str) -> Zone {
    static PARSED: std::sync::Mutex<Vec<(&'static str, Zone)>> = std::sync::Mutex::new(Vec::new());
    let mut parsed = mailcheck::util::lock(&PARSED);
    if let Some((_, zone)) = parsed.iter().find(|(t, _)| *t == text) {
        return zone.clone();
    }
    let zone = Zone::parse(text, Path::new("fixed.zone")).expect("fixed zone parses");
    parsed.push((text, zone.clone()));
    zone
}

/// An offline DNS layer over `zones`, built fresh for every input so that no
/// state carries from one input to the next.
///
/// mail-auth's hickory resolver (built by `Auth::new`), with mail-auth's
/// `aws-lc-rs` feature, would load the system's CA store every time (~25 ms
/// per input); the harness does what the binary does first thing and gives it
/// mailcheck's placeholder root instead.
fn offline(zones: Vec<Zone>) -> Dns {
    static CA: std::sync::Once = std::sync::Once::new();
    CA.call_once(|| {
        // SAFETY: runs once, before the harness starts any other thread
        // (libFuzzer and the current-thread runtime run on this one).
        let _ = unsafe { mailcheck::dns::no_tls::use_placeholder_roots() };
    });
    Dns::zones(ZoneSet::new(zones))
}

// ---------------------------------------------------------------------------
// 1. zone_file
// ---------------------------------------------------------------------------

/// A parent zone loaded beside the fuzzed one, so lookups also cross zones
/// (most specific zone wins, CNAMEs chased from one zone into another).
const PARENT_ZONE: &str = "$ORIGIN example.com.\n@ SOA ns1 hostmaster 1 1h 15m 1w 300\n@ NS ns1\nns1 A 192.0.2.53\nwww CNAME sub.example.com.\nalias CNAME www.example.net.\n* TXT \"wild\"\nsub.sub A 192.0.2.1\n";

const LOOKUP_TYPES: &[RecordType] = &[
    RecordType::A,
    RecordType::AAAA,
    RecordType::TXT,
    RecordType::MX,
    RecordType::CNAME,
    RecordType::NS,
    RecordType::DS,
    RecordType::PTR,
    RecordType::ANY,
];

/// True when the input could `$INCLUDE` a file outside the working directory:
/// a fuzz input must not read `/dev/zero` or `/dev/stdin`. A path can only
/// leave the working directory through a `/`, written as such or escaped
/// (`\/`, `\047`), so inputs with `$INCLUDE` and a `/` or a backslash are
/// skipped. Relative includes of files in the working directory still run.
fn may_include_outside(data: &[u8]) -> bool {
    let mentions_include = data.windows(8).any(|w| w.eq_ignore_ascii_case(b"$include"));
    mentions_include && data.iter().any(|b| *b == b'/' || *b == b'\\')
}

/// The `zone_file` target: [`zone_lookups`], unless the input could
/// `$INCLUDE` something outside the working directory.
pub fn zone_file(data: &[u8]) {
    if !may_include_outside(data) {
        let _ = zone_lookups(data);
    }
}

/// Parse a zone file; when it loads, look up every owner name, CNAME/MX/NS
/// target and a name below each owner, for several types, beside a fixed
/// parent zone. Nothing may panic, and answers keep `ZoneSet::lookup`'s
/// documented shape. Returns the parsed zone, or the reader's error.
pub fn zone_lookups(data: &[u8]) -> Result<Zone, String> {
    let zone = Zone::parse_bytes(data, Path::new("fuzz.zone")).map_err(|e| e.to_string())?;
    let mut names = vec![zone.origin.clone()];
    for record in zone.records.iter().take(24) {
        names.push(record.name.clone());
        match &record.data {
            RData::CNAME(c) => names.push(c.0.clone()),
            RData::MX(mx) => names.push(mx.exchange.clone()),
            RData::NS(ns) => names.push(ns.0.clone()),
            RData::PTR(p) => names.push(p.0.clone()),
            _ => {}
        }
        if let Ok(below) = record.name.prepend_label("zz") {
            names.push(below);
        }
    }
    names.truncate(48);
    let set = ZoneSet::new(vec![zone.clone(), fixed_zone(PARENT_ZONE)]);
    for qname in &names {
        for &rtype in LOOKUP_TYPES {
            let answer = set.lookup(qname, rtype);
            if answer.rcode == ZoneRcode::ServFail {
                assert!(answer.answers.is_empty(), "SERVFAIL with answers");
            }
            // The chain first (CNAMEs only), then the records asked for.
            assert!(
                rtype == RecordType::ANY
                    || answer
                        .answers
                        .iter()
                        .skip_while(|r| r.record_type() == RecordType::CNAME)
                        .all(|r| r.record_type() == rtype),
                "answer section out of order for {qname} {rtype}"
            );
        }
    }
    Ok(zone)
}

// ---------------------------------------------------------------------------
// 2. message
// ---------------------------------------------------------------------------

/// The `message` target: [`message_checks`].
pub fn message(data: &[u8]) {
    let _ = message_checks(data);
}

/// Normalise line endings, check the header block as `mailcheck verify`
/// does, and when it passes, parse the message as mail-auth does and walk
/// everything `verify` reads before it queries DNS. Returns the header
/// check's verdict.
pub fn message_checks(data: &[u8]) -> Result<(), String> {
    let crlf = input::to_crlf(data);
    // to_crlf's promise: every line ends in CRLF, a final one included.
    for (i, b) in crlf.iter().enumerate() {
        match b {
            b'\n' => assert!(i > 0 && crlf[i - 1] == b'\r', "bare LF at {i}"),
            b'\r' => assert_eq!(crlf.get(i + 1), Some(&b'\n'), "bare CR at {i}"),
            _ => {}
        }
    }
    assert!(crlf.is_empty() || crlf.ends_with(b"\r\n"));
    assert_eq!(input::to_crlf(&crlf), crlf, "to_crlf is not idempotent");

    let message = input::parse_message("fuzz.eml", data.to_vec())?;
    assert_eq!(message.bytes, crlf);
    walk_parsed(&message.bytes);
    Ok(())
}

/// What `verify` reads from a parsed message before DNS: the From domain,
/// the Return-Path, each DKIM-Signature's key name, the ARC sets.
fn walk_parsed(bytes: &[u8]) {
    let Some(parsed) = AuthenticatedMessage::parse(bytes) else {
        return;
    };
    let from = parsed.first_from_address().to_string();
    if let Some((_, domain)) = from.rsplit_once('@') {
        let _ = mailcheck::names::domain(domain);
    }
    for (name, value) in parsed.headers() {
        if name.eq_ignore_ascii_case(b"Return-Path") {
            let _ = String::from_utf8_lossy(value)
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .trim()
                .to_string();
        }
    }
    for h in parsed.dkim_signatures() {
        let sig = &h.header;
        let key_name = mailcheck::names::dkim_key_name(&sig.s, &sig.d);
        let _ = mailcheck::names::parse_name(&key_name);
        let _ = (
            sig.a,
            sig.ch,
            sig.cb,
            sig.l,
            sig.x,
            sig.h.len(),
            h.value.len(),
        );
    }
    let _ = (
        parsed.arc_seals().len(),
        parsed.arc_message_signatures().len(),
        parsed.arc_authentication_results().len(),
        parsed.raw_body().len(),
        parsed.errors().len(),
    );
}

// ---------------------------------------------------------------------------
// 3. spf_record
// ---------------------------------------------------------------------------

/// The zone an SPF record under test sits in: includes, a redirect target,
/// an include loop and addresses for `a`/`mx`, so the tree walk has
/// somewhere to go.
const SPF_ZONE: &str = "$ORIGIN example.com.\n@ SOA ns1 hostmaster 1 1h 15m 1w 300\n@ MX 10 mail\nmail A 192.0.2.25\nmail AAAA 2001:db8::25\n_spf TXT \"v=spf1 ip4:198.51.100.0/24 include:_spf2.example.com ~all\"\n_spf2 TXT \"v=spf1 a:mail.example.com ip6:2001:db8::/32 -all\"\nloop TXT \"v=spf1 include:loop.example.com -all\"\nredir TXT \"v=spf1 redirect=_spf.example.com\"\ntwo TXT \"v=spf1 -all\"\ntwo TXT \"v=spf1 +all\"\ncname CNAME _spf\n";

/// Parse an SPF record with mailcheck's strict parser, then run its whole SPF
/// analysis over it (syntax check naming the bad term, the include/redirect
/// walk, lookup counting, check_host() for an IPv4 and an IPv6 address and
/// the matched mechanism), and render the tree as JSON.
pub fn spf_record(data: &[u8]) {
    let _ = mailcheck::spf::parse::parse(data);
    let record = if data.to_ascii_lowercase().starts_with(b"v=spf1") {
        data.to_vec()
    } else {
        [b"v=spf1 ".as_slice(), data].concat()
    };
    let _ = mailcheck::spf::parse::parse(&record);

    let mut zone = fixed_zone(SPF_ZONE);
    zone.records.push(txt_record("example.com.", &record));
    let dns = offline(vec![zone]);
    for ip in [
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, 25)),
        IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x25)),
    ] {
        let report = block_on(spf::analyse(
            &dns,
            "example.com",
            "postmaster@example.com",
            Some(ip),
            Some("mail.example.com"),
        ));
        if let Some(tree) = &report.tree {
            let _ = mailcheck::render::json::spf_tree(&mut Vec::new(), tree);
        }
        if let Some(r) = report.result {
            let _ = r.word();
        }
    }
}

// ---------------------------------------------------------------------------
// 4. dkim_key
// ---------------------------------------------------------------------------

/// Parse a DKIM key record with mailcheck's lenient tag reader and key
/// decoder and with mail-auth's parser, then run the `dkim` check of the
/// selector holding it.
pub fn dkim_key(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let rec = dkim::parse_key_record(&text);
    let _ = dkim::key_info(&rec);
    let _ = DomainKey::parse(data);

    let mut zone = fixed_zone(SPF_ZONE);
    zone.records
        .push(txt_record("s1._domainkey.example.com.", data));
    let dns = offline(vec![zone]);
    let findings = block_on(dkim::check(&dns, "example.com", &["s1".to_string()]));
    assert!(
        !findings.is_empty(),
        "a named selector always gets a finding"
    );
}

// ---------------------------------------------------------------------------
// 5. dmarc_record
// ---------------------------------------------------------------------------

/// The domains a DMARC check is run for: the record's own domain, a
/// subdomain that inherits it, one deep enough to make the tree walk jump,
/// and one under a multi-label public suffix.
const DMARC_DOMAINS: &[&str] = &[
    "example.com",
    "mail.example.com",
    "a.b.c.d.e.f.g.h.example.com",
    "example.co.uk",
];

const UK_ZONE: &str = "$ORIGIN example.co.uk.\n@ SOA ns1 hostmaster 1 1h 15m 1w 300\n";
const NET_ZONE: &str = "$ORIGIN example.net.\n@ SOA ns1 hostmaster 1 1h 15m 1w 300\nexample.com._report._dmarc TXT \"v=DMARC1\"\n";

/// The first byte picks the domain checked; the rest is the record at
/// `_dmarc.example.com` (and `_dmarc.example.co.uk`). mailcheck's tag reader,
/// tag descriptions and organizational-domain function run on it, mail-auth
/// parses it, then the whole `dmarc` check runs (tree walk, tag validation,
/// report-address authorization against example.net).
pub fn dmarc_record(data: &[u8]) {
    let Some((&selector, record)) = data.split_first() else {
        return;
    };
    let domain = DMARC_DOMAINS[usize::from(selector) % DMARC_DOMAINS.len()];
    let text = String::from_utf8_lossy(record);
    for (tag, value) in dmarc::parse_tags(&text) {
        let _ = dmarc::tag_meaning(&tag, &value);
        for uri in value.split(',') {
            if let Some((_, dest)) = uri.rsplit_once('@') {
                let _ = dmarc::org_domain(dest);
            }
        }
    }
    let _ = dmarc::org_domain(&text);
    let _ = DmarcRecord::parse(record);

    let mut com = fixed_zone(SPF_ZONE);
    com.records.push(txt_record("_dmarc.example.com.", record));
    let mut uk = fixed_zone(UK_ZONE);
    uk.records.push(txt_record("_dmarc.example.co.uk.", record));
    let net = fixed_zone(NET_ZONE);
    let dns = offline(vec![com, uk, net]);
    let findings = block_on(dmarc::check(&dns, domain));
    assert!(!findings.is_empty(), "the dmarc check always reports");
    if let Ok(d) = block_on(dmarc::discover(&dns, domain)) {
        assert!(d.applies.is_none_or(|i| i < d.walk.len()));
    }
}

// ---------------------------------------------------------------------------
// 6. auth_results
// ---------------------------------------------------------------------------

const VERIFY_ZONE: &str = include_str!("../../fixtures/verify/rsa-pass.zone");

/// Up to `n` fields separated by newlines; the last takes the rest.
fn fields(data: &[u8], n: usize) -> Vec<&[u8]> {
    let mut out: Vec<&[u8]> = data.splitn(n, |b| *b == b'\n').collect();
    out.resize(n, b"");
    out
}

/// The whole of `mailcheck verify`, offline: a message is built from hostile
/// parts (one per input line: From value, DKIM d=, s=, more DKIM tags,
/// Return-Path, HELO, then the body), verified against the rsa-pass fixture
/// zone (DKIM keys, SPF, DMARC found or not), and the report with its
/// Authentication-Results header is rendered as text and JSON.
pub fn auth_results(data: &[u8]) {
    let f = fields(data, 7);
    let (from, d, s, tags, return_path, helo, body) = (f[0], f[1], f[2], f[3], f[4], f[5], f[6]);
    let mut raw = Vec::new();
    if !return_path.is_empty() {
        raw.extend_from_slice(b"Return-Path: ");
        raw.extend_from_slice(return_path);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=");
    raw.extend_from_slice(d);
    raw.extend_from_slice(b"; s=");
    raw.extend_from_slice(s);
    raw.extend_from_slice(b";\r\n h=from:to:subject; ");
    raw.extend_from_slice(tags);
    raw.extend_from_slice(
        b"\r\n bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=dGVzdA==\r\nFrom: ",
    );
    raw.extend_from_slice(from);
    raw.extend_from_slice(b"\r\nTo: bob@receiver.example\r\nSubject: fuzz\r\n\r\n");
    raw.extend_from_slice(body);

    let Ok(message) = input::parse_message("fuzz.eml", raw) else {
        return;
    };
    walk_parsed(&message.bytes);
    let helo = String::from_utf8_lossy(helo).into_owned();
    let envelope = Envelope {
        ip: IpAddr::V4(Ipv4Addr::new(203, 0, 113, 5)),
        helo: (!helo.is_empty()).then_some(helo),
        mail_from: None,
        authserv_id: "mx.receiver.example".to_string(),
    };
    let dns = offline(vec![fixed_zone(VERIFY_ZONE)]);
    let auth = block_on(async { Auth::new(dns) }).expect("offline mail-auth");
    let Ok(report) = block_on(verify::verify(&auth, &message, &envelope)) else {
        return;
    };
    let _ = report.status();
    let mut out = Vec::new();
    render::text::verify(&mut out, &report, false).expect("text report");
    render::json::verify(&mut out, &report).expect("JSON report");
}

// ---------------------------------------------------------------------------
// 7. dkim_sig
// ---------------------------------------------------------------------------

/// The keys the signature reader's own verifier is run with: the fixtures'
/// RSA and Ed25519 keys (as `KeyRecord::parse` reads them), an Ed25519
/// SubjectPublicKeyInfo's length, and bytes that are no key at all.
fn fixture_keys() -> &'static [Vec<u8>] {
    static KEYS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let rsa = concat!(
            "v=DKIM1; h=sha256; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvwnZC/hFgdm33S+4vgFYF/0IWPxITWrhW2kdS1EiAhxAWkJET8PVuju9sZX9GVx7w29+zPwzRjjdE8Oyc+fpjlITQyXqje37jKFiOVttdYIUbsRs+zniXObnrRhup8POn75zOL1JArqfOrIPLn50dexuwsSez1y/PjEDE6TBAKeC20RAKIcQMh0+lQSUX6CjmDXchc2d9qsu3e",
            "y/EvkGVJNNEA4oWqqj8rS8gPU2P0Lgi48dSH5qidTVb/GMkI2aPnwYe5GiBu3tgcN+FZvopXCTSCi113lyhPYzguRyt8GHuJKvONXpRYtznPSeqcJ8pD77JWiXEjfK1C2LmRlT0QIDAQAB"
        );
        let ed = "v=DKIM1; k=ed25519; p=kNQrLg+U7cKnAtnme6V+6Zu5VQ78McvQsUdjzJ59iyY=";
        vec![
            verify::sig::KeyRecord::parse(rsa).p,
            verify::sig::KeyRecord::parse(ed).p,
            vec![0x30; 44],
            b"garbage key bytes".to_vec(),
        ]
    })
}

/// An arbitrary message through mailcheck's own DKIM/ARC reading: the header
/// split, every DKIM-Signature, ARC-Seal and ARC-Message-Signature read by
/// the strict tag-list and signature readers (and each field read as all
/// three kinds), key names, key-record rules, header and body
/// canonicalisation, and our own verifier (the `l=` path) with real keys.
pub fn dkim_sig(data: &[u8]) {
    use verify::{
        own::{self, Outcome},
        sig::{Canon, KeyRecord, Kind, SigHeader},
        tags::TagList,
    };
    let bytes = match input::parse_message("fuzz.eml", data.to_vec()) {
        Ok(message) => message.bytes,
        // What the reader refuses still goes through the split: the readers
        // below must not rely on the header check.
        Err(_) => input::to_crlf(data),
    };
    let split = own::split(&bytes);
    let arc = verify::arc::ArcHeaders::read(&split);
    let _ = (arc.present(), arc.key_names());
    let found = verify::dkim::signatures(&split);
    for f in &found {
        let _ = f.sig.key_name();
        let _ = KeyRecord::parse(&String::from_utf8_lossy(f.field)).refuses(
            &f.sig,
            "s1._domainkey.example.com",
            Some(2048),
        );
        for p in fixture_keys() {
            if let Outcome::Pass { unsigned } = own::verify(&split, f.index, &f.sig, p) {
                assert!(
                    f.sig.l.is_some() || unsigned == 0,
                    "unsigned bytes without l="
                );
            }
        }
    }
    let mut out = Vec::new();
    for (i, field) in split.fields.iter().enumerate().take(16) {
        let colon = memchr_colon(field);
        for kind in [Kind::Dkim, Kind::Ams, Kind::Seal] {
            let sig = SigHeader::parse(kind, &field[colon..]);
            let _ = sig.key_name();
            if kind != Kind::Dkim && sig.alg.is_some() {
                let _ = own::verify(&split, i, &sig, &fixture_keys()[0]);
            }
        }
        let tags = TagList::parse(&field[colon..]);
        let _ = (tags.get("d"), tags.display("h"), tags.wrong_case("bh"));
        let _ = own::without_b(field);
        for c in [Canon::Simple, Canon::Relaxed] {
            out.clear();
            own::canon_header(c, field, &mut out, true);
        }
    }
    for c in [Canon::Simple, Canon::Relaxed] {
        let body = own::canon_body(c, split.body);
        // RFC 6376 3.4.3/3.4.4: a canonical body is empty or ends in one CRLF.
        assert!(
            body.is_empty() || body.ends_with(b"\r\n"),
            "{c:?} body without CRLF"
        );
    }
}

fn memchr_colon(field: &[u8]) -> usize {
    field
        .iter()
        .position(|b| *b == b':')
        .map_or(field.len(), |c| c + 1)
}

// ---------------------------------------------------------------------------
// 8. spf_macro
// ---------------------------------------------------------------------------

/// The SPF macro parser and expander on hostile text and hostile values.
/// Input lines: the macro string, the sender's local-part, the sender's
/// domain, the HELO name; the first byte picks the client address family
/// and (low bit) the context. Every macro string is parsed as a record term,
/// as a domain-spec and as an explanation, expanded when it parses, and the
/// expansion cut to a domain as check_host() does (RFC 7208 7.3).
pub fn spf_macro(data: &[u8]) {
    use mailcheck::spf::macros::{self, Context, MacroString, Values};
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let f = fields(rest, 4);
    let text = String::from_utf8_lossy(f[0]);
    let local = String::from_utf8_lossy(f[1]);
    let sender_domain = String::from_utf8_lossy(f[2]);
    let helo = String::from_utf8_lossy(f[3]);
    let ip = if selector & 2 == 0 {
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, selector))
    } else {
        IpAddr::V6(Ipv6Addr::new(
            0x2001,
            0xdb8,
            0,
            0,
            0,
            0,
            0,
            u16::from(selector),
        ))
    };
    let values = Values {
        local: &local,
        sender_domain: &sender_domain,
        domain: &sender_domain,
        ip,
        helo: &helo,
        ptr: "unknown",
        receiver: "mx.receiver.example",
        time: 1_795_165_500,
    };
    let context = if selector & 1 == 0 {
        Context::Record
    } else {
        Context::Explanation
    };
    for parsed in [
        MacroString::parse(&text, context),
        MacroString::parse_domain_spec(&text),
    ] {
        let Ok(m) = parsed else { continue };
        let _ = (m.literal(), m.uses(macros::Letter::Ip));
        let expanded = m.expand(&values);
        let domain = macros::domain_after_expansion(&expanded);
        // 7.3: the result is cut to at most 253 characters.
        // (a single label longer than that is left whole, to fail as a name).
        assert!(
            domain.len() <= 253 || !domain.contains('.'),
            "expanded domain of {} bytes",
            domain.len()
        );
        if let Some(last) = domain.rsplit('.').next() {
            let _ = macros::is_toplabel(last);
        }
    }
}

// ---------------------------------------------------------------------------
// 9. zone_generate
// ---------------------------------------------------------------------------

/// A zone's head, so the fuzzed text is one or more `$GENERATE` lines.
pub const GENERATE_HEAD: &[u8] = b"$ORIGIN 2.0.192.in-addr.arpa.\n$TTL 300\n@ SOA ns1.example. hostmaster.example. 1 1h 15m 1w 300\n@ NS ns1.example.\n$GENERATE ";

/// `$GENERATE` lines (range, owner template, TTL/class, type, data template)
/// after a fixed zone head, through the reader and the lookups of
/// [`zone_lookups`].
pub fn zone_generate(data: &[u8]) {
    if !may_include_outside(data) {
        let _ = zone_lookups(&[GENERATE_HEAD, data].concat());
    }
}
