//! Depth-first exploration: every schedule within the bounds, with an optional
//! preemption bound; a failure is shrunk and written out as any other.

use super::progress::Progress;
use super::{Explorer, Failure, Removed};
use crate::report::RunReport;
use crate::sched::Strategy;
use crate::sim::{Sim, SimBuilder};
use crate::trace::TraceMode;

impl Explorer {
    /// Enumerates every schedule of a small program depth-first: every
    /// choice of the strategy (which process steps, which delivery or timer
    /// comes next, within the windows) at every choice point, up to
    /// `max_schedules` runs. Returns how many schedules ran, whether the space
    /// was exhausted, and the first failing report. The data seed is the
    /// first of the seed range (or [`Explorer::data_seed`]).
    ///
    /// ```
    /// use sim_core::{Explorer, Term};
    /// // Two processes each send one message to a collector: 2 orders.
    /// let (n, done, failure) = Explorer::new("two").dfs(100, 1_000, |b| {
    ///     let mut sim = b.nodes(["a@sim"]).build().unwrap();
    ///     sim.spawn("a@sim", |cx| async move {
    ///         let me = cx.self_pid();
    ///         for i in 0..2 {
    ///             cx.spawn(move |c| async move { c.send(me, Term::Int(i)).await?; Ok(Term::Int(i)) }).await?;
    ///         }
    ///         cx.recv().await;
    ///         cx.recv().await;
    ///         Ok(Term::atom("ok"))
    ///     }).unwrap();
    ///     sim
    /// });
    /// assert!(done && failure.is_none());
    /// assert!(n >= 2);
    /// ```
    pub fn dfs<F>(
        &self,
        max_depth: usize,
        max_schedules: u64,
        setup: F,
    ) -> (u64, bool, Option<RunReport>)
    where
        F: Fn(SimBuilder) -> Sim + Sync,
    {
        let r = self.dfs_search(crate::sched::Dfs::new(max_depth), max_schedules, &setup);
        (r.runs, r.exhausted, r.failure.map(|f| f.report))
    }

    /// Depth-first enumeration with `dfs`'s bounds (depth, preemptions),
    /// up to `max_schedules` runs. A failure is shrunk, replayed, and its
    /// replay file, trace and picture are written as [`Explorer::run`] writes
    /// them.
    ///
    /// ```
    /// use sim_core::{Dfs, Explorer, Term};
    /// let r = Explorer::new("bounded").write_files(false).quiet(true).explore_dfs(
    ///     Dfs::new(1_000).preemption_bound(1),
    ///     10_000,
    ///     |b| {
    ///         let mut sim = b.nodes(["a@sim"]).build().unwrap();
    ///         sim.spawn("a@sim", |cx| async move {
    ///             let me = cx.self_pid();
    ///             cx.spawn(move |c| async move { c.send(me, Term::Int(1)).await?; Ok(Term::Int(1)) }).await?;
    ///             cx.recv().await;
    ///             Ok(Term::atom("ok"))
    ///         }).unwrap();
    ///         sim
    ///     },
    /// );
    /// assert!(r.exhausted && r.failure.is_none());
    /// ```
    pub fn explore_dfs<F>(
        &self,
        dfs: crate::sched::Dfs,
        max_schedules: u64,
        setup: F,
    ) -> DfsExploration
    where
        F: Fn(SimBuilder) -> Sim + Sync,
    {
        self.dfs_search(dfs, max_schedules, &setup)
    }

    fn dfs_search<F>(
        &self,
        template: crate::sched::Dfs,
        max_schedules: u64,
        setup: &F,
    ) -> DfsExploration
    where
        F: Fn(SimBuilder) -> Sim + Sync,
    {
        // How many schedules there are is known only once they are all run.
        let progress = Progress::new(&self.name, None, self.quiet);
        let r = self.dfs_runs(template, max_schedules, setup, &progress);
        progress.finish();
        r
    }

    fn dfs_runs<F>(
        &self,
        template: crate::sched::Dfs,
        max_schedules: u64,
        setup: &F,
        progress: &Progress,
    ) -> DfsExploration
    where
        F: Fn(SimBuilder) -> Sim + Sync,
    {
        let seed = self.data_of(self.seeds.start);
        let mut prefix = Vec::new();
        let mut n = 0;
        loop {
            if n >= max_schedules {
                return DfsExploration {
                    runs: n,
                    exhausted: false,
                    failure: None,
                };
            }
            let dfs = template.restart(prefix);
            let r = self.run_seeds(
                setup,
                (seed, seed),
                Box::new(dfs.clone()),
                TraceMode::Digest,
                &Removed::default(),
            );
            n += 1;
            progress.record(!r.outcome.is_ok());
            if !r.outcome.is_ok() {
                let failure = self.investigate(setup, r, dfs.name(), None);
                if !self.quiet {
                    eprintln!("{}: dfs found a failure after {n} schedule(s)", self.name);
                }
                return DfsExploration {
                    runs: n,
                    exhausted: false,
                    failure: Some(failure),
                };
            }
            match dfs.next_prefix() {
                Some(p) => prefix = p,
                None => {
                    return DfsExploration {
                        runs: n,
                        exhausted: true,
                        failure: None,
                    }
                }
            }
        }
    }
}

/// What a depth-first exploration did.
#[derive(Clone, Debug)]
pub struct DfsExploration {
    /// Schedules run.
    pub runs: u64,
    /// Whether every schedule within the bounds was run (and none failed).
    pub exhausted: bool,
    /// The first failure, shrunk, with its files.
    pub failure: Option<Failure>,
}
