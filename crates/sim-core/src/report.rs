//! `RunReport`: how a run ended, what it cost, and what it did.

use crate::id::Pid;
use crate::sched::Schedule;
use crate::term::{Atom, Term};
use crate::time::Time;
use crate::trace::TraceRecord;
use indexmap::IndexMap;
use std::fmt;

/// How a run ended.
///
/// ```
/// use sim_core::Outcome;
/// assert!(Outcome::Completed.is_ok());
/// assert!(!Outcome::StepBudget { last: None }.is_ok());
/// ```
#[derive(Clone, PartialEq, Debug)]
#[non_exhaustive]
pub enum Outcome {
    /// Every foreground process exited (or, with none, nothing was left to do).
    Completed,
    /// A process's `cx.check` failed.
    CheckFailed {
        /// The process that checked.
        pid: Pid,
        /// The check's message.
        message: String,
    },
    /// A process body panicked (and panics count as failures; see
    /// `SimBuilder::panic_is_failure`).
    Panicked {
        /// The process.
        pid: Pid,
        /// The panic message.
        message: String,
    },
    /// A scheduled action (given to `Sim::at` or `Sim::after_steps`, a fault,
    /// a nemesis) panicked. The run ends there; the panic is also in the trace.
    ActionPanicked {
        /// The action's [`crate::ControlAction::describe`].
        action: String,
        /// The virtual time it ran at.
        time: Time,
        /// Scheduler steps taken when it ran.
        step: u64,
        /// The panic message.
        message: String,
    },
    /// The step budget ran out.
    StepBudget {
        /// The process that took the latest step: in a loop that never
        /// waits, the one looping.
        last: Option<Pid>,
    },
    /// The virtual-time budget ran out.
    TimeBudget,
    /// Nothing can ever become enabled again while a foreground process is alive.
    Deadlock {
        /// Every blocked process and what it waits for.
        blocked: Vec<Blocked>,
    },
    /// The run completed, and then an end-of-run check (`Sim::check_end`,
    /// `Explorer::check_end`) objected to it.
    EndCheckFailed {
        /// What the check said.
        message: String,
    },
    /// A process the test spawned ([`crate::Sim::spawn`]) exited with an
    /// abnormal reason, under the default [`crate::ExitPolicy::Foreground`].
    /// The run stopped there.
    ///
    /// ```
    /// use sim_core::{Exception, Outcome, Sim, Term};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |_cx| async move { Err(Exception::exit(Term::atom("boom"))) }).unwrap();
    /// let r = sim.run();
    /// assert_eq!(r.outcome.kind(), "process_exited");
    /// assert!(r.outcome.to_string().contains("boom"));
    /// ```
    ProcessExited {
        /// The process.
        pid: Pid,
        /// Its exit reason.
        reason: Term,
    },
    /// Under [`crate::ExitPolicy::AnyProcess`]: the run went to its end
    /// and had errors: every abnormal exit in the order it happened, then
    /// every process left blocked, in pid order.
    ///
    /// ```
    /// use sim_core::{ExitPolicy, Outcome, RunError, Sim, Term};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).exit_policy(ExitPolicy::AnyProcess).build().unwrap();
    /// sim.spawn_background("a@sim", |cx| async move { cx.recv().await; Ok(Term::atom("ok")) }).unwrap();
    /// let r = sim.run();
    /// let Outcome::Errors { errors } = &r.outcome else { panic!("{}", r.outcome) };
    /// assert!(matches!(&errors[..], [RunError::Blocked(_)]));
    /// ```
    Errors {
        /// The errors, in order.
        errors: Vec<RunError>,
    },
}

impl Outcome {
    /// `true` for [`Outcome::Completed`].
    ///
    /// ```
    /// use sim_core::Outcome;
    /// assert!(Outcome::Completed.is_ok());
    /// ```
    pub fn is_ok(&self) -> bool {
        matches!(self, Outcome::Completed)
    }

