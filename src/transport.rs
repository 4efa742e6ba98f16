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
use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{ring, CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, Connection, RootCertStore, ServerConfig};
use rustls::{DigitallySignedStruct, ServerConnection, SignatureScheme};

use crate::{Error, Result};

/// The first byte of a TLS handshake record (content type 22).
const TLS_HANDSHAKE_BYTE: u8 = 0x16;

/// Size of the reader's ciphertext buffer: one full TLS record (16 KiB of payload plus
/// overhead) fits, with room to spare.
const RAW_BUFFER_SIZE: usize = 32 * 1024;

/// Plaintext encrypted per hold of the connection lock by a writer, so that a large write does
/// not keep the reader from the connection for long nor build one huge ciphertext buffer.
const WRITE_CHUNK: usize = 64 * 1024;

/// How long [`TransportWriter::shutdown`] waits for a busy writer before giving up on sending a
/// close_notify, and at most how long it blocks sending one.
const CLOSE_NOTIFY_WAIT: Duration = Duration::from_secs(1);

/// How a client sets up TLS.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TlsClientOptions {
    /// A PEM file of CA certificates to trust instead of the built-in web roots. Default: none.
    pub ca_file: Option<PathBuf>,
    /// Skip certificate verification (logged as a warning). Default: false.
    pub no_verify: bool,
    /// The name to verify the certificate against and send as SNI. Default: the host connected to.
    pub server_name: Option<String>,
}

/// The crypto provider every configuration is built with (ring; no process-wide default is
/// consulted).
fn provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

/// Builds a client configuration: the web roots (like curl), or `ca_file`, or no verification.
///
/// # Errors
/// [`Error::Config`] when the CA file does not load or holds no certificate.
pub fn client_config(options: &TlsClientOptions) -> Result<Arc<rustls::ClientConfig>> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|err| Error::config(format!("TLS client configuration: {err}")))?;
    let config = if options.no_verify {
        log::warn!("TLS certificate verification is disabled: the server is not authenticated");
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoCertificateVerification {
                algorithms: provider.signature_verification_algorithms,
            }))
            .with_no_client_auth()
    } else {
        let roots = match &options.ca_file {
            Some(path) => load_ca_file(path)?,
            None => RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            },
        };
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    Ok(Arc::new(config))
}

/// Reads every certificate of a PEM file into a root store of its own.
fn load_ca_file(path: &Path) -> Result<RootCertStore> {
    let certs = load_certs(path, "CA file")?;
    let mut roots = RootCertStore::empty();
    for cert in certs {
        roots.add(cert).map_err(|err| {
            Error::config(format!(
                "CA file {}: bad certificate: {err}",
                path.display()
            ))
        })?;
    }
    Ok(roots)
}

/// Reads every certificate of a PEM file; none is an error.
fn load_certs(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>> {
    let file = open_pem(path, what)?;
    let certs = rustls_pemfile::certs(&mut BufReader::new(file))
        .collect::<io::Result<Vec<_>>>()
        .map_err(|err| Error::config(format!("{what} {}: {err}", path.display())))?;
    if certs.is_empty() {
        return Err(Error::config(format!(
            "{what} {}: no PEM certificate in it",
            path.display()
        )));
    }
    Ok(certs)
}

fn open_pem(path: &Path, what: &str) -> Result<File> {
    File::open(path).map_err(|err| Error::config(format!("{what} {}: {err}", path.display())))
}

/// Builds a server configuration from a PEM certificate chain and a PEM private key.
///
/// # Errors
/// [`Error::Config`] when either file does not load, or the key does not fit the certificate.
pub fn server_config(cert_file: &Path, key_file: &Path) -> Result<Arc<rustls::ServerConfig>> {
    let certs = load_certs(cert_file, "certificate file")?;
    let file = open_pem(key_file, "key file")?;
    let key: PrivateKeyDer<'static> = rustls_pemfile::private_key(&mut BufReader::new(file))
        .map_err(|err| Error::config(format!("key file {}: {err}", key_file.display())))?
        .ok_or_else(|| {
            Error::config(format!(
                "key file {}: no PEM private key in it",
                key_file.display()
            ))
        })?;
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|err| Error::config(format!("TLS server configuration: {err}")))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|err| {
            Error::config(format!(
                "certificate {} with key {}: {err}",
                cert_file.display(),
                key_file.display()
            ))
        })?;
    Ok(Arc::new(config))
}

