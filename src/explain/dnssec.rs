//! Entries for the `dnssec.*` findings.

use super::Entry;

/// The `dnssec.*` entries.
pub static ENTRIES: &[Entry] = &[
    Entry {
        name: "dnssec.chain",
        checks: "the DNSSEC chain of trust from the trust anchor (the IANA root keys, or \
                 --trust-anchor) down to the domain's zone: DS at each parent, the DNSKEY set \
                 it names, and the RRSIGs over both, validated by mailcheck itself; the state is \
                 secure, insecure (a signed parent proves there is no DS), bogus or indeterminate",
        why: "a bogus chain makes validating resolvers answer SERVFAIL for every name of the \
              domain, so mail to it is deferred and its SPF, DKIM and DMARC records cannot be \
              read; an unsigned (insecure) zone cannot use DANE",
        rfc: "RFC 4035 4.3, RFC 4035 5, RFC 4034 5",
        fix: "re-sign the zone before its RRSIGs expire, and make the DS records at the \
              parent (your registrar) match a DNSKEY that signs the zone's DNSKEY set; to go \
              unsigned, remove the DS first",
        example: "example.com. DS 12345 13 2 <SHA-256 of the KSK>\n\
                  example.com. DNSKEY 257 3 13 <public key>",
    },
    Entry {
        name: "dnssec.mx",
        checks: "the RRSIG over the domain's MX records, in a signed zone: made by the zone's \
                 validated keys, within its inception and expiration times, and a good signature",
        why: "a bad or expired signature on the MX records makes validating resolvers fail \
              the lookup: senders cannot find where to deliver and defer the mail",
        rfc: "RFC 4035 5.3, RFC 4034 3",
        fix: "re-sign the zone (and keep automatic re-signing running so signatures are \
              renewed before they expire)",
        example: "",
    },
    Entry {
        name: "dnssec.txt",
        checks: "the RRSIG over the domain's TXT records (SPF lives there), in a signed zone",
        why: "a bad or expired signature makes validating receivers' SPF lookups fail \
              (temperror), which DMARC counts as no SPF pass",
        rfc: "RFC 4035 5.3, RFC 7208 2.6.6",
        fix: "re-sign the zone (and keep automatic re-signing running so signatures are \
              renewed before they expire)",
        example: "",
    },
];
