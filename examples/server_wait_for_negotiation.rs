//! A server whose handler waits (at most 5 s) until the client has agreed to NAWS, TTYPE and
//! BINARY, then tells the client, and the console, what it learnt: terminal type, window
//! size, mode, charset and encoding. Enter (or 30 s) ends the session.
//!
//! ```text
//! cargo run --example server_wait_for_negotiation -- [HOST] [PORT] [--maxwait SECONDS]
//! ```
//!
//! Defaults: 127.0.0.1, port 6023; port 0 picks a free port (the address is printed). A lone
//! numeric argument is the port. Serves until Ctrl-C. Try it with `telnet 127.0.0.1 6023`,
//! `telnetlib3-client 127.0.0.1 6023`, or this crate's client:
//!
//! ```text
//! cargo run --example blocking_client -- 127.0.0.1 6023
//! ```
//!
//! Before a handler runs, the server waits up to `connect_maxwait` (4 s by default) for the
//! whole negotiation to settle, so with a prompt client `wait_for` returns at once and is the
//! safety net for a slow one. `--maxwait 0` starts handlers at once: then `wait_for` is what
//! waits, for just the three options asked for, and what the client says later (NEW_ENVIRON's
//! LANG, CHARSET) may not have come yet when the report is written.
//!
//! A client that never agrees to one of the options (a raw `nc`, say) still gets an answer
//! after the timeout, with the defaults standing in for what it did not say.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use telnetlib3::telopt::{BINARY, NAWS, TTYPE};
use telnetlib3::{BlockingTelnetServer, Error, ServerConnection, ServerOptions, WaitFor};

/// Longest wait for the three options.
const NEGOTIATION_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the report stays up before the server hangs up.
const LINGER: Duration = Duration::from_secs(30);
/// Bound on each write.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

const USAGE: &str = "usage: server_wait_for_negotiation [HOST] [PORT] [--maxwait SECONDS]";

struct Args {
    host: String,
    port: u16,
    /// `ServerOptions::connect_maxwait`; `None` keeps the default (4 s).
    maxwait: Option<Duration>,
}

fn parse_args() -> Result<Args, String> {
    let mut maxwait = None;
    let mut positional = Vec::new();
    let mut iter = std::env::args().skip(1);
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--maxwait" => {
                let value = iter.next().ok_or("--maxwait needs a number of seconds")?;
                let secs: f64 = value
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s >= 0.0)
                    .ok_or_else(|| format!("bad --maxwait {value:?}"))?;
                maxwait = Some(Duration::from_secs_f64(secs));
            }
            _ if arg.starts_with('-') => return Err(USAGE.into()),
            _ => positional.push(arg),
        }
    }
    let (host, port) = match positional.as_slice() {
        [] => (None, None),
        [port] if port.parse::<u16>().is_ok() => (None, Some(port)),
        [host] => (Some(host), None),
        [host, port] => (Some(host), Some(port)),
        _ => return Err(USAGE.into()),
    };
    let port = match port {
        Some(port) => port.parse().map_err(|_| format!("bad port {port:?}"))?,
        None => 6023,
    };
    Ok(Args {
        host: host.cloned().unwrap_or_else(|| "127.0.0.1".into()),
        port,
        maxwait,
    })
}

fn yes_no(enabled: bool) -> &'static str {
    if enabled {
        "yes"
    } else {
        "no"
    }
}

/// The handler.
fn report(conn: ServerConnection) {
    let peer = conn.addrport();
    let wanted = WaitFor::default()
        .remote("NAWS", true)
        .remote("TTYPE", true)
        .remote("BINARY", true);
    let started = Instant::now();
    let outcome = match conn.wait_for(&wanted, Some(NEGOTIATION_TIMEOUT)) {
        Ok(()) => format!(
            "NAWS, TTYPE and BINARY agreed ({:.1} ms after the handler started)",
            started.elapsed().as_secs_f64() * 1000.0
        ),
        Err(Error::Timeout) => {
            format!("not all of NAWS, TTYPE and BINARY were agreed within {NEGOTIATION_TIMEOUT:?}")
        }
        Err(err) => {
            println!("{peer}: {err}");
            return;
        }
    };

    let info = |key: &str| conn.get_extra_info(key).unwrap_or_else(|| "-".into());
    let mut text = String::new();
    let _ = write!(text, "\r\n{outcome}.\r\n");
    let _ = write!(
        text,
        "  NAWS: {}  TTYPE: {}  BINARY: {}\r\n",
        yes_no(conn.remote_enabled(NAWS)),
        yes_no(conn.remote_enabled(TTYPE)),
        yes_no(conn.remote_enabled(BINARY)),
    );
    let _ = write!(text, "  TERM:     {}\r\n", info("TERM"));
    let _ = write!(text, "  window:   {} x {}\r\n", info("cols"), info("rows"));
    let _ = write!(text, "  mode:     {}\r\n", info("mode"));
    let _ = write!(text, "  charset:  {}\r\n", info("charset"));
    let _ = write!(text, "  encoding: {}\r\n", info("encoding"));
    let _ = write!(text, "  LANG:     {}\r\n", info("LANG"));
    print!("{peer}: {}", text.trim_start().replace("\r\n", "\n"));
    text.push_str("Press Enter to disconnect.\r\n");
    if let Err(err) = conn.write(&text) {
        println!("{peer}: {err}");
        return;
    }
    // Hanging up at once could cut the client off in the middle of its own negotiation (its
    // replies would then meet a closed socket, and a reset can lose the report on its way);
    // the client reads in peace and leaves with Enter, or is let go after a while.
    let _ = conn.readline(Some(LINGER));
    conn.close();
}

fn main() -> ExitCode {
    let Args {
        host,
        port,
        maxwait,
    } = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let mut options = ServerOptions::default().io_timeout(Some(WRITE_TIMEOUT));
    if let Some(maxwait) = maxwait {
        options = options.connect_maxwait(maxwait);
    }
    let server = BlockingTelnetServer::with_options(&host, port, options, report);
    match server.start() {
        Ok(addr) => println!("negotiation reporter listening on {addr}; Ctrl-C to stop"),
        Err(err) => {
            eprintln!("cannot listen on {host}:{port}: {err}");
            return ExitCode::FAILURE;
        }
    }
    match server.serve_forever() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{host}:{port}: {err}");
            ExitCode::FAILURE
        }
    }
}
