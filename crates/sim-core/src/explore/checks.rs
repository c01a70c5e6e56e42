//! End-of-run checks of an exploration: a check on every run's report, and
//! a program that builds its ghost state with the simulation, fresh in each
//! run, for a check that reads it.

use super::{Exploration, Explorer};
use crate::report::RunReport;
use crate::sim::{Sim, SimBuilder};
use std::fmt;
use std::panic::RefUnwindSafe;
use std::sync::Arc;

type Hook = dyn Fn(&RunReport) -> Result<(), String> + Send + Sync + RefUnwindSafe;

/// A check given to [`Explorer::check_end`], shared by the worker threads.
#[derive(Clone)]
pub(crate) struct EndHook(Arc<Hook>);

impl fmt::Debug for EndHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EndHook")
    }
}

impl EndHook {
    /// Adds the check to one run's simulation.
    pub(crate) fn install(&self, sim: &mut Sim) {
        let hook = self.0.clone();
        sim.check_end(move |report| hook(report));
    }
}

impl Explorer {
    /// Adds an end-of-run check to every run: once a run has completed,
    /// `check` reads its report, and `Err(message)` fails the run with
    /// [`crate::Outcome::EndCheckFailed`], which is shrunk, written out and
    /// replayed as a failed [`crate::Cx::check`] is. To read state the
    /// processes recorded, use [`Explorer::run_checked`] (or
    /// [`Sim::check_end`] inside the program).
    ///
    /// ```
    /// use sim_core::{Explorer, Outcome, Term};
    /// let r = Explorer::new("no lost messages")
    ///     .iterations(20)
    ///     .write_files(false)
    ///     .quiet(true)
    ///     .check_end(|report| match report.books.dropped_total() {
    ///         0 => Ok(()),
    ///         n => Err(format!("{n} signal(s) dropped")),
    ///     })
    ///     .run(|b| {
    ///         let mut sim = b.nodes(["a@sim"]).build().unwrap();
    ///         sim.spawn("a@sim", |_| async move { Ok(Term::Int(1)) }).unwrap();
    ///         sim
    ///     });
    /// assert!(r.failure.is_none());
    /// ```
    pub fn check_end<C>(mut self, check: C) -> Explorer
    where
        C: Fn(&RunReport) -> Result<(), String> + Send + Sync + RefUnwindSafe + 'static,
    {
        self.end_checks.push(EndHook(Arc::new(check)));
        self
    }

    /// [`Explorer::run`] for a program that also builds ghost state: `setup`
    /// returns the simulation and the state its processes record into (an
    /// `Rc<RefCell<..>>`, a `sim_history::Recorder`), made afresh in every
    /// run; once a run has completed, `check` reads its report and that
    /// state, and `Err(message)` fails the run with
    /// [`crate::Outcome::EndCheckFailed`]. The state never leaves the run's
    /// thread, so it need not be `Send`.
    ///
    /// ```
    /// use sim_core::{Explorer, Outcome, Term};
    /// use std::{cell::RefCell, rc::Rc};
    ///
    /// // Two writers each add 1 to a shared counter with a read then a write:
    /// // an interleaving loses an update, which only the end of the run sees.
    /// let r = Explorer::new("lost update")
    ///     .seeds(0..200)
    ///     .write_files(false)
    ///     .quiet(true)
    ///     .run_checked(
    ///         |b| {
    ///             let mut sim = b.nodes(["a@sim"]).build().unwrap();
    ///             let counter: Rc<RefCell<i64>> = Rc::default();
    ///             for _ in 0..2 {
    ///                 let counter = counter.clone();
    ///                 sim.spawn("a@sim", move |cx| async move {
    ///                     let seen = *counter.borrow();
    ///                     cx.sleep(sim_core::Time::ms(1)).await;
    ///                     *counter.borrow_mut() = seen + 1;
    ///                     Ok(Term::Int(seen))
    ///                 }).unwrap();
    ///             }
    ///             (sim, counter)
    ///         },
    ///         |_report, counter| match *counter.borrow() {
    ///             2 => Ok(()),
    ///             n => Err(format!("counter is {n}, want 2")),
    ///         },
    ///     );
    /// let failure = r.failure.expect("both read 0 before either writes");
    /// assert_eq!(failure.outcome, Outcome::EndCheckFailed { message: "counter is 1, want 2".into() });
    /// ```
    pub fn run_checked<F, S, C>(&self, setup: F, check: C) -> Exploration
    where
        F: Fn(SimBuilder) -> (Sim, S) + Sync,
        S: 'static,
        C: Fn(&RunReport, &S) -> Result<(), String> + Send + Sync + 'static,
    {
        let check = Arc::new(check);
        self.run(move |b| {
            let (mut sim, state) = setup(b);
            let check = check.clone();
            sim.check_end(move |report| check(report, &state));
            sim
        })
    }
}
