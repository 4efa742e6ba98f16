//! Plain TCP or TLS under one type, split into a reading half and a writing half that work from
//! different threads. Nothing telnet-specific happens here.
//!
//! Both halves share one socket (no `dup`: a server holding 10,000 connections must not spend
//! two file descriptors on each). Under TLS they share the rustls state behind one lock that is
//! held only for in-memory work, never across a blocking socket read or write.
//!
//! How the halves cooperate under TLS:
//! - The reader reads ciphertext from the socket without any lock, then takes the connection
//!   lock to feed it to rustls and take plaintext out.
//! - Every TLS record leaves through the write lock: whoever holds it moves the records rustls
//!   queued into a backlog (under the connection lock) and sends the backlog (without the
//!   connection lock). Records therefore go out in the order rustls made them, and a record cut
//!   short by a write timeout is finished before anything else is sent.
//! - When the reader makes rustls queue records (a key update, an alert), it sends them only if
//!   the write lock is free; otherwise the writer holding it sends them when it is done. The
//!   reader never waits for a writer, so two peers that both write a lot cannot deadlock.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use rustls::pki_types::ServerName;
use rustls::{ClientConnection, Connection, ServerConnection};

use crate::{Error, Result};

#[cfg(test)]
mod tests;
mod tls;
mod x509;

pub use tls::{client_config, server_config, TlsClientOptions};

/// The first byte of a TLS handshake record (content type 22).
const TLS_HANDSHAKE_BYTE: u8 = 0x16;

/// Size of the reader's ciphertext buffer: one full TLS record (16 KiB of payload plus
/// overhead) fits, with room to spare.
const RAW_BUFFER_SIZE: usize = 32 * 1024;

/// Plaintext encrypted per hold of the connection lock by a writer, so that a large write does
/// not keep the reader from the connection for long nor build one huge ciphertext buffer.
const WRITE_CHUNK: usize = 64 * 1024;

/// How long [`TransportWriter::shutdown`] waits for a busy writer before giving up on sending a
/// close_notify, and at most how long it blocks sending one (or the alert of a failed
/// handshake).
const CLOSE_NOTIFY_WAIT: Duration = Duration::from_secs(1);

/// After a failed TLS handshake, how long at most the peer's remaining bytes are read and
/// thrown away before the socket is closed (see [`close_after_failed_handshake`]).
const FAILED_HANDSHAKE_DRAIN_TIME: Duration = Duration::from_secs(1);

/// After a failed TLS handshake, how many of the peer's remaining bytes at most are read and
/// thrown away before the socket is closed.
const FAILED_HANDSHAKE_DRAIN_BYTES: usize = 64 * 1024;

/// What both halves share: the one socket, the write lock, and the TLS state if any.
struct Shared {
    socket: TcpStream,
    /// Serialises writers. Under TLS it guards the ciphertext not yet sent (normally empty
    /// between calls; what a write timeout left unsent goes out first next time).
    write_lock: Mutex<Vec<u8>>,
    tls: Option<Mutex<Connection>>,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("peer", &self.socket.peer_addr().ok())
            .field("local", &self.socket.local_addr().ok())
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl Shared {
    fn new(socket: TcpStream, tls: Option<Connection>) -> Arc<Self> {
        Arc::new(Shared {
            socket,
            write_lock: Mutex::new(Vec::new()),
            tls: tls.map(Mutex::new),
        })
    }

    /// Sends whatever TLS records rustls has queued, if no writer is busy; a busy writer sends
    /// them itself when it is done (see [`Shared::release_and_flush`]).
    fn flush_queued(&self, tls: &Mutex<Connection>) -> Result<()> {
        loop {
            if !tls.lock().wants_write() {
                return Ok(());
            }
            let Some(mut backlog) = self.write_lock.try_lock() else {
                // The holder checks again after releasing the lock.
                return Ok(());
            };
            drain_tls(&mut tls.lock(), &mut backlog);
            send_backlog(&self.socket, &mut backlog)?;
        }
    }
}

/// Moves every TLS record rustls has queued into `out`. In-memory only.
fn drain_tls(conn: &mut Connection, out: &mut Vec<u8>) {
    while conn.wants_write() {
        // Writing into a `Vec` cannot fail.
        if conn.write_tls(out).is_err() {
            break;
        }
    }
}

/// Writes `backlog` to the socket, removing what went out (also when the write fails half-way,
/// so that a record cut by a timeout is completed, not repeated, next time).
fn send_backlog(socket: &TcpStream, backlog: &mut Vec<u8>) -> Result<()> {
    let mut sent = 0;
    let result = loop {
        if sent == backlog.len() {
            break Ok(());
        }
        match (&*socket).write(&backlog[sent..]) {
            Ok(0) => break Err(Error::Io(io::Error::from(io::ErrorKind::WriteZero))),
            Ok(n) => sent += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => break Err(Error::from_io(err)),
        }
    };
    backlog.drain(..sent);
    result
}

/// A connected stream: plain TCP, or TLS over TCP with the handshake done.
#[derive(Debug)]
pub struct Transport {
    shared: Arc<Shared>,
}

impl Transport {
    /// Plain TCP.
    #[must_use]
    pub fn plain(stream: TcpStream) -> Self {
        Transport {
            shared: Shared::new(stream, None),
        }
    }

