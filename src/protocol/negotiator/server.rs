//! The server policy's reactions (telnetlib3's `TelnetServer` negotiation order).

use std::sync::OnceLock;

use super::{is_mud_client, Core, Event, RoleState, ServerPolicy, Side, MUD_OPTIONS};
use crate::protocol::options::{charset, environ, linemode, tspeed, ttype, xdisploc};
use crate::telopt::*;

#[derive(Debug, Clone)]
pub(super) struct ServerState {
    pub(super) policy: ServerPolicy,
    /// The client answered something: the advanced options were sent.
    advanced: bool,
    /// WILL ECHO / DO NEW_ENVIRON, which wait for the first TTYPE answers, were sent.
    after_ttype: bool,
    /// The TTYPE cycle is over.
    ttype_done: bool,
    /// The client answered TTYPE with ANSI then VT100 (Microsoft telnet).
    ms_telnet: bool,
    /// NEW_ENVIRON got enabled before WILL ECHO / DO NEW_ENVIRON were due.
    environ_deferred: bool,
}

impl ServerState {
    pub(super) fn new(policy: ServerPolicy) -> Self {
        Self {
            policy,
            advanced: false,
            after_ttype: false,
            ttype_done: false,
            ms_telnet: false,
            environ_deferred: false,
        }
    }
}

impl Core {
    fn server(&mut self) -> &mut ServerState {
        match &mut self.role {
            RoleState::Server(state) => state,
            RoleState::Client(_) => unreachable!("server hook on a client negotiator"),
        }
    }

    /// The client sent WILL or DO: on the first one, offer the advanced options.
    pub(super) fn server_affirmative(&mut self) {
        let state = self.server();
        if state.advanced {
            return;
        }
        state.advanced = true;
        let line_mode = state.policy.line_mode;
        let charset = state.policy.encoding.is_some();
        if !line_mode {
            self.request(Side::Local, SGA, true);
        }
        self.request(Side::Local, BINARY, true);
        self.request(Side::Remote, NAWS, true);
        if charset {
            self.request(Side::Remote, CHARSET, true);
        }
        if line_mode {
            self.request(Side::Remote, LINEMODE, true);
        }
        self.compression_offer();
        let ttype = self.opts.get(Side::Remote, TTYPE);
        if !ttype.enabled() && !ttype.pending() {
            self.server_after_ttype();
        }
    }

    /// WILL ECHO (unless line mode or a MUD client) and DO NEW_ENVIRON, once.
    fn server_after_ttype(&mut self) {
        let state = self.server();
        if state.after_ttype {
            return;
        }
        state.after_ttype = true;
        let line_mode = state.policy.line_mode;
        let deferred = state.environ_deferred;
        let mud = self.info.term.as_deref().is_some_and(is_mud_client)
            || self.info.ttypes.iter().take(3).any(|t| is_mud_client(t))
            || MUD_OPTIONS
                .iter()
                .any(|&o| self.opts.get(Side::Remote, o).enabled());
        if !line_mode && !mud {
            self.request(Side::Local, ECHO, true);
        }
        self.request(Side::Remote, NEW_ENVIRON, true);
        if deferred && self.opts.get(Side::Remote, NEW_ENVIRON).enabled() {
            self.server_request_environ();
        }
    }

    fn server_request_environ(&mut self) {
        static REQUESTS: OnceLock<[Vec<u8>; 2]> = OnceLock::new();
        let requests = REQUESTS.get_or_init(|| {
            [false, true].map(|include_user| {
                let mut wire = Vec::new();
                let request = environ::server_request(include_user);
                environ::encode_send_split(environ::Kind::New, &request, &mut wire);
                wire
            })
        });
        let include_user = !self.server().ms_telnet;
        log::debug!("send IAC SB NEW_ENVIRON SEND (USER {include_user})");
        self.out
            .extend_from_slice(&requests[usize::from(include_user)]);
        self.set_sb_pending(NEW_ENVIRON, true);
    }

