//! Distribution against the real `reef` binary and a real `erl`: Reef
//! nodes with each other (every term kind, remote pids, links, monitors,
//! spawn to a node, order), faults (kill -9, a supervisor that restarts,
//! a wrong cookie, fake peers that send garbage, an atom flood, EPMD
//! missing or killed, a partition made with network namespaces), and
//! Reef with erl both ways.
//!
//! Every test starts its own EPMD on a free port (`ERL_EPMD_PORT` for
//! every node), uses node names of its own, and kills every OS process
//! it started through guards (`dist::Node`), even when it fails. Tests
//! run in parallel (they mostly wait on sockets).

#[path = "dist/mod.rs"]
mod dist;

use std::process::Command;
use std::time::{Duration, Instant};

use dist::fake::{self, Fake};
use dist::{numbers_after, Cluster, TICK};
use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let mut args = Arguments::from_args();
    if args.test_threads.is_none() {
        // The tests wait on sockets and child processes far more than they
        // compute: four at a time keeps 2 cores busy, not swamped.
        args.test_threads = Some(4);
    }
    let tests: &[(&str, fn())] = &[
        ("reef_terms_round_trip", reef_terms_round_trip),
        (
            "reef_remote_pids_and_closures",
            reef_remote_pids_and_closures,
        ),
        ("reef_links_monitors_spawn", reef_links_monitors_spawn),
        ("reef_order_of_10000_messages", reef_order_of_10000_messages),
        ("reef_big_messages", reef_big_messages),
        (
            "simultaneous_connect_gives_one_connection",
            simultaneous_connect_gives_one_connection,
        ),
        (
            "restarted_node_is_a_new_incarnation",
            restarted_node_is_a_new_incarnation,
        ),
        (
            "kill9_noconnection_nodedown_supervisor",
            kill9_noconnection_nodedown_supervisor,
        ),
        (
            "wrong_cookie_refused_both_sides",
            wrong_cookie_refused_both_sides,
        ),
        ("fake_peers_are_cut_off", fake_peers_are_cut_off),
        ("atom_flood_is_bounded", atom_flood_is_bounded),
        ("peer_reconnects_at_once", peer_reconnects_at_once),
        ("epmd_missing_is_started", epmd_missing_is_started),
        (
            "epmd_killed_connections_go_on",
            epmd_killed_connections_go_on,
        ),
        (
            "partition_with_network_namespaces",
            partition_with_network_namespaces,
        ),
        ("erl_terms_both_ways", erl_terms_both_ways),
        ("erl_links_monitors_rpc_spawn", erl_links_monitors_rpc_spawn),
        ("erl_sees_reef_node_killed", erl_sees_reef_node_killed),
        ("reef_sees_erl_node_killed", reef_sees_erl_node_killed),
        ("reef_joins_erl_cluster", reef_joins_erl_cluster),
    ];
    let trials = tests
        .iter()
        .map(|&(name, f)| {
            Trial::test(name, move || {
                std::panic::catch_unwind(f).map_err(|e| {
                    let msg = e
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    Failed::from(msg)
                })
            })
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

/// Seconds since `t0`, for the figures the tests print.
fn since(t0: Instant, t: Instant) -> f64 {
    t.saturating_duration_since(t0).as_secs_f64()
}

/// Asserts a detection time is under twice the tick, and prints it.
fn detected(what: &str, t0: Instant, t: Instant) {
    let s = since(t0, t);
    println!("dist figure: {what}: detected in {s:.3} s (tick {TICK} s)");
    assert!(
        s < 2.0 * TICK as f64,
        "{what}: {s:.3} s is not under twice the tick"
    );
}

// ---- Reef <-> Reef ----

fn reef_terms_round_trip() {
    let c = Cluster::new();
    let b = c.peer(&c.full("b"));
    let a = c.reef(&c.full("a"), "terms.reef", &[&b.name, "echo"]);
    let n: usize = a.expect("terms ", 20)["terms ".len()..].parse().unwrap();
    a.expect("terms done", 30);
    let lines = a.out.lines();
    let same = lines
        .iter()
        .filter(|l| l.starts_with("term ") && l.contains(" same=true "))
        .count();
    assert_eq!(same, n, "every term comes back equal:\n{}", a.out.text());
    for shown in [
        "<<255>>",
        "1000000000000000000000",
        ":\"été\"",
        "[1, 2 | :t]",
        "#{:a => 1, \"k\" => [1, (2, 3)]}",
        "#Fn<shared.add/2>",
        "#Ref<0.",
    ] {
        assert!(a.out.text().contains(shown), "{shown} in\n{}", a.out.text());
    }
    // The peer sees our pid as a remote one, our strings as strings.
    let p = b.expect("peer got #PID<", 5);
    assert!(
        !p.contains("#PID<0."),
        "a remote pid prints with its node index: {p}"
    );
    b.expect("peer got \"héllo\"", 5);
    b.expect("peer got <<255>>", 5);
    // A closure of `shared` (loaded on both) went there and back.
    a.expect("closure back callable=50", 5);
}

fn reef_remote_pids_and_closures() {
    let c = Cluster::new();
    let b = c.peer(&c.full("b"));
    let a = c.reef(&c.full("a"), "pids.reef", &[&b.name]);
    let l = a.expect("remote pid ", 20);
    assert!(
        l.contains(&format!("node={} same_node=true", b.name)),
        "{l}"
    );
    let idx = l
        .split("#PID<")
        .nth(1)
        .and_then(|s| s.split('.').next())
        .unwrap();
    assert_ne!(idx, "0", "a remote pid's node index is not 0: {l}");
    a.expect(&format!("local pid #PID<0.3.0> node={}", a.name), 5);
    a.expect("direct send ok", 5);
    a.expect(&format!("closure ran on {} value=50", b.name), 5);
}

fn reef_links_monitors_spawn() {
    let c = Cluster::new();
    let b = c.peer(&c.full("b"));
    let a = c.reef(&c.full("a"), "links.reef", &[&b.name]);
    a.expect(&format!("spawn/4 ran on {}", b.name), 20);
    a.expect("local killed by remote crash reason=:boom2", 10);
    a.expect("remote killed by local crash reason=:local_boom", 10);
    a.expect("trap_exit EXIT reason=:boom remote=true", 10);
    a.expect("spawn_monitor DOWN reason=:mon_reason", 10);
    a.expect("monitor DOWN reason=:bye", 10);
    a.expect(
        &format!(
            "named monitor DOWN who=(:victim, :\"{}\") reason=:stopped",
            b.name
        ),
        10,
    );
    a.expect("exit/2 trapped from_us=true reason=:hey", 10);
    a.expect("exit/2 DOWN reason=:kill_me", 10);
    a.expect("process.alive remote (:raised, :badarg)", 10);
    a.expect("remote monitor DOWN local=true reason=:local_reason", 10);
    a.expect("ping pong pang", 15);
    a.expect("links done", 5);
    a.refute("timeout");
}

fn reef_order_of_10000_messages() {
    let c = Cluster::new();
    let b = c.peer(&c.full("b"));
    let a = c.reef(&c.full("a"), "order.reef", &[&b.name]);
    let l = a.expect("order sent=10000", 40);
    println!("dist figure: order: {l}");
    assert_eq!(l, "order sent=10000 received=10000 bad=0 dups=0");
}

fn reef_big_messages() {
    let c = Cluster::new();
    let b = c.peer(&c.full("b"));
    let a = c.reef(&c.full("a"), "big.reef", &[&b.name, "echo"]);
    a.expect("big 2097152 same=true", 60);
    a.expect("big 1048576 same=true", 60);
    a.expect("big done", 5);
}

fn simultaneous_connect_gives_one_connection() {
    // Three pairs at once, each told to connect both ways at the same
    // moment.
    let c = Cluster::new();
    let mut pairs = Vec::new();
    for i in 0..3 {
        let (na, nb) = (c.full(&format!("s{i}a")), c.full(&format!("s{i}b")));
        let a = c.reef(&na, "sim.reef", &[&nb]);
        let b = c.reef(&nb, "sim.reef", &[&na]);
        pairs.push((a, b));
    }
    for (a, b) in &pairs {
        a.expect("ready", 20);
        b.expect("ready", 20);
    }
    for (a, b) in &mut pairs {
        a.say("go");
        b.say("go");
    }
    for (a, b) in &pairs {
        for (x, y) in [(a, b), (b, a)] {
            x.expect("sim echo ok", 15);
            x.expect(&format!("sim nodes [:\"{}\"]", y.name), 5);
            let ups = x
                .out
                .lines()
                .iter()
                .filter(|l| l.starts_with("nodeup"))
                .count();
            assert_eq!(ups, 1, "one connection, one nodeup:\n{}", x.out.text());
        }
    }
}

fn restarted_node_is_a_new_incarnation() {
    let c = Cluster::new();
    let bname = c.full("b");
    let mut b = c.peer(&bname);
    let mut a = c.reef(&c.full("a"), "incarnation.reef", &[&bname]);
    a.expect("old pid #PID<", 20);
    b.kill9();
    a.expect(&format!("nodedown {bname}"), 10);
    // EPMD forgets the name when it sees the registration's socket close:
    // wait for that, or the new node's registration is refused.
    let alive = bname.split('@').next().unwrap().to_string();
    let end = Instant::now() + Duration::from_secs(10);
    while reef_vm::dist::epmd_client::names(c.epmd_addr())
        .is_ok_and(|names| names.iter().any(|(n, _)| *n == alive))
    {
        assert!(Instant::now() < end, "EPMD still lists {alive}");
        std::thread::sleep(Duration::from_millis(20));
    }
    let b2 = c.peer(&bname);
    a.say("go");
    // The new incarnation answers by name; the old pid reaches nothing.
    a.expect("new echo ok", 15);
    a.expect("old pid: no answer", 10);
    b2.refute("peer got :to_old");
}

// ---- faults ----

fn kill9_noconnection_nodedown_supervisor() {
    let c = Cluster::new();
    let mut b = c.peer(&c.full("b"));
    let a = c.reef(&c.full("a"), "survivor.reef", &[&b.name]);
    a.expect(&format!("nodeup {}", b.name), 20);
    a.expect("worker started linked", 20);
    a.expect(&format!("nodes [:\"{}\"]", b.name), 5);
    a.expect("armed", 10);
    let t0 = Instant::now();
    b.kill9();
    let (t, _) = a.expect_at("link EXIT :noconnection", 10);
    detected("kill -9: link EXIT :noconnection", t0, t);
    let (t, _) = a.expect_at("monitor DOWN :noconnection", 10);
    detected("kill -9: monitor DOWN :noconnection", t0, t);
    for n in 0..2 {
        // node.monitor and node.monitor_nodes each say it once.
        let Some((t, l)) = a.out.find_nth("nodedown", n, Duration::from_secs(10)) else {
            panic!("nodedown {n}\n{}", a.out.text())
        };
        assert_eq!(l, format!("nodedown {}", b.name));
        detected("kill -9: nodedown", t0, t);
    }
    let (t, _) = a.expect_at("worker restarted alone", 10);
    println!(
        "dist figure: kill -9: supervisor restarted its child {:.3} s after",
        since(t0, t)
    );
    std::thread::sleep(Duration::from_millis(300));
    let text = a.out.text();
    assert_eq!(
        text.matches("link EXIT").count(),
        1,
        "exactly once:\n{text}"
    );
    assert_eq!(
        text.matches("monitor DOWN").count(),
        1,
        "exactly once:\n{text}"
    );
    assert_eq!(
        text.matches("nodedown").count(),
        2,
        "once per node monitor:\n{text}"
    );
    assert!(!text.contains("other "), "{text}");
}

fn wrong_cookie_refused_both_sides() {
    let c = Cluster::new();
    let b = c.peer(&c.full("b"));
    let mut a = c.reef_with(&c.full("a"), "another_cookie", "cookie.reef", &[&b.name]);
    a.expect("connect false", 20);
    a.expect("ping pang", 20);
    a.expect("still alive nodes=[]", 5);
    let ea = a.expect_err(&b.name, 5);
    let eb = b.expect_err(&a.name, 5);
    for (who, l) in [("a", &ea), ("b", &eb)] {
        assert!(
            l.to_lowercase().contains("cookie"),
            "{who}'s report says why: {l}"
        );
    }
    println!("dist figure: wrong cookie reports:\n  {ea}\n  {eb}");
    assert!(
        a.wait_end(10).is_some_and(|s| s.success()),
        "a ends normally"
    );
    // The refused node is still there for others.
    let mut f = Fake::connect(
        fake::node_port(c.epmd_addr(), &b.name),
        &c.full("f"),
        &c.cookie,
    )
    .expect("a good cookie still gets in");
    assert!(f.ping_echo());
}

fn fake_peers_are_cut_off() {
    let c = Cluster::new();
    let b = c.peer(&c.full("b"));
    let port = fake::node_port(c.epmd_addr(), &b.name);
    let probe = |what: &str| {
        let mut f = Fake::connect(port, &c.full("probe"), &c.cookie)
            .unwrap_or_else(|e| panic!("after {what}: a good peer cannot connect: {e}"));
        assert!(
            f.ping_echo(),
            "after {what}: the echo process does not answer"
        );
        f.close();
    };
    probe("nothing");

    // Before any handshake: silence (the handshake times out), garbage,
    // a 4 GB handshake length.
    let mut silent = fake::raw(port);
    let mut garbage = fake::raw(port);
    use std::io::Write;
    garbage
        .write_all(&[0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5])
        .unwrap();
    assert!(
        fake::closed_within(&mut garbage, 10),
        "garbage before a handshake: not closed"
    );
    let l = b.expect_err(&garbage.local_addr().unwrap().to_string(), 5);
    assert!(l.contains("protocol error"), "{l}");
    let mut huge = fake::raw(port);
    huge.write_all(&[0xff, 0xff, b'N']).unwrap();
    assert!(
        fake::closed_within(&mut huge, 10),
        "a huge handshake length: not closed"
    );
    let l = b.expect_err(&huge.local_addr().unwrap().to_string(), 5);
    assert!(l.contains("protocol error"), "{l}");
    probe("handshake garbage");

    // After a real handshake: each of these closes the connection with a
    // one-line report, and the node goes on.
    type Attack = fn(&mut Fake);
    let attacks: &[(&str, Attack, &str)] = &[
        (
            "garbage packet",
            |f| f.write(&[0, 0, 0, 5, 0xfe, 1, 2, 3, 4]).unwrap(),
            "closed",
        ),
        (
            "truncated frame",
            |f| {
                f.write(&[0, 0, 3, 232, 112, 131, 104]).unwrap();
                let _ = f.stream.shutdown(std::net::Shutdown::Write);
            },
            "closed",
        ),
        (
            "4 GB length prefix",
            |f| f.write(&[0xff, 0xff, 0xff, 0xff, 112]).unwrap(),
            "over the limit",
        ),
        (
            "unknown control message",
            |f| {
                let ctl = fake::tuple(&[fake::small(99), fake::atom(""), fake::atom("x")]);
                f.send(ctl, None).unwrap()
            },
            "unknown control message",
        ),
        (
            "a control message that is not a term",
            |f| f.write(&[0, 0, 0, 4, 112, 131, 200, 1]).unwrap(),
            "closed",
        ),
    ];
    for (i, (what, attack, says)) in attacks.iter().enumerate() {
        let name = c.full(&format!("evil{i}"));
        let mut f = Fake::connect(port, &name, &c.cookie).expect("handshake");
        assert!(f.ping_echo(), "{what}: works before");
        let t0 = Instant::now();
        attack(&mut f);
        assert!(
            fake::closed_within(&mut f.stream, 2 * TICK + 2),
            "{what}: the connection is not closed"
        );
        let report = b.expect_err(&name, 5);
        assert!(
            report.contains(says),
            "{what}: the report `{report}` should say `{says}`"
        );
        println!(
            "dist figure: {what}: closed in {:.3} s: {report}",
            t0.elapsed().as_secs_f64()
        );
        probe(what);
    }
    // The silent one is cut off by the handshake timeout.
    assert!(
        fake::closed_within(&mut silent, 10),
        "a peer that says nothing: not closed"
    );
    let l = b.expect_err(&silent.local_addr().unwrap().to_string(), 5);
    assert!(l.contains("timed out"), "{l}");
    println!("dist figure: a peer that says nothing: {l}");
    probe("silence");
    b.refute("crashed");
}

/// A peer that closes its connection and connects again at once, under
/// the same name, gets a working connection every time (the node may not
/// have seen the old one go yet).
fn peer_reconnects_at_once() {
    let c = Cluster::new();
    let b = c.peer(&c.full("b"));
    let port = fake::node_port(c.epmd_addr(), &b.name);
    let name = c.full("again");
    for i in 0..40 {
        let mut f =
            Fake::connect(port, &name, &c.cookie).unwrap_or_else(|e| panic!("connection {i}: {e}"));
        assert!(f.ping_echo(), "connection {i}: the echo does not answer");
        f.close();
    }
}

fn atom_flood_is_bounded() {
    let c = Cluster::new();
    let b = c.peer(&c.full("b"));
    let port = fake::node_port(c.epmd_addr(), &b.name);
    let name = c.full("flood");
    let mut f = Fake::connect(port, &name, &c.cookie).expect("handshake");
    assert!(f.ping_echo());
    let before = b.rss_kb();
    // 120 messages of 1,000 new atoms each, to a name nobody has.
    let mut sent = 0;
    for m in 0..120 {
        let atoms: Vec<Vec<u8>> = (0..1000)
            .map(|i| fake::atom(&format!("flood_{}_{m}_{i}", c.tag)))
            .collect();
        if f.reg_send("nobody_here", fake::list(&atoms)).is_err() {
            break;
        }
        sent += 1000;
    }
    assert!(
        fake::closed_within(&mut f.stream, 10),
        "the flooding connection is not closed"
    );
    let report = b.expect_err(&name, 5);
    assert!(
        report.to_lowercase().contains("atom"),
        "the report names the cause: {report}"
    );
    let after = b.rss_kb();
    println!(
        "dist figure: atom flood: {sent} atoms sent; RSS {before} KB before, {after} KB after; {report}"
    );
    assert!(
        after < before + 64 * 1024,
        "RSS grew from {before} KB to {after} KB"
    );
    let mut g = Fake::connect(port, &c.full("after"), &c.cookie).expect("a new peer gets in");
    assert!(g.ping_echo(), "the node still answers");
}

fn epmd_missing_is_started() {
    // No EPMD on this port: the first node starts `reef epmd` (detached,
    // so it outlives the node); the guard kills it.
    let c = Cluster::without_epmd(dist::free_port());
    let _daemon = EpmdDaemon(c.epmd_port);
    let mut a = c.peer(&c.full("a"));
    let names = reef_vm::dist::epmd_client::names(c.epmd_addr()).expect("an EPMD answers");
    let alive = a.name.split('@').next().unwrap().to_string();
    assert!(
        names.iter().any(|(n, _)| *n == alive),
        "{alive} in {names:?}"
    );
    let b = c.reef(&c.full("b"), "pids.reef", &[&a.name]);
    b.expect("direct send ok", 20);
    a.kill9();
    // The registrar outlives the node that started it.
    std::thread::sleep(Duration::from_millis(300));
    let names = reef_vm::dist::epmd_client::names(c.epmd_addr()).expect("EPMD outlives the node");
    assert!(
        !names.iter().any(|(n, _)| *n == alive),
        "{alive} is gone: {names:?}"
    );
}

/// Kills the `reef epmd --daemon --port P` a node started (found in
/// /proc by its command line).
struct EpmdDaemon(u16);

impl Drop for EpmdDaemon {
    fn drop(&mut self) {
        let want = format!("epmd\0--daemon\0--port\0{}\0", self.0);
        for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
                continue;
            };
            let cmd = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
            if String::from_utf8_lossy(&cmd).contains(&want) {
                // SAFETY: kill has no memory-safety preconditions; `pid`
                // is the daemon this test's node started.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                }
            }
        }
    }
}

