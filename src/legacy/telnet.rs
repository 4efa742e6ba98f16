//! The `Telnet` class itself.

use std::fmt;
use std::io::{self, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use memchr::memmem;

use super::callback::{OptionCallback, OptionContext};
use super::expect::{python_bytes_repr, ExpectMatch, ExpectPattern};
use super::socket::{create_connection, TelnetSocket};
use super::{DEBUGLEVEL, DEFAULT_SUBNEGOTIATION_LIMIT, TELNET_PORT};
use crate::error::{Error, Result};
use crate::telopt::{DO, DONT, IAC, NOOPT, SB, SE, WILL, WONT};

/// How many bytes one `fill_rawq` asks `recv` for, as in telnetlib (`self.sock.recv(50)`).
const RECV_SIZE: usize = 50;

/// Python's `telnetlib.Telnet`: a telnet client connection with telnetlib's queues, read
/// methods and (refuse-everything) option handling.
///
/// See the [module documentation](super) for the mapping from Python and the differences.
/// `S` is the socket: a [`TcpStream`] unless a test or another transport supplies its own
/// [`TelnetSocket`].
pub struct Telnet<S = TcpStream> {
    debuglevel: u32,
    host: Option<String>,
    port: u16,
    timeout: Option<Duration>,
    sock: Option<S>,
    rawq: Vec<u8>,
    irawq: usize,
    cookedq: Vec<u8>,
    eof: bool,
    iacseq: Vec<u8>,
    sb: bool,
    sbdataq: Vec<u8>,
    subnegotiation_limit: usize,
    /// Bytes of the current subnegotiation discarded for being over the limit.
    sb_discarded: usize,
    option_callback: Option<OptionCallback<S>>,
    debug_output: Option<Box<dyn Write + Send>>,
}

impl<S> fmt::Debug for Telnet<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Telnet")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("timeout", &self.timeout)
            .field("connected", &self.sock.is_some())
            .field("debuglevel", &self.debuglevel)
            .field(
                "rawq",
                &python_bytes_repr(&self.rawq[self.irawq.min(self.rawq.len())..]),
            )
            .field("cookedq", &python_bytes_repr(&self.cookedq))
            .field("eof", &self.eof)
            .field("iacseq", &python_bytes_repr(&self.iacseq))
            .field("sb", &self.sb)
            .field("sbdataq", &python_bytes_repr(&self.sbdataq))
            .field("subnegotiation_limit", &self.subnegotiation_limit)
            .field("option_callback", &self.option_callback.is_some())
            .finish()
    }
}

impl<S> Default for Telnet<S> {
    /// An unconnected instance, `Telnet()`.
    fn default() -> Self {
        Telnet {
            debuglevel: DEBUGLEVEL,
            host: None,
            port: 0,
            timeout: None,
            sock: None,
            rawq: Vec::new(),
            irawq: 0,
            cookedq: Vec::new(),
            eof: false,
            iacseq: Vec::new(),
            sb: false,
            sbdataq: Vec::new(),
            subnegotiation_limit: DEFAULT_SUBNEGOTIATION_LIMIT,
            sb_discarded: 0,
            option_callback: None,
            debug_output: None,
        }
    }
}

impl<S> Drop for Telnet<S> {
    /// `__del__` (and `__exit__`): closes the connection.
    fn drop(&mut self) {
        self.close();
    }
}

impl<S> Telnet<S> {
    /// `close()`: closes the connection. The queues are kept (the read methods still return
    /// what is cooked), `eof` is set and the IAC state is reset. Closing twice is harmless.
    pub fn close(&mut self) {
        let sock = self.sock.take();
        self.eof = true;
        self.iacseq.clear();
        self.sb = false;
        self.sb_discarded = 0;
        // Dropping the socket closes it, like Python's `sock.close()`.
        drop(sock);
    }
}

impl Telnet<TcpStream> {
    /// `Telnet()`: an unconnected instance; [`open`](Telnet::open) connects it.
    #[must_use]
    pub fn new() -> Self {
        Telnet::default()
    }

