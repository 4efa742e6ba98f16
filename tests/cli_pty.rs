//! `telnetlib3-server --pty-exec`, `--pty-fork-limit` and `--robot-check`, run as a process on
//! 127.0.0.1 and driven by the library's client, by `telnetlib3-client` and by inetutils
//! `telnet` in tmux.

use std::thread;
use std::time::{Duration, Instant};

use telnetlib3::{ConnectOptions, TelnetConnection};

mod support;
use support::cli::{read_text_to_eof, until_text, ServerProcess, CLIENT, WAIT};
use support::{require, Tmux};

/// bash without start-up files, so the prompt and the environment are the server's.
const BASH: &[&str] = &["--pty-exec", "/bin/bash", "--", "--norc", "--noprofile"];
/// The prompt the servers' bash shows (PS1 in the server's environment).
const PROMPT: &str = "pty$ ";

/// Starts the server with `args` (after HOST PORT and the quick-negotiation flags), with
/// [`PROMPT`] for bash's PS1, and waits until it accepts connections.
fn start(args: &[&str]) -> ServerProcess {
    start_with_env(args, &[])
}

/// [`start`], with `env` added to the server's environment (and so its programs').
fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> ServerProcess {
    let args = [&["--connect-maxwait", "0.5"], args].concat();
    ServerProcess::start_with(&args, |cmd| {
        cmd.env("PS1", PROMPT).env_remove("PROMPT_COMMAND");
        cmd.envs(env.iter().copied());
    })
}

/// The processes running `cmdline` (its arguments each ended by NUL) whose environment holds
/// `tag` (`NAME=value`), from `/proc`.
fn processes_tagged(cmdline: &[u8], tag: &str) -> Vec<String> {
    let tag = [tag.as_bytes(), b"\0"].concat();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|e| std::fs::read(e.path().join("cmdline")).is_ok_and(|c| c == cmdline))
        .filter(|e| {
            std::fs::read(e.path().join("environ"))
                .is_ok_and(|env| env.split_inclusive(|&b| b == 0).any(|v| v == tag))
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// The children of process `pid` as (pid, state letter), from `/proc`.
fn children(pid: u32) -> Vec<(u32, char)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid ...": comm may hold spaces, so split after the last ')'.
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let (Some(state), Some(ppid)) = (fields.first(), fields.get(1)) else {
            continue;
        };
        if ppid.parse::<u32>() == Ok(pid) {
            let child = head.split_whitespace().next().unwrap().parse().unwrap();
            found.push((child, state.chars().next().unwrap_or('?')));
        }
    }
    found
}

#[test]
fn bash_gets_the_negotiated_terminal_and_follows_resizes() {
    let server = start(BASH);
    let conn = server.connect_with(
        ConnectOptions::default()
            .term("VT100")
            .cols(97)
            .rows(33)
            .env("USER", "visitor")
            .send_environ(&["USER", "LANG"]),
    );
    until_text(&conn, PROMPT);
    conn.write("echo \"[$TERM|$LINES|$COLUMNS|$USER|${LANG:+lang}]\"; tput cols\r\n")
        .unwrap();
    let out = until_text(&conn, PROMPT);
    assert!(
        out.contains("[vt100|33|97|visitor|lang]\r\n97\r\n"),
        "{out:?}"
    );
    // NAWS → TIOCSWINSZ: the kernel signals bash, which updates COLUMNS for tput.
    conn.set_window_size(132, 40).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        conn.write("stty size; tput cols\r\n").unwrap();
        let out = until_text(&conn, PROMPT);
        if out.contains("40 132\r\n132\r\n") {
            break;
        }
        assert!(Instant::now() < deadline, "never resized: {out:?}");
        thread::sleep(Duration::from_millis(100));
    }
    // The program ends: the client is disconnected after its last words.
    conn.write("echo bye; exit\r\n").unwrap();
    let rest = read_text_to_eof(&conn);
    assert!(rest.contains("bye\r\n"), "{rest:?}");
}

