//! MCCP2 (server → client) and MCCP3 (client → server) over loopback: our client against our
//! server moving 10 MB each way, policies honoured, never under TLS, a corrupt stream ending
//! the connection, and our client inflating telnetlib3-server 5.0.1's MCCP2 stream.

mod support;

use std::net::TcpListener;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use support::cli::{quick, serve};
use support::{require, Peer, TestCert, LOOPBACK, STEP};
use telnetlib3::protocol::mccp::{start_marker, Deflater};
use telnetlib3::telopt::{DO, IAC, MCCP2, MCCP3, WILL};
use telnetlib3::{ConnectOptions, Error, TelnetConnection, WaitFor};

const SIZE: usize = 10 * 1000 * 1000;

/// Compressible bytes that are not all alike, with IAC (0xFF) among them; `seed` tells the two
/// directions apart. No CR, so no CR NUL rule applies.
fn payload(seed: u32) -> Vec<u8> {
    const WORDS: [&[u8]; 8] = [
        b"north ",
        b"south ",
        b"\xff\xff ",
        b"goblin ",
        b"sword ",
        b"\xe2\x82\xac ",
        b"\n",
        b"x ",
    ];
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    let mut out = Vec::with_capacity(SIZE + 16);
    while out.len() < SIZE {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        out.extend_from_slice(WORDS[(state % 8) as usize]);
    }
    out.truncate(SIZE);
    out
}

fn client_options() -> ConnectOptions {
    ConnectOptions::default()
        .encoding(None)
        .connect_maxwait(Duration::from_secs(3))
        .connect_timeout(Some(STEP))
        .timeout(Some(Duration::from_secs(60)))
}

fn read_exactly(read: impl Fn() -> telnetlib3::Result<Vec<u8>>, n: usize) -> Vec<u8> {
    let mut got = Vec::with_capacity(n);
    while got.len() < n {
        got.extend(read().unwrap());
    }
    got
}

#[test]
fn our_client_and_server_move_10_mb_each_way_compressed() {
    let (report, results) = mpsc::channel();
    let server = serve(
        quick().encoding(None).echo(false).compression(Some(true)),
        move |conn| {
            let up = read_exactly(|| conn.read_some_bytes(Some(Duration::from_secs(60))), SIZE);
            conn.write_bytes(&payload(2)).unwrap();
            let counts = (conn.bytes_received(), conn.local_enabled(MCCP3));
            let _ = report.send((up == payload(1), counts));
            // Until the client has read everything and hung up.
            let _ = conn.read_some_bytes(Some(Duration::from_secs(60)));
        },
    );
    let conn = TelnetConnection::connect_with(LOOPBACK, server.port, client_options()).unwrap();
    // The server offers with its second batch, which connect need not wait for.
    conn.wait_for(
        &WaitFor::default()
            .remote("MCCP2", true)
            .remote("MCCP3", true),
        Some(STEP),
    )
    .unwrap();
    let writer = {
        let data = payload(1);
        let conn = conn.clone();
        thread::spawn(move || conn.write_bytes(&data))
    };
    let down = read_exactly(|| conn.read_some_bytes(None), SIZE);
    writer.join().unwrap().unwrap();
    let expected = payload(2);
    if let Some(at) = (0..SIZE).find(|&i| down[i] != expected[i]) {
        panic!(
            "server → client bytes differ from byte {at}: {:?} instead of {:?}",
            &down[at.saturating_sub(8)..(at + 24).min(SIZE)],
            &expected[at.saturating_sub(8)..(at + 24).min(SIZE)]
        );
    }
    let (up_ok, (server_received, server_mccp3)) =
        results.recv_timeout(Duration::from_secs(60)).unwrap();
    assert!(up_ok, "client → server bytes differ");
    assert!(server_mccp3);
    // Both directions really were compressed (the payload deflates to well under a third).
    assert!(
        conn.bytes_received() < SIZE as u64 / 3,
        "{}",
        conn.bytes_received()
    );
    assert!(server_received < SIZE as u64 / 3, "{server_received}");
    println!(
        "10 MB each way: {} wire bytes down, {server_received} up",
        conn.bytes_received()
    );
}

