//! Retro terminals, sans-IO: what a BBS written for a Commodore 64 or an Atari 8-bit means by
//! its control codes, shown on an ANSI terminal, and the keys those machines send, made from
//! an ANSI terminal's keys. Also SyncTERM's font selection, which switches the encoding of
//! what follows.
//!
//! ```text
//!   server bytes ─▶ Display::feed ──▶ text + ANSI for the terminal
//!                    │  ESC [ 0 ; n SP D (SyncTERM font n) ─▶ decode with font n's encoding
//!                    │  PETSCII: colours ─▶ 24-bit SGR (VIC-II palette), RVS ─▶ SGR 7/27,
//!                    │           cursor, HOME, CLR, DEL, INST, RETURN ─▶ CSI sequences, CR LF
//!                    │  ATASCII: cursor, clear, backspace, tab, EOL, insert/delete ─▶ CSI …
//!                    └─ everything else ─▶ the codec (a character split across reads waits)
//!
//!   keyboard bytes ─▶ Keys::feed ─▶ bytes for the server
//!                       arrows, Delete, Home, Insert (CSI / SS3) ─▶ PETSCII or ATASCII codes
//!                       Backspace, Enter, Tab ─▶ the machine's own codes
//!                       typed characters ─▶ the codec (PETSCII 'a' is 0x41)
//! ```
//!
//! Both are stateful across calls: an escape sequence, a character or a line end split between
//! two reads comes out as if it had arrived whole. Neither holds more than a few dozen bytes.
//!
//! A SyncTERM font selection in CP437 art, shown on a UTF-8 terminal:
//!
//! ```
//! use telnetlib3::encoding::{Codec, Errors};
//! use telnetlib3::retro::Display;
//!
//! let mut display = Display::new(Codec::utf8(), Errors::Replace).follow_fonts(true);
//! let mut screen = String::new();
//! // Font 0 is CP437; the sequence itself is consumed.
//! display.feed(b"\x1b[0;0 D\xc9\xcd", &mut screen)?;
//! display.feed(b"\xbb\r\n", &mut screen)?;
//! assert_eq!(screen, "╔═╗\r\n");
//! assert_eq!(display.codec(), Codec::cp437());
//! # Ok::<(), telnetlib3::Error>(())
//! ```
//!
//! telnetlib3 5.0.1's client translates keys with the tables [`Keys`] uses, but writes PETSCII
//! and ATASCII control codes to the terminal as they decode; [`Display`] follows the PETSCII
//! and ATASCII filters of telnetlib3's `color_filter` module (which 5.0.1 does not ship), with
//! these differences: translation works on bytes before decoding, so the ATASCII codes that
//! share a glyph with a cursor key (0x9C–0x9F, 0xFD–0xFF) do what they do on an Atari
//! (delete/insert line, tab stops, bell, delete/insert character) rather than move the cursor;
//! PETSCII CLR also homes the cursor, RETURN ends reverse video and is a line end (CR LF), as
//! on a C64; PETSCII codes with no effect on screen are left out rather than written to the
//! terminal as C0/C1 controls; a font selection is honoured only for the primary font
//! (`Ps1 = 0`), also when it arrives split across reads; and typed characters are encoded in
//! the retro encoding (telnetlib3 sends the terminal's bytes unchanged, so a C64 BBS sees
//! letters in the wrong case).

#![forbid(unsafe_code)]

mod display;
mod keys;
mod tables;
#[cfg(test)]
mod tests;

use std::time::Duration;

use crate::encoding::Codec;

pub use display::Display;
pub use keys::Keys;
pub use tables::{font_encoding, petscii_color, SYNCTERM_FONTS, VIC_II_PALETTE};

/// How long [`Keys`] waits for the rest of an escape sequence before a lone ESC is sent as the
/// ESC key: 350 ms, as blessed and telnetlib3 (which read `ESCDELAY` in milliseconds).
pub const ESC_DELAY: Duration = Duration::from_millis(350);

/// The retro encodings telnetlib3's client treats as a machine of their own: selecting one
/// turns on force-binary and raw terminal mode, and PETSCII and ATASCII also get display and
/// keyboard translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Retro {
    /// Commodore 64/128 PETSCII (`petscii`, `cbm`, `commodore`, `c64`, `c128`).
    Petscii,
    /// Atari 8-bit ATASCII (`atascii`, `atari8bit`, `atari_8bit`).
    Atascii,
    /// Atari ST (`atarist`, `atari`): raw mode and force-binary, no translation.
    AtariSt,
}

impl Retro {
    /// The retro encoding a name selects: telnetlib3's names, case, `-`, `_` and white space
    /// ignored. `None` for any other encoding.
    ///
    /// ```
    /// use telnetlib3::retro::Retro;
    /// assert_eq!(Retro::from_encoding("C64"), Some(Retro::Petscii));
    /// assert_eq!(Retro::from_encoding("atari-8bit"), Some(Retro::Atascii));
    /// assert_eq!(Retro::from_encoding("cp437"), None);
    /// ```
    #[must_use]
    pub fn from_encoding(name: &str) -> Option<Retro> {
        let key: String = name
            .chars()
            .filter(|&c| !matches!(c, '-' | '_') && !c.is_whitespace())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        Some(match key.as_str() {
            "petscii" | "cbm" | "commodore" | "c64" | "c128" => Retro::Petscii,
            "atascii" | "atari8bit" => Retro::Atascii,
            "atarist" | "atari" => Retro::AtariSt,
            _ => return None,
        })
    }

    /// The encoding's canonical name as telnetlib3 spells it: `"petscii"`, `"atascii"`,
    /// `"atarist"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Retro::Petscii => "petscii",
            Retro::Atascii => "atascii",
            Retro::AtariSt => "atarist",
        }
    }

    /// The codec: [`Codec::lookup`] of [`name`](Self::name).
    #[must_use]
    pub fn codec(self) -> Option<Codec> {
        Codec::lookup(self.name())
    }

    /// Whether the display and the keyboard are translated (PETSCII and ATASCII).
    #[must_use]
    pub fn translates(self) -> bool {
        matches!(self, Retro::Petscii | Retro::Atascii)
    }
}
