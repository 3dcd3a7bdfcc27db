//! `file`, the natives: every call that touches the file system hands
//! its work to the dirty I/O schedulers (`dirty.rs`) and returns
//! `(:dirty, ref)`; the Reef half (`stdlib/lib/file.reef`) waits for the
//! reply, so a slow disk or a FIFO with no writer parks only the caller.
//! Failures are values, `(:error, posix_atom)` (`errors.rs`); a bad
//! argument (a path that is not a string, data that is not iodata) raises
//! `:badarg` before anything is handed over.
//!
//! Whole-file reads are bounded (`allowance`): a regular file bigger than
//! the caller may hold is `(:error, :system_limit)` before a byte is
//! read, and anything else (a device, a FIFO, `/proc`) is read up to
//! `STREAM_CAP`, so reading `/dev/zero` ends at once with the same error.

mod errors;
mod handles;
mod meta;

pub use errors::{error, io_error, ok, posix};
pub use handles::Handles;

use std::io::Read;

use super::Ctx;
use crate::exports::NativeFn;
use crate::interp::Exception;
use crate::value::{Atom, Value};

pub const NATIVES: &[(&str, u32, NativeFn)] = &[
    ("__read", 1, read),
    ("__lines", 1, lines),
    ("__write", 2, |ctx, a| write(ctx, a, false)),
    ("__append", 2, |ctx, a| write(ctx, a, true)),
    ("__open", 3, handles::open),
    ("__read_line", 1, handles::read_line),
    ("__read_lines", 1, handles::read_lines),
    ("__close", 1, handles::close),
    ("__list_dir", 1, meta::list_dir),
    ("__stat", 2, meta::stat),
    ("__kind", 1, meta::kind),
    ("__mkdir_p", 1, |ctx, a| {
        meta::unary(ctx, a, |p| std::fs::create_dir_all(p))
    }),
    ("__mkdir", 1, |ctx, a| {
        meta::unary(ctx, a, |p| std::fs::create_dir(p))
    }),
    ("__delete", 1, |ctx, a| {
        meta::unary(ctx, a, |p| std::fs::remove_file(p))
    }),
    ("__delete_dir", 1, |ctx, a| {
        meta::unary(ctx, a, |p| std::fs::remove_dir(p))
    }),
    ("__rm_rf", 1, meta::rm_rf),
    ("__rename", 2, |ctx, a| {
        meta::binary_op(ctx, a, |f, t| std::fs::rename(f, t))
    }),
    ("__copy", 2, |ctx, a| {
        meta::binary_op(ctx, a, |from, to| std::fs::copy(from, to).map(|_| ()))
    }),
];

/// The most bytes read from something that is not a regular file (a
/// device, a FIFO, a `/proc` file) in one whole-file read: its size is
/// not known beforehand, and `/dev/zero` never ends.
pub const STREAM_CAP: usize = 64 << 20;

/// A path argument: a string without NUL bytes, else `:badarg`.
pub(crate) fn path_arg(v: &Value) -> Result<String, Exception> {
    match v.as_str() {
        Some(s) if !s.contains('\0') => Ok(s.to_string()),
        _ => Err(Exception::badarg()),
    }
}

/// How many bytes of data the calling process may receive in one term:
/// what its `max_heap` leaves, the VM's memory ceiling, and the absolute
/// cap on one term (`heap::MAX_TERM_BYTES`), whichever is least.
pub(crate) fn allowance(ctx: &Ctx<'_>) -> Bound {
    let ceiling = ctx.rt.term_ceiling();
    let mut cap = crate::heap::MAX_TERM_BYTES.min(ceiling);
    if let Some(limit) = ctx.proc.max_heap.map(std::num::NonZeroU64::get) {
        let left = (limit as usize).saturating_sub(crate::heap::estimate(ctx.proc));
        cap = cap.min(left.saturating_mul(8));
    }
    Bound { cap, ceiling }
}

/// What a read may bring in: at most `cap` bytes, and no more than the
/// VM's memory `ceiling` leaves (`usize::MAX`: none).
#[derive(Clone, Copy)]
pub(crate) struct Bound {
    pub cap: usize,
    pub ceiling: usize,
}

/// `(:error, :system_limit)`.
pub(crate) fn too_big() -> Value {
    error(Atom::SYSTEM_LIMIT)
}

/// Reads all of `path`, at most `cap` bytes (`STREAM_CAP` for what is not
/// a regular file). `Err` holds the `(:error, reason)` to return.
fn read_all(path: &str, cap: Bound) -> Result<Vec<u8>, Value> {
    let Bound { cap, ceiling } = cap;
    let f = std::fs::File::open(path).map_err(|e| io_error(&e))?;
    let m = f.metadata().map_err(|e| io_error(&e))?;
    if m.is_dir() {
        return Err(error(Atom::new("eisdir")));
    }
    let limit = if m.is_file() {
        let len = usize::try_from(m.len()).unwrap_or(usize::MAX);
        if len > cap || !room_for(len, ceiling) {
            return Err(too_big());
        }
        cap
    } else {
        cap.min(STREAM_CAP)
    };
    let mut buf = Vec::with_capacity(if m.is_file() { m.len() as usize } else { 8192 });
    // One byte past the limit tells a file that is exactly at the limit
    // from one that goes on (a file that grew since its size was read).
    f.take(limit as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| io_error(&e))?;
    if buf.len() > limit {
        return Err(too_big());
    }
    Ok(buf)
}

