//! The `server_mud` example, run: a player logs in, walks two rooms, fights a round, and the
//! state is saved on SIGINT and loaded again by the next run. Loopback only; every wait is
//! bounded. And tintin++, a MUD client, in tmux: it walks two rooms, compressed (MCCP2), and
//! shows values the server sent by GMCP. The test command builds the examples first (`cargo build --examples`).

use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use telnetlib3::{ConnectOptions, TelnetConnection};

mod support;
use support::{require_all, TempDir};

const WAIT: Option<Duration> = Some(Duration::from_secs(10));

struct Mud {
    child: Child,
    port: u16,
}

impl Drop for Mud {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn example(name: &str) -> PathBuf {
    // target/<profile>/deps/mud_example-… → target/<profile>/examples/<name>
    let exe = std::env::current_exe()
        .unwrap()
        .parent()
        .and_then(std::path::Path::parent)
        .unwrap()
        .join("examples")
        .join(name);
    assert!(exe.exists(), "{} is not built", exe.display());
    exe
}

fn start(state: &std::path::Path) -> Mud {
    let mut child = Command::new(example("server_mud"))
        .arg("0")
        .arg(state)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let port = first
        .split_whitespace()
        .find_map(|w| w.strip_prefix("127.0.0.1:"))
        .and_then(|p| p.trim_end_matches(';').parse().ok())
        .unwrap_or_else(|| panic!("no address in {first:?}"));
    // Keep reading its output so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in out.lines() {});
    Mud { child, port }
}

fn connect(port: u16) -> TelnetConnection {
    TelnetConnection::connect_with(
        "127.0.0.1",
        port,
        ConnectOptions::default()
            .connect_maxwait(Duration::from_secs(2))
            .timeout(WAIT),
    )
    .unwrap()
}

fn say(conn: &TelnetConnection, line: &str) -> String {
    conn.write(&format!("{line}\r\n")).unwrap();
    conn.read_until("> ", WAIT).unwrap()
}

#[test]
fn a_player_walks_fights_and_is_remembered() {
    let dir = std::env::temp_dir().join(format!("telnetlib3-mud-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("state");
    let _ = std::fs::remove_file(&state);
    {
        let mut mud = start(&state);
        let conn = connect(mud.port);
        conn.read_until("Your name? ", WAIT).unwrap();
        let hello = say(&conn, "alice");
        assert!(
            hello.contains("Hello, alice.") && hello.contains("The Hall"),
            "{hello:?}"
        );
        assert!(say(&conn, "n").contains("The Library"));
        assert!(say(&conn, "s").contains("The Hall"));
        assert!(say(&conn, "down").contains("The Cellar"));
        assert!(say(&conn, "attack").contains("19/20 hp"));
        conn.write("quit\r\n").unwrap();
        assert!(conn.read_until("Farewell.", WAIT).is_ok());
        // SIGINT saves and stops.
        let status = Command::new("kill")
            .args(["-INT", &mud.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = mud.child.try_wait().unwrap() {
                assert!(status.success(), "{status}");
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "did not stop on SIGINT"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    assert_eq!(std::fs::read_to_string(&state).unwrap(), "alice\t3\t19\n");
    // The next run knows alice: she is back in the cellar.
    let mud = start(&state);
    let conn = connect(mud.port);
    conn.read_until("Your name? ", WAIT).unwrap();
    let hello = say(&conn, "alice");
    assert!(hello.contains("The Cellar"), "{hello:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// tintin++ 2.02 in tmux against the example: it takes GMCP when offered (a script answers
/// WILL GMCP with DO, as MUD clients' scripts do), walks two rooms, fights, and shows the
/// `Room.Info` and `Char.Vitals` values it received.
#[test]
fn tintin_walks_two_rooms_and_shows_gmcp_values() {
    let Some(tools) = require_all(&["tmux", "/usr/games/tt++"]) else {
        return;
    };
    let home = TempDir::new("mud-tintin");
    let state = home.path().join("state");
    let mud = start(&state);
    let script = home.path().join("mud.tin");
    std::fs::write(
        &script,
        format!(
            "#event {{IAC WILL GMCP}} {{#send {{\\xFF\\xFD\\xC9\\}}}}\n\
             #event {{IAC SB GMCP Room.Info IAC SE}} {{#showme {{ROOM %0}}}}\n\
             #event {{IAC SB GMCP Char.Vitals IAC SE}} {{#showme {{VITALS %0}}}}\n\
             #session s 127.0.0.1 {}\n",
            mud.port
        ),
    )
    .unwrap();
    let socket = home.path().join("tmux.sock");
    let tmux = |args: &[&str]| -> String {
        let out = Command::new(&tools[0])
            .arg("-S")
            .arg(&socket)
            .arg("-f")
            .arg("/dev/null")
            .args(args)
            .env("HOME", home.path())
            .env("TERM", "xterm")
            .output()
            .unwrap();
        assert!(out.status.success(), "tmux {args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    struct Kill<'a>(&'a dyn Fn(&[&str]) -> String);
    impl Drop for Kill<'_> {
        fn drop(&mut self) {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                (self.0)(&["kill-server"])
            }));
        }
    }
    let command = format!("{} -G {}", tools[1].display(), script.display());
    tmux(&[
        "new-session",
        "-d",
        "-s",
        "tt",
        "-x",
        "120",
        "-y",
        "50",
        &command,
    ]);
    let _kill = Kill(&tmux);
    let wait_screen = |text: &str| -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            let screen = tmux(&["capture-pane", "-p", "-t", "tt", "-J"]);
            if screen.contains(text) {
                return screen;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "tintin++ never showed {text:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait_screen("Your name?");
    tmux(&["send-keys", "-t", "tt", "carol", "Enter"]);
    wait_screen("Hello, carol.");
    tmux(&["send-keys", "-t", "tt", "n", "Enter"]);
    wait_screen("The Library");
    tmux(&["send-keys", "-t", "tt", "s", "Enter"]);
    tmux(&["send-keys", "-t", "tt", "d", "Enter"]);
    wait_screen("The Cellar");
    tmux(&["send-keys", "-t", "tt", "attack", "Enter"]);
    wait_screen("VITALS {hp}{19}");
    // What the server sees tintin++ took: GMCP, and MCCP2 (what follows the marker reaches
    // the screen only because tintin++ inflates it).
    tmux(&["send-keys", "-t", "tt", "protocols", "Enter"]);
    let screen = wait_screen("MCCP2 compression");
    println!("tintin++ screen:\n{}", screen.trim_end());
    assert!(
        screen.contains("GMCP on, MSDP off, MSSP off, MCCP2 compression on."),
        "{screen}"
    );
    assert!(
        screen.contains("ROOM {num}{1}{name}{The Library}"),
        "{screen}"
    );
    assert!(
        screen.contains("ROOM {num}{3}{name}{The Cellar}"),
        "{screen}"
    );
}
