//! Regression tests for faults found in the connection engine by review: lost wake-ups,
//! erasing text a read already decoded, start/shutdown races, shutdown with clients that do
//! not read, a write timeout turned into endless read timeouts, and a PTY session ended by
//! the server's io_timeout. Loopback only; every wait bounded.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use support::start_server as start;
use telnetlib3::telopt::{self, parse_wire};
use telnetlib3::{BlockingTelnetServer, Error, ServerOptions};

const LONG: Option<Duration> = Some(Duration::from_secs(5));

fn w(d: &str) -> Vec<u8> {
    parse_wire(d).unwrap()
}

fn quick() -> ServerOptions {
    ServerOptions::default()
        .connect_maxwait(Duration::from_millis(300))
        .timeout(None)
}

fn raw(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s
}

fn expect(stream: &mut TcpStream, want: &str) -> Vec<u8> {
    let want = w(want);
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(5);
    while !got.windows(want.len()).any(|win| win == want.as_slice()) {
        assert!(
            Instant::now() < deadline,
            "never got {}; got {}",
            telopt::describe_bytes(&want),
            telopt::describe_bytes(&got)
        );
        match stream.read(&mut buf) {
            Ok(0) => panic!("eof"),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
    }
    got
}

/// A person types "ab", then DEL, then "c" Enter, one keystroke per packet (as any
/// character-at-a-time client does) while the handler waits in `readline` (text).
/// The echo shows "ab\b \bc"; the handler must get "ac\r\n".
#[test]
fn erase_reaches_a_line_a_text_readline_already_decoded() {
    let (tx, rx) = mpsc::channel::<String>();
    let (server, port, handle) = start(quick(), move |conn| {
        tx.send(conn.readline(LONG).unwrap_or_else(|e| format!("ERR {e}")))
            .unwrap();
    });
    let mut s = raw(port);
    expect(&mut s, "DO TTYPE");
    s.write_all(&w("WILL TTYPE | DO ECHO | DO SGA | SB TTYPE 00 'vt100'"))
        .unwrap();
    expect(&mut s, "WILL ECHO");
    thread::sleep(Duration::from_millis(500)); // handler is in readline now
    for key in [&b"a"[..], b"b", b"\x7f", b"c", b"\r\n"] {
        s.write_all(key).unwrap();
        thread::sleep(Duration::from_millis(100));
    }
    expect(&mut s, "'ab' 08 20 08 'c' 0d 0a");
    let line = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    server.shutdown();
    handle.join().unwrap();
    assert_eq!(line, "ac\r\n");
}

/// Same bug with `read_until` (text): the erase is lost.
#[test]
fn erase_reaches_text_a_read_until_already_decoded() {
    let (tx, rx) = mpsc::channel::<String>();
    let (server, port, handle) = start(quick(), move |conn| {
        tx.send(
            conn.read_until("!", LONG)
                .unwrap_or_else(|e| format!("ERR {e}")),
        )
        .unwrap();
    });
    let mut s = raw(port);
    expect(&mut s, "DO TTYPE");
    s.write_all(&w("WILL TTYPE | DO ECHO | DO SGA | SB TTYPE 00 'vt100'"))
        .unwrap();
    expect(&mut s, "WILL ECHO");
    thread::sleep(Duration::from_millis(500));
    for key in [&b"x"[..], b"\x7f", b"y!"] {
        s.write_all(key).unwrap();
        thread::sleep(Duration::from_millis(100));
    }
    let got = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    server.shutdown();
    handle.join().unwrap();
    assert_eq!(got, "y!");
}

/// start() racing shutdown(): shutdown finds no wake pipe yet, then joins an acceptor that
/// sits in poll(2) with no timeout: shutdown hangs until some client connects.
#[test]
fn shutdown_racing_start_returns() {
    for i in 0..200 {
        let server = BlockingTelnetServer::without_handler("127.0.0.1", 0, quick());
        let a = server.clone();
        let starter = thread::spawn(move || {
            let _ = a.start();
        });
        let b = server.clone();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            b.shutdown();
            tx.send(()).unwrap();
        });
        if rx.recv_timeout(Duration::from_secs(3)).is_err() {
            panic!("iteration {i}: shutdown() did not return within 3 s (acceptor never woken)");
        }
        starter.join().unwrap();
    }
}

