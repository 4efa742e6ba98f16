//! One connection handle for both ends: [`Connection`] holds every I/O method (reads,
//! writes, waits, negotiation state, events); [`TelnetConnection`](crate::TelnetConnection)
//! adds connecting, and [`ServerConnection`](crate::ServerConnection) miniboa's API. Both
//! dereference to it, so `conn.readline(..)` is the same call on either.
//!
//! ```text
//!   TelnetConnection ──┐                         ┌─▶ Engine (socket, buffers, reader)
//!                      ├─ Deref ─▶ Connection ───┤
//!   ServerConnection ──┘   (Clone; the last      └─▶ Events (negotiation events, own cursor)
//!                           handle closes it)
//! ```

mod events;
mod mud;
mod wait;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::encoding::Codec;
use crate::engine::Engine;
use crate::protocol::{Mode, Negotiator, OptionState, Side};
#[allow(unused_imports)] // Named in the docs.
use crate::Error;
use crate::Result;

pub use events::Events;
pub use wait::{NegotiationState, WaitFor};

/// What a connection knows about its own end, for [`Connection::get_extra_info`].
#[derive(Debug, Clone)]
pub(crate) enum Role {
    Client {
        host: String,
        term: String,
        cols: u16,
        rows: u16,
        tspeed: (u32, u32),
        xdisploc: String,
        encoding: Option<Codec>,
    },
    Server {
        term: String,
        cols: u16,
        rows: u16,
        encoding: Option<String>,
        timeout: Option<Duration>,
    },
}

#[derive(Debug)]
struct Handle {
    engine: Arc<Engine>,
    role: Role,
    /// Something that did not end in a newline was written since the last read: a prompt,
    /// whose end is marked (GA or EOR) before the next read blocks. Server only.
    prompt: AtomicBool,
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.engine.close();
    }
}

/// A live telnet connection, client or server: see the [module docs](self).
///
/// Every method takes `&self` and the handle is `Send + Sync`: one thread may read while
/// another writes. Negotiation goes on in the background all the while, so
/// [`wait_for`](Self::wait_for), [`get_extra_info`](Self::get_extra_info) and
/// [`events`](Self::events) see live state. Clones share the connection; it closes at
/// [`close`](Self::close) or when the last handle is dropped.
///
/// Timeouts: a method given `None` uses the connection's default (`ConnectOptions::timeout`
/// or `ServerOptions::io_timeout`; `None`, waiting for ever, unless set).
#[derive(Debug, Clone)]
pub struct Connection {
    handle: Arc<Handle>,
}

impl Connection {
    pub(crate) fn new(engine: Arc<Engine>, role: Role) -> Self {
        Self {
            handle: Arc::new(Handle {
                engine,
                role,
                prompt: AtomicBool::new(false),
            }),
        }
    }

    pub(crate) fn engine(&self) -> &Engine {
        &self.handle.engine
    }

    fn is_server(&self) -> bool {
        matches!(self.handle.role, Role::Server { .. })
    }

    /// Server: marks the end of a prompt written since the last read (Go-Ahead). A write in
    /// progress on another thread holds the mark back for at most the read's `timeout`; the
    /// next read tries again.
    fn before_read(&self, timeout: Option<Duration>) {
        if self.handle.prompt.swap(false, Ordering::SeqCst) {
            let wait = timeout.or(self.engine().config().default_timeout);
            let marked = self.engine().with_negotiator_within(wait, |neg| {
                neg.end_prompt();
            });
            if marked.is_none() {
                self.handle.prompt.store(true, Ordering::SeqCst);
            }
        }
    }

    fn after_write(&self, tail: Option<u8>) {
        if let (true, Some(last)) = (self.is_server(), tail) {
            self.handle.prompt.store(last != b'\n', Ordering::SeqCst);
        }
    }

    /// Reads up to `n` characters, waiting for at least one.
    ///
    /// # Errors
    /// [`Error::Timeout`] when nothing arrives in time, [`Error::Eof`] once the peer closed
    /// and everything was read, [`Error::Closed`] after [`close`](Self::close),
    /// [`Error::Encoding`] with strict `encoding_errors`, [`Error::Config`] on a bytes-only
    /// connection.
    pub fn read(&self, n: usize, timeout: Option<Duration>) -> Result<String> {
        self.before_read(timeout);
        self.engine().read_text(n, timeout)
    }

    /// Reads up to `n` bytes, waiting for at least one.
    ///
    /// # Errors
    /// As [`read`](Self::read), without the encoding errors.
    pub fn read_bytes(&self, n: usize, timeout: Option<Duration>) -> Result<Vec<u8>> {
        self.before_read(timeout);
        self.engine().read_bytes(n, timeout)
    }

