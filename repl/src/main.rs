//! `reef`: run, check and disassemble Reef programs; with no command, the
//! REPL. A thin program over the `reef_vm` crate's public API.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use lexopt::prelude::*;

/// `print!` that never panics: output to a closed stdout is dropped.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($t)*);
    }};
}

/// `println!` that never panics.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

/// `eprint!` that never panics: a failed write to stderr is ignored.
macro_rules! err {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($t)*);
    }};
}

/// `eprintln!` that never panics.
macro_rules! errln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

mod doc;
mod fmt;
mod lsp;
mod node;
mod repl;
mod signals;
mod test_runner;
mod top;

// The memory checker (`.ci/memcheck`) builds without it: valgrind sees
// only the system allocator's blocks.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const HELP: &str = "\
reef: the Reef language

Usage:
  reef                          start the REPL
  reef run FILE.reef [ARGS...]  run FILE's main(args) (or main())
  reef FILE.reef [ARGS...]      the same (also through a `#!/usr/bin/env reef` line)
  reef check FILE.reef          report every error and warning in FILE
  reef fmt [--check] [PATH...]  lay out Reef files in the canonical format (a
                                directory: every *.reef inside; default: .)
  reef test [PATH...]           run the tests of *_test.reef files (a directory:
                                every one inside; default: .); options
                                --seed N, --timeout MS (default 5000),
                                --filter NAME, --verbose
  reef doc [PATH|MODULE...] [--out DIR] [--format md|html] [--test] [--stdlib]
                                write a page per module from its doc comments
                                (default: doc/); --test runs their examples
  reef lsp                      run the language server on stdin/stdout (for editors)
  reef disasm FILE.reef         print FILE's bytecode
  reef disasm --opcodes         print the instruction set
  reef epmd [--port N] [--daemon]  run an EPMD (the node name registrar)
  reef top [NODE] [--cookie C]  watch NODE's processes live (default: this VM)

Options:
  --path DIR        look for modules in DIR too (repeatable; before REEF_PATH)
  --native LIB      load the native library LIB (a shared library built with
                    reef-native) before the program starts (repeatable)
  --schedulers N    run processes on N scheduler threads, 1 to 1024
                    (default: one per core)
  --max-processes N at most N live processes (default 1048576); spawn beyond
                    raises :system_limit
  --max-memory SIZE the VM's memory ceiling, e.g. 2G or 512M (default: 80% of
                    the machine's or cgroup's memory; 0 for none): near it the
                    process holding the most memory is killed
  --max-atoms N     at most N atoms (default 1048576)
  --sname NAME      make this a node named NAME@<short host name>
  --name NAME       make this a node named NAME (NAME@<host> if no host given)
  --cookie SECRET   the cluster's cookie (default: REEF_COOKIE, else
                    ~/.erlang.cookie, created when missing)
  --dist-port N     listen for other nodes on port N (default: any free port)
  --no-epmd         do not register with EPMD (peers must be given --dist-port)
  --net-tick SECS   declare a silent peer down after SECS seconds (default 60)
  -h, --help        print this help
  -V, --version     print the version

Modules are found beside the file that uses them, then on the search path
(--path, then REEF_PATH, colon-separated), then in the standard library.
";

enum Command {
    Repl,
    Run { file: PathBuf, args: Vec<String> },
    Check { file: PathBuf },
    Fmt { paths: Vec<PathBuf>, check: bool },
    Test(test_runner::TestOptions),
    Doc(doc::Args),
    Disasm { file: Option<PathBuf> },
    Lsp,
    Epmd { port: u16, daemon: bool },
    Top { node: Option<String> },
}

struct Options {
    paths: Vec<PathBuf>,
    natives: Vec<PathBuf>,
    schedulers: Option<usize>,
    max_processes: Option<usize>,
    max_memory: Option<usize>,
    max_atoms: Option<usize>,
    node: node::NodeFlags,
    command: Command,
}