fn epmd_killed_connections_go_on() {
    let mut c = Cluster::new();
    let b = c.peer(&c.full("b"));
    let mut a = c.reef(&c.full("a"), "rounds.reef", &[&b.name]);
    a.say("one");
    a.expect("round one ok", 20);
    c.epmd.as_mut().unwrap().kill9();
    assert!(
        reef_vm::dist::epmd_client::names(c.epmd_addr()).is_err(),
        "EPMD is gone"
    );
    for r in ["two", "three"] {
        a.say(r);
        a.expect(&format!("round {r} ok"), 10);
    }
    a.refute("timeout");
}

fn partition_with_network_namespaces() {
    let ns = match Netns::new() {
        Ok(ns) => ns,
        Err(why) => {
            println!("dist partition test: network namespaces not available: {why}");
            return;
        }
    };
    let port = dist::free_port();
    let mut c1 = Cluster::without_epmd(port);
    c1.wrap = ns.exec(0);
    let mut c2 = Cluster::without_epmd(port);
    c2.wrap = ns.exec(1);
    c2.cookie = c1.cookie.clone();
    let _e1 = c1.start_epmd(&c1.wrap);
    let _e2 = c2.start_epmd(&c2.wrap);
    let (na, nb) = (
        format!("a_{}@{}", c1.tag, ns.addr(0)),
        format!("b_{}@{}", c1.tag, ns.addr(1)),
    );
    let b = c2.reef(&nb, "sink.reef", &[]);
    b.expect("ready", 20);
    let a = c1.reef(&na, "stream.reef", &[&nb]);
    b.expect("got 20", 20);
    a.expect("nodeup", 5);
    ns.link(false);
    let t0 = Instant::now();
    let (ta, _) = a.expect_at("nodedown", 4 * TICK);
    let (tb, _) = b.expect_at("nodedown", 4 * TICK);
    detected("partition: a sees nodedown", t0, ta);
    detected("partition: b sees nodedown", t0, tb);
    let last_before = *numbers_after(&b.out.lines(), "got ").last().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    ns.link(true);
    let t1 = Instant::now();
    // The next send connects again.
    a.out
        .find_nth("nodeup", 1, Duration::from_secs(15))
        .expect("a reconnects");
    let (t, _) = b
        .out
        .find_nth("nodeup", 1, Duration::from_secs(15))
        .expect("b sees a again");
    // Let a second of messages through the new connection.
    std::thread::sleep(Duration::from_secs(1));
    println!(
        "dist figure: partition healed: reconnected {:.3} s after the link came up",
        since(t1, t)
    );
    let got = numbers_after(&b.out.lines(), "got ");
    let dups = got.windows(2).filter(|w| w[1] <= w[0]).count();
    let lost: u64 = got.windows(2).map(|w| w[1].saturating_sub(w[0] + 1)).sum();
    println!(
        "dist figure: partition: {} messages received, {lost} lost (sent while the link was down), {dups} duplicated or out of order",
        got.len()
    );
    assert_eq!(dups, 0, "no message twice, none out of order: {got:?}");
    assert!(
        got.last() > Some(&(last_before + 10)),
        "messages flow again: {got:?}"
    );
}

