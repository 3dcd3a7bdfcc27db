//! Finding, compiling and installing modules. Module `foo` is `foo.reef`
//! in the directory of the module that first needs it (or of the main
//! file), else in each directory of the search path, else the embedded
//! stdlib. Loading a module again replaces it: export entries then point
//! at the new version, and the one it replaces becomes the old version
//! (kept for frames still in it). As BEAM, a module has at most a current
//! and an old version: a host's load of a third one purges the old one
//! first (`embed/reload.rs`).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use reef_bytecode::Module;
use rustc_hash::FxHashMap;

use crate::code::LoadedModule;
use crate::embed::diagnostics::{convert, Warnings};
use crate::exports::{Mfa, Target};
use crate::runtime::Runtime;
use crate::value::Atom;

/// Why a module could not be loaded.
#[derive(Debug, Clone)]
pub enum LoadError {
    /// The file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// Why (the operating system's message, or the size limit).
        message: String,
    },
    /// No file or stdlib module of that name.
    NotFound {
        /// The module looked for.
        module: String,
    },
    /// The compiler reported errors; `rendered` is every diagnostic,
    /// `diagnostics` the same as data (errors and warnings).
    Compile {
        /// The module.
        module: String,
        /// Every diagnostic, rendered as `reef check` prints them.
        rendered: String,
        /// How many errors.
        errors: usize,
        /// Every diagnostic as data.
        diagnostics: Vec<crate::embed::diagnostics::Diagnostic>,
    },
    /// A sandboxed VM refused the module: it calls functions the sandbox
    /// forbids (`module.name/arity` each). See `VmBuilder::sandbox`.
    Sandbox {
        /// The module.
        module: String,
        /// The forbidden functions it calls: `(module, name, arity)`.
        forbidden: Vec<(String, String, u32)>,
    },
    /// The bytecode is malformed.
    Bytecode {
        /// What is wrong with it.
        message: String,
    },
    /// The compiler itself failed (a bug in Reef, not in the program).
    Internal {
        /// The module being compiled.
        module: String,
        /// The compiler's panic message.
        message: String,
    },
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
            LoadError::Sandbox { module, forbidden } => {
                write!(
                    f,
                    "error: module `{module}` calls what the sandbox forbids:"
                )?;
                for (m, n, a) in forbidden {
                    write!(f, " {m}.{n}/{a}")?;
                }
                Ok(())
            }
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
    /// The old version of each module that has one: frames point into it
    /// by raw pointer, so it stays until a purge proves no process runs it
    /// (`embed/reload.rs`).
    pub(crate) old: Mutex<FxHashMap<Atom, Arc<LoadedModule>>>,
    /// Versions a purge could not prove unused in time, and old versions
    /// displaced without a purge: kept for the runtime's life (sound, and
    /// rare).
    pub(crate) kept: Mutex<Vec<Arc<LoadedModule>>>,
    /// Every version installed, to count those still alive
    /// (`Vm::code_stats`); dead ones are dropped at each install.
    pub(crate) ever: Mutex<Vec<std::sync::Weak<LoadedModule>>>,
    /// One host reload (purge and install) at a time.
    pub(crate) reloading: Mutex<()>,
    search_path: Vec<PathBuf>,
    /// The directories of the files loaded by path (the program's own
    /// directory): searched after the caller's, so that a module named
    /// only at run time (`apply(:worker, ...)` from a stdlib behaviour) is
    /// found beside the program.
    program_dirs: RwLock<Vec<PathBuf>>,
    /// One load at a time, so two callers do not compile the same module.
    loading: Mutex<()>,
    /// In a sandbox, the only modules a script may load (from the host's
    /// search path or the stdlib, never beside a file): `embed/sandbox.rs`.
    allowed: Option<rustc_hash::FxHashSet<String>>,
}

impl CodeServer {
    pub fn new(search_path: Vec<PathBuf>) -> CodeServer {
        CodeServer {
            modules: RwLock::new(FxHashMap::default()),
            old: Mutex::new(FxHashMap::default()),
            kept: Mutex::new(Vec::new()),
            ever: Mutex::new(Vec::new()),
            reloading: Mutex::new(()),
            search_path,
            program_dirs: RwLock::new(Vec::new()),
            loading: Mutex::new(()),
            allowed: None,
        }
    }

    /// Only these modules may be loaded on demand (a sandbox).
    pub(crate) fn restrict(&mut self, allowed: rustc_hash::FxHashSet<String>) {
        self.allowed = Some(allowed);
    }

    /// The old version of module `name`, if it has one.
    pub(crate) fn old_version(&self, name: Atom) -> Option<Arc<LoadedModule>> {
        self.old.lock().expect("old lock").get(&name).cloned()
    }

