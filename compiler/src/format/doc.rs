//! The pretty-printer under `reef fmt`: a Wadler/Prettier-style document
//! of text, line breaks, nesting and groups, laid out to a width.
//!
//! A [`Doc::Group`] is printed flat (its lines as spaces or nothing) when
//! all of it, and what follows it up to the next possible line break, fits
//! in the width; otherwise its own lines break and its inner groups are
//! tried again one by one. So groups break outermost first, which is the
//! predictable rule the spec states. A group that holds a hard line break
//! (a block of two statements, a comment) always breaks. [`Doc::Choice`]
//! picks the first of several layouts whose first line fits (a call whose
//! last argument is a lambda keeps `f(a, fn(x) {` on one line).
//!
//! Written here rather than taken from the `pretty` crate: the printer is
//! about 200 lines, and the choice layout (Prettier's conditional group)
//! that the house style needs is not in `pretty`.

/// The line width `reef fmt` lays out to.
pub const WIDTH: usize = 100;
/// One level of indentation.
pub const INDENT: usize = 2;

#[derive(Debug, Clone)]
pub enum Doc {
    Nil,
    Text(String),
    /// A space when flat, a line break when broken.
    Line,
    /// Nothing when flat, a line break when broken.
    SoftLine,
    /// Always a line break (and its groups break).
    HardLine,
    Concat(Vec<Doc>),
    /// The lines inside are indented one more level.
    Nest(Box<Doc>),
    /// Flat if it fits; the flag records that it holds a hard line.
    Group(Box<Doc>, bool),
    /// `.0` where the enclosing group is broken, `.1` where it is flat.
    IfBreak(Box<Doc>, Box<Doc>),
    /// The first layout whose first line fits (the last one otherwise);
    /// a layout with a hard line counts as fitting if its text up to the
    /// first line break does.
    Choice(Vec<Doc>),
}

pub fn text(s: impl Into<String>) -> Doc {
    Doc::Text(s.into())
}

pub fn concat(parts: Vec<Doc>) -> Doc {
    Doc::Concat(parts)
}

pub fn nest(d: Doc) -> Doc {
    Doc::Nest(Box::new(d))
}

pub fn group(d: Doc) -> Doc {
    let hard = d.has_hard();
    Doc::Group(Box::new(d), hard)
}

pub fn if_break(broken: Doc, flat: Doc) -> Doc {
    Doc::IfBreak(Box::new(broken), Box::new(flat))
}

