//! A receive timeout racing a process that could still run: the explorer
//! reaches both orders with a run window of `EXPLORE_RUN_WINDOW`, and only
//! one without (its default, as a plain `Sim::run`).

use super::quiet;
use erpc_sim::core::EXPLORE_RUN_WINDOW;
use erpc_sim::prelude::*;

/// A process spawns a helper that answers it at once, then waits 1 ms for
/// the answer. Erlang promises neither order: a scheduler may run the
/// helper late, after the timeout. `timeout_first` says which order the
/// check objects to.
fn race(timeout_first: bool) -> impl Fn(SimBuilder) -> Sim + Sync + Copy {
    move |b: SimBuilder| {
        let mut sim = b.nodes(["a@sim"]).build().expect("one node");
        sim.spawn("a@sim", move |cx| async move {
            let me = cx.self_pid();
            cx.spawn(move |c| async move {
                c.send(me, atom!("answer")).await?;
                Ok(atom!("ok"))
            })
            .await?;
            let got = cx
                .receive_timeout(|m| m.is_atom("answer"), Timeout::ms(1))
                .await;
            if timeout_first {
                cx.check(got.is_some(), "the answer comes first")?;
            } else {
                cx.check(got.is_none(), "the timeout comes first")?;
            }
            Ok(atom!("ok"))
        })
        .expect("a@sim");
        sim
    }
}

/// Schedules until the explorer reaches the order `timeout_first` names
/// (`None`: not in `budget`).
fn reaches(window: Option<Time>, timeout_first: bool, budget: u64) -> Option<u64> {
    let mut ex = quiet("timeout-race").iterations(budget).shrink(false);
    if let Some(w) = window {
        ex = ex.run_window(w);
    }
    let r = ex.run(race(timeout_first));
    r.failure.map(|_| r.runs)
}

pub(super) fn check_timeout_race() -> Result<String, String> {
    let budget = 200;
    let w = Some(EXPLORE_RUN_WINDOW);
    let (answer, timeout) = (reaches(w, false, budget), reaches(w, true, budget));
    let (Some(answer), Some(timeout)) = (answer, timeout) else {
        return Err(format!(
            "with a {EXPLORE_RUN_WINDOW} window: answer first after {answer:?}, timeout first after {timeout:?} schedules"
        ));
    };
    // Without a window (the default) a runnable process always runs before
    // time passes: the answer always comes first.
    let default_answer = reaches(None, false, budget);
    let default_timeout = reaches(None, true, budget);
    if default_answer.is_none() || default_timeout.is_some() {
        return Err(format!(
            "default explorer: answer first after {default_answer:?}, timeout first after {default_timeout:?} schedules"
        ));
    }
    Ok(format!(
        "with run_window({EXPLORE_RUN_WINDOW}) both orders: the answer first after {answer} schedule(s), the timeout first after {timeout}; \
         the default explorer (no window) reaches only the answer first in {budget} schedules"
    ))
}