/// Two network namespaces joined by a veth pair with 10.x addresses
/// (inside the namespaces only), deleted when dropped.
struct Netns {
    names: [String; 2],
    net: String,
}

impl Netns {
    fn new() -> Result<Netns, String> {
        let id = std::process::id();
        let names = [format!("reefa{id}"), format!("reefb{id}")];
        let net = format!("10.{}.{}", 100 + id % 100, (id / 100) % 250);
        let ns = Netns { names, net };
        let ip = |args: &[&str]| -> Result<(), String> {
            let out = Command::new("ip")
                .args(args)
                .output()
                .map_err(|e| format!("`ip` cannot run: {e}"))?;
            if out.status.success() {
                Ok(())
            } else {
                Err(format!(
                    "`ip {}` failed: {}",
                    args.join(" "),
                    String::from_utf8_lossy(&out.stderr).trim()
                ))
            }
        };
        let (a, b) = (ns.names[0].as_str(), ns.names[1].as_str());
        ip(&["netns", "add", a])?;
        ip(&["netns", "add", b])?;
        let (va, vb) = (format!("va{id}"), format!("vb{id}"));
        ip(&[
            "-n", a, "link", "add", &va, "type", "veth", "peer", "name", &vb, "netns", b,
        ])?;
        for (i, (n, v)) in [(a, &va), (b, &vb)].into_iter().enumerate() {
            ip(&[
                "-n",
                n,
                "addr",
                "add",
                &format!("{}/24", ns.addr(i)),
                "dev",
                v,
            ])?;
            ip(&["-n", n, "link", "set", v, "up"])?;
            ip(&["-n", n, "link", "set", "lo", "up"])?;
        }
        Ok(ns)
    }