#[test]
fn raw_by_default_and_cooked_with_line_mode() {
    let stty = ["--pty-exec", "/bin/sh", "--", "-c", "stty -a"];
    let raw = start(&stty);
    let out = read_text_to_eof(&raw.connect());
    assert!(out.contains("-icanon") && out.contains("-echo "), "{out}");

    let mut cooked_args = vec!["--line-mode"];
    cooked_args.extend_from_slice(&stty);
    let cooked = start(&cooked_args);
    let out = read_text_to_eof(&cooked.connect());
    // Lines are edited by the PTY; the line-mode client echoes, so the PTY does not.
    assert!(out.contains(" icanon") && out.contains("-echo "), "{out}");
}

#[test]
fn cooked_program_reads_whole_lines() {
    let server = start(&[
        "--line-mode",
        "--pty-exec",
        "/bin/sh",
        "--",
        "-c",
        "read a; read b; echo \"got [$a] [$b]\"",
    ]);
    let conn = server.connect();
    // CR LF and CR NUL are each one line end; BS-free lines arrive as typed.
    conn.write_bytes(b"first line\r\nsecond\r\0").unwrap();
    let out = read_text_to_eof(&conn);
    assert!(out.contains("got [first line] [second]"), "{out:?}");
    assert!(
        !out.contains("first line\r\n"),
        "not echoed by the PTY: {out:?}"
    );
}

#[test]
fn no_zombies_after_50_sessions() {
    // Marks this run's programs, so that `sleep 60`s of other runs on the machine do not count.
    let since_epoch = std::time::UNIX_EPOCH.elapsed().unwrap_or_default();
    let run = format!("{}-{}", std::process::id(), since_epoch.as_nanos());
    let server = start_with_env(BASH, &[("TELNETLIB3_TEST_RUN", &run)]);
    let tag = format!("TELNETLIB3_TEST_RUN={run}");
    let sleepers = || processes_tagged(b"sleep\x0060\x00", &tag);
    for cycle in 0..50 {
        let conn = server.connect();
        until_text(&conn, PROMPT);
        match cycle % 3 {
            // The program ends by itself.
            0 => {
                conn.write("exit\r\n").unwrap();
                read_text_to_eof(&conn);
            }
            // The client leaves while a job runs in the foreground.
            1 => {
                conn.write("sleep 60\r\n").unwrap();
                if cycle == 1 {
                    // The first one is seen running, so the check at the end can see them.
                    let deadline = Instant::now() + WAIT;
                    while sleepers().is_empty() {
                        assert!(Instant::now() < deadline, "sleep 60 never ran");
                        thread::sleep(Duration::from_millis(10));
                    }
                } else {
                    thread::sleep(Duration::from_millis(20));
                }
                conn.close();
            }
            // The client leaves at the prompt.
            _ => conn.close(),
        }
    }
    let pid = server.child.id();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = children(pid);
        if left.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "children left behind (pid, state): {left:?}"
        );
        thread::sleep(Duration::from_millis(50));
    }
    // No `sleep 60` survived its hang-up either. One whose shell was just reaped may not have
    // handled its SIGHUP yet: it gets until the deadline.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = sleepers();
        if left.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "sleep 60 still runs: {left:?}");
        thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn fork_limit_sends_the_third_client_the_busy_message() {
    let mut args = vec!["--pty-fork-limit", "2"];
    args.extend_from_slice(BASH);
    let server = start(&args);
    let first = server.connect();
    until_text(&first, PROMPT);
    let second = server.connect();
    until_text(&second, PROMPT);
    let third = server.connect();
    until_text(&third, "Machine is busy, do not touch! ");
    third.write("hello?\r\n").unwrap();
    until_text(&third, "You hear a distant explosion... ");
    third.write("\r\n").unwrap();
    read_text_to_eof(&third);
    // A place frees up when a session ends.
    first.write("exit\r\n").unwrap();
    read_text_to_eof(&first);
    let fourth = server.connect();
    until_text(&fourth, PROMPT);
    drop(second);
}

/// Answers the robot check's two cursor position requests as a terminal would, the cursor
/// having moved `width` columns for the wide character.
fn answer_robot_check(conn: &TelnetConnection, width: u32) {
    until_text(conn, "\x1b[6n");
    conn.write("\x1b[7;10R").unwrap();
    let between = until_text(conn, "\x1b[6n");
    assert!(between.contains('\u{231a}'), "{between:?}");
    conn.write(&format!("\x1b[7;{}R", 10 + width)).unwrap();
}