    /// A short stable name for the kind of outcome (used to compare failures
    /// while shrinking): `completed`, `check_failed`, `panicked`,
    /// `action_panicked`, `step_budget`, `time_budget`, `deadlock`,
    /// `end_check_failed`, `process_exited`, `errors`.
    ///
    /// ```
    /// use sim_core::Outcome;
    /// assert_eq!(Outcome::TimeBudget.kind(), "time_budget");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::CheckFailed { .. } => "check_failed",
            Outcome::Panicked { .. } => "panicked",
            Outcome::ActionPanicked { .. } => "action_panicked",
            Outcome::StepBudget { .. } => "step_budget",
            Outcome::TimeBudget => "time_budget",
            Outcome::Deadlock { .. } => "deadlock",
            Outcome::EndCheckFailed { .. } => "end_check_failed",
            Outcome::ProcessExited { .. } => "process_exited",
            Outcome::Errors { .. } => "errors",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Completed => f.write_str("completed"),
            Outcome::CheckFailed { pid, message } => write!(f, "check failed in {pid}: {message}"),
            Outcome::Panicked { pid, message } => write!(f, "process {pid} panicked: {message}"),
            Outcome::ActionPanicked {
                action,
                time,
                step,
                message,
            } => write!(
                f,
                "scheduled action `{action}` panicked at {time} (step {step}): {message}"
            ),
            Outcome::StepBudget { last: None } => f.write_str("step budget spent"),
            Outcome::StepBudget { last: Some(pid) } => {
                write!(f, "step budget spent (the latest step was {pid}'s)")
            }
            Outcome::TimeBudget => f.write_str("virtual-time budget spent"),
            Outcome::Deadlock { blocked } => {
                write!(f, "deadlock: {} blocked process(es)", blocked.len())?;
                for b in blocked {
                    write!(f, "\n  {b}")?;
                }
                Ok(())
            }
            Outcome::EndCheckFailed { message } => {
                write!(f, "end-of-run check failed: {message}")
            }
            Outcome::ProcessExited { pid, reason } => {
                write!(f, "process {pid} exited abnormally: {reason}")
            }
            Outcome::Errors { errors } => {
                write!(f, "{} error(s)", errors.len())?;
                for e in errors {
                    write!(f, "\n  {e}")?;
                }
                Ok(())
            }
        }
    }
}

/// One error of a run under [`crate::ExitPolicy::AnyProcess`].
///
/// ```
/// use sim_core::{Pid, RunError, Term};
/// let e = RunError::Exited { pid: Pid::new(0, 1, 1), reason: Term::atom("boom") };
/// assert_eq!(e.to_string(), "<0.1.1> exited abnormally: boom");
/// ```
#[derive(Clone, PartialEq, Debug)]
#[non_exhaustive]
pub enum RunError {
    /// A process exited with an abnormal reason.
    Exited {
        /// The process.
        pid: Pid,
        /// Its exit reason.
        reason: Term,
    },
    /// A process was blocked when the run ended (a deadlock).
    Blocked(Blocked),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Exited { pid, reason } => write!(f, "{pid} exited abnormally: {reason}"),
            RunError::Blocked(b) => write!(f, "blocked: {b}"),
        }
    }
}

/// A process that can never run again, and what it waits for.
///
/// ```
/// use sim_core::{Blocked, Pid, Atom};
/// let b = Blocked { pid: Pid::new(0, 1, 1), node: Atom::new("a@sim"), foreground: true, waiting_for: "receive".into(), mailbox_len: 0 };
/// assert!(b.to_string().contains("receive"));
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Blocked {
    /// The process.
    pub pid: Pid,
    /// Its node.
    pub node: crate::term::Atom,
    /// Whether the test spawned it directly.
    pub foreground: bool,
    /// What it waits for (`receive`, `receive after marker`, `a foreign future`).
    pub waiting_for: String,
    /// Messages in its mailbox that did not match.
    pub mailbox_len: usize,
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} on {}{} waits for {} ({} unmatched message(s))",
            self.pid,
            self.node.as_str(),
            if self.foreground { " (foreground)" } else { "" },
            self.waiting_for,
            self.mailbox_len
        )
    }
}

