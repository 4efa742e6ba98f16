//! The retro sets, Big5-BBS and the generated code pages.

use super::*;

#[test]
fn lookup_retro_names() {
    let cases: &[(&str, &str)] = &[
        ("petscii", "PETSCII"),
        ("PETSCII", "PETSCII"),
        ("cbm", "PETSCII"),
        ("Commodore", "PETSCII"),
        ("c64", "PETSCII"),
        ("C128", "PETSCII"),
        ("atascii", "ATASCII"),
        ("atari8bit", "ATASCII"),
        ("atari_8bit", "ATASCII"),
        ("ATARI-8BIT", "ATASCII"),
        ("atarist", "ATARIST"),
        ("atari", "ATARIST"),
        ("big5bbs", "BIG5BBS"),
        ("big5_bbs", "BIG5BBS"),
        ("big5-pcman", "BIG5BBS"),
        ("big5_pcmanx", "BIG5BBS"),
        ("BIG5_PTT", "BIG5BBS"),
    ];
    for &(name, canonical) in cases {
        assert_eq!(codec(name).name(), canonical, "{name}");
    }
    assert_eq!(codec("big5").name(), "Big5");
}

#[test]
fn lookup_code_pages() {
    let cases: &[(&str, &str)] = &[
        ("cp850", "CP850"),
        ("IBM850", "CP850"),
        ("850", "CP850"),
        ("cp037", "CP037"),
        ("ebcdic-cp-us", "CP037"),
        ("cp1131", "CP1131"),
        ("ibm-1131", "CP1131"),
        ("ruscii", "CP1125"),
        ("koi8-u", "KOI8-U"),
        ("koi8_u", "KOI8-U"),
        ("KOI8-RU", "KOI8-RU"),
        ("latin5", "ISO-8859-9"),
        ("iso-8859-9", "ISO-8859-9"),
        ("windows-1254", "windows-1254"),
        ("tis-620", "TIS-620"),
        ("iso-8859-11", "ISO-8859-11"),
        ("windows-874", "windows-874"),
        ("mac-greek", "MAC-GREEK"),
        ("maccentraleurope", "MAC-LATIN2"),
        ("1252", "windows-1252"),
        ("latin10", "ISO-8859-16"),
        ("iso8859_16", "ISO-8859-16"),
        ("mac_roman", "macintosh"),
        ("cp866", "IBM866"),
    ];
    for &(name, canonical) in cases {
        assert_eq!(codec(name).name(), canonical, "{name}");
    }
    // RFC 2319's KOI8-U has box drawing where WHATWG's (KOI8-RU) has Belarusian letters.
    assert_eq!(
        decode_all(codec("koi8-u"), b"\xAE\xBE", Errors::Strict).unwrap(),
        "╝╬"
    );
    assert_eq!(
        decode_all(codec("koi8-ru"), b"\xAE\xBE", Errors::Strict).unwrap(),
        "ўЎ"
    );
}

#[test]
fn generated_name_lists_are_sorted_and_normalized() {
    for names in [
        codepages::NAMES.iter().map(|&(k, _)| k).collect::<Vec<_>>(),
        codepages::WHATWG_NAMES.iter().map(|&(k, _)| k).collect(),
    ] {
        assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        for name in names {
            assert_eq!(normalize(name), name);
        }
    }
    for &(name, label) in codepages::WHATWG_NAMES {
        assert!(python_code_page(name).is_some(), "{name} -> {label}");
        assert!(codepage(name).is_none(), "{name}");
    }
}

/// The few WHATWG labels that mean a generated table instead: RFC 2319's KOI8-U (`"koi8-u"`,
/// see [`lookup_code_pages`]) and ISO's own ISO-8859-9 and ISO-8859-11 (WHATWG gives
/// windows-1254 and windows-874 for them). These are the normalized names among them.
#[test]
fn python_meanings_shadow_only_these_whatwg_labels() {
    let shadowed: Vec<(&str, &str)> = codepages::NAMES
        .iter()
        .filter(|&&(key, _)| Encoding::for_label(key.as_bytes()).is_some())
        .map(|&(key, table)| (key, table.name))
        .collect();
    assert_eq!(
        shadowed,
        [
            ("csisolatin5", "ISO-8859-9"),
            ("iso885911", "ISO-8859-11"),
            ("iso88599", "ISO-8859-9"),
            ("l5", "ISO-8859-9"),
            ("latin5", "ISO-8859-9"),
        ]
    );
}

#[test]
fn tables_encode_to_the_last_or_the_first_byte() {
    let mut chars = [tables::UNDEFINED; 256];
    chars[0x41] = 'x';
    chars[0x42] = 'x';
    chars[0x43] = 'y';
    let last = Table::new("T", chars);
    assert_eq!(last.encode_char('x'), Some(0x42));
    assert_eq!(last.encode_char('y'), Some(0x43));
    assert_eq!(last.encode_char('A'), None);
    assert_eq!(last.encode_char(tables::UNDEFINED), None);
    assert_eq!(last.decode_byte(0x41), Some('x'));
    assert_eq!(last.decode_byte(0x00), None);
    assert!(!last.is_ascii());
    let first = Table::new("T", chars).prefer_first();
    assert_eq!(first.encode_char('x'), Some(0x41));
    assert_eq!(first.encode_char('y'), Some(0x43));
    assert!(!first.folds_cr() && first.cr_as_newline().folds_cr());
    assert!(tables::CP437.is_ascii());
}

#[test]
fn non_ascii_tables_report_bad_bytes_and_characters() {
    // TIS-620 has no 0xA0; CP037 is EBCDIC throughout.
    let tis = codec("tis-620");
    assert_eq!(
        decode_all(tis, b"a\xA0b", Errors::Replace).unwrap(),
        "a\u{FFFD}b"
    );
    let message = encoding_error(decode_all(tis, b"a\xA0b", Errors::Strict));
    assert!(
        message.contains("0xA0") && message.contains("offset 1"),
        "{message}"
    );
    let cp037 = codec("cp037");
    assert_eq!(
        decode_all(cp037, b"\xC8\x89", Errors::Strict).unwrap(),
        "Hi"
    );
    assert_eq!(
        encode_all(cp037, "Hi✓", Errors::Replace).unwrap(),
        b"\xC8\x89\x6F"
    );
    assert_eq!(
        encode_all(cp037, "Hi✓", Errors::Ignore).unwrap(),
        b"\xC8\x89"
    );
    let message = encoding_error(encode_all(cp037, "Hi✓", Errors::Strict));
    assert!(
        message.contains("U+2713") && message.contains("CP037"),
        "{message}"
    );
}

#[test]
fn big5bbs_holds_a_lead_byte_and_resets() {
    let c = codec("big5bbs");
    let mut decoder = c.decoder(Errors::Strict);
    let mut out = String::new();
    decoder.decode(b"\xA4", &mut out, false).unwrap();
    assert_eq!(decoder.pending(), 1);
    decoder.reset();
    assert_eq!(decoder.pending(), 0);
    decoder.decode(b"\xA4\xA4\xA4", &mut out, false).unwrap();
    assert_eq!((out.as_str(), decoder.pending()), ("中", 1));
    decoder.decode(b"", &mut out, false).unwrap();
    assert_eq!(decoder.pending(), 1);
    decoder.decode(b"", &mut out, true).unwrap();
    assert_eq!((out.as_str(), decoder.pending()), ("中ñ", 0));
    assert_eq!(c.encoding_rs(), None);
}
