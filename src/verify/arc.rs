//! ARC (RFC 8617): mail-auth validates the chain's cryptography; this module
//! applies the rules it skips and maps its outcome to the chain words of
//! RFC 8617 (`none`, `pass`, `fail`).
//!
//! | mail-auth                                         | mailcheck | decided by |
//! |---------------------------------------------------|-----------|------------|
//! | `neutral` for a header it cannot parse            | `fail`    | RFC 8617 5.2 step 2 |
//! | `none` when a set has no ARC-Message-Signature    | `fail`    | RFC 8617 4.1, 5.1.1 |
//! | `pass` with rsa-sha1 in an ARC-Seal or AMS        | `fail`    | RFC 8301 3.1 |
//! | accepts an AMS whose h= includes ARC-Seal         | `fail`    | RFC 8617 4.1.2 |
//! | accepts repeated, mis-cased, empty tags           | `fail`    | RFC 6376 3.2 via RFC 8617 4.1 |
//! | ignores key `h=`, `s=`                            | `fail`    | RFC 6376 3.6.1 via RFC 8617 5.1.1 |
//! | `neutral` body hash mismatch of the newest AMS    | `fail`    | RFC 8617 5.2 |

use super::{
    ArcVerdict, AuthResult,
    dkim::Key,
    own::{self, Split},
    sig::{Kind, SigHeader},
};
use mail_auth::{ArcOutput, DkimResult};
use std::sync::Arc;

/// The ARC headers of a message, read with the rules applied.
pub struct ArcHeaders {
    /// ARC-Seal headers, top to bottom.
    pub seals: Vec<SigHeader>,
    /// ARC-Message-Signature headers.
    pub signatures: Vec<SigHeader>,
    /// The instance (`i=`) of each ARC-Authentication-Results.
    pub results: Vec<Option<u32>>,
}

impl ArcHeaders {
    /// Read every ARC header of a message.
    pub fn read(split: &Split<'_>) -> ArcHeaders {
        let mut h = ArcHeaders {
            seals: Vec::new(),
            signatures: Vec::new(),
            results: Vec::new(),
        };
        for field in &split.fields {
            let name = own::field_name(field);
            let colon = memchr::memchr(b':', field).map_or(field.len(), |c| c + 1);
            let value = &field[colon..];
            if name.eq_ignore_ascii_case(b"ARC-Seal") {
                h.seals.push(SigHeader::parse(Kind::Seal, value));
            } else if name.eq_ignore_ascii_case(b"ARC-Message-Signature") {
                h.signatures.push(SigHeader::parse(Kind::Ams, value));
            } else if name.eq_ignore_ascii_case(b"ARC-Authentication-Results") {
                // `i=N;` leads the value (RFC 8617 4.1.1).
                let text = String::from_utf8_lossy(value);
                let i = text
                    .trim_start()
                    .strip_prefix("i=")
                    .and_then(|r| r.split(';').next())
                    .and_then(|n| n.trim().parse().ok());
                h.results.push(i);
            }
        }
        h
    }

    /// True when the message has any ARC header.
    pub fn present(&self) -> bool {
        !(self.seals.is_empty() && self.signatures.is_empty() && self.results.is_empty())
    }

    /// The key names mail-auth looks up: every seal's and every AMS's
    /// (mail-auth needs only the newest AMS; the rest are cheap to know).
    pub fn key_names(&self) -> Vec<String> {
        self.seals
            .iter()
            .chain(&self.signatures)
            .filter_map(SigHeader::key_name)
            .collect()
    }

