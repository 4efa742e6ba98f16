//! Telnet command bytes and option codes, with name lookups.
//!
//! Every constant telnetlib3 (and CPython's `telnetlib`) exports lives here under its usual name.
//! Names convert both ways, which is what logging, `wait_for` and the command-line tools need:
//!
//! ```
//! use telnetlib3::telopt::{self, NAWS, DO};
//! assert_eq!(telopt::option_from_name("NAWS"), Some(NAWS));
//! assert_eq!(telopt::option_from_name("naws"), Some(NAWS));
//! assert_eq!(telopt::option_name(NAWS), Some("NAWS"));
//! assert_eq!(telopt::describe(DO, NAWS), "IAC DO NAWS");
//! assert_eq!(telopt::describe(DO, 0xC8), "IAC DO ATCP");
//! assert_eq!(telopt::describe(DO, 0x99), "IAC DO 153");
//! ```

use std::fmt;

// ---------------------------------------------------------------------------------------------
// Commands (RFC 854, RFC 885, RFC 1184)

/// Interpret As Command: the escape byte that starts every telnet command.
pub const IAC: u8 = 255;
/// Demand that the peer stop performing an option.
pub const DONT: u8 = 254;
/// Ask the peer to perform an option.
pub const DO: u8 = 253;
/// Refuse to perform an option.
pub const WONT: u8 = 252;
/// Offer to perform an option.
pub const WILL: u8 = 251;
/// Subnegotiation begin.
pub const SB: u8 = 250;
/// Go Ahead.
pub const GA: u8 = 249;
/// Erase Line.
pub const EL: u8 = 248;
/// Erase Character.
pub const EC: u8 = 247;
/// Are You There.
pub const AYT: u8 = 246;
/// Abort Output.
pub const AO: u8 = 245;
/// Interrupt Process.
pub const IP: u8 = 244;
/// Break.
pub const BRK: u8 = 243;
/// Data Mark (the data-stream part of a Synch).
pub const DM: u8 = 242;
/// No Operation.
pub const NOP: u8 = 241;
/// Subnegotiation end.
pub const SE: u8 = 240;
/// End Of Record (RFC 885).
pub const CMD_EOR: u8 = 239;
/// Abort (RFC 1184).
pub const ABORT: u8 = 238;
/// Suspend (RFC 1184).
pub const SUSP: u8 = 237;
/// End Of File (RFC 1184); `xEOF` in BSD headers.
pub const EOF: u8 = 236;
/// Synch, as telnetlib names the Data Mark.
pub const SYNCH: u8 = DM;

// ---------------------------------------------------------------------------------------------
// Options

