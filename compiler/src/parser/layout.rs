//! The token pass between the lexer and the grammar: splits a file into
//! top-level chunks (one per `fn`/`pub fn` at the start of a line), decides
//! which newlines are significant, repairs unbalanced brackets (reporting
//! them) and refuses nesting too deep for the recursive parser.
//!
//! Newline rules (LANGUAGE.md): a newline is a separator only at the top
//! level or directly inside a `{ }` block, after a token that can end an
//! expression, and when the next line does not start with a continuation
//! token (`|>`, `.`, `=>`, `when`, `else`, `catch`, `after`).
//! Consecutive newlines collapse into one.

use std::ops::Range;

use crate::ast::Span;
use crate::diagnostics::syntax::SyntaxError;
use crate::lexer::Token;

/// Deepest nesting accepted: brackets and prefix operators (`not`, unary
/// `-`, `^`, `let`, `=`), counted in [`layout`].
pub const MAX_DEPTH: usize = 200;

/// Longest chain of binary operators and calls in one expression
/// (`a + b + c ...`, `f(x)(y)...`): a chain is not nesting for the reader,
/// but the AST it makes is that deep, and every pass recurses on it, so it
/// has a limit too, far above any written program. Measured: a chain of
/// this length compiles within the 8 MiB main-thread stack in a debug
/// build (`compiler/tests/limits.rs`).
pub const MAX_CHAIN: usize = 10_000;

/// One chunk after the layout pass: where its tokens are in
/// [`Laid::tokens`], and what the pass found.
#[derive(Debug, Default)]
pub struct Chunk {
    /// The chunk's tokens, ready for the grammar: `Laid::tokens[range]`.
    pub range: Range<usize>,
    pub errors: Vec<SyntaxError>,
    /// Ranges from an unclosed opener to the closer inserted for it: parse
    /// errors inside are cascades of that one mistake.
    pub shadowed: Vec<Span>,
    /// Nesting was too deep: the chunk must not be parsed.
    pub too_deep: bool,
    /// The token that follows the chunk in the file (`None` for the last).
    pub next: Option<(Token, Span)>,
}

/// A whole file after the layout pass: the tokens of every chunk, one
/// after the other, in the lexer's own vector.
#[derive(Debug, Default)]
pub struct Laid {
    pub tokens: Vec<(Token, Span)>,
    pub chunks: Vec<Chunk>,
}

/// Splits the file into chunks and lays each out, in place: the output of
/// the pass is the input less the newlines that do not matter, plus a
/// closer for each unclosed bracket, so it is written over the tokens
/// already read. A big file never holds two copies of its tokens (for a
/// 20 MB list literal, the copy was 400 MB). Only a closer inserted where
/// no read slot is free (a repair after a bracket error) sends the rest of
/// the output to a side vector, joined at the end.
pub fn layout_file(src: &str, mut tokens: Vec<(Token, Span)>) -> Laid {
    let ranges = split_chunks(src, &tokens);
    let mut chunks = Vec::with_capacity(ranges.len());
    let mut out = Sink {
        tokens: &mut tokens,
        written: 0,
        read: 0,
        spill: None,
        chunk_start: 0,
    };
    for (i, range) in ranges.iter().enumerate() {
        let next = ranges.get(i + 1).map(|r| out.tokens[r.start].clone());
        let mut chunk = lay_chunk(&mut out, range.clone(), next.as_ref());
        chunk.next = next;
        chunks.push(chunk);
    }
    let Sink { written, spill, .. } = out;
    tokens.truncate(written);
    if let Some(spill) = spill {
        tokens.extend(spill);
    }
    Laid { tokens, chunks }
}

/// Where [`lay_chunk`] writes: over the tokens already read, or, once a
/// write would overtake the reading, to `spill` for the rest of the file.
struct Sink<'v> {
    tokens: &'v mut Vec<(Token, Span)>,
    /// Slots `..written` hold output.
    written: usize,
    /// Slots `..read` have been read (taken out).
    read: usize,
    spill: Option<Vec<(Token, Span)>>,
    /// Output count where the current chunk began.
    chunk_start: usize,
}

