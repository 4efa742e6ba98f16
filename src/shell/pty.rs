//! [`PtyShell`]: a program on a PTY for each client (`telnetlib3-server --pty-exec`).

use std::ffi::{OsStr, OsString};
use std::io;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use crate::connection::Events;
use crate::protocol::nvt::TerminalInput;
use crate::protocol::Event;
use crate::pty::{Pty, PtyCommand};
use crate::telopt::ECHO;
use crate::{Error, ServerConnection};

/// How long one write to a program that is not reading its terminal waits before the session
/// checks whether the client is still there.
const STALLED_WRITE: Duration = Duration::from_secs(1);
/// How long a program that ended may take to have its last output read and sent.
const DRAIN: Duration = Duration::from_secs(1);
/// How long a program gets to end after each signal when the client leaves.
const GRACE: Duration = Duration::from_millis(100);

/// Runs a program on a PTY for each client, as telnetlib3's `make_pty_shell` does: what the
/// client types goes to the program, what the program writes goes to the client, and the
/// client's window size follows it.
///
/// ```no_run
/// use telnetlib3::shell::PtyShell;
/// use telnetlib3::{BlockingTelnetServer, ServerOptions};
///
/// let bash = PtyShell::new("/bin/bash").args(["--login"]);
/// // The PTY echoes: the server's own echo of input is off. Telnet's IP becomes ^C.
/// let options = ServerOptions::default().echo(false).command_keys(true);
/// let server = BlockingTelnetServer::with_options("127.0.0.1", 6023, options, move |conn| {
///     bash.run(&conn)
/// });
/// server.serve_forever()?;
/// # Ok::<(), telnetlib3::Error>(())
/// ```
///
/// # The program's environment
/// This process's environment, with, from the negotiation:
/// - `TERM`: the client's terminal type in lower case (terminfo names are), `xterm` when it
///   named none;
/// - `LINES` and `COLUMNS`: the window size (NAWS), also the PTY's size;
/// - `LANG` and `LC_ALL`: the client's `LANG` (NEW_ENVIRON), else `en_US.<charset>` from the
///   CHARSET agreed;
/// - `USER`, `LOGNAME`, `DISPLAY` (NEW_ENVIRON, or XDISPLOC for `DISPLAY`) and `COLORTERM`
///   when the client sent them. Other variables the client sends are not passed on (telnetlib3
///   also passes the client's `HOME` and `SHELL`).
///
/// # Terminal modes
/// - Raw (the default): the PTY neither echoes nor edits lines (no `ECHO`, no `ICANON`), as
///   in telnetlib3. Programs that drive the terminal themselves (shells with line editing,
///   curses programs) echo what they want, and answers the client's terminal sends on its own
///   (cursor position reports) are not echoed back. Programs that read plain lines (`cat`,
///   `read`, `dash`) get no echo: serve those [`cooked`](Self::cooked).
/// - Cooked (`telnetlib3-server --line-mode`): the PTY edits lines, and echoes only when the
///   server performs ECHO, so a client in line mode, which echoes locally, does not see its
///   input twice (telnetlib3 leaves the PTY's echo on there).
///
/// Input line ends (CR LF, CR NUL) reach the program as one CR, which the terminal turns into
/// a newline; every other byte passes unchanged, in whatever encoding the client uses (set
/// `LANG` to match). telnetlib3 also rewrites DEL as BS. With
/// [`ServerOptions::command_keys`](crate::ServerOptions::command_keys), a client's IP or BRK
/// reaches the program as `^C` (an interrupt, in the terminal's default modes), and so on.
///
/// # Ending
/// When the program ends, its last output is sent and the client disconnected. When the
/// client leaves, the program's process group gets `SIGHUP` (as on a terminal hang-up), then
/// `SIGTERM`, then `SIGKILL`, and the program is reaped: no zombies stay behind.
#[derive(Debug, Clone)]
pub struct PtyShell {
    program: OsString,
    args: Vec<OsString>,
    cooked: bool,
}

