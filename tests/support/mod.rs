//! A harness for interoperability tests against real telnet peers (servers and clients).
//!
//! The peers are installed by `scripts/install-peers.sh` (which `scripts/test.sh` runs) into
//! `$TELNETLIB3_PEERS`, by default `$HOME/.cache/telnet-peers`; see `/work/shared/PEERS.md` for
//! how each peer is run. A test asks for each tool with [`require`]: when a tool is missing the
//! test is skipped (it returns early after a note on stderr), unless `TELNETLIB3_INTEROP=1`, which
//! `scripts/test.sh` sets, where a missing tool fails the test.
//!
//! Everything here is loopback only (`127.0.0.1`) and every wait is bounded. Peers are started
//! in their own process group and killed, group and all, when their [`Child`] guard drops.
//!
//! ```ignore
//! mod support;
//! use support::{require, Peer};
//!
//! let Some(busybox) = require("bbs/bin/busybox") else { return };
//! let peer = Peer::spawn_listening("busybox telnetd", |port| {
//!     let mut cmd = std::process::Command::new(&busybox);
//!     cmd.args(["telnetd", "-F", "-b", "127.0.0.1", "-p", &port.to_string(), "-l", "/bin/sh"]);
//!     cmd
//! });
//! let port = peer.port;
//! ```

// Each test crate uses a different part of the harness.
#![allow(dead_code)]

/// Helpers for the tests of the crate's binaries (`tests/cli_*.rs`).
pub mod cli;

use std::ffi::OsStr;
use std::fs::File;
use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// The loopback address every peer binds to and every test connects to.
pub const LOOPBACK: &str = "127.0.0.1";

/// How long a peer may take to start listening.
pub const START_TIMEOUT: Duration = Duration::from_secs(10);

/// The bound on one read or one exchange step in a test ("a few seconds", generous for a slow,
/// loaded machine; nothing waits this long when the peer works).
pub const STEP: Duration = Duration::from_secs(5);

/// The environment variable that names the peers directory.
pub const PEERS_ENV: &str = "TELNETLIB3_PEERS";

/// The environment variable that makes missing peers a failure (`"1"`).
pub const INTEROP_ENV: &str = "TELNETLIB3_INTEROP";

/// Where `scripts/install-peers.sh` put the peers: `$TELNETLIB3_PEERS`, else
/// `$HOME/.cache/telnet-peers`.
pub fn peers_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(PEERS_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| "/root".into());
    PathBuf::from(home).join(".cache").join("telnet-peers")
}

/// Whether interop tests must run (`TELNETLIB3_INTEROP=1`): a missing peer then fails the test
/// instead of skipping it.
pub fn interop_required() -> bool {
    std::env::var(INTEROP_ENV).is_ok_and(|v| v == "1")
}

/// Finds `tool` and returns its path:
/// - an absolute path (`/usr/sbin/telnetd`) is taken as it is;
/// - a relative path with a `/` (`bbs/bin/busybox`, `venv/bin/telnetlib3-server`) is looked up
///   in [`peers_dir`];
/// - a bare name (`socat`) is looked up in `PATH`, then `/usr/sbin`, `/sbin` and `/usr/games`.
///
/// When the tool is not there (or not executable): panics if [`interop_required`], else prints
/// `skipping: <tool> not installed (run scripts/test.sh)` to stderr and returns `None`, and the
/// test returns early.
pub fn require(tool: &str) -> Option<PathBuf> {
    if let Some(path) = find_tool(tool) {
        return Some(path);
    }
    if interop_required() {
        panic!(
            "{tool} not installed, and {INTEROP_ENV}=1 makes interop tests mandatory \
             (peers directory: {}; run scripts/install-peers.sh, or scripts/test.sh)",
            peers_dir().display()
        );
    }
    // Straight to stderr, not through eprintln!, which the test harness captures: a skip
    // should be seen without --nocapture.
    let _ = writeln!(
        std::io::stderr(),
        "skipping: {tool} not installed (run scripts/test.sh)"
    );
    None
}

