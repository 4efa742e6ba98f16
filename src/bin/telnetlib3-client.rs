//! `telnetlib3-client HOST [PORT]`: a telnet client after telnetlib3 5.0.1's command of the same
//! name.
//!
//! With stdin not a terminal it works like `nc`: stdin goes to the server (LF becomes CR LF), the
//! server's output goes to stdout, and it exits 0 when the server closes, or once stdin has ended
//! and the server has been silent for `--quiet-exit` seconds. With stdin a terminal it puts the
//! terminal in line or raw mode following the server's ECHO/SGA negotiation, reports the window
//! size (NAWS), and offers a `^]` menu.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use clap::{ArgAction, Parser, ValueEnum};
use telnetlib3::encoding::{Codec, Errors};
use telnetlib3::{telopt, ConnectOptions, Error, TelnetConnection};

/// How often the main loop wakes up to check for quit, SIGWINCH, silence and mode changes.
const TICK: Duration = Duration::from_millis(100);
/// `^]`, the escape character.
const ESCAPE: u8 = 0x1d;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FileMode {
    Append,
    Rewrite,
}

/// Telnet protocol client
#[derive(Debug, Parser)]
#[command(name = "telnetlib3-client", version, about = "Telnet protocol client")]
#[allow(clippy::struct_excessive_bools)]
struct Args {
    /// hostname
    host: String,
    /// port number
    #[arg(default_value_t = 23)]
    port: u16,
    /// always send DO for this option (comma-separated, named like GMCP or numeric like 201,
    /// repeatable)
    #[arg(long, value_name = "OPT", value_delimiter = ',', action = ArgAction::Append,
          value_parser = parse_option)]
    always_do: Vec<u8>,
    /// always send DONT for this option, refusing even natively supported options
    #[arg(long, value_name = "OPT", value_delimiter = ',', action = ArgAction::Append,
          value_parser = parse_option)]
    always_dont: Vec<u8>,
    /// always send WILL for this option (comma-separated, named like MXP or numeric like 91,
    /// repeatable)
    #[arg(long, value_name = "OPT", value_delimiter = ',', action = ArgAction::Append,
          value_parser = parse_option)]
    always_will: Vec<u8>,
    /// always send WONT for this option, refusing even natively supported options
    #[arg(long, value_name = "OPT", value_delimiter = ',', action = ArgAction::Append,
          value_parser = parse_option)]
    always_wont: Vec<u8>,
    /// timeout for pending negotiation, in seconds
    #[arg(long, default_value_t = 4.0, value_parser = parse_seconds)]
    connect_maxwait: f64,
    /// shell delay for negotiation, in seconds
    #[arg(long, default_value_t = 0.0, value_parser = parse_seconds)]
    connect_minwait: f64,
    /// timeout for TCP connection (and TLS handshake) in seconds; 0 waits as long as the system does
    #[arg(long, default_value_t = 10.0, value_parser = parse_seconds)]
    connect_timeout: f64,
    /// encoding name
    #[arg(long, default_value = "utf8", value_parser = parse_encoding)]
    encoding: String,
    /// handler for encoding errors
    #[arg(long, default_value = "replace", value_parser = ["replace", "ignore", "strict"])]
    encoding_errors: String,
    /// use the encoding before the server agrees to BINARY (else US-ASCII until then)
    #[arg(long)]
    force_binary: bool,
    /// force line-buffered input with local echo (interactive mode)
    #[arg(long, conflicts_with = "raw_mode")]
    line_mode: bool,
    /// force raw terminal mode: no line buffering, no local echo (interactive mode). Default:
    /// auto-detect from server negotiation
    #[arg(long)]
    raw_mode: bool,
    /// log to this file instead of stderr
    #[arg(long)]
    logfile: Option<PathBuf>,
    /// log file write mode
    #[arg(long, value_enum, default_value_t = FileMode::Append)]
    logfile_mode: FileMode,
    /// log level: trace, debug, info, warn, error, critical, off (trace hexdumps the wire)
    #[arg(long, default_value = "warn", value_parser = parse_level)]
    loglevel: log::LevelFilter,
    /// comma-separated environment variables to send (NEW_ENVIRON)
    #[arg(long, default_value = "TERM,LANG,COLUMNS,LINES,COLORTERM")]
    send_environ: String,
    /// connection speed (TSPEED)
    #[arg(long, default_value_t = 38400)]
    speed: u32,
    /// connect using TLS (TELNETS)
    #[arg(long)]
    ssl: bool,
    /// path to CA or self-signed certificate PEM file for TLS verification (implies --ssl)
    #[arg(long, value_name = "PATH")]
    ssl_cafile: Option<PathBuf>,
    /// skip certificate verification for TLS (implies --ssl). WARNING: insecure, the server
    /// identity is not verified
    #[arg(long)]
    ssl_no_verify: bool,
    /// terminal type [default: $TERM, else "unknown"]
    #[arg(long)]
    term: Option<String>,
    /// record everything received to FILE (like Unix script(1))
    #[arg(long, value_name = "FILE")]
    typescript: Option<PathBuf>,
    /// typescript write mode
    #[arg(long, value_enum, default_value_t = FileMode::Append)]
    typescript_mode: FileMode,
    /// pipe mode only (stdin not a terminal): once stdin has ended, exit after the server has
    /// been silent this many seconds
    #[arg(long, value_name = "SECS", default_value_t = 1.0, value_parser = parse_seconds)]
    quiet_exit: f64,
}

