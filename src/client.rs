//! The blocking telnet client, after telnetlib3.sync's `TelnetConnection`.
//!
//! ```no_run
//! use std::time::Duration;
//! use telnetlib3::TelnetConnection;
//!
//! let conn = TelnetConnection::connect("localhost", 6023)?;
//! let banner = conn.read_some(Some(Duration::from_secs(2)))?;
//! print!("{banner}");
//! conn.write("help\r\n")?;
//! print!("{}", conn.readline(Some(Duration::from_secs(2)))?);
//! conn.close();
//! # Ok::<(), telnetlib3::Error>(())
//! ```

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

use crate::encoding::{Codec, Errors};
use crate::protocol::{ClientPolicy, Mode, Negotiator, OptionState, ProtocolError, Side};
use crate::session::{Session, SessionConfig};
use crate::telopt;
use crate::transport::{self, TlsClientOptions, Transport};
use crate::{Error, Result};

/// How [`TelnetConnection::connect_with`] connects and negotiates, with telnetlib3's defaults.
///
/// ```
/// use std::time::Duration;
/// use telnetlib3::ConnectOptions;
/// let options = ConnectOptions::default()
///     .term("xterm-256color")
///     .cols(132)
///     .connect_maxwait(Duration::from_secs(1));
/// assert_eq!(options.rows, 25);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ConnectOptions {
    /// Text encoding; `None` for bytes only (text methods then fail, byte methods work).
    /// Default: `Some("utf8")`.
    pub encoding: Option<String>,
    /// What to do with text the encoding cannot carry. Default: [`Errors::Replace`].
    pub encoding_errors: Errors,
    /// Use the encoding even before BINARY is agreed (else US-ASCII until then).
    /// Default: false.
    pub force_binary: bool,
    /// Terminal type for TTYPE and NEW_ENVIRON TERM. Default: `"unknown"`.
    pub term: String,
    /// Window width sent in NAWS. Default: 80.
    pub cols: u16,
    /// Window height sent in NAWS. Default: 25.
    pub rows: u16,
    /// Terminal speed `(rx, tx)` for TSPEED. Default: `(38400, 38400)`.
    pub tspeed: (u32, u32),
    /// X display for XDISPLOC; empty refuses XDISPLOC. Default: `""`.
    pub xdisploc: String,
    /// The only environment variables NEW_ENVIRON may send. Default: TERM, LANG, COLUMNS,
    /// LINES, COLORTERM.
    pub send_environ: Vec<String>,
    /// Values of environment variables besides TERM, COLUMNS and LINES. Default: LANG from the
    /// encoding (`en_US.UTF-8` for utf8) and COLORTERM from this process's environment.
    pub environ: Vec<(String, String)>,
    /// Minimum time to wait for the server's negotiation after connecting. Default: 0.
    pub connect_minwait: Duration,
    /// Maximum time `connect` waits for negotiation to settle. Default: 3 s.
    pub connect_maxwait: Duration,
    /// Bound on the TCP connect and the TLS handshake. Default: none.
    pub connect_timeout: Option<Duration>,
    /// Timeout of every blocking call that passes `None`, writes included. Default: none
    /// (wait for ever).
    pub timeout: Option<Duration>,
    /// Connect with TLS. Default: false.
    pub tls: bool,
    /// TLS settings (CA file, no-verify, server name). Default: web roots, verification on.
    pub tls_options: TlsClientOptions,
    /// Bound on received data waiting to be read; the reader stops reading while it is full.
    /// Default: 1 MiB.
    pub buffer_limit: usize,
    /// Bound on one subnegotiation from the server, in bytes. Default: 1 MiB.
    pub subnegotiation_limit: usize,
    /// Options offered with WILL on connect. Default: none.
    pub always_will: Vec<u8>,
    /// Options asked for with DO on connect. Default: none.
    pub always_do: Vec<u8>,
    /// Options refused even when the server asks. Default: none.
    pub always_wont: Vec<u8>,
    /// Options refused even when the server offers. Default: none.
    pub always_dont: Vec<u8>,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        let policy = ClientPolicy::default();
        Self {
            encoding: Some("utf8".to_owned()),
            encoding_errors: Errors::Replace,
            force_binary: false,
            term: policy.term,
            cols: policy.cols,
            rows: policy.rows,
            tspeed: policy.tspeed,
            xdisploc: policy.xdisploc,
            send_environ: policy.send_environ,
            environ: Vec::new(),
            connect_minwait: Duration::ZERO,
            connect_maxwait: Duration::from_secs(3),
            connect_timeout: None,
            timeout: None,
            tls: false,
            tls_options: TlsClientOptions::default(),
            buffer_limit: 1 << 20,
            subnegotiation_limit: policy.subnegotiation_limit,
            always_will: Vec::new(),
            always_do: Vec::new(),
            always_wont: Vec::new(),
            always_dont: Vec::new(),
        }
    }
}

