//! The lexer (placeholder until it lands).
