//! `Sim` and its builder: the public entry point.
//!
//! ```
//! use sim_core::{Sim, Term, Time};
//!
//! let mut sim = Sim::builder().seed(7).nodes(["a@sim", "b@sim"]).build().unwrap();
//! sim.spawn("a@sim", |cx| async move {
//!     let p = cx.spawn_on("b@sim", |c| async move {
//!         let (from, msg) = match &c.recv().await {
//!             Term::Tuple(t) if t.len() == 2 => (t[0].clone(), t[1].clone()),
//!             _ => return Ok(Term::atom("bad")),
//!         };
//!         if let Term::Pid(from) = from { c.send(from, msg).await?; }
//!         Ok(Term::atom("done"))
//!     }).await?;
//!     cx.send(p, Term::tuple([Term::Pid(cx.self_pid()), Term::atom("ping")])).await?;
//!     let echo = cx.recv().await;
//!     cx.check(echo == Term::atom("ping"), "echoed")?;
//!     Ok(echo)
//! }).unwrap();
//! let report = sim.run();
//! report.assert_ok();
//! assert!(report.time > Time::ZERO, "the network has latency");
//! ```

use crate::body::BoxFuture;
use crate::cx::{boxed_body, Cx};
use crate::exception::Exception;
use crate::id::{NodeId, Pid};
use crate::report::RunReport;
use crate::term::{Atom, Term};
use crate::time::Time;
use crate::trace::TraceMode;
use crate::world::{ActionError, Control, ControlAction, Next, ProcKey, World};
use std::cell::RefCell;
use std::future::Future;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

mod end_check;
use end_check::EndChecks;
mod builder;
mod dist;
pub use crate::world::DEFAULT_PROCESS_LIMIT;
pub use builder::SimBuilder;

/// Misuse of the builder or of `Sim` (never an Erlang outcome).
///
/// ```
/// use sim_core::{Sim, SimError};
/// let err = Sim::builder().build().unwrap_err();
/// assert_eq!(err, SimError::NoNodes);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// A simulation needs at least one node.
    #[error("a simulation needs at least one node")]
    NoNodes,
    /// A node name that OTP would not let a distributed node take (see
    /// [`SimBuilder::nodes`] for the rule).
    #[error("invalid node name {0:?}: expected `Name@Host`, Name of letters, digits, `_` and `-`, Host of printable characters without spaces")]
    InvalidNodeName(String),
    /// Two nodes share a name.
    #[error("node `{0}` is defined twice")]
    DuplicateNode(String),
    /// A setting or spawn names a node the simulation does not have.
    #[error("unknown node `{0}`")]
    UnknownNode(String),
    /// The node is down (crashed and not restarted).
    #[error("node `{0}` is down")]
    NodeDown(String),
    /// The node's process limit is reached.
    #[error("node `{0}` has reached its process limit")]
    SystemLimit(String),
    /// A bandwidth of zero bytes per second (nothing would ever arrive).
    #[error("a bandwidth must be at least 1 byte per second")]
    ZeroBandwidth,
    /// A `dist_buf_busy_limit` of zero bytes (every send would suspend).
    #[error("dist_buf_busy_limit must be at least 1 byte")]
    ZeroBusyLimit,
    /// A scheduled action refused by its [`ControlAction::validate`] for a
    /// reason other than an unknown node (which is [`SimError::UnknownNode`]).
    #[error("cannot schedule `{action}`: {reason}")]
    InvalidAction {
        /// The action's [`ControlAction::describe`].
        action: String,
        /// Why it was refused.
        reason: String,
    },
}