/// [`require`] for several tools at once: all their paths, in order, or `None` when one is
/// missing (each missing one is reported).
pub fn require_all(tools: &[&str]) -> Option<Vec<PathBuf>> {
    let found: Vec<Option<PathBuf>> = tools.iter().map(|tool| require(tool)).collect();
    found.into_iter().collect()
}

fn find_tool(tool: &str) -> Option<PathBuf> {
    let path = Path::new(tool);
    if path.is_absolute() {
        return Some(path.to_path_buf()).filter(|p| is_executable(p));
    }
    if tool.contains('/') {
        return Some(peers_dir().join(path)).filter(|p| is_executable(p));
    }
    let from_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    from_path
        .into_iter()
        .chain(["/usr/sbin", "/sbin", "/usr/games"].map(PathBuf::from))
        .map(|dir| dir.join(tool))
        .find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// A port that was free a moment ago on 127.0.0.1 (bound to port 0, read, released). Another
/// process may take it before the peer binds it; [`Peer::spawn_listening`] retries for that.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local_addr").port()
}

/// Polls until something accepts TCP connections on 127.0.0.1:`port`, for at most `timeout`.
/// Returns whether it did. (The probe connects and closes at once, which a telnet server sees as
/// a client that hung up.)
pub fn wait_listening(port: u16, timeout: Duration) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let deadline = Instant::now() + timeout;
    loop {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(25));
    }
}

