//! CHARSET (RFC 2066): REQUEST / ACCEPTED / REJECTED; translation tables are always refused.

use super::{frame, text};
use crate::protocol::DecodeError;
use crate::telopt::CHARSET;

/// Subcommand REQUEST.
pub const REQUEST: u8 = 1;
/// Subcommand ACCEPTED.
pub const ACCEPTED: u8 = 2;
/// Subcommand REJECTED.
pub const REJECTED: u8 = 3;
/// Subcommand TTABLE-IS.
pub const TTABLE_IS: u8 = 4;
/// Subcommand TTABLE-REJECTED.
pub const TTABLE_REJECTED: u8 = 5;
/// Subcommand TTABLE-ACK.
pub const TTABLE_ACK: u8 = 6;
/// Subcommand TTABLE-NAK.
pub const TTABLE_NAK: u8 = 7;

/// What telnetlib3's server offers in its REQUEST, in its order.
pub const SERVER_OFFERS: &[&str] = &[
    "UTF-8",
    "UTF-16",
    "LATIN1",
    "CP1252",
    "ISO-8859-15",
    "CP437",
    "SHIFT_JIS",
    "CP932",
    "BIG5",
    "CP950",
    "GBK",
    "GB2312",
    "CP936",
    "EUC-KR",
    "CP949",
    "US-ASCII",
];

/// What telnetlib3's client offers when it sends a REQUEST itself.
pub const CLIENT_OFFERS: &[&str] = &["UTF-8", "LATIN1", "US-ASCII"];

/// A decoded CHARSET subnegotiation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Charset {
    /// The sender offers these character sets, most preferred first.
    Request {
        /// The request began with `[TTABLE]` and a version byte.
        ttable: bool,
        /// The offered names, as sent.
        offers: Vec<String>,
    },
    /// The receiver of a REQUEST accepted this one.
    Accepted(String),
    /// The receiver of a REQUEST accepted none.
    Rejected,
    /// A translation table (never accepted by this library).
    TtableIs(Vec<u8>),
    /// A translation table was refused.
    TtableRejected,
    /// A translation table was accepted.
    TtableAck,
    /// A translation table was not understood.
    TtableNak,
}

/// The marker that opens a REQUEST offering translation tables; a version byte follows it.
const TTABLE_MARKER: &[u8] = b"[TTABLE]";

/// The separator [`encode_request`] puts before every name.
const SEPARATOR: u8 = b' ';

/// Appends `IAC SB CHARSET REQUEST " " name " " name … IAC SE` (separator a space, sent before
/// every name, as telnetlib3 does).
pub fn encode_request(offers: &[&str], out: &mut Vec<u8>) {
    let mut payload = vec![REQUEST];
    for name in offers {
        payload.push(SEPARATOR);
        payload.extend_from_slice(name.as_bytes());
    }
    frame(CHARSET, &payload, out);
}

/// Appends `IAC SB CHARSET ACCEPTED <name> IAC SE`.
pub fn encode_accepted(name: &str, out: &mut Vec<u8>) {
    let mut payload = Vec::with_capacity(name.len() + 1);
    payload.push(ACCEPTED);
    payload.extend_from_slice(name.as_bytes());
    frame(CHARSET, &payload, out);
}

/// Appends `IAC SB CHARSET REJECTED IAC SE`.
pub fn encode_rejected(out: &mut Vec<u8>) {
    frame(CHARSET, &[REJECTED], out);
}

/// Appends `IAC SB CHARSET TTABLE-REJECTED IAC SE`.
pub fn encode_ttable_rejected(out: &mut Vec<u8>) {
    frame(CHARSET, &[TTABLE_REJECTED], out);
}

/// Decodes a CHARSET payload.
///
/// # Errors
/// An empty payload, an unknown subcommand, or a REQUEST with no separator.
pub fn decode(payload: &[u8]) -> Result<Charset, DecodeError> {
    let Some((&command, rest)) = payload.split_first() else {
        return Err(DecodeError::new(CHARSET, "empty payload"));
    };
    // Bytes after the commands that carry nothing are ignored.
    match command {
        REQUEST => decode_request(rest),
        ACCEPTED => Ok(Charset::Accepted(text(rest))),
        REJECTED => Ok(Charset::Rejected),
        TTABLE_IS => Ok(Charset::TtableIs(rest.to_vec())),
        TTABLE_REJECTED => Ok(Charset::TtableRejected),
        TTABLE_ACK => Ok(Charset::TtableAck),
        TTABLE_NAK => Ok(Charset::TtableNak),
        _ => Err(DecodeError::new(CHARSET, "unknown subcommand")),
    }
}

