//! LFLOW, remote flow control (RFC 1372): `SB LFLOW <OFF|ON|RESTART-ANY|RESTART-XON>`.

use crate::protocol::DecodeError;

/// Flow control off.
pub const OFF: u8 = 0;
/// Flow control on.
pub const ON: u8 = 1;
/// Any character restarts output.
pub const RESTART_ANY: u8 = 2;
/// Only XON restarts output.
pub const RESTART_XON: u8 = 3;

/// A decoded LFLOW subnegotiation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lflow {
    /// Disable local flow control.
    Off,
    /// Enable local flow control.
    On,
    /// Any character restarts output (xon_any).
    RestartAny,
    /// Only XON restarts output.
    RestartXon,
}

/// Appends `IAC SB LFLOW <command> IAC SE`.
pub fn encode(command: Lflow, out: &mut Vec<u8>) {
    todo!("{command:?}{out:?}")
}

/// Decodes an LFLOW payload.
///
/// # Errors
/// A payload that is not one known command byte.
pub fn decode(payload: &[u8]) -> Result<Lflow, DecodeError> {
    todo!("{payload:?}")
}
