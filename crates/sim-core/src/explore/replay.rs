//! Replaying a replay file: strictly, with a full trace, and as the whole
//! exploration when [`super::REPLAY_ENV`] names a file of this exploration's name.

use super::{paths, Exploration, Explorer, Failure, Removed, ReplayError, ReplayFile};
use crate::report::RunReport;
use crate::sched::Replay;
use crate::sim::{Sim, SimBuilder};
use crate::trace::TraceMode;
use std::path::Path;
use std::time::Duration;

impl Explorer {
    /// Replays a replay file strictly, with a full trace. The report's
    /// `divergence` says where the program no longer fits the schedule.
    pub fn replay<F>(&self, file: &ReplayFile, setup: F) -> RunReport
    where
        F: Fn(SimBuilder) -> Sim + Sync,
    {
        let mut ex = self.clone();
        // The exploration's run window and fault set, as it ran.
        // A file without a window recorded runs without one.
        ex.run_window = Some(crate::time::Time::us(file.run_window_us.unwrap_or(0)));
        if !file.may_fault.is_empty() {
            ex.faults.active = true;
        }
        let mut r = ex.run_seeds(
            &setup,
            (file.seed, file.schedule_seed),
            Box::new(Replay::new(file.schedule())),
            TraceMode::Full,
            &Removed {
                actions: file.suppressed_actions.clone(),
                faults: file.suppressed_faults.clone(),
                retimed: file.retimed_faults.clone(),
            },
        );
        let digest = format!("{:016x}", r.digest);
        let faults = self.may_faults();
        if r.divergence.is_none() && !file.may_fault.is_empty() && faults != file.may_fault {
            r.divergence = Some(format!(
                "the replay file's exploration could take {}, this explorer {}",
                file.may_fault, faults
            ));
        }
        if r.divergence.is_none() && digest != file.digest {
            r.divergence = Some(format!(
                "the trace digest is {digest}, the replay file recorded {}: the program changed",
                file.digest
            ));
        }
        r
    }

    /// Reads a replay file and replays it (see [`Explorer::replay`]).
    pub fn replay_file<F>(&self, path: impl AsRef<Path>, setup: F) -> Result<RunReport, ReplayError>
    where
        F: Fn(SimBuilder) -> Sim + Sync,
    {
        let file = ReplayFile::read(path)?;
        Ok(self.replay(&file, setup))
    }

    /// The exploration of a [`REPLAY_ENV`] file that names this exploration:
    /// one strict replay, printed once.
    pub(super) fn replay_into_exploration<F>(
        &self,
        path: &Path,
        file: ReplayFile,
        setup: &F,
    ) -> Exploration
    where
        F: Fn(SimBuilder) -> Sim + Sync,
    {
        let report = self.replay(&file, setup);
        // A replay that no longer follows its file is a failure even when the
        // run completed: it did not reproduce what the file recorded.
        let failed = !report.outcome.is_ok() || report.divergence.is_some();
        let failure = failed.then(|| Failure {
            seed: file.seed,
            schedule_seed: file.schedule_seed,
            outcome: report.outcome.clone(),
            original_choices: file.choices.len(),
            original_steps: file.steps,
            shrunk_choices: file.choices.len(),
            shrunk_preemptions: report.preemptions as usize,
            removed_actions: file.suppressed_actions.clone(),
            removed_faults: file.suppressed_faults.clone(),
            retimed_faults: file.retimed_faults.clone(),
            faults: Vec::new(),
            shrink_runs: 0,
            report,
            replay: file.clone(),
            replay_path: Some(paths::absolute(path)),
            trace_path: None,
            picture_path: None,
        });
        let mut out = Exploration {
            name: self.name.clone(),
            strategy: "replay".into(),
            runs: 1,
            threads: 1,
            wall: Duration::ZERO,
            shard: None,
            printed: false,
            failure,
        };
        if !self.quiet {
            eprintln!("replayed {}:\n{out}", path.display());
            out.printed = true;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::env::Env;
    use super::*;
    use crate::term::Term;

    fn one(b: SimBuilder, extra: bool) -> Sim {
        let mut sim = b.nodes(["a@sim"]).build().expect("one node");
        sim.spawn("a@sim", move |cx| async move {
            let me = cx.self_pid();
            for i in 0..2 {
                cx.spawn(move |c| async move {
                    c.send(me, Term::Int(i)).await?;
                    Ok(Term::Int(i))
                })
                .await?;
            }
            let first = cx.recv().await;
            cx.recv().await;
            cx.check(first == Term::Int(0), "the first child wins")?;
            Ok(first)
        })
        .expect("a@sim");
        if extra {
            sim.spawn("a@sim", |_cx| async move { Ok(Term::atom("extra")) })
                .expect("a@sim");
        }
        sim
    }

    fn failing_file(ex: &Explorer, tag: &str) -> std::path::PathBuf {
        let f = ex
            .run(|b| one(b, false))
            .failure
            .expect("some schedule lets child 1 win");
        let path = std::env::temp_dir().join(format!("erpc-sim-{tag}-{}.json", std::process::id()));
        f.replay.write(&path).expect("write the replay file");
        path
    }

    fn env_replaying(path: &Path) -> Env {
        Env {
            replay: Some(path.display().to_string()),
            ..Env::default()
        }
    }

    #[test]
    fn a_replay_file_that_diverges_is_a_failed_exploration() {
        let ex = Explorer::new("diverge")
            .seeds(0..200)
            .threads(1)
            .write_files(false)
            .quiet(true);
        let path = failing_file(&ex, "diverge");
        let env = env_replaying(&path);
        let same = ex.try_run_env(&env, &|b| one(b, false)).expect("readable");
        assert_eq!((same.strategy.as_str(), same.runs), ("replay", 1));
        assert!(same.failure.is_some(), "the failure replays");
        let changed = ex.try_run_env(&env, &|b| one(b, true)).expect("readable");
        let _ = std::fs::remove_file(&path);
        let fail = changed
            .failure
            .as_ref()
            .expect("a diverged replay is a failure");
        assert!(fail.report.divergence.is_some());
        assert!(changed.to_string().contains("diverged:"), "{changed}");
    }

    #[test]
    fn a_replay_file_replays_only_in_the_exploration_it_names() {
        let ex = Explorer::new("owner")
            .seeds(0..200)
            .threads(1)
            .write_files(false)
            .quiet(true);
        let path = failing_file(&ex, "owner");
        let env = env_replaying(&path);
        // Another exploration, passing on every seed, explores normally.
        let other = Explorer::new("bystander")
            .iterations(5)
            .threads(1)
            .quiet(true);
        let r = other
            .try_run_env(&env, &|b| {
                let mut sim = b.nodes(["a@sim"]).build().expect("one node");
                sim.spawn("a@sim", |_| async move { Ok(Term::Int(1)) })
                    .expect("a@sim");
                sim
            })
            .expect("runs normally");
        assert_eq!((r.strategy.as_str(), r.runs), ("random", 5));
        assert!(r.failure.is_none());
        let mine = ex.try_run_env(&env, &|b| one(b, false)).expect("readable");
        let _ = std::fs::remove_file(&path);
        assert_eq!((mine.strategy.as_str(), mine.runs), ("replay", 1));
    }
}
