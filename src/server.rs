//! The blocking telnet server, after telnetlib3.sync's `BlockingTelnetServer`, with a
//! [`ServerConnection`] that also speaks miniboa's `TelnetClient` API.
//!
//! ```no_run
//! use std::time::Duration;
//! use telnetlib3::BlockingTelnetServer;
//!
//! let server = BlockingTelnetServer::new("127.0.0.1", 6023, |conn| {
//!     conn.write("Hello! Type something.\r\n").ok();
//!     while let Ok(line) = conn.readline(Some(Duration::from_secs(300))) {
//!         if conn.write(&format!("Echo: {line}")).is_err() {
//!             break;
//!         }
//!     }
//! });
//! server.serve_forever()?;
//! # Ok::<(), telnetlib3::Error>(())
//! ```
//!
//! # Go-Ahead
//!
//! Before a read blocks, if the handler wrote something since its last read that does not end
//! in a newline — a prompt — the server marks the prompt's end: `IAC EOR` when EOR is agreed,
//! else `IAC GA` unless the client agreed to suppress it (SGA) or `never_send_ga` is set. MUD
//! clients find prompts this way. telnetlib3 sends GA only from its built-in shells; here every
//! handler gets it.

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use parking_lot::Mutex;

use crate::client::WaitFor;
use crate::encoding::{Codec, Errors};
use crate::protocol::{Mode, Negotiator, OptionState, ServerPolicy, Side};
use crate::session::{Session, SessionConfig};
use crate::telopt::{self, ECHO, NAWS, SGA, TTYPE};
use crate::transport::{self, Transport};
use crate::{Error, Result};

/// How a [`BlockingTelnetServer`] negotiates and treats its clients, with telnetlib3's
/// defaults.
///
/// ```
/// use std::time::Duration;
/// use telnetlib3::ServerOptions;
/// let options = ServerOptions::default()
///     .line_mode(true)
///     .timeout(Some(Duration::from_secs(60)))
///     .max_connections(100);
/// assert_eq!(options.connect_maxwait, Duration::from_secs(4));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerOptions {
    /// Text encoding; `None` for bytes only (no CHARSET offered). Default: `Some("utf8")`.
    pub encoding: Option<String>,
    /// What to do with text the encoding cannot carry. Default: [`Errors::Replace`].
    pub encoding_errors: Errors,
    /// Use the encoding before BINARY is agreed. Default: false.
    pub force_binary: bool,
    /// Line mode: LINEMODE with MODE EDIT, never WILL SGA or WILL ECHO. Default: false.
    pub line_mode: bool,
    /// Never mark prompts with Go-Ahead. Default: false.
    pub never_send_ga: bool,
    /// Longest wait for negotiation before the handler runs. Default: 4 s.
    pub connect_maxwait: Duration,
    /// Close a client idle this long, after writing `\r\nTimeout.\r\n`; `None` never.
    /// Default: 300 s.
    pub timeout: Option<Duration>,
    /// Terminal type until the client names one. Default: `"unknown"`.
    pub term: String,
    /// Columns until the client sends NAWS. Default: 80.
    pub cols: u16,
    /// Rows until the client sends NAWS. Default: 25.
    pub rows: u16,
    /// TLS certificate chain (PEM); with `tls_key`, every connection is TLS. Default: none.
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM). Default: none.
    pub tls_key: Option<PathBuf>,
    /// With a certificate: accept TLS and plain clients on one port, waiting this long for a
    /// TLS hello before taking a client as plain. Default: none (TLS only, when configured).
    pub tls_auto: Option<Duration>,
    /// At most this many clients at once (0: no limit); the next one is told
    /// `refusal_message` and disconnected. Default: 0.
    pub max_connections: usize,
    /// What a refused client is told. Default: `"Too many connections, try again later.\r\n"`.
    pub refusal_message: String,
    /// Bound on one subnegotiation from a client, in bytes. Default: 1 MiB.
    pub subnegotiation_limit: usize,
    /// Bound on received data waiting to be read, per client. Default: 64 KiB.
    pub buffer_limit: usize,
    /// Timeout of every blocking call a handler makes with `None`, writes included.
    /// Default: none.
    pub io_timeout: Option<Duration>,
    /// Echo what the client types while the server performs ECHO, with backspace editing.
    /// Default: true.
    pub echo: bool,
    /// Stack size of each handler thread. Default: 256 KiB.
    pub handler_stack_size: usize,
    /// Turn the telnet commands a client sends for terminal functions into the keys that do
    /// them on a terminal, in the input at the place they arrived: IP and BRK become `^C`,
    /// ABORT `^\`, SUSP `^Z`, EOF `^D`, AO `^O`, EC DEL and EL `^U`. For handlers that pass
    /// input to a terminal, such as [`PtyShell`](crate::shell::PtyShell). Default: false
    /// (they arrive as nothing).
    pub command_keys: bool,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            encoding: Some("utf8".to_owned()),
            encoding_errors: Errors::Replace,
            force_binary: false,
            line_mode: false,
            never_send_ga: false,
            connect_maxwait: Duration::from_secs(4),
            timeout: Some(Duration::from_secs(300)),
            term: "unknown".to_owned(),
            cols: 80,
            rows: 25,
            tls_cert: None,
            tls_key: None,
            tls_auto: None,
            max_connections: 0,
            refusal_message: "Too many connections, try again later.\r\n".to_owned(),
            subnegotiation_limit: crate::protocol::DEFAULT_SUBNEGOTIATION_LIMIT,
            buffer_limit: 64 * 1024,
            io_timeout: None,
            echo: true,
            handler_stack_size: 256 * 1024,
            command_keys: false,
        }
    }
}

