//! Admission: how many clients this process can hold, and refusing the ones past it.

/// Memory mappings a connection costs: two threads, each a stack and a signal stack with a
/// guard page apiece.
const MAPPINGS_PER_CLIENT: usize = 8;
/// Threads a connection costs: the handler and the session's reader.
const THREADS_PER_CLIENT: usize = 2;

/// How many clients this process can hold before the system refuses it memory mappings
/// (`vm.max_map_count`), threads (`kernel.threads-max`, `kernel.pid_max`) or file descriptors
/// (`RLIMIT_NOFILE`), with what limits it: read from `/proc` where there is one.
pub(super) fn system_capacity() -> Option<(usize, String)> {
    let read =
        |path: &str| -> Option<usize> { std::fs::read_to_string(path).ok()?.trim().parse().ok() };
    let mut limits: Vec<(usize, String)> = Vec::new();
    if let Some(maps) = read("/proc/sys/vm/max_map_count") {
        let used = std::fs::read_to_string("/proc/self/maps").map_or(0, |m| m.lines().count());
        let room = maps.saturating_sub(used + 1024) / MAPPINGS_PER_CLIENT;
        limits.push((room, format!("vm.max_map_count={maps}")));
    }
    let threads = [
        read("/proc/sys/kernel/threads-max"),
        read("/proc/sys/kernel/pid_max"),
    ]
    .into_iter()
    .flatten()
    .min();
    if let Some(threads) = threads {
        let room = threads.saturating_sub(1024) / THREADS_PER_CLIENT;
        limits.push((room, format!("{threads} threads")));
    }
    let open_files = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|l| {
            l.lines()
                .find(|line| line.starts_with("Max open files"))
                .and_then(|line| line.split_whitespace().nth(3))
                .and_then(|soft| soft.parse::<usize>().ok())
        });
    if let Some(files) = open_files {
        limits.push((files.saturating_sub(64), format!("{files} open files")));
    }
    limits.into_iter().min_by_key(|(room, _)| *room)
}

/// Tells a client it is refused, and disconnects it (bounded: one second to write).
pub(super) fn refuse(stream: &std::net::TcpStream, message: &str) {
    use std::io::Write as _;
    let _ = stream.set_write_timeout(Some(std::time::Duration::from_secs(1)));
    let _ = (&*stream).write_all(message.as_bytes());
    let _ = stream.shutdown(std::net::Shutdown::Both);
}
