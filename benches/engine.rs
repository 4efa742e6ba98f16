//! The server binary under load, each figure beside a reference measured in the same run:
//!
//! 1. connect latency: sequential cycles of connect → full negotiation → first `tel:sh>` →
//!    close, with our client and with telnetlib3 5.0.1's, against our `telnetlib3-server` and
//!    against telnetlib3-server 5.0.1 (both servers up at once, the clients taking turns);
//! 2. echo throughput through `telnetlib3-server --shell echo --encoding false`, printable
//!    text and random bytes (BINARY agreed both ways, 0xFF doubled on the wire), against a
//!    plain thread-per-connection TCP echo server in this process, runs interleaved;
//! 3. a line far longer than `max_line` sent to telsh, and to telnetlib3 5.0.1's shell: whether
//!    the server keeps reading it (send rate beside the plain echo server's, STALL when writing
//!    makes no progress for 5 s), the time from its `\r\n` to the next prompt, and the server's
//!    memory growth.
//!
//! `cargo bench --bench engine`. Sizes from the environment: `ENGINE_BENCH_CYCLES` (200),
//! `ENGINE_BENCH_ECHO_MIB` (100), `ENGINE_BENCH_RUNS` (5), `ENGINE_BENCH_LINE_MIB` (10).
//! telnetlib3 5.0.1 comes from `$TELNETLIB3_PEERS/venv` (`scripts/install-peers.sh`), driven by
//! `scripts/bench-engine-client.py`; without it the Python rows are skipped. Under `cargo test`
//! it runs small sizes once, as a smoke test. Loopback only, every server on port 0, every wait
//! bounded; the servers it starts are killed when it ends, panics included.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use telnetlib3::protocol::{ClientPolicy, Event, Negotiator, Side};
use telnetlib3::telopt::{BINARY, DO, DONT, IAC, SB, SE, WILL, WONT};
use telnetlib3::{ConnectOptions, TelnetConnection};

/// Our server binary (cargo builds it beside the bench: `target/release` under `cargo bench`).
const SERVER: &str = env!("CARGO_BIN_EXE_telnetlib3-server");

/// The Python driver: telnetlib3's client in a loop, and its server on port 0.
const DRIVER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/scripts/bench-engine-client.py"
);

const PROMPT: &[u8] = b"tel:sh>";

/// The bound on one socket operation, one negotiation and one server start.
const STEP: Duration = Duration::from_secs(5);

/// The server's line limit, which section 3's line exceeds many times over.
const MAX_LINE: usize = 1 << 20;

const MIB: usize = 1 << 20;

/// Sizes and bounds of one run.
struct Config {
    cycles: usize,
    echo_bytes: usize,
    runs: usize,
    line_bytes: usize,
    /// Bound on one echo transfer.
    transfer_bound: Duration,
    /// Bound on sending the long line, and on going without progress while sending it.
    send_bound: Duration,
    stall_after: Duration,
    /// Bound on the wait for the prompt after the long line's terminator.
    prompt_bound: Duration,
}

impl Config {
    fn from_env(full: bool) -> Self {
        fn env<T: std::str::FromStr>(name: &str) -> Option<T> {
            std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
        }
        let mib = |name: &str, default: f64| {
            let value: f64 = env(name).unwrap_or(default);
            ((value * MIB as f64) as usize).max(1)
        };
        if full {
            Self {
                cycles: env("ENGINE_BENCH_CYCLES").unwrap_or(200).max(1),
                echo_bytes: mib("ENGINE_BENCH_ECHO_MIB", 100.0),
                runs: env("ENGINE_BENCH_RUNS").unwrap_or(5).max(1),
                line_bytes: mib("ENGINE_BENCH_LINE_MIB", 10.0),
                transfer_bound: Duration::from_secs(120),
                send_bound: Duration::from_secs(30),
                stall_after: Duration::from_secs(5),
                prompt_bound: Duration::from_secs(10),
            }
        } else {
            Self {
                cycles: 4,
                echo_bytes: MIB,
                runs: 1,
                line_bytes: 2 * MIB,
                transfer_bound: Duration::from_secs(60),
                send_bound: Duration::from_secs(10),
                stall_after: Duration::from_secs(2),
                prompt_bound: Duration::from_secs(2),
            }
        }
    }
}

/// One of the three measurements: prints its table, or says why it could not.
type Section = fn(&Config, Option<&Path>) -> Result<(), String>;