/// Binary transmission (RFC 856).
pub const BINARY: u8 = 0;
/// Echo (RFC 857).
pub const ECHO: u8 = 1;
/// Reconnection.
pub const RCP: u8 = 2;
/// Suppress Go Ahead (RFC 858).
pub const SGA: u8 = 3;
/// Approximate message size negotiation.
pub const NAMS: u8 = 4;
/// Status (RFC 859).
pub const STATUS: u8 = 5;
/// Timing mark (RFC 860).
pub const TM: u8 = 6;
/// Remote controlled transmission and echo.
pub const RCTE: u8 = 7;
/// Output line width.
pub const NAOL: u8 = 8;
/// Output page size.
pub const NAOP: u8 = 9;
/// Output carriage-return disposition.
pub const NAOCRD: u8 = 10;
/// Output horizontal tab stops.
pub const NAOHTS: u8 = 11;
/// Output horizontal tab disposition.
pub const NAOHTD: u8 = 12;
/// Output form-feed disposition.
pub const NAOFFD: u8 = 13;
/// Output vertical tab stops.
pub const NAOVTS: u8 = 14;
/// Output vertical tab disposition.
pub const NAOVTD: u8 = 15;
/// Output line-feed disposition.
pub const NAOLFD: u8 = 16;
/// Extended ASCII.
pub const XASCII: u8 = 17;
/// Logout (RFC 727).
pub const LOGOUT: u8 = 18;
/// Byte macro.
pub const BM: u8 = 19;
/// Data entry terminal.
pub const DET: u8 = 20;
/// SUPDUP.
pub const SUPDUP: u8 = 21;
/// SUPDUP output.
pub const SUPDUPOUTPUT: u8 = 22;
/// Send location (RFC 779).
pub const SNDLOC: u8 = 23;
/// Terminal type (RFC 1091).
pub const TTYPE: u8 = 24;
/// End of record (RFC 885).
pub const EOR: u8 = 25;
/// TACACS user identification.
pub const TUID: u8 = 26;
/// Output marking.
pub const OUTMRK: u8 = 27;
/// Terminal location number.
pub const TTYLOC: u8 = 28;
/// 3270 regime.
pub const VT3270REGIME: u8 = 29;
/// X.3 PAD.
pub const X3PAD: u8 = 30;
/// Negotiate About Window Size (RFC 1073).
pub const NAWS: u8 = 31;
/// Terminal speed (RFC 1079).
pub const TSPEED: u8 = 32;
/// Remote flow control (RFC 1372).
pub const LFLOW: u8 = 33;
/// Linemode (RFC 1184).
pub const LINEMODE: u8 = 34;
/// X display location (RFC 1096).
pub const XDISPLOC: u8 = 35;
/// Old environment option (RFC 1408).
pub const OLD_ENVIRON: u8 = 36;
/// Authentication (RFC 2941).
pub const AUTHENTICATION: u8 = 37;
/// Encryption (RFC 2946).
pub const ENCRYPT: u8 = 38;
/// New environment option (RFC 1572).
pub const NEW_ENVIRON: u8 = 39;
/// TN3270 enhancements.
pub const TN3270E: u8 = 40;
/// X authentication.
pub const XAUTH: u8 = 41;
/// Character set (RFC 2066).
pub const CHARSET: u8 = 42;
/// Remote serial port.
pub const RSP: u8 = 43;
/// Com port control (RFC 2217).
pub const COM_PORT_OPTION: u8 = 44;
/// Suppress local echo.
pub const SUPPRESS_LOCAL_ECHO: u8 = 45;
/// Start TLS.
pub const START_TLS: u8 = 46;
/// Kermit.
pub const KERMIT: u8 = 47;
/// Send URL.
pub const SEND_URL: u8 = 48;
/// Forward X.
pub const FORWARD_X: u8 = 49;
/// MUD Server Data Protocol.
pub const MSDP: u8 = 69;
/// MUD Server Status Protocol.
pub const MSSP: u8 = 70;
/// MUD Client Compression Protocol, version 1.
pub const MCCP1: u8 = 85;
/// MUD Client Compression Protocol, version 2 (server to client).
pub const MCCP2: u8 = 86;
/// MUD Client Compression Protocol, version 3 (client to server).
pub const MCCP3: u8 = 87;
/// MUD Sound Protocol.
pub const MSP: u8 = 90;
/// MUD eXtension Protocol.
pub const MXP: u8 = 91;
/// Zenith MUD Protocol.
pub const ZMP: u8 = 93;
/// Aardwolf's 102 channel.
pub const AARDWOLF: u8 = 102;
/// Telnet pragma logon.
pub const PRAGMA_LOGON: u8 = 138;
/// Telnet SSPI logon.
pub const SSPI_LOGON: u8 = 139;
/// Telnet pragma heartbeat.
pub const PRAGMA_HEARTBEAT: u8 = 140;
/// Achaea Telnet Client Protocol.
pub const ATCP: u8 = 200;
/// Generic MUD Communication Protocol.
pub const GMCP: u8 = 201;
/// Extended options list.
pub const EXOPL: u8 = 255;
/// The "no option" value telnetlib passes to negotiation callbacks for bare commands.
pub const NOOPT: u8 = 0;

// Aliases under the names telnetlib and telnetlib3 also use.
/// Alias of [`TM`].
pub const TIMING_MARK: u8 = TM;
/// Alias of [`SGA`].
pub const SUPPRESS_GO_AHEAD: u8 = SGA;
/// Alias of [`MCCP2`] (telnetlib3's `COMPRESS2`).
pub const COMPRESS2: u8 = MCCP2;
/// Alias of [`MCCP1`].
pub const COMPRESS: u8 = MCCP1;
/// Alias of [`COM_PORT_OPTION`].
pub const COM_PORT: u8 = COM_PORT_OPTION;
/// Alias of [`ENCRYPT`].
pub const ENCRYPTION: u8 = ENCRYPT;

