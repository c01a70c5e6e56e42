//! The connection table: one direction per ordered node pair (the signals
//! travelling on it, those a cut holds, how many were sent), whether each
//! unordered pair's connection is up or was lost, and the list of directions
//! with signals travelling.
//!
//! Invariants, kept here and nowhere else:
//! - the active list names exactly the directions whose queue is not empty,
//!   each once, and each such direction knows its position in it (so only
//!   heads of active directions are candidates, found without a scan);
//! - along a queue neither end of the window ever decreases (the direction is
//!   FIFO: only the head can be due first).

use super::conn::Window;
use super::{Signal, NOT_ENABLED};
use crate::id::NodeId;
use crate::time::Time;
use std::collections::VecDeque;

/// One direction of a connection.
#[derive(Debug)]
struct Dir {
    /// Signals travelling, in send order.
    queue: VecDeque<(Window, Signal)>,
    /// Signals held by a deferring cut, in send order.
    held: VecDeque<Signal>,
    /// Position in the active list.
    active_pos: u32,
    /// Signals sent on this direction so far (keys the network's draws).
    sent: u64,
}

impl Default for Dir {
    fn default() -> Dir {
        Dir {
            queue: VecDeque::new(),
            held: VecDeque::new(),
            active_pos: NOT_ENABLED,
            sent: 0,
        }
    }
}

pub(crate) struct Dirs {
    /// Nodes simulated (the table is `n * n`).
    n: usize,
    dirs: Vec<Dir>,
    /// Directions with signals travelling.
    active: Vec<u32>,
    /// Per node pair (indexed by [`Dirs::pair`]): the connection is up.
    up: Vec<bool>,
    /// Per node pair: the connection was lost (a `disconnect_node`, a drop
    /// cut, a crash) since the node last (re)started. Until a signal
    /// reconnects such a pair, the peer is not in `nodes()`.
    lost: Vec<bool>,
}

impl Dirs {
    pub(crate) fn new(n: usize) -> Dirs {
        Dirs {
            n,
            dirs: (0..n * n).map(|_| Dir::default()).collect(),
            active: Vec::new(),
            up: vec![false; n * n],
            lost: vec![false; n * n],
        }
    }

    #[inline]
    pub(crate) fn index(&self, from: NodeId, to: NodeId) -> usize {
        from.index() * self.n + to.index()
    }

    /// The index of the unordered pair `a`, `b`.
    pub(crate) fn pair(&self, a: NodeId, b: NodeId) -> usize {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        self.index(lo, hi)
    }

    /// The directions with signals travelling.
    #[inline]
    pub(crate) fn active(&self) -> &[u32] {
        &self.active
    }

    /// Keeps the active list in step with whether `di`'s queue is empty.
    fn sync_active(&mut self, di: usize) {
        let empty = self.dirs[di].queue.is_empty();
        let pos = self.dirs[di].active_pos;
        if empty && pos != NOT_ENABLED {
            self.active.swap_remove(pos as usize);
            if let Some(&moved) = self.active.get(pos as usize) {
                self.dirs[moved as usize].active_pos = pos;
            }
            self.dirs[di].active_pos = NOT_ENABLED;
        } else if !empty && pos == NOT_ENABLED {
            self.dirs[di].active_pos = self.active.len() as u32;
            self.active.push(di as u32);
        }
    }

