//! Stage 1 of a signal's way: it leaves its process. Numbered, counted and
//! traced here, then queued locally or handed to the connection (`conn`).

use super::{Body, Signal};
use super::{Status, Wait, World};
use crate::id::Pid;
use crate::signal::{Dest, SignalKind};
use crate::term::Term;

impl World {
    /// Sends a signal from `from`: at once on the same node (or, in `Async`
    /// mode, through its pair's queue: `local`), over the connection otherwise.
    pub(crate) fn send(&mut self, from: Pid, to: Dest, body: Body) {
        let sig = self.new_signal(from, to, body);
        if from.node() == to.node() {
            if self.async_signals {
                return self.send_local_async(sig);
            }
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
        if from.node() != to.node()
            || !self.local_q.is_empty()
            || matches!(to, Dest::Node(_))
            || self.pair_pending(from, to)
        {
            return self.send(from, to, Body::Message(msg));
        }
        let id = self.signal_sent(from, to, SignalKind::Message, Some(&msg));
        self.books.delivered();
        if let Dest::Pid(pid) = to {
            // The common case in one slot lookup: check, trace, push, wake.
            let World {
                procs,
                arena,
                enabled,
                tracer,
                clock,
                ..
            } = self;
            let slot = World::slot_of(pid);
            match slot.and_then(|k| procs.get_mut(k).filter(|p| p.pid == pid)) {
                Some(p) => {
                    tracer.deliver(clock.steps(), clock.now(), id, Some(pid));
                    if let Some(r) = &self.rec {
                        r.borrow_mut().push_message(pid, &msg);
                    }
                    p.mailbox.push(arena, msg);
                    if matches!(p.status, Status::Waiting(Wait::Receive { .. })) {
                        enabled.enable(p, clock.now());
                    }
                }
                None => {
                    tracer.deliver(clock.steps(), clock.now(), id, None);
                    if let Some(r) = &self.rec {
                        // Dropped; recorded as it would have been queued.
                        let mut r = r.borrow_mut();
                        r.read_life(pid);
                        r.push_message(pid, &msg);
                    }
                }
            }
            return;
        }
        if let Some(key) = self.resolve_traced(id, to, true) {
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
        let id = self.ids.next_signal();
        self.books.sent();
        let to_s = self.trace_dest(to);
        self.tracer.send(
            (self.clock.steps(), self.clock.now()),
            id,
            from,
            to_s,
            kind,
            payload,
        );
        id
    }
}
