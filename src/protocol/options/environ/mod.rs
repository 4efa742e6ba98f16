//! NEW_ENVIRON (RFC 1572) and the old ENVIRON option (RFC 1408), with the RFC 1571 interop rules.
//!
//! Old ENVIRON implementations disagree about the codes of VAR and VALUE (RFC 1571): BSD sends
//! VAR as 1 and VALUE as 0. [`decode`] with [`Kind::Old`] works out which convention the peer
//! uses from the payload, as RFC 1571 suggests.

use super::{frame, text};
use crate::protocol::DecodeError;
use crate::telopt::{IAC, NEW_ENVIRON, OLD_ENVIRON};

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

impl Kind {
    /// The telnet option code: [`NEW_ENVIRON`] (39) or [`OLD_ENVIRON`] (36).
    #[must_use]
    pub const fn option(self) -> u8 {
        match self {
            Kind::New => NEW_ENVIRON,
            Kind::Old => OLD_ENVIRON,
        }
    }
}

impl VarKind {
    /// The type byte that introduces a name of this kind (VAR or USERVAR).
    const fn type_byte(self) -> u8 {
        match self {
            VarKind::Var => VAR,
            VarKind::User => USERVAR,
        }
    }
}

impl EnvRequest {
    /// A request for the variable `name`.
    fn named(kind: VarKind, name: &str) -> Self {
        Self {
            kind,
            name: Some(name.to_owned()),
        }
    }

    /// A request for every variable of `kind`.
    const fn all(kind: VarKind) -> Self {
        Self { kind, name: None }
    }
}

/// The well-known variables telnetlib3's server asks for, USER first.
const SERVER_VARS: [&str; 11] = [
    "USER",
    "LOGNAME",
    "DISPLAY",
    "LANG",
    "TERM",
    "TERM_PROGRAM",
    "COLUMNS",
    "LINES",
    "COLORTERM",
    "EDITOR",
    "IPADDRESS",
];

/// Bytes of `IAC SB <option> SEND` plus `IAC SE`: what every SEND frame costs besides its items.
const SEND_FRAME_OVERHEAD: usize = 6;

/// The request telnetlib3's server sends: VAR USER, LOGNAME, DISPLAY, LANG, TERM, TERM_PROGRAM,
/// COLUMNS, LINES, COLORTERM, EDITOR, IPADDRESS, then a bare VAR (all well-known variables) and a
/// bare USERVAR (all user variables). With `include_user` false, USER is left out (Microsoft
/// telnet crashes when asked for it).
///
/// The bare VAR before the bare USERVAR is what telnetlib3 5.0.1 puts on the wire (`… IPADDRESS
/// 00 03 IAC SE`), so [`encode_send`] of this list reproduces its request byte for byte.
#[must_use]
pub fn server_request(include_user: bool) -> Vec<EnvRequest> {
    let skip = usize::from(!include_user);
    SERVER_VARS
        .iter()
        .skip(skip)
        .map(|name| EnvRequest::named(VarKind::Var, name))
        .chain([
            EnvRequest::all(VarKind::Var),
            EnvRequest::all(VarKind::User),
        ])
        .collect()
}

/// Appends `bytes` to `out`, putting ESC before every VAR, VALUE, ESC and USERVAR byte.
fn escape_env(bytes: &[u8], out: &mut Vec<u8>) {
    for &byte in bytes {
        if matches!(byte, VAR | VALUE | ESC | USERVAR) {
            out.push(ESC);
        }
        out.push(byte);
    }
}

/// Appends one SEND item: its type byte, then its name (escaped), if any.
fn push_request(request: &EnvRequest, out: &mut Vec<u8>) {
    out.push(request.kind.type_byte());
    if let Some(name) = &request.name {
        escape_env(name.as_bytes(), out);
    }
}

/// Appends one IS/INFO item: type byte and name, then VALUE and the value when it is defined.
fn push_var(var: &EnvVar, out: &mut Vec<u8>) {
    out.push(var.kind.type_byte());
    escape_env(var.name.as_bytes(), out);
    if let Some(value) = &var.value {
        out.push(VALUE);
        escape_env(value.as_bytes(), out);
    }
}

/// Appends one SEND item on its own, as a new byte vector.
fn request_item(request: &EnvRequest) -> Vec<u8> {
    let mut item = Vec::new();
    push_request(request, &mut item);
    item
}

/// How many bytes `payload` takes on the wire, once every IAC is doubled.
fn wire_len(payload: &[u8]) -> usize {
    payload.len() + payload.iter().filter(|&&byte| byte == IAC).count()
}

/// Appends one `IAC SB <option> SEND … IAC SE` frame. Names are escaped with ESC where needed.
pub fn encode_send(kind: Kind, requests: &[EnvRequest], out: &mut Vec<u8>) {
    let mut payload = vec![SEND];
    for request in requests {
        push_request(request, &mut payload);
    }
    frame(kind.option(), &payload, out);
}

