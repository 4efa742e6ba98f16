//! Byte vectors for the display and keyboard translation. Control codes are translated before
//! decoding, so most of these use ISO-8859-1 as the codec (its bytes are their own code
//! points, which makes what reached the decoder visible); the PETSCII and ATASCII codecs
//! themselves are exercised in `tests/retro.rs`.

use proptest::prelude::*;

use super::*;
use crate::encoding::Errors;
use crate::Error;

fn latin1() -> Codec {
    Codec::latin1()
}

fn petscii() -> Display {
    Display::new(latin1(), Errors::Replace).retro(Some(Retro::Petscii))
}

fn atascii() -> Display {
    Display::new(latin1(), Errors::Replace).retro(Some(Retro::Atascii))
}

fn show(display: &mut Display, input: &[u8]) -> String {
    let mut out = String::new();
    display.feed(input, &mut out).unwrap();
    display.finish(&mut out).unwrap();
    out
}

/// What `make()` shows for `input` fed whole, checked against every split into two reads.
fn show_split(make: impl Fn() -> Display, input: &[u8]) -> String {
    let whole = show(&mut make(), input);
    for at in 0..=input.len() {
        let mut display = make();
        let mut out = String::new();
        display.feed(&input[..at], &mut out).unwrap();
        display.feed(&input[at..], &mut out).unwrap();
        display.finish(&mut out).unwrap();
        assert_eq!(out, whole, "split at {at} of {input:?}");
    }
    whole
}

fn keys(retro: Retro) -> Keys {
    Keys::new(retro, latin1(), Errors::Replace).unwrap()
}

fn press(keys: &mut Keys, input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    keys.feed(input, &mut out).unwrap();
    keys.flush(&mut out);
    out
}

/// What `make()` sends for `input` typed at once, checked against every split into two reads.
fn press_split(make: impl Fn() -> Keys, input: &[u8]) -> Vec<u8> {
    let whole = press(&mut make(), input);
    for at in 0..=input.len() {
        let mut keys = make();
        let mut out = Vec::new();
        keys.feed(&input[..at], &mut out).unwrap();
        keys.feed(&input[at..], &mut out).unwrap();
        keys.flush(&mut out);
        assert_eq!(out, whole, "split at {at} of {input:?}");
    }
    whole
}

// ---- names ----

#[test]
fn retro_names_follow_telnetlib3() {
    for name in [
        "petscii",
        "PETSCII",
        "cbm",
        "commodore",
        "c64",
        "C-128",
        "c_128",
    ] {
        assert_eq!(Retro::from_encoding(name), Some(Retro::Petscii), "{name}");
    }
    for name in ["atascii", "atari8bit", "atari_8bit", "ATARI-8BIT"] {
        assert_eq!(Retro::from_encoding(name), Some(Retro::Atascii), "{name}");
    }
    for name in ["atarist", "atari", "Atari-ST"] {
        assert_eq!(Retro::from_encoding(name), Some(Retro::AtariSt), "{name}");
    }
    for name in ["cp437", "utf8", "", "petscii2", "big5bbs"] {
        assert_eq!(Retro::from_encoding(name), None, "{name}");
    }
    assert!(Retro::Petscii.translates() && Retro::Atascii.translates());
    assert!(!Retro::AtariSt.translates());
    assert!(Keys::new(Retro::AtariSt, latin1(), Errors::Replace).is_none());
}

#[test]
fn font_table_is_telnetlib3s() {
    assert_eq!(font_encoding(0), Some("cp437"));
    assert_eq!(font_encoding(17), Some("cp850"));
    assert_eq!(font_encoding(18), Some("cp850"));
    assert_eq!(font_encoding(31), Some("cp1131"));
    for font in 32..=35 {
        assert_eq!(font_encoding(font), Some("petscii"));
    }
    assert_eq!(font_encoding(36), Some("atascii"));
    assert_eq!(font_encoding(42), Some("cp437"));
    for font in [7, 15, 19, 28, 43, 255, 1000] {
        assert_eq!(font_encoding(font), None, "{font}");
    }
    assert_eq!(SYNCTERM_FONTS.len(), 39);
}

// ---- PETSCII display ----