impl Options {
    /// A VM builder with the options that apply to every command.
    fn builder(&self) -> reef_vm::VmBuilder {
        // Only this program drives the VM, so a wait nothing can end is certain.
        let mut builder = reef_vm::Vm::builder().color(color()).detect_deadlocks(true);
        for p in &self.paths {
            builder = builder.search_path(p);
        }
        if let Some(n) = self.schedulers {
            builder = builder.schedulers(n);
        }
        if let Some(n) = self.max_processes {
            builder = builder.max_processes(n);
        }
        if let Some(n) = self.max_memory {
            builder = builder.max_memory(n);
        }
        if let Some(n) = self.max_atoms {
            builder = builder.max_atoms(n);
        }
        builder
    }

    /// The VM for `run` and the REPL: a node if a name was given, with
    /// the `--native` libraries loaded.
    fn vm(&self) -> Result<reef_vm::Vm, String> {
        let vm = match self.node.config()? {
            Some(cfg) => self
                .builder()
                .node_config(cfg)
                .try_build()
                .map_err(|e| e.to_string())?,
            None => self.builder().build(),
        };
        for lib in &self.natives {
            vm.load_native_library(lib).map_err(|e| e.to_string())?;
        }
        Ok(vm)
    }
}

/// `2G`, `512M`, `100K` or a number of bytes.
fn parse_size(s: &str) -> Option<usize> {
    let (num, unit) = match s.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => s.split_at(i),
        None => (s, ""),
    };
    let n: usize = num.parse().ok()?;
    let shift = match unit.to_ascii_uppercase().trim_end_matches('B') {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return None,
    };
    n.checked_mul(1usize << shift)
}

