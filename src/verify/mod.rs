//! `mailcheck verify`: what a receiver would conclude about a message from
//! an IP. Every DKIM signature, SPF for the MAIL FROM (or HELO) identity,
//! ARC, DMARC alignment and the disposition, evaluated by mail-auth over the
//! same DNS layer as the rest of mailcheck; mailcheck adds the words (why a
//! signature failed, which mechanism matched, which record applied).
//!
//! DKIM and ARC verdicts follow the RFCs, not mail-auth: [`sig`] and [`tags`]
//! apply the rules of RFC 6376 / 8617 / 8301 that mail-auth skips, [`dkim`]
//! and [`arc`] map its outcomes to RFC 8601 words (the tables are there),
//! [`own`] verifies the `l=` signatures mail-auth refuses, and the
//! Authentication-Results `dkim=` and `arc=` parts are written from those
//! verdicts (`authres`).

pub mod arc;
mod authres;
pub mod dkim;
pub mod input;
pub mod memo;
pub mod own;
mod prefetch;
pub mod sig;
pub mod tags;
#[cfg(test)]
mod tests;

pub use crate::words::{
    Alignment, AuthResult, DmarcResult as DmarcWord, Policy as PolicyWord, PolicyTag, SpfIdentity,
};

use crate::{
    auth::Auth,
    check::dmarc::{self, Discovery},
    dns::{Answer, Dns, DnsFailure, Rcode},
    report::Status,
};
use futures_util::future::join_all;
use hickory_resolver::proto::rr::RecordType;
use mail_auth::{
    AuthenticatedMessage, AuthenticationResults, DkimOutput, DkimResult, DmarcResult, Parameters,
    SpfOutput, SpfResult,
    dmarc::{Policy, verify::DmarcParameters},
    spf::verify::SpfParameters,
};
use std::net::IpAddr;

/// The connection a message is verified as having arrived on.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// The sending IP.
    pub ip: IpAddr,
    /// The HELO/EHLO name.
    pub helo: Option<String>,
    /// The MAIL FROM address; when absent, the message's Return-Path.
    pub mail_from: Option<String>,
    /// The receiver's name in Authentication-Results (RFC 8601 authserv-id).
    pub authserv_id: String,
}

/// One DKIM-Signature and what became of it.
#[derive(Debug, Clone)]
pub struct SignatureVerdict {
    /// The signature's result.
    pub result: AuthResult,
    /// `d=`.
    pub domain: Option<String>,
    /// `s=`.
    pub selector: Option<String>,
    /// `a=` as written.
    pub algorithm: Option<String>,
    /// `c=` as `header/body`.
    pub canonicalization: Option<String>,
    /// Why it did not pass, in words.
    pub reason: Option<String>,
    /// Facts worth knowing even when it passed (weak key, testing key, l=, rsa-sha1).
    pub notes: Vec<String>,
    /// The key's size in bits (RSA) when the key was found.
    pub key_bits: Option<usize>,
    /// `rsa` or `ed25519`, when the key was found.
    pub key_type: Option<String>,
    /// With `l=`: how many canonical body bytes lie past the signed length
    /// (unsigned content); `None` without `l=` or when it was not verified.
    pub unsigned_bytes: Option<u64>,
    /// The first 8 characters of `b=` (RFC 6008 `header.b`).
    pub header_b: Option<String>,
    /// `i=`, when given.
    pub auid: Option<String>,
}

/// SPF for the message.
#[derive(Debug, Clone)]
pub struct SpfVerdict {
    /// The RFC 7208 result.
    pub result: crate::spf::Verdict,
    /// The domain whose record was evaluated.
    pub domain: Option<String>,
    /// `mailfrom` or `helo` (or null when there was no identity to check).
    pub identity: Option<SpfIdentity>,
    /// The directive that matched, as written.
    pub mechanism: Option<String>,
    /// The domain whose record holds that directive.
    pub mechanism_domain: Option<String>,
}

