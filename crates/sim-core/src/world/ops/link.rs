//! Links, monitors and exit signals a process sends, and its own flags.

use crate::exception::{Exception, Frame};
use crate::id::{NodeId, Pid, Ref};
use crate::sched::footprint::{Obj, Op};
use crate::signal::{Dest, MonTarget};
use crate::term::{Atom, Term};
use crate::world::{Body, MonOut, Priority, ProcKey, World};

impl World {
    /// `link(Pid)` by process `key`. A dead local pid is `error:noproc`
    /// unless the process traps exits (then the `noproc` exit signal comes
    /// back, as it does for a remote pid).
    pub(crate) fn link(&mut self, key: ProcKey, pid: Pid) -> Result<(), Exception> {
        let me = self.procs[key].pid;
        if pid == me {
            return Ok(());
        }
        // Only the link to `pid` is read and written.
        self.note_peer(key, pid, Op::Write);
        self.note_pid(pid, Obj::Life, Op::Read);
        let local = pid.node() == me.node();
        if local && self.key_of(pid).is_none() && !self.procs[key].trap_exit {
            return Err(
                Exception::error(Term::atom("noproc")).with_frame(Frame::with_args(
                    "erlang",
                    "link",
                    vec![Term::Pid(pid)],
                )),
            );
        }
        let p = &mut self.procs[key];
        if !p.links.contains(&pid) {
            p.links.push(pid);
            self.send(me, Dest::Pid(pid), Body::Link);
        }
        Ok(())
    }

    /// `unlink(Pid)` by process `key`.
    pub(crate) fn unlink(&mut self, key: ProcKey, pid: Pid) {
        self.note_peer(key, pid, Op::Write);
        let p = &mut self.procs[key];
        let me = p.pid;
        if let Some(i) = p.links.iter().position(|&l| l == pid) {
            p.links.remove(i);
            self.send(me, Dest::Pid(pid), Body::Unlink);
        }
    }

    /// The links of process `key`.
    pub(crate) fn links_of(&self, key: ProcKey) -> Vec<Pid> {
        self.note_key(key, Obj::Links, Op::Read);
        self.procs
            .get(key)
            .map(|p| p.links.to_vec())
            .unwrap_or_default()
    }

    /// `monitor(process, Pid)` by process `key`; monitoring oneself makes a
    /// reference and nothing else.
    pub(crate) fn monitor(&mut self, key: ProcKey, pid: Pid) -> Ref {
        // A fresh monitor of `pid`: only its `'DOWN'`, from `pid`, reads it.
        self.note_peer(key, pid, Op::Write);
        let me = self.procs[key].pid;
        let r = self.make_ref(me.node());
        if pid != me {
            let target = MonTarget::Pid(pid);
            self.procs[key].mon_out.push(MonOut { r, target });
            self.send(me, Dest::Pid(pid), Body::Monitor { r, target });
        }
        r
    }

    /// `monitor(process, {Name, Node})` by process `key`; `node` is `Err` with
    /// its name for a node the simulation does not know, which answers
    /// `noconnection` at once.
    pub(crate) fn monitor_name(
        &mut self,
        key: ProcKey,
        name: Atom,
        node: Result<NodeId, Atom>,
    ) -> Ref {
        self.note_key(key, Obj::Links, Op::Write);
        let me = self.procs[key].pid;
        let r = self.make_ref(me.node());
        match node {
            Ok(nid) => {
                let t = MonTarget::Name(name, nid);
                self.procs[key].mon_out.push(MonOut { r, target: t });
                self.send(me, Dest::Name(name, nid), Body::Monitor { r, target: t });
            }
            Err(node_name) => {
                let msg = Term::Tuple(vec![
                    Term::Atom(crate::term::DOWN),
                    Term::Ref(r),
                    Term::Atom(crate::term::PROCESS),
                    Term::Tuple(vec![Term::Atom(name), Term::Atom(node_name)]),
                    Term::atom("noconnection"),
                ]);
                self.enqueue(key, msg);
            }
        }
        r
    }

    /// `demonitor(Ref, [info])` by process `key` (with `flush`, also dropping
    /// a queued `'DOWN'` for `r`): whether the monitor was active.
    pub(crate) fn demonitor(&mut self, key: ProcKey, r: Ref, flush: bool) -> bool {
        // A monitor of a pid is held about that pid alone; one of a name,
        // or none, about anyone.
        let target = self.procs[key]
            .mon_out
            .iter()
            .find(|m| m.r == r)
            .map(|m| m.target);
        match target {
            Some(MonTarget::Pid(t)) => self.note_peer(key, t, Op::Write),
            _ => self.note_key(key, Obj::Links, Op::Write),
        }
        if flush {
            self.note_key(key, Obj::Mailbox, Op::Peek);
        }
        let p = &mut self.procs[key];
        let me = p.pid;
        let active = match p.mon_out.iter().position(|m| m.r == r) {
            Some(i) => {
                let m = p.mon_out.remove(i);
                let dest = match m.target {
                    MonTarget::Pid(t) => Dest::Pid(t),
                    MonTarget::Name(n, node) => Dest::Name(n, node),
                };
                self.send(me, dest, Body::Demonitor { r });
                true
            }
            None => false,
        };
        if flush {
            let World { procs, arena, .. } = self;
            if let Some(p) = procs.get_mut(key) {
                p.mailbox.remove_all(arena, &mut |m| {
                    matches!(m, Term::Tuple(t) if t.len() == 5
                        && t[0].is_atom("DOWN") && t[1] == Term::Ref(r))
                });
            }
        }
        active
    }

    /// `exit(Pid, Reason)` from `from`: an exit signal that is not a link's.
    pub(crate) fn exit_to(&mut self, from: Pid, pid: Pid, reason: Term) {
        let body = Body::Exit {
            reason,
            linked: false,
        };
        self.send(from, Dest::Pid(pid), body);
    }

    /// Sets `trap_exit` of process `key`, returning the old value.
    pub(crate) fn swap_trap_exit(&mut self, key: ProcKey, flag: bool) -> bool {
        self.note_key(key, Obj::Trap, Op::Write);
        let old = self
            .procs
            .get_mut(key)
            .is_some_and(|p| std::mem::replace(&mut p.trap_exit, flag));
        // A change decides how every later exit signal is taken, so signals
        // may arrive between it and the receive that follows (as on BEAM,
        // where the process can be preempted there): that receive yields
        // first, unless a sync point comes before it.
        if old != flag {
            self.yield_owed = true;
        }
        old
    }

    /// Sets the priority of process `key`, returning the old one.
    pub(crate) fn swap_priority(&mut self, key: ProcKey, priority: Priority) -> Priority {
        self.procs.get_mut(key).map_or(Priority::Normal, |p| {
            std::mem::replace(&mut p.priority, priority)
        })
    }

    /// The group leader of process `key`.
    pub(crate) fn group_leader_of(&self, key: ProcKey) -> Option<Pid> {
        self.procs.get(key).map(|p| p.group_leader)
    }
}
