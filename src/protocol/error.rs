//! Errors and warnings of the protocol core. None of them carries an IO cause: the core never does IO.

use std::fmt;

use crate::telopt::Opt;

/// A subnegotiation payload that could not be decoded. The negotiator reports it as
/// [`Warning::BadSubnegotiation`] and carries on; it is never fatal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// The option whose subnegotiation was malformed.
    pub option: u8,
    /// What was wrong with it.
    pub reason: &'static str,
}

impl DecodeError {
    /// A decode error for `option` with a fixed `reason`.
    #[must_use]
    pub const fn new(option: u8, reason: &'static str) -> Self {
        Self { option, reason }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bad {} subnegotiation: {}",
            Opt(self.option),
            self.reason
        )
    }
}

impl std::error::Error for DecodeError {}

/// Something odd the peer did that the negotiator recovered from (libtelnet's `EV_WARNING`).
///
/// Warnings are reported as [`Event::Warning`](super::Event::Warning) and logged; the connection
/// goes on.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// A subnegotiation grew past the configured limit (wire bytes, escapes included). Its payload
    /// is discarded up to the next `IAC SE` and never reaches the data stream.
    SubnegotiationOverflow {
        /// The option being subnegotiated.
        option: u8,
        /// The limit that was exceeded, in bytes.
        limit: usize,
    },
    /// `IAC` followed by a byte other than `SE` or `IAC` inside a subnegotiation: the
    /// subnegotiation is taken as ended there, and the command is processed.
    UnterminatedSubnegotiation {
        /// The option being subnegotiated.
        option: u8,
        /// The command byte that ended it.
        command: u8,
    },
    /// `IAC SE` outside a subnegotiation; ignored.
    StraySe,
    /// `IAC` followed by a byte below 240, which is not a command; both bytes are dropped.
    InvalidCommand(u8),
    /// A subnegotiation payload that could not be decoded.
    BadSubnegotiation(DecodeError),
    /// A subnegotiation for an option that is not enabled in the direction the RFC requires;
    /// it is ignored.
    UnexpectedSubnegotiation {
        /// The option.
        option: u8,
    },
    /// The peer answered a request in a way RFC 1143 calls an error (for example `DONT`
    /// answered by `WILL`). The option state was repaired as the RFC says.
    NegotiationViolation {
        /// The command received.
        command: u8,
        /// The option it named.
        option: u8,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::SubnegotiationOverflow { option, limit } => write!(
                f,
                "{} subnegotiation longer than {limit} bytes discarded",
                Opt(*option)
            ),
            Warning::UnterminatedSubnegotiation { option, command } => write!(
                f,
                "{} subnegotiation ended by IAC {} instead of IAC SE",
                Opt(*option),
                crate::telopt::Cmd(*command)
            ),
            Warning::StraySe => f.write_str("IAC SE outside a subnegotiation"),
            Warning::InvalidCommand(byte) => {
                write!(f, "IAC followed by non-command byte {byte:#04x}")
            }
            Warning::BadSubnegotiation(err) => err.fmt(f),
            Warning::UnexpectedSubnegotiation { option } => {
                write!(f, "{} subnegotiation while the option is off", Opt(*option))
            }
            Warning::NegotiationViolation { command, option } => write!(
                f,
                "peer violated RFC 1143 with {}",
                crate::telopt::describe(*command, *option)
            ),
        }
    }
}

/// A misuse of the protocol core by the application, or a state it cannot go on from.
///
/// Unlike [`Warning`], a `ProtocolError` is returned to the caller. It is `Clone + PartialEq` so
/// tests can compare it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolError {
    /// An option name that [`telopt::option_from_name`](crate::telopt::option_from_name) does not know.
    UnknownOption(String),
    /// A request that makes no sense in this state, such as a subnegotiation for an option that
    /// is not enabled.
    InvalidRequest(&'static str),
    /// The peer's MCCP2/MCCP3 stream is not valid zlib data (the connection cannot go on).
    Compression(String),
    /// A message for an option that is enabled on neither side (such as
    /// [`Negotiator::send_gmcp`](super::Negotiator::send_gmcp) before GMCP was agreed).
    OptionNotEnabled(u8),
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::UnknownOption(name) => write!(f, "unknown telnet option {name:?}"),
            ProtocolError::InvalidRequest(what) => write!(f, "invalid request: {what}"),
            ProtocolError::Compression(what) => write!(f, "corrupt compressed stream: {what}"),
            ProtocolError::OptionNotEnabled(option) => write!(f, "{} is not enabled", Opt(*option)),
        }
    }
}

impl std::error::Error for ProtocolError {}
