//! NAWS, Negotiate About Window Size (RFC 1073): `IAC SB NAWS <cols16> <rows16> IAC SE`.

use super::frame;
use crate::protocol::DecodeError;
use crate::telopt::NAWS;

/// Appends the client's window size report.
pub fn encode(cols: u16, rows: u16, out: &mut Vec<u8>) {
    let [c0, c1] = cols.to_be_bytes();
    let [r0, r1] = rows.to_be_bytes();
    frame(NAWS, &[c0, c1, r0, r1], out);
}

/// Decodes a window size report into `(cols, rows)`.
///
/// # Errors
/// A payload that is not exactly four bytes.
pub fn decode(payload: &[u8]) -> Result<(u16, u16), DecodeError> {
    match *payload {
        [c0, c1, r0, r1] => Ok((u16::from_be_bytes([c0, c1]), u16::from_be_bytes([r0, r1]))),
        _ => Err(DecodeError::new(NAWS, "payload is not four bytes")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telopt::{IAC, SB, SE};

    fn unframe(wire: &[u8]) -> Vec<u8> {
        assert_eq!(wire[..3], [IAC, SB, NAWS]);
        assert_eq!(wire[wire.len() - 2..], [IAC, SE]);
        let mut payload = Vec::new();
        let mut bytes = wire[3..wire.len() - 2].iter();
        while let Some(&b) = bytes.next() {
            if b == IAC {
                assert_eq!(bytes.next(), Some(&IAC), "lone IAC in frame");
            }
            payload.push(b);
        }
        payload
    }

    fn encoded(cols: u16, rows: u16) -> Vec<u8> {
        let mut out = Vec::new();
        encode(cols, rows, &mut out);
        out
    }

    #[test]
    fn encode_wire_bytes() {
        assert_eq!(encoded(80, 24), b"\xff\xfa\x1f\x00\x50\x00\x18\xff\xf0");
        assert_eq!(
            encoded(255, 24),
            b"\xff\xfa\x1f\x00\xff\xff\x00\x18\xff\xf0"
        );
        assert_eq!(
            encoded(0xffff, 0x01ff),
            b"\xff\xfa\x1f\xff\xff\xff\xff\x01\xff\xff\xff\xf0"
        );
    }

    #[test]
    fn encode_appends() {
        let mut out = vec![b'x'];
        encode(1, 2, &mut out);
        assert_eq!(out, b"x\xff\xfa\x1f\x00\x01\x00\x02\xff\xf0");
    }

    #[test]
    fn decode_valid() {
        assert_eq!(decode(&[0, 80, 0, 24]), Ok((80, 24)));
        assert_eq!(decode(&[0x01, 0x00, 0xff, 0xff]), Ok((256, 65535)));
    }

    #[test]
    fn decode_wrong_length() {
        for payload in [&b""[..], b"\x00", b"\x00\x50\x00", b"\x00\x50\x00\x18\x00"] {
            let err = decode(payload).unwrap_err();
            assert_eq!(err.option, NAWS);
        }
    }

    #[test]
    fn round_trip() {
        for (cols, rows) in [(0, 0), (80, 24), (255, 255), (65535, 1), (0xff00, 0x00ff)] {
            assert_eq!(decode(&unframe(&encoded(cols, rows))), Ok((cols, rows)));
        }
    }
}
