//! Interactive mode: stdin is a terminal.
//!
//! Threads and what they do:
//! - the main thread ([`run`]) waits on one channel of [`Wake`]s and acts on each: a window
//!   size to send, the terminal mode to check, the exit status;
//! - the signal thread ([`Terminal::take`]) sends [`Wake::Resized`] on `SIGWINCH`, and on
//!   `SIGINT`, `SIGTERM` or `SIGHUP` restores the terminal and exits at once;
//! - the output thread ([`output`]) reads what the server sends, checks the mode before
//!   showing it (so a prompt that comes with WILL ECHO is already unechoed), and sends
//!   [`Wake::Done`] when the connection ends;
//! - the keyboard thread ([`keyboard`]) sends what is typed (through the PETSCII or ATASCII
//!   key translation for those encodings), runs the `^]` menu, and sends [`Wake::Done`] when
//!   stdin ends or the menu quits; a thread of its own reads stdin for it ([`Stdin`]), so it
//!   can give up waiting for the rest of an escape sequence after `ESCDELAY`;
//! - the negotiation thread ([`negotiation`]) reads the connection's event stream and sends
//!   [`Wake::Negotiation`] when the server's ECHO or SGA changes.

use super::translate::{self, Screen, Stdin};
use super::{
    crlf, emit, send_bytes, window_size, Arc, Args, Error, File, Mutex, TelnetConnection, Write,
    ESCAPE,
};
use std::io;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use telnetlib3::protocol::{Event, Side};
use telnetlib3::retro::Keys;
use telnetlib3::signals::{Signals, SIGHUP, SIGINT, SIGTERM, SIGWINCH};
use telnetlib3::telopt;
use telnetlib3::tty::{self, TerminalGuard};

/// What wakes the main loop.
pub enum Wake {
    /// The terminal's window changed size (`SIGWINCH`).
    Resized,
    /// The server's ECHO or SGA may have changed: check the terminal mode.
    Negotiation,
    /// The session is over: exit with this status, after printing the message (lines
    /// ended by CR LF) if there is one. The first one decides.
    Done(u8, Option<String>),
}

/// How the terminal is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The original (cooked) settings: the terminal edits lines and echoes; `^]` also ends
    /// a line so the menu comes up at once.
    Line,
    /// Character at a time, the terminal still echoes (server WILL SGA only).
    CharEcho,
    /// Character at a time, no echo, no signals (the server echoes).
    Raw,
}

impl Mode {
    fn apply(self, terminal: &TerminalGuard) {
        let mode = match self {
            Self::Line => tty::Mode::Line { eol: Some(ESCAPE) },
            Self::CharEcho => tty::Mode::Cbreak,
            Self::Raw => tty::Mode::Raw,
        };
        if let Err(err) = terminal.set(mode) {
            log::debug!("cannot set the terminal to {self:?}: {err}");
        }
    }
}

/// The terminal's saved settings and the channel the signal thread wakes the main loop
/// on, set up before the connection starts its threads.
pub struct Terminal {
    guard: Arc<TerminalGuard>,
    wake: Sender<Wake>,
    woken: Receiver<Wake>,
}

impl Terminal {
    /// Saves the terminal's settings, restores them on panic, and takes `SIGWINCH`,
    /// `SIGINT`, `SIGTERM` and `SIGHUP` on a thread of their own. Must run before any
    /// other thread starts.
    pub fn take() -> io::Result<Self> {
        let signals = Signals::block(&[SIGINT, SIGTERM, SIGHUP, SIGWINCH])?;
        let guard = Arc::new(TerminalGuard::new(io::stdin())?);
        let previous = std::panic::take_hook();
        {
            let guard = Arc::clone(&guard);
            std::panic::set_hook(Box::new(move |info| {
                let _ = guard.restore();
                previous(info);
            }));
        }
        let (wake, woken) = mpsc::channel();
        {
            let guard = Arc::clone(&guard);
            let wake = wake.clone();
            signals.spawn(move |signal| {
                if signal == SIGWINCH {
                    let _ = wake.send(Wake::Resized);
                } else {
                    let _ = guard.restore_final();
                    std::process::exit(128 + signal);
                }
            })?;
        }
        Ok(Self { guard, wake, woken })
    }
}

struct State {
    /// What the terminal is set to now.
    current: Mode,
    /// `--line-mode` / `--raw-mode`, or the menu's toggle.
    forced: Option<Mode>,
}

struct Shared {
    terminal: Arc<TerminalGuard>,
    state: Mutex<State>,
}

/// The mode the server's negotiation asks for.
fn wanted(conn: &TelnetConnection) -> Mode {
    let echo = conn.remote_enabled(telopt::ECHO);
    let sga = conn.remote_enabled(telopt::SGA);
    match (echo, sga) {
        (true, _) => Mode::Raw,
        (false, true) => Mode::CharEcho,
        (false, false) => Mode::Line,
    }
}

