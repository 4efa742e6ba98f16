//! `interact()`, `mt_interact()` and `listener()`: the "very dumb telnet client".

use std::io::{self, BufRead, Write};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::Duration;

use super::socket::TelnetSocket;
use super::telnet::Telnet;
use crate::error::{Error, Result};

/// How long the loop waits on the socket before it looks at the input lines again.
const INPUT_POLL: Duration = Duration::from_millis(20);

/// What Python prints when the peer closes the connection during `interact`.
const CLOSED_MESSAGE: &str = "*** Connection closed by remote host ***";

/// A line of input (`Some`), or the end of the input (`None`).
type InputLine = Option<Vec<u8>>;

/// Reads `input` line by line on a thread of its own and sends the lines (then `None`) to `tx`.
/// The thread ends at the end of the input, on a read error, or when nobody listens any more.
fn spawn_line_reader<F>(mut read_line: F, tx: mpsc::Sender<InputLine>)
where
    F: FnMut(&mut Vec<u8>) -> io::Result<usize> + Send + 'static,
{
    let spawned = thread::Builder::new()
        .name("telnet-interact-input".into())
        .spawn(move || loop {
            let mut line = Vec::new();
            match read_line(&mut line) {
                Ok(0) | Err(_) => {
                    let _ = tx.send(None);
                    return;
                }
                Ok(_) => {
                    if tx.send(Some(line)).is_err() {
                        return;
                    }
                }
            }
        });
    if spawned.is_err() {
        // No thread: behave as if the input had ended at once.
        log::warn!("telnet interact: could not start the input thread");
    }
}

/// The lines of stdin, read by one thread for the whole process: `interact` can be called again
/// (or on another connection) without two threads competing for stdin, and a line read while no
/// `interact` runs waits for the next one.
fn stdin_lines() -> &'static Mutex<Receiver<InputLine>> {
    static STDIN_LINES: OnceLock<Mutex<Receiver<InputLine>>> = OnceLock::new();
    STDIN_LINES.get_or_init(|| {
        let (tx, rx) = mpsc::channel();
        // Stdin is locked only while a line is read, not for the life of the thread.
        spawn_line_reader(|line| io::stdin().lock().read_until(b'\n', line), tx);
        Mutex::new(rx)
    })
}

impl<S: TelnetSocket> Telnet<S> {
    /// `interact()`: a very dumb telnet client on stdin and stdout. Whatever the connection
    /// sends is written to stdout as it comes; every line typed on stdin is sent (with
    /// [`write`](Telnet::write)). Returns at the end of stdin, or when the peer closes the
    /// connection (after printing `*** Connection closed by remote host ***`).
    ///
    /// Stdin is read on a thread (one for the whole process, shared by every call), on every
    /// platform: Python only does that on Windows and uses `select` on stdin elsewhere. Data is
    /// written to stdout as bytes, where Python decodes it as ASCII (and fails on anything
    /// else).
    ///
    /// # Errors
    ///
    /// Socket errors ([`Error::Io`], [`Error::Timeout`], [`Error::Closed`]) and stdout write
    /// errors ([`Error::Io`]).
    pub fn interact(&mut self) -> Result<()> {
        let lines = stdin_lines()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let stdout = io::stdout();
        let mut out = stdout.lock();
        self.interact_loop(&lines, &mut out)
    }

    /// `mt_interact()`: the multithreaded `interact()`. Python reads stdin on the calling thread
    /// and the socket on a second one (which it leaves running after stdin ends); here it is the
    /// same loop as [`interact`](Telnet::interact), which already reads stdin on a thread of
    /// its own, so that the connection stays owned by the caller and nothing is left running.
    ///
    /// # Errors
    ///
    /// As [`interact`](Telnet::interact).
    pub fn mt_interact(&mut self) -> Result<()> {
        self.interact()
    }

    /// `interact()` on any input and output: lines of `input` (read on a new thread, which ends
    /// with the input or with the first line read after this call returned) are sent, what the
    /// connection sends is written to `output`. Not in telnetlib; this is what `interact` does
    /// with stdin and stdout, for tests and embedding.
    ///
    /// # Errors
    ///
    /// As [`interact`](Telnet::interact), with `output`'s write errors.
    pub fn interact_with<R, W>(&mut self, input: R, mut output: W) -> Result<()>
    where
        R: BufRead + Send + 'static,
        W: Write,
    {
        let (tx, rx) = mpsc::channel();
        let mut input = input;
        spawn_line_reader(move |line| input.read_until(b'\n', line), tx);
        self.interact_loop(&rx, &mut output)
    }

    /// `listener()`: the helper Python's `mt_interact` runs on its second thread. Writes what
    /// the connection sends to stdout until the peer closes it (then prints
    /// `*** Connection closed by remote host ***`). Waits for data instead of polling
    /// `read_eager` in a busy loop as Python does.
    ///
    /// # Errors
    ///
    /// Socket errors and stdout write errors, as [`interact`](Telnet::interact).
    pub fn listener(&mut self) -> Result<()> {
        let stdout = io::stdout();
        loop {
            self.get_socket_mut()
                .ok_or(Error::Closed)?
                .wait_readable(None)
                .map_err(Error::from_io)?;
            if !self.show_incoming(&mut stdout.lock())? {
                return Ok(());
            }
        }
    }

    fn interact_loop(&mut self, lines: &Receiver<InputLine>, out: &mut dyn Write) -> Result<()> {
        loop {
            let ready = self
                .get_socket_mut()
                .ok_or(Error::Closed)?
                .wait_readable(Some(INPUT_POLL))
                .map_err(Error::from_io)?;
            if ready && !self.show_incoming(out)? {
                return Ok(());
            }
            loop {
                match lines.try_recv() {
                    Ok(Some(line)) => self.write(&line)?,
                    Ok(None) | Err(TryRecvError::Disconnected) => return Ok(()),
                    Err(TryRecvError::Empty) => break,
                }
            }
        }
    }

    /// `read_eager()` to `out`; false (after the closing message) at the end of the connection.
    fn show_incoming(&mut self, out: &mut dyn Write) -> Result<bool> {
        match self.read_eager() {
            Ok(text) => {
                if !text.is_empty() {
                    out.write_all(&text).map_err(Error::Io)?;
                    out.flush().map_err(Error::Io)?;
                }
                Ok(true)
            }
            Err(Error::Eof) => {
                writeln!(out, "{CLOSED_MESSAGE}").map_err(Error::Io)?;
                out.flush().map_err(Error::Io)?;
                Ok(false)
            }
            Err(err) => Err(err),
        }
    }
}
