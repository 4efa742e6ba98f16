//! Byte-exact vectors for both roles. Wire is written with [`telopt::parse_wire`].

use super::*;
use crate::protocol::options::environ::{EnvVar, VarKind};
use crate::protocol::options::linemode;
use crate::telopt::parse_wire;

fn w(description: &str) -> Vec<u8> {
    parse_wire(description).unwrap()
}

/// Feeds `input` (a wire description) and returns (events, bytes sent back).
fn feed(neg: &mut Negotiator, input: &str) -> (Vec<Event<'static>>, Vec<u8>) {
    let events = neg.receive_all(&w(input));
    (events, neg.take_transmit())
}

/// Feeds `input` and asserts the exact reply.
fn exchange(neg: &mut Negotiator, input: &str, reply: &str) -> Vec<Event<'static>> {
    let (events, out) = feed(neg, input);
    assert_eq!(
        describe_bytes(&out),
        describe_bytes(&w(reply)),
        "reply to {input}"
    );
    events
}

fn server() -> Negotiator {
    let mut neg = Negotiator::server(ServerPolicy::default());
    assert_eq!(neg.take_transmit(), w("DO TTYPE"));
    neg
}

fn client() -> Negotiator {
    client_with(
        ClientPolicy::default()
            .term("xterm-256color")
            .cols(100)
            .rows(40),
    )
}

fn client_with(policy: ClientPolicy) -> Negotiator {
    let mut neg = Negotiator::client(policy);
    assert!(neg.take_transmit().is_empty());
    neg
}

const REQUEST: &str =
    "SB CHARSET 01 ' UTF-8 UTF-16 LATIN1 CP1252 ISO-8859-15 CP437 SHIFT_JIS CP932 \
                       BIG5 CP950 GBK GB2312 CP936 EUC-KR CP949 US-ASCII'";

const ENVIRON_SEND: &str =
    "SB NEW_ENVIRON 01 00 'USER' 00 'LOGNAME' 00 'DISPLAY' 00 'LANG' 00 'TERM' \
                            00 'TERM_PROGRAM' 00 'COLUMNS' 00 'LINES' 00 'COLORTERM' 00 'EDITOR' \
                            00 'IPADDRESS' 00 03";

// ---------------------------------------------------------------------------------------------
// Server

#[test]
fn server_sends_only_do_ttype_on_connect_and_waits() {
    let neg = server();
    assert!(!neg.is_settled());
    assert!(neg.pending(TTYPE));
}

#[test]
fn server_against_telnetlib3_client() {
    let mut s = server();
    exchange(
        &mut s,
        "WILL TTYPE",
        "SB TTYPE 01 | WILL SGA | WILL BINARY | DO NAWS | DO CHARSET",
    );
    let events = exchange(
        &mut s,
        "SB TTYPE 00 'xterm-256color' | DO SGA | DO BINARY | WILL NAWS | SB NAWS 00 64 00 28 | WILL CHARSET",
        &format!("WILL ECHO | DO NEW_ENVIRON | SB TTYPE 01 | DO BINARY | WILL CHARSET | {REQUEST}"),
    );
    assert!(events.contains(&Event::WindowSize {
        cols: 100,
        rows: 40
    }));
    assert!(events.contains(&Event::TerminalType("xterm-256color".into())));
    assert!(!s.is_settled());
    let events = exchange(
        &mut s,
        "DO ECHO | WILL NEW_ENVIRON | SB TTYPE 00 'xterm-256color' | DO CHARSET | SB CHARSET 02 'UTF-8' | WILL BINARY",
        ENVIRON_SEND,
    );
    assert!(events.contains(&Event::CharsetAgreed("UTF-8".into())));
    exchange(
        &mut s,
        "SB NEW_ENVIRON 00 00 'TERM' 01 'xterm-256color' 00 'LANG' 01 'en_US.UTF-8' 00 'USER' 01 ''",
        "",
    );
    assert!(s.is_settled());
    let info = s.info();
    assert_eq!(info.ttypes, ["xterm-256color", "xterm-256color"]);
    assert_eq!(info.term.as_deref(), Some("xterm-256color"));
    assert_eq!(info.window, Some((100, 40)));
    assert_eq!(info.env("lang"), Some("en_US.UTF-8"));
    assert_eq!(info.env("USER"), None, "empty values are dropped");
    assert_eq!(info.encoding(), Some("UTF-8"));
    assert_eq!(s.mode(), Mode::Kludge);
    assert!(s.enabled(Side::Remote, BINARY) && s.enabled(Side::Local, BINARY));
}

