use std::str::FromStr;

use proptest::prelude::*;

use super::*;
use crate::protocol::options::charset::{CLIENT_OFFERS, SERVER_OFFERS};

/// Every encoding encoding_rs has, but `replacement`.
const ALL_WHATWG: &[&Encoding] = &[
    encoding_rs::BIG5,
    encoding_rs::EUC_JP,
    encoding_rs::EUC_KR,
    encoding_rs::GB18030,
    encoding_rs::GBK,
    encoding_rs::IBM866,
    encoding_rs::ISO_2022_JP,
    encoding_rs::ISO_8859_10,
    encoding_rs::ISO_8859_13,
    encoding_rs::ISO_8859_14,
    encoding_rs::ISO_8859_15,
    encoding_rs::ISO_8859_16,
    encoding_rs::ISO_8859_2,
    encoding_rs::ISO_8859_3,
    encoding_rs::ISO_8859_4,
    encoding_rs::ISO_8859_5,
    encoding_rs::ISO_8859_6,
    encoding_rs::ISO_8859_7,
    encoding_rs::ISO_8859_8,
    encoding_rs::ISO_8859_8_I,
    encoding_rs::KOI8_R,
    encoding_rs::KOI8_U,
    encoding_rs::MACINTOSH,
    encoding_rs::SHIFT_JIS,
    encoding_rs::UTF_16BE,
    encoding_rs::UTF_16LE,
    encoding_rs::UTF_8,
    encoding_rs::WINDOWS_1250,
    encoding_rs::WINDOWS_1251,
    encoding_rs::WINDOWS_1252,
    encoding_rs::WINDOWS_1253,
    encoding_rs::WINDOWS_1254,
    encoding_rs::WINDOWS_1255,
    encoding_rs::WINDOWS_1256,
    encoding_rs::WINDOWS_1257,
    encoding_rs::WINDOWS_1258,
    encoding_rs::WINDOWS_874,
    encoding_rs::X_MAC_CYRILLIC,
    encoding_rs::X_USER_DEFINED,
];

fn codec(name: &str) -> Codec {
    Codec::lookup(name).unwrap_or_else(|| panic!("no codec for {name:?}"))
}

fn decode_all(codec: Codec, bytes: &[u8], errors: Errors) -> Result<String> {
    let mut out = String::new();
    codec.decode(bytes, errors, &mut out)?;
    Ok(out)
}

fn encode_all(codec: Codec, text: &str, errors: Errors) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    codec.encode(text, errors, &mut out)?;
    Ok(out)
}

/// Decodes `bytes` fed in pieces cut at `cuts` (sorted, in range), the last piece with `last`.
fn decode_split(codec: Codec, bytes: &[u8], cuts: &[usize], errors: Errors) -> Result<String> {
    let mut decoder = codec.decoder(errors);
    let mut out = String::new();
    let mut from = 0;
    for &cut in cuts {
        decoder.decode(&bytes[from..cut], &mut out, false)?;
        from = cut;
    }
    decoder.decode(&bytes[from..], &mut out, true)?;
    assert_eq!(decoder.pending(), 0);
    Ok(out)
}

fn encoding_error(result: Result<impl fmt::Debug>) -> String {
    match result {
        Err(Error::Encoding(message)) => message,
        other => panic!("expected an encoding error, got {other:?}"),
    }
}

#[test]
fn lookup_hand_made_aliases() {
    for name in [
        "ascii",
        "ASCII",
        "us-ascii",
        "US_ASCII",
        "us",
        "ANSI_X3.4-1968",
        "ansi_x3.4_1968",
        "646",
        "iso646-us",
        "csASCII",
    ] {
        assert_eq!(codec(name), Codec::ascii(), "{name}");
        assert_eq!(codec(name).name(), "US-ASCII");
    }
    for name in [
        "latin1",
        "Latin-1",
        "latin_1",
        "iso-8859-1",
        "ISO8859-1",
        "iso_8859_1",
        "ISO 8859-1",
        "l1",
        "L1",
        "cp819",
        "ibm819",
        "iso_8859-1:1987",
        "iso_8859_1_1987",
        "iso-ir-100",
        "csisolatin1",
        "8859",
    ] {
        assert_eq!(codec(name), Codec::latin1(), "{name}");
        assert_eq!(codec(name).name(), "ISO-8859-1");
    }
    for name in [
        "cp437", "CP437", "cp-437", "ibm437", "IBM437", "437", "dos", "DOS",
    ] {
        assert_eq!(codec(name), Codec::cp437(), "{name}");
        assert_eq!(codec(name).name(), "CP437");
    }
}

