//! Single faults of a run can be switched off, and the rest stay as they were.

use sim_core::{FaultKey, RunReport, Sim, Term, Time};
use sim_partition::Nemesis;

/// A nemesis whose first fault is switched off still draws, at every later
/// wake-up, what it drew before.
#[test]
fn removing_a_fault_leaves_the_others_as_they_were() {
    let run = |off: &[FaultKey]| {
        let mut sim = Sim::builder()
            .seed(5)
            .nodes(["a@sim", "b@sim", "c@sim"])
            .build()
            .unwrap();
        sim.at(
            Time::ZERO,
            Nemesis::new()
                .period(Time::ms(2))
                .until(Time::ms(100))
                .partition(0.5)
                .heal(0.5),
        )
        .unwrap();
        sim.spawn("a@sim", |cx| async move {
            cx.sleep(Time::ms(120)).await;
            Ok(Term::atom("ok"))
        })
        .unwrap();
        sim.suppress_faults(off);
        sim.run()
    };
    let all = run(&[]);
    assert!(all.faults.len() >= 4, "{:?}", all.faults);
    // Remove a partition that is not healed at the same instant.
    let first = all.faults[0].key;
    let fewer = run(&[first]);
    assert_eq!(fewer.suppressed_faults, vec![first]);
    let later = |r: &RunReport| -> Vec<(FaultKey, String)> {
        r.faults
            .iter()
            .filter(|e| e.key.time > first.time && !e.what.starts_with("heal"))
            .map(|e| (e.key, e.what.clone()))
            .collect()
    };
    // Cuts are numbered as installed, so compare what they cut, not their ids.
    let shape = |v: Vec<(FaultKey, String)>| -> Vec<(FaultKey, String)> {
        v.into_iter()
            .map(|(k, w)| (k, w.split(" (").next().unwrap_or("").to_string()))
            .collect()
    };
    assert_eq!(shape(later(&all)), shape(later(&fewer)));
    assert!(!fewer.faults.iter().any(|e| e.key == first));
}
