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
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

mod fd;
use fd::*;

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
mod tests;
