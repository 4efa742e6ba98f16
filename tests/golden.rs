//! Golden transcripts, in the style of libtelnet's `test/*.input` and `util/telnet-test.c`.
//!
//! Every `tests/data/NAME.input` is replayed against a fresh [`Negotiator`] and the log it
//! produces is compared with `tests/data/NAME.expect`. Set `GOLDEN_BLESS=1` to write the
//! `.expect` files from the current behaviour instead (then read the diff before committing).
//!
//! # `.input` format
//!
//! ```text
//! # comment lines and blank lines are ignored
//! role: server            # first setting; `server` or `client`
//! line_mode: true         # server only
//! encoding: none          # `none`, or a name such as `utf8`
//! term: xterm             # client only
//! cols: 100               # client only
//! rows: 40                # client only
//! > fffb18                # one chunk the peer sends: raw hex ...
//! > WILL TTYPE | DO SGA   # ... or any `telopt::parse_wire` description
//! ```
//!
//! # `.expect` format
//!
//! `<<` is what we send, `>>` what the peer sent (both as `telopt::describe_bytes`), `event` one
//! event each, in `Debug` form except data, shown as a byte string. `<< (nothing)` marks an
//! input we did not answer. A summary of what we learnt ends the file.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use telnetlib3::protocol::{ClientPolicy, Event, Negotiator, ServerPolicy, Side};
use telnetlib3::telopt::{self, Opt};

/// A parsed `.input` file.
struct Transcript {
    negotiator: Negotiator,
    chunks: Vec<(usize, Vec<u8>)>,
}

fn parse_bool(value: &str, line: usize) -> Result<bool, String> {
    match value {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err(format!("line {line}: not a boolean: {value}")),
    }
}

fn parse_u16(value: &str, line: usize) -> Result<u16, String> {
    value
        .parse()
        .map_err(|_| format!("line {line}: not a number: {value}"))
}

fn parse_input(text: &str) -> Result<Transcript, String> {
    let mut role: Option<&str> = None;
    let mut settings: Vec<(usize, &str, &str)> = Vec::new();
    let mut chunks = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(wire) = line.strip_prefix('>') {
            let bytes =
                telopt::parse_wire(wire.trim()).map_err(|e| format!("line {line_no}: {e}"))?;
            if bytes.is_empty() {
                return Err(format!("line {line_no}: empty chunk"));
            }
            chunks.push((line_no, bytes));
            continue;
        }
        if !chunks.is_empty() {
            return Err(format!("line {line_no}: setting after the first chunk"));
        }
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| format!("line {line_no}: expected `key: value` or `> chunk`"))?;
        let (key, value) = (key.trim(), value.trim());
        if key == "role" {
            if role.is_some() || !settings.is_empty() {
                return Err(format!("line {line_no}: `role` must come first, once"));
            }
            role = Some(value);
        } else {
            settings.push((line_no, key, value));
        }
    }
    let negotiator = match role {
        Some("server") => {
            let mut policy = ServerPolicy::default();
            for (n, key, value) in settings {
                policy = match key {
                    "line_mode" => policy.line_mode(parse_bool(value, n)?),
                    "encoding" => policy.encoding((value != "none").then_some(value)),
                    _ => return Err(format!("line {n}: unknown server setting {key}")),
                };
            }
            Negotiator::server(policy)
        }
        Some("client") => {
            let mut policy = ClientPolicy::default();
            for (n, key, value) in settings {
                policy = match key {
                    "term" => policy.term(value),
                    "cols" => policy.cols(parse_u16(value, n)?),
                    "rows" => policy.rows(parse_u16(value, n)?),
                    "encoding" => policy.encoding((value != "none").then_some(value)),
                    _ => return Err(format!("line {n}: unknown client setting {key}")),
                };
            }
            Negotiator::client(policy)
        }
        Some(other) => return Err(format!("unknown role {other}")),
        None => return Err("missing `role: server` or `role: client`".to_owned()),
    };
    if chunks.is_empty() {
        return Err("no `> chunk` lines".to_owned());
    }
    Ok(Transcript { negotiator, chunks })
}

fn describe_event(event: &Event<'_>) -> String {
    match event {
        Event::Data(data) => format!("Data(b\"{}\")", data.escape_ascii()),
        other => format!("{other:?}"),
    }
}

fn sent(log: &mut String, bytes: &[u8]) {
    if bytes.is_empty() {
        log.push_str("<< (nothing)\n");
    } else {
        writeln!(log, "<< {}", telopt::describe_bytes(bytes)).unwrap();
    }
}

fn options_where(neg: &Negotiator, side: Side) -> String {
    let names: Vec<String> = (0..=255u8)
        .filter(|&o| neg.enabled(side, o))
        .map(|o| Opt(o).to_string())
        .collect();
    if names.is_empty() {
        "-".to_owned()
    } else {
        names.join(" ")
    }
}

