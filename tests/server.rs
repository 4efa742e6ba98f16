//! Loopback tests of `BlockingTelnetServer` and `ServerConnection`: exact bytes with raw TCP
//! clients, and the miniboa API.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use telnetlib3::telopt::{self, parse_wire};
use telnetlib3::{
    BlockingTelnetServer, ConnectOptions, Error, ServerConnection, ServerOptions, TelnetConnection,
};

const LONG: Option<Duration> = Some(Duration::from_secs(5));

fn w(description: &str) -> Vec<u8> {
    parse_wire(description).unwrap()
}

/// Options that keep tests quick: short negotiation wait, no idle timeout.
fn quick() -> ServerOptions {
    ServerOptions::default()
        .connect_maxwait(Duration::from_millis(300))
        .timeout(None)
}

/// Starts a server on a free port; returns it, its port and the serve_forever thread.
fn start(
    options: ServerOptions,
    handler: impl Fn(ServerConnection) + Send + Sync + 'static,
) -> (BlockingTelnetServer, u16, JoinHandle<()>) {
    let server = BlockingTelnetServer::with_options("127.0.0.1", 0, options, handler);
    let port = server.start().unwrap().port();
    let runner = server.clone();
    let handle = thread::spawn(move || runner.serve_forever().unwrap());
    (server, port, handle)
}

fn stop(server: BlockingTelnetServer, handle: JoinHandle<()>) {
    server.shutdown();
    handle.join().unwrap();
}

fn raw(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
}

/// Everything the server sends until it closes (bounded by the read timeout).
fn read_to_end(stream: &mut TcpStream) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return all,
            Ok(n) => all.extend_from_slice(&buf[..n]),
        }
    }
}

/// Reads until `want` (a wire description) has arrived; returns all bytes read.
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
            Ok(0) => panic!(
                "EOF before {}; got {}",
                telopt::describe_bytes(&want),
                telopt::describe_bytes(&got)
            ),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(err) => panic!("{err}; got {}", telopt::describe_bytes(&got)),
        }
    }
    got
}

fn client(port: u16) -> TelnetConnection {
    TelnetConnection::connect_with(
        "127.0.0.1",
        port,
        ConnectOptions::default()
            .term("xterm-256color")
            .cols(100)
            .rows(40)
            .connect_maxwait(Duration::from_secs(2))
            .timeout(LONG),
    )
    .unwrap()
}

#[test]
fn silent_client_gets_do_ttype_then_the_handler_after_maxwait() {
    let (server, port, handle) = start(quick(), |conn| {
        conn.write("hello\r\n").unwrap();
    });
    let start = Instant::now();
    let mut s = raw(port);
    let all = read_to_end(&mut s);
    assert_eq!(
        all,
        b"\xff\xfd\x18hello\r\n",
        "{}",
        telopt::describe_bytes(&all)
    );
    assert!(start.elapsed() >= Duration::from_millis(300));
    stop(server, handle);
}

#[test]
fn idle_timeout_says_so_and_closes() {
    let options = quick().timeout(Some(Duration::from_millis(400)));
    let (server, port, handle) = start(options, |conn| {
        // Blocks until the idle timeout ends the connection.
        assert!(conn.readline(Some(Duration::from_secs(10))).is_err());
    });
    let mut s = raw(port);
    let start = Instant::now();
    let all = read_to_end(&mut s);
    assert_eq!(
        all,
        b"\xff\xfd\x18\r\nTimeout.\r\n",
        "{}",
        telopt::describe_bytes(&all)
    );
    assert!(start.elapsed() >= Duration::from_millis(400));
    stop(server, handle);
}

#[test]
fn input_resets_the_idle_timer() {
    let options = quick().timeout(Some(Duration::from_millis(500)));
    let (server, port, handle) = start(options, |conn| {
        let _ = conn.readline(Some(Duration::from_secs(10)));
        let _ = conn.readline(Some(Duration::from_secs(10)));
    });
    let mut s = raw(port);
    let start = Instant::now();
    for _ in 0..4 {
        thread::sleep(Duration::from_millis(250));
        s.write_all(b"\xff\xf1").unwrap(); // IAC NOP counts as input
    }
    s.write_all(b"one\r\n").unwrap();
    let all = read_to_end(&mut s);
    assert!(start.elapsed() >= Duration::from_millis(1400));
    assert!(
        all.ends_with(b"\r\nTimeout.\r\n"),
        "{}",
        telopt::describe_bytes(&all)
    );
    stop(server, handle);
}

