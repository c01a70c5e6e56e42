//! Replay files: a failing schedule, versioned and human-readable (JSON).

use super::MayFaults;
use crate::sched::Schedule;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The replay-file format this version writes. It reads format 1 too (one
/// seed for data and schedule alike).
pub const REPLAY_FORMAT: u32 = 2;

/// The environment variable that makes [`crate::Explorer::run`] replay a file
/// instead of exploring.
pub const REPLAY_ENV: &str = "ERPC_SIM_REPLAY";

/// Why a replay file could not be used.
///
/// ```
/// use sim_core::{ReplayFile, ReplayError};
/// let err = ReplayFile::read("/no/such/file.json").unwrap_err();
/// assert!(matches!(err, ReplayError::Io { .. }));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// Reading or writing failed.
    #[error("replay file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// The file is not a replay file.
    #[error("replay file {path} is not valid: {source}")]
    Json {
        /// The file.
        path: String,
        /// The error.
        source: serde_json::Error,
    },
    /// The file was written by an incompatible version.
    #[error("replay file {path} has format {found}, this version reads format {REPLAY_FORMAT}")]
    Version {
        /// The file.
        path: String,
        /// Its format number.
        found: u32,
    },
}

/// A failing run, written so that it can be replayed exactly.
///
/// ```
/// use sim_core::{ReplayFile, Schedule};
/// let f = ReplayFile {
///     format: sim_core::REPLAY_FORMAT,
///     name: "kv".into(),
///     seed: 7,
///     schedule_seed: 11,
///     strategy: "pct(3)".into(),
///     choices: vec![0, 2, 1].into(),
///     suppressed_actions: vec![],
///     suppressed_faults: vec![],
///     retimed_faults: vec![],
///     failure: "check_failed".into(),
///     message: "quorum".into(),
///     digest: "00ff".into(),
///     steps: 120,
///     run_window_us: None,
///     may_fault: Default::default(),
/// };
/// let dir = std::env::temp_dir().join("erpc-sim-doc-replay");
/// let path = dir.join("kv.json");
/// f.write(&path).unwrap();
/// assert_eq!(ReplayFile::read(&path).unwrap(), f);
/// assert_eq!(f.schedule().choices.to_vec(), vec![0, 2, 1]);
/// assert_eq!((f.schedule().seed, f.schedule().schedule_seed), (7, 11));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayFile {
    /// Format version ([`REPLAY_FORMAT`]).
    pub format: u32,
    /// The exploration's name.
    pub name: String,
    /// The data seed (user and fault draws follow from it).
    pub seed: u64,
    /// The schedule seed the strategy started from (absent in format 1,
    /// where it is the data seed).
    #[serde(default)]
    pub schedule_seed: u64,
    /// The strategy that found the failure.
    pub strategy: String,
    /// The choice at every choice point.
    pub choices: crate::sched::Choices,
    /// Planned actions (faults) switched off by shrinking.
    pub suppressed_actions: Vec<usize>,
    /// Single faults (see `Control::admit_fault`) switched off by shrinking
    /// (absent in older files: none).
    #[serde(default)]
    pub suppressed_faults: Vec<crate::report::FaultKey>,
    /// Faults moved later, or whose window ends earlier, by shrinking
    /// (absent: none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retimed_faults: Vec<crate::report::FaultRetime>,
    /// The kind of failure ([`crate::Outcome::kind`]).
    pub failure: String,
    /// The failure's message.
    pub message: String,
    /// The trace digest of the run, in hex.
    pub digest: String,
    /// Scheduler steps of the run.
    pub steps: u64,
    /// The run window the runs had, in microseconds, when not zero
    /// (`Explorer::run_window`; an exhaustive exploration lets every process
    /// wait while time passes). A file without it replays without a window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_window_us: Option<u64>,
    /// The faults the exhaustive exploration could take at any step, with
    /// at most how many it takes (empty: none); a replay takes them from
    /// the explorer, which must have the same set.
    #[serde(default, skip_serializing_if = "MayFaults::is_empty")]
    pub may_fault: MayFaults,
}

impl ReplayFile {
    /// The recorded schedule.
    pub fn schedule(&self) -> Schedule {
        Schedule {
            seed: self.seed,
            schedule_seed: self.schedule_seed,
            choices: self.choices.clone(),
        }
    }

    /// Writes the file (creating its directory).
    pub fn write(&self, path: impl AsRef<Path>) -> Result<(), ReplayError> {
        let path = path.as_ref();
        let p = path.display().to_string();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| ReplayError::Io {
                path: p.clone(),
                source,
            })?;
        }
        let text = serde_json::to_string_pretty(self).map_err(|source| ReplayError::Json {
            path: p.clone(),
            source,
        })?;
        std::fs::write(path, text + "\n").map_err(|source| ReplayError::Io { path: p, source })
    }

    /// Reads and checks a file.
    pub fn read(path: impl AsRef<Path>) -> Result<ReplayFile, ReplayError> {
        let path = path.as_ref();
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ReplayError::Io {
            path: p.clone(),
            source,
        })?;
        let mut f: ReplayFile =
            serde_json::from_str(&text).map_err(|source| ReplayError::Json {
                path: p.clone(),
                source,
            })?;
        if f.format == 1 {
            f.schedule_seed = f.seed;
            f.format = REPLAY_FORMAT;
        }
        if f.format != REPLAY_FORMAT {
            return Err(ReplayError::Version {
                path: p,
                found: f.format,
            });
        }
        Ok(f)
    }
}
