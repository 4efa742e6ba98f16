//! Differential tests against telnetlib3 5.0.1's `mud.py`: random payloads decoded by its
//! decoders (in the Python of the telnet peers' venv) and by this crate must give the same
//! result, and random values encoded by both must give the same bytes. Skipped without the
//! venv, unless `TELNETLIB3_INTEROP=1` makes that a failure.
//!
//! telnetlib3's MSDP parser loops forever on some malformed tables and arrays (see
//! `telnetlib3::protocol::mud::msdp`); the peer gives up on those after a few milliseconds and
//! they are not compared.

mod support;

use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::{json, Value};
use telnetlib3::encoding::Codec;
use telnetlib3::protocol::mud::{
    aardwolf, atcp, gmcp, msdp, mssp, zmp, MsdpTable, MsdpValue, MsspTable, MsspValue,
};

/// Answers one line per request line `kind encoding hex`, with `OK <json>`, `ERR`, `HANG` or
/// `SKIP` (a result this comparison cannot express: integers past 64 bits, infinities).
/// Decoding kinds: G, M, S, Z, A, W; encoding kinds (the hex is a JSON argument list): g, m, s,
/// z, whose answer is `OK "<hex>"`.
const PEER: &str = r#"
import json, math, signal, sys
from telnetlib3 import mud

class Hang(Exception):
    pass

def on_alarm(*_):
    raise Hang()

signal.signal(signal.SIGALRM, on_alarm)

def plain(v):
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return True
    if isinstance(v, int):
        return -2**63 <= v < 2**64
    if isinstance(v, float):
        return math.isfinite(v)
    if isinstance(v, list):
        return all(plain(x) for x in v)
    if isinstance(v, dict):
        return all(plain(x) for x in v.values())
    return False

for line in sys.stdin:
    kind, enc, data = line.rstrip("\n").split(" ")
    buf = bytes.fromhex(data)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        try:
            if kind == "G":
                out = list(mud.gmcp_decode(buf, enc))
            elif kind == "M":
                out = mud.msdp_decode(buf, enc)
            elif kind == "S":
                out = mud.mssp_decode(buf, enc)
            elif kind == "Z":
                out = mud.zmp_decode(buf, enc)
            elif kind == "A":
                out = list(mud.atcp_decode(buf, enc))
            elif kind == "W":
                d = mud.aardwolf_decode(buf)
                out = [d["channel"], d["channel_byte"], d.get("data_bytes", b"").hex()]
            else:
                args = json.loads(buf)
                fn = {"g": mud.gmcp_encode, "m": mud.msdp_encode, "s": mud.mssp_encode,
                      "z": mud.zmp_encode}[kind]
                out = fn(*args).hex()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if plain(out):
            print("OK", json.dumps(out, separators=(",", ":")))
        else:
            print("SKIP")
    except Hang:
        print("HANG")
    except (ValueError, RecursionError):
        print("ERR")
    sys.stdout.flush()
"#;

/// xorshift64*, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn json_text(v: &Value) -> String {
    let mut out = Vec::new();
    gmcp::write_json(v, &mut out);
    String::from_utf8(out).unwrap()
}

fn msdp_json(v: &MsdpValue) -> Value {
    match v {
        MsdpValue::Text(s) => json!(s),
        MsdpValue::Table(t) => msdp_table_json(t),
        MsdpValue::Array(a) => Value::Array(a.iter().map(msdp_json).collect()),
    }
}

fn msdp_table_json(t: &MsdpTable) -> Value {
    Value::Object(t.iter().map(|(k, v)| (k.clone(), msdp_json(v))).collect())
}

fn mssp_json(t: &MsspTable) -> Value {
    Value::Object(
        t.iter()
            .map(|(k, v)| {
                let v = match v {
                    MsspValue::One(s) => json!(s),
                    MsspValue::Many(l) => json!(l),
                };
                (k.clone(), v)
            })
            .collect(),
    )
}

