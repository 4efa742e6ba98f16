//! The `telnetlib3-client` binary, run as a process against the library's own server (or a
//! scripted raw TCP server where the test needs the exact bytes the client sent).

use std::process::{ChildStdin, Command};
use std::thread;
use std::time::{Duration, Instant};

use telnetlib3::protocol::Side;
use telnetlib3::telopt;

mod support;
use support::cli::{
    quick, raw_server, reporter, serve, tls_reporter, Outcome, PaneRun, Process, CLIENT,
};
use support::{TempDir, TestCert, Tmux};

const LONG: Option<Duration> = Some(Duration::from_secs(5));
/// Bound on every client run.
const RUN_LIMIT: Duration = Duration::from_secs(30);

/// `telnetlib3-client ARGS` without `USER` in its environment, and with `env`.
fn client(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = support::cli::client_cmd(args);
    command.env_remove("USER").envs(env.iter().copied());
    command
}

fn spawn(args: &[&str], env: &[(&str, &str)]) -> (Process, ChildStdin) {
    Process::spawn(client(args, env))
}

/// Runs the client with `input` piped to stdin (then closed), for at most `RUN_LIMIT`.
fn run(args: &[&str], input: &[u8], env: &[(&str, &str)]) -> Outcome {
    support::cli::run(client(args, env), input, RUN_LIMIT)
}

fn port_arg(port: u16) -> String {
    port.to_string()
}

// ---- pipe mode ----

#[test]
fn pipe_mode_answers_a_command_then_exits_after_silence() {
    let server = serve(quick(), |conn| {
        let _ = conn.prompt("tel:sh> ");
        if let Ok(line) = conn.readline(LONG) {
            let _ = conn.write(&format!("answer to [{}]\r\n", line.trim_end()));
            let _ = conn.prompt("tel:sh> ");
        }
        // Stay connected and silent: the client must leave on its own.
        thread::sleep(Duration::from_secs(20));
    });
    let started = Instant::now();
    let out = run(
        &["--quiet-exit", "0.5", "127.0.0.1", &port_arg(server.port)],
        b"help\n",
        &[],
    );
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(out.stdout.contains("tel:sh> "), "{:?}", out.stdout);
    assert!(out.stdout.contains("answer to [help]"), "{:?}", out.stdout);
    assert!(started.elapsed() < Duration::from_secs(15));
}

#[test]
fn pipe_mode_sends_crlf_unchanged() {
    let server = serve(quick(), |conn| {
        let mut lines = Vec::new();
        for _ in 0..2 {
            match conn.readline(LONG) {
                Ok(line) => lines.push(format!("{line:?}")),
                Err(_) => break,
            }
        }
        let _ = conn.write(&format!("got {}\r\n", lines.join(" ")));
    });
    let out = run(&["127.0.0.1", &port_arg(server.port)], b"one\r\ntwo\n", &[]);
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(
        out.stdout.contains(r#"got "one\r\n" "two\r\n""#),
        "{:?}",
        out.stdout
    );
}

#[test]
fn server_close_exits_zero_while_stdin_is_open() {
    let server = reporter(|_| "bye".to_owned());
    let (client, stdin) = spawn(
        &["--quiet-exit", "60", "127.0.0.1", &port_arg(server.port)],
        &[],
    );
    let out = client.finish(RUN_LIMIT);
    drop(stdin);
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(out.stdout.contains("bye\r\n"), "{:?}", out.stdout);
}

// ---- errors ----

#[test]
fn refused_port_is_exit_one_with_one_line() {
    let port = support::free_port();
    let out = run(&["127.0.0.1", &port_arg(port)], b"", &[]);
    assert_eq!(out.code, Some(1));
    assert_eq!(out.stderr.lines().count(), 1, "{:?}", out.stderr);
    assert!(
        out.stderr.contains("connection refused"),
        "{:?}",
        out.stderr
    );
}

#[test]
fn unknown_host_is_exit_one() {
    let out = run(&["no.such.host.invalid", "23"], b"", &[]);
    assert_eq!(out.code, Some(1));
    assert_eq!(out.stderr.lines().count(), 1, "{:?}", out.stderr);
    assert!(
        out.stderr.contains("cannot resolve no.such.host.invalid"),
        "{:?}",
        out.stderr
    );
}

#[test]
fn bad_flags_are_exit_two_with_usage() {
    for args in [
        &["--no-such-flag", "localhost"][..],
        &["--always-will", "NOSUCHOPTION", "localhost"],
        &["--always-do", "NAWS,BOGUS", "localhost"],
        &["--encoding", "no-such-encoding", "localhost"],
        &["--encoding-errors", "sometimes", "localhost"],
        &["--line-mode", "--raw-mode", "localhost"],
        &["localhost", "notaport"],
        &[],
    ] {
        let out = run(args, b"", &[]);
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("Usage") || out.stderr.contains("--help"),
            "{args:?}: {}",
            out.stderr
        );
    }
}

