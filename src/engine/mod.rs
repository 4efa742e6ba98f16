//! The connection engine: moves bytes between a socket and a connection's buffers, and wakes
//! whoever waits on them. It interprets nothing itself — telnet meaning comes from the
//! protocol core ([`Negotiator`] and the line discipline of [`nvt`](crate::protocol::nvt)).
//!
//! ```text
//!              ┌──────────────── Engine (one per connection) ─────────────────┐
//!   socket ───▶│ reader: read ─▶ ingest ─▶ Negotiator ─▶ LineDiscipline        │
//!              │                   │          │ replies      │ data + marks   │
//!              │                   │          ▼              ▼                │
//!              │                   │   send lock ─▶ socket   Input buffer ────┼─▶ read, readline,
//!              │                   │   (replies, echo)       (bounded; past    │   read_until …
//!              │                   │                          buffer_limit     │   (Condvar)
//!              │                   │                          only for a line  │
//!              │                   └──▶ events ring (bounded) ─────────────────┼─▶ events()
//!              │                                                               │
//!   write ────▶│ encode ─▶ send lock ─▶ IAC doubled ─▶ socket                  │
//!              └───────────────────────────────────────────────────────────────┘
//! ```
//!
//! MCCP2/MCCP3 ([`compress`]): after the peer's marker, `ingest` inflates before the
//! negotiator sees the bytes (a bounded step per call: the reader offers the rest again once
//! there is room); after ours, everything written is deflated under the send lock.
//!
//! [`Engine::ingest`] is the whole of what happens to a chunk of received bytes; the reader
//! thread ([`reader`]) only reads, ingests and applies back-pressure (no reading while the
//! buffer holds `buffer_limit` bytes, unless a `readline`/`read_until` waits for a terminator:
//! then up to `max_line`). A shared poller can drive `ingest` in place of the thread.
//!
//! Locks: `send` (orders everything written) before `core` (negotiator and line discipline);
//! `state` is never held together with either, and no lock is held across a socket read.

mod buffer;
mod compress;
pub(crate) mod events;
mod reader;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use crate::encoding::{Codec, Errors};
use crate::protocol::nvt::{self, LineDiscipline, NvtConfig, Received};
use crate::protocol::{Negotiator, ProtocolError};
use crate::telopt;
use crate::transport::{Transport, TransportWriter};
use crate::{Error, Result};

use buffer::Input;
pub(crate) use compress::Ingested;
use compress::{Inflate, Sender};
use events::EventRing;

/// Negotiation events a connection keeps for [`events`](crate::connection::Connection::events).
pub(crate) const EVENT_CAPACITY: usize = 256;

/// How long a connection waits for the peer's first bytes before taking silence as settled.
const SETTLE_GRACE: Duration = Duration::from_millis(50);

/// How an engine handles text, buffering and time.
#[derive(Debug, Clone)]
pub(crate) struct EngineConfig {
    pub nvt: NvtConfig,
    pub errors: Errors,
    /// Received data waiting to be read, in bytes, before the reader stops reading.
    pub buffer_limit: usize,
    /// How far a `readline`/`read_until` gathers without finding its terminator.
    pub max_line: usize,
    /// Timeout used when a call passes `None`.
    pub default_timeout: Option<Duration>,
    /// Name of the reader thread.
    pub thread_name: String,
    /// Server: close after this long without input, saying so first.
    pub idle_timeout: Option<Duration>,
    /// Negotiation events kept for [`events`](crate::connection::Connection::events).
    pub event_capacity: usize,
}

/// The core the reader and writers share under one lock.
#[derive(Debug)]
pub(crate) struct Core {
    pub neg: Negotiator,
    pub nvt: LineDiscipline,
    /// The peer's compressed stream, while there is one.
    inflate: Inflate,
}

#[derive(Debug)]
pub(crate) struct State {
    input: Input,
    pub(crate) events: EventRing,
    /// Reads waiting for a terminator (they let the reader go on to `max_line`).
    gathering: usize,
    eof: bool,
    closed: bool,
    error: Option<Error>,
    /// Bumped on every change waiters may care about (data, negotiation, end).
    generation: u64,
    last_input: Instant,
}

