//! Exploration: one program under many seeds, in parallel; the first failure
//! shrunk, written to a replay file, and rendered as a picture.
//!
//! Each simulation is single-threaded and independent; threads only decide
//! which seeds run where. What is reported does not depend on the thread
//! count: the failure reported is the one with the lowest failing seed, and
//! `runs` counts the seeds up to it.

mod dfs;
mod error;
mod exhaustive;
mod outcome;
mod replay_file;
mod shrink;
mod strategy;

pub use dfs::DfsExploration;
pub use error::ExploreError;
pub use exhaustive::Exhaustive;
pub use outcome::{Exploration, Failure};
pub use replay_file::{ReplayError, ReplayFile, REPLAY_ENV, REPLAY_FORMAT};
use strategy::Source;
pub use strategy::StrategyFactory;

use crate::id::Pid;
use crate::report::{Outcome, RunReport};
use crate::sched::{Random, Replay, Strategy, StrategyKind};
use crate::sim::{Sim, SimBuilder};
use crate::trace::{trace_to_jsonl, TraceMode};
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Runs a program under a range of seeds and reports the first failure.
///
/// The program is a function from a pre-configured builder (seeds and
/// strategy set) to a ready [`Sim`]: it adds nodes, modules, processes and
/// faults. It must not override the seeds or the strategy.
///
/// Each run has a data seed and a schedule seed. By default both are the
/// run's seed from the range; with [`Explorer::data_seed`] the data seed is
/// fixed and the range gives schedule seeds, so many schedules of one data
/// seed are explored.
///
/// ```
/// use sim_core::{Explorer, StrategyKind, Term};
///
/// // Two writers race on a shared register; the check fails when b wins.
/// let result = Explorer::new("race")
///     .strategy(StrategyKind::Random)
///     .seeds(0..200)
///     .threads(2)
///     .write_files(false)
///     .quiet(true)
///     .run(|b| {
///         let mut sim = b.nodes(["a@sim"]).build().unwrap();
///         sim.spawn("a@sim", |cx| async move {
///             let me = cx.self_pid();
///             for tag in ["a", "b"] {
///                 cx.spawn(move |c| async move { c.send(me, Term::atom(tag)).await?; Ok(Term::atom("ok")) }).await?;
///             }
///             let first = cx.recv().await;
///             cx.check(first == Term::atom("a"), "a arrives first")?;
///             Ok(first)
///         }).unwrap();
///         sim
///     });
/// let failure = result.failure.expect("some interleaving lets b win");
/// assert!(failure.shrunk_choices <= failure.original_choices);
/// ```
#[derive(Clone, Debug)]
pub struct Explorer {
    name: String,
    strategy: Source,
    data_seed: Option<u64>,
    seeds: Range<u64>,
    threads: usize,
    out_dir: PathBuf,
    shrink: bool,
    shrink_budget: usize,
    write_files: bool,
    quiet: bool,
    /// The builder's run window for every run (exhaustive exploration).
    run_window: Option<crate::time::Time>,
    max_interleavings: u64,
    preemption_bound: Option<u32>,
    keep_going: bool,
}

fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl Explorer {
    /// An exploration called `name` (used for file names): Random strategy,
    /// seeds `0..1000`, all cores, shrinking on, files under `target/erpc-sim`.
    pub fn new(name: &str) -> Explorer {
        Explorer {
            name: name.to_string(),
            strategy: Source::Kind(StrategyKind::Random),
            data_seed: None,
            seeds: 0..1_000,
            threads: default_threads(),
            out_dir: PathBuf::from("target/erpc-sim"),
            shrink: true,
            shrink_budget: 2_000,
            write_files: true,
            quiet: false,
            run_window: None,
            max_interleavings: 1_000_000,
            preemption_bound: None,
            keep_going: false,
        }
    }

    /// The strategy.
    pub fn strategy(mut self, s: StrategyKind) -> Explorer {
        self.strategy = Source::Kind(s);
        self
    }

    /// A strategy of the caller's own (or a configured built-in one): `make`
    /// builds a fresh one per run, given the expected steps of a run.
    ///
    /// ```
    /// use sim_core::{Explorer, RoundRobin, Strategy, Term};
    /// let r = Explorer::new("mine")
    ///     .strategy_with(|_steps| Box::new(RoundRobin::default()) as Box<dyn Strategy>)
    ///     .iterations(2)
    ///     .quiet(true)
    ///     .run(|b| {
    ///         let mut sim = b.nodes(["a@sim"]).build().unwrap();
    ///         sim.spawn("a@sim", |_| async move { Ok(Term::Int(1)) }).unwrap();
    ///         sim
    ///     });
    /// assert_eq!(r.strategy, "round_robin");
    /// ```
    pub fn strategy_with<F>(mut self, make: F) -> Explorer
    where
        F: Fn(u64) -> Box<dyn Strategy>
            + Send
            + Sync
            + std::panic::RefUnwindSafe
            + std::panic::UnwindSafe
            + 'static,
    {
        self.strategy = Source::Custom(std::sync::Arc::new(make));
        self
    }

    /// Fixes the data seed: every run uses it, and the seed range gives the
    /// schedule seeds (many schedules of one data seed).
    ///
    /// ```
    /// use sim_core::{Explorer, Term};
    /// let r = Explorer::new("one data seed").data_seed(7).iterations(3).quiet(true).run(|b| {
    ///     let mut sim = b.nodes(["a@sim"]).build().unwrap();
    ///     sim.spawn("a@sim", |cx| async move { Ok(Term::Int(cx.random(100) as i64)) }).unwrap();
    ///     sim
    /// });
    /// assert_eq!(r.runs, 3);
    /// ```
    pub fn data_seed(mut self, seed: u64) -> Explorer {
        self.data_seed = Some(seed);
        self
    }

    /// The seeds to run, each exactly once: `start..end` with `start < end`
    /// (an empty or reversed range makes [`Explorer::try_run`] fail with
    /// [`ExploreError::EmptySeedRange`]). The range may reach `u64::MAX`;
    /// no seed outside it ever runs.
    pub fn seeds(mut self, seeds: Range<u64>) -> Explorer {
        self.seeds = seeds;
        self
    }

    /// Seeds `0..n` (`n` at least 1).
    pub fn iterations(mut self, n: u64) -> Explorer {
        self.seeds = 0..n;
        self
    }

    /// Worker threads (at least 1; default: all cores).
    pub fn threads(mut self, n: usize) -> Explorer {
        self.threads = n.max(1);
        self
    }

    /// Where replay files, traces and pictures go.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Explorer {
        self.out_dir = dir.into();
        self
    }

    /// Whether to shrink a failure (default yes).
    pub fn shrink(mut self, yes: bool) -> Explorer {
        self.shrink = yes;
        self
    }

    /// The most replays shrinking may spend.
    pub fn shrink_budget(mut self, runs: usize) -> Explorer {
        self.shrink_budget = runs;
        self
    }

    /// Whether to write the replay file, trace and picture (default yes).
    pub fn write_files(mut self, yes: bool) -> Explorer {
        self.write_files = yes;
        self
    }

    /// Whether to stay silent (default: the failure report goes to stderr).
    pub fn quiet(mut self, yes: bool) -> Explorer {
        self.quiet = yes;
        self
    }

    /// The data seed of the run with schedule seed `s`.
    fn data_of(&self, s: u64) -> u64 {
        self.data_seed.unwrap_or(s)
    }

    fn run_one<F>(
        &self,
        setup: &F,
        seed: u64,
        strategy: Box<dyn Strategy>,
        trace: TraceMode,
        suppressed: &[usize],
    ) -> RunReport
    where
        F: Fn(SimBuilder) -> Sim + Sync,
    {
        self.run_seeds(
            setup,
            (self.data_of(seed), seed),
            strategy,
            trace,
            suppressed,
        )
    }

    pub(crate) fn run_seeds<F>(
        &self,
        setup: &F,
        (seed, schedule_seed): (u64, u64),
        strategy: Box<dyn Strategy>,
        trace: TraceMode,
        suppressed: &[usize],
    ) -> RunReport
    where
        F: Fn(SimBuilder) -> Sim + Sync,
    {
        let name = strategy.name();
        let res = catch_unwind(AssertUnwindSafe(|| {
            let mut b = Sim::builder()
                .seed(seed)
                .schedule_seed(schedule_seed)
                .strategy_boxed(strategy)
                .trace(trace);
            if let Some(w) = self.run_window {
                b = b.run_window(w);
            }
            let mut sim = setup(b);
            sim.set_trace_mode(trace);
            sim.suppress_actions(suppressed);
            sim.run()
        }));
        match res {
            Ok(r) => r,
            Err(p) => {
                let mut r = RunReport::setup_panicked(seed, name, crate::world::panic_message(&*p));
                r.schedule_seed = schedule_seed;
                r
            }
        }
    }

    /// Runs the exploration. When the environment variable [`REPLAY_ENV`]
    /// names a replay file, replays that file instead. An empty seed range or
    /// an unreadable replay file panics with the reason (use
    /// [`Explorer::try_run`] to handle it).
    pub fn run<F>(&self, setup: F) -> Exploration
    where
        F: Fn(SimBuilder) -> Sim + Sync,
    {
        match self.try_run(setup) {
            Ok(e) => e,
            Err(e) => panic!("{e}"),
        }
    }

    /// [`Explorer::run`], with an empty seed range or an unreadable
    /// [`REPLAY_ENV`] file as an error.
    ///
    /// ```
    /// use sim_core::{Explorer, Term};
    /// let r = Explorer::new("ok").iterations(3).quiet(true).try_run(|b| {
    ///     let mut sim = b.nodes(["a@sim"]).build().unwrap();
    ///     sim.spawn("a@sim", |_| async move { Ok(Term::Int(1)) }).unwrap();
    ///     sim
    /// });
    /// assert!(r.unwrap().failure.is_none());
    /// ```
    pub fn try_run<F>(&self, setup: F) -> Result<Exploration, ExploreError>
    where
        F: Fn(SimBuilder) -> Sim + Sync,
    {
        if self.seeds.is_empty() {
            return Err(ExploreError::EmptySeedRange {
                start: self.seeds.start,
                end: self.seeds.end,
            });
        }
        if let Ok(path) = std::env::var(REPLAY_ENV) {
            if !path.is_empty() {
                return Ok(self.replay_into_exploration(Path::new(&path), &setup)?);
            }
        }
        Ok(self.explore(&setup))
    }

    fn explore<F>(&self, setup: &F) -> Exploration
    where
        F: Fn(SimBuilder) -> Sim + Sync,
    {
        #[allow(clippy::disallowed_methods)]
        let started = std::time::Instant::now(); // tidy: allow wall time is reported, never simulated
                                                 // PCT spreads its change points over a run's steps: one calibration
                                                 // run measures them.
        let estimate = if self.strategy.needs_estimate() {
            let r = self.run_one(
                &setup,
                self.seeds.start,
                Box::new(Random::default()),
                TraceMode::Digest,
                &[],
            );
            r.steps.max(1)
        } else {
            1
        };
        let next = AtomicU64::new(self.seeds.start);
        let stop = AtomicU64::new(self.seeds.end);
        let failures: Mutex<Vec<(u64, RunReport)>> = Mutex::new(Vec::new());
        let threads = self.threads.max(1);
        // A seed is taken only while below the stop, so the counter never
        // passes the range's end (nor wraps at `u64::MAX`).
        let take = || {
            next.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |s| {
                (s < stop.load(Ordering::SeqCst)).then(|| s + 1)
            })
        };
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    while let Ok(seed) = take() {
                        let r = self.run_one(
                            &setup,
                            seed,
                            self.strategy.build(estimate),
                            TraceMode::Digest,
                            &[],
                        );
                        if !r.outcome.is_ok() {
                            stop.fetch_min(seed, Ordering::SeqCst);
                            if let Ok(mut f) = failures.lock() {
                                f.push((seed, r));
                            }
                        }
                    }
                });
            }
        });
        let first = failures
            .into_inner()
            .unwrap_or_default()
            .into_iter()
            .min_by_key(|(s, _)| *s);
        let strategy = self.strategy.build(estimate).name();
        let mut out = Exploration {
            name: self.name.clone(),
            strategy,
            runs: first
                .as_ref()
                .map_or(self.seeds.end - self.seeds.start, |(s, _)| {
                    s - self.seeds.start + 1
                }),
            threads,
            wall: started.elapsed(),
            failure: None,
        };
        if let Some((_, report)) = first {
            out.failure = Some(self.investigate(setup, report, out.strategy.clone()));
            if !self.quiet {
                eprintln!("{out}");
            }
        }
        out
    }

    /// Shrinks a failure, replays it with a full trace and writes the files.
    fn investigate<F>(&self, setup: &F, original: RunReport, strategy: String) -> Failure
    where
        F: Fn(SimBuilder) -> Sim + Sync,
    {
        let seeds = (original.seed, original.schedule_seed);
        let (choices, suppressed, shrink_runs) = if self.shrink {
            shrink::shrink(self, setup, seeds, &original)
        } else {
            (
                original.schedule.choices.to_vec(),
                original.suppressed.clone(),
                0,
            )
        };
        let schedule = crate::sched::Schedule {
            seed: seeds.0,
            schedule_seed: seeds.1,
            choices: choices.as_slice().into(),
        };
        let report = self.run_seeds(
            setup,
            seeds,
            Box::new(Replay::lenient(schedule)),
            TraceMode::Full,
            &suppressed,
        );
        let (kind, message) = failure_text(&report.outcome);
        let faults = report
            .trace
            .iter()
            .filter_map(|r| match &r.event {
                crate::trace::TraceEvent::Fault { what } => {
                    Some(format!("at {} (step {}): {what}", r.time, r.step))
                }
                _ => None,
            })
            .collect();
        let seed = seeds.0;
        let replay = ReplayFile {
            format: REPLAY_FORMAT,
            name: self.name.clone(),
            seed,
            schedule_seed: seeds.1,
            strategy,
            // Every choice the run made (the trimmed tail included), so a
            // strict replay fits exactly.
            choices: report.schedule.choices.clone(),
            suppressed_actions: suppressed.clone(),
            failure: kind,
            message,
            digest: format!("{:016x}", report.digest),
            steps: report.steps,
            run_window_us: self.run_window.map(|w| w.as_us()),
        };
        let mut failure = Failure {
            seed,
            schedule_seed: seeds.1,
            outcome: original.outcome.clone(),
            original_choices: original.schedule.len(),
            original_steps: original.steps,
            shrunk_choices: choices.len(),
            shrunk_preemptions: report.preemptions as usize,
            removed_actions: suppressed,
            faults,
            shrink_runs,
            report,
            replay,
            replay_path: None,
            trace_path: None,
            picture_path: None,
        };
        if self.write_files {
            self.write_artifacts(&mut failure);
        }
        failure
    }

    fn write_artifacts(&self, failure: &mut Failure) {
        let stem = if failure.seed == failure.schedule_seed {
            format!("{}-seed{}", sanitize(&self.name), failure.seed)
        } else {
            format!(
                "{}-seed{}-schedule{}",
                sanitize(&self.name),
                failure.seed,
                failure.schedule_seed
            )
        };
        let replay_path = self.out_dir.join(format!("{stem}.json"));
        match failure.replay.write(&replay_path) {
            Ok(()) => failure.replay_path = Some(replay_path),
            Err(e) => eprintln!("erpc-sim: {e}"),
        }
        if let Ok(text) = trace_to_jsonl(&failure.report.trace) {
            let p = self.out_dir.join(format!("{stem}.trace.jsonl"));
            if std::fs::write(&p, text).is_ok() {
                failure.trace_path = Some(p);
            }
        }
        let title = format!(
            "{} (seed {}): {}",
            self.name, failure.seed, failure.report.outcome
        );
        let html = crate::render::sequence_diagram_html(&failure.report.trace, &title);
        let p = self.out_dir.join(format!("{stem}.html"));
        if std::fs::write(&p, html).is_ok() {
            failure.picture_path = Some(p);
        }
    }

    /// Replays a replay file strictly, with a full trace. The report's
    /// `divergence` says where the program no longer fits the schedule.
    pub fn replay<F>(&self, file: &ReplayFile, setup: F) -> RunReport
    where
        F: Fn(SimBuilder) -> Sim + Sync,
    {
        let mut ex = self.clone();
        if let Some(us) = file.run_window_us {
            ex.run_window = Some(crate::time::Time::us(us));
        }
        let mut r = ex.run_seeds(
            &setup,
            (file.seed, file.schedule_seed),
            Box::new(Replay::new(file.schedule())),
            TraceMode::Full,
            &file.suppressed_actions,
        );
        let digest = format!("{:016x}", r.digest);
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

    fn replay_into_exploration<F>(&self, path: &Path, setup: &F) -> Result<Exploration, ReplayError>
    where
        F: Fn(SimBuilder) -> Sim + Sync,
    {
        let file = ReplayFile::read(path)?;
        let report = self.replay(&file, setup);
        if !self.quiet {
            eprintln!("replayed {}:\n{report}", path.display());
        }
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
            faults: Vec::new(),
            shrink_runs: 0,
            report,
            replay: file.clone(),
            replay_path: Some(path.to_path_buf()),
            trace_path: None,
            picture_path: None,
        });
        Ok(Exploration {
            name: self.name.clone(),
            strategy: "replay".into(),
            runs: 1,
            threads: 1,
            wall: Duration::ZERO,
            failure,
        })
    }
}

