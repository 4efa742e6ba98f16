//! The option-negotiation callback of [`Telnet`] and what it is called with.

use std::fmt;
use std::io::{self, Write};
use std::net::TcpStream;

use super::expect::python_bytes_repr;
use super::socket::TelnetSocket;
#[cfg(doc)]
use super::Telnet;
use crate::error::{Error, Result};
#[cfg(doc)]
use crate::telopt::NOOPT;

/// The option-negotiation callback: called with the socket (through an [`OptionContext`]), the
/// command byte and the option byte ([`NOOPT`] for two-byte commands, `SB` and `SE`).
///
/// Build one with [`negotiation_callback`] (which lets the compiler infer the closure's argument
/// types) or with `Box::new` and annotated arguments.
pub type OptionCallback<S = TcpStream> = Box<dyn FnMut(&mut OptionContext<'_, S>, u8, u8) + Send>;

/// Boxes a closure as an [`OptionCallback`], so that its arguments need no annotations:
///
/// ```
/// use telnetlib3::legacy::{negotiation_callback, Telnet, DO, IAC, WONT};
/// let mut tn = Telnet::new();
/// tn.set_option_negotiation_callback(Some(negotiation_callback(|sock, cmd, opt| {
///     if cmd == DO {
///         let _ = sock.sendall(&[IAC, WONT, opt]);
///     }
/// })));
/// ```
pub fn negotiation_callback<S, F>(callback: F) -> OptionCallback<S>
where
    F: FnMut(&mut OptionContext<'_, S>, u8, u8) + Send + 'static,
{
    Box::new(callback)
}

/// What an [`OptionCallback`] gets in place of Python's `sock` argument: the socket, and the
/// subnegotiation queue that telnetlib's comment says the callback "is supposed to look into"
/// (in Python the callback reaches it through the `Telnet` object, `tn.read_sb_data()`; a Rust
/// closure cannot borrow the `Telnet` that is calling it, so the queue comes along here).
///
/// It is also a [`Write`]: writing to it writes to the socket, unescaped (like
/// `sock.sendall`).
pub struct OptionContext<'a, S> {
    sock: Option<&'a mut S>,
    sbdataq: &'a mut Vec<u8>,
}

impl<S> fmt::Debug for OptionContext<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OptionContext")
            .field("connected", &self.sock.is_some())
            .field("sbdataq", &python_bytes_repr(self.sbdataq))
            .finish()
    }
}

impl<'a, S> OptionContext<'a, S> {
    /// The context of one callback call: the `Telnet`'s socket and subnegotiation queue.
    pub(super) fn new(sock: Option<&'a mut S>, sbdataq: &'a mut Vec<u8>) -> Self {
        Self { sock, sbdataq }
    }
}

impl<S: TelnetSocket> OptionContext<'_, S> {
    /// The socket (Python's `sock` argument); `None` if the `Telnet` was closed while raw data
    /// was still queued.
    pub fn socket(&mut self) -> Option<&mut S> {
        self.sock.as_deref_mut()
    }

    /// `sock.sendall(data)`: sends `data` as it is (no `IAC` doubling: this is for commands).
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] without a socket, [`Error::Io`] / [`Error::Timeout`] from the send.
    pub fn sendall(&mut self, data: &[u8]) -> Result<()> {
        let sock = self.sock.as_deref_mut().ok_or(Error::Closed)?;
        sock.write_all(data).map_err(Error::from_io)
    }

    /// The subnegotiation data queued so far, without taking it.
    #[must_use]
    pub fn sb_data(&self) -> &[u8] {
        self.sbdataq
    }

    /// Takes the subnegotiation data, like [`Telnet::read_sb_data`]. When the callback is called
    /// with `SE`, this is the payload of the subnegotiation that just ended (its option byte
    /// first).
    pub fn read_sb_data(&mut self) -> Vec<u8> {
        std::mem::take(self.sbdataq)
    }
}

impl<S: TelnetSocket> Write for OptionContext<'_, S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.sock.as_deref_mut() {
            Some(sock) => sock.write(buf),
            None => Err(Error::Closed.into_io()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.sock.as_deref_mut() {
            Some(sock) => sock.flush(),
            None => Ok(()),
        }
    }
}
