//! Packets, both message layouts, fragments and their reassembly.

use super::*;
use std::io::Cursor;
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// `131` and a control tuple `{6, From, '', ToName}`-like term: a small
/// tuple of an integer, a pid, an empty atom and an atom.
fn control() -> Vec<u8> {
    let mut t = vec![131, 104, 4, 97, 6];
    // NEW_PID_EXT: node atom, id, serial, creation
    t.extend_from_slice(&[
        88, 119, 3, b'a', b'@', b'h', 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 9,
    ]);
    t.extend_from_slice(&[119, 0]);
    t.extend_from_slice(&[119, 3, b'f', b'o', b'o']);
    t
}

/// `131` and a binary of `n` bytes.
fn payload(n: usize) -> Vec<u8> {
    let mut t = vec![131, 109];
    t.extend_from_slice(&(n as u32).to_be_bytes());
    t.extend((0..n).map(|i| (i * 7) as u8));
    t
}

/// The packets the connection writes for a message, cut every `frag`
/// bytes (`outgoing.rs`, as a connection with FRAGMENTS sends it).
fn write_fragments(seq: u64, control: &[u8], payload: &[u8], frag: usize) -> Vec<Vec<u8>> {
    let payload = (!payload.is_empty()).then(|| payload.to_vec().into());
    let mut m = crate::dist::outgoing::Outgoing::new(control.to_vec(), payload);
    m.seq = seq;
    let mut out = Vec::new();
    loop {
        let (p, last) = m.next_fragment(frag);
        out.push(p);
        if last {
            return out;
        }
    }
}

#[test]
fn packets_ticks_and_the_length_limit() {
    let mut wire = Vec::new();
    write_packet(&mut wire, b"hello").unwrap();
    write_tick(&mut wire).unwrap();
    write_packet(&mut wire, &vec![1; 100_000]).unwrap();
    let mut r = Cursor::new(wire);
    assert_eq!(
        read_packet(&mut r, 1 << 20).unwrap(),
        Packet::Data(b"hello".to_vec())
    );
    assert_eq!(read_packet(&mut r, 1 << 20).unwrap(), Packet::Tick);
    assert_eq!(
        read_packet(&mut r, 1 << 20).unwrap(),
        Packet::Data(vec![1; 100_000])
    );
    assert!(matches!(
        read_packet(&mut r, 1 << 20),
        Err(FrameError::Closed)
    ));

    // Over the limit: refused on the prefix alone.
    let mut r = Cursor::new(vec![0, 0, 0, 11, 0]);
    assert!(matches!(
        read_packet(&mut r, 10),
        Err(FrameError::TooLong { len: 11, max: 10 })
    ));
    // Truncated inside the prefix or the data: an error, not a panic.
    assert!(matches!(
        read_packet(&mut Cursor::new(vec![0, 0]), 10),
        Err(FrameError::Io(_))
    ));
    assert!(matches!(
        read_packet(&mut Cursor::new(vec![0, 0, 0, 5, 1, 2]), 10),
        Err(FrameError::Io(_))
    ));
}

#[test]
fn a_4_gb_prefix_fails_at_once_without_allocating() {
    // The prefix claims 4 GB and then the peer says nothing more: a reader
    // that trusted it would allocate or wait; ours returns on the prefix.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut tx = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (mut rx, _) = listener.accept().unwrap();
    rx.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    tx.write_all(&[0xff; 4]).unwrap();
    let t = Instant::now();
    let r = read_packet(&mut rx, DEFAULT_MAX_PACKET);
    assert!(
        matches!(r, Err(FrameError::TooLong { len: u32::MAX, .. })),
        "{r:?}"
    );
    assert!(t.elapsed() < Duration::from_millis(500));
}

#[test]
fn idle_is_told_apart_from_a_broken_packet() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut tx = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (mut rx, _) = listener.accept().unwrap();
    rx.set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    assert!(matches!(read_packet(&mut rx, 100), Err(FrameError::Idle)));
    write_tick(&mut tx).unwrap();
    assert_eq!(read_packet(&mut rx, 100).unwrap(), Packet::Tick);
    tx.write_all(&[0, 0]).unwrap();
    assert!(matches!(read_packet(&mut rx, 100), Err(FrameError::Io(_))));
}

#[test]
fn pass_through_round_trip() {
    let mut r = Reassembler::default();
    let (c, p) = (control(), payload(300));
    let m = r.push(pass_through(&c, Some(&p))).unwrap().unwrap();
    assert_eq!(m.control, c);
    assert_eq!(m.payload, Some(p));
    let m = r.push(pass_through(&c, None)).unwrap().unwrap();
    assert_eq!((m.control, m.payload), (c, None));
}