#[test]
fn negotiation_order_and_line_mode() {
    let (server, port, handle) = start(quick(), |conn| {
        let _ = conn.readline(LONG);
    });
    let mut s = raw(port);
    expect(&mut s, "DO TTYPE");
    s.write_all(&w("WILL TTYPE")).unwrap();
    expect(
        &mut s,
        "SB TTYPE 01 | WILL SGA | WILL BINARY | DO NAWS | DO CHARSET",
    );
    s.write_all(&w("SB TTYPE 00 'xterm'")).unwrap();
    expect(&mut s, "WILL ECHO | DO NEW_ENVIRON | SB TTYPE 01");
    drop(s);
    stop(server, handle);

    let (server, port, handle) = start(quick().line_mode(true), |conn| {
        let _ = conn.readline(LONG);
    });
    let mut s = raw(port);
    expect(&mut s, "DO TTYPE");
    s.write_all(&w("WILL TTYPE")).unwrap();
    let got = expect(
        &mut s,
        "SB TTYPE 01 | WILL BINARY | DO NAWS | DO CHARSET | DO LINEMODE",
    );
    s.write_all(&w("SB TTYPE 00 'xterm'")).unwrap();
    let more = expect(&mut s, "DO NEW_ENVIRON | SB TTYPE 01");
    for bytes in [&got, &more] {
        let shown = telopt::describe_bytes(bytes);
        assert!(
            !shown.contains("WILL SGA") && !shown.contains("WILL ECHO"),
            "{shown}"
        );
    }
    drop(s);
    stop(server, handle);
}

#[test]
fn microsoft_telnet_and_mud_clients() {
    let (server, port, handle) = start(quick(), |conn| {
        let _ = conn.readline(LONG);
    });
    let mut s = raw(port);
    expect(&mut s, "DO TTYPE");
    s.write_all(&w("WILL TTYPE")).unwrap();
    expect(
        &mut s,
        "SB TTYPE 01 | WILL SGA | WILL BINARY | DO NAWS | DO CHARSET",
    );
    s.write_all(&w("SB TTYPE 00 'ANSI'")).unwrap();
    expect(&mut s, "SB TTYPE 01");
    s.write_all(&w("SB TTYPE 00 'VT100'")).unwrap();
    expect(&mut s, "WILL ECHO | DO NEW_ENVIRON | SB TTYPE 01");
    s.write_all(&w("WILL NEW_ENVIRON")).unwrap();
    let got = expect(&mut s, "'IPADDRESS' 00 03 fff0");
    assert!(!telopt::describe_bytes(&got).contains("'USER'"));
    drop(s);

    let mut s = raw(port);
    expect(&mut s, "DO TTYPE");
    s.write_all(&w("WILL TTYPE")).unwrap();
    expect(&mut s, "DO CHARSET");
    s.write_all(&w("SB TTYPE 00 'Mudlet'")).unwrap();
    let got = expect(&mut s, "DO NEW_ENVIRON | SB TTYPE 01");
    assert!(!telopt::describe_bytes(&got).contains("WILL ECHO"));
    drop(s);
    stop(server, handle);
}

#[test]
fn go_ahead_after_prompts_unless_sga_or_never_send_ga() {
    let handler = |conn: ServerConnection| {
        conn.write("login: ").unwrap();
        let _ = conn.readline(LONG);
    };
    let (server, port, handle) =
        start(quick().connect_maxwait(Duration::from_millis(100)), handler);
    let mut s = raw(port);
    expect(&mut s, "DO TTYPE | 'login: ' | IAC GA");
    drop(s);
    // A client that agreed to SGA gets no GA.
    let mut s = raw(port);
    expect(&mut s, "DO TTYPE");
    s.write_all(&w("WILL TTYPE")).unwrap();
    expect(&mut s, "WILL SGA");
    s.write_all(&w("DO SGA | WONT TTYPE")).unwrap();
    let got = expect(&mut s, "'login: '");
    thread::sleep(Duration::from_millis(200));
    s.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut rest = [0u8; 64];
    let n = s.read(&mut rest).unwrap_or(0);
    let all = [got, rest[..n].to_vec()].concat();
    assert!(
        !telopt::describe_bytes(&all).contains("IAC GA"),
        "{}",
        telopt::describe_bytes(&all)
    );
    drop(s);
    stop(server, handle);

    let (server, port, handle) = start(
        quick()
            .connect_maxwait(Duration::from_millis(100))
            .never_send_ga(true),
        handler,
    );
    let mut s = raw(port);
    let got = expect(&mut s, "'login: '");
    s.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut rest = [0u8; 64];
    let n = s.read(&mut rest).unwrap_or(0);
    assert!(!telopt::describe_bytes(&[got, rest[..n].to_vec()].concat()).contains("IAC GA"));
    drop(s);
    stop(server, handle);
}