/// The books of every signal sent: at any moment each one is delivered, in
/// flight, held by a deferring cut, or dropped (by a named cause).
///
/// ```
/// use sim_core::SignalBooks;
/// let b = SignalBooks::default();
/// assert!(b.balanced());
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct SignalBooks {
    /// Signals sent.
    pub sent: u64,
    /// Signals that reached their destination node (including those discarded
    /// there because the target was gone).
    pub delivered: u64,
    /// Signals still travelling.
    pub in_flight: u64,
    /// Signals held by a deferring cut.
    pub held: u64,
    /// Signals lost, by cause.
    pub dropped: IndexMap<String, u64>,
}

impl SignalBooks {
    /// Total of all dropped signals.
    ///
    /// ```
    /// use sim_core::SignalBooks;
    /// assert_eq!(SignalBooks::default().dropped_total(), 0);
    /// ```
    pub fn dropped_total(&self) -> u64 {
        self.dropped.values().sum()
    }

    /// `sent == delivered + in_flight + held + dropped`.
    ///
    /// ```
    /// use sim_core::SignalBooks;
    /// let mut b = SignalBooks::default();
    /// b.sent = 2;
    /// b.delivered = 1;
    /// assert!(!b.balanced());
    /// b.in_flight = 1;
    /// assert!(b.balanced());
    /// ```
    pub fn balanced(&self) -> bool {
        self.sent == self.delivered + self.in_flight + self.held + self.dropped_total()
    }
}

/// What a run did and how it ended.
#[derive(Clone, Debug)]
pub struct RunReport {
    /// The data seed (user draws and fault draws follow from it).
    pub seed: u64,
    /// The schedule seed the strategy started from.
    pub schedule_seed: u64,
    /// Choice points at which the process that had just run could go on and
    /// the strategy switched away from it.
    pub preemptions: u64,
    /// The strategy's name.
    pub strategy: String,
    /// How it ended.
    pub outcome: Outcome,
    /// Scheduler steps taken.
    pub steps: u64,
    /// Virtual time at the end.
    pub time: Time,
    /// The rolling trace digest.
    pub digest: u64,
    /// The recorded choices (replaying them reproduces the run).
    pub schedule: Schedule,
    /// Signal accounting.
    pub books: SignalBooks,
    /// Processes that crashed with a panic: pid and message.
    pub panics: Vec<(Pid, String)>,
    /// Foreground processes in spawn order, with how they ended: `Ok(value)`
    /// when the body returned, `Err(exit_reason)` otherwise, `None` while alive.
    pub results: Vec<(Pid, Option<Result<Term, Term>>)>,
    /// The full trace, when recorded.
    pub trace: Vec<TraceRecord>,
    /// Set when a replayed schedule no longer fits the program: where and how.
    pub divergence: Option<String>,
    /// Actions (faults) scheduled before the run started, numbered from 0 in
    /// the order they were scheduled.
    pub planned_actions: usize,
    /// Planned actions that were switched off (by a shrinker).
    pub suppressed: Vec<usize>,
    /// Every fault the run applied, in order (a fault from sim-partition, or
    /// one a `Nemesis` drew): the faults of the run that a shrinker may
    /// remove one by one.
    pub faults: Vec<FaultEntry>,
    /// Faults that were switched off (by a shrinker).
    pub suppressed_faults: Vec<FaultKey>,
    /// Every suspension of a sender on a busy connection buffer, in order
    /// (empty unless a bandwidth is configured): what OTP's
    /// `erlang:system_monitor(Pid, [busy_dist_port])` reports.
    pub busy_dist_port: Vec<BusyDistPort>,
}

/// Which fault of a run: the virtual instant it was asked for and its
/// position among the faults asked for at that instant. Stable when other
/// faults are removed: a fault injector wakes at the same instants whatever
/// it did before.
///
/// ```
/// use sim_core::{FaultKey, Time};
/// let k = FaultKey { time: Time::ms(4), nth: 1 };
/// assert!(k > FaultKey { time: Time::ms(4), nth: 0 });
/// assert_eq!(k.to_string(), "4.000ms#1");
/// ```
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, serde::Serialize, serde::Deserialize,
)]
pub struct FaultKey {
    /// The virtual time it was asked for.
    pub time: Time,
    /// Its position among the faults asked for at that time (from 0).
    pub nth: u32,
}

