//! The telnetlib3 "wargame" server: asks `Would you like to play a game? `, reads one
//! character, echoes it, answers `They say the only way to win is to not play at all.` and
//! hangs up.
//!
//! ```text
//! cargo run --example server_wargame -- [HOST] [PORT]
//! ```
//!
//! Defaults: 127.0.0.1, port 6023; port 0 picks a free port (the address is printed). A lone
//! numeric argument is the port. Serves until Ctrl-C. Play with `telnet 127.0.0.1 6023` or:
//!
//! ```text
//! cargo run --example client_wargame -- 127.0.0.1 6023
//! ```
//!
//! The Python it ports (telnetlib3's documentation):
//!
//! ```python
//! async def shell(reader, writer):
//!     writer.write('\r\nWould you like to play a game? ')
//!     inp = await reader.read(1)
//!     if inp:
//!         writer.echo(inp)
//!         writer.write('\r\nThey say the only way to win '
//!                      'is to not play at all.\r\n')
//!         await writer.drain()
//!     writer.close()
//!
//! server = await telnetlib3.create_server(port=6023, shell=shell)
//! await server.wait_closed()
//! ```

use std::process::ExitCode;
use std::time::Duration;

use telnetlib3::telopt::ECHO;
use telnetlib3::{BlockingTelnetServer, Error, ServerConnection, ServerOptions};

/// How long a player may think before the server gives up on them.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(120);
/// Bound on each write.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

const USAGE: &str = "usage: server_wargame [HOST] [PORT]";

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

/// The shell: one question, one answer. Returns the answer.
fn play(conn: &ServerConnection) -> telnetlib3::Result<String> {
    conn.write("\r\nWould you like to play a game? ")?;
    let inp = conn.read(1, Some(ANSWER_TIMEOUT))?;
    // writer.echo(inp): telnetlib3 echoes only while the server performs ECHO. The automatic
    // echo is turned off in main (ServerOptions::echo), so this is the only echo there is.
    if conn.local_enabled(ECHO) {
        conn.write(&inp)?;
    }
    conn.write("\r\nThey say the only way to win is to not play at all.\r\n")?;
    Ok(inp)
}

/// The handler: plays, says on the console how it went, hangs up.
fn shell(conn: ServerConnection) {
    let peer = conn.addrport();
    match play(&conn) {
        Ok(inp) => println!("{peer}: answered {inp:?}"),
        // "if inp:" -- an empty read is the client hanging up.
        Err(Error::Eof) => println!("{peer}: left without answering"),
        Err(Error::Timeout) => println!("{peer}: no answer within {ANSWER_TIMEOUT:?}"),
        Err(err) => println!("{peer}: {err}"),
    }
    // writer.close() (the server would close it anyway when the handler returns).
    conn.close();
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
        .echo(false)
        .io_timeout(Some(WRITE_TIMEOUT));
    let server = BlockingTelnetServer::with_options(&host, port, options, shell);
    match server.start() {
        Ok(addr) => println!("wargame server listening on {addr}; Ctrl-C to stop"),
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
