//! Golden screens through `telnetlib3::retro` with the real PETSCII and ATASCII codecs: a
//! recorded screen of each (made with telnetlib3 5.0.1's encoders by `tests/data/retro/make.py`)
//! must come out as the ANSI that script worked out, whole and split at every byte.

use telnetlib3::encoding::{Codec, Errors};
use telnetlib3::retro::{Display, Keys, Retro};

const PETSCII_SCREEN: &[u8] = include_bytes!("data/retro/petscii-screen.seq");
const PETSCII_ANSI: &str = include_str!("data/retro/petscii-screen.ans");
const ATASCII_SCREEN: &[u8] = include_bytes!("data/retro/atascii-screen.bin");
const ATASCII_ANSI: &str = include_str!("data/retro/atascii-screen.ans");

fn codec(retro: Retro) -> Codec {
    retro
        .codec()
        .unwrap_or_else(|| panic!("no {} codec in this build", retro.name()))
}

fn display(retro: Retro) -> Display {
    Display::new(codec(retro), Errors::Strict).retro(Some(retro))
}

/// `input` through a fresh display for `retro`, in two reads split at `at`.
fn show(retro: Retro, input: &[u8], at: usize) -> String {
    let mut display = display(retro);
    let mut out = String::new();
    display.feed(&input[..at], &mut out).unwrap();
    display.feed(&input[at..], &mut out).unwrap();
    display.finish(&mut out).unwrap();
    out
}

fn check_golden(retro: Retro, screen: &[u8], expected: &str) {
    assert_eq!(show(retro, screen, screen.len()), expected);
    for at in 0..screen.len() {
        assert_eq!(show(retro, screen, at), expected, "split at {at}");
    }
}

#[test]
fn petscii_screen_is_the_expected_ansi() {
    check_golden(Retro::Petscii, PETSCII_SCREEN, PETSCII_ANSI);
    // What the golden file holds, in parts.
    assert!(PETSCII_ANSI.starts_with("\x1b[2J\x1b[H\x1b[38;2;104;100;255m╭"));
    assert!(PETSCII_ANSI
        .contains("\x1b[38;2;255;255;255m Welcome to the \x1b[38;2;239;243;71mRetro BBS"));
    assert!(PETSCII_ANSI.contains("\x1b[7m\x1b[38;2;150;40;46m M \x1b[27m"));
    assert!(PETSCII_ANSI.contains("Typo fixedd\x08\x1b[P. Insert"));
}

#[test]
fn atascii_screen_is_the_expected_ansi() {
    check_golden(Retro::Atascii, ATASCII_SCREEN, ATASCII_ANSI);
    assert!(ATASCII_ANSI.starts_with("\x1b[2J\x1b[H┌────"));
    assert!(ATASCII_ANSI.contains("1\tMessage base\r\n"));
    assert!(ATASCII_ANSI.contains("Shown, not obeyed: ↑↓↰␛\r\n"));
}

#[test]
fn typed_keys_in_petscii_and_atascii() {
    let mut out = Vec::new();
    let mut keys = Keys::new(Retro::Petscii, codec(Retro::Petscii), Errors::Strict).unwrap();
    keys.feed(b"Hello, world\x1b[A\x7f\r", &mut out).unwrap();
    // Shifted PETSCII: lower case at 0x41-0x5A, upper case at 0xC1-0xDA.
    assert_eq!(
        out,
        b"\xc8\x45\x4c\x4c\x4f, \x57\x4f\x52\x4c\x44\x91\x14\x0d"
    );

    let mut out = Vec::new();
    let mut keys = Keys::new(Retro::Atascii, codec(Retro::Atascii), Errors::Strict).unwrap();
    keys.feed(b"Hello\x1b[D\x08\n", &mut out).unwrap();
    assert_eq!(out, b"Hello\x1e\x7e\x9b");
}

#[test]
fn a_font_selection_decodes_petscii_with_ansi_sequences_intact() {
    // SyncTERM's C64 font: the glyphs are PETSCII, the escape sequences stay ANSI.
    codec(Retro::Petscii);
    let mut display = Display::new(Codec::cp437(), Errors::Replace).follow_fonts(true);
    let mut out = String::new();
    display
        .feed(
            b"\x1b[0;32 D\x1b[1;31m\xc8\x49\x1b[0m\x1b[0;36 D\x1b[2J\x11",
            &mut out,
        )
        .unwrap();
    assert_eq!(out, "\x1b[1;31mHi\x1b[0m\x1b[2J┌");
    assert_eq!(display.font(), Some(36));
}