impl ConnectOptions {
    setters! {
        /// Sets [`encoding_errors`](Self::encoding_errors).
        encoding_errors: Errors,
        /// Sets [`force_binary`](Self::force_binary).
        force_binary: bool,
        /// Sets [`cols`](Self::cols).
        cols: u16,
        /// Sets [`rows`](Self::rows).
        rows: u16,
        /// Sets [`tspeed`](Self::tspeed).
        tspeed: (u32, u32),
        /// Sets [`connect_minwait`](Self::connect_minwait).
        connect_minwait: Duration,
        /// Sets [`connect_maxwait`](Self::connect_maxwait).
        connect_maxwait: Duration,
        /// Sets [`connect_timeout`](Self::connect_timeout).
        connect_timeout: Option<Duration>,
        /// Sets [`timeout`](Self::timeout).
        timeout: Option<Duration>,
        /// Sets [`tls`](Self::tls).
        tls: bool,
        /// Sets [`tls_options`](Self::tls_options).
        tls_options: TlsClientOptions,
        /// Sets [`buffer_limit`](Self::buffer_limit).
        buffer_limit: usize,
        /// Sets [`subnegotiation_limit`](Self::subnegotiation_limit).
        subnegotiation_limit: usize,
        /// Sets [`always_will`](Self::always_will).
        always_will: Vec<u8>,
        /// Sets [`always_do`](Self::always_do).
        always_do: Vec<u8>,
        /// Sets [`always_wont`](Self::always_wont).
        always_wont: Vec<u8>,
        /// Sets [`always_dont`](Self::always_dont).
        always_dont: Vec<u8>,
    }

    text_setters! {
        /// Sets [`encoding`](Self::encoding) (`None`: bytes only).
        encoding: Option<&str>,
        /// Sets [`term`](Self::term).
        term: &str,
        /// Sets [`xdisploc`](Self::xdisploc).
        xdisploc: &str,
    }

    /// Sets [`send_environ`](Self::send_environ).
    #[must_use]
    pub fn send_environ(mut self, names: &[&str]) -> Self {
        self.send_environ = names.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    /// Adds or replaces one variable in [`environ`](Self::environ).
    #[must_use]
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.environ.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.environ.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Turns TLS on with a CA file to trust.
    #[must_use]
    pub fn tls_ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.tls = true;
        self.tls_options.ca_file = Some(path.into());
        self
    }

    /// Turns TLS on without certificate verification (logged as a warning).
    #[must_use]
    pub fn tls_no_verify(mut self) -> Self {
        self.tls = true;
        self.tls_options.no_verify = true;
        self
    }

    fn codec(&self) -> Result<Option<Codec>> {
        Codec::configured(self.encoding.as_deref())
    }

    fn policy(&self, codec: Option<Codec>) -> ClientPolicy {
        let mut policy = ClientPolicy::default()
            .term(&self.term)
            .cols(self.cols)
            .rows(self.rows)
            .tspeed(self.tspeed.0, self.tspeed.1)
            .xdisploc(&self.xdisploc)
            .encoding(codec.map(|c| c.name()))
            .always_will(&self.always_will)
            .always_do(&self.always_do)
            .always_wont(&self.always_wont)
            .always_dont(&self.always_dont)
            .subnegotiation_limit(self.subnegotiation_limit);
        policy.send_environ.clone_from(&self.send_environ);
        if let Some(codec) = codec {
            policy = policy.env("LANG", &format!("en_US.{}", codec.name()));
        }
        if let Ok(colorterm) = std::env::var("COLORTERM") {
            policy = policy.env("COLORTERM", &colorterm);
        }
        for (name, value) in &self.environ {
            policy = policy.env(name, value);
        }
        policy
    }
}

/// Conditions for [`TelnetConnection::wait_for`]: option names (as
/// [`telopt::option_from_name`] reads them) with the state each must reach.
///
/// ```
/// use telnetlib3::WaitFor;
/// let wait = WaitFor::default().remote("NAWS", true).pending("TTYPE", false);
/// assert_eq!(wait.remote, [("NAWS".to_owned(), true)]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WaitFor {
    /// Whether the peer performs each option (it said WILL).
    pub remote: Vec<(String, bool)>,
    /// Whether we perform each option (we said WILL).
    pub local: Vec<(String, bool)>,
    /// Whether a request about each option is still unanswered.
    pub pending: Vec<(String, bool)>,
}