/// DMARC for the message.
#[derive(Debug, Clone)]
pub struct DmarcVerdict {
    /// The DMARC result.
    pub result: DmarcWord,
    /// The published policy that applies (`p`, `sp` or `np`), before `t=y`.
    pub policy: Option<PolicyWord>,
    /// Which tag the policy came from.
    pub policy_tag: Option<PolicyTag>,
    /// What a receiver applying the policy does.
    pub disposition: PolicyWord,
    /// SPF passed for a domain aligned with the From domain.
    pub spf_aligned: bool,
    /// A DKIM signature passed for a domain aligned with the From domain.
    pub dkim_aligned: bool,
    /// `t=y`.
    pub testing: bool,
    /// A legacy `pct` below 100.
    pub pct: Option<u8>,
    /// The domain whose `_dmarc` record applied.
    pub record_domain: Option<String>,
    /// That record's text.
    pub record: Option<String>,
    /// The organizational domain (RFC 9989 4.10.2).
    pub organizational_domain: Option<String>,
    /// `adkim` and `aspf`: `r` or `s`.
    pub adkim: Alignment,
    /// See `adkim`.
    pub aspf: Alignment,
    /// What the verdict had to assume, in words (a parent in the DNS tree
    /// walk that could not be asked).
    pub notes: Vec<String>,
}

/// ARC, when the message carries ARC headers.
#[derive(Debug, Clone)]
pub struct ArcVerdict {
    /// The chain's validation result.
    pub result: AuthResult,
    /// How many ARC sets the chain has.
    pub instances: usize,
    /// Why it did not pass.
    pub reason: Option<String>,
}

/// Everything `mailcheck verify` says about one message.
#[derive(Debug, Clone)]
pub struct VerifyReport {
    /// The message as named by the user.
    pub message: String,
    /// The RFC 5322 From domain.
    pub from_domain: String,
    /// SPF.
    pub spf: SpfVerdict,
    /// One entry per DKIM-Signature, in header order.
    pub dkim: Vec<SignatureVerdict>,
    /// DMARC.
    pub dmarc: DmarcVerdict,
    /// ARC, when present.
    pub arc: Option<ArcVerdict>,
    /// The Authentication-Results header a receiver would add (value only).
    pub authentication_results: String,
}

impl VerifyReport {
    /// The report for a message the run's `--deadline` cut short: every
    /// evaluation is temperror, so the status is error (exit 3).
    pub fn unfinished(label: &str) -> VerifyReport {
        VerifyReport {
            message: label.to_string(),
            from_domain: String::new(),
            spf: SpfVerdict {
                result: crate::spf::Verdict::TempError,
                domain: None,
                identity: None,
                mechanism: None,
                mechanism_domain: None,
            },
            dkim: Vec::new(),
            dmarc: DmarcVerdict {
                result: DmarcWord::TempError,
                policy: None,
                policy_tag: None,
                disposition: PolicyWord::None,
                spf_aligned: false,
                dkim_aligned: false,
                testing: false,
                pct: None,
                record_domain: None,
                record: None,
                organizational_domain: None,
                adkim: Alignment::R,
                aspf: Alignment::R,
                notes: Vec::new(),
            },
            arc: None,
            // Nothing was concluded, so there is nothing a receiver would record.
            authentication_results: String::new(),
        }
    }

    /// Would a receiver accept it: DMARC passes or, with no DMARC record, an
    /// aligned SPF or DKIM pass exists.
    pub fn passes(&self) -> bool {
        self.dmarc.result == DmarcWord::Pass
            || (self.dmarc.policy.is_none()
                && self.dmarc.result == DmarcWord::None
                && (self.dmarc.spf_aligned || self.dmarc.dkim_aligned))
    }

    /// A DNS failure kept some check from completing.
    pub fn inconclusive(&self) -> bool {
        self.spf.result == crate::spf::Verdict::TempError
            || self.dmarc.result == DmarcWord::TempError
            || self.dkim.iter().any(|d| d.result == AuthResult::TempError)
    }

    /// The overall status: pass, error (inconclusive) or fail.
    pub fn status(&self) -> Status {
        if self.passes() {
            Status::Pass
        } else if self.inconclusive() {
            Status::Error
        } else {
            Status::Fail
        }
    }
}

/// mail-auth's DMARC result as mailcheck's word.
fn dmarc_word(r: &DmarcResult) -> DmarcWord {
    match r {
        DmarcResult::Pass => DmarcWord::Pass,
        DmarcResult::Fail(_) => DmarcWord::Fail,
        DmarcResult::TempError(_) => DmarcWord::TempError,
        DmarcResult::PermError(_) => DmarcWord::PermError,
        DmarcResult::None => DmarcWord::None,
    }
}

