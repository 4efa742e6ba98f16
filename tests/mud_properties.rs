//! Property tests of the MUD payload codecs: decoding what was encoded gives it back, and no
//! input makes a decoder panic.

use proptest::prelude::*;
use serde_json::Value;
use telnetlib3::encoding::Codec;
use telnetlib3::protocol::mud::{
    aardwolf, atcp, gmcp, msdp, mssp, zmp, MsdpTable, MsdpValue, MsspTable, MsspValue,
};

/// Text without the bytes a codec uses as delimiters (`avoid`).
fn text(avoid: &'static [char]) -> impl Strategy<Value = String> {
    "\\PC{0,12}".prop_map(move |s| s.chars().filter(|c| !avoid.contains(c)).collect())
}

const MSDP_DELIMS: &[char] = &['\x01', '\x02', '\x03', '\x04', '\x05', '\x06'];

fn msdp_value() -> impl Strategy<Value = MsdpValue> {
    let leaf = text(MSDP_DELIMS).prop_map(MsdpValue::Text);
    leaf.prop_recursive(6, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(MsdpValue::Array),
            prop::collection::vec((text(MSDP_DELIMS), inner), 0..5)
                .prop_map(|kv| MsdpValue::Table(kv.into_iter().collect())),
        ]
    })
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,10}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("\\PC{0,6}", inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn gmcp_round_trips(package in "[A-Za-z.]{1,20}", data in prop::option::of(json_value())) {
        let mut wire = Vec::new();
        gmcp::encode(&package, data.as_ref(), &mut wire);
        prop_assert!(wire.is_ascii());
        let (p, d) = gmcp::decode(&wire, Codec::utf8()).unwrap();
        prop_assert_eq!(p, package);
        prop_assert_eq!(d, data);
    }

    #[test]
    fn msdp_round_trips(vars in prop::collection::vec((text(MSDP_DELIMS), msdp_value()), 0..6)) {
        let vars: MsdpTable = vars.into_iter().collect();
        let mut wire = Vec::new();
        msdp::encode(&vars, &mut wire);
        prop_assert_eq!(msdp::decode(&wire, Codec::utf8()), Ok(vars));
    }

    #[test]
    fn mssp_round_trips(vars in prop::collection::vec(
        (text(&['\x01', '\x02']),
         prop_oneof![
             text(&['\x01', '\x02']).prop_map(MsspValue::One),
             prop::collection::vec(text(&['\x01', '\x02']), 2..5).prop_map(MsspValue::Many),
         ]), 0..6)) {
        let vars: MsspTable = vars.into_iter().collect();
        let mut wire = Vec::new();
        mssp::encode(&vars, &mut wire);
        prop_assert_eq!(mssp::decode(&wire, Codec::utf8()), vars);
    }

    #[test]
    fn zmp_round_trips(command in text(&['\0']), args in prop::collection::vec(text(&['\0']), 0..5)) {
        let mut wire = Vec::new();
        zmp::encode(&command, &args, &mut wire);
        let mut want = vec![command];
        want.extend(args);
        prop_assert_eq!(zmp::decode(&wire, Codec::utf8()), want);
    }

    #[test]
    fn atcp_round_trips(package in text(&[' ']), value in text(&[])) {
        let mut wire = Vec::new();
        atcp::encode(&package, &value, &mut wire);
        prop_assert_eq!(atcp::decode(&wire, Codec::utf8()), (package, value));
    }

    #[test]
    fn aardwolf_round_trips(channel in any::<u8>(), data in prop::collection::vec(any::<u8>(), 0..8)) {
        let mut wire = Vec::new();
        aardwolf::encode(channel, &data, &mut wire);
        let got = aardwolf::decode(&wire);
        prop_assert_eq!((got.channel_byte, got.data), (channel, data));
    }

    #[test]
    fn decoders_take_any_bytes(buf in prop::collection::vec(
        prop_oneof![0u8..8, Just(b' '), Just(b'{'), Just(b'['), Just(b'"'), any::<u8>()], 0..256)) {
        for codec in [Codec::utf8(), Codec::latin1()] {
            let _ = gmcp::decode(&buf, codec);
            let _ = msdp::decode(&buf, codec);
            let _ = mssp::decode(&buf, codec);
            let _ = zmp::decode(&buf, codec);
            let _ = atcp::decode(&buf, codec);
        }
        let _ = aardwolf::decode(&buf);
    }
}