/// Whether `bytes` more fit under the VM's memory ceiling (read from the
/// OS only for big reads, as `heap::reserve` does).
fn room_for(bytes: usize, ceiling: usize) -> bool {
    if bytes < (1 << 20) || ceiling == usize::MAX {
        return true;
    }
    crate::ceiling::rss_bytes()
        .unwrap_or(0)
        .saturating_add(bytes)
        <= ceiling
}

/// `file.read(path)`: `(:ok, contents)`, a string when the bytes are
/// UTF-8 and a binary otherwise.
fn read(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    let path = path_arg(&a[0])?;
    let cap = allowance(ctx);
    Ok(ctx.dirty_io(Box::new(move || {
        Ok(match read_all(&path, cap) {
            Ok(buf) => ok(Value::binary(buf)),
            Err(e) => e,
        })
    })))
}

/// `file.lines(path)`: `(:ok, [line])`, the lines without their line
/// endings (`\n` or `\r\n`); a last line without one still counts.
fn lines(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    let path = path_arg(&a[0])?;
    // Each line costs a list cell and a string header besides its bytes.
    let mut cap = allowance(ctx);
    cap.cap /= 2;
    Ok(ctx.dirty_io(Box::new(move || {
        Ok(match read_all(&path, cap) {
            Ok(buf) => ok(Value::list(split_lines(&buf))),
            Err(e) => e,
        })
    })))
}

/// The lines of `buf`, without their endings.
pub(crate) fn split_lines(buf: &[u8]) -> Vec<Value> {
    let mut out = Vec::new();
    let mut rest = buf;
    while !rest.is_empty() {
        let (line, next, ended) = match memchr(b'\n', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..], true),
            None => (rest, &rest[rest.len()..], false),
        };
        out.push(line_value(line, ended));
        rest = next;
    }
    out
}

/// A line (its `\n` already cut off when `ended`) without the `\r` of a
/// `\r\n` ending, as a string or a binary.
pub(crate) fn line_value(line: &[u8], ended: bool) -> Value {
    let line = match line.strip_suffix(b"\r") {
        Some(l) if ended => l,
        _ => line,
    };
    match std::str::from_utf8(line) {
        Ok(s) => Value::str(s),
        Err(_) => Value::binary(line.to_vec()),
    }
}

pub(crate) fn memchr(b: u8, s: &[u8]) -> Option<usize> {
    s.iter().position(|&x| x == b)
}

/// The bytes of iodata: a string, a binary, or a (nested) list of those
/// and of integers 0..255; else `:badarg`.
pub(crate) fn iodata(v: &Value, ctx: &mut Ctx<'_>) -> Result<Vec<u8>, Exception> {
    let mut out = Vec::new();
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Str(s) => out.extend_from_slice(s.as_bytes()),
            Value::Bytes(b) => out.extend_from_slice(b),
            Value::Int(i) if (0..=255).contains(i) => out.push(*i as u8),
            Value::Nil => {}
            Value::Cons(c) => {
                // The tail after the head: the stack is last in, first out.
                stack.push(&c.tail);
                stack.push(&c.head);
            }
            _ => return Err(Exception::badarg()),
        }
    }
    ctx.charge(out.len() / 64);
    Ok(out)
}

/// `file.write(path, data)`, `file.append(path, data)`, and
/// `file.write(handle, data)` (a pid: `handles.rs`).
fn write(ctx: &mut Ctx<'_>, a: &[Value], append: bool) -> Result<Value, Exception> {
    if let Value::Pid(_) = a[0] {
        if append {
            return Err(Exception::badarg());
        }
        return handles::write(ctx, a);
    }
    let path = path_arg(&a[0])?;
    let data = iodata(&a[1], ctx)?;
    Ok(ctx.dirty_io(Box::new(move || {
        let r = if append {
            std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(&path)
                .and_then(|mut f| std::io::Write::write_all(&mut f, &data))
        } else {
            std::fs::write(&path, &data)
        };
        Ok(match r {
            Ok(()) => Value::OK,
            Err(e) => io_error(&e),
        })
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::print::inspect;

    #[test]
    fn lines_drop_their_endings_and_keep_a_last_unended_line() {
        let got: Vec<String> = split_lines(b"a\r\nb\n\nc\xff\nlast\r")
            .iter()
            .map(inspect)
            .collect();
        assert_eq!(
            got,
            ["\"a\"", "\"b\"", "\"\"", "<<99, 255>>", "\"last\\r\""]
        );
        assert!(split_lines(b"").is_empty());
        assert_eq!(split_lines(b"x\n").len(), 1);
    }

    #[test]
    fn a_stream_is_read_only_up_to_its_cap() {
        // /dev/zero never ends: the read stops one byte past the cap.
        let b = Bound {
            cap: 1000,
            ceiling: usize::MAX,
        };
        let r = read_all("/dev/zero", b);
        assert_eq!(inspect(&r.unwrap_err()), "(:error, :system_limit)");
        let r = read_all("/", b);
        assert_eq!(inspect(&r.unwrap_err()), "(:error, :eisdir)");
        let r = read_all("/no/such/file", b);
        assert_eq!(inspect(&r.unwrap_err()), "(:error, :enoent)");
    }
}
