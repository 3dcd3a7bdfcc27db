//! Our `connect` against our `accept`, and both against broken peers.

use super::*;
use std::io::Write;
use std::net::{Shutdown, TcpListener};
use std::thread;

fn cfg(name: &str, cookie: &str) -> Config {
    Config {
        this: name.to_string(),
        creation: 0x1234_5678,
        cookie: cookie.to_string(),
        flags: DEFAULT_FLAGS,
    }
}

const SHORT: Duration = Duration::from_millis(800);

/// Runs `accept` with `b` and `admit` in a thread, `connect_with` with `a`
/// here; returns both results.
fn pair(
    a: Config,
    b: Config,
    admit: Admit,
    on_alive: bool,
) -> (Result<Peer, HandshakeError>, Result<Peer, HandshakeError>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let seen = std::sync::Mutex::new(Vec::new());
        let r = accept_within(
            &mut s,
            &b,
            &|peer| {
                seen.lock().unwrap().push(peer.to_string());
                admit
            },
            SHORT * 4,
        );
        // `resolve` is called once, with A's name, whatever happens next.
        if r.is_ok() || matches!(r, Err(HandshakeError::Refused { .. })) {
            assert_eq!(*seen.lock().unwrap(), ["a@127.0.0.1"]);
        }
        r
    });
    let mut s = TcpStream::connect(addr).unwrap();
    let r = connect_within(&mut s, &a, &|_| on_alive, SHORT * 4);
    drop(s);
    (r, server.join().unwrap())
}

#[test]
fn handshake_succeeds_and_each_side_learns_the_other() {
    let (a, b) = pair(
        cfg("a@127.0.0.1", "secret"),
        cfg("b@127.0.0.1", "secret"),
        Admit::Ok,
        true,
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.name, "b@127.0.0.1");
    assert_eq!(b.name, "a@127.0.0.1");
    assert_eq!((a.creation, b.creation), (0x1234_5678, 0x1234_5678));
    assert_eq!((a.flags, b.flags), (DEFAULT_FLAGS, DEFAULT_FLAGS));
}

#[test]
fn wrong_cookie_is_refused_on_both_sides() {
    let (a, b) = pair(
        cfg("a@127.0.0.1", "one"),
        cfg("b@127.0.0.1", "two"),
        Admit::Ok,
        true,
    );
    let b = b.unwrap_err();
    assert!(matches!(&b, HandshakeError::BadCookie { peer } if peer == "a@127.0.0.1"));
    assert_eq!(
        b.to_string(),
        "connection from a@127.0.0.1 refused: wrong cookie"
    );
    let a = a.unwrap_err();
    assert!(
        matches!(&a, HandshakeError::CookieRejected { peer } if peer == "b@127.0.0.1"),
        "{a}"
    );
    assert!(a
        .to_string()
        .starts_with("connection to b@127.0.0.1 refused"));
}

#[test]
fn nok_and_not_allowed_end_both_sides() {
    for (admit, status) in [
        (Admit::Nok, Status::Nok),
        (Admit::NotAllowed, Status::NotAllowed),
    ] {
        let (a, b) = pair(
            cfg("a@127.0.0.1", "c"),
            cfg("b@127.0.0.1", "c"),
            admit,
            true,
        );
        assert!(
            matches!(a, Err(HandshakeError::Refused { side: Side::To, status: s, .. }) if s == status)
        );
        let b = b.unwrap_err();
        assert!(
            matches!(&b, HandshakeError::Refused { side: Side::From, status: s, peer } if *s == status && peer == "a@127.0.0.1")
        );
        assert_eq!(
            b.to_string(),
            format!(
                "connection from a@127.0.0.1 refused: status {}",
                status.text()
            )
        );
    }
}