fn main() {
    let full = std::env::args().skip(1).any(|a| a == "--bench");
    let config = Config::from_env(full);
    let python = python();
    println!(
        "engine bench{}: server {SERVER}",
        if full { "" } else { " (smoke test sizes)" }
    );
    match &python {
        Some(py) => println!("telnetlib3 5.0.1: {}", py.display()),
        None => println!(
            "telnetlib3 5.0.1: not installed, Python rows skipped (run scripts/install-peers.sh)"
        ),
    }
    let sections: [(&str, Section); 3] = [
        ("connect latency", connect_latency),
        ("echo throughput", echo_throughput),
        ("long line", long_line),
    ];
    let mut failed = false;
    for (name, section) in sections {
        println!();
        if let Err(err) = section(&config, python.as_deref()) {
            println!("{name}: FAILED: {err}");
            failed = true;
        }
    }
    if failed {
        std::process::exit(1);
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Connect latency

fn connect_latency(config: &Config, python: Option<&Path>) -> Result<(), String> {
    let ours = ServerProcess::ours(&[])?;
    let theirs = python.map(ServerProcess::telnetlib3).transpose()?;
    let rounds = if config.cycles >= 40 { 4 } else { 1 };
    let per_round = config.cycles.div_ceil(rounds);
    let (mut rust_ours, mut py_ours, mut py_theirs, mut rust_theirs) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // Rounds alternate the four pairs, so each sees the same machine.
    for _ in 0..rounds {
        rust_ours.extend(rust_cycles(ours.addr, per_round)?);
        if let (Some(py), Some(theirs)) = (python, &theirs) {
            py_ours.extend(python_cycles(py, ours.addr, per_round)?);
            py_theirs.extend(python_cycles(py, theirs.addr, per_round)?);
            rust_theirs.extend(rust_cycles(theirs.addr, per_round)?);
        }
    }
    println!(
        "1. connect → negotiation → first tel:sh> → close: {} sequential cycles per row, {} (ms)",
        rust_ours.len(),
        if rounds == 1 {
            "in one round".to_owned()
        } else {
            format!("in {rounds} interleaved rounds")
        }
    );
    println!(
        "| {:<17} | {:<18} | {:>7} | {:>7} | {:>13} | {:<24} |",
        "client", "server", "median", "p90", "min–max", "ratio"
    );
    println!(
        "|{:-<19}|{:-<20}|{:->9}|{:->9}|{:->15}|{:-<26}|",
        "", "", "", "", "", ""
    );
    let py_ratio = ratio_of_medians(&py_ours, &py_theirs);
    let rust_ratio = ratio_of_medians(&rust_ours, &rust_theirs);
    let rows: [(&str, &str, &[f64], String); 4] = [
        (
            "Python 5.0.1",
            "telnetlib3 5.0.1",
            &py_theirs,
            "1 (reference)".to_owned(),
        ),
        (
            "Python 5.0.1",
            "ours",
            &py_ours,
            py_ratio.map_or("-".to_owned(), |r| format!("{r:.2} ours/telnetlib3")),
        ),
        ("ours", "telnetlib3 5.0.1", &rust_theirs, "-".to_owned()),
        (
            "ours",
            "ours",
            &rust_ours,
            rust_ratio.map_or("-".to_owned(), |r| format!("{r:.2} ours/telnetlib3")),
        ),
    ];
    for (client, server, times, ratio) in rows {
        match Stats::of(times) {
            Some(s) => println!(
                "| {client:<17} | {server:<18} | {:>7.2} | {:>7.2} | {:>13} | {ratio:<24} |",
                s.median,
                s.p90,
                format!("{:.2}–{:.2}", s.min, s.max)
            ),
            None => println!(
                "| {client:<17} | {server:<18} | {:>7} | {:>7} | {:>13} | {:<24} |",
                "-", "-", "skipped", "telnetlib3 not installed"
            ),
        }
    }
    println!("ratio: median against the same client's median with telnetlib3-server 5.0.1");
    Ok(())
}

/// `cycles` connections with our client: connect (which waits for negotiation to settle),
/// read to the first prompt, close. Milliseconds each.
fn rust_cycles(addr: SocketAddr, cycles: usize) -> Result<Vec<f64>, String> {
    let options = ConnectOptions::default()
        .connect_timeout(Some(STEP))
        .timeout(Some(STEP));
    let mut times = Vec::with_capacity(cycles);
    for cycle in 0..cycles {
        let start = Instant::now();
        let conn = TelnetConnection::connect_with("127.0.0.1", addr.port(), options.clone())
            .map_err(|e| format!("cycle {cycle}: connect: {e}"))?;
        conn.read_until("tel:sh>", Some(STEP))
            .map_err(|e| format!("cycle {cycle}: waiting for tel:sh>: {e}"))?;
        conn.close();
        drop(conn);
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    Ok(times)
}

/// `cycles` connections with telnetlib3 5.0.1's client (timed by the driver itself, so the
/// interpreter's start is not counted). Milliseconds each.
fn python_cycles(python: &Path, addr: SocketAddr, cycles: usize) -> Result<Vec<f64>, String> {
    let mut child = Command::new(python)
        .arg(DRIVER)
        .args(["connect", &addr.port().to_string(), &cycles.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    let lines = Lines::spawn(&mut child);
    let mut guard = Guard(child);
    let deadline = Instant::now() + STEP * 2 + Duration::from_secs(1) * cycles as u32;
    let mut times = Vec::with_capacity(cycles);
    while times.len() < cycles {
        let line = lines
            .next_before(deadline)
            .ok_or_else(|| format!("telnetlib3 client: {}", lines.tail()))?;
        match line.trim().parse::<f64>() {
            Ok(ms) => times.push(ms),
            Err(_) if line.starts_with("error") => {
                return Err(format!("telnetlib3 client: {}", lines.tail()))
            }
            Err(_) => {}
        }
    }
    guard.wait(STEP);
    Ok(times)
}

// ---------------------------------------------------------------------------------------------
// 2. Echo throughput

fn echo_throughput(config: &Config, _python: Option<&Path>) -> Result<(), String> {
    let ours = ServerProcess::ours(&["--shell", "echo", "--encoding", "false"])?;
    let plain = PlainEcho::start()?;
    let text = printable(config.echo_bytes);
    let random = random(config.echo_bytes);
    let payloads = [
        (
            "printable text",
            false,
            Arc::new(text.clone()),
            Arc::new(text),
        ),
        (
            "random bytes",
            true,
            Arc::new(escape(&random)),
            Arc::new(random),
        ),
    ];
    // (plain, ours) MB/s per payload, runs interleaved.
    let mut figures = vec![(Vec::new(), Vec::new()); payloads.len()];
    let mut modes = vec![String::new(); payloads.len()];
    for _ in 0..config.runs {
        for (i, (name, binary, wire, payload)) in payloads.iter().enumerate() {
            let stream = connect(plain.addr)?;
            let took = echo(stream, wire, payload, config.transfer_bound)
                .map_err(|e| format!("{name} through the plain echo server: {e}"))?;
            figures[i].0.push(mb_per_s(payload.len(), took));

            let (stream, neg) = negotiate(ours.addr, *binary, None)?;
            modes[i] = binary_mode(&neg);
            let took = echo(stream, wire, payload, config.transfer_bound)
                .map_err(|e| format!("{name} through telnetlib3-server --shell echo: {e}"))?;
            figures[i].1.push(mb_per_s(payload.len(), took));
        }
    }
    println!(
        "2. echo throughput: {} MiB of payload per run, {} run(s) interleaved (MB/s of payload, \
         echoed bytes checked)",
        mib(config.echo_bytes),
        config.runs
    );
    println!(
        "| {:<15} | {:<36} | {:>8} | {:>17} | {:>14} |",
        "payload", "server", "median", "min–max", "ratio to plain"
    );
    println!(
        "|{:-<17}|{:-<38}|{:->10}|{:->19}|{:->16}|",
        "", "", "", "", ""
    );
    for (i, (name, ..)) in payloads.iter().enumerate() {
        let (plain_mbs, ours_mbs) = &figures[i];
        let p = Stats::of(plain_mbs).ok_or("no runs")?;
        let o = Stats::of(ours_mbs).ok_or("no runs")?;
        println!(
            "| {name:<15} | {:<36} | {:>8.1} | {:>17} | {:>14} |",
            "plain TCP echo (reference)",
            p.median,
            format!("{:.1}–{:.1}", p.min, p.max),
            "1"
        );
        println!(
            "| {name:<15} | {:<36} | {:>8.1} | {:>17} | {:>14.3} |",
            format!("ours --shell echo, {}", modes[i]),
            o.median,
            format!("{:.1}–{:.1}", o.min, o.max),
            o.median / p.median
        );
    }
    println!(
        "ratio: median MB/s against the plain echo server's median; random bytes go 0xFF-doubled \
         both ways (on the plain server too), payload bytes counted"
    );
    Ok(())
}

fn binary_mode(neg: &Negotiator) -> String {
    match (
        neg.enabled(Side::Local, BINARY),
        neg.enabled(Side::Remote, BINARY),
    ) {
        (true, true) => "BINARY both ways".to_owned(),
        (false, false) => "no BINARY".to_owned(),
        (local, _) => format!(
            "BINARY {} only",
            if local { "to server" } else { "from server" }
        ),
    }
}

/// Sends `wire` on one thread while this one reads the echo, undoes IAC doubling and checks it
/// against `payload`. The time from the first write to the last payload byte back.
fn echo(
    stream: TcpStream,
    wire: &Arc<Vec<u8>>,
    payload: &[u8],
    bound: Duration,
) -> Result<Duration, String> {
    set_timeouts(&stream, Duration::from_millis(500))?;
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let deadline = start + bound;
    let writer = {
        let mut stream = stream.try_clone().map_err(|e| e.to_string())?;
        let (wire, stop) = (Arc::clone(wire), Arc::clone(&stop));
        thread::spawn(move || send(&mut stream, &wire, &stop, deadline, None))
    };
    let result = receive_echo(&stream, payload, deadline);
    let took = start.elapsed();
    stop.store(true, Ordering::SeqCst);
    let _ = stream.shutdown(Shutdown::Both);
    let (_, error) = writer.join().map_err(|_| "the writer panicked")?;
    result?;
    match error {
        Some(e) => Err(format!("send: {e}")),
        None => Ok(took),
    }
}

fn receive_echo(mut stream: &TcpStream, payload: &[u8], deadline: Instant) -> Result<(), String> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut unescape = Unescape::default();
    let mut got = 0usize;
    while got < payload.len() {
        if Instant::now() > deadline {
            return Err(format!(
                "timed out with {got} of {} bytes echoed",
                payload.len()
            ));
        }
        let n = match stream.read(&mut buf) {
            Ok(0) => return Err(format!("closed after {got} of {} bytes", payload.len())),
            Ok(n) => n,
            Err(e) if would_block(&e) => continue,
            Err(e) => return Err(format!("read: {e}")),
        };
        unescape.feed(&buf[..n], |data| {
            let expected = payload.get(got..got + data.len()).ok_or_else(|| {
                format!("{} bytes echoed, {} sent", got + data.len(), payload.len())
            })?;
            if expected != data {
                let at = got
                    + expected
                        .iter()
                        .zip(data)
                        .take_while(|(a, b)| a == b)
                        .count();
                return Err(format!("the echo differs from what was sent at byte {at}"));
            }
            got += data.len();
            Ok(())
        })?;
    }
    if unescape.commands > 0 {
        eprintln!(
            "engine: {} telnet commands among the echoed data",
            unescape.commands
        );
    }
    Ok(())
}

/// Undoes IAC doubling; skips (and counts) any other telnet command.
#[derive(Default)]
struct Unescape {
    state: UnescapeState,
    commands: usize,
}

#[derive(Default, Clone, Copy)]
enum UnescapeState {
    #[default]
    Data,
    Iac,
    Option,
    Sub,
    SubIac,
}

impl Unescape {
    fn feed(
        &mut self,
        mut input: &[u8],
        mut data: impl FnMut(&[u8]) -> Result<(), String>,
    ) -> Result<(), String> {
        use UnescapeState::*;
        while !input.is_empty() {
            match self.state {
                Data => {
                    let end = memchr::memchr(IAC, input).unwrap_or(input.len());
                    if end > 0 {
                        data(&input[..end])?;
                    }
                    if end < input.len() {
                        self.state = Iac;
                        input = &input[end + 1..];
                    } else {
                        input = &[];
                    }
                    continue;
                }
                Iac => {
                    self.state = match input[0] {
                        IAC => {
                            data(&[IAC])?;
                            Data
                        }
                        WILL | WONT | DO | DONT => Option,
                        SB => Sub,
                        _ => {
                            self.commands += 1;
                            Data
                        }
                    };
                }
                Option => {
                    self.commands += 1;
                    self.state = Data;
                }
                Sub => {
                    if input[0] == IAC {
                        self.state = SubIac;
                    }
                }
                SubIac => {
                    self.state = if input[0] == SE {
                        self.commands += 1;
                        Data
                    } else {
                        Sub
                    };
                }
            }
            input = &input[1..];
        }
        Ok(())
    }
}

fn escape(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 128);
    for chunk in data.split_inclusive(|&b| b == IAC) {
        out.extend_from_slice(chunk);
        if chunk.last() == Some(&IAC) {
            out.push(IAC);
        }
    }
    out
}

fn xorshift(state: &mut u64) -> u64 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    x
}

/// Lines of 40 to 99 printable ASCII characters, each ended by CR LF.
fn printable(size: usize) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15;
    let mut out = Vec::with_capacity(size + 128);
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

// ---------------------------------------------------------------------------------------------
// 3. Long line

/// What happened to one long line.
struct LineOutcome {
    /// Bytes of the line written, and how long that took.
    sent: usize,
    send_time: Duration,
    stalled: bool,
    /// Why sending ended early other than a stall (the server closed the connection, say).
    error: Option<String>,
    /// From the terminator's write to the next prompt, if one came.
    prompt_after: Option<Duration>,
    /// Prompts that came while the line was still being sent.
    prompts_during: usize,
    /// When the first of those came, from the start of the send.
    first_during: Option<Duration>,
    /// The last line the server wrote before that prompt.
    reply: String,
    /// Bytes the server sent back meanwhile (telsh echoes what it reads).
    echoed: usize,
}

/// One telnet server's handling of the long line, with its memory around it.
struct LineRun {
    outcome: LineOutcome,
    before: Option<Memory>,
    after: Option<Memory>,
}

fn long_line(config: &Config, python: Option<&Path>) -> Result<(), String> {
    let line: Arc<Vec<u8>> = Arc::new(
        (0..config.line_bytes)
            .map(|i| b'a' + (i % 26) as u8)
            .collect(),
    );
    let plain = {
        let plain = PlainEcho::start()?;
        send_line(connect(plain.addr)?, &line, config)?
    };
    let run = |server: ServerProcess| -> Result<LineRun, String> {
        let (stream, _) = negotiate(server.addr, false, Some(PROMPT))?;
        let before = memory(server.pid());
        let outcome = send_line(stream, &line, config)?;
        let after = memory(server.pid());
        Ok(LineRun {
            outcome,
            before,
            after,
        })
    };
    let ours = run(ServerProcess::ours(&[])?)?;
    let theirs = python
        .map(|py| run(ServerProcess::telnetlib3(py)?))
        .transpose()?;

    let size = mib(config.line_bytes);
    println!(
        "3. long line: {size} MiB without a newline, then CR LF, to the telsh shell \
         (our max_line: {} MiB)",
        MAX_LINE / MIB
    );
    let row = |measure: &str, cells: [String; 3]| {
        let [ours, theirs, plain] = cells;
        println!("| {measure:<23} | {ours:<44} | {theirs:<44} | {plain:<24} |");
    };
    let header = [
        "ours (telsh)",
        "telnetlib3 5.0.1 (tel:sh)",
        "plain TCP echo",
    ];
    row("measure", header.map(str::to_owned));
    println!("|{:-<25}|{:-<46}|{:-<46}|{:-<26}|", "", "", "", "");
    let rate = |o: &LineOutcome| mb_per_s(o.sent, o.send_time);
    let skipped = || "skipped (not installed)".to_owned();
    let cell = |run: Option<&LineRun>, f: &dyn Fn(&LineRun) -> String| run.map_or_else(skipped, f);

    let send = |o: &LineOutcome| {
        if let Some(error) = &o.error {
            format!("ENDED after {:.2} MiB: {error}", o.sent as f64 / MIB as f64)
        } else if o.stalled {
            format!(
                "STALL: {:.2} of {size} MiB sent in {:.1} s",
                o.sent as f64 / MIB as f64,
                o.send_time.as_secs_f64()
            )
        } else {
            format!(
                "{:.1} MB/s = {:.3} × plain, {:.2} s",
                rate(o),
                rate(o) / rate(&plain),
                o.send_time.as_secs_f64()
            )
        }
    };
    row(
        "send rate",
        [
            send(&ours.outcome),
            cell(theirs.as_ref(), &|r| send(&r.outcome)),
            if plain.error.is_some() || plain.stalled {
                send(&plain)
            } else {
                format!(
                    "{:.1} MB/s, {:.2} s",
                    rate(&plain),
                    plain.send_time.as_secs_f64()
                )
            },
        ],
    );
    let prompt = |o: &LineOutcome| {
        let all_sent = o.error.is_none() && !o.stalled;
        match (all_sent, o.prompt_after) {
            (false, _) => "n/a (the line was never all sent)".to_owned(),
            (true, Some(t)) => format!(
                "{:.1} ms{}",
                t.as_secs_f64() * 1e3,
                if t <= Duration::from_secs(1) {
                    ""
                } else {
                    " (target ≤ 1000 ms)"
                }
            ),
            (true, None) if o.prompts_during > 0 => match o.first_during {
                Some(t) => format!(
                    "before it: {:.1} ms into the send (at max_line)",
                    t.as_secs_f64() * 1e3
                ),
                None => "before it (during the send)".to_owned(),
            },
            (true, None) => format!("STALL: none within {} s", config.prompt_bound.as_secs()),
        }
    };
    row(
        "CR LF → next tel:sh>",
        [
            prompt(&ours.outcome),
            cell(theirs.as_ref(), &|r| prompt(&r.outcome)),
            "-".to_owned(),
        ],
    );
    let back = |o: &LineOutcome| format!("{:.2} MiB", o.echoed as f64 / MIB as f64);
    row(
        "bytes back (echo)",
        [
            back(&ours.outcome),
            cell(theirs.as_ref(), &|r| back(&r.outcome)),
            back(&plain),
        ],
    );
    let during = |o: &LineOutcome| o.prompts_during.to_string();
    row(
        "prompts during the send",
        [
            during(&ours.outcome),
            cell(theirs.as_ref(), &|r| during(&r.outcome)),
            "-".to_owned(),
        ],
    );
    let growth = |r: &LineRun, peak: bool| match (&r.before, &r.after) {
        (Some(before), Some(after)) => {
            let grown = if peak { after.hwm } else { after.rss }.saturating_sub(before.rss);
            format!(
                "{:.2} MiB = {:.2} × max_line ({:.1} → {:.1} MiB)",
                grown as f64 / MIB as f64,
                grown as f64 / MAX_LINE as f64,
                before.rss as f64 / MIB as f64,
                (before.rss + grown) as f64 / MIB as f64
            )
        }
        _ => "/proc/PID/status unreadable".to_owned(),
    };
    row(
        "server RSS growth",
        [
            growth(&ours, false),
            cell(theirs.as_ref(), &|r| growth(r, false)),
            "-".to_owned(),
        ],
    );
    row(
        "server peak RSS growth",
        [
            growth(&ours, true),
            cell(theirs.as_ref(), &|r| growth(r, true)),
            "-".to_owned(),
        ],
    );
    for (name, run) in [("ours", Some(&ours)), ("telnetlib3", theirs.as_ref())] {
        if let Some(run) = run.filter(|r| !r.outcome.reply.is_empty()) {
            println!("{name}: last line before the prompt: {}", run.outcome.reply);
        }
    }
    println!(
        "STALL: no write progress for {} s, or not all sent within {} s; RSS growth: VmRSS \
         (peak: VmHWM) after, less VmRSS before; max_line = 1 MiB",
        config.stall_after.as_secs(),
        config.send_bound.as_secs()
    );
    Ok(())
}

/// Writes `line` then CR LF on one thread while this one reads whatever comes back, watching
/// for prompts.
fn send_line(
    stream: TcpStream,
    line: &Arc<Vec<u8>>,
    config: &Config,
) -> Result<LineOutcome, String> {
    set_timeouts(&stream, Duration::from_millis(200))?;
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let (prompts_tx, prompts) = mpsc::channel();
    let reader = {
        let stream = stream.try_clone().map_err(|e| e.to_string())?;
        let stop = Arc::clone(&stop);
        let deadline = start + config.send_bound + config.prompt_bound + STEP;
        thread::spawn(move || watch_prompts(&stream, &stop, deadline, &prompts_tx))
    };
    let mut writer = stream.try_clone().map_err(|e| e.to_string())?;
    let (sent, mut error) = send(
        &mut writer,
        line,
        &stop,
        start + config.send_bound,
        Some(config.stall_after),
    );
    let send_time = start.elapsed();
    let stalled = error.is_none() && sent < line.len();
    let mut prompt_after = None;
    let mut prompts_during = 0;
    let mut first_during = None;
    let mut reply = String::new();
    let mut terminated = None;
    if sent == line.len() {
        let at = Instant::now();
        error = match send(&mut writer, b"\r\n", &stop, at + STEP, None) {
            (2, None) => None,
            (_, e) => Some(format!(
                "the CR LF was not sent: {}",
                e.unwrap_or_else(|| "no progress".to_owned())
            )),
        };
        terminated = error.is_none().then_some(at);
    }
    if let Some(at) = terminated {
        while let Some((when, before)) = recv_before(&prompts, at + config.prompt_bound) {
            if when < at {
                prompts_during += 1;
                first_during.get_or_insert(when - start);
                if reply.is_empty() {
                    reply = before;
                }
            } else {
                prompt_after = Some(when - at);
                reply = before;
                break;
            }
        }
    }
    stop.store(true, Ordering::SeqCst);
    let _ = stream.shutdown(Shutdown::Both);
    let echoed = reader.join().unwrap_or(0);
    if terminated.is_none() {
        for (_, before) in prompts.try_iter() {
            prompts_during += 1;
            if reply.is_empty() {
                reply = before;
            }
        }
    }
    Ok(LineOutcome {
        sent,
        send_time,
        stalled,
        error,
        prompt_after,
        prompts_during,
        first_during,
        reply,
        echoed,
    })
}

/// Reads until `stop` or `deadline`, sending the time of every prompt that arrives, with the
/// last line before it. The bytes read.
fn watch_prompts(
    mut stream: &TcpStream,
    stop: &AtomicBool,
    deadline: Instant,
    prompts: &Sender<(Instant, String)>,
) -> usize {
    let mut received = 0;
    let mut buf = vec![0u8; 64 * 1024];
    // The end of what came so far: enough for a prompt split over two reads, and a line.
    let mut tail: Vec<u8> = Vec::new();
    while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
        let n = match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if would_block(&e) => continue,
            Err(_) => break,
        };
        received += n;
        let at = Instant::now();
        let old = tail.len();
        tail.extend_from_slice(&buf[..n]);
        let mut from = old.saturating_sub(PROMPT.len() - 1);
        while let Some(i) = memchr::memmem::find(&tail[from..], PROMPT) {
            let end = from + i;
            let _ = prompts.send((at, last_line(&tail[..end])));
            from = end + PROMPT.len();
        }
        if tail.len() > 4096 {
            tail.drain(..tail.len() - 512);
        }
    }
    received
}

