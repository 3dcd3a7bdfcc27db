//! `TermError`: why a term did not convert, as data (what was expected,
//! what was found, and where in the term), for `from_term`, `to_term` and
//! the `TryFrom<Term>` conversions.

use std::fmt;

/// A term that did not convert to (or from) a Rust value.
///
/// `path` says where in the term: `.players[2].name` is the `name` field
/// of the third element of the `players` field (empty at the top).
/// `expected` and `found` are short descriptions (`"u8"`, `"a string"`,
/// `":ok"`); for an error raised by a type's own `Deserialize` code
/// (`missing field`, `unknown variant`) `found` may be empty and the
/// whole message is in `expected`.
#[derive(Debug, Clone, PartialEq)]
pub struct TermError {
    /// What the Rust type wanted.
    pub expected: String,
    /// What the term held (an `inspect`-style excerpt).
    pub found: String,
    /// Where, from the top of the term: `.field`, `[index]`, `{key}`.
    pub path: String,
    /// Whether `found` came from serde's generic description and the
    /// deserializer may replace it with the term's own text.
    pub(crate) generic: bool,
    /// For a typed host function's result: the `Err` it returned, as the
    /// reason to raise in the caller (not a conversion failure).
    pub(crate) raised: Option<Box<super::Term>>,
}

impl TermError {
    /// An error with no path yet.
    pub fn new(expected: impl Into<String>, found: impl Into<String>) -> TermError {
        TermError {
            expected: expected.into(),
            found: found.into(),
            path: String::new(),
            generic: false,
            raised: None,
        }
    }

    /// Puts `segment` (`.name`, `[3]`) in front of the path: called on
    /// the way out of each level of the term.
    pub(crate) fn within(mut self, segment: impl fmt::Display) -> TermError {
        self.path = format!("{segment}{}", self.path);
        self
    }
}

impl fmt::Display for TermError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.path.is_empty() {
            String::new()
        } else {
            format!(" at {}", self.path)
        };
        if self.found.is_empty() {
            write!(f, "{}{at}", self.expected)
        } else {
            write!(f, "expected {}, found {}{at}", self.expected, self.found)
        }
    }
}

impl std::error::Error for TermError {}

impl serde::de::Error for TermError {
    fn custom<T: fmt::Display>(msg: T) -> TermError {
        TermError::new(msg.to_string(), "")
    }

    fn invalid_type(unexp: serde::de::Unexpected<'_>, exp: &dyn serde::de::Expected) -> TermError {
        TermError {
            generic: true,
            ..TermError::new(exp.to_string(), unexp.to_string())
        }
    }

    fn invalid_value(unexp: serde::de::Unexpected<'_>, exp: &dyn serde::de::Expected) -> TermError {
        TermError::new(exp.to_string(), unexp.to_string())
    }

    fn invalid_length(len: usize, exp: &dyn serde::de::Expected) -> TermError {
        TermError::new(exp.to_string(), format!("{len} elements"))
    }
}

impl serde::ser::Error for TermError {
    fn custom<T: fmt::Display>(msg: T) -> TermError {
        TermError::new(msg.to_string(), "")
    }
}

/// A short excerpt of a term's text for `found`.
pub(crate) fn excerpt(text: String) -> String {
    const MAX: usize = 60;
    if text.len() <= MAX {
        return text;
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}
