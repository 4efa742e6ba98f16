//! The tables behind [`Display`](super::Display) and [`Keys`](super::Keys): the VIC-II
//! palette, what each PETSCII and ATASCII control byte does on its machine, the keys each
//! machine expects, and SyncTERM's font numbers.

/// The VIC-II's 16 colours as `(r, g, b)`, indexed by the VIC-II colour number (0 black, 1
/// white, 2 red, 3 cyan, 4 purple, 5 green, 6 blue, 7 yellow, 8 orange, 9 brown, 10 light red,
/// 11 dark grey, 12 grey, 13 light green, 14 light blue, 15 light grey).
///
/// The values are the Colodore palette (Pepto's measurements of a real C64, as VICE ships them
/// in `colodore.vpl`), the palette telnetlib3's client uses for PETSCII.
pub const VIC_II_PALETTE: [(u8, u8, u8); 16] = [
    (0, 0, 0),
    (255, 255, 255),
    (150, 40, 46),
    (91, 214, 206),
    (159, 45, 173),
    (65, 185, 54),
    (39, 36, 196),
    (239, 243, 71),
    (159, 72, 21),
    (94, 53, 0),
    (218, 95, 102),
    (71, 71, 71),
    (120, 120, 120),
    (145, 255, 132),
    (104, 100, 255),
    (174, 174, 174),
];

/// The VIC-II colour number a PETSCII colour code selects, `None` for any other byte.
///
/// The 16 codes of the Commodore 64 (C64 Programmer's Reference Guide, appendix C): 0x05
/// white, 0x1C red, 0x1E green, 0x1F blue, 0x81 orange, 0x90 black, 0x95 brown, 0x96 light
/// red, 0x97 dark grey, 0x98 grey, 0x99 light green, 0x9A light blue, 0x9B light grey, 0x9C
/// purple, 0x9E yellow, 0x9F cyan.
#[must_use]
pub fn petscii_color(byte: u8) -> Option<usize> {
    Some(match byte {
        0x90 => 0,
        0x05 => 1,
        0x1c => 2,
        0x9f => 3,
        0x9c => 4,
        0x1e => 5,
        0x1f => 6,
        0x9e => 7,
        0x81 => 8,
        0x95 => 9,
        0x96 => 10,
        0x97 => 11,
        0x98 => 12,
        0x99 => 13,
        0x9a => 14,
        0x9b => 15,
        _ => return None,
    })
}

/// What a control byte does on the retro machine, as the display shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Control {
    /// Send this ANSI text to the terminal.
    Ansi(&'static str),
    /// Foreground colour, a VIC-II colour number.
    Color(usize),
    /// PETSCII RVS ON.
    ReverseOn,
    /// PETSCII RVS OFF.
    ReverseOff,
    /// End of line: PETSCII RETURN (which also ends reverse), ATASCII EOL.
    Newline,
    /// A carriage return (ATASCII with `ascii_eol`).
    CarriageReturn,
    /// A line feed: with a CR just before it, part of the same line end.
    LineFeed,
    /// ATASCII ESC: the next byte is shown as its glyph, not obeyed.
    Literal,
    /// No effect on the screen (a mode switch, a function key, an unused code).
    Nothing,
}

/// Cursor up, down, right and left, home, clear screen, delete left, insert.
const UP: &str = "\x1b[A";
const DOWN: &str = "\x1b[B";
const RIGHT: &str = "\x1b[C";
const LEFT: &str = "\x1b[D";

/// What a PETSCII byte does, `None` for a character (shown through the codec).
///
/// From the C64 Programmer's Reference Guide, appendix C: 0x07 bell (C128), 0x0D and 0x8D
/// RETURN, 0x11 / 0x91 cursor down / up, 0x1D / 0x9D cursor right / left, 0x12 / 0x92 RVS
/// ON / OFF, 0x13 HOME, 0x93 CLR (clears the screen and homes the cursor), 0x14 DEL (deletes
/// the character left of the cursor, the rest of the line moves left), 0x94 INST (opens a
/// blank at the cursor), and the 16 colour codes. Every other byte of 0x00–0x1F and 0x80–0x9F
/// changes nothing on screen (case switches, function keys, unused codes) and is left out;
/// LF is taken as a line end, as telnet servers send one.
pub(crate) fn petscii_control(byte: u8) -> Option<Control> {
    if let Some(color) = petscii_color(byte) {
        return Some(Control::Color(color));
    }
    Some(match byte {
        0x07 => Control::Ansi("\x07"),
        0x0a => Control::LineFeed,
        0x0d | 0x8d => Control::Newline,
        0x11 => Control::Ansi(DOWN),
        0x91 => Control::Ansi(UP),
        0x1d => Control::Ansi(RIGHT),
        0x9d => Control::Ansi(LEFT),
        0x12 => Control::ReverseOn,
        0x92 => Control::ReverseOff,
        0x13 => Control::Ansi("\x1b[H"),
        0x93 => Control::Ansi("\x1b[2J\x1b[H"),
        0x14 => Control::Ansi("\x08\x1b[P"),
        0x94 => Control::Ansi("\x1b[@"),
        0x00..=0x1f | 0x80..=0x9f => Control::Nothing,
        _ => return None,
    })
}

