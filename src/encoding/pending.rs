//! How many bytes an encoding_rs decoder holds back between calls.
//!
//! encoding_rs does not say how many bytes of an incomplete character it keeps, so this follows
//! the byte structure of each WHATWG decoder (the lead/trail logic of the spec, without the
//! mapping tables) alongside it:
//! - single-byte encodings never hold anything back;
//! - UTF-8 and UTF-16 are worked out from the last few bytes of the stream;
//! - Shift_JIS, Big5, EUC-KR, EUC-JP, GBK/gb18030 and ISO-2022-JP run a small state machine over
//!   the bytes since the last byte after which the decoder is known to hold nothing (any ASCII
//!   byte, for the ASCII-compatible ones), so mostly-ASCII text costs next to nothing.
//!
//! The property tests check the count against encoding_rs itself for every family.

use encoding_rs::Encoding;

/// How many of the stream's last bytes are kept, for UTF-8/UTF-16 and for error messages.
pub(super) const TAIL: usize = 8;

/// ISO-2022-JP decoder states (WHATWG names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Jis {
    Ascii,
    Roman,
    Katakana,
    LeadByte,
    TrailByte,
    EscapeStart,
    Escape,
}

/// The byte structure of one encoding family, with its state.
#[derive(Clone, Copy, Debug)]
pub(super) enum Family {
    /// One byte, one character: nothing is ever held.
    SingleByte,
    /// UTF-8: worked out from the tail.
    Utf8,
    /// UTF-16: worked out from the tail and the parity of the byte count.
    Utf16 { big_endian: bool },
    /// Shift_JIS (`sjis`), Big5, EUC-KR: a lead byte, then one byte that always ends the pair.
    DoubleByte { sjis: bool, lead: u8 },
    /// EUC-JP: a lead byte, or 0x8F and a second lead (JIS X 0212).
    EucJp { lead: u8, jis0212: bool },
    /// GBK and gb18030: up to three bytes of a four-byte sequence.
    Gb18030 { first: u8, second: u8, third: u8 },
    /// ISO-2022-JP: escape sequences and two-byte JIS X 0208 characters.
    Iso2022Jp { state: Jis, output: Jis, lead: u8 },
}

/// Tracks what a decoder holds: the family state, the last bytes seen, the byte parity.
#[derive(Clone, Debug)]
pub(super) struct Tracker {
    family: Family,
    tail: [u8; TAIL],
    tail_len: usize,
    odd: bool,
}

impl Tracker {
    /// A tracker for a fresh decoder of `encoding`.
    pub(super) fn new(encoding: &'static Encoding) -> Tracker {
        let family = if encoding == encoding_rs::UTF_8 {
            Family::Utf8
        } else if encoding == encoding_rs::UTF_16LE {
            Family::Utf16 { big_endian: false }
        } else if encoding == encoding_rs::UTF_16BE {
            Family::Utf16 { big_endian: true }
        } else if encoding == encoding_rs::SHIFT_JIS {
            Family::DoubleByte {
                sjis: true,
                lead: 0,
            }
        } else if encoding == encoding_rs::BIG5 || encoding == encoding_rs::EUC_KR {
            Family::DoubleByte {
                sjis: false,
                lead: 0,
            }
        } else if encoding == encoding_rs::EUC_JP {
            Family::EucJp {
                lead: 0,
                jis0212: false,
            }
        } else if encoding == encoding_rs::GBK || encoding == encoding_rs::GB18030 {
            Family::Gb18030 {
                first: 0,
                second: 0,
                third: 0,
            }
        } else if encoding == encoding_rs::ISO_2022_JP {
            Family::Iso2022Jp {
                state: Jis::Ascii,
                output: Jis::Ascii,
                lead: 0,
            }
        } else {
            // The single-byte encodings and x-user-defined (replacement is never looked up).
            Family::SingleByte
        };
        Tracker {
            family,
            tail: [0; TAIL],
            tail_len: 0,
            odd: false,
        }
    }

    /// The last bytes of the stream (at most [`TAIL`]), oldest first.
    pub(super) fn tail(&self) -> &[u8] {
        self.tail.get(..self.tail_len).unwrap_or(&[])
    }

