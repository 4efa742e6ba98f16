//! The single-byte tables and Big5-BBS, byte by byte, against the tables they come from:
//! - Python's own single-byte codecs (every one of them, with all of Python's names) and
//!   telnetlib3 5.0.1's retro codecs, through the Python of the telnet peers' venv: skipped
//!   without it, unless `TELNETLIB3_INTEROP=1` makes that a failure;
//! - the Atari ST and CP1131 mapping files in `tests/data/encodings/`;
//!
//! and, with no Python at all: every byte of every table round-trips, decoding split at every
//! byte position gives the same text, and decode(encode(s)) == s for the text each codec can
//! carry (a property test).

mod support;

use std::collections::HashMap;
use std::io::Write as _;
use std::process::{Command, Stdio};

use proptest::prelude::*;
use telnetlib3::encoding::{Codec, Errors};

/// Python's code pages that encoding_rs decodes as a superset: some bytes Python leaves
/// undefined decode to a character (mostly the C1 control of the same number).
const SUPERSETS: &[&str] = &[
    "cp874", "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1257", "cp1258",
];

/// Every codec with a table of its own (the retro sets, the generated code pages, CP437).
const TABLES: &[&str] = &[
    "petscii",
    "atascii",
    "atarist",
    "cp437",
    "cp1131",
    "cp037",
    "cp273",
    "cp424",
    "cp500",
    "cp720",
    "cp737",
    "cp775",
    "cp850",
    "cp852",
    "cp855",
    "cp856",
    "cp857",
    "cp858",
    "cp860",
    "cp861",
    "cp862",
    "cp863",
    "cp864",
    "cp865",
    "cp869",
    "cp875",
    "cp1006",
    "cp1026",
    "cp1125",
    "cp1140",
    "hp_roman8",
    "iso8859_9",
    "iso8859_11",
    "koi8_t",
    "koi8_u",
    "kz1048",
    "mac_arabic",
    "mac_croatian",
    "mac_farsi",
    "mac_greek",
    "mac_iceland",
    "mac_latin2",
    "mac_romanian",
    "mac_turkish",
    "palmos",
    "ptcp154",
    "tis_620",
];

/// Lists, for each single-byte codec of Python and each retro codec of telnetlib3: its names,
/// the character of each byte (hex, `-` for none) and the encoding of that character (hex,
/// `!` when it does not encode).
const DUMP: &str = r#"
import encodings, encodings.aliases, importlib, pkgutil
import telnetlib3

def dump(codec, names):
    chars, back = [], []
    for b in range(256):
        try:
            c = bytes([b]).decode(codec)
        except UnicodeDecodeError:
            chars.append("-")
            back.append("-")
            continue
        chars.append("%X" % ord(c))
        try:
            back.append(c.encode(codec).hex())
        except UnicodeEncodeError:
            back.append("!")
    print(codec, ",".join(names), " ".join(chars), " ".join(back), sep="\t")

for module in pkgutil.iter_modules(encodings.__path__):
    try:
        loaded = importlib.import_module("encodings." + module.name)
    except ImportError:
        continue
    if hasattr(loaded, "decoding_table") or hasattr(loaded, "decoding_map"):
        aliases = [a for a, c in encodings.aliases.aliases.items() if c == module.name]
        dump(module.name, [module.name] + aliases)
for codec in ("petscii", "atascii", "atarist"):
    aliases = importlib.import_module("telnetlib3.encodings." + codec).getaliases()
    dump(codec, [codec] + list(aliases))
"#;

fn codec(name: &str) -> Codec {
    Codec::lookup(name).unwrap_or_else(|| panic!("no codec for {name:?}"))
}

fn decode(codec: Codec, bytes: &[u8], errors: Errors) -> telnetlib3::Result<String> {
    let mut out = String::new();
    codec.decode(bytes, errors, &mut out)?;
    Ok(out)
}

fn encode(codec: Codec, text: &str, errors: Errors) -> telnetlib3::Result<Vec<u8>> {
    let mut out = Vec::new();
    codec.encode(text, errors, &mut out)?;
    Ok(out)
}

