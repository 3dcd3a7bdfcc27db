//! Our EPMD server with our EPMD client, and with hand-made requests.

use super::*;
use crate::dist::epmd_client;
use std::time::Instant;

fn server(options: Options) -> Server {
    Server::start(TcpListener::bind("127.0.0.1:0").unwrap(), options).unwrap()
}

/// Polls `f` until it is true or 3 s pass.
fn eventually(mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + Duration::from_secs(3);
    while Instant::now() < end {
        if f() {
            return true;
        }
        thread::sleep(Duration::from_millis(10));
    }
    false
}

#[test]
fn register_lookup_names_and_unregister_on_close() {
    let srv = server(Options::default());
    let epmd = srv.addr();
    let (reg, creation) = epmd_client::register(epmd, "alpha", 4711).unwrap();
    assert!(creation >= 4, "creation {creation}");
    assert_eq!(
        epmd_client::port_please(epmd, "alpha").unwrap(),
        Some((4711, 6))
    );
    let info = epmd_client::lookup(epmd, "alpha").unwrap().unwrap();
    assert_eq!((info.name.as_str(), info.lowest_version), ("alpha", 5));
    assert_eq!(epmd_client::port_please(epmd, "beta").unwrap(), None);
    let (_reg2, _) = epmd_client::register(epmd, "beta", 4712).unwrap();
    let mut names = epmd_client::names(epmd).unwrap();
    names.sort();
    assert_eq!(
        names,
        [("alpha".to_string(), 4711), ("beta".to_string(), 4712)]
    );

    // A name is registered once at a time.
    let err = epmd_client::register(epmd, "alpha", 1).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::AddrInUse);

    // Closing the registration's connection unregisters the name...
    drop(reg);
    assert!(eventually(|| epmd_client::port_please(epmd, "alpha")
        .unwrap()
        .is_none()));
    // ...and registering it again bumps the creation.
    let (_reg, again) = epmd_client::register(epmd, "alpha", 4713).unwrap();
    assert_eq!(again, creation + 1);
    assert_eq!(
        epmd_client::port_please(epmd, "alpha").unwrap(),
        Some((4713, 6))
    );
}

fn raw(epmd: SocketAddr, bytes: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(epmd).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    s.write_all(bytes).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out
}

#[test]
fn malformed_requests_close_that_client_only() {
    let srv = server(Options::default());
    let epmd = srv.addr();
    let (_reg, _) = epmd_client::register(epmd, "keep", 1000).unwrap();
    for junk in [
        &[0u8, 0][..],                 // length 0
        &[0xff, 0xff, 1, 2, 3][..],    // over 1021 bytes
        &[0, 1, b'?'][..],             // unknown request
        &[0, 3, ALIVE2_REQ, 0, 1][..], // ALIVE2 too short
        &[
            0, 15, ALIVE2_REQ, 0, 1, 77, 0, 0, 6, 0, 5, 0xff, 0xff, 0, 0, 0, 0,
        ][..], // name length past the end
        &[0, 1, PORT_PLEASE2_REQ][..], // no name
    ] {
        assert_eq!(raw(epmd, junk), b"", "{junk:?}");
    }
    // A client that sends half a request and goes away.
    drop(TcpStream::connect(epmd).unwrap());
    assert_eq!(
        epmd_client::port_please(epmd, "keep").unwrap(),
        Some((1000, 6))
    );
}

#[test]
fn more_data_on_a_registration_unregisters_it() {
    let srv = server(Options::default());
    let epmd = srv.addr();
    let (mut reg, _) = epmd_client::register(epmd, "chatty", 1).unwrap();
    reg.write_all(b"hello").unwrap();
    assert!(eventually(|| epmd_client::port_please(epmd, "chatty")
        .unwrap()
        .is_none()));
}

#[test]
fn version_5_registration_gets_a_small_creation() {
    let srv = server(Options::default());
    let epmd = srv.addr();
    let mut body = epmd_client::alive2_request("old", 99).unwrap();
    body[5..7].copy_from_slice(&5u16.to_be_bytes()); // highest version 5
    let mut req = (body.len() as u16).to_be_bytes().to_vec();
    req.extend_from_slice(&body);
    let mut s = TcpStream::connect(epmd).unwrap();
    s.write_all(&req).unwrap();
    let mut resp = [0; 4];
    s.read_exact(&mut resp).unwrap();
    assert_eq!(&resp[..2], &[ALIVE2_RESP, 0]);
    let creation = u16::from_be_bytes([resp[2], resp[3]]);
    assert!((1..=3).contains(&creation), "{creation}");
}

#[test]
fn dump_kill_and_stop_behave_as_epmd() {
    let srv = server(Options::default());
    let epmd = srv.addr();
    let (reg, _) = epmd_client::register(epmd, "dumped", 77).unwrap();
    let dump = epmd_client::text_request(epmd, DUMP_REQ).unwrap();
    assert!(
        dump.starts_with("active name     <dumped> at port 77, fd = "),
        "{dump}"
    );
    // STOP is refused without -relaxed_command_check (closed unanswered).
    let mut stop = vec![0, 7, STOP_REQ];
    stop.extend_from_slice(b"dumped");
    assert_eq!(raw(epmd, &stop), b"");
    // KILL is refused while a node is registered...
    assert_eq!(epmd_client::kill(epmd).unwrap(), "NO");
    drop(reg);
    assert!(eventually(|| epmd_client::names(epmd).unwrap().is_empty()));
    // ...and then stops the server.
    assert_eq!(epmd_client::kill(epmd).unwrap(), "OK");
    assert!(eventually(
        || TcpStream::connect(epmd).is_err() || epmd_client::names(epmd).is_err()
    ));

    let relaxed = server(Options {
        relaxed_command_check: true,
    });
    let epmd = relaxed.addr();
    let (mut reg, _) = epmd_client::register(epmd, "dumped", 77).unwrap();
    assert_eq!(raw(epmd, &stop), b"STOPPED");
    // The registration's connection was closed.
    let mut b = [0; 1];
    reg.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    assert_eq!(reg.read(&mut b).unwrap(), 0);
    assert_eq!(raw(epmd, &stop), b"NOEXIST");
}
