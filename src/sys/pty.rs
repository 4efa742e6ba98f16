//! Programs on a pseudo-terminal: [`PtyCommand`] starts one, [`Pty`] talks to it.
//!
//! Part of the crate's one libc module (the private `sys`, the only code allowed `unsafe`;
//! the PTY, `fork`/`execve`, termios and the window size have no safe std API).
//!
//! ```no_run
//! use std::time::Duration;
//! use telnetlib3::pty::PtyCommand;
//!
//! let pty = PtyCommand::new("/bin/sh").size(24, 80).spawn()?;
//! pty.write_all(b"echo $((6 * 7))\r", Some(Duration::from_secs(1)))?;
//! let mut buf = [0u8; 1024];
//! let n = pty.read(&mut buf, Some(Duration::from_secs(1)))?;
//! println!("{}", String::from_utf8_lossy(&buf[..n]));
//! pty.terminate(Duration::from_millis(100))?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! The child runs in a session of its own with the PTY as its controlling terminal, so a
//! [`resize`](Pty::resize) reaches its foreground process group as `SIGWINCH` (the kernel
//! sends it), and [`terminate`](Pty::terminate) hangs up the whole group, as closing a
//! terminal does, and whatever else of the session still holds the terminal.

use std::ffi::{CString, OsStr, OsString};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// How a program is started on a PTY: its arguments, environment, window size and the
/// terminal modes it starts with.
///
/// The modes start as the kernel's defaults for a new terminal (canonical input, echo,
/// `ICRNL`, `ONLCR`, signals), which is what a login shell expects; [`echo`](Self::echo),
/// [`canonical`](Self::canonical) and [`erase`](Self::erase) change them.
#[derive(Debug, Clone)]
pub struct PtyCommand {
    program: OsString,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    env_clear: bool,
    rows: u16,
    cols: u16,
    echo: bool,
    canonical: bool,
    erase: Option<u8>,
    utf8: bool,
}

