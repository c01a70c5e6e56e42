//! Robustness probes: runtime.

use crate::Probe;
use erpc_sim::prelude::*;

/// The probes of this group.
pub fn probes() -> Vec<Probe> {
    vec![
        (
            "any_process_policy_with_a_server_that_never_waits_ends_on_the_step_budget",
            any_process_policy_with_a_server_that_never_waits_ends_on_the_step_budget,
        ),
        (
            "a_huge_exit_reason_of_a_client_is_reported_not_lost",
            a_huge_exit_reason_of_a_client_is_reported_not_lost,
        ),
        (
            "a_flood_of_local_exit_signals_arrives_in_order_and_keeps_the_books",
            a_flood_of_local_exit_signals_arrives_in_order_and_keeps_the_books,
        ),
        (
            "local_signals_queued_at_the_end_of_a_run_are_in_flight",
            local_signals_queued_at_the_end_of_a_run_are_in_flight,
        ),
        (
            "timers_start_and_cancel_in_log_time",
            timers_start_and_cancel_in_log_time,
        ),
        (
            "timers_fire_in_log_time_in_set_order",
            timers_fire_in_log_time_in_set_order,
        ),
        (
            "erpc_loop_to_an_unknown_node_spends_the_step_budget",
            erpc_loop_to_an_unknown_node_spends_the_step_budget,
        ),
        (
            "erpc_loop_to_a_crashed_node_spends_the_step_budget",
            erpc_loop_to_a_crashed_node_spends_the_step_budget,
        ),
        (
            "erpc_loop_across_a_drop_partition_spends_the_step_budget",
            erpc_loop_across_a_drop_partition_spends_the_step_budget,
        ),
        (
            "rpc_call_loop_to_an_unknown_node_spends_the_step_budget",
            rpc_call_loop_to_an_unknown_node_spends_the_step_budget,
        ),
        (
            "multicall_loop_to_unknown_nodes_spends_the_step_budget",
            multicall_loop_to_unknown_nodes_spends_the_step_budget,
        ),
        (
            "apply_loop_of_undef_spends_the_step_budget",
            apply_loop_of_undef_spends_the_step_budget,
        ),
        (
            "own_node_erpc_loop_spends_the_step_budget",
            own_node_erpc_loop_spends_the_step_budget,
        ),
        (
            "crash_amid_traffic_keeps_the_books_balanced",
            crash_amid_traffic_keeps_the_books_balanced,
        ),
        (
            "a_sender_suspended_past_the_time_budget_ends_the_run",
            a_sender_suspended_past_the_time_budget_ends_the_run,
        ),
        (
            "bandwidth_controls_on_unknown_nodes_change_nothing",
            bandwidth_controls_on_unknown_nodes_change_nothing,
        ),
    ]
}

/// A budget small enough that a debug build spends it in well under a second.
const BUDGET: u64 = 100_000;

/// More iterations than the budget could ever allow: the loop must yield.
const FOREVER: u64 = 10_000_000;

/// Builds `a@sim` and `b@sim` under [`BUDGET`], lets `prepare` fault them,
/// runs `body` on `a@sim`, and checks the run ends by the step budget naming
/// the looping process.
fn spends_budget<F, Fut>(prepare: fn(&mut Sim), body: F) -> Result<(), String>
where
    F: FnOnce(Cx) -> Fut + 'static,
    Fut: std::future::Future<Output = Result<Term, Exception>> + 'static,
{
    let mut sim = erpc_sim::builder()
        .nodes(["a@sim", "b@sim"])
        .max_steps(BUDGET)
        .build()
        .map_err(|e| e.to_string())?;
    prepare(&mut sim);
    let looping = sim.spawn("a@sim", body).map_err(|e| e.to_string())?;
    let r = sim.run();
    match r.outcome {
        Outcome::StepBudget { last: Some(p) } if p == looping && r.steps == BUDGET => Ok(()),
        _ => Err(format!("{r}")),
    }
}

fn no_fault(_: &mut Sim) {}

fn erpc_loop_to_an_unknown_node_spends_the_step_budget() -> Result<(), String> {
    spends_budget(no_fault, |cx| async move {
        for _ in 0..FOREVER {
            let r = erpc::call(&cx, "nx@sim", "erlang", "node", vec![], Timeout::Infinity).await;
            cx.check(r.is_err(), "an unknown node never answers")?;
        }
        Ok(atom!("never"))
    })
}

