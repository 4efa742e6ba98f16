//! `TelnetConnection` against real telnet servers on loopback: busybox telnetd, inetutils
//! telnetd and Python's telnetlib3-server 5.0.1 (plain and TLS). The peers come from
//! `scripts/install-peers.sh`; without them these tests are skipped, unless
//! `TELNETLIB3_INTEROP=1` (set by `scripts/test.sh`) makes them fail.

mod support;

use std::time::{Duration, Instant};

use support::{command, require, require_all, Peer, TestCert, LOOPBACK, STEP};
use telnetlib3::protocol::Mode;
use telnetlib3::telopt::{self, Opt};
use telnetlib3::{ConnectOptions, Error, NegotiationState, TelnetConnection};

/// Options for every test: bounded connect, bounded reads and writes.
fn options() -> ConnectOptions {
    ConnectOptions::default()
        .connect_maxwait(Duration::from_secs(3))
        .connect_timeout(Some(STEP))
        .timeout(Some(STEP))
}

/// The negotiation, with option names, for the test output.
fn describe(state: &NegotiationState) -> String {
    let names = |opts: &[u8]| {
        opts.iter()
            .map(|&o| Opt(o).to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    format!(
        "mode={} settled={} we-will=[{}] they-will=[{}]",
        state.mode.as_str(),
        state.settled,
        names(&state.local),
        names(&state.remote)
    )
}

/// Reads until `done` holds for the text read so far (at most `timeout`), or panics with what
/// was read and the peer's output.
fn read_until_cond(
    conn: &TelnetConnection,
    peer: &Peer,
    what: &str,
    timeout: Duration,
    done: impl FnMut(&str) -> bool,
) -> String {
    support::read_while(|left| conn.read_some(Some(left)), done, timeout).unwrap_or_else(|err| {
        panic!(
            "waiting for {what}: {err}\nnegotiation: {}\npeer output:\n{}",
            describe(&conn.negotiation()),
            peer.log()
        )
    })
}

/// Whether `text` holds a complete line (terminated) equal to `line`, CR or not.
fn has_line(text: &str, line: &str) -> bool {
    text.split_inclusive('\n')
        .any(|l| l.ends_with('\n') && l.trim_end_matches(['\r', '\n']) == line)
}

/// Reads whatever is left until the server closes (at most `timeout`); panics on anything but EOF.
fn read_to_eof(conn: &TelnetConnection, peer: &Peer, timeout: Duration) -> String {
    let deadline = Instant::now() + timeout;
    let mut text = String::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "no EOF within {timeout:?}; read {text:?}\npeer output:\n{}",
            peer.log()
        );
        match conn.read_some(Some(left)) {
            Ok(more) => text.push_str(&more),
            Err(Error::Eof) => return text,
            Err(err) => panic!("expected EOF, got {err:?} after {text:?}"),
        }
    }
}

/// Whether the text read so far ends in a shell prompt (`# ` for root, `$ ` otherwise).
fn at_shell_prompt(text: &str) -> bool {
    text.ends_with("# ") || text.ends_with("$ ")
}

