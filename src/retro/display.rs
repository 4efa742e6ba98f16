//! [`Display`]: server bytes to what an ANSI terminal shows.

use std::fmt::Write as _;

use super::tables::{atascii_control, font_encoding, petscii_control, Control, VIC_II_PALETTE};
use super::Retro;
use crate::encoding::{Codec, Decoder, Errors};
use crate::Result;

const ESC: u8 = 0x1b;

/// Bound on an escape sequence held back while it may still be a font selection: past it the
/// bytes go on as they came.
const MAX_SEQUENCE: usize = 64;

/// Where the escape-sequence scanner is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scan {
    Ground,
    /// After ESC.
    Escape,
    /// After ESC `[`; `intermediates` once a byte 0x20–0x2F came.
    Csi {
        intermediates: bool,
    },
}

/// The last line-end byte shown, for an LF that completes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineEnd {
    None,
    /// A CR shown as CR: an LF right after it is shown as LF.
    Cr,
    /// A line end shown as CR LF: an LF right after it is part of it.
    Newline,
}

/// Turns what a server sends into text for an ANSI terminal: decoding in the session's
/// encoding, following SyncTERM font selections, and translating PETSCII or ATASCII control
/// codes (see the [module docs](super)).
///
/// Feed it every byte the server sends, in order, with [`feed`](Self::feed), and call
/// [`finish`](Self::finish) at the end of the stream. Escape sequences are held back (at most
/// 64 bytes) only until it is clear whether they select a font.
///
/// ```
/// use telnetlib3::encoding::Errors;
/// use telnetlib3::retro::{Display, Retro};
///
/// let petscii = Retro::Petscii.codec().unwrap();
/// let mut display = Display::new(petscii, Errors::Replace).retro(Some(Retro::Petscii));
/// let mut screen = String::new();
/// // CLR, red, "Hi" (shifted PETSCII: upper case at 0xC1-0xDA), RETURN.
/// display.feed(b"\x93\x1c\xc8\x49\x0d", &mut screen)?;
/// assert_eq!(screen, "\x1b[2J\x1b[H\x1b[38;2;150;40;46mHi\r\n");
/// # Ok::<(), telnetlib3::Error>(())
/// ```
#[derive(Debug)]
pub struct Display {
    /// The encoding the session's negotiation chose.
    base: Codec,
    /// The font selected and its codec, which override `base`.
    font: Option<(u32, Codec)>,
    errors: Errors,
    decoder: Decoder,
    /// PETSCII or ATASCII control codes are translated.
    retro: Option<Retro>,
    follow_fonts: bool,
    ascii_eol: bool,
    /// The codec does not decode ESC and printable ASCII as themselves (PETSCII, ATASCII):
    /// CSI sequences go to the terminal as the bytes they are.
    raw_csi: bool,
    scan: Scan,
    /// The escape sequence being scanned.
    held: Vec<u8>,
    /// PETSCII RVS ON is in effect.
    reverse: bool,
    line_end: LineEnd,
    /// ATASCII ESC came: the next byte is shown as its glyph.
    literal: bool,
}

impl Display {
    /// A display for text in `codec`, undecodable bytes handled as `errors` says; no retro
    /// translation and no font following until turned on.
    #[must_use]
    pub fn new(codec: Codec, errors: Errors) -> Display {
        Display {
            base: codec,
            font: None,
            errors,
            decoder: codec.decoder(errors),
            retro: None,
            follow_fonts: false,
            ascii_eol: false,
            raw_csi: needs_raw_csi(codec),
            scan: Scan::Ground,
            held: Vec::new(),
            reverse: false,
            line_end: LineEnd::None,
            literal: false,
        }
    }

    /// Translates the control codes of this machine (PETSCII or ATASCII; `AtariSt` and `None`
    /// translate nothing). With a machine set, escape sequences mean nothing (as on the
    /// machine) and fonts are not followed.
    #[must_use]
    pub fn retro(mut self, retro: Option<Retro>) -> Self {
        self.retro = retro.filter(|r| r.translates());
        self
    }

    /// ATASCII: bytes 0x0D and 0x0A are CR and LF, not their glyphs (`--ascii-eol`), for
    /// BBSes that draw ATASCII art but end lines in ASCII.
    #[must_use]
    pub fn ascii_eol(mut self, on: bool) -> Self {
        self.ascii_eol = on;
        self
    }

