//! `telnetlib3-client` with BBS encodings: CP437 box drawing from the library's server on a
//! tmux screen, SyncTERM font selection, the golden PETSCII and ATASCII screens through the
//! client, the keys each retro encoding sends (piped, and typed in a tmux pane), with
//! `--ansi-keys` and `--ascii-eol`, and a PETSCII session with `telnetlib3-server`'s shell.
//!
//! Everything is loopback (127.0.0.1) and every wait is bounded.

use std::time::Duration;

mod support;
use support::cli::{
    contains, quick, raw_server, serve, Outcome, PaneRun, Process, ServerProcess, CLIENT,
};
use support::Tmux;

/// Bound on every client run and every raw server.
const BOUND: Duration = Duration::from_secs(10);

const PETSCII_SCREEN: &[u8] = include_bytes!("data/retro/petscii-screen.seq");
const PETSCII_ANSI: &str = include_str!("data/retro/petscii-screen.ans");
const ATASCII_SCREEN: &[u8] = include_bytes!("data/retro/atascii-screen.bin");
const ATASCII_ANSI: &str = include_str!("data/retro/atascii-screen.ans");

/// Runs the client with `input` piped to stdin (then closed), for at most `BOUND`.
fn run(args: &[&str], input: &[u8]) -> Outcome {
    Process::start(support::cli::client_cmd(args), input).finish(BOUND)
}

/// `data` as a telnet server sends it: IAC doubled.
fn telnet_data(data: &[u8]) -> &'static [u8] {
    let mut wire = Vec::with_capacity(data.len() + 8);
    for &byte in data {
        wire.push(byte);
        if byte == 0xff {
            wire.push(0xff);
        }
    }
    Box::leak(wire.into_boxed_slice())
}

// ---- CP437 and SyncTERM fonts ----

#[test]
fn cp437_box_drawing_shows_in_tmux() {
    let server = serve(quick().encoding(Some("cp437")).force_binary(true), |conn| {
        let _ = conn.write("\u{2554}\u{2550}\u{2550}\u{2557}\r\n\u{2551}ok\u{2551}\r\n");
        let _ = conn.write("\u{255a}\u{2550}\u{2550}\u{255d} \u{2591}\u{2592}\u{2593}\u{2588}\r\n");
        let _ = conn.readline(Some(BOUND));
    });
    let Some(tmux) = Tmux::start("retro-cp437", 80, 24) else {
        return;
    };
    let run = PaneRun::new(
        "retro-cp437",
        &format!("{CLIENT} --encoding cp437 127.0.0.1 {}", server.port),
    );
    tmux.keys(&[run.line(), "Enter"]);
    let screen = tmux.wait_for("╚══╝ ░▒▓█");
    assert!(screen.contains("╔══╗\n║ok║\n╚══╝ ░▒▓█"), "{screen}");
    tmux.keys(&["C-]"]);
    tmux.wait_for("[q]uit");
    tmux.keys(&["q"]);
    assert_eq!(run.exit_code(), 0);
}

#[test]
fn a_syncterm_font_selection_switches_the_encoding() {
    const ART: &[u8] = b"plain \x1b[0;0 D\xc9\xcd\xbb \x1b[1;33m\xb0\xb1\xb2\x1b[0m\r\n";
    let receive = |flags: &[&str]| {
        let server = raw_server(ART, None, Duration::from_millis(300), b"");
        let port = server.port.to_string();
        let tail = ["--connect-maxwait", "0.2", "127.0.0.1", &port];
        let out = run(&[flags, &tail].concat(), b"");
        server.finish();
        out
    };
    // No --encoding: font 0 is CP437, from the byte after the sequence, which is not shown.
    let out = receive(&[]);
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert_eq!(out.stdout, "plain ╔═╗ \x1b[1;33m░▒▓\x1b[0m\r\n");
    // --encoding given: the sequence goes on to the terminal and the encoding stays (0xC9
    // is no UTF-8 character).
    let out = receive(&["--encoding", "utf8", "--force-binary"]);
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(
        out.stdout.starts_with("plain \x1b[0;0 D\u{fffd}"),
        "{:?}",
        out.stdout
    );
    assert!(!out.stdout.contains('╔'), "{:?}", out.stdout);
}

// ---- the golden screens, through the client ----

#[test]
fn petscii_screen_comes_out_as_the_golden_ansi() {
    let server = raw_server(
        telnet_data(PETSCII_SCREEN),
        None,
        Duration::from_millis(500),
        b"",
    );
    let port = server.port.to_string();
    let out = run(
        &[
            "--encoding",
            "petscii",
            "--connect-maxwait",
            "0.2",
            "127.0.0.1",
            &port,
        ],
        b"",
    );
    server.finish();
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert_eq!(out.stdout, PETSCII_ANSI);
}