impl ServerOptions {
    setters! {
        /// Sets [`encoding_errors`](Self::encoding_errors).
        encoding_errors: Errors,
        /// Sets [`force_binary`](Self::force_binary).
        force_binary: bool,
        /// Sets [`line_mode`](Self::line_mode).
        line_mode: bool,
        /// Sets [`never_send_ga`](Self::never_send_ga).
        never_send_ga: bool,
        /// Sets [`connect_maxwait`](Self::connect_maxwait).
        connect_maxwait: Duration,
        /// Sets [`timeout`](Self::timeout).
        timeout: Option<Duration>,
        /// Sets [`cols`](Self::cols).
        cols: u16,
        /// Sets [`rows`](Self::rows).
        rows: u16,
        /// Sets [`tls_auto`](Self::tls_auto).
        tls_auto: Option<Duration>,
        /// Sets [`max_connections`](Self::max_connections).
        max_connections: usize,
        /// Sets [`subnegotiation_limit`](Self::subnegotiation_limit).
        subnegotiation_limit: usize,
        /// Sets [`buffer_limit`](Self::buffer_limit).
        buffer_limit: usize,
        /// Sets [`io_timeout`](Self::io_timeout).
        io_timeout: Option<Duration>,
        /// Sets [`echo`](Self::echo).
        echo: bool,
        /// Sets [`handler_stack_size`](Self::handler_stack_size).
        handler_stack_size: usize,
        /// Sets [`command_keys`](Self::command_keys).
        command_keys: bool,
    }

    text_setters! {
        /// Sets [`encoding`](Self::encoding) (`None`: bytes only).
        encoding: Option<&str>,
        /// Sets [`term`](Self::term).
        term: &str,
        /// Sets [`refusal_message`](Self::refusal_message).
        refusal_message: &str,
    }

    /// Serves TLS with this certificate chain and key (PEM files).
    #[must_use]
    pub fn tls(mut self, cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        self.tls_cert = Some(cert.into());
        self.tls_key = Some(key.into());
        self
    }

    fn codec(&self) -> Result<Option<Codec>> {
        Codec::configured(self.encoding.as_deref())
    }
}

type Handler = Arc<dyn Fn(ServerConnection) + Send + Sync + 'static>;

/// A blocking telnet server: one thread per client runs the handler, after negotiation.
///
/// Cheap to clone: clones share the server, so one thread can [`serve_forever`] while another
/// calls [`shutdown`].
///
/// [`serve_forever`]: BlockingTelnetServer::serve_forever
/// [`shutdown`]: BlockingTelnetServer::shutdown
#[derive(Clone)]
pub struct BlockingTelnetServer {
    inner: Arc<Inner>,
}

struct Inner {
    host: String,
    port: u16,
    options: ServerOptions,
    handler: Option<Handler>,
    listener: Mutex<Option<TcpListener>>,
    local_addr: Mutex<Option<SocketAddr>>,
    tls: Mutex<Option<Arc<rustls::ServerConfig>>>,
    clients: Mutex<HashMap<u64, ServerConnection>>,
    /// Handler threads running (they are detached, so each one's stack goes when it ends).
    handlers: std::sync::atomic::AtomicUsize,
    shutting_down: AtomicBool,
    next_id: AtomicU64,
    /// Most clients the system lets this process hold (see [`system_capacity`]).
    capacity: Mutex<Option<(usize, String)>>,
    /// Clients admitted and still negotiating (not in `clients` yet).
    admitted: std::sync::atomic::AtomicUsize,
}

impl std::fmt::Debug for BlockingTelnetServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingTelnetServer")
            .field("host", &self.inner.host)
            .field("port", &self.inner.port)
            .field("local_addr", &*self.inner.local_addr.lock())
            .field("clients", &self.inner.clients.lock().len())
            .finish_non_exhaustive()
    }
}

