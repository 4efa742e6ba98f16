"""Makes the PETSCII and ATASCII test screens and the ANSI each should show as.

Run with the Python that has telnetlib3 5.0.1 (the peers' venv):

    $PEERS/venv/bin/python tests/data/retro/make.py

The screens' text is encoded with telnetlib3's own `petscii` and `atascii` codecs; control
codes are written as bytes. The expected ANSI is worked out here, independently of the Rust
code: printable bytes decoded with telnetlib3's codecs, control codes translated with the tables
below (C64 Programmer's Reference Guide appendix C; Atari 400/800 BASIC Reference Manual
appendix C; the VIC-II colours are the Colodore palette).
"""

import os

import telnetlib3  # noqa: F401 - registers the petscii and atascii codecs

HERE = os.path.dirname(os.path.abspath(__file__))

VIC_II = [
    (0, 0, 0), (255, 255, 255), (150, 40, 46), (91, 214, 206),
    (159, 45, 173), (65, 185, 54), (39, 36, 196), (239, 243, 71),
    (159, 72, 21), (94, 53, 0), (218, 95, 102), (71, 71, 71),
    (120, 120, 120), (145, 255, 132), (104, 100, 255), (174, 174, 174),
]
PETSCII_COLORS = {
    0x90: 0, 0x05: 1, 0x1C: 2, 0x9F: 3, 0x9C: 4, 0x1E: 5, 0x1F: 6, 0x9E: 7,
    0x81: 8, 0x95: 9, 0x96: 10, 0x97: 11, 0x98: 12, 0x99: 13, 0x9A: 14, 0x9B: 15,
}
PETSCII_ANSI = {
    0x07: "\x07", 0x11: "\x1b[B", 0x91: "\x1b[A", 0x1D: "\x1b[C", 0x9D: "\x1b[D",
    0x13: "\x1b[H", 0x93: "\x1b[2J\x1b[H", 0x14: "\x08\x1b[P", 0x94: "\x1b[@",
}
ATASCII_ANSI = {
    0x1C: "\x1b[A", 0x1D: "\x1b[B", 0x1E: "\x1b[D", 0x1F: "\x1b[C",
    0x7D: "\x1b[2J\x1b[H", 0x7E: "\x08 \x08", 0x7F: "\t", 0x9B: "\r\n",
    0x9C: "\x1b[M", 0x9D: "\x1b[L", 0x9E: "\x1b[g", 0x9F: "\x1bH",
    0xFD: "\x07", 0xFE: "\x1b[P", 0xFF: "\x1b[@",
}


def petscii_ansi(data: bytes) -> str:
    out, reverse, after_return = [], False, False
    for byte in data:
        was_return, after_return = after_return, False
        if byte in PETSCII_COLORS:
            out.append("\x1b[38;2;%d;%d;%dm" % VIC_II[PETSCII_COLORS[byte]])
        elif byte in PETSCII_ANSI:
            out.append(PETSCII_ANSI[byte])
        elif byte == 0x12:
            reverse = True
            out.append("\x1b[7m")
        elif byte == 0x92:
            reverse = False
            out.append("\x1b[27m")
        elif byte in (0x0D, 0x8D):
            if reverse:
                out.append("\x1b[27m")
                reverse = False
            out.append("\r\n")
            after_return = True
        elif byte == 0x0A:
            if not was_return:
                out.append("\r\n")
        elif byte < 0x20 or 0x80 <= byte < 0xA0:
            pass  # no effect on screen
        else:
            out.append(bytes([byte]).decode("petscii"))
    return "".join(out)


def atascii_ansi(data: bytes) -> str:
    out, literal = [], False
    for byte in data:
        if literal:
            literal = False
            out.append(bytes([byte]).decode("atascii"))
        elif byte == 0x1B:
            literal = True
        elif byte in ATASCII_ANSI:
            out.append(ATASCII_ANSI[byte])
        else:
            out.append(bytes([byte]).decode("atascii"))
    return "".join(out)


