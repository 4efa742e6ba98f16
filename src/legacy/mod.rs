//! A drop-in for Python's removed `telnetlib`.
//!
//! [`Telnet`] is CPython 3.12's `telnetlib.Telnet` (removed in 3.13, PEP 594) in Rust: the same
//! methods, the same queues (`rawq`, `cookedq`, `sbdataq`), the same byte-for-byte processing
//! and the same answers on the wire, so that scripts written against telnetlib keep working
//! when ported, quirks included. For new code, the rest of this crate is the better client;
//! this module is for migrating.
//!
//! ```no_run
//! use std::time::Duration;
//! use telnetlib3::legacy::Telnet;
//!
//! # fn main() -> telnetlib3::Result<()> {
//! let mut tn = Telnet::connect("192.0.2.7", 0, Some(Duration::from_secs(10)))?;
//! tn.read_until(b"login: ", Some(Duration::from_secs(5)))?;
//! tn.write(b"admin\n")?;
//! let (index, _, text) = tn.expect(&[r"\$ ", r"# "], Some(Duration::from_secs(5)))?;
//! println!("prompt {index:?} after {}", String::from_utf8_lossy(&text));
//! tn.write(b"exit\n")?;
//! print!("{}", String::from_utf8_lossy(&tn.read_all()?));
//! # Ok(())
//! # }
//! ```
//!
//! # Migrating from Python
//!
//! | Python `telnetlib` | Rust `telnetlib3::legacy` |
//! |---|---|
//! | `Telnet()` | [`Telnet::new()`](Telnet::new) |
//! | `Telnet(host, port=0, timeout=t)` | [`Telnet::connect(host, port, Some(t))`](Telnet::connect) (port 0 → 23) |
//! | `Telnet(host)` (no timeout) | `Telnet::connect(host, 0, None)` |
//! | `tn.open(host, port, timeout)` | [`tn.open(host, port, timeout)`](Telnet::open) |
//! | `with Telnet(...) as tn:` | a scope: dropping the `Telnet` closes it |
//! | `tn.read_until(b"x", timeout=t)` | [`tn.read_until(b"x", Some(t))?`](Telnet::read_until) |
//! | `tn.read_all()` / `read_some()` | [`read_all()?`](Telnet::read_all) / [`read_some()?`](Telnet::read_some) |
//! | `read_very_eager()` / `read_eager()` | [`read_very_eager()?`](Telnet::read_very_eager) / [`read_eager()?`](Telnet::read_eager) |
//! | `read_lazy()` / `read_very_lazy()` | [`read_lazy()?`](Telnet::read_lazy) / [`read_very_lazy()?`](Telnet::read_very_lazy) |
//! | `read_sb_data()` | [`read_sb_data()`](Telnet::read_sb_data) (cannot fail) |
//! | `except EOFError:` | `Err(Error::Eof)` ([`Error::Eof`](crate::Error::Eof)) |
//! | `except OSError:` / `socket.timeout` | `Err(Error::Io(_))` / `Err(Error::Timeout)` |
//! | `tn.expect([b"a", re.compile(b"b")], t)` | [`tn.expect(&[regex_a, regex_b], Some(t))?`](Telnet::expect) (one pattern type per call: source text, bytes or compiled [`Regex`]) |
//! | `(-1, None, text)` from `expect` | `(None, None, text)` |
//! | `(i, m, text)`, `m.group(1)` | `(Some(i), Some(m), text)`, [`m.group(1)`](ExpectMatch::group) |
//! | `tn.write(b"ls\n")` | [`tn.write(b"ls\n")?`](Telnet::write) (doubles `IAC`) |
//! | `tn.set_option_negotiation_callback(cb)` | [`tn.set_option_negotiation_callback(Some(negotiation_callback(cb)))`](Telnet::set_option_negotiation_callback) |
//! | `def cb(sock, cmd, opt): sock.sendall(...)` | <code>\|ctx, cmd, opt\| { ctx.sendall(...); }</code> (`cmd`, `opt`: `u8`; `opt` is [`NOOPT`] for bare commands) |
//! | `tn.read_sb_data()` inside the callback | [`ctx.read_sb_data()`](OptionContext::read_sb_data) |
//! | `cmd == DO`, `opt == ECHO` (`bytes` of length 1) | `cmd == DO`, `opt == ECHO` (`u8` constants of this module) |
//! | `process_rawq()`, `rawq_getchar()`, `fill_rawq()`, `sock_avail()` | the same names, returning `Result` |
//! | `tn.interact()` / `tn.mt_interact()` / `tn.listener()` | [`interact()`](Telnet::interact) / [`mt_interact()`](Telnet::mt_interact) / [`listener()`](Telnet::listener) |
//! | `tn.close()` | [`tn.close()`](Telnet::close) |
//! | `tn.get_socket()` / `tn.sock` | [`get_socket()`](Telnet::get_socket) → `Option<&TcpStream>` (and [`get_socket_mut()`](Telnet::get_socket_mut)) |
//! | `tn.fileno()` | [`fileno()`](Telnet::fileno) → `Option<RawFd>` |
//! | `tn.set_debuglevel(1)`, `tn.msg("x %s", y)` | [`set_debuglevel(1)`](Telnet::set_debuglevel), [`msg(&format!("x {y}"))`](Telnet::msg) |
//! | `tn.eof`, `tn.cookedq`, `tn.rawq`, `tn.sbdataq`, `tn.host`, … | [`eof()`](Telnet::eof), [`cookedq()`](Telnet::cookedq), [`rawq()`](Telnet::rawq), [`sbdataq()`](Telnet::sbdataq), [`host()`](Telnet::host), … (read-only) |
//! | `telnetlib.IAC`, `telnetlib.ECHO`, …, `NOOPT`, `TELNET_PORT` | [`IAC`], [`ECHO`], …, [`NOOPT`], [`TELNET_PORT`] (`u8`, `u16`) |
//! | mocking `socket.create_connection` in tests | [`Telnet::connect_with`] and your own [`TelnetSocket`] |
//!
//! # How it works, and where it differs
//!
//! Incoming bytes go through a direct port of telnetlib's `process_rawq` state machine rather
//! than this crate's [`Parser`](crate::protocol::Parser): telnetlib's quirks are part of its
//! behaviour and scripts depend on them. So, exactly as in Python: NUL and `\x11` are dropped
//! from the data (inside subnegotiations too); the option byte of a subnegotiation is part of
//! the `sbdataq` data; `IAC IAC` inside `SB` is a 0xFF of the subnegotiation data; a command
//! other than `SE` inside a subnegotiation is handled as outside one; the callback sees `SB`,
//! `SE` and every other two-byte command with [`NOOPT`]; without a callback, `DO`/`DONT` x is
//! answered `WONT` x and `WILL`/`WONT` x is answered `DONT` x, every time (no state is kept);
//! `recv` reads 50 bytes at a time, and an incomplete IAC sequence waits for the next read.
//! Reads block forever unless a timeout is given or the socket has one (from `open`).
//!
//! The differences, each for a reason:
//!
//! - **Errors are `Result`s.** `EOFError` is [`Error::Eof`](crate::Error::Eof); socket
//!   errors are [`Error::Io`](crate::Error::Io), and a socket timeout (Python's
//!   `TimeoutError`) is [`Error::Timeout`](crate::Error::Timeout); a call on a `Telnet` that is
//!   not connected (Python: `AttributeError` on `None`) is
//!   [`Error::Closed`](crate::Error::Closed); an `expect` pattern that does not compile
//!   (Python: `re.error`) is [`Error::Config`](crate::Error::Config).
//! - **`-1` is `None`.** `expect` returns `(None, None, text)` where Python returns
//!   `(-1, None, text)`, and the match is an [`ExpectMatch`] with owned copies of the groups.
//! - **Regular expressions are the `regex` crate's**, compiled as Python bytes patterns would be
//!   (Unicode off; see [`compile_pattern`]). The syntax differs where the crates differ: no
//!   backreferences or look-around, `\z` instead of `\Z`, and `$` only matches at the very end
//!   (Python's also matches before a final newline). The search semantics (leftmost-first, the
//!   first pattern of the list that matches wins) are the same. A list holds one pattern type
//!   (Python mixes strings and compiled patterns); compile them all to [`Regex`] to mix.
//! - **No default socket timeout.** Python's `timeout` argument defaults to the socket module's
//!   global default (`socket.setdefaulttimeout`); Rust has no such global, so not giving a
//!   timeout is `None`: blocking, which is also Python's default unless a program changed it.
//!   A zero timeout fails to connect ([`Error::Io`](crate::Error::Io), `InvalidInput`: std
//!   rejects a zero connect timeout); in Python it makes a non-blocking socket, whose connect
//!   fails as well (`BlockingIOError`) in practice.
//! - **The callback cannot reach the `Telnet`.** Python's callback typically calls
//!   `tn.read_sb_data()` on the `Telnet` that is calling it; Rust's borrow rules forbid that,
//!   so the callback gets an [`OptionContext`] holding both the socket and the subnegotiation
//!   queue. The callback returns nothing: if it wants to report an error, it must do so itself
//!   (a Python callback's exception would propagate out of the read call).
//! - **The subnegotiation queue is bounded.** Python's `sbdataq` grows for as long as a peer
//!   sends data after `IAC SB` without `IAC SE`; here it holds at most
//!   [`Telnet::subnegotiation_limit`] bytes ([`DEFAULT_SUBNEGOTIATION_LIMIT`], 64 KiB, unless
//!   changed with [`Telnet::set_subnegotiation_limit`]), the option byte included. Past it, the
//!   rest of that subnegotiation is discarded up to `IAC SE`, with a warning logged (`log`
//!   crate); the data before and after it, and the commands inside it, are processed as usual.
//! - **A failed refusal keeps the data.** If sending a `WONT`/`DONT` fails in the middle of
//!   `process_rawq`, Python's exception discards the data cooked earlier in that call; here it
//!   is kept in the queues and the error is returned.
//! - **`interact()` sends stdin as it is read**, a chunk at a time (a line at a time from a
//!   terminal), where Python waits for each whole line with `readline()`; like Python, it waits
//!   on the socket and stdin together on one thread (poll(2) for Python's selector), also on
//!   platforms where Python falls back to `mt_interact()`. Bytes from the connection are
//!   written to stdout as they are (Python decodes them as ASCII and raises on anything else).
//!   `mt_interact()` is the same loop: Python's version leaves a listener thread reading the
//!   socket after it returns, which Rust's ownership does not allow (and which nobody wants).
//!   `listener()` waits for data instead of spinning on `read_eager()`.
//!   [`Telnet::interact_with`] runs the loop on any input (read on a thread of its own) and
//!   output.
//! - **Ports are `u16`** (Python accepts service strings through `socket.getservbyname` in
//!   the module's `test()` only, and any object as the `port` it prints).
//! - **No `sys.audit` events** (`telnetlib.Telnet.open`, `telnetlib.Telnet.write`): Rust has no
//!   audit hooks. Debug messages ([`Telnet::msg`]) are printed as Python prints them
//!   (`Telnet(host,port): recv b'...'`, with Python's `repr` of bytes), and also logged with
//!   the `log` crate at debug level; [`Telnet::set_debug_output`] redirects them.
//! - **The socket is generic.** `Telnet<S = TcpStream>` runs over any [`TelnetSocket`]; this is
//!   how the ported test suite supplies its scripted socket, where Python's tests patch
//!   `socket.create_connection` and the selector class.
//! - **Closing.** `close()` and dropping the `Telnet` (Python's `__del__`/`__exit__`) drop the
//!   socket, which closes it. The queues survive `close()` as in Python, so cooked data can
//!   still be read, then [`Error::Eof`](crate::Error::Eof).
//!
//! [`Regex`]: regex::bytes::Regex