/// Appends SEND frames of at most [`MAX_FRAME`] bytes each (whole frame, `IAC SB` to `IAC SE`),
/// never splitting one request item across frames.
///
/// Items are packed greedily in order: a frame is closed when the next item would push it past
/// [`MAX_FRAME`] wire bytes (IAC doubling counted). An item too long for any frame goes alone in
/// its own, longer frame. An empty request list gives one empty SEND frame ("send everything"),
/// as [`encode_send`] does.
pub fn encode_send_split(kind: Kind, requests: &[EnvRequest], out: &mut Vec<u8>) {
    let mut payload = vec![SEND];
    let mut size = SEND_FRAME_OVERHEAD;
    for item in requests.iter().map(request_item) {
        let item_size = wire_len(&item);
        if payload.len() > 1 && size + item_size > MAX_FRAME {
            frame(kind.option(), &payload, out);
            payload.truncate(1);
            size = SEND_FRAME_OVERHEAD;
        }
        payload.extend_from_slice(&item);
        size += item_size;
    }
    frame(kind.option(), &payload, out);
}

/// Appends `IAC SB <option> <subcommand> <vars> IAC SE`.
fn encode_vars(kind: Kind, subcommand: u8, vars: &[EnvVar], out: &mut Vec<u8>) {
    let mut payload = vec![subcommand];
    for var in vars {
        push_var(var, &mut payload);
    }
    frame(kind.option(), &payload, out);
}

/// Appends `IAC SB <option> IS … IAC SE`.
pub fn encode_is(kind: Kind, vars: &[EnvVar], out: &mut Vec<u8>) {
    encode_vars(kind, IS, vars, out);
}

/// Appends `IAC SB <option> INFO … IAC SE`.
pub fn encode_info(kind: Kind, vars: &[EnvVar], out: &mut Vec<u8>) {
    encode_vars(kind, INFO, vars, out);
}

/// The meaning of an unescaped type byte, read with the RFC 1572 / RFC 1408 codes (0 is VAR,
/// 1 is VALUE) until [`swap_var_value`] says otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Marker {
    Var,
    Value,
    User,
}

impl Marker {
    const fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            VAR => Some(Marker::Var),
            VALUE => Some(Marker::Value),
            USERVAR => Some(Marker::User),
            _ => None,
        }
    }
}

/// A type byte and the (unescaped) bytes that follow it up to the next type byte.
#[derive(Debug)]
struct Field {
    marker: Marker,
    data: Vec<u8>,
}

/// Splits a payload body into fields, undoing ESC. Bytes before the first type byte are
/// skipped; a trailing lone ESC is dropped.
fn fields(body: &[u8]) -> Vec<Field> {
    let mut fields: Vec<Field> = Vec::new();
    let mut bytes = body.iter().copied();
    while let Some(byte) = bytes.next() {
        if let Some(marker) = Marker::from_byte(byte) {
            fields.push(Field {
                marker,
                data: Vec::new(),
            });
            continue;
        }
        let literal = if byte == ESC {
            bytes.next()
        } else {
            Some(byte)
        };
        match (literal, fields.last_mut()) {
            (Some(literal), Some(field)) => field.data.push(literal),
            (None, _) => break,
            (Some(_), None) => {}
        }
    }
    fields
}

/// Turns SEND fields into requests. An empty name means "all of this kind". For the old
/// ENVIRON both 0 and 1 are taken as VAR (a SEND carries no values, so whichever convention
/// the sender uses, its VAR is one of them); for NEW_ENVIRON a stray VALUE is ignored.
fn requests(fields: Vec<Field>, kind: Kind) -> Vec<EnvRequest> {
    fields
        .into_iter()
        .filter_map(|field| {
            let var_kind = match (field.marker, kind) {
                (Marker::Var, _) | (Marker::Value, Kind::Old) => VarKind::Var,
                (Marker::User, _) => VarKind::User,
                (Marker::Value, Kind::New) => return None,
            };
            let name = (!field.data.is_empty()).then(|| text(&field.data));
            Some(EnvRequest {
                kind: var_kind,
                name,
            })
        })
        .collect()
}

/// Turns IS/INFO fields into variables: each VAR or USERVAR starts one, a VALUE right after it
/// gives its value. A VALUE with no variable before it (or a second VALUE) is skipped, and so is
/// a variable with neither name nor value (tintin++ sends `VAR VAR name …`).
fn variables(fields: Vec<Field>) -> Vec<EnvVar> {
    let mut vars: Vec<EnvVar> = Vec::new();
    for field in fields {
        let kind = match field.marker {
            Marker::Var => VarKind::Var,
            Marker::User => VarKind::User,
            Marker::Value => {
                if let Some(var) = vars.last_mut().filter(|var| var.value.is_none()) {
                    var.value = Some(text(&field.data));
                }
                continue;
            }
        };
        vars.push(EnvVar {
            kind,
            name: text(&field.data),
            value: None,
        });
    }
    vars.retain(|var| !var.name.is_empty() || var.value.is_some());
    vars
}

