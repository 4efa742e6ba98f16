//! Guards for a server on a public address, after telnetlib3's `guard_shells`: a limit on
//! concurrent sessions ([`ConnectionLimit`], with [`busy_shell`] for the clients over it) and a
//! check that a client is a terminal a person uses ([`robot_check`], with [`robot_shell`] for
//! the ones that fail). [`Guard`] puts them in front of any shell.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::ServerConnection;

/// The character [`robot_check`] measures: U+231A WATCH, two columns wide on a terminal that
/// knows its Unicode.
pub const WIDE_TEST_CHAR: char = '\u{231a}';

/// The most input a guard shell reads for one answer.
const MAX_INPUT: usize = 2048;

/// A shared count of sessions with a limit: [`try_acquire`](Self::try_acquire) gives a
/// [`Permit`] while fewer than `limit` are out, and each permit gives its place back when
/// dropped.
///
/// ```
/// use telnetlib3::shell::guard::ConnectionLimit;
/// let limit = ConnectionLimit::new(1);
/// let first = limit.try_acquire().expect("a place");
/// assert!(limit.try_acquire().is_none());
/// drop(first);
/// assert_eq!(limit.count(), 0);
/// assert!(limit.try_acquire().is_some());
/// ```
#[derive(Debug, Clone)]
pub struct ConnectionLimit {
    limit: usize,
    count: Arc<AtomicUsize>,
}

/// A place under a [`ConnectionLimit`], given back on drop.
#[derive(Debug)]
pub struct Permit {
    count: Arc<AtomicUsize>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::SeqCst);
    }
}

impl ConnectionLimit {
    /// A limit of `limit` sessions at once.
    #[must_use]
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            count: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// A place, if fewer than the limit are taken.
    #[must_use]
    pub fn try_acquire(&self) -> Option<Permit> {
        self.count
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < self.limit).then_some(n + 1)
            })
            .ok()
            .map(|_| Permit {
                count: Arc::clone(&self.count),
            })
    }

    /// Places taken now.
    #[must_use]
    pub fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// The limit.
    #[must_use]
    pub fn limit(&self) -> usize {
        self.limit
    }
}

/// Finds a cursor position report (`ESC [ row ; col R`) in `input`: `(row, col)`.
fn parse_cpr(input: &[u8]) -> Option<(u32, u32)> {
    let mut from = 0;
    while let Some(at) = memchr::memchr(0x1b, &input[from..]).map(|i| i + from) {
        from = at + 1;
        let rest = input.get(at + 1..)?;
        let Some(body) = rest.strip_prefix(b"[") else {
            continue;
        };
        let end = body
            .iter()
            .position(|&b| !(b.is_ascii_digit() || b == b';'))?;
        if body[end] != b'R' {
            continue;
        }
        let text = std::str::from_utf8(&body[..end]).ok()?;
        if let Some((row, col)) = text.split_once(';') {
            if let (Ok(row), Ok(col)) = (row.parse(), col.parse()) {
                return Some((row, col));
            }
        }
    }
    None
}

/// Asks the client's terminal where its cursor is (`ESC [ 6 n`) and reads the report,
/// waiting up to `timeout`. `None` when no report came in time. Input that arrives with the
/// report is consumed.
#[must_use]
pub fn cursor_position(conn: &ServerConnection, timeout: Duration) -> Option<(u32, u32)> {
    conn.write_bytes(b"\x1b[6n").ok()?;
    let deadline = Instant::now() + timeout;
    let mut seen = Vec::new();
    while seen.len() < MAX_INPUT {
        let left = deadline.checked_duration_since(Instant::now())?;
        let data = conn.read_bytes(MAX_INPUT - seen.len(), Some(left)).ok()?;
        seen.extend_from_slice(&data);
        if seen.contains(&b'R') {
            if let Some(position) = parse_cpr(&seen) {
                return Some(position);
            }
        }
    }
    None
}

/// How many columns the client's terminal advances for `text`, measured with two cursor
/// position reports; the text is erased afterwards. `None` when the terminal does not report.
#[must_use]
pub fn measure_width(conn: &ServerConnection, text: &str, timeout: Duration) -> Option<u32> {
    let (_, before) = cursor_position(conn, timeout)?;
    conn.write_bytes(text.as_bytes()).ok()?;
    let (_, after) = cursor_position(conn, timeout)?;
    let width = after.saturating_sub(before);
    let blank = " ".repeat(usize::try_from(width).unwrap_or(0).min(256));
    let _ = conn.write_bytes(format!("\x1b[{before}G{blank}\x1b[{before}G").as_bytes());
    Some(width)
}

/// telnetlib3's robot check: whether the client's terminal draws [`WIDE_TEST_CHAR`] two
/// columns wide. Scanners and scripts do not answer cursor position requests, so they fail
/// (after `timeout`, telnetlib3's is 5 s).
///
/// The character is sent as UTF-8 whatever the session's encoding, and the server's echo is
/// off while the terminal answers.
#[must_use]
pub fn robot_check(conn: &ServerConnection, timeout: Duration) -> bool {
    let discipline = conn.line_discipline();
    conn.set_line_discipline(false);
    let width = measure_width(conn, &WIDE_TEST_CHAR.to_string(), timeout);
    conn.set_line_discipline(discipline);
    log::debug!("{}: robot check measured width {width:?}", conn.addrport());
    width == Some(2)
}

/// Reads one line of at most [`MAX_INPUT`] bytes, `None` on timeout or hang-up.
fn answer(conn: &ServerConnection, timeout: Duration) -> Option<String> {
    let line = conn.readline_bytes(Some(timeout)).ok()?;
    let line = &line[..line.len().min(MAX_INPUT)];
    Some(String::from_utf8_lossy(line).trim().to_owned())
}