thread_local! {
    /// Set on handler threads, so that `shutdown` called from a handler does not wait for itself.
    static IN_HANDLER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// How often a blocking accept looks again (and notices a shutdown).
const ACCEPT_POLL: Duration = Duration::from_millis(20);

impl BlockingTelnetServer {
    /// A server for `host:port` (port 0 picks a free one) running `handler` for each client,
    /// with the default options. Nothing is bound until [`start`](Self::start) or
    /// [`serve_forever`](Self::serve_forever).
    pub fn new(
        host: &str,
        port: u16,
        handler: impl Fn(ServerConnection) + Send + Sync + 'static,
    ) -> Self {
        Self::with_options(host, port, ServerOptions::default(), handler)
    }

    /// A server with `options`.
    pub fn with_options(
        host: &str,
        port: u16,
        options: ServerOptions,
        handler: impl Fn(ServerConnection) + Send + Sync + 'static,
    ) -> Self {
        Self::build(host, port, options, Some(Arc::new(handler)))
    }

    /// A server without a handler, for [`start`](Self::start) and [`accept`](Self::accept)
    /// with a threading strategy of your own.
    #[must_use]
    pub fn without_handler(host: &str, port: u16, options: ServerOptions) -> Self {
        Self::build(host, port, options, None)
    }

    fn build(host: &str, port: u16, options: ServerOptions, handler: Option<Handler>) -> Self {
        Self {
            inner: Arc::new(Inner {
                host: host.to_owned(),
                port,
                options,
                handler,
                listener: Mutex::new(None),
                local_addr: Mutex::new(None),
                tls: Mutex::new(None),
                clients: Mutex::new(HashMap::new()),
                handlers: std::sync::atomic::AtomicUsize::new(0),
                shutting_down: AtomicBool::new(false),
                next_id: AtomicU64::new(1),
                capacity: Mutex::new(None),
                admitted: std::sync::atomic::AtomicUsize::new(0),
            }),
        }
    }

    /// Binds the listening socket (once) and loads the TLS certificate if configured. Returns
    /// the address bound.
    ///
    /// # Errors
    /// [`Error::Io`] when the address cannot be bound, [`Error::Config`] for an unknown
    /// encoding, or a certificate or key that does not load.
    pub fn start(&self) -> Result<SocketAddr> {
        let mut listener = self.inner.listener.lock();
        if listener.is_none() {
            let options = &self.inner.options;
            options.codec()?;
            if let (Some(cert), Some(key)) = (&options.tls_cert, &options.tls_key) {
                *self.inner.tls.lock() = Some(transport::server_config(cert, key)?);
            } else if options.tls_cert.is_some() || options.tls_key.is_some() {
                return Err(Error::config(
                    "TLS needs both a certificate and a key".to_owned(),
                ));
            }
            let addrs: Vec<SocketAddr> = (self.inner.host.as_str(), self.inner.port)
                .to_socket_addrs()
                .map_err(Error::Io)?
                .collect();
            let bound = TcpListener::bind(&addrs[..]).map_err(Error::Io)?;
            bound.set_nonblocking(true).map_err(Error::Io)?;
            let addr = bound.local_addr().map_err(Error::Io)?;
            let capacity = system_capacity();
            if let Some((clients, why)) = &capacity {
                log::info!(
                    "telnet server listening on {addr} (room for about {clients} clients: {why})"
                );
            } else {
                log::info!("telnet server listening on {addr}");
            }
            *self.inner.capacity.lock() = capacity;
            *self.inner.local_addr.lock() = Some(addr);
            *listener = Some(bound);
        }
        self.local_addr()
            .ok_or_else(|| Error::config("server is not bound".to_owned()))
    }

    /// The address bound, once started.
    #[must_use]
    pub fn local_addr(&self) -> Option<SocketAddr> {
        *self.inner.local_addr.lock()
    }

    /// Serves clients until [`shutdown`](Self::shutdown): each gets its own thread, which
    /// negotiates, then runs the handler. A panicking handler closes only its own connection.
    ///
    /// # Errors
    /// As [`start`](Self::start); [`Error::Config`] when the server has no handler.
    pub fn serve_forever(&self) -> Result<()> {
        let handler = self
            .inner
            .handler
            .clone()
            .ok_or_else(|| Error::config("serve_forever needs a handler".to_owned()))?;
        self.start()?;
        while !self.inner.shutting_down.load(Ordering::SeqCst) {
            let Some((stream, peer)) = self.poll_accept()? else {
                std::thread::sleep(ACCEPT_POLL);
                continue;
            };
            if !self.admit(&stream) {
                continue;
            }
            let server = self.clone();
            let handler = Arc::clone(&handler);
            self.inner.handlers.fetch_add(1, Ordering::SeqCst);
            let spawned = std::thread::Builder::new()
                .name(format!("telnet handler {peer}"))
                .stack_size(self.inner.options.handler_stack_size)
                .spawn(move || {
                    IN_HANDLER.with(|h| h.set(true));
                    server.run_client(stream, peer, &handler);
                    server.inner.handlers.fetch_sub(1, Ordering::SeqCst);
                });
            // The handle is dropped: the thread is detached, and its stack is freed when it ends.
            if let Err(err) = spawned {
                self.inner.handlers.fetch_sub(1, Ordering::SeqCst);
                self.inner.admitted.fetch_sub(1, Ordering::SeqCst);
                log::error!("cannot start a thread for {peer}: {err}");
            }
        }
        Ok(())
    }

    /// Waits for the next client (at most `timeout`; `None` waits for ever), negotiates with it
    /// and returns it, for a threading strategy of your own.
    ///
    /// # Errors
    /// [`Error::Timeout`] when no client came, [`Error::Closed`] after
    /// [`shutdown`](Self::shutdown), or the errors of [`start`](Self::start) and of the TLS
    /// handshake.
    pub fn accept(&self, timeout: Option<Duration>) -> Result<ServerConnection> {
        self.start()?;
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            if self.inner.shutting_down.load(Ordering::SeqCst) {
                return Err(Error::Closed);
            }
            if let Some((stream, peer)) = self.poll_accept()? {
                if self.admit(&stream) {
                    return self.setup(stream, peer);
                }
            } else {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    return Err(Error::Timeout);
                }
                std::thread::sleep(ACCEPT_POLL);
            }
        }
    }

    fn poll_accept(&self) -> Result<Option<(TcpStream, SocketAddr)>> {
        let listener = self.inner.listener.lock();
        let Some(listener) = listener.as_ref() else {
            return Err(Error::Closed);
        };
        match listener.accept() {
            Ok((stream, peer)) => {
                stream.set_nonblocking(false).map_err(Error::Io)?;
                let _ = stream.set_nodelay(true);
                Ok(Some((stream, peer)))
            }
            Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => Ok(None),
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => Ok(None),
            Err(err) => {
                // Out of file descriptors and the like: keep serving the clients we have.
                log::warn!("accept failed: {err}");
                Ok(None)
            }
        }
    }

    /// Applies max_connections, and the system's own limits: a client over either is told
    /// `refusal_message` and disconnected, so that a full system refuses clients instead of
    /// failing to start their threads (which would abort the process).
    fn admit(&self, stream: &TcpStream) -> bool {
        let configured = match self.inner.options.max_connections {
            0 => usize::MAX,
            max => max,
        };
        let system = self.inner.capacity.lock().clone();
        let limit = configured.min(system.as_ref().map_or(usize::MAX, |(c, _)| *c));
        if limit == usize::MAX {
            self.inner.admitted.fetch_add(1, Ordering::SeqCst);
            return true;
        }
        let active = {
            let mut clients = self.inner.clients.lock();
            clients.retain(|_, c| !c.session().is_closed());
            clients.len()
        } + self.inner.admitted.load(Ordering::SeqCst);
        if active < limit {
            self.inner.admitted.fetch_add(1, Ordering::SeqCst);
            return true;
        }
        match system {
            Some((clients, why)) if clients == limit && clients < configured => log::warn!(
                "refusing a client: {active} connections is all this system allows ({why})"
            ),
            _ => log::warn!("refusing a client: {active} of {limit} connections in use"),
        }
        use std::io::Write as _;
        let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
        let _ = (&*stream).write_all(self.inner.options.refusal_message.as_bytes());
        let _ = stream.shutdown(std::net::Shutdown::Both);
        false
    }

    /// TLS, negotiation, registration: a connection ready for its handler. Ends the
    /// connection's "admitted" count either way.
    fn setup(&self, stream: TcpStream, peer: SocketAddr) -> Result<ServerConnection> {
        let result = self.setup_inner(stream, peer);
        self.inner.admitted.fetch_sub(1, Ordering::SeqCst);
        result
    }

    fn setup_inner(&self, stream: TcpStream, peer: SocketAddr) -> Result<ServerConnection> {
        let options = &self.inner.options;
        let tls = self.inner.tls.lock().clone();
        let handshake =
            Some(Duration::from_secs(10).min(options.connect_maxwait.max(Duration::from_secs(5))));
        let transport = match (tls, options.tls_auto) {
            (Some(config), Some(peek)) => Transport::accept_auto(stream, config, peek, handshake)?,
            (Some(config), None) => Transport::accept_tls(stream, config, handshake)?,
            (None, _) => Transport::plain(stream),
        };
        let codec = options.codec()?;
        let policy = ServerPolicy::default()
            .line_mode(options.line_mode)
            .encoding(codec.map(|c| c.name()))
            .never_send_ga(options.never_send_ga)
            .subnegotiation_limit(options.subnegotiation_limit);
        let config = SessionConfig {
            encoding: codec,
            errors: options.encoding_errors,
            force_binary: options.force_binary,
            buffer_limit: options.buffer_limit.max(1),
            default_timeout: options.io_timeout,
            thread_name: format!("telnet reader {peer}"),
            idle_timeout: options.timeout,
            line_discipline: options.echo,
            command_keys: options.command_keys,
        };
        let session = Session::start(transport, Negotiator::server(policy), config, None)?;
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let conn = ServerConnection {
            inner: Arc::new(ConnInner {
                session,
                id,
                options: options.clone(),
                connect_time: SystemTime::now(),
                active: AtomicBool::new(true),
                prompt: AtomicBool::new(false),
            }),
        };
        let settled = conn
            .session()
            .wait_settled(Duration::ZERO, options.connect_maxwait);
        log::info!(
            "{peer}: connected, negotiation {} ({})",
            if settled {
                "settled"
            } else {
                "not settled within connect_maxwait"
            },
            conn.negotiation_summary()
        );
        self.inner.clients.lock().insert(id, conn.clone());
        Ok(conn)
    }

    fn run_client(&self, stream: TcpStream, peer: SocketAddr, handler: &Handler) {
        let conn = match self.setup(stream, peer) {
            Ok(conn) => conn,
            Err(err) => {
                log::warn!("{peer}: setup failed: {err}");
                return;
            }
        };
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| handler(conn.clone())));
        if let Err(panic) = outcome {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".to_owned());
            log::error!("{peer}: handler panicked: {message}");
        }
        conn.close();
        self.inner.clients.lock().remove(&conn.inner.id);
        log::info!("{peer}: disconnected");
    }

    /// Every client connected now (for broadcasting).
    #[must_use]
    pub fn clients(&self) -> Vec<ServerConnection> {
        let mut clients = self.inner.clients.lock();
        clients.retain(|_, c| !c.session().is_closed());
        let mut list: Vec<ServerConnection> = clients.values().cloned().collect();
        list.sort_by_key(|c| c.inner.id);
        list
    }

    /// Stops accepting, closes every client (their handlers' calls fail with
    /// [`Error::Closed`]) and waits up to 5 s for the handler threads to end. Callable from any
    /// thread, a handler included.
    pub fn shutdown(&self) {
        if self.inner.shutting_down.swap(true, Ordering::SeqCst) {
            return;
        }
        log::info!("telnet server shutting down");
        *self.inner.listener.lock() = None;
        let clients: Vec<ServerConnection> =
            self.inner.clients.lock().drain().map(|(_, c)| c).collect();
        for client in &clients {
            client.close();
        }
        // Wait for the handler threads, except the one calling (when a handler shuts down).
        let me = usize::from(IN_HANDLER.with(std::cell::Cell::get));
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.inner.handlers.load(Ordering::SeqCst) > me && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let left = self
            .inner
            .handlers
            .load(Ordering::SeqCst)
            .saturating_sub(me);
        if left > 0 {
            log::warn!("{left} handler threads did not end within 5 s of shutdown");
        }
    }

    /// Whether [`shutdown`](Self::shutdown) was called.
    #[must_use]
    pub fn is_shut_down(&self) -> bool {
        self.inner.shutting_down.load(Ordering::SeqCst)
    }
}

