//! Waiting on file descriptors: [`poll`] with a deadline, and a [`WakePipe`] that lets
//! another thread end such a wait at once.
#![allow(dead_code)] // Parts are for the engine and the CLIs, which use them as they move here.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Instant;

/// Readable (or a hang-up or error, which a read will report).
pub(crate) const READABLE: libc::c_short = libc::POLLIN;
/// Writable.
pub(crate) const WRITABLE: libc::c_short = libc::POLLOUT;

/// One descriptor to wait on and, after [`poll`], what it is ready for.
#[derive(Debug, Clone, Copy)]
#[repr(transparent)]
pub(crate) struct PollFd(libc::pollfd);

impl PollFd {
    /// Waits on `fd` for `events` ([`READABLE`], [`WRITABLE`] or both).
    pub(crate) fn new(fd: RawFd, events: libc::c_short) -> Self {
        Self(libc::pollfd {
            fd,
            events,
            revents: 0,
        })
    }

    /// Readable, at end of stream, or in error: a read will not block.
    pub(crate) fn readable(&self) -> bool {
        self.0.revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
    }

    /// Writable, or in error: a write will not block.
    pub(crate) fn writable(&self) -> bool {
        self.0.revents & (libc::POLLOUT | libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
    }

    /// What it is ready for, as poll(2) reports it.
    pub(crate) fn revents(&self) -> libc::c_short {
        self.0.revents
    }

    /// Ready for anything at all.
    pub(crate) fn ready(&self) -> bool {
        self.0.revents != 0
    }
}

/// Waits until one of `fds` is ready or `deadline` passes (`None`: no deadline). Returns how
/// many are ready, 0 at the deadline. A signal does not end the wait early.
pub(crate) fn poll(fds: &mut [PollFd], deadline: Option<Instant>) -> io::Result<usize> {
    loop {
        let wait_ms = match deadline {
            None => -1,
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                // Round up, so a wait never ends just before its deadline.
                libc::c_int::try_from(left.as_micros().div_ceil(1000)).unwrap_or(libc::c_int::MAX)
            }
        };
        for fd in fds.iter_mut() {
            fd.0.revents = 0;
        }
        // SAFETY: `PollFd` is `repr(transparent)` over exactly one `libc::pollfd`, so the slice is
        // `fds.len()` live, initialised `pollfd`s for the duration of the call.
        let n = unsafe {
            libc::poll(
                fds.as_mut_ptr().cast::<libc::pollfd>(),
                fds.len() as libc::nfds_t,
                wait_ms,
            )
        };
        if n < 0 {
            let err = io::Error::last_os_error();
            if err.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(err);
        }
        if n > 0 {
            return Ok(n as usize);
        }
        if !matches!(deadline, Some(d) if Instant::now() < d) {
            return Ok(0);
        }
    }
}

/// A pipe whose read end a [`poll`] includes, so that [`wake`](Self::wake) from any thread
/// ends the wait at once. Both ends are non-blocking and close-on-exec.
#[derive(Debug)]
pub(crate) struct WakePipe {
    read: OwnedFd,
    write: OwnedFd,
}

impl WakePipe {
    pub(crate) fn new() -> io::Result<Self> {
        let mut fds = [0 as libc::c_int; 2];
        // SAFETY: `fds` is a live array of two ints for pipe2 to fill.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) } != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: pipe2 succeeded, so both are fresh descriptors this struct now owns.
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        Ok(Self { read, write })
    }

    /// The end to wait on for [`READABLE`].
    pub(crate) fn fd(&self) -> RawFd {
        self.read.as_raw_fd()
    }

    /// Ends the current or next wait on [`fd`](Self::fd). A full pipe is already awake.
    pub(crate) fn wake(&self) {
        let byte = 1u8;
        // SAFETY: writes one byte from a live local to a descriptor this struct owns.
        let _ = unsafe { libc::write(self.write.as_raw_fd(), (&byte as *const u8).cast(), 1) };
    }

    /// Empties the pipe, so the next wait blocks again until the next [`wake`](Self::wake).
    pub(crate) fn drain(&self) {
        let mut buf = [0u8; 64];
        loop {
            // SAFETY: reads into a live local buffer of its stated length from an owned fd.
            let n =
                unsafe { libc::read(self.read.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
            if n <= 0 {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn wake_ends_a_wait_at_once_and_drain_rearms() {
        let pipe = std::sync::Arc::new(WakePipe::new().unwrap());
        let waker = pipe.clone();
        let t = std::thread::spawn(move || waker.wake());
        let mut fds = [PollFd::new(pipe.fd(), READABLE)];
        let deadline = Instant::now() + Duration::from_secs(10);
        assert_eq!(poll(&mut fds, Some(deadline)).unwrap(), 1);
        assert!(fds[0].readable());
        t.join().unwrap();
        pipe.drain();
        let soon = Instant::now() + Duration::from_millis(20);
        assert_eq!(poll(&mut fds, Some(soon)).unwrap(), 0);
        assert!(!fds[0].ready());
    }
}
