//! Which process exits fail a run: the default foreground rule, opting out,
//! `treat_as_normal`, and Concuerror's notion of an error (`AnyProcess`).

use crate::{A, B};
use erpc_sim::core::{RunError, TraceEvent};
use erpc_sim::prelude::*;

fn builder(policy: ExitPolicy) -> SimBuilder {
    Sim::builder().nodes([A, B]).exit_policy(policy)
}

#[test]
fn an_abnormal_exit_of_a_test_spawned_process_fails_the_run_at_once() {
    let mut sim = Sim::builder()
        .nodes([A, B])
        .trace(TraceMode::Full)
        .build()
        .unwrap();
    let client = sim
        .spawn(A, |cx| async move {
            // A `?` on a failed call ends the client with the error's reason.
            let r: Result<Term, Exception> = Err(Exception::error(atom!("badarg")));
            r?;
            cx.send(cx.self_pid(), atom!("unreachable")).await?;
            Ok(atom!("ok"))
        })
        .unwrap();
    // A second client that would go on for a while: the run does not wait.
    sim.spawn(B, |cx| async move {
        for i in 0..10 {
            cx.send(cx.self_pid(), Term::Int(i)).await?;
            cx.sleep(Time::ms(1)).await;
        }
        Ok(atom!("ok"))
    })
    .unwrap();
    let r = sim.run();
    let Outcome::ProcessExited { pid, reason } = &r.outcome else {
        panic!("expected a failed run, got {r}");
    };
    assert_eq!(*pid, client);
    assert_eq!(reason.to_string(), "{badarg,[]}");
    assert_eq!(r.outcome.kind(), "process_exited");
    assert!(
        r.to_string().contains(&format!(
            "process {client} exited abnormally: {{badarg,[]}}"
        )),
        "{r}"
    );
    assert!(r.time < Time::ms(1), "stopped at once: {}", r.time);
    assert_eq!(r.results[0].1, Some(Err(reason.clone())));
    assert!(r.results[1].1.is_none(), "the other client was still alive");
}

#[test]
fn a_killed_or_panicking_client_fails_the_run_and_a_normal_exit_does_not() {
    // Killed by another process.
    let mut sim = builder(ExitPolicy::Foreground).build().unwrap();
    let victim = sim.spawn(A, crate::forever).unwrap();
    sim.spawn_background(B, move |cx| async move {
        cx.exit(victim, atom!("kill")).await;
        Ok(atom!("ok"))
    })
    .unwrap();
    let r = sim.run();
    assert_eq!(
        r.outcome,
        Outcome::ProcessExited {
            pid: victim,
            reason: atom!("killed")
        }
    );
    // A panic with `panic_is_failure(false)` is still an abnormal exit.
    let mut sim = builder(ExitPolicy::Foreground)
        .panic_is_failure(false)
        .build()
        .unwrap();
    sim.spawn(A, |_cx| async move {
        panic!("on purpose");
    })
    .unwrap();
    let r = sim.run();
    assert_eq!(r.outcome.kind(), "process_exited", "{r}");
    // `exit(normal)` is a normal exit.
    let mut sim = builder(ExitPolicy::Foreground).build().unwrap();
    sim.spawn(
        A,
        |_cx| async move { Err(Exception::exit(atom!("normal"))) },
    )
    .unwrap();
    sim.run().assert_ok();
}

#[test]
fn a_spawned_child_keeps_erlang_rules_under_the_default_policy() {
    let mut sim = builder(ExitPolicy::Foreground).build().unwrap();
    sim.spawn(A, |cx| async move {
        let (child, r) = cx
            .spawn_monitor(|_c| async move { Err(Exception::exit(atom!("boom"))) })
            .await?;
        let down = cx.recv().await;
        cx.check(
            down == crate::down_msg(r, child, atom!("boom")),
            format!("the child's exit is a DOWN: {down}"),
        )?;
        Ok(atom!("ok"))
    })
    .unwrap();
    sim.run().assert_ok();
}

#[test]
fn allow_lets_a_test_expect_an_abnormal_exit() {
    let mut sim = builder(ExitPolicy::Allow).build().unwrap();
    sim.spawn(
        A,
        |_cx| async move { Err(Exception::exit(atom!("expected"))) },
    )
    .unwrap();
    let r = sim.run();
    r.assert_ok();
    assert_eq!(r.results[0].1, Some(Err(atom!("expected"))));
}