    /// `Telnet(host, port, timeout)`: connects at once. Port 0 means [`TELNET_PORT`] (23);
    /// `timeout` bounds the connect and then every blocking socket operation (`None` blocks,
    /// like Python's `timeout=None`).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the host does not resolve or refuses, [`Error::Timeout`] when the
    /// connect times out.
    pub fn connect(host: &str, port: u16, timeout: Option<Duration>) -> Result<Self> {
        let mut telnet = Telnet::new();
        telnet.open(host, port, timeout)?;
        Ok(telnet)
    }

    /// `open(host, port, timeout)`: connects an instance (port 0 means 23). The socket keeps
    /// `timeout` as its read and write timeout, as Python's socket does. Don't reopen a connected
    /// instance (as in Python, the old socket is simply replaced and closed).
    ///
    /// # Errors
    ///
    /// As [`connect`](Telnet::connect).
    pub fn open(&mut self, host: &str, port: u16, timeout: Option<Duration>) -> Result<()> {
        self.open_with(host, port, timeout, create_connection)
    }
}

impl<S: TelnetSocket> Telnet<S> {
    /// `Telnet(host, port, timeout)` over a socket that `connector` makes: it is called with the
    /// host, the port (0 already replaced by 23) and the timeout, like
    /// `socket.create_connection` (which is what test_telnetlib replaces with its stub).
    ///
    /// # Errors
    ///
    /// What `connector` returns, through [`Error::from_io`].
    pub fn connect_with<C>(
        host: &str,
        port: u16,
        timeout: Option<Duration>,
        connector: C,
    ) -> Result<Self>
    where
        C: FnOnce(&str, u16, Option<Duration>) -> io::Result<S>,
    {
        let mut telnet = Telnet::default();
        telnet.open_with(host, port, timeout, connector)?;
        Ok(telnet)
    }

    /// `open(host, port, timeout)` over a socket that `connector` makes (see
    /// [`connect_with`](Telnet::connect_with)).
    ///
    /// # Errors
    ///
    /// What `connector` returns, through [`Error::from_io`]; the instance then keeps its old
    /// socket, if any.
    pub fn open_with<C>(
        &mut self,
        host: &str,
        port: u16,
        timeout: Option<Duration>,
        connector: C,
    ) -> Result<()>
    where
        C: FnOnce(&str, u16, Option<Duration>) -> io::Result<S>,
    {
        self.eof = false;
        let port = if port == 0 { TELNET_PORT } else { port };
        self.host = Some(host.to_owned());
        self.port = port;
        self.timeout = timeout;
        let sock = connector(host, port, timeout).map_err(Error::from_io)?;
        self.sock = Some(sock);
        Ok(())
    }

    /// `msg(msg)`: prints `Telnet(host,port): msg` on stdout when the debug level is above 0
    /// (Python formats `msg % args`; format the message with `format!` first). The message
    /// also goes to the `log` crate at debug level, whatever the debug level.
    pub fn msg(&mut self, msg: &str) {
        if self.debuglevel == 0 && !log::log_enabled!(log::Level::Debug) {
            return;
        }
        let host = self.host.as_deref().unwrap_or("None");
        let line = format!("Telnet({host},{}): {msg}", self.port);
        log::debug!("{line}");
        if self.debuglevel > 0 {
            match self.debug_output.as_mut() {
                Some(out) => {
                    let _ = writeln!(out, "{line}");
                    let _ = out.flush();
                }
                None => println!("{line}"),
            }
        }
    }

    /// `set_debuglevel(debuglevel)`: the higher, the more debug output (on stdout); 0 (the
    /// default, [`DEBUGLEVEL`]) prints nothing.
    pub fn set_debuglevel(&mut self, debuglevel: u32) {
        self.debuglevel = debuglevel;
    }

    /// The debug level.
    #[must_use]
    pub fn debuglevel(&self) -> u32 {
        self.debuglevel
    }

    /// Sends the debug messages of [`msg`](Telnet::msg) to `output` instead of stdout (`None`:
    /// back to stdout). Not in telnetlib, where tests capture `sys.stdout` instead.
    pub fn set_debug_output(&mut self, output: Option<Box<dyn Write + Send>>) {
        self.debug_output = output;
    }

