//! Exhaustive exploration with dynamic partial-order reduction: every
//! interleaving of a program, up to equivalence (`sched::dpor`).

use super::{Explorer, Failure};
use crate::report::{Outcome, RunReport};
use crate::sched::dpor::{Plan, Tree};
use crate::sched::{Choice, Event, Strategy};
use crate::sim::{Sim, SimBuilder};
use crate::time::Time;
use crate::trace::TraceMode;
use crate::world::{Rec, Recorder};
use std::cell::RefCell;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;

/// What an exhaustive exploration ([`Explorer::exhaustive`]) did.
///
/// ```
/// use sim_core::{Explorer, Term};
/// let r = Explorer::new("one").quiet(true).write_files(false).exhaustive(|b| {
///     let mut sim = b.nodes(["a@sim"]).build().unwrap();
///     sim.spawn("a@sim", |_| async move { Ok(Term::Int(1)) }).unwrap();
///     sim
/// });
/// assert!(r.complete && r.failure.is_none());
/// assert_eq!(r.to_string(), "one: 1 interleavings, all checked");
/// ```
#[derive(Clone, Debug)]
pub struct Exhaustive {
    /// The exploration's name.
    pub name: String,
    /// Complete interleavings explored (one per equivalence class reached).
    pub interleavings: u64,
    /// Runs cut short because every enabled event was asleep (their class
    /// was explored by another run); not counted in `interleavings`.
    pub blocked: u64,
    /// Failing interleavings (with [`Explorer::keep_going`]; else 0 or 1).
    pub failing: u64,
    /// The distinct final outcomes, with how many interleavings ended so.
    pub outcomes: Vec<(Outcome, u64)>,
    /// Whether every interleaving within the bounds was explored.
    pub complete: bool,
    /// The bound that stopped the exploration or left something out.
    pub bound_hit: Option<String>,
    /// The first failure, shrunk, with its files.
    pub failure: Option<Failure>,
    /// The faults each run could take ([`Explorer::may_fault`]).
    pub may_fault: super::MayFaults,
}

impl fmt::Display for Exhaustive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let blocked = if self.blocked > 0 {
            format!(" ({} sleep-set blocked runs)", self.blocked)
        } else {
            String::new()
        };
        let with = if self.may_fault.is_empty() {
            String::new()
        } else {
            format!(" with {}", self.may_fault)
        };
        if let Some(fail) = &self.failure {
            if self.failing > 1 || self.complete {
                // Kept going: how many failed, and the first failure.
                write!(
                    f,
                    "{}: FAILED: {} of {} interleavings fail; the first: {}",
                    self.name, self.failing, self.interleavings, fail.outcome
                )?;
            } else {
                write!(
                    f,
                    "{}: FAILED at interleaving {}: {}",
                    self.name, self.interleavings, fail.outcome
                )?;
            }
            if let Some(p) = &fail.replay_path {
                write!(f, "\nreplay:    {}", p.display())?;
            }
            return Ok(());
        }
        match &self.bound_hit {
            None if self.complete => write!(
                f,
                "{}: {} interleavings{with}, all checked{blocked}",
                self.name, self.interleavings
            ),
            Some(b) => write!(
                f,
                "{}: {} interleavings{with} checked, incomplete: {b}{blocked}",
                self.name, self.interleavings
            ),
            None => write!(
                f,
                "{}: {} interleavings{with} checked, incomplete{blocked}",
                self.name, self.interleavings
            ),
        }
    }
}

impl Explorer {
    /// At most `n` runs in an exhaustive exploration (default 1,000,000);
    /// reaching it is reported in [`Exhaustive::bound_hit`].
    ///
    /// ```
    /// use sim_core::Explorer;
    /// let _ = Explorer::new("small").max_interleavings(10);
    /// ```
    pub fn max_interleavings(mut self, n: u64) -> Explorer {
        self.max_interleavings = n.max(1);
        self
    }

    /// In an exhaustive exploration, replay only prefixes with at most `k`
    /// preemptions (a switch away from a process that could go on). Any
    /// alternative left out makes the result incomplete, and says so.
    ///
    /// ```
    /// use sim_core::Explorer;
    /// let _ = Explorer::new("bounded").preemption_bound(1);
    /// ```
    pub fn preemption_bound(mut self, k: u32) -> Explorer {
        self.preemption_bound = Some(k);
        self
    }

