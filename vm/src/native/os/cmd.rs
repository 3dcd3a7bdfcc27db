//! `os.cmd(program, args, opts)`: runs a program without a shell (the
//! arguments go to it as its argv, so nothing in them is ever
//! interpreted) on the dirty I/O schedulers, and captures its stdout and
//! stderr, each read by a thread of its own so that a child filling one
//! pipe while we wait on the other cannot deadlock.
//!
//! Options (a map): `:timeout` (ms; the child is killed and the result is
//! `(:error, :timeout)`), `:cd` (its directory), `:env` (a map of names to
//! values added to the environment, `nil` to remove one), `:stdin` (data
//! written to its stdin, which is otherwise empty). The result:
//! `(:ok, (status, stdout, stderr))`, status 128 + n for a child killed by
//! signal n (as a shell reports it); `(:error, :enoent)` when the program
//! is not found.

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::interp::Exception;
use crate::native::file::{allowance, io_error, iodata, ok, path_arg, too_big};
use crate::native::{list, Ctx};
use crate::value::{Atom, Value};

/// The most bytes kept of each of a child's streams (and never more than
/// the caller may hold): past it the child is killed and the result is
/// `(:error, :system_limit)`, so `yes` cannot fill the machine's memory.
pub const OUTPUT_CAP: usize = 256 << 20;

struct Opts {
    timeout: Option<Duration>,
    cd: Option<String>,
    env: Vec<(String, Option<String>)>,
    stdin: Option<Vec<u8>>,
}

fn opts(ctx: &mut Ctx<'_>, v: &Value) -> Result<Opts, Exception> {
    let Value::Map(m) = v else {
        return Err(Exception::badarg());
    };
    let mut o = Opts {
        timeout: None,
        cd: None,
        env: Vec::new(),
        stdin: None,
    };
    for (k, v) in m.iter() {
        match k.as_atom().map(Atom::name) {
            Some("timeout") => match v {
                Value::Int(ms) if *ms >= 0 => o.timeout = Some(Duration::from_millis(*ms as u64)),
                Value::Atom(Atom::INFINITY) => {}
                _ => return Err(Exception::badarg()),
            },
            Some("cd") => o.cd = Some(path_arg(v)?),
            Some("env") => {
                let Value::Map(env) = v else {
                    return Err(Exception::badarg());
                };
                for (name, value) in env.iter() {
                    let name = path_arg(name)?;
                    if name.is_empty() || name.contains('=') {
                        return Err(Exception::badarg());
                    }
                    let value = match value {
                        Value::Atom(Atom::NIL) => None,
                        v => Some(path_arg(v)?),
                    };
                    o.env.push((name, value));
                }
            }
            Some("stdin") => o.stdin = Some(iodata(v, ctx)?),
            _ => return Err(Exception::badarg()),
        }
    }
    Ok(o)
}

pub(super) fn cmd(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    let program = path_arg(&a[0])?;
    let args = list(&a[1])?
        .iter()
        .map(path_arg)
        .collect::<Result<Vec<_>, _>>()?;
    let o = opts(ctx, &a[2])?;
    let cap = allowance(ctx).cap.min(OUTPUT_CAP);
    Ok(ctx.dirty_io(Box::new(move || Ok(run(&program, &args, o, cap)))))
}

/// What a reader thread sends: which stream, and its bytes (`None`: more
/// than the cap).
type Read1 = (usize, Option<Vec<u8>>);

fn reader(r: impl Read + Send + 'static, which: usize, cap: usize, tx: mpsc::Sender<Read1>) {
    let _ = std::thread::Builder::new()
        .name("reef-cmd-pipe".into())
        .spawn(move || {
            let mut buf = Vec::new();
            // A read error ends the stream: what came so far is kept.
            let _ = r.take(cap as u64 + 1).read_to_end(&mut buf);
            let _ = tx.send((which, (buf.len() <= cap).then_some(buf)));
        });
}

fn run(program: &str, args: &[String], o: Opts, cap: usize) -> Value {
    let mut c = Command::new(program);
    c.args(args)
        .stdin(if o.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(cd) = &o.cd {
        c.current_dir(cd);
    }
    for (k, v) in &o.env {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    let mut child = match c.spawn() {
        Ok(child) => child,
        Err(e) => return io_error(&e),
    };
    let deadline = o.timeout.map(|t| Instant::now() + t);
    if let (Some(data), Some(mut w)) = (o.stdin, child.stdin.take()) {
        // A child that does not read its stdin must not block us: the
        // writer has a thread of its own, and a closed pipe ends it.
        let _ = std::thread::Builder::new()
            .name("reef-cmd-stdin".into())
            .spawn(move || {
                let _ = w.write_all(&data);
            });
    }
    let (tx, rx) = mpsc::channel();
    if let Some(out) = child.stdout.take() {
        reader(out, 0, cap, tx.clone());
    }
    if let Some(err) = child.stderr.take() {
        reader(err, 1, cap, tx);
    }
    let mut streams: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
    for _ in 0..2 {
        let got = match deadline {
            None => rx.recv().map_err(|_| ()),
            Some(d) => rx
                .recv_timeout(d.saturating_duration_since(Instant::now()))
                .map_err(|_| ()),
        };
        match got {
            Ok((which, Some(bytes))) => streams[which] = bytes,
            Ok((_, None)) => return kill(child, too_big()),
            Err(()) => return kill(child, crate::native::file::error(Atom::TIMEOUT)),
        }
    }
    // Both pipes are closed; the child may still run (it closed them
    // itself): wait for it, within the deadline.
    let status = match deadline {
        None => child.wait(),
        Some(d) => loop {
            match child.try_wait() {
                Ok(Some(s)) => break Ok(s),
                Ok(None) if Instant::now() >= d => {
                    return kill(child, crate::native::file::error(Atom::TIMEOUT))
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(1)),
                Err(e) => break Err(e),
            }
        },
    };
    let status = match status {
        Ok(s) => s,
        Err(e) => return io_error(&e),
    };
    let code = match status.code() {
        Some(c) => c,
        None => 128 + std::os::unix::process::ExitStatusExt::signal(&status).unwrap_or(0),
    };
    let [out, err] = streams;
    ok(Value::tuple(vec![
        Value::Int(i64::from(code)),
        Value::binary(out),
        Value::binary(err),
    ]))
}

/// Kills and reaps the child, and returns `result`.
fn kill(mut child: Child, result: Value) -> Value {
    let _ = child.kill();
    let _ = child.wait();
    result
}
