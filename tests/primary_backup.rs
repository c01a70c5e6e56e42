//! The primary–backup register of `examples/primary_backup.rs`: the
//! explorer, through the linearizability checker, finds the backup serving
//! reads before it holds every acknowledged write; the fixed variant passes
//! 2,000 schedules.

#[path = "../examples/primary_backup.rs"]
mod primary_backup;

use erpc_sim::prelude::*;

fn explorer(name: &str, budget: u64) -> Explorer {
    Explorer::new(name)
        .iterations(budget)
        .threads(2)
        .write_files(false)
        .quiet(true)
}

#[test]
fn lazy_backup_is_caught_by_the_checker_and_replays() {
    let r = explorer("primary_backup", 200).run(primary_backup::lazy);
    let f = r.failure.expect("the stale read after failover is found");
    let Outcome::CheckFailed { message, .. } = &f.outcome else {
        panic!("not a check failure: {}", f.outcome);
    };
    assert!(message.starts_with("not linearizable"), "{message}");
    // The counterexample names the operations: an acknowledged write and a
    // read that returned an older value.
    assert!(
        message.contains("write(") && message.contains("-> ok"),
        "{message}"
    );
    assert!(message.contains("read() -> "), "{message}");
    let again = explorer("primary_backup", 1).replay(&f.replay, primary_backup::lazy);
    assert_eq!(again.outcome, f.report.outcome);
    assert_eq!(again.divergence, None);
}

#[test]
fn sync_backup_passes_2000_schedules() {
    let r = explorer("primary_backup_sync", 2_000).run(primary_backup::sync);
    assert!(r.failure.is_none(), "{r}");
    assert_eq!(r.runs, 2_000);
}