/// mail-auth's policy as mailcheck's word (an unspecified policy is none).
fn policy_word(p: Policy) -> PolicyWord {
    match p {
        Policy::Reject => PolicyWord::Reject,
        Policy::Quarantine => PolicyWord::Quarantine,
        Policy::None | Policy::Unspecified => PolicyWord::None,
    }
}

/// mail-auth's alignment mode as mailcheck's word.
fn alignment(a: &mail_auth::dmarc::Alignment) -> Alignment {
    if *a == mail_auth::dmarc::Alignment::Strict {
        Alignment::S
    } else {
        Alignment::R
    }
}

/// Verify one message as a receiver would.
pub async fn verify(
    auth: &Auth,
    message: &input::Message,
    envelope: &Envelope,
) -> Result<VerifyReport, String> {
    let dns = auth.dns();
    let label = &message.label;
    let parsed = AuthenticatedMessage::parse(&message.bytes).ok_or_else(|| {
        format!("{label}: not an RFC 5322 message (no header fields could be parsed)")
    })?;
    let from = parsed.first_from_address().to_string();
    let from_domain = match from.rsplit_once('@') {
        Some((_, d)) if !d.trim().is_empty() => crate::names::domain(d)
            .map_err(|e| format!("{label}: the From address {from} has an invalid domain: {e}"))?,
        _ => {
            return Err(format!(
                "{label}: the From header has no address with a domain; DMARC cannot be evaluated"
            ));
        }
    };

    // SPF identity: --mail-from, else Return-Path; empty or absent -> HELO.
    let mail_from = envelope.mail_from.clone().or_else(|| return_path(&parsed));
    let mail_from = mail_from.filter(|m| !m.trim().is_empty() && m.trim() != "<>");
    let helo = envelope.helo.clone();

    // Every DKIM-Signature and ARC header, read by our own rules.
    let split = own::split(&message.bytes);
    let found = dkim::signatures(&split);
    let arc_headers = arc::ArcHeaders::read(&split);

    // Fetch, through our own DNS layer, every name mail-auth's DKIM and ARC
    // evaluations will ask, with the From domain's DMARC tree walk. The
    // answers land in mail-auth's caches, and mail-auth gets a resolver with
    // no nameserver: nothing goes to a second stack.
    // SPF and the DMARC discovery depend on the domains and the connection
    // only: each is worked out once per run ([`memo`]).
    let memos = auth.memos();
    let prefetch = prefetch::txt_names_for_mailauth(&found, &arc_headers);
    let spf_key = memo::SpfKey {
        ip: envelope.ip,
        mail_from: mail_from.clone(),
        helo: helo.clone(),
        receiver: envelope.authserv_id.clone(),
    };
    let (lookups, discovery, spf_report) = tokio::join!(
        join_all(
            prefetch
                .iter()
                .map(|n| async move { (n.clone(), for_mailauth(auth, n, RecordType::TXT).await) })
        ),
        discover(auth, &from_domain),
        memos.spf(spf_key, || async {
            std::sync::Arc::new(
                spf_for(
                    dns,
                    envelope.ip,
                    mail_from.as_deref(),
                    helo.as_deref(),
                    &envelope.authserv_id,
                )
                .await,
            )
        }),
    );
    let discovery = discovery.ok();
    let key_of = |name: Option<String>| -> std::sync::Arc<dkim::Key> {
        match name.and_then(|n| lookups.iter().find(|(q, _)| *q == n)) {
            Some((name, lookup)) => memos.key(name, lookup),
            None => std::sync::Arc::new(dkim::Key::NoName),
        }
    };

    let authenticator = auth.authenticator();
    let (dkim_outputs, arc_output) = tokio::join!(
        authenticator.verify_dkim(Parameters::new(&parsed).with_cache(auth.caches())),
        authenticator.verify_arc(Parameters::new(&parsed).with_cache(auth.caches()))
    );

    // mail-auth's output for each of our signatures: the one whose header
    // lies inside that field.
    let output_for = |f: &dkim::Found<'_>| -> Option<usize> {
        let range = f.field.as_ptr_range();
        dkim_outputs.iter().position(|o| {
            o.signature().is_some_and(|s| {
                parsed
                    .dkim_signatures()
                    .iter()
                    .find(|h| std::ptr::eq(&h.header, s))
                    .is_some_and(|h| range.contains(&h.value.as_ptr()))
            })
        })
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let judged: Vec<dkim::Judged> = found
        .iter()
        .map(|f| {
            dkim::judge(
                f,
                &split,
                &dkim_outputs,
                output_for(f),
                &key_of(f.sig.key_name()),
                now,
            )
        })
        .collect();

    // DMARC counts exactly the signatures reported as pass (and those whose
    // key lookup failed, as temperror), nothing mail-auth alone accepted.
    let own_signatures: Vec<mail_auth::dkim::Signature> = found
        .iter()
        .zip(&judged)
        .filter(|(_, j)| j.own_pass)
        .filter_map(|(f, _)| {
            let colon = memchr::memchr(b':', f.field).map_or(0, |c| c + 1);
            mail_auth::dkim::Signature::parse(&f.field[colon..]).ok()
        })
        .collect();
    let mut dmarc_dkim: Vec<DkimOutput<'_>> = judged
        .iter()
        .filter_map(|j| j.for_dmarc.map(|i| dkim_outputs[i].clone()))
        .collect();
    dmarc_dkim.extend(
        own_signatures
            .iter()
            .map(|s| DkimOutput::from(DkimResult::Pass).with_signature(s)),
    );

    let (spf_output, spf_verdict, spf_domain) =
        (&spf_report.0, spf_report.1.clone(), &spf_report.2);
    // What mail-auth's DMARC evaluation will ask beyond the From domain's
    // walk, fetched the same way first.
    let signers: Vec<&str> = dmarc_dkim
        .iter()
        .filter_map(|o| o.signature().map(|s| s.d.as_str()))
        .collect();
    let spf_candidate = spf_domain
        .as_deref()
        .filter(|_| matches!(spf_output.result(), SpfResult::Pass | SpfResult::TempError));
    let (walks, np_matters) = prefetch::dmarc_names_for_mailauth(
        &from_domain,
        discovery.as_deref(),
        &signers,
        spf_candidate,
    );
    let (walk_lookups, _) = tokio::join!(
        join_all(walks.iter().map(|n| for_mailauth(auth, n, RecordType::TXT))),
        async {
            if np_matters {
                let _ = for_mailauth(auth, &from_domain, RecordType::A).await;
            }
        }
    );
    // A `_dmarc` name above the record that applies which the server would
    // not answer (an authoritative server refuses its parents) only matters
    // for the organizational domain. mail-auth is told it holds no record,
    // and alignment is then checked with the public suffix list below.
    let mut unanswered: Vec<(String, DnsFailure)> = discovery
        .as_ref()
        .filter(|d| d.applies.is_some())
        .map(|d| d.unanswered.clone())
        .unwrap_or_default();
    if discovery.as_ref().is_some_and(|d| d.applies.is_some()) {
        for (name, lookup) in walks.iter().zip(&walk_lookups) {
            if let Err(e) = lookup
                && !unanswered.iter().any(|(n, _)| n == name)
            {
                unanswered.push((name.clone(), e.clone()));
            }
        }
    }
    for (name, _) in &unanswered {
        if let Ok(n) = crate::dns::parse_name(name) {
            let absent = Answer::negative(Rcode::NxDomain);
            auth.caches()
                .learn(&n, RecordType::TXT, &Ok(std::sync::Arc::new(absent)));
        }
    }
    let dmarc_output = authenticator
        .verify_dmarc(
            Parameters::new(DmarcParameters::new(
                &parsed,
                &dmarc_dkim,
                spf_domain.as_deref().unwrap_or(""),
                spf_output,
            ))
            .with_cache(auth.caches()),
        )
        .await;

    let dkim: Vec<SignatureVerdict> = judged.into_iter().map(|j| j.verdict).collect();

    let arc = arc_headers.present().then(|| {
        let keys: Vec<std::sync::Arc<dkim::Key>> = arc_headers
            .key_names()
            .into_iter()
            .map(|n| key_of(Some(n)))
            .collect();
        arc::judge(&arc_headers, &arc_output, &keys)
    });

    let mut dmarc = dmarc_verdict(dns, &from_domain, &dmarc_output, discovery.as_deref()).await;
    if dmarc.policy.is_none()
        && !from_domain.contains('.')
        && let Some(rd) = &dmarc.record_domain
    {
        // RFC 9989 leaves no organizational domain to a single label, and
        // receivers evaluate no DMARC for one: the record is shown, not
        // applied.
        let note = format!(
            "{from_domain} is a single label: receivers evaluate no DMARC for it, so the record at _dmarc.{rd} does not apply"
        );
        dmarc.notes.push(note);
    }
    let dmarc_by_psl = !unanswered.is_empty()
        && psl_alignment(&mut dmarc, &from_domain, &spf_verdict, &dkim, &unanswered);
    if dmarc.policy.is_none() {
        // No DMARC record: say whether an aligned pass exists anyway (relaxed
        // alignment by organizational domain, from the public suffix list).
        let org = dmarc::org_domain(&from_domain);
        dmarc.spf_aligned = spf_verdict.result == crate::spf::Verdict::Pass
            && spf_verdict
                .domain
                .as_deref()
                .is_some_and(|d| dmarc::org_domain(d) == org);
        dmarc.dkim_aligned = dkim.iter().any(|d| {
            d.result == AuthResult::Pass
                && d.domain
                    .as_deref()
                    .is_some_and(|x| dmarc::org_domain(x) == org)
        });
    }

    // Authentication-Results: dkim= and arc= from our words; spf= and
    // dmarc= as mail-auth writes them.
    let mut spf_part = AuthenticationResults::new(&envelope.authserv_id);
    if let Some(d) = &spf_domain {
        let mf = mail_from.clone().unwrap_or_default();
        let helo_name = helo.clone().unwrap_or_else(|| d.clone());
        let sp = match spf_verdict.identity {
            Some(SpfIdentity::MailFrom) => {
                SpfParameters::mail_from(envelope.ip, &helo_name, &envelope.authserv_id, &mf)
            }
            _ => SpfParameters::helo(envelope.ip, &helo_name, &envelope.authserv_id),
        };
        spf_part = spf_part.with_spf_result(spf_output, &sp);
    }
    let dmarc_part =
        AuthenticationResults::new(&envelope.authserv_id).with_dmarc_result(&dmarc_output);
    // mail-auth's parts, without the authserv-id each starts with.
    let part = |p: &AuthenticationResults<'_>| p.to_string().split_off(envelope.authserv_id.len());
    let mut ar = envelope.authserv_id.clone();
    for d in &dkim {
        ar.push_str(&authres::dkim(d));
    }
    if dkim.is_empty() {
        // RFC 8601 2.7.1: "none", the message was not signed.
        ar.push_str("; dkim=none");
    }
    ar.push_str(&part(&spf_part));
    if let Some(a) = &arc {
        ar.push_str(&authres::arc(a, envelope.ip));
    }
    if dmarc_by_psl {
        ar.push_str(&authres::dmarc(&dmarc, &from_domain));
    } else {
        ar.push_str(&part(&dmarc_part));
    }
    let authentication_results = unfold(&ar);

    Ok(VerifyReport {
        message: label.clone(),
        from_domain,
        spf: spf_verdict,
        dkim,
        dmarc,
        arc,
        authentication_results,
    })
}

