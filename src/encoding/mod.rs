//! Character encodings for telnet text: encoding_rs for the WHATWG encodings, plus hand-made
//! tables where no crate serves (US-ASCII as telnet means it, true ISO-8859-1, CP437).
//!
//! A [`Codec`] is found by name with [`Codec::lookup`] (the names CHARSET offers, Python's
//! codec names, and the WHATWG labels), encodes text with [`Codec::encode`], and makes
//! streaming [`Decoder`]s with [`Codec::decoder`]. What happens to bytes or characters the
//! encoding cannot represent is chosen by [`Errors`], as Python's `encoding_errors`.
//!
//! ```
//! use telnetlib3::encoding::{Codec, Errors};
//!
//! let cp437 = Codec::lookup("IBM437").unwrap();
//! assert_eq!(cp437.name(), "CP437");
//! let mut decoder = cp437.decoder(Errors::Replace);
//! let mut text = String::new();
//! decoder.decode(&[0xC9, 0xCD, 0xBB], &mut text, false)?;
//! assert_eq!(text, "╔═╗");
//!
//! let mut bytes = Vec::new();
//! Codec::ascii().encode("café", Errors::Replace, &mut bytes)?;
//! assert_eq!(bytes, b"caf?");
//! # Ok::<(), telnetlib3::Error>(())
//! ```

mod pending;
mod tables;
#[cfg(test)]
mod tests;

use std::fmt;

use encoding_rs::{CoderResult, DecoderResult, EncoderResult, Encoding};

use self::pending::Tracker;
use self::tables::Table;
use crate::{Error, Result};

/// What to do with bytes (or characters) the encoding cannot represent: Python's
/// `encoding_errors`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Errors {
    /// Put U+FFFD (decoding) or `?` (encoding) in their place.
    #[default]
    Replace,
    /// Leave them out.
    Ignore,
    /// Fail with [`Error::Encoding`].
    Strict,
}

impl Errors {
    /// The name [`FromStr`](std::str::FromStr) takes: `"replace"`, `"ignore"` or `"strict"`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Errors::Replace => "replace",
            Errors::Ignore => "ignore",
            Errors::Strict => "strict",
        }
    }
}

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Errors {
    type Err = crate::Error;

    /// Parses `"replace"`, `"ignore"` or `"strict"`, in any case, surrounding spaces ignored.
    ///
    /// # Errors
    /// [`Error::Config`] for any other value.
    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim();
        [Errors::Replace, Errors::Ignore, Errors::Strict]
            .into_iter()
            .find(|e| s.eq_ignore_ascii_case(e.as_str()))
            .ok_or_else(|| {
                Error::config(format!(
                    "unknown encoding errors mode {s:?} (expected replace, ignore or strict)"
                ))
            })
    }
}

/// A character encoding: small and `Copy`, compared by identity of the encoding.
///
/// The hand-made codes are US-ASCII (bytes 0x80–0xFF are malformed), true ISO-8859-1 (byte
/// 0xNN is U+00NN, all 256 of them) and CP437 (as Python's `cp437`). Everything else is an
/// encoding_rs (WHATWG) encoding. UTF-16 (`"utf-16"`, `"utf-16le"`, `"utf-16be"`) decodes
/// with encoding_rs and encodes by hand, without a byte order mark; `"utf-16"` means
/// little-endian, as WHATWG has it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Codec {
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// US-ASCII: bytes 0x80–0xFF are malformed, characters above U+007F unmappable.
    Ascii,
    /// ISO-8859-1: byte n is U+00n.
    Latin1,
    /// A hand-made single-byte table, ASCII in its lower half.
    Table(&'static Table),
    /// An encoding_rs encoding (never `REPLACEMENT`).
    Whatwg(&'static Encoding),
}

impl PartialEq for Table {
    fn eq(&self, other: &Table) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for Table {}

impl fmt::Debug for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Codec").field(&self.name()).finish()
    }
}

