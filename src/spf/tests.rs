//! Unit tests of the SPF parser, macros and evaluator: each syntax test is a
//! record with exactly one defect; each evaluation test serves its records
//! from an in-memory zone through the real DNS layer.

use super::{
    Identity, Outcome, Verdict, check_host, is_valid_domain,
    macros::{Context, MacroString, Values, domain_after_expansion},
    parse::{self, DualCidr, Mechanism, Qualifier},
};
use crate::dns::{
    Dns,
    zone::{Zone, ZoneSet},
};
use std::{net::IpAddr, path::Path};

fn parse_err(record: &str) -> String {
    match parse::parse(record.as_bytes()) {
        Ok(r) => panic!("{record:?} parsed, as {r:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn well_formed_records_parse() {
    for record in [
        "v=spf1",
        "v=spf1 -all",
        "V=SPF1 a mx ~all ",
        "v=spf1  a  -all",
        "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ip6:::1.1.1.1/0 -all",
        "v=spf1 a/24//64 mx//0 a:foo:bar/baz.example.com mx:example.com/24 -all",
        "v=spf1 include:_spf.example.com exists:%{ir}.%{l1r+-}._spf.%{d} ?all",
        "v=spf1 ptr ptr:example.com a:foo.example.xn--zckzah -all",
        "v=spf1 moo.cow-far_out=man:dog/cat default=+ redirect=_spf.example.com",
        "v=spf1 a:macro%%percent%_%_space%-url-space.example.com exp=%{d}",
        "v=spf1 a:%{H} exists:%{p}.ok.example.com",
    ] {
        assert!(
            parse::parse(record.as_bytes()).is_ok(),
            "{record}: {:?}",
            parse::parse(record.as_bytes())
        );
    }
}

#[test]
fn the_parsed_form_keeps_every_part() {
    let r = parse::parse(b"v=spf1 -a:mail.example.com/24//64 ~ip4:192.0.2.1 exp=x.example.com")
        .unwrap();
    assert_eq!(r.directives.len(), 2);
    assert_eq!(r.directives[0].qualifier, Qualifier::Fail);
    assert_eq!(r.directives[0].text, "-a:mail.example.com/24//64");
    match &r.directives[0].mechanism {
        Mechanism::A { domain, cidr } => {
            assert_eq!(
                domain.as_ref().and_then(|d| d.literal()).as_deref(),
                Some("mail.example.com")
            );
            assert_eq!(*cidr, DualCidr { v4: 24, v6: 64 });
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(r.directives[1].qualifier, Qualifier::SoftFail);
    assert!(r.redirect.is_none());
    assert_eq!(
        r.exp.as_ref().and_then(|e| e.literal()).as_deref(),
        Some("x.example.com")
    );
}

/// RFC 7208 4.6, 4.6.1, 5, 6 and 12: one defect each, each a permerror.
#[test]
fn every_syntax_error_is_found() {
    for (record, why) in [
        ("v=spf1 ip4:1.2.3.4/33", "prefix length"),
        ("v=spf1 ip4:1.2.3.4/032", "leading zeros"),
        ("v=spf1 ip4:01.2.3.4", "not an IPv4 address"),
        ("v=spf1 ip4:1.2.3", "not an IPv4 address"),
        ("v=spf1 ip4:192.0.2.300", "not an IPv4 address"),
        ("v=spf1 ip4:1.2.3.4:8080", "not an IPv4 address"),
        ("v=spf1 ip4:1.2.3.4//32", "prefix length"),
        ("v=spf1 ip4", "needs ':'"),
        ("v=spf1 ip6::CAFE::BABE", "not an IPv6 address"),
        ("v=spf1 ip6:::1/129", "prefix length"),
        ("v=spf1 ip6:::1//33", "prefix length"),
        ("v=spf1 a/33", "prefix length"),
        ("v=spf1 a//129", "prefix length"),
        ("v=spf1 mx//129", "prefix length"),
        ("v=spf1 a/24/64", "IPv6 CIDR"),
        ("v=spf1 a:1.2.3.4", "top label"),
        ("v=spf1 a:abc.123", "top label"),
        ("v=spf1 a:example.-com", "top label"),
        ("v=spf1 a:example.com:8080", "top label"),
        ("v=spf1 a:museum", "needs a dot"),
        ("v=spf1 a:museum.", "needs a dot"),
        ("v=spf1 a:.", "needs a dot"),
        ("v=spf1 a:", "empty"),
        ("v=spf1 mx: -all", "empty"),
        ("v=spf1 include: -all", "empty"),
        ("v=spf1 include -all", "needs ':'"),
        ("v=spf1 include:ip5.example.com/24", "top label"),
        ("v=spf1 exists", "needs ':'"),
        ("v=spf1 exists:mail.example.com/24", "top label"),
        ("v=spf1 ptr/0", "no CIDR"),
        ("v=spf1 ptr:", "empty"),
        ("v=spf1 -all.", "not a mechanism"),
        ("v=spf1 -all:foobar", "takes no argument"),
        ("v=spf1 -all/8", "takes no argument"),
        ("v=spf1 +-all", "not a mechanism"),
        ("v=spf1 ip4:1.2.3.4 -all moo", "not a mechanism"),
        ("v=spf1 redirect:t2.example.com", "not a mechanism"),
        ("v=spf1 moo.cow/far_out=man:dog/cat", "not a mechanism"),
        ("v=spf1 1up=foo", "not a mechanism"),
        ("v=spf1 =all", "needs a name"),
        ("v=spf1 foo=%{x}", "macro letter"),
        ("v=spf1 foo=%abc", "not a macro"),
        ("v=spf1 exists:foo%.sbl.example.com", "not a macro"),
        ("v=spf1 exists:%(ir).sbl.example.com", "not a macro"),
        ("v=spf1 a:%{d0}.example.com", "must not be zero"),
        ("v=spf1 a:%{dx}.example.com", "delimiter"),
        ("v=spf1 -all exp=%{r}.example.com", "only in explanation"),
        ("v=spf1 exp= -all", "empty"),
        ("v=spf1 exp=-all", "top label"),
        ("v=spf1 redirect=-all ?all", "top label"),
        ("v=spf1 ?all redirect=", "empty"),
        (
            "v=spf1 exp=a.example.com exp=b.example.com",
            "more than once",
        ),
        (
            "v=spf1 redirect=a.example.com redirect=b.example.com",
            "more than once",
        ),
        ("v=spf1 a:ctrl.example.com\rptr -all", "0x0d"),
        (
            "v=spf1 ip4:192.0.2.5\n include:x.example.com",
            "not an IPv4",
        ),
        ("v=spf1 a:x.example.com\t-all", "0x09"),
        ("v=spf1 a:%{d}.", "needs a dot"),
        ("v=spf1 a:foo.example.com\0", "0x00"),
        ("v=spf1 a:\u{feff}garbage.example.net -all", "non-ASCII"),
        ("v=spf1 \u{80}a:example.net -all", "non-ASCII"),
    ] {
        let err = parse_err(record);
        assert!(err.contains(why), "{record:?}: {err}");
    }
}

#[test]
fn only_v_spf1_then_space_or_end_is_a_record() {
    assert!(parse::is_spf_record(b"v=spf1"));
    assert!(parse::is_spf_record(b"V=SpF1 -all"));
    assert!(!parse::is_spf_record(b"v=spf10"));
    assert!(!parse::is_spf_record(b"v=spf1-all"));
    assert!(!parse::is_spf_record(b"v=spfl am not"));
    let txt = vec![
        b"v=spf10".to_vec(),
        b"v=spf1 mx".to_vec(),
        b"other".to_vec(),
    ];
    assert_eq!(parse::select(&txt), [b"v=spf1 mx".as_slice()]);
}

fn values<'a>(local: &'a str, domain: &'a str, ip: &str) -> Values<'a> {
    Values {
        local,
        sender_domain: domain,
        domain,
        ip: ip.parse().unwrap(),
        helo: "mx.example.org",
        ptr: "unknown",
        receiver: "receiver.example.net",
        time: 1_700_000_000,
    }
}

fn expand(m: &str, v: &Values<'_>) -> String {
    MacroString::parse(m, Context::Explanation)
        .unwrap_or_else(|e| panic!("{m}: {e}"))
        .expand(v)
}

/// The examples of RFC 7208 7.4.
#[test]
fn macros_expand_as_in_rfc_7208_7_4() {
    let v = values("strong-bad", "email.example.com", "192.0.2.3");
    for (m, want) in [
        ("%{s}", "strong-bad@email.example.com"),
        ("%{o}", "email.example.com"),
        ("%{d}", "email.example.com"),
        ("%{d4}", "email.example.com"),
        ("%{d3}", "email.example.com"),
        ("%{d2}", "example.com"),
        ("%{d1}", "com"),
        ("%{dr}", "com.example.email"),
        ("%{d2r}", "example.email"),
        ("%{l}", "strong-bad"),
        ("%{l-}", "strong.bad"),
        ("%{lr}", "strong-bad"),
        ("%{lr-}", "bad.strong"),
        ("%{l1r-}", "strong"),
        (
            "%{ir}.%{v}._spf.%{d2}",
            "3.2.0.192.in-addr._spf.example.com",
        ),
        ("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"),
        (
            "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
            "bad.strong.lp.3.2.0.192.in-addr._spf.example.com",
        ),
        (
            "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
            "3.2.0.192.in-addr.strong.lp._spf.example.com",
        ),
        (
            "%{d2}.trusted-domains.example.net",
            "example.com.trusted-domains.example.net",
        ),
        ("%%%_%-", "% %20"),
        (
            "%{c} %{r} %{t} %{h}",
            "192.0.2.3 receiver.example.net 1700000000 mx.example.org",
        ),
    ] {
        assert_eq!(expand(m, &v), want, "{m}");
    }
    let v6 = values("strong-bad", "email.example.com", "2001:db8::cb01");
    assert_eq!(
        expand("%{ir}.%{v}._spf.%{d2}", &v6),
        "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"
    );
    assert_eq!(expand("%{c}", &v6), "2001:db8::cb01");
}

#[test]
fn macro_transformers_delimiters_and_url_escaping() {
    let v = values("foo-bar+zip+quux", "e12.example.com", "1.2.3.4");
    assert_eq!(
        expand("%{l2r+-}.user.%{d2}", &v),
        "bar.foo.user.example.com"
    );
    let v = values("philip-gladstone-test", "e11.example.com", "1.2.3.4");
    assert_eq!(expand("%{i}.%{l2r-}", &v), "1.2.3.4.gladstone.philip");
    let v = values("~jack&jill=up-a_b3.c", "e8.example.com", "1.2.3.4");
    assert_eq!(
        expand("http://example.com/why.html?l=%{L}", &v),
        "http://example.com/why.html?l=~jack%26jill%3Dup-a_b3.c"
    );
    // %{h} is the HELO as sent, whatever it is; upper case escapes it.
    let mut v = values("a", "example.com", "1.2.3.4");
    v.helo = "JUMPIN' JUPITER";
    assert_eq!(expand("%{h}", &v), "JUMPIN' JUPITER");
    assert_eq!(expand("%{H}", &v), "JUMPIN%27%20JUPITER");
}

#[test]
fn c_r_t_only_in_explanations_and_domain_names_are_truncated() {
    for m in ["%{c}", "%{r}.example.com", "%{t}"] {
        assert!(MacroString::parse(m, Context::Record).is_err(), "{m}");
        assert!(MacroString::parse(m, Context::Explanation).is_ok(), "{m}");
    }
    // Spaces only in explanation text.
    assert!(MacroString::parse("a b", Context::Record).is_err());
    let long = format!("{}.example.com.", "abcdefghi.".repeat(30));
    let d = domain_after_expansion(&long);
    assert!(d.len() <= 253 && d.ends_with(".example.com"), "{d}");
    assert!(!d.starts_with('.'));
    assert_eq!(domain_after_expansion("example.com."), "example.com");
}

#[test]
fn identity_domains_must_be_names() {
    assert!(is_valid_domain("example.com"));
    assert!(is_valid_domain(
        "a12345678901234567890123456789012345678901234567890123456789012.example.com"
    ));
    for bad in [
        "A2345678",
        "[1.2.3.5]",
        "1.2.3.5",
        "a...example.com",
        "JUMPIN' JUPITER",
        "a123456789012345678901234567890123456789012345678901234567890123.example.com",
        "",
    ] {
        assert!(!is_valid_domain(bad), "{bad}");
    }
}

// ---------------------------------------------------------------- check_host

fn dns(records: &str) -> Dns {
    let text =
        format!("$ORIGIN .\n$TTL 300\n. IN SOA ns.test. h.test. 1 3600 600 86400 300\n{records}\n");
    let zone = Zone::parse(&text, Path::new("test.zone")).unwrap_or_else(|e| panic!("{e}"));
    Dns::zones(ZoneSet::new(vec![zone]))
}

async fn check_with(dns: &Dns, ip: &str, sender: &str, helo: &str) -> Outcome {
    let (local, domain) = sender.rsplit_once('@').expect("local@domain");
    let ip: IpAddr = ip.parse().expect("an IP");
    check_host(
        dns,
        &Identity {
            ip,
            local,
            sender_domain: domain,
            helo,
            receiver: "mx.receiver.example",
        },
        domain,
    )
    .await
}

async fn check(records: &str, ip: &str, sender: &str) -> Outcome {
    check_with(&dns(records), ip, sender, "helo.example.org").await
}

#[tokio::test]
async fn a_syntax_error_after_the_match_is_still_permerror() {
    let o = check(
        "e.example. TXT \"v=spf1 ip4:192.0.2.1 -all moo\"",
        "192.0.2.1",
        "x@e.example",
    )
    .await;
    assert_eq!(o.verdict, Verdict::PermError);
    assert!(o.reason.unwrap().contains("moo"));
}

#[tokio::test]
async fn pass_names_the_term_and_its_domain_through_includes() {
    let o = check(
        "e.example. TXT \"v=spf1 include:_spf.p.example -all\"\n\
         _spf.p.example. TXT \"v=spf1 ip4:192.0.2.0/24 -all\"",
        "192.0.2.9",
        "x@e.example",
    )
    .await;
    assert_eq!(o.verdict, Verdict::Pass);
    let m = o.matched.unwrap();
    assert_eq!(m.text, "include:_spf.p.example -> ip4:192.0.2.0/24");
    assert_eq!(m.domain, "_spf.p.example");
    assert_eq!(o.lookups, 1);
}

#[tokio::test]
async fn more_than_two_void_lookups_is_permerror() {
    let records = "e.example. TXT \"v=spf1 a:n1.e.example a:n2.e.example a:n3.e.example ?all\"\n\
                   f.example. TXT \"v=spf1 a:n1.e.example a:n2.e.example ?all\"";
    let o = check(records, "192.0.2.1", "x@e.example").await;
    assert_eq!(o.verdict, Verdict::PermError);
    assert_eq!(o.voids, 3);
    let o = check(records, "192.0.2.1", "x@f.example").await;
    assert_eq!(o.verdict, Verdict::Neutral);
    assert_eq!(o.voids, 2);
}

#[tokio::test]
async fn more_than_ten_dns_terms_is_permerror_counted_as_evaluated() {
    let records = "e.example. TXT \"v=spf1 a mx a mx a mx a mx a ptr ip4:192.0.2.1 -all\"\n\
                   e.example. A 192.0.2.8\ne.example. MX 10 e.example.\n\
                   f.example. TXT \"v=spf1 a mx a mx a mx a mx a ptr a ip4:192.0.2.1 -all\"\n\
                   f.example. A 192.0.2.8";
    assert_eq!(
        check(records, "192.0.2.1", "x@e.example").await.verdict,
        Verdict::Pass
    );
    assert_eq!(
        check(records, "192.0.2.1", "x@f.example").await.verdict,
        Verdict::PermError
    );
}

#[tokio::test]
async fn mx_with_more_than_ten_names_is_permerror_ptr_ignores_the_rest() {
    let mut records = String::from("e.example. TXT \"v=spf1 mx\"\n");
    for i in 0..11 {
        records.push_str(&format!("e.example. MX {i} h{i}.e.example.\n"));
    }
    records.push_str("h10.e.example. A 192.0.2.5\n");
    records.push_str("p.example. TXT \"v=spf1 ptr\"\n");
    for i in 0..10 {
        records.push_str(&format!(
            "5.2.0.192.in-addr.arpa. PTR n{i}.other.example.\n"
        ));
    }
    records.push_str("5.2.0.192.in-addr.arpa. PTR p.example.\np.example. A 192.0.2.5\n");
    let dns = dns(&records);
    let o = check_with(&dns, "192.0.2.5", "x@e.example", "h").await;
    assert_eq!(o.verdict, Verdict::PermError, "{o:?}");
    // The 11th PTR name would validate and match; only the first 10 count.
    let o = check_with(&dns, "192.0.2.5", "x@p.example", "h").await;
    assert_eq!(o.verdict, Verdict::Neutral, "{o:?}");
}

#[tokio::test]
async fn cidr6_and_ip6_never_match_ipv4_clients_and_mapped_clients_are_ipv4() {
    let records = "e.example. TXT \"v=spf1 a//0 ip6:::/0 -all\"\n\
                   e.example. AAAA 2001:db8::1\n\
                   f.example. TXT \"v=spf1 -ip4:192.0.2.1 ip6:::ffff:192.0.2.1\"";
    let dns = dns(records);
    assert_eq!(
        check_with(&dns, "192.0.2.1", "x@e.example", "h")
            .await
            .verdict,
        Verdict::Fail
    );
    assert_eq!(
        check_with(&dns, "::ffff:192.0.2.1", "x@e.example", "h")
            .await
            .verdict,
        Verdict::Fail
    );
    assert_eq!(
        check_with(&dns, "2001:db8::77", "x@e.example", "h")
            .await
            .verdict,
        Verdict::Pass
    );
    assert_eq!(
        check_with(&dns, "::ffff:192.0.2.1", "x@f.example", "h")
            .await
            .verdict,
        Verdict::Fail
    );
}

#[tokio::test]
async fn exists_asks_for_a_even_for_an_ipv6_client() {
    let records = "e.example. TXT \"v=spf1 exists:m.e.example -all\"\n\
                   m.e.example. A 192.0.2.1\n\
                   f.example. TXT \"v=spf1 exists:m6.e.example -all\"\n\
                   m6.e.example. AAAA 2001:db8::1";
    let dns = dns(records);
    assert_eq!(
        check_with(&dns, "2001:db8::5", "x@e.example", "h")
            .await
            .verdict,
        Verdict::Pass
    );
    assert_eq!(
        check_with(&dns, "2001:db8::5", "x@f.example", "h")
            .await
            .verdict,
        Verdict::Fail
    );
}

#[tokio::test]
async fn record_selection() {
    let records = "two.example. TXT \"v=spf1 -all\"\ntwo.example. TXT \"V=SPF1 +all\"\n\
                   split.example. TXT \"v=spf1 ip4:\" \"192.0.2.5 -all\"\n\
                   ten.example. TXT \"v=spf10\"\nten.example. TXT \"v=spf1 +all\"\n\
                   none.example. TXT \"v=spf10 +all\"";
    let dns = dns(records);
    let v = |s: &'static str| {
        let dns = &dns;
        async move { check_with(dns, "192.0.2.5", s, "h").await.verdict }
    };
    assert_eq!(v("x@two.example").await, Verdict::PermError);
    assert_eq!(v("x@split.example").await, Verdict::Pass);
    assert_eq!(v("x@ten.example").await, Verdict::Pass);
    assert_eq!(v("x@none.example").await, Verdict::None);
    assert_eq!(v("x@nowhere.example").await, Verdict::None);
}

#[tokio::test]
async fn include_of_none_is_permerror_and_a_dns_failure_is_temperror() {
    let records = "e.example. TXT \"v=spf1 include:gone.example -all\"\n\
                   f.example. TXT \"v=spf1 include:loop.example -all\"\n\
                   loop.example. CNAME loop2.example.\nloop2.example. CNAME loop.example.\n\
                   g.example. TXT \"v=spf1 redirect=gone.example\"";
    let dns = dns(records);
    let v = |s: &'static str| {
        let dns = &dns;
        async move { check_with(dns, "192.0.2.5", s, "h").await.verdict }
    };
    assert_eq!(v("x@e.example").await, Verdict::PermError);
    assert_eq!(v("x@f.example").await, Verdict::TempError);
    assert_eq!(v("x@g.example").await, Verdict::PermError);
}

#[tokio::test]
async fn ptr_validates_names_and_defaults_to_the_current_domain() {
    let records = "e.example. TXT \"v=spf1 ptr -all\"\n\
                   f.example. TXT \"v=spf1 ptr:other.example -all\"\n\
                   4.2.0.192.in-addr.arpa. PTR mail.e.example.\n\
                   4.2.0.192.in-addr.arpa. PTR mail.f.example.\n\
                   mail.e.example. A 192.0.2.4\n\
                   mail.f.example. A 192.0.2.99\n\
                   1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. PTR mail.e.example.\n\
                   mail.e.example. AAAA 2001:db8::1";
    let dns = dns(records);
    assert_eq!(
        check_with(&dns, "192.0.2.4", "x@e.example", "h")
            .await
            .verdict,
        Verdict::Pass
    );
    assert_eq!(
        check_with(&dns, "2001:db8::1", "x@e.example", "h")
            .await
            .verdict,
        Verdict::Pass
    );
    assert_eq!(
        check_with(&dns, "192.0.2.4", "x@f.example", "h")
            .await
            .verdict,
        Verdict::Fail
    );
}

#[tokio::test]
async fn the_p_macro_prefers_a_name_under_the_domain() {
    let records = "e7.example. TXT \"v=spf1 exists:%{p}.should.example -all\"\n\
                   42.2.0.192.in-addr.arpa. PTR mx.other.example.\n\
                   42.2.0.192.in-addr.arpa. PTR mx.e7.example.\n\
                   mx.other.example. A 192.0.2.42\nmx.e7.example. A 192.0.2.42\n\
                   mx.e7.example.should.example. A 127.0.0.2";
    let o = check(records, "192.0.2.42", "x@e7.example").await;
    assert_eq!(o.verdict, Verdict::Pass, "{o:?}");
}

#[tokio::test]
async fn a_helo_that_is_not_a_domain_expands_raw_and_never_matches() {
    let records = "e.example. TXT \"v=spf1 a:%{H} ?exists:%{h}.x.example -all\"";
    let dns = dns(records);
    let o = check_with(&dns, "192.0.2.1", "x@e.example", "JUMPIN' JUPITER").await;
    assert_eq!(o.verdict, Verdict::Fail, "{o:?}");
    // The HELO identity itself is none.
    let o = check_with(&dns, "192.0.2.1", "postmaster@[192.0.2.1]", "[192.0.2.1]").await;
    assert_eq!(o.verdict, Verdict::None);
}

#[tokio::test]
async fn explanations_follow_rfc_7208_6_2() {
    let records = "e.example. TXT \"v=spf1 -all exp=why.e.example\"\n\
                   why.e.example. TXT \"%{i} is not one of %{d}'s servers (%{c}, %{l})\"\n\
                   two.example. TXT \"v=spf1 -all exp=msgs.e.example\"\n\
                   msgs.e.example. TXT \"one\"\nmsgs.e.example. TXT \"two\"\n\
                   bad.example. TXT \"v=spf1 -all exp=badmsg.e.example\"\n\
                   badmsg.e.example. TXT \"The %{x}-files.\"\n\
                   gone.example. TXT \"v=spf1 -all exp=nothing.e.example\"\n\
                   inc.example. TXT \"v=spf1 include:e.example -all exp=own.e.example\"\n\
                   own.e.example. TXT \"Correct!\"\n\
                   red.example. TXT \"v=spf1 exp=own.e.example redirect=e.example\"\n\
                   soft.example. TXT \"v=spf1 ~all exp=why.e.example\"";
    let dns = dns(records);
    let e = |s: &'static str| {
        let dns = &dns;
        async move {
            let o = check_with(dns, "192.0.2.7", s, "h").await;
            (o.verdict, o.explanation)
        }
    };
    assert_eq!(
        e("bob@e.example").await,
        (
            Verdict::Fail,
            Some("192.0.2.7 is not one of e.example's servers (192.0.2.7, bob)".into())
        )
    );
    // Problems with the explanation never change the result.
    assert_eq!(e("x@two.example").await, (Verdict::Fail, None));
    assert_eq!(e("x@bad.example").await, (Verdict::Fail, None));
    assert_eq!(e("x@gone.example").await, (Verdict::Fail, None));
    // An include's exp= is not used; redirect= replaces the explanation.
    assert_eq!(
        e("x@inc.example").await,
        (Verdict::Fail, Some("Correct!".into()))
    );
    let (v, why) = e("x@red.example").await;
    assert_eq!(v, Verdict::Fail);
    assert!(why.unwrap().contains("not one of e.example"));
    // Only a fail has one.
    assert_eq!(e("x@soft.example").await, (Verdict::SoftFail, None));
}

#[tokio::test]
async fn a_domain_spec_may_hold_colons_and_slashes() {
    let records = "e.example. TXT \"v=spf1 a:foo:bar/baz.example -all\"\n\
                   foo\\058bar/baz.example. A 192.0.2.4";
    assert_eq!(
        check(records, "192.0.2.4", "x@e.example").await.verdict,
        Verdict::Pass
    );
}

/// Mutated records never panic the parser or the macro expander (a cheap,
/// deterministic stand-in for the fuzz target, which also runs them).
#[test]
fn mutated_records_never_panic() {
    let seeds: [&[u8]; 5] = [
        b"v=spf1 a/24//64 mx:foo.example.com/24 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all",
        b"v=spf1 include:%{ir}.%{l1r+-}._spf.%{d2} exists:%{p}.x.example redirect=%{o}",
        b"v=spf1 exp=%{d}.exp.example ptr:example.com ?all foo=%%%_%-",
        b"v=spf1 a:foo:bar/baz.example.com//0 -ip4:1.2.3.4 ~all",
        b"%{c} %{r} %{t} %{H} %{L2r=} %{i}",
    ];
    let alphabet = b"%{}:/.-=+~?0129 \x00\x80rRaA";
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let v = values("l", "example.com", "2001:db8::1");
    for seed in seeds {
        for _ in 0..2_000 {
            let mut bytes = seed.to_vec();
            for _ in 0..1 + next() % 4 {
                let pos = (next() as usize) % (bytes.len() + 1);
                let byte = alphabet[(next() as usize) % alphabet.len()];
                match next() % 3 {
                    0 if pos < bytes.len() => bytes[pos] = byte,
                    1 if pos < bytes.len() => {
                        bytes.remove(pos);
                    }
                    _ => bytes.insert(pos, byte),
                }
            }
            let _ = parse::parse(&bytes);
            if let Ok(text) = std::str::from_utf8(&bytes) {
                for context in [Context::Record, Context::Explanation] {
                    if let Ok(m) = MacroString::parse(text, context) {
                        let _ = domain_after_expansion(&m.expand(&v));
                    }
                }
                let _ = MacroString::parse_domain_spec(text);
            }
        }
    }
}
