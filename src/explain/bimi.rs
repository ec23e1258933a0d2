//! Entries for the `bimi.*` findings. BIMI itself is an Internet-Draft
//! (draft-brand-indicators-for-message-identification) and a BIMI Group
//! guide, not an RFC; the entries cite the RFCs its rules rest on.

use super::Entry;

/// The `bimi.*` entries.
pub static ENTRIES: &[Entry] = &[
    Entry {
        name: "bimi.record",
        checks: "whether default._bimi.DOMAIN (or that of the organizational domain) holds one \
                 TXT record starting v=BIMI1 with l= and a= tags (BIMI draft, assertion record)",
        why: "mailbox providers that support BIMI read this record to find the brand's logo; \
              without a valid record no logo is shown next to the domain's mail",
        rfc: "RFC 6376 3.2",
        fix: "publish one TXT record at default._bimi.DOMAIN: v=BIMI1; l= the HTTPS URL of the \
              SVG logo; a= the HTTPS URL of the mark certificate, or empty",
        example: "default._bimi.example.com. TXT \"v=BIMI1; l=https://example.com/bimi/logo.svg; a=https://example.com/bimi/vmc.pem\"",
    },
    Entry {
        name: "bimi.dmarc",
        checks: "whether DMARC is at enforcement: the policy that applies to the domain and the \
                 organizational domain's p= are quarantine or reject, without t=y and without a \
                 pct below 100",
        why: "BIMI shows a logo only on mail that passed DMARC under a policy that stops \
              spoofing; with p=none, testing or partial enforcement providers show no logo",
        rfc: "RFC 9989 4.7, RFC 7489 6.3",
        fix: "move the DMARC policy to p=quarantine or p=reject (and sp= likewise) without t=y \
              or pct once the aggregate reports show that your mail passes",
        example: "_dmarc.example.com. TXT \"v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.com\"",
    },
    Entry {
        name: "bimi.authority",
        checks: "whether a= is empty or an HTTPS URL of a mark certificate (VMC or CMC) in PEM \
                 whose leaf has the BIMI extended key usage, is within its validity dates and \
                 names the domain or its organizational domain (the chain to a mark verifying \
                 authority is not verified)",
        why: "the largest mailbox providers show a logo only when a mark certificate vouches \
              for it; an a= that is not an HTTPS URL is unusable",
        rfc: "RFC 3709 4, RFC 6170 4",
        fix: "obtain a Verified Mark Certificate or Common Mark Certificate for the domain and \
              publish its PEM (leaf first) at an HTTPS URL named in a=",
        example: "a=https://example.com/bimi/vmc.pem",
    },
    Entry {
        name: "bimi.logo",
        checks: "whether l= is an HTTPS URL of the logo",
        why: "providers fetch the logo only over HTTPS; a record without a usable l= shows no \
              logo",
        rfc: "RFC 9110 4.2.2",
        fix: "publish the SVG logo at an HTTPS URL and name it in l=",
        example: "l=https://example.com/bimi/logo.svg",
    },
    Entry {
        name: "bimi.svg",
        checks: "whether the logo can be fetched (status 200, at most 32 KiB) and follows the \
                 SVG Tiny PS basics: baseProfile=\"tiny-ps\" and version=\"1.2\", a <title>, no \
                 scripts or event handlers, no animation, multimedia or foreignObject, no \
                 references outside the file",
        why: "providers refuse logos that do not follow the SVG Tiny Portable/Secure profile, \
              because scripts and external references would run or load in the reader's mail \
              client",
        rfc: "RFC 6170 5",
        fix: "export the logo as SVG Tiny PS (the BIMI Group publishes conversion tools): \
              baseProfile=\"tiny-ps\" version=\"1.2\", a <title> with the brand name, no \
              scripts, no links, images or fonts from elsewhere",
        example: "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.2\" baseProfile=\"tiny-ps\" viewBox=\"0 0 100 100\"><title>Example</title>...</svg>",
    },
];
