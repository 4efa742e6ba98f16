//! `telnetlib3-client` flags that `tests/cli_client.rs` does not show taking effect:
//! `--always-dont`, `--encoding-errors` (both directions), `--connect-minwait`,
//! `--connect-maxwait`, `--connect-timeout` (TCP connect and TLS handshake), `--ssl` against a
//! plain server, `--ssl-cafile` alone, `--loglevel`, `--logfile-mode`, bad values (exit 2), and
//! `--line-mode` / `--raw-mode` (terminal only: they change nothing on the wire, so they are
//! tested in a tmux pane).
//!
//! Everything is loopback (127.0.0.1) and every wait is bounded. Timing assertions are lower
//! bounds the flag guarantees (a wait of at least N seconds), orderings between two clients
//! started together, or upper bounds far above what the flag asks for; none depends on speed.

use std::io::Read;
use std::net::TcpListener;
use std::thread;
use std::time::{Duration, Instant};

use telnetlib3::ServerOptions;

mod support;
use support::cli::{
    contains, quick, raw_server, reporter, serve, tls_reporter, LibServer, Outcome, PaneRun,
    Process, RawServer, CLIENT,
};
use support::{TempDir, TestCert, Tmux};

/// Bound on every client run, every raw server and every wait on a tmux pane.
const BOUND: Duration = Duration::from_secs(10);

/// Starts the client with `input` piped to stdin (then closed).
fn start(args: &[&str], input: &[u8]) -> Process {
    Process::start(support::cli::client_cmd(args), input)
}

/// Runs the client with `input` piped to stdin (then closed) and waits for it (at most `BOUND`).
fn run(args: &[&str], input: &[u8]) -> Outcome {
    start(args, input).finish(BOUND)
}

/// A raw TCP server for one client: sends `greeting`, records what the client sends until
/// `until` shows up (or the client closes, or `BOUND` passes), then writes `reply` and closes.
fn raw(greeting: &'static [u8], until: &'static [u8], reply: &'static [u8]) -> RawServer {
    raw_server(greeting, Some(until), BOUND, reply)
}

// ---- bad values ----

#[test]
fn bad_values_are_exit_two_with_usage() {
    for args in [
        &["--loglevel", "bogus", "localhost"][..],
        &["localhost", "--loglevel"],
        &["--connect-minwait", "-1", "localhost"],
        &["--connect-maxwait", "soon", "localhost"],
        &["--connect-timeout", "nan", "localhost"],
        &["--connect-timeout", "inf", "localhost"],
        &["--quiet-exit", "x", "localhost"],
        &["--speed", "fast", "localhost"],
        &["--always-dont", "NOSUCHOPTION", "localhost"],
        &["--always-wont", "256", "localhost"],
        &["--logfile-mode", "sometimes", "localhost"],
        &["--typescript-mode", "sometimes", "localhost"],
        &["--ssl=yes", "localhost"],
    ] {
        let out = run(args, b"");
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("Usage") || out.stderr.contains("--help"),
            "{args:?}: {}",
            out.stderr
        );
        assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
    }
}

// ---- negotiation ----

#[test]
fn always_dont_refuses_what_the_server_offers() {
    // The server offers ECHO and SGA, which the client accepts unless told otherwise.
    const OFFER: &[u8] = b"\xff\xfb\x01\xff\xfb\x03";
    let server = raw(OFFER, b"done\r\n", b"bye\r\n");
    let port = server.port.to_string();
    let out = run(&["--connect-maxwait", "1", "127.0.0.1", &port], b"done\n");
    let got = server.finish().bytes;
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(contains(&got, b"\xff\xfd\x01"), "no DO ECHO in {got:?}");
    assert!(contains(&got, b"\xff\xfd\x03"), "no DO SGA in {got:?}");

    let server = raw(OFFER, b"done\r\n", b"bye\r\n");
    let port = server.port.to_string();
    let out = run(
        &[
            "--always-dont",
            "ECHO",
            "--connect-maxwait",
            "1",
            "127.0.0.1",
            &port,
        ],
        b"done\n",
    );
    let got = server.finish().bytes;
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(out.stdout.contains("bye\r\n"), "{:?}", out.stdout);
    assert!(contains(&got, b"\xff\xfe\x01"), "no DONT ECHO in {got:?}");
    assert!(!contains(&got, b"\xff\xfd\x01"), "DO ECHO in {got:?}");
    assert!(contains(&got, b"\xff\xfd\x03"), "no DO SGA in {got:?}");
}

// ---- encoding errors ----

