//! `Pos`: partial order sampling.
//!
//! Yuan, Yang, Gu: "Partial Order Aware Concurrency Sampling", CAV 2018. Each
//! enabled event carries a random priority and the highest one runs; after an
//! event runs, the events that race with it (same receiving node) draw fresh
//! priorities. This samples partial orders far more evenly than uniform random
//! choice, which favours interleavings of long independent runs.

use crate::rng::SimRng;
use crate::sched::{Event, Strategy};
use indexmap::IndexMap;

/// Partial order sampling.
///
/// ```
/// use sim_core::{Pos, Strategy, Event, Pid};
/// let evs = [Event::Run(Pid::new(0, 1, 1)), Event::Run(Pid::new(1, 1, 1))];
/// let mut a = Pos::default();
/// let mut b = Pos::default();
/// a.start(1);
/// b.start(1);
/// assert_eq!(a.pick(&evs), b.pick(&evs));
/// ```
#[derive(Debug)]
pub struct Pos {
    rng: SimRng,
    priorities: IndexMap<Event, u64>,
}

impl Default for Pos {
    fn default() -> Pos {
        Pos {
            rng: SimRng::new(0, 4),
            priorities: IndexMap::new(),
        }
    }
}

fn node_of(ev: &Event) -> u32 {
    match ev {
        Event::Run(p) => p.node().0,
        Event::Deliver { to, .. } => to.0,
        Event::Signal { to, .. } => to.node().0,
        // A timer races with everything: it moves time.
        Event::Fire { .. } | Event::Fault { .. } => u32::MAX,
    }
}

impl Strategy for Pos {
    fn name(&self) -> String {
        "pos".into()
    }

    fn start(&mut self, seed: u64) {
        self.rng = SimRng::new(seed, 4);
        self.priorities.clear();
    }

    fn pick(&mut self, enabled: &[Event]) -> usize {
        let mut best = 0;
        let mut best_prio = 0;
        for (i, ev) in enabled.iter().enumerate() {
            let p = match self.priorities.get(ev) {
                Some(p) => *p,
                None => {
                    let p = 1 + self.rng.below(u64::MAX - 1);
                    self.priorities.insert(*ev, p);
                    p
                }
            };
            if p > best_prio {
                best_prio = p;
                best = i;
            }
        }
        let chosen = enabled[best];
        let node = node_of(&chosen);
        // The chosen event and the events racing with it get fresh priorities.
        for ev in enabled {
            if *ev == chosen || node_of(ev) == node || node == u32::MAX {
                let p = 1 + self.rng.below(u64::MAX - 1);
                self.priorities.insert(*ev, p);
            }
        }
        best
    }
}