/// Decodes what follows REQUEST: `["[TTABLE]" version] sep name sep name …`. Empty names (from a
/// leading, doubled or trailing separator) are skipped.
fn decode_request(rest: &[u8]) -> Result<Charset, DecodeError> {
    let (ttable, rest) = match rest.strip_prefix(TTABLE_MARKER) {
        Some(versioned) => (true, versioned.get(1..).unwrap_or_default()),
        None => (false, rest),
    };
    let Some((&separator, names)) = rest.split_first() else {
        return Err(DecodeError::new(CHARSET, "REQUEST without a separator"));
    };
    let offers = names
        .split(|&byte| byte == separator)
        .filter(|name| !name.is_empty())
        .map(text)
        .collect();
    Ok(Charset::Request { ttable, offers })
}

/// A character set name folded for comparison: ASCII lower case without `-`, `_` and spaces,
/// with common aliases mapped to one name (`"latin-1"`, `"iso8859-1"`, `"ISO_8859-1"` all give
/// `"latin1"`; `"US-ASCII"`, `"ascii"` give `"ascii"`; `"utf8"`, `"UTF-8"` give `"utf8"`).
#[must_use]
pub fn normalize(name: &str) -> String {
    let folded: String = name
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    canonical(&folded).map_or(folded, str::to_owned)
}

/// The canonical name for an alias, already folded by [`normalize`]; after Python's codec aliases.
fn canonical(folded: &str) -> Option<&'static str> {
    match folded {
        "latin1" | "latin" | "l1" | "iso88591" | "iso885901" | "iso8859" | "8859"
        | "iso88591:1987" | "iso885911987" | "isoir100" | "csisolatin1" | "cp819" | "ibm819" => {
            Some("latin1")
        }
        "ascii" | "usascii" | "us" | "ansix3.41968" | "ansix341968" | "ansix3.41986"
        | "iso646us" | "iso646.irv:1991" | "iso646.irv1991" | "isoir6" | "646" | "csascii"
        | "cp367" | "ibm367" => Some("ascii"),
        "utf8" | "u8" | "utf" | "cp65001" => Some("utf8"),
        _ => None,
    }
}

