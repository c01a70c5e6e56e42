//! The enabled set: the runnable processes, and while a choice is made the
//! other candidate events after them.
//!
//! Invariants, kept here and nowhere else:
//! - `events` (and, once stamped, `stamps`) have one entry per event, at the
//!   same index; an event names its owner itself (a process's event is its
//!   pid, which is its slot), so no third list is kept in step;
//! - a process is listed at most once, and its record's [`Pos`] is its index
//!   (only this module writes a `Pos`);
//! - candidates other than processes sit after every process, and only between
//!   [`Enabled::open_choice`] and [`Enabled::close_choice`];
//! - every listed process has its stamp: when it became runnable, and its
//!   number in the order processes became runnable;
//! - index 0 is the process that just ran, when it can go on.

use super::{Proc, ProcKey, Status, World};
use crate::id::Pid;
use crate::sched::{Event, Stamp};
use crate::time::Time;
use slotmap::SlotMap;
use std::collections::VecDeque;

/// Where a process is in the enabled set, if it is in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pos(u32);

impl Pos {
    /// Not in the enabled set.
    pub(crate) const NONE: Pos = Pos(u32::MAX);

    /// The index in the enabled set, if listed.
    #[inline]
    pub(crate) fn get(self) -> Option<usize> {
        (self != Pos::NONE).then_some(self.0 as usize)
    }
}

pub(crate) struct Enabled {
    events: Vec<Event>,
    /// When each event became possible, and its order (same index).
    stamps: Vec<Stamp>,
    /// Runnable processes in the order they became runnable, with the stamp
    /// number they had; entries whose process has run since are stale and
    /// dropped when they reach the front (the front is the oldest waiting).
    /// Kept only with a run window: without one the horizon needs no oldest
    /// runnable process (see `step::horizon`).
    run_fifo: VecDeque<(ProcKey, u64)>,
    keep_fifo: bool,
    seq: u64,
    /// The process that took the latest step, while that step was a process's
    /// (its pid: telling whether index 0 is it needs no slot look-up).
    current: Option<Pid>,
}

impl Enabled {
    pub(crate) fn new(run_window: Time) -> Enabled {
        Enabled {
            events: Vec::new(),
            stamps: Vec::new(),
            run_fifo: VecDeque::new(),
            keep_fifo: run_window > Time::ZERO,
            seq: 0,
            current: None,
        }
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.events.len()
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The events, as a strategy sees them.
    pub(crate) fn events(&self) -> &[Event] {
        &self.events
    }

    /// The stamps (same index as the events).
    pub(crate) fn stamps(&self) -> &[Stamp] {
        &self.stamps
    }

    #[inline]
    pub(crate) fn event(&self, i: usize) -> Event {
        self.events[i]
    }

    /// The process that took the latest step, while that step was a process's.
    #[inline]
    pub(crate) fn current(&self) -> Option<ProcKey> {
        self.current.and_then(World::slot_of)
    }

    /// A step that is no process's: nobody goes on.
    #[inline]
    pub(crate) fn clear_current(&mut self) {
        self.current = None;
    }

    /// Whether index 0 is the process that took the latest step.
    pub(crate) fn continuing(&self) -> bool {
        match (self.events.first(), self.current) {
            (Some(&Event::Run(pid)), Some(c)) => pid == c,
            _ => false,
        }
    }

    /// Makes a process runnable and lists it (unless it is listed already),
    /// stamped: it became runnable at `now`.
    #[inline]
    pub(crate) fn enable(&mut self, p: &mut Proc, now: Time) {
        p.status = Status::Runnable;
        if p.enabled_pos == Pos::NONE {
            p.enabled_pos = Pos(self.events.len() as u32);
            self.push_proc(p.pid, now);
        }
    }

    #[inline]
    fn push_proc(&mut self, pid: Pid, now: Time) {
        self.events.push(Event::Run(pid));
        self.seq += 1;
        self.stamps.push(Stamp {
            earliest: now,
            seq: self.seq,
        });
        if self.keep_fifo {
            if let Some(key) = World::slot_of(pid) {
                self.run_fifo.push_back((key, self.seq));
            }
        }
    }

    /// Lists a process that can go on after its step in front (swapping with
    /// the first), so that index 0 is "the process that just ran goes on".
    /// Returns the event moved out of the front and its new index: the
    /// caller, no longer holding `p`, passes them to [`Enabled::moved`].
    #[inline]
    pub(crate) fn enable_in_front(&mut self, p: &mut Proc, now: Time) -> Option<(Event, usize)> {
        p.status = Status::Runnable;
        let i = match p.enabled_pos.get() {
            Some(i) => i,
            None => {
                self.push_proc(p.pid, now);
                self.events.len() - 1
            }
        };
        p.enabled_pos = Pos(0);
        if i == 0 {
            return None;
        }
        self.events.swap(0, i);
        self.stamps.swap(0, i);
        Some((self.events[i], i))
    }

    /// Fixes the position of an event [`Enabled::enable_in_front`] moved.
    #[inline]
    pub(crate) fn moved(&self, moved: Option<(Event, usize)>, procs: &mut SlotMap<ProcKey, Proc>) {
        if let Some((ev, i)) = moved {
            set_pos(procs, ev, Pos(i as u32));
        }
    }

    /// Whether a run-queue entry still names a runnable process with that stamp.
    fn fifo_live(&self, key: ProcKey, seq: u64, procs: &SlotMap<ProcKey, Proc>) -> bool {
        procs.get(key).is_some_and(|p| {
            p.enabled_pos
                .get()
                .and_then(|i| self.stamps.get(i))
                .is_some_and(|s| s.seq == seq)
        })
    }

    /// Drops stale run-queue entries (a process starved while others ran).
    fn compact_fifo(&mut self, procs: &SlotMap<ProcKey, Proc>) {
        let fifo = std::mem::take(&mut self.run_fifo);
        self.run_fifo = fifo
            .into_iter()
            .filter(|&(k, seq)| self.fifo_live(k, seq, procs))
            .collect();
    }

    /// When the runnable process that has waited longest became runnable.
    pub(crate) fn oldest_runnable(&mut self, procs: &SlotMap<ProcKey, Proc>) -> Option<Time> {
        if self.run_fifo.len() > 64 + 2 * self.events.len() {
            self.compact_fifo(procs);
        }
        while let Some(&(key, seq)) = self.run_fifo.front() {
            if self.fifo_live(key, seq, procs) {
                let pos = procs
                    .get(key)
                    .and_then(|p| p.enabled_pos.get())
                    .unwrap_or(0);
                return self.stamps.get(pos).map(|s| s.earliest);
            }
            self.run_fifo.pop_front();
        }
        None
    }

    /// Unlists a process (it died or left its node), if it is listed.
    pub(crate) fn remove_proc(&mut self, key: ProcKey, procs: &mut SlotMap<ProcKey, Proc>) {
        if let Some(i) = procs.get(key).and_then(|p| p.enabled_pos.get()) {
            self.swap_remove(i, procs);
            if let Some(p) = procs.get_mut(key) {
                p.enabled_pos = Pos::NONE;
            }
        }
    }

    /// Takes the process at `i` as this step: unlisted, made current, and
    /// handed back with its key (`None` if `i` is no process's).
    #[inline]
    pub(crate) fn take_proc<'p>(
        &mut self,
        i: usize,
        procs: &'p mut SlotMap<ProcKey, Proc>,
    ) -> Option<(ProcKey, &'p mut Proc)> {
        let Event::Run(pid) = self.events[i] else {
            return None;
        };
        let key = World::slot_of(pid)?;
        self.swap_remove(i, procs);
        self.current = Some(pid);
        let p = procs.get_mut(key)?;
        p.enabled_pos = Pos::NONE;
        Some((key, p))
    }

