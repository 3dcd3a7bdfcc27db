//! `h(...)` and `:doc`: a module's or a function's docs in the REPL, as
//! iex's `h`. `h(lists)` prints the module doc and its public functions
//! with one-line summaries; `h(lists.map)` prints the heads and doc of
//! every arity of `lists.map` (`h(lists.map/2)` only that one); `h(len)`
//! a built-in called without a module (a name that is not a module). `h` is
//! REPL input, not a function: an input that is exactly `h(NAME)`,
//! `h(NAME.NAME)` or `h(NAME.NAME/N)` is this help, anything else is
//! code (so `m.h(x)` and `h(1)` are calls as usual). Spec 14.4.

use std::fmt::Write;

use super::Repl;
use crate::doc::lookup::{self, Docs};

/// What `h` was asked about.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Query {
    module: String,
    name: Option<String>,
    arity: Option<usize>,
}

/// The query of an input `h(...)`, if it is one.
pub(super) fn query(input: &str) -> Option<Query> {
    let inner = input.trim().strip_prefix("h(")?.strip_suffix(')')?;
    parse(inner)
}

/// `NAME`, `NAME.NAME` or `NAME.NAME/N` (also what `:doc` takes).
fn parse(text: &str) -> Option<Query> {
    let text = text.trim();
    let (path, arity) = match text.split_once('/') {
        Some((p, a)) => (p.trim(), Some(a.trim().parse().ok()?)),
        None => (text, None),
    };
    let ident = |s: &str| {
        s.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let (module, name) = match path.split_once('.') {
        Some((m, n)) => (m, Some(n)),
        None => (path, None),
    };
    if !ident(module) || !name.is_none_or(ident) {
        return None;
    }
    if name.is_none() && arity.is_some() {
        // `h(len/1)`: a built-in called without a module.
        return Some(Query {
            module: KERNEL.to_string(),
            name: Some(module.to_string()),
            arity,
        });
    }
    Some(Query {
        module: module.to_string(),
        name: name.map(str::to_string),
        arity,
    })
}

/// `:doc ARG`.
pub(super) fn doc_command(repl: &Repl, arg: &str) {
    match parse(arg) {
        Some(q) => show(repl, &q),
        None => errln!("usage: :doc MODULE, :doc MODULE.FUNCTION or :doc MODULE.FUNCTION/ARITY"),
    }
}

/// Prints the help `q` asks for (an unknown name is said on stderr).
pub(super) fn show(repl: &Repl, q: &Query) {
    match text(repl, q) {
        Ok(t) => out!("{t}"),
        Err(e) => errln!("{e}"),
    }
}

/// The module of the built-ins called without a module (`len`, `spawn`).
const KERNEL: &str = "kernel";

fn text(repl: &Repl, q: &Query) -> Result<String, String> {
    let sources = repl.vm.doc_sources(&q.module);
    if sources.is_empty() && q.name.is_none() {
        // `h(len)`: not a module, so maybe a built-in.
        let docs = lookup::gather(KERNEL, &repl.vm.doc_sources(KERNEL), false)?;
        if docs.public().any(|e| e.func.name == q.module) {
            return function_text(&docs, &q.module, None);
        }
    }
    if sources.is_empty() {
        return Err(format!(
            "no module `{}` (h takes a module, `h(lists)`, or a function, `h(lists.map)`)",
            q.module
        ));
    }
    let docs = lookup::gather(&q.module, &sources, false)?;
    match &q.name {
        None => Ok(module_text(&docs)),
        Some(name) => function_text(&docs, name, q.arity),
    }
}

/// A doc text indented by two spaces.
fn indented(out: &mut String, doc: &str) {
    for line in doc.lines() {
        if line.trim().is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "  {line}");
        }
    }
}

fn module_text(d: &Docs) -> String {
    let mut out = format!("{}\n\n", d.name);
    if let Some(doc) = &d.doc {
        indented(&mut out, doc);
        out.push('\n');
    }
    let rows: Vec<(String, String)> = d
        .public()
        .map(|e| {
            (
                format!("{}/{}", e.func.name, e.func.arity),
                e.func.summary(),
            )
        })
        .collect();
    let width = rows.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    for (name, summary) in rows {
        let _ = if summary.is_empty() {
            writeln!(out, "  {name}")
        } else {
            writeln!(out, "  {name:<width$}  {summary}")
        };
    }
    out
}

fn function_text(d: &Docs, name: &str, arity: Option<usize>) -> Result<String, String> {
    let found: Vec<_> = d
        .public()
        .filter(|e| e.func.name == name && arity.is_none_or(|a| a == e.func.arity))
        .collect();
    if found.is_empty() {
        let what = match arity {
            Some(a) => format!("{}.{name}/{a}", d.name),
            None => format!("{}.{name}", d.name),
        };
        return Err(format!(
            "no public function {what} (h({}) lists them)",
            d.name
        ));
    }
    let mut out = String::new();
    for (i, e) in found.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for h in &e.func.heads {
            // A built-in is shown as it is called: without `kernel.`.
            if d.name == KERNEL {
                let _ = writeln!(out, "{h}");
            } else {
                let _ = writeln!(out, "{}.{h}", d.name);
            }
        }
        out.push('\n');
        match &e.func.doc {
            Some(doc) => indented(&mut out, doc),
            None => out.push_str("  (no documentation)\n"),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_in_h_are_help() {
        let q = |m: &str, n: Option<&str>, a| Query {
            module: m.into(),
            name: n.map(Into::into),
            arity: a,
        };
        assert_eq!(query("h(lists)"), Some(q("lists", None, None)));
        assert_eq!(query(" h(lists.map) "), Some(q("lists", Some("map"), None)));
        assert_eq!(
            query("h(lists.map/2)"),
            Some(q("lists", Some("map"), Some(2)))
        );
        assert_eq!(query("h(1)"), None);
        assert_eq!(query("h(x + 1)"), None);
        assert_eq!(query("m.h(lists)"), None);
        assert_eq!(query("h(len/1)"), Some(q("kernel", Some("len"), Some(1))));
        assert_eq!(query("h(lists.map/x)"), None);
    }
}
