//! MCCP2 (server → client) and MCCP3 (client → server) compression, sans-IO: the zlib streams
//! that start right after `IAC SB MCCP2 IAC SE` (resp. MCCP3) and end with the zlib stream's
//! end. flate2 does the zlib (its zlib-rs backend: pure Rust, and its state lives on the heap,
//! not on a reader thread's small stack); this module bounds it.
//!
//! ```text
//!   plain ──IAC SB MCCP2 IAC SE──▶ compressed (zlib) ──zlib stream end──▶ plain
//! ```
//!
//! The [`Negotiator`](super::Negotiator) agrees to the option and finds the start marker: its
//! receive stops right after the marker
//! ([`take_input_compression`](super::Negotiator::take_input_compression)), and the bytes
//! that follow go through an [`Inflater`] before it sees them again. On the sending side,
//! [`poll_transmit`](super::Negotiator::poll_transmit) stops right after our marker
//! ([`take_output_compression`](super::Negotiator::take_output_compression)), and everything
//! sent after it goes through a [`Deflater`].
//!
//! [`Inflater::inflate`] produces at most as many bytes as it is asked for, so a peer's
//! "decompression bomb" costs no more memory than the caller's bound:
//!
//! ```
//! use telnetlib3::protocol::mccp::{Deflater, Inflater};
//! let mut wire = Vec::new();
//! let mut deflater = Deflater::new();
//! deflater.compress(&[b'x'; 100_000], &mut wire);
//! deflater.finish(&mut wire);
//! assert!(wire.len() < 1_000);
//!
//! let mut inflater = Inflater::new();
//! let mut out = Vec::new();
//! let step = inflater.inflate(&wire, &mut out, 4096).unwrap();
//! assert_eq!((out.len(), step.produced, step.ended), (4096, 4096, false));
//! ```

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use super::ProtocolError;
use crate::telopt::{IAC, SB, SE};

/// The marker after which the sender's bytes are compressed: `IAC SB option IAC SE`.
#[must_use]
pub fn start_marker(option: u8) -> [u8; 5] {
    [IAC, SB, option, IAC, SE]
}

/// What one [`Inflater::inflate`] call did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Inflated {
    /// Compressed input bytes taken.
    pub consumed: usize,
    /// Plain bytes appended to the output.
    pub produced: usize,
    /// The zlib stream ended: the input after `consumed` is plain again.
    pub ended: bool,
}

/// One compressed stream being received (a zlib stream).
pub struct Inflater {
    z: Decompress,
    ended: bool,
    /// The stream is corrupt; said once the bytes inflated before the fault were handed over.
    failed: Option<ProtocolError>,
}

impl std::fmt::Debug for Inflater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inflater")
            .field("total_in", &self.z.total_in())
            .field("total_out", &self.z.total_out())
            .field("ended", &self.ended)
            .finish()
    }
}

impl Default for Inflater {
    fn default() -> Self {
        Self::new()
    }
}

impl Inflater {
    /// A new stream (zlib header expected).
    #[must_use]
    pub fn new() -> Self {
        Self {
            z: Decompress::new(true),
            ended: false,
            failed: None,
        }
    }

    /// Inflates `input`, appending at most `max` bytes to `out`. Call again with the input not
    /// consumed (or with none: output may be pending) once the output has been used.
    ///
    /// # Errors
    /// [`ProtocolError::Compression`] when the input is not a valid zlib stream (the bytes
    /// inflated before the fault come out of the call before); the stream cannot go on.
    pub fn inflate(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
        max: usize,
    ) -> Result<Inflated, ProtocolError> {
        let mut step = Inflated::default();
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        if self.ended {
            step.ended = true;
            return Ok(step);
        }
        let start = out.len();
        out.resize(start + max, 0);
        while step.produced < max {
            let (in_before, out_before) = (self.z.total_in(), self.z.total_out());
            let status = self.z.decompress(
                &input[step.consumed..],
                &mut out[start + step.produced..],
                FlushDecompress::None,
            );
            let taken = (self.z.total_in() - in_before) as usize;
            let made = (self.z.total_out() - out_before) as usize;
            step.consumed += taken;
            step.produced += made;
            match status {
                Ok(Status::StreamEnd) => {
                    self.ended = true;
                    step.ended = true;
                    break;
                }
                Ok(Status::Ok) | Ok(Status::BufError) => {
                    if taken == 0 && made == 0 {
                        break;
                    }
                }
                Err(err) => {
                    let err = ProtocolError::Compression(err.to_string());
                    if step.produced == 0 {
                        out.truncate(start);
                        self.failed = Some(err.clone());
                        return Err(err);
                    }
                    self.failed = Some(err);
                    break;
                }
            }
        }
        out.truncate(start + step.produced);
        Ok(step)
    }

    /// Whether the stream has ended.
    #[must_use]
    pub fn ended(&self) -> bool {
        self.ended
    }
}

/// One compressed stream being sent. Every [`compress`](Self::compress) ends with a sync
/// flush, so what was written reaches the peer at once (interactive data is not held back).
pub struct Deflater {
    z: Compress,
}

impl std::fmt::Debug for Deflater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deflater")
            .field("total_in", &self.z.total_in())
            .field("total_out", &self.z.total_out())
            .finish()
    }
}

impl Default for Deflater {
    fn default() -> Self {
        Self::new()
    }
}

impl Deflater {
    /// A new stream (zlib header, default level).
    #[must_use]
    pub fn new() -> Self {
        Self {
            z: Compress::new(Compression::default(), true),
        }
    }

