use super::*;

const STEP: Option<Duration> = Some(Duration::from_secs(5));

fn read_until(pty: &Pty, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains(needle) {
        assert!(
            Instant::now() < deadline,
            "no {needle:?} in {:?}",
            String::from_utf8_lossy(&seen)
        );
        match pty.read(&mut buf, Some(Duration::from_millis(200))) {
            Ok(0) => break,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
            Err(err) if err.kind() == io::ErrorKind::TimedOut => {}
            Err(err) => panic!("read: {err}"),
        }
    }
    String::from_utf8_lossy(&seen).into_owned()
}

#[test]
fn runs_a_program_with_its_environment_and_size() {
    let pty = PtyCommand::new("sh")
        .args(["-c", "echo \"$GREETING\"; stty size"])
        .env("GREETING", "hello pty")
        .size(33, 101)
        .spawn()
        .unwrap();
    let out = read_until(&pty, "33 101");
    assert!(out.contains("hello pty\r\n"), "{out:?}");
    assert!(pty.wait().unwrap().success());
    let mut buf = [0u8; 16];
    assert_eq!(pty.read(&mut buf, STEP).unwrap(), 0, "end of output");
}

#[test]
fn input_echo_and_modes() {
    let pty = PtyCommand::new("/bin/sh").env("PS1", "$ ").spawn().unwrap();
    read_until(&pty, "$ ");
    pty.write_all(
        b"stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo\r",
        STEP,
    )
    .unwrap();
    let out = read_until(&pty, "echo\r\n$ ");
    assert!(out.contains("stty -a"), "the terminal echoes: {out:?}");
    assert!(out.contains("icanon"), "{out:?}");

    let quiet = PtyCommand::new("/bin/sh")
        .env("PS1", "$ ")
        .echo(false)
        .erase(0x08)
        .spawn()
        .unwrap();
    read_until(&quiet, "$ ");
    quiet
        .write_all(b"stty -a | grep -o 'erase = ^H'\r", STEP)
        .unwrap();
    let out = read_until(&quiet, "erase = ^H\r\n");
    assert!(!out.contains("stty -a"), "no echo: {out:?}");
}

#[test]
fn resize_reaches_the_program() {
    let pty = PtyCommand::new("/bin/sh")
        .args([
            "-c",
            "trap 'stty size' WINCH; echo ready; while :; do sleep 0.05; done",
        ])
        .spawn()
        .unwrap();
    read_until(&pty, "ready");
    pty.resize(40, 132).unwrap();
    assert_eq!(pty.size().unwrap(), (40, 132));
    read_until(&pty, "40 132");
    pty.terminate(Duration::from_millis(100)).unwrap();
}

#[test]
fn missing_program_is_an_error_not_a_child() {
    let err = PtyCommand::new("/nonexistent/program").spawn().unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::NotFound);
    let err = PtyCommand::new("no-such-program-here").spawn().unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::NotFound);
    let file = std::env::temp_dir().join(format!("pty-not-executable-{}", std::process::id()));
    std::fs::write(&file, "not a program").unwrap();
    let err = PtyCommand::new(&file).spawn().unwrap_err();
    std::fs::remove_file(&file).unwrap();
    assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
}

#[test]
fn terminate_ends_a_program_that_ignores_hangup() {
    let pty = PtyCommand::new("/bin/sh")
        .args([
            "-c",
            "trap '' HUP; echo ready; while :; do sleep 0.05; done",
        ])
        .spawn()
        .unwrap();
    read_until(&pty, "ready");
    let status = pty.terminate(Duration::from_millis(50)).unwrap();
    assert!(!status.success());
    // Reaped: waiting again gives the same status, no process is left.
    assert_eq!(pty.try_wait().unwrap(), Some(status));
}

#[test]
fn wait_timeout_returns_at_the_exit_or_at_the_deadline() {
    let pty = PtyCommand::new("/bin/sh")
        .args(["-c", "read line; exit 3"])
        .spawn()
        .unwrap();
    let start = Instant::now();
    assert_eq!(pty.wait_timeout(Duration::from_millis(100)).unwrap(), None);
    assert!(start.elapsed() >= Duration::from_millis(100));
    pty.write_all(b"go\r", STEP).unwrap();
    let start = Instant::now();
    let status = pty.wait_timeout(Duration::from_secs(30)).unwrap();
    assert_eq!(status.and_then(|s| s.code()), Some(3));
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "woken by the exit"
    );
    // Reaped once; later waits give the same status at once.
    assert_eq!(pty.wait_timeout(Duration::ZERO).unwrap(), status);
    assert_eq!(pty.wait().ok(), status);
}

#[test]
fn wait_timeout_ends_while_another_thread_signals() {
    let pty = std::sync::Arc::new(
        PtyCommand::new("/bin/sh")
            .args([
                "-c",
                "trap 'exit 5' USR1; echo ready; while :; do sleep 0.05; done",
            ])
            .spawn()
            .unwrap(),
    );
    read_until(&pty, "ready");
    let waiter = {
        let pty = std::sync::Arc::clone(&pty);
        std::thread::spawn(move || pty.wait_timeout(Duration::from_secs(30)))
    };
    pty.signal_group(libc::SIGUSR1).unwrap();
    let status = waiter.join().unwrap().unwrap();
    assert_eq!(status.and_then(|s| s.code()), Some(5));
}

#[test]
fn terminate_ends_jobs_left_in_process_groups_of_their_own() {
    // `set -m`: each background job gets a process group of its own, which the hang-up
    // of the program's group does not reach. The second one ignores SIGHUP and SIGTERM.
    let pty = PtyCommand::new("/bin/sh")
        .args([
            "-c",
            "set -m; sleep 60 & a=$!; (trap '' HUP TERM; exec sleep 61) & echo \"jobs $a $!\"; wait",
        ])
        .spawn()
        .unwrap();
    let out = read_until(&pty, "\r\n");
    let jobs: Vec<libc::pid_t> = out
        .trim()
        .strip_prefix("jobs ")
        .map(|pids| pids.split(' ').filter_map(|p| p.parse().ok()).collect())
        .unwrap_or_default();
    assert_eq!(jobs.len(), 2, "{out:?}");
    let mut members = session_members(pty.pid);
    members.sort_unstable();
    let mut expected = vec![pty.pid, jobs[0], jobs[1]];
    expected.sort_unstable();
    assert_eq!(members, expected);
    let ends: Vec<OwnedFd> = jobs
        .iter()
        .map(|&job| super::super::child::pidfd(job).unwrap())
        .collect();
    pty.terminate(Duration::from_millis(100)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    for (job, end) in jobs.iter().zip(&ends) {
        let ended = super::super::child::wait_exit(end.as_raw_fd(), Some(deadline)).unwrap();
        assert!(ended, "job {job} still runs");
    }
}

#[test]
fn sigpipe_is_default_in_the_child() {
    let pty = PtyCommand::new("/bin/sh")
        .args(["-c", "grep SigIgn /proc/self/status"])
        .spawn()
        .unwrap();
    let out = read_until(&pty, "\r\n");
    let ignored = out
        .trim()
        .strip_prefix("SigIgn:")
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .expect("SigIgn mask");
    assert_eq!(ignored & (1 << (libc::SIGPIPE - 1)), 0, "{out:?}");
}