    /// Removes the event at `i`, fixing the position of the one moved there;
    /// the removed owner's position is the caller's to reset.
    #[inline]
    fn swap_remove(&mut self, i: usize, procs: &mut SlotMap<ProcKey, Proc>) {
        self.events.swap_remove(i);
        self.stamps.swap_remove(i);
        if let Some(&moved) = self.events.get(i) {
            set_pos(procs, moved, Pos(i as u32));
        }
    }

    /// Starts a choice point: returns how many processes are listed, which
    /// [`Enabled::close_choice`] goes back to.
    pub(crate) fn open_choice(&self) -> usize {
        self.events.len()
    }

    /// Appends a candidate that is no process (after the processes).
    #[inline]
    pub(crate) fn push_candidate(&mut self, event: Event, stamp: Stamp) {
        debug_assert!(!matches!(event, Event::Run(_)));
        debug_assert_eq!(self.stamps.len(), self.events.len());
        self.events.push(event);
        self.stamps.push(stamp);
    }

    /// Ends a choice point: only the `nproc` processes stay listed.
    #[inline]
    pub(crate) fn close_choice(&mut self, nproc: usize) {
        debug_assert!(self.events[..nproc.min(self.events.len())]
            .iter()
            .all(|e| matches!(e, Event::Run(_))));
        self.events.truncate(nproc);
        self.stamps.truncate(nproc);
    }
}

fn set_pos(procs: &mut SlotMap<ProcKey, Proc>, event: Event, pos: Pos) {
    if let Some(p) = event_proc(event).and_then(|k| procs.get_mut(k)) {
        p.enabled_pos = pos;
    }
}

/// The slot of the process whose turn `event` is, if it is one.
#[inline]
fn event_proc(event: Event) -> Option<ProcKey> {
    match event {
        Event::Run(pid) => World::slot_of(pid),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::sched::{Event, Stamp};

    /// A burst of runnable processes leaves the list's capacity behind (W6
    /// counts it per idle process): one event and one stamp per entry.
    #[test]
    fn an_enabled_entry_stays_small() {
        let entry = std::mem::size_of::<Event>() + std::mem::size_of::<Stamp>();
        assert!(entry <= 48, "{entry} bytes per enabled entry");
    }
}
