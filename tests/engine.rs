//! Regression tests of the connection engine, one per fault it fixed: background negotiation
//! and a waiting accept, long lines, binary input, shutdown, dropped handles, errors, events.
//! Loopback only; every wait is bounded.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use support::start_server as start;
use telnetlib3::protocol::Event;
use telnetlib3::telopt::{self, IAC};
use telnetlib3::{
    BlockingTelnetServer, ConnectOptions, Error, Partial, ServerOptions, TelnetConnection,
};

const LONG: Option<Duration> = Some(Duration::from_secs(10));

fn quick() -> ServerOptions {
    ServerOptions::default()
        .connect_maxwait(Duration::from_millis(500))
        .timeout(None)
}

fn raw(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

/// Reads from `stream` until `needle` arrived; returns everything read.
fn read_until(stream: &mut TcpStream, needle: &[u8]) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = [0u8; 65536];
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if all.windows(needle.len()).any(|w| w == needle) {
            return all;
        }
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => all.extend_from_slice(&buf[..n]),
            Err(err) => panic!("read failed waiting for {needle:?}: {err}"),
        }
    }
    panic!(
        "{:?} never came; got {:?}",
        String::from_utf8_lossy(needle),
        String::from_utf8_lossy(&all)
    );
}

/// Item 7: `accept` honours its timeout while a silent client negotiates in the background,
/// and a client behind the silent one is handed over as soon as it is ready.
#[test]
fn accept_honours_its_timeout_behind_a_silent_client() {
    let options = ServerOptions::default()
        .connect_maxwait(Duration::from_secs(4))
        .timeout(None);
    let server = BlockingTelnetServer::without_handler("127.0.0.1", 0, options);
    let port = server.start().unwrap().port();
    let _silent = raw(port);
    let started = Instant::now();
    assert!(matches!(
        server.accept(Some(Duration::from_millis(200))),
        Err(Error::Timeout)
    ));
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(2), "accept took {waited:?}");
    // A real client behind it negotiates at once and is accepted before the silent one.
    let client = thread::spawn(move || TelnetConnection::connect("127.0.0.1", port).unwrap());
    let conn = server.accept(LONG).unwrap();
    assert!(conn.remote_enabled(telopt::TTYPE));
    drop(client.join().unwrap());
    server.shutdown();
}

/// Item 2: a line longer than `max_line` neither stalls the reader nor the handler: the read
/// fails with `Error::Limit` carrying the data, the rest of the line is dropped, and the next
/// line reads normally.
#[test]
fn an_endless_line_gets_a_limit_error_and_the_connection_goes_on() {
    let max_line = 256 * 1024;
    let (tx, rx) = mpsc::channel();
    let options = quick().max_line(max_line).buffer_limit(16 * 1024);
    let (server, port, handle) = start(options, move |conn| {
        conn.write("go\r\n").unwrap();
        let first = conn.readline(LONG);
        let second = conn.readline(LONG);
        tx.send((first, second)).unwrap();
        conn.write("done\r\n").unwrap();
    });
    let mut stream = raw(port);
    read_until(&mut stream, b"go\r\n");
    // 4 MiB without a newline, written while nothing reads our side but the server.
    let writer = {
        let mut stream = stream.try_clone().unwrap();
        thread::spawn(move || {
            let chunk = vec![b'x'; 64 * 1024];
            for _ in 0..64 {
                stream.write_all(&chunk).unwrap();
            }
            stream.write_all(b"\r\nnext line\r\n").unwrap();
        })
    };
    let (first, second) = rx.recv_timeout(Duration::from_secs(30)).unwrap();
    writer.join().unwrap();
    match first {
        Err(Error::Limit(limit)) => {
            assert_eq!(limit.what, "max_line");
            assert_eq!(limit.limit, max_line);
            match limit.partial {
                Partial::Text(text) => {
                    assert!(text.len() >= max_line && text.bytes().all(|b| b == b'x'));
                }
                other => panic!("{other:?}"),
            }
        }
        other => panic!("expected Error::Limit, got {other:?}"),
    }
    assert_eq!(second.unwrap(), "next line\r\n");
    read_until(&mut stream, b"done\r\n");
    server.shutdown();
    handle.join().unwrap();
}

