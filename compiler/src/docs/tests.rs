//! Doc comment extraction: which comments document what, heads as
//! formatted source, and W0410 for the ones that document nothing.

use super::*;

const SRC: &str = "\
//! Lists.
//!
//! More about lists.

/// Maps `f` over `list`.
///
/// reef> m.map([1], fn(x) { x })
/// [1]
pub fn map(list,f) { go(list, f) }

// a plain comment
fn go([],  _) { [] }
fn go([h | t], f) when is_fn( f ) { [f(h) | go(t, f)] }

/// One.
pub fn go(x) { x }
";

/// name, arity, public, heads, doc
type Row<'a> = (&'a str, usize, bool, Vec<&'a str>, Option<&'a str>);

#[test]
fn module_and_function_docs_are_found_with_their_heads() {
    let docs = module_docs(SRC).expect("parses");
    assert_eq!(docs.doc.as_deref(), Some("Lists.\n\nMore about lists."));
    let got: Vec<Row> = docs
        .functions
        .iter()
        .map(|f| {
            (
                f.name.as_str(),
                f.arity,
                f.public,
                f.heads.iter().map(String::as_str).collect(),
                f.doc.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "map",
                2,
                true,
                vec!["map(list, f)"],
                Some("Maps `f` over `list`.\n\nreef> m.map([1], fn(x) { x })\n[1]")
            ),
            (
                "go",
                2,
                false,
                vec!["go([], _)", "go([h | t], f) when is_fn(f)"],
                None
            ),
            ("go", 1, true, vec!["go(x)"], Some("One.")),
        ]
    );
    assert_eq!(
        &SRC[docs.functions[0].span.clone()],
        "pub fn map(list,f) { go(list, f) }"
    );
    assert_eq!(docs.named("go").count(), 2);
    assert_eq!(docs.functions[0].summary(), "Maps `f` over `list`.");
    assert!(doc_warnings(SRC, &parser::parse_module(SRC).0).is_empty());
}

#[test]
fn doc_comments_that_document_nothing_are_w0410() {
    let src = "fn f(0) { 0 }\n/// on a later clause\nfn f(n) {\n  /// inside\n  n\n}\n//! late\n/// at the end\n";
    let (module, _) = parser::parse_module(src);
    let warnings = doc_warnings(src, &module);
    let got: Vec<(&str, &str)> = warnings
        .iter()
        .map(|d| (d.code, &src[d.primary.span.clone()]))
        .collect();
    assert_eq!(
        got,
        [
            ("W0410", "/// on a later clause"),
            ("W0410", "/// inside"),
            ("W0410", "//! late"),
            ("W0410", "/// at the end"),
        ]
    );
    assert!(warnings.iter().all(|d| !d.is_error()));
    assert_eq!(module_docs(src).expect("parses").functions[0].doc, None);
    // `////` is a plain comment.
    let plain = "//// banner
fn f() { 1 }
";
    assert!(doc_warnings(plain, &parser::parse_module(plain).0).is_empty());
    assert_eq!(module_docs(plain).expect("parses").functions[0].doc, None);
}
