//! STATUS (RFC 859): `SB STATUS SEND` and `SB STATUS IS <WILL/DO list> <SB … SE>*`.

use super::frame;
use crate::protocol::DecodeError;
use crate::telopt::{DO, DONT, SB, SE, STATUS, WILL, WONT};

/// Subcommand IS.
pub const IS: u8 = 0;
/// Subcommand SEND.
pub const SEND: u8 = 1;

/// The option state one side reports in `STATUS IS`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusReport {
    /// Options the sender performs (sent as `WILL option`).
    pub local: Vec<u8>,
    /// Options the sender believes the receiver performs (sent as `DO option`).
    pub remote: Vec<u8>,
    /// Current subnegotiation parameters, as `(option, payload)` (sent as `SB option … SE`).
    pub subnegotiations: Vec<(u8, Vec<u8>)>,
}

/// A decoded STATUS subnegotiation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// The peer asks for our view of the option state.
    Send,
    /// The peer's view of the option state.
    Is(StatusReport),
}

/// Appends `IAC SB STATUS SEND IAC SE`.
pub fn encode_send(out: &mut Vec<u8>) {
    frame(STATUS, &[SEND], out);
}

/// Appends `IAC SB STATUS IS … IAC SE`. Inside the report, data bytes equal to `SE` are doubled
/// (RFC 859) and `IAC` is doubled as in every subnegotiation.
pub fn encode_is(report: &StatusReport, out: &mut Vec<u8>) {
    let mut payload = vec![IS];
    for &option in &report.local {
        payload.extend_from_slice(&[WILL, option]);
    }
    for &option in &report.remote {
        payload.extend_from_slice(&[DO, option]);
    }
    for (option, params) in &report.subnegotiations {
        payload.extend_from_slice(&[SB, *option]);
        for &byte in params {
            payload.push(byte);
            if byte == SE {
                payload.push(SE);
            }
        }
        payload.push(SE);
    }
    frame(STATUS, &payload, out);
}

/// Decodes a STATUS payload.
///
/// # Errors
/// An unknown subcommand or a malformed IS list.
pub fn decode(payload: &[u8]) -> Result<Status, DecodeError> {
    match payload.split_first() {
        Some((&IS, list)) => decode_report(list).map(Status::Is),
        // Bytes after SEND carry no meaning; they are ignored.
        Some((&SEND, _)) => Ok(Status::Send),
        Some(_) => Err(DecodeError::new(STATUS, "unknown subcommand")),
        None => Err(DecodeError::new(STATUS, "empty payload")),
    }
}

/// Decodes the list after `IS`: `WILL`/`DO` pairs (`WONT`/`DONT` pairs are skipped) and
/// `SB option … SE` groups, in any order.
fn decode_report(mut rest: &[u8]) -> Result<StatusReport, DecodeError> {
    let mut report = StatusReport::default();
    loop {
        rest = match rest {
            [] => return Ok(report),
            [WILL, option, tail @ ..] => {
                report.local.push(*option);
                tail
            }
            [DO, option, tail @ ..] => {
                report.remote.push(*option);
                tail
            }
            [WONT | DONT, _, tail @ ..] => tail,
            [SB, option, tail @ ..] => {
                let (params, tail) = split_params(tail)?;
                report.subnegotiations.push((*option, params));
                tail
            }
            _ => return Err(DecodeError::new(STATUS, "malformed IS list")),
        };
    }
}