fn erpc_loop_to_a_crashed_node_spends_the_step_budget() -> Result<(), String> {
    fn crash(sim: &mut Sim) {
        sim.control(|c| {
            let b = c.node_id("b@sim");
            b.map(|b| c.crash(b, "crash b@sim"))
        });
    }
    spends_budget(crash, |cx| async move {
        for _ in 0..FOREVER {
            let r = erpc::call(&cx, "b@sim", "erlang", "node", vec![], Timeout::ms(1_000)).await;
            cx.check(r.is_err(), "a crashed node never answers")?;
        }
        Ok(atom!("never"))
    })
}

fn erpc_loop_across_a_drop_partition_spends_the_step_budget() -> Result<(), String> {
    fn cut(sim: &mut Sim) {
        let _ = sim.control(|c| Fault::isolate("b@sim", Mode::Drop).apply(c));
    }
    spends_budget(cut, |cx| async move {
        for _ in 0..FOREVER {
            let r = erpc::call(&cx, "b@sim", "erlang", "node", vec![], Timeout::Infinity).await;
            cx.check(r.is_err(), "a cut node never answers")?;
        }
        Ok(atom!("never"))
    })
}

fn rpc_call_loop_to_an_unknown_node_spends_the_step_budget() -> Result<(), String> {
    spends_budget(no_fault, |cx| async move {
        for _ in 0..FOREVER {
            let r = rpc::call(&cx, "nx@sim", "erlang", "node", vec![], Timeout::Infinity).await?;
            cx.check(r.to_string().starts_with("{badrpc,"), "badrpc")?;
        }
        Ok(atom!("never"))
    })
}

fn multicall_loop_to_unknown_nodes_spends_the_step_budget() -> Result<(), String> {
    spends_budget(no_fault, |cx| async move {
        for _ in 0..FOREVER {
            erpc::multicall(
                &cx,
                &["nx@sim", "ny@sim"],
                "erlang",
                "node",
                vec![],
                Timeout::Infinity,
            )
            .await?;
        }
        Ok(atom!("never"))
    })
}

fn apply_loop_of_undef_spends_the_step_budget() -> Result<(), String> {
    spends_budget(no_fault, |cx| async move {
        for _ in 0..FOREVER {
            let r = cx
                .apply(Atom::new("nomod"), Atom::new("nofun"), vec![])
                .await;
            cx.check(r.is_err(), "undef")?;
        }
        Ok(atom!("never"))
    })
}

fn own_node_erpc_loop_spends_the_step_budget() -> Result<(), String> {
    spends_budget(no_fault, |cx| async move {
        for _ in 0..FOREVER {
            erpc::call(&cx, "a@sim", "erlang", "node", vec![], Timeout::Infinity).await?;
        }
        Ok(atom!("never"))
    })
}

/// A crash while both directions carry messages: what the crashed node sent
/// arrives, what went to it is dropped under the crash's name, and every
/// signal is accounted for.
fn crash_amid_traffic_keeps_the_books_balanced() -> Result<(), String> {
    let mut sim = Sim::builder()
        .nodes(["a@sim", "b@sim"])
        .max_steps(BUDGET)
        .build()
        .map_err(|e| e.to_string())?;
    for (here, there) in [("a@sim", "b@sim"), ("b@sim", "a@sim")] {
        sim.spawn(here, move |cx| async move {
            cx.register("sink", cx.self_pid()).await?;
            for i in 0..1_000 {
                cx.send(("sink", there), Term::Int(i)).await?;
            }
            cx.sleep(Time::ms(10)).await;
            Ok(atom!("done"))
        })
        .map_err(|e| e.to_string())?;
    }
    sim.at(Time::us(500), Fault::crash("b@sim"))
        .expect("a valid fault");
    let r = sim.run();
    let ledger = erpc_sim::partition::Ledger::of(&r);
    ledger.check().map_err(|e| e.to_string())?;
    if !r.outcome.is_ok() || ledger.dropped_by("crash b@sim") == 0 {
        return Err(format!("{r}"));
    }
    Ok(())
}

/// Enough timers that a linear cost per fire or cancel would take minutes in a
/// debug build.
const MANY_TIMERS: u64 = 200_000;