    /// TLS client over `stream`; returns once the handshake is done.
    ///
    /// `server_name` is checked against the certificate and sent as SNI; it may be a DNS name
    /// or an IP address (IPv6 with or without brackets). `timeout` bounds the whole handshake;
    /// the socket's timeouts are cleared afterwards.
    ///
    /// # Errors
    /// [`Error::Tls`] when the handshake fails (a certificate that does not verify, …),
    /// [`Error::Timeout`] when it takes longer than `timeout`, [`Error::Io`] /
    /// [`Error::Eof`] when the connection fails, [`Error::Config`] when `server_name` is not a
    /// valid DNS name or IP address.
    pub fn connect_tls(
        stream: TcpStream,
        config: Arc<rustls::ClientConfig>,
        server_name: &str,
        timeout: Option<Duration>,
    ) -> Result<Self> {
        let bare = server_name
            .strip_prefix('[')
            .and_then(|name| name.strip_suffix(']'))
            .unwrap_or(server_name);
        let name = ServerName::try_from(bare.to_owned())
            .map_err(|err| Error::config_with(format!("TLS server name {server_name:?}"), err))?;
        let conn = ClientConnection::new(config, name).map_err(Error::Tls)?;
        Self::handshake(stream, Connection::Client(conn), timeout)
    }

    /// TLS server over `stream`; returns once the handshake is done.
    ///
    /// `timeout` bounds the whole handshake; the socket's timeouts are cleared afterwards.
    ///
    /// # Errors
    /// As [`Transport::connect_tls`] (a client that does not speak TLS gives [`Error::Tls`]).
    pub fn accept_tls(
        stream: TcpStream,
        config: Arc<rustls::ServerConfig>,
        timeout: Option<Duration>,
    ) -> Result<Self> {
        let conn = ServerConnection::new(config).map_err(Error::Tls)?;
        Self::handshake(stream, Connection::Server(conn), timeout)
    }

    /// Server side with TLS optional: waits up to `peek_timeout` for the client's first byte;
    /// `0x16` (a TLS handshake record) means TLS, anything else or nothing means plain TCP (the
    /// byte stays unread for the telnet layer).
    ///
    /// # Errors
    /// As [`Transport::accept_tls`] once TLS is chosen; [`Error::Io`] when peeking fails.
    pub fn accept_auto(
        stream: TcpStream,
        config: Arc<rustls::ServerConfig>,
        peek_timeout: Duration,
        handshake_timeout: Option<Duration>,
    ) -> Result<Self> {
        let first = peek_first_byte(&stream, peek_timeout);
        stream.set_read_timeout(None).map_err(Error::Io)?;
        match first? {
            Some(TLS_HANDSHAKE_BYTE) => {
                log::debug!("accept_auto: TLS handshake record first, starting TLS");
                Self::accept_tls(stream, config, handshake_timeout)
            }
            Some(byte) => {
                log::debug!("accept_auto: first byte {byte:#04x}, plain TCP");
                Ok(Self::plain(stream))
            }
            None => {
                log::debug!(
                    "accept_auto: nothing from the client within {peek_timeout:?}, plain TCP"
                );
                Ok(Self::plain(stream))
            }
        }
    }

