//! `reef`: run, check and disassemble Reef programs; with no command, the
//! REPL. A thin program over the `reef_vm` crate's public API.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use lexopt::prelude::*;

mod repl;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const HELP: &str = "\
reef: the Reef language

Usage:
  reef                          start the REPL
  reef run FILE.reef [ARGS...]  run FILE's main(args) (or main())
  reef check FILE.reef          report every error and warning in FILE
  reef disasm FILE.reef         print FILE's bytecode
  reef disasm --opcodes         print the instruction set

Options:
  --path DIR        look for modules in DIR too (repeatable; before REEF_PATH)
  --schedulers N    run processes on N scheduler threads, 1 to 1024
                    (default: one per core)
  -h, --help        print this help
  -V, --version     print the version

Modules are found beside the file that uses them, then on the search path
(--path, then REEF_PATH, colon-separated), then in the standard library.
";

enum Command {
    Repl,
    Run { file: PathBuf, args: Vec<String> },
    Check { file: PathBuf },
    Disasm { file: Option<PathBuf> },
}

struct Options {
    paths: Vec<PathBuf>,
    schedulers: Option<usize>,
    command: Command,
}

impl Options {
    /// A VM builder with the options that apply to every command.
    fn builder(&self) -> reef_vm::VmBuilder {
        let mut builder = reef_vm::Vm::builder().color(color());
        for p in &self.paths {
            builder = builder.search_path(p);
        }
        if let Some(n) = self.schedulers {
            builder = builder.schedulers(n);
        }
        builder
    }
}

fn parse_args() -> Result<Option<Options>, lexopt::Error> {
    let mut paths = Vec::new();
    let mut schedulers = None;
    let mut command: Option<String> = None;
    let mut file: Option<PathBuf> = None;
    let mut opcodes = false;
    let mut args = Vec::new();
    let mut parser = lexopt::Parser::from_env();
    while let Some(arg) = parser.next()? {
        match arg {
            Short('h') | Long("help") => {
                print!("{HELP}");
                return Ok(None);
            }
            Short('V') | Long("version") => {
                println!("reef {}", env!("CARGO_PKG_VERSION"));
                return Ok(None);
            }
            Long("path") => paths.push(parser.value()?.into()),
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
            Long("opcodes") if command.as_deref() == Some("disasm") => opcodes = true,
            Value(v) if command.is_none() => command = Some(v.string()?),
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
        Some("disasm") if opcodes => Command::Disasm { file: None },
        Some("disasm") => Command::Disasm {
            file: Some(need_file(file, "disasm")?),
        },
        Some(other) => return Err(format!("unknown command `{other}` (try `reef --help`)").into()),
    };
    Ok(Some(Options {
        paths,
        schedulers,
        command,
    }))
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
            eprintln!("reef: {e}");
            return ExitCode::from(2);
        }
    };
    match options.command {
        Command::Repl => {
            let vm = options.builder().build();
            ExitCode::from(repl::run(&vm, color()) as u8)
        }
        Command::Run { ref file, ref args } => run(&options, file, args.clone()),
        Command::Check { file } => check(&file),
        Command::Disasm { file: None } => {
            print!("{}", reef_vm::opcode_reference());
            ExitCode::SUCCESS
        }
        Command::Disasm { file: Some(file) } => match reef_vm::disassemble_file(&file, color()) {
            Ok(text) => {
                print!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        },
    }
}

fn run(options: &Options, file: &PathBuf, args: Vec<String>) -> ExitCode {
    let vm = options.builder().build();
    let module = match vm.load_file(file) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let result = vm.run_main(&module, args);
    vm.flush();
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(crash) => {
            eprint!("{}", crash.report);
            ExitCode::FAILURE
        }
    }
}

fn check(file: &PathBuf) -> ExitCode {
    match reef_vm::check_file(file, color()) {
        Ok(result) => {
            eprint!("{}", result.rendered);
            if result.errors > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