    /// Follows the decoder over `input`, which it has just consumed in full.
    pub(super) fn feed(&mut self, input: &[u8]) {
        self.push_tail(input);
        match &mut self.family {
            Family::SingleByte | Family::Utf8 => {}
            Family::Utf16 { .. } => self.odd ^= input.len() % 2 == 1,
            Family::DoubleByte { sjis, lead } => {
                // After any ASCII byte the decoder holds nothing (a lead followed by an ASCII
                // byte either forms a pair or is an error with the ASCII byte reprocessed).
                let from = sync_point(input, |b| b < 0x80, lead);
                for &b in from {
                    if *lead != 0 {
                        *lead = 0;
                    } else if is_dbcs_lead(*sjis, b) {
                        *lead = b;
                    }
                }
            }
            Family::EucJp { lead, jis0212 } => {
                if let Some(p) = input.iter().rposition(|&b| b < 0x80) {
                    *lead = 0;
                    *jis0212 = false;
                    euc_jp(lead, jis0212, input.get(p + 1..).unwrap_or(&[]));
                } else {
                    euc_jp(lead, jis0212, input);
                }
            }
            Family::Gb18030 {
                first,
                second,
                third,
            } => {
                // An ASCII byte other than a digit leaves nothing held, whatever came before.
                let from = match input.iter().rposition(|&b| b < 0x80 && !b.is_ascii_digit()) {
                    Some(p) => {
                        (*first, *second, *third) = (0, 0, 0);
                        input.get(p + 1..).unwrap_or(&[])
                    }
                    None => input,
                };
                for &b in from {
                    gb18030(first, second, third, b);
                }
            }
            Family::Iso2022Jp {
                state,
                output,
                lead,
            } => {
                for &b in input {
                    iso_2022_jp(state, output, lead, b);
                }
            }
        }
    }

    /// Bytes the decoder holds back for a character not yet complete.
    pub(super) fn pending(&self) -> usize {
        match self.family {
            Family::SingleByte => 0,
            Family::Utf8 => utf8_pending(self.tail()),
            Family::Utf16 { big_endian } => utf16_pending(self.tail(), self.odd, big_endian),
            Family::DoubleByte { lead, .. } => usize::from(lead != 0),
            Family::EucJp { lead, jis0212 } => match (lead, jis0212) {
                (0, _) => 0,
                (_, false) => 1,
                (_, true) => 2,
            },
            Family::Gb18030 {
                first,
                second,
                third,
            } => {
                if third != 0 {
                    3
                } else if second != 0 {
                    2
                } else {
                    usize::from(first != 0)
                }
            }
            Family::Iso2022Jp { state, .. } => match state {
                Jis::EscapeStart | Jis::TrailByte => 1,
                Jis::Escape => 2,
                Jis::Ascii | Jis::Roman | Jis::Katakana | Jis::LeadByte => 0,
            },
        }
    }

    fn push_tail(&mut self, input: &[u8]) {
        if input.len() >= TAIL {
            if let Some(last) = input.get(input.len() - TAIL..) {
                self.tail.copy_from_slice(last);
                self.tail_len = TAIL;
            }
            return;
        }
        // Keep the newest `keep` old bytes, then all of `input`.
        let keep = (TAIL - input.len()).min(self.tail_len);
        self.tail
            .copy_within(self.tail_len - keep..self.tail_len, 0);
        if let Some(dst) = self.tail.get_mut(keep..keep + input.len()) {
            dst.copy_from_slice(input);
        }
        self.tail_len = keep + input.len();
    }
}

/// The part of `input` after its last byte matching `sync` (resetting `lead`), or all of it.
fn sync_point<'a>(input: &'a [u8], sync: impl Fn(u8) -> bool, lead: &mut u8) -> &'a [u8] {
    match input.iter().rposition(|&b| sync(b)) {
        Some(p) => {
            *lead = 0;
            input.get(p + 1..).unwrap_or(&[])
        }
        None => input,
    }
}

fn is_dbcs_lead(sjis: bool, b: u8) -> bool {
    if sjis {
        matches!(b, 0x81..=0x9F | 0xE0..=0xFC)
    } else {
        matches!(b, 0x81..=0xFE)
    }
}

fn euc_jp(lead: &mut u8, jis0212: &mut bool, input: &[u8]) {
    for &b in input {
        if *lead != 0 {
            let l = *lead;
            *lead = 0;
            if l == 0x8F && matches!(b, 0xA1..=0xFE) {
                *lead = b;
                *jis0212 = true;
            } else {
                // The pair is done (or an error, an ASCII byte being reprocessed as ASCII).
                *jis0212 = false;
            }
        } else if matches!(b, 0x8E | 0x8F | 0xA1..=0xFE) {
            *lead = b;
        }
    }
}

