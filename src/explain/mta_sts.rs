//! Entries for the `mta-sts.*` findings.

use super::Entry;

/// The `mta-sts.*` entries.
pub static ENTRIES: &[Entry] = &[
    Entry {
        name: "mta-sts.record",
        checks: "whether _mta-sts.DOMAIN holds exactly one TXT record starting v=STSv1 with an \
                 id= of 1 to 32 letters and digits",
        why: "the record tells sending servers that the domain has an MTA-STS policy and when \
              it changed (id=); with no valid record, or with two, senders assume there is no \
              policy and deliver over unauthenticated or plain connections",
        rfc: "RFC 8461 3.1",
        fix: "publish exactly one TXT record at _mta-sts.DOMAIN: v=STSv1; id= followed by a \
              new value (for example the date and time) every time the policy changes",
        example: "_mta-sts.example.com. TXT \"v=STSv1; id=20261204T1200\"",
    },
    Entry {
        name: "mta-sts.policy",
        checks: "whether the policy can be fetched from https://mta-sts.DOMAIN/.well-known/mta-sts.txt: \
                 a certificate valid for that name, status 200 without a redirect, \
                 Content-Type text/plain, at most 64 KiB",
        why: "senders fetch the policy exactly this way and give up on any deviation; a TXT \
              record whose policy cannot be fetched protects nothing, and senders that cached \
              an older policy keep applying it",
        rfc: "RFC 8461 3.2, RFC 8461 3.3",
        fix: "serve the policy file over HTTPS at mta-sts.DOMAIN with a publicly trusted \
              certificate for that name, as text/plain, without redirects",
        example: "https://mta-sts.example.com/.well-known/mta-sts.txt (Content-Type: text/plain)",
    },
    Entry {
        name: "mta-sts.syntax",
        checks: "whether the policy has version: STSv1, a mode: of enforce, testing or none, a \
                 max_age: from 0 to 31557600 and, unless the mode is none, at least one valid mx: \
                 pattern",
        why: "senders discard a policy they cannot parse, as if the domain had none",
        rfc: "RFC 8461 3.2",
        fix: "write one key: value pair a line: version, mode, one mx line per MX host or \
              *.domain pattern, and max_age in seconds",
        example: "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.mx.example.net\nmax_age: 1209600",
    },
    Entry {
        name: "mta-sts.mode",
        checks: "the policy's mode: enforce protects delivery, testing only reports, none \
                 withdraws the policy",
        why: "in testing mode senders still deliver over connections that fail authentication, \
              so an attacker on the path can still read or redirect the mail; only enforce \
              makes senders refuse them",
        rfc: "RFC 8461 5",
        fix: "once TLS reports (TLS-RPT) show no failures, change mode: testing to mode: \
              enforce and update the id= of the TXT record",
        example: "mode: enforce",
    },
    Entry {
        name: "mta-sts.max-age",
        checks: "how long senders cache the policy (max_age, in seconds): at least a day",
        why: "the policy protects only while senders have it cached; a short max_age lets an \
              attacker who blocks the policy fetch downgrade delivery soon after it expires",
        rfc: "RFC 8461 3.2, RFC 8461 10",
        fix: "raise max_age to weeks (for example 1209600, two weeks) once the policy is known \
              to work",
        example: "max_age: 1209600",
    },
    Entry {
        name: "mta-sts.mx",
        checks: "whether every MX host of the domain matches an mx: pattern of the policy (a \
                 pattern *.example.com stands for exactly one more label)",
        why: "a sender that enforces the policy will not deliver to an MX host the policy does \
              not list: mail to that host is deferred and then bounced. This is the usual \
              result of moving to a new mail provider without updating the policy",
        rfc: "RFC 8461 4.1, RFC 8461 5",
        fix: "add an mx: line for each MX host (or a *.domain pattern that covers it), then \
              change the id= of the _mta-sts TXT record so senders fetch the new policy",
        example: "mx: mail.example.com",
    },
];