#[test]
fn petscii_colours_are_the_vic_ii_palette_in_24_bit() {
    let codes: [(u8, (u8, u8, u8)); 16] = [
        (0x90, (0, 0, 0)),
        (0x05, (255, 255, 255)),
        (0x1c, (150, 40, 46)),
        (0x9f, (91, 214, 206)),
        (0x9c, (159, 45, 173)),
        (0x1e, (65, 185, 54)),
        (0x1f, (39, 36, 196)),
        (0x9e, (239, 243, 71)),
        (0x81, (159, 72, 21)),
        (0x95, (94, 53, 0)),
        (0x96, (218, 95, 102)),
        (0x97, (71, 71, 71)),
        (0x98, (120, 120, 120)),
        (0x99, (145, 255, 132)),
        (0x9a, (104, 100, 255)),
        (0x9b, (174, 174, 174)),
    ];
    for (code, (r, g, b)) in codes {
        assert_eq!(
            show(&mut petscii(), &[code, b'x']),
            format!("\x1b[38;2;{r};{g};{b}mx"),
            "{code:#04x}"
        );
        assert_eq!(VIC_II_PALETTE[petscii_color(code).unwrap()], (r, g, b));
    }
    assert_eq!(petscii_color(b'A'), None);
}

#[test]
fn petscii_cursor_and_screen_codes_are_ansi() {
    for (code, ansi) in [
        (0x11, "\x1b[B"),
        (0x91, "\x1b[A"),
        (0x1d, "\x1b[C"),
        (0x9d, "\x1b[D"),
        (0x13, "\x1b[H"),
        (0x93, "\x1b[2J\x1b[H"),
        (0x14, "\x08\x1b[P"),
        (0x94, "\x1b[@"),
        (0x07, "\x07"),
    ] {
        assert_eq!(
            show(&mut petscii(), &[b'a', code, b'b']),
            format!("a{ansi}b")
        );
    }
}

#[test]
fn petscii_reverse_ends_at_rvs_off_or_return() {
    assert_eq!(
        show(&mut petscii(), b"\x12on\x92off"),
        "\x1b[7mon\x1b[27moff"
    );
    assert_eq!(
        show(&mut petscii(), b"\x12on\ronly\rplain"),
        "\x1b[7mon\x1b[27m\r\nonly\r\nplain"
    );
}

#[test]
fn petscii_line_ends() {
    // RETURN and shifted RETURN end a line; an LF after either belongs to it; a lone LF is a
    // line end too.
    let shown = show_split(petscii, b"one\rtwo\r\nthree\x8d\nfour\nfive\n\n");
    assert_eq!(shown, "one\r\ntwo\r\nthree\r\nfour\r\nfive\r\n\r\n");
}

#[test]
fn petscii_codes_without_effect_are_left_out() {
    // Case switches, shift lock, RUN/STOP, function keys, unused codes, ESC.
    let input = b"a\x0e\x8e\x08\x09\x03\x85\x8c\x00\x1b\x80b";
    assert_eq!(show(&mut petscii(), input), "ab");
}

#[test]
fn petscii_printable_bytes_reach_the_codec() {
    let input: Vec<u8> = (0x20..=0x7f).chain(0xa0..=0xff).collect();
    let mut expected = String::new();
    latin1()
        .decode(&input, Errors::Replace, &mut expected)
        .unwrap();
    assert_eq!(show(&mut petscii(), &input), expected);
}

#[test]
fn petscii_ignores_font_selections_and_escape_sequences() {
    let display = || petscii().follow_fonts(true);
    assert_eq!(show(&mut display(), b"\x1b[0;0 D\xc9"), "[0;0 D\u{c9}");
}

// ---- ATASCII display ----

#[test]
fn atascii_control_codes_are_ansi() {
    for (code, ansi) in [
        (0x1c, "\x1b[A"),
        (0x1d, "\x1b[B"),
        (0x1e, "\x1b[D"),
        (0x1f, "\x1b[C"),
        (0x7d, "\x1b[2J\x1b[H"),
        (0x7e, "\x08 \x08"),
        (0x7f, "\t"),
        (0x9b, "\r\n"),
        (0x9c, "\x1b[M"),
        (0x9d, "\x1b[L"),
        (0x9e, "\x1b[g"),
        (0x9f, "\x1bH"),
        (0xfd, "\x07"),
        (0xfe, "\x1b[P"),
        (0xff, "\x1b[@"),
    ] {
        assert_eq!(
            show(&mut atascii(), &[b'a', code, b'b']),
            format!("a{ansi}b")
        );
    }
}

#[test]
fn atascii_escape_shows_the_next_byte() {
    // ESC, then a cursor code: its glyph (the codec's character for 0x1C), not a cursor move.
    assert_eq!(
        show_split(atascii, b"\x1b\x1c\x1b\x9b\x1c\x1b\x1bz"),
        "\u{1c}\u{9b}\x1b[A\u{1b}z"
    );
}

