//! The `telnetlib3-server` binary, run as a process on 127.0.0.1.

use std::io::Read;
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use telnetlib3::telopt::{ECHO, GA, IAC, SGA};
use telnetlib3::Error;

mod support;
use support::cli::{read_to_eof, until, ServerProcess as Server, WAIT};

#[test]
fn telsh_help_writer_quit() {
    let server = Server::start(&[]);
    let conn = server.connect();
    let greeting = until(&conn, "tel:sh> ");
    assert!(greeting.contains("Ready.\r\n"), "{greeting:?}");

    conn.write("help\r\n").unwrap();
    let help = until(&conn, "tel:sh> ");
    assert!(
        help.contains("quit, writer, slc, toggle [option|all], reader, proto, version, linemode"),
        "{help:?}"
    );

    conn.write("writer\r\n").unwrap();
    let writer = until(&conn, "tel:sh> ");
    let line = writer
        .lines()
        .find(|l| l.starts_with("<TelnetWriter server mode:"))
        .unwrap_or_else(|| panic!("{writer:?}"));
    let field = |name: &str| -> Vec<String> {
        line.trim_end_matches('>')
            .split(' ')
            .find_map(|f| f.strip_prefix(name))
            .map(|v| v.split(',').map(str::to_owned).collect())
            .unwrap_or_default()
    };
    let server_will = field("server-will:");
    let client_will = field("client-will:");
    for opt in ["ECHO", "SGA"] {
        assert!(server_will.iter().any(|o| o == opt), "{line}");
    }
    for opt in ["NAWS", "TTYPE"] {
        assert!(client_will.iter().any(|o| o == opt), "{line}");
    }
    assert!(line.contains("mode:kludge"), "{line}");

    conn.write("nonsense\r\n").unwrap();
    assert!(until(&conn, "tel:sh> ").contains("no such command."));

    conn.write("quit\r\n").unwrap();
    let rest = read_to_eof(&conn);
    assert!(rest.contains("Goodbye."), "{rest:?}");
}

