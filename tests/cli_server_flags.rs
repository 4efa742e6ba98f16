//! The `telnetlib3-server` binary's flags, one test per flag that changes what goes on the
//! wire or how the server behaves, for the flags `tests/cli_server.rs` does not cover:
//! `--ssl-certfile`/`--ssl-keyfile`, `--tls-auto [SECONDS]`, `--max-connections`,
//! `--max-line`, `--force-binary`, `--connect-maxwait`, `--status-interval`, `--loglevel` and `--logfile`,
//! and the exit status 2 for their bad values.
//!
//! Each test runs the server as a process on 127.0.0.1 (killed, with its process group, when
//! the test ends) and talks to it either with [`TelnetConnection`] or with [`RawClient`], a
//! bare TCP client that sees every byte and either refuses every option the server asks for
//! or answers nothing at all. Every wait is bounded (at most [`DEADLINE`]); timing is only
//! ever asserted as "within a generous bound" or "not before a much longer configured wait".

mod support;

use std::io::{ErrorKind, Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use support::cli::{contains, find, read_file, until, wait_file, Outcome, ServerProcess as Server};
use support::{TempDir, TestCert};
use telnetlib3::telopt::{DO, DONT, IAC, NOP, SB, SE, TTYPE, WILL, WONT};
use telnetlib3::{ConnectOptions, TelnetConnection};

/// The bound on every wait in these tests.
const DEADLINE: Duration = support::cli::WAIT;

/// telsh's prompt.
const PROMPT: &[u8] = b"tel:sh> ";

/// What a client over `--max-connections` is told (`ServerOptions::refusal_message`).
const REFUSAL: &[u8] = b"Too many connections, try again later.\r\n";

// ---------------------------------------------------------------------------------------------
// The server process

/// Runs the server with `args` and waits (at most [`DEADLINE`]) for it to exit by itself.
/// Panics, after killing it, when it is still running then.
fn run_to_exit(args: &[&str]) -> Outcome {
    support::cli::run(support::cli::server_cmd(args), b"", DEADLINE)
}

// ---------------------------------------------------------------------------------------------
// Clients

/// Where [`RawClient`] is in the telnet command stream.
#[derive(Clone, Copy)]
enum Parse {
    Data,
    Iac,
    Option(u8),
    Sub,
    SubIac,
}

/// A bare TCP client. It keeps every byte received and sent, and separates the data from the
/// telnet commands. A `refusing` client answers `DONT` to every `WILL` and `WONT` to every
/// `DO` (so negotiation settles at once with nothing agreed, BINARY included); otherwise it
/// answers nothing at all.
struct RawClient {
    stream: TcpStream,
    refusing: bool,
    state: Parse,
    /// Data received and not consumed yet by a read.
    data: Vec<u8>,
    /// Every byte received (data and commands).
    received: Vec<u8>,
    /// Every byte sent (data and replies).
    sent: Vec<u8>,
    eof: bool,
}

impl RawClient {
    fn connect(port: u16, refusing: bool) -> Self {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the server");
        Self {
            stream,
            refusing,
            state: Parse::Data,
            data: Vec::new(),
            received: Vec::new(),
            sent: Vec::new(),
            eof: false,
        }
    }

    /// A client that refuses every option.
    fn refusing(port: u16) -> Self {
        Self::connect(port, true)
    }

    /// A client that never answers the server's negotiation.
    fn silent(port: u16) -> Self {
        Self::connect(port, false)
    }

    fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("send to the server");
        self.sent.extend_from_slice(bytes);
    }

    /// Reads what arrives within `wait` (one read). A reset counts as the end of the stream.
    fn pump(&mut self, wait: Duration) {
        if self.eof {
            return;
        }
        let wait = wait.max(Duration::from_millis(1));
        self.stream
            .set_read_timeout(Some(wait))
            .expect("set_read_timeout");
        let mut buf = [0u8; 4096];
        match self.stream.read(&mut buf) {
            Ok(0) => self.eof = true,
            Ok(n) => self.feed(&buf[..n]),
            Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(err) if err.kind() == ErrorKind::Interrupted => {}
            Err(err) if err.kind() == ErrorKind::ConnectionReset => self.eof = true,
            Err(err) => panic!("read from the server failed: {err}"),
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        self.received.extend_from_slice(bytes);
        let mut replies = Vec::new();
        for &byte in bytes {
            self.state = match (self.state, byte) {
                (Parse::Data, IAC) => Parse::Iac,
                (Parse::Data, _) => {
                    self.data.push(byte);
                    Parse::Data
                }
                (Parse::Iac, IAC) => {
                    self.data.push(IAC);
                    Parse::Data
                }
                (Parse::Iac, WILL | WONT | DO | DONT) => Parse::Option(byte),
                (Parse::Iac, SB) => Parse::Sub,
                (Parse::Iac, _) => Parse::Data, // GA, NOP and the like
                (Parse::Option(verb), option) => {
                    if self.refusing {
                        match verb {
                            WILL => replies.extend_from_slice(&[IAC, DONT, option]),
                            DO => replies.extend_from_slice(&[IAC, WONT, option]),
                            _ => {}
                        }
                    }
                    Parse::Data
                }
                (Parse::Sub, IAC) => Parse::SubIac,
                (Parse::Sub, _) => Parse::Sub,
                (Parse::SubIac, SE) => Parse::Data,
                (Parse::SubIac, _) => Parse::Sub,
            };
        }
        if !replies.is_empty() {
            self.send(&replies);
        }
    }

    /// Reads until the data holds `pattern`; returns the data through it (consumed).
    fn read_until(&mut self, pattern: &[u8], timeout: Duration) -> Vec<u8> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(at) = find(&self.data, pattern) {
                return self.data.drain(..at + pattern.len()).collect();
            }
            assert!(
                !self.eof,
                "the server hung up before {:?}; data: {:?}",
                String::from_utf8_lossy(pattern),
                String::from_utf8_lossy(&self.data)
            );
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no {:?} within {timeout:?}; data: {:?}",
                String::from_utf8_lossy(pattern),
                String::from_utf8_lossy(&self.data)
            );
            self.pump(left);
        }
    }

    /// Reads until the server hangs up; returns the data not read yet.
    fn read_to_eof(&mut self) -> Vec<u8> {
        let deadline = Instant::now() + DEADLINE;
        while !self.eof {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "the server did not hang up within {DEADLINE:?}; data: {:?}",
                String::from_utf8_lossy(&self.data)
            );
            self.pump(left);
        }
        std::mem::take(&mut self.data)
    }

    /// Reads for `period` (not less), or until the server hangs up.
    fn read_for(&mut self, period: Duration) {
        let until = Instant::now() + period;
        while !self.eof {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            self.pump(left);
        }
    }

    /// A telsh command: sends `line` and returns its output through the next prompt.
    fn command(&mut self, line: &str) -> String {
        self.send(format!("{line}\r\n").as_bytes());
        let out = self.read_until(PROMPT, DEADLINE);
        String::from_utf8_lossy(&out).into_owned()
    }

    fn local_port(&self) -> u16 {
        self.stream.local_addr().expect("local_addr").port()
    }
}

