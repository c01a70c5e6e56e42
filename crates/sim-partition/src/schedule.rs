//! Fault schedules: a [`Fault`] is a [`ControlAction`], so it can be given to
//! `sim.at(time, fault)` and `sim.after_steps(n, fault)`; a [`FaultPlan`]
//! is a list of such timed faults that can be installed, printed and
//! shrunk (one fault left out at a time).

use crate::cut::FaultError;
use crate::fault::Fault;
use sim_core::{ActionError, Control, ControlAction, Sim, SimError, Time};
use std::fmt;

impl ControlAction for Fault {
    /// Applies the fault; a rejected fault is recorded in the trace and
    /// changes nothing.
    fn run(self: Box<Self>, c: &mut Control<'_>) {
        // The error is already in the trace; a scheduled fault has nobody to
        // return it to.
        let _ = self.apply(c);
    }

    /// The nodes the fault may affect: a crash or restart its node, a cut
    /// the nodes it names; a heal, a cut with a `net_ticktime` or a
    /// congestion everything.
    ///
    /// ```
    /// use sim_core::ControlAction;
    /// use sim_partition::{Fault, Mode};
    /// assert_eq!(Fault::crash("b@sim").touches(), Some(vec!["b@sim".to_string()]));
    /// assert_eq!(
    ///     Fault::isolate("a@sim", Mode::Drop).touches(),
    ///     Some(vec!["a@sim".to_string()])
    /// );
    /// assert_eq!(Fault::heal().touches(), None);
    /// ```
    fn touches(&self) -> Option<Vec<String>> {
        self.touched_nodes()
    }

    /// The fault as the trace records it, e.g. `crash b@sim`.
    fn describe(&self) -> String {
        self.to_string()
    }

    /// What [`Fault::validate`] checks: every node name exists, no node is in
    /// two groups, a cut joins two nodes.
    fn validate(&self, known: &dyn Fn(&str) -> bool) -> Result<(), ActionError> {
        self.validate_names(known).map_err(|e| match e {
            FaultError::UnknownNode(n) => ActionError::UnknownNode(n),
            other => ActionError::Invalid(other.to_string()),
        })
    }
}

/// When a planned fault fires.
///
/// ```
/// use sim_core::Time;
/// use sim_partition::When;
/// assert_eq!(When::At(Time::ms(5)).to_string(), "at 5.000ms");
/// assert_eq!(When::AfterSteps(100).to_string(), "after 100 steps");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum When {
    /// At a virtual time.
    At(Time),
    /// Once this many scheduler steps have been taken.
    AfterSteps(u64),
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            When::At(t) => write!(f, "at {t}"),
            When::AfterSteps(n) => write!(f, "after {n} steps"),
        }
    }
}

/// A list of faults with their moments, installed into a simulation in one go.
///
/// ```
/// use sim_core::{Sim, Time};
/// use sim_partition::{Fault, FaultPlan, Mode};
/// let plan = FaultPlan::new()
///     .at(Time::ms(5), Fault::isolate("a@sim", Mode::Drop))
///     .after_steps(50, Fault::heal());
/// assert_eq!(plan.to_string(), "at 5.000ms: partition drop [a@sim]\nafter 50 steps: heal\n");
/// assert_eq!(plan.without(0).len(), 1);
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// plan.install(&mut sim).unwrap();
/// sim.run().assert_ok();
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[must_use]
pub struct FaultPlan {
    entries: Vec<(When, Fault)>,
}

impl FaultPlan {
    /// An empty plan.
    ///
    /// ```
    /// assert!(sim_partition::FaultPlan::new().is_empty());
    /// ```
    pub fn new() -> FaultPlan {
        FaultPlan::default()
    }

    /// Adds `fault` at virtual time `t`.
    ///
    /// ```
    /// use sim_core::Time;
    /// use sim_partition::{Fault, FaultPlan};
    /// assert_eq!(FaultPlan::new().at(Time::ms(1), Fault::heal()).len(), 1);
    /// ```
    pub fn at(mut self, t: Time, fault: Fault) -> FaultPlan {
        self.entries.push((When::At(t), fault));
        self
    }

    /// Adds `fault` once `steps` scheduler steps have been taken.
    ///
    /// ```
    /// use sim_partition::{Fault, FaultPlan};
    /// assert_eq!(FaultPlan::new().after_steps(10, Fault::heal()).len(), 1);
    /// ```
    pub fn after_steps(mut self, steps: u64, fault: Fault) -> FaultPlan {
        self.entries.push((When::AfterSteps(steps), fault));
        self
    }

    /// The planned faults, in the order they were added.
    ///
    /// ```
    /// use sim_partition::{Fault, FaultPlan, When};
    /// let p = FaultPlan::new().after_steps(10, Fault::heal());
    /// assert_eq!(p.entries()[0], (When::AfterSteps(10), Fault::heal()));
    /// ```
    pub fn entries(&self) -> &[(When, Fault)] {
        &self.entries
    }

    /// How many faults are planned.
    ///
    /// ```
    /// assert_eq!(sim_partition::FaultPlan::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is planned.
    ///
    /// ```
    /// assert!(sim_partition::FaultPlan::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The same plan without its `i`th fault (a shrinking step); unchanged if
    /// there is no such fault.
    ///
    /// ```
    /// use sim_partition::{Fault, FaultPlan};
    /// let p = FaultPlan::new().after_steps(1, Fault::crash("a@sim")).after_steps(2, Fault::heal());
    /// assert_eq!(p.without(0).entries()[0].1, Fault::heal());
    /// assert_eq!(p.without(7), p);
    /// ```
    pub fn without(&self, i: usize) -> FaultPlan {
        let mut p = self.clone();
        if i < p.entries.len() {
            let _ = p.entries.remove(i);
        }
        p
    }

    /// Schedules every planned fault in `sim`. Every fault is checked first;
    /// if one is refused (see `Sim::at`), nothing is scheduled.
    ///
    /// ```
    /// use sim_core::{Sim, SimError, Time};
    /// use sim_partition::{Fault, FaultPlan};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// FaultPlan::new().at(Time::ms(1), Fault::heal()).install(&mut sim).unwrap();
    /// let bad = FaultPlan::new().at(Time::ms(2), Fault::crash("x@sim"));
    /// assert_eq!(bad.install(&mut sim), Err(SimError::UnknownNode("x@sim".into())));
    /// sim.run().assert_ok();
    /// ```
    pub fn install(&self, sim: &mut Sim) -> Result<(), SimError> {
        let known = |n: &str| sim.node_id(n).is_some();
        for (_, fault) in &self.entries {
            ControlAction::validate(fault, &known).map_err(|e| match e {
                ActionError::UnknownNode(n) => SimError::UnknownNode(n),
                ActionError::Invalid(reason) => SimError::InvalidAction {
                    action: fault.to_string(),
                    reason,
                },
            })?;
        }
        for (when, fault) in &self.entries {
            match *when {
                When::At(t) => sim.at(t, fault.clone())?,
                When::AfterSteps(n) => sim.after_steps(n, fault.clone())?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for FaultPlan {
    /// One line per fault: `at 5.000ms: partition drop [a@sim] | [b@sim]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (when, fault) in &self.entries {
            writeln!(f, "{when}: {fault}")?;
        }
        Ok(())
    }
}