/// Whether `n` is a node name OTP 25 lets a distributed node take: `Name@Host`
/// with exactly one `@`, `Name` of one or more ASCII letters, digits, `_` and
/// `-` (`net_kernel`'s `^[0-9A-Za-z_\\-]+$`), `Host` of one or more characters
/// from `!` to `ÿ` (U+0021..=U+00FF: no space, no control character below
/// `!`), and at most 255 characters in all (an atom's limit).
///
/// Real OTP's host pattern also lets one trailing newline through (PCRE's `$`
/// matches before a final `\n`); that is an accident of the regex, not a rule,
/// so it is rejected here. Short and long names are not told apart: a dotted
/// host is accepted.
pub(crate) fn valid_node_name(n: &str) -> bool {
    let Some((name, host)) = n.split_once('@') else {
        return false;
    };
    let name_ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    // A second `@` is refused by OTP's distribution (`invalid node name`).
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| ('!'..='\u{ff}').contains(&c) && c != '@');
    name_ok && host_ok && n.chars().count() <= crate::term::MAX_ATOM_CHARS
}

fn action_error(action: &dyn ControlAction, e: ActionError) -> SimError {
    match e {
        ActionError::UnknownNode(n) => SimError::UnknownNode(n),
        ActionError::Invalid(reason) => SimError::InvalidAction {
            action: action.describe(),
            reason,
        },
    }
}

/// A simulation: nodes, processes, network, scheduler.
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
/// let pid = sim.spawn("a@sim", |_cx| async move { Ok(Term::Int(1)) }).unwrap();
/// let report = sim.run();
/// report.assert_ok();
/// assert_eq!(report.results[0], (pid, Some(Ok(Term::Int(1)))));
/// ```
pub struct Sim {
    world: Rc<RefCell<World>>,
    end_checks: EndChecks,
}

impl Sim {
    /// The world, for the explorer's set-up of a run.
    pub(crate) fn world_mut(&mut self) -> std::cell::RefMut<'_, crate::world::World> {
        self.world.borrow_mut()
    }
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let w = self.world.borrow();
        f.debug_struct("Sim")
            .field("seed", &w.seed)
            .field("steps", &w.clock.steps())
            .field("now", &w.clock.now())
            .finish()
    }
}

impl Sim {
    /// A new builder.
    pub fn builder() -> SimBuilder {
        SimBuilder::new()
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.world.borrow().seed
    }

    /// The id of a node.
    pub fn node_id(&self, name: &str) -> Option<NodeId> {
        self.world.borrow().node_id(Atom::new(name))
    }

    /// Virtual time now.
    pub fn now(&self) -> Time {
        self.world.borrow().clock.now()
    }

    fn spawn_with<F, Fut>(&mut self, node: &str, body: F, foreground: bool) -> Result<Pid, SimError>
    where
        F: FnOnce(Cx) -> Fut + 'static,
        Fut: Future<Output = Result<Term, Exception>> + 'static,
    {
        let mut w = self.world.borrow_mut();
        let id = w
            .node_id(Atom::new(node))
            .ok_or_else(|| SimError::UnknownNode(node.to_string()))?;
        if !w.node_up(id) {
            return Err(SimError::NodeDown(node.to_string()));
        }
        if !w.has_room(id) {
            return Err(SimError::SystemLimit(node.to_string()));
        }
        let pid = w
            .spawn_process(id, None, foreground, boxed_body(body))
            .ok_or_else(|| SimError::SystemLimit(node.to_string()))?;
        w.drain_local();
        Ok(pid)
    }

    /// Spawns a foreground process: the run completes when every foreground
    /// process has exited, and its result is in [`RunReport::results`].
    pub fn spawn<F, Fut>(&mut self, node: &str, body: F) -> Result<Pid, SimError>
    where
        F: FnOnce(Cx) -> Fut + 'static,
        Fut: Future<Output = Result<Term, Exception>> + 'static,
    {
        self.spawn_with(node, body, true)
    }

    /// Spawns a background process (a server): the run does not wait for it.
    pub fn spawn_background<F, Fut>(&mut self, node: &str, body: F) -> Result<Pid, SimError>
    where
        F: FnOnce(Cx) -> Fut + 'static,
        Fut: Future<Output = Result<Term, Exception>> + 'static,
    {
        self.spawn_with(node, body, false)
    }

