//! The terminal a command-line program runs on: its window size, and a [`TerminalGuard`] that
//! saves its settings, switches it between line, cbreak and raw mode, and puts the saved
//! settings back.
//!
//! ```no_run
//! use telnetlib3::tty::{self, Mode, TerminalGuard};
//!
//! let terminal = TerminalGuard::new(std::io::stdin())?;
//! if let Some((rows, cols)) = tty::window_size(std::io::stdout()) {
//!     println!("{cols}x{rows}\r");
//! }
//! terminal.set(Mode::Raw)?;
//! // ... read keys one at a time ...
//! terminal.restore()?; // also done when `terminal` is dropped
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Only the input and local modes change: output processing (`OPOST`, so `\n` still prints
//! as a new line) stays as saved in every mode.

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};

use parking_lot::Mutex;

/// The window size of the terminal on `fd`, as `(rows, cols)`; `None` when `fd` is not a
/// terminal or the terminal reports no size.
pub fn window_size(fd: impl AsFd) -> Option<(u16, u16)> {
    // SAFETY: `winsize` is plain data, for which all zeroes is a valid value.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: TIOCGWINSZ writes one `winsize` through the pointer, which points to a live
    // local; on a descriptor that is not a terminal it fails without writing.
    let rc = unsafe { libc::ioctl(fd.as_fd().as_raw_fd(), libc::TIOCGWINSZ, &mut size) };
    (rc == 0 && size.ws_row > 0 && size.ws_col > 0).then_some((size.ws_row, size.ws_col))
}

/// A terminal mode, derived from the settings [`TerminalGuard::new`] saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mode {
    /// The saved settings (normally the terminal's line mode: it edits lines, echoes and
    /// makes signals of `^C` and `^Z`), with `eol`, if given, as an extra character that ends
    /// a line at once, as Enter does (`VEOL`).
    Line {
        /// The extra end-of-line character.
        eol: Option<u8>,
    },
    /// A character at a time, still echoed by the terminal: no line editing, no signal keys,
    /// no flow control; CR is read as NL (`ICRNL`).
    Cbreak,
    /// A character at a time, as typed: no echo, no line editing, no signal keys, no flow
    /// control, no CR or NL translation.
    Raw,
}

/// The settings of a terminal, saved when made and put back when dropped (and on demand);
/// [`set`](Self::set) switches modes in between.
///
/// It can be shared between threads (in an `Arc`), so that a signal or panic path can
/// [`restore_final`](Self::restore_final) while other threads set modes.
pub struct TerminalGuard {
    fd: OwnedFd,
    saved: libc::termios,
    /// Set by [`restore_final`](Self::restore_final): later mode changes are ignored.
    done: Mutex<bool>,
}

impl fmt::Debug for TerminalGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TerminalGuard")
            .field("fd", &self.fd)
            .field("done", &*self.done.lock())
            .finish_non_exhaustive()
    }
}

impl TerminalGuard {
    /// Saves the settings of the terminal on `fd` (which it keeps a duplicate of, so the
    /// caller's descriptor may be borrowed).
    ///
    /// # Errors
    /// `fd` is not a terminal, or cannot be duplicated.
    pub fn new(fd: impl AsFd) -> io::Result<Self> {
        let fd = fd.as_fd().try_clone_to_owned()?;
        let saved = get(fd.as_raw_fd())?;
        Ok(Self {
            fd,
            saved,
            done: Mutex::new(false),
        })
    }

    /// Puts the terminal in `mode`. Does nothing after
    /// [`restore_final`](Self::restore_final).
    ///
    /// # Errors
    /// `tcsetattr` failed.
    pub fn set(&self, mode: Mode) -> io::Result<()> {
        let done = self.done.lock();
        if *done {
            return Ok(());
        }
        let mut t = self.saved;
        match mode {
            Mode::Line { eol } => {
                if let Some(eol) = eol {
                    t.c_cc[libc::VEOL] = eol;
                }
            }
            Mode::Cbreak => {
                t.c_lflag &= !(libc::ICANON | libc::ISIG | libc::IEXTEN);
                t.c_iflag &= !(libc::IXON | libc::INLCR | libc::IGNCR);
                t.c_iflag |= libc::ICRNL;
                t.c_cc[libc::VMIN] = 1;
                t.c_cc[libc::VTIME] = 0;
            }
            Mode::Raw => {
                t.c_lflag &= !(libc::ICANON | libc::ECHO | libc::ISIG | libc::IEXTEN);
                t.c_iflag &= !(libc::IXON | libc::ICRNL | libc::INLCR | libc::IGNCR);
                t.c_cc[libc::VMIN] = 1;
                t.c_cc[libc::VTIME] = 0;
            }
        }
        set(self.fd.as_raw_fd(), &t)
    }

