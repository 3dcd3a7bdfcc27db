//! `reef fmt [--check] [PATH...]`: lays Reef files out in the one
//! canonical format (`reef_compiler::format`). A directory means every
//! `*.reef` file inside it (hidden directories and `target/` skipped); no
//! path means the current directory. Files are rewritten atomically (a
//! temporary file beside it, then a rename); with `--check` nothing is
//! written and the files that would change are listed. A file with a
//! syntax error is reported and left alone. Exit status 1 if any file has
//! an error, or (with `--check`) would change.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use reef_vm::compiler::format::format_source;
use reef_vm::compiler::render_diagnostics;

pub(crate) fn run(paths: &[PathBuf], check: bool, color: bool) -> ExitCode {
    let roots = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let mut files = Vec::new();
    let mut failed = false;
    for root in &roots {
        if root.is_dir() {
            collect(root, &mut files);
        } else if root.is_file() {
            files.push(root.clone());
        } else {
            errln!("reef fmt: {}: no such file or directory", root.display());
            failed = true;
        }
    }
    let mut changed = false;
    for file in &files {
        let src = match std::fs::read_to_string(file) {
            Ok(s) => s,
            Err(e) => {
                errln!("reef fmt: {}: {e}", file.display());
                failed = true;
                continue;
            }
        };
        match format_source(&src) {
            Err(diags) => {
                err!(
                    "{}",
                    render_diagnostics(&diags, &file.to_string_lossy(), &src, color)
                );
                failed = true;
            }
            Ok(out) if out != src => {
                changed = true;
                if check {
                    outln!("{}", file.display());
                } else if let Err(e) = write_atomically(file, &out) {
                    errln!("reef fmt: {}: {e}", file.display());
                    failed = true;
                }
            }
            Ok(_) => {}
        }
    }
    if failed || (check && changed) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Every `*.reef` file under `dir`, in name order.
pub(crate) fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    collect_ending(dir, ".reef", files)
}

/// Every file under `dir` whose name ends in `suffix`, in name order;
/// hidden directories and `target/` are skipped (`reef fmt`, `reef doc`
/// and `reef test` look for files alike).
pub(crate) fn collect_ending(dir: &Path, suffix: &str, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" {
                collect_ending(&path, suffix, files);
            }
        } else if name.ends_with(suffix) {
            files.push(path);
        }
    }
}

/// Writes `text` to a temporary file beside `file` (with its permissions)
/// and renames it over `file`: a reader never sees half a file.
fn write_atomically(file: &Path, text: &str) -> std::io::Result<()> {
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = file.with_file_name(format!(".{name}.reef-fmt-{}", std::process::id()));
    let result = std::fs::write(&tmp, text).and_then(|()| {
        let perms = std::fs::metadata(file)?.permissions();
        std::fs::set_permissions(&tmp, perms)?;
        std::fs::rename(&tmp, file)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
