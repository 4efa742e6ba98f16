//! A bytes-only server (`encoding: None`): each chunk a client sends comes back as a line
//! of hex, exactly as it arrived — backspace, DEL, NUL and 0xFF included — the way a binary
//! transfer or a custom protocol over telnet needs. telnetlib3's `server_binary` example, in
//! Rust.
//!
//! ```text
//! cargo run --example server_binary -- [PORT]
//! ```
//!
//! Default port 6023; port 0 picks a free one (the address is printed). Then:
//!
//! ```text
//! printf 'ab\bc\x7fd\r\n' | nc 127.0.0.1 6023
//! ```
//!
//! Input reaches the handler unedited: a bytes-only connection (or one where the client
//! agreed to BINARY) is never subject to the line editing the server does for text typed by
//! a person, and `0xFF` arrives once though the wire doubles it.

use std::process::ExitCode;
use std::time::Duration;

use telnetlib3::{BlockingTelnetServer, Error, ServerConnection, ServerOptions};

const IDLE: Duration = Duration::from_secs(300);

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn binary_echo(conn: ServerConnection) {
    if conn
        .write_bytes(b"[binary echo] send bytes; each chunk comes back as hex\r\n")
        .is_err()
    {
        return;
    }
    loop {
        match conn.read_some_bytes(Some(IDLE)) {
            Ok(data) => {
                println!("{}: {} bytes", conn.addrport(), data.len());
                let line = format!("{}\r\n", hex(&data));
                if conn.write_bytes(line.as_bytes()).is_err() {
                    return;
                }
            }
            Err(Error::Eof | Error::Closed | Error::Timeout) => return,
            Err(err) => {
                println!("{}: {err}", conn.addrport());
                return;
            }
        }
    }
}

fn main() -> ExitCode {
    let port = match std::env::args().nth(1).map(|p| p.parse::<u16>()) {
        None => 6023,
        Some(Ok(port)) => port,
        Some(Err(_)) => {
            eprintln!("usage: server_binary [PORT]");
            return ExitCode::from(2);
        }
    };
    let options = ServerOptions::default().encoding(None).timeout(Some(IDLE));
    let server = BlockingTelnetServer::with_options("127.0.0.1", port, options, binary_echo);
    match server.start() {
        Ok(addr) => println!("binary echo server listening on {addr}; Ctrl-C to stop"),
        Err(err) => {
            eprintln!("cannot listen on port {port}: {err}");
            return ExitCode::FAILURE;
        }
    }
    match server.serve_forever() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{err}");
            ExitCode::FAILURE
        }
    }
}
