//! The MUD options: decoded events, remembered values and sends, byte for byte.

use serde_json::json;

use super::*;
use crate::protocol::mud::{Aardwolf, MsdpTable, MsdpValue, MsspTable, MsspValue};
use crate::protocol::DecodeError;

/// A server with every MUD option agreed both ways.
fn mud_server() -> Negotiator {
    let mut s = server();
    feed(
        &mut s,
        "DO GMCP | WILL GMCP | DO MSDP | DO MSSP | DO ZMP | DO ATCP | DO AARDWOLF | DO EOR",
    );
    s
}

#[test]
fn mud_subnegotiations_are_typed_events() {
    let mut s = mud_server();
    let (events, out) = feed(
        &mut s,
        "SB GMCP 'Char.Vitals {\"hp\":10}' | SB GMCP 'Core.Ping' \
         | SB MSDP 01 'ROOM' 02 03 01 'VNUM' 02 '6008' 04 01 'LIST' 02 05 02 'a' 02 'b' 06 \
         | SB MSSP 01 'NAME' 02 'Mini' 01 'PORT' 02 '23' 02 '4000' \
         | SB ZMP 'zmp.ping' 00 | SB ZMP '' | SB ATCP 'Auth.Request CH' | SB AARDWOLF 65 01",
    );
    assert!(out.is_empty());
    let table = |kv: Vec<(&str, MsdpValue)>| -> MsdpTable {
        kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    };
    assert_eq!(
        events,
        [
            Event::Gmcp {
                package: "Char.Vitals".into(),
                data: Some(json!({"hp": 10}))
            },
            Event::Gmcp {
                package: "Core.Ping".into(),
                data: None
            },
            Event::Msdp(table(vec![
                (
                    "ROOM",
                    MsdpValue::Table(table(vec![("VNUM", "6008".into())]))
                ),
                ("LIST", MsdpValue::Array(vec!["a".into(), "b".into()])),
            ])),
            Event::Mssp(
                [
                    ("NAME".to_owned(), MsspValue::from("Mini")),
                    (
                        "PORT".to_owned(),
                        MsspValue::Many(vec!["23".into(), "4000".into()])
                    ),
                ]
                .into_iter()
                .collect::<MsspTable>()
            ),
            Event::Zmp {
                command: "zmp.ping".into(),
                args: vec![]
            },
            Event::Atcp {
                package: "Auth.Request".into(),
                value: "CH".into()
            },
            Event::Aardwolf(Aardwolf {
                channel: "tick".into(),
                channel_byte: 101,
                data: vec![1]
            }),
        ]
    );
    assert_eq!(
        s.msdp("LIST"),
        Some(&MsdpValue::Array(vec!["a".into(), "b".into()]))
    );
    assert_eq!(s.gmcp("Core.Ping"), Some(&json!(null)));
}

#[test]
fn gmcp_objects_merge_and_bad_json_warns() {
    let mut s = mud_server();
    feed(&mut s, "SB GMCP 'Char.Vitals {\"hp\":10,\"mp\":5}'");
    feed(&mut s, "SB GMCP 'Char.Vitals {\"hp\":7}'");
    assert_eq!(s.gmcp("Char.Vitals"), Some(&json!({"hp": 7, "mp": 5})));
    feed(&mut s, "SB GMCP 'Char.Vitals [1]'");
    assert_eq!(s.gmcp("Char.Vitals"), Some(&json!([1])));
    let (events, _) = feed(&mut s, "SB GMCP 'Char.Vitals {'");
    assert_eq!(
        events,
        [Event::Warning(Warning::BadSubnegotiation(
            DecodeError::new(GMCP, "invalid JSON")
        ))]
    );
    assert_eq!(s.gmcp("Char.Vitals"), Some(&json!([1])));
    assert_eq!(s.gmcp("Room.Info"), None);
}