fn parse_option(name: &str) -> Result<u8, String> {
    telopt::option_from_name(name).ok_or_else(|| format!("unknown telnet option {name:?}"))
}

fn parse_seconds(value: &str) -> Result<f64, String> {
    match value.trim().parse::<f64>() {
        Ok(secs) if secs.is_finite() && (0.0..=1e9).contains(&secs) => Ok(secs),
        _ => Err(format!("{value:?} is not a number of seconds")),
    }
}

fn parse_encoding(name: &str) -> Result<String, String> {
    Codec::lookup(name)
        .map(|_| name.to_owned())
        .ok_or_else(|| format!("unknown encoding {name:?}"))
}

fn parse_level(level: &str) -> Result<log::LevelFilter, String> {
    match level.trim().to_ascii_lowercase().as_str() {
        "critical" | "fatal" => Ok(log::LevelFilter::Error),
        "warning" => Ok(log::LevelFilter::Warn),
        other => other
            .parse()
            .map_err(|_| format!("unknown log level {level:?}")),
    }
}

fn open_file(path: &PathBuf, mode: FileMode) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true);
    match mode {
        FileMode::Append => options.append(true),
        FileMode::Rewrite => options.write(true).truncate(true),
    };
    options.open(path)
}

fn secs(value: f64) -> Duration {
    Duration::from_secs_f64(value)
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Err(err) = init_logging(&args) {
        eprintln!("telnetlib3-client: cannot open log file: {err}");
        return ExitCode::from(1);
    }
    let typescript = match &args.typescript {
        Some(path) => match open_file(path, args.typescript_mode) {
            Ok(file) => Some(file),
            Err(err) => {
                eprintln!(
                    "telnetlib3-client: cannot open typescript {}: {err}",
                    path.display()
                );
                return ExitCode::from(1);
            }
        },
        None => None,
    };
    let interactive = tty::stdin_is_tty();
    let (cols, rows) = tty::window_size().unwrap_or_else(env_window_size);
    let conn = match connect(&args, cols, rows) {
        Ok(conn) => Arc::new(conn),
        Err(message) => {
            eprintln!("telnetlib3-client: {message}");
            return ExitCode::from(1);
        }
    };
    let code = if interactive {
        interactive::run(&conn, &args, typescript)
    } else {
        pipe_mode(&conn, &args, typescript)
    };
    conn.close();
    ExitCode::from(code)
}

fn init_logging(args: &Args) -> io::Result<()> {
    let mut builder = env_logger::Builder::new();
    builder
        .filter_level(args.loglevel)
        .format(|buf, record| {
            writeln!(
                buf,
                "{} {} {}",
                record.level(),
                record.target(),
                record.args()
            )
        })
        .write_style(env_logger::WriteStyle::Never);
    if let Some(path) = &args.logfile {
        let file = open_file(path, args.logfile_mode)?;
        builder.target(env_logger::Target::Pipe(Box::new(file)));
    }
    builder.init();
    Ok(())
}

/// COLUMNS and LINES from the environment, else 80x25.
fn env_window_size() -> (u16, u16) {
    let var = |name: &str, default: u16| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .filter(|&v| v > 0)
            .unwrap_or(default)
    };
    (var("COLUMNS", 80), var("LINES", 25))
}

