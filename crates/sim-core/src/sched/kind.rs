//! The seeded strategies by name, as an exploration asks for them.

#[cfg(doc)]
use super::{Dfs, Replay};
use super::{Pct, Pos, Random, RoundRobin, Strategy};

/// The seeded strategies by name: the one list an exploration picks from (each
/// run gets a fresh one, seeded). [`Dfs`] and [`Replay`] are not in it: they
/// are not drawn per seed but driven by the explorer (`Explorer::dfs`,
/// `Explorer::explore_dfs`, `Explorer::replay`), and a user's own strategy
/// goes through `Explorer::strategy_with`.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_builds_the_strategy_it_names() {
        let kinds = [
            (StrategyKind::RoundRobin, "round_robin"),
            (StrategyKind::Random, "random"),
            (StrategyKind::Pct { depth: 3 }, "pct(3)"),
            (StrategyKind::Pos, "pos"),
        ];
        for (kind, name) in kinds {
            assert_eq!(kind.build(100).name(), name);
        }
    }
}