impl fmt::Display for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `name` in lower case, without `-`, `_` or white space: the key the hand-made aliases use.
fn normalize(name: &str) -> String {
    name.chars()
        .filter(|&c| !matches!(c, '-' | '_') && !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Python codec names (normalized) that are no WHATWG label, or mean something else there.
fn python_alias(key: &str) -> Option<&'static Encoding> {
    use encoding_rs as e;
    Some(match key {
        "utf16" | "utf16le" | "u16" => e::UTF_16LE,
        "utf16be" => e::UTF_16BE,
        "shiftjis" | "sjis" | "mskanji" | "cp932" | "ms932" | "windows31j" | "932" => e::SHIFT_JIS,
        "big5" | "big5tw" | "big5hkscs" | "csbig5" | "cp950" | "ms950" | "950" => e::BIG5,
        "euckr" | "cp949" | "ms949" | "uhc" | "949" | "ksc5601" | "ksc56011987" | "korean" => {
            e::EUC_KR
        }
        "gbk" | "cp936" | "ms936" | "936" | "gb2312" | "euccn" | "chinese" => e::GBK,
        "gb18030" | "gb180302000" => e::GB18030,
        "eucjp" | "ujis" | "eucjis" => e::EUC_JP,
        "iso2022jp" | "csiso2022jp" => e::ISO_2022_JP,
        "koi8r" => e::KOI8_R,
        "koi8u" | "koi8ru" => e::KOI8_U,
        "latin9" | "l9" => e::ISO_8859_15,
        "macroman" | "macintosh" => e::MACINTOSH,
        "maccyrillic" => e::X_MAC_CYRILLIC,
        "cp874" | "windows874" => e::WINDOWS_874,
        "cp1250" | "windows1250" => e::WINDOWS_1250,
        "cp1251" | "windows1251" => e::WINDOWS_1251,
        "cp1252" | "windows1252" => e::WINDOWS_1252,
        "cp1253" | "windows1253" => e::WINDOWS_1253,
        "cp1254" | "windows1254" => e::WINDOWS_1254,
        "cp1255" | "windows1255" => e::WINDOWS_1255,
        "cp1256" | "windows1256" => e::WINDOWS_1256,
        "cp1257" | "windows1257" => e::WINDOWS_1257,
        "cp1258" | "windows1258" => e::WINDOWS_1258,
        "cp866" | "ibm866" | "866" => e::IBM866,
        _ => return None,
    })
}

impl Codec {
    /// Looks an encoding up by any usual name: `"utf8"`, `"UTF-8"`, `"latin1"`, `"iso-8859-1"`,
    /// `"cp437"`, `"ascii"`, `"us-ascii"`, `"cp1252"`, `"big5"`, `"shift_jis"`, … (case, `-`,
    /// `_` and white space ignored). `None` for a name nothing here knows.
    ///
    /// In order:
    /// 1. the hand-made codes: `"ascii"`, `"us-ascii"`, `"us"`, `"ansi_x3.4-1968"`, `"646"`, …
    ///    give US-ASCII; `"latin1"`, `"iso-8859-1"`, `"l1"`, `"cp819"`, `"8859"`, … give true
    ///    ISO-8859-1 (not windows-1252, which WHATWG gives for these names); `"cp437"`,
    ///    `"ibm437"`, `"437"`, `"dos"` give CP437;
    /// 2. `"utf8"` / `"utf-8"`: UTF-8;
    /// 3. any WHATWG label encoding_rs knows (`"iso-8859-15"`, `"koi8-r"`, `"euc-kr"`, …), except
    ///    those of the `replacement` encoding (`"iso-2022-kr"`, `"hz-gb-2312"`, …), which decode
    ///    everything to U+FFFD and are refused;
    /// 4. Python's names: `"cp932"` is Shift_JIS, `"cp950"` Big5, `"cp949"` EUC-KR, `"cp936"`
    ///    and `"gb2312"` GBK, `"utf16"` UTF-16LE, `"windows_1251"`, `"koi8_r"`, …
    #[must_use]
    pub fn lookup(name: &str) -> Option<Codec> {
        let key = normalize(name);
        let kind = match key.as_str() {
            "ascii" | "usascii" | "us" | "ansix3.41968" | "ansix3.41986" | "ansix3.4" | "646"
            | "iso646us" | "iso646.irv1991" | "isoir6" | "cp367" | "ibm367" | "csascii" => {
                Kind::Ascii
            }
            "latin1" | "latin" | "iso88591" | "iso8859" | "l1" | "cp819" | "ibm819"
            | "iso885911987" | "iso88591:1987" | "isoir100" | "csisolatin1" | "8859" => {
                Kind::Latin1
            }
            "cp437" | "ibm437" | "437" | "dos" | "cspc8codepage437" => Kind::Table(&tables::CP437),
            "utf8" | "u8" | "utf" | "cp65001" => Kind::Whatwg(encoding_rs::UTF_8),
            _ => {
                let encoding = Encoding::for_label_no_replacement(name.trim().as_bytes())
                    .or_else(|| python_alias(&key))
                    .or_else(|| Encoding::for_label_no_replacement(key.as_bytes()))?;
                Kind::Whatwg(encoding)
            }
        };
        Some(Codec { kind })
    }

    /// The codec for a configured encoding name; `None` means bytes only.
    ///
    /// # Errors
    /// [`crate::Error::Config`] for a name [`Codec::lookup`] does not know.
    pub fn configured(name: Option<&str>) -> Result<Option<Codec>> {
        match name {
            None => Ok(None),
            Some(name) => Codec::lookup(name)
                .map(Some)
                .ok_or_else(|| crate::Error::config(format!("unknown encoding {name:?}"))),
        }
    }

    /// US-ASCII: the NVT's own code, used before BINARY is agreed.
    #[must_use]
    pub fn ascii() -> Codec {
        Codec { kind: Kind::Ascii }
    }

    /// UTF-8.
    #[must_use]
    pub fn utf8() -> Codec {
        Codec {
            kind: Kind::Whatwg(encoding_rs::UTF_8),
        }
    }

    /// True ISO-8859-1: byte 0xNN is U+00NN, for all 256 bytes.
    #[must_use]
    pub fn latin1() -> Codec {
        Codec { kind: Kind::Latin1 }
    }

    /// IBM PC code page 437, as Python's `cp437` (0x00–0x7F are ASCII, control codes included).
    #[must_use]
    pub fn cp437() -> Codec {
        Codec {
            kind: Kind::Table(&tables::CP437),
        }
    }

    /// The encoding_rs encoding behind this codec, `None` for the hand-made ones.
    #[must_use]
    pub fn encoding_rs(&self) -> Option<&'static Encoding> {
        match self.kind {
            Kind::Whatwg(encoding) => Some(encoding),
            Kind::Ascii | Kind::Latin1 | Kind::Table(_) => None,
        }
    }

    /// True when bytes 0x00–0x7F are US-ASCII both ways (false only for UTF-16 and
    /// ISO-2022-JP).
    #[must_use]
    pub fn is_ascii_compatible(&self) -> bool {
        match self.kind {
            Kind::Whatwg(encoding) => encoding.is_ascii_compatible(),
            Kind::Ascii | Kind::Latin1 | Kind::Table(_) => true,
        }
    }

    /// The canonical name, as CHARSET would offer it (`"UTF-8"`, `"US-ASCII"`, `"ISO-8859-1"`,
    /// `"CP437"`, …). For encoding_rs encodings, its WHATWG name (`"windows-1252"`,
    /// `"Shift_JIS"`, `"UTF-16LE"`, …). [`Codec::lookup`] finds every codec by this name.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self.kind {
            Kind::Ascii => "US-ASCII",
            Kind::Latin1 => "ISO-8859-1",
            Kind::Table(table) => table.name,
            Kind::Whatwg(encoding) => encoding.name(),
        }
    }

    /// A streaming decoder: bytes may arrive split anywhere, even inside a character.
    #[must_use]
    pub fn decoder(&self, errors: Errors) -> Decoder {
        let state = match self.kind {
            Kind::Whatwg(encoding) => State::Whatwg {
                inner: encoding.new_decoder_without_bom_handling(),
                tracker: Tracker::new(encoding),
            },
            Kind::Ascii | Kind::Latin1 | Kind::Table(_) => State::Bytewise,
        };
        Decoder {
            codec: *self,
            errors,
            state,
        }
    }

    /// Decodes all of `input` at once (no character continues past its end), appending to
    /// `out`: a shorthand for a fresh [`Decoder`] called with `last`.
    ///
    /// # Errors
    /// [`Error::Encoding`] with [`Errors::Strict`] on malformed input.
    pub fn decode(&self, input: &[u8], errors: Errors, out: &mut String) -> Result<()> {
        self.decoder(errors).decode(input, out, true)
    }

    /// Encodes `text`, appending to `out`. Unmappable characters become `?` with
    /// [`Errors::Replace`] (never HTML character references) and are left out with
    /// [`Errors::Ignore`]. Stateful encodings (ISO-2022-JP) end in their initial state.
    ///
    /// # Errors
    /// [`Error::Encoding`] with [`Errors::Strict`] when a character has no encoding, naming it;
    /// what came before it has been appended to `out`.
    pub fn encode(&self, text: &str, errors: Errors, out: &mut Vec<u8>) -> Result<()> {
        match self.kind {
            Kind::Ascii => self.encode_bytewise(text, errors, out, |c| {
                u8::try_from(u32::from(c)).ok().filter(u8::is_ascii)
            }),
            Kind::Latin1 => {
                self.encode_bytewise(text, errors, out, |c| u8::try_from(u32::from(c)).ok())
            }
            Kind::Table(table) => self.encode_bytewise(text, errors, out, |c| table.encode_char(c)),
            Kind::Whatwg(encoding) => self.encode_whatwg(encoding, text, errors, out),
        }
    }

    /// Encoding for codes whose bytes 0x00–0x7F are ASCII, one byte per character.
    fn encode_bytewise(
        &self,
        text: &str,
        errors: Errors,
        out: &mut Vec<u8>,
        map: impl Fn(char) -> Option<u8>,
    ) -> Result<()> {
        out.reserve(text.len());
        let mut rest = text;
        loop {
            let ascii = Encoding::ascii_valid_up_to(rest.as_bytes());
            let (run, tail) = rest.split_at(ascii);
            out.extend_from_slice(run.as_bytes());
            let mut chars = tail.chars();
            let Some(c) = chars.next() else {
                return Ok(());
            };
            match map(c) {
                Some(b) => out.push(b),
                None => self.unmappable(c, errors, out)?,
            }
            rest = chars.as_str();
        }
    }

    fn encode_whatwg(
        &self,
        encoding: &'static Encoding,
        text: &str,
        errors: Errors,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        if encoding == encoding_rs::UTF_8 || (encoding.is_ascii_compatible() && text.is_ascii()) {
            out.extend_from_slice(text.as_bytes());
            return Ok(());
        }
        if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
            // encoding_rs encodes UTF-16 as UTF-8 (the WHATWG rule); do it here instead.
            let big_endian = encoding == encoding_rs::UTF_16BE;
            out.reserve(text.len().saturating_mul(2));
            for unit in text.encode_utf16() {
                let bytes = if big_endian {
                    unit.to_be_bytes()
                } else {
                    unit.to_le_bytes()
                };
                out.extend_from_slice(&bytes);
            }
            return Ok(());
        }
        let mut encoder = encoding.new_encoder();
        let mut rest = text;
        loop {
            let need = encoder
                .max_buffer_length_from_utf8_without_replacement(rest.len())
                .unwrap_or(rest.len());
            out.reserve(need.max(16));
            let (result, read) =
                encoder.encode_from_utf8_to_vec_without_replacement(rest, out, true);
            rest = rest.get(read..).unwrap_or("");
            match result {
                EncoderResult::InputEmpty => return Ok(()),
                EncoderResult::OutputFull => {}
                // The encoder is back in its ASCII state (ISO-2022-JP), so `?` is safe.
                EncoderResult::Unmappable(c) => self.unmappable(c, errors, out)?,
            }
        }
    }

    /// Handles a character this codec cannot encode, as `errors` says.
    fn unmappable(&self, c: char, errors: Errors, out: &mut Vec<u8>) -> Result<()> {
        match errors {
            Errors::Replace => {
                out.push(b'?');
                Ok(())
            }
            Errors::Ignore => Ok(()),
            Errors::Strict => Err(Error::Encoding(format!(
                "character {c:?} (U+{:04X}) cannot be encoded in {}",
                u32::from(c),
                self.name()
            ))),
        }
    }
}

