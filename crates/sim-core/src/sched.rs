//! Scheduling: the closed [`Event`] enum, the [`Strategy`] trait and the
//! recorded [`Schedule`].
//!
//! At each step the world lists the enabled events (runnable processes and
//! connection heads whose delivery time has come) and the strategy picks one.
//! Every pick among two or more events is recorded, so a run can be replayed.

mod dfs;
mod pct;
mod pos;
mod random;
mod replay;
mod round_robin;

pub use dfs::Dfs;
pub use pct::Pct;
pub use pos::Pos;
pub use random::Random;
pub use replay::Replay;
pub use round_robin::RoundRobin;

use crate::id::{NodeId, Pid};
use serde::{Deserialize, Serialize};
use std::fmt::Debug;

/// Something the scheduler can do next.
///
/// ```
/// use sim_core::{Event, Pid, NodeId};
/// let e = Event::Run(Pid::new(0, 1, 1));
/// assert!(matches!(e, Event::Run(_)));
/// let d = Event::Deliver { from: NodeId(0), to: NodeId(1) };
/// assert!(matches!(d, Event::Deliver { .. }));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub enum Event {
    /// Poll a runnable process until its next sync point.
    Run(Pid),
    /// Deliver the head signal of the connection direction `from -> to`.
    Deliver {
        /// Sending node.
        from: NodeId,
        /// Receiving node.
        to: NodeId,
    },
}

/// Picks the next event. One algorithm per implementation; all randomness must
/// come from a generator seeded in [`Strategy::start`].
///
/// ```
/// use sim_core::{Strategy, Event, Pid};
///
/// /// Always the most recently enabled event.
/// #[derive(Debug)]
/// struct Last;
/// impl Strategy for Last {
///     fn name(&self) -> String { "last".into() }
///     fn start(&mut self, _seed: u64) {}
///     fn pick(&mut self, enabled: &[Event]) -> usize { enabled.len() - 1 }
/// }
/// let mut s = Last;
/// s.start(0);
/// assert_eq!(s.pick(&[Event::Run(Pid::new(0, 1, 1)), Event::Run(Pid::new(0, 2, 1))]), 1);
/// ```
pub trait Strategy: Debug {
    /// A short name for reports (`random`, `pct(3)`).
    fn name(&self) -> String;

    /// Called once before the first step with the run's seed.
    fn start(&mut self, seed: u64);

    /// Index into `enabled` (never empty) of the event to run. Out-of-range
    /// answers are taken modulo the length.
    fn pick(&mut self, enabled: &[Event]) -> usize;

    /// `Some(reason)` once a strategy that replays a schedule has diverged from it.
    fn diverged(&self) -> Option<String> {
        None
    }

    /// For replaying strategies: whether every recorded choice was used (a run
    /// that ends early has diverged too). Others answer `true`.
    fn replayed_all(&self) -> bool {
        true
    }
}

/// The recorded choices of a run: one index per step at which two or more
/// events were enabled, in order.
///
/// ```
/// use sim_core::Schedule;
/// let s = Schedule { seed: 1, choices: vec![0, 2, 1] };
/// assert_eq!(s.len(), 3);
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct Schedule {
    /// The seed of the run (data randomness, such as latencies, follows from it).
    pub seed: u64,
    /// The picks at every choice point.
    pub choices: Vec<u32>,
}

impl Schedule {
    /// Number of recorded choices.
    ///
    /// ```
    /// use sim_core::Schedule;
    /// assert!(Schedule::default().is_empty());
    /// ```
    pub fn len(&self) -> usize {
        self.choices.len()
    }

    /// `true` when no choice was recorded.
    ///
    /// ```
    /// use sim_core::Schedule;
    /// assert_eq!(Schedule::default().len(), 0);
    /// ```
    pub fn is_empty(&self) -> bool {
        self.choices.is_empty()
    }
}
