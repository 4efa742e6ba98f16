//! The negotiator: parser, RFC 1143 option state and a server or client policy in one sans-IO
//! object.
//!
//! Bytes from the peer go in through [`Negotiator::receive`], which yields [`Event`]s in wire
//! order (data borrows the input); the bytes to send back collect inside and come out through
//! [`Negotiator::poll_transmit`]. No sockets, threads or clocks: the session layer above does IO
//! and timing.
//!
//! ```text
//!   peer bytes ──▶ receive() ──▶ Parser ──tokens──▶ OptionTable (RFC 1143) ──▶ policy hooks
//!                     │                                                          │
//!                     ▼                                                          ▼
//!                  Events (data, commands, option changes, NAWS, TTYPE, …)   poll_transmit()
//! ```
//!
//! A server that receives `IAC DO ECHO` agrees once, and only once:
//!
//! ```
//! use telnetlib3::protocol::{Negotiator, ServerPolicy};
//! let mut server = Negotiator::server(ServerPolicy::default());
//! let mut out = Vec::new();
//! server.poll_transmit(&mut out);
//! assert_eq!(out, b"\xff\xfd\x18"); // IAC DO TTYPE, on connect
//!
//! out.clear();
//! let _ = server.receive_all(b"\xff\xfd\x01");
//! server.poll_transmit(&mut out);
//! // IAC WILL ECHO, then the first affirmative answer starts the advanced negotiation:
//! // WILL SGA, WILL BINARY, DO NAWS, DO CHARSET.
//! assert_eq!(out, b"\xff\xfb\x01\xff\xfb\x03\xff\xfb\x00\xff\xfd\x1f\xff\xfd\x2a");
//!
//! out.clear();
//! let _ = server.receive_all(b"\xff\xfd\x01");
//! server.poll_transmit(&mut out);
//! assert!(out.is_empty()); // DO ECHO again: already agreed, no answer
//! ```

mod client;
mod compress;
mod mud;
pub use mud::is_mud_client;
use mud::{mud_codec, MUD_OPTIONS};
mod policy;
mod server;
mod subneg;

use std::borrow::Cow;
use std::collections::VecDeque;

pub use mud::{MAX_REMEMBERED, MAX_REMEMBERED_BYTES};
pub use policy::{
    ClientPolicy, ServerPolicy, CLIENT_MUD_OPTIONS, CLIENT_NAME, CLIENT_VERSION,
    DEFAULT_GMCP_MODULES, SERVER_MUD_OPTIONS,
};

use super::options::linemode::{SlcTable, MODE_EDIT};
use super::options::status::StatusReport;
use super::options::{self, lflow, naws};
use super::parser::{Parser, Token};
use super::qmethod::{OptionTable, Side, Q};
use super::{Event, ProtocolError, Warning};
use crate::telopt::{self, Opt, *};

/// Which end of the connection a negotiator plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The server (it sends `DO TTYPE` on connect).
    Server,
    /// The client.
    Client,
}

/// The editing mode telnetlib3 reports for a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The client edits and echoes lines itself (no server ECHO+SGA, or LINEMODE with EDIT).
    Local,
    /// LINEMODE without EDIT: the server edits.
    Remote,
    /// Character at a time with server echo: the server does WILL ECHO and WILL SGA.
    Kludge,
}

impl Mode {
    /// telnetlib3's name for the mode: `"local"`, `"remote"` or `"kludge"`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Local => "local",
            Mode::Remote => "remote",
            Mode::Kludge => "kludge",
        }
    }
}

/// Both sides of one option, for `wait_for`-style queries by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OptionState {
    /// Whether we perform the option.
    pub local: Q,
    /// Whether the peer performs the option.
    pub remote: Q,
    /// A WILL/DO/WONT/DONT or a subnegotiation request of ours is unanswered.
    pub pending: bool,
}

