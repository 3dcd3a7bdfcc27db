//! Open files (`file.open`). A handle is the pid of a small guard process
//! (`stdlib/lib/file.reef`) that monitors the process that opened the
//! file, its owner, and closes it when the owner ends, as Erlang's file
//! I/O servers do. The file itself lives here, in the runtime's table
//! keyed by that pid, so reading and writing go straight to the dirty I/O
//! schedulers without a message hop through the guard.
//!
//! An entry is made on the scheduler thread before the open is handed
//! over (`Slot::Opening`), so a close that comes while the open is in
//! flight (the owner died) is never missed: the job sees `Slot::Closed`
//! and drops the file it opened.

use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::sync::{Arc, Mutex, MutexGuard};

use rustc_hash::FxHashMap;

use super::errors::{error, io_error};
use super::{allowance, iodata, line_value, memchr, path_arg, too_big, STREAM_CAP};
use crate::interp::Exception;
use crate::native::Ctx;
use crate::value::{Atom, Pid, Value};

/// What `read_lines` hands back at a time: lines up to about this many
/// bytes, so a fold over a big file holds one chunk at a time.
const CHUNK: usize = 64 << 10;

enum Slot {
    /// The open is on its way (a dirty I/O job).
    Opening,
    Reading(BufReader<File>),
    Writing(File),
    /// Closed while opening: the job drops what it opened.
    Closed,
}

type Table = FxHashMap<Pid, Arc<Mutex<Slot>>>;

/// The open files of a runtime, by the pid of their guard process.
#[derive(Default)]
pub struct Handles {
    map: Arc<Mutex<Table>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Handles {
    fn get(&self, pid: Pid) -> Option<Arc<Mutex<Slot>>> {
        lock(&self.map).get(&pid).cloned()
    }
}

fn handle(v: &Value) -> Result<Pid, Exception> {
    match v {
        Value::Pid(p) => Ok(*p),
        _ => Err(Exception::badarg()),
    }
}

/// `(:error, :terminated)`: the handle was closed (Erlang's answer for
/// an I/O server that is gone).
fn terminated() -> Value {
    error(Atom::new("terminated"))
}

/// `file.__open(path, mode, guard)`: opens `path` for the handle `guard`.
pub(super) fn open(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    let path = path_arg(&a[0])?;
    let mode = match a[1].as_atom().map(|m| m.name()) {
        Some(m) if m == "read" || m == "write" || m == "append" => m,
        _ => return Err(Exception::badarg()),
    };
    let guard = handle(&a[2])?;
    let slot = Arc::new(Mutex::new(Slot::Opening));
    {
        let mut map = lock(&ctx.rt.files.map);
        if map.contains_key(&guard) {
            return Err(Exception::badarg());
        }
        map.insert(guard, slot.clone());
    }
    let map = ctx.rt.files.map.clone();
    Ok(ctx.dirty_io(Box::new(move || {
        let mut o = std::fs::OpenOptions::new();
        match &*mode {
            "read" => o.read(true),
            "write" => o.write(true).create(true).truncate(true),
            _ => o.append(true).create(true),
        };
        let opened = o.open(&path).and_then(|f| {
            // A directory opens for reading on Linux; reading it fails.
            if f.metadata()?.is_dir() {
                return Err(std::io::Error::from_raw_os_error(libc::EISDIR));
            }
            Ok(f)
        });
        let f = match opened {
            Ok(f) => f,
            Err(e) => {
                lock(&map).remove(&guard);
                return Ok(io_error(&e));
            }
        };
        let mut s = lock(&slot);
        if matches!(*s, Slot::Closed) {
            return Ok(terminated());
        }
        *s = if &*mode == "read" {
            Slot::Reading(BufReader::with_capacity(CHUNK, f))
        } else {
            Slot::Writing(f)
        };
        Ok(Value::OK)
    })))
}

/// Runs `f` on the open file of handle `a[0]` on the dirty I/O pool;
/// `(:error, :terminated)` at once if it is closed.
fn with_slot(
    ctx: &mut Ctx<'_>,
    h: &Value,
    f: impl FnOnce(&mut Slot) -> Value + Send + 'static,
) -> Result<Value, Exception> {
    let pid = handle(h)?;
    let Some(slot) = ctx.rt.files.get(pid) else {
        return Ok(terminated());
    };
    Ok(ctx.dirty_io(Box::new(move || {
        let mut s = lock(&slot);
        Ok(match &mut *s {
            Slot::Opening | Slot::Closed => terminated(),
            s => f(s),
        })
    })))
}

/// Why `next_line` found no line.
enum NoLine {
    Eof,
    /// A line longer than the cap (its bytes so far are consumed).
    TooLong,
    Io(std::io::Error),
}

/// The next line of `r` without its ending, read straight from the
/// buffer when it is all there.
fn next_line(r: &mut BufReader<File>, cap: usize) -> Result<Value, NoLine> {
    let mut acc: Vec<u8> = Vec::new();
    loop {
        let buf = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(NoLine::Io(e)),
        };
        if buf.is_empty() {
            return if acc.is_empty() {
                Err(NoLine::Eof)
            } else {
                Ok(line_value(&acc, false))
            };
        }
        match memchr(b'\n', buf) {
            Some(i) if acc.is_empty() => {
                let v = line_value(&buf[..i], true);
                r.consume(i + 1);
                return Ok(v);
            }
            Some(i) => {
                acc.extend_from_slice(&buf[..i]);
                r.consume(i + 1);
                return Ok(line_value(&acc, true));
            }
            None => {
                let n = buf.len();
                acc.extend_from_slice(buf);
                r.consume(n);
                if acc.len() > cap {
                    return Err(NoLine::TooLong);
                }
            }
        }
    }
}