/// What this crate answers to one request, in the peer's format.
fn ours(kind: char, codec: Codec, buf: &[u8]) -> String {
    let ok = |v: Value| format!("OK {}", json_text(&v));
    match kind {
        'G' => match gmcp::decode(buf, codec) {
            Ok((p, d)) => ok(json!([p, d.unwrap_or(Value::Null)])),
            Err(_) => "ERR".into(),
        },
        'M' => match msdp::decode(buf, codec) {
            Ok(t) => ok(msdp_table_json(&t)),
            Err(_) => "ERR".into(),
        },
        'S' => ok(mssp_json(&mssp::decode(buf, codec))),
        'Z' => ok(json!(zmp::decode(buf, codec))),
        'A' => ok(json!(atcp::decode(buf, codec))),
        'W' => {
            let m = aardwolf::decode(buf);
            ok(json!([m.channel, m.channel_byte, hex(&m.data)]))
        }
        _ => unreachable!(),
    }
}

/// Random payload bytes, biased towards each codec's delimiters and JSON.
fn payload(rng: &mut Rng, kind: char) -> Vec<u8> {
    const JSON: &[&[u8]] = &[
        b"{",
        b"}",
        b"[",
        b"]",
        b"\"",
        b":",
        b",",
        b"1",
        b"-2.5",
        b"1e3",
        b"true",
        b"null",
        b"\"k\"",
        b"\\u00e9",
        b" ",
        b"\t",
        b"\xc3\xa9",
        b"\xe9",
        b"x",
    ];
    const MARKS: &[&[u8]] = &[
        b"\x01",
        b"\x02",
        b"\x03",
        b"\x04",
        b"\x05",
        b"\x06",
        b"\0",
        b" ",
        b"ab",
        b"\xe9",
        b"\xc3\xa9",
        b"\xff",
        b"\x1c",
    ];
    let mut out = Vec::new();
    if kind == 'G' {
        out.extend_from_slice(
            [b"Core.Hello" as &[u8], b"Char.Vitals", b"", b"\xe9x"][rng.below(4)],
        );
        if rng.below(5) != 0 {
            out.push(b' ');
        }
        if rng.below(2) == 0 {
            out.extend_from_slice(json_text(&random_json(rng, 3)).as_bytes());
            return out;
        }
    }
    let table = if kind == 'G' { JSON } else { MARKS };
    for _ in 0..rng.below(24) {
        out.extend_from_slice(rng.pick(table));
    }
    out
}

fn random_text(rng: &mut Rng, avoid: &[char]) -> String {
    const CHARS: &[char] = &[
        'a',
        'Z',
        ' ',
        '\u{e9}',
        '\u{1f600}',
        '\u{7f}',
        '"',
        '\\',
        '\n',
        '\u{2028}',
        '\u{1}',
    ];
    (0..rng.below(6))
        .map(|_| rng.pick(CHARS))
        .filter(|c| !avoid.contains(c))
        .collect()
}

fn random_json(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth == 0 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => json!(rng.below(2) == 0),
        2 => json!((rng.next() as i64) >> rng.below(64)),
        3 => {
            let f = f64::from_bits(rng.next());
            if f.is_finite() {
                json!(f)
            } else {
                json!(rng.below(1000) as f64 / 8.0)
            }
        }
        4 => json!(random_text(rng, &[])),
        5 => Value::Array(
            (0..rng.below(4))
                .map(|_| random_json(rng, depth - 1))
                .collect(),
        ),
        _ => Value::Object(
            (0..rng.below(4))
                .map(|_| (random_text(rng, &[]), random_json(rng, depth - 1)))
                .collect(),
        ),
    }
}

fn random_msdp(rng: &mut Rng, depth: usize) -> MsdpValue {
    let avoid = ['\u{1}'];
    match rng.below(if depth == 0 { 1 } else { 3 }) {
        0 => MsdpValue::Text(random_text(rng, &avoid)),
        1 => MsdpValue::Array(
            (0..rng.below(4))
                .map(|_| random_msdp(rng, depth - 1))
                .collect(),
        ),
        _ => MsdpValue::Table(
            (0..rng.below(4))
                .map(|_| (random_text(rng, &avoid), random_msdp(rng, depth - 1)))
                .collect(),
        ),
    }
}