    /// Reads whatever text is there, waiting for at least one character.
    ///
    /// # Errors
    /// As [`read`](Self::read).
    pub fn read_some(&self, timeout: Option<Duration>) -> Result<String> {
        self.read(usize::MAX, timeout)
    }

    /// Reads whatever bytes are there, waiting for at least one.
    ///
    /// # Errors
    /// As [`read_bytes`](Self::read_bytes).
    pub fn read_some_bytes(&self, timeout: Option<Duration>) -> Result<Vec<u8>> {
        self.read_bytes(usize::MAX, timeout)
    }

    /// Reads one line, terminator included: it ends at CR LF, LF, CR NUL (returned as CR) or a
    /// lone CR. At end of stream a partial line is returned.
    ///
    /// # Errors
    /// As [`read`](Self::read); [`Error::Eof`] only when nothing at all is left.
    pub fn readline(&self, timeout: Option<Duration>) -> Result<String> {
        self.before_read(timeout);
        self.engine().readline_text(timeout)
    }

    /// [`readline`](Self::readline) in bytes.
    ///
    /// # Errors
    /// As [`readline`](Self::readline).
    pub fn readline_bytes(&self, timeout: Option<Duration>) -> Result<Vec<u8>> {
        self.before_read(timeout);
        self.engine().readline_bytes(timeout)
    }

    /// Reads up to and including `pattern`.
    ///
    /// # Errors
    /// As [`read`](Self::read); [`Error::Eof`] when the peer closes before `pattern` came (the
    /// data stays readable).
    pub fn read_until(&self, pattern: &str, timeout: Option<Duration>) -> Result<String> {
        self.before_read(timeout);
        self.engine().read_until_text(pattern, timeout)
    }

    /// [`read_until`](Self::read_until) in bytes (telnetlib3 always returns bytes here).
    ///
    /// # Errors
    /// As [`read_until`](Self::read_until).
    pub fn read_until_bytes(&self, pattern: &[u8], timeout: Option<Duration>) -> Result<Vec<u8>> {
        self.before_read(timeout);
        self.engine().read_until_bytes(pattern, timeout)
    }

    /// Writes text in the connection's encoding, `IAC` doubled, no newline conversion. The call
    /// returns once the socket took every byte; a failure is returned here, never lost.
    ///
    /// # Errors
    /// [`Error::Io`] / [`Error::Tls`] when the connection fails, [`Error::Timeout`] past the
    /// default timeout, [`Error::Closed`] after [`close`](Self::close), [`Error::Encoding`]
    /// with strict `encoding_errors`.
    pub fn write(&self, text: &str) -> Result<()> {
        self.engine().write_text(text)?;
        self.after_write(text.as_bytes().last().copied());
        Ok(())
    }

    /// Writes bytes, `IAC` doubled.
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub fn write_bytes(&self, data: &[u8]) -> Result<()> {
        self.engine().write_bytes(data)?;
        self.after_write(data.last().copied());
        Ok(())
    }

    /// Waits until everything written was handed to the socket (writes are not buffered in
    /// user space: this waits for a write in progress on another thread), at most `timeout`.
    ///
    /// # Errors
    /// [`Error::Timeout`] when a write is still in progress at the deadline,
    /// [`Error::Closed`] after [`close`](Self::close).
    pub fn flush(&self, timeout: Option<Duration>) -> Result<()> {
        self.engine().flush(timeout)
    }

    /// Closes the connection; later calls fail with [`Error::Closed`]. Idempotent.
    pub fn close(&self) {
        self.engine().close();
    }

