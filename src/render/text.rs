//! The human report: findings grouped by area, a coloured status word per
//! line, the records behind each finding and a fix hint for what is wrong.

use crate::{
    check::{
        dmarc::{Discovery, tag_meaning},
        smtp::Probe,
        spf::SpfReport,
    },
    keys::GeneratedKey,
    report::{DomainReport, Status},
    spf::Verdict,
    verify::{AuthResult, DmarcWord, PolicyTag, PolicyWord, VerifyReport},
};
use colored::{ColoredString, Colorize};
use std::{
    io::{self, Write},
    net::IpAddr,
};

fn word(status: Status, color: bool) -> ColoredString {
    let w = format!("{:<5}", status.as_str());
    if !color {
        return w.normal().clear();
    }
    match status {
        Status::Pass => w.green(),
        Status::Info => w.blue(),
        Status::Warn => w.yellow().bold(),
        Status::Error => w.magenta().bold(),
        Status::Fail => w.red().bold(),
    }
}

/// Write one domain's report.
pub fn domain(out: &mut dyn Write, report: &DomainReport, color: bool) -> io::Result<()> {
    let title = if color {
        report.domain.bold()
    } else {
        report.domain.normal().clear()
    };
    writeln!(
        out,
        "{title}: {}",
        word(report.status(), color).to_string().trim_end()
    )?;
    let mut area = None;
    for f in &report.findings {
        if area != Some(f.area) {
            area = Some(f.area);
            writeln!(out, "  {}", heading(f.area.heading(), color))?;
        }
        let allowed = f
            .allowed
            .as_ref()
            .map(|reason| format!(" (allowed: {reason})"))
            .unwrap_or_default();
        writeln!(
            out,
            "    {} {}  [{}]{allowed}",
            word(f.status, color),
            f.message,
            f.name
        )?;
        for r in &f.records {
            writeln!(
                out,
                "          {}",
                if color {
                    r.dimmed()
                } else {
                    r.normal().clear()
                }
            )?;
        }
        if let Some(fix) = &f.fix
            && f.status != Status::Pass
            && f.status != Status::Info
            && f.allowed.is_none()
        {
            writeln!(out, "          fix: {fix}")?;
        }
    }
    Ok(())
}

/// Write one `mailcheck spf` report: the findings and, with an IP, the
/// check_host() line and the explanation of a fail.
pub fn spf(
    out: &mut dyn Write,
    findings: &DomainReport,
    sender: &str,
    ip: Option<IpAddr>,
    result: Option<Verdict>,
    report: &SpfReport,
    color: bool,
) -> io::Result<()> {
    domain(out, findings, color)?;
    if let (Some(r), Some(ip)) = (result, ip) {
        let domain = &findings.domain;
        writeln!(out, "  check_host({ip}, {domain}, {sender}) = {r}")?;
        if let Some(e) = report.outcome.as_ref().and_then(|o| o.explanation.as_ref()) {
            writeln!(out, "  explanation: {e}")?;
        }
    }
    Ok(())
}

/// Write one `mailcheck dmarc` report: the findings, the tree walk and the
/// tags of the record that applies, each with its meaning.
pub fn dmarc(
    out: &mut dyn Write,
    report: &DomainReport,
    discovery: Option<&Discovery>,
    color: bool,
) -> io::Result<()> {
    domain(out, report, color)?;
    let Some(d) = discovery else {
        return Ok(());
    };
    writeln!(out, "  tree walk: {}", d.queried.join(" -> "))?;
    writeln!(out, "  organizational domain: {}", d.organizational)?;
    if let Some(f) = d.applies.map(|i| &d.walk[i]) {
        writeln!(out, "  tags of _dmarc.{}:", f.domain)?;
        for (k, v) in &f.tags {
            writeln!(out, "    {k}={v}  {}", tag_meaning(k, v))?;
        }
    }
    Ok(())
}