/// The shell exchange both telnetds get: prompt, `echo hi-$((1+1))`, `hi-2` on a line of its
/// own (the echoed command line holds `hi-$((1+1))`, never `hi-2` alone) and the prompt again,
/// `exit`, EOF. `check` runs at the first prompt, when the server's negotiation is over.
fn shell_echo_exchange(
    conn: &TelnetConnection,
    peer: &Peer,
    check: impl FnOnce(&TelnetConnection),
) {
    let banner = read_until_cond(conn, peer, "a shell prompt", STEP * 2, at_shell_prompt);
    println!("banner: {banner:?}");
    println!(
        "{} negotiation at the prompt: {}",
        peer.name(),
        describe(&conn.negotiation())
    );
    check(conn);
    // End of line: CR LF in NVT mode, which both servers turn into CR for the pty (whose ICRNL
    // makes it a newline). Once we send BINARY (inetutils asks DO BINARY, we agree) the server
    // passes our bytes to the pty as they are, CR LF would be two newlines, and CR is Enter.
    let eol = if conn.local_enabled(telopt::BINARY) {
        "\r"
    } else {
        "\r\n"
    };
    conn.write(&format!("echo hi-$((1+1)){eol}")).unwrap();
    let answer = read_until_cond(conn, peer, "the line hi-2, then the prompt", STEP, |t| {
        has_line(t, "hi-2") && at_shell_prompt(t)
    });
    println!("answer: {answer:?}");
    assert!(
        answer.contains("hi-$((1+1))"),
        "the command line is echoed: {answer:?}"
    );
    conn.write(&format!("exit{eol}")).unwrap();
    let tail = read_to_eof(conn, peer, STEP * 2);
    println!("after exit: {tail:?}");
    assert!(conn.at_eof());
    println!(
        "{} negotiation at the end: {}",
        peer.name(),
        describe(&conn.negotiation())
    );
}

fn busybox_telnetd() -> Option<Peer> {
    let busybox = require("bbs/bin/busybox")?;
    Some(Peer::spawn_listening("busybox telnetd", |port| {
        command(
            &busybox,
            [
                "telnetd",
                "-F",
                "-b",
                LOOPBACK,
                "-p",
                &port.to_string(),
                "-l",
                "/bin/sh",
            ],
        )
    }))
}

#[test]
fn busybox_telnetd_shell_echo() {
    let Some(peer) = busybox_telnetd() else {
        return;
    };
    let conn = TelnetConnection::connect_with(LOOPBACK, peer.port, options()).unwrap();
    let state = conn.negotiation();
    println!("busybox telnetd negotiation: {}", describe(&state));
    // busybox sends DO ECHO, DO NAWS, WILL ECHO, WILL SGA: the server echoes and suppresses
    // go-ahead (kludge line mode), we send our window size and refuse to echo ourselves.
    assert!(conn.remote_enabled(telopt::ECHO), "{}", describe(&state));
    assert!(conn.remote_enabled(telopt::SGA), "{}", describe(&state));
    assert!(conn.local_enabled(telopt::NAWS), "{}", describe(&state));
    assert!(!conn.local_enabled(telopt::ECHO), "{}", describe(&state));
    assert_eq!(state.mode, Mode::Kludge);
    assert_eq!(conn.get_extra_info("mode").as_deref(), Some("kludge"));
    shell_echo_exchange(&conn, &peer, |_| {});
}

fn inetutils_telnetd() -> Option<Peer> {
    let tools = require_all(&["socat", "/usr/sbin/telnetd"])?;
    let (socat, telnetd) = (&tools[0], &tools[1]);
    Some(Peer::spawn_listening("inetutils telnetd (socat)", |port| {
        command(
            socat,
            [
                format!("TCP-LISTEN:{port},bind={LOOPBACK},reuseaddr,fork"),
                format!("EXEC:{} -h -E /bin/sh,nofork", telnetd.display()),
            ],
        )
    }))
}