#[test]
fn server_against_inetutils_telnet_capture() {
    // C->S lines of captures/inetutils-telnet_vs_telnetlib3-server, in order.
    let mut s = server();
    exchange(
        &mut s,
        "fffb18",
        "SB TTYPE 01 | WILL SGA | WILL BINARY | DO NAWS | DO CHARSET",
    );
    exchange(
        &mut s,
        "fffa1800585445524dfff0fffd03fffd00fffb1ffffa1f00000000fff0",
        "WILL ECHO | DO NEW_ENVIRON | SB TTYPE 01 | DO BINARY",
    );
    exchange(&mut s, "fffc2a", "");
    exchange(&mut s, "fffd01", "");
    exchange(&mut s, "fffb27", ENVIRON_SEND);
    exchange(&mut s, "fffa1800585445524dfff0", "");
    exchange(&mut s, "fffb00", "");
    let events = exchange(
        &mut s,
        "fffa27000055534552034c4f474e414d4500444953504c4159034c414e47035445524d035445524d5f50524f4752414d03434f4c554d4e53034c494e455303434f4c4f525445524d03454449544f5203495041444452455353fff0",
        "",
    );
    assert!(matches!(events.last(), Some(Event::Environ(vars)) if vars.len() == 11));
    assert!(s.is_settled());
    assert_eq!(s.info().term.as_deref(), Some("XTERM"));
    assert_eq!(s.info().window, Some((0, 0)));
    assert_eq!(s.mode(), Mode::Kludge);
}

#[test]
fn server_against_tintin_never_sends_will_echo() {
    let mut s = server();
    exchange(
        &mut s,
        "WILL TTYPE",
        "SB TTYPE 01 | WILL SGA | WILL BINARY | DO NAWS | DO CHARSET",
    );
    exchange(
        &mut s,
        "SB TTYPE 00 'TINTIN++'",
        "DO NEW_ENVIRON | SB TTYPE 01",
    );
    exchange(
        &mut s,
        "DO SGA | DONT BINARY | WILL NAWS | SB NAWS 00 64 00 1e | WILL CHARSET",
        &format!("WILL CHARSET | {REQUEST}"),
    );
    exchange(
        &mut s,
        "WILL NEW_ENVIRON | SB TTYPE 00 'tmux-256color'",
        &format!("{ENVIRON_SEND} | SB TTYPE 01"),
    );
    exchange(&mut s, "SB CHARSET 02 'UTF-8'", "");
    exchange(&mut s, "SB TTYPE 00 'MTTS 271'", "");
    // tintin++ never sends DO CHARSET; its ACCEPTED counts as agreement, so nothing hangs.
    assert!(s.enabled(Side::Local, CHARSET));
    assert_eq!(s.info().ttypes, ["TINTIN++", "tmux-256color", "MTTS 271"]);
    assert_eq!(s.info().term.as_deref(), Some("tmux-256color"));
    assert!(!s.enabled(Side::Local, ECHO));
    assert_eq!(s.mode(), Mode::Local);
}

