//! The error type of every blocking call, and what each variant means.

use std::fmt;
use std::io;
use std::sync::Arc;

use crate::protocol::ProtocolError;

/// What went wrong with a connection or a call on it.
///
/// Which variants mean what:
/// - **The peer hung up or the network failed:** [`Error::Eof`] (the connection ended with no
///   more data to give), [`Error::Io`] (reset, refused, unreachable, …), [`Error::Tls`] when the
///   TLS layer failed.
/// - **Nothing came in time:** [`Error::Timeout`]; the connection is still usable.
/// - **The application misused the API:** [`Error::Closed`] (a call after `close()`),
///   [`Error::Protocol`] (an unknown option name, …), [`Error::Config`] (bad options, such as a
///   certificate file that does not load).
/// - **A bound was hit:** [`Error::Limit`], logged where it happened; the data it concerns was
///   not silently cut.
/// - **Text could not be encoded or decoded** with `encoding_errors` set to strict:
///   [`Error::Encoding`].
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A socket or file error.
    Io(io::Error),
    /// The TLS layer failed (handshake, certificate verification, a bad record).
    Tls(rustls::Error),
    /// A protocol-level misuse, from [`crate::protocol`].
    Protocol(ProtocolError),
    /// The operation did not complete within its timeout.
    Timeout,
    /// The peer closed the connection and no data is left to read.
    Eof,
    /// The connection was closed by this side; no further calls can succeed.
    Closed,
    /// A configured bound was exceeded (what, and the bound).
    Limit(LimitError),
    /// Text that could not be encoded or decoded in the connection's encoding.
    Encoding(String),
    /// Invalid configuration: a bad option value, a certificate or key that does not load.
    Config(ConfigError),
}

/// `Result` with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// True for errors that mean the connection is over ([`Error::Eof`], [`Error::Closed`],
    /// [`Error::Io`], [`Error::Tls`]).
    #[must_use]
    pub fn is_disconnect(&self) -> bool {
        matches!(
            self,
            Error::Eof | Error::Closed | Error::Io(_) | Error::Tls(_)
        )
    }

    /// This error as an [`io::Error`], for code that speaks `std::io` (the legacy `Telnet` does).
    #[must_use]
    pub fn into_io(self) -> io::Error {
        match self {
            Error::Io(err) => err,
            Error::Timeout => io::Error::new(io::ErrorKind::TimedOut, "telnet operation timed out"),
            Error::Eof => io::Error::new(io::ErrorKind::UnexpectedEof, "telnet connection closed"),
            Error::Closed => {
                io::Error::new(io::ErrorKind::NotConnected, "telnet connection is closed")
            }
            other => io::Error::other(other.to_string()),
        }
    }

    /// Turns socket timeouts (`WouldBlock`, `TimedOut`) into [`Error::Timeout`]; every other IO
    /// error stays [`Error::Io`]. The one place where socket-level timeouts are translated.
    #[must_use]
    pub fn from_io(err: io::Error) -> Self {
        match err.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Error::Timeout,
            io::ErrorKind::UnexpectedEof => Error::Eof,
            _ => Error::Io(err),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(err) => write!(f, "{err}"),
            Error::Tls(err) => write!(f, "TLS error: {err}"),
            Error::Protocol(err) => write!(f, "{err}"),
            Error::Timeout => f.write_str("timed out"),
            Error::Eof => f.write_str("connection closed by peer"),
            Error::Closed => f.write_str("connection is closed"),
            Error::Limit(limit) => write!(f, "limit exceeded: {limit}"),
            Error::Encoding(what) => write!(f, "encoding error: {what}"),
            Error::Config(what) => write!(f, "invalid configuration: {what}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(err) => Some(err),
            Error::Tls(err) => Some(err),
            Error::Protocol(err) => Some(err),
            Error::Config(err) => err.source.as_deref().map(|e| e as _),
            _ => None,
        }
    }
}

impl Error {
    /// An [`Error::Config`] with a message and no cause.
    #[must_use]
    pub fn config(message: impl Into<String>) -> Self {
        Error::Config(ConfigError {
            message: message.into(),
            source: None,
        })
    }

    /// An [`Error::Config`] with a message and the error that caused it (a file that could
    /// not be read, a certificate that did not parse), kept as its
    /// [`source`](std::error::Error::source).
    #[must_use]
    pub fn config_with(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Config(ConfigError {
            message: message.into(),
            source: Some(Arc::new(source)),
        })
    }

    /// An equivalent error, for reporting one failure to several callers (the reader of a
    /// connection fails once; every read after it reports why). I/O errors keep their kind
    /// and message.
    #[must_use]
    pub fn duplicate(&self) -> Self {
        match self {
            Error::Io(err) => Error::Io(io::Error::new(err.kind(), err.to_string())),
            Error::Tls(err) => Error::Tls(err.clone()),
            Error::Protocol(err) => Error::Protocol(err.clone()),
            Error::Timeout => Error::Timeout,
            Error::Eof => Error::Eof,
            Error::Closed => Error::Closed,
            Error::Limit(err) => Error::Limit(err.clone()),
            Error::Encoding(what) => Error::Encoding(what.clone()),
            Error::Config(err) => Error::Config(err.clone()),
        }
    }
}

/// Why a configuration was refused, with the error that caused it when there was one.
#[derive(Debug, Clone)]
pub struct ConfigError {
    message: String,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl ConfigError {
    /// What was wrong, in one line.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(source) = &self.source {
            if !self.message.contains(&source.to_string()) {
                write!(f, ": {source}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}

/// A bound was hit ([`Error::Limit`]): which, its size, and the data gathered before it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LimitError {
    /// The bound, named as its option is (e.g. `max_line`).
    pub what: &'static str,
    /// Its size, in bytes.
    pub limit: usize,
    /// The data gathered before the bound was hit, handed over so nothing is lost.
    pub partial: Partial,
}

/// The data a call had gathered when it hit a bound.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Partial {
    /// Nothing (the bound is not about data).
    None,
    /// Bytes, from a byte read.
    Bytes(Vec<u8>),
    /// Text, from a text read.
    Text(String),
}

impl Partial {
    /// How many bytes (or characters' UTF-8 bytes) it holds.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Partial::None => 0,
            Partial::Bytes(b) => b.len(),
            Partial::Text(t) => t.len(),
        }
    }

    /// Whether it holds nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} of {} bytes reached", self.what, self.limit)?;
        if !self.partial.is_empty() {
            write!(f, " ({} bytes gathered)", self.partial.len())?;
        }
        Ok(())
    }
}

impl From<io::Error> for Error {
    fn from(err: io::Error) -> Self {
        Error::from_io(err)
    }
}

impl From<rustls::Error> for Error {
    fn from(err: rustls::Error) -> Self {
        Error::Tls(err)
    }
}

impl From<ProtocolError> for Error {
    fn from(err: ProtocolError) -> Self {
        Error::Protocol(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_timeouts_become_timeout() {
        let err = Error::from(io::Error::from(io::ErrorKind::WouldBlock));
        assert!(matches!(err, Error::Timeout));
        let err = Error::from(io::Error::from(io::ErrorKind::ConnectionReset));
        assert!(matches!(err, Error::Io(_)));
        assert!(err.is_disconnect());
        assert_eq!(Error::Eof.into_io().kind(), io::ErrorKind::UnexpectedEof);
    }
}