impl PtyShell {
    /// A shell running `program` (looked up in `PATH` when it has no `/`), raw.
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        Self {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            cooked: false,
        }
    }

    /// Sets the program's arguments.
    #[must_use]
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        self
    }

    /// Cooked terminal modes instead of raw ones (see [Terminal modes](#terminal-modes)).
    #[must_use]
    pub fn cooked(mut self, cooked: bool) -> Self {
        self.cooked = cooked;
        self
    }

    /// The command [`run`](Self::run) starts for `conn`: the program with the environment,
    /// window size and terminal modes from `conn`'s negotiation.
    #[must_use]
    pub fn command(&self, conn: &ServerConnection) -> PtyCommand {
        let (rows, cols) = (conn.rows(), conn.columns());
        let mut command = PtyCommand::new(&self.program)
            .args(&self.args)
            .size(rows, cols)
            .env("LINES", rows.to_string())
            .env("COLUMNS", cols.to_string());
        let negotiated = conn.with_negotiator(|neg| {
            let info = neg.info();
            (info.term.clone(), info.encoding().map(str::to_owned))
        });
        let (term, charset) = negotiated.unwrap_or((None, None));
        let term = term
            .filter(|t| !t.is_empty())
            .map_or_else(|| "xterm".to_owned(), |t| t.to_ascii_lowercase());
        command = command.env("TERM", term);
        let usable = |value: &String| !value.is_empty() && !value.contains('\0');
        let lang = conn
            .get_extra_info("LANG")
            .filter(usable)
            .or_else(|| charset.map(|c| format!("en_US.{c}")));
        let utf8 = lang
            .as_deref()
            .map_or_else(lang_is_utf8_by_default, names_utf8);
        if let Some(lang) = lang {
            command = command.env("LANG", &lang).env("LC_ALL", &lang);
        }
        for key in ["USER", "LOGNAME", "DISPLAY", "COLORTERM"] {
            let value = conn.get_extra_info(key).filter(usable).or_else(|| {
                (key == "DISPLAY")
                    .then(|| conn.get_extra_info("xdisploc"))
                    .flatten()
                    .filter(usable)
            });
            if let Some(value) = value {
                command = command.env(key, value);
            }
        }
        let echo = self.cooked && conn.local_enabled(ECHO);
        command.echo(echo).canonical(self.cooked).utf8(utf8)
    }

    /// Runs the program for `conn` until it ends or the client leaves, then disconnects the
    /// client. When the program cannot start, the client is told why.
    pub fn run(&self, conn: &ServerConnection) {
        let peer = conn
            .peer_addr()
            .map_or_else(|| "client".to_owned(), |a| a.to_string());
        if !conn.active() {
            // Gone before the program could start: nothing it wrote could reach the client.
            log::debug!("{peer}: left before the program started");
            return;
        }
        // The PTY echoes (or the program does): the server's line discipline stays out.
        conn.set_line_discipline(false);
        let pty = match self.command(conn).spawn() {
            Ok(pty) => Arc::new(pty),
            Err(err) => {
                log::error!(
                    "{peer}: cannot run {}: {err}",
                    self.program.to_string_lossy()
                );
                let _ = conn.write_bytes(
                    format!(
                        "\r\nCannot run {}: {err}\r\n",
                        self.program.to_string_lossy()
                    )
                    .as_bytes(),
                );
                conn.close();
                return;
            }
        };
        log::info!(
            "{peer}: started {} (pid {})",
            self.program.to_string_lossy(),
            pty.pid()
        );
        // Disconnected once the output thread ended.
        let (output_alive, output_done) = mpsc::channel::<()>();
        let threads = [
            spawn("pty output", 128 * 1024, {
                let (pty, conn) = (Arc::clone(&pty), conn.clone());
                move || {
                    let _alive = output_alive;
                    forward_output(&pty, &conn);
                }
            }),
            spawn("pty exit", 64 * 1024, {
                let (pty, conn) = (Arc::clone(&pty), conn.clone());
                move || close_when_program_ends(&pty, &conn, &output_done)
            }),
            // The stream starts with the events kept from negotiation: an early size is
            // applied again, which changes nothing.
            spawn("pty resize", 64 * 1024, {
                let (pty, events) = (Arc::clone(&pty), conn.events());
                move || follow_window_size(&pty, events)
            }),
        ];
        if threads.iter().any(Option::is_none) {
            log::error!("{peer}: cannot start the threads of a PTY session");
        } else {
            forward_input(&pty, conn);
        }
        // The client left, or the program ended (and its session closed the connection).
        conn.close();
        if let Err(err) = pty.terminate(GRACE) {
            log::warn!("{peer}: cannot end pid {}: {err}", pty.pid());
        }
        // The terminal hung up (output ends), the program was reaped (the exit wait ends),
        // the connection is closed (its event stream ends).
        for handle in threads.into_iter().flatten() {
            let _ = handle.join();
        }
        match pty.try_wait() {
            Ok(Some(status)) => log::info!("{peer}: pid {} ended: {status}", pty.pid()),
            Ok(None) => log::warn!("{peer}: pid {} still runs", pty.pid()),
            Err(err) => log::warn!("{peer}: pid {}: {err}", pty.pid()),
        }
    }
}

