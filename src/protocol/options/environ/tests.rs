use super::*;
use crate::telopt::{SB, SE};

/// telnetlib3 5.0.1's request, from
/// `captures/inetutils-telnet_vs_telnetlib3-server.decoded.txt`.
const CAPTURED_SEND: &str = "fffa27010055534552004c4f474e414d4500444953504c4159004c414e4700\
                             5445524d005445524d5f50524f4752414d00434f4c554d4e53004c494e4553\
                             00434f4c4f525445524d00454449544f520049504144445245535300\
                             03fff0";

/// inetutils telnet's answer to it, same capture (payload only).
const INETUTILS_IS: &str = "000055534552034c4f474e414d4500444953504c4159034c414e4703\
                            5445524d035445524d5f50524f4752414d03434f4c554d4e53034c494e\
                            455303434f4c4f525445524d03454449544f5203495041444452455353";

/// tintin++'s answer, from `captures/tintin++_vs_telnetlib3-server.decoded.txt`.
const TINTIN_IS: &str = "000043484152534554015554462d380000434c49454e545f4e414d45015469\
                         6e54696e2b2b0000434c49454e545f56455253494f4e01322e30322e3230\
                         2000004d5454530137383300005445524d494e414c5f5459504501746d7578\
                         2d323536636f6c6f72";

fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

fn var(name: &str, value: Option<&str>) -> EnvVar {
    EnvVar {
        kind: VarKind::Var,
        name: name.into(),
        value: value.map(Into::into),
    }
}

fn uservar(name: &str, value: Option<&str>) -> EnvVar {
    EnvVar {
        kind: VarKind::User,
        name: name.into(),
        value: value.map(Into::into),
    }
}

fn request(kind: VarKind, name: Option<&str>) -> EnvRequest {
    EnvRequest {
        kind,
        name: name.map(Into::into),
    }
}

/// Splits a run of whole frames into their (unescaped) payloads, option byte checked.
fn payloads(wire: &[u8], option: u8) -> Vec<Vec<u8>> {
    let mut frames = Vec::new();
    let mut rest = wire;
    while !rest.is_empty() {
        assert_eq!(&rest[..3], &[IAC, SB, option]);
        let mut payload = Vec::new();
        let mut i = 3;
        loop {
            match (rest[i], rest[i + 1]) {
                (IAC, SE) => break,
                (IAC, IAC) => {
                    payload.push(IAC);
                    i += 2;
                }
                (byte, _) => {
                    payload.push(byte);
                    i += 1;
                }
            }
        }
        frames.push(payload);
        rest = &rest[i + 2..];
    }
    frames
}

#[test]
fn server_request_matches_the_capture() {
    let mut out = Vec::new();
    encode_send(Kind::New, &server_request(true), &mut out);
    assert_eq!(out, hex(CAPTURED_SEND));
}

#[test]
fn server_request_ends_with_all_var_and_all_uservar() {
    let items = server_request(true);
    assert_eq!(items.len(), 13);
    assert_eq!(items[0], request_named("USER"));
    assert_eq!(items[11], request(VarKind::Var, None));
    assert_eq!(items[12], request(VarKind::User, None));
}

fn request_named(name: &str) -> EnvRequest {
    request(VarKind::Var, Some(name))
}

#[test]
fn server_request_without_user() {
    let items = server_request(false);
    assert_eq!(items.len(), 12);
    assert!(!items.contains(&request_named("USER")));
    assert_eq!(items[0], request_named("LOGNAME"));
    let mut out = Vec::new();
    encode_send(Kind::New, &items, &mut out);
    assert_eq!(&out[..10], b"\xff\xfa\x27\x01\x00LOGNA");
}

#[test]
fn captured_send_decodes_to_server_request() {
    let wire = hex(CAPTURED_SEND);
    let payload = &wire[3..wire.len() - 2];
    assert_eq!(
        decode(Kind::New, payload),
        Ok(Environ::Send(server_request(true)))
    );
}

#[test]
fn empty_send_means_everything() {
    let mut out = Vec::new();
    encode_send(Kind::New, &[], &mut out);
    assert_eq!(out, [IAC, SB, NEW_ENVIRON, SEND, IAC, SE]);
    assert_eq!(decode(Kind::New, &[SEND]), Ok(Environ::Send(vec![])));
}

#[test]
fn send_names_are_escaped() {
    let mut out = Vec::new();
    encode_send(
        Kind::New,
        &[request(VarKind::User, Some("A\u{0}B\u{3}"))],
        &mut out,
    );
    assert_eq!(out, b"\xff\xfa\x27\x01\x03A\x02\x00B\x02\x03\xff\xf0");
    let payload = &out[3..out.len() - 2];
    assert_eq!(
        decode(Kind::New, payload),
        Ok(Environ::Send(vec![request(
            VarKind::User,
            Some("A\u{0}B\u{3}")
        )]))
    );
}