    /// Whether TLS is in use.
    #[must_use]
    pub fn is_tls(&self) -> bool {
        self.shared.tls.is_some()
    }

    /// The peer's address.
    ///
    /// # Errors
    /// When the socket is no longer connected.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.shared.socket.peer_addr()
    }

    /// Our address.
    ///
    /// # Errors
    /// When the socket is no longer connected.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.shared.socket.local_addr()
    }

    /// Splits into a reading half (for one reader thread) and a writing half (cloneable,
    /// serialised).
    #[must_use]
    pub fn split(self) -> (TransportReader, TransportWriter) {
        let reader = TransportReader {
            shared: Arc::clone(&self.shared),
            raw: Vec::new(),
            raw_start: 0,
            raw_end: 0,
            failed: None,
        };
        (
            reader,
            TransportWriter {
                shared: self.shared,
            },
        )
    }

    /// Runs the handshake on `stream` with the socket timeouts bounding it, then clears them.
    /// A server whose handshake fails with a TLS error closes the connection gracefully (see
    /// [`close_after_failed_handshake`]).
    fn handshake(
        stream: TcpStream,
        mut conn: Connection,
        timeout: Option<Duration>,
    ) -> Result<Self> {
        let is_server = matches!(conn, Connection::Server(_));
        let side = if is_server { "server" } else { "client" };
        let peer = stream.peer_addr().ok();
        let deadline = timeout.map(|timeout| Instant::now() + timeout);
        let result = run_handshake(&stream, &mut conn, deadline);
        let reset = stream
            .set_read_timeout(None)
            .and_then(|()| stream.set_write_timeout(None));
        match result {
            Ok(()) => {
                reset.map_err(Error::Io)?;
                log::debug!(
                    "TLS {side} handshake with {peer:?} done: {:?}, {:?}",
                    conn.protocol_version(),
                    conn.negotiated_cipher_suite().map(|suite| suite.suite()),
                );
                Ok(Transport {
                    shared: Shared::new(stream, Some(conn)),
                })
            }
            Err(err) => {
                log::debug!("TLS {side} handshake with {peer:?} failed: {err}");
                if is_server && matches!(err, Error::Tls(_)) {
                    close_after_failed_handshake(&stream);
                }
                Err(err)
            }
        }
    }
}

/// Peeks at the first byte within `timeout`: `Some(byte)`, or `None` at EOF or when nothing
/// came in time.
fn peek_first_byte(stream: &TcpStream, timeout: Duration) -> Result<Option<u8>> {
    stream
        .set_read_timeout(Some(nonzero(timeout)))
        .map_err(Error::Io)?;
    let mut byte = [0u8; 1];
    loop {
        return match stream.peek(&mut byte) {
            Ok(0) => Ok(None),
            Ok(_) => Ok(Some(byte[0])),
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => match Error::from_io(err) {
                Error::Timeout => Ok(None),
                other => Err(other),
            },
        };
    }
}