/// Puts the terminal in the mode the negotiation (or a forced mode) asks for, when it is
/// not in it already. Called whenever the negotiation may have changed.
fn check_mode(conn: &TelnetConnection, shared: &Shared) {
    let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
    let mode = state.forced.unwrap_or_else(|| wanted(conn));
    if mode != state.current {
        log::debug!("terminal mode {:?} -> {mode:?}", state.current);
        mode.apply(&shared.terminal);
        state.current = mode;
    }
}

/// Sends the terminal's window size (NAWS).
fn send_window_size(conn: &TelnetConnection) {
    if let Some((cols, rows)) = window_size() {
        log::debug!("window size {cols}x{rows}");
        let _ = conn.set_window_size(cols, rows);
    }
}

/// Runs the session; returns the exit status, with the terminal restored.
pub fn run(
    conn: &Arc<TelnetConnection>,
    args: &Args,
    typescript: Option<File>,
    terminal: Terminal,
) -> u8 {
    let Terminal { guard, wake, woken } = terminal;
    // A retro encoding is raw, as its machine was (unless --line-mode says otherwise).
    let forced = if args.line_mode {
        Some(Mode::Line)
    } else if args.raw_mode || args.retro().is_some() {
        Some(Mode::Raw)
    } else {
        None
    };
    Mode::Line.apply(&guard);
    let shared = Arc::new(Shared {
        terminal: Arc::clone(&guard),
        state: Mutex::new(State {
            current: Mode::Line,
            forced,
        }),
    });
    check_mode(conn, &shared);
    eprint!("Escape character is '^]'.\r\n");
    {
        let (conn, shared, wake) = (Arc::clone(conn), Arc::clone(&shared), wake.clone());
        let keys = translate::keys(args);
        thread::spawn(move || keyboard(&conn, &shared, &wake, keys));
    }
    {
        let (conn, wake) = (Arc::clone(conn), wake.clone());
        thread::spawn(move || negotiation(&conn, &wake));
    }
    {
        let (conn, shared) = (Arc::clone(conn), Arc::clone(&shared));
        let screen = Screen::new(conn.as_ref(), args);
        thread::spawn(move || output(&conn, &shared, &wake, screen, typescript));
    }
    let code = loop {
        // The signal thread holds a sender for good: the channel stays connected.
        let woke = woken.recv().unwrap_or(Wake::Done(1, None));
        match woke {
            Wake::Resized => send_window_size(conn),
            Wake::Negotiation => check_mode(conn, &shared),
            Wake::Done(code, message) => {
                // Colours and reverse video the server left on end with the session.
                let mut stdout = io::stdout().lock();
                let _ = stdout.write_all(b"\x1b[m").and_then(|()| stdout.flush());
                drop(stdout);
                if let Some(message) = message {
                    eprint!("{message}");
                }
                break code;
            }
        }
    };
    let _ = guard.restore_final();
    code
}

/// Sends [`Wake::Negotiation`] for each change of the server's ECHO or SGA, until the
/// connection ends.
fn negotiation(conn: &TelnetConnection, wake: &Sender<Wake>) {
    let mut events = conn.events();
    loop {
        let changed = match events.recv(None) {
            Ok(Event::OptionChanged {
                option,
                side: Side::Remote,
                ..
            }) => option == telopt::ECHO || option == telopt::SGA,
            Ok(_) | Err(Error::Timeout) => false,
            // Events were dropped before this stream read them: look at the state.
            Err(Error::Limit(_)) => true,
            Err(_) => return,
        };
        if changed && wake.send(Wake::Negotiation).is_err() {
            return;
        }
    }
}

/// Shows what the server sends until the connection ends, then sends [`Wake::Done`].
fn output(
    conn: &TelnetConnection,
    shared: &Shared,
    wake: &Sender<Wake>,
    mut screen: Screen,
    mut typescript: Option<File>,
) {
    let done = loop {
        match screen.read(conn) {
            Ok(text) => {
                check_mode(conn, shared);
                if emit(&text, &mut typescript).is_err() {
                    break Wake::Done(1, None);
                }
            }
            Err(Error::Timeout) => {}
            Err(Error::Eof) => {
                let message = "\r\nConnection closed by foreign host.\r\n";
                break Wake::Done(0, Some(message.to_owned()));
            }
            Err(Error::Closed) => break Wake::Done(0, None),
            Err(err) => {
                break Wake::Done(1, Some(format!("\r\ntelnetlib3-client: {err}\r\n")));
            }
        }
    };
    let _ = wake.send(done);
}

