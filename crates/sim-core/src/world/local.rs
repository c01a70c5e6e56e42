//! Signals between two processes of one node as events of their own
//! ([`LocalSignals::Async`](crate::LocalSignals::Async)): one FIFO queue per
//! (sender, receiver) pair, each head an enabled [`Event::Signal`].
//!
//! Per-pair queues keep Erlang's one ordering promise (between one sender and
//! one receiver, send order) and nothing more: signals of different senders
//! to one receiver arrive in whichever order the strategy picks.

use super::{Signal, World};
use crate::fast_map::FastMap;
use crate::id::Pid;
use crate::sched::{Event, Stamp};
use crate::signal::{Body, Dest};
use crate::time::Time;
use std::collections::VecDeque;

/// The queued signals of one (sender, receiver) pair, each with the instant it
/// was sent, in send order. Most pairs hold one signal at a time (a `'DOWN'`,
/// an exit, a link), so the head sits inline and only a second signal
/// allocates.
#[derive(Default)]
pub(crate) struct PairQueue {
    head: Option<(Time, Signal)>,
    /// The signals after the head (empty while the head is `None`).
    rest: VecDeque<(Time, Signal)>,
}

impl PairQueue {
    pub(crate) fn new() -> PairQueue {
        PairQueue::default()
    }

    pub(crate) fn push_back(&mut self, entry: (Time, Signal)) {
        if self.head.is_none() {
            self.head = Some(entry);
        } else {
            self.rest.push_back(entry);
        }
    }

    pub(crate) fn front(&self) -> Option<&(Time, Signal)> {
        self.head.as_ref()
    }

    pub(crate) fn pop_front(&mut self) -> Option<(Time, Signal)> {
        let head = self.head.take();
        self.head = self.rest.pop_front();
        head
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    pub(crate) fn len(&self) -> usize {
        usize::from(self.head.is_some()) + self.rest.len()
    }
}

/// Every pair with signals queued, in the order the pairs first had one
/// (since they last emptied): the order their heads are candidates in, and
/// the index an [`Event::Signal`]'s owner is known by. The queues sit in a
/// slab of their own, reused as pairs come and go, so the ordered index holds
/// one small entry per pair and inserting or removing a pair moves no
/// signal, and a queue's spare capacity outlives its pair.
#[derive(Default)]
pub(crate) struct Pairs {
    /// Each pair, in candidate order, to its queue's slot in `queues`.
    index: FastMap<(Pid, Pid), u32>,
    queues: Vec<PairQueue>,
    /// Slots of `queues` no pair uses (each empty).
    free: Vec<u32>,
}

impl Pairs {
    pub(crate) fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The candidate index of `pair`'s queue, if it has signals queued.
    #[inline]
    pub(crate) fn get_index_of(&self, pair: &(Pid, Pid)) -> Option<usize> {
        self.index.get_index_of(pair)
    }

    fn contains(&self, pair: &(Pid, Pid)) -> bool {
        self.index.contains_key(pair)
    }

    /// `pair`'s queue, if it has signals queued.
    fn get_mut(&mut self, pair: &(Pid, Pid)) -> Option<&mut PairQueue> {
        let slot = *self.index.get(pair)?;
        self.queues.get_mut(slot as usize)
    }

    /// Starts `pair`'s queue (it has none) with one signal, last in order.
    fn push_new(&mut self, pair: (Pid, Pid), entry: (Time, Signal)) {
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => {
                self.queues.push(PairQueue::new());
                (self.queues.len() - 1) as u32
            }
        };
        self.queues[slot as usize].push_back(entry);
        self.index.insert(pair, slot);
    }

