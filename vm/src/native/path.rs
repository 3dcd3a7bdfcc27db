//! `path`: file names as strings, taken apart and put together without
//! touching the file system (except `absolute` and `expand`, which read
//! the current directory and `HOME`). Only `/` separates; a path that is
//! not a string is `:badarg`. The names and results are Elixir's `Path`
//! where Elixir and Erlang agree; `join` with an absolute right side is
//! Erlang's `filename:join` (the right side wins).

use super::{list, string, Ctx};
use crate::exports::NativeFn;
use crate::interp::Exception;
use crate::value::Value;

pub const NATIVES: &[(&str, u32, NativeFn)] = &[
    ("join", 2, |_, a| {
        Ok(Value::str(join(string(&a[0])?, string(&a[1])?)))
    }),
    ("join", 1, join_list),
    ("basename", 1, |_, a| {
        Ok(Value::str(basename(string(&a[0])?)))
    }),
    ("dirname", 1, |_, a| Ok(Value::str(dirname(string(&a[0])?)))),
    ("extension", 1, |_, a| {
        Ok(Value::str(extension(string(&a[0])?)))
    }),
    ("rootname", 1, |_, a| {
        let p = string(&a[0])?;
        Ok(Value::str(&p[..p.len() - extension(p).len()]))
    }),
    ("split", 1, |_, a| {
        let parts = split(string(&a[0])?);
        Ok(Value::list(
            parts.into_iter().map(Value::str).collect::<Vec<_>>(),
        ))
    }),
    ("absolute", 1, |_, a| {
        absolute(string(&a[0])?).map(Value::str)
    }),
    ("expand", 1, |_, a| {
        let p = string(&a[0])?;
        let home = std::env::var("HOME").unwrap_or_default();
        let p = match p.strip_prefix('~') {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("{home}{rest}"),
            _ => p.to_string(),
        };
        Ok(Value::str(normalize(&absolute(&p)?)))
    }),
    ("is_absolute", 1, |_, a| {
        Ok(Value::bool(string(&a[0])?.starts_with('/')))
    }),
];

/// Runs of `/` as one, and no `/` at the end (except the root itself).
fn tidy(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for c in p.chars() {
        if c == '/' && out.ends_with('/') {
            continue;
        }
        out.push(c);
    }
    if out.len() > 1 && out.ends_with('/') {
        out.pop();
    }
    out
}

/// `a` then `b`, one `/` between; an absolute `b` stands alone (Erlang's
/// `filename:join`); an empty side is left out.
fn join(a: &str, b: &str) -> String {
    if b.starts_with('/') || a.is_empty() {
        tidy(b)
    } else if b.is_empty() {
        tidy(a)
    } else {
        tidy(&format!("{a}/{b}"))
    }
}

/// `path.join(parts)`: the parts joined left to right; `[]` is `:badarg`.
fn join_list(_: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    let parts = list(&a[0])?;
    let mut it = parts.iter();
    let first = it.next().ok_or_else(Exception::badarg)?;
    let mut acc = tidy(string(first)?);
    for p in it {
        acc = join(&acc, string(p)?);
    }
    Ok(Value::str(acc))
}

/// The last component: `basename("/a/b.txt") == "b.txt"`, trailing `/`
/// ignored, `""` for the root.
fn basename(p: &str) -> &str {
    let p = p.trim_end_matches('/');
    match p.rfind('/') {
        Some(i) => &p[i + 1..],
        None => p,
    }
}

/// All but the last component: `"."` when there is no `/`, `"/"` for
/// a name right under the root.
fn dirname(p: &str) -> String {
    match p.rfind('/') {
        None => ".".to_string(),
        Some(i) => {
            let d = p[..i].trim_end_matches('/');
            if d.is_empty() {
                "/".to_string()
            } else {
                tidy(d)
            }
        }
    }
}

/// The extension of the last component with its dot: `".txt"`; `""` when
/// there is none, and for a name that only starts with a dot (`.bashrc`).
fn extension(p: &str) -> &str {
    let base = basename(p);
    if p.ends_with('/') {
        return "";
    }
    match base.rfind('.') {
        Some(0) | None => "",
        Some(i) => &base[i..],
    }
}

/// The components: `split("/a/b") == ["/", "a", "b"]`.
fn split(p: &str) -> Vec<String> {
    let mut out = Vec::new();
    if p.starts_with('/') {
        out.push("/".to_string());
    }
    out.extend(p.split('/').filter(|s| !s.is_empty()).map(String::from));
    out
}

/// `p` made absolute against the current directory (not normalised).
fn absolute(p: &str) -> Result<String, Exception> {
    if p.starts_with('/') {
        return Ok(tidy(p));
    }
    let cwd = std::env::current_dir().map_err(|_| Exception::badarg())?;
    let cwd = cwd.to_str().ok_or_else(Exception::badarg)?;
    Ok(join(cwd, p))
}

/// An absolute path without `.` and `..` components (`..` at the root
/// stays at the root).
fn normalize(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taking_paths_apart() {
        assert_eq!(join("a", "b"), "a/b");
        assert_eq!(join("a/", "/b"), "/b");
        assert_eq!(join("/", "b"), "/b");
        assert_eq!(join("a//b/", "c/"), "a/b/c");
        assert_eq!(join("", "b"), "b");
        assert_eq!(basename("/a/b.txt"), "b.txt");
        assert_eq!(basename("/a/b/"), "b");
        assert_eq!(basename("/"), "");
        assert_eq!(dirname("/a/b.txt"), "/a");
        assert_eq!(dirname("b.txt"), ".");
        assert_eq!(dirname("/b"), "/");
        assert_eq!(dirname("/"), "/");
        assert_eq!(extension("a/b.tar.gz"), ".gz");
        assert_eq!(extension(".bashrc"), "");
        assert_eq!(extension("a.d/file"), "");
        assert_eq!(extension("file."), ".");
        assert_eq!(split("/a//b/"), ["/", "a", "b"]);
        assert_eq!(split(""), Vec::<String>::new());
        assert_eq!(normalize("/a/./b/../../../c"), "/c");
    }
}