    fn addr(&self, i: usize) -> String {
        format!("{}.{}", self.net, i + 1)
    }

    fn exec(&self, i: usize) -> Vec<String> {
        ["ip", "netns", "exec", &self.names[i]]
            .map(String::from)
            .to_vec()
    }

    /// Sets a's end of the link up or down.
    fn link(&self, up: bool) {
        let v = format!("va{}", std::process::id());
        let st = Command::new("ip")
            .args([
                "-n",
                &self.names[0],
                "link",
                "set",
                &v,
                if up { "up" } else { "down" },
            ])
            .status()
            .expect("ip runs");
        assert!(st.success());
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        for n in &self.names {
            let _ = Command::new("ip").args(["netns", "del", n]).status();
        }
    }
}

// ---- Reef <-> erl ----

/// The erl side's echo server, registered as `echo` (the same protocol
/// as peer.reef): it prints what it gets, and tries to call a fun.
const ERL_ECHO: &str = r#"
EchoLoop = fun Loop() ->
    receive
        {From, whoami} -> From ! {me, self()}, Loop();
        {From, X} ->
            case is_binary(X) andalso byte_size(X) > 1000 of
                true -> io:format("erl got a binary of ~p bytes~n", [byte_size(X)]);
                false -> io:format("erl got ~ts~n", [io_lib:print(X, 1, 1000000, -1)])
            end,
            case is_function(X, 1) of
                true ->
                    try X(1) of V -> io:format("erl called the reef fun: ~p~n", [V])
                    catch C:E -> io:format("erl cannot call the reef fun: ~p:~p~n", [C, E])
                    end;
                false -> ok
            end,
            From ! {echo, X},
            Loop()
    end
