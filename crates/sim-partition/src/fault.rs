//! `Fault`: one thing that can go wrong (a cut, a heal, a crash, a restart),
//! as a value that a simulation applies at a scheduled moment.

use crate::network::{run_effects, PartitionNetwork};
use crate::partition::{CutSpec, Shape};
use sim_core::{Control, ControlAction, FaultId, Sim};
use std::fmt;

/// Identifies an installed cut. Cuts are numbered from 1 in the order they are
/// applied in a run (partitions, one-way partitions and single-link cuts
/// share one count); the id also names the fault that dropped or held a signal
/// ([`sim_core::FaultId`] has the same number).
///
/// ```
/// use sim_partition::CutId;
/// assert_eq!(CutId(3).to_string(), "#3");
/// assert_eq!(sim_core::FaultId::from(CutId(3)), sim_core::FaultId(3));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct CutId(pub u32);

impl fmt::Display for CutId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

impl From<CutId> for FaultId {
    fn from(c: CutId) -> FaultId {
        FaultId(c.0)
    }
}

/// Why a fault could not be applied. A scheduled fault that fails records this
/// in the trace (`fault rejected (...)`) and changes nothing; it never panics.
///
/// ```
/// use sim_partition::{Fault, FaultError, Mode};
/// let sim = sim_core::Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// let err = Fault::cut("a@sim", "x@sim", Mode::Drop).validate(&sim).unwrap_err();
/// assert_eq!(err, FaultError::UnknownNode("x@sim".into()));
/// assert_eq!(err.to_string(), "unknown node `x@sim`");
/// ```
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FaultError {
    /// A node name that the simulation does not have.
    #[error("unknown node `{0}`")]
    UnknownNode(String),
    /// A partition names the node in two different groups.
    #[error("node `{0}` is in more than one group")]
    NodeInTwoGroups(String),
    /// A single-link cut between a node and itself.
    #[error("a cut needs two different nodes, got `{0}` twice")]
    SameNode(String),
    /// `heal_cut` of a cut that is not installed (never applied, or healed).
    #[error("no installed cut {0}")]
    UnknownCut(CutId),
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    Cut(CutSpec),
    Heal,
    HealCut(CutId),
    Crash(String),
    Restart(String),
}

/// A fault: a partition (drop or defer), a one-way partition, a single-link
/// cut, a heal, a node crash or restart.
///
/// A `Fault` does nothing by itself: give it to `sim.at(time, fault)` or
/// `sim.after_steps(n, fault)` (it implements [`ControlAction`]), or apply it
/// at once with [`Fault::apply`]. Applying a fault records it in the trace.
///
/// ```
/// use sim_core::{Sim, Time};
/// use sim_partition::{Fault, Mode};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim", "c@sim"]).build().unwrap();
/// sim.at(Time::ms(5), Fault::partition((["a@sim"], ["b@sim", "c@sim"]), Mode::Drop)).unwrap();
/// sim.at(Time::ms(80), Fault::heal()).unwrap();
/// sim.at(Time::ms(90), Fault::crash("c@sim")).unwrap();
/// sim.at(Time::ms(95), Fault::restart("c@sim")).unwrap();
/// sim.run().assert_ok();
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
#[must_use = "a fault does nothing until scheduled with sim.at / sim.after_steps or applied"]
pub struct Fault {
    pub(crate) kind: Kind,
}

impl Fault {
    pub(crate) fn from_kind(kind: Kind) -> Fault {
        Fault { kind }
    }

    /// Checks the fault against a simulation's nodes before running it: every
    /// node name exists, no node is in two groups, a cut joins two nodes.
    /// (Whether a `heal_cut` id will be installed can only be known when it is
    /// applied.)
    ///
    /// ```
    /// use sim_core::Sim;
    /// use sim_partition::{Fault, FaultError, Mode};
    /// let sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// assert!(Fault::isolate("a@sim", Mode::Drop).validate(&sim).is_ok());
    /// assert_eq!(
    ///     Fault::partition([["a@sim"], ["a@sim"]], Mode::Drop).validate(&sim),
    ///     Err(FaultError::NodeInTwoGroups("a@sim".into()))
    /// );
    /// assert!(Fault::crash("z@sim").validate(&sim).is_err());
    /// ```
    pub fn validate(&self, sim: &Sim) -> Result<(), FaultError> {
        self.validate_names(&|n| sim.node_id(n).is_some())
    }

    /// [`Fault::validate`] against a predicate saying which node names exist.
    pub(crate) fn validate_names(&self, known: &dyn Fn(&str) -> bool) -> Result<(), FaultError> {
        let known = |n: &str| {
            if known(n) {
                Ok(())
            } else {
                Err(FaultError::UnknownNode(n.to_string()))
            }
        };
        match &self.kind {
            Kind::Cut(spec) => {
                spec.shape.check()?;
                spec.shape.names().into_iter().try_for_each(known)
            }
            Kind::Heal | Kind::HealCut(_) => Ok(()),
            Kind::Crash(n) | Kind::Restart(n) => known(n),
        }
    }