fn connect_options(args: &Args, cols: u16, rows: u16) -> ConnectOptions {
    let term = args
        .term
        .clone()
        .or_else(|| std::env::var("TERM").ok().filter(|t| !t.is_empty()))
        .unwrap_or_else(|| "unknown".to_owned());
    let errors: Errors = args.encoding_errors.parse().unwrap_or_default();
    let send_environ: Vec<&str> = args
        .send_environ
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .collect();
    let mut options = ConnectOptions::default()
        .encoding(Some(&args.encoding))
        .encoding_errors(errors)
        .force_binary(args.force_binary)
        .term(&term)
        .cols(cols)
        .rows(rows)
        .tspeed((args.speed, args.speed))
        .send_environ(&send_environ)
        .connect_minwait(secs(args.connect_minwait))
        .connect_maxwait(secs(args.connect_maxwait))
        .connect_timeout(Some(secs(args.connect_timeout)).filter(|d| !d.is_zero()))
        .timeout(None)
        .always_will(args.always_will.clone())
        .always_do(args.always_do.clone())
        .always_wont(args.always_wont.clone())
        .always_dont(args.always_dont.clone());
    // Variables the library does not fill in itself (TERM, COLUMNS, LINES, LANG and COLORTERM
    // it does) are sent with this process's values.
    for name in &send_environ {
        let builtin = ["TERM", "COLUMNS", "LINES", "LANG", "COLORTERM"]
            .iter()
            .any(|b| b.eq_ignore_ascii_case(name));
        if !builtin {
            if let Ok(value) = std::env::var(name) {
                options = options.env(name, &value);
            }
        }
    }
    if args.ssl {
        options = options.tls(true);
    }
    if let Some(path) = &args.ssl_cafile {
        options = options.tls_ca_file(path);
    }
    if args.ssl_no_verify {
        options = options.tls_no_verify();
    }
    options
}

/// Connects, turning failures into one-line messages.
fn connect(args: &Args, cols: u16, rows: u16) -> Result<TelnetConnection, String> {
    let options = connect_options(args, cols, rows);
    let (host, port) = (args.host.as_str(), args.port);
    TelnetConnection::connect_with(host, port, options).map_err(|err| match err {
        Error::Io(io) => {
            let text = io.to_string();
            if text.starts_with("cannot resolve") {
                format!("cannot resolve {host}")
            } else if io.kind() == io::ErrorKind::ConnectionRefused {
                format!("{host}:{port}: connection refused")
            } else if text.contains("certificate") || text.contains("Certificate") {
                format!("{host}:{port}: TLS: {text} (trust it with --ssl-cafile FILE, or skip verification with --ssl-no-verify)")
            } else {
                format!("{host}:{port}: {text}")
            }
        }
        Error::Timeout => format!(
            "{host}:{port}: connection timed out after {}s",
            args.connect_timeout
        ),
        // What a plain telnet server's first bytes (IAC ..., or a banner) look like to TLS.
        Error::Tls(tls @ rustls::Error::InvalidMessage(_)) => format!(
            "{host}:{port}: TLS error: {tls} (the server did not answer in TLS: a plain telnet \
             port? connect without --ssl)"
        ),
        Error::Tls(tls) => format!(
            "{host}:{port}: TLS error: {tls} (trust the server's certificate with --ssl-cafile FILE, \
             or skip verification with --ssl-no-verify)"
        ),
        other => format!("{host}:{port}: {other}"),
    })
}

/// Converts LF not preceded by CR to CR LF; `last_cr` carries the state across chunks.
fn crlf(text: &str, last_cr: &mut bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        if ch == '\n' && !*last_cr {
            out.push('\r');
        }
        out.push(ch);
        *last_cr = ch == '\r';
    }
    out
}

/// Writes what the server sent to stdout and the typescript.
fn emit(text: &str, typescript: &mut Option<File>) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    if let Some(file) = typescript {
        if let Err(err) = file.write_all(text.as_bytes()) {
            log::warn!("typescript write failed, recording stopped: {err}");
            *typescript = None;
        }
    }
    Ok(())
}