fn parse_args() -> Result<Option<Options>, lexopt::Error> {
    let mut paths = Vec::new();
    let mut natives = Vec::new();
    let mut schedulers = None;
    let (mut max_processes, mut max_memory, mut max_atoms) = (None, None, None);
    let mut command: Option<String> = None;
    let mut file: Option<PathBuf> = None;
    let mut opcodes = false;
    let (mut fmt_paths, mut fmt_check) = (Vec::new(), false);
    let mut test = test_runner::TestOptions::default();
    let mut node = node::NodeFlags::default();
    let mut doc_args = doc::Args::default();
    let (mut epmd_port, mut daemon) = (None, false);
    let mut top_node: Option<String> = None;
    let mut args = Vec::new();
    let mut parser = lexopt::Parser::from_env();
    while let Some(arg) = parser.next()? {
        match arg {
            Short('h') | Long("help") => {
                out!("{HELP}");
                return Ok(None);
            }
            Short('V') | Long("version") => {
                outln!("reef {}", env!("CARGO_PKG_VERSION"));
                return Ok(None);
            }
            Long("path") => paths.push(parser.value()?.into()),
            Long("native") => natives.push(parser.value()?.into()),
            Long("schedulers") => {
                let value = parser.value()?;
                let max = reef_vm::MAX_SCHEDULERS;
                match value.to_str().and_then(|s| s.parse::<usize>().ok()) {
                    Some(n) if (1..=max).contains(&n) => schedulers = Some(n),
                    _ => {
                        return Err(format!(
                            "--schedulers needs a number from 1 to {max}, not `{}`",
                            value.to_string_lossy()
                        )
                        .into())
                    }
                }
            }
            Long("max-processes") => max_processes = Some(parser.value()?.parse()?),
            Long("max-atoms") => max_atoms = Some(parser.value()?.parse()?),
            Long("max-memory") => {
                let v = parser.value()?.string()?;
                max_memory = Some(parse_size(&v).ok_or_else(|| {
                    format!("--max-memory: `{v}` is not a size (e.g. 2G, 512M, 100000K)")
                })?);
            }
            Long("opcodes") if command.as_deref() == Some("disasm") => opcodes = true,
            Long("check") if command.as_deref() == Some("fmt") => fmt_check = true,
            Value(v) if command.as_deref() == Some("fmt") => fmt_paths.push(v.into()),
            Value(v) if command.as_deref() == Some("test") => test.paths.push(v.into()),
            Long("seed") if command.as_deref() == Some("test") => {
                test.seed = Some(parser.value()?.parse()?)
            }
            Long("timeout") if command.as_deref() == Some("test") => {
                test.timeout_ms = Some(parser.value()?.parse()?)
            }
            Long("filter") if command.as_deref() == Some("test") => {
                test.filter = Some(parser.value()?.string()?)
            }
            Long("verbose") if command.as_deref() == Some("test") => test.verbose = true,
            Long(flag) if command.as_deref() == Some("doc") && doc::Args::takes(flag) => {
                let flag = flag.to_string();
                doc_args.set(&flag, &mut parser)?
            }
            Value(v) if command.as_deref() == Some("doc") => doc_args.target(v),
            // What LSP clients add for the stdio transport: the only one.
            Long("stdio") if command.as_deref() == Some("lsp") => {}
            Value(v) if command.as_deref() == Some("top") && top_node.is_none() => {
                top_node = Some(v.string()?)
            }
            Long("port") if command.as_deref() == Some("epmd") => {
                epmd_port = Some(parser.value()?.parse()?)
            }
            Long("daemon") if command.as_deref() == Some("epmd") => daemon = true,
            Long(flag) if node::NodeFlags::takes(flag) => {
                let flag = flag.to_string();
                node.set(&flag, &mut parser)?
            }
            Value(v) if command.is_none() => {
                let name = v.string()?;
                if name == "help" {
                    out!("{HELP}");
                    return Ok(None);
                }
                if is_script(&name) {
                    // `reef app.reef ARGS...` (and a `#!/usr/bin/env reef`
                    // line) is `reef run app.reef ARGS...`.
                    command = Some("run".into());
                    file = Some(name.into());
                    for rest in parser.raw_args()? {
                        args.push(os_to_string(rest)?);
                    }
                } else {
                    command = Some(name);
                }
            }
            Value(v) if file.is_none() => {
                file = Some(v.into());
                if command.as_deref() == Some("run") {
                    // Everything after the file belongs to the program.
                    for rest in parser.raw_args()? {
                        args.push(os_to_string(rest)?);
                    }
                }
            }
            _ => return Err(arg.unexpected()),
        }
    }
    let need_file = |file: Option<PathBuf>, cmd: &str| {
        file.ok_or_else(|| {
            lexopt::Error::from(format!("`reef {cmd}` needs a file: reef {cmd} FILE.reef"))
        })
    };
    let command = match command.as_deref() {
        None => Command::Repl,
        Some("run") => Command::Run {
            file: need_file(file, "run")?,
            args,
        },
        Some("check") => Command::Check {
            file: need_file(file, "check")?,
        },
        Some("fmt") => Command::Fmt {
            paths: fmt_paths,
            check: fmt_check,
        },
        Some("test") => Command::Test(test),
        Some("doc") => Command::Doc(doc_args),
        Some("disasm") if opcodes => Command::Disasm { file: None },
        Some("disasm") => Command::Disasm {
            file: Some(need_file(file, "disasm")?),
        },
        Some("lsp") => Command::Lsp,
        Some("epmd") => Command::Epmd {
            port: epmd_port.unwrap_or_else(node::default_epmd_port),
            daemon,
        },
        Some("top") => Command::Top { node: top_node },
        Some(other) => return Err(format!("unknown command `{other}` (try `reef --help`)").into()),
    };
    Ok(Some(Options {
        paths,
        natives,
        schedulers,
        max_processes,
        max_memory,
        max_atoms,
        node,
        command,
    }))
}