    /// Every pair and its queue, in candidate order.
    fn iter(&self) -> impl Iterator<Item = (&(Pid, Pid), &PairQueue)> + '_ {
        self.index
            .iter()
            .map(|(pair, &slot)| (pair, &self.queues[slot as usize]))
    }

    /// Takes the head of the queue at candidate index `i`; a queue that
    /// empties leaves the order (the pairs after it keep theirs).
    fn pop_head(&mut self, i: usize) -> Option<Signal> {
        let slot = *self.index.get_index(i)?.1;
        let q = &mut self.queues[slot as usize];
        let (_, sig) = q.pop_front()?;
        if q.is_empty() {
            self.index.shift_remove_index(i);
            self.free.push(slot);
        }
        Some(sig)
    }

    /// Removes every pair and hands its queue out, in candidate order.
    fn drain(&mut self) -> Vec<((Pid, Pid), PairQueue)> {
        let index = std::mem::take(&mut self.index);
        let out = index
            .into_iter()
            .map(|(pair, slot)| (pair, std::mem::take(&mut self.queues[slot as usize])))
            .collect();
        self.queues.clear();
        self.free.clear();
        out
    }
}

impl IntoIterator for PairQueue {
    type Item = (Time, Signal);
    type IntoIter = std::iter::Chain<
        std::option::IntoIter<(Time, Signal)>,
        std::collections::vec_deque::IntoIter<(Time, Signal)>,
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.head.into_iter().chain(self.rest)
    }
}

impl World {
    /// Routes a signal between two processes of one node in `Async` mode: a
    /// signal other than a message waits in its pair's queue, and so does a
    /// message behind one; the rest goes the `Instant` way.
    pub(crate) fn send_local_async(&mut self, sig: Signal) {
        let mut sig = sig;
        let pair = match sig.to {
            // A process's signals to itself take effect at once, as a BEAM
            // handles them before its next instruction.
            Dest::Pid(to) if to != sig.from => (sig.from, to),
            // `Name ! Msg` and `monitor(process, Name)` resolve the name as
            // they are sent, so the message or request follows whatever its
            // sender still has queued to that process.
            Dest::Name(..)
                if matches!(
                    sig.body,
                    Body::Message(_) | Body::Monitor { .. } | Body::Demonitor { .. }
                ) =>
            {
                match self.queued_behind(sig.from, sig.to) {
                    Some(to) => {
                        if self.recording() {
                            self.note_dest(sig.to, crate::sched::footprint::Op::Read);
                        }
                        sig.to = Dest::Pid(to);
                        (sig.from, to)
                    }
                    None => return self.local_q.push_back(sig),
                }
            }
            _ => return self.local_q.push_back(sig),
        };
        let queued = matches!(
            sig.body,
            Body::Link
                | Body::Unlink
                | Body::Exit { .. }
                | Body::Monitor { .. }
                | Body::Demonitor { .. }
                | Body::Down { .. }
        );
        let now = self.clock.now();
        if let Some(q) = self.pairs.get_mut(&pair) {
            q.push_back((now, sig));
        } else if queued {
            self.pairs.push_new(pair, (now, sig));
        } else {
            self.local_q.push_back(sig);
        }
    }

    /// Whether a message from `from` to `to` must wait behind a queued signal.
    #[inline]
    pub(crate) fn pair_pending(&self, from: Pid, to: Dest) -> bool {
        self.queued_behind(from, to).is_some()
    }

    /// The process `to` names (a pid, or a name registered on its node) when
    /// `from` has signals queued to it.
    #[inline]
    fn queued_behind(&self, from: Pid, to: Dest) -> Option<Pid> {
        if self.pairs.is_empty() {
            return None;
        }
        let pid = match to {
            Dest::Pid(t) => t,
            Dest::Name(n, node) => *self.nodes.get(node.index())?.registry.get(&n)?,
            Dest::Node(_) => return None,
        };
        self.pairs.contains(&(from, pid)).then_some(pid)
    }

    /// Signals waiting in pair queues (in flight, for the books).
    pub(crate) fn pairs_in_flight(&self) -> u64 {
        self.pairs.iter().map(|(_, q)| q.len() as u64).sum()
    }

    /// The latest instant the oldest queued local signal may still wait.
    pub(crate) fn pairs_horizon(&self) -> Option<Time> {
        self.pairs
            .iter()
            .filter_map(|(_, q)| q.front().map(|(at, _)| *at))
            .min()
            .map(|at| at.saturating_add(self.run_window))
    }

