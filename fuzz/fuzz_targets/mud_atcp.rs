//! Fuzz target `mud_atcp`: the ATCP decoder never panics, and what it decodes encodes to a
//! payload that decodes to the same package and value.
//!
//! Input layout: byte 0 picks the encoding the payload is read in (UTF-8, Latin-1 or CP437,
//! modulo 3); the rest is the payload.

#![no_main]

use libfuzzer_sys::fuzz_target;
use telnetlib3::encoding::Codec;
use telnetlib3::protocol::mud::atcp;

fn codec(byte: u8) -> Codec {
    match byte % 3 {
        0 => Codec::utf8(),
        1 => Codec::latin1(),
        _ => Codec::cp437(),
    }
}

fuzz_target!(|input: &[u8]| {
    let [selector, ref payload @ ..] = *input else {
        return;
    };
    let (package, value) = atcp::decode(payload, codec(selector));
    let mut wire = Vec::new();
    atcp::encode(&package, &value, &mut wire);
    assert_eq!(atcp::decode(&wire, Codec::utf8()), (package, value));
});