/// A streaming decoder made by [`Codec::decoder`].
///
/// After a call with `last`, or after a [`Errors::Strict`] error, the decoder starts afresh: the
/// next call begins a new stream.
#[derive(Debug)]
pub struct Decoder {
    codec: Codec,
    errors: Errors,
    state: State,
}

#[derive(Debug)]
enum State {
    /// The hand-made single-byte codes: no state at all.
    Bytewise,
    /// encoding_rs, and what it holds back.
    Whatwg {
        inner: encoding_rs::Decoder,
        tracker: Tracker,
    },
}

impl Decoder {
    /// Decodes `input`, appending to `out`. A character cut off at the end of `input` is kept
    /// for the next call, unless `last` says no more input will come (then it is an error,
    /// handled as the `errors` mode says).
    ///
    /// With [`Errors::Replace`], each malformed sequence becomes one U+FFFD (encoding_rs, that
    /// is WHATWG, rules for what one sequence is); with [`Errors::Ignore`] it is left out.
    ///
    /// # Errors
    /// [`Error::Encoding`] with [`Errors::Strict`] on malformed input, naming the offending
    /// bytes. What was decoded before them has been appended to `out`; the rest of `input` is
    /// dropped and the decoder starts afresh.
    pub fn decode(&mut self, input: &[u8], out: &mut String, last: bool) -> Result<()> {
        let codec = self.codec;
        let errors = self.errors;
        let State::Whatwg { inner, tracker } = &mut self.state else {
            return match codec.kind {
                Kind::Ascii => decode_bytewise(codec, input, errors, out, |_| None),
                Kind::Latin1 => decode_latin1(input, out),
                Kind::Table(table) => {
                    decode_bytewise(codec, input, errors, out, |b| table.decode_byte(b))
                }
                // A decoder for an encoding_rs codec is always `State::Whatwg`.
                Kind::Whatwg(_) => Ok(()),
            };
        };
        let result = decode_whatwg(codec, inner, tracker, input, errors, out, last);
        if result.is_err() || last {
            self.reset();
        }
        result
    }

