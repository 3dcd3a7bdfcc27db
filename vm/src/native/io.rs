//! `io`: printing and reading lines. Output goes through the runtime's
//! buffered sink (stdout unless the host chose another), flushed whenever
//! the VM waits, reads input or stops.

use std::io::BufRead;

use super::Ctx;
use crate::exports::NativeFn;
use crate::interp::Exception;
use crate::value::{print, Atom, Value};

pub const NATIVES: &[(&str, u32, NativeFn)] = &[
    ("println", 1, |ctx, a| {
        let mut s = print::to_text(&a[0]);
        s.push('\n');
        ctx.write_out(&s);
        Ok(Value::OK)
    }),
    ("print", 1, |ctx, a| {
        ctx.write_out(&print::to_text(&a[0]));
        Ok(Value::OK)
    }),
    ("inspect", 1, |ctx, a| {
        let mut s = print::inspect(&a[0]);
        s.push('\n');
        ctx.write_out(&s);
        Ok(a[0].clone())
    }),
    ("eprintln", 1, |ctx, a| {
        let mut s = print::to_text(&a[0]);
        s.push('\n');
        ctx.rt.write_err(&s);
        Ok(Value::OK)
    }),
    ("read_line", 0, |ctx, _| read_line(ctx, None)),
    ("read_line", 1, |ctx, a| read_line(ctx, Some(&a[0]))),
];

/// Reads one line from stdin, without its line ending; `:eof` at the end.
fn read_line(ctx: &mut Ctx<'_>, prompt: Option<&Value>) -> Result<Value, Exception> {
    if let Some(p) = prompt {
        ctx.write_out(&print::to_text(p));
    }
    ctx.flush_out();
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) => Ok(Value::Atom(Atom::EOF)),
        Ok(_) => {
            let trimmed = line.strip_suffix('\n').unwrap_or(&line);
            let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
            Ok(Value::str(trimmed))
        }
        Err(_) => Err(Exception::tagged(Atom::ERROR, Value::atom("read_failed"))),
    }
}