fn outcome_ok(r: &RunReport) -> Result<(), String> {
    if r.outcome.is_ok() {
        Ok(())
    } else {
        Err(format!("outcome: {}", r.outcome))
    }
}

fn timers_start_and_cancel_in_log_time() -> Result<(), String> {
    let mut sim = Sim::builder()
        .nodes(["a@sim"])
        .max_steps(4 * MANY_TIMERS)
        .build()
        .map_err(|e| e.to_string())?;
    sim.spawn("a@sim", |cx| async move {
        let mut refs = Vec::new();
        for i in 0..MANY_TIMERS {
            refs.push(
                cx.start_timer(1_000 + i, cx.self_pid(), Term::Int(0))
                    .await?,
            );
        }
        // Oldest first: the worst order for a map that shifts on removal.
        let mut left = 0;
        for r in refs {
            left += u64::from(cx.cancel_timer(r).await.is_some());
        }
        cx.check(left == MANY_TIMERS, "every timer was still running")?;
        cx.sleep(Time::ms(1_000 + MANY_TIMERS)).await;
        cx.check(cx.mailbox().is_empty(), "no cancelled timer fired")?;
        Ok(atom!("ok"))
    })
    .map_err(|e| e.to_string())?;
    outcome_ok(&sim.run())
}

fn timers_fire_in_log_time_in_set_order() -> Result<(), String> {
    let mut sim = Sim::builder()
        .nodes(["a@sim"])
        .max_steps(4 * MANY_TIMERS)
        .build()
        .map_err(|e| e.to_string())?;
    sim.spawn("a@sim", |cx| async move {
        // Pairs of timers due at the same instant: ties fire in set order.
        for i in 0..MANY_TIMERS {
            cx.send_after(1 + i / 2, cx.self_pid(), Term::Int(i as i64))
                .await?;
        }
        for i in 0..MANY_TIMERS {
            let m = cx.recv().await;
            cx.check(
                m == Term::Int(i as i64),
                format!("timer {i} fired in order"),
            )?;
        }
        Ok(atom!("ok"))
    })
    .map_err(|e| e.to_string())?;
    outcome_ok(&sim.run())
}

/// A byte per second and a megabyte to send: the sender stays suspended for
/// about twelve days of virtual time, so the time budget ends the run (it
/// never hangs, and the one suspension is reported unresumed).
fn a_sender_suspended_past_the_time_budget_ends_the_run() -> Result<(), String> {
    let mut sim = Sim::builder()
        .nodes(["a@sim", "b@sim"])
        .bandwidth(1)
        .dist_buf_busy_limit(1)
        .max_time(Time::secs(60))
        .build()
        .map_err(|e| e.to_string())?;
    sim.spawn("a@sim", |cx| async move {
        cx.send(("sink", "b@sim"), Term::Binary(vec![0; 1_000_000]))
            .await?;
        Ok(atom!("never"))
    })
    .map_err(|e| e.to_string())?;
    let r = sim.run();
    if r.outcome != Outcome::TimeBudget {
        return Err(format!("expected the time budget, got {:?}", r.outcome));
    }
    match r.busy_dist_port.as_slice() {
        [e] if e.resumed.is_none() => Ok(()),
        other => Err(format!("one unresumed suspension expected: {other:?}")),
    }
}

/// `Control::set_bandwidth` with a node the simulation does not have, a node
/// to itself, or zero, is refused with an error and changes nothing.
fn bandwidth_controls_on_unknown_nodes_change_nothing() -> Result<(), String> {
    let mut sim = Sim::builder()
        .nodes(["a@sim", "b@sim"])
        .build()
        .map_err(|e| e.to_string())?;
    let (a, b, far) = (NodeId(0), NodeId(1), NodeId(7));
    let refused = sim.control(|c| {
        [
            c.set_bandwidth(a, far, Some(10)),
            c.set_bandwidth(far, a, Some(10)),
            c.set_bandwidth(a, a, Some(10)),
            c.set_bandwidth(a, b, Some(0)),
        ]
    });
    if let Some(r) = refused.iter().find(|r| r.is_ok()) {
        return Err(format!("accepted a bad bandwidth setting: {r:?}"));
    }
    let after = sim.control(|c| {
        (
            c.bandwidth(a, b),
            c.bandwidth(a, far),
            c.buffered_bytes(far, far),
        )
    });
    if after != (None, None, 0) {
        return Err(format!("something changed: {after:?}"));
    }
    Ok(())
}

