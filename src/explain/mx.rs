//! Entries for the `mx.*` findings.

use super::Entry;

/// The `mx.*` entries.
pub static ENTRIES: &[Entry] = &[
    Entry {
        name: "mx.records",
        checks: "whether the domain exists and publishes MX records naming the hosts that \
                 receive its mail",
        why: "senders look up MX records to find where to deliver; without them they fall \
              back to the domain's own A/AAAA address (an implicit MX), and a domain with \
              neither cannot receive mail at all, so replies and bounces to it are lost",
        rfc: "RFC 5321 5.1, RFC 7505",
        fix: "publish MX records naming the hosts that receive mail for the domain, or a \
              null MX (MX 0 .) if the domain receives no mail",
        example: "example.com. MX 10 mail.example.com.",
    },
    Entry {
        name: "mx.null",
        checks: "whether the domain publishes a null MX (MX 0 .), the statement that it \
                 accepts no mail, and whether that record stands alone",
        why: "a null MX tells senders to give up at once instead of retrying for days; \
              published beside other MX records it contradicts them, and senders may \
              treat the domain as accepting no mail at all",
        rfc: "RFC 7505 3",
        fix: "a null MX must be the only MX record of its name: remove it if the domain \
              receives mail, otherwise remove the other MX records",
        example: "no-mail.example.com. MX 0 .",
    },
    Entry {
        name: "mx.ip-literal",
        checks: "whether an MX record names a host, not an IP address",
        why: "the exchange of an MX record is a domain name; senders look up the address \
              literal as a name, find nothing, and cannot deliver through that MX",
        rfc: "RFC 1035 3.3.9, RFC 5321 5.1",
        fix: "point the MX at a host name whose A/AAAA record holds the address",
        example: "example.com. MX 10 mail.example.com.\nmail.example.com. A 192.0.2.25",
    },
    Entry {
        name: "mx.cname",
        checks: "whether an MX record names a CNAME (an alias) rather than a host with its \
                 own address records",
        why: "an MX must name a host with its own A/AAAA records; senders that follow the \
              rule strictly do not chase the alias, and some refuse or delay the mail",
        rfc: "RFC 2181 10.3, RFC 5321 5.1",
        fix: "point the MX straight at the name the CNAME leads to (its canonical name)",
        example: "example.com. MX 10 mail.example.com.\nmail.example.com. A 192.0.2.25",
    },
    Entry {
        name: "mx.address",
        checks: "whether every MX host resolves to at least one A or AAAA address",
        why: "a sender that picks an MX host without an address cannot connect to it; if \
              no MX host has one, mail for the domain queues and then bounces",
        rfc: "RFC 5321 5.1",
        fix: "publish an A (and/or AAAA) record for every MX host, or remove MX records \
              that name hosts which no longer exist",
        example: "mail.example.com. A 192.0.2.25\nmail.example.com. AAAA 2001:db8::25",
    },
];
