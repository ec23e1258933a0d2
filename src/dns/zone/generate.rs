//! BIND's `$GENERATE start-stop[/step] lhs [ttl] [class] type rhs`: one record per
//! value of the range, `$` in the owner (lhs) and the data (rhs) replaced by the
//! value, `${offset,width,base}` with base `d`, `o`, `x`, `X`, `n` or `N`
//! (nibbles, reversed and dot-separated, for ip6.arpa), `\$` or `$$` for a
//! literal `$`. Reverse zones are written with it; named-checkzone reads it, so
//! mailcheck does too.

use super::lex::{Entry, Fail, Token};

/// The most records all `$GENERATE` lines of one load may make: far beyond a
/// reverse zone's needs, and a bound on what a few bytes of text can cost.
pub(super) const MAX_GENERATED: usize = 10_000_000;

/// Calls `each` with the record entry for every value of the range; `made`
/// counts records across the whole load, against [`MAX_GENERATED`].
pub(super) fn generate(
    args: &[Token<'_>],
    line: usize,
    made: &mut usize,
    mut each: impl FnMut(&Entry<'_>) -> Result<(), Fail>,
) -> Result<(), Fail> {
    let usage = || {
        Fail::new(
            line,
            "$GENERATE takes a range (start-stop[/step]), an owner, [TTL] [class], a type and its data",
        )
    };
    let [range, lhs, middle @ .., rhs] = args else {
        return Err(usage());
    };
    if middle.is_empty() || middle.len() > 3 {
        return Err(usage());
    }
    let range_text = String::from_utf8_lossy(&range.text).into_owned();
    let (bounds, step) = range_text.split_once('/').unwrap_or((&range_text, "1"));
    let (start, stop) = bounds.split_once('-').unwrap_or((bounds, ""));
    let number = |s: &str| s.parse::<u64>().ok().filter(|n| *n <= u64::from(u32::MAX));
    let (Some(start), Some(stop), Some(step)) = (number(start), number(stop), number(step)) else {
        return Err(Fail::new(
            line,
            format!("$GENERATE range '{range_text}': expected start-stop[/step] in 0-4294967295"),
        ));
    };
    if start > stop || step == 0 {
        return Err(Fail::new(
            line,
            format!("$GENERATE range '{range_text}': start above stop, or a step of 0"),
        ));
    }
    let count = usize::try_from((stop - start) / step + 1).unwrap_or(usize::MAX);
    *made = made.saturating_add(count);
    if *made > MAX_GENERATED {
        return Err(Fail::new(
            line,
            format!("$GENERATE makes more than {MAX_GENERATED} records in this zone"),
        ));
    }
    let mut value = start;
    while value <= stop {
        let mut tokens = Vec::with_capacity(args.len() - 1);
        tokens.push(substitute(lhs, value, line)?);
        tokens.extend(middle.iter().cloned());
        tokens.push(substitute(rhs, value, line)?);
        each(&Entry {
            line,
            blank_owner: false,
            tokens,
        })?;
        value += step;
    }
    Ok(())
}

/// `token` with every `$` (and `${offset,width,base}`) replaced by `value`.
fn substitute<'a>(token: &Token<'a>, value: u64, line: usize) -> Result<Token<'a>, Fail> {
    let text = &token.text;
    let mut out = Vec::with_capacity(text.len() + 8);
    let mut i = 0;
    while let Some(&c) = text.get(i) {
        match (c, text.get(i + 1)) {
            (b'\\', Some(b'$')) | (b'$', Some(b'$')) => {
                out.push(b'$');
                i += 2;
            }
            (b'\\', Some(&next)) => {
                out.extend_from_slice(&[c, next]);
                i += 2;
            }
            (b'$', Some(b'{')) => {
                let close = text[i..]
                    .iter()
                    .position(|&b| b == b'}')
                    .ok_or_else(|| Fail::new(line, "$GENERATE: '${' without '}'"))?;
                let spec = String::from_utf8_lossy(&text[i + 2..i + close]).into_owned();
                out.extend_from_slice(format_value(value, &spec, line)?.as_bytes());
                i += close + 1;
            }
            (b'$', _) => {
                out.extend_from_slice(value.to_string().as_bytes());
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(Token {
        text: out.into(),
        ..token.clone()
    })
}

/// `value` shifted by `offset` and written `width` wide in `base` (`${offset,width,base}`).
fn format_value(value: u64, spec: &str, line: usize) -> Result<String, Fail> {
    let bad = || Fail::new(line, format!("$GENERATE: bad modifier '${{{spec}}}'"));
    let mut parts = spec.split(',');
    let offset: i64 = parts
        .next()
        .unwrap_or("0")
        .trim()
        .parse()
        .map_err(|_| bad())?;
    let width: usize = match parts.next() {
        Some(w) => w.trim().parse().map_err(|_| bad())?,
        None => 0,
    };
    let base = parts.next().unwrap_or("d").trim();
    if parts.next().is_some() || width > 255 {
        return Err(bad());
    }
    let shifted = i64::try_from(value)
        .ok()
        .and_then(|v| v.checked_add(offset))
        .filter(|v| *v >= 0)
        .ok_or_else(bad)?;
    Ok(match base {
        "d" => format!("{shifted:0width$}"),
        "o" => format!("{shifted:0width$o}"),
        "x" => format!("{shifted:0width$x}"),
        "X" => format!("{shifted:0width$X}"),
        "n" | "N" => {
            let hex = format!("{shifted:0width$x}");
            let hex = if base == "N" { hex.to_uppercase() } else { hex };
            let nibbles: Vec<String> = hex.chars().rev().map(String::from).collect();
            nibbles.join(".")
        }
        _ => return Err(bad()),
    })
}
