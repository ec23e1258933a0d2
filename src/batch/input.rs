//! Batch input (`--from-file FILE|-`): one item a line, fields separated by
//! tabs or spaces; blank lines and lines starting with `#` are skipped. Lines
//! are read lazily, so a file of a million lines is never held in memory.

use std::{
    fs::File,
    io::{BufRead, BufReader},
    net::IpAddr,
};

/// Items to process, in input order: a bad one is its `FILE:LINE: message`.
pub type Items<'a, T> = Box<dyn Iterator<Item = Result<T, String>> + Send + 'a>;

/// What a batch command works through: its items, and how many there are
/// when that is known in advance (for the progress bar).
pub struct Batch<'a, T> {
    /// The items, read lazily from a file or given on the command line.
    pub items: Items<'a, T>,
    /// How many items there are; `None` for a batch file.
    pub total: Option<usize>,
}

impl<'a, T: Send + 'a> Batch<'a, T> {
    /// Items given on the command line.
    pub fn of(items: Vec<T>) -> Batch<'a, T> {
        let total = Some(items.len());
        Batch {
            items: Box::new(items.into_iter().map(Ok)),
            total,
        }
    }

    /// Items read from a batch file (`-`: standard input), each line turned
    /// into an item with `parse`, which sees the line's fields. A line
    /// `parse` refuses becomes an error naming the file and line.
    pub fn from_file(
        source: &str,
        parse: impl Fn(&[String]) -> Result<T, String> + Send + 'a,
    ) -> Result<Batch<'a, T>, String> {
        let lines = open(source)?;
        let label = lines.label().to_string();
        let items = lines.map(move |line| match line {
            Ok(line) => parse(&line.fields).map_err(|e| format!("{label}:{}: {e}", line.number)),
            Err(e) => Err(e.0),
        });
        Ok(Batch {
            items: Box::new(items),
            total: None,
        })
    }
}

/// Refuse a line with more than `max` fields; `form` shows what a line holds
/// (`PATH [IP [HELO [MAIL-FROM]]]`).
pub fn at_most(fields: &[String], max: usize, form: &str) -> Result<(), String> {
    if fields.len() > max {
        return Err(format!("expected {form}, found {} fields", fields.len()));
    }
    Ok(())
}

/// An IP address field.
pub fn ip_field(text: &str) -> Result<IpAddr, String> {
    text.parse()
        .map_err(|_| format!("'{text}' is not an IP address"))
}

/// One non-blank, non-comment line: its 1-based number and its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Line number in the file.
    pub number: usize,
    /// Whitespace-separated fields.
    pub fields: Vec<String>,
}

/// A bad line: where, and what is wrong (printed as `FILE:LINE: message`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError(pub String);

/// The lines of a batch file, or of standard input for `-`.
pub struct Lines {
    label: String,
    reader: Box<dyn BufRead + Send>,
    number: usize,
    done: bool,
}

/// Open a batch source.
pub fn open(source: &str) -> Result<Lines, String> {
    let reader: Box<dyn BufRead + Send> = if source == "-" {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        let file = File::open(source).map_err(|e| format!("{source}: cannot read: {e}"))?;
        Box::new(BufReader::new(file))
    };
    Ok(Lines {
        label: if source == "-" {
            "<stdin>".into()
        } else {
            source.to_string()
        },
        reader,
        number: 0,
        done: false,
    })
}

impl Lines {
    /// A `FILE:LINE: message` error for a line of this source.
    pub fn error(&self, number: usize, message: impl std::fmt::Display) -> LineError {
        LineError(format!("{}:{number}: {message}", self.label))
    }

    /// The source's name as used in messages.
    pub fn label(&self) -> &str {
        &self.label
    }
}

impl Iterator for Lines {
    type Item = Result<Line, LineError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut buf = Vec::new();
        while !self.done {
            buf.clear();
            match self.reader.read_until(b'\n', &mut buf) {
                Ok(0) => self.done = true,
                Ok(_) => {
                    self.number += 1;
                    let Ok(text) = std::str::from_utf8(&buf) else {
                        return Some(Err(self.error(self.number, "not valid UTF-8")));
                    };
                    let text = text.trim();
                    if text.is_empty() || text.starts_with('#') {
                        continue;
                    }
                    return Some(Ok(Line {
                        number: self.number,
                        fields: text.split_whitespace().map(str::to_string).collect(),
                    }));
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(self.error(self.number + 1, format!("cannot read: {e}"))));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_blanks_and_comments_and_numbers_lines() {
        let lines = Lines {
            label: "list.txt".into(),
            reader: Box::new(std::io::Cursor::new(
                b"# domains\n\nexample.com\n  a.example\tb c \n\xff\n".to_vec(),
            )),
            number: 0,
            done: false,
        };
        let got: Vec<_> = lines.collect();
        assert_eq!(
            got[0],
            Ok(Line {
                number: 3,
                fields: vec!["example.com".into()]
            })
        );
        assert_eq!(
            got[1],
            Ok(Line {
                number: 4,
                fields: vec!["a.example".into(), "b".into(), "c".into()]
            })
        );
        assert_eq!(got[2], Err(LineError("list.txt:5: not valid UTF-8".into())));
        assert_eq!(got.len(), 3);
    }
}
