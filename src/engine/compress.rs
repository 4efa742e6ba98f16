//! MCCP2/MCCP3 in the byte pipeline: received bytes after the peer's marker go through an
//! inflater before the negotiator sees them; bytes we send after our marker go through a
//! deflater. Where the streams start is the negotiator's to say (see
//! [`mccp`](crate::protocol::mccp)); this only moves the bytes.
//!
//! A compressed chunk may inflate to far more than it is: at most [`INFLATE_STEP`] bytes are
//! inflated per [`Engine::ingest`](super::Engine::ingest) call, which then reports what it did
//! not take, so the reader waits for room in the input buffer before going on.

use crate::protocol::mccp::{Deflater, Inflater};
use crate::protocol::nvt::Received;
use crate::protocol::{Negotiator, ProtocolError};

use super::Core;

/// Plain bytes inflated per ingest, at most.
pub(super) const INFLATE_STEP: usize = 64 * 1024;

/// What one ingest did with its bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Ingested {
    /// Wire bytes taken; the caller offers the rest again once there is room.
    pub consumed: usize,
    /// The inflater stopped at its step with output pending: ingest again (even with no new
    /// bytes) once there is room.
    pub more: bool,
    /// The peer asked to log out.
    pub logout: bool,
}

/// The sending half's state, under the engine's `send` lock.
#[derive(Debug, Default)]
pub(crate) struct Sender {
    /// Wire bytes gathered to send (compressed once we compress).
    pub wire: Vec<u8>,
    /// Replies taken from the negotiator, before compression.
    plain: Vec<u8>,
    deflate: Option<Deflater>,
}

impl Sender {
    /// Takes what the negotiator queued into `wire`, compressing from our marker on.
    pub(super) fn poll(&mut self, neg: &mut Negotiator) {
        loop {
            neg.poll_transmit(&mut self.plain);
            if !self.plain.is_empty() {
                let plain = std::mem::take(&mut self.plain);
                self.push(&plain);
                self.plain = plain;
                self.plain.clear();
            }
            match neg.take_output_compression() {
                None => return,
                Some(true) => self.deflate = Some(Deflater::new()),
                Some(false) => {
                    if let Some(mut deflate) = self.deflate.take() {
                        deflate.finish(&mut self.wire);
                    }
                }
            }
        }
    }

    /// Adds bytes ready for the wire but for compression.
    pub(super) fn push(&mut self, bytes: &[u8]) {
        match &mut self.deflate {
            Some(deflate) => deflate.compress(bytes, &mut self.wire),
            None => self.wire.extend_from_slice(bytes),
        }
    }

    /// Whether what we send is compressed.
    pub(super) fn compressing(&self) -> bool {
        self.deflate.is_some()
    }
}

/// The receiving half's state, under the engine's `core` lock.
#[derive(Debug, Default)]
pub(crate) struct Inflate {
    stream: Option<Inflater>,
    plain: Vec<u8>,
}

