//! Runs the game example as a user would and checks what it prints.

use std::process::Command;

#[test]
fn the_host_plays_through_the_reef_rules_with_its_own_structs() {
    let out = Command::new(env!("CARGO_BIN_EXE_embed_game"))
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
        "X at 4: .../.x./...\n\
         X at 0: refused (not your turn)\n\
         O at 4: refused (occupied)\n\
         O at 0: o../.x./...\n\
         X at 9: refused (no cell 9)\n\
         X at 2: o.x/.x./...\n\
         O at 1: oox/.x./...\n\
         X at 6: oox/.x./x..\n\
         O at 8: refused (the game is over)\n\
         winner: Some(X)\n"
    );
}
