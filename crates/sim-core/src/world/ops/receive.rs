//! Receiving: the selective scan of the mailbox, receive markers and
//! timeouts, and the mailbox as the process sees it.

use crate::id::{NodeId, Pid, Ref};
use crate::mailbox::Cursor;
use crate::matcher::{Accept, Matcher};
use crate::sched::footprint::{Obj, Op};
use crate::term::Term;
use crate::time::{Time, Timeout};
use crate::world::{ProcKey, Status, Wait, World};

/// What one attempt at a receive found.
pub(crate) enum Attempt {
    Got(Term),
    TimedOut,
    Wait,
    /// Yield once before trying (a sync point owed by the operation before).
    Yield,
    Dead,
}

/// Where a receive starts scanning.
#[derive(Clone, Copy)]
pub(crate) enum Marker {
    /// At the head.
    None,
    /// After the latest receive marker.
    Latest,
    /// After the marker of this reference (the head if it has none).
    Of(Ref),
}

/// A receive: its arguments until its first attempt sets it up, then the
/// receive in progress. One or the other, so a blocked process's future
/// holds only one of them.
pub(crate) enum RecvPhase {
    Start(Timeout, Marker),
    Going(RecvState),
}

/// A receive in progress, set up by its first attempt.
pub(crate) struct RecvState {
    cursor: Cursor,
    deadline: Option<Time>,
    /// The token of this receive's armed timer; 0 before one is armed
    /// (tokens count from 1).
    token: u64,
    /// The receive marker this receive starts from, if any.
    marker: Option<Ref>,
    /// Whether the marker is this receive's own (`receive_for`), to be
    /// dropped once it takes a message.
    own_marker: bool,
}

impl World {
    /// One attempt of the receive `state` of process `key` (`pid`): takes the
    /// earliest message `matcher` accepts, or reports a timeout, or leaves the
    /// process waiting with its timer armed.
    // Inline: the receive future's hot path, called from another file.
    #[inline]
    pub(crate) fn try_receive<A: Accept + ?Sized>(
        &mut self,
        key: ProcKey,
        pid: Pid,
        state: &mut RecvPhase,
        matcher: &mut A,
    ) -> Attempt {
        if self.dist.is_some() && self.busy_suspended(key) {
            // Suspended by a send that is no sync point (a spawn request):
            // the receive, and its timeout, begin once it is resumed.
            return Attempt::Yield;
        }
        let now = self.clock.now();
        // The first attempt sets the receive up in the same borrow.
        if let RecvPhase::Start(timeout, marker) = *state {
            *state = RecvPhase::Going(self.receive_state(key, timeout, marker));
        }
        let RecvPhase::Going(st) = state else {
            // Just set up above.
            return Attempt::Dead;
        };
        let World {
            procs,
            arena,
            yield_owed,
            ..
        } = self;
        let Some(p) = procs.get_mut(key) else {
            return Attempt::Dead;
        };
        if *yield_owed {
            // The sync point an operation before this receive owes (a spawn
            // request answered at once, an apply that did not yield).
            *yield_owed = false;
            p.status = Status::Runnable;
            return Attempt::Yield;
        }
        if let Some(t) = p
            .mailbox
            .take_first(arena, &mut st.cursor, &mut |t| matcher.accept(t))
        {
            let timed = st.token != 0;
            if timed {
                // Invalidate the pending timer.
                p.timer_token += 1;
            }
            if let Some(r) = st.marker.filter(|_| st.own_marker) {
                // As OTP does, a marker serves the one receive it was made for.
                p.mailbox.clear_mark(r);
            }
            p.status = Status::Running;
            if self.rec.is_some() {
                self.note_received(
                    pid,
                    Some(&t),
                    matcher.inspectable(),
                    st.deadline.is_some(),
                    timed,
                );
                if timed {
                    self.note_cancel(pid);
                }
            }
            self.tracer
                .receive(self.clock.steps(), self.clock.now(), pid, &t);
            return Attempt::Got(t);
        }
        let fired = st.token != 0 && p.timed_out == st.token;
        if fired || st.deadline.is_some_and(|d| d <= now) {
            p.status = Status::Running;
            if self.rec.is_some() {
                self.note_received(pid, None, matcher.inspectable(), true, fired);
                self.note_pid(pid, Obj::Wake, Op::Write);
            }
            return Attempt::TimedOut;
        }
        p.status = Status::Waiting(Wait::Receive {
            marked: st.marker.is_some(),
        });
        if st.token == 0 {
            if let Some(d) = st.deadline {
                st.token = self.start_wait_timer(key, d);
            }
        }
        self.note_blocked(pid, matcher.inspectable());
        Attempt::Wait
    }

    #[inline]
    fn receive_state(&self, key: ProcKey, timeout: Timeout, marker: Marker) -> RecvState {
        let own_marker = matches!(marker, Marker::Of(_));
        // Only a marked receive needs the mailbox to set itself up.
        let mailbox = || self.procs.get(key).map(|p| &p.mailbox);
        let marker = match marker {
            Marker::None => None,
            Marker::Latest => mailbox().and_then(|m| m.latest_mark()),
            Marker::Of(r) => Some(r),
        };
        RecvState {
            cursor: marker.and_then(|r| mailbox().and_then(|m| m.mark_of(r))),
            deadline: timeout.deadline(self.clock.now()),
            token: 0,
            marker,
            own_marker,
        }
    }

    /// A fresh reference of `node` that also sets a receive marker in the
    /// mailbox of `key`.
    pub(crate) fn make_ref_marked(&mut self, key: ProcKey, node: NodeId) -> Ref {
        let r = self.make_ref(node);
        // Messages that arrive before the marker are not scanned after it.
        self.note_key(key, Obj::Mailbox, Op::Peek);
        if let Some(p) = self.procs.get_mut(key) {
            p.mailbox.set_mark(r);
        }
        r
    }

    /// Records a receive's outcome: the message taken, or a timeout.
    fn note_received(
        &self,
        pid: Pid,
        got: Option<&Term>,
        inspect: Option<&Matcher>,
        timed: bool,
        waited: bool,
    ) {
        self.note_pid(
            pid,
            Obj::Mailbox,
            Op::Pop {
                sig: None,
                msg: got.cloned(),
                matcher: inspect.cloned(),
                timed,
                waited,
            },
        );
    }

    /// A copy of the queued messages of `key`, in arrival order.
    pub(crate) fn mailbox_snapshot(&self, key: ProcKey) -> Vec<Term> {
        self.note_key(key, Obj::Mailbox, Op::Peek);
        self.procs
            .get(key)
            .map(|p| p.mailbox.snapshot(&self.arena))
            .unwrap_or_default()
    }

    /// Takes every queued message of `key`.
    pub(crate) fn flush_mailbox(&mut self, key: ProcKey) -> Vec<Term> {
        self.note_key(key, Obj::Mailbox, Op::Peek);
        let World { procs, arena, .. } = self;
        let Some(p) = procs.get_mut(key) else {
            return Vec::new();
        };
        let all = p.mailbox.snapshot(arena);
        p.mailbox.clear(arena);
        all
    }
}
