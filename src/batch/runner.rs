//! The one loop every batch command runs: items are checked concurrently, each
//! on a worker thread, and their results are written in input order as they
//! finish, with a tally of statuses that decides the exit status.

use super::input::Batch;
use crate::{
    config::{Config, Output},
    exit::{ExitStatus, RunError},
    render,
    report::Status,
};
use futures_util::{FutureExt, Stream, StreamExt, stream};
use std::{
    io::{self, Write},
    time::Duration,
};

/// A finished item: its status, and how it is written in each output format.
pub trait Outcome: Send + 'static {
    /// The item's status, for the exit status and the summary.
    fn status(&self) -> Status;
    /// Write the item as one JSON line.
    fn json(&self, out: &mut dyn Write) -> io::Result<()>;
    /// Write the item's human report.
    fn text(&self, out: &mut dyn Write, color: bool) -> io::Result<()>;
    /// The item as the whole-run formats (SARIF, JUnit) see it.
    fn subject(&self) -> render::Subject;
}

/// The instant the whole run must end by (`--deadline`).
pub fn deadline(config: &Config) -> Option<tokio::time::Instant> {
    config.deadline.map(|d| tokio::time::Instant::now() + d)
}

/// Run `fut` unless the deadline passes first.
pub async fn within<T>(
    deadline: Option<tokio::time::Instant>,
    fut: impl Future<Output = T>,
) -> Option<T> {
    match deadline {
        Some(d) => tokio::time::timeout_at(d, fut).await.ok(),
        None => Some(fut.await),
    }
}

/// Check every item of `batch` with `check`, `concurrency` at a time, and
/// write the outcomes in input order to `out`; a bad item is reported on
/// `err` and the others still run (exit status 2 at the end). `strict`
/// counts warnings as failures.
///
/// Each item's check runs as its own task, so a batch uses every worker
/// thread (CPU work such as signature checks runs in parallel, not only DNS
/// waits). Callers box the check's inner future: its state is kilobytes, and
/// the task is moved several times on its way to a worker.
pub async fn run<'a, T, R, F>(
    config: &Config,
    batch: Batch<'a, T>,
    concurrency: usize,
    strict: bool,
    check: impl Fn(T) -> F,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, RunError>
where
    T: Send + 'a,
    R: Outcome,
    F: Future<Output = Result<R, String>> + Send + 'static,
{
    let mut results = stream::iter(batch.items)
        .map(|item| {
            let fut = item.map(&check);
            async move {
                match fut {
                    Ok(fut) => tokio::spawn(fut)
                        .await
                        .unwrap_or_else(|e| Err(format!("internal error: a task failed: {e}"))),
                    Err(message) => Err(message),
                }
            }
        })
        .buffered(concurrency.max(1));
    let mut out = io::BufWriter::with_capacity(OUTPUT_BUFFER, out);
    let mut tally = Tally::new(config, &mut out, err, batch.total);
    while let Some(result) = next_ready(&mut results, &mut tally).await? {
        match result {
            Ok(outcome) => tally.item(&outcome)?,
            Err(message) => tally.bad(&message)?,
        }
    }
    let status = tally.finish(strict);
    out.flush()?;
    status
}

/// How much batch output is gathered before it is written: a `domain`
/// report is 2-5 KiB of JSON, and a write per report (the standard
/// output's own buffer is 8 KiB) was a system call per item.
const OUTPUT_BUFFER: usize = 64 * 1024;

/// The longest a finished result stays in the output buffer while the
/// next one is not ready.
pub const FLUSH_DELAY: Duration = Duration::from_millis(5);

/// The next result of a batch. Output is written when the buffer fills, and
/// when the next result is not ready within [`FLUSH_DELAY`]: whoever reads
/// the stream sees every finished result at most that long after
/// mailcheck has to wait for the next, without a write per item when
/// results come faster than that.
async fn next_ready<S: Stream + Unpin>(
    results: &mut S,
    tally: &mut Tally<'_>,
) -> io::Result<Option<S::Item>> {
    if let Some(next) = results.next().now_or_never() {
        return Ok(next);
    }
    if tally.unwritten {
        if let Ok(next) = tokio::time::timeout(FLUSH_DELAY, results.next()).await {
            return Ok(next);
        }
        tally.out.flush()?;
        tally.unwritten = false;
    }
    Ok(results.next().await)
}

/// Writes per-item results in order; counts statuses and bad items.
struct Tally<'w> {
    out: &'w mut dyn Write,
    err: &'w mut dyn Write,
    output: Output,
    statuses: Vec<Status>,
    bad_input: bool,
    progress: render::progress::Progress,
    /// For SARIF and JUnit: every item, written as one document at the end.
    subjects: Vec<render::Subject>,
    /// For SARIF and JUnit: the items that could not be checked.
    problems: Vec<String>,
    /// Output was written to `out` since it was last flushed.
    unwritten: bool,
}

impl<'w> Tally<'w> {
    fn new(
        config: &Config,
        out: &'w mut dyn Write,
        err: &'w mut dyn Write,
        total: Option<usize>,
    ) -> Self {
        Tally {
            out,
            err,
            output: config.output,
            statuses: Vec::new(),
            bad_input: false,
            progress: render::progress::Progress::new(total),
            subjects: Vec::new(),
            problems: Vec::new(),
            unwritten: false,
        }
    }

    fn bad(&mut self, message: &str) -> io::Result<()> {
        self.bad_input = true;
        if self.output.is_document() {
            self.problems.push(message.to_string());
        }
        // Results before this line reach the terminal before its error.
        self.out.flush()?;
        self.unwritten = false;
        self.progress.inc();
        self.progress
            .suspend(|| writeln!(self.err, "mailcheck: {message}"))
    }

    fn item(&mut self, outcome: &impl Outcome) -> io::Result<()> {
        self.progress.inc();
        let first = self.statuses.is_empty();
        let (out, output) = (&mut *self.out, self.output);
        if output.is_document() {
            self.subjects.push(outcome.subject());
            self.statuses.push(outcome.status());
            return Ok(());
        }
        self.progress.suspend(|| -> io::Result<()> {
            match output {
                Output::Sarif | Output::Junit => {}
                Output::Json => outcome.json(out)?,
                Output::Text { color } => {
                    if !first {
                        render::text::separator(out)?;
                    }
                    outcome.text(out, color)?;
                }
            }
            Ok(())
        })?;
        self.statuses.push(outcome.status());
        self.unwritten = true;
        Ok(())
    }

    fn finish(self, strict: bool) -> Result<ExitStatus, RunError> {
        self.progress.finish();
        render::document(
            self.out,
            self.output,
            &self.subjects,
            &self.problems,
            strict,
        )?;
        if let Output::Text { .. } = self.output
            && self.statuses.len() > 1
        {
            render::text::summary(self.out, &self.statuses)?;
        }
        Ok(if self.bad_input {
            ExitStatus::Error
        } else {
            ExitStatus::of(&self.statuses, strict)
        })
    }
}
