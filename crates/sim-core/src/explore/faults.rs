//! The fault set of an exhaustive exploration: faults that may happen at
//! any step, each at most once, at most `max_faults` in all.
//!
//! The explorer installs them in every run of [`Explorer::exhaustive`] (and
//! in the replay of one of its failures), where the world offers each as an
//! event (`world::optional`) and DPOR explores its placements.

use super::Explorer;
use crate::id::Pid;
use crate::report::{Outcome, RunReport};
use crate::sim::Sim;
use crate::world::{MakeFault, Optional};
use crate::ControlAction;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::panic::RefUnwindSafe;
use std::sync::Arc;

/// What a replay file records of an exploration's fault set: the faults'
/// descriptions, in order, and at most how many a run takes.
///
/// ```
/// use sim_core::MayFaults;
/// let m = MayFaults { faults: vec!["isolate b@sim".into()], max: 1 };
/// assert!(!m.is_empty());
/// assert_eq!(m.to_string(), "up to one of [isolate b@sim]");
/// assert!(MayFaults::default().is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MayFaults {
    /// Each fault's description ([`ControlAction::describe`]).
    pub faults: Vec<String>,
    /// At most how many faults one run takes.
    pub max: u32,
}

impl MayFaults {
    /// Whether there is no fault to take.
    pub fn is_empty(&self) -> bool {
        self.faults.is_empty() || self.max == 0
    }
}

impl fmt::Display for MayFaults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bound = match self.max {
            1 => "one".to_string(),
            n => n.to_string(),
        };
        write!(f, "up to {bound} of [{}]", self.faults.join(", "))
    }
}

/// The faults an explorer was given.
#[derive(Clone)]
pub(crate) struct FaultSet {
    faults: Vec<(String, MakeFault)>,
    max: u32,
    /// Whether runs take them (exhaustive explorations and their replays).
    pub(crate) active: bool,
}

impl Default for FaultSet {
    fn default() -> FaultSet {
        FaultSet {
            faults: Vec::new(),
            max: 1,
            active: false,
        }
    }
}

impl fmt::Debug for FaultSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.recorded().to_string())
    }
}

impl FaultSet {
    /// What a replay file records.
    pub(crate) fn recorded(&self) -> MayFaults {
        if self.faults.is_empty() {
            return MayFaults::default();
        }
        MayFaults {
            faults: self.faults.iter().map(|(d, _)| d.clone()).collect(),
            max: self.max,
        }
    }

    /// Offers the faults to one run (when active), after checking each
    /// against the simulation's nodes as `Sim::at` does.
    pub(crate) fn install(&self, sim: &mut Sim) -> Result<(), String> {
        if !self.active || self.faults.is_empty() {
            return Ok(());
        }
        let mut w = sim.world_mut();
        for (what, make) in &self.faults {
            w.validate_action(&*make())
                .map_err(|e| format!("the fault set refuses `{what}`: {e}"))?;
        }
        let makers = self.faults.iter().map(|(_, m)| m.clone()).collect();
        w.optional = Optional::new(makers, self.max);
        Ok(())
    }

    /// The report of a run whose fault set was refused.
    pub(crate) fn refused(seed: u64, strategy: String, message: String) -> RunReport {
        let mut r = RunReport::setup_panicked(seed, strategy, String::new());
        r.outcome = Outcome::Panicked {
            pid: Pid::new(0, 0, 0),
            message,
        };
        r
    }
}