#[test]
fn ok_simultaneous_goes_on() {
    let (a, b) = pair(
        cfg("a@127.0.0.1", "c"),
        cfg("b@127.0.0.1", "c"),
        Admit::OkSimultaneous,
        true,
    );
    assert_eq!(a.unwrap().name, "b@127.0.0.1");
    assert_eq!(b.unwrap().name, "a@127.0.0.1");
}

#[test]
fn alive_asks_the_connecting_side() {
    let (a, b) = pair(
        cfg("a@127.0.0.1", "c"),
        cfg("b@127.0.0.1", "c"),
        Admit::Alive,
        true,
    );
    assert!(a.is_ok() && b.is_ok());
    let (a, b) = pair(
        cfg("a@127.0.0.1", "c"),
        cfg("b@127.0.0.1", "c"),
        Admit::Alive,
        false,
    );
    assert!(matches!(
        a,
        Err(HandshakeError::Refused {
            status: Status::Alive,
            ..
        })
    ));
    assert!(matches!(
        b,
        Err(HandshakeError::Refused {
            status: Status::Alive,
            side: Side::From,
            ..
        })
    ));
}

#[test]
fn digest_is_md5_of_cookie_and_decimal_challenge() {
    // md5("abc12345") computed independently (coreutils md5sum).
    let d = digest(12345, "abc");
    let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex, "d6b0ab7f1c8ab8f514db9a6d85de160a");
}

/// A peer that sends `bytes` (then closes, or stays silent if `hold`)
/// to our `accept`; returns what `accept` says and how long it took.
fn accept_from_raw(bytes: &[u8], hold: bool) -> (Result<Peer, HandshakeError>, Duration) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let bytes = bytes.to_vec();
    let client = thread::spawn(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        let _ = s.write_all(&bytes);
        if hold {
            thread::sleep(SHORT * 2);
        } else {
            let _ = s.shutdown(Shutdown::Write);
            // Drain whatever accept answers, so it never blocks writing.
            let _ = std::io::copy(&mut s, &mut std::io::sink());
        }
    });
    let (mut s, _) = listener.accept().unwrap();
    let t = Instant::now();
    let r = accept_within(&mut s, &cfg("b@127.0.0.1", "c"), &|_| Admit::Ok, SHORT);
    let took = t.elapsed();
    drop(s);
    client.join().unwrap();
    (r, took)
}

fn name_msg(name: &str, flags: u64) -> Vec<u8> {
    name_msg_bytes(name.as_bytes(), flags)
}

fn name_msg_bytes(name: &[u8], flags: u64) -> Vec<u8> {
    let mut m = vec![b'N'];
    m.extend_from_slice(&flags.to_be_bytes());
    m.extend_from_slice(&7u32.to_be_bytes());
    m.extend_from_slice(&(name.len() as u16).to_be_bytes());
    m.extend_from_slice(name);
    let mut framed = (m.len() as u16).to_be_bytes().to_vec();
    framed.extend_from_slice(&m);
    framed
}

#[test]
fn garbage_and_truncated_input_give_errors() {
    let good = name_msg("a@127.0.0.1", DEFAULT_FLAGS);
    // (what, bytes, whether the error is a protocol error rather than
    // the connection closing early)
    let cases: Vec<(&str, Vec<u8>, bool)> = vec![
        ("empty", vec![], false),
        ("zero-length message", vec![0, 0], true),
        ("unknown tag", vec![0, 3, b'x', 1, 2], true),
        ("truncated name", good[..good.len() - 3].to_vec(), false),
        ("no host", name_msg("nohost", DEFAULT_FLAGS), true),
        ("missing flags", name_msg("a@h", DFLAG_PUBLISHED), true),
        ("bad utf-8", name_msg_bytes(b"a@\xff", DEFAULT_FLAGS), true),
        ("huge length", vec![0xff, 0xff, b'N'], true),
        (
            "dynamic name",
            name_msg("a@h", DEFAULT_FLAGS | DFLAG_NAME_ME),
            true,
        ),
    ];
    for (what, bytes, protocol) in cases {
        let (r, took) = accept_from_raw(&bytes, false);
        match r {
            Err(HandshakeError::Protocol { .. }) if protocol => {}
            Err(HandshakeError::Io { ref error, .. })
                if !protocol && error.kind() == io::ErrorKind::UnexpectedEof => {}
            other => panic!("{what}: {other:?}"),
        }
        assert!(took < SHORT * 2, "{what}: took {took:?}");
    }
    // A name then silence: the deadline ends it.
    let (r, took) = accept_from_raw(&good, true);
    assert!(matches!(r, Err(HandshakeError::Timeout { .. })), "{r:?}");
    assert!(took >= SHORT && took < SHORT * 2, "{took:?}");
}