/// Item 6: a bytes-only server that performs ECHO hands its handler the bytes unaltered (BS
/// and DEL are data), and echoes them as they came.
#[test]
fn bytes_only_input_is_not_edited() {
    let (tx, rx) = mpsc::channel();
    let options = quick().encoding(None);
    let (server, port, handle) = start(options, move |conn| {
        conn.write_bytes(b"go\r\n").unwrap();
        let got = conn.read_until_bytes(b">>>", LONG);
        tx.send(got).unwrap();
    });
    let mut stream = raw(port);
    read_until(&mut stream, b"go\r\n");
    stream.write_all(&[IAC, telopt::DO, telopt::ECHO]).unwrap();
    stream.write_all(b"ab\x08c\x7fd>>>").unwrap();
    let got = rx.recv_timeout(Duration::from_secs(10)).unwrap().unwrap();
    assert_eq!(got, b"ab\x08c\x7fd>>>");
    server.shutdown();
    handle.join().unwrap();
}

/// Item 8: a handler blocked in `read` during `shutdown` gets `Error::Closed`, every time.
#[test]
fn shutdown_gives_a_blocked_handler_closed_not_eof() {
    for _ in 0..20 {
        let (tx, rx) = mpsc::channel();
        let (server, port, handle) = start(quick(), move |conn| {
            conn.write("ready\r\n").unwrap();
            tx.send(conn.read_some(LONG)).unwrap();
        });
        let client = TelnetConnection::connect("127.0.0.1", port).unwrap();
        client.read_until("ready", LONG).unwrap();
        server.shutdown();
        let got = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert!(matches!(got, Err(Error::Closed)), "{got:?}");
        handle.join().unwrap();
    }
}

/// Item 8: a connection taken from `accept` and dropped is closed: the client sees the end,
/// and the server no longer counts it.
#[test]
fn a_dropped_server_connection_closes() {
    let server = BlockingTelnetServer::without_handler("127.0.0.1", 0, quick());
    let port = server.start().unwrap().port();
    let client = TelnetConnection::connect("127.0.0.1", port).unwrap();
    let conn = server.accept(LONG).unwrap();
    assert_eq!(server.clients().len(), 1);
    drop(conn);
    assert!(server.clients().is_empty());
    assert!(matches!(client.read_some(LONG), Err(Error::Eof)));
    server.shutdown();
}

/// Item 1: the acceptor waits on the listener (no polling interval), and `shutdown` ends
/// `serve_forever` at once.
#[test]
fn serve_forever_ends_at_shutdown_and_clients_are_served_in_turn() {
    let (server, port, handle) = start(quick(), |conn| {
        conn.write("hi\r\n").unwrap();
    });
    for _ in 0..20 {
        let client = TelnetConnection::connect("127.0.0.1", port).unwrap();
        assert_eq!(client.read_until("hi\r\n", LONG).unwrap(), "hi\r\n");
    }
    server.shutdown();
    handle.join().unwrap();
}

/// Events: a handler sees the client's window size change and an AYT as typed events.
#[test]
fn handler_events_report_window_size_and_commands() {
    let (tx, rx) = mpsc::channel();
    let (server, port, handle) = start(quick(), move |conn| {
        let mut events = conn.events();
        conn.write("ready\r\n").unwrap();
        let mut seen = Vec::new();
        while seen.len() < 2 {
            match events.recv(LONG) {
                Ok(Event::WindowSize { cols: 132, rows }) => seen.push(format!("naws {rows}")),
                Ok(Event::Command(telopt::AYT)) => seen.push("ayt".to_owned()),
                Ok(_) => {}
                Err(err) => {
                    seen.push(format!("{err}"));
                    break;
                }
            }
        }
        tx.send(seen).unwrap();
    });
    let client = TelnetConnection::connect_with(
        "127.0.0.1",
        port,
        ConnectOptions::default().cols(80).rows(25),
    )
    .unwrap();
    client.read_until("ready", LONG).unwrap();
    client.set_window_size(132, 43).unwrap();
    client.send_command(telopt::AYT).unwrap();
    let seen = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(seen, ["naws 43", "ayt"]);
    server.shutdown();
    handle.join().unwrap();
}

/// Item 9: `flush` honours its timeout path and reports a closed connection.
#[test]
fn flush_returns_and_reports_closed() {
    let (server, port, handle) = start(quick(), |conn| {
        let _ = conn.read_some(LONG);
    });
    let client = TelnetConnection::connect("127.0.0.1", port).unwrap();
    client.write("x").unwrap();
    client.flush(Some(Duration::from_secs(1))).unwrap();
    client.close();
    assert!(matches!(client.flush(None), Err(Error::Closed)));
    server.shutdown();
    handle.join().unwrap();
}