/// Whether an old ENVIRON IS/INFO body uses the BSD codes (VAR=1, VALUE=0). `fields` were read
/// with the RFC 1408 codes, so a [`Marker::Var`] here is a 0 byte and a [`Marker::Value`] a 1.
///
/// The rules, first match wins (RFC 1571 asks the receiver to work the convention out):
/// 1. The list starts with a variable: if its first type byte is 0 or 1, that byte is VAR.
/// 2. Two VALUEs never follow each other: two consecutive 0s (or 1s) make that byte VAR.
/// 3. Names are never empty: a 0 or 1 with nothing after it is VALUE.
/// 4. Counting: there are never more VALUEs than VARs and USERVARs together, and a sender that
///    gives every variable a value has exactly as many.
/// 5. Otherwise the RFC 1408 codes.
fn bsd_order(fields: &[Field]) -> bool {
    by_first_field(fields)
        .or_else(|| by_neighbours(fields))
        .or_else(|| by_counts(fields))
        .unwrap_or(false)
}

/// Rule 1 of [`bsd_order`].
fn by_first_field(fields: &[Field]) -> Option<bool> {
    match fields.first()?.marker {
        Marker::Var => Some(false),
        Marker::Value => Some(true),
        Marker::User => None,
    }
}

/// Rules 2 and 3 of [`bsd_order`].
fn by_neighbours(fields: &[Field]) -> Option<bool> {
    let nexts = fields.iter().skip(1).map(|field| Some(field.marker));
    for (field, next) in fields.iter().zip(nexts.chain([None])) {
        if field.marker == Marker::User {
            continue;
        }
        if next == Some(field.marker) {
            return Some(field.marker == Marker::Value);
        }
        if field.data.is_empty() {
            return Some(field.marker == Marker::Var);
        }
    }
    None
}

/// Rule 4 of [`bsd_order`].
fn by_counts(fields: &[Field]) -> Option<bool> {
    let count = |marker| fields.iter().filter(|field| field.marker == marker).count();
    let (zeros, ones, users) = (
        count(Marker::Var),
        count(Marker::Value),
        count(Marker::User),
    );
    let rfc_possible = ones <= zeros + users;
    let bsd_possible = zeros <= ones + users;
    match (rfc_possible, bsd_possible) {
        (true, false) => Some(false),
        (false, true) => Some(true),
        _ => match (ones == zeros + users, zeros == ones + users) {
            (true, false) => Some(false),
            (false, true) => Some(true),
            _ => None,
        },
    }
}

/// Exchanges VAR and VALUE in fields read with the wrong convention.
fn swap_var_value(fields: &mut [Field]) {
    for field in fields {
        field.marker = match field.marker {
            Marker::Var => Marker::Value,
            Marker::Value => Marker::Var,
            Marker::User => Marker::User,
        };
    }
}

/// Decodes an environment payload.
///
/// Lenient with real peers: bytes before the first VAR/USERVAR are skipped, a variable without
/// VALUE has value `None` and `VALUE` followed by nothing gives `Some("")`. In a SEND, VAR or
/// USERVAR without a name asks for all variables of that kind.
///
/// For [`Kind::Old`], IS and INFO payloads are checked for the swapped BSD codes (VAR=1,
/// VALUE=0), as RFC 1571 advises: the list starts with a variable, so a first type byte 1 means
/// swapped and 0 means RFC 1408; when the list starts with USERVAR, two consecutive 0s (or 1s)
/// mark VAR, an empty field marks VALUE, and failing that the counts of 0s, 1s and USERVARs
/// decide (there are never more values than variables); if nothing decides, RFC 1408 codes are
/// assumed. In an old ENVIRON SEND both 0 and 1 are read as VAR.
///
/// # Errors
/// An empty payload or an unknown subcommand.
pub fn decode(kind: Kind, payload: &[u8]) -> Result<Environ, DecodeError> {
    let option = kind.option();
    let (&subcommand, body) = payload
        .split_first()
        .ok_or(DecodeError::new(option, "empty payload"))?;
    let mut fields = fields(body);
    match subcommand {
        SEND => Ok(Environ::Send(requests(fields, kind))),
        IS | INFO => {
            if kind == Kind::Old && bsd_order(&fields) {
                swap_var_value(&mut fields);
            }
            let vars = variables(fields);
            Ok(if subcommand == IS {
                Environ::Is(vars)
            } else {
                Environ::Info(vars)
            })
        }
        _ => Err(DecodeError::new(option, "unknown subcommand")),
    }
}

#[cfg(test)]
mod tests;
