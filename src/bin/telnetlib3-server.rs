//! `telnetlib3-server [HOST] [PORT] [-- PTY ARGS]`: serves one of the shells of
//! [`telnetlib3::shell`] (telnetlib3's `tel:sh` by default) or a program on a PTY
//! (`--pty-exec`), with telnetlib3 5.0.1's command-line flags.
//!
//! `SIGINT` and `SIGTERM` shut it down: every client is told and disconnected, and it exits 0.
#![forbid(unsafe_code)]

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use clap::{CommandFactory, Parser};
use telnetlib3::encoding::Codec;
use telnetlib3::pty::PtyCommand;
use telnetlib3::shell::{guard::Guard, PtyShell};
use telnetlib3::signals::{Signals, SIGINT, SIGTERM};
use telnetlib3::{shell, BlockingTelnetServer, Error, ServerConnection, ServerOptions};

/// What the main thread waits for.
enum Wake {
    /// `SIGINT` or `SIGTERM`.
    Signal(i32),
    /// `serve_forever` returned: the server shut down, or failed.
    Served(Result<(), Error>),
}

/// Telnet protocol server.
#[derive(Parser, Debug)]
#[command(name = "telnetlib3-server", version, about = "Telnet protocol server")]
struct Cli {
    /// Bind address.
    #[arg(default_value = "localhost")]
    host: String,
    /// Bind port.
    #[arg(default_value_t = 6023)]
    port: u16,
    /// Shell to serve: telsh (telnetlib3's tel:sh), echo (every byte back), wargame;
    /// --pty-exec serves a program instead.
    #[arg(long, default_value = "telsh", value_parser = ["telsh", "echo", "wargame"])]
    shell: String,
    /// Encoding name, or 'false' to serve bytes only.
    #[arg(long, default_value = "utf8")]
    encoding: String,
    /// Use the encoding before BINARY is agreed.
    #[arg(long)]
    force_binary: bool,
    /// Keep clients in NVT line mode: never send WILL SGA or WILL ECHO.
    #[arg(long)]
    line_mode: bool,
    /// MCCP2/MCCP3 compression: offer it (WILL MCCP2, WILL MCCP3); omitted, it is accepted
    /// when the client asks. Never under TLS.
    #[arg(long, overrides_with = "no_compression")]
    compression: bool,
    /// Refuse MCCP2/MCCP3 compression.
    #[arg(long, overrides_with = "compression")]
    no_compression: bool,
    /// Never send IAC GA (Go-Ahead) after prompts.
    #[arg(long)]
    never_send_ga: bool,
    /// Idle disconnect in seconds (0 disables).
    #[arg(long, default_value_t = 300.0, value_name = "SECONDS")]
    timeout: f64,
    /// Longest wait for negotiation before the shell starts, in seconds.
    #[arg(long, default_value_t = 1.5, value_name = "SECONDS")]
    connect_maxwait: f64,
    /// PEM certificate file for TLS (enables TELNETS).
    #[arg(long, value_name = "PATH")]
    ssl_certfile: Option<PathBuf>,
    /// PEM private key file for TLS.
    #[arg(long, value_name = "PATH")]
    ssl_keyfile: Option<PathBuf>,
    /// Accept both TLS and plain telnet on one port, waiting SECONDS (0.5) for a TLS hello.
    #[arg(long, value_name = "SECONDS", num_args = 0..=1, default_missing_value = "0.5")]
    tls_auto: Option<f64>,
    /// At most N clients at once (0: no limit).
    #[arg(long, default_value_t = 0, value_name = "N")]
    max_connections: usize,
    /// Longest input line a shell reads, in bytes; a longer one gets an error and is dropped.
    #[arg(long, default_value_t = 1 << 20, value_name = "BYTES")]
    max_line: usize,
    /// Log level: trace, debug, info, warn (warning), error (critical), off.
    #[arg(long, default_value = "info")]
    loglevel: String,
    /// Log to this file instead of standard error.
    #[arg(long, value_name = "PATH")]
    logfile: Option<PathBuf>,
    /// Log the number of connected clients every SECONDS when it changed (0 disables).
    #[arg(long, default_value_t = 20.0, value_name = "SECONDS")]
    status_interval: f64,
    /// Execute PROGRAM in a PTY for each connection, instead of --shell (its arguments
    /// after --).
    #[arg(long, value_name = "PROGRAM")]
    pty_exec: Option<String>,
    /// Arguments for the --pty-exec program.
    #[arg(last = true, value_name = "ARGS")]
    pty_args: Vec<String>,
    /// At most N clients in the shell at once; later ones get a busy message (0: no limit).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pty_fork_limit: usize,
    /// Check that the client's terminal draws wide unicode; clients that fail (robots) get
    /// the guard shell.
    #[arg(long)]
    robot_check: bool,
}