/// Clients that do not read, and handlers writing to them: shutdown() closes them one
/// after the other, each close waiting 1 s for the blocked writer.
#[test]
fn shutdown_does_not_wait_a_second_per_client_that_does_not_read() {
    let (server, port, handle) = start(quick(), move |conn| {
        let chunk = vec![b'x'; 64 * 1024];
        while conn.write_bytes(&chunk).is_ok() {}
    });
    let clients: Vec<TcpStream> = (0..10).map(|_| raw(port)).collect();
    thread::sleep(Duration::from_secs(2)); // handlers blocked in write
    let t = Instant::now();
    server.shutdown();
    let took = t.elapsed();
    handle.join().unwrap();
    drop(clients);
    // One second per client before; a bound far above what a close costs now.
    assert!(took < Duration::from_secs(5), "shutdown took {took:?}");
}

#[test]
fn plain_start_then_shutdown() {
    let server = BlockingTelnetServer::without_handler("127.0.0.1", 0, quick());
    server.start().unwrap();
    let t = Instant::now();
    let b = server.clone();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        b.shutdown();
        tx.send(()).unwrap();
    });
    assert!(
        rx.recv_timeout(Duration::from_secs(3)).is_ok(),
        "hang {:?}",
        t.elapsed()
    );
}

/// Lost wake-up: the peer sends more than buffer_limit (256 KiB) without a line end before
/// the handler calls readline. The reader parks on the condvar (buffer full, nobody
/// gathering); `wait` then increments `gathering` without notifying, so the reader never
/// resumes and the line (well under max_line) never completes.
#[test]
fn readline_after_the_buffer_filled_wakes_the_reader() {
    let (tx, rx) = mpsc::channel::<Result<usize, String>>();
    let (server, port, handle) = start(quick().echo(false), move |conn| {
        thread::sleep(Duration::from_millis(1000)); // busy: e.g. writing a banner
        let r = conn.readline_bytes(Some(Duration::from_secs(5)));
        tx.send(r.map(|l| l.len()).map_err(|e| e.to_string()))
            .unwrap();
    });
    let mut s = raw(port);
    let mut r = s.try_clone().unwrap();
    thread::spawn(move || {
        let mut b = [0u8; 65536];
        while matches!(r.read(&mut b), Ok(n) if n > 0) {}
    });
    let mut line = vec![b'a'; 300 * 1024];
    line.extend_from_slice(b"\r\n");
    s.write_all(&line).unwrap();
    let got = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    server.shutdown();
    handle.join().unwrap();
    assert_eq!(got, Ok(300 * 1024 + 2));
}

/// With io_timeout set, a client that types but never reads makes the reader's echo write
/// time out; the reader stores Error::Timeout as the connection's final error and exits.
/// From then on every read returns Err(Timeout) at once — a handler that retries on
/// Timeout (the usual MUD loop) spins, and the connection is never closed.
#[test]
fn an_echo_write_timeout_ends_the_connection_instead_of_spinning_reads() {
    let (tx, rx) = mpsc::channel::<(usize, usize, String)>();
    let (server, port, handle) = start(
        quick().io_timeout(Some(Duration::from_millis(300))),
        move |conn| {
            let (mut lines, mut timeouts) = (0, 0);
            let t = Instant::now();
            let end = loop {
                if t.elapsed() > Duration::from_secs(8) {
                    break "deadline".to_string();
                }
                match conn.readline_bytes(Some(Duration::from_secs(1))) {
                    Ok(_) => lines += 1,
                    Err(Error::Timeout) => timeouts += 1,
                    Err(e) => break e.to_string(),
                }
            };
            tx.send((lines, timeouts, end)).unwrap();
        },
    );
    let mut s = raw(port);
    expect(&mut s, "DO TTYPE");
    s.write_all(&w("WILL TTYPE | DO ECHO | DO SGA | SB TTYPE 00 'vt100'"))
        .unwrap();
    expect(&mut s, "WILL ECHO");
    // Never read again; type a lot.
    s.set_write_timeout(Some(Duration::from_secs(3))).unwrap();
    let chunk = b"hello world\r\n".repeat(4096);
    for _ in 0..1000 {
        if s.write_all(&chunk).is_err() {
            break;
        }
    }
    let (lines, timeouts, end) = rx.recv_timeout(Duration::from_secs(20)).unwrap();
    eprintln!("lines {lines}, immediate timeouts {timeouts}, ended by {end}");
    server.shutdown();
    handle.join().unwrap();
    assert!(
        timeouts < 20,
        "{timeouts} Err(Timeout) in a few seconds: the handler spins"
    );
}

