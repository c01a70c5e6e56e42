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
    /// The replay file named by [`REPLAY_ENV`] could not be used.
    #[error("{REPLAY_ENV}: {0}")]
    Replay(#[from] ReplayError),
}
