//! Doc comments as a user meets them (spec 14.4): `reef doc` writes pages
//! from `///` and `//!` comments, `reef doc --test` runs their examples
//! (every stdlib example passes; a wrong one is reported with what was
//! expected and what came), `reef check` warns about a doc comment that
//! documents nothing, and the REPL's `h(...)` and `:doc` print docs. The
//! stdlib's coverage is checked here too: every public function of its
//! Reef modules, and every native (but the internal `__` halves), has a
//! doc with an example, and the natives' declarations name real natives.

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::{reef, text};
use expect_test::expect;
use reef_vm::compiler::docs::{examples::examples, module_docs};
use tmux::Tmux;

fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
    common::scratch("doc", name, files)
}

/// A module with docs: one example right, one wrong, one that raises.
const SHAPES: &str = "\
//! Shapes and their areas.
//!
//! Every function takes numbers.

/// The area of a `w` by `h` rectangle.
///
/// reef> shapes.area(2, 3)
/// 6
pub fn area(w, h) { w * h }

/// The area of a square: `area(s, s)`.
///
/// reef> let s = 4
/// reef> shapes.square(s)
/// 15
pub fn square(s) { area(s, s) }

/// Half of `n`; `0` raises.
///
/// reef> shapes.half(0)
/// 0
pub fn half(n) when n != 0 { n / 2 }

fn helper() { :private }
";

