//! The input buffer of one connection: received data waiting to be read, in the codecs it
//! arrived in, and the reads that take from it.

use std::collections::VecDeque;

use crate::encoding::{Codec, Decoder, Errors};
use crate::error::{LimitError, Partial};
use crate::protocol::nvt::Mark;
use crate::{Error, Result};

/// An emptied byte buffer larger than this gives its memory back (text reads decode all of it
/// into `text`, which would otherwise hold the same line twice).
const RELEASE_ABOVE: usize = 512 * 1024;

/// What the rest of an over-long line is dropped up to.
#[derive(Debug)]
enum Discard {
    /// A line end (CR, LF; a CR LF or CR NUL pair as one).
    Line,
    /// A pattern; `tail` holds the last bytes seen, which may start it.
    Pattern { pattern: Vec<u8>, tail: Vec<u8> },
}

#[derive(Debug)]
pub(super) struct Input {
    /// Received data not yet decoded or read.
    bytes: VecDeque<u8>,
    /// Decoded text not yet read (only text reads fill it).
    text: String,
    decoder: Option<Decoder>,
    /// The codec the data at the front of `bytes` is in.
    in_codec: Option<Codec>,
    /// Codec switches not yet reached: `(n, codec)` means the data from `bytes[n]` on is in
    /// `codec`.
    switches: VecDeque<(usize, Option<Codec>)>,
    /// Where in `bytes` the line being typed starts (after the last CR or LF), so an erase
    /// finds it without scanning.
    line_start: usize,
    /// A line ended at a CR that was the last byte: drop an LF or NUL that follows.
    skip_lf: bool,
    /// The rest of a line that was too long is being dropped.
    discard: Option<Discard>,
    pub(super) encoding: Option<Codec>,
    pub(super) errors: Errors,
}

/// What a waiting read looks for, so the reader knows to keep reading past the buffer limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Terminator<'p> {
    Line,
    Pattern(&'p [u8]),
}

impl Input {
    pub(super) fn new(encoding: Option<Codec>, errors: Errors, in_codec: Option<Codec>) -> Self {
        Self {
            bytes: VecDeque::new(),
            text: String::new(),
            decoder: None,
            in_codec,
            switches: VecDeque::new(),
            line_start: 0,
            skip_lf: false,
            discard: None,
            encoding,
            errors,
        }
    }

    /// Data waiting to be read, in bytes.
    pub(super) fn len(&self) -> usize {
        self.bytes.len() + self.text.len()
    }

    /// The codec data is read in now.
    pub(super) fn codec(&self) -> Option<Codec> {
        self.in_codec
    }

    /// Whether a complete line is waiting.
    pub(super) fn line_ready(&self) -> bool {
        let (a, b) = self.bytes.as_slices();
        memchr::memchr2(b'\n', b'\r', a).is_some()
            || memchr::memchr2(b'\n', b'\r', b).is_some()
            || self.text.contains(['\n', '\r'])
    }

    /// Appends received data with its marks (positions in `data`).
    pub(super) fn append(&mut self, mut data: &[u8], marks: &[(usize, Mark)]) {
        let mut offset = 0;
        if self.discard.is_some() {
            let cut = self.discard_upto(data);
            // Codec switches in the dropped part still apply.
            for &(_, mark) in marks.iter().filter(|(at, _)| *at <= cut) {
                if let Mark::Codec(codec) = mark {
                    self.switches.push_back((self.bytes.len(), codec));
                }
            }
            self.apply_switches();
            data = &data[cut..];
            offset = cut;
        }
        let mut from = 0;
        for &(at, mark) in marks {
            let Some(at) = at.checked_sub(offset) else {
                continue;
            };
            if at > data.len() {
                break;
            }
            if at > from {
                self.push_data(&data[from..at]);
                from = at;
            }
            match mark {
                Mark::Codec(codec) => self.switches.push_back((self.bytes.len(), codec)),
                Mark::Erase => self.erase(),
            }
        }
        self.push_data(&data[from..]);
        self.apply_switches();
    }

    fn push_data(&mut self, piece: &[u8]) {
        if let Some(i) = memchr::memrchr2(b'\r', b'\n', piece) {
            self.line_start = self.bytes.len() + i + 1;
        }
        self.bytes.extend(piece);
    }

