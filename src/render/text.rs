//! The human report: findings grouped by area, a coloured status word per
//! line, the records behind each finding and a fix hint for what is wrong.

use crate::report::{DomainReport, Status};
use colored::{ColoredString, Colorize};
use std::io::{self, Write};

fn word(status: Status, color: bool) -> ColoredString {
    let w = format!("{:<5}", status.as_str());
    if !color {
        return w.normal().clear();
    }
    match status {
        Status::Pass => w.green(),
        Status::Info => w.blue(),
        Status::Warn => w.yellow().bold(),
        Status::Error => w.magenta().bold(),
        Status::Fail => w.red().bold(),
    }
}

/// Write one domain's report.
pub fn domain(out: &mut dyn Write, report: &DomainReport, color: bool) -> io::Result<()> {
    let title = if color {
        report.domain.bold()
    } else {
        report.domain.normal().clear()
    };
    writeln!(
        out,
        "{title}: {}",
        word(report.status(), color).to_string().trim_end()
    )?;
    let mut area = "";
    for f in &report.findings {
        if f.area() != area {
            area = f.area();
            writeln!(
                out,
                "  {}",
                if color {
                    area.to_uppercase().bold()
                } else {
                    area.to_uppercase().normal().clear()
                }
            )?;
        }
        writeln!(
            out,
            "    {} {}  [{}]",
            word(f.status, color),
            f.message,
            f.name
        )?;
        for r in &f.records {
            writeln!(
                out,
                "          {}",
                if color {
                    r.dimmed()
                } else {
                    r.normal().clear()
                }
            )?;
        }
        if let Some(fix) = &f.fix
            && f.status != Status::Pass
            && f.status != Status::Info
        {
            writeln!(out, "          fix: {fix}")?;
        }
    }
    Ok(())
}

/// The closing line of a text run: how many items ended in each status.
pub fn summary(out: &mut dyn Write, statuses: &[Status]) -> io::Result<()> {
    let count = |s| statuses.iter().filter(|x| **x == s).count();
    writeln!(
        out,
        "{} checked: {} pass, {} warn, {} fail, {} error",
        statuses.len(),
        count(Status::Pass) + count(Status::Info),
        count(Status::Warn),
        count(Status::Fail),
        count(Status::Error)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Finding;

    #[test]
    fn groups_by_area_and_shows_fix_only_when_wrong() {
        let report = DomainReport {
            domain: "example.com".into(),
            findings: vec![
                Finding::new("mx.records", Status::Pass, "1 MX record")
                    .record("example.com. MX 10 mx.example.com."),
                Finding::new("spf.all", Status::Fail, "ends in +all").fix("end with -all"),
            ],
        };
        let mut buf = Vec::new();
        domain(&mut buf, &report, false).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(text.starts_with("example.com: fail\n"));
        assert!(text.contains("  MX\n    pass  1 MX record  [mx.records]\n          example.com. MX 10 mx.example.com.\n"));
        assert!(
            text.contains(
                "  SPF\n    fail  ends in +all  [spf.all]\n          fix: end with -all\n"
            )
        );
        assert!(!text.contains('\u{1b}'));
    }
}
