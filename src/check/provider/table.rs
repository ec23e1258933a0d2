//! What mailcheck knows about each mail provider, as data: one entry per
//! provider, so supporting a new one is one more entry here and a fixture.
//!
//! Names and name patterns are lower case and written fully qualified, with
//! their final dot, as in a zone file (which also keeps them apart from
//! finding names such as `mx.records`). `*` stands for one or more characters
//! (dots included); in DKIM targets, `{selector}` is the selector, `{domain}`
//! the checked domain and `{domain-dashed}` the checked domain with its dots
//! replaced by dashes.
//!
//! Each entry cites the page its rules come from. Where a detail could not
//! be confirmed against the provider's own documentation, the entry says so
//! and mailcheck only reports it (info), never fails on it.

/// How much weight a missing piece of a provider's setup carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// Not expected of this provider (or not where mailcheck can see it).
    None,
    /// Reported as info: the documentation could not be confirmed, or the
    /// piece is only needed in some setups.
    Info,
    /// Reported as a warning: documented, and mail suffers without it.
    Warn,
}

/// A group of DKIM selectors a provider has its customers publish together.
#[derive(Debug, Clone, Copy)]
pub struct DkimSet {
    /// The selectors. A pattern with `*` stands for selectors that cannot be
    /// guessed (per-customer tokens): only those seen can be counted.
    pub selectors: &'static [&'static str],
    /// How many selectors of the set a complete setup publishes.
    pub count: usize,
    /// Where each selector's CNAME must point; empty when the provider has
    /// the key published as TXT at the selector itself.
    pub targets: &'static [&'static str],
}

/// One mail provider.
#[derive(Debug, Clone, Copy)]
pub struct Provider {
    /// The name shown in reports.
    pub name: &'static str,
    /// SPF include targets (or redirect targets) that name this provider.
    pub spf: &'static [&'static str],
    /// Whether the checked domain's own SPF record must include the
    /// provider when the provider is detected another way.
    pub spf_weight: Weight,
    /// MX host patterns that name this provider.
    pub mx: &'static [&'static str],
    /// Sets of MX hosts, one of which a complete setup publishes in full.
    pub mx_sets: &'static [&'static [&'static str]],
    /// Domains under which this provider's DKIM CNAME targets live.
    pub dkim_domains: &'static [&'static str],
    /// Selector sets; a complete setup publishes one of them in full.
    pub dkim: &'static [DkimSet],
    /// Whether a missing DKIM setup is worth a warning.
    pub dkim_weight: Weight,
    /// Mail sent through this provider uses a custom MAIL FROM subdomain
    /// with an MX here (Amazon SES): the pattern of that MX.
    pub mail_from_mx: Option<&'static str>,
    /// The documentation the rules come from.
    pub source: &'static str,
}

impl Provider {
    /// Every selector worth probing for this provider (patterns left out).
    pub fn probe_selectors(&self) -> impl Iterator<Item = &'static str> {
        self.dkim
            .iter()
            .flat_map(|set| set.selectors.iter().copied())
            .filter(|s| !s.contains('*'))
    }
}