    /// Drops data up to the end of the over-long line; returns how much of `data` it took.
    fn discard_upto(&mut self, data: &[u8]) -> usize {
        let Some(discard) = &mut self.discard else {
            return 0;
        };
        match discard {
            Discard::Line => match memchr::memchr2(b'\r', b'\n', data) {
                Some(i) => {
                    self.discard = None;
                    if data[i] == b'\r' {
                        match data.get(i + 1) {
                            Some(b'\n' | 0) => return i + 2,
                            Some(_) => {}
                            None => self.skip_lf = true,
                        }
                    }
                    i + 1
                }
                None => data.len(),
            },
            Discard::Pattern { pattern, tail } => {
                let kept = tail.len();
                tail.extend_from_slice(data);
                match memchr::memmem::find(tail, pattern) {
                    Some(i) => {
                        let end = i + pattern.len() - kept;
                        self.discard = None;
                        end
                    }
                    None => {
                        let keep = pattern.len().saturating_sub(1).min(tail.len());
                        tail.drain(..tail.len() - keep);
                        data.len()
                    }
                }
            }
        }
    }

    /// Erases the last character of the line being typed, if it is still here (as bytes, or
    /// as text a text read decoded but has not taken yet), never across a line start or a
    /// codec switch.
    fn erase(&mut self) {
        if self.bytes.is_empty() {
            if !matches!(
                self.text.chars().next_back(),
                None | Some('\r' | '\n' | '\0')
            ) {
                self.text.pop();
            }
            return;
        }
        let protected = self
            .switches
            .back()
            .map_or(0, |&(at, _)| at)
            .max(self.line_start);
        while self.bytes.len() > protected {
            let last = self.bytes.pop_back().unwrap_or(0);
            // UTF-8 continuation bytes go with the character they belong to.
            if last & 0xc0 != 0x80 {
                break;
            }
        }
    }

    /// Decodes every buffered byte into `text`, each stretch in the codec it arrived in.
    fn decode_all(&mut self, eof: bool) -> Result<()> {
        self.decode_prefix(self.bytes.len(), eof)
    }

    /// Decodes the first line waiting in `bytes` (through its terminator, a CR LF or CR NUL
    /// pair whole), or everything when there is no line end: the bytes after a line stay raw,
    /// so a byte read after a text read gets them unaltered, and a bad byte after a line does
    /// not fail the line.
    fn decode_line(&mut self, eof: bool) -> Result<()> {
        let ascii_lines = self
            .in_codec
            .or(self.encoding)
            .is_some_and(|c| c.is_ascii_compatible());
        let contiguous = self.bytes.make_contiguous();
        let end = match memchr::memchr2(b'\r', b'\n', contiguous) {
            Some(i) if ascii_lines => match (contiguous[i], contiguous.get(i + 1)) {
                (b'\r', Some(b'\n' | 0)) => i + 2,
                _ => i + 1,
            },
            _ => contiguous.len(),
        };
        self.decode_prefix(end, eof)
    }

    /// Decodes the first `n` buffered bytes into `text`, each stretch in its codec.
    fn decode_prefix(&mut self, n: usize, eof: bool) -> Result<()> {
        let mut left = n.min(self.bytes.len());
        while left > 0 {
            let end = self.switches.front().map_or(left, |&(at, _)| at.min(left));
            let Some(codec) = self.in_codec.or(self.encoding) else {
                return Ok(());
            };
            if self.decoder.as_ref().map(Decoder::codec) != Some(codec) {
                self.decoder = Some(codec.decoder(self.errors));
            }
            let decoder = self.decoder.as_mut().expect("decoder set above");
            let last = eof && end == self.bytes.len();
            self.bytes.make_contiguous();
            let result = decoder.decode(&self.bytes.as_slices().0[..end], &mut self.text, last);
            self.consume(end);
            left -= end;
            result?;
        }
        if self.bytes.is_empty() && self.bytes.capacity() > RELEASE_ABOVE {
            // All of it is text now: a burst's allocation is not kept beside the text.
            self.bytes = VecDeque::new();
        }
        Ok(())
    }

    /// Removes `n` bytes from the front and applies any codec switch reached.
    fn consume(&mut self, n: usize) {
        self.bytes.drain(..n);
        self.line_start = self.line_start.saturating_sub(n);
        for (at, _) in &mut self.switches {
            *at = at.saturating_sub(n);
        }
        self.apply_switches();
    }

    fn apply_switches(&mut self) {
        while let Some(&(0, codec)) = self.switches.front() {
            self.switches.pop_front();
            if self.in_codec != codec {
                self.in_codec = codec;
                self.decoder = None;
            }
        }
    }

