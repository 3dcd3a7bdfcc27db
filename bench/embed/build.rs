//! Writes `big.rs` into OUT_DIR: a structure of 1,000 fields for the serde
//! benchmark (field `f<i>: i64` for i in 0..1000), and `sample()` setting
//! field i to i * 7. Generated, so the source holds one line per idea
//! rather than 2,000 lines of fields.

use std::fmt::Write;

const FIELDS: usize = 1000;

fn main() {
    let mut src = String::from(
        "#[derive(serde::Serialize, serde::Deserialize, Clone, PartialEq, Debug)]\npub struct Big {\n",
    );
    for i in 0..FIELDS {
        let _ = writeln!(src, "    pub f{i}: i64,");
    }
    src.push_str("}\n\nimpl Big {\n    pub fn sample() -> Big {\n        Big {\n");
    for i in 0..FIELDS {
        let _ = writeln!(src, "            f{i}: {},", i * 7);
    }
    src.push_str("        }\n    }\n}\n");
    let out =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("big.rs");
    std::fs::write(out, src).expect("OUT_DIR is writable");
    println!("cargo:rerun-if-changed=build.rs");
}