/// Asks `question` until the answer is not blank; `None` on timeout or hang-up.
fn ask(conn: &ServerConnection, question: &str, timeout: Duration) -> Option<String> {
    loop {
        conn.write_bytes(question.as_bytes()).ok()?;
        let line = answer(conn, timeout)?;
        if !line.is_empty() {
            return Some(line);
        }
        conn.write_bytes(b"\r\n").ok()?;
    }
}

/// telnetlib3's shell for clients that fail the [`robot_check`]: two questions (10 s each),
/// the answers logged, then the client is disconnected.
pub fn robot_shell(conn: &ServerConnection) {
    let peer = conn.addrport();
    log::info!("{peer}: robot shell");
    let timeout = Duration::from_secs(10);
    let mut answers = Vec::new();
    if let Some(first) = ask(conn, "Do robots dream of electric sheep? [yn] ", timeout) {
        answers.push(first);
        if let Some(second) = ask(
            conn,
            "\r\nHave you ever wondered, who are the windowmakers? ",
            timeout,
        ) {
            answers.push(second);
            let _ = conn.write_bytes(b"\r\n");
        }
    }
    if answers.is_empty() {
        log::info!("{peer}: robot shell: no answer");
    } else {
        log::info!("{peer}: robot denied, answers={answers:?}");
    }
    conn.close();
}

/// telnetlib3's shell for clients over a [`ConnectionLimit`]: "Machine is busy, do not
/// touch!", two lines read (30 s each) and logged, then the client is disconnected.
pub fn busy_shell(conn: &ServerConnection) {
    let peer = conn.addrport();
    log::info!("{peer}: busy shell (limit reached)");
    let timeout = Duration::from_secs(30);
    if conn.write_bytes(b"Machine is busy, do not touch! ").is_ok() {
        if let Some(line) = answer(conn, timeout) {
            log::info!("{peer}: busy shell: input1={line:?}");
        }
        if conn
            .write_bytes(b"\r\nYou hear a distant explosion... ")
            .is_ok()
        {
            if let Some(line) = answer(conn, timeout) {
                log::info!("{peer}: busy shell: input2={line:?}");
            }
            let _ = conn.write_bytes(b"\r\n");
        }
    }
    conn.close();
}

/// Guards in front of a shell, as `telnetlib3-server --pty-fork-limit N --robot-check` puts
/// them: clients over the limit get the [`busy_shell`], then clients that fail the
/// [`robot_check`] get the [`robot_shell`], and the rest the shell.
///
/// ```no_run
/// use telnetlib3::shell::{self, guard::Guard};
/// use telnetlib3::BlockingTelnetServer;
///
/// let guard = Guard::new().limit(Some(2)).robot_check(true);
/// let server = BlockingTelnetServer::new("127.0.0.1", 6023, move |conn| {
///     guard.run(conn, shell::telsh)
/// });
/// server.serve_forever()?;
/// # Ok::<(), telnetlib3::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Guard {
    limit: Option<ConnectionLimit>,
    robot_check: bool,
    robot_timeout: Duration,
}

impl Default for Guard {
    fn default() -> Self {
        Self::new()
    }
}

impl Guard {
    /// No limit, no robot check: every client gets the shell.
    #[must_use]
    pub fn new() -> Self {
        Self {
            limit: None,
            robot_check: false,
            robot_timeout: Duration::from_secs(5),
        }
    }

    /// At most `limit` clients in the shell at once (`None` or `Some(0)`: no limit).
    #[must_use]
    pub fn limit(mut self, limit: Option<usize>) -> Self {
        self.limit = limit.filter(|&n| n > 0).map(ConnectionLimit::new);
        self
    }

    /// Whether clients must pass the [`robot_check`].
    #[must_use]
    pub fn robot_check(mut self, check: bool) -> Self {
        self.robot_check = check;
        self
    }

    /// How long each cursor position report may take in the robot check (default 5 s).
    #[must_use]
    pub fn robot_timeout(mut self, timeout: Duration) -> Self {
        self.robot_timeout = timeout;
        self
    }

    /// Sessions in the shell now, when there is a limit.
    #[must_use]
    pub fn sessions(&self) -> Option<usize> {
        self.limit.as_ref().map(ConnectionLimit::count)
    }

    /// Runs `shell` for `conn` if the guards let it through, else the guard shell. A client
    /// that already left gets neither (and takes no place under the limit).
    pub fn run(&self, conn: ServerConnection, shell: impl FnOnce(ServerConnection)) {
        if !conn.active() {
            return;
        }
        let _permit = match &self.limit {
            None => None,
            Some(limit) => match limit.try_acquire() {
                Some(permit) => Some(permit),
                None => {
                    busy_shell(&conn);
                    return;
                }
            },
        };
        if self.robot_check && !robot_check(&conn, self.robot_timeout) {
            robot_shell(&conn);
            return;
        }
        shell(conn);
    }
}

#[cfg(test)]
mod tests {
    use super::parse_cpr;

    #[test]
    fn cursor_position_reports() {
        assert_eq!(parse_cpr(b"\x1b[24;80R"), Some((24, 80)));
        assert_eq!(parse_cpr(b"typed\x1b[A\x1b[3;12R"), Some((3, 12)));
        assert_eq!(parse_cpr(b"\x1b[1;1"), None);
        assert_eq!(parse_cpr(b"\x1b[;R\x1b"), None);
        assert_eq!(parse_cpr(b"\x1b[99999999999;1R"), None);
        assert_eq!(parse_cpr(b""), None);
    }
}