fn line_cap(ctx: &Ctx<'_>) -> usize {
    allowance(ctx).cap.min(STREAM_CAP)
}

/// `file.read_line(h)`: the next line without its ending, `:eof` at the
/// end, `(:error, reason)`.
pub(super) fn read_line(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    let cap = line_cap(ctx);
    with_slot(ctx, &a[0], move |s| match s {
        Slot::Reading(r) => match next_line(r, cap) {
            Ok(line) => line,
            Err(NoLine::Eof) => Value::Atom(Atom::EOF),
            Err(NoLine::TooLong) => too_big(),
            Err(NoLine::Io(e)) => io_error(&e),
        },
        _ => error(Atom::new("ebadf")),
    })
}

/// `file.__read_lines(h)`: the next lines (about `CHUNK` bytes of them)
/// as a list, `:eof` when none is left, or `(:error, reason)`: the
/// chunks a line fold walks.
pub(super) fn read_lines(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    let cap = line_cap(ctx);
    with_slot(ctx, &a[0], move |s| {
        let Slot::Reading(r) = s else {
            return error(Atom::new("ebadf"));
        };
        let mut lines = Vec::new();
        let mut bytes = 0;
        while bytes < CHUNK {
            match next_line(r, cap) {
                Ok(line) => {
                    bytes += line.as_binary().map_or(0, <[u8]>::len) + 1;
                    lines.push(line);
                }
                Err(NoLine::Eof) if lines.is_empty() => return Value::Atom(Atom::EOF),
                Err(NoLine::Eof) => break,
                Err(NoLine::TooLong) => return too_big(),
                Err(NoLine::Io(e)) => return io_error(&e),
            }
        }
        Value::list(lines)
    })
}

/// `file.write(h, data)`: `:ok`, or `(:error, reason)`.
pub(super) fn write(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    handle(&a[0])?;
    let data = iodata(&a[1], ctx)?;
    with_slot(ctx, &a[0], move |s| match s {
        Slot::Writing(f) => match f.write_all(&data) {
            Ok(()) => Value::OK,
            Err(e) => io_error(&e),
        },
        _ => error(Atom::new("ebadf")),
    })
}

/// `file.__close(h)`: takes the handle out of the table at once (later
/// calls get `(:error, :terminated)`) and closes the file on the pool.
/// Closing a closed handle is `:ok`.
pub(super) fn close(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    let pid = handle(&a[0])?;
    let Some(slot) = lock(&ctx.rt.files.map).remove(&pid) else {
        return Ok(Value::OK);
    };
    Ok(ctx.dirty_io(Box::new(move || {
        let old = std::mem::replace(&mut *lock(&slot), Slot::Closed);
        drop(old);
        Ok(Value::OK)
    })))
}