#[test]
fn server_microsoft_telnet_gets_environ_late_and_without_user() {
    let mut s = server();
    exchange(
        &mut s,
        "WILL TTYPE",
        "SB TTYPE 01 | WILL SGA | WILL BINARY | DO NAWS | DO CHARSET",
    );
    // ANSI first: nothing more until the second answer.
    exchange(&mut s, "SB TTYPE 00 'ANSI'", "SB TTYPE 01");
    exchange(
        &mut s,
        "SB TTYPE 00 'VT100'",
        "WILL ECHO | DO NEW_ENVIRON | SB TTYPE 01",
    );
    exchange(
        &mut s,
        "WILL NEW_ENVIRON",
        "SB NEW_ENVIRON 01 00 'LOGNAME' 00 'DISPLAY' 00 'LANG' 00 'TERM' 00 'TERM_PROGRAM' 00 'COLUMNS' \
         00 'LINES' 00 'COLORTERM' 00 'EDITOR' 00 'IPADDRESS' 00 03",
    );
    exchange(&mut s, "SB TTYPE 00 'VT100'", "");
    assert_eq!(s.info().term.as_deref(), Some("VT100"));
}

#[test]
fn server_ansi_terminal_that_is_not_microsoft_still_gets_user() {
    let mut s = server();
    feed(&mut s, "WILL TTYPE");
    exchange(&mut s, "SB TTYPE 00 'ANSI'", "SB TTYPE 01");
    exchange(&mut s, "SB TTYPE 00 'ANSI'", "WILL ECHO | DO NEW_ENVIRON");
    exchange(&mut s, "WILL NEW_ENVIRON", ENVIRON_SEND);
}

#[test]
fn server_ttype_cycle_stops_at_the_limit() {
    let mut s = server();
    feed(&mut s, "WILL TTYPE");
    for i in 1..8 {
        let (_, out) = feed(&mut s, &format!("SB TTYPE 00 'T{i}'"));
        assert!(out.ends_with(&w("SB TTYPE 01")), "answer {i}");
    }
    let (_, out) = feed(&mut s, "SB TTYPE 00 'T8'");
    assert!(out.is_empty());
    assert_eq!(s.info().ttypes.len(), 8);
    assert_eq!(s.info().term.as_deref(), Some("T8"));
    // Later unsolicited answers are noted but not stored.
    feed(&mut s, "SB TTYPE 00 'T9'");
    assert_eq!(s.info().ttypes.len(), 8);
    assert!(!s.pending(TTYPE));
}

#[test]
fn server_ttype_empty_answer_ends_the_cycle() {
    let mut s = server();
    feed(&mut s, "WILL TTYPE");
    exchange(
        &mut s,
        "SB TTYPE 00 'vt220'",
        "WILL ECHO | DO NEW_ENVIRON | SB TTYPE 01",
    );
    exchange(&mut s, "SB TTYPE 00", "");
    assert_eq!(s.info().term.as_deref(), Some("vt220"));
}

#[test]
fn server_line_mode_sends_neither_will_sga_nor_will_echo() {
    let mut s = Negotiator::server(ServerPolicy::default().line_mode(true));
    assert_eq!(s.take_transmit(), w("DO TTYPE"));
    exchange(
        &mut s,
        "WILL TTYPE",
        "SB TTYPE 01 | WILL BINARY | DO NAWS | DO CHARSET | DO LINEMODE",
    );
    exchange(
        &mut s,
        "SB TTYPE 00 'xterm'",
        "DO NEW_ENVIRON | SB TTYPE 01",
    );
    exchange(&mut s, "WILL LINEMODE", "SB LINEMODE 01 01");
    let events = exchange(&mut s, "SB LINEMODE 01 05", "");
    assert_eq!(events, [Event::LinemodeMode(linemode::MODE_EDIT)]);
    assert_eq!(s.mode(), Mode::Local);
    // A client asking for ECHO or SGA is refused in line mode.
    exchange(&mut s, "DO ECHO | DO SGA", "WONT ECHO | WONT SGA");
}

#[test]
fn server_without_encoding_offers_no_charset() {
    let mut s = Negotiator::server(ServerPolicy::default().encoding(None));
    s.take_transmit();
    exchange(
        &mut s,
        "WILL TTYPE",
        "SB TTYPE 01 | WILL SGA | WILL BINARY | DO NAWS",
    );
    exchange(&mut s, "WILL CHARSET", "DONT CHARSET");
}

#[test]
fn server_python_telnetlib_refuses_everything_and_settles() {
    let mut s = server();
    exchange(&mut s, "WONT TTYPE", "");
    assert!(s.is_settled());
    assert_eq!(s.mode(), Mode::Local);
}

