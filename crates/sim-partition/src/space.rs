//! `FaultSpace`: the faults an exhaustive exploration may take, said in
//! sim-partition's words (`Explorer::may_fault` with a [`Fault`]).

use crate::cut::Mode;
use crate::fault::Fault;
use crate::partition::IntoGroups;
use sim_core::Explorer;

/// Faults that may happen at any step of an exhaustive exploration
/// ([`Explorer::exhaustive`]), each at most once, or never; a run takes at
/// most [`Explorer::max_faults`] of them (default one).
///
/// ```
/// use sim_core::{Explorer, Term};
/// use sim_partition::{FaultSpace, Mode};
/// let r = Explorer::new("ping under faults").quiet(true).write_files(false)
///     .may_isolate("b@sim", Mode::Drop)
///     .may_crash("b@sim")
///     .exhaustive(|b| {
///         let mut sim = b.nodes(["a@sim", "b@sim"]).build().unwrap();
///         let pong = sim.spawn_background("b@sim", |cx| async move {
///             Ok(cx.recv().await)
///         }).unwrap();
///         sim.spawn("a@sim", move |cx| async move {
///             cx.send(pong, Term::atom("ping")).await?;
///             Ok(Term::atom("sent"))
///         }).unwrap();
///         sim
///     });
/// assert!(r.complete && r.failure.is_none(), "{r}");
/// assert!(r.to_string().contains("up to one of [partition drop [b@sim], crash b@sim]"), "{r}");
/// ```
pub trait FaultSpace {
    /// `fault` may happen ([`Explorer::may_fault`]).
    fn may(self, fault: Fault) -> Explorer;

    /// `node` may crash ([`Fault::crash`]).
    fn may_crash(self, node: &str) -> Explorer;

    /// `node` may be cut off from every other node ([`Fault::isolate`]).
    fn may_isolate(self, node: &str, mode: Mode) -> Explorer;

    /// The nodes may split into `groups` ([`Fault::partition`]).
    fn may_partition(self, groups: impl IntoGroups, mode: Mode) -> Explorer;
}

impl FaultSpace for Explorer {
    fn may(self, fault: Fault) -> Explorer {
        self.may_fault(fault)
    }

    fn may_crash(self, node: &str) -> Explorer {
        self.may(Fault::crash(node))
    }

    fn may_isolate(self, node: &str, mode: Mode) -> Explorer {
        self.may(Fault::isolate(node, mode))
    }

    fn may_partition(self, groups: impl IntoGroups, mode: Mode) -> Explorer {
        self.may(Fault::partition(groups, mode))
    }
}
