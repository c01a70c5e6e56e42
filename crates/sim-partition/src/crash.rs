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

use crate::cut::{CutId, FaultError};
use sim_core::Control;

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