/// Is the first word a file to run rather than a command? It is when it
/// names no command and ends in `.reef` or is an existing file.
fn is_script(word: &str) -> bool {
    const COMMANDS: &[&str] = &[
        "run", "check", "fmt", "test", "doc", "disasm", "epmd", "lsp", "top", "help",
    ];
    !COMMANDS.contains(&word) && (word.ends_with(".reef") || std::path::Path::new(word).is_file())
}

fn os_to_string(s: OsString) -> Result<String, lexopt::Error> {
    s.into_string().map_err(lexopt::Error::NonUnicodeValue)
}

/// Colours in diagnostics when stderr is a terminal and NO_COLOR is unset.
fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(Some(o)) => o,
        Ok(None) => return ExitCode::SUCCESS,
        Err(e) => {
            errln!("reef: {e}");
            return ExitCode::from(2);
        }
    };
    match options.command {
        Command::Repl => {
            let vm = match options.vm() {
                Ok(vm) => std::sync::Arc::new(vm),
                Err(e) => {
                    errln!("reef: {e}");
                    return ExitCode::FAILURE;
                }
            };
            ExitCode::from(repl::run(&vm, color()) as u8)
        }
        Command::Epmd { port, daemon } => node::epmd(port, daemon),
        Command::Top { node: Some(ref n) } => {
            top::run_remote(n, options.node.cookie(), options.builder())
        }
        Command::Top { node: None } => match options.vm() {
            Ok(vm) => top::run_local(&vm),
            Err(e) => {
                errln!("reef: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Run { ref file, ref args } => run(&options, file, args.clone()),
        Command::Check { file } => check(&file),
        Command::Fmt { paths, check } => fmt::run(&paths, check, color()),
        Command::Test(ref test) => test_runner::run(test, options.builder()),
        Command::Doc(ref args) => match options.vm() {
            Ok(vm) => doc::run(args, &vm, color()),
            Err(e) => {
                errln!("reef: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Lsp => lsp::run(&options.paths),
        Command::Disasm { file: None } => {
            out!("{}", reef_vm::opcode_reference());
            ExitCode::SUCCESS
        }
        Command::Disasm { file: Some(file) } => match reef_vm::disassemble_file(&file, color()) {
            Ok(text) => {
                out!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                errln!("{e}");
                ExitCode::FAILURE
            }
        },
    }
}

fn run(options: &Options, file: &PathBuf, args: Vec<String>) -> ExitCode {
    let vm = match options.vm() {
        Ok(vm) => std::sync::Arc::new(vm),
        Err(e) => {
            errln!("reef: {e}");
            return ExitCode::FAILURE;
        }
    };
    // SIGINT and SIGTERM end the program with 128 + the signal, after
    // writing out what it printed.
    let on_signal = vm.clone();
    signals::watch(&[signals::SIGINT, signals::SIGTERM], move |sig| {
        exit_after_flush(&on_signal, 128 + sig)
    });
    let module = match vm.load_file(file) {
        Ok(m) => m,
        Err(e) => {
            errln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let result = vm.run_main(&module, args);
    // A node's last messages go out before it ends.
    vm.stop_node();
    vm.flush();
    if let Some(status) = vm.exit_status() {
        // The VM halted (its output was closed): quietly.
        return ExitCode::from(status.clamp(0, 255) as u8);
    }
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(crash) => {
            err!("{}", crash.report);
            ExitCode::FAILURE
        }
    }
}

fn check(file: &PathBuf) -> ExitCode {
    match reef_vm::check_file(file, color()) {
        Ok(result) => {
            err!("{}", result.rendered);
            if result.errors > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            errln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// Writes out the program's output and exits with `status` (from the
/// signal thread). If the output cannot be flushed within a second (a
/// writer blocked on a full pipe), exits anyway.
pub(crate) fn exit_after_flush(vm: &reef_vm::Vm, status: i32) -> ! {
    let _ = std::thread::Builder::new().spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(1));
        signals::exit_now(status)
    });
    vm.try_flush(std::time::Duration::from_millis(500));
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    signals::exit_now(status)
}
