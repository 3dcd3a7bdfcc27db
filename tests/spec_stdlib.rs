//! Every function a user can call is documented: each registered native
//! (except the internal halves named `__...`) and each `pub fn` of
//! `stdlib/lib/*.reef` (except the allow-list below) must appear in its
//! spec chapter as a call with its arity, `module.name(a, b)`, or as
//! `module.name/2`. The failure names each one missing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// Modules whose `pub fn`s are plumbing, not an API: each has a reason.
const PRIVATE_MODULES: &[(&str, &str)] = &[
    (
        "rex",
        "the rpc server other nodes call by name (spec 13 describes it)",
    ),
    ("net_kernel", "answers other nodes' is_auth (spec 13)"),
    (
        "user",
        "the I/O server given as group leader to remote spawns",
    ),
    ("erpc", "what BEAM's erpc:call spawns here"),
];

/// Single functions that are exported only because another module calls
/// them (a behaviour's callbacks, a spawned loop), with a reason.
const PRIVATE_FUNCTIONS: &[(&str, &str, u32, &str)] = &[
    // Callbacks the server behaviour calls (spec 9.2): an agent, a
    // registry and a supervisor are servers whose callback module is
    // the module itself.
    ("agent", "init", 1, "server callback"),
    ("agent", "handle_call", 3, "server callback"),
    ("agent", "handle_cast", 2, "server callback"),
    ("registry", "init", 1, "server callback"),
    ("registry", "handle_call", 3, "server callback"),
    ("registry", "handle_cast", 2, "server callback"),
    ("registry", "handle_info", 2, "server callback"),
    ("supervisor", "init", 1, "server callback"),
    ("supervisor", "handle_call", 3, "server callback"),
    ("supervisor", "handle_cast", 2, "server callback"),
    ("supervisor", "handle_info", 2, "server callback"),
    ("supervisor", "terminate", 2, "server callback"),
    // The halves of `spawn(node, m, f, args)` (spec 13.8): `kernel.spawn/4`
    // calls them; they are not an API of their own.
    ("node", "connect_start", 1, "native half of node.connect"),
    ("node", "spawn_local", 5, "half of spawn/4"),
    ("node", "spawn_remote", 5, "half of spawn/4"),
    ("node", "spawn_request", 5, "native half of spawn/4"),
    ("node", "spawn_failed", 3, "native half of spawn/4"),
];

/// The spec chapters where a module's functions must be documented.
fn chapters(module: &str) -> &'static [&'static str] {
    match module {
        "kernel" => &["07-processes.md", "08-stdlib.md", "13-nodes.md"],
        "timer" => &["07-processes.md", "08-stdlib.md"],
        "process" => &["07-processes.md"],
        "node" => &["13-nodes.md"],
        "server" | "registry" => &["09-server.md"],
        "supervisor" => &["10-supervisor.md"],
        "task" => &["11-task.md"],
        "agent" => &["12-agent.md"],
        "assertions" => &["14-tools.md"],
        _ => &["08-stdlib.md"],
    }
}

/// `pub fn` names and arities of a Reef source.
fn reef_exports(src: &str) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    for line in src.lines() {
        let Some(rest) = line.trim_start().strip_prefix("pub fn ") else {
            continue;
        };
        let Some(open) = rest.find('(') else { continue };
        let name = rest[..open].trim().to_string();
        if let Some(n) = count_args(&rest[open..]) {
            out.push((name, n));
        }
    }
    out
}

/// The number of top-level arguments of the call whose `(` starts `s`,
/// skipping brackets and string literals; `None` if it never closes.
fn count_args(s: &str) -> Option<u32> {
    let (mut depth, mut commas, mut any) = (0i32, 0u32, false);
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                any = true;
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '(' | '[' | '{' => {
                if depth > 0 {
                    any = true;
                }
                depth += 1;
            }
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(if any { commas + 1 } else { 0 });
                }
            }
            ',' if depth == 1 => commas += 1,
            c if !c.is_whitespace() => any = true,
            _ => {}
        }
    }
    None
}

/// Whether `text` documents `module.name/arity`.
fn documented(text: &str, module: &str, name: &str, arity: u32) -> bool {
    let prefixes: Vec<String> = if module == "kernel" {
        vec![format!("{name}("), format!("{name}/")]
    } else {
        vec![format!("{module}.{name}("), format!("{module}.{name}/")]
    };
    for p in &prefixes {
        let mut from = 0;
        while let Some(i) = text[from..].find(p.as_str()) {
            let at = from + i;
            from = at + p.len();
            let before = text[..at].chars().next_back();
            if module == "kernel"
                && before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
            {
                continue;
            }
            let rest = &text[at + p.len() - 1..];
            let found = if p.ends_with('/') {
                let digits: String = rest[1..].chars().take_while(char::is_ascii_digit).collect();
                digits.parse::<u32>().ok() == Some(arity)
            } else {
                count_args(rest) == Some(arity)
            };
            if found {
                return true;
            }
        }
    }
    false
}

#[test]
fn every_stdlib_function_is_in_the_spec() {
    let root = root();
    let mut functions: BTreeSet<(String, String, u32)> = BTreeSet::new();
    for (m, n, a) in reef_vm::internals::builtin_names() {
        let private = PRIVATE_FUNCTIONS
            .iter()
            .any(|(pm, pn, pa, _)| *pm == m && *pn == n && *pa == a);
        if !n.starts_with("__") && !private {
            functions.insert((m.to_string(), n.to_string(), a));
        }
    }
    let lib = root.join("stdlib/lib");
    let mut files: Vec<_> = std::fs::read_dir(&lib)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for f in files {
        let module = f.file_stem().unwrap().to_string_lossy().to_string();
        if PRIVATE_MODULES.iter().any(|(m, _)| *m == module) {
            continue;
        }
        let src = std::fs::read_to_string(&f).unwrap();
        for (name, arity) in reef_exports(&src) {
            if name.starts_with("__") {
                continue;
            }
            if PRIVATE_FUNCTIONS
                .iter()
                .any(|(m, n, a, _)| *m == module && *n == name && *a == arity)
            {
                continue;
            }
            functions.insert((module.clone(), name, arity));
        }
    }
    assert!(
        functions.len() > 100,
        "found only {} functions",
        functions.len()
    );
    let mut missing = Vec::new();
    for (m, n, a) in &functions {
        let text: String = chapters(m)
            .iter()
            .map(|c| std::fs::read_to_string(root.join("spec").join(c)).unwrap_or_default())
            .collect();
        if !documented(&text, m, n, *a) {
            missing.push(format!("{m}.{n}/{a} (in {})", chapters(m).join(" or ")));
        }
    }
    assert!(
        missing.is_empty(),
        "{} stdlib functions are missing from the spec:\n  {}",
        missing.len(),
        missing.join("\n  ")
    );
}

#[test]
fn the_checker_counts_arguments() {
    assert_eq!(count_args("()"), Some(0));
    assert_eq!(count_args("(xs, f)"), Some(2));
    assert_eq!(count_args("(\"a,b\", [1, 2], (3, 4))"), Some(3));
    assert_eq!(count_args("(fn(a, b) { a }, #{:a => 1})"), Some(2));
    assert!(documented("`lists.map(xs, f)`", "lists", "map", 2));
    assert!(!documented("`lists.map(xs, f)`", "lists", "map", 3));
    assert!(documented("see `lists.sort/2`", "lists", "sort", 2));
    assert!(!documented("`strings.len(s)`", "kernel", "len", 1));
    assert!(documented("| `len(x)` |", "kernel", "len", 1));
}
