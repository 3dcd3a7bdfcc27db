//! Finding, compiling and installing modules. Module `foo` is `foo.reef`
//! in the directory of the module that first needs it (or of the main
//! file), else in each directory of the search path, else the embedded
//! stdlib. Loading a module again replaces it: export entries then point
//! at the new version (old versions stay alive for frames still in them).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use reef_bytecode::Module;
use rustc_hash::FxHashMap;

use crate::code::LoadedModule;
use crate::exports::{Mfa, Target};
use crate::runtime::Runtime;
use crate::value::Atom;

/// Why a module could not be loaded.
#[derive(Debug, Clone)]
pub enum LoadError {
    /// The file could not be read.
    Io { path: PathBuf, message: String },
    /// No file or stdlib module of that name.
    NotFound { module: String },
    /// The compiler reported errors; `rendered` is every diagnostic.
    Compile {
        module: String,
        rendered: String,
        errors: usize,
    },
    /// The bytecode is malformed.
    Bytecode { message: String },
    /// The compiler itself failed (a bug in Reef, not in the program).
    Internal { module: String, message: String },
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Io { path, message } => {
                write!(f, "error: cannot read {}: {message}", path.display())
            }
            LoadError::NotFound { module } => write!(f, "error: module `{module}` not found"),
            LoadError::Compile { rendered, .. } => f.write_str(rendered.trim_end()),
            LoadError::Bytecode { message } => write!(f, "error: bad bytecode: {message}"),
            LoadError::Internal { module, message } => {
                write!(
                    f,
                    "error: internal compiler error in module `{module}`: {message}"
                )
            }
        }
    }
}

impl std::error::Error for LoadError {}

/// Where a module's source was found.
pub(crate) enum Source {
    File(PathBuf),
    Stdlib(&'static str),
}

pub struct CodeServer {
    /// The current version of each module.
    modules: RwLock<FxHashMap<Atom, Arc<LoadedModule>>>,
    /// Every version ever loaded: frames point into them by raw pointer,
    /// so none is freed before the runtime.
    versions: Mutex<Vec<Arc<LoadedModule>>>,
    search_path: Vec<PathBuf>,
    /// The directories of the files loaded by path (the program's own
    /// directory): searched after the caller's, so that a module named
    /// only at run time (`apply(:worker, ...)` from a stdlib behaviour) is
    /// found beside the program.
    program_dirs: RwLock<Vec<PathBuf>>,
    /// One load at a time, so two callers do not compile the same module.
    loading: Mutex<()>,
}

impl CodeServer {
    pub fn new(search_path: Vec<PathBuf>) -> CodeServer {
        CodeServer {
            modules: RwLock::new(FxHashMap::default()),
            versions: Mutex::new(Vec::new()),
            search_path,
            program_dirs: RwLock::new(Vec::new()),
            loading: Mutex::new(()),
        }
    }

    pub fn get(&self, name: Atom) -> Option<Arc<LoadedModule>> {
        self.modules
            .read()
            .expect("modules lock")
            .get(&name)
            .cloned()
    }

    pub(crate) fn locate(&self, name: &str, from_dir: Option<&Path>) -> Option<Source> {
        let file = format!("{name}.reef");
        let program_dirs = self.program_dirs.read().expect("program dirs lock");
        from_dir
            .into_iter()
            .chain(program_dirs.iter().map(PathBuf::as_path))
            .chain(self.search_path.iter().map(PathBuf::as_path))
            .map(|dir| dir.join(&file))
            .find(|p| p.is_file())
            .map(Source::File)
            .or_else(|| reef_stdlib::source(name).map(Source::Stdlib))
    }
}

/// Compiles one source file. Compile errors become a `LoadError` carrying
/// every rendered diagnostic; a compiler panic becomes `Internal`.
/// Warnings of a module that compiles go to stderr, as a compiler's
/// would (the program still runs). Calls to other modules are checked
/// against `known` (`known.rs`).
pub fn compile(
    name: &str,
    file_name: &str,
    source: &str,
    color: bool,
    known: &dyn reef_compiler::KnownModules,
) -> Result<Module, LoadError> {
    let compiled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        reef_compiler::compile_module_with(name, file_name, source, known)
    }))
    .map_err(|e| LoadError::Internal {
        module: name.to_string(),
        message: panic_message(&e),
    })?;
    match compiled.module {
        Some(m) if !compiled.has_errors() => {
            if !compiled.diagnostics.is_empty() {
                // Never `eprint!`: a closed stderr must not panic.
                use std::io::Write as _;
                let _ = write!(
                    std::io::stderr(),
                    "{}",
                    reef_compiler::render_diagnostics(
                        &compiled.diagnostics,
                        file_name,
                        source,
                        color
                    )
                );
            }
            Ok(m)
        }
        _ => Err(LoadError::Compile {
            module: name.to_string(),
            rendered: reef_compiler::render_diagnostics(
                &compiled.diagnostics,
                file_name,
                source,
                color,
            ),
            errors: compiled.diagnostics.iter().filter(|d| d.is_error()).count(),
        }),
    }
}

pub fn panic_message(e: &Box<dyn std::any::Any + Send>) -> String {
    e.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| e.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_string())
}