/// Every provider mailcheck recognises.
pub static PROVIDERS: &[Provider] = &[
    // Amazon SES. Easy DKIM: three CNAMEs TOKEN._domainkey -> TOKEN.dkim.amazonses.com
    // (SES Developer Guide, "Easy DKIM in Amazon SES",
    // https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-easy.html).
    // Custom MAIL FROM: a subdomain with MX 10 feedback-smtp.REGION.amazonses.com and
    // "v=spf1 include:amazonses.com ~all" (SES Developer Guide, "Using a custom MAIL
    // FROM domain", https://docs.aws.amazon.com/ses/latest/dg/mail-from.html).
    // SES never uses the checked domain itself as MAIL FROM, so its own SPF record
    // need not include amazonses.com.
    Provider {
        name: "Amazon SES",
        spf: &["amazonses.com."],
        spf_weight: Weight::None,
        mx: &[
            "feedback-smtp.*.amazonses.com.",
            "inbound-smtp.*.amazonaws.com.",
        ],
        mx_sets: &[],
        dkim_domains: &["dkim.amazonses.com."],
        dkim: &[DkimSet {
            selectors: &["*"],
            count: 3,
            targets: &["{selector}.dkim.amazonses.com."],
        }],
        dkim_weight: Weight::Warn,
        mail_from_mx: Some("feedback-smtp.*.amazonses.com."),
        source: "https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-easy.html; https://docs.aws.amazon.com/ses/latest/dg/mail-from.html",
    },
    // Microsoft 365. DKIM: selector1/selector2 CNAMEs to
    // selector1-DOMAIN-DASHED._domainkey.TENANT.onmicrosoft.com, or, for domains added
    // since May 2025, ...TENANT.X-v1.dkim.mail.microsoft (Microsoft Learn, "How to use
    // DKIM for email in your custom domain",
    // https://learn.microsoft.com/defender-office-365/email-authentication-dkim-configure).
    // MX TENANT.mail.protection.outlook.com and include:spf.protection.outlook.com
    // ("Add DNS records to connect your domain",
    // https://learn.microsoft.com/microsoft-365/admin/get-help-with-domains/create-dns-records-at-any-dns-hosting-provider);
    // those two were confirmed only through third-party guides quoting that page.
    Provider {
        name: "Microsoft 365",
        spf: &["spf.protection.outlook.com."],
        spf_weight: Weight::Warn,
        mx: &["*.mail.protection.outlook.com."],
        mx_sets: &[&["*.mail.protection.outlook.com."]],
        dkim_domains: &["onmicrosoft.com.", "dkim.mail.microsoft."],
        dkim: &[DkimSet {
            selectors: &["selector1", "selector2"],
            count: 2,
            targets: &[
                "{selector}-{domain-dashed}._domainkey.*.onmicrosoft.com.",
                "{selector}-{domain-dashed}._domainkey.*.dkim.mail.microsoft.",
            ],
        }],
        dkim_weight: Weight::Warn,
        mail_from_mx: None,
        source: "https://learn.microsoft.com/defender-office-365/email-authentication-dkim-configure; https://learn.microsoft.com/microsoft-365/admin/get-help-with-domains/create-dns-records-at-any-dns-hosting-provider",
    },
    // Google Workspace. include:_spf.google.com (Google Workspace Admin Help, "Set up
    // SPF", https://support.google.com/a/answer/10685031); DKIM TXT at the default
    // selector "google" ("Set up DKIM", https://support.google.com/a/answer/174126);
    // MX smtp.google.com, or the older ASPMX.L.GOOGLE.COM set ("Set up MX records",
    // https://support.google.com/a/answer/140034). Confirmed through guides that
    // quote those pages; the selector is only the default, so a missing key is info.
    Provider {
        name: "Google Workspace",
        spf: &["_spf.google.com."],
        spf_weight: Weight::Warn,
        mx: &[
            "smtp.google.com.",
            "aspmx.l.google.com.",
            "*.aspmx.l.google.com.",
            "aspmx*.googlemail.com.",
        ],
        mx_sets: &[
            &["smtp.google.com."],
            &[
                "aspmx.l.google.com.",
                "alt1.aspmx.l.google.com.",
                "alt2.aspmx.l.google.com.",
            ],
        ],
        dkim_domains: &[],
        dkim: &[DkimSet {
            selectors: &["google"],
            count: 1,
            targets: &[],
        }],
        dkim_weight: Weight::Info,
        mail_from_mx: None,
        source: "https://support.google.com/a/answer/10685031; https://support.google.com/a/answer/174126; https://support.google.com/a/answer/140034",
    },
    // SendGrid (automated security). s1/s2 CNAMEs to s1.domainkey.uNNN.wlNNN.sendgrid.net
    // and a return-path subdomain emNNN CNAME to uNNN.wlNNN.sendgrid.net, so the
    // checked domain's own SPF does not need include:sendgrid.net (Twilio SendGrid
    // docs, "How to set up domain authentication",
    // https://www.twilio.com/docs/sendgrid/ui/account-and-settings/how-to-set-up-domain-authentication;
    // the record names were confirmed through a guide quoting the console).
    Provider {
        name: "SendGrid",
        spf: &["sendgrid.net."],
        spf_weight: Weight::None,
        mx: &["mx.sendgrid.net."],
        mx_sets: &[],
        dkim_domains: &["sendgrid.net."],
        dkim: &[DkimSet {
            selectors: &["s1", "s2"],
            count: 2,
            targets: &["{selector}.domainkey.*.sendgrid.net."],
        }],
        dkim_weight: Weight::Warn,
        mail_from_mx: None,
        source: "https://www.twilio.com/docs/sendgrid/ui/account-and-settings/how-to-set-up-domain-authentication",
    },
    // Mailgun. include:mailgun.org on the sending domain, MX mxa.mailgun.org and
    // mxb.mailgun.org (EU: mxa.eu.mailgun.org, mxb.eu.mailgun.org) for receiving
    // (Mailgun Help Center, "Domain verification",
    // https://help.mailgun.com/hc/en-us/articles/360026833053; confirmed through
    // third-party setup guides). Mailgun's DKIM selectors vary by account and
    // could not be confirmed: mailcheck expects none.
    Provider {
        name: "Mailgun",
        spf: &["mailgun.org.", "eu.mailgun.org."],
        spf_weight: Weight::Info,
        mx: &[
            "mxa.mailgun.org.",
            "mxb.mailgun.org.",
            "mxa.eu.mailgun.org.",
            "mxb.eu.mailgun.org.",
        ],
        mx_sets: &[
            &["mxa.mailgun.org.", "mxb.mailgun.org."],
            &["mxa.eu.mailgun.org.", "mxb.eu.mailgun.org."],
        ],
        dkim_domains: &["mailgun.org."],
        dkim: &[],
        dkim_weight: Weight::None,
        mail_from_mx: None,
        source: "https://help.mailgun.com/hc/en-us/articles/360026833053",
    },
    // Postmark. DKIM TXT at a date-based selector ending in "pm" (e.g.
    // 20240101000000pm), which cannot be guessed; include:spf.mtasv.net is optional
    // (Postmark's own return path, pm-bounces CNAME pm.mtasv.net, carries SPF)
    // (Postmark support, "DKIM",
    // https://postmarkapp.com/support/article/1091-how-do-i-set-up-dkim-for-postmark).
    // Confirmed only through third-party guides quoting Postmark's console: info only.
    Provider {
        name: "Postmark",
        spf: &["spf.mtasv.net."],
        spf_weight: Weight::Info,
        mx: &["inbound.postmarkapp.com."],
        mx_sets: &[],
        dkim_domains: &["mtasv.net."],
        dkim: &[DkimSet {
            selectors: &["*pm"],
            count: 1,
            targets: &[],
        }],
        dkim_weight: Weight::Info,
        mail_from_mx: None,
        source: "https://postmarkapp.com/support/article/1091-how-do-i-set-up-dkim-for-postmark",
    },
    // Zoho Mail. include:zoho.com (EU include:zoho.eu, also zohomail.com), MX
    // mx.zoho.com, mx2.zoho.com, mx3.zoho.com (Zoho Mail Help, "Configure email
    // delivery", https://www.zoho.com/mail/help/adminconsole/configure-email-delivery.html;
    // confirmed through MxToolbox and third-party guides). DKIM selectors are chosen
    // by the customer: none is expected.
    Provider {
        name: "Zoho Mail",
        spf: &[
            "zoho.com.",
            "zohomail.com.",
            "zoho.eu.",
            "zohomail.eu.",
            "zoho.in.",
        ],
        spf_weight: Weight::Warn,
        mx: &[
            "mx.zoho.com.",
            "mx2.zoho.com.",
            "mx3.zoho.com.",
            "mx.zoho.eu.",
            "mx2.zoho.eu.",
            "mx3.zoho.eu.",
            "mx.zohomail.com.",
            "mx2.zohomail.com.",
            "mx3.zohomail.com.",
        ],
        mx_sets: &[
            &["mx.zoho.com.", "mx2.zoho.com.", "mx3.zoho.com."],
            &["mx.zoho.eu.", "mx2.zoho.eu.", "mx3.zoho.eu."],
            &["mx.zohomail.com.", "mx2.zohomail.com.", "mx3.zohomail.com."],
        ],
        dkim_domains: &[],
        dkim: &[],
        dkim_weight: Weight::None,
        mail_from_mx: None,
        source: "https://www.zoho.com/mail/help/adminconsole/configure-email-delivery.html",
    },
    // Fastmail. fm1/fm2/fm3 CNAMEs to fmN.DOMAIN.dkim.fmhosted.com (Fastmail Help,
    // "Manual DNS configuration", https://www.fastmail.help/hc/en-us/articles/360060591153);
    // include:spf.messagingengine.com and MX in1-smtp/in2-smtp.messagingengine.com
    // (same page; confirmed through a guide quoting it).
    Provider {
        name: "Fastmail",
        spf: &["spf.messagingengine.com."],
        spf_weight: Weight::Warn,
        mx: &[
            "in1-smtp.messagingengine.com.",
            "in2-smtp.messagingengine.com.",
        ],
        mx_sets: &[&[
            "in1-smtp.messagingengine.com.",
            "in2-smtp.messagingengine.com.",
        ]],
        dkim_domains: &["dkim.fmhosted.com."],
        dkim: &[DkimSet {
            selectors: &["fm1", "fm2", "fm3"],
            count: 3,
            targets: &["{selector}.{domain}.dkim.fmhosted.com."],
        }],
        dkim_weight: Weight::Warn,
        mail_from_mx: None,
        source: "https://www.fastmail.help/hc/en-us/articles/360060591153",
    },
    // Proton Mail. include:_spf.protonmail.ch; protonmail, protonmail2, protonmail3
    // CNAMEs to protonmail.domainkey.ID.domains.proton.ch (Proton support,
    // "Anti-spoofing for custom domains", https://proton.me/support/anti-spoofing-custom-domain);
    // MX mail.protonmail.ch and mailsec.protonmail.ch (Proton support, "How to set up
    // a custom domain", https://proton.me/support/custom-domain; confirmed through
    // third-party guides).
    Provider {
        name: "Proton Mail",
        spf: &["_spf.protonmail.ch."],
        spf_weight: Weight::Warn,
        mx: &["mail.protonmail.ch.", "mailsec.protonmail.ch."],
        mx_sets: &[&["mail.protonmail.ch.", "mailsec.protonmail.ch."]],
        dkim_domains: &["domains.proton.ch."],
        dkim: &[DkimSet {
            selectors: &["protonmail", "protonmail2", "protonmail3"],
            count: 3,
            targets: &["{selector}.domainkey.*.domains.proton.ch."],
        }],
        dkim_weight: Weight::Warn,
        mail_from_mx: None,
        source: "https://proton.me/support/anti-spoofing-custom-domain; https://proton.me/support/custom-domain",
    },
    // Mailchimp and Mandrill (Mailchimp Transactional). include:spf.mandrillapp.com;
    // mte1/mte2 CNAMEs to dkim1.mandrillapp.com/dkim2.mandrillapp.com (Mailchimp
    // developer docs, "Authentication and delivery",
    // https://mailchimp.com/developer/transactional/docs/authentication-delivery/;
    // targets confirmed through third-party guides). Mailchimp marketing: k2/k3
    // CNAMEs to dkim2/dkim3.mcsv.net, include:servers.mcsv.net (not confirmed).
    Provider {
        name: "Mailchimp/Mandrill",
        spf: &["spf.mandrillapp.com.", "servers.mcsv.net."],
        spf_weight: Weight::Info,
        mx: &[],
        mx_sets: &[],
        dkim_domains: &["mandrillapp.com.", "mcsv.net."],
        dkim: &[
            DkimSet {
                selectors: &["mte1", "mte2"],
                count: 2,
                targets: &["dkim*.mandrillapp.com.", "dkim*.mcsv.net."],
            },
            DkimSet {
                selectors: &["k2", "k3"],
                count: 2,
                targets: &["dkim*.mcsv.net."],
            },
        ],
        dkim_weight: Weight::Warn,
        mail_from_mx: None,
        source: "https://mailchimp.com/developer/transactional/docs/authentication-delivery/",
    },
    // Brevo (formerly Sendinblue). include:spf.brevo.com, older include:spf.sendinblue.com;
    // brevo1/brevo2 CNAMEs under dkim.brevo.com (Brevo Help Center, "Authenticate
    // your domain", https://help.brevo.com/hc/en-us/articles/12163873383186). The
    // selectors and targets could not be confirmed: info only.
    Provider {
        name: "Brevo",
        spf: &["spf.brevo.com.", "spf.sendinblue.com."],
        spf_weight: Weight::Info,
        mx: &[],
        mx_sets: &[],
        dkim_domains: &["dkim.brevo.com."],
        dkim: &[DkimSet {
            selectors: &["brevo1", "brevo2"],
            count: 2,
            targets: &["*.dkim.brevo.com."],
        }],
        dkim_weight: Weight::Info,
        mail_from_mx: None,
        source: "https://help.brevo.com/hc/en-us/articles/12163873383186",
    },
];

