//! mailcheck's own DKIM verification, for the signatures mail-auth will not
//! verify: those with a body length `l=` (mail-auth's strict parser refuses
//! them outright and returns nothing about them).
//!
//! Canonicalization follows RFC 6376 3.4 (simple and relaxed, header and
//! body), header selection 5.4.2, the signature's own header 3.7; the
//! cryptography is aws-lc-rs, the same library (and version) mail-auth
//! verifies with, so there is one crypto stack in the program: RSASSA-PKCS1
//! v1.5 with SHA-256 or SHA-1 (RFC 6376 3.3) and Ed25519 over the SHA-256
//! hash (RFC 8463). The tests check this path against mail-auth on every
//! message both can verify, and against dkimpy on `l=` signatures.

use super::sig::{Alg, Canon, SigHeader};
use aws_lc_rs::{
    digest::{self, Context, SHA1_FOR_LEGACY_USE_ONLY, SHA256},
    signature::{
        ED25519, RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
        RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY, UnparsedPublicKey,
    },
};

/// A message split into header fields (each with its CRLF) and body.
pub struct Split<'a> {
    /// Each field's full text: `Name: value\r\n`, folding included.
    pub fields: Vec<&'a [u8]>,
    /// Everything after the empty line (empty when there is none).
    pub body: &'a [u8],
}

/// Split a CRLF message into header fields and body.
pub fn split(msg: &[u8]) -> Split<'_> {
    let mut fields: Vec<&[u8]> = Vec::new();
    let mut pos = 0;
    let mut start: Option<usize> = None;
    while pos < msg.len() {
        let end = memchr::memchr(b'\n', &msg[pos..]).map_or(msg.len(), |e| pos + e + 1);
        let line = &msg[pos..end];
        if line == b"\r\n" || line == b"\n" {
            if let Some(s) = start {
                fields.push(&msg[s..pos]);
            }
            return Split {
                fields,
                body: &msg[end..],
            };
        }
        if !matches!(line[0], b' ' | b'\t') {
            if let Some(s) = start {
                fields.push(&msg[s..pos]);
            }
            start = Some(pos);
        }
        pos = end;
    }
    if let Some(s) = start {
        fields.push(&msg[s..pos]);
    }
    Split { fields, body: &[] }
}

/// A field's name (before the colon, trailing whitespace removed).
pub fn field_name(field: &[u8]) -> &[u8] {
    let colon = memchr::memchr(b':', field).unwrap_or(field.len());
    let mut name = &field[..colon];
    while let [rest @ .., b' ' | b'\t'] = name {
        name = rest;
    }
    name
}

fn is_wsp(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Canonicalize one header field (RFC 6376 3.4.1, 3.4.2); `crlf` adds the
/// final CRLF (every field but the signature's own).
pub fn canon_header(c: Canon, field: &[u8], out: &mut Vec<u8>, crlf: bool) {
    match c {
        Canon::Simple => {
            let f = field.strip_suffix(b"\r\n").unwrap_or(field);
            out.extend_from_slice(f);
        }
        Canon::Relaxed => {
            let colon = memchr::memchr(b':', field).unwrap_or(field.len());
            out.extend(field_name(field).iter().map(u8::to_ascii_lowercase));
            out.push(b':');
            let value = field.get(colon + 1..).unwrap_or_default();
            // Unfold, collapse whitespace runs, trim both ends of the value.
            let mut pending_space = false;
            let mut started = false;
            for &b in value {
                match b {
                    b'\r' | b'\n' => {}
                    b' ' | b'\t' => pending_space = started,
                    _ => {
                        if pending_space {
                            out.push(b' ');
                        }
                        pending_space = false;
                        started = true;
                        out.push(b);
                    }
                }
            }
        }
    }
    if crlf {
        out.extend_from_slice(b"\r\n");
    }
}

/// Canonicalize a body (RFC 6376 3.4.3, 3.4.4).
pub fn canon_body(c: Canon, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut lines: Vec<&[u8]> = body.split(|b| *b == b'\n').collect();
    // The text after the last LF is not a line of its own unless non-empty.
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    for line in lines {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        match c {
            Canon::Simple => out.extend_from_slice(line),
            Canon::Relaxed => {
                let mut pending = false;
                for &b in line {
                    if is_wsp(b) {
                        pending = true;
                    } else {
                        if pending {
                            out.push(b' ');
                        }
                        pending = false;
                        out.push(b);
                    }
                }
            }
        }
        out.extend_from_slice(b"\r\n");
    }
    while out.ends_with(b"\r\n\r\n") {
        out.truncate(out.len() - 2);
    }
    if out == b"\r\n" && c == Canon::Relaxed {
        out.clear();
    }
    if out.is_empty() && c == Canon::Simple {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// The header fields `h=` selects, bottom-up per name (RFC 6376 5.4.2);
/// a name with no unused instance left selects nothing.
pub fn select<'a>(fields: &[&'a [u8]], h: &[String], skip: usize) -> Vec<&'a [u8]> {
    let mut used = vec![false; fields.len()];
    used[skip] = true;
    let mut out = Vec::new();
    for name in h {
        let found = (0..fields.len())
            .rev()
            .find(|&i| !used[i] && field_name(fields[i]).eq_ignore_ascii_case(name.as_bytes()));
        if let Some(i) = found {
            used[i] = true;
            out.push(fields[i]);
        }
    }
    out
}