    /// `get_socket()`: the socket, `None` when not connected.
    #[must_use]
    pub fn get_socket(&self) -> Option<&S> {
        self.sock.as_ref()
    }

    /// The socket, mutably (Python's socket object is always mutable).
    pub fn get_socket_mut(&mut self) -> Option<&mut S> {
        self.sock.as_mut()
    }

    /// The host of the last `open` (`None` before).
    #[must_use]
    pub fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// The port of the last `open` (23 for a port given as 0; 0 before any `open`).
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The timeout of the last `open`.
    #[must_use]
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// Whether the end of the connection has been read (or `close` was called): telnetlib's
    /// `eof` attribute.
    #[must_use]
    pub fn eof(&self) -> bool {
        self.eof
    }

    /// The raw queue, not yet processed (telnetlib's `rawq[irawq:]`).
    #[must_use]
    pub fn rawq(&self) -> &[u8] {
        &self.rawq[self.irawq.min(self.rawq.len())..]
    }

    /// The cooked queue: processed data not yet returned by a read method.
    #[must_use]
    pub fn cookedq(&self) -> &[u8] {
        &self.cookedq
    }

    /// The subnegotiation queue, without taking it (see [`read_sb_data`](Telnet::read_sb_data)).
    #[must_use]
    pub fn sbdataq(&self) -> &[u8] {
        &self.sbdataq
    }

    /// The IAC sequence in progress (`iacseq`: empty, `IAC`, or `IAC` and a verb).
    #[must_use]
    pub fn iacseq(&self) -> &[u8] {
        &self.iacseq
    }

    /// Whether a subnegotiation is in progress (telnetlib's `sb` flag).
    #[must_use]
    pub fn in_sb(&self) -> bool {
        self.sb
    }

    /// Bounds the subnegotiation queue to `limit` bytes (the option byte included). Data of a
    /// subnegotiation past the limit is discarded up to its `IAC SE`, with a warning logged;
    /// the data stream is not affected. Not in telnetlib, whose queue has no bound. Default:
    /// [`DEFAULT_SUBNEGOTIATION_LIMIT`] (64 KiB).
    pub fn set_subnegotiation_limit(&mut self, limit: usize) {
        self.subnegotiation_limit = limit;
    }

    /// The bound on the subnegotiation queue, in bytes (see
    /// [`set_subnegotiation_limit`](Telnet::set_subnegotiation_limit)).
    #[must_use]
    pub fn subnegotiation_limit(&self) -> usize {
        self.subnegotiation_limit
    }

    fn sock_mut(&mut self) -> Result<&mut S> {
        self.sock.as_mut().ok_or(Error::Closed)
    }

    /// `selector.select(timeout)` on the socket.
    fn select(&mut self, timeout: Option<Duration>) -> Result<bool> {
        self.sock_mut()?
            .wait_readable(timeout)
            .map_err(Error::from_io)
    }

    fn sendall(&mut self, data: &[u8]) -> Result<()> {
        self.sock_mut()?.write_all(data).map_err(Error::from_io)
    }

    /// Takes the first `n` bytes of the cooked queue.
    fn take_cooked(&mut self, n: usize) -> Vec<u8> {
        let rest = self.cookedq.split_off(n);
        std::mem::replace(&mut self.cookedq, rest)
    }

    /// `write(buffer)`: sends `buffer`, doubling every `IAC` (0xFF). May block.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] when not connected (Python: `AttributeError`), [`Error::Io`] or
    /// [`Error::Timeout`] from the send (Python: `OSError`).
    pub fn write(&mut self, buffer: &[u8]) -> Result<()> {
        let escaped;
        let buffer = if buffer.contains(&IAC) {
            let mut doubled = Vec::with_capacity(buffer.len() + 8);
            for &byte in buffer {
                doubled.push(byte);
                if byte == IAC {
                    doubled.push(IAC);
                }
            }
            escaped = doubled;
            &escaped[..]
        } else {
            buffer
        };
        if self.debuglevel > 0 || log::log_enabled!(log::Level::Debug) {
            self.msg(&format!("send {}", python_bytes_repr(buffer)));
        }
        self.sendall(buffer)
    }