#[test]
fn split_keeps_frames_within_the_limit_and_items_in_order() {
    let requests: Vec<EnvRequest> = (0..40)
        .map(|n| request_named(&format!("VARIABLE_NUMBER_{n:02}")))
        .chain([request(VarKind::Var, None), request(VarKind::User, None)])
        .collect();
    let mut out = Vec::new();
    encode_send_split(Kind::New, &requests, &mut out);
    let frames = payloads(&out, NEW_ENVIRON);
    // 6 bytes of framing + 12 items of 19 bytes = 234; a 13th would make 253.
    assert_eq!(frames.len(), 4);
    let mut decoded = Vec::new();
    for payload in &frames {
        assert!(payload.len() + 5 <= MAX_FRAME);
        match decode(Kind::New, payload) {
            Ok(Environ::Send(items)) => {
                assert!(!items.is_empty());
                decoded.extend(items);
            }
            other => panic!("not a SEND: {other:?}"),
        }
    }
    assert_eq!(decoded, requests);
}

#[test]
fn split_frame_boundary_is_exact() {
    // Frame overhead 6 + 13 items of 18 bytes = 240: exactly one frame.
    let names: Vec<EnvRequest> = (0..13)
        .map(|n| request_named(&format!("NAME_{n:012}")))
        .collect();
    let mut out = Vec::new();
    encode_send_split(Kind::New, &names, &mut out);
    assert_eq!(out.len(), MAX_FRAME);
    let mut more = names.clone();
    more.push(request(VarKind::User, None));
    out.clear();
    encode_send_split(Kind::New, &more, &mut out);
    let frames = payloads(&out, NEW_ENVIRON);
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[1], [SEND, USERVAR]);
}

#[test]
fn split_of_a_short_request_is_one_frame() {
    let mut split = Vec::new();
    encode_send_split(Kind::New, &server_request(true), &mut split);
    assert_eq!(split, hex(CAPTURED_SEND));
    split.clear();
    encode_send_split(Kind::Old, &[], &mut split);
    assert_eq!(split, [IAC, SB, OLD_ENVIRON, SEND, IAC, SE]);
}

#[test]
fn split_puts_an_oversized_item_alone() {
    let long = "L".repeat(300);
    let requests = [request_named("A"), request_named(&long), request_named("B")];
    let mut out = Vec::new();
    encode_send_split(Kind::New, &requests, &mut out);
    let frames = payloads(&out, NEW_ENVIRON);
    assert_eq!(frames.len(), 3);
    assert_eq!(frames[0], b"\x01\x00A");
    assert_eq!(frames[1].len(), 302);
    assert_eq!(frames[2], b"\x01\x00B");
}

#[test]
fn is_escapes_special_bytes_and_round_trips() {
    let vars = vec![
        var("ODD\u{0}NAME", Some("v\u{0}\u{1}\u{2}\u{3}x")),
        uservar("EMPTY", Some("")),
        var("UNSET", None),
    ];
    let mut out = Vec::new();
    encode_is(Kind::New, &vars, &mut out);
    let expected: &[u8] = b"\xff\xfa\x27\x00\
        \x00ODD\x02\x00NAME\x01v\x02\x00\x02\x01\x02\x02\x02\x03x\
        \x03EMPTY\x01\
        \x00UNSET\xff\xf0";
    assert_eq!(out, expected);
    let payload = &out[3..out.len() - 2];
    assert_eq!(decode(Kind::New, payload), Ok(Environ::Is(vars)));
}

#[test]
fn info_round_trips() {
    let vars = vec![var("COLUMNS", Some("132"))];
    let mut out = Vec::new();
    encode_info(Kind::New, &vars, &mut out);
    assert_eq!(out, b"\xff\xfa\x27\x02\x00COLUMNS\x01132\xff\xf0");
    assert_eq!(
        decode(Kind::New, &out[3..out.len() - 2]),
        Ok(Environ::Info(vars))
    );
}

#[test]
fn old_environ_encodes_with_rfc_1408_codes() {
    let mut out = Vec::new();
    encode_is(Kind::Old, &[var("USER", Some("joe"))], &mut out);
    assert_eq!(out, b"\xff\xfa\x24\x00\x00USER\x01joe\xff\xf0");
    out.clear();
    encode_send(Kind::Old, &[request_named("USER")], &mut out);
    assert_eq!(out, b"\xff\xfa\x24\x01\x00USER\xff\xf0");
}

