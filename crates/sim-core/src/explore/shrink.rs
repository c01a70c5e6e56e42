//! Shrinking a failing run: remove faults, move the rest later and shorten
//! their windows (see `retime`), shorten the run (truncation, then
//! decimation of choices, as Lockstep does), minimise preemptions, try an
//! earlier removed fault in place of those kept, repeated while the run
//! still fails the same way, to a fixed point.
//!
//! A schedule is replayed leniently: past its end every choice is event 0
//! (the current process goes on: no preemption), so trimming the tail,
//! deleting a choice or zeroing one is always a valid schedule. After every
//! successful attempt the schedule is replaced by the choices the replay
//! actually made, so it stays aligned; the shrunk run replays strictly.
//!
//! A candidate is kept only if it fails the same way in no more steps.
//! "The same way": the same kind of failure (check, deadlock, crash, budget,
//! end-of-run check), in a process on the same node, and for a failed check,
//! a panic or an end-of-run check the same
//! message once every number in it is blanked out (messages that print
//! counters or times would otherwise pin the shrinker to the original run);
//! for an abnormal exit of a foreground process, the same process.

use super::Explorer;
use crate::report::{FaultEntry, FaultKey, FaultRetime, Outcome, RunReport};
use crate::sched::{Replay, Schedule};
use crate::sim::{Sim, SimBuilder};
use crate::time::Time;
use crate::trace::TraceMode;

mod retime;

fn trim(mut c: Vec<u32>) -> Vec<u32> {
    while c.last() == Some(&0) {
        c.pop();
    }
    c
}

/// What identifies a failure across schedules.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct Signature {
    kind: &'static str,
    node: Option<u32>,
    shape: Option<String>,
}

/// A message with every run of digits replaced by `#`.
fn shape(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut in_digits = false;
    for ch in message.chars() {
        if ch.is_ascii_digit() {
            if !in_digits {
                out.push('#');
            }
            in_digits = true;
        } else {
            out.push(ch);
            in_digits = false;
        }
    }
    out
}

pub(crate) fn signature(o: &Outcome) -> Signature {
    let (node, shape) = match o {
        Outcome::CheckFailed { pid, message } | Outcome::Panicked { pid, message } => {
            (Some(pid.node().0), Some(shape(message)))
        }
        Outcome::EndCheckFailed { message } => (None, Some(shape(message))),
        // The process, exactly: a test-spawned pid is the same in every
        // schedule, and its reason may name refs or pids that are not.
        Outcome::ProcessExited { pid, .. } => (Some(pid.node().0), Some(pid.to_string())),
        Outcome::Errors { .. } => (None, Some(shape(&o.to_string()))),
        _ => (None, None),
    };
    Signature {
        kind: o.kind(),
        node,
        shape,
    }
}

/// What a shrinker switched off: planned actions (by their number) and
/// single faults (by their number among the faults the run asked for); and
/// the faults it moved in time (sorted by key).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(crate) struct Removed {
    pub(crate) actions: Vec<usize>,
    pub(crate) faults: Vec<FaultKey>,
    pub(crate) retimed: Vec<FaultRetime>,
}

impl Removed {
    /// The retiming of fault `key`, if any.
    pub(crate) fn retime_of(&self, key: FaultKey) -> FaultRetime {
        self.retimed
            .iter()
            .find(|r| r.key == key)
            .copied()
            .unwrap_or(FaultRetime {
                key,
                at: None,
                until: None,
            })
    }

    /// The same with `retime` in place of what it had for its fault.
    pub(crate) fn with_retime(&self, retime: FaultRetime) -> Removed {
        let mut out = self.clone();
        out.retimed.retain(|r| r.key != retime.key);
        out.retimed.push(retime);
        out.retimed.sort_unstable();
        out
    }
}

struct Shrinker<'a, F> {
    ex: &'a Explorer,
    setup: &'a F,
    seeds: (u64, u64),
    want: Signature,
    runs: usize,
    /// Steps of the best run so far: a candidate must not take more.
    steps: u64,
    /// The faults the best run so far applied.
    faults: Vec<FaultEntry>,
    /// When the best run so far failed.
    end: Time,
}

