//! ATCP (option 200): `Package.Name`, then optionally a space and a value.

use super::decode_text;
use crate::encoding::Codec;

/// Appends the ATCP payload to `out`: the package, and the value after a space unless it is
/// empty.
pub fn encode(package: &str, value: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(package.as_bytes());
    if !value.is_empty() {
        out.push(b' ');
        out.extend_from_slice(value.as_bytes());
    }
}

/// Decodes an ATCP payload into its package and value, split at the first space (the value
/// empty when there is none).
#[must_use]
pub fn decode(buf: &[u8], codec: Codec) -> (String, String) {
    match buf.iter().position(|&b| b == b' ') {
        Some(i) => (
            decode_text(&buf[..i], codec),
            decode_text(&buf[i + 1..], codec),
        ),
        None => (decode_text(buf, codec), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors() {
        let mut out = Vec::new();
        encode("Char.Vitals", "H:100/100 M:50/50", &mut out);
        assert_eq!(out, b"Char.Vitals H:100/100 M:50/50");
        let u = Codec::utf8();
        assert_eq!(
            decode(&out, u),
            ("Char.Vitals".into(), "H:100/100 M:50/50".into())
        );
        assert_eq!(
            decode(b"Auth.Request", u),
            ("Auth.Request".into(), String::new())
        );
        assert_eq!(decode(b"A ", u), ("A".into(), String::new()));
    }
}