/// Pipe mode: stdin to the server, the server to stdout.
fn pipe_mode(conn: &Arc<TelnetConnection>, args: &Args, mut typescript: Option<File>) -> u8 {
    let stdin_done = Arc::new(OnceLock::<Instant>::new());
    // Input `--encoding-errors strict` could not encode: reported, and the exit status is 1.
    let unsendable = Arc::new(OnceLock::<String>::new());
    {
        let conn = Arc::clone(conn);
        let stdin_done = Arc::clone(&stdin_done);
        let unsendable = Arc::clone(&unsendable);
        thread::spawn(move || {
            let mut stdin = io::stdin().lock();
            let mut line = Vec::new();
            let mut last_cr = false;
            loop {
                line.clear();
                match stdin.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let text = crlf(&String::from_utf8_lossy(&line), &mut last_cr);
                        if let Err(err) = conn.write(&text) {
                            log::debug!("write to server failed: {err}");
                            if matches!(err, Error::Encoding(_)) {
                                let _ = unsendable.set(err.to_string());
                            }
                            break;
                        }
                    }
                }
            }
            let _ = stdin_done.set(Instant::now());
        });
    }
    let quiet = secs(args.quiet_exit);
    loop {
        if let Some(message) = unsendable.get() {
            eprintln!("telnetlib3-client: {message}");
            return 1;
        }
        match conn.read_some(Some(TICK)) {
            Ok(text) => {
                if emit(&text, &mut typescript).is_err() {
                    return 0; // stdout closed (a pipe to `head`): nothing more to do
                }
            }
            Err(Error::Timeout) => {
                if let Some(ended) = stdin_done.get() {
                    if ended.elapsed() >= quiet && conn.idle() >= quiet {
                        return 0;
                    }
                }
            }
            Err(Error::Eof | Error::Closed) => return 0,
            Err(err) => {
                eprintln!("telnetlib3-client: {err}");
                return 1;
            }
        }
    }
}

/// The terminal: termios, window size, signals. Every `unsafe` block of the program is here.
mod tty {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::OnceLock;

    /// The terminal settings at start, restored on every way out.
    static ORIGINAL: OnceLock<libc::termios> = OnceLock::new();
    /// Set by SIGWINCH.
    pub static RESIZED: AtomicBool = AtomicBool::new(false);

    pub fn stdin_is_tty() -> bool {
        // SAFETY: isatty only inspects the descriptor number; any value is allowed.
        unsafe { libc::isatty(0) == 1 }
    }

