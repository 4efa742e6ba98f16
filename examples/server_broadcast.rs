//! A chat server: every line a client types goes to every *other* client, found through
//! `BlockingTelnetServer::clients()`. Joins and leaves are announced; `/quit` leaves.
//!
//! ```text
//! cargo run --example server_broadcast -- [HOST] [PORT]
//! ```
//!
//! Defaults: 127.0.0.1, port 6023; port 0 picks a free port (the address is printed). A lone
//! numeric argument is the port. Serves until Ctrl-C. Chat from two terminals:
//!
//! ```text
//! telnet 127.0.0.1 6023
//! ```
//!
//! The handler needs the server (for `clients()`), but the server is built from the handler.
//! The knot is tied with a `OnceLock` filled right after the server is built and before it
//! serves, so every handler finds it set. (The server then holds, through its handler, a
//! handle to itself; that is harmless for a server that lives as long as the process.)

use std::process::ExitCode;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use telnetlib3::{BlockingTelnetServer, Error, ServerConnection, ServerOptions};

/// Disconnect clients that send nothing for this long (the server says `Timeout.`).
const IDLE: Duration = Duration::from_secs(300);
/// Bound on each write, so one client that stops reading cannot stall everyone's messages.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

const USAGE: &str = "usage: server_broadcast [HOST] [PORT]";

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

/// Sends `text` to every client but `from`. A client that cannot take it (gone, or not
/// reading) is skipped; its own handler notices and ends its session.
fn broadcast(server: &BlockingTelnetServer, from: &ServerConnection, text: &str) {
    // ServerConnection has no identity of its own to compare; the peer address is unique among
    // the connections of one listening socket.
    let me = from.peer_addr();
    for other in server.clients() {
        if other.peer_addr() != me {
            if let Err(err) = other.write(text) {
                println!("{}: not delivered: {err}", other.addrport());
            }
        }
    }
}

/// One client's session.
fn chat(server: &BlockingTelnetServer, conn: &ServerConnection) {
    let name = conn.addrport();
    println!("{name}: joined");
    let others = server.clients().len().saturating_sub(1);
    let welcome =
        format!("Welcome, {name}! {others} other(s) here. Type to talk; /quit leaves.\r\n");
    if conn.write(&welcome).is_err() {
        return;
    }
    broadcast(server, conn, &format!("* {name} joined\r\n"));
    loop {
        let line = match conn.readline(Some(IDLE + Duration::from_secs(1))) {
            Ok(line) => line,
            // Hung up, or closed by the idle timeout.
            Err(Error::Eof) => break,
            Err(err) => {
                println!("{name}: {err}");
                break;
            }
        };
        let text = line.trim();
        if text == "/quit" {
            let _ = conn.write("Bye.\r\n");
            break;
        }
        if text.is_empty() {
            continue;
        }
        println!("{name}: {text}");
        broadcast(server, conn, &format!("<{name}> {text}\r\n"));
    }
    // Closed first, so that clients() no longer lists it for the announcement.
    conn.close();
    broadcast(server, conn, &format!("* {name} left\r\n"));
    println!("{name}: left");
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

    // The server, once built, for the handlers.
    let slot: Arc<OnceLock<BlockingTelnetServer>> = Arc::new(OnceLock::new());
    let handler_slot = Arc::clone(&slot);
    let server = BlockingTelnetServer::with_options(&host, port, options, move |conn| {
        // Always set: it is filled before serve_forever accepts anyone.
        if let Some(server) = handler_slot.get() {
            chat(server, &conn);
        }
    });
    // A clone shares the server (clients, listener, shutdown).
    let _ = slot.set(server.clone());

    match server.start() {
        Ok(addr) => println!("chat server listening on {addr}; Ctrl-C to stop"),
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