    /// Bytes held back because they may start a character not yet complete.
    ///
    /// Always 0 for the single-byte codes. For encoding_rs encodings, encoding_rs does not say,
    /// so the decoder follows the byte structure of each encoding itself (UTF-8: the trailing
    /// bytes of an incomplete sequence; UTF-16: an odd byte and an unpaired high surrogate;
    /// Shift_JIS, Big5, EUC-KR, EUC-JP, GBK, gb18030, ISO-2022-JP: the lead bytes and escape
    /// bytes of the WHATWG decoders). 0 means the decoder holds nothing.
    #[must_use]
    pub fn pending(&self) -> usize {
        match &self.state {
            State::Bytewise => 0,
            State::Whatwg { tracker, .. } => tracker.pending(),
        }
    }

    /// The codec this decoder decodes.
    #[must_use]
    pub fn codec(&self) -> Codec {
        self.codec
    }

    /// The errors mode this decoder was made with.
    #[must_use]
    pub fn errors(&self) -> Errors {
        self.errors
    }

    /// Forgets any bytes held back and starts a new stream (ISO-2022-JP back in ASCII).
    pub fn reset(&mut self) {
        if let State::Whatwg { inner, tracker } = &mut self.state {
            let encoding = inner.encoding();
            *inner = encoding.new_decoder_without_bom_handling();
            *tracker = Tracker::new(encoding);
        }
    }
}

