//! Reading standard input without blocking a scheduler thread: a process
//! that wants a line asks the reader thread (started on first use) and
//! waits in a receive; the thread reads the line and sends it back as
//! `(:io_reply, ref, line)` (`line` is a string without its line ending,
//! `(:error, :invalid_utf8)`, or `:eof`). Requests are served in the order
//! they come.
//!
//! Besides single lines (`io.read_line`) the thread serves the whole input
//! at once (`io.read_all`: a string, or a binary when it is not UTF-8) and
//! batches of lines (`io.fold_lines`, `io.lines`): a batch is at least one
//! line and then the lines that can be read without waiting (`poll` says
//! more input is ready), up to [`BATCH_LINES`] lines or [`BATCH_BYTES`]
//! bytes, so a fold over a big file costs one message per batch rather
//! than per line, memory stays bounded, and a line that arrives late is
//! handed over as soon as it is complete.

use std::io::BufRead;
use std::sync::mpsc::{channel, Sender};
use std::sync::{Mutex, Weak};

use crate::mailbox::Message;
use crate::runtime::Runtime;
use crate::signal::Signal;
use crate::value::{Atom, Pid, Ref, Value};

/// Most lines in one batch of [`Want::Lines`].
pub const BATCH_LINES: usize = 4096;
/// A batch stops after the line that passes this many bytes.
pub const BATCH_BYTES: usize = 256 * 1024;

/// What a request asks the reader thread for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// One line (see [`read_line`]).
    Line,
    /// A list of lines (strings, or binaries for lines that are not
    /// UTF-8), or `:eof`.
    Lines,
    /// Everything up to the end of input: a string, or a binary when it is
    /// not UTF-8 (`""` at the end of input); `(:error, :system_limit)`
    /// beyond the largest term.
    All,
}

#[derive(Default)]
pub struct StdinReader {
    requests: Mutex<Option<Sender<(Pid, Ref, Want)>>>,
}

impl StdinReader {
    /// Asks for the next line for `pid`, tagged with `r`.
    pub fn request(&self, rt: &Weak<Runtime>, pid: Pid, r: Ref) {
        self.request_for(rt, pid, r, Want::Line)
    }

    /// Asks for `want` for `pid`, tagged with `r`.
    pub fn request_for(&self, rt: &Weak<Runtime>, pid: Pid, r: Ref, want: Want) {
        let mut requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        let tx = requests.get_or_insert_with(|| {
            let (tx, rx) = channel::<(Pid, Ref, Want)>();
            let rt = rt.clone();
            // Not joined: it may be blocked reading a terminal when the VM
            // stops; it ends at the next request it cannot serve.
            let _ = std::thread::Builder::new()
                .name("reef-stdin".into())
                .spawn(move || {
                    let stdin = std::io::stdin();
                    while let Ok((pid, r, want)) = rx.recv() {
                        let mut input = stdin.lock();
                        let line = match want {
                            Want::Line => read_line(&mut input),
                            Want::Lines => read_lines(&mut input, stdin_ready),
                            Want::All => read_all(&mut input),
                        };
                        drop(input);
                        let Some(rt) = rt.upgrade() else { break };
                        // The read counted as a source of messages from
                        // outside since it was asked for (`request`).
                        rt.scheduler.outside_sender_gone();
                        let reply =
                            Value::tuple(vec![Value::atom("io_reply"), Value::Ref(r), line]);
                        rt.scheduler
                            .deliver(pid, Signal::Message(Message::copy_of(&reply)));
                    }
                });
            tx
        });
        // A process waiting for a line is not deadlocked, however long
        // the line takes to come (a person typing, a slow pipe).
        if let Some(rt) = rt.upgrade() {
            rt.scheduler.outside_sender_open();
        }
        if tx.send((pid, r, want)).is_err() {
            if let Some(rt) = rt.upgrade() {
                rt.scheduler.outside_sender_gone();
            }
        }
    }
}

