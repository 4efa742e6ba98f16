//! A blocking telnet client: connect, print the banner, send one command, print the reply,
//! close. The `TelnetConnection` counterpart of telnetlib3.sync's client example.
//!
//! ```text
//! cargo run --example blocking_client -- [HOST [PORT [COMMAND]]] [--prompt TEXT]
//! ```
//!
//! Defaults: 127.0.0.1, port 6023, command `help`. The banner is whatever the server sends
//! until it has been quiet for half a second (at most 10 s for the first byte). The reply is
//! read the same way, or, with `--prompt TEXT`, up to and including `TEXT` (for example
//! `--prompt 'tel:sh> '` against `telnetlib3-server`). Every wait is bounded.
//!
//! Try it against the echo server of this crate:
//!
//! ```text
//! cargo run --example blocking_echo_server -- 127.0.0.1 6023 &
//! cargo run --example blocking_client -- 127.0.0.1 6023 'hello there'
//! ```
//!
//! Exit status: 0 when a reply came, 1 when the connection failed or the server said nothing,
//! 2 for bad arguments.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use telnetlib3::{ConnectOptions, Error, TelnetConnection};

/// Bound on the TCP connect, on every write, and on the wait for the first byte of a reply.
const TIMEOUT: Duration = Duration::from_secs(10);
/// A reply is over once the server has been quiet this long.
const QUIET: Duration = Duration::from_millis(500);

struct Args {
    host: String,
    port: u16,
    command: String,
    prompt: Option<String>,
}

const USAGE: &str = "usage: blocking_client [HOST [PORT [COMMAND]]] [--prompt TEXT]";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        host: "127.0.0.1".into(),
        port: 6023,
        command: "help".into(),
        prompt: None,
    };
    let mut positional = Vec::new();
    let mut iter = std::env::args().skip(1);
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--prompt" => args.prompt = Some(iter.next().ok_or("--prompt needs a value")?),
            "-h" | "--help" => return Err(USAGE.into()),
            _ => positional.push(arg),
        }
    }
    let mut positional = positional.into_iter();
    if let Some(host) = positional.next() {
        args.host = host;
    }
    if let Some(port) = positional.next() {
        args.port = port.parse().map_err(|_| format!("bad port {port:?}"))?;
    }
    if let Some(command) = positional.next() {
        args.command = command;
    }
    if positional.next().is_some() {
        return Err(USAGE.into());
    }
    Ok(args)
}

/// Reads until the server has been quiet for [`QUIET`], waiting at most `first` for the first
/// piece. Returns what came (maybe nothing); the end of the stream ends it too.
fn read_quiet(conn: &TelnetConnection, first: Duration) -> telnetlib3::Result<String> {
    let mut text = String::new();
    let mut wait = first;
    loop {
        match conn.read_some(Some(wait)) {
            Ok(chunk) => {
                text.push_str(&chunk);
                wait = QUIET;
            }
            Err(Error::Timeout) => return Ok(text),
            Err(Error::Eof) => return Ok(text),
            Err(err) => return Err(err),
        }
    }
}

fn run(args: &Args) -> telnetlib3::Result<bool> {
    let options = ConnectOptions::default()
        .connect_timeout(Some(TIMEOUT))
        .timeout(Some(TIMEOUT));
    let conn = TelnetConnection::connect_with(&args.host, args.port, options)?;
    eprintln!(
        "--- connected to {}:{} (mode {}, encoding {})",
        args.host,
        args.port,
        conn.get_extra_info("mode").unwrap_or_default(),
        conn.get_extra_info("encoding").unwrap_or_default(),
    );

    // The banner: whatever the server says before we do.
    let banner = match &args.prompt {
        Some(prompt) => read_prompt(&conn, prompt)?,
        None => read_quiet(&conn, TIMEOUT)?,
    };
    print!("{banner}");
    let _ = std::io::stdout().flush();
    if conn.at_eof() {
        eprintln!("\n--- the server closed the connection before we sent anything");
        return Ok(false);
    }

    eprintln!("\n--- sending {:?}", args.command);
    conn.write(&format!("{}\r\n", args.command))?;

    let reply = match &args.prompt {
        Some(prompt) => read_prompt(&conn, prompt)?,
        None => read_quiet(&conn, TIMEOUT)?,
    };
    print!("{reply}");
    println!();
    let server_closed = conn.at_eof();
    conn.close();
    if reply.is_empty() {
        if server_closed {
            eprintln!("--- the server closed the connection without a reply");
        } else {
            eprintln!("--- no reply within {TIMEOUT:?}");
        }
        return Ok(false);
    }
    eprintln!("--- closed");
    Ok(true)
}

/// Reads up to and including `prompt`; on a timeout or the end of the stream, whatever came.
fn read_prompt(conn: &TelnetConnection, prompt: &str) -> telnetlib3::Result<String> {
    match conn.read_until(prompt, Some(TIMEOUT)) {
        Ok(text) => Ok(text),
        // read_until leaves the data buffered when the prompt does not come: take it anyway.
        Err(Error::Timeout | Error::Eof) => {
            eprintln!("--- no {prompt:?} within {TIMEOUT:?}");
            read_quiet(conn, Duration::ZERO)
        }
        Err(err) => Err(err),
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("{}:{}: {err}", args.host, args.port);
            ExitCode::FAILURE
        }
    }
}
