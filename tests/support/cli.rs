//! Helpers for the tests of the two binaries, `telnetlib3-server` and `telnetlib3-client`
//! (`tests/cli_*.rs`):
//!
//! - [`ServerProcess`]: the server binary listening on 127.0.0.1, killed when dropped;
//! - [`serve`] (with [`quick`] options) and [`reporter`]: the library's own server in this
//!   process, shut down when dropped, for the client binary to talk to;
//! - [`Process`], [`run`] and [`Outcome`]: either binary run to its end with its output
//!   collected;
//! - [`raw_server`]: a bare TCP server that records the bytes a client sends;
//! - [`until`], [`read_to_eof`] (and their text versions): reads with the library's client;
//! - [`wait_for_file`], [`wait_file`] and [`PaneRun`]: what a command in a tmux pane leaves
//!   behind in files.
//!
//! Everything is loopback only (127.0.0.1) and every wait is bounded.

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, ExitStatus, Stdio};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use telnetlib3::{
    BlockingTelnetServer, ConnectOptions, Error, ServerConnection, ServerOptions, TelnetConnection,
};

use super::{free_port, Child, Peer, TempDir, TestCert};

/// The server binary.
pub const SERVER: &str = env!("CARGO_BIN_EXE_telnetlib3-server");

/// The client binary.
pub const CLIENT: &str = env!("CARGO_BIN_EXE_telnetlib3-client");

/// The bound on one read through [`until`] and on [`read_to_eof`].
pub const WAIT: Duration = Duration::from_secs(10);

/// The bound on [`wait_file`] and [`wait_for_file`].
pub const FILE_WAIT: Duration = Duration::from_secs(15);

// ---------------------------------------------------------------------------------------------
// The server binary

/// `telnetlib3-server ARGS` (nothing added).
pub fn server_cmd(args: &[&str]) -> Command {
    let mut cmd = Command::new(SERVER);
    cmd.args(args);
    cmd
}

/// `telnetlib3-client ARGS` (nothing added).
pub fn client_cmd(args: &[&str]) -> Command {
    let mut cmd = Command::new(CLIENT);
    cmd.args(args);
    cmd
}

/// A `telnetlib3-server` process listening on 127.0.0.1:`port`, killed (with its process
/// group) when dropped. Its stdout and stderr go to a log, [`ServerProcess::output`].
#[derive(Debug)]
pub struct ServerProcess {
    /// The port it listens on.
    pub port: u16,
    /// The process.
    pub child: Child,
}

impl ServerProcess {
    /// `telnetlib3-server 127.0.0.1 PORT [--loglevel warn] ARGS`: `--loglevel warn` unless
    /// `args` name a level before a `--` (after which they are the `--pty-exec` program's).
    pub fn command(port: u16, args: &[&str]) -> Command {
        let mut cmd = Command::new(SERVER);
        cmd.arg("127.0.0.1").arg(port.to_string());
        let mut own = args.iter().take_while(|a| **a != "--");
        if !own.any(|a| a.starts_with("--loglevel")) {
            cmd.args(["--loglevel", "warn"]);
        }
        cmd.args(args);
        cmd
    }

    /// Starts the server with `args` (see [`ServerProcess::command`]) on a free port and waits
    /// until it accepts connections. The server sees the probe connections of that wait come
    /// and go.
    pub fn start(args: &[&str]) -> Self {
        Self::start_with(args, |_| {})
    }

    /// [`ServerProcess::start`], with `adjust` applied to the command first (an environment,
    /// say).
    pub fn start_with(args: &[&str], adjust: impl Fn(&mut Command)) -> Self {
        let Peer { port, child } = Peer::spawn_listening("telnetlib3-server", |port| {
            let mut cmd = Self::command(port, args);
            adjust(&mut cmd);
            cmd
        });
        Self { port, child }
    }

