//! Optional faults: faults an exhaustive exploration may take at any step,
//! each at most once and at most `left` in all, as events of the scheduler.
//!
//! Only an exhaustive exploration (and the replay of one of its failures)
//! installs them, so ordinary runs and their strategies never see them. An
//! optional fault is a candidate only while some other event is: a run
//! whose only events are unused faults ends, which makes "the fault never
//! happens" one of the runs.

use super::{ControlFn, World};
use crate::sched::{Event, Stamp};
use std::panic::RefUnwindSafe;
use std::sync::Arc;

/// Makes a fresh action for each run that takes the fault.
pub(crate) type MakeFault = Arc<dyn Fn() -> ControlFn + Send + Sync + RefUnwindSafe>;

/// The optional faults of a run.
#[derive(Default)]
pub(crate) struct Optional {
    /// Each fault's maker, and whether this run took it.
    faults: Vec<(MakeFault, bool)>,
    /// The nodes each fault touches (`ControlAction::touches`).
    touches: Vec<Option<Vec<String>>>,
    /// How many more may be taken.
    left: u32,
}

impl std::fmt::Debug for Optional {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Optional")
            .field("faults", &self.faults.len())
            .field("left", &self.left)
            .finish()
    }
}

impl Optional {
    pub(crate) fn new(makers: Vec<MakeFault>, bound: u32) -> Optional {
        Optional {
            touches: makers.iter().map(|m| m().touches()).collect(),
            faults: makers.into_iter().map(|m| (m, false)).collect(),
            left: bound,
        }
    }
}

impl Optional {
    /// Whether no optional fault may be taken any more (or none was given).
    #[inline]
    pub(crate) fn is_spent(&self) -> bool {
        self.left == 0
    }

    /// The nodes fault `k` touches, if it says.
    pub(crate) fn touches(&self, k: u32) -> Option<&[String]> {
        self.touches.get(k as usize)?.as_deref()
    }
}

impl World {
    /// Appends the unused optional faults to the candidates (after every
    /// other one, so index 0 keeps its meaning).
    pub(crate) fn push_optional(&mut self) {
        if self.optional.left == 0 {
            return;
        }
        for (k, (_, used)) in self.optional.faults.iter().enumerate() {
            if !used {
                let nth = k as u32;
                self.enabled.push_candidate(
                    Event::Fault { nth },
                    Stamp {
                        earliest: self.clock.now(),
                        seq: u64::from(nth),
                    },
                );
            }
        }
    }

    /// Takes optional fault `k` now: a fresh action, run as a scheduled
    /// action is (so it asks `Control::admit_fault`, and a panic in it ends
    /// the run as `ActionPanicked`).
    pub(crate) fn take_optional(&mut self, k: u32) {
        let Some((make, used)) = self.optional.faults.get_mut(k as usize) else {
            return;
        };
        if *used || self.optional.left == 0 {
            return;
        }
        *used = true;
        self.optional.left -= 1;
        let action = make();
        let idx = self.actions.add(action);
        self.run_control(idx);
        self.note_fault_taken();
    }
}
