//! SIGINT and SIGTERM for the `reef` command. The handler does only what
//! is async-signal-safe: it writes the signal's number to a pipe (the
//! self-pipe trick). A thread reads the pipe and does the real work in
//! ordinary Rust: flush the program's output and exit with 128 + the
//! signal (`reef run`), or interrupt the REPL's evaluation.

use std::os::raw::c_int;
use std::sync::atomic::{AtomicI32, Ordering};

pub use libc::{SIGINT, SIGTERM};

/// The write end of the self-pipe (-1 before `watch`).
static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_signal(sig: c_int) {
    let fd = PIPE_WRITE.load(Ordering::Relaxed);
    if fd < 0 {
        return;
    }
    let byte = sig as u8;
    // SAFETY: `write` on a pipe is async-signal-safe; errno is saved and
    // restored so the interrupted code does not see it change. The byte
    // is a local that lives across the call.
    unsafe {
        let errno = errno_location();
        let saved = errno.map(|e| *e);
        libc::write(fd, (&byte as *const u8).cast(), 1);
        if let (Some(e), Some(v)) = (errno, saved) {
            *e = v;
        }
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn errno_location() -> Option<*mut c_int> {
    // SAFETY: returns the calling thread's errno slot; always valid.
    Some(unsafe { libc::__errno_location() })
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn errno_location() -> Option<*mut c_int> {
    None
}

/// Calls `on(signal)` on a thread of its own for each of `signals` that
/// arrives (their default action, ending the process, is replaced). Once
/// per process; a second call does nothing and returns `false`.
pub fn watch(signals: &[c_int], mut on: impl FnMut(c_int) + Send + 'static) -> bool {
    let mut fds = [0 as c_int; 2];
    // SAFETY: `fds` has room for the two descriptors `pipe` writes.
    if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
        return false;
    }
    let [read_fd, write_fd] = fds;
    // SAFETY: both are descriptors this function just created.
    unsafe {
        libc::fcntl(read_fd, libc::F_SETFD, libc::FD_CLOEXEC);
        libc::fcntl(write_fd, libc::F_SETFD, libc::FD_CLOEXEC);
        // A full pipe must never block the handler: drop the signal.
        libc::fcntl(write_fd, libc::F_SETFL, libc::O_NONBLOCK);
    }
    if PIPE_WRITE
        .compare_exchange(-1, write_fd, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        // SAFETY: ours, and not published anywhere.
        unsafe {
            libc::close(read_fd);
            libc::close(write_fd);
        }
        return false;
    }
    let spawned = std::thread::Builder::new()
        .name("reef-signals".into())
        .spawn(move || loop {
            let mut byte = 0u8;
            // SAFETY: reads one byte into a local that outlives the call.
            let n = unsafe { libc::read(read_fd, (&mut byte as *mut u8).cast(), 1) };
            if n == 1 {
                on(c_int::from(byte));
            } else if n == 0
                || std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted
            {
                return;
            }
        });
    if spawned.is_err() {
        return false;
    }
    for &sig in signals {
        // SAFETY: a zeroed `sigaction` is a valid starting value; the
        // handler is an `extern "C" fn(c_int)` that only does
        // async-signal-safe work; SA_RESTART keeps interrupted reads going.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(sig, &action, std::ptr::null_mut());
        }
    }
    true
}

/// Ends the process with `status` at once, without running destructors
/// or flushing anything (the last resort when flushing hangs).
pub fn exit_now(status: i32) -> ! {
    // SAFETY: `_exit` is always safe to call; it does not return.
    unsafe { libc::_exit(status) }
}
