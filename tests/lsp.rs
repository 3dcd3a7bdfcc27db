//! `reef lsp` as an editor drives it: JSON-RPC with Content-Length framing
//! over the server's stdin and stdout. One session goes through what a
//! user does (open a file with an error, fix it, jump to definitions,
//! hover, complete, list symbols, format, rename, shut down) and checks
//! every answer's content; others check the protocol's edges (unknown
//! methods, bad parameters, requests on a broken file, `exit` without
//! `shutdown`).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

/// How long any one answer may take (the debug build compiles on every
/// change).
const WAIT: Duration = Duration::from_secs(20);

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    /// Notifications read while waiting for a response.
    pending: Vec<Value>,
    next_id: i64,
}

impl Client {
    fn start(dir: &Path, args: &[&str]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_reef"))
            .current_dir(dir)
            .env_remove("REEF_PATH")
            // Where the stdlib's sources are written for go to definition.
            .env("XDG_CACHE_HOME", dir.join("cache"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("reef lsp starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        len = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; len.expect("a Content-Length header")];
                r.read_exact(&mut body).unwrap();
                let msg: Value = serde_json::from_slice(&body).expect("the body is JSON");
                assert_eq!(msg["jsonrpc"], "2.0");
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
            pending: Vec::new(),
            next_id: 1,
        }
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its whole response (`result` or `error`).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let msg = self
                .messages
                .recv_timeout(WAIT)
                .unwrap_or_else(|_| panic!("no answer to {method}"));
            if msg.get("id") == Some(&json!(id)) {
                return msg;
            }
            assert!(msg.get("method").is_some(), "an unexpected answer: {msg}");
            self.pending.push(msg);
        }
    }

    fn result(&mut self, method: &str, params: Value) -> Value {
        let r = self.request(method, params);
        assert!(r.get("error").is_none(), "{method}: {r}");
        r["result"].clone()
    }

    /// The next `publishDiagnostics` notification's parameters.
    fn diagnostics(&mut self) -> Value {
        loop {
            let msg = match self.pending.iter().position(|m| m["method"].is_string()) {
                Some(i) => self.pending.remove(i),
                None => self.messages.recv_timeout(WAIT).expect("diagnostics"),
            };
            if msg["method"] == "textDocument/publishDiagnostics" {
                return msg["params"].clone();
            }
        }
    }

    fn initialize(&mut self) -> Value {
        let r = self.result(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": {}}),
        );
        self.notify("initialized", json!({}));
        r
    }

    /// `shutdown`, then `exit`: the server ends with status 0.
    fn finish(mut self) {
        assert_eq!(self.request("shutdown", Value::Null)["result"], Value::Null);
        self.notify("exit", Value::Null);
        assert_eq!(self.wait(), Some(0));
    }

    /// The exit status, waiting at most `WAIT`.
    fn wait(&mut self) -> Option<i32> {
        let start = std::time::Instant::now();
        while start.elapsed() < WAIT {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        panic!("the server did not exit");
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn pos(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": pos(line, character)})
}

fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Value {
    json!({"start": pos(l1, c1), "end": pos(l2, c2)})
}

fn labels(items: &Value) -> Vec<String> {
    items
        .as_array()
        .expect("a list of completion items")
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

/// The scratch directory's canonical path (go to definition answers with
/// canonical paths; the temporary directory may be a symbolic link).
fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
    std::fs::canonicalize(common::scratch("lsp", name, files)).unwrap()
}

const BROKEN: &str = "\
pub fn main() {
  let greeting = \"héllo wörld 😀\"; io.println(greetin)
}
";

const FIXED: &str = "\
pub fn main() {
  let greeting = \"héllo wörld 😀\"
  let total = util.double(21) + shapes.area(2)
  let items = [1, 2, 3] |> lists.map(fn(x) { x + total })
  io.println(show(greeting, items))
}

fn show(text, items) {
  let count = len(items)
  \"#{text}: #{count}\"
}

fn other(count) {count+1}
";

const UTIL: &str = "\
pub fn double(x) { x * 2 }
pub fn double(x, y) when is_int(y) { x * y }
";

const SHAPES: &str = "pub fn area(r) { r * r * 3 }\n";

#[test]
fn an_editing_session() {
    let dir = scratch(
        "session",
        &[
            ("main.reef", BROKEN),
            ("util.reef", UTIL),
            ("lib/shapes.reef", SHAPES),
        ],
    );
    let main = uri(&dir.join("main.reef"));
    let mut c = Client::start(&dir, &["lsp", "--path", "lib"]);

    let init = c.initialize();
    let caps = &init["capabilities"];
    assert_eq!(caps["textDocumentSync"], 1, "full sync: {init}");
    for cap in [
        "definitionProvider",
        "hoverProvider",
        "documentSymbolProvider",
        "documentFormattingProvider",
    ] {
        assert_eq!(caps[cap], true, "{cap}: {init}");
    }
    assert_eq!(
        caps["completionProvider"]["triggerCharacters"],
        json!(["."])
    );
    assert_eq!(caps["renameProvider"]["prepareProvider"], true);
    assert_eq!(init["serverInfo"]["name"], "reef");

    // Open with an error after non-ASCII text: the column counts UTF-16
    // code units (`😀` is two), not bytes or characters.
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": main, "languageId": "reef", "version": 1, "text": BROKEN}}),
    );
    let d = c.diagnostics();
    assert_eq!(d["uri"], main);
    assert_eq!(d["version"], 1);
    let diags = d["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 2, "{d}");
    // `greeting` is unused (the use is misspelt): a warning, shown faded.
    assert_eq!(diags[0]["code"], "W0101");
    assert_eq!(diags[0]["severity"], 2);
    assert_eq!(diags[0]["range"], range(1, 6, 1, 14));
    assert_eq!(diags[0]["tags"], json!([1]));
    let line = BROKEN.lines().nth(1).unwrap();
    let start = line[..line.find("greetin)").unwrap()]
        .encode_utf16()
        .count() as u32;
    // 45 characters (and more bytes) before it, but 46 UTF-16 units.
    assert_eq!(start, 46);
    assert_eq!(diags[1]["range"], range(1, start, 1, start + 7));
    assert_eq!(diags[1]["code"], "E0201");
    assert_eq!(diags[1]["severity"], 1);
    assert_eq!(diags[1]["source"], "reef");
    assert_eq!(
        diags[1]["message"],
        "unbound variable `greetin`\nhint: did you mean `greeting`?"
    );
    // The same code and hint as `reef check`.
    let check = common::reef(&dir, &["check", "main.reef"]);
    let report = common::text(&check.stderr);
    assert!(
        report.contains("E0201")
            && report.contains("did you mean `greeting`?")
            && report.contains("W0101"),
        "{report}"
    );

    // Fixing it clears the diagnostics.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": main, "version": 2}, "contentChanges": [{"text": FIXED}]}),
    );
    let d = c.diagnostics();
    assert_eq!(d["version"], 2);
    assert_eq!(d["diagnostics"], json!([]), "{d}");

    // Go to definition: a local function, a module beside the file, one
    // on the search path (`--path lib`), the stdlib, a variable.
    let def = c.result("textDocument/definition", at(&main, 4, 14));
    assert_eq!(def, json!({"uri": main, "range": range(7, 3, 7, 7)}));
    let def = c.result("textDocument/definition", at(&main, 2, 20));
    assert_eq!(
        def,
        json!({"uri": uri(&dir.join("util.reef")), "range": range(0, 7, 0, 13)}),
        "util.double/1, not double/2"
    );
    // With `util.reef` open and edited but not saved, its text is the
    // editor's.
    let util = uri(&dir.join("util.reef"));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": util, "languageId": "reef", "version": 1,
            "text": format!("// moved down\n\n{UTIL}")}}),
    );
    let def = c.result("textDocument/definition", at(&main, 2, 20));
    assert_eq!(def, json!({"uri": util, "range": range(2, 7, 2, 13)}));
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": util}}),
    );
    let def = c.result("textDocument/definition", at(&main, 2, 40));
    assert_eq!(
        def,
        json!({"uri": uri(&dir.join("lib/shapes.reef")), "range": range(0, 7, 0, 11)})
    );
    let def = c.result("textDocument/definition", at(&main, 3, 35));
    let stdlib = dir.join("cache/reef/stdlib-0.1.0/lists.reef");
    assert_eq!(def["uri"], uri(&stdlib), "{def}");
    let text = std::fs::read_to_string(&stdlib).unwrap();
    assert!(std::fs::metadata(&stdlib).unwrap().permissions().readonly());
    let line = def["range"]["start"]["line"].as_u64().unwrap() as usize;
    // `lists.map/2`, the clause whose head is on that line.
    assert!(
        text.lines().nth(line).unwrap().starts_with("pub fn map("),
        "{def}"
    );
    assert_eq!(def["range"]["start"]["character"], 7);
    let def = c.result("textDocument/definition", at(&main, 3, 49));
    assert_eq!(
        def,
        json!({"uri": main, "range": range(2, 6, 2, 11)}),
        "total"
    );

    // Hover: the clause heads.
    let h = c.result("textDocument/hover", at(&main, 4, 14));
    assert_eq!(h["contents"]["kind"], "markdown");
    assert_eq!(h["contents"]["value"], "```reef\nfn show(text, items)\n```");
    assert_eq!(h["range"], range(4, 13, 4, 17));
    let h = c.result("textDocument/hover", at(&main, 2, 20));
    assert_eq!(h["contents"]["value"], "```reef\nutil.double(x)\n```");
    // A stdlib function written in Reef: every clause's head (the
    // argument-order check first), then its doc comment.
    let h = c.result("textDocument/hover", at(&main, 3, 35));
    let value = h["contents"]["value"].as_str().unwrap();
    assert!(
        value.contains("lists.map(xs, f)\n```\n\nThe list of `f(x)` for each element"),
        "{value}"
    );
    assert!(value.contains("reef> lists.map([1, 2, 3]"), "{value}");
    // A native: its name, then its doc from the natives' declarations.
    let h = c.result("textDocument/hover", at(&main, 4, 5));
    assert_eq!(
        h["contents"]["value"],
        "```reef\nio.println/1\n```\nnative function\n\n\
         Writes `to_string(x)` and a newline to stdout; `:ok`.\n\n\
         reef> io.println(\"\")\n:ok"
    );

    // Completion: the locals in scope (not another function's), the
    // module's functions, the modules, the built-ins.
    let items = c.result("textDocument/completion", at(&main, 9, 2));
    let names = labels(&items);
    for want in [
        "text", "items", "count", "show", "other", "main", "lists", "util", "shapes", "spawn",
        "case",
    ] {
        assert!(names.contains(&want.to_string()), "{want} in {names:?}");
    }
    for not in ["greeting", "total", "x"] {
        assert!(!names.contains(&not.to_string()), "{not} in {names:?}");
    }
    let local = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "count")
        .unwrap();
    assert_eq!(local["kind"], 6, "a variable: {local}");
    // After `lists.`: its exported functions, natives included.
    let items = c.result("textDocument/completion", at(&main, 3, 33));
    let names = labels(&items);
    for want in ["map", "filter", "foldl", "reverse"] {
        assert!(names.contains(&want.to_string()), "{want} in {names:?}");
    }
    assert!(!names.contains(&"show".to_string()), "{names:?}");
    assert!(items
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["label"] == "map" && i["detail"] == "lists.map/2"));
    // After `util.` (a module beside the file).
    let items = c.result("textDocument/completion", at(&main, 2, 19));
    assert_eq!(labels(&items), ["double", "double"]);
    // After `shapes.` (a module on the search path).
    let items = c.result("textDocument/completion", at(&main, 2, 39));
    assert_eq!(labels(&items), ["area"]);

    // Document symbols.
    let symbols = c.result(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": main}}),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["main/0", "show/2", "other/1"]);
    assert_eq!(symbols[1]["kind"], 12);
    assert_eq!(symbols[1]["range"], range(7, 0, 10, 1));
    assert_eq!(symbols[1]["selectionRange"], range(7, 3, 7, 7));
    assert_eq!(symbols[1]["detail"], "fn show(text, items)");

    // Formatting: one edit, the whole text, laid out as `reef fmt` does.
    let edits = c.result(
        "textDocument/formatting",
        json!({"textDocument": {"uri": main}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    let tidy = FIXED.replace("{count+1}", "{ count + 1 }");
    assert_eq!(
        edits,
        json!([{"range": range(0, 0, 13, 0), "newText": tidy}])
    );

    // Rename `count` in `show`: its binding and its use in the
    // interpolation, not `other`'s parameter of the same name.
    let prep = c.result("textDocument/prepareRename", at(&main, 8, 7));
    assert_eq!(prep, range(8, 6, 8, 11));
    let edit = c.result(
        "textDocument/rename",
        json!({"textDocument": {"uri": main}, "position": pos(9, 15), "newName": "n"}),
    );
    assert_eq!(
        edit,
        json!({"changes": {main.clone(): [
            {"range": range(8, 6, 8, 11), "newText": "n"},
            {"range": range(9, 14, 9, 19), "newText": "n"},
        ]}})
    );
    // A function is not a variable; a keyword is not a name.
    assert_eq!(
        c.result("textDocument/prepareRename", at(&main, 7, 4)),
        Value::Null
    );
    let r = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": main}, "position": pos(8, 7), "newName": "case"}),
    );
    assert_eq!(r["error"]["code"], -32602, "{r}");

    c.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn broken_files_unknown_methods_and_bad_params_never_stop_the_server() {
    let dir = scratch("edges", &[]);
    let doc = uri(&dir.join("edit.reef"));
    let mut c = Client::start(&dir, &["lsp"]);
    c.initialize();
    // Half-typed: the second function has no closing bracket.
    let text = "pub fn ok(a) { a }\n\nfn typing(x) {\n  let y = [x,\n";
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": doc, "languageId": "reef", "version": 1, "text": text}}),
    );
    let d = c.diagnostics();
    let codes: Vec<&str> = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(
        !codes.is_empty() && codes.iter().all(|c| c.starts_with("E01")),
        "{d}"
    );
    // What parsed is still known.
    let symbols = c.result(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": doc}}),
    );
    assert_eq!(symbols[0]["name"], "ok/1", "{symbols}");
    assert_eq!(
        c.result("textDocument/definition", at(&doc, 0, 15)),
        json!({"uri": doc, "range": range(0, 10, 0, 11)})
    );
    // Formatting a broken file changes nothing.
    let edits = c.result(
        "textDocument/formatting",
        json!({"textDocument": {"uri": doc}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits, Value::Null);
    // Positions anywhere, even past the end, and documents never opened.
    for (line, ch) in [(0, 0), (3, 9), (3, 999), (999, 0)] {
        for method in [
            "textDocument/hover",
            "textDocument/definition",
            "textDocument/completion",
        ] {
            let r = c.request(method, at(&doc, line, ch));
            assert!(r.get("error").is_none(), "{method} at {line}:{ch}: {r}");
        }
    }
    let unopened = uri(&dir.join("nope.reef"));
    assert_eq!(
        c.result("textDocument/hover", at(&unopened, 0, 0)),
        Value::Null
    );
    // Unknown methods and bad parameters are errors, not the end.
    let r = c.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": doc}}),
    );
    assert_eq!(r["error"]["code"], -32601, "{r}");
    let r = c.request("textDocument/hover", json!({"nonsense": true}));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    c.notify("textDocument/didChange", json!({"garbage": 1}));
    c.notify("$/unknownNotification", json!({}));
    // Still answering.
    let symbols = c.result(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": doc}}),
    );
    assert_eq!(symbols[0]["name"], "ok/1");
    c.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn exit_without_shutdown_is_status_1() {
    let dir = scratch("exit", &[]);
    // `--stdio` is what some clients add; it changes nothing.
    let mut c = Client::start(&dir, &["lsp", "--stdio"]);
    // Before `initialize`, requests are refused.
    let r = c.request("textDocument/hover", at("file:///x.reef", 0, 0));
    assert_eq!(r["error"]["code"], -32002, "{r}");
    c.initialize();
    c.notify("exit", Value::Null);
    assert_eq!(c.wait(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read_json(path: &str) -> Value {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
}

/// The grammar's rules that can start a token in code, in the order a
/// TextMate engine tries them (includes followed): each rule's pattern
/// (`match` or `begin`) and the scope it gives (its `name`, else its first
/// capture's).
fn code_rules(grammar: &Value) -> Vec<(regex::Regex, String)> {
    fn walk(g: &Value, rule: &Value, out: &mut Vec<(regex::Regex, String)>, depth: usize) {
        assert!(depth < 10, "an include cycle");
        if let Some(inc) = rule["include"].as_str() {
            let name = inc.strip_prefix('#').expect("a repository include");
            return walk(g, &g["repository"][name], out, depth + 1);
        }
        if let Some(patterns) = rule["patterns"].as_array() {
            if rule.get("begin").is_none() {
                for p in patterns {
                    walk(g, p, out, depth + 1);
                }
                return;
            }
        }
        let pattern = rule["match"].as_str().or(rule["begin"].as_str());
        let pattern = pattern.unwrap_or_else(|| panic!("a rule with no pattern: {rule}"));
        let re = regex::Regex::new(&format!(r"\A(?:{pattern})"))
            .unwrap_or_else(|e| panic!("`{pattern}` does not compile: {e}"));
        let scope = rule["name"]
            .as_str()
            .or(rule["captures"]["1"]["name"].as_str())
            .or(rule["beginCaptures"]["0"]["name"].as_str())
            .unwrap_or_else(|| panic!("a rule with no scope: {rule}"));
        out.push((re, scope.to_string()));
    }
    let mut out = Vec::new();
    walk(grammar, &grammar["repository"]["code"], &mut out, 0);
    out
}

/// The scope the grammar gives the start of `text`, and how much of it
/// the rule takes: the first rule that matches there.
fn scope_of<'a>(rules: &'a [(regex::Regex, String)], text: &str) -> (&'a str, usize) {
    rules
        .iter()
        .find_map(|(re, scope)| re.find(text).map(|m| (scope.as_str(), m.end())))
        .unwrap_or_else(|| panic!("no rule matches `{text}`"))
}

/// Every fixed token of the lexer (`#[token("...")]` in
/// `compiler/src/lexer/mod.rs`).
fn lexer_tokens() -> Vec<String> {
    let src = std::fs::read_to_string(root().join("compiler/src/lexer/mod.rs")).unwrap();
    let tokens: Vec<String> = src
        .lines()
        .filter_map(|l| l.trim().strip_prefix("#[token(\""))
        .map(|rest| {
            let end = rest.rfind("\"").unwrap();
            rest[..end].replace("\\\"", "\"").replace("\\n", "\n")
        })
        .collect();
    assert!(tokens.len() > 50, "{tokens:?}");
    tokens
}

#[test]
fn the_textmate_grammar_covers_every_token_of_the_lexer() {
    let grammar = read_json("editors/reef.tmLanguage.json");
    assert_eq!(grammar["scopeName"], "source.reef");
    assert_eq!(grammar["fileTypes"], json!(["reef"]));
    let rules = code_rules(&grammar);
    for token in lexer_tokens() {
        let (scope, len) = match token.as_str() {
            "\n" => continue,
            // `?` starts a character literal.
            "?" => scope_of(&rules, "?a"),
            t => scope_of(&rules, t),
        };
        let want: &[&str] = match token.as_str() {
            t if t.chars().all(|c| c.is_ascii_alphabetic()) => &["keyword.", "constant.language."],
            "_" => &["variable.language.blank"],
            "\"" => &["string.quoted.double"],
            ":\"" => &["constant.other.symbol.quoted"],
            "?" => &["constant.character"],
            _ => &["keyword.operator.", "punctuation."],
        };
        assert!(
            want.iter().any(|w| scope.starts_with(w)),
            "`{token}` is {scope}, not {want:?}"
        );
        if token != "?" {
            assert_eq!(len, token.len(), "`{token}` is cut short as {scope}");
        }
    }
    // Literals, comments and names: each sample is one token for the
    // lexer and one scope for the grammar.
    for (text, want) in [
        (":ok", "constant.other.symbol.reef"),
        (":DOWN", "constant.other.symbol.reef"),
        ("?a", "constant.character.reef"),
        ("?\\n", "constant.character.reef"),
        ("?é", "constant.character.reef"),
        ("0xff", "constant.numeric.hex.reef"),
        ("0b1010", "constant.numeric.binary.reef"),
        ("1_000_000", "constant.numeric.integer.reef"),
        ("3.14", "constant.numeric.float.reef"),
        ("1.0e-9", "constant.numeric.float.reef"),
        ("counter", "variable.other.reef"),
    ] {
        let lexed = reef_vm::compiler::lexer::lex(text);
        assert!(
            lexed.errors.is_empty() && lexed.tokens.len() == 1,
            "`{text}` is one token: {:?}",
            lexed.tokens
        );
        assert_eq!(scope_of(&rules, text), (want, text.len()), "{text}");
    }
    assert_eq!(
        scope_of(&rules, "// a note"),
        ("comment.line.double-slash.reef", 9)
    );
    assert_eq!(
        scope_of(&rules, "/// a doc").0,
        "comment.line.documentation.reef"
    );
    assert_eq!(
        scope_of(&rules, "Upper").0,
        "invalid.illegal.uppercase-name.reef"
    );
    assert_eq!(
        scope_of(&rules, "fn fact(n)"),
        ("keyword.declaration.function.reef", 7)
    );
    assert_eq!(
        scope_of(&rules, "lists.map(xs, f)"),
        ("entity.name.namespace.reef", 9)
    );
    // Strings: escapes (those of `compiler/src/lexer/text.rs`) and
    // `#{...}` interpolations holding code.
    let strings = &grammar["repository"]["strings"];
    assert_eq!(strings["name"], "string.quoted.double.reef");
    let inside: Vec<&str> = strings["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["include"].as_str().unwrap())
        .collect();
    assert_eq!(inside, ["#escapes", "#interpolation"]);
    let escape = regex::Regex::new(&format!(
        r"\A(?:{})",
        grammar["repository"]["escapes"]["patterns"][0]["match"]
            .as_str()
            .unwrap()
    ))
    .unwrap();
    for e in [
        "\\n",
        "\\t",
        "\\r",
        "\\\\",
        "\\\"",
        "\\0",
        "\\e",
        "\\#",
        "\\u{1F600}",
    ] {
        assert_eq!(escape.find(e).map(|m| m.end()), Some(e.len()), "{e}");
        let lexed = reef_vm::compiler::lexer::lex(&format!("\"{e}\""));
        assert!(lexed.errors.is_empty(), "the lexer takes {e}");
    }
    assert!(escape.find("\\q").is_none());
    let interp = &grammar["repository"]["interpolation"];
    assert_eq!(interp["begin"], r"#\{");
    assert_eq!(
        interp["beginCaptures"]["0"]["name"],
        "punctuation.section.interpolation.begin.reef"
    );
    assert!(interp["patterns"]
        .as_array()
        .unwrap()
        .contains(&json!({"include": "#code"})));
}

#[test]
fn the_editor_configurations_start_reef_lsp() {
    // VS Code: the extension's grammar is the same file, and its
    // manifest names the language, the grammar and the configuration.
    let grammar = std::fs::read_to_string(root().join("editors/reef.tmLanguage.json")).unwrap();
    let copy = std::fs::read_to_string(root().join("editors/vscode/syntaxes/reef.tmLanguage.json"))
        .unwrap();
    assert_eq!(
        grammar, copy,
        "editors/vscode/syntaxes/ holds a copy of the grammar"
    );
    let manifest = read_json("editors/vscode/package.json");
    let contributes = &manifest["contributes"];
    assert_eq!(contributes["languages"][0]["id"], "reef");
    assert_eq!(contributes["languages"][0]["extensions"], json!([".reef"]));
    assert_eq!(contributes["grammars"][0]["scopeName"], "source.reef");
    for key in [
        &contributes["grammars"][0]["path"],
        &contributes["languages"][0]["configuration"],
        &manifest["main"],
    ] {
        let path = root().join("editors/vscode").join(key.as_str().unwrap());
        assert!(path.is_file(), "{}", path.display());
    }
    let config = read_json("editors/vscode/language-configuration.json");
    assert_eq!(config["comments"]["lineComment"], "//");
    let glue = std::fs::read_to_string(root().join("editors/vscode/extension.js")).unwrap();
    assert!(glue.contains(r#"args: ["lsp"]"#), "{glue}");
    // Neovim and Helix.
    let nvim = std::fs::read_to_string(root().join("editors/neovim/reef.lua")).unwrap();
    assert!(nvim.contains(r#"cmd = { "reef", "lsp" }"#), "{nvim}");
    let helix = std::fs::read_to_string(root().join("editors/helix/languages.toml")).unwrap();
    assert!(
        helix.contains("command = \"reef\"\nargs = [\"lsp\"]"),
        "{helix}"
    );
    assert!(helix.contains("file-types = [\"reef\"]"));
}
