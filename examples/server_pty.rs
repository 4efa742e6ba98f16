//! A login-less shell server: each client gets its own `/bin/sh` (or the program given) on a
//! PTY, at most two at once, and only clients whose terminal draws wide Unicode get in.
//!
//! ```text
//! cargo run --example server_pty -- [HOST] [PORT] [PROGRAM [ARGS...]]
//! ```
//!
//! Defaults: 127.0.0.1, port 6023, `/bin/sh`. Serves until Ctrl-C. Try it with
//! `cargo run --bin telnetlib3-client -- 127.0.0.1 6023` in a terminal, or `telnet`.
//!
//! This is what `telnetlib3-server --pty-exec /bin/sh --pty-fork-limit 2 --robot-check` does,
//! with the library's pieces: [`PtyShell`] runs the program for each client, [`Guard`] turns
//! away the third client (busy shell) and clients that fail the robot check (robot shell).
//! The PTY is cooked here, so `/bin/sh`, which does not drive the terminal itself, echoes and
//! edits lines.

use std::process::ExitCode;
use std::time::Duration;

use telnetlib3::shell::guard::Guard;
use telnetlib3::shell::PtyShell;
use telnetlib3::{BlockingTelnetServer, ServerOptions};

/// Clients idle this long are disconnected (and their program hung up).
const IDLE_TIMEOUT: Duration = Duration::from_secs(600);
/// How long the robot check waits for each cursor position report.
const ROBOT_TIMEOUT: Duration = Duration::from_secs(5);

const USAGE: &str = "usage: server_pty [HOST] [PORT] [PROGRAM [ARGS...]]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a.starts_with('-')) {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let host = args.first().cloned().unwrap_or_else(|| "127.0.0.1".into());
    let port = match args.get(1).map(|p| p.parse::<u16>()) {
        None => 6023,
        Some(Ok(port)) => port,
        Some(Err(_)) => {
            eprintln!("bad port; {USAGE}");
            return ExitCode::from(2);
        }
    };
    let program = args.get(2).cloned().unwrap_or_else(|| "/bin/sh".into());
    let shell = PtyShell::new(&program)
        .args(args.iter().skip(3))
        .cooked(true);
    let guard = Guard::new()
        .limit(Some(2))
        .robot_check(true)
        .robot_timeout(ROBOT_TIMEOUT);
    // The PTY echoes, so the server's own echo of typed input is off.
    let options = ServerOptions::default()
        .echo(false)
        .timeout(Some(IDLE_TIMEOUT));
    let server = BlockingTelnetServer::with_options(&host, port, options, move |conn| {
        guard.run(conn, |conn| shell.run(&conn));
    });
    match server.start() {
        Ok(addr) => println!("{program} on a PTY for each client of {addr}; Ctrl-C to stop"),
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