#[test]
fn encoding_errors_decides_what_undecodable_input_becomes() {
    // Valid UTF-8 (the default encoding), then a Latin-1 byte that is not.
    const REPLY: &[u8] = b"caf\xc3\xa9 caf\xe9!\r\n";
    let decode = |errors: &str| {
        let server = raw(b"", b"go\r\n", REPLY);
        let port = server.port.to_string();
        let out = run(
            &[
                "--force-binary",
                "--encoding-errors",
                errors,
                "--connect-maxwait",
                "1",
                "127.0.0.1",
                &port,
            ],
            b"go\n",
        );
        server.finish();
        out
    };
    for (errors, expected) in [
        ("replace", "caf\u{e9} caf\u{fffd}!\r\n"),
        ("ignore", "caf\u{e9} caf!\r\n"),
    ] {
        let out = decode(errors);
        assert_eq!(out.code, Some(0), "{errors}: stderr: {}", out.stderr);
        assert!(out.stdout.contains(expected), "{errors}: {:?}", out.stdout);
    }
    let out = decode("strict");
    assert_eq!(out.code, Some(1), "stdout: {:?}", out.stdout);
    assert_eq!(out.stderr.lines().count(), 1, "{:?}", out.stderr);
    assert!(out.stderr.contains("encoding error"), "{:?}", out.stderr);
    assert!(!out.stdout.contains("caf!"), "{:?}", out.stdout);
}

#[test]
fn encoding_errors_decides_what_unencodable_output_becomes() {
    // Latin-1 has no euro sign.
    const INPUT: &[u8] = "caf\u{20ac}!\nnext\n".as_bytes();
    let encode = |errors: &str| {
        let server = raw(b"", b"next\r\n", b"ok\r\n");
        let port = server.port.to_string();
        let out = run(
            &[
                "--encoding",
                "latin-1",
                "--force-binary",
                "--encoding-errors",
                errors,
                "--connect-maxwait",
                "1",
                "127.0.0.1",
                &port,
            ],
            INPUT,
        );
        (out, server.finish().bytes)
    };
    for (errors, expected) in [
        ("replace", &b"caf?!\r\nnext\r\n"[..]),
        ("ignore", b"caf!\r\nnext\r\n"),
    ] {
        let (out, got) = encode(errors);
        assert_eq!(out.code, Some(0), "{errors}: stderr: {}", out.stderr);
        assert!(contains(&got, expected), "{errors}: {got:?}");
    }
    // Strict: nothing of the line goes out, and the client says why and fails (rather than
    // dropping the rest of stdin without a word).
    let (out, got) = encode("strict");
    assert_eq!(out.code, Some(1), "stdout: {:?}", out.stdout);
    assert_eq!(out.stderr.lines().count(), 1, "{:?}", out.stderr);
    assert!(out.stderr.contains("encoding error"), "{:?}", out.stderr);
    assert!(!contains(&got, b"caf"), "{got:?}");
}

// ---- connect timing ----

/// Starts `fast` then `slow` (each with "hello\n" on stdin) against silent raw servers, and
/// returns how long after the start the line of each reached its server.
fn race(fast: &[&str], slow: &[&str]) -> (Duration, Duration) {
    let fast_server = raw(b"", b"hello\r\n", b"bye\r\n");
    let slow_server = raw(b"", b"hello\r\n", b"bye\r\n");
    let (fast_port, slow_port) = (fast_server.port.to_string(), slow_server.port.to_string());
    let fast_args: Vec<&str> = fast
        .iter()
        .copied()
        .chain(["127.0.0.1", &fast_port])
        .collect();
    let slow_args: Vec<&str> = slow
        .iter()
        .copied()
        .chain(["127.0.0.1", &slow_port])
        .collect();
    let started = Instant::now();
    let fast_client = start(&fast_args, b"hello\n");
    let slow_client = start(&slow_args, b"hello\n");
    let fast_out = fast_client.finish(BOUND);
    let slow_out = slow_client.finish(BOUND);
    assert_eq!(fast_out.code, Some(0), "{fast:?}: {}", fast_out.stderr);
    assert_eq!(slow_out.code, Some(0), "{slow:?}: {}", slow_out.stderr);
    let at = |server: RawServer, args: &[&str]| {
        let recorded = server.finish();
        let at = recorded
            .at
            .unwrap_or_else(|| panic!("{args:?}: the line never arrived: {:?}", recorded.bytes));
        at - started
    };
    (at(fast_server, fast), at(slow_server, slow))
}

#[test]
fn connect_minwait_holds_input_back_at_least_that_long() {
    // A silent server never completes the negotiation, so the client waits connect_minwait
    // (default 0) before the shell starts and stdin goes out.
    let (fast, slow) = race(&[], &["--connect-minwait", "2"]);
    assert!(slow >= Duration::from_secs(2), "{slow:?}");
    assert!(fast < slow, "without the flag {fast:?}, with it {slow:?}");
}