/// Option names, as telnetlib3 spells them in its logs. The first name of a code is its canonical one.
const OPTION_NAMES: &[(u8, &str)] = &[
    (BINARY, "BINARY"),
    (ECHO, "ECHO"),
    (RCP, "RCP"),
    (SGA, "SGA"),
    (NAMS, "NAMS"),
    (STATUS, "STATUS"),
    (TM, "TM"),
    (RCTE, "RCTE"),
    (NAOL, "NAOL"),
    (NAOP, "NAOP"),
    (NAOCRD, "NAOCRD"),
    (NAOHTS, "NAOHTS"),
    (NAOHTD, "NAOHTD"),
    (NAOFFD, "NAOFFD"),
    (NAOVTS, "NAOVTS"),
    (NAOVTD, "NAOVTD"),
    (NAOLFD, "NAOLFD"),
    (XASCII, "XASCII"),
    (LOGOUT, "LOGOUT"),
    (BM, "BM"),
    (DET, "DET"),
    (SUPDUP, "SUPDUP"),
    (SUPDUPOUTPUT, "SUPDUPOUTPUT"),
    (SNDLOC, "SNDLOC"),
    (TTYPE, "TTYPE"),
    (EOR, "EOR"),
    (TUID, "TUID"),
    (OUTMRK, "OUTMRK"),
    (TTYLOC, "TTYLOC"),
    (VT3270REGIME, "VT3270REGIME"),
    (X3PAD, "X3PAD"),
    (NAWS, "NAWS"),
    (TSPEED, "TSPEED"),
    (LFLOW, "LFLOW"),
    (LINEMODE, "LINEMODE"),
    (XDISPLOC, "XDISPLOC"),
    (OLD_ENVIRON, "OLD_ENVIRON"),
    (AUTHENTICATION, "AUTHENTICATION"),
    (ENCRYPT, "ENCRYPT"),
    (NEW_ENVIRON, "NEW_ENVIRON"),
    (TN3270E, "TN3270E"),
    (XAUTH, "XAUTH"),
    (CHARSET, "CHARSET"),
    (RSP, "RSP"),
    (COM_PORT_OPTION, "COM_PORT_OPTION"),
    (SUPPRESS_LOCAL_ECHO, "SUPPRESS_LOCAL_ECHO"),
    (START_TLS, "START_TLS"),
    (KERMIT, "KERMIT"),
    (SEND_URL, "SEND_URL"),
    (FORWARD_X, "FORWARD_X"),
    (MSDP, "MSDP"),
    (MSSP, "MSSP"),
    (MCCP1, "MCCP1"),
    (MCCP2, "MCCP2"),
    (MCCP3, "MCCP3"),
    (MSP, "MSP"),
    (MXP, "MXP"),
    (ZMP, "ZMP"),
    (AARDWOLF, "AARDWOLF"),
    (PRAGMA_LOGON, "PRAGMA_LOGON"),
    (SSPI_LOGON, "SSPI_LOGON"),
    (PRAGMA_HEARTBEAT, "PRAGMA_HEARTBEAT"),
    (ATCP, "ATCP"),
    (GMCP, "GMCP"),
    (EXOPL, "EXOPL"),
];

/// Other spellings accepted by [`option_from_name`] (case and `-`/`_` are ignored anyway).
const OPTION_ALIASES: &[(&str, u8)] = &[
    ("SUPPRESS_GO_AHEAD", SGA),
    ("TIMING_MARK", TM),
    ("TERMINAL_TYPE", TTYPE),
    ("TTYPE", TTYPE),
    ("WINDOW_SIZE", NAWS),
    ("TERMINAL_SPEED", TSPEED),
    ("TOGGLE_FLOW_CONTROL", LFLOW),
    ("X_DISPLAY_LOCATION", XDISPLOC),
    ("ENVIRON", OLD_ENVIRON),
    ("NEWENVIRON", NEW_ENVIRON),
    ("ENVIRON_NEW", NEW_ENVIRON),
    ("AUTH", AUTHENTICATION),
    ("ENCRYPTION", ENCRYPT),
    ("COM_PORT", COM_PORT_OPTION),
    ("COMPORT", COM_PORT_OPTION),
    ("TLS", START_TLS),
    ("STARTTLS", START_TLS),
    ("COMPRESS", MCCP1),
    ("COMPRESS2", MCCP2),
    ("COMPRESS3", MCCP3),
    ("XEOR", EOR),
    ("OUTBINARY", BINARY),
    ("INBINARY", BINARY),
];