/// Ask a question whose answer mail-auth will read from its caches. From
/// zones, its caches answer any name on demand. Live, they hold only what
/// was fetched, and they are bounded apart from the DNS memo: an answer the
/// memo still serves may have left them, so it is put back
/// ([`crate::auth::Caches::ensure`]); otherwise mail-auth would report
/// temperror for a record that was found.
async fn for_mailauth(auth: &Auth, name: &str, rtype: RecordType) -> crate::dns::Lookup {
    let dns = auth.dns();
    let lookup = dns.query_str(name, rtype).await;
    if !dns.is_offline()
        && let Ok(n) = crate::dns::parse_name(name)
    {
        auth.caches().ensure(&n, rtype, &lookup);
    }
    lookup
}

/// DMARC discovery for the From domain (RFC 9989 4.10), once per run.
/// mail-auth's DMARC evaluation then reads the same `_dmarc` names from its
/// caches; live, they are asked again (the DNS memo answers) so that those
/// caches hold them ([`for_mailauth`]).
async fn discover(auth: &Auth, domain: &str) -> memo::DiscoveryOutcome {
    let dns = auth.dns();
    let outcome = auth
        .memos()
        .discovery(domain, || async {
            dmarc::discover(dns, domain).await.map(std::sync::Arc::new)
        })
        .await;
    if !dns.is_offline()
        && let Ok(d) = &outcome
    {
        join_all(
            d.queried
                .iter()
                .map(|n| for_mailauth(auth, n, RecordType::TXT)),
        )
        .await;
    }
    outcome
}

