//! Subnegotiation codecs, one module per option, both directions.
//!
//! Decoders take the payload between `IAC SB <option>` and `IAC SE`, already unescaped (the
//! parser turns `IAC IAC` into one `0xFF`). Encoders append a whole frame, `IAC SB <option> …
//! IAC SE`, to `out`, doubling every `0xFF` in the payload.

pub mod charset;
pub mod environ;
pub mod lflow;
pub mod linemode;
pub mod naws;
pub mod sndloc;
pub mod status;
pub mod tspeed;
pub mod ttype;
pub mod xdisploc;

use crate::telopt::{IAC, SB, SE};

/// Appends `IAC SB option <payload, IAC doubled> IAC SE` to `out`.
///
/// ```
/// let mut out = Vec::new();
/// telnetlib3::protocol::options::frame(31, &[0, 0xff, 0, 24], &mut out);
/// assert_eq!(out, b"\xff\xfa\x1f\x00\xff\xff\x00\x18\xff\xf0");
/// ```
pub fn frame(option: u8, payload: &[u8], out: &mut Vec<u8>) {
    out.reserve(payload.len() + 6);
    out.extend_from_slice(&[IAC, SB, option]);
    escape_into(payload, out);
    out.extend_from_slice(&[IAC, SE]);
}

/// Appends `bytes` to `out` with every `0xFF` doubled.
pub fn escape_into(bytes: &[u8], out: &mut Vec<u8>) {
    let mut rest = bytes;
    while let Some(i) = memchr::memchr(IAC, rest) {
        out.extend_from_slice(&rest[..=i]);
        out.push(IAC);
        rest = &rest[i + 1..];
    }
    out.extend_from_slice(rest);
}

/// Text from a subnegotiation payload: ASCII as is, anything else replaced (U+FFFD).
#[must_use]
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_escapes_iac() {
        let mut out = Vec::new();
        frame(24, &[0, b'x', 0xff], &mut out);
        assert_eq!(out, [IAC, SB, 24, 0, b'x', 0xff, 0xff, IAC, SE]);
    }
}
