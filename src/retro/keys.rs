//! [`Keys`]: an ANSI terminal's keys to what a PETSCII or ATASCII BBS expects.

use super::tables::{ATASCII_KEYS, PETSCII_KEYS};
use super::Retro;
use crate::encoding::{Codec, Errors};
use crate::Result;

const ESC: u8 = 0x1b;

/// Bound on an escape sequence being gathered: past it the bytes go out as they came.
const MAX_SEQUENCE: usize = 16;

/// Turns keyboard bytes (from a terminal in raw mode, or lines from a pipe) into the bytes a
/// Commodore 64 or Atari 8-bit BBS expects:
///
/// | key | PETSCII | ATASCII |
/// |---|---|---|
/// | ↑ ↓ → ← (`ESC [ A`…, `ESC O A`…) | 0x91 0x11 0x1D 0x9D | 0x1C 0x1D 0x1F 0x1E |
/// | Delete (`ESC [ 3 ~`) | 0x14 DEL | 0x7E backspace |
/// | Home (`ESC [ H`), Insert (`ESC [ 2 ~`) | 0x13 HOME, 0x94 INST | as typed |
/// | Backspace (DEL or BS) | 0x14 DEL | 0x7E backspace |
/// | Enter (CR, LF or CR LF) | 0x0D RETURN | 0x9B EOL (CR LF with `ascii_eol`) |
/// | Tab | as typed | 0x7F tab |
///
/// With `ansi_keys` the escape sequences (and ATASCII's Tab) go out as the terminal sent them.
/// Other escape sequences and control bytes go out unchanged; typed characters are encoded in
/// the retro codec (in PETSCII, `a` is 0x41 and `A` is 0xC1).
///
/// An escape sequence may arrive split across reads: while [`pending`](Self::pending), the
/// caller waits up to [`ESC_DELAY`](super::ESC_DELAY) for more input, then calls
/// [`flush`](Self::flush) (a lone ESC was the ESC key).
///
/// ```
/// use telnetlib3::encoding::Errors;
/// use telnetlib3::retro::{Keys, Retro};
///
/// let atascii = Retro::Atascii.codec().unwrap();
/// let mut keys = Keys::new(Retro::Atascii, atascii, Errors::Replace).unwrap();
/// let mut wire = Vec::new();
/// keys.feed(b"\x1b[A\x7f\r", &mut wire)?; // up, backspace, Enter
/// assert_eq!(wire, b"\x1c\x7e\x9b");
/// # Ok::<(), telnetlib3::Error>(())
/// ```
#[derive(Debug)]
pub struct Keys {
    retro: Retro,
    codec: Codec,
    errors: Errors,
    ansi_keys: bool,
    ascii_eol: bool,
    /// An escape sequence being gathered.
    sequence: Vec<u8>,
    /// Typed characters not encoded yet (never kept past a call).
    text: String,
    /// The start of a UTF-8 character not complete yet.
    utf8: Vec<u8>,
    /// The last byte was CR: an LF right after it belongs to the same Enter.
    after_cr: bool,
}

impl Keys {
    /// Keys for `retro`'s BBSes, characters encoded in `codec` as `errors` says. `None` for a
    /// retro encoding without key translation (Atari ST).
    #[must_use]
    pub fn new(retro: Retro, codec: Codec, errors: Errors) -> Option<Keys> {
        retro.translates().then(|| Keys {
            retro,
            codec,
            errors,
            ansi_keys: false,
            ascii_eol: false,
            sequence: Vec::new(),
            text: String::new(),
            utf8: Vec::new(),
            after_cr: false,
        })
    }

    /// Sends the terminal's escape sequences for cursor and editing keys unchanged
    /// (`--ansi-keys`), for BBSes that read ANSI keys.
    #[must_use]
    pub fn ansi_keys(mut self, on: bool) -> Self {
        self.ansi_keys = on;
        self
    }

    /// ATASCII: Enter sends CR LF instead of 0x9B (`--ascii-eol`).
    #[must_use]
    pub fn ascii_eol(mut self, on: bool) -> Self {
        self.ascii_eol = on;
        self
    }

    /// Whether the start of an escape sequence is held back, waiting for the rest.
    #[must_use]
    pub fn pending(&self) -> bool {
        !self.sequence.is_empty()
    }

    /// Sends what is held back as it came: no more input arrived within
    /// [`ESC_DELAY`](super::ESC_DELAY).
    pub fn flush(&mut self, out: &mut Vec<u8>) {
        out.append(&mut self.sequence);
    }