#[test]
fn server_negotiating_client_without_ttype() {
    // PuTTY-like: offers NAWS first, then refuses TTYPE.
    let mut s = server();
    exchange(
        &mut s,
        "WILL NAWS",
        "DO NAWS | WILL SGA | WILL BINARY | DO CHARSET",
    );
    exchange(&mut s, "WONT TTYPE", "WILL ECHO | DO NEW_ENVIRON");
}

#[test]
fn server_requests_tspeed_xdisploc_and_takes_sndloc() {
    let mut s = server();
    feed(&mut s, "WILL TTYPE");
    exchange(&mut s, "WILL TSPEED", "DO TSPEED | SB TSPEED 01");
    exchange(&mut s, "WILL XDISPLOC", "DO XDISPLOC | SB XDISPLOC 01");
    let events = exchange(
        &mut s,
        "SB TSPEED 00 '38400,19200' | SB XDISPLOC 00 'host:0'",
        "",
    );
    assert!(events.contains(&Event::TerminalSpeed {
        rx: 38400,
        tx: 19200
    }));
    assert_eq!(s.info().tspeed, Some((38400, 19200)));
    assert_eq!(s.info().xdisploc.as_deref(), Some("host:0"));
    exchange(&mut s, "WILL SNDLOC", "DO SNDLOC");
    feed(&mut s, "SB SNDLOC 'Building 4'");
    assert_eq!(s.info().sndloc.as_deref(), Some("Building 4"));
}

#[test]
fn server_answers_client_charset_request() {
    let mut s = server();
    feed(&mut s, "WILL TTYPE | WILL CHARSET");
    let events = exchange(
        &mut s,
        "DO CHARSET | SB CHARSET 01 ';KOI8-R;UTF-8'",
        "SB CHARSET 02 'UTF-8'",
    );
    assert!(events.contains(&Event::CharsetAgreed("UTF-8".into())));
    exchange(&mut s, "SB CHARSET 01 ';KOI8-R'", "SB CHARSET 03");
    exchange(&mut s, "SB CHARSET 04 01 02", "SB CHARSET 05");
}

#[test]
fn server_logout() {
    let mut s = server();
    let events = exchange(
        &mut s,
        "DO LOGOUT",
        "WILL LOGOUT | WILL SGA | WILL BINARY | DO NAWS | DO CHARSET",
    );
    assert!(events.contains(&Event::Logout));
}

#[test]
fn server_status() {
    let mut s = server();
    feed(&mut s, "WILL TTYPE | DO SGA");
    exchange(&mut s, "DO STATUS", "WILL STATUS");
    exchange(&mut s, "SB STATUS 01", "SB STATUS 00 fb 03 fb 05 fd 18");
    let events = exchange(
        &mut s,
        "WILL STATUS | SB STATUS 00 fb 18 fd 01",
        "DO STATUS",
    );
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::Status(r) if r.local == [TTYPE] && r.remote == [ECHO])));
}

#[test]
fn server_slc_exchange() {
    let mut s = Negotiator::server(ServerPolicy::default().line_mode(true));
    s.take_transmit();
    feed(&mut s, "WILL TTYPE | WILL LINEMODE | SB LINEMODE 01 05");
    // The client asks for our whole table (function 0, level DEFAULT).
    let (events, out) = feed(&mut s, "SB LINEMODE 03 00 03 00");
    assert!(matches!(&events[..], [Event::Slc(t)] if t.len() == 1));
    let mut expect = Vec::new();
    linemode::encode_slc(&s.slc().supported(), &mut expect);
    assert_eq!(out, expect);
}

// ---------------------------------------------------------------------------------------------
// Client

#[test]
fn client_sends_nothing_on_connect() {
    let c = client();
    // Nothing asked, nothing pending: settled, though not complete (minwait still applies).
    assert!(c.is_settled() && !c.is_complete());
    assert_eq!(c.mode(), Mode::Local);
}

