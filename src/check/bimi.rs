//! `bimi.*`: Brand Indicators for Message Identification (the IETF draft
//! draft-brand-indicators-for-message-identification and the BIMI Group's
//! implementation guide). The `default._bimi` TXT record names the logo (an
//! SVG Tiny PS file over HTTPS, `l=`) and optionally a mark certificate
//! (`a=`); mailbox providers show the logo only for mail that passes DMARC
//! under a policy at enforcement.
//!
//! The tag list is parsed here (it is three tags; the checks need to say
//! which one is wrong). The SVG is parsed with roxmltree and checked against
//! the basics of the SVG Tiny Portable/Secure profile: the logo is fetched
//! only when the record names one.

use super::{
    dmarc::{self, policy_word},
    dns_error,
    https::{self, FetchError, HttpsOptions},
};
use crate::{
    dns::Dns,
    report::{Finding, Status},
    words::Policy,
};
use hickory_resolver::proto::rr::RecordType;

/// The largest logo read: the BIMI Group's SVG guidance keeps files under 32 KiB.
pub const MAX_SVG: usize = 32 * 1024;

/// A parsed BIMI assertion record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// `l=`: the logo URL, empty when absent or empty.
    pub logo: String,
    /// `a=`: the authority evidence (mark certificate) URL, empty when absent or empty.
    pub authority: String,
}

/// Parse a BIMI record: `v=BIMI1` first, then `tag=value` pairs separated by
/// `;`. Unknown tags are ignored; a repeated tag is an error.
pub fn parse(text: &str) -> Result<Record, String> {
    let mut tags = text.split(';').map(|t| t.trim());
    match tags.next().map(|v| v.split_once('=')) {
        Some(Some((v, value))) if v.trim() == "v" && value.trim() == "BIMI1" => {}
        _ => return Err("the record must start with v=BIMI1".into()),
    }
    let (mut logo, mut authority) = (None, None);
    for tag in tags.filter(|t| !t.is_empty()) {
        let Some((name, value)) = tag.split_once('=') else {
            return Err(format!("{tag:?} is not a tag=value pair"));
        };
        let slot = match name.trim().to_ascii_lowercase().as_str() {
            "l" => &mut logo,
            "a" => &mut authority,
            _ => continue,
        };
        if slot.is_some() {
            return Err(format!("{}= appears more than once", name.trim()));
        }
        *slot = Some(value.trim().to_string());
    }
    Ok(Record {
        logo: logo.unwrap_or_default(),
        authority: authority.unwrap_or_default(),
    })
}

