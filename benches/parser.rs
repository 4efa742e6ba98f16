//! Throughput of the tokenizer + negotiator against a plain memcpy of the same buffer.
//!
//! `cargo bench --bench parser` feeds 64 MiB of each input in 64 KiB reads (as a socket would),
//! appends every data event to an output buffer and drains the replies, and prints GB/s next to
//! the memcpy figure measured in the same run. Under `cargo test` it runs once on 1 MiB inputs as
//! a smoke test.

use std::hint::black_box;
use std::time::{Duration, Instant};

use telnetlib3::protocol::{Event, Negotiator, Parser, ServerPolicy, Token};
use telnetlib3::telopt::parse_wire;

const READ_SIZE: usize = 64 * 1024;

struct Input {
    name: &'static str,
    bytes: Vec<u8>,
    target: f64,
}

fn xorshift(state: &mut u64) -> u64 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    x
}

fn printable(size: usize) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15;
    let mut out = Vec::with_capacity(size);
    while out.len() < size {
        let line = 40 + (xorshift(&mut state) % 60) as usize;
        for _ in 0..line {
            out.push(b' ' + (xorshift(&mut state) % 95) as u8);
        }
        out.extend_from_slice(b"\r\n");
    }
    out.truncate(size);
    out
}

fn random(size: usize) -> Vec<u8> {
    let mut state = 0x2545_F491_4F6C_DD1D;
    let mut out = Vec::with_capacity(size + 8);
    while out.len() < size {
        out.extend_from_slice(&xorshift(&mut state).to_le_bytes());
    }
    out.truncate(size);
    out
}

/// A client's side of a busy session: options toggled on and off, window sizes, terminal types,
/// environment updates, commands and short lines of input.
fn negotiation_heavy(size: usize) -> Vec<u8> {
    let opening =
        parse_wire("WILL TTYPE | SB TTYPE 00 'xterm-256color' | SB TTYPE 00 'xterm-256color'")
            .unwrap();
    let cycle = parse_wire(
        "WILL NAWS | SB NAWS 00 50 00 18 | 'ls -l' 0d 0a | WONT NAWS | DO ECHO | DONT ECHO \
         | WILL BINARY | WONT BINARY | SB TTYPE 00 'xterm-256color' | IAC NOP | IAC AYT | DO SGA \
         | DONT SGA | SB NEW_ENVIRON 02 00 'LANG' 01 'en_US.UTF-8' | 'look' 0d 0a | DO TM | IAC GA",
    )
    .unwrap();
    let mut out = opening;
    while out.len() < size {
        out.extend_from_slice(&cycle);
    }
    out
}

fn best_of<F: FnMut() -> usize>(runs: usize, mut f: F) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut check = 0;
    for _ in 0..runs {
        let start = Instant::now();
        check = black_box(f());
        best = best.min(start.elapsed());
    }
    (best, check)
}

fn memcpy(src: &[u8], dst: &mut [u8]) -> usize {
    dst.copy_from_slice(black_box(src));
    black_box(dst.len())
}

fn negotiate(input: &[u8], data: &mut Vec<u8>) -> usize {
    data.clear();
    let mut neg = Negotiator::server(ServerPolicy::default());
    let mut wire = Vec::with_capacity(READ_SIZE);
    let mut events = 0usize;
    for chunk in input.chunks(READ_SIZE) {
        for event in neg.receive(chunk) {
            match event {
                Event::Data(bytes) => data.extend_from_slice(&bytes),
                _ => events += 1,
            }
        }
        wire.clear();
        neg.poll_transmit(&mut wire);
    }
    black_box(&wire);
    data.len() + events
}

fn tokenize(input: &[u8], data: &mut Vec<u8>) -> usize {
    data.clear();
    let mut parser = Parser::new();
    let mut tokens = 0usize;
    for chunk in input.chunks(READ_SIZE) {
        let mut pos = 0;
        while let Some(token) = parser.next_token(chunk, &mut pos) {
            match token {
                Token::Data(bytes) => data.extend_from_slice(bytes),
                _ => tokens += 1,
            }
        }
    }
    data.len() + tokens
}

fn gbps(bytes: usize, time: Duration) -> f64 {
    bytes as f64 / time.as_secs_f64() / 1e9
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let full = args.iter().any(|a| a == "--bench");
    let filter: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let (size, runs) = if full { (64 << 20, 7) } else { (1 << 20, 1) };
    let inputs = [
        Input {
            name: "printable text",
            bytes: printable(size),
            target: 0.50,
        },
        Input {
            name: "random bytes",
            bytes: random(size),
            target: 0.30,
        },
        Input {
            name: "negotiation-heavy",
            bytes: negotiation_heavy(size),
            target: 0.08,
        },
    ];
    println!(
        "{:<18} {:>8} {:>12} {:>12} {:>12} {:>8} {:>8}",
        "input", "MiB", "memcpy GB/s", "parser GB/s", "negot. GB/s", "ratio", "target"
    );
    let mut all_met = true;
    for input in &inputs {
        if !filter.is_empty() && !filter.iter().any(|f| input.name.contains(f.as_str())) {
            continue;
        }
        let src = &input.bytes;
        let mut dst = vec![0u8; src.len()];
        let mut data = Vec::with_capacity(src.len());
        // Warm up every path (page faults, caches) before timing.
        memcpy(src, &mut dst);
        negotiate(src, &mut data);
        let (t_copy, _) = best_of(runs, || memcpy(src, &mut dst));
        let (t_tok, _) = best_of(runs, || tokenize(src, &mut data));
        let (t_neg, _) = best_of(runs, || negotiate(src, &mut data));
        let ratio = t_copy.as_secs_f64() / t_neg.as_secs_f64();
        all_met &= ratio >= input.target;
        println!(
            "{:<18} {:>8} {:>12.2} {:>12.2} {:>12.2} {:>8.3} {:>8.2}",
            input.name,
            src.len() >> 20,
            gbps(src.len(), t_copy),
            gbps(src.len(), t_tok),
            gbps(src.len(), t_neg),
            ratio,
            input.target
        );
    }
    if full {
        println!(
            "ratio = memcpy time / negotiator time, best of {runs}; targets {}",
            if all_met { "met" } else { "NOT met" }
        );
    }
}
