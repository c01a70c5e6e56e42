//! Which strategy an exploration runs: a kind by name, or a user's own
//! factory; each run gets a fresh one, seeded.

use crate::sched::{Pct, Pos, Random, RoundRobin, Strategy};
use std::fmt;

/// Which strategy an exploration runs (each run gets a fresh one, seeded).
///
/// ```
/// use sim_core::StrategyKind;
/// assert_eq!(StrategyKind::Pct { depth: 3 }.build(100).name(), "pct(3)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrategyKind {
    /// [`RoundRobin`].
    RoundRobin,
    /// [`Random`] (the default).
    Random,
    /// [`Pct`] with this bug depth; its length estimate comes from a
    /// calibration run.
    Pct {
        /// Bug depth (1 = no priority change).
        depth: u32,
    },
    /// [`Pos`].
    Pos,
}

impl StrategyKind {
    /// A fresh strategy; `estimate` is the expected number of choice points.
    pub fn build(self, estimate: u64) -> Box<dyn Strategy> {
        match self {
            StrategyKind::RoundRobin => Box::new(RoundRobin::default()),
            StrategyKind::Random => Box::new(Random::default()),
            StrategyKind::Pct { depth } => Box::new(Pct::with_estimate(depth, estimate)),
            StrategyKind::Pos => Box::new(Pos::default()),
        }
    }
}

/// Makes a fresh strategy for each run (a user's own [`Strategy`] in an
/// exploration): called with the run's expected step count.
pub type StrategyFactory = std::sync::Arc<
    dyn Fn(u64) -> Box<dyn Strategy>
        + Send
        + Sync
        + std::panic::RefUnwindSafe
        + std::panic::UnwindSafe,
>;

#[derive(Clone)]
pub(crate) enum Source {
    Kind(StrategyKind),
    Custom(StrategyFactory),
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Kind(k) => write!(f, "{k:?}"),
            Source::Custom(_) => write!(f, "Custom"),
        }
    }
}

impl Source {
    pub(crate) fn build(&self, estimate: u64) -> Box<dyn Strategy> {
        match self {
            Source::Kind(k) => k.build(estimate),
            Source::Custom(f) => f(estimate),
        }
    }

    pub(crate) fn needs_estimate(&self) -> bool {
        !matches!(
            self,
            Source::Kind(StrategyKind::RoundRobin | StrategyKind::Random | StrategyKind::Pos)
        )
    }
}
