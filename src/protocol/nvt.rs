//! The network virtual terminal's line discipline, sans-IO: what received telnet data means
//! to the application, between the [`Negotiator`] and an input buffer.
//!
//! ```text
//!   wire bytes ─▶ Negotiator::receive ─▶ events ─▶ LineDiscipline::receive ─▶ Received
//!                                                    │                         ├ data (+ marks:
//!                                                    │                         │   codec switch,
//!                                                    │                         │   erase a char)
//!                                                    │                         ├ echo (to send)
//!                                                    │                         ├ events (all but
//!                                                    │                         │   data)
//!                                                    │                         └ logout
//!   BINARY / CHARSET / LANG ─▶ codec switch at its exact place in the data
//!   CR NUL ─▶ CR (not in BINARY)        IP, BRK, EC, … ─▶ ^C, ^C, DEL, … (command_keys)
//!   server ECHO + text input ─▶ BS/DEL erase, echo what stays (line ends as CR LF)
//! ```
//!
//! Line editing is for lines a person types: it applies only while we perform ECHO, the peer
//! has not agreed to send BINARY, the connection has an encoding (text), and the application
//! has not turned it off. Bytes-only and BINARY input reach the application exactly as sent
//! — an XMODEM transfer or a binary protocol is not edited. While we perform ECHO they are
//! echoed as they came (bytes only), or with each line end shown as CR LF (text in BINARY, so
//! a person's Enter still moves to a new line).
//!
//! ```
//! use telnetlib3::protocol::nvt::{LineDiscipline, NvtConfig, Received};
//! use telnetlib3::protocol::{Negotiator, ServerPolicy};
//!
//! let mut neg = Negotiator::server(ServerPolicy::default());
//! let mut nvt = LineDiscipline::new(NvtConfig::default(), &neg);
//! let mut out = Received::default();
//! nvt.receive(&mut neg, b"hi\r\0there\r\n", &mut out);
//! assert_eq!(out.data, b"hi\rthere\r\n");
//! ```

use crate::encoding::Codec;
use crate::protocol::{Event, Negotiator, Side};
use crate::telopt::{ABORT, AO, BINARY, BRK, EC, ECHO, EL, EOF, IP, SUSP};

/// What a server sends before closing a connection that stayed idle past its timeout.
pub const IDLE_TIMEOUT_MESSAGE: &[u8] = b"\r\nTimeout.\r\n";

/// The key that does on a terminal what a telnet command asks for: IP and BRK interrupt
/// (`^C`), ABORT quits (`^\`), SUSP suspends (`^Z`), EOF ends input (`^D`), AO discards output
/// (`^O`), EC erases a character (DEL), EL erases the line (`^U`). These are the Linux
/// defaults and telnetlib3's SLC table.
#[must_use]
pub fn command_key(command: u8) -> Option<u8> {
    Some(match command {
        IP | BRK => 0x03,
        ABORT => 0x1c,
        SUSP => 0x1a,
        EOF => 0x04,
        AO => 0x0f,
        EC => 0x7f,
        EL => 0x15,
        _ => return None,
    })
}

/// How received data is interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct NvtConfig {
    /// The configured encoding; `None` for bytes only (never edited).
    pub encoding: Option<Codec>,
    /// Use the encoding even before BINARY is agreed.
    pub force_binary: bool,
    /// Commands IP, BRK, ABORT, SUSP, EOF, AO, EC and EL arrive as [`command_key`]s.
    pub command_keys: bool,
    /// Server: edit and echo text input while we perform ECHO.
    pub editing: bool,
}

impl Default for NvtConfig {
    fn default() -> Self {
        Self {
            encoding: Some(Codec::utf8()),
            force_binary: false,
            command_keys: false,
            editing: false,
        }
    }
}

impl NvtConfig {
    setters! {
        /// Sets [`encoding`](Self::encoding).
        encoding: Option<Codec>,
        /// Sets [`force_binary`](Self::force_binary).
        force_binary: bool,
        /// Sets [`command_keys`](Self::command_keys).
        command_keys: bool,
        /// Sets [`editing`](Self::editing).
        editing: bool,
    }
}

/// A point in [`Received::data`] where something happens between two bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// The data from here on is in this codec (`None`: bytes only).
    Codec(Option<Codec>),
    /// Erase the character before this point, if it belongs to the line being typed and has
    /// not been read yet.
    Erase,
}

/// The result of [`LineDiscipline::receive`]; reuse one to save allocations (each call
/// appends).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Received {
    /// Data for the application.
    pub data: Vec<u8>,
    /// Codec switches and erasures, by their position in `data` (ascending).
    pub marks: Vec<(usize, Mark)>,
    /// Bytes to send back as data (the echo), IAC not yet doubled.
    pub echo: Vec<u8>,
    /// Every event but data, in wire order.
    pub events: Vec<Event<'static>>,
    /// The peer asked to log out (LOGOUT).
    pub logout: bool,
}