/// A table name without its final dot, as names are compared and shown.
pub fn bare(name: &str) -> &str {
    name.strip_suffix('.').unwrap_or(name)
}

/// Whether `name` (lower case, no final dot) matches `pattern` (see the
/// module docs).
pub fn matches(pattern: &str, name: &str) -> bool {
    glob(bare(pattern), name)
}

fn glob(pattern: &str, name: &str) -> bool {
    let Some((head, tail)) = pattern.split_once('*') else {
        return pattern == name;
    };
    if name.len() <= head.len() || !name.starts_with(head) {
        return false;
    }
    let rest = &name[head.len()..];
    if !tail.contains('*') {
        return rest.len() > tail.len() && rest.ends_with(tail);
    }
    // Another `*` follows: try every split of the rest.
    (1..=rest.len()).any(|i| rest.is_char_boundary(i) && glob(tail, &rest[i..]))
}

/// A DKIM target pattern with its placeholders filled in.
pub fn fill(pattern: &str, selector: &str, domain: &str) -> String {
    bare(pattern)
        .replace("{selector}", selector)
        .replace("{domain-dashed}", &domain.replace('.', "-"))
        .replace("{domain}", domain)
}

/// Whether `name` is `domain` or a name under it.
pub fn under(name: &str, domain: &str) -> bool {
    let domain = bare(domain);
    name == domain
        || name
            .strip_suffix(domain)
            .is_some_and(|head| head.ends_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_one_or_more_characters() {
        assert!(matches(
            "*.mail.protection.outlook.com",
            "contoso-com.mail.protection.outlook.com"
        ));
        assert!(!matches(
            "*.mail.protection.outlook.com",
            "mail.protection.outlook.com"
        ));
        assert!(matches(
            "feedback-smtp.*.amazonses.com",
            "feedback-smtp.us-east-1.amazonses.com"
        ));
        assert!(!matches(
            "feedback-smtp.*.amazonses.com",
            "feedback-smtp.amazonses.com"
        ));
        assert!(matches("*pm", "20240101pm"));
        assert!(!matches("*pm", "pm"));
        assert!(matches("smtp.google.com", "smtp.google.com"));
        assert!(!matches("smtp.google.com", "xsmtp.google.com"));
        let target = fill(
            "{selector}-{domain-dashed}._domainkey.*.onmicrosoft.com",
            "selector1",
            "m365.example",
        );
        assert!(matches(
            &target,
            "selector1-m365-example._domainkey.contoso.onmicrosoft.com"
        ));
        assert!(!matches(
            &target,
            "selector1-other-example._domainkey.contoso.onmicrosoft.com"
        ));
        assert!(matches(
            "{s}.domainkey.*.domains.proton.ch"
                .replace("{s}", "protonmail")
                .as_str(),
            "protonmail.domainkey.dabc.domains.proton.ch"
        ));
    }

    #[test]
    fn under_needs_a_label_boundary() {
        assert!(under("dkim.amazonses.com", "amazonses.com"));
        assert!(under("amazonses.com", "amazonses.com"));
        assert!(!under("notamazonses.com", "amazonses.com"));
    }

    #[test]
    fn every_provider_can_be_detected_and_cites_a_source() {
        for p in PROVIDERS {
            assert!(
                !p.spf.is_empty() || !p.mx.is_empty() || !p.dkim_domains.is_empty(),
                "{}",
                p.name
            );
            assert!(p.source.starts_with("https://"), "{}", p.name);
            for set in p.dkim {
                assert!(
                    set.count >= 1
                        && (set.selectors.iter().any(|s| s.contains('*'))
                            || set.count == set.selectors.len()),
                    "{}",
                    p.name
                );
            }
        }
        assert_eq!(PROVIDERS.len(), 11);
    }
}