    /// Why the chain fails before any cryptography, if it does.
    fn structural(&self) -> Option<String> {
        for (what, list) in [
            ("ARC-Seal", &self.seals),
            ("ARC-Message-Signature", &self.signatures),
        ] {
            for s in list.iter() {
                if let Some(p) = s.problems.first() {
                    let i = s.instance.map_or("?".to_string(), |i| i.to_string());
                    return Some(format!("{what} i={i}: {p}"));
                }
            }
        }
        let instances: Vec<u32> = self
            .seals
            .iter()
            .filter_map(|s| s.instance)
            .chain(self.results.iter().flatten().copied())
            .collect();
        for i in instances {
            if !self.signatures.iter().any(|s| s.instance == Some(i)) {
                return Some(format!(
                    "ARC set i={i} has no ARC-Message-Signature; every set needs all three headers (RFC 8617 4.1, 5.1.1)"
                ));
            }
        }
        None
    }
}

/// The chain's verdict: our rules first, then mail-auth's outcome.
/// `keys` holds the key lookups for [`ArcHeaders::key_names`], in order.
pub fn judge(headers: &ArcHeaders, output: &ArcOutput<'_>, keys: &[Arc<Key>]) -> ArcVerdict {
    let instances = headers.seals.len();
    let fail = |reason: String| ArcVerdict {
        result: AuthResult::Fail,
        instances,
        reason: Some(reason),
    };
    if let Some(why) = headers.structural() {
        return fail(why);
    }
    // The keys mail-auth uses: every seal's and the newest AMS's.
    let newest_ams = headers.signatures.iter().max_by_key(|s| s.instance);
    let used: Vec<(&SigHeader, &Key)> = headers
        .seals
        .iter()
        .chain(&headers.signatures)
        .zip(keys.iter().map(|k| &**k))
        .filter(|(s, _)| {
            s.tags.get("cv").is_some() || newest_ams.is_some_and(|n| std::ptr::eq(*s, n))
        })
        .collect();
    for (s, key) in used {
        let name = s.key_name().unwrap_or_default();
        if let Key::Found { record, .. } = key
            && let Some(why) = record.refuses(s, &name, None)
        {
            return fail(why);
        }
    }
    let (result, reason) = match output.result() {
        DkimResult::Pass => (AuthResult::Pass, None),
        DkimResult::None => (AuthResult::None, None),
        DkimResult::TempError(e) => (
            AuthResult::TempError,
            Some(format!("a key lookup failed: {e}")),
        ),
        DkimResult::Neutral(e) | DkimResult::Fail(e) | DkimResult::PermError(e) => {
            (AuthResult::Fail, Some(e.to_string()))
        }
    };
    ArcVerdict {
        result,
        instances,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(text: &str) -> ArcHeaders {
        let msg = format!("{text}From: a@b.example\r\n\r\nbody\r\n");
        ArcHeaders::read(&own::split(msg.as_bytes()))
    }

    const AAR: &str = "ARC-Authentication-Results: i=1; mx.f.example; dkim=pass\r\n";
    const AMS: &str = "ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=f.example; s=arc; h=From; bh=YQ==; b=Yg==\r\n";
    const AS: &str = "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=f.example; s=arc; t=1; b=YWJj\r\n";

    #[test]
    fn a_set_without_its_message_signature_fails() {
        let h = headers(&format!("{AS}{AAR}"));
        let why = h.structural().unwrap_or_default();
        assert!(why.contains("no ARC-Message-Signature"), "{why}");
        assert_eq!(headers(&format!("{AS}{AMS}{AAR}")).structural(), None);
    }

    #[test]
    fn tag_rules_and_sha1_fail_the_chain() {
        let h = headers(&format!(
            "{}{AMS}{AAR}",
            AS.replace("rsa-sha256", "rsa-sha1")
        ));
        assert!(h.structural().unwrap_or_default().contains("RFC 8301"));
        let h = headers(&format!(
            "{AS}{}{AAR}",
            AMS.replace("h=From", "h=From:ARC-Seal")
        ));
        assert!(
            h.structural()
                .unwrap_or_default()
                .contains("includes ARC-Seal")
        );
        let h = headers(&format!(
            "{}{AMS}{AAR}",
            AS.replace("s=arc", "s=arc; s=arc")
        ));
        assert!(
            h.structural()
                .unwrap_or_default()
                .contains("more than once")
        );
    }
}
