//! Signals without signal handlers: [`Signals::block`] holds the chosen signals back, and a
//! thread takes them with `sigwait(3)` and hands each one over, to a callback
//! ([`Signals::spawn`]) or on a channel ([`Signals::channel`]). What a program does about a
//! signal is then ordinary code on an ordinary thread: it may lock, allocate, log and write
//! to sockets, which a signal handler may not.
//!
//! ```no_run
//! use telnetlib3::signals::{Signals, SIGINT, SIGTERM};
//!
//! // First thing in `main`, before any thread starts.
//! let signals = Signals::block(&[SIGINT, SIGTERM])?;
//! // ... start the program's threads ...
//! let received = signals.channel()?;
//! if let Ok(signal) = received.recv() {
//!     eprintln!("signal {signal}: shutting down");
//! }
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Block before starting threads
//! The kernel gives a signal sent to the process to any one thread that does not block it.
//! A thread starts with the signal mask of the thread that started it, so
//! [`block`](Signals::block) in `main` before any other thread starts covers the whole
//! process; a thread started earlier keeps its own mask and may take the signal with its
//! default action (ending the process, for most).
//!
//! Programs started by [`std::process::Command`] and [`PtyCommand`](crate::pty::PtyCommand)
//! start with no signal blocked; a program started by a `fork` and `exec` of one's own
//! inherits the mask.

use std::fmt;
use std::io;
use std::sync::mpsc;
use std::thread::JoinHandle;

pub use libc::{SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH};

/// A set of signals blocked by [`block`](Self::block), to take with [`wait`](Self::wait) or
/// from a thread of their own ([`spawn`](Self::spawn), [`channel`](Self::channel)).
pub struct Signals {
    set: libc::sigset_t,
    signals: Vec<libc::c_int>,
}

impl fmt::Debug for Signals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signals")
            .field("signals", &self.signals)
            .finish()
    }
}

impl Signals {
    /// Blocks `signals` in the calling thread, and so in every thread it starts from now on:
    /// they stay pending until [`wait`](Self::wait) or the thread of
    /// [`spawn`](Self::spawn) takes them. Call it before starting any thread (see
    /// [Block before starting threads](self#block-before-starting-threads)).
    ///
    /// # Errors
    /// [`io::ErrorKind::InvalidInput`] for `SIGKILL`, `SIGSTOP` (which cannot be blocked) or
    /// a number that is no signal; the error `pthread_sigmask` gave.
    pub fn block(signals: &[libc::c_int]) -> io::Result<Self> {
        // SAFETY: `sigset_t` is plain data; sigemptyset initialises it before any other use.
        let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
        // SAFETY: `set` is a live local.
        unsafe { libc::sigemptyset(&mut set) };
        for &signal in signals {
            let invalid = || {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("signal {signal} cannot be blocked"),
                )
            };
            if signal == libc::SIGKILL || signal == libc::SIGSTOP {
                return Err(invalid());
            }
            // SAFETY: `set` was initialised by sigemptyset; an invalid number only fails.
            if unsafe { libc::sigaddset(&mut set, signal) } != 0 {
                return Err(invalid());
            }
        }
        let signals = Self {
            set,
            signals: signals.to_vec(),
        };
        signals.block_here()?;
        Ok(signals)
    }

    /// The signals, as given to [`block`](Self::block).
    #[must_use]
    pub fn signals(&self) -> &[libc::c_int] {
        &self.signals
    }

    /// Adds the signals to the calling thread's mask.
    fn block_here(&self) -> io::Result<()> {
        // SAFETY: `self.set` is an initialised signal set; the old mask is not asked for.
        let err =
            unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &self.set, std::ptr::null_mut()) };
        if err != 0 {
            return Err(io::Error::from_raw_os_error(err));
        }
        Ok(())
    }

    /// Waits until one of the signals is pending for this thread or the process, takes it
    /// and returns its number. Blocks the signals in the calling thread first, if they were
    /// not (they stay blocked there).
    ///
    /// # Errors
    /// `pthread_sigmask` or `sigwait` failed.
    pub fn wait(&self) -> io::Result<libc::c_int> {
        self.block_here()?;
        loop {
            let mut signal: libc::c_int = 0;
            // SAFETY: `self.set` is an initialised signal set and `signal` a live local.
            let err = unsafe { libc::sigwait(&self.set, &mut signal) };
            match err {
                0 => return Ok(signal),
                libc::EINTR => continue,
                err => return Err(io::Error::from_raw_os_error(err)),
            }
        }
    }

    /// Starts a thread (named `signals`) that takes the signals as they come and calls `f`
    /// with each one, for the rest of the process. Signals that came before are handed over
    /// first.
    ///
    /// # Errors
    /// The thread could not be started.
    pub fn spawn<F>(self, mut f: F) -> io::Result<JoinHandle<()>>
    where
        F: FnMut(libc::c_int) + Send + 'static,
    {
        std::thread::Builder::new()
            .name("signals".to_owned())
            .stack_size(128 * 1024)
            .spawn(move || loop {
                match self.wait() {
                    Ok(signal) => f(signal),
                    Err(err) => {
                        log::error!("cannot wait for signals {:?}: {err}", self.signals);
                        return;
                    }
                }
            })
    }

    /// Starts a thread, as [`spawn`](Self::spawn) does, that sends each signal on the
    /// channel returned. Once the receiver is dropped, the signals are taken and dropped.
    ///
    /// # Errors
    /// The thread could not be started.
    pub fn channel(self) -> io::Result<mpsc::Receiver<libc::c_int>> {
        let (tx, rx) = mpsc::channel();
        self.spawn(move |signal| {
            let _ = tx.send(signal);
        })?;
        Ok(rx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::thread::JoinHandleExt;
    use std::time::Duration;

    #[test]
    fn wait_takes_a_signal_sent_to_this_thread() {
        let signals = Signals::block(&[SIGUSR1]).unwrap();
        // SAFETY: raise sends a signal to the calling thread, which blocks it.
        assert_eq!(unsafe { libc::raise(SIGUSR1) }, 0);
        assert_eq!(signals.wait().unwrap(), SIGUSR1);
    }

    #[test]
    fn spawn_hands_each_signal_to_the_callback() {
        let (tx, rx) = mpsc::channel();
        let thread = Signals::block(&[SIGUSR2, SIGWINCH])
            .unwrap()
            .spawn(move |signal| tx.send(signal).unwrap())
            .unwrap();
        for signal in [SIGWINCH, SIGUSR2] {
            // SAFETY: the handle names a live thread (it never ends), which blocks `signal`.
            assert_eq!(
                unsafe { libc::pthread_kill(thread.as_pthread_t(), signal) },
                0
            );
            assert_eq!(rx.recv_timeout(Duration::from_secs(10)), Ok(signal));
        }
    }

    #[test]
    fn kill_and_stop_cannot_be_blocked() {
        for signal in [libc::SIGKILL, libc::SIGSTOP, 0, 10_000] {
            let err = Signals::block(&[SIGUSR1, signal]).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{signal}");
        }
    }
}
