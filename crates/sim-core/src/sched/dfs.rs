//! `Dfs`: exhaustive enumeration of schedules, optionally preemption-bounded.
//!
//! One run follows a prefix of choices and then always takes event 0 (the
//! current process goes on, or the first event), recording at every choice
//! point how many events were enabled and whether taking another one would be
//! a preemption. The next schedule backtracks to the deepest choice point with
//! an untried alternative (stateless depth-first search, as in VeriSoft,
//! Godefroid 1997). With a preemption bound, alternatives that would switch
//! away from a process that could go on are tried only while the prefix has
//! fewer preemptions than the bound (iterative context bounding, Musuvathi
//! and Qadeer, PLDI 2007). The explorer drives the runs; this strategy is one
//! run's worth.

use crate::sched::{Choice, Event, Strategy};
use std::cell::RefCell;
use std::rc::Rc;

/// One choice point of a run: the pick, how many events there were, and
/// whether event 0 was the current process going on.
#[derive(Clone, Copy, Debug)]
struct Point {
    chosen: u32,
    n: u32,
    continuing: bool,
    /// Events (of the first 64) whose pick is no preemption: local signals,
    /// after which the current process goes on.
    free: u64,
}

impl Point {
    fn preempts(&self, pick: u32) -> bool {
        self.continuing && pick != 0 && (pick >= 64 || self.free & (1 << pick) == 0)
    }
}

/// Depth-first enumeration of schedules, branching at most at the first
/// `max_depth` choice points of a run (deeper ones take event 0), and with
/// at most [`Dfs::preemption_bound`] preemptions per schedule.
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
    max_depth: usize,
    bound: Option<u32>,
    prefix: Vec<u32>,
    trail: Rc<RefCell<Vec<Point>>>,
}

impl Dfs {
    /// The first schedule.
    pub fn new(max_depth: usize) -> Dfs {
        Dfs::with_prefix(max_depth, Vec::new())
    }

    /// The schedule that starts with `prefix`.
    pub fn with_prefix(max_depth: usize, prefix: Vec<u32>) -> Dfs {
        Dfs {
            max_depth,
            bound: None,
            prefix,
            trail: Rc::new(RefCell::new(Vec::new())),
        }
    }

    /// At most `k` preemptions per schedule (a switch away from a process
    /// that could have gone on).
    ///
    /// ```
    /// use sim_core::{Choice, Dfs, Event, Pid, Strategy};
    /// let evs = [Event::Run(Pid::new(0, 1, 1)), Event::Run(Pid::new(0, 2, 1))];
    /// let d = Dfs::new(10).preemption_bound(0);
    /// let mut run = d.restart(Vec::new());
    /// let c = Choice { continuing: true, ..Choice::of(&evs) };
    /// assert_eq!(run.choose(&c), 0);
    /// assert!(run.next_prefix().is_none(), "switching would preempt");
    /// ```
    pub fn preemption_bound(mut self, k: u32) -> Dfs {
        self.bound = Some(k);
        self
    }

    /// A fresh run with the same bounds, following `prefix`.
    pub fn restart(&self, prefix: Vec<u32>) -> Dfs {
        Dfs {
            max_depth: self.max_depth,
            bound: self.bound,
            prefix,
            trail: Rc::new(RefCell::new(Vec::new())),
        }
    }

    /// After a run: the prefix of the next schedule to try, or `None` when
    /// every schedule within the bounds has been tried.
    pub fn next_prefix(&self) -> Option<Vec<u32>> {
        let trail = self.trail.borrow();
        let depth = trail.len().min(self.max_depth);
        // Preemptions in the trail before each point.
        let mut before = Vec::with_capacity(depth);
        let mut k = 0u32;
        for p in trail.iter().take(depth) {
            before.push(k);
            if p.preempts(p.chosen) {
                k += 1;
            }
        }
        for i in (0..depth).rev() {
            let p = trail[i];
            let next = p.chosen + 1;
            if next >= p.n {
                continue;
            }
            let preempts = u32::from(p.preempts(next));
            if self.bound.is_some_and(|b| before[i] + preempts > b) {
                continue;
            }
            let mut out: Vec<u32> = trail[..i].iter().map(|p| p.chosen).collect();
            out.push(next);
            return Some(out);
        }
        None
    }
}

impl Strategy for Dfs {
    fn name(&self) -> String {
        match self.bound {
            Some(b) => format!("dfs(preemptions <= {b})"),
            None => "dfs".into(),
        }
    }

    fn start(&mut self, _seed: u64) {
        self.trail.borrow_mut().clear();
    }

    fn pick(&mut self, enabled: &[Event]) -> usize {
        self.choose(&Choice::of(enabled))
    }

    fn choose(&mut self, c: &Choice<'_>) -> usize {
        let mut trail = self.trail.borrow_mut();
        let i = trail.len();
        let n = c.events.len() as u32;
        let chosen = self.prefix.get(i).copied().filter(|&x| x < n).unwrap_or(0);
        let free = c
            .events
            .iter()
            .take(64)
            .enumerate()
            .filter(|(_, e)| matches!(e, Event::Signal { .. }))
            .fold(0u64, |m, (i, _)| m | (1 << i));
        trail.push(Point {
            chosen,
            n,
            continuing: c.continuing,
            free,
        });
        chosen as usize
    }
}
