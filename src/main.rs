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

/// mimalloc: on batch runs it keeps peak memory flat as the item count grows
/// (glibc's arenas kept growing, 19 MB at 1,000 domains to 26 MB at 20,000)
/// and spends less time allocating (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_e`, which the
/// Rust binding does not name) and that option's default in mimalloc 3
/// (options.c), 1,000 ms.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
const MI_PURGE_DELAY_DEFAULT: std::ffi::c_long = 1000;

/// Give memory freed during a batch back to the system after 10 ms instead
/// of mimalloc's one second: with the default, peak memory of a
/// 10,000-domain run varied from 47 to 67 MB between identical runs (38-49 MB
/// for 1,000 domains); with 10 ms it is 40-41 MB against 39-41 MB, at the
/// same speed within the noise. The option is set only if its slot holds
/// the default, so a different mimalloc layout (or a MIMALLOC_PURGE_DELAY
/// in the environment) leaves everything as it was.
fn purge_freed_memory_promptly() {
    // SAFETY: reading and setting a mimalloc option takes plain integers.
    unsafe {
        if libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) == MI_PURGE_DELAY_DEFAULT {
            libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 10);
        }
    }
}

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
    purge_freed_memory_promptly();
    raise_open_file_limit();
    // SAFETY: first thing in main, before the runtime or any other thread.
    // If it cannot be done, the system's CA store is used as before.
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
