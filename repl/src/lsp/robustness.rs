//! No input makes a handler panic: every request the server answers, at
//! positions all over the conformance cases (whole, cut short mid-way,
//! with the syntax errors of `spec/cases/diagnostics/`), called directly
//! so that a panic fails the test instead of being caught.

use std::path::{Path, PathBuf};

use lsp_server::{Request, RequestId};
use lsp_types::Uri;
use serde_json::json;

use super::documents::{path_to_uri, Documents, LineIndex};
use super::Server;

fn cases() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "reef") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/cases"),
        &mut out,
    );
    out
}

/// Cut at about `num/den` of the text, on a character boundary.
fn cut(text: &str, num: usize, den: usize) -> &str {
    let mut at = text.len() * num / den;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    &text[..at]
}

#[test]
fn no_request_panics_anywhere_in_the_conformance_cases() {
    let scratch = std::env::temp_dir().join(format!("reef-lsp-robust-{}", std::process::id()));
    let mut server = Server {
        docs: Documents::default(),
        checker: reef_vm::Checker::new(&[]),
        search: Vec::new(),
        stdlib_dir: scratch.clone(),
    };
    let all = cases();
    assert!(all.len() > 100, "{}", all.len());
    let mut id = 0;
    let mut answered = 0;
    // Every syntax-error case, and every fourth of the others.
    let chosen = all
        .iter()
        .enumerate()
        .filter(|(i, p)| p.to_string_lossy().contains("diagnostics") || i % 4 == 0);
    for (_, path) in chosen {
        let full = std::fs::read_to_string(path).unwrap();
        let uri: Uri = path_to_uri(path).unwrap();
        for text in [full.as_str(), cut(&full, 1, 3), cut(&full, 2, 3)] {
            server.docs.set(uri.clone(), text.to_string());
            // Diagnostics (didChange's work).
            let _ = server.publish(uri.clone(), Some(1));
            let lines = LineIndex::new(text);
            let step = (text.len() / 12).max(1);
            let mut offsets: Vec<usize> = (0..=text.len()).step_by(step).collect();
            offsets.push(text.len() + 5);
            for offset in offsets {
                let pos = lines.position(text, offset);
                let at = json!({"textDocument": {"uri": uri}, "position": pos});
                let rename =
                    json!({"textDocument": {"uri": uri}, "position": pos, "newName": "zz"});
                for (method, params) in [
                    ("textDocument/hover", at.clone()),
                    ("textDocument/definition", at.clone()),
                    ("textDocument/completion", at.clone()),
                    ("textDocument/prepareRename", at.clone()),
                    ("textDocument/rename", rename),
                ] {
                    id += 1;
                    let req = Request::new(RequestId::from(id), method.into(), params);
                    if server.request(req).is_ok() {
                        answered += 1;
                    }
                }
            }
            for method in ["textDocument/documentSymbol", "textDocument/formatting"] {
                id += 1;
                let params = json!({"textDocument": {"uri": uri},
                    "options": {"tabSize": 2, "insertSpaces": true}});
                let req = Request::new(RequestId::from(id), method.into(), params);
                assert!(
                    server.request(req).is_ok(),
                    "{method} on {}",
                    path.display()
                );
            }
        }
    }
    // Most requests are answered (renames off a variable are refused).
    assert!(answered > id / 2, "{answered} of {id}");
    let _ = std::fs::remove_dir_all(&scratch);
}