/// Starts one thread of a PTY session; `None` (logged) when the system refuses it.
fn spawn(
    name: &str,
    stack: usize,
    body: impl FnOnce() + Send + 'static,
) -> Option<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name(name.to_owned())
        .stack_size(stack)
        .spawn(body)
        .map_err(|err| log::error!("cannot start a {name} thread: {err}"))
        .ok()
}

/// Waits for the program to end, gives its last output [`DRAIN`] to reach the client (the
/// output thread ends when the terminal hangs up), then closes the connection, which ends the
/// session's wait for client input.
fn close_when_program_ends(pty: &Pty, conn: &ServerConnection, output: &mpsc::Receiver<()>) {
    if let Err(err) = pty.wait() {
        log::debug!("pty {}: wait failed: {err}", pty.pid());
    }
    let _ = output.recv_timeout(DRAIN);
    conn.close();
}

/// Whether this process's locale is UTF-8, for `IUTF8` when the client says nothing.
fn lang_is_utf8_by_default() -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .is_some_and(|v| names_utf8(&v))
}

/// Whether a locale name (`en_US.UTF-8`, `C.utf8`) is a UTF-8 one.
fn names_utf8(locale: &str) -> bool {
    let locale = locale.to_ascii_lowercase();
    locale.contains("utf-8") || locale.contains("utf8")
}

/// Resizes the PTY as the client's window changes (NAWS), as each change arrives, until the
/// connection ends. The kernel tells the program with `SIGWINCH`.
fn follow_window_size(pty: &Pty, mut events: Events) {
    loop {
        match events.recv(None) {
            Ok(Event::WindowSize { cols, rows }) => {
                log::debug!("pty {}: window {cols}x{rows}", pty.pid());
                if let Err(err) = pty.resize(rows, cols) {
                    log::debug!("pty {}: resize failed: {err}", pty.pid());
                }
            }
            Ok(_) | Err(Error::Limit(_)) => {}
            Err(_) => return,
        }
    }
}

/// Sends what the program writes to the client until the terminal hangs up (every holder of
/// the PTY's other end closed it; `terminate` makes sure) or the client is gone.
fn forward_output(pty: &Pty, conn: &ServerConnection) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match pty.read(&mut buf, None) {
            Ok(0) => return,
            Ok(n) => {
                if conn.write_bytes(&buf[..n]).is_err() {
                    return;
                }
            }
            Err(err) => {
                log::debug!("pty read ended: {err}");
                return;
            }
        }
    }
}

/// Sends what the client types to the program, until the client leaves or the connection is
/// closed (the program ended).
fn forward_input(pty: &Pty, conn: &ServerConnection) {
    let mut terminal = TerminalInput::default();
    loop {
        let data = match conn.read_some_bytes(None) {
            Ok(data) => data,
            // The server's io_timeout bounds each wait; a quiet client is still there.
            Err(Error::Timeout) => continue,
            Err(_) => return,
        };
        let input = terminal.convert(&data);
        let mut rest = &input[..];
        while !rest.is_empty() {
            // Bounded, so that a program that stops reading its terminal cannot hold this
            // thread after the client left: the write is retried while the session lasts.
            match pty.write(rest, Some(STALLED_WRITE)) {
                Ok(n) => rest = &rest[n..],
                Err(err) if err.kind() == io::ErrorKind::TimedOut => {
                    if conn.is_closed() || conn.at_eof() {
                        return;
                    }
                }
                Err(_) => return,
            }
        }
    }
}
