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

//!
//! # Threads and waits
//!
//! ```text
//!   start() ─▶ acceptor thread: poll(listener, wake pipe) ─▶ accept ─▶ admit (limits)
//!                                                                 │
//!        one thread per client: TLS handshake ─▶ Engine (reader) ─▶ negotiation settles
//!                                                                 │   (or connect_maxwait)
//!                    serve_forever: runs the handler ◀────────────┤
//!                    no serve_forever: ready queue ─▶ accept(timeout)
//!   shutdown() ─▶ wake pipe (the acceptor ends at once) ─▶ close clients ─▶ wait (Condvar)
//! ```
//!
//! Negotiation runs in the background from the moment a client connects, so
//! [`accept`](BlockingTelnetServer::accept) hands over clients that are ready and honours its
//! timeout, and a silent client delays nobody.

mod admission;
mod connection;
mod options;
mod text;

use std::collections::{HashMap, VecDeque};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::os::fd::AsRawFd;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use crate::connection::{Connection, Role};
use crate::engine::{Engine, EngineConfig, EVENT_CAPACITY};
use crate::protocol::nvt::NvtConfig;
use crate::protocol::Negotiator;
use crate::sys::poll::{poll, PollFd, WakePipe, READABLE};
use crate::transport::{self, Transport};
use crate::{Error, Result};

pub use connection::ServerConnection;
pub use options::ServerOptions;
pub use text::{colorize, word_wrap};

use connection::ConnInner;

type Handler = Arc<dyn Fn(ServerConnection) + Send + Sync + 'static>;

/// A blocking telnet server: one thread per client negotiates, then runs the handler.
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
    local_addr: Mutex<Option<SocketAddr>>,
    tls: Mutex<Option<Arc<rustls::ServerConfig>>>,
    wake: Mutex<Option<Arc<WakePipe>>>,
    acceptor: Mutex<Option<JoinHandle<()>>>,
    /// Every client past its TLS handshake, by id; the handles themselves belong to the
    /// handlers (or the caller of `accept`), so a dropped connection closes.
    clients: Mutex<HashMap<u64, Weak<ConnInner>>>,
    /// Negotiated clients waiting for `accept`, and whether `serve_forever` takes them instead.
    ready: Mutex<Ready>,
    ready_cond: Condvar,
    /// Client threads running (negotiating or in the handler).
    threads: Mutex<usize>,
    threads_cond: Condvar,
    shutting_down: AtomicBool,
    next_id: AtomicU64,
    /// Most clients the system lets this process hold (see `admission::system_capacity`).
    capacity: Mutex<Option<(usize, String)>>,
    /// Clients admitted and not registered in `clients` yet (in their TLS handshake).
    admitted: AtomicUsize,
}