impl fmt::Display for FaultKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.time, self.nth)
    }
}

/// A new timing for one fault of a run, as a shrinker writes it: the fault
/// `key` (its key in the run it was first recorded in) is applied at `at`
/// instead (never earlier than it was asked for), and the window it opens
/// (a cut until healed, a node down until restarted, a congestion) ends at
/// `until` (never before the fault). `None` keeps what the run does.
///
/// A fault honours `at` when it asks through
/// [`crate::Control::fault_admission`] (every sim-partition fault does);
/// `until` when it also opens a window.
///
/// ```
/// use sim_core::{FaultKey, FaultRetime, Time};
/// let key = FaultKey { time: Time::ms(4), nth: 0 };
/// let r = FaultRetime { key, at: Some(Time::ms(9)), until: Some(Time::ms(10)) };
/// assert_eq!(r.to_string(), "4.000ms#0 at 9.000ms until 10.000ms");
/// ```
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, serde::Serialize, serde::Deserialize,
)]
pub struct FaultRetime {
    /// Which fault.
    pub key: FaultKey,
    /// When it is applied instead (`None`: when it is asked for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Time>,
    /// When the window it opens ends (`None`: when the run ends it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Time>,
}

impl fmt::Display for FaultRetime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.key)?;
        if let Some(t) = self.at {
            write!(f, " at {t}")?;
        }
        if let Some(t) = self.until {
            write!(f, " until {t}")?;
        }
        Ok(())
    }
}

/// One fault a run applied: which one, what it was, when it was applied
/// (later than its key's time when a shrinker moved it), whether it opens a
/// window, and when its window was made to end (see [`FaultRetime`]).
///
/// ```
/// use sim_core::{Control, FaultEntry, FaultKey, Sim, Time};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.at(Time::ms(1), |c: &mut Control<'_>| {
///     if c.admit_fault("cut a-b") {
///         let (a, b) = (c.node_id("a@sim").unwrap(), c.node_id("b@sim").unwrap());
///         c.disconnect(a, b, "cut");
///     }
/// }).unwrap();
/// let r = sim.run();
/// let key = FaultKey { time: Time::ms(1), nth: 0 };
/// let entry = FaultEntry { key, what: "cut a-b".into(), at: Time::ms(1), window: false, until: None };
/// assert_eq!(r.faults, vec![entry]);
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FaultEntry {
    /// Which fault.
    pub key: FaultKey,
    /// Its description.
    pub what: String,
    /// When it was applied.
    pub at: Time,
    /// Whether it opens a window a shrinker may shorten.
    pub window: bool,
    /// When its window was made to end, if a [`FaultRetime`] said so.
    pub until: Option<Time>,
}

/// One suspension of a sender on a busy connection buffer (OTP's
/// `{monitor, Pid, busy_dist_port, Port}`), with when it ended.
///
/// ```
/// use sim_core::{Atom, BusyDistPort, Pid, Time};
/// let e = BusyDistPort {
///     pid: Pid::new(0, 1, 1),
///     from: Atom::new("a@sim"),
///     to: Atom::new("b@sim"),
///     suspended: Time::ZERO,
///     resumed: Some(Time::ms(900)),
/// };
/// assert_eq!(e.duration(), Some(Time::ms(900)));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct BusyDistPort {
    /// The suspended sender.
    pub pid: Pid,
    /// The sender's node.
    pub from: Atom,
    /// The node the busy connection leads to.
    pub to: Atom,
    /// When it was suspended.
    pub suspended: Time,
    /// When it was resumed (`None`: still suspended when the run ended, or
    /// it died suspended).
    pub resumed: Option<Time>,
}