/// The Return-Path address, without angle brackets.
fn return_path(parsed: &AuthenticatedMessage<'_>) -> Option<String> {
    parsed
        .headers()
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(b"Return-Path"))
        .map(|(_, value)| {
            String::from_utf8_lossy(value)
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .trim()
                .to_string()
        })
}

/// Collapse folding whitespace into single spaces.
fn unfold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// SPF for the MAIL FROM identity, else HELO; with neither, `none`.
/// check_host() is mailcheck's own (RFC 7208); mail-auth gets its result as
/// an `SpfOutput` for DMARC and the Authentication-Results header. An
/// identity whose domain is not a valid name is `none` (RFC 7208 2.3, 4.3).
async fn spf_for(
    dns: &Dns,
    ip: IpAddr,
    mail_from: Option<&str>,
    helo: Option<&str>,
    receiver: &str,
) -> (SpfOutput, SpfVerdict, Option<String>) {
    let domain_of = |d: &str| {
        crate::names::domain(d).unwrap_or_else(|_| d.trim_end_matches('.').to_ascii_lowercase())
    };
    let (identity, local, domain) = match (mail_from, helo) {
        (Some(mf), _) => {
            let (local, dom) = match mf.rsplit_once('@') {
                Some((l, d)) => (l, d),
                None => ("postmaster", mf),
            };
            let local = if local.is_empty() {
                "postmaster"
            } else {
                local
            };
            (SpfIdentity::MailFrom, local, domain_of(dom))
        }
        (None, Some(h)) => (SpfIdentity::Helo, "postmaster", domain_of(h)),
        (None, None) => {
            return (
                SpfOutput::new(String::new()),
                SpfVerdict {
                    result: crate::spf::Verdict::None,
                    domain: None,
                    identity: None,
                    mechanism: None,
                    mechanism_domain: None,
                },
                None,
            );
        }
    };
    if crate::spf::is_valid_domain(&domain) {
        crate::check::spf::prefetch(dns, &domain).await;
    }
    let outcome = crate::spf::check_host(
        dns,
        &crate::spf::Identity {
            ip,
            local,
            sender_domain: &domain,
            helo: helo.unwrap_or(&domain),
            receiver,
        },
        &domain,
    )
    .await;
    let mut output = SpfOutput::new(domain.clone()).with_result(outcome.verdict.to_mail_auth());
    if let Some(e) = &outcome.explanation {
        output = output.with_explanation(e.clone());
    }
    let (mechanism, mechanism_domain) = match outcome.matched {
        Some(m) => (Some(m.text), Some(m.domain)),
        None => (None, None),
    };
    let verdict = SpfVerdict {
        result: outcome.verdict,
        domain: Some(domain.clone()),
        identity: Some(identity),
        mechanism,
        mechanism_domain,
    };
    (output, verdict, Some(domain))
}

