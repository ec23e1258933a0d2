//! The rules a DKIM-Signature, an ARC header and a DKIM key record must
//! meet before any cryptography counts (RFC 6376 3.2, 3.5, 3.6.1, 6.1.1,
//! 6.1.2; RFC 8617 4.1; RFC 8301).
//!
//! mail-auth checks only some of them (it ignores repeated tags, tag case,
//! `q=`, and the key record's `h=` and `s=`), so every header is read again
//! here with [`TagList`] and each broken rule is named with its section. A
//! signature with any problem is `permerror` (RFC 6376 6.1.1 PERMFAIL), an
//! ARC chain with one is `fail` (RFC 8617 5.2).

use super::tags::{TagList, is_blank, unfold};
use base64::Engine;

/// Which header a tag-list came from: they require different tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// DKIM-Signature (RFC 6376 3.5).
    Dkim,
    /// ARC-Message-Signature (RFC 8617 4.1.2).
    Ams,
    /// ARC-Seal (RFC 8617 4.1.3).
    Seal,
}

/// A signing algorithm mailcheck can verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    /// rsa-sha256 (RFC 6376 3.3).
    RsaSha256,
    /// rsa-sha1 (RFC 6376 3.3; not valid since RFC 8301 3.1).
    RsaSha1,
    /// ed25519-sha256 (RFC 8463).
    Ed25519Sha256,
}

impl Alg {
    /// The key type (`k=`) the algorithm needs.
    pub fn key_type(self) -> &'static str {
        match self {
            Alg::RsaSha256 | Alg::RsaSha1 => "rsa",
            Alg::Ed25519Sha256 => "ed25519",
        }
    }

    /// The hash (`h=` of the key record).
    pub fn hash(self) -> &'static str {
        match self {
            Alg::RsaSha1 => "sha1",
            _ => "sha256",
        }
    }
}

/// A canonicalization algorithm (RFC 6376 3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Canon {
    /// `simple`.
    Simple,
    /// `relaxed`.
    Relaxed,
}

impl Canon {
    fn parse(s: &str) -> Option<Canon> {
        match s {
            "simple" => Some(Canon::Simple),
            "relaxed" => Some(Canon::Relaxed),
            _ => None,
        }
    }
}

/// A signature header as written, with every rule it breaks.
#[derive(Debug, Clone, Default)]
pub struct SigHeader {
    /// The tags, as read.
    pub tags: TagList,
    /// Every broken rule, in words with its RFC section.
    pub problems: Vec<String>,
    /// `d=`, for display (also when the header is broken).
    pub d: Option<String>,
    /// `s=`.
    pub s: Option<String>,
    /// `a=` as written.
    pub a: Option<String>,
    /// `c=` as `header/body` (the defaults filled in when the tag is absent).
    pub c: Option<String>,
    /// The algorithm, when known.
    pub alg: Option<Alg>,
    /// Header canonicalization.
    pub ch: Option<Canon>,
    /// Body canonicalization.
    pub cb: Option<Canon>,
    /// `h=`, the signed header names.
    pub h: Vec<String>,
    /// `bh=`, decoded.
    pub bh: Vec<u8>,
    /// `b=`, decoded.
    pub b: Vec<u8>,
    /// `l=`.
    pub l: Option<u64>,
    /// The domain of `i=` (DKIM), when given.
    pub i_domain: Option<String>,
    /// `x=`.
    pub x: Option<u64>,
    /// `i=` of an ARC header: the instance.
    pub instance: Option<u32>,
}

fn number(v: &str) -> Option<u64> {
    let v = unfold(v);
    (!v.is_empty() && v.len() <= 76 && v.bytes().all(|b| b.is_ascii_digit()))
        .then(|| v.parse::<u64>().ok())
        .flatten()
}

fn base64(v: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(unfold(v))
        .ok()
        .filter(|b| !b.is_empty())
}

