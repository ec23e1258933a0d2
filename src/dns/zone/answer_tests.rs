//! How a [`ZoneSet`] answers: NODATA, NXDOMAIN, CNAME chains, wildcards, nesting.

use super::tests::{HEAD, n, zone};
use super::*;
use std::net::Ipv4Addr;

fn set(zones: &[&str]) -> ZoneSet {
    ZoneSet::new(zones.iter().map(|t| zone(t)).collect())
}

fn names(answer: &ZoneAnswer) -> Vec<(String, RecordType)> {
    answer
        .answers
        .iter()
        .map(|r| (r.name.to_string(), r.record_type()))
        .collect()
}

#[test]
fn nodata_nxdomain_and_empty_non_terminals() {
    let s = set(&[&format!(
        "{HEAD}mail A 192.0.2.25\ns1._domainkey.mail TXT \"k\"\n"
    )]);
    let a = s.lookup(&n("mail.example.com."), RecordType::A);
    assert_eq!((a.rcode, a.answers.len()), (ZoneRcode::NoError, 1));
    let nodata = s.lookup(&n("mail.example.com."), RecordType::TXT);
    assert_eq!(
        (nodata.rcode, nodata.answers.len()),
        (ZoneRcode::NoError, 0)
    );
    let ent = s.lookup(&n("_domainkey.mail.example.com."), RecordType::TXT);
    assert_eq!((ent.rcode, ent.answers.len()), (ZoneRcode::NoError, 0));
    let nx = s.lookup(&n("nope.example.com."), RecordType::A);
    assert_eq!((nx.rcode, nx.answers.len()), (ZoneRcode::NxDomain, 0));
    let nx = s.lookup(&n("x.s1._domainkey.mail.example.com."), RecordType::TXT);
    assert_eq!(nx.rcode, ZoneRcode::NxDomain);
    let outside = s.lookup(&n("example.org."), RecordType::A);
    assert_eq!(
        (outside.rcode, outside.answers.len()),
        (ZoneRcode::NxDomain, 0)
    );
    let apex = s.lookup(&n("example.com."), RecordType::NS);
    assert_eq!(apex.answers.len(), 1);
}

#[test]
fn case_insensitive_lookup() {
    let s = set(&[&format!("{HEAD}MiXeD A 192.0.2.1\n")]);
    for q in [
        "mixed.example.com.",
        "MIXED.EXAMPLE.COM.",
        "Mixed.Example.Com",
        "mixed.example.com",
    ] {
        let a = s.lookup(&Name::from_ascii(q).unwrap(), RecordType::A);
        assert_eq!((a.rcode, a.answers.len()), (ZoneRcode::NoError, 1), "{q}");
    }
}

#[test]
fn cname_chains() {
    let com = format!(
        "{HEAD}www CNAME web.example.net.\nloop1 CNAME loop2\nloop2 CNAME loop1\nself CNAME self\ndangling CNAME nowhere.example.org.\nmissing CNAME gone\nc0 CNAME c1\nc1 CNAME c2\nc2 CNAME c3\nc3 CNAME c4\nc4 CNAME c5\nc5 CNAME c6\nc6 CNAME c7\nc7 CNAME c8\nc8 CNAME c9\nc9 CNAME c10\nc10 CNAME c11\nc11 CNAME c12\nc12 CNAME c13\nc13 CNAME c14\nc14 CNAME c15\nc15 CNAME c16\nc16 CNAME c17\nc17 A 192.0.2.17\n"
    );
    let net = "$ORIGIN example.net.\n@ SOA ns host 1 2 3 4 5\nweb CNAME host\nhost A 192.0.2.80\n";
    let s = set(&[&com, net]);

    let a = s.lookup(&n("www.example.com."), RecordType::A);
    assert_eq!(a.rcode, ZoneRcode::NoError);
    assert_eq!(
        names(&a),
        vec![
            ("www.example.com.".to_string(), RecordType::CNAME),
            ("web.example.net.".to_string(), RecordType::CNAME),
            ("host.example.net.".to_string(), RecordType::A),
        ]
    );
    // Asking for the CNAME itself does not follow it.
    let c = s.lookup(&n("www.example.com."), RecordType::CNAME);
    assert_eq!(
        names(&c),
        vec![("www.example.com.".to_string(), RecordType::CNAME)]
    );
    // A target that exists without the type: NODATA with the chain.
    let nodata = s.lookup(&n("www.example.com."), RecordType::MX);
    assert_eq!(
        (nodata.rcode, nodata.answers.len()),
        (ZoneRcode::NoError, 2)
    );
    // Targets in no zone, or missing in a zone: NXDOMAIN, the CNAME kept.
    let d = s.lookup(&n("dangling.example.com."), RecordType::A);
    assert_eq!((d.rcode, d.answers.len()), (ZoneRcode::NxDomain, 1));
    let m = s.lookup(&n("missing.example.com."), RecordType::A);
    assert_eq!((m.rcode, m.answers.len()), (ZoneRcode::NxDomain, 1));
    // Loops and over-long chains.
    for q in ["loop1.example.com.", "self.example.com."] {
        let l = s.lookup(&n(q), RecordType::A);
        assert_eq!((l.rcode, l.answers.len()), (ZoneRcode::ServFail, 0), "{q}");
    }
    let long = s.lookup(&n("c0.example.com."), RecordType::A);
    assert_eq!(long.rcode, ZoneRcode::ServFail);
    let sixteen = s.lookup(&n("c1.example.com."), RecordType::A);
    assert_eq!(
        (sixteen.rcode, sixteen.answers.len()),
        (ZoneRcode::NoError, 17)
    );
}

