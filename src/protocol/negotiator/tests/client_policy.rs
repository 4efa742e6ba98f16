//! The client policy against the servers it meets, byte for byte.

use super::*;

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
    exchange(
        &mut c,
        "DO NAWS | WILL GMCP",
        &format!("SB NAWS 00 50 00 19 | {GMCP_HELLO}"),
    );
    let events = exchange(&mut c, "SB GMCP 'Core.Hello {}'", "");
    assert_eq!(
        events,
        [Event::Gmcp {
            package: "Core.Hello".into(),
            data: Some(serde_json::json!({}))
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
        "WILL MSDP | WILL MCCP2 | DO MSSP | DO GMCP",
        "DONT MSDP | DO MCCP2 | WONT MSSP | WONT GMCP",
    );
    // Refused once: asking again gets no second refusal.
    exchange(&mut c, "WILL MSDP | DO ECHO", "");
}

/// What telnetlib3's client sends once the server enables GMCP, with this crate's name and
/// version in place of telnetlib3's.
const GMCP_HELLO: &str = concat!(
    "SB GMCP 'Core.Hello {\"client\":\"telnetlib3\",\"version\":\"",
    env!("CARGO_PKG_VERSION"),
    "\"}' | SB GMCP 'Core.Supports.Set [\"char 1\",\"char.vitals 1\",\"char.items 1\",\"room 1\",\
     \"room.info 1\",\"comm 1\",\"comm.channel 1\",\"group 1\"]'"
);

#[test]
fn client_accepts_gmcp_and_zmp_and_greets_as_telnetlib3() {
    // telnetlib3-client 5.0.1 answers this server with exactly these bytes (its own version in
    // the greetings).
    let mut c = client();
    exchange(
        &mut c,
        "WILL GMCP | WILL ZMP | WILL MSDP | DO GMCP | DO MSSP",
        &format!(
            "DO GMCP | {GMCP_HELLO} | DO ZMP | SB ZMP 'zmp.ident' 00 'telnetlib3' 00 '{}' 00 \
             | DONT MSDP | WONT GMCP | WONT MSSP",
            env!("CARGO_PKG_VERSION")
        ),
    );
    // Once per connection, even when GMCP is turned off and on again.
    exchange(&mut c, "WONT GMCP | WILL GMCP", "DONT GMCP | DO GMCP");
    assert!(c.enabled(Side::Remote, GMCP) && c.enabled(Side::Remote, ZMP));
}

#[test]
fn client_gmcp_modules_are_lowercased_and_mud_options_enabled_by_policy() {
    let mut c = Negotiator::client(
        ClientPolicy::default()
            .gmcp_modules(&["Char 1", "IRE.Rift 1"])
            .always_will(&[MSDP])
            .always_dont(&[ZMP]),
    );
    assert_eq!(c.take_transmit(), w("WILL MSDP"));
    exchange(
        &mut c,
        "WILL GMCP | WILL ZMP | DO MSDP",
        &format!(
            "DO GMCP | SB GMCP 'Core.Hello {{\"client\":\"telnetlib3\",\"version\":\"{}\"}}' \
             | SB GMCP 'Core.Supports.Set [\"char 1\",\"ire.rift 1\"]' | DONT ZMP",
            env!("CARGO_PKG_VERSION")
        ),
    );
    assert!(c.enabled(Side::Local, MSDP));
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

#[test]
fn client_answers_zmp_support_queries_as_telnetlib3() {
    let mut c = client();
    feed(&mut c, "WILL ZMP");
    let events = exchange(
        &mut c,
        "SB ZMP 'zmp.check' 00 'color.define' 00 | SB ZMP 'zmp.send-support' 00 'a' 00 'b' 00 \
         | SB ZMP 'zmp.send-support' 00 | SB ZMP 'zmp.ping' 00",
        "SB ZMP 'zmp.no-support' 00 'color.define' 00 | SB ZMP 'zmp.no-support' 00 'a' 00 \
         | SB ZMP 'zmp.no-support' 00 'b' 00",
    );
    assert_eq!(events.len(), 4);
    // A server does not answer them.
    let mut s = server();
    feed(&mut s, "WILL ZMP");
    exchange(&mut s, "SB ZMP 'zmp.check' 00 'x' 00", "");
}
