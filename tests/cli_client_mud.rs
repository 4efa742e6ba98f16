//! `telnetlib3-client` and the MUD options: against a server offering GMCP, ZMP and MSDP and
//! asking for GMCP and MSSP, it answers with the same bytes as telnetlib3-client 5.0.1 (its
//! name and version aside), `--gmcp-modules` included.

use std::process::Command;
use std::time::Duration;

mod support;
use support::cli::{client_cmd, raw_server, run, Recorded};

const BOUND: Duration = Duration::from_secs(10);

/// WILL GMCP, WILL ZMP, WILL MSDP, DO GMCP, DO MSSP.
const OFFER: &[u8] = b"\xff\xfb\xc9\xff\xfb\x5d\xff\xfb\x45\xff\xfd\xc9\xff\xfd\x46";
/// WONT MSSP: the client's last answer.
const LAST: &[u8] = b"\xff\xfc\x46";

/// What `cmd` (told to connect to the port it is given) sends the server.
fn answer(cmd: impl Fn(&str) -> Command) -> Recorded {
    let server = raw_server(OFFER, Some(LAST), BOUND, b"bye\r\n");
    let out = run(cmd(&server.port.to_string()), b"", BOUND);
    let got = server.finish();
    assert!(got.at.is_some(), "no WONT MSSP; stderr: {}", out.stderr);
    got
}

/// What our client and telnetlib3's send, compared; ours returned (`None` without the peer).
fn compare(args: &[&str]) -> Option<String> {
    let peer = support::require("venv/bin/telnetlib3-client")?;
    let with = |port: &str| {
        let mut all = args.to_vec();
        all.extend(["--connect-maxwait", "1", "127.0.0.1", port]);
        all.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()
    };
    let ours =
        answer(|port| client_cmd(&with(port).iter().map(String::as_str).collect::<Vec<_>>()));
    let theirs = answer(|port| {
        let mut cmd = Command::new(&peer);
        cmd.args(with(port));
        cmd
    });
    let ours = String::from_utf8_lossy(&ours.bytes).replace(env!("CARGO_PKG_VERSION"), "VERSION");
    let theirs = String::from_utf8_lossy(&theirs.bytes).replace("5.0.1", "VERSION");
    assert_eq!(ours, theirs);
    assert!(ours.contains("Core.Hello"), "{ours:?}");
    Some(ours)
}

#[test]
fn mud_answers_are_telnetlib3s() {
    if let Some(ours) = compare(&[]) {
        assert!(
            ours.contains("zmp.ident\0telnetlib3\0VERSION\0"),
            "{ours:?}"
        );
        assert!(ours.contains("\"group 1\"]"), "{ours:?}");
    }
}

#[test]
fn gmcp_modules_replace_the_defaults() {
    if let Some(ours) = compare(&["--gmcp-modules", "Char 1, IRE.Rift 1,,Room"]) {
        assert!(
            ours.contains("Core.Supports.Set [\"char 1\",\"ire.rift 1\",\"room\"]"),
            "{ours:?}"
        );
    }
    // An empty list keeps the defaults.
    if let Some(ours) = compare(&["--gmcp-modules", ""]) {
        assert!(ours.contains("\"group 1\"]"), "{ours:?}");
    }
}
