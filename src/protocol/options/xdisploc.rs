//! XDISPLOC, X display location (RFC 1096): `SB XDISPLOC SEND` and `SB XDISPLOC IS <host:display>`.

use super::{frame, text};
use crate::protocol::DecodeError;
use crate::telopt::XDISPLOC;

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
    frame(XDISPLOC, &[SEND], out);
}

/// Appends `IAC SB XDISPLOC IS <display> IAC SE`.
pub fn encode_is(display: &str, out: &mut Vec<u8>) {
    let mut payload = Vec::with_capacity(display.len() + 1);
    payload.push(IS);
    payload.extend_from_slice(display.as_bytes());
    frame(XDISPLOC, &payload, out);
}

/// Decodes an XDISPLOC payload.
///
/// # Errors
/// An empty payload or an unknown subcommand.
pub fn decode(payload: &[u8]) -> Result<Xdisploc, DecodeError> {
    match payload.split_first() {
        Some((&IS, display)) => Ok(Xdisploc::Is(text(display))),
        // Bytes after SEND carry no meaning; they are ignored.
        Some((&SEND, _)) => Ok(Xdisploc::Send),
        Some(_) => Err(DecodeError::new(XDISPLOC, "unknown subcommand")),
        None => Err(DecodeError::new(XDISPLOC, "empty payload")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unframe(wire: &[u8]) -> &[u8] {
        wire.strip_prefix(b"\xff\xfa\x23")
            .and_then(|rest| rest.strip_suffix(b"\xff\xf0"))
            .expect("IAC SB XDISPLOC ... IAC SE")
    }

    #[test]
    fn encode_wire_bytes() {
        let mut out = Vec::new();
        encode_send(&mut out);
        assert_eq!(out, b"\xff\xfa\x23\x01\xff\xf0");
        out.clear();
        encode_is("host:0.0", &mut out);
        assert_eq!(out, b"\xff\xfa\x23\x00host:0.0\xff\xf0");
    }

    #[test]
    fn decode_valid() {
        assert_eq!(decode(b"\x00:0"), Ok(Xdisploc::Is(":0".into())));
        assert_eq!(decode(b"\x00"), Ok(Xdisploc::Is(String::new())));
        assert_eq!(decode(b"\x01"), Ok(Xdisploc::Send));
        assert_eq!(decode(b"\x01\x00"), Ok(Xdisploc::Send));
    }

    #[test]
    fn decode_errors() {
        assert_eq!(
            decode(b""),
            Err(DecodeError::new(XDISPLOC, "empty payload"))
        );
        assert_eq!(
            decode(b"\x05:0"),
            Err(DecodeError::new(XDISPLOC, "unknown subcommand"))
        );
    }

    #[test]
    fn round_trip() {
        let mut out = Vec::new();
        encode_send(&mut out);
        assert_eq!(decode(unframe(&out)), Ok(Xdisploc::Send));
        for display in ["", ":0", "host.example:10.0"] {
            out.clear();
            encode_is(display, &mut out);
            assert_eq!(decode(unframe(&out)), Ok(Xdisploc::Is(display.into())));
        }
    }
}