    /// The terminal's size from `TIOCGWINSZ` on stdout, else stdin.
    pub fn window_size() -> Option<(u16, u16)> {
        for fd in [1, 0, 2] {
            // SAFETY: winsize is plain old data; all-zero is a valid value.
            let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
            // SAFETY: TIOCGWINSZ writes one winsize through the pointer, which points to a
            // live, properly aligned winsize; on a non-terminal it fails without writing.
            let rc = unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut ws) };
            if rc == 0 && ws.ws_col > 0 && ws.ws_row > 0 {
                return Some((ws.ws_col, ws.ws_row));
            }
        }
        None
    }

    fn get() -> Option<libc::termios> {
        // SAFETY: termios is plain old data; all-zero is a valid value.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: tcgetattr writes one termios through a valid pointer, or fails.
        (unsafe { libc::tcgetattr(0, &mut t) } == 0).then_some(t)
    }

    fn set(t: &libc::termios) {
        // SAFETY: tcsetattr reads one termios from a valid pointer; fd 0 may be anything.
        unsafe {
            libc::tcsetattr(0, libc::TCSADRAIN, t);
        }
    }

    /// Restores the original settings (safe to call from a signal handler: one tcsetattr).
    pub fn restore() {
        if let Some(t) = ORIGINAL.get() {
            set(t);
        }
    }

    /// How the terminal is set.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Mode {
        /// The original (cooked) settings: the terminal edits lines and echoes; `^]` also ends
        /// a line so the menu comes up at once.
        Line,
        /// Character at a time, the terminal still echoes (server WILL SGA only).
        CharEcho,
        /// Character at a time, no echo, no signals (the server echoes).
        Raw,
    }

    /// Puts the terminal in `mode`, derived from the original settings.
    pub fn apply(mode: Mode) {
        let Some(mut t) = ORIGINAL.get().copied() else {
            return;
        };
        match mode {
            Mode::Line => {
                t.c_cc[libc::VEOL] = super::ESCAPE;
            }
            Mode::CharEcho => {
                t.c_lflag &= !(libc::ICANON | libc::ISIG | libc::IEXTEN);
                t.c_iflag &= !(libc::IXON | libc::INLCR | libc::IGNCR);
                t.c_iflag |= libc::ICRNL;
                t.c_cc[libc::VMIN] = 1;
                t.c_cc[libc::VTIME] = 0;
            }
            Mode::Raw => {
                t.c_lflag &= !(libc::ICANON | libc::ECHO | libc::ISIG | libc::IEXTEN);
                t.c_iflag &= !(libc::IXON | libc::ICRNL | libc::INLCR | libc::IGNCR);
                t.c_cc[libc::VMIN] = 1;
                t.c_cc[libc::VTIME] = 0;
            }
        }
        set(&t);
    }

    extern "C" fn on_terminate(signal: libc::c_int) {
        restore();
        // SAFETY: _exit is async-signal-safe and ends the process at once.
        unsafe { libc::_exit(128 + signal) }
    }

    extern "C" fn on_winch(_signal: libc::c_int) {
        RESIZED.store(true, Ordering::Relaxed);
    }

    /// Restores the terminal when dropped.
    #[derive(Debug)]
    pub struct Guard(());

    impl Drop for Guard {
        fn drop(&mut self) {
            restore();
        }
    }

    /// Saves the settings, installs the panic hook and the signal handlers.
    pub fn init() -> Option<Guard> {
        let original = get()?;
        let _ = ORIGINAL.set(original);
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
        let terminate = on_terminate as extern "C" fn(libc::c_int);
        let winch = on_winch as extern "C" fn(libc::c_int);
        // SAFETY: the handlers only call async-signal-safe functions (tcsetattr, _exit) or
        // store to an atomic.
        unsafe {
            libc::signal(libc::SIGINT, terminate as libc::sighandler_t);
            libc::signal(libc::SIGTERM, terminate as libc::sighandler_t);
            libc::signal(libc::SIGHUP, terminate as libc::sighandler_t);
            libc::signal(libc::SIGWINCH, winch as libc::sighandler_t);
        }
        Some(Guard(()))
    }
}

/// Interactive mode: stdin is a terminal.
mod interactive {
    use super::{
        crlf, emit, tty, Arc, Args, AtomicBool, Error, File, Mutex, Ordering, Read,
        TelnetConnection, Write, ESCAPE, TICK,
    };
    use std::io;
    use std::thread;
    use telnetlib3::telopt;

    struct State {
        /// What the terminal is set to now.
        current: tty::Mode,
        /// `--line-mode` / `--raw-mode`, or the menu's toggle.
        forced: Option<tty::Mode>,
    }

    struct Shared {
        state: Mutex<State>,
        quit: AtomicBool,
        /// Typed text `--encoding-errors strict` could not send: reported, exit status 1.
        unsendable: std::sync::OnceLock<String>,
    }

    /// The mode the server's negotiation asks for.
    fn wanted(conn: &TelnetConnection) -> tty::Mode {
        let echo = conn.remote_enabled(telopt::ECHO);
        let sga = conn.remote_enabled(telopt::SGA);
        match (echo, sga) {
            (true, _) => tty::Mode::Raw,
            (false, true) => tty::Mode::CharEcho,
            (false, false) => tty::Mode::Line,
        }
    }

    fn update(conn: &TelnetConnection, shared: &Shared) {
        let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
        let mode = state.forced.unwrap_or_else(|| wanted(conn));
        if mode != state.current {
            log::debug!("terminal mode {:?} -> {mode:?}", state.current);
            tty::apply(mode);
            state.current = mode;
        }
    }