/// The DMARC verdict: mail-auth's result, plus where the record was found,
/// the published policy and the disposition.
async fn dmarc_verdict(
    dns: &Dns,
    from_domain: &str,
    out: &mail_auth::DmarcOutput,
    discovery: Option<&Discovery>,
) -> DmarcVerdict {
    let result = dmarc_word(&out.result());
    let found = discovery.and_then(|d| d.applies.map(|i| &d.walk[i]));
    let record = out.record();
    let (policy, policy_tag, testing) = match record {
        None => (None, None, false),
        Some(rec) => {
            let own = found.as_ref().is_some_and(|f| f.domain == from_domain);
            let (p, tag) = if rec.p == Policy::Unspecified {
                (Policy::None, PolicyTag::P)
            } else if own {
                (rec.p, PolicyTag::P)
            } else if rec.np != rec.sp && !domain_exists(dns, from_domain).await {
                (rec.np, PolicyTag::Np)
            } else {
                (rec.sp, PolicyTag::Sp)
            };
            (Some(policy_word(p)), Some(tag), rec.t)
        }
    };
    let disposition = disposition(result, policy, testing);
    let pct = found
        .as_ref()
        .and_then(|f| f.tag("pct"))
        .and_then(|v| v.parse::<u8>().ok())
        .filter(|p| *p < 100);
    DmarcVerdict {
        result,
        policy,
        policy_tag,
        disposition,
        spf_aligned: out.spf_result() == &DmarcResult::Pass,
        dkim_aligned: out.dkim_result() == &DmarcResult::Pass,
        testing,
        pct,
        record_domain: found.as_ref().map(|f| f.domain.clone()),
        record: found.as_ref().map(|f| f.text.clone()),
        organizational_domain: discovery.map(|d| d.organizational.clone()),
        adkim: record.map_or(Alignment::R, |r| alignment(&r.adkim)),
        aspf: record.map_or(Alignment::R, |r| alignment(&r.aspf)),
        notes: Vec::new(),
    }
}