def p(text: str) -> bytes:
    return text.encode("petscii")


def a(text: str) -> bytes:
    return text.encode("atascii")


def inverse(text: str) -> bytes:
    """ATASCII inverse video: the high bit set."""
    return bytes(b | 0x80 for b in a(text))


CR = b"\x0d"
PETSCII_SCREEN = b"".join([
    b"\x93\x0e\x08",  # CLR, lower-case set, shift lock
    b"\x9a", p("╭────────────────────────────────╮"), CR,
    b"\x9a", p("│"), b"\x05", p(" Welcome to the "), b"\x9e", p("Retro BBS"),
    b"\x05", p("!       "), b"\x9a", p("│"), CR,
    b"\x9a", p("╰────────────────────────────────╯"), CR,
    CR,
    b"\x12\x1c", p(" M "), b"\x92\x05", p(" Messages    "),
    b"\x12\x1e", p(" F "), b"\x92\x05", p(" Files"), CR,
    b"\x12\x1f", p(" G "), b"\x92\x05", p(" Games       "),
    b"\x12\x81", p(" Q "), b"\x05", p(" Quit (reverse ends at RETURN)"), CR,
    CR,
    b"".join(bytes([c]) + p("█") for c in PETSCII_COLORS), CR,
    b"\x97", p("▌▄▀▐▂▆ ♥♠♣♦ £↑← π"), b"\x98", p(" Prices in £"), CR,
    b"\x99", p("Cursor: up"), b"\x91\x91", p("↑"), b"\x11\x11\x9d", p("v"),
    b"\x1d\x1d", p("right"), CR,
    b"\x05", p("Typo fixedd"), b"\x14", p(". Insert"), b"\x9d\x9d\x9d\x9d\x94", p("*"), CR,
    b"\x13", b"\x96", p("Home"), b"\x0d\x0a",
    p("Your choice: "), b"\x07",
])

ATASCII_SCREEN = b"".join([
    b"\x7d",  # clear screen
    a("┌" + "─" * 20 + "┐"), b"\x9b",
    a("|"), inverse(" ATARI BBS 8-BIT "), a("  |"), b"\x9b",
    a("└" + "─" * 20 + "┘"), b"\x9b",
    b"\x9b",
    a("1"), b"\x7f", a("Message base"), b"\x9b",
    a("2"), b"\x7f", a("File areas"), b"\x9b",
    a("Glyphs: ♥♣♦♠ ●▄▌▂ 🮂◣"), b"\x9b",
    a("Inverse glyphs: "), bytes([0x80, 0x82, 0x88, 0x8B, 0xA0, 0x94]), b"\x9b",
    a("Shown, not obeyed: "), b"\x1b\x1c\x1b\x1d\x1b\x7d\x1b\x1b", b"\x9b",
    a("Cursor"), b"\x1c", a("^"), b"\x1d\x1e", a("v"), b"\x1f\x1f", a("right"), b"\x9b",
    a("Typoo"), b"\x7e", a("!"), b"\x1e\x1e\xfe", a(" (delete char)"), b"\x9b",
    a("ins"), b"\x1e\x1e\xff", a("_"), b"\x9b",
    a("Delete this line"), b"\x9c", a("Insert a line"), b"\x9d", b"\x9b",
    a("Choice? "), b"\xfd",
])


def write(name: str, data) -> None:
    mode = "wb" if isinstance(data, bytes) else "w"
    kwargs = {} if mode == "wb" else {"encoding": "utf-8", "newline": ""}
    with open(os.path.join(HERE, name), mode, **kwargs) as f:
        f.write(data)


write("petscii-screen.seq", PETSCII_SCREEN)
write("petscii-screen.ans", petscii_ansi(PETSCII_SCREEN))
write("atascii-screen.bin", ATASCII_SCREEN)
write("atascii-screen.ans", atascii_ansi(ATASCII_SCREEN))
