//! The `telnetlib` port (`legacy::Telnet`) against a real server: busybox telnetd running a
//! login-less shell on loopback. Skipped without the peers, unless `TELNETLIB3_INTEROP=1`.

mod support;

use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::{command, require, wire_tap, Child, Peer, TempDir, LOOPBACK, STEP};
use telnetlib3::legacy::{self, negotiation_callback, Telnet, TelnetSocket};
use telnetlib3::telopt::{Cmd, Opt};
use telnetlib3::Error;

fn busybox_telnetd() -> Option<Peer> {
    let busybox = require("bbs/bin/busybox")?;
    Some(Peer::spawn_listening("busybox telnetd", |port| {
        command(
            &busybox,
            [
                "telnetd",
                "-F",
                "-b",
                LOOPBACK,
                "-p",
                &port.to_string(),
                "-l",
                "/bin/sh",
            ],
        )
    }))
}

/// A shell prompt at the end of what was read: `# ` for root, `$ ` otherwise.
const PROMPT: &str = r"[#$] \z";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A Python telnetlib script, ported: wait for the prompt, run a command, `expect` its answer,
/// exit and read everything to the end.
#[test]
fn legacy_telnet_busybox_shell() {
    let Some(peer) = busybox_telnetd() else {
        return;
    };
    // The timeout is the socket's, as in Python: every read below is bounded by it.
    let mut tn = Telnet::connect(LOOPBACK, peer.port, Some(STEP)).unwrap();
    assert_eq!(tn.host(), Some(LOOPBACK));
    assert_eq!(tn.port(), peer.port);

    let (index, _, banner) = tn.expect(&[PROMPT], Some(STEP)).unwrap();
    assert_eq!(
        index,
        Some(0),
        "no prompt: {:?}\n{}",
        text(&banner),
        peer.log()
    );
    println!("banner: {:?}", text(&banner));

    // As a Python script would write it: LF alone (busybox passes it to the pty as it is).
    tn.write(b"echo hi-$((1+1))\n").unwrap();
    // The echoed command line holds `hi-$((1+1))`; only the shell's answer is `hi-2` alone.
    let (index, found, output) = tn.expect(&[r"(?m)^hi-(\d+)\r?$"], Some(STEP)).unwrap();
    println!("output: {:?}", text(&output));
    assert_eq!(index, Some(0), "no answer in {:?}", text(&output));
    let found = found.unwrap();
    assert_eq!(found.group(1), Some(&b"2"[..]));
    assert!(
        text(&output).contains("echo hi-$((1+1))"),
        "the pty echoes the command: {:?}",
        text(&output)
    );
    let after = tn.read_until(b"# ", Some(STEP)).unwrap();
    println!("then: {:?}", text(&after));

    tn.write(b"exit\n").unwrap();
    // read_all reads to the end of the connection; the socket timeout bounds each read.
    let rest = tn.read_all().unwrap();
    println!("after exit: {:?}", text(&rest));
    assert!(tn.eof());
    // At the end, read_some gives nothing (Python: b'').
    assert_eq!(tn.read_some().unwrap(), b"");
    tn.close();
    assert!(tn.get_socket().is_none());
    assert!(matches!(
        tn.read_very_eager(),
        Err(Error::Eof | Error::Closed)
    ));
}

