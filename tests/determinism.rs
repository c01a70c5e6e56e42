//! Determinism: fixed seeds of canonical programs give pinned digests, step
//! counts and final virtual times, and every run can be checked twice.
//!
//! The pins live in `tests/golden/determinism.txt`, and for the same programs
//! with local signals delivered in the sending step (`LocalSignals::Instant`)
//! in `tests/golden/determinism_instant.txt`. A change that alters a
//! schedule fails here; if the change is intended, refresh the pins with
//! `UPDATE_EXPECT=1 cargo test --test determinism` and say why in the commit.

#[path = "../examples/deadlock.rs"]
mod deadlock;
#[path = "../examples/monitor_race.rs"]
mod monitor_race;

use erpc_sim::prelude::*;
use std::fmt::Write as _;

/// Several processes on three nodes: messages, a remote spawn, monitors, an
/// erpc call and a drop partition that heals.
fn mesh(b: SimBuilder) -> Sim {
    let mut sim = b
        .nodes(["a@sim", "b@sim", "c@sim"])
        .build()
        .expect("valid nodes");
    sim.at(
        Time::ms(2),
        Fault::partition([["a@sim"], ["c@sim"]], Mode::Drop),
    )
    .unwrap();
    sim.at(Time::ms(9), Fault::heal()).unwrap();
    for node in ["a@sim", "b@sim", "c@sim"] {
        sim.spawn(node, move |cx| async move {
            let me = cx.self_pid();
            let (peer, mref) = cx
                .spawn_monitor_on("b@sim", move |c| async move {
                    for i in 0..5 {
                        c.send(me, Term::Int(i)).await?;
                        c.sleep(Time::us(700)).await;
                    }
                    Ok(atom!("done"))
                })
                .await?;
            let _ = peer;
            let mut got = 0;
            while got < 5 {
                let m = cx.receive_timeout(|_| true, Timeout::ms(30)).await;
                match m {
                    Some(Term::Int(_)) => got += 1,
                    Some(_) => {}
                    None => break,
                }
            }
            let _ = erpc::call(&cx, "c@sim", "erlang", "node", args![], Timeout::ms(5)).await;
            cx.demonitor_flush(mref).await;
            Ok(Term::Int(got))
        })
        .expect("node exists");
    }
    sim
}

type Program = fn(SimBuilder) -> Sim;

const PROGRAMS: [(&str, Program); 3] = [
    ("mesh", mesh),
    ("deadlock", deadlock::program),
    ("monitor_race", monitor_race::program),
];

fn pins(local_signals: Option<LocalSignals>) -> String {
    let mut out = String::new();
    for (name, program) in PROGRAMS {
        for seed in [0u64, 1, 42] {
            let mut b = Sim::builder().seed(seed);
            if let Some(mode) = local_signals {
                b = b.local_signals(mode);
            }
            let r = program(b).run();
            let _ = writeln!(
                out,
                "{name} seed={seed} digest={:016x} steps={} time={} outcome={}",
                r.digest,
                r.steps,
                r.time,
                r.outcome.kind()
            );
        }
    }
    out
}

/// Compares `got` with the golden file `name` (rewritten with `UPDATE_EXPECT`).
fn check_pins(name: &str, got: String) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, &got).expect("write the pins");
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        want, got,
        "schedules changed; if intended, run UPDATE_EXPECT=1 cargo test --test determinism"
    );
}

#[test]
fn fixed_seeds_give_pinned_digests() {
    check_pins("determinism.txt", pins(None));
}

/// Local signals delivered in the sending step are the behaviour from before
/// they were events, digest for digest.
#[test]
fn instant_local_signals_give_the_pinned_digests_of_in_step_delivery() {
    check_pins("determinism_instant.txt", pins(Some(LocalSignals::Instant)));
}

#[test]
fn every_canonical_program_runs_the_same_twice() {
    for (name, program) in PROGRAMS {
        for seed in 0..5 {
            if let Err(e) = check_determinism(seed, program) {
                panic!("{name} seed {seed}: {e}");
            }
        }
    }
}

#[test]
fn seeds_change_the_schedule() {
    let digests: Vec<u64> = (0..10)
        .map(|s| mesh(Sim::builder().seed(s)).run().digest)
        .collect();
    let mut d = digests.clone();
    d.sort_unstable();
    d.dedup();
    assert!(d.len() > 5, "{digests:?}");
}