#[test]
fn client_always_will_and_do_are_sent_on_connect() {
    let mut c = Negotiator::client(
        ClientPolicy::default()
            .always_will(&[NAWS])
            .always_do(&[GMCP]),
    );
    assert_eq!(c.take_transmit(), w("WILL NAWS | DO GMCP"));
    exchange(&mut c, "DO NAWS | WILL GMCP", "SB NAWS 00 50 00 19");
    let events = exchange(&mut c, "SB GMCP 'Core.Hello {}'", "");
    assert_eq!(
        events,
        [Event::Subnegotiation {
            option: GMCP,
            payload: b"Core.Hello {}".to_vec()
        }]
    );
}

#[test]
fn client_against_telnetlib3_server() {
    let mut c = client_with(
        ClientPolicy::default()
            .term("xterm-256color")
            .cols(100)
            .rows(40)
            .env("LANG", "en_US.UTF-8"),
    );
    exchange(&mut c, "DO TTYPE", "WILL TTYPE");
    exchange(
        &mut c,
        "SB TTYPE 01 | WILL SGA | WILL BINARY | DO NAWS | DO CHARSET",
        "SB TTYPE 00 'xterm-256color' | DO SGA | DO BINARY | WILL NAWS | SB NAWS 00 64 00 28 | WILL CHARSET",
    );
    let events = exchange(
        &mut c,
        &format!("WILL ECHO | DO NEW_ENVIRON | SB TTYPE 01 | DO BINARY | WILL CHARSET | {REQUEST}"),
        "DO ECHO | WILL NEW_ENVIRON | SB TTYPE 00 'xterm-256color' | WILL BINARY | DO CHARSET \
         | SB CHARSET 02 'UTF-8'",
    );
    assert!(events.contains(&Event::CharsetAgreed("UTF-8".into())));
    assert!(c.is_complete(), "TTYPE and CHARSET answered");
    exchange(
        &mut c,
        ENVIRON_SEND,
        "SB NEW_ENVIRON 00 00 'USER' 00 'LOGNAME' 00 'DISPLAY' 00 'LANG' 01 'en_US.UTF-8' 00 'TERM' 01 \
         'xterm-256color' 00 'TERM_PROGRAM' 00 'COLUMNS' 01 '100' 00 'LINES' 01 '40' 00 'COLORTERM' \
         00 'EDITOR' 00 'IPADDRESS'",
    );
    assert!(c.is_settled() && c.is_complete());
    assert_eq!(c.mode(), Mode::Kludge);
}

#[test]
fn client_refuses_echo_and_wrong_direction_options() {
    let mut c = client();
    exchange(&mut c, "DO ECHO", "WONT ECHO");
    exchange(&mut c, "DO ECHO", "");
    exchange(
        &mut c,
        "WILL NAWS | WILL TTYPE | DO LOGOUT",
        "DONT NAWS | DONT TTYPE | WONT LOGOUT",
    );
    exchange(
        &mut c,
        "WILL GMCP | WILL MSDP | WILL MCCP2 | DO MSSP",
        "DONT GMCP | DONT MSDP | DONT MCCP2 | WONT MSSP",
    );
    // Refused once: asking again gets no second refusal.
    exchange(&mut c, "WILL GMCP | DO ECHO", "");
}

#[test]
fn client_tspeed_xdisploc() {
    let mut c = client();
    exchange(
        &mut c,
        "DO TSPEED | DO XDISPLOC",
        "WILL TSPEED | WONT XDISPLOC",
    );
    exchange(&mut c, "SB TSPEED 01", "SB TSPEED 00 '38400,38400'");
    let mut c = client_with(
        ClientPolicy::default()
            .xdisploc("ws:0.0")
            .tspeed(9600, 4800),
    );
    exchange(
        &mut c,
        "DO XDISPLOC | DO TSPEED",
        "WILL XDISPLOC | WILL TSPEED",
    );
    exchange(
        &mut c,
        "SB XDISPLOC 01 | SB TSPEED 01",
        "SB XDISPLOC 00 'ws:0.0' | SB TSPEED 00 '9600,4800'",
    );
}