/// What the peer told us about itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PeerInfo {
    /// TTYPE answers in order (`ttype1`, `ttype2`, …; at most the policy's `ttype_max`).
    pub ttypes: Vec<String>,
    /// The terminal type in force (the latest TTYPE answer, or the second after an MTTS third).
    pub term: Option<String>,
    /// Window size from NAWS, `(cols, rows)`.
    pub window: Option<(u16, u16)>,
    /// Terminal speed from TSPEED, `(rx, tx)`.
    pub tspeed: Option<(u32, u32)>,
    /// X display from XDISPLOC.
    pub xdisploc: Option<String>,
    /// Location from SNDLOC.
    pub sndloc: Option<String>,
    /// Environment variables from NEW_ENVIRON: names upper-cased, empty values left out, in
    /// the order first seen.
    pub environ: Vec<(String, String)>,
    /// The character set agreed through CHARSET.
    pub charset: Option<String>,
    /// Remote flow control set by the server (client side).
    pub lflow: Option<lflow::Lflow>,
}

impl PeerInfo {
    /// An environment variable received through NEW_ENVIRON (name case ignored).
    #[must_use]
    pub fn env(&self, name: &str) -> Option<&str> {
        self.environ
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The encoding the peer asked for: the CHARSET agreed, else the codeset of LANG
    /// (`"en_US.UTF-8"` gives `"UTF-8"`).
    #[must_use]
    pub fn encoding(&self) -> Option<&str> {
        self.charset.as_deref().or_else(|| {
            let lang = self.env("LANG")?;
            let codeset = lang.split_once('.')?.1;
            let codeset = codeset.split('@').next().unwrap_or(codeset);
            (!codeset.is_empty()).then_some(codeset)
        })
    }
}

#[derive(Debug, Clone)]
enum RoleState {
    Server(server::ServerState),
    Client(client::ClientState),
}

/// Everything but the parser, so that a subnegotiation payload borrowed from the parser can be
/// handled with `&mut` access to the rest.
#[derive(Debug, Clone)]
struct Core {
    role: RoleState,
    opts: OptionTable,
    accept: [[bool; 256]; 2],
    out: Vec<u8>,
    queue: VecDeque<Event<'static>>,
    info: PeerInfo,
    slc: SlcTable,
    linemode: u8,
    /// Options with a subnegotiation request of ours unanswered.
    sb_pending: [u64; 4],
    /// `DO TIMING-MARK` sent and not yet answered.
    timing_marks: u32,
    never_send_ga: bool,
    compress: compress::Compression,
    mud: mud::MudState,
}

/// The sans-IO telnet engine for one connection. See the [module docs](crate::protocol::negotiator).
#[derive(Debug, Clone)]
pub struct Negotiator {
    parser: Parser,
    core: Core,
}

/// The events of one [`Negotiator::receive`] call, in wire order.
///
/// Dropping it before the end still processes the rest of the input: the remaining events are
/// kept and come out of the next `receive` or [`Negotiator::poll_event`], so nothing is lost.
#[derive(Debug)]
pub struct Receive<'n, 'i> {
    neg: &'n mut Negotiator,
    input: &'i [u8],
    pos: usize,
}

impl<'i> Iterator for Receive<'_, 'i> {
    type Item = Event<'i>;

    #[inline]
    fn next(&mut self) -> Option<Event<'i>> {
        self.neg.step(self.input, &mut self.pos)
    }
}

impl Receive<'_, '_> {
    /// How many input bytes were taken so far. Less than all of them only when receiving
    /// stopped at the peer's compression marker
    /// ([`Negotiator::take_input_compression`]).
    #[must_use]
    pub fn consumed(&self) -> usize {
        self.pos
    }
}

impl Drop for Receive<'_, '_> {
    fn drop(&mut self) {
        if self.pos >= self.input.len() && self.neg.core.queue.is_empty() {
            return;
        }
        let mut rest = Vec::new();
        while let Some(event) = self.neg.step(self.input, &mut self.pos) {
            rest.push(event.into_owned());
        }
        self.neg.core.queue.extend(rest);
    }
}

impl Negotiator {
    /// A server negotiator. `IAC DO TTYPE` is queued for sending at once.
    #[must_use]
    pub fn server(policy: ServerPolicy) -> Self {
        let accept = policy.accept_tables();
        let mut parser = Parser::new();
        parser.set_subnegotiation_limit(policy.subnegotiation_limit);
        let never_send_ga = policy.never_send_ga;
        let compression = policy.compression;
        let codec = mud_codec(policy.encoding.as_deref());
        let mut neg = Self {
            parser,
            core: Core::new(RoleState::Server(server::ServerState::new(policy)), accept),
        };
        neg.core.never_send_ga = never_send_ga;
        neg.core.compress = compress::Compression::new(compression);
        neg.set_mud_encoding(codec);
        neg.core.request(Side::Remote, TTYPE, true);
        neg.sync_parser();
        neg
    }

