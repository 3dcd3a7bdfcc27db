//! What `reef top` draws, as pure functions from a [`Snapshot`] and the
//! [`View`] to lines of text (no terminal here, so a frame is tested as
//! a snapshot): the header, the scheduler bars, the process table, and
//! one process's info.

use super::source::{mfa_text, Proc, Snapshot};
use reef_vm::Term;

/// The column the table is sorted by (descending).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    Reductions,
    Memory,
    Queue,
}

impl Sort {
    fn name(self) -> &'static str {
        match self {
            Sort::Reductions => "reductions",
            Sort::Memory => "memory",
            Sort::Queue => "queue",
        }
    }
}

/// What the user chose: the sort and the selected row.
#[derive(Clone, Debug)]
pub struct View {
    pub sort: Sort,
    pub selected: usize,
}

/// The processes in the view's order (ties by pid, so the order is
/// stable between refreshes).
pub fn sorted(procs: &[Proc], sort: Sort) -> Vec<&Proc> {
    let mut v: Vec<&Proc> = procs.iter().collect();
    let key = |p: &Proc| match sort {
        Sort::Reductions => p.reductions,
        Sort::Memory => p.memory,
        Sort::Queue => p.queue,
    };
    v.sort_by(|a, b| {
        key(b)
            .cmp(&key(a))
            .then_with(|| a.pid_text.cmp(&b.pid_text))
    });
    v
}

/// Each scheduler's utilisation (0.0..=1.0) between two readings of
/// `system.scheduler_wall_time()`; with no earlier reading, since start.
pub fn utilisation(before: &[(u64, u64)], now: &[(u64, u64)]) -> Vec<f64> {
    now.iter()
        .enumerate()
        .map(|(i, &(busy, total))| {
            let (b0, t0) = before.get(i).copied().unwrap_or((0, 0));
            let dt = total.saturating_sub(t0);
            if dt == 0 {
                0.0
            } else {
                (busy.saturating_sub(b0) as f64 / dt as f64).clamp(0.0, 1.0)
            }
        })
        .collect()
}