    /// The names of the modules loaded now.
    pub(crate) fn loaded_names(&self) -> Vec<Atom> {
        self.modules
            .read()
            .expect("modules lock")
            .keys()
            .copied()
            .collect()
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
        let (from_dir, program_dirs): (_, &[PathBuf]) = match &self.allowed {
            Some(allowed) if !allowed.contains(name) => return None,
            Some(_) => (None, &[]),
            None => (from_dir, &program_dirs),
        };
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
/// every diagnostic (as data and rendered); a compiler panic becomes
/// `Internal`. The warnings of a module that compiles are returned, for
/// the caller to report (`Runtime::report_warnings`): never written to the
/// process's stderr here. Calls to other modules are checked against
/// `known` (`known.rs`).
pub(crate) fn compile_warn(
    name: &str,
    file_name: &str,
    source: &str,
    color: bool,
    known: &dyn reef_compiler::KnownModules,
) -> Result<(Module, Warnings), LoadError> {
    let compiled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        reef_compiler::compile_module_with(name, file_name, source, known)
    }))
    .map_err(|e| LoadError::Internal {
        module: name.to_string(),
        message: panic_message(&e),
    })?;
    let diagnostics = convert(&compiled.diagnostics, name, file_name, source);
    let rendered = if diagnostics.is_empty() {
        String::new()
    } else {
        reef_compiler::render_diagnostics(&compiled.diagnostics, file_name, source, color)
    };
    let errors = compiled.diagnostics.iter().filter(|d| d.is_error()).count();
    match compiled.module {
        Some(m) if errors == 0 => Ok((
            m,
            Warnings {
                diagnostics,
                rendered,
            },
        )),
        _ => Err(LoadError::Compile {
            module: name.to_string(),
            rendered,
            errors,
            diagnostics,
        }),
    }
}

/// [`compile_warn`], for callers that only want the module (`reef
/// disasm`): its warnings are dropped.
pub fn compile(
    name: &str,
    file_name: &str,
    source: &str,
    color: bool,
    known: &dyn reef_compiler::KnownModules,
) -> Result<Module, LoadError> {
    compile_warn(name, file_name, source, color, known).map(|(m, _)| m)
}

pub fn panic_message(e: &Box<dyn std::any::Any + Send>) -> String {
    e.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| e.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_string())
}

/// Validates and installs a module, making it the current version.
pub(crate) fn install(
    rt: &Runtime,
    module: Module,
    dir: Option<PathBuf>,
    host: bool,
) -> Result<Arc<LoadedModule>, LoadError> {
    reef_bytecode::encode::validate(&module).map_err(|e| LoadError::Bytecode {
        message: e.to_string(),
    })?;
    if host {
        rt.sandbox_admit(&module)?;
    }
    let loaded = LoadedModule::new(module, dir);
    // A host's load has purged the old version before it took any loader
    // lock (`Vm::host_load`); an old version displaced here anyway (two
    // loads racing) goes to `kept` below.
    // The exports lock first (as `Runtime::export_entry` takes it), so no
    // entry is created from the old table while this one is installed.
    let exports = rt.exports.write().expect("exports lock");
    {
        let mut ever = rt.code.ever.lock().expect("versions lock");
        ever.retain(|w| w.strong_count() > 0);
        ever.push(Arc::downgrade(&loaded));
    }
    let old = rt
        .code
        .modules
        .write()
        .expect("modules lock")
        .insert(loaded.name, loaded.clone());
    if let Some(prev) = &old {
        if let Some(displaced) = rt
            .code
            .old
            .lock()
            .expect("old lock")
            .insert(prev.name, prev.clone())
        {
            // Not purged (a load that is not the host's): keep it.
            rt.code.kept.lock().expect("kept lock").push(displaced);
        }
    }
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

/// Compiles and installs source text as module `name`. Its warnings go
/// to the VM's warning sink and are appended to `warnings`. `host`: the
/// host asked for it by name (a sandbox checks it, `install`).
pub(crate) fn load_source(
    rt: &Runtime,
    name: &str,
    file_name: &str,
    source: &str,
    dir: Option<PathBuf>,
    warnings: &mut Vec<crate::embed::diagnostics::Diagnostic>,
    host: bool,
) -> Result<Arc<LoadedModule>, LoadError> {
    let known = crate::known::Known {
        rt,
        dir: dir.as_deref(),
    };
    let (module, w) = compile_warn(name, file_name, source, rt.color, &known)?;
    rt.report_warnings(&w);
    warnings.extend(w.diagnostics);
    install(rt, module, dir, host)
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
pub(crate) fn load_file(
    rt: &Runtime,
    path: &Path,
    warnings: &mut Vec<crate::embed::diagnostics::Diagnostic>,
) -> Result<Arc<LoadedModule>, LoadError> {
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
    let file_name = path.display().to_string();
    let main = load_source(rt, &name, &file_name, &source, dir, warnings, true)?;
    let mut pending = vec![main.clone()];
    while let Some(m) = pending.pop() {
        for imp in m.imports.iter() {
            if rt.code.get(imp.module).is_some() {
                continue;
            }
            if let Some(Source::File(p)) = rt.code.locate(imp.module.name(), m.dir.as_deref()) {
                pending.push(load_located(
                    rt,
                    imp.module.name(),
                    Source::File(p),
                    warnings,
                )?);
            }
        }
    }
    Ok(main)
}

fn load_located(
    rt: &Runtime,
    name: &str,
    source: Source,
    warnings: &mut Vec<crate::embed::diagnostics::Diagnostic>,
) -> Result<Arc<LoadedModule>, LoadError> {
    match source {
        Source::File(path) => {
            let text = read(&path)?;
            let dir = path.parent().map(Path::to_path_buf);
            load_source(
                rt,
                name,
                &path.display().to_string(),
                &text,
                dir,
                warnings,
                false,
            )
        }
        Source::Stdlib(text) => load_source(
            rt,
            name,
            &format!("stdlib/{name}.reef"),
            text,
            None,
            warnings,
            false,
        ),
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
        // Loaded on demand: its warnings go to the sink only.
        Some(source) => load_located(rt, name.name(), source, &mut Vec::new()).map(Some),
        None => Ok(None),
    }
}
