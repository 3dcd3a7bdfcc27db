//! Finding what `reef test` runs: the `*_test.reef` files under the paths
//! given, the directories their modules are looked for in, and each
//! file's tests (its `pub fn test_*()`).

use std::path::{Path, PathBuf};

/// What the paths given to `reef test` hold.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// Every test file, each once, in path order.
    pub files: Vec<PathBuf>,
    /// Directories to add to the search path, so a test file's imports
    /// resolve as `reef run` resolves a program's: each directory given and
    /// its `lib/`, and for a file inside a `test/` directory, the
    /// directory above it (the project) and that one's `lib/`.
    pub search: Vec<PathBuf>,
    /// Paths that do not exist.
    pub missing: Vec<PathBuf>,
}

/// Walks `paths` (the current directory when empty).
pub(crate) fn find(paths: &[PathBuf]) -> Found {
    let roots = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let mut found = Found::default();
    for root in &roots {
        if root.is_dir() {
            add_project(&mut found.search, root);
            collect(root, &mut found.files);
        } else if root.is_file() {
            found.files.push(root.clone());
        } else {
            found.missing.push(root.clone());
        }
    }
    // `./test/a_test.reef` reads better as `test/a_test.reef`.
    for f in &mut found.files {
        if let Ok(rest) = f.strip_prefix(".") {
            if !rest.as_os_str().is_empty() {
                *f = rest.to_path_buf();
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    found.files.retain(|f| seen.insert(f.clone()));
    for file in found.files.clone() {
        let dir = file.parent().unwrap_or(Path::new("."));
        if dir.file_name().is_some_and(|n| n == "test") {
            add_project(&mut found.search, dir.parent().unwrap_or(Path::new(".")));
        }
    }
    found
}

/// Adds `dir` (`.` for an empty path) and its `lib/`, once each.
fn add_project(search: &mut Vec<PathBuf>, dir: &Path) {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    for d in [dir.to_path_buf(), dir.join("lib")] {
        if d.is_dir() && !search.contains(&d) {
            search.push(d);
        }
    }
}

/// Every `*_test.reef` file under `dir`, in name order (hidden
/// directories and `target/` skipped, as `reef fmt` skips them).
fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    crate::fmt::collect_ending(dir, "_test.reef", files)
}

/// The tests of a module's source: its exported functions named `test_*`
/// of no arguments, in source order. `None` if it does not parse (the
/// load reports why).
pub(crate) fn tests_of(source: &str) -> Option<Vec<String>> {
    let exports = reef_vm::compiler::known::exports_of(source)?;
    Some(
        exports
            .into_iter()
            .filter(|(name, arity)| *arity == 0 && name.starts_with("test_"))
            .map(|(name, _)| name)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_nullary_test_functions_are_tests() {
        let src = "pub fn test_a() { 1 }\nfn test_private() { 2 }\npub fn test_b(x) { x }\n\
                   pub fn helper() { 3 }\npub fn test_c() { 4 }\n";
        assert_eq!(tests_of(src), Some(vec!["test_a".into(), "test_c".into()]));
        assert_eq!(tests_of("pub fn test_a( {"), None);
    }
}
