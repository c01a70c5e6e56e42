//! The planted bugs that need only interleavings and one bounded fault,
//! explored exhaustively: each buggy version is found, and each fixed
//! version is reported fully checked, with its count of interleavings.

#[path = "../examples/monitor_race.rs"]
mod monitor_race;

use erpc_sim::partition::FaultSpace;
use erpc_sim::prelude::*;

fn quiet(name: &str) -> Explorer {
    Explorer::new(name)
        .quiet(true)
        .write_files(false)
        .threads(1)
}

#[test]
fn monitor_race_with_a_crash_of_b_anywhere() {
    let plain = quiet("monitor_race-no-crash").exhaustive(|b| monitor_race::workload(b, false));
    println!("without a crash: {plain}");
    assert!(plain.complete && plain.failure.is_none(), "{plain}");

    let buggy = quiet("monitor_race-crash")
        .may_crash("b@sim")
        .exhaustive(|b| monitor_race::workload(b, false));
    println!("buggy: {buggy}");
    let f = buggy.failure.as_ref().expect("the double charge is found");
    assert!(
        matches!(&f.outcome, Outcome::CheckFailed { message, .. } if message.contains("charged 2 times")),
        "{}",
        f.outcome
    );
    assert_eq!(f.report.faults.len(), 1, "{:?}", f.report.faults);

    let fixed = quiet("monitor_race-fixed")
        .may_crash("b@sim")
        .exhaustive(|b| monitor_race::workload(b, true));
    println!("fixed: {fixed}");
    assert!(fixed.complete && fixed.failure.is_none(), "{fixed}");
    assert!(fixed.interleavings > plain.interleavings, "{fixed}");
}
