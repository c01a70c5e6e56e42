//! `Random`: a uniformly random enabled event at every step.
//!
//! The distribution sampled: at each choice point, every enabled event (each
//! runnable process, each connection head whose window has opened by the
//! horizon, the due timer) with equal probability, independently of earlier
//! points. Time is sampled through those picks: a delivery taken early in
//! its window is as likely as one taken late, as long as something else is
//! still enabled beside it.

use crate::rng::SimRng;
use crate::sched::{Event, Strategy};

/// Picks uniformly among the enabled events, from a PCG seeded by the run.
///
/// ```
/// use sim_core::{Random, Strategy, Event, Pid};
/// let evs = [Event::Run(Pid::new(0, 1, 1)), Event::Run(Pid::new(0, 2, 1))];
/// let mut a = Random::default();
/// let mut b = Random::default();
/// a.start(9);
/// b.start(9);
/// assert_eq!(a.pick(&evs), b.pick(&evs));
/// ```
#[derive(Debug, Default)]
pub struct Random {
    // `None` until `start` seeds it; picking before that uses seed 0.
    rng: Option<SimRng>,
}

impl Strategy for Random {
    fn name(&self) -> String {
        "random".into()
    }

    fn start(&mut self, seed: u64) {
        self.rng = Some(SimRng::new(seed, 1));
    }

    fn pick(&mut self, enabled: &[Event]) -> usize {
        let rng = self.rng.get_or_insert_with(|| SimRng::new(0, 1));
        rng.below(enabled.len() as u64) as usize
    }

    // The same draw as `pick`, without a second virtual call per choice.
    fn choose(&mut self, choice: &crate::sched::Choice<'_>) -> usize {
        self.pick(choice.events)
    }
}