    /// Applies the fault now. Returns the id of the installed cut for
    /// partitions, one-way partitions and cuts. On error the rejection is
    /// recorded in the trace and nothing changes.
    ///
    /// ```
    /// use sim_core::{NodeId, Sim};
    /// use sim_partition::{CutId, Fault, LinkState, Mode, PartitionNetwork};
    /// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// let id = sim.control(|c| Fault::one_way(["a@sim"], ["b@sim"], Mode::Defer).apply(c));
    /// assert_eq!(id, Ok(Some(CutId(1))));
    /// let state = sim.control(|c| PartitionNetwork::of(c).link(NodeId(0), NodeId(1)));
    /// assert_eq!(state, LinkState::Deferred(CutId(1)));
    /// assert!(sim.control(|c| Fault::heal_cut(CutId(9)).apply(c)).is_err());
    /// ```
    pub fn apply(&self, c: &mut Control<'_>) -> Result<Option<CutId>, FaultError> {
        let result = self.apply_inner(c);
        if let Err(e) = &result {
            c.record(format!("fault rejected ({e}): {self}"));
        }
        result
    }

    fn apply_inner(&self, c: &mut Control<'_>) -> Result<Option<CutId>, FaultError> {
        match &self.kind {
            Kind::Cut(spec) => {
                let resolved = spec.shape.resolve(c)?;
                let now = c.now();
                let desc = resolved.description.clone();
                let net = PartitionNetwork::of(c);
                let (id, effects) = net.install(spec, resolved);
                let name = net.cut_name(id).unwrap_or_default().to_string();
                let tick = match spec.net_ticktime {
                    Some(t) => format!(", net_ticktime {t}"),
                    None => String::new(),
                };
                c.record(format!(
                    "{} {} {desc} ({name}{tick})",
                    spec.shape.word(),
                    spec.mode
                ));
                run_effects(c, effects);
                if let Some(t) = spec.net_ticktime {
                    // TickExpiry names no node: scheduling it cannot be refused.
                    let _ = c.at(now + t, TickExpiry(id));
                }
                Ok(Some(id))
            }
            Kind::Heal => {
                let (names, effects) = match c.network::<PartitionNetwork>() {
                    Some(net) => net.heal(None)?,
                    None => (Vec::new(), Vec::new()),
                };
                if names.is_empty() {
                    c.record("heal (nothing installed)");
                } else {
                    c.record(format!("heal {}", names.join(", ")));
                }
                run_effects(c, effects);
                Ok(None)
            }
            Kind::HealCut(id) => {
                let (names, effects) = match c.network::<PartitionNetwork>() {
                    Some(net) => net.heal(Some(*id))?,
                    None => return Err(FaultError::UnknownCut(*id)),
                };
                c.record(format!("heal {}", names.join(", ")));
                run_effects(c, effects);
                Ok(None)
            }
            Kind::Crash(node) => crate::crash::apply_crash(c, node),
            Kind::Restart(node) => crate::crash::apply_restart(c, node),
        }
    }
}

impl fmt::Display for Fault {
    /// The readable description recorded in the trace, e.g.
    /// `partition drop [a@sim] | [b@sim,c@sim]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |v: &[String]| format!("[{}]", v.join(","));
        match &self.kind {
            Kind::Cut(spec) => {
                write!(f, "{} {} ", spec.shape.word(), spec.mode)?;
                match &spec.shape {
                    Shape::Partition(groups) => {
                        let parts: Vec<String> = groups.iter().map(|g| list(g)).collect();
                        f.write_str(&parts.join(" | "))?;
                    }
                    Shape::OneWay { from, to } => write!(f, "{} -> {}", list(from), list(to))?,
                    Shape::Link(a, b) => write!(f, "{a} <-> {b}")?,
                }
                if let Some(t) = spec.net_ticktime {
                    write!(f, " (net_ticktime {t})")?;
                }
                Ok(())
            }
            Kind::Heal => f.write_str("heal"),
            Kind::HealCut(id) => write!(f, "heal {id}"),
            Kind::Crash(n) => write!(f, "crash {n}"),
            Kind::Restart(n) => write!(f, "restart {n}"),
        }
    }
}

/// The end of a drop cut's `net_ticktime` window.
#[derive(Debug)]
struct TickExpiry(CutId);

impl ControlAction for TickExpiry {
    fn describe(&self) -> String {
        format!("net_ticktime expiry of {}", self.0)
    }

    fn run(self: Box<Self>, c: &mut Control<'_>) {
        let Some(net) = c.network::<PartitionNetwork>() else {
            return;
        };
        if let Some((name, effects)) = net.end_tick(self.0) {
            c.record(format!(
                "net_ticktime expired: {name} takes its connections down"
            ));
            run_effects(c, effects);
        }
    }
}