/// Without a callback telnetlib refuses everything; with one, the callback sees each of the
/// server's requests and answers them itself. Here it records them and accepts SGA and ECHO
/// from the server (what a character-mode client does), refusing the rest; the wire shows the
/// answers.
#[test]
fn legacy_telnet_callback_sees_busybox_negotiation() {
    let Some(peer) = busybox_telnetd() else {
        return;
    };
    let Some(tap) = wire_tap(peer.port) else {
        return;
    };
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut tn = Telnet::new();
    let record = Arc::clone(&seen);
    tn.set_option_negotiation_callback(Some(negotiation_callback(move |sock, cmd, opt| {
        record.lock().unwrap().push((cmd, opt));
        let answer = match (cmd, opt) {
            (legacy::WILL, legacy::SGA | legacy::ECHO) => legacy::DO,
            (legacy::WILL | legacy::WONT, _) => legacy::DONT,
            (legacy::DO | legacy::DONT, _) => legacy::WONT,
            _ => return,
        };
        sock.sendall(&[legacy::IAC, answer, opt]).unwrap();
    })));
    tn.open(LOOPBACK, tap.port, Some(STEP)).unwrap();

    let (index, _, banner) = tn.expect(&[PROMPT], Some(STEP)).unwrap();
    assert_eq!(index, Some(0), "no prompt: {:?}", text(&banner));
    let seen: Vec<(u8, u8)> = seen.lock().unwrap().clone();
    let described: Vec<String> = seen
        .iter()
        .map(|&(cmd, opt)| format!("{} {}", Cmd(cmd), Opt(opt)))
        .collect();
    println!("busybox asked: {described:?}");
    assert_eq!(
        described,
        ["DO ECHO", "DO NAWS", "WILL ECHO", "WILL SGA"],
        "busybox telnetd's opening requests"
    );

    tn.write(b"echo hi-$((1+1))\n").unwrap();
    let (index, _, output) = tn.expect(&[r"(?m)^hi-2\r?$"], Some(STEP)).unwrap();
    assert_eq!(index, Some(0), "no answer in {:?}", text(&output));
    tn.write(b"exit\n").unwrap();
    tn.read_all().unwrap();
    tn.close();

    // The answers on the wire, in the order of the requests (socat -x's hexdump of the
    // client-to-server direction, lines starting with '>').
    std::thread::sleep(std::time::Duration::from_millis(200));
    let dump = tap.log();
    let sent = client_bytes(&dump);
    let answers = [
        0xff, 0xfc, 0x01, // WONT ECHO
        0xff, 0xfc, 0x1f, // WONT NAWS
        0xff, 0xfd, 0x01, // DO ECHO
        0xff, 0xfd, 0x03, // DO SGA
    ];
    assert!(
        sent.starts_with(&answers),
        "the client's first bytes: {sent:02x?}\n{dump}"
    );
}

/// The bytes of the `>` (client to server) direction of a `socat -x` dump.
fn client_bytes(dump: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut outgoing = false;
    for line in dump.lines() {
        if line.starts_with(['>', '<']) {
            outgoing = line.starts_with('>');
        } else if outgoing {
            out.extend(
                line.split_whitespace()
                    .filter_map(|byte| u8::from_str_radix(byte, 16).ok()),
            );
        }
    }
    out
}

/// `legacy::Telnet` against the project's own server running a login-less shell: each line goes
/// to `/bin/sh -c`, its output comes back with CR LF line ends, then the `$ ` prompt again.
#[test]
fn legacy_telnet_own_server_shell() {
    use std::time::Duration;
    use telnetlib3::{BlockingTelnetServer, ServerOptions};

    let options = ServerOptions::default()
        .connect_maxwait(Duration::from_millis(300))
        .timeout(None);
    let server = BlockingTelnetServer::with_options(LOOPBACK, 0, options, |conn| loop {
        if conn.write("$ ").is_err() {
            return;
        }
        let Ok(line) = conn.readline(Some(Duration::from_secs(10))) else {
            return;
        };
        let line = line.trim();
        if line == "exit" {
            return;
        }
        let output = std::process::Command::new("/bin/sh")
            .args(["-c", line])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_else(|e| format!("sh: {e}\n"));
        if conn.write(&output.replace('\n', "\r\n")).is_err() {
            return;
        }
    });
    let port = server.start().unwrap().port();
    let runner = server.clone();
    let serving = std::thread::spawn(move || runner.serve_forever().unwrap());

    let mut tn = Telnet::connect(LOOPBACK, port, Some(STEP)).unwrap();
    let banner = tn.read_until(b"$ ", Some(STEP)).unwrap();
    assert!(text(&banner).ends_with("$ "), "{:?}", text(&banner));
    tn.write(b"echo hi-$((1+1))\r\n").unwrap();
    let (index, found, output) = tn.expect(&[r"(?m)^hi-(\d+)\r?$"], Some(STEP)).unwrap();
    assert_eq!(index, Some(0), "no answer in {:?}", text(&output));
    assert_eq!(found.unwrap().group(1), Some(&b"2"[..]));
    // telnetlib refused WILL ECHO, so the server does not echo: the command is not in the output.
    assert!(!text(&output).contains("echo hi"), "{:?}", text(&output));
    tn.read_until(b"$ ", Some(STEP)).unwrap();
    tn.write(b"exit\r\n").unwrap();
    let rest = tn.read_all().unwrap();
    assert!(tn.eof(), "{:?}", text(&rest));
    tn.close();
    server.shutdown();
    serving.join().unwrap();
}