/// Write one `mailcheck smtp` report: the findings, then a summary line
/// per address probed (greeting time, TLS, certificate dates).
pub fn smtp(
    out: &mut dyn Write,
    report: &DomainReport,
    probes: &[Probe],
    color: bool,
) -> io::Result<()> {
    domain(out, report, color)?;
    for p in probes {
        let address = match p.address {
            Some(a) if a.to_string() != p.host => format!(" {a}"),
            _ => String::new(),
        };
        let via = match p.connected_to {
            Some(to) if Some(to.ip()) != p.address => format!(" (via {to})"),
            _ => String::new(),
        };
        writeln!(out, "  {}{address}{via}", p.host)?;
        if let (Some(code), Some(ms)) = (p.banner_code, p.banner_ms) {
            let first = p
                .banner
                .as_deref()
                .and_then(|b| b.lines().next())
                .unwrap_or("");
            writeln!(out, "    banner: {code} {first} ({ms} ms)")?;
        }
        if !p.extensions.is_empty() {
            writeln!(out, "    extensions: {}", p.extensions.join(", "))?;
        }
        if let Some(v) = &p.tls_version {
            writeln!(out, "    tls: {v} {}", p.cipher.as_deref().unwrap_or(""))?;
        }
        if let Some(c) = &p.certificate {
            writeln!(
                out,
                "    certificate: {} ({} to {}), {}",
                if c.names.is_empty() {
                    c.subject.clone().unwrap_or_default()
                } else {
                    c.names.join(", ")
                },
                c.not_before,
                c.not_after,
                if c.trusted { "trusted" } else { "not trusted" }
            )?;
        }
    }
    Ok(())
}

/// Write the result of `mailcheck dkim keygen`: where the private key went
/// and the TXT record to publish, in zone-file form.
pub fn keygen(out: &mut dyn Write, key: &GeneratedKey) -> io::Result<()> {
    writeln!(
        out,
        "; private key written to {} (mode 0600)",
        key.path.display()
    )?;
    writeln!(out, "; publish this TXT record at {}:", key.name)?;
    writeln!(out, "{}", key.zone_text.trim_end())
}

/// Write one verified message.
pub fn verify(out: &mut dyn Write, r: &VerifyReport, color: bool) -> io::Result<()> {
    let st = r.status();
    let verdict = match (st, r.dmarc.disposition) {
        (Status::Pass, _) => "a receiver would accept it".to_string(),
        (Status::Error, _) => "inconclusive: a DNS lookup failed; retry".to_string(),
        (_, PolicyWord::None) => {
            "it does not pass DMARC; with no policy to apply, receivers decide on their own"
                .to_string()
        }
        (_, d) => format!("it does not pass DMARC: a receiver applying the policy would {d} it"),
    };
    writeln!(
        out,
        "{}: {} ({verdict})",
        bold(&r.message, color),
        word(st, color).to_string().trim_end()
    )?;
    writeln!(out, "  From domain: {}", r.from_domain)?;

    verify_dkim(out, r, color)?;
    verify_spf(out, r, color)?;
    verify_dmarc(out, r, color)?;
    verify_arc(out, r, color)?;
    writeln!(
        out,
        "  Authentication-Results: {}",
        r.authentication_results
    )?;
    Ok(())
}

/// `mailcheck serve`: one line per received message: the verdict word, the
/// envelope, the SPF, DKIM and DMARC results, and what was done with it.
pub fn serve(
    out: &mut dyn Write,
    r: &VerifyReport,
    receipt: &crate::serve::Receipt,
    color: bool,
) -> io::Result<()> {
    let dkim: Vec<String> = r.dkim.iter().map(|d| d.result.to_string()).collect();
    let dkim = if dkim.is_empty() {
        "none".to_string()
    } else {
        dkim.join(",")
    };
    let place = match &receipt.stored_as {
        Some(p) => format!(" as {p}"),
        None => String::new(),
    };
    writeln!(
        out,
        "{} {} from {} helo={} mail_from=<{}> rcpt_to=<{}> from_domain={} spf={} dkim={dkim} dmarc={} disposition={}: {}{place}",
        word(r.status(), color).to_string().trim_end(),
        bold(&r.message, color),
        receipt.client_ip,
        receipt.helo,
        receipt.mail_from,
        receipt.rcpt_to.join(">,<"),
        r.from_domain,
        r.spf.result,
        r.dmarc.result,
        r.dmarc.disposition,
        receipt.action.word(),
    )
}