/// What a receiver applying `policy` does with a message whose DMARC result
/// is `result`; with `t=y` one step milder (RFC 9989 5.3).
fn disposition(result: DmarcWord, policy: Option<PolicyWord>, testing: bool) -> PolicyWord {
    match (result, policy) {
        (DmarcWord::Pass, _) | (_, None) => PolicyWord::None,
        (DmarcWord::Fail, Some(PolicyWord::Reject)) if testing => PolicyWord::Quarantine,
        (DmarcWord::Fail, Some(_)) if testing => PolicyWord::None,
        (DmarcWord::Fail, Some(p)) => p,
        _ => PolicyWord::None,
    }
}

/// Alignment when a parent `_dmarc` name of the tree walk could not be
/// asked: each passing identifier is compared with the From domain, exactly
/// for `s`, and by the public suffix list's organizational domain for `r`
/// (the fallback RFC 9989 4.10.2's walk needs an answer for). Updates the
/// verdict and says so in its notes; returns whether anything was decided
/// by the list. With an exact match the unanswered names cannot matter.
fn psl_alignment(
    dmarc: &mut DmarcVerdict,
    from_domain: &str,
    spf: &SpfVerdict,
    dkim: &[SignatureVerdict],
    unanswered: &[(String, DnsFailure)],
) -> bool {
    let Some(policy) = dmarc.policy else {
        return false;
    };
    let exact = |d: &str| d.trim_end_matches('.').eq_ignore_ascii_case(from_domain);
    let spf_pass = spf.result == crate::spf::Verdict::Pass;
    let passing: Vec<&str> = dkim
        .iter()
        .filter(|d| d.result == AuthResult::Pass)
        .filter_map(|d| d.domain.as_deref())
        .collect();
    let spf_domain = spf.domain.as_deref().filter(|_| spf_pass);
    if spf_domain.is_some_and(exact) || passing.iter().any(|d| exact(d)) {
        return false;
    }
    let org = dmarc::org_domain(from_domain);
    let aligned = |d: &str, mode: Alignment| match mode {
        Alignment::S => exact(d),
        Alignment::R => dmarc::org_domain(d) == org,
    };
    let spf_aligned = spf_domain.is_some_and(|d| aligned(d, dmarc.aspf));
    let dkim_aligned = passing.iter().any(|d| aligned(d, dmarc.adkim));
    dmarc.spf_aligned = spf_aligned;
    dmarc.dkim_aligned = dkim_aligned;
    dmarc.result = if spf_aligned || dkim_aligned {
        DmarcWord::Pass
    } else {
        DmarcWord::Fail
    };
    dmarc.disposition = disposition(dmarc.result, Some(policy), dmarc.testing);
    let names: Vec<&str> = unanswered.iter().map(|(n, _)| n.as_str()).collect();
    dmarc.notes.push(format!(
        "{} could not be asked ({}): alignment was checked against the organizational domain {org} from the public suffix list",
        names.join(", "),
        unanswered[0].1
    ));
    true
}

/// RFC 8020 as mail-auth applies it for `np`: NXDOMAIN for A means the
/// domain does not exist.
async fn domain_exists(dns: &Dns, domain: &str) -> bool {
    match dns.query_str(domain, RecordType::A).await {
        Ok(a) => a.rcode != crate::dns::Rcode::NxDomain,
        Err(_) => true,
    }
}

/// SPF at MAIL FROM, as `mailcheck serve` runs it before the message is
/// read: the same check_host() evaluation `verify` makes for the MAIL FROM
/// identity, or the HELO identity when MAIL FROM is absent (null sender).
pub async fn spf_at_mail_from(
    dns: &Dns,
    ip: IpAddr,
    mail_from: Option<&str>,
    helo: Option<&str>,
    receiver: &str,
) -> SpfVerdict {
    spf_for(dns, ip, mail_from, helo, receiver).await.1
}
