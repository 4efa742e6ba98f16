//! The sans-IO telnet protocol core: no sockets, threads or clocks.
//!
//! - [`parser`]: the split-safe IAC tokenizer (bytes → [`Token`]s).
//! - [`qmethod`]: RFC 1143 option state for both sides of all 256 options.
//! - [`negotiator`]: parser + option state + telnetlib3's server or client policy
//!   ([`Negotiator`]): bytes in, [`Event`]s and reply bytes out.
//! - [`options`]: one codec per subnegotiation, both directions.
//! - [`mccp`]: MCCP2/MCCP3 compressed streams (bounded inflate, flushed deflate).
//! - [`mud`]: the MUD protocols' payloads (GMCP, MSDP, MSSP, ZMP, ATCP, Aardwolf).
//!
//! Nothing here can be made to panic or to grow without bound by what a peer sends: every
//! buffer has a limit, and oddities become [`Warning`]s.

mod error;
pub mod mud;
pub mod options;

pub use error::{DecodeError, ProtocolError, Warning};
pub mod parser;
pub use parser::{Parser, Token, DEFAULT_SUBNEGOTIATION_LIMIT};
pub mod qmethod;
pub use qmethod::{OptionTable, Outcome, Side, Q};
mod event;
pub mod mccp;
pub mod negotiator;
pub mod nvt;
pub use event::Event;
pub use negotiator::{
    is_mud_client, ClientPolicy, Mode, Negotiator, OptionState, PeerInfo, Receive, Role,
    ServerPolicy,
};
