//! The tag=value lists of DKIM (RFC 6376 3.2), read strictly.
//!
//! mail-auth's reader is lenient: it skips empty tag-specs, reads tag names
//! case-insensitively, lets a repeated tag overwrite the first and ignores
//! names that break the grammar. RFC 6376 3.2 makes each of those an invalid
//! tag-list, and an invalid DKIM-Signature is PERMFAIL (6.1.1), so mailcheck
//! reads every signature, key record and ARC header a second time here.
//!
//! ```text
//! tag-list  =  tag-spec *( ";" tag-spec ) [ ";" ]
//! tag-spec  =  [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
//! tag-name  =  ALPHA *ALNUMPUNC          ; ALNUMPUNC = ALPHA / DIGIT / "_"
//! tag-value =  [ tval *( 1*(WSP / FWS) tval ) ]
//! tval      =  1*VALCHAR                 ; VALCHAR = %x21-3A / %x3C-7E
//! ```

/// A tag-list as written: every tag in order, and what breaks the grammar.
#[derive(Debug, Clone, Default)]
pub struct TagList {
    /// `(name, value)` in header order; the value has its surrounding
    /// whitespace removed but inner folding kept.
    pub tags: Vec<(String, String)>,
    /// Each violation of RFC 6376 3.2, in words.
    pub problems: Vec<String>,
}

fn is_fws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn trim(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|b| !is_fws(*b)).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !is_fws(*b)).map_or(start, |e| e + 1);
    &s[start..end]
}

fn valid_name(name: &[u8]) -> bool {
    name.first().is_some_and(u8::is_ascii_alphabetic)
        && name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

impl TagList {
    /// Read a tag-list; never fails, problems are collected.
    pub fn parse(value: &[u8]) -> TagList {
        let mut list = TagList::default();
        let specs: Vec<&[u8]> = value.split(|b| *b == b';').collect();
        let last = specs.len() - 1;
        for (i, spec) in specs.iter().enumerate() {
            let spec = trim(spec);
            if spec.is_empty() {
                // Only the text after a final ";" may be empty.
                if i != last || last == 0 {
                    list.problems.push(if last == 0 {
                        "the tag-list is empty (RFC 6376 3.2)".to_string()
                    } else {
                        "an empty tag-spec (\";;\" or a leading \";\"), which RFC 6376 3.2 does not allow".to_string()
                    });
                }
                continue;
            }
            let Some(eq) = spec.iter().position(|b| *b == b'=') else {
                list.problems.push(format!(
                    "\"{}\" is not a tag=value pair (RFC 6376 3.2)",
                    String::from_utf8_lossy(spec)
                ));
                continue;
            };
            let name = trim(&spec[..eq]);
            let value = trim(&spec[eq + 1..]);
            let name_text = String::from_utf8_lossy(name).into_owned();
            if !valid_name(name) {
                list.problems.push(format!(
                    "\"{name_text}\" is not a valid tag name (RFC 6376 3.2: a letter, then letters, digits or \"_\")"
                ));
                continue;
            }
            if let Some(bad) = value
                .iter()
                .find(|b| !(is_fws(**b) || (0x21..=0x7e).contains(*b)))
            {
                list.problems.push(format!(
                    "the value of {name_text}= holds the byte 0x{bad:02x}, which RFC 6376 3.2 does not allow"
                ));
            }
            if list.tags.iter().any(|(n, _)| *n == name_text) {
                list.problems.push(format!(
                    "{name_text}= is given more than once (RFC 6376 3.2: the tag-list is then invalid)"
                ));
                continue;
            }
            list.tags
                .push((name_text, String::from_utf8_lossy(value).into_owned()));
        }
        list
    }

    /// The value of a tag, exactly as named (tags are case-sensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of a tag for display: exact name first, else the same name
    /// in another case (so a report can still show `S=`'s selector).
    pub fn display(&self, name: &str) -> Option<String> {
        self.get(name)
            .or_else(|| {
                self.tags
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.as_str())
            })
            .map(|v| v.split_ascii_whitespace().collect::<String>())
            .filter(|v| !v.is_empty())
    }

    /// A tag that is present only in another case: `S=` for `s=`.
    pub fn wrong_case(&self, name: &str) -> Option<&str> {
        if self.get(name).is_some() {
            return None;
        }
        self.tags
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(n, _)| n.as_str())
    }
}

