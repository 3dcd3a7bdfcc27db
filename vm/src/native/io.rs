//! `io`: printing, and the request half of reading lines (`read_line`
//! itself is in `stdlib/lib/io.reef`: it parks the process until the
//! stdin thread answers). Output goes through the runtime's buffered sink
//! (stdout unless the host chose another), flushed whenever the VM waits,
//! reads input or stops.

use crate::exports::NativeFn;
use crate::interp::Exception;
use crate::value::{print, Value};

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
    ("__read_line_request", 1, |ctx, a| {
        let Value::Ref(r) = a[0] else {
            return Err(Exception::badarg());
        };
        ctx.flush_out();
        if let Some(rt) = ctx.rt.this.get() {
            ctx.rt.stdin.request(rt, ctx.proc.pid, r);
        }
        Ok(Value::OK)
    }),
    // `__stdin_request(ref, :lines | :all)`: the Reef halves of
    // `io.fold_lines`, `io.lines` and `io.read_all` wait for the answer.
    ("__stdin_request", 2, |ctx, a| {
        let (Value::Ref(r), Value::Atom(kind)) = (&a[0], &a[1]) else {
            return Err(Exception::badarg());
        };
        let want = match kind.name() {
            "lines" => crate::stdin::Want::Lines,
            "all" => crate::stdin::Want::All,
            _ => return Err(Exception::badarg()),
        };
        ctx.flush_out();
        if let Some(rt) = ctx.rt.this.get() {
            ctx.rt.stdin.request_for(rt, ctx.proc.pid, *r, want);
        }
        Ok(Value::OK)
    }),
];
