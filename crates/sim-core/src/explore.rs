//! Exploration: one program under many seeds, in parallel; the first failure
//! shrunk, written to a replay file, and rendered as a picture.
//!
//! Each simulation is single-threaded and independent; threads only decide
//! which seeds run where. What is reported does not depend on the thread
//! count: the failure reported is the one with the lowest failing seed, and
//! `runs` counts the seeds up to it.

mod artifacts;
mod checks;
mod determinism;
mod dfs;
mod env;
mod error;
mod exhaustive;
mod faults;
mod outcome;
mod paths;
mod progress;
mod replay;
mod replay_file;
mod shrink;
mod strategy;

use checks::EndHook;
pub use determinism::check_determinism;
pub use dfs::DfsExploration;
pub use env::{ITERATIONS_ENV, SEED_ENV, SHARD_ENV};
pub use error::ExploreError;
pub use exhaustive::Exhaustive;
pub use faults::MayFaults;
pub use outcome::{Exploration, Failure};
pub use replay_file::{ReplayError, ReplayFile, REPLAY_ENV, REPLAY_FORMAT};
use shrink::Removed;
use strategy::Source;
pub use strategy::StrategyFactory;

use crate::report::{Outcome, RunReport};
use crate::sched::{Random, Replay, Strategy, StrategyKind};
use crate::sim::{Sim, SimBuilder};
use crate::trace::TraceMode;
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// The least run window with which a receive timeout races a process that
/// could still run (timeouts are whole milliseconds): what an exploration
/// gives [`Explorer::run_window`] to reach both orders. It is not the
/// default; see [`Explorer::run_window`] for why.
///
/// ```
/// assert_eq!(sim_core::EXPLORE_RUN_WINDOW, sim_core::Time::ms(1));
/// ```
pub const EXPLORE_RUN_WINDOW: crate::time::Time = crate::time::Time::ms(1);

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
    shard: Option<(u64, u64)>,
    threads: usize,
    out_dir: Option<PathBuf>,
    shrink: bool,
    shrink_budget: usize,
    write_files: bool,
    quiet: bool,
    /// The builder's run window for every run, when set (exhaustive
    /// exploration, [`Explorer::run_window`]).
    run_window: Option<crate::time::Time>,
    max_interleavings: u64,
    preemption_bound: Option<u32>,
    /// Exhaustive exploration by optimal DPOR (the default) rather than
    /// source-DPOR.
    optimal_dpor: bool,
    keep_going: bool,
    end_checks: Vec<EndHook>,
    /// The faults an exhaustive exploration may take at any step.
    faults: faults::FaultSet,
}

/// The name of an exploration made outside a test (see [`Explorer::for_test`]).
const FALLBACK_NAME: &str = "explore";

impl Default for Explorer {
    /// [`Explorer::for_test`].
    fn default() -> Explorer {
        Explorer::for_test()
    }
}

fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl Explorer {
    /// An exploration called `name`: Random strategy, seeds `0..1000`, all
    /// cores, shrinking on, files under `erpc-sim/` in the target directory
    /// (`CARGO_TARGET_DIR`, else the workspace's `target/`).
    ///
    /// The name is the exploration's identity: its files are named after it
    /// (a name of other characters than ASCII letters, digits, `-` and `_`
    /// has them replaced by `_` and a hash of the name appended, so two names
    /// never share files), and [`REPLAY_ENV`] replays a file only in the exploration
    /// of the name the file records. Give every exploration its own, or use
    /// [`Explorer::for_test`].
    pub fn new(name: &str) -> Explorer {
        Explorer {
            name: name.to_string(),
            strategy: Source::Kind(StrategyKind::Random),
            data_seed: None,
            seeds: 0..1_000,
            shard: None,
            threads: default_threads(),
            out_dir: None,
            shrink: true,
            shrink_budget: 2_000,
            write_files: true,
            quiet: false,
            end_checks: Vec::new(),
            run_window: None,
            max_interleavings: 1_000_000,
            preemption_bound: None,
            optimal_dpor: true,
            keep_going: false,
            faults: faults::FaultSet::default(),
        }
    }

    /// [`Explorer::new`] named after the running test: the test harness
    /// names each test's thread after the test (`tests::kv_survives_a_partition`),
    /// so two tests never share files or replays. Outside a test (on a
    /// thread called `main`, or unnamed) the name is `explore`.
    ///
    /// ```
    /// use sim_core::Explorer;
    /// // A doctest's thread is the test's own, or `main`: either way a name.
    /// let ex = Explorer::for_test();
    /// assert!(!ex.name().is_empty());
    /// ```
    pub fn for_test() -> Explorer {
        let thread = std::thread::current();
        let name = match thread.name() {
            Some(n) if n != "main" && !n.is_empty() => n,
            _ => FALLBACK_NAME,
        };
        Explorer::new(name)
    }

    /// The exploration's name.
    ///
    /// ```
    /// use sim_core::Explorer;
    /// assert_eq!(Explorer::new("kv").name(), "kv");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
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

    /// Seeds `0..n` (`n` at least 1). [`ITERATIONS_ENV`] overrides the
    /// count from the command line: `ERPC_SIM_ITERATIONS=100000 cargo test`.
    pub fn iterations(mut self, n: u64) -> Explorer {
        self.seeds = 0..n;
        self
    }

    /// Runs only shard `index` of `count` of the seed range: seed `s`
    /// belongs to shard `s mod count`, so `count` machines (a CI matrix)
    /// each running one shard run every seed exactly once between them.
    /// Each shard reports its own lowest failing seed and writes its replay
    /// file with the shard in its name. [`SHARD_ENV`] (`ERPC_SIM_SHARD=k/n`)
    /// sets it from the environment and wins over this setting. A shard that
    /// does not exist (`count == 0`, `index >= count`) makes
    /// [`Explorer::try_run`] fail with [`ExploreError::BadShard`].
    ///
    /// ```
    /// use sim_core::{Explorer, Term};
    /// let program = |b: sim_core::SimBuilder| {
    ///     let mut sim = b.nodes(["a@sim"]).build().unwrap();
    ///     sim.spawn("a@sim", |_| async move { Ok(Term::Int(1)) }).unwrap();
    ///     sim
    /// };
    /// let runs: Vec<u64> = (0..3)
    ///     .map(|k| Explorer::new("sharded").iterations(10).shard(k, 3).quiet(true).run(program).runs)
    ///     .collect();
    /// assert_eq!(runs, [4, 3, 3]); // seeds 0,3,6,9 | 1,4,7 | 2,5,8
    /// assert!(Explorer::new("x").shard(3, 3).try_run(program).is_err());
    /// ```
    pub fn shard(mut self, index: u64, count: u64) -> Explorer {
        self.shard = Some((index, count));
        self
    }

    /// Worker threads (at least 1; default: all cores).
    pub fn threads(mut self, n: usize) -> Explorer {
        self.threads = n.max(1);
        self
    }

    /// Where replay files, traces and pictures go (a relative directory is
    /// taken from the current one; the printed paths are absolute).
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Explorer {
        self.out_dir = Some(dir.into());
        self
    }

    /// How long a runnable process may be left waiting while time passes
    /// in every run (see `SimBuilder::run_window`; default zero, as a plain
    /// `Sim::run`). With [`EXPLORE_RUN_WINDOW`] a receive timeout or a timer
    /// races a process that could still run, and both orders are explored.
    /// A replay file records the window its runs had.
    ///
    /// It is not the default of the randomized strategies. Measured over
    /// 2,000 seeds of each planted bug in `examples/`, a 1 ms window finds
    /// some more often and some less (the deadlock on 132 seeds instead of
    /// 71, the monitor race on 7 instead of 16, the others about the same),
    /// while the shrinker, which minimises preemptions by zeroing them, can
    /// be left with one it cannot zero: a preemption of a process by a timer
    /// stands in for a slower delivery no single edit finds (the mutual call
    /// deadlock of `tests/exploration`: 21 steps and 1 preemption with the
    /// window, 21 and 0 without).
    ///
    /// ```
    /// use sim_core::{Explorer, Term, Time, Timeout, EXPLORE_RUN_WINDOW};
    /// // A receive with a 1 ms timeout, and a process that could answer at once.
    /// let program = |b: sim_core::SimBuilder| {
    ///     let mut sim = b.nodes(["a@sim"]).build().unwrap();
    ///     sim.spawn("a@sim", |cx| async move {
    ///         let me = cx.self_pid();
    ///         cx.spawn(move |c| async move { c.send(me, Term::Int(1)).await?; Ok(Term::Int(0)) }).await?;
    ///         let got = cx.receive_timeout(|_| true, Timeout::ms(1)).await;
    ///         cx.check(got.is_some(), "the answer comes first")?;
    ///         Ok(Term::Int(1))
    ///     }).unwrap();
    ///     sim
    /// };
    /// let quiet = |name| Explorer::new(name).iterations(50).threads(1).write_files(false).quiet(true);
    /// assert!(quiet("w0").run(program).failure.is_none());
    /// assert!(quiet("w1").run_window(EXPLORE_RUN_WINDOW).run(program).failure.is_some());
    /// ```
    pub fn run_window(mut self, window: crate::time::Time) -> Explorer {
        self.run_window = Some(window);
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
        suppressed: &Removed,
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
        suppressed: &Removed,
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
            sim.suppress_actions(&suppressed.actions);
            sim.suppress_faults(&suppressed.faults);
            sim.retime_faults(&suppressed.retimed);
            for check in &self.end_checks {
                check.install(&mut sim);
            }
            match self.faults.install(&mut sim) {
                Ok(()) => sim.run(),
                Err(e) => faults::FaultSet::refused(seed, name.clone(), e),
            }
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

    /// Runs the exploration and reports the failure with the lowest seed.
    ///
    /// The environment steers it from the command line: [`REPLAY_ENV`]
    /// replays a replay file instead (when the file names this exploration;
    /// any other runs normally and says so), [`SEED_ENV`] runs one seed,
    /// [`ITERATIONS_ENV`] changes the iteration count, [`SHARD_ENV`] runs
    /// one shard. A setting it cannot use (an empty seed range, a bad
    /// variable, an unreadable replay file) panics with the reason (use
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

    /// [`Explorer::run`], with a setting it cannot use as an error.
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
        self.try_run_env(&env::Env::from_process(), &setup)
    }

    /// [`Explorer::try_run`] under the given environment.
    pub(crate) fn try_run_env<F>(
        &self,
        env: &env::Env,
        setup: &F,
    ) -> Result<Exploration, ExploreError>
    where
        F: Fn(SimBuilder) -> Sim + Sync,
    {
        let mut plan = Plan {
            seeds: self.seeds.clone(),
            shard: self
                .shard
                .map(|(k, n)| env::check_shard(k, n))
                .transpose()?,
        };
        if plan.seeds.is_empty() {
            return Err(ExploreError::EmptySeedRange {
                start: plan.seeds.start,
                end: plan.seeds.end,
            });
        }
        if let Some(path) = &env.replay {
            let file = ReplayFile::read(path)?;
            if file.name == self.name {
                return Ok(self.replay_into_exploration(Path::new(path), file, setup));
            }
            self.say(&format!(
                "{REPLAY_ENV} names {}; {} runs normally",
                file.name, self.name
            ));
        }
        if let Some(v) = &env.iterations {
            let n = env::parse_iterations(v)?;
            plan.seeds = plan.seeds.start..plan.seeds.start.saturating_add(n);
        }
        if let Some(v) = &env.shard {
            plan.shard = Some(env::parse_shard(v)?);
        }
        if let Some(v) = &env.seed {
            let seed = env::parse_seed(v)?;
            let end = seed.checked_add(1).ok_or(ExploreError::BadEnv {
                var: SEED_ENV,
                value: v.clone(),
                expected: "a seed below 2^64-1 (a seed range ends after its last seed)",
            })?;
            plan = Plan {
                seeds: seed..end,
                shard: None,
            };
            self.say(&format!(
                "{}: {SEED_ENV}={seed}: running seed {seed} only",
                self.name
            ));
        }
        Ok(self.explore(setup, &plan))
    }

    /// A line on stderr, unless quiet.
    fn say(&self, line: &str) {
        if !self.quiet {
            eprintln!("{line}");
        }
    }

    fn explore<F>(&self, setup: &F, plan: &Plan) -> Exploration
    where
        F: Fn(SimBuilder) -> Sim + Sync,
    {
        #[allow(clippy::disallowed_methods)]
        let started = std::time::Instant::now(); // tidy: allow wall time is reported, never simulated
        let (first_seed, total) = match plan.shard {
            Some(shard) => env::shard_seeds(&plan.seeds, shard),
            None => (plan.seeds.start, plan.seeds.end - plan.seeds.start),
        };
        let step = plan.shard.map_or(1, |(_, n)| n);
        // PCT spreads its change points over a run's steps: one calibration
        // run measures them.
        let estimate = if self.strategy.needs_estimate() {
            let r = self.run_one(
                &setup,
                plan.seeds.start,
                Box::new(Random::default()),
                TraceMode::Digest,
                &Removed::default(),
            );
            r.steps.max(1)
        } else {
            1
        };
        let progress = progress::Progress::new(&self.name, Some(total), self.quiet);
        let next = AtomicU64::new(first_seed);
        let stop = AtomicU64::new(plan.seeds.end);
        let failures: Mutex<Vec<(u64, RunReport)>> = Mutex::new(Vec::new());
        let threads = self.threads.max(1);
        // A seed is taken only while below the stop, so the counter never
        // passes the range's end by more than one shard step; past
        // `u64::MAX` it saturates there, which is never a seed (a range's end
        // is exclusive).
        let take = || {
            next.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |s| {
                (s < stop.load(Ordering::SeqCst)).then(|| s.saturating_add(step))
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
                            &Removed::default(),
                        );
                        let failed = !r.outcome.is_ok();
                        if failed {
                            stop.fetch_min(seed, Ordering::SeqCst);
                            if let Ok(mut f) = failures.lock() {
                                f.push((seed, r));
                            }
                        }
                        progress.record(failed);
                    }
                });
            }
        });
        progress.finish();
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
                .map_or(total, |(s, _)| (s - first_seed) / step + 1),
            threads,
            wall: started.elapsed(),
            shard: plan.shard,
            printed: false,
            failure: None,
        };
        if let Some((_, report)) = first {
            out.failure = Some(self.investigate(setup, report, out.strategy.clone(), plan.shard));
            if !self.quiet {
                eprintln!("{out}");
                out.printed = true;
            }
        }
        out
    }

    /// Shrinks a failure, replays it with a full trace and writes the files.
    fn investigate<F>(
        &self,
        setup: &F,
        original: RunReport,
        strategy: String,
        shard: Option<(u64, u64)>,
    ) -> Failure
    where
        F: Fn(SimBuilder) -> Sim + Sync,
    {
        let seeds = (original.seed, original.schedule_seed);
        let (choices, suppressed, shrink_runs) = if self.shrink {
            shrink::shrink(self, setup, seeds, &original)
        } else {
            (
                original.schedule.choices.to_vec(),
                Removed {
                    actions: original.suppressed.clone(),
                    faults: original.suppressed_faults.clone(),
                    retimed: Vec::new(),
                },
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
                // A switched-off fault is not one the run has; a moved one
                // is listed where it was applied.
                crate::trace::TraceEvent::Fault { what }
                    if !what.starts_with("suppressed fault ")
                        && !what.starts_with("moved fault ") =>
                {
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
            suppressed_actions: suppressed.actions.clone(),
            suppressed_faults: suppressed.faults.clone(),
            retimed_faults: suppressed.retimed.clone(),
            failure: kind,
            message,
            digest: format!("{:016x}", report.digest),
            steps: report.steps,
            run_window_us: self.run_window.map(|w| w.as_us()),
            may_fault: self.faults.recorded(),
        };
        let mut failure = Failure {
            seed,
            schedule_seed: seeds.1,
            outcome: original.outcome.clone(),
            original_choices: original.schedule.len(),
            original_steps: original.steps,
            shrunk_choices: choices.len(),
            shrunk_preemptions: report.preemptions as usize,
            removed_actions: suppressed.actions,
            removed_faults: suppressed.faults,
            retimed_faults: suppressed.retimed,
            faults,
            shrink_runs,
            report,
            replay,
            replay_path: None,
            trace_path: None,
            picture_path: None,
        };
        if self.write_files {
            self.write_artifacts(&mut failure, shard);
        }
        failure
    }
}

/// What one exploration runs, once the environment had its say.
struct Plan {
    seeds: Range<u64>,
    shard: Option<(u64, u64)>,
}

fn failure_text(o: &Outcome) -> (String, String) {
    let msg = match o {
        Outcome::CheckFailed { message, .. }
        | Outcome::Panicked { message, .. }
        | Outcome::EndCheckFailed { message } => message.clone(),
        other => other.to_string(),
    };
    (o.kind().to_string(), msg)
}

/// Explores `program` under seeds `0..iterations` with the defaults of
/// [`Explorer::for_test`] (named after the running test, Random strategy, all
/// cores, shrinking, files under `erpc-sim/` in the target directory): the
/// short form of the builder.
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
    Explorer::for_test().iterations(iterations).run(program)
}
