//! The vocabulary every fault module shares: cut ids, cut modes and the error a
//! fault is rejected with. A leaf: it names no other module of the crate.

use sim_core::FaultId;
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
    /// A congestion down to zero bytes per second (nothing would ever
    /// arrive: a cut says that).
    #[error("a congested link needs a bandwidth of at least 1 byte per second")]
    ZeroBandwidth,
    /// `heal_cut` of a cut that is not installed (never applied, or healed).
    #[error("no installed cut {0}")]
    UnknownCut(CutId),
}

/// What a cut does to the signals that cross it.
///
/// ```
/// use sim_partition::Mode;
/// assert_eq!(Mode::Drop.to_string(), "drop");
/// assert_eq!(Mode::Defer.to_string(), "defer");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Mode {
    /// The connections across the cut go down: what is in flight is lost,
    /// links and monitors across it fire `noconnection`, node monitors get
    /// `nodedown`, and every later signal across it is lost (and fires
    /// `noconnection` again for whatever it would have set up).
    Drop,
    /// Signals across the cut are held, in send order, and delivered at heal.
    /// Nothing is reported down: calls hang until heal or their own timeout.
    Defer,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Drop => "drop",
            Mode::Defer => "defer",
        })
    }
}
