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

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use telnetlib3::{BlockingTelnetServer, ServerConnection, ServerOptions};

mod support;
use support::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_telnetlib3-client");
/// Bound on every client run, every raw server and every wait on a tmux pane.
const BOUND: Duration = Duration::from_secs(10);

// ---- helpers (after tests/cli_client.rs) ----

/// A server that shuts down when dropped.
struct Server {
    server: BlockingTelnetServer,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.server.shutdown();
    }
}

fn quick() -> ServerOptions {
    ServerOptions::default()
        .connect_maxwait(Duration::from_secs(2))
        .timeout(None)
}

fn serve(
    options: ServerOptions,
    handler: impl Fn(ServerConnection) + Send + Sync + 'static,
) -> Server {
    let server = BlockingTelnetServer::with_options("127.0.0.1", 0, options, handler);
    let port = server.start().unwrap().port();
    let runner = server.clone();
    thread::spawn(move || {
        let _ = runner.serve_forever();
    });
    Server { server, port }
}

/// A child process killed on drop.
struct Client {
    child: Child,
    stdout: Option<JoinHandle<Vec<u8>>>,
    stderr: Option<JoinHandle<Vec<u8>>>,
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn reader(mut from: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut out = Vec::new();
        let _ = from.read_to_end(&mut out);
        out
    })
}

fn spawn(args: &[&str]) -> (Client, ChildStdin) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    let stdout = reader(child.stdout.take().unwrap());
    let stderr = reader(child.stderr.take().unwrap());
    (
        Client {
            child,
            stdout: Some(stdout),
            stderr: Some(stderr),
        },
        stdin,
    )
}

impl Client {
    /// Waits for the process to exit (at most `BOUND`, then it is killed and the test fails).
    fn finish(mut self) -> Outcome {
        let deadline = Instant::now() + BOUND;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                let out = self.stdout.take().unwrap().join().unwrap();
                let err = self.stderr.take().unwrap().join().unwrap();
                panic!(
                    "client still running after {BOUND:?}; stdout {:?}, stderr {:?}",
                    String::from_utf8_lossy(&out),
                    String::from_utf8_lossy(&err)
                );
            }
            thread::sleep(Duration::from_millis(20));
        };
        let stdout = self.stdout.take().unwrap().join().unwrap();
        let stderr = self.stderr.take().unwrap().join().unwrap();
        Outcome {
            code: status.code(),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    }
}

/// Starts the client with `input` piped to stdin (then closed).
fn start(args: &[&str], input: &[u8]) -> Client {
    let (client, mut stdin) = spawn(args);
    let _ = stdin.write_all(input);
    client
}

