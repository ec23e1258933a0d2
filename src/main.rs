//! The mailcheck binary: parse arguments, run, turn the outcome into an exit
//! status. Errors print once as `mailcheck: what went wrong`; a closed pipe
//! (`mailcheck ... | head`) is not an error.

use clap::Parser;
use mailcheck::{
    cli::Cli,
    commands::{RunError, run},
    exit::ExitStatus,
};
use std::io::{self, Write};

/// mimalloc: batch runs allocate and free per item from every worker
/// thread, and mimalloc does it with less CPU than the system allocator;
/// BENCHMARKS.md ("Allocator") has the measurements that keep it.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Raise the soft limit on open files to the hard limit. A batch keeps a
/// socket per question in flight to a remote nameserver (up to
/// `dns::client::MAX_IN_FLIGHT_PER_SERVER` per server) plus TCP connections,
/// which a soft limit of 1,024 can run short of; the hard limit is what the
/// administrator allows. If it cannot be raised, questions that find no free
/// descriptor fail as a local error (`DnsFailure::Local`), not as the
/// server's fault.
#[cfg(target_os = "linux")]
fn raise_open_file_limit() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit read and write one rlimit value.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max;
            let _ = libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn raise_open_file_limit() {}

fn main() {
    raise_open_file_limit();
    // SAFETY: first thing in main, before the runtime or any other thread.
    // If it cannot be done, the system's CA store is read as usual.
    let _ = unsafe { mailcheck::dns::no_tls::use_placeholder_roots() };
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            // One line, like every other error: clap's first line without its
            // "error: " prefix, and where to look for more.
            let text = e.to_string();
            let what: Vec<&str> = text
                .lines()
                .map(str::trim)
                .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
                .filter(|l| !l.is_empty())
                .collect();
            let what = what.join(" ");
            let what = what.strip_prefix("error: ").unwrap_or(&what);
            eprintln!("mailcheck: {what} (see mailcheck --help)");
            std::process::exit(ExitStatus::Error.code());
        }
        Err(e) => e.exit(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("mailcheck: cannot start the async runtime: {e}");
            std::process::exit(ExitStatus::Error.code());
        }
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut err = io::stderr();
    let result = runtime.block_on(run(cli, &mut out, &mut err));
    let flushed = out.flush();
    let code = match (result, flushed) {
        (Ok(status), Ok(())) => status.code(),
        (Err(RunError::Io(e)), _) | (Ok(_), Err(e)) if e.kind() == io::ErrorKind::BrokenPipe => 0,
        (Err(RunError::Io(e)), _) | (Ok(_), Err(e)) => {
            eprintln!("mailcheck: cannot write output: {e}");
            ExitStatus::Error.code()
        }
        (Err(RunError::Input(message)), _) => {
            eprintln!("mailcheck: {message}");
            ExitStatus::Error.code()
        }
    };
    // Lookups still in flight (timed-out servers) must not delay the exit.
    runtime.shutdown_background();
    std::process::exit(code);
}