/// Ends a connection whose handshake failed with a TLS error, after the alert that says why
/// has been written: shuts down our sending side (the peer reads the alert, then EOF), then
/// reads and drops what the peer still sends until its EOF, for at most
/// [`FAILED_HANDSHAKE_DRAIN_TIME`] and [`FAILED_HANDSHAKE_DRAIN_BYTES`]. Closing a socket with
/// unread bytes in it makes the kernel reset the connection, and a reset can destroy the alert
/// before the peer reads it (a plain telnet client on a TLS port then sees "connection reset").
fn close_after_failed_handshake(stream: &TcpStream) {
    if let Err(err) = stream.shutdown(Shutdown::Write) {
        log::debug!("TCP shutdown after a failed TLS handshake: {err}");
        return;
    }
    let deadline = Instant::now() + FAILED_HANDSHAKE_DRAIN_TIME;
    let mut drained = 0;
    let mut buf = [0u8; 4096];
    while drained < FAILED_HANDSHAKE_DRAIN_BYTES {
        let Ok(Some(left)) = remaining(Some(deadline)) else {
            break;
        };
        if stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match (&*stream).read(&mut buf) {
            Ok(0) => {
                log::debug!("peer closed after the failed TLS handshake ({drained} bytes dropped)");
                return;
            }
            Ok(n) => drained += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => {
                log::debug!("reading after the failed TLS handshake: {err}");
                return;
            }
        }
    }
    log::debug!("closing after a failed TLS handshake with the peer still sending ({drained} bytes dropped)");
}

/// Socket timeouts cannot be zero; a zero bound becomes the smallest one.
fn nonzero(timeout: Duration) -> Duration {
    timeout.max(Duration::from_millis(1))
}

/// The time left until `deadline` as a socket timeout, or [`Error::Timeout`] when none is left.
fn remaining(deadline: Option<Instant>) -> Result<Option<Duration>> {
    match deadline {
        None => Ok(None),
        Some(deadline) => {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                Err(Error::Timeout)
            } else {
                Ok(Some(nonzero(left)))
            }
        }
    }
}

/// Drives the handshake over the socket, the whole of it before `deadline`. The connection is
/// not shared yet, so rustls reads and writes the socket directly.
fn run_handshake(
    socket: &TcpStream,
    conn: &mut Connection,
    deadline: Option<Instant>,
) -> Result<()> {
    let mut io = socket;
    loop {
        while conn.wants_write() {
            socket
                .set_write_timeout(remaining(deadline)?)
                .map_err(Error::Io)?;
            match conn.write_tls(&mut io) {
                Ok(_) => {}
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(Error::from_io(err)),
            }
        }
        if !conn.is_handshaking() {
            return Ok(());
        }
        socket
            .set_read_timeout(remaining(deadline)?)
            .map_err(Error::Io)?;
        match conn.read_tls(&mut io) {
            Ok(0) => return Err(Error::Eof),
            Ok(_) => {}
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(Error::from_io(err)),
        }
        if let Err(err) = conn.process_new_packets() {
            // Tell the peer why (rustls queued an alert); it may already be gone.
            let mut alert = Vec::new();
            drain_tls(conn, &mut alert);
            if socket.set_write_timeout(Some(CLOSE_NOTIFY_WAIT)).is_ok() {
                let _ = io.write_all(&alert);
            }
            return Err(Error::Tls(err));
        }
    }
}

/// The reading half: application bytes out of the socket (decrypted under TLS).
pub struct TransportReader {
    shared: Arc<Shared>,
    /// Ciphertext read from the socket and not yet given to rustls: `raw[raw_start..raw_end]`.
    raw: Vec<u8>,
    raw_start: usize,
    raw_end: usize,
    /// The TLS error that ended the connection, returned again by every later read.
    failed: Option<rustls::Error>,
}

impl fmt::Debug for TransportReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportReader")
            .field("shared", &self.shared)
            .field("buffered_ciphertext", &(self.raw_end - self.raw_start))
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

