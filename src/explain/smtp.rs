//! Entries for the `smtp.*` findings.

use super::Entry;

/// The `smtp.*` entries.
pub static ENTRIES: &[Entry] = &[
    Entry {
        name: "smtp.mx",
        checks: "which hosts mailcheck smtp probes: the domain's MX hosts in preference \
                 order, none for a null MX, the name itself when there is no MX",
        why: "a sending server delivers to these hosts in this order; a domain that does \
              not exist has no mail server to deliver to",
        rfc: "RFC 5321 5.1, RFC 7505",
        fix: "publish MX records naming the hosts that receive mail for the domain (check \
              the domain's spelling if it does not exist)",
        example: "example.com. MX 10 mail.example.com.",
    },
    Entry {
        name: "smtp.connect",
        checks: "whether a TCP connection to the host's SMTP port (25 unless a port is \
                 given) succeeds, at each of its addresses",
        why: "a sending server that cannot connect queues the mail and bounces it after \
              days; but outbound port 25 is often blocked by ISPs, cloud providers and \
              firewalls, so a failure here may be the probing network's, not the server's",
        rfc: "RFC 5321 3.1, RFC 5321 5.1",
        fix: "outbound port 25 is often blocked by ISPs, cloud providers and firewalls; run \
              the probe from a host that may send mail before concluding the server is \
              down, and make sure the server listens on port 25 at every published address",
        example: "",
    },
    Entry {
        name: "smtp.banner",
        checks: "whether the server greets with a complete 220 reply, and how long the \
                 greeting took",
        why: "a sending server waits for the 220 greeting before it says anything; a 4xx \
              or 5xx greeting, or none, means no mail is accepted on this connection",
        rfc: "RFC 5321 3.1, RFC 5321 4.2, RFC 5321 4.3.2",
        fix: "make the server greet with 220; if it refuses only the probing address, retry \
              from a host that may send mail",
        example: "220 mail.example.com ESMTP",
    },
    Entry {
        name: "smtp.ehlo",
        checks: "whether the server answers EHLO with 250 and the list of its extensions, \
                 before and after STARTTLS",
        why: "without an EHLO reply there is no ESMTP, so no STARTTLS and no size or \
              8-bit announcements: mail travels in the clear or not at all",
        rfc: "RFC 5321 4.1.1.1, RFC 3207 4.2",
        fix: "enable ESMTP (EHLO) on the server, and answer EHLO again after the TLS \
              handshake",
        example: "250-mail.example.com\n250-PIPELINING\n250-SIZE 52428800\n250-STARTTLS\n250 8BITMIME",
    },
    Entry {
        name: "smtp.starttls",
        checks: "whether the server offers STARTTLS in its EHLO reply, accepts it with 220, \
                 and sends nothing more before the TLS handshake",
        why: "without STARTTLS, mail to the domain crosses the network unencrypted and can be \
              read or changed on the way; data sent before the handshake can be used to \
              inject commands",
        rfc: "RFC 3207 4, RFC 3207 4.2",
        fix: "install a certificate for the MX host name and enable STARTTLS on the server",
        example: "250-STARTTLS",
    },
    Entry {
        name: "smtp.tls",
        checks: "whether the TLS handshake after STARTTLS completes, and with which TLS \
                 version and cipher suite",
        why: "a handshake that fails leaves senders the choice of sending in the clear or \
              not at all; TLS 1.0 and 1.1 are deprecated and refused by current clients",
        rfc: "RFC 3207 4.1, RFC 8996",
        fix: "make the server offer TLS 1.2 or 1.3 with current cipher suites, under a host \
              name TLS can check",
        example: "",
    },
    Entry {
        name: "smtp.certificate",
        checks: "whether the server's certificate chains to a trusted root (the public roots, \
                 or --ca) and is valid now for the MX host name",
        why: "senders that authenticate the server (MTA-STS, DANE, or a configured policy) \
              refuse to deliver over a certificate that is expired, self-signed or issued \
              for another name",
        rfc: "RFC 3207 4.1, RFC 7817, RFC 6125 6",
        fix: "install a certificate from a public CA whose names include the MX host name, \
              together with its intermediate certificates, and renew it before it expires",
        example: "",
    },
    Entry {
        name: "smtp.ptr",
        checks: "forward-confirmed reverse DNS of each address probed: its PTR names a host \
                 that resolves back to the address",
        why: "receivers check the reverse DNS of the hosts that send to them; an MX host \
              that also sends mail (bounces, forwards) without a matching PTR gets that \
              mail refused or marked as spam",
        rfc: "RFC 8601 3, RFC 1912 2.1",
        fix: "ask whoever owns the address to set its PTR to the host's name, and make that \
              name resolve back to the same address",
        example: "25.2.0.192.in-addr.arpa. PTR mail.example.com.\nmail.example.com. A 192.0.2.25",
    },
];