#[test]
fn lookup_whatwg_and_python_names() {
    let cases: &[(&str, &str)] = &[
        ("utf8", "UTF-8"),
        ("UTF-8", "UTF-8"),
        ("utf_8", "UTF-8"),
        ("U8", "UTF-8"),
        ("cp1252", "windows-1252"),
        ("windows-1252", "windows-1252"),
        ("Windows_1252", "windows-1252"),
        ("iso-8859-15", "ISO-8859-15"),
        ("iso8859_15", "ISO-8859-15"),
        ("latin9", "ISO-8859-15"),
        ("latin2", "ISO-8859-2"),
        ("shift_jis", "Shift_JIS"),
        ("SHIFT-JIS", "Shift_JIS"),
        ("sjis", "Shift_JIS"),
        ("cp932", "Shift_JIS"),
        ("ms932", "Shift_JIS"),
        ("big5", "Big5"),
        ("Big5-HKSCS", "Big5"),
        ("cp950", "Big5"),
        ("gbk", "GBK"),
        ("gb2312", "GBK"),
        ("cp936", "GBK"),
        ("gb18030", "gb18030"),
        ("euc-kr", "EUC-KR"),
        ("euc_kr", "EUC-KR"),
        ("cp949", "EUC-KR"),
        ("euc-jp", "EUC-JP"),
        ("iso-2022-jp", "ISO-2022-JP"),
        ("koi8-r", "KOI8-R"),
        ("koi8_r", "KOI8-R"),
        ("KOI8R", "KOI8-R"),
        ("koi8-u", "KOI8-U"),
        ("cp866", "IBM866"),
        ("cp1251", "windows-1251"),
        ("windows-874", "windows-874"),
        ("mac_roman", "macintosh"),
        ("utf-16", "UTF-16LE"),
        ("utf16", "UTF-16LE"),
        ("UTF-16LE", "UTF-16LE"),
        ("utf_16_be", "UTF-16BE"),
    ];
    for &(name, canonical) in cases {
        assert_eq!(codec(name).name(), canonical, "{name}");
    }
}

#[test]
fn lookup_refuses_unknown_and_replacement() {
    for name in [
        "",
        "nonsense",
        "utf-9",
        "cp4370",
        "iso-2022-kr",
        "hz-gb-2312",
        "replacement",
    ] {
        assert_eq!(Codec::lookup(name), None, "{name}");
    }
}

#[test]
fn every_name_looks_up_to_itself() {
    let mut codecs = vec![
        Codec::ascii(),
        Codec::latin1(),
        Codec::cp437(),
        Codec::utf8(),
    ];
    codecs.extend(ALL_WHATWG.iter().map(|&e| Codec {
        kind: Kind::Whatwg(e),
    }));
    codecs.extend(
        codepages::NAMES
            .iter()
            .map(|&(_, table)| Codec {
                kind: Kind::Table(table),
            })
            .chain(
                [&retro::PETSCII, &retro::ATASCII, &retro::ATARIST].map(|table| Codec {
                    kind: Kind::Table(table),
                }),
            ),
    );
    codecs.push(Codec {
        kind: Kind::Big5Bbs,
    });
    for c in codecs {
        assert_eq!(Codec::lookup(c.name()), Some(c), "{}", c.name());
        assert_eq!(format!("{c:?}"), format!("Codec({:?})", c.name()));
        assert_eq!(c.to_string(), c.name());
    }
    assert_eq!(Codec::utf8().encoding_rs(), Some(encoding_rs::UTF_8));
    assert_eq!(Codec::cp437().encoding_rs(), None);
}

