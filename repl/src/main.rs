fn main() {
    println!("REPL not yet available");
}