/// CPython's `telnetlib` on the wire inputs of one file, one hex line each (`r:` refusing, `c:`
/// with a callback that records each call and takes the subnegotiation data at `SE`). Each
/// output line is `cooked|sbdataq|sent|calls`, in hex.
const TELNETLIB_SCRIPT: &str = r#"
import sys, warnings
warnings.simplefilter("ignore")
try:
    import telnetlib
except ImportError:
    open(sys.argv[2], "w").write("no telnetlib\n")
    sys.exit(0)

class Sock:
    def __init__(self, data):
        self.data, self.sent = data, b""
    def recv(self, n):
        chunk, self.data = self.data[:n], self.data[n:]
        return chunk
    def sendall(self, data):
        self.sent += data
    def close(self):
        pass

out = []
for line in open(sys.argv[1]).read().split():
    mode, wire = line.split(":")
    tn = telnetlib.Telnet()
    tn.sock = Sock(bytes.fromhex(wire))
    calls = []
    if mode == "c":
        def callback(sock, cmd, opt, tn=tn, calls=calls):
            calls.append((cmd + opt).hex())
            if cmd == telnetlib.SE:
                calls.append("sb" + tn.read_sb_data().hex())
        tn.set_option_negotiation_callback(callback)
    cooked = tn.read_all()
    out.append("|".join([cooked.hex(), tn.read_sb_data().hex(), tn.sock.sent.hex(), ",".join(calls)]))
open(sys.argv[2], "w").write("\n".join(out) + "\n")
"#;

/// Wire input handed out like `recv(50)` on a socket, and what was sent back.
struct WireStub {
    wire: Vec<u8>,
    pos: usize,
    sent: Vec<u8>,
}

