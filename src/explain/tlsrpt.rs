//! Entries for the `tlsrpt.*` findings: SMTP TLS Reporting (RFC 8460).

use super::Entry;

/// The `tlsrpt.*` entries.
pub static ENTRIES: &[Entry] = &[
    Entry {
        name: "tlsrpt.record",
        checks: "whether _smtp._tls.DOMAIN holds exactly one valid v=TLSRPTv1 record, and whether a domain that enforces TLS with MTA-STS or DANE publishes one",
        why: "with MTA-STS or DANE, a sender that cannot set up TLS does not deliver; TLS-RPT is how those senders tell the domain, so without it mail is lost unseen",
        rfc: "RFC 8460 3, RFC 8461, RFC 7672",
        fix: "publish one TXT record at _smtp._tls.DOMAIN: \"v=TLSRPTv1; rua=mailto:ADDRESS\"",
        example: "_smtp._tls.example.com. TXT \"v=TLSRPTv1; rua=mailto:tls-reports@example.com\"",
    },
    Entry {
        name: "tlsrpt.rua",
        checks: "whether every rua= URI of the TLS-RPT record is a mailto: address or an https: URL",
        why: "senders send reports only to the schemes RFC 8460 defines; a record with an invalid URI is invalid as a whole and ignored",
        rfc: "RFC 8460 3",
        fix: "list mailto:ADDRESS and/or https://HOST/PATH URIs in rua=, separated by commas",
        example: "_smtp._tls.example.com. TXT \"v=TLSRPTv1; rua=mailto:tls@example.com,https://reports.example.net/tls\"",
    },
];