#[test]
fn remembered_values_are_bounded() {
    let mut s = mud_server();
    for i in 0..MAX_REMEMBERED + 10 {
        feed(
            &mut s,
            &format!("SB GMCP 'P{i} 1' | SB MSDP 01 'V{i}' 02 'x'"),
        );
    }
    assert_eq!(s.gmcp("P0"), None);
    assert_eq!(s.msdp("V9"), None);
    assert_eq!(s.gmcp(&format!("P{}", MAX_REMEMBERED + 9)), Some(&json!(1)));
    assert_eq!(s.msdp("V10"), Some(&"x".into()));
}

#[test]
fn payloads_decode_in_the_mud_encoding_with_latin1_fallback() {
    let mut s = mud_server();
    let (events, _) = feed(&mut s, "SB ATCP 'Caf' e9 ' ok' | SB ATCP c3 a9");
    assert_eq!(
        events,
        [
            Event::Atcp {
                package: "Caf\u{e9}".into(),
                value: "ok".into()
            },
            Event::Atcp {
                package: "\u{e9}".into(),
                value: String::new()
            }
        ]
    );
    s.set_mud_encoding(crate::encoding::Codec::cp437());
    let (events, _) = feed(&mut s, "SB ATCP 82");
    assert_eq!(
        events,
        [Event::Atcp {
            package: "\u{e9}".into(),
            value: String::new()
        }]
    );
}

#[test]
fn sends_are_framed_in_utf8() {
    let mut s = mud_server();
    s.send_gmcp("Room.Info", Some(&json!({"name": "Caf\u{e9}", "n": 1.5})))
        .unwrap();
    s.send_gmcp("Core.Ping", None).unwrap();
    let vars: MsdpTable = [("HP".to_owned(), MsdpValue::from("\u{ff}"))]
        .into_iter()
        .collect();
    s.send_msdp(&vars).unwrap();
    let vars: MsspTable = [("NAME".to_owned(), MsspValue::from("Mini"))]
        .into_iter()
        .collect();
    s.send_mssp(&vars).unwrap();
    s.send_zmp("zmp.time", &["now"]).unwrap();
    s.send_atcp("Char.Name", "Bob").unwrap();
    s.send_eor().unwrap();
    assert_eq!(
        describe_bytes(&s.take_transmit()),
        describe_bytes(&w(
            "SB GMCP 'Room.Info {\"name\":\"Caf\\u00e9\",\"n\":1.5}' | SB GMCP 'Core.Ping' \
             | SB MSDP 01 'HP' 02 c3 bf | SB MSSP 01 'NAME' 02 'Mini' \
             | SB ZMP 'zmp.time' 00 'now' 00 | SB ATCP 'Char.Name Bob' | IAC EOR"
        ))
    );
}

#[test]
fn sends_fail_unless_the_option_is_enabled() {
    let mut s = server();
    assert_eq!(
        s.send_gmcp("Core.Ping", None),
        Err(ProtocolError::OptionNotEnabled(GMCP))
    );
    assert_eq!(
        s.send_msdp(&MsdpTable::new()),
        Err(ProtocolError::OptionNotEnabled(MSDP))
    );
    assert_eq!(
        s.send_mssp(&MsspTable::new()),
        Err(ProtocolError::OptionNotEnabled(MSSP))
    );
    assert_eq!(
        s.send_zmp::<&str>("zmp.ping", &[]),
        Err(ProtocolError::OptionNotEnabled(ZMP))
    );
    assert_eq!(
        s.send_atcp("A", ""),
        Err(ProtocolError::OptionNotEnabled(ATCP))
    );
    assert_eq!(s.send_eor(), Err(ProtocolError::OptionNotEnabled(EOR)));
    // WILL EOR from the peer is not DO EOR: we may not send EOR.
    feed(&mut s, "WILL EOR");
    assert_eq!(s.send_eor(), Err(ProtocolError::OptionNotEnabled(EOR)));
    assert!(s.take_transmit().iter().all(|&b| b != CMD_EOR));
    // Enabled on the peer's side only is enough for the MUD options, as in telnetlib3.
    feed(&mut s, "WILL GMCP");
    s.take_transmit();
    s.send_gmcp("Core.Ping", None).unwrap();
    assert_eq!(s.take_transmit(), w("SB GMCP 'Core.Ping'"));
}
