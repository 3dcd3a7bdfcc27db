//! The examples inside a doc text, as Elixir's doctests write them: a line
//! `reef> EXPR` (continued by lines `...> MORE`), then the expected
//! result in inspect form on the lines after it, up to a blank line or
//! the next `reef>`. An example with no expected lines must only not
//! raise. The examples of one doc run in order in one session, so a
//! `let` in one is seen by the next.
//!
//! An example that cannot run as a test (it reads standard input, needs
//! another node) is written in a fenced code block instead: lines inside
//! ```` ``` ```` fences are prose, shown as they are and never run.
//!
//! `reef doc` shows them as code blocks; `reef doc --test` and the
//! stdlib's doctest runs them (spec 14.4).

/// What starts an example's first line.
pub const PROMPT: &str = "reef> ";
/// What starts an example's continuation lines.
pub const CONTINUE: &str = "...> ";

/// One example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The input, its lines joined by newlines (prompts removed).
    pub input: String,
    /// The expected inspect form; a long one may be broken over lines
    /// after a comma (they are joined by one space each, their
    /// indentation dropped). `None` when the example gives none.
    pub expected: Option<String>,
    /// The line of the doc text (0-based) where the example starts.
    pub line: usize,
}

/// A doc text cut into prose and examples, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Prose (Markdown), lines joined by newlines.
    Text(String),
    /// A run of examples with nothing between them but blank lines.
    Examples(Vec<Example>),
}

/// The examples of a doc text.
pub fn examples(doc: &str) -> Vec<Example> {
    segments(doc)
        .into_iter()
        .flat_map(|s| match s {
            Segment::Examples(e) => e,
            Segment::Text(_) => Vec::new(),
        })
        .collect()
}

fn prompt(line: &str) -> Option<&str> {
    let t = line.trim_start();
    t.strip_prefix(PROMPT)
        .or_else(|| (t == PROMPT.trim_end()).then_some(""))
}

fn continuation(line: &str) -> Option<&str> {
    let t = line.trim_start();
    t.strip_prefix(CONTINUE)
        .or_else(|| (t == CONTINUE.trim_end()).then_some(""))
}

/// Cuts a doc text into prose and examples.
pub fn segments(doc: &str) -> Vec<Segment> {
    let lines: Vec<&str> = doc.lines().collect();
    let mut out = Vec::new();
    let mut text: Vec<&str> = Vec::new();
    let mut run: Vec<Example> = Vec::new();
    let mut i = 0;
    let mut fenced = false;
    while i < lines.len() {
        if lines[i].trim_start().starts_with("```") {
            fenced = !fenced;
        }
        let Some(first) = prompt(lines[i]).filter(|_| !fenced) else {
            if lines[i].trim().is_empty() && !run.is_empty() {
                // A blank line between examples keeps the run going.
                i += 1;
                continue;
            }
            if !run.is_empty() {
                out.push(Segment::Examples(std::mem::take(&mut run)));
            }
            text.push(lines[i]);
            i += 1;
            continue;
        };
        flush_text(&mut text, &mut out);
        let start = i;
        let mut input = vec![first];
        i += 1;
        while let Some(more) = lines.get(i).and_then(|l| continuation(l)) {
            input.push(more);
            i += 1;
        }
        let mut expected = Vec::new();
        while let Some(l) = lines.get(i) {
            if l.trim().is_empty() || prompt(l).is_some() {
                break;
            }
            expected.push(l.trim());
            i += 1;
        }
        run.push(Example {
            input: input.join("\n"),
            expected: (!expected.is_empty()).then(|| expected.join(" ")),
            line: start,
        });
    }
    if !run.is_empty() {
        out.push(Segment::Examples(run));
    }
    flush_text(&mut text, &mut out);
    out
}

fn flush_text(text: &mut Vec<&str>, out: &mut Vec<Segment>) {
    let joined = text.join("\n");
    text.clear();
    let trimmed = joined.trim_matches('\n');
    if !trimmed.trim().is_empty() {
        out.push(Segment::Text(trimmed.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_have_inputs_continuations_and_expected_results() {
        let doc = "Doubles.\n\nreef> f(1)\n2\nreef> let x = 3\nreef> g(x,\n...>   4)\n[1,\n 2]\n\nMore text.";
        let got = examples(doc);
        assert_eq!(
            got,
            vec![
                Example {
                    input: "f(1)".into(),
                    expected: Some("2".into()),
                    line: 2
                },
                Example {
                    input: "let x = 3".into(),
                    expected: None,
                    line: 4
                },
                Example {
                    input: "g(x,\n  4)".into(),
                    expected: Some("[1, 2]".into()),
                    line: 5
                },
            ]
        );
        let kinds: Vec<bool> = segments(doc)
            .iter()
            .map(|s| matches!(s, Segment::Text(_)))
            .collect();
        assert_eq!(kinds, [true, false, true]);
        let fenced = "Reads.\n\n```reef\nreef> io.read_line()\n\"x\"\n```";
        assert!(examples(fenced).is_empty());
        assert_eq!(segments(fenced), [Segment::Text(fenced.into())]);
    }
}
