//! What the negotiator reports to the layer above it.

use std::borrow::Cow;

use serde_json::Value;

use super::mud::{Aardwolf, MsdpTable, MsspTable};
use super::options::environ::EnvVar;
use super::options::lflow::Lflow;
use super::options::linemode::SlcTriplet;
use super::options::status::StatusReport;
use super::{Side, Warning};

/// One thing that happened on the connection, in wire order.
///
/// Data borrows the input passed to [`Negotiator::receive`](super::Negotiator::receive) when it
/// can; [`Event::into_owned`] detaches it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event<'a> {
    /// In-band data, unescaped, with `CR NUL` reduced to `CR` while the peer is not in BINARY.
    Data(Cow<'a, [u8]>),
    /// A telnet command without option: [`AYT`](crate::telopt::AYT), [`IP`](crate::telopt::IP),
    /// [`AO`](crate::telopt::AO), [`BRK`](crate::telopt::BRK), [`EC`](crate::telopt::EC),
    /// [`EL`](crate::telopt::EL), [`NOP`](crate::telopt::NOP), [`DM`](crate::telopt::DM),
    /// [`GA`](crate::telopt::GA), [`CMD_EOR`](crate::telopt::CMD_EOR),
    /// [`ABORT`](crate::telopt::ABORT), [`SUSP`](crate::telopt::SUSP) or
    /// [`EOF`](crate::telopt::EOF).
    Command(u8),
    /// An option was enabled or disabled on one side.
    OptionChanged {
        /// The option code.
        option: u8,
        /// [`Side::Local`]: we perform it; [`Side::Remote`]: the peer does.
        side: Side,
        /// Its new state.
        enabled: bool,
    },
    /// The client named its terminal type (one answer of the TTYPE cycle).
    TerminalType(String),
    /// The client's window size (NAWS).
    WindowSize {
        /// Columns.
        cols: u16,
        /// Rows.
        rows: u16,
    },
    /// The client's terminal speed (TSPEED).
    TerminalSpeed {
        /// Receive speed.
        rx: u32,
        /// Transmit speed.
        tx: u32,
    },
    /// The client's X display (XDISPLOC).
    XDisplayLocation(String),
    /// The client's location (SNDLOC).
    SendLocation(String),
    /// Environment variables from NEW_ENVIRON (or the old ENVIRON) IS or INFO.
    Environ(Vec<EnvVar>),
    /// Both sides agreed on a character set (CHARSET ACCEPTED, sent or received).
    CharsetAgreed(String),
    /// A CHARSET request was rejected (by either side).
    CharsetRejected,
    /// The LINEMODE mode changed (the mask, without the ACK bit).
    LinemodeMode(u8),
    /// LINEMODE special characters changed (the triplets now in force).
    Slc(Vec<SlcTriplet>),
    /// The peer sent a LINEMODE FORWARDMASK verb (`DO` with the mask, or `DONT`/`WILL`/`WONT`).
    Forwardmask {
        /// The verb byte.
        command: u8,
        /// The mask (empty unless DO).
        mask: Vec<u8>,
    },
    /// The server set remote flow control (LFLOW).
    FlowControl(Lflow),
    /// The peer's STATUS IS report.
    Status(Box<StatusReport>),
    /// The peer asked to be logged out (server: `DO LOGOUT`; client: `WILL LOGOUT`).
    Logout,
    /// The peer answered our `DO TIMING-MARK` (with `WILL` or `WONT`).
    TimingMark,
    /// A GMCP message.
    Gmcp {
        /// The package name, such as `Char.Vitals`.
        package: String,
        /// Its JSON data; `None` when the message had none.
        data: Option<Value>,
    },
    /// MSDP variables.
    Msdp(MsdpTable),
    /// MSSP variables (a server's status, for crawlers).
    Mssp(MsspTable),
    /// A ZMP command (empty ZMP payloads are ignored, as telnetlib3 does).
    Zmp {
        /// The command, such as `zmp.ident`.
        command: String,
        /// Its arguments.
        args: Vec<String>,
    },
    /// An ATCP message.
    Atcp {
        /// The package name.
        package: String,
        /// The value (empty when none was given).
        value: String,
    },
    /// An Aardwolf channel message (option 102).
    Aardwolf(Aardwolf),
    /// A subnegotiation of an option this core has no codec for (MSP, MXP, …), unescaped.
    Subnegotiation {
        /// The option code.
        option: u8,
        /// The payload.
        payload: Vec<u8>,
    },
    /// Something odd the peer did; the connection goes on.
    Warning(Warning),
}

impl Event<'_> {
    /// The same event with any borrowed data copied.
    #[must_use]
    pub fn into_owned(self) -> Event<'static> {
        match self {
            Event::Data(d) => Event::Data(Cow::Owned(d.into_owned())),
            Event::Command(c) => Event::Command(c),
            Event::OptionChanged {
                option,
                side,
                enabled,
            } => Event::OptionChanged {
                option,
                side,
                enabled,
            },
            Event::TerminalType(t) => Event::TerminalType(t),
            Event::WindowSize { cols, rows } => Event::WindowSize { cols, rows },
            Event::TerminalSpeed { rx, tx } => Event::TerminalSpeed { rx, tx },
            Event::XDisplayLocation(x) => Event::XDisplayLocation(x),
            Event::SendLocation(x) => Event::SendLocation(x),
            Event::Environ(v) => Event::Environ(v),
            Event::CharsetAgreed(c) => Event::CharsetAgreed(c),
            Event::CharsetRejected => Event::CharsetRejected,
            Event::LinemodeMode(m) => Event::LinemodeMode(m),
            Event::Slc(s) => Event::Slc(s),
            Event::Forwardmask { command, mask } => Event::Forwardmask { command, mask },
            Event::FlowControl(f) => Event::FlowControl(f),
            Event::Status(s) => Event::Status(s),
            Event::Logout => Event::Logout,
            Event::TimingMark => Event::TimingMark,
            Event::Gmcp { package, data } => Event::Gmcp { package, data },
            Event::Msdp(vars) => Event::Msdp(vars),
            Event::Mssp(vars) => Event::Mssp(vars),
            Event::Zmp { command, args } => Event::Zmp { command, args },
            Event::Atcp { package, value } => Event::Atcp { package, value },
            Event::Aardwolf(message) => Event::Aardwolf(message),
            Event::Subnegotiation { option, payload } => Event::Subnegotiation { option, payload },
            Event::Warning(w) => Event::Warning(w),
        }
    }

    /// The data, for a [`Event::Data`].
    #[must_use]
    pub fn data(&self) -> Option<&[u8]> {
        match self {
            Event::Data(d) => Some(d),
            _ => None,
        }
    }
}
