//! The application's view of a connection's negotiation events.

use std::sync::Arc;
use std::time::Duration;

use crate::engine::Engine;
use crate::protocol::Event;
#[allow(unused_imports)] // Named in the docs.
use crate::Error;
use crate::Result;

/// A stream of a connection's negotiation events, from
/// [`Connection::events`](super::Connection::events). Every event but data: option changes,
/// terminal type, window size, environment, charset, commands (AYT, BRK, …), MUD messages
/// (GMCP, MSDP, MSSP, ZMP, ATCP, Aardwolf), subnegotiations of options the core does not
/// decode, warnings.
///
/// The connection keeps the most recent events in a bounded ring; a stream that falls behind
/// is told once with [`Error::Limit`] and goes on from the oldest still kept.
#[derive(Debug)]
pub struct Events {
    engine: Arc<Engine>,
    cursor: u64,
}

impl Events {
    pub(crate) fn new(engine: Arc<Engine>) -> Self {
        let cursor = engine.first_event();
        Self { engine, cursor }
    }

    /// Waits for the next event, at most `timeout` (`None`: until one comes or the
    /// connection ends).
    ///
    /// # Errors
    /// [`Error::Timeout`] when none came in time; [`Error::Eof`] / [`Error::Closed`] once the
    /// connection ended and every event was read; [`Error::Limit`] once when events were
    /// dropped before this stream read them.
    pub fn recv(&mut self, timeout: Option<Duration>) -> Result<Event<'static>> {
        self.engine.next_event(&mut self.cursor, timeout)
    }

    /// The next event if one is waiting.
    pub fn try_recv(&mut self) -> Option<Event<'static>> {
        self.engine
            .next_event(&mut self.cursor, Some(Duration::ZERO))
            .ok()
    }
}
