//! Fuzz target `mud_zmp`: the ZMP decoder never panics, and what it decodes encodes to a
//! payload that decodes to the same command and arguments.
//!
//! Input layout: byte 0 picks the encoding the payload is read in (UTF-8, Latin-1 or CP437,
//! modulo 3); the rest is the payload.

#![no_main]

use libfuzzer_sys::fuzz_target;
use telnetlib3::encoding::Codec;
use telnetlib3::protocol::mud::zmp;

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
    let parts = zmp::decode(payload, codec(selector));
    let Some((command, args)) = parts.split_first() else {
        return;
    };
    let mut wire = Vec::new();
    zmp::encode(command, args, &mut wire);
    assert_eq!(zmp::decode(&wire, Codec::utf8()), parts);
});
