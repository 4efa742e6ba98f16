//! MCCP2/MCCP3 in the negotiator: the offers, and where the compressed streams start.
//!
//! The server performs both options (it sends `WILL`): MCCP2 compresses what the server sends,
//! MCCP3 what the client sends. The sender of a stream starts it with `IAC SB option IAC SE`;
//! the bytes after it are zlib (see [`mccp`](crate::protocol::mccp)).

use std::collections::VecDeque;

use super::{Core, Negotiator, Role, RoleState, Side};
use crate::protocol::mccp;
use crate::telopt::{MCCP2, MCCP3};

/// The compression state of one negotiator.
#[derive(Debug, Clone, Default)]
pub(super) struct Compression {
    /// The policy: `None` accepts when asked, `Some(true)` offers, `Some(false)` refuses.
    pub(super) policy: Option<bool>,
    /// The peer's bytes are compressed (its marker was seen, the stream has not ended).
    input: bool,
    /// The peer's marker was just seen: receiving stops there until the caller takes it.
    input_start: bool,
    /// Where in `out` our stream starts (`true`: right after our marker) or ends (`false`),
    /// until `poll_transmit` reaches it.
    output_at: VecDeque<(usize, bool)>,
    /// `poll_transmit` stopped where our stream starts or ends.
    output_switch: Option<bool>,
    /// We compress what we send.
    output: bool,
}

/// The option that compresses what `role` sends, and the one that compresses what it receives.
fn options(role: Role) -> (u8, u8) {
    match role {
        Role::Server => (MCCP2, MCCP3),
        Role::Client => (MCCP3, MCCP2),
    }
}

/// The side both options are on, seen from `role` (the server performs them).
fn side(role: Role) -> Side {
    match role {
        Role::Server => Side::Local,
        Role::Client => Side::Remote,
    }
}

impl Compression {
    pub(super) fn new(policy: Option<bool>) -> Self {
        Self {
            policy,
            ..Self::default()
        }
    }

    /// Whether receiving must stop before `pos`, the compressed stream starting there.
    pub(super) fn stops_input(&self) -> bool {
        self.input_start
    }

    /// How many of the `len` queued bytes may go out before the caller must start or end
    /// compressing.
    pub(super) fn transmit_len(&mut self, len: usize) -> usize {
        if self.output_switch.is_some() {
            // The caller has not switched yet: nothing goes out past the switch.
            return 0;
        }
        match self.output_at.pop_front() {
            Some((at, start)) => {
                self.output_switch = Some(start);
                for (later, _) in &mut self.output_at {
                    *later -= at;
                }
                at
            }
            None => len,
        }
    }
}

impl Core {
    fn role_kind(&self) -> Role {
        match self.role {
            RoleState::Server(_) => Role::Server,
            RoleState::Client(_) => Role::Client,
        }
    }

    /// Offers both options when the policy says so (server: `WILL`, client: `DO`).
    pub(super) fn compression_offer(&mut self) {
        if self.compress.policy == Some(true) {
            let side = side(self.role_kind());
            self.request(side, MCCP2, true);
            self.request(side, MCCP3, true);
        }
    }

    /// An option got enabled: when it compresses what we send, send the marker.
    pub(super) fn compression_enabled(&mut self, side_: Side, option: u8) {
        let role = self.role_kind();
        if side_ != side(role) || option != options(role).0 || self.compress.output {
            return;
        }
        log::debug!(
            "send IAC SB {} IAC SE: compressing from here",
            crate::telopt::Opt(option)
        );
        self.out.extend_from_slice(&mccp::start_marker(option));
        self.compress.output_at.push_back((self.out.len(), true));
        self.compress.output = true;
    }

    /// An option got disabled: when it compressed what we send, our stream ends after what
    /// is queued (the refusal included), and what follows is plain.
    pub(super) fn compression_disabled(&mut self, side_: Side, option: u8) {
        let role = self.role_kind();
        if side_ != side(role) || option != options(role).0 || !self.compress.output {
            return;
        }
        log::debug!(
            "{} disabled: our compressed stream ends",
            crate::telopt::Opt(option)
        );
        self.compress.output_at.push_back((self.out.len(), false));
        self.compress.output = false;
    }

