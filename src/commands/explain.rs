//! `mailcheck explain`: what a finding name means, from the one table in
//! [`crate::explain`] that also gives the report its fix hints.
//!
//! `explain NAME` prints one entry; `explain --list` every name, one a line;
//! an area (`spf`, `spf.`) lists that area's names. With `--json`, each entry
//! is one JSON object on its own line (JSON Lines, as every other command
//! writes): `{"name", "checks", "why", "rfc", "fix", "example"}`. An unknown
//! name is exit 2 with the closest names suggested.

use crate::{
    cli::ExplainArgs,
    config::{Config, Output},
    exit::{ExitStatus, RunError},
    explain::{Entry, all, lookup},
    report::Area,
};
use colored::Colorize;
use serde::Serialize;
use std::io::Write;

/// The width text is wrapped to.
const WIDTH: usize = 78;
/// How far section bodies are indented.
const INDENT: &str = "    ";

/// One entry as JSON: the table's fields under their own names.
#[derive(Serialize)]
struct EntryJson<'a> {
    name: &'a str,
    checks: &'a str,
    why: &'a str,
    rfc: &'a str,
    fix: &'a str,
    example: &'a str,
}

impl<'a> From<&'a Entry> for EntryJson<'a> {
    fn from(e: &'a Entry) -> EntryJson<'a> {
        EntryJson {
            name: e.name,
            checks: e.checks,
            why: e.why,
            rfc: e.rfc,
            fix: e.fix,
            example: e.example,
        }
    }
}

/// Run `mailcheck explain`.
pub fn run(
    config: &Config,
    args: &ExplainArgs,
    out: &mut dyn Write,
) -> Result<ExitStatus, RunError> {
    let json = matches!(config.output, Output::Json);
    let color = matches!(config.output, Output::Text { color: true });
    let entries: Vec<&Entry> = match (&args.name, args.list) {
        (_, true) | (None, false) => all().collect(),
        (Some(name), false) => {
            let name = name.trim().to_ascii_lowercase();
            if let Some(entry) = lookup(&name) {
                if json {
                    write_json(out, entry)?;
                } else {
                    write_text(out, entry, color)?;
                }
                return Ok(ExitStatus::Success);
            }
            let area = area_entries(&name);
            if area.is_empty() {
                return Err(RunError::Input(unknown(&name)));
            }
            area
        }
    };
    for e in entries {
        if json {
            write_json(out, e)?;
        } else {
            writeln!(out, "{}", e.name)?;
        }
    }
    Ok(ExitStatus::Success)
}

/// The entries of an area named alone (`spf` or `spf.`).
fn area_entries(name: &str) -> Vec<&'static Entry> {
    let area = name.strip_suffix('.').unwrap_or(name);
    if area.is_empty() || area.contains('.') || Area::of(area).is_none() {
        return Vec::new();
    }
    let prefix = format!("{area}.");
    all().filter(|e| e.name.starts_with(&prefix)).collect()
}

/// The one-line error for a name with no entry, with the closest names.
fn unknown(name: &str) -> String {
    let close = closest(name);
    let hint = if close.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", close.join(", "))
    };
    format!("no finding is named '{name}'{hint} (mailcheck explain --list shows every name)")
}