/// The DKIM lines of a verified message: one per signature.
fn verify_dkim(out: &mut dyn Write, r: &VerifyReport, color: bool) -> io::Result<()> {
    writeln!(out, "  {}", heading("DKIM", color))?;
    if r.dkim.is_empty() {
        writeln!(
            out,
            "    {} the message has no DKIM-Signature",
            word(Status::Info, color)
        )?;
    }
    for d in &r.dkim {
        // The status word agrees with the result word: only a pass is a
        // pass, and a pass with unsigned content past l= is a warning.
        let s = match d.result {
            AuthResult::Pass if d.unsigned_bytes.is_some_and(|n| n > 0) => Status::Warn,
            AuthResult::Pass => Status::Pass,
            AuthResult::TempError => Status::Error,
            _ => Status::Fail,
        };
        let key = match (&d.key_type, d.key_bits) {
            (Some(t), Some(b)) => format!(", {t} {b}-bit key"),
            (Some(t), None) => format!(", {t} key"),
            _ => String::new(),
        };
        let tag = |name: &str, v: Option<&str>| match v {
            Some(v) => format!(" {name}={v}"),
            None => format!(" (no {name}=)"),
        };
        writeln!(
            out,
            "    {} dkim={}{}{}{}{}{key}",
            word(s, color),
            d.result,
            tag("d", d.domain.as_deref()),
            tag("s", d.selector.as_deref()),
            tag("a", d.algorithm.as_deref()),
            tag("c", d.canonicalization.as_deref()),
        )?;
        if let Some(reason) = &d.reason {
            writeln!(out, "          why: {reason}")?;
        }
        for n in &d.notes {
            writeln!(out, "          note: {n}")?;
        }
    }
    Ok(())
}

/// The SPF line of a verified message.
fn verify_spf(out: &mut dyn Write, r: &VerifyReport, color: bool) -> io::Result<()> {
    writeln!(out, "  {}", heading("SPF", color))?;
    let spf_status = match r.spf.result {
        Verdict::Pass => Status::Pass,
        Verdict::TempError => Status::Error,
        Verdict::None | Verdict::Neutral => Status::Warn,
        Verdict::Fail | Verdict::SoftFail | Verdict::PermError => Status::Fail,
    };
    match (&r.spf.domain, r.spf.identity) {
        (Some(dom), Some(identity)) => {
            let matched = match (&r.spf.mechanism, &r.spf.mechanism_domain) {
                (Some(m), Some(md)) => format!(", matched \"{m}\" in the record of {md}"),
                _ => String::new(),
            };
            writeln!(
                out,
                "    {} spf={} for the {identity} identity {dom}{matched}",
                word(spf_status, color),
                r.spf.result
            )?;
        }
        _ => writeln!(
            out,
            "    {} spf=none: no MAIL FROM, Return-Path or HELO to check",
            word(Status::Warn, color)
        )?,
    }
    Ok(())
}

/// The DMARC lines of a verified message: the policy, alignment and disposition.
fn verify_dmarc(out: &mut dyn Write, r: &VerifyReport, color: bool) -> io::Result<()> {
    writeln!(out, "  {}", heading("DMARC", color))?;
    let dm = &r.dmarc;
    let dstatus = match dm.result {
        DmarcWord::Pass => Status::Pass,
        DmarcWord::TempError => Status::Error,
        DmarcWord::None => Status::Warn,
        DmarcWord::Fail | DmarcWord::PermError => Status::Fail,
    };
    match (&dm.record_domain, dm.policy) {
        (Some(rd), Some(p)) => {
            writeln!(
                out,
                "    {} dmarc={}: policy {p} ({}={p}) from _dmarc.{rd}{}",
                word(dstatus, color),
                dm.result,
                dm.policy_tag.unwrap_or(PolicyTag::P),
                if rd != &r.from_domain {
                    format!(", the organizational record for {}", r.from_domain)
                } else {
                    String::new()
                }
            )?;
        }
        (Some(rd), None) => writeln!(
            out,
            "    {} dmarc={}: the record at _dmarc.{rd} was not applied",
            word(dstatus, color),
            dm.result,
        )?,
        (None, _) => writeln!(
            out,
            "    {} dmarc={}: no DMARC record for {}",
            word(dstatus, color),
            dm.result,
            r.from_domain
        )?,
    }
    let spf_dom = r.spf.domain.as_deref().unwrap_or("none");
    writeln!(
        out,
        "          SPF {}aligned (aspf={}: {} vs From {})",
        if dm.spf_aligned { "" } else { "not " },
        dm.aspf,
        spf_dom,
        r.from_domain
    )?;
    let dkim_doms: Vec<&str> = r
        .dkim
        .iter()
        .filter(|d| d.result == AuthResult::Pass)
        .filter_map(|d| d.domain.as_deref())
        .collect();
    writeln!(
        out,
        "          DKIM {}aligned (adkim={}: {} vs From {})",
        if dm.dkim_aligned { "" } else { "not " },
        dm.adkim,
        if dkim_doms.is_empty() {
            "no passing signature".to_string()
        } else {
            dkim_doms.join(", ")
        },
        r.from_domain
    )?;
    if dm.testing {
        writeln!(
            out,
            "          t=y (testing): the next lower policy applies"
        )?;
    }
    if let Some(pct) = dm.pct {
        writeln!(
            out,
            "          pct={pct}: an RFC 7489 receiver applies the policy to {pct}% of failing mail and the next lower policy to the rest; RFC 9989 ignores pct"
        )?;
    }
    for note in &dm.notes {
        writeln!(out, "          note: {note}")?;
    }
    writeln!(out, "          disposition: {}", dm.disposition)?;
    Ok(())
}