#[test]
fn atascii_ascii_eol_takes_cr_and_lf_as_line_ends() {
    // Without it, 0x0D and 0x0A are glyphs: they reach the codec.
    assert_eq!(show(&mut atascii(), b"a\x0d\x0ab"), "a\r\nb");
    assert_eq!(show(&mut atascii(), b"a\x0ab"), "a\nb");
    let eol = || atascii().ascii_eol(true);
    assert_eq!(
        show_split(eol, b"a\r\nb\nc\rd\x9b\ne"),
        "a\r\nb\r\nc\rd\r\ne"
    );
}

// ---- fonts and escape sequences ----

#[test]
fn font_selection_switches_the_codec_from_the_next_byte() {
    let display = || Display::new(Codec::utf8(), Errors::Replace).follow_fonts(true);
    let input = "é \x1b[1m"
        .bytes()
        .chain(*b"\x1b[0;0 D\xc9\xcd\xbb \x1b[0m")
        .collect::<Vec<u8>>();
    assert_eq!(show_split(display, &input), "é \x1b[1m╔═╗ \x1b[0m");
    let mut display = display();
    let mut out = String::new();
    display.feed(b"\x1b[0;26 D", &mut out).unwrap();
    assert_eq!(
        (display.font(), display.codec()),
        (Some(26), Codec::cp437())
    );
    assert_eq!(out, "");
}

#[test]
fn font_selection_is_left_alone_when_not_followed() {
    let input = b"\x1b[0;0 D\xc9";
    let mut display = Display::new(Codec::latin1(), Errors::Replace);
    assert_eq!(show(&mut display, input), "\x1b[0;0 D\u{c9}");
    assert_eq!((display.font(), display.codec()), (None, Codec::latin1()));
}

#[test]
fn only_a_known_font_for_the_primary_slot_switches() {
    let display = || Display::new(Codec::latin1(), Errors::Replace).follow_fonts(true);
    for sequence in [
        &b"\x1b[1;0 D"[..], // the bright font's slot
        b"\x1b[0;7 D",      // no encoding for font 7
        b"\x1b[0 D",        // one parameter
        b"\x1b[0;0;0 D",
        b"\x1b[;0 D",
        b"\x1b[0;0D",
        b"\x1b[0;0  D",
        b"\x1b[0;9999999999 D",
    ] {
        let mut display = display();
        let input = [sequence, b"\xc9"].concat();
        let mut expected = String::from_utf8(sequence.to_vec()).unwrap();
        expected.push('\u{c9}');
        assert_eq!(show(&mut display, &input), expected, "{sequence:?}");
        assert_eq!(display.font(), None, "{sequence:?}");
    }
}

#[test]
fn other_escape_sequences_pass_unchanged() {
    let display = || Display::new(Codec::utf8(), Errors::Replace).follow_fonts(true);
    let input =
        "\x1b[1;31mred\x1b[0m \x1b]0;title\x07 \x1b7\x1b8 \x1b[?25l \x1b\x1b[A ✓\x1b".as_bytes();
    assert_eq!(
        show_split(display, input),
        String::from_utf8(input.to_vec()).unwrap()
    );
}

#[test]
fn a_long_sequence_is_not_held_back() {
    let mut display = Display::new(Codec::utf8(), Errors::Replace).follow_fonts(true);
    let mut input = b"\x1b[".to_vec();
    input.extend(std::iter::repeat(b'1').take(200));
    let mut out = String::new();
    display.feed(&input, &mut out).unwrap();
    // At most one sequence's worth is held.
    assert!(out.len() >= input.len() - 64, "{}", out.len());
    display.finish(&mut out).unwrap();
    assert_eq!(out.as_bytes(), &input[..]);
}

#[test]
fn a_character_split_around_a_font_selection_ends_before_it() {
    // A UTF-8 lead byte, then the font selection: the lead byte is an error of the old codec.
    let mut display = Display::new(Codec::utf8(), Errors::Replace).follow_fonts(true);
    assert_eq!(
        show(&mut display, b"\xc3\x1b[0;0 D\xc9"),
        "\u{fffd}\u{2554}"
    );
    assert_eq!(display.codec(), Codec::cp437());
}

#[test]
fn set_codec_follows_negotiation_unless_a_font_was_chosen() {
    let mut display = Display::new(Codec::ascii(), Errors::Replace).follow_fonts(true);
    let mut out = String::new();
    display.feed(b"\xc9", &mut out).unwrap();
    display.set_codec(Codec::latin1(), &mut out).unwrap();
    display.feed(b"\xc9", &mut out).unwrap();
    display.feed(b"\x1b[0;0 D\xc9", &mut out).unwrap();
    display.set_codec(Codec::utf8(), &mut out).unwrap();
    display.feed(b"\xc9", &mut out).unwrap();
    assert_eq!(out, "\u{fffd}\u{c9}\u{2554}\u{2554}");
    assert_eq!(display.codec(), Codec::cp437());
}

