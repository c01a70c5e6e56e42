//! `ExploreError`: an exploration that cannot start (bad settings, an
//! unreadable replay file).

use super::replay_file::{ReplayError, REPLAY_ENV};

/// Why an exploration could not run.
///
/// ```
/// use sim_core::{Explorer, ExploreError, Term};
/// let err = Explorer::new("backwards").seeds(5..3).try_run(|b| {
///     let mut sim = b.nodes(["a@sim"]).build().unwrap();
///     sim.spawn("a@sim", |_| async move { Ok(Term::Int(1)) }).unwrap();
///     sim
/// }).unwrap_err();
/// assert!(matches!(err, ExploreError::EmptySeedRange { start: 5, end: 3 }));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExploreError {
    /// The seed range holds no seed (`start >= end`, e.g. `5..3` or `4..4`).
    #[error("the seed range {start}..{end} is empty: an exploration needs start < end")]
    EmptySeedRange {
        /// The range's start.
        start: u64,
        /// The range's (exclusive) end.
        end: u64,
    },
    /// A shard that does not exist: [`crate::Explorer::shard`] needs
    /// `count >= 1` and `index < count`.
    #[error("shard {index}/{count} does not exist: shards are numbered 0 to count - 1, and count is at least 1")]
    BadShard {
        /// The shard asked for.
        index: u64,
        /// The number of shards.
        count: u64,
    },
    /// An environment variable that steers explorations ([`crate::SEED_ENV`],
    /// [`crate::ITERATIONS_ENV`], [`crate::SHARD_ENV`]) holds a value it cannot
    /// mean.
    #[error("{var}={value:?} is not valid: expected {expected}")]
    BadEnv {
        /// The variable.
        var: &'static str,
        /// Its value.
        value: String,
        /// What it should hold.
        expected: &'static str,
    },
    /// The replay file named by [`REPLAY_ENV`] could not be used.
    #[error("{REPLAY_ENV}: {0}")]
    Replay(#[from] ReplayError),
}