    /// `read_until(match, timeout)`: reads until `expected` has been seen (and returns the data
    /// up to and including it) or until `timeout` passes (`None`: no limit). When the timeout
    /// passes or the connection ends first, returns whatever is cooked, possibly nothing.
    ///
    /// # Errors
    ///
    /// [`Error::Eof`] when the connection is closed and no cooked data is left (Python's
    /// `EOFError`); [`Error::Io`] / [`Error::Timeout`] (the socket's own timeout, from `open`)
    /// from a read; [`Error::Closed`] if never connected.
    pub fn read_until(&mut self, expected: &[u8], timeout: Option<Duration>) -> Result<Vec<u8>> {
        let n = expected.len();
        self.process_rawq()?;
        if let Some(i) = memmem::find(&self.cookedq, expected) {
            return Ok(self.take_cooked(i + n));
        }
        let deadline = Deadline::new(timeout);
        let mut timeout = timeout;
        while !self.eof {
            if self.select(timeout)? {
                let start = self.cookedq.len().saturating_sub(n);
                self.fill_rawq()?;
                self.process_rawq()?;
                if let Some(i) = memmem::find(&self.cookedq[start..], expected) {
                    return Ok(self.take_cooked(start + i + n));
                }
            }
            if let Some(deadline) = &deadline {
                match deadline.remaining() {
                    Some(left) => timeout = Some(left),
                    None => break,
                }
            }
        }
        self.read_very_lazy()
    }

    /// `read_all()`: reads everything until the connection ends; blocks until then.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] / [`Error::Timeout`] from a read (the data read so far stays queued);
    /// [`Error::Closed`] if never connected. Never [`Error::Eof`]: at the end it returns what
    /// is left, possibly nothing.
    pub fn read_all(&mut self) -> Result<Vec<u8>> {
        self.process_rawq()?;
        while !self.eof {
            self.fill_rawq()?;
            self.process_rawq()?;
        }
        Ok(std::mem::take(&mut self.cookedq))
    }

    /// `read_some()`: reads at least one byte of cooked data, blocking if needed; returns an
    /// empty vector only at the end of the connection.
    ///
    /// # Errors
    ///
    /// As [`read_all`](Telnet::read_all).
    pub fn read_some(&mut self) -> Result<Vec<u8>> {
        self.process_rawq()?;
        while self.cookedq.is_empty() && !self.eof {
            self.fill_rawq()?;
            self.process_rawq()?;
        }
        Ok(std::mem::take(&mut self.cookedq))
    }

    /// `read_very_eager()`: reads everything available without blocking: the queues, and the
    /// socket for as long as it has data.
    ///
    /// # Errors
    ///
    /// [`Error::Eof`] when the connection is closed and no cooked data is available (an empty
    /// vector otherwise means "nothing yet"); socket errors as [`Error::Io`].
    pub fn read_very_eager(&mut self) -> Result<Vec<u8>> {
        self.process_rawq()?;
        while !self.eof && self.sock_avail()? {
            self.fill_rawq()?;
            self.process_rawq()?;
        }
        self.read_very_lazy()
    }

    /// `read_eager()`: returns the cooked data if there is some, else reads the socket without
    /// blocking until some cooked data comes or the socket has nothing more.
    ///
    /// # Errors
    ///
    /// As [`read_very_eager`](Telnet::read_very_eager).
    pub fn read_eager(&mut self) -> Result<Vec<u8>> {
        self.process_rawq()?;
        while self.cookedq.is_empty() && !self.eof && self.sock_avail()? {
            self.fill_rawq()?;
            self.process_rawq()?;
        }
        self.read_very_lazy()
    }

    /// `read_lazy()`: processes the raw queue and returns the cooked data, without any socket
    /// read.
    ///
    /// # Errors
    ///
    /// [`Error::Eof`] when the connection is closed and no data is available; what processing
    /// raises (sending a refusal can fail).
    pub fn read_lazy(&mut self) -> Result<Vec<u8>> {
        self.process_rawq()?;
        self.read_very_lazy()
    }

