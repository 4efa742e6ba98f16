//! Character encodings for telnet text: encoding_rs for the WHATWG encodings, plus hand-made
//! tables where no crate serves (US-ASCII as telnet means it, true ISO-8859-1, CP437).

use crate::Result;

/// What to do with bytes (or characters) the encoding cannot represent: Python's
/// `encoding_errors`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Errors {
    /// Put U+FFFD (decoding) or `?` (encoding) in their place.
    #[default]
    Replace,
    /// Leave them out.
    Ignore,
    /// Fail with [`Error::Encoding`](crate::Error::Encoding).
    Strict,
}

impl std::str::FromStr for Errors {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self> {
        let _ = s;
        todo!()
    }
}

/// A character encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Codec {
    _private: (),
}

impl Codec {
    /// Looks an encoding up by any usual name: `"utf8"`, `"UTF-8"`, `"latin1"`, `"iso-8859-1"`,
    /// `"cp437"`, `"ascii"`, `"us-ascii"`, `"cp1252"`, `"big5"`, `"shift_jis"`, … (case, `-` and
    /// `_` ignored). `None` for a name nothing here knows.
    #[must_use]
    pub fn lookup(name: &str) -> Option<Codec> {
        let _ = name;
        todo!()
    }

    /// US-ASCII: the NVT's own code, used before BINARY is agreed.
    #[must_use]
    pub fn ascii() -> Codec {
        todo!()
    }

    /// UTF-8.
    #[must_use]
    pub fn utf8() -> Codec {
        todo!()
    }

    /// The canonical name, as CHARSET would offer it (`"UTF-8"`, `"US-ASCII"`, `"ISO-8859-1"`,
    /// `"CP437"`, …).
    #[must_use]
    pub fn name(&self) -> &'static str {
        todo!()
    }

    /// A streaming decoder: bytes may arrive split anywhere, even inside a character.
    #[must_use]
    pub fn decoder(&self, errors: Errors) -> Decoder {
        let _ = errors;
        todo!()
    }

    /// Encodes `text`, appending to `out`.
    ///
    /// # Errors
    /// [`Error::Encoding`](crate::Error::Encoding) with [`Errors::Strict`] when a character has no
    /// encoding.
    pub fn encode(&self, text: &str, errors: Errors, out: &mut Vec<u8>) -> Result<()> {
        let _ = (text, errors, out);
        todo!()
    }
}

/// A streaming decoder made by [`Codec::decoder`].
#[derive(Debug)]
pub struct Decoder {
    _private: (),
}

impl Decoder {
    /// Decodes `input`, appending to `out`. A character cut off at the end of `input` is kept
    /// for the next call, unless `last` says no more input will come (then it is an error,
    /// handled as the `errors` mode says).
    ///
    /// # Errors
    /// [`Error::Encoding`](crate::Error::Encoding) with [`Errors::Strict`] on malformed input.
    pub fn decode(&mut self, input: &[u8], out: &mut String, last: bool) -> Result<()> {
        let _ = (input, out, last);
        todo!()
    }

    /// Bytes held back because they may start a character not yet complete.
    #[must_use]
    pub fn pending(&self) -> usize {
        todo!()
    }

    /// The codec this decoder decodes.
    #[must_use]
    pub fn codec(&self) -> Codec {
        todo!()
    }
}
