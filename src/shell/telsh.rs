//! `tel:sh`, telnetlib3's debugging shell (`telnetlib3.server_shell.telnet_server_shell`):
//! a REPL over the live negotiation state of the connection it runs on.

use std::time::Duration;

use crate::protocol::negotiator::Negotiator;
use crate::protocol::options::{lflow, linemode};
use crate::protocol::Side;
use crate::telopt::{self, BINARY, ECHO, LFLOW, LINEMODE, SGA};
use crate::ServerConnection;

/// What `help` prints.
pub const HELP: &str =
    "quit, writer, slc, toggle [option|all], reader, proto, version, linemode, dump, info";

/// The prompt.
const PROMPT: &str = "tel:sh> ";

/// Shell state telnetlib3 keeps on its writer: flow-control preferences sent with LFLOW.
struct State {
    lineflow: bool,
    xon_any: bool,
}

/// telnetlib3's debugging shell: `Ready.`, then the prompt `tel:sh> ` (marked with GA or EOR
/// by the server when the client has not suppressed them) and these commands:
///
/// - `help`: the list of commands ([`HELP`]);
/// - `quit`: `Goodbye.` and close;
/// - `writer`: the negotiation state as telnetlib3 prints its `TelnetWriter`, e.g.
///   `<TelnetWriter server mode:kludge +lineflow -xon_any +slc_sim server-will:BINARY,ECHO,SGA
///   client-will:BINARY,NAWS,NEW_ENVIRON,TTYPE>`;
/// - `reader`, `proto`: the reading side and the connection;
/// - `version`: this crate's version;
/// - `slc`: the LINEMODE special-character table;
/// - `linemode`: the LINEMODE state;
/// - `toggle [option|all]`: with no option, the state of each; else toggles `echo`, `goahead`,
///   `outbinary`, `inbinary`, `binary`, `xon-any`, `lflow`, `linemode` (or `all` of the first
///   six), printing what it asked for (`wont echo.`, `will suppress go-ahead.`, …);
/// - `dump [kb] [ms] [drain|nodrain] [close|noclose]`: telnetlib3's output flood, `kb`
///   kilobytes (1000) with `ms` between lines;
/// - `info`: what the client told us (TERM, window size, charset, environment, …).
///
/// Returns when the client quits or leaves, or on any error (the server closes the
/// connection then).
pub fn telsh(conn: ServerConnection) {
    let _ = run(&conn);
    conn.close();
}

fn run(conn: &ServerConnection) -> crate::Result<()> {
    let mut state = State {
        lineflow: true,
        xon_any: false,
    };
    say(conn, "Ready.\r\n")?;
    let mut command = String::new();
    loop {
        if !command.is_empty() {
            say(conn, "\r\n")?;
        }
        say(conn, PROMPT)?;
        let line = match read_command(conn) {
            Ok(line) => line,
            Err(crate::Error::Limit(limit)) => {
                // One error line and a fresh prompt; the rest of the line is dropped as it
                // arrives, and the session goes on.
                let message = format!("\r\nerror: line too long ({limit}).\r\n");
                say(conn, &message)?;
                command.clear();
                continue;
            }
            Err(err) => return Err(err),
        };
        command = line;
        // The server's line discipline echoed the line end when it performs ECHO; otherwise
        // end the line as telnetlib3 does.
        if !(conn.line_discipline() && conn.local_enabled(ECHO)) {
            say(conn, "\r\n")?;
        }
        let mut words = command.split_whitespace();
        let Some(verb) = words.next() else {
            command.clear();
            continue;
        };
        let args: Vec<&str> = words.collect();
        let reply = match verb {
            "quit" => {
                say(conn, "Goodbye.\r\n")?;
                return Ok(());
            }
            "help" => HELP.to_owned(),
            "writer" => conn.with_negotiator(|neg| writer_repr(neg, &state))?,
            "reader" => reader_repr(conn),
            "proto" => proto_repr(conn),
            "version" => env!("CARGO_PKG_VERSION").to_owned(),
            "slc" => conn.with_negotiator(|neg| slc_table(neg))?,
            "linemode" => conn.with_negotiator(|neg| linemode_state(neg))?,
            "toggle" => {
                let option = args.first().copied();
                conn.with_negotiator(|neg| toggle(neg, &mut state, option))?
            }
            "dump" => {
                if dump(conn, &args)? {
                    return Ok(());
                }
                String::new()
            }
            "info" => info(conn),
            _ => "no such command.".to_owned(),
        };
        say(conn, &reply)?;
    }
}