#[test]
fn fragmented_round_trip_of_many_sizes() {
    let c = control();
    for (n, frag) in [
        (0, 64),
        (10, 64),
        (1000, 64),
        (5000, 1000),
        (70_000, FRAGMENT_SIZE),
    ] {
        let p = payload(n);
        let packets = write_fragments(42, &c, &p, frag);
        let body = c.len() - 1 + p.len() - 1;
        assert_eq!(packets.len(), body.div_ceil(frag).max(1), "{n}/{frag}");
        if packets.len() == 1 {
            assert_eq!(&packets[0][..3], &[131, 68, 0]);
        } else {
            assert_eq!(&packets[0][..2], &[131, 69]);
            assert!(packets[1..].iter().all(|p| p[..2] == [131, 70]));
        }
        let mut r = Reassembler::new(1 << 20);
        let mut got = None;
        let last = packets.len() - 1;
        for (i, pk) in packets.into_iter().enumerate() {
            let out = r.push(pk).unwrap();
            assert_eq!(out.is_some(), i == last, "{n}/{frag} at {i}");
            got = got.or(out);
        }
        let m = got.unwrap();
        assert_eq!(m.control, c);
        assert_eq!(m.payload.as_deref(), Some(&p[..]));
        assert_eq!(r.buffered(), 0);
    }
}

#[test]
fn interleaved_sequences_reassemble_separately() {
    let c = control();
    let (p1, p2) = (payload(500), payload(700));
    let a = write_fragments(1, &c, &p1, 100);
    let b = write_fragments(2, &c, &p2, 100);
    let mut r = Reassembler::default();
    let mut done = Vec::new();
    let (mut a, mut b) = (a.into_iter(), b.into_iter());
    loop {
        let (x, y) = (a.next(), b.next());
        if x.is_none() && y.is_none() {
            break;
        }
        for pk in [x, y].into_iter().flatten() {
            done.extend(r.push(pk).unwrap());
        }
    }
    assert_eq!(done.len(), 2);
    assert_eq!(done[0].payload.as_deref(), Some(&p1[..]));
    assert_eq!(done[1].payload.as_deref(), Some(&p2[..]));
}

#[test]
fn out_of_order_and_unknown_fragments_are_rejected() {
    let c = control();
    let p = payload(1000);
    let packets = write_fragments(7, &c, &p, 100);
    assert!(packets.len() > 3);

    // A continuation whose sequence never started.
    let mut r = Reassembler::default();
    let e = r.push(packets[1].clone()).unwrap_err();
    assert!(e.to_string().contains("unknown sequence 7"), "{e}");

    // Skipping a fragment.
    let mut r = Reassembler::default();
    r.push(packets[0].clone()).unwrap();
    let e = r.push(packets[2].clone()).unwrap_err();
    assert!(e.to_string().contains("out of order"), "{e}");

    // Starting the same sequence twice.
    let mut r = Reassembler::default();
    r.push(packets[0].clone()).unwrap();
    assert!(r.push(packets[0].clone()).is_err());

    // Headers that lie or are cut short.
    let mut r = Reassembler::default();
    for bad in [
        vec![],
        vec![131],
        vec![131, 68],
        vec![131, 68, 3, 0],        // atom cache refs we never asked for
        vec![131, 69, 0, 0],        // truncated ids
        vec![99, 1, 2],             // unknown layout
        vec![112, 1, 2],            // pass-through without 131
        vec![112, 131, 104, 2, 97], // control term cut short
    ] {
        assert!(r.push(bad.clone()).is_err(), "{bad:?}");
    }
    let mut first = packets[0].clone();
    first[10..18].copy_from_slice(&0u64.to_be_bytes()); // fragment id 0
    assert!(r.push(first).is_err());
}

#[test]
fn reassembly_memory_is_bounded() {
    let c = control();
    let mut r = Reassembler::new(10_000);
    // Many senders each start a big message and never finish it.
    let mut err = None;
    for seq in 0..100 {
        let packets = write_fragments(seq, &c, &payload(100_000), 1000);
        if let Err(e) = r.push(packets[0].clone()) {
            err = Some(e);
            break;
        }
    }
    assert!(matches!(
        err,
        Some(FrameError::TooMuchBuffered { limit: 10_000 })
    ));
    assert!(r.buffered() <= 10_000);
}