impl WaitFor {
    /// Adds a remote condition.
    #[must_use]
    pub fn remote(mut self, option: &str, enabled: bool) -> Self {
        self.remote.push((option.to_owned(), enabled));
        self
    }

    /// Adds a local condition.
    #[must_use]
    pub fn local(mut self, option: &str, enabled: bool) -> Self {
        self.local.push((option.to_owned(), enabled));
        self
    }

    /// Adds a pending condition.
    #[must_use]
    pub fn pending(mut self, option: &str, pending: bool) -> Self {
        self.pending.push((option.to_owned(), pending));
        self
    }

    /// Whether every condition holds on `neg`.
    pub(crate) fn holds(&self, neg: &Negotiator) -> Result<bool, ProtocolError> {
        for (name, want) in &self.remote {
            if neg.option_state(name)?.remote.enabled() != *want {
                return Ok(false);
            }
        }
        for (name, want) in &self.local {
            if neg.option_state(name)?.local.enabled() != *want {
                return Ok(false);
            }
        }
        for (name, want) in &self.pending {
            if neg.option_state(name)?.pending != *want {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Fails on the first option name that does not exist.
    pub(crate) fn validate(&self) -> Result<(), ProtocolError> {
        for (name, _) in self.remote.iter().chain(&self.local).chain(&self.pending) {
            telopt::option_from_name(name)
                .ok_or_else(|| ProtocolError::UnknownOption(name.clone()))?;
        }
        Ok(())
    }
}

/// A read-only view of a connection's negotiation state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NegotiationState {
    /// telnetlib3's mode: local, remote or kludge.
    pub mode: Mode,
    /// Options we perform.
    pub local: Vec<u8>,
    /// Options the peer performs.
    pub remote: Vec<u8>,
    /// Whether negotiation has settled.
    pub settled: bool,
}

/// A blocking telnet client connection, after telnetlib3.sync's `TelnetConnection`.
///
/// Every method takes `&self` and the connection is `Send + Sync`: one thread may read while
/// another writes. A background thread answers the server's negotiation all the while, so
/// `wait_for` and `get_extra_info` see live state. Dropping the connection closes it.
///
/// Timeouts: a method given `None` uses [`ConnectOptions::timeout`] (itself `None`, waiting for
/// ever, by default).
#[derive(Debug)]
pub struct TelnetConnection {
    session: Session,
    options: ConnectOptions,
    host: String,
}

impl TelnetConnection {
    /// Connects with the default options and waits for negotiation to settle (at most
    /// `connect_maxwait`, 3 s).
    ///
    /// # Errors
    /// [`Error::Io`] when the host does not resolve or refuses the connection.
    pub fn connect(host: &str, port: u16) -> Result<Self> {
        Self::connect_with(host, port, ConnectOptions::default())
    }

    /// Connects with `options`.
    ///
    /// # Errors
    /// [`Error::Io`] when the host does not resolve or refuses, [`Error::Timeout`] past
    /// `connect_timeout`, [`Error::Tls`] when the TLS handshake fails (a certificate that does
    /// not verify: see [`TlsClientOptions::no_verify`]), [`Error::Config`] for an unknown
    /// encoding or a CA file that does not load.
    pub fn connect_with(host: &str, port: u16, options: ConnectOptions) -> Result<Self> {
        let codec = options.codec()?;
        let tls_config = if options.tls {
            Some(transport::client_config(&options.tls_options)?)
        } else {
            None
        };
        let stream = tcp_connect(host, port, options.connect_timeout)?;
        stream.set_nodelay(true).map_err(Error::Io)?;
        let transport = match tls_config {
            Some(config) => {
                let name = options.tls_options.server_name.as_deref().unwrap_or(host);
                Transport::connect_tls(stream, config, name, options.connect_timeout)?
            }
            None => Transport::plain(stream),
        };
        let neg = Negotiator::client(options.policy(codec));
        let config = SessionConfig {
            encoding: codec,
            errors: options.encoding_errors,
            force_binary: options.force_binary,
            buffer_limit: options.buffer_limit.max(1),
            default_timeout: options.timeout,
            thread_name: format!("telnet {host}:{port}"),
            idle_timeout: None,
            line_discipline: false,
            command_keys: false,
        };
        let session = Session::start(transport, neg, config, None)?;
        let settled = session
            .shared()
            .wait_settled(options.connect_minwait, options.connect_maxwait);
        log::debug!(
            "connected to {host}:{port}, negotiation {}",
            if settled {
                "settled"
            } else {
                "not settled within connect_maxwait"
            }
        );
        Ok(Self {
            session,
            options,
            host: host.to_owned(),
        })
    }

    /// Reads up to `n` characters, waiting for at least one.
    ///
    /// # Errors
    /// [`Error::Timeout`] when nothing arrives in time, [`Error::Eof`] once the server closed
    /// and everything was read, [`Error::Closed`] after [`close`](Self::close),
    /// [`Error::Encoding`] with strict `encoding_errors`, [`Error::Config`] on a bytes-only
    /// connection.
    pub fn read(&self, n: usize, timeout: Option<Duration>) -> Result<String> {
        self.session.shared().read_text(n, timeout)
    }

    /// Reads up to `n` bytes, waiting for at least one.
    ///
    /// # Errors
    /// As [`read`](Self::read), without the encoding errors.
    pub fn read_bytes(&self, n: usize, timeout: Option<Duration>) -> Result<Vec<u8>> {
        self.session.shared().read_bytes(n, timeout)
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
        self.session.shared().readline_text(timeout)
    }

    /// [`readline`](Self::readline) in bytes.
    ///
    /// # Errors
    /// As [`readline`](Self::readline).
    pub fn readline_bytes(&self, timeout: Option<Duration>) -> Result<Vec<u8>> {
        self.session.shared().readline_bytes(timeout)
    }

    /// Reads up to and including `pattern`.
    ///
    /// # Errors
    /// As [`read`](Self::read); [`Error::Eof`] when the server closes before `pattern` came (the
    /// data stays readable).
    pub fn read_until(&self, pattern: &str, timeout: Option<Duration>) -> Result<String> {
        self.session.shared().read_until_text(pattern, timeout)
    }

    /// [`read_until`](Self::read_until) in bytes (telnetlib3 always returns bytes here).
    ///
    /// # Errors
    /// As [`read_until`](Self::read_until).
    pub fn read_until_bytes(&self, pattern: &[u8], timeout: Option<Duration>) -> Result<Vec<u8>> {
        self.session.shared().read_until_bytes(pattern, timeout)
    }

    /// Writes text in the connection's encoding, `IAC` doubled, no newline conversion. The call
    /// returns once the socket took every byte; a failure is returned here, never lost.
    ///
    /// # Errors
    /// [`Error::Io`] / [`Error::Tls`] when the connection fails, [`Error::Timeout`] past the
    /// default timeout, [`Error::Closed`] after [`close`](Self::close), [`Error::Encoding`]
    /// with strict `encoding_errors`.
    pub fn write(&self, text: &str) -> Result<()> {
        self.session.shared().write_text(text)
    }

    /// Writes bytes, `IAC` doubled.
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub fn write_bytes(&self, data: &[u8]) -> Result<()> {
        self.session.shared().write_bytes(data)
    }

    /// Waits until everything written was handed to the socket. Writes are not buffered in
    /// user space, so this returns at once unless the connection is closed.
    ///
    /// # Errors
    /// [`Error::Closed`] after [`close`](Self::close).
    pub fn flush(&self, timeout: Option<Duration>) -> Result<()> {
        let _ = timeout;
        if self.session.shared().is_closed() {
            return Err(Error::Closed);
        }
        Ok(())
    }

    /// Closes the connection; later calls fail with [`Error::Closed`]. Idempotent.
    pub fn close(&self) {
        self.session.close();
    }

    /// Whether [`close`](Self::close) was called.
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.session.shared().is_closed()
    }

    /// Whether the server ended the stream (everything it sent may still be readable).
    #[must_use]
    pub fn at_eof(&self) -> bool {
        self.session.shared().at_eof()
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
    /// the server closes first, [`Error::Closed`].
    pub fn wait_for(&self, wait: &WaitFor, timeout: Option<Duration>) -> Result<()> {
        wait.validate()?;
        self.session
            .shared()
            .wait_negotiation(timeout, |neg| wait.holds(neg))
    }

    /// Connection facts by telnetlib3's names: `term`, `cols`, `rows`, `lang`, `charset`,
    /// `encoding`, `tspeed` (`"rx,tx"`), `xdisploc`, `peername`, `sockname`, `tls`, `mode`.
    #[must_use]
    pub fn get_extra_info(&self, key: &str) -> Option<String> {
        let shared = self.session.shared();
        let options = &self.options;
        match key {
            "term" | "TERM" => Some(options.term.clone()),
            "cols" | "COLUMNS" => Some(options.cols.to_string()),
            "rows" | "LINES" => Some(options.rows.to_string()),
            "lang" | "LANG" => options
                .codec()
                .ok()
                .flatten()
                .map(|c| format!("en_US.{}", c.name())),
            "charset" => shared
                .negotiator(|neg| neg.info().charset.clone())
                .or_else(|| options.codec().ok().flatten().map(|c| c.name().to_owned())),
            "encoding" => shared.input_codec().map(|c| c.name().to_owned()),
            "tspeed" => Some(format!("{},{}", options.tspeed.0, options.tspeed.1)),
            "xdisploc" => Some(options.xdisploc.clone()).filter(|x| !x.is_empty()),
            "peername" => shared.peer_addr().map(|a| a.to_string()),
            "sockname" => shared.local_addr().map(|a| a.to_string()),
            "tls" => Some(shared.is_tls().to_string()),
            "mode" => Some(shared.negotiator(|neg| neg.mode().as_str().to_owned())),
            "host" => Some(self.host.clone()),
            _ => None,
        }
    }

    /// The negotiation state right now.
    #[must_use]
    pub fn negotiation(&self) -> NegotiationState {
        self.session.shared().negotiator(|neg| {
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
        Ok(self
            .session
            .shared()
            .negotiator(|neg| neg.option_state(name))?)
    }

    /// Whether the server performs `option` (it said WILL and we agreed).
    #[must_use]
    pub fn remote_enabled(&self, option: u8) -> bool {
        self.session
            .shared()
            .negotiator(|neg| neg.enabled(Side::Remote, option))
    }

    /// Whether we perform `option`.
    #[must_use]
    pub fn local_enabled(&self, option: u8) -> bool {
        self.session
            .shared()
            .negotiator(|neg| neg.enabled(Side::Local, option))
    }

    /// Sends a bare command such as [`telopt::AYT`], [`telopt::IP`] or [`telopt::BRK`].
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub fn send_command(&self, command: u8) -> Result<()> {
        self.session
            .shared()
            .with_negotiator(|neg| neg.send_command(command))
    }

    /// Asks for an option (WILL/WONT for [`Side::Local`], DO/DONT for [`Side::Remote`]).
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub fn request(&self, side: Side, option: u8, enable: bool) -> Result<()> {
        self.session
            .shared()
            .with_negotiator(|neg| neg.request(side, option, enable))
    }

    /// Reports a new window size (sent as NAWS when agreed).
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub fn set_window_size(&self, cols: u16, rows: u16) -> Result<()> {
        self.session
            .shared()
            .with_negotiator(|neg| neg.set_window_size(cols, rows))
    }

    /// Runs `f` with the live negotiator (for anything the methods here do not cover), then
    /// sends whatever it queued.
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub fn with_negotiator<T>(&self, f: impl FnOnce(&mut Negotiator) -> T) -> Result<T> {
        self.session.shared().with_negotiator(f)
    }

    /// Time since the server last sent anything.
    #[must_use]
    pub fn idle(&self) -> Duration {
        self.session.shared().idle()
    }

    /// Time since the connection was made.
    #[must_use]
    pub fn duration(&self) -> Duration {
        self.session.shared().duration()
    }

    /// Data received and not yet read, in bytes.
    #[must_use]
    pub fn buffered(&self) -> usize {
        self.session.shared().buffered()
    }

    /// The server's address.
    #[must_use]
    pub fn peer_addr(&self) -> Option<SocketAddr> {
        self.session.shared().peer_addr()
    }

    /// The options this connection was made with.
    #[must_use]
    pub fn options(&self) -> &ConnectOptions {
        &self.options
    }
}

impl Drop for TelnetConnection {
    fn drop(&mut self) {
        self.session.close();
    }
}

/// Resolves `host` and connects to the first address that answers.
fn tcp_connect(host: &str, port: u16, timeout: Option<Duration>) -> Result<TcpStream> {
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|err| {
            Error::Io(std::io::Error::new(
                err.kind(),
                format!("cannot resolve {host}: {err}"),
            ))
        })?
        .collect();
    let mut last = None;
    for addr in &addrs {
        let attempt = match timeout {
            Some(timeout) => TcpStream::connect_timeout(addr, timeout),
            None => TcpStream::connect(addr),
        };
        match attempt {
            Ok(stream) => return Ok(stream),
            Err(err) => last = Some(err),
        }
    }
    Err(match last {
        Some(err) => Error::from_io(std::io::Error::new(
            err.kind(),
            format!("cannot connect to {host}:{port}: {err}"),
        )),
        None => Error::Io(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{host} has no address"),
        )),
    })
}