/// Writes text in the connection's encoding (so a PETSCII or ATASCII user reads it right), or
/// as bytes on a bytes-only connection.
fn say(conn: &ServerConnection, text: &str) -> crate::Result<()> {
    if conn.encoding().is_some() {
        conn.write(text)
    } else {
        conn.write_bytes(text.as_bytes())
    }
}

/// The next command line, edited. Where the encoding is ASCII-compatible the line is read as
/// bytes (its end is a CR or LF byte; a line over `max_line` is never held twice, as bytes
/// and as text) and decoded here; otherwise (PETSCII, ATASCII, EBCDIC, whose line ends are other
/// bytes) it is read as text in the connection's encoding.
fn read_command(conn: &ServerConnection) -> crate::Result<String> {
    use crate::encoding::{Codec, Errors};
    match conn.encoding() {
        Some(codec) if !codec.is_ascii_compatible() => Ok(edit_text(&conn.readline(None)?)),
        Some(codec) if codec != Codec::ascii() && codec != Codec::utf8() => {
            let line = conn.readline_bytes(None)?;
            let mut text = String::new();
            codec.decode(&line, Errors::Replace, &mut text)?;
            Ok(edit_text(&text))
        }
        _ => Ok(edit_line(&conn.readline_bytes(None)?)),
    }
}

/// The command typed: line end stripped, backspaces applied (for clients that send whole
/// lines unedited), decoded as UTF-8 where it is, bytes as Latin-1 where it is not.
fn edit_line(line: &[u8]) -> String {
    match std::str::from_utf8(line) {
        Ok(text) => edit_text(text),
        Err(_) => edit_text(&line.iter().map(|&b| char::from(b)).collect::<String>()),
    }
}

/// A line of text with its line end stripped and backspaces applied.
fn edit_text(text: &str) -> String {
    let mut chars: Vec<char> = Vec::new();
    for c in text.chars() {
        match c {
            '\r' | '\n' | '\0' => {}
            '\x08' | '\x7f' => {
                chars.pop();
            }
            c => chars.push(c),
        }
    }
    chars.into_iter().collect::<String>().trim().to_owned()
}

fn names(options: impl Iterator<Item = u8>) -> Vec<String> {
    let mut names: Vec<String> = options.map(|o| telopt::Opt(o).to_string()).collect();
    names.sort();
    names
}

/// telnetlib3's `repr(writer)`, from the live state.
fn writer_repr(neg: &Negotiator, state: &State) -> String {
    let mut info = vec![
        "TelnetWriter".to_owned(),
        "server".to_owned(),
        format!("mode:{}", neg.mode().as_str()),
        format!("{}lineflow", if state.lineflow { '+' } else { '-' }),
        format!("{}xon_any", if state.xon_any { '+' } else { '-' }),
        "+slc_sim".to_owned(),
    ];
    let pending = names((0..=255u8).filter(|&o| neg.pending(o)));
    if !pending.is_empty() {
        info.push(format!("failed-reply:{}", pending.join(",")));
    }
    let local = names((0..=255u8).filter(|&o| neg.enabled(Side::Local, o)));
    if !local.is_empty() {
        info.push(format!("server-will:{}", local.join(",")));
    }
    let remote = names((0..=255u8).filter(|&o| neg.enabled(Side::Remote, o)));
    if !remote.is_empty() {
        info.push(format!("client-will:{}", remote.join(",")));
    }
    format!("<{}>", info.join(" "))
}

fn reader_repr(conn: &ServerConnection) -> String {
    match conn.get_extra_info("encoding") {
        Some(encoding) => format!(
            "<TelnetReaderUnicode encoding='{encoding}' bytes_received={} eof={}>",
            conn.bytes_received(),
            if conn.active() { "False" } else { "True" }
        ),
        None => format!(
            "<TelnetReader bytes_received={} encoding=False>",
            conn.bytes_received()
        ),
    }
}

