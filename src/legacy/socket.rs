//! The socket the legacy [`Telnet`](super::Telnet) runs over, and `socket.create_connection`.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::os::fd::{AsRawFd, RawFd};
use std::time::Duration;

/// What [`Telnet`](super::Telnet) needs from its socket: `recv` ([`Read`]), `sendall`
/// ([`Write::write_all`]) and the readiness test that telnetlib does with a selector.
///
/// [`TcpStream`] implements it and is the default. Tests and unusual transports implement it
/// for their own type, exactly as CPython's `test_telnetlib` swaps in its `SocketStub` and its
/// `MockSelector`: `read` plays `recv` (returning `Ok(0)` for the end of the connection, like
/// `recv` returning `b''`), every `write_all` is one `sendall`, and
/// [`wait_readable`](TelnetSocket::wait_readable) plays `selector.select(timeout)`.
pub trait TelnetSocket: Read + Write {
    /// Waits until a read would not block (data is waiting, or the peer closed the connection,
    /// or the socket is in error), for at most `timeout` (`None` waits forever, `Some(ZERO)`
    /// only polls). Returns whether the socket is readable; `Ok(false)` means the time ran out.
    ///
    /// This is `selector.select(timeout)` in telnetlib's `read_until`, `expect` and
    /// `sock_avail`.
    ///
    /// # Errors
    ///
    /// An [`io::Error`] if the socket cannot be polled at all. Errors of the connection itself
    /// (reset, …) should make the socket readable instead, so that the next `read` reports them,
    /// as `select` does.
    fn wait_readable(&mut self, timeout: Option<Duration>) -> io::Result<bool>;

    /// The file descriptor that poll(2) reports readable when
    /// [`wait_readable`](TelnetSocket::wait_readable) would, so that
    /// [`interact`](super::Telnet::interact) can wait on the socket and stdin together. `None`
    /// (the default) when there is none; `interact` then looks at the socket between short
    /// waits on stdin.
    fn readiness_fd(&self) -> Option<RawFd> {
        None
    }
}

impl TelnetSocket for TcpStream {
    /// Polls with `peek`: non-blocking for a zero timeout, otherwise with the read timeout set to
    /// `timeout` for the duration of the call (the socket's own timeout is restored after).
    fn wait_readable(&mut self, timeout: Option<Duration>) -> io::Result<bool> {
        let mut byte = [0u8; 1];
        loop {
            let result = match timeout {
                Some(t) if t.is_zero() => {
                    self.set_nonblocking(true)?;
                    let result = self.peek(&mut byte);
                    self.set_nonblocking(false)?;
                    result
                }
                _ => {
                    let saved = self.read_timeout()?;
                    self.set_read_timeout(timeout)?;
                    let result = self.peek(&mut byte);
                    self.set_read_timeout(saved)?;
                    result
                }
            };
            return match result {
                // Data, or the end of the stream (`Ok(0)`): both make select() report readable.
                Ok(_) => Ok(true),
                Err(err) => match err.kind() {
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Ok(false),
                    io::ErrorKind::Interrupted => continue,
                    // A reset or another error: select() says readable, recv() raises it.
                    _ => Ok(true),
                },
            };
        }
    }

    fn readiness_fd(&self) -> Option<RawFd> {
        Some(self.as_raw_fd())
    }
}

/// Connects like Python's `socket.create_connection((host, port), timeout)`: every address the
/// host resolves to is tried in turn, each with `timeout` for the connect, and the connected
/// socket keeps `timeout` as its read and write timeout (Python's `sock.settimeout(timeout)`).
///
/// # Errors
///
/// The resolver's error, or the last address's connect error ([`io::ErrorKind::TimedOut`] when
/// the connect timed out).
pub fn create_connection(
    host: &str,
    port: u16,
    timeout: Option<Duration>,
) -> io::Result<TcpStream> {
    let mut last_err = None;
    for addr in (host, port).to_socket_addrs()? {
        let attempt = match timeout {
            Some(t) => TcpStream::connect_timeout(&addr, t),
            None => TcpStream::connect(addr),
        };
        match attempt {
            Ok(stream) => {
                if let Err(err) = stream
                    .set_read_timeout(timeout)
                    .and_then(|()| stream.set_write_timeout(timeout))
                {
                    let _ = stream.shutdown(Shutdown::Both);
                    return Err(err);
                }
                return Ok(stream);
            }
            Err(err) => last_err = Some(err),
        }
    }
    Err(last_err.unwrap_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "getaddrinfo returns an empty list",
        )
    }))
}