/// Accepts any server certificate (`no_verify`), but still checks that the handshake was signed
/// by the key in the certificate presented, with the provider's algorithms.
#[derive(Debug)]
struct NoCertificateVerification {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for NoCertificateVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

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
            .map_err(|err| Error::config(format!("TLS server name {server_name:?}: {err}")))?;
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
    fn handshake(
        stream: TcpStream,
        mut conn: Connection,
        timeout: Option<Duration>,
    ) -> Result<Self> {
        let side = if matches!(conn, Connection::Client(_)) {
            "client"
        } else {
            "server"
        };
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
            let _ = io.write_all(&alert);
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
        match shared.socket.shutdown(Shutdown::Both) {
            Ok(()) => {}
            Err(err) if err.kind() == io::ErrorKind::NotConnected => {}
            Err(err) => log::debug!("TCP shutdown failed: {err}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::thread::{self, JoinHandle};

    /// Bound on every wait in these tests.
    const LIMIT: Duration = Duration::from_secs(10);
    const HANDSHAKE: Option<Duration> = Some(Duration::from_secs(5));

    #[test]
    fn halves_are_send_and_sync() {
        fn send<T: Send>() {}
        fn send_sync_clone<T: Send + Sync + Clone>() {}
        send::<Transport>();
        send::<TransportReader>();
        send_sync_clone::<TransportWriter>();
    }

    /// A self-signed certificate and its key in PEM files of a fresh directory, removed on drop.
    struct TestCert {
        dir: PathBuf,
        cert: PathBuf,
        key: PathBuf,
    }

    impl TestCert {
        fn new(name: &str) -> Self {
            static COUNT: AtomicUsize = AtomicUsize::new(0);
            let dir = std::env::temp_dir().join(format!(
                "telnetlib3-transport-{}-{}-{:?}",
                std::process::id(),
                COUNT.fetch_add(1, Ordering::Relaxed),
                Instant::now(),
            ));
            let dir = PathBuf::from(dir.to_string_lossy().replace(
                |c: char| !c.is_ascii_alphanumeric() && c != '/' && c != '-',
                "_",
            ));
            std::fs::create_dir_all(&dir).unwrap();
            let rcgen::CertifiedKey { cert, key_pair } =
                rcgen::generate_simple_self_signed(vec![name.to_owned()]).unwrap();
            let cert_path = dir.join("cert.pem");
            let key_path = dir.join("key.pem");
            std::fs::write(&cert_path, cert.pem()).unwrap();
            std::fs::write(&key_path, key_pair.serialize_pem()).unwrap();
            TestCert {
                dir,
                cert: cert_path,
                key: key_path,
            }
        }

        fn server_config(&self) -> Arc<ServerConfig> {
            server_config(&self.cert, &self.key).unwrap()
        }

        fn client_config(&self) -> Arc<ClientConfig> {
            client_config(&TlsClientOptions {
                ca_file: Some(self.cert.clone()),
                ..TlsClientOptions::default()
            })
            .unwrap()
        }
    }

    impl Drop for TestCert {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    fn listen() -> (TcpListener, SocketAddr) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        (listener, addr)
    }

    /// `accept`, bounded by [`LIMIT`].
    fn accept(listener: &TcpListener) -> TcpStream {
        listener.set_nonblocking(true).unwrap();
        let deadline = Instant::now() + LIMIT;
        loop {
            match listener.accept() {
                Ok((stream, _)) => {
                    stream.set_nonblocking(false).unwrap();
                    return stream;
                }
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    assert!(Instant::now() < deadline, "no connection came");
                    thread::sleep(Duration::from_millis(5));
                }
                Err(err) => panic!("accept: {err}"),
            }
        }
    }

    fn connect(addr: SocketAddr) -> TcpStream {
        TcpStream::connect_timeout(&addr, LIMIT).unwrap()
    }

    /// `join`, bounded by `limit`.
    fn join_within<T>(handle: JoinHandle<T>, limit: Duration) -> T {
        let deadline = Instant::now() + limit;
        while !handle.is_finished() {
            assert!(
                Instant::now() < deadline,
                "thread still running after {limit:?}"
            );
            thread::sleep(Duration::from_millis(5));
        }
        handle.join().unwrap()
    }

    fn join<T>(handle: JoinHandle<T>) -> T {
        join_within(handle, LIMIT)
    }

    /// Splits with every socket wait bounded by [`LIMIT`].
    fn split(transport: Transport) -> (TransportReader, TransportWriter) {
        let (reader, writer) = transport.split();
        reader.set_read_timeout(Some(LIMIT)).unwrap();
        writer.set_write_timeout(Some(LIMIT)).unwrap();
        (reader, writer)
    }

    fn read_exact(reader: &mut TransportReader, len: usize) -> Vec<u8> {
        let mut out = vec![0; len];
        let mut filled = 0;
        while filled < len {
            let n = reader.read(&mut out[filled..]).unwrap();
            assert_ne!(n, 0, "EOF after {filled} of {len} bytes");
            filled += n;
        }
        out
    }

    /// Reads until EOF or an error; the bytes read.
    fn read_to_end(reader: &mut TransportReader) -> (Vec<u8>, Result<()>) {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => return (out, Ok(())),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(err) => return (out, Err(err)),
            }
        }
    }

