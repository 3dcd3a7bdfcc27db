//! Runs the key-value example as a user would and checks what it prints.

use std::process::Command;

#[test]
fn reef_code_uses_the_host_store_and_catches_its_errors() {
    let out = Command::new(env!("CARGO_BIN_EXE_embed_kv"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout,
        "lang = reef\n\
         nil\n\
         (:caught, :not_found)\n\
         (:caught, (:too_large, #{:max => 64}))\n\
         (:caught, (:badarg, (1, \"a string\")))\n\
         \"the sea\"\n\
         1\n\
         [\"lang\"]\n\
         host store: {\"lang\": \"reef\"}\n"
    );
}
