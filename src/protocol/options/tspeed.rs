//! TSPEED, terminal speed (RFC 1079): `SB TSPEED SEND` and `SB TSPEED IS <rx>,<tx>`.

use super::frame;
use crate::protocol::DecodeError;
use crate::telopt::TSPEED;

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
    frame(TSPEED, &[SEND], out);
}

/// Appends `IAC SB TSPEED IS <rx>,<tx> IAC SE`.
pub fn encode_is(rx: u32, tx: u32, out: &mut Vec<u8>) {
    let mut payload = vec![IS];
    payload.extend_from_slice(format!("{rx},{tx}").as_bytes());
    frame(TSPEED, &payload, out);
}

/// Decodes a TSPEED payload.
///
/// # Errors
/// An unknown subcommand or an IS whose value is not two decimal numbers separated by a comma.
pub fn decode(payload: &[u8]) -> Result<Tspeed, DecodeError> {
    match payload.split_first() {
        Some((&IS, value)) => parse_speeds(value),
        // Bytes after SEND carry no meaning; they are ignored.
        Some((&SEND, _)) => Ok(Tspeed::Send),
        Some(_) => Err(DecodeError::new(TSPEED, "unknown subcommand")),
        None => Err(DecodeError::new(TSPEED, "empty payload")),
    }
}

/// Parses `"rx,tx"`, allowing ASCII whitespace around either number.
fn parse_speeds(value: &[u8]) -> Result<Tspeed, DecodeError> {
    let bad = || DecodeError::new(TSPEED, "IS value is not <rx>,<tx>");
    let value = std::str::from_utf8(value).map_err(|_| bad())?;
    let (rx, tx) = value.split_once(',').ok_or_else(bad)?;
    let number = |s: &str| s.trim().parse::<u32>().map_err(|_| bad());
    Ok(Tspeed::Is {
        rx: number(rx)?,
        tx: number(tx)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unframe(wire: &[u8]) -> &[u8] {
        wire.strip_prefix(b"\xff\xfa\x20")
            .and_then(|rest| rest.strip_suffix(b"\xff\xf0"))
            .expect("IAC SB TSPEED ... IAC SE")
    }

    #[test]
    fn encode_wire_bytes() {
        let mut out = Vec::new();
        encode_send(&mut out);
        assert_eq!(out, b"\xff\xfa\x20\x01\xff\xf0");
        out.clear();
        encode_is(38400, 19200, &mut out);
        assert_eq!(out, b"\xff\xfa\x20\x0038400,19200\xff\xf0");
    }

    #[test]
    fn decode_valid() {
        let is = |rx, tx| Ok(Tspeed::Is { rx, tx });
        assert_eq!(decode(b"\x0038400,38400"), is(38400, 38400));
        assert_eq!(decode(b"\x00 9600 , 1200\r\n"), is(9600, 1200));
        assert_eq!(decode(b"\x004294967295,0"), is(u32::MAX, 0));
        assert_eq!(decode(b"\x01"), Ok(Tspeed::Send));
        assert_eq!(decode(b"\x01xyz"), Ok(Tspeed::Send));
    }

    #[test]
    fn decode_errors() {
        let bad = Err(DecodeError::new(TSPEED, "IS value is not <rx>,<tx>"));
        for value in [
            &b"\x00"[..],
            b"\x0038400",
            b"\x0038400,",
            b"\x00,38400",
            b"\x00fast,slow",
            b"\x00-1,9600",
            b"\x004294967296,1",
            b"\x009600,9600,9600",
            b"\x00\xff9600,9600",
        ] {
            assert_eq!(decode(value), bad, "{value:?}");
        }
        assert_eq!(decode(b""), Err(DecodeError::new(TSPEED, "empty payload")));
        assert_eq!(
            decode(b"\x029600,9600"),
            Err(DecodeError::new(TSPEED, "unknown subcommand"))
        );
    }

    #[test]
    fn round_trip() {
        let mut out = Vec::new();
        encode_send(&mut out);
        assert_eq!(decode(unframe(&out)), Ok(Tspeed::Send));
        for (rx, tx) in [(0, 0), (9600, 38400), (u32::MAX, 1)] {
            out.clear();
            encode_is(rx, tx, &mut out);
            assert_eq!(decode(unframe(&out)), Ok(Tspeed::Is { rx, tx }));
        }
    }
}