#[test]
fn every_charset_offer_is_known() {
    for name in SERVER_OFFERS.iter().chain(CLIENT_OFFERS) {
        assert!(Codec::lookup(name).is_some(), "{name}");
    }
    assert_eq!(codec("LATIN1").name(), "ISO-8859-1");
    assert_eq!(codec("CP1252").name(), "windows-1252");
}

#[test]
fn codec_is_small_and_copy() {
    fn copy<T: Copy>() {}
    copy::<Codec>();
    assert!(std::mem::size_of::<Codec>() <= 16);
}

#[test]
fn latin1_round_trips_all_bytes() {
    let latin1 = Codec::latin1();
    let all: Vec<u8> = (0..=255).collect();
    let text = decode_all(latin1, &all, Errors::Strict).unwrap();
    let expected: String = (0..=255u8).map(char::from).collect();
    assert_eq!(text, expected);
    assert_eq!(encode_all(latin1, &text, Errors::Strict).unwrap(), all);
    for b in 0..=255u8 {
        let one = decode_all(latin1, &[b], Errors::Strict).unwrap();
        assert_eq!(one.chars().collect::<Vec<_>>(), [char::from(b)]);
        assert_eq!(encode_all(latin1, &one, Errors::Strict).unwrap(), [b]);
    }
}

#[test]
fn cp437_round_trips_all_bytes() {
    let cp437 = Codec::cp437();
    let all: Vec<u8> = (0..=255).collect();
    let text = decode_all(cp437, &all, Errors::Strict).unwrap();
    assert_eq!(text.chars().count(), 256);
    assert_eq!(encode_all(cp437, &text, Errors::Strict).unwrap(), all);
    let mut seen = std::collections::HashSet::new();
    for b in 0..=255u8 {
        let one = decode_all(cp437, &[b], Errors::Strict).unwrap();
        let c = one.chars().next().unwrap();
        assert!(seen.insert(c), "0x{b:02X} maps to {c:?} twice");
        assert_eq!(one.chars().count(), 1);
        assert_eq!(encode_all(cp437, &one, Errors::Strict).unwrap(), [b]);
        let mut s = String::new();
        s.push(c);
        assert_eq!(decode_all(cp437, &[b], Errors::Strict).unwrap(), s);
    }
}

#[test]
fn cp437_spot_checks() {
    let cases: &[(u8, char)] = &[
        (0x00, '\u{0000}'),
        (0x01, '\u{0001}'),
        (0x0A, '\n'),
        (0x1B, '\u{001B}'),
        (0x1F, '\u{001F}'),
        (0x41, 'A'),
        (0x7F, '\u{007F}'),
        (0x80, 'Ç'),
        (0x81, 'ü'),
        (0x9E, '₧'),
        (0x9F, 'ƒ'),
        (0xB0, '░'),
        (0xB1, '▒'),
        (0xB2, '▓'),
        (0xB3, '│'),
        (0xC4, '─'),
        (0xC9, '╔'),
        (0xCD, '═'),
        (0xDB, '█'),
        (0xE0, 'α'),
        (0xE1, 'ß'),
        (0xE6, 'µ'),
        (0xF9, '∙'),
        (0xFA, '·'),
        (0xFE, '■'),
        (0xFF, '\u{00A0}'),
    ];
    for &(b, c) in cases {
        assert_eq!(
            decode_all(Codec::cp437(), &[b], Errors::Strict).unwrap(),
            c.to_string(),
            "0x{b:02X}"
        );
        assert_eq!(
            encode_all(Codec::cp437(), &c.to_string(), Errors::Strict).unwrap(),
            [b]
        );
    }
}

#[test]
fn ascii_round_trips_and_rejects_high_bytes() {
    let ascii = Codec::ascii();
    let low: Vec<u8> = (0..0x80).collect();
    let text = decode_all(ascii, &low, Errors::Strict).unwrap();
    assert_eq!(encode_all(ascii, &text, Errors::Strict).unwrap(), low);
    for b in 0x80..=0xFFu8 {
        assert_eq!(
            decode_all(ascii, &[b], Errors::Replace).unwrap(),
            "\u{FFFD}"
        );
        assert!(decode_all(ascii, &[b], Errors::Strict).is_err());
    }
}