/// One live connection's engine. Shared by the reader and every handle.
#[derive(Debug)]
pub(crate) struct Engine {
    core: Mutex<Core>,
    /// Held while writing; holds the buffer replies are gathered in and our compressed stream.
    send: Mutex<Sender>,
    state: Mutex<State>,
    cond: Condvar,
    writer: TransportWriter,
    config: EngineConfig,
    closed: AtomicBool,
    bytes_sent: AtomicU64,
    bytes_received: AtomicU64,
    peer: Option<SocketAddr>,
    local: Option<SocketAddr>,
    tls: bool,
    started: Instant,
    reader: Mutex<Option<JoinHandle<()>>>,
}

impl Engine {
    /// Starts an engine over `transport`: sends what `neg` has queued, then starts the reader.
    pub(crate) fn start(
        transport: Transport,
        mut neg: Negotiator,
        config: EngineConfig,
    ) -> Result<Arc<Engine>> {
        let peer = transport.peer_addr().ok();
        let local = transport.local_addr().ok();
        let tls = transport.is_tls();
        if tls {
            // Compressing before encrypting leaks what is sent (CRIME): never under TLS.
            neg.refuse_compression();
        }
        let (reader, writer) = transport.split();
        if let Some(timeout) = config.default_timeout {
            // A write that cannot go out within the default timeout fails instead of hanging.
            writer
                .set_write_timeout(Some(timeout))
                .map_err(Error::from_io)?;
        }
        if let Some(idle) = config.idle_timeout {
            reader
                .set_read_timeout(Some(idle))
                .map_err(Error::from_io)?;
        }
        let nvt = LineDiscipline::new(config.nvt, &neg);
        let now = Instant::now();
        let engine = Arc::new(Engine {
            state: Mutex::new(State {
                input: Input::new(config.nvt.encoding, config.errors, nvt.input_codec()),
                events: EventRing::new(config.event_capacity),
                gathering: 0,
                eof: false,
                closed: false,
                error: None,
                generation: 0,
                last_input: now,
            }),
            core: Mutex::new(Core {
                neg,
                nvt,
                inflate: Inflate::default(),
            }),
            send: Mutex::new(Sender::default()),
            cond: Condvar::new(),
            writer,
            config,
            closed: AtomicBool::new(false),
            bytes_sent: AtomicU64::new(0),
            bytes_received: AtomicU64::new(0),
            peer,
            local,
            tls,
            started: now,
            reader: Mutex::new(None),
        });
        engine.flush_replies()?;
        let handle = reader::spawn(Arc::clone(&engine), reader)?;
        *engine.reader.lock() = Some(handle);
        Ok(engine)
    }

    pub(crate) fn name(&self) -> String {
        match self.peer {
            Some(peer) => peer.to_string(),
            None => "telnet".to_owned(),
        }
    }