#[test]
fn term_len_measures_every_kind_of_term() {
    let terms: Vec<Vec<u8>> = vec![
        vec![97, 1],
        vec![98, 0, 0, 1, 0],
        vec![70, 0, 0, 0, 0, 0, 0, 0, 0],
        vec![106],
        vec![119, 2, b'o', b'k'],
        vec![118, 0, 2, b'o', b'k'],
        vec![100, 0, 1, b'x'],
        vec![107, 0, 3, 1, 2, 3],
        vec![109, 0, 0, 0, 2, 9, 9],
        vec![77, 0, 0, 0, 1, 3, 0xe0],
        vec![110, 2, 0, 1, 1],
        vec![111, 0, 0, 0, 1, 1, 5],
        vec![104, 2, 97, 1, 106],
        vec![105, 0, 0, 0, 1, 106],
        vec![116, 0, 0, 0, 1, 97, 1, 97, 2],
        vec![108, 0, 0, 0, 2, 97, 1, 97, 2, 106],
        vec![113, 119, 1, b'm', 119, 1, b'f', 97, 2],
        vec![112, 0, 0, 0, 6, 0xaa, 0xbb],
        control()[1..].to_vec(),
        {
            let mut v = vec![90, 0, 3, 119, 1, b'n', 0, 0, 0, 1];
            v.extend_from_slice(&[0; 12]);
            v
        },
        vec![120, 119, 1, b'n', 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1],
        vec![89, 119, 1, b'n', 0, 0, 0, 1, 0, 0, 0, 1],
    ];
    for t in &terms {
        assert_eq!(term_len(t), Some(t.len()), "{t:?}");
        // One byte short is never a whole term.
        assert_eq!(term_len(&t[..t.len() - 1]), None, "{t:?}");
        // Anything after it is not counted.
        let mut more = t.clone();
        more.extend_from_slice(&[106, 106]);
        assert_eq!(term_len(&more), Some(t.len()));
    }
    // Counts that claim more terms than there are bytes fail at once.
    assert_eq!(term_len(&[105, 0xff, 0xff, 0xff, 0xff, 106]), None);
    assert_eq!(term_len(&[108, 0xff, 0xff, 0xff, 0xff]), None);
}

#[test]
fn random_packets_never_panic() {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut r = Reassembler::new(1 << 16);
    for round in 0..20_000 {
        let n = round % 40;
        let mut pk = Vec::with_capacity(n + 2);
        // Bias towards the valid starts so the parsers get exercised.
        pk.extend_from_slice(match round % 4 {
            0 => &[112, 131][..],
            1 => &[131, 68, 0][..],
            2 => &[131, 69][..],
            _ => &[131, 70][..],
        });
        for _ in 0..n {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            pk.push(x as u8);
        }
        if let Ok(Some(m)) = r.push(pk) {
            assert_eq!(m.control[0], 131);
        }
        let _ = term_len(&x.to_be_bytes());
    }
}

#[test]
fn both_layouts_carry_a_message() {
    let (c, p) = (control(), payload(200_000));
    let plain = vec![pass_through(&c, Some(&p))];
    assert_eq!(plain[0][0], 112);
    let frag = write_fragments(1, &c, &p, FRAGMENT_SIZE);
    assert_eq!(frag.len(), 4); // 200 KB in 64 KB fragments
    let small = write_fragments(2, &c, &[], FRAGMENT_SIZE);
    assert_eq!(&small[0][..3], &[131, 68, 0]);
    for (packets, with_payload) in [(plain, true), (frag, true), (small, false)] {
        let mut r = Reassembler::default();
        let mut out = None;
        for pk in packets {
            out = out.or(r.push(pk).unwrap());
        }
        let m = out.unwrap();
        assert_eq!(m.control, c);
        assert_eq!(m.payload.is_some(), with_payload);
    }
}

#[test]
fn a_big_binary_is_cut_into_fragments_from_where_it_lies() {
    use crate::dist::etf::{encode, encode_shared, NodeTable};
    use crate::value::Value;
    let big: String = (0..300_000)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let bytes: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8 | 0x80).collect();
    let msg = Value::tuple(vec![
        Value::str(&big),
        Value::Int(7),
        Value::binary(bytes),
        Value::str("small"),
    ]);
    let nodes = NodeTable::new();
    let shared = encode_shared(&msg, &nodes);
    assert_eq!(shared.holes.len(), 2, "both big binaries are referred to");
    assert!(shared.bytes.len() < 100, "and not copied");
    let mut flat = Vec::new();
    encode(&msg, &nodes, &mut flat);
    assert_eq!(shared.len(), flat.len());
    let mut m = crate::dist::outgoing::Outgoing::new(control(), Some(shared));
    m.seq = 9;
    let mut r = Reassembler::default();
    let mut got = None;
    let mut packets = 0;
    while got.is_none() {
        let (p, last) = m.next_fragment(FRAGMENT_SIZE);
        packets += 1;
        got = r.push(p).unwrap();
        assert_eq!(got.is_some(), last);
    }
    assert_eq!(packets, 7); // 400 KB in 64 KB fragments
    let got = got.unwrap();
    assert_eq!(got.control, control());
    assert!(got.payload == Some(flat));
}