/// Command names, in telnetlib3's spelling.
const COMMAND_NAMES: &[(u8, &str)] = &[
    (IAC, "IAC"),
    (DONT, "DONT"),
    (DO, "DO"),
    (WONT, "WONT"),
    (WILL, "WILL"),
    (SB, "SB"),
    (GA, "GA"),
    (EL, "EL"),
    (EC, "EC"),
    (AYT, "AYT"),
    (AO, "AO"),
    (IP, "IP"),
    (BRK, "BRK"),
    (DM, "DM"),
    (NOP, "NOP"),
    (SE, "SE"),
    (CMD_EOR, "EOR"),
    (ABORT, "ABORT"),
    (SUSP, "SUSP"),
    (EOF, "EOF"),
];

/// The canonical name of an option code, if it has one.
#[must_use]
pub fn option_name(option: u8) -> Option<&'static str> {
    OPTION_NAMES
        .iter()
        .find(|(code, _)| *code == option)
        .map(|(_, name)| *name)
}

/// The name of a command byte (`DO`, `SB`, `AYT`, …), if it is one.
#[must_use]
pub fn command_name(command: u8) -> Option<&'static str> {
    COMMAND_NAMES
        .iter()
        .find(|(code, _)| *code == command)
        .map(|(_, name)| *name)
}

/// Looks an option up by name. Case is ignored and `-` matches `_`, so `"new-environ"`,
/// `"NEW_ENVIRON"` and `"New_Environ"` all give [`NEW_ENVIRON`]. Decimal codes (`"31"`) are
/// accepted too.
#[must_use]
pub fn option_from_name(name: &str) -> Option<u8> {
    let name = name.trim();
    if let Ok(code) = name.parse::<u8>() {
        return Some(code);
    }
    let eq = |candidate: &str| {
        candidate.len() == name.len()
            && candidate.bytes().zip(name.bytes()).all(|(a, b)| {
                let b = if b == b'-' { b'_' } else { b };
                a.eq_ignore_ascii_case(&b)
            })
    };
    OPTION_NAMES
        .iter()
        .find(|(_, n)| eq(n))
        .map(|(code, _)| *code)
        .or_else(|| OPTION_ALIASES.iter().find(|(n, _)| eq(n)).map(|(_, c)| *c))
}

/// Looks a command up by name (`"AYT"`, `"do"`, …).
#[must_use]
pub fn command_from_name(name: &str) -> Option<u8> {
    let name = name.trim();
    COMMAND_NAMES
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case(name))
        .map(|(code, _)| *code)
}

/// An option code that displays as its name, or as its decimal number when it has none.
///
/// ```
/// use telnetlib3::telopt::{Opt, NAWS};
/// assert_eq!(Opt(NAWS).to_string(), "NAWS");
/// assert_eq!(Opt(0x99).to_string(), "153");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Opt(pub u8);

impl fmt::Display for Opt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match option_name(self.0) {
            Some(name) => f.write_str(name),
            None => write!(f, "{}", self.0),
        }
    }
}

/// A command byte that displays as its name, or as its decimal number when it has none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cmd(pub u8);

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match command_name(self.0) {
            Some(name) => f.write_str(name),
            None => write!(f, "{}", self.0),
        }
    }
}

/// A log line for a negotiation command, such as `"IAC DO NAWS"`.
#[must_use]
pub fn describe(command: u8, option: u8) -> String {
    format!("IAC {} {}", Cmd(command), Opt(option))
}