#[test]
fn decode_errors_ascii() {
    let input = b"caf\xE9 ok";
    let ascii = Codec::ascii();
    assert_eq!(
        decode_all(ascii, input, Errors::Replace).unwrap(),
        "caf\u{FFFD} ok"
    );
    assert_eq!(decode_all(ascii, input, Errors::Ignore).unwrap(), "caf ok");
    let mut out = String::new();
    let message = encoding_error(ascii.decode(input, Errors::Strict, &mut out));
    assert_eq!(out, "caf");
    assert!(message.contains("0xE9"), "{message}");
    assert!(message.contains("offset 3"), "{message}");
    assert!(message.contains("US-ASCII"), "{message}");
}

#[test]
fn decode_errors_utf8_lone_byte() {
    let input = b"ab\xFFcd";
    let utf8 = Codec::utf8();
    assert_eq!(
        decode_all(utf8, input, Errors::Replace).unwrap(),
        "ab\u{FFFD}cd"
    );
    assert_eq!(decode_all(utf8, input, Errors::Ignore).unwrap(), "abcd");
    let mut out = String::new();
    let message = encoding_error(utf8.decode(input, Errors::Strict, &mut out));
    assert_eq!(out, "ab");
    assert!(message.contains("0xFF"), "{message}");
    assert!(message.contains("offset 2"), "{message}");
    assert!(message.contains("UTF-8"), "{message}");
}

#[test]
fn decode_errors_truncated_at_end() {
    let input = "x€".as_bytes();
    let cut = &input[..3]; // 'x', then two of the three bytes of '€'
    let utf8 = Codec::utf8();
    assert_eq!(decode_all(utf8, cut, Errors::Replace).unwrap(), "x\u{FFFD}");
    assert_eq!(decode_all(utf8, cut, Errors::Ignore).unwrap(), "x");
    let mut out = String::new();
    let message = encoding_error(utf8.decode(cut, Errors::Strict, &mut out));
    assert_eq!(out, "x");
    assert!(message.contains("0xE2 0x82"), "{message}");
    assert!(message.contains("incomplete"), "{message}");

    // Held back over calls, then cut off by `last`.
    for errors in [Errors::Replace, Errors::Ignore, Errors::Strict] {
        let mut decoder = utf8.decoder(errors);
        let mut out = String::new();
        decoder.decode(&cut[..2], &mut out, false).unwrap();
        assert_eq!(decoder.pending(), 1);
        decoder.decode(&cut[2..], &mut out, false).unwrap();
        assert_eq!(decoder.pending(), 2);
        let result = decoder.decode(&[], &mut out, true);
        match errors {
            Errors::Replace => assert_eq!(out, "x\u{FFFD}"),
            Errors::Ignore => assert_eq!(out, "x"),
            Errors::Strict => {
                let message = encoding_error(result);
                assert!(message.contains("0xE2 0x82"), "{message}");
                assert!(message.contains("earlier input"), "{message}");
            }
        }
        // Either way the decoder starts afresh.
        assert_eq!(decoder.pending(), 0);
        out.clear();
        decoder.decode("é".as_bytes(), &mut out, false).unwrap();
        assert_eq!(out, "é");
    }
}

#[test]
fn strict_error_resets_the_decoder() {
    let mut decoder = Codec::utf8().decoder(Errors::Strict);
    let mut out = String::new();
    decoder.decode(b"ok \xE2", &mut out, false).unwrap();
    assert_eq!(decoder.pending(), 1);
    assert!(decoder.decode(b"A rest", &mut out, false).is_err());
    assert_eq!(out, "ok ");
    assert_eq!(decoder.pending(), 0);
    decoder.decode("ü".as_bytes(), &mut out, false).unwrap();
    assert_eq!(out, "ok ü");
    assert_eq!(decoder.codec(), Codec::utf8());
    assert_eq!(decoder.errors(), Errors::Strict);
}