    /// Whether an exhaustive exploration uses optimal DPOR with wakeup
    /// trees (Abdulla et al., POPL 2014, Algorithm 2; the default) or, with
    /// `false`, source-DPOR with sleep sets (Algorithm 1). Both reach the
    /// same final states. Wakeup trees leave fewer runs sleep-set blocked
    /// ([`Exhaustive::blocked`]) and explore fewer interleavings on larger
    /// programs; what remains blocked are runs that try an actor left
    /// enabled at the end of a run, whose step is known only once it runs.
    ///
    /// ```
    /// use sim_core::{Explorer, Term};
    /// // Two children race to send to their parent, which takes both.
    /// let program = |b: sim_core::SimBuilder| {
    ///     let mut sim = b.nodes(["a@sim"]).build().unwrap();
    ///     sim.spawn("a@sim", |cx| async move {
    ///         let me = cx.self_pid();
    ///         for i in 0..2 {
    ///             cx.spawn(move |c| async move { c.send(me, Term::Int(i)).await?; Ok(Term::Int(i)) }).await?;
    ///         }
    ///         let first = cx.recv().await;
    ///         cx.recv().await;
    ///         Ok(first)
    ///     }).unwrap();
    ///     sim
    /// };
    /// let quiet = |name| Explorer::new(name).quiet(true).write_files(false);
    /// let optimal = quiet("optimal").exhaustive(program);
    /// let source = quiet("source").optimal_dpor(false).exhaustive(program);
    /// assert_eq!((optimal.interleavings, optimal.blocked), (2, 0));
    /// assert_eq!(source.interleavings, 2);
    /// ```
    pub fn optimal_dpor(mut self, yes: bool) -> Explorer {
        self.optimal_dpor = yes;
        self
    }

    /// Whether an exhaustive exploration goes on past a failure, counting
    /// failing interleavings (default: stop at the first).
    ///
    /// ```
    /// use sim_core::Explorer;
    /// let _ = Explorer::new("all").keep_going(true);
    /// ```
    pub fn keep_going(mut self, yes: bool) -> Explorer {
        self.keep_going = yes;
        self
    }

    /// Explores every interleaving of `setup`'s program, one per
    /// equivalence class: two schedules that differ only in the order of
    /// independent steps (steps of different processes that touch no common
    /// object, or sends a receive cannot tell apart) are one class. It uses
    /// optimal DPOR with wakeup trees over the steps' footprints
    /// ([`Explorer::optimal_dpor`] to choose source-DPOR); the data
    /// seed is the first of the seed range (or [`Explorer::data_seed`]).
    ///
    /// Every run lets a runnable process wait while time passes (an infinite
    /// run window), so any due timer may come before it: a receive timeout
    /// races every send. It stops at the first failure unless
    /// [`Explorer::keep_going`]; the failure is shrunk, and its replay file,
    /// trace and picture are written as [`Explorer::run`] writes them (the
    /// replay file replays with [`Explorer::replay_file`]).
    ///
    /// ```
    /// use sim_core::{Explorer, Term};
    /// // Two processes, each sending to itself and receiving: independent.
    /// let r = Explorer::new("indep").quiet(true).write_files(false).exhaustive(|b| {
    ///     let mut sim = b.nodes(["a@sim"]).build().unwrap();
    ///     for _ in 0..2 {
    ///         sim.spawn("a@sim", |cx| async move {
    ///             cx.send(cx.self_pid(), Term::Int(1)).await?;
    ///             cx.send(cx.self_pid(), Term::Int(2)).await?;
    ///             cx.recv().await;
    ///             cx.recv().await;
    ///             Ok(Term::atom("ok"))
    ///         }).unwrap();
    ///     }
    ///     sim
    /// });
    /// assert!(r.complete);
    /// assert_eq!(r.interleavings, 1);
    /// ```
    pub fn exhaustive<F>(&self, setup: F) -> Exhaustive
    where
        F: Fn(SimBuilder) -> Sim + Sync,
    {
        self.exhaustive_each(setup, |_| {})
    }

    /// [`Explorer::exhaustive`], calling `each` with the report of every
    /// complete interleaving (to collect final states, say).
    ///
    /// ```
    /// use sim_core::{Explorer, Term};
    /// let mut firsts = Vec::new();
    /// let r = Explorer::new("race").quiet(true).write_files(false).exhaustive_each(
    ///     |b| {
    ///         let mut sim = b.nodes(["a@sim"]).build().unwrap();
    ///         sim.spawn("a@sim", |cx| async move {
    ///             let me = cx.self_pid();
    ///             for i in 0..2 {
    ///                 cx.spawn(move |c| async move { c.send(me, Term::Int(i)).await?; Ok(Term::Int(i)) }).await?;
    ///             }
    ///             let first = cx.recv().await;
    ///             cx.recv().await;
    ///             Ok(first)
    ///         }).unwrap();
    ///         sim
    ///     },
    ///     |report| firsts.push(report.value(0).cloned()),
    /// );
    /// firsts.sort();
    /// assert_eq!(firsts, vec![Some(Term::Int(0)), Some(Term::Int(1))]);
    /// assert_eq!(r.interleavings, 2);
    /// ```
    pub fn exhaustive_each<F, G>(&self, setup: F, mut each: G) -> Exhaustive
    where
        F: Fn(SimBuilder) -> Sim + Sync,
        G: FnMut(&RunReport),
    {
        let mut ex = self.clone();
        ex.run_window = Some(Time::MAX);
        ex.faults.active = true;
        ex.drive(&setup, &mut each)
    }

