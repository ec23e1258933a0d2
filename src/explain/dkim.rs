//! Entries for the `dkim.*` findings.

use super::Entry;

/// The `dkim.*` entries.
pub static ENTRIES: &[Entry] = &[
    Entry {
        name: "dkim.selector",
        checks: "whether a DKIM key record exists at SELECTOR._domainkey.DOMAIN for the \
                 selectors given (or for common selectors, when none is given), including \
                 keys delegated by CNAME to a provider",
        why: "a verifier fetches the key named by a signature's s= and d= tags; when the \
              name holds no key every signature with that selector fails (permerror, key \
              not found), and DMARC can then pass only through SPF",
        rfc: "RFC 6376 3.1, RFC 6376 3.6.2.1, RFC 6376 6.1.2",
        fix: "publish the public key as a TXT record at SELECTOR._domainkey.DOMAIN (or the \
              CNAME your provider gives you); mailcheck dkim keygen prints one",
        example: "s1._domainkey.example.com. TXT \"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOC...\"",
    },
    Entry {
        name: "dkim.key",
        checks: "whether the selector holds exactly one key record, and whether it parses \
                 with a usable p= public key",
        why: "a record that does not parse, or a p= that is not a public key, makes every \
              signature with that selector fail; with several key records a verifier uses \
              one of them at its choice, so signatures fail unpredictably",
        rfc: "RFC 6376 3.6.1, RFC 6376 3.6.2.2",
        fix: "publish exactly one record per selector, v=DKIM1; k=rsa (or k=ed25519); \
              p=<base64 DER public key>; rotate keys under a new selector instead of adding \
              a second record",
        example: "s1._domainkey.example.com. TXT \"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOC...\"",
    },
    Entry {
        name: "dkim.revoked",
        checks: "whether the selector's key is revoked (an empty p=)",
        why: "an empty p= tells verifiers the key is withdrawn: every signature that still \
              uses the selector fails",
        rfc: "RFC 6376 3.6.1",
        fix: "if mail is still signed with this selector, publish a new key under a new \
              selector and sign with it; otherwise stop signing with the revoked one",
        example: "old._domainkey.example.com. TXT \"v=DKIM1; p=\"",
    },
    Entry {
        name: "dkim.key-size",
        checks: "the type and size of the public key: RSA of at least 1024 bits (2048 \
                 recommended), or Ed25519",
        why: "verifiers must not accept signatures made with RSA keys shorter than 1024 \
              bits, so they count as failed; 1024-bit keys are weak today and below the \
              2048 bits signers are told to use",
        rfc: "RFC 8301 3.2, RFC 8463",
        fix: "generate a 2048-bit RSA key (mailcheck dkim keygen), publish it under a new \
              selector, sign with it, then revoke the old selector",
        example: "s2._domainkey.example.com. TXT \"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOC...\"",
    },
    Entry {
        name: "dkim.testing",
        checks: "whether the key record carries the testing flag (t=y)",
        why: "t=y tells verifiers to treat the domain's mail like unsigned mail, even when \
              a signature fails, so the signature protects nothing while the flag is set",
        rfc: "RFC 6376 3.6.1",
        fix: "remove t=y from the key record once signing works",
        example: "s1._domainkey.example.com. TXT \"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOC...\"",
    },
    Entry {
        name: "dkim.signature",
        checks: "the result of verifying one DKIM-Signature of a message: its tags, the key \
                 it names, the body hash and the signature",
        why: "a signature that fails proves nothing about the message, and DMARC counts \
              DKIM only when a signature passes for a domain aligned with From",
        rfc: "RFC 6376 6, RFC 8601 2.7.1, RFC 8301 3",
        fix: "sign with a key whose public half is published at SELECTOR._domainkey.DOMAIN, \
              after every change a mail system makes to the message; sign with SHA-256",
        example: "s1._domainkey.example.com. TXT \"v=DKIM1; k=rsa; p=MIIBIjANBgkq...\"",
    },
];
