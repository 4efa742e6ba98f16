//! Throughput of the tokenizer + negotiator against a plain memcpy of the same buffer.
//!
//! `cargo bench --bench parser` feeds 64 MiB of each input in 64 KiB reads (as a socket would),
//! appends every data event to an output buffer and drains the replies, and prints GB/s next to
//! the memcpy figure measured in the same rounds (best of 15 each, interleaved, as this is a shared
//! machine whose speed varies from second to second). Under `cargo test` it runs once on 1 MiB inputs as
//! a smoke test.

use std::hint::black_box;
use std::time::{Duration, Instant};

use telnetlib3::protocol::{ClientPolicy, Event, Negotiator, Parser, ServerPolicy, Token};
use telnetlib3::telopt::parse_wire;
use telnetlib3::telopt::GMCP;

const READ_SIZE: usize = 64 * 1024;

struct Input {
    name: &'static str,
    bytes: Vec<u8>,
    /// Whether a server (else a client) receives it.
    server: bool,
    target: Option<f64>,
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

/// A GMCP-heavy MUD session as a client receives it: room text, prompts ended by `IAC GA`, GMCP
/// messages, a password prompt's `WILL ECHO` / `WONT ECHO`, keepalives and a timing mark: about
/// one telnet command every 20 bytes.
fn negotiation_heavy(size: usize) -> Vec<u8> {
    let opening = parse_wire("DO TTYPE | SB TTYPE 01 | WILL SGA | WILL GMCP | DO NAWS").unwrap();
    let cycle = parse_wire(
        "'The Dark Room' 0d0a | SB GMCP 'Room.Info {\"num\":1203,\"exits\":[\"n\",\"e\"]}' \
         | 'A goblin arrives.' 0d0a | SB GMCP 'Char.Vitals {\"hp\":93,\"mp\":40}' | '93hp 40mp> ' \
         | IAC GA | 'Password: ' | WILL ECHO | IAC GA | WONT ECHO | 0d0a | IAC NOP \
         | SB GMCP 'Comm.Channel.Text {\"channel\":\"ooc\",\"text\":\"hi all\"}' | 'ok' 0d0a \
         | DO TM | '> ' | IAC GA",
    )
    .unwrap();
    let mut out = opening;
    while out.len() < size {
        out.extend_from_slice(&cycle);
    }
    out
}

/// A server's view of a client that does nothing but negotiate: options toggled on and off,
/// window sizes, terminal types, environment updates and commands, one every 6 bytes. No
/// target: it shows the cost of the policy work per command.
fn negotiation_only(size: usize) -> Vec<u8> {
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

fn time<F: FnMut() -> usize>(mut f: F) -> Duration {
    let start = Instant::now();
    black_box(f());
    start.elapsed()
}

fn memcpy(src: &[u8], dst: &mut [u8]) -> usize {
    dst.copy_from_slice(black_box(src));
    black_box(dst.len())
}

fn negotiate(input: &[u8], server: bool, data: &mut Vec<u8>) -> usize {
    data.clear();
    let mut neg = if server {
        Negotiator::server(ServerPolicy::default())
    } else {
        Negotiator::client(ClientPolicy::default().always_do(&[GMCP]))
    };
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

fn tokenize(input: &[u8], data: &mut Vec<u8>) -> (usize, usize) {
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
    (data.len(), tokens)
}

fn gbps(bytes: usize, time: Duration) -> f64 {
    bytes as f64 / time.as_secs_f64() / 1e9
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let full = args.iter().any(|a| a == "--bench");
    let filter: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let (size, runs) = if full { (64 << 20, 15) } else { (1 << 20, 1) };
    let inputs = [
        Input {
            name: "printable text",
            bytes: printable(size),
            server: true,
            target: Some(0.50),
        },
        Input {
            name: "random bytes",
            bytes: random(size),
            server: true,
            target: Some(0.30),
        },
        Input {
            name: "negotiation-heavy",
            bytes: negotiation_heavy(size),
            server: false,
            target: Some(0.08),
        },
        Input {
            name: "negotiation-only",
            bytes: negotiation_only(size),
            server: true,
            target: None,
        },
    ];

    println!(
        "{:<18} {:>5} {:>9} {:>12} {:>12} {:>12} {:>7} {:>7}",
        "input", "MiB", "B/command", "memcpy GB/s", "parser GB/s", "negot. GB/s", "ratio", "target"
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
        negotiate(src, input.server, &mut data);
        let (_, tokens) = tokenize(src, &mut data);
        // Interleaved rounds, so that all three see the same machine; the best of each counts.
        let (mut t_copy, mut t_tok, mut t_neg) = (Duration::MAX, Duration::MAX, Duration::MAX);
        for _ in 0..runs {
            t_copy = t_copy.min(time(|| memcpy(src, &mut dst)));
            t_tok = t_tok.min(time(|| tokenize(src, &mut data).0));
            t_neg = t_neg.min(time(|| negotiate(src, input.server, &mut data)));
        }
        let ratio = t_copy.as_secs_f64() / t_neg.as_secs_f64();
        if let Some(target) = input.target {
            all_met &= ratio >= target;
        }
        println!(
            "{:<18} {:>5} {:>9.0} {:>12.2} {:>12.2} {:>12.2} {:>7.3} {:>7}",
            input.name,
            src.len() >> 20,
            src.len() as f64 / tokens.max(1) as f64,
            gbps(src.len(), t_copy),
            gbps(src.len(), t_tok),
            gbps(src.len(), t_neg),
            ratio,
            input.target.map_or("-".to_owned(), |t| format!("{t:.2}"))
        );
    }
    if full {
        println!(
            "ratio = memcpy time / negotiator time, best of {runs} interleaved rounds; targets {}",
            if all_met { "met" } else { "NOT met" }
        );
    }
}
