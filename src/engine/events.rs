//! The bounded ring of negotiation events a connection keeps for the application.

use std::collections::VecDeque;

use crate::error::{LimitError, Partial};
use crate::protocol::Event;
use crate::{Error, Result};

/// Events by sequence number; the oldest go when it is full.
#[derive(Debug)]
pub(crate) struct EventRing {
    ring: VecDeque<Event<'static>>,
    /// Sequence number of `ring[0]`.
    first: u64,
    capacity: usize,
}

impl EventRing {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            ring: VecDeque::new(),
            first: 0,
            capacity: capacity.max(1),
        }
    }

    pub(crate) fn push(&mut self, event: Event<'static>) {
        if self.ring.len() == self.capacity {
            self.ring.pop_front();
            self.first += 1;
        }
        self.ring.push_back(event);
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
        Ok(self.ring.get(index).map(|event| {
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
}