impl Received {
    /// Empties it for reuse, keeping the allocations.
    pub fn clear(&mut self) {
        self.data.clear();
        self.marks.clear();
        self.echo.clear();
        self.events.clear();
        self.logout = false;
    }
}

/// The line discipline of one connection: see the [module docs](self).
#[derive(Debug, Clone)]
pub struct LineDiscipline {
    config: NvtConfig,
    binary: bool,
    charset: Option<String>,
    local_echo: bool,
    echo_on: bool,
    after_cr: bool,
    /// The last byte echoed by `echo_line_ends` was a CR.
    echo_after_cr: bool,
    /// Characters of the line being typed that an erase may still take.
    line_chars: usize,
}

impl LineDiscipline {
    /// A line discipline for a connection whose negotiation is at `neg`'s state.
    #[must_use]
    pub fn new(config: NvtConfig, neg: &Negotiator) -> Self {
        Self {
            config,
            binary: neg.enabled(Side::Remote, BINARY),
            charset: neg.info().encoding().map(str::to_owned),
            local_echo: neg.enabled(Side::Local, ECHO),
            echo_on: true,
            after_cr: false,
            echo_after_cr: false,
            line_chars: 0,
        }
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &NvtConfig {
        &self.config
    }

    /// Turns echo and editing on or off (they only happen while we perform ECHO and
    /// [`NvtConfig::editing`] is set). On by default.
    pub fn set_echo(&mut self, on: bool) {
        self.echo_on = on;
    }

    /// Whether echo is on.
    #[must_use]
    pub fn echo(&self) -> bool {
        self.echo_on
    }

    /// The codec received data is in now.
    #[must_use]
    pub fn input_codec(&self) -> Option<Codec> {
        codec_for(
            &self.config,
            self.binary || self.config.force_binary,
            self.charset.as_deref(),
        )
    }

    /// Feeds bytes from the wire through `neg` and interprets what comes out, appending to
    /// `out`. Replies the negotiator queued stay in it (send them with
    /// [`Negotiator::take_transmit`]).
    ///
    /// Returns how many bytes of `wire` were taken: all of them, unless receiving stopped at
    /// the peer's compression marker (then the rest is compressed, see
    /// [`Negotiator::take_input_compression`]).
    pub fn receive(&mut self, neg: &mut Negotiator, wire: &[u8], out: &mut Received) -> usize {
        let mut events = neg.receive(wire);
        for event in events.by_ref() {
            match event {
                Event::Data(bytes) => self.data(&bytes, out),
                Event::Logout => out.logout = true,
                Event::Command(command) => {
                    if self.config.command_keys {
                        if let Some(key) = command_key(command) {
                            self.data(&[key], out);
                        }
                    }
                    out.events.push(Event::Command(command));
                }
                other => {
                    self.option_event(&other, out);
                    out.events.push(other.into_owned());
                }
            }
        }
        events.consumed()
    }

    fn option_event(&mut self, event: &Event<'_>, out: &mut Received) {
        let switched = match event {
            Event::OptionChanged {
                option: BINARY,
                side: Side::Remote,
                enabled,
            } => {
                self.binary = *enabled;
                true
            }
            Event::OptionChanged {
                option: ECHO,
                side: Side::Local,
                enabled,
            } => {
                self.local_echo = *enabled;
                false
            }
            Event::CharsetAgreed(name) => {
                self.charset = Some(name.clone());
                true
            }
            Event::Environ(vars) if self.charset.is_none() => {
                let codeset = vars
                    .iter()
                    .find(|v| v.name.eq_ignore_ascii_case("LANG"))
                    .and_then(|v| v.value.as_deref())
                    .and_then(|v| v.split_once('.'))
                    .map(|(_, c)| c.split('@').next().unwrap_or(c).to_owned())
                    .filter(|c| Codec::lookup(c).is_some());
                let switched = codeset.is_some();
                self.charset = codeset.or(self.charset.take());
                switched
            }
            _ => false,
        };
        if switched {
            // Erasing never crosses a switch: the bytes before it are in another encoding.
            self.line_chars = 0;
            out.marks
                .push((out.data.len(), Mark::Codec(self.input_codec())));
        }
    }

    fn editing(&self) -> bool {
        self.config.editing && self.echo_on && self.local_echo
    }

    fn data(&mut self, bytes: &[u8], out: &mut Received) {
        if bytes.is_empty() {
            return;
        }
        let text = !self.binary && self.config.encoding.is_some();
        if self.editing() && text {
            self.edit(bytes, out);
            return;
        }
        if self.editing() {
            if self.config.encoding.is_some() {
                // Text in BINARY: not edited, but a line end shows as one on the screen.
                self.echo_line_ends(bytes, &mut out.echo);
            } else {
                out.echo.extend_from_slice(bytes);
            }
        }
        if self.binary {
            // BINARY: every byte is data, CR NUL included.
            self.after_cr = false;
            out.data.extend_from_slice(bytes);
            return;
        }
        // CR NUL is a bare CR: drop the NUL, also when the CR ended the previous chunk.
        let mut rest = bytes;
        if self.after_cr && rest[0] == 0 {
            rest = &rest[1..];
        }
        self.after_cr = false;
        while let Some(i) = memchr::memchr(b'\r', rest) {
            out.data.extend_from_slice(&rest[..=i]);
            match rest.get(i + 1) {
                Some(0) => rest = &rest[i + 2..],
                Some(_) => rest = &rest[i + 1..],
                None => {
                    self.after_cr = true;
                    return;
                }
            }
        }
        out.data.extend_from_slice(rest);
    }

    /// Echoes `bytes` as they are, but for line ends (CR, LF, CR LF, CR NUL), echoed as CR LF.
    fn echo_line_ends(&mut self, bytes: &[u8], echo: &mut Vec<u8>) {
        for &byte in bytes {
            let after_cr = std::mem::replace(&mut self.echo_after_cr, byte == b'\r');
            match byte {
                b'\n' | 0 if after_cr => {}
                b'\r' | b'\n' => echo.extend_from_slice(b"\r\n"),
                _ => echo.push(byte),
            }
        }
    }

    /// Text typed while we perform ECHO: BS and DEL erase the last character of the line
    /// being typed, and what stays is echoed (line ends as CR LF).
    fn edit(&mut self, bytes: &[u8], out: &mut Received) {
        for &byte in bytes {
            let after_cr = std::mem::replace(&mut self.after_cr, false);
            match byte {
                0 | b'\n' if after_cr => {
                    // The second half of CR LF (kept) or CR NUL (dropped): echoed with the CR.
                    if byte == b'\n' {
                        out.data.push(byte);
                    }
                }
                0x08 | 0x7f => {
                    if self.line_chars > 0 {
                        self.line_chars -= 1;
                        out.marks.push((out.data.len(), Mark::Erase));
                        out.echo.extend_from_slice(b"\x08 \x08");
                    }
                }
                b'\r' | b'\n' => {
                    self.after_cr = byte == b'\r';
                    self.line_chars = 0;
                    out.data.push(byte);
                    out.echo.extend_from_slice(b"\r\n");
                }
                _ => {
                    // A UTF-8 continuation byte belongs to the character before it.
                    if byte & 0xc0 != 0x80 {
                        self.line_chars += 1;
                    }
                    out.data.push(byte);
                    if byte >= 0x20 || byte == b'\t' {
                        out.echo.push(byte);
                    }
                }
            }
        }
    }
}

/// The codec for one direction: an encoding agreed through CHARSET or LANG, which implies
/// binary; else the configured encoding once BINARY is agreed (or forced); else US-ASCII.
/// `None` when the connection is bytes only.
#[must_use]
pub fn codec_for(config: &NvtConfig, binary: bool, agreed: Option<&str>) -> Option<Codec> {
    let configured = config.encoding?;
    if let Some(codec) = agreed.and_then(Codec::lookup) {
        return Some(codec);
    }
    Some(if binary { configured } else { Codec::ascii() })
}

/// The codec text is sent in now: as [`codec_for`], with BINARY as we perform it.
#[must_use]
pub fn output_codec(config: &NvtConfig, neg: &Negotiator) -> Option<Codec> {
    let binary = config.force_binary || neg.enabled(Side::Local, BINARY);
    codec_for(config, binary, neg.info().encoding())
}

/// Client input as input to a terminal (a PTY): a telnet line end (CR LF, CR NUL) becomes
/// the one CR a terminal's Enter key sends.
#[derive(Debug, Default, Clone)]
pub struct TerminalInput {
    after_cr: bool,
}

impl TerminalInput {
    /// Converts one chunk; a CR that ended the previous chunk is remembered.
    pub fn convert(&mut self, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(data.len());
        for &byte in data {
            if self.after_cr && (byte == b'\n' || byte == 0) {
                self.after_cr = false;
                continue;
            }
            self.after_cr = byte == b'\r';
            out.push(byte);
        }
        out
    }
}

#[cfg(test)]
mod tests;
