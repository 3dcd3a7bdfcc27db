//! The lexer: source text to tokens with byte spans (logos for code, a small
//! hand-written scanner for strings and their `#{...}` interpolations).
//!
//! Lexical errors never stop lexing: the bad text becomes a [`Token::Error`]
//! and a [`SyntaxError`] is recorded. An interpolated string becomes
//! `StrStart (StrPart | InterpOpen tokens... InterpClose)* StrEnd`; a string
//! without interpolation is a single [`Token::Str`].

use crate::ast::{SmolStr, Span};
use crate::diagnostics::syntax::SyntaxError;
use logos::Logos;
use num_bigint::BigUint;

#[cfg(test)]
mod tests;
mod text;
pub mod trivia;

use text::{lex_char, lex_quoted_atom, lex_string};

/// Strings nested inside interpolations deeper than this are refused (the
/// scanner recurses once per level).
pub const MAX_STRING_NESTING: usize = 32;

#[derive(Debug, Clone, PartialEq, Default)]
pub enum LexError {
    #[default]
    Unknown,
    MalformedNumber(&'static str),
    Uppercase,
}

#[derive(Logos, Debug, Clone, PartialEq)]
#[logos(error = LexError)]
#[logos(skip r"[ \t\r\f]+")]
#[logos(skip(r"//[^\n]*", allow_greedy = true))]
pub enum Token {
    // ---- literals ----
    /// Decimal digits (already converted from hex/octal/binary, `_` removed).
    #[regex(r"[0-9][0-9_]*", |lex| int_lit(lex.slice(), 10), priority = 10)]
    #[regex(r"0[xX][0-9a-fA-F_]+", |lex| int_lit(&lex.slice()[2..], 16), priority = 10)]
    #[regex(r"0[oO][0-7_]+", |lex| int_lit(&lex.slice()[2..], 8), priority = 10)]
    #[regex(r"0[bB][01_]+", |lex| int_lit(&lex.slice()[2..], 2), priority = 10)]
    Int(SmolStr),
    #[regex(r"[0-9][0-9_]*\.[0-9][0-9_]*([eE][+-]?[0-9][0-9_]*)?", |lex| float_lit(lex.slice()), priority = 10)]
    #[regex(r"[0-9][0-9_]*[eE][+-]?[0-9][0-9_]*", |lex| float_lit(lex.slice()), priority = 10)]
    Float(f64),
    /// A number run into letters (`12abc`, `0x`, `1.5e`).
    #[regex(r"[0-9][0-9a-zA-Z_]*", bad_number, priority = 2)]
    #[regex(r"[0-9][0-9_]*\.[0-9][0-9a-zA-Z_]*", bad_number, priority = 2)]
    BadNumber,
    /// `:ok` (the payload has no colon); `:"..."` is scanned by hand.
    #[regex(r":[a-zA-Z_][a-zA-Z0-9_]*", |lex| lex.slice()[1..].to_string())]
    Atom(String),
    #[regex(r"[a-z_][a-zA-Z0-9_]*", |lex| lex.slice().to_string())]
    Ident(String),
    #[regex(r"[A-Z][a-zA-Z0-9_]*", uppercase)]
    Uppercase,
    /// A whole string without interpolation, escapes decoded.
    Str(String),
    /// The opening `"` of an interpolated string.
    StrStart,
    /// A literal piece of an interpolated string, escapes decoded.
    StrPart(String),
    /// `#{` inside a string.
    InterpOpen,
    /// The `}` that closes an interpolation.
    InterpClose,
    /// The closing `"` of an interpolated string.
    StrEnd,
    /// Raw `"`: never leaves the lexer (the string scanner takes over).
    #[token("\"")]
    Quote,
    /// Raw `:"`: never leaves the lexer.
    #[token(":\"")]
    AtomQuote,
    /// Raw `?`: never leaves the lexer (`?a` becomes an [`Token::Int`], the
    /// code point, scanned by hand in `text.rs`).
    #[token("?")]
    Question,

    // ---- keywords ----
    #[token("fn")]
    Fn,
    #[token("pub")]
    Pub,
    #[token("let")]
    Let,
    #[token("case")]
    Case,
    #[token("receive")]
    Receive,
    #[token("after")]
    After,
    #[token("try")]
    Try,
    #[token("for")]
    For,
    #[token("in")]
    In,
    #[token("catch")]
    Catch,
    #[token("if")]
    If,
    #[token("else")]
    Else,
    #[token("when")]
    When,
    #[token("not")]
    Not,
    #[token("and")]
    And,
    #[token("or")]
    Or,
    #[token("div")]
    Div,
    #[token("rem")]
    Rem,
    #[token("true")]
    True,
    #[token("false")]
    False,
    #[token("nil")]
    Nil,

