//! What an exploration found: its failure, shrunk, and the summary it prints.

use super::{ReplayFile, REPLAY_ENV};
use crate::report::{Outcome, RunReport};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// The first failure an exploration found, shrunk.
#[derive(Clone, Debug)]
pub struct Failure {
    /// The data seed of the failing run.
    pub seed: u64,
    /// The schedule seed of the failing run (the lowest failing one).
    pub schedule_seed: u64,
    /// How it failed (as first found).
    pub outcome: Outcome,
    /// Choice points of the original failing run.
    pub original_choices: usize,
    /// Steps of the original failing run.
    pub original_steps: u64,
    /// Choice points of the shrunk schedule (trailing default choices trimmed).
    pub shrunk_choices: usize,
    /// Non-default choices (preemptions) left in the shrunk schedule.
    pub shrunk_preemptions: usize,
    /// Planned faults the shrinker removed.
    pub removed_actions: Vec<usize>,
    /// Single faults the shrinker removed: faults a fault injector drew are
    /// removed one by one.
    pub removed_faults: Vec<crate::report::FaultKey>,
    /// Faults the shrinker moved later or whose window it shortened.
    pub retimed_faults: Vec<crate::report::FaultRetime>,
    /// The faults the shrunk run still applies, as its trace records them.
    pub faults: Vec<String>,
    /// Replays spent shrinking.
    pub shrink_runs: usize,
    /// The shrunk run, replayed with its full trace.
    pub report: RunReport,
    /// What the replay file holds.
    pub replay: ReplayFile,
    /// Where the replay file was written.
    pub replay_path: Option<PathBuf>,
    /// Where the JSON Lines trace was written.
    pub trace_path: Option<PathBuf>,
    /// Where the sequence diagram was written.
    pub picture_path: Option<PathBuf>,
}

/// What an exploration did.
#[derive(Clone, Debug)]
pub struct Exploration {
    /// The exploration's name.
    pub name: String,
    /// The strategy's name.
    pub strategy: String,
    /// Seeds run: all of the range, or up to and including the failing one.
    pub runs: u64,
    /// Worker threads used.
    pub threads: usize,
    /// Wall-clock time (reporting only; never used by a simulation).
    pub wall: Duration,
    /// The shard run, `(index, count)` (see [`crate::Explorer::shard`]).
    pub shard: Option<(u64, u64)>,
    /// Whether the report already went to stderr (then
    /// [`Exploration::assert_ok`] panics with a short message, not the whole
    /// report again).
    pub printed: bool,
    /// The first failure, shrunk.
    pub failure: Option<Failure>,
}

impl Exploration {
    /// Schedules explored per wall-clock second.
    pub fn schedules_per_sec(&self) -> f64 {
        let s = self.wall.as_secs_f64();
        if s > 0.0 {
            self.runs as f64 / s
        } else {
            0.0
        }
    }

    /// Panics if a failure was found: with the whole report, or, when the
    /// exploration already printed it, with its first line and the line
    /// that replays it.
    ///
    /// ```
    /// use sim_core::{Explorer, Term};
    /// let r = Explorer::new("fine").iterations(2).quiet(true).run(|b| {
    ///     let mut sim = b.nodes(["a@sim"]).build().unwrap();
    ///     sim.spawn("a@sim", |_| async move { Ok(Term::Int(1)) }).unwrap();
    ///     sim
    /// });
    /// r.assert_ok();
    /// ```
    pub fn assert_ok(&self) {
        let Some(fail) = &self.failure else {
            return;
        };
        if !self.printed {
            panic!("{self}");
        }
        let mut msg = format!(
            "{} (seed {}): {} (the report is printed above)",
            self.headline(),
            fail.seed,
            fail.outcome
        );
        if let Some(p) = &fail.replay_path {
            msg.push_str(&format!("\nreplay: {REPLAY_ENV}={}", p.display()));
        }
        panic!("{msg}");
    }

    fn headline(&self) -> String {
        let shard = match self.shard {
            Some((k, n)) => format!(" in shard {k}/{n}"),
            None => String::new(),
        };
        format!(
            "{}: FAILED after {} schedule(s){shard}",
            self.name, self.runs
        )
    }
}

impl fmt::Display for Exploration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(fail) = &self.failure else {
            let shard = match self.shard {
                Some((k, n)) => format!(" (shard {k}/{n}: the seeds s with s mod {n} = {k})"),
                None => String::new(),
            };
            return writeln!(
                f,
                "{}: {} schedules explored with {} on {} thread(s){shard}, no failure",
                self.name, self.runs, self.strategy, self.threads
            );
        };
        writeln!(f, "{}", self.headline())?;
        writeln!(
            f,
            "seed:      {} (schedule seed {})",
            fail.seed, fail.schedule_seed
        )?;
        writeln!(f, "strategy:  {}", self.strategy)?;
        writeln!(f, "failure:   {}", fail.outcome)?;
        if let Some(d) = &fail.report.divergence {
            writeln!(f, "diverged:  {d}")?;
        }
        writeln!(
            f,
            "schedule:  {} choice points ({} steps) shrunk to {} ({} preemptions, {} steps) in {} replays",
            fail.original_choices,
            fail.original_steps,
            fail.shrunk_choices,
            fail.shrunk_preemptions,
            fail.report.steps,
            fail.shrink_runs
        )?;
        if !fail.faults.is_empty() {
            writeln!(f, "faults of the shrunk run:")?;
            for x in &fail.faults {
                writeln!(f, "  {x}")?;
            }
        }
        if !fail.removed_actions.is_empty() {
            writeln!(
                f,
                "faults removed while shrinking: {:?}",
                fail.removed_actions
            )?;
        }
        if !fail.removed_faults.is_empty() {
            let keys: Vec<String> = fail.removed_faults.iter().map(|k| k.to_string()).collect();
            writeln!(
                f,
                "single faults removed while shrinking: {}",
                keys.join(", ")
            )?;
        }
        if !fail.retimed_faults.is_empty() {
            let moves: Vec<String> = fail.retimed_faults.iter().map(|r| r.to_string()).collect();
            writeln!(f, "faults moved while shrinking: {}", moves.join(", "))?;
        }
        if let Some(p) = &fail.replay_path {
            writeln!(f, "replay:    {}", p.display())?;
            writeln!(
                f,
                "           {}={} (re-run the same test to replay it)",
                REPLAY_ENV,
                p.display()
            )?;
            writeln!(
                f,
                "           Explorer::new({:?}).replay_file({:?}, setup)",
                self.name,
                p.display().to_string()
            )?;
        }
        if let Some(p) = &fail.trace_path {
            writeln!(f, "trace:     {}", p.display())?;
        }
        if let Some(p) = &fail.picture_path {
            writeln!(f, "picture:   {}", p.display())?;
        }
        let tail = fail.report.trace.len().saturating_sub(12);
        if !fail.report.trace.is_empty() {
            writeln!(f, "last events:")?;
            for r in &fail.report.trace[tail..] {
                writeln!(f, "  step {:>5} at {}: {}", r.step, r.time, r.event)?;
            }
        }
        Ok(())
    }
}