#[derive(Default)]
struct Ready {
    queue: VecDeque<ServerConnection>,
    serving: bool,
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
    /// Set on client threads, so that `shutdown` called from a handler does not wait for itself.
    static IN_HANDLER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// How long the acceptor waits before trying again when `accept` fails for want of
/// resources (out of file descriptors): the listener stays readable, so it would spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

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
                local_addr: Mutex::new(None),
                tls: Mutex::new(None),
                wake: Mutex::new(None),
                acceptor: Mutex::new(None),
                clients: Mutex::new(HashMap::new()),
                ready: Mutex::new(Ready::default()),
                ready_cond: Condvar::new(),
                threads: Mutex::new(0),
                threads_cond: Condvar::new(),
                shutting_down: AtomicBool::new(false),
                next_id: AtomicU64::new(1),
                capacity: Mutex::new(None),
                admitted: AtomicUsize::new(0),
            }),
        }
    }

    /// Binds the listening socket and starts accepting in the background (once): from then
    /// on every client is negotiated with as it connects. Returns the address bound.
    ///
    /// # Errors
    /// [`Error::Io`] when the address cannot be bound, [`Error::Config`] for an unknown
    /// encoding, or a certificate or key that does not load; [`Error::Closed`] after
    /// [`shutdown`](Self::shutdown).
    pub fn start(&self) -> Result<SocketAddr> {
        let mut acceptor = self.inner.acceptor.lock();
        if self.inner.shutting_down.load(Ordering::SeqCst) {
            return Err(Error::Closed);
        }
        if acceptor.is_none() {
            let options = &self.inner.options;
            options.codec()?;
            if let (Some(cert), Some(key)) = (&options.tls_cert, &options.tls_key) {
                *self.inner.tls.lock() = Some(transport::server_config(cert, key)?);
            } else if options.tls_cert.is_some() || options.tls_key.is_some() {
                return Err(Error::config("TLS needs both a certificate and a key"));
            }
            let addrs: Vec<SocketAddr> = (self.inner.host.as_str(), self.inner.port)
                .to_socket_addrs()
                .map_err(Error::Io)?
                .collect();
            let listener = TcpListener::bind(&addrs[..]).map_err(Error::Io)?;
            listener.set_nonblocking(true).map_err(Error::Io)?;
            let addr = listener.local_addr().map_err(Error::Io)?;
            let capacity = admission::system_capacity();
            if let Some((clients, why)) = &capacity {
                log::info!(
                    "telnet server listening on {addr} (room for about {clients} clients: {why})"
                );
            } else {
                log::info!("telnet server listening on {addr}");
            }
            *self.inner.capacity.lock() = capacity;
            *self.inner.local_addr.lock() = Some(addr);
            let wake = Arc::new(WakePipe::new().map_err(Error::Io)?);
            *self.inner.wake.lock() = Some(Arc::clone(&wake));
            let server = self.clone();
            let handle = std::thread::Builder::new()
                .name(format!("telnet acceptor {addr}"))
                .stack_size(64 * 1024)
                .spawn(move || server.accept_loop(&listener, &wake))
                .map_err(Error::Io)?;
            *acceptor = Some(handle);
        }
        self.local_addr()
            .ok_or_else(|| Error::config("server is not bound"))
    }

    /// The address bound, once started.
    #[must_use]
    pub fn local_addr(&self) -> Option<SocketAddr> {
        *self.inner.local_addr.lock()
    }

    /// Serves clients until [`shutdown`](Self::shutdown): each gets its own thread, which
    /// negotiates, then runs the handler. A panicking handler closes only its own connection.
    /// Clients that connected after [`start`](Self::start) and were not
    /// [`accept`](Self::accept)ed go to the handler too.
    ///
    /// # Errors
    /// As [`start`](Self::start); [`Error::Config`] when the server has no handler.
    pub fn serve_forever(&self) -> Result<()> {
        let handler = self
            .inner
            .handler
            .clone()
            .ok_or_else(|| Error::config("serve_forever needs a handler"))?;
        self.start()?;
        let waiting: Vec<ServerConnection> = {
            let mut ready = self.inner.ready.lock();
            ready.serving = true;
            ready.queue.drain(..).collect()
        };
        for conn in waiting {
            let server = self.clone();
            let handler = Arc::clone(&handler);
            let name = format!("telnet handler {}", conn.addrport());
            self.spawn_client_thread(name, move || server.run_handler(conn, &handler));
        }
        let mut ready = self.inner.ready.lock();
        while !self.inner.shutting_down.load(Ordering::SeqCst) {
            self.inner.ready_cond.wait(&mut ready);
        }
        Ok(())
    }

    /// The next client whose negotiation has settled (or run past `connect_maxwait`), at most
    /// `timeout` (`None` waits for ever), for a threading strategy of your own. Clients are
    /// negotiated with in the background from [`start`](Self::start) on, so a slow or silent
    /// client delays no other.
    ///
    /// # Errors
    /// [`Error::Timeout`] when no client was ready in time, [`Error::Closed`] after
    /// [`shutdown`](Self::shutdown), or the errors of [`start`](Self::start).
    pub fn accept(&self, timeout: Option<Duration>) -> Result<ServerConnection> {
        self.start()?;
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut ready = self.inner.ready.lock();
        loop {
            if self.inner.shutting_down.load(Ordering::SeqCst) {
                return Err(Error::Closed);
            }
            if let Some(conn) = ready.queue.pop_front() {
                return Ok(conn);
            }
            match deadline {
                Some(deadline) => {
                    if self
                        .inner
                        .ready_cond
                        .wait_until(&mut ready, deadline)
                        .timed_out()
                    {
                        return ready.queue.pop_front().ok_or(Error::Timeout);
                    }
                }
                None => self.inner.ready_cond.wait(&mut ready),
            }
        }
    }

    /// The acceptor thread: waits on the listener and the wake pipe, never polls.
    fn accept_loop(&self, listener: &TcpListener, wake: &WakePipe) {
        let mut fds = [
            PollFd::new(listener.as_raw_fd(), READABLE),
            PollFd::new(wake.fd(), READABLE),
        ];
        let mut backoff: Option<Instant> = None;
        loop {
            if self.inner.shutting_down.load(Ordering::SeqCst) {
                return;
            }
            if let Err(err) = poll(&mut fds, backoff) {
                log::error!("acceptor: poll failed: {err}");
                return;
            }
            if self.inner.shutting_down.load(Ordering::SeqCst) {
                return;
            }
            if fds[1].ready() {
                wake.drain();
                continue;
            }
            backoff = None;
            loop {
                match listener.accept() {
                    Ok((stream, peer)) => self.admit_and_spawn(stream, peer),
                    Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => break,
                    Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(err) => {
                        // Out of file descriptors and the like: keep serving the clients we
                        // have, and look again a little later.
                        log::warn!("accept failed: {err}");
                        backoff = Some(Instant::now() + ACCEPT_BACKOFF);
                        fds[0] = PollFd::new(wake.fd(), READABLE);
                        break;
                    }
                }
            }
            if backoff.is_none() {
                fds[0] = PollFd::new(listener.as_raw_fd(), READABLE);
            }
        }
    }

    fn admit_and_spawn(&self, stream: TcpStream, peer: SocketAddr) {
        if stream.set_nonblocking(false).is_err() {
            return;
        }
        let _ = stream.set_nodelay(true);
        if !self.admit(&stream) {
            return;
        }
        let server = self.clone();
        let spawned = self.spawn_client_thread(format!("telnet client {peer}"), move || {
            server.run_client(stream, peer);
        });
        if !spawned {
            self.inner.admitted.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Starts a client thread (counted, so that `shutdown` can wait for it). Returns false
    /// when the system refused the thread.
    fn spawn_client_thread(&self, name: String, body: impl FnOnce() + Send + 'static) -> bool {
        *self.inner.threads.lock() += 1;
        let server = self.clone();
        let spawned = std::thread::Builder::new()
            .name(name.clone())
            .stack_size(self.inner.options.handler_stack_size)
            .spawn(move || {
                IN_HANDLER.with(|h| h.set(true));
                body();
                let mut threads = server.inner.threads.lock();
                *threads -= 1;
                server.inner.threads_cond.notify_all();
            });
        // The handle is dropped: the thread is detached, and its stack is freed when it ends.
        match spawned {
            Ok(_) => true,
            Err(err) => {
                *self.inner.threads.lock() -= 1;
                self.inner.threads_cond.notify_all();
                log::error!("cannot start a thread ({name}): {err}");
                false
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
            // Counted without taking a handle: the acceptor must never end up holding the last
            // one (closing a connection waits for its reader).
            let mut clients = self.inner.clients.lock();
            clients.retain(|_, weak| weak.strong_count() > 0);
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
        admission::refuse(stream, &self.inner.options.refusal_message);
        false
    }

    /// A client thread: TLS, negotiation, then the handler or the ready queue.
    fn run_client(&self, stream: TcpStream, peer: SocketAddr) {
        let setup = self.setup(stream, peer);
        self.inner.admitted.fetch_sub(1, Ordering::SeqCst);
        let conn = match setup {
            Ok(conn) => conn,
            Err(err) => {
                log::warn!("{peer}: setup failed: {err}");
                return;
            }
        };
        let settled = conn
            .engine()
            .wait_settled(Duration::ZERO, self.inner.options.connect_maxwait);
        if conn.is_closed() {
            return;
        }
        log::info!(
            "{peer}: connected, negotiation {} ({})",
            if settled {
                "settled"
            } else {
                "not settled within connect_maxwait"
            },
            conn.negotiation_summary()
        );
        // The queue takes the only handle, so a connection `accept` hands over closes when
        // its taker drops it.
        let for_handler = {
            let mut ready = self.inner.ready.lock();
            match (&self.inner.handler, ready.serving) {
                (Some(handler), true) => Some((conn, Arc::clone(handler))),
                _ => {
                    ready.queue.push_back(conn);
                    self.inner.ready_cond.notify_all();
                    None
                }
            }
        };
        if let Some((conn, handler)) = for_handler {
            self.run_handler(conn, &handler);
        }
    }

    fn run_handler(&self, conn: ServerConnection, handler: &Handler) {
        let peer = conn.addrport();
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
        self.inner.clients.lock().remove(&conn.id());
        log::info!("{peer}: disconnected");
    }

    /// TLS and the engine: a registered connection, negotiating.
    fn setup(&self, stream: TcpStream, peer: SocketAddr) -> Result<ServerConnection> {
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
        let policy = options.policy.clone().encoding(codec.map(|c| c.name()));
        let config = EngineConfig {
            nvt: NvtConfig::default()
                .encoding(codec)
                .force_binary(options.force_binary)
                .command_keys(options.command_keys)
                .editing(options.echo),
            errors: options.encoding_errors,
            buffer_limit: options.buffer_limit.max(1),
            max_line: options.max_line.max(1),
            default_timeout: options.io_timeout,
            thread_name: format!("telnet reader {peer}"),
            idle_timeout: options.timeout,
            event_capacity: EVENT_CAPACITY,
        };
        let engine = Engine::start(transport, Negotiator::server(policy), config)?;
        let role = Role::Server {
            term: options.term.clone(),
            cols: options.cols,
            rows: options.rows,
            encoding: options.encoding.clone(),
            timeout: options.timeout,
        };
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let conn = ServerConnection::new(Connection::new(engine, role), id, options.clone());
        self.inner.clients.lock().insert(id, conn.downgrade());
        if self.inner.shutting_down.load(Ordering::SeqCst) {
            conn.close();
            return Err(Error::Closed);
        }
        Ok(conn)
    }

    fn live_clients(&self) -> Vec<ServerConnection> {
        let mut clients = self.inner.clients.lock();
        let mut live = Vec::with_capacity(clients.len());
        clients.retain(|_, weak| match ServerConnection::upgrade(weak) {
            Some(conn) if !conn.is_closed() => {
                live.push(conn);
                true
            }
            _ => false,
        });
        live
    }

    /// Every client connected now (for broadcasting), oldest first.
    #[must_use]
    pub fn clients(&self) -> Vec<ServerConnection> {
        let mut list = self.live_clients();
        list.sort_by_key(ServerConnection::id);
        list
    }

    /// Stops accepting (at once: the acceptor is woken), closes every client (their handlers'
    /// calls fail with [`Error::Closed`]) and waits up to 5 s for the client threads to end.
    /// Callable from any thread, a handler included.
    pub fn shutdown(&self) {
        if self.inner.shutting_down.swap(true, Ordering::SeqCst) {
            return;
        }
        log::info!("telnet server shutting down");
        // Under the acceptor lock, so a `start` in progress has either not begun (it sees the
        // flag) or finished installing the wake pipe and the acceptor.
        let acceptor = {
            let mut acceptor = self.inner.acceptor.lock();
            if let Some(wake) = self.inner.wake.lock().as_ref() {
                wake.wake();
            }
            acceptor.take()
        };
        if let Some(acceptor) = acceptor {
            let _ = acceptor.join();
        }
        let queued: Vec<ServerConnection> = {
            let mut ready = self.inner.ready.lock();
            self.inner.ready_cond.notify_all();
            ready.queue.drain(..).collect()
        };
        let clients: Vec<ServerConnection> =
            self.live_clients().into_iter().chain(queued).collect();
        // Every socket shut at once (a client that does not read costs nothing), then each
        // reader joined.
        for client in &clients {
            client.abort();
        }
        for client in clients {
            client.close();
        }
        // Wait for the client threads, except the one calling (when a handler shuts down).
        let me = usize::from(IN_HANDLER.with(std::cell::Cell::get));
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut threads = self.inner.threads.lock();
        while *threads > me {
            if self
                .inner
                .threads_cond
                .wait_until(&mut threads, deadline)
                .timed_out()
            {
                log::warn!(
                    "{} client threads did not end within 5 s of shutdown",
                    *threads - me
                );
                break;
            }
        }
    }

    /// Whether [`shutdown`](Self::shutdown) was called.
    #[must_use]
    pub fn is_shut_down(&self) -> bool {
        self.inner.shutting_down.load(Ordering::SeqCst)
    }
}
