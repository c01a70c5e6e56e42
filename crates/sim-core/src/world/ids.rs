//! The run's counters and seeded draws: references, signal numbers, the
//! world's generator and each process's own stream of `cx.random` draws.
//!
//! Invariants, kept here and nowhere else:
//! - references and signal numbers are unique in a run and increase in the
//!   order they were made (a signal's number is its send order);
//! - a process's draws are a stream keyed by the process and the draw's
//!   number, so other processes' draws and the interleaving do not move it.

use crate::fast_map::FastMap;
use crate::id::{NodeId, Pid, Ref};
use crate::rng::SimRng;

/// The stream of `cx.random`.
const USER_STREAM: u64 = 2;

pub(crate) struct Ids {
    seed: u64,
    next_ref: u64,
    next_signal: u64,
    rng: SimRng,
    /// Draws made so far by each process through `cx.random`.
    user_draws: FastMap<Pid, u64>,
}

impl Ids {
    pub(crate) fn new(seed: u64) -> Ids {
        Ids {
            seed,
            next_ref: 0,
            next_signal: 0,
            rng: SimRng::new(seed, 0),
            user_draws: FastMap::default(),
        }
    }

    /// A fresh reference made on `node`.
    pub(crate) fn make_ref(&mut self, node: NodeId) -> Ref {
        self.next_ref += 1;
        Ref::from_counter(node.0, self.next_ref)
    }

    /// The number of the signal being sent.
    #[inline]
    pub(crate) fn next_signal(&mut self) -> u64 {
        self.next_signal += 1;
        self.next_signal
    }

    /// The world's seeded generator (fault decisions).
    pub(crate) fn rng(&mut self) -> &mut SimRng {
        &mut self.rng
    }

    /// The next `n`-bounded draw of `pid`'s own stream.
    pub(crate) fn user_draw(&mut self, pid: Pid, n: u64) -> u64 {
        let k = self.user_draws.entry(pid).or_insert(0);
        let draw = *k;
        *k += 1;
        // Slot and version name a process uniquely for the whole run.
        let entity = (u64::from(pid.index()) << 32) | u64::from(pid.serial());
        SimRng::keyed(self.seed, USER_STREAM, entity, draw).below(n)
    }
}
