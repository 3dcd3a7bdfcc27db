//! The distribution's network layer against real Erlang/OTP: `erl` nodes
//! and `epmd` registering with, finding, and connecting to ours, and the
//! other way round. Everything on 127.0.0.1, on free ports; every OS
//! process started here is killed when its guard drops, and every wait is
//! bounded.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use reef_vm::dist::epmd_client;
use reef_vm::dist::epmd_server::{Options, Server};
use reef_vm::dist::framing::{
    read_packet, term_len, write_tick, FrameError, Packet, Reassembler, DEFAULT_MAX_PACKET,
};
use reef_vm::dist::handshake::{
    self, Admit, Config, HandshakeError, DEFAULT_FLAGS, DFLAG_FRAGMENTS,
};

fn require(cmd: &str) {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(cmd).is_file()));
    assert!(
        found,
        "`{cmd}` is not on PATH: these tests need Erlang/OTP (apt-get install -y erlang-base)"
    );
}

/// A child process, killed and reaped on drop; its stdout lines arrive on
/// a channel.
struct Proc {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Proc {
    fn spawn(mut cmd: Command) -> Proc {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the process");
        let out = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Proc {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The first line (from now on) that starts with `prefix`, waiting at
    /// most `within`.
    fn line(&mut self, prefix: &str, within: Duration) -> String {
        let end = Instant::now() + within;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) if l.starts_with(prefix) => return l,
                Ok(l) => self.seen.push(l),
                Err(_) => panic!(
                    "no line starting with `{prefix}` within {within:?}; got {:?}",
                    self.seen
                ),
            }
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn our_epmd() -> Server {
    Server::start(
        TcpListener::bind("127.0.0.1:0").unwrap(),
        Options::default(),
    )
    .unwrap()
}

/// `erl -name NAME@127.0.0.1` using the EPMD at `epmd`, running `eval`
/// (which should end with `halt()`; it also halts itself after 20 s).
fn erl(epmd: SocketAddr, name: &str, cookie: &str, extra: &[&str], eval: &str) -> Proc {
    require("erl");
    let mut cmd = Command::new("erl");
    cmd.env("ERL_EPMD_PORT", epmd.port().to_string())
        .args(["-noshell", "-start_epmd", "false", "-name"])
        .arg(format!("{name}@127.0.0.1"))
        .args(["-setcookie", cookie])
        .args(extra)
        .arg("-eval")
        .arg(format!(
            "timer:apply_after(20000, erlang, halt, [3]), {eval}"
        ));
    Proc::spawn(cmd)
}

/// Polls EPMD until `alive` is registered; returns its port.
fn wait_registered(epmd: SocketAddr, alive: &str) -> u16 {
    let end = Instant::now() + Duration::from_secs(15);
    while Instant::now() < end {
        if let Ok(Some((port, version))) = epmd_client::port_please(epmd, alive) {
            assert_eq!(version, 6);
            return port;
        }
        thread::sleep(Duration::from_millis(20));
    }
    panic!("`{alive}` never registered with EPMD at {epmd}");
}

fn cfg(cookie: &str, flags: u64) -> Config {
    Config {
        this: "r@127.0.0.1".into(),
        creation: 5,
        cookie: cookie.into(),
        flags,
    }
}

#[test]
fn erl_registers_with_our_epmd_and_finds_our_names() {
    let srv = our_epmd();
    let epmd = srv.addr();
    let (_reg, _) = epmd_client::register(epmd, "r", 12345).unwrap();
    let mut e = erl(
        epmd,
        "e",
        "c",
        &[],
        "io:format(\"port ~p~n\", [erl_epmd:port_please(\"r\", {127,0,0,1})]), \
         {ok, Names} = net_adm:names({127,0,0,1}), \
         io:format(\"names ~p~n\", [lists:sort(Names)]), \
         timer:sleep(20000).",
    );
    let port = wait_registered(epmd, "e");
    assert_ne!(port, 0);
    assert_eq!(
        e.line("port", Duration::from_secs(15)),
        "port {port,12345,6}"
    );
    assert_eq!(
        e.line("names", Duration::from_secs(5)),
        format!("names [{{\"e\",{port}}},{{\"r\",12345}}]")
    );
    drop(e);
    // The node is gone: its registration closed with it.
    let end = Instant::now() + Duration::from_secs(5);
    while epmd_client::port_please(epmd, "e").unwrap().is_some() {
        assert!(Instant::now() < end, "`e` still registered after erl died");
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn our_client_against_a_real_epmd() {
    require("epmd");
    let port = free_port();
    let mut cmd = Command::new("epmd");
    cmd.args(["-port", &port.to_string()]);
    let mut real = Proc::spawn(cmd);
    let epmd: SocketAddr = ([127, 0, 0, 1], port).into();
    let end = Instant::now() + Duration::from_secs(10);
    while epmd_client::names(epmd).is_err() {
        assert!(Instant::now() < end, "epmd never listened on {port}");
        thread::sleep(Duration::from_millis(20));
    }
    let (reg, creation) = epmd_client::register(epmd, "x", 999).unwrap();
    assert!(creation >= 4, "{creation}");
    assert_eq!(epmd_client::port_please(epmd, "x").unwrap(), Some((999, 6)));
    assert_eq!(epmd_client::port_please(epmd, "nobody").unwrap(), None);
    assert_eq!(epmd_client::names(epmd).unwrap(), [("x".to_string(), 999)]);
    assert_eq!(
        epmd_client::register(epmd, "x", 1).unwrap_err().kind(),
        std::io::ErrorKind::AddrInUse
    );
    assert_eq!(epmd_client::kill(epmd).unwrap(), "NO");
    drop(reg);
    let end = Instant::now() + Duration::from_secs(5);
    while !epmd_client::names(epmd).unwrap().is_empty() {
        assert!(Instant::now() < end);
        thread::sleep(Duration::from_millis(20));
    }
    let (_reg, again) = epmd_client::register(epmd, "x", 999).unwrap();
    assert_eq!(again, creation + 1);
    drop(_reg);
    thread::sleep(Duration::from_millis(100));
    assert_eq!(epmd_client::kill(epmd).unwrap(), "OK");
    let end = Instant::now() + Duration::from_secs(5);
    while real.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < end, "epmd did not exit on KILL_REQ");
        thread::sleep(Duration::from_millis(20));
    }
}

/// What `serve_packets` saw.
#[derive(Default)]
struct Seen {
    ticks: usize,
    /// Payloads of whole messages.
    msgs: Vec<Vec<u8>>,
    /// Data packets by layout: pass-through, `131 68`, `131 69`, `131 70`.
    layouts: [usize; 4],
}

/// Reads packets for `how_long`, answering each tick with a tick and
/// ticking when idle, failing on any framing error.
fn serve_packets(s: &mut TcpStream, how_long: Duration) -> Seen {
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let end = Instant::now() + how_long;
    let mut r = Reassembler::default();
    let mut seen = Seen::default();
    let mut last_sent = Instant::now();
    while Instant::now() < end {
        match read_packet(s, DEFAULT_MAX_PACKET) {
            Ok(Packet::Tick) => {
                seen.ticks += 1;
                write_tick(s).unwrap();
                last_sent = Instant::now();
            }
            Ok(Packet::Data(d)) => {
                match d[..2] {
                    [112, _] => seen.layouts[0] += 1,
                    [131, 68] => seen.layouts[1] += 1,
                    [131, 69] => seen.layouts[2] += 1,
                    [131, 70] => seen.layouts[3] += 1,
                    _ => {}
                }
                if let Some(m) = r.push(d).expect("erl's packet parses") {
                    seen.msgs.push(m.payload.unwrap_or_default());
                }
            }
            Err(FrameError::Idle) => {}
            Err(FrameError::Closed) => break,
            Err(e) => panic!("{e}"),
        }
        if last_sent.elapsed() > Duration::from_millis(300) {
            write_tick(s).unwrap();
            last_sent = Instant::now();
        }
    }
    seen
}

#[test]
fn we_connect_to_erl_and_keep_the_connection_alive() {
    let srv = our_epmd();
    let mut e = erl(
        srv.addr(),
        "e",
        "c",
        &["-kernel", "net_ticktime", "2"],
        "W = fun W(0) -> io:format(\"never~n\"), halt(1); \
                 W(N) -> case nodes() of [] -> timer:sleep(20), W(N-1); \
                 Ns -> io:format(\"up ~p~n\", [Ns]) end end, \
         W(500), timer:sleep(3000), \
         io:format(\"still ~p~n\", [nodes()]), halt().",
    );
    let port = wait_registered(srv.addr(), "e");
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let peer = handshake::connect(&mut s, &cfg("c", DEFAULT_FLAGS)).unwrap();
    assert_eq!(peer.name, "e@127.0.0.1");
    assert_eq!(
        peer.flags & handshake::DFLAGS_MANDATORY_25,
        handshake::DFLAGS_MANDATORY_25
    );
    assert_eq!(e.line("up", Duration::from_secs(10)), "up ['r@127.0.0.1']");
    // With net_ticktime 2, erl ticks every 0.5 s and drops a peer silent
    // for 2 s: still connected after 3 s means our ticks got through.
    let ticks = serve_packets(&mut s, Duration::from_millis(3500)).ticks;
    assert!(ticks >= 2, "{ticks} ticks");
    assert_eq!(
        e.line("still", Duration::from_secs(5)),
        "still ['r@127.0.0.1']"
    );
}

#[test]
fn erl_connects_to_us_with_the_right_and_a_wrong_cookie() {
    for (cookie, expect) in [("c", "true"), ("wrong", "false")] {
        let srv = our_epmd();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let (_reg, _) =
            epmd_client::register(srv.addr(), "r", listener.local_addr().unwrap().port()).unwrap();
        let server = thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let r = handshake::accept(&mut s, &cfg("c", DEFAULT_FLAGS), &|_| Admit::Ok);
            if r.is_ok() {
                serve_packets(&mut s, Duration::from_secs(3));
            }
            r
        });
        let mut e = erl(
            srv.addr(),
            "e",
            cookie,
            &[],
            "io:format(\"result ~p~n\", [net_kernel:connect_node('r@127.0.0.1')]), \
             timer:sleep(200), halt().",
        );
        assert_eq!(
            e.line("result", Duration::from_secs(15)),
            format!("result {expect}")
        );
        drop(e);
        let r = server.join().unwrap();
        if expect == "true" {
            let peer = r.unwrap();
            assert_eq!(peer.name, "e@127.0.0.1");
            assert!(peer.creation >= 4);
        } else {
            let err = r.unwrap_err();
            assert!(
                matches!(&err, HandshakeError::BadCookie { peer } if peer == "e@127.0.0.1"),
                "{err}"
            );
            assert_eq!(
                err.to_string(),
                "connection from e@127.0.0.1 refused: wrong cookie"
            );
        }
    }
}

#[test]
fn erl_sends_a_megabyte_in_either_layout() {
    // Without FRAGMENTS erl sends one pass-through packet; with it, 64 KB
    // fragments behind `131 69`/`131 70` headers. Either way the
    // reassembled payload is the binary, whole.
    for flags in [DEFAULT_FLAGS, DEFAULT_FLAGS | DFLAG_FRAGMENTS] {
        let srv = our_epmd();
        let mut e = erl(
            srv.addr(),
            "e",
            "c",
            &[],
            "W = fun W(0) -> halt(1); \
                     W(N) -> case nodes() of [] -> timer:sleep(20), W(N-1); \
                     _ -> ok end end, \
             W(500), \
             {foo, 'r@127.0.0.1'} ! binary:copy(<<1,2,3,4>>, 262144), \
             io:format(\"sent~n\"), timer:sleep(3000), halt().",
        );
        let port = wait_registered(srv.addr(), "e");
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let peer = handshake::connect(&mut s, &cfg("c", flags)).unwrap();
        assert_eq!(peer.flags & DFLAG_FRAGMENTS, flags & DFLAG_FRAGMENTS);
        e.line("sent", Duration::from_secs(10));
        let seen = serve_packets(&mut s, Duration::from_millis(1000));
        let [pass, whole, first, rest] = seen.layouts;
        if flags & DFLAG_FRAGMENTS == 0 {
            assert!(pass >= 1 && whole + first + rest == 0, "{:?}", seen.layouts);
        } else {
            // 1 MB in 64 KB fragments: a first and at least 15 more.
            assert!(pass == 0 && first >= 1 && rest >= 15, "{:?}", seen.layouts);
        }
        let big = seen
            .msgs
            .iter()
            .find(|m| m.len() > 1 << 20)
            .unwrap_or_else(|| panic!("no 1 MB message among {} ({flags:#x})", seen.msgs.len()));
        assert_eq!(&big[..6], &[131, 109, 0, 16, 0, 0]);
        assert!(big[6..].chunks(4).all(|c| c == [1, 2, 3, 4]));
    }
}

#[test]
fn term_len_agrees_with_erl_term_to_binary() {
    // Every kind of term the distribution carries, encoded by OTP itself.
    let srv = our_epmd();
    let mut e = erl(
        srv.addr(),
        "t",
        "c",
        &[],
        "Terms = [self(), make_ref(), fun() -> ok end, fun lists:map/2, \
                  #{a => 1, \"b\" => [1.5, <<1:3>>]}, 1 bsl 100, -(1 bsl 2000), \
                  {a, \"str\", [], [1|2]}, hd(erlang:ports()), \
                  binary_to_atom(<<195, 188>>, utf8), <<\"bin\">>, \
                  lists:seq(1, 300), {node(), 3.25, -7, 70000}], \
         [io:format(\"term ~w~n\", [binary_to_list(term_to_binary(T))]) || T <- Terms], \
         io:format(\"done~n\"), halt().",
    );
    let mut n = 0;
    loop {
        let line = e.line("", Duration::from_secs(15));
        if line == "done" {
            break;
        }
        let Some(list) = line.strip_prefix("term [") else {
            continue;
        };
        let bytes: Vec<u8> = list
            .trim_end_matches(']')
            .split(',')
            .map(|b| b.parse().unwrap())
            .collect();
        assert_eq!(bytes[0], 131);
        assert_eq!(term_len(&bytes[1..]), Some(bytes.len() - 1), "{line}");
        n += 1;
    }
    assert_eq!(n, 13);
}
