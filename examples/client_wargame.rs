//! The telnetlib3 "wargame" client: prints everything the server says and, whenever what came
//! contains a `?`, answers `y`. Ends when the server closes the connection.
//!
//! ```text
//! cargo run --example client_wargame -- [HOST [PORT]]
//! ```
//!
//! Defaults: 127.0.0.1, port 6023. Play it against the wargame server of this crate:
//!
//! ```text
//! cargo run --example server_wargame -- 127.0.0.1 6023 &
//! cargo run --example client_wargame -- 127.0.0.1 6023
//! ```
//!
//! The Python it ports (telnetlib3's README):
//!
//! ```python
//! async def shell(reader, writer):
//!     while True:
//!         output = await reader.read(1024)
//!         if not output:
//!             break
//!         if '?' in output:
//!             writer.write('y\r\n')
//!         print(output, end='', flush=True)
//!     print()
//!
//! reader, writer = await telnetlib3.open_connection('localhost', 6023)
//! await shell(reader, writer)
//! ```
//!
//! Unlike the Python, a server silent for 60 s ends the game (exit status 1), as does a
//! connection that fails; bad arguments exit with 2.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use telnetlib3::{ConnectOptions, Error, TelnetConnection};

/// Bound on the TCP connect and on every write.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Give up when the server says nothing for this long.
const SILENCE: Duration = Duration::from_secs(60);

fn parse_args() -> Result<(String, u16), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() > 2 || args.iter().any(|a| a == "-h" || a == "--help") {
        return Err("usage: client_wargame [HOST [PORT]]".into());
    }
    let host = args.first().cloned().unwrap_or_else(|| "127.0.0.1".into());
    let port = match args.get(1) {
        Some(port) => port.parse().map_err(|_| format!("bad port {port:?}"))?,
        None => 6023,
    };
    Ok((host, port))
}

fn play(host: &str, port: u16) -> telnetlib3::Result<()> {
    let options = ConnectOptions::default()
        .connect_timeout(Some(TIMEOUT))
        .timeout(Some(TIMEOUT));
    let conn = TelnetConnection::connect_with(host, port, options)?;
    loop {
        // reader.read(1024); "if not output: break" is Error::Eof here.
        let output = match conn.read(1024, Some(SILENCE)) {
            Ok(output) => output,
            Err(Error::Eof) => break,
            Err(err) => return Err(err),
        };
        if output.contains('?') {
            // The server may already be gone; the next read tells (Eof) and ends the game.
            if let Err(err) = conn.write("y\r\n") {
                if !err.is_disconnect() {
                    return Err(err);
                }
            }
        }
        print!("{output}");
        let _ = std::io::stdout().flush();
    }
    println!();
    Ok(())
}

fn main() -> ExitCode {
    let (host, port) = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match play(&host, port) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Timeout) => {
            eprintln!("\n{host}:{port}: the server said nothing for {SILENCE:?}");
            ExitCode::FAILURE
        }
        Err(err) => {
            eprintln!("\n{host}:{port}: {err}");
            ExitCode::FAILURE
        }
    }
}