/// A fresh, uniquely named directory under the system temp dir, removed on drop.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates `$TMPDIR/telnetlib3-<tag>-<pid>-<n>-<nanos>`.
    pub fn new(tag: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "telnetlib3-{tag}-{}-{n}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&path).expect("create temp dir");
        Self { path }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A self-signed certificate for `localhost` and `127.0.0.1`, as PEM files in a temp dir (removed
/// when this drops).
#[derive(Debug)]
pub struct TestCert {
    /// The certificate, PEM (also usable as the CA file: it is self-signed).
    pub cert: PathBuf,
    /// The private key, PEM.
    pub key: PathBuf,
    dir: TempDir,
}

impl TestCert {
    /// Generates the certificate and key with rcgen.
    pub fn generate() -> Self {
        let dir = TempDir::new("cert");
        let generated = rcgen::generate_simple_self_signed(vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
        ])
        .expect("generate a self-signed certificate");
        let cert = dir.path().join("cert.pem");
        let key = dir.path().join("key.pem");
        std::fs::write(&cert, generated.cert.pem()).expect("write cert.pem");
        std::fs::write(&key, generated.key_pair.serialize_pem()).expect("write key.pem");
        Self { cert, key, dir }
    }

    /// The directory holding both files.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// A spawned process, killed with its whole process group and reaped on drop. Its stdout and
/// stderr go to a log file, for [`Child::log`] when a test fails.
///
/// The process is reaped only by [`Child::kill`] (or drop), so that its pid, which is also its
/// process group's id, cannot be reused by an unrelated process before the group is killed.
#[derive(Debug)]
pub struct Child {
    name: String,
    child: std::process::Child,
    reaped: bool,
    log: PathBuf,
    _dir: TempDir,
}

impl Child {
    /// Spawns `cmd` in a new process group (`process_group(0)`), stdin from /dev/null, stdout
    /// and stderr to a log file. `name` is for messages.
    pub fn spawn(name: &str, mut cmd: Command) -> Self {
        let dir = TempDir::new("peer");
        let log = dir.path().join("output.log");
        let out = File::create(&log).expect("create peer log");
        let err = out.try_clone().expect("clone peer log");
        cmd.stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .process_group(0);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name} ({cmd:?}): {e}"));
        Self {
            name: name.to_owned(),
            child,
            reaped: false,
            log,
            _dir: dir,
        }
    }

    /// The name given to [`Child::spawn`].
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The process id (also its process group id).
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process is still running (a zombie is not). Reads `/proc/<pid>/stat`
    /// without reaping; where there is no procfs, falls back to reaping with `try_wait`.
    pub fn is_running(&mut self) -> bool {
        if self.reaped {
            return false;
        }
        if let Ok(stat) = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())) {
            // The state is the first field after the command name, which is in parentheses.
            let state = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next());
            return !matches!(state, Some("Z" | "X") | None);
        }
        match self.child.try_wait() {
            Ok(None) => true,
            Ok(Some(_)) | Err(_) => {
                self.reaped = true;
                false
            }
        }
    }

    /// Everything the process wrote to stdout and stderr so far.
    pub fn log(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.log).unwrap_or_default()).into_owned()
    }

    /// Waits (at most `timeout`) for the process to exit by itself; returns whether it did.
    pub fn wait_exit(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.is_running() {
            if Instant::now() >= deadline {
                return false;
            }
            thread::sleep(Duration::from_millis(20));
        }
        true
    }

    /// Waits (at most `timeout`) for the process to exit by itself; then kills what is left of
    /// its process group, reaps it and returns its exit status. `None` when it is still running
    /// (it is left running) or was reaped before without a status.
    pub fn wait_status(&mut self, timeout: Duration) -> Option<ExitStatus> {
        if !self.wait_exit(timeout) {
            return None;
        }
        self.kill();
        // Reaped by now: std keeps the status.
        self.child.try_wait().ok().flatten()
    }

    /// Kills the process group (whatever the peer forked, unless it moved to a session of its
    /// own) and the process, and reaps the process. Idempotent.
    pub fn kill(&mut self) {
        if self.reaped {
            return;
        }
        // Not reaped yet, so the group id is still ours even if the leader already exited.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.reaped = true;
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A peer server listening on 127.0.0.1:`port`.
#[derive(Debug)]
pub struct Peer {
    /// The port it listens on.
    pub port: u16,
    /// The process.
    pub child: Child,
}

impl Peer {
    /// Starts a server with `make(port)` on a free port and waits until it accepts connections.
    /// If the process exits first (the port was taken meanwhile), tries again on another port
    /// (3 attempts). Panics, with the peer's output, when it never listens.
    pub fn spawn_listening(name: &str, mut make: impl FnMut(u16) -> Command) -> Self {
        let mut failures = String::new();
        for _attempt in 0..3 {
            let port = free_port();
            let mut child = Child::spawn(name, make(port));
            let deadline = Instant::now() + START_TIMEOUT;
            loop {
                // Something listens, and it is our process unless that died (another process
                // took the port first).
                if wait_listening(port, Duration::from_millis(200)) && child.is_running() {
                    return Self { port, child };
                }
                if !child.is_running() {
                    failures.push_str(&format!(
                        "--- {name} on port {port} exited:\n{}\n",
                        child.log()
                    ));
                    break;
                }
                if Instant::now() >= deadline {
                    child.kill();
                    panic!(
                        "{name} did not listen on 127.0.0.1:{port} within {START_TIMEOUT:?}; \
                         output:\n{}",
                        child.log()
                    );
                }
            }
        }
        panic!("{name} could not be started:\n{failures}");
    }

    /// The peer's output so far.
    pub fn log(&self) -> String {
        self.child.log()
    }

    /// The name given to [`Peer::spawn_listening`].
    pub fn name(&self) -> &str {
        self.child.name()
    }
}

/// A `Command` for `program` with `args` (a shorthand).
pub fn command<I, S>(program: impl AsRef<OsStr>, args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(program);
    cmd.args(args);
    cmd
}

/// `socat -x` between a test and a peer: listens on a free port of 127.0.0.1 and forwards one
/// connection to 127.0.0.1:`target`, hexdumping both directions into its log (read with
/// [`Peer::log`] after the exchange, for debugging). `None` when socat is missing (see
/// [`require`]).
pub fn wire_tap(target: u16) -> Option<Peer> {
    let socat = require("socat")?;
    Some(Peer::spawn_listening("socat -x", |port| {
        command(
            &socat,
            [
                "-x".to_owned(),
                format!("TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork"),
                format!("TCP:127.0.0.1:{target}"),
            ],
        )
    }))
}

/// Writes `contents` to an executable file `name` in `dir` (for small wrapper scripts).
pub fn write_script(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let path = dir.join(name);
    let mut file = File::create(&path).expect("create script");
    file.write_all(contents.as_bytes()).expect("write script");
    drop(file);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod script");
    path
}

/// Collects text from `read` (called with the time left) until `done` holds for everything read
/// so far, for at most `timeout`. Returns the text, or an error
/// message with what was read when time runs out or `read` fails.
pub fn read_while<E: std::fmt::Debug>(
    mut read: impl FnMut(Duration) -> Result<String, E>,
    mut done: impl FnMut(&str) -> bool,
    timeout: Duration,
) -> Result<String, String> {
    let deadline = Instant::now() + timeout;
    let mut text = String::new();
    while !done(&text) {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(format!(
                "timed out after {timeout:?}; read so far: {text:?}"
            ));
        }
        match read(left) {
            Ok(more) => text.push_str(&more),
            Err(err) => return Err(format!("{err:?}; read so far: {text:?}")),
        }
    }
    Ok(text)
}