    /// Starts the server with `args`, which must log at info level (or finer) to `logfile`,
    /// and waits until the log says it listens: no probe connection, so the only clients the
    /// server ever sees are the test's.
    pub fn start_logged(args: &[&str], logfile: &Path) -> Self {
        let mut failures = String::new();
        for _attempt in 0..3 {
            let port = free_port();
            let mut child = Child::spawn("telnetlib3-server", Self::command(port, args));
            let listening = format!("listening on 127.0.0.1:{port}");
            let deadline = Instant::now() + WAIT;
            loop {
                if read_file(logfile).contains(&listening) {
                    return Self { port, child };
                }
                if !child.is_running() {
                    // The port was taken meanwhile: try another.
                    failures.push_str(&format!("port {port}: {}\n", child.log()));
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "no {listening:?} in the log within {WAIT:?}; log: {:?}; output: {}",
                    read_file(logfile),
                    child.log()
                );
                thread::sleep(Duration::from_millis(20));
            }
        }
        panic!("the server could not be started:\n{failures}");
    }

    /// What the process wrote to stdout and stderr so far.
    pub fn output(&self) -> String {
        self.child.log()
    }

    /// A library client connected to it with the default options.
    pub fn connect(&self) -> TelnetConnection {
        TelnetConnection::connect("127.0.0.1", self.port).expect("connect")
    }

    /// A library client connected to it with `options`.
    pub fn connect_with(&self, options: ConnectOptions) -> TelnetConnection {
        TelnetConnection::connect_with("127.0.0.1", self.port, options).expect("connect")
    }

    /// Waits (at most `timeout`) for the process to exit by itself: its exit status, or `None`
    /// when it is still running.
    pub fn wait_status(&mut self, timeout: Duration) -> Option<ExitStatus> {
        self.child.wait_status(timeout)
    }
}

// ---------------------------------------------------------------------------------------------
// The library's server, in this process

/// The library's server on 127.0.0.1, shut down when dropped.
pub struct LibServer {
    server: BlockingTelnetServer,
    /// The port it listens on.
    pub port: u16,
}

impl Drop for LibServer {
    fn drop(&mut self) {
        self.server.shutdown();
    }
}

/// Server options that do not keep a client waiting: negotiation for at most 2 s, no idle
/// timeout.
pub fn quick() -> ServerOptions {
    ServerOptions::default()
        .connect_maxwait(Duration::from_secs(2))
        .timeout(None)
}

/// Serves `handler` on a free port of 127.0.0.1 from a thread of its own.
pub fn serve(
    options: ServerOptions,
    handler: impl Fn(ServerConnection) + Send + Sync + 'static,
) -> LibServer {
    let server = BlockingTelnetServer::with_options("127.0.0.1", 0, options, handler);
    let port = server.start().unwrap().port();
    let runner = server.clone();
    thread::spawn(move || {
        let _ = runner.serve_forever();
    });
    LibServer { server, port }
}

/// A [`quick`] server that writes `report(conn)` and a CR LF to each client and closes.
pub fn reporter(report: impl Fn(&ServerConnection) -> String + Send + Sync + 'static) -> LibServer {
    serve(quick(), move |conn| {
        let text = report(&conn);
        let _ = conn.write(&format!("{text}\r\n"));
    })
}

/// A [`quick`] server over TLS with `cert` that writes `tls=<its "tls" extra info>` and closes.
pub fn tls_reporter(cert: &TestCert) -> LibServer {
    serve(quick().tls(&cert.cert, &cert.key), |conn| {
        let _ = conn.write(&format!(
            "tls={}\r\n",
            conn.get_extra_info("tls").unwrap_or_default()
        ));
    })
}

// ---------------------------------------------------------------------------------------------
// Either binary, run to its end

/// How a process ended, and everything it wrote.
#[derive(Debug)]
pub struct Outcome {
    /// The exit code (`None`: killed by a signal).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// A process with its stdin piped and its stdout and stderr collected by threads; killed when
/// dropped.
pub struct Process {
    name: String,
    child: std::process::Child,
    stdout: Option<JoinHandle<Vec<u8>>>,
    stderr: Option<JoinHandle<Vec<u8>>>,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn collect(mut from: impl std::io::Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut out = Vec::new();
        let _ = from.read_to_end(&mut out);
        out
    })
}