    /// Where the signals travelling on `di` go, in send order.
    pub(crate) fn destinations(&self, di: usize) -> impl Iterator<Item = crate::signal::Dest> + '_ {
        self.dirs[di].queue.iter().map(|(_, s)| s.to)
    }

    /// Whether signals travel on `di`.
    pub(crate) fn travelling(&self, di: usize) -> bool {
        !self.dirs[di].queue.is_empty()
    }

    /// The window of the head of direction `di`, with its signal's id.
    #[inline]
    pub(crate) fn head_window(&self, di: usize) -> Option<(Window, u64)> {
        self.dirs[di].queue.front().map(|(w, s)| (*w, s.id))
    }

    /// Puts a signal in flight on `di` with window `lo..=hi`, moved up so
    /// that it opens and closes no earlier than its predecessor's.
    pub(crate) fn push(&mut self, di: usize, lo: Time, hi: Time, sig: Signal) {
        let (lo, hi) = match self.dirs[di].queue.back() {
            Some((w, _)) => (lo.max(w.lo), hi.max(w.hi)),
            None => (lo, hi),
        };
        self.dirs[di].queue.push_back((Window { lo, hi }, sig));
        self.sync_active(di);
    }

    /// Takes the head signal of `di`.
    pub(crate) fn pop_head(&mut self, di: usize) -> Option<Signal> {
        let head = self.dirs[di].queue.pop_front();
        self.sync_active(di);
        head.map(|(_, sig)| sig)
    }

    /// Takes every signal travelling on `di`, in send order.
    pub(crate) fn take_travelling(&mut self, di: usize) -> VecDeque<(Window, Signal)> {
        let queue = std::mem::take(&mut self.dirs[di].queue);
        self.sync_active(di);
        queue
    }

    /// Sets the window of each travelling signal `due` names by id (ids
    /// grow along a direction; `due` is in id order), then moves each up to
    /// its predecessor's so the direction stays FIFO.
    pub(crate) fn retime(&mut self, di: usize, due: &[(u64, Time, Time)]) {
        let mut k = 0;
        let mut prev: Option<Window> = None;
        for (w, sig) in self.dirs[di].queue.iter_mut() {
            // One that has left is skipped.
            while due.get(k).is_some_and(|d| d.0 < sig.id) {
                k += 1;
            }
            if let Some(&(_, lo, hi)) = due.get(k).filter(|d| d.0 == sig.id) {
                *w = Window { lo, hi };
                k += 1;
            }
            if let Some(p) = prev {
                w.lo = w.lo.max(p.lo);
                w.hi = w.hi.max(p.hi);
            }
            prev = Some(*w);
        }
    }

    /// Whether a cut holds signals on `di`.
    pub(crate) fn has_held(&self, di: usize) -> bool {
        !self.dirs[di].held.is_empty()
    }

    pub(crate) fn held_len(&self, di: usize) -> usize {
        self.dirs[di].held.len()
    }

    /// Holds a signal behind those held on `di` already.
    pub(crate) fn hold(&mut self, di: usize, sig: Signal) {
        self.dirs[di].held.push_back(sig);
    }

    /// Holds a signal ahead of those held on `di` already.
    pub(crate) fn hold_first(&mut self, di: usize, sig: Signal) {
        self.dirs[di].held.push_front(sig);
    }

    /// Takes the signals held on `di`, in send order.
    pub(crate) fn take_held(&mut self, di: usize) -> VecDeque<Signal> {
        std::mem::take(&mut self.dirs[di].held)
    }

    /// Signals sent on `di` so far.
    pub(crate) fn sent(&self, di: usize) -> u64 {
        self.dirs[di].sent
    }

    /// Counts a signal sent on `di`.
    pub(crate) fn count_sent(&mut self, di: usize) {
        self.dirs[di].sent += 1;
    }

    /// Whether pair `pi`'s connection is up.
    pub(crate) fn is_up(&self, pi: usize) -> bool {
        self.up.get(pi).copied().unwrap_or(false)
    }

    /// Whether pair `pi`'s connection was lost since its nodes last started.
    pub(crate) fn is_lost(&self, pi: usize) -> bool {
        self.lost.get(pi).copied().unwrap_or(true)
    }

    /// A signal crossed pair `pi`: its connection is up.
    pub(crate) fn connect(&mut self, pi: usize) {
        self.up[pi] = true;
    }

    /// Pair `pi`'s connection is lost; returns whether it was up.
    pub(crate) fn lose(&mut self, pi: usize) -> bool {
        let was_up = self.up[pi];
        self.up[pi] = false;
        self.lost[pi] = true;
        was_up
    }

    /// A restarted node starts out connected again.
    pub(crate) fn forget_lost(&mut self, pi: usize) {
        self.lost[pi] = false;
    }

    /// Signals travelling on every direction.
    pub(crate) fn in_flight(&self) -> u64 {
        self.dirs.iter().map(|d| d.queue.len() as u64).sum()
    }

    /// Signals held on every direction.
    pub(crate) fn held(&self) -> u64 {
        self.dirs.iter().map(|d| d.held.len() as u64).sum()
    }
}