#[test]
fn encode_errors() {
    let cases: &[(Codec, &str, &[u8], &[u8])] = &[
        (Codec::ascii(), "café!", b"caf?!", b"caf!"),
        (Codec::latin1(), "5€ é", b"5? \xE9", b"5 \xE9"),
        (Codec::cp437(), "ok ✓ ░", b"ok ? \xB0", b"ok  \xB0"),
        (codec("cp1252"), "a✓€", b"a?\x80", b"a\x80"),
        (codec("shift_jis"), "日✓", b"\x93\xFA?", b"\x93\xFA"),
    ];
    for &(c, text, replaced, ignored) in cases {
        assert_eq!(
            encode_all(c, text, Errors::Replace).unwrap(),
            replaced,
            "{c}"
        );
        assert_eq!(encode_all(c, text, Errors::Ignore).unwrap(), ignored, "{c}");
        let mut out = Vec::new();
        let message = encoding_error(c.encode(text, Errors::Strict, &mut out));
        assert!(message.contains(c.name()), "{message}");
        assert!(out.len() < replaced.len());
    }
    let message = encoding_error(encode_all(Codec::ascii(), "é", Errors::Strict));
    assert!(
        message.contains("'é'") && message.contains("U+00E9"),
        "{message}"
    );
    let message = encoding_error(encode_all(Codec::latin1(), "€", Errors::Strict));
    assert!(message.contains("U+20AC"), "{message}");
    let message = encoding_error(encode_all(Codec::cp437(), "✓", Errors::Strict));
    assert!(message.contains("U+2713"), "{message}");
}

#[test]
fn iso_2022_jp_replacement_goes_back_to_ascii() {
    let jis = codec("iso-2022-jp");
    let bytes = encode_all(jis, "日✓本", Errors::Replace).unwrap();
    assert_eq!(decode_all(jis, &bytes, Errors::Strict).unwrap(), "日?本");
    assert!(bytes.ends_with(b"\x1B(B"), "{bytes:?}");
}

#[test]
fn cjk_round_trips() {
    let cases: &[(&str, &str)] = &[
        ("shift_jis", "日本語のテキスト、ｶﾀｶﾅ abc"),
        ("cp932", "東京"),
        ("euc-jp", "日本語のテキスト"),
        ("iso-2022-jp", "日本語 and ASCII"),
        ("big5", "中文字 繁體"),
        ("cp950", "臺灣"),
        ("gbk", "中文 简体"),
        ("gb18030", "中文 ☃ 😀"),
        ("euc-kr", "한국어 텍스트"),
        ("utf-16", "a€😀"),
        ("utf-16be", "a€😀"),
    ];
    for &(name, text) in cases {
        let c = codec(name);
        let bytes = encode_all(c, text, Errors::Strict).unwrap();
        assert_ne!(bytes, text.as_bytes(), "{name}");
        assert_eq!(
            decode_all(c, &bytes, Errors::Strict).unwrap(),
            text,
            "{name}"
        );
        for cut in 0..=bytes.len() {
            assert_eq!(
                decode_split(c, &bytes, &[cut], Errors::Strict).unwrap(),
                text,
                "{name} cut at {cut}"
            );
        }
        let every: Vec<usize> = (1..bytes.len()).collect();
        assert_eq!(
            decode_split(c, &bytes, &every, Errors::Strict).unwrap(),
            text
        );
    }
}

#[test]
fn utf16_encodes_by_hand_without_bom() {
    assert_eq!(
        encode_all(codec("utf-16"), "a€😀", Errors::Strict).unwrap(),
        [0x61, 0x00, 0xAC, 0x20, 0x3D, 0xD8, 0x00, 0xDE]
    );
    assert_eq!(
        encode_all(codec("utf-16be"), "a€", Errors::Strict).unwrap(),
        [0x00, 0x61, 0x20, 0xAC]
    );
    let mut decoder = codec("utf-16le").decoder(Errors::Replace);
    let mut out = String::new();
    decoder
        .decode(&[0x61, 0x00, 0x3D], &mut out, false)
        .unwrap();
    assert_eq!((out.as_str(), decoder.pending()), ("a", 1));
    decoder.decode(&[0xD8, 0x00], &mut out, false).unwrap();
    assert_eq!((out.as_str(), decoder.pending()), ("a", 3));
    decoder.decode(&[0xDE], &mut out, true).unwrap();
    assert_eq!((out.as_str(), decoder.pending()), ("a😀", 0));
}