/// One line without its line ending; `(:error, :invalid_utf8)` for a line
/// that is not UTF-8 (the line is consumed, and reading goes on with the
/// next); `:eof` at the end of input (and on a read error, after which
/// nothing more can be read).
fn read_line(input: &mut impl BufRead) -> Value {
    let mut line = Vec::new();
    match input.read_until(b'\n', &mut line) {
        Ok(0) | Err(_) => Value::Atom(Atom::EOF),
        Ok(_) => {
            let trimmed = line.strip_suffix(b"\n").unwrap_or(&line);
            let trimmed = trimmed.strip_suffix(b"\r").unwrap_or(trimmed);
            match std::str::from_utf8(trimmed) {
                Ok(text) => Value::str(text),
                Err(_) => Value::tuple(vec![Value::Atom(Atom::ERROR), Value::atom("invalid_utf8")]),
            }
        }
    }
}

/// One line as raw bytes without its line ending, or `None` at the end of
/// input (or on a read error).
fn read_raw_line(input: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut line = Vec::new();
    match input.read_until(b'\n', &mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => {
            if line.ends_with(b"\n") {
                line.pop();
                if line.ends_with(b"\r") {
                    line.pop();
                }
            }
            Some(line)
        }
    }
}

/// A batch of lines (see [`Want::Lines`]): the first read may wait; the
/// next ones are read only while `ready()` says input is there.
fn read_lines(input: &mut impl BufRead, ready: fn() -> bool) -> Value {
    let mut lines = Vec::new();
    let mut bytes = 0;
    while lines.len() < BATCH_LINES && bytes < BATCH_BYTES {
        if !lines.is_empty() && !ready() {
            break;
        }
        let Some(line) = read_raw_line(input) else {
            break;
        };
        bytes += line.len() + 1;
        lines.push(Value::binary(line));
    }
    if lines.is_empty() {
        Value::Atom(Atom::EOF)
    } else {
        Value::list(lines)
    }
}

/// The rest of the input (see [`Want::All`]).
fn read_all(input: &mut impl BufRead) -> Value {
    use std::io::Read;
    let cap = crate::heap::MAX_TERM_BYTES as u64;
    let mut data = Vec::new();
    let _ = input.take(cap + 1).read_to_end(&mut data);
    if data.len() as u64 > cap {
        return Value::tuple(vec![Value::Atom(Atom::ERROR), Value::atom("system_limit")]);
    }
    Value::binary(data)
}

/// Is input ready on the standard input, so that reading will not wait?
/// (Also true at the end of input, which a read reports at once.)
fn stdin_ready() -> bool {
    let mut fds = libc::pollfd {
        fd: 0,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: `fds` is one valid, initialised pollfd that outlives the
    // call, and the count passed is 1; a zero timeout never blocks.
    let n = unsafe { libc::poll(&mut fds, 1, 0) };
    n > 0 && fds.revents != 0
}

#[cfg(test)]
mod tests {
    use super::{read_all, read_line, read_lines};
    use crate::value::print::inspect;

    #[test]
    fn an_invalid_line_is_an_error_and_reading_goes_on() {
        let mut input: &[u8] = b"caf\xc3\xa9\r\nbad \xff\xfe line\nlast";
        let lines: Vec<String> = (0..4).map(|_| inspect(&read_line(&mut input))).collect();
        assert_eq!(
            lines,
            ["\"café\"", "(:error, :invalid_utf8)", "\"last\"", ":eof"]
        );
    }

    #[test]
    fn batches_of_lines_and_the_whole_input() {
        let mut input: &[u8] = b"a\r\nb\n\xff\nlast";
        assert_eq!(
            inspect(&read_lines(&mut input, || true)),
            "[\"a\", \"b\", <<255>>, \"last\"]"
        );
        assert_eq!(inspect(&read_lines(&mut input, || true)), ":eof");
        // Nothing ready after the first line: a batch of one.
        let mut input: &[u8] = b"x\ny\n";
        assert_eq!(inspect(&read_lines(&mut input, || false)), "[\"x\"]");
        assert_eq!(inspect(&read_all(&mut input)), "\"y\\n\"");
        assert_eq!(inspect(&read_all(&mut input)), "\"\"");
        let mut input: &[u8] = b"ok\xfe";
        assert_eq!(inspect(&read_all(&mut input)), "<<111, 107, 254>>");
    }
}
