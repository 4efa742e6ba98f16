//! Loopback tests of `TelnetConnection` against scripted raw-TCP servers on 127.0.0.1.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use telnetlib3::telopt::{self, parse_wire};
use telnetlib3::{ConnectOptions, Error, TelnetConnection, WaitFor};

const SHORT: Option<Duration> = Some(Duration::from_millis(300));
const LONG: Option<Duration> = Some(Duration::from_secs(5));

fn w(description: &str) -> Vec<u8> {
    parse_wire(description).unwrap()
}

/// A one-connection server running `script` on its own thread.
fn serve<T: Send + 'static>(
    script: impl FnOnce(TcpStream) -> T + Send + 'static,
) -> (u16, JoinHandle<T>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        script(stream)
    });
    (port, handle)
}

/// Reads from `stream` until `expected` (a wire description) has arrived; returns everything.
/// Bytes after the match in the same read are dropped, so expect one reply per exchange.
fn expect(stream: &mut TcpStream, expected: &str) -> Vec<u8> {
    let want = w(expected);
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut buf = [0u8; 4096];
    while !got.windows(want.len()).any(|win| win == want.as_slice()) {
        assert!(
            Instant::now() < deadline,
            "never got {expected}; got {}",
            telopt::describe_bytes(&got)
        );
        match stream.read(&mut buf) {
            Ok(0) => panic!(
                "EOF before {expected}; got {}",
                telopt::describe_bytes(&got)
            ),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(err) => panic!(
                "{err} before {expected}; got {}",
                telopt::describe_bytes(&got)
            ),
        }
    }
    got
}

/// Keeps the connection open until the client closes it.
fn hold(mut stream: TcpStream) {
    let mut buf = [0u8; 1024];
    while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
}

fn quick() -> ConnectOptions {
    ConnectOptions::default()
        .connect_maxwait(Duration::from_millis(200))
        .timeout(LONG)
}

#[test]
fn silent_server_connect_returns_at_once() {
    // telnetlib3's rule: nothing pending and connect_minwait (0) passed means settled.
    let (port, server) = serve(|stream| {
        thread::sleep(Duration::from_millis(600));
        drop(stream);
    });
    let start = Instant::now();
    let conn = TelnetConnection::connect_with("127.0.0.1", port, quick()).unwrap();
    assert!(
        start.elapsed() < Duration::from_millis(200),
        "{:?}",
        start.elapsed()
    );
    assert!(conn.negotiation().settled);
    assert!(matches!(conn.read_some(SHORT), Err(Error::Timeout)));
    // The server hangs up: reads then end with Eof.
    assert!(matches!(conn.read_some(LONG), Err(Error::Eof)));
    server.join().unwrap();
}

#[test]
fn connect_minwait_is_waited_out_unless_negotiation_completes() {
    let (port, server) = serve(|stream| {
        thread::sleep(Duration::from_millis(800));
        drop(stream);
    });
    let start = Instant::now();
    let _conn = TelnetConnection::connect_with(
        "127.0.0.1",
        port,
        quick()
            .connect_minwait(Duration::from_millis(300))
            .connect_maxwait(Duration::from_secs(2)),
    )
    .unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(300),
        "{:?}",
        start.elapsed()
    );
    server.join().unwrap();
}

#[test]
fn pending_negotiation_is_waited_for_up_to_maxwait() {
    // The server asks DO TTYPE but never sends SB TTYPE SEND... the client answered, so
    // nothing of ours is pending: connect returns at once. A server that leaves our own
    // request unanswered (always_do) keeps connect waiting until connect_maxwait.
    let (port, server) = serve(|stream| {
        thread::sleep(Duration::from_millis(800));
        drop(stream);
    });
    let start = Instant::now();
    let conn =
        TelnetConnection::connect_with("127.0.0.1", port, quick().always_do(vec![telopt::GMCP]))
            .unwrap();
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(200), "{took:?}");
    assert!(!conn.negotiation().settled);
    server.join().unwrap();
}

