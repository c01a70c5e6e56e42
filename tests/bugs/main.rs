//! The planted-bug examples: the default strategy finds each within a stated
//! number of schedules, and the shrunk failure replays.

#[path = "../../examples/deadlock.rs"]
mod deadlock;
#[path = "../../examples/monitor_race.rs"]
mod monitor_race;

use erpc_sim::prelude::*;

fn explorer(name: &str, budget: u64) -> Explorer {
    Explorer::new(name)
        .iterations(budget)
        .threads(2)
        .write_files(false)
        .quiet(true)
}

#[test]
fn selective_receive_deadlock_is_found_within_100_schedules() {
    let r = explorer("deadlock", 100).run(deadlock::program);
    let f = r.failure.expect("the deadlock is found");
    assert!(
        matches!(f.outcome, Outcome::Deadlock { .. }),
        "{}",
        f.outcome
    );
    assert!(r.runs <= 100);
    let again = explorer("deadlock", 1).replay(&f.replay, deadlock::program);
    assert_eq!(again.outcome.kind(), "deadlock");
    assert_eq!(again.divergence, None);
}

#[test]
fn monitor_race_at_node_crash_is_found_within_300_schedules() {
    let r = explorer("monitor_race", 300).run(monitor_race::program);
    let f = r.failure.expect("the double charge is found");
    assert!(
        matches!(&f.outcome, Outcome::CheckFailed { message, .. } if message.contains("charged 2 times")),
        "{}",
        f.outcome
    );
    let again = explorer("monitor_race", 1).replay(&f.replay, monitor_race::program);
    assert_eq!(again.outcome, f.report.outcome);
}