    /// A client negotiator. Only the policy's `always_will` / `always_do` options are queued for
    /// sending at once; everything else waits for the server.
    #[must_use]
    pub fn client(policy: ClientPolicy) -> Self {
        let accept = policy.accept_tables();
        let mut parser = Parser::new();
        parser.set_subnegotiation_limit(policy.subnegotiation_limit);
        let will = policy.always_will.clone();
        let dos = policy.always_do.clone();
        let compression = policy.compression;
        let codec = mud_codec(policy.encoding.as_deref());
        let mut neg = Self {
            parser,
            core: Core::new(RoleState::Client(client::ClientState::new(policy)), accept),
        };
        neg.core.compress = compress::Compression::new(compression);
        neg.core.compression_offer();
        neg.set_mud_encoding(codec);
        for option in will {
            neg.core.request(Side::Local, option, true);
        }
        for option in dos {
            neg.core.request(Side::Remote, option, true);
        }
        neg.sync_parser();
        neg
    }

    /// Server or client.
    #[must_use]
    pub fn role(&self) -> Role {
        match self.core.role {
            RoleState::Server(_) => Role::Server,
            RoleState::Client(_) => Role::Client,
        }
    }

    /// Feeds bytes received from the peer; the returned iterator yields the events they carry.
    /// Replies are queued for [`poll_transmit`](Self::poll_transmit).
    pub fn receive<'n, 'i>(&'n mut self, input: &'i [u8]) -> Receive<'n, 'i> {
        if log::log_enabled!(log::Level::Trace) {
            log::trace!(
                "recv {} bytes: {}",
                input.len(),
                telopt::describe_bytes(input)
            );
        }
        Receive {
            neg: self,
            input,
            pos: 0,
        }
    }

