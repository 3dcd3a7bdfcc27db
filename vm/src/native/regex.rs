//! `regex` (spec 8.13) on the `regex` crate: linear-time matching, so no
//! pattern can hang a process. The subject comes first, the pattern
//! second. Patterns are strings, compiled once and kept in a small cache
//! per scheduler thread (a compiled `Regex` is cheap to clone). A pattern
//! that does not compile raises `(:bad_regex, message)`, the message
//! naming the position; a subject or pattern that is not a string (a
//! binary that is not UTF-8 included) is `:badarg`.

use std::cell::RefCell;

use ::regex::{Regex, RegexBuilder};
use rustc_hash::FxHashMap;

use super::{string, Ctx};
use crate::exports::NativeFn;
use crate::interp::Exception;
use crate::value::{MapData, Value};

pub const NATIVES: &[(&str, u32, NativeFn)] = &[
    ("is_match", 2, |ctx, a| {
        let (s, re) = args(ctx, a)?;
        Ok(Value::bool(re.is_match(s)))
    }),
    ("find", 2, |ctx, a| {
        let (s, re) = args(ctx, a)?;
        Ok(re
            .find(s)
            .map_or(Value::NIL_ATOM, |m| Value::str(m.as_str())))
    }),
    ("find_all", 2, |ctx, a| {
        let (s, re) = args(ctx, a)?;
        let found: Vec<Value> = re.find_iter(s).map(|m| Value::str(m.as_str())).collect();
        ctx.charge(found.len() / 4);
        Ok(Value::list(found))
    }),
    ("captures", 2, |ctx, a| {
        let (s, re) = args(ctx, a)?;
        let Some(caps) = re.captures(s) else {
            return Ok(Value::NIL_ATOM);
        };
        let mut m = MapData::new();
        for name in re.capture_names().flatten() {
            let v = caps
                .name(name)
                .map_or(Value::NIL_ATOM, |g| Value::str(g.as_str()));
            m.insert(Value::str(name), v);
        }
        Ok(Value::map(m))
    }),
    ("groups", 2, |ctx, a| {
        let (s, re) = args(ctx, a)?;
        let Some(caps) = re.captures(s) else {
            return Ok(Value::NIL_ATOM);
        };
        Ok(Value::list(
            caps.iter()
                .map(|g| g.map_or(Value::NIL_ATOM, |g| Value::str(g.as_str())))
                .collect::<Vec<_>>(),
        ))
    }),
    ("replace", 3, |ctx, a| {
        let (s, re) = args(ctx, a)?;
        let with = string(&a[2])?;
        let out = re.replace_all(s, with).into_owned();
        ctx.reserve(2 + out.len() / 8)?;
        Ok(Value::str(out))
    }),
    ("replace_first", 3, |ctx, a| {
        let (s, re) = args(ctx, a)?;
        let with = string(&a[2])?;
        Ok(Value::str(re.replace(s, with).into_owned()))
    }),
    ("split", 2, |ctx, a| {
        let (s, re) = args(ctx, a)?;
        let parts: Vec<Value> = re.split(s).map(Value::str).collect();
        ctx.charge(parts.len() / 4);
        Ok(Value::list(parts))
    }),
    ("escape", 1, |_, a| {
        Ok(Value::str(::regex::escape(string(&a[0])?)))
    }),
];

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

/// The subject and the compiled pattern; charges for the subject's
/// length (one reduction per 64 bytes, as other natives walking bytes).
fn args<'v>(ctx: &mut Ctx<'_>, a: &'v [Value]) -> Result<(&'v str, Regex), Exception> {
    let s = string(&a[0])?;
    let re = compile(string(&a[1])?)?;
    ctx.charge(s.len() / 64);
    Ok((s, re))
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