    /// A TLS server on a thread and a TLS client here, handshake done on both.
    fn tls_pair(cert: &TestCert) -> (Transport, Transport) {
        let (listener, addr) = listen();
        let config = cert.server_config();
        let server = thread::spawn(move || {
            let stream = accept(&listener);
            Transport::accept_tls(stream, config, HANDSHAKE)
        });
        let client =
            Transport::connect_tls(connect(addr), cert.client_config(), "localhost", HANDSHAKE)
                .unwrap();
        let server = join(server).unwrap();
        assert!(client.is_tls() && server.is_tls());
        (client, server)
    }

    fn pattern(len: usize, seed: u8) -> Vec<u8> {
        (0..len)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 10) as u8)
            .collect()
    }

    #[test]
    fn plain_echo_through_split_halves() {
        let (listener, addr) = listen();
        let server = thread::spawn(move || {
            let transport = Transport::plain(accept(&listener));
            let (mut reader, writer) = split(transport);
            let mut buf = [0u8; 256];
            loop {
                let n = reader.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                writer.write_all(&buf[..n]).unwrap();
            }
        });
        let client = Transport::plain(connect(addr));
        assert!(!client.is_tls());
        assert_eq!(client.peer_addr().unwrap(), addr);
        assert_eq!(client.local_addr().unwrap().ip(), addr.ip());
        let (mut reader, writer) = split(client);
        writer.write_all(b"hello\r\n").unwrap();
        assert_eq!(read_exact(&mut reader, 7), b"hello\r\n");
        let other = writer.clone();
        other.write_all(b"\xff\xfd\x18").unwrap();
        assert_eq!(read_exact(&mut reader, 3), b"\xff\xfd\x18");
        assert_eq!(reader.read(&mut []).unwrap(), 0);
        writer.shutdown();
        join(server);
    }

    #[test]
    fn plain_shutdown_wakes_blocked_reader() {
        let (listener, addr) = listen();
        let client = connect(addr);
        let server = accept(&listener);
        let (mut reader, writer) = Transport::plain(server).split();
        let started = Instant::now();
        let blocked = thread::spawn(move || {
            let mut buf = [0u8; 16];
            reader.read(&mut buf)
        });
        thread::sleep(Duration::from_millis(100));
        writer.shutdown();
        let result = join_within(blocked, Duration::from_secs(2));
        assert!(matches!(result, Ok(0) | Err(_)), "{result:?}");
        assert!(started.elapsed() < Duration::from_secs(2));
        writer.shutdown(); // twice is harmless
        drop(client);
    }

    #[test]
    fn tls_with_ca_file_round_trip_both_ways() {
        let cert = TestCert::new("localhost");
        let (client, server) = tls_pair(&cert);
        assert_eq!(client.peer_addr().unwrap(), server.local_addr().unwrap());
        let (mut client_reader, client_writer) = split(client);
        let (mut server_reader, server_writer) = split(server);
        client_writer.write_all(b"hello\r\n").unwrap();
        assert_eq!(read_exact(&mut server_reader, 7), b"hello\r\n");
        server_writer.write_all(b"\xff\xfb\x01welcome\r\n").unwrap();
        assert_eq!(
            read_exact(&mut client_reader, 12),
            b"\xff\xfb\x01welcome\r\n"
        );
        // A close_notify ends the stream cleanly on the other side.
        server_writer.shutdown();
        let (rest, result) = read_to_end(&mut client_reader);
        assert!(rest.is_empty() && result.is_ok(), "{rest:?} {result:?}");
        assert_eq!(client_reader.read(&mut [0u8; 8]).unwrap(), 0);
    }

    #[test]
    fn tls_one_mib_each_way_concurrently() {
        const SIZE: usize = 1 << 20;
        let cert = TestCert::new("localhost");
        let (client, server) = tls_pair(&cert);
        let (mut client_reader, client_writer) = split(client);
        let (mut server_reader, server_writer) = split(server);
        let to_server = pattern(SIZE, 1);
        let to_client = pattern(SIZE, 2);
        let threads = vec![
            {
                let data = to_server.clone();
                let writer = client_writer.clone();
                // One big write: the writer encrypts it in chunks.
                thread::spawn(move || writer.write_all(&data).unwrap())
            },
            {
                let data = to_client.clone();
                let writer = server_writer.clone();
                // Many small writes.
                thread::spawn(move || {
                    for chunk in data.chunks(1000) {
                        writer.write_all(chunk).unwrap();
                    }
                })
            },
            thread::spawn(move || assert!(read_exact(&mut server_reader, SIZE) == to_server)),
            thread::spawn(move || assert!(read_exact(&mut client_reader, SIZE) == to_client)),
        ];
        let deadline = Instant::now() + Duration::from_secs(30);
        for handle in threads {
            let left = deadline.saturating_duration_since(Instant::now());
            join_within(handle, left.max(Duration::from_millis(1)));
        }
        client_writer.shutdown();
        server_writer.shutdown();
    }

    /// Runs a TLS server that expects the handshake to fail; returns the client's result.
    fn failing_handshake(
        cert: &TestCert,
        client_config: Arc<ClientConfig>,
        name: &str,
    ) -> Result<Transport> {
        let (listener, addr) = listen();
        let config = cert.server_config();
        let server = thread::spawn(move || {
            let stream = accept(&listener);
            Transport::accept_tls(stream, config, HANDSHAKE).map(drop)
        });
        let client = Transport::connect_tls(connect(addr), client_config, name, HANDSHAKE);
        let server = join(server);
        if client.is_err() {
            assert!(server.is_err(), "the server saw a good handshake");
        }
        client
    }

    #[test]
    fn tls_web_roots_reject_a_self_signed_certificate() {
        let cert = TestCert::new("localhost");
        let config = client_config(&TlsClientOptions::default()).unwrap();
        let result = failing_handshake(&cert, config, "localhost");
        assert!(matches!(result, Err(Error::Tls(_))), "{result:?}");
    }

    #[test]
    fn tls_no_verify_accepts_a_self_signed_certificate() {
        let cert = TestCert::new("localhost");
        let config = client_config(&TlsClientOptions {
            no_verify: true,
            ..TlsClientOptions::default()
        })
        .unwrap();
        // Any name, even an address the certificate does not name.
        let result = failing_handshake(&cert, config, "127.0.0.1");
        assert!(result.unwrap().is_tls());
    }

    #[test]
    fn tls_wrong_server_name_is_rejected() {
        let cert = TestCert::new("localhost");
        let result = failing_handshake(&cert, cert.client_config(), "example.com");
        assert!(matches!(result, Err(Error::Tls(_))), "{result:?}");
    }

    #[test]
    fn tls_bad_server_name_is_a_config_error() {
        let cert = TestCert::new("localhost");
        let (listener, addr) = listen();
        let client = connect(addr);
        let result = Transport::connect_tls(client, cert.client_config(), "not a name!", HANDSHAKE);
        assert!(matches!(result, Err(Error::Config(_))), "{result:?}");
        drop(accept(&listener));
    }

    #[test]
    fn configuration_errors() {
        let cert = TestCert::new("localhost");
        // A CA file with no certificate in it.
        let empty = cert.dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let options = |path: &Path| TlsClientOptions {
            ca_file: Some(path.to_owned()),
            ..TlsClientOptions::default()
        };
        let result = client_config(&options(&empty));
        assert!(matches!(result, Err(Error::Config(_))), "{result:?}");
        // The key alone: a PEM file, but no certificate.
        let result = client_config(&options(&cert.key));
        assert!(matches!(result, Err(Error::Config(_))), "{result:?}");
        let missing = cert.dir.join("missing.pem");
        let result = client_config(&options(&missing));
        assert!(matches!(result, Err(Error::Config(_))), "{result:?}");

        for (cert_file, key_file) in [
            (&missing, &cert.key),
            (&cert.cert, &missing),
            (&empty, &cert.key),
            (&cert.cert, &empty),
            (&cert.cert, &cert.cert),
        ] {
            let result = server_config(cert_file, key_file);
            assert!(matches!(result, Err(Error::Config(_))), "{result:?}");
        }
        // A key that does not fit the certificate.
        let other = TestCert::new("localhost");
        let result = server_config(&cert.cert, &other.key);
        assert!(matches!(result, Err(Error::Config(_))), "{result:?}");
        assert!(server_config(&cert.cert, &cert.key).is_ok());
    }

    #[test]
    fn plain_client_on_a_tls_port_is_a_tls_error() {
        let cert = TestCert::new("localhost");
        let (listener, addr) = listen();
        let config = cert.server_config();
        let server = thread::spawn(move || {
            let stream = accept(&listener);
            Transport::accept_tls(stream, config, HANDSHAKE).map(drop)
        });
        let mut client = connect(addr);
        client.set_read_timeout(Some(LIMIT)).unwrap();
        client.write_all(b"hello\r\n").unwrap();
        let result = join(server);
        assert!(matches!(result, Err(Error::Tls(_))), "{result:?}");
        // The server hung up (after an alert).
        let mut rest = Vec::new();
        let _ = client.read_to_end(&mut rest);
    }

    #[test]
    fn tls_client_on_a_plain_server_fails() {
        let cert = TestCert::new("localhost");
        let (listener, addr) = listen();
        let server = thread::spawn(move || {
            let mut stream = accept(&listener);
            stream.set_read_timeout(Some(LIMIT)).unwrap();
            let _ = stream.write_all(b"\xff\xfd\x18\xff\xfb\x01\xff\xfb\x03Welcome\r\n");
            let mut rest = Vec::new();
            let _ = stream.read_to_end(&mut rest);
        });
        let result =
            Transport::connect_tls(connect(addr), cert.client_config(), "localhost", HANDSHAKE);
        assert!(result.is_err(), "{result:?}");
        drop(result);
        join(server);
    }

    #[test]
    fn tls_handshake_timeout() {
        let cert = TestCert::new("localhost");
        let (listener, addr) = listen();
        let silent = connect(addr);
        let started = Instant::now();
        let result = Transport::accept_tls(
            accept(&listener),
            cert.server_config(),
            Some(Duration::from_millis(200)),
        );
        assert!(matches!(result, Err(Error::Timeout)), "{result:?}");
        assert!(started.elapsed() < Duration::from_secs(2));
        drop(silent);
    }

    #[test]
    fn accept_auto_tells_tls_from_plain() {
        let cert = TestCert::new("localhost");
        let (listener, addr) = listen();
        let config = cert.server_config();
        let server = thread::spawn(move || {
            for _ in 0..2 {
                let stream = accept(&listener);
                let transport =
                    Transport::accept_auto(stream, config.clone(), LIMIT, HANDSHAKE).unwrap();
                let tls = transport.is_tls();
                let (mut reader, writer) = split(transport);
                let line = read_exact(&mut reader, 7);
                let reply = if tls { b"tls   \n" } else { b"plain \n" };
                writer.write_all(reply).unwrap();
                writer.write_all(&line).unwrap();
                let (_, result) = read_to_end(&mut reader);
                result.unwrap();
            }
        });

        let tls =
            Transport::connect_tls(connect(addr), cert.client_config(), "localhost", HANDSHAKE)
                .unwrap();
        let (mut reader, writer) = split(tls);
        writer.write_all(b"hello\r\n").unwrap();
        assert_eq!(read_exact(&mut reader, 14), b"tls   \nhello\r\n");
        writer.shutdown();

        let plain = Transport::plain(connect(addr));
        let (mut reader, writer) = split(plain);
        writer.write_all(b"\xff\xfb\x18hi\r\n").unwrap();
        assert_eq!(read_exact(&mut reader, 14), b"plain \n\xff\xfb\x18hi\r\n");
        writer.shutdown();
        join(server);
    }

    #[test]
    fn accept_auto_silent_client_is_plain() {
        let cert = TestCert::new("localhost");
        let (listener, addr) = listen();
        let client = connect(addr);
        let started = Instant::now();
        let transport = Transport::accept_auto(
            accept(&listener),
            cert.server_config(),
            Duration::from_millis(200),
            HANDSHAKE,
        )
        .unwrap();
        let waited = started.elapsed();
        assert!(!transport.is_tls());
        assert!(waited >= Duration::from_millis(150) && waited < Duration::from_secs(2));
        // The peek timeout is gone: data that comes later is read normally.
        let (mut reader, writer) = split(transport);
        let (mut client_reader, client_writer) = split(Transport::plain(client));
        writer.write_all(b"login: ").unwrap();
        assert_eq!(read_exact(&mut client_reader, 7), b"login: ");
        client_writer.write_all(b"me\r\n").unwrap();
        assert_eq!(read_exact(&mut reader, 4), b"me\r\n");
        // A client that hangs up at once is plain too.
        let quitter = connect(addr);
        drop(quitter);
        let transport =
            Transport::accept_auto(accept(&listener), cert.server_config(), LIMIT, HANDSHAKE)
                .unwrap();
        assert!(!transport.is_tls());
    }

    fn check_read_timeout(reader: &mut TransportReader, peer: &TransportWriter) {
        reader
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let started = Instant::now();
        let result = reader.read(&mut [0u8; 16]);
        assert!(matches!(result, Err(Error::Timeout)), "{result:?}");
        assert!(started.elapsed() < Duration::from_secs(2));
        reader.set_read_timeout(Some(LIMIT)).unwrap();
        peer.write_all(b"still here").unwrap();
        assert_eq!(read_exact(reader, 10), b"still here");
    }

    #[test]
    fn read_timeout_then_reads_again() {
        let (listener, addr) = listen();
        let client = connect(addr);
        let (mut reader, _writer) = split(Transport::plain(accept(&listener)));
        let (_client_reader, client_writer) = split(Transport::plain(client));
        check_read_timeout(&mut reader, &client_writer);

        let cert = TestCert::new("localhost");
        let (client, server) = tls_pair(&cert);
        let (mut reader, _writer) = split(server);
        let (_client_reader, client_writer) = split(client);
        check_read_timeout(&mut reader, &client_writer);
    }

    #[test]
    fn tls_peer_closing_without_close_notify_is_eof() {
        let cert = TestCert::new("localhost");
        let (client, server) = tls_pair(&cert);
        let (mut reader, _writer) = split(client);
        let (server_reader, server_writer) = split(server);
        server_writer.write_all(b"bye\r\n").unwrap();
        // Dropping both halves closes the socket with no close_notify.
        drop(server_writer);
        drop(server_reader);
        let (data, result) = read_to_end(&mut reader);
        assert_eq!(data, b"bye\r\n");
        result.unwrap();
        assert_eq!(reader.read(&mut [0u8; 8]).unwrap(), 0);
    }

    #[test]
    fn tls_shutdown_wakes_blocked_reader() {
        let cert = TestCert::new("localhost");
        let (client, server) = tls_pair(&cert);
        let (mut reader, writer) = server.split();
        let blocked = thread::spawn(move || reader.read(&mut [0u8; 16]));
        thread::sleep(Duration::from_millis(100));
        writer.shutdown();
        let result = join_within(blocked, Duration::from_secs(2));
        assert!(matches!(result, Ok(0) | Err(_)), "{result:?}");
        // The client sees the close_notify.
        let (mut client_reader, _client_writer) = split(client);
        let (data, result) = read_to_end(&mut client_reader);
        assert!(data.is_empty());
        result.unwrap();
    }
}
