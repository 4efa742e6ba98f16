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

use crate::connection::{Connection, Role};
use crate::encoding::{Codec, Errors};
use crate::engine::Engine;
use crate::engine::{EngineConfig, EVENT_CAPACITY};
use crate::protocol::nvt::NvtConfig;
use crate::protocol::{ClientPolicy, Negotiator};
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
/// assert_eq!(options.policy.rows, 25);
/// assert_eq!(options.policy.term, "xterm-256color");
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
    /// What the client tells the server and which options it takes, as the sans-IO client's
    /// policy holds it: terminal type (`"unknown"`), window size (80×25), terminal speed,
    /// X display, the environment variables NEW_ENVIRON may send and their values, the
    /// always-will/do/wont/dont lists, the subnegotiation bound (1 MiB). The setters below
    /// (`term`, `cols`, …) set it. Its `encoding` is ignored: [`encoding`](Self::encoding)
    /// decides, and sets LANG (`en_US.<codec>`) unless the environment given names one.
    pub policy: ClientPolicy,
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
    /// How long a line (or the text before a `read_until` pattern) may grow while a read waits
    /// for its end: past it the read fails with [`Error::Limit`], handing over what it gathered,
    /// and the rest of that line is dropped. Default 1 MiB.
    pub max_line: usize,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            encoding: Some("utf8".to_owned()),
            encoding_errors: Errors::Replace,
            force_binary: false,
            policy: ClientPolicy::default(),
            connect_minwait: Duration::ZERO,
            connect_maxwait: Duration::from_secs(3),
            connect_timeout: None,
            timeout: None,
            tls: false,
            tls_options: TlsClientOptions::default(),
            buffer_limit: 1 << 20,
            max_line: 1 << 20,
        }
    }
}

impl ConnectOptions {
    setters! {
        /// Sets [`encoding_errors`](Self::encoding_errors).
        encoding_errors: Errors,
        /// Sets [`force_binary`](Self::force_binary).
        force_binary: bool,
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
        /// Sets [`max_line`](Self::max_line).
        max_line: usize,
    }

    text_setters! {
        /// Sets [`encoding`](Self::encoding) (`None`: bytes only).
        encoding: Option<&str>,
    }

