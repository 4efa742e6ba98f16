//! The subnegotiation handlers: what a decoded `IAC SB … IAC SE` payload does to the peer
//! information, the option state and the reply.

use super::{Core, Event, RoleState, Side, Warning, Q};
use crate::protocol::options::linemode;
use crate::protocol::options::status::{self, StatusReport};
use crate::protocol::options::{charset, environ, lflow, naws, sndloc, tspeed, ttype, xdisploc};
use crate::telopt::{Opt, *};

/// At most this many environment variables are kept from a peer.
const MAX_ENVIRON: usize = 256;

impl Core {
    #[inline(never)]
    pub(super) fn subnegotiation(&mut self, option: u8, payload: &[u8]) {
        log::debug!(
            "recv IAC SB {} ({} bytes) IAC SE",
            Opt(option),
            payload.len()
        );
        let local = self.opts.get(Side::Local, option);
        let remote = self.opts.get(Side::Remote, option);
        let allowed = local.enabled() || remote.enabled() || local.pending() || remote.pending();
        if !allowed {
            self.warn(Warning::UnexpectedSubnegotiation { option });
            return;
        }
        let result = match option {
            TTYPE => ttype::decode(payload).map(|m| self.sb_ttype(m)),
            NAWS => naws::decode(payload).map(|(cols, rows)| {
                self.info.window = Some((cols, rows));
                self.emit(Event::WindowSize { cols, rows });
            }),
            TSPEED => tspeed::decode(payload).map(|m| self.sb_tspeed(m)),
            XDISPLOC => xdisploc::decode(payload).map(|m| self.sb_xdisploc(m)),
            SNDLOC => sndloc::decode(payload).map(|loc| {
                self.info.sndloc = Some(loc.clone());
                self.emit(Event::SendLocation(loc));
            }),
            NEW_ENVIRON => environ::decode(environ::Kind::New, payload).map(|m| self.sb_environ(m)),
            OLD_ENVIRON => environ::decode(environ::Kind::Old, payload).map(|m| self.sb_environ(m)),
            CHARSET => charset::decode(payload).map(|m| self.sb_charset(m)),
            LINEMODE => linemode::decode(payload).map(|m| self.sb_linemode(m)),
            LFLOW => lflow::decode(payload).map(|m| {
                self.info.lflow = Some(m);
                self.emit(Event::FlowControl(m));
            }),
            STATUS => status::decode(payload).map(|m| self.sb_status(m)),
            GMCP | MSDP | MSSP | ZMP | ATCP | AARDWOLF => {
                self.mud_subnegotiation(option, payload).unwrap_or(Ok(()))
            }
            _ => {
                self.emit(Event::Subnegotiation {
                    option,
                    payload: payload.to_vec(),
                });
                Ok(())
            }
        };
        if let Err(err) = result {
            self.warn(Warning::BadSubnegotiation(err));
        }
    }

    fn sb_ttype(&mut self, message: ttype::Ttype) {
        match message {
            ttype::Ttype::Is(name) => match self.role {
                RoleState::Server(_) => self.server_ttype(name),
                RoleState::Client(_) => {
                    self.warn(Warning::UnexpectedSubnegotiation { option: TTYPE })
                }
            },
            ttype::Ttype::Send => {
                if let RoleState::Client(state) = &mut self.role {
                    if self.opts.get(Side::Local, TTYPE).enabled() {
                        state.ttype_answered = true;
                        let term = state.policy.term.clone();
                        log::debug!("send IAC SB TTYPE IS {term:?}");
                        ttype::encode_is(&term, &mut self.out);
                        return;
                    }
                }
                self.warn(Warning::UnexpectedSubnegotiation { option: TTYPE });
            }
        }
    }

    fn sb_tspeed(&mut self, message: tspeed::Tspeed) {
        match message {
            tspeed::Tspeed::Is { rx, tx } => {
                self.set_sb_pending(TSPEED, false);
                self.info.tspeed = Some((rx, tx));
                self.emit(Event::TerminalSpeed { rx, tx });
            }
            tspeed::Tspeed::Send => match &self.role {
                RoleState::Client(state) if self.opts.get(Side::Local, TSPEED).enabled() => {
                    let (rx, tx) = state.policy.tspeed;
                    tspeed::encode_is(rx, tx, &mut self.out);
                }
                _ => self.warn(Warning::UnexpectedSubnegotiation { option: TSPEED }),
            },
        }
    }

    fn sb_xdisploc(&mut self, message: xdisploc::Xdisploc) {
        match message {
            xdisploc::Xdisploc::Is(display) => {
                self.set_sb_pending(XDISPLOC, false);
                self.info.xdisploc = Some(display.clone());
                self.emit(Event::XDisplayLocation(display));
            }
            xdisploc::Xdisploc::Send => match &self.role {
                RoleState::Client(state) if self.opts.get(Side::Local, XDISPLOC).enabled() => {
                    let display = state.policy.xdisploc.clone();
                    xdisploc::encode_is(&display, &mut self.out);
                }
                _ => self.warn(Warning::UnexpectedSubnegotiation { option: XDISPLOC }),
            },
        }
    }

