#!/usr/bin/env python3
"""Writes the generated tables: src/encoding/retro.rs, and data/encoding/codepages.rs and
data/encoding/big5_table.rs (which src/encoding/codepages.rs and big5_table.rs include).

Run it from the repository root with the Python of the telnet peers' venv, which has
telnetlib3 5.0.1 installed, and with ICU's `uconv` on PATH (Debian: icu-devtools):

    "$TELNETLIB3_PEERS/venv/bin/python" src/encoding/generate.py

(the tables are `#[rustfmt::skip]`, kept as written: a row comment every sixteen bytes).

Where each table comes from:
- codepages.rs: Python's own single-byte codecs (Lib/encodings/cp850.py, ...), which CPython
  generates from the Unicode consortium's and the vendors' published mapping files, for every
  one that encoding_rs does not decode identically or as a strict superset (see SKIPPED);
  their names and aliases are Python's (encodings.aliases), and so are the names listed for
  the ones encoding_rs serves. CP1131 is not in Python: its upper half comes from ICU's
  ibm-1131_P100-1997 mapping (IBM's CCSID 1131), read through `uconv`, and its lower half is
  ASCII. (Last generated with CPython 3.11.7 and ICU 72.)
- retro.rs: telnetlib3 5.0.1's petscii, atascii and atarist codecs (telnetlib3/encodings/),
  byte by byte through Python's codec machinery, so the tables are what telnetlib3 decodes and
  encodes, including which byte wins when several decode to the same character.
- big5_table.rs: Python's big5 codec (CPython's Modules/cjkcodecs/_codecs_tw.c), every lead
  byte 0xA1-0xFE with every trail byte 0x40-0x7E and 0xA1-0xFE: the pairs telnetlib3's big5bbs
  codec decodes as Big5.

Every table is checked against the same sources by tests/encodings_tables.rs and
tests/encodings_differential.rs.
"""

import codecs
import encodings
import encodings.aliases
import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import telnetlib3  # noqa: F401  (registers petscii, atascii, atarist and big5bbs)

assert telnetlib3.__version__ == "5.0.1", telnetlib3.__version__

OUT = Path(__file__).resolve().parent
# Large tables are data: they live outside src/, and src/encoding/{codepages,big5_table}.rs
# include them.
DATA = Path(__file__).resolve().parents[2] / "data" / "encoding"

# Python's single-byte codecs that get a generated table, with the name the table goes by.
PYTHON_PAGES = {
    "cp037": "CP037",
    "cp273": "CP273",
    "cp424": "CP424",
    "cp500": "CP500",
    "cp720": "CP720",
    "cp737": "CP737",
    "cp775": "CP775",
    "cp850": "CP850",
    "cp852": "CP852",
    "cp855": "CP855",
    "cp856": "CP856",
    "cp857": "CP857",
    "cp858": "CP858",
    "cp860": "CP860",
    "cp861": "CP861",
    "cp862": "CP862",
    "cp863": "CP863",
    "cp864": "CP864",
    "cp865": "CP865",
    "cp869": "CP869",
    "cp875": "CP875",
    "cp1006": "CP1006",
    "cp1026": "CP1026",
    "cp1125": "CP1125",
    "cp1140": "CP1140",
    "hp_roman8": "HP-ROMAN8",
    "iso8859_9": "ISO-8859-9",
    "iso8859_11": "ISO-8859-11",
    "koi8_t": "KOI8-T",
    "koi8_u": "KOI8-U",
    "kz1048": "KZ1048",
    "mac_arabic": "MAC-ARABIC",
    "mac_croatian": "MAC-CROATIAN",
    "mac_farsi": "MAC-FARSI",
    "mac_greek": "MAC-GREEK",
    "mac_iceland": "MAC-ICELAND",
    "mac_latin2": "MAC-LATIN2",
    "mac_romanian": "MAC-ROMANIAN",
    "mac_turkish": "MAC-TURKISH",
    "palmos": "PALMOS",
    "ptcp154": "PTCP154",
    "tis_620": "TIS-620",
}

# Python's single-byte codecs left to encoding_rs, with the WHATWG encoding that serves them
# (identically, or as a superset that also decodes the bytes Python leaves undefined), or to the
# hand-made tables (None).
SKIPPED = {
    "cp437": None,
    "iso8859_1": None,
    "cp866": "IBM866",
    "koi8_r": "KOI8-R",
    "mac_roman": "macintosh",
    "mac_cyrillic": "x-mac-cyrillic",
    "cp1256": "windows-1256",
    "cp874": "windows-874",
    "cp1250": "windows-1250",
    "cp1251": "windows-1251",
    "cp1252": "windows-1252",
    "cp1253": "windows-1253",
    "cp1254": "windows-1254",
    "cp1255": "windows-1255",
    "cp1257": "windows-1257",
    "cp1258": "windows-1258",
}
for n in (2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16):
    SKIPPED[f"iso8859_{n}"] = f"ISO-8859-{n}"

