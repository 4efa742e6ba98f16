//! TSPEED, terminal speed (RFC 1079): `SB TSPEED SEND` and `SB TSPEED IS <rx>,<tx>`.

use crate::protocol::DecodeError;

/// Subcommand IS.
pub const IS: u8 = 0;
/// Subcommand SEND.
pub const SEND: u8 = 1;

/// A decoded TSPEED subnegotiation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tspeed {
    /// The client reports its speeds, in the order telnetlib3 uses (`"rx,tx"`).
    Is {
        /// Receive speed (first number).
        rx: u32,
        /// Transmit speed (second number).
        tx: u32,
    },
    /// The server asks for the speeds.
    Send,
}

/// Appends `IAC SB TSPEED SEND IAC SE`.
pub fn encode_send(out: &mut Vec<u8>) {
    todo!("{out:?}")
}

/// Appends `IAC SB TSPEED IS <rx>,<tx> IAC SE`.
pub fn encode_is(rx: u32, tx: u32, out: &mut Vec<u8>) {
    todo!("{rx}{tx}{out:?}")
}

/// Decodes a TSPEED payload.
///
/// # Errors
/// An unknown subcommand or an IS whose value is not two decimal numbers separated by a comma.
pub fn decode(payload: &[u8]) -> Result<Tspeed, DecodeError> {
    todo!("{payload:?}")
}
