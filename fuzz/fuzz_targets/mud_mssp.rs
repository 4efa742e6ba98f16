//! Fuzz target `mud_mssp`: the MSSP decoder never panics, and what it decodes encodes to a
//! payload that decodes to the same variables.
//!
//! Input layout: byte 0 picks the encoding the payload is read in (UTF-8, Latin-1 or CP437,
//! modulo 3); the rest is the payload.

#![no_main]

use libfuzzer_sys::fuzz_target;
use telnetlib3::encoding::Codec;
use telnetlib3::protocol::mud::mssp;

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
    let vars = mssp::decode(payload, codec(selector));
    let mut wire = Vec::new();
    mssp::encode(&vars, &mut wire);
    assert_eq!(mssp::decode(&wire, Codec::utf8()), vars);
});