/// Runs `script` with the venv's Python and returns what it prints, or `None` when the venv
/// is missing (and may be).
fn python(script: &str) -> Option<String> {
    let python = support::require("venv/bin/python")?;
    let mut child = Command::new(python)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start python");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("write the script");
    let output = child.wait_with_output().expect("python runs");
    assert!(
        output.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8(output.stdout).expect("UTF-8 output"))
}

#[test]
fn every_python_single_byte_codec_and_telnetlib3_retro_codec_matches() {
    let Some(dump) = python(DUMP) else { return };
    let mut seen = 0;
    for line in dump.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        let [name, names, chars, back] = fields[..] else {
            panic!("bad line {line:?}")
        };
        seen += 1;
        let ours = codec(name);
        let unknown: Vec<&str> = names
            .split(',')
            .filter(|alias| Codec::lookup(alias) != Some(ours))
            .collect();
        assert!(
            unknown.is_empty(),
            "{name} ({ours}): not found by {unknown:?}"
        );
        let superset = SUPERSETS.contains(&name);
        let chars: Vec<&str> = chars.split(' ').collect();
        let back: Vec<&str> = back.split(' ').collect();
        assert_eq!((chars.len(), back.len()), (256, 256), "{name}");
        for b in 0..=255u8 {
            let got = decode(ours, &[b], Errors::Strict);
            let i = usize::from(b);
            if chars[i] == "-" {
                if superset {
                    // Undefined in WHATWG too, or WHATWG's character, which encodes back.
                    if let Ok(text) = got {
                        assert_eq!(text.chars().count(), 1, "{name} 0x{b:02X}");
                        assert_eq!(encode(ours, &text, Errors::Strict).unwrap(), [b]);
                    }
                } else {
                    assert!(got.is_err(), "{name}: 0x{b:02X} should not decode: {got:?}");
                    assert_eq!(decode(ours, &[b], Errors::Replace).unwrap(), "\u{FFFD}");
                    assert_eq!(decode(ours, &[b], Errors::Ignore).unwrap(), "");
                }
                continue;
            }
            let c = char::from_u32(u32::from_str_radix(chars[i], 16).unwrap()).unwrap();
            assert_eq!(got.unwrap(), c.to_string(), "{name}: decoding 0x{b:02X}");
            let encoded = encode(ours, &c.to_string(), Errors::Strict);
            match back[i] {
                "!" => assert!(encoded.is_err(), "{name}: {c:?} should not encode"),
                hex => assert_eq!(
                    encoded.unwrap(),
                    hex_bytes(hex),
                    "{name}: encoding {c:?} (from 0x{b:02X})"
                ),
            }
        }
    }
    assert!(seen >= 70, "only {seen} codecs listed");
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

/// Reads a mapping file in the Unicode consortium's format: `0xBB\t0xUUUU\t#NAME` lines.
fn mapping_file(text: &str) -> Vec<(u8, char)> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let mut fields = line.split('\t');
            let byte = fields.next().unwrap().trim_start_matches("0x");
            let code = fields.next().unwrap().trim_start_matches("0x");
            let byte = u8::from_str_radix(byte, 16).unwrap();
            let code = u32::from_str_radix(code, 16).unwrap();
            (byte, char::from_u32(code).unwrap())
        })
        .collect()
}

#[test]
fn atarist_and_cp1131_match_their_mapping_files() {
    for (name, file) in [
        (
            "atarist",
            include_str!("data/encodings/ATARIST.TXT").to_owned(),
        ),
        (
            "cp1131",
            include_str!("data/encodings/CP1131.TXT").to_owned(),
        ),
    ] {
        let c = codec(name);
        let table = mapping_file(&file);
        assert_eq!(table.len(), 256, "{name}");
        for (b, ch) in table {
            assert_eq!(
                decode(c, &[b], Errors::Strict).unwrap(),
                ch.to_string(),
                "{name} 0x{b:02X}"
            );
            assert_eq!(
                encode(c, &ch.to_string(), Errors::Strict).unwrap(),
                [b],
                "{name} {ch:?}"
            );
        }
    }
}