/// Library client options: plain telnet, every wait bounded.
fn plain_options() -> ConnectOptions {
    ConnectOptions::default()
        .connect_maxwait(Duration::from_secs(2))
        .connect_timeout(Some(DEADLINE))
        .timeout(Some(DEADLINE))
}

/// Library client options: TLS to 127.0.0.1, trusting `cert` (issued to `localhost`).
fn tls_options(cert: &Path) -> ConnectOptions {
    let mut options = plain_options().tls_ca_file(cert);
    options.tls_options.server_name = Some("localhost".to_owned());
    options
}

/// A telsh command with the library client: its output through the next prompt.
fn telsh(conn: &TelnetConnection, line: &str) -> String {
    conn.write(&format!("{line}\r\n")).expect("write a command");
    until(conn, PROMPT)
}

// ---------------------------------------------------------------------------------------------
// --ssl-certfile, --ssl-keyfile, --tls-auto

/// `--ssl-certfile CERT --ssl-keyfile KEY` for `cert`.
fn tls_args(cert: &TestCert) -> [&str; 4] {
    let (cert_file, key_file) = (cert.cert.to_str().unwrap(), cert.key.to_str().unwrap());
    ["--ssl-certfile", cert_file, "--ssl-keyfile", key_file]
}

/// Starts the server over TLS with `cert`, and `more` args.
fn tls_server(cert: &TestCert, more: &[&str]) -> Server {
    Server::start(&[&tls_args(cert)[..], more].concat())
}