#[test]
fn utf8_split_everywhere() {
    let text = "aé€😀b ünï 中 𝄞!";
    let bytes = text.as_bytes();
    for cut in 0..=bytes.len() {
        let mut decoder = Codec::utf8().decoder(Errors::Strict);
        let mut out = String::new();
        decoder.decode(&bytes[..cut], &mut out, false).unwrap();
        // What is held back is exactly the part of a character before the cut.
        let complete = (0..=cut).rev().find(|&i| text.is_char_boundary(i)).unwrap();
        assert_eq!(decoder.pending(), cut - complete, "cut at {cut}");
        assert_eq!(out, &text[..complete]);
        decoder.decode(&bytes[cut..], &mut out, true).unwrap();
        assert_eq!(out, text, "cut at {cut}");
    }
    for a in 0..=bytes.len() {
        for b in a..=bytes.len() {
            assert_eq!(
                decode_split(Codec::utf8(), bytes, &[a, b], Errors::Strict).unwrap(),
                text
            );
        }
    }
    let every: Vec<usize> = (1..bytes.len()).collect();
    assert_eq!(
        decode_split(Codec::utf8(), bytes, &every, Errors::Strict).unwrap(),
        text
    );
}

#[test]
fn single_byte_whatwg_and_fast_paths() {
    let cp1252 = codec("cp1252");
    assert_eq!(
        decode_all(cp1252, b"\x80 \x93q\x94", Errors::Strict).unwrap(),
        "€ “q”"
    );
    assert_eq!(
        decode_all(cp1252, b"plain", Errors::Strict).unwrap(),
        "plain"
    );
    let koi8 = codec("koi8-r");
    let text = "Привет, мир";
    let bytes = encode_all(koi8, text, Errors::Strict).unwrap();
    assert_eq!(bytes.len(), text.chars().count());
    assert_eq!(
        decode_split(koi8, &bytes, &[3, 4], Errors::Strict).unwrap(),
        text
    );
    let mut decoder = koi8.decoder(Errors::Strict);
    let mut out = String::new();
    decoder.decode(&bytes[..1], &mut out, false).unwrap();
    assert_eq!(decoder.pending(), 0);
}

#[test]
fn decoder_is_reusable_after_last() {
    for c in [
        Codec::utf8(),
        Codec::cp437(),
        codec("shift_jis"),
        codec("iso-2022-jp"),
    ] {
        let mut decoder = c.decoder(Errors::Replace);
        let mut out = String::new();
        decoder.decode(b"one", &mut out, true).unwrap();
        decoder.decode(b" two", &mut out, true).unwrap();
        decoder.decode(b"", &mut out, true).unwrap();
        assert_eq!(out, "one two", "{c}");
    }
}

#[test]
fn errors_from_str() {
    assert_eq!(Errors::from_str("replace").unwrap(), Errors::Replace);
    assert_eq!(Errors::from_str("IGNORE").unwrap(), Errors::Ignore);
    assert_eq!(Errors::from_str(" Strict ").unwrap(), Errors::Strict);
    assert_eq!("strict".parse::<Errors>().unwrap(), Errors::Strict);
    for bad in ["", "replaced", "surrogateescape", "xmlcharrefreplace"] {
        assert!(
            matches!(Errors::from_str(bad), Err(Error::Config(_))),
            "{bad}"
        );
    }
    for e in [Errors::Replace, Errors::Ignore, Errors::Strict] {
        assert_eq!(e.to_string().parse::<Errors>().unwrap(), e);
    }
    assert_eq!(Errors::default(), Errors::Replace);
}

