//! Node crash and restart, over sim-core's `Control::crash` and
//! `Control::restart`.
//!
//! A crash kills every process on the node at once (`killed`), forgets its
//! registered names and mailboxes, and loses its connections: links and
//! monitors on other nodes fire `noconnection`, node monitors get `nodedown`.
//! What it had already sent still arrives, in order, before the loss is seen;
//! signals on their way to it, and what a cut holds from it, are lost (counted
//! under `crash <node>`).
//! A restart brings the node back under the same name as a new incarnation:
//! its code is loaded again and its boot functions run again; pids of the old
//! incarnation stay dead (monitoring one gives `noproc`). Installed cuts are
//! unaffected by either.

use crate::fault::{CutId, Fault, FaultError, Kind};
use sim_core::Control;

impl Fault {
    /// Crashes `node`. Crashing a node that is already down changes nothing
    /// (and says so in the trace).
    ///
    /// ```
    /// use sim_core::{Sim, Term, Time};
    /// use sim_partition::Fault;
    /// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// sim.spawn("b@sim", |cx| async move { cx.sleep(Time::ms(10)).await; Ok(Term::atom("survived")) }).unwrap();
    /// sim.at(Time::ms(5), Fault::crash("b@sim"));
    /// let report = sim.run();
    /// assert_eq!(report.results[0].1, Some(Err(Term::atom("killed"))));
    /// ```
    pub fn crash(node: &str) -> Fault {
        Fault::from_kind(Kind::Crash(node.to_string()))
    }

    /// Restarts a crashed `node` as a new incarnation (restarting a node that
    /// is up changes nothing).
    ///
    /// ```
    /// use sim_core::{Sim, Term, Time};
    /// use sim_partition::Fault;
    /// let mut sim = Sim::builder()
    ///     .nodes(["a@sim", "b@sim"])
    ///     .boot("b@sim", |cx| async move { cx.register("server", cx.self_pid()).await?; cx.recv().await; Ok(Term::atom("x")) })
    ///     .build()
    ///     .unwrap();
    /// sim.at(Time::ms(1), Fault::crash("b@sim"));
    /// sim.at(Time::ms(2), Fault::restart("b@sim"));
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.sleep(Time::ms(3)).await;
    ///     Ok(Term::atom("done"))
    /// }).unwrap();
    /// sim.run().assert_ok();
    /// assert!(sim.control(|c| c.is_up(c.node_id("b@sim").unwrap())));
    /// ```
    pub fn restart(node: &str) -> Fault {
        Fault::from_kind(Kind::Restart(node.to_string()))
    }
}

pub(crate) fn apply_crash(c: &mut Control<'_>, node: &str) -> Result<Option<CutId>, FaultError> {
    let id = c
        .node_id(node)
        .ok_or_else(|| FaultError::UnknownNode(node.to_string()))?;
    // sim-core records the crash itself (`crash 'b@sim'`).
    if !c.crash(id, &format!("crash {node}")) {
        c.record(format!("crash {node}: already down"));
    }
    Ok(None)
}

pub(crate) fn apply_restart(c: &mut Control<'_>, node: &str) -> Result<Option<CutId>, FaultError> {
    let id = c
        .node_id(node)
        .ok_or_else(|| FaultError::UnknownNode(node.to_string()))?;
    // sim-core records the restart itself (`restart 'b@sim'`).
    if !c.restart(id) {
        c.record(format!("restart {node}: already up"));
    }
    Ok(None)
}
