//! The lexer: source text to tokens with byte spans (logos for code, a small
//! hand-written scanner for strings and their `#{...}` interpolations).
//!
//! Lexical errors never stop lexing: the bad text becomes a [`Token::Error`]
//! and a [`SyntaxError`] is recorded. An interpolated string becomes
//! `StrStart (StrPart | InterpOpen tokens... InterpClose)* StrEnd`; a string
//! without interpolation is a single [`Token::Str`].

use crate::ast::Span;
use crate::diagnostics::syntax::SyntaxError;
use logos::Logos;
use num_bigint::BigUint;

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
    Int(String),
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
    /// code point, scanned by hand in [`lex_char`]).
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

fn int_lit(digits: &str, radix: u32) -> Result<String, LexError> {
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    if radix == 10 && !clean.is_empty() && clean.bytes().all(|b| b.is_ascii_digit()) {
        // Decimal stays text (without leading zeros): parsing a
        // 5,000,000-digit literal into a BigUint and printing it back was
        // quadratic. The VM parses it once, in `code.rs`, sub-quadratically.
        let trimmed = clean.trim_start_matches('0');
        return Ok(if trimmed.is_empty() { "0" } else { trimmed }.to_string());
    }
    match BigUint::parse_bytes(clean.as_bytes(), radix) {
        Some(n) => Ok(n.to_string()),
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

/// Scans a character literal `?c` whose `?` is at `q` (Erlang's `$c`):
/// pushes the code point as an [`Token::Int`] and returns the position after
/// it. The escapes are those of strings, plus Erlang's `\s` (a space). A
/// `?` with nothing after it, or with white space after it, is an error
/// (`?\s` spells a space).
fn lex_char(src: &str, cx: &mut Lexed, q: usize) -> usize {
    let at = q + 1;
    match src[at..].chars().next() {
        None | Some(' ' | '\t' | '\n' | '\r' | '\x0c') => {
            cx.errors.push(SyntaxError::BadChar { span: q..at });
            cx.tokens.push((Token::Error, q..at));
            at
        }
        Some('\\') if src[at + 1..].starts_with('s') => {
            cx.tokens.push((Token::Int("32".into()), q..at + 2));
            at + 2
        }
        Some('\\') => {
            let errors = cx.errors.len();
            let (ch, end) = escape(src, cx, at);
            let tok = match ch {
                Some(c) => Token::Int(u32::from(c).to_string()),
                None => {
                    if cx.errors.len() == errors {
                        // `?\` at the end of the input.
                        cx.errors.push(SyntaxError::BadChar { span: q..end });
                    }
                    Token::Error
                }
            };
            cx.tokens.push((tok, q..end));
            end
        }
        Some(c) => {
            let end = at + c.len_utf8();
            cx.tokens
                .push((Token::Int(u32::from(c).to_string()), q..end));
            end
        }
    }
}

/// Decodes one escape sequence starting at the backslash at `i`. Returns the
/// decoded char (if valid) and the position after the sequence.
fn escape(src: &str, cx: &mut Lexed, i: usize) -> (Option<char>, usize) {
    let rest = &src[i + 1..];
    let Some(c) = rest.chars().next() else {
        return (None, src.len());
    };
    let simple = match c {
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        '\\' => Some('\\'),
        '"' => Some('"'),
        '0' => Some('\0'),
        'e' => Some('\x1b'),
        '#' => Some('#'),
        _ => None,
    };
    if let Some(ch) = simple {
        return (Some(ch), i + 2);
    }
    if c == 'u' {
        // \u{XXXX}
        let after_u = &rest[1..];
        if let Some(body) = after_u.strip_prefix('{') {
            if let Some(close) = body.find('}') {
                let hex = &body[..close];
                let end = i + 3 + close + 1;
                if (1..=6).contains(&hex.len()) && hex.chars().all(|h| h.is_ascii_hexdigit()) {
                    if let Some(ch) = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                        return (Some(ch), end);
                    }
                }
                if close <= 8 {
                    cx.errors.push(SyntaxError::BadEscape {
                        span: i..end,
                        text: src[i..end].to_string(),
                    });
                    return (None, end);
                }
            }
        }
        cx.errors.push(SyntaxError::BadEscape {
            span: i..i + 2,
            text: "\\u".to_string(),
        });
        return (None, i + 2);
    }
    let end = i + 1 + c.len_utf8();
    cx.errors.push(SyntaxError::BadEscape {
        span: i..end,
        text: src[i..end].to_string(),
    });
    (None, end)
}

/// Scans the string whose opening quote is at `quote`; pushes its tokens and
/// returns the position after it.
fn lex_string(src: &str, cx: &mut Lexed, quote: usize, depth: usize) -> usize {
    let bytes = src.as_bytes();
    let mut lit = String::new();
    let mut lit_start = quote + 1;
    let mut interpolated = false;
    let mut i = quote + 1;
    loop {
        if i >= src.len() {
            cx.errors.push(SyntaxError::UnterminatedString {
                span: quote..quote + 1,
                atom: false,
            });
            let end = src.len();
            if interpolated {
                if !lit.is_empty() {
                    cx.tokens.push((Token::StrPart(lit), lit_start..end));
                }
                cx.tokens.push((Token::StrEnd, end..end));
            } else {
                cx.tokens.push((Token::Str(lit), quote..end));
            }
            return end;
        }
        match bytes[i] {
            b'"' => {
                let end = i + 1;
                if interpolated {
                    if !lit.is_empty() {
                        cx.tokens.push((Token::StrPart(lit), lit_start..i));
                    }
                    cx.tokens.push((Token::StrEnd, i..end));
                } else {
                    cx.tokens.push((Token::Str(lit), quote..end));
                }
                return end;
            }
            b'\\' => {
                let (ch, next) = escape(src, cx, i);
                lit.extend(ch);
                i = next;
            }
            b'#' if bytes.get(i + 1) == Some(&b'{') => {
                if !interpolated {
                    interpolated = true;
                    cx.tokens.push((Token::StrStart, quote..quote + 1));
                }
                if !lit.is_empty() {
                    cx.tokens
                        .push((Token::StrPart(std::mem::take(&mut lit)), lit_start..i));
                }
                if depth > MAX_STRING_NESTING {
                    cx.errors.push(SyntaxError::NestingTooDeep {
                        span: i..i + 2,
                        limit: MAX_STRING_NESTING,
                    });
                    let end = src.len();
                    cx.tokens.push((Token::StrEnd, end..end));
                    return end;
                }
                cx.tokens.push((Token::InterpOpen, i..i + 2));
                match lex_code(src, cx, i + 2, true, depth) {
                    Some(close) => {
                        cx.tokens.push((Token::InterpClose, close..close + 1));
                        i = close + 1;
                        lit_start = i;
                    }
                    None => {
                        let end = src.len();
                        cx.errors.push(SyntaxError::UnterminatedString {
                            span: quote..quote + 1,
                            atom: false,
                        });
                        cx.tokens.push((Token::InterpClose, end..end));
                        cx.tokens.push((Token::StrEnd, end..end));
                        return end;
                    }
                }
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or('\u{fffd}');
                lit.push(ch);
                i += ch.len_utf8();
            }
        }
    }
}

/// Scans `:"..."` starting at the colon; pushes an atom token and returns the
/// position after it.
fn lex_quoted_atom(src: &str, cx: &mut Lexed, colon: usize) -> usize {
    let bytes = src.as_bytes();
    let mut text = String::new();
    let mut i = colon + 2;
    loop {
        if i >= src.len() {
            cx.errors.push(SyntaxError::UnterminatedString {
                span: colon..colon + 2,
                atom: true,
            });
            cx.tokens.push((Token::Atom(text), colon..src.len()));
            return src.len();
        }
        match bytes[i] {
            b'"' => {
                cx.tokens.push((Token::Atom(text), colon..i + 1));
                return i + 1;
            }
            b'\\' => {
                let (ch, next) = escape(src, cx, i);
                text.extend(ch);
                i = next;
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or('\u{fffd}');
                text.push(ch);
                i += ch.len_utf8();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Token> {
        let l = lex(src);
        assert!(l.errors.is_empty(), "{:?}", l.errors);
        l.tokens.into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn numbers() {
        use Token::*;
        assert_eq!(
            toks("42 1_000_000 0xff 0b101 0o17 3.25 1.0e-9 2.5E10 1e3"),
            vec![
                Int("42".into()),
                Int("1000000".into()),
                Int("255".into()),
                Int("5".into()),
                Int("15".into()),
                Float(3.25),
                Float(1.0e-9),
                Float(2.5e10),
                Float(1e3),
            ]
        );
        assert_eq!(
            toks("0xffffffffffffffffffffffff"),
            vec![Int("79228162514264337593543950335".into())]
        );
        assert_eq!(toks("007"), vec![Int("7".into())]);
    }

    #[test]
    fn malformed_numbers() {
        for src in ["12abc", "0x", "1.5e", "0b102", "1e999"] {
            let l = lex(src);
            assert_eq!(l.tokens.len(), 1, "{src}: {:?}", l.tokens);
            assert_eq!(l.tokens[0].0, Token::Error, "{src}");
            assert!(
                matches!(l.errors[..], [SyntaxError::MalformedNumber { .. }]),
                "{src}: {:?}",
                l.errors
            );
        }
    }

    #[test]
    fn atoms_keywords_idents() {
        use Token::*;
        assert_eq!(
            toks(r#":ok :DOWN :"any text\n" true nil fn foo _ _bar x1"#),
            vec![
                Atom("ok".into()),
                Atom("DOWN".into()),
                Atom("any text\n".into()),
                True,
                Nil,
                Fn,
                Ident("foo".into()),
                Underscore,
                Ident("_bar".into()),
                Ident("x1".into()),
            ]
        );
    }

    #[test]
    fn operators_and_comments() {
        use Token::*;
        assert_eq!(
            toks("a |> b // comment\n<> ++ => -> == != <= >= ! #{ } #"),
            vec![
                Ident("a".into()),
                Pipe,
                Ident("b".into()),
                Newline,
                Diamond,
                PlusPlus,
                FatArrow,
                Arrow,
                EqEq,
                NotEq,
                Le,
                Ge,
                Bang,
                HashBrace,
                RBrace,
                Hash,
            ]
        );
    }

    #[test]
    fn strings_and_escapes() {
        use Token::*;
        assert_eq!(
            toks(r#""a\n\t\\\"\e\#{x}\u{1F600}""#),
            vec![Str("a\n\t\\\"\x1b#{x}\u{1F600}".into())]
        );
        let l = lex(r#""n = #{n + 1}!""#);
        assert!(l.errors.is_empty());
        assert_eq!(
            l.tokens,
            vec![
                (StrStart, 0..1),
                (StrPart("n = ".into()), 1..5),
                (InterpOpen, 5..7),
                (Ident("n".into()), 7..8),
                (Plus, 9..10),
                (Int("1".into()), 11..12),
                (InterpClose, 12..13),
                (StrPart("!".into()), 13..14),
                (StrEnd, 14..15),
            ]
        );
    }

    #[test]
    fn nested_interpolation() {
        use Token::*;
        let t = toks(r#""a #{f("b #{c}", #{1 => 2})} d""#);
        assert_eq!(t.iter().filter(|t| **t == InterpOpen).count(), 2);
        assert_eq!(t.iter().filter(|t| **t == InterpClose).count(), 2);
        assert!(t.contains(&HashBrace));
        assert_eq!(t.last(), Some(&StrEnd));
    }

    #[test]
    fn lexical_errors() {
        let l = lex("x @ \"abc");
        assert_eq!(l.errors.len(), 2);
        assert!(matches!(
            l.errors[0],
            SyntaxError::UnknownChar { ch: '@', .. }
        ));
        assert!(matches!(
            l.errors[1],
            SyntaxError::UnterminatedString { .. }
        ));
        let l = lex(r#""\q""#);
        assert!(matches!(l.errors[..], [SyntaxError::BadEscape { .. }]));
        let l = lex("Foo");
        assert!(matches!(l.errors[..], [SyntaxError::UppercaseName { .. }]));
        let l = lex("\"#{ \"#{");
        assert!(l
            .errors
            .iter()
            .all(|e| matches!(e, SyntaxError::UnterminatedString { .. })));
    }

    #[test]
    fn deep_string_nesting_is_refused() {
        let src = "\"#{".repeat(10_000);
        let l = lex(&src);
        assert!(l
            .errors
            .iter()
            .any(|e| matches!(e, SyntaxError::NestingTooDeep { .. })));
    }
}