    /// Takes `n` bytes from the front.
    fn take_bytes(&mut self, n: usize) -> Vec<u8> {
        let mut taken = Vec::with_capacity(n);
        let (a, b) = self.bytes.as_slices();
        if n <= a.len() {
            taken.extend_from_slice(&a[..n]);
        } else {
            taken.extend_from_slice(a);
            taken.extend_from_slice(&b[..n - a.len()]);
        }
        if n == self.bytes.len() && self.switches.is_empty() {
            self.bytes.clear();
            self.line_start = 0;
        } else {
            self.consume(n);
        }
        taken
    }

    /// Byte reads after text reads: characters decoded but not read go back to bytes.
    fn text_back_to_bytes(&mut self) -> Result<()> {
        if self.text.is_empty() {
            return Ok(());
        }
        let codec = self.in_codec.or(self.encoding).unwrap_or_else(Codec::utf8);
        let mut bytes = Vec::with_capacity(self.text.len());
        codec.encode(&self.text, Errors::Replace, &mut bytes)?;
        self.text.clear();
        for (at, _) in &mut self.switches {
            *at += bytes.len();
        }
        self.line_start = if self.line_start > 0 {
            self.line_start + bytes.len()
        } else {
            memchr::memrchr2(b'\r', b'\n', &bytes).map_or(0, |i| i + 1)
        };
        for byte in bytes.into_iter().rev() {
            self.bytes.push_front(byte);
        }
        Ok(())
    }

    fn drop_skipped_lf(&mut self) {
        if self.skip_lf {
            if let Some(&first) = self.bytes.front() {
                if first == b'\n' || first == 0 {
                    self.consume(1);
                }
                self.skip_lf = false;
            }
        }
    }

    fn drop_skipped_lf_text(&mut self) {
        if self.skip_lf {
            if let Some(first) = self.text.chars().next() {
                if first == '\n' || first == '\0' {
                    self.text.remove(0);
                }
                self.skip_lf = false;
            }
        }
    }

    /// Gives up on a line longer than `max_line`: hands over what was gathered, and drops the
    /// rest of the line as it arrives.
    fn over_long(&mut self, terminator: Terminator<'_>, max_line: usize, text: bool) -> Error {
        // Everything buffered is the line: handed over whole, without a copy.
        while let Some((_, codec)) = self.switches.pop_front() {
            if self.in_codec != codec {
                self.in_codec = codec;
                self.decoder = None;
            }
        }
        let bytes = Vec::from(std::mem::take(&mut self.bytes));
        self.line_start = 0;
        // A character cut at the limit belongs to the dropped line, not to the next one.
        self.decoder = None;
        let partial = if text {
            // Bytes not decoded yet (an incomplete character) belong to the line too.
            drop(bytes);
            Partial::Text(std::mem::take(&mut self.text))
        } else {
            Partial::Bytes(bytes)
        };
        self.discard = Some(match terminator {
            Terminator::Line => Discard::Line,
            Terminator::Pattern(pattern) => {
                // The gathered data may end in the pattern's start.
                let tail = match &partial {
                    Partial::Bytes(b) => b[b.len().saturating_sub(pattern.len() - 1)..].to_vec(),
                    Partial::Text(t) => {
                        let b = t.as_bytes();
                        b[b.len().saturating_sub(pattern.len() - 1)..].to_vec()
                    }
                    Partial::None => Vec::new(),
                };
                Discard::Pattern {
                    pattern: pattern.to_vec(),
                    tail,
                }
            }
        });
        log::warn!(
            "input line longer than max_line ({max_line} bytes): {} bytes handed over, the rest \
             of the line is dropped",
            partial.len()
        );
        Error::Limit(LimitError {
            what: "max_line",
            limit: max_line,
            partial,
        })
    }

    // ---------------------------------------------------------------------------------------
    // The reads: each returns `Ok(None)` for "not yet".

    pub(super) fn read_bytes(&mut self, max: usize) -> Result<Option<Vec<u8>>> {
        self.text_back_to_bytes()?;
        self.drop_skipped_lf();
        if self.bytes.is_empty() {
            return Ok(None);
        }
        let n = max.min(self.bytes.len());
        Ok(Some(self.take_bytes(n)))
    }