/// Replays one `.input` file and returns its log.
fn run(text: &str) -> Result<String, String> {
    let Transcript {
        mut negotiator,
        chunks,
    } = parse_input(text)?;
    let mut log = String::new();
    log.push_str("# connect\n");
    sent(&mut log, &negotiator.take_transmit());
    for (line_no, chunk) in chunks {
        writeln!(log, "\n# input line {line_no}").unwrap();
        writeln!(log, ">> {}", telopt::describe_bytes(&chunk)).unwrap();
        let events = negotiator.receive_all(&chunk);
        sent(&mut log, &negotiator.take_transmit());
        for event in &events {
            writeln!(log, "event {}", describe_event(event)).unwrap();
        }
        while let Some(event) = negotiator.poll_event() {
            writeln!(log, "event (left over) {}", describe_event(&event)).unwrap();
        }
    }
    let info = negotiator.info();
    let pending: Vec<String> = (0..=255u8)
        .filter(|&o| negotiator.pending(o))
        .map(|o| Opt(o).to_string())
        .collect();
    log.push_str("\n# summary\n");
    writeln!(log, "role: {:?}", negotiator.role()).unwrap();
    writeln!(log, "term: {:?}", info.term).unwrap();
    writeln!(log, "ttypes: {:?}", info.ttypes).unwrap();
    writeln!(log, "window: {:?}", info.window).unwrap();
    writeln!(log, "tspeed: {:?}", info.tspeed).unwrap();
    writeln!(log, "xdisploc: {:?}", info.xdisploc).unwrap();
    writeln!(log, "environ: {:?}", info.environ).unwrap();
    writeln!(log, "charset: {:?}", info.charset).unwrap();
    writeln!(log, "encoding: {:?}", info.encoding()).unwrap();
    writeln!(log, "mode: {}", negotiator.mode().as_str()).unwrap();
    writeln!(log, "linemode: {:#04x}", negotiator.linemode()).unwrap();
    writeln!(log, "local: {}", options_where(&negotiator, Side::Local)).unwrap();
    writeln!(log, "remote: {}", options_where(&negotiator, Side::Remote)).unwrap();
    let pending = if pending.is_empty() {
        "-".to_owned()
    } else {
        pending.join(" ")
    };
    writeln!(log, "pending: {pending}").unwrap();
    writeln!(log, "settled: {}", negotiator.is_settled()).unwrap();
    Ok(log)
}

/// The first differing line, with a few lines of context either side.
fn diff(expected: &str, actual: &str) -> String {
    const CONTEXT: usize = 3;
    let exp: Vec<&str> = expected.lines().collect();
    let act: Vec<&str> = actual.lines().collect();
    let first = exp
        .iter()
        .zip(&act)
        .position(|(a, b)| a != b)
        .unwrap_or(exp.len().min(act.len()));
    let start = first.saturating_sub(CONTEXT);
    let mut out = format!("first difference at line {}:\n", first + 1);
    for (i, line) in exp.iter().enumerate().take(first).skip(start) {
        writeln!(out, "   {:4} | {line}", i + 1).unwrap();
    }
    for (i, line) in exp.iter().enumerate().skip(first).take(CONTEXT + 1) {
        writeln!(out, "-  {:4} | {line}", i + 1).unwrap();
    }
    for (i, line) in act.iter().enumerate().skip(first).take(CONTEXT + 1) {
        writeln!(out, "+  {:4} | {line}", i + 1).unwrap();
    }
    if exp.len() != act.len() {
        writeln!(out, "(expected {} lines, got {})", exp.len(), act.len()).unwrap();
    }
    out
}

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut inputs: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "input"))
        .collect();
    inputs.sort();
    inputs
}

#[test]
fn golden_transcripts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let bless = std::env::var_os("GOLDEN_BLESS").is_some_and(|v| v == "1");
    let inputs = inputs(&dir);
    assert!(!inputs.is_empty(), "no .input files in {}", dir.display());
    let mut failures = Vec::new();
    for input in &inputs {
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(input).unwrap_or_else(|e| panic!("{name}: {e}"));
        let actual = match run(&text) {
            Ok(log) => log,
            Err(e) => {
                failures.push(format!("{name}: bad input: {e}"));
                continue;
            }
        };
        let expect_path = input.with_extension("expect");
        let expect_name = expect_path.file_name().unwrap().to_string_lossy();
        if bless {
            fs::write(&expect_path, &actual).unwrap_or_else(|e| panic!("{expect_name}: {e}"));
            continue;
        }
        match fs::read_to_string(&expect_path) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => failures.push(format!(
                "{expect_name} differs from the replay of {name} (GOLDEN_BLESS=1 rewrites it)\n{}",
                diff(&expected, &actual)
            )),
            Err(e) => failures.push(format!(
                "{expect_name}: {e} (run with GOLDEN_BLESS=1 to create it)"
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} golden transcripts failed:\n\n{}",
        failures.len(),
        inputs.len(),
        failures.join("\n")
    );
}
