//! Fuzz target `mud_msdp`: the MSDP decoder never panics or recurses past its limit, and what
//! it decodes encodes to a payload that decodes to the same variables.
//!
//! Input layout: byte 0 picks the encoding the payload is read in (UTF-8, Latin-1 or CP437,
//! modulo 3); the rest is the payload.

#![no_main]

use libfuzzer_sys::fuzz_target;
use telnetlib3::encoding::Codec;
use telnetlib3::protocol::mud::msdp;

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
    let Ok(vars) = msdp::decode(payload, codec(selector)) else {
        return;
    };
    let mut wire = Vec::new();
    msdp::encode(&vars, &mut wire);
    assert_eq!(msdp::decode(&wire, Codec::utf8()), Ok(vars));
});