/// Exits 2 with a one-line error and clap's usage hint.
fn usage_error(message: &str) -> ! {
    Cli::command()
        .error(clap::error::ErrorKind::ValueValidation, message)
        .exit()
}

fn seconds(flag: &str, value: f64) -> Duration {
    if !value.is_finite() || !(0.0..=1e9).contains(&value) {
        usage_error(&format!(
            "invalid value '{value}' for '--{flag}': seconds must be 0 or more"
        ));
    }
    Duration::from_secs_f64(value)
}

fn log_level(name: &str) -> log::LevelFilter {
    match name.to_ascii_lowercase().as_str() {
        "trace" => log::LevelFilter::Trace,
        "debug" => log::LevelFilter::Debug,
        "info" => log::LevelFilter::Info,
        "warn" | "warning" => log::LevelFilter::Warn,
        "error" | "critical" | "fatal" => log::LevelFilter::Error,
        "off" | "none" => log::LevelFilter::Off,
        _ => usage_error(&format!(
            "invalid value '{name}' for '--loglevel': use trace, debug, info, warn, error or off"
        )),
    }
}

fn init_logging(level: log::LevelFilter, logfile: Option<&PathBuf>) {
    let mut builder = env_logger::Builder::new();
    builder.filter_level(level);
    builder.format(|buf, record| {
        writeln!(
            buf,
            "{} {} {} {}",
            buf.timestamp_millis(),
            record.level(),
            record.target(),
            record.args()
        )
    });
    if let Some(path) = logfile {
        match std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            Ok(file) => {
                builder.target(env_logger::Target::Pipe(Box::new(file)));
            }
            Err(err) => usage_error(&format!(
                "cannot open '--logfile' {}: {err}",
                path.display()
            )),
        }
    }
    builder.init();
}