    pub(super) fn read_text(&mut self, max: usize, eof: bool) -> Result<Option<String>> {
        self.decode_all(eof)?;
        self.drop_skipped_lf_text();
        if self.text.is_empty() {
            return Ok(None);
        }
        let end = self
            .text
            .char_indices()
            .nth(max)
            .map_or(self.text.len(), |(i, _)| i);
        if end == self.text.len() {
            return Ok(Some(std::mem::take(&mut self.text)));
        }
        Ok(Some(self.text.drain(..end).collect()))
    }

    pub(super) fn readline_bytes(&mut self, eof: bool, max_line: usize) -> Result<Option<Vec<u8>>> {
        self.text_back_to_bytes()?;
        self.drop_skipped_lf();
        let (a, b) = self.bytes.as_slices();
        let found = memchr::memchr2(b'\n', b'\r', a)
            .or_else(|| memchr::memchr2(b'\n', b'\r', b).map(|i| i + a.len()));
        match found {
            Some(i) => {
                let mut line = self.take_bytes(i + 1);
                if line.last() == Some(&b'\r') {
                    match self.bytes.front() {
                        Some(b'\n') => line.extend(self.take_bytes(1)),
                        Some(0) => self.consume(1),
                        Some(_) => {}
                        None => self.skip_lf = true,
                    }
                }
                Ok(Some(line))
            }
            None if eof && !self.bytes.is_empty() => {
                let n = self.bytes.len();
                Ok(Some(self.take_bytes(n)))
            }
            None if self.bytes.len() >= max_line => {
                Err(self.over_long(Terminator::Line, max_line, false))
            }
            None => Ok(None),
        }
    }

    pub(super) fn readline_text(&mut self, eof: bool, max_line: usize) -> Result<Option<String>> {
        if !self.text.contains(['\n', '\r']) {
            self.decode_line(eof)?;
        }
        self.drop_skipped_lf_text();
        match self.text.find(['\n', '\r']) {
            Some(i) => {
                let mut line: String = self.text.drain(..=i).collect();
                if line.ends_with('\r') {
                    match self.text.chars().next() {
                        Some('\n') => {
                            self.text.remove(0);
                            line.push('\n');
                        }
                        Some('\0') => {
                            self.text.remove(0);
                        }
                        Some(_) => {}
                        None => self.skip_lf = true,
                    }
                }
                Ok(Some(line))
            }
            None if eof && !self.text.is_empty() => Ok(Some(std::mem::take(&mut self.text))),
            None if self.len() >= max_line => Err(self.over_long(Terminator::Line, max_line, true)),
            None => Ok(None),
        }
    }

    pub(super) fn read_until_bytes(
        &mut self,
        pattern: &[u8],
        max_line: usize,
    ) -> Result<Option<Vec<u8>>> {
        self.text_back_to_bytes()?;
        self.skip_lf = false;
        let haystack = self.bytes.make_contiguous();
        match memchr::memmem::find(haystack, pattern) {
            Some(i) => Ok(Some(self.take_bytes(i + pattern.len()))),
            None if self.bytes.len() >= max_line => {
                Err(self.over_long(Terminator::Pattern(pattern), max_line, false))
            }
            None => Ok(None),
        }
    }