impl Sink<'_> {
    /// Takes the token at `i` (the next to read) out of the vector.
    fn take(&mut self, i: usize) -> (Token, Span) {
        debug_assert_eq!(i, self.read);
        self.read = i + 1;
        std::mem::replace(&mut self.tokens[i], (Token::Newline, 0..0))
    }

    fn push(&mut self, t: (Token, Span)) {
        match &mut self.spill {
            None if self.written < self.read => {
                self.tokens[self.written] = t;
                self.written += 1;
            }
            None => self.spill = Some(vec![t]),
            Some(spill) => spill.push(t),
        }
    }

    /// Tokens output so far: the position of the next one in the result.
    fn count(&self) -> usize {
        self.written + self.spill.as_ref().map_or(0, Vec::len)
    }

    /// The last token output for the current chunk.
    fn last(&self) -> Option<&Token> {
        if self.count() == self.chunk_start {
            return None;
        }
        match self.spill.as_ref().and_then(|s| s.last()) {
            Some((t, _)) => Some(t),
            None => Some(&self.tokens[self.written - 1].0),
        }
    }
}

/// Splits the token stream of a file into chunks, each starting at a
/// `fn name`/`pub fn` that is the first token of its line and either at
/// column 0 or outside every bracket.
pub fn split_chunks(src: &str, tokens: &[(Token, Span)]) -> Vec<Range<usize>> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut depth = 0usize;
    let mut strings = 0usize;
    let mut line_start = true;
    for (i, (tok, span)) in tokens.iter().enumerate() {
        let starts_item = match tok {
            Token::Pub => true,
            Token::Fn => matches!(tokens.get(i + 1), Some((Token::Ident(_), _))),
            _ => false,
        };
        if starts_item && line_start && strings == 0 && i > start {
            let column0 = span.start == 0 || src.as_bytes().get(span.start - 1) == Some(&b'\n');
            if depth == 0 || column0 {
                chunks.push(start..i);
                start = i;
                depth = 0;
            }
        }
        match tok {
            Token::LParen
            | Token::LBracket
            | Token::LBrace
            | Token::HashBrace
            | Token::InterpOpen => depth += 1,
            Token::RParen | Token::RBracket | Token::RBrace | Token::InterpClose => {
                depth = depth.saturating_sub(1)
            }
            Token::StrStart => strings += 1,
            Token::StrEnd => strings = strings.saturating_sub(1),
            _ => {}
        }
        line_start = *tok == Token::Newline;
    }
    if start < tokens.len() {
        chunks.push(start..tokens.len());
    }
    chunks
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delim {
    Paren,
    Bracket,
    Map,
    Block,
    Interp,
}

impl Delim {
    fn open_text(self) -> &'static str {
        match self {
            Delim::Paren => "(",
            Delim::Bracket => "[",
            Delim::Map => "#{",
            Delim::Block => "{",
            Delim::Interp => "#{",
        }
    }

    fn closer(self) -> Token {
        match self {
            Delim::Paren => Token::RParen,
            Delim::Bracket => Token::RBracket,
            Delim::Map | Delim::Block => Token::RBrace,
            Delim::Interp => Token::InterpClose,
        }
    }

    /// Newlines directly inside separate expressions.
    fn newlines_matter(self) -> bool {
        self == Delim::Block
    }
}

fn opener(tok: &Token) -> Option<Delim> {
    Some(match tok {
        Token::LParen => Delim::Paren,
        Token::LBracket => Delim::Bracket,
        Token::HashBrace => Delim::Map,
        Token::LBrace => Delim::Block,
        Token::InterpOpen => Delim::Interp,
        _ => return None,
    })
}