#[test]
fn answers_negotiation_with_configured_terminal() {
    let (port, server) = serve(|mut s| {
        s.write_all(&w("DO TTYPE | DO NAWS | WILL ECHO | WILL SGA"))
            .unwrap();
        expect(
            &mut s,
            "WILL TTYPE | WILL NAWS | SB NAWS 00 84 00 2b | DO ECHO | DO SGA",
        );
        s.write_all(&w("SB TTYPE 01 | DO NEW_ENVIRON")).unwrap();
        expect(&mut s, "SB TTYPE 00 'vt220' | WILL NEW_ENVIRON");
        s.write_all(&w("SB NEW_ENVIRON 01 00 'TERM' 00 'USER'"))
            .unwrap();
        expect(&mut s, "SB NEW_ENVIRON 00 00 'TERM' 01 'vt220' 00 'USER'");
        s.write_all(b"ready\r\n").unwrap();
        let mut rest = [0u8; 1];
        let _ = s.read(&mut rest);
    });
    let conn =
        TelnetConnection::connect_with("127.0.0.1", port, quick().term("vt220").cols(132).rows(43))
            .unwrap();
    assert_eq!(conn.readline(LONG).unwrap(), "ready\r\n");
    assert!(conn.remote_enabled(telopt::ECHO));
    assert_eq!(conn.negotiation().mode.as_str(), "kludge");
    conn.close();
    server.join().unwrap();
}

#[test]
fn readline_terminators_and_partial_line_at_eof() {
    let (port, server) = serve(|mut s| {
        s.write_all(b"one\r\ntwo\nthree\r\0four\rfive").unwrap();
    });
    let conn = TelnetConnection::connect_with("127.0.0.1", port, quick()).unwrap();
    assert_eq!(conn.readline(LONG).unwrap(), "one\r\n");
    assert_eq!(conn.readline(LONG).unwrap(), "two\n");
    assert_eq!(conn.readline(LONG).unwrap(), "three\r");
    assert_eq!(conn.readline(LONG).unwrap(), "four\r");
    assert_eq!(conn.readline(LONG).unwrap(), "five");
    assert!(matches!(conn.readline(LONG), Err(Error::Eof)));
    server.join().unwrap();
}

#[test]
fn readline_bytes_and_cr_split_across_reads() {
    let (port, server) = serve(|mut s| {
        s.write_all(b"abc\r").unwrap();
        thread::sleep(Duration::from_millis(150));
        s.write_all(b"\ndef\n").unwrap();
    });
    let conn = TelnetConnection::connect_with("127.0.0.1", port, quick()).unwrap();
    let first = conn.readline_bytes(LONG).unwrap();
    assert!(first == b"abc\r" || first == b"abc\r\n", "{first:?}");
    assert_eq!(conn.readline_bytes(LONG).unwrap(), b"def\n");
    server.join().unwrap();
}

#[test]
fn read_up_to_n_and_read_until() {
    let (port, server) = serve(|mut s| {
        s.write_all(b"hello world\r\nlogin: ").unwrap();
        hold(s);
    });
    let conn = TelnetConnection::connect_with("127.0.0.1", port, quick()).unwrap();
    assert_eq!(conn.read(5, LONG).unwrap(), "hello");
    assert_eq!(
        conn.read_until("login: ", LONG).unwrap(),
        " world\r\nlogin: "
    );
    assert!(matches!(
        conn.read_until("never", SHORT),
        Err(Error::Timeout)
    ));
    conn.close();
    server.join().unwrap();
}

#[test]
fn read_until_keeps_data_when_eof_comes_first() {
    let (port, server) = serve(|mut s| {
        s.write_all(b"partial").unwrap();
    });
    let conn = TelnetConnection::connect_with("127.0.0.1", port, quick()).unwrap();
    assert!(matches!(conn.read_until("$ ", LONG), Err(Error::Eof)));
    assert_eq!(conn.read_some(LONG).unwrap(), "partial");
    server.join().unwrap();
}

#[test]
fn write_doubles_iac_and_converts_nothing() {
    let (port, server) = serve(|mut s| {
        expect(&mut s, "'a' ff ff 'b' 0a");
    });
    let conn = TelnetConnection::connect_with("127.0.0.1", port, quick()).unwrap();
    conn.write_bytes(b"a\xffb\n").unwrap();
    conn.flush(LONG).unwrap();
    server.join().unwrap();
}