# Extra names for CP1131, which Python does not know.
CP1131_NAMES = ["cp1131", "ibm1131", "1131"]


def normalize(name):
    """The lookup key Codec::lookup uses: lower case, without '-', '_' or white space."""
    return "".join(c.lower() for c in name if c not in "-_" and not c.isspace())


def decode_all(codec):
    """The character of each byte (None where the codec has none)."""
    chars = []
    for b in range(256):
        try:
            text = bytes([b]).decode(codec)
        except UnicodeDecodeError:
            chars.append(None)
            continue
        assert len(text) == 1, (codec, b, text)
        assert text != "\ufffd", (codec, b)
        chars.append(text)
    return chars


def preference(codec, chars):
    """'last' or 'first': which byte the codec encodes a character to when several bytes decode
    to it (all agree, or this fails)."""
    seen = {}
    for b, c in enumerate(chars):
        if c is not None:
            seen.setdefault(c, []).append(b)
    rules = set()
    for c, bs in seen.items():
        try:
            got = c.encode(codec)
        except UnicodeEncodeError:
            got = None
        if len(bs) == 1:
            assert got == bytes(bs), (codec, c, got, bs)
            continue
        if got == bytes([bs[-1]]):
            rules.add("last")
        elif got == bytes([bs[0]]):
            rules.add("first")
        else:
            raise AssertionError((codec, c, got, bs))
    assert len(rules) <= 1, (codec, rules)
    return rules.pop() if rules else "last"


def origin(codec):
    """Where CPython's table for `codec` comes from, as its module's docstring says."""
    doc = importlib.import_module(f"encodings.{codec}").__doc__ or ""
    match = re.search(r"generated from '([^']+)'", doc)
    if match:
        return [f"CPython generates it from the mapping file `{match.group(1)}`."]
    first = " ".join(doc.strip().splitlines()[0].split())
    return [f"CPython's own table (\"{first}\")."]


def rust_char(c):
    return "UNDEFINED" if c is None else f"'\\u{{{ord(c):04X}}}'"


def rows(chars, start):
    """Rust array rows, eight characters a line, a comment every sixteen bytes."""
    out = []
    for i in range(0, len(chars), 8):
        b = start + i
        if b % 16 == 0:
            out.append(f"        // 0x{b:02X}")
        out.append("        " + ", ".join(rust_char(c) for c in chars[i : i + 8]) + ",")
    return "\n".join(out)


def table(static, name, chars, codec, doc):
    prefer = preference(codec, chars) if codec else "last"
    ascii_low = all(chars[b] == chr(b) for b in range(128))
    lines = [f"/// {line}".rstrip() for line in doc]
    if ascii_low:
        body = f'Table::ascii_high(\n    "{name}",\n    [\n{rows(chars[128:], 128)}\n    ],\n)'
    else:
        body = f'Table::new(\n    "{name}",\n    [\n{rows(chars, 0)}\n    ],\n)'
    if prefer == "first":
        body += "\n.prefer_first()"
    if codec and "\r\n\r".encode(codec) == "\n\n".encode(codec):
        body += "\n.cr_as_newline()"
    lines.append("#[rustfmt::skip]")
    lines.append(f"pub(crate) static {static}: Table = {body};")
    return "\n".join(lines)


HEADER = """// Generated by src/encoding/generate.py ({what}).
// Edit the generator, not this file."""


def write(path, text):
    path.write_text(text)
    print(f"wrote {path}", file=sys.stderr)


