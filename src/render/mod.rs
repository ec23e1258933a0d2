//! Renderers: the human report (`text`), the JSON Lines of the contract
//! (`json`), and the whole-run documents (`sarif`, `junit`) written from the
//! [`subject::Subject`]s of a run. All write to any `io::Write`.

pub mod json;
pub mod junit;
pub mod progress;
pub mod sarif;
pub mod subject;
pub mod text;

pub use subject::{Spot, Subject, SubjectKind};

use crate::config::Output;
use std::io::{self, Write};

/// Write the whole-run document of a document format (SARIF or JUnit):
/// `subjects` in order, `problems` the items that could not be checked,
/// `strict` as `--strict` (warnings fail). Text and JSON are written item
/// by item instead; for them this writes nothing.
pub fn document(
    out: &mut dyn Write,
    output: Output,
    subjects: &[Subject],
    problems: &[String],
    strict: bool,
) -> io::Result<()> {
    match output {
        Output::Sarif => sarif::write(out, subjects, problems),
        Output::Junit => junit::write(out, subjects, problems, strict),
        Output::Text { .. } | Output::Json => Ok(()),
    }
}
