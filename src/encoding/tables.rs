//! Single-byte tables, for codes no crate serves: CP437 here, the generated code pages in
//! [`codepages`](super::codepages) and the retro sets in [`retro`](super::retro).
//!
//! A [`Table`] gives each of the 256 bytes a character (or none), and encodes each character to
//! one byte: where several bytes decode to the same character, to the last of them, as Python's
//! `codecs.charmap_build` does, or to the first, for tables made with
//! [`Table::prefer_first`]. The reverse map is built at compile time. Adding a code is one
//! `static` and its names in [`Codec::lookup`](super::Codec::lookup).

/// Marks a byte with no character in a [`Table`]: decoding it is an error (handled as the
/// [`Errors`](super::Errors) mode says), and the character is never encoded to it.
pub(crate) const UNDEFINED: char = '\u{FFFD}';

/// A single-byte code.
pub(crate) struct Table {
    /// The canonical name, as CHARSET offers it.
    pub(crate) name: &'static str,
    /// The character of each byte, [`UNDEFINED`] for none.
    chars: [char; 256],
    /// The bytes to encode to, sorted by their character, one per character: `order[..len]`.
    order: [u8; 256],
    len: usize,
    /// Bytes 0x00–0x7F are US-ASCII both ways, and no other byte decodes to ASCII.
    ascii: bool,
    /// CR, and CR LF, encode as LF does (ATASCII, whose end of line is one byte).
    cr_as_newline: bool,
}

impl Table {
    /// A table from the character of each byte; a character several bytes decode to encodes to
    /// the last of them.
    pub(crate) const fn new(name: &'static str, chars: [char; 256]) -> Table {
        let (order, len) = encode_order(&chars, false);
        Table {
            name,
            chars,
            order,
            len,
            ascii: ascii_low(&chars),
            cr_as_newline: false,
        }
    }

    /// A table whose bytes 0x00–0x7F are US-ASCII, from the characters of 0x80–0xFF.
    pub(crate) const fn ascii_high(name: &'static str, high: [char; 128]) -> Table {
        let mut chars = [UNDEFINED; 256];
        let mut i = 0;
        while i < 256 {
            // `i < 256`: a byte, and for the upper half an index into `high`.
            chars[i] = if i < 128 {
                i as u8 as char
            } else {
                high[i - 128]
            };
            i += 1;
        }
        Table::new(name, chars)
    }

    /// The same table, but a character several bytes decode to encodes to the first of them.
    pub(crate) const fn prefer_first(self) -> Table {
        let (order, len) = encode_order(&self.chars, true);
        Table { order, len, ..self }
    }

    /// The same table, with CR and CR LF encoding as LF.
    pub(crate) const fn cr_as_newline(self) -> Table {
        Table {
            cr_as_newline: true,
            ..self
        }
    }

    /// True when bytes 0x00–0x7F are US-ASCII both ways.
    #[inline]
    pub(crate) fn is_ascii(&self) -> bool {
        self.ascii
    }

    /// True when CR and CR LF encode as LF.
    #[inline]
    pub(crate) fn folds_cr(&self) -> bool {
        self.cr_as_newline
    }

    /// The character of byte `b`, `None` if undefined.
    #[inline]
    pub(crate) fn decode_byte(&self, b: u8) -> Option<char> {
        Some(self.chars[usize::from(b)]).filter(|&c| c != UNDEFINED)
    }

    /// The byte for `c`, `None` if the table has no byte for it.
    #[inline]
    pub(crate) fn encode_char(&self, c: char) -> Option<u8> {
        if self.ascii && c.is_ascii() {
            // ASCII, so fits in a byte.
            return u8::try_from(u32::from(c)).ok();
        }
        if c == UNDEFINED {
            return None;
        }
        let order = self.order.get(..self.len).unwrap_or(&[]);
        order
            .binary_search_by_key(&c, |&b| self.chars[usize::from(b)])
            .ok()
            .and_then(|i| order.get(i).copied())
    }
}

/// True when bytes 0x00–0x7F decode to themselves and no other byte decodes to ASCII.
const fn ascii_low(chars: &[char; 256]) -> bool {
    let mut i = 0;
    while i < 256 {
        let c = chars[i] as u32;
        if (i < 128 && c != i as u32) || (i >= 128 && c < 128) {
            return false;
        }
        i += 1;
    }
    true
}

