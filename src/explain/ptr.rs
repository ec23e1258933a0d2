//! Entries for the `ptr.*` findings.

use super::Entry;

/// The `ptr.*` entries.
pub static ENTRIES: &[Entry] = &[
    Entry {
        name: "ptr.ip",
        checks: "forward-confirmed reverse DNS of the sending IP given with --ip: its PTR \
                 names a host whose A/AAAA records include the IP again",
        why: "receivers check the reverse DNS of the connecting address (the iprev method); \
              mail from an address without a matching PTR is often refused, greylisted or \
              scored as spam",
        rfc: "RFC 8601 3, RFC 1912 2.1",
        fix: "ask whoever owns the address (the hosting or network provider) to set its PTR \
              to the sending host's name, and give that name an A/AAAA record with the same \
              address",
        example: "25.2.0.192.in-addr.arpa. PTR mail.example.com.\nmail.example.com. A 192.0.2.25",
    },
    Entry {
        name: "ptr.mx",
        checks: "forward-confirmed reverse DNS of every MX host address: its PTR names a host \
                 whose A/AAAA records include the address again",
        why: "the MX hosts usually also send mail (bounces, forwards, replies); receivers \
              that find no matching PTR for them distrust or refuse that mail",
        rfc: "RFC 8601 3, RFC 1912 2.1",
        fix: "ask whoever owns the address to set its PTR to the MX host's name, and make \
              that name resolve back to the same address",
        example: "25.2.0.192.in-addr.arpa. PTR mail.example.com.\nmail.example.com. A 192.0.2.25",
    },
];
