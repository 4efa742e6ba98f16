//! A blocking echo server: greets each client, answers every line with `Echo: <line>`, and ends
//! the session on `quit`. One thread per client; serves until Ctrl-C.
//!
//! ```text
//! cargo run --example blocking_echo_server -- [HOST] [PORT]
//! ```
//!
//! Defaults: 127.0.0.1, port 6023; port 0 picks a free port (the address is printed). A lone
//! numeric argument is the port. Clients idle for 5 minutes are told `Timeout.` and
//! disconnected (`ServerOptions::timeout`). Then, in another terminal:
//!
//! ```text
//! telnet 127.0.0.1 6023
//! cargo run --example blocking_client -- 127.0.0.1 6023 'hello there'
//! ```
//!
//! The server performs ECHO (telnetlib3's default negotiation), so what a client types is
//! echoed as it is typed, with backspace editing; the `Echo:` line follows each Enter.

use std::process::ExitCode;
use std::time::Duration;

use telnetlib3::{BlockingTelnetServer, Error, ServerConnection, ServerOptions};

/// Disconnect clients that send nothing for this long.
const IDLE: Duration = Duration::from_secs(300);
/// Bound on each write, so a client that stops reading cannot hold its thread for ever.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

const USAGE: &str = "usage: blocking_echo_server [HOST] [PORT]";

fn parse_args() -> Result<(String, u16), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (host, port) = match args.as_slice() {
        [] => (None, None),
        [flag] if flag.starts_with('-') => return Err(USAGE.into()),
        [port] if port.parse::<u16>().is_ok() => (None, Some(port)),
        [host] => (Some(host), None),
        [host, port] => (Some(host), Some(port)),
        _ => return Err(USAGE.into()),
    };
    let port = match port {
        Some(port) => port.parse().map_err(|_| format!("bad port {port:?}"))?,
        None => 6023,
    };
    Ok((host.cloned().unwrap_or_else(|| "127.0.0.1".into()), port))
}

/// One client's session.
fn echo(conn: ServerConnection) {
    let peer = conn.addrport();
    println!(
        "{peer}: connected (TERM={}, {}x{}, mode {})",
        conn.terminal_type(),
        conn.columns(),
        conn.rows(),
        conn.mode().as_str()
    );
    if let Err(err) = conn.write("Hello! Type something; `quit` ends the session.\r\n") {
        println!("{peer}: {err}");
        return;
    }
    loop {
        // Waits until a line comes; the server's idle timeout ends a silent session (Eof).
        let line = match conn.readline(Some(IDLE + Duration::from_secs(1))) {
            Ok(line) => line,
            Err(Error::Eof) => break,
            Err(err) => {
                println!("{peer}: {err}");
                break;
            }
        };
        let text = line.trim_end_matches(['\r', '\n']);
        if text.trim() == "quit" {
            let _ = conn.write("Goodbye.\r\n");
            break;
        }
        if let Err(err) = conn.write(&format!("Echo: {text}\r\n")) {
            println!("{peer}: {err}");
            break;
        }
    }
    println!("{peer}: disconnected");
}

fn main() -> ExitCode {
    let (host, port) = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let options = ServerOptions::default()
        .timeout(Some(IDLE))
        .io_timeout(Some(WRITE_TIMEOUT));
    let server = BlockingTelnetServer::with_options(&host, port, options, echo);
    // start() binds, so the real port is known (port 0) before serving.
    match server.start() {
        Ok(addr) => println!("echo server listening on {addr}; Ctrl-C to stop"),
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