#[test]
fn connect_survives_a_garbage_speaking_peer() {
    // Pseudo-random answers of every length: never a panic, never a hang.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for round in 0..60 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let mut junk = Vec::new();
        // Sometimes a valid status first, so the challenge parser is hit.
        if round % 2 == 0 {
            junk.extend_from_slice(&[0, 3, b's', b'o', b'k']);
        }
        let n = round * 3;
        junk.extend_from_slice(&(n as u16).to_be_bytes());
        for _ in 0..n {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            junk.push(x as u8);
        }
        let server = thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let _ = s.write_all(&junk);
            let _ = s.shutdown(Shutdown::Write);
            let _ = std::io::copy(&mut s, &mut std::io::sink());
        });
        let mut s = TcpStream::connect(addr).unwrap();
        let t = Instant::now();
        let r = connect_within(&mut s, &cfg("a@127.0.0.1", "c"), &|_| true, SHORT);
        assert!(r.is_err(), "round {round}");
        assert!(t.elapsed() < SHORT * 2);
        drop(s);
        server.join().unwrap();
    }
}

#[test]
fn old_style_name_with_complement_is_accepted() {
    // An OTP 23+ node that found us registered as version 5 sends 'n'
    // and completes with 'c' after our challenge.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        accept_within(&mut s, &cfg("b@127.0.0.1", "c"), &|_| Admit::Ok, SHORT * 4)
    });
    let mut s = TcpStream::connect(addr).unwrap();
    let mut hs = Hs::new(&mut s, Side::To, SHORT * 4);
    let mut m = vec![b'n', 0, 5];
    m.extend_from_slice(&((DEFAULT_FLAGS & 0xffff_ffff) as u32).to_be_bytes());
    m.extend_from_slice(b"a@127.0.0.1");
    hs.send(&m).unwrap();
    assert_eq!(hs.recv().unwrap(), b"sok");
    let ch = hs.recv().unwrap();
    assert_eq!(ch[0], b'N');
    let challenge = u32::from_be_bytes(ch[9..13].try_into().unwrap());
    let mut c = vec![b'c'];
    c.extend_from_slice(&((DEFAULT_FLAGS >> 32) as u32).to_be_bytes());
    c.extend_from_slice(&42u32.to_be_bytes());
    hs.send(&c).unwrap();
    let mut r = vec![b'r'];
    r.extend_from_slice(&7u32.to_be_bytes());
    r.extend_from_slice(&digest(challenge, "c"));
    hs.send(&r).unwrap();
    let ack = hs.recv().unwrap();
    assert_eq!(&ack[1..], digest(7, "c"));
    let peer = server.join().unwrap().unwrap();
    assert_eq!(peer.creation, 42);
    assert_eq!(peer.flags, DEFAULT_FLAGS);
}

#[test]
fn our_own_bad_name_is_refused_before_anything_is_sent() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut s = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (mut peer, _) = listener.accept().unwrap();
    let r = connect(&mut s, &cfg("no-host", "c"));
    assert!(matches!(r, Err(HandshakeError::Protocol { .. })), "{r:?}");
    drop(s);
    let mut got = Vec::new();
    std::io::Read::read_to_end(&mut peer, &mut got).unwrap();
    assert!(got.is_empty());
}