impl BusyDistPort {
    /// How long it was suspended, if it was resumed.
    ///
    /// ```
    /// use sim_core::{Atom, BusyDistPort, Pid, Time};
    /// let mut e = BusyDistPort { pid: Pid::new(0, 1, 1), from: Atom::new("a@sim"), to: Atom::new("b@sim"), suspended: Time::ms(1), resumed: None };
    /// assert_eq!(e.duration(), None);
    /// e.resumed = Some(Time::ms(3));
    /// assert_eq!(e.duration(), Some(Time::ms(2)));
    /// ```
    pub fn duration(&self) -> Option<Time> {
        self.resumed.map(|r| r.saturating_sub(self.suspended))
    }
}

impl RunReport {
    /// Panics with the whole report unless the run completed and, if it was a
    /// replay, followed its schedule to the end: a diverged replay says nothing
    /// about the run it was meant to reproduce, so it is a failure too.
    ///
    /// ```
    /// use sim_core::{Sim, Term};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |_cx| async move { Ok(Term::Int(1)) }).unwrap();
    /// sim.run().assert_ok();
    /// ```
    pub fn assert_ok(&self) {
        self.assert_ok_inner();
    }

    /// What the `i`th foreground process returned (`None` if it did not return
    /// normally or is still alive).
    ///
    /// ```
    /// use sim_core::{Sim, Term};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |_cx| async move { Ok(Term::Int(5)) }).unwrap();
    /// assert_eq!(sim.run().value(0), Some(&Term::Int(5)));
    /// ```
    pub fn value(&self, i: usize) -> Option<&Term> {
        match self.results.get(i) {
            Some((_, Some(Ok(v)))) => Some(v),
            _ => None,
        }
    }

    /// The one line that reruns this run: a run is a function of its
    /// program and seeds, so the same program built with these seeds fails
    /// the same way.
    ///
    /// ```
    /// use sim_core::{Sim, Term};
    /// let mut sim = Sim::builder().seed(3).schedule_seed(8).nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move { cx.check(false, "no")?; Ok(Term::Int(1)) }).unwrap();
    /// let r = sim.run();
    /// assert!(r.replay_line().starts_with("Sim::builder().seed(3).schedule_seed(8)"));
    /// assert_eq!(r.to_string().matches(&r.replay_line()).count(), 1);
    /// ```
    pub fn replay_line(&self) -> String {
        let seeds = if self.seed == self.schedule_seed {
            format!(".seed({})", self.seed)
        } else {
            format!(".seed({}).schedule_seed({})", self.seed, self.schedule_seed)
        };
        format!("Sim::builder(){seeds} with the same program and strategy reruns this run")
    }

    fn assert_ok_inner(&self) {
        if !self.outcome.is_ok() {
            panic!("simulation failed\n{self}");
        }
        if let Some(d) = &self.divergence {
            panic!("the replay diverged from its schedule: {d}\n{self}");
        }
    }
}

impl fmt::Display for RunReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "outcome:  {}", self.outcome)?;
        writeln!(
            f,
            "seed:     {} (schedule seed {})",
            self.seed, self.schedule_seed
        )?;
        writeln!(f, "strategy: {}", self.strategy)?;
        writeln!(
            f,
            "steps:    {} ({} choices, {} preemptions), virtual time {}",
            self.steps,
            self.schedule.len(),
            self.preemptions,
            self.time
        )?;
        writeln!(f, "digest:   {:016x}", self.digest)?;
        if !self.outcome.is_ok() {
            writeln!(f, "replay:   {}", self.replay_line())?;
        }
        if let Some(d) = &self.divergence {
            writeln!(f, "replay diverged: {d}")?;
        }
        for (pid, msg) in &self.panics {
            writeln!(f, "panic in {pid}: {msg}")?;
        }
        let tail = self.trace.len().saturating_sub(10);
        if !self.trace.is_empty() {
            writeln!(f, "last events:")?;
            for r in &self.trace[tail..] {
                writeln!(f, "  step {} at {}: {}", r.step, r.time, r.event)?;
            }
        }
        Ok(())
    }
}
