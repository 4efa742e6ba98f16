//! Hand-made single-byte tables, for codes no crate serves (CP437, …).
//!
//! Each [`Table`] covers a code whose bytes 0x00–0x7F are US-ASCII; only the upper half is
//! listed. Adding a code is one `static` here and one arm in [`Codec::lookup`](super::Codec).

/// Marks a byte with no character in a [`Table`]: decoding it is an error (handled as the
/// [`Errors`](super::Errors) mode says), and the character is never encoded to it.
pub(crate) const UNDEFINED: char = '\u{FFFD}';

/// A single-byte code: bytes 0x00–0x7F are US-ASCII, bytes 0x80–0xFF map through `high`.
pub(crate) struct Table {
    /// The canonical name, as CHARSET offers it.
    pub(crate) name: &'static str,
    /// The character of each byte 0x80–0xFF, [`UNDEFINED`] for none.
    high: [char; 128],
    /// `high` inverted: (character, byte) sorted by character, for binary search.
    reverse: [(char, u8); 128],
}

impl Table {
    /// Builds a table, sorting the reverse map at compile time.
    const fn new(name: &'static str, high: [char; 128]) -> Table {
        let mut reverse = [('\0', 0u8); 128];
        let mut i = 0;
        while i < 128 {
            // `i < 128`, so the byte is 0x80..=0xFF.
            reverse[i] = (high[i], 0x80 | i as u8);
            i += 1;
        }
        // Insertion sort: 128 entries, once, at compile time.
        let mut i = 1;
        while i < 128 {
            let mut j = i;
            while j > 0 && (reverse[j - 1].0 as u32) > (reverse[j].0 as u32) {
                let t = reverse[j - 1];
                reverse[j - 1] = reverse[j];
                reverse[j] = t;
                j -= 1;
            }
            i += 1;
        }
        Table {
            name,
            high,
            reverse,
        }
    }

    /// The character of byte `b` (any byte; ASCII maps to itself), `None` if undefined.
    #[inline]
    pub(crate) fn decode_byte(&self, b: u8) -> Option<char> {
        if b < 0x80 {
            return Some(char::from(b));
        }
        match self.high.get(usize::from(b & 0x7F)) {
            Some(&c) if c != UNDEFINED => Some(c),
            _ => None,
        }
    }

    /// The byte for `c`, `None` if the table has no byte for it.
    #[inline]
    pub(crate) fn encode_char(&self, c: char) -> Option<u8> {
        if c.is_ascii() {
            // ASCII, so fits in a byte.
            return u8::try_from(u32::from(c)).ok();
        }
        if c == UNDEFINED {
            return None;
        }
        self.reverse
            .binary_search_by_key(&c, |&(ch, _)| ch)
            .ok()
            .and_then(|i| self.reverse.get(i))
            .map(|&(_, b)| b)
    }
}

/// IBM PC code page 437, as Python's `cp437` codec: 0x00–0x1F are the ASCII control codes (not
/// the ☺☻♥ glyphs), 0x7F is U+007F, and 0x80–0xFF are the accented letters, box drawing, Greek
/// and mathematical signs of the original IBM PC.
pub(crate) static CP437: Table = Table::new(
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
