//! `os`: the environment, the OS process, running programs (`cmd.rs`),
//! and the kernel's `halt`. Values that cannot fail are returned as they
//! are (`os.pid()`); reading the current directory can fail, and gives
//! `(:ok, dir)` or `(:error, reason)` as Erlang's `file:get_cwd`.

mod cmd;

use super::{int, string, Ctx};
use crate::exports::NativeFn;
use crate::interp::Exception;
use crate::native::file::posix;
use crate::value::{Atom, MapData, Value};

pub const NATIVES: &[(&str, u32, NativeFn)] = &[
    ("getenv", 1, |_, a| {
        let name = string(&a[0])?;
        if name.is_empty() || name.contains(['=', '\0']) {
            return Err(Exception::badarg());
        }
        Ok(std::env::var_os(name)
            .map(|v| Value::binary(v.into_encoded_bytes()))
            .unwrap_or(Value::Atom(Atom::NIL)))
    }),
    ("env", 0, |_, _| {
        let mut m = MapData::new();
        for (k, v) in std::env::vars_os() {
            m.insert(
                Value::binary(k.into_encoded_bytes()),
                Value::binary(v.into_encoded_bytes()),
            );
        }
        Ok(Value::map(m))
    }),
    ("pid", 0, |_, _| {
        Ok(Value::Int(i64::from(std::process::id())))
    }),
    ("type", 0, |_, _| {
        let name = match std::env::consts::OS {
            "macos" => "darwin",
            os => os,
        };
        let family = if cfg!(unix) { "unix" } else { "win32" };
        Ok(Value::tuple(vec![Value::atom(family), Value::atom(name)]))
    }),
    ("cwd", 0, |_, _| {
        let tag = |t: Atom, v: Value| Value::tuple(vec![Value::Atom(t), v]);
        Ok(match std::env::current_dir() {
            Ok(d) => tag(
                Atom::OK,
                Value::binary(d.into_os_string().into_encoded_bytes()),
            ),
            Err(e) => tag(Atom::ERROR, Value::Atom(posix(&e))),
        })
    }),
    ("__cmd", 3, cmd::cmd),
];

/// `halt()` and `halt(status)`, built-ins without a prefix.
pub const KERNEL: &[(&str, u32, NativeFn)] = &[
    ("halt", 0, |ctx, _| halt(ctx, 0)),
    ("halt", 1, |ctx, a| {
        let status = int(&a[0])?;
        if !(0..=255).contains(&status) {
            return Err(Exception::badarg());
        }
        halt(ctx, status as i32)
    }),
];

/// Ends the whole program with `status` (Erlang's `halt/1`): the output
/// written so far is flushed, every scheduler thread stops at the end of
/// its slice, and the host's `run_main` returns the halt. The caller
/// itself ends at once, untrappably (as a limit kills it:
/// `interp::exception::unwind`), with `:shutdown`, a reason that writes
/// no crash report: nothing after the call runs.
fn halt(ctx: &mut Ctx<'_>, status: i32) -> Result<Value, Exception> {
    ctx.flush_out();
    ctx.rt.halt(status);
    let reason = Value::Atom(Atom::SHUTDOWN);
    ctx.proc.pending_exit = Some(reason.clone());
    Err(Exception::exit(reason))
}
