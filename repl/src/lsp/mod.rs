//! `reef lsp`: a language server over stdio (JSON-RPC with Content-Length
//! framing, `lsp-server`'s transport; synchronous, one request at a time).
//! This file is the main loop: initialisation, dispatch by method, the
//! shutdown handshake, and the guard that turns a panic in a handler into
//! an internal error instead of the end of the server. Each feature lives
//! in its own file; what a file knows comes from the compiler's outline
//! (`reef_compiler::outline`) and the VM's `Checker` (the modules a file
//! sees, as `reef run` would find them).

mod completion;
mod cursor;
mod definition;
mod diagnostics;
mod documents;
mod formatting;
mod hover;
mod rename;
#[cfg(test)]
mod robustness;
mod stdlib;
mod symbols;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CompletionOptions, HoverProviderCapability, InitializeResult, OneOf, RenameOptions,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind, Uri,
};
use serde_json::Value;

use documents::Documents;

/// A failed request: the JSON-RPC error code and message.
pub(crate) type Failure = (ErrorCode, String);

/// What a request handler answers.
pub(crate) type Answer = Result<Value, Failure>;

/// The server's state: the open documents and what the VM knows of
/// modules.
pub(crate) struct Server {
    docs: Documents,
    checker: reef_vm::Checker,
    /// `--path` directories, then `REEF_PATH`'s.
    search: Vec<PathBuf>,
    /// Where go to definition writes the stdlib's sources.
    stdlib_dir: PathBuf,
}

/// Runs the server on stdin/stdout until `exit`. Exit status 0 after a
/// `shutdown` request, 1 otherwise (the protocol's rule).
pub(crate) fn run(search_path: &[PathBuf]) -> ExitCode {
    let (conn, io) = Connection::stdio();
    let mut search = search_path.to_vec();
    if let Some(env) = std::env::var_os("REEF_PATH") {
        search.extend(std::env::split_paths(&env).filter(|p| !p.as_os_str().is_empty()));
    }
    let mut server = Server {
        docs: Documents::default(),
        checker: reef_vm::Checker::new(search_path),
        search,
        stdlib_dir: stdlib::cache_dir(),
    };
    let status = server.serve(&conn);
    // The writer thread ends when the last sender is gone.
    drop(conn);
    if let Err(e) = io.join() {
        errln!("reef lsp: {e}");
        return ExitCode::FAILURE;
    }
    status
}

/// What the server can do, as told to the client at `initialize`.
fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        definition_provider: Some(OneOf::Left(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into()]),
            ..CompletionOptions::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        ..ServerCapabilities::default()
    }
}

impl Server {
    fn serve(&mut self, conn: &Connection) -> ExitCode {
        let mut initialized = false;
        let mut shut_down = false;
        for msg in &conn.receiver {
            let reply = match msg {
                Message::Request(req) if req.method == "initialize" && !initialized => {
                    initialized = true;
                    let result = InitializeResult {
                        capabilities: capabilities(),
                        server_info: Some(ServerInfo {
                            name: "reef".into(),
                            version: Some(env!("CARGO_PKG_VERSION").into()),
                        }),
                    };
                    Some(answer(req.id, to_json(&result)))
                }
                Message::Request(req) if !initialized => Some(answer(
                    req.id,
                    Err((ErrorCode::ServerNotInitialized, "initialize first".into())),
                )),
                Message::Request(req) if shut_down => Some(answer(
                    req.id,
                    Err((ErrorCode::InvalidRequest, "the server is shut down".into())),
                )),
                Message::Request(req) if req.method == "shutdown" => {
                    shut_down = true;
                    Some(answer(req.id, Ok(Value::Null)))
                }
                Message::Request(req) => {
                    let id = req.id.clone();
                    Some(answer(id, guarded(|| self.request(req))))
                }
                Message::Notification(n) if n.method == "exit" => {
                    return if shut_down {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::FAILURE
                    };
                }
                Message::Notification(n) if initialized && !shut_down => {
                    let out = guarded(|| Ok(self.notification(n)));
                    for note in out.ok().into_iter().flatten() {
                        if conn.sender.send(note.into()).is_err() {
                            return ExitCode::FAILURE;
                        }
                    }
                    None
                }
                Message::Notification(_) | Message::Response(_) => None,
            };
            if let Some(reply) = reply {
                if conn.sender.send(reply.into()).is_err() {
                    return ExitCode::FAILURE;
                }
            }
        }
        // The client went away without `exit`.
        ExitCode::FAILURE
    }