#[test]
fn telsh_toggle_echo() {
    let server = Server::start(&[]);
    let conn = server.connect();
    until(&conn, "tel:sh> ");
    conn.write("toggle echo\r\n").unwrap();
    let out = until(&conn, "tel:sh> ");
    assert!(out.contains("wont echo."), "{out:?}");
    let deadline = Instant::now() + Duration::from_secs(5);
    while conn.remote_enabled(ECHO) {
        assert!(Instant::now() < deadline, "client still sees WILL ECHO");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn echo_shell_echoes_bytes() {
    let server = Server::start(&["--shell", "echo"]);
    let conn = server.connect();
    conn.write_bytes(b"hello, echo\r\n").unwrap();
    let back = conn.read_until_bytes(b"echo\r\n", Some(WAIT)).unwrap();
    assert_eq!(back, b"hello, echo\r\n");
    // Not doubled by the server's own line discipline.
    assert!(matches!(
        conn.read_some_bytes(Some(Duration::from_millis(300))),
        Err(Error::Timeout)
    ));
}

#[test]
fn wargame_shell() {
    let server = Server::start(&["--shell", "wargame"]);
    let conn = server.connect();
    until(&conn, "Would you like to play a game? ");
    conn.write("y").unwrap();
    let rest = read_to_eof(&conn);
    assert!(
        rest.contains("They say the only way to win is to not play at all.\r\n"),
        "{rest:?}"
    );
}

#[test]
fn line_mode_offers_no_sga_or_echo() {
    let server = Server::start(&["--line-mode"]);
    let conn = server.connect();
    until(&conn, "tel:sh> ");
    assert!(!conn.remote_enabled(SGA));
    assert!(!conn.remote_enabled(ECHO));
    conn.write("help\r\n").unwrap();
    assert!(until(&conn, "tel:sh> ").contains("quit, writer"));
}

#[test]
fn timeout_disconnects_idle_client() {
    let server = Server::start(&["--timeout", "1"]);
    let conn = server.connect();
    until(&conn, "tel:sh> ");
    let started = Instant::now();
    let rest = read_to_eof(&conn);
    let waited = started.elapsed();
    assert!(rest.contains("Timeout."), "{rest:?}");
    assert!(
        waited >= Duration::from_millis(500) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
}

/// A raw client that answers nothing: reads until the prompt and what follows within 500 ms.
fn raw_prompt(server: &Server) -> Vec<u8> {
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut all = Vec::new();
    let mut buf = [0u8; 1024];
    let mut seen_at: Option<Instant> = None;
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => all.extend_from_slice(&buf[..n]),
            Err(err)
                if matches!(
                    err.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(err) => panic!("{err}"),
        }
        if seen_at.is_none() && all.windows(8).any(|w| w == b"tel:sh> ") {
            seen_at = Some(Instant::now());
        }
        if seen_at.is_some_and(|t| t.elapsed() >= Duration::from_millis(500)) {
            break;
        }
        assert!(Instant::now() < deadline, "no prompt: {all:?}");
    }
    let at = all.windows(8).position(|w| w == b"tel:sh> ").unwrap() + 8;
    all[at..].to_vec()
}

#[test]
fn go_ahead_after_prompt_unless_never_send_ga() {
    let server = Server::start(&["--connect-maxwait", "0.2"]);
    assert_eq!(raw_prompt(&server), [IAC, GA]);
    let server = Server::start(&["--connect-maxwait", "0.2", "--never-send-ga"]);
    assert_eq!(raw_prompt(&server), b"");
}

#[test]
fn encoding_false_serves_bytes() {
    let server = Server::start(&["--encoding", "false"]);
    let conn = server.connect();
    until(&conn, "tel:sh> ");
    conn.write_bytes(b"help\r\n").unwrap();
    assert!(until(&conn, "tel:sh> ").contains("quit, writer"));
    conn.write_bytes(b"reader\r\n").unwrap();
    let reader = until(&conn, "tel:sh> ");
    assert!(reader.contains("<TelnetReader "), "{reader:?}");
    assert!(reader.contains("encoding=False"), "{reader:?}");
}

/// Runs the server with `args` (bound to 127.0.0.1:1, should it get that far) and checks it
/// exits 2 at once with a usage error naming `needle`; a server that serves instead is killed
/// after 10 s and fails the test.
fn run_expect_usage_error(args: &[&str], needle: &str) {
    let mut all = vec!["127.0.0.1", "1"];
    all.extend_from_slice(args);
    let out = support::cli::run(support::cli::server_cmd(&all), b"", WAIT);
    let (status, stderr) = (out.code, out.stderr);
    assert_eq!(status, Some(2), "{args:?}: {stderr}");
    assert!(
        stderr.contains("Usage:") || stderr.contains("try '--help'"),
        "{stderr}"
    );
    assert!(stderr.trim_start().starts_with("error: "), "{stderr}");
    assert!(stderr.contains(needle), "{stderr}");
}

#[test]
fn misuse_exits_2_with_usage() {
    run_expect_usage_error(&["--bogus"], "--bogus");
    run_expect_usage_error(&["--timeout", "soon"], "--timeout");
    run_expect_usage_error(&["--timeout=-1"], "--timeout");
    run_expect_usage_error(&["--ssl-certfile", "cert.pem"], "--ssl-keyfile");
    run_expect_usage_error(&["--tls-auto"], "--tls-auto");
    run_expect_usage_error(&["--encoding", "klingon"], "--encoding");
    run_expect_usage_error(&["--shell", "bash"], "--shell");
    run_expect_usage_error(&["--loglevel", "loud"], "--loglevel");
    run_expect_usage_error(&["--pty-exec", "/nonexistent/sh"], "--pty-exec");
    run_expect_usage_error(&["--pty-fork-limit", "some"], "--pty-fork-limit");
}

#[test]
fn sigterm_says_goodbye_and_exits_0() {
    let mut server = Server::start(&[]);
    let conn = server.connect();
    until(&conn, "tel:sh> ");
    let pid = server.child.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    let rest = read_to_eof(&conn);
    assert!(rest.contains("Server shutting down."), "{rest:?}");
    let status = server.wait_status(Duration::from_secs(10));
    let status = status.expect("server did not exit");
    assert_eq!(status.code(), Some(0));
}

/// Both binaries as processes: `printf 'help\r\n' | telnetlib3-client` against
/// `telnetlib3-server` prints telsh's help and exits 0 once the server is quiet; `quit` makes
/// the server close, and the client exits 0 at once.
#[test]
fn client_pipe_mode_against_the_server() {
    let server = Server::start(&[]);
    let run = |input: &'static [u8]| {
        let port = server.port.to_string();
        let client = support::cli::client_cmd(&["127.0.0.1", &port, "--quiet-exit", "0.5"]);
        let out = support::cli::run(client, input, Duration::from_secs(15));
        (out.code, out.stdout)
    };
    let (code, stdout) = run(b"help\r\n");
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("tel:sh> "), "{stdout:?}");
    assert!(stdout.contains(telnetlib3::shell::HELP), "{stdout:?}");
    let (code, stdout) = run(b"quit\r\n");
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("Goodbye"), "{stdout:?}");
}
