//! ZMP (option 93): a command and its arguments, each ended by NUL.

use super::decode_text;
use crate::encoding::Codec;

/// Appends the ZMP payload for `command` and `args` to `out`: each one followed by NUL.
pub fn encode<S: AsRef<str>>(command: &str, args: &[S], out: &mut Vec<u8>) {
    out.extend_from_slice(command.as_bytes());
    out.push(0);
    for arg in args {
        out.extend_from_slice(arg.as_ref().as_bytes());
        out.push(0);
    }
}

/// Decodes a ZMP payload into the command followed by its arguments: the NUL-separated parts,
/// without the empty one after a final NUL. An empty payload gives no parts.
#[must_use]
pub fn decode(buf: &[u8], codec: Codec) -> Vec<String> {
    if buf.is_empty() {
        return Vec::new();
    }
    let buf = buf.strip_suffix(b"\0").unwrap_or(buf);
    buf.split(|&b| b == 0)
        .map(|part| decode_text(part, codec))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors() {
        let mut out = Vec::new();
        encode("zmp.ident", &["telnetlib3", "1.0"], &mut out);
        assert_eq!(out, b"zmp.ident\0telnetlib3\x001.0\0");
        let u = Codec::utf8();
        assert_eq!(decode(&out, u), ["zmp.ident", "telnetlib3", "1.0"]);
        assert_eq!(decode(b"zmp.ping", u), ["zmp.ping"]);
        assert_eq!(decode(b"\0", u), [""]);
        assert_eq!(decode(b"a\0\0", u), ["a", ""]);
        assert!(decode(b"", u).is_empty());
    }
}
