//! Shrinking a failing run: remove faults, then preemptions and steps, while
//! the run still fails the same way, to a fixed point.
//!
//! A schedule is replayed leniently: past its end every choice is the first
//! enabled event (no preemption), so trimming the tail or zeroing a choice is
//! always a valid schedule. After every successful attempt the schedule is
//! replaced by the choices the replay actually made, so it stays aligned.

use super::Explorer;
use crate::report::RunReport;
use crate::sched::{Replay, Schedule};
use crate::sim::{Sim, SimBuilder};
use crate::trace::TraceMode;

fn trim(mut c: Vec<u32>) -> Vec<u32> {
    while c.last() == Some(&0) {
        c.pop();
    }
    c
}

struct Shrinker<'a, F> {
    ex: &'a Explorer,
    setup: &'a F,
    seed: u64,
    kind: &'static str,
    message: Option<String>,
    runs: usize,
}

impl<F> Shrinker<'_, F>
where
    F: Fn(SimBuilder) -> Sim + Sync,
{
    /// The trimmed choices of the replay if it fails like the original.
    fn fails(&mut self, choices: &[u32], suppressed: &[usize]) -> Option<Vec<u32>> {
        if self.runs >= self.ex.shrink_budget {
            return None;
        }
        self.runs += 1;
        let schedule = Schedule {
            seed: self.seed,
            choices: choices.to_vec(),
        };
        let r = self.ex.run_one(
            self.setup,
            self.seed,
            Box::new(Replay::lenient(schedule)),
            TraceMode::Digest,
            suppressed,
        );
        let same = r.outcome.kind() == self.kind && self.message_of(&r) == self.message;
        same.then(|| trim(r.schedule.choices))
    }

    fn message_of(&self, r: &RunReport) -> Option<String> {
        match &r.outcome {
            crate::report::Outcome::CheckFailed { message, .. } => Some(message.clone()),
            _ => None,
        }
    }
}

/// Shrinks `original`; returns the schedule, the suppressed planned actions
/// and the number of replays spent.
pub(crate) fn shrink<F>(
    ex: &Explorer,
    setup: &F,
    seed: u64,
    original: &RunReport,
) -> (Vec<u32>, Vec<usize>, usize)
where
    F: Fn(SimBuilder) -> Sim + Sync,
{
    let mut s = Shrinker {
        ex,
        setup,
        seed,
        kind: original.outcome.kind(),
        message: match &original.outcome {
            crate::report::Outcome::CheckFailed { message, .. } => Some(message.clone()),
            _ => None,
        },
        runs: 0,
    };
    let mut choices = trim(original.schedule.choices.clone());
    let mut suppressed: Vec<usize> = Vec::new();
    // The trimmed original must itself reproduce; if not, keep it as recorded.
    match s.fails(&choices, &suppressed) {
        Some(c) => choices = c,
        None => return (original.schedule.choices.clone(), suppressed, s.runs),
    }
    loop {
        let before = (choices.clone(), suppressed.clone());
        // 1. Faults.
        for i in 0..original.planned_actions {
            if suppressed.contains(&i) {
                continue;
            }
            let mut sup = suppressed.clone();
            sup.push(i);
            sup.sort_unstable();
            if let Some(c) = s.fails(&choices, &sup) {
                choices = c;
                suppressed = sup;
            }
        }
        // 2. Steps: the shortest failing prefix (halving the cut each time).
        let mut lo = 0usize;
        while lo < choices.len() {
            let mid = lo + (choices.len() - lo) / 2;
            match s.fails(&choices[..mid], &suppressed) {
                Some(c) if c.len() < choices.len() => choices = c,
                _ => lo = mid + 1,
            }
        }
        // 3. Preemptions: zero chunks of non-default choices, halving the chunk.
        let mut chunk = choices.iter().filter(|&&c| c != 0).count().max(1);
        while chunk >= 1 {
            let mut i = 0;
            let mut changed = false;
            while i < choices.len() {
                let positions: Vec<usize> = choices
                    .iter()
                    .enumerate()
                    .filter(|(_, &c)| c != 0)
                    .map(|(j, _)| j)
                    .skip(i)
                    .take(chunk)
                    .collect();
                if positions.is_empty() {
                    break;
                }
                let mut cand = choices.clone();
                for &p in &positions {
                    cand[p] = 0;
                }
                match s.fails(&trim(cand), &suppressed) {
                    Some(c) => {
                        choices = c;
                        changed = true;
                    }
                    None => i += chunk,
                }
            }
            if !changed {
                if chunk == 1 {
                    break;
                }
                chunk /= 2;
            }
        }
        if (choices.clone(), suppressed.clone()) == before || s.runs >= ex.shrink_budget {
            break;
        }
    }
    (choices, suppressed, s.runs)
}
