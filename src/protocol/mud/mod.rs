//! Payload codecs for the MUD protocols, byte for byte as telnetlib3 5.0.1's `mud.py` has them.
//!
//! Each codec handles the bytes between `IAC SB <option>` and `IAC SE`, unescaped: the caller
//! frames them and doubles `IAC`. Encoders write UTF-8 text; decoders read text in the
//! connection's encoding and fall back to Latin-1 where it is malformed, as telnetlib3 does.
//!
//! | option | module | payload |
//! |---|---|---|
//! | GMCP (201) | [`gmcp`] | `Package.Name` then optionally a space and compact JSON |
//! | MSDP (69) | [`msdp`] | `VAR name VAL value`, values nested in tables and arrays |
//! | MSSP (70) | [`mssp`] | `VAR name VAL value`, a repeated `VAL` making a list |
//! | ZMP (93) | [`zmp`] | NUL-terminated command and arguments |
//! | ATCP (200) | [`atcp`] | `Package.Name value` |
//! | AARDWOLF (102) | [`aardwolf`] | a channel byte and its data |
//!
//! ```
//! use telnetlib3::encoding::Codec;
//! use telnetlib3::protocol::mud::gmcp;
//!
//! let mut wire = Vec::new();
//! gmcp::encode("Char.Vitals", Some(&serde_json::json!({"hp": 10})), &mut wire);
//! assert_eq!(wire, b"Char.Vitals {\"hp\":10}");
//! let (package, data) = gmcp::decode(&wire, Codec::utf8()).unwrap();
//! assert_eq!(package, "Char.Vitals");
//! assert_eq!(data, Some(serde_json::json!({"hp": 10})));
//! ```

use std::fmt;

use crate::encoding::{Codec, Errors};

pub mod aardwolf;
pub mod atcp;
pub mod gmcp;
pub mod msdp;
pub mod mssp;
pub mod zmp;

pub use aardwolf::Aardwolf;
pub use msdp::{MsdpTable, MsdpValue};
pub use mssp::{MsspTable, MsspValue};

/// A MUD payload that could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MudError {
    /// A GMCP message whose data is not valid JSON (serde_json's message).
    Json(String),
    /// MSDP tables and arrays nested deeper than [`msdp::MAX_DEPTH`].
    TooDeep {
        /// The nesting limit.
        limit: usize,
    },
}

impl MudError {
    /// A fixed description of the kind of error, for
    /// [`DecodeError`](crate::protocol::DecodeError).
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            MudError::Json(_) => "invalid JSON",
            MudError::TooDeep { .. } => "nested too deep",
        }
    }
}

impl fmt::Display for MudError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MudError::Json(msg) => write!(f, "invalid JSON in GMCP payload: {msg}"),
            MudError::TooDeep { limit } => {
                write!(f, "MSDP nested deeper than {limit} tables and arrays")
            }
        }
    }
}

impl std::error::Error for MudError {}

/// Decodes `buf` as `codec`, or as Latin-1 where that fails (telnetlib3's
/// `_decode_best_effort`).
#[must_use]
pub fn decode_text(buf: &[u8], codec: Codec) -> String {
    let mut out = String::new();
    if codec.decode(buf, Errors::Strict, &mut out).is_ok() {
        return out;
    }
    buf.iter().map(|&b| char::from(b)).collect()
}
