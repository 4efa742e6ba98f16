//! Conditions to wait for, and a snapshot of negotiation state.

use crate::protocol::{Mode, Negotiator, ProtocolError};
use crate::telopt;
use crate::Result;

/// Conditions for [`Connection::wait_for`](super::Connection::wait_for): option names (as
/// [`telopt::option_from_name`] reads them) with the state each must reach.
///
/// ```
/// use telnetlib3::WaitFor;
/// let wait = WaitFor::default().remote("NAWS", true).pending("TTYPE", false);
/// assert_eq!(wait.remote, [("NAWS".to_owned(), true)]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WaitFor {
    /// Whether the peer performs each option (it said WILL).
    pub remote: Vec<(String, bool)>,
    /// Whether we perform each option (we said WILL).
    pub local: Vec<(String, bool)>,
    /// Whether a request about each option is still unanswered.
    pub pending: Vec<(String, bool)>,
}

impl WaitFor {
    /// Adds a remote condition.
    #[must_use]
    pub fn remote(mut self, option: &str, enabled: bool) -> Self {
        self.remote.push((option.to_owned(), enabled));
        self
    }

    /// Adds a local condition.
    #[must_use]
    pub fn local(mut self, option: &str, enabled: bool) -> Self {
        self.local.push((option.to_owned(), enabled));
        self
    }

    /// Adds a pending condition.
    #[must_use]
    pub fn pending(mut self, option: &str, pending: bool) -> Self {
        self.pending.push((option.to_owned(), pending));
        self
    }

    /// Whether every condition holds on `neg`.
    pub(crate) fn holds(&self, neg: &Negotiator) -> Result<bool, ProtocolError> {
        for (name, want) in &self.remote {
            if neg.option_state(name)?.remote.enabled() != *want {
                return Ok(false);
            }
        }
        for (name, want) in &self.local {
            if neg.option_state(name)?.local.enabled() != *want {
                return Ok(false);
            }
        }
        for (name, want) in &self.pending {
            if neg.option_state(name)?.pending != *want {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Fails on the first option name that does not exist.
    pub(crate) fn validate(&self) -> Result<(), ProtocolError> {
        for (name, _) in self.remote.iter().chain(&self.local).chain(&self.pending) {
            telopt::option_from_name(name)
                .ok_or_else(|| ProtocolError::UnknownOption(name.clone()))?;
        }
        Ok(())
    }
}

/// A read-only view of a connection's negotiation state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NegotiationState {
    /// telnetlib3's mode: local, remote or kludge.
    pub mode: Mode,
    /// Options we perform.
    pub local: Vec<u8>,
    /// Options the peer performs.
    pub remote: Vec<u8>,
    /// Whether negotiation has settled.
    pub settled: bool,
}