impl Process {
    /// Spawns `cmd` with stdin, stdout and stderr piped; returns it and its stdin.
    pub fn spawn(mut cmd: Command) -> (Self, ChildStdin) {
        let name = format!("{:?}", cmd.get_program());
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let stdin = child.stdin.take().unwrap();
        let stdout = collect(child.stdout.take().unwrap());
        let stderr = collect(child.stderr.take().unwrap());
        let process = Self {
            name,
            child,
            stdout: Some(stdout),
            stderr: Some(stderr),
        };
        (process, stdin)
    }

    /// Spawns `cmd` with `input` on its stdin, then closed.
    pub fn start(cmd: Command, input: &[u8]) -> Self {
        let (process, mut stdin) = Self::spawn(cmd);
        let _ = stdin.write_all(input);
        process
    }

    /// Waits for the process to exit: at most `limit`, then it is killed and the test fails.
    pub fn finish(mut self, limit: Duration) -> Outcome {
        let deadline = Instant::now() + limit;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                let (stdout, stderr) = self.output();
                panic!(
                    "{} still running after {limit:?}; stdout {stdout:?}, stderr {stderr:?}",
                    self.name
                );
            }
            thread::sleep(Duration::from_millis(20));
        };
        let (stdout, stderr) = self.output();
        Outcome {
            code: status.code(),
            stdout,
            stderr,
        }
    }

    /// Its stdout and stderr, once it has exited.
    fn output(&mut self) -> (String, String) {
        let text = |handle: Option<JoinHandle<Vec<u8>>>| {
            let bytes = handle.unwrap().join().unwrap();
            String::from_utf8_lossy(&bytes).into_owned()
        };
        (text(self.stdout.take()), text(self.stderr.take()))
    }
}

/// Runs `cmd` with `input` on its stdin (then closed) and waits for it, at most `limit`.
pub fn run(cmd: Command, input: &[u8], limit: Duration) -> Outcome {
    Process::start(cmd, input).finish(limit)
}

// ---------------------------------------------------------------------------------------------
// A raw TCP server

/// What a [`raw_server`] got.
pub struct Recorded {
    /// Every byte the client sent.
    pub bytes: Vec<u8>,
    /// When `until` showed up in them.
    pub at: Option<Instant>,
}

/// A [`raw_server`] running.
pub struct RawServer {
    /// The port it listens on.
    pub port: u16,
    handle: JoinHandle<Recorded>,
}

impl RawServer {
    /// What it recorded, once it is done.
    pub fn finish(self) -> Recorded {
        self.handle.join().unwrap()
    }
}

/// A raw TCP server on 127.0.0.1 for one client: sends `greeting`, records what the client
/// sends until `until` shows up in it (never, with `None`), the client closes or `listen`
/// passes, then writes `reply` and closes.
pub fn raw_server(
    greeting: &'static [u8],
    until: Option<&'static [u8]>,
    listen: Duration,
    reply: &'static [u8],
) -> RawServer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let _ = stream.write_all(greeting);
        let deadline = Instant::now() + listen;
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
                    if until.is_some_and(|until| contains(&recorded.bytes, until)) {
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
    RawServer { port, handle }
}

/// Where `needle` first stands in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Whether `needle` stands in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle).is_some()
}

// ---------------------------------------------------------------------------------------------
// Reads with the library's client