/// Appends ASCII bytes (checked by the caller) to `out`.
#[inline]
fn push_ascii(out: &mut String, ascii: &[u8]) {
    match std::str::from_utf8(ascii) {
        Ok(s) => out.push_str(s),
        Err(_) => out.extend(ascii.iter().map(|&b| char::from(b))),
    }
}

/// Handles one malformed byte of a single-byte code, at `offset` in the input.
fn malformed_byte(
    codec: Codec,
    b: u8,
    offset: usize,
    errors: Errors,
    out: &mut String,
) -> Result<()> {
    match errors {
        Errors::Replace => {
            out.push(char::REPLACEMENT_CHARACTER);
            Ok(())
        }
        Errors::Ignore => Ok(()),
        Errors::Strict => Err(Error::Encoding(format!(
            "byte 0x{b:02X} at offset {offset} cannot be decoded as {}",
            codec.name()
        ))),
    }
}

/// Decoding for the single-byte codes whose bytes 0x00–0x7F are ASCII: ASCII runs are copied
/// as they are, other bytes go through `high`.
fn decode_bytewise(
    codec: Codec,
    input: &[u8],
    errors: Errors,
    out: &mut String,
    high: impl Fn(u8) -> Option<char>,
) -> Result<()> {
    out.reserve(input.len());
    let mut offset = 0;
    while offset < input.len() {
        let rest = input.get(offset..).unwrap_or(&[]);
        let ascii = Encoding::ascii_valid_up_to(rest);
        push_ascii(out, rest.get(..ascii).unwrap_or(&[]));
        offset += ascii;
        // The run of non-ASCII bytes that follows.
        while let Some(&b) = input.get(offset).filter(|b| !b.is_ascii()) {
            match high(b) {
                Some(c) => out.push(c),
                None => malformed_byte(codec, b, offset, errors, out)?,
            }
            offset += 1;
        }
    }
    Ok(())
}

/// ISO-8859-1: every byte is a character.
fn decode_latin1(input: &[u8], out: &mut String) -> Result<()> {
    let ascii = Encoding::ascii_valid_up_to(input);
    let (head, rest) = input.split_at(ascii);
    push_ascii(out, head);
    if !rest.is_empty() {
        out.reserve(rest.len().saturating_mul(2));
        out.extend(rest.iter().map(|&b| char::from(b)));
    }
    Ok(())
}