#[test]
fn every_byte_of_every_table_round_trips() {
    for &name in TABLES {
        let c = codec(name);
        let mut bytes_of: HashMap<char, Vec<u8>> = HashMap::new();
        for b in 0..=255u8 {
            if let Ok(text) = decode(c, &[b], Errors::Strict) {
                let mut chars = text.chars();
                let ch = chars.next().unwrap();
                assert_eq!(chars.next(), None, "{name} 0x{b:02X}");
                bytes_of.entry(ch).or_default().push(b);
            }
        }
        for (ch, bytes) in bytes_of {
            let encoded = encode(c, &ch.to_string(), Errors::Strict).unwrap();
            assert_eq!(encoded.len(), 1, "{name} {ch:?}");
            assert!(bytes.contains(&encoded[0]), "{name} {ch:?} -> {encoded:?}");
            if bytes.len() == 1 {
                assert_eq!(encoded, bytes, "{name} {ch:?}");
            }
        }
    }
}

#[test]
fn retro_spot_checks() {
    let petscii = codec("petscii");
    assert_eq!(decode(petscii, b"\x41\xC1", Errors::Strict).unwrap(), "aA");
    assert_eq!(encode(petscii, "\r", Errors::Strict).unwrap(), [0x8D]);
    assert_eq!(
        decode(petscii, &[0x0D, 0x8D], Errors::Strict).unwrap(),
        "\r\r"
    );
    assert_eq!(
        encode(petscii, "aA─π", Errors::Strict).unwrap(),
        b"\x41\xC1\xE5\xFF"
    );
    let atascii = codec("atascii");
    assert_eq!(decode(atascii, &[0x9B], Errors::Strict).unwrap(), "\n");
    for text in ["\n", "\r", "\r\n"] {
        assert_eq!(
            encode(atascii, text, Errors::Strict).unwrap(),
            [0x9B],
            "{text:?}"
        );
    }
    assert_eq!(
        encode(atascii, "a\r\r\nb\n\rc", Errors::Strict).unwrap(),
        b"a\x9B\x9Bb\x9B\x9Bc"
    );
    // Inverse video decodes as the normal glyph, which encodes to the normal byte.
    assert_eq!(
        decode(atascii, &[0xC1, 0x41], Errors::Strict).unwrap(),
        "AA"
    );
    assert_eq!(encode(atascii, "A♥", Errors::Strict).unwrap(), [0x41, 0x00]);
    let atarist = codec("atarist");
    assert_eq!(
        decode(atarist, &[0x9E, 0xC2], Errors::Strict).unwrap(),
        "ßא"
    );
    let cp037 = codec("cp037");
    assert_eq!(encode(cp037, "Hi", Errors::Strict).unwrap(), [0xC8, 0x89]);
    // EBCDIC's own question mark replaces what it cannot encode.
    assert_eq!(encode(cp037, "✓", Errors::Replace).unwrap(), [0x6F]);
    assert!(!cp037.is_ascii_compatible() && !petscii.is_ascii_compatible());
    assert!(codec("cp850").is_ascii_compatible() && codec("big5bbs").is_ascii_compatible());
}

/// Decodes `bytes` cut into two pieces at every position, and one byte at a time.
fn check_splits(c: Codec, bytes: &[u8]) {
    let whole = decode(c, bytes, Errors::Replace).unwrap();
    for cut in 0..=bytes.len() {
        let mut decoder = c.decoder(Errors::Replace);
        let mut out = String::new();
        decoder.decode(&bytes[..cut], &mut out, false).unwrap();
        assert!(decoder.pending() <= 1, "{c}");
        decoder.decode(&bytes[cut..], &mut out, true).unwrap();
        assert_eq!(out, whole, "{c} cut at {cut}");
        assert_eq!(decoder.pending(), 0);
    }
    let mut decoder = c.decoder(Errors::Replace);
    let mut out = String::new();
    for b in bytes {
        decoder
            .decode(std::slice::from_ref(b), &mut out, false)
            .unwrap();
    }
    decoder.decode(&[], &mut out, true).unwrap();
    assert_eq!(out, whole, "{c} byte by byte");
}