#[test]
fn most_specific_zone_wins() {
    let parent = format!("{HEAD}host.sub A 192.0.2.1\nonly.sub A 192.0.2.2\n");
    let child = "$ORIGIN sub.example.com.\n@ SOA ns1 host 1 2 3 4 5\nhost A 198.51.100.1\n";
    for order in [[parent.as_str(), child], [child, parent.as_str()]] {
        let s = set(&order);
        assert_eq!(s.zones().len(), 2);
        let a = s.lookup(&n("host.sub.example.com."), RecordType::A);
        assert!(
            matches!(&a.answers[..], [r] if matches!(&r.data, RData::A(a) if a.0 == Ipv4Addr::new(198, 51, 100, 1)))
        );
        // The child zone is authoritative: the parent's stray data is not seen.
        let only = s.lookup(&n("only.sub.example.com."), RecordType::A);
        assert_eq!(only.rcode, ZoneRcode::NxDomain);
        let top = s.lookup(&n("ns1.example.com."), RecordType::A);
        assert_eq!(top.answers.len(), 1);
    }
}

#[test]
fn duplicate_zone_files() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.zone"), dir.path().join("b.zone"));
    std::fs::write(&a, HEAD).unwrap();
    std::fs::write(&b, HEAD.replace("ns1 IN A", "NS1 IN A")).unwrap();
    let e = ZoneSet::load(&[a.clone(), b]).unwrap_err();
    assert!(e.message.contains("already loaded from"), "{e}");
    assert_eq!(ZoneSet::load(&[a]).unwrap().zones().len(), 1);
}

#[test]
fn wildcards() {
    let s = set(&[&format!(
        "{HEAD}*.mail TXT \"wild\"\n*.mail MX 10 mx\nreal.mail A 192.0.2.1\n*.alias CNAME ns1\n"
    )]);
    let w = s.lookup(&n("anything.mail.example.com."), RecordType::TXT);
    assert_eq!(
        names(&w),
        vec![("anything.mail.example.com.".to_string(), RecordType::TXT)]
    );
    let deep = s.lookup(&n("a.b.mail.example.com."), RecordType::MX);
    assert_eq!(deep.answers.len(), 1);
    let nodata = s.lookup(&n("x.mail.example.com."), RecordType::A);
    assert_eq!(
        (nodata.rcode, nodata.answers.len()),
        (ZoneRcode::NoError, 0)
    );
    // An existing name is not covered by the wildcard.
    let real = s.lookup(&n("real.mail.example.com."), RecordType::TXT);
    assert_eq!((real.rcode, real.answers.len()), (ZoneRcode::NoError, 0));
    let below_real = s.lookup(&n("x.real.mail.example.com."), RecordType::TXT);
    assert_eq!(below_real.rcode, ZoneRcode::NxDomain);
    let alias = s.lookup(&n("q.alias.example.com."), RecordType::A);
    assert_eq!(
        names(&alias),
        vec![
            ("q.alias.example.com.".to_string(), RecordType::CNAME),
            ("ns1.example.com.".to_string(), RecordType::A),
        ]
    );
}

#[test]
fn delegations() {
    let s = set(&[&format!(
        "{HEAD}child NS ns.child\nns.child A 192.0.2.99\nto-child CNAME www.child\n"
    )]);
    let ns = s.lookup(&n("child.example.com."), RecordType::NS);
    assert_eq!((ns.rcode, ns.answers.len()), (ZoneRcode::NoError, 1));
    for q in [
        "child.example.com.",
        "www.child.example.com.",
        "ns.child.example.com.",
    ] {
        let a = s.lookup(&n(q), RecordType::A);
        assert_eq!(a.rcode, ZoneRcode::ServFail, "{q}");
    }
    let c = s.lookup(&n("to-child.example.com."), RecordType::TXT);
    assert_eq!(c.rcode, ZoneRcode::ServFail);
}
