//! A typical telnetlib automation script, ported to `telnetlib3::legacy::Telnet`.
//!
//! ```text
//! cargo run --example legacy_telnetlib -- [HOST [PORT]] [--user NAME [--password PW]] [-d]
//! ```
//!
//! Connects (default 127.0.0.1, port 23), logs in if `--user` is given (waiting for
//! `login: ` and, with `--password`, `Password: `), waits for a shell prompt, runs
//! `echo hi-$((1+1))`, reads until `hi-2`, prints what came back, and closes. Without `--user`
//! there is no login step, which is what a server like `busybox telnetd -l /bin/sh` wants.
//! `-d` turns on telnetlib's debug output (`Telnet(host,port): recv b'...'`).
//!
//! The Python it ports:
//!
//! ```python
//! tn = telnetlib.Telnet(host, port, timeout=10)
//! if user:
//!     tn.read_until(b"login: ", timeout=10)
//!     tn.write(user.encode() + b"\n")
//! index, match, text = tn.expect([rb"[$#>] ?$", rb"[$#>] "], timeout=10)
//! tn.write(b"echo hi-$((1+1))\n")
//! print(tn.read_until(b"hi-2", timeout=10).decode())
//! tn.close()
//! ```

use std::process::ExitCode;
use std::time::Duration;

use telnetlib3::legacy::{Regex, Telnet};

const TIMEOUT: Duration = Duration::from_secs(10);

struct Args {
    host: String,
    port: u16,
    user: Option<String>,
    password: Option<String>,
    debug: u32,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        host: "127.0.0.1".into(),
        port: 23,
        user: None,
        password: None,
        debug: 0,
    };
    let mut positional = Vec::new();
    let mut iter = std::env::args().skip(1);
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--user" => args.user = Some(iter.next().ok_or("--user needs a name")?),
            "--password" => args.password = Some(iter.next().ok_or("--password needs a value")?),
            "-d" => args.debug += 1,
            "-h" | "--help" => {
                return Err(
                    "usage: legacy_telnetlib [HOST [PORT]] [--user NAME [--password PW]] [-d]"
                        .into(),
                )
            }
            _ => positional.push(arg),
        }
    }
    if let Some(host) = positional.first() {
        args.host.clone_from(host);
    }
    if let Some(port) = positional.get(1) {
        args.port = port.parse().map_err(|_| format!("bad port {port:?}"))?;
    }
    Ok(args)
}

fn run(args: &Args) -> telnetlib3::Result<()> {
    let mut tn = Telnet::connect(&args.host, args.port, Some(TIMEOUT))?;
    tn.set_debuglevel(args.debug);

    if let Some(user) = &args.user {
        let banner = tn.read_until(b"login: ", Some(TIMEOUT))?;
        if !banner.ends_with(b"login: ") {
            eprintln!("no login prompt within {TIMEOUT:?}; trying anyway");
        }
        tn.write(format!("{user}\n").as_bytes())?;
        if let Some(password) = &args.password {
            tn.read_until(b"assword: ", Some(TIMEOUT))?;
            tn.write(format!("{password}\n").as_bytes())?;
        }
    }

    // A shell prompt: `$ `, `# ` or `> ` at the end of what has come so far.
    let prompts = [
        Regex::new(r"(?-u)[$#>] ?$").expect("valid regex"),
        Regex::new(r"(?-u)[$#>] ").expect("valid regex"),
    ];
    let (index, _, text) = tn.expect(&prompts, Some(TIMEOUT))?;
    match index {
        Some(_) => println!("--- prompt after {} bytes", text.len()),
        None => eprintln!(
            "no shell prompt within {TIMEOUT:?} (got {:?}); sending the command anyway",
            String::from_utf8_lossy(&text)
        ),
    }

    tn.write(b"echo hi-$((1+1))\n")?;
    let output = tn.read_until(b"hi-2", Some(TIMEOUT))?;
    print!("{}", String::from_utf8_lossy(&output));
    println!();
    let ok = output.ends_with(b"hi-2");
    // Let the rest of the line arrive, then leave.
    let _ = tn.read_until(b"\n", Some(Duration::from_millis(500)));
    tn.write(b"exit\n")?;
    tn.close();
    if ok {
        println!("--- ok");
        Ok(())
    } else {
        Err(telnetlib3::Error::Timeout)
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(telnetlib3::Error::Eof) => {
            eprintln!("connection closed by {}:{}", args.host, args.port);
            ExitCode::FAILURE
        }
        Err(err) => {
            eprintln!("{}:{}: {err}", args.host, args.port);
            ExitCode::FAILURE
        }
    }
}