impl PtyCommand {
    /// A command running `program` (looked up in `PATH` when it has no `/`), 80 × 24.
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        Self {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            env: Vec::new(),
            env_clear: false,
            rows: 24,
            cols: 80,
            echo: true,
            canonical: true,
            erase: None,
            utf8: false,
        }
    }

    /// Adds one argument.
    #[must_use]
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Adds arguments.
    #[must_use]
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Sets an environment variable for the program (over the inherited one).
    #[must_use]
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        let key = key.as_ref().to_owned();
        self.env.retain(|(k, _)| *k != key);
        self.env.push((key, value.as_ref().to_owned()));
        self
    }

    /// Starts from an empty environment instead of this process's.
    #[must_use]
    pub fn env_clear(mut self) -> Self {
        self.env_clear = true;
        self
    }

    /// The window size the program starts with.
    #[must_use]
    pub fn size(mut self, rows: u16, cols: u16) -> Self {
        self.rows = rows;
        self.cols = cols;
        self
    }

    /// Whether the terminal echoes input (`ECHO`); default true.
    #[must_use]
    pub fn echo(mut self, echo: bool) -> Self {
        self.echo = echo;
        self
    }

    /// Whether input is delivered a line at a time with erase and kill editing (`ICANON`);
    /// default true.
    #[must_use]
    pub fn canonical(mut self, canonical: bool) -> Self {
        self.canonical = canonical;
        self
    }

    /// The erase character (`VERASE`); default the kernel's (DEL).
    #[must_use]
    pub fn erase(mut self, erase: u8) -> Self {
        self.erase = Some(erase);
        self
    }

    /// Whether erase in canonical mode removes whole UTF-8 characters (`IUTF8`); default
    /// false.
    #[must_use]
    pub fn utf8(mut self, utf8: bool) -> Self {
        self.utf8 = utf8;
        self
    }

    /// The environment the program gets.
    fn environment(&self) -> Vec<(OsString, OsString)> {
        let mut env: Vec<(OsString, OsString)> = if self.env_clear {
            Vec::new()
        } else {
            std::env::vars_os().collect()
        };
        for (key, value) in &self.env {
            env.retain(|(k, _)| k != key);
            env.push((key.clone(), value.clone()));
        }
        env
    }

    /// The program's path: a name with a `/` as it is, else the first executable match in the
    /// `PATH` the program gets.
    ///
    /// # Errors
    /// [`io::ErrorKind::NotFound`], or [`io::ErrorKind::PermissionDenied`] for a file that is
    /// not executable.
    pub fn program_path(&self) -> io::Result<PathBuf> {
        self.resolve(&self.environment())
    }

    fn resolve(&self, env: &[(OsString, OsString)]) -> io::Result<PathBuf> {
        let program = Path::new(&self.program);
        let executable = |path: &Path| {
            path.metadata().is_ok_and(|m| {
                use std::os::unix::fs::PermissionsExt;
                m.is_file() && m.permissions().mode() & 0o111 != 0
            })
        };
        if self.program.as_bytes().contains(&b'/') {
            return if executable(program) {
                Ok(program.to_owned())
            } else if program.exists() {
                Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    format!("{} is not an executable file", program.display()),
                ))
            } else {
                Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("{} not found", program.display()),
                ))
            };
        }
        let path = env.iter().find(|(k, _)| k == "PATH").map_or_else(
            || OsString::from("/usr/local/bin:/usr/bin:/bin"),
            |(_, v)| v.clone(),
        );
        std::env::split_paths(&path)
            .map(|dir| dir.join(program))
            .find(|candidate| executable(candidate))
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("{} not found in PATH", program.display()),
                )
            })
    }

    /// Starts the program on a new PTY.
    ///
    /// # Errors
    /// The program cannot be found or executed (the error `execve` gave), an argument or
    /// variable holds a NUL byte, or the system has no PTY to give.
    pub fn spawn(&self) -> io::Result<Pty> {
        let env = self.environment();
        let path = self.resolve(&env)?;
        let nul = |_| io::Error::new(io::ErrorKind::InvalidInput, "NUL byte in a PTY command");
        let path_c = CString::new(path.into_os_string().into_vec()).map_err(nul)?;
        let mut argv_c = vec![CString::new(self.program.as_bytes()).map_err(nul)?];
        for arg in &self.args {
            argv_c.push(CString::new(arg.as_bytes()).map_err(nul)?);
        }
        let mut envp_c = Vec::with_capacity(env.len());
        for (key, value) in &env {
            let mut entry = key.clone().into_vec();
            entry.push(b'=');
            entry.extend_from_slice(value.as_bytes());
            envp_c.push(CString::new(entry).map_err(nul)?);
        }
        let argv: Vec<*const libc::c_char> = argv_c
            .iter()
            .map(|a| a.as_ptr())
            .chain(std::iter::once(std::ptr::null()))
            .collect();
        let envp: Vec<*const libc::c_char> = envp_c
            .iter()
            .map(|e| e.as_ptr())
            .chain(std::iter::once(std::ptr::null()))
            .collect();

        let (master, slave) = open_pty()?;
        self.set_modes(slave.as_raw_fd())?;
        set_window_size(master.as_raw_fd(), self.rows, self.cols)?;
        let (report_read, report_write) = cloexec_pipe()?;
        // Above the standard streams, which the child replaces, even in a process started
        // with some of them closed.
        let report_write = above_stdio(report_write)?;

        // Everything the child touches is ready: after `fork` it only makes
        // async-signal-safe calls, then `execve` or `_exit`.
        let slave_fd = slave.as_raw_fd();
        let report_fd = report_write.as_raw_fd();
        let last_signal = libc::SIGRTMAX();
        // SAFETY: `fork` has no memory-safety preconditions. In the child (pid 0) only
        // async-signal-safe functions run (see `exec_child`), on data prepared before the
        // fork, so no lock another thread held can be needed.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return Err(io::Error::last_os_error());
        }
        if pid == 0 {
            // SAFETY: in the forked child; the pointers come from `argv_c`/`envp_c`/`path_c`,
            // alive here, and both arrays end in a null pointer.
            unsafe { exec_child(slave_fd, report_fd, &path_c, &argv, &envp, last_signal) }
        }
        drop(report_write);
        drop(slave);
        let exited = match super::child::exit_fd(pid) {
            Ok(fd) => fd,
            Err(err) => {
                // SAFETY: `kill` and `waitpid` take plain integers and a live local; the
                // child is ours and not yet reaped.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                    libc::waitpid(pid, &mut 0, 0);
                }
                return Err(err);
            }
        };
        let pty = Pty {
            master,
            pid,
            exited,
            status: Mutex::new(None),
        };
        // The child closes the pipe by exec'ing (close-on-exec), or writes errno and exits.
        let mut report = [0u8; 4];
        let mut got = 0;
        while got < report.len() {
            // SAFETY: reads into the live local buffer, at most its remaining length.
            let n = unsafe {
                libc::read(
                    report_read.as_raw_fd(),
                    report[got..].as_mut_ptr().cast(),
                    report.len() - got,
                )
            };
            if n < 0 {
                let err = io::Error::last_os_error();
                if err.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(err);
            }
            if n == 0 {
                break;
            }
            got += n.unsigned_abs();
        }
        if got > 0 {
            let errno = i32::from_ne_bytes(report);
            let _ = pty.wait();
            return Err(io::Error::from_raw_os_error(errno));
        }
        set_nonblocking(pty.master.as_raw_fd())?;
        log::debug!(
            "pty: started {} (pid {pid}) on a {}x{} terminal",
            Path::new(&self.program).display(),
            self.cols,
            self.rows
        );
        Ok(pty)
    }

    fn set_modes(&self, fd: RawFd) -> io::Result<()> {
        // SAFETY: `termios` is plain data; tcgetattr fills it from the live descriptor.
        let mut modes: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: `fd` is an open terminal and `modes` a live local.
        if unsafe { libc::tcgetattr(fd, &mut modes) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let echo_flags = libc::ECHO | libc::ECHOE | libc::ECHOK | libc::ECHOKE | libc::ECHOCTL;
        if self.echo {
            modes.c_lflag |= echo_flags;
        } else {
            modes.c_lflag &= !echo_flags;
        }
        if self.canonical {
            modes.c_lflag |= libc::ICANON;
        } else {
            modes.c_lflag &= !libc::ICANON;
            modes.c_cc[libc::VMIN] = 1;
            modes.c_cc[libc::VTIME] = 0;
        }
        if let Some(erase) = self.erase {
            modes.c_cc[libc::VERASE] = erase;
        }
        if self.utf8 {
            modes.c_iflag |= libc::IUTF8;
        } else {
            modes.c_iflag &= !libc::IUTF8;
        }
        // SAFETY: as above; `modes` was filled by tcgetattr and edited in place.
        if unsafe { libc::tcsetattr(fd, libc::TCSANOW, &modes) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

/// The child's side of [`PtyCommand::spawn`]: takes the PTY as its controlling terminal and
/// standard streams, resets signal handling, and executes the program. Never returns.
///
/// # Safety
/// Only to be called in a freshly forked child. `path`, `argv` and `envp` must be valid C
/// strings and null-terminated arrays of them.
unsafe fn exec_child(
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

fn check(result: libc::c_int) -> io::Result<libc::c_int> {
    if result < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}

/// A new PTY pair, both ends close-on-exec.
fn open_pty() -> io::Result<(OwnedFd, OwnedFd)> {
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

fn cloexec_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe2 writes two new descriptors into the live array; we then own them.
    unsafe {
        check(libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC))?;
        Ok((OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])))
    }
}

/// `fd` itself if it is above 2, else a close-on-exec duplicate that is.
fn above_stdio(fd: OwnedFd) -> io::Result<OwnedFd> {
    if fd.as_raw_fd() > 2 {
        return Ok(fd);
    }
    // SAFETY: F_DUPFD_CLOEXEC on an open descriptor returns a new one we own.
    unsafe {
        let dup = check(libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 3))?;
        Ok(OwnedFd::from_raw_fd(dup))
    }
}

