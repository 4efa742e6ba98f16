//! Byte-exact vectors: shared helpers and what both roles do here, each policy in a file of its
//! own. Wire is written with [`telopt::parse_wire`].

use super::*;
use crate::protocol::options::environ::{EnvVar, VarKind};
use crate::protocol::options::linemode;
use crate::telopt::parse_wire;

mod client_policy;
mod mud;
mod server_policy;

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