#[test]
fn every_stdlib_example_passes() {
    let dir = scratch("stdlib", &[]);
    let child = Command::new(env!("CARGO_BIN_EXE_reef"))
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .env_remove("REEF_PATH")
        .args(["doc", "--test", "--stdlib"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("reef runs");
    let pid = child.id();
    let out = child.wait_with_output().expect("reef runs");
    // The `file` examples work in a scratch directory named after the pid.
    let _ = std::fs::remove_dir_all(format!("/tmp/reef-doc-{pid}"));
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    let last = stdout.lines().last().unwrap_or("");
    let passed: usize = last
        .strip_suffix(" passed, 0 failed")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("last line: {last:?}\n{stdout}"));
    assert!(passed >= 300, "only {passed} examples ran");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_wrong_example_fails_with_a_clear_report() {
    let dir = scratch("wrong", &[("shapes.reef", SHAPES)]);
    let out = reef(&dir, &["doc", "--test", "shapes.reef"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    expect![[r#"
        FAILED shapes.half/1 example 1 (shapes.reef:20)
          reef> shapes.half(0)
          raised:
          ** process #PID<0.2.0> crashed: error (:function_clause, (:shapes, :half, [0]))
          **   in shapes.half/1 (shapes.reef:22)
          **   in __doctest_2.__eval/1 (repl:1)
        FAILED shapes.square/1 example 2 (shapes.reef:14)
          reef> shapes.square(s)
          expected: 15
               got: 16
        2 passed, 2 failed
    "#]]
    .assert_eq(&text(&out.stdout));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn reef_doc_writes_a_page_per_module_and_an_index() {
    let dir = scratch("pages", &[("lib/shapes.reef", SHAPES)]);
    let out = reef(&dir, &["doc", "lib", "--out", "site"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "wrote 2 pages to site\n");
    let page = std::fs::read_to_string(dir.join("site/shapes.md")).unwrap();
    expect![[r#"
        # shapes

        Shapes and their areas.

        Every function takes numbers.

        ## Functions

        - [`area/2`](#area2): The area of a `w` by `h` rectangle.
        - [`half/1`](#half1): Half of `n`; `0` raises.
        - [`square/1`](#square1): The area of a square: `area(s, s)`.

        ### area/2

        ```reef
        shapes.area(w, h)
        ```

        The area of a `w` by `h` rectangle.

        ```reef
        reef> shapes.area(2, 3)
        6
        ```

        ### half/1

        ```reef
        shapes.half(n) when n != 0
        ```

        Half of `n`; `0` raises.

        ```reef
        reef> shapes.half(0)
        0
        ```

        ### square/1

        ```reef
        shapes.square(s)
        ```

        The area of a square: `area(s, s)`.

        ```reef
        reef> let s = 4
        reef> shapes.square(s)
        15
        ```
    "#]]
    .assert_eq(&page);
    let index = std::fs::read_to_string(dir.join("site/index.md")).unwrap();
    assert_eq!(
        index,
        "# Modules\n\n- [shapes](shapes.md): Shapes and their areas.\n"
    );

    // HTML: the same page, escaped, with anchors; a stdlib module by name.
    let out = reef(
        &dir,
        &["doc", "lib", "lists", "--format", "html", "--out", "html"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let html = std::fs::read_to_string(dir.join("html/shapes.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(
        html.contains(
            "<h3 id=\"half-1\">half/1</h3>\n<pre><code>shapes.half(n) when n != 0\n</code></pre>"
        ),
        "{html}"
    );
    assert!(
        html.contains("<p>Half of <code>n</code>; <code>0</code> raises.</p>"),
        "{html}"
    );
    assert!(
        !html.contains("helper"),
        "private functions are not documented"
    );
    let lists = std::fs::read_to_string(dir.join("html/lists.html")).unwrap();
    assert!(lists.contains("<pre><code>lists.map(f, xs) when is_fn(f) and is_list(xs)\nlists.map(xs, f)\n</code></pre>"), "{lists}");
    assert!(
        lists.contains("reef&gt; lists.reverse([1, 2, 3])"),
        "natives are documented too"
    );

    // A name that is neither a file nor a module.
    let out = reef(&dir, &["doc", "no_such_module"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no module `no_such_module`"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_doc_comment_that_documents_nothing_is_a_warning() {
    let src = "pub fn main() {\n  /// not a doc\n  :ok\n}\n";
    let dir = scratch("stray", &[("stray.reef", src)]);
    let out = reef(&dir, &["check", "stray.reef"]);
    assert!(out.status.success(), "a warning, not an error");
    expect![[r#"
        [W0410] Warning: this doc comment is not before a function
           ╭─[ stray.reef:2:3 ]
           │
         2 │   /// not a doc
           │   ──────┬──────  
           │         ╰──────── documents nothing here
           │ 
           │ Help: `///` lines document the function whose first clause follows them; use `//` for a plain comment
        ───╯
    "#]]
    .assert_eq(&text(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The docs of every stdlib module's sources, by module.
fn stdlib_docs() -> Vec<(String, String, reef_vm::compiler::docs::ModuleDocs)> {
    let vm = reef_vm::Vm::builder().env_path(false).build();
    let mut out = Vec::new();
    for name in reef_vm::stdlib_modules() {
        for source in vm.doc_sources(name) {
            let docs =
                module_docs(&source.text).unwrap_or_else(|e| panic!("{}: {e:?}", source.file));
            out.push((name.to_string(), source.file, docs));
        }
    }
    out
}

/// A doc has an example: a `reef>` line, or (for one that cannot run as a
/// test) a fenced block.
fn has_example(doc: &str) -> bool {
    !examples(doc).is_empty() || doc.contains("```")
}

#[test]
fn every_public_stdlib_function_has_a_doc_with_an_example() {
    let mut missing = Vec::new();
    for (module, file, docs) in stdlib_docs() {
        if file.starts_with("stdlib/lib/") {
            assert!(docs.doc.is_some(), "{file} has no module doc (`//!`)");
        }
        for f in docs
            .functions
            .iter()
            .filter(|f| f.public && !f.name.starts_with("__"))
        {
            if !f.doc.as_deref().is_some_and(has_example) {
                missing.push(format!("{module}.{}/{}", f.name, f.arity));
            }
        }
    }
    assert!(missing.is_empty(), "no doc with an example: {missing:?}");
}

#[test]
fn every_native_is_documented_by_a_real_declaration() {
    let natives: BTreeSet<(String, String, usize)> = reef_vm::internals::builtin_names()
        .into_iter()
        .filter(|(_, n, _)| !n.starts_with("__"))
        .map(|(m, n, a)| (m.to_string(), n.to_string(), a as usize))
        .collect();
    let mut declared = BTreeSet::new();
    for (module, file, docs) in stdlib_docs() {
        if !file.starts_with("stdlib/natives/") {
            continue;
        }
        for f in &docs.functions {
            let key = (module.clone(), f.name.clone(), f.arity);
            assert!(
                natives.contains(&key),
                "{file} declares {key:?}, which is no native"
            );
            assert!(f.public, "{file}: {} is not pub", f.name);
            declared.insert(key);
        }
    }
    let undocumented: Vec<_> = natives.iter().filter(|k| !declared.contains(*k)).collect();
    assert!(
        undocumented.is_empty(),
        "natives without docs: {undocumented:?}"
    );
}

#[test]
fn h_and_doc_in_the_repl() {
    let dir = scratch("repl", &[("shapes.reef", SHAPES)]);
    let shell_cmd = format!(
        "cd {} && env NO_COLOR=1 REEF_HISTORY={}/history {}",
        dir.display(),
        dir.display(),
        env!("CARGO_BIN_EXE_reef")
    );
    let tmux = Tmux::start("doc", &shell_cmd, 100, 80);
    tmux.wait_for(|s| s.contains("reef> "), "start-up");
    tmux.type_line("h(lists.sort)", "reef> ");
    tmux.type_line(":doc strings.pad_left/3", "reef> ");
    tmux.type_line("h(hd)", "reef> ");
    tmux.type_line(":load shapes.reef", "reef> ");
    tmux.type_line("h(shapes)", "reef> ");
    tmux.type_line("h(shapes.nope)", "reef> ");
    tmux.type_line("fn h(x) { x }", "reef> ");
    tmux.type_line("h(1)", "reef> ");
    let screen: Vec<String> = tmux
        .history()
        .lines()
        .map(|l| l.trim_end().to_string())
        .collect();
    expect![[r#"
        Reef 0.1.0 (:help for help, :quit to leave)
        reef> h(lists.sort)
        lists.sort(xs)

          The elements in term order (spec 4.4); stable. A long list is sorted on a
          dirty scheduler while this process waits, so other processes go on
          running.

          reef> lists.sort([3, 1, 2])
          [1, 2, 3]

        lists.sort(le, xs) when is_fn(le) and is_list(xs)
        lists.sort(xs, le)

          A stable merge sort by `le(a, b)`, true when `a` goes first (or they are
          equal), as Erlang's `lists:sort/2`.

          reef> lists.sort([3, 1, 2], fn(a, b) { a >= b })
          [3, 2, 1]
        reef> :doc strings.pad_left/3
        strings.pad_left(s, n, c)

          `s` padded on the left with the one-character string `c` up to `n`
          characters.

          reef> strings.pad_left("7", 3, "0")
          "007"
        reef> h(hd)
        hd(xs)

          The first element of a non-empty list; `hd([])` raises `:badarg`.

          reef> hd([1, 2])
          1
        reef> :load shapes.reef
        loaded module shapes
        reef> h(shapes)
        shapes

          Shapes and their areas.

          Every function takes numbers.

          area/2    The area of a `w` by `h` rectangle.
          half/1    Half of `n`; `0` raises.
          square/1  The area of a square: `area(s, s)`.
        reef> h(shapes.nope)
        no public function shapes.nope (h(shapes) lists them)
        reef> fn h(x) { x }
        defined h/1
        reef> h(1)
        1
        reef>"#]]
    .assert_eq(screen.join("\n").trim_end());
    let _ = std::fs::remove_dir_all(&dir);
}