#[test]
fn inetutils_answer_decodes_without_values() {
    let expected = vec![
        var("USER", None),
        uservar("LOGNAME", None),
        var("DISPLAY", None),
        uservar("LANG", None),
        uservar("TERM", None),
        uservar("TERM_PROGRAM", None),
        uservar("COLUMNS", None),
        uservar("LINES", None),
        uservar("COLORTERM", None),
        uservar("EDITOR", None),
        uservar("IPADDRESS", None),
    ];
    assert_eq!(
        decode(Kind::New, &hex(INETUTILS_IS)),
        Ok(Environ::Is(expected))
    );
    assert_eq!(
        decode(Kind::New, b"\x00\x00USER\x03LOGNAME\x00DISPLAY"),
        Ok(Environ::Is(vec![
            var("USER", None),
            uservar("LOGNAME", None),
            var("DISPLAY", None)
        ]))
    );
}

#[test]
fn tintin_answer_decodes_with_values() {
    let expected = vec![
        var("CHARSET", Some("UTF-8")),
        var("CLIENT_NAME", Some("TinTin++")),
        var("CLIENT_VERSION", Some("2.02.20 ")),
        var("MTTS", Some("783")),
        var("TERMINAL_TYPE", Some("tmux-256color")),
    ];
    assert_eq!(
        decode(Kind::New, &hex(TINTIN_IS)),
        Ok(Environ::Is(expected))
    );
    assert_eq!(
        decode(
            Kind::New,
            b"\x00\x00CHARSET\x01UTF-8\x00\x00CLIENT_NAME\x01TinTin++\x00\x00MTTS\x01783"
        ),
        Ok(Environ::Is(vec![
            var("CHARSET", Some("UTF-8")),
            var("CLIENT_NAME", Some("TinTin++")),
            var("MTTS", Some("783")),
        ]))
    );
}

#[test]
fn sloppy_payloads_are_tolerated() {
    // Data before the first VAR, a stray leading VALUE, a second VALUE, a lone trailing ESC.
    assert_eq!(
        decode(Kind::New, b"\x00junk\x01stray\x00A\x01x\x01y\x00B\x01\x02"),
        Ok(Environ::Is(vec![var("A", Some("x")), var("B", Some(""))]))
    );
    // ESC before an ordinary byte keeps the byte.
    assert_eq!(
        decode(Kind::New, b"\x02\x00A\x02Z"),
        Ok(Environ::Info(vec![var("AZ", None)]))
    );
    // A stray VALUE in a NEW_ENVIRON SEND is ignored.
    assert_eq!(
        decode(Kind::New, b"\x01\x00USER\x01joe\x03"),
        Ok(Environ::Send(vec![
            request_named("USER"),
            request(VarKind::User, None)
        ]))
    );
    // Non-UTF-8 text is replaced, not rejected.
    assert_eq!(
        decode(Kind::New, b"\x00\x00N\x01\xe9"),
        Ok(Environ::Is(vec![var("N", Some("\u{fffd}"))]))
    );
}

#[test]
fn old_environ_rfc_order_decodes() {
    assert_eq!(
        decode(Kind::Old, b"\x00\x00USER\x01joe\x00DISPLAY\x01host:0"),
        Ok(Environ::Is(vec![
            var("USER", Some("joe")),
            var("DISPLAY", Some("host:0"))
        ]))
    );
}

#[test]
fn old_environ_swapped_order_decodes() {
    // BSD: VAR is 1, VALUE is 0.
    assert_eq!(
        decode(
            Kind::Old,
            b"\x00\x01USER\x00joe\x01DISPLAY\x00host:0\x03X\x00y"
        ),
        Ok(Environ::Is(vec![
            var("USER", Some("joe")),
            var("DISPLAY", Some("host:0")),
            uservar("X", Some("y")),
        ]))
    );
    assert_eq!(
        decode(Kind::Old, b"\x02\x01TERM\x00vt100"),
        Ok(Environ::Info(vec![var("TERM", Some("vt100"))]))
    );
    // The same bytes on NEW_ENVIRON are read as the RFC says: a leading VALUE is skipped.
    assert_eq!(
        decode(Kind::New, b"\x00\x01USER\x00joe"),
        Ok(Environ::Is(vec![var("joe", None)]))
    );
}

