//! Runs the key-value example as a user would and checks what it prints.

#[path = "../../embed_common/run_example.rs"]
mod run_example;

use run_example::stdout_of;

#[test]
fn reef_code_uses_the_host_store_and_catches_its_errors() {
    let stdout = stdout_of(env!("CARGO_BIN_EXE_embed_kv"));
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