    /// Appends every pair queue's head to the candidates.
    pub(crate) fn push_pair_candidates(&mut self) {
        for (&(from, to), q) in self.pairs.iter() {
            let Some((at, sig)) = q.front() else {
                continue;
            };
            self.enabled.push_candidate(
                Event::Signal { from, to },
                Stamp {
                    earliest: *at,
                    seq: sig.id,
                },
            );
        }
    }

    /// Takes the head of pair queue `i` and applies it: the one place a local
    /// signal in `Async` mode takes effect.
    pub(crate) fn deliver_pair_head(&mut self, i: usize) {
        // An emptied queue leaves the order keeping the others' (the order
        // the pairs first had a signal in).
        let Some(sig) = self.pairs.pop_head(i) else {
            return;
        };
        self.books.delivered();
        self.arrive(sig);
    }

    /// A crashed node's queued local signals are lost with it, counted under
    /// `cause`.
    pub(crate) fn drop_pairs_of(&mut self, node: crate::id::NodeId, cause: &str) {
        if self.pairs.is_empty() {
            return;
        }
        for (pair, q) in self.pairs.drain() {
            if pair.0.node() == node {
                for (_, sig) in q {
                    self.drop_signal(&sig, cause);
                }
            } else {
                for entry in q {
                    match self.pairs.get_mut(&pair) {
                        Some(kept) => kept.push_back(entry),
                        None => self.pairs.push_new(pair, entry),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PairQueue;
    use crate::id::Pid;
    use crate::signal::{Body, Dest};
    use crate::time::Time;

    fn sig(id: u64) -> super::Signal {
        super::Signal {
            id,
            from: Pid::new(0, 1, 1),
            to: Dest::Pid(Pid::new(0, 2, 1)),
            body: Body::Link,
        }
    }

    #[test]
    fn pairs_stay_in_the_order_they_first_had_a_signal_as_slots_are_reused() {
        let pid = |i| Pid::new(0, i, 1);
        let mut pairs = super::Pairs::default();
        for i in 1..=3 {
            pairs.push_new((pid(i), pid(9)), (Time::ZERO, sig(u64::from(i))));
        }
        let order = |p: &super::Pairs| p.iter().map(|(pair, _)| pair.0.index()).collect::<Vec<_>>();
        assert_eq!(order(&pairs), [1, 2, 3]);
        // The middle pair empties: it leaves, the others keep their order, and
        // a new pair reusing its slot comes last.
        assert_eq!(pairs.pop_head(1).map(|s| s.id), Some(2));
        assert_eq!(order(&pairs), [1, 3]);
        pairs.push_new((pid(4), pid(9)), (Time::ZERO, sig(4)));
        if let Some(q) = pairs.get_mut(&(pid(1), pid(9))) {
            q.push_back((Time::ZERO, sig(5)));
        }
        assert_eq!(order(&pairs), [1, 3, 4]);
        assert_eq!(pairs.get_index_of(&(pid(4), pid(9))), Some(2));
        assert_eq!(pairs.pop_head(0).map(|s| s.id), Some(1));
        assert_eq!(order(&pairs), [1, 3, 4]);
        let drained: Vec<u64> = pairs
            .drain()
            .into_iter()
            .flat_map(|(_, q)| q.into_iter().map(|(_, s)| s.id))
            .collect();
        assert_eq!(drained, [5, 3, 4]);
        assert!(pairs.is_empty());
    }

    #[test]
    fn a_pair_queue_keeps_send_order_across_its_inline_head() {
        let mut q = PairQueue::new();
        let mut next = 0;
        let mut got = Vec::new();
        // Pushes and pops interleaved so the head empties and refills.
        for round in 0..4u64 {
            for _ in 0..=round {
                next += 1;
                q.push_back((Time::ZERO, sig(next)));
            }
            if let Some((_, s)) = q.pop_front() {
                got.push(s.id);
            }
        }
        assert_eq!(q.len() as u64, next - got.len() as u64);
        got.extend(q.into_iter().map(|(_, s)| s.id));
        assert_eq!(got, (1..=next).collect::<Vec<_>>());
    }
}
