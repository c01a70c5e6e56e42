//! Stage 3 of a signal's way: it reaches its destination node. The exit-signal
//! rules, `trap_exit`, monitors and `'DOWN'`, spawn requests and replies, and
//! the mailbox.

use super::{Body, Signal};
use super::{ProcKey, Status, Wait, World};
use crate::id::Pid;
use crate::sched::footprint::{Obj, Op};
use crate::signal::{Dest, MonTarget, SpawnReply};
use crate::term::{self, Term};

impl World {
    /// Delivers every queued local signal (and those their delivery causes).
    #[inline]
    pub(crate) fn drain_local(&mut self) {
        // Usually empty (a local message is delivered at once): test inline.
        if !self.local_q.is_empty() {
            self.drain_queued();
        }
    }

    #[inline(never)]
    fn drain_queued(&mut self) {
        while let Some(sig) = self.local_q.pop_front() {
            self.books.delivered();
            self.arrive(sig);
        }
    }

    /// Puts a message in a live process's mailbox and wakes it.
    pub(crate) fn enqueue(&mut self, key: ProcKey, msg: Term) {
        // One slot lookup for the push and the wake (the hot path of a message).
        let World {
            procs,
            arena,
            enabled,
            clock,
            ..
        } = self;
        if let Some(p) = procs.get_mut(key) {
            if let Some(r) = &self.rec {
                r.borrow_mut().push_message(p.pid, &msg);
            }
            p.mailbox.push(arena, msg);
            if matches!(p.status, Status::Waiting(Wait::Receive { .. })) {
                enabled.enable(p, clock.now());
            }
        }
    }

    /// The live process a destination names on its node (`Dest::Node`: none).
    /// `harmless`: the signal only arrives, it does not read whether the
    /// target lives (`Op::Arrive`, else `Op::Read`: see `note_dest`). A flag,
    /// not the operation, so that nothing is built or dropped when no
    /// footprint is recorded.
    #[inline]
    fn resolve(&self, to: Dest, harmless: bool) -> Option<ProcKey> {
        if self.recording() {
            self.note_dest(to, if harmless { Op::Arrive } else { Op::Read });
        }
        match to {
            Dest::Pid(p) => self.key_of(p),
            Dest::Name(n, node) => self
                .nodes
                .get(node.index())
                .and_then(|s| s.registry.get(&n).copied())
                .and_then(|p| self.key_of(p)),
            Dest::Node(_) => None,
        }
    }

    /// The live process a signal reaches, its delivery traced with it.
    pub(super) fn resolve_traced(&mut self, id: u64, to: Dest, harmless: bool) -> Option<ProcKey> {
        let target = self.resolve(to, harmless);
        let to_pid = match (to, target) {
            (Dest::Pid(p), Some(_)) => Some(p),
            (_, t) => t.map(|k| self.procs[k].pid),
        };
        self.tracer
            .deliver(self.clock.steps(), self.clock.now(), id, to_pid);
        target
    }

    /// Applies a signal that reached its destination node.
    pub(crate) fn arrive(&mut self, sig: Signal) {
        let Signal { id, from, to, body } = sig;
        if let Dest::Node(node) = to {
            self.tracer
                .deliver(self.clock.steps(), self.clock.now(), id, None);
            if let Body::SpawnRequest { r, body, opts } = body {
                self.spawn_request_arrived(from, node, r, body, opts);
            }
            return;
        }
        let harmless = self.recording() && self.harmless(to, &body);
        match self.resolve_traced(id, to, harmless) {
            Some(key) => self.apply(key, from, to, body),
            None => {
                if harmless {
                    self.note_dropped(from, to, &body);
                }
                self.dead_target(from, to, body)
            }
        }
    }

    /// Whether a signal does nothing at a dead target but what no one sees,
    /// and would not kill it alive: a message, an exit signal with reason
    /// `normal`, or one (not `kill`) to a target that traps exits (or died
    /// trapping them: in the other order it would have become a message).
    fn harmless(&self, to: Dest, body: &Body) -> bool {
        match body {
            Body::Message(_) => true,
            Body::Exit { reason, .. } if reason.is_atom("normal") => true,
            Body::Exit { reason, .. } if reason.is_atom("kill") => false,
            Body::Exit { .. } => {
                let Dest::Pid(pid) = to else { return false };
                match self.key_of(pid) {
                    Some(key) => self.procs[key].trap_exit,
                    None => self
                        .rec
                        .as_ref()
                        .is_some_and(|r| r.borrow().trapped_at_death(pid)),
                }
            }
            _ => false,
        }
    }