#[test]
fn strict_decoding_errors_are_returned() {
    let mut display = Display::new(Codec::utf8(), Errors::Strict);
    let mut out = String::new();
    let err = display.feed(b"ok \xff", &mut out).unwrap_err();
    assert!(matches!(err, Error::Encoding(_)), "{err:?}");
    assert_eq!(out, "ok ");
    let mut display = Display::new(Codec::utf8(), Errors::Strict);
    let mut out = String::new();
    display.feed(b"\xe2\x94", &mut out).unwrap();
    assert!(display.finish(&mut out).is_err());
}

#[test]
fn codecs_that_keep_ascii_need_no_raw_sequences() {
    for codec in [
        Codec::utf8(),
        Codec::cp437(),
        Codec::latin1(),
        Codec::ascii(),
    ] {
        assert!(!super::display::needs_raw_csi(codec), "{codec}");
    }
    for name in ["big5", "shift_jis", "utf-16", "utf-16be", "koi8-r"] {
        let codec = Codec::lookup(name).unwrap();
        assert!(!super::display::needs_raw_csi(codec), "{codec}");
    }
    // Its escapes are not CSI: CSI sequences can go round the decoder.
    assert!(super::display::needs_raw_csi(
        Codec::lookup("iso-2022-jp").unwrap()
    ));
}

// ---- keys ----

#[test]
fn petscii_keys() {
    let make = || keys(Retro::Petscii);
    for (typed, sent) in [
        (&b"\x1b[A"[..], &b"\x91"[..]),
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
        (b"\x7f", b"\x14"),
        (b"\x08", b"\x14"),
        (b"\r", b"\x0d"),
        (b"\n", b"\x0d"),
        (b"\r\n", b"\x0d"),
        (b"\r\r", b"\x0d\x0d"),
        (b"\t", b"\t"),
        (b"\x03", b"\x03"),
    ] {
        assert_eq!(press_split(make, typed), sent, "{typed:?}");
    }
}

#[test]
fn atascii_keys() {
    let make = || keys(Retro::Atascii);
    for (typed, sent) in [
        (&b"\x1b[A"[..], &b"\x1c"[..]),
        (b"\x1b[B", b"\x1d"),
        (b"\x1b[C", b"\x1f"),
        (b"\x1b[D", b"\x1e"),
        (b"\x1bOA", b"\x1c"),
        (b"\x1bOD", b"\x1e"),
        (b"\x1b[3~", b"\x7e"),
        (b"\x1b[H", b"\x1b[H"),
        (b"\x7f", b"\x7e"),
        (b"\x08", b"\x7e"),
        (b"\r", b"\x9b"),
        (b"\n", b"\x9b"),
        (b"\r\n", b"\x9b"),
        (b"\t", b"\x7f"),
    ] {
        assert_eq!(press_split(make, typed), sent, "{typed:?}");
    }
    let eol = || keys(Retro::Atascii).ascii_eol(true);
    assert_eq!(press_split(eol, b"a\rb\nc\r\n"), b"a\r\nb\r\nc\r\n");
    assert_eq!(press(&mut eol(), b"\x7f\x1b[A"), b"\x7e\x1c");
}

#[test]
fn ansi_keys_send_the_terminals_sequences() {
    for retro in [Retro::Petscii, Retro::Atascii] {
        let make = || keys(retro).ansi_keys(true);
        let typed = b"\x1b[A\x1bOB\x1b[3~\x1b[H\t";
        assert_eq!(press_split(make, typed), typed, "{retro:?}");
        // Backspace and Enter are still the machine's.
        let enter: &[u8] = if retro == Retro::Atascii {
            b"\x9b"
        } else {
            b"\x0d"
        };
        assert_eq!(press(&mut make(), b"\r"), enter);
    }
}

#[test]
fn other_sequences_go_out_as_typed() {
    let make = || keys(Retro::Petscii);
    for typed in [
        &b"\x1bOP"[..],
        b"\x1b[15~",
        b"\x1b[1;5A",
        b"\x1b[200~",
        b"\x1b",
        b"\x1b[",
        b"\x1bO",
    ] {
        assert_eq!(press_split(make, typed), typed, "{typed:?}");
    }
    // ESC then a key (Alt+x): ESC as it came, the key encoded; ESC ESC: two ESCs.
    assert_eq!(press_split(make, b"\x1bx\x1b\x1b[A"), b"\x1bx\x1b\x91");
    // A sequence broken by a control byte.
    assert_eq!(press_split(make, b"\x1b[1\r"), b"\x1b[1\x0d");
}