    /// Follows SyncTERM font selections (`ESC [ 0 ; n SP D`): from the next byte on, text is
    /// decoded in font `n`'s encoding ([`SYNCTERM_FONTS`](super::SYNCTERM_FONTS)), and the
    /// sequence itself is consumed. A font whose encoding this build has no codec for is
    /// ignored. Off, the sequence goes on to the terminal like any other.
    #[must_use]
    pub fn follow_fonts(mut self, on: bool) -> Self {
        self.follow_fonts = on;
        self
    }

    /// The codec text is decoded in now: the selected font's, else the session's.
    #[must_use]
    pub fn codec(&self) -> Codec {
        self.font.map_or(self.base, |(_, codec)| codec)
    }

    /// The SyncTERM font selected, if any.
    #[must_use]
    pub fn font(&self) -> Option<u32> {
        self.font.map(|(font, _)| font)
    }

    /// The session's encoding changed (BINARY or CHARSET negotiation): text from here on is in
    /// `codec`, unless a font was selected. A character the old codec held back incomplete
    /// ends here (shown as `errors` says).
    ///
    /// # Errors
    /// [`Error::Encoding`](crate::Error::Encoding) with [`Errors::Strict`] when such a
    /// character was held back.
    pub fn set_codec(&mut self, codec: Codec, out: &mut String) -> Result<()> {
        self.base = codec;
        if self.font.is_none() && self.decoder.codec() != codec {
            self.use_codec(codec, out)?;
        }
        Ok(())
    }

    /// Translates `input`, appending to `out`.
    ///
    /// # Errors
    /// [`Error::Encoding`](crate::Error::Encoding) with [`Errors::Strict`] on bytes the codec
    /// cannot decode; what came before them has been appended to `out`.
    pub fn feed(&mut self, input: &[u8], out: &mut String) -> Result<()> {
        match self.retro {
            Some(retro) => self.feed_retro(retro, input, out),
            None => self.feed_ansi(input, out),
        }
    }

    /// The stream ended: whatever is held back (an unfinished escape sequence, an incomplete
    /// character) is shown.
    ///
    /// # Errors
    /// [`Error::Encoding`](crate::Error::Encoding) with [`Errors::Strict`] when the stream
    /// ends inside a character.
    pub fn finish(&mut self, out: &mut String) -> Result<()> {
        self.release(out)?;
        self.decoder.decode(&[], out, true)
    }