#[test]
fn split_decoding_gives_the_same_text() {
    let all: Vec<u8> = (0..=255).collect();
    for &name in TABLES.iter().chain(&["big5bbs"]) {
        check_splits(codec(name), &all);
    }
    // Big5 pairs, lone lead bytes before ESC and before bytes that are no trail, undefined
    // pairs (0xF9 0xF9), and a lead byte at the very end.
    let big5bbs = codec("big5bbs");
    let mut bytes = encode(big5bbs, "中文 BBS 批踢踢", Errors::Strict).unwrap();
    bytes.extend_from_slice(b"\xA1\x1B[1m\xF9\xF9\xF9\xC9\xCD\xBB\xFE\x80\xA0\xFF\xA4");
    check_splits(big5bbs, &bytes);
}

#[test]
fn big5bbs_decodes_as_telnetlib3_describes() {
    let c = codec("big5bbs");
    // A pair; a lone lead byte before ESC in CP437; bytes below 0xA1 in ISO-8859-1.
    assert_eq!(decode(c, b"\xA4\xA4", Errors::Strict).unwrap(), "中");
    assert_eq!(
        decode(c, b"\xDB\x1B[m", Errors::Strict).unwrap(),
        "█\u{1B}[m"
    );
    assert_eq!(
        decode(c, b"\x80\xA0\xFF", Errors::Strict).unwrap(),
        "\u{80}\u{A0}ÿ"
    );
    // 0xF9 0xF9 is no Big5 character: 0xF9 is CP437's ∙ and the second 0xF9 is read afresh.
    assert_eq!(decode(c, b"\xF9\xF9\xF9", Errors::Strict).unwrap(), "∙∙∙");
    // A lead byte held over a read.
    let mut decoder = c.decoder(Errors::Strict);
    let mut out = String::new();
    decoder.decode(b"ab\xA4", &mut out, false).unwrap();
    assert_eq!((out.as_str(), decoder.pending()), ("ab", 1));
    decoder.decode(b"\xA4", &mut out, false).unwrap();
    assert_eq!((out.as_str(), decoder.pending()), ("ab中", 0));
    decoder.decode(b"\xC9", &mut out, true).unwrap();
    assert_eq!((out.as_str(), decoder.pending()), ("ab中╔", 0));
    // Encoding: Big5, else CP437, else unmappable.
    assert_eq!(encode(c, "中╔a", Errors::Strict).unwrap(), b"\xA4\xA4\xC9a");
    assert_eq!(encode(c, "✓", Errors::Replace).unwrap(), b"?");
    assert!(encode(c, "✓", Errors::Strict).is_err());
}

/// The characters each codec carries both ways: every character of a table; for Big5-BBS,
/// ASCII and the Big5 characters (a CP437 fallback byte may pair up with the next byte, or
/// decode as ISO-8859-1).
fn repertoires() -> Vec<(Codec, Vec<char>)> {
    let mut all = Vec::new();
    for &name in TABLES {
        let c = codec(name);
        let chars: Vec<char> = (0..=255u8)
            .filter_map(|b| decode(c, &[b], Errors::Strict).ok())
            .flat_map(|s| s.chars().collect::<Vec<_>>())
            .collect();
        all.push((c, chars));
    }
    let c = codec("big5bbs");
    let mut chars: Vec<char> = (0..0x80u8).map(char::from).collect();
    for lead in 0xA1..=0xFEu8 {
        for trail in (0x40..=0x7Eu8).chain(0xA1..=0xFE) {
            let text = decode(c, &[lead, trail], Errors::Strict).unwrap();
            if text.chars().count() == 1 {
                chars.extend(text.chars());
            }
        }
    }
    assert!(chars.len() > 13_000, "{}", chars.len());
    all.push((c, chars));
    all
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decode_of_encode_is_the_text(
        which in any::<prop::sample::Index>(),
        picks in proptest::collection::vec(any::<prop::sample::Index>(), 0..64),
    ) {
        thread_local! {
            static REPERTOIRES: Vec<(Codec, Vec<char>)> = repertoires();
        }
        REPERTOIRES.with(|all| {
            let (c, chars) = which.get(all);
            let text: String = picks.iter().map(|i| *i.get(chars)).collect();
            let bytes = encode(*c, &text, Errors::Strict).unwrap();
            let back = decode(*c, &bytes, Errors::Strict).unwrap();
            prop_assert_eq!(back, text, "{}", c);
            Ok(())
        })?;
    }
}