#[test]
fn old_environ_starting_with_uservar_is_worked_out() {
    // Consecutive 1s: 1 is VAR.
    assert_eq!(
        decode(Kind::Old, b"\x00\x03U\x00u\x01A\x01B\x00b"),
        Ok(Environ::Is(vec![
            uservar("U", Some("u")),
            var("A", None),
            var("B", Some("b")),
        ]))
    );
    // An empty 1 field is a VALUE: RFC order.
    assert_eq!(
        decode(Kind::Old, b"\x00\x03U\x01\x00A\x01a"),
        Ok(Environ::Is(vec![
            uservar("U", Some("")),
            var("A", Some("a"))
        ]))
    );
    // Counting: every variable has a value, 0s = 1s + USERVARs, so 0 is VALUE.
    assert_eq!(
        decode(Kind::Old, b"\x00\x03FOO\x00bar\x01USER\x00joe"),
        Ok(Environ::Is(vec![
            uservar("FOO", Some("bar")),
            var("USER", Some("joe"))
        ]))
    );
    // Counting: more 1s than 0s and USERVARs together, so 1 is VAR.
    assert_eq!(
        decode(Kind::Old, b"\x00\x03U\x01A\x01B"),
        Ok(Environ::Is(vec![
            uservar("U", None),
            var("A", None),
            var("B", None)
        ]))
    );
    // Counting: one USERVAR and one 0, fully valued only if 0 is VALUE.
    assert_eq!(
        decode(Kind::Old, b"\x00\x03U\x00A"),
        Ok(Environ::Is(vec![uservar("U", Some("A"))]))
    );
    // Nothing decides: RFC 1408 codes.
    assert_eq!(
        decode(Kind::Old, b"\x00\x03U\x03V\x00A"),
        Ok(Environ::Is(vec![
            uservar("U", None),
            uservar("V", None),
            var("A", None)
        ]))
    );
}

#[test]
fn old_environ_send_takes_either_code_as_var() {
    assert_eq!(
        decode(Kind::Old, b"\x01\x01USER\x00TERM\x03\x01"),
        Ok(Environ::Send(vec![
            request_named("USER"),
            request_named("TERM"),
            request(VarKind::User, None),
            request(VarKind::Var, None),
        ]))
    );
}

#[test]
fn bad_payloads_are_errors() {
    assert_eq!(
        decode(Kind::New, &[]),
        Err(DecodeError::new(NEW_ENVIRON, "empty payload"))
    );
    assert_eq!(
        decode(Kind::Old, &[]),
        Err(DecodeError::new(OLD_ENVIRON, "empty payload"))
    );
    assert_eq!(
        decode(Kind::New, &[3, VAR, b'A']),
        Err(DecodeError::new(NEW_ENVIRON, "unknown subcommand"))
    );
}

#[test]
fn kind_option_codes() {
    assert_eq!(Kind::New.option(), 39);
    assert_eq!(Kind::Old.option(), 36);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn any_var() -> impl Strategy<Value = EnvVar> {
        (
            any::<bool>(),
            "[\\x00-\\x7f]{1,8}",
            proptest::option::of("[\\x00-\\x7f]{0,8}"),
        )
            .prop_map(|(user, name, value)| EnvVar {
                kind: if user { VarKind::User } else { VarKind::Var },
                name,
                value,
            })
    }

    proptest! {
        #[test]
        fn decode_never_panics(payload in proptest::collection::vec(any::<u8>(), 0..96)) {
            let _ = decode(Kind::New, &payload);
            let _ = decode(Kind::Old, &payload);
        }

        #[test]
        fn is_round_trips(vars in proptest::collection::vec(any_var(), 0..8), old in any::<bool>()) {
            // Old ENVIRON is only unambiguous when the list starts with a VAR.
            let old = old && vars.first().is_some_and(|var| var.kind == VarKind::Var);
            let kind = if old { Kind::Old } else { Kind::New };
            let mut out = Vec::new();
            encode_is(kind, &vars, &mut out);
            let payload = &payloads(&out, kind.option())[0];
            prop_assert_eq!(decode(kind, payload), Ok(Environ::Is(vars)));
        }

        #[test]
        fn split_round_trips(names in proptest::collection::vec(
            proptest::option::of("[\\x00-\\x7f]{1,90}"), 0..40)) {
            let requests: Vec<EnvRequest> =
                names.into_iter().map(|name| EnvRequest { kind: VarKind::Var, name }).collect();
            let mut out = Vec::new();
            encode_send_split(Kind::New, &requests, &mut out);
            let mut decoded = Vec::new();
            for payload in payloads(&out, NEW_ENVIRON) {
                prop_assert!(payload.len() + 5 <= MAX_FRAME);
                match decode(Kind::New, &payload) {
                    Ok(Environ::Send(items)) => decoded.extend(items),
                    other => prop_assert!(false, "not a SEND: {:?}", other),
                }
            }
            prop_assert_eq!(decoded, requests);
        }
    }
}