    /// Puts the saved settings back; [`set`](Self::set) may change them again afterwards.
    ///
    /// # Errors
    /// `tcsetattr` failed.
    pub fn restore(&self) -> io::Result<()> {
        let _done = self.done.lock();
        set(self.fd.as_raw_fd(), &self.saved)
    }

    /// Puts the saved settings back for good: later [`set`](Self::set) calls do nothing. For
    /// a way out of the program (a signal, a panic), where another thread might otherwise
    /// set a mode again before the process ends. A mode change another thread is making
    /// completes first.
    ///
    /// # Errors
    /// `tcsetattr` failed.
    pub fn restore_final(&self) -> io::Result<()> {
        let mut done = self.done.lock();
        *done = true;
        set(self.fd.as_raw_fd(), &self.saved)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = set(self.fd.as_raw_fd(), &self.saved);
    }
}

fn get(fd: RawFd) -> io::Result<libc::termios> {
    // SAFETY: `termios` is plain data, for which all zeroes is a valid value.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: tcgetattr writes one `termios` through a pointer to a live local, or fails.
    if unsafe { libc::tcgetattr(fd, &mut t) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(t)
}

/// Applies `t` once the output written so far has gone out (`TCSADRAIN`), so that text
/// printed before a mode change is not processed by the new mode.
fn set(fd: RawFd, t: &libc::termios) -> io::Result<()> {
    loop {
        // SAFETY: tcsetattr reads one `termios` from a live reference.
        if unsafe { libc::tcsetattr(fd, libc::TCSADRAIN, t) } == 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pty::PtyCommand;
    use std::os::unix::fs::OpenOptionsExt;
    use std::time::Duration;

    /// A terminal to test on: the slave side of a PTY, held open by `sleep`.
    fn terminal() -> (crate::pty::Pty, std::fs::File) {
        let pty = PtyCommand::new("sleep")
            .arg("30")
            .size(33, 101)
            .spawn()
            .unwrap();
        let path = format!("/proc/{}/fd/0", pty.pid());
        let slave = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NOCTTY)
            .open(path)
            .unwrap();
        (pty, slave)
    }

    #[test]
    fn window_size_of_a_terminal_and_of_a_file() {
        let (pty, slave) = terminal();
        assert_eq!(window_size(&slave), Some((33, 101)));
        pty.resize(40, 132).unwrap();
        assert_eq!(window_size(&slave), Some((40, 132)));
        let file = std::fs::File::open("/proc/self/stat").unwrap();
        assert_eq!(window_size(&file), None);
        assert_eq!(
            TerminalGuard::new(&file).unwrap_err().raw_os_error(),
            Some(libc::ENOTTY)
        );
        pty.terminate(Duration::from_millis(100)).unwrap();
    }

    #[test]
    fn modes_change_and_the_saved_settings_come_back() {
        let (pty, slave) = terminal();
        let fd = slave.as_raw_fd();
        let saved = get(fd).unwrap();
        assert_ne!(saved.c_lflag & libc::ICANON, 0);
        let guard = TerminalGuard::new(&slave).unwrap();

        guard.set(Mode::Raw).unwrap();
        let raw = get(fd).unwrap();
        assert_eq!(raw.c_lflag & (libc::ICANON | libc::ECHO | libc::ISIG), 0);
        assert_eq!(raw.c_iflag & libc::ICRNL, 0);
        assert_eq!(raw.c_oflag, saved.c_oflag, "output processing stays");

        guard.set(Mode::Cbreak).unwrap();
        let cbreak = get(fd).unwrap();
        assert_eq!(cbreak.c_lflag & libc::ICANON, 0);
        assert_ne!(cbreak.c_lflag & libc::ECHO, 0);
        assert_ne!(cbreak.c_iflag & libc::ICRNL, 0);

        guard.set(Mode::Line { eol: Some(0x1d) }).unwrap();
        let line = get(fd).unwrap();
        assert_eq!(line.c_lflag, saved.c_lflag);
        assert_eq!(line.c_cc[libc::VEOL], 0x1d);

        guard.restore().unwrap();
        assert_eq!(get(fd).unwrap().c_cc, saved.c_cc);
        guard.set(Mode::Raw).unwrap();
        guard.restore_final().unwrap();
        guard.set(Mode::Raw).unwrap();
        assert_eq!(
            get(fd).unwrap().c_lflag,
            saved.c_lflag,
            "set after restore_final"
        );

        let guard = TerminalGuard::new(&slave).unwrap();
        guard.set(Mode::Raw).unwrap();
        drop(guard);
        assert_eq!(get(fd).unwrap().c_lflag, saved.c_lflag, "restored on drop");
        pty.terminate(Duration::from_millis(100)).unwrap();
    }
}