/// The encoding requests and what this crate encodes for each.
fn encodings(rng: &mut Rng) -> Vec<(char, String, Vec<u8>)> {
    let mut cases = Vec::new();
    for _ in 0..300 {
        let package = random_text(rng, &[' ']);
        let data = random_json(rng, 3);
        let mut wire = Vec::new();
        // telnetlib3 writes the package alone for `None`, which is what JSON null becomes.
        gmcp::encode(&package, Some(&data).filter(|d| !d.is_null()), &mut wire);
        cases.push(('g', json_text(&json!([package, data])), wire));

        let vars: MsdpTable = (0..rng.below(4))
            .map(|_| (random_text(rng, &[]), random_msdp(rng, 3)))
            .collect();
        let mut wire = Vec::new();
        msdp::encode(&vars, &mut wire);
        cases.push(('m', json_text(&json!([msdp_table_json(&vars)])), wire));

        let vars: MsspTable = (0..rng.below(4))
            .map(|_| {
                let v = if rng.below(2) == 0 {
                    MsspValue::One(random_text(rng, &[]))
                } else {
                    MsspValue::Many((0..rng.below(4)).map(|_| random_text(rng, &[])).collect())
                };
                (random_text(rng, &[]), v)
            })
            .collect();
        let mut wire = Vec::new();
        mssp::encode(&vars, &mut wire);
        cases.push(('s', json_text(&json!([mssp_json(&vars)])), wire));

        let parts: Vec<String> = (0..=rng.below(4)).map(|_| random_text(rng, &[])).collect();
        let mut wire = Vec::new();
        zmp::encode(&parts[0], &parts[1..], &mut wire);
        cases.push(('z', json_text(&json!(parts)), wire));
    }
    cases
}

fn run_peer(input: String) -> Option<Vec<String>> {
    let python = support::require("venv/bin/python")?;
    let mut child = Command::new(python)
        .args(["-c", PEER])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start python");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("python runs");
    writer.join().unwrap().unwrap();
    assert!(
        output.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect(),
    )
}

#[test]
fn decoders_agree_with_telnetlib3() {
    let mut rng = Rng(0x6d75_645f_6465_636f);
    let mut cases = Vec::new();
    for (name, codec) in [
        ("utf-8", Codec::utf8()),
        ("latin-1", Codec::latin1()),
        ("cp437", Codec::lookup("cp437").unwrap()),
    ] {
        for kind in ['G', 'M', 'S', 'Z', 'A', 'W'] {
            for _ in 0..400 {
                cases.push((kind, name, codec, payload(&mut rng, kind)));
            }
        }
    }
    let input: String = cases
        .iter()
        .map(|(kind, name, _, buf)| format!("{kind} {name} {}\n", hex(buf)))
        .collect();
    let Some(answers) = run_peer(input) else {
        return;
    };
    assert_eq!(answers.len(), cases.len());
    let mut compared = 0;
    for ((kind, name, codec, buf), theirs) in cases.iter().zip(&answers) {
        if theirs == "HANG" || theirs == "SKIP" {
            continue;
        }
        compared += 1;
        assert_eq!(
            &ours(*kind, *codec, buf),
            theirs,
            "{kind} {name} payload {buf:?}"
        );
    }
    assert!(compared > cases.len() * 3 / 4, "only {compared} compared");
}

#[test]
fn encoders_agree_with_telnetlib3() {
    let mut rng = Rng(0x6d75_645f_656e_636f);
    let cases = encodings(&mut rng);
    let input: String = cases
        .iter()
        .map(|(kind, args, _)| format!("{kind} utf-8 {}\n", hex(args.as_bytes())))
        .collect();
    let Some(answers) = run_peer(input) else {
        return;
    };
    assert_eq!(answers.len(), cases.len());
    for ((kind, args, wire), theirs) in cases.iter().zip(&answers) {
        assert_eq!(&format!("OK \"{}\"", hex(wire)), theirs, "{kind} {args}");
    }
}
