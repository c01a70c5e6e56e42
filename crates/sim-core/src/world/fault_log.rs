//! The faults of a run as the shrinker sees them: each fault asked for gets
//! a key (its time and its place among the faults asked for at that time),
//! may be switched off or moved by key, and, once applied, is logged.

use crate::report::{FaultEntry, FaultKey, FaultRetime};
use crate::time::Time;

#[derive(Default)]
pub(crate) struct FaultLog {
    /// The faults applied so far, in order.
    applied: Vec<FaultEntry>,
    /// The key of the latest fault asked for.
    last: Option<FaultKey>,
    /// Faults switched off (sorted).
    suppressed: Vec<FaultKey>,
    /// Faults moved in time (sorted by key, one per key).
    retimed: Vec<FaultRetime>,
}

impl FaultLog {
    /// The key of the next fault asked for at `now`.
    pub(crate) fn next_key(&mut self, now: Time) -> FaultKey {
        let key = match self.last {
            Some(k) if k.time == now => FaultKey {
                time: now,
                nth: k.nth.saturating_add(1),
            },
            _ => FaultKey { time: now, nth: 0 },
        };
        self.last = Some(key);
        key
    }

    /// Whether fault `key` is switched off.
    pub(crate) fn is_suppressed(&self, key: FaultKey) -> bool {
        self.suppressed.binary_search(&key).is_ok()
    }

    /// How fault `key` is moved, if it is.
    pub(crate) fn retime(&self, key: FaultKey) -> Option<FaultRetime> {
        self.retimed
            .binary_search_by_key(&key, |r| r.key)
            .ok()
            .map(|i| self.retimed[i])
    }

    /// Logs an applied fault.
    pub(crate) fn applied(&mut self, entry: FaultEntry) {
        self.applied.push(entry);
    }

    /// The faults applied so far.
    pub(crate) fn entries(&self) -> &[FaultEntry] {
        &self.applied
    }

    /// Switches off the faults `keys` (any order, repeats allowed).
    pub(crate) fn suppress(&mut self, keys: &[FaultKey]) {
        let mut v = keys.to_vec();
        v.sort_unstable();
        v.dedup();
        self.suppressed = v;
    }

    /// The switched-off keys, sorted.
    pub(crate) fn suppressed(&self) -> &[FaultKey] {
        &self.suppressed
    }

    /// Moves faults in time; of several retimes of one key the first in
    /// sorted order counts.
    pub(crate) fn set_retimes(&mut self, retimes: &[FaultRetime]) {
        let mut v = retimes.to_vec();
        v.sort_unstable();
        v.dedup_by_key(|r| r.key);
        self.retimed = v;
    }
}