/// Decode dkim-quoted-printable (RFC 6376 2.11): `=XX` is one byte.
fn dkim_qp(v: &str) -> String {
    let v = unfold(v);
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && let Some(hex) = v.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// True when `sub` is `domain` or a subdomain of it (case-insensitive).
pub fn within(sub: &str, domain: &str) -> bool {
    let sub = sub.trim_end_matches('.').to_ascii_lowercase();
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    sub == domain || sub.ends_with(&format!(".{domain}"))
}

impl SigHeader {
    /// Read one header's value and check it against the rules for its kind.
    pub fn parse(kind: Kind, value: &[u8]) -> SigHeader {
        let tags = TagList::parse(value);
        let mut sig = SigHeader {
            problems: tags.problems.clone(),
            d: tags.display("d").map(|d| d.to_ascii_lowercase()),
            s: tags.display("s"),
            a: tags.display("a"),
            ..SigHeader::default()
        };
        let required: &[&str] = match kind {
            Kind::Dkim => &["v", "a", "b", "bh", "d", "h", "s"],
            Kind::Ams => &["i", "a", "b", "bh", "d", "h", "s"],
            Kind::Seal => &["i", "a", "b", "cv", "d", "s"],
        };
        let what = match kind {
            Kind::Dkim => "RFC 6376 3.5",
            Kind::Ams => "RFC 8617 4.1.2",
            Kind::Seal => "RFC 8617 4.1.3",
        };
        for tag in required {
            match (tags.get(tag), tags.wrong_case(tag)) {
                (Some(v), _) if is_blank(v) => {
                    sig.problems.push(format!("{tag}= is empty ({what})"))
                }
                (Some(_), _) => {}
                (None, Some(other)) => sig.problems.push(format!(
                    "{other}= is not {tag}= (tag names are case-sensitive, RFC 6376 3.2), so the required {tag}= is missing ({what})"
                )),
                (None, None) => sig
                    .problems
                    .push(format!("the required {tag}= tag is missing ({what})")),
            }
        }
        if kind == Kind::Dkim
            && let Some(v) = tags.get("v")
            && unfold(v) != "1"
        {
            sig.problems.push(format!(
                "v={} is not a DKIM version this verifier knows (RFC 6376 3.5: v=1)",
                unfold(v)
            ));
        }
        if let Some(a) = tags.get("a") {
            let a = unfold(a);
            sig.alg = match a.as_str() {
                "rsa-sha256" => Some(Alg::RsaSha256),
                "rsa-sha1" => Some(Alg::RsaSha1),
                "ed25519-sha256" => Some(Alg::Ed25519Sha256),
                _ => None,
            };
            match sig.alg {
                None if !a.is_empty() => sig.problems.push(format!(
                    "a={a} is not a signing algorithm this verifier supports (RFC 6376 3.5, RFC 8463)"
                )),
                Some(Alg::RsaSha1) => sig.problems.push(
                    "a=rsa-sha1: RFC 8301 3.1 says verifiers must not consider rsa-sha1 signatures valid"
                        .into(),
                ),
                _ => {}
            }
        }
        if kind != Kind::Seal {
            let c = tags.get("c").map(unfold);
            let (ch, cb) = match c.as_deref() {
                None => (Some(Canon::Simple), Some(Canon::Simple)),
                Some(c) => match c.split_once('/') {
                    Some((h, b)) => (Canon::parse(h), Canon::parse(b)),
                    None => (Canon::parse(c), Some(Canon::Simple)),
                },
            };
            if ch.is_none() || cb.is_none() {
                sig.problems.push(format!(
                    "c={} is not a canonicalization (RFC 6376 3.4: simple or relaxed, header/body)",
                    c.unwrap_or_default()
                ));
            } else {
                let name = |c: Option<Canon>| match c {
                    Some(Canon::Relaxed) => "relaxed",
                    _ => "simple",
                };
                sig.c = Some(format!("{}/{}", name(ch), name(cb)));
            }
            sig.ch = ch;
            sig.cb = cb;
            match tags.get("bh").map(base64) {
                Some(Some(bh)) => sig.bh = bh,
                Some(None) => sig.problems.push(format!("bh= is not base64 ({what})")),
                None => {}
            }
            if let Some(h) = tags.get("h") {
                sig.h = unfold(h)
                    .split(':')
                    .filter(|n| !n.is_empty())
                    .map(str::to_string)
                    .collect();
            }
        } else {
            sig.ch = Some(Canon::Relaxed);
            if tags.get("h").is_some() {
                sig.problems
                    .push("an ARC-Seal must not have h= (RFC 8617 4.1.3)".into());
            }
            if let Some(cv) = tags.get("cv")
                && !matches!(unfold(cv).as_str(), "none" | "fail" | "pass")
            {
                sig.problems.push(format!(
                    "cv={} is not none, fail or pass (RFC 8617 4.1.3)",
                    unfold(cv)
                ));
            }
        }
        match tags.get("b").map(base64) {
            Some(Some(b)) => sig.b = b,
            Some(None) => sig.problems.push(format!("b= is not base64 ({what})")),
            None => {}
        }
        match kind {
            Kind::Dkim => {
                if !sig.h.is_empty() && !sig.h.iter().any(|n| n.eq_ignore_ascii_case("from")) {
                    sig.problems.push(
                        "h= does not include From, which must be signed (RFC 6376 5.4, 6.1.1)"
                            .into(),
                    );
                }
                if let Some(i) = tags.get("i") {
                    let i = dkim_qp(i);
                    match i.rsplit_once('@') {
                        Some((_, dom)) => {
                            if let Some(d) = &sig.d
                                && !within(dom, d)
                            {
                                sig.problems.push(format!(
                                    "i= (in {dom}) is not d={d} or a subdomain of it (RFC 6376 3.5, 6.1.1)"
                                ));
                            }
                            sig.i_domain = Some(dom.to_ascii_lowercase());
                        }
                        None => sig
                            .problems
                            .push(format!("i={i} has no \"@\" (RFC 6376 3.5)")),
                    }
                }
                if let Some(q) = tags.get("q") {
                    let q = unfold(q);
                    if !q
                        .split(':')
                        .any(|m| m.eq_ignore_ascii_case("dns/txt") || m.eq_ignore_ascii_case("dns"))
                    {
                        sig.problems.push(format!(
                            "q={q} names no query method this verifier knows (RFC 6376 3.5: dns/txt)"
                        ));
                    }
                }
            }
            Kind::Ams => {
                if sig.h.iter().any(|n| n.eq_ignore_ascii_case("arc-seal")) {
                    sig.problems.push(
                        "the ARC-Message-Signature's h= includes ARC-Seal (RFC 8617 4.1.2 forbids it)"
                            .into(),
                    );
                }
            }
            Kind::Seal => {}
        }
        if kind != Kind::Dkim
            && let Some(i) = tags.get("i")
        {
            match number(i).filter(|n| (1..=50).contains(n)) {
                Some(n) => sig.instance = Some(n as u32),
                None => sig.problems.push(format!(
                    "i={} is not an ARC instance 1 to 50 (RFC 8617 4.2.1)",
                    unfold(i)
                )),
            }
        }
        if let Some(l) = tags.get("l") {
            match number(l) {
                Some(n) => sig.l = Some(n),
                None => sig.problems.push(format!(
                    "l={} is not a decimal length (RFC 6376 3.5)",
                    unfold(l)
                )),
            }
        }
        let t = tags.get("t").map(|t| (t, number(t)));
        if let Some((raw, None)) = t {
            sig.problems.push(format!(
                "t={} is not a timestamp (RFC 6376 3.5)",
                unfold(raw)
            ));
        }
        if let Some(x) = tags.get("x") {
            match number(x) {
                Some(n) => sig.x = Some(n),
                None => sig
                    .problems
                    .push(format!("x={} is not a timestamp (RFC 6376 3.5)", unfold(x))),
            }
        }
        if let (Some((_, Some(t))), Some(x)) = (t, sig.x)
            && x <= t
        {
            sig.problems.push(format!(
                "x={x} is not after t={t}: RFC 6376 3.5 requires x= to be later than t="
            ));
        }
        // A broken header shows only the c= it wrote, not the default.
        if !sig.problems.is_empty() && tags.get("c").is_none() {
            sig.c = None;
        }
        sig.tags = tags;
        sig
    }

    /// The key record's name, `s._domainkey.d`.
    pub fn key_name(&self) -> Option<String> {
        Some(format!(
            "{}._domainkey.{}",
            self.s.as_deref()?,
            self.d.as_deref()?
        ))
    }
}

/// A DKIM key record (RFC 6376 3.6.1), read strictly.
#[derive(Debug, Clone, Default)]
pub struct KeyRecord {
    /// What makes the record unusable, in words.
    pub problems: Vec<String>,
    /// `k=` (default rsa).
    pub k: String,
    /// `h=`, when given.
    pub h: Option<Vec<String>>,
    /// `s=`, when given.
    pub s: Option<Vec<String>>,
    /// `t=` flags.
    pub t: Vec<String>,
    /// `p=` decoded; empty when revoked.
    pub p: Vec<u8>,
    /// `p=` was present but empty: the key is revoked.
    pub revoked: bool,
}

fn list(v: &str) -> Vec<String> {
    unfold(v)
        .split(':')
        .filter(|x| !x.is_empty())
        .map(|x| x.to_ascii_lowercase())
        .collect()
}

impl KeyRecord {
    /// Read a key record's text.
    pub fn parse(text: &str) -> KeyRecord {
        let tags = TagList::parse(text.as_bytes());
        let mut rec = KeyRecord {
            problems: tags
                .problems
                .iter()
                .map(|p| format!("the key record is malformed: {p}"))
                .collect(),
            k: tags
                .get("k")
                .map_or("rsa".to_string(), |k| unfold(k).to_ascii_lowercase()),
            h: tags.get("h").map(list),
            s: tags.get("s").map(list),
            t: tags.get("t").map(list).unwrap_or_default(),
            ..KeyRecord::default()
        };
        if let Some(v) = tags.get("v") {
            if unfold(v) != "DKIM1" {
                rec.problems.push(format!(
                    "the key record has v={}; RFC 6376 3.6.1 allows only DKIM1",
                    unfold(v)
                ));
            } else if tags.tags.first().is_some_and(|(n, _)| n != "v") {
                rec.problems
                    .push("v=DKIM1 is not the key record's first tag (RFC 6376 3.6.1)".into());
            }
        }
        match tags.get("p") {
            None => rec
                .problems
                .push("the key record has no p= tag (RFC 6376 3.6.1)".into()),
            Some(p) if unfold(p).is_empty() => rec.revoked = true,
            Some(p) => match base64::engine::general_purpose::STANDARD.decode(unfold(p)) {
                Ok(p) => rec.p = p,
                Err(_) => rec
                    .problems
                    .push("the key record's p= is not base64 (RFC 6376 3.6.1)".into()),
            },
        }
        rec
    }

    /// Why this key cannot verify this signature (RFC 6376 6.1.2), if it cannot.
    pub fn refuses(&self, sig: &SigHeader, name: &str, key_bits: Option<usize>) -> Option<String> {
        if let Some(p) = self.problems.first() {
            return Some(format!("{p} (at {name})"));
        }
        if self.revoked {
            return Some(format!(
                "the key at {name} is revoked (empty p=, RFC 6376 3.6.1)"
            ));
        }
        if let Some(alg) = sig.alg
            && self.k != alg.key_type()
        {
            return Some(format!(
                "the key at {name} is k={} but the signature is a={} (RFC 6376 6.1.2: inappropriate key algorithm)",
                self.k,
                sig.a.as_deref().unwrap_or("?")
            ));
        }
        if let (Some(h), Some(alg)) = (&self.h, sig.alg)
            && !h.iter().any(|x| x == alg.hash())
        {
            return Some(format!(
                "the key at {name} has h={} which excludes {}, the signature's hash (RFC 6376 3.6.1, 6.1.2)",
                h.join(":"),
                alg.hash()
            ));
        }
        if let Some(s) = &self.s
            && !s.iter().any(|x| x == "*" || x == "email")
        {
            return Some(format!(
                "the key at {name} has s={}, which does not include email or * (RFC 6376 3.6.1, 6.1.2: inappropriate service type)",
                s.join(":")
            ));
        }
        if self.t.iter().any(|f| f == "s")
            && let (Some(i), Some(d)) = (&sig.i_domain, &sig.d)
            && !i
                .trim_end_matches('.')
                .eq_ignore_ascii_case(d.trim_end_matches('.'))
        {
            return Some(format!(
                "the key at {name} has t=s, so i= must be exactly d={d}, but i= is in {i}, a subdomain (RFC 6376 3.6.1, 6.1.2)"
            ));
        }
        if let Some(bits) = key_bits
            && bits < 1024
        {
            return Some(format!(
                "the key at {name} is {bits} bits; RFC 8301 3.2 says keys under 1024 bits are not valid"
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str =
        "v=1; a=rsa-sha256; c=relaxed/simple; d=example.com; s=s1; h=From:To; bh=YWJj; b=ZGVm";

    fn problems(v: &str) -> Vec<String> {
        SigHeader::parse(Kind::Dkim, v.as_bytes()).problems
    }

    #[test]
    fn a_good_signature_has_no_problem_and_reads_its_tags() {
        let s = SigHeader::parse(Kind::Dkim, GOOD.as_bytes());
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        assert_eq!(s.d.as_deref(), Some("example.com"));
        assert_eq!(s.c.as_deref(), Some("relaxed/simple"));
        assert_eq!(s.alg, Some(Alg::RsaSha256));
        assert_eq!(s.bh, b"abc");
        assert_eq!(s.h, ["From", "To"]);
        let s = SigHeader::parse(
            Kind::Dkim,
            format!("{GOOD}; l=12; i=@sub.example.com").as_bytes(),
        );
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        assert_eq!(s.l, Some(12));
        assert_eq!(s.i_domain.as_deref(), Some("sub.example.com"));
        let s = SigHeader::parse(
            Kind::Dkim,
            b"v=1; a=rsa-sha256; d=e.example; s=s; h=from; bh=YQ==; b=Yg==",
        );
        assert_eq!(s.c.as_deref(), Some("simple/simple"), "default c=");
    }

    #[test]
    fn each_missing_required_tag_is_named() {
        for tag in ["v", "a", "b", "bh", "d", "h", "s"] {
            let v: Vec<&str> = GOOD
                .split("; ")
                .filter(|t| !t.starts_with(&format!("{tag}=")))
                .collect();
            let p = problems(&v.join("; "));
            assert!(
                p.iter()
                    .any(|x| x.contains(&format!("required {tag}= tag is missing"))),
                "{tag}: {p:?}"
            );
        }
        assert!(problems(&GOOD.replace("v=1", "v=2"))[0].contains("v=2"));
    }

    #[test]
    fn wrong_case_repeated_and_empty_tags_are_problems() {
        let p = problems(&GOOD.replace("s=s1", "S=s1"));
        assert!(p[0].contains("S= is not s="), "{p:?}");
        assert!(problems(&format!("{GOOD}; d=other.example"))[0].contains("more than once"));
        assert!(problems(&GOOD.replace("; s=s1;", "; s=s1;;"))[0].contains("empty tag-spec"));
        assert!(problems(&format!("{GOOD};")).is_empty());
        assert!(problems(&format!("{GOOD}; 9x=1"))[0].contains("not a valid tag name"));
    }

    #[test]
    fn semantic_rules() {
        assert!(problems(&format!("{GOOD}; q=http/well-known"))[0].contains("q="));
        assert!(problems(&format!("{GOOD}; q=dns/txt")).is_empty());
        assert!(problems(&format!("{GOOD}; i=@other.example"))[0].contains("not d=example.com"));
        assert!(problems(&GOOD.replace("h=From:To", "h=To"))[0].contains("From"));
        assert!(problems(&GOOD.replace("rsa-sha256", "rsa-sha1"))[0].contains("RFC 8301"));
        assert!(problems(&GOOD.replace("rsa-sha256", "rsa-md5"))[0].contains("a=rsa-md5"));
        assert!(problems(&format!("{GOOD}; t=20; x=10"))[0].contains("x=10 is not after t=20"));
        assert!(problems(&format!("{GOOD}; t=20; x=20"))[0].contains("x=20 is not after t=20"));
        assert!(problems(&format!("{GOOD}; l=1a"))[0].contains("l=1a"));
        assert!(problems(&GOOD.replace("c=relaxed/simple", "c=loose"))[0].contains("c=loose"));
    }

    #[test]
    fn arc_headers() {
        let seal = "i=1; a=rsa-sha256; cv=none; d=f.example; s=arc; t=1; b=YWJj";
        assert!(
            SigHeader::parse(Kind::Seal, seal.as_bytes())
                .problems
                .is_empty()
        );
        let p = SigHeader::parse(Kind::Seal, format!("{seal}; h=From").as_bytes()).problems;
        assert!(p[0].contains("must not have h="));
        let ams = "i=1; a=rsa-sha256; c=relaxed/relaxed; d=f.example; s=arc; h=From:ARC-Seal; bh=YQ==; b=Yg==";
        let p = SigHeader::parse(Kind::Ams, ams.as_bytes()).problems;
        assert!(p[0].contains("includes ARC-Seal"), "{p:?}");
        let p = SigHeader::parse(
            Kind::Seal,
            seal.replace("rsa-sha256", "rsa-sha1").as_bytes(),
        )
        .problems;
        assert!(p[0].contains("RFC 8301"));
    }

    #[test]
    fn key_record_rules() {
        let sig = SigHeader::parse(
            Kind::Dkim,
            format!("{GOOD}; i=@mail.example.com").as_bytes(),
        );
        let name = "s1._domainkey.example.com";
        let ok = KeyRecord::parse("v=DKIM1; k=rsa; p=YWJj");
        assert_eq!(ok.refuses(&sig, name, Some(2048)), None);
        let refuses = |t: &str| {
            KeyRecord::parse(t)
                .refuses(&sig, name, Some(2048))
                .unwrap_or_default()
        };
        assert!(refuses("v=DKIM1; p=").contains("revoked"));
        assert!(refuses("v=DKIM1; k=ed25519; p=YWJj").contains("inappropriate key algorithm"));
        assert!(refuses("v=DKIM1; h=sha1; p=YWJj").contains("excludes sha256"));
        assert!(refuses("v=DKIM1; s=tlsrpt; p=YWJj").contains("s=tlsrpt"));
        assert!(refuses("v=DKIM1; t=s; p=YWJj").contains("t=s"));
        assert!(refuses("k=rsa; v=DKIM1; p=YWJj").contains("first tag"));
        assert!(refuses("v=DKIM1; k=rsa").contains("no p="));
        assert!(refuses("v=DKIM1;; p=YWJj").contains("malformed"));
        assert!(
            ok.refuses(&sig, name, Some(512))
                .unwrap_or_default()
                .contains("RFC 8301 3.2")
        );
        assert_eq!(
            KeyRecord::parse("v=DKIM1; h=sha1:sha256; s=email; t=y; p=YWJj")
                .refuses(&sig, name, None),
            None
        );
    }
}
