//! The embedding API of distribution: two VMs in one program, each a
//! node (`VmBuilder::node_config`), find each other through the EPMD the
//! first one serves from a thread, and talk as any two nodes do.

use std::time::Duration;

use reef_vm::dist::NodeConfig;
use reef_vm::{Term, Vm};

const SRC: &str = r#"
pub fn serve() {
  register(:echo, self())
  loop()
}
fn loop() {
  receive {
    (:ping, from) => { send(from, (:pong, node(), node(from))); loop() },
  }
}
pub fn ask(n) {
  let up = node.connect(n)
  send((:echo, n), (:ping, self()))
  receive { (:pong, there, me) => (up, there, me, nodes()) } after 5000 => :timeout
}
pub fn down(n) {
  node.monitor(n, true)
  receive { (:nodedown, ^n) => :nodedown } after 5000 => :timeout
}
"#;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn node(name: &str, epmd_port: u16) -> Vm {
    let mut cfg = NodeConfig::new(name, "embed-cookie");
    cfg.epmd_port = epmd_port;
    cfg.net_tick = Duration::from_secs(2);
    let vm = Vm::builder()
        .env_path(false)
        .node_config(cfg)
        .try_build()
        .expect("the node starts");
    vm.load_source("embed_dist", "embed_dist.reef", SRC)
        .expect("the module loads");
    vm
}

#[test]
fn two_vms_in_one_program_are_two_nodes() {
    let epmd = free_port();
    let a = node("ea@127.0.0.1", epmd);
    let b = node("eb@127.0.0.1", epmd);
    assert_eq!(a.node_name(), "ea@127.0.0.1");
    a.spawn("embed_dist", "serve", Vec::new()).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let got = b
        .call("embed_dist", "ask", vec![Term::atom("ea@127.0.0.1")])
        .expect("ask returns");
    assert_eq!(
        got,
        Term::Tuple(vec![
            Term::atom("true"),
            Term::atom("ea@127.0.0.1"),
            Term::atom("eb@127.0.0.1"),
            Term::List(vec![Term::atom("ea@127.0.0.1")], None),
        ])
    );
    // A node that goes away is reported down to a monitor.
    let watcher = std::thread::spawn(move || {
        b.call("embed_dist", "down", vec![Term::atom("ea@127.0.0.1")])
            .map_err(|crash| crash.report)
    });
    std::thread::sleep(Duration::from_millis(100));
    a.shutdown();
    drop(a);
    let down = watcher.join().expect("no panic").expect("down returns");
    assert_eq!(down, Term::atom("nodedown"));
}

/// A hidden node (`NodeConfig::hidden`, as `erl -hidden` and `reef top`)
/// talks to a node as any other, but neither lists the other in
/// `nodes()`.
#[test]
fn a_hidden_node_is_left_out_of_nodes() {
    let epmd = free_port();
    let a = node("ha@127.0.0.1", epmd);
    let mut cfg = NodeConfig::new("hb@127.0.0.1", "embed-cookie");
    cfg.epmd_port = epmd;
    cfg.hidden = true;
    let b = Vm::builder()
        .env_path(false)
        .node_config(cfg)
        .try_build()
        .expect("the hidden node starts");
    b.load_source("embed_dist", "embed_dist.reef", SRC)
        .expect("the module loads");
    a.spawn("embed_dist", "serve", Vec::new()).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let got = b
        .call("embed_dist", "ask", vec![Term::atom("ha@127.0.0.1")])
        .expect("ask returns");
    assert_eq!(
        got,
        Term::Tuple(vec![
            Term::atom("true"),
            Term::atom("ha@127.0.0.1"),
            Term::atom("hb@127.0.0.1"),
            Term::List(vec![], None),
        ])
    );
    a.load_source("list_nodes", "list_nodes.reef", "pub fn list() { nodes() }")
        .expect("loads");
    assert_eq!(
        a.call("list_nodes", "list", vec![]).expect("nodes()"),
        Term::List(vec![], None)
    );
}
