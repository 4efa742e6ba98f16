//! STATUS (RFC 859): `SB STATUS SEND` and `SB STATUS IS <WILL/DO list> <SB … SE>*`.

use crate::protocol::DecodeError;

/// Subcommand IS.
pub const IS: u8 = 0;
/// Subcommand SEND.
pub const SEND: u8 = 1;

/// The option state one side reports in `STATUS IS`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusReport {
    /// Options the sender performs (sent as `WILL option`).
    pub local: Vec<u8>,
    /// Options the sender believes the receiver performs (sent as `DO option`).
    pub remote: Vec<u8>,
    /// Current subnegotiation parameters, as `(option, payload)` (sent as `SB option … SE`).
    pub subnegotiations: Vec<(u8, Vec<u8>)>,
}

/// A decoded STATUS subnegotiation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// The peer asks for our view of the option state.
    Send,
    /// The peer's view of the option state.
    Is(StatusReport),
}

/// Appends `IAC SB STATUS SEND IAC SE`.
pub fn encode_send(out: &mut Vec<u8>) {
    todo!("{out:?}")
}

/// Appends `IAC SB STATUS IS … IAC SE`. Inside the report, data bytes equal to `SE` are doubled
/// (RFC 859) and `IAC` is doubled as in every subnegotiation.
pub fn encode_is(report: &StatusReport, out: &mut Vec<u8>) {
    todo!("{report:?}{out:?}")
}

/// Decodes a STATUS payload.
///
/// # Errors
/// An unknown subcommand or a malformed IS list.
pub fn decode(payload: &[u8]) -> Result<Status, DecodeError> {
    todo!("{payload:?}")
}
