//! The sans-IO telnet protocol core.

mod error;
pub mod options;

pub use error::{DecodeError, ProtocolError, Warning};
mod parser;
pub use parser::{Parser, Token, DEFAULT_SUBNEGOTIATION_LIMIT};
mod qmethod;
pub use qmethod::{OptionTable, Outcome, Side, Q};
mod event;
mod negotiator;
pub use event::Event;
pub use negotiator::{
    is_mud_client, ClientPolicy, Mode, Negotiator, OptionState, PeerInfo, Receive, Role,
    ServerPolicy,
};
