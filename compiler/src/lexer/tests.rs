//! The lexer's unit tests: tokens, spans, literals and lexical errors.

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