fn proto_repr(conn: &ServerConnection) -> String {
    format!(
        "<TelnetServer peer={} sock={} tls={} mode={} connected={:.1}s idle={:.1}s \
         bytes_sent={} bytes_received={}>",
        conn.get_extra_info("peername").unwrap_or_default(),
        conn.get_extra_info("sockname").unwrap_or_default(),
        conn.get_extra_info("tls").unwrap_or_default(),
        conn.mode().as_str(),
        conn.duration().as_secs_f64(),
        conn.idle().as_secs_f64(),
        conn.bytes_sent(),
        conn.bytes_received(),
    )
}

const SLC_NAMES: [&str; 19] = [
    "",
    "SLC_SYNCH",
    "SLC_BRK",
    "SLC_IP",
    "SLC_AO",
    "SLC_AYT",
    "SLC_EOR",
    "SLC_ABORT",
    "SLC_EOF",
    "SLC_SUSP",
    "SLC_EC",
    "SLC_EL",
    "SLC_EW",
    "SLC_RP",
    "SLC_LNEXT",
    "SLC_XON",
    "SLC_XOFF",
    "SLC_FORW1",
    "SLC_FORW2",
];

fn slc_name(func: u8) -> String {
    SLC_NAMES
        .get(usize::from(func))
        .filter(|n| !n.is_empty())
        .map_or_else(|| format!("SLC_{func}"), |n| (*n).to_owned())
}

fn slc_flags(flags: u8) -> String {
    let mut parts = vec![match flags & linemode::SLC_LEVELBITS {
        linemode::SLC_NOSUPPORT => "nosupport",
        linemode::SLC_CANTCHANGE => "cantchange",
        linemode::SLC_VARIABLE => "variable",
        _ => "default",
    }];
    if flags & linemode::SLC_ACK != 0 {
        parts.push("ack");
    }
    if flags & linemode::SLC_FLUSHIN != 0 {
        parts.push("flushin");
    }
    if flags & linemode::SLC_FLUSHOUT != 0 {
        parts.push("flushout");
    }
    parts.join("|")
}

fn slc_value(value: u8) -> String {
    match value {
        0x7f => "^?".to_owned(),
        0..=0x1f => format!("^{}", char::from(value + 0x40)),
        0x20..=0x7e => char::from(value).to_string(),
        _ => format!("\\x{value:02x}"),
    }
}

/// telnetlib3's `get_slcdata`.
fn slc_table(neg: &Negotiator) -> String {
    let table = neg.slc();
    let mut set = Vec::new();
    let mut unset = Vec::new();
    let mut nosupport = Vec::new();
    for func in 1..=linemode::SLC_FORW2 {
        let entry = table.get(func);
        if entry.level() == linemode::SLC_NOSUPPORT {
            nosupport.push(slc_name(func));
        } else if entry.value == 0 || entry.value == linemode::SLC_NOCHAR {
            unset.push(slc_name(func));
        } else {
            set.push(format!(
                "{:>15}: ({}, {})",
                slc_name(func),
                slc_value(entry.value),
                slc_flags(entry.flags)
            ));
        }
    }
    set.sort();
    unset.sort();
    nosupport.sort();
    format!(
        "Special Line Characters:\r\n{}\r\nUnset by client: {}\r\nNot supported by server: {}",
        set.join("\r\n"),
        unset.join(", "),
        nosupport.join(", ")
    )
}

/// telnetlib3's `get_linemode`.
fn linemode_state(neg: &Negotiator) -> String {
    if !neg.enabled(Side::Remote, LINEMODE) {
        return "LINEMODE not negotiated.".to_owned();
    }
    let mask = neg.linemode();
    let on = |bit: u8| if mask & bit != 0 { "on" } else { "off" };
    format!(
        "LINEMODE active. Mode: {}\r\nEDIT={} TRAPSIG={} SOFT_TAB={} LIT_ECHO={} ACK={}",
        neg.mode().as_str(),
        on(linemode::MODE_EDIT),
        on(linemode::MODE_TRAPSIG),
        on(linemode::MODE_SOFT_TAB),
        on(linemode::MODE_LIT_ECHO),
        on(linemode::MODE_ACK),
    )
}

