//! `telnetlib3-client HOST [PORT]`: a telnet client after telnetlib3 5.0.1's command of the same
//! name.
//!
//! With stdin not a terminal it works like `nc`: stdin goes to the server (LF becomes CR LF), the
//! server's output goes to stdout, and it exits 0 when the server closes, or once stdin has ended
//! and the server has been silent for `--quiet-exit` seconds. With stdin a terminal it puts the
//! terminal in line or raw mode following the server's ECHO/SGA negotiation, reports the window
//! size (NAWS) at start and on every `SIGWINCH`, and offers a `^]` menu. `SIGINT`, `SIGTERM`
//! and `SIGHUP` end it with the terminal restored (exit status 128 + the signal), as do
//! panics and errors.
#![forbid(unsafe_code)]

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use clap::{ArgAction, Parser, ValueEnum};
use telnetlib3::encoding::Codec;
use telnetlib3::retro::Retro;
use telnetlib3::{telopt, tty, ConnectOptions, Error, TelnetConnection};

use translate::Screen;

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
    /// MCCP2/MCCP3 compression: ask the server for it (DO MCCP2, DO MCCP3); omitted, it is
    /// accepted when the server offers it. Never under TLS
    #[arg(long, overrides_with = "no_compression")]
    compression: bool,
    /// refuse MCCP2/MCCP3 compression
    #[arg(long, overrides_with = "compression")]
    no_compression: bool,
    /// comma-separated GMCP module specs to request (e.g. "Char 1,Room 1,IRE.Rift 1"); when
    /// provided, replaces the built-in defaults
    #[arg(long, value_name = "MODULES")]
    gmcp_modules: Option<String>,
    /// timeout for pending negotiation, in seconds
    #[arg(long, default_value_t = 4.0, value_parser = parse_seconds)]
    connect_maxwait: f64,
    /// shell delay for negotiation, in seconds
    #[arg(long, default_value_t = 0.0, value_parser = parse_seconds)]
    connect_minwait: f64,
    /// timeout for TCP connection (and TLS handshake) in seconds; 0 waits as long as the system does
    #[arg(long, default_value_t = 10.0, value_parser = parse_seconds)]
    connect_timeout: f64,
    /// encoding name [default: utf8]. PETSCII (petscii, c64, …), ATASCII (atascii, …) and
    /// Atari ST (atarist) turn on --force-binary and raw mode, and PETSCII and ATASCII
    /// translate control codes and keys. Given, SyncTERM font selections do not change it
    #[arg(long, value_name = "ENCODING", value_parser = parse_encoding)]
    encoding: Option<String>,
    /// handler for encoding errors
    #[arg(long, default_value = "replace", value_parser = ["replace", "ignore", "strict"])]
    encoding_errors: String,
    /// use the encoding before the server agrees to BINARY (else US-ASCII until then)
    #[arg(long)]
    force_binary: bool,
    /// PETSCII, ATASCII: send the terminal's ANSI sequences for cursor and editing keys as
    /// they are, instead of the encoding's control codes (for BBSes that read ANSI keys)
    #[arg(long)]
    ansi_keys: bool,
    /// ATASCII: line ends are ASCII CR/LF both ways instead of the encoding's own EOL (0x9B),
    /// for BBSes that draw ATASCII art but end lines in ASCII
    #[arg(long)]
    ascii_eol: bool,
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

impl Args {
    /// `--encoding`, else UTF-8.
    fn encoding(&self) -> &str {
        self.encoding.as_deref().unwrap_or("utf8")
    }