#![deny(missing_docs)]

mod callback;
mod expect;
mod interact;
mod socket;
mod telnet;

pub use callback::{negotiation_callback, OptionCallback, OptionContext};
pub use expect::{compile_pattern, ExpectMatch, ExpectPattern};
pub use socket::{create_connection, TelnetSocket};
pub use telnet::Telnet;

/// The `regex` crate's byte regular expressions, which [`Telnet::expect`] takes.
pub use regex::bytes::Regex;

/// The initial debug level of a new [`Telnet`] (telnetlib's tunable `DEBUGLEVEL`).
pub const DEBUGLEVEL: u32 = 0;

/// The initial bound of a new [`Telnet`]'s subnegotiation queue, in bytes: 64 KiB (see
/// [`Telnet::set_subnegotiation_limit`]).
pub const DEFAULT_SUBNEGOTIATION_LIMIT: usize = 64 * 1024;

/// The default telnet port, used when `open` is given port 0.
pub const TELNET_PORT: u16 = 23;

/// The NUL byte, which telnetlib drops from the data (`theNULL`, named as in telnetlib).
#[allow(non_upper_case_globals)]
pub const theNULL: u8 = 0;

/// Start TLS (option 46), under telnetlib's name (`START_TLS` in [`crate::telopt`]).
pub const TLS: u8 = crate::telopt::START_TLS;

