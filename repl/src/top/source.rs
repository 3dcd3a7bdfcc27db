//! Where `reef top` gets its figures: a small Reef module
//! (`helper.reef`, loaded into a VM of this program as `__reef_top`)
//! that asks the watched node's process introspection by RPC
//! (`process.list`, `process.info`, `system.scheduler_wall_time`,
//! `system.memory`), or this VM's own when it watches itself. Its
//! answers become plain Rust data here.

use reef_vm::{Term, Vm};

const HELPER: &str = include_str!("helper.reef");
const MODULE: &str = "__reef_top";

/// One process, as a row of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct Proc {
    /// The pid, to ask for its info.
    pub pid: Term,
    /// The pid as Reef prints it.
    pub pid_text: String,
    /// Its registered name, or empty.
    pub name: String,
    /// `module.function/arity`, or `-`.
    pub current: String,
    pub status: String,
    pub reductions: u64,
    pub memory: u64,
    pub queue: u64,
}

/// One look at a node.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    pub node: String,
    pub procs: Vec<Proc>,
    /// `(busy_us, total_us)` of each scheduler.
    pub walls: Vec<(u64, u64)>,
    /// The program's resident memory, and the processes' share of it.
    pub memory_total: u64,
    pub memory_procs: u64,
}

/// A connection to the node being watched.
pub struct Source<'vm> {
    vm: &'vm Vm,
    target: Term,
}

impl<'vm> Source<'vm> {
    /// Loads the helper into `vm` and connects to `target` (this VM's own
    /// node when `None`).
    pub fn new(vm: &'vm Vm, target: Option<&str>) -> Result<Source<'vm>, String> {
        vm.load_source(MODULE, "reef_top.reef", HELPER)
            .map_err(|e| format!("reef top: {e}"))?;
        let target = Term::atom(&target.map_or_else(|| vm.node_name(), str::to_string));
        let source = Source { vm, target };
        let up = source.call("connect", vec![source.target.clone()]);
        match up.as_ref().ok().and_then(Term::as_bool) {
            Some(true) => Ok(source),
            _ => Err(format!(
                "reef top: cannot connect to {} (is it running, with this cookie?)",
                source.node()
            )),
        }
    }

    /// The watched node's name.
    pub fn node(&self) -> String {
        self.target.as_atom().unwrap_or_default().to_string()
    }

    fn call(&self, f: &str, args: Vec<Term>) -> Result<Term, String> {
        self.vm.call(MODULE, f, args).map_err(|c| {
            // `** process #PID<0.7.0> crashed: error (:badrpc, :timeout)`:
            // only the reason is news to the user.
            let first = c.report.lines().next().unwrap_or("failed");
            first
                .rsplit("crashed: ")
                .next()
                .unwrap_or(first)
                .to_string()
        })
    }

    /// The processes and totals now.
    pub fn snapshot(&self) -> Result<Snapshot, String> {
        let t = self.call("snapshot", vec![self.target.clone()])?;
        parse_snapshot(&t).ok_or_else(|| format!("unexpected answer: {t}"))
    }

    /// `process.info(pid)` on the node: `None` once it has ended.
    pub fn info(&self, pid: &Term) -> Result<Option<Term>, String> {
        let t = self.call("info", vec![self.target.clone(), pid.clone()])?;
        Ok((!t.is_nil()).then_some(t))
    }
}

fn int(t: Option<&Term>) -> u64 {
    t.and_then(Term::as_int).map_or(0, |n| n.max(0) as u64)
}

/// The text of an atom, or `-` for `nil` and anything else.
fn atom_text(t: Option<&Term>) -> String {
    match t.and_then(Term::as_atom) {
        Some("nil") | None => String::new(),
        Some(a) => a.to_string(),
    }
}

/// `(module, function, arity)` as `module.function/arity`.
pub fn mfa_text(t: Option<&Term>) -> String {
    match t.and_then(Term::elements) {
        Some([m, f, a]) => format!(
            "{}.{}/{}",
            m.as_atom().unwrap_or("?"),
            f.as_atom().unwrap_or("?"),
            a.as_int().unwrap_or(0)
        ),
        _ => "-".to_string(),
    }
}

fn parse_proc(t: &Term) -> Option<Proc> {
    let [pid, text, info] = t.elements()? else {
        return None;
    };
    Some(Proc {
        pid: pid.clone(),
        pid_text: text.as_str()?.to_string(),
        name: atom_text(info.get("registered_name")),
        current: mfa_text(info.get("current_function")),
        status: atom_text(info.get("status")),
        reductions: int(info.get("reductions")),
        memory: int(info.get("memory")),
        queue: int(info.get("message_queue_len")),
    })
}

fn parse_snapshot(t: &Term) -> Option<Snapshot> {
    let [rows, walls, memory, node] = t.elements()? else {
        return None;
    };
    let walls = walls
        .items()?
        .iter()
        .filter_map(|w| match w.elements()? {
            [_, busy, total] => Some((int(Some(busy)), int(Some(total)))),
            _ => None,
        })
        .collect();
    Some(Snapshot {
        node: node
            .as_str()?
            .trim_start_matches(':')
            .trim_matches('"')
            .to_string(),
        procs: rows.items()?.iter().filter_map(parse_proc).collect(),
        walls,
        memory_total: int(memory.get("total")),
        memory_procs: int(memory.get("processes")),
    })
}
