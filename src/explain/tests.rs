//! The table covers every finding name the code can emit, and nothing else.
//!
//! The sources under `src/` are read with a small Rust lexer (comments,
//! strings, raw strings, char literals and lifetimes told apart; items under
//! `#[cfg(test)]` and test files skipped). A finding name is a string literal
//! whose text is a dotted name starting with an area (`spf.lookups`); one
//! built with `format!("dmarc.{tag}")` is expanded from the `for tag in
//! ["rua", "ruf"]` loop in the same file. Every first argument of
//! `Finding::new` must be something the scan can see (a literal, such a
//! `format!`, or a variable holding one), and a literal that only starts
//! like a name (`"spf."`, `"spf.{}"`) is refused, so a name built another way
//! fails here instead of being missed. `Finding::new` also checks its name against
//! the table in debug builds, so every test that emits an unknown name panics.

use super::{Entry, all, lookup};
use crate::report::Area;
use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

/// One token of Rust source: what the scan needs, with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// A string literal's text (escapes `\"` and `\\` decoded).
    Str(String),
    /// An identifier or keyword (or a number).
    Ident(String),
    /// Any other single character.
    Punct(char),
}

/// Split Rust source into tokens with line numbers. Comments are dropped.
fn lex(src: &str) -> Vec<(Tok, usize)> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\n' => {
                line += 1;
                i += 1;
            }
            c if c.is_whitespace() => i += 1,
            '/' if at(i + 1) == '/' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if at(i + 1) == '*' => {
                let mut depth = 0;
                loop {
                    if i >= chars.len() {
                        break;
                    }
                    if chars[i] == '/' && at(i + 1) == '*' {
                        depth += 1;
                        i += 2;
                    } else if chars[i] == '*' && at(i + 1) == '/' {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        if chars[i] == '\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                }
            }
            '"' => {
                let start = line;
                let (text, next, lines) = string(&chars, i + 1);
                out.push((Tok::Str(text), start));
                line += lines;
                i = next;
            }
            '\'' => {
                // A char literal ('x', '\'', '\u{2192}') or a lifetime ('a).
                if at(i + 1) == '\\' {
                    i += 3;
                    while i < chars.len() && chars[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if at(i + 2) == '\'' {
                    i += 3;
                } else {
                    i += 1;
                }
            }
            c if c.is_alphanumeric() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                if matches!(word.as_str(), "r" | "br" | "cr") && matches!(at(i), '"' | '#') {
                    let mut hashes = 0;
                    while at(i) == '#' {
                        hashes += 1;
                        i += 1;
                    }
                    if at(i) == '"' {
                        let body = i + 1;
                        let mut j = body;
                        loop {
                            if j >= chars.len() {
                                break;
                            }
                            if chars[j] == '"' && (1..=hashes).all(|k| at(j + k) == '#') {
                                break;
                            }
                            j += 1;
                        }
                        let text: String = chars[body..j.min(chars.len())].iter().collect();
                        out.push((Tok::Str(text.clone()), line));
                        line += text.matches('\n').count();
                        i = j + 1 + hashes;
                        continue;
                    }
                    // `r#ident`: a raw identifier.
                    out.push((Tok::Punct('#'), line));
                    continue;
                }
                out.push((Tok::Ident(word), line));
            }
            c => {
                out.push((Tok::Punct(c), line));
                i += 1;
            }
        }
    }
    out
}

/// The text of a string literal whose body starts at `i`: (text, index after
/// the closing quote, newlines inside).
fn string(chars: &[char], mut i: usize) -> (String, usize, usize) {
    let mut text = String::new();
    let mut lines = 0;
    while i < chars.len() {
        match chars[i] {
            '"' => return (text, i + 1, lines),
            '\\' => {
                match chars.get(i + 1) {
                    Some('"') => text.push('"'),
                    Some('\\') => text.push('\\'),
                    Some('\n') => {
                        // A continuation: the newline and the next line's
                        // leading white space are not part of the string.
                        lines += 1;
                        i += 2;
                        while i < chars.len() && chars[i].is_whitespace() {
                            if chars[i] == '\n' {
                                lines += 1;
                            }
                            i += 1;
                        }
                        continue;
                    }
                    Some(other) => {
                        text.push('\\');
                        text.push(*other);
                    }
                    None => {}
                }
                i += 2;
            }
            c => {
                if c == '\n' {
                    lines += 1;
                }
                text.push(c);
                i += 1;
            }
        }
    }
    (text, i, lines)
}