// ---- flags that change the wire ----

#[test]
fn term_flag_is_sent_as_ttype() {
    let server = reporter(|conn| format!("term={}", conn.terminal_type()));
    let out = run(
        &["--term", "vt220", "127.0.0.1", &port_arg(server.port)],
        b"",
        &[("TERM", "xterm")],
    );
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(out.stdout.contains("term=vt220"), "{:?}", out.stdout);
}

#[test]
fn term_defaults_to_the_environment() {
    let server = reporter(|conn| format!("term={}", conn.terminal_type()));
    let out = run(
        &["127.0.0.1", &port_arg(server.port)],
        b"",
        &[("TERM", "screen-256color")],
    );
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(
        out.stdout.contains("term=screen-256color"),
        "{:?}",
        out.stdout
    );
}

#[test]
fn speed_flag_is_sent_as_tspeed() {
    // The library's server does not ask for TSPEED on its own: this handler does.
    let server = reporter(|conn| {
        let _ = conn.with_negotiator(|neg| neg.request(Side::Remote, telopt::TSPEED, true));
        let deadline = Instant::now() + Duration::from_secs(5);
        while conn.get_extra_info("tspeed").is_none() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(20));
        }
        format!(
            "tspeed={}",
            conn.get_extra_info("tspeed").unwrap_or_default()
        )
    });
    let out = run(
        &["--speed", "9600", "127.0.0.1", &port_arg(server.port)],
        b"",
        &[],
    );
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(out.stdout.contains("tspeed=9600,9600"), "{:?}", out.stdout);
}