#[test]
fn connect_maxwait_bounds_the_wait_for_unanswered_negotiation() {
    // DO GMCP is never answered: the client waits for it until connect_maxwait, then goes on.
    let (fast, slow) = race(
        &["--always-do", "GMCP", "--connect-maxwait", "0.2"],
        &["--always-do", "GMCP", "--connect-maxwait", "2"],
    );
    assert!(slow >= Duration::from_secs(2), "{slow:?}");
    assert!(fast < slow, "maxwait 0.2: {fast:?}, maxwait 2: {slow:?}");
}

/// Runs the client with `args` (which ask for a 1 s connect timeout against a peer that never
/// completes the connection) and checks that it fails with one line, after 1 s and well before
/// the 10 s default.
fn gives_up_after_one_second(args: &[&str]) {
    let started = Instant::now();
    let out = run(args, b"");
    let took = started.elapsed();
    assert_eq!(out.code, Some(1), "stdout: {:?}", out.stdout);
    assert_eq!(out.stderr.lines().count(), 1, "{:?}", out.stderr);
    assert!(
        out.stderr.contains("timed out after 1s"),
        "{:?}",
        out.stderr
    );
    assert!(took >= Duration::from_secs(1), "{took:?}");
    assert!(took < Duration::from_secs(8), "{took:?}");
}

/// A listener that completes no more TCP handshakes: its accept queue is cut to one entry and
/// filled, so Linux drops further SYNs and a connect hangs. Returns it, its filler connections
/// and its port.
#[cfg(target_os = "linux")]
fn full_listener() -> (TcpListener, Vec<std::net::TcpStream>, String) {
    use std::net::{SocketAddr, TcpStream};
    use std::os::fd::AsRawFd;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    // SAFETY: listen(2) on a descriptor the listener owns; it only changes the backlog.
    let rc = unsafe { libc::listen(listener.as_raw_fd(), 0) };
    assert_eq!(rc, 0, "listen: {}", std::io::Error::last_os_error());
    let addr: SocketAddr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..16 {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
            Ok(stream) => fillers.push(stream),
            Err(_) => return (listener, fillers, addr.port().to_string()),
        }
    }
    panic!("the accept queue of {addr} never filled");
}

#[cfg(target_os = "linux")]
#[test]
fn connect_timeout_bounds_the_tcp_connect() {
    let (_listener, _fillers, port) = full_listener();
    // Without the flag the connect would hang for the default 10 s.
    gives_up_after_one_second(&["--connect-timeout", "1", "127.0.0.1", &port]);
}

#[test]
fn connect_timeout_bounds_the_tls_handshake() {
    // A server that accepts and never says a word: the TLS handshake waits for its answer.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let server = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(BOUND)).unwrap();
        let mut sink = Vec::new();
        let _ = stream.read_to_end(&mut sink); // until the client gives up
    });
    gives_up_after_one_second(&["--ssl", "--connect-timeout", "1", "127.0.0.1", &port]);
    server.join().unwrap();
}

// ---- TLS ----

#[test]
fn ssl_against_a_plain_server_is_one_clear_line() {
    // The library's plain server opens with IAC DO TTYPE, which is no TLS record.
    let server = reporter(|_| "plain text".to_owned());
    let out = run(&["--ssl", "127.0.0.1", &server.port.to_string()], b"");
    assert_eq!(out.code, Some(1), "stdout: {:?}", out.stdout);
    assert!(!out.stdout.contains("plain text"), "{:?}", out.stdout);
    assert_eq!(out.stderr.lines().count(), 1, "{:?}", out.stderr);
    assert!(out.stderr.contains("TLS"), "{:?}", out.stderr);
    assert!(out.stderr.contains("without --ssl"), "{:?}", out.stderr);
    // Not the certificate advice, which does not apply.
    assert!(!out.stderr.contains("--ssl-no-verify"), "{:?}", out.stderr);
}

#[test]
fn ssl_cafile_alone_implies_ssl() {
    let cert = TestCert::generate();
    let server = tls_reporter(&cert);
    let out = run(
        &[
            "--ssl-cafile",
            cert.cert.to_str().unwrap(),
            "localhost",
            &server.port.to_string(),
        ],
        b"",
    );
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(out.stdout.contains("tls=true"), "{:?}", out.stdout);
}

// ---- logging ----

#[test]
fn loglevel_debug_logs_and_the_default_is_quiet() {
    let server = reporter(|_| "hi".to_owned());
    let port = server.port.to_string();
    let out = run(&["127.0.0.1", &port], b"");
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(out.stderr.is_empty(), "{:?}", out.stderr);

    let out = run(&["--loglevel", "debug", "127.0.0.1", &port], b"");
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(out.stdout.contains("hi\r\n"), "{:?}", out.stdout);
    assert!(out.stderr.contains("DEBUG"), "{:?}", out.stderr);
    assert!(!out.stderr.contains("TRACE"), "{:?}", out.stderr);
}

