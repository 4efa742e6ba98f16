//! `--compression` / `--no-compression` on both commands, honoured: the server offers MCCP2 and
//! MCCP3 or refuses them, the client asks for them or refuses them (telnetlib3's client ignores
//! the flag). Loopback only, every wait bounded.

mod support;

use std::time::Duration;

use support::cli::{client_cmd, contains, raw_server, Process, ServerProcess};
use support::STEP;
use telnetlib3::telopt::{MCCP2, MCCP3};
use telnetlib3::{ConnectOptions, WaitFor};

const BOUND: Duration = Duration::from_secs(10);

fn options() -> ConnectOptions {
    ConnectOptions::default()
        .connect_maxwait(Duration::from_secs(3))
        .connect_timeout(Some(STEP))
        .timeout(Some(STEP))
}

#[test]
fn server_compression_flag_offers_and_the_telsh_prompt_comes_compressed() {
    let server = ServerProcess::start(&["--compression"]);
    let conn = server.connect_with(options());
    conn.wait_for(
        &WaitFor::default()
            .remote("MCCP2", true)
            .remote("MCCP3", true),
        Some(STEP),
    )
    .unwrap();
    let prompt = conn.read_until("tel:sh> ", None).unwrap();
    assert!(prompt.ends_with("tel:sh> "));
    assert!(conn.with_negotiator(|n| n.input_compressed()).unwrap());
    assert!(conn.with_negotiator(|n| n.output_compressed()).unwrap());
    // Our compressed commands reach it.
    conn.write("quit\r\n").unwrap();
    assert!(conn
        .read_until("Goodbye", None)
        .unwrap()
        .contains("Goodbye"));
}

#[test]
fn server_no_compression_flag_refuses_a_client_that_asks() {
    let server = ServerProcess::start(&["--no-compression"]);
    let conn = server.connect_with(options().compression(Some(true)));
    conn.wait_for(&WaitFor::default().pending("MCCP2", false), Some(STEP))
        .unwrap();
    assert!(!conn.remote_enabled(MCCP2) && !conn.remote_enabled(MCCP3));
    assert!(conn.read_until("tel:sh> ", None).is_ok());

    // Without either flag it agrees when asked.
    let server = ServerProcess::start(&[]);
    let conn = server.connect_with(options().compression(Some(true)));
    conn.wait_for(&WaitFor::default().remote("MCCP2", true), Some(STEP))
        .unwrap();
    assert!(conn.read_until("tel:sh> ", None).is_ok());
}

#[test]
fn client_flags_ask_for_compression_or_refuse_it() {
    // --compression: DO MCCP2 and DO MCCP3 unasked.
    let server = raw_server(b"", Some(b"\xff\xfd\x57"), BOUND, b"");
    let port = server.port.to_string();
    let client = Process::start(
        client_cmd(&[
            "--compression",
            "--connect-maxwait",
            "1",
            "127.0.0.1",
            &port,
        ]),
        b"",
    );
    let got = server.finish().bytes;
    let _ = client.finish(BOUND);
    assert!(contains(&got, b"\xff\xfd\x56\xff\xfd\x57"), "{got:?}");

    // --no-compression: WILL MCCP2 is refused.
    let server = raw_server(b"\xff\xfb\x56", Some(b"\xff\xfe\x56"), BOUND, b"");
    let port = server.port.to_string();
    let client = Process::start(
        client_cmd(&[
            "--no-compression",
            "--connect-maxwait",
            "1",
            "127.0.0.1",
            &port,
        ]),
        b"",
    );
    let got = server.finish().bytes;
    let _ = client.finish(BOUND);
    assert!(contains(&got, b"\xff\xfe\x56"), "{got:?}");

    // Neither: accepted when offered.
    let server = raw_server(b"\xff\xfb\x56", Some(b"\xff\xfd\x56"), BOUND, b"");
    let port = server.port.to_string();
    let client = Process::start(
        client_cmd(&["--connect-maxwait", "1", "127.0.0.1", &port]),
        b"",
    );
    let got = server.finish().bytes;
    let _ = client.finish(BOUND);
    assert!(contains(&got, b"\xff\xfd\x56"), "{got:?}");
}

#[test]
fn the_binaries_talk_compressed_to_each_other() {
    let server = ServerProcess::start(&["--compression", "--shell", "echo"]);
    let port = server.port.to_string();
    let out = Process::start(
        client_cmd(&["--loglevel", "debug", "127.0.0.1", &port]),
        b"compressed both ways\r\n",
    )
    .finish(BOUND);
    assert!(out.stdout.contains("compressed both ways"), "{out:?}");
    assert!(
        out.stderr
            .contains("recv IAC SB MCCP2 IAC SE: compressed from here"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("send IAC SB MCCP3 IAC SE: compressing from here"),
        "{}",
        out.stderr
    );
}

#[test]
fn client_help_lists_the_flags() {
    // Both flags parse on both commands (a usage error would exit 2 at once).
    for flag in ["--compression", "--no-compression"] {
        let out = Process::start(client_cmd(&[flag, "--help"]), b"").finish(BOUND);
        assert_eq!(out.code, Some(0), "{flag}: {}", out.stderr);
        assert!(out.stdout.contains("--no-compression"), "{}", out.stdout);
    }
}