/// The last non-empty line of `text`, printable, at most 100 characters.
fn last_line(text: &[u8]) -> String {
    let line = text
        .split(|&b| b == b'\n' || b == b'\r')
        .rev()
        .find(|l| !l.iter().all(u8::is_ascii_whitespace))
        .unwrap_or_default();
    let shown: String = String::from_utf8_lossy(line)
        .chars()
        .map(|c| if c.is_control() { '.' } else { c })
        .collect();
    if shown.chars().count() > 100 {
        format!("{}…", shown.chars().take(100).collect::<String>())
    } else {
        shown
    }
}

// ---------------------------------------------------------------------------------------------
// Sockets

fn set_timeouts(stream: &TcpStream, timeout: Duration) -> Result<(), String> {
    stream
        .set_read_timeout(Some(timeout))
        .and_then(|()| stream.set_write_timeout(Some(timeout)))
        .map_err(|e| e.to_string())
}

fn would_block(err: &std::io::Error) -> bool {
    matches!(
        err.kind(),
        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
    )
}

fn connect(addr: SocketAddr) -> Result<TcpStream, String> {
    let stream =
        TcpStream::connect_timeout(&addr, STEP).map_err(|e| format!("connect {addr}: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    set_timeouts(&stream, STEP)?;
    Ok(stream)
}

/// Writes `data` in 64 KiB pieces until all is written, `stop` is set or `deadline` passes (or
/// nothing could be written for `stall_after`). The bytes written, and the error that ended
/// the writing, if one did.
fn send(
    stream: &mut TcpStream,
    data: &[u8],
    stop: &AtomicBool,
    deadline: Instant,
    stall_after: Option<Duration>,
) -> (usize, Option<String>) {
    let mut sent = 0;
    let mut progress = Instant::now();
    while sent < data.len() {
        let now = Instant::now();
        if stop.load(Ordering::SeqCst)
            || now > deadline
            || stall_after.is_some_and(|s| now - progress > s)
        {
            break;
        }
        let end = data.len().min(sent + 64 * 1024);
        match stream.write(&data[sent..end]) {
            Ok(0) => return (sent, Some("the socket took no bytes".to_owned())),
            Ok(n) => {
                sent += n;
                progress = Instant::now();
            }
            Err(e) if would_block(&e) => {}
            Err(e) => return (sent, Some(e.to_string())),
        }
    }
    (sent, None)
}

/// Connects and negotiates as our client does (a sans-IO `Negotiator` with the default client
/// policy, answering TTYPE, NAWS, NEW_ENVIRON, CHARSET, ...), asking for BINARY both ways when
/// `binary`. Returns once negotiation is complete and then, with `prompt`, that text arrived,
/// else the server was quiet for 200 ms: the socket is then the caller's, to use raw.
fn negotiate(
    addr: SocketAddr,
    binary: bool,
    prompt: Option<&[u8]>,
) -> Result<(TcpStream, Negotiator), String> {
    let mut stream = connect(addr)?;
    stream
        .set_read_timeout(Some(Duration::from_millis(20)))
        .map_err(|e| e.to_string())?;
    let mut neg = Negotiator::client(ClientPolicy::default());
    if binary {
        neg.request(Side::Local, BINARY, true);
        neg.request(Side::Remote, BINARY, true);
    }
    let mut buf = vec![0u8; 16 * 1024];
    let mut text = Vec::new();
    let deadline = Instant::now() + STEP;
    let mut last_input = Instant::now();
    loop {
        let out = neg.take_transmit();
        if !out.is_empty() {
            stream
                .write_all(&out)
                .map_err(|e| format!("negotiation: {e}"))?;
        }
        let done = neg.is_complete()
            && (!binary || (neg.enabled(Side::Local, BINARY) && neg.enabled(Side::Remote, BINARY)))
            && match prompt {
                Some(p) => memchr::memmem::find(&text, p).is_some(),
                None => last_input.elapsed() >= Duration::from_millis(200),
            };
        if done {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!(
                "negotiation with {addr} not done within {STEP:?} ({}; text {:?})",
                binary_mode(&neg),
                String::from_utf8_lossy(&text)
            ));
        }
        match stream.read(&mut buf) {
            Ok(0) => return Err(format!("{addr} closed during negotiation")),
            Ok(n) => {
                last_input = Instant::now();
                for event in neg.receive(&buf[..n]) {
                    if let Event::Data(data) = event {
                        text.extend_from_slice(&data);
                    }
                }
            }
            Err(e) if would_block(&e) => {}
            Err(e) => return Err(format!("negotiation: {e}")),
        }
    }
    set_timeouts(&stream, STEP)?;
    Ok((stream, neg))
}

/// The reference: a plain TCP echo server, one thread per connection, reading into a 64 KiB
/// buffer and writing it all back. Stops accepting when dropped.
struct PlainEcho {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    acceptor: Option<thread::JoinHandle<()>>,
}

impl PlainEcho {
    fn start() -> Result<Self, String> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let stop = Arc::clone(&stop);
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    thread::spawn(move || echo_connection(stream));
                }
            })
        };
        Ok(Self {
            addr,
            stop,
            acceptor: Some(acceptor),
        })
    }
}

