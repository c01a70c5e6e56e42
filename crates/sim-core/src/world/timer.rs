//! The timer heap: receive timeouts, sleeps, Erlang timers (`send_after`,
//! `start_timer`) and scheduled control actions.
//!
//! Entries order by (time, sequence number). The earliest live entry is an
//! event the strategy may take once it is due by the horizon; timers due at
//! the same instant come up in the order they were set. Cancelled timers stay
//! in the heap and are discarded when they reach its top (their token or
//! entry no longer matches).

use super::Body;
use super::{ProcKey, World};
use crate::id::{Pid, Ref};
use crate::sched::footprint::{Obj, Op};
use crate::signal::Dest;
use crate::term::{Atom, Term};
use crate::time::Time;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum TimerKind {
    /// Wake a process whose timed wait carries this token.
    Wake(ProcKey, u64),
    /// An Erlang timer.
    Erl(Ref),
    /// A scheduled control action.
    Control(usize),
    /// Resume the senders suspended on a busy connection direction (the
    /// timer of this epoch, see `buffer`).
    Drain(u32, u64),
}

/// Where an Erlang timer's message goes.
#[derive(Clone, Debug)]
pub(crate) enum TimerDest {
    Pid(Pid),
    /// A local registered name, resolved when the timer fires.
    Name(Atom),
}

#[derive(Clone, Debug)]
pub(crate) struct ErlTimer {
    pub(crate) at: Time,
    pub(crate) owner: Pid,
    pub(crate) dest: TimerDest,
    pub(crate) msg: Term,
}

impl World {
    pub(crate) fn arm(&mut self, at: Time, kind: TimerKind) {
        let seq = self.clock.arm(at, kind);
        self.note_armed(seq);
    }

    pub(crate) fn fire(&mut self, kind: TimerKind) {
        match kind {
            TimerKind::Wake(key, token) => {
                if let Some(p) = self.procs.get_mut(key) {
                    let waiting =
                        matches!(p.status, super::Status::Waiting(w) if w != super::Wait::Foreign);
                    if p.timer_token == token && waiting {
                        p.timed_out = token;
                        // A sender suspended on a busy connection finds the
                        // timer fired when it is resumed.
                        if p.status != super::Status::Waiting(super::Wait::BusyDist) {
                            self.enable_proc(key);
                            self.note_key(key, Obj::Wake, Op::Write);
                        }
                    } else if p.timer_token == token
                        && !matches!(p.status, super::Status::Waiting(_))
                    {
                        // Woken by a message first: the receive will take
                        // it and cancel this timer, whatever its firing.
                        let pid = p.pid;
                        self.note_lapse(pid);
                    }
                }
            }
            TimerKind::Erl(r) => {
                // Nothing iterates this map, so O(1) removal changes no order.
                if let Some(t) = self.erl_timers.swap_remove(&r) {
                    let to = match t.dest {
                        // OTP cancels a timer whose destination process died.
                        TimerDest::Pid(p) => self.key_of(p).map(|_| p),
                        TimerDest::Name(n) => self
                            .nodes
                            .get(t.owner.node().index())
                            .and_then(|s| s.registry.get(&n).copied()),
                    };
                    if let Some(to) = to {
                        self.send(t.owner, Dest::Pid(to), Body::Message(t.msg));
                    }
                }
            }
            TimerKind::Control(idx) => {
                self.note(Obj::All, Op::Write);
                self.run_control(idx)
            }
            TimerKind::Drain(di, _) => self.drain_timer(di),
        }
    }

    /// Whether a timer still does something when it fires.
    fn timer_live(&self, kind: TimerKind) -> bool {
        match kind {
            TimerKind::Wake(key, token) => self
                .procs
                .get(key)
                .is_some_and(|p| p.timer_token == token && p.timed_out != token),
            TimerKind::Erl(r) => self.erl_timers.contains_key(&r),
            TimerKind::Control(idx) => self.actions.is_live(idx),
            TimerKind::Drain(di, epoch) => self.drain_timer_live(di, epoch),
        }
    }

    /// The earliest live timer, `(due, number)`, discarding dead ones above it.
    pub(crate) fn next_timer(&mut self) -> Option<(Time, u64)> {
        while let Some((at, seq, kind)) = self.clock.peek_timer() {
            if self.timer_live(kind) {
                return Some((at, seq));
            }
            self.clock.pop_timer();
        }
        None
    }

    /// Fires the earliest timer (a scheduler step).
    pub(crate) fn fire_next(&mut self) {
        if let Some((_, seq, kind)) = self.clock.pop_timer() {
            self.note_cause_timer(seq);
            self.fire(kind);
            self.drain_local();
        }
    }

    /// Starts a timed wait for a process; returns its token.
    pub(crate) fn start_wait_timer(&mut self, key: ProcKey, at: Time) -> u64 {
        let Some(p) = self.procs.get_mut(key) else {
            return 0;
        };
        p.timer_token += 1;
        let token = p.timer_token;
        self.arm(at, TimerKind::Wake(key, token));
        if self.recording() {
            self.note_key(key, Obj::Wake, Op::Write);
        }
        token
    }
}

impl World {
    /// The milliseconds left on an Erlang timer (rounded up), or `None` once it
    /// no longer counts: fired, cancelled, or (as OTP cancels it then) its
    /// destination process is gone.
    pub(crate) fn erl_timer_left(&self, t: &ErlTimer) -> Option<u64> {
        if let TimerDest::Pid(p) = t.dest {
            self.key_of(p)?;
        }
        Some(
            t.at.saturating_sub(self.clock.now())
                .as_us()
                .div_ceil(1_000),
        )
    }
}

pub(crate) fn timer_dest_pid(p: Pid) -> TimerDest {
    TimerDest::Pid(p)
}

pub(crate) fn timer_dest_name(n: Atom) -> TimerDest {
    TimerDest::Name(n)
}

impl World {
    pub(crate) fn add_erl_timer(
        &mut self,
        r: Ref,
        owner: Pid,
        after: Time,
        dest: TimerDest,
        msg: Term,
    ) {
        let at = self.clock.now().saturating_add(after);
        self.erl_timers.insert(
            r,
            ErlTimer {
                at,
                owner,
                dest,
                msg,
            },
        );
        self.arm(at, TimerKind::Erl(r));
    }
}
