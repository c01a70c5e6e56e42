//! Which strategy an exploration runs: a [`StrategyKind`] from the scheduler's
//! list, or a user's own factory; each run gets a fresh one, seeded.

use crate::sched::{Strategy, StrategyKind};
use std::fmt;

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