/// An `https:` URL, or why the value is not one.
fn https_url(value: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(value).map_err(|e| format!("{value:?} is not a URL: {e}"))?;
    if url.scheme() != "https" {
        return Err(format!("{value} is not an https: URL"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("{value} names no host"));
    }
    Ok(url)
}

/// Elements SVG Tiny PS leaves out of SVG Tiny 1.2: animation, multimedia
/// and foreign content (a logo is a static, self-contained picture).
const EXCLUDED: &[&str] = &[
    "animate",
    "animateColor",
    "animateMotion",
    "animateTransform",
    "set",
    "animation",
    "audio",
    "video",
    "foreignObject",
];

/// The problems of a logo against the SVG Tiny PS profile basics: the
/// root is an SVG element with `baseProfile="tiny-ps"` and `version="1.2"`,
/// has a `<title>`, holds no script or event handler, and references
/// nothing outside the file. Empty when it passes.
pub fn svg_problems(text: &str) -> Vec<String> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = match roxmltree::Document::parse_with_options(text, options) {
        Ok(d) => d,
        Err(e) => return vec![format!("not well-formed XML: {e}")],
    };
    let root = doc.root_element();
    let mut problems = Vec::new();
    if root.tag_name().name() != "svg"
        || root.tag_name().namespace() != Some("http://www.w3.org/2000/svg")
    {
        return vec!["the root element is not an SVG <svg> element".into()];
    }
    match root.attribute("baseProfile") {
        Some("tiny-ps") => {}
        Some(other) => problems.push(format!("baseProfile is {other:?}, not \"tiny-ps\"")),
        None => problems.push("no baseProfile=\"tiny-ps\" on <svg>".into()),
    }
    if root.attribute("version") != Some("1.2") {
        problems.push("<svg> lacks version=\"1.2\"".into());
    }
    for attr in ["x", "y"] {
        if root.attribute(attr).is_some() {
            problems.push(format!(
                "<svg> has an {attr}= attribute, which the profile forbids"
            ));
        }
    }
    let has_title = root.children().any(|c| {
        c.is_element()
            && c.tag_name().name() == "title"
            && c.text().is_some_and(|t| !t.trim().is_empty())
    });
    if !has_title {
        problems.push("no <title> (with the brand's name) directly under <svg>".into());
    }
    let mut scripts = false;
    let mut handlers = false;
    let mut external = Vec::new();
    let mut excluded = Vec::new();
    for node in root.descendants().filter(|n| n.is_element()) {
        let tag = node.tag_name().name();
        scripts |= matches!(tag, "script" | "handler" | "listener");
        if EXCLUDED.contains(&tag) && !excluded.contains(&tag) {
            excluded.push(tag);
        }
        for attr in node.attributes() {
            handlers |= attr.namespace().is_none() && attr.name().starts_with("on");
            if attr.name() == "href" && !attr.value().trim_start().starts_with('#') {
                external.push(attr.value().to_string());
            }
        }
    }
    if scripts {
        problems.push("it contains a <script> (or an event handler element)".into());
    }
    if !excluded.is_empty() {
        problems.push(format!(
            "it uses elements the profile excludes (animation, multimedia, foreign content): {}",
            excluded
                .iter()
                .map(|t| format!("<{t}>"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if handlers {
        problems.push("it has event handler attributes (on...=)".into());
    }
    if !external.is_empty() {
        problems.push(format!(
            "it references outside the file ({})",
            external.join(", ")
        ));
    }
    problems
}

/// Check BIMI for `domain`.
pub async fn check(dns: &Dns, domain: &str, options: &HttpsOptions) -> Vec<Finding> {
    let org = dmarc::org_domain(domain);
    let (record, prerequisite) =
        tokio::join!(find(dns, domain, &org), dmarc_prerequisite(dns, domain));
    let (name, text) = match record {
        Err(f) => return vec![f],
        Ok(None) => {
            return vec![Finding::new(
                "bimi.record",
                Status::Info,
                format!("no BIMI record at default._bimi.{domain}: no brand logo is published"),
            )];
        }
        Ok(Some(found)) => found,
    };
    let shown = format!("{name}. TXT \"{text}\"");
    let record = match parse(&text) {
        Ok(r) => r,
        Err(e) => {
            return vec![
                Finding::new(
                    "bimi.record",
                    Status::Fail,
                    format!("{name} is not a valid BIMI record: {e}"),
                )
                .record(shown),
            ];
        }
    };
    if record.logo.is_empty() && record.authority.is_empty() {
        return vec![
            Finding::new(
                "bimi.record",
                Status::Info,
                format!("{name} declines to publish a logo (empty l= and a=)"),
            )
            .record(shown),
        ];
    }
    let mut findings = vec![
        Finding::new(
            "bimi.record",
            Status::Pass,
            format!("{name} publishes a BIMI record"),
        )
        .record(shown),
    ];
    findings.push(prerequisite);
    match record.authority.as_str() {
        "" => findings.push(Finding::new(
            "bimi.authority",
            Status::Info,
            "no a= mark certificate: providers that require a VMC or CMC (Gmail, Apple Mail) show no logo",
        )),
        value => findings.push(match https_url(value) {
            Ok(url) => authority(dns, &url, domain, &org, options).await,
            Err(e) => Finding::new("bimi.authority", Status::Fail, format!("a=: {e}")),
        }),
    }
    let url = match https_url(&record.logo) {
        Ok(u) => {
            findings.push(Finding::new(
                "bimi.logo",
                Status::Pass,
                format!("l= names the logo at {u}"),
            ));
            u
        }
        Err(e) => {
            let e = if record.logo.is_empty() {
                "the record has no l= logo URL".to_string()
            } else {
                e
            };
            findings.push(Finding::new("bimi.logo", Status::Fail, format!("l=: {e}")));
            return findings;
        }
    };
    findings.push(svg(dns, &url, options).await);
    findings
}

/// The BIMI record that applies: `default._bimi.DOMAIN`, else the
/// organizational domain's. Records not starting with `v=` are ignored.
async fn find(dns: &Dns, domain: &str, org: &str) -> Result<Option<(String, String)>, Finding> {
    let mut names = vec![format!("default._bimi.{domain}")];
    if org != domain {
        names.push(format!("default._bimi.{org}"));
    }
    for name in names {
        let answer = dns
            .query_str(&name, RecordType::TXT)
            .await
            .map_err(|e| dns_error("bimi.record", &format!("{name} TXT"), &e))?;
        let records: Vec<String> = answer
            .txt()
            .iter()
            .map(|r| String::from_utf8_lossy(r).into_owned())
            .filter(|r| r.trim_start().to_ascii_lowercase().starts_with("v="))
            .collect();
        match records.as_slice() {
            [] => continue,
            [one] => return Ok(Some((name, one.clone()))),
            several => {
                let mut f = Finding::new(
                    "bimi.record",
                    Status::Fail,
                    format!(
                        "{name} holds {} BIMI records: receivers use none of them",
                        several.len()
                    ),
                );
                for r in several {
                    f = f.record(format!("{name}. TXT \"{r}\""));
                }
                return Err(f);
            }
        }
    }
    Ok(None)
}

/// DMARC at enforcement: the policy that applies to the domain, and the
/// organizational domain's `p=`, are quarantine or reject, without `t=y`
/// and without a `pct` below 100.
async fn dmarc_prerequisite(dns: &Dns, domain: &str) -> Finding {
    let d = match dmarc::discover(dns, domain).await {
        Ok(d) => d,
        Err((name, e)) => {
            return dns_error("bimi.dmarc", &format!("the DMARC record at {name}"), &e);
        }
    };
    let fail = |why: String| {
        Finding::new(
            "bimi.dmarc",
            Status::Fail,
            format!(
                "{why}: receivers show a BIMI logo only for domains whose DMARC policy is at enforcement"
            ),
        )
    };
    let Some(idx) = d.applies else {
        return fail(format!("{domain} has no DMARC record"));
    };
    let rec = &d.walk[idx];
    let tag = |r: &dmarc::Found, t: &str| r.tag(t).and_then(policy_word);
    let applied = if rec.domain == domain {
        tag(rec, "p")
    } else {
        tag(rec, "sp").or_else(|| tag(rec, "p"))
    };
    let enforcing = |p: Option<Policy>| matches!(p, Some(Policy::Quarantine | Policy::Reject));
    if !enforcing(applied) {
        return fail(format!(
            "the DMARC policy that applies to {domain} (from _dmarc.{}) is {}",
            rec.domain,
            applied.map(|p| p.word()).unwrap_or("missing or invalid")
        ));
    }
    if let Some(org) = d.walk.iter().find(|f| f.domain == d.organizational)
        && !enforcing(tag(org, "p"))
    {
        return fail(format!(
            "the organizational domain {} has p={}",
            org.domain,
            org.tag("p").unwrap_or("(missing)")
        ));
    }
    if rec.tag("t").is_some_and(|t| t.eq_ignore_ascii_case("y")) {
        return fail(format!(
            "_dmarc.{} has t=y (testing): the policy is not enforced",
            rec.domain
        ));
    }
    if let Some(pct) = rec.tag("pct").filter(|p| p.trim() != "100") {
        return fail(format!(
            "_dmarc.{} has pct={pct}: the policy applies to only part of the mail",
            rec.domain
        ));
    }
    Finding::new(
        "bimi.dmarc",
        Status::Pass,
        format!(
            "DMARC is at enforcement for {domain} ({} from _dmarc.{})",
            applied.map(|p| p.word()).unwrap_or_default(),
            rec.domain
        ),
    )
}

/// The extended key usage of BIMI mark certificates,
/// id-kp-BrandIndicatorforMessageIdentification (1.3.6.1.5.5.7.3.31).
const BIMI_EKU: &str = "1.3.6.1.5.5.7.3.31";

/// The largest mark certificate file read: a chain with its embedded logo.
pub const MAX_PEM: usize = 128 * 1024;

/// What is wrong with a mark certificate file (PEM, leaf first), checked
/// at `now` (seconds since 1970): it holds certificates, the leaf has the
/// BIMI extended key usage, is within its validity dates, and names the
/// domain or its organizational domain in its subjectAltName. Its chain to
/// a mark verifying authority is not verified. The leaf's notAfter when
/// it passes, else every problem.
pub fn certificate_problems(pem: &[u8], domains: &[&str], now: i64) -> Result<String, Vec<String>> {
    use x509_parser::{extensions::GeneralName, pem::Pem, time::ASN1Time};
    let blocks: Vec<Pem> = Pem::iter_from_buffer(pem)
        .take(16)
        .filter_map(Result::ok)
        .filter(|p| p.label == "CERTIFICATE")
        .collect();
    let Some(first) = blocks.first() else {
        return Err(vec!["the file holds no PEM certificate".into()]);
    };
    let leaf = first
        .parse_x509()
        .map_err(|e| vec![format!("the first certificate does not parse: {e}")])?;
    let mut problems = Vec::new();
    let eku = leaf.extended_key_usage().ok().flatten();
    if !eku.is_some_and(|e| e.value.other.iter().any(|o| o.to_id_string() == BIMI_EKU)) {
        problems.push(format!(
            "the certificate lacks the BIMI extended key usage ({BIMI_EKU}): it is not a mark certificate"
        ));
    }
    let at = ASN1Time::from_timestamp(now).ok();
    if at.is_some_and(|t| !leaf.validity().is_valid_at(t)) {
        problems.push(format!(
            "it is valid only from {} to {}",
            leaf.validity().not_before,
            leaf.validity().not_after
        ));
    }
    let mut names = Vec::new();
    if let Ok(Some(san)) = leaf.subject_alternative_name() {
        for n in &san.value.general_names {
            if let GeneralName::DNSName(d) = n {
                names.push(d.trim_end_matches('.').to_ascii_lowercase());
            }
        }
    }
    if !names.iter().any(|n| domains.contains(&n.as_str())) {
        problems.push(format!(
            "its subjectAltName ({}) names neither {}",
            if names.is_empty() {
                "no DNS names".to_string()
            } else {
                names.join(", ")
            },
            domains.join(" nor ")
        ));
    }
    if problems.is_empty() {
        Ok(leaf.validity().not_after.to_string())
    } else {
        Err(problems)
    }
}

/// Fetch the mark certificate named by `a=` and check its leaf.
async fn authority(
    dns: &Dns,
    url: &url::Url,
    domain: &str,
    org: &str,
    options: &HttpsOptions,
) -> Finding {
    let fail = |m: String| Finding::new("bimi.authority", Status::Fail, m);
    let response = match https::get_url(dns, url, MAX_PEM, options).await {
        Ok(r) => r,
        Err(FetchError::Dns(e)) => {
            return dns_error(
                "bimi.authority",
                &format!("the address of the host of {url}"),
                &e,
            );
        }
        Err(e) => {
            return fail(format!(
                "the mark certificate {url} could not be fetched: {e}"
            ));
        }
    };
    if response.status != 200 {
        return fail(format!(
            "{url} answered HTTP status {} instead of 200 with the mark certificate",
            response.status
        ));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let mut domains = vec![domain];
    if org != domain {
        domains.push(org);
    }
    match certificate_problems(&response.body, &domains, now) {
        Ok(until) => Finding::new(
            "bimi.authority",
            Status::Pass,
            format!(
                "a= names a mark certificate for {} valid until {until} at {url} (its chain to a mark verifying authority is not checked)",
                domains[0]
            ),
        ),
        Err(problems) => fail(format!(
            "the mark certificate at {url} is unusable: {}",
            problems.join("; ")
        )),
    }
}

/// Fetch the logo and check its profile.
async fn svg(dns: &Dns, url: &url::Url, options: &HttpsOptions) -> Finding {
    let fail = |m: String| Finding::new("bimi.svg", Status::Fail, m);
    let response = match https::get_url(dns, url, MAX_SVG, options).await {
        Ok(r) => r,
        Err(FetchError::Dns(e)) => {
            return dns_error("bimi.svg", &format!("the address of the host of {url}"), &e);
        }
        Err(e) => return fail(format!("the logo {url} could not be fetched: {e}")),
    };
    if response.status != 200 {
        return fail(format!(
            "{url} answered HTTP status {}{} instead of 200 with the logo",
            response.status,
            response
                .location
                .as_deref()
                .map(|l| format!(" (a redirect to {l})"))
                .unwrap_or_default()
        ));
    }
    let Ok(text) = std::str::from_utf8(&response.body) else {
        return fail(format!("{url} is not UTF-8 text, so not an SVG document"));
    };
    let problems = svg_problems(text);
    if problems.is_empty() {
        Finding::new(
            "bimi.svg",
            Status::Pass,
            format!(
                "{url} is an SVG Tiny PS logo ({} bytes): baseProfile tiny-ps, a title, no scripts, no external references",
                text.len()
            ),
        )
    } else {
        fail(format!(
            "{url} does not follow the SVG Tiny PS profile: {}",
            problems.join("; ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records() {
        let r = parse("v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem")
            .unwrap();
        assert_eq!(r.logo, "https://example.com/logo.svg");
        assert_eq!(r.authority, "https://example.com/vmc.pem");
        let r = parse("v=BIMI1; l=https://example.com/l.svg;").unwrap();
        assert_eq!(r.authority, "");
        assert_eq!(parse("v=BIMI1; l=; a=;").unwrap().logo, "");
        for bad in [
            "v=BIMI2; l=x",
            "l=x; v=BIMI1",
            "v=BIMI1; l=a; l=b",
            "v=BIMI1; junk",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(https_url("http://example.com/l.svg").is_err());
        assert!(https_url("logo.svg").is_err());
        assert!(https_url("https://example.com/l.svg").is_ok());
    }

    /// A self-signed certificate for `names`, with the BIMI EKU or not.
    fn certificate(names: &[&str], bimi: bool) -> String {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params =
            rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .unwrap();
        if bimi {
            params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::Other(vec![
                1, 3, 6, 1, 5, 5, 7, 3, 31,
            ])];
        }
        params.self_signed(&key).unwrap().pem()
    }

    #[test]
    fn mark_certificates() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let good = certificate(&["example.com"], true);
        assert!(certificate_problems(good.as_bytes(), &["example.com"], now).is_ok());
        assert!(
            certificate_problems(good.as_bytes(), &["mail.example.com", "example.com"], now)
                .is_ok()
        );
        let p = certificate_problems(good.as_bytes(), &["example.net"], now)
            .unwrap_err()
            .join("; ");
        assert!(p.contains("names neither example.net"), "{p}");
        // rcgen's default validity ends in 4096; 5000 is after it.
        let p = certificate_problems(good.as_bytes(), &["example.com"], 95_617_584_000)
            .unwrap_err()
            .join("; ");
        assert!(p.contains("valid only from"), "{p}");
        let tls = certificate(&["example.com"], false);
        let p = certificate_problems(tls.as_bytes(), &["example.com"], now)
            .unwrap_err()
            .join("; ");
        assert!(p.contains("lacks the BIMI extended key usage"), "{p}");
        let p = certificate_problems(b"not a certificate", &["example.com"], now)
            .unwrap_err()
            .join("; ");
        assert!(p.contains("no PEM certificate"), "{p}");
    }

    const GOOD: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.2" baseProfile="tiny-ps" viewBox="0 0 100 100">
  <title>Example</title>
  <defs><linearGradient id="g"><stop offset="0" stop-color="#000"/></linearGradient></defs>
  <circle cx="50" cy="50" r="40" fill="url(#g)"/>
  <use xlink:href="#g"/>
</svg>"##;

    #[test]
    fn entity_expansion_is_bounded() {
        let mut dtd = String::from("<!DOCTYPE svg [<!ENTITY l0 \"lol\">");
        for i in 1..10 {
            let prev = format!("&l{};", i - 1);
            dtd.push_str(&format!("<!ENTITY l{i} \"{}\">", prev.repeat(10)));
        }
        dtd.push(']');
        dtd.push('>');
        let bomb = format!(
            "{dtd}<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.2\" baseProfile=\"tiny-ps\"><title>&l9;</title></svg>"
        );
        let started = std::time::Instant::now();
        let problems = svg_problems(&bomb);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert!(!problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn svg_profile() {
        assert_eq!(svg_problems(GOOD), Vec::<String>::new());
        for (change, says) in [
            (GOOD.replace("tiny-ps", "tiny"), "baseProfile"),
            (GOOD.replace("<title>Example</title>", ""), "<title>"),
            (
                GOOD.replace("<title>", "<script>alert(1)</script><title>"),
                "<script>",
            ),
            (
                GOOD.replace(
                    "xlink:href=\"#g\"",
                    "xlink:href=\"https://evil.example/x.png\"",
                ),
                "evil.example",
            ),
            (
                GOOD.replace("<circle", "<circle onclick=\"x()\""),
                "event handler",
            ),
            (GOOD.replace("version=\"1.2\" ", ""), "version"),
            (
                GOOD.replace(
                    "<circle",
                    "<set attributeName=\"r\" to=\"9\"/><video/><circle",
                ),
                "excludes (animation, multimedia, foreign content): <set>, <video>",
            ),
            (GOOD.replace("</svg>", ""), "well-formed"),
            ("<html/>".to_string(), "root element"),
        ] {
            let p = svg_problems(&change).join("; ");
            assert!(p.contains(says), "{says}: {p}");
        }
    }
}