    pub fn run(conn: &Arc<TelnetConnection>, args: &Args, mut typescript: Option<File>) -> u8 {
        let Some(_guard) = tty::init() else {
            eprintln!("telnetlib3-client: cannot read the terminal settings");
            return 1;
        };
        let forced = if args.line_mode {
            Some(tty::Mode::Line)
        } else if args.raw_mode {
            Some(tty::Mode::Raw)
        } else {
            None
        };
        tty::apply(tty::Mode::Line);
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                current: tty::Mode::Line,
                forced,
            }),
            quit: AtomicBool::new(false),
            unsendable: std::sync::OnceLock::new(),
        });
        update(conn, &shared);
        eprint!("Escape character is '^]'.\r\n");
        {
            let conn = Arc::clone(conn);
            let shared = Arc::clone(&shared);
            thread::spawn(move || keyboard(&conn, &shared));
        }
        loop {
            if shared.quit.load(Ordering::Relaxed) {
                if let Some(message) = shared.unsendable.get() {
                    eprint!("\r\ntelnetlib3-client: {message}\r\n");
                    return 1;
                }
                return 0;
            }
            if tty::RESIZED.swap(false, Ordering::Relaxed) {
                if let Some((cols, rows)) = tty::window_size() {
                    log::debug!("window size {cols}x{rows}");
                    let _ = conn.set_window_size(cols, rows);
                }
            }
            match conn.read_some(Some(TICK)) {
                Ok(text) => {
                    update(conn, &shared);
                    if emit(&text, &mut typescript).is_err() {
                        return 1;
                    }
                }
                Err(Error::Timeout) => update(conn, &shared),
                Err(Error::Eof) => {
                    eprint!("\r\nConnection closed by foreign host.\r\n");
                    return 0;
                }
                Err(Error::Closed) => return 0,
                Err(err) => {
                    eprint!("\r\ntelnetlib3-client: {err}\r\n");
                    return 1;
                }
            }
        }
    }

    /// Reads the keyboard and sends what is typed; `^]` opens the menu.
    fn keyboard(conn: &TelnetConnection, shared: &Shared) {
        let mut stdin = io::stdin().lock();
        let mut buf = [0u8; 1024];
        let mut pending: Vec<u8> = Vec::new(); // an incomplete UTF-8 sequence
        let mut last_cr = false;
        loop {
            let n = match stdin.read(&mut buf) {
                Ok(0) | Err(_) => {
                    shared.quit.store(true, Ordering::Relaxed);
                    return;
                }
                Ok(n) => n,
            };
            let mut chunk = &buf[..n];
            let mut menu = false;
            if let Some(at) = chunk.iter().position(|&b| b == ESCAPE) {
                chunk = &chunk[..at];
                menu = true;
            }
            pending.extend_from_slice(chunk);
            let valid = match std::str::from_utf8(&pending) {
                Ok(_) => pending.len(),
                Err(err) if err.error_len().is_none() => err.valid_up_to(),
                Err(_) => pending.len(), // invalid bytes: send them replaced
            };
            let text = String::from_utf8_lossy(&pending[..valid]).into_owned();
            pending.drain(..valid);
            if !text.is_empty() {
                let current = shared
                    .state
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .current;
                // Raw mode: Enter arrives as CR, sent as CR LF; otherwise LF becomes CR LF.
                let text = if current == tty::Mode::Raw {
                    text.replace('\r', "\r\n")
                } else {
                    crlf(&text, &mut last_cr)
                };
                if let Err(err) = conn.write(&text) {
                    // A connection that failed is reported by the reader; text the encoding
                    // cannot carry only shows here.
                    if matches!(err, Error::Encoding(_)) {
                        let _ = shared.unsendable.set(err.to_string());
                    }
                    shared.quit.store(true, Ordering::Relaxed);
                    return;
                }
            }
            if menu && !escape_menu(conn, shared, &mut stdin) {
                shared.quit.store(true, Ordering::Relaxed);
                conn.close();
                return;
            }
        }
    }

    /// The `^]` menu; false to quit.
    fn escape_menu(conn: &TelnetConnection, shared: &Shared, stdin: &mut impl Read) -> bool {
        let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
        tty::apply(tty::Mode::Raw);
        let mut err = io::stderr();
        let _ = write!(
            err,
            "\r\ntelnetlib3-client: [q]uit, send [b]reak, [a]re you there, \
             [t]oggle line/raw mode (now {:?}), [c]ontinue? ",
            state.current
        );
        let _ = err.flush();
        let mut key = [0u8; 1];
        let choice = match stdin.read(&mut key) {
            Ok(1) => key[0].to_ascii_lowercase(),
            _ => b'q',
        };
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
                let next = if state.current == tty::Mode::Line {
                    tty::Mode::Raw
                } else {
                    tty::Mode::Line
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
        tty::apply(mode);
        keep
    }
}