/// Names every telnet command in `bytes`, for trace logs: `FF FD 1F` gives `"IAC DO NAWS"`.
/// Data bytes are shown in Rust's escaped form; inside a subnegotiation, printable runs are
/// quoted (`'xterm'`) and other bytes are hex.
///
/// ```
/// assert_eq!(telnetlib3::telopt::describe_bytes(b"hi\xff\xfd\x1f\xff\xfa\x1f\x00\x50\x00\x18\xff\xf0"),
///            "b\"hi\" IAC DO NAWS IAC SB NAWS 00 50 00 18 IAC SE");
/// assert_eq!(telnetlib3::telopt::describe_bytes(b"\xff\xfa\x18\x00xterm\xff\xf0"),
///            "IAC SB TTYPE 00 'xterm' IAC SE");
/// ```
#[must_use]
pub fn describe_bytes(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut data = Vec::new();
    let mut i = 0;
    let flush = |out: &mut String, data: &mut Vec<u8>| {
        if !data.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&format!("b\"{}\"", data.escape_ascii()));
            data.clear();
        }
    };
    let mut in_sb = false;
    while i < bytes.len() {
        let b = bytes[i];
        if b == IAC && i + 1 < bytes.len() {
            let c = bytes[i + 1];
            if c == IAC {
                if in_sb {
                    out.push_str(" FF");
                } else {
                    data.push(IAC);
                }
                i += 2;
                continue;
            }
            flush(&mut out, &mut data);
            if !out.is_empty() {
                out.push(' ');
            }
            if matches!(c, DO | DONT | WILL | WONT | SB) && i + 2 < bytes.len() {
                out.push_str(&format!("IAC {} {}", Cmd(c), Opt(bytes[i + 2])));
                in_sb = c == SB;
                i += 3;
            } else {
                out.push_str(&format!("IAC {}", Cmd(c)));
                if c == SE {
                    in_sb = false;
                }
                i += 2;
            }
        } else if in_sb {
            // Printable runs read as text, in the `parse_wire` form: 'xterm'.
            let run = bytes[i..]
                .iter()
                .take_while(|&&c| (0x20..0x7f).contains(&c) && c != b'\'')
                .count();
            if run >= 2 {
                out.push_str(&format!(
                    " '{}'",
                    String::from_utf8_lossy(&bytes[i..i + run])
                ));
                i += run;
            } else {
                out.push_str(&format!(" {b:02X}"));
                i += 1;
            }
        } else {
            data.push(b);
            i += 1;
        }
    }
    flush(&mut out, &mut data);
    out
}