/// Memory mappings a connection costs: two threads, each a stack and a signal stack with a
/// guard page apiece.
const MAPPINGS_PER_CLIENT: usize = 8;
/// Threads a connection costs: the handler and the session's reader.
const THREADS_PER_CLIENT: usize = 2;

/// How many clients this process can hold before the system refuses it memory mappings
/// (`vm.max_map_count`), threads (`kernel.threads-max`, `kernel.pid_max`) or file descriptors
/// (`RLIMIT_NOFILE`), with what limits it: read from `/proc` where there is one.
fn system_capacity() -> Option<(usize, String)> {
    let read =
        |path: &str| -> Option<usize> { std::fs::read_to_string(path).ok()?.trim().parse().ok() };
    let mut limits: Vec<(usize, String)> = Vec::new();
    if let Some(maps) = read("/proc/sys/vm/max_map_count") {
        let used = std::fs::read_to_string("/proc/self/maps").map_or(0, |m| m.lines().count());
        let room = maps.saturating_sub(used + 1024) / MAPPINGS_PER_CLIENT;
        limits.push((room, format!("vm.max_map_count={maps}")));
    }
    let threads = [
        read("/proc/sys/kernel/threads-max"),
        read("/proc/sys/kernel/pid_max"),
    ]
    .into_iter()
    .flatten()
    .min();
    if let Some(threads) = threads {
        let room = threads.saturating_sub(1024) / THREADS_PER_CLIENT;
        limits.push((room, format!("{threads} threads")));
    }
    let open_files = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|l| {
            l.lines()
                .find(|line| line.starts_with("Max open files"))
                .and_then(|line| line.split_whitespace().nth(3))
                .and_then(|soft| soft.parse::<usize>().ok())
        });
    if let Some(files) = open_files {
        limits.push((files.saturating_sub(64), format!("{files} open files")));
    }
    limits.into_iter().min_by_key(|(room, _)| *room)
}

