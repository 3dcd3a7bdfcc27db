//! The hand-written scanners of the lexer: string literals with their
//! escapes and `#{...}` interpolations, quoted atoms `:"..."`, and
//! character literals `?c`. Code between them is lexed by logos
//! (`lexer/mod.rs`), to which an interpolation hands back.

use super::*;

/// Scans a character literal `?c` whose `?` is at `q` (Erlang's `$c`):
/// pushes the code point as an [`Token::Int`] and returns the position after
/// it. The escapes are those of strings, plus Erlang's `\s` (a space). A
/// `?` with nothing after it, or with white space after it, is an error
/// (`?\s` spells a space).
pub(super) fn lex_char(src: &str, cx: &mut Lexed, q: usize) -> usize {
    let at = q + 1;
    match src[at..].chars().next() {
        None | Some(' ' | '\t' | '\n' | '\r' | '\x0c') => {
            cx.errors.push(SyntaxError::BadChar { span: q..at });
            cx.tokens.push((Token::Error, q..at));
            at
        }
        Some('\\') if src[at + 1..].starts_with('s') => {
            cx.tokens
                .push((Token::Int(SmolStr::new_inline("32")), q..at + 2));
            at + 2
        }
        Some('\\') => {
            let errors = cx.errors.len();
            let (ch, end) = escape(src, cx, at);
            let tok = match ch {
                Some(c) => Token::Int(SmolStr::from(u32::from(c).to_string())),
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
                .push((Token::Int(SmolStr::from(u32::from(c).to_string())), q..end));
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
pub(super) fn lex_string(src: &str, cx: &mut Lexed, quote: usize, depth: usize) -> usize {
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
pub(super) fn lex_quoted_atom(src: &str, cx: &mut Lexed, colon: usize) -> usize {
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