/// Remove every folding whitespace character (for base64 and lists).
pub fn unfold(value: &str) -> String {
    // Byte by byte: the characters removed are ASCII, so what is left of
    // valid UTF-8 stays valid. (Collecting `char`s costs a check per
    // character; every signature's b= and bh= pass through here.)
    if !value.bytes().any(|b| b.is_ascii_whitespace()) {
        return value.to_string();
    }
    let kept: Vec<u8> = value.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    String::from_utf8(kept).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// True when a value is empty once unfolded (only folding whitespace).
pub fn is_blank(value: &str) -> bool {
    value.bytes().all(|b| b.is_ascii_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfolding_removes_ascii_whitespace_only() {
        assert_eq!(unfold("a b\r\n\tc\x0cd"), "abcd");
        assert_eq!(unfold("abc"), "abc");
        // Other white space is not folding white space.
        assert_eq!(unfold("\u{e9}\u{a0}x y"), "\u{e9}\u{a0}xy");
        assert!(is_blank("") && is_blank(" \r\n\t"));
        assert!(!is_blank(" x "));
    }

    #[test]
    fn a_trailing_semicolon_is_allowed_an_empty_tag_spec_is_not() {
        assert!(TagList::parse(b"v=1; a=rsa-sha256;").problems.is_empty());
        assert!(
            TagList::parse(b"v=1; a=rsa-sha256;\r\n ")
                .problems
                .is_empty()
        );
        let l = TagList::parse(b"v=1;; a=rsa-sha256");
        assert_eq!(l.problems.len(), 1, "{:?}", l.problems);
        assert!(l.problems[0].contains("empty tag-spec"));
        assert!(!TagList::parse(b"; v=1").problems.is_empty());
        assert!(!TagList::parse(b"v=1;;").problems.is_empty());
        assert!(!TagList::parse(b"").problems.is_empty());
    }

    #[test]
    fn names_are_case_sensitive_and_must_not_repeat() {
        let l = TagList::parse(b"S=sel; d=example.com");
        assert!(l.problems.is_empty());
        assert_eq!(l.get("s"), None);
        assert_eq!(l.wrong_case("s"), Some("S"));
        assert_eq!(l.display("s").as_deref(), Some("sel"));
        let l = TagList::parse(b"d=a.example; d=b.example");
        assert!(l.problems[0].contains("d= is given more than once"));
        assert_eq!(l.get("d"), Some("a.example"));
    }

    #[test]
    fn tag_names_follow_the_grammar() {
        for bad in [&b"1a=x"[..], b"a-b=x", b"=x", b"a b=x", b"synerr"] {
            let l = TagList::parse(bad);
            assert_eq!(
                l.problems.len(),
                1,
                "{}: {:?}",
                String::from_utf8_lossy(bad),
                l.problems
            );
        }
        assert!(TagList::parse(b"a_1=x; Z9=y").problems.is_empty());
        assert!(
            !TagList::parse("d=ex\u{e9}.example".as_bytes())
                .problems
                .is_empty()
        );
    }

    #[test]
    fn values_keep_inner_folding_and_lose_the_outer() {
        let l = TagList::parse(b" b = abc\r\n def ;h=From:To");
        assert_eq!(l.get("b"), Some("abc\r\n def"));
        assert_eq!(unfold(l.get("b").unwrap_or("")), "abcdef");
        assert_eq!(l.get("h"), Some("From:To"));
    }
}