#[test]
fn inetutils_telnetd_shell_echo() {
    let Some(peer) = inetutils_telnetd() else {
        return;
    };
    let conn = TelnetConnection::connect_with(LOOPBACK, peer.port, options()).unwrap();
    println!(
        "inetutils telnetd negotiation after connect: {}",
        describe(&conn.negotiation())
    );
    shell_echo_exchange(&conn, &peer, |conn| {
        let state = describe(&conn.negotiation());
        // We can neither authenticate nor encrypt, so both are refused; LINEMODE is refused too
        // (the client policy, like telnetlib3's, does not do it), so telnetd falls back to its
        // kludge line mode (toggling SGA as the pty goes in and out of canonical mode).
        for option in [telopt::AUTHENTICATION, telopt::ENCRYPT, telopt::LINEMODE] {
            assert!(!conn.local_enabled(option), "{} {state}", Opt(option));
            assert!(!conn.remote_enabled(option), "{} {state}", Opt(option));
        }
        // What telnetd asked for and we do: terminal type, speed, environment, window size,
        // flow control; XDISPLOC (no display configured) and OLD-ENVIRON are refused.
        for option in [
            telopt::TTYPE,
            telopt::TSPEED,
            telopt::NEW_ENVIRON,
            telopt::NAWS,
            telopt::LFLOW,
        ] {
            assert!(conn.local_enabled(option), "{} {state}", Opt(option));
        }
        assert!(!conn.local_enabled(telopt::XDISPLOC), "{state}");
        assert!(!conn.local_enabled(telopt::OLD_ENVIRON), "{state}");
        // telnetd echoes and offers STATUS.
        assert!(conn.remote_enabled(telopt::ECHO), "{state}");
        assert!(conn.remote_enabled(telopt::STATUS), "{state}");
    });
}

fn telnetlib3_server(cert: Option<&TestCert>) -> Option<Peer> {
    let server = require("venv/bin/telnetlib3-server")?;
    Some(Peer::spawn_listening("telnetlib3-server", |port| {
        let mut args = Vec::new();
        if let Some(cert) = cert {
            args.push("--ssl-certfile".to_owned());
            args.push(cert.cert.display().to_string());
            args.push("--ssl-keyfile".to_owned());
            args.push(cert.key.display().to_string());
        }
        args.extend(["--loglevel".to_owned(), "debug".to_owned()]);
        args.push(LOOPBACK.to_owned());
        args.push(port.to_string());
        command(&server, args)
    }))
}

const TEL_PROMPT: &str = "tel:sh> ";

fn xterm_options() -> ConnectOptions {
    options().term("xterm-256color").cols(100).rows(40)
}

