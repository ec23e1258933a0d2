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
use futures_util::{
    FutureExt,
    future::{self, Either},
};
use std::{
    collections::VecDeque,
    io::{self, Write},
    panic::AssertUnwindSafe,
    pin::{Pin, pin},
    sync::{Arc, Mutex, MutexGuard},
    task::{Poll, Waker},
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
/// The checks run on the worker threads (CPU work such as signature checks
/// runs in parallel, not only DNS waits), in `concurrency` long-lived tasks
/// ("lanes") that each take the next prepared check from a shared queue as
/// soon as their last one is done. The caller's future (this loop) only
/// prepares checks, ahead, in batches, and writes results; it is woken when
/// the queue runs low or results wait to be written, not once per item.
/// A task per item cost two cross-thread wake-ups per item (a worker for the
/// spawn, this loop for its completion), which on two cores was a sixth of
/// a CPU-bound batch's time in the kernel; BENCHMARKS.md ("Batch runner")
/// has the measurements. Callers box the check's inner future: its state is
/// kilobytes.
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
    let concurrency = concurrency.max(1);
    let mut feed = Feed {
        items: batch.items,
        check,
        next: 0,
        exhausted: false,
        shared: Arc::new(Shared::new(concurrency)),
        lanes: Lanes(Vec::new()),
    };
    let mut out = io::BufWriter::with_capacity(OUTPUT_BUFFER, out);
    let mut tally = Tally::new(config, &mut out, err, batch.total);
    let mut ready = Vec::new();
    feed.refill();
    let lanes = if feed.exhausted {
        concurrency.min(feed.shared.lock().queue.len())
    } else {
        concurrency
    };
    feed.lanes.0 = (0..lanes)
        .map(|_| tokio::spawn(lane(feed.shared.clone())))
        .collect();
    // When the oldest result not yet flushed must be written out.
    let mut flush_at = None;
    loop {
        let finished = feed.take_ready(&mut ready);
        tally.write(&mut ready)?;
        if finished {
            break;
        }
        if tally.unwritten {
            // Gather what finishes until FLUSH_DELAY after the first
            // unflushed result, then write it all out.
            let at = *flush_at.get_or_insert_with(|| tokio::time::Instant::now() + FLUSH_DELAY);
            let timer = pin!(tokio::time::sleep_until(at));
            let wake = pin!(feed.wait(false));
            if let Either::Left(..) = future::select(timer, wake).await {
                feed.take_ready(&mut ready);
                tally.write(&mut ready)?;
                tally.out.flush()?;
                tally.unwritten = false;
                flush_at = None;
            }
        } else {
            flush_at = None;
            feed.wait(true).await;
        }
        feed.refill();
    }
    let status = tally.finish(strict);
    out.flush()?;
    status
}

/// How much batch output is gathered before it is written: a `domain`
/// report is 2-5 KiB of JSON, and a write per report (the standard
/// output's own buffer is 8 KiB) was a system call per item.
const OUTPUT_BUFFER: usize = 64 * 1024;

/// The longest a finished result waits before it is written out while the
/// next one is not ready.
pub const FLUSH_DELAY: Duration = Duration::from_millis(5);

/// A prepared check, not yet started.
type Job<R> = Pin<Box<dyn Future<Output = Result<R, String>> + Send>>;

/// What the lanes and the writing loop share.
struct Shared<R> {
    state: Mutex<State<R>>,
    /// Prepared checks kept queued for the lanes.
    target: usize,
    /// At or below this many queued checks, the writing loop prepares more.
    low: usize,
    /// At most this many items are prepared, running or waiting to be
    /// written, so a slow item does not let results pile up behind it.
    window: u64,
}

struct State<R> {
    /// Checks not yet started, in input order, with their item numbers.
    queue: VecDeque<(u64, Job<R>)>,
    /// The result of every item from `head` on, `None` until it is done.
    slots: VecDeque<Option<Result<R, String>>>,
    /// The item number of the first slot: the next to be written.
    head: u64,
    /// No more checks will be queued.
    closed: bool,
    /// Lanes waiting for the queue to fill.
    idle: Vec<Waker>,
    /// The writing loop, when it waits.
    driver: Option<Waker>,
    /// The writing loop wants waking when the next result to write is done.
    want_head: bool,
    /// Checks queued or running.
    pending: usize,
}