impl Read for WireStub {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.wire.len() - self.pos);
        buf[..n].copy_from_slice(&self.wire[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

impl Write for WireStub {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sent.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl TelnetSocket for WireStub {
    fn wait_readable(&mut self, _timeout: Option<Duration>) -> io::Result<bool> {
        Ok(true)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `legacy::Telnet` with a subnegotiation `limit`, as the script runs telnetlib: the same
/// `cooked|sbdataq|sent|calls` fields.
fn run_legacy(mode: char, wire: &[u8], limit: usize) -> [String; 4] {
    let stub = WireStub {
        wire: wire.to_vec(),
        pos: 0,
        sent: Vec::new(),
    };
    let mut tn = Telnet::connect_with("stub", 0, None, move |_, _, _| Ok(stub)).unwrap();
    tn.set_subnegotiation_limit(limit);
    let calls = Arc::new(Mutex::new(Vec::new()));
    if mode == 'c' {
        let record = Arc::clone(&calls);
        tn.set_option_negotiation_callback(Some(negotiation_callback(move |sock, cmd, opt| {
            let mut calls = record.lock().unwrap();
            calls.push(hex(&[cmd, opt]));
            if cmd == legacy::SE {
                calls.push(format!("sb{}", hex(&sock.read_sb_data())));
            }
        })));
    }
    let cooked = tn.read_all().unwrap();
    let sb = tn.read_sb_data();
    let sent = hex(&tn.get_socket().unwrap().sent);
    let calls = calls.lock().unwrap().join(",");
    [hex(&cooked), hex(&sb), sent, calls]
}

/// Subnegotiation data as `legacy::Telnet` with `limit` must give it, given telnetlib's `py`:
/// the same when it fits, else at most `limit` bytes of its start.
fn assert_sb_agrees(rs: &str, py: &str, limit: usize, case: &str) {
    if py.len() / 2 <= limit {
        assert_eq!(rs, py, "limit {limit}, input {case}");
    } else {
        assert!(
            rs.len() / 2 <= limit && py.starts_with(rs),
            "limit {limit}, input {case}: {rs} is not a bounded start of {py}"
        );
    }
}

/// The wire inputs: random streams rich in telnet commands (NUL, DC1, IAC, SB, SE, verbs),
/// and long subnegotiations with and without their `IAC SE`.
fn differential_inputs() -> Vec<Vec<u8>> {
    const SPECIAL: &[u8] = &[
        0, 0x11, 255, 255, 255, 250, 240, 251, 252, 253, 254, 241, 24, 31, 1, 3, b'a', b'b', b'\r',
        b'\n',
    ];
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut inputs: Vec<Vec<u8>> = (0..1500)
        .map(|_| {
            let len = (next() % 300) as usize;
            (0..len)
                .map(|_| {
                    let r = next();
                    if r % 10 < 7 {
                        SPECIAL[(r >> 8) as usize % SPECIAL.len()]
                    } else {
                        (r >> 16) as u8
                    }
                })
                .collect()
        })
        .collect();
    let long = [b'x'; 300];
    inputs.push([&b"a\xff\xfa\x18"[..], &long].concat());
    inputs.push(
        [
            &b"a\xff\xfa\x18"[..],
            &long,
            b"\xff\xf0b\xff\xfa\x1f\x01\x02\xff\xf0c",
        ]
        .concat(),
    );
    inputs.push([&b"\xff\xfa\x18"[..], &long, b"\xff\xfa\x1fq\xff\xf0"].concat());
    inputs
}

/// `legacy::Telnet` against CPython's `telnetlib` (the peers' venv Python, 3.11): the same
/// wire input gives the same data, the same bytes sent back and the same callback calls, for
/// every subnegotiation limit; the subnegotiation data agrees wherever it fits the limit, and
/// is a bounded start of telnetlib's where it does not.
#[test]
fn legacy_telnet_agrees_with_cpython_telnetlib() {
    let Some(python) = require("venv/bin/python") else {
        return;
    };
    let inputs = differential_inputs();
    let dir = TempDir::new("telnetlib-diff");
    let (cases, results) = (dir.path().join("cases"), dir.path().join("results"));
    let mut lines = String::new();
    for mode in ['r', 'c'] {
        for wire in &inputs {
            lines.push_str(&format!("{mode}:{}\n", hex(wire)));
        }
    }
    std::fs::write(&cases, &lines).unwrap();
    let mut cmd = command(&python, ["-c", TELNETLIB_SCRIPT]);
    cmd.arg(&cases).arg(&results);
    let mut child = Child::spawn("python telnetlib", cmd);
    let status = child.wait_status(Duration::from_secs(120));
    assert!(
        status.is_some_and(|s| s.success()),
        "python: {status:?}\n{}",
        child.log()
    );
    let results = std::fs::read_to_string(&results).unwrap();
    if results == "no telnetlib\n" {
        eprintln!("skipping: this Python has no telnetlib (removed in 3.13)");
        return;
    }
    let expected: Vec<&str> = results.lines().collect();
    assert_eq!(expected.len(), 2 * inputs.len(), "{}", child.log());
    let cases = ['r', 'c']
        .into_iter()
        .flat_map(|mode| inputs.iter().map(move |wire| (mode, wire)));
    for ((mode, wire), py) in cases.zip(expected) {
        let py: Vec<&str> = py.split('|').collect();
        let case = format!("{mode}:{}", hex(wire));
        for limit in [0, 3, 16, legacy::DEFAULT_SUBNEGOTIATION_LIMIT] {
            let rs = run_legacy(mode, wire, limit);
            assert_eq!(
                (&rs[0][..], &rs[2][..]),
                (py[0], py[2]),
                "limit {limit}, input {case}"
            );
            assert_sb_agrees(&rs[1], py[1], limit, &case);
            let (rs_calls, py_calls): (Vec<&str>, Vec<&str>) =
                (rs[3].split(',').collect(), py[3].split(',').collect());
            assert_eq!(
                rs_calls.len(),
                py_calls.len(),
                "limit {limit}, input {case}"
            );
            for (rs_call, py_call) in rs_calls.iter().zip(&py_calls) {
                match (rs_call.strip_prefix("sb"), py_call.strip_prefix("sb")) {
                    (Some(rs_sb), Some(py_sb)) => assert_sb_agrees(rs_sb, py_sb, limit, &case),
                    _ => assert_eq!(rs_call, py_call, "limit {limit}, input {case}"),
                }
            }
        }
    }
}
