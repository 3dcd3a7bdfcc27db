//! The diff `reef test` shows under a failed `assert_eq` whose sides are
//! long: element by element for two lists, tuples or maps (a map's
//! elements are its `key => value` pairs), line by line for two strings
//! of several lines. Unchanged runs are cut to two elements of context
//! around each change. Short sides need no diff: both are printed whole.

use reef_vm::Term;

/// Sides shorter than this together (in inspect form) get no diff.
const LONG: usize = 60;
/// Past this many elements on a side, no diff (the table is quadratic).
const MAX_ITEMS: usize = 2000;
/// Unchanged elements kept around each change.
const CONTEXT: usize = 2;

/// The diff of `left` and `right`, one line per element, each marked
/// `-` (only in left), `+` (only in right) or ` ` (both), or `None` when
/// the sides are short or not of one kind that has elements.
pub(crate) fn render(left: &Term, right: &Term) -> Option<String> {
    let (l, r) = (elements(left)?, elements(right)?);
    if l.open != r.open {
        return None;
    }
    let multiline = l.open.is_empty() && (l.items.len() > 1 || r.items.len() > 1);
    let long = left.to_string().len() + right.to_string().len() > LONG;
    if !(multiline || long) || l.items.len() > MAX_ITEMS || r.items.len() > MAX_ITEMS {
        return None;
    }
    let ops = lcs_diff(&l.items, &r.items);
    let keep = context(&ops);
    let mut out = String::new();
    let bracketed = !l.open.is_empty();
    let indent = if bracketed { "  " } else { "" };
    let sep = if bracketed { "," } else { "" };
    if bracketed {
        out.push_str(&format!("  {}\n", l.open));
    }
    let mut cut = false;
    for (i, op) in ops.iter().enumerate() {
        if !keep[i] {
            if !cut {
                out.push_str(&format!("  {indent}...\n"));
                cut = true;
            }
            continue;
        }
        cut = false;
        let (mark, text) = match *op {
            Op::Same(a) => (' ', &l.items[a]),
            Op::Del(a) => ('-', &l.items[a]),
            Op::Ins(b) => ('+', &r.items[b]),
        };
        out.push_str(&format!("{mark} {indent}{text}{sep}\n"));
    }
    if bracketed {
        out.push_str(&format!("  {}\n", l.close));
    }
    Some(out)
}

/// A term's elements as text, and the brackets around them (none for
/// the lines of a string).
struct Elements {
    open: &'static str,
    close: &'static str,
    items: Vec<String>,
}

fn elements(t: &Term) -> Option<Elements> {
    let show = |items: &[Term]| items.iter().map(Term::to_string).collect();
    let (open, close, items) = match t {
        Term::Str(s) => ("", "", s.lines().map(str::to_string).collect()),
        Term::List(items, None) => ("[", "]", show(items)),
        Term::Tuple(items) => ("(", ")", show(items)),
        Term::Map(pairs) => (
            "#{",
            "}",
            pairs.iter().map(|(k, v)| format!("{k} => {v}")).collect(),
        ),
        _ => return None,
    };
    Some(Elements { open, close, items })
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Same(usize),
    Del(usize),
    Ins(usize),
}

/// A shortest edit script from `a` to `b` by longest common subsequence.
fn lcs_diff(a: &[String], b: &[String]) -> Vec<Op> {
    let (n, m) = (a.len(), b.len());
    // table[i][j]: the LCS length of a[i..] and b[j..].
    let mut table = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[at(i, j)] = if a[i] == b[j] {
                table[at(i + 1, j + 1)] + 1
            } else {
                table[at(i + 1, j)].max(table[at(i, j + 1)])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut ops = Vec::with_capacity(n + m);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push(Op::Same(i));
            i += 1;
            j += 1;
        } else if i < n && (j == m || table[at(i + 1, j)] >= table[at(i, j + 1)]) {
            // A removal before an insertion, as `diff -u` shows a change.
            ops.push(Op::Del(i));
            i += 1;
        } else {
            ops.push(Op::Ins(j));
            j += 1;
        }
    }
    ops
}

/// Which ops to show: every change and `CONTEXT` unchanged ones on each
/// side of it.
fn context(ops: &[Op]) -> Vec<bool> {
    let mut keep = vec![false; ops.len()];
    for (i, op) in ops.iter().enumerate() {
        if !matches!(op, Op::Same(_)) {
            let from = i.saturating_sub(CONTEXT);
            let to = (i + CONTEXT + 1).min(ops.len());
            keep[from..to].iter_mut().for_each(|k| *k = true);
        }
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(xs: &[i64]) -> Term {
        Term::list(xs.iter().map(|&x| Term::Int(x * 1_000_000)).collect())
    }

    #[test]
    fn long_lists_differ_element_by_element_with_context() {
        let l = ints(&[1, 2, 3, 4, 5, 6, 7, 8]);
        let r = ints(&[1, 2, 3, 4, 5, 60, 7, 8, 9]);
        let d = render(&l, &r).unwrap();
        assert_eq!(
            d,
            "  [\n    ...\n    4000000,\n    5000000,\n-   6000000,\n+   60000000,\n    \
             7000000,\n    8000000,\n+   9000000,\n  ]\n"
        );
    }

    #[test]
    fn short_or_unlike_sides_get_no_diff() {
        assert!(render(&ints(&[1]), &ints(&[2])).is_none());
        assert!(render(&ints(&[1; 20]), &Term::Tuple(vec![Term::Int(1); 20])).is_none());
        assert!(render(&Term::Int(1), &Term::Int(2)).is_none());
    }

    #[test]
    fn strings_of_several_lines_differ_line_by_line() {
        let d = render(&Term::Str("a\nb\nc".into()), &Term::Str("a\nB\nc".into())).unwrap();
        assert_eq!(d, "  a\n- b\n+ B\n  c\n");
    }
}