#[test]
fn send_environ_chooses_the_variables() {
    let server = reporter(|conn| {
        format!(
            "user={:?} lang={:?}",
            conn.get_extra_info("USER"),
            conn.get_extra_info("LANG")
        )
    });
    let port = port_arg(server.port);
    let with = run(
        &["--send-environ", "TERM,USER", "127.0.0.1", &port],
        b"",
        &[("USER", "cli-tester")],
    );
    assert_eq!(with.code, Some(0), "stderr: {}", with.stderr);
    assert!(
        with.stdout.contains(r#"user=Some("cli-tester") lang=None"#),
        "{:?}",
        with.stdout
    );
    let default = run(&["127.0.0.1", &port], b"", &[("USER", "cli-tester")]);
    assert_eq!(default.code, Some(0), "stderr: {}", default.stderr);
    assert!(
        default.stdout.contains("user=None lang=Some("),
        "{:?}",
        default.stdout
    );
}

#[test]
fn encoding_and_force_binary_decode_latin1() {
    // A raw server that sends "café" in Latin-1, to a client with `flags` and Latin-1.
    let receive = |flags: &[&str]| {
        let server = raw_server(b"", None, Duration::from_millis(300), b"caf\xe9\r\n");
        let port = port_arg(server.port);
        let tail = ["--connect-maxwait", "0.2", "127.0.0.1", &port];
        let out = run(
            &[&["--encoding", "latin-1"], flags, &tail].concat(),
            b"",
            &[],
        );
        server.finish();
        out
    };
    let out = receive(&["--force-binary"]);
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(out.stdout.contains("caf\u{e9}\r\n"), "{:?}", out.stdout);

    // Without --force-binary (and no BINARY agreed) the text is US-ASCII.
    let out = receive(&[]);
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(!out.stdout.contains('\u{e9}'), "{:?}", out.stdout);
    assert!(out.stdout.contains("caf"), "{:?}", out.stdout);
}

#[test]
fn always_do_and_always_will_are_sent_on_connect() {
    let server = raw_server(b"", None, Duration::from_millis(800), b"done\r\n");
    let out = run(
        &[
            "--always-do",
            "GMCP,msdp",
            "--always-will",
            "91",
            "--always-do",
            "ZMP",
            "--connect-maxwait",
            "0.2",
            "127.0.0.1",
            &port_arg(server.port),
        ],
        b"",
        &[],
    );
    let got = server.finish().bytes;
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    let has = |bytes: &[u8]| got.windows(bytes.len()).any(|w| w == bytes);
    assert!(has(b"\xff\xfd\xc9"), "no DO GMCP in {got:?}");
    assert!(has(b"\xff\xfd\x45"), "no DO MSDP in {got:?}");
    assert!(has(b"\xff\xfd\x5d"), "no DO ZMP in {got:?}");
    assert!(has(b"\xff\xfb\x5b"), "no WILL MXP in {got:?}");
}

#[test]
fn always_wont_refuses_what_the_server_asks() {
    // The library's server asks DO TTYPE; with --always-wont TTYPE the terminal type never
    // arrives and the server keeps its default.
    let server = reporter(|conn| format!("term={}", conn.terminal_type()));
    let out = run(
        &[
            "--always-wont",
            "TTYPE",
            "--term",
            "vt220",
            "127.0.0.1",
            &port_arg(server.port),
        ],
        b"",
        &[],
    );
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(out.stdout.contains("term=unknown"), "{:?}", out.stdout);
}

#[test]
fn ssl_with_ca_file() {
    let cert = TestCert::generate();
    let server = tls_reporter(&cert);
    let out = run(
        &[
            "--ssl",
            "--ssl-cafile",
            cert.cert.to_str().unwrap(),
            "localhost",
            &port_arg(server.port),
        ],
        b"",
        &[],
    );
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(out.stdout.contains("tls=true"), "{:?}", out.stdout);
}

#[test]
fn ssl_verify_failure_mentions_no_verify_and_no_verify_connects() {
    let cert = TestCert::generate();
    let server = tls_reporter(&cert);
    let port = port_arg(server.port);
    let out = run(&["--ssl", "localhost", &port], b"", &[]);
    assert_eq!(out.code, Some(1), "stdout: {}", out.stdout);
    assert_eq!(out.stderr.lines().count(), 1, "{:?}", out.stderr);
    assert!(out.stderr.contains("--ssl-no-verify"), "{:?}", out.stderr);

    let out = run(&["--ssl-no-verify", "localhost", &port], b"", &[]);
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(out.stdout.contains("tls=true"), "{:?}", out.stdout);
}

#[test]
fn typescript_appends_what_was_received() {
    let dir = TempDir::new("cli-typescript");
    let file = dir.path().join("session.txt");
    std::fs::write(&file, "earlier\n").unwrap();
    let server = reporter(|_| "recorded line".to_owned());
    let port = port_arg(server.port);
    let record = |mode: &[&str]| {
        let typescript = ["--typescript", file.to_str().unwrap()];
        run(
            &[&typescript, mode, &["127.0.0.1", &port]].concat(),
            b"",
            &[],
        )
    };
    let out = record(&[]);
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("earlier\n"), "{text:?}");
    assert!(text.contains("recorded line\r\n"), "{text:?}");

    let out = record(&["--typescript-mode", "rewrite"]);
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("earlier"), "{text:?}");
    assert!(text.contains("recorded line\r\n"), "{text:?}");
}

#[test]
fn trace_loglevel_hexdumps_the_wire_to_the_logfile() {
    let dir = TempDir::new("cli-log");
    let file = dir.path().join("client.log");
    let server = reporter(|_| "logged".to_owned());
    let out = run(
        &[
            "--loglevel",
            "trace",
            "--logfile",
            file.to_str().unwrap(),
            "127.0.0.1",
            &port_arg(server.port),
        ],
        b"",
        &[],
    );
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(out.stderr.is_empty(), "{:?}", out.stderr);
    let log = std::fs::read_to_string(&file).unwrap();
    assert!(log.contains("TRACE"), "{log}");
    assert!(
        log.contains("ff fd 18") || log.contains("FF FD 18"),
        "{log}"
    );
}

