//! Entries for the `spf.*` findings.

use super::Entry;

/// The `spf.*` entries.
pub static ENTRIES: &[Entry] = &[
    Entry {
        name: "spf.record",
        checks: "whether the domain publishes exactly one SPF record (a TXT record starting \
                 v=spf1) and is a name that SPF can evaluate",
        why: "without a record receivers cannot tell which servers may send the domain's \
              mail and anyone can use its name in MAIL FROM; two or more records are a \
              permerror, which DMARC counts as a failure",
        rfc: "RFC 7208 3, RFC 7208 3.2, RFC 7208 4.5",
        fix: "publish one TXT record starting v=spf1 at the domain, listing every server \
              and service that sends its mail and ending in -all; merge duplicates into it",
        example: "example.com. TXT \"v=spf1 mx include:_spf.mail-provider.example -all\"",
    },
    Entry {
        name: "spf.include",
        checks: "whether every include: target publishes an SPF record of its own",
        why: "an include: of a name without an SPF record makes check_host() return \
              permerror for every message that reaches it, so SPF fails as a whole",
        rfc: "RFC 7208 5.2",
        fix: "correct the include: to the name the provider documents, or remove it if the \
              service is no longer used",
        example: "example.com. TXT \"v=spf1 include:_spf.mail-provider.example -all\"",
    },
    Entry {
        name: "spf.redirect",
        checks: "whether a redirect= target publishes an SPF record, and whether redirect= \
                 is ignored because the record also has an all mechanism",
        why: "a redirect= to a name without an SPF record is a permerror; beside an all \
              mechanism the redirect is never followed, so the record does not mean what \
              its author intended",
        rfc: "RFC 7208 6.1",
        fix: "point redirect= at a name that publishes an SPF record, and use either \
              redirect= or an all mechanism, not both",
        example: "sub.example.com. TXT \"v=spf1 redirect=_spf.example.com\"",
    },
    Entry {
        name: "spf.syntax",
        checks: "whether every term of every record in the SPF tree parses",
        why: "a record with a syntax error is a permerror for every message, so SPF \
              authorizes nothing and DMARC can only pass through DKIM",
        rfc: "RFC 7208 4.6, RFC 7208 5",
        fix: "correct the term the error names; mechanisms are written as all, include:, a, \
              mx, ptr, ip4:, ip6:, exists: with an optional + - ~ ? qualifier",
        example: "example.com. TXT \"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all\"",
    },
    Entry {
        name: "spf.lookups",
        checks: "how many DNS-querying terms (include, a, mx, ptr, exists, redirect) the \
                 whole SPF tree uses, against the limit of 10",
        why: "a receiver stops evaluating after 10 DNS-querying terms and returns permerror, \
              so mail from servers listed late in the tree fails SPF",
        rfc: "RFC 7208 4.6.4",
        fix: "flatten includes you control into ip4:/ip6: ranges, drop includes of services \
              you no longer use, or move senders onto their own subdomains",
        example: "example.com. TXT \"v=spf1 ip4:192.0.2.0/24 include:_spf.mail-provider.example -all\"",
    },
    Entry {
        name: "spf.void-lookups",
        checks: "how many terms of the SPF tree name nothing (a lookup answered NXDOMAIN or \
                 with no records), against the limit of 2",
        why: "more than two void lookups make receivers return permerror; they usually point \
              at services or hosts that no longer exist",
        rfc: "RFC 7208 4.6.4",
        fix: "remove the terms whose names have no records, or publish the records they \
              expect",
        example: "example.com. TXT \"v=spf1 mx include:_spf.mail-provider.example -all\"",
    },
    Entry {
        name: "spf.mx",
        checks: "whether every mx mechanism names a domain with at most 10 MX hosts",
        why: "a receiver looks up the address of at most 10 MX hosts for one mx mechanism; \
              more is a permerror for every message that reaches it",
        rfc: "RFC 7208 4.6.4, RFC 7208 5.4",
        fix: "list that domain's sending addresses as ip4:/ip6: ranges instead of mx",
        example: "example.com. TXT \"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all\"",
    },
    Entry {
        name: "spf.ptr",
        checks: "whether the SPF tree uses the ptr mechanism",
        why: "the ptr mechanism is slow and unreliable, costs receivers many lookups, and \
              RFC 7208 says not to use it; some receivers skip it, so mail that relies on it can fail",
        rfc: "RFC 7208 5.5",
        fix: "replace ptr with ip4:/ip6: ranges or a/mx mechanisms",
        example: "example.com. TXT \"v=spf1 a mx ip4:192.0.2.0/24 -all\"",
    },
    Entry {
        name: "spf.loop",
        checks: "whether an include: or redirect= leads back to a record already on its path",
        why: "a loop can never finish; receivers stop at the lookup limit and return \
              permerror, so SPF fails for every message",
        rfc: "RFC 7208 4.6.4, RFC 7208 5.2, RFC 7208 6.1",
        fix: "remove the include: or redirect= that points back up the tree",
        example: "example.com. TXT \"v=spf1 include:_spf.example.com -all\"\n\
                  _spf.example.com. TXT \"v=spf1 ip4:192.0.2.0/24 -all\"",
    },
    Entry {
        name: "spf.all",
        checks: "how the domain's record ends: -all, ~all, ?all, +all, a redirect=, or \
                 nothing",
        why: "the all mechanism decides what happens to mail from servers the record does \
              not list: +all authorizes the whole Internet, and ?all or no all at all gives \
              neutral, which protects nothing",
        rfc: "RFC 7208 5.1, RFC 7208 4.7",
        fix: "end the record with -all (or ~all while you are still finding all of your \
              senders)",
        example: "example.com. TXT \"v=spf1 mx -all\"",
    },
    Entry {
        name: "spf.ip",
        checks: "what check_host() returns for the IP given with --ip: whether that address \
                 may send mail for the domain",
        why: "a receiver runs the same evaluation for each message; an address that does not \
              pass gets fail, softfail or neutral, and its mail then relies on DKIM for DMARC",
        rfc: "RFC 7208 4, RFC 7208 2.6",
        fix: "add the sending address (ip4:/ip6:) or an include: of the provider that owns it \
              to the domain's SPF record",
        example: "example.com. TXT \"v=spf1 ip4:192.0.2.25 include:_spf.mail-provider.example -all\"",
    },
    Entry {
        name: "spf.result",
        checks: "the check_host() result for the message's MAIL FROM (or HELO) identity and \
                 the connecting IP, as verify, spf --ip and serve evaluate it",
        why: "a receiver that sees fail or softfail distrusts the message, and DMARC counts \
              SPF only when it passes for a domain aligned with From",
        rfc: "RFC 7208 2.6, RFC 7208 4, RFC 7489 3.1.2",
        fix: "add the sending server's address (ip4:, ip6:, or the provider's include:) to \
              the SPF record of the MAIL FROM domain",
        example: "bounce.example.com. TXT \"v=spf1 ip4:192.0.2.25 include:_spf.mail-provider.example -all\"",
    },
];