/// One byte of the WHATWG gb18030 decoder, with its "restore to the input" steps.
fn gb18030(first: &mut u8, second: &mut u8, third: &mut u8, byte: u8) {
    // Bytes to process before the next input byte; the top of the stack comes first.
    let mut stack = [0u8; 8];
    let mut sp = 0;
    push(&mut stack, &mut sp, byte);
    while sp > 0 {
        sp -= 1;
        let b = stack.get(sp).copied().unwrap_or(0);
        if *third != 0 {
            if !b.is_ascii_digit() {
                // Restore « second, third, byte ».
                push(&mut stack, &mut sp, b);
                push(&mut stack, &mut sp, *third);
                push(&mut stack, &mut sp, *second);
            }
            (*first, *second, *third) = (0, 0, 0);
        } else if *second != 0 {
            if matches!(b, 0x81..=0xFE) {
                *third = b;
            } else {
                // Restore « second, byte ».
                push(&mut stack, &mut sp, b);
                push(&mut stack, &mut sp, *second);
                (*first, *second) = (0, 0);
            }
        } else if *first != 0 {
            if b.is_ascii_digit() {
                *second = b;
            } else {
                // A pair (or an error, an ASCII byte being reprocessed with nothing held).
                *first = 0;
            }
        } else if matches!(b, 0x81..=0xFE) {
            *first = b;
        }
    }
}

/// Pushes `b` on a restore stack (which never fills: at most three bytes are restored at once).
fn push(stack: &mut [u8], sp: &mut usize, b: u8) {
    if let Some(slot) = stack.get_mut(*sp) {
        *slot = b;
        *sp += 1;
    }
}

/// One byte of the WHATWG ISO-2022-JP decoder, with its "restore to the input" steps.
fn iso_2022_jp(state: &mut Jis, output: &mut Jis, lead: &mut u8, byte: u8) {
    let mut stack = [0u8; 8];
    let mut sp = 0;
    push(&mut stack, &mut sp, byte);
    while sp > 0 {
        sp -= 1;
        let b = stack.get(sp).copied().unwrap_or(0);
        match *state {
            Jis::Ascii | Jis::Roman | Jis::Katakana | Jis::LeadByte => {
                if b == 0x1B {
                    *state = Jis::EscapeStart;
                } else if *state == Jis::LeadByte && matches!(b, 0x21..=0x7E) {
                    *state = Jis::TrailByte;
                }
            }
            Jis::TrailByte => {
                *state = if b == 0x1B {
                    Jis::EscapeStart
                } else {
                    Jis::LeadByte
                };
            }
            Jis::EscapeStart => {
                if b == 0x24 || b == 0x28 {
                    *lead = b;
                    *state = Jis::Escape;
                } else {
                    // Restore « byte » and go back to the output state.
                    push(&mut stack, &mut sp, b);
                    *state = *output;
                }
            }
            Jis::Escape => {
                let l = *lead;
                *lead = 0;
                let next = match (l, b) {
                    (0x28, 0x42) => Some(Jis::Ascii),
                    (0x28, 0x4A) => Some(Jis::Roman),
                    (0x28, 0x49) => Some(Jis::Katakana),
                    (0x24, 0x40 | 0x42) => Some(Jis::LeadByte),
                    _ => None,
                };
                if let Some(next) = next {
                    *state = next;
                    *output = next;
                } else {
                    // Restore « lead, byte »: lead is processed first.
                    push(&mut stack, &mut sp, b);
                    push(&mut stack, &mut sp, l);
                    *state = *output;
                }
            }
        }
    }
}

/// Bytes at the end of a UTF-8 stream that start a character not yet complete (WHATWG UTF-8
/// decoder: a valid prefix of a sequence, at most three bytes).
fn utf8_pending(tail: &[u8]) -> usize {
    let start = tail.len().saturating_sub(3);
    let last3 = tail.get(start..).unwrap_or(&[]);
    for (i, &b) in last3.iter().enumerate().rev() {
        if b & 0xC0 == 0x80 {
            continue;
        }
        let need = match b {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => return 0,
        };
        let have = last3.len() - i;
        if have >= need {
            return 0;
        }
        if let Some(&second) = last3.get(i + 1) {
            let ok = match b {
                0xE0 => matches!(second, 0xA0..=0xBF),
                0xED => matches!(second, 0x80..=0x9F),
                0xF0 => matches!(second, 0x90..=0xBF),
                0xF4 => matches!(second, 0x80..=0x8F),
                _ => true, // already known to be a continuation byte
            };
            if !ok {
                return 0;
            }
        }
        return have;
    }
    // Only continuation bytes: any sequence they end is complete or already an error.
    0
}

/// Bytes at the end of a UTF-16 stream held back: an odd byte, and a high surrogate waiting for
/// its low half.
fn utf16_pending(tail: &[u8], odd: bool, big_endian: bool) -> usize {
    let odd_byte = usize::from(odd);
    let end = tail.len().saturating_sub(odd_byte);
    let unit = match end.checked_sub(2).and_then(|s| tail.get(s..end)) {
        Some(&[a, b]) if big_endian => u16::from_be_bytes([a, b]),
        Some(&[a, b]) => u16::from_le_bytes([a, b]),
        _ => return odd_byte,
    };
    if (0xD800..=0xDBFF).contains(&unit) {
        odd_byte + 2
    } else {
        odd_byte
    }
}