// ---- interactive mode, in a tmux pane ----

#[test]
fn interactive_mode_in_tmux() {
    let server = serve(quick(), |conn| {
        let _ = conn.prompt("tel:sh> ");
        while let Ok(line) = conn.readline(Some(Duration::from_secs(20))) {
            let line = line.trim_end().to_owned();
            let _ = conn.write(&format!(
                "\r\nanswer [{line}] size={}x{}\r\n",
                conn.columns(),
                conn.rows()
            ));
            let _ = conn.prompt("tel:sh> ");
        }
    });
    let Some(tmux) = Tmux::start("cli-raw", 100, 30) else {
        return;
    };
    let run = PaneRun::with_stty(
        "cli-tmux",
        "-g",
        &format!("{CLIENT} 127.0.0.1 {}", server.port),
    );
    tmux.keys(&[run.line(), "Enter"]);
    tmux.wait_for("tel:sh>");
    // The pane's size went out in NAWS.
    tmux.keys(&["help", "Enter"]);
    let screen = tmux.wait_for("answer [help]");
    assert!(screen.contains("size=100x"), "{screen}");
    // The server does WILL ECHO: raw mode, the typed word is shown once (by the server).
    assert_eq!(screen.matches("help").count(), 2, "{screen}"); // the echo + the answer
                                                               // While the client runs, the pane's terminal is in raw mode (no ICANON, no ECHO).
    let during = tmux.stty();
    assert!(
        during.contains("-icanon") && during.contains("-echo "),
        "{during}"
    );
    // A new window size goes out on SIGWINCH.
    tmux.resize(120, 30);
    thread::sleep(Duration::from_millis(500));
    tmux.keys(&["again", "Enter"]);
    let screen = tmux.wait_for("answer [again]");
    assert!(screen.contains("size=120x"), "{screen}");
    // ^] opens the menu; q quits; the terminal is restored.
    tmux.keys(&["C-]"]);
    tmux.wait_for("[q]uit");
    tmux.keys(&["q"]);
    let (before_text, after_text) = run.stty_before_after();
    assert_eq!(before_text, after_text);
}

#[test]
fn interactive_line_mode_echoes_locally_in_tmux() {
    // A line-mode server offers neither ECHO nor SGA: the terminal stays cooked and echoes.
    let server = serve(quick().line_mode(true), |conn| {
        let _ = conn.prompt("line> ");
        while let Ok(line) = conn.readline(Some(Duration::from_secs(20))) {
            let _ = conn.write(&format!("answer [{}]\r\n", line.trim_end()));
            let _ = conn.prompt("line> ");
        }
    });
    let Some(tmux) = Tmux::start("cli-line", 100, 30) else {
        return;
    };
    let run = PaneRun::new(
        "cli-tmux-line",
        &format!("{CLIENT} 127.0.0.1 {}", server.port),
    );
    tmux.keys(&[run.line(), "Enter"]);
    tmux.wait_for("line>");
    let during = tmux.stty();
    assert!(
        during.contains(" icanon") && during.contains(" echo "),
        "{during}"
    );
    tmux.keys(&["hello", "Enter"]);
    let screen = tmux.wait_for("answer [hello]");
    assert_eq!(screen.matches("hello").count(), 2, "{screen}"); // local echo + answer
                                                                // ^] ends the line at once in line mode, so the menu comes up without Enter.
    tmux.keys(&["C-]"]);
    tmux.wait_for("[q]uit");
    tmux.keys(&["q"]);
    assert_eq!(run.exit_code(), 0);
}

