//! Sandboxing: what a script may reach. A sandboxed VM forbids, by
//! default, every built-in that touches the world outside the VM (stdin,
//! the environment, the file system, commands, `halt`, the network) and
//! every module the host neither loaded itself nor allowed.
//!
//! All of it is decided before code runs, so the unsandboxed hot path
//! pays nothing: a forbidden native is *registered* as a native that
//! raises `(:sandbox, (module, name, arity))` (an import resolves to it
//! once, as to any native); a forbidden module is never looked for (the
//! loader's cold path, `interp::call::resolve_missing`, raises the same
//! error); and a host's module that imports a forbidden function is
//! refused at load with `LoadError::Sandbox`.

use std::sync::{Arc, Mutex};

use rustc_hash::FxHashSet;

use crate::exports::{Mfa, Native};
use crate::interp::Exception;
use crate::runtime::Runtime;
use crate::value::{Atom, Value};
use crate::{LoadError, VmBuilder};

/// Something outside the VM a sandboxed script may be allowed to use
/// ([`VmBuilder::allow`]). Without a sandbox, everything is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// Reading standard input: `io.read_line`, `io.read_all`,
    /// `io.fold_lines`, `io.lines`.
    Stdin,
    /// The process's environment: the `os` module's `getenv`, `env`,
    /// `pid`, `type`, `cwd`; `path.expand` (reads `HOME`).
    Env,
    /// The file system: the `file` module; `path.absolute` (reads the
    /// current directory).
    FileSystem,
    /// Running programs: `os.cmd`.
    Commands,
    /// Ending the host's process: `halt/0`, `halt/1`.
    Halt,
    /// Distribution: the `node` module, `spawn/4` and friends on other
    /// nodes, and the modules behind them (`erpc`, `rex`, `net_kernel`,
    /// `user`). Making the VM a node stays the host's decision
    /// (`VmBuilder::node`).
    Network,
}

/// The stdlib modules a sandboxed script may load by default: pure
/// computation and processes (`io` is here for printing, which goes to the
/// host's sink; its stdin functions are gated by [`Capability::Stdin`]).
pub const SANDBOX_MODULES: &[&str] = &[
    "kernel",
    "lists",
    "maps",
    "strings",
    "math",
    "bytes",
    "json",
    "regex",
    "sets",
    "random",
    "time",
    "timer",
    "path",
    "process",
    "io",
    "server",
    "supervisor",
    "task",
    "agent",
    "registry",
];

/// The stdlib modules behind a capability.
fn modules_of(cap: Capability) -> &'static [&'static str] {
    match cap {
        Capability::FileSystem => &["file"],
        Capability::Env | Capability::Commands => &["os"],
        Capability::Network => &["node", "erpc", "rex", "net_kernel", "user"],
        Capability::Stdin | Capability::Halt => &[],
    }
}

/// The capability a built-in function needs, if any. Reef functions of
/// the stdlib are listed too where they are the public face of a gated
/// native (`io.read_line` over `io.__read_line_request`), so the error
/// names what the script called.
fn needs(module: &str, name: &str, arity: u32) -> Option<Capability> {
    use Capability::*;
    match module {
        "kernel" => match (name, arity) {
            ("halt", _) => Some(Halt),
            ("spawn" | "spawn_link" | "spawn_monitor", 4) => Some(Network),
            _ => None,
        },
        "io" => match name {
            "__read_line_request"
            | "__stdin_request"
            | "read_line"
            | "read_all"
            | "fold_lines"
            | "lines" => Some(Stdin),
            _ => None,
        },
        "os" if name == "__cmd" || name == "cmd" => Some(Commands),
        "os" => Some(Env),
        "file" => Some(FileSystem),
        "node" => Some(Network),
        "path" => match name {
            "absolute" => Some(FileSystem),
            "expand" => Some(Env),
            _ => None,
        },
        _ => None,
    }
}

/// The public Reef faces of gated natives (see [`needs`]).
const FACES: &[(&str, &str, u32)] = &[
    ("io", "read_line", 0),
    ("io", "read_line", 1),
    ("io", "read_all", 0),
    ("io", "fold_lines", 2),
    ("io", "lines", 0),
    ("os", "cmd", 2),
    ("os", "cmd", 3),
];

