//! Moving faults in time while shrinking: each fault that opens a window (a
//! cut, a crash, a congestion) is moved later, toward the failure, its
//! window is made to end earlier, and the shortened window is moved back
//! toward the start while the run takes no more steps, each by bisection
//! over virtual time.
//!
//! A fault is never moved before it was asked for (it is drawn or planned
//! then), and a window is only shortened. A fault that ends a window (a heal,
//! a restart) is not moved: later would lengthen the window it ends. Moving a
//! fault later or shortening its window is kept if the run fails the same way
//! in at most a few more steps than before the pass ([`slack`]): a fault moved
//! into the moment that matters often lets a signal or two more through
//! first, while one that lets the program do much more before the failure (a
//! crash moved past a round of calls) is not simpler. The new timing is data
//! of the run ([`FaultRetime`], applied by `Control::fault_admission`), so the
//! shrunk run replays strictly from its replay file.

use super::{Removed, Shrinker};
use crate::report::{FaultKey, FaultRetime};
use crate::sim::{Sim, SimBuilder};
use crate::time::Time;

/// Bisection steps per search at most: a second of virtual time to 1 µs.
const MAX_HALVINGS: u32 = 20;

/// How many steps more than `steps` a moved fault may cost: 8, or 5% of a
/// long run.
fn slack(steps: u64) -> u64 {
    (steps / 20).max(8)
}

impl<F> Shrinker<'_, F>
where
    F: Fn(SimBuilder) -> Sim + Sync,
{
    /// Moves each fault with a window later, ends its window earlier and
    /// moves it back earlier, latest fault first, keeping what still fails
    /// the same way.
    pub(super) fn retime(&mut self, choices: &mut Vec<u32>, removed: &mut Removed) {
        let limit = self.steps + slack(self.steps);
        let keys: Vec<FaultKey> = self
            .faults
            .iter()
            .filter(|f| f.window)
            .map(|f| f.key)
            .collect();
        for key in keys.into_iter().rev() {
            let Some(at) = self.applied_at(key) else {
                continue;
            };
            let end = self.end;
            // Later, toward the failure; a window ending before it moves
            // with it.
            self.bisect(at, end, limit, choices, removed, &|r: &Removed, t| {
                let cur = r.retime_of(key);
                r.with_retime(FaultRetime {
                    key,
                    at: Some(t),
                    until: cur.until.map(|u| u.max(t)),
                })
            });
            let Some(at) = self.applied_at(key) else {
                continue;
            };
            let until = removed.retime_of(key).until.unwrap_or(self.end);
            // The window, from its end toward none at all.
            self.bisect(until, at, limit, choices, removed, &|r: &Removed, t| {
                let cur = r.retime_of(key);
                r.with_retime(FaultRetime {
                    key,
                    at: cur.at,
                    until: Some(t),
                })
            });
            // Back earlier, toward the start, with the window as short as
            // it now is, while the run fails in no more steps: the latest
            // start that fails is often a little after the earliest, which
            // lets the program do less first.
            let (Some(at), Some(until)) = (self.applied_at(key), removed.retime_of(key).until)
            else {
                continue;
            };
            let length = until.saturating_sub(at);
            let steps = self.steps;
            self.bisect(at, key.time, steps, choices, removed, &|r: &Removed, t| {
                r.with_retime(FaultRetime {
                    key,
                    at: Some(t),
                    until: Some(t.saturating_add(length)),
                })
            });
        }
    }

    /// When the best run so far applied fault `key`, if it did.
    fn applied_at(&self, key: FaultKey) -> Option<Time> {
        self.faults.iter().find(|f| f.key == key).map(|f| f.at)
    }

    /// Searches from `known` (where the run fails) toward `target` for the
    /// time closest to `target` at which `with(removed, t)` still fails the
    /// same way within `limit` steps; keeps the best it found in `choices`
    /// and `removed`.
    fn bisect(
        &mut self,
        mut known: Time,
        mut target: Time,
        limit: u64,
        choices: &mut Vec<u32>,
        removed: &mut Removed,
        with: &dyn Fn(&Removed, Time) -> Removed,
    ) {
        let mut try_at = target;
        for _ in 0..=MAX_HALVINGS {
            if known == try_at || self.runs >= self.ex.shrink_budget {
                return;
            }
            let cand = with(removed, try_at);
            match self.fails_within(choices, &cand, limit) {
                Some(c) => {
                    *choices = c;
                    *removed = cand;
                    known = try_at;
                }
                None => target = try_at,
            }
            let (a, b) = (known.as_us(), target.as_us());
            if a.abs_diff(b) <= 1 {
                return;
            }
            try_at = Time::us(a.min(b) + a.abs_diff(b) / 2);
        }
    }
}