#[test]
fn text_is_ascii_until_binary_unless_forced() {
    let payload = "caf\u{e9}\r\n";
    let (port, server) = serve(move |mut s| {
        s.write_all(payload.as_bytes()).unwrap();
        s.write_all(&w("WILL BINARY")).unwrap();
        expect(&mut s, "DO BINARY");
        s.write_all(payload.as_bytes()).unwrap();
        let mut rest = [0u8; 1];
        let _ = s.read(&mut rest);
    });
    let conn = TelnetConnection::connect_with("127.0.0.1", port, quick()).unwrap();
    let before = conn.readline(LONG).unwrap();
    assert!(before.starts_with("caf\u{fffd}"), "{before:?}");
    assert_eq!(conn.readline(LONG).unwrap(), payload);
    conn.close();
    server.join().unwrap();

    let (port, server) = serve(move |mut s| {
        s.write_all(payload.as_bytes()).unwrap();
        expect(&mut s, "'\u{e9}'");
    });
    let conn =
        TelnetConnection::connect_with("127.0.0.1", port, quick().force_binary(true)).unwrap();
    assert_eq!(conn.readline(LONG).unwrap(), payload);
    conn.write("\u{e9}").unwrap();
    server.join().unwrap();
}

#[test]
fn charset_request_is_accepted_and_used() {
    let (port, server) = serve(|mut s| {
        s.write_all(&w("WILL CHARSET | WILL BINARY | DO BINARY"))
            .unwrap();
        expect(&mut s, "DO CHARSET");
        s.write_all(&w("SB CHARSET 01 ' LATIN1 UTF-8'")).unwrap();
        expect(&mut s, "SB CHARSET 02 'LATIN1'");
        s.write_all(b"\xe9\r\n").unwrap();
        let mut rest = [0u8; 1];
        let _ = s.read(&mut rest);
    });
    let conn = TelnetConnection::connect_with("127.0.0.1", port, quick().encoding(Some("latin-1")))
        .unwrap();
    assert_eq!(conn.readline(LONG).unwrap(), "\u{e9}\r\n");
    assert_eq!(conn.get_extra_info("charset").as_deref(), Some("LATIN1"));
    conn.close();
    server.join().unwrap();
}

#[test]
fn bytes_only_connection() {
    let (port, server) = serve(|mut s| {
        s.write_all(b"\x80\x81\r\n").unwrap();
        thread::sleep(Duration::from_millis(200));
    });
    let conn = TelnetConnection::connect_with("127.0.0.1", port, quick().encoding(None)).unwrap();
    assert!(matches!(conn.read_some(SHORT), Err(Error::Config(_))));
    assert_eq!(conn.readline_bytes(LONG).unwrap(), b"\x80\x81\r\n");
    server.join().unwrap();
}

#[test]
fn wait_for_by_option_name() {
    let (port, server) = serve(|mut s| {
        thread::sleep(Duration::from_millis(100));
        s.write_all(&w("DO NAWS")).unwrap();
        expect(&mut s, "WILL NAWS");
        hold(s);
    });
    let conn =
        TelnetConnection::connect_with("127.0.0.1", port, quick().connect_maxwait(Duration::ZERO))
            .unwrap();
    conn.wait_for(
        &WaitFor::default()
            .local("NAWS", true)
            .pending("NAWS", false),
        LONG,
    )
    .unwrap();
    assert!(matches!(
        conn.wait_for(&WaitFor::default().remote("ECHO", true), SHORT),
        Err(Error::Timeout)
    ));
    assert!(matches!(
        conn.wait_for(&WaitFor::default().remote("NOPE", true), SHORT),
        Err(Error::Protocol(_))
    ));
    conn.close();
    server.join().unwrap();
}

#[test]
fn extra_info() {
    let (port, server) = serve(|s| {
        thread::sleep(Duration::from_millis(200));
        drop(s);
    });
    let conn = TelnetConnection::connect_with(
        "127.0.0.1",
        port,
        quick().term("xterm").cols(100).rows(30).xdisploc("host:0"),
    )
    .unwrap();
    assert_eq!(conn.get_extra_info("term").as_deref(), Some("xterm"));
    assert_eq!(conn.get_extra_info("cols").as_deref(), Some("100"));
    assert_eq!(conn.get_extra_info("rows").as_deref(), Some("30"));
    assert_eq!(
        conn.get_extra_info("tspeed").as_deref(),
        Some("38400,38400")
    );
    assert_eq!(conn.get_extra_info("xdisploc").as_deref(), Some("host:0"));
    assert_eq!(conn.get_extra_info("lang").as_deref(), Some("en_US.UTF-8"));
    assert_eq!(conn.get_extra_info("tls").as_deref(), Some("false"));
    assert_eq!(
        conn.get_extra_info("peername"),
        Some(format!("127.0.0.1:{port}"))
    );
    assert!(conn.get_extra_info("sockname").is_some());
    assert_eq!(conn.get_extra_info("nonsense"), None);
    server.join().unwrap();
}

