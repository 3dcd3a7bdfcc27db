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

/// One chunk after the layout pass: tokens ready for the grammar.
#[derive(Debug, Default)]
pub struct Chunk {
    pub tokens: Vec<(Token, Span)>,
    pub errors: Vec<SyntaxError>,
    /// Ranges from an unclosed opener to the closer inserted for it: parse
    /// errors inside are cascades of that one mistake.
    pub shadowed: Vec<Span>,
    /// Nesting was too deep: the chunk must not be parsed.
    pub too_deep: bool,
}

/// Splits the token stream of a file into chunks, each starting at a
/// `fn name`/`pub fn` that is the first token of its line and either at
/// column 0 or outside every bracket.
pub fn split_chunks<'t>(src: &str, tokens: &'t [(Token, Span)]) -> Vec<&'t [(Token, Span)]> {
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
                chunks.push(&tokens[start..i]);
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
        chunks.push(&tokens[start..]);
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

/// Runs the layout pass over one chunk. `next` is the token that follows
/// the chunk (`None` at the end of the input, where an unclosed bracket may
/// still be closed by more input).
pub fn layout(chunk: &[(Token, Span)], next: Option<&(Token, Span)>) -> Chunk {
    // Layout adds at most a newline per token and a closer per opener;
    // reserving the token count avoids doubling a big chunk's vector.
    let mut out = Chunk {
        tokens: Vec::with_capacity(chunk.len() + 1),
        ..Chunk::default()
    };
    let mut stack: Vec<Frame> = Vec::new();
    let mut top_ops = Ops::default();
    let mut pending_newline: Option<Span> = None;
    let end = chunk.last().map_or(0, |(_, s)| s.end);

    // Current depth estimate: every open frame counts once, plus the operators
    // of the expressions under construction in each frame.
    // (At most MAX_DEPTH + 1 frames are open while this is computed.)
    let depth_of = |stack: &[Frame], top: Ops| -> (usize, usize) {
        let nest = top.prefix + stack.iter().map(|f| 1 + f.ops.prefix).sum::<usize>();
        let chain = top.chain + stack.iter().map(|f| f.ops.chain).sum::<usize>();
        (nest, chain)
    };

    for (tok, span) in chunk {
        if *tok == Token::Newline {
            pending_newline.get_or_insert(span.clone());
            continue;
        }
        if let Some(nl) = pending_newline.take() {
            let here_matters = stack.last().is_none_or(|f| f.delim.newlines_matter());
            let prev_ends = out.tokens.last().is_some_and(|(t, _)| can_end_expr(t));
            if here_matters && prev_ends && starts_line_badly(tok) {
                // Reported, then read as a continuation so the grammar
                // does not add "expected an expression" for the same thing.
                out.errors.push(SyntaxError::LineStartsWithOperator {
                    span: span.clone(),
                    op: tok.text(),
                });
            } else if here_matters && prev_ends && !continues_line(tok) {
                out.tokens.push((Token::Newline, nl));
                match stack.last_mut() {
                    Some(f) => f.ops = Ops::default(),
                    None => top_ops = Ops::default(),
                }
            }
        }

        // Depth accounting.
        let after_operand = out.tokens.last().is_some_and(|(t, _)| can_end_expr(t));
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

        if let Some(d) = opener(tok) {
            stack.push(Frame {
                delim: d,
                open: span.clone(),
                ops: Ops::default(),
            });
            out.tokens.push((tok.clone(), span.clone()));
        } else if is_closer(tok) {
            match stack.iter().rposition(|f| closes(tok, f.delim)) {
                Some(pos) => {
                    // Everything opened above the match is unclosed.
                    let unclosed = stack.split_off(pos + 1);
                    close_all(
                        &mut out,
                        unclosed,
                        span.start,
                        Some((span.clone(), tok.describe())),
                    );
                    stack.pop();
                    out.tokens.push((tok.clone(), span.clone()));
                }
                None => {
                    out.errors.push(SyntaxError::UnexpectedCloser {
                        span: span.clone(),
                        delim: tok.text(),
                    });
                }
            }
        } else {
            out.tokens.push((tok.clone(), span.clone()));
        }

        if !out.too_deep {
            let (nest, chain) = depth_of(&stack, top_ops);
            if nest > MAX_DEPTH {
                out.too_deep = true;
                out.errors.push(SyntaxError::NestingTooDeep {
                    span: span.clone(),
                    limit: MAX_DEPTH,
                });
            } else if chain > MAX_CHAIN {
                out.too_deep = true;
                out.errors.push(SyntaxError::ChainTooLong {
                    span: span.clone(),
                    limit: MAX_CHAIN,
                });
            }
        }
    }

    close_all(
        &mut out,
        stack,
        end,
        next.map(|(t, s)| (s.clone(), t.describe())),
    );
    out
}

/// Closes the frames left open at `at` (outermost first in `frames`): one
/// error for the innermost, naming the others, and a zero-width closer for
/// each so that the grammar sees balanced brackets.
fn close_all(out: &mut Chunk, frames: Vec<Frame>, at: usize, found: Option<(Span, String)>) {
    let Some(inner) = frames.last() else {
        return;
    };
    out.errors.push(SyntaxError::Unclosed {
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
        out.shadowed.push(f.open.start..at);
        out.tokens.push((f.delim.closer(), at..at));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::lex;

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