/// The signature's own header with the value of `b=` removed (RFC 6376 3.7).
pub fn without_b(field: &[u8]) -> Vec<u8> {
    let colon = memchr::memchr(b':', field).map_or(0, |c| c + 1);
    let mut out = field[..colon].to_vec();
    let value = &field[colon..];
    let segments: Vec<&[u8]> = value.split(|b| *b == b';').collect();
    for (i, seg) in segments.iter().enumerate() {
        if i > 0 {
            out.push(b';');
        }
        let eq = memchr::memchr(b'=', seg);
        let name = eq.map(|e| {
            let n = &seg[..e];
            let s = n
                .iter()
                .position(|b| !b" \t\r\n".contains(b))
                .unwrap_or(n.len());
            let t = n
                .iter()
                .rposition(|b| !b" \t\r\n".contains(b))
                .map_or(s, |t| t + 1);
            &n[s..t]
        });
        match (name, eq) {
            (Some(b"b"), Some(e)) => {
                out.extend_from_slice(&seg[..=e]);
                // Keep a final CRLF: it ends the field, not the value.
                if i == segments.len() - 1 && seg.ends_with(b"\r\n") {
                    out.extend_from_slice(b"\r\n");
                }
            }
            _ => out.extend_from_slice(seg),
        }
    }
    out
}

/// What our own verification concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The signature verifies. `unsigned` is how many canonical body bytes
    /// lie past `l=` (0 when the whole body is signed).
    Pass {
        /// Canonical body bytes after the signed length.
        unsigned: u64,
    },
    /// The body hash does not match.
    BodyHash,
    /// `l=` is longer than the canonical body.
    LengthBeyondBody {
        /// The canonical body's length.
        body: u64,
    },
    /// The header signature does not verify.
    Signature,
    /// The key cannot be used.
    BadKey(String),
}

/// The SubjectPublicKeyInfo's inner key, or the input when it is not one.
fn rsa_pkcs1(p: &[u8]) -> Vec<u8> {
    use rsa::pkcs1::der::Decode;
    match rsa::pkcs8::spki::SubjectPublicKeyInfoRef::from_der(p) {
        Ok(spki) => spki.subject_public_key.raw_bytes().to_vec(),
        Err(_) => p.to_vec(),
    }
}

