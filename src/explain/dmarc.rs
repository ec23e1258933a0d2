//! Entries for the `dmarc.*` findings.

use super::Entry;

/// The `dmarc.*` entries.
pub static ENTRIES: &[Entry] = &[
    Entry {
        name: "dmarc.record",
        checks: "whether a DMARC record applies to the domain: its own at _dmarc.DOMAIN, or \
                 one found by the DNS tree walk above it; and whether that name holds \
                 exactly one",
        why: "without a DMARC record receivers apply no policy and spoofed mail using the \
              domain in From is delivered; a name with several DMARC records is ignored as \
              if it had none",
        rfc: "RFC 7489 6.1, RFC 7489 6.6.3, RFC 9989 4.10",
        fix: "publish exactly one TXT record starting v=DMARC1 at _dmarc.DOMAIN; start with \
              p=none and a rua= address, read the reports, then move to quarantine or reject",
        example: "_dmarc.example.com. TXT \"v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.com\"",
    },
    Entry {
        name: "dmarc.syntax",
        checks: "whether every tag of the DMARC record is known, appears once, and has a \
                 valid value",
        why: "receivers ignore tags they do not understand and may discard a record with \
              invalid values, so the policy you meant may not be applied",
        rfc: "RFC 9989 4.7, RFC 7489 6.3",
        fix: "correct the tags the finding names: p, sp and np take none, quarantine or \
              reject; adkim and aspf take r or s; each tag appears once",
        example: "_dmarc.example.com. TXT \"v=DMARC1; p=quarantine; adkim=s; aspf=r; rua=mailto:dmarc-reports@example.com\"",
    },
    Entry {
        name: "dmarc.policy",
        checks: "the policy that applies to the domain: p=, or sp= for a subdomain that \
                 inherits a parent's record",
        why: "p=none is monitoring only: mail that fails DMARC is still delivered, so the \
              domain is not protected from spoofing; a record without a valid p= is treated \
              as none or ignored",
        rfc: "RFC 7489 6.3, RFC 9989 4.7",
        fix: "once aggregate reports (rua=) show that all your legitimate mail passes, move \
              to p=quarantine and then p=reject",
        example: "_dmarc.example.com. TXT \"v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.com\"",
    },
    Entry {
        name: "dmarc.testing",
        checks: "whether the record has t=y (testing mode)",
        why: "with t=y receivers apply the next lower policy: reject acts as quarantine and \
              quarantine as none, so failing mail is treated more leniently than p= says",
        rfc: "RFC 9989 4.7",
        fix: "remove t=y when you are ready to enforce the policy",
        example: "_dmarc.example.com. TXT \"v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.com\"",
    },
    Entry {
        name: "dmarc.pct",
        checks: "whether the record has a legacy pct= below 100",
        why: "an RFC 7489 receiver applies the policy to only that share of failing mail and \
              the next lower policy to the rest; RFC 9989 receivers ignore pct, so the \
              domain gets different treatment from different receivers",
        rfc: "RFC 7489 6.3, RFC 7489 6.6.4, RFC 9989 4.7",
        fix: "remove pct= (use t=y while testing a stricter policy)",
        example: "_dmarc.example.com. TXT \"v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@example.com\"",
    },
    Entry {
        name: "dmarc.rua",
        checks: "whether each aggregate-report address (rua=) is a mailto: URI with a \
                 domain, and, when it is on another organizational domain, whether that \
                 domain authorizes it",
        why: "receivers send aggregate reports only to mailto: addresses, and to another \
              domain only when it has published an authorization record; without reports \
              you cannot see who sends mail as your domain before tightening the policy",
        rfc: "RFC 7489 6.3, RFC 7489 7.1",
        fix: "use rua=mailto:ADDRESS; for an address on another domain, its owner publishes \
              DOMAIN._report._dmarc.OTHER-DOMAIN. TXT \"v=DMARC1\"",
        example: "_dmarc.example.com. TXT \"v=DMARC1; p=reject; rua=mailto:reports@dmarc.example.net\"\n\
                  example.com._report._dmarc.dmarc.example.net. TXT \"v=DMARC1\"",
    },
    Entry {
        name: "dmarc.ruf",
        checks: "whether each failure-report address (ruf=) is a mailto: URI with a domain, \
                 and, when it is on another organizational domain, whether that domain \
                 authorizes it",
        why: "receivers send failure reports only to mailto: addresses, and to another \
              domain only when it has published an authorization record; otherwise the \
              reports you asked for never arrive",
        rfc: "RFC 7489 6.3, RFC 7489 7.1",
        fix: "use ruf=mailto:ADDRESS; for an address on another domain, its owner publishes \
              DOMAIN._report._dmarc.OTHER-DOMAIN. TXT \"v=DMARC1\"",
        example: "_dmarc.example.com. TXT \"v=DMARC1; p=reject; ruf=mailto:failures@dmarc.example.net\"\n\
                  example.com._report._dmarc.dmarc.example.net. TXT \"v=DMARC1\"",
    },
    Entry {
        name: "dmarc.result",
        checks: "whether a message passes DMARC (SPF or DKIM passing for a domain aligned \
                 with From), and the disposition the From domain's policy asks for",
        why: "a message that fails DMARC under p=quarantine or p=reject goes to spam or is \
              refused by receivers that follow the policy",
        rfc: "RFC 7489 3.1, RFC 7489 6.6.2, RFC 7489 6.6.4",
        fix: "make the message pass SPF or DKIM for the From domain (relaxed alignment \
              accepts subdomains): sign it with d= the From domain, or send from a MAIL \
              FROM under it whose SPF lists the server",
        example: "_dmarc.example.com. TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@example.com\"",
    },
];