/// Encodings whose decoders hold bytes back, each with bytes that exercise its structure.
fn tracked_encodings() -> Vec<(&'static Encoding, Vec<u8>)> {
    let utf8 = vec![
        0xC2, 0xE0, 0xA0, 0xED, 0x9F, 0xF0, 0x90, 0xF4, 0x8F, 0x80, 0xBF, 0xFF, 0x41,
    ];
    let dbcs = vec![
        0x81, 0x9F, 0xA1, 0xE0, 0xFC, 0xFE, 0x40, 0x7E, 0x80, 0xFF, 0x41, 0x0A,
    ];
    let euc_jp = vec![0x8E, 0x8F, 0xA1, 0xDF, 0xFE, 0x41, 0x80, 0xFF, 0xB0];
    let gb = vec![
        0x81, 0x82, 0xFE, 0x30, 0x39, 0x35, 0x40, 0x41, 0x7F, 0x80, 0xFF, 0xA1,
    ];
    let jis = vec![
        0x1B, 0x24, 0x28, 0x40, 0x42, 0x4A, 0x49, 0x21, 0x30, 0x7E, 0x41, 0x0E, 0x80,
    ];
    let utf16 = vec![0x00, 0xD8, 0xDB, 0xDC, 0xDF, 0x41, 0x3D, 0xFF];
    vec![
        (encoding_rs::UTF_8, utf8),
        (encoding_rs::UTF_16LE, utf16.clone()),
        (encoding_rs::UTF_16BE, utf16),
        (encoding_rs::SHIFT_JIS, dbcs.clone()),
        (encoding_rs::BIG5, dbcs.clone()),
        (encoding_rs::EUC_KR, dbcs.clone()),
        (encoding_rs::EUC_JP, euc_jp),
        (encoding_rs::GBK, gb.clone()),
        (encoding_rs::GB18030, gb),
        (encoding_rs::ISO_2022_JP, jis),
        (encoding_rs::WINDOWS_1252, dbcs),
    ]
}

proptest! {
    #[test]
    fn utf8_streaming_equals_original(
        text in any::<String>(),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let bytes = text.as_bytes();
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
        cuts.sort_unstable();
        prop_assert_eq!(decode_split(Codec::utf8(), bytes, &cuts, Errors::Strict).unwrap(), text);
    }

    #[test]
    fn hand_made_codecs_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        for c in [Codec::latin1(), Codec::cp437()] {
            let text = decode_all(c, &bytes, Errors::Strict).unwrap();
            prop_assert_eq!(encode_all(c, &text, Errors::Strict).unwrap(), bytes.clone());
        }
    }

    /// `pending()` matches what encoding_rs holds: the text so far is the one-shot decoding of
    /// all but the pending bytes, and the whole stream decodes as in one call.
    #[test]
    fn pending_matches_encoding_rs(
        which in 0usize..11,
        picks in proptest::collection::vec((any::<bool>(), any::<u8>(), any::<prop::sample::Index>()), 0..48),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..6),
    ) {
        let encodings = tracked_encodings();
        let (encoding, alphabet) = &encodings[which % encodings.len()];
        let bytes: Vec<u8> = picks
            .iter()
            .map(|&(raw, b, i)| if raw { b } else { *i.get(alphabet) })
            .collect();
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
        cuts.sort_unstable();
        cuts.push(bytes.len());
        let c = Codec { kind: Kind::Whatwg(encoding) };
        for errors in [Errors::Replace, Errors::Ignore] {
            let mut decoder = c.decoder(errors);
            let mut out = String::new();
            let mut from = 0;
            for &cut in &cuts {
                decoder.decode(&bytes[from..cut], &mut out, false).unwrap();
                from = cut;
                let held = decoder.pending();
                prop_assert!(held <= cut);
                let expected = decode_all(c, &bytes[..cut - held], errors).unwrap();
                prop_assert_eq!(&out, &expected, "{} cut {} held {}", c, cut, held);
            }
            decoder.decode(&[], &mut out, true).unwrap();
            prop_assert_eq!(out, decode_all(c, &bytes, errors).unwrap());
        }
        // The one-shot decoding agrees with encoding_rs's own replacement.
        let (reference, _) = encoding.decode_without_bom_handling(&bytes);
        prop_assert_eq!(decode_all(c, &bytes, Errors::Replace).unwrap(), reference);
    }
}