    /// A subnegotiation of `option`: true when it was the peer's start marker (receiving stops
    /// after it).
    pub(super) fn compression_marker(&mut self, option: u8, payload: &[u8]) -> bool {
        let role = self.role_kind();
        if option != options(role).1 || !payload.is_empty() {
            return false;
        }
        if !self.opts.get(side(role), option).enabled() || self.compress.input {
            log::debug!("recv IAC SB {} IAC SE: ignored", crate::telopt::Opt(option));
            return true;
        }
        log::debug!(
            "recv IAC SB {} IAC SE: compressed from here",
            crate::telopt::Opt(option)
        );
        self.compress.input = true;
        self.compress.input_start = true;
        true
    }
}

impl Negotiator {
    /// True once, right after [`receive`](Self::receive) stopped at the peer's compression
    /// marker: the rest of that input (and everything after it) is a zlib stream to inflate
    /// (see [`mccp`]) and feed back in, until it ends
    /// ([`end_input_compression`](Self::end_input_compression)).
    pub fn take_input_compression(&mut self) -> bool {
        std::mem::take(&mut self.core.compress.input_start)
    }

    /// The peer's compressed stream ended: what follows is plain again.
    pub fn end_input_compression(&mut self) {
        self.core.compress.input = false;
        self.core.compress.input_start = false;
    }

    /// Whether the peer's bytes are compressed now.
    #[must_use]
    pub fn input_compressed(&self) -> bool {
        self.core.compress.input
    }

    /// Set once [`poll_transmit`](Self::poll_transmit) stopped where our compressed stream
    /// starts or ends: `Some(true)` right after our marker (everything sent from now on must
    /// be deflated, see [`mccp`]), `Some(false)` where the stream must end (the option was
    /// disabled; finish it, then send plain). Nothing more is transmitted until it is taken.
    pub fn take_output_compression(&mut self) -> Option<bool> {
        self.core.compress.output_switch.take()
    }

    /// Whether what we send is compressed now.
    #[must_use]
    pub fn output_compressed(&self) -> bool {
        self.core.compress.output
    }

    /// Refuses MCCP2 and MCCP3 from now on (under TLS: compressing before encrypting leaks
    /// what is sent, as CRIME showed). An offer already queued is withdrawn.
    pub fn refuse_compression(&mut self) {
        self.core.compress.policy = Some(false);
        let side = side(self.role());
        for option in [MCCP2, MCCP3] {
            self.core.accept[super::side_index(side)][option as usize] = false;
            if self.core.opts.get(side, option) != super::Q::No {
                self.core.request(side, option, false);
            }
        }
        self.sync_parser();
    }
}

#[cfg(test)]
mod tests {
    use crate::protocol::{ClientPolicy, Event, Negotiator, ServerPolicy};
    use crate::telopt::parse_wire;

    fn w(description: &str) -> Vec<u8> {
        parse_wire(description).unwrap()
    }

    fn reply(neg: &mut Negotiator, input: &str) -> Vec<u8> {
        let _ = neg.receive_all(&w(input));
        neg.take_transmit()
    }

    #[test]
    fn client_accepts_by_default_and_refuses_when_told() {
        let mut c = Negotiator::client(ClientPolicy::default());
        assert_eq!(
            reply(&mut c, "WILL MCCP2 | WILL MCCP3"),
            w("DO MCCP2 | DO MCCP3 | SB MCCP3 SE")
        );
        let mut c = Negotiator::client(ClientPolicy::default().compression(Some(false)));
        assert_eq!(
            reply(&mut c, "WILL MCCP2 | WILL MCCP3"),
            w("DONT MCCP2 | DONT MCCP3")
        );
        let mut c = Negotiator::client(ClientPolicy::default().compression(Some(true)));
        assert_eq!(c.take_transmit(), w("DO MCCP2 | DO MCCP3"));
        // Agreeing to MCCP3 starts our stream at once.
        assert_eq!(reply(&mut c, "WILL MCCP3"), w("SB MCCP3 SE"));
    }