#[test]
fn calls_after_close_fail_with_closed() {
    let (port, server) = serve(|mut s| {
        let mut buf = [0u8; 16];
        // The client's close reaches us as EOF.
        loop {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    });
    let conn = TelnetConnection::connect_with("127.0.0.1", port, quick()).unwrap();
    conn.close();
    conn.close();
    assert!(conn.is_closed());
    assert!(matches!(conn.read_some(SHORT), Err(Error::Closed)));
    assert!(matches!(conn.write("x"), Err(Error::Closed)));
    assert!(matches!(conn.readline(SHORT), Err(Error::Closed)));
    assert!(matches!(conn.flush(SHORT), Err(Error::Closed)));
    server.join().unwrap();
}

#[test]
fn drop_closes_the_socket() {
    let (port, server) = serve(|mut s| {
        let mut buf = [0u8; 16];
        let start = Instant::now();
        loop {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => break start.elapsed(),
                Ok(_) => {}
            }
        }
    });
    let conn = TelnetConnection::connect_with("127.0.0.1", port, quick()).unwrap();
    drop(conn);
    assert!(server.join().unwrap() < Duration::from_secs(5));
}

#[test]
fn refused_connection_is_an_io_error() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    match TelnetConnection::connect_with("127.0.0.1", port, quick()) {
        Err(Error::Io(err)) => assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_encoding_is_a_config_error() {
    assert!(matches!(
        TelnetConnection::connect_with("127.0.0.1", 1, quick().encoding(Some("klingon"))),
        Err(Error::Config(_))
    ));
}

#[test]
fn write_errors_reach_the_caller() {
    let (port, server) = serve(|s| {
        // Reset the connection: close with unread data pending makes the kernel send RST.
        thread::sleep(Duration::from_millis(100));
        drop(s);
    });
    let conn = TelnetConnection::connect_with("127.0.0.1", port, quick()).unwrap();
    server.join().unwrap();
    let chunk = vec![b'x'; 64 * 1024];
    let mut failed = None;
    for _ in 0..200 {
        if let Err(err) = conn.write_bytes(&chunk) {
            failed = Some(err);
            break;
        }
        thread::sleep(Duration::from_millis(5));
    }
    let err = failed.expect("writing to a closed peer must fail");
    assert!(err.is_disconnect(), "{err:?}");
}

#[test]
fn memory_stays_bounded_under_a_fast_sender() {
    let limit = 64 * 1024;
    let (port, server) = serve(|mut s| {
        s.set_write_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        let chunk = vec![b'z'; 256 * 1024];
        let start = Instant::now();
        let mut sent = 0usize;
        // Send as fast as loopback allows for a second, or until the client stops reading.
        while start.elapsed() < Duration::from_secs(1) {
            match s.write(&chunk) {
                Ok(n) => sent += n,
                Err(_) => break,
            }
        }
        sent
    });
    let conn =
        TelnetConnection::connect_with("127.0.0.1", port, quick().buffer_limit(limit)).unwrap();
    let mut peak = 0;
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(1200) {
        peak = peak.max(conn.buffered());
        thread::sleep(Duration::from_millis(10));
    }
    // One socket read past the limit at most.
    assert!(
        peak <= limit + 16 * 1024,
        "buffered {peak} bytes with a limit of {limit}"
    );
    let sent = server.join().unwrap();
    assert!(sent > 4 * limit, "the sender only got {sent} bytes out");
    // Reading drains it and the reader goes on.
    let mut total = 0;
    while total < 4 * limit {
        total += conn.read_some_bytes(LONG).unwrap().len();
    }
}

#[test]
fn send_command_and_window_size() {
    let (port, server) = serve(|mut s| {
        s.write_all(&w("DO NAWS")).unwrap();
        // One expectation: the three writes may arrive in one read.
        expect(
            &mut s,
            "WILL NAWS | SB NAWS 00 50 00 19 | SB NAWS 00 64 00 1e | IAC AYT",
        );
    });
    let conn = TelnetConnection::connect_with("127.0.0.1", port, quick()).unwrap();
    conn.wait_for(&WaitFor::default().local("NAWS", true), LONG)
        .unwrap();
    conn.set_window_size(100, 30).unwrap();
    conn.send_command(telopt::AYT).unwrap();
    server.join().unwrap();
}
