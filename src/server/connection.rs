//! One client of the server: [`ServerConnection`], with miniboa's `TelnetClient` API.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, SystemTime};

use crate::connection::Connection;
use crate::protocol::Side;
use crate::telopt::{self, ECHO, NAWS, SGA, TTYPE};
#[allow(unused_imports)] // Named in the docs.
use crate::Error;
use crate::Result;

use super::text::{colorize, word_wrap};
#[allow(unused_imports)] // Named in the docs.
use super::BlockingTelnetServer;
use super::ServerOptions;

pub(super) struct ConnInner {
    pub(super) conn: Connection,
    pub(super) id: u64,
    options: ServerOptions,
    connect_time: SystemTime,
    active: AtomicBool,
}

/// One client of a [`BlockingTelnetServer`]: telnetlib3.sync's `ServerConnection` methods plus
/// miniboa's `TelnetClient` API.
///
/// Every I/O method of [`Connection`] is here through `Deref` (read, readline, read_until,
/// write, prompt, wait_for, get_extra_info, events, …). Cheap to clone (clones share the
/// connection); the connection closes when the handler returns, at [`close`](Self::close), or
/// when the last clone is dropped. Timeouts given as `None` use [`ServerOptions::io_timeout`].
///
/// miniboa and telnetlib3 disagree in two places; this type follows:
/// - [`terminal_type`](Self::terminal_type) defaults to telnetlib3's `"unknown"` (the
///   `term` option), not miniboa's `"ANSI"`;
/// - [`active`](Self::active) turns false when the client hangs up, as in miniboa (telnetlib3
///   has no such flag).
#[derive(Clone)]
pub struct ServerConnection {
    inner: Arc<ConnInner>,
}

impl std::fmt::Debug for ServerConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConnection")
            .field("peer", &self.peer_addr())
            .field("active", &self.active())
            .finish_non_exhaustive()
    }
}

impl std::ops::Deref for ServerConnection {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.inner.conn
    }
}

impl ServerConnection {
    pub(super) fn new(conn: Connection, id: u64, options: ServerOptions) -> Self {
        Self {
            inner: Arc::new(ConnInner {
                conn,
                id,
                options,
                connect_time: SystemTime::now(),
                active: AtomicBool::new(true),
            }),
        }
    }

    pub(super) fn id(&self) -> u64 {
        self.inner.id
    }

    pub(super) fn downgrade(&self) -> Weak<ConnInner> {
        Arc::downgrade(&self.inner)
    }

    pub(super) fn upgrade(weak: &Weak<ConnInner>) -> Option<Self> {
        weak.upgrade().map(|inner| Self { inner })
    }

    fn session(&self) -> &crate::engine::Engine {
        self.inner.conn.engine()
    }

    pub(super) fn negotiation_summary(&self) -> String {
        self.session().negotiator(|neg| {
            let status = neg.status_report();
            let names = |opts: &[u8]| {
                opts.iter()
                    .map(|&o| telopt::Opt(o).to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            };
            format!(
                "mode:{} server-will:{} client-will:{} TERM={}",
                neg.mode().as_str(),
                names(&status.local),
                names(&status.remote),
                neg.info().term.as_deref().unwrap_or("?")
            )
        })
    }

    /// Shuts the connection at once, without waiting for a write in flight (server shutdown).
    pub(super) fn abort(&self) {
        self.inner.active.store(false, Ordering::SeqCst);
        self.inner.conn.engine().abort();
    }

    /// Closes the connection (and marks it inactive). Idempotent.
    pub fn close(&self) {
        self.inner.active.store(false, Ordering::SeqCst);
        self.inner.conn.close();
    }

    // miniboa's TelnetClient API

    /// Whether the connection is in use: false after [`deactivate`](Self::deactivate),
    /// [`close`](Self::close), or the client hanging up.
    #[must_use]
    pub fn active(&self) -> bool {
        self.inner.active.load(Ordering::SeqCst)
            && !self.session().is_closed()
            && !self.session().at_eof()
    }

    /// Sets [`active`](Self::active); `false` disconnects the client (miniboa does it on the
    /// next poll; here at once).
    pub fn set_active(&self, active: bool) {
        if active {
            self.inner
                .active
                .store(!self.session().is_closed(), Ordering::SeqCst);
        } else {
            self.close();
        }
    }

    /// Disconnects the client (miniboa's `deactivate`).
    pub fn deactivate(&self) {
        self.set_active(false);
    }

    /// The client's IP address.
    #[must_use]
    pub fn address(&self) -> String {
        self.peer_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_default()
    }

    /// The client's port.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.peer_addr().map_or(0, |a| a.port())
    }

    /// `"address:port"`.
    #[must_use]
    pub fn addrport(&self) -> String {
        format!("{}:{}", self.address(), self.port())
    }

    /// The terminal type the client gave, else the `term` option (`"unknown"`).
    #[must_use]
    pub fn terminal_type(&self) -> String {
        self.session()
            .negotiator(|neg| neg.info().term.clone())
            .unwrap_or_else(|| self.inner.options.term.clone())
    }

