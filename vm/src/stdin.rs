//! Reading standard input without blocking a scheduler thread: a process
//! that wants a line asks the reader thread (started on first use) and
//! waits in a receive; the thread reads the line and sends it back as
//! `(:io_reply, ref, line)` (`line` is a string without its line ending,
//! `(:error, :invalid_utf8)`, or `:eof`). Requests are served in the order
//! they come.

use std::io::BufRead;
use std::sync::mpsc::{channel, Sender};
use std::sync::{Mutex, Weak};

use crate::mailbox::Message;
use crate::runtime::Runtime;
use crate::signal::Signal;
use crate::value::{Atom, Pid, Ref, Value};

#[derive(Default)]
pub struct StdinReader {
    requests: Mutex<Option<Sender<(Pid, Ref)>>>,
}

impl StdinReader {
    /// Asks for the next line for `pid`, tagged with `r`.
    pub fn request(&self, rt: &Weak<Runtime>, pid: Pid, r: Ref) {
        let mut requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        let tx = requests.get_or_insert_with(|| {
            let (tx, rx) = channel::<(Pid, Ref)>();
            let rt = rt.clone();
            // Not joined: it may be blocked reading a terminal when the VM
            // stops; it ends at the next request it cannot serve.
            let _ = std::thread::Builder::new()
                .name("reef-stdin".into())
                .spawn(move || {
                    let stdin = std::io::stdin();
                    while let Ok((pid, r)) = rx.recv() {
                        let line = read_line(&mut stdin.lock());
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
        if tx.send((pid, r)).is_err() {
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

#[cfg(test)]
mod tests {
    use super::read_line;
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
}
