//! Entries for the `expect.*` findings: what a `mailcheck.toml` expects of
//! a domain (`mailcheck check`).

use super::Entry;

/// The `expect.*` entries.
pub static ENTRIES: &[Entry] = &[
    Entry {
        name: "expect.sender",
        checks: "whether an address, a CIDR block or an include listed in senders may send \
                 for the domain: check_host() gives pass (every address of a block of at \
                 most 256, else its first and last), or the SPF tree includes the domain",
        why: "a server that sends the domain's mail without SPF pass fails SPF at \
              receivers; unless DKIM passes aligned, DMARC fails too and the domain's \
              policy sends its mail to spam or rejects it",
        rfc: "RFC 7208 4, RFC 7208 5.2",
        fix: "authorize the sender in the domain's SPF record (ip4:, ip6: or include:), \
              or correct senders in mailcheck.toml",
        example: "example.com. TXT \"v=spf1 ip4:203.0.113.0/28 include:_spf.provider.example -all\"",
    },
    Entry {
        name: "expect.not-sender",
        checks: "whether an address, a CIDR block or an include listed in not_senders is \
                 kept out: check_host() does not give pass, and the SPF tree does not \
                 include the domain",
        why: "every address SPF passes can send mail that passes DMARC as the domain: a \
              retired provider or a shared range left in the record lets others spoof it",
        rfc: "RFC 7208 4, RFC 7208 5.2",
        fix: "remove the mechanism or include that authorizes it from the SPF record, or \
              correct not_senders in mailcheck.toml",
        example: "",
    },
    Entry {
        name: "expect.dmarc-policy",
        checks: "whether the DMARC policy that applies to the domain (its own p=, or the \
                 sp= or p= found by the tree walk), lowered one step by t=y, is at least \
                 dmarc_policy (none < quarantine < reject)",
        why: "a policy weaker than intended, often left from a roll-out or lowered by \
              mistake, lets spoofed mail from the domain be delivered",
        rfc: "RFC 9989 4.7, RFC 9989 4.10",
        fix: "publish the intended p= (and remove t=y when the roll-out is done), or lower \
              dmarc_policy in mailcheck.toml",
        example: "_dmarc.example.com. TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@example.com\"",
    },
    Entry {
        name: "expect.selector",
        checks: "whether each selector in selectors has a DKIM key record that a verifier \
                 can use: present, parseable, not revoked",
        why: "mail signed with a selector whose key is missing, broken or revoked fails \
              DKIM at every receiver (permerror), and with it DMARC unless SPF passes \
              aligned",
        rfc: "RFC 6376 3.6.1, RFC 6376 3.6.2.1, RFC 6376 6.1.2",
        fix: "publish the selector's public key at SELECTOR._domainkey.DOMAIN (mailcheck \
              dkim keygen prints the record), or remove the selector from selectors",
        example: "s1._domainkey.example.com. TXT \"v=DKIM1; k=rsa; p=MIIBIjANBgkq...\"",
    },
    Entry {
        name: "expect.key-bits",
        checks: "whether the RSA key of each selector in selectors has at least \
                 min_key_bits bits (Ed25519 keys always pass)",
        why: "short RSA keys can be factored and signatures forged; verifiers refuse keys \
              under 1024 bits and 2048 bits is the usual minimum",
        rfc: "RFC 8301 3.2, RFC 8463",
        fix: "generate a larger key (mailcheck dkim keygen --algorithm rsa-2048), publish \
              it under a new selector and sign with it",
        example: "",
    },
    Entry {
        name: "expect.mx",
        checks: "whether the domain's MX hosts (a null MX aside) are exactly those in mx, \
                 in any order",
        why: "an MX host that was not meant to be there receives the domain's mail, and a \
              missing one drops a route for it: both are changes a review should have seen",
        rfc: "RFC 5321 5.1, RFC 7505",
        fix: "publish MX records for exactly the intended hosts, or correct mx in \
              mailcheck.toml if the change is intended",
        example: "example.com. MX 10 mx1.example.com.",
    },
    Entry {
        name: "expect.allow",
        checks: "whether each [[domain.allow]] entry still accepts a finding that warns or \
                 fails",
        why: "an exception whose problem is gone would silently accept the next problem \
              with that name: stale exceptions are removed, not kept",
        rfc: "",
        fix: "remove the stale [[domain.allow]] entry, or correct its finding or match",
        example: "",
    },
];