/// `12.3 MB`: bytes in a unit that suits them.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// Cuts `s` to `w` characters (a `…` marks the cut), padded to `w`.
fn fit(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n <= w {
        format!("{s:<w$}")
    } else {
        let mut t: String = s.chars().take(w.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn bar(u: f64, width: usize) -> String {
    let filled = ((u * width as f64).round() as usize).min(width);
    format!("[{}{}]", "|".repeat(filled), " ".repeat(width - filled))
}

/// The main screen: `width` columns, at most `height` lines. The
/// selected row is marked with `>` (the terminal also shows it in
/// reverse video).
pub fn table(
    snap: &Snapshot,
    util: &[f64],
    view: &View,
    width: usize,
    height: usize,
) -> Vec<String> {
    let mut out = Vec::new();
    out.push(format!(
        "reef top - {}   processes: {}   schedulers: {}",
        snap.node,
        snap.procs.len(),
        snap.walls.len()
    ));
    out.push(format!(
        "memory: {} total, {} in processes",
        bytes(snap.memory_total),
        bytes(snap.memory_procs)
    ));
    let cells: Vec<String> = util
        .iter()
        .enumerate()
        .map(|(i, u)| format!("{:>2} {} {:>3.0}%", i + 1, bar(*u, 20), u * 100.0))
        .collect();
    for pair in cells.chunks(2) {
        out.push(pair.join("   "));
    }
    out.push(format!(
        "sort: {} (r reductions, m memory, l queue length; j/k or arrows select, Enter info, q quit)",
        view.sort.name()
    ));
    out.push(String::new());
    out.push(row(
        "PID",
        "NAME",
        "CURRENT FUNCTION",
        "REDUCTIONS",
        "MEMORY",
        "QUEUE",
        "STATUS",
    ));
    let room = height.saturating_sub(out.len());
    let procs = sorted(&snap.procs, view.sort);
    let selected = view.selected.min(procs.len().saturating_sub(1));
    // Scroll so the selected row is on screen.
    let first = selected.saturating_sub(room.saturating_sub(1));
    for (i, p) in procs.iter().enumerate().skip(first).take(room) {
        let line = row(
            &p.pid_text,
            &p.name,
            &p.current,
            &p.reductions.to_string(),
            &bytes(p.memory),
            &p.queue.to_string(),
            &p.status,
        );
        out.push(if i == selected {
            format!(">{}", &line[1..])
        } else {
            line
        });
    }
    out.into_iter().map(|l| cut(&l, width)).collect()
}

fn row(
    pid: &str,
    name: &str,
    current: &str,
    reds: &str,
    mem: &str,
    queue: &str,
    status: &str,
) -> String {
    format!(
        " {} {} {} {:>12} {:>10} {:>7}  {}",
        fit(pid, 16),
        fit(name, 14),
        fit(current, 32),
        reds,
        mem,
        queue,
        status
    )
}

fn cut(s: &str, width: usize) -> String {
    s.chars()
        .take(width)
        .collect::<String>()
        .trim_end()
        .to_string()
}

fn pids(t: Option<&Term>) -> String {
    match t.and_then(Term::items) {
        Some([]) => "none".to_string(),
        Some(items) => items
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        None => "unknown".to_string(),
    }
}

/// One process's info (the map `process.info(pid)` gives), as lines.
pub fn detail(pid_text: &str, info: Option<&Term>, width: usize, height: usize) -> Vec<String> {
    let mut out = vec![
        format!("process {pid_text}   (Esc back, Q quit)"),
        String::new(),
    ];
    let Some(info) = info else {
        out.push("it has ended".to_string());
        return out;
    };
    let text = |k: &str| info.get(k).map_or("-".to_string(), |v| v.to_string());
    let name = match info.get("registered_name").and_then(Term::as_atom) {
        Some("nil") | None => "-".to_string(),
        Some(n) => n.to_string(),
    };
    out.push(format!("registered name   {name}"));
    out.push(format!(
        "status            {}",
        text("status").trim_start_matches(':')
    ));
    out.push(format!(
        "current function  {}",
        mfa_text(info.get("current_function"))
    ));
    out.push(format!("reductions        {}", text("reductions")));
    out.push(format!(
        "memory            {}",
        info.get("memory")
            .and_then(Term::as_int)
            .map_or("-".into(), |m| bytes(m.max(0) as u64))
    ));
    out.push(format!("message queue     {}", text("message_queue_len")));
    out.push(format!("links             {}", pids(info.get("links"))));
    out.push(format!("monitors          {}", pids(info.get("monitors"))));
    out.push(format!(
        "monitored by      {}",
        pids(info.get("monitored_by"))
    ));
    out.push(format!("trap_exit         {}", text("trap_exit")));
    out.push(String::new());
    out.push("stack".to_string());
    match info.get("current_stacktrace").and_then(Term::items) {
        Some(frames) if !frames.is_empty() => {
            for f in frames {
                if let Some([m, fun, a, file, line]) = f.elements() {
                    out.push(format!(
                        "  {}.{}/{} ({}:{})",
                        m.as_atom().unwrap_or("?"),
                        fun.as_atom().unwrap_or("?"),
                        a.as_int().unwrap_or(0),
                        file.as_str().unwrap_or("?"),
                        line.as_int().unwrap_or(0)
                    ));
                }
            }
        }
        _ => out.push("  (not known now)".to_string()),
    }
    out.truncate(height);
    out.into_iter().map(|l| cut(&l, width)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    fn proc(n: u64, name: &str, current: &str, reds: u64, mem: u64, queue: u64) -> Proc {
        Proc {
            pid: Term::Pid(n),
            pid_text: format!("#PID<0.{n}.0>"),
            name: name.to_string(),
            current: current.to_string(),
            status: "waiting".to_string(),
            reductions: reds,
            memory: mem,
            queue,
        }
    }

    fn snap() -> Snapshot {
        Snapshot {
            node: "a@127.0.0.1".to_string(),
            procs: vec![
                proc(1, "", "main.main/0", 120, 2_000, 0),
                proc(2, "rex", "rex.loop/0", 40, 1_500, 3),
                proc(3, "", "busy.spin_for_a_very_long_name/1", 9_000_000, 900, 0),
                proc(4, "", "main.holder/1", 5, 5_000_000, 0),
            ],
            walls: vec![(500_000, 1_000_000), (250_000, 1_000_000)],
            memory_total: 12 * 1024 * 1024,
            memory_procs: 5_004_400,
        }
    }

    #[test]
    fn a_frame_of_the_table() {
        let s = snap();
        let util = utilisation(&[(0, 0), (0, 0)], &s.walls);
        let view = View {
            sort: Sort::Reductions,
            selected: 1,
        };
        let frame = table(&s, &util, &view, 110, 30).join("\n");
        expect![[r#"
            reef top - a@127.0.0.1   processes: 4   schedulers: 2
            memory: 12.0 MB total, 4.8 MB in processes
             1 [||||||||||          ]  50%    2 [|||||               ]  25%
            sort: reductions (r reductions, m memory, l queue length; j/k or arrows select, Enter info, q quit)

             PID              NAME           CURRENT FUNCTION                   REDUCTIONS     MEMORY   QUEUE  STATUS
             #PID<0.3.0>                     busy.spin_for_a_very_long_name/1      9000000      900 B       0  waiting
            >#PID<0.1.0>                     main.main/0                               120     2.0 KB       0  waiting
             #PID<0.2.0>      rex            rex.loop/0                                 40     1.5 KB       3  waiting
             #PID<0.4.0>                     main.holder/1                               5     4.8 MB       0  waiting"#]]
        .assert_eq(&frame);
    }

    #[test]
    fn the_sort_changes_the_order_and_a_short_screen_scrolls() {
        let s = snap();
        let order =
            |sort| -> Vec<u64> { sorted(&s.procs, sort).iter().map(|p| p.memory).collect() };
        assert_eq!(order(Sort::Memory), [5_000_000, 2_000, 1_500, 900]);
        let queue: Vec<u64> = sorted(&s.procs, Sort::Queue)
            .iter()
            .map(|p| p.queue)
            .collect();
        assert_eq!(queue[0], 3);
        // 6 header lines + 2 rows: the selected last row stays visible.
        let view = View {
            sort: Sort::Memory,
            selected: 3,
        };
        let lines = table(&s, &[0.0, 0.0], &view, 80, 8);
        assert_eq!(lines.len(), 8);
        assert!(lines[7].starts_with(">#PID<0.3.0>"), "{lines:#?}");
    }

    #[test]
    fn utilisation_is_the_busy_share_of_each_interval() {
        let u = utilisation(&[(100, 1_000), (0, 1_000)], &[(600, 2_000), (1_000, 2_000)]);
        assert_eq!(u, [0.5, 1.0]);
        assert_eq!(utilisation(&[], &[(0, 0)]), [0.0]);
    }

    #[test]
    fn a_process_info_screen() {
        let info = Term::map(vec![
            (Term::atom("registered_name"), Term::atom("nil")),
            (Term::atom("status"), Term::atom("running")),
            (
                Term::atom("current_function"),
                Term::tuple(vec![Term::atom("busy"), Term::atom("spin"), Term::Int(1)]),
            ),
            (Term::atom("reductions"), Term::Int(42)),
            (Term::atom("memory"), Term::Int(3000)),
            (Term::atom("message_queue_len"), Term::Int(0)),
            (Term::atom("links"), Term::list(vec![Term::Pid(7)])),
            (Term::atom("monitors"), Term::list(vec![])),
            (Term::atom("monitored_by"), Term::list(vec![])),
            (Term::atom("trap_exit"), Term::atom("false")),
            (
                Term::atom("current_stacktrace"),
                Term::list(vec![Term::tuple(vec![
                    Term::atom("busy"),
                    Term::atom("spin"),
                    Term::Int(1),
                    Term::Str("busy.reef".into()),
                    Term::Int(3),
                ])]),
            ),
        ]);
        let lines = detail("#PID<0.9.0>", Some(&info), 80, 40).join("\n");
        expect![[r#"
            process #PID<0.9.0>   (Esc back, Q quit)

            registered name   -
            status            running
            current function  busy.spin/1
            reductions        42
            memory            2.9 KB
            message queue     0
            links             #PID<0.7.0>
            monitors          none
            monitored by      none
            trap_exit         false

            stack
              busy.spin/1 (busy.reef:3)"#]]
        .assert_eq(&lines);
    }
}