/// Runs the client with `input` piped to stdin (then closed) and waits for it.
fn run(args: &[&str], input: &[u8]) -> Outcome {
    start(args, input).finish()
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("telnetlib3-cliflags-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// What a [`raw_server`] got.
struct Recorded {
    /// Every byte the client sent.
    bytes: Vec<u8>,
    /// When `until` showed up in them.
    at: Option<Instant>,
}

/// A raw TCP server for one client: sends `greeting`, records what the client sends until
/// `until` shows up (or the client closes, or `BOUND` passes), then writes `reply` and closes.
fn raw_server(
    greeting: &'static [u8],
    until: &'static [u8],
    reply: &'static [u8],
) -> (String, JoinHandle<Recorded>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let _ = stream.write_all(greeting);
        let deadline = Instant::now() + BOUND;
        let mut recorded = Recorded {
            bytes: Vec::new(),
            at: None,
        };
        let mut buf = [0u8; 4096];
        while Instant::now() < deadline {
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    recorded.bytes.extend_from_slice(&buf[..n]);
                    if contains(&recorded.bytes, until) {
                        recorded.at = Some(Instant::now());
                        break;
                    }
                }
                Err(_) => {}
            }
        }
        let _ = stream.write_all(reply);
        recorded
    });
    (port.to_string(), handle)
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
    let (port, server) = raw_server(OFFER, b"done\r\n", b"bye\r\n");
    let out = run(&["--connect-maxwait", "1", "127.0.0.1", &port], b"done\n");
    let got = server.join().unwrap().bytes;
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(contains(&got, b"\xff\xfd\x01"), "no DO ECHO in {got:?}");
    assert!(contains(&got, b"\xff\xfd\x03"), "no DO SGA in {got:?}");

    let (port, server) = raw_server(OFFER, b"done\r\n", b"bye\r\n");
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
    let got = server.join().unwrap().bytes;
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
        let (port, server) = raw_server(b"", b"go\r\n", REPLY);
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
        server.join().unwrap();
        out
    };
    let out = decode("replace");
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(
        out.stdout.contains("caf\u{e9} caf\u{fffd}!\r\n"),
        "{:?}",
        out.stdout
    );
    let out = decode("ignore");
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(
        out.stdout.contains("caf\u{e9} caf!\r\n"),
        "{:?}",
        out.stdout
    );
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
        let (port, server) = raw_server(b"", b"next\r\n", b"ok\r\n");
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
        (out, server.join().unwrap().bytes)
    };
    let (out, got) = encode("replace");
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(contains(&got, b"caf?!\r\nnext\r\n"), "{got:?}");
    let (out, got) = encode("ignore");
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(contains(&got, b"caf!\r\nnext\r\n"), "{got:?}");
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
    let (fast_port, fast_server) = raw_server(b"", b"hello\r\n", b"bye\r\n");
    let (slow_port, slow_server) = raw_server(b"", b"hello\r\n", b"bye\r\n");
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
    let fast_out = fast_client.finish();
    let slow_out = slow_client.finish();
    assert_eq!(fast_out.code, Some(0), "{fast:?}: {}", fast_out.stderr);
    assert_eq!(slow_out.code, Some(0), "{slow:?}: {}", slow_out.stderr);
    let at = |server: JoinHandle<Recorded>, args: &[&str]| {
        let recorded = server.join().unwrap();
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
    let started = Instant::now();
    // Without the flag the connect would hang for the default 10 s.
    let out = run(&["--connect-timeout", "1", "127.0.0.1", &port], b"");
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
    let started = Instant::now();
    let out = run(
        &["--ssl", "--connect-timeout", "1", "127.0.0.1", &port],
        b"",
    );
    let took = started.elapsed();
    server.join().unwrap();
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

// ---- TLS ----

#[test]
fn ssl_against_a_plain_server_is_one_clear_line() {
    // The library's plain server opens with IAC DO TTYPE, which is no TLS record.
    let server = serve(quick(), |conn| {
        let _ = conn.write("plain text\r\n");
    });
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
    let dir = temp_dir("cafile");
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap();
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.key_pair.serialize_pem()).unwrap();
    let server = serve(quick().tls(&cert_path, &key_path), |conn| {
        let _ = conn.write(&format!(
            "tls={}\r\n",
            conn.get_extra_info("tls").unwrap_or_default()
        ));
    });
    let out = run(
        &[
            "--ssl-cafile",
            cert_path.to_str().unwrap(),
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
    let server = serve(quick(), |conn| {
        let _ = conn.write("hi\r\n");
    });
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
    let dir = temp_dir("logfile-mode");
    let file = dir.join("client.log");
    std::fs::write(&file, "earlier\n").unwrap();
    let server = serve(quick(), |conn| {
        let _ = conn.write("hi\r\n");
    });
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

fn wait_for_file(path: &Path) -> String {
    let deadline = Instant::now() + BOUND;
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            if text.ends_with('\n') {
                return text;
            }
        }
        assert!(
            Instant::now() < deadline,
            "{} never written",
            path.display()
        );
        thread::sleep(Duration::from_millis(50));
    }
}

/// A server that prompts `prompt` and answers each line.
fn answering(options: ServerOptions, prompt: &'static str) -> Server {
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
fn in_tmux(tag: &str, flag: &str, server: &Server, prompt: &str) -> Option<(String, String)> {
    let after = temp_dir(tag).join("after");
    let _ = std::fs::remove_file(&after);
    let tmux = Tmux::start(&format!("cliflags-{tag}"), 100, 30)?;
    let script = format!(
        "{BIN} {flag} 127.0.0.1 {}; echo exit=$? > {}",
        server.port,
        after.display()
    );
    tmux.keys(&[&script, "Enter"]);
    tmux.wait_for(prompt.trim_end()); // capture-pane drops trailing blanks
    let during = tmux.stty();
    tmux.keys(&["hello", "Enter"]);
    let screen = tmux.wait_for("answer [hello]");
    tmux.keys(&["C-]"]);
    tmux.wait_for("[q]uit");
    tmux.keys(&["q"]);
    assert_eq!(wait_for_file(&after), "exit=0\n");
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