#[test]
fn server_connection_api_with_our_client() {
    let (tx, rx) = mpsc::channel::<String>();
    let (server, port, handle) = start(quick(), move |conn| {
        let report = format!(
            "{}|{}x{}|{}|{}|{}|{}|{}",
            conn.terminal_type(),
            conn.columns(),
            conn.rows(),
            conn.get_extra_info("TERM").unwrap_or_default(),
            conn.get_extra_info("ttype1").unwrap_or_default(),
            conn.get_extra_info("LANG").unwrap_or_default(),
            conn.get_extra_info("charset").unwrap_or_default(),
            conn.mode().as_str(),
        );
        tx.send(report).unwrap();
        tx.send(format!("{}:{}", conn.address(), conn.port()))
            .unwrap();
        tx.send(conn.addrport()).unwrap();
        conn.send("one\ntwo\r\n").unwrap();
        conn.send_cc("^rred^~\n").unwrap();
        let line = conn.readline(LONG).unwrap();
        conn.write(&format!("got {line}")).unwrap();
        tx.send(format!(
            "{} {}",
            conn.bytes_sent() > 0,
            conn.bytes_received() > 0
        ))
        .unwrap();
        let _ = conn.readline(LONG);
    });
    let conn = client(port);
    let report = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(
        report,
        "xterm-256color|100x40|xterm-256color|xterm-256color|en_US.UTF-8|UTF-8|kludge"
    );
    let addr = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(addr.starts_with("127.0.0.1:"));
    assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), addr);
    assert_eq!(conn.readline(LONG).unwrap(), "one\r\n");
    assert_eq!(conn.readline(LONG).unwrap(), "two\r\n");
    assert_eq!(conn.readline(LONG).unwrap(), "\x1b[22;31mred\x1b[0m\r\n");
    conn.write("hello\r\n").unwrap();
    // The server echoes what we type while it does WILL ECHO, then answers.
    assert_eq!(conn.readline(LONG).unwrap(), "hello\r\n");
    assert_eq!(conn.readline(LONG).unwrap(), "got hello\r\n");
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(5)).unwrap(),
        "true true"
    );
    conn.close();
    stop(server, handle);
}

#[test]
fn miniboa_commands_echo_and_editing() {
    let (tx, rx) = mpsc::channel::<String>();
    let (server, port, handle) = start(quick(), move |conn| {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if conn.cmd_ready() {
                let cmd = conn.get_command().unwrap();
                tx.send(cmd.clone()).unwrap();
                if cmd == "quit" {
                    break;
                }
            }
            thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(conn.get_command(), None);
    });
    let mut s = raw(port);
    expect(&mut s, "DO TTYPE");
    s.write_all(&w("WILL TTYPE | DO ECHO | DO SGA | SB TTYPE 00 'vt100'"))
        .unwrap();
    expect(&mut s, "WILL ECHO");
    // "ab", DEL, "c", CR LF: the server echoes and edits.
    s.write_all(b"ab\x7fc\r\n").unwrap();
    expect(&mut s, "'ab' 08 20 08 'c' 0d 0a");
    assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), "ac");
    s.write_all(b"  spaced  \r\nquit\r\n").unwrap();
    assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), "spaced");
    assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), "quit");
    drop(s);
    stop(server, handle);
}