/// Reads through `pattern` in bytes (at most [`WAIT`]); returns them as text (lossy UTF-8).
pub fn until(conn: &TelnetConnection, pattern: impl AsRef<[u8]>) -> String {
    let pattern = pattern.as_ref();
    let bytes = conn
        .read_until_bytes(pattern, Some(WAIT))
        .unwrap_or_else(|err| panic!("waiting for {:?}: {err}", String::from_utf8_lossy(pattern)));
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Reads through `pattern` as text, in the connection's encoding (at most [`WAIT`]).
pub fn until_text(conn: &TelnetConnection, pattern: &str) -> String {
    conn.read_until(pattern, Some(WAIT))
        .unwrap_or_else(|err| panic!("no {pattern:?}: {err}"))
}

/// Everything `read` returns until the server hangs up (at most [`WAIT`]).
fn to_eof<T: AsRef<[u8]>>(
    mut read: impl FnMut(Option<Duration>) -> telnetlib3::Result<T>,
) -> Vec<u8> {
    let deadline = Instant::now() + WAIT;
    let mut all = Vec::new();
    loop {
        match read(Some(Duration::from_secs(1))) {
            Ok(more) => all.extend_from_slice(more.as_ref()),
            Err(Error::Eof | Error::Closed) => return all,
            Err(Error::Timeout) => {}
            Err(err) => panic!(
                "read failed: {err} after {:?}",
                String::from_utf8_lossy(&all)
            ),
        }
        assert!(
            Instant::now() < deadline,
            "the server never closed; got {:?}",
            String::from_utf8_lossy(&all)
        );
    }
}

/// Everything until the server hangs up, read in bytes (at most [`WAIT`]), as text (lossy
/// UTF-8).
pub fn read_to_eof(conn: &TelnetConnection) -> String {
    String::from_utf8_lossy(&to_eof(|wait| conn.read_some_bytes(wait))).into_owned()
}

/// Everything until the server hangs up, read as text in the connection's encoding (at most
/// [`WAIT`]).
pub fn read_text_to_eof(conn: &TelnetConnection) -> String {
    String::from_utf8(to_eof(|wait| conn.read_some(wait))).expect("text reads are UTF-8")
}

// ---------------------------------------------------------------------------------------------
// Files

/// The file's text so far (empty when it does not exist yet).
pub fn read_file(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned()
}

/// Polls `path` until `done` holds for its text (at most [`FILE_WAIT`]; `what` names it in the
/// failure); returns the text.
pub fn wait_file(path: &Path, what: &str, done: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + FILE_WAIT;
    loop {
        let text = read_file(path);
        if done(&text) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "{} never showed {what} within {FILE_WAIT:?}:\n{text}",
            path.display()
        );
        thread::sleep(Duration::from_millis(20));
    }
}

/// Waits until `path` holds whole lines (it ends with a newline); returns its text.
pub fn wait_for_file(path: &Path) -> String {
    wait_file(path, "a whole line", |text| text.ends_with('\n'))
}

/// A command line for the shell in a tmux pane ([`Tmux`](super::Tmux)) that runs `command` and
/// leaves, in files of its own temp dir, its exit status and, made with
/// [`PaneRun::with_stty`], the terminal's settings before and after it.
pub struct PaneRun {
    dir: TempDir,
    line: String,
}

impl PaneRun {
    /// `COMMAND; echo $? > status`.
    pub fn new(tag: &str, command: &str) -> Self {
        let dir = TempDir::new(tag);
        let status = dir.path().join("status");
        let line = format!("{command}; echo $? > {}", status.display());
        Self { dir, line }
    }

    /// `stty STTY > before; COMMAND; echo $? > status; stty STTY > after` (`after` written
    /// whole: through a rename). `stty -a` shows the window size too, `stty -g` only the modes.
    pub fn with_stty(tag: &str, stty: &str, command: &str) -> Self {
        let dir = TempDir::new(tag);
        let file = |name: &str| dir.path().join(name).display().to_string();
        let line = format!(
            "stty {stty} > {before}; {command}; echo $? > {status}; \
             stty {stty} > {partial} && mv {partial} {after}",
            before = file("before"),
            status = file("status"),
            partial = file("after.partial"),
            after = file("after"),
        );
        Self { dir, line }
    }

    /// The command line to type.
    pub fn line(&self) -> &str {
        &self.line
    }

    /// Waits for the command to end (at most [`FILE_WAIT`]): its exit status.
    pub fn exit_code(&self) -> i32 {
        let status = wait_for_file(&self.file("status"));
        status
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("exit status {status:?}"))
    }

    /// Waits for the command to end and the terminal settings after it (at most
    /// [`FILE_WAIT`]): the settings before it and after it.
    pub fn stty_before_after(&self) -> (String, String) {
        let after = wait_for_file(&self.file("after"));
        (wait_for_file(&self.file("before")), after)
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}