    /// Translates `input`, appending the bytes to send to `out`.
    ///
    /// # Errors
    /// [`Error::Encoding`](crate::Error::Encoding) with [`Errors::Strict`] when a typed
    /// character has no byte in the codec; `out` may then hold part of the input's bytes.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<()> {
        for &byte in input {
            if self.sequence.is_empty() {
                self.byte(byte, out)?;
            } else {
                self.sequence.push(byte);
                self.step(out)?;
            }
        }
        self.encode_text(out)
    }

    fn table(&self) -> &'static [(&'static [u8], &'static [u8])] {
        match (self.ansi_keys, self.retro) {
            (false, Retro::Petscii) => PETSCII_KEYS,
            (false, Retro::Atascii) => ATASCII_KEYS,
            _ => &[],
        }
    }

    /// One byte outside an escape sequence.
    fn byte(&mut self, byte: u8, out: &mut Vec<u8>) -> Result<()> {
        let after_cr = std::mem::take(&mut self.after_cr);
        if byte >= 0x20 && byte != 0x7f {
            self.typed(byte);
            return Ok(());
        }
        self.end_utf8();
        self.encode_text(out)?;
        let atascii = self.retro == Retro::Atascii;
        match byte {
            ESC => self.sequence.push(ESC),
            b'\n' if after_cr => {}
            b'\r' | b'\n' => {
                self.after_cr = byte == b'\r';
                match self.retro {
                    Retro::Atascii if self.ascii_eol => out.extend_from_slice(b"\r\n"),
                    Retro::Atascii => out.push(0x9b),
                    _ => out.push(0x0d),
                }
            }
            0x7f | 0x08 => out.push(if atascii { 0x7e } else { 0x14 }),
            b'\t' if atascii && !self.ansi_keys => out.push(0x7f),
            _ => out.push(byte),
        }
        Ok(())
    }

    /// A byte of a typed character.
    fn typed(&mut self, byte: u8) {
        if byte < 0x80 {
            self.end_utf8();
            self.text.push(char::from(byte));
            return;
        }
        self.utf8.push(byte);
        match std::str::from_utf8(&self.utf8) {
            Ok(c) => {
                self.text.push_str(c);
                self.utf8.clear();
            }
            Err(err) if err.error_len().is_none() => {}
            Err(_) => {
                // What came before this byte was no character; this byte may start one.
                self.utf8.pop();
                self.end_utf8();
                if (0xc2..=0xf4).contains(&byte) {
                    self.utf8.push(byte);
                } else {
                    self.text.push(char::REPLACEMENT_CHARACTER);
                }
            }
        }
    }

    /// An unfinished UTF-8 character is cut off: it becomes U+FFFD.
    fn end_utf8(&mut self) {
        if !self.utf8.is_empty() {
            self.utf8.clear();
            self.text.push(char::REPLACEMENT_CHARACTER);
        }
    }

    fn encode_text(&mut self, out: &mut Vec<u8>) -> Result<()> {
        if self.text.is_empty() {
            return Ok(());
        }
        let result = self.codec.encode(&self.text, self.errors, out);
        self.text.clear();
        result
    }

    /// The escape sequence grew by one byte: translate it, send it, or wait for more.
    fn step(&mut self, out: &mut Vec<u8>) -> Result<()> {
        let table = self.table();
        let sequence = self.sequence.as_slice();
        if let Some(&(_, to)) = table.iter().find(|&&(from, _)| from == sequence) {
            out.extend_from_slice(to);
            self.sequence.clear();
            return Ok(());
        }
        if table
            .iter()
            .any(|&(from, _)| from.len() > sequence.len() && from.starts_with(sequence))
        {
            return Ok(());
        }
        let last = sequence[sequence.len() - 1];
        let csi = sequence.get(1) == Some(&b'[');
        if sequence.len() == 2 {
            if last == b'[' || last == b'O' {
                return Ok(());
            }
        } else if (0x40..=0x7e).contains(&last) {
            // The final byte of a CSI or SS3 sequence.
            out.append(&mut self.sequence);
            return Ok(());
        } else if csi && (0x20..=0x3f).contains(&last) {
            if self.sequence.len() >= MAX_SEQUENCE {
                out.append(&mut self.sequence);
            }
            return Ok(());
        }
        // Not (or no longer) an escape sequence: what came before this byte goes out as it
        // came, and the byte is looked at on its own.
        self.sequence.pop();
        out.append(&mut self.sequence);
        self.byte(last, out)
    }
}
