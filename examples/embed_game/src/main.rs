//! A Rust host that keeps its game state in its own structs and asks a
//! Reef module (`game.reef`, beside this crate) to apply each move: the
//! structs go in with `to_term`, the reply comes back with `from_term`,
//! as a Rust enum `(:ok, state)` / `(:error, reason)`.
//!
//! ```text
//! cargo run -p reef-embed-game
//! ```

use std::process::ExitCode;

use reef_vm::{from_term, to_term, Vm};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Mark {
    X,
    O,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Cell {
    Empty,
    X,
    O,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
struct State {
    board: Vec<Cell>,
    next: Mark,
    winner: Option<Mark>,
}

#[derive(Serialize, Debug)]
struct Move {
    mark: Mark,
    cell: i64,
}

/// Why the rules refused a move: the atom (or tagged tuple) Reef gave.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "snake_case")]
enum Refusal {
    GameOver,
    NotYourTurn,
    Occupied,
    NoSuchCell(i64),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::GameOver => f.write_str("the game is over"),
            Refusal::NotYourTurn => f.write_str("not your turn"),
            Refusal::Occupied => f.write_str("occupied"),
            Refusal::NoSuchCell(c) => write!(f, "no cell {c}"),
        }
    }
}

/// The handler's reply, `(:ok, state)` or `(:error, reason)`.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "lowercase")]
enum Reply {
    Ok(State),
    Error(Refusal),
}

fn show(board: &[Cell]) -> String {
    board
        .chunks(3)
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Cell::Empty => '.',
                    Cell::X => 'x',
                    Cell::O => 'o',
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn main() -> ExitCode {
    let vm = Vm::builder().env_path(false).build();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/game.reef");
    if let Err(e) = vm.load_file(path) {
        eprintln!("{e}");
        return ExitCode::FAILURE;
    }
    let mut state = State {
        board: vec![Cell::Empty; 9],
        next: Mark::X,
        winner: None,
    };
    let moves = [
        (Mark::X, 4),
        (Mark::X, 0), // not o's turn
        (Mark::O, 4), // taken
        (Mark::O, 0),
        (Mark::X, 9), // off the board
        (Mark::X, 2),
        (Mark::O, 1),
        (Mark::X, 6),
        (Mark::O, 8), // too late: x has won
    ];
    for (mark, cell) in moves {
        let mv = Move { mark, cell };
        let args = match (to_term(&state), to_term(&mv)) {
            (Ok(s), Ok(m)) => vec![s, m],
            (Err(e), _) | (_, Err(e)) => {
                eprintln!("cannot encode: {e}");
                return ExitCode::FAILURE;
            }
        };
        let reply = match vm.call("game", "play", args) {
            Ok(t) => t,
            Err(crash) => {
                eprint!("{crash}");
                return ExitCode::FAILURE;
            }
        };
        match from_term::<Reply>(&reply) {
            Ok(Reply::Ok(next)) => {
                state = next;
                println!("{mark:?} at {cell}: {}", show(&state.board));
            }
            Ok(Reply::Error(why)) => println!("{mark:?} at {cell}: refused ({why})"),
            Err(e) => {
                eprintln!("unexpected reply {reply}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("winner: {:?}", state.winner);
    ExitCode::SUCCESS
}
