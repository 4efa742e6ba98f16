//! The shells `telnetlib3-server` can serve, each a handler for
//! [`BlockingTelnetServer`](crate::BlockingTelnetServer): [`telsh`] (telnetlib3's debugging
//! shell, `tel:sh>`), [`echo`] (every byte back, for benchmarks) and [`wargame`]; a program on
//! a PTY for each client ([`PtyShell`]); and [`guard`]s that limit sessions and turn robots
//! away.
//!
//! The shells write and read bytes only (their text is ASCII), so they work with an encoding
//! and without one (`encoding(None)`) alike.
//!
//! ```no_run
//! use telnetlib3::{shell, BlockingTelnetServer};
//! let server = BlockingTelnetServer::new("127.0.0.1", 6023, shell::telsh);
//! server.serve_forever()?;
//! # Ok::<(), telnetlib3::Error>(())
//! ```

pub mod guard;
mod pty;
mod telsh;

pub use pty::PtyShell;
pub use telsh::{telsh, HELP};

use crate::telopt::ECHO;
use crate::ServerConnection;

/// A shell: a handler run for each client.
pub type Shell = fn(ServerConnection);

/// The shells by name, the default (`telsh`) first.
pub const SHELLS: &[(&str, Shell)] = &[("telsh", telsh), ("echo", echo), ("wargame", wargame)];

/// The shell called `name` (`telsh`, `echo` or `wargame`).
#[must_use]
pub fn by_name(name: &str) -> Option<Shell> {
    SHELLS.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

/// Echoes every byte received, with no greeting, until the client leaves. Serve it with
/// [`ServerOptions::echo(false)`](crate::ServerOptions::echo), or what the client types comes
/// back twice (once from the server's line discipline, once from this shell).
pub fn echo(conn: ServerConnection) {
    while let Ok(data) = conn.read_some_bytes(None) {
        if conn.write_bytes(&data).is_err() {
            break;
        }
    }
}

/// telnetlib3's `wargame` shell: asks a question, takes one key, and closes.
///
/// The key is echoed by the server's line discipline when the server performs ECHO, and by the
/// client itself when it does not; this shell writes it back only when neither would (the
/// server performs ECHO but its echo option is off).
pub fn wargame(conn: ServerConnection) {
    if conn
        .write_bytes(b"\r\nWould you like to play a game? ")
        .is_err()
    {
        return;
    }
    let Ok(key) = conn.read_bytes(1, None) else {
        return;
    };
    if conn.local_enabled(ECHO) && !conn.line_discipline() {
        let _ = conn.write_bytes(&key);
    }
    let _ = conn.write_bytes(b"\r\nThey say the only way to win is to not play at all.\r\n");
    conn.close();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shells_by_name() {
        assert!(by_name("telsh").is_some());
        assert!(by_name("echo").is_some());
        assert!(by_name("wargame").is_some());
        assert!(by_name("bash").is_none());
        assert_eq!(SHELLS[0].0, "telsh");
    }
}
