//! TTYPE, terminal type (RFC 1091): `SB TTYPE SEND` and `SB TTYPE IS <name>`.

use crate::protocol::DecodeError;

/// Subcommand IS.
pub const IS: u8 = 0;
/// Subcommand SEND.
pub const SEND: u8 = 1;

/// A decoded TTYPE subnegotiation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ttype {
    /// The client names its terminal.
    Is(String),
    /// The server asks for the (next) terminal name.
    Send,
}

/// Appends `IAC SB TTYPE SEND IAC SE`.
pub fn encode_send(out: &mut Vec<u8>) {
    todo!("{out:?}")
}

/// Appends `IAC SB TTYPE IS <name> IAC SE`.
pub fn encode_is(name: &str, out: &mut Vec<u8>) {
    todo!("{name}{out:?}")
}

/// Decodes a TTYPE payload.
///
/// # Errors
/// An empty payload or an unknown subcommand.
pub fn decode(payload: &[u8]) -> Result<Ttype, DecodeError> {
    todo!("{payload:?}")
}