/// A private tmux server (its own socket) with one session "cli" running `sh`, killed on drop:
/// a real terminal for interactive tests.
pub struct Tmux {
    socket: String,
    session: String,
    tmux: PathBuf,
}

impl Tmux {
    /// A tmux server on its own socket (`telnetlib3-TAG-PID`) with a `cols` x `rows` session
    /// running `sh`, or `None` (after [`require`]'s note) when tmux is not installed.
    pub fn start(tag: &str, cols: u16, rows: u16) -> Option<Tmux> {
        let tmux = Tmux {
            tmux: require("tmux")?,
            socket: format!("telnetlib3-{tag}-{}", std::process::id()),
            session: "cli".to_owned(),
        };
        let (cols, rows) = (cols.to_string(), rows.to_string());
        let started = tmux.cmd(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "cli",
            "-x",
            &cols,
            "-y",
            &rows,
            "sh",
        ]);
        assert!(started.status.success(), "{started:?}");
        Some(tmux)
    }

    /// Runs `tmux ARGS` against this server.
    pub fn cmd(&self, args: &[&str]) -> std::process::Output {
        // -u: UTF-8 whatever the locale, so wide characters are wide (the robot check).
        Command::new(&self.tmux)
            .arg("-u")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux")
    }

    /// The text on the pane now.
    pub fn capture(&self) -> String {
        let out = self.cmd(&["capture-pane", "-p", "-t", &self.session]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the pane shows `text` (bounded: 15 s) and returns the screen.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(text, |screen| screen.contains(text))
    }

    /// Waits until `check` holds for the pane's text (bounded: 15 s; `what` names it in the
    /// failure) and returns the screen.
    pub fn wait_until(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let screen = self.capture();
            if check(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "pane never showed {what:?}:\n{screen}"
            );
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Types `keys` (tmux `send-keys` names: `Enter`, `C-]`, or literal text).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session.as_str()];
        args.extend_from_slice(keys);
        assert!(self.cmd(&args).status.success());
    }

    /// Resizes the window; programs in it get SIGWINCH.
    pub fn resize(&self, cols: u16, rows: u16) {
        let (cols, rows) = (cols.to_string(), rows.to_string());
        let out = self.cmd(&[
            "resize-window",
            "-t",
            &self.session,
            "-x",
            &cols,
            "-y",
            &rows,
        ]);
        assert!(out.status.success(), "{out:?}");
    }

    /// `stty -a` of the pane's terminal now.
    pub fn stty(&self) -> String {
        let tty = self.cmd(&["display-message", "-p", "-t", &self.session, "#{pane_tty}"]);
        let tty = String::from_utf8_lossy(&tty.stdout).trim().to_owned();
        let out = Command::new("stty")
            .args(["-a", "-F", &tty])
            .output()
            .expect("run stty");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

/// The library's server on a free port of 127.0.0.1, serving `handler` from a thread of its
/// own: the server, its port, and that thread (it ends after `shutdown`).
pub fn start_server(
    options: telnetlib3::ServerOptions,
    handler: impl Fn(telnetlib3::ServerConnection) + Send + Sync + 'static,
) -> (
    telnetlib3::BlockingTelnetServer,
    u16,
    thread::JoinHandle<()>,
) {
    let server = telnetlib3::BlockingTelnetServer::with_options("127.0.0.1", 0, options, handler);
    let port = server.start().unwrap().port();
    let runner = server.clone();
    let handle = thread::spawn(move || runner.serve_forever().unwrap());
    (server, port, handle)
}