#[test]
fn password_is_not_echoed_in_tmux() {
    // A line-mode server that asks for a password the telnet way: WILL ECHO, and no echo.
    let server = serve(quick().line_mode(true), |conn| {
        let _ = conn.prompt("login: ");
        let Ok(user) = conn.readline(Some(Duration::from_secs(20))) else {
            return;
        };
        let _ = conn.password_mode_on();
        let _ = conn.prompt("password: ");
        let Ok(password) = conn.readline(Some(Duration::from_secs(20))) else {
            return;
        };
        let _ = conn.password_mode_off();
        let _ = conn.write(&format!(
            "\r\nwelcome [{}], {} characters\r\n",
            user.trim_end(),
            password.trim_end().len()
        ));
        let _ = conn.prompt("$ ");
        let _ = conn.readline(Some(Duration::from_secs(20)));
    });
    let Some(tmux) = Tmux::start("cli-password", 100, 30) else {
        return;
    };
    tmux.keys(&[&format!("{CLIENT} 127.0.0.1 {}", server.port), "Enter"]);
    tmux.wait_for("login:");
    tmux.keys(&["alice", "Enter"]);
    tmux.wait_for("password:");
    tmux.keys(&["hunter2", "Enter"]);
    let screen = tmux.wait_for("welcome [alice], 7 characters");
    assert!(
        screen.contains("login: alice"),
        "the user name is echoed: {screen}"
    );
    assert!(!screen.contains("hunter2"), "the password is not: {screen}");
    // After password mode the terminal echoes locally again.
    tmux.keys(&["visible", "Enter"]);
    tmux.wait_for("$ visible");
}

#[test]
fn sigterm_restores_the_terminal_in_tmux() {
    let server = serve(quick(), |conn| {
        let _ = conn.prompt("tel:sh> ");
        let _ = conn.readline(Some(Duration::from_secs(20)));
    });
    let Some(tmux) = Tmux::start("cli-sigterm", 100, 30) else {
        return;
    };
    let run = PaneRun::with_stty(
        "cli-tmux-sigterm",
        "-a",
        &format!("{CLIENT} 127.0.0.1 {}", server.port),
    );
    tmux.keys(&[run.line(), "Enter"]);
    tmux.wait_for("tel:sh>");
    let raw = tmux.stty();
    assert!(raw.contains("-icanon") && raw.contains("-echo "), "{raw}");
    // The client is the pane shell's child.
    let shell = tmux.cmd(&["display-message", "-p", "-t", "cli", "#{pane_pid}"]);
    let shell = String::from_utf8_lossy(&shell.stdout).trim().to_owned();
    let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children"));
    let client = children.unwrap().trim().to_owned();
    assert!(
        !client.is_empty() && !client.contains('\n'),
        "client pid: {client:?}"
    );
    let killed = Command::new("kill")
        .args(["-TERM", &client])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(run.exit_code(), 143);
    let (before_stty, after_stty) = run.stty_before_after();
    assert_eq!(before_stty, after_stty);
}

#[test]
fn will_sga_alone_is_character_at_a_time_with_local_echo_in_tmux() {
    // A server that suppresses Go-Ahead (WILL SGA) but does not echo: each key goes out as it is
    // typed, and the terminal echoes it. Then the server hangs up.
    let server = serve(quick().line_mode(true), |conn| {
        let _ = conn.with_negotiator(|neg| neg.request(Side::Local, telopt::SGA, true));
        let _ = conn.prompt("char> ");
        if let Ok(key) = conn.read_bytes(1, Some(Duration::from_secs(20))) {
            let _ = conn.write(&format!("\r\ngot [{}]\r\n", String::from_utf8_lossy(&key)));
        }
        conn.close();
    });
    let Some(tmux) = Tmux::start("cli-sga", 100, 30) else {
        return;
    };
    let run = PaneRun::with_stty(
        "cli-tmux-sga",
        "-a",
        &format!("{CLIENT} 127.0.0.1 {}", server.port),
    );
    tmux.keys(&[run.line(), "Enter"]);
    tmux.wait_for("char>");
    let during = tmux.wait_until("-icanon", |_| tmux.stty().contains("-icanon"));
    let stty = tmux.stty();
    assert!(stty.contains(" echo "), "{stty}\n{during}");
    // One key, no Enter: it goes out at once, and the terminal showed it.
    tmux.keys(&["x"]);
    let screen = tmux.wait_for("got [x]");
    assert!(screen.contains("char> x"), "{screen}");
    // The server hung up: the client exits 0 and the terminal is as it was.
    assert_eq!(run.exit_code(), 0);
    let (before_stty, after_stty) = run.stty_before_after();
    assert_eq!(before_stty, after_stty);
}