#[test]
fn atascii_screen_comes_out_as_the_golden_ansi() {
    let server = raw_server(
        telnet_data(ATASCII_SCREEN),
        None,
        Duration::from_millis(500),
        b"",
    );
    let port = server.port.to_string();
    let out = run(
        &[
            "--encoding",
            "atascii",
            "--connect-maxwait",
            "0.2",
            "127.0.0.1",
            &port,
        ],
        b"",
    );
    server.finish();
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert_eq!(out.stdout, ATASCII_ANSI);
}

// ---- keys ----

/// What the server received from a client with `flags` that had `input` piped to it, up to
/// `until`.
fn sent(flags: &[&str], input: &[u8], until: &'static [u8]) -> Vec<u8> {
    let server = raw_server(b"", Some(until), BOUND, b"");
    let port = server.port.to_string();
    let tail = ["--connect-maxwait", "0.2", "127.0.0.1", &port];
    let out = run(&[flags, &tail].concat(), input);
    let got = server.finish().bytes;
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    got
}

#[test]
fn piped_lines_go_out_in_petscii() {
    let got = sent(
        &["--encoding", "c64"],
        b"Hello\nworld\n",
        b"\x57\x4f\x52\x4c\x44\x0d",
    );
    // Shifted PETSCII: 'H' is 0xC8, lower case is 0x41-0x5A; each line ends in RETURN.
    assert!(
        contains(&got, b"\xc8\x45\x4c\x4c\x4f\x0d\x57\x4f\x52\x4c\x44\x0d"),
        "{got:?}"
    );
}

#[test]
fn atascii_keys_with_and_without_ansi_keys_and_ascii_eol() {
    let input = b"hi\n\x1b[A\t\x7f\n";
    let got = sent(&["--encoding", "atascii"], input, b"\x7e\x9b");
    assert!(contains(&got, b"hi\x9b\x1c\x7f\x7e\x9b"), "{got:?}");
    let got = sent(
        &["--encoding", "atari8bit", "--ansi-keys", "--ascii-eol"],
        input,
        b"\x7e\r\n",
    );
    assert!(contains(&got, b"hi\r\n\x1b[A\t\x7e\r\n"), "{got:?}");
}

#[test]
fn petscii_keys_and_raw_mode_in_tmux() {
    // "Ready." in PETSCII, in light blue.
    let server = raw_server(
        b"\x9a\xd2\x45\x41\x44\x59.\x0d",
        Some(b"\x51\x14\x0d\x91\x1b"),
        Duration::from_secs(20),
        b"\x05\xc2\x59\x45\x0d",
    );
    let Some(tmux) = Tmux::start("retro-petscii", 80, 24) else {
        return;
    };
    let run = PaneRun::with_stty(
        "retro-petscii",
        "-g",
        &format!(
            "{CLIENT} --encoding petscii --connect-maxwait 0.2 127.0.0.1 {}",
            server.port
        ),
    );
    tmux.keys(&[run.line(), "Enter"]);
    tmux.wait_for("Ready.");
    // The server negotiated nothing, yet the terminal is raw: PETSCII selects raw mode.
    let during = tmux.stty();
    assert!(
        during.contains("-icanon") && during.contains("-echo "),
        "{during}"
    );
    // A lone Escape, typed last, goes out once ESCDELAY has passed without more keys.
    tmux.keys(&["q", "BSpace", "Enter", "Up", "Escape"]);
    let got = server.finish().bytes;
    assert!(contains(&got, b"\x51\x14\x0d\x91\x1b"), "{got:?}");
    tmux.wait_for("Bye");
    assert_eq!(run.exit_code(), 0);
    let (before, after) = run.stty_before_after();
    assert_eq!(before, after);
}

#[test]
fn a_petscii_session_with_the_server_binary_in_tmux() {
    // The server's shell speaks PETSCII both ways; the client shows it and types it.
    let server = ServerProcess::start(&[
        "--encoding",
        "petscii",
        "--force-binary",
        "--connect-maxwait",
        "0.3",
    ]);
    let Some(tmux) = Tmux::start("retro-session", 80, 24) else {
        return;
    };
    let run = PaneRun::new(
        "retro-session",
        &format!("{CLIENT} --encoding c64 127.0.0.1 {}", server.port),
    );
    tmux.keys(&[run.line(), "Enter"]);
    tmux.wait_for("tel:sh>"); // capture-pane drops trailing blanks
    tmux.keys(&["info", "Enter"]);
    let screen = tmux.wait_for("encoding: PETSCII");
    // The typed command came back (the server echoes) in the right case.
    assert!(screen.contains("tel:sh> info"), "{screen}");
    tmux.keys(&["C-]"]);
    tmux.wait_for("[q]uit");
    tmux.keys(&["q"]);
    assert_eq!(run.exit_code(), 0);
}