    /// Runs `action` at virtual time `at` (a fault, a heal, a crash).
    ///
    /// The action is checked first ([`ControlAction::validate`]): one naming a
    /// node the simulation does not have is refused with
    /// [`SimError::UnknownNode`], as [`Sim::spawn`] refuses it, and nothing is
    /// scheduled. A panic inside the action when it runs ends the run with
    /// [`crate::Outcome::ActionPanicked`].
    ///
    /// ```
    /// use sim_core::{Control, Sim, Time};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.at(Time::ms(1), |c: &mut Control<'_>| c.record("one millisecond in")).unwrap();
    /// sim.run().assert_ok();
    /// ```
    pub fn at(&mut self, at: Time, action: impl ControlAction) -> Result<(), SimError> {
        let mut w = self.world.borrow_mut();
        w.validate_action(&action)
            .map_err(|e| action_error(&action, e))?;
        w.schedule_control(at, Box::new(action));
        Ok(())
    }

    /// Runs `action` once `steps` scheduler steps have been taken, checked as
    /// [`Sim::at`] checks it.
    ///
    /// ```
    /// use sim_core::{Control, Sim, Term};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |_cx| async move { Ok(Term::Int(1)) }).unwrap();
    /// sim.after_steps(1, |c: &mut Control<'_>| c.record("after the first step")).unwrap();
    /// sim.run().assert_ok();
    /// ```
    pub fn after_steps(&mut self, steps: u64, action: impl ControlAction) -> Result<(), SimError> {
        let mut w = self.world.borrow_mut();
        w.validate_action(&action)
            .map_err(|e| action_error(&action, e))?;
        w.schedule_control_at_step(steps, Box::new(action));
        Ok(())
    }