#[test]
fn miniboa_requests_and_password_mode() {
    let (tx, rx) = mpsc::channel::<bool>();
    let (server, port, handle) = start(
        quick().connect_maxwait(Duration::from_millis(100)),
        move |conn| {
            conn.request_do_sga().unwrap();
            conn.request_naws().unwrap();
            conn.request_terminal_type().unwrap();
            conn.password_mode_on().unwrap();
            let secret = conn.readline(LONG).unwrap();
            tx.send(secret == "pw\r\n").unwrap();
            conn.password_mode_off().unwrap();
            conn.request_will_echo().unwrap();
            conn.request_wont_echo().unwrap();
            let idle = conn.idle();
            tx.send(idle < Duration::from_secs(5) && conn.duration() >= idle)
                .unwrap();
            tx.send(conn.connect_time() <= conn.last_input_time())
                .unwrap();
            let _ = conn.readline(LONG);
        },
    );
    let mut s = raw(port);
    // DO TTYPE comes on connect; the requests add DO SGA, DO NAWS and WILL ECHO (TTYPE is
    // already asked for).
    expect(&mut s, "DO TTYPE | DO SGA | DO NAWS | WILL ECHO");
    s.write_all(&w("DO ECHO")).unwrap();
    s.write_all(b"pw\r\n").unwrap();
    assert!(rx.recv_timeout(Duration::from_secs(5)).unwrap());
    // Nothing typed in password mode was echoed; then WONT ECHO, WILL ECHO, WONT ECHO.
    let got = expect(&mut s, "WONT ECHO");
    assert!(
        !telopt::describe_bytes(&got).contains("pw"),
        "{}",
        telopt::describe_bytes(&got)
    );
    assert!(rx.recv_timeout(Duration::from_secs(5)).unwrap());
    assert!(rx.recv_timeout(Duration::from_secs(5)).unwrap());
    drop(s);
    stop(server, handle);
}

#[test]
fn send_wrapped_uses_the_window_width() {
    let (server, port, handle) = start(quick(), |conn| {
        conn.send_wrapped("alpha beta gamma delta epsilon").unwrap();
        let _ = conn.readline(LONG);
    });
    let conn = TelnetConnection::connect_with(
        "127.0.0.1",
        port,
        ConnectOptions::default().cols(20).timeout(LONG),
    )
    .unwrap();
    assert_eq!(conn.readline(LONG).unwrap(), "     alpha beta\r\n");
    assert_eq!(conn.readline(LONG).unwrap(), "  gamma delta\r\n");
    assert_eq!(conn.readline(LONG).unwrap(), "  epsilon\r\n");
    conn.close();
    stop(server, handle);
}

#[test]
fn active_turns_false_when_the_client_hangs_up_and_deactivate_disconnects() {
    let (tx, rx) = mpsc::channel::<bool>();
    let (server, port, handle) = start(
        quick().connect_maxwait(Duration::from_millis(100)),
        move |conn| {
            tx.send(conn.active()).unwrap();
            let deadline = Instant::now() + Duration::from_secs(5);
            while conn.active() && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(10));
            }
            tx.send(conn.active()).unwrap();
        },
    );
    let s = raw(port);
    assert!(rx.recv_timeout(Duration::from_secs(5)).unwrap());
    drop(s);
    assert!(!rx.recv_timeout(Duration::from_secs(5)).unwrap());

    let (tx2, rx2) = mpsc::channel::<()>();
    let tx2 = Arc::new(parking_lot::Mutex::new(tx2));
    drop(rx);
    stop(server, handle);
    let (server, port, handle) = start(
        quick().connect_maxwait(Duration::from_millis(100)),
        move |conn| {
            conn.deactivate();
            let _ = tx2.lock().send(());
        },
    );
    let mut s = raw(port);
    rx2.recv_timeout(Duration::from_secs(5)).unwrap();
    let all = read_to_end(&mut s);
    assert_eq!(all, b"\xff\xfd\x18");
    stop(server, handle);
}

#[test]
fn broadcast_to_three_clients() {
    let (server, port, handle) = start(quick(), |conn| {
        // The test broadcasts from outside; keep the connection until the client leaves.
        let _ = conn.readline(LONG);
    });
    let clients: Vec<TelnetConnection> = (0..3).map(|_| client(port)).collect();
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.clients().len() < 3 {
        assert!(
            Instant::now() < deadline,
            "only {} clients",
            server.clients().len()
        );
        thread::sleep(Duration::from_millis(10));
    }
    for conn in server.clients() {
        conn.write("news for everyone\r\n").unwrap();
    }
    for c in &clients {
        assert_eq!(c.readline(LONG).unwrap(), "news for everyone\r\n");
    }
    drop(clients);
    stop(server, handle);
}