    /// Window width from NAWS, else the `cols` option.
    #[must_use]
    pub fn columns(&self) -> u16 {
        self.session()
            .negotiator(|neg| neg.info().window.map(|w| w.0))
            .unwrap_or(self.inner.options.cols)
    }

    /// Window height from NAWS, else the `rows` option.
    #[must_use]
    pub fn rows(&self) -> u16 {
        self.session()
            .negotiator(|neg| neg.info().window.map(|w| w.1))
            .unwrap_or(self.inner.options.rows)
    }

    /// When the client connected.
    #[must_use]
    pub fn connect_time(&self) -> SystemTime {
        self.inner.connect_time
    }

    /// When the client last sent anything.
    #[must_use]
    pub fn last_input_time(&self) -> SystemTime {
        SystemTime::now() - self.session().last_input().elapsed()
    }

    /// Sends text with `\n` as `\r\n` (a `\r\n` already there stays single).
    ///
    /// # Errors
    /// As [`write`](Connection::write).
    pub fn send(&self, text: &str) -> Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        self.write(&text.replace("\r\n", "\n").replace('\n', "\r\n"))
    }

    /// Sends text with miniboa's caret colour codes turned into ANSI: `^k ^r ^g ^y ^b ^m ^c
    /// ^w` (upper case: bright), `^0`–`^6` backgrounds, `^d` default, `^I`/`^i` inverse,
    /// `^U`/`^u` underline, `^!`/`^.` bold, `^~` reset, `^s` clear screen, `^l` clear line, and
    /// `^^` for a caret.
    ///
    /// # Errors
    /// As [`write`](Connection::write).
    pub fn send_cc(&self, text: &str) -> Result<()> {
        self.send(&colorize(text))
    }

    /// Sends text word-wrapped to [`columns`](Self::columns), as miniboa does (an indent of 4,
    /// a padding of 2, caret codes converted).
    ///
    /// # Errors
    /// As [`write`](Connection::write).
    pub fn send_wrapped(&self, text: &str) -> Result<()> {
        for line in word_wrap(text, usize::from(self.columns()), 4, 2) {
            self.send_cc(&format!("{line}\n"))?;
        }
        Ok(())
    }

    /// Whether a complete line of input is waiting (miniboa's `cmd_ready`).
    #[must_use]
    pub fn cmd_ready(&self) -> bool {
        self.session().line_ready()
    }

    /// The next complete line of input, trimmed, without waiting; `None` when there is none
    /// (miniboa's `get_command`).
    #[must_use]
    pub fn get_command(&self) -> Option<String> {
        if !self.cmd_ready() {
            return None;
        }
        self.readline(Some(Duration::ZERO))
            .ok()
            .map(|line| line.trim().to_owned())
    }

    /// Asks the client to suppress Go-Ahead (`DO SGA`).
    ///
    /// # Errors
    /// As [`write`](Connection::write).
    pub fn request_do_sga(&self) -> Result<()> {
        self.with_negotiator(|neg| neg.request(Side::Remote, SGA, true))
    }

    /// Offers to echo (`WILL ECHO`) and echoes what the client types.
    ///
    /// # Errors
    /// As [`write`](Connection::write).
    pub fn request_will_echo(&self) -> Result<()> {
        self.set_line_discipline(true);
        self.with_negotiator(|neg| neg.request(Side::Local, ECHO, true))
    }

    /// Stops echoing (`WONT ECHO`): the client echoes locally again.
    ///
    /// # Errors
    /// As [`write`](Connection::write).
    pub fn request_wont_echo(&self) -> Result<()> {
        self.set_line_discipline(false);
        self.with_negotiator(|neg| neg.request(Side::Local, ECHO, false))
    }

    /// Password mode: `WILL ECHO` without echoing, so the client shows nothing typed.
    ///
    /// # Errors
    /// As [`write`](Connection::write).
    pub fn password_mode_on(&self) -> Result<()> {
        self.set_line_discipline(false);
        self.with_negotiator(|neg| neg.request(Side::Local, ECHO, true))
    }

    /// Ends password mode: `WONT ECHO`, and echo is back on for later `WILL ECHO`.
    ///
    /// # Errors
    /// As [`write`](Connection::write).
    pub fn password_mode_off(&self) -> Result<()> {
        self.set_line_discipline(true);
        self.with_negotiator(|neg| neg.request(Side::Local, ECHO, false))
    }

    /// Asks for the window size (`DO NAWS`).
    ///
    /// # Errors
    /// As [`write`](Connection::write).
    pub fn request_naws(&self) -> Result<()> {
        self.with_negotiator(|neg| neg.request(Side::Remote, NAWS, true))
    }

    /// Asks for the terminal type (`DO TTYPE`).
    ///
    /// # Errors
    /// As [`write`](Connection::write).
    pub fn request_terminal_type(&self) -> Result<()> {
        self.with_negotiator(|neg| neg.request(Side::Remote, TTYPE, true))
    }
}
