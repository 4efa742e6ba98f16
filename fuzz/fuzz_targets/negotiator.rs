//! Fuzz target `negotiator`: feeds peer bytes to a `Negotiator` in input-derived chunks.
//!
//! Input layout:
//!
//! * byte 0, flags:
//!   - bit 0: role (0 = server, 1 = client)
//!   - bit 1: server `line_mode`; client: a non-empty `xdisploc` and a LANG value
//!   - bit 2: `encoding(None)` (else the default `Some("utf8")`)
//!   - bit 3: client: `always_do` / `always_will` of MUD options (GMCP, MSDP, MSSP, MXP, …);
//!     server: `never_send_ga`
//!   - bit 4: sometimes drop the `Receive` iterator early (the rest comes out of `poll_event`
//!     or the next `receive`)
//!   - bit 5: sometimes call the application-side API between chunks (`request`, `send_data`,
//!     `end_prompt`, `set_window_size`, …)
//!   - bits 6-7: chunking: 0 = one `receive` call, 1/2/3 = chunks of 1..=8 / 1..=64 / 1..=512
//!     bytes, each length derived from the input bytes themselves
//! * byte 1: subnegotiation limit, 64..=4096 wire bytes
//! * the rest: bytes from the peer
//!
//! Checked: no panic; every event stays within the subnegotiation limit (plus a small
//! constant); the peer info stays bounded; the bytes the negotiator sends in answer stay
//! within a constant factor of the bytes received (see `OUT_FACTOR` / `OUT_BASE`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use telnetlib3::protocol::{ClientPolicy, Event, Negotiator, ServerPolicy, Side, Warning};
use telnetlib3::telopt::*;

/// Output bound: over a whole run, the bytes taken with `take_transmit` that answer peer input
/// (including the greeting queued on construction) are at most
/// `OUT_FACTOR * bytes received + OUT_BASE`. A peer must not be able to make us send more than
/// 64 bytes per byte it sends (amplification); 4096 covers the greeting and one-off answers
/// such as the CHARSET offer list. Bytes queued by the application-side API calls made by this
/// target are measured and bounded separately.
const OUT_FACTOR: usize = 64;
const OUT_BASE: usize = 4096;

/// Slack allowed over the subnegotiation limit for decoded events (type bytes and the like).
const SLACK: usize = 16;

/// At most this many NEW_ENVIRON variables are kept (the negotiator's MAX_ENVIRON).
const MAX_ENVIRON: usize = 256;
/// The server policy's default `ttype_max`.
const MAX_TTYPES: usize = 8;

const MUD: &[u8] = &[GMCP, MSDP, MSSP, MXP, MSP, ATCP, AARDWOLF, ZMP];

/// Options the API calls pick from.
const OPTIONS: &[u8] = &[
    BINARY, ECHO, SGA, STATUS, TM, LOGOUT, SNDLOC, TTYPE, EOR, NAWS, TSPEED, LFLOW, LINEMODE,
    XDISPLOC, OLD_ENVIRON, NEW_ENVIRON, CHARSET, GMCP, MSDP, MSSP, 0x99,
];

/// A small deterministic mixer, fed with input bytes, for every decision taken from the input.
struct Mix(u64);

