//! `RoundRobin`: cycles through the enabled events in order.

use crate::sched::{Event, Strategy};

/// Takes the enabled events in turn: each pick is the one after the previous
/// pick's position, wrapping around. Deterministic and seed-independent.
///
/// ```
/// use sim_core::{RoundRobin, Strategy, Event, Pid};
/// let evs = [Event::Run(Pid::new(0, 1, 1)), Event::Run(Pid::new(0, 2, 1))];
/// let mut s = RoundRobin::default();
/// s.start(0);
/// assert_eq!(s.pick(&evs), 0);
/// assert_eq!(s.pick(&evs), 1);
/// assert_eq!(s.pick(&evs), 0);
/// ```
#[derive(Debug, Default)]
pub struct RoundRobin {
    next: usize,
}

impl Strategy for RoundRobin {
    fn name(&self) -> String {
        "round_robin".into()
    }

    fn start(&mut self, _seed: u64) {
        self.next = 0;
    }

    fn pick(&mut self, enabled: &[Event]) -> usize {
        let i = self.next % enabled.len().max(1);
        self.next = i + 1;
        i
    }
}
