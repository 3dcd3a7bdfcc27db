//! What the name at the cursor is: a variable, a local function (or a
//! built-in), `module.name`, or a module. Found from the tokens around the
//! cursor (the lexer never fails, so this works in a file with syntax
//! errors) and the outline (which binding a variable is, how many
//! arguments a call passes).

use reef_vm::compiler::ast::Span;
use reef_vm::compiler::lexer::{lex, Token};

use super::documents::Document;

/// The thing named at the cursor.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Target {
    /// A variable: the index of its binding in the outline.
    Var(usize),
    /// `name(...)`, `&name/n` or a clause head: a function of this module
    /// or a built-in. `arity` when the call or head says it.
    Local { name: String, arity: Option<usize> },
    /// `module.name(...)` or `&module.name/n`.
    Remote {
        module: String,
        name: String,
        arity: Option<usize>,
    },
    /// The `module` of `module.name`.
    Module(String),
}

/// The target at byte `offset`, and the span of its name.
pub(crate) fn target_at(doc: &mut Document, offset: usize) -> Option<(Target, Span)> {
    let tokens = lex(&doc.text).tokens;
    // The identifier the cursor is in, or just after.
    let i = tokens
        .iter()
        .position(|(t, s)| matches!(t, Token::Ident(_)) && s.start <= offset && offset < s.end)
        .or_else(|| {
            tokens
                .iter()
                .position(|(t, s)| matches!(t, Token::Ident(_)) && s.end == offset)
        })?;
    let (Token::Ident(name), span) = &tokens[i] else {
        return None;
    };
    let ident = |j: usize| match tokens.get(j) {
        Some((Token::Ident(n), _)) => Some(n.clone()),
        _ => None,
    };
    let is_dot = |j: usize| matches!(tokens.get(j), Some((Token::Dot, _)));
    let outline = doc.outline();
    if let Some(b) = outline.binding_at(span.start) {
        return Some((Target::Var(b), span.clone()));
    }
    let target = if i >= 2 && is_dot(i - 1) && ident(i - 2).is_some() {
        let module = ident(i - 2)?;
        let arity = outline
            .call_at(Some(&module), name, span.start)
            .map(|c| c.arity);
        Target::Remote {
            module,
            name: name.clone(),
            arity,
        }
    } else if is_dot(i + 1) && ident(i + 2).is_some() {
        Target::Module(name.clone())
    } else {
        let head = outline
            .functions_named(name)
            .find(|f| f.clauses.iter().any(|c| c.name_span == *span));
        let arity = match head {
            Some(f) => Some(f.arity),
            None => outline.call_at(None, name, span.start).map(|c| c.arity),
        };
        Target::Local {
            name: name.clone(),
            arity,
        }
    };
    Some((target, span.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(src: &str, needle: &str) -> Target {
        let mut doc = Document::new(src.to_string());
        let offset = src.find(needle).expect("needle") + 1;
        target_at(&mut doc, offset).expect("a target").0
    }

    #[test]
    fn names_at_the_cursor() {
        let src = "fn f(xs) { lists.map(xs, &g/1) |> g2(1) }\nfn g(x) { x }\n";
        assert!(matches!(at(src, "xs,"), Target::Var(_)));
        assert_eq!(at(src, "lists"), Target::Module("lists".into()));
        assert_eq!(
            at(src, "map"),
            Target::Remote {
                module: "lists".into(),
                name: "map".into(),
                arity: Some(2)
            }
        );
        assert_eq!(
            at(src, "g/1"),
            Target::Local {
                name: "g".into(),
                arity: Some(1)
            }
        );
        assert_eq!(
            at(src, "g2"),
            Target::Local {
                name: "g2".into(),
                arity: Some(2)
            }
        );
        assert_eq!(
            at(src, "g(x)"),
            Target::Local {
                name: "g".into(),
                arity: Some(1)
            }
        );
    }
}