#[test]
fn client_environ_sends_only_allowed_keys() {
    let mut c = client_with(
        ClientPolicy::default()
            .term("vt100")
            .send_environ(&["TERM", "USER"])
            .env("USER", "alice")
            .env("LANG", "C"),
    );
    exchange(&mut c, "DO NEW_ENVIRON", "WILL NEW_ENVIRON");
    exchange(
        &mut c,
        "SB NEW_ENVIRON 01 00 'USER' 00 'LANG' 03 'SECRET'",
        "SB NEW_ENVIRON 00 00 'USER' 01 'alice' 00 'LANG' 03 'SECRET'",
    );
    // Empty SEND: everything allowed.
    exchange(
        &mut c,
        "SB NEW_ENVIRON 01",
        "SB NEW_ENVIRON 00 00 'TERM' 01 'vt100' 00 'USER' 01 'alice'",
    );
}

#[test]
fn client_environ_request_before_agreement_is_ignored() {
    let mut c = client();
    let (events, out) = feed(&mut c, "SB NEW_ENVIRON 01");
    assert!(out.is_empty());
    assert_eq!(
        events,
        [Event::Warning(Warning::UnexpectedSubnegotiation {
            option: NEW_ENVIRON
        })]
    );
}

#[test]
fn client_charset_rejects_unmatched_offer() {
    let mut c = client_with(ClientPolicy::default().encoding(Some("cp437")));
    exchange(&mut c, "WILL CHARSET", "DO CHARSET");
    exchange(
        &mut c,
        "SB CHARSET 01 ' UTF-8 CP437'",
        "SB CHARSET 02 'CP437'",
    );
    exchange(&mut c, "SB CHARSET 01 ' UTF-8'", "SB CHARSET 03");
    let mut c = client_with(ClientPolicy::default().encoding(None));
    exchange(&mut c, "WILL CHARSET", "DONT CHARSET");
}

#[test]
fn client_window_size_updates() {
    let mut c = client();
    c.set_window_size(90, 30);
    assert!(c.take_transmit().is_empty(), "NAWS not agreed yet");
    exchange(&mut c, "DO NAWS", "WILL NAWS | SB NAWS 00 5a 00 1e");
    c.set_window_size(255, 255);
    assert_eq!(c.take_transmit(), w("SB NAWS 00 ff 00 ff"));
}

#[test]
fn client_lflow_and_logout() {
    let mut c = client();
    exchange(&mut c, "DO LFLOW", "WILL LFLOW");
    let events = exchange(&mut c, "SB LFLOW 01 | SB LFLOW 02", "");
    assert_eq!(
        events,
        [
            Event::FlowControl(lflow::Lflow::On),
            Event::FlowControl(lflow::Lflow::RestartAny)
        ]
    );
    assert_eq!(c.info().lflow, Some(lflow::Lflow::RestartAny));
    let events = exchange(&mut c, "WILL LOGOUT", "DO LOGOUT");
    assert!(events.contains(&Event::Logout));
}

#[test]
fn client_linemode_when_allowed() {
    let mut c = Negotiator::client(ClientPolicy::default().always_will(&[LINEMODE]));
    assert_eq!(c.take_transmit(), w("WILL LINEMODE"));
    exchange(&mut c, "DO LINEMODE", "");
    let events = exchange(&mut c, "SB LINEMODE 01 03", "SB LINEMODE 01 07");
    assert!(events.contains(&Event::LinemodeMode(3)));
    assert_eq!(c.mode(), Mode::Local);
    exchange(&mut c, "SB LINEMODE 01 03", "");
    exchange(&mut c, "SB LINEMODE fd 02 ff 00", "SB LINEMODE fc 02");
}

// ---------------------------------------------------------------------------------------------
// Both

#[test]
fn rfc1143_do_twice_answered_once_and_dont_for_disabled_unanswered() {
    let mut c = client();
    exchange(&mut c, "DO BINARY | DO BINARY", "WILL BINARY");
    exchange(&mut c, "DONT SGA | WONT ECHO", "");
    exchange(&mut c, "DONT BINARY", "WONT BINARY");
    exchange(&mut c, "DONT BINARY", "");
}