/// Sends the flow-control preferences when the client performs LFLOW.
fn send_lineflow(neg: &mut Negotiator, state: &State) {
    if !neg.enabled(Side::Remote, LFLOW) {
        return;
    }
    let on = if state.lineflow {
        lflow::ON
    } else {
        lflow::OFF
    };
    let restart = if state.xon_any {
        lflow::RESTART_ANY
    } else {
        lflow::RESTART_XON
    };
    neg.send_subnegotiation(LFLOW, &[on]);
    neg.send_subnegotiation(LFLOW, &[restart]);
}

/// telnetlib3's `do_toggle`.
fn toggle(neg: &mut Negotiator, state: &mut State, option: Option<&str>) -> String {
    let linemode_active = neg.enabled(Side::Remote, LINEMODE);
    let echo = neg.enabled(Side::Local, ECHO);
    let goahead = !neg.enabled(Side::Local, SGA);
    let outbinary = neg.enabled(Side::Local, BINARY);
    let inbinary = neg.enabled(Side::Remote, BINARY);
    let table: [(&str, bool); 8] = [
        ("binary", outbinary && inbinary),
        ("echo", echo),
        ("goahead", goahead),
        ("inbinary", inbinary),
        ("lflow", state.lineflow),
        ("linemode", linemode_active),
        ("outbinary", outbinary),
        ("xon-any", state.xon_any),
    ];
    let Some(option) = option else {
        return table
            .iter()
            .map(|(name, on)| format!("{name} {}", if *on { "ON" } else { "off" }))
            .collect::<Vec<_>>()
            .join("\r\n");
    };
    let is = |names: &[&str]| names.contains(&option);
    let mut msgs = Vec::new();
    if is(&["echo", "all"]) {
        neg.request(Side::Local, ECHO, !echo);
        msgs.push(format!("{} echo.", if echo { "wont" } else { "will" }));
    }
    if is(&["goahead", "all"]) {
        neg.request(Side::Local, SGA, goahead);
        msgs.push(format!(
            "{} suppress go-ahead.",
            if goahead { "will" } else { "wont" }
        ));
    }
    if is(&["outbinary", "binary", "all"]) {
        neg.request(Side::Local, BINARY, !outbinary);
        msgs.push(format!(
            "{} outbinary.",
            if outbinary { "wont" } else { "will" }
        ));
    }
    if is(&["inbinary", "binary", "all"]) {
        neg.request(Side::Remote, BINARY, !inbinary);
        msgs.push(format!(
            "{} inbinary.",
            if inbinary { "dont" } else { "do" }
        ));
    }
    if is(&["xon-any", "all"]) {
        state.xon_any = !state.xon_any;
        send_lineflow(neg, state);
        msgs.push(format!(
            "xon-any {}abled.",
            if state.xon_any { "en" } else { "dis" }
        ));
    }
    if is(&["lflow", "all"]) {
        state.lineflow = !state.lineflow;
        send_lineflow(neg, state);
        msgs.push(format!(
            "lineflow {}abled.",
            if state.lineflow { "en" } else { "dis" }
        ));
    }
    if is(&["linemode"]) {
        neg.request(Side::Remote, LINEMODE, !linemode_active);
        msgs.push(format!(
            "{} linemode.",
            if linemode_active { "dont" } else { "do" }
        ));
    }
    if option != "all" && !table.iter().any(|(name, _)| *name == option) {
        msgs.push("toggle: not an option.".to_owned());
    }
    msgs.join("\r\n")
}