#[test]
fn treat_as_normal_names_reasons_that_do_not_fail() {
    let shutdown = Term::tuple([atom!("shutdown"), atom!("stopping")]);
    let run = |b: SimBuilder| {
        let mut sim = b.build().unwrap();
        let reason = shutdown.clone();
        sim.spawn(A, move |_cx| async move { Err(Exception::exit(reason)) })
            .unwrap();
        sim.run()
    };
    // Abnormal by default, as in Concuerror.
    let r = run(builder(ExitPolicy::Foreground));
    assert_eq!(r.outcome.kind(), "process_exited");
    run(builder(ExitPolicy::Foreground).treat_as_normal(Atom::new("shutdown"))).assert_ok();
    run(builder(ExitPolicy::AnyProcess).treat_as_normal(Atom::new("shutdown"))).assert_ok();
}

#[test]
fn a_client_dying_with_its_crashed_node_is_the_fault_not_a_failure() {
    let mut sim = builder(ExitPolicy::Foreground).build().unwrap();
    sim.spawn(B, crate::forever).unwrap();
    sim.spawn(A, |cx| async move {
        cx.sleep(Time::ms(5)).await;
        Ok(atom!("ok"))
    })
    .unwrap();
    let b = sim.node_id(B).unwrap();
    sim.at(Time::ms(1), move |c: &mut Control<'_>| {
        c.crash(b, "crash");
    })
    .unwrap();
    let r = sim.run();
    r.assert_ok();
    assert_eq!(r.results[0].1, Some(Err(atom!("killed"))));
}

#[test]
fn any_process_lists_every_abnormal_exit_and_every_blocked_process() {
    let mut sim = builder(ExitPolicy::AnyProcess)
        .trace(TraceMode::Full)
        .build()
        .unwrap();
    // A foreground process that finishes at once: the run still goes on.
    sim.spawn(A, |cx| async move {
        cx.spawn(|_c| async move { Err(Exception::exit(atom!("first"))) })
            .await?;
        Ok(atom!("ok"))
    })
    .unwrap();
    let waiter = sim
        .spawn_background(B, |cx| async move {
            cx.receive(|m| m.is_atom("never")).await;
            Ok(atom!("ok"))
        })
        .unwrap();
    sim.spawn_background(B, |cx| async move {
        cx.sleep(Time::ms(3)).await;
        Err(Exception::exit(atom!("second")))
    })
    .unwrap();
    let r = sim.run();
    let Outcome::Errors { errors } = &r.outcome else {
        panic!("expected errors, got {r}");
    };
    let exits: Vec<String> = errors
        .iter()
        .filter_map(|e| match e {
            RunError::Exited { reason, .. } => Some(reason.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(exits, ["first", "second"], "in the order they happened");
    let Some(RunError::Blocked(b)) = errors.last() else {
        panic!("{r}");
    };
    assert_eq!(b.pid, waiter);
    assert_eq!(b.waiting_for, "receive");
    assert_eq!(r.outcome.kind(), "errors");
    assert!(r.time >= Time::ms(3), "the run went to its end");
    let exited_late = r.trace.iter().any(
        |t| matches!(&t.event, TraceEvent::Exit { reason, .. } if reason.to_string() == "second"),
    );
    assert!(exited_late, "{r}");
    assert!(r.outcome.to_string().starts_with("3 error(s)"), "{r}");
}

#[test]
fn any_process_passes_a_run_whose_processes_all_end_normally() {
    let mut sim = builder(ExitPolicy::AnyProcess).build().unwrap();
    sim.spawn(A, |cx| async move {
        let me = cx.self_pid();
        cx.spawn(move |c| async move {
            c.send(me, atom!("hi")).await?;
            Ok(atom!("ok"))
        })
        .await?;
        cx.recv().await;
        Ok(atom!("ok"))
    })
    .unwrap();
    sim.run().assert_ok();
}

#[test]
fn any_process_does_not_count_node_servers_as_blocked() {
    let mut sim = erpc_sim::builder()
        .nodes([A, B])
        .exit_policy(ExitPolicy::AnyProcess)
        .build()
        .unwrap();
    // Every node runs rpc's `rex`, waiting in a receive when the run ends.
    sim.spawn(A, |cx| async move {
        let rex = cx.whereis("rex").await;
        cx.check(rex.is_some(), "rex is booted")?;
        Ok(atom!("ok"))
    })
    .unwrap();
    sim.run().assert_ok();
}

#[test]
fn the_default_policy_does_not_report_blocked_background_processes() {
    let mut sim = builder(ExitPolicy::Foreground).build().unwrap();
    sim.spawn_background(B, |cx| async move {
        cx.recv().await;
        Ok(atom!("ok"))
    })
    .unwrap();
    sim.spawn(A, |_cx| async move { Ok(atom!("ok")) }).unwrap();
    sim.run().assert_ok();
}
