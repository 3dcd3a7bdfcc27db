//! The guides run: every ```` ```reef ```` block in `docs/*.md` is a whole
//! program, and the ```` ```output ```` block after it is exactly what it
//! prints on stdout. Each becomes one test that runs the real `reef`
//! binary on the program, as a reader who copied it would.
//!
//! A program whose first line is a comment `// NAME.reef` is saved under
//! that name (a module that names itself, such as a server's callback
//! module, needs it); the others are saved as `main.reef`.

use std::path::{Path, PathBuf};
use std::process::Command;

use libtest_mimic::{Arguments, Failed, Trial};

/// One program of a guide: where it is, its text, what it prints.
struct Sample {
    name: String,
    source: String,
    output: Option<String>,
}

/// The fenced blocks of a Markdown text, as (info string, body, line).
fn fences(text: &str) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let mut body = String::new();
        for (_, l) in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        out.push((info.trim().to_string(), body, n + 1));
    }
    out
}

fn samples(path: &Path) -> Vec<Sample> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let file = path.file_name().map(|f| f.to_string_lossy().into_owned());
    let blocks = fences(&text);
    let mut out = Vec::new();
    for (i, (info, body, line)) in blocks.iter().enumerate() {
        if info != "reef" {
            continue;
        }
        let output = blocks
            .get(i + 1)
            .filter(|(info, _, _)| info == "output")
            .map(|(_, b, _)| b.clone());
        out.push(Sample {
            name: format!("{}:{line}", file.clone().unwrap_or_default()),
            source: body.clone(),
            output,
        });
    }
    out
}

fn run(sample: &Sample) -> Result<(), Failed> {
    let Some(expected) = &sample.output else {
        return Err("a reef block needs an output block right after it".into());
    };
    let file = sample
        .source
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("// "))
        .filter(|n| n.ends_with(".reef") && !n.contains('/'))
        .unwrap_or("main.reef");
    let dir = std::env::temp_dir().join(format!(
        "reef-docs-{}-{}",
        std::process::id(),
        sample.name.replace([':', '.'], "_")
    ));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join(file);
    std::fs::write(&path, &sample.source).map_err(|e| e.to_string())?;
    let out = Command::new(env!("CARGO_BIN_EXE_reef"))
        .arg("run")
        .arg(&path)
        .env("NO_COLOR", "1")
        .env_remove("REEF_PATH")
        .output()
        .map_err(|e| format!("running reef: {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    let out = out?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if stdout != *expected || !out.status.success() {
        return Err(format!(
            "{}: exit {:?}\n--- expected\n{expected}--- actual\n{stdout}--- stderr\n{}",
            sample.name,
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&docs)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "md"));
    files.sort();
    let trials: Vec<Trial> = files
        .iter()
        .flat_map(|f| samples(f))
        .map(|s| Trial::test(s.name.clone(), move || run(&s)))
        .collect();
    assert!(!trials.is_empty(), "no programs found in docs/");
    libtest_mimic::run(&args, trials).exit();
}
