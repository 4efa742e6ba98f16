//! Our `BlockingTelnetServer` against real telnet clients on loopback: inetutils telnet and
//! busybox telnet (driven by expect), PuTTY's plink, libtelnet's telnet-client, tintin++ (in
//! tmux), telnetlib3-client 5.0.1 (plain and TLS), Python's stdlib telnetlib and
//! `openssl s_client` (TLS).
//!
//! Every test is the same line round-trip: the handler greets with `ready`, reads one line, and
//! answers `echo: <line>`; the test types `hello` into the real client and waits until the
//! client shows `echo: hello` (what our server echoes while it performs ECHO is `hello`, never
//! `echo: hello`, so only the reply can match). The handler also reports what it learnt about
//! the client (mode, options, terminal type, window size, charset), and plain connections go
//! through a recording proxy, so each test prints what both sides sent.
//!
//! The peers come from `scripts/install-peers.sh` (see `/work/shared/PEERS.md`); without them
//! these tests are skipped, unless `TELNETLIB3_INTEROP=1` (set by `scripts/test.sh`) makes them
//! fail. Everything is on 127.0.0.1, every wait is bounded, and every process a test starts is
//! killed (process group and all) when the test ends, passing or not.

mod support;

use std::ffi::OsStr;
use std::io::{Read as _, Write as _};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use support::{command, require, require_all, Child, TempDir, TestCert, LOOPBACK, STEP};
use telnetlib3::protocol::Mode;
use telnetlib3::telopt::{self, Opt};
use telnetlib3::{BlockingTelnetServer, Error, ServerConnection, ServerOptions};

/// How long our server waits for a client's negotiation before the handler runs.
const CONNECT_MAXWAIT: Duration = Duration::from_millis(500);

/// What the handler greets with.
const GREETING: &str = "ready";
/// What the tests type.
const TYPED: &str = "hello";
/// The handler's answer to it.
const REPLY: &str = "echo: hello";

// ---------------------------------------------------------------------------------------------
// The server side

/// What the handler knew about its client at one moment.
#[derive(Debug, Clone)]
struct Facts {
    mode: Mode,
    term: String,
    /// The terminal types the client named, in order (`ttype1`, `ttype2`, …).
    ttypes: Vec<String>,
    cols: u16,
    rows: u16,
    charset: Option<String>,
    tls: Option<String>,
    /// `LANG` from NEW_ENVIRON.
    lang: Option<String>,
    /// Options we perform.
    server_will: Vec<u8>,
    /// Options the client performs.
    client_will: Vec<u8>,
}

impl Facts {
    fn of(conn: &ServerConnection) -> Self {
        let ttypes = (1..=8)
            .map_while(|n| conn.get_extra_info(&format!("ttype{n}")))
            .collect();
        Self {
            mode: conn.mode(),
            term: conn.terminal_type(),
            ttypes,
            cols: conn.columns(),
            rows: conn.rows(),
            charset: conn.get_extra_info("charset"),
            tls: conn.get_extra_info("tls"),
            lang: conn.get_extra_info("LANG"),
            server_will: (0..=255u8).filter(|&o| conn.local_enabled(o)).collect(),
            client_will: (0..=255u8).filter(|&o| conn.remote_enabled(o)).collect(),
        }
    }

    fn describe(&self) -> String {
        let names = |opts: &[u8]| {
            opts.iter()
                .map(|&o| Opt(o).to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        format!(
            "mode={} server-will=[{}] client-will=[{}] TERM={:?} ttypes={:?} window={}x{} \
             charset={:?} LANG={:?} tls={}",
            self.mode.as_str(),
            names(&self.server_will),
            names(&self.client_will),
            self.term,
            self.ttypes,
            self.cols,
            self.rows,
            self.charset,
            self.lang,
            self.tls.as_deref().unwrap_or("?"),
        )
    }

    fn server_will(&self, option: u8) -> bool {
        self.server_will.contains(&option)
    }

    fn client_will(&self, option: u8) -> bool {
        self.client_will.contains(&option)
    }
}

/// What one connection's handler saw.
#[derive(Debug)]
struct Report {
    /// When the handler started (negotiation settled, or `connect_maxwait` over).
    at_start: Facts,
    /// After the line was answered.
    at_line: Facts,
    /// Blank lines read before the line (tolerated, and shown).
    blank_lines: Vec<String>,
    /// The line read, terminator included, or why there was none.
    line: Result<String, String>,
    /// Bytes received from the client on the wire, telnet commands included.
    received: u64,
}

impl Report {
    fn describe(&self) -> String {
        format!(
            "line={:?} blank-lines-before={:?}\n  when the handler started: {}\n  \
             after the line:           {}",
            self.line,
            self.blank_lines,
            self.at_start.describe(),
            self.at_line.describe()
        )
    }

    /// Panics unless the handler read the typed line.
    fn assert_line(&self) {
        assert_eq!(
            self.line.as_deref().map(str::trim),
            Ok(TYPED),
            "{}",
            self.describe()
        );
    }
}

/// Greets, reads one non-blank line and answers it (all bounded).
fn round_trip(conn: &ServerConnection, blank_lines: &mut Vec<String>) -> Result<String, Error> {
    conn.write(&format!("{GREETING}\r\n"))?;
    let deadline = Instant::now() + STEP * 2;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Error::Timeout);
        }
        let line = conn.readline(Some(left))?;
        let text = line.trim();
        if text.is_empty() {
            blank_lines.push(line);
            continue;
        }
        conn.write(&format!("echo: {text}\r\n"))?;
        return Ok(line);
    }
}