    /// [`receive`](Self::receive), collected into owned events with adjacent data merged.
    pub fn receive_all(&mut self, input: &[u8]) -> Vec<Event<'static>> {
        let mut events: Vec<Event<'static>> = Vec::new();
        for event in self.receive(input) {
            match (events.last_mut(), event) {
                (Some(Event::Data(prev)), Event::Data(more)) => {
                    prev.to_mut().extend_from_slice(&more)
                }
                (_, event) => events.push(event.into_owned()),
            }
        }
        events
    }

    /// An event left over from a [`Receive`] dropped before its end.
    pub fn poll_event(&mut self) -> Option<Event<'static>> {
        self.core.queue.pop_front()
    }

    #[inline]
    fn step<'i>(&mut self, input: &'i [u8], pos: &mut usize) -> Option<Event<'i>> {
        loop {
            if let Some(event) = self.core.queue.pop_front() {
                return Some(event);
            }
            if self.core.compress.stops_input() {
                // The rest is compressed: the caller inflates it and feeds it back in.
                return None;
            }
            match self.parser.next_token(input, pos)? {
                Token::Data(data) => return Some(Event::Data(Cow::Borrowed(data))),
                Token::Command(command) => {
                    log::debug!("recv IAC {}", telopt::Cmd(command));
                    return Some(Event::Command(command));
                }
                Token::Negotiation { command, option } => {
                    self.core.negotiation(command, option);
                    self.sync_parser();
                }
                Token::Subnegotiation { option, payload } => {
                    if !self.core.compression_marker(option, payload) {
                        self.core.subnegotiation(option, payload)
                    }
                }
                Token::Warning(warning) => {
                    log::warn!("{warning}");
                    return Some(Event::Warning(warning));
                }
            }
        }
    }

    /// Tells the parser what the option state means for it: CR NUL handling follows the peer's
    /// BINARY, and only subnegotiations for active options are buffered.
    fn sync_parser(&mut self) {
        self.parser
            .set_strip_cr_nul(!self.core.opts.get(Side::Remote, BINARY).enabled());
        self.parser
            .set_subnegotiation_filter(self.core.opts.active_mask());
    }

    /// Moves every byte waiting to be sent to the end of `out` — up to our compression marker
    /// when one is queued: then [`take_output_compression`](Self::take_output_compression)
    /// says so, and the rest, to be compressed, waits for the next call.
    pub fn poll_transmit(&mut self, out: &mut Vec<u8>) {
        self.trace_transmit();
        let n = self.core.compress.transmit_len(self.core.out.len());
        if n < self.core.out.len() {
            out.extend(self.core.out.drain(..n));
        } else if out.is_empty() {
            std::mem::swap(out, &mut self.core.out);
        } else {
            out.append(&mut self.core.out);
        }
    }

    /// How many bytes are queued to send (see [`poll_transmit`](Self::poll_transmit)).
    #[must_use]
    pub fn pending_transmit(&self) -> usize {
        self.core.out.len()
    }

    /// Takes every byte waiting to be sent (up to our compression marker, as
    /// [`poll_transmit`](Self::poll_transmit)).
    pub fn take_transmit(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        self.poll_transmit(&mut out);
        out
    }

    fn trace_transmit(&self) {
        if !self.core.out.is_empty() && log::log_enabled!(log::Level::Trace) {
            log::trace!(
                "send {} bytes: {}",
                self.core.out.len(),
                telopt::describe_bytes(&self.core.out)
            );
        }
    }

    /// True when bytes are waiting to be sent.
    #[must_use]
    pub fn wants_write(&self) -> bool {
        !self.core.out.is_empty()
    }

    /// Queues application data for sending, with every `0xFF` doubled.
    pub fn send_data(&mut self, data: &[u8]) {
        options::escape_into(data, &mut self.core.out);
    }

    /// Queues a bare command such as [`AYT`], [`NOP`]
    /// or [`BRK`].
    pub fn send_command(&mut self, command: u8) {
        log::debug!("send IAC {}", telopt::Cmd(command));
        self.core.out.extend_from_slice(&[IAC, command]);
    }

    /// Queues a raw subnegotiation (for options without a codec here, such as GMCP).
    pub fn send_subnegotiation(&mut self, option: u8, payload: &[u8]) {
        log::debug!("send IAC SB {} ({} bytes)", Opt(option), payload.len());
        options::frame(option, payload, &mut self.core.out);
    }

    /// Whether Go-Ahead may be sent: not once SGA is agreed, and never with `never_send_ga`.
    #[must_use]
    pub fn ga_allowed(&self) -> bool {
        !self.core.never_send_ga && !self.core.opts.get(Side::Local, SGA).enabled()
    }

    /// Marks the end of a prompt: `IAC EOR` when EOR is agreed, else `IAC GA` when
    /// [`ga_allowed`](Self::ga_allowed). Returns whether anything was queued.
    pub fn end_prompt(&mut self) -> bool {
        if self.core.opts.get(Side::Local, telopt::EOR).enabled() {
            self.send_command(CMD_EOR);
            true
        } else if self.ga_allowed() {
            self.send_command(GA);
            true
        } else {
            false
        }
    }

    /// Asks for `option` to be enabled or disabled on `side` (WILL/WONT for [`Side::Local`],
    /// DO/DONT for [`Side::Remote`]), through RFC 1143, so a request already made or already in
    /// force sends nothing. The policy is widened to accept the option when enabling.
    pub fn request(&mut self, side: Side, option: u8, enable: bool) {
        if enable {
            self.core.accept[side_index(side)][option as usize] = true;
        }
        self.core.request(side, option, enable);
        self.sync_parser();
    }

    /// Sets whether the policy accepts `option` on `side` when the peer asks.
    pub fn set_accept(&mut self, side: Side, option: u8, accept: bool) {
        self.core.accept[side_index(side)][option as usize] = accept;
    }

    /// Sends `IAC DO TIMING-MARK`; the answer comes back as [`Event::TimingMark`].
    pub fn request_timing_mark(&mut self) {
        self.core.timing_marks = self.core.timing_marks.saturating_add(1);
        self.core.send_negotiation(DO, TM);
    }

    /// Client: records a new window size and sends it when NAWS is enabled.
    pub fn set_window_size(&mut self, cols: u16, rows: u16) {
        if let RoleState::Client(state) = &mut self.core.role {
            state.policy.cols = cols;
            state.policy.rows = rows;
        }
        if self.core.opts.get(Side::Local, NAWS).enabled() {
            naws::encode(cols, rows, &mut self.core.out);
        }
    }

    /// The state of `option` on `side`.
    #[must_use]
    pub fn option(&self, side: Side, option: u8) -> Q {
        self.core.opts.get(side, option)
    }

    /// Whether `option` is enabled on `side`.
    #[must_use]
    pub fn enabled(&self, side: Side, option: u8) -> bool {
        self.core.opts.get(side, option).enabled()
    }

    /// Whether a request about `option` (either side, or a subnegotiation request) is unanswered.
    #[must_use]
    pub fn pending(&self, option: u8) -> bool {
        self.core.opts.get(Side::Local, option).pending()
            || self.core.opts.get(Side::Remote, option).pending()
            || self.core.sb_pending(option)
    }

    /// Both sides of the option called `name` (see [`telopt::option_from_name`]).
    ///
    /// # Errors
    /// [`ProtocolError::UnknownOption`] for a name no option has.
    pub fn option_state(&self, name: &str) -> Result<OptionState, ProtocolError> {
        let option = telopt::option_from_name(name)
            .ok_or_else(|| ProtocolError::UnknownOption(name.to_owned()))?;
        Ok(OptionState {
            local: self.option(Side::Local, option),
            remote: self.option(Side::Remote, option),
            pending: self.pending(option),
        })
    }

    /// The editing mode, as telnetlib3 reports it.
    #[must_use]
    pub fn mode(&self) -> Mode {
        let opts = &self.core.opts;
        if opts.get(Side::Remote, LINEMODE).enabled() || opts.get(Side::Local, LINEMODE).enabled() {
            return if self.core.linemode & MODE_EDIT != 0 {
                Mode::Local
            } else {
                Mode::Remote
            };
        }
        let echo_side = match self.role() {
            Role::Server => Side::Local,
            Role::Client => Side::Remote,
        };
        if opts.get(echo_side, ECHO).enabled() && opts.get(echo_side, SGA).enabled() {
            Mode::Kludge
        } else {
            Mode::Local
        }
    }

    /// True when nothing we asked for is unanswered: no WILL/DO/WONT/DONT and no subnegotiation
    /// request of ours is waiting for its answer. (A peer that sent nothing is settled: there
    /// is nothing to wait for.) The session waits for this, at least connect_minwait and at most
    /// connect_maxwait.
    #[must_use]
    pub fn is_settled(&self) -> bool {
        !self.core.opts.any_pending() && self.core.sb_pending == [0; 4]
    }

    /// True when the exchanges that make connect_minwait unnecessary are done. Client: TTYPE
    /// was answered, plus NEW_ENVIRON or CHARSET (telnetlib3's rule). Server: the client
    /// answered something and nothing is pending.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.is_settled()
            && match &self.core.role {
                RoleState::Server(_) => true,
                RoleState::Client(state) => state.settled(),
            }
    }

    /// What the peer told us about itself.
    #[must_use]
    pub fn info(&self) -> &PeerInfo {
        &self.core.info
    }

    /// The LINEMODE special-character table in force.
    #[must_use]
    pub fn slc(&self) -> &SlcTable {
        &self.core.slc
    }

    /// The LINEMODE mode mask in force (0 when LINEMODE is off).
    #[must_use]
    pub fn linemode(&self) -> u8 {
        self.core.linemode
    }

    /// Our view of the option state, as sent in STATUS IS.
    #[must_use]
    pub fn status_report(&self) -> StatusReport {
        self.core.status_report()
    }

    /// The tokenizer's subnegotiation bound, in wire bytes.
    pub fn set_subnegotiation_limit(&mut self, limit: usize) {
        self.parser.set_subnegotiation_limit(limit);
    }

    /// True while the peer's bytes stop in the middle of a command (the rest is awaited).
    #[must_use]
    pub fn in_command(&self) -> bool {
        self.parser.in_command()
    }
}