    // ---- operators and punctuation ----
    #[token("|>")]
    Pipe,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("<=")]
    Le,
    #[token(">=")]
    Ge,
    #[token("<")]
    Lt,
    #[token(">")]
    Gt,
    #[token("++")]
    PlusPlus,
    #[token("<>")]
    Diamond,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("!")]
    Bang,
    #[token("=")]
    Eq,
    #[token("=>")]
    FatArrow,
    #[token("->")]
    Arrow,
    #[token("|")]
    Bar,
    #[token("^")]
    Caret,
    #[token("&")]
    Amp,
    #[token("#{")]
    HashBrace,
    #[token("#")]
    Hash,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token(",")]
    Comma,
    #[token(";")]
    Semi,
    #[token(".")]
    Dot,
    #[token("_", priority = 5)]
    Underscore,
    #[token("\n")]
    Newline,

    /// Text that is not a token; a diagnostic was recorded for it.
    Error,
}

fn bad_number(_: &mut logos::Lexer<Token>) -> Result<(), LexError> {
    Err(LexError::MalformedNumber(
        "a number cannot run into letters",
    ))
}

fn uppercase(_: &mut logos::Lexer<Token>) -> Result<(), LexError> {
    Err(LexError::Uppercase)
}

fn int_lit(digits: &str, radix: u32) -> Result<SmolStr, LexError> {
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    if radix == 10 && !clean.is_empty() && clean.bytes().all(|b| b.is_ascii_digit()) {
        // Decimal stays text (without leading zeros): parsing a
        // 5,000,000-digit literal into a BigUint and printing it back was
        // quadratic. The VM parses it once, in `code.rs`, sub-quadratically.
        let trimmed = clean.trim_start_matches('0');
        return Ok(SmolStr::new(if trimmed.is_empty() { "0" } else { trimmed }));
    }
    match BigUint::parse_bytes(clean.as_bytes(), radix) {
        Some(n) => Ok(SmolStr::from(n.to_string())),
        None => Err(LexError::MalformedNumber("expected digits")),
    }
}

fn float_lit(text: &str) -> Result<f64, LexError> {
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    match clean.parse::<f64>() {
        Ok(f) if f.is_finite() => Ok(f),
        Ok(_) => Err(LexError::MalformedNumber("this float is too large")),
        Err(_) => Err(LexError::MalformedNumber("not a valid float")),
    }
}

impl Token {
    /// How the token is named in messages: "`)`", "`foo`", "a string".
    pub fn describe(&self) -> String {
        use Token::*;
        match self {
            Int(s) => format!("`{s}`"),
            Float(f) => format!("`{f:?}`"),
            Atom(a) => format!("`:{a}`"),
            Ident(n) => format!("`{n}`"),
            Str(_) | StrStart | Quote => "a string".to_string(),
            StrPart(_) => "string text".to_string(),
            InterpOpen => "`#{`".to_string(),
            InterpClose => "`}`".to_string(),
            StrEnd => "the end of the string".to_string(),
            AtomQuote => "an atom".to_string(),
            Newline => "a newline".to_string(),
            Error | BadNumber | Uppercase => "an invalid token".to_string(),
            other => format!("`{}`", other.text()),
        }
    }

