//! Fuzz target `mccp`: the MCCP2/MCCP3 inflater on arbitrary bytes, and deflate/inflate round
//! trips.
//!
//! Input layout:
//!
//! * byte 0, flags:
//!   - bit 0: round trip: the rest is plain data, deflated in input-derived pieces (each
//!     sync-flushed; bit 1 also finishes the stream), then inflated again and compared
//!   - bits 2-3: output step per `inflate` call: 1..=16 / 1..=256 / 1..=4096 / 65536 bytes
//!   - bits 4-5: input chunks offered at a time: all / 1..=8 / 1..=64 / 1..=512 bytes
//! * the rest: the compressed stream (or, for a round trip, the plain data)
//!
//! Checked: no panic, no call produces more than it was allowed, the inflater never stalls
//! with input left and room to write (it progresses or fails), a failed stream stays failed,
//! and a round trip gives back the data.

#![no_main]

use libfuzzer_sys::fuzz_target;
use telnetlib3::protocol::mccp::{Deflater, Inflater};

/// Inflated bytes looked at per input, at most (a bomb is cut off here, not an error).
const MAX_TOTAL: usize = 16 << 20;

struct Mix(u64);

impl Mix {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = (self.0.rotate_left(7) ^ 0x55).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        1 + (self.0 >> 33) as usize % bound
    }
}

/// Inflates `wire` offered `chunk` bytes at a time, `step` bytes out per call.
fn inflate(wire: &[u8], mix: &mut Mix, step: usize, chunk: Option<usize>) -> (Vec<u8>, bool) {
    let mut inflater = Inflater::new();
    let mut out = Vec::new();
    let mut pos = 0;
    let mut offered = 0;
    loop {
        if offered == pos || offered == wire.len() {
            offered = match chunk {
                Some(bound) => (pos + mix.next(bound)).min(wire.len()),
                None => wire.len(),
            };
        }
        let max = mix.next(step);
        let before = out.len();
        match inflater.inflate(&wire[pos..offered], &mut out, max) {
            Ok(got) => {
                assert_eq!(out.len() - before, got.produced);
                assert!(got.produced <= max);
                assert!(got.consumed <= offered - pos);
                pos += got.consumed;
                if got.ended {
                    return (out, true);
                }
                if got.produced == 0 && got.consumed == 0 && (offered == wire.len()) {
                    return (out, false);
                }
                if out.len() > MAX_TOTAL {
                    return (out, false);
                }
            }
            Err(err) => {
                assert_eq!(out.len(), before);
                assert_eq!(inflater.inflate(&[], &mut out, max), Err(err));
                return (out, false);
            }
        }
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&flags, rest)) = input.split_first() else {
        return;
    };
    let step = [16, 256, 4096, 65536][usize::from(flags >> 2 & 3)];
    let chunk = [None, Some(8), Some(64), Some(512)][usize::from(flags >> 4 & 3)];
    let mut mix = Mix(u64::from(flags) | (rest.len() as u64) << 8);
    if flags & 1 == 0 {
        let _ = inflate(rest, &mut mix, step, chunk);
        return;
    }
    let mut deflater = Deflater::new();
    let mut wire = Vec::new();
    let mut pos = 0;
    while pos < rest.len() {
        let n = mix.next(1024).min(rest.len() - pos);
        deflater.compress(&rest[pos..pos + n], &mut wire);
        pos += n;
    }
    let finished = flags & 2 != 0;
    if finished {
        deflater.finish(&mut wire);
    }
    let (out, ended) = inflate(&wire, &mut mix, step, chunk);
    assert_eq!(out, rest, "round trip");
    assert_eq!(ended, finished);
});