fn set_nonblocking(fd: RawFd) -> io::Result<()> {
    // SAFETY: F_GETFL/F_SETFL on an open descriptor we own.
    unsafe {
        let flags = check(libc::fcntl(fd, libc::F_GETFL))?;
        check(libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK))?;
    }
    Ok(())
}

fn set_window_size(fd: RawFd, rows: u16, cols: u16) -> io::Result<()> {
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
fn poll_fd(
    fd: RawFd,
    events: libc::c_short,
    deadline: Option<Instant>,
) -> io::Result<libc::c_short> {
    let mut fds = [super::poll::PollFd::new(fd, events)];
    super::poll::poll(&mut fds, deadline)?;
    Ok(fds[0].revents())
}

/// A program running on a PTY, started by [`PtyCommand::spawn`].
///
/// Every method takes `&self`, so one thread can [`read`](Self::read) what the program writes
/// while another [`write_all`](Self::write_all)s input to it (share it in an `Arc`). Dropping
/// it [`terminate`](Self::terminate)s the program if it still runs and reaps it: no zombie
/// stays behind.
#[derive(Debug)]
pub struct Pty {
    master: OwnedFd,
    pid: libc::pid_t,
    /// Readable once the program ended (see `sys::child`).
    exited: OwnedFd,
    status: Mutex<Option<ExitStatus>>,
}

impl Pty {
    /// The program's process id (also its session and process group id).
    #[must_use]
    pub fn pid(&self) -> u32 {
        self.pid.unsigned_abs()
    }

    /// Reads what the program wrote, waiting up to `timeout` (`None`: for ever) for
    /// something. `Ok(0)` means end of output: the program and everything it started closed
    /// the terminal.
    ///
    /// # Errors
    /// [`io::ErrorKind::TimedOut`] when nothing came in time; other I/O errors.
    pub fn read(&self, buf: &mut [u8], timeout: Option<Duration>) -> io::Result<usize> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let fd = self.master.as_raw_fd();
        loop {
            // SAFETY: reads into the caller's live buffer, at most its length.
            let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
            if n >= 0 {
                return Ok(n.unsigned_abs());
            }
            let err = io::Error::last_os_error();
            match err.raw_os_error() {
                // Linux reports a hung-up terminal (every slave descriptor closed) as EIO.
                Some(libc::EIO) => return Ok(0),
                Some(libc::EINTR) => continue,
                Some(libc::EAGAIN) => {
                    if poll_fd(fd, libc::POLLIN, deadline)? == 0 {
                        return Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            "no output from the PTY in time",
                        ));
                    }
                }
                _ => return Err(err),
            }
        }
    }

    /// Writes some of `data` as the program's terminal input, waiting up to `timeout`
    /// (`None`: for ever) while the terminal's input queue is full. Returns how many bytes
    /// were taken.
    ///
    /// # Errors
    /// [`io::ErrorKind::TimedOut`] when the program took nothing in time;
    /// [`io::ErrorKind::BrokenPipe`] once the terminal hung up.
    pub fn write(&self, data: &[u8], timeout: Option<Duration>) -> io::Result<usize> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let fd = self.master.as_raw_fd();
        loop {
            // SAFETY: writes from the caller's live slice, at most its length.
            let n = unsafe { libc::write(fd, data.as_ptr().cast(), data.len()) };
            if n >= 0 {
                return Ok(n.unsigned_abs());
            }
            let err = io::Error::last_os_error();
            match err.raw_os_error() {
                Some(libc::EIO) => {
                    return Err(io::Error::new(io::ErrorKind::BrokenPipe, "the PTY hung up"))
                }
                Some(libc::EINTR) => {}
                Some(libc::EAGAIN) => {
                    if poll_fd(fd, libc::POLLOUT, deadline)? == 0 {
                        return Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            "the PTY took no input in time",
                        ));
                    }
                }
                _ => return Err(err),
            }
        }
    }

    /// Writes all of `data` as the program's terminal input, each wait for room bounded by
    /// `timeout`.
    ///
    /// # Errors
    /// As [`write`](Self::write); after a timeout, part of `data` may have been written.
    pub fn write_all(&self, mut data: &[u8], timeout: Option<Duration>) -> io::Result<()> {
        while !data.is_empty() {
            let n = self.write(data, timeout)?;
            data = &data[n..];
        }
        Ok(())
    }

    /// Sets the window size; the kernel sends `SIGWINCH` to the program's foreground process
    /// group when it changed.
    ///
    /// # Errors
    /// The `ioctl` failed.
    pub fn resize(&self, rows: u16, cols: u16) -> io::Result<()> {
        set_window_size(self.master.as_raw_fd(), rows, cols)
    }

    /// The window size, as `(rows, cols)`.
    ///
    /// # Errors
    /// The `ioctl` failed.
    pub fn size(&self) -> io::Result<(u16, u16)> {
        // SAFETY: `winsize` is plain data, filled by TIOCGWINSZ through a live pointer.
        unsafe {
            let mut size: libc::winsize = std::mem::zeroed();
            check(libc::ioctl(
                self.master.as_raw_fd(),
                libc::TIOCGWINSZ,
                &mut size,
            ))?;
            Ok((size.ws_row, size.ws_col))
        }
    }

    /// The program's exit status if it ended (reaping it), else `None`.
    ///
    /// # Errors
    /// `waitpid` failed.
    pub fn try_wait(&self) -> io::Result<Option<ExitStatus>> {
        let mut status = self.status.lock();
        if status.is_some() {
            return Ok(*status);
        }
        let mut raw = 0;
        loop {
            // SAFETY: looks for our own child's exit without blocking; `raw` is a live local.
            let pid = unsafe { libc::waitpid(self.pid, &mut raw, libc::WNOHANG) };
            if pid < 0 {
                let err = io::Error::last_os_error();
                if err.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(err);
            }
            if pid == 0 {
                return Ok(None);
            }
            *status = Some(ExitStatus::from_raw(raw));
            return Ok(*status);
        }
    }

    /// Waits up to `timeout` for the program to end, and reaps it if it did. Returns its
    /// exit status, or `None` when it still runs at the end of the wait. Other threads may
    /// use the `Pty` meanwhile (a [`signal_group`](Self::signal_group), say).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use telnetlib3::pty::PtyCommand;
    ///
    /// let pty = PtyCommand::new("sleep").arg("0.1").spawn()?;
    /// let status = pty.wait_timeout(Duration::from_secs(5))?;
    /// assert!(status.is_some_and(|s| s.success()));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// `poll` or `waitpid` failed.
    pub fn wait_timeout(&self, timeout: Duration) -> io::Result<Option<ExitStatus>> {
        self.wait_until(Instant::now().checked_add(timeout))
    }

    /// Waits for the program to end and reaps it.
    ///
    /// # Errors
    /// `poll` or `waitpid` failed.
    pub fn wait(&self) -> io::Result<ExitStatus> {
        loop {
            if let Some(status) = self.wait_until(None)? {
                return Ok(status);
            }
        }
    }

    /// Waits until the program ended (and reaps it) or `deadline` passes (`None`: no
    /// deadline). Holds no lock while it waits.
    fn wait_until(&self, deadline: Option<Instant>) -> io::Result<Option<ExitStatus>> {
        loop {
            if let Some(status) = self.try_wait()? {
                return Ok(Some(status));
            }
            if !super::child::wait_exit(self.exited.as_raw_fd(), deadline)? {
                return self.try_wait();
            }
        }
    }

    /// Sends `signal` to the program's process group (the program and the jobs it runs in
    /// the foreground of its terminal). Does nothing once the program was reaped.
    ///
    /// # Errors
    /// `kill` failed for a reason other than the group being gone.
    pub fn signal_group(&self, signal: libc::c_int) -> io::Result<()> {
        // The status lock is held, so the program cannot be reaped (and its id reused) while
        // the signal is on its way.
        let status = self.status.lock();
        if status.is_some() {
            return Ok(());
        }
        // SAFETY: `kill` takes plain integers; the group is our unreaped child's.
        if unsafe { libc::kill(-self.pid, signal) } != 0 {
            let err = io::Error::last_os_error();
            if err.raw_os_error() != Some(libc::ESRCH) {
                return Err(err);
            }
        }
        Ok(())
    }

    /// Ends the program as a terminal hang-up does, and reaps it: `SIGHUP` and `SIGCONT` to
    /// its process group, then `SIGTERM` after `grace`, then `SIGKILL` after another `grace`.
    /// Once it ended, processes it left in its session that still hold the terminal open (a
    /// job it was starting in a process group of its own as the hang-up came) get the same
    /// signals, each after `grace`, until none holds it. A program that had already ended is
    /// only reaped.
    ///
    /// # Errors
    /// A signal, `poll` or `waitpid` failed.
    pub fn terminate(&self, grace: Duration) -> io::Result<ExitStatus> {
        if let Some(status) = self.try_wait()? {
            return Ok(status);
        }
        let exited = self.exited.as_raw_fd();
        let mut ended = false;
        for signals in [
            &[libc::SIGHUP, libc::SIGCONT][..],
            &[libc::SIGTERM, libc::SIGCONT][..],
        ] {
            for &signal in signals {
                self.signal_group(signal)?;
            }
            if super::child::wait_exit(exited, Instant::now().checked_add(grace))? {
                ended = true;
                break;
            }
        }
        if !ended {
            self.signal_group(libc::SIGKILL)?;
            {
                let status = self.status.lock();
                if status.is_none() {
                    // SAFETY: as in `signal_group`; the leader itself, should it have left the
                    // group.
                    unsafe { libc::kill(self.pid, libc::SIGKILL) };
                }
            }
            while !super::child::wait_exit(exited, None)? {}
        }
        self.hang_up_session(grace);
        self.wait()
    }

    /// Ends what the program left in its session while any of it still holds the terminal
    /// open: `SIGHUP` and `SIGCONT`, then `SIGTERM` and `SIGCONT` after `grace`, then
    /// `SIGKILL` after another `grace` (a process that was between `fork` and `exec` as a
    /// signal came may have let it pass). Only while the program is unreaped, so that its id,
    /// which is the session's, cannot have been reused.
    fn hang_up_session(&self, grace: Duration) {
        for signals in [
            &[libc::SIGHUP, libc::SIGCONT][..],
            &[libc::SIGTERM, libc::SIGCONT][..],
            &[libc::SIGKILL][..],
        ] {
            if self.terminal_released(Some(Instant::now())) {
                return;
            }
            let status = self.status.lock();
            if status.is_some() {
                return;
            }
            let left: Vec<libc::pid_t> = session_members(self.pid)
                .into_iter()
                .filter(|&pid| pid != self.pid)
                .collect();
            if left.is_empty() {
                return;
            }
            log::debug!(
                "pty: signals {signals:?} to {left:?}, left in the session of pid {}",
                self.pid
            );
            for &pid in &left {
                for &signal in signals {
                    // SAFETY: `kill` takes plain integers; `pid` was in the session a moment
                    // ago.
                    unsafe { libc::kill(pid, signal) };
                }
            }
            drop(status);
            if self.terminal_released(Instant::now().checked_add(grace)) {
                return;
            }
        }
    }

    /// Waits until no process holds the terminal open any more (`POLLHUP` on the master) or
    /// `deadline` passes; returns whether none does.
    fn terminal_released(&self, deadline: Option<Instant>) -> bool {
        let mut fds = [super::poll::PollFd::new(self.master.as_raw_fd(), 0)];
        super::poll::poll(&mut fds, deadline).is_ok() && fds[0].revents() & libc::POLLHUP != 0
    }
}

