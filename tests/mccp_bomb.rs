//! A decompression bomb (a server whose MCCP2 stream inflates to 1 GiB of zeros from about a
//! megabyte) against a client that does not read: memory stays at the input buffer's bound
//! plus one inflate step, because the reader stops reading while the buffer is full. Alone in
//! its test binary so the process's RSS is this test's.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread;
use std::time::{Duration, Instant};

use support::{LOOPBACK, STEP};
use telnetlib3::protocol::mccp::{start_marker, Deflater};
use telnetlib3::telopt::{DO, IAC, MCCP2, WILL};
use telnetlib3::{ConnectOptions, TelnetConnection};

const MIB: usize = 1 << 20;
const BOMB_MIB: usize = 1024;
const BUFFER_LIMIT: usize = MIB;

/// `mib` MiB of zeros, deflated (a repeated block once the stream is warm).
fn bomb(mib: usize) -> Vec<u8> {
    let zeros = vec![0u8; MIB];
    let mut deflater = Deflater::new();
    let mut wire = Vec::new();
    deflater.compress(&zeros, &mut wire);
    let mut block = Vec::new();
    deflater.compress(&zeros, &mut block);
    let mut again = Vec::new();
    deflater.compress(&zeros, &mut again);
    wire.extend_from_slice(&block);
    wire.extend_from_slice(&again);
    for _ in 3..mib {
        if block == again {
            wire.extend_from_slice(&block);
        } else {
            deflater.compress(&zeros, &mut wire);
        }
    }
    wire
}

fn rss_kib() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn a_decompression_bomb_stays_within_the_buffer_bound() {
    let wire = bomb(BOMB_MIB);
    assert!(wire.len() < 4 * MIB, "{}", wire.len());
    let listener = TcpListener::bind((LOOPBACK, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        sock.set_read_timeout(Some(STEP)).unwrap();
        sock.write_all(&[IAC, WILL, MCCP2]).unwrap();
        let mut seen = Vec::new();
        let mut buf = [0u8; 256];
        while !seen.windows(3).any(|w| w == [IAC, DO, MCCP2]) {
            let n = sock.read(&mut buf).unwrap();
            assert!(n > 0);
            seen.extend_from_slice(&buf[..n]);
        }
        let mut out = start_marker(MCCP2).to_vec();
        out.extend_from_slice(&wire);
        // Blocks once the client stops reading; fails when it hangs up.
        let _ = sock.write_all(&out);
    });

    let before = rss_kib();
    let options = ConnectOptions::default()
        .encoding(None)
        .buffer_limit(BUFFER_LIMIT)
        .connect_maxwait(Duration::from_millis(300))
        .connect_timeout(Some(STEP))
        .timeout(Some(STEP));
    let conn = TelnetConnection::connect_with(LOOPBACK, port, options).unwrap();

    // The reader fills the buffer to its bound, then stops.
    let deadline = Instant::now() + STEP * 2;
    while conn.buffered() < BUFFER_LIMIT {
        assert!(Instant::now() < deadline, "buffer at {}", conn.buffered());
        thread::sleep(Duration::from_millis(20));
    }
    thread::sleep(Duration::from_millis(500));
    let buffered = conn.buffered();
    let grown = rss_kib().saturating_sub(before);
    println!(
        "bomb of {BOMB_MIB} MiB from {} wire bytes read: buffered {buffered}, RSS +{grown} KiB",
        conn.bytes_received()
    );
    // The bound plus one read's worth and one inflate step.
    assert!(buffered <= BUFFER_LIMIT + 2 * 64 * 1024, "{buffered}");
    assert!(grown < 24 * 1024, "RSS grew by {grown} KiB");
    assert!(
        conn.bytes_received() < (BOMB_MIB / 8) as u64 * 1024,
        "read far ahead"
    );

    // It still flows as the application reads.
    let mut got = 0;
    while got < 8 * MIB {
        let chunk = conn.read_some_bytes(None).unwrap();
        assert!(chunk.iter().all(|&b| b == 0));
        got += chunk.len();
    }
    assert!(conn.buffered() <= BUFFER_LIMIT + 2 * 64 * 1024);
    drop(conn);
    server.join().unwrap();
}
