//! SNDLOC, send location (RFC 779): `SB SNDLOC <location text>` with no subcommand byte.

use crate::protocol::DecodeError;

/// Appends `IAC SB SNDLOC <location> IAC SE`.
pub fn encode(location: &str, out: &mut Vec<u8>) {
    todo!("{location}{out:?}")
}

/// Decodes a SNDLOC payload (the location text).
///
/// # Errors
/// Never for now; kept fallible like every decoder.
pub fn decode(payload: &[u8]) -> Result<String, DecodeError> {
    todo!("{payload:?}")
}