    /// `read_very_lazy()`: returns the cooked queue, without processing or reading anything.
    ///
    /// # Errors
    ///
    /// [`Error::Eof`] when the connection is closed and both queues are empty (an empty vector
    /// otherwise means "nothing cooked yet").
    pub fn read_very_lazy(&mut self) -> Result<Vec<u8>> {
        let buf = std::mem::take(&mut self.cookedq);
        if buf.is_empty() && self.eof && self.rawq.is_empty() {
            return Err(Error::Eof);
        }
        Ok(buf)
    }

    /// `read_sb_data()`: takes the data of the subnegotiations seen so far (`SB` … `SE`,
    /// starting with the option byte, `IAC IAC` undoubled); empty if none. Meant to be called
    /// after the callback saw `SB` or `SE` (from the callback, use
    /// [`OptionContext::read_sb_data`]). A new `SB` discards unread data. Never blocks.
    pub fn read_sb_data(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.sbdataq)
    }

    /// `set_option_negotiation_callback(callback)`: from now on every telnet command read is
    /// passed to `callback` (with the socket, the command and the option, [`NOOPT`] for commands
    /// without one) and telnetlib sends nothing itself. `None` restores the default, which
    /// refuses everything (`DO`/`DONT` x → `WONT` x, `WILL`/`WONT` x → `DONT` x).
    pub fn set_option_negotiation_callback(&mut self, callback: Option<OptionCallback<S>>) {
        self.option_callback = callback;
    }

    /// `process_rawq()`: moves the raw queue to the cooked queue, interpreting telnet commands
    /// (telnetlib's state machine, byte for byte: NUL and `\x11` are dropped outside IAC
    /// sequences, `IAC IAC` is a 0xFF, data between `SB` and `SE` goes to the subnegotiation
    /// queue up to the [limit](Telnet::set_subnegotiation_limit), negotiations are refused or
    /// passed to the callback). Does no socket read; an incomplete IAC sequence waits in
    /// `iacseq` for the next call.
    ///
    /// # Errors
    ///
    /// Sending a refusal can fail ([`Error::Io`], [`Error::Timeout`], [`Error::Closed`] after
    /// `close`); processing stops there, and what was processed before is kept in the queues
    /// (Python loses it).
    pub fn process_rawq(&mut self) -> Result<()> {
        let mut buf: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
        let mut result = Ok(());
        while !self.rawq.is_empty() {
            let c = self.rawq[self.irawq];
            self.irawq += 1;
            if self.irawq >= self.rawq.len() {
                self.rawq.clear();
                self.irawq = 0;
            }
            if self.iacseq.is_empty() {
                if c == 0 || c == 0x11 {
                    continue;
                }
                if c != IAC {
                    self.push_data(&mut buf, c);
                    continue;
                }
                self.iacseq.push(c);
            } else if self.iacseq.len() == 1 {
                // IAC CMD [OPTION only for WILL/WONT/DO/DONT]
                if matches!(c, DO | DONT | WILL | WONT) {
                    self.iacseq.push(c);
                    continue;
                }
                self.iacseq.clear();
                if c == IAC {
                    self.push_data(&mut buf, c);
                } else {
                    if c == SB {
                        self.sb = true;
                        self.sbdataq.clear();
                        self.sb_discarded = 0;
                    } else if c == SE {
                        self.sb = false;
                        self.append_sb(&mut buf[1]);
                        self.end_discard();
                    }
                    if let Some(callback) = self.option_callback.as_mut() {
                        let mut ctx = OptionContext::new(self.sock.as_mut(), &mut self.sbdataq);
                        callback(&mut ctx, c, NOOPT);
                    } else {
                        self.msg(&format!("IAC {c} not recognized"));
                    }
                }
            } else {
                let cmd = self.iacseq[1];
                self.iacseq.clear();
                let opt = c;
                let (name, refusal) = match cmd {
                    DO => ("DO", WONT),
                    DONT => ("DONT", WONT),
                    WILL => ("WILL", DONT),
                    _ => ("WONT", DONT),
                };
                self.msg(&format!("IAC {name} {opt}"));
                if let Some(callback) = self.option_callback.as_mut() {
                    let mut ctx = OptionContext::new(self.sock.as_mut(), &mut self.sbdataq);
                    callback(&mut ctx, cmd, opt);
                } else if let Err(err) = self.sendall(&[IAC, refusal, opt]) {
                    result = Err(err);
                    break;
                }
            }
        }
        self.cookedq.append(&mut buf[0]);
        self.append_sb(&mut buf[1]);
        result
    }

    /// `buf[self.sb] += c` in `process_rawq`: a data byte to `buf[0]`, or one of a
    /// subnegotiation to `buf[1]` while that holds less than the limit.
    fn push_data(&mut self, buf: &mut [Vec<u8>; 2], c: u8) {
        if !self.sb || buf[1].len() < self.subnegotiation_limit {
            buf[usize::from(self.sb)].push(c);
        } else {
            self.discard(1);
        }
    }

    /// `sbdataq += buf[1]`, keeping the queue within the limit.
    fn append_sb(&mut self, pending: &mut Vec<u8>) {
        let room = self.subnegotiation_limit.saturating_sub(self.sbdataq.len());
        if pending.len() > room {
            self.discard(pending.len() - room);
            pending.truncate(room);
        }
        self.sbdataq.append(pending);
    }

    /// Counts subnegotiation bytes dropped for the limit, with a warning at the first.
    fn discard(&mut self, n: usize) {
        if self.sb_discarded == 0 {
            log::warn!(
                "telnet {}:{}: subnegotiation over {} bytes, discarding the rest up to IAC SE",
                self.host.as_deref().unwrap_or("None"),
                self.port,
                self.subnegotiation_limit
            );
        }
        self.sb_discarded = self.sb_discarded.saturating_add(n);
    }

    /// At `IAC SE`: reports how much of the subnegotiation was over the limit.
    fn end_discard(&mut self) {
        if self.sb_discarded > 0 {
            log::warn!(
                "telnet {}:{}: {} bytes of a subnegotiation over the limit of {} discarded",
                self.host.as_deref().unwrap_or("None"),
                self.port,
                self.sb_discarded,
                self.subnegotiation_limit
            );
            self.sb_discarded = 0;
        }
    }

    /// `rawq_getchar()`: the next byte of the raw queue, reading the socket (blocking) if the
    /// queue is empty.
    ///
    /// # Errors
    ///
    /// [`Error::Eof`] when the queue is empty and the connection has ended; read errors as
    /// [`fill_rawq`](Telnet::fill_rawq).
    pub fn rawq_getchar(&mut self) -> Result<u8> {
        if self.rawq.is_empty() {
            self.fill_rawq()?;
            if self.eof {
                return Err(Error::Eof);
            }
        }
        let c = self.rawq[self.irawq];
        self.irawq += 1;
        if self.irawq >= self.rawq.len() {
            self.rawq.clear();
            self.irawq = 0;
        }
        Ok(c)
    }

    /// `fill_rawq()`: one `recv` of up to 50 bytes into the raw queue; blocks if nothing is
    /// available. Reading nothing (the peer closed) sets `eof`.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] when not connected, [`Error::Timeout`] when the socket's timeout (from
    /// `open`) passes (Python: `TimeoutError`), [`Error::Io`] for other socket errors.
    pub fn fill_rawq(&mut self) -> Result<()> {
        if self.irawq >= self.rawq.len() {
            self.rawq.clear();
            self.irawq = 0;
        }
        let mut buf = [0u8; RECV_SIZE];
        let sock = self.sock_mut()?;
        let n = loop {
            match sock.read(&mut buf) {
                Ok(n) => break n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(Error::from_io(err)),
            }
        };
        let buf = &buf[..n];
        if self.debuglevel > 0 || log::log_enabled!(log::Level::Debug) {
            self.msg(&format!("recv {}", python_bytes_repr(buf)));
        }
        self.eof = n == 0;
        self.rawq.extend_from_slice(buf);
        Ok(())
    }

    /// `sock_avail()`: whether data (or the end of the connection) is waiting on the socket,
    /// without blocking.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] when not connected; an [`Error::Io`] if the socket cannot be polled.
    pub fn sock_avail(&mut self) -> Result<bool> {
        self.select(Some(Duration::ZERO))
    }

    /// `expect(list, timeout)`: reads until one of the patterns matches the cooked data, trying
    /// them in list order (the first pattern that matches anywhere wins, not the earliest
    /// match).
    ///
    /// Returns `(Some(index), Some(match), text)` where `text` is the data up to and including
    /// the match, or — when the timeout passes (`None`: no limit) or the connection ends with
    /// unmatched data — `(None, None, text)` with whatever is cooked (Python's `(-1, None,
    /// text)`). Patterns are [`regex::bytes::Regex`]es or their source (see
    /// [`compile_pattern`](super::compile_pattern) for how source is compiled). As in Python,
    /// a pattern ending in a greedy match, or several patterns matching the same input, give
    /// results that depend on how the data arrived.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a pattern that does not compile; [`Error::Eof`] when the
    /// connection ended and no text was read (Python's `EOFError`); read errors as
    /// [`fill_rawq`](Telnet::fill_rawq).
    pub fn expect<P: ExpectPattern>(
        &mut self,
        list: &[P],
        timeout: Option<Duration>,
    ) -> Result<(Option<usize>, Option<ExpectMatch>, Vec<u8>)> {
        let patterns = list
            .iter()
            .map(ExpectPattern::to_regex)
            .collect::<Result<Vec<_>>>()?;
        let deadline = Deadline::new(timeout);
        let mut timeout = timeout;
        while !self.eof {
            self.process_rawq()?;
            for (i, pattern) in patterns.iter().enumerate() {
                if let Some(caps) = pattern.captures(&self.cookedq) {
                    let found = ExpectMatch::new(pattern, &caps, &self.cookedq);
                    let text = self.take_cooked(found.end());
                    return Ok((Some(i), Some(found), text));
                }
            }
            if let (Some(wait), Some(deadline)) = (timeout, &deadline) {
                let ready = self.select(Some(wait))?;
                let left = deadline.remaining();
                // A negative timeout selects as 0, as Python's selectors do.
                timeout = Some(left.unwrap_or(Duration::ZERO));
                if !ready {
                    if left.is_none() {
                        break;
                    }
                    continue;
                }
            }
            self.fill_rawq()?;
        }
        let text = self.read_very_lazy()?;
        if text.is_empty() && self.eof {
            return Err(Error::Eof);
        }
        Ok((None, None, text))
    }
}