/// What an ATASCII byte does, `None` for a character (shown through the codec).
///
/// From the Atari 400/800 BASIC Reference Manual, appendix C: 0x1B ESC (the next byte is
/// shown, not obeyed), 0x1C–0x1F cursor up, down, left, right, 0x7D clear screen, 0x7E
/// backspace (the character left of the cursor becomes a blank), 0x7F tab, 0x9B EOL, 0x9C
/// delete line, 0x9D insert line, 0x9E clear tab stop, 0x9F set tab stop, 0xFD bell, 0xFE
/// delete character, 0xFF insert character. With `ascii_eol`, 0x0D and 0x0A are CR and LF
/// instead of their glyphs.
pub(crate) fn atascii_control(byte: u8, ascii_eol: bool) -> Option<Control> {
    Some(match byte {
        0x0d if ascii_eol => Control::CarriageReturn,
        0x0a if ascii_eol => Control::LineFeed,
        0x1b => Control::Literal,
        0x1c => Control::Ansi(UP),
        0x1d => Control::Ansi(DOWN),
        0x1e => Control::Ansi(LEFT),
        0x1f => Control::Ansi(RIGHT),
        0x7d => Control::Ansi("\x1b[2J\x1b[H"),
        0x7e => Control::Ansi("\x08 \x08"),
        0x7f => Control::Ansi("\t"),
        0x9b => Control::Newline,
        0x9c => Control::Ansi("\x1b[M"),
        0x9d => Control::Ansi("\x1b[L"),
        0x9e => Control::Ansi("\x1b[g"),
        0x9f => Control::Ansi("\x1bH"),
        0xfd => Control::Ansi("\x07"),
        0xfe => Control::Ansi("\x1b[P"),
        0xff => Control::Ansi("\x1b[@"),
        _ => return None,
    })
}

/// Keys a terminal sends as escape sequences, and the PETSCII bytes for them: the cursor keys
/// (CSI and SS3 forms), Delete, Home and Insert. telnetlib3's client table.
pub(crate) const PETSCII_KEYS: &[(&[u8], &[u8])] = &[
    (b"\x1b[A", b"\x91"),
    (b"\x1b[B", b"\x11"),
    (b"\x1b[C", b"\x1d"),
    (b"\x1b[D", b"\x9d"),
    (b"\x1bOA", b"\x91"),
    (b"\x1bOB", b"\x11"),
    (b"\x1bOC", b"\x1d"),
    (b"\x1bOD", b"\x9d"),
    (b"\x1b[3~", b"\x14"),
    (b"\x1b[H", b"\x13"),
    (b"\x1b[2~", b"\x94"),
];

/// Keys a terminal sends as escape sequences, and the ATASCII bytes for them: the cursor keys
/// (CSI and SS3 forms) and Delete (ATASCII backspace). telnetlib3's client table.
pub(crate) const ATASCII_KEYS: &[(&[u8], &[u8])] = &[
    (b"\x1b[A", b"\x1c"),
    (b"\x1b[B", b"\x1d"),
    (b"\x1b[C", b"\x1f"),
    (b"\x1b[D", b"\x1e"),
    (b"\x1bOA", b"\x1c"),
    (b"\x1bOB", b"\x1d"),
    (b"\x1bOC", b"\x1f"),
    (b"\x1bOD", b"\x1e"),
    (b"\x1b[3~", b"\x7e"),
];

/// SyncTERM / CTerm font numbers and the encoding each font draws, telnetlib3's table (from
/// the CTerm documentation, Synchronet and x84). Numbers not listed (7, 15, 19, 28, 43 and
/// up) select fonts telnetlib3 has no encoding for.
pub const SYNCTERM_FONTS: &[(u8, &str)] = &[
    (0, "cp437"),
    (1, "cp1251"),
    (2, "koi8-r"),
    (3, "iso-8859-2"),
    (4, "iso-8859-4"),
    (5, "cp866"),
    (6, "iso-8859-9"),
    (8, "iso-8859-8"),
    (9, "koi8-u"),
    (10, "iso-8859-15"),
    (11, "iso-8859-4"),
    (12, "koi8-r"),
    (13, "iso-8859-4"),
    (14, "iso-8859-5"),
    (16, "iso-8859-15"),
    (17, "cp850"),
    (18, "cp850"),
    (20, "cp1251"),
    (21, "iso-8859-7"),
    (22, "koi8-r"),
    (23, "iso-8859-4"),
    (24, "iso-8859-1"),
    (25, "cp866"),
    (26, "cp437"),
    (27, "cp866"),
    (29, "cp866"),
    (30, "iso-8859-1"),
    (31, "cp1131"),
    (32, "petscii"),
    (33, "petscii"),
    (34, "petscii"),
    (35, "petscii"),
    (36, "atascii"),
    (37, "cp437"),
    (38, "cp437"),
    (39, "cp437"),
    (40, "cp437"),
    (41, "cp437"),
    (42, "cp437"),
];

/// The encoding name of a SyncTERM font number ([`SYNCTERM_FONTS`]).
#[must_use]
pub fn font_encoding(font: u32) -> Option<&'static str> {
    SYNCTERM_FONTS
        .iter()
        .find(|&&(id, _)| u32::from(id) == font)
        .map(|&(_, name)| name)
}
