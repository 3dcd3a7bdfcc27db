//! The REPL's Tab completion, `:time`, history search and `:top`, typed
//! in a real terminal (tmux) as a person would.

#[allow(dead_code)]
mod common;
#[path = "common/tmux.rs"]
mod tmux;

use tmux::Tmux;

/// The number of `reef> ` prompts on the screen.
fn prompts(s: &str) -> usize {
    s.matches("reef> ").count()
}

#[test]
fn tab_completes_time_measures_and_ctrl_r_searches() {
    let dir = common::scratch("repl", "completion", &[]);
    let history = dir.join("history");
    let shell_cmd = format!(
        "env NO_COLOR=1 REEF_HISTORY={} {}",
        history.display(),
        env!("CARGO_BIN_EXE_reef")
    );
    let t = Tmux::start("completion", &shell_cmd, 100, 40);
    t.wait_for(|s| prompts(s) == 1, "the first prompt");

    // `lists.fo`: Tab twice lists foldl, foldr and foreach; `rea` and
    // Tab complete `foreach`.
    t.type_text("lists.fo");
    t.keys(&["Tab", "Tab"]);
    t.wait_for(|s| s.contains("foreach/2"), "the candidates listed");
    t.type_text("rea");
    t.keys(&["Tab"]);
    t.wait_for(
        |s| s.contains("reef> lists.foreach"),
        "lists.foreach completed",
    );
    t.type_text("([1], fn(x) { x })");
    t.keys(&["Enter"]);
    t.wait_for(|s| prompts(s) == 3, "the value");

    // A binding completes.
    t.type_text("let my_binding = 5");
    t.keys(&["Enter"]);
    t.wait_for(|s| prompts(s) == 4, "the binding");
    t.type_text("my_b");
    t.keys(&["Tab"]);
    t.wait_for(|s| s.contains("reef> my_binding"), "my_binding completed");
    t.type_text(" + 1");
    t.keys(&["Enter"]);
    t.wait_for(|s| prompts(s) == 5, "my_binding + 1");

    // A command completes; `:time` prints the value, then its figures.
    t.type_text(":ti");
    t.keys(&["Tab"]);
    t.wait_for(|s| s.contains("reef> :time"), ":time completed");
    t.type_text(" lists.map([1, 2, 3], fn(x) { x * my_binding })");
    t.keys(&["Enter"]);
    t.wait_for(|s| prompts(s) == 6, ":time");

    // Ctrl-R finds an earlier input by a part of it.
    t.keys(&["C-r"]);
    t.type_text("my_binding =");
    t.wait_for(|s| s.contains("let my_binding = 5"), "the search");
    t.keys(&["Enter"]);
    let screen = t.wait_for(|s| prompts(s) >= 7, "the input found by Ctrl-R");

    let mut lines = tmux::lines(&screen);
    // Figures vary: `time: 1.23 ms wall, 42 reductions` is masked.
    for l in &mut lines {
        if let Some(rest) = l.strip_prefix("time: ") {
            let (wall, reds) = rest.split_once(" wall, ").expect("time line");
            let n: u64 = reds.strip_suffix(" reductions").unwrap().parse().unwrap();
            assert!(n > 0 && n < 1000, "{l}");
            assert!(wall.ends_with("µs") || wall.ends_with("ms"), "{l}");
            *l = "time: <T> wall, <N> reductions".to_string();
        }
    }
    let from = lines
        .iter()
        .position(|l| l == "reef> let my_binding = 5")
        .unwrap();
    let search = lines
        .iter()
        .rposition(|l| l.contains("my_binding ="))
        .unwrap();
    assert_eq!(
        lines[from..search],
        [
            "reef> let my_binding = 5",
            "5",
            "reef> my_binding + 1",
            "6",
            "reef> :time lists.map([1, 2, 3], fn(x) { x * my_binding })",
            "[5, 10, 15]",
            "time: <T> wall, <N> reductions",
        ],
        "{lines:#?}"
    );
    assert!(
        lines[..from]
            .iter()
            .any(|l| l == "reef> lists.foreach([1], fn(x) { x })"),
        "{lines:#?}"
    );
    assert!(lines[..from].iter().any(|l| l == ":ok"), "{lines:#?}");
    // The input Ctrl-R found ran again.
    assert_eq!(lines[lines.len() - 2], "5", "{lines:#?}");

    // `:top` watches the REPL's own VM; Q comes back to the prompt.
    t.type_text(":top");
    t.keys(&["Enter"]);
    t.wait_for(|s| s.contains("reef top - nonode@nohost"), ":top");
    t.type_text("Q");
    t.wait_for(
        |s| !s.contains("reef top -") && s.trim_end().ends_with("reef>"),
        "the prompt after :top",
    );
    t.type_text(":quit");
    t.keys(&["Enter"]);
    let _ = std::fs::remove_dir_all(&dir);
}