/// The retro codecs, Big5-BBS and some of the generated code pages, by name.
const TABLE_SAMPLES: &[&str] = &[
    "petscii", "atascii", "atarist", "big5bbs", "cp037", "cp850", "cp864", "cp1131", "koi8-u",
    "tis-620",
];

fn all_codecs() -> Vec<Codec> {
    let mut codecs = vec![Codec::ascii(), Codec::latin1(), Codec::cp437()];
    codecs.extend(ALL_WHATWG.iter().map(|&e| Codec {
        kind: Kind::Whatwg(e),
    }));
    codecs.extend(TABLE_SAMPLES.iter().map(|name| codec(name)));
    codecs
}

/// Codecs that do not give back all the text they encode: ATASCII encodes CR as LF, and
/// Big5-BBS's CP437 bytes may decode otherwise.
fn gives_back(c: Codec, text: &str) -> bool {
    match c.name() {
        "BIG5BBS" => false,
        "ATASCII" => !text.contains('\r'),
        _ => true,
    }
}

proptest! {
    /// Any bytes, any codec, any mode, any split: no panic; strict agrees with replace up to
    /// its error; ignore is replace without the replacements.
    #[test]
    fn decoding_never_panics_and_modes_agree(
        which in any::<prop::sample::Index>(),
        bytes in proptest::collection::vec(any::<u8>(), 0..64),
        cut in any::<prop::sample::Index>(),
    ) {
        let codecs = all_codecs();
        let c = *which.get(&codecs);
        let cut = cut.index(bytes.len() + 1);
        let replaced = decode_split(c, &bytes, &[cut], Errors::Replace).unwrap();
        let ignored = decode_split(c, &bytes, &[cut], Errors::Ignore).unwrap();
        // (Unless the input holds a U+FFFD of its own.)
        if !ignored.contains('\u{FFFD}') {
            prop_assert_eq!(&ignored, &replaced.replace('\u{FFFD}', ""));
        }
        let mut decoder = c.decoder(Errors::Strict);
        let mut out = String::new();
        let strict = decoder
            .decode(&bytes[..cut], &mut out, false)
            .and_then(|()| decoder.decode(&bytes[cut..], &mut out, true));
        match strict {
            Ok(()) => prop_assert_eq!(&out, &replaced),
            Err(Error::Encoding(_)) => prop_assert!(replaced.starts_with(&out)),
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }

    /// Any text, any codec, any mode: no panic; what encodes strictly decodes back to text that
    /// encodes to the same bytes (not always the same text: WHATWG encoders map some characters
    /// to look-alikes, such as U+00A5 to 0x5C in Shift_JIS).
    #[test]
    fn encoding_never_panics_and_round_trips(
        which in any::<prop::sample::Index>(),
        text in "(\\PC|[\\x00-\\x7f]|[€éß中日한░─π♥╔]|\r\n)*",
    ) {
        let codecs = all_codecs();
        let c = *which.get(&codecs);
        let replaced = encode_all(c, &text, Errors::Replace).unwrap();
        let ignored = encode_all(c, &text, Errors::Ignore).unwrap();
        prop_assert!(ignored.len() <= replaced.len());
        if let Ok(strict) = encode_all(c, &text, Errors::Strict) {
            prop_assert_eq!(&strict, &replaced);
            let back = decode_all(c, &strict, Errors::Strict).unwrap();
            prop_assert_eq!(encode_all(c, &back, Errors::Strict).unwrap(), strict);
            let utf = c.encoding_rs().is_some_and(|e| e.name().starts_with("UTF"));
            if (c.encoding_rs().is_none() && gives_back(c, &text)) || utf {
                prop_assert_eq!(back, text);
            }
        }
    }
}

mod code_pages;
