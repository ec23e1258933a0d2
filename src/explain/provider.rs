//! Entries for the `provider.*` findings: the mail providers a domain uses
//! and what each documents (the rules are in `check::provider::table`).

use super::Entry;

/// The `provider.*` entries.
pub static ENTRIES: &[Entry] = &[
    Entry {
        name: "provider.detected",
        checks: "which mail providers the domain uses, from its MX hosts, the includes of its SPF tree and the CNAME targets of its DKIM selectors",
        why: "each provider documents records the domain must publish for its mail to authenticate; knowing the providers tells which records to expect",
        rfc: "RFC 5321 5.1, RFC 7208 5.2, RFC 6376 3.6.2.1",
        fix: "nothing to fix: this only reports what was recognised",
        example: "example.com. MX 1 smtp.google.com.",
    },
    Entry {
        name: "provider.spf",
        checks: "whether the SPF record includes each provider that sends mail for the domain with the domain as MAIL FROM",
        why: "mail a provider sends with a MAIL FROM of the domain fails SPF unless the domain's SPF record authorizes the provider's servers",
        rfc: "RFC 7208 5.2",
        fix: "add the provider's include: to the domain's one SPF record, before its all term",
        example: "example.com. TXT \"v=spf1 include:_spf.google.com ~all\"",
    },
    Entry {
        name: "provider.mx",
        checks: "whether the MX records name the full set of hosts the provider documents",
        why: "a partial set loses the provider's redundancy: when the one host published is down, mail waits or bounces",
        rfc: "RFC 5321 5.1",
        fix: "publish every MX host the provider lists for the domain",
        example: "mg.example.com. MX 10 mxa.mailgun.org.\nmg.example.com. MX 10 mxb.mailgun.org.",
    },
    Entry {
        name: "provider.dkim",
        checks: "whether every DKIM selector the provider signs with is published, delegated by CNAME where the provider documents it",
        why: "providers rotate between their selectors; a selector left out, or a CNAME copied from another domain, makes DKIM fail once the provider signs with it, and DMARC then rests on SPF alone",
        rfc: "RFC 6376 3.6.2.1",
        fix: "publish every DKIM record the provider's console lists for the domain, exactly as shown",
        example: "selector1._domainkey.example.com. CNAME selector1-example-com._domainkey.contoso.onmicrosoft.com.",
    },
    Entry {
        name: "provider.mail-from",
        checks: "whether mail sent through the provider (Amazon SES) uses a custom MAIL FROM subdomain with the provider's MX and an SPF record that includes it",
        why: "without a custom MAIL FROM, the provider's own domain is the SPF identity, so SPF never aligns with the domain for DMARC; without the SPF include, mail from that subdomain fails SPF",
        rfc: "RFC 7208 2.4, RFC 7489 3.1.2",
        fix: "set a custom MAIL FROM subdomain in the provider's console and publish its MX and SPF records",
        example: "bounce.example.com. MX 10 feedback-smtp.us-east-1.amazonses.com.\nbounce.example.com. TXT \"v=spf1 include:amazonses.com ~all\"",
    },
];
