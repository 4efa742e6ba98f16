use super::*;
use crate::protocol::{ClientPolicy, ServerPolicy};
use crate::telopt::{DO, DONT, IAC, WILL};

/// A server negotiator whose client agreed to `DO ECHO` (we echo) and, if `binary`, `WILL
/// BINARY` (the client sends binary).
fn server(binary: bool) -> Negotiator {
    let mut neg = Negotiator::server(ServerPolicy::default());
    neg.receive_all(&[IAC, DO, ECHO]);
    if binary {
        neg.receive_all(&[IAC, WILL, BINARY]);
        neg.receive_all(&[IAC, DO, BINARY]);
    }
    neg.take_transmit();
    neg
}

fn editing(encoding: Option<Codec>) -> NvtConfig {
    NvtConfig::default().editing(true).encoding(encoding)
}

fn run(nvt: &mut LineDiscipline, neg: &mut Negotiator, chunks: &[&[u8]]) -> Received {
    let mut out = Received::default();
    for chunk in chunks {
        nvt.receive(neg, chunk, &mut out);
    }
    out
}

#[test]
fn text_input_is_edited_and_echoed_while_we_echo() {
    let mut neg = server(false);
    assert!(neg.enabled(Side::Local, ECHO));
    let mut nvt = LineDiscipline::new(editing(Some(Codec::utf8())), &neg);
    let out = run(&mut nvt, &mut neg, &[b"ab\x08c\x7fd>>>\r\n"]);
    assert_eq!(out.data, b"abcd>>>\r\n");
    assert_eq!(out.marks, vec![(2, Mark::Erase), (3, Mark::Erase)]);
    assert_eq!(out.echo, b"ab\x08 \x08c\x08 \x08d>>>\r\n");
}

#[test]
fn erase_stops_at_the_line_start_and_takes_whole_characters() {
    let mut neg = server(false);
    let mut nvt = LineDiscipline::new(editing(Some(Codec::utf8())), &neg);
    let out = run(&mut nvt, &mut neg, &["é\x7f\x7f".as_bytes(), b"x\r\n\x08y"]);
    // One erase for the two-byte é; the second DEL has nothing left to take; the BS after
    // the line end has nothing either.
    assert_eq!(out.data, "éx\r\ny".as_bytes());
    assert_eq!(out.marks, vec![(2, Mark::Erase)]);
    assert_eq!(out.echo, "é\x08 \x08x\r\ny".as_bytes());
}

#[test]
fn bytes_only_input_reaches_the_application_unaltered() {
    // Encoding off (bytes only): no editing, the echo is verbatim.
    let mut neg = server(false);
    let mut nvt = LineDiscipline::new(editing(None), &neg);
    let out = run(&mut nvt, &mut neg, &[b"ab\x08c\x7fd>>>"]);
    assert_eq!(out.data, b"ab\x08c\x7fd>>>");
    assert!(out.marks.is_empty());
    assert_eq!(out.echo, b"ab\x08c\x7fd>>>");
}

#[test]
fn binary_input_is_not_edited_and_keeps_cr_nul() {
    let mut neg = server(true);
    assert!(neg.enabled(Side::Remote, BINARY));
    let mut nvt = LineDiscipline::new(editing(Some(Codec::utf8())), &neg);
    let out = run(&mut nvt, &mut neg, &[b"ab\x08c\x7fd\r\0\xff\xff"]);
    assert_eq!(out.data, b"ab\x08c\x7fd\r\0\xff");
    assert!(out.marks.is_empty());
    // Echoed as typed, the line end shown as one.
    assert_eq!(out.echo, b"ab\x08c\x7fd\r\n\xff");
}

#[test]
fn cr_nul_is_a_bare_cr_also_across_chunks() {
    let mut neg = Negotiator::client(ClientPolicy::default());
    let mut nvt = LineDiscipline::new(NvtConfig::default(), &neg);
    let out = run(&mut nvt, &mut neg, &[b"a\r\0b\r", b"\0c\r\nd\0"]);
    assert_eq!(out.data, b"a\rb\rc\r\nd\0");
    assert!(out.echo.is_empty());
}

#[test]
fn no_echo_when_turned_off_or_not_performing_echo() {
    let mut neg = server(false);
    let mut nvt = LineDiscipline::new(editing(Some(Codec::utf8())), &neg);
    nvt.set_echo(false);
    let out = run(&mut nvt, &mut neg, &[b"a\x7fb"]);
    assert_eq!(out.data, b"a\x7fb");
    assert!(out.echo.is_empty());
    nvt.set_echo(true);
    let out = run(&mut nvt, &mut neg, &[&[IAC, DONT, ECHO], b"a\x7fb"]);
    assert_eq!(out.data, b"a\x7fb");
    assert!(out.echo.is_empty());
}

#[test]
fn commands_become_keys_and_events() {
    let mut neg = server(false);
    let config = editing(Some(Codec::utf8())).command_keys(true);
    let mut nvt = LineDiscipline::new(config, &neg);
    let out = run(
        &mut nvt,
        &mut neg,
        &[&[b'x', IAC, EC, b'y', IAC, IP, IAC, 246]],
    );
    // EC erases the x like DEL would; IP is ^C; AYT (246) has no key but is an event.
    assert_eq!(out.data, b"xy\x03");
    assert_eq!(out.marks, vec![(1, Mark::Erase)]);
    assert_eq!(
        out.events,
        vec![Event::Command(EC), Event::Command(IP), Event::Command(246)]
    );
}

#[test]
fn binary_agreed_mid_chunk_switches_the_codec_at_that_byte() {
    let mut neg = Negotiator::server(ServerPolicy::default());
    let mut nvt = LineDiscipline::new(NvtConfig::default(), &neg);
    assert_eq!(nvt.input_codec(), Some(Codec::ascii()));
    let out = run(
        &mut nvt,
        &mut neg,
        &[&[b'a', b'b', IAC, WILL, BINARY, b'c']],
    );
    assert_eq!(out.data, b"abc");
    assert_eq!(out.marks, vec![(2, Mark::Codec(Some(Codec::utf8())))]);
    assert_eq!(nvt.input_codec(), Some(Codec::utf8()));
    assert!(out.events.iter().any(|e| matches!(
        e,
        Event::OptionChanged {
            option: BINARY,
            side: Side::Remote,
            enabled: true
        }
    )));
}

#[test]
fn logout_is_reported() {
    let mut neg = server(false);
    let mut nvt = LineDiscipline::new(NvtConfig::default(), &neg);
    let out = run(&mut nvt, &mut neg, &[&[IAC, DO, crate::telopt::LOGOUT]]);
    assert!(out.logout);
}

#[test]
fn terminal_input_makes_line_ends_one_cr_across_chunks() {
    let mut input = TerminalInput::default();
    assert_eq!(input.convert(b"ls\r\n"), b"ls\r");
    assert_eq!(input.convert(b"a\r"), b"a\r");
    assert_eq!(input.convert(b"\nb\r\0c\n\x7f\x08"), b"b\rc\n\x7f\x08");
    assert_eq!(input.convert(b"\r\r\n"), b"\r\r");
}

#[test]
fn command_keys_are_the_linux_defaults() {
    assert_eq!(command_key(IP), Some(0x03));
    assert_eq!(command_key(BRK), Some(0x03));
    assert_eq!(command_key(EL), Some(0x15));
    assert_eq!(command_key(246), None);
}