#[cfg(unix)]
impl<S: TelnetSocket + std::os::fd::AsRawFd> Telnet<S> {
    /// `fileno()`: the socket's file descriptor, `None` when not connected (Python raises
    /// `AttributeError` then).
    #[must_use]
    pub fn fileno(&self) -> Option<std::os::fd::RawFd> {
        self.sock.as_ref().map(std::os::fd::AsRawFd::as_raw_fd)
    }
}

#[cfg(windows)]
impl<S: TelnetSocket + std::os::windows::io::AsRawSocket> Telnet<S> {
    /// `fileno()`: the socket's handle, `None` when not connected (Python raises
    /// `AttributeError` then).
    #[must_use]
    pub fn fileno(&self) -> Option<std::os::windows::io::RawSocket> {
        self.sock
            .as_ref()
            .map(std::os::windows::io::AsRawSocket::as_raw_socket)
    }
}

/// `deadline = _time() + timeout`, and `deadline - _time()` with "negative" as `None`.
pub(crate) struct Deadline(Option<Instant>);

impl Deadline {
    /// `None` for no timeout.
    pub(crate) fn new(timeout: Option<Duration>) -> Option<Self> {
        timeout.map(|t| Deadline(Instant::now().checked_add(t)))
    }

    /// The time left, `None` once it has passed. A deadline too far away to represent never
    /// passes.
    pub(crate) fn remaining(&self) -> Option<Duration> {
        match self.0 {
            Some(at) => at.checked_duration_since(Instant::now()),
            None => Some(Duration::from_secs(u64::from(u32::MAX))),
        }
    }
}
