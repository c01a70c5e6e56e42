//! Every operation with an observable effect is a sync point and costs exactly
//! one step, also when it is answered at once (an unknown, crashed or cut-off
//! node, an `undef`), so a retry loop can never hang a run.

use erpc_sim::prelude::*;
use std::cell::Cell;
use std::rc::Rc;

const A: &str = "a@sim";
const B: &str = "b@sim";

/// How `b@sim` is made unreachable before the run.
#[derive(Clone, Copy, Debug)]
enum Unreachable {
    Unknown,
    Crashed,
    DropCut,
}

/// The steps of a run in which `a@sim` makes `n` erpc calls that fail at once.
fn steps_of_refused_calls(how: Unreachable, n: usize) -> u64 {
    let mut sim = Sim::builder().nodes([A, B]).build().unwrap();
    match how {
        Unreachable::Unknown => {}
        Unreachable::Crashed => {
            sim.control(|c| {
                let b = c.node_id(B).unwrap();
                c.crash(b, "crash b@sim")
            });
        }
        Unreachable::DropCut => {
            sim.control(|c| Fault::isolate(B, Mode::Drop).apply(c))
                .unwrap();
        }
    }
    let target = match how {
        Unreachable::Unknown => "nx@sim",
        _ => B,
    };
    sim.spawn(A, move |cx| async move {
        for _ in 0..n {
            let r = erpc::call(&cx, target, "erlang", "node", vec![], Timeout::ms(100)).await;
            cx.check(r.is_err(), "refused")?;
        }
        cx.check(cx.mailbox().is_empty(), "nothing left behind")?;
        Ok(atom!("ok"))
    })
    .unwrap();
    let r = sim.run();
    r.assert_ok();
    r.steps
}

#[test]
fn every_refused_call_is_exactly_one_step() {
    for how in [
        Unreachable::Unknown,
        Unreachable::Crashed,
        Unreachable::DropCut,
    ] {
        let ten = steps_of_refused_calls(how, 10);
        let twenty = steps_of_refused_calls(how, 20);
        assert_eq!(twenty - ten, 10, "{how:?}: one step per call");
    }
}

/// The steps of a run in which `a@sim` applies `m:f()` `n` times.
fn steps_of_applies(module: &str, function: &str, n: usize) -> u64 {
    let m = Module::new("m")
        .function("bif_like", 0, |_cx, _| async move { Ok(atom!("x")) })
        .function("sleeps", 0, |cx, _| async move {
            cx.sleep(Time::ms(1)).await;
            Ok(atom!("x"))
        });
    let mut sim = Sim::builder()
        .nodes([A])
        .module_everywhere(m)
        .build()
        .unwrap();
    let (module, function) = (Atom::new(module), Atom::new(function));
    sim.spawn(A, move |cx| async move {
        for _ in 0..n {
            let _ = cx.apply(module, function, vec![]).await;
        }
        Ok(atom!("ok"))
    })
    .unwrap();
    let r = sim.run();
    r.assert_ok();
    r.steps
}

#[test]
fn apply_is_one_sync_point_unless_the_function_yields() {
    for (m, f) in [("m", "bif_like"), ("m", "undefined"), ("nomod", "f")] {
        let steps = steps_of_applies(m, f, 20) - steps_of_applies(m, f, 10);
        assert_eq!(steps, 10, "{m}:{f}: one step per apply");
    }
    // A function that yields by itself costs the steps of its own sync points
    // and no more: as many as the same number of sleeps.
    let sleeps = steps_of_applies("m", "sleeps", 20) - steps_of_applies("m", "sleeps", 10);
    assert_eq!(sleeps, steps_of_sleeps(20) - steps_of_sleeps(10));
}

fn steps_of_sleeps(n: usize) -> u64 {
    let mut sim = Sim::builder().nodes([A]).build().unwrap();
    sim.spawn(A, move |cx| async move {
        for _ in 0..n {
            cx.sleep(Time::ms(1)).await;
        }
        Ok(atom!("ok"))
    })
    .unwrap();
    sim.run().steps
}

#[test]
fn a_retry_loop_of_refused_calls_lets_others_run() {
    let mut sim = Sim::builder().seed(5).nodes([A]).build().unwrap();
    let flag = Rc::new(Cell::new(false));
    let seen = flag.clone();
    sim.spawn(A, move |cx| async move {
        // Bounded so that a loop that never yields fails instead of hanging.
        for _ in 0..10_000 {
            if seen.get() {
                return Ok(atom!("ok"));
            }
            let _ = erpc::call(&cx, "nx@sim", "erlang", "node", vec![], Timeout::Infinity).await;
        }
        Err(Exception::error(atom!("the other process never ran")))
    })
    .unwrap();
    sim.spawn(A, move |_cx| async move {
        flag.set(true);
        Ok(atom!("ran"))
    })
    .unwrap();
    sim.run().assert_ok();
}

#[test]
fn the_step_budget_names_the_looping_process() {
    let mut sim = Sim::builder().nodes([A]).max_steps(1_000).build().unwrap();
    let looping = sim
        .spawn(A, |cx| async move {
            loop {
                let _ =
                    erpc::call(&cx, "nx@sim", "erlang", "node", vec![], Timeout::Infinity).await;
            }
        })
        .unwrap();
    let r = sim.run();
    assert_eq!(
        r.outcome,
        Outcome::StepBudget {
            last: Some(looping)
        }
    );
    assert!(r.outcome.to_string().contains(&looping.to_string()), "{r}");
}