    #[test]
    fn server_offers_with_the_advanced_options_and_refuses_when_told() {
        let mut s = Negotiator::server(ServerPolicy::default().compression(Some(true)));
        let _ = s.take_transmit();
        let out = reply(&mut s, "WILL TTYPE");
        assert!(out.ends_with(&w("WILL MCCP2 | WILL MCCP3")), "{out:?}");
        let mut s = Negotiator::server(ServerPolicy::default().compression(Some(false)));
        let _ = s.take_transmit();
        let out = reply(&mut s, "DO MCCP2 | DO MCCP3");
        assert!(out.starts_with(&w("WONT MCCP2")), "{out:?}");
        assert!(out.ends_with(&w("WONT MCCP3")), "{out:?}");
    }

    #[test]
    fn server_transmits_up_to_its_marker_then_says_to_compress() {
        let mut s = Negotiator::server(ServerPolicy::default());
        let _ = s.take_transmit();
        let _ = s.receive_all(&w("DO MCCP2"));
        s.send_data(b"after");
        let mut out = Vec::new();
        s.poll_transmit(&mut out);
        assert!(out.ends_with(&w("WILL MCCP2 | SB MCCP2 SE")), "{out:?}");
        assert_eq!(s.take_output_compression(), Some(true));
        assert!(s.output_compressed());
        assert_eq!(s.take_output_compression(), None);
        out.clear();
        s.poll_transmit(&mut out);
        assert!(out.ends_with(b"after"), "{out:?}");
    }

    #[test]
    fn client_starts_mccp3_when_the_server_agrees() {
        let mut c = Negotiator::client(ClientPolicy::default());
        assert_eq!(reply(&mut c, "WILL MCCP3"), w("DO MCCP3 | SB MCCP3 SE"),);
        assert_eq!(c.take_output_compression(), Some(true));
        // telnetlib3-server answers DO MCCP3 with WONT: our stream ends after the DONT.
        c.send_data(b"compressed");
        let mut out = b"compressed".to_vec();
        out.extend_from_slice(&w("DONT MCCP3"));
        assert_eq!(reply(&mut c, "WONT MCCP3"), out);
        assert_eq!(c.take_output_compression(), Some(false));
        assert!(!c.output_compressed());
        c.send_data(b"plain");
        c.poll_transmit(&mut out);
        assert!(out.ends_with(b"plain"));
    }

    #[test]
    fn receive_stops_right_after_the_marker() {
        let mut c = Negotiator::client(ClientPolicy::default());
        let _ = reply(&mut c, "WILL MCCP2");
        let mut input = w("'ab' | SB MCCP2 SE");
        let end = input.len();
        input.extend_from_slice(b"\x78\x9c compressed");
        let mut rx = c.receive(&input);
        let events: Vec<_> = rx.by_ref().map(Event::into_owned).collect();
        assert_eq!(rx.consumed(), end);
        drop(rx);
        assert_eq!(events, [Event::Data(b"ab".to_vec().into())]);
        assert!(c.take_input_compression() && c.input_compressed());
        assert!(!c.take_input_compression());
        // A marker inside the compressed stream is not a new start.
        assert_eq!(
            c.receive_all(&w("SB MCCP2 SE | 'x'")),
            [Event::Data(b"x".to_vec().into())]
        );
        assert!(!c.take_input_compression());
        c.end_input_compression();
        assert!(!c.input_compressed());
    }

    #[test]
    fn a_marker_without_agreement_starts_nothing() {
        let mut c = Negotiator::client(ClientPolicy::default());
        let _ = c.receive_all(&w("SB MCCP2 SE | 'x'"));
        assert!(!c.take_input_compression());
        let mut s = Negotiator::server(ServerPolicy::default());
        let _ = s.receive_all(&w("SB MCCP3 SE"));
        assert!(!s.take_input_compression());
    }

    #[test]
    fn refusing_withdraws_an_agreement() {
        let mut s = Negotiator::server(ServerPolicy::default());
        let _ = s.take_transmit();
        s.refuse_compression();
        let out = reply(&mut s, "DO MCCP2");
        assert!(out.starts_with(&w("WONT MCCP2")), "{out:?}");
        assert_eq!(s.take_output_compression(), None);
    }
}