/// The processes whose session id is `session`, from `/proc`.
fn session_members(session: libc::pid_t) -> Vec<libc::pid_t> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid: libc::pid_t = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses.
            let (_, rest) = stat.rsplit_once(')')?;
            let sid: libc::pid_t = rest.split_whitespace().nth(3)?.parse().ok()?;
            (sid == session).then_some(pid)
        })
        .collect()
}

impl Drop for Pty {
    fn drop(&mut self) {
        match self.terminate(Duration::from_millis(100)) {
            Ok(status) => log::debug!("pty: pid {} ended: {status}", self.pid),
            Err(err) => log::warn!("pty: cannot end pid {}: {err}", self.pid),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEP: Option<Duration> = Some(Duration::from_secs(5));

    fn read_until(pty: &Pty, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(&seen).contains(needle) {
            assert!(
                Instant::now() < deadline,
                "no {needle:?} in {:?}",
                String::from_utf8_lossy(&seen)
            );
            match pty.read(&mut buf, Some(Duration::from_millis(200))) {
                Ok(0) => break,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
                Err(err) if err.kind() == io::ErrorKind::TimedOut => {}
                Err(err) => panic!("read: {err}"),
            }
        }
        String::from_utf8_lossy(&seen).into_owned()
    }

    #[test]
    fn runs_a_program_with_its_environment_and_size() {
        let pty = PtyCommand::new("sh")
            .args(["-c", "echo \"$GREETING\"; stty size"])
            .env("GREETING", "hello pty")
            .size(33, 101)
            .spawn()
            .unwrap();
        let out = read_until(&pty, "33 101");
        assert!(out.contains("hello pty\r\n"), "{out:?}");
        assert!(pty.wait().unwrap().success());
        let mut buf = [0u8; 16];
        assert_eq!(pty.read(&mut buf, STEP).unwrap(), 0, "end of output");
    }

    #[test]
    fn input_echo_and_modes() {
        let pty = PtyCommand::new("/bin/sh").env("PS1", "$ ").spawn().unwrap();
        read_until(&pty, "$ ");
        pty.write_all(
            b"stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo\r",
            STEP,
        )
        .unwrap();
        let out = read_until(&pty, "echo\r\n$ ");
        assert!(out.contains("stty -a"), "the terminal echoes: {out:?}");
        assert!(out.contains("icanon"), "{out:?}");

        let quiet = PtyCommand::new("/bin/sh")
            .env("PS1", "$ ")
            .echo(false)
            .erase(0x08)
            .spawn()
            .unwrap();
        read_until(&quiet, "$ ");
        quiet
            .write_all(b"stty -a | grep -o 'erase = ^H'\r", STEP)
            .unwrap();
        let out = read_until(&quiet, "erase = ^H\r\n");
        assert!(!out.contains("stty -a"), "no echo: {out:?}");
    }

    #[test]
    fn resize_reaches_the_program() {
        let pty = PtyCommand::new("/bin/sh")
            .args([
                "-c",
                "trap 'stty size' WINCH; echo ready; while :; do sleep 0.05; done",
            ])
            .spawn()
            .unwrap();
        read_until(&pty, "ready");
        pty.resize(40, 132).unwrap();
        assert_eq!(pty.size().unwrap(), (40, 132));
        read_until(&pty, "40 132");
        pty.terminate(Duration::from_millis(100)).unwrap();
    }

    #[test]
    fn missing_program_is_an_error_not_a_child() {
        let err = PtyCommand::new("/nonexistent/program").spawn().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        let err = PtyCommand::new("no-such-program-here").spawn().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        let file = std::env::temp_dir().join(format!("pty-not-executable-{}", std::process::id()));
        std::fs::write(&file, "not a program").unwrap();
        let err = PtyCommand::new(&file).spawn().unwrap_err();
        std::fs::remove_file(&file).unwrap();
        assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
    }

    #[test]
    fn terminate_ends_a_program_that_ignores_hangup() {
        let pty = PtyCommand::new("/bin/sh")
            .args([
                "-c",
                "trap '' HUP; echo ready; while :; do sleep 0.05; done",
            ])
            .spawn()
            .unwrap();
        read_until(&pty, "ready");
        let status = pty.terminate(Duration::from_millis(50)).unwrap();
        assert!(!status.success());
        // Reaped: waiting again gives the same status, no process is left.
        assert_eq!(pty.try_wait().unwrap(), Some(status));
    }

    #[test]
    fn wait_timeout_returns_at_the_exit_or_at_the_deadline() {
        let pty = PtyCommand::new("/bin/sh")
            .args(["-c", "read line; exit 3"])
            .spawn()
            .unwrap();
        let start = Instant::now();
        assert_eq!(pty.wait_timeout(Duration::from_millis(100)).unwrap(), None);
        assert!(start.elapsed() >= Duration::from_millis(100));
        pty.write_all(b"go\r", STEP).unwrap();
        let start = Instant::now();
        let status = pty.wait_timeout(Duration::from_secs(30)).unwrap();
        assert_eq!(status.and_then(|s| s.code()), Some(3));
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "woken by the exit"
        );
        // Reaped once; later waits give the same status at once.
        assert_eq!(pty.wait_timeout(Duration::ZERO).unwrap(), status);
        assert_eq!(pty.wait().ok(), status);
    }

    #[test]
    fn wait_timeout_ends_while_another_thread_signals() {
        let pty = std::sync::Arc::new(
            PtyCommand::new("/bin/sh")
                .args([
                    "-c",
                    "trap 'exit 5' USR1; echo ready; while :; do sleep 0.05; done",
                ])
                .spawn()
                .unwrap(),
        );
        read_until(&pty, "ready");
        let waiter = {
            let pty = std::sync::Arc::clone(&pty);
            std::thread::spawn(move || pty.wait_timeout(Duration::from_secs(30)))
        };
        pty.signal_group(libc::SIGUSR1).unwrap();
        let status = waiter.join().unwrap().unwrap();
        assert_eq!(status.and_then(|s| s.code()), Some(5));
    }

    #[test]
    fn terminate_ends_jobs_left_in_process_groups_of_their_own() {
        // `set -m`: each background job gets a process group of its own, which the hang-up
        // of the program's group does not reach. The second one ignores SIGHUP and SIGTERM.
        let pty = PtyCommand::new("/bin/sh")
            .args([
                "-c",
                "set -m; sleep 60 & a=$!; (trap '' HUP TERM; exec sleep 61) & echo \"jobs $a $!\"; wait",
            ])
            .spawn()
            .unwrap();
        let out = read_until(&pty, "\r\n");
        let jobs: Vec<libc::pid_t> = out
            .trim()
            .strip_prefix("jobs ")
            .map(|pids| pids.split(' ').filter_map(|p| p.parse().ok()).collect())
            .unwrap_or_default();
        assert_eq!(jobs.len(), 2, "{out:?}");
        let mut members = session_members(pty.pid);
        members.sort_unstable();
        let mut expected = vec![pty.pid, jobs[0], jobs[1]];
        expected.sort_unstable();
        assert_eq!(members, expected);
        let ends: Vec<OwnedFd> = jobs
            .iter()
            .map(|&job| super::super::child::pidfd(job).unwrap())
            .collect();
        pty.terminate(Duration::from_millis(100)).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        for (job, end) in jobs.iter().zip(&ends) {
            let ended = super::super::child::wait_exit(end.as_raw_fd(), Some(deadline)).unwrap();
            assert!(ended, "job {job} still runs");
        }
    }

    #[test]
    fn sigpipe_is_default_in_the_child() {
        let pty = PtyCommand::new("/bin/sh")
            .args(["-c", "grep SigIgn /proc/self/status"])
            .spawn()
            .unwrap();
        let out = read_until(&pty, "\r\n");
        let ignored = out
            .trim()
            .strip_prefix("SigIgn:")
            .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
            .expect("SigIgn mask");
        assert_eq!(ignored & (1 << (libc::SIGPIPE - 1)), 0, "{out:?}");
    }
}