#[test]
fn rfc1143_no_loop_between_two_negotiators() {
    // Ping-pong all replies between a client and a server until both are quiet.
    let mut s = server();
    let mut c = client();
    let mut to_client = w("DO TTYPE");
    for round in 0..50 {
        let _ = c.receive_all(&to_client);
        let to_server = c.take_transmit();
        let _ = s.receive_all(&to_server);
        to_client = s.take_transmit();
        if to_client.is_empty() && to_server.is_empty() {
            assert!(round < 10, "took {round} rounds");
            break;
        }
    }
    assert!(to_client.is_empty());
    assert!(s.is_settled() && c.is_settled());
    assert_eq!(s.info().term.as_deref(), Some("xterm-256color"));
    assert_eq!(s.info().window, Some((100, 40)));
    assert_eq!(s.mode(), Mode::Kludge);
    assert_eq!(c.mode(), Mode::Kludge);
    assert_eq!(s.info().charset.as_deref(), Some("UTF-8"));
}

#[test]
fn request_uses_q_method() {
    let mut s = server();
    s.request(Side::Local, ECHO, true);
    s.request(Side::Local, ECHO, true);
    assert_eq!(s.take_transmit(), w("WILL ECHO"));
    // Changing our mind while the answer is out sends nothing now...
    s.request(Side::Local, ECHO, false);
    assert!(s.take_transmit().is_empty());
    // ...and WONT once the peer agrees.
    exchange(
        &mut s,
        "DO ECHO",
        "WONT ECHO | WILL SGA | WILL BINARY | DO NAWS | DO CHARSET",
    );
    exchange(&mut s, "DONT ECHO", "");
    assert!(!s.enabled(Side::Local, ECHO));
}

#[test]
fn timing_mark() {
    let mut s = server();
    exchange(&mut s, "DO TM", "WILL TM");
    exchange(&mut s, "DO TM", "WILL TM");
    s.request_timing_mark();
    assert_eq!(s.take_transmit(), w("DO TM"));
    let events = exchange(&mut s, "'x' | WILL TM | WILL TM", "");
    assert_eq!(
        events,
        [Event::Data(b"x".to_vec().into()), Event::TimingMark]
    );
}

#[test]
fn ga_rules() {
    let mut s = server();
    assert!(s.end_prompt());
    assert_eq!(s.take_transmit(), w("IAC GA"));
    feed(&mut s, "WILL TTYPE | DO SGA");
    assert!(!s.ga_allowed());
    assert!(!s.end_prompt());
    let mut s = Negotiator::server(ServerPolicy::default().never_send_ga(true));
    s.take_transmit();
    assert!(!s.end_prompt());
    assert!(s.take_transmit().is_empty());
}

#[test]
fn eor_marks_prompts_once_agreed() {
    let mut s = server();
    exchange(
        &mut s,
        "DO EOR",
        "WILL EOR | WILL SGA | WILL BINARY | DO NAWS | DO CHARSET",
    );
    assert!(s.end_prompt());
    assert_eq!(s.take_transmit(), w("IAC EOR"));
    let events = exchange(&mut s, "'> ' | IAC EOR", "");
    assert_eq!(events[1], Event::Command(CMD_EOR));
}

