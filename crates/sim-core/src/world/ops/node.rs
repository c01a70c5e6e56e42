//! What a process asks of nodes: which are there and connected, closing a
//! connection, node monitors, halting its own node, failing the run.

use crate::id::{NodeId, Pid};
use crate::sched::footprint::{Obj, Op};
use crate::term::{Atom, Term};
use crate::trace::TraceEvent;
use crate::world::{Control, ProcKey, World};
use std::any::Any;
use std::rc::Rc;

impl World {
    /// `id` if it is a node of the simulation.
    #[inline]
    pub(crate) fn sim_node(&self, id: NodeId) -> Option<NodeId> {
        (id.index() < self.nodes.len()).then_some(id)
    }

    /// `nodes()` as `me` sees them, in builder order.
    pub(crate) fn visible_nodes(&self, me: NodeId) -> Vec<Atom> {
        self.note(Obj::All, Op::Read);
        (0..self.nodes.len() as u32)
            .map(NodeId)
            .filter(|&n| self.visible(me, n))
            .map(|n| self.node_name(n))
            .collect()
    }

    /// Whether simulated node `id` accepts spawn requests (a node outside
    /// the simulation answers `true`: a request to it fails `noconnection`).
    pub(crate) fn spawn_supported(&self, id: NodeId) -> bool {
        self.nodes.get(id.index()).is_none_or(|n| n.spawn_supported)
    }

    /// The code of node `id` (untyped: code sits above the world).
    pub(crate) fn node_code(&self, id: NodeId) -> Option<&Rc<dyn Any>> {
        self.nodes.get(id.index()).map(|n| &n.code)
    }

    /// `disconnect_node(Node)` from `me`: what `me` sent to `id` arrives
    /// first, then the connection goes down. Whether it was connected.
    pub(crate) fn disconnect_node(&mut self, me: NodeId, id: Option<NodeId>) -> bool {
        self.note(Obj::All, Op::Write);
        match id {
            Some(id) if self.visible(me, id) => {
                self.flush_dir(me, id);
                Control { w: self }.disconnect(me, id, "disconnect_node");
                true
            }
            _ => false,
        }
    }

    /// `monitor_node(Node, Flag)` by process `key`: with `true`, one
    /// `{nodedown, Node}` when the connection is lost, at once if `id` cannot
    /// be reached; with `false`, every such monitor removed.
    pub(crate) fn monitor_node(
        &mut self,
        key: ProcKey,
        id: Option<NodeId>,
        name: Atom,
        flag: bool,
    ) {
        self.note(Obj::All, Op::Write);
        let me = self.procs[key].pid.node();
        if !flag {
            if let Some(id) = id {
                self.procs[key].node_mons.retain(|&n| n != id);
            }
            return;
        }
        match id {
            Some(id) if id == me => {}
            Some(id) if self.node_up(id) => self.procs[key].node_mons.push(id),
            _ => {
                let msg = Term::Tuple(vec![Term::atom("nodedown"), Term::Atom(name)]);
                self.enqueue(key, msg);
            }
        }
    }

    /// `erlang:halt()` on `node`: a crash.
    pub(crate) fn halt(&mut self, node: NodeId) {
        self.note(Obj::All, Op::Write);
        Control { w: self }.crash(node, "halt");
    }

    /// A failed `check` of `pid`: traced, and the run's outcome unless one
    /// was already set.
    pub(crate) fn check_failed(&mut self, pid: Pid, message: String) {
        self.trace(TraceEvent::CheckFailed {
            pid,
            message: message.clone(),
        });
        self.results
            .end(crate::report::Outcome::CheckFailed { pid, message });
    }

    /// Draw `n`-bounded number k of `pid`'s own stream (keyed by the pid and
    /// k, so other processes' draws and the interleaving do not move it).
    pub(crate) fn user_draw(&mut self, pid: Pid, n: u64) -> u64 {
        self.ids.user_draw(pid, n)
    }
}