    /// A message or harmless exit signal dropped at a dead pid: what it would
    /// have touched had the target lived, so that it still races the
    /// target's earlier steps (a receive that would have taken it, the
    /// `trap_exit` that would have made it a message).
    fn note_dropped(&self, from: Pid, to: Dest, body: &Body) {
        let (Some(r), Dest::Pid(pid)) = (&self.rec, to) else {
            return;
        };
        let mut r = r.borrow_mut();
        match body {
            Body::Message(m) => r.push_message(pid, m),
            Body::Exit { reason, linked } => {
                if *linked {
                    r.peer_access(pid, from, Op::Write);
                }
                r.trapped_exit(pid, from, reason);
            }
            _ => {}
        }
    }

    /// The linked exit signal `from`, dying with `reason`, would have sent
    /// the dead `to` had `to`'s own exit signal not cut their link first:
    /// recorded as such a signal reaching `to` dead is, the cut link too.
    pub(crate) fn note_exit_to_dead(&self, from: Pid, to: Pid, reason: &Term) {
        let body = Body::Exit {
            reason: reason.clone(),
            linked: true,
        };
        let to = Dest::Pid(to);
        if !self.harmless(to, &body) {
            self.note_dest(to, Op::Read);
            return;
        }
        self.note_dest(to, Op::Arrive);
        let (Some(r), Dest::Pid(pid)) = (&self.rec, to) else {
            return;
        };
        let mut r = r.borrow_mut();
        r.peer_access(pid, from, Op::Cut);
        r.trapped_exit(pid, from, reason);
    }

    /// The target does not exist: answer what needs an answer.
    fn dead_target(&mut self, from: Pid, to: Dest, body: Body) {
        let responder = match to {
            Dest::Pid(p) => p,
            Dest::Name(_, node) | Dest::Node(node) => World::runtime_pid(node),
        };
        match body {
            Body::Link => self.send(
                responder,
                Dest::Pid(from),
                Body::Exit {
                    reason: Term::Atom(term::NOPROC),
                    linked: true,
                },
            ),
            Body::Monitor { r, target } => {
                let object = self.monitor_object(target);
                self.send(
                    responder,
                    Dest::Pid(from),
                    Body::Down {
                        r,
                        object,
                        reason: Term::Atom(term::NOPROC),
                    },
                );
            }
            Body::SpawnReply {
                r,
                result: Ok(child),
                opts,
            } => {
                // The spawner died before the reply: undo what it asked for.
                if opts.link {
                    self.send(
                        responder,
                        Dest::Pid(child),
                        Body::Exit {
                            reason: Term::Atom(term::NOPROC),
                            linked: true,
                        },
                    );
                }
                if opts.monitor {
                    self.send(responder, Dest::Pid(child), Body::Demonitor { r });
                }
            }
            _ => {}
        }
    }

    pub(crate) fn monitor_object(&self, target: MonTarget) -> Term {
        match target {
            MonTarget::Pid(p) => Term::Pid(p),
            MonTarget::Name(n, node) => {
                Term::Tuple(vec![Term::Atom(n), Term::Atom(self.node_name(node))])
            }
        }
    }

    fn apply(&mut self, key: ProcKey, from: Pid, to: Dest, body: Body) {
        if self.recording() && !matches!(body, Body::Message(_)) {
            // Links, monitors, pending requests; an exit signal also reads
            // the flag that decides between a message and death. A signal
            // of a link or monitor touches only what is held about its
            // sender: a `'DOWN'` answers the one monitor its reference
            // names, which no other signal can remove.
            // An unlinked exit (`exit/2`) touches no link.
            match body {
                Body::Exit { linked: false, .. } => {}
                Body::Exit { linked: true, .. } => self.note_linked_exit(key, from),
                Body::Down { .. }
                | Body::Link
                | Body::Unlink
                | Body::Monitor { .. }
                | Body::Demonitor { .. } => self.note_peer(key, from, Op::Write),
                _ => self.note_key(key, Obj::Links, Op::Write),
            }
            if matches!(body, Body::Exit { .. }) {
                self.note_key(key, Obj::Trap, Op::Read);
            }
        }
        match body {
            Body::Message(m) => self.enqueue(key, m),
            Body::Link => {
                let p = &mut self.procs[key];
                if !p.links.contains(&from) {
                    p.links.push(from);
                }
            }
            Body::Unlink => self.procs[key].links.retain(|&l| l != from),
            Body::Exit { reason, linked } => self.exit_signal(key, from, reason, linked),
            Body::Monitor { r, target } => {
                let object = self.monitor_object(target);
                let _ = to;
                let monitor = super::MonIn {
                    r,
                    watcher: from,
                    object,
                };
                self.procs[key]
                    .mon_in
                    .push_in(monitor, &mut self.spare_mon_in);
            }
            Body::Demonitor { r } => self.procs[key].mon_in.retain(|m| m.r != r),
            Body::Down { r, object, reason } => {
                let p = &mut self.procs[key];
                if let Some(i) = p.mon_out.iter().position(|m| m.r == r) {
                    p.mon_out.remove(i);
                    let msg = Term::Tuple(vec![
                        Term::Atom(term::DOWN),
                        Term::Ref(r),
                        Term::Atom(term::PROCESS),
                        object,
                        reason,
                    ]);
                    self.enqueue(key, msg);
                }
            }
            Body::SpawnRequest { .. } => {}
            Body::SpawnReply { r, result, opts } => self.spawn_reply_arrived(key, r, result, opts),
        }
    }