/// Reads the keyboard and sends what is typed; `^]` opens the menu. Sends [`Wake::Done`]
/// when stdin ends, the menu quits, or typed text cannot be sent.
fn keyboard(conn: &TelnetConnection, shared: &Shared, wake: &Sender<Wake>, mut keys: Option<Keys>) {
    let mut stdin = Stdin::spawn();
    let esc_delay = translate::esc_delay();
    let mut pending: Vec<u8> = Vec::new(); // an incomplete UTF-8 sequence
    let mut last_cr = false;
    loop {
        // The start of an escape sequence waits for the rest at most `esc_delay`.
        let waiting = keys.as_ref().is_some_and(Keys::pending);
        let chunk = match stdin.recv(waiting.then_some(esc_delay)) {
            Ok(chunk) => chunk,
            Err(RecvTimeoutError::Timeout) => {
                let mut bytes = Vec::new();
                if let Some(keys) = &mut keys {
                    keys.flush(&mut bytes);
                }
                if send_bytes(conn, &bytes).is_err() {
                    let _ = wake.send(Wake::Done(0, None));
                    return;
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => {
                let _ = wake.send(Wake::Done(0, None));
                return;
            }
        };
        let mut chunk = chunk.as_slice();
        let mut menu = false;
        if let Some(at) = chunk.iter().position(|&b| b == ESCAPE) {
            chunk = &chunk[..at];
            menu = true;
        }
        let sent = match &mut keys {
            Some(keys) => {
                let mut bytes = Vec::new();
                keys.feed(chunk, &mut bytes)
                    .and_then(|()| send_bytes(conn, &bytes))
            }
            None => send_text(conn, shared, chunk, &mut pending, &mut last_cr),
        };
        if let Err(err) = sent {
            // A connection that failed is reported by the output thread; text the
            // encoding cannot carry (`--encoding-errors strict`) only shows here.
            let done = if matches!(err, Error::Encoding(_)) {
                Wake::Done(1, Some(format!("\r\ntelnetlib3-client: {err}\r\n")))
            } else {
                Wake::Done(0, None)
            };
            let _ = wake.send(done);
            return;
        }
        if menu && !escape_menu(conn, shared, &mut stdin) {
            conn.close();
            let _ = wake.send(Wake::Done(0, None));
            return;
        }
    }
}

/// Sends typed bytes as text in the session's encoding: complete UTF-8 characters (an
/// incomplete one waits in `pending`), line ends as CR LF.
fn send_text(
    conn: &TelnetConnection,
    shared: &Shared,
    chunk: &[u8],
    pending: &mut Vec<u8>,
    last_cr: &mut bool,
) -> Result<(), Error> {
    pending.extend_from_slice(chunk);
    let valid = match std::str::from_utf8(pending) {
        Ok(_) => pending.len(),
        Err(err) if err.error_len().is_none() => err.valid_up_to(),
        Err(_) => pending.len(), // invalid bytes: send them replaced
    };
    let text = String::from_utf8_lossy(&pending[..valid]).into_owned();
    pending.drain(..valid);
    if text.is_empty() {
        return Ok(());
    }
    let current = shared
        .state
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .current;
    // Raw mode: Enter arrives as CR, sent as CR LF; otherwise LF becomes CR LF.
    let text = if current == Mode::Raw {
        text.replace('\r', "\r\n")
    } else {
        crlf(&text, last_cr)
    };
    conn.write(&text)
}

/// The `^]` menu; false to quit.
fn escape_menu(conn: &TelnetConnection, shared: &Shared, stdin: &mut Stdin) -> bool {
    let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
    Mode::Raw.apply(&shared.terminal);
    let mut err = io::stderr();
    let _ = write!(
        err,
        "\r\ntelnetlib3-client: [q]uit, send [b]reak, [a]re you there, \
         [t]oggle line/raw mode (now {:?}), [c]ontinue? ",
        state.current
    );
    let _ = err.flush();
    let choice = stdin.byte().map_or(b'q', |key| key.to_ascii_lowercase());
    let _ = write!(err, "{}\r\n", char::from(choice).escape_default());
    let keep = match choice {
        b'q' | 0x04 => false,
        b'b' => {
            let _ = conn.send_command(telopt::BRK);
            true
        }
        b'a' => {
            let _ = conn.send_command(telopt::AYT);
            true
        }
        b't' => {
            let next = if state.current == Mode::Line {
                Mode::Raw
            } else {
                Mode::Line
            };
            let _ = write!(err, "telnetlib3-client: {next:?} mode\r\n");
            state.forced = Some(next);
            true
        }
        _ => true,
    };
    let mode = state.current;
    let mode = state.forced.filter(|_| choice == b't').unwrap_or(mode);
    state.current = mode;
    mode.apply(&shared.terminal);
    keep
}