impl Mix {
    fn next(&mut self, byte: u8) -> u64 {
        self.0 = (self.0.rotate_left(7) ^ u64::from(byte)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 >> 29
    }
}

struct Run {
    limit: usize,
    /// Longest chunk so far: every data event is a piece of one chunk.
    max_chunk: usize,
    input: usize,
    output: usize,
}

impl Run {
    fn check_event(&self, event: &Event<'_>) {
        let limit = self.limit;
        let bound = limit + SLACK;
        // Strings are decoded lossily (one invalid byte becomes U+FFFD, three bytes), so they
        // are measured in chars (each from at least one payload byte), and in bytes against
        // three times the limit.
        let text = |s: &str, what: &str| {
            let chars = s.chars().count();
            assert!(chars <= bound, "{what}: {chars} chars > limit {limit}");
            assert!(s.len() <= 3 * bound, "{what}: {} bytes > 3 * limit {limit}", s.len());
        };
        match event {
            Event::Data(d) => assert!(
                d.len() <= self.max_chunk,
                "data event of {} bytes from chunks of at most {}",
                d.len(),
                self.max_chunk
            ),
            Event::Subnegotiation { option, payload } => assert!(
                payload.len() <= limit,
                "subnegotiation {option} payload of {} bytes > limit {limit}",
                payload.len()
            ),
            Event::TerminalType(s) => text(s, "TerminalType"),
            Event::XDisplayLocation(s) => text(s, "XDisplayLocation"),
            Event::SendLocation(s) => text(s, "SendLocation"),
            Event::CharsetAgreed(s) => text(s, "CharsetAgreed"),
            Event::Environ(vars) => {
                let size: usize = vars
                    .iter()
                    .map(|v| {
                        1 + v.name.chars().count()
                            + v.value.as_ref().map_or(0, |x| 1 + x.chars().count())
                    })
                    .sum();
                assert!(size <= bound, "Environ of {} vars, size {size} > limit {limit}", vars.len());
            }
            Event::Slc(triplets) => assert!(
                3 * triplets.len() <= bound,
                "Slc of {} triplets > limit {limit}",
                triplets.len()
            ),
            Event::Forwardmask { mask, .. } => assert!(
                mask.len() <= bound,
                "Forwardmask of {} bytes > limit {limit}",
                mask.len()
            ),
            Event::Status(report) => {
                let size = 2 * report.local.len()
                    + 2 * report.remote.len()
                    + report
                        .subnegotiations
                        .iter()
                        .map(|(_, p)| 1 + p.len())
                        .sum::<usize>();
                assert!(size <= bound, "Status report of size {size} > limit {limit}");
            }
            Event::Warning(Warning::SubnegotiationOverflow { limit: l, .. }) => {
                assert_eq!(*l, limit, "overflow reported against another limit");
            }
            _ => {}
        }
    }

    fn check_state(&self, neg: &Negotiator) {
        let info = neg.info();
        assert!(
            info.environ.len() <= MAX_ENVIRON,
            "{} environ entries kept",
            info.environ.len()
        );
        assert!(info.ttypes.len() <= MAX_TTYPES, "{} ttypes kept", info.ttypes.len());
        let bound = 3 * (self.limit + SLACK);
        for s in info
            .ttypes
            .iter()
            .chain(&info.term)
            .chain(&info.xdisploc)
            .chain(&info.sndloc)
            .chain(&info.charset)
        {
            assert!(s.len() <= bound, "peer info string of {} bytes", s.len());
        }
        for (name, value) in &info.environ {
            assert!(name.len() + value.len() <= bound, "environ entry too long");
        }
        // Cheap queries must not panic.
        let _ = neg.mode();
        let _ = neg.in_command();
    }

    /// The costlier queries (name lookups), once at the end of a run.
    fn final_queries(&self, neg: &Negotiator) {
        self.check_state(neg);
        let _ = neg.is_settled();
        let _ = neg.info().encoding();
        let _ = neg.status_report();
        for name in ["ECHO", "SGA", "NAWS", "TTYPE", "CHARSET", "NEW_ENVIRON", "LINEMODE"] {
            let _ = neg.option_state(name);
        }
        assert!(neg.option_state("NO-SUCH-OPTION-NAME").is_err());
    }