/// Verify signature `index` (a field index in `split`) with the key `p`.
pub fn verify(msg: &Split<'_>, index: usize, sig: &SigHeader, p: &[u8]) -> Outcome {
    let (Some(alg), Some(ch), Some(cb)) = (sig.alg, sig.ch, sig.cb) else {
        return Outcome::Signature;
    };
    let algorithm = match alg {
        Alg::RsaSha1 => &SHA1_FOR_LEGACY_USE_ONLY,
        _ => &SHA256,
    };
    let body = canon_body(cb, msg.body);
    let (signed, unsigned) = match sig.l {
        Some(l) if l > body.len() as u64 => {
            return Outcome::LengthBeyondBody {
                body: body.len() as u64,
            };
        }
        Some(l) => (&body[..l as usize], body.len() as u64 - l),
        None => (&body[..], 0),
    };
    if digest::digest(algorithm, signed).as_ref() != sig.bh.as_slice() {
        return Outcome::BodyHash;
    }
    let mut data = Vec::new();
    for field in select(&msg.fields, &sig.h, index) {
        canon_header(ch, field, &mut data, true);
    }
    let own = without_b(msg.fields[index]);
    canon_header(ch, &own, &mut data, false);
    let ok = match alg {
        Alg::RsaSha256 => UnparsedPublicKey::new(
            &RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
            rsa_pkcs1(p),
        )
        .verify(&data, &sig.b)
        .is_ok(),
        Alg::RsaSha1 => {
            UnparsedPublicKey::new(&RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY, rsa_pkcs1(p))
                .verify(&data, &sig.b)
                .is_ok()
        }
        Alg::Ed25519Sha256 => {
            let key: &[u8] = match p.len() {
                32 => p,
                // An Ed25519 SubjectPublicKeyInfo ends in the raw 32 bytes.
                44 => &p[12..],
                n => return Outcome::BadKey(format!("an Ed25519 key is 32 bytes, p= holds {n}")),
            };
            let mut ctx = Context::new(&SHA256);
            ctx.update(&data);
            UnparsedPublicKey::new(&ED25519, key)
                .verify(ctx.finish().as_ref(), &sig.b)
                .is_ok()
        }
    };
    if ok {
        Outcome::Pass { unsigned }
    } else {
        Outcome::Signature
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_fields_with_their_folding() {
        let m = b"A: 1\r\nB: 2\r\n 3\r\n\r\nbody\r\n";
        let s = split(m);
        assert_eq!(s.fields, [&b"A: 1\r\n"[..], b"B: 2\r\n 3\r\n"]);
        assert_eq!(s.body, b"body\r\n");
        assert_eq!(field_name(b"Subject : x"), b"Subject");
    }

    #[test]
    fn header_canonicalization_follows_rfc_6376_3_4_examples() {
        // RFC 6376 3.4.5's example, relaxed.
        let mut out = Vec::new();
        canon_header(Canon::Relaxed, b"A: X\r\n", &mut out, true);
        canon_header(Canon::Relaxed, b"B : Y\t\r\n\tZ  \r\n", &mut out, true);
        assert_eq!(out, b"a:X\r\nb:Y Z\r\n");
        let mut out = Vec::new();
        canon_header(Canon::Simple, b"B : Y\t\r\n\tZ  \r\n", &mut out, true);
        assert_eq!(out, b"B : Y\t\r\n\tZ  \r\n");
    }

    #[test]
    fn body_canonicalization_follows_rfc_6376_3_4_examples() {
        let body = b" C \r\nD \t E\r\n\r\n\r\n";
        assert_eq!(canon_body(Canon::Relaxed, body), b" C\r\nD E\r\n");
        assert_eq!(canon_body(Canon::Simple, body), b" C \r\nD \t E\r\n");
        assert_eq!(canon_body(Canon::Simple, b""), b"\r\n");
        assert_eq!(canon_body(Canon::Relaxed, b""), b"");
        assert_eq!(canon_body(Canon::Relaxed, b"\r\n\r\n"), b"");
        assert_eq!(canon_body(Canon::Simple, b"\r\n\r\n"), b"\r\n");
    }

    #[test]
    fn selection_is_bottom_up_and_skips_missing_names() {
        let fields: Vec<&[u8]> = vec![
            b"To: a\r\n",
            b"DKIM-Signature: x\r\n",
            b"To: b\r\n",
            b"From: c\r\n",
        ];
        let h = [
            "to".to_string(),
            "to".into(),
            "to".into(),
            "from".into(),
            "subject".into(),
        ];
        assert_eq!(
            select(&fields, &h, 1),
            [&b"To: b\r\n"[..], b"To: a\r\n", b"From: c\r\n"]
        );
    }

    #[test]
    fn the_b_value_is_removed_and_nothing_else() {
        assert_eq!(
            without_b(b"DKIM-Signature: v=1; bh=abc; b=de\r\n fg; d=x\r\n"),
            b"DKIM-Signature: v=1; bh=abc; b=; d=x\r\n"
        );
        assert_eq!(
            without_b(b"DKIM-Signature: v=1; bh=abc; b=de\r\n fg\r\n"),
            b"DKIM-Signature: v=1; bh=abc; b=\r\n"
        );
    }
}