def codepages():
    covered = set(PYTHON_PAGES) | set(SKIPPED)
    missing = []
    for module in pkgutil.iter_modules(encodings.__path__):
        try:
            loaded = importlib.import_module(f"encodings.{module.name}")
        except ImportError:
            continue
        single = hasattr(loaded, "decoding_table") or hasattr(loaded, "decoding_map")
        if single and module.name not in covered:
            missing.append(module.name)
    assert not missing, f"single-byte codecs neither generated nor skipped: {missing}"

    parts = [
        HEADER.format(what="Python's single-byte codecs, and ICU's ibm-1131"),
        "use super::tables::{Table, UNDEFINED};",
    ]
    aliases = []
    for codec, name in PYTHON_PAGES.items():
        static = name.replace("-", "_")
        chars = decode_all(codec)
        names = [codec, name] + [a for a, v in encodings.aliases.aliases.items() if v == codec]
        doc = [f"{name}: Python's `{codec}` codec, byte for byte;", *origin(codec)]
        parts.append(table(static, name, chars, codec, doc))
        aliases.extend((normalize(n), static) for n in names)

    # The upper half from ICU; the lower half is ASCII, as in GNU libiconv's CP1131 and
    # Python's DOS code pages (ICU's IBM mapping swaps 0x1A, 0x1C and 0x7F, an IBM PC habit).
    raw = subprocess.run(
        ["uconv", "-f", "ibm-1131_P100-1997", "-t", "utf-8"],
        input=bytes(range(0x80, 0x100)),
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    assert len(raw) == 128, len(raw)
    cp1131 = [chr(b) for b in range(128)] + list(raw)
    parts.append(
        table(
            "CP1131",
            "CP1131",
            cp1131,
            None,
            [
                "CP1131: IBM's Belarusian DOS code page (CCSID 1131): bytes 0x80-0xFF as ICU's",
                "ibm-1131_P100-1997 mapping and GNU libiconv's CP1131 have them, 0x00-0x7F ASCII.",
            ],
        )
    )
    aliases.extend((normalize(n), "CP1131") for n in CP1131_NAMES)

    keys = {}
    for key, static in aliases:
        assert keys.get(key, static) == static, (key, keys[key], static)
        keys[key] = static
    entries = "\n".join(f'    ("{k}", &{s}),' for k, s in sorted(keys.items()))
    parts.append(
        "/// Every name of the tables above, as [`normalize`](super::normalize) makes it, "
        "sorted.\npub(crate) static NAMES: &[(&str, &Table)] = &[\n" + entries + "\n];"
    )
    whatwg = {}
    for codec, label in SKIPPED.items():
        if label is None:
            continue
        names = [codec] + [a for a, v in encodings.aliases.aliases.items() if v == codec]
        for key in map(normalize, names):
            assert key not in keys, key
            assert whatwg.get(key, label) == label, (key, whatwg[key], label)
            whatwg[key] = label
    entries = "\n".join(f'    ("{k}", "{v}"),' for k, v in sorted(whatwg.items()))
    parts.append(
        "/// Python's names (normalized, sorted) for its code pages that encoding_rs serves, with"
        "\n/// the WHATWG label of the encoding that serves each.\n"
        "pub(crate) static WHATWG_NAMES: &[(&str, &str)] = &[\n" + entries + "\n];"
    )
    write(DATA / "codepages.rs", "\n\n".join(parts) + "\n")


def retro():
    parts = [
        HEADER.format(what="telnetlib3 5.0.1's retro codecs"),
        "//! The tables of telnetlib3 5.0.1's retro codecs (ISC license), byte for byte.",
        "use super::tables::Table;",
    ]
    docs = {
        "petscii": [
            "PETSCII, the Commodore 64/128 shifted (lower-case) set: telnetlib3's `petscii`",
            "table, after the Commodore 64 Programmer's Reference Guide, sta.c64.org's",
            "cbm64pet table and Unicode's Symbols for Legacy Computing. Where several bytes",
            "decode to one character, the character encodes to the last of them (`\\r` to 0x8D).",
        ],
        "atascii": [
            "ATASCII, the Atari 8-bit set: telnetlib3's `atascii` table, after kreativekorp.com's",
            "ATASCII map. 0x9B is the end of line (`\\n`); the inverse-video bytes 0x80-0xFF",
            "mostly decode as their normal twins, so characters encode to the normal byte;",
            "CR and CR LF encode as `\\n`.",
        ],
        "atarist": [
            "The Atari ST character set: telnetlib3's `atarist` table, generated from the",
            "Unicode consortium's ATARIST.TXT (Public/MAPPINGS/VENDORS/MISC).",
        ],
    }
    for codec, chars in (
        ("petscii", decode_all("petscii")),
        ("atascii", decode_all("atascii")),
        ("atarist", decode_all("atarist")),
    ):
        parts.append(table(codec.upper(), codec.upper(), chars, codec, docs[codec]))
    write(OUT / "retro.rs", "\n\n".join(parts) + "\n")


def big5():
    values = []
    for lead in range(0xA1, 0xFF):
        for trail in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            try:
                c = bytes([lead, trail]).decode("big5")
            except UnicodeDecodeError:
                values.append(0)
                continue
            assert len(c) == 1 and 0 < ord(c) <= 0xFFFF, (lead, trail, c)
            values.append(ord(c))
    assert len(values) == 94 * 157
    lines = []
    for i in range(0, len(values), 157):
        lines.append(f"    // lead 0x{0xA1 + i // 157:02X}")
        row = values[i : i + 157]
        for j in range(0, len(row), 12):
            lines.append("    " + ", ".join(f"0x{v:04X}" for v in row[j : j + 12]) + ",")
    text = (
        HEADER.format(what="Python's big5 codec")
        + "\n\n"
        + "/// Trail bytes per lead byte: 0x40-0x7E, then 0xA1-0xFE.\n"
        + "pub(super) const TRAILS: usize = 157;\n\n"
        + "/// `BIG5[(lead - 0xA1) * TRAILS + trail index]`: the character, or 0 for none.\n"
        + "#[rustfmt::skip]\n"
        + "pub(super) static BIG5: [u16; 94 * TRAILS] = [\n"
        + "\n".join(lines)
        + "\n];\n"
    )
    write(DATA / "big5_table.rs", text)


if __name__ == "__main__":
    codepages()
    retro()
    big5()
