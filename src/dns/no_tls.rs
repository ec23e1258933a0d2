//! mailcheck speaks plain DNS, over UDP and TCP, and never TLS. hickory, as
//! mail-auth builds it with its aws-lc-rs backend, still prepares a TLS client
//! when the resolver is made, and loads the system's CA store for it: a couple
//! of milliseconds of every run, and on a host with no CA certificates (slim
//! containers, minimal CI images) an error before the first lookup, even with
//! `--zone`, where no packet is ever sent.
//!
//! [`use_placeholder_roots`] gives that unused TLS client one embedded root
//! certificate instead, whose private key was thrown away when it was made: no
//! server can present a chain to it, so a TLS connection, were one ever
//! attempted, would fail closed. Nothing is read from the system's store.

/// The embedded root: a self-signed P-256 certificate, key discarded.
pub const PLACEHOLDER_ROOT_PEM: &str = include_str!("placeholder-root.pem");

/// Point rustls-native-certs (through `SSL_CERT_FILE`) at an in-memory file
/// holding [`PLACEHOLDER_ROOT_PEM`], and clear `SSL_CERT_DIR` so nothing else
/// is loaded.
///
/// # Safety
///
/// Changes the process environment: call it before any other thread exists
/// (first thing in `main`, before the async runtime starts).
#[cfg(target_os = "linux")]
pub unsafe fn use_placeholder_roots() -> std::io::Result<()> {
    use std::io::Write;
    use std::os::fd::{FromRawFd, IntoRawFd};

    // SAFETY: memfd_create takes a NUL-terminated name and flags; it returns a
    // new descriptor or -1.
    let fd = unsafe { libc::memfd_create(c"mailcheck-tls-roots".as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `fd` was just created and is owned by nobody else.
    let mut file = unsafe { std::fs::File::from_raw_fd(fd) };
    file.write_all(PLACEHOLDER_ROOT_PEM.as_bytes())?;
    // The descriptor stays open for the life of the process: every open of
    // /proc/self/fd/N reads the file from its start.
    let fd = file.into_raw_fd();
    // SAFETY: the caller guarantees no other thread reads the environment.
    unsafe {
        std::env::set_var("SSL_CERT_FILE", format!("/proc/self/fd/{fd}"));
        std::env::remove_var("SSL_CERT_DIR");
    }
    Ok(())
}

/// Elsewhere the platform's verifier does not fail without a CA store and
/// loads it lazily; nothing to do.
///
/// # Safety
///
/// None needed; `unsafe` only to match the Linux signature.
#[cfg(not(target_os = "linux"))]
pub unsafe fn use_placeholder_roots() -> std::io::Result<()> {
    Ok(())
}
