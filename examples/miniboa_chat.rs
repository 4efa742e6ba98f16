//! miniboa's chat room demo (`chat_demo.py`), ported in its own shape: `on_connect` and
//! `on_disconnect` callbacks, a server loop that polls, kicks idle clients and processes input,
//! and miniboa's `TelnetClient` calls (`send_cc`, `cmd_ready`, `get_command`, `idle`,
//! `addrport`, `deactivate`).
//!
//! ```text
//! cargo run --example miniboa_chat -- [HOST] [PORT] [--idle SECONDS]
//! ```
//!
//! Defaults: 127.0.0.1, port 6023 (0 picks a free port, printed), idle limit 300 s. A lone
//! numeric argument is the port. Connect with `telnet 127.0.0.1 6023` from two terminals. Each
//! line is shown to everyone (green for what others say, cyan for your own); `bye` or `/quit`
//! leaves; `shutdown` stops the server (as in the demo, anyone may say it). Clients silent
//! for longer than the idle limit are told so and disconnected.
//!
//! miniboa is single-threaded: `server.poll()` accepts, reads and writes for every client and
//! calls the callbacks. `BlockingTelnetServer` runs a handler thread per client instead, so
//! here a handler only *registers* its client with the main loop (a channel) and then waits
//! until the client is no longer active; the main loop owns `CLIENT_LIST` and does what the
//! demo does, reading input without blocking through `cmd_ready` / `get_command`.
//!
//! How the demo maps onto this file:
//!
//! - `TelnetServer(port, address, on_connect, on_disconnect, timeout=.05)`:
//!   `BlockingTelnetServer::with_options` with a registering handler, plus [`Chat::poll`];
//! - `CLIENT_LIST`, `SERVER_RUN`, `IDLE_TIMEOUT`: the fields of [`Chat`];
//! - `telnet_server.poll()`: [`Chat::poll`], where registrations become `on_connect` and
//!   clients no longer active become `on_disconnect`;
//! - `client.active = False`: `client.deactivate()` (which disconnects at once);
//! - `client.cmd_ready`, `client.get_command()`: `cmd_ready()`, `get_command()`;
//! - `client.send(msg)`: `send_cc(msg)` (caret colour codes, and `\n` sent as CR LF).

use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

use telnetlib3::{BlockingTelnetServer, ServerConnection, ServerOptions};

/// How long one poll waits for a new connection: miniboa's `timeout=.05`.
const POLL_TIMEOUT: Duration = Duration::from_millis(50);
/// How often a handler thread looks whether its client is still active.
const HANDLER_POLL: Duration = Duration::from_millis(50);
/// Bound on each write, so a client that stops reading cannot stall the loop for long.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

const USAGE: &str = "usage: miniboa_chat [HOST] [PORT] [--idle SECONDS]";

struct Args {
    host: String,
    port: u16,
    idle_timeout: Duration,
}

fn parse_args() -> Result<Args, String> {
    let mut idle = 300;
    let mut positional = Vec::new();
    let mut iter = std::env::args().skip(1);
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--idle" => {
                let value = iter.next().ok_or("--idle needs a number of seconds")?;
                idle = value.parse().map_err(|_| format!("bad --idle {value:?}"))?;
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
        idle_timeout: Duration::from_secs(idle),
    })
}

/// Text a user typed, made safe for `send_cc`: their carets stay carets.
fn escape_carets(text: &str) -> String {
    text.replace('^', "^^")
}

/// Whether two handles are the same client. `ServerConnection` has no `==`; the peer address
/// tells the connections of one listening socket apart.
fn same(a: &ServerConnection, b: &ServerConnection) -> bool {
    a.peer_addr() == b.peer_addr()
}

/// The demo's globals.
struct Chat {
    /// `CLIENT_LIST`
    clients: Vec<ServerConnection>,
    /// `IDLE_TIMEOUT`
    idle_timeout: Duration,
    /// `SERVER_RUN`
    server_run: bool,
}

