//! The result words and policies of mail authentication, as types: what
//! `verify` concludes and what the DMARC check reads from a record. Each
//! serialises as its lower-case word (`rename_all = "lowercase"`), and
//! `Display` writes the same word, so JSON, the text report and the
//! Authentication-Results header agree and no code compares words as strings.

use serde::Serialize;
use std::fmt;

/// Gives a word type `word()` and `Display` from one table, which must
/// agree with its serde names (a unit test checks each type).
macro_rules! words {
    ($ty:ident { $($variant:ident => $word:literal),+ $(,)? }) => {
        impl $ty {
            /// The word as written in JSON, text and Authentication-Results.
            pub fn word(self) -> &'static str {
                match self {
                    $($ty::$variant => $word),+
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.word())
            }
        }
    };
}

/// A DKIM signature's or an ARC chain's result (RFC 8601 2.7.1; RFC 8617
/// 4.4 for ARC, whose `fail` also covers a broken chain).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthResult {
    /// The signature (or chain) verified.
    Pass,
    /// It did not verify.
    Fail,
    /// RFC 8601's word for a result that says nothing; mailcheck's own
    /// verdicts do not give it.
    Neutral,
    /// Nothing to verify.
    None,
    /// A key lookup failed temporarily.
    TempError,
    /// The signature or key could not be interpreted.
    PermError,
}

words!(AuthResult {
    Pass => "pass",
    Fail => "fail",
    Neutral => "neutral",
    None => "none",
    TempError => "temperror",
    PermError => "permerror",
});

/// A DMARC result (RFC 7489 11.2; RFC 8601 2.7.1 names the words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DmarcResult {
    /// An aligned identifier passed.
    Pass,
    /// No aligned identifier passed.
    Fail,
    /// No DMARC record applies.
    None,
    /// A lookup failed temporarily.
    TempError,
    /// The record could not be interpreted.
    PermError,
}

words!(DmarcResult {
    Pass => "pass",
    Fail => "fail",
    None => "none",
    TempError => "temperror",
    PermError => "permerror",
});

/// A DMARC policy (`p=`, `sp=`, `np=`; RFC 9989 4.7) and, as a disposition,
/// what a receiver applying it does with a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    /// Deliver as usual (monitoring only).
    None,
    /// Treat as suspicious (spam folder).
    Quarantine,
    /// Refuse the message.
    Reject,
}

words!(Policy {
    None => "none",
    Quarantine => "quarantine",
    Reject => "reject",
});

impl Policy {
    /// The policy a tag value names, written exactly as the word
    /// (`reject`); `None` for anything else.
    pub fn from_word(v: &str) -> Option<Policy> {
        match v {
            "none" => Some(Policy::None),
            "quarantine" => Some(Policy::Quarantine),
            "reject" => Some(Policy::Reject),
            _ => None,
        }
    }
}

/// The tag a DMARC policy came from (RFC 9989 4.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyTag {
    /// The domain's own policy.
    P,
    /// The policy for subdomains of the organizational domain.
    Sp,
    /// The policy for subdomains that do not exist.
    Np,
}

words!(PolicyTag {
    P => "p",
    Sp => "sp",
    Np => "np",
});

/// An alignment mode, `adkim=` / `aspf=` (RFC 7489 3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Alignment {
    /// Relaxed: same organizational domain.
    R,
    /// Strict: the same domain.
    S,
}

words!(Alignment {
    R => "r",
    S => "s",
});

/// Which identity SPF checked (RFC 7208 2.3, 2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpfIdentity {
    /// The MAIL FROM (Return-Path) address.
    MailFrom,
    /// The HELO/EHLO name.
    Helo,
}

words!(SpfIdentity {
    MailFrom => "mailfrom",
    Helo => "helo",
});

#[cfg(test)]
mod tests {
    use super::*;

    /// `word()` and serde agree, so text and JSON print the same word.
    #[test]
    fn display_and_json_give_the_same_word() {
        fn same<T: Serialize + fmt::Display>(values: &[T]) {
            for v in values {
                let json = serde_json::to_string(v).unwrap();
                assert_eq!(json, format!("\"{v}\""));
            }
        }
        use AuthResult as A;
        same(&[
            A::Pass,
            A::Fail,
            A::Neutral,
            A::None,
            A::TempError,
            A::PermError,
        ]);
        use DmarcResult as D;
        same(&[D::Pass, D::Fail, D::None, D::TempError, D::PermError]);
        same(&[Policy::None, Policy::Quarantine, Policy::Reject]);
        same(&[PolicyTag::P, PolicyTag::Sp, PolicyTag::Np]);
        same(&[Alignment::R, Alignment::S]);
        same(&[SpfIdentity::MailFrom, SpfIdentity::Helo]);
        use crate::spf::Verdict as V;
        same(&[
            V::Pass,
            V::Fail,
            V::SoftFail,
            V::Neutral,
            V::None,
            V::TempError,
            V::PermError,
        ]);
        assert_eq!(Policy::from_word("reject"), Some(Policy::Reject));
        assert_eq!(Policy::from_word("Reject"), None);
    }
}