    pub(crate) fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Everything that happens to a chunk of received bytes: inflating (after the peer's
    /// compression marker), negotiation (replies sent), the line discipline (echo sent), data
    /// into the buffer, events into the ring, waiters woken. Returns how much of `wire` was
    /// taken — less than all only when a compressed chunk inflated to its step: offer the
    /// rest (or, with `more`, nothing new) again once the buffer has room.
    pub(crate) fn ingest(&self, wire: &[u8], received: &mut Received) -> Result<Ingested> {
        received.clear();
        let (mut done, corrupt, reply) = {
            let mut core = self.core.lock();
            let (done, corrupt) = compress::receive(&mut core, wire, received);
            let reply = !received.echo.is_empty() || core.neg.pending_transmit() > 0;
            (done, corrupt, reply)
        };
        let taken = &wire[..done.consumed];
        self.bytes_received
            .fetch_add(taken.len() as u64, Ordering::Relaxed);
        if !taken.is_empty() && log::log_enabled!(log::Level::Trace) {
            log::trace!(
                "{}: recv {} bytes\n{}",
                self.name(),
                taken.len(),
                hexdump(taken)
            );
        }
        let mut sent = Ok(());
        if reply {
            // Replies and echo go out before the input is visible, so an answer the
            // application writes to it follows its echo.
            let mut out = self.send.lock();
            {
                let mut core = self.core.lock();
                core.neg.send_data(&received.echo);
                out.poll(&mut core.neg);
            }
            sent = self.send_gathered(&mut out);
            // Handed straight to a writer that waits (a handler's prompt): a peer typing a
            // long stream keeps the reader echoing, and must not starve the handler's output.
            parking_lot::MutexGuard::unlock_fair(out);
        }
        // The input is the peer's even when answering it failed: it is kept.
        {
            let mut state = self.state.lock();
            state.input.append(&received.data, &received.marks);
            for event in received.events.drain(..) {
                state.events.push(event);
            }
            state.last_input = Instant::now();
            state.generation += 1;
        }
        self.cond.notify_all();
        if let Some(err) = corrupt {
            log::warn!("{}: {err}: closing", self.name());
            return Err(Error::Protocol(err));
        }
        done.logout = received.logout;
        match sent {
            Ok(()) => Ok(done),
            // A peer that takes no replies (not even within the write timeout) ends the
            // connection: a read must not report this as its own timeout for ever after.
            Err(Error::Timeout) => Err(Error::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the peer stopped taking data: a reply could not be sent",
            ))),
            Err(err) => Err(err),
        }
    }

    /// The reader is done: end of stream (`None`) or a failure.
    pub(crate) fn finish(&self, error: Option<Error>) {
        {
            let mut state = self.state.lock();
            state.eof = true;
            if let Some(err) = error {
                if !state.closed && state.error.is_none() {
                    state.error = Some(err);
                }
            }
            state.generation += 1;
        }
        self.cond.notify_all();
    }

    /// Ends the connection: marks it closed (every waiter gets [`Error::Closed`]), lets a
    /// write in flight finish (a second at most), shuts the socket (which wakes the reader),
    /// and joins the reader thread. Idempotent.
    pub(crate) fn close(&self) {
        if self.mark_closed() {
            // Let a write in flight (an echo, a reply) finish first, for a moment at most.
            let in_flight = self.send.try_lock_for(Duration::from_secs(1));
            self.writer.shutdown();
            drop(in_flight);
        }
        self.join_reader();
    }

    /// Ends the connection at once: marked closed and the socket shut without waiting for a
    /// write in flight (it fails) or a TLS close_notify. The reader is not joined: a later
    /// [`close`](Self::close) does that. For a server shutting down many connections.
    pub(crate) fn abort(&self) {
        self.mark_closed();
        self.writer.abort();
    }

    /// Marks the connection closed and wakes every waiter; false when it already was.
    fn mark_closed(&self) -> bool {
        if self.closed.swap(true, Ordering::SeqCst) {
            return false;
        }
        {
            let mut state = self.state.lock();
            state.closed = true;
            state.generation += 1;
        }
        self.cond.notify_all();
        true
    }

    fn join_reader(&self) {
        let handle = self.reader.lock().take();
        if let Some(handle) = handle {
            if handle.thread().id() != std::thread::current().id() {
                let _ = handle.join();
            }
        }
    }

    /// Shuts the socket without waiting for the reader (from the reader itself).
    pub(crate) fn shutdown_socket(&self) {
        self.writer.shutdown();
    }

    /// Sends whatever the negotiator has queued, in order with application writes.
    pub(crate) fn flush_replies(&self) -> Result<()> {
        let mut out = self.send.lock();
        out.poll(&mut self.core.lock().neg);
        self.send_gathered(&mut out)
    }

    /// Writes what `out` gathered (under the send lock), if anything.
    fn send_gathered(&self, out: &mut Sender) -> Result<()> {
        if out.wire.is_empty() {
            return Ok(());
        }
        let result = self.write_wire(&out.wire);
        out.wire.clear();
        // A large compressed write does not keep its buffer for the life of the connection.
        if out.wire.capacity() > 1 << 20 {
            out.wire = Vec::new();
        }
        result
    }

    fn write_wire(&self, wire: &[u8]) -> Result<()> {
        self.bytes_sent
            .fetch_add(wire.len() as u64, Ordering::Relaxed);
        if log::log_enabled!(log::Level::Trace) {
            log::trace!(
                "{}: send {} bytes\n{}",
                self.name(),
                wire.len(),
                hexdump(wire)
            );
        }
        self.writer.write_all(wire)
    }

    pub(crate) fn check_open(&self) -> Result<()> {
        if self.closed.load(Ordering::SeqCst) {
            Err(Error::Closed)
        } else {
            Ok(())
        }
    }

    fn deadline(&self, timeout: Option<Duration>) -> Option<Instant> {
        timeout
            .or(self.config.default_timeout)
            .map(|t| Instant::now() + t)
    }

    // ---------------------------------------------------------------------------------------
    // Writing

    /// Writes bytes as data (IAC doubled), after anything the negotiator has queued.
    pub(crate) fn write_bytes(&self, data: &[u8]) -> Result<()> {
        self.check_open()?;
        let mut out = self.send.lock();
        out.poll(&mut self.core.lock().neg);
        if memchr::memchr(telopt::IAC, data).is_none() {
            if out.compressing() {
                out.push(data);
                return self.send_gathered(&mut out);
            }
            // Nothing to escape: the data goes out as it is, without a copy.
            self.send_gathered(&mut out)?;
            self.write_wire(data)
        } else {
            {
                let mut core = self.core.lock();
                core.neg.send_data(data);
                out.poll(&mut core.neg);
            }
            self.send_gathered(&mut out)
        }
    }

    /// The codec text is written in now.
    pub(crate) fn output_codec(&self) -> Option<Codec> {
        nvt::output_codec(&self.config.nvt, &self.core.lock().neg)
    }

    /// Writes text in the outgoing encoding (US-ASCII until we send BINARY, unless forced).
    pub(crate) fn write_text(&self, text: &str) -> Result<()> {
        self.check_open()?;
        let codec = self.output_codec().ok_or_else(bytes_only)?;
        let mut bytes = Vec::with_capacity(text.len());
        codec.encode(text, self.config.errors, &mut bytes)?;
        self.write_bytes(&bytes)
    }

    /// Waits until nothing is being written, at most `timeout`.
    pub(crate) fn flush(&self, timeout: Option<Duration>) -> Result<()> {
        self.check_open()?;
        let idle = match self.deadline(timeout) {
            Some(deadline) => self.send.try_lock_until(deadline),
            None => Some(self.send.lock()),
        };
        match idle {
            Some(_) => self.check_open(),
            None => Err(Error::Timeout),
        }
    }

    /// Runs `f` on the negotiator, then sends what it queued.
    pub(crate) fn with_negotiator<T>(&self, f: impl FnOnce(&mut Negotiator) -> T) -> Result<T> {
        self.with_negotiator_within(None, f)
            .unwrap_or(Err(Error::Timeout))
    }

    /// As [`with_negotiator`](Self::with_negotiator), waiting at most `wait` (`None`: as long
    /// as it takes) for a write in progress; `None` when it is still in progress then.
    pub(crate) fn with_negotiator_within<T>(
        &self,
        wait: Option<Duration>,
        f: impl FnOnce(&mut Negotiator) -> T,
    ) -> Option<Result<T>> {
        if let Err(err) = self.check_open() {
            return Some(Err(err));
        }
        let mut out = match wait {
            Some(wait) => self.send.try_lock_for(wait)?,
            None => self.send.lock(),
        };
        Some(self.negotiate_locked(&mut out, f))
    }

    fn negotiate_locked<T>(
        &self,
        out: &mut Sender,
        f: impl FnOnce(&mut Negotiator) -> T,
    ) -> Result<T> {
        let value = {
            let mut core = self.core.lock();
            let value = f(&mut core.neg);
            out.poll(&mut core.neg);
            value
        };
        self.send_gathered(out)?;
        self.bump();
        Ok(value)
    }

    /// Reads the negotiator without sending anything.
    pub(crate) fn negotiator<T>(&self, f: impl FnOnce(&Negotiator) -> T) -> T {
        f(&self.core.lock().neg)
    }

    /// Runs `f` on the line discipline.
    pub(crate) fn line_discipline<T>(&self, f: impl FnOnce(&mut LineDiscipline) -> T) -> T {
        f(&mut self.core.lock().nvt)
    }

    fn bump(&self) {
        self.state.lock().generation += 1;
        self.cond.notify_all();
    }

    // ---------------------------------------------------------------------------------------
    // Reading

    /// Waits until `ready` returns a value, the deadline passes, or the stream ends.
    /// `ready` sees the state and whether the stream ended; `None` means "not yet".
    /// `gathers`: the read waits for a terminator, so the reader may fill past the limit.
    pub(crate) fn wait<T>(
        &self,
        timeout: Option<Duration>,
        gathers: bool,
        mut ready: impl FnMut(&mut State, bool) -> Result<Option<T>>,
    ) -> Result<T> {
        self.check_open()?;
        let deadline = self.deadline(timeout);
        let mut state = self.state.lock();
        if gathers {
            state.gathering += 1;
            // The reader may be waiting for room at `buffer_limit`: a line may go further.
            self.cond.notify_all();
        }
        let result = loop {
            if state.closed {
                break Err(Error::Closed);
            }
            let eof = state.eof;
            match ready(&mut state, eof) {
                Ok(Some(value)) => break Ok(value),
                Ok(None) => {}
                Err(err) => break Err(err),
            }
            if state.eof {
                break Err(match &state.error {
                    Some(err) => err.duplicate(),
                    None => Error::Eof,
                });
            }
            match deadline {
                Some(deadline) => {
                    if self.cond.wait_until(&mut state, deadline).timed_out() {
                        let eof = state.eof;
                        break match ready(&mut state, eof) {
                            Ok(Some(value)) => Ok(value),
                            Ok(None) => Err(Error::Timeout),
                            Err(err) => Err(err),
                        };
                    }
                }
                None => self.cond.wait(&mut state),
            }
        };
        if gathers {
            state.gathering -= 1;
        }
        drop(state);
        // Room was made in the buffer (or a gatherer left): the reader may go on.
        self.cond.notify_all();
        result
    }

    pub(crate) fn read_bytes(&self, max: usize, timeout: Option<Duration>) -> Result<Vec<u8>> {
        let max = max.max(1);
        self.wait(timeout, false, |state, _| state.input.read_bytes(max))
    }

    pub(crate) fn read_text(&self, max: usize, timeout: Option<Duration>) -> Result<String> {
        self.config.nvt.encoding.ok_or_else(bytes_only)?;
        let max = max.max(1);
        self.wait(timeout, false, |state, eof| state.input.read_text(max, eof))
    }

    pub(crate) fn readline_bytes(&self, timeout: Option<Duration>) -> Result<Vec<u8>> {
        let max_line = self.config.max_line;
        self.wait(timeout, true, |state, eof| {
            state.input.readline_bytes(eof, max_line)
        })
    }

    pub(crate) fn readline_text(&self, timeout: Option<Duration>) -> Result<String> {
        self.config.nvt.encoding.ok_or_else(bytes_only)?;
        let max_line = self.config.max_line;
        self.wait(timeout, true, |state, eof| {
            state.input.readline_text(eof, max_line)
        })
    }

    pub(crate) fn read_until_bytes(
        &self,
        pattern: &[u8],
        timeout: Option<Duration>,
    ) -> Result<Vec<u8>> {
        self.check_open()?;
        if pattern.is_empty() {
            return Ok(Vec::new());
        }
        let max_line = self.config.max_line;
        self.wait(timeout, true, |state, _| {
            state.input.read_until_bytes(pattern, max_line)
        })
    }

    pub(crate) fn read_until_text(
        &self,
        pattern: &str,
        timeout: Option<Duration>,
    ) -> Result<String> {
        self.check_open()?;
        self.config.nvt.encoding.ok_or_else(bytes_only)?;
        if pattern.is_empty() {
            return Ok(String::new());
        }
        let max_line = self.config.max_line;
        self.wait(timeout, true, |state, eof| {
            state.input.read_until_text(pattern, eof, max_line)
        })
    }

    /// Waits until `check` holds on the negotiator.
    pub(crate) fn wait_negotiation(
        &self,
        timeout: Option<Duration>,
        mut check: impl FnMut(&Negotiator) -> Result<bool, ProtocolError>,
    ) -> Result<()> {
        self.check_open()?;
        let deadline = self.deadline(timeout);
        loop {
            let generation = self.state.lock().generation;
            if check(&self.core.lock().neg)? {
                return Ok(());
            }
            let mut state = self.state.lock();
            if state.closed {
                return Err(Error::Closed);
            }
            if state.eof {
                return Err(Error::Eof);
            }
            if state.generation != generation {
                continue;
            }
            match deadline {
                Some(deadline) => {
                    if self.cond.wait_until(&mut state, deadline).timed_out() {
                        drop(state);
                        return if check(&self.core.lock().neg)? {
                            Ok(())
                        } else {
                            Err(Error::Timeout)
                        };
                    }
                }
                None => self.cond.wait(&mut state),
            }
        }
    }

    /// Waits until negotiation settles: nothing pending and `minwait` passed, or the exchanges
    /// that make `minwait` unnecessary done ([`Negotiator::is_complete`]); at most `maxwait`.
    /// Returns whether it settled.
    pub(crate) fn wait_settled(&self, minwait: Duration, maxwait: Duration) -> bool {
        let start = self.started;
        let heard = || self.bytes_received.load(Ordering::Relaxed) > 0;
        let ready = |neg: &Negotiator| {
            let elapsed = start.elapsed();
            // Until the peer has said anything, give it a moment to open its negotiation
            // (telnetlib3 checks on a 50 ms timer, which has the same effect).
            neg.is_complete()
                || (neg.is_settled() && elapsed >= minwait && (heard() || elapsed >= SETTLE_GRACE))
        };
        loop {
            let elapsed = start.elapsed();
            if elapsed >= maxwait {
                return self.core.lock().neg.is_settled();
            }
            // Wake at the next moment the answer can change by time alone.
            let next = [SETTLE_GRACE, minwait, maxwait]
                .into_iter()
                .filter(|&t| t > elapsed)
                .min()
                .unwrap_or(maxwait);
            match self.wait_negotiation(Some(next - elapsed), |neg| Ok(ready(neg))) {
                Ok(()) => return true,
                Err(Error::Timeout) => {}
                Err(_) => return false,
            }
        }
    }

    /// Waits for the next event at or after `cursor` (see [`events`]).
    pub(crate) fn next_event(
        &self,
        cursor: &mut u64,
        timeout: Option<Duration>,
    ) -> Result<crate::protocol::Event<'static>> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut state = self.state.lock();
        loop {
            if let Some(event) = state.events.get(cursor)? {
                return Ok(event);
            }
            if state.closed {
                return Err(Error::Closed);
            }
            if state.eof {
                return Err(Error::Eof);
            }
            match deadline {
                Some(deadline) => {
                    if self.cond.wait_until(&mut state, deadline).timed_out() {
                        return state.events.get(cursor)?.ok_or(Error::Timeout);
                    }
                }
                None => self.cond.wait(&mut state),
            }
        }
    }

    /// The oldest event still kept, as a cursor.
    pub(crate) fn first_event(&self) -> u64 {
        self.state.lock().events.first()
    }

    // ---------------------------------------------------------------------------------------
    // State

    pub(crate) fn byte_counts(&self) -> (u64, u64) {
        (
            self.bytes_sent.load(Ordering::Relaxed),
            self.bytes_received.load(Ordering::Relaxed),
        )
    }

    pub(crate) fn line_ready(&self) -> bool {
        self.state.lock().input.line_ready()
    }

    pub(crate) fn last_input(&self) -> Instant {
        self.state.lock().last_input
    }

    pub(crate) fn idle(&self) -> Duration {
        self.last_input().elapsed()
    }

    pub(crate) fn duration(&self) -> Duration {
        self.started.elapsed()
    }

    pub(crate) fn at_eof(&self) -> bool {
        let state = self.state.lock();
        state.eof || state.closed
    }

    pub(crate) fn buffered(&self) -> usize {
        self.state.lock().input.len()
    }

    pub(crate) fn peer_addr(&self) -> Option<SocketAddr> {
        self.peer
    }

    pub(crate) fn local_addr(&self) -> Option<SocketAddr> {
        self.local
    }

    pub(crate) fn is_tls(&self) -> bool {
        self.tls
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// The encoding text is read in now (`None` for bytes only).
    pub(crate) fn input_codec(&self) -> Option<Codec> {
        self.state.lock().input.codec()
    }
}

fn bytes_only() -> Error {
    Error::config("this connection has no encoding (bytes only): use the byte methods")
}

/// A classic hexdump (offset, 16 bytes of hex, printable ASCII) for trace logs.
#[must_use]
pub fn hexdump(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (row, chunk) in bytes.chunks(16).enumerate() {
        let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
        let text: String = chunk
            .iter()
            .map(|&b| {
                if (0x20..0x7f).contains(&b) {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        out.push_str(&format!(
            "  {:06x}  {:<48}  {}\n",
            row * 16,
            hex.join(" "),
            text
        ));
    }
    out.push_str(&format!("  ({})", telopt::describe_bytes(bytes)));
    out
}