#[test]
fn policies_are_honoured() {
    // The server offers, the client refuses: plain both ways.
    let server = serve(quick().compression(Some(true)), |conn| {
        let _ = conn.write("plain\r\n");
    });
    let conn = TelnetConnection::connect_with(
        LOOPBACK,
        server.port,
        client_options().compression(Some(false)),
    )
    .unwrap();
    assert!(!conn.remote_enabled(MCCP2) && !conn.remote_enabled(MCCP3));
    assert_eq!(
        conn.read_until_bytes(b"plain\r\n", None).unwrap(),
        b"plain\r\n"
    );

    // The client asks, the server accepts by default.
    let server = serve(quick(), |conn| {
        let _ = conn.write("hello\r\n");
        let _ = conn.readline(Some(Duration::from_secs(10)));
    });
    let conn = TelnetConnection::connect_with(
        LOOPBACK,
        server.port,
        client_options().compression(Some(true)),
    )
    .unwrap();
    assert!(conn.remote_enabled(MCCP2) && conn.remote_enabled(MCCP3));
    assert!(conn.with_negotiator(|n| n.output_compressed()).unwrap());
    assert!(conn
        .read_until_bytes(b"hello\r\n", None)
        .unwrap()
        .ends_with(b"hello\r\n"));

    // The client asks, the server refuses.
    let server = serve(quick().compression(Some(false)), |conn| {
        let _ = conn.write("hello\r\n");
    });
    let conn = TelnetConnection::connect_with(
        LOOPBACK,
        server.port,
        client_options().compression(Some(true)),
    )
    .unwrap();
    assert!(!conn.remote_enabled(MCCP2) && !conn.remote_enabled(MCCP3));
    assert!(!conn.with_negotiator(|n| n.output_compressed()).unwrap());
}

#[test]
fn never_under_tls() {
    let cert = TestCert::generate();
    let server = serve(
        quick()
            .compression(Some(true))
            .tls(cert.cert.clone(), cert.key.clone()),
        |conn| {
            let _ = conn.write("secret\r\n");
        },
    );
    let options = client_options()
        .compression(Some(true))
        .tls_ca_file(cert.cert.clone());
    let conn = TelnetConnection::connect_with("localhost", server.port, options).unwrap();
    assert!(!conn.remote_enabled(MCCP2) && !conn.remote_enabled(MCCP3));
    assert!(conn
        .read_until_bytes(b"secret\r\n", None)
        .unwrap()
        .ends_with(b"secret\r\n"));
}