#[test]
fn logfile_mode_appends_or_rewrites() {
    let dir = TempDir::new("cliflags-logfile-mode");
    let file = dir.path().join("client.log");
    std::fs::write(&file, "earlier\n").unwrap();
    let server = reporter(|_| "hi".to_owned());
    let port = server.port.to_string();
    let path = file.to_str().unwrap();
    let out = run(
        &["--loglevel", "debug", "--logfile", path, "127.0.0.1", &port],
        b"",
    );
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(out.stderr.is_empty(), "{:?}", out.stderr);
    let log = std::fs::read_to_string(&file).unwrap();
    assert!(log.starts_with("earlier\n"), "{log}");
    assert!(log.contains("DEBUG"), "{log}");

    let out = run(
        &[
            "--loglevel",
            "debug",
            "--logfile",
            path,
            "--logfile-mode",
            "rewrite",
            "127.0.0.1",
            &port,
        ],
        b"",
    );
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    let log = std::fs::read_to_string(&file).unwrap();
    assert!(!log.contains("earlier"), "{log}");
    assert!(log.contains("DEBUG"), "{log}");
}

// ---- --line-mode / --raw-mode, in a tmux pane ----

/// A server that prompts `prompt` and answers each line.
fn answering(options: ServerOptions, prompt: &'static str) -> LibServer {
    serve(options, move |conn| {
        let _ = conn.prompt(prompt);
        while let Ok(line) = conn.readline(Some(BOUND)) {
            let _ = conn.write(&format!("\r\nanswer [{}]\r\n", line.trim_end()));
            let _ = conn.prompt(prompt);
        }
    })
}

/// Runs the client with `flag` in a tmux pane against `server`, types "hello", and returns the
/// terminal settings while it ran and the screen after the answer; then quits through the menu
/// and checks the exit status. `None` when tmux is not installed (see `support::require`).
fn in_tmux(tag: &str, flag: &str, server: &LibServer, prompt: &str) -> Option<(String, String)> {
    let tmux = Tmux::start(&format!("cliflags-{tag}"), 100, 30)?;
    let command = format!("{CLIENT} {flag} 127.0.0.1 {}", server.port);
    let run = PaneRun::new(&format!("cliflags-{tag}"), &command);
    tmux.keys(&[run.line(), "Enter"]);
    tmux.wait_for(prompt.trim_end()); // capture-pane drops trailing blanks
    let during = tmux.stty();
    tmux.keys(&["hello", "Enter"]);
    let screen = tmux.wait_for("answer [hello]");
    tmux.keys(&["C-]"]);
    tmux.wait_for("[q]uit");
    tmux.keys(&["q"]);
    assert_eq!(run.exit_code(), 0);
    Some((during, screen))
}

#[test]
fn line_mode_flag_keeps_the_terminal_cooked_in_tmux() {
    // The server does WILL ECHO and WILL SGA, which alone would put the terminal in raw mode.
    let server = answering(quick(), "tel:sh> ");
    let Some((during, screen)) = in_tmux("line", "--line-mode", &server, "tel:sh> ") else {
        return;
    };
    assert!(
        during.contains(" icanon") && during.contains(" echo "),
        "{during}"
    );
    // The word shows three times: the terminal's echo, the server's echo and the answer.
    assert_eq!(screen.matches("hello").count(), 3, "{screen}");
}

#[test]
fn raw_mode_flag_makes_the_terminal_raw_in_tmux() {
    // A line-mode server offers neither ECHO nor SGA, which alone would keep the terminal cooked.
    let server = answering(quick().line_mode(true), "line> ");
    let Some((during, screen)) = in_tmux("raw", "--raw-mode", &server, "line> ") else {
        return;
    };
    assert!(
        during.contains("-icanon") && during.contains("-echo "),
        "{during}"
    );
    // Nobody echoes: the word shows only in the answer.
    assert_eq!(screen.matches("hello").count(), 1, "{screen}");
}

#[test]
fn encoding_errors_strict_in_a_terminal_reports_and_exits_1() {
    let server = serve(quick(), |conn| {
        let _ = conn.prompt("tel:sh> ");
        let _ = conn.readline(Some(Duration::from_secs(20)));
    });
    let Some(tmux) = Tmux::start("cliflags-strict", 100, 30) else {
        return;
    };
    let run = PaneRun::new(
        "cliflags-strict",
        &format!(
            "{CLIENT} --encoding latin-1 --encoding-errors strict 127.0.0.1 {}",
            server.port
        ),
    );
    tmux.keys(&[run.line(), "Enter"]);
    tmux.wait_for("tel:sh>");
    // The euro sign is not in Latin-1: typed, it cannot be sent.
    tmux.keys(&["€"]);
    assert_eq!(run.exit_code(), 1);
    tmux.wait_for("cannot be encoded in ISO-8859-1");
}