    fn drive<F>(&self, setup: &F, each: &mut dyn FnMut(&RunReport)) -> Exhaustive
    where
        F: Fn(SimBuilder) -> Sim + Sync,
    {
        #[allow(clippy::disallowed_methods)]
        let started = std::time::Instant::now(); // tidy: allow wall time is reported, never simulated
        let mut last_note = 0u64;
        let seed = self.data_of(self.seeds.start);
        let rec: Rec = Rc::new(RefCell::new(Recorder::default()));
        let mut tree = Tree::new(self.preemption_bound, !self.optimal_dpor);
        let mut plan = Plan::default();
        let mut out = Exhaustive {
            name: self.name.clone(),
            interleavings: 0,
            blocked: 0,
            failing: 0,
            outcomes: Vec::new(),
            complete: false,
            bound_hit: None,
            failure: None,
            may_fault: self.may_faults(),
        };
        loop {
            if out.interleavings + out.blocked >= self.max_interleavings {
                out.bound_hit = Some(format!("max_interleavings({})", self.max_interleavings));
                break;
            }
            let shared = Rc::new(RefCell::new(plan));
            let report = self.run_recorded(setup, seed, &rec, &shared);
            plan = shared.take();
            if let Some(d) = plan.diverged.clone() {
                out.bound_hit = Some(d);
                break;
            }
            let steps = std::mem::take(&mut rec.borrow_mut().steps);
            if let Some(d) = tree.diverges(&plan, &steps) {
                out.bound_hit = Some(d);
                break;
            }
            let blocked = tree.add_run(&mut plan, steps);
            if blocked {
                out.blocked += 1;
            } else {
                out.interleavings += 1;
                each(&report);
                match out.outcomes.iter_mut().find(|(o, _)| *o == report.outcome) {
                    Some((_, n)) => *n += 1,
                    None => out.outcomes.push((report.outcome.clone(), 1)),
                }
                if !report.outcome.is_ok() {
                    out.failing += 1;
                    if out.failure.is_none() {
                        out.failure = Some(self.investigate(setup, report, "dpor".into(), None));
                    }
                    if !self.keep_going {
                        break;
                    }
                }
            }
            let secs = started.elapsed().as_secs();
            if !self.quiet && secs >= last_note + 2 {
                last_note = secs;
                let runs = out.interleavings + out.blocked;
                eprintln!(
                    "{}: {} interleavings ({} blocked) in {secs} s, {:.0}/s",
                    self.name,
                    out.interleavings,
                    out.blocked,
                    runs as f64 / started.elapsed().as_secs_f64()
                );
            }
            match tree.next() {
                Some(p) => plan = p,
                None => {
                    out.complete = out.failure.is_none() || self.keep_going;
                    break;
                }
            }
        }
        if tree.bounded && out.bound_hit.is_none() {
            out.bound_hit = Some(format!(
                "preemption_bound({})",
                self.preemption_bound.unwrap_or(0)
            ));
        }
        if out.bound_hit.is_some() {
            out.complete = false;
        }
        if !self.quiet {
            eprintln!("{out}");
        }
        out
    }

    fn run_recorded<F>(
        &self,
        setup: &F,
        seed: u64,
        rec: &Rec,
        plan: &Rc<RefCell<Plan>>,
    ) -> RunReport
    where
        F: Fn(SimBuilder) -> Sim + Sync,
    {
        rec.borrow_mut().start_run();
        let strategy = DporRun {
            rec: rec.clone(),
            plan: plan.clone(),
        };
        let res = catch_unwind(AssertUnwindSafe(|| {
            let b = Sim::builder()
                .seed(seed)
                .schedule_seed(seed)
                .strategy_boxed(Box::new(strategy))
                .trace(TraceMode::Digest)
                .run_window(Time::MAX)
                .recorder(rec.clone());
            let mut sim = setup(b);
            match self.faults.install(&mut sim) {
                Ok(()) => sim.run(),
                Err(e) => super::faults::FaultSet::refused(seed, "dpor".into(), e),
            }
        }));
        match res {
            Ok(r) => r,
            Err(p) => {
                RunReport::setup_panicked(seed, "dpor".into(), crate::world::panic_message(&*p))
            }
        }
    }
}

/// One run of an exhaustive exploration, as a [`Strategy`]: follows its
/// plan, reading the candidates' actors from the footprint record.
#[derive(Debug)]
struct DporRun {
    rec: Rec,
    plan: Rc<RefCell<Plan>>,
}

impl Strategy for DporRun {
    fn name(&self) -> String {
        "dpor".into()
    }

    fn start(&mut self, _seed: u64) {}

    fn pick(&mut self, enabled: &[Event]) -> usize {
        self.choose(&Choice::of(enabled))
    }

    fn choose(&mut self, _c: &Choice<'_>) -> usize {
        let rec = self.rec.borrow();
        self.plan.borrow_mut().pick(&rec.steps, &rec.candidates)
    }

    fn diverged(&self) -> Option<String> {
        self.plan.borrow().diverged.clone()
    }
}
