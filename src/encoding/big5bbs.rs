//! Big5-BBS, the byte stream of Taiwanese BBSes (PTT, DreamBBS; the PCMan and PCManX
//! clients): Big5 text mixed with single high bytes of half-width art, as telnetlib3 5.0.1's
//! `big5bbs` codec reads and writes it.
//!
//! Decoding, byte by byte:
//! - a lead byte 0xA1–0xFE followed by a trail byte (0x40–0x7E or 0xA1–0xFE) that together
//!   are a character of Python's `big5` codec: that character;
//! - any other lead byte 0xA1–0xFE: its CP437 character, and the byte after it is read afresh;
//! - every other byte (0x00–0xA0 and 0xFF): its ISO-8859-1 character.
//!
//! Every byte decodes, so decoding never fails. A lead byte at the end of a read is held until
//! the next one shows whether a trail byte follows.
//!
//! Encoding, character by character: Big5 (Python's `big5`, which also encodes ASCII as
//! itself), else the byte that decodes to it as ISO-8859-1 (U+0080–U+00A0, U+00FF), else
//! CP437, else unmappable. Text does not always come back as it went: a CP437 byte below 0xA1
//! decodes as ISO-8859-1 (é, encoded 0x82 as telnetlib3 does, comes back U+0082), and a CP437
//! lead byte takes the next byte with it when the two make a Big5 pair.
//!
//! One deliberate difference from telnetlib3 5.0.1: it refuses to encode U+0080–U+009F,
//! encodes U+00A0 as 0xFF (which decodes as ÿ) and ÿ as 0x98 (which decodes as U+0098), though
//! its own decoder produces all of them; here each encodes to the byte it came from, so
//! decoding and encoding again gives the same bytes.

use std::sync::OnceLock;

use super::big5_table::{BIG5, TRAILS};
use super::tables::CP437;

/// The Big5 character of the pair `lead`, `trail`, if Python's big5 has one.
pub(super) fn pair(lead: u8, trail: u8) -> Option<char> {
    let column = match trail {
        0x40..=0x7E => usize::from(trail - 0x40),
        0xA1..=0xFE => usize::from(trail - 0xA1) + 63,
        _ => return None,
    };
    let row = usize::from(lead.checked_sub(0xA1)?);
    let code = *BIG5.get(row * TRAILS + column)?;
    if code == 0 {
        None
    } else {
        char::from_u32(u32::from(code))
    }
}

/// True for the bytes that may start a Big5 pair.
#[inline]
pub(super) fn is_lead(b: u8) -> bool {
    matches!(b, 0xA1..=0xFE)
}

/// The character of a byte that is not part of a pair.
#[inline]
fn single(b: u8) -> char {
    if is_lead(b) {
        // CP437 has a character for every byte.
        CP437.decode_byte(b).unwrap_or(char::REPLACEMENT_CHARACTER)
    } else {
        char::from(b)
    }
}

/// Decodes `input` after the lead byte `held` (if any), appending to `out`. A lead byte at the
/// end is left in `held` unless `last`.
pub(super) fn decode(held: &mut Option<u8>, input: &[u8], out: &mut String, last: bool) {
    out.reserve(input.len());
    let mut rest = input;
    if let Some(lead) = held.take() {
        match rest.split_first() {
            None if !last => {
                *held = Some(lead);
                return;
            }
            None => out.push(single(lead)),
            Some((&trail, after)) => match pair(lead, trail) {
                Some(c) => {
                    out.push(c);
                    rest = after;
                }
                None => out.push(single(lead)),
            },
        }
    }
    loop {
        let ascii = encoding_rs::Encoding::ascii_valid_up_to(rest);
        let (run, tail) = rest.split_at(ascii);
        // ASCII, so valid UTF-8.
        out.push_str(std::str::from_utf8(run).unwrap_or_default());
        let Some((&b, after)) = tail.split_first() else {
            return;
        };
        rest = after;
        if !is_lead(b) {
            out.push(char::from(b));
            continue;
        }
        match rest.first() {
            None if !last => {
                *held = Some(b);
                return;
            }
            Some(&trail) => match pair(b, trail) {
                Some(c) => {
                    out.push(c);
                    rest = rest.get(1..).unwrap_or(&[]);
                }
                None => out.push(single(b)),
            },
            None => out.push(single(b)),
        }
    }
}

/// Every Big5 character with its pair, sorted by character; where two pairs decode to one
/// character, the later pair, as Python's big5 encoder has it. Built on first use.
fn reverse() -> &'static [(char, [u8; 2])] {
    static REVERSE: OnceLock<Vec<(char, [u8; 2])>> = OnceLock::new();
    REVERSE.get_or_init(|| {
        let mut all: Vec<(char, [u8; 2])> = Vec::with_capacity(14_000);
        for lead in 0xA1..=0xFEu8 {
            for trail in (0x40..=0x7Eu8).chain(0xA1..=0xFE) {
                if let Some(c) = pair(lead, trail) {
                    all.push((c, [lead, trail]));
                }
            }
        }
        // Pairs are pushed in increasing order, and the sort is stable, so the last pair of
        // each character is the one to keep.
        all.sort_by_key(|&(c, _)| c);
        let mut kept: Vec<(char, [u8; 2])> = Vec::with_capacity(all.len());
        for entry in all {
            match kept.last_mut() {
                Some(last) if last.0 == entry.0 => *last = entry,
                _ => kept.push(entry),
            }
        }
        kept
    })
}

/// Appends the bytes of `c`: one for ASCII, two for Big5, one from CP437. False, with nothing
/// appended, when `c` has none.
pub(super) fn encode_char(c: char, out: &mut Vec<u8>) -> bool {
    if let Ok(b) = u8::try_from(u32::from(c)) {
        if b.is_ascii() {
            out.push(b);
            return true;
        }
    }
    let table = reverse();
    if let Ok(i) = table.binary_search_by_key(&c, |&(ch, _)| ch) {
        if let Some((_, bytes)) = table.get(i) {
            out.extend_from_slice(bytes);
            return true;
        }
    }
    // The characters single bytes 0x80-0xA0 and 0xFF decode to (ISO-8859-1) encode back to
    // those bytes, so that they survive a round trip (see the module docs).
    if let Ok(b @ (0x80..=0xA0 | 0xFF)) = u8::try_from(u32::from(c)) {
        out.push(b);
        return true;
    }
    match CP437.encode_char(c) {
        Some(b) => {
            out.push(b);
            true
        }
        None => false,
    }
}