    fn decode(&mut self, bytes: &[u8], out: &mut String) -> Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        self.decoder.decode(bytes, out, false)
    }

    /// Ends the current decoder's stream and decodes in `codec` from here on.
    fn use_codec(&mut self, codec: Codec, out: &mut String) -> Result<()> {
        let ended = self.decoder.decode(&[], out, true);
        self.decoder = codec.decoder(self.errors);
        self.raw_csi = needs_raw_csi(codec);
        ended
    }

    /// Hands a held escape sequence on to the decoder, as the bytes it is.
    fn release(&mut self, out: &mut String) -> Result<()> {
        self.scan = Scan::Ground;
        let held = std::mem::take(&mut self.held);
        let result = self.decode(&held, out);
        self.held = held;
        self.held.clear();
        result
    }

    /// Decoding with escape sequences scanned for font selections (and, for codecs that do
    /// not decode ASCII as ASCII, passed on as bytes).
    fn feed_ansi(&mut self, input: &[u8], out: &mut String) -> Result<()> {
        // input[start..i] is plain text not yet decoded.
        let mut start = 0;
        let mut i = 0;
        while let Some(&byte) = input.get(i) {
            match self.scan {
                Scan::Ground if byte != ESC => {
                    // Plain text up to the next ESC.
                    i = memchr::memchr(ESC, &input[i..]).map_or(input.len(), |at| i + at);
                    continue;
                }
                Scan::Ground => {
                    self.decode(&input[start..i], out)?;
                    self.held.push(byte);
                    self.scan = Scan::Escape;
                    start = i + 1;
                }
                Scan::Escape if byte == b'[' => {
                    self.held.push(byte);
                    self.scan = Scan::Csi {
                        intermediates: false,
                    };
                    start = i + 1;
                }
                Scan::Escape => {
                    // Not a CSI: the ESC goes on, and this byte is looked at again.
                    self.release(out)?;
                    start = i;
                    continue;
                }
                Scan::Csi { intermediates } => {
                    match byte {
                        0x30..=0x3f if !intermediates => self.held.push(byte),
                        0x20..=0x2f => {
                            self.held.push(byte);
                            self.scan = Scan::Csi {
                                intermediates: true,
                            };
                        }
                        0x40..=0x7e => {
                            self.held.push(byte);
                            self.complete(out)?;
                        }
                        _ => {
                            self.release(out)?;
                            start = i;
                            continue;
                        }
                    }
                    if self.held.len() >= MAX_SEQUENCE {
                        self.release(out)?;
                    }
                    start = i + 1;
                }
            }
            i += 1;
        }
        self.decode(&input[start..], out)
    }

    /// A complete CSI sequence is held: a font selection, or something for the terminal.
    fn complete(&mut self, out: &mut String) -> Result<()> {
        self.scan = Scan::Ground;
        if let Some(font) = font_selection(&self.held) {
            if self.follow_fonts {
                let name = font_encoding(font);
                match name.and_then(Codec::lookup) {
                    Some(codec) => {
                        log::debug!("SyncTERM font {font}: {}", codec.name());
                        self.held.clear();
                        self.font = Some((font, codec));
                        return self.use_codec(codec, out);
                    }
                    None => log::debug!(
                        "SyncTERM font {font} ({}): no codec here, kept {}",
                        name.unwrap_or("unknown"),
                        self.codec().name()
                    ),
                }
            } else {
                log::debug!(
                    "SyncTERM font {font} ignored: the encoding was given ({})",
                    self.codec().name()
                );
            }
        }
        if self.raw_csi {
            // ESC, '[' and bytes 0x20-0x7E only: ASCII.
            out.extend(self.held.iter().map(|&b| char::from(b)));
            self.held.clear();
            Ok(())
        } else {
            self.release(out)
        }
    }

    /// Decoding with the machine's control codes translated.
    fn feed_retro(&mut self, retro: Retro, input: &[u8], out: &mut String) -> Result<()> {
        let mut start = 0;
        for (i, &byte) in input.iter().enumerate() {
            let line_end = std::mem::replace(&mut self.line_end, LineEnd::None);
            if self.literal {
                self.literal = false;
                continue;
            }
            let control = match retro {
                Retro::Petscii => petscii_control(byte),
                Retro::Atascii => atascii_control(byte, self.ascii_eol),
                Retro::AtariSt => None,
            };
            let Some(control) = control else {
                continue;
            };
            self.decode(&input[start..i], out)?;
            start = i + 1;
            match control {
                Control::Ansi(ansi) => out.push_str(ansi),
                Control::Color(index) => {
                    let (r, g, b) = VIC_II_PALETTE[index % VIC_II_PALETTE.len()];
                    let _ = write!(out, "\x1b[38;2;{r};{g};{b}m");
                }
                Control::ReverseOn => {
                    self.reverse = true;
                    out.push_str("\x1b[7m");
                }
                Control::ReverseOff => {
                    self.reverse = false;
                    out.push_str("\x1b[27m");
                }
                Control::CarriageReturn => {
                    out.push('\r');
                    self.line_end = LineEnd::Cr;
                }
                Control::Newline => {
                    if std::mem::take(&mut self.reverse) {
                        out.push_str("\x1b[27m");
                    }
                    out.push_str("\r\n");
                    self.line_end = LineEnd::Newline;
                }
                Control::LineFeed => match line_end {
                    LineEnd::Newline => {}
                    LineEnd::Cr => out.push('\n'),
                    LineEnd::None => out.push_str("\r\n"),
                },
                Control::Literal => self.literal = true,
                Control::Nothing => {}
            }
        }
        self.decode(&input[start..], out)
    }
}

/// The font number of a SyncTERM font selection for the primary font, `ESC [ 0 ; n SP D`.
fn font_selection(sequence: &[u8]) -> Option<u32> {
    let params = sequence.strip_prefix(b"\x1b[")?.strip_suffix(b" D")?;
    let mut parts = params.split(|&b| b == b';');
    let slot = number(parts.next()?)?;
    let font = number(parts.next()?)?;
    (parts.next().is_none() && slot == 0).then_some(font)
}

/// A decimal number of at most 9 digits.
fn number(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(digits.iter().fold(0, |n, &d| n * 10 + u32::from(d - b'0')))
}

/// Whether `codec` does not decode ESC and the printable ASCII bytes as themselves (PETSCII,
/// ATASCII, EBCDIC; ISO-2022-JP, whose escapes other than CSI still reach it), so CSI
/// sequences must reach the terminal as bytes. Never for UTF-16, where those bytes may be
/// halves of other characters.
pub(super) fn needs_raw_csi(codec: Codec) -> bool {
    if let Some(encoding) = codec.encoding_rs() {
        if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
            return false;
        }
    }
    let probe: Vec<u8> = std::iter::once(ESC).chain(0x20..=0x7e).collect();
    let mut text = String::new();
    let decoded = codec.decode(&probe, Errors::Replace, &mut text).is_ok();
    !(decoded && text.bytes().eq(probe.iter().copied()))
}