/// Splits the parameters of an `SB option … SE` group off `bytes`, undoubling `SE SE`; returns
/// them and what follows the closing `SE`.
fn split_params(mut rest: &[u8]) -> Result<(Vec<u8>, &[u8]), DecodeError> {
    let mut params = Vec::new();
    loop {
        rest = match rest {
            [SE, SE, tail @ ..] => {
                params.push(SE);
                tail
            }
            [SE, tail @ ..] => return Ok((params, tail)),
            [byte, tail @ ..] => {
                params.push(*byte);
                tail
            }
            [] => return Err(DecodeError::new(STATUS, "SB group in IS list without SE")),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telopt::{ECHO, IAC, NAWS, SGA, TTYPE};

    fn encoded(report: &StatusReport) -> Vec<u8> {
        let mut out = Vec::new();
        encode_is(report, &mut out);
        out
    }

    fn unframe(wire: &[u8]) -> Vec<u8> {
        assert_eq!(wire[..3], [IAC, SB, STATUS]);
        assert_eq!(wire[wire.len() - 2..], [IAC, SE]);
        let mut payload = Vec::new();
        let mut bytes = wire[3..wire.len() - 2].iter();
        while let Some(&b) = bytes.next() {
            if b == IAC {
                assert_eq!(bytes.next(), Some(&IAC), "lone IAC in frame");
            }
            payload.push(b);
        }
        payload
    }

    fn sample() -> StatusReport {
        StatusReport {
            local: vec![ECHO, SGA],
            remote: vec![NAWS],
            subnegotiations: vec![(NAWS, vec![0, 80, 0, SE]), (TTYPE, vec![0, 0xff])],
        }
    }

    #[test]
    fn encode_send_wire_bytes() {
        let mut out = Vec::new();
        encode_send(&mut out);
        assert_eq!(out, b"\xff\xfa\x05\x01\xff\xf0");
    }

    #[test]
    fn encode_is_wire_bytes() {
        assert_eq!(
            encoded(&StatusReport::default()),
            b"\xff\xfa\x05\x00\xff\xf0"
        );
        assert_eq!(
            encoded(&sample()),
            b"\xff\xfa\x05\x00\xfb\x01\xfb\x03\xfd\x1f\
              \xfa\x1f\x00\x50\x00\xf0\xf0\xf0\
              \xfa\x18\x00\xff\xff\xf0\
              \xff\xf0"
        );
    }

    #[test]
    fn decode_valid() {
        assert_eq!(decode(b"\x01"), Ok(Status::Send));
        assert_eq!(decode(b"\x00"), Ok(Status::Is(StatusReport::default())));
        let payload = b"\x00\xfb\x01\xfc\x22\xfd\x03\xfe\x18\xfa\x1f\x00\x50\x00\x18\xf0";
        let expected = StatusReport {
            local: vec![ECHO],
            remote: vec![SGA],
            subnegotiations: vec![(NAWS, vec![0, 80, 0, 24])],
        };
        assert_eq!(decode(payload), Ok(Status::Is(expected)));
        let empty_sb = StatusReport {
            subnegotiations: vec![(TTYPE, vec![])],
            ..StatusReport::default()
        };
        assert_eq!(decode(b"\x00\xfa\x18\xf0"), Ok(Status::Is(empty_sb)));
    }

    #[test]
    fn decode_errors() {
        let err = |reason| Err(DecodeError::new(STATUS, reason));
        assert_eq!(decode(b""), err("empty payload"));
        assert_eq!(decode(b"\x02"), err("unknown subcommand"));
        for list in [
            &b"\x00\xfb"[..],
            b"\x00\xfd\x01\xfd",
            b"\x00\x01\x02",
            b"\x00\xfa",
            b"\x00\xf0",
        ] {
            assert_eq!(decode(list), err("malformed IS list"), "{list:?}");
        }
        for list in [
            &b"\x00\xfa\x1f"[..],
            b"\x00\xfa\x1f\x00\x50",
            b"\x00\xfa\x1f\xf0\xf0",
        ] {
            assert_eq!(
                decode(list),
                err("SB group in IS list without SE"),
                "{list:?}"
            );
        }
    }

    #[test]
    fn round_trip() {
        let reports = [
            StatusReport::default(),
            sample(),
            StatusReport {
                local: vec![0xff, SE, SB],
                remote: vec![WILL, DO],
                subnegotiations: vec![(SE, vec![SE, SE, SE]), (0xff, vec![0xff, SB, SE])],
            },
        ];
        for report in reports {
            let payload = unframe(&encoded(&report));
            assert_eq!(decode(&payload), Ok(Status::Is(report)));
        }
        let mut out = Vec::new();
        encode_send(&mut out);
        assert_eq!(decode(&unframe(&out)), Ok(Status::Send));
    }

    proptest::proptest! {
        #[test]
        fn round_trip_any(
            local: Vec<u8>,
            remote: Vec<u8>,
            subnegotiations: Vec<(u8, Vec<u8>)>,
        ) {
            let report = StatusReport { local, remote, subnegotiations };
            let payload = unframe(&encoded(&report));
            proptest::prop_assert_eq!(decode(&payload), Ok(Status::Is(report)));
        }

        #[test]
        fn decode_any_bytes_never_panics(payload: Vec<u8>) {
            let _ = decode(&payload);
        }
    }
}