/// A bare server: offers MCCP2, waits for DO MCCP2, then sends the marker and `after`.
fn raw_mccp2_server(after: Vec<u8>) -> (u16, thread::JoinHandle<()>) {
    let listener = TcpListener::bind((LOOPBACK, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = thread::spawn(move || {
        use std::io::{Read, Write};
        let (mut sock, _) = listener.accept().unwrap();
        sock.set_read_timeout(Some(STEP)).unwrap();
        sock.write_all(&[IAC, WILL, MCCP2]).unwrap();
        let mut seen = Vec::new();
        let mut buf = [0u8; 256];
        while !seen.windows(3).any(|w| w == [IAC, DO, MCCP2]) {
            let n = sock.read(&mut buf).unwrap();
            assert!(n > 0, "the client hung up before DO MCCP2");
            seen.extend_from_slice(&buf[..n]);
        }
        let mut wire = start_marker(MCCP2).to_vec();
        wire.extend_from_slice(&after);
        // In one write: the marker and the compressed bytes arrive in one read.
        let _ = sock.write_all(&wire);
        let _ = sock.read(&mut buf);
    });
    (port, handle)
}

#[test]
fn marker_and_stream_in_one_write_then_plain_after_the_stream_ends() {
    let mut after = Vec::new();
    let mut deflater = Deflater::new();
    deflater.compress(b"compressed hello\r\n", &mut after);
    deflater.finish(&mut after);
    after.extend_from_slice(b"plain again\r\n");
    let (port, server) = raw_mccp2_server(after);
    let conn = TelnetConnection::connect_with(
        LOOPBACK,
        port,
        client_options().connect_maxwait(Duration::from_millis(300)),
    )
    .unwrap();
    let text = conn.read_until_bytes(b"plain again\r\n", None).unwrap();
    assert!(
        text.ends_with(b"compressed hello\r\nplain again\r\n"),
        "{text:?}"
    );
    assert!(!conn.with_negotiator(|n| n.input_compressed()).unwrap());
    drop(conn);
    server.join().unwrap();
}

#[test]
fn a_corrupt_stream_ends_the_connection_with_a_typed_error() {
    let mut after = Vec::new();
    Deflater::new().compress(b"good data\r\n", &mut after);
    after.extend_from_slice(&[0xff, 0x00, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef]);
    let (port, server) = raw_mccp2_server(after);
    let conn = TelnetConnection::connect_with(
        LOOPBACK,
        port,
        client_options().connect_maxwait(Duration::from_millis(300)),
    )
    .unwrap();
    let good = conn.read_until_bytes(b"good data\r\n", None).unwrap();
    assert!(good.ends_with(b"good data\r\n"));
    match conn.read_some_bytes(Some(STEP)) {
        Err(Error::Protocol(telnetlib3::protocol::ProtocolError::Compression(what))) => {
            println!("corrupt stream: {what}")
        }
        other => panic!("expected a compression error, got {other:?}"),
    }
    drop(conn);
    server.join().unwrap();
}

#[test]
fn our_client_inflates_telnetlib3_servers_mccp2_stream() {
    let Some(server) = require("venv/bin/telnetlib3-server") else {
        return;
    };
    let peer = Peer::spawn_listening("telnetlib3-server --compression", |port| {
        support::command(
            &server,
            [
                "--compression".to_owned(),
                "--loglevel".to_owned(),
                "debug".to_owned(),
                LOOPBACK.to_owned(),
                port.to_string(),
            ],
        )
    });
    // MCCP3 is refused: telnetlib3-server answers DO MCCP3 with WONT, yet starts inflating at
    // the read after the one holding our marker, so compressed bytes that arrive with the
    // marker are taken as plain and its inflater then fails (its bug; see the README).
    let options = ConnectOptions::default()
        .term("xterm")
        .always_dont(vec![MCCP3])
        .connect_maxwait(Duration::from_secs(3))
        .connect_timeout(Some(STEP))
        .timeout(Some(STEP * 2));
    let conn = TelnetConnection::connect_with(LOOPBACK, peer.port, options).unwrap();
    conn.wait_for(&WaitFor::default().remote("MCCP2", true), Some(STEP))
        .unwrap_or_else(|err| panic!("no WILL MCCP2 ({err}):\n{}", peer.log()));
    let banner = conn.read_until("tel:sh> ", None).unwrap();
    assert!(
        conn.with_negotiator(|n| n.input_compressed()).unwrap(),
        "no MCCP2 marker seen; read {banner:?}\n{}",
        peer.log()
    );
    // Commands reach it and its compressed answers come back readable.
    conn.write("writer\r\n").unwrap();
    let reply = conn
        .read_until("tel:sh> ", None)
        .unwrap_or_else(|err| panic!("no answer to writer: {err}\n{}", peer.log()));
    assert!(
        reply.contains("MCCP2_COMPRESS"),
        "{reply:?}\n{}",
        peer.log()
    );
    conn.write("quit\r\n").unwrap();
    let bye = conn.read_until("Goodbye.", None).unwrap();
    assert!(bye.contains("Goodbye."), "{bye:?}");
    assert!(
        peer.log().contains("MCCP2 compression started"),
        "{}",
        peer.log()
    );
}