/// Builds wire bytes from a description in the style of [`describe_bytes`] and the capture
/// files: items separated by `|`, each one of
/// - `WILL NAWS`, `DO 200`, … (a negotiation);
/// - `SB TTYPE 00 'xterm' SE` (a subnegotiation: hex bytes and `'quoted text'`, `0xFF`
///   doubled on the way, the closing `SE` optional);
/// - `IAC GA`, `IAC AYT`, … (a command);
/// - `'text'` (data, `0xFF` doubled) or hex bytes (raw wire bytes, copied as they are, so a
///   capture's hex dump can be pasted).
///
/// ```
/// use telnetlib3::telopt::parse_wire;
/// assert_eq!(parse_wire("DO TTYPE | SB NAWS 00 50 00 18 SE | 'hi' 0d 0a").unwrap(),
///            b"\xff\xfd\x18\xff\xfa\x1f\x00\x50\x00\x18\xff\xf0hi\r\n");
/// ```
///
/// # Errors
/// A description naming an unknown command or option, or a malformed hex byte, with the item.
pub fn parse_wire(description: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    for item in description
        .split('|')
        .map(str::trim)
        .filter(|i| !i.is_empty())
    {
        let words = split_words(item)?;
        let first = words.first().map(String::as_str).unwrap_or_default();
        let option = |i: usize| -> Result<u8, String> {
            let name = words
                .get(i)
                .ok_or_else(|| format!("{item}: option missing"))?;
            option_from_name(name).ok_or_else(|| format!("{item}: unknown option {name}"))
        };
        match first.to_ascii_uppercase().as_str() {
            "WILL" | "WONT" | "DO" | "DONT" => {
                let command = command_from_name(first).unwrap_or(DO);
                out.extend_from_slice(&[IAC, command, option(1)?]);
            }
            "SB" => {
                let option = option(1)?;
                let mut payload = Vec::new();
                for word in &words[2..] {
                    if word.eq_ignore_ascii_case("SE") {
                        break;
                    }
                    payload.extend(data_word(word, item)?);
                }
                crate::protocol::options::frame(option, &payload, &mut out);
            }
            "IAC" => {
                let name = words
                    .get(1)
                    .ok_or_else(|| format!("{item}: command missing"))?;
                let command = command_from_name(name)
                    .ok_or_else(|| format!("{item}: unknown command {name}"))?;
                out.extend_from_slice(&[IAC, command]);
            }
            _ => {
                for word in &words {
                    let bytes = data_word(word, item)?;
                    if word.starts_with('\'') {
                        crate::protocol::options::escape_into(&bytes, &mut out);
                    } else {
                        out.extend_from_slice(&bytes);
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Splits on white space, keeping `'quoted text'` (with its quotes) as one word.
fn split_words(item: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut rest = item.trim_start();
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix('\'') {
            let end = quoted
                .find('\'')
                .ok_or_else(|| format!("{item}: unclosed quote"))?;
            words.push(format!("'{}'", &quoted[..end]));
            rest = quoted[end + 1..].trim_start();
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            words.push(rest[..end].to_owned());
            rest = rest[end..].trim_start();
        }
    }
    Ok(words)
}

fn data_word(word: &str, item: &str) -> Result<Vec<u8>, String> {
    if let Some(text) = word.strip_prefix('\'').and_then(|w| w.strip_suffix('\'')) {
        return Ok(text.as_bytes().to_vec());
    }
    if word.len() % 2 != 0 {
        return Err(format!("{item}: bad hex {word}"));
    }
    (0..word.len())
        .step_by(2)
        .map(|i| {
            word.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("{item}: bad hex {word}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_option_round_trips() {
        for (code, name) in OPTION_NAMES {
            assert_eq!(option_from_name(name), Some(*code), "{name}");
            assert_eq!(option_name(*code), Some(*name));
        }
        for (code, name) in COMMAND_NAMES {
            assert_eq!(command_from_name(name), Some(*code), "{name}");
        }
    }

    #[test]
    fn mud_and_extended_codes() {
        let expect = [
            ("MSDP", 69),
            ("MSSP", 70),
            ("MCCP1", 85),
            ("MCCP2", 86),
            ("MCCP3", 87),
            ("MSP", 90),
            ("MXP", 91),
            ("ZMP", 93),
            ("AARDWOLF", 102),
            ("ATCP", 200),
            ("GMCP", 201),
            ("EOR", 25),
            ("LINEMODE", 34),
            ("NEW_ENVIRON", 39),
            ("CHARSET", 42),
            ("COM_PORT_OPTION", 44),
            ("START_TLS", 46),
        ];
        for (name, code) in expect {
            assert_eq!(option_from_name(name), Some(code), "{name}");
        }
    }

    #[test]
    fn lookups_forgive_case_dashes_and_aliases() {
        assert_eq!(option_from_name("new-environ"), Some(NEW_ENVIRON));
        assert_eq!(option_from_name("compress2"), Some(MCCP2));
        assert_eq!(option_from_name("tls"), Some(START_TLS));
        assert_eq!(option_from_name("31"), Some(NAWS));
        assert_eq!(option_from_name("no-such-option"), None);
        assert_eq!(command_from_name("ayt"), Some(AYT));
    }

    #[test]
    fn parse_wire_forms() {
        assert_eq!(
            parse_wire("WILL 200 | IAC GA").unwrap(),
            [IAC, WILL, 200, IAC, GA]
        );
        assert_eq!(
            parse_wire("SB TTYPE 00 'a b' ff SE").unwrap(),
            [IAC, SB, TTYPE, 0, b'a', b' ', b'b', 0xff, 0xff, IAC, SE]
        );
        assert_eq!(parse_wire("fffd18 'x'").unwrap(), [IAC, DO, TTYPE, b'x']);
        assert!(parse_wire("WILL NOPE").is_err());
        assert!(parse_wire("SB NAWS 0").is_err());
        assert!(parse_wire("'open").is_err());
    }

    #[test]
    fn descriptions() {
        assert_eq!(describe(WILL, TTYPE), "IAC WILL TTYPE");
        assert_eq!(describe(WONT, 0x99), "IAC WONT 153");
        assert_eq!(describe_bytes(&[IAC, IAC, b'a']), "b\"\\xffa\"");
        assert_eq!(describe_bytes(&[IAC, GA]), "IAC GA");
    }
}