#[test]
fn a_lone_esc_waits_for_the_delay() {
    let mut keys = keys(Retro::Atascii);
    let mut out = Vec::new();
    keys.feed(b"a\x1b", &mut out).unwrap();
    assert_eq!(out, b"a");
    assert!(keys.pending());
    keys.feed(b"[", &mut out).unwrap();
    assert!(keys.pending());
    keys.feed(b"A", &mut out).unwrap();
    assert!(!keys.pending());
    assert_eq!(out, b"a\x1c");
    keys.feed(b"\x1b", &mut out).unwrap();
    keys.flush(&mut out);
    assert!(!keys.pending());
    assert_eq!(out, b"a\x1c\x1b");
}

#[test]
fn a_long_sequence_is_not_held_back_by_keys() {
    let mut keys = keys(Retro::Petscii);
    let mut out = Vec::new();
    let mut typed = b"\x1b[".to_vec();
    typed.extend(std::iter::repeat(b'1').take(100));
    keys.feed(&typed, &mut out).unwrap();
    assert!(out.len() >= typed.len() - 16);
    keys.flush(&mut out);
    assert_eq!(out, typed);
}

#[test]
fn typed_characters_are_encoded() {
    let make = || keys(Retro::Petscii);
    assert_eq!(press_split(make, "héllo €".as_bytes()), b"h\xe9llo ?");
    // Invalid UTF-8 is U+FFFD, which ISO-8859-1 replaces with '?'; the byte after it counts.
    assert_eq!(
        press_split(make, b"a\xffb\xc3\xc3\xa9\xe2\x82c"),
        b"a?b?\xe9?c"
    );
    let mut strict = Keys::new(Retro::Petscii, latin1(), Errors::Strict).unwrap();
    let err = strict.feed("€".as_bytes(), &mut Vec::new()).unwrap_err();
    assert!(matches!(err, Error::Encoding(_)), "{err:?}");
}

// ---- properties: any input, split anywhere ----

fn any_display() -> impl Strategy<Value = (u8, &'static str, bool, bool)> {
    (
        0u8..4,
        prop::sample::select(
            &[
                "utf8",
                "cp437",
                "latin1",
                "big5",
                "shift_jis",
                "utf-16",
                "iso-2022-jp",
            ][..],
        ),
        any::<bool>(),
        any::<bool>(),
    )
}

fn make_display((mode, codec, fonts, eol): (u8, &str, bool, bool)) -> Display {
    let retro = match mode {
        0 => None,
        1 => Some(Retro::Petscii),
        2 => Some(Retro::Atascii),
        _ => Some(Retro::AtariSt),
    };
    Display::new(Codec::lookup(codec).unwrap(), Errors::Replace)
        .retro(retro)
        .follow_fonts(fonts)
        .ascii_eol(eol)
}

proptest! {
    #[test]
    fn display_takes_any_bytes_split_anywhere(
        config in any_display(),
        input in proptest::collection::vec(
            prop_oneof![any::<u8>(), Just(0x1b), Just(b'['), Just(b';'), Just(b' '), Just(b'D'),
                        Just(b'0')],
            0..200),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..4),
    ) {
        let whole = show(&mut make_display(config), &input);
        let mut points: Vec<usize> = cuts.iter().map(|c| c.index(input.len() + 1)).collect();
        points.sort_unstable();
        let mut display = make_display(config);
        let mut out = String::new();
        let mut from = 0;
        for at in points.into_iter().chain([input.len()]) {
            display.feed(&input[from..at], &mut out).unwrap();
            from = at;
        }
        display.finish(&mut out).unwrap();
        prop_assert_eq!(out, whole);
    }

    #[test]
    fn keys_take_any_bytes_split_anywhere(
        retro in prop_oneof![Just(Retro::Petscii), Just(Retro::Atascii)],
        ansi in any::<bool>(),
        input in proptest::collection::vec(
            prop_oneof![any::<u8>(), Just(0x1b), Just(b'['), Just(b'O'), Just(b'A'), Just(b'\r')],
            0..100),
        at in any::<prop::sample::Index>(),
    ) {
        let make = || Keys::new(retro, Codec::utf8(), Errors::Replace).unwrap().ansi_keys(ansi);
        let whole = press(&mut make(), &input);
        let at = at.index(input.len() + 1);
        let mut keys = make();
        let mut out = Vec::new();
        keys.feed(&input[..at], &mut out).unwrap();
        keys.feed(&input[at..], &mut out).unwrap();
        keys.flush(&mut out);
        prop_assert_eq!(out, whole);
    }
}
