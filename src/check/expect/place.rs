//! Where in `mailcheck.toml` the expectation behind an `expect.*` finding
//! is written, so that SARIF annotates the line a reviewer would change.

use super::{DomainExpect, Sender};
use crate::report::Finding;

/// The line of the expectation `finding` reports on: the list item it names
/// (a sender, a selector), else the key; `None` for other findings.
pub fn line(spec: &DomainExpect, finding: &Finding) -> Option<usize> {
    let lines = &spec.lines;
    let message = finding.message.as_str();
    let item = |entries: &[String], at: &[usize], key: Option<usize>| {
        entries
            .iter()
            .zip(at)
            .find(|(entry, _)| mentions(message, entry))
            .map(|(_, line)| *line)
            .or(key)
    };
    match finding.name.as_str() {
        "expect.sender" => item(
            &sender_words(&spec.senders),
            &lines.senders,
            lines.senders.first().copied(),
        ),
        "expect.not-sender" => item(
            &sender_words(&spec.not_senders),
            &lines.not_senders,
            lines.not_senders.first().copied(),
        ),
        "expect.selector" => {
            let words: Vec<String> = spec
                .selectors
                .iter()
                .map(|s| format!("selector {s}"))
                .collect();
            item(&words, &lines.selectors, lines.selectors.first().copied())
        }
        "expect.key-bits" => lines.min_key_bits,
        "expect.dmarc-policy" => lines.dmarc_policy,
        "expect.mx" => lines.mx,
        "expect.allow" => spec
            .allow
            .iter()
            .find(|a| message.contains(&format!("({})", a.at)))
            .and_then(|a| a.at.rsplit(':').next()?.parse().ok()),
        _ => None,
    }
}

/// How a message names each entry: an address or block as written, an
/// include by its domain.
fn sender_words(senders: &[Sender]) -> Vec<String> {
    senders
        .iter()
        .map(|s| match s {
            Sender::Include(domain) => domain.clone(),
            net => net.to_string(),
        })
        .collect()
}

/// `word` appears in `message` as a whole: not as the start of a longer
/// address or name (192.0.2.1 in 192.0.2.12, a.example in a.example.net).
fn mentions(message: &str, word: &str) -> bool {
    message.match_indices(word).any(|(at, _)| {
        let before = message[..at].chars().next_back();
        let after = message[at + word.len()..].chars().next();
        let part = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '/';
        let continues = |c: Option<char>, next: Option<char>| match c {
            Some('.') | Some(':') => next.is_some_and(|n| n.is_ascii_alphanumeric()),
            Some(c) => part(c),
            None => false,
        };
        !before.is_some_and(|c| part(c) || c == '.' || c == ':')
            && !continues(after, message[at + word.len()..].chars().nth(1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::expect::config::parse;
    use crate::report::Status;

    #[test]
    fn each_expectation_is_placed_at_its_own_line() {
        let text = "[[domain]]\nname = \"example.com\"\nsenders = [\n  \"192.0.2.1\",\n  \"192.0.2.12\",\n  \"include:amazonses.com\",\n]\ndmarc_policy = \"reject\"\nselectors = [\"s1\", \"s2\"]\nmin_key_bits = 2048\nmx = [\"mx1.example.com\"]\n\n[[domain.allow]]\nfinding = \"ptr.mx\"\nreason = \"provider\"\n";
        let spec = &parse("mailcheck.toml", text).unwrap().domains[0];
        let at = |name: &str, message: &str| line(spec, &Finding::new(name, Status::Fail, message));
        assert_eq!(
            at(
                "expect.sender",
                "192.0.2.12 must get SPF pass for example.com"
            ),
            Some(5)
        );
        assert_eq!(
            at(
                "expect.sender",
                "192.0.2.1 must get SPF pass for example.com"
            ),
            Some(4)
        );
        assert_eq!(
            at(
                "expect.sender",
                "the SPF record of example.com does not include amazonses.com, directly"
            ),
            Some(6)
        );
        assert_eq!(at("expect.dmarc-policy", "DMARC policy is none"), Some(8));
        assert_eq!(
            at("expect.selector", "selector s2 of example.com has no key"),
            Some(9)
        );
        assert_eq!(
            at("expect.key-bits", "selector s1: RSA key of 1024 bits"),
            Some(10)
        );
        assert_eq!(at("expect.mx", "the MX hosts differ"), Some(11));
        assert_eq!(
            at(
                "expect.allow",
                "the allow for ptr.mx (mailcheck.toml:13) accepts nothing"
            ),
            Some(13)
        );
        assert_eq!(at("spf.record", "192.0.2.1"), None);
    }
}
