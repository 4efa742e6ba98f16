//! The descriptors and system calls behind a PTY: opening it, the child's side of `fork`,
//! pipes, modes and the window size.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Instant;

/// The child's side of [`PtyCommand::spawn`]: takes the PTY as its controlling terminal and
/// standard streams, resets signal handling, and executes the program. Never returns.
///
/// # Safety
/// Only to be called in a freshly forked child. `path`, `argv` and `envp` must be valid C
/// strings and null-terminated arrays of them.
pub(super) unsafe fn exec_child(
    slave: RawFd,
    report: RawFd,
    path: &CString,
    argv: &[*const libc::c_char],
    envp: &[*const libc::c_char],
    last_signal: libc::c_int,
) -> ! {
    // Every call below is async-signal-safe (POSIX.1-2017, 2.4.3), or a raw system call.
    libc::setsid();
    libc::ioctl(slave, libc::TIOCSCTTY, 0);
    for target in 0..3 {
        libc::dup2(slave, target);
    }
    // Descriptors this process opened without close-on-exec stay out of the program.
    let report_u = report.unsigned_abs();
    if report_u > 3 {
        libc::syscall(libc::SYS_close_range, 3u32, report_u - 1, 0u32);
    }
    libc::syscall(libc::SYS_close_range, report_u + 1, u32::MAX, 0u32);
    // Ignored signals stay ignored across exec (Rust ignores SIGPIPE); the program gets the
    // defaults and an empty mask, as from a login.
    for signal in 1..=last_signal {
        if signal != libc::SIGKILL && signal != libc::SIGSTOP {
            libc::signal(signal, libc::SIG_DFL);
        }
    }
    let mut empty: libc::sigset_t = std::mem::zeroed();
    libc::sigemptyset(&mut empty);
    libc::sigprocmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());
    libc::execve(path.as_ptr(), argv.as_ptr(), envp.as_ptr());
    let errno = *libc::__errno_location();
    let bytes = errno.to_ne_bytes();
    libc::write(report, bytes.as_ptr().cast(), bytes.len());
    libc::_exit(127)
}

pub(super) fn check(result: libc::c_int) -> io::Result<libc::c_int> {
    if result < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}

/// A new PTY pair, both ends close-on-exec.
pub(super) fn open_pty() -> io::Result<(OwnedFd, OwnedFd)> {
    // SAFETY: posix_openpt takes flags only; a non-negative result is a new descriptor we own.
    let master = unsafe {
        let fd = check(libc::posix_openpt(
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        ))?;
        OwnedFd::from_raw_fd(fd)
    };
    let fd = master.as_raw_fd();
    let mut name = [0 as libc::c_char; 128];
    // SAFETY: `fd` is the open master; `name` is a live buffer of the length given.
    unsafe {
        check(libc::grantpt(fd))?;
        check(libc::unlockpt(fd))?;
        let err = libc::ptsname_r(fd, name.as_mut_ptr(), name.len());
        if err != 0 {
            return Err(io::Error::from_raw_os_error(err));
        }
    }
    // SAFETY: ptsname_r wrote a NUL-terminated path into `name`; open returns a new
    // descriptor we own.
    let slave = unsafe {
        let fd = check(libc::open(
            name.as_ptr(),
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        ))?;
        OwnedFd::from_raw_fd(fd)
    };
    Ok((master, slave))
}

pub(super) fn cloexec_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe2 writes two new descriptors into the live array; we then own them.
    unsafe {
        check(libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC))?;
        Ok((OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])))
    }
}

/// `fd` itself if it is above 2, else a close-on-exec duplicate that is.
pub(super) fn above_stdio(fd: OwnedFd) -> io::Result<OwnedFd> {
    if fd.as_raw_fd() > 2 {
        return Ok(fd);
    }
    // SAFETY: F_DUPFD_CLOEXEC on an open descriptor returns a new one we own.
    unsafe {
        let dup = check(libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 3))?;
        Ok(OwnedFd::from_raw_fd(dup))
    }
}

pub(super) fn set_nonblocking(fd: RawFd) -> io::Result<()> {
    // SAFETY: F_GETFL/F_SETFL on an open descriptor we own.
    unsafe {
        let flags = check(libc::fcntl(fd, libc::F_GETFL))?;
        check(libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK))?;
    }
    Ok(())
}

pub(super) fn set_window_size(fd: RawFd, rows: u16, cols: u16) -> io::Result<()> {
    let size = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCSWINSZ reads a `winsize` from the pointer, which points to a live local.
    check(unsafe { libc::ioctl(fd, libc::TIOCSWINSZ, &size) })?;
    Ok(())
}

/// Waits until `fd` is ready for `events` or `deadline` passes. Returns the `revents`, or 0 at
/// the deadline.
pub(super) fn poll_fd(
    fd: RawFd,
    events: libc::c_short,
    deadline: Option<Instant>,
) -> io::Result<libc::c_short> {
    let mut fds = [crate::sys::poll::PollFd::new(fd, events)];
    crate::sys::poll::poll(&mut fds, deadline)?;
    Ok(fds[0].revents())
}