impl Doc {
    /// True if the document holds a hard line break (so cannot be flat).
    pub fn has_hard(&self) -> bool {
        match self {
            Doc::HardLine => true,
            Doc::Text(t) => t.contains('\n'),
            Doc::Concat(v) => v.iter().any(Doc::has_hard),
            Doc::Nest(d) => d.has_hard(),
            Doc::Group(_, h) => *h,
            Doc::IfBreak(b, f) => b.has_hard() && f.has_hard(),
            Doc::Choice(v) => v.iter().all(Doc::has_hard),
            Doc::Nil | Doc::Line | Doc::SoftLine => false,
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Flat,
    Break,
}

/// Lays `doc` out to `width` columns ([`WIDTH`] for files).
pub fn render(doc: &Doc, width: usize) -> String {
    let mut out = String::new();
    let mut col = 0usize;
    // Indentation owed to the current line, written before its first text
    // (so blank lines carry no trailing spaces).
    let mut pending: Option<usize> = None;
    let mut stack: Vec<(usize, Mode, &Doc)> = vec![(0, Mode::Break, doc)];
    while let Some((ind, mode, d)) = stack.pop() {
        match d {
            Doc::Nil => {}
            Doc::Text(t) => {
                if t.is_empty() {
                    continue;
                }
                if let Some(n) = pending.take() {
                    out.extend(std::iter::repeat_n(' ', n));
                    col = n;
                }
                out.push_str(t);
                col = match t.rfind('\n') {
                    Some(i) => t[i + 1..].chars().count(),
                    None => col + t.chars().count(),
                };
            }
            Doc::Line | Doc::SoftLine | Doc::HardLine => {
                let flat = mode == Mode::Flat && !matches!(d, Doc::HardLine);
                if flat {
                    if matches!(d, Doc::Line) {
                        out.push(' ');
                        col += 1;
                    }
                } else {
                    while out.ends_with(' ') {
                        out.pop();
                    }
                    out.push('\n');
                    pending = Some(ind);
                    col = ind;
                }
            }
            Doc::Concat(v) => {
                for part in v.iter().rev() {
                    stack.push((ind, mode, part));
                }
            }
            Doc::Nest(inner) => stack.push((ind + INDENT, mode, inner)),
            Doc::Group(inner, hard) => {
                let m = if mode == Mode::Flat
                    || (!hard && fits(width.saturating_sub(col), (ind, Mode::Flat, inner), &stack))
                {
                    Mode::Flat
                } else {
                    Mode::Break
                };
                stack.push((ind, m, inner));
            }
            Doc::IfBreak(b, f) => stack.push((ind, mode, if mode == Mode::Break { b } else { f })),
            Doc::Choice(options) => {
                let last = options.len().saturating_sub(1);
                let pick = options
                    .iter()
                    .position(|o| {
                        let m = if o.has_hard() {
                            Mode::Break
                        } else {
                            Mode::Flat
                        };
                        fits(width.saturating_sub(col), (ind, m, o), &stack)
                    })
                    .unwrap_or(last);
                if let Some(o) = options.get(pick) {
                    stack.push((ind, mode, o));
                }
            }
        }
    }
    while out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Does `first`, followed by the commands of `rest` up to their next line
/// break, fit in `width` columns? Inside `first`, a group without a hard
/// line is measured flat; in `rest`, a group takes its container's mode
/// (so a broken container's next line ends the measure).
fn fits<'a>(width: usize, first: (usize, Mode, &'a Doc), rest: &[(usize, Mode, &'a Doc)]) -> bool {
    let mut left = width as isize;
    let mut todo: Vec<(Mode, &Doc, bool)> = vec![(first.1, first.2, false)];
    let mut rest_at = rest.len();
    loop {
        let (mode, d, in_rest) = match todo.pop() {
            Some(x) => x,
            None => {
                if rest_at == 0 {
                    return true;
                }
                rest_at -= 1;
                (rest[rest_at].1, rest[rest_at].2, true)
            }
        };
        match d {
            Doc::Nil => {}
            Doc::Text(t) => match t.find('\n') {
                Some(i) => return left >= t[..i].chars().count() as isize,
                None => left -= t.chars().count() as isize,
            },
            Doc::Line | Doc::SoftLine | Doc::HardLine => {
                if mode == Mode::Break || matches!(d, Doc::HardLine) {
                    return left >= 0;
                }
                if matches!(d, Doc::Line) {
                    left -= 1;
                }
            }
            Doc::Concat(v) => todo.extend(v.iter().rev().map(|p| (mode, p, in_rest))),
            Doc::Nest(inner) => todo.push((mode, inner, in_rest)),
            Doc::Group(inner, hard) => {
                let m = if *hard {
                    Mode::Break
                } else if in_rest {
                    mode
                } else {
                    Mode::Flat
                };
                todo.push((m, inner, in_rest));
            }
            Doc::IfBreak(b, f) => {
                todo.push((mode, if mode == Mode::Break { b } else { f }, in_rest))
            }
            Doc::Choice(options) => {
                if let Some(o) = options.first() {
                    todo.push((mode, o, in_rest));
                }
            }
        }
        if left < 0 {
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: &[&str]) -> Doc {
        let mut inner = vec![Doc::SoftLine];
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                inner.push(text(","));
                inner.push(Doc::Line);
            }
            inner.push(text(*a));
        }
        inner.push(if_break(text(","), Doc::Nil));
        group(concat(vec![
            text(format!("{name}(")),
            nest(concat(inner)),
            Doc::SoftLine,
            text(")"),
        ]))
    }

    #[test]
    fn a_group_is_flat_when_it_fits_and_breaks_when_it_does_not() {
        assert_eq!(render(&call("f", &["a", "b"]), WIDTH), "f(a, b)");
        let long = "x".repeat(60);
        assert_eq!(
            render(&call("f", &[&long, &long]), WIDTH),
            format!("f(\n  {long},\n  {long},\n)")
        );
    }

    #[test]
    fn a_hard_line_breaks_its_group_and_leaves_no_trailing_spaces() {
        let d = group(concat(vec![
            text("{"),
            nest(concat(vec![
                Doc::HardLine,
                text("a"),
                Doc::HardLine,
                Doc::HardLine,
                text("b"),
            ])),
            Doc::HardLine,
            text("}"),
        ]));
        assert_eq!(render(&d, WIDTH), "{\n  a\n\n  b\n}");
    }
}