/// The bytes sorted by character (stable, so equal characters keep byte order), then one byte
/// per defined character: the first or the last of those decoding to it. Returns the bytes and
/// how many there are.
const fn encode_order(chars: &[char; 256], first: bool) -> ([u8; 256], usize) {
    let mut order = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        order[i] = i as u8;
        i += 1;
    }
    // Insertion sort, once per table at compile time.
    let mut i = 1;
    while i < 256 {
        let mut j = i;
        while j > 0 && (chars[order[j - 1] as usize] as u32) > (chars[order[j] as usize] as u32) {
            let t = order[j - 1];
            order[j - 1] = order[j];
            order[j] = t;
            j -= 1;
        }
        i += 1;
    }
    // Keep one byte per run of equal characters; `len <= i`, so nothing unread is overwritten.
    let mut len = 0;
    let mut i = 0;
    while i < 256 {
        let c = chars[order[i] as usize] as u32;
        let mut j = i;
        while j + 1 < 256 && chars[order[j + 1] as usize] as u32 == c {
            j += 1;
        }
        if c != UNDEFINED as u32 {
            order[len] = if first { order[i] } else { order[j] };
            len += 1;
        }
        i = j + 1;
    }
    (order, len)
}

/// IBM PC code page 437, as Python's `cp437` codec: 0x00–0x1F are the ASCII control codes (not
/// the ☺☻♥ glyphs), 0x7F is U+007F, and 0x80–0xFF are the accented letters, box drawing, Greek
/// and mathematical signs of the original IBM PC.
pub(crate) static CP437: Table = Table::ascii_high(
    "CP437",
    [
        // 0x80
        '\u{00C7}', '\u{00FC}', '\u{00E9}', '\u{00E2}', '\u{00E4}', '\u{00E0}', '\u{00E5}',
        '\u{00E7}', '\u{00EA}', '\u{00EB}', '\u{00E8}', '\u{00EF}', '\u{00EE}', '\u{00EC}',
        '\u{00C4}', '\u{00C5}', //
        // 0x90
        '\u{00C9}', '\u{00E6}', '\u{00C6}', '\u{00F4}', '\u{00F6}', '\u{00F2}', '\u{00FB}',
        '\u{00F9}', '\u{00FF}', '\u{00D6}', '\u{00DC}', '\u{00A2}', '\u{00A3}', '\u{00A5}',
        '\u{20A7}', '\u{0192}', //
        // 0xA0
        '\u{00E1}', '\u{00ED}', '\u{00F3}', '\u{00FA}', '\u{00F1}', '\u{00D1}', '\u{00AA}',
        '\u{00BA}', '\u{00BF}', '\u{2310}', '\u{00AC}', '\u{00BD}', '\u{00BC}', '\u{00A1}',
        '\u{00AB}', '\u{00BB}', //
        // 0xB0
        '\u{2591}', '\u{2592}', '\u{2593}', '\u{2502}', '\u{2524}', '\u{2561}', '\u{2562}',
        '\u{2556}', '\u{2555}', '\u{2563}', '\u{2551}', '\u{2557}', '\u{255D}', '\u{255C}',
        '\u{255B}', '\u{2510}', //
        // 0xC0
        '\u{2514}', '\u{2534}', '\u{252C}', '\u{251C}', '\u{2500}', '\u{253C}', '\u{255E}',
        '\u{255F}', '\u{255A}', '\u{2554}', '\u{2569}', '\u{2566}', '\u{2560}', '\u{2550}',
        '\u{256C}', '\u{2567}', //
        // 0xD0
        '\u{2568}', '\u{2564}', '\u{2565}', '\u{2559}', '\u{2558}', '\u{2552}', '\u{2553}',
        '\u{256B}', '\u{256A}', '\u{2518}', '\u{250C}', '\u{2588}', '\u{2584}', '\u{258C}',
        '\u{2590}', '\u{2580}', //
        // 0xE0
        '\u{03B1}', '\u{00DF}', '\u{0393}', '\u{03C0}', '\u{03A3}', '\u{03C3}', '\u{00B5}',
        '\u{03C4}', '\u{03A6}', '\u{0398}', '\u{03A9}', '\u{03B4}', '\u{221E}', '\u{03C6}',
        '\u{03B5}', '\u{2229}', //
        // 0xF0
        '\u{2261}', '\u{00B1}', '\u{2265}', '\u{2264}', '\u{2320}', '\u{2321}', '\u{00F7}',
        '\u{2248}', '\u{00B0}', '\u{2219}', '\u{00B7}', '\u{221A}', '\u{207F}', '\u{00B2}',
        '\u{25A0}', '\u{00A0}',
    ],
);