    /// Takes what the negotiator queued in answer to the input so far and checks the bound.
    fn transmit(&mut self, neg: &mut Negotiator) {
        self.output += neg.take_transmit().len();
        assert!(
            self.output <= OUT_FACTOR * self.input + OUT_BASE,
            "amplification: sent {} bytes in answer to {} bytes received",
            self.output,
            self.input
        );
    }
}

/// One application-side API call chosen by `pick`; returns a bound on what it may queue.
fn api_call(neg: &mut Negotiator, pick: u64, chunk: &[u8]) -> usize {
    let option = OPTIONS[(pick >> 8) as usize % OPTIONS.len()];
    let side = if pick & 0x10000 == 0 { Side::Local } else { Side::Remote };
    match pick % 9 {
        0 | 1 => {
            neg.request(side, option, pick & 0x20000 == 0);
            3
        }
        2 => {
            let data = &chunk[..chunk.len().min(32)];
            neg.send_data(data);
            2 * data.len()
        }
        3 => {
            let _ = neg.end_prompt();
            2
        }
        4 => {
            let cols = (pick >> 12) as u16;
            let rows = (pick >> 28) as u16;
            neg.set_window_size(cols, rows);
            // IAC SB NAWS, four bytes each possibly doubled, IAC SE.
            3 + 8 + 2
        }
        5 => {
            neg.request_timing_mark();
            3
        }
        6 => {
            neg.send_command(NOP);
            2
        }
        7 => {
            let payload = &chunk[..chunk.len().min(16)];
            neg.send_subnegotiation(GMCP, payload);
            5 + 2 * payload.len()
        }
        _ => {
            neg.set_accept(side, option, pick & 0x20000 == 0);
            0
        }
    }
}

fuzz_target!(|input: &[u8]| {
    let [flags, limit_byte, ref data @ ..] = *input else {
        return;
    };
    let limit = 64 + usize::from(limit_byte) * (4096 - 64) / 255;
    let client = flags & 1 != 0;
    let variant = flags & 2 != 0;
    let no_encoding = flags & 4 != 0;
    let mud = flags & 8 != 0;
    let drop_early = flags & 0x10 != 0;
    let api = flags & 0x20 != 0;
    let chunk_cap = match flags >> 6 {
        0 => usize::MAX,
        1 => 8,
        2 => 64,
        _ => 512,
    };

    let mut neg = if client {
        let mut policy = ClientPolicy::default().subnegotiation_limit(limit);
        if variant {
            policy = policy.xdisploc("fuzz:0").env("LANG", "en_US.UTF-8");
        }
        if no_encoding {
            policy = policy.encoding(None);
        }
        if mud {
            policy = policy.always_do(MUD).always_will(&[GMCP, MSDP]);
        }
        Negotiator::client(policy)
    } else {
        let policy = ServerPolicy::default()
            .subnegotiation_limit(limit)
            .line_mode(variant)
            .never_send_ga(mud);
        let policy = if no_encoding { policy.encoding(None) } else { policy };
        Negotiator::server(policy)
    };

    let mut run = Run {
        limit,
        max_chunk: 0,
        input: 0,
        output: 0,
    };
    let mut mix = Mix(u64::from(flags) << 8 | u64::from(limit_byte));
    run.transmit(&mut neg);
    run.check_state(&neg);

    let mut pos = 0;
    while pos < data.len() {
        let len = if chunk_cap == usize::MAX {
            data.len()
        } else {
            1 + (mix.next(data[pos]) as usize) % chunk_cap
        };
        let chunk = &data[pos..data.len().min(pos + len)];
        pos += chunk.len();
        run.input += chunk.len();
        run.max_chunk = run.max_chunk.max(chunk.len());

        let decision = mix.next(chunk[chunk.len() - 1]);
        // Drop the iterator after `stop` events (only with bit 4, about half the chunks).
        let stop = (drop_early && decision & 1 == 0).then_some((decision >> 1) as usize % 4);
        {
            let mut events = neg.receive(chunk);
            let mut seen = 0;
            loop {
                if stop == Some(seen) {
                    break;
                }
                let Some(event) = events.next() else { break };
                run.check_event(&event);
                seen += 1;
            }
        }
        // After an early drop, the rest is drained here, or (sometimes) left for the next
        // `receive`, which must hand it out first.
        if stop.is_some() && decision & 0x20 == 0 {
            while let Some(event) = neg.poll_event() {
                run.check_event(&event);
            }
        }
        run.transmit(&mut neg);
        run.check_state(&neg);

        if api && decision & 0x40 == 0 {
            let bound = api_call(&mut neg, mix.next(chunk[0]), chunk);
            let queued = neg.take_transmit().len();
            assert!(queued <= bound, "API call queued {queued} bytes (bound {bound})");
        }
    }

    while let Some(event) = neg.poll_event() {
        run.check_event(&event);
    }
    run.transmit(&mut neg);
    run.final_queries(&neg);
});
