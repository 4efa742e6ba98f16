//! LFLOW, remote flow control (RFC 1372): `SB LFLOW <OFF|ON|RESTART-ANY|RESTART-XON>`.

use super::frame;
use crate::protocol::DecodeError;
use crate::telopt::LFLOW;

/// Flow control off.
pub const OFF: u8 = 0;
/// Flow control on.
pub const ON: u8 = 1;
/// Any character restarts output.
pub const RESTART_ANY: u8 = 2;
/// Only XON restarts output.
pub const RESTART_XON: u8 = 3;

/// A decoded LFLOW subnegotiation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lflow {
    /// Disable local flow control.
    Off,
    /// Enable local flow control.
    On,
    /// Any character restarts output (xon_any).
    RestartAny,
    /// Only XON restarts output.
    RestartXon,
}

impl Lflow {
    const fn byte(self) -> u8 {
        match self {
            Lflow::Off => OFF,
            Lflow::On => ON,
            Lflow::RestartAny => RESTART_ANY,
            Lflow::RestartXon => RESTART_XON,
        }
    }

    const fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            OFF => Some(Lflow::Off),
            ON => Some(Lflow::On),
            RESTART_ANY => Some(Lflow::RestartAny),
            RESTART_XON => Some(Lflow::RestartXon),
            _ => None,
        }
    }
}

/// Appends `IAC SB LFLOW <command> IAC SE`.
pub fn encode(command: Lflow, out: &mut Vec<u8>) {
    frame(LFLOW, &[command.byte()], out);
}

/// Decodes an LFLOW payload.
///
/// # Errors
/// A payload that is not one known command byte.
pub fn decode(payload: &[u8]) -> Result<Lflow, DecodeError> {
    match *payload {
        [byte] => Lflow::from_byte(byte).ok_or(DecodeError::new(LFLOW, "unknown command")),
        [] => Err(DecodeError::new(LFLOW, "empty payload")),
        _ => Err(DecodeError::new(LFLOW, "payload is longer than one byte")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [(Lflow, u8); 4] = [
        (Lflow::Off, 0),
        (Lflow::On, 1),
        (Lflow::RestartAny, 2),
        (Lflow::RestartXon, 3),
    ];

    #[test]
    fn encode_wire_bytes() {
        for (command, byte) in ALL {
            let mut out = Vec::new();
            encode(command, &mut out);
            assert_eq!(out, [0xff, 0xfa, 0x21, byte, 0xff, 0xf0]);
        }
    }

    #[test]
    fn decode_valid() {
        for (command, byte) in ALL {
            assert_eq!(decode(&[byte]), Ok(command));
        }
    }

    #[test]
    fn decode_errors() {
        assert_eq!(decode(b""), Err(DecodeError::new(LFLOW, "empty payload")));
        assert_eq!(
            decode(b"\x04"),
            Err(DecodeError::new(LFLOW, "unknown command"))
        );
        assert_eq!(
            decode(b"\xff"),
            Err(DecodeError::new(LFLOW, "unknown command"))
        );
        assert_eq!(
            decode(b"\x01\x00"),
            Err(DecodeError::new(LFLOW, "payload is longer than one byte"))
        );
    }

    #[test]
    fn round_trip() {
        for (command, _) in ALL {
            let mut out = Vec::new();
            encode(command, &mut out);
            let payload = out
                .strip_prefix(b"\xff\xfa\x21")
                .and_then(|rest| rest.strip_suffix(b"\xff\xf0"))
                .expect("IAC SB LFLOW ... IAC SE");
            assert_eq!(decode(payload), Ok(command));
        }
    }
}