    fn sb_environ(&mut self, message: environ::Environ) {
        match message {
            environ::Environ::Send(requests) => match &self.role {
                RoleState::Client(_) if self.opts.get(Side::Local, NEW_ENVIRON).enabled() => {
                    self.client_environ(&requests);
                }
                _ => self.warn(Warning::UnexpectedSubnegotiation {
                    option: NEW_ENVIRON,
                }),
            },
            environ::Environ::Is(vars) | environ::Environ::Info(vars) => {
                self.set_sb_pending(NEW_ENVIRON, false);
                self.set_sb_pending(OLD_ENVIRON, false);
                for var in &vars {
                    let Some(value) = var.value.as_deref().filter(|v| !v.is_empty()) else {
                        continue;
                    };
                    let environ = &mut self.info.environ;
                    match environ
                        .iter()
                        .position(|(n, _)| n.eq_ignore_ascii_case(&var.name))
                    {
                        Some(i) if environ[i].1 != value => value.clone_into(&mut environ[i].1),
                        Some(_) => {}
                        None if environ.len() < MAX_ENVIRON => {
                            environ.push((var.name.to_ascii_uppercase(), value.to_owned()));
                        }
                        None => {}
                    }
                }
                self.emit(Event::Environ(vars));
            }
        }
    }

    fn sb_charset(&mut self, message: charset::Charset) {
        match message {
            charset::Charset::Request { offers, .. } => {
                let wanted = match &self.role {
                    RoleState::Server(s) => s.policy.encoding.clone(),
                    RoleState::Client(c) => c.policy.encoding.clone(),
                };
                let choice = wanted
                    .as_deref()
                    .and_then(|w| charset::select(&offers, w))
                    .map(str::to_owned);
                if let RoleState::Client(state) = &mut self.role {
                    state.charset_done = true;
                }
                match choice {
                    Some(name) => {
                        log::debug!("send IAC SB CHARSET ACCEPTED {name:?}");
                        charset::encode_accepted(&name, &mut self.out);
                        self.info.charset = Some(name.clone());
                        self.emit(Event::CharsetAgreed(name));
                    }
                    None => {
                        charset::encode_rejected(&mut self.out);
                        self.emit(Event::CharsetRejected);
                    }
                }
            }
            charset::Charset::Accepted(name) => {
                self.charset_answered();
                self.info.charset = Some(name.clone());
                self.emit(Event::CharsetAgreed(name));
            }
            charset::Charset::Rejected => {
                self.charset_answered();
                self.emit(Event::CharsetRejected);
            }
            charset::Charset::TtableIs(_) => charset::encode_ttable_rejected(&mut self.out),
            charset::Charset::TtableRejected
            | charset::Charset::TtableAck
            | charset::Charset::TtableNak => {}
        }
    }

    /// The peer answered our CHARSET REQUEST. Some clients (tintin++) answer it without ever
    /// sending DO CHARSET for our WILL CHARSET; the answer itself shows they agree, so a WILL
    /// still unanswered is taken as agreed rather than left pending for ever.
    fn charset_answered(&mut self) {
        self.set_sb_pending(CHARSET, false);
        if self.opts.get(Side::Local, CHARSET) == Q::WantYes {
            let outcome = self.opts.receive_enable(Side::Local, CHARSET, true);
            if outcome.changed == Some(true) {
                self.emit(Event::OptionChanged {
                    option: CHARSET,
                    side: Side::Local,
                    enabled: true,
                });
            }
        }
    }

    fn sb_linemode(&mut self, message: linemode::Linemode) {
        match message {
            linemode::Linemode::Mode(mask) => {
                let mode = mask & linemode::MODE_MASK;
                let is_ack = mask & linemode::MODE_ACK != 0;
                if !is_ack {
                    if let RoleState::Client(_) = self.role {
                        // A server's proposal: take it and acknowledge (RFC 1184 §2.2).
                        if mode == self.linemode {
                            return;
                        }
                        linemode::encode_mode(mode | linemode::MODE_ACK, &mut self.out);
                    }
                } else {
                    self.set_sb_pending(LINEMODE, false);
                }
                self.linemode = mode;
                self.emit(Event::LinemodeMode(mode));
            }
            linemode::Linemode::Slc(triplets) => {
                let reply = self.slc.receive(&triplets);
                if !reply.is_empty() {
                    linemode::encode_slc(&reply, &mut self.out);
                }
                self.emit(Event::Slc(triplets));
            }
            linemode::Linemode::Forwardmask { command, mask } => {
                if command == DO {
                    // We keep no forwarding mask of our own: decline (RFC 1184 §2.3).
                    linemode::encode_forwardmask(WONT, &[], &mut self.out);
                }
                self.emit(Event::Forwardmask { command, mask });
            }
        }
    }

    fn sb_status(&mut self, message: status::Status) {
        match message {
            status::Status::Send => {
                if self.opts.get(Side::Local, STATUS).enabled() {
                    let report = self.status_report();
                    status::encode_is(&report, &mut self.out);
                } else {
                    self.warn(Warning::UnexpectedSubnegotiation { option: STATUS });
                }
            }
            status::Status::Is(report) => self.emit(Event::Status(Box::new(report))),
        }
    }

    pub(super) fn status_report(&self) -> StatusReport {
        let mut subnegotiations = Vec::new();
        if self.opts.get(Side::Remote, LINEMODE).enabled()
            || self.opts.get(Side::Local, LINEMODE).enabled()
        {
            subnegotiations.push((LINEMODE, vec![linemode::MODE, self.linemode]));
        }
        StatusReport {
            local: self.opts.enabled(Side::Local),
            remote: self.opts.enabled(Side::Remote),
            subnegotiations,
        }
    }
}
