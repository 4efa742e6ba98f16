//! # telnetlib3
//!
//! Telnet for Rust, after Python's telnetlib3: full option negotiation (RFC 854 and the options
//! that followed it, RFC 1143 option state, LINEMODE, NEW_ENVIRON, CHARSET, the MUD options)
//! in a sans-IO core that never blocks, never panics on what a peer sends, and keeps every buffer
//! bounded.
//!
//! - [`telopt`]: command bytes and option codes, with name lookups for logs and configuration.
//! - [`protocol`]: the core. A [`Negotiator`](protocol::Negotiator) takes the bytes a peer sent
//!   and gives back [`Event`](protocol::Event)s (data, commands, option changes, window size,
//!   terminal type, …) and the bytes to answer with, following telnetlib3's server or client
//!   policy.
//! - [`retro`]: PETSCII and ATASCII terminals on an ANSI one, and SyncTERM font selection, for
//!   BBS clients.
//!
//! ## Quick start: a server's negotiation, without sockets
//!
//! ```
//! use telnetlib3::protocol::{Event, Negotiator, ServerPolicy, Side};
//! use telnetlib3::telopt::{self, NAWS, TTYPE};
//!
//! let mut server = Negotiator::server(ServerPolicy::default());
//! // What to send on connect:
//! assert_eq!(telopt::describe_bytes(&server.take_transmit()), "IAC DO TTYPE");
//!
//! // The client agrees to TTYPE, says its window is 80x24, and types "hi".
//! let input = telopt::parse_wire("WILL TTYPE | WILL NAWS | SB NAWS 00 50 00 18 | 'hi'")?;
//! let mut typed = Vec::new();
//! for event in server.receive(&input) {
//!     match event {
//!         Event::Data(data) => typed.extend_from_slice(&data),
//!         Event::WindowSize { cols, rows } => assert_eq!((cols, rows), (80, 24)),
//!         _ => {}
//!     }
//! }
//! assert_eq!(typed, b"hi");
//! assert!(server.enabled(Side::Remote, NAWS) && server.enabled(Side::Remote, TTYPE));
//! // The replies: ask for the terminal type, then the options telnetlib3 offers (the DO NAWS
//! // among them is answered by the client's WILL NAWS that follows, so nothing is sent twice).
//! assert_eq!(
//!     telopt::describe_bytes(&server.take_transmit()),
//!     "IAC SB TTYPE 01 IAC SE IAC WILL SGA IAC WILL BINARY IAC DO NAWS IAC DO CHARSET"
//! );
//! # Ok::<(), String>(())
//! ```
#![deny(missing_docs, missing_debug_implementations)]
// Denied everywhere; `sys`, the one module that talks to libc, allows it.
#![deny(unsafe_code)]

#[macro_use]
mod macros;
pub mod client;
pub mod connection;
pub mod encoding;
mod engine;
mod error;
pub mod legacy;
pub mod protocol;
pub mod retro;
pub mod server;
pub mod shell;
mod sys;
pub mod telopt;
pub mod transport;

pub use client::{ConnectOptions, NegotiationState, TelnetConnection, WaitFor};
pub use engine::hexdump;
pub use error::{ConfigError, Error, LimitError, Partial, Result};
pub use server::{BlockingTelnetServer, ServerConnection, ServerOptions};
pub use sys::pty;
pub use sys::signal as signals;
pub use sys::tty;
