//! Helpers the `reef` command's tests share: run it in a directory, and
//! make a scratch directory of files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `reef args...` in `dir`, without colours or `REEF_PATH`.
pub fn reef(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reef"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("REEF_PATH")
        .args(args)
        .output()
        .expect("reef runs")
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A fresh scratch directory `reef-TEST-NAME-PID` with the given files
/// (paths may have directories).
pub fn scratch(test: &str, name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("reef-{test}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (path, content) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    dir
}