    /// Erlang's exit-signal rules.
    fn exit_signal(&mut self, key: ProcKey, from: Pid, reason: Term, linked: bool) {
        let p = &mut self.procs[key];
        let is_normal = reason.is_atom("normal");
        if linked {
            let Some(i) = p.links.iter().position(|&l| l == from) else {
                return;
            };
            p.links.swap_remove(i);
            if p.trap_exit {
                let msg = Term::Tuple(vec![Term::Atom(term::EXIT), Term::Pid(from), reason]);
                self.enqueue(key, msg);
            } else if !is_normal {
                self.terminate(key, reason, None);
            }
        } else if reason.is_atom("kill") {
            self.terminate(key, Term::Atom(term::KILLED), None);
        } else if p.trap_exit {
            let msg = Term::Tuple(vec![Term::Atom(term::EXIT), Term::Pid(from), reason]);
            self.enqueue(key, msg);
        } else if !is_normal || from == p.pid {
            self.terminate(key, reason, None);
        }
    }

    fn spawn_request_arrived(
        &mut self,
        parent: Pid,
        node: crate::id::NodeId,
        r: crate::id::Ref,
        body: super::SpawnBody,
        opts: crate::signal::SpawnOpts,
    ) {
        let runtime = World::runtime_pid(node);
        let refuse = if !self
            .nodes
            .get(node.index())
            .is_some_and(|n| n.spawn_supported)
        {
            Some("notsup")
        } else if !self.has_room(node) {
            Some("system_limit")
        } else {
            None
        };
        if let Some(reason) = refuse {
            self.send(
                runtime,
                Dest::Pid(parent),
                Body::SpawnReply {
                    r,
                    result: Err(Term::atom(reason)),
                    opts,
                },
            );
            return;
        }
        let Some(child) = self.spawn_process(node, Some(parent), false, body.0) else {
            return;
        };
        if let Some(k) = self.key_of(child) {
            let p = &mut self.procs[k];
            if opts.link {
                p.links.push(parent);
            }
            if opts.monitor {
                let monitor = super::MonIn {
                    r,
                    watcher: parent,
                    object: Term::Pid(child),
                };
                p.mon_in.push_in(monitor, &mut self.spare_mon_in);
            }
        }
        self.send(
            child,
            Dest::Pid(parent),
            Body::SpawnReply {
                r,
                result: Ok(child),
                opts,
            },
        );
    }

    fn spawn_reply_arrived(
        &mut self,
        key: ProcKey,
        r: crate::id::Ref,
        result: Result<Pid, Term>,
        opts: crate::signal::SpawnOpts,
    ) {
        let p = &mut self.procs[key];
        let Some(i) = p.pending.iter().position(|x| x.r == r) else {
            return;
        };
        let pending = p.pending.remove(i);
        let me = p.pid;
        if pending.abandoned {
            if let Ok(child) = result {
                if opts.link {
                    self.send(
                        me,
                        Dest::Pid(child),
                        Body::Exit {
                            reason: Term::atom("abandoned"),
                            linked: true,
                        },
                    );
                }
                if opts.monitor {
                    self.send(me, Dest::Pid(child), Body::Demonitor { r });
                }
            }
            return;
        }
        match result {
            Ok(child) => {
                if opts.link && !p.links.contains(&child) {
                    p.links.push(child);
                }
                if opts.monitor {
                    p.mon_out.push(super::MonOut {
                        r,
                        target: MonTarget::Pid(child),
                    });
                }
                if opts.reply == SpawnReply::Yes {
                    self.enqueue(key, spawn_ok(r, child));
                }
            }
            Err(reason) => {
                if opts.reply != SpawnReply::No {
                    let msg = spawn_error(r, reason);
                    self.enqueue(key, msg);
                }
            }
        }
    }
}

/// `{spawn_reply, Ref, ok, Pid}`.
pub(crate) fn spawn_ok(r: crate::id::Ref, child: Pid) -> Term {
    Term::Tuple(vec![
        Term::Atom(term::SPAWN_REPLY),
        Term::Ref(r),
        Term::Atom(term::OK),
        Term::Pid(child),
    ])
}

/// `{spawn_reply, Ref, error, Reason}`.
pub(crate) fn spawn_error(r: crate::id::Ref, reason: Term) -> Term {
    Term::Tuple(vec![
        Term::Atom(term::SPAWN_REPLY),
        Term::Ref(r),
        Term::atom("error"),
        reason,
    ])
}
