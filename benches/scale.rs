//! Holds many concurrent negotiated connections on one `BlockingTelnetServer`, then closes them,
//! and reports the server's threads and memory before, during and after.
//!
//! `cargo bench --bench scale` runs 10,000 connections (`-- --clients N` for another number).
//! The server runs in this process; the clients run in a second process (this binary again, with
//! `--loadgen`), one poll loop negotiating every connection with the crate's own sans-IO client
//! negotiator, so the server's file-descriptor and thread budget is its own. Under `cargo test` it
//! runs 200 connections as a smoke test.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use telnetlib3::protocol::{ClientPolicy, Event, Negotiator};
use telnetlib3::{BlockingTelnetServer, ServerOptions};

/// Memory mappings of this process (each thread needs a few; `vm.max_map_count` bounds them).
fn mappings() -> usize {
    std::fs::read_to_string("/proc/self/maps").map_or(0, |m| m.lines().count())
}

/// Threads and resident memory of this process, from /proc.
fn usage() -> (usize, usize) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0)
    };
    (field("Threads:"), field("VmRSS:"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--loadgen") {
        let addr: SocketAddr = args[i + 1].parse().expect("address");
        let n: usize = args[i + 2].parse().expect("count");
        loadgen(addr, n);
        return;
    }
    env_logger::Builder::new()
        .filter_level(log::LevelFilter::Warn)
        .parse_default_env()
        .init();
    let full = args.iter().any(|a| a == "--bench");
    let clients = args
        .iter()
        .position(|a| a == "--clients")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(if full { 10_000 } else { 200 });
    if let Err(err) = run(clients) {
        eprintln!("scale: {err}");
        std::process::exit(1);
    }
}

/// Makes sure `vm.max_map_count` leaves room for `clients` connections (8 mappings each, 2
/// threads with a stack and a signal stack apiece): raises it when it can (root), returns the
/// value to restore.
fn make_room(clients: usize) -> Result<Option<usize>, String> {
    const PATH: &str = "/proc/sys/vm/max_map_count";
    let Some(current) = std::fs::read_to_string(PATH)
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
    else {
        return Ok(None);
    };
    let needed = clients * 8 + 16_384;
    if current >= needed {
        return Ok(None);
    }
    match std::fs::write(PATH, needed.to_string()) {
        Ok(()) => {
            println!("raised vm.max_map_count from {current} to {needed} for {clients} connections");
            Ok(Some(current))
        }
        Err(err) => Err(format!(
            "{clients} connections need vm.max_map_count >= {needed} (it is {current}) and it cannot be raised: {err}"
        )),
    }
}

fn run(clients: usize) -> Result<(), String> {
    let restore = make_room(clients)?;
    let result = serve(clients);
    if let Some(old) = restore {
        let _ = std::fs::write("/proc/sys/vm/max_map_count", old.to_string());
    }
    result
}

fn serve(clients: usize) -> Result<(), String> {
    let options = ServerOptions::default()
        .timeout(None)
        .connect_maxwait(Duration::from_secs(10));
    let server = BlockingTelnetServer::with_options("127.0.0.1", 0, options, |conn| {
        if conn.write("ready\r\n").is_ok() {
            // Hold the connection until the client leaves.
            while conn.read_some_bytes(None).is_ok() {}
        }
    });
    let addr = server.start().map_err(|e| e.to_string())?;
    let runner = server.clone();
    let serving = std::thread::spawn(move || runner.serve_forever());
    std::thread::sleep(Duration::from_millis(100));
    let base = (usage().0, usage().1, mappings());
    println!("{:<34} {:>10} {:>12}", "", "threads", "RSS (KiB)");
    println!("{:<34} {:>10} {:>12}", "baseline", base.0, base.1);
    // Two cycles at full size: the second shows memory freed by the first is reused.
    let cycles = if clients >= 1000 { 2 } else { 1 };
    let mut result = Ok(());
    for cycle in 1..=cycles {
        result = cycle_once(&server, addr, clients, cycle, base);
        if result.is_err() {
            break;
        }
    }
    server.shutdown();
    let _ = serving.join();
    result
}