/// Validates and installs a module, making it the current version.
pub fn install(
    rt: &Runtime,
    module: Module,
    dir: Option<PathBuf>,
) -> Result<Arc<LoadedModule>, LoadError> {
    reef_bytecode::encode::validate(&module).map_err(|e| LoadError::Bytecode {
        message: e.to_string(),
    })?;
    let loaded = Arc::new(LoadedModule::new(module, dir));
    // The exports lock first (as `Runtime::export_entry` takes it), so no
    // entry is created from the old table while this one is installed.
    let exports = rt.exports.write().expect("exports lock");
    rt.code
        .versions
        .lock()
        .expect("versions lock")
        .push(loaded.clone());
    let old = rt
        .code
        .modules
        .write()
        .expect("modules lock")
        .insert(loaded.name, loaded.clone());
    let natives = rt.natives.read().expect("natives lock");
    let mut names: Vec<(Atom, u32)> = loaded.functions.iter().map(|f| (f.name, f.arity)).collect();
    if let Some(old) = &old {
        names.extend(old.functions.iter().map(|f| (f.name, f.arity)));
    }
    for (name, arity) in names {
        let mfa = Mfa {
            module: loaded.name,
            name,
            arity,
        };
        if natives.contains_key(&mfa) {
            continue;
        }
        if let Some(entry) = exports.get(&mfa) {
            let target = loaded.exported(name, arity).map(|func| Target::Reef {
                module: loaded.clone(),
                func,
            });
            entry.set(target);
        }
    }
    Ok(loaded)
}

/// Compiles and installs source text as module `name`.
pub fn load_source(
    rt: &Runtime,
    name: &str,
    file_name: &str,
    source: &str,
    dir: Option<PathBuf>,
) -> Result<Arc<LoadedModule>, LoadError> {
    let known = crate::known::Known {
        rt,
        dir: dir.as_deref(),
    };
    let module = compile(name, file_name, source, rt.color, &known)?;
    install(rt, module, dir)
}

/// The largest source file the VM reads: 64 MiB. Far beyond any
/// hand-written module (the stdlib's largest is a few KiB), while a
/// generated 20 MB literal still compiles; above it, and for anything
/// that is not a regular file (`/dev/zero`, a FIFO, a directory), reading
/// is refused up front instead of running out of memory or blocking.
pub const MAX_SOURCE_BYTES: u64 = 64 << 20;

fn read(path: &Path) -> Result<String, LoadError> {
    read_source(path)
}

/// Reads a source file: a regular file of at most [`MAX_SOURCE_BYTES`],
/// in UTF-8. Every other case is a one-line `LoadError::Io`.
pub fn read_source(path: &Path) -> Result<String, LoadError> {
    use std::io::Read;
    let io = |message: String| LoadError::Io {
        path: path.to_path_buf(),
        message,
    };
    let meta = std::fs::metadata(path).map_err(|e| io(e.to_string()))?;
    if meta.is_dir() {
        return Err(io("it is a directory".into()));
    }
    if !meta.is_file() {
        return Err(io("not a regular file".into()));
    }
    let too_big = || {
        io(format!(
            "the file is larger than {} MiB, the limit for a source file",
            MAX_SOURCE_BYTES >> 20
        ))
    };
    if meta.len() > MAX_SOURCE_BYTES {
        return Err(too_big());
    }
    // Read at most one byte past the limit: the file may grow after the
    // check.
    let file = std::fs::File::open(path).map_err(|e| io(e.to_string()))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_SOURCE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io(e.to_string()))?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(too_big());
    }
    String::from_utf8(bytes).map_err(|_| io("stream did not contain valid UTF-8".into()))
}

/// The module name of a file: its stem.
pub fn module_name(path: &Path) -> Result<String, LoadError> {
    path.file_stem()
        .and_then(|s| s.to_str())
        .map(str::to_string)
        .ok_or_else(|| LoadError::Io {
            path: path.to_path_buf(),
            message: "not a .reef file name".into(),
        })
}

/// Loads a file, then (eagerly, so their compile errors show up front)
/// every module it imports that is a file beside it or on the search
/// path, transitively. Stdlib modules are loaded on first call.
pub fn load_file(rt: &Runtime, path: &Path) -> Result<Arc<LoadedModule>, LoadError> {
    let _guard = rt.code.loading.lock().expect("loading lock");
    let name = module_name(path)?;
    let source = read(path)?;
    let dir = path.parent().map(|d| {
        if d.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            d.to_path_buf()
        }
    });
    if let Some(d) = &dir {
        let mut dirs = rt.code.program_dirs.write().expect("program dirs lock");
        if !dirs.contains(d) {
            dirs.push(d.clone());
        }
    }
    let main = load_source(rt, &name, &path.display().to_string(), &source, dir)?;
    let mut pending = vec![main.clone()];
    while let Some(m) = pending.pop() {
        for imp in m.imports.iter() {
            if rt.code.get(imp.module).is_some() {
                continue;
            }
            if let Some(Source::File(p)) = rt.code.locate(imp.module.name(), m.dir.as_deref()) {
                pending.push(load_located(rt, imp.module.name(), Source::File(p))?);
            }
        }
    }
    Ok(main)
}

fn load_located(rt: &Runtime, name: &str, source: Source) -> Result<Arc<LoadedModule>, LoadError> {
    match source {
        Source::File(path) => {
            let text = read(&path)?;
            let dir = path.parent().map(Path::to_path_buf);
            load_source(rt, name, &path.display().to_string(), &text, dir)
        }
        Source::Stdlib(text) => load_source(rt, name, &format!("stdlib/{name}.reef"), text, None),
    }
}

/// Makes sure module `name` is loaded, looking for it first in `from_dir`.
/// `Ok(None)` if there is no such module.
pub fn ensure_loaded(
    rt: &Runtime,
    name: Atom,
    from_dir: Option<&Path>,
) -> Result<Option<Arc<LoadedModule>>, LoadError> {
    if let Some(m) = rt.code.get(name) {
        return Ok(Some(m));
    }
    let _guard = rt.code.loading.lock().expect("loading lock");
    if let Some(m) = rt.code.get(name) {
        return Ok(Some(m));
    }
    match rt.code.locate(name.name(), from_dir) {
        Some(source) => load_located(rt, name.name(), source).map(Some),
        None => Ok(None),
    }
}
