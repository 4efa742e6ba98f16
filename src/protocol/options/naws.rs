//! NAWS, Negotiate About Window Size (RFC 1073): `IAC SB NAWS <cols16> <rows16> IAC SE`.

use super::frame;
use crate::protocol::DecodeError;
use crate::telopt::NAWS;

/// Appends the client's window size report.
pub fn encode(cols: u16, rows: u16, out: &mut Vec<u8>) {
    todo!("{cols}{rows}{out:?}{}", NAWS)
}

/// Decodes a window size report into `(cols, rows)`.
///
/// # Errors
/// A payload that is not exactly four bytes.
pub fn decode(payload: &[u8]) -> Result<(u16, u16), DecodeError> {
    let _ = (payload, frame as fn(u8, &[u8], &mut Vec<u8>));
    todo!()
}