    /// Sets [`policy`](Self::policy).
    #[must_use]
    pub fn policy(mut self, policy: ClientPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets MCCP2/MCCP3 compression: `Some(true)` asks the server for both, `None` (the
    /// default) agrees when the server offers, `Some(false)` refuses. Never under TLS.
    #[must_use]
    pub fn compression(mut self, compression: Option<bool>) -> Self {
        self.policy.compression = compression;
        self
    }

    /// Sets the terminal type for TTYPE and NEW_ENVIRON TERM (default `"unknown"`).
    #[must_use]
    pub fn term(mut self, term: &str) -> Self {
        self.policy.term = term.to_owned();
        self
    }

    /// Sets the window width sent in NAWS (default 80).
    #[must_use]
    pub fn cols(mut self, cols: u16) -> Self {
        self.policy.cols = cols;
        self
    }

    /// Sets the window height sent in NAWS (default 25).
    #[must_use]
    pub fn rows(mut self, rows: u16) -> Self {
        self.policy.rows = rows;
        self
    }

    /// Sets the terminal speed `(rx, tx)` for TSPEED (default `(38400, 38400)`).
    #[must_use]
    pub fn tspeed(mut self, tspeed: (u32, u32)) -> Self {
        self.policy.tspeed = tspeed;
        self
    }

    /// Sets the X display for XDISPLOC; empty refuses XDISPLOC (the default).
    #[must_use]
    pub fn xdisploc(mut self, xdisploc: &str) -> Self {
        self.policy.xdisploc = xdisploc.to_owned();
        self
    }

    /// Sets the only environment variables NEW_ENVIRON may send (default TERM, LANG, COLUMNS,
    /// LINES, COLORTERM).
    #[must_use]
    pub fn send_environ(mut self, names: &[&str]) -> Self {
        self.policy.send_environ = names.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    /// Adds or replaces one environment variable's value (besides TERM, COLUMNS and LINES,
    /// which come from the terminal settings; LANG comes from the encoding and COLORTERM from
    /// this process's environment unless set here).
    #[must_use]
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.policy = self.policy.env(name, value);
        self
    }

    /// Sets the bound on one subnegotiation from the server, in bytes (default 1 MiB).
    #[must_use]
    pub fn subnegotiation_limit(mut self, limit: usize) -> Self {
        self.policy.subnegotiation_limit = limit;
        self
    }

    /// Sets the options offered with WILL on connect (default none).
    #[must_use]
    pub fn always_will(mut self, options: Vec<u8>) -> Self {
        self.policy.always_will = options;
        self
    }

    /// Sets the options asked for with DO on connect (default none).
    #[must_use]
    pub fn always_do(mut self, options: Vec<u8>) -> Self {
        self.policy.always_do = options;
        self
    }

    /// Sets the options refused even when the server asks (default none).
    #[must_use]
    pub fn always_wont(mut self, options: Vec<u8>) -> Self {
        self.policy.always_wont = options;
        self
    }

    /// Sets the options refused even when the server offers (default none).
    #[must_use]
    pub fn always_dont(mut self, options: Vec<u8>) -> Self {
        self.policy.always_dont = options;
        self
    }

    /// Sets the GMCP modules asked for in `Core.Supports.Set` once the server enables GMCP
    /// (default: telnetlib3's list, [`DEFAULT_GMCP_MODULES`](crate::protocol::negotiator::DEFAULT_GMCP_MODULES)).
    #[must_use]
    pub fn gmcp_modules(mut self, modules: &[&str]) -> Self {
        self.policy = self.policy.gmcp_modules(modules);
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

    /// The policy the negotiator gets: [`policy`](Self::policy) with the encoding, LANG and
    /// COLORTERM filled in.
    fn negotiator_policy(&self, codec: Option<Codec>) -> ClientPolicy {
        let mut policy = self.policy.clone().encoding(codec.map(|c| c.name()));
        let given = |policy: &ClientPolicy, name: &str| {
            policy
                .environ
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name))
        };
        if let Some(codec) = codec {
            if !given(&policy, "LANG") {
                policy = policy.env("LANG", &format!("en_US.{}", codec.name()));
            }
        }
        if let Ok(colorterm) = std::env::var("COLORTERM") {
            if !given(&policy, "COLORTERM") {
                policy = policy.env("COLORTERM", &colorterm);
            }
        }
        if self.tls && policy.compression != Some(false) {
            // Compressing before encrypting leaks what is sent (CRIME): never under TLS.
            log::debug!("MCCP refused: the connection is TLS");
            policy.compression = Some(false);
        }
        policy
    }
}

pub use crate::connection::{NegotiationState, WaitFor};

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
    conn: Connection,
    options: ConnectOptions,
}

impl std::ops::Deref for TelnetConnection {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.conn
    }
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
        let neg = Negotiator::client(options.negotiator_policy(codec));
        let config = EngineConfig {
            nvt: NvtConfig::default()
                .encoding(codec)
                .force_binary(options.force_binary),
            errors: options.encoding_errors,
            buffer_limit: options.buffer_limit.max(1),
            max_line: options.max_line.max(1),
            default_timeout: options.timeout,
            thread_name: format!("telnet {host}:{port}"),
            idle_timeout: None,
            event_capacity: EVENT_CAPACITY,
        };
        let engine = Engine::start(transport, neg, config)?;
        let settled = engine.wait_settled(options.connect_minwait, options.connect_maxwait);
        log::debug!(
            "connected to {host}:{port}, negotiation {}",
            if settled {
                "settled"
            } else {
                "not settled within connect_maxwait"
            }
        );
        let role = Role::Client {
            host: host.to_owned(),
            term: options.policy.term.clone(),
            cols: options.policy.cols,
            rows: options.policy.rows,
            tspeed: options.policy.tspeed,
            xdisploc: options.policy.xdisploc.clone(),
            encoding: codec,
        };
        Ok(Self {
            conn: Connection::new(engine, role),
            options,
        })
    }

    /// The options this connection was made with.
    #[must_use]
    pub fn options(&self) -> &ConnectOptions {
        &self.options
    }
}

impl Drop for TelnetConnection {
    fn drop(&mut self) {
        // Closes even when a clone of the inner `Connection` lives on.
        self.conn.close();
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
