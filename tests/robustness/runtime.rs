//! Robustness probes: runtime.

use crate::Probe;
use erpc_sim::prelude::*;

/// The probes of this group.
pub fn probes() -> Vec<Probe> {
    vec![
        (
            "timers_start_and_cancel_in_log_time",
            timers_start_and_cancel_in_log_time,
        ),
        (
            "timers_fire_in_log_time_in_set_order",
            timers_fire_in_log_time_in_set_order,
        ),
    ]
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