/// The first of `offers` that names the same character set as `wanted` (after [`normalize`]),
/// as the offer spells it.
#[must_use]
pub fn select<'a>(offers: &'a [String], wanted: &str) -> Option<&'a str> {
    let wanted = normalize(wanted);
    offers
        .iter()
        .find(|offer| normalize(offer) == wanted)
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVER_REQUEST: &[u8] = b"\x01 UTF-8 UTF-16 LATIN1 CP1252 ISO-8859-15 CP437 SHIFT_JIS \
        CP932 BIG5 CP950 GBK GB2312 CP936 EUC-KR CP949 US-ASCII";

    fn framed(payload: &[u8]) -> Vec<u8> {
        [b"\xff\xfa\x2a", payload, b"\xff\xf0"].concat()
    }

    fn unframe(wire: &[u8]) -> &[u8] {
        wire.strip_prefix(b"\xff\xfa\x2a")
            .and_then(|rest| rest.strip_suffix(b"\xff\xf0"))
            .expect("IAC SB CHARSET ... IAC SE")
    }

    fn request(ttable: bool, offers: &[&str]) -> Result<Charset, DecodeError> {
        let offers = offers.iter().map(|&name| name.to_owned()).collect();
        Ok(Charset::Request { ttable, offers })
    }

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|&name| name.to_owned()).collect()
    }

    #[test]
    fn encode_wire_bytes() {
        let mut out = Vec::new();
        encode_request(SERVER_OFFERS, &mut out);
        assert_eq!(out, framed(SERVER_REQUEST));
        out.clear();
        encode_request(CLIENT_OFFERS, &mut out);
        assert_eq!(out, framed(b"\x01 UTF-8 LATIN1 US-ASCII"));
        out.clear();
        encode_accepted("UTF-8", &mut out);
        assert_eq!(out, framed(b"\x02UTF-8"));
        out.clear();
        encode_rejected(&mut out);
        assert_eq!(out, b"\xff\xfa\x2a\x03\xff\xf0");
        out.clear();
        encode_ttable_rejected(&mut out);
        assert_eq!(out, b"\xff\xfa\x2a\x05\xff\xf0");
    }

    #[test]
    fn decode_server_request() {
        assert_eq!(decode(SERVER_REQUEST), request(false, SERVER_OFFERS));
    }

    #[test]
    fn decode_request_forms() {
        assert_eq!(
            decode(b"\x01;UTF-8;ASCII"),
            request(false, &["UTF-8", "ASCII"])
        );
        assert_eq!(
            decode(b"\x01 UTF-8  LATIN1 "),
            request(false, &["UTF-8", "LATIN1"])
        );
        assert_eq!(decode(b"\x01 "), request(false, &[]));
        assert_eq!(
            decode(b"\x01[TTABLE]\x01;UTF-8;ASCII"),
            request(true, &["UTF-8", "ASCII"])
        );
        assert_eq!(decode(b"\x01[TTABLE]\x01;"), request(true, &[]));
    }

    #[test]
    fn decode_other_commands() {
        assert_eq!(decode(b"\x02UTF-8"), Ok(Charset::Accepted("UTF-8".into())));
        assert_eq!(decode(b"\x03"), Ok(Charset::Rejected));
        assert_eq!(
            decode(b"\x04\x01\xff\x00"),
            Ok(Charset::TtableIs(vec![1, 0xff, 0]))
        );
        assert_eq!(decode(b"\x05"), Ok(Charset::TtableRejected));
        assert_eq!(decode(b"\x06"), Ok(Charset::TtableAck));
        assert_eq!(decode(b"\x07"), Ok(Charset::TtableNak));
    }

    #[test]
    fn decode_errors() {
        let err = |reason| Err(DecodeError::new(CHARSET, reason));
        assert_eq!(decode(b""), err("empty payload"));
        assert_eq!(decode(b"\x00UTF-8"), err("unknown subcommand"));
        assert_eq!(decode(b"\x08"), err("unknown subcommand"));
        assert_eq!(decode(b"\x01"), err("REQUEST without a separator"));
        assert_eq!(decode(b"\x01[TTABLE]"), err("REQUEST without a separator"));
        assert_eq!(
            decode(b"\x01[TTABLE]\x01"),
            err("REQUEST without a separator")
        );
    }

    #[test]
    fn round_trip() {
        let mut out = Vec::new();
        for offers in [SERVER_OFFERS, CLIENT_OFFERS] {
            out.clear();
            encode_request(offers, &mut out);
            assert_eq!(decode(unframe(&out)), request(false, offers));
        }
        out.clear();
        encode_accepted("CP437", &mut out);
        assert_eq!(decode(unframe(&out)), Ok(Charset::Accepted("CP437".into())));
        out.clear();
        encode_rejected(&mut out);
        assert_eq!(decode(unframe(&out)), Ok(Charset::Rejected));
        out.clear();
        encode_ttable_rejected(&mut out);
        assert_eq!(decode(unframe(&out)), Ok(Charset::TtableRejected));
    }

    #[test]
    fn normalize_aliases() {
        for name in [
            "latin1",
            "LATIN-1",
            "iso8859-1",
            "ISO_8859-1",
            "ISO-8859-01",
            "l1",
            "cp819",
        ] {
            assert_eq!(normalize(name), "latin1", "{name}");
        }
        for name in ["US-ASCII", "ascii", "ANSI_X3.4-1968", "ISO646-US", "us"] {
            assert_eq!(normalize(name), "ascii", "{name}");
        }
        for name in ["UTF-8", "utf8", "utf_8", "Utf 8"] {
            assert_eq!(normalize(name), "utf8", "{name}");
        }
        assert_eq!(normalize("SHIFT_JIS"), "shiftjis");
        assert_eq!(normalize("ISO-8859-15"), "iso885915");
        assert_eq!(normalize("EUC-KR"), "euckr");
        assert_eq!(normalize("CP1252"), "cp1252");
        assert_eq!(normalize(""), "");
    }

    #[test]
    fn select_offers() {
        let offers = strings(&["UTF-8", "LATIN1"]);
        assert_eq!(select(&offers, "latin-1"), Some("LATIN1"));
        assert_eq!(select(&offers, "utf8"), Some("UTF-8"));
        assert_eq!(select(&offers, "cp437"), None);
        assert_eq!(select(&[], "utf8"), None);
        let server = strings(SERVER_OFFERS);
        assert_eq!(select(&server, "ascii"), Some("US-ASCII"));
        assert_eq!(select(&server, "iso8859-15"), Some("ISO-8859-15"));
        let doubled = strings(&["latin1", "ISO-8859-1"]);
        assert_eq!(select(&doubled, "ISO_8859-1"), Some("latin1"));
    }

    proptest::proptest! {
        #[test]
        fn decode_any_bytes_never_panics(payload: Vec<u8>) {
            let _ = decode(&payload);
        }

        #[test]
        fn normalize_is_idempotent(name: String) {
            let once = normalize(&name);
            proptest::prop_assert_eq!(normalize(&once), once);
        }
    }
}