/// Item 9: a configuration error keeps its cause.
#[test]
fn config_errors_keep_their_cause() {
    let options = quick().tls("/nonexistent/cert.pem", "/nonexistent/key.pem");
    let server = BlockingTelnetServer::without_handler("127.0.0.1", 0, options);
    let err = server.start().unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    let source = std::error::Error::source(&err);
    assert!(source.is_some(), "no cause kept: {err}");
}

/// The wire of a 0xFF-bearing payload: IAC doubled by the writer, undone by the reader.
#[test]
fn binary_payload_round_trips_with_iac() {
    let (server, port, handle) = start(quick().encoding(None), |conn| {
        let data = conn.read_bytes(3, LONG).unwrap();
        conn.write_bytes(&data).unwrap();
    });
    let client =
        TelnetConnection::connect_with("127.0.0.1", port, ConnectOptions::default().encoding(None))
            .unwrap();
    client.write_bytes(&[IAC, 0, IAC]).unwrap();
    let mut got = Vec::new();
    while got.len() < 3 {
        got.extend(client.read_some_bytes(LONG).unwrap());
    }
    assert_eq!(got, [IAC, 0, IAC]);
    server.shutdown();
    handle.join().unwrap();
}

/// The `server_binary` example, run: bytes come back as hex exactly as sent (BS, DEL, NUL
/// and 0xFF included). The test command (`scripts/test.sh`) builds the examples first.
#[test]
fn server_binary_example_echoes_bytes_unaltered() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    // target/<profile>/deps/engine-… → target/<profile>/examples/server_binary
    let exe = std::env::current_exe()
        .unwrap()
        .parent()
        .and_then(std::path::Path::parent)
        .unwrap()
        .join("examples")
        .join("server_binary");
    assert!(
        exe.exists(),
        "{} is not built: the test command builds the examples first (`cargo build --examples`)",
        exe.display()
    );
    let mut child = Command::new(&exe)
        .arg("0")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let _child = Kill(child);
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let addr = first
        .split_whitespace()
        .find(|w| w.starts_with("127.0.0.1:"))
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .trim_end_matches(';')
        .to_owned();
    let port: u16 = addr.rsplit(':').next().unwrap().parse().unwrap();
    let mut stream = raw(port);
    read_until(&mut stream, b"as hex\r\n");
    stream.write_all(&[IAC, telopt::DO, telopt::ECHO]).unwrap();
    stream.write_all(b"ab\x08c\x7f\0\xff\xff").unwrap();
    let got = read_until(&mut stream, b"00 ff\r\n");
    let text = String::from_utf8_lossy(&got);
    assert!(text.contains("61 62 08 63 7f 00 ff\r\n"), "{text:?}");
}

/// Item 9: `flush` honours its timeout while a write is stuck behind a client that does not
/// read, and the stuck write itself ends with `Error::Timeout` under `io_timeout`.
#[test]
fn flush_times_out_behind_a_stuck_write() {
    let (tx, rx) = mpsc::channel();
    let options = quick().io_timeout(Some(Duration::from_secs(1)));
    let (server, port, handle) = start(options, move |conn| {
        let writer = {
            let conn = conn.clone();
            thread::spawn(move || {
                let chunk = vec![b'x'; 1 << 20];
                for _ in 0..256 {
                    if let Err(err) = conn.write_bytes(&chunk) {
                        return Some(err);
                    }
                }
                None
            })
        };
        // Once the socket buffers are full the writer blocks, holding the send lock: a flush
        // then waits its 200 ms and times out. Before that, flushes succeed between writes.
        let flushed = loop {
            let flushed = conn.flush(Some(Duration::from_millis(200)));
            if flushed.is_err() || writer.is_finished() {
                break flushed;
            }
            thread::yield_now();
        };
        let write = writer.join().unwrap();
        tx.send((flushed, write)).unwrap();
    });
    // Connect and never read.
    let _silent = raw(port);
    let (flushed, write) = rx.recv_timeout(Duration::from_secs(30)).unwrap();
    assert!(matches!(flushed, Err(Error::Timeout)), "{flushed:?}");
    assert!(matches!(write, Some(Error::Timeout)), "{write:?}");
    server.shutdown();
    handle.join().unwrap();
}
