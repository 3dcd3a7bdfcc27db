//! The terminal for `reef top`, with plain ANSI escapes and termios (no
//! dependency: raw mode, the alternate screen and a few keys are all it
//! needs). [`Screen`] puts the terminal back as it found it when dropped,
//! and a panic hook does the same, so every way out restores it (Ctrl-C
//! is read as a key in raw mode, not a signal). A SIGTERM, SIGHUP or
//! SIGINT sent to the process interrupts the wait for keys and is
//! reported by [`Screen::signalled`], so `reef top` leaves through the
//! same door.

use std::io::Write;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// The terminal settings to put back (also for the panic hook).
static SAVED: Mutex<Option<libc::termios>> = Mutex::new(None);

/// The terminating signal received, or 0.
static SIGNALLED: AtomicI32 = AtomicI32::new(0);

/// The signal handler: only an atomic store (async-signal-safe).
extern "C" fn on_signal(sig: libc::c_int) {
    SIGNALLED.store(sig, Ordering::Relaxed);
}

/// Catches the signals that ask a program to end, without `SA_RESTART`,
/// so that `poll` returns at once and the loop sees the flag.
fn catch_terminating_signals() {
    for sig in [libc::SIGTERM, libc::SIGHUP, libc::SIGINT] {
        // SAFETY: an all-zero sigaction is valid; the handler only stores
        // to an atomic, which is async-signal-safe.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(sig, &action, std::ptr::null_mut());
        }
    }
}

/// A key `reef top` acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Up,
    Down,
    Enter,
    Esc,
    CtrlC,
}

/// The keys in `bytes`, as one read returned them (an escape byte alone
/// is Esc; `ESC [ A` and `ESC [ B`, or `ESC O A`, are the arrows).
pub fn keys(bytes: &[u8]) -> Vec<Key> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        match b {
            0x1b if matches!(bytes.get(i), Some(b'[' | b'O')) => {
                match bytes.get(i + 1) {
                    Some(b'A') => out.push(Key::Up),
                    Some(b'B') => out.push(Key::Down),
                    _ => {}
                }
                // Skip the rest of the sequence: up to its final letter.
                i += 1;
                while i < bytes.len() && !bytes[i].is_ascii_alphabetic() && bytes[i] != b'~' {
                    i += 1;
                }
                i += 1;
            }
            0x1b => out.push(Key::Esc),
            3 => out.push(Key::CtrlC),
            b'\r' | b'\n' => out.push(Key::Enter),
            b if b.is_ascii_graphic() => out.push(Key::Char(b as char)),
            _ => {}
        }
    }
    out
}

fn restore_saved() {
    let saved = SAVED.lock().ok().and_then(|mut s| s.take());
    if let Some(t) = saved {
        let mut out = std::io::stdout();
        // Show the cursor, leave the alternate screen.
        let _ = out.write_all(b"\x1b[0m\x1b[?25h\x1b[?1049l");
        let _ = out.flush();
        // SAFETY: `t` is a termios that tcgetattr filled for this same
        // descriptor; tcsetattr only reads it.
        unsafe {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSAFLUSH, &t);
        }
    }
}

/// The terminal in raw mode on the alternate screen, while it lives.
pub struct Screen {
    _private: (),
}

impl Screen {
    /// Takes over the terminal: raw input, no echo, the alternate screen,
    /// the cursor hidden.
    pub fn enter() -> Result<Screen, String> {
        // SAFETY: an all-zero termios is a valid value for tcgetattr to
        // overwrite; it is used only after tcgetattr succeeded.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: `t` is a valid, writable termios.
        if unsafe { libc::tcgetattr(libc::STDIN_FILENO, &mut t) } != 0 {
            return Err("reef top needs a terminal".to_string());
        }
        let saved = t;
        t.c_lflag &= !(libc::ICANON | libc::ECHO | libc::ISIG | libc::IEXTEN);
        t.c_iflag &= !(libc::IXON | libc::ICRNL);
        t.c_cc[libc::VMIN] = 0;
        t.c_cc[libc::VTIME] = 0;
        // SAFETY: `t` is the terminal's own settings with flags cleared.
        if unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSAFLUSH, &t) } != 0 {
            return Err("reef top: cannot set the terminal to raw mode".to_string());
        }
        if let Ok(mut s) = SAVED.lock() {
            *s = Some(saved);
        }
        static HOOK: std::sync::Once = std::sync::Once::new();
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                restore_saved();
                previous(info)
            }));
        });
        catch_terminating_signals();
        let mut out = std::io::stdout();
        let _ = out.write_all(b"\x1b[?1049h\x1b[?25l");
        let _ = out.flush();
        Ok(Screen { _private: () })
    }

    /// The terminating signal the process received (SIGTERM, SIGHUP,
    /// SIGINT), if any: the caller leaves, dropping the screen.
    pub fn signalled(&self) -> Option<i32> {
        match SIGNALLED.load(Ordering::Relaxed) {
            0 => None,
            sig => Some(sig),
        }
    }

    /// The terminal's size, `(columns, rows)` (80x24 if it does not say).
    pub fn size(&self) -> (usize, usize) {
        // SAFETY: an all-zero winsize is valid; ioctl fills it.
        let mut w: libc::winsize = unsafe { std::mem::zeroed() };
        // SAFETY: TIOCGWINSZ writes one winsize through the pointer.
        let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut w) } == 0;
        if ok && w.ws_col > 0 && w.ws_row > 0 {
            (w.ws_col as usize, w.ws_row as usize)
        } else {
            (80, 24)
        }
    }

    /// Draws `lines` from the top left, erasing what was there; the line
    /// at `highlight` (if any) in reverse video.
    pub fn draw(&self, lines: &[String], highlight: Option<usize>) {
        let mut buf = String::from("\x1b[H\x1b[2J");
        for (i, l) in lines.iter().enumerate() {
            if Some(i) == highlight {
                buf.push_str("\x1b[7m");
                buf.push_str(l);
                buf.push_str("\x1b[0m");
            } else {
                buf.push_str(l);
            }
            buf.push_str("\r\n");
        }
        let mut out = std::io::stdout();
        let _ = out.write_all(buf.as_bytes());
        let _ = out.flush();
    }

    /// The keys pressed within `timeout` (empty when none was).
    pub fn read_keys(&self, timeout: Duration) -> Vec<Key> {
        let mut fd = libc::pollfd {
            fd: libc::STDIN_FILENO,
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
        // SAFETY: one valid pollfd, count 1.
        if unsafe { libc::poll(&mut fd, 1, ms) } <= 0 {
            return Vec::new();
        }
        let mut buf = [0u8; 64];
        // SAFETY: reads at most buf.len() bytes into buf.
        let n = unsafe { libc::read(libc::STDIN_FILENO, buf.as_mut_ptr().cast(), buf.len()) };
        if n <= 0 {
            return Vec::new();
        }
        keys(&buf[..n as usize])
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        restore_saved();
    }
}

#[cfg(test)]
mod tests {
    use super::{keys, Key};

    #[test]
    fn keys_and_escape_sequences() {
        assert_eq!(
            keys(b"mq\x1b[A\x1b[Bj\r\x1b\x03Q"),
            [
                Key::Char('m'),
                Key::Char('q'),
                Key::Up,
                Key::Down,
                Key::Char('j'),
                Key::Enter,
                Key::Esc,
                Key::CtrlC,
                Key::Char('Q')
            ]
        );
        assert_eq!(keys(b"\x1bOA\x1b[5~k"), [Key::Up, Key::Char('k')]);
    }
}
