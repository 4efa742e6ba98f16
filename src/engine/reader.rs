//! The reader thread of one connection: reads, [ingests](super::Engine::ingest), and applies
//! back-pressure. Blocking reads; the idle timeout is the socket's read timeout.

use std::sync::Arc;
use std::thread::JoinHandle;

use crate::protocol::nvt::{Received, IDLE_TIMEOUT_MESSAGE};
use crate::transport::TransportReader;
use crate::{Error, Result};

use super::Engine;

/// Bytes asked of the socket per read, once a connection moves bulk data.
const READ_CHUNK: usize = 64 * 1024;
/// Bytes asked of the socket per read until then.
const SMALL_CHUNK: usize = 4 * 1024;
/// Stack size of each reader thread (the small read buffer lives on it).
const READER_STACK: usize = 128 * 1024;

pub(super) fn spawn(engine: Arc<Engine>, mut reader: TransportReader) -> Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name(engine.config.thread_name.clone())
        .stack_size(READER_STACK)
        .spawn(move || run(&engine, &mut reader))
        .map_err(Error::Io)
}

fn run(engine: &Engine, reader: &mut TransportReader) {
    // Small and on the stack while the connection only negotiates and chats (a stack is
    // unmapped when its thread ends, and 10,000 idle connections must not each hold 64 KiB);
    // a large heap buffer once a read fills the small one (a bulk transfer).
    let mut small = [0u8; SMALL_CHUNK];
    let mut large: Vec<u8> = Vec::new();
    let mut received = Received::default();
    // Bytes read but not yet taken: a compressed chunk inflates a step per ingest, and the
    // rest waits (in the buffer it was read into) for room, as new reads do.
    let mut pending = 0..0;
    // The inflater has output pending: ingest again, with no new bytes if there are none.
    let mut more = false;
    let mut grow = false;
    loop {
        let Some(room) = wait_for_room(engine) else {
            return;
        };
        if pending.is_empty() && !more {
            if grow && large.is_empty() {
                large = vec![0; READ_CHUNK];
            }
            let small_read = large.is_empty();
            let buf: &mut [u8] = if small_read { &mut small } else { &mut large };
            let want = room.min(buf.len());
            let n = match reader.read(&mut buf[..want]) {
                Ok(0) => {
                    log::debug!("{}: end of stream", engine.name());
                    engine.finish(None);
                    return;
                }
                Ok(n) => n,
                Err(Error::Timeout) => {
                    let idle = engine.idle();
                    match engine.config.idle_timeout {
                        Some(limit) if idle >= limit => {
                            log::info!("{}: idle for {idle:?}, closing", engine.name());
                            let _ = engine.write_bytes(IDLE_TIMEOUT_MESSAGE);
                            engine.finish(None);
                            engine.shutdown_socket();
                            return;
                        }
                        _ => continue,
                    }
                }
                Err(err) => {
                    if !engine.is_closed() {
                        log::debug!("{}: read failed: {err}", engine.name());
                    }
                    engine.finish(Some(err));
                    return;
                }
            };
            grow = small_read && n == SMALL_CHUNK;
            pending = 0..n;
        }
        let buf: &[u8] = if large.is_empty() { &small } else { &large };
        match engine.ingest(&buf[pending.clone()], &mut received) {
            Ok(done) if done.logout => {
                log::info!("{}: peer asked to log out", engine.name());
                engine.finish(None);
                engine.shutdown_socket();
                return;
            }
            Ok(done) => {
                pending.start += done.consumed;
                more = done.more;
            }
            Err(err) => {
                log::info!("{}: closing: {err}", engine.name());
                engine.finish(Some(err));
                engine.shutdown_socket();
                return;
            }
        }
        // A large Received from a burst is not kept for the life of the connection.
        if received.data.capacity() > 4 * READ_CHUNK {
            received = Received::default();
        }
    }
}

/// Back-pressure: waits while the application has a full buffer to read — `buffer_limit`,
/// or `max_line` while a read waits for a terminator. Returns how much to read (a whole chunk,
/// except that a line being gathered never grows past `max_line`), `None` once closed.
fn wait_for_room(engine: &Engine) -> Option<usize> {
    let config = &engine.config;
    let mut state = engine.state.lock();
    loop {
        if state.closed {
            return None;
        }
        let buffered = state.input.len();
        if state.gathering > 0 && buffered < config.max_line.max(config.buffer_limit) {
            return Some(config.max_line.max(config.buffer_limit) - buffered);
        }
        if buffered < config.buffer_limit {
            return Some(READ_CHUNK);
        }
        engine.cond.wait(&mut state);
    }
}