fn echo_connection(mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    // Bounded: a client gone quiet for a minute is gone.
    let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(60)));
    let mut buf = vec![0u8; 64 * 1024];
    while let Ok(n @ 1..) = stream.read(&mut buf) {
        if stream.write_all(&buf[..n]).is_err() {
            break;
        }
    }
}

impl Drop for PlainEcho {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the acceptor, which then sees the flag (else it is left behind, blocked).
        let woken = TcpStream::connect_timeout(&self.addr, STEP).is_ok();
        if let Some(acceptor) = self.acceptor.take().filter(|_| woken) {
            let _ = acceptor.join();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Processes

/// Kills and reaps a child process when dropped.
struct Guard(Child);

impl Guard {
    /// Waits at most `bound` for the child to exit by itself.
    fn wait(&mut self, bound: Duration) {
        let deadline = Instant::now() + bound;
        while Instant::now() < deadline {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                return;
            }
            thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A child's stdout and stderr, line by line, drained by two threads (so the child never
/// blocks on a full pipe); the last lines are kept for error messages.
struct Lines {
    lines: Receiver<String>,
    tail: Arc<Mutex<VecDeque<String>>>,
}

impl Lines {
    fn spawn(child: &mut Child) -> Self {
        let (tx, lines) = mpsc::channel();
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        let out: Option<Box<dyn Read + Send>> = child.stdout.take().map(|s| Box::new(s) as _);
        let err: Option<Box<dyn Read + Send>> = child.stderr.take().map(|s| Box::new(s) as _);
        for pipe in [out, err].into_iter().flatten() {
            let (tx, tail) = (tx.clone(), Arc::clone(&tail));
            thread::spawn(move || {
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    if let Ok(mut tail) = tail.lock() {
                        if tail.len() == 20 {
                            tail.pop_front();
                        }
                        tail.push_back(line.clone());
                    }
                    let _ = tx.send(line);
                }
            });
        }
        Self { lines, tail }
    }

    fn next_before(&self, deadline: Instant) -> Option<String> {
        recv_before(&self.lines, deadline)
    }

    /// The last lines, for an error message.
    fn tail(&self) -> String {
        let tail = self.tail.lock().map(|t| t.clone()).unwrap_or_default();
        if tail.is_empty() {
            "no output".to_owned()
        } else {
            Vec::from(tail).join(" / ")
        }
    }
}

fn recv_before<T>(rx: &Receiver<T>, deadline: Instant) -> Option<T> {
    rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
        .ok()
}

/// A server process listening on 127.0.0.1 (port 0, the port read from what it prints),
/// killed when dropped.
struct ServerProcess {
    addr: SocketAddr,
    _lines: Lines,
    _stdin: Option<ChildStdin>,
    guard: Guard,
}

impl ServerProcess {
    /// `telnetlib3-server 127.0.0.1 0 --loglevel info ARGS` (info: it logs the port).
    fn ours(args: &[&str]) -> Result<Self, String> {
        let mut cmd = Command::new(SERVER);
        cmd.args(["127.0.0.1", "0", "--loglevel", "info"])
            .args(args);
        Self::spawn(cmd, "telnetlib3-server", |line| {
            let at = line.find("listening on 127.0.0.1:")?;
            let port = &line[at + "listening on 127.0.0.1:".len()..];
            port.split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok()
        })
    }

    /// telnetlib3-server 5.0.1 with its defaults, through the driver (which prints the port,
    /// and exits when its stdin closes).
    fn telnetlib3(python: &Path) -> Result<Self, String> {
        let mut cmd = Command::new(python);
        cmd.arg(DRIVER).arg("serve");
        Self::spawn(cmd, "telnetlib3-server 5.0.1", |line| {
            line.strip_prefix("port ")?.trim().parse().ok()
        })
    }

    fn spawn(
        mut cmd: Command,
        name: &str,
        port: impl Fn(&str) -> Option<u16>,
    ) -> Result<Self, String> {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {name}: {e}"))?;
        let stdin = child.stdin.take();
        let lines = Lines::spawn(&mut child);
        let guard = Guard(child);
        let deadline = Instant::now() + STEP * 2;
        loop {
            let Some(line) = lines.next_before(deadline) else {
                return Err(format!("{name} did not say its port: {}", lines.tail()));
            };
            if let Some(port) = port(&line) {
                return Ok(Self {
                    addr: SocketAddr::from(([127, 0, 0, 1], port)),
                    _lines: lines,
                    _stdin: stdin,
                    guard,
                });
            }
        }
    }

    fn pid(&self) -> u32 {
        self.guard.0.id()
    }
}

/// Resident and peak resident memory of a process, bytes.
struct Memory {
    rss: usize,
    hwm: usize,
}

fn memory(pid: u32) -> Option<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<usize>().ok())
            .map(|kib| kib * 1024)
    };
    Some(Memory {
        rss: field("VmRSS:")?,
        hwm: field("VmHWM:")?,
    })
}