fn closes(tok: &Token, d: Delim) -> bool {
    matches!(
        (tok, d),
        (Token::RParen, Delim::Paren)
            | (Token::RBracket, Delim::Bracket)
            | (Token::RBrace, Delim::Map | Delim::Block)
            | (Token::InterpClose, Delim::Interp)
    )
}

fn is_closer(tok: &Token) -> bool {
    matches!(
        tok,
        Token::RParen | Token::RBracket | Token::RBrace | Token::InterpClose
    )
}

/// Tokens after which an expression may be complete.
pub fn can_end_expr(tok: &Token) -> bool {
    use Token::*;
    matches!(
        tok,
        Int(_)
            | Float(_)
            | Atom(_)
            | Ident(_)
            | Str(_)
            | StrEnd
            | True
            | False
            | Nil
            | Underscore
            | RParen
            | RBracket
            | RBrace
            | Error
    )
}

/// Tokens that continue the previous line when they start a line.
fn continues_line(tok: &Token) -> bool {
    use Token::*;
    matches!(tok, Pipe | Dot | FatArrow | When | Else | Catch | After)
}

/// Binary operators that cannot start an expression: at the start of a
/// line after a complete expression they are a mistaken continuation
/// (E0123). `-` can start one (`-1`) and `|>` continues the line, so
/// neither is here; a line starting with `- x` is linted instead
/// (`lints.rs`, W0103).
fn starts_line_badly(tok: &Token) -> bool {
    tok.is_binary_op() && !matches!(tok, Token::Minus | Token::Pipe)
}

/// Prefix tokens: each nests what follows one level deeper. An operator
/// after a token that cannot end an expression is a prefix one (`- - 1`).
fn deepens(tok: &Token, after_operand: bool) -> bool {
    (tok.is_binary_op() && !after_operand)
        || matches!(tok, Token::Not | Token::Eq | Token::Let | Token::Caret)
}

/// Tokens that start a new expression at the same depth (a `fn` or `pub`
/// starts a new function, even on the same line as the last one).
fn resets_depth(tok: &Token) -> bool {
    matches!(
        tok,
        Token::Comma | Token::Semi | Token::Newline | Token::FatArrow | Token::Fn | Token::Pub
    )
}

#[derive(Default, Clone, Copy)]
struct Ops {
    /// Prefix operators in the current expression.
    prefix: usize,
    /// Binary operators and postfix calls in the current expression.
    chain: usize,
}

struct Frame {
    delim: Delim,
    open: Span,
    /// Operators seen in the current expression of this frame.
    ops: Ops,
}

