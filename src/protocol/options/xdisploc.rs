//! XDISPLOC, X display location (RFC 1096): `SB XDISPLOC SEND` and `SB XDISPLOC IS <host:display>`.

use crate::protocol::DecodeError;

/// Subcommand IS.
pub const IS: u8 = 0;
/// Subcommand SEND.
pub const SEND: u8 = 1;

/// A decoded XDISPLOC subnegotiation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Xdisploc {
    /// The client reports its display, such as `"host:0.0"`.
    Is(String),
    /// The server asks for it.
    Send,
}

/// Appends `IAC SB XDISPLOC SEND IAC SE`.
pub fn encode_send(out: &mut Vec<u8>) {
    todo!("{out:?}")
}

/// Appends `IAC SB XDISPLOC IS <display> IAC SE`.
pub fn encode_is(display: &str, out: &mut Vec<u8>) {
    todo!("{display}{out:?}")
}

/// Decodes an XDISPLOC payload.
///
/// # Errors
/// An empty payload or an unknown subcommand.
pub fn decode(payload: &[u8]) -> Result<Xdisploc, DecodeError> {
    todo!("{payload:?}")
}
