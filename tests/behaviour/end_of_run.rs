//! How a run ends: completion, deadlock, budgets, failed checks, panics.

use crate::{exit_msg, flush, A, B};
use erpc_sim::core::{Blocked, Outcome};
use erpc_sim::prelude::*;

#[test]
fn deadlock_report_lists_blocked_processes() {
    let mut sim = Sim::builder().nodes([A, B]).build().unwrap();
    // Each waits for the other to speak first.
    let a = sim
        .spawn(A, |cx| async move {
            cx.register("alice", cx.self_pid()).await?;
            let m = cx.receive(|m| m.is_atom("hello_from_bob")).await;
            Ok(m)
        })
        .unwrap();
    let b = sim
        .spawn(B, |cx| async move {
            let m = cx.receive(|m| m.is_atom("hello_from_alice")).await;
            Ok(m)
        })
        .unwrap();
    let r = sim.run();
    let Outcome::Deadlock { blocked } = &r.outcome else {
        panic!("expected a deadlock, got {}", r.outcome);
    };
    let mut pids: Vec<Pid> = blocked.iter().map(|b: &Blocked| b.pid).collect();
    pids.sort();
    assert_eq!(pids, vec![a, b]);
    for x in blocked {
        assert!(x.foreground && x.waiting_for == "receive", "{x}");
    }
    assert!(
        r.to_string().contains("deadlock: 2 blocked process(es)"),
        "{r}"
    );
}

#[test]
fn step_budget_and_time_budget_end_the_run() {
    // A process that polls forever spends the step budget.
    let mut sim = Sim::builder().nodes([A]).max_steps(1_000).build().unwrap();
    sim.spawn(A, |cx| async move {
        loop {
            if cx.receive_timeout(|_| true, Timeout::ms(0)).await.is_some() {
                return Ok(atom!("got one"));
            }
        }
    })
    .unwrap();
    let r = sim.run();
    assert!(
        matches!(r.outcome, Outcome::StepBudget { last: Some(p) } if Some(p) == r.results.first().map(|(p, _)| *p)),
        "{r}"
    );
    assert_eq!(r.steps, 1_000);
    // A process that waits past the time budget spends it.
    let mut sim = Sim::builder()
        .nodes([A])
        .max_time(Time::secs(1))
        .build()
        .unwrap();
    sim.spawn(A, |cx| async move {
        cx.sleep(Time::secs(10)).await;
        Ok(atom!("woke"))
    })
    .unwrap();
    let r = sim.run();
    assert_eq!(r.outcome, Outcome::TimeBudget);
    assert!(r.time <= Time::secs(1));
}

#[test]
fn failed_check_ends_the_run() {
    let mut sim = Sim::builder().nodes([A]).build().unwrap();
    let checker = sim
        .spawn(A, |cx| async move {
            cx.check(1 + 1 == 3, "arithmetic holds")?;
            Ok(atom!("unreachable"))
        })
        .unwrap();
    sim.spawn(A, |cx| async move {
        cx.sleep(Time::ms(1)).await;
        Ok(atom!("finished"))
    })
    .unwrap();
    let r = sim.run();
    assert_eq!(
        r.outcome,
        Outcome::CheckFailed {
            pid: checker,
            message: "arithmetic holds".into()
        }
    );
    // The run stopped there: the sleeper never finished.
    assert_eq!(r.value(1), None);
}

#[test]
fn panic_in_process_is_a_crash_not_a_simulator_panic() {
    // By default a panic fails the run, reported, not propagated.
    let mut sim = Sim::builder().nodes([A]).build().unwrap();
    let p = sim
        .spawn(A, |_cx| async move {
            if 1 + 1 == 2 {
                panic!("kaboom");
            }
            Ok(atom!("ok"))
        })
        .unwrap();
    let r = sim.run();
    assert_eq!(
        r.outcome,
        Outcome::Panicked {
            pid: p,
            message: "kaboom".into()
        }
    );
    // With panics as plain crashes, links see an error reason naming it.
    let mut sim = Sim::builder()
        .nodes([A])
        .panic_is_failure(false)
        .build()
        .unwrap();
    sim.spawn(A, |cx| async move {
        cx.trap_exit(true);
        let child = cx
            .spawn_link(|_| async move {
                if 1 + 1 == 2 {
                    panic!("kaboom");
                }
                Ok(atom!("ok"))
            })
            .await?;
        let got = flush(&cx, 10).await;
        let reason = tuple![tuple![atom!("panic"), Term::binary(b"kaboom")], list![]];
        cx.check(got == vec![exit_msg(child, reason)], format!("got {got:?}"))?;
        Ok(atom!("survived"))
    })
    .unwrap();
    let r = sim.run();
    r.assert_ok();
    assert_eq!(r.panics.len(), 1);
    assert_eq!(r.panics[0].1, "kaboom");
}
