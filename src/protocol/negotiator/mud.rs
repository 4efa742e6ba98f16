//! The MUD options on the negotiator: their subnegotiations decoded into events, the last GMCP
//! and MSDP values remembered, and messages sent.

use indexmap::IndexMap;
use serde_json::Value;

use super::{Core, Event, Negotiator, RoleState, Side};
use crate::encoding::Codec;
use crate::protocol::mud::{
    aardwolf, atcp, gmcp, msdp, mssp, zmp, MsdpTable, MsdpValue, MsspTable,
};
use crate::protocol::options::frame;
use crate::protocol::{DecodeError, ProtocolError};
use crate::telopt::*;

/// At most this many GMCP packages and MSDP variables are remembered, each; the oldest goes.
pub const MAX_REMEMBERED: usize = 512;

/// At most about this many payload bytes are remembered, GMCP and MSDP each; the oldest
/// values go first (the newest is always kept).
pub const MAX_REMEMBERED_BYTES: usize = 4 << 20;

/// The last values, by name in the order first seen, each with the size of the payload that
/// brought it.
#[derive(Debug, Clone)]
struct Remembered<V> {
    values: IndexMap<String, (V, usize)>,
    bytes: usize,
}

impl<V> Default for Remembered<V> {
    fn default() -> Self {
        Self {
            values: IndexMap::new(),
            bytes: 0,
        }
    }
}

impl<V> Remembered<V> {
    fn get(&self, name: &str) -> Option<&V> {
        self.values.get(name).map(|(v, _)| v)
    }

