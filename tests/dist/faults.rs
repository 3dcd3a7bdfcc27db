//! Faults: a node killed -9, a wrong cookie, fake peers that send
//! garbage or flood atoms, EPMD missing or killed, a partition made with
//! network namespaces.

use std::process::Command;
use std::time::{Duration, Instant};

use super::dist::fake::{self, Fake};
use super::dist::{self, numbers_after, Cluster, TICK};
use super::{detected, since};

pub fn kill9_noconnection_nodedown_supervisor() {
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

pub fn wrong_cookie_refused_both_sides() {
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

pub fn fake_peers_are_cut_off() {
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
pub fn peer_reconnects_at_once() {
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

pub fn atom_flood_is_bounded() {
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

pub fn epmd_missing_is_started() {
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

pub fn epmd_killed_connections_go_on() {
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

pub fn partition_with_network_namespaces() {
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