impl Chat {
    /// `telnet_server.poll()`: "Send, Recv, and look for new connections". Writes and reads
    /// happen on their own here, so what is left is calling the callbacks.
    fn poll(&mut self, registrations: &Receiver<ServerConnection>) {
        // New connections (waiting at most POLL_TIMEOUT, like miniboa's select).
        match registrations.recv_timeout(POLL_TIMEOUT) {
            Ok(client) => {
                self.on_connect(client);
                while let Ok(client) = registrations.try_recv() {
                    self.on_connect(client);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => self.server_run = false,
        }
        // Lost connections: hung up, or deactivated by us since the last poll.
        let lost: Vec<ServerConnection> = self
            .clients
            .iter()
            .filter(|client| !client.active())
            .cloned()
            .collect();
        for client in lost {
            self.on_disconnect(&client);
        }
    }

    /// `on_connect(client)`: "Sample on_connect function. Handles new connections."
    fn on_connect(&mut self, client: ServerConnection) {
        println!("INFO Opened connection to {}", client.addrport());
        self.broadcast(&format!(
            "^y{} joins the conversation.^~\n",
            client.addrport()
        ));
        let _ = client.send_cc(&format!(
            "^GWelcome to the Chat Server, {}.^~\n",
            client.addrport()
        ));
        self.clients.push(client);
    }

    /// `on_disconnect(client)`: "Sample on_disconnect function. Handles lost connections."
    fn on_disconnect(&mut self, client: &ServerConnection) {
        println!("INFO Lost connection to {}", client.addrport());
        self.clients.retain(|c| !same(c, client));
        self.broadcast(&format!(
            "^y{} leaves the conversation.^~\n",
            client.addrport()
        ));
    }

    /// `kick_idle()`: "Looks for idle clients and disconnects them by setting active to
    /// False."
    fn kick_idle(&self) {
        // Who hasn't been typing?
        for client in &self.clients {
            if client.active() && client.idle() > self.idle_timeout {
                println!("INFO Kicking idle lobby client from {}", client.addrport());
                let _ = client.send_cc(&format!(
                    "^RYou have been idle for more than {} seconds. Goodbye.^~\n",
                    self.idle_timeout.as_secs()
                ));
                client.deactivate();
            }
        }
    }

    /// `process_clients()`: "Check each client, if client.cmd_ready == True then there is a
    /// line of input available via client.get_command()."
    fn process_clients(&mut self) {
        for client in self.clients.clone() {
            if client.active() && client.cmd_ready() {
                // If the client sends input echo it to the chat room
                self.chat(&client);
            }
        }
    }

    /// `broadcast(msg)`: "Send msg to every client."
    fn broadcast(&self, msg: &str) {
        for client in &self.clients {
            let _ = client.send_cc(msg);
        }
    }

    /// `chat(client)`: "Echo whatever client types to everyone."
    fn chat(&mut self, client: &ServerConnection) {
        let Some(msg) = client.get_command() else {
            return;
        };
        // miniboa passes empty lines on too ("says ''"); a chat room is better off without.
        if msg.is_empty() {
            return;
        }
        println!("INFO {} says '{}'", client.addrport(), msg);

        let shown = escape_carets(&msg);
        for guest in &self.clients {
            if !same(guest, client) {
                let _ = guest.send_cc(&format!("^g{} says '{}'^~\n", client.addrport(), shown));
            } else {
                let _ = guest.send_cc(&format!("^cYou say '{shown}'^~\n"));
            }
        }

        let cmd = msg.to_lowercase();
        // bye = disconnect (and /quit, as chat clients expect)
        if cmd == "bye" || cmd == "/quit" {
            client.deactivate();
        }
        // shutdown == stop the server
        else if cmd == "shutdown" {
            self.server_run = false;
        }
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

    // The handlers' side of on_connect: register the client with the server loop, then keep
    // the connection open until it is no longer active (hung up, or deactivated by the loop).
    // The server's own idle timeout is off: kick_idle does that job, as in miniboa.
    let (register, registrations) = mpsc::channel::<ServerConnection>();
    let options = ServerOptions::default()
        .timeout(None)
        .io_timeout(Some(WRITE_TIMEOUT));
    let server = BlockingTelnetServer::with_options(
        &args.host,
        args.port,
        options,
        move |client: ServerConnection| {
            if register.send(client.clone()).is_err() {
                return; // the server loop is gone
            }
            while client.active() {
                std::thread::sleep(HANDLER_POLL);
            }
        },
    );
    let addr = match server.start() {
        Ok(addr) => addr,
        Err(err) => {
            eprintln!("cannot listen on {}:{}: {err}", args.host, args.port);
            return ExitCode::FAILURE;
        }
    };
    // Accepting and negotiating go on in a thread of their own.
    let acceptor = {
        let server = server.clone();
        std::thread::spawn(move || server.serve_forever())
    };

    let mut chat = Chat {
        clients: Vec::new(),
        idle_timeout: args.idle_timeout,
        server_run: true,
    };
    println!(
        "INFO Listening for connections on port {}. CTRL-C to break.",
        addr.port()
    );

    // Server Loop
    while chat.server_run {
        chat.poll(&registrations); // Send, Recv, and look for new connections
        chat.kick_idle(); // Check for idle clients
        chat.process_clients(); // Check for client input
        if acceptor.is_finished() {
            break;
        }
    }

    chat.broadcast("^RThe server is shutting down.^~\n");
    server.shutdown();
    let served = acceptor.join();
    println!("INFO Server shutdown.");
    match served {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(err)) => {
            eprintln!("{}:{}: {err}", args.host, args.port);
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("the accepting thread panicked");
            ExitCode::FAILURE
        }
    }
}
