//! The server policy against the clients it meets, byte for byte.

use super::*;

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

#[test]
fn server_accepts_mud_options_both_ways_as_telnetlib3() {
    // telnetlib3-server 5.0.1 on a fresh connection, probed one option per connection: the
    // option is agreed, then the advanced options follow.
    for (option, name) in [
        (GMCP, "GMCP"),
        (MSDP, "MSDP"),
        (MSSP, "MSSP"),
        (ZMP, "ZMP"),
        (ATCP, "ATCP"),
        (AARDWOLF, "AARDWOLF"),
        (MSP, "MSP"),
        (MXP, "MXP"),
        (EOR, "EOR"),
    ] {
        for (ask, agree, side) in [("DO", "WILL", Side::Local), ("WILL", "DO", Side::Remote)] {
            let mut s = server();
            exchange(
                &mut s,
                &format!("{ask} {name}"),
                &format!("{agree} {name} | WILL SGA | WILL BINARY | DO NAWS | DO CHARSET"),
            );
            assert!(s.enabled(side, option), "{ask} {name}");
        }
    }
}

#[test]
fn server_takes_a_client_performing_a_mud_option_for_a_mud_client() {
    // As telnetlib3-server 5.0.1 on the wire: DO GMCP (we perform it) says nothing about the
    // client, so WILL ECHO follows the first TTYPE; WILL GMCP (the client performs it) marks a
    // MUD client, which gets no WILL ECHO.
    let mut s = server();
    feed(&mut s, "WILL TTYPE | DO GMCP");
    exchange(
        &mut s,
        "SB TTYPE 00 'xterm'",
        "WILL ECHO | DO NEW_ENVIRON | SB TTYPE 01",
    );
    let mut s = server();
    feed(&mut s, "WILL TTYPE | WILL GMCP");
    exchange(
        &mut s,
        "SB TTYPE 00 'xterm'",
        "DO NEW_ENVIRON | SB TTYPE 01",
    );
}
