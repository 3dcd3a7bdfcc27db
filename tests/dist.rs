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
#[path = "dist/erl.rs"]
mod erl;
#[path = "dist/faults.rs"]
mod faults;

use std::time::{Duration, Instant};

use dist::{Cluster, TICK};
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
            faults::kill9_noconnection_nodedown_supervisor,
        ),
        (
            "wrong_cookie_refused_both_sides",
            faults::wrong_cookie_refused_both_sides,
        ),
        ("fake_peers_are_cut_off", faults::fake_peers_are_cut_off),
        ("atom_flood_is_bounded", faults::atom_flood_is_bounded),
        ("peer_reconnects_at_once", faults::peer_reconnects_at_once),
        ("epmd_missing_is_started", faults::epmd_missing_is_started),
        (
            "epmd_killed_connections_go_on",
            faults::epmd_killed_connections_go_on,
        ),
        (
            "partition_with_network_namespaces",
            faults::partition_with_network_namespaces,
        ),
        ("erl_terms_both_ways", erl::erl_terms_both_ways),
        (
            "erl_links_monitors_rpc_spawn",
            erl::erl_links_monitors_rpc_spawn,
        ),
        ("erl_sees_reef_node_killed", erl::erl_sees_reef_node_killed),
        ("reef_sees_erl_node_killed", erl::reef_sees_erl_node_killed),
        ("reef_joins_erl_cluster", erl::reef_joins_erl_cluster),
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
    // Pids 1 to 3 are the node's net_kernel, rex and I/O server.
    a.expect(&format!("local pid #PID<0.4.0> node={}", a.name), 5);
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
