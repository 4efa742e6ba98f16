//! Fuzz target `mud_aardwolf`: the Aardwolf decoder never panics, and a non-empty payload
//! encodes back to the same bytes. The whole input is the payload.

#![no_main]

use libfuzzer_sys::fuzz_target;
use telnetlib3::protocol::mud::aardwolf;

fuzz_target!(|payload: &[u8]| {
    let message = aardwolf::decode(payload);
    if payload.is_empty() {
        assert_eq!(message.channel, "unknown");
        return;
    }
    let mut wire = Vec::new();
    aardwolf::encode(message.channel_byte, &message.data, &mut wire);
    assert_eq!(wire, payload);
});