/// A sandbox's settings, and what it decided when the VM was built.
#[derive(Default)]
pub(crate) struct Sandbox {
    caps: FxHashSet<Capability>,
    /// Modules a script may load (defaults, capabilities, `allow_modules`).
    modules: FxHashSet<String>,
    /// Natives allowed one by one (`allow_natives`).
    natives: FxHashSet<(String, String, u32)>,
    /// Functions registered as forbidden (filled by `apply`).
    forbidden: FxHashSet<Mfa>,
    /// Modules the host loaded itself: reachable whatever their name.
    host_loaded: Mutex<FxHashSet<Atom>>,
}

impl Sandbox {
    fn new() -> Sandbox {
        Sandbox {
            modules: SANDBOX_MODULES.iter().map(|m| m.to_string()).collect(),
            ..Sandbox::default()
        }
    }

    fn allows_native(&self, module: &str, name: &str, arity: u32) -> bool {
        match needs(module, name, arity) {
            None => true,
            Some(cap) => {
                self.caps.contains(&cap)
                    || self
                        .natives
                        .contains(&(module.to_string(), name.to_string(), arity))
            }
        }
    }

    /// Whether a script may load module `name` (from the stdlib or the
    /// host's `search_path`).
    pub(crate) fn may_load(&self, name: &str) -> bool {
        self.modules.contains(name)
    }

    /// Whether a script may call into module `m` at all.
    fn reachable(&self, m: Atom) -> bool {
        self.may_load(m.name()) || self.host_loaded.lock().is_ok_and(|h| h.contains(&m))
    }
}

/// `(:sandbox, (module, name, arity))`, raised as an error.
pub(crate) fn error(mfa: Mfa) -> Exception {
    Exception::tagged(
        Atom::new("sandbox"),
        Value::tuple(vec![
            Value::Atom(mfa.module),
            Value::Atom(mfa.name),
            Value::Int(i64::from(mfa.arity)),
        ]),
    )
}

/// At VM build: registers every forbidden built-in as a native that
/// raises the sandbox error, and restricts where modules are looked for.
pub(crate) fn apply(rt: &mut Runtime) {
    let Some(sb) = rt.code_config.sandbox.as_mut() else {
        return;
    };
    let candidates = crate::native::builtin_names()
        .into_iter()
        .chain(FACES.iter().copied());
    for (m, n, a) in candidates {
        if !sb.allows_native(m, n, a) {
            sb.forbidden.insert(Mfa {
                module: Atom::new(m),
                name: Atom::new(n),
                arity: a,
            });
        }
    }
    rt.code.restrict(sb.modules.clone());
    let forbidden: Vec<Mfa> = sb.forbidden.iter().copied().collect();
    for mfa in forbidden {
        let raise = move |_: &mut crate::Ctx<'_>, _: &[Value]| Err(error(mfa));
        rt.register_native(mfa, Native::Host(Arc::new(raise)));
    }
}

impl Runtime {
    /// The sandbox error for a call that found no target, if the sandbox
    /// is why (the module is neither allowed nor loaded by the host).
    /// Cold: only for an import's first call to a missing function.
    pub(crate) fn sandbox_refuses(&self, mfa: Mfa) -> Option<Exception> {
        let sb = self.code_config.sandbox.as_ref()?;
        (!sb.reachable(mfa.module) && self.code.get(mfa.module).is_none()).then(|| error(mfa))
    }

    /// Whether the sandbox hides module `m` from scripts (for `known.rs`:
    /// the compiler then checks no call to it; the sandbox refuses them).
    pub(crate) fn sandbox_hides(&self, m: Atom) -> bool {
        self.code_config
            .sandbox
            .as_ref()
            .is_some_and(|sb| !sb.reachable(m))
    }

    /// Checks a module the host is loading: refused if it imports a
    /// forbidden function or a gated stdlib module. Records it as the
    /// host's own, so scripts may call it.
    pub(crate) fn sandbox_admit(&self, m: &reef_bytecode::Module) -> Result<(), LoadError> {
        let Some(sb) = self.code_config.sandbox.as_ref() else {
            return Ok(());
        };
        let own = Atom::new(&m.name);
        let mut bad = Vec::new();
        for imp in &m.imports {
            let mfa = Mfa {
                module: Atom::new(&imp.module),
                name: Atom::new(&imp.name),
                arity: imp.arity,
            };
            let gated_module = mfa.module != own
                && !sb.reachable(mfa.module)
                && reef_stdlib::source(&imp.module).is_some();
            if sb.forbidden.contains(&mfa) || gated_module {
                bad.push((imp.module.clone(), imp.name.clone(), imp.arity));
            }
        }
        if !bad.is_empty() {
            return Err(LoadError::Sandbox {
                module: m.name.clone(),
                forbidden: bad,
            });
        }
        if let Ok(mut h) = sb.host_loaded.lock() {
            h.insert(own);
        }
        Ok(())
    }
}