/// telnetlib3's `dump [kb] [ms] [drain|nodrain] [close|noclose]`. Returns whether to close.
fn dump(conn: &ServerConnection, args: &[&str]) -> crate::Result<bool> {
    let kb_limit: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let delay_ms: u64 = args
        .get(1)
        .and_then(|a| a.parse::<f64>().ok())
        .filter(|d| d.is_finite() && *d >= 0.0)
        .map_or(0, |d| d as u64);
    let drain = !matches!(args.get(2), Some(a) if a.eq_ignore_ascii_case("nodrain"));
    let do_close = args.get(3).is_some_and(|a| a.eq_ignore_ascii_case("close"));
    conn.write_bytes(
        format!(
            "kb_limit={kb_limit}, delay={delay_ms}, drain={}, do_close={}:\r\n",
            if drain { "True" } else { "False" },
            if do_close { "True" } else { "False" }
        )
        .as_bytes(),
    )?;
    let mut written: u64 = 0;
    'out: while written < kb_limit * 1024 {
        for c in [b'/', b'\\'] {
            let mut line = vec![c; 80];
            line.extend_from_slice(b"\x1b[1G");
            conn.write_bytes(&line)?;
            written += line.len() as u64;
            if delay_ms > 0 {
                std::thread::sleep(Duration::from_millis(delay_ms));
            }
            if written >= kb_limit * 1024 {
                break 'out;
            }
        }
    }
    say(
        conn,
        &format!("\x1b[1Gwrote {written} bytes\r\n{kb_limit} OK"),
    )?;
    Ok(do_close)
}

/// What the client told us about itself.
fn info(conn: &ServerConnection) -> String {
    let mut lines = Vec::new();
    for key in [
        "TERM", "cols", "rows", "charset", "encoding", "mode", "tspeed", "xdisploc", "sndloc",
        "peername", "tls", "timeout",
    ] {
        if let Some(value) = conn.get_extra_info(key) {
            lines.push(format!("{key}: {value}"));
        }
    }
    let environ = conn
        .with_negotiator(|neg| neg.info().environ.clone())
        .unwrap_or_default();
    for (name, value) in environ {
        lines.push(format!("env {name}={value}"));
    }
    lines.join("\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ServerPolicy;

    #[test]
    fn edit_line_strips_and_erases() {
        assert_eq!(edit_line(b"help\r\n"), "help");
        assert_eq!(edit_line(b"hellp\x08\x7fp\r"), "help");
        assert_eq!(edit_line(b"  \r\n"), "");
        assert_eq!(edit_line(b"caf\xe9\n"), "caf\u{e9}");
    }

    #[test]
    fn writer_repr_fresh_server() {
        let neg = Negotiator::server(ServerPolicy::default());
        let state = State {
            lineflow: true,
            xon_any: false,
        };
        let repr = writer_repr(&neg, &state);
        assert!(
            repr.starts_with("<TelnetWriter server mode:local +lineflow -xon_any +slc_sim"),
            "{repr}"
        );
        assert!(repr.ends_with('>'));
    }

    #[test]
    fn toggle_lists_and_toggles() {
        let mut neg = Negotiator::server(ServerPolicy::default());
        let _ = neg.take_transmit();
        let mut state = State {
            lineflow: true,
            xon_any: false,
        };
        let listing = toggle(&mut neg, &mut state, None);
        assert!(listing.contains("echo off"), "{listing}");
        assert!(listing.contains("lflow ON"), "{listing}");
        let all = toggle(&mut neg, &mut state, Some("all"));
        assert_eq!(
            all,
            "will echo.\r\nwill suppress go-ahead.\r\nwill outbinary.\r\ndo inbinary.\r\n\
             xon-any enabled.\r\nlineflow disabled."
        );
        assert!(!neg.take_transmit().is_empty());
        assert_eq!(
            toggle(&mut neg, &mut state, Some("bogus")),
            "toggle: not an option."
        );
    }

    #[test]
    fn slc_table_default() {
        let neg = Negotiator::server(ServerPolicy::default());
        let table = slc_table(&neg);
        assert!(table.starts_with("Special Line Characters:\r\n"), "{table}");
        assert!(table.contains("Not supported by server:"), "{table}");
    }

    #[test]
    fn linemode_off() {
        let neg = Negotiator::server(ServerPolicy::default());
        assert_eq!(linemode_state(&neg), "LINEMODE not negotiated.");
    }
}