/// Runs the layout pass over the input tokens `range`, writing to `out`.
/// `next` is the token that follows the chunk (`None` at the end of the
/// input, where an unclosed bracket may still be closed by more input).
fn lay_chunk(out: &mut Sink<'_>, range: Range<usize>, next: Option<&(Token, Span)>) -> Chunk {
    out.chunk_start = out.count();
    let mut chunk = Chunk::default();
    let mut stack: Vec<Frame> = Vec::new();
    let mut top_ops = Ops::default();
    let mut pending_newline: Option<Span> = None;
    let end = range.clone().last().map_or(0, |i| out.tokens[i].1.end);

    // Current depth estimate: every open frame counts once, plus the operators
    // of the expressions under construction in each frame.
    // (At most MAX_DEPTH + 1 frames are open while this is computed.)
    let depth_of = |stack: &[Frame], top: Ops| -> (usize, usize) {
        let nest = top.prefix + stack.iter().map(|f| 1 + f.ops.prefix).sum::<usize>();
        let chain = top.chain + stack.iter().map(|f| f.ops.chain).sum::<usize>();
        (nest, chain)
    };

    for i in range {
        let (token, span) = out.take(i);
        let tok = &token;
        if *tok == Token::Newline {
            pending_newline.get_or_insert(span);
            continue;
        }
        if let Some(nl) = pending_newline.take() {
            let here_matters = stack.last().is_none_or(|f| f.delim.newlines_matter());
            let prev_ends = out.last().is_some_and(can_end_expr);
            if here_matters && prev_ends && starts_line_badly(tok) {
                // Reported, then read as a continuation so the grammar
                // does not add "expected an expression" for the same thing.
                chunk.errors.push(SyntaxError::LineStartsWithOperator {
                    span: span.clone(),
                    op: tok.text(),
                });
            } else if here_matters && prev_ends && !continues_line(tok) {
                out.push((Token::Newline, nl));
                match stack.last_mut() {
                    Some(f) => f.ops = Ops::default(),
                    None => top_ops = Ops::default(),
                }
            }
        }

        // Depth accounting.
        let after_operand = out.last().is_some_and(can_end_expr);
        let postfix_call = *tok == Token::LParen && after_operand;
        let ops = match stack.last_mut() {
            Some(f) => &mut f.ops,
            None => &mut top_ops,
        };
        if deepens(tok, after_operand) {
            ops.prefix += 1;
        } else if postfix_call || tok.is_binary_op() {
            ops.chain += 1;
        } else if resets_depth(tok) {
            *ops = Ops::default();
        }

        let keep = if let Some(d) = opener(tok) {
            stack.push(Frame {
                delim: d,
                open: span.clone(),
                ops: Ops::default(),
            });
            true
        } else if is_closer(tok) {
            match stack.iter().rposition(|f| closes(tok, f.delim)) {
                Some(pos) => {
                    // Everything opened above the match is unclosed.
                    let unclosed = stack.split_off(pos + 1);
                    close_all(
                        out,
                        &mut chunk,
                        unclosed,
                        span.start,
                        Some((span.clone(), tok.describe())),
                    );
                    stack.pop();
                    true
                }
                None => {
                    chunk.errors.push(SyntaxError::UnexpectedCloser {
                        span: span.clone(),
                        delim: tok.text(),
                    });
                    false
                }
            }
        } else {
            true
        };

        if !chunk.too_deep {
            let (nest, chain) = depth_of(&stack, top_ops);
            if nest > MAX_DEPTH {
                chunk.too_deep = true;
                chunk.errors.push(SyntaxError::NestingTooDeep {
                    span: span.clone(),
                    limit: MAX_DEPTH,
                });
            } else if chain > MAX_CHAIN {
                chunk.too_deep = true;
                chunk.errors.push(SyntaxError::ChainTooLong {
                    span: span.clone(),
                    limit: MAX_CHAIN,
                });
            }
        }
        if keep {
            out.push((token, span));
        }
    }

    close_all(
        out,
        &mut chunk,
        stack,
        end,
        next.map(|(t, s)| (s.clone(), t.describe())),
    );
    chunk.range = out.chunk_start..out.count();
    chunk
}