/// The tokens without the items marked `#[cfg(test)]`.
fn without_tests(toks: Vec<(Tok, usize)>) -> Vec<(Tok, usize)> {
    let attr = [
        Tok::Punct('#'),
        Tok::Punct('['),
        Tok::Ident("cfg".into()),
        Tok::Punct('('),
        Tok::Ident("test".into()),
        Tok::Punct(')'),
        Tok::Punct(']'),
    ];
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let is_attr = toks.len() - i >= attr.len()
            && toks[i..i + attr.len()]
                .iter()
                .zip(&attr)
                .all(|((t, _), a)| t == a);
        if !is_attr {
            out.push(toks[i].clone());
            i += 1;
            continue;
        }
        // Skip the item: up to its `;`, or its whole `{ ... }` block.
        i += attr.len();
        while i < toks.len() && !matches!(toks[i].0, Tok::Punct(';' | '{')) {
            i += 1;
        }
        if matches!(toks.get(i), Some((Tok::Punct('{'), _))) {
            let mut depth = 0;
            while i < toks.len() {
                match toks[i].0 {
                    Tok::Punct('{') => depth += 1,
                    Tok::Punct('}') => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        i += 1;
    }
    out
}

/// Whether a literal is written like a finding name: dotted lower-case
/// segments, the first of them an area.
fn looks_like_name(text: &str) -> bool {
    let segments: Vec<&str> = text.split('.').collect();
    segments.len() >= 2
        && segments.iter().all(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
        && Area::of(text).is_some()
}

/// Whether a literal that is no name nor name template still starts like
/// one (`spf.`, `spf.{}`, `expect.{0}-x`): a name assembled some other way.
fn starts_like_name(text: &str) -> bool {
    match text.split_once('.') {
        Some((area, rest)) => {
            Area::of(area).is_some()
                && !area.is_empty()
                && area.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                && (rest.is_empty() || rest.starts_with('{'))
        }
        None => false,
    }
}

/// A `format!` template of a name: `dmarc.{tag}` gives ("dmarc.", "tag", "").
fn name_template(text: &str) -> Option<(&str, &str, &str)> {
    let (head, rest) = text.split_once('{')?;
    let (var, tail) = rest.split_once('}')?;
    let fill = format!("{head}x{tail}");
    (!var.is_empty()
        && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && looks_like_name(&fill))
    .then_some((head, var, tail))
}

/// The literal values a loop variable takes: `for VAR in [ "a", "b" ]`.
fn loop_values(toks: &[(Tok, usize)], var: &str) -> Option<Vec<String>> {
    for (i, (t, _)) in toks.iter().enumerate() {
        if *t != Tok::Ident("for".into())
            || toks.get(i + 1).map(|t| &t.0) != Some(&Tok::Ident(var.into()))
            || toks.get(i + 2).map(|t| &t.0) != Some(&Tok::Ident("in".into()))
            || toks.get(i + 3).map(|t| &t.0) != Some(&Tok::Punct('['))
        {
            continue;
        }
        let mut values = Vec::new();
        for (t, _) in &toks[i + 4..] {
            match t {
                Tok::Str(s) => values.push(s.clone()),
                Tok::Punct(',') => {}
                Tok::Punct(']') => return Some(values),
                _ => return None,
            }
        }
    }
    None
}

/// What a scan of the sources found.
#[derive(Debug, Default)]
struct Scan {
    /// Every name written in the sources, with the places it is written.
    names: BTreeMap<String, Vec<String>>,
    /// Places the scan could not read a name from, with the reason.
    unreadable: Vec<String>,
    /// How many `Finding::new` calls were seen.
    calls: usize,
}

impl Scan {
    /// Scan one file's source; `place` names the file in messages.
    fn file(&mut self, place: &str, src: &str) {
        let toks = without_tests(lex(src));
        for (t, line) in &toks {
            let Tok::Str(text) = t else { continue };
            let here = format!("{place}:{line}");
            if looks_like_name(text) {
                self.names.entry(text.clone()).or_default().push(here);
            } else if let Some((head, var, tail)) = name_template(text) {
                match loop_values(&toks, var) {
                    Some(values) if !values.is_empty() => {
                        for v in values {
                            let name = format!("{head}{v}{tail}");
                            self.names.entry(name).or_default().push(here.clone());
                        }
                    }
                    _ => self.unreadable.push(format!(
                        "{here}: the name {text:?} is built from {{{var}}}, and no `for {var} in [...]` \
                         in this file lists its values"
                    )),
                }
            } else if starts_like_name(text) {
                self.unreadable.push(format!(
                    "{here}: {text:?} looks like the start of a finding name built at run time; \
                     write each name as a literal"
                ));
            }
        }
        // Every Finding::new names its finding in a way the scan reads.
        for (i, w) in toks.windows(5).enumerate() {
            let call = [
                Tok::Ident("Finding".into()),
                Tok::Punct(':'),
                Tok::Punct(':'),
                Tok::Ident("new".into()),
                Tok::Punct('('),
            ];
            if !w.iter().zip(&call).all(|((t, _), c)| t == c) {
                continue;
            }
            self.calls += 1;
            let arg: Vec<&Tok> = toks[i + 5..].iter().take(5).map(|(t, _)| t).collect();
            let readable = match arg.as_slice() {
                [Tok::Str(_), ..] => true,
                [Tok::Ident(_), Tok::Punct(','), ..] => true,
                [
                    Tok::Punct('&'),
                    Tok::Ident(f),
                    Tok::Punct('!'),
                    Tok::Punct('('),
                    Tok::Str(s),
                ] => f == "format" && name_template(s).is_some(),
                _ => false,
            };
            if !readable {
                self.unreadable.push(format!(
                    "{place}:{}: Finding::new's name is neither a literal, nor a format! of one, \
                     nor a variable",
                    w[0].1
                ));
            }
        }
    }
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// Scan the program's sources: every file under `src/` except the table
/// itself (`src/explain/`, whose literals are the entries) and test files.
fn scan_sources() -> Scan {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut scan = Scan::default();
    for path in files {
        let rel = path.strip_prefix(root).unwrap_or(&path);
        let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if rel.starts_with("src/explain")
            || file_name == "tests.rs"
            || file_name.ends_with("_tests.rs")
        {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        scan.file(&rel.display().to_string(), &text);
    }
    scan
}

#[test]
fn every_name_the_code_emits_has_an_entry_and_every_entry_is_emitted() {
    let scan = scan_sources();
    assert!(
        scan.unreadable.is_empty(),
        "finding names the scan cannot read:\n{}",
        scan.unreadable.join("\n")
    );
    // The scan sees the checks: a broken lexer would find nothing.
    assert!(scan.calls >= 50, "only {} Finding::new calls", scan.calls);
    let missing: Vec<String> = scan
        .names
        .iter()
        .filter(|(n, _)| lookup(n).is_none())
        .map(|(n, at)| format!("{n} (at {})", at.join(", ")))
        .collect();
    assert!(
        missing.is_empty(),
        "finding names without an entry in src/explain/:\n{}",
        missing.join("\n")
    );
    let dead: Vec<&str> = all()
        .map(|e| e.name)
        .filter(|n| !scan.names.contains_key(*n))
        .collect();
    assert!(dead.is_empty(), "entries for names no code emits: {dead:?}");
}

#[test]
fn entries_are_complete_unique_and_in_their_area() {
    let mut seen = BTreeSet::new();
    let mut last_area = None;
    for e in all() {
        assert!(seen.insert(e.name), "{} has two entries", e.name);
        assert!(looks_like_name(e.name), "{} is not a finding name", e.name);
        let area = Area::of(e.name);
        assert!(
            last_area <= area,
            "{} is out of report order (areas go mx, ptr, spf, dkim, dmarc, smtp, run)",
            e.name
        );
        last_area = area;
        for (field, text) in [("checks", e.checks), ("why", e.why), ("fix", e.fix)] {
            assert!(!text.trim().is_empty(), "{}: empty {field}", e.name);
            assert!(
                !text.contains("  ") && !text.ends_with('.'),
                "{}: {field} has a double space or a final full stop: {text:?}",
                e.name
            );
        }
        check_rfc(e);
        assert!(
            e.example.lines().all(|l| !l.trim().is_empty()),
            "{}: blank line in example",
            e.name
        );
    }
}

/// `rfc` is empty (the run itself, or mailcheck.toml's own exceptions:
/// `expect.allow`) or a list like `RFC 7208 4.6.4, RFC 7505`.
fn check_rfc(e: &Entry) {
    if (e.name.starts_with("run.") || e.name == "expect.allow") && e.rfc.is_empty() {
        return;
    }
    for cite in e.rfc.split(", ") {
        let mut words = cite.split(' ');
        let ok = words.next() == Some("RFC")
            && words
                .next()
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
            && words.all(|s| {
                !s.is_empty()
                    && s.split('.')
                        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
            });
        assert!(
            ok,
            "{}: rfc {:?} is not like \"RFC 7208 4.6.4\"",
            e.name, e.rfc
        );
    }
}

#[test]
fn lexer_reads_strings_and_skips_comments_chars_and_test_items() {
    let src = r###"
        // "spf.comment" in a comment
        /* "dkim.block" /* nested */ "mx.still-comment" */
        let a = "mx.records";
        let q = '"'; let e = '\''; let l: &'static str = "spf.after-chars";
        let r = r#"dmarc.raw "quoted""#;
        let s = "text with \"spf.quoted\" \
                 continued";
        #[cfg(test)]
        mod tests { fn f() { let _ = "dkim.in-test"; { "nested" } } }
        #[cfg(test)]
        mod other;
        let after = "smtp.after-tests";
    "###;
    let strs: Vec<String> = without_tests(lex(src))
        .into_iter()
        .filter_map(|(t, _)| match t {
            Tok::Str(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(
        strs,
        [
            "mx.records",
            "spf.after-chars",
            "dmarc.raw \"quoted\"",
            "text with \"spf.quoted\" continued",
            "smtp.after-tests"
        ]
    );
    let lines: Vec<usize> = lex(src)
        .into_iter()
        .filter(|(t, _)| *t == Tok::Str("smtp.after-tests".into()))
        .map(|(_, l)| l)
        .collect();
    assert_eq!(lines, [13]);
}

#[test]
fn scan_expands_loops_and_refuses_what_it_cannot_read() {
    let mut scan = Scan::default();
    scan.file(
        "a.rs",
        r#"
        fn f() {
            for tag in ["rua", "ruf"] {
                Finding::new(&format!("dmarc.{tag}"), Status::Pass, "m");
            }
            dns_error("mx.records", "x", &e);
            Finding::new(name, Status::Pass, "m");
            let host = "mx.example.com is not a name";
        }
        "#,
    );
    assert!(scan.unreadable.is_empty(), "{:?}", scan.unreadable);
    assert_eq!(scan.calls, 2);
    let names: Vec<&String> = scan.names.keys().collect();
    assert_eq!(names, ["dmarc.rua", "dmarc.ruf", "mx.records"]);

    let mut bad = Scan::default();
    bad.file(
        "b.rs",
        r#"
        Finding::new(&format!("spf.{kind}"), Status::Pass, "m");
        Finding::new(&names[0], Status::Pass, "m");
        Finding::new(&["spf", "x"].join("."), Status::Pass, "m");
        let name = format!("smtp.{}", kind);
        let other = "dkim.".to_string() + kind;
        "#,
    );
    assert_eq!(bad.unreadable.len(), 5, "{:?}", bad.unreadable);
    assert!(bad.unreadable[0].contains("{kind}"));
}

#[test]
fn looks_like_name_needs_an_area_and_dotted_lower_case() {
    for yes in ["spf.lookups", "dkim.key-size", "run.deadline", "smtp.tls"] {
        assert!(looks_like_name(yes), "{yes}");
    }
    for no in [
        "spf",
        "spf.",
        "Spf.lookups",
        "imap.banner",
        "mx.example.com is a host",
        "spf.{tag}",
        "mx..records",
    ] {
        assert!(!looks_like_name(no), "{no}");
    }
}