fn main() {
    // Before any thread starts, so that no thread but the one waiting for them takes them.
    let signals = Signals::block(&[SIGINT, SIGTERM]).unwrap_or_else(|err| {
        eprintln!("telnetlib3-server: cannot block SIGINT and SIGTERM: {err}");
        std::process::exit(1);
    });
    let cli = Cli::parse();

    // Semantic checks: every one is a usage error (exit 2).
    let pty_shell = match &cli.pty_exec {
        Some(program) => {
            let shell = PtyShell::new(program)
                .args(&cli.pty_args)
                .cooked(cli.line_mode);
            if let Err(err) = PtyCommand::new(program).program_path() {
                usage_error(&format!(
                    "invalid value '{program}' for '--pty-exec': {err}"
                ));
            }
            Some(shell)
        }
        None if !cli.pty_args.is_empty() => {
            usage_error("arguments after -- are for --pty-exec, which is not given")
        }
        None => None,
    };
    let encoding = match cli.encoding.as_str() {
        "false" | "False" => None,
        name => {
            if Codec::lookup(name).is_none() {
                usage_error(&format!(
                    "invalid value '{name}' for '--encoding': unknown encoding"
                ));
            }
            Some(name)
        }
    };
    if cli.force_binary && encoding.is_none() {
        usage_error("--force-binary needs an encoding (not --encoding false)");
    }
    let timeout = seconds("timeout", cli.timeout);
    let connect_maxwait = seconds("connect-maxwait", cli.connect_maxwait);
    let status_interval = seconds("status-interval", cli.status_interval);
    let tls_auto = cli.tls_auto.map(|s| seconds("tls-auto", s));
    match (&cli.ssl_certfile, &cli.ssl_keyfile) {
        (Some(_), None) => usage_error("--ssl-certfile needs --ssl-keyfile"),
        (None, Some(_)) => usage_error("--ssl-keyfile needs --ssl-certfile"),
        (None, None) if tls_auto.is_some() => {
            usage_error("--tls-auto needs --ssl-certfile and --ssl-keyfile")
        }
        _ => {}
    }
    let level = log_level(&cli.loglevel);
    init_logging(level, cli.logfile.as_ref());

    let mut options = ServerOptions::default()
        .encoding(encoding)
        .force_binary(cli.force_binary)
        .line_mode(cli.line_mode)
        .never_send_ga(cli.never_send_ga)
        .compression(match (cli.compression, cli.no_compression) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        })
        .connect_maxwait(connect_maxwait)
        .timeout((!timeout.is_zero()).then_some(timeout))
        .max_connections(cli.max_connections)
        .max_line(cli.max_line)
        .tls_auto(tls_auto)
        // The echo shell and the PTY echo themselves.
        .echo(cli.shell != "echo" && pty_shell.is_none())
        // The PTY's program gets ^C for the client's IP or BRK, and so on.
        .command_keys(pty_shell.is_some());
    if let (Some(cert), Some(key)) = (&cli.ssl_certfile, &cli.ssl_keyfile) {
        options = options.tls(cert, key);
    }
    let Some(builtin) = shell::by_name(&cli.shell) else {
        usage_error(&format!("invalid value '{}' for '--shell'", cli.shell));
    };
    let guard = Guard::new()
        .limit(Some(cli.pty_fork_limit))
        .robot_check(cli.robot_check);
    let served = match &cli.pty_exec {
        Some(program) => format!("{program} on a PTY"),
        None => format!("shell {}", cli.shell),
    };
    let handler = move |conn: ServerConnection| match &pty_shell {
        Some(pty) => guard.run(conn, |conn| pty.run(&conn)),
        None => guard.run(conn, builtin),
    };
    let server = BlockingTelnetServer::with_options(&cli.host, cli.port, options, handler);
    if let Err(err) = server.start() {
        eprintln!(
            "telnetlib3-server: cannot serve on {}:{}: {err}",
            cli.host, cli.port
        );
        std::process::exit(1);
    }
    log::info!("serving {served} (timeout {:?})", cli.timeout);

    let (wake, woken) = mpsc::channel();
    let started = signals
        .spawn({
            let wake = wake.clone();
            move |signal| {
                let _ = wake.send(Wake::Signal(signal));
            }
        })
        .and_then(|_| {
            let server = server.clone();
            std::thread::Builder::new()
                .name("serve".to_owned())
                .spawn(move || {
                    let _ = wake.send(Wake::Served(server.serve_forever()));
                })
        });
    if let Err(err) = started {
        eprintln!("telnetlib3-server: cannot start a thread: {err}");
        std::process::exit(1);
    }

    // Waits for a signal or the end of serving, logging the number of clients every
    // --status-interval when it changed.
    let mut last_count: Option<usize> = None;
    let mut next_status = Instant::now() + status_interval;
    loop {
        let woke = if status_interval.is_zero() {
            woken.recv().map_err(|_| RecvTimeoutError::Disconnected)
        } else {
            woken.recv_timeout(next_status.saturating_duration_since(Instant::now()))
        };
        match woke {
            Ok(Wake::Signal(signal)) => {
                log::info!("signal {signal} received: saying goodbye to every client");
                for client in server.clients() {
                    let _ = client.write_bytes(b"\r\nServer shutting down.\r\n");
                }
                server.shutdown();
                break;
            }
            Ok(Wake::Served(Ok(()))) | Err(RecvTimeoutError::Disconnected) => break,
            Ok(Wake::Served(Err(err))) => {
                eprintln!("telnetlib3-server: {err}");
                std::process::exit(1);
            }
            Err(RecvTimeoutError::Timeout) => {
                let count = server.clients().len();
                if last_count != Some(count) {
                    log::info!("{count} client(s) connected");
                    last_count = Some(count);
                }
                next_status = Instant::now() + status_interval;
            }
        }
    }
    log::info!("server stopped");
}