/// Our server on 127.0.0.1, port 0, running the round-trip handler; shut down on drop.
struct RoundTripServer {
    server: BlockingTelnetServer,
    port: u16,
    thread: Option<JoinHandle<()>>,
    reports: mpsc::Receiver<Report>,
}

impl RoundTripServer {
    fn start(options: ServerOptions) -> Self {
        let (tx, reports) = mpsc::channel();
        let options = options
            .connect_maxwait(CONNECT_MAXWAIT)
            .timeout(None)
            .io_timeout(Some(STEP));
        let server = BlockingTelnetServer::with_options(LOOPBACK, 0, options, move |conn| {
            let at_start = Facts::of(&conn);
            let mut blank_lines = Vec::new();
            let line = round_trip(&conn, &mut blank_lines).map_err(|e| format!("{e:?}"));
            let report = Report {
                at_start,
                at_line: Facts::of(&conn),
                blank_lines,
                line,
                received: conn.bytes_received(),
            };
            let answered = report.line.is_ok();
            let _ = tx.send(report);
            // Let the client hang up first, so that closing never cuts the reply short
            // (bounded; shutdown ends it at once).
            let deadline = Instant::now() + STEP;
            if answered {
                loop {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() || conn.read_some(Some(left)).is_err() {
                        break;
                    }
                }
            }
        });
        let port = server.start().expect("start our server").port();
        let serving = server.clone();
        let thread = thread::spawn(move || {
            serving.serve_forever().expect("serve_forever");
        });
        Self {
            server,
            port,
            thread: Some(thread),
            reports,
        }
    }

    /// The report of the first connection that sent anything (a connection that hangs up
    /// at once, like a readiness probe, is skipped); panics after `STEP * 3`.
    fn report(&self) -> Report {
        let deadline = Instant::now() + STEP * 3;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.reports.recv_timeout(left) {
                Ok(report) if report.line.is_err() && report.received == 0 => continue,
                Ok(report) => return report,
                Err(err) => panic!("no report from our server's handler: {err}"),
            }
        }
    }
}

