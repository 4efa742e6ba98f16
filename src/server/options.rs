//! The options of a [`BlockingTelnetServer`](super::BlockingTelnetServer).

use std::path::PathBuf;
use std::time::Duration;

use crate::encoding::{Codec, Errors};
use crate::protocol::ServerPolicy;
use crate::Result;

/// How a [`BlockingTelnetServer`](super::BlockingTelnetServer) negotiates and treats its clients, with telnetlib3's
/// defaults.
///
/// ```
/// use std::time::Duration;
/// use telnetlib3::ServerOptions;
/// let options = ServerOptions::default()
///     .line_mode(true)
///     .timeout(Some(Duration::from_secs(60)))
///     .max_connections(100);
/// assert_eq!(options.connect_maxwait, Duration::from_secs(4));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerOptions {
    /// Text encoding; `None` for bytes only (no CHARSET offered). Default: `Some("utf8")`.
    pub encoding: Option<String>,
    /// What to do with text the encoding cannot carry. Default: [`Errors::Replace`].
    pub encoding_errors: Errors,
    /// Use the encoding before BINARY is agreed. Default: false.
    pub force_binary: bool,
    /// How the server negotiates, as the sans-IO server's policy holds it: LINEMODE instead of
    /// character-at-a-time (off), Go-Ahead never sent (off), the CHARSET offers, how many
    /// terminal types to cycle through, the subnegotiation bound (1 MiB). The setters
    /// `line_mode`, `never_send_ga` and `subnegotiation_limit` set it. Its `encoding` is
    /// ignored: [`encoding`](Self::encoding) decides.
    pub policy: ServerPolicy,
    /// Longest wait for negotiation before the handler runs. Default: 4 s.
    pub connect_maxwait: Duration,
    /// Close a client idle this long, after writing `\r\nTimeout.\r\n`; `None` never.
    /// Default: 300 s.
    pub timeout: Option<Duration>,
    /// Terminal type until the client names one. Default: `"unknown"`.
    pub term: String,
    /// Columns until the client sends NAWS. Default: 80.
    pub cols: u16,
    /// Rows until the client sends NAWS. Default: 25.
    pub rows: u16,
    /// TLS certificate chain (PEM); with `tls_key`, every connection is TLS. Default: none.
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM). Default: none.
    pub tls_key: Option<PathBuf>,
    /// With a certificate: accept TLS and plain clients on one port, waiting this long for a
    /// TLS hello before taking a client as plain. Default: none (TLS only, when configured).
    pub tls_auto: Option<Duration>,
    /// At most this many clients at once (0: no limit); the next one is told
    /// `refusal_message` and disconnected. Default: 0.
    pub max_connections: usize,
    /// What a refused client is told. Default: `"Too many connections, try again later.\r\n"`.
    pub refusal_message: String,
    /// Bound on received data waiting to be read, per client; the reader stops reading while
    /// it is full. Default: 256 KiB (memory is taken only as data waits; a larger bound means
    /// fewer hand-offs between the reader and the handler on bulk transfers).
    pub buffer_limit: usize,
    /// How long a line (or the text before a `read_until` pattern) may grow while a read waits
    /// for its end; the reader keeps reading past `buffer_limit` for it. Past it the read fails
    /// with [`Error::Limit`](crate::Error::Limit), handing over what it gathered, and the rest
    /// of that line is dropped: one client cannot stall its handler with an endless line.
    /// Default 1 MiB.
    pub max_line: usize,
    /// Timeout of every blocking call a handler makes with `None`, writes included.
    /// Default: none.
    pub io_timeout: Option<Duration>,
    /// Echo what the client types while the server performs ECHO, with backspace editing.
    /// Default: true.
    pub echo: bool,
    /// Stack size of each handler thread. Default: 256 KiB.
    pub handler_stack_size: usize,
    /// Turn the telnet commands a client sends for terminal functions into the keys that do
    /// them on a terminal, in the input at the place they arrived: IP and BRK become `^C`,
    /// ABORT `^\`, SUSP `^Z`, EOF `^D`, AO `^O`, EC DEL and EL `^U`. For handlers that pass
    /// input to a terminal, such as [`PtyShell`](crate::shell::PtyShell). Default: false
    /// (they arrive as nothing).
    pub command_keys: bool,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            encoding: Some("utf8".to_owned()),
            encoding_errors: Errors::Replace,
            force_binary: false,
            policy: ServerPolicy::default(),
            connect_maxwait: Duration::from_secs(4),
            timeout: Some(Duration::from_secs(300)),
            term: "unknown".to_owned(),
            cols: 80,
            rows: 25,
            tls_cert: None,
            tls_key: None,
            tls_auto: None,
            max_connections: 0,
            refusal_message: "Too many connections, try again later.\r\n".to_owned(),
            buffer_limit: 256 * 1024,
            max_line: 1 << 20,
            io_timeout: None,
            echo: true,
            handler_stack_size: 256 * 1024,
            command_keys: false,
        }
    }
}

