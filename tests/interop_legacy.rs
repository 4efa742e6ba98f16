//! The `telnetlib` port (`legacy::Telnet`) against a real server: busybox telnetd running a
//! login-less shell on loopback. Skipped without the peers, unless `TELNETLIB3_INTEROP=1`.

mod support;

use std::sync::{Arc, Mutex};

use support::{command, require, wire_tap, Peer, LOOPBACK, STEP};
use telnetlib3::legacy::{self, negotiation_callback, Telnet};
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
