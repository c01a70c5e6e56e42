//! `Dfs`: bounded exhaustive enumeration of schedules.
//!
//! One run follows a prefix of choices and then always takes the first enabled
//! event, recording how many events were enabled at every choice point. The
//! next schedule is the deepest choice point with an untried alternative
//! (classic stateless depth-first search, as in VeriSoft). The explorer drives
//! the runs; this strategy is one run's worth.

use crate::sched::{Event, Strategy};

/// Depth-first enumeration of schedules, up to `max_steps` choice points per
/// run (choices deeper than that always take the first event).
///
/// ```
/// use sim_core::{Dfs, Strategy, Event, Pid};
/// let evs = [Event::Run(Pid::new(0, 1, 1)), Event::Run(Pid::new(0, 2, 1))];
/// let mut d = Dfs::new(10);
/// d.start(0);
/// assert_eq!(d.pick(&evs), 0);
/// let next = d.next_prefix().unwrap();
/// assert_eq!(next, vec![1]);
/// let mut d2 = Dfs::with_prefix(10, next);
/// d2.start(0);
/// assert_eq!(d2.pick(&evs), 1);
/// assert!(d2.next_prefix().is_none(), "both schedules tried");
/// ```
#[derive(Debug, Clone)]
pub struct Dfs {
    max_steps: usize,
    prefix: Vec<u32>,
    // (chosen, enabled count) at every choice point of this run.
    trail: Vec<(u32, u32)>,
}

impl Dfs {
    /// The first schedule.
    pub fn new(max_steps: usize) -> Dfs {
        Dfs::with_prefix(max_steps, Vec::new())
    }

    /// The schedule that starts with `prefix`.
    pub fn with_prefix(max_steps: usize, prefix: Vec<u32>) -> Dfs {
        Dfs {
            max_steps,
            prefix,
            trail: Vec::new(),
        }
    }

    /// After a run: the prefix of the next schedule to try, or `None` when
    /// every schedule (within the bound) has been tried.
    pub fn next_prefix(&self) -> Option<Vec<u32>> {
        let bound = self.trail.len().min(self.max_steps);
        for i in (0..bound).rev() {
            let (chosen, n) = self.trail[i];
            if chosen + 1 < n {
                let mut p: Vec<u32> = self.trail[..i].iter().map(|(c, _)| *c).collect();
                p.push(chosen + 1);
                return Some(p);
            }
        }
        None
    }
}

impl Strategy for Dfs {
    fn name(&self) -> String {
        format!("dfs({})", self.max_steps)
    }

    fn start(&mut self, _seed: u64) {
        self.trail.clear();
    }

    fn pick(&mut self, enabled: &[Event]) -> usize {
        let i = self.trail.len();
        let n = enabled.len() as u32;
        let c = self.prefix.get(i).copied().filter(|&c| c < n).unwrap_or(0);
        self.trail.push((c, n));
        c as usize
    }
}