/// Up to three names close to `name`: by edit distance (at most a third of
/// the name's length, and at least 2), or sharing its last segment, or
/// starting with it.
fn closest(name: &str) -> Vec<&'static str> {
    let last = name.rsplit('.').next().unwrap_or(name);
    let allowed = (name.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &'static str)> = all()
        .filter_map(|e| {
            let d = distance(name, e.name);
            let same_last = !last.is_empty() && e.name.rsplit('.').next() == Some(last);
            let extends = !name.is_empty() && e.name.starts_with(name);
            (d <= allowed || same_last || extends).then_some((d, e.name))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

/// Levenshtein distance between two strings, by characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let next = (row[j] + 1).min(row[j + 1] + 1).min(prev + cost);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

fn write_json(out: &mut dyn Write, entry: &Entry) -> Result<(), RunError> {
    let line = serde_json::to_string(&EntryJson::from(entry))
        .map_err(|e| RunError::Input(format!("cannot write JSON: {e}")))?;
    writeln!(out, "{line}")?;
    Ok(())
}

/// The readable layout: the name, then one section per field, wrapped.
fn write_text(out: &mut dyn Write, e: &Entry, color: bool) -> Result<(), RunError> {
    let bold = |s: &str| {
        if color {
            s.bold().to_string()
        } else {
            s.to_string()
        }
    };
    writeln!(out, "{}", bold(e.name))?;
    let sections = [
        ("What it checks", sentence(e.checks), true),
        ("Why it matters", sentence(e.why), true),
        ("RFC", e.rfc.to_string(), true),
        ("How to fix it", sentence(e.fix), true),
        ("Example", e.example.to_string(), false),
    ];
    for (heading, body, wrap_it) in sections {
        if body.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(out, "{}", bold(heading))?;
        if wrap_it {
            for line in wrap(&body, WIDTH - INDENT.len()) {
                writeln!(out, "{INDENT}{line}")?;
            }
        } else {
            // Records keep their lines: they are meant to be copied.
            for line in body.lines() {
                writeln!(out, "{INDENT}{line}")?;
            }
        }
    }
    Ok(())
}

/// A table phrase as a sentence: a full stop, and a capital first letter
/// when the phrase starts with a plain word (`t=y ...` keeps its case).
fn sentence(phrase: &str) -> String {
    let first_word = phrase
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_end_matches([',', '.', ';', ':']);
    let plain = first_word
        .chars()
        .all(|c| c.is_ascii_lowercase() || c == '-');
    let mut chars = phrase.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut s: String = if plain {
        first.to_uppercase().chain(chars).collect()
    } else {
        phrase.to_string()
    };
    if !s.ends_with(['.', '?', '!']) {
        s.push('.');
    }
    s
}

/// Words of `text` in lines of at most `width` characters (a longer word
/// gets a line of its own).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("spf.lookup", "spf.lookups"), 1);
        assert_eq!(distance("spf.lookups", "spf.lookups"), 0);
        assert_eq!(distance("dkim.keysize", "dkim.key-size"), 1);
        assert_eq!(distance("", "abc"), 3);
    }

    #[test]
    fn suggestions_are_the_closest_names() {
        assert_eq!(closest("spf.lookup")[0], "spf.lookups");
        assert_eq!(closest("dkim.keysize")[0], "dkim.key-size");
        // The last segment alone finds the names that end in it.
        assert!(closest("lookups").contains(&"spf.lookups"));
        assert!(closest("void-lookups").contains(&"spf.void-lookups"));
        assert!(closest("certificate").contains(&"smtp.certificate"));
        assert!(closest("zzzzzzzz.qqqqqqq").is_empty());
        assert!(closest("spf.lookup").len() <= 3);
    }

    #[test]
    fn an_area_lists_its_names_and_nothing_else_does() {
        let spf = area_entries("spf");
        assert!(!spf.is_empty());
        assert!(spf.iter().all(|e| e.name.starts_with("spf.")));
        assert_eq!(area_entries("spf."), spf);
        assert!(area_entries("imap").is_empty());
        assert!(area_entries("spf.x").is_empty());
        assert!(area_entries("").is_empty());
    }

    #[test]
    fn sentences_start_with_a_capital_and_end_with_a_stop() {
        assert_eq!(sentence("end with -all"), "End with -all.");
        assert_eq!(sentence("done."), "Done.");
        assert_eq!(sentence("t=y tells verifiers"), "t=y tells verifiers.");
        assert_eq!(sentence(""), "");
    }

    #[test]
    fn wrap_keeps_lines_within_the_width() {
        let text = "a ".repeat(100) + &"x".repeat(90);
        let lines = wrap(&text, 20);
        assert!(lines.iter().all(|l| l.len() <= 20 || !l.contains(' ')));
        assert_eq!(lines.join(" "), text.trim_end());
    }

    #[test]
    fn text_has_every_section_and_json_every_key() {
        let e = lookup("spf.lookups").expect("an entry");
        let mut text = Vec::new();
        write_text(&mut text, e, false).expect("write");
        let text = String::from_utf8(text).expect("utf-8");
        for heading in [
            "What it checks",
            "Why it matters",
            "RFC",
            "How to fix it",
            "Example",
        ] {
            assert!(
                text.contains(&format!("\n{heading}\n")),
                "{heading}:\n{text}"
            );
        }
        assert!(text.starts_with("spf.lookups\n"));
        assert!(text.contains("RFC 7208 4.6.4"));
        assert!(text.contains("\n    How many DNS-querying terms"), "{text}");
        let (prose, example) = text.split_once("\nExample\n").expect("an example");
        assert!(prose.lines().all(|l| l.chars().count() <= WIDTH));
        assert_eq!(example.trim(), e.example);

        let mut json = Vec::new();
        write_json(&mut json, e).expect("write");
        let v: serde_json::Value = serde_json::from_slice(&json).expect("JSON");
        let keys: Vec<&String> = v.as_object().expect("an object").keys().collect();
        assert_eq!(keys, ["name", "checks", "why", "rfc", "fix", "example"]);
        assert_eq!(v["fix"], e.fix);
    }

    #[test]
    fn unknown_names_are_one_line_with_suggestions() {
        let m = unknown("spf.lookup");
        assert!(!m.contains('\n'));
        assert!(m.contains("did you mean spf.lookups"), "{m}");
        assert!(!unknown("qqqqqqqqqq").contains("did you mean"));
    }
}