    fn set(&mut self, name: String, value: V, weight: usize) {
        if let Some((_, old)) = self.values.insert(name, (value, weight)) {
            self.bytes -= old;
        }
        self.bytes += weight;
        while self.values.len() > 1
            && (self.values.len() > MAX_REMEMBERED || self.bytes > MAX_REMEMBERED_BYTES)
        {
            if let Some((_, (_, w))) = self.values.shift_remove_index(0) {
                self.bytes -= w;
            }
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct MudState {
    codec: Codec,
    gmcp: Remembered<Value>,
    msdp: Remembered<MsdpValue>,
}

impl Default for MudState {
    fn default() -> Self {
        Self {
            codec: Codec::utf8(),
            gmcp: Remembered::default(),
            msdp: Remembered::default(),
        }
    }
}

impl Core {
    /// Decodes the subnegotiation of a MUD option into its event; `None` for other options.
    pub(super) fn mud_subnegotiation(
        &mut self,
        option: u8,
        payload: &[u8],
    ) -> Option<Result<(), DecodeError>> {
        let codec = self.mud.codec;
        let event = match option {
            GMCP => match gmcp::decode(payload, codec) {
                Ok((package, data)) => {
                    self.remember_gmcp(&package, data.as_ref(), payload.len());
                    Event::Gmcp { package, data }
                }
                Err(err) => return Some(Err(DecodeError::new(GMCP, err.reason()))),
            },
            MSDP => match msdp::decode(payload, codec) {
                Ok(vars) => {
                    let weight = payload.len() / vars.len().max(1) + 1;
                    for (name, value) in &vars {
                        self.mud.msdp.set(name.clone(), value.clone(), weight);
                    }
                    Event::Msdp(vars)
                }
                Err(err) => return Some(Err(DecodeError::new(MSDP, err.reason()))),
            },
            MSSP => Event::Mssp(mssp::decode(payload, codec)),
            ZMP => {
                let mut parts = zmp::decode(payload, codec).into_iter();
                let command = parts.next()?;
                let args: Vec<String> = parts.collect();
                if matches!(self.role, RoleState::Client(_)) {
                    self.client_zmp_support(&command, &args);
                }
                Event::Zmp { command, args }
            }
            ATCP => {
                let (package, value) = atcp::decode(payload, codec);
                Event::Atcp { package, value }
            }
            AARDWOLF => Event::Aardwolf(aardwolf::decode(payload)),
            _ => return None,
        };
        self.emit(event);
        Some(Ok(()))
    }

    /// Answers `zmp.check` and `zmp.send-support` as telnetlib3's client does: it supports no
    /// command beyond the `zmp.*` basics, so each command asked about gets `zmp.no-support`.
    fn client_zmp_support(&mut self, command: &str, args: &[String]) {
        let asked = match command {
            "zmp.check" => args.first().map(std::slice::from_ref).unwrap_or_default(),
            "zmp.send-support" => args,
            _ => return,
        };
        for cmd in asked {
            log::debug!("send ZMP zmp.no-support {cmd}");
            let mut payload = Vec::new();
            zmp::encode("zmp.no-support", std::slice::from_ref(cmd), &mut payload);
            frame(ZMP, &payload, &mut self.out);
        }
    }

    /// Keeps the package's data; an object updates the keys of an object kept before, as
    /// telnetlib3's client does.
    fn remember_gmcp(&mut self, package: &str, data: Option<&Value>, weight: usize) {
        let data = data.cloned().unwrap_or(Value::Null);
        let merged = match (self.mud.gmcp.get(package), data) {
            (Some(Value::Object(old)), Value::Object(new)) => {
                let mut old = old.clone();
                old.extend(new);
                Value::Object(old)
            }
            (_, data) => data,
        };
        self.mud.gmcp.set(package.to_owned(), merged, weight);
    }

    fn mud_enabled(&self, option: u8) -> Result<(), ProtocolError> {
        if self.opts.get(Side::Local, option).enabled()
            || self.opts.get(Side::Remote, option).enabled()
        {
            Ok(())
        } else {
            Err(ProtocolError::OptionNotEnabled(option))
        }
    }

    fn send_mud(
        &mut self,
        option: u8,
        encode: impl FnOnce(&mut Vec<u8>),
    ) -> Result<(), ProtocolError> {
        self.mud_enabled(option)?;
        let mut payload = Vec::new();
        encode(&mut payload);
        log::debug!(
            "send IAC SB {} ({} bytes) IAC SE",
            Opt(option),
            payload.len()
        );
        frame(option, &payload, &mut self.out);
        Ok(())
    }
}

/// The MUD protocols: see [`crate::protocol::mud`] for the payloads.
///
/// Each `send_*` fails with [`ProtocolError::OptionNotEnabled`] unless the option is enabled
/// on at least one side; telnetlib3 drops such a message silently instead.
impl Negotiator {
    /// Sets the encoding MUD payloads are decoded in (Latin-1 where they are malformed in it).
    /// Default: UTF-8.
    pub fn set_mud_encoding(&mut self, codec: Codec) {
        self.core.mud.codec = codec;
    }

    /// The data last received for a GMCP package: JSON `null` when the message had none, and an
    /// object merged key by key into the object received before, as telnetlib3's client keeps
    /// them. At most [`MAX_REMEMBERED`] packages are kept.
    #[must_use]
    pub fn gmcp(&self, package: &str) -> Option<&Value> {
        self.core.mud.gmcp.get(package)
    }

    /// The value last received for an MSDP variable (at most [`MAX_REMEMBERED`] are kept).
    #[must_use]
    pub fn msdp(&self, variable: &str) -> Option<&MsdpValue> {
        self.core.mud.msdp.get(variable)
    }

    /// Queues a GMCP message: the package, and the data as JSON when given.
    ///
    /// # Errors
    /// [`ProtocolError::OptionNotEnabled`] unless GMCP is enabled.
    pub fn send_gmcp(&mut self, package: &str, data: Option<&Value>) -> Result<(), ProtocolError> {
        self.core
            .send_mud(GMCP, |out| gmcp::encode(package, data, out))
    }

    /// Queues MSDP variables.
    ///
    /// # Errors
    /// [`ProtocolError::OptionNotEnabled`] unless MSDP is enabled.
    pub fn send_msdp(&mut self, variables: &MsdpTable) -> Result<(), ProtocolError> {
        self.core.send_mud(MSDP, |out| msdp::encode(variables, out))
    }

    /// Queues MSSP variables.
    ///
    /// # Errors
    /// [`ProtocolError::OptionNotEnabled`] unless MSSP is enabled.
    pub fn send_mssp(&mut self, variables: &MsspTable) -> Result<(), ProtocolError> {
        self.core.send_mud(MSSP, |out| mssp::encode(variables, out))
    }

    /// Queues a ZMP command with its arguments.
    ///
    /// # Errors
    /// [`ProtocolError::OptionNotEnabled`] unless ZMP is enabled.
    pub fn send_zmp<S: AsRef<str>>(
        &mut self,
        command: &str,
        args: &[S],
    ) -> Result<(), ProtocolError> {
        self.core
            .send_mud(ZMP, |out| zmp::encode(command, args, out))
    }

    /// Queues an ATCP message.
    ///
    /// # Errors
    /// [`ProtocolError::OptionNotEnabled`] unless ATCP is enabled.
    pub fn send_atcp(&mut self, package: &str, value: &str) -> Result<(), ProtocolError> {
        self.core
            .send_mud(ATCP, |out| atcp::encode(package, value, out))
    }

    /// Queues `IAC EOR` (end of record, marking a prompt).
    ///
    /// # Errors
    /// [`ProtocolError::OptionNotEnabled`] unless the peer asked for EOR (`DO EOR`).
    pub fn send_eor(&mut self) -> Result<(), ProtocolError> {
        if !self.core.opts.get(Side::Local, EOR).enabled() {
            return Err(ProtocolError::OptionNotEnabled(EOR));
        }
        self.send_command(CMD_EOR);
        Ok(())
    }
}

/// telnetlib3's MUD clients, which take WILL ECHO as "password mode" (matched case-insensitively).
pub(super) const MUD_CLIENTS: &[&str] = &[
    "mudlet",
    "cmud",
    "zmud",
    "mushclient",
    "atlantis",
    "tintin++",
    "tt++",
    "blowtorch",
    "mudrammer",
    "kildclient",
    "portal",
    "beip",
    "savitar",
];

/// MUD protocol options that mark a MUD client when the client performs them (`WILL`).
pub(super) const MUD_OPTIONS: &[u8] = &[GMCP, MSDP, MXP, MSP, ATCP, AARDWOLF];

/// True when `term` names a MUD client that must not get WILL ECHO.
#[must_use]
pub fn is_mud_client(term: &str) -> bool {
    MUD_CLIENTS
        .iter()
        .any(|m| m.eq_ignore_ascii_case(term.trim()))
}

/// The policy's encoding for MUD payloads, UTF-8 when there is none or it is unknown.
pub(super) fn mud_codec(encoding: Option<&str>) -> crate::encoding::Codec {
    encoding
        .and_then(crate::encoding::Codec::lookup)
        .unwrap_or_else(crate::encoding::Codec::utf8)
}