/// One cycle: `clients` connect and negotiate, are held, then all close.
fn cycle_once(
    server: &BlockingTelnetServer,
    addr: SocketAddr,
    clients: usize,
    cycle: usize,
    (base_threads, base_rss, base_maps): (usize, usize, usize),
) -> Result<(), String> {
    let started = Instant::now();
    let mut child = Command::new(std::env::current_exe().map_err(|e| e.to_string())?)
        .args(["--loadgen", &addr.to_string(), &clients.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the load generator: {e}"))?;
    let mut child_out = BufReader::new(child.stdout.take().ok_or("no stdout")?);
    let mut line = String::new();
    // The load generator says "ready N" once every connection got the handler's banner.
    let ready = loop {
        line.clear();
        if child_out.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
            return Err("load generator exited early".to_owned());
        }
        if let Some(n) = line.trim().strip_prefix("ready ") {
            break n.parse::<usize>().unwrap_or(0);
        }
    };
    let negotiated_in = started.elapsed();
    let held = server.clients().len();
    let (peak_threads, peak_rss) = usage();
    let peak_maps = mappings();

    // Close every client and wait for the server to notice.
    writeln!(child.stdin.as_mut().ok_or("no stdin")?, "close").map_err(|e| e.to_string())?;
    let closing = Instant::now();
    let mut after = usage();
    while closing.elapsed() < Duration::from_secs(60) {
        after = usage();
        if server.clients().is_empty() && after.0 <= base_threads + 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let closed_in = closing.elapsed();
    let after_maps = mappings();
    let _ = child.wait();

    println!(
        "{:<34} {:>10} {:>12}",
        format!("cycle {cycle}: {ready} clients negotiated"),
        peak_threads,
        peak_rss
    );
    println!(
        "{:<34} {:>10} {:>12}",
        format!("cycle {cycle}: after closing all"),
        after.0,
        after.1
    );
    println!(
        "  held {held} of {clients}; negotiated in {:.1} s; closed in {:.1} s; \
         per connection {:.1} KiB resident, {:.2} threads, {:.1} mappings; mappings after {after_maps} \
         (baseline {base_maps})",
        negotiated_in.as_secs_f64(),
        closed_in.as_secs_f64(),
        peak_rss.saturating_sub(base_rss) as f64 / ready.max(1) as f64,
        peak_threads.saturating_sub(base_threads) as f64 / ready.max(1) as f64,
        peak_maps.saturating_sub(base_maps) as f64 / ready.max(1) as f64,
    );
    if ready != clients || held != clients {
        return Err(format!(
            "only {ready} of {clients} clients were served ({held} held)"
        ));
    }
    if after.0 > base_threads + 2 {
        return Err(format!(
            "{} threads left after closing, baseline {base_threads}",
            after.0
        ));
    }
    Ok(())
}

/// One client of the load generator: its socket, negotiator and progress.
struct Client {
    stream: TcpStream,
    neg: Negotiator,
    pending: Vec<u8>,
    seen: Vec<u8>,
    ready: bool,
}

/// The clients' side: one poll loop, every connection negotiated by a sans-IO `Negotiator`.
fn loadgen(addr: SocketAddr, n: usize) {
    let mut poll = Poll::new().expect("poll");
    let mut events = Events::with_capacity(1024);
    let mut clients: HashMap<Token, Client> = HashMap::new();
    let mut ready = 0usize;
    let mut opened = 0usize;
    let mut buf = vec![0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut report = Instant::now();
    while ready < n {
        if Instant::now() > deadline {
            eprintln!("loadgen: only {ready} of {n} ready after 300 s");
            break;
        }
        if report.elapsed() > Duration::from_secs(5) {
            eprintln!("loadgen: {opened} opened, {ready} ready");
            report = Instant::now();
        }
        // Open connections in steps, so the listen backlog never overflows.
        while opened < n && opened - ready < 256 {
            let mut stream = TcpStream::connect(addr).expect("connect");
            let token = Token(opened);
            poll.registry()
                .register(&mut stream, token, Interest::READABLE | Interest::WRITABLE)
                .expect("register");
            let policy = ClientPolicy::default().term("loadgen").cols(80).rows(24);
            clients.insert(
                token,
                Client {
                    stream,
                    neg: Negotiator::client(policy),
                    pending: Vec::new(),
                    seen: Vec::new(),
                    ready: false,
                },
            );
            opened += 1;
        }
        poll.poll(&mut events, Some(Duration::from_millis(100)))
            .expect("poll");
        for event in &events {
            let Some(client) = clients.get_mut(&event.token()) else {
                continue;
            };
            if event.is_readable() {
                loop {
                    match client.stream.read(&mut buf) {
                        Ok(0) => break,
                        Ok(k) => {
                            for ev in client.neg.receive(&buf[..k]) {
                                if let Event::Data(data) = ev {
                                    client.seen.extend_from_slice(&data);
                                }
                            }
                            let out = client.neg.take_transmit();
                            client.pending.extend_from_slice(&out);
                        }
                        Err(err) if err.kind() == ErrorKind::WouldBlock => break,
                        Err(_) => break,
                    }
                }
                if !client.ready && client.seen.windows(7).any(|w| w == b"ready\r\n") {
                    client.ready = true;
                    client.seen = Vec::new();
                    ready += 1;
                }
            }
            while !client.pending.is_empty() {
                match client.stream.write(&client.pending) {
                    Ok(k) => {
                        client.pending.drain(..k);
                    }
                    Err(_) => break,
                }
            }
        }
    }
    println!("ready {ready}");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    drop(clients);
}