    /// The retro encoding `--encoding` names, if any.
    fn retro(&self) -> Option<Retro> {
        self.encoding.as_deref().and_then(Retro::from_encoding)
    }
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
    // The terminal's settings are saved and its signals taken before connecting: the
    // connection starts threads, which must not take the signals themselves.
    let terminal = if io::stdin().is_terminal() {
        match interactive::Terminal::take() {
            Ok(terminal) => Some(terminal),
            Err(err) => {
                eprintln!("telnetlib3-client: cannot set up the terminal: {err}");
                return ExitCode::from(1);
            }
        }
    } else {
        None
    };
    let (cols, rows) = window_size().unwrap_or_else(env_window_size);
    let conn = match connect(&args, cols, rows) {
        Ok(conn) => Arc::new(conn),
        Err(message) => {
            eprintln!("telnetlib3-client: {message}");
            return ExitCode::from(1);
        }
    };
    let code = match terminal {
        Some(terminal) => interactive::run(&conn, &args, typescript, terminal),
        None => pipe_mode(&conn, &args, typescript),
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

/// The terminal's size as `(cols, rows)`, from stdout, else stdin, else stderr.
fn window_size() -> Option<(u16, u16)> {
    tty::window_size(io::stdout())
        .or_else(|| tty::window_size(io::stdin()))
        .or_else(|| tty::window_size(io::stderr()))
        .map(|(rows, cols)| (cols, rows))
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
    let send_environ: Vec<&str> = args
        .send_environ
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .collect();
    let mut options = ConnectOptions::default()
        .encoding(Some(args.encoding()))
        .encoding_errors(translate::errors(args))
        .force_binary(args.force_binary || args.retro().is_some())
        .term(&term)
        .cols(cols)
        .rows(rows)
        .tspeed((args.speed, args.speed))
        .compression(tristate(args.compression, args.no_compression))
        .send_environ(&send_environ)
        .connect_minwait(secs(args.connect_minwait))
        .connect_maxwait(secs(args.connect_maxwait))
        .connect_timeout(Some(secs(args.connect_timeout)).filter(|d| !d.is_zero()))
        .timeout(None)
        .always_will(args.always_will.clone())
        .always_do(args.always_do.clone())
        .always_wont(args.always_wont.clone())
        .always_dont(args.always_dont.clone());
    if let Some(modules) = &args.gmcp_modules {
        let modules: Vec<&str> = modules
            .split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .collect();
        // An empty list keeps the defaults, as telnetlib3's `gmcp_modules or defaults` does.
        if !modules.is_empty() {
            options = options.gmcp_modules(&modules);
        }
    }
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

/// Sends bytes made by the key translation (nothing when there are none).
fn send_bytes(conn: &TelnetConnection, bytes: &[u8]) -> Result<(), Error> {
    if bytes.is_empty() {
        return Ok(());
    }
    conn.write_bytes(bytes)
}

/// Writes what the server sent to stdout and the typescript.
fn emit(text: &str, typescript: &mut Option<File>) -> io::Result<()> {
    if text.is_empty() {
        return Ok(());
    }
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

/// What the pipe mode's main loop waits for.
enum Piped {
    /// Stdin ended (or the server stopped taking it): the `--quiet-exit` wait begins.
    StdinEnded,
    /// The session is over: exit with this status, after printing the message if there is
    /// one. The first one decides.
    Done(u8, Option<String>),
}

/// Pipe mode: stdin to the server, the server to stdout.
fn pipe_mode(conn: &Arc<TelnetConnection>, args: &Args, mut typescript: Option<File>) -> u8 {
    let (wake, woken) = mpsc::channel();
    {
        let conn = Arc::clone(conn);
        let wake = wake.clone();
        let mut keys = translate::keys(args);
        thread::spawn(move || {
            let mut stdin = io::stdin().lock();
            let mut line = Vec::new();
            let mut last_cr = false;
            loop {
                line.clear();
                let sent = match stdin.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => {
                        if let Some(keys) = &mut keys {
                            // A lone ESC at the very end.
                            let mut bytes = Vec::new();
                            keys.flush(&mut bytes);
                            let _ = send_bytes(&conn, &bytes);
                        }
                        break;
                    }
                    // PETSCII, ATASCII: each line end becomes the encoding's own.
                    Ok(_) => match &mut keys {
                        Some(keys) => {
                            let mut bytes = Vec::new();
                            keys.feed(&line, &mut bytes)
                                .and_then(|()| send_bytes(&conn, &bytes))
                        }
                        None => conn.write(&crlf(&String::from_utf8_lossy(&line), &mut last_cr)),
                    },
                };
                if let Err(err) = sent {
                    log::debug!("write to server failed: {err}");
                    // Input `--encoding-errors strict` could not encode: reported, and the
                    // exit status is 1.
                    if matches!(err, Error::Encoding(_)) {
                        let _ = wake.send(Piped::Done(1, Some(err.to_string())));
                        return;
                    }
                    break;
                }
            }
            let _ = wake.send(Piped::StdinEnded);
        });
    }
    {
        let conn = Arc::clone(conn);
        let mut screen = Screen::new(&conn, args);
        thread::spawn(move || {
            let done = loop {
                match screen.read(&conn) {
                    Ok(text) => {
                        if emit(&text, &mut typescript).is_err() {
                            // stdout closed (a pipe to `head`): nothing more to do
                            break Piped::Done(0, None);
                        }
                    }
                    Err(Error::Timeout) => {}
                    Err(Error::Eof | Error::Closed) => break Piped::Done(0, None),
                    Err(err) => break Piped::Done(1, Some(err.to_string())),
                }
            };
            let _ = wake.send(done);
        });
    }
    let quiet = secs(args.quiet_exit);
    let mut stdin_ended: Option<Instant> = None;
    loop {
        let woke = match stdin_ended {
            None => woken.recv().map_err(|_| RecvTimeoutError::Disconnected),
            // Wait until both stdin and the server have been quiet for `quiet`; what the
            // server sends meanwhile moves the end of the wait.
            Some(ended) => {
                let silent = ended.elapsed().min(conn.idle());
                if silent >= quiet {
                    return 0;
                }
                woken.recv_timeout(quiet - silent)
            }
        };
        match woke {
            Ok(Piped::StdinEnded) => stdin_ended = Some(Instant::now()),
            Ok(Piped::Done(code, message)) => {
                if let Some(message) = message {
                    eprintln!("telnetlib3-client: {message}");
                }
                return code;
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return 0,
        }
    }
}

mod interactive;
mod translate;

/// `--flag` / `--no-flag`, either or neither.
fn tristate(yes: bool, no: bool) -> Option<bool> {
    match (yes, no) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    }
}