impl<R> Shared<R> {
    fn new(concurrency: usize) -> Self {
        Shared {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                slots: VecDeque::new(),
                head: 0,
                closed: false,
                idle: Vec::new(),
                driver: None,
                want_head: false,
                pending: 0,
            }),
            target: concurrency,
            low: concurrency / 2,
            window: 2 * concurrency as u64,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<R>> {
        // A lane never panics while it holds the lock (checks run outside
        // it), so a poisoned lock still holds consistent state.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One lane: run queued checks one after another until the queue is
/// closed and empty, and put each result in its item's slot.
async fn lane<R: Send + 'static>(shared: Arc<Shared<R>>) {
    loop {
        let next = future::poll_fn(|cx| {
            let mut state = shared.lock();
            if let Some(job) = state.queue.pop_front() {
                if !state.closed && state.queue.len() <= shared.low {
                    wake(state.driver.take());
                }
                return Poll::Ready(Some(job));
            }
            if state.closed {
                return Poll::Ready(None);
            }
            state.idle.push(cx.waker().clone());
            Poll::Pending
        })
        .await;
        let Some((number, job)) = next else { return };
        let result = AssertUnwindSafe(job)
            .catch_unwind()
            .await
            .unwrap_or_else(|panic| {
                Err(format!(
                    "internal error: a check failed: {}",
                    panic_text(&*panic)
                ))
            });
        {
            let mut state = shared.lock();
            let at = (number - state.head) as usize;
            state.slots[at] = Some(result);
            state.pending -= 1;
            if (at == 0 && state.want_head) || (state.closed && state.pending == 0) {
                state.want_head = false;
                wake(state.driver.take());
            }
        }
        // A lane whose checks never wait (CPU work on local data) still
        // lets the worker run its other tasks now and then.
        tokio::task::consume_budget().await;
    }
}

fn wake(waker: Option<Waker>) {
    if let Some(waker) = waker {
        waker.wake();
    }
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("panic")
}

/// Stops the lanes if the writing loop ends early (a write error).
struct Lanes(Vec<tokio::task::JoinHandle<()>>);

impl Drop for Lanes {
    fn drop(&mut self) {
        for lane in &self.0 {
            lane.abort();
        }
    }
}

/// The writing loop's side: the items still to read and how to check one.
struct Feed<'a, T, R, C> {
    items: super::input::Items<'a, T>,
    check: C,
    /// The item number of the next item read.
    next: u64,
    exhausted: bool,
    shared: Arc<Shared<R>>,
    lanes: Lanes,
}

impl<'a, T, R, F, C> Feed<'a, T, R, C>
where
    R: Send + 'static,
    F: Future<Output = Result<R, String>> + Send + 'static,
    C: Fn(T) -> F,
{
    /// Read and prepare items until the queue holds `target` checks or the
    /// window is full.
    fn refill(&mut self) {
        if self.exhausted {
            return;
        }
        let (queued, head) = {
            let state = self.shared.lock();
            (state.queue.len(), state.head)
        };
        let room = (self.shared.target.saturating_sub(queued) as u64)
            .min((head + self.shared.window).saturating_sub(self.next));
        if room == 0 {
            return;
        }
        let mut prepared = Vec::with_capacity(room as usize);
        while (prepared.len() as u64) < room {
            match self.items.next() {
                Some(item) => prepared.push(item.map(&self.check)),
                None => {
                    self.exhausted = true;
                    break;
                }
            }
        }
        let mut state = self.shared.lock();
        for item in prepared {
            let number = self.next;
            self.next += 1;
            match item {
                Ok(fut) => {
                    state.slots.push_back(None);
                    state.queue.push_back((number, Box::pin(fut)));
                    state.pending += 1;
                }
                Err(message) => state.slots.push_back(Some(Err(message))),
            }
        }
        state.closed = self.exhausted;
        let idle = std::mem::take(&mut state.idle);
        drop(state);
        for lane in idle {
            lane.wake();
        }
    }

    /// Move the results ready to be written, in order, into `ready`; true
    /// when every item has been written.
    fn take_ready(&self, ready: &mut Vec<Result<R, String>>) -> bool {
        let mut state = self.shared.lock();
        while let Some(Some(_)) = state.slots.front() {
            if let Some(Some(result)) = state.slots.pop_front() {
                ready.push(result);
            }
            state.head += 1;
        }
        self.exhausted && state.slots.is_empty()
    }

    /// Wait until more items should be prepared, every check is done, or,
    /// with `head` or when only the next result to write lets more items
    /// in, until that result is done.
    fn wait(&self, head: bool) -> impl Future<Output = ()> + '_ {
        future::poll_fn(move |cx| {
            let mut state = self.shared.lock();
            let starved = !self.exhausted && state.queue.len() <= self.shared.low;
            let refill = starved && self.next < state.head + self.shared.window;
            let head = head || starved;
            let done = matches!(state.slots.front(), Some(Some(_)));
            let all_done = self.exhausted && state.pending == 0;
            if refill || all_done || (head && done) {
                state.want_head = false;
                return Poll::Ready(());
            }
            state.want_head = head;
            state.driver = Some(cx.waker().clone());
            Poll::Pending
        })
    }
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

    /// Write `ready` results, in order, and empty it.
    fn write<R: Outcome>(&mut self, ready: &mut Vec<Result<R, String>>) -> io::Result<()> {
        for result in ready.drain(..) {
            match result {
                Ok(outcome) => self.item(&outcome)?,
                Err(message) => self.bad(&message)?,
            }
        }
        Ok(())
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
