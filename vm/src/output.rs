//! Program output (`io.println` and friends): a buffered writer that is
//! never left holding text for long. On a terminal it is flushed at each
//! newline; into a pipe or a file, a flusher thread writes out a dirty
//! buffer within `FLUSH_DELAY`; and it is flushed whenever the VM waits
//! for input, writes to stderr or stops. A write that fails (the reader
//! of a pipe went away: EPIPE) closes the output for good and halts the
//! VM, as a Unix tool dies of SIGPIPE under `| head`, instead of going on
//! computing text nobody reads.

use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::runtime::Runtime;

/// How long text may sit in the buffer before the flusher writes it out:
/// short enough that a progress line shows at once, long enough that a
/// print-heavy loop still writes in big blocks (one syscall per 8 KB or
/// per 5 ms, whichever comes first).
pub const FLUSH_DELAY: Duration = Duration::from_millis(5);

/// The exit status of a program whose output was closed (EPIPE): the
/// status a shell shows for a tool killed by SIGPIPE (128 + 13).
pub const BROKEN_PIPE_STATUS: i32 = 141;

/// What a failed write asks of the runtime.
pub enum Failure {
    /// The reader went away (EPIPE): stop quietly.
    BrokenPipe,
    /// Any other error: stop, and say why.
    Other(std::io::Error),
}

struct Sink {
    w: Box<dyn Write + Send>,
    /// Flush at each newline (the output is a terminal).
    line_flush: bool,
    /// Holds text not yet flushed, and the flusher has been told.
    dirty: bool,
    /// A write failed: nothing more is written.
    closed: bool,
}

pub struct Output {
    sink: Mutex<Sink>,
    /// The flusher thread, to wake when the buffer becomes dirty.
    flusher: Mutex<Option<JoinHandle<()>>>,
    stop: AtomicBool,
}

impl Output {
    pub fn new(w: Box<dyn Write + Send>, line_flush: bool) -> Output {
        Output {
            sink: Mutex::new(Sink {
                w,
                line_flush,
                dirty: false,
                closed: false,
            }),
            flusher: Mutex::new(None),
            stop: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Sink> {
        self.sink.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts the flusher thread. It holds the runtime weakly, sleeps
    /// (parked) while the buffer is clean, and ends at `stop`.
    pub fn start_flusher(&self, rt: &Arc<Runtime>) {
        let weak: Weak<Runtime> = Arc::downgrade(rt);
        let spawned = std::thread::Builder::new()
            .name("reef-flusher".into())
            .spawn(move || loop {
                std::thread::park();
                let Some(rt) = weak.upgrade() else { return };
                if rt.output.stop.load(Ordering::Acquire) {
                    return;
                }
                // Let more text gather, then write it in one go.
                std::thread::sleep(FLUSH_DELAY);
                rt.flush_out();
            });
        if let Ok(h) = spawned {
            *self.flusher.lock().unwrap_or_else(PoisonError::into_inner) = Some(h);
        }
    }

    /// Ends the flusher thread (when the VM shuts down).
    pub fn stop_flusher(&self) {
        self.stop.store(true, Ordering::Release);
        let h = self
            .flusher
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(h) = h {
            h.thread().unpark();
            if h.thread().id() != std::thread::current().id() {
                let _ = h.join();
            }
        }
    }

    /// Writes `s`. The hot path: one lock, a copy into the buffer, and a
    /// flag test; the flusher is woken only when the buffer turns dirty.
    pub fn write(&self, s: &str) -> Result<(), Failure> {
        let mut sink = self.lock();
        if sink.closed {
            return Ok(());
        }
        let mut r = sink.w.write_all(s.as_bytes());
        if r.is_ok() {
            if sink.line_flush && s.contains('\n') {
                r = sink.w.flush();
                sink.dirty = false;
            } else if !sink.dirty {
                sink.dirty = true;
                if let Some(h) = &*self.flusher.lock().unwrap_or_else(PoisonError::into_inner) {
                    h.thread().unpark();
                }
            }
        }
        r.map_err(|e| close(&mut sink, e))
    }

    /// Writes out whatever is buffered.
    pub fn flush(&self) -> Result<(), Failure> {
        let mut sink = self.lock();
        if sink.closed {
            return Ok(());
        }
        sink.dirty = false;
        sink.w.flush().map_err(|e| close(&mut sink, e))
    }

    /// Like `flush`, but gives up (returning `false`) if another thread
    /// holds the output for `patience` (blocked writing into a full pipe):
    /// for a signal handler's thread, which must not hang.
    pub fn try_flush(&self, patience: Duration) -> bool {
        let deadline = std::time::Instant::now() + patience;
        loop {
            match self.sink.try_lock() {
                Ok(mut sink) => {
                    if !sink.closed {
                        sink.dirty = false;
                        let _ = sink.w.flush();
                    }
                    return true;
                }
                Err(std::sync::TryLockError::Poisoned(p)) => {
                    let mut sink = p.into_inner();
                    let _ = sink.w.flush();
                    return true;
                }
                Err(std::sync::TryLockError::WouldBlock) => {
                    if std::time::Instant::now() >= deadline {
                        return false;
                    }
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        }
    }
}

/// Marks the output closed after a failed write: later writes are dropped,
/// so a program whose reader left cannot spin retrying a dead pipe.
fn close(sink: &mut Sink, e: std::io::Error) -> Failure {
    sink.closed = true;
    sink.dirty = false;
    if e.kind() == ErrorKind::BrokenPipe {
        Failure::BrokenPipe
    } else {
        Failure::Other(e)
    }
}
