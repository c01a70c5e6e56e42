//! Shrinking a failure found through a `Nemesis`: the shrunk run keeps only
//! the fault it needs, within twice the hand-minimal run's steps.

use super::window::spawn_echo;
use super::{quiet, written};
use erpc_sim::core::FaultKey;
use erpc_sim::prelude::*;

/// A pinger on a@sim asks a registered echo server on b@sim 30 times, each
/// answer awaited 5 ms: a cut between a and b during one round loses it and
/// the pinger's check fails. A nemesis on three nodes cuts and heals at
/// random, mostly links that do not matter; the hand-minimal run keeps one
/// fault (a cut that separates a from b). The shrunk run may keep at most
/// two (that cut and, at most, one more).
pub(super) fn nemesis_program(b: SimBuilder) -> Sim {
    let mut sim = b
        .nodes(["a@sim", "b@sim", "c@sim"])
        .latency(Time::us(100), Time::us(300))
        .build()
        .expect("three nodes");
    sim.at(
        Time::ZERO,
        Nemesis::new()
            .period(Time::ms(4))
            .until(Time::ms(400))
            .partition(0.4)
            .heal(0.5)
            .restart(0.0),
    )
    .expect("nemesis");
    spawn_echo(&mut sim);
    sim.spawn("a@sim", |cx| async move {
        cx.sleep(Time::ms(1)).await;
        let me = cx.self_pid();
        for i in 0..30i64 {
            cx.send((Atom::new("echo"), Atom::new("b@sim")), tuple![me, i])
                .await?;
            let got = cx
                .receive_timeout(move |m| *m == Term::Int(i), Timeout::ms(5))
                .await;
            cx.check(got.is_some(), "every ping is answered")?;
            cx.sleep(Time::ms(8)).await;
        }
        Ok(atom!("ok"))
    })
    .expect("pinger");
    sim
}

/// Whether a fault as the trace names it separates a@sim from b@sim: a cut
/// of their link, or a partition or one-way partition with them on two sides.
fn separates_a_b(what: &str) -> bool {
    let sides: Vec<&str> = if what.starts_with("cut ") {
        what.split("<->").collect()
    } else if what.contains(" -> ") {
        what.split(" -> ").collect()
    } else if what.starts_with("partition ") {
        what.split('|').collect()
    } else {
        return false;
    };
    let side = |n: &str| sides.iter().position(|s| s.contains(n));
    matches!((side("a@sim"), side("b@sim")), (Some(x), Some(y)) if x != y)
}

/// The hand-minimal run of the nemesis's failure, written down: the same
/// data seed, every fault the nemesis drew switched off but one, a fault
/// that separates a@sim from b@sim and, kept alone, loses a ping soonest; no
/// choice made by hand. Returns it and its steps and preemptions.
fn hand_minimal(seed: u64, like: &Outcome) -> Result<(String, (u64, u64)), String> {
    let all = nemesis_program(Sim::builder().seed(seed)).run().faults;
    let mut best: Option<(String, (u64, u64))> = None;
    for keep in all.iter().filter(|e| separates_a_b(&e.what)) {
        let others: Vec<FaultKey> = all
            .iter()
            .map(|e| e.key)
            .filter(|&k| k != keep.key)
            .collect();
        let program = |b: SimBuilder| {
            let mut sim = nemesis_program(b);
            sim.suppress_faults(&others);
            sim
        };
        if let Ok(hand) = written::hand_minimal(&program, seed, written::GO_ON, like) {
            if best.as_ref().is_none_or(|(_, b)| hand.0 < b.0) {
                best = Some((keep.what.clone(), hand));
            }
        }
    }
    best.ok_or_else(|| {
        format!("no single fault of seed {seed} that separates a from b loses a ping")
    })
}

pub(super) fn check_shrink_nemesis() -> Result<String, String> {
    let r = quiet("shrink-nemesis").seeds(0..200).run(nemesis_program);
    let f = r.failure.ok_or("the nemesis never broke a round")?;
    let original = f.removed_faults.len() + f.report.faults.len();
    let kept = &f.report.faults;
    let again = quiet("shrink-nemesis").replay(&f.replay, nemesis_program);
    if again.divergence.is_some() || again.digest != f.report.digest {
        return Err(format!(
            "the shrunk run does not replay: {:?}",
            again.divergence
        ));
    }
    if kept.is_empty() || kept.len() > 2 {
        return Err(format!(
            "{} of {original} faults kept (hand-minimal 1): {kept:?}",
            kept.len()
        ));
    }
    let cuts_a_b = kept
        .iter()
        .any(|e| e.what.contains("a@sim") && e.what.contains("b@sim"));
    if !cuts_a_b && !kept.iter().any(|e| e.what.contains("partition")) {
        return Err(format!(
            "the kept faults do not separate a from b: {kept:?}"
        ));
    }
    let (hand_fault, hand) = hand_minimal(f.seed, &f.outcome)?;
    let shrunk = (f.report.steps, f.report.preemptions);
    if !written::within_twice(shrunk, hand) {
        return Err(format!(
            "shrunk to {shrunk:?} (steps, preemptions), hand-minimal {hand:?}"
        ));
    }
    Ok(format!(
        "seed {}: {original} nemesis faults -> {} kept ({}), {} -> {} steps, {} preemptions; hand-minimal 1 fault ({hand_fault}), {} steps, {} preemptions; {} replays",
        f.seed,
        kept.len(),
        kept.iter()
            .map(|e| e.what.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        f.original_steps,
        shrunk.0,
        shrunk.1,
        hand.0,
        hand.1,
        f.shrink_runs
    ))
}