    /// Runs `action` now, between steps.
    pub fn control<R>(&mut self, action: impl FnOnce(&mut Control<'_>) -> R) -> R {
        let mut w = self.world.borrow_mut();
        let r = action(&mut Control { w: &mut w });
        w.drain_local();
        r
    }

    /// Changes what the run keeps of its trace (before or between runs).
    ///
    /// ```
    /// use sim_core::{Sim, Term, TraceMode};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.set_trace_mode(TraceMode::Full);
    /// sim.spawn("a@sim", |_cx| async move { Ok(Term::Int(1)) }).unwrap();
    /// assert!(!sim.run().trace.is_empty());
    /// ```
    pub fn set_trace_mode(&mut self, mode: TraceMode) {
        self.world.borrow_mut().tracer.mode = mode;
    }

    /// Switches off planned actions (numbered in the order `at`/`after_steps`
    /// scheduled them before the run), as a shrinker does to remove faults.
    ///
    /// ```
    /// use sim_core::{Sim, Term, Time, Control};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.at(Time::ms(1), |c: &mut Control<'_>| c.record("skipped")).unwrap();
    /// sim.suppress_actions(&[0]);
    /// let r = sim.run();
    /// assert_eq!(r.suppressed, vec![0]);
    /// ```
    pub fn suppress_actions(&mut self, indices: &[usize]) {
        self.world.borrow_mut().actions.suppress(indices);
    }

    /// Switches off the faults `keys` (see [`crate::Control::admit_fault`]):
    /// each is recorded as suppressed instead of applied. The explorer's
    /// shrinker uses it to remove faults one by one, including single faults
    /// a fault injector drew.
    ///
    /// ```
    /// use sim_core::{Control, FaultKey, Sim, Time};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.at(Time::ms(1), |c: &mut Control<'_>| { c.admit_fault("one"); }).unwrap();
    /// let key = FaultKey { time: Time::ms(1), nth: 0 };
    /// sim.suppress_faults(&[key]);
    /// let r = sim.run();
    /// assert!(r.faults.is_empty());
    /// assert_eq!(r.suppressed_faults, vec![key]);
    /// ```
    pub fn suppress_faults(&mut self, keys: &[crate::report::FaultKey]) {
        self.world.borrow_mut().fault_log.suppress(keys);
    }

    /// Moves faults in time (see [`crate::FaultRetime`]): the explorer's
    /// shrinker uses it to apply a fault later than it was asked for and to
    /// end the window it opens earlier. A fault asked for through
    /// [`crate::Control::fault_admission`] honours it.
    ///
    /// ```
    /// use sim_core::{Control, FaultKey, FaultRetime, Sim, Time};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.at(Time::ms(1), |c: &mut Control<'_>| { c.admit_fault("one"); }).unwrap();
    /// let key = FaultKey { time: Time::ms(1), nth: 0 };
    /// // A fault that cannot move is applied when asked for.
    /// sim.retime_faults(&[FaultRetime { key, at: Some(Time::ms(5)), until: None }]);
    /// assert_eq!(sim.run().faults[0].at, Time::ms(1));
    /// ```
    pub fn retime_faults(&mut self, retimes: &[crate::report::FaultRetime]) {
        self.world.borrow_mut().fault_log.set_retimes(retimes);
    }

    /// Adds an end-of-run check: once the run has completed, `check` reads
    /// its report and anything the processes recorded, and `Err(message)`
    /// fails the run with [`crate::Outcome::EndCheckFailed`] (a panic in
    /// `check` fails it too, with the panic's message). Checks run in the
    /// order they were added, once, and only on a run that completed: a run
    /// that already failed keeps its own outcome.
    ///
    /// Ghost state, the facts the processes record for the check, is shared
    /// through an `Rc`: the program creates it, gives a clone to each process
    /// that records and one to the check. Built inside the closure given to an
    /// explorer, it is fresh in every run.
    ///
    /// ```
    /// use sim_core::{Outcome, Sim, Term};
    /// use std::{cell::RefCell, rc::Rc};
    ///
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// let acked: Rc<RefCell<Vec<i64>>> = Rc::default();
    /// for i in 0..3 {
    ///     let acked = acked.clone();
    ///     sim.spawn("a@sim", move |_cx| async move {
    ///         acked.borrow_mut().push(i);
    ///         Ok(Term::Int(i))
    ///     }).unwrap();
    /// }
    /// sim.check_end(move |_report| match acked.borrow().len() {
    ///     4 => Ok(()),
    ///     n => Err(format!("{n} of 4 writes acknowledged")),
    /// });
    /// let report = sim.run();
    /// assert_eq!(
    ///     report.outcome,
    ///     Outcome::EndCheckFailed { message: "3 of 4 writes acknowledged".into() }
    /// );
    /// ```
    pub fn check_end(&mut self, check: impl Fn(&RunReport) -> Result<(), String> + 'static) {
        self.end_checks.push(Box::new(check));
    }

    /// Runs until the run ends (see [`crate::Outcome`]), applies the
    /// end-of-run checks ([`Sim::check_end`]) and reports. Calling it again
    /// after an outcome returns the same report.
    pub fn run(&mut self) -> RunReport {
        let mut report = self.run_steps();
        self.end_checks.apply(&mut report);
        report
    }

    fn run_steps(&mut self) -> RunReport {
        // The future being polled is kept here, outside the frames a panic in
        // process code unwinds: the panic is caught once per run (and once
        // more per panic), not once per poll, and the future is still at hand
        // to be put in the graveyard as the crash of its process.
        let mut polling: Option<(ProcKey, BoxFuture)> = None;
        let mut dead: Vec<BoxFuture> = Vec::new();
        let mut next = self.world.borrow_mut().next_step();
        loop {
            let run = catch_unwind(AssertUnwindSafe(|| {
                self.step_loop(next, &mut polling, &mut dead);
            }));
            let Err(panic) = run else { break };
            // Only a poll hands its panic to the process; anything else is
            // the simulator's own, and goes on unwinding.
            let Some((key, fut)) = polling.take() else {
                resume_unwind(panic)
            };
            {
                let mut w = self.world.borrow_mut();
                w.after_poll(key, fut, Err(panic));
                std::mem::swap(&mut w.graveyard, &mut dead);
            }
            // Futures of dead processes are dropped outside the world's
            // borrow, before the next step is chosen.
            dead.clear();
            next = self.world.borrow_mut().next_step();
        }
        self.world.borrow().report()
    }

    /// Takes steps from `next` until the run stops; the future being polled
    /// sits in `polling` while it is (see [`Sim::run_steps`]).
    fn step_loop(
        &self,
        mut next: Next,
        polling: &mut Option<(ProcKey, BoxFuture)>,
        dead: &mut Vec<BoxFuture>,
    ) {
        let mut cx = Context::from_waker(Waker::noop());
        // One world borrow per step: taking a polled future back and choosing
        // the next step share it (the poll itself runs outside any borrow).
        loop {
            match next {
                Next::Poll(key, fut) => {
                    let (_, fut) = polling.insert((key, fut));
                    let res = fut.as_mut().poll(&mut cx);
                    let Some((key, fut)) = polling.take() else {
                        // Put there just above: nothing else takes it.
                        return;
                    };
                    let mut w = self.world.borrow_mut();
                    // Every arm moves its part out, so nothing is left to drop
                    // on the common `Pending` path.
                    match res {
                        Poll::Pending => w.after_pending(key, fut),
                        Poll::Ready(r) => w.after_poll(key, fut, Ok(Poll::Ready(r))),
                    }
                    if !w.graveyard.is_empty() {
                        std::mem::swap(&mut w.graveyard, dead);
                    }
                    if dead.is_empty() {
                        next = w.next_step();
                        continue;
                    }
                }
                Next::Again => {
                    let mut w = self.world.borrow_mut();
                    if !w.graveyard.is_empty() {
                        std::mem::swap(&mut w.graveyard, dead);
                    }
                    if dead.is_empty() {
                        next = w.next_step();
                        continue;
                    }
                }
                Next::Stop => return,
            }
            // Futures of dead processes are dropped outside the world's borrow,
            // before the next step is chosen.
            dead.clear();
            next = self.world.borrow_mut().next_step();
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        // Process futures hold `Cx`, which holds the world: break the cycle.
        let futures = match self.world.try_borrow_mut() {
            Ok(mut w) => w.teardown(),
            Err(_) => Vec::new(),
        };
        drop(futures);
    }
}

#[cfg(test)]
mod tests {
    use crate::{Sim, Term};

    /// The panic of a poll is caught once per run and the loop goes on: a
    /// second panic later in the run is caught too, each crashes only its
    /// process (its monitor sees the reason), and the rest of the run goes on.
    #[test]
    fn every_panic_of_a_run_crashes_its_process_and_the_run_goes_on() {
        let mut sim = Sim::builder()
            .nodes(["a@sim"])
            .panic_is_failure(false)
            .build()
            .unwrap();
        sim.spawn("a@sim", |cx| async move {
            let mut reasons = Vec::new();
            for i in 0..2 {
                cx.spawn_monitor(move |c| async move {
                    c.yield_now().await;
                    if i < 2 {
                        panic!("boom {i}");
                    }
                    Ok(Term::atom("not reached"))
                })
                .await?;
                let down = cx.recv().await;
                let Term::Tuple(t) = &down else {
                    return Ok(Term::atom("not a 'DOWN'"));
                };
                reasons.push(t[4].clone());
            }
            cx.send(cx.self_pid(), Term::atom("after")).await?;
            let after = cx.recv().await;
            Ok(Term::tuple([Term::List(reasons), after]))
        })
        .unwrap();
        let r = sim.run();
        r.assert_ok();
        assert_eq!(r.panics.len(), 2, "{:?}", r.panics);
        let panic_reason = |i: i32| {
            Term::tuple([
                Term::tuple([
                    Term::atom("panic"),
                    Term::Binary(format!("boom {i}").into()),
                ]),
                Term::List(Vec::new()),
            ])
        };
        let want = Term::tuple([
            Term::List(vec![panic_reason(0), panic_reason(1)]),
            Term::atom("after"),
        ]);
        assert_eq!(r.value(0), Some(&want));
    }
}