/// Closes the frames left open at `at` (outermost first in `frames`): one
/// error for the innermost, naming the others, and a zero-width closer for
/// each so that the grammar sees balanced brackets.
fn close_all(
    out: &mut Sink<'_>,
    chunk: &mut Chunk,
    frames: Vec<Frame>,
    at: usize,
    found: Option<(Span, String)>,
) {
    let Some(inner) = frames.last() else {
        return;
    };
    chunk.errors.push(SyntaxError::Unclosed {
        open: inner.open.clone(),
        delim: inner.delim.open_text(),
        found,
        also: frames
            .iter()
            .rev()
            .skip(1)
            .map(|f| (f.open.clone(), f.delim.open_text()))
            .collect(),
    });
    for f in frames.iter().rev() {
        chunk.shadowed.push(f.open.start..at);
        out.push((f.delim.closer(), at..at));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::lex;

    /// One chunk's tokens and findings (the whole input as one chunk).
    struct Laid1 {
        tokens: Vec<(Token, Span)>,
        errors: Vec<SyntaxError>,
        too_deep: bool,
    }

    fn layout(chunk: &[(Token, Span)], next: Option<&(Token, Span)>) -> Laid1 {
        let mut tokens = chunk.to_vec();
        let mut out = Sink {
            tokens: &mut tokens,
            written: 0,
            read: 0,
            spill: None,
            chunk_start: 0,
        };
        let c = lay_chunk(&mut out, 0..chunk.len(), next);
        let Sink { written, spill, .. } = out;
        tokens.truncate(written);
        tokens.extend(spill.unwrap_or_default());
        assert_eq!(c.range, 0..tokens.len());
        Laid1 {
            tokens,
            errors: c.errors,
            too_deep: c.too_deep,
        }
    }

    fn shape(src: &str) -> String {
        let l = lex(src);
        let c = layout(&l.tokens, None);
        c.tokens
            .iter()
            .map(|(t, _)| {
                if *t == Token::Newline {
                    "⏎".to_string()
                } else {
                    t.describe()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
            .replace('`', "")
    }

    #[test]
    fn newline_rules() {
        assert_eq!(shape("a\nb"), "a ⏎ b");
        assert_eq!(shape("a +\nb"), "a + b");
        assert_eq!(shape("a\n\n\nb"), "a ⏎ b");
        assert_eq!(shape("a\n|> f()"), "a |> f ( )");
        assert_eq!(shape("f(a,\nb\n)"), "f ( a , b )");
        assert_eq!(shape("[1\n2]"), "[ 1 2 ]");
        assert_eq!(shape("#{1 => 2\n}"), "#{ 1 => 2 }");
        assert_eq!(shape("f(fn() {\na\nb\n})"), "f ( fn ( ) { a ⏎ b ⏎ } )");
        assert_eq!(
            shape("if a {\n1\n}\nelse {\n2\n}"),
            "if a { 1 ⏎ } else { 2 ⏎ }"
        );
        assert_eq!(shape("let x =\n 1"), "let x = 1");
    }

    #[test]
    fn repairs_brackets() {
        let l = lex("f(a, [b)");
        let c = layout(&l.tokens, None);
        assert!(matches!(
            c.errors[..],
            [SyntaxError::Unclosed {
                delim: "[",
                found: Some(_),
                ..
            }]
        ));
        assert_eq!(c.tokens.len(), 8);
        let l = lex("f(a))");
        let c = layout(&l.tokens, None);
        assert!(matches!(
            c.errors[..],
            [SyntaxError::UnexpectedCloser { delim: ")", .. }]
        ));
        let l = lex("f(a");
        let c = layout(&l.tokens, None);
        assert!(matches!(
            c.errors[..],
            [SyntaxError::Unclosed {
                delim: "(",
                found: None,
                ..
            }]
        ));
        assert_eq!(c.tokens.last().map(|t| &t.0), Some(&Token::RParen));
    }

    #[test]
    fn depth_limit() {
        let src = "(".repeat(10_000);
        let c = layout(&lex(&src).tokens, None);
        assert!(c.too_deep);
        let src = format!("x = {}1", "-".repeat(10_000));
        let c = layout(&lex(&src).tokens, None);
        assert!(c.too_deep);
        let src = (0..150)
            .map(|i| format!("a{i}"))
            .collect::<Vec<_>>()
            .join(" + ");
        assert!(!layout(&lex(&src).tokens, None).too_deep);
    }

    #[test]
    fn chunks() {
        let src = "fn a() {\n  1\n}\nfn b() { 2 }\npub fn c() {}\n";
        let l = lex(src);
        assert_eq!(split_chunks(src, &l.tokens).len(), 3);
        // An unclosed brace does not swallow the next function at column 0.
        let src = "fn a() {\n  f(\n}\nfn b() { 2 }\n";
        let l = lex(src);
        assert_eq!(split_chunks(src, &l.tokens).len(), 2);
    }
}