/// Decoding through encoding_rs: with its own replacement for [`Errors::Replace`] (one U+FFFD
/// per malformed sequence), without it for the other modes, which handle each malformed
/// sequence here.
fn decode_whatwg(
    codec: Codec,
    inner: &mut encoding_rs::Decoder,
    tracker: &mut Tracker,
    input: &[u8],
    errors: Errors,
    out: &mut String,
    last: bool,
) -> Result<()> {
    let encoding = inner.encoding();
    // Fast paths: nothing held, and input that decodes to itself.
    if tracker.pending() == 0 {
        let same = if encoding == encoding_rs::UTF_8
            || (encoding.is_ascii_compatible() && input.is_ascii())
        {
            std::str::from_utf8(input).ok()
        } else {
            None
        };
        if let Some(text) = same {
            out.push_str(text);
            tracker.feed(input);
            return Ok(());
        }
    }
    let mut rest = input;
    // Room for the output if the input is well-formed; replacements may want more.
    let need = inner
        .max_utf8_buffer_length_without_replacement(rest.len())
        .unwrap_or(rest.len());
    out.reserve(need.max(16));
    if errors == Errors::Replace {
        loop {
            let (result, read, _) = inner.decode_to_string(rest, out, last);
            rest = rest.get(read..).unwrap_or(&[]);
            match result {
                CoderResult::InputEmpty => break,
                CoderResult::OutputFull => {
                    let need = inner
                        .max_utf8_buffer_length(rest.len())
                        .unwrap_or(rest.len());
                    out.reserve(need.max(16));
                }
            }
        }
        tracker.feed(input);
        return Ok(());
    }
    loop {
        let (result, read) = inner.decode_to_string_without_replacement(rest, out, last);
        rest = rest.get(read..).unwrap_or(&[]);
        match result {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => {
                let need = inner
                    .max_utf8_buffer_length_without_replacement(rest.len())
                    .unwrap_or(rest.len());
                out.reserve(need.max(16));
            }
            DecoderResult::Malformed(bad, after) => match errors {
                Errors::Replace | Errors::Ignore => {}
                Errors::Strict => {
                    let consumed = input.len() - rest.len();
                    return Err(malformed_sequence(
                        codec,
                        tracker.tail(),
                        input.get(..consumed).unwrap_or(&[]),
                        usize::from(bad),
                        usize::from(after),
                        last && rest.is_empty(),
                    ));
                }
            },
        }
    }
    tracker.feed(input);
    Ok(())
}

/// The error for a malformed sequence of `bad` bytes followed by `after` bytes, at the end of
/// `earlier` (the stream's last bytes before this call) and `consumed` (this call's).
fn malformed_sequence(
    codec: Codec,
    earlier: &[u8],
    consumed: &[u8],
    bad: usize,
    after: usize,
    at_end: bool,
) -> Error {
    let stream: Vec<u8> = earlier.iter().chain(consumed).copied().collect();
    let end = stream.len().saturating_sub(after);
    let start = end.saturating_sub(bad);
    let bytes = stream
        .get(start..end)
        .unwrap_or(&[])
        .iter()
        .map(|b| format!("0x{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ");
    let what = if end - start < bad {
        format!("malformed sequence of {bad} bytes ending in [{bytes}]")
    } else if bad == 1 {
        format!("byte {bytes}")
    } else {
        format!("bytes [{bytes}]")
    };
    let offset = start.checked_sub(earlier.len()).map_or_else(
        || " (begun in earlier input)".to_owned(),
        |o| format!(" at offset {o}"),
    );
    // Cut off by the end of the stream: a fresh decoder would hold these bytes, not reject them.
    let truncated = at_end && after == 0 && end == stream.len() && {
        let encoding = codec.encoding_rs().unwrap_or(encoding_rs::UTF_8);
        let mut probe = encoding.new_decoder_without_bom_handling();
        let mut sink = String::with_capacity(64);
        let tail = stream.get(start..end).unwrap_or(&[]);
        let (result, read) = probe.decode_to_string_without_replacement(tail, &mut sink, false);
        result == DecoderResult::InputEmpty && read == tail.len() && sink.is_empty()
    };
    let truncated = if truncated {
        " (incomplete character at end of input)"
    } else {
        ""
    };
    Error::Encoding(format!(
        "{what}{offset} cannot be decoded as {}{truncated}",
        codec.name()
    ))
}
