//! The clock: virtual time, the step count, their budgets, and the timer
//! heap.
//!
//! Invariants, kept here and nowhere else:
//! - time never goes back, and never past the time budget (a move past it is
//!   refused, which ends the run);
//! - the step count only grows, one per step taken;
//! - actions run at one instant are counted from the last move of time, and
//!   held to the step budget (an action that keeps rescheduling itself for
//!   "now" takes no steps and would stop time);
//! - every timer has its own number, increasing in the order they were set,
//!   so timers due at one instant come up in that order.

use super::timer::TimerKind;
use crate::time::Time;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// What [`Clock::advance_to`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Advance {
    /// The instant is now or past: time stays.
    Stayed,
    Moved,
    /// The instant is past the time budget: time stays, the run is over.
    OverBudget,
}

pub(crate) struct Clock {
    now: Time,
    steps: u64,
    max_steps: u64,
    max_time: Time,
    instant_actions: u64,
    timers: BinaryHeap<Reverse<(Time, u64, TimerKind)>>,
    timer_seq: u64,
}

impl Clock {
    pub(crate) fn new(max_steps: u64, max_time: Time) -> Clock {
        Clock {
            now: Time::ZERO,
            steps: 0,
            max_steps,
            max_time,
            instant_actions: 0,
            timers: BinaryHeap::new(),
            timer_seq: 0,
        }
    }

    #[inline]
    pub(crate) fn now(&self) -> Time {
        self.now
    }

    #[inline]
    pub(crate) fn steps(&self) -> u64 {
        self.steps
    }

    /// Counts a step taken.
    #[inline]
    pub(crate) fn step(&mut self) {
        self.steps += 1;
    }

    /// Whether the step budget is spent.
    #[inline]
    pub(crate) fn out_of_steps(&self) -> bool {
        self.steps >= self.max_steps
    }

    /// Moves time forward to `at` (never back).
    pub(crate) fn advance_to(&mut self, at: Time) -> Advance {
        if at <= self.now {
            return Advance::Stayed;
        }
        if at > self.max_time {
            return Advance::OverBudget;
        }
        self.now = at;
        self.instant_actions = 0;
        Advance::Moved
    }

    /// Counts an action run at this instant; `false` once there were more
    /// than the step budget allows.
    pub(crate) fn instant_action(&mut self) -> bool {
        self.instant_actions += 1;
        self.instant_actions <= self.max_steps
    }

    /// Sets a timer; returns its number.
    pub(crate) fn arm(&mut self, at: Time, kind: TimerKind) -> u64 {
        self.timer_seq += 1;
        self.timers.push(Reverse((at, self.timer_seq, kind)));
        self.timer_seq
    }

    /// The earliest timer, live or not.
    #[inline]
    pub(crate) fn peek_timer(&self) -> Option<(Time, u64, TimerKind)> {
        self.timers.peek().map(|r| r.0)
    }

    /// Takes the earliest timer.
    pub(crate) fn pop_timer(&mut self) -> Option<(Time, u64, TimerKind)> {
        self.timers.pop().map(|r| r.0)
    }
}
