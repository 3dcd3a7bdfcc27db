//! Trivia: the comments the lexer skips, recovered with their spans for
//! the tools that keep them (`reef fmt`). Normal compiles never call this,
//! so the hot path pays nothing: a comment can only sit in a gap between
//! two tokens (a string's text is always inside some token's span), so the
//! gaps of the token vector are scanned afterwards.

use super::*;

/// One `//` comment (also `///` and `//!`): its span runs from the slashes
/// to the end of its line, the newline excluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub span: Span,
}

impl Comment {
    /// The comment's text without trailing white space.
    pub fn text<'s>(&self, src: &'s str) -> &'s str {
        src[self.span.clone()].trim_end()
    }
}

/// The comments of `src`, in order, given the tokens [`lex`] found in it.
pub fn comments(src: &str, tokens: &[(Token, Span)]) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut at = shebang_len(src);
    for (_, span) in tokens {
        if span.start > at {
            gap(src, at, span.start, &mut out);
        }
        at = at.max(span.end);
    }
    gap(src, at, src.len(), &mut out);
    out
}

/// Collects the comments in `src[from..to]`, which holds only white space
/// and comments.
fn gap(src: &str, from: usize, to: usize, out: &mut Vec<Comment>) {
    let bytes = src.as_bytes();
    let mut i = from;
    while i < to {
        if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'/') {
            let end = src[i..to].find('\n').map_or(to, |n| i + n);
            out.push(Comment { span: i..end });
            i = end;
        } else {
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_found_between_tokens_but_not_in_strings() {
        let src = "#!/usr/bin/env reef\n// a\nfn f() { \"// no\" // b\n}\n//! c";
        let found: Vec<&str> = comments(src, &lex(src).tokens)
            .iter()
            .map(|c| c.text(src))
            .collect();
        assert_eq!(found, ["// a", "// b", "//! c"]);
    }
}