/// Thousands of exit signals from one sender to one trapping receiver, each a
/// queued event, then a message behind them: all arrive, in send order.
fn a_flood_of_local_exit_signals_arrives_in_order_and_keeps_the_books() -> Result<(), String> {
    const N: i64 = 3_000;
    let mut sim = Sim::builder()
        .nodes(["a@sim"])
        .max_steps(BUDGET)
        .build()
        .map_err(|e| e.to_string())?;
    sim.spawn("a@sim", |cx| async move {
        cx.trap_exit(true);
        let me = cx.self_pid();
        cx.spawn(move |c| async move {
            for i in 0..N {
                c.exit(me, Term::Int(i)).await;
            }
            c.send(me, atom!("done")).await?;
            Ok(atom!("ok"))
        })
        .await?;
        for i in 0..N {
            let m = cx.recv().await;
            let ok = matches!(&m, Term::Tuple(t) if t.len() == 3 && t[2] == Term::Int(i));
            cx.check(ok, format!("exit {i} in order, got {m}"))?;
        }
        let last = cx.recv().await;
        cx.check(last == atom!("done"), "the message last")?;
        Ok(atom!("ok"))
    })
    .map_err(|e| e.to_string())?;
    let r = sim.run();
    if !r.outcome.is_ok() || r.value(0) != Some(&atom!("ok")) || !r.books.balanced() {
        return Err(format!("{:?} {:?}", r.outcome, r.books));
    }
    Ok(())
}

/// `AnyProcess` runs past the foreground processes to the end: a background
/// process that never waits must end the run on the step budget, not hang it.
fn any_process_policy_with_a_server_that_never_waits_ends_on_the_step_budget() -> Result<(), String>
{
    let mut sim = Sim::builder()
        .nodes(["a@sim"])
        .exit_policy(ExitPolicy::AnyProcess)
        .max_steps(2_000)
        .build()
        .map_err(|e| e.to_string())?;
    sim.spawn("a@sim", |_cx| async move { Ok(atom!("ok")) })
        .map_err(|e| e.to_string())?;
    sim.spawn_background("a@sim", |cx| async move {
        loop {
            cx.send(cx.self_pid(), atom!("spin")).await?;
            cx.recv().await;
        }
    })
    .map_err(|e| e.to_string())?;
    let r = sim.run();
    match r.outcome {
        Outcome::StepBudget { .. } => Ok(()),
        other => Err(format!("expected the step budget, got {other}")),
    }
}

/// A client that exits with a deeply nested reason still fails the run with
/// that reason, printable.
fn a_huge_exit_reason_of_a_client_is_reported_not_lost() -> Result<(), String> {
    let mut sim = Sim::builder()
        .nodes(["a@sim"])
        .build()
        .map_err(|e| e.to_string())?;
    let pid = sim
        .spawn("a@sim", |_cx| async move {
            let mut reason = atom!("core");
            for _ in 0..100_000 {
                reason = Term::tuple([reason]);
            }
            Err(Exception::exit(reason))
        })
        .map_err(|e| e.to_string())?;
    let r = sim.run();
    match &r.outcome {
        Outcome::ProcessExited { pid: p, .. } if *p == pid => {
            let text = r.outcome.to_string();
            if text.contains(&pid.to_string()) {
                Ok(())
            } else {
                Err(format!("the report does not name {pid}"))
            }
        }
        other => Err(format!("expected ProcessExited, got {}", other.kind())),
    }
}

/// A run that ends while a local exit signal waits: the books count it in
/// flight, not lost.
fn local_signals_queued_at_the_end_of_a_run_are_in_flight() -> Result<(), String> {
    let mut sim = Sim::builder()
        .nodes(["a@sim"])
        .strategy(RoundRobin::default())
        .max_steps(BUDGET)
        .build()
        .map_err(|e| e.to_string())?;
    sim.spawn("a@sim", |cx| async move {
        cx.spawn_link(|c| async move {
            c.recv().await;
            Ok(atom!("never"))
        })
        .await?;
        Err::<Term, _>(Exception::exit(atom!("bye")))
    })
    .map_err(|e| e.to_string())?;
    let r = sim.run();
    if !r.books.balanced() || r.books.in_flight != 1 {
        return Err(format!("{:?} {:?}", r.outcome, r.books));
    }
    Ok(())
}