impl Explorer {
    /// In an exhaustive exploration, `fault` may happen at any step (at most
    /// once), or never: every placement of it is explored, with the same
    /// reduction as the processes' steps, and so is the run without it. A
    /// run takes at most [`Explorer::max_faults`] of the faults given
    /// (default one). The fault is applied at the instant of its step, as a
    /// scheduled action is (a sim-partition fault is listed in the report's
    /// `faults`); ordinary explorations ignore the fault set.
    ///
    /// A fault is dependent with every step, so each of its placements is an
    /// interleaving of its own: a fault multiplies the count by about the
    /// length of a run.
    ///
    /// ```
    /// use sim_core::{Control, ControlAction, Explorer, Term};
    /// #[derive(Clone)]
    /// struct Crash(&'static str);
    /// impl ControlAction for Crash {
    ///     fn run(self: Box<Self>, c: &mut Control<'_>) {
    ///         if c.admit_fault(&self.describe()) {
    ///             if let Some(id) = c.node_id(self.0) { c.crash(id, "test"); }
    ///         }
    ///     }
    ///     fn describe(&self) -> String { format!("crash {}", self.0) }
    /// }
    /// let r = Explorer::new("crash b").quiet(true).write_files(false)
    ///     .may_fault(Crash("b@sim"))
    ///     .exhaustive(|b| {
    ///         let mut sim = b.nodes(["a@sim", "b@sim"]).build().unwrap();
    ///         sim.spawn("a@sim", |cx| async move {
    ///             cx.send(cx.self_pid(), Term::Int(1)).await?;
    ///             Ok(cx.recv().await)
    ///         }).unwrap();
    ///         sim
    ///     });
    /// assert!(r.complete && r.failure.is_none());
    /// assert!(r.to_string().contains("with up to one of [crash b@sim], all checked"), "{r}");
    /// ```
    pub fn may_fault<A>(self, fault: A) -> Explorer
    where
        A: ControlAction + Clone + Send + Sync + RefUnwindSafe,
    {
        let what = fault.describe();
        self.may_fault_with(&what, move || Box::new(fault.clone()))
    }

    /// [`Explorer::may_fault`] for each of `faults`: with the default
    /// [`Explorer::max_faults`] of one, a run takes any one of them or none.
    ///
    /// ```
    /// use sim_core::{Control, Explorer};
    /// #[derive(Clone)]
    /// struct Note(&'static str);
    /// impl sim_core::ControlAction for Note {
    ///     fn run(self: Box<Self>, c: &mut Control<'_>) { c.record(self.0); }
    ///     fn describe(&self) -> String { self.0.to_string() }
    /// }
    /// let _ = Explorer::new("either").may_fault_one_of([Note("x"), Note("y")]);
    /// ```
    pub fn may_fault_one_of<A, I>(self, faults: I) -> Explorer
    where
        A: ControlAction + Clone + Send + Sync + RefUnwindSafe,
        I: IntoIterator<Item = A>,
    {
        faults.into_iter().fold(self, Explorer::may_fault)
    }

    /// [`Explorer::may_fault`] with a description and a maker of a fresh
    /// action for each run that takes it (for an action that is not
    /// `Clone`, such as a closure over `Control`).
    ///
    /// ```
    /// use sim_core::{Control, ControlAction, Explorer};
    /// let _ = Explorer::new("note").may_fault_with("note", || {
    ///     Box::new(|c: &mut Control<'_>| c.record("note")) as Box<dyn ControlAction>
    /// });
    /// ```
    pub fn may_fault_with<M>(mut self, what: &str, make: M) -> Explorer
    where
        M: Fn() -> Box<dyn ControlAction> + Send + Sync + RefUnwindSafe + 'static,
    {
        let make: MakeFault = Arc::new(make);
        self.faults.faults.push((what.to_string(), make));
        self
    }

    /// At most `k` faults of the fault set in one run (default 1); 0 turns
    /// the fault set off.
    ///
    /// ```
    /// use sim_core::Explorer;
    /// let _ = Explorer::new("two faults").max_faults(2);
    /// ```
    pub fn max_faults(mut self, k: u32) -> Explorer {
        self.faults.max = k;
        self
    }

    /// The fault set as a replay file records it.
    pub(crate) fn may_faults(&self) -> MayFaults {
        self.faults.recorded()
    }
}