    /// Answers one request (not `initialize` or `shutdown`).
    fn request(&mut self, req: Request) -> Answer {
        use lsp_types::request::*;
        match req.method.as_str() {
            GotoDefinition::METHOD => {
                let p: lsp_types::GotoDefinitionParams = params(req.params)?;
                to_json(&definition::definition(
                    self,
                    p.text_document_position_params,
                ))
            }
            HoverRequest::METHOD => {
                let p: lsp_types::HoverParams = params(req.params)?;
                to_json(&hover::hover(self, p.text_document_position_params))
            }
            Completion::METHOD => {
                let p: lsp_types::CompletionParams = params(req.params)?;
                to_json(&completion::completion(self, p.text_document_position))
            }
            DocumentSymbolRequest::METHOD => {
                let p: lsp_types::DocumentSymbolParams = params(req.params)?;
                to_json(&symbols::document_symbols(self, &p.text_document.uri))
            }
            Formatting::METHOD => {
                let p: lsp_types::DocumentFormattingParams = params(req.params)?;
                to_json(&formatting::format(self, &p.text_document.uri))
            }
            PrepareRenameRequest::METHOD => {
                let p: lsp_types::TextDocumentPositionParams = params(req.params)?;
                to_json(&rename::prepare(self, p)?)
            }
            Rename::METHOD => {
                let p: lsp_types::RenameParams = params(req.params)?;
                to_json(&rename::rename(self, p)?)
            }
            other => Err((
                ErrorCode::MethodNotFound,
                format!("reef lsp does not handle `{other}`"),
            )),
        }
    }

    /// Handles one notification; returns the notifications to send back
    /// (diagnostics).
    fn notification(&mut self, n: Notification) -> Vec<Notification> {
        use lsp_types::notification::{self as note, Notification as _};
        match n.method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                let Ok(p) = params::<lsp_types::DidOpenTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                let doc = p.text_document;
                self.docs.set(doc.uri.clone(), doc.text);
                self.publish(doc.uri, Some(doc.version))
            }
            note::DidChangeTextDocument::METHOD => {
                let Ok(p) = params::<lsp_types::DidChangeTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                // Full sync: the last change holds the whole text.
                let Some(change) = p.content_changes.into_iter().last() else {
                    return Vec::new();
                };
                let doc = p.text_document;
                self.docs.set(doc.uri.clone(), change.text);
                self.publish(doc.uri, Some(doc.version))
            }
            note::DidCloseTextDocument::METHOD => {
                let Ok(p) = params::<lsp_types::DidCloseTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                self.docs.close(&p.text_document.uri);
                // Diagnostics of a closed file are withdrawn.
                vec![diagnostics::notification(
                    p.text_document.uri,
                    Vec::new(),
                    None,
                )]
            }
            _ => Vec::new(),
        }
    }

    fn publish(&mut self, uri: Uri, version: Option<i32>) -> Vec<Notification> {
        let diags = match self.docs.get_mut(&uri) {
            Some(doc) => diagnostics::of_document(&self.checker, &uri, doc),
            None => Vec::new(),
        };
        vec![diagnostics::notification(uri, diags, version)]
    }
}

/// The file a document is (for an unsaved, untitled one: `untitled.reef`
/// in the current directory), and the directory its modules are looked
/// for in first.
pub(crate) fn file_of(uri: &Uri) -> (PathBuf, PathBuf) {
    let path = documents::uri_to_path(uri).unwrap_or_else(|| PathBuf::from("untitled.reef"));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => Path::new(".").to_path_buf(),
    };
    (path, dir)
}

fn params<P: serde::de::DeserializeOwned>(v: Value) -> Result<P, Failure> {
    serde_json::from_value(v).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
}

fn to_json<T: serde::Serialize>(v: &T) -> Answer {
    serde_json::to_value(v).map_err(|e| (ErrorCode::InternalError, e.to_string()))
}

fn answer(id: RequestId, a: Answer) -> Response {
    match a {
        Ok(v) => Response::new_ok(id, v),
        Err((code, message)) => Response::new_err(id, code as i32, message),
    }
}

/// Runs a handler; a panic becomes an internal error (the server goes
/// on: a bug in one feature must not take the editor's diagnostics down).
fn guarded<T>(f: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(e) => {
            let what = e
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| e.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".into());
            Err((
                ErrorCode::InternalError,
                format!("reef lsp: internal error: {what}"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_handler_is_an_internal_error() {
        let r: Result<(), Failure> = guarded(|| panic!("boom"));
        let (code, message) = r.unwrap_err();
        assert_eq!(code as i32, ErrorCode::InternalError as i32);
        assert!(message.contains("boom"), "{message}");
        let ok: Result<i32, Failure> = guarded(|| Ok(1));
        assert_eq!(ok.unwrap(), 1);
    }
}
