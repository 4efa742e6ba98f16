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
    /// How long a line (or the text before a `read_until` pattern) may grow while a read waits
    /// for its end: past it the read fails with [`Error::Limit`], handing over what it gathered,
    /// and the rest of that line is dropped. Default 1 MiB.
    pub max_line: usize,
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
            max_line: 1 << 20,
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
        /// Sets [`max_line`](Self::max_line).
        max_line: usize,
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
        let neg = Negotiator::client(options.policy(codec));
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
            term: options.term.clone(),
            cols: options.cols,
            rows: options.rows,
            tspeed: options.tspeed,
            xdisploc: options.xdisploc.clone(),
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
