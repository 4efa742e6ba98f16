//! Streaming decoding: [`Decoder`], and the decoding of each kind of codec.

use super::pending::Tracker;
use super::tables::Table;
use super::{big5bbs, Codec, Errors, Kind};
use crate::{Error, Result};
use encoding_rs::{CoderResult, DecoderResult, Encoding};

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
    /// The single-byte codes: no state at all.
    Bytewise,
    /// Big5-BBS, and the lead byte it holds back.
    Big5Bbs { held: Option<u8> },
    /// encoding_rs, and what it holds back.
    Whatwg {
        inner: encoding_rs::Decoder,
        tracker: Tracker,
    },
}

impl Decoder {
    pub(super) fn new(codec: Codec, errors: Errors) -> Self {
        let state = match codec.kind {
            Kind::Whatwg(encoding) => State::Whatwg {
                inner: encoding.new_decoder_without_bom_handling(),
                tracker: Tracker::new(encoding),
            },
            Kind::Big5Bbs => State::Big5Bbs { held: None },
            Kind::Ascii | Kind::Latin1 | Kind::Table(_) => State::Bytewise,
        };
        Decoder {
            codec,
            errors,
            state,
        }
    }

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
        let (inner, tracker) = match &mut self.state {
            State::Whatwg { inner, tracker } => (inner, tracker),
            State::Big5Bbs { held } => {
                big5bbs::decode(held, input, out, last);
                return Ok(());
            }
            State::Bytewise => {
                return match codec.kind {
                    Kind::Ascii => decode_bytewise(codec, input, errors, out, |_| None),
                    Kind::Latin1 => decode_latin1(input, out),
                    Kind::Table(table) if table.is_ascii() => {
                        decode_bytewise(codec, input, errors, out, |b| table.decode_byte(b))
                    }
                    Kind::Table(table) => decode_table(codec, table, input, errors, out),
                    // Decoders for these are never `State::Bytewise`.
                    Kind::Big5Bbs | Kind::Whatwg(_) => Ok(()),
                };
            }
        };
        let result = decode_whatwg(codec, inner, tracker, input, errors, out, last);
        if result.is_err() || last {
            self.reset();
        }
        result
    }

    /// Bytes held back because they may start a character not yet complete.
    ///
    /// Always 0 for the single-byte codes; 1 while Big5-BBS holds a lead byte. For encoding_rs
    /// encodings, encoding_rs does not say, so the decoder follows the byte structure of each
    /// encoding itself (UTF-8: the trailing bytes of an incomplete sequence; UTF-16: an odd
    /// byte and an unpaired high surrogate; Shift_JIS, Big5, EUC-KR, EUC-JP, GBK, gb18030,
    /// ISO-2022-JP: the lead bytes and escape bytes of the WHATWG decoders). 0 means the
    /// decoder holds nothing.
    #[must_use]
    pub fn pending(&self) -> usize {
        match &self.state {
            State::Bytewise => 0,
            State::Big5Bbs { held } => usize::from(held.is_some()),
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
        match &mut self.state {
            State::Whatwg { inner, tracker } => {
                let encoding = inner.encoding();
                *inner = encoding.new_decoder_without_bom_handling();
                *tracker = Tracker::new(encoding);
            }
            State::Big5Bbs { held } => *held = None,
            State::Bytewise => {}
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

/// Decoding through a table whose lower half is not ASCII: every byte looked up.
fn decode_table(
    codec: Codec,
    table: &Table,
    input: &[u8],
    errors: Errors,
    out: &mut String,
) -> Result<()> {
    out.reserve(input.len());
    for (offset, &b) in input.iter().enumerate() {
        match table.decode_byte(b) {
            Some(c) => out.push(c),
            None => malformed_byte(codec, b, offset, errors, out)?,
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