impl Drop for RoundTripServer {
    fn drop(&mut self) {
        self.server.shutdown();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A recording proxy

/// A TCP proxy on 127.0.0.1 in front of our server for one client, recording what each side
/// sends (telnet commands included), for the test output and for checks on what we sent.
/// Both sockets are shut down on drop.
struct Tap {
    port: u16,
    to_server: Arc<Mutex<Vec<u8>>>,
    to_client: Arc<Mutex<Vec<u8>>>,
    sockets: Arc<Mutex<Vec<TcpStream>>>,
    stop: Arc<AtomicBool>,
}

/// Copies `from` to `to`, recording, until either side ends.
fn pump(mut from: TcpStream, mut to: TcpStream, record: Arc<Mutex<Vec<u8>>>) {
    thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        loop {
            let n = match from.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            record.lock().unwrap().extend_from_slice(&chunk[..n]);
            if to.write_all(&chunk[..n]).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}

impl Tap {
    fn start(target: u16) -> Self {
        let listener = TcpListener::bind((LOOPBACK, 0)).expect("bind the tap");
        listener.set_nonblocking(true).expect("nonblocking tap");
        let port = listener.local_addr().expect("tap address").port();
        let tap = Self {
            port,
            to_server: Arc::default(),
            to_client: Arc::default(),
            sockets: Arc::default(),
            stop: Arc::default(),
        };
        let (to_server, to_client) = (Arc::clone(&tap.to_server), Arc::clone(&tap.to_client));
        let (sockets, stop) = (Arc::clone(&tap.sockets), Arc::clone(&tap.stop));
        thread::spawn(move || {
            let deadline = Instant::now() + STEP * 3;
            let client = loop {
                if stop.load(Ordering::SeqCst) || Instant::now() >= deadline {
                    return;
                }
                match listener.accept() {
                    Ok((client, _)) => break client,
                    Err(_) => thread::sleep(Duration::from_millis(10)),
                }
            };
            let Ok(server) = TcpStream::connect((LOOPBACK, target)) else {
                return;
            };
            let clones = (|| {
                client.set_nonblocking(false)?;
                client.set_nodelay(true)?;
                server.set_nodelay(true)?;
                Ok::<_, std::io::Error>((client.try_clone()?, server.try_clone()?))
            })();
            let Ok((client2, server2)) = clones else {
                return;
            };
            sockets.lock().unwrap().extend([client2, server2]);
            if stop.load(Ordering::SeqCst) {
                return;
            }
            pump(
                client.try_clone().expect("clone"),
                server.try_clone().expect("clone"),
                to_server,
            );
            pump(server, client, to_client);
        });
        tap
    }

    /// What the client sent so far.
    fn client_sent(&self) -> Vec<u8> {
        self.to_server.lock().unwrap().clone()
    }

    /// What we sent so far.
    fn server_sent(&self) -> Vec<u8> {
        self.to_client.lock().unwrap().clone()
    }

    fn describe(&self) -> String {
        format!(
            "  we sent:         {}\n  the client sent: {}",
            telopt::describe_bytes(&self.server_sent()),
            telopt::describe_bytes(&self.client_sent())
        )
    }
}

impl Drop for Tap {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for socket in self.sockets.lock().unwrap().iter() {
            let _ = socket.shutdown(Shutdown::Both);
        }
    }
}

/// Whether `bytes` (as sent on the wire) hold the command `IAC <verb> <option>`.
fn has_command(bytes: &[u8], verb: u8, option: u8) -> bool {
    let wanted = telopt::describe_bytes(&[telopt::IAC, verb, option]);
    let wanted: Vec<&str> = wanted.split_whitespace().collect();
    let described = telopt::describe_bytes(bytes);
    let tokens: Vec<&str> = described.split_whitespace().collect();
    tokens.windows(wanted.len()).any(|w| w == wanted)
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// While our server performs ECHO, it echoes the typed line (`hello`, its end as CR LF) before
/// the handler's reply to it goes out: a reply that overtook the echo would show on the
/// client's screen before (or glued to) the line it answers. `sent` is what we sent (or what
/// the client printed of it, with `eol` as its line end).
fn assert_echo_before_reply(sent: &[u8], eol: &str, context: &str) {
    let echo = find(sent, format!("{TYPED}{eol}").as_bytes());
    let reply = find(sent, REPLY.as_bytes());
    assert!(
        matches!((echo, reply), (Some(e), Some(r)) if e < r),
        "the echo of {TYPED:?} must precede the reply {REPLY:?}: {:?}\n{context}",
        String::from_utf8_lossy(sent)
    );
}

// ---------------------------------------------------------------------------------------------
// The client side

/// A client process with piped stdin, stdout and stderr (collected by threads), in a process
/// group of its own, which is killed (group and all) and reaped on drop.
struct Piped {
    name: String,
    child: std::process::Child,
    stdin: Option<ChildStdin>,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    reaped: bool,
}

fn collect(mut from: impl std::io::Read + Send + 'static) -> Arc<Mutex<Vec<u8>>> {
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let into = Arc::clone(&buffer);
    thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n) = from.read(&mut chunk) {
            if n == 0 {
                break;
            }
            into.lock().unwrap().extend_from_slice(&chunk[..n]);
        }
    });
    buffer
}

