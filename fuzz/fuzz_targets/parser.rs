//! Fuzz target `parser`: split-safety of the IAC tokenizer.
//!
//! The same bytes go to two `Parser`s configured alike: one gets them in a single call, the
//! other in input-derived chunks. Once adjacent `Data` tokens are merged, both must yield the
//! same token sequence (compared as owned copies).
//!
//! Input layout:
//!
//! * byte 0, flags:
//!   - bit 0: `set_strip_cr_nul(false)` (else on, the default)
//!   - bit 1: a subnegotiation filter (only some options wanted), picked by bits 2-5
//!   - bits 6-7: chunk lengths 1..=1 / 1..=4 / 1..=32 / 1..=256, derived from the input
//! * byte 1: subnegotiation limit, 0..=1020 wire bytes (4 per step), or the default for 255
//! * the rest: the wire bytes

#![no_main]

use libfuzzer_sys::fuzz_target;
use telnetlib3::protocol::{Parser, Token, Warning, DEFAULT_SUBNEGOTIATION_LIMIT};

#[derive(Clone, Debug, PartialEq, Eq)]
enum Owned {
    Data(Vec<u8>),
    Command(u8),
    Negotiation { command: u8, option: u8 },
    Subnegotiation { option: u8, payload: Vec<u8> },
    Warning(Warning),
}

fn push(tokens: &mut Vec<Owned>, token: Token<'_, '_>, limit: usize) {
    let owned = match token {
        Token::Data(d) => {
            assert!(!d.is_empty(), "empty data token");
            if let Some(Owned::Data(prev)) = tokens.last_mut() {
                prev.extend_from_slice(d);
                return;
            }
            Owned::Data(d.to_vec())
        }
        Token::Command(c) => Owned::Command(c),
        Token::Negotiation { command, option } => Owned::Negotiation { command, option },
        Token::Subnegotiation { option, payload } => {
            assert!(
                payload.len() <= limit,
                "subnegotiation payload of {} bytes > limit {limit}",
                payload.len()
            );
            Owned::Subnegotiation {
                option,
                payload: payload.to_vec(),
            }
        }
        Token::Warning(w) => Owned::Warning(w),
    };
    tokens.push(owned);
}

fn parser(flags: u8, limit: usize) -> Parser {
    let mut p = Parser::new();
    p.set_strip_cr_nul(flags & 1 == 0);
    p.set_subnegotiation_limit(limit);
    if flags & 2 != 0 {
        // An input-chosen subset of the options (a hash bit picked by bits 2-5).
        let pattern = u64::from(flags >> 2 & 0xF);
        let mut mask = [0u64; 4];
        for option in 0..=255u64 {
            if (option.wrapping_mul(0x9E37_79B9) >> pattern) & 1 == 0 {
                mask[option as usize / 64] |= 1 << (option % 64);
            }
        }
        p.set_subnegotiation_filter(mask);
    }
    p
}

fuzz_target!(|input: &[u8]| {
    let [flags, limit_byte, ref data @ ..] = *input else {
        return;
    };
    let limit = if limit_byte == 255 {
        DEFAULT_SUBNEGOTIATION_LIMIT
    } else {
        usize::from(limit_byte) * 4
    };
    let cap = [1, 4, 32, 256][usize::from(flags >> 6)];

    let mut whole = parser(flags, limit);
    let mut expected = Vec::new();
    let mut pos = 0;
    while let Some(token) = whole.next_token(data, &mut pos) {
        push(&mut expected, token, limit);
    }
    assert_eq!(pos, data.len(), "whole input not consumed");

    let mut split = parser(flags, limit);
    let mut got = Vec::new();
    let mut state = u64::from(flags) << 8 | u64::from(limit_byte);
    let mut start = 0;
    while start < data.len() {
        state = (state.rotate_left(7) ^ u64::from(data[start])).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let len = 1 + (state >> 29) as usize % cap;
        let chunk = &data[start..data.len().min(start + len)];
        start += chunk.len();
        let mut pos = 0;
        while let Some(token) = split.next_token(chunk, &mut pos) {
            push(&mut got, token, limit);
        }
        assert_eq!(pos, chunk.len(), "chunk not consumed");
    }

    assert_eq!(whole.in_command(), split.in_command(), "end state differs");
    assert!(whole.buffered() <= limit && split.buffered() <= limit, "buffer over the limit");
    assert_eq!(expected, got, "token sequences differ");
});
