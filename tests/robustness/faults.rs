//! Probes of fault timing: retimes (as a shrinker or a hand-edited replay
//! file gives them) that make no sense are taken in the one way that does,
//! never as a panic, a hang or a fault lost without a word.

use crate::Probe;
use erpc_sim::core::{FaultKey, FaultRetime};
use erpc_sim::partition::{Fault, Mode};
use erpc_sim::prelude::*;

pub fn probes() -> Vec<Probe> {
    vec![
        (
            "a_retimed_fault_never_moves_before_it_was_asked_for",
            never_earlier,
        ),
        (
            "a_retimed_window_never_ends_before_its_fault",
            window_never_negative,
        ),
        (
            "retimes_of_faults_that_never_happen_change_nothing",
            unknown_keys,
        ),
        (
            "a_fault_moved_past_the_end_of_the_run_never_happens",
            moved_past_the_end,
        ),
    ]
}

/// b@sim is cut off at 5 ms for 10 ms; a@sim pings b@sim's echo server
/// every millisecond until 30 ms, so the cut loses pings.
fn program(retimes: &[FaultRetime]) -> Sim {
    let mut sim = Sim::builder()
        .nodes(["a@sim", "b@sim"])
        .build()
        .expect("two nodes");
    let echo = sim
        .spawn_background("b@sim", |cx| async move {
            loop {
                if let Some([Term::Pid(from), m]) = cx.recv().await.as_tuple() {
                    cx.send(*from, m.clone()).await?;
                }
            }
        })
        .expect("echo");
    sim.spawn("a@sim", move |cx| async move {
        for i in 0..30 {
            cx.send(echo, tuple![Term::Pid(cx.self_pid()), i]).await?;
            cx.sleep(Time::ms(1)).await;
        }
        Ok(atom!("done"))
    })
    .expect("pinger");
    sim.at(Time::ms(5), Fault::isolate("b@sim", Mode::Drop))
        .expect("a valid fault");
    sim.at(Time::ms(15), Fault::heal()).expect("a valid heal");
    sim.retime_faults(retimes);
    sim
}

fn key() -> FaultKey {
    FaultKey {
        time: Time::ms(5),
        nth: 0,
    }
}

fn never_earlier() -> Result<(), String> {
    let r = program(&[FaultRetime {
        key: key(),
        at: Some(Time::ms(1)),
        until: None,
    }])
    .run();
    match r.faults.first() {
        Some(f) if f.at == Time::ms(5) && r.outcome == Outcome::Completed => Ok(()),
        _ => Err(format!("{:?} {}", r.faults, r.outcome)),
    }
}

fn window_never_negative() -> Result<(), String> {
    let r = program(&[FaultRetime {
        key: key(),
        at: None,
        until: Some(Time::ms(1)),
    }])
    .run();
    let ok = r.outcome == Outcome::Completed
        && r.books.balanced()
        && r.faults.first().is_some_and(|f| f.until == Some(f.at));
    if ok {
        Ok(())
    } else {
        Err(format!("{:?} {} {:?}", r.faults, r.outcome, r.books))
    }
}

fn unknown_keys() -> Result<(), String> {
    let plain = program(&[]).run();
    let stray = [FaultRetime {
        key: FaultKey {
            time: Time::ms(7),
            nth: 3,
        },
        at: Some(Time::ms(20)),
        until: Some(Time::ms(21)),
    }];
    let r = program(&stray).run();
    if r.digest == plain.digest && r.faults == plain.faults {
        Ok(())
    } else {
        Err(format!("{:?} vs {:?}", r.faults, plain.faults))
    }
}

fn moved_past_the_end() -> Result<(), String> {
    let r = program(&[FaultRetime {
        key: key(),
        at: Some(Time::secs(100)),
        until: None,
    }])
    .run();
    let cut = r.faults.iter().any(|f| f.key == key());
    if r.outcome == Outcome::Completed && !cut && r.time < Time::secs(100) {
        Ok(())
    } else {
        Err(format!("{:?} {} at {}", r.faults, r.outcome, r.time))
    }
}