#[test]
fn commands_are_events() {
    let mut s = server();
    let events = exchange(
        &mut s,
        "IAC AYT | IAC IP | IAC AO | IAC BRK | IAC EC | IAC EL | IAC NOP | IAC DM | IAC GA | IAC ABORT \
         | IAC SUSP | IAC EOF",
        "",
    );
    let commands: Vec<u8> = events
        .iter()
        .map(|e| match e {
            Event::Command(c) => *c,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        commands,
        [
            AYT,
            IP,
            AO,
            BRK,
            EC,
            EL,
            NOP,
            DM,
            GA,
            ABORT,
            SUSP,
            telopt::EOF
        ]
    );
}

#[test]
fn option_state_by_name() {
    let mut s = server();
    feed(&mut s, "WILL TTYPE | DO SGA");
    let naws = s.option_state("naws").unwrap();
    assert_eq!(naws.remote, Q::WantYes);
    assert!(naws.pending);
    let sga = s.option_state("SGA").unwrap();
    assert_eq!((sga.local, sga.remote, sga.pending), (Q::Yes, Q::No, false));
    assert_eq!(
        s.option_state("FOO"),
        Err(ProtocolError::UnknownOption("FOO".into()))
    );
}

#[test]
fn cr_nul_is_stripped_until_binary() {
    let mut s = server();
    let events = s.receive_all(b"a\r\0b\r\nc\0");
    assert_eq!(events, [Event::Data(b"a\rb\r\nc\0".to_vec().into())]);
    feed(&mut s, "WILL BINARY");
    let events = s.receive_all(b"a\r\0b");
    assert_eq!(events, [Event::Data(b"a\r\0b".to_vec().into())]);
}

#[test]
fn binary_switch_applies_from_the_next_byte() {
    let mut s = server();
    let mut input = b"x\r\0".to_vec();
    input.extend(w("WILL BINARY"));
    input.extend(b"\r\0");
    let events = s.receive_all(&input);
    let data: Vec<u8> = events
        .iter()
        .filter_map(|e| e.data())
        .flatten()
        .copied()
        .collect();
    assert_eq!(data, b"x\r\r\0");
}

#[test]
fn oversized_subnegotiation_never_leaks_into_data() {
    let mut s = server();
    s.set_subnegotiation_limit(16);
    feed(&mut s, "WILL TTYPE");
    let mut input = w("'a'");
    input.extend(w(&format!("SB TTYPE 00 '{}' SE", "x".repeat(100))));
    input.extend(b"b");
    let events = s.receive_all(&input);
    assert_eq!(
        events,
        [
            Event::Data(b"a".to_vec().into()),
            Event::Warning(Warning::SubnegotiationOverflow {
                option: TTYPE,
                limit: 16
            }),
            Event::Data(b"b".to_vec().into()),
        ]
    );
    assert!(s.take_transmit().is_empty());
}

#[test]
fn bad_subnegotiation_is_a_warning() {
    let mut s = server();
    feed(&mut s, "WILL TTYPE | WILL NAWS");
    let (events, _) = feed(&mut s, "SB NAWS 00 50");
    assert!(
        matches!(&events[..], [Event::Warning(Warning::BadSubnegotiation(e))] if e.option == NAWS)
    );
    let (events, _) = feed(&mut s, "SB GMCP 'x'");
    assert_eq!(
        events,
        [Event::Warning(Warning::UnexpectedSubnegotiation {
            option: GMCP
        })]
    );
}

#[test]
fn dropped_receive_keeps_the_rest() {
    let mut s = server();
    let input = w("'one' | WILL TTYPE | 'two' | IAC AYT");
    {
        let mut events = s.receive(&input);
        assert_eq!(events.next(), Some(Event::Data(Cow::Borrowed(b"one"))));
    }
    let rest: Vec<_> = std::iter::from_fn(|| s.poll_event()).collect();
    assert!(rest.contains(&Event::Data(b"two".to_vec().into())));
    assert_eq!(rest.last(), Some(&Event::Command(AYT)));
    assert!(s.enabled(Side::Remote, TTYPE));
}

#[test]
fn send_data_escapes_iac() {
    let mut c = client();
    c.send_data(b"a\xffb");
    c.send_command(AYT);
    assert_eq!(c.take_transmit(), b"a\xff\xffb\xff\xf6");
}

#[test]
fn mud_client_names() {
    assert!(is_mud_client("Mudlet"));
    assert!(is_mud_client("tt++"));
    assert!(!is_mud_client("xterm"));
}

#[test]
fn client_environ_var_values() {
    let policy = ClientPolicy::default().term("t").cols(1).rows(2);
    assert_eq!(policy.environ_value("term").as_deref(), Some("t"));
    assert_eq!(policy.environ_value("COLUMNS").as_deref(), Some("1"));
    assert_eq!(policy.environ_value("LANG"), None);
    let _ = EnvVar {
        kind: VarKind::Var,
        name: String::new(),
        value: None,
    };
}
