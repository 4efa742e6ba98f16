//! Plain TCP or TLS under one type, split into a reading half and a writing half that work from
//! different threads. Nothing telnet-specific happens here.
//!
//! Both halves share one socket (no `dup`: a server holding 10,000 connections must not spend
//! two file descriptors on each). Under TLS they share the rustls state behind one lock that is
//! held only for in-memory work, never across a blocking socket read or write.

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::{Error, Result};

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

/// Builds a client configuration: the web roots (like curl), or `ca_file`, or no verification.
///
/// # Errors
/// [`Error::Config`] when the CA file does not load or holds no certificate.
pub fn client_config(options: &TlsClientOptions) -> Result<Arc<rustls::ClientConfig>> {
    let _ = options;
    todo!()
}

/// Builds a server configuration from a PEM certificate chain and a PEM private key.
///
/// # Errors
/// [`Error::Config`] when either file does not load, or the key does not fit the certificate.
pub fn server_config(
    cert_file: &std::path::Path,
    key_file: &std::path::Path,
) -> Result<Arc<rustls::ServerConfig>> {
    let _ = (cert_file, key_file);
    todo!()
}

/// A connected stream: plain TCP, or TLS over TCP with the handshake done.
#[derive(Debug)]
pub struct Transport {
    _private: (),
}

impl Transport {
    /// Plain TCP.
    #[must_use]
    pub fn plain(stream: TcpStream) -> Self {
        let _ = stream;
        todo!()
    }

    /// TLS client over `stream`; returns once the handshake is done.
    ///
    /// # Errors
    /// [`Error::Tls`] when the handshake fails (a certificate that does not verify, …),
    /// [`Error::Timeout`] when it takes longer than `timeout`, [`Error::Io`] /
    /// [`Error::Eof`] when the connection fails.
    pub fn connect_tls(
        stream: TcpStream,
        config: Arc<rustls::ClientConfig>,
        server_name: &str,
        timeout: Option<Duration>,
    ) -> Result<Self> {
        let _ = (stream, config, server_name, timeout);
        todo!()
    }

    /// TLS server over `stream`; returns once the handshake is done.
    ///
    /// # Errors
    /// As [`Transport::connect_tls`].
    pub fn accept_tls(
        stream: TcpStream,
        config: Arc<rustls::ServerConfig>,
        timeout: Option<Duration>,
    ) -> Result<Self> {
        let _ = (stream, config, timeout);
        todo!()
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
        let _ = (stream, config, peek_timeout, handshake_timeout);
        todo!()
    }

    /// Whether TLS is in use.
    #[must_use]
    pub fn is_tls(&self) -> bool {
        todo!()
    }

    /// The peer's address.
    ///
    /// # Errors
    /// When the socket is no longer connected.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        todo!()
    }

    /// Our address.
    ///
    /// # Errors
    /// When the socket is no longer connected.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        todo!()
    }

    /// Splits into a reading half (for one reader thread) and a writing half (cloneable,
    /// serialised).
    #[must_use]
    pub fn split(self) -> (TransportReader, TransportWriter) {
        todo!()
    }
}

/// The reading half: application bytes out of the socket (decrypted under TLS).
#[derive(Debug)]
pub struct TransportReader {
    _private: (),
}

impl TransportReader {
    /// Reads application bytes into `buf`, blocking until at least one is there; `Ok(0)` at
    /// end of stream (a TLS close_notify, or TCP EOF).
    ///
    /// # Errors
    /// [`Error::Io`] / [`Error::Tls`] on failure; [`Error::Timeout`] when a read timeout set
    /// with [`TransportReader::set_read_timeout`] passes.
    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        let _ = buf;
        todo!()
    }

    /// Bounds each [`TransportReader::read`] (`None`: wait for ever).
    ///
    /// # Errors
    /// When the socket refuses the option.
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        let _ = timeout;
        todo!()
    }
}

/// The writing half: cloneable, every `write_all` goes out whole and in order.
#[derive(Debug, Clone)]
pub struct TransportWriter {
    _private: (),
}

impl TransportWriter {
    /// Writes all of `data` (encrypted under TLS). Concurrent callers are serialised.
    ///
    /// # Errors
    /// [`Error::Io`] / [`Error::Tls`] when the connection fails, [`Error::Timeout`] when a write
    /// timeout set with [`TransportWriter::set_write_timeout`] passes.
    pub fn write_all(&self, data: &[u8]) -> Result<()> {
        let _ = data;
        todo!()
    }

    /// Bounds each blocking socket write (`None`: wait for ever).
    ///
    /// # Errors
    /// When the socket refuses the option.
    pub fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        let _ = timeout;
        todo!()
    }

    /// Ends the connection: a TLS close_notify where there is TLS, then a TCP shutdown of both
    /// directions, which also wakes a reader blocked in [`TransportReader::read`].
    pub fn shutdown(&self) {
        todo!()
    }
}

#[allow(dead_code)] // Keeps `Error` in scope for the implementation.
fn _uses(_: Error) {}
