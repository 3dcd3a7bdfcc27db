//! Runs the game example as a user would and checks what it prints.

#[path = "../../embed_common/run_example.rs"]
mod run_example;

use run_example::stdout_of;

#[test]
fn the_host_plays_through_the_reef_rules_with_its_own_structs() {
    let stdout = stdout_of(env!("CARGO_BIN_EXE_embed_game"));
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