impl ServerOptions {
    setters! {
        /// Sets [`encoding_errors`](Self::encoding_errors).
        encoding_errors: Errors,
        /// Sets [`force_binary`](Self::force_binary).
        force_binary: bool,
        /// Sets [`connect_maxwait`](Self::connect_maxwait).
        connect_maxwait: Duration,
        /// Sets [`timeout`](Self::timeout).
        timeout: Option<Duration>,
        /// Sets [`cols`](Self::cols).
        cols: u16,
        /// Sets [`rows`](Self::rows).
        rows: u16,
        /// Sets [`tls_auto`](Self::tls_auto).
        tls_auto: Option<Duration>,
        /// Sets [`max_connections`](Self::max_connections).
        max_connections: usize,
        /// Sets [`buffer_limit`](Self::buffer_limit).
        buffer_limit: usize,
        /// Sets [`max_line`](Self::max_line).
        max_line: usize,
        /// Sets [`io_timeout`](Self::io_timeout).
        io_timeout: Option<Duration>,
        /// Sets [`echo`](Self::echo).
        echo: bool,
        /// Sets [`handler_stack_size`](Self::handler_stack_size).
        handler_stack_size: usize,
        /// Sets [`command_keys`](Self::command_keys).
        command_keys: bool,
    }

    /// Sets [`policy`](Self::policy).
    #[must_use]
    pub fn policy(mut self, policy: ServerPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets LINEMODE negotiation instead of character-at-a-time (kludge) mode (default off).
    #[must_use]
    pub fn line_mode(mut self, line_mode: bool) -> Self {
        self.policy.line_mode = line_mode;
        self
    }

    /// Sets MCCP2/MCCP3 compression: `Some(true)` offers both (`WILL`), `None` (the default)
    /// agrees when the client asks, `Some(false)` refuses. Never under TLS (refused there).
    #[must_use]
    pub fn compression(mut self, compression: Option<bool>) -> Self {
        self.policy.compression = compression;
        self
    }

    /// Never sends Go-Ahead, even to a client that did not agree to suppress it (default off).
    #[must_use]
    pub fn never_send_ga(mut self, never: bool) -> Self {
        self.policy.never_send_ga = never;
        self
    }

    /// Sets the bound on one subnegotiation from a client, in bytes (default 1 MiB).
    #[must_use]
    pub fn subnegotiation_limit(mut self, limit: usize) -> Self {
        self.policy.subnegotiation_limit = limit;
        self
    }

    text_setters! {
        /// Sets [`encoding`](Self::encoding) (`None`: bytes only).
        encoding: Option<&str>,
        /// Sets [`term`](Self::term).
        term: &str,
        /// Sets [`refusal_message`](Self::refusal_message).
        refusal_message: &str,
    }

    /// Serves TLS with this certificate chain and key (PEM files).
    #[must_use]
    pub fn tls(mut self, cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        self.tls_cert = Some(cert.into());
        self.tls_key = Some(key.into());
        self
    }

    pub(super) fn codec(&self) -> Result<Option<Codec>> {
        Codec::configured(self.encoding.as_deref())
    }
}