    /// Whether [`close`](Self::close) was called.
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.engine().is_closed()
    }

    /// Whether the peer ended the stream (everything it sent may still be readable).
    #[must_use]
    pub fn at_eof(&self) -> bool {
        self.engine().at_eof()
    }

    /// Waits until every condition of `wait` holds.
    ///
    /// ```no_run
    /// # use std::time::Duration;
    /// # use telnetlib3::{TelnetConnection, WaitFor};
    /// # let conn = TelnetConnection::connect("localhost", 6023)?;
    /// conn.wait_for(&WaitFor::default().local("NAWS", true), Some(Duration::from_secs(5)))?;
    /// # Ok::<(), telnetlib3::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Protocol`] for an unknown option name, [`Error::Timeout`], [`Error::Eof`] when
    /// the peer closes first, [`Error::Closed`].
    pub fn wait_for(&self, wait: &WaitFor, timeout: Option<Duration>) -> Result<()> {
        wait.validate()?;
        self.engine()
            .wait_negotiation(timeout, |neg| wait.holds(neg))
    }

    /// The negotiation state right now.
    #[must_use]
    pub fn negotiation(&self) -> NegotiationState {
        self.engine().negotiator(|neg| {
            let status = neg.status_report();
            NegotiationState {
                mode: neg.mode(),
                local: status.local,
                remote: status.remote,
                settled: neg.is_settled(),
            }
        })
    }

    /// Both sides of the option called `name`.
    ///
    /// # Errors
    /// [`Error::Protocol`] for an unknown name.
    pub fn option_state(&self, name: &str) -> Result<OptionState> {
        Ok(self.engine().negotiator(|neg| neg.option_state(name))?)
    }

    /// Whether the peer performs `option` (it said WILL and we agreed).
    #[must_use]
    pub fn remote_enabled(&self, option: u8) -> bool {
        self.engine()
            .negotiator(|neg| neg.enabled(Side::Remote, option))
    }

    /// Whether we perform `option`.
    #[must_use]
    pub fn local_enabled(&self, option: u8) -> bool {
        self.engine()
            .negotiator(|neg| neg.enabled(Side::Local, option))
    }

    /// Sends a bare command such as [`telopt::AYT`](crate::telopt::AYT), [`telopt::IP`](crate::telopt::IP) or [`telopt::BRK`](crate::telopt::BRK).
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub fn send_command(&self, command: u8) -> Result<()> {
        self.engine()
            .with_negotiator(|neg| neg.send_command(command))
    }

    /// Asks for an option (WILL/WONT for [`Side::Local`], DO/DONT for [`Side::Remote`]).
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub fn request(&self, side: Side, option: u8, enable: bool) -> Result<()> {
        self.engine()
            .with_negotiator(|neg| neg.request(side, option, enable))
    }

    /// Reports a new window size (sent as NAWS when agreed).
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub fn set_window_size(&self, cols: u16, rows: u16) -> Result<()> {
        self.engine()
            .with_negotiator(|neg| neg.set_window_size(cols, rows))
    }

    /// Runs `f` with the live negotiator (for anything the methods here do not cover), then
    /// sends whatever it queued.
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub fn with_negotiator<T>(&self, f: impl FnOnce(&mut Negotiator) -> T) -> Result<T> {
        self.engine().with_negotiator(f)
    }

    /// Time since the peer last sent anything.
    #[must_use]
    pub fn idle(&self) -> Duration {
        self.engine().idle()
    }

    /// Time since the connection was made.
    #[must_use]
    pub fn duration(&self) -> Duration {
        self.engine().duration()
    }

    /// Data received and not yet read, in bytes.
    #[must_use]
    pub fn buffered(&self) -> usize {
        self.engine().buffered()
    }

    /// The peer's address.
    #[must_use]
    pub fn peer_addr(&self) -> Option<SocketAddr> {
        self.engine().peer_addr()
    }

    /// Writes `text` and marks it as a prompt at once: `IAC EOR` when EOR is agreed, else
    /// `IAC GA` unless SGA is agreed or the server was told `never_send_ga`. On a client it
    /// only writes.
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub fn prompt(&self, text: &str) -> Result<()> {
        self.engine().write_text(text)?;
        self.handle.prompt.store(false, Ordering::SeqCst);
        if !self.is_server() {
            return Ok(());
        }
        self.engine().with_negotiator(|neg| {
            neg.end_prompt();
        })
    }

    /// The negotiation events of this connection — option changes, terminal type, window
    /// size, environment, commands such as AYT and BRK, subnegotiations the core does not
    /// decode — from the oldest still kept on. Each [`Events`] has its own cursor.
    ///
    /// ```no_run
    /// # use std::time::Duration;
    /// # use telnetlib3::protocol::Event;
    /// # let conn = telnetlib3::TelnetConnection::connect("localhost", 6023)?;
    /// let mut events = conn.events();
    /// while let Ok(event) = events.recv(Some(Duration::from_secs(1))) {
    ///     if let Event::WindowSize { cols, rows } = event {
    ///         println!("now {cols}x{rows}");
    ///     }
    /// }
    /// # Ok::<(), telnetlib3::Error>(())
    /// ```
    #[must_use]
    pub fn events(&self) -> Events {
        Events::new(Arc::clone(&self.handle.engine))
    }

    /// The encoding text is written in now: `None` on a bytes-only connection; US-ASCII until
    /// BINARY is agreed (unless forced), then the configured encoding or the one agreed by
    /// CHARSET.
    #[must_use]
    pub fn encoding(&self) -> Option<Codec> {
        self.engine().output_codec()
    }

    /// telnetlib3's negotiation mode: local, remote or kludge.
    #[must_use]
    pub fn mode(&self) -> Mode {
        self.engine().negotiator(Negotiator::mode)
    }

    /// Our own address.
    #[must_use]
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.engine().local_addr()
    }

    /// Bytes sent on the wire so far, telnet commands included.
    #[must_use]
    pub fn bytes_sent(&self) -> u64 {
        self.engine().byte_counts().0
    }

    /// Bytes received on the wire so far, telnet commands included.
    #[must_use]
    pub fn bytes_received(&self) -> u64 {
        self.engine().byte_counts().1
    }

    /// Whether input is edited and echoed while we perform ECHO (server; see
    /// [`protocol::nvt`](crate::protocol::nvt)).
    #[must_use]
    pub fn line_discipline(&self) -> bool {
        self.engine().config().nvt.editing && self.engine().line_discipline(|nvt| nvt.echo())
    }

    /// Turns the line discipline's echo and editing on or off (a password prompt turns it
    /// off). It only ever applies while we perform ECHO on a connection configured to echo.
    pub fn set_line_discipline(&self, on: bool) {
        self.engine().line_discipline(|nvt| nvt.set_echo(on));
    }

    /// Connection facts by telnetlib3's names. Both ends: `peername`, `sockname`, `tls`,
    /// `mode`, `encoding` (what text is read in now), `charset`, `TERM`/`term`,
    /// `cols`/`COLUMNS`, `rows`/`LINES`, `tspeed` (`"rx,tx"`), `xdisploc`. A client adds
    /// `lang` and `host` (its own settings); a server adds `sndloc`, `timeout`, `ttype1`,
    /// `ttype2`, … (each terminal type the client named) and any environment variable the
    /// client sent.
    #[must_use]
    pub fn get_extra_info(&self, key: &str) -> Option<String> {
        let engine = self.engine();
        match key {
            "peername" => return engine.peer_addr().map(|a| a.to_string()),
            "sockname" => return engine.local_addr().map(|a| a.to_string()),
            "tls" => return Some(engine.is_tls().to_string()),
            "encoding" => return engine.input_codec().map(|c| c.name().to_owned()),
            "mode" => return Some(self.mode().as_str().to_owned()),
            _ => {}
        }
        match &self.handle.role {
            Role::Client {
                host,
                term,
                cols,
                rows,
                tspeed,
                xdisploc,
                encoding,
            } => match key {
                "term" | "TERM" => Some(term.clone()),
                "cols" | "COLUMNS" => Some(cols.to_string()),
                "rows" | "LINES" => Some(rows.to_string()),
                "lang" | "LANG" => encoding.map(|c| format!("en_US.{}", c.name())),
                "charset" => engine
                    .negotiator(|neg| neg.info().charset.clone())
                    .or_else(|| encoding.map(|c| c.name().to_owned())),
                "tspeed" => Some(format!("{},{}", tspeed.0, tspeed.1)),
                "xdisploc" => Some(xdisploc.clone()).filter(|x| !x.is_empty()),
                "host" => Some(host.clone()),
                _ => None,
            },
            Role::Server {
                term,
                cols,
                rows,
                encoding,
                timeout,
            } => engine.negotiator(|neg| {
                let info = neg.info();
                let term = || info.term.clone().unwrap_or_else(|| term.clone());
                match key {
                    "timeout" => Some(timeout.map_or(0, |t| t.as_secs()).to_string()),
                    "TERM" => Some(term()),
                    "term" => Some(term().to_ascii_lowercase()),
                    "cols" | "COLUMNS" => Some(info.window.map_or(*cols, |w| w.0).to_string()),
                    "rows" | "LINES" => Some(info.window.map_or(*rows, |w| w.1).to_string()),
                    "charset" => info
                        .encoding()
                        .map(str::to_owned)
                        .or_else(|| encoding.clone()),
                    "tspeed" => info.tspeed.map(|(rx, tx)| format!("{rx},{tx}")),
                    "xdisploc" => info.xdisploc.clone(),
                    "sndloc" => info.sndloc.clone(),
                    _ => {
                        if let Some(n) = key
                            .strip_prefix("ttype")
                            .and_then(|n| n.parse::<usize>().ok())
                        {
                            return n.checked_sub(1).and_then(|i| info.ttypes.get(i)).cloned();
                        }
                        info.env(key).map(str::to_owned)
                    }
                }
            }),
        }
    }
}