#[test]
fn robot_check_lets_wide_terminals_in_and_asks_robots_questions() {
    let server = start(&["--robot-check"]);
    // Draws U+231A two columns wide: a person's terminal, gets the shell.
    let person = server.connect();
    answer_robot_check(&person, 2);
    let out = until_text(&person, "tel:sh> ");
    assert!(
        out.contains("\x1b[10G  \x1b[10G"),
        "the probe is erased: {out:?}"
    );
    assert!(!out.contains("7;"), "the answers are not echoed: {out:?}");
    // One column: a robot.
    let robot = server.connect();
    answer_robot_check(&robot, 1);
    until_text(&robot, "Do robots dream of electric sheep? [yn] ");
    robot.write("\r\n").unwrap();
    until_text(&robot, "Do robots dream of electric sheep? [yn] ");
    robot.write("y\r\n").unwrap();
    until_text(&robot, "Have you ever wondered, who are the windowmakers? ");
    robot.write("no\r\n").unwrap();
    read_text_to_eof(&robot);
}

#[test]
fn pty_misuse_is_a_usage_error() {
    for (args, needle) in [
        (&["--pty-exec", "/nonexistent/program"][..], "--pty-exec"),
        (&["--", "-l"][..], "--pty-exec"),
        (&["--pty-fork-limit", "many"][..], "--pty-fork-limit"),
    ] {
        let all = [&["127.0.0.1", "1"], args].concat();
        let out = support::cli::run(support::cli::server_cmd(&all), b"", WAIT);
        let stderr = out.stderr;
        assert_eq!(out.code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(
            stderr.contains("Usage") || stderr.contains("--help"),
            "{stderr}"
        );
    }
}

/// Runs `client HOST PORT` in tmux against `server` (`--pty-exec bash`): `tput cols`, a
/// resize, `tput cols` again.
fn tput_cols_in_tmux(tag: &str, server: &ServerProcess, client: &str) {
    let Some(tmux) = Tmux::start(tag, 90, 30) else {
        return;
    };
    let command = format!("{client} 127.0.0.1 {}; echo DONE", server.port);
    tmux.keys(&[&command, "Enter"]);
    tmux.wait_for(PROMPT.trim_end());
    tmux.keys(&["tput cols", "Enter"]);
    tmux.wait_until("90 from tput", |s| s.lines().any(|l| l.trim() == "90"));
    tmux.resize(120, 30);
    // The resize reaches bash (NAWS → TIOCSWINSZ → SIGWINCH) a moment later; ask until it did.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        tmux.keys(&["clear; tput cols", "Enter"]);
        thread::sleep(Duration::from_millis(300));
        if tmux.capture().lines().any(|l| l.trim() == "120") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "tput never said 120:\n{}",
            tmux.capture()
        );
    }
    tmux.keys(&["exit", "Enter"]);
    tmux.wait_for("DONE");
}

#[test]
fn bash_from_telnetlib3_client_in_tmux() {
    let mut args = vec!["--robot-check"];
    args.extend_from_slice(BASH);
    let server = start(&args);
    // tmux answers the robot check (it draws U+231A two columns wide).
    tput_cols_in_tmux("pty-ours", &server, CLIENT);
}

#[test]
fn bash_from_inetutils_telnet_in_tmux() {
    let Some(telnet) = require("telnet") else {
        return;
    };
    let server = start(BASH);
    tput_cols_in_tmux("pty-inetutils", &server, &telnet.display().to_string());
}

#[test]
fn interrupt_process_reaches_the_program_as_ctrl_c() {
    let server = start(&[
        "--pty-exec",
        "/bin/sh",
        "--",
        "-c",
        "trap 'echo interrupted; exit 0' INT; echo ready; while :; do sleep 0.05; done",
    ]);
    let conn = server.connect();
    until_text(&conn, "ready");
    conn.send_command(telnetlib3::telopt::IP).unwrap();
    let out = read_text_to_eof(&conn);
    assert!(out.contains("interrupted"), "{out:?}");
}