fn side_index(side: Side) -> usize {
    match side {
        Side::Local => 0,
        Side::Remote => 1,
    }
}

/// The verb that asks for (or refuses) `side` of an option.
fn verb(side: Side, enable: bool) -> u8 {
    match (side, enable) {
        (Side::Local, true) => WILL,
        (Side::Local, false) => WONT,
        (Side::Remote, true) => DO,
        (Side::Remote, false) => DONT,
    }
}

impl Core {
    fn new(role: RoleState, accept: [[bool; 256]; 2]) -> Self {
        Self {
            role,
            opts: OptionTable::default(),
            accept,
            out: Vec::new(),
            queue: VecDeque::new(),
            info: PeerInfo::default(),
            slc: SlcTable::bsd_default(),
            linemode: 0,
            sb_pending: [0; 4],
            timing_marks: 0,
            never_send_ga: false,
            compress: compress::Compression::default(),
            mud: mud::MudState::default(),
        }
    }

    fn send_negotiation(&mut self, command: u8, option: u8) {
        log::debug!("send {}", telopt::describe(command, option));
        self.out.extend_from_slice(&[IAC, command, option]);
    }

    fn emit(&mut self, event: Event<'static>) {
        self.queue.push_back(event);
    }

    fn warn(&mut self, warning: Warning) {
        log::warn!("{warning}");
        self.emit(Event::Warning(warning));
    }

