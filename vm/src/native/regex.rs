//! `regex` (spec 8.13) on the `regex` crate: linear-time matching, so no
//! pattern can hang a process. The subject comes first, the pattern
//! second. Patterns are strings, compiled once and kept in a small cache
//! per scheduler thread (a compiled `Regex` is cheap to clone). A pattern
//! that does not compile raises `(:bad_regex, message)`, the message
//! naming the position; a subject or pattern that is not a string (a
//! binary that is not UTF-8 included) is `:badarg`. A long subject is
//! matched on a dirty scheduler; the Reef half (`stdlib/lib/regex.reef`)
//! waits for it.

use std::cell::RefCell;

use ::regex::{Regex, RegexBuilder};
use rustc_hash::FxHashMap;

use super::{string, Ctx};
use crate::exports::NativeFn;
use crate::interp::Exception;
use crate::value::{MapData, Value};

pub const NATIVES: &[(&str, u32, NativeFn)] = &[
    ("__is_match", 2, |ctx, a| op(ctx, a, Op::IsMatch)),
    ("__find", 2, |ctx, a| op(ctx, a, Op::Find)),
    ("__find_all", 2, |ctx, a| op(ctx, a, Op::FindAll)),
    ("__captures", 2, |ctx, a| op(ctx, a, Op::Captures)),
    ("__groups", 2, |ctx, a| op(ctx, a, Op::Groups)),
    ("__replace", 3, |ctx, a| {
        let with = string(&a[2])?.to_string();
        op(ctx, a, Op::Replace(with))
    }),
    ("__replace_first", 3, |ctx, a| {
        let with = string(&a[2])?.to_string();
        op(ctx, a, Op::ReplaceFirst(with))
    }),
    ("__split", 2, |ctx, a| op(ctx, a, Op::Split)),
    ("escape", 1, |_, a| {
        Ok(Value::str(::regex::escape(string(&a[0])?)))
    }),
];

/// Subjects longer than this are matched on a dirty scheduler
/// (`dirty.rs`): matching is linear, about a millisecond per few hundred
/// KB, so only long subjects are worth the hand-over.
const INLINE_BYTES: usize = 64 * 1024;

/// What to do with a subject and a compiled pattern.
enum Op {
    IsMatch,
    Find,
    FindAll,
    Captures,
    Groups,
    Replace(String),
    ReplaceFirst(String),
    Split,
}

/// Runs `op` here, or on a dirty scheduler for a long subject (the
/// native then returns `(:dirty, ref)`, which `stdlib/lib/regex.reef`
/// waits on).
fn op(ctx: &mut Ctx<'_>, a: &[Value], op: Op) -> Result<Value, Exception> {
    let s = string(&a[0])?;
    let re = compile(string(&a[1])?)?;
    ctx.charge(s.len() / 64);
    if s.len() <= INLINE_BYTES {
        let out = run(&op, s, &re);
        ctx.charge(out.1 / 4);
        ctx.reserve(out.1 * 4)?;
        return Ok(out.0);
    }
    // Only the subject's `Arc` and the compiled pattern cross over.
    let Value::Str(subject) = &a[0] else {
        return Err(Exception::badarg());
    };
    let subject = subject.clone();
    Ok(ctx.dirty(Box::new(move || Ok(run(&op, &subject, &re).0))))
}

/// The result of `op`, built from fresh nodes, and the number of strings
/// in it (for reductions and the heap reservation).
fn run(op: &Op, s: &str, re: &Regex) -> (Value, usize) {
    let text = |t: &str| Value::str(t);
    match op {
        Op::IsMatch => (Value::bool(re.is_match(s)), 0),
        Op::Find => (re.find(s).map_or(Value::NIL_ATOM, |m| text(m.as_str())), 1),
        Op::FindAll => {
            let found: Vec<Value> = re.find_iter(s).map(|m| text(m.as_str())).collect();
            let n = found.len();
            (Value::list(found), n)
        }
        Op::Captures => {
            let Some(caps) = re.captures(s) else {
                return (Value::NIL_ATOM, 0);
            };
            let mut m = MapData::new();
            for name in re.capture_names().flatten() {
                let v = caps
                    .name(name)
                    .map_or(Value::NIL_ATOM, |g| text(g.as_str()));
                m.insert(Value::str(name), v);
            }
            let n = m.len();
            (Value::map(m), n)
        }
        Op::Groups => {
            let Some(caps) = re.captures(s) else {
                return (Value::NIL_ATOM, 0);
            };
            let gs: Vec<Value> = caps
                .iter()
                .map(|g| g.map_or(Value::NIL_ATOM, |g| text(g.as_str())))
                .collect();
            let n = gs.len();
            (Value::list(gs), n)
        }
        Op::Replace(with) => {
            let out = re.replace_all(s, with.as_str()).into_owned();
            let words = out.len() / 32;
            (Value::str(out), words)
        }
        Op::ReplaceFirst(with) => (Value::str(re.replace(s, with.as_str()).into_owned()), 1),
        Op::Split => {
            let parts: Vec<Value> = re.split(s).map(text).collect();
            let n = parts.len();
            (Value::list(parts), n)
        }
    }
}

/// The largest compiled program a pattern may make (the crate's default
/// is 10 MB; a script has no use for one this big, and each scheduler
/// thread may cache [`CACHE_SIZE`] of them).
const SIZE_LIMIT: usize = 1 << 20;
/// Patterns kept compiled per scheduler thread; the cache is emptied
/// when full (scripts use a handful of patterns, over and over).
const CACHE_SIZE: usize = 64;

thread_local! {
    static CACHE: RefCell<FxHashMap<String, Regex>> = RefCell::new(FxHashMap::default());
}

/// The compiled pattern, from the cache or compiled now.
pub fn compile(pattern: &str) -> Result<Regex, Exception> {
    if let Some(re) = CACHE.with(|c| c.borrow().get(pattern).cloned()) {
        return Ok(re);
    }
    let re = RegexBuilder::new(pattern)
        .size_limit(SIZE_LIMIT)
        .build()
        .map_err(|e| {
            Exception::tagged(
                crate::value::Atom::new("bad_regex"),
                Value::str(message(&e)),
            )
        })?;
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CACHE_SIZE {
            c.clear();
        }
        c.insert(pattern.to_string(), re.clone());
    });
    Ok(re)
}

/// One line: "unclosed group at position 3" (the position counts
/// characters from 0), from the crate's multi-line report, which draws
/// the position as a `^` under the pattern.
fn message(e: &::regex::Error) -> String {
    match e {
        ::regex::Error::Syntax(text) => {
            let lines: Vec<&str> = text.lines().collect();
            let what = lines
                .iter()
                .rev()
                .find_map(|l| l.strip_prefix("error: "))
                .unwrap_or("invalid pattern");
            // The report is "regex parse error:", "    PATTERN",
            // "    ^^^", "error: WHAT" when the pattern is one line.
            let caret = lines.get(2).and_then(|l| l.find('^'));
            match (lines.len(), caret) {
                (4, Some(col)) if col >= 4 => format!("{what} at position {}", col - 4),
                _ => what.to_string(),
            }
        }
        ::regex::Error::CompiledTooBig(limit) => {
            format!("the compiled pattern is over the size limit ({limit} bytes)")
        }
        _ => "invalid pattern".to_string(),
    }
}
