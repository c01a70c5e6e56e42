//! `Dfs`: bounded exhaustive enumeration of schedules.
//!
//! One run follows a prefix of choices and then always takes the first enabled
//! event, recording how many events were enabled at every choice point. The
//! next schedule backtracks to the deepest choice point with an untried
//! alternative (stateless depth-first search, as in VeriSoft, Godefroid 1997).
//! The explorer drives the runs; this strategy is one run's worth.

use crate::sched::{Event, Strategy};
use std::cell::RefCell;
use std::rc::Rc;

/// Depth-first enumeration of schedules, branching at most at the first
/// `max_steps` choice points of a run (deeper ones take the first event).
///
/// Clones share the record of the run, so the driver keeps a clone and asks it
/// for the next prefix after the run.
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
    // (chosen, enabled count) at every choice point of the current run.
    trail: Rc<RefCell<Vec<(u32, u32)>>>,
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
            trail: Rc::new(RefCell::new(Vec::new())),
        }
    }

    /// After a run: the prefix of the next schedule to try, or `None` when
    /// every schedule within the bound has been tried.
    pub fn next_prefix(&self) -> Option<Vec<u32>> {
        let trail = self.trail.borrow();
        let bound = trail.len().min(self.max_steps);
        for i in (0..bound).rev() {
            let (chosen, n) = trail[i];
            if chosen + 1 < n {
                let mut p: Vec<u32> = trail[..i].iter().map(|(c, _)| *c).collect();
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
        self.trail.borrow_mut().clear();
    }

    fn pick(&mut self, enabled: &[Event]) -> usize {
        let mut trail = self.trail.borrow_mut();
        let i = trail.len();
        let n = enabled.len() as u32;
        let c = self.prefix.get(i).copied().filter(|&c| c < n).unwrap_or(0);
        trail.push((c, n));
        c as usize
    }
}
