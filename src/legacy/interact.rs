//! `interact()`, `mt_interact()` and `listener()`: the "very dumb telnet client".
//!
//! One thread waits with poll(2) on the socket and the input together, as telnetlib's
//! `interact` does with a selector:
//!
//! ```text
//!            ┌──────── poll(socket, input) ◀──────────┐
//!            │                                        │
//!   socket readable ──▶ read_very_eager ──▶ output ───┤
//!   input readable ───▶ read a chunk ─────▶ write ────┘
//!   end of either ────▶ return (the peer's end after "*** Connection closed … ***")
//! ```

use std::io::{self, BufRead, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use super::socket::TelnetSocket;
use super::telnet::Telnet;
use crate::error::{Error, Result};
use crate::sys::poll::{poll, PollFd, WakePipe, READABLE};

/// For a socket without a descriptor, how long one wait on the input lasts before the socket
/// is looked at again.
const INPUT_POLL: Duration = Duration::from_millis(20);

/// The most read from stdin at once. At least the size of std's stdin buffer, so that a read
/// takes whatever that buffer holds in one go and otherwise reads the descriptor directly.
const STDIN_CHUNK: usize = 8 * 1024;

/// What Python prints when the peer closes the connection during `interact`.
const CLOSED_MESSAGE: &str = "*** Connection closed by remote host ***";

/// A line of input (`Some`), or the end of the input (`None`).
type InputLine = Option<Vec<u8>>;

/// What `interact` sends: stdin as it comes, or the lines of a reader thread.
enum Input {
    /// The process's stdin, waited on directly.
    Stdin { chunk: Vec<u8> },
    /// Lines from [`spawn_line_reader`], which wakes `wake` after each one.
    Lines {
        lines: Receiver<InputLine>,
        wake: Arc<WakePipe>,
    },
}

impl Input {
    /// The descriptor that becomes readable when there is input (or its end) to take.
    fn fd(&self) -> RawFd {
        match self {
            Input::Stdin { .. } => io::stdin().as_raw_fd(),
            Input::Lines { wake, .. } => wake.fd(),
        }
    }
}

/// Reads `input` line by line on a thread of its own, sends the lines (then `None`) to `tx` and
/// wakes `wake` after each. The thread ends at the end of the input, on a read error, or when
/// nobody listens any more.
fn spawn_line_reader<F>(mut read_line: F, tx: mpsc::Sender<InputLine>, wake: Arc<WakePipe>)
where
    F: FnMut(&mut Vec<u8>) -> io::Result<usize> + Send + 'static,
{
    let waker = Arc::clone(&wake);
    let spawned = thread::Builder::new()
        .name("telnet-interact-input".into())
        .spawn(move || loop {
            let mut line = Vec::new();
            let line = match read_line(&mut line) {
                Ok(0) | Err(_) => None,
                Ok(_) => Some(line),
            };
            let end = line.is_none();
            if tx.send(line).is_err() {
                return;
            }
            waker.wake();
            if end {
                return;
            }
        });
    if spawned.is_err() {
        // No thread: the sender is dropped with the closure, which ends the input at once.
        log::warn!("telnet interact: could not start the input thread");
        wake.wake();
    }
}

impl<S: TelnetSocket> Telnet<S> {
    /// `interact()`: a very dumb telnet client on stdin and stdout. Whatever the connection
    /// sends is written to stdout as it comes; whatever is typed on stdin is sent (with
    /// [`write`](Telnet::write), as it is read: a line at a time from a terminal). Returns at
    /// the end of stdin, or when the peer closes the connection (after printing
    /// `*** Connection closed by remote host ***`).
    ///
    /// As in Python, one thread waits on the socket and stdin together (poll(2), where Python
    /// uses a selector), and input that std's stdin buffer read ahead before the call is only
    /// seen once stdin is readable again. The socket must have a descriptor
    /// ([`TelnetSocket::readiness_fd`]); without one, the loop waits on stdin in 20 ms slices
    /// and looks at the socket between them. What was already received is written out first.
    /// Data is written to stdout as bytes, where Python decodes it as ASCII (and fails on
    /// anything else).
    ///
    /// # Errors
    ///
    /// Socket errors ([`Error::Io`], [`Error::Timeout`], [`Error::Closed`]), stdin read errors
    /// and stdout write errors ([`Error::Io`]).
    pub fn interact(&mut self) -> Result<()> {
        let stdout = io::stdout();
        let mut input = Input::Stdin {
            chunk: vec![0; STDIN_CHUNK],
        };
        self.interact_loop(&mut input, &mut stdout.lock())
    }

    /// `mt_interact()`: the multithreaded `interact()`. Python reads stdin on the calling thread
    /// and the socket on a second one (which it leaves running after stdin ends); here it is the
    /// same single-threaded loop as [`interact`](Telnet::interact), so that the connection stays
    /// owned by the caller and nothing is left running.
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
    /// As [`interact`](Telnet::interact), with `output`'s write errors, and [`Error::Io`] if
    /// the pipe that wakes the loop cannot be made.
    pub fn interact_with<R, W>(&mut self, input: R, mut output: W) -> Result<()>
    where
        R: BufRead + Send + 'static,
        W: Write,
    {
        let (tx, lines) = mpsc::channel();
        let wake = Arc::new(WakePipe::new().map_err(Error::Io)?);
        let mut input = input;
        spawn_line_reader(
            move |line| input.read_until(b'\n', line),
            tx,
            Arc::clone(&wake),
        );
        self.interact_loop(&mut Input::Lines { lines, wake }, &mut output)
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

    fn interact_loop(&mut self, input: &mut Input, out: &mut dyn Write) -> Result<()> {
        self.get_socket_mut().ok_or(Error::Closed)?;
        if !self.show_incoming(out)? {
            return Ok(());
        }
        loop {
            let socket = self.get_socket_mut().ok_or(Error::Closed)?;
            let (socket_ready, input_ready) = match socket.readiness_fd() {
                Some(fd) => {
                    let mut fds = [PollFd::new(fd, READABLE), PollFd::new(input.fd(), READABLE)];
                    poll(&mut fds, None).map_err(Error::Io)?;
                    (fds[0].readable(), fds[1].readable())
                }
                None => {
                    let mut fds = [PollFd::new(input.fd(), READABLE)];
                    poll(&mut fds, Some(Instant::now() + INPUT_POLL)).map_err(Error::Io)?;
                    let socket_ready = socket
                        .wait_readable(Some(Duration::ZERO))
                        .map_err(Error::from_io)?;
                    (socket_ready, fds[0].readable())
                }
            };
            if socket_ready && !self.show_incoming(out)? {
                return Ok(());
            }
            if input_ready && !self.send_input(input)? {
                return Ok(());
            }
        }
    }

    /// Sends what `input` has ready; false at its end.
    fn send_input(&mut self, input: &mut Input) -> Result<bool> {
        match input {
            Input::Stdin { chunk } => loop {
                match io::stdin().lock().read(chunk) {
                    Ok(0) => return Ok(false),
                    Ok(n) => {
                        self.write(&chunk[..n])?;
                        return Ok(true);
                    }
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                    Err(err) if err.kind() == io::ErrorKind::WouldBlock => return Ok(true),
                    Err(err) => return Err(Error::Io(err)),
                }
            },
            Input::Lines { lines, wake } => {
                // Drained first: a line sent after this is followed by a wake, seen next time.
                wake.drain();
                loop {
                    match lines.try_recv() {
                        Ok(Some(line)) => self.write(&line)?,
                        Ok(None) | Err(TryRecvError::Disconnected) => return Ok(false),
                        Err(TryRecvError::Empty) => return Ok(true),
                    }
                }
            }
        }
    }

    /// `read_very_eager()` to `out`; false (after the closing message) at the end of the
    /// connection.
    fn show_incoming(&mut self, out: &mut dyn Write) -> Result<bool> {
        match self.read_very_eager() {
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
