//! CHARSET (RFC 2066): REQUEST / ACCEPTED / REJECTED; translation tables are always refused.

use crate::protocol::DecodeError;

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

/// Appends `IAC SB CHARSET REQUEST " " name " " name … IAC SE` (separator a space, sent before
/// every name, as telnetlib3 does).
pub fn encode_request(offers: &[&str], out: &mut Vec<u8>) {
    todo!("{offers:?}{out:?}")
}

/// Appends `IAC SB CHARSET ACCEPTED <name> IAC SE`.
pub fn encode_accepted(name: &str, out: &mut Vec<u8>) {
    todo!("{name}{out:?}")
}

/// Appends `IAC SB CHARSET REJECTED IAC SE`.
pub fn encode_rejected(out: &mut Vec<u8>) {
    todo!("{out:?}")
}

/// Appends `IAC SB CHARSET TTABLE-REJECTED IAC SE`.
pub fn encode_ttable_rejected(out: &mut Vec<u8>) {
    todo!("{out:?}")
}

/// Decodes a CHARSET payload.
///
/// # Errors
/// An empty payload, an unknown subcommand, or a REQUEST with no separator.
pub fn decode(payload: &[u8]) -> Result<Charset, DecodeError> {
    todo!("{payload:?}")
}

/// A character set name folded for comparison: ASCII lower case without `-`, `_` and spaces,
/// with common aliases mapped to one name (`"latin-1"`, `"iso8859-1"`, `"ISO_8859-1"` all give
/// `"latin1"`; `"US-ASCII"`, `"ascii"` give `"ascii"`; `"utf8"`, `"UTF-8"` give `"utf8"`).
#[must_use]
pub fn normalize(name: &str) -> String {
    todo!("{name}")
}

/// The first of `offers` that names the same character set as `wanted` (after [`normalize`]),
/// as the offer spells it.
#[must_use]
pub fn select<'a>(offers: &'a [String], wanted: &str) -> Option<&'a str> {
    todo!("{offers:?}{wanted}")
}
