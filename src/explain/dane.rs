//! Entries for the `dane.*` findings.

use super::Entry;

/// The `dane.*` entries.
pub static ENTRIES: &[Entry] = &[
    Entry {
        name: "dane.tlsa",
        checks: "the TLSA records at _25._tcp.<MX host> of every MX host: usage, selector, \
                 matching type and data length suited to SMTP (DANE-EE 3 and DANE-TA 2; \
                 PKIX-TA 0 and PKIX-EE 1 are unusable for SMTP), and every MX host covered \
                 once any is",
        why: "with usable, DNSSEC-secure TLSA records, sending servers require TLS with a \
              certificate that matches them, which stops downgrade and interception; \
              unusable records leave the host with opportunistic TLS, and an MX host \
              without records is a way around the others",
        rfc: "RFC 7672 3.1, RFC 7672 3.1.3, RFC 6698 2.1",
        fix: "publish a DANE-EE record of the SHA-256 of the server's public key (TLSA 3 1 1) \
              at _25._tcp.<MX host> for every MX host, in a DNSSEC-signed zone",
        example: "_25._tcp.mx.example.com. TLSA 3 1 1 <SHA-256 of the SubjectPublicKeyInfo>",
    },
    Entry {
        name: "dane.dnssec",
        checks: "whether an MX host's TLSA records validate with DNSSEC (secure), from the \
                 trust anchor down to the host's zone",
        why: "senders use TLSA records only when they are DNSSEC-secure: in an unsigned zone \
              they are ignored, and when they are bogus a validating sender cannot deliver \
              to the host at all",
        rfc: "RFC 7672 2.1.1, RFC 7672 2.2, RFC 4035 4.3",
        fix: "sign the zone of the MX host and publish its DS at the parent, or remove the \
              TLSA records",
        example: "",
    },
    Entry {
        name: "dane.match",
        checks: "mailcheck smtp: whether the certificate the MX host presents after STARTTLS \
                 matches one of its usable TLSA records: DANE-EE (3) against the leaf, DANE-TA \
                 (2) against a CA certificate the server sends; selector 1 is the \
                 SubjectPublicKeyInfo, 0 the whole certificate; matching 1 SHA-256, 2 SHA-512",
        why: "a sender that uses DANE refuses to deliver to a host whose certificate matches \
              none of its TLSA records: a certificate renewed with a new key, without new TLSA \
              records first, stops mail from those senders",
        rfc: "RFC 7672 3.1, RFC 6698 2.1, RFC 7671 8.1",
        fix: "publish a TLSA record for the new key before the server uses it (keep the old \
              one until the change), e.g. TLSA 3 1 1 with the SHA-256 of the certificate's \
              public key",
        example: "_25._tcp.mx.example.com. TLSA 3 1 1 <SHA-256 of the SubjectPublicKeyInfo>",
    },
];
