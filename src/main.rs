//! The mailcheck binary: parse arguments, run, turn the outcome into an exit
//! status. Errors print once as `mailcheck: what went wrong`; a closed pipe
//! (`mailcheck ... | head`) is not an error.

use clap::Parser;
use mailcheck::{
    cli::Cli,
    exit::ExitStatus,
    run::{RunError, run},
};
use std::io::{self, Write};

/// mimalloc: on batch runs it keeps peak memory flat as the item count grows
/// (glibc's arenas kept growing, 19 MB at 1,000 domains to 26 MB at 20,000)
/// and spends less time allocating (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
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