struct ConnInner {
    session: Session,
    id: u64,
    options: ServerOptions,
    connect_time: SystemTime,
    active: AtomicBool,
    /// Output was written since the last read and did not end in a newline.
    prompt: AtomicBool,
}

/// One client of a [`BlockingTelnetServer`]: telnetlib3.sync's `ServerConnection` methods plus
/// miniboa's `TelnetClient` API.
///
/// Cheap to clone (clones share the connection). Timeouts given as `None` use
/// [`ServerOptions::io_timeout`].
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

impl ServerConnection {
    fn session(&self) -> &crate::session::Shared {
        self.inner.session.shared()
    }

    fn negotiation_summary(&self) -> String {
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

    /// Marks the end of a prompt before a read would wait (see the module docs on Go-Ahead).
    fn before_read(&self) {
        if self.inner.prompt.swap(false, Ordering::SeqCst) {
            let _ = self.session().with_negotiator(|neg| {
                neg.end_prompt();
            });
        }
    }

    fn after_write(&self, tail: Option<u8>) {
        if let Some(last) = tail {
            self.inner.prompt.store(last != b'\n', Ordering::SeqCst);
        }
    }

    // ---------------------------------------------------------------------------------------
    // telnetlib3.sync API

    /// Reads up to `n` characters, waiting for at least one.
    ///
    /// # Errors
    /// [`Error::Timeout`], [`Error::Eof`] once the client hung up and everything was read,
    /// [`Error::Closed`] after [`close`](Self::close), [`Error::Encoding`] with strict
    /// `encoding_errors`.
    pub fn read(&self, n: usize, timeout: Option<Duration>) -> Result<String> {
        self.before_read();
        self.session().read_text(n, timeout)
    }

    /// Reads up to `n` bytes, waiting for at least one.
    ///
    /// # Errors
    /// As [`read`](Self::read).
    pub fn read_bytes(&self, n: usize, timeout: Option<Duration>) -> Result<Vec<u8>> {
        self.before_read();
        self.session().read_bytes(n, timeout)
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
    /// As [`read`](Self::read).
    pub fn read_some_bytes(&self, timeout: Option<Duration>) -> Result<Vec<u8>> {
        self.read_bytes(usize::MAX, timeout)
    }

    /// Reads one line, terminator included (CR LF, LF, CR NUL given as CR, or CR).
    ///
    /// # Errors
    /// As [`read`](Self::read); [`Error::Eof`] only when nothing at all is left.
    pub fn readline(&self, timeout: Option<Duration>) -> Result<String> {
        self.before_read();
        self.session().readline_text(timeout)
    }

    /// [`readline`](Self::readline) in bytes.
    ///
    /// # Errors
    /// As [`readline`](Self::readline).
    pub fn readline_bytes(&self, timeout: Option<Duration>) -> Result<Vec<u8>> {
        self.before_read();
        self.session().readline_bytes(timeout)
    }

    /// Reads up to and including `pattern`.
    ///
    /// # Errors
    /// As [`read`](Self::read); [`Error::Eof`] when the client hangs up first.
    pub fn read_until(&self, pattern: &str, timeout: Option<Duration>) -> Result<String> {
        self.before_read();
        self.session().read_until_text(pattern, timeout)
    }

    /// [`read_until`](Self::read_until) in bytes.
    ///
    /// # Errors
    /// As [`read_until`](Self::read_until).
    pub fn read_until_bytes(&self, pattern: &[u8], timeout: Option<Duration>) -> Result<Vec<u8>> {
        self.before_read();
        self.session().read_until_bytes(pattern, timeout)
    }

    /// Writes text in the connection's encoding, `IAC` doubled, no newline conversion (see
    /// [`send`](Self::send) for that).
    ///
    /// # Errors
    /// [`Error::Io`] when the client is gone, [`Error::Timeout`] past `io_timeout`,
    /// [`Error::Closed`] after [`close`](Self::close), [`Error::Encoding`] with strict
    /// `encoding_errors`.
    pub fn write(&self, text: &str) -> Result<()> {
        self.session().write_text(text)?;
        self.after_write(text.as_bytes().last().copied());
        Ok(())
    }

    /// Writes bytes, `IAC` doubled.
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub fn write_bytes(&self, data: &[u8]) -> Result<()> {
        self.session().write_bytes(data)?;
        self.after_write(data.last().copied());
        Ok(())
    }

    /// Writes `text` and marks it as a prompt at once (EOR or GA, per the rules in the module
    /// docs), instead of waiting for the next read.
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub fn prompt(&self, text: &str) -> Result<()> {
        self.session().write_text(text)?;
        self.inner.prompt.store(false, Ordering::SeqCst);
        self.session().with_negotiator(|neg| {
            neg.end_prompt();
        })
    }

    /// Returns once everything written was handed to the socket (writes are not buffered in
    /// user space, so at once).
    ///
    /// # Errors
    /// [`Error::Closed`] after [`close`](Self::close).
    pub fn flush(&self, timeout: Option<Duration>) -> Result<()> {
        let _ = timeout;
        if self.session().is_closed() {
            return Err(Error::Closed);
        }
        Ok(())
    }

    /// Closes the connection. Idempotent.
    pub fn close(&self) {
        self.inner.active.store(false, Ordering::SeqCst);
        self.inner.session.close();
    }

    /// Waits until every condition holds.
    ///
    /// # Errors
    /// [`Error::Protocol`] for an unknown option name, [`Error::Timeout`], [`Error::Eof`],
    /// [`Error::Closed`].
    pub fn wait_for(&self, wait: &WaitFor, timeout: Option<Duration>) -> Result<()> {
        wait.validate()?;
        self.session()
            .wait_negotiation(timeout, |neg| wait.holds(neg))
    }

    /// Connection facts by telnetlib3's names: `TERM`, `term` (lower case), `ttype1`…,
    /// `cols`, `rows`, `charset`, `encoding`, `tspeed` (`"rx,tx"`), `xdisploc`, `sndloc`,
    /// `peername`, `sockname`, `timeout`, `tls`, `mode`, and every NEW_ENVIRON variable by its
    /// upper-case name (`LANG`, `USER`, …).
    #[must_use]
    pub fn get_extra_info(&self, key: &str) -> Option<String> {
        let shared = self.session();
        match key {
            "peername" => return shared.peer_addr().map(|a| a.to_string()),
            "sockname" => return shared.local_addr().map(|a| a.to_string()),
            "tls" => return Some(shared.is_tls().to_string()),
            "timeout" => {
                return Some(
                    self.inner
                        .options
                        .timeout
                        .map_or(0, |t| t.as_secs())
                        .to_string(),
                );
            }
            "encoding" => return shared.input_codec().map(|c| c.name().to_owned()),
            _ => {}
        }
        shared.negotiator(|neg| {
            let info = neg.info();
            match key {
                "TERM" => Some(
                    info.term
                        .clone()
                        .unwrap_or_else(|| self.inner.options.term.clone()),
                ),
                "term" => Some(
                    info.term
                        .clone()
                        .unwrap_or_else(|| self.inner.options.term.clone())
                        .to_ascii_lowercase(),
                ),
                "cols" | "COLUMNS" => Some(
                    info.window
                        .map_or(self.inner.options.cols, |w| w.0)
                        .to_string(),
                ),
                "rows" | "LINES" => Some(
                    info.window
                        .map_or(self.inner.options.rows, |w| w.1)
                        .to_string(),
                ),
                "charset" => info
                    .encoding()
                    .map(str::to_owned)
                    .or_else(|| self.inner.options.encoding.clone()),
                "tspeed" => info.tspeed.map(|(rx, tx)| format!("{rx},{tx}")),
                "xdisploc" => info.xdisploc.clone(),
                "sndloc" => info.sndloc.clone(),
                "mode" => Some(neg.mode().as_str().to_owned()),
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
        })
    }

    /// Both sides of the option called `name`.
    ///
    /// # Errors
    /// [`Error::Protocol`] for an unknown name.
    pub fn option_state(&self, name: &str) -> Result<OptionState> {
        Ok(self.session().negotiator(|neg| neg.option_state(name))?)
    }

    /// telnetlib3's mode: local, remote or kludge.
    #[must_use]
    pub fn mode(&self) -> Mode {
        self.session().negotiator(Negotiator::mode)
    }

    /// Whether the server edits and echoes this client's input while it performs ECHO: the
    /// [`echo`](ServerOptions::echo) option, unless turned off for now by
    /// [`set_line_discipline`](Self::set_line_discipline) or password mode.
    #[must_use]
    pub fn line_discipline(&self) -> bool {
        self.inner.options.echo && self.session().echo()
    }

    /// Turns the echo of this client's input off, or back on (it only ever happens with the
    /// [`echo`](ServerOptions::echo) option, while the server performs ECHO). Useful while a
    /// handler reads replies the client's terminal sends by itself, such as a cursor position
    /// report, which should not be echoed.
    pub fn set_line_discipline(&self, on: bool) {
        self.session().set_echo(on && self.inner.options.echo);
    }

    /// Whether the client performs `option`.
    #[must_use]
    pub fn remote_enabled(&self, option: u8) -> bool {
        self.session()
            .negotiator(|neg| neg.enabled(Side::Remote, option))
    }

    /// Whether we perform `option`.
    #[must_use]
    pub fn local_enabled(&self, option: u8) -> bool {
        self.session()
            .negotiator(|neg| neg.enabled(Side::Local, option))
    }

    /// Runs `f` with the live negotiator, then sends what it queued.
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub fn with_negotiator<T>(&self, f: impl FnOnce(&mut Negotiator) -> T) -> Result<T> {
        self.session().with_negotiator(f)
    }

    /// Sends a bare command such as [`telopt::AYT`] or [`telopt::NOP`].
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub fn send_command(&self, command: u8) -> Result<()> {
        self.session()
            .with_negotiator(|neg| neg.send_command(command))
    }

    /// The client's address.
    #[must_use]
    pub fn peer_addr(&self) -> Option<SocketAddr> {
        self.session().peer_addr()
    }

    // ---------------------------------------------------------------------------------------
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

    /// Bytes sent on the wire (telnet commands included).
    #[must_use]
    pub fn bytes_sent(&self) -> u64 {
        self.session().byte_counts().0
    }

    /// Bytes received on the wire (telnet commands included).
    #[must_use]
    pub fn bytes_received(&self) -> u64 {
        self.session().byte_counts().1
    }

    /// Time since the client last sent anything.
    #[must_use]
    pub fn idle(&self) -> Duration {
        self.session().idle()
    }

    /// Time since the client connected.
    #[must_use]
    pub fn duration(&self) -> Duration {
        self.session().duration()
    }

    /// Sends text with `\n` as `\r\n` (a `\r\n` already there stays single).
    ///
    /// # Errors
    /// As [`write`](Self::write).
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
    /// As [`write`](Self::write).
    pub fn send_cc(&self, text: &str) -> Result<()> {
        self.send(&colorize(text))
    }

    /// Sends text word-wrapped to [`columns`](Self::columns), as miniboa does (an indent of 4,
    /// a padding of 2, caret codes converted).
    ///
    /// # Errors
    /// As [`write`](Self::write).
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
        self.before_read();
        self.session()
            .readline_text(Some(Duration::ZERO))
            .ok()
            .map(|line| line.trim().to_owned())
    }

    /// Asks the client to suppress Go-Ahead (`DO SGA`).
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub fn request_do_sga(&self) -> Result<()> {
        self.with_negotiator(|neg| neg.request(Side::Remote, SGA, true))
    }

    /// Offers to echo (`WILL ECHO`) and echoes what the client types.
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub fn request_will_echo(&self) -> Result<()> {
        self.session().set_echo(true);
        self.with_negotiator(|neg| neg.request(Side::Local, ECHO, true))
    }

    /// Stops echoing (`WONT ECHO`): the client echoes locally again.
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub fn request_wont_echo(&self) -> Result<()> {
        self.session().set_echo(false);
        self.with_negotiator(|neg| neg.request(Side::Local, ECHO, false))
    }

    /// Password mode: `WILL ECHO` without echoing, so the client shows nothing typed.
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub fn password_mode_on(&self) -> Result<()> {
        self.session().set_echo(false);
        self.with_negotiator(|neg| neg.request(Side::Local, ECHO, true))
    }

    /// Ends password mode: `WONT ECHO`, and echo is back on for later `WILL ECHO`.
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub fn password_mode_off(&self) -> Result<()> {
        self.session().set_echo(self.inner.options.echo);
        self.with_negotiator(|neg| neg.request(Side::Local, ECHO, false))
    }

    /// Asks for the window size (`DO NAWS`).
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub fn request_naws(&self) -> Result<()> {
        self.with_negotiator(|neg| neg.request(Side::Remote, NAWS, true))
    }

    /// Asks for the terminal type (`DO TTYPE`).
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub fn request_terminal_type(&self) -> Result<()> {
        self.with_negotiator(|neg| neg.request(Side::Remote, TTYPE, true))
    }
}

/// miniboa's caret codes.
const CARET_CODES: &[(char, &str)] = &[
    ('k', "\x1b[22;30m"),
    ('K', "\x1b[1;30m"),
    ('r', "\x1b[22;31m"),
    ('R', "\x1b[1;31m"),
    ('g', "\x1b[22;32m"),
    ('G', "\x1b[1;32m"),
    ('y', "\x1b[22;33m"),
    ('Y', "\x1b[1;33m"),
    ('b', "\x1b[22;34m"),
    ('B', "\x1b[1;34m"),
    ('m', "\x1b[22;35m"),
    ('M', "\x1b[1;35m"),
    ('c', "\x1b[22;36m"),
    ('C', "\x1b[1;36m"),
    ('w', "\x1b[22;37m"),
    ('W', "\x1b[1;37m"),
    ('0', "\x1b[40m"),
    ('1', "\x1b[41m"),
    ('2', "\x1b[42m"),
    ('3', "\x1b[43m"),
    ('4', "\x1b[44m"),
    ('5', "\x1b[45m"),
    ('6', "\x1b[46m"),
    ('d', "\x1b[39;49m"),
    ('I', "\x1b[7m"),
    ('i', "\x1b[27m"),
    ('~', "\x1b[0m"),
    ('U', "\x1b[4m"),
    ('u', "\x1b[24m"),
    ('!', "\x1b[1m"),
    ('.', "\x1b[22m"),
    ('s', "\x1b[2J"),
    ('l', "\x1b[2K"),
];

/// Turns miniboa caret codes into ANSI sequences (`^^` is a caret).
#[must_use]
pub fn colorize(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '^' {
            out.push(c);
            continue;
        }
        match chars.clone().next() {
            Some('^') => {
                chars.next();
                out.push('^');
            }
            Some(code) => match CARET_CODES.iter().find(|(k, _)| *k == code) {
                Some((_, ansi)) => {
                    chars.next();
                    out.push_str(ansi);
                }
                None => out.push('^'),
            },
            None => out.push('^'),
        }
    }
    out
}

/// miniboa's `word_wrap`: paragraphs (split at blank lines) wrapped to `columns - padding`,
/// the first line of each indented by `indent` spaces, later ones by `padding`.
#[must_use]
pub fn word_wrap(text: &str, columns: usize, indent: usize, padding: usize) -> Vec<String> {
    let columns = columns.saturating_sub(padding);
    let mut lines = Vec::new();
    let normalised = text.replace("\r\n", "\n");
    for para in normalised.split("\n\n") {
        if para.trim().is_empty() {
            continue;
        }
        let mut line = " ".repeat(indent);
        for word in para.split_whitespace() {
            if line.chars().count() + 1 + word.chars().count() > columns {
                lines.push(line);
                line = " ".repeat(padding) + word;
            } else {
                line.push(' ');
                line.push_str(word);
            }
        }
        if !line.trim().is_empty() {
            lines.push(line);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_codes() {
        assert_eq!(
            colorize("^rred^~ and ^^ caret"),
            "\x1b[22;31mred\x1b[0m and ^ caret"
        );
        assert_eq!(colorize("^Bbold blue^d"), "\x1b[1;34mbold blue\x1b[39;49m");
        assert_eq!(colorize("100%^ ^z end^"), "100%^ ^z end^");
    }

    #[test]
    fn miniboa_word_wrap() {
        let lines = word_wrap("one two three four five six seven", 20, 4, 2);
        assert_eq!(lines, ["     one two three", "  four five six", "  seven"]);
        assert!(word_wrap("   \n\n  ", 80, 4, 2).is_empty());
    }
}
