//! One live telnet connection, shared by the client and the server: a background reader that
//! keeps negotiation going while the application is busy, a bounded buffer of received data,
//! and serialised writes.
//!
//! ```text
//!                 ┌──────────── reader thread (small stack) ────────────┐
//!   socket ──────▶│ read ─▶ Negotiator::receive ─▶ data ─▶ input buffer │──▶ read / readline / …
//!                 │                     │                  (bounded,     │       (Condvar wake-ups)
//!                 │                     ▼                   back-pressure)│
//!                 │               replies (send lock) ─▶ socket           │
//!                 └─────────────────────────────────────────────────────┘
//!   write(text) ─▶ encode ─▶ send lock ─▶ Negotiator::send_data (IAC doubled) ─▶ socket
//! ```
//!
//! Locks: `send` (orders everything written) before `neg` (the negotiator); `state` (the input
//! buffer) is never held together with either, and no lock is held across a socket read.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use crate::encoding::{Codec, Decoder, Errors};
use crate::protocol::{Event, Negotiator, ProtocolError, Side};
use crate::telopt::{self, BINARY, ECHO};
use crate::transport::{Transport, TransportReader, TransportWriter};
use crate::{Error, Result};

/// Stack size of each connection's reader thread.
const READER_STACK: usize = 128 * 1024;
/// How long a connection waits for the peer's first bytes before taking silence as settled.
const SETTLE_GRACE: Duration = Duration::from_millis(50);
/// Bytes asked of the socket per read.
const READ_CHUNK: usize = 16 * 1024;

/// How a session handles text and buffering.
#[derive(Debug, Clone)]
pub(crate) struct SessionConfig {
    /// The configured encoding; `None` for bytes only.
    pub encoding: Option<Codec>,
    /// What to do with text the encoding cannot carry.
    pub errors: Errors,
    /// Use the encoding even before BINARY is agreed.
    pub force_binary: bool,
    /// Bound on received data waiting to be read, in bytes.
    pub buffer_limit: usize,
    /// Timeout used when a call passes `None`.
    pub default_timeout: Option<Duration>,
    /// Name of the reader thread, for debuggers and logs.
    pub thread_name: String,
    /// Server: close after this long without input, saying `\r\nTimeout.\r\n` first.
    pub idle_timeout: Option<Duration>,
    /// Server: edit and echo input while we perform ECHO (see [`Shared::set_echo`]).
    pub line_discipline: bool,
    /// Server: the commands IP, BRK, AO, ABORT, SUSP, EOF, EC and EL arrive in the input as
    /// the keys that do the same on a terminal (see [`command_key`]).
    pub command_keys: bool,
}

/// The key that does on a terminal what a telnet command asks for: IP and BRK interrupt
/// (`^C`), ABORT quits (`^\`), SUSP suspends (`^Z`), EOF ends input (`^D`), AO discards output
/// (`^O`), EC erases a character (DEL), EL erases the line (`^U`). These are the Linux
/// defaults and telnetlib3's SLC table.
pub(crate) fn command_key(command: u8) -> Option<u8> {
    use crate::telopt::{ABORT, AO, BRK, EC, EL, EOF, IP, SUSP};
    Some(match command {
        IP | BRK => 0x03,
        ABORT => 0x1c,
        SUSP => 0x1a,
        EOF => 0x04,
        AO => 0x0f,
        EC => 0x7f,
        EL => 0x15,
        _ => return None,
    })
}