// Telnet commands, as telnetlib exports them.
pub use crate::telopt::{AO, AYT, BRK, DM, DO, DONT, EC, EL, GA, IAC, IP, NOP, SB, SE, WILL, WONT};

// Telnet options, as telnetlib exports them (arpa/telnet.h, then IANA's list).
pub use crate::telopt::{
    AUTHENTICATION, BINARY, BM, CHARSET, COM_PORT_OPTION, DET, ECHO, ENCRYPT, EOR, EXOPL,
    FORWARD_X, KERMIT, LFLOW, LINEMODE, LOGOUT, NAMS, NAOCRD, NAOFFD, NAOHTD, NAOHTS, NAOL, NAOLFD,
    NAOP, NAOVTD, NAOVTS, NAWS, NEW_ENVIRON, NOOPT, OLD_ENVIRON, OUTMRK, PRAGMA_HEARTBEAT,
    PRAGMA_LOGON, RCP, RCTE, RSP, SEND_URL, SGA, SNDLOC, SSPI_LOGON, STATUS, SUPDUP, SUPDUPOUTPUT,
    SUPPRESS_LOCAL_ECHO, TM, TN3270E, TSPEED, TTYLOC, TTYPE, TUID, VT3270REGIME, X3PAD, XASCII,
    XAUTH, XDISPLOC,
};

#[cfg(test)]
mod tests;