impl VmBuilder {
    fn sandbox_mut(&mut self) -> &mut Sandbox {
        self.code.sandbox.get_or_insert_with(Sandbox::new)
    }

    /// Runs scripts in a sandbox: no stdin, no environment, no file
    /// system, no commands, no `halt`, no network; modules only from
    /// [`SANDBOX_MODULES`] (the pure stdlib and the process behaviours),
    /// the ones the host loads itself, and [`VmBuilder::allow_modules`];
    /// no `REEF_PATH`, and no lookup beside files. A forbidden call raises
    /// `(:sandbox, (module, name, arity))` as an error; a module the host
    /// loads that imports one is refused with [`LoadError::Sandbox`].
    /// Open it up with [`VmBuilder::allow`], [`VmBuilder::allow_modules`]
    /// and [`VmBuilder::allow_natives`]. The host's own natives
    /// ([`Vm::register_native`](crate::Vm::register_native)) are always
    /// allowed.
    ///
    /// # Examples
    ///
    /// ```
    /// use reef_vm::{Term, Vm};
    /// let vm = Vm::builder().sandbox().build();
    /// vm.load_source("s", "s.reef", r#"
    ///     pub fn env() { try { apply(:os, :getenv, ["HOME"]) } catch { (:error, e) => e } }
    ///     pub fn sum(xs) { lists.sum(xs) }
    /// "#).unwrap();
    /// let refused = vm.call("s", "env", vec![]).unwrap();
    /// assert_eq!(refused.to_string(), "(:sandbox, (:os, :getenv, 1))");
    /// let sum = vm.call("s", "sum", vec![Term::list(vec![Term::Int(1), Term::Int(2)])]);
    /// assert_eq!(sum.unwrap(), Term::Int(3));
    /// ```
    pub fn sandbox(mut self) -> VmBuilder {
        self.sandbox_mut();
        self
    }

    /// Allows a capability in the sandbox (and makes the VM a sandbox if
    /// it was not one: everything else stays forbidden).
    pub fn allow(mut self, cap: Capability) -> VmBuilder {
        let sb = self.sandbox_mut();
        sb.caps.insert(cap);
        sb.modules
            .extend(modules_of(cap).iter().map(|m| m.to_string()));
        self
    }

    /// Allows a script to load these modules, from the stdlib or from the
    /// directories the host gave with [`VmBuilder::search_path`] (makes
    /// the VM a sandbox if it was not one). Their gated natives still
    /// need their capability.
    pub fn allow_modules<S: AsRef<str>>(
        mut self,
        modules: impl IntoIterator<Item = S>,
    ) -> VmBuilder {
        let sb = self.sandbox_mut();
        sb.modules
            .extend(modules.into_iter().map(|m| m.as_ref().to_string()));
        self
    }

    /// Allows these gated built-ins one by one, as `(module, name, arity)`
    /// (makes the VM a sandbox if it was not one): `("os", "getenv", 1)`
    /// without the rest of [`Capability::Env`].
    pub fn allow_natives<S: AsRef<str>>(
        mut self,
        natives: impl IntoIterator<Item = (S, S, u32)>,
    ) -> VmBuilder {
        let sb = self.sandbox_mut();
        for (m, n, a) in natives {
            let m = m.as_ref().to_string();
            if modules_of_native(&m) {
                sb.modules.insert(m.clone());
            }
            sb.natives.insert((m, n.as_ref().to_string(), a));
        }
        self
    }
}

/// Whether a gated native's module has a Reef half the script must load
/// to reach it (`os`, `file`, `node`).
fn modules_of_native(module: &str) -> bool {
    matches!(module, "os" | "file" | "node")
}

#[cfg(doctest)]
#[doc = include_str!("../../../docs/embedding/sandbox.md")]
pub struct GuideSandbox;