/// A library client over TLS to `server`, trusting `cert`.
fn tls_client(server: &Server, cert: &TestCert) -> TelnetConnection {
    server.connect_with(tls_options(&cert.cert))
}

#[test]
fn ssl_certfile_and_keyfile_serve_telnet_over_tls_only() {
    let cert = TestCert::generate();
    let server = tls_server(&cert, &[]);

    let secure = tls_client(&server, &cert);
    assert_eq!(secure.get_extra_info("tls").as_deref(), Some("true"));
    assert!(until(&secure, PROMPT).contains("Ready.\r\n"));
    let proto = telsh(&secure, "proto");
    assert!(proto.contains(" tls=true "), "{proto:?}");

    // Plain telnet on the TLS-only port: no shell, and the server hangs up.
    let mut plain = RawClient::refusing(server.port);
    plain.send(b"help\r\n");
    let data = plain.read_to_eof();
    let text = String::from_utf8_lossy(&plain.received);
    assert!(
        !text.contains("Ready.") && !text.contains("tel:sh"),
        "a plain client got the shell: {text:?} (data {data:?})"
    );

    // The TLS client is still served, and so is a new one.
    assert!(telsh(&secure, "help").contains("quit, writer"));
    let again = tls_client(&server, &cert);
    until(&again, PROMPT);
}

#[test]
fn ssl_certificate_that_does_not_load_fails_at_start() {
    let dir = TempDir::new("srvflags-badcert");
    let missing = dir.path().join("missing-cert.pem");
    let garbage = dir.path().join("garbage-key.pem");
    std::fs::write(&garbage, "not a key\n").unwrap();
    let port = support::free_port().to_string();
    let exit = run_to_exit(&[
        "127.0.0.1",
        &port,
        "--ssl-certfile",
        missing.to_str().unwrap(),
        "--ssl-keyfile",
        garbage.to_str().unwrap(),
    ]);
    assert_eq!(exit.code, Some(1), "{}", exit.stderr);
    assert_eq!(exit.stderr.trim_end().lines().count(), 1, "{}", exit.stderr);
    assert!(
        exit.stderr.contains("missing-cert.pem"),
        "the message should name the file: {}",
        exit.stderr
    );
}

#[test]
fn tls_auto_serves_tls_and_plain_clients_on_one_port() {
    let cert = TestCert::generate();
    let server = tls_server(&cert, &["--connect-maxwait", "0.5", "--tls-auto"]);

    let secure = tls_client(&server, &cert);
    assert!(until(&secure, PROMPT).contains("Ready.\r\n"));
    assert!(telsh(&secure, "proto").contains(" tls=true "));

    // A library client waits for the server to speak: taken as plain after the 0.5 s default.
    let plain = server.connect_with(plain_options());
    assert_eq!(plain.get_extra_info("tls").as_deref(), Some("false"));
    assert!(until(&plain, PROMPT).contains("Ready.\r\n"));
    let proto = telsh(&plain, "proto");
    assert!(proto.contains(" tls=false "), "{proto:?}");

    // A bare client that never speaks gets the shell too.
    let mut silent = RawClient::silent(server.port);
    let greeting = silent.read_until(PROMPT, DEADLINE);
    assert!(contains(&greeting, b"Ready.\r\n"), "{greeting:?}");
}