/// A hook the reader thread calls for every event but data (server bookkeeping).
pub(crate) type EventHook = Box<dyn FnMut(&Event<'_>, &mut Negotiator) + Send>;

#[derive(Debug)]
struct State {
    /// Received data not yet decoded or read.
    bytes: VecDeque<u8>,
    /// Decoded text not yet read (only text reads fill it).
    text: String,
    decoder: Option<Decoder>,
    /// The codec the data at the front of `bytes` is in (US-ASCII until BINARY, unless forced).
    in_codec: Option<Codec>,
    /// Codec switches not yet reached: `(n, codec)` means the data from `bytes[n]` on is in
    /// `codec` (BINARY or CHARSET changed between the bytes before and after it).
    switches: VecDeque<(usize, Option<Codec>)>,
    /// A line ended at a CR that was the last byte: drop an LF or NUL that follows.
    skip_lf: bool,
    eof: bool,
    closed: bool,
    error: Option<(std::io::ErrorKind, String)>,
    /// Bumped on every change waiters may care about (data, negotiation, EOF).
    generation: u64,
    last_input: Instant,
}

#[derive(Debug)]
pub(crate) struct Shared {
    neg: Mutex<Negotiator>,
    send: Mutex<()>,
    state: Mutex<State>,
    cond: Condvar,
    writer: TransportWriter,
    config: SessionConfig,
    closed: AtomicBool,
    /// Echo input back (only while we perform ECHO and the line discipline is on).
    echo: AtomicBool,
    bytes_sent: AtomicU64,
    bytes_received: AtomicU64,
    peer: Option<SocketAddr>,
    local: Option<SocketAddr>,
    tls: bool,
    started: Instant,
}

/// One live connection. Cloning shares it; the connection ends at [`Session::close`].
#[derive(Debug, Clone)]
pub(crate) struct Session {
    shared: Arc<Shared>,
    reader: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl Session {
    /// Starts the reader thread over `transport`, sending whatever `neg` has queued first.
    pub(crate) fn start(
        transport: Transport,
        neg: Negotiator,
        config: SessionConfig,
        hook: Option<EventHook>,
    ) -> Result<Session> {
        let peer = transport.peer_addr().ok();
        let local = transport.local_addr().ok();
        let tls = transport.is_tls();
        let (mut reader, writer) = transport.split();
        if let Some(timeout) = config.default_timeout {
            // A write that cannot go out within the default timeout fails instead of hanging.
            writer
                .set_write_timeout(Some(timeout))
                .map_err(Error::from_io)?;
        }
        let now = Instant::now();
        let thread_name = config.thread_name.clone();
        let shared = Arc::new(Shared {
            neg: Mutex::new(neg),
            send: Mutex::new(()),
            state: Mutex::new(State {
                bytes: VecDeque::new(),
                text: String::new(),
                decoder: None,
                in_codec: None,
                switches: VecDeque::new(),
                skip_lf: false,
                eof: false,
                closed: false,
                error: None,
                generation: 0,
                last_input: now,
            }),
            cond: Condvar::new(),
            writer,
            echo: AtomicBool::new(config.line_discipline),
            config,
            closed: AtomicBool::new(false),
            bytes_sent: AtomicU64::new(0),
            bytes_received: AtomicU64::new(0),
            peer,
            local,
            tls,
            started: now,
        });
        shared.init_codec();
        shared.flush_replies()?;
        if let Some(idle) = shared.config.idle_timeout {
            reader
                .set_read_timeout(Some(idle))
                .map_err(Error::from_io)?;
        }
        let for_thread = Arc::clone(&shared);
        let handle = std::thread::Builder::new()
            .name(thread_name)
            .stack_size(READER_STACK)
            .spawn(move || reader_loop(&for_thread, &mut reader, hook))
            .map_err(Error::Io)?;
        Ok(Session {
            shared,
            reader: Arc::new(Mutex::new(Some(handle))),
        })
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }

    /// Ends the connection: shuts the socket (which wakes the reader), joins the reader thread,
    /// and wakes every waiter. Idempotent.
    pub(crate) fn close(&self) {
        if self.shared.closed.swap(true, Ordering::SeqCst) {
            return;
        }
        // Let a write in flight (an echo, a reply) finish first, for a moment at most.
        let in_flight = self.shared.send.try_lock_for(Duration::from_secs(1));
        self.shared.writer.shutdown();
        drop(in_flight);
        {
            let mut state = self.shared.state.lock();
            state.closed = true;
            state.generation += 1;
        }
        self.shared.cond.notify_all();
        let handle = self.reader.lock().take();
        if let Some(handle) = handle {
            if handle.thread().id() != std::thread::current().id() {
                let _ = handle.join();
            }
        }
    }
}

fn reader_loop(shared: &Shared, reader: &mut TransportReader, mut hook: Option<EventHook>) {
    // On the stack: a stack is unmapped when its thread ends, while freed heap may stay with the
    // allocator; 10,000 closed connections must not leave 160 MiB behind.
    let mut buf = [0u8; READ_CHUNK];
    loop {
        // Back-pressure: stop reading while the application has a full buffer to read.
        {
            let mut state = shared.state.lock();
            while state.bytes.len() + state.text.len() >= shared.config.buffer_limit
                && !state.closed
            {
                shared.cond.wait(&mut state);
            }
            if state.closed {
                return;
            }
        }
        let n = match reader.read(&mut buf) {
            Ok(0) => {
                log::debug!("{}: end of stream", shared.name());
                shared.finish(None);
                return;
            }
            Ok(n) => n,
            Err(Error::Timeout) => {
                let idle = shared.state.lock().last_input.elapsed();
                match shared.config.idle_timeout {
                    Some(limit) if idle >= limit => {
                        log::info!("{}: idle for {idle:?}, closing", shared.name());
                        let _ = shared.write_bytes(b"\r\nTimeout.\r\n");
                        shared.finish(None);
                        shared.writer.shutdown();
                        return;
                    }
                    _ => continue,
                }
            }
            Err(err) => {
                if !shared.closed.load(Ordering::SeqCst) {
                    log::debug!("{}: read failed: {err}", shared.name());
                }
                shared.finish(Some(err));
                return;
            }
        };
        shared.bytes_received.fetch_add(n as u64, Ordering::Relaxed);
        if log::log_enabled!(log::Level::Trace) {
            log::trace!("{}: recv {n} bytes\n{}", shared.name(), hexdump(&buf[..n]));
        }
        let mut data = Vec::new();
        // Stretches of `data` that arrived while we performed ECHO (line discipline applies).
        let mut edited: Vec<(usize, usize)> = Vec::new();
        let mut switches: Vec<(usize, Option<Codec>)> = Vec::new();
        let mut logout = false;
        {
            let mut neg = shared.neg.lock();
            let mut binary = neg.enabled(Side::Remote, BINARY);
            let mut charset = neg.info().encoding().map(str::to_owned);
            let mut local_echo = neg.enabled(Side::Local, ECHO);
            let mut events: Vec<Event<'static>> = Vec::new();
            for event in neg.receive(&buf[..n]) {
                match event {
                    Event::Data(bytes) => {
                        if shared.config.line_discipline && local_echo {
                            edited.push((data.len(), data.len() + bytes.len()));
                        }
                        data.extend_from_slice(&bytes);
                    }
                    Event::Logout => logout = true,
                    Event::Command(command) if shared.config.command_keys => {
                        if let Some(key) = command_key(command) {
                            if shared.config.line_discipline && local_echo {
                                edited.push((data.len(), data.len() + 1));
                            }
                            data.push(key);
                        }
                        if hook.is_some() {
                            events.push(Event::Command(command));
                        }
                    }
                    other => {
                        // Data after a BINARY or CHARSET change is in the new encoding.
                        let changed = match &other {
                            Event::OptionChanged {
                                option: BINARY,
                                side: Side::Remote,
                                enabled,
                            } => {
                                binary = *enabled;
                                true
                            }
                            Event::CharsetAgreed(name) => {
                                charset = Some(name.clone());
                                true
                            }
                            Event::Environ(vars) if charset.is_none() => {
                                let lang =
                                    vars.iter().find(|v| v.name.eq_ignore_ascii_case("LANG"));
                                let codeset = lang
                                    .and_then(|v| v.value.as_deref())
                                    .and_then(|v| v.split_once('.'))
                                    .map(|(_, c)| c.split('@').next().unwrap_or(c).to_owned())
                                    .filter(|c| Codec::lookup(c).is_some());
                                let changed = codeset.is_some();
                                charset = codeset.or(charset);
                                changed
                            }
                            Event::OptionChanged {
                                option: ECHO,
                                side: Side::Local,
                                enabled,
                            } => {
                                local_echo = *enabled;
                                false
                            }
                            _ => false,
                        };
                        if changed {
                            let codec = shared.codec_for(
                                binary || shared.config.force_binary,
                                charset.as_deref(),
                            );
                            switches.push((data.len(), codec));
                        }
                        if hook.is_some() {
                            events.push(other.into_owned());
                        }
                    }
                }
            }
            if let Some(hook) = hook.as_mut() {
                for event in &events {
                    hook(event, &mut neg);
                }
            }
        }
        if let Err(err) = shared.flush_replies() {
            log::debug!("{}: sending replies failed: {err}", shared.name());
            shared.finish(Some(err));
            return;
        }
        // While input is edited and echoed, the send lock is held from the edit until the echo
        // is out: a reply the handler writes to this input queues behind its echo.
        let send_guard = (!edited.is_empty()).then(|| shared.send.lock());
        let mut echo = Vec::new();
        {
            let mut state = shared.state.lock();
            let echoing = shared.echo.load(Ordering::Relaxed);
            state.append(&data, &switches, &edited, echoing.then_some(&mut echo));
            state.apply_switches();
            state.last_input = Instant::now();
            state.generation += 1;
        }
        if !echo.is_empty() {
            let out = {
                let mut neg = shared.neg.lock();
                neg.send_data(&echo);
                neg.take_transmit()
            };
            if let Err(err) = shared.write_wire(&out) {
                drop(send_guard);
                shared.finish(Some(err));
                return;
            }
        }
        drop(send_guard);
        shared.cond.notify_all();
        if logout {
            log::info!("{}: peer asked to log out", shared.name());
            shared.finish(None);
            shared.writer.shutdown();
            return;
        }
    }
}

impl Shared {
    fn name(&self) -> String {
        match self.peer {
            Some(peer) => peer.to_string(),
            None => "telnet".to_owned(),
        }
    }

    /// The reader is done: end of stream (`None`) or a failure.
    fn finish(&self, error: Option<Error>) {
        {
            let mut state = self.state.lock();
            state.eof = true;
            if let Some(err) = error {
                if !state.closed {
                    let kind = match &err {
                        Error::Io(io) => io.kind(),
                        _ => std::io::ErrorKind::Other,
                    };
                    state.error = Some((kind, err.to_string()));
                }
            }
            state.generation += 1;
        }
        self.cond.notify_all();
    }

    /// Sets the codec incoming data starts in.
    fn init_codec(&self) {
        let codec = {
            let neg = self.neg.lock();
            let binary = self.config.force_binary || neg.enabled(Side::Remote, BINARY);
            self.codec_for(binary, neg.info().encoding())
        };
        self.state.lock().in_codec = codec;
    }

    /// The codec for one direction: an encoding agreed through CHARSET or LANG, which implies
    /// binary; else the configured encoding once BINARY is agreed (or forced); else US-ASCII.
    fn codec_for(&self, binary: bool, agreed: Option<&str>) -> Option<Codec> {
        let configured = self.config.encoding?;
        if let Some(codec) = agreed.and_then(Codec::lookup) {
            return Some(codec);
        }
        Some(if binary { configured } else { Codec::ascii() })
    }

    /// Sends whatever the negotiator has queued, in order with application writes.
    fn flush_replies(&self) -> Result<()> {
        let _send = self.send.lock();
        let out = self.neg.lock().take_transmit();
        if out.is_empty() {
            return Ok(());
        }
        self.write_wire(&out)
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

    fn check_open(&self) -> Result<()> {
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

    /// Writes bytes as data (IAC doubled).
    pub(crate) fn write_bytes(&self, data: &[u8]) -> Result<()> {
        self.check_open()?;
        let _send = self.send.lock();
        let out = {
            let mut neg = self.neg.lock();
            neg.send_data(data);
            neg.take_transmit()
        };
        self.write_wire(&out)
    }

    /// Writes text in the outgoing encoding (US-ASCII until we send BINARY, unless forced).
    pub(crate) fn write_text(&self, text: &str) -> Result<()> {
        self.check_open()?;
        let codec = {
            let neg = self.neg.lock();
            let binary = self.config.force_binary || neg.enabled(Side::Local, BINARY);
            self.codec_for(binary, neg.info().encoding())
        }
        .ok_or_else(bytes_only)?;
        let mut bytes = Vec::with_capacity(text.len());
        codec.encode(text, self.config.errors, &mut bytes)?;
        self.write_bytes(&bytes)
    }

    /// Runs `f` on the negotiator, then sends what it queued.
    pub(crate) fn with_negotiator<T>(&self, f: impl FnOnce(&mut Negotiator) -> T) -> Result<T> {
        self.check_open()?;
        let _send = self.send.lock();
        let (value, out) = {
            let mut neg = self.neg.lock();
            let value = f(&mut neg);
            (value, neg.take_transmit())
        };
        if !out.is_empty() {
            self.write_wire(&out)?;
        }
        {
            let mut state = self.state.lock();
            state.generation += 1;
        }
        self.cond.notify_all();
        Ok(value)
    }

    /// Reads the negotiator without sending anything.
    pub(crate) fn negotiator<T>(&self, f: impl FnOnce(&Negotiator) -> T) -> T {
        f(&self.neg.lock())
    }

    // ---------------------------------------------------------------------------------------
    // Reading

    /// Waits until `ready` returns a value, the deadline passes, or the stream ends.
    /// `ready` sees the state; returning `None` means "not yet".
    fn wait<T>(
        &self,
        timeout: Option<Duration>,
        mut ready: impl FnMut(&mut State) -> Result<Option<T>>,
    ) -> Result<T> {
        let deadline = self.deadline(timeout);
        let mut state = self.state.lock();
        loop {
            if state.closed {
                return Err(Error::Closed);
            }
            if let Some(value) = ready(&mut state)? {
                drop(state);
                // Room was made in the buffer: the reader may go on.
                self.cond.notify_all();
                return Ok(value);
            }
            if state.eof {
                return Err(match &state.error {
                    Some((kind, msg)) => Error::Io(std::io::Error::new(*kind, msg.clone())),
                    None => Error::Eof,
                });
            }
            match deadline {
                Some(deadline) => {
                    if self.cond.wait_until(&mut state, deadline).timed_out() {
                        if let Some(value) = ready(&mut state)? {
                            return Ok(value);
                        }
                        return Err(Error::Timeout);
                    }
                }
                None => self.cond.wait(&mut state),
            }
        }
    }

    /// Up to `max` bytes (at least one), waiting for the first.
    pub(crate) fn read_bytes(&self, max: usize, timeout: Option<Duration>) -> Result<Vec<u8>> {
        self.check_open()?;
        let max = max.max(1);
        let config = self.config.clone();
        self.wait(timeout, |state| {
            state.text_back_to_bytes(&config)?;
            state.drop_skipped_lf();
            if state.bytes.is_empty() {
                return Ok(None);
            }
            let n = max.min(state.bytes.len());
            Ok(Some(state.take_bytes(n)))
        })
    }

    /// Up to `max` characters (at least one), waiting for the first.
    pub(crate) fn read_text(&self, max: usize, timeout: Option<Duration>) -> Result<String> {
        self.check_open()?;
        self.config.encoding.ok_or_else(bytes_only)?;
        let max = max.max(1);
        self.wait(timeout, |state| {
            state.decode_all(&self.config)?;
            state.drop_skipped_lf_text();
            if state.text.is_empty() {
                return Ok(None);
            }
            let end = state
                .text
                .char_indices()
                .nth(max)
                .map_or(state.text.len(), |(i, _)| i);
            Ok(Some(state.text.drain(..end).collect()))
        })
    }

    /// One line of bytes, terminator included (CR LF, LF, or CR; CR NUL gives CR). At end of
    /// stream the partial line is returned; an empty end of stream is [`Error::Eof`].
    pub(crate) fn readline_bytes(&self, timeout: Option<Duration>) -> Result<Vec<u8>> {
        self.check_open()?;
        let config = self.config.clone();
        self.wait(timeout, |state| {
            state.text_back_to_bytes(&config)?;
            state.drop_skipped_lf();
            let (contiguous, _) = state.bytes.as_slices();
            let found = memchr::memchr2(b'\n', b'\r', contiguous).or_else(|| {
                state.bytes.make_contiguous();
                memchr::memchr2(b'\n', b'\r', state.bytes.as_slices().0)
            });
            match found {
                Some(i) => {
                    let mut line = state.take_bytes(i + 1);
                    if line.last() == Some(&b'\r') {
                        match state.bytes.front() {
                            Some(b'\n') => line.extend(state.take_bytes(1)),
                            Some(0) => state.consume(1),
                            Some(_) => {}
                            None => state.skip_lf = true,
                        }
                    }
                    Ok(Some(line))
                }
                None if state.eof && !state.bytes.is_empty() => {
                    let n = state.bytes.len();
                    Ok(Some(state.take_bytes(n)))
                }
                None => Ok(None),
            }
        })
    }

    /// One line of text, as [`Shared::readline_bytes`].
    pub(crate) fn readline_text(&self, timeout: Option<Duration>) -> Result<String> {
        self.check_open()?;
        self.config.encoding.ok_or_else(bytes_only)?;
        self.wait(timeout, |state| {
            state.decode_all(&self.config)?;
            state.drop_skipped_lf_text();
            match state.text.find(['\n', '\r']) {
                Some(i) => {
                    let mut line: String = state.text.drain(..=i).collect();
                    if line.ends_with('\r') {
                        match state.text.chars().next() {
                            Some('\n') => {
                                state.text.remove(0);
                                line.push('\n');
                            }
                            Some('\0') => {
                                state.text.remove(0);
                            }
                            Some(_) => {}
                            None => state.skip_lf = true,
                        }
                    }
                    Ok(Some(line))
                }
                None if state.eof && !state.text.is_empty() => {
                    Ok(Some(std::mem::take(&mut state.text)))
                }
                None => Ok(None),
            }
        })
    }

    /// Bytes up to and including `pattern`. At end of stream without it: [`Error::Eof`] (the
    /// data stays buffered).
    pub(crate) fn read_until_bytes(
        &self,
        pattern: &[u8],
        timeout: Option<Duration>,
    ) -> Result<Vec<u8>> {
        self.check_open()?;
        if pattern.is_empty() {
            return Ok(Vec::new());
        }
        let finder = memchr::memmem::Finder::new(pattern);
        let config = self.config.clone();
        self.wait(timeout, |state| {
            state.text_back_to_bytes(&config)?;
            state.skip_lf = false;
            let haystack = state.bytes.make_contiguous();
            let found = finder.find(haystack);
            Ok(found.map(|i| state.take_bytes(i + pattern.len())))
        })
    }

    /// Text up to and including `pattern`, as [`Shared::read_until_bytes`].
    pub(crate) fn read_until_text(
        &self,
        pattern: &str,
        timeout: Option<Duration>,
    ) -> Result<String> {
        self.check_open()?;
        self.config.encoding.ok_or_else(bytes_only)?;
        if pattern.is_empty() {
            return Ok(String::new());
        }
        self.wait(timeout, |state| {
            state.decode_all(&self.config)?;
            state.skip_lf = false;
            Ok(state
                .text
                .find(pattern)
                .map(|i| state.text.drain(..i + pattern.len()).collect()))
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
            if check(&self.neg.lock())? {
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
                        return if check(&self.neg.lock())? {
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
                return self.neg.lock().is_settled();
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

    /// Turns the echo of input on or off (it only happens while we perform ECHO).
    pub(crate) fn set_echo(&self, echo: bool) {
        self.echo.store(echo, Ordering::Relaxed);
    }

    /// Whether input is echoed (while we perform ECHO).
    pub(crate) fn echo(&self) -> bool {
        self.echo.load(Ordering::Relaxed)
    }

    /// Bytes sent and received on the wire so far.
    pub(crate) fn byte_counts(&self) -> (u64, u64) {
        (
            self.bytes_sent.load(Ordering::Relaxed),
            self.bytes_received.load(Ordering::Relaxed),
        )
    }

    /// A complete line is waiting to be read.
    pub(crate) fn line_ready(&self) -> bool {
        let state = self.state.lock();
        let (a, b) = state.bytes.as_slices();
        memchr::memchr2(b'\n', b'\r', a).is_some()
            || memchr::memchr2(b'\n', b'\r', b).is_some()
            || state.text.contains(['\n', '\r'])
    }

    /// The instant the last byte arrived.
    pub(crate) fn last_input(&self) -> Instant {
        self.state.lock().last_input
    }

    /// How long since the last byte arrived.
    pub(crate) fn idle(&self) -> Duration {
        self.state.lock().last_input.elapsed()
    }

    /// How long since the connection started.
    pub(crate) fn duration(&self) -> Duration {
        self.started.elapsed()
    }

    /// Whether the peer has ended the stream (or the connection was closed).
    pub(crate) fn at_eof(&self) -> bool {
        let state = self.state.lock();
        state.eof || state.closed
    }

    /// Data received and not yet read, in bytes.
    pub(crate) fn buffered(&self) -> usize {
        let state = self.state.lock();
        state.bytes.len() + state.text.len()
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
        self.state.lock().in_codec
    }
}

fn bytes_only() -> Error {
    Error::config("this connection has no encoding (bytes only): use the byte methods".to_owned())
}

impl State {
    /// Decodes every buffered byte into `text`, each stretch in the codec it arrived in.
    fn decode_all(&mut self, config: &SessionConfig) -> Result<()> {
        while !self.bytes.is_empty() {
            let end = self
                .switches
                .front()
                .map_or(self.bytes.len(), |&(at, _)| at);
            let Some(codec) = self.in_codec.or(config.encoding) else {
                return Ok(());
            };
            if self.decoder.as_ref().map(Decoder::codec) != Some(codec) {
                self.decoder = Some(codec.decoder(config.errors));
            }
            let decoder = self.decoder.as_mut().expect("decoder set above");
            let last = self.eof && end == self.bytes.len();
            let stretch: Vec<u8> = self.bytes.range(..end).copied().collect();
            let result = decoder.decode(&stretch, &mut self.text, last);
            self.consume(end);
            result?;
        }
        Ok(())
    }

    /// Removes `n` bytes from the front of `bytes` (already used) and applies any codec switch
    /// that is reached.
    fn consume(&mut self, n: usize) {
        self.bytes.drain(..n);
        for (at, _) in &mut self.switches {
            *at = at.saturating_sub(n);
        }
        self.apply_switches();
    }

    /// Applies codec switches that are at the front of the buffer.
    fn apply_switches(&mut self) {
        while let Some(&(0, codec)) = self.switches.front() {
            self.switches.pop_front();
            if self.in_codec != codec {
                self.in_codec = codec;
                self.decoder = None;
            }
        }
    }

    /// Takes `n` bytes from the front.
    fn take_bytes(&mut self, n: usize) -> Vec<u8> {
        let taken = self.bytes.range(..n).copied().collect();
        self.consume(n);
        taken
    }

    /// Byte reads after text reads: characters decoded but not read go back to bytes.
    fn text_back_to_bytes(&mut self, config: &SessionConfig) -> Result<()> {
        if self.text.is_empty() {
            return Ok(());
        }
        let codec = self
            .in_codec
            .or(config.encoding)
            .unwrap_or_else(Codec::utf8);
        let mut bytes = Vec::with_capacity(self.text.len());
        codec.encode(&self.text, Errors::Replace, &mut bytes)?;
        self.text.clear();
        for (at, _) in &mut self.switches {
            *at += bytes.len();
        }
        for byte in bytes.into_iter().rev() {
            self.bytes.push_front(byte);
        }
        Ok(())
    }

    /// Appends a chunk of received data: codec switches land where they were in the wire
    /// order, and the stretches typed while we performed ECHO go through [`State::edit`].
    fn append(
        &mut self,
        data: &[u8],
        switches: &[(usize, Option<Codec>)],
        edited: &[(usize, usize)],
        mut echo: Option<&mut Vec<u8>>,
    ) {
        let mut cuts: Vec<usize> = switches.iter().map(|&(at, _)| at).collect();
        for &(start, end) in edited {
            cuts.extend([start, end]);
        }
        cuts.push(data.len());
        cuts.sort_unstable();
        cuts.dedup();
        let mut from = 0;
        let mut next_switch = 0;
        for cut in cuts {
            if cut > from {
                let piece = &data[from..cut];
                if edited
                    .iter()
                    .any(|&(start, end)| start <= from && cut <= end)
                {
                    self.edit(piece, echo.as_deref_mut());
                } else {
                    self.bytes.extend(piece);
                }
                from = cut;
            }
            while let Some(&(at, codec)) = switches.get(next_switch) {
                if at > cut {
                    break;
                }
                self.switches.push_back((self.bytes.len(), codec));
                next_switch += 1;
            }
        }
    }

    /// Appends input typed while we perform ECHO: BS and DEL erase the last character of the
    /// line being typed, and what stays is echoed (line ends as CR LF) when `echo` is given.
    fn edit(&mut self, input: &[u8], mut echo: Option<&mut Vec<u8>>) {
        let mut i = 0;
        while i < input.len() {
            let byte = input[i];
            match byte {
                0x08 | 0x7f => {
                    let line_start = self
                        .bytes
                        .iter()
                        .rposition(|&b| b == b'\r' || b == b'\n')
                        .map_or(0, |p| p + 1);
                    if self.bytes.len() > line_start + self.switches_after(line_start) {
                        // One whole character: UTF-8 continuation bytes go with it.
                        while let Some(last) = self.bytes.pop_back() {
                            if last & 0xc0 != 0x80 || self.bytes.len() <= line_start {
                                break;
                            }
                        }
                        if let Some(out) = echo.as_deref_mut() {
                            out.extend_from_slice(b"\x08 \x08");
                        }
                    }
                }
                b'\r' | b'\n' => {
                    self.bytes.push_back(byte);
                    if let Some(out) = echo.as_deref_mut() {
                        // CR LF and CR NUL are one line end; a lone LF is one too.
                        let pair = byte == b'\r' && matches!(input.get(i + 1), Some(b'\n'));
                        out.extend_from_slice(b"\r\n");
                        if pair {
                            self.bytes.push_back(b'\n');
                            i += 1;
                        }
                    }
                }
                _ => {
                    self.bytes.push_back(byte);
                    if let Some(out) = echo.as_deref_mut() {
                        if byte >= 0x20 || byte == b'\t' {
                            out.push(byte);
                        }
                    }
                }
            }
            i += 1;
        }
    }

    /// Codec switches lie between bytes; erasing never crosses one (the bytes before it are in
    /// another encoding). Returns how many bytes after `line_start` are protected.
    fn switches_after(&self, line_start: usize) -> usize {
        self.switches
            .iter()
            .filter(|(at, _)| *at > line_start)
            .map(|(at, _)| at - line_start)
            .max()
            .unwrap_or(0)
    }

    fn drop_skipped_lf(&mut self) {
        if self.skip_lf {
            if let Some(&first) = self.bytes.front() {
                if first == b'\n' || first == 0 {
                    self.consume(1);
                }
                self.skip_lf = false;
            }
        }
    }

    fn drop_skipped_lf_text(&mut self) {
        if self.skip_lf {
            if let Some(first) = self.text.chars().next() {
                if first == '\n' || first == '\0' {
                    self.text.remove(0);
                }
                self.skip_lf = false;
            }
        }
    }
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
