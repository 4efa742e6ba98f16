//! SNDLOC, send location (RFC 779): `SB SNDLOC <location text>` with no subcommand byte.

use super::{frame, text};
use crate::protocol::DecodeError;
use crate::telopt::SNDLOC;

/// Appends `IAC SB SNDLOC <location> IAC SE`.
pub fn encode(location: &str, out: &mut Vec<u8>) {
    frame(SNDLOC, location.as_bytes(), out);
}

/// Decodes a SNDLOC payload (the location text).
///
/// # Errors
/// Never for now; kept fallible like every decoder.
pub fn decode(payload: &[u8]) -> Result<String, DecodeError> {
    Ok(text(payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(location: &str) -> Vec<u8> {
        let mut out = Vec::new();
        encode(location, &mut out);
        out
    }

    #[test]
    fn encode_wire_bytes() {
        assert_eq!(encoded("Room 101"), b"\xff\xfa\x17Room 101\xff\xf0");
        assert_eq!(encoded(""), b"\xff\xfa\x17\xff\xf0");
    }

    #[test]
    fn decode_valid() {
        assert_eq!(decode(b"Building 4"), Ok("Building 4".into()));
        assert_eq!(decode(b""), Ok(String::new()));
        assert_eq!(decode(b"\x80x"), Ok("\u{fffd}x".into()));
    }

    #[test]
    fn round_trip() {
        for location in ["", "Room 101", "Zürich"] {
            let wire = encoded(location);
            let payload = wire
                .strip_prefix(b"\xff\xfa\x17")
                .and_then(|rest| rest.strip_suffix(b"\xff\xf0"))
                .expect("IAC SB SNDLOC ... IAC SE");
            assert_eq!(decode(payload), Ok(location.into()));
        }
    }
}