/// The venv python that has telnetlib3 5.0.1: `$TELNETLIB3_PEERS/venv`, by default under
/// `$HOME/.cache/telnet-peers`.
fn python() -> Option<PathBuf> {
    let peers = std::env::var_os("TELNETLIB3_PEERS")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").unwrap_or_else(|| "/root".into());
            PathBuf::from(home).join(".cache").join("telnet-peers")
        });
    let venv = peers.join("venv").join("bin");
    venv.join("telnetlib3-server")
        .is_file()
        .then(|| venv.join("python"))
        .filter(|p| p.exists())
}

// ---------------------------------------------------------------------------------------------
// Figures

struct Stats {
    median: f64,
    p90: f64,
    min: f64,
    max: f64,
}

impl Stats {
    fn of(values: &[f64]) -> Option<Self> {
        if values.is_empty() {
            return None;
        }
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        let p90 = v[((n * 9).div_ceil(10)).clamp(1, n) - 1];
        Some(Self {
            median,
            p90,
            min: v[0],
            max: v[n - 1],
        })
    }
}

fn ratio_of_medians(ours: &[f64], reference: &[f64]) -> Option<f64> {
    Some(Stats::of(ours)?.median / Stats::of(reference)?.median)
}

/// `bytes` in MiB, as briefly as it can be said.
fn mib(bytes: usize) -> String {
    if bytes % MIB == 0 {
        (bytes / MIB).to_string()
    } else {
        format!("{:.2}", bytes as f64 / MIB as f64)
    }
}

fn mb_per_s(bytes: usize, time: Duration) -> f64 {
    bytes as f64 / time.as_secs_f64().max(1e-9) / 1e6
}
