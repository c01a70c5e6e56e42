//! Determinism checks: one program run twice under one seed, compared event
//! by event; and the report of a run whose setup panicked.

use super::{Explorer, Removed};
use crate::id::Pid;
use crate::report::{Outcome, RunReport};
use crate::sched::Random;
use crate::sim::{Sim, SimBuilder};
use crate::trace::TraceMode;

/// Runs a program twice under the same seed with full traces and compares them
/// event by event: `Err` names the first step where they differ (something
/// outside the simulation leaked in: a `HashMap`, the wall clock, a thread).
///
/// ```
/// use sim_core::{check_determinism, Term};
/// check_determinism(3, |b| {
///     let mut sim = b.nodes(["a@sim", "b@sim"]).build().unwrap();
///     sim.spawn("a@sim", |cx| async move {
///         let p = cx.spawn_on("b@sim", |c| async move { Ok(Term::Atom(c.node())) }).await?;
///         Ok(Term::Pid(p))
///     }).unwrap();
///     sim
/// }).unwrap();
/// ```
pub fn check_determinism<F>(seed: u64, setup: F) -> Result<u64, String>
where
    F: Fn(SimBuilder) -> Sim + Sync,
{
    let ex = Explorer::new("determinism").quiet(true).write_files(false);
    let a = ex.run_one(
        &setup,
        seed,
        Box::new(Random::default()),
        TraceMode::Full,
        &Removed::default(),
    );
    let b = ex.run_one(
        &setup,
        seed,
        Box::new(Random::default()),
        TraceMode::Full,
        &Removed::default(),
    );
    for (i, (x, y)) in a.trace.iter().zip(b.trace.iter()).enumerate() {
        if x != y {
            return Err(format!(
                "runs diverge at record {i} (step {}, {}):\n  first:  {:?}\n  second: {:?}",
                x.step, x.time, x.event, y.event
            ));
        }
    }
    if a.trace.len() != b.trace.len() || a.digest != b.digest {
        return Err(format!(
            "runs differ in length: {} vs {} records (digests {:016x} vs {:016x})",
            a.trace.len(),
            b.trace.len(),
            a.digest,
            b.digest
        ));
    }
    Ok(a.digest)
}

impl RunReport {
    pub(crate) fn setup_panicked(seed: u64, strategy: String, message: String) -> RunReport {
        RunReport {
            seed,
            strategy,
            outcome: Outcome::Panicked {
                pid: Pid::new(0, 0, 0),
                message: format!("the program's setup panicked: {message}"),
            },
            steps: 0,
            time: crate::time::Time::ZERO,
            digest: 0,
            schedule: crate::sched::Schedule::new(seed, Vec::new()),
            schedule_seed: seed,
            preemptions: 0,
            books: Default::default(),
            panics: Vec::new(),
            results: Vec::new(),
            trace: Vec::new(),
            divergence: None,
            planned_actions: 0,
            suppressed: Vec::new(),
            faults: Vec::new(),
            suppressed_faults: Vec::new(),
            busy_dist_port: Vec::new(),
        }
    }
}