/// telnetlib3's default shell: the prompt, `writer` (the server's view of the options), `quit`.
fn telnetlib3_shell_exchange(conn: &TelnetConnection, peer: &Peer) {
    let state = conn.negotiation();
    println!("telnetlib3-server negotiation: {}", describe(&state));
    let banner = read_until_cond(conn, peer, "the tel:sh prompt", STEP * 2, |t| {
        t.contains(TEL_PROMPT)
    });
    println!("banner: {banner:?}");

    conn.write("writer\r\n").unwrap();
    let reply = read_until_cond(conn, peer, "the writer line and prompt", STEP, |t| {
        t.contains("<TelnetWriter") && t.ends_with(TEL_PROMPT)
    });
    println!("writer: {reply:?}");
    let line = reply
        .lines()
        .find_map(|l| l.find("<TelnetWriter").map(|at| &l[at..]))
        .unwrap();
    let field = |name: &str| {
        line.trim_end_matches('>')
            .split(' ')
            .find_map(|f| f.strip_prefix(name))
            .unwrap_or_default()
            .split(',')
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let client_will = field("client-will:");
    let server_will = field("server-will:");
    assert!(
        client_will.iter().any(|o| o == "NAWS") && client_will.iter().any(|o| o == "TTYPE"),
        "the server saw our WILL NAWS and WILL TTYPE: {line}"
    );
    if line.contains("CHARSET") {
        assert!(client_will.iter().any(|o| o == "CHARSET"), "{line}");
    }
    assert!(
        !line.contains("failed-reply"),
        "every request of the server was answered: {line}"
    );
    // Our side agrees with the server's.
    for (name, code) in [
        ("NAWS", telopt::NAWS),
        ("TTYPE", telopt::TTYPE),
        ("CHARSET", telopt::CHARSET),
        ("BINARY", telopt::BINARY),
        ("NEW_ENVIRON", telopt::NEW_ENVIRON),
    ] {
        assert_eq!(
            client_will.iter().any(|o| o == name),
            conn.local_enabled(code),
            "client-will {name}: server says {line}, we say {}",
            describe(&conn.negotiation())
        );
    }
    for (name, code) in [
        ("ECHO", telopt::ECHO),
        ("SGA", telopt::SGA),
        ("BINARY", telopt::BINARY),
        ("CHARSET", telopt::CHARSET),
    ] {
        assert_eq!(
            server_will.iter().any(|o| o == name),
            conn.remote_enabled(code),
            "server-will {name}: server says {line}, we say {}",
            describe(&conn.negotiation())
        );
    }
    // telnetlib3 does WILL ECHO and WILL SGA: character mode with server echo, "kludge".
    assert!(conn.remote_enabled(telopt::ECHO) && conn.remote_enabled(telopt::SGA));
    assert_eq!(conn.negotiation().mode, Mode::Kludge);
    assert_eq!(conn.get_extra_info("mode").as_deref(), Some("kludge"));
    assert!(line.contains("mode:kludge"), "{line}");

    // Our own view of the connection.
    for key in [
        "term", "cols", "rows", "charset", "encoding", "lang", "mode", "tls", "peername",
    ] {
        println!("get_extra_info({key:?}) = {:?}", conn.get_extra_info(key));
    }
    assert_eq!(
        conn.get_extra_info("term").as_deref(),
        Some("xterm-256color")
    );
    assert_eq!(conn.get_extra_info("cols").as_deref(), Some("100"));
    assert_eq!(conn.get_extra_info("rows").as_deref(), Some("40"));
    // The server offered its character sets (CHARSET REQUEST) and we accepted UTF-8.
    assert_eq!(conn.get_extra_info("charset").as_deref(), Some("UTF-8"));
    assert_eq!(
        conn.get_extra_info("peername"),
        Some(format!("127.0.0.1:{}", peer.port))
    );

    conn.write("quit\r\n").unwrap();
    let tail = read_to_eof(conn, peer, STEP);
    println!("quit: {tail:?}");
    assert!(tail.contains("Goodbye."), "{tail:?}");

    // What the server heard, from its debug log: terminal type, window size, environment and
    // character set.
    let log = peer.log();
    for heard in [
        "recv IAC SB TTYPE IS 'xterm-256color'",
        "recv IAC SB NAWS (cols=100, rows=40)",
        "'TERM': 'xterm-256color'",
        "'COLUMNS': '100'",
        "'LINES': '40'",
        "recv IAC SB CHARSET ACCEPTED UTF-8",
    ] {
        assert!(
            log.contains(heard),
            "the server log lacks {heard:?}:\n{log}"
        );
    }
}

#[test]
fn telnetlib3_server_shell() {
    let Some(peer) = telnetlib3_server(None) else {
        return;
    };
    let conn = TelnetConnection::connect_with(LOOPBACK, peer.port, xterm_options()).unwrap();
    assert_eq!(conn.get_extra_info("tls").as_deref(), Some("false"));
    telnetlib3_shell_exchange(&conn, &peer);
}

#[test]
fn telnetlib3_server_tls_with_ca_file() {
    let cert = TestCert::generate();
    let Some(peer) = telnetlib3_server(Some(&cert)) else {
        return;
    };
    let conn = TelnetConnection::connect_with(
        "localhost",
        peer.port,
        xterm_options().tls_ca_file(&cert.cert),
    )
    .unwrap();
    assert_eq!(conn.get_extra_info("tls").as_deref(), Some("true"));
    telnetlib3_shell_exchange(&conn, &peer);
}

#[test]
fn telnetlib3_server_tls_untrusted_certificate_is_refused() {
    let cert = TestCert::generate();
    let Some(peer) = telnetlib3_server(Some(&cert)) else {
        return;
    };
    // Verification against the web roots, which do not hold a self-signed certificate.
    match TelnetConnection::connect_with("localhost", peer.port, xterm_options().tls(true)) {
        Err(Error::Tls(err)) => println!("refused as expected: {err}"),
        Err(other) => panic!("expected Error::Tls, got {other:?}"),
        Ok(conn) => panic!(
            "connected to a self-signed server without trusting it: {}",
            describe(&conn.negotiation())
        ),
    }
    // The server survives the failed handshake and still serves a client that trusts it.
    let conn = TelnetConnection::connect_with(
        "localhost",
        peer.port,
        xterm_options().tls_ca_file(&cert.cert),
    )
    .unwrap();
    read_until_cond(&conn, &peer, "the tel:sh prompt", STEP * 2, |t| {
        t.contains(TEL_PROMPT)
    });
}

#[test]
fn telnetlib3_server_tls_no_verify() {
    let cert = TestCert::generate();
    let Some(peer) = telnetlib3_server(Some(&cert)) else {
        return;
    };
    let conn = TelnetConnection::connect_with(LOOPBACK, peer.port, xterm_options().tls_no_verify())
        .unwrap();
    assert_eq!(conn.get_extra_info("tls").as_deref(), Some("true"));
    telnetlib3_shell_exchange(&conn, &peer);
}

// Against a server that never asks for TTYPE, such as busybox telnetd (its whole opening is
// IAC DO ECHO, IAC DO NAWS, IAC WILL ECHO, IAC WILL SGA), `connect_with` returns as soon as
// nothing is pending, as telnetlib3's `check_negotiation` does, not after `connect_maxwait`.

/// The busybox case, against the real busybox telnetd.
#[test]
fn busybox_telnetd_connect_does_not_wait_out_connect_maxwait() {
    let Some(peer) = busybox_telnetd() else {
        return;
    };
    let start = Instant::now();
    let conn = TelnetConnection::connect_with(
        LOOPBACK,
        peer.port,
        options().connect_maxwait(Duration::from_secs(3)),
    )
    .unwrap();
    let took = start.elapsed();
    let state = conn.negotiation();
    println!("connect took {took:?}: {}", describe(&state));
    for name in ["ECHO", "NAWS", "SGA"] {
        assert!(!conn.option_state(name).unwrap().pending, "{name} pending");
    }
    assert!(
        took < Duration::from_secs(2) && state.settled,
        "connect took {took:?} (connect_maxwait 3 s), settled={}",
        state.settled
    );
}

/// The same without any peer: a loopback listener sends busybox's opening bytes and a prompt.
#[test]
fn scripted_busybox_opening_connect_does_not_wait_out_connect_maxwait() {
    use std::io::{Read as _, Write as _};
    let listener = std::net::TcpListener::bind((LOOPBACK, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(STEP)).unwrap();
        stream
            .write_all(b"\xff\xfd\x01\xff\xfd\x1f\xff\xfb\x01\xff\xfb\x03\r\n# ")
            .unwrap();
        // Everything the client sends, until it closes.
        let mut got = Vec::new();
        let mut buf = [0u8; 256];
        while let Ok(n @ 1..) = stream.read(&mut buf) {
            got.extend_from_slice(&buf[..n]);
        }
        got
    });
    let start = Instant::now();
    let conn = TelnetConnection::connect_with(
        LOOPBACK,
        port,
        options().connect_maxwait(Duration::from_secs(3)),
    )
    .unwrap();
    let took = start.elapsed();
    let state = conn.negotiation();
    println!("connect took {took:?}: {}", describe(&state));
    conn.close();
    let sent = server.join().unwrap();
    // The answers: WONT ECHO, WILL NAWS, SB NAWS, DO ECHO, DO SGA: nothing left open.
    println!("client sent: {}", telopt::describe_bytes(&sent));
    assert!(
        took < Duration::from_secs(2) && state.settled,
        "connect took {took:?} (connect_maxwait 3 s), settled={}",
        state.settled
    );
}