    fn sb_pending(&self, option: u8) -> bool {
        self.sb_pending[option as usize / 64] & (1 << (option % 64)) != 0
    }

    fn set_sb_pending(&mut self, option: u8, pending: bool) {
        let bit = 1u64 << (option % 64);
        let word = &mut self.sb_pending[option as usize / 64];
        if pending {
            *word |= bit;
        } else {
            *word &= !bit;
        }
    }

    /// Our own request to enable or disable one side of an option.
    fn request(&mut self, side: Side, option: u8, enable: bool) {
        let was_enabled = self.opts.get(side, option).enabled();
        let send = if enable {
            self.opts.request_enable(side, option)
        } else {
            self.opts.request_disable(side, option)
        };
        if send {
            self.send_negotiation(verb(side, enable), option);
        }
        if !enable && was_enabled {
            self.emit(Event::OptionChanged {
                option,
                side,
                enabled: false,
            });
            self.set_sb_pending(option, false);
            self.compression_disabled(side, option);
        }
    }

    #[inline(never)]
    fn negotiation(&mut self, command: u8, option: u8) {
        log::debug!("recv {}", telopt::describe(command, option));
        let (side, enable) = match command {
            WILL => (Side::Remote, true),
            WONT => (Side::Remote, false),
            DO => (Side::Local, true),
            _ => (Side::Local, false),
        };
        if option == TM {
            self.timing_mark(command);
            return;
        }
        let before = self.opts.get(side, option);
        let outcome = if enable {
            let acceptable = self.accept[side_index(side)][option as usize];
            self.opts.receive_enable(side, option, acceptable)
        } else {
            self.opts.receive_disable(side, option)
        };
        if outcome.violation {
            self.warn(Warning::NegotiationViolation { command, option });
        }
        if let Some(agree) = outcome.reply {
            self.send_negotiation(verb(side, agree), option);
        }
        match outcome.changed {
            Some(enabled) => {
                self.emit(Event::OptionChanged {
                    option,
                    side,
                    enabled,
                });
                if enabled {
                    self.enabled(side, option);
                } else {
                    self.compression_disabled(side, option);
                }
            }
            None if !enable && before.enabled() => {
                self.emit(Event::OptionChanged {
                    option,
                    side,
                    enabled: false,
                });
                self.set_sb_pending(option, false);
                self.compression_disabled(side, option);
            }
            None if !enable && before == Q::WantYes => {
                self.set_sb_pending(option, false);
                self.refused(side, option);
            }
            None => {}
        }
        if enable {
            if let RoleState::Server(_) = self.role {
                self.server_affirmative();
            }
        }
    }

    fn timing_mark(&mut self, command: u8) {
        match command {
            DO => self.send_negotiation(WILL, TM),
            WILL | WONT if self.timing_marks > 0 => {
                self.timing_marks -= 1;
                self.emit(Event::TimingMark);
            }
            _ => {}
        }
    }

    /// One side of an option just became enabled.
    fn enabled(&mut self, side: Side, option: u8) {
        match (side, option) {
            (Side::Local, telopt::LOGOUT) | (Side::Remote, telopt::LOGOUT) => {
                self.emit(Event::Logout)
            }
            (_, MCCP2) | (_, MCCP3) => self.compression_enabled(side, option),
            _ => match self.role {
                RoleState::Server(_) => self.server_enabled(side, option),
                RoleState::Client(_) => self.client_enabled(side, option),
            },
        }
    }

    /// The peer refused a request of ours.
    fn refused(&mut self, side: Side, option: u8) {
        if let RoleState::Server(_) = self.role {
            self.server_refused(side, option);
        }
    }
}

#[cfg(test)]
mod tests;