impl TransportReader {
    /// Reads application bytes into `buf`, blocking until at least one is there; `Ok(0)` at
    /// end of stream (a TLS close_notify, or TCP EOF — also a TCP EOF without close_notify
    /// under TLS, as telnet peers often just close) and when `buf` is empty.
    ///
    /// # Errors
    /// [`Error::Io`] / [`Error::Tls`] on failure; [`Error::Timeout`] when a read timeout set
    /// with [`TransportReader::set_read_timeout`] passes (the reader stays usable).
    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let shared = Arc::clone(&self.shared);
        match &shared.tls {
            None => loop {
                match (&shared.socket).read(buf) {
                    Ok(n) => return Ok(n),
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                    Err(err) => return Err(Error::from_io(err)),
                }
            },
            Some(tls) => self.read_tls(&shared, tls, buf),
        }
    }

    fn read_tls(
        &mut self,
        shared: &Shared,
        tls: &Mutex<Connection>,
        buf: &mut [u8],
    ) -> Result<usize> {
        if let Some(err) = &self.failed {
            // Plaintext that arrived before the failure is the peer's: it goes first.
            if let Ok(n @ 1..) = tls.lock().reader().read(buf) {
                return Ok(n);
            }
            return Err(Error::Tls(err.clone()));
        }
        if self.raw.is_empty() {
            self.raw = vec![0; RAW_BUFFER_SIZE];
        }
        loop {
            let (outcome, queued) = {
                let mut conn = tls.lock();
                let outcome = self.take_plaintext(&mut conn, buf);
                (outcome, conn.wants_write())
            };
            if queued {
                // Key updates, alerts: out now if no writer is busy. A failure here shows at
                // the writer's next call; it must not lose the plaintext taken above.
                if let Err(err) = shared.flush_queued(tls) {
                    log::debug!("TLS reader could not send queued records: {err}");
                }
            }
            if let Some(result) = outcome {
                return result;
            }
            // No plaintext and no ciphertext left: wait on the socket, without any lock.
            let n = loop {
                match (&shared.socket).read(&mut self.raw) {
                    Ok(n) => break n,
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                    Err(err) => return Err(Error::from_io(err)),
                }
            };
            self.raw_start = 0;
            self.raw_end = n;
            if n == 0 {
                // Tell rustls about the EOF; it then reports a close_notify or its absence.
                let _ = tls.lock().read_tls(&mut io::empty());
            }
        }
    }

    /// With the connection locked: plaintext if rustls has some, else feeds it the buffered
    /// ciphertext until it has some. `None`: more ciphertext is needed from the socket.
    fn take_plaintext(&mut self, conn: &mut Connection, buf: &mut [u8]) -> Option<Result<usize>> {
        loop {
            match conn.reader().read(buf) {
                Ok(0) => {
                    log::debug!("TLS peer sent close_notify");
                    return Some(Ok(0));
                }
                Ok(n) => return Some(Ok(n)),
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {}
                Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => {
                    log::debug!("TLS peer closed the connection without close_notify");
                    return Some(Ok(0));
                }
                Err(err) => return Some(Err(Error::Io(err))),
            }
            if self.raw_start == self.raw_end {
                return None;
            }
            let mut pending = &self.raw[self.raw_start..self.raw_end];
            match conn.read_tls(&mut pending) {
                Ok(0) => {
                    // rustls takes nothing more (it has seen close_notify): drop the rest.
                    self.raw_start = self.raw_end;
                }
                Ok(n) => self.raw_start += n,
                Err(err) => return Some(Err(Error::from_io(err))),
            }
            if let Err(err) = conn.process_new_packets() {
                // The alert rustls queued goes out through the caller's flush.
                log::debug!("TLS connection failed: {err}");
                self.failed = Some(err.clone());
                // Records before the bad one were the peer's: hand over their plaintext first;
                // the failure is reported by the read after it.
                if let Ok(n @ 1..) = conn.reader().read(buf) {
                    return Some(Ok(n));
                }
                return Some(Err(Error::Tls(err)));
            }
        }
    }

    /// Bounds each [`TransportReader::read`] (`None`: wait for ever). This is the socket's
    /// receive timeout, so it also bounds a TLS record that arrives in pieces.
    ///
    /// # Errors
    /// When the socket refuses the option (a zero duration, as with
    /// [`TcpStream::set_read_timeout`]).
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.shared.socket.set_read_timeout(timeout)
    }
}

/// The writing half: cloneable, every `write_all` goes out whole and in order.
#[derive(Debug, Clone)]
pub struct TransportWriter {
    shared: Arc<Shared>,
}