#[test]
fn a_panicking_handler_closes_only_its_connection() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let (server, port, handle) = start(quick(), move |conn| {
        if counter.fetch_add(1, Ordering::SeqCst) == 0 {
            panic!("handler bug");
        }
        conn.write("still serving\r\n").unwrap();
        let _ = conn.readline(LONG);
    });
    let first = client(port);
    assert!(matches!(first.read_some(LONG), Err(Error::Eof)));
    let second = client(port);
    assert_eq!(second.readline(LONG).unwrap(), "still serving\r\n");
    drop(second);
    stop(server, handle);
}

#[test]
fn max_connections_refuses_the_extra_client() {
    let (server, port, handle) = start(quick().max_connections(1), |conn| {
        let _ = conn.readline(LONG);
    });
    let first = client(port);
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.clients().is_empty() {
        assert!(Instant::now() < deadline);
        thread::sleep(Duration::from_millis(10));
    }
    let mut s = raw(port);
    assert_eq!(
        read_to_end(&mut s),
        b"Too many connections, try again later.\r\n"
    );
    drop(first);
    stop(server, handle);
}

#[test]
fn shutdown_with_clients_attached() {
    let (server, port, handle) = start(quick(), |conn| {
        // Blocks until shutdown closes the connection.
        assert!(conn.readline(None).is_err());
    });
    let a = client(port);
    let b = client(port);
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.clients().len() < 2 {
        assert!(Instant::now() < deadline);
        thread::sleep(Duration::from_millis(10));
    }
    let start = Instant::now();
    server.shutdown();
    handle.join().unwrap();
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(server.clients().is_empty());
    assert!(matches!(a.read_some(LONG), Err(Error::Eof)));
    assert!(matches!(b.read_some(LONG), Err(Error::Eof)));
    // No longer listening.
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[test]
fn accept_for_a_custom_threading_strategy() {
    let server = BlockingTelnetServer::without_handler("127.0.0.1", 0, quick());
    let port = server.start().unwrap().port();
    assert!(matches!(
        server.accept(Some(Duration::from_millis(50))),
        Err(Error::Timeout)
    ));
    let client_thread = thread::spawn(move || {
        let conn = client(port);
        conn.readline(LONG).unwrap()
    });
    let conn = server.accept(Some(Duration::from_secs(5))).unwrap();
    conn.write("accepted\r\n").unwrap();
    assert_eq!(client_thread.join().unwrap(), "accepted\r\n");
    assert_eq!(server.clients().len(), 1);
    conn.close();
    server.shutdown();
    assert!(matches!(
        server.accept(Some(Duration::from_millis(10))),
        Err(Error::Closed)
    ));
}

#[test]
fn serve_forever_without_handler_is_a_config_error() {
    let server = BlockingTelnetServer::without_handler("127.0.0.1", 0, quick());
    assert!(matches!(server.serve_forever(), Err(Error::Config(_))));
}

#[test]
fn command_keys_put_terminal_keys_where_the_commands_arrived() {
    let (tx, rx) = mpsc::channel();
    let options = quick().echo(false).command_keys(true);
    let (server, port, handle) = start(options, move |conn| {
        let mut got = Vec::new();
        while got.len() < 11 {
            match conn.read_some_bytes(Some(Duration::from_secs(5))) {
                Ok(data) => got.extend_from_slice(&data),
                Err(_) => break,
            }
        }
        let _ = tx.send(got);
    });
    let mut client = raw(port);
    client
        .write_all(&w(
            "'a' | IAC IP | 'b' | IAC BRK | IAC AO | IAC ABORT | IAC SUSP | IAC EOF | IAC EC | \
             IAC EL | IAC NOP | IAC AYT | 'c'",
        ))
        .unwrap();
    let got = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(got, b"a\x03b\x03\x0f\x1c\x1a\x04\x7f\x15c");
    // Without the option, the same commands leave no trace in the input.
    let (tx, rx) = mpsc::channel();
    let (plain, plain_port, plain_handle) = start(quick().echo(false), move |conn| {
        let _ = tx.send(conn.read_until_bytes(b"c", Some(Duration::from_secs(5))));
    });
    raw(plain_port)
        .write_all(&w("'a' | IAC IP | IAC EC | 'c'"))
        .unwrap();
    let got = rx.recv_timeout(Duration::from_secs(10)).unwrap().unwrap();
    assert_eq!(got, b"ac");
    drop(client);
    stop(server, handle);
    stop(plain, plain_handle);
}