impl<F> Shrinker<'_, F>
where
    F: Fn(SimBuilder) -> Sim + Sync,
{
    /// The trimmed choices of the replay if it fails like the original.
    fn fails(&mut self, choices: &[u32], suppressed: &Removed) -> Option<Vec<u32>> {
        self.fails_within(choices, suppressed, self.steps)
    }

    /// As [`Shrinker::fails`], with a step limit of its own: a run with one
    /// fault fewer is simpler even when the failure then takes longer to come.
    fn fails_within(
        &mut self,
        choices: &[u32],
        suppressed: &Removed,
        max_steps: u64,
    ) -> Option<Vec<u32>> {
        if self.runs >= self.ex.shrink_budget {
            return None;
        }
        self.runs += 1;
        let schedule = Schedule {
            seed: self.seeds.0,
            schedule_seed: self.seeds.1,
            choices: choices.into(),
        };
        let r = self.ex.run_seeds(
            self.setup,
            self.seeds,
            Box::new(Replay::lenient(schedule)),
            TraceMode::Digest,
            suppressed,
        );
        if signature(&r.outcome) != self.want || r.steps > max_steps {
            return None;
        }
        self.steps = r.steps;
        self.faults = r.faults;
        self.end = r.time;
        Some(trim(r.schedule.choices.to_vec()))
    }

    /// Deletes chunks of choices, halving the chunk down to one.
    fn decimate(&mut self, choices: &mut Vec<u32>, suppressed: &Removed) {
        let mut chunk = (choices.len() / 2).max(1);
        loop {
            let mut i = 0;
            while i < choices.len() {
                let end = (i + chunk).min(choices.len());
                let mut cand = choices[..i].to_vec();
                cand.extend_from_slice(&choices[end..]);
                match self.fails(&trim(cand), suppressed) {
                    Some(c) if c.len() < choices.len() => *choices = c,
                    _ => i += chunk,
                }
                if self.runs >= self.ex.shrink_budget {
                    return;
                }
            }
            if chunk == 1 {
                return;
            }
            chunk /= 2;
        }
    }

    /// Tries each fault removed earlier than the first one kept, alone in
    /// their place; keeps the first that fails the same way in fewer steps.
    fn swap_in_earlier(&mut self, choices: &mut Vec<u32>, removed: &mut Removed) {
        let kept: Vec<FaultKey> = self.faults.iter().map(|f| f.key).collect();
        let Some(&first) = kept.iter().min() else {
            return;
        };
        let earlier: Vec<FaultKey> = removed
            .faults
            .iter()
            .copied()
            .filter(|&k| k < first)
            .collect();
        for r in earlier {
            if self.runs >= self.ex.shrink_budget {
                return;
            }
            let mut cand = removed.clone();
            cand.faults.retain(|&k| k != r);
            cand.faults.extend(kept.iter().copied());
            cand.faults.sort_unstable();
            cand.faults.dedup();
            let limit = self.steps.saturating_sub(1);
            if let Some(c) = self.fails_within(choices, &cand, limit) {
                *choices = c;
                *removed = cand;
                return;
            }
        }
    }

    /// Zeroes chunks of non-default choices (preemptions), halving the chunk.
    fn zero(&mut self, choices: &mut Vec<u32>, suppressed: &Removed) {
        let mut chunk = choices.iter().filter(|&&c| c != 0).count().max(1);
        loop {
            let mut i = 0;
            let mut changed = false;
            loop {
                let positions: Vec<usize> = choices
                    .iter()
                    .enumerate()
                    .filter(|(_, &c)| c != 0)
                    .map(|(j, _)| j)
                    .skip(i)
                    .take(chunk)
                    .collect();
                if positions.is_empty() || self.runs >= self.ex.shrink_budget {
                    break;
                }
                let mut cand = choices.clone();
                for &p in &positions {
                    cand[p] = 0;
                }
                // A run without a preemption is simpler even when it takes
                // a few steps more; truncation and decimation shorten it again
                // on the next round.
                match self.fails_within(&trim(cand), suppressed, u64::MAX) {
                    Some(c) => {
                        *choices = c;
                        changed = true;
                    }
                    None => i += chunk,
                }
            }
            if !changed {
                if chunk == 1 {
                    return;
                }
                chunk /= 2;
            }
            if self.runs >= self.ex.shrink_budget {
                return;
            }
        }
    }
}

