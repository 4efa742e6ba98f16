//! RFC 1143 ("the Q Method") option state, for both sides of all 256 options.
//!
//! ```text
//!            request enable, send WILL/DO
//!   ┌────┐ ─────────────────────────────▶ ┌─────────┐   peer agrees    ┌─────┐
//!   │ No │                                │ WantYes │ ───────────────▶ │ Yes │
//!   └────┘ ◀───────────────────────────── └─────────┘                  └─────┘
//!     ▲        peer refuses                                               │
//!     │                 ┌────────┐   request disable, send WONT/DONT      │
//!     └──────────────── │ WantNo │ ◀──────────────────────────────────────┘
//!       peer confirms   └────────┘
//! ```
//!
//! A request made while the opposite one is outstanding sets the *opposite* bit instead of
//! sending anything, and is sent when the answer arrives. This is what makes negotiation loops
//! impossible whatever the peer sends.

/// The state of one side of one option.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Q {
    /// Disabled.
    #[default]
    No,
    /// Enabled.
    Yes,
    /// We asked to disable and wait for the answer.
    WantNo,
    /// We asked to disable, then asked to enable again.
    WantNoOpposite,
    /// We asked to enable and wait for the answer.
    WantYes,
    /// We asked to enable, then asked to disable again.
    WantYesOpposite,
}

impl Q {
    /// Enabled, as far as data handling is concerned.
    #[must_use]
    pub fn enabled(self) -> bool {
        matches!(self, Q::Yes)
    }

    /// A request is outstanding.
    #[must_use]
    pub fn pending(self) -> bool {
        !matches!(self, Q::No | Q::Yes)
    }
}

/// Which side of an option: [`Side::Local`] is whether *we* perform it (we said WILL, the peer
/// said DO), [`Side::Remote`] whether the *peer* performs it (it said WILL, we said DO).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// We perform the option.
    Local,
    /// The peer performs the option.
    Remote,
}

/// What the state machine decided about a message received from the peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// A reply to send: `Some(true)` to agree (WILL/DO), `Some(false)` to refuse (WONT/DONT).
    pub reply: Option<bool>,
    /// The option's enabled state changed to this.
    pub changed: Option<bool>,
    /// The peer broke RFC 1143 (the state was repaired).
    pub violation: bool,
}

impl Outcome {
    const NOTHING: Outcome = Outcome {
        reply: None,
        changed: None,
        violation: false,
    };

    fn reply(agree: bool) -> Self {
        Outcome {
            reply: Some(agree),
            ..Self::NOTHING
        }
    }

    fn enabled() -> Self {
        Outcome {
            changed: Some(true),
            ..Self::NOTHING
        }
    }
}

/// Option state for all options, both sides, with a once-only refusal memory.
#[derive(Clone, Debug)]
pub struct OptionTable {
    local: [Q; 256],
    remote: [Q; 256],
    /// Options we already refused while in state No, per side: a peer that asks again gets no
    /// second refusal.
    refused: [[u64; 4]; 2],
    /// Options not `No` on at least one side: the ones a subnegotiation may be for.
    active: [u64; 4],
}

impl Default for OptionTable {
    fn default() -> Self {
        Self {
            local: [Q::No; 256],
            remote: [Q::No; 256],
            refused: [[0; 4]; 2],
            active: [0; 4],
        }
    }
}

fn side_index(side: Side) -> usize {
    match side {
        Side::Local => 0,
        Side::Remote => 1,
    }
}

impl OptionTable {
    /// The state of `option` on `side`.
    #[must_use]
    pub fn get(&self, side: Side, option: u8) -> Q {
        match side {
            Side::Local => self.local[option as usize],
            Side::Remote => self.remote[option as usize],
        }
    }

    fn set(&mut self, side: Side, option: u8, state: Q) {
        match side {
            Side::Local => self.local[option as usize] = state,
            Side::Remote => self.remote[option as usize] = state,
        }
        let on = self.local[option as usize] != Q::No || self.remote[option as usize] != Q::No;
        let bit = 1u64 << (option % 64);
        let word = &mut self.active[option as usize / 64];
        if on {
            *word |= bit;
        } else {
            *word &= !bit;
        }
    }

    /// Bit `o` is set when option `o` is enabled or being negotiated on either side.
    #[must_use]
    pub fn active_mask(&self) -> [u64; 4] {
        self.active
    }

    fn refused_bit(&mut self, side: Side, option: u8, set: Option<bool>) -> bool {
        let word = &mut self.refused[side_index(side)][option as usize / 64];
        let bit = 1u64 << (option % 64);
        let was = *word & bit != 0;
        match set {
            Some(true) => *word |= bit,
            Some(false) => *word &= !bit,
            None => {}
        }
        was
    }

    /// Any request outstanding on any option.
    #[must_use]
    pub fn any_pending(&self) -> bool {
        self.local
            .iter()
            .chain(self.remote.iter())
            .any(|q| q.pending())
    }

    /// Options enabled on `side`, in code order.
    #[must_use]
    pub fn enabled(&self, side: Side) -> Vec<u8> {
        let table = match side {
            Side::Local => &self.local,
            Side::Remote => &self.remote,
        };
        (0..=255u8)
            .filter(|&o| table[o as usize].enabled())
            .collect()
    }