    /// The source text of a fixed token (keywords, operators, punctuation).
    pub fn text(&self) -> &'static str {
        use Token::*;
        match self {
            Fn => "fn",
            Pub => "pub",
            Let => "let",
            Case => "case",
            Receive => "receive",
            After => "after",
            Try => "try",
            For => "for",
            In => "in",
            Catch => "catch",
            If => "if",
            Else => "else",
            When => "when",
            Not => "not",
            And => "and",
            Or => "or",
            Div => "div",
            Rem => "rem",
            True => "true",
            False => "false",
            Nil => "nil",
            Pipe => "|>",
            EqEq => "==",
            NotEq => "!=",
            Le => "<=",
            Ge => ">=",
            Lt => "<",
            Gt => ">",
            PlusPlus => "++",
            Diamond => "<>",
            Plus => "+",
            Minus => "-",
            Star => "*",
            Slash => "/",
            Bang => "!",
            Eq => "=",
            FatArrow => "=>",
            Arrow => "->",
            Bar => "|",
            Caret => "^",
            Amp => "&",
            HashBrace => "#{",
            Hash => "#",
            LBrace => "{",
            RBrace => "}",
            LParen => "(",
            RParen => ")",
            LBracket => "[",
            RBracket => "]",
            Comma => ",",
            Semi => ";",
            Dot => ".",
            Underscore => "_",
            InterpOpen => "#{",
            InterpClose => "}",
            Quote | StrStart | StrEnd => "\"",
            AtomQuote => ":\"",
            Question => "?",
            Newline => "\\n",
            Int(_) | Float(_) | Atom(_) | Ident(_) | Str(_) | StrPart(_) | Error | BadNumber
            | Uppercase => "?",
        }
    }

    /// True for the binary operators of expressions (not `=`).
    pub fn is_binary_op(&self) -> bool {
        use Token::*;
        matches!(
            self,
            Pipe | Or
                | And
                | EqEq
                | NotEq
                | Lt
                | Gt
                | Le
                | Ge
                | PlusPlus
                | Diamond
                | Plus
                | Minus
                | Star
                | Slash
                | Div
                | Rem
                | Bang
        )
    }
}

/// The tokens of one source text, and the lexical errors found.
#[derive(Debug, Default)]
pub struct Lexed {
    pub tokens: Vec<(Token, Span)>,
    pub errors: Vec<SyntaxError>,
}

/// Lexes a whole source text. Never fails: errors are recorded and lexing
/// goes on.
pub fn lex(src: &str) -> Lexed {
    // About one token per two bytes in dense code (`1, 2, 3`): reserving
    // that much up front spares a big file the doubling copies of its
    // token vector (the old and the new buffer live together while it
    // grows). The reservation is address space; only the pages written are
    // memory.
    let mut cx = Lexed {
        tokens: Vec::with_capacity(src.len() / 2 + 16),
        ..Lexed::default()
    };
    lex_code(src, &mut cx, shebang_len(src), false, 0);
    cx
}

/// A first line `#!...` (a script's interpreter line) is skipped: only at
/// byte 0, and only the line itself, so spans and line numbers stay right.
fn shebang_len(src: &str) -> usize {
    if src.starts_with("#!") {
        src.find('\n').unwrap_or(src.len())
    } else {
        0
    }
}

/// Lexes code from `start`. In an interpolation (`interp`), stops at the
/// `}` that closes it and returns its position; otherwise (or at the end of
/// the input) returns `None`.
fn lex_code(src: &str, cx: &mut Lexed, start: usize, interp: bool, depth: usize) -> Option<usize> {
    let mut lexer = Token::lexer(&src[start..]);
    let mut braces = 0usize;
    while let Some(res) = lexer.next() {
        let rel = lexer.span();
        let span = start + rel.start..start + rel.end;
        match res {
            Ok(Token::Quote) => {
                let end = lex_string(src, cx, span.start, depth + 1);
                lexer.bump(end - span.end);
            }
            Ok(Token::AtomQuote) => {
                let end = lex_quoted_atom(src, cx, span.start);
                lexer.bump(end - span.end);
            }
            Ok(Token::Question) => {
                let end = lex_char(src, cx, span.start);
                lexer.bump(end - span.end);
            }
            Ok(tok @ (Token::LBrace | Token::HashBrace)) if interp => {
                braces += 1;
                cx.tokens.push((tok, span));
            }
            Ok(Token::RBrace) if interp => {
                if braces == 0 {
                    return Some(span.start);
                }
                braces -= 1;
                cx.tokens.push((Token::RBrace, span));
            }
            Ok(tok) => cx.tokens.push((tok, span)),
            Err(e) => {
                let text = src[span.clone()].to_string();
                cx.errors.push(match e {
                    LexError::Unknown => SyntaxError::UnknownChar {
                        span: span.clone(),
                        ch: text.chars().next().unwrap_or('?'),
                    },
                    LexError::MalformedNumber(reason) => SyntaxError::MalformedNumber {
                        span: span.clone(),
                        text,
                        reason,
                    },
                    LexError::Uppercase => SyntaxError::UppercaseName {
                        span: span.clone(),
                        name: text,
                    },
                });
                cx.tokens.push((Token::Error, span));
            }
        }
    }
    None
}