#[test]
fn tls_auto_seconds_is_how_long_the_server_waits_for_a_tls_hello() {
    let cert = TestCert::generate();
    let server = tls_server(&cert, &["--connect-maxwait", "0.5", "--tls-auto", "30"]);

    // A client that says nothing is still waited for (30 s) after 1 s: not a byte yet.
    let mut silent = RawClient::silent(server.port);
    silent.read_for(Duration::from_secs(1));
    assert!(!silent.eof, "the server hung up on a silent client");
    assert!(
        silent.received.is_empty(),
        "the server spoke before --tls-auto 30 ran out: {:?}",
        silent.received
    );

    // A plain client that speaks first (IAC NOP) is taken as plain at once.
    let mut plain = RawClient::refusing(server.port);
    plain.send(&[IAC, NOP]);
    let greeting = plain.read_until(PROMPT, DEADLINE);
    assert!(contains(&greeting, b"Ready.\r\n"), "{greeting:?}");
    assert!(plain.command("proto").contains(" tls=false "));

    // And TLS still works on the same port.
    let secure = tls_client(&server, &cert);
    until(&secure, PROMPT);
    assert!(telsh(&secure, "proto").contains(" tls=true "));
}

// ---------------------------------------------------------------------------------------------
// --max-connections

/// Connects refusing clients until one gets the prompt: the server may still count a client
/// that just left (or a probe connection) for a moment.
fn served_client(port: u16) -> RawClient {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let mut client = RawClient::refusing(port);
        while !client.eof && !contains(&client.data, PROMPT) && Instant::now() < deadline {
            client.pump(Duration::from_millis(200));
        }
        if contains(&client.data, PROMPT) {
            client.read_until(PROMPT, DEADLINE);
            return client;
        }
        assert!(
            Instant::now() < deadline,
            "no client was served within {DEADLINE:?}; last got {:?}",
            String::from_utf8_lossy(&client.received)
        );
        thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn max_connections_refuses_clients_over_the_limit() {
    let server = Server::start(&["--max-connections", "1"]);
    let mut first = served_client(server.port);

    // While the first is connected, the next is told why and disconnected, before any
    // negotiation: exactly the refusal message, then EOF.
    let mut second = RawClient::refusing(server.port);
    let data = second.read_to_eof();
    assert_eq!(
        String::from_utf8_lossy(&second.received),
        String::from_utf8_lossy(REFUSAL),
        "data: {data:?}"
    );

    // The first is still served.
    assert!(first.command("help").contains("quit, writer"));
    first.send(b"quit\r\n");
    assert!(contains(&first.read_to_eof(), b"Goodbye."));

    // Its slot is free again.
    let mut third = served_client(server.port);
    assert!(third.command("help").contains("quit, writer"));
    assert!(
        server
            .output()
            .contains("refusing a client: 1 of 1 connections in use"),
        "{}",
        server.output()
    );
}

// ---------------------------------------------------------------------------------------------
// --force-binary

#[test]
fn max_line_answers_an_over_long_line_with_one_error_and_a_fresh_prompt() {
    let server = Server::start(&["--max-line", "1000"]);
    let conn = server.connect_with(plain_options());
    until(&conn, PROMPT);
    // 20,000 bytes without a line end, then the end and a command.
    conn.write(&"x".repeat(20_000)).unwrap();
    let answer = until(&conn, PROMPT);
    assert!(
        answer.contains("error: line too long") && answer.contains("1000"),
        "{answer:?}"
    );
    conn.write("\r\nversion\r\n").unwrap();
    let reply = until(&conn, PROMPT);
    assert!(
        reply.contains(env!("CARGO_PKG_VERSION")) && !reply.contains("no such command"),
        "the rest of the long line must be dropped up to its end: {reply:?}"
    );
}

#[test]
fn force_binary_uses_the_encoding_before_binary_is_agreed() {
    for (args, expected) in [
        (
            &["--encoding", "latin1", "--force-binary"][..],
            "ISO-8859-1",
        ),
        // Without it, text is US-ASCII until BINARY is agreed (never, with this client).
        (&["--encoding", "latin1"][..], "US-ASCII"),
    ] {
        let server = Server::start(args);
        let mut client = RawClient::refusing(server.port);
        client.read_until(PROMPT, DEADLINE);

        let writer = client.command("writer");
        assert!(writer.contains("<TelnetWriter server "), "{writer:?}");
        assert!(!writer.contains("BINARY"), "BINARY was agreed: {writer:?}");

        let reader = client.command("reader");
        assert!(
            reader.contains(&format!("<TelnetReaderUnicode encoding='{expected}' ")),
            "{args:?}: {reader:?}"
        );
        let info = client.command("info");
        assert!(
            info.contains(&format!("\r\nencoding: {expected}\r\n")),
            "{args:?}: {info:?}"
        );
        assert!(
            info.contains("\r\ncharset: latin1\r\n"),
            "{args:?}: {info:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// --connect-maxwait

#[test]
fn connect_maxwait_bounds_the_wait_for_negotiation() {
    // A client that never answers gets the shell once the (short) wait is over.
    let quick = Server::start(&["--connect-maxwait", "0.2"]);
    let mut silent = RawClient::silent(quick.port);
    let greeting = silent.read_until(PROMPT, Duration::from_secs(5));
    assert!(greeting.starts_with(b"Ready.\r\n"), "{greeting:?}");
    assert!(contains(&silent.received, &[IAC, DO, TTYPE]));

    // With a long wait it is still waited for after 1 s: asked DO TTYPE, given no shell.
    let patient = Server::start(&["--connect-maxwait", "30"]);
    let mut silent = RawClient::silent(patient.port);
    silent.read_for(Duration::from_secs(1));
    assert!(!silent.eof, "the server hung up on a silent client");
    assert!(
        silent.data.is_empty(),
        "the shell started before --connect-maxwait 30 ran out: {:?}",
        String::from_utf8_lossy(&silent.data)
    );
    assert_eq!(silent.received, [IAC, DO, TTYPE]);

    // It is a bound, not a delay: a client that answers is served long before it.
    let mut answering = RawClient::refusing(patient.port);
    let greeting = answering.read_until(PROMPT, DEADLINE);
    assert!(greeting.starts_with(b"Ready.\r\n"), "{greeting:?}");
}

// ---------------------------------------------------------------------------------------------
// --status-interval, --loglevel, --logfile

/// Byte offset just past the first `needle` in `text` at or after `from`.
fn after(text: &str, needle: &str, from: usize) -> Option<usize> {
    text.get(from..)?
        .find(needle)
        .map(|at| from + at + needle.len())
}

#[test]
fn status_interval_logs_the_client_count_when_it_changes() {
    let dir = TempDir::new("srvflags-status");
    let logfile = dir.path().join("server.log");
    let log_arg = logfile.to_str().unwrap();
    let server = Server::start_logged(
        &[
            "--status-interval",
            "0.2",
            "--loglevel",
            "info",
            "--logfile",
            log_arg,
        ],
        &logfile,
    );
    const NONE: &str = " 0 client(s) connected";
    const ONE: &str = " 1 client(s) connected";
    wait_file(&logfile, "0 clients", |log| log.contains(NONE));

    let mut client = RawClient::refusing(server.port);
    client.read_until(PROMPT, DEADLINE);
    wait_file(&logfile, "0, then 1 client", |log| {
        after(log, NONE, 0)
            .and_then(|at| after(log, ONE, at))
            .is_some()
    });

    client.send(b"quit\r\n");
    client.read_to_eof();
    let log = wait_file(&logfile, "0, 1, then 0 clients", |log| {
        after(log, NONE, 0)
            .and_then(|at| after(log, ONE, at))
            .and_then(|at| after(log, NONE, at))
            .is_some()
    });
    // Logged when the count changes, not every interval.
    assert_eq!(log.matches(ONE).count(), 1, "{log}");

    // The default interval (20 s) logs nothing within the first second, whatever happens.
    let logfile = dir.path().join("default.log");
    let log_arg = logfile.to_str().unwrap();
    let server = Server::start_logged(&["--loglevel", "info", "--logfile", log_arg], &logfile);
    let mut client = RawClient::refusing(server.port);
    client.read_until(PROMPT, DEADLINE);
    client.read_for(Duration::from_secs(1));
    let log = read_file(&logfile);
    assert!(!log.contains("client(s) connected"), "{log}");
}

#[test]
fn logfile_gets_the_log_instead_of_stderr() {
    let dir = TempDir::new("srvflags-logfile");
    let logfile = dir.path().join("server.log");
    std::fs::write(&logfile, "an earlier line\n").unwrap();
    let log_arg = logfile.to_str().unwrap();
    let server = Server::start_logged(&["--loglevel", "info", "--logfile", log_arg], &logfile);

    let mut client = RawClient::refusing(server.port);
    client.read_until(PROMPT, DEADLINE);
    client.send(b"quit\r\n");
    client.read_to_eof();
    let peer = format!("127.0.0.1:{}", client.local_port());
    let log = wait_file(&logfile, "the client come and go", |log| {
        log.contains(&format!("{peer}: connected"))
            && log.contains(&format!("{peer}: disconnected"))
    });
    assert!(
        log.starts_with("an earlier line\n"),
        "the log file should be appended to: {log}"
    );
    assert!(
        !log.contains(" DEBUG ") && !log.contains(" TRACE "),
        "--loglevel info logs nothing finer: {log}"
    );
    assert_eq!(server.output(), "", "nothing should go to stderr");
}

/// The bytes of every `send` (or `recv`) hexdump in a trace log, in order.
fn dumped(log: &str, direction: &str) -> Vec<u8> {
    let header = format!(": {direction} ");
    let mut bytes = Vec::new();
    let mut inside = false;
    for line in log.lines() {
        if line.contains(&header) && line.ends_with(" bytes") {
            inside = true;
            continue;
        }
        if !inside {
            continue;
        }
        // "  OOOOOO  hh hh ... (48 columns)  text"
        let row = line.as_bytes();
        let is_row = row.len() > 10
            && row.starts_with(b"  ")
            && row[2..8].iter().all(u8::is_ascii_hexdigit)
            && &row[8..10] == b"  ";
        if !is_row {
            inside = false;
            continue;
        }
        let hex = std::str::from_utf8(&row[10..row.len().min(58)]).expect("ASCII hex");
        bytes.extend(
            hex.split_whitespace()
                .map(|h| u8::from_str_radix(h, 16).expect("a hex byte")),
        );
    }
    bytes
}

#[test]
fn loglevel_trace_hexdumps_the_wire() {
    let dir = TempDir::new("srvflags-trace");
    let logfile = dir.path().join("server.log");
    let log_arg = logfile.to_str().unwrap();
    let server = Server::start_logged(&["--loglevel", "trace", "--logfile", log_arg], &logfile);

    let mut client = RawClient::refusing(server.port);
    client.read_until(PROMPT, DEADLINE);
    assert!(client.command("help").contains("quit, writer"));
    client.send(b"quit\r\n");
    client.read_to_eof();

    // Every byte each way is in the dumps, in order: what the client sent in the `recv`
    // dumps, what it received in the `send` dumps.
    let log = wait_file(&logfile, "the whole exchange dumped", |log| {
        dumped(log, "recv") == client.sent && dumped(log, "send") == client.received
    });
    // In telnetlib3::hexdump's format: the server's first bytes, DO TTYPE, make one dump.
    assert!(
        log.contains(&telnetlib3::hexdump(&[IAC, DO, TTYPE])),
        "{log}"
    );
    assert!(log.contains(" TRACE "), "{log}");
}

#[test]
fn loglevel_filters_the_log() {
    for level in ["WARNING", "error", "off"] {
        let dir = TempDir::new("srvflags-level");
        let logfile = dir.path().join("server.log");
        let log_arg = logfile.to_str().unwrap();
        let server = Server::start(&["--loglevel", level, "--logfile", log_arg]);
        let mut client = RawClient::refusing(server.port);
        client.read_until(PROMPT, DEADLINE);
        client.send(b"quit\r\n");
        client.read_to_eof();
        let log = read_file(&logfile);
        for finer in [" INFO ", " DEBUG ", " TRACE "] {
            assert!(!log.contains(finer), "--loglevel {level}:\n{log}");
        }
        if level == "off" {
            assert_eq!(log, "", "--loglevel off");
        }
        assert_eq!(server.output(), "", "--loglevel {level}: stderr");
    }
}

// ---------------------------------------------------------------------------------------------
// Bad values

/// Asserts that the server exits 2 with a clap-style error naming `needle`.
fn assert_usage_error(args: &[&str], needle: &str) -> String {
    let port = support::free_port().to_string();
    let mut all = vec!["127.0.0.1", port.as_str()];
    all.extend_from_slice(args);
    let exit = run_to_exit(&all);
    assert_eq!(exit.code, Some(2), "{args:?}: {}", exit.stderr);
    assert!(
        exit.stderr.starts_with("error: "),
        "{args:?}: {}",
        exit.stderr
    );
    assert!(exit.stderr.contains(needle), "{args:?}: {}", exit.stderr);
    exit.stderr
}

#[test]
fn bad_values_exit_2() {
    let cert = TestCert::generate();
    let tls = tls_args(&cert);
    let key_file = tls[3];
    let cases: &[(&[&str], &str)] = &[
        (&["--loglevel", "3"], "--loglevel"),
        (&["--loglevel", ""], "--loglevel"),
        (&["--loglevel", "tracing"], "--loglevel"),
        (&["--status-interval", "often"], "--status-interval"),
        (&["--status-interval=-1"], "--status-interval"),
        (&["--status-interval", "inf"], "--status-interval"),
        (&["--connect-maxwait", "NaN"], "--connect-maxwait"),
        (&["--connect-maxwait=-0.5"], "--connect-maxwait"),
        (&["--max-connections", "many"], "--max-connections"),
        (&["--max-connections=-1"], "--max-connections"),
        (&["--max-connections", "1.5"], "--max-connections"),
        (&["--ssl-keyfile", key_file], "--ssl-certfile"),
        (&["--force-binary", "--encoding", "false"], "--force-binary"),
    ];
    for (args, needle) in cases {
        assert_usage_error(args, needle);
    }
    for bad in ["--tls-auto=-1", "--tls-auto=soon", "--tls-auto=inf"] {
        let mut args = tls.to_vec();
        args.push(bad);
        assert_usage_error(&args, "--tls-auto");
    }
}

#[test]
fn unwritable_logfile_exits_2_with_a_one_line_error() {
    let dir = TempDir::new("srvflags-badlog");
    let in_missing_dir = dir.path().join("no-such-dir").join("server.log");
    let a_directory = dir.path().to_path_buf();
    for (path, reason) in [
        (&in_missing_dir, "No such file or directory"),
        (&a_directory, "Is a directory"),
    ] {
        let path_arg = path.to_str().unwrap();
        let stderr = assert_usage_error(&["--logfile", path_arg], "--logfile");
        let first = stderr.lines().next().unwrap_or_default();
        assert!(
            first.starts_with(&format!("error: cannot open '--logfile' {path_arg}: ")),
            "{stderr}"
        );
        assert!(first.contains(reason), "{stderr}");
        // The rest is clap's usage hint, not more error text.
        assert!(
            stderr.lines().skip(1).all(|line| line.is_empty()
                || line.starts_with("Usage:")
                || line.starts_with("For more information")),
            "{stderr}"
        );
    }
    assert!(!in_missing_dir.exists());
}
