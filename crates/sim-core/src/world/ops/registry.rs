//! Registered names: each node's table and the name its process carries,
//! always changed together.

use crate::exception::Exception;
use crate::id::{NodeId, Pid};
use crate::sched::footprint::{Obj, Op};
use crate::term::Atom;
use crate::trace::{TraceEvent, TraceMode};
use crate::world::World;

impl World {
    /// `register(Name, Pid)` on `node`: `error:badarg` if the name is taken,
    /// the pid already has a name, is dead or on another node, or the name is
    /// `undefined`.
    pub(crate) fn register(&mut self, node: NodeId, name: Atom, pid: Pid) -> Result<(), Exception> {
        let bad = || Exception::badarg("register", 2);
        if name.as_str() == "undefined" || pid.node() != node {
            return Err(bad());
        }
        if self.recording() {
            self.note(Obj::Name(node.0, name), Op::Write);
            self.note_pid(pid, Obj::Life, Op::Read);
            self.note_pid(pid, Obj::Named, Op::Write);
        }
        let Some(k) = self.key_of(pid) else {
            return Err(bad());
        };
        let table = &mut self.nodes[node.index()];
        if table.registry.contains_key(&name) || self.procs[k].name.is_some() {
            return Err(bad());
        }
        table.registry.insert(name, pid);
        self.procs[k].name = Some(name);
        if self.tracer.mode == TraceMode::Full {
            self.trace(TraceEvent::Register { pid, name });
        }
        Ok(())
    }

    /// `unregister(Name)` on `node`: `error:badarg` for a name nobody has.
    pub(crate) fn unregister(&mut self, node: NodeId, name: Atom) -> Result<(), Exception> {
        self.note(Obj::Name(node.0, name), Op::Write);
        let Some(pid) = self.nodes[node.index()].registry.shift_remove(&name) else {
            return Err(Exception::badarg("unregister", 1));
        };
        if let Some(k) = self.key_of(pid) {
            self.procs[k].name = None;
        }
        if self.tracer.mode == TraceMode::Full {
            self.trace(TraceEvent::Unregister { pid, name });
        }
        Ok(())
    }

    /// `whereis(Name)` on `node`.
    #[inline]
    pub(crate) fn whereis(&self, node: NodeId, name: Atom) -> Option<Pid> {
        self.note(Obj::Name(node.0, name), Op::Read);
        self.nodes.get(node.index())?.registry.get(&name).copied()
    }

    /// `registered()` on `node`, in registration order.
    pub(crate) fn registered(&self, node: NodeId) -> Vec<Atom> {
        self.note(Obj::All, Op::Read);
        self.nodes
            .get(node.index())
            .map(|n| n.registry.keys().copied().collect())
            .unwrap_or_default()
    }
}
