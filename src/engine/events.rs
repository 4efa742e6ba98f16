//! The bounded ring of negotiation events a connection keeps for the application.

use std::collections::VecDeque;

use crate::error::{LimitError, Partial};
use crate::protocol::Event;
use crate::{Error, Result};

/// Bytes of event payload a ring keeps (besides the newest event, always kept): a peer that
/// repeats large subnegotiations cannot make a connection hold more.
const BYTE_CAPACITY: usize = 256 * 1024;

/// Events by sequence number; the oldest go when it holds `capacity` events or more than
/// [`BYTE_CAPACITY`] bytes of payload.
#[derive(Debug)]
pub(crate) struct EventRing {
    ring: VecDeque<(Event<'static>, usize)>,
    /// Sequence number of `ring[0]`.
    first: u64,
    capacity: usize,
    bytes: usize,
}

/// About how many bytes an event holds.
fn weight(event: &Event<'_>) -> usize {
    const BASE: usize = 32;
    BASE + match event {
        Event::Subnegotiation { payload, .. } => payload.len(),
        Event::Environ(vars) => vars
            .iter()
            .map(|v| BASE + v.name.len() + v.value.as_ref().map_or(0, String::len))
            .sum(),
        Event::TerminalType(s)
        | Event::XDisplayLocation(s)
        | Event::SendLocation(s)
        | Event::CharsetAgreed(s) => s.len(),
        Event::Slc(triplets) => triplets.len() * 3,
        Event::Data(data) => data.len(),
        // The MUD messages hold nested values: their printed size is a fair measure.
        Event::Gmcp { .. }
        | Event::Msdp(_)
        | Event::Mssp(_)
        | Event::Zmp { .. }
        | Event::Atcp { .. }
        | Event::Aardwolf(_) => format!("{event:?}").len(),
        _ => 0,
    }
}

impl EventRing {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            ring: VecDeque::new(),
            first: 0,
            capacity: capacity.max(1),
            bytes: 0,
        }
    }

    pub(crate) fn push(&mut self, event: Event<'static>) {
        let weight = weight(&event);
        while !self.ring.is_empty()
            && (self.ring.len() >= self.capacity || self.bytes + weight > BYTE_CAPACITY)
        {
            if let Some((_, gone)) = self.ring.pop_front() {
                self.bytes -= gone;
            }
            self.first += 1;
        }
        self.bytes += weight;
        self.ring.push_back((event, weight));
    }

    /// Sequence number of the oldest event kept.
    pub(crate) fn first(&self) -> u64 {
        self.first
    }

    /// The event at `cursor`, advancing it; `None` when there is none yet. A cursor that fell
    /// behind the oldest kept event is moved up to it, and that is reported once as
    /// [`Error::Limit`].
    pub(crate) fn get(&self, cursor: &mut u64) -> Result<Option<Event<'static>>> {
        if *cursor < self.first {
            let lost = self.first - *cursor;
            *cursor = self.first;
            log::warn!("{lost} negotiation events were dropped before they were read");
            return Err(Error::Limit(LimitError {
                what: "event_capacity",
                limit: self.capacity,
                partial: Partial::None,
            }));
        }
        let index = (*cursor - self.first) as usize;
        Ok(self.ring.get(index).map(|(event, _)| {
            *cursor += 1;
            event.clone()
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slow_reader_is_told_once_then_goes_on_from_the_oldest() {
        let mut ring = EventRing::new(2);
        let mut cursor = ring.first();
        for command in [1, 2, 3] {
            ring.push(Event::Command(command));
        }
        assert!(matches!(ring.get(&mut cursor), Err(Error::Limit(_))));
        assert_eq!(ring.get(&mut cursor).unwrap(), Some(Event::Command(2)));
        assert_eq!(ring.get(&mut cursor).unwrap(), Some(Event::Command(3)));
        assert_eq!(ring.get(&mut cursor).unwrap(), None);
    }

    #[test]
    fn large_events_are_bounded_by_bytes() {
        let mut ring = EventRing::new(256);
        for _ in 0..100 {
            ring.push(Event::Subnegotiation {
                option: 201,
                payload: vec![0; 100_000],
            });
        }
        assert!(ring.bytes <= BYTE_CAPACITY + 100_032);
        assert!(ring.ring.len() <= 3, "{}", ring.ring.len());
        // One larger than the whole budget is still kept, alone.
        ring.push(Event::Subnegotiation {
            option: 201,
            payload: vec![0; 1 << 20],
        });
        assert_eq!(ring.ring.len(), 1);
    }
}
