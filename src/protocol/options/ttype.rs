//! TTYPE, terminal type (RFC 1091): `SB TTYPE SEND` and `SB TTYPE IS <name>`.

use super::{frame, text};
use crate::protocol::DecodeError;
use crate::telopt::TTYPE;

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
    frame(TTYPE, &[SEND], out);
}

/// Appends `IAC SB TTYPE IS <name> IAC SE`.
pub fn encode_is(name: &str, out: &mut Vec<u8>) {
    let mut payload = Vec::with_capacity(name.len() + 1);
    payload.push(IS);
    payload.extend_from_slice(name.as_bytes());
    frame(TTYPE, &payload, out);
}

/// Decodes a TTYPE payload.
///
/// # Errors
/// An empty payload or an unknown subcommand.
pub fn decode(payload: &[u8]) -> Result<Ttype, DecodeError> {
    match payload.split_first() {
        Some((&IS, name)) => Ok(Ttype::Is(text(name))),
        // Bytes after SEND carry no meaning; they are ignored.
        Some((&SEND, _)) => Ok(Ttype::Send),
        Some(_) => Err(DecodeError::new(TTYPE, "unknown subcommand")),
        None => Err(DecodeError::new(TTYPE, "empty payload")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unframe(wire: &[u8]) -> &[u8] {
        wire.strip_prefix(b"\xff\xfa\x18")
            .and_then(|rest| rest.strip_suffix(b"\xff\xf0"))
            .expect("IAC SB TTYPE ... IAC SE")
    }

    #[test]
    fn encode_wire_bytes() {
        let mut out = Vec::new();
        encode_send(&mut out);
        assert_eq!(out, b"\xff\xfa\x18\x01\xff\xf0");
        out.clear();
        encode_is("xterm-256color", &mut out);
        assert_eq!(out, b"\xff\xfa\x18\x00xterm-256color\xff\xf0");
    }

    #[test]
    fn decode_valid() {
        assert_eq!(decode(b"\x00VT100"), Ok(Ttype::Is("VT100".into())));
        assert_eq!(decode(b"\x00"), Ok(Ttype::Is(String::new())));
        assert_eq!(decode(b"\x00ab\xfe"), Ok(Ttype::Is("ab\u{fffd}".into())));
        assert_eq!(decode(b"\x01"), Ok(Ttype::Send));
        assert_eq!(decode(b"\x01junk"), Ok(Ttype::Send));
    }

    #[test]
    fn decode_errors() {
        assert_eq!(decode(b""), Err(DecodeError::new(TTYPE, "empty payload")));
        assert_eq!(
            decode(b"\x02xterm"),
            Err(DecodeError::new(TTYPE, "unknown subcommand"))
        );
    }

    #[test]
    fn round_trip() {
        let mut out = Vec::new();
        encode_send(&mut out);
        assert_eq!(decode(unframe(&out)), Ok(Ttype::Send));
        for name in ["", "ANSI", "xterm-256color", "tërm"] {
            out.clear();
            encode_is(name, &mut out);
            assert_eq!(decode(unframe(&out)), Ok(Ttype::Is(name.into())));
        }
    }
}