impl TransportWriter {
    /// Writes all of `data` (encrypted under TLS). Concurrent callers are serialised.
    ///
    /// After a write timeout, part of `data` may have gone out. Under TLS the records are kept
    /// whole: what was encrypted but not sent goes out first on the next call.
    ///
    /// # Errors
    /// [`Error::Io`] / [`Error::Tls`] when the connection fails, [`Error::Timeout`] when a write
    /// timeout set with [`TransportWriter::set_write_timeout`] passes.
    pub fn write_all(&self, data: &[u8]) -> Result<()> {
        let shared = &*self.shared;
        match &shared.tls {
            None => {
                let _guard = shared.write_lock.lock();
                (&shared.socket).write_all(data).map_err(Error::from_io)
            }
            Some(tls) => {
                let result = Self::write_tls(shared, tls, data);
                // Records the reader queued while we held the write lock.
                let flushed = shared.flush_queued(tls);
                result.and(flushed)
            }
        }
    }

    fn write_tls(shared: &Shared, tls: &Mutex<Connection>, data: &[u8]) -> Result<()> {
        let mut backlog = shared.write_lock.lock();
        // What a timed-out call left: finish those records first.
        send_backlog(&shared.socket, &mut backlog)?;
        let mut rest = data;
        loop {
            {
                let mut conn = tls.lock();
                let mut taken = 0;
                let mut stalled = 0;
                while taken < WRITE_CHUNK && !rest.is_empty() {
                    let end = rest.len().min(WRITE_CHUNK - taken);
                    let n = conn.writer().write(&rest[..end]).map_err(Error::from_io)?;
                    drain_tls(&mut conn, &mut backlog);
                    rest = &rest[n..];
                    taken += n;
                    if n == 0 {
                        stalled += 1;
                        if stalled > 2 {
                            return Err(Error::Io(io::Error::new(
                                io::ErrorKind::WriteZero,
                                "the TLS connection takes no more data",
                            )));
                        }
                    }
                }
                drain_tls(&mut conn, &mut backlog);
            }
            send_backlog(&shared.socket, &mut backlog)?;
            if rest.is_empty() {
                return Ok(());
            }
        }
    }

    /// Bounds each blocking socket write (`None`: wait for ever).
    ///
    /// # Errors
    /// When the socket refuses the option (a zero duration, as with
    /// [`TcpStream::set_write_timeout`]).
    pub fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.shared.socket.set_write_timeout(timeout)
    }

    /// Ends the connection: a TLS close_notify where there is TLS, then a TCP shutdown of both
    /// directions, which also wakes a reader blocked in [`TransportReader::read`] (it returns
    /// `Ok(0)` or an error) and a writer blocked in [`TransportWriter::write_all`] (an error).
    ///
    /// The close_notify is best effort: it is skipped when another writer stays blocked for
    /// more than a second, and sending it blocks for at most a second.
    pub fn shutdown(&self) {
        let shared = &*self.shared;
        if let Some(tls) = &shared.tls {
            match shared.write_lock.try_lock_for(CLOSE_NOTIFY_WAIT) {
                Some(mut backlog) => {
                    {
                        let mut conn = tls.lock();
                        conn.send_close_notify();
                        drain_tls(&mut conn, &mut backlog);
                    }
                    let previous = shared.socket.write_timeout().ok().flatten();
                    let bound = previous.map_or(CLOSE_NOTIFY_WAIT, |t| t.min(CLOSE_NOTIFY_WAIT));
                    let _ = shared.socket.set_write_timeout(Some(bound));
                    if let Err(err) = send_backlog(&shared.socket, &mut backlog) {
                        log::debug!("TLS close_notify not sent: {err}");
                    }
                    let _ = shared.socket.set_write_timeout(previous);
                }
                None => log::debug!("TLS close_notify skipped: a writer is blocked"),
            }
        }
        self.abort();
    }

    /// Ends the connection at once: a TCP shutdown of both directions, no TLS close_notify,
    /// no wait for a writer (a blocked one fails, a blocked reader wakes).
    pub fn abort(&self) {
        match self.shared.socket.shutdown(Shutdown::Both) {
            Ok(()) => {}
            Err(err) if err.kind() == io::ErrorKind::NotConnected => {}
            Err(err) => log::debug!("TCP shutdown failed: {err}"),
        }
    }
}
