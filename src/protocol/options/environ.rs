//! NEW_ENVIRON (RFC 1572) and the old ENVIRON option (RFC 1408), with the RFC 1571 interop rules.
//!
//! Old ENVIRON implementations disagree about the codes of VAR and VALUE (RFC 1571): BSD sends
//! VAR as 1 and VALUE as 0. [`decode`] with [`Kind::Old`] works out which convention the peer
//! uses from the payload, as RFC 1571 suggests.

use crate::protocol::DecodeError;

/// Subcommand IS.
pub const IS: u8 = 0;
/// Subcommand SEND.
pub const SEND: u8 = 1;
/// Subcommand INFO.
pub const INFO: u8 = 2;
/// Marks a well-known variable name.
pub const VAR: u8 = 0;
/// Marks a value.
pub const VALUE: u8 = 1;
/// Escapes the next byte.
pub const ESC: u8 = 2;
/// Marks a user-defined variable name.
pub const USERVAR: u8 = 3;
/// telnetlib3 splits SEND requests into frames of at most this many bytes.
pub const MAX_FRAME: usize = 240;

/// Which of the two environment options a payload belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// NEW_ENVIRON, option 39.
    New,
    /// The old ENVIRON, option 36.
    Old,
}

/// Well-known (`VAR`) or user (`USERVAR`) variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarKind {
    /// A well-known variable (USER, DISPLAY, …).
    Var,
    /// A user-defined variable.
    User,
}

/// One variable of an IS or INFO message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvVar {
    /// VAR or USERVAR.
    pub kind: VarKind,
    /// Its name.
    pub name: String,
    /// Its value: `None` when the sender says it is undefined (no VALUE), `Some("")` when it is
    /// defined but empty.
    pub value: Option<String>,
}

/// One item of a SEND request: a named variable, or every variable of a kind (`name: None`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvRequest {
    /// VAR or USERVAR.
    pub kind: VarKind,
    /// The variable asked for, or `None` for all of this kind.
    pub name: Option<String>,
}

/// A decoded environment subnegotiation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Environ {
    /// The server asks for these variables (an empty list means all of them).
    Send(Vec<EnvRequest>),
    /// The client's answer to SEND.
    Is(Vec<EnvVar>),
    /// The client's unsolicited update.
    Info(Vec<EnvVar>),
}

/// The request telnetlib3's server sends: VAR USER, LOGNAME, DISPLAY, LANG, TERM, TERM_PROGRAM,
/// COLUMNS, LINES, COLORTERM, EDITOR, IPADDRESS, then USERVAR (all user variables). With
/// `include_user` false, USER is left out (Microsoft telnet crashes when asked for it).
#[must_use]
pub fn server_request(include_user: bool) -> Vec<EnvRequest> {
    todo!("{include_user}")
}

/// Appends one `IAC SB <option> SEND … IAC SE` frame. Names are escaped with ESC where needed.
pub fn encode_send(kind: Kind, requests: &[EnvRequest], out: &mut Vec<u8>) {
    todo!("{kind:?}{requests:?}{out:?}")
}

/// Appends SEND frames of at most [`MAX_FRAME`] bytes each (whole frame, `IAC SB` to `IAC SE`),
/// never splitting one request item across frames.
pub fn encode_send_split(kind: Kind, requests: &[EnvRequest], out: &mut Vec<u8>) {
    todo!("{kind:?}{requests:?}{out:?}")
}

/// Appends `IAC SB <option> IS … IAC SE`.
pub fn encode_is(kind: Kind, vars: &[EnvVar], out: &mut Vec<u8>) {
    todo!("{kind:?}{vars:?}{out:?}")
}

/// Appends `IAC SB <option> INFO … IAC SE`.
pub fn encode_info(kind: Kind, vars: &[EnvVar], out: &mut Vec<u8>) {
    todo!("{kind:?}{vars:?}{out:?}")
}

/// Decodes an environment payload.
///
/// # Errors
/// An empty payload or an unknown subcommand.
pub fn decode(kind: Kind, payload: &[u8]) -> Result<Environ, DecodeError> {
    todo!("{kind:?}{payload:?}")
}