    pub(super) fn server_enabled(&mut self, side: Side, option: u8) {
        match (side, option) {
            (Side::Remote, TTYPE) => {
                log::debug!("send IAC SB TTYPE SEND");
                ttype::encode_send(&mut self.out);
                self.set_sb_pending(TTYPE, true);
            }
            (Side::Remote, NEW_ENVIRON) => {
                if self.server().after_ttype {
                    self.server_request_environ();
                } else {
                    self.server().environ_deferred = true;
                }
            }
            (Side::Remote, CHARSET) => {
                let offers = self.server().policy.charset_offers.clone();
                self.request(Side::Local, CHARSET, true);
                let offers: Vec<&str> = offers.iter().map(String::as_str).collect();
                log::debug!("send IAC SB CHARSET REQUEST {offers:?}");
                charset::encode_request(&offers, &mut self.out);
                self.set_sb_pending(CHARSET, true);
            }
            (Side::Remote, TSPEED) => {
                tspeed::encode_send(&mut self.out);
                self.set_sb_pending(TSPEED, true);
            }
            (Side::Remote, XDISPLOC) => {
                xdisploc::encode_send(&mut self.out);
                self.set_sb_pending(XDISPLOC, true);
            }
            (Side::Local, BINARY) => {
                // The client takes our binary output: ask for binary input too.
                self.request(Side::Remote, BINARY, true);
            }
            (Side::Remote, LINEMODE) => {
                let mask = if self.server().policy.line_mode {
                    linemode::MODE_EDIT
                } else {
                    linemode::MODE_LIT_ECHO
                };
                self.linemode = mask;
                linemode::encode_mode(mask, &mut self.out);
                self.set_sb_pending(LINEMODE, true);
            }
            _ => {}
        }
    }

    pub(super) fn server_refused(&mut self, side: Side, option: u8) {
        if (side, option) == (Side::Remote, TTYPE) {
            self.server().ttype_done = true;
            if self.server().advanced {
                self.server_after_ttype();
            }
        }
    }

    /// One answer of the TTYPE cycle.
    pub(super) fn server_ttype(&mut self, name: String) {
        let ttype_max = self.server().policy.ttype_max.max(1);
        let count = self.info.ttypes.len();
        if self.server().ttype_done {
            // Unsolicited: note the new terminal type, keep no more history.
            if !name.is_empty() && self.info.term.as_deref() != Some(name.as_str()) {
                self.info.term = Some(name.clone());
            }
            self.emit(Event::TerminalType(name));
            return;
        }
        let n = count + 1;
        let repeats_first = n >= 2 && self.info.ttypes.first().is_some_and(|t| *t == name);
        let repeats_last = n >= 2 && self.info.ttypes.last().is_some_and(|t| *t == name);
        let mtts = n == 3 && name.starts_with("MTTS ");
        let stop = name.is_empty() || repeats_first || repeats_last || mtts || n >= ttype_max;
        if !name.is_empty() {
            self.info.ttypes.push(name.clone());
            self.info.term = Some(name.clone());
        }
        if mtts {
            self.info.term = self.info.ttypes.get(1).cloned();
        }
        self.emit(Event::TerminalType(name.clone()));

        if !self.server().after_ttype {
            if n == 1 && name.eq_ignore_ascii_case("ANSI") && !stop {
                // Maybe Microsoft telnet, which answers ANSI then VT100: wait for the second.
            } else {
                if n == 2 {
                    let first_ansi = self.info.ttypes[0].eq_ignore_ascii_case("ANSI");
                    self.server().ms_telnet = first_ansi && name.eq_ignore_ascii_case("VT100");
                }
                self.server_after_ttype();
            }
        }
        if stop {
            self.server().ttype_done = true;
            self.set_sb_pending(TTYPE, false);
            if !self.server().after_ttype {
                self.server_after_ttype();
            }
        } else {
            log::debug!("send IAC SB TTYPE SEND");
            ttype::encode_send(&mut self.out);
        }
    }
}
