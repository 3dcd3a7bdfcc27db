//! The stdlib's Reef sources as files an editor can open. They are
//! embedded in the binary as strings (`reef_stdlib`), so an installed
//! `reef` has no repository to point at: go to definition writes the
//! module, read-only, to `$XDG_CACHE_HOME/reef/stdlib-VERSION/NAME.reef`
//! (`~/.cache/...` without it, the temporary directory without a home),
//! and rewrites it only when the embedded text differs (a newer build).

use std::path::{Path, PathBuf};

/// The directory the stdlib sources are written to.
pub(crate) fn cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|d| !d.is_empty())
                .map(|h| PathBuf::from(h).join(".cache"))
        })
        .unwrap_or_else(std::env::temp_dir);
    base.join("reef")
        .join(format!("stdlib-{}", env!("CARGO_PKG_VERSION")))
}

/// The file in `dir` holding the stdlib module `name` whose text is `text`,
/// written if missing or stale; `None` if it cannot be written.
/// `dir` is [`cache_dir`], or a test's own.
pub(crate) fn materialise(dir: &Path, name: &str, text: &str) -> Option<PathBuf> {
    let path = dir.join(format!("{name}.reef"));
    if std::fs::read_to_string(&path).ok().as_deref() == Some(text) {
        return Some(path);
    }
    std::fs::create_dir_all(dir).ok()?;
    // Read-only files cannot be written over: replace it.
    let _ = std::fs::remove_file(&path);
    let tmp = dir.join(format!(".{name}.reef.{}", std::process::id()));
    std::fs::write(&tmp, text).ok()?;
    if let Ok(meta) = std::fs::metadata(&tmp) {
        let mut perms = meta.permissions();
        perms.set_readonly(true);
        let _ = std::fs::set_permissions(&tmp, perms);
    }
    if std::fs::rename(&tmp, &path).is_err() {
        let _ = std::fs::remove_file(&tmp);
        return None;
    }
    Some(path)
}
