//! `Pct`: probabilistic concurrency testing.
//!
//! Burckhardt, Kothari, Musuvathi, Nagarakatte: "A Randomized Scheduler with
//! Probabilistic Guarantees of Finding Bugs", ASPLOS 2010. Every schedulable
//! entity (a process, a connection direction, a timer) gets a random priority
//! when first seen; the highest-priority enabled entity takes the step. At
//! `depth - 1` change points, steps drawn uniformly from `1..=k` for an
//! estimate `k` of the run's steps, the entity taking that step drops to a
//! priority below every initial one (the i-th change point to `depth - i`).
//! A bug of depth `d` among `n` entities is found with probability at least
//! `1 / (n * k^(d-1))` per run. Steps with a single enabled event count too
//! (the strategy sees every step), so a change point demotes whatever takes
//! that step, as in the paper.

use crate::rng::SimRng;
use crate::sched::{Choice, Event, Strategy};
use indexmap::IndexMap;

/// PCT with bug depth `depth` over runs of about `estimate` steps.
///
/// ```
/// use sim_core::{Pct, Strategy, Event, Pid};
/// let evs = [Event::Run(Pid::new(0, 1, 1)), Event::Run(Pid::new(0, 2, 1))];
/// let mut a = Pct::new(3);
/// a.start(5);
/// let first = a.pick(&evs);
/// // Without a change point, the same entity keeps winning.
/// assert_eq!(a.pick(&evs), first);
/// ```
#[derive(Debug)]
pub struct Pct {
    depth: u32,
    estimate: u64,
    rng: SimRng,
    // Invariant: initial priorities are >= depth; lowered ones are < depth, so a
    // lowered entity never outranks one that was not lowered.
    priorities: IndexMap<Event, u64>,
    change_points: Vec<u64>,
    /// Change points applied so far.
    applied: usize,
    /// Choices made so far.
    calls: u64,
}

impl Pct {
    /// PCT of the given depth (at least 1) with a default length estimate of
    /// 1,000 steps.
    pub fn new(depth: u32) -> Pct {
        Pct::with_estimate(depth, 1_000)
    }

    /// PCT with an explicit estimate of steps per run.
    ///
    /// ```
    /// use sim_core::{Pct, Strategy};
    /// assert_eq!(Pct::with_estimate(2, 50).name(), "pct(2)");
    /// ```
    pub fn with_estimate(depth: u32, estimate: u64) -> Pct {
        Pct {
            depth: depth.max(1),
            estimate: estimate.max(1),
            rng: SimRng::new(0, 3),
            priorities: IndexMap::new(),
            change_points: Vec::new(),
            applied: 0,
            calls: 0,
        }
    }
}

impl Strategy for Pct {
    fn name(&self) -> String {
        format!("pct({})", self.depth)
    }

    fn start(&mut self, seed: u64) {
        self.rng = SimRng::new(seed, 3);
        self.priorities.clear();
        self.applied = 0;
        self.calls = 0;
        self.change_points = (1..self.depth)
            .map(|_| 1 + self.rng.below(self.estimate))
            .collect();
        self.change_points.sort_unstable();
    }

    fn sees_every_step(&self) -> bool {
        true
    }

    fn pick(&mut self, enabled: &[Event]) -> usize {
        // Without the world's step count, every pick counts as one step.
        let step = self.calls;
        self.choose(&Choice {
            step,
            ..Choice::of(enabled)
        })
    }

    fn choose(&mut self, c: &Choice<'_>) -> usize {
        let enabled = c.events;
        self.calls += 1;
        let depth = u64::from(self.depth);
        let mut best = 0;
        let mut best_prio = 0;
        for (i, ev) in enabled.iter().enumerate() {
            let prio = match self.priorities.get(ev) {
                Some(p) => *p,
                None => {
                    let p = depth + 1 + self.rng.below(u64::MAX / 2);
                    self.priorities.insert(*ev, p);
                    p
                }
            };
            if prio > best_prio {
                best_prio = prio;
                best = i;
            }
        }
        // The step about to be taken is number `c.step + 1`.
        while self
            .change_points
            .get(self.applied)
            .is_some_and(|&k| k <= c.step + 1)
        {
            // The j-th change point: demote the chosen entity below all others.
            let j = self.applied as u64;
            self.priorities
                .insert(enabled[best], depth.saturating_sub(1 + j));
            self.applied += 1;
        }
        best
    }
}