/// PtyShell's input loop reads with `None`, which now means io_timeout: a user who does not
/// type for io_timeout has their program killed (the old loop treated Timeout as a tick).
#[test]
fn a_pty_session_outlives_io_timeout_without_typing() {
    use telnetlib3::shell::PtyShell;
    let (tx, rx) = mpsc::channel::<Duration>();
    let (server, port, handle) = start(
        quick().io_timeout(Some(Duration::from_millis(500))),
        move |conn| {
            let t = Instant::now();
            PtyShell::new("/bin/sh")
                .args(["-c", "sleep 5; echo done"])
                .run(&conn);
            tx.send(t.elapsed()).unwrap();
        },
    );
    let mut s = raw(port);
    expect(&mut s, "DO TTYPE");
    s.write_all(&w("WILL TTYPE | DO ECHO | DO SGA | SB TTYPE 00 'vt100'"))
        .unwrap();
    let mut r = s.try_clone().unwrap();
    // The program is silent for 5 s: read with a longer bound.
    r.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    let out = thread::spawn(move || {
        let mut all = Vec::new();
        let mut b = [0u8; 4096];
        while let Ok(n) = r.read(&mut b) {
            if n == 0 {
                break;
            }
            all.extend_from_slice(&b[..n]);
        }
        all
    });
    let took = rx.recv_timeout(Duration::from_secs(15)).unwrap();
    let all = out.join().unwrap();
    server.shutdown();
    handle.join().unwrap();
    assert!(
        contains(&all, b"done"),
        "program killed after {took:?}; it never printed 'done'"
    );
}

fn contains(h: &[u8], n: &[u8]) -> bool {
    h.windows(n.len()).any(|w| w == n)
}

/// A client typing a long stream keeps the reader echoing; the handler's answer (telsh's
/// error line for an over-long line, then its prompt) must not wait for the stream to end.
#[test]
fn echo_does_not_starve_the_handlers_writes() {
    let options = quick().max_line(256 * 1024);
    let (server, port, handle) = start(options, telnetlib3::shell::telsh);
    let mut s = raw(port);
    expect(&mut s, "DO TTYPE");
    s.write_all(&w("WILL TTYPE | DO ECHO | DO SGA | SB TTYPE 00 'vt100'"))
        .unwrap();
    let mut r = s.try_clone().unwrap();
    r.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let reader = thread::spawn(move || {
        let mut all = Vec::new();
        let mut b = [0u8; 65536];
        while let Ok(n) = r.read(&mut b) {
            if n == 0 {
                break;
            }
            all.extend_from_slice(&b[..n]);
            if all.len() > 20 << 20 {
                break;
            }
        }
        all
    });
    let chunk = vec![b'x'; 64 * 1024];
    for _ in 0..256 {
        s.write_all(&chunk).unwrap();
    }
    s.write_all(b"\r\n").unwrap();
    s.shutdown(std::net::Shutdown::Write).unwrap();
    let all = reader.join().unwrap();
    server.shutdown();
    handle.join().unwrap();
    let find = |needle: &[u8], from: usize| {
        all[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|i| i + from)
    };
    let error = find(b"error: line too long", 0).expect("no error line");
    let prompt = find(b"tel:sh> ", error).expect("no prompt after the error");
    assert!(
        prompt - error < 2 << 20,
        "the prompt came {} bytes of echo after the error line",
        prompt - error
    );
}