impl Piped {
    fn spawn(name: &str, mut cmd: Command) -> Self {
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name} ({cmd:?}): {e}"));
        let stdin = child.stdin.take();
        let stdout = collect(child.stdout.take().expect("piped stdout"));
        let stderr = collect(child.stderr.take().expect("piped stderr"));
        Self {
            name: name.to_owned(),
            child,
            stdin,
            stdout,
            stderr,
            reaped: false,
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        if let Err(err) = stdin.write_all(bytes).and_then(|()| stdin.flush()) {
            panic!("writing to {}: {err}\n{}", self.name, self.output());
        }
    }

    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().unwrap()).into_owned()
    }

    fn output(&self) -> String {
        format!(
            "--- {} stdout:\n{:?}\n--- stderr:\n{}",
            self.name,
            self.stdout(),
            String::from_utf8_lossy(&self.stderr.lock().unwrap())
        )
    }

    /// Waits (at most `timeout`) until stdout holds `text`; panics with the output and
    /// `context()` otherwise.
    fn wait_stdout(&self, text: &str, timeout: Duration, context: impl Fn() -> String) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let out = self.stdout();
            if out.contains(text) {
                return out;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not print {text:?} within {timeout:?}\n{}\n{}",
                self.name,
                self.output(),
                context()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits (at most `timeout`) for the process to exit by itself: `Some(success)` when it
    /// did, `None` when it is still running.
    fn wait_success(&mut self, timeout: Duration) -> Option<bool> {
        self.stdin = None;
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                // The leader is reaped; what it left in its group goes now, before the group
                // id can be reused.
                self.kill_group();
                self.reaped = true;
                return Some(status.success());
            }
            if Instant::now() >= deadline {
                return None;
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn kill_group(&self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

impl Drop for Piped {
    fn drop(&mut self) {
        self.stdin = None;
        if !self.reaped {
            self.kill_group();
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// An environment that does not depend on the developer's: `HOME` in a fresh temp dir (no
/// `.telnetrc`, `.putty`, `.tintin`, `.tmux.conf`…), the terminal type `term`, a UTF-8 C
/// locale, no window size variables.
fn isolate(cmd: &mut Command, home: &Path, term: &str) {
    cmd.env("HOME", home)
        .env("TERM", term)
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("COLUMNS")
        .env_remove("LINES")
        .env_remove("TMUX")
        .current_dir(home);
}

/// Runs `cmd` (a client, already [`isolate`]d) with piped stdin: waits for the greeting,
/// types the line (ended with `eol`), waits for the reply. Returns the client (still running)
/// and the handler's report.
fn piped_round_trip(
    server: &RoundTripServer,
    tap: Option<&Tap>,
    name: &str,
    cmd: Command,
    eol: &str,
) -> (Piped, Report) {
    let context = || tap.map(Tap::describe).unwrap_or_default();
    let mut client = Piped::spawn(name, cmd);
    client.wait_stdout(GREETING, STEP, context);
    client.send(format!("{TYPED}{eol}").as_bytes());
    let out = client.wait_stdout(REPLY, STEP, context);
    println!("{name} printed: {out:?}");
    let report = server.report();
    println!("{name}, as our server saw it: {}", report.describe());
    if let Some(tap) = tap {
        println!("{name} on the wire:\n{}", tap.describe());
    }
    report.assert_line();
    if report.at_line.server_will(telopt::ECHO) {
        match tap {
            Some(tap) => assert_echo_before_reply(&tap.server_sent(), "\r\n", &tap.describe()),
            None => assert_echo_before_reply(out.as_bytes(), "", &report.describe()),
        }
    }
    (client, report)
}

/// Runs an expect script (written to a temp file) that spawns `client HOST PORT` on a 120x40
/// pty, waits for the greeting, types the line and Enter, and waits for the reply; panics (with
/// the transcript) unless it came. Returns the handler's report and the wire.
fn expect_round_trip(client_name: &str, client: &[&OsStr]) -> Option<(Report, Tap)> {
    let expect = require("expect")?;
    let server = RoundTripServer::start(ServerOptions::default());
    let tap = Tap::start(server.port);
    let home = TempDir::new("expect-home");
    let spawn = client
        .iter()
        .map(|arg| format!("{{{}}}", arg.to_string_lossy()))
        .collect::<Vec<_>>()
        .join(" ");
    let secs = STEP.as_secs();
    let script = format!(
        r#"set timeout {secs}
log_user 1
set stty_init "rows 40 columns 120"
spawn -noecho {spawn} {LOOPBACK} {port}
expect {{
    "{GREETING}" {{}}
    timeout {{ puts "\nEXPECT-FAIL: no greeting within {secs} s"; exit 2 }}
    eof {{ puts "\nEXPECT-FAIL: the client ended before the greeting"; exit 3 }}
}}
send -- "{TYPED}\r"
expect {{
    "{REPLY}" {{}}
    timeout {{ puts "\nEXPECT-FAIL: no reply within {secs} s"; exit 2 }}
    eof {{ puts "\nEXPECT-FAIL: the client ended before the reply"; exit 3 }}
}}
puts "\nEXPECT-OK"
close
wait
exit 0
"#,
        port = tap.port
    );
    let script_path = home.path().join("round-trip.exp");
    std::fs::write(&script_path, script).expect("write the expect script");
    let mut cmd = command(&expect, [script_path.as_os_str()]);
    isolate(&mut cmd, home.path(), "xterm");
    let mut child = Child::spawn(&format!("expect + {client_name}"), cmd);
    let exited = child.wait_exit(STEP * 3);
    child.kill();
    let transcript = child.log();
    println!("{client_name} transcript: {transcript:?}");
    assert!(
        transcript.contains("EXPECT-OK"),
        "{client_name} never showed {REPLY:?}:\n{transcript}\n{}",
        tap.describe()
    );
    assert!(exited, "expect did not finish:\n{transcript}");
    let report = server.report();
    println!("{client_name}, as our server saw it: {}", report.describe());
    println!("{client_name} on the wire:\n{}", tap.describe());
    report.assert_line();
    if report.at_line.server_will(telopt::ECHO) {
        assert_echo_before_reply(&tap.server_sent(), "\r\n", &tap.describe());
    }
    Some((report, tap))
}

// ---------------------------------------------------------------------------------------------
// The tests

/// inetutils telnet 2.4 is passive, then agrees to everything our server offers but CHARSET:
/// character mode (we echo), NAWS, NEW_ENVIRON, and BINARY both ways, where it sends Enter as a
/// bare CR (CR NUL in NVT mode).
#[test]
fn inetutils_telnet_line_round_trip() {
    let Some(telnet) = require("telnet") else {
        return;
    };
    let Some((report, tap)) = expect_round_trip("inetutils telnet", &[telnet.as_os_str()]) else {
        return;
    };
    let facts = &report.at_line;
    let describe = facts.describe();
    assert_eq!(facts.mode, Mode::Kludge, "{describe}");
    assert!(facts.server_will(telopt::ECHO), "{describe}");
    assert!(facts.server_will(telopt::SGA), "{describe}");
    assert!(facts.client_will(telopt::TTYPE), "{describe}");
    assert_eq!(facts.term.to_ascii_lowercase(), "xterm", "{describe}");
    assert!(facts.client_will(telopt::NAWS), "{describe}");
    assert_eq!((facts.cols, facts.rows), (120, 40), "{describe}");
    // CR NUL and a bare CR both make the line "hello\r".
    assert_eq!(report.line.as_deref(), Ok("hello\r"), "{describe}");
    let sent = tap.client_sent();
    let enter = find(&sent, b"hello\r").map(|at| sent.get(at + 6).copied());
    let expected = if facts.client_will(telopt::BINARY) {
        // Bare CR: nothing follows (or whatever comes next is not NUL or LF).
        !matches!(enter, None | Some(Some(0 | b'\n')))
    } else {
        enter == Some(Some(0))
    };
    assert!(expected, "Enter on the wire:\n{}", tap.describe());
}

/// busybox telnet: character mode too (ECHO and SGA), with NAWS, and Enter as CR LF.
#[test]
fn busybox_telnet_line_round_trip() {
    let Some(busybox) = require("bbs/bin/busybox") else {
        return;
    };
    let Some((report, _tap)) = expect_round_trip(
        "busybox telnet",
        &[busybox.as_os_str(), OsStr::new("telnet")],
    ) else {
        return;
    };
    let facts = &report.at_line;
    let describe = facts.describe();
    assert_eq!(facts.mode, Mode::Kludge, "{describe}");
    assert!(facts.client_will(telopt::NAWS), "{describe}");
    assert_eq!((facts.cols, facts.rows), (120, 40), "{describe}");
    assert_eq!(report.line.as_deref(), Ok("hello\r\n"), "{describe}");
}

/// PuTTY's plink negotiates first (NAWS, TSPEED, TTYPE, NEW_ENVIRON, SGA both ways) and agrees
/// to our ECHO; with piped stdin it passes a bare LF through.
#[test]
fn plink_line_round_trip() {
    let Some(plink) = require("plink") else {
        return;
    };
    let server = RoundTripServer::start(ServerOptions::default());
    let tap = Tap::start(server.port);
    let home = TempDir::new("plink-home");
    let mut cmd = command(
        &plink,
        [
            "-telnet".to_owned(),
            "-batch".to_owned(),
            "-P".to_owned(),
            tap.port.to_string(),
            LOOPBACK.to_owned(),
        ],
    );
    isolate(&mut cmd, home.path(), "xterm");
    let (_client, report) = piped_round_trip(&server, Some(&tap), "plink", cmd, "\n");
    let facts = &report.at_line;
    let describe = facts.describe();
    assert_eq!(facts.mode, Mode::Kludge, "{describe}");
    for option in [telopt::NAWS, telopt::TTYPE, telopt::SGA] {
        assert!(facts.client_will(option), "{} {describe}", Opt(option));
    }
    assert_eq!(facts.term.to_ascii_lowercase(), "xterm", "{describe}");
}

/// libtelnet's telnet-client accepts our ECHO and TTYPE, refuses the rest.
#[test]
fn libtelnet_telnet_client_line_round_trip() {
    let Some(client) = require("telnet-client") else {
        return;
    };
    let server = RoundTripServer::start(ServerOptions::default());
    let tap = Tap::start(server.port);
    let home = TempDir::new("libtelnet-home");
    let mut cmd = command(&client, [LOOPBACK.to_owned(), tap.port.to_string()]);
    isolate(&mut cmd, home.path(), "xterm");
    let (_client, report) =
        piped_round_trip(&server, Some(&tap), "libtelnet telnet-client", cmd, "\n");
    let facts = &report.at_line;
    assert!(facts.client_will(telopt::TTYPE), "{}", facts.describe());
    assert_eq!(facts.term, "xterm", "{}", facts.describe());
}

/// Python 3.11's stdlib telnetlib refuses every option: nothing is agreed, and the client
/// (which has no terminal) is in local mode.
#[test]
fn stdlib_telnetlib_line_round_trip() {
    let Some(python) = require("venv/bin/python") else {
        return;
    };
    let server = RoundTripServer::start(ServerOptions::default());
    let tap = Tap::start(server.port);
    let home = TempDir::new("telnetlib-home");
    let secs = STEP.as_secs();
    let script = format!(
        r#"
import sys, warnings
warnings.simplefilter("ignore")
import telnetlib
tn = telnetlib.Telnet({LOOPBACK:?}, int(sys.argv[1]), timeout={secs})
greeting = tn.read_until(b{GREETING:?}, {secs})
print("greeting:", repr(greeting), flush=True)
tn.write(b{line:?})
reply = tn.read_until(b{REPLY:?}, {secs})
print("reply:", repr(reply), flush=True)
tn.close()
sys.exit(0 if reply.endswith(b{REPLY:?}) else 1)
"#,
        line = format!("{TYPED}\r\n"),
    );
    let port = tap.port.to_string();
    let mut cmd = command(&python, [OsStr::new("-c"), script.as_ref(), port.as_ref()]);
    isolate(&mut cmd, home.path(), "xterm");
    let mut client = Piped::spawn("python telnetlib", cmd);
    let ok = client.wait_success(STEP * 3);
    println!("{}", client.output());
    assert_eq!(
        ok,
        Some(true),
        "the telnetlib script failed:\n{}\n{}",
        client.output(),
        tap.describe()
    );
    let report = server.report();
    println!("telnetlib, as our server saw it: {}", report.describe());
    println!("telnetlib on the wire:\n{}", tap.describe());
    assert_eq!(
        report.line.as_deref(),
        Ok("hello\r\n"),
        "{}",
        report.describe()
    );
    let facts = &report.at_line;
    assert!(facts.client_will.is_empty(), "{}", facts.describe());
    assert!(facts.server_will.is_empty(), "{}", facts.describe());
    assert_eq!(facts.mode, Mode::Local, "{}", facts.describe());
    assert!(has_command(&tap.client_sent(), telopt::WONT, telopt::TTYPE));
}

/// Window size our server assumes until NAWS, unlike any client's, so that a size seen
/// proves the client sent it.
const UNLIKELY_WINDOW: (u16, u16) = (33, 11);

/// telnetlib3-client 5.0.1 with piped stdin and `TERM=xterm-256color` (its default for
/// `--term`), plain or TLS (`--ssl --ssl-cafile`, connecting to `localhost`).
fn telnetlib3_client_round_trip(tls: Option<&TestCert>) -> Option<(Report, Option<Tap>)> {
    let client = require("venv/bin/telnetlib3-client")?;
    let mut options = ServerOptions::default()
        .cols(UNLIKELY_WINDOW.0)
        .rows(UNLIKELY_WINDOW.1);
    if let Some(cert) = tls {
        options = options.tls(&cert.cert, &cert.key);
    }
    let server = RoundTripServer::start(options);
    let tap = tls.is_none().then(|| Tap::start(server.port));
    let home = TempDir::new("telnetlib3-home");
    let mut args: Vec<String> = Vec::new();
    let host = if let Some(cert) = tls {
        args.extend(["--ssl".to_owned(), "--ssl-cafile".to_owned()]);
        args.push(cert.cert.display().to_string());
        "localhost"
    } else {
        LOOPBACK
    };
    let port = tap.as_ref().map_or(server.port, |t| t.port);
    args.extend([host.to_owned(), port.to_string()]);
    let mut cmd = command(&client, &args);
    isolate(&mut cmd, home.path(), "xterm-256color");
    let name = if tls.is_some() {
        "telnetlib3-client (TLS)"
    } else {
        "telnetlib3-client"
    };
    let (_client, report) = piped_round_trip(&server, tap.as_ref(), name, cmd, "\r\n");
    Some((report, tap))
}

/// What our server learns from telnetlib3-client: TERM, window size (its default 80x25, as it
/// has no terminal), CHARSET UTF-8, NEW_ENVIRON; character mode.
fn check_telnetlib3_facts(facts: &Facts) {
    let describe = facts.describe();
    assert_eq!(
        facts.term.to_ascii_lowercase(),
        "xterm-256color",
        "{describe}"
    );
    assert!(facts.client_will(telopt::TTYPE), "{describe}");
    assert!(facts.client_will(telopt::NAWS), "{describe}");
    assert_eq!((facts.cols, facts.rows), (80, 25), "{describe}");
    assert!(facts.client_will(telopt::CHARSET), "{describe}");
    assert_eq!(
        facts
            .charset
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("utf-8"),
        "{describe}"
    );
    assert!(facts.client_will(telopt::NEW_ENVIRON), "{describe}");
    assert!(
        facts
            .lang
            .as_deref()
            .is_some_and(|l| l.to_ascii_lowercase().ends_with("utf-8")),
        "{describe}"
    );
    assert!(facts.server_will(telopt::ECHO), "{describe}");
    assert!(facts.server_will(telopt::SGA), "{describe}");
    assert_eq!(facts.mode, Mode::Kludge, "{describe}");
}

#[test]
fn telnetlib3_client_line_round_trip() {
    let Some((report, _tap)) = telnetlib3_client_round_trip(None) else {
        return;
    };
    check_telnetlib3_facts(&report.at_start);
    assert_eq!(report.at_start.tls.as_deref(), Some("false"));
}

#[test]
fn telnetlib3_client_tls_line_round_trip() {
    let cert = TestCert::generate();
    let Some((report, _)) = telnetlib3_client_round_trip(Some(&cert)) else {
        return;
    };
    check_telnetlib3_facts(&report.at_start);
    assert_eq!(report.at_start.tls.as_deref(), Some("true"));
}

/// `openssl s_client` verifying our certificate: no telnet at all (our DO TTYPE shows up as
/// raw bytes), the line ends in a bare LF.
#[test]
fn openssl_s_client_tls_line_round_trip() {
    let Some(openssl) = require("openssl") else {
        return;
    };
    let cert = TestCert::generate();
    let server = RoundTripServer::start(ServerOptions::default().tls(&cert.cert, &cert.key));
    let home = TempDir::new("openssl-home");
    let mut cmd = command(
        &openssl,
        [
            "s_client".to_owned(),
            "-quiet".to_owned(),
            "-connect".to_owned(),
            format!("{LOOPBACK}:{}", server.port),
            "-servername".to_owned(),
            "localhost".to_owned(),
            "-verify_hostname".to_owned(),
            "localhost".to_owned(),
            "-CAfile".to_owned(),
            cert.cert.display().to_string(),
            "-verify_return_error".to_owned(),
        ],
    );
    isolate(&mut cmd, home.path(), "xterm");
    let (_client, report) = piped_round_trip(&server, None, "openssl s_client", cmd, "\n");
    let facts = &report.at_line;
    assert_eq!(facts.tls.as_deref(), Some("true"), "{}", facts.describe());
    assert!(facts.client_will.is_empty(), "{}", facts.describe());
    assert_eq!(facts.mode, Mode::Local, "{}", facts.describe());
    assert_eq!(
        report.line.as_deref(),
        Ok("hello\n"),
        "{}",
        report.describe()
    );
}

// ---------------------------------------------------------------------------------------------
// tintin++ in tmux

/// A tmux server of our own (its own socket, in a temp dir that is also `HOME`), killed on
/// drop.
struct Tmux {
    tmux: PathBuf,
    socket: PathBuf,
    home: TempDir,
}

impl Tmux {
    fn new(tmux: PathBuf) -> Self {
        let home = TempDir::new("tmux-home");
        let socket = home.path().join("tmux.sock");
        Self { tmux, socket, home }
    }

    /// Runs one tmux command (bounded); returns its stdout.
    fn run<S: AsRef<OsStr>>(&self, args: &[S]) -> String {
        let mut cmd = Command::new(&self.tmux);
        cmd.arg("-S").arg(&self.socket).arg("-f").arg("/dev/null");
        cmd.args(args);
        isolate(&mut cmd, self.home.path(), "xterm");
        let mut run = Piped::spawn("tmux", cmd);
        let ok = run.wait_success(STEP);
        assert_eq!(ok, Some(true), "tmux failed:\n{}", run.output());
        run.stdout()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // Ends the server, and with it tintin++ (bounded; the server is in a session of its
        // own, so no process group kill reaches it).
        let mut cmd = Command::new(&self.tmux);
        cmd.arg("-S").arg(&self.socket).arg("kill-server");
        let mut kill = Piped::spawn("tmux kill-server", cmd);
        let _ = kill.wait_success(STEP);
    }
}

/// tintin++ 2.02, a MUD client: names itself `TINTIN++`, then the terminal, then `MTTS <n>`, and
/// takes WILL ECHO for password mode (it would hide what is typed), so our server must not
/// offer ECHO to it.
#[test]
fn tintin_line_round_trip() {
    let Some(tools) = require_all(&["tmux", "/usr/games/tt++"]) else {
        return;
    };
    let server = RoundTripServer::start(ServerOptions::default());
    let tap = Tap::start(server.port);
    let tmux = Tmux::new(tools[0].clone());
    let tintin = format!(
        "{} -G -e '#session s {LOOPBACK} {}'",
        tools[1].display(),
        tap.port
    );
    tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "tt",
        "-x",
        "120",
        "-y",
        "40",
        &tintin,
    ]);
    let wait_screen = |text: &str| {
        let deadline = Instant::now() + STEP;
        loop {
            let screen = tmux.run(&["capture-pane", "-p", "-t", "tt"]);
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "tintin++ never showed {text:?}; screen:\n{screen}\n{}",
                tap.describe()
            );
            thread::sleep(Duration::from_millis(50));
        }
    };
    wait_screen(GREETING);
    tmux.run(&["send-keys", "-t", "tt", TYPED, "Enter"]);
    let screen = wait_screen(REPLY);
    println!("tintin++ screen:\n{}", screen.trim());
    let report = server.report();
    println!("tintin++, as our server saw it: {}", report.describe());
    println!("tintin++ on the wire:\n{}", tap.describe());
    report.assert_line();
    let facts = &report.at_start;
    let describe = facts.describe();
    assert!(
        facts
            .ttypes
            .first()
            .is_some_and(|t| t.to_ascii_uppercase().starts_with("TINTIN")),
        "{describe}"
    );
    assert!(
        facts.ttypes.iter().any(|t| t.starts_with("MTTS")),
        "{describe}"
    );
    assert!(!facts.server_will(telopt::ECHO), "{describe}");
    assert!(
        !report.at_line.server_will(telopt::ECHO),
        "{}",
        report.at_line.describe()
    );
    assert_eq!(facts.mode, Mode::Local, "{describe}");
    assert!(facts.client_will(telopt::NAWS), "{describe}");
    assert_eq!((facts.cols, facts.rows), (120, 40), "{describe}");
    let sent = tap.server_sent();
    assert!(
        has_command(&sent, telopt::DO, telopt::TTYPE),
        "the tap saw our negotiation:\n{}",
        tap.describe()
    );
    assert!(
        !has_command(&sent, telopt::WILL, telopt::ECHO),
        "we sent WILL ECHO to tintin++:\n{}",
        tap.describe()
    );
}