/// Shrinks `original`; returns the schedule, what was switched off and the
/// number of replays spent.
pub(crate) fn shrink<F>(
    ex: &Explorer,
    setup: &F,
    seeds: (u64, u64),
    original: &RunReport,
) -> (Vec<u32>, Removed, usize)
where
    F: Fn(SimBuilder) -> Sim + Sync,
{
    let mut s = Shrinker {
        ex,
        setup,
        seeds,
        want: signature(&original.outcome),
        runs: 0,
        steps: original.steps,
        faults: original.faults.clone(),
        end: original.time,
    };
    let recorded = original.schedule.choices.to_vec();
    let mut choices = trim(recorded.clone());
    let mut removed = Removed {
        actions: original.suppressed.clone(),
        faults: original.suppressed_faults.clone(),
        retimed: Vec::new(),
    };
    // The trimmed original must itself reproduce; if not, keep it as recorded.
    match s.fails(&choices, &removed) {
        Some(c) => choices = c,
        None => return (recorded, removed, s.runs),
    }
    loop {
        let before = (choices.clone(), removed.clone());
        // 1. Planned actions, one at a time.
        for i in 0..original.planned_actions {
            if removed.actions.contains(&i) {
                continue;
            }
            let mut cand = removed.clone();
            cand.actions.push(i);
            cand.actions.sort_unstable();
            if let Some(c) = s.fails(&choices, &cand) {
                choices = c;
                removed = cand;
            }
        }
        // 2. Single faults (those an injector drew too), latest first: a
        // late fault is more often an innocent bystander.
        let mut applied: Vec<FaultKey> = s.faults.iter().map(|f| f.key).collect();
        applied.reverse();
        for f in applied {
            if !s.faults.iter().any(|e| e.key == f) || s.runs >= ex.shrink_budget {
                continue;
            }
            let mut cand = removed.clone();
            cand.faults.push(f);
            cand.faults.sort_unstable();
            if let Some(c) = s.fails_within(&choices, &cand, u64::MAX) {
                choices = c;
                removed = cand;
            }
        }
        // 3. What is left, later and shorter.
        s.retime(&mut choices, &mut removed);
        // 4. Truncation: the shortest failing prefix (halving the cut).
        let mut lo = 0usize;
        while lo < choices.len() {
            let mid = lo + (choices.len() - lo) / 2;
            match s.fails(&choices[..mid], &removed) {
                Some(c) if c.len() < choices.len() => choices = c,
                _ => lo = mid + 1,
            }
            if s.runs >= ex.shrink_budget {
                break;
            }
        }
        // 5. Decimation: delete choices from the middle.
        s.decimate(&mut choices, &removed);
        // 6. Preemptions: zero what is left.
        s.zero(&mut choices, &removed);
        // 7. One fault removed earlier, alone in place of those kept: once
        // the schedule is simpler, an earlier fault may set the failure off
        // sooner than the one that did in the original schedule.
        s.swap_in_earlier(&mut choices, &mut removed);
        if (choices.clone(), removed.clone()) == before || s.runs >= ex.shrink_budget {
            break;
        }
    }
    (choices, removed, s.runs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_do_not_tell_failures_apart() {
        assert_eq!(
            shape("charged 2 times at 13ms"),
            shape("charged 3 times at 7ms")
        );
        assert_ne!(shape("charged twice"), shape("lost an update"));
    }
}
