//! The error type of every blocking call, and what each variant means.

use std::fmt;
use std::io;

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
    Limit(String),
    /// Text that could not be encoded or decoded in the connection's encoding.
    Encoding(String),
    /// Invalid configuration: a bad option value, a certificate or key that does not load.
    Config(String),
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
            Error::Limit(what) => write!(f, "limit exceeded: {what}"),
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
            _ => None,
        }
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