end,
register(echo, spawn(EchoLoop)),
io:format("erl echo ready~n"),
"#;

fn erl_terms_both_ways() {
    let c = Cluster::new();
    let r = c.peer(&c.full("r"));
    let script = r#"
R = 'REEF',
pong = net_adm:ping(R),
io:format("erl ping pong~n"),
Ts = [0, -1, 255, 256, 2147483647, -2147483649, 1000000000000000000000,
      -1000000000000000000000, 2.5, -1.25e-300, 1.0e300, ok,
      list_to_atom([233,116,233]), binary_to_atom(<<230,151,165,230,156,172>>, utf8),
      <<"str">>, <<>>, unicode:characters_to_binary([104,233,108,108,111]), <<255>>,
      <<0,1,2>>, {}, {1}, {1,a,<<"b">>}, [], [1,2,3], [1|2], [1,2|t], #{},
      #{a => 1, <<"k">> => [1,{2,3}]}, self(), make_ref(), fun lists:map/2, true, nil],
Echo = fun(T) -> {echo, R} ! {self(), T}, receive {echo, X} -> X after 5000 -> timeout end end,
lists:foreach(fun({I, T}) -> X = Echo(T), io:format("erl term ~p same=~p ~w~n", [I, X =:= T, X]) end,
              lists:zip(lists:seq(1, length(Ts)), Ts)),
io:format("erl terms ~p~n", [length(Ts)]),
F = fun(X) -> X * 2 end,
F2 = Echo(F),
io:format("erl fun back ~p~n", [F2(21)]),
Big = binary:copy(<<1,2,3,255>>, 500000),
io:format("erl big same=~p~n", [Echo(Big) =:= Big]),
"#
    .replace("REEF", &r.name)
        + ERL_ECHO
        + "receive stop -> ok after 60000 -> ok end.";
    let e = c.erl(&c.full("e"), &script);
    e.expect("erl ping pong", 20);
    let n: usize = e.expect("erl terms ", 20)["erl terms ".len()..]
        .parse()
        .unwrap();
    let same = e
        .out
        .lines()
        .iter()
        .filter(|l| l.starts_with("erl term ") && l.contains(" same=true "))
        .count();
    assert_eq!(same, n, "erl: every term comes back =:=\n{}", e.out.text());
    e.expect("erl fun back 42", 5);
    // How Reef's inspect shows what erl sent.
    for shown in [
        "peer got \"str\"",
        "peer got \"héllo\"",
        "peer got <<255>>",
        "peer got :\"été\"",
        "peer got :\"日本\"",
        "peer got (1, :a, \"b\")",
        "peer got [1, 2 | :t]",
        "peer got #{:a => 1, \"k\" => [1, (2, 3)]}",
        "peer got #Fn<lists.map/2>",
        "peer got 1000000000000000000000",
    ] {
        r.expect(shown, 5);
    }
    let p = r.expect("peer got #PID<", 5);
    assert!(!p.contains("#PID<0."), "{p}");

    // Reef -> erl.
    e.expect("erl echo ready", 10);
    let t = c.reef(&c.full("t"), "terms.reef", &[&e.name, "echo"]);
    let n: usize = t.expect("terms ", 20)["terms ".len()..].parse().unwrap();
    t.expect("terms done", 30);
    let same = t
        .out
        .lines()
        .iter()
        .filter(|l| l.starts_with("term ") && l.contains(" same=true "))
        .count();
    assert_eq!(
        same,
        n,
        "every term comes back from erl equal:\n{}",
        t.out.text()
    );
    for shown in [
        "erl got <<\"str\">>",
        "erl got <<0,1,2>>",
        "erl got {1,a,<<\"b\">>}",
        "erl got [1,2|t]",
        "erl got 1000000000000000000000",
        "erl got {}",
    ] {
        e.expect(shown, 5);
    }
    // A Reef closure on erl: a fun erl cannot call; nothing crashes, and
    // it comes back to Reef still callable.
    let l = e.expect("erl cannot call the reef fun", 5);
    println!("dist figure: a Reef closure called on erl: {l}");
    t.expect("closure back callable=50", 5);
    // Big ones, both ways (fragmented on the wire).
    e.expect("erl big same=true", 20);
    let big = c.reef(&c.full("big"), "big.reef", &[&e.name, "echo"]);
    big.expect("big 2097152 same=true", 60);
    big.expect("big 1048576 same=true", 60);
    e.expect("erl got a binary of 2097152 bytes", 5);
}

fn erl_links_monitors_rpc_spawn() {
    let c = Cluster::new();
    let r = c.peer(&c.full("r"));
    let script = r#"
R = 'REEF', Me = self(),
T = 5000,
pong = net_adm:ping(R),
process_flag(trap_exit, true),
P1 = spawn_link(R, helper, crash_after, [200, boom]),
receive {'EXIT', P1, Why1} -> io:format("erl trapped EXIT ~p~n", [Why1]) after T -> io:format("timeout 1~n") end,
L = spawn(fun() -> P2 = spawn(R, helper, crash_after, [300, boom2]), link(P2), receive never -> ok end end),
ML = monitor(process, L),
receive {'DOWN', ML, process, L, Why2} -> io:format("erl process killed by reef crash ~p~n", [Why2]) after T -> io:format("timeout 2~n") end,
Bomb = spawn(fun() -> receive die -> exit(erl_boom) end end),
spawn(R, helper, link_to, [Bomb, Me]),
R2 = receive {linked, X2} -> X2 after T -> none end,
M2 = monitor(process, R2),
Bomb ! die,
receive {'DOWN', M2, process, R2, Why3} -> io:format("reef process killed by erl crash ~p~n", [Why3]) after T -> io:format("timeout 3~n") end,
W = spawn(R, helper, crash_after, [300, bye]),
MW = monitor(process, W),
receive {'DOWN', MW, process, W, Why4} -> io:format("erl monitor DOWN ~p~n", [Why4]) after T -> io:format("timeout 4~n") end,
Loc = spawn(fun() -> receive go -> exit(erl_reason) end end),
spawn(R, helper, monitor_report, [Loc, Me]),
receive {monitoring, _} -> ok after T -> io:format("timeout 5~n") end,
Loc ! go,
receive {reef_saw_down, Loc, Why5} -> io:format("reef monitor DOWN ~p~n", [Why5]) after T -> io:format("timeout 6~n") end,
Tr = spawn(R, helper, trap_report, [Me]),
receive {trapping, Tr} -> ok after T -> io:format("timeout 7~n") end,
exit(Tr, from_erl),
receive {got_exit, Me, Why6} -> io:format("reef trapped exit/2 ~p~n", [Why6]) after T -> io:format("timeout 8~n") end,
{echo, R} ! {Me, hello_by_name},
receive {echo, hello_by_name} -> io:format("erl name send ok~n") after T -> io:format("timeout 9~n") end,
io:format("rpc ok ~p~n", [rpc:call(R, lists, reverse, [[1,2,3]])]),
io:format("rpc error ~w~n", [rpc:call(R, helper, fail, [])]),
io:format("rpc undef ~w~n", [rpc:call(R, nosuch, f, [])]),
erlang:spawn(R, helper, reply, [Me, from_erl_spawn]),
receive {reply, from_erl_spawn, SP} -> io:format("erl spawn ran on ~p~n", [node(SP)]) after T -> io:format("timeout 10~n") end,
io:format("erl done~n"),
halt().
"#
    .replace("REEF", &r.name);
    let e = c.erl(&c.full("e"), &script);
    e.expect("erl trapped EXIT boom", 20);
    e.expect("erl process killed by reef crash boom2", 10);
    e.expect("reef process killed by erl crash erl_boom", 10);
    e.expect("erl monitor DOWN bye", 10);
    e.expect("reef monitor DOWN erl_reason", 10);
    e.expect("reef trapped exit/2 from_erl", 10);
    e.expect("erl name send ok", 10);
    e.expect("rpc ok [3,2,1]", 10);
    let l = e.expect("rpc error ", 10);
    assert!(l.contains("{badrpc,{'EXIT',{on_purpose,"), "{l}");
    let l = e.expect("rpc undef ", 10);
    // Reef's undef reason is (:undef, (m, f, arity)), not Erlang's bare
    // `undef` with the call on top of the stack.
    assert!(l.contains("{badrpc,{'EXIT',{{undef,{nosuch,f,0}},"), "{l}");
    e.expect(&format!("erl spawn ran on '{}'", r.name), 10);
    e.expect("erl done", 10);
    e.refute("timeout");
}

fn erl_sees_reef_node_killed() {
    let c = Cluster::new();
    let mut r = c.peer(&c.full("r"));
    let script = r#"
R = 'REEF',
pong = net_adm:ping(R),
process_flag(trap_exit, true),
P = spawn_link(R, helper, wait_forever, []),
Q = spawn(R, helper, wait_forever, []),
MQ = monitor(process, Q),
monitor_node(R, true),
io:format("erl armed~n"),
Loop = fun L(0) -> ok;
           L(N) ->
               receive
                   {'EXIT', P, W} -> io:format("erl EXIT ~p~n", [W]);
                   {'DOWN', MQ, process, Q, W} -> io:format("erl DOWN ~p~n", [W]);
                   {nodedown, Nd} -> io:format("erl nodedown ~p~n", [Nd])
               after 10000 -> io:format("erl timeout~n")
               end,
               L(N - 1)
       end,
Loop(3),
halt().
"#
    .replace("REEF", &r.name);
    let e = c.erl(&c.full("e"), &script);
    e.expect("erl armed", 20);
    let t0 = Instant::now();
    r.kill9();
    let (t, _) = e.expect_at("erl EXIT noconnection", 10);
    detected("erl: link EXIT noconnection", t0, t);
    let (t, _) = e.expect_at("erl DOWN noconnection", 10);
    detected("erl: monitor DOWN noconnection", t0, t);
    let (t, _) = e.expect_at(&format!("erl nodedown '{}'", r.name), 10);
    detected("erl: nodedown", t0, t);
}

fn reef_sees_erl_node_killed() {
    let c = Cluster::new();
    let script = ERL_ECHO.to_string() + "receive stop -> ok after 60000 -> ok end.";
    let mut e = c.erl(&c.full("e"), &script);
    e.expect("erl echo ready", 20);
    let w = c.reef(&c.full("w"), "watch.reef", &[&e.name]);
    let l = w.expect("armed #PID<", 20);
    assert!(!l.contains("#PID<0."), "{l}");
    let t0 = Instant::now();
    e.kill9();
    let (t, _) = w.expect_at("link EXIT :noconnection", 10);
    detected("reef: link EXIT :noconnection from erl", t0, t);
    let (t, _) = w.expect_at("monitor DOWN :noconnection", 10);
    detected("reef: monitor DOWN :noconnection from erl", t0, t);
    let (t, _) = w.expect_at(&format!("nodedown {}", e.name), 10);
    detected("reef: nodedown of erl", t0, t);
}

fn reef_joins_erl_cluster() {
    let c = Cluster::new();
    let e1 = c.erl(
        &c.full("e1"),
        "io:format(\"e1 up~n\"), receive stop -> ok after 60000 -> ok end.",
    );
    e1.expect("e1 up", 20);
    let script = format!(
        "pong = net_adm:ping('{}'), io:format(\"e2 connected~n\"), receive stop -> ok after 60000 -> ok end.",
        e1.name
    );
    let e2 = c.erl(&c.full("e2"), &script);
    e2.expect("e2 connected", 20);
    let j = c.reef(&c.full("j"), "join.reef", &[&e1.name, &e2.name]);
    j.expect("connect true", 20);
    let after_one = j.expect("after one ", 5);
    println!("dist figure: erl cluster: after connecting to one: {after_one}");
    let l = j.expect("nodes ", 10);
    assert!(l.ends_with("both=true"), "{l}");
}