/// The ARC lines of a verified message, when it has ARC sets.
fn verify_arc(out: &mut dyn Write, r: &VerifyReport, color: bool) -> io::Result<()> {
    let Some(arc) = &r.arc else {
        return Ok(());
    };
    writeln!(out, "  {}", heading("ARC", color))?;
    let s = match arc.result {
        AuthResult::Pass => Status::Pass,
        AuthResult::TempError => Status::Error,
        AuthResult::None => Status::Info,
        _ => Status::Fail,
    };
    writeln!(
        out,
        "    {} arc={}: {} ARC set{}",
        word(s, color),
        arc.result,
        arc.instances,
        if arc.instances == 1 { "" } else { "s" }
    )?;
    if let Some(reason) = &arc.reason {
        writeln!(out, "          why: {reason}")?;
    }
    Ok(())
}

fn bold(s: &str, color: bool) -> ColoredString {
    if color { s.bold() } else { s.normal().clear() }
}

fn heading(s: &str, color: bool) -> ColoredString {
    if color { s.bold() } else { s.normal().clear() }
}

/// What separates two items' reports in a text run: an empty line.
pub fn separator(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out)
}

/// The closing line of a text run, after an empty line: how many items
/// ended in each status.
pub fn summary(out: &mut dyn Write, statuses: &[Status]) -> io::Result<()> {
    let count = |s| statuses.iter().filter(|x| **x == s).count();
    writeln!(
        out,
        "\n{} checked: {} pass, {} warn, {} fail, {} error",
        statuses.len(),
        count(Status::Pass) + count(Status::Info),
        count(Status::Warn),
        count(Status::Fail),
        count(Status::Error)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Finding;
    use crate::verify::SignatureVerdict;

    fn signature(result: AuthResult) -> SignatureVerdict {
        SignatureVerdict {
            result,
            domain: Some("example.com".into()),
            selector: Some("s1".into()),
            algorithm: Some("rsa-sha256".into()),
            canonicalization: Some("relaxed/relaxed".into()),
            reason: None,
            notes: Vec::new(),
            key_bits: None,
            key_type: None,
            unsigned_bytes: None,
            header_b: None,
            auid: None,
        }
    }

    #[test]
    fn dkim_lines_never_show_unknown_tags_and_their_status_matches_the_word() {
        let mut report = VerifyReport::unfinished("m.eml");
        let mut broken = signature(AuthResult::PermError);
        broken.domain = None;
        broken.selector = None;
        broken.algorithm = None;
        broken.canonicalization = None;
        let mut appended = signature(AuthResult::Pass);
        appended.unsigned_bytes = Some(40);
        report.dkim = vec![
            signature(AuthResult::Pass),
            signature(AuthResult::Fail),
            broken,
            appended,
            signature(AuthResult::TempError),
        ];
        let mut buf = Vec::new();
        verify(&mut buf, &report, false).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(!text.contains("=?"), "{text}");
        for line in [
            "    pass  dkim=pass d=example.com s=s1 a=rsa-sha256 c=relaxed/relaxed\n",
            "    fail  dkim=fail d=example.com",
            "    fail  dkim=permerror (no d=) (no s=) (no a=) (no c=)\n",
            "    warn  dkim=pass d=example.com",
            "    error dkim=temperror d=example.com",
        ] {
            assert!(text.contains(line), "{line:?} in\n{text}");
        }
    }

    #[test]
    fn groups_by_area_and_shows_fix_only_when_wrong() {
        let report = DomainReport {
            domain: "example.com".into(),
            findings: vec![
                Finding::new("mx.records", Status::Pass, "1 MX record")
                    .record("example.com. MX 10 mx.example.com."),
                Finding::new("spf.all", Status::Fail, "ends in +all").fix("end with -all"),
            ],
        };
        let mut buf = Vec::new();
        domain(&mut buf, &report, false).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(text.starts_with("example.com: fail\n"));
        assert!(text.contains("  MX\n    pass  1 MX record  [mx.records]\n          example.com. MX 10 mx.example.com.\n"));
        assert!(
            text.contains(
                "  SPF\n    fail  ends in +all  [spf.all]\n          fix: end with -all\n"
            )
        );
        assert!(!text.contains('\u{1b}'));
    }
}