    /// Compresses `data` and flushes, appending to `out`.
    pub fn compress(&mut self, data: &[u8], out: &mut Vec<u8>) {
        self.run(data, out, FlushCompress::Sync);
    }

    /// Ends the stream, appending its last bytes to `out`; the peer reads plain bytes after.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        self.run(&[], out, FlushCompress::Finish);
    }

    fn run(&mut self, data: &[u8], out: &mut Vec<u8>, flush: FlushCompress) {
        let mut pos = 0;
        loop {
            out.reserve((data.len() - pos) / 2 + 64);
            let before = self.z.total_in();
            let status = self.z.compress_vec(&data[pos..], out, flush);
            pos += (self.z.total_in() - before) as usize;
            let room_left = out.len() < out.capacity();
            match status {
                Ok(Status::StreamEnd) => return,
                // Done once all input is in and the flush did not fill the output.
                Ok(_)
                    if pos == data.len()
                        && room_left
                        && !matches!(flush, FlushCompress::Finish) =>
                {
                    return
                }
                Ok(_) => {}
                Err(err) => unreachable!("deflate cannot fail on valid parameters: {err}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deflate(chunks: &[&[u8]], finish: bool) -> Vec<u8> {
        let mut d = Deflater::new();
        let mut out = Vec::new();
        for c in chunks {
            d.compress(c, &mut out);
        }
        if finish {
            d.finish(&mut out);
        }
        out
    }

    fn inflate_all(wire: &[u8], max: usize) -> (Vec<u8>, usize, bool) {
        let mut i = Inflater::new();
        let mut out = Vec::new();
        let mut pos = 0;
        loop {
            let s = i.inflate(&wire[pos..], &mut out, max).unwrap();
            assert!(s.produced <= max);
            pos += s.consumed;
            if s.ended || (s.consumed == 0 && s.produced == 0) {
                return (out, pos, s.ended);
            }
        }
    }

    #[test]
    fn round_trip_with_small_steps() {
        let data: Vec<u8> = (0..50_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let wire = deflate(&[&data[..10], &data[10..]], true);
        let (out, used, ended) = inflate_all(&wire, 100);
        assert_eq!(out, data);
        assert!(ended);
        assert_eq!(used, wire.len());
    }

    #[test]
    fn sync_flush_makes_each_write_readable_alone() {
        let mut d = Deflater::new();
        let mut wire = Vec::new();
        d.compress(b"hello", &mut wire);
        let mut i = Inflater::new();
        let mut out = Vec::new();
        let s = i.inflate(&wire, &mut out, 1024).unwrap();
        assert_eq!(out, b"hello");
        assert_eq!(s.consumed, wire.len());
        assert!(!s.ended);
    }

    #[test]
    fn stream_end_leaves_plain_bytes_unconsumed() {
        let mut wire = deflate(&[b"compressed"], true);
        let end = wire.len();
        wire.extend_from_slice(b"plain");
        let mut i = Inflater::new();
        let mut out = Vec::new();
        let s = i.inflate(&wire, &mut out, 1024).unwrap();
        assert_eq!(out, b"compressed");
        assert!(s.ended && i.ended());
        assert_eq!(&wire[s.consumed..], b"plain");
        assert_eq!(s.consumed, end);
    }

    #[test]
    fn corrupt_stream_is_an_error() {
        let mut i = Inflater::new();
        let mut out = Vec::new();
        let err = i.inflate(b"not zlib at all", &mut out, 1024).unwrap_err();
        assert!(matches!(err, ProtocolError::Compression(_)));
        // A valid header, then garbage.
        let mut wire = deflate(&[b"ok"], false);
        wire.extend_from_slice(&[0xff; 16]);
        let mut i = Inflater::new();
        let mut out = Vec::new();
        // What came before the fault first, then the error, for good.
        let mut pos = 0;
        let err = loop {
            match i.inflate(&wire[pos..], &mut out, 1024) {
                Ok(step) => pos += step.consumed,
                Err(err) => break err,
            }
        };
        assert_eq!(out, b"ok");
        assert!(matches!(err, ProtocolError::Compression(_)));
        assert_eq!(i.inflate(b"", &mut out, 1024), Err(err));
    }

    #[test]
    fn bomb_inflates_in_bounded_steps() {
        let zeros = vec![0u8; 1 << 20];
        let mut d = Deflater::new();
        let mut wire = Vec::new();
        for _ in 0..64 {
            d.compress(&zeros, &mut wire);
        }
        assert!(wire.len() < 200_000, "{}", wire.len());
        let mut i = Inflater::new();
        let mut out = Vec::new();
        let mut pos = 0;
        let mut total = 0usize;
        loop {
            out.clear();
            let s = i.inflate(&wire[pos..], &mut out, 8192).unwrap();
            assert!(out.len() <= 8192 && out.capacity() <= 16384);
            pos += s.consumed;
            total += s.produced;
            if s.produced == 0 && s.consumed == 0 {
                break;
            }
        }
        assert_eq!(total, 64 << 20);
    }

    /// A reader thread has a small stack: starting a stream must not build big state on it.
    #[test]
    fn streams_start_on_a_small_stack() {
        std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(|| {
                let mut d = Deflater::new();
                let mut i = Inflater::new();
                let mut w = Vec::new();
                d.compress(b"x", &mut w);
                i.inflate(&w, &mut Vec::new(), 10).unwrap();
            })
            .unwrap()
            .join()
            .unwrap();
    }
}
