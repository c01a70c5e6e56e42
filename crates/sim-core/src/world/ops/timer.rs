//! A process's own time: sleeping, and Erlang timers (`send_after`,
//! `start_timer`, `cancel_timer`, `read_timer`).

use crate::id::{Pid, Ref};
use crate::sched::footprint::{Obj, Op};
use crate::term::Term;
use crate::time::Time;
use crate::world::timer::TimerDest;
use crate::world::{ProcKey, Status, Wait, World};

impl World {
    /// Puts process `key` to sleep for `d` (`Time::MAX`: for ever). Returns
    /// the token its wake-up comes with (0: none comes).
    pub(crate) fn start_sleep(&mut self, key: ProcKey, d: Time) -> u64 {
        let at = self.clock.now().saturating_add(d);
        let token = if d == Time::MAX {
            0
        } else {
            self.start_wait_timer(key, at)
        };
        // A sender suspended on a busy connection stays suspended; the
        // sleep's timer runs meanwhile.
        if !(self.dist.is_some() && self.busy_suspended(key)) {
            self.set_status(key, Status::Waiting(Wait::Sleep));
        }
        token
    }

    /// Whether the sleep of process `key` with `token` is over; if not, it
    /// goes on sleeping.
    pub(crate) fn sleep_over(&mut self, key: ProcKey, token: u64) -> bool {
        let Some(p) = self.procs.get_mut(key) else {
            return false;
        };
        if token != 0 && p.timed_out == token {
            p.status = Status::Running;
            self.note_key(key, Obj::Wake, Op::Write);
            true
        } else {
            p.status = Status::Waiting(Wait::Sleep);
            false
        }
    }

    /// An Erlang timer of `owner` sending `msg` to `dest` in `ms`; with `wrap`
    /// (`start_timer`), the message is `{timeout, TimerRef, Msg}`.
    pub(crate) fn erl_timer(
        &mut self,
        owner: Pid,
        ms: u64,
        dest: TimerDest,
        msg: Term,
        wrap: bool,
    ) -> Ref {
        let r = self.make_ref(owner.node());
        let msg = if wrap {
            Term::Tuple(vec![Term::atom("timeout"), Term::Ref(r), msg])
        } else {
            msg
        };
        self.add_erl_timer(r, owner, Time::ms(ms), dest, msg);
        r
    }

    /// `cancel_timer(Ref)`: the milliseconds that were left, if it was running.
    pub(crate) fn cancel_erl_timer(&mut self, r: Ref) -> Option<u64> {
        // No order of this map is ever observed: O(1) removal.
        self.note(Obj::Clock, Op::Write);
        let t = self.erl_timers.swap_remove(&r)?;
        self.erl_timer_left(&t)
    }

    /// `read_timer(Ref)`: the milliseconds left, if it is running.
    pub(crate) fn read_erl_timer(&self, r: Ref) -> Option<u64> {
        self.note(Obj::Clock, Op::Read);
        self.erl_timer_left(self.erl_timers.get(&r)?)
    }
}