    pub(super) fn read_until_text(
        &mut self,
        pattern: &str,
        eof: bool,
        max_line: usize,
    ) -> Result<Option<String>> {
        self.decode_all(eof)?;
        self.skip_lf = false;
        match self.text.find(pattern) {
            Some(i) => Ok(Some(self.text.drain(..i + pattern.len()).collect())),
            None if self.len() >= max_line => {
                Err(self.over_long(Terminator::Pattern(pattern.as_bytes()), max_line, true))
            }
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes_input() -> Input {
        Input::new(None, Errors::Strict, None)
    }

    #[test]
    fn an_over_long_line_is_handed_over_and_its_rest_dropped_to_the_line_end() {
        let mut input = bytes_input();
        input.append(&[b'x'; 10], &[]);
        assert_eq!(input.readline_bytes(false, 64).unwrap(), None);
        input.append(&[b'x'; 60], &[]);
        match input.readline_bytes(false, 64) {
            Err(Error::Limit(limit)) => {
                assert_eq!(limit.limit, 64);
                assert_eq!(limit.partial, Partial::Bytes(vec![b'x'; 70]));
            }
            other => panic!("{other:?}"),
        }
        input.append(&[b'y'; 100], &[]);
        input.append(b"yy\r", &[]);
        assert_eq!(input.len(), 0);
        input.append(b"\nnext\r\n", &[]);
        assert_eq!(
            input.readline_bytes(false, 64).unwrap(),
            Some(b"next\r\n".to_vec())
        );
    }

    #[test]
    fn an_over_long_pattern_read_drops_up_to_the_pattern_even_split() {
        let mut input = bytes_input();
        input.append(&[b'a'; 20], &[]);
        input.append(b"xx<e", &[]);
        assert!(matches!(
            input.read_until_bytes(b"<end>", 16),
            Err(Error::Limit(_))
        ));
        input.append(b"nd", &[]);
        input.append(b">rest", &[]);
        assert_eq!(
            input.read_bytes(usize::MAX).unwrap(),
            Some(b"rest".to_vec())
        );
    }

    #[test]
    fn marks_erase_and_switch_codecs_in_place() {
        let mut input = Input::new(Some(Codec::utf8()), Errors::Strict, Some(Codec::ascii()));
        input.append(b"abc", &[(3, Mark::Erase), (2, Mark::Erase)]);
        // Marks arrive in order; an erase out of order is applied where it stands.
        input.append(
            "xé".as_bytes(),
            &[(1, Mark::Codec(Some(Codec::utf8()))), (3, Mark::Erase)],
        );
        // The erase after the switch takes é (two bytes), not across the switch.
        assert_eq!(
            input.read_text(usize::MAX, false).unwrap(),
            Some("ax".into())
        );
        assert_eq!(input.codec(), Some(Codec::utf8()));
    }

    #[test]
    fn a_character_cut_at_max_line_does_not_reach_the_next_line() {
        let mut input = Input::new(Some(Codec::utf8()), Errors::Replace, Some(Codec::utf8()));
        input.append(b"abcde\xc3", &[]);
        assert!(matches!(
            input.readline_text(false, 5),
            Err(Error::Limit(_))
        ));
        input.append("\u{a9}rest\r\nnext\r\n".as_bytes()[..].as_ref(), &[]);
        assert_eq!(
            input.readline_text(false, 5).unwrap(),
            Some("next\r\n".into())
        );
    }

    #[test]
    fn bytes_after_a_text_line_stay_raw_for_a_byte_read() {
        // A text readline decodes only its line: what follows comes back unaltered.
        let mut input = Input::new(Some(Codec::utf8()), Errors::Replace, Some(Codec::ascii()));
        input.append(b"line\r\n\xff\x80\x01", &[]);
        assert_eq!(
            input.readline_text(false, 1 << 20).unwrap(),
            Some("line\r\n".into())
        );
        assert_eq!(
            input.read_bytes(usize::MAX).unwrap(),
            Some(b"\xff\x80\x01".to_vec())
        );
    }

    #[test]
    fn an_erase_reaches_text_a_waiting_read_decoded() {
        let mut input = Input::new(Some(Codec::utf8()), Errors::Strict, Some(Codec::ascii()));
        input.append(b"ab", &[]);
        assert_eq!(input.readline_text(false, 1 << 20).unwrap(), None);
        input.append(b"", &[(0, Mark::Erase)]);
        input.append(b"c\r\n", &[]);
        assert_eq!(
            input.readline_text(false, 1 << 20).unwrap(),
            Some("ac\r\n".into())
        );
    }

    #[test]
    fn a_bad_byte_after_a_line_fails_only_the_read_that_reaches_it() {
        let mut input = Input::new(Some(Codec::utf8()), Errors::Strict, Some(Codec::utf8()));
        input.append(b"ok\r\n\xff", &[]);
        assert_eq!(
            input.readline_text(false, 1 << 20).unwrap(),
            Some("ok\r\n".into())
        );
        assert!(matches!(
            input.readline_text(false, 1 << 20),
            Err(Error::Encoding(_))
        ));
    }

    #[test]
    fn erase_stops_at_the_last_line_end_found_when_appended() {
        let mut input = bytes_input();
        input.append(b"old\r\nab", &[]);
        input.append(b"", &[(0, Mark::Erase), (0, Mark::Erase), (0, Mark::Erase)]);
        assert_eq!(
            input.read_bytes(usize::MAX).unwrap(),
            Some(b"old\r\n".to_vec())
        );
        input.append(b"x\ry", &[(4, Mark::Erase)]);
        input.append(b"", &[(0, Mark::Erase)]);
        assert_eq!(input.read_bytes(usize::MAX).unwrap(), Some(b"x\r".to_vec()));
    }
}
