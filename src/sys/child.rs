//! Waiting for a child process to end without `SIGCHLD` and without reaping it: a descriptor
//! that becomes readable when the child ends, to [`poll`](super::poll::poll) with a
//! deadline.
//!
//! The descriptor is a pidfd (`pidfd_open(2)`, Linux 5.3 and later). Where the kernel has
//! none (or a sandbox refuses the call), a thread of its own waits for the child with
//! `waitid(WNOWAIT)`, which leaves it unreaped, and then closes the write end of a pipe whose
//! read end is the descriptor.

use std::io;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::time::Instant;

use super::poll::{poll, PollFd, READABLE};

/// A descriptor that becomes readable once `pid`, a child of this process that has not been
/// reaped, has ended. It stays readable; reaping the child is the caller's.
pub(crate) fn exit_fd(pid: libc::pid_t) -> io::Result<OwnedFd> {
    match pidfd(pid) {
        Ok(fd) => Ok(fd),
        Err(err) => {
            log::debug!("pidfd_open({pid}) failed ({err}): a thread waits for the child");
            waiter_thread(pid)
        }
    }
}

/// Waits until `fd` from [`exit_fd`] is readable (the child ended) or `deadline` passes
/// (`None`: no deadline). Returns whether the child ended.
pub(crate) fn wait_exit(fd: RawFd, deadline: Option<Instant>) -> io::Result<bool> {
    let mut fds = [PollFd::new(fd, READABLE)];
    Ok(poll(&mut fds, deadline)? > 0 && fds[0].readable())
}

/// `pidfd_open(pid, 0)`: close-on-exec, readable once the process has ended (any process,
/// not only a child).
pub(crate) fn pidfd(pid: libc::pid_t) -> io::Result<OwnedFd> {
    // SAFETY: pidfd_open takes two integers; a non-negative result is a new descriptor that
    // this function then owns.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    let fd = RawFd::try_from(fd).map_err(|_| io::Error::other("pidfd out of range"))?;
    // SAFETY: `fd` is the fresh descriptor pidfd_open returned.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// The fallback for [`exit_fd`]: a pipe whose write end a thread closes when `pid` ended.
fn waiter_thread(pid: libc::pid_t) -> io::Result<OwnedFd> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe2 writes two new descriptors into the live array; they are owned below.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe2 succeeded: both are fresh descriptors.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    std::thread::Builder::new()
        .name(format!("wait {pid}"))
        .stack_size(64 * 1024)
        .spawn(move || {
            loop {
                // SAFETY: `siginfo_t` is plain data, for which all zeroes is a valid value.
                let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
                // SAFETY: waitid writes one `siginfo_t` through a pointer to a live local;
                // WNOWAIT leaves the child to be reaped by its owner.
                let rc = unsafe {
                    libc::waitid(
                        libc::P_PID,
                        pid.unsigned_abs(),
                        &mut info,
                        libc::WEXITED | libc::WNOWAIT,
                    )
                };
                if rc == 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                    break;
                }
            }
            // The read end sees end of file: readable.
            drop(write);
        })?;
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;
    use std::process::Command;
    use std::time::Duration;

    fn check(make: fn(libc::pid_t) -> io::Result<OwnedFd>) {
        let mut child = Command::new("sh")
            .args(["-c", "read line; exit 7"])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let pid = libc::pid_t::try_from(child.id()).unwrap();
        let fd = make(pid).unwrap();
        let soon = Instant::now() + Duration::from_millis(50);
        assert!(
            !wait_exit(fd.as_raw_fd(), Some(soon)).unwrap(),
            "still runs"
        );
        drop(child.stdin.take());
        let later = Instant::now() + Duration::from_secs(10);
        assert!(wait_exit(fd.as_raw_fd(), Some(later)).unwrap(), "ended");
        // Not reaped: the owner reaps it, and the descriptor stays readable.
        assert_eq!(child.wait().unwrap().code(), Some(7));
        assert!(wait_exit(fd.as_raw_fd(), Some(Instant::now())).unwrap());
    }

    #[test]
    fn pidfd_is_readable_once_the_child_ended() {
        check(pidfd);
    }

    #[test]
    fn waiter_thread_is_readable_once_the_child_ended() {
        check(waiter_thread);
    }
}