    /// The peer sent WILL (for [`Side::Remote`]) or DO (for [`Side::Local`]). `acceptable` says
    /// whether our policy agrees to the option being enabled.
    pub fn receive_enable(&mut self, side: Side, option: u8, acceptable: bool) -> Outcome {
        let state = self.get(side, option);
        match state {
            Q::No => {
                if acceptable {
                    self.set(side, option, Q::Yes);
                    Outcome {
                        reply: Some(true),
                        changed: Some(true),
                        violation: false,
                    }
                } else if self.refused_bit(side, option, Some(true)) {
                    Outcome::NOTHING
                } else {
                    Outcome::reply(false)
                }
            }
            Q::Yes => Outcome::NOTHING,
            Q::WantNo => {
                self.set(side, option, Q::No);
                Outcome {
                    violation: true,
                    ..Outcome::NOTHING
                }
            }
            Q::WantNoOpposite => {
                self.set(side, option, Q::Yes);
                Outcome {
                    changed: Some(true),
                    violation: true,
                    ..Outcome::NOTHING
                }
            }
            Q::WantYes => {
                self.set(side, option, Q::Yes);
                Outcome::enabled()
            }
            Q::WantYesOpposite => {
                self.set(side, option, Q::WantNo);
                Outcome::reply(false)
            }
        }
    }

    /// The peer sent WONT (for [`Side::Remote`]) or DONT (for [`Side::Local`]).
    pub fn receive_disable(&mut self, side: Side, option: u8) -> Outcome {
        let state = self.get(side, option);
        match state {
            Q::No => Outcome::NOTHING,
            Q::Yes => {
                self.set(side, option, Q::No);
                Outcome {
                    reply: Some(false),
                    changed: Some(false),
                    violation: false,
                }
            }
            Q::WantNo | Q::WantYes => {
                // Confirmation of our DONT, or refusal of our DO: off either way (WantNo was
                // already off for data purposes).
                self.set(side, option, Q::No);
                Outcome::NOTHING
            }
            Q::WantNoOpposite => {
                self.set(side, option, Q::WantYes);
                Outcome::reply(true)
            }
            Q::WantYesOpposite => {
                self.set(side, option, Q::No);
                Outcome::NOTHING
            }
        }
    }

    /// We want the option enabled on `side`. Returns true when WILL/DO must be sent now.
    pub fn request_enable(&mut self, side: Side, option: u8) -> bool {
        self.refused_bit(side, option, Some(false));
        let (next, send) = match self.get(side, option) {
            Q::No => (Q::WantYes, true),
            Q::WantNo => (Q::WantNoOpposite, false),
            Q::WantYesOpposite => (Q::WantYes, false),
            other @ (Q::Yes | Q::WantYes | Q::WantNoOpposite) => (other, false),
        };
        self.set(side, option, next);
        send
    }

    /// We want the option disabled on `side`. Returns true when WONT/DONT must be sent now.
    /// Disabling changes the state at once as far as data handling goes (RFC 1143: stop
    /// performing before the answer).
    pub fn request_disable(&mut self, side: Side, option: u8) -> bool {
        let (next, send) = match self.get(side, option) {
            Q::Yes => (Q::WantNo, true),
            Q::WantYes => (Q::WantYesOpposite, false),
            Q::WantNoOpposite => (Q::WantNo, false),
            other @ (Q::No | Q::WantNo | Q::WantYesOpposite) => (other, false),
        };
        self.set(side, option, next);
        send
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn will_twice_is_answered_once() {
        let mut t = OptionTable::default();
        let first = t.receive_enable(Side::Remote, 31, true);
        assert_eq!(first.reply, Some(true));
        assert_eq!(first.changed, Some(true));
        assert_eq!(t.receive_enable(Side::Remote, 31, true), Outcome::NOTHING);
    }

    #[test]
    fn unsupported_is_refused_once() {
        let mut t = OptionTable::default();
        assert_eq!(t.receive_enable(Side::Local, 99, false).reply, Some(false));
        assert_eq!(t.receive_enable(Side::Local, 99, false), Outcome::NOTHING);
        assert_eq!(t.get(Side::Local, 99), Q::No);
    }

    #[test]
    fn disable_of_disabled_is_silent() {
        let mut t = OptionTable::default();
        assert_eq!(t.receive_disable(Side::Local, 1), Outcome::NOTHING);
    }

    #[test]
    fn request_then_refusal() {
        let mut t = OptionTable::default();
        assert!(t.request_enable(Side::Local, 1));
        assert!(!t.request_enable(Side::Local, 1));
        assert!(t.get(Side::Local, 1).pending());
        assert_eq!(t.receive_disable(Side::Local, 1), Outcome::NOTHING);
        assert_eq!(t.get(Side::Local, 1), Q::No);
    }

    #[test]
    fn opposite_queue() {
        let mut t = OptionTable::default();
        assert!(t.request_enable(Side::Remote, 3));
        assert!(!t.request_disable(Side::Remote, 3));
        assert_eq!(t.get(Side::Remote, 3), Q::WantYesOpposite);
        // Peer agrees: we now ask to disable.
        let out = t.receive_enable(Side::Remote, 3, true);
        assert_eq!(out.reply, Some(false));
        assert_eq!(t.get(Side::Remote, 3), Q::WantNo);
        assert_eq!(t.receive_disable(Side::Remote, 3), Outcome::NOTHING);
        assert_eq!(t.get(Side::Remote, 3), Q::No);
    }

    #[test]
    fn violation_is_repaired() {
        let mut t = OptionTable::default();
        t.receive_enable(Side::Remote, 0, true);
        assert!(t.request_disable(Side::Remote, 0));
        let out = t.receive_enable(Side::Remote, 0, true);
        assert!(out.violation);
        assert_eq!(t.get(Side::Remote, 0), Q::No);
    }
}