/// Feeds `wire` through the negotiator and line discipline, inflating what the peer
/// compressed; at most [`INFLATE_STEP`] bytes are inflated. Returns what was taken, or the
/// error of a corrupt stream (with what came before it in `received`).
pub(super) fn receive(
    core: &mut Core,
    wire: &[u8],
    received: &mut Received,
) -> (Ingested, Option<ProtocolError>) {
    let Core { neg, nvt, inflate } = core;
    let mut done = Ingested::default();
    let mut inflated = 0;
    loop {
        let Some(stream) = &mut inflate.stream else {
            if done.consumed == wire.len() {
                break;
            }
            done.consumed += nvt.receive(neg, &wire[done.consumed..], received);
            if neg.take_input_compression() {
                inflate.stream = Some(Inflater::new());
            }
            continue;
        };
        if inflated >= INFLATE_STEP {
            done.more = true;
            break;
        }
        inflate.plain.clear();
        let step = match stream.inflate(
            &wire[done.consumed..],
            &mut inflate.plain,
            INFLATE_STEP - inflated,
        ) {
            Ok(step) => step,
            Err(err) => {
                inflate.stream = None;
                return (done, Some(err));
            }
        };
        done.consumed += step.consumed;
        inflated += step.produced;
        nvt.receive(neg, &inflate.plain, received);
        if step.ended {
            log::debug!("the peer's compressed stream ended: plain bytes again");
            inflate.stream = None;
            neg.end_input_compression();
        } else if step.consumed == 0 && step.produced == 0 {
            if done.consumed < wire.len() {
                // Input left and room to inflate into, yet zlib takes nothing.
                inflate.stream = None;
                let stalled = ProtocolError::Compression("the stream makes no progress".into());
                return (done, Some(stalled));
            }
            break;
        }
    }
    if inflate.plain.capacity() > INFLATE_STEP {
        inflate.plain = Vec::new();
    }
    (done, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::mccp::start_marker;
    use crate::protocol::nvt::{LineDiscipline, NvtConfig};
    use crate::protocol::ClientPolicy;
    use crate::telopt::{DO, IAC, MCCP2, WILL};

    /// A client core that agreed to MCCP2.
    fn client() -> Core {
        let mut neg = Negotiator::client(ClientPolicy::default());
        let _ = neg.receive_all(&[IAC, WILL, MCCP2]);
        assert_eq!(neg.take_transmit(), [IAC, DO, MCCP2]);
        let nvt = LineDiscipline::new(NvtConfig::default().encoding(None), &neg);
        Core {
            neg,
            nvt,
            inflate: Inflate::default(),
        }
    }

    fn deflated(data: &[u8], finish: bool) -> Vec<u8> {
        let mut d = Deflater::new();
        let mut out = Vec::new();
        d.compress(data, &mut out);
        if finish {
            d.finish(&mut out);
        }
        out
    }

    /// Feeds `chunks` as the reader would (offering what was not taken again) and returns
    /// the data received.
    fn feed(core: &mut Core, chunks: &[&[u8]]) -> Result<Vec<u8>, ProtocolError> {
        let mut data = Vec::new();
        let mut received = Received::default();
        for chunk in chunks {
            let mut pos = 0;
            loop {
                received.clear();
                let (done, err) = receive(core, &chunk[pos..], &mut received);
                data.extend_from_slice(&received.data);
                if let Some(err) = err {
                    return Err(err);
                }
                pos += done.consumed;
                if pos == chunk.len() && !done.more {
                    break;
                }
            }
        }
        Ok(data)
    }

    /// Plain text, the marker, a compressed stream that ends, plain text again.
    fn session() -> (Vec<u8>, Vec<u8>) {
        let mut wire = b"plain before ".to_vec();
        wire.extend_from_slice(&start_marker(MCCP2));
        wire.extend_from_slice(&deflated(b"compressed \xff\xff middle ", true));
        wire.extend_from_slice(b"plain after");
        (
            wire,
            b"plain before compressed \xff middle plain after".to_vec(),
        )
    }

    #[test]
    fn marker_and_compressed_bytes_in_one_chunk() {
        let (wire, expected) = session();
        let mut core = client();
        assert_eq!(feed(&mut core, &[&wire]).unwrap(), expected);
        assert!(!core.neg.input_compressed());
    }

    #[test]
    fn split_at_every_byte_position() {
        let (wire, expected) = session();
        for at in 0..=wire.len() {
            let mut core = client();
            let data = feed(&mut core, &[&wire[..at], &wire[at..]]).unwrap();
            assert_eq!(data, expected, "split at {at}");
        }
        // And one byte at a time.
        let mut core = client();
        let bytes: Vec<&[u8]> = wire.chunks(1).collect();
        assert_eq!(feed(&mut core, &bytes).unwrap(), expected);
    }

    #[test]
    fn stream_end_returns_to_plain_and_a_new_marker_starts_again() {
        let mut core = client();
        let mut wire = start_marker(MCCP2).to_vec();
        wire.extend_from_slice(&deflated(b"one ", true));
        wire.extend_from_slice(b"two ");
        wire.extend_from_slice(&start_marker(MCCP2));
        wire.extend_from_slice(&deflated(b"three", false));
        assert_eq!(feed(&mut core, &[&wire]).unwrap(), b"one two three");
        assert!(core.neg.input_compressed());
    }

    #[test]
    fn corrupt_stream_is_a_typed_error_after_the_good_data() {
        let mut core = client();
        let mut wire = b"ok ".to_vec();
        wire.extend_from_slice(&start_marker(MCCP2));
        wire.extend_from_slice(b"\x78\x9cthis is not deflate data at all \xff\xff\xff");
        let mut received = Received::default();
        let (_, err) = receive(&mut core, &wire, &mut received);
        assert!(
            matches!(err, Some(ProtocolError::Compression(_))),
            "{err:?}"
        );
        assert_eq!(received.data, b"ok ");
    }

    #[test]
    fn a_bomb_inflates_a_bounded_step_per_call() {
        let mut core = client();
        let mut wire = start_marker(MCCP2).to_vec();
        wire.extend_from_slice(&deflated(&vec![b'a'; 16 << 20], false));
        assert!(wire.len() < 64 * 1024);
        let mut received = Received::default();
        let (mut pos, mut total, mut calls) = (0, 0, 0);
        loop {
            received.clear();
            let (done, err) = receive(&mut core, &wire[pos..], &mut received);
            assert!(err.is_none());
            assert!(
                received.data.len() <= INFLATE_STEP,
                "{}",
                received.data.len()
            );
            total += received.data.len();
            pos += done.consumed;
            calls += 1;
            if pos == wire.len() && !done.more {
                break;
            }
        }
        assert_eq!(total, 16 << 20);
        assert!(calls >= (16 << 20) / INFLATE_STEP);
    }

    #[test]
    fn sender_compresses_from_the_marker_on() {
        let mut neg = Negotiator::server(crate::protocol::ServerPolicy::default());
        let mut sender = Sender::default();
        sender.poll(&mut neg);
        let _ = neg.receive_all(&[IAC, DO, MCCP2]);
        neg.send_data(b"hello");
        sender.poll(&mut neg);
        assert!(sender.compressing());
        sender.push(b" world");
        let marker = start_marker(MCCP2);
        let at = sender
            .wire
            .windows(marker.len())
            .position(|w| w == marker)
            .unwrap()
            + marker.len();
        let mut out = Vec::new();
        Inflater::new()
            .inflate(&sender.wire[at..], &mut out, 1 << 20)
            .unwrap();
        assert!(out.ends_with(b"hello world"), "{out:?}");
    }
}