fn failure_text(o: &Outcome) -> (String, String) {
    let msg = match o {
        Outcome::CheckFailed { message, .. } | Outcome::Panicked { message, .. } => message.clone(),
        other => other.to_string(),
    };
    (o.kind().to_string(), msg)
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Explores `program` under seeds `0..iterations` with the defaults of
/// [`Explorer::new`] (Random strategy, all cores, shrinking, files under
/// `target/erpc-sim/`): the short form of the builder.
///
/// ```
/// use sim_core::{explore, Term};
/// let result = explore(20, |b| {
///     let mut sim = b.nodes(["a@sim"]).build().unwrap();
///     sim.spawn("a@sim", |_cx| async move { Ok(Term::atom("ok")) }).unwrap();
///     sim
/// });
/// result.assert_ok();
/// assert_eq!(result.runs, 20);
/// ```
pub fn explore<F>(iterations: u64, program: F) -> Exploration
where
    F: Fn(SimBuilder) -> Sim + Sync,
{
    Explorer::new("explore").iterations(iterations).run(program)
}

/// Runs a program twice under the same seed with full traces and compares them
/// event by event: `Err` names the first step where they differ (something
/// outside the simulation leaked in: a `HashMap`, the wall clock, a thread).
///
/// ```
/// use sim_core::{check_determinism, Term};
/// check_determinism(3, |b| {
///     let mut sim = b.nodes(["a@sim", "b@sim"]).build().unwrap();
///     sim.spawn("a@sim", |cx| async move {
///         let p = cx.spawn_on("b@sim", |c| async move { Ok(Term::Atom(c.node())) }).await?;
///         Ok(Term::Pid(p))
///     }).unwrap();
///     sim
/// }).unwrap();
/// ```
pub fn check_determinism<F>(seed: u64, setup: F) -> Result<u64, String>
where
    F: Fn(SimBuilder) -> Sim + Sync,
{
    let ex = Explorer::new("determinism").quiet(true).write_files(false);
    let a = ex.run_one(
        &setup,
        seed,
        Box::new(Random::default()),
        TraceMode::Full,
        &[],
    );
    let b = ex.run_one(
        &setup,
        seed,
        Box::new(Random::default()),
        TraceMode::Full,
        &[],
    );
    for (i, (x, y)) in a.trace.iter().zip(b.trace.iter()).enumerate() {
        if x != y {
            return Err(format!(
                "runs diverge at record {i} (step {}, {}):\n  first:  {:?}\n  second: {:?}",
                x.step, x.time, x.event, y.event
            ));
        }
    }
    if a.trace.len() != b.trace.len() || a.digest != b.digest {
        return Err(format!(
            "runs differ in length: {} vs {} records (digests {:016x} vs {:016x})",
            a.trace.len(),
            b.trace.len(),
            a.digest,
            b.digest
        ));
    }
    Ok(a.digest)
}

impl RunReport {
    pub(crate) fn setup_panicked(seed: u64, strategy: String, message: String) -> RunReport {
        RunReport {
            seed,
            strategy,
            outcome: Outcome::Panicked {
                pid: Pid::new(0, 0, 0),
                message: format!("the program's setup panicked: {message}"),
            },
            steps: 0,
            time: crate::time::Time::ZERO,
            digest: 0,
            schedule: crate::sched::Schedule::new(seed, Vec::new()),
            schedule_seed: seed,
            preemptions: 0,
            books: Default::default(),
            panics: Vec::new(),
            results: Vec::new(),
            trace: Vec::new(),
            divergence: None,
            planned_actions: 0,
            suppressed: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn a_replay_file_that_diverges_is_a_failed_exploration() {
        let ex = Explorer::new("diverge")
            .seeds(0..200)
            .threads(1)
            .write_files(false)
            .quiet(true);
        let f = ex
            .run(|b| one(b, false))
            .failure
            .expect("some schedule lets child 1 win");
        let path =
            std::env::temp_dir().join(format!("erpc-sim-diverge-{}.json", std::process::id()));
        f.replay.write(&path).expect("write the replay file");
        let same = ex
            .replay_into_exploration(&path, &|b| one(b, false))
            .expect("readable");
        assert!(same.failure.is_some(), "the failure replays");
        let changed = ex
            .replay_into_exploration(&path, &|b| one(b, true))
            .expect("readable");
        let _ = std::fs::remove_file(&path);
        let fail = changed
            .failure
            .as_ref()
            .expect("a diverged replay is a failure");
        assert!(fail.report.divergence.is_some());
        assert!(changed.to_string().contains("diverged:"), "{changed}");
    }
}
