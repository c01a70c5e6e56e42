//! Sending signals and applying them on arrival: enqueue, `'DOWN'`, exit
//! propagation, `trap_exit` conversion, waking the receiver.

use super::{Body, Signal};
use super::{ProcKey, Status, Wait, World};
use crate::id::Pid;
use crate::signal::SignalKind;
use crate::signal::{Dest, MonTarget, SpawnReply};
use crate::term::{self, Atom, Term};

fn atom(s: &str) -> Term {
    Term::Atom(Atom::new(s))
}

impl World {
    /// Sends a signal from `from`: at once on the same node, over the
    /// connection otherwise.
    pub(crate) fn send(&mut self, from: Pid, to: Dest, body: Body) {
        let sig = self.new_signal(from, to, body);
        if from.node() == to.node() {
            self.local_q.push_back(sig);
        } else {
            self.send_remote(sig);
        }
    }

    /// A message for a caller that drains the local queue right after (a `Cx`
    /// send, whose only effect this is): on the same node, with nothing queued
    /// ahead of it, it arrives at once instead of going through the queue as a
    /// `Signal`. The order of arrivals, and the trace, are the same.
    pub(crate) fn send_message_now(&mut self, from: Pid, to: Dest, msg: Term) {
        if from.node() != to.node() || !self.local_q.is_empty() || matches!(to, Dest::Node(_)) {
            return self.send(from, to, Body::Message(msg));
        }
        let id = self.signal_sent(from, to, SignalKind::Message, Some(&msg));
        self.books.delivered += 1;
        if let Dest::Pid(pid) = to {
            // The common case in one slot lookup: check, trace, push, wake.
            let World {
                procs,
                arena,
                enabled,
                owners,
                tracer,
                steps,
                now,
                ..
            } = self;
            let slot = World::slot_of(pid);
            match slot.and_then(|k| Some((k, procs.get_mut(k).filter(|p| p.pid == pid)?))) {
                Some((key, p)) => {
                    tracer.deliver(*steps, *now, id, Some(pid));
                    p.mailbox.push(arena, msg);
                    if matches!(p.status, Status::Waiting(Wait::Receive { .. })) {
                        super::enable(enabled, owners, key, p);
                    }
                }
                None => tracer.deliver(*steps, *now, id, None),
            }
            return;
        }
        let target = self.resolve(to);
        let to_pid = match (to, target) {
            (Dest::Pid(p), Some(_)) => Some(p),
            (_, t) => t.map(|k| self.procs[k].pid),
        };
        self.tracer.deliver(self.steps, self.now, id, to_pid);
        if let Some(key) = target {
            self.enqueue(key, msg);
        }
    }

    /// Queues a signal for local delivery whatever its sender's node (the
    /// runtime's own reactions, such as `noconnection`).
    pub(crate) fn inject(&mut self, from: Pid, to: Dest, body: Body) {
        let sig = self.new_signal(from, to, body);
        self.local_q.push_back(sig);
    }

    fn new_signal(&mut self, from: Pid, to: Dest, body: Body) -> Signal {
        let id = self.signal_sent(from, to, body.kind(), body.payload());
        Signal { id, from, to, body }
    }

    /// Numbers, counts and traces a signal leaving its sender.
    #[inline]
    fn signal_sent(
        &mut self,
        from: Pid,
        to: Dest,
        kind: SignalKind,
        payload: Option<&Term>,
    ) -> u64 {
        self.next_signal += 1;
        let id = self.next_signal;
        self.books.sent += 1;
        let to_s = self.trace_dest(to);
        self.tracer
            .send((self.steps, self.now), id, from, to_s, kind, payload);
        id
    }

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
            self.books.delivered += 1;
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
            owners,
            ..
        } = self;
        if let Some(p) = procs.get_mut(key) {
            p.mailbox.push(arena, msg);
            if matches!(p.status, Status::Waiting(Wait::Receive { .. })) {
                super::enable(enabled, owners, key, p);
            }
        }
    }

    /// The live process a destination names on its node (`Dest::Node`: none).
    #[inline]
    fn resolve(&self, to: Dest) -> Option<ProcKey> {
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

    /// Applies a signal that reached its destination node.
    pub(crate) fn arrive(&mut self, sig: Signal) {
        let Signal { id, from, to, body } = sig;
        if let Dest::Node(node) = to {
            self.tracer.deliver(self.steps, self.now, id, None);
            if let Body::SpawnRequest { r, body, opts } = body {
                self.spawn_request_arrived(from, node, r, body, opts);
            }
            return;
        }
        let target = self.resolve(to);
        let to_pid = match (to, target) {
            (Dest::Pid(p), Some(_)) => Some(p),
            (_, t) => t.map(|k| self.procs[k].pid),
        };
        self.tracer.deliver(self.steps, self.now, id, to_pid);
        match target {
            Some(key) => self.apply(key, from, to, body),
            None => self.dead_target(from, to, body),
        }
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
                self.procs[key].mon_in.push(super::MonIn {
                    r,
                    watcher: from,
                    object,
                });
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
                    result: Err(atom(reason)),
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
                p.mon_in.push(super::MonIn {
                    r,
                    watcher: parent,
                    object: Term::Pid(child),
                });
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
                            reason: atom("abandoned"),
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
        atom("error"),
        reason,
    ])
}
