//! Determinism: a seed fixes the schedule, and so the trace digest.

use crate::{A, B, C};
use erpc_sim::prelude::*;

/// Several processes on three nodes: a counter server on `c`, workers on `a`
/// and `b` (one spawned remotely) that send it increments and monitor each
/// other, and a coordinator collecting everything.
fn program(seed: u64) -> RunReport {
    let mut sim = Sim::builder()
        .seed(seed)
        .nodes([A, B, C])
        .build()
        .expect("three nodes");
    sim.spawn_background(C, |cx| async move {
        cx.register("counter", cx.self_pid()).await?;
        let mut n = 0;
        loop {
            let m = cx.recv().await;
            if let Some([from, Term::Int(k)]) = m.as_tuple() {
                n += k;
                if let Some(from) = from.as_pid() {
                    cx.send(from, tuple![atom!("total"), n]).await?;
                }
            }
        }
    })
    .unwrap();
    sim.spawn(A, |cx| async move {
        let me = cx.self_pid();
        let worker = move |k: i64| {
            move |c: Cx| async move {
                for _ in 0..5 {
                    c.send(
                        (Atom::new("counter"), Atom::new(C)),
                        tuple![c.self_pid(), k],
                    )
                    .await?;
                    c.recv().await;
                }
                c.send(me, tuple![atom!("done"), k]).await?;
                Ok(atom!("ok"))
            }
        };
        let (w1, m1) = cx.spawn_monitor(worker(1)).await?;
        let (w2, m2) = cx.spawn_monitor_on(B, worker(10)).await?;
        let w3 = cx.spawn_on(C, worker(100)).await?;
        let m3 = cx.monitor(w3).await;
        let _ = (w1, w2);
        let mut log = Vec::new();
        for _ in 0..6 {
            log.push(cx.recv().await);
        }
        let _ = (m1, m2, m3);
        // The order of `done` and `'DOWN'` messages is the schedule's.
        Ok(Term::List(
            log.iter()
                .map(|m| match m.as_tuple() {
                    Some([t, k]) if t.is_atom("done") => k.clone(),
                    Some([t, ..]) if t.is_atom("DOWN") => atom!("down"),
                    _ => m.clone(),
                })
                .collect(),
        ))
    })
    .unwrap();
    let r = sim.run();
    r.assert_ok();
    r
}

#[test]
fn same_seed_same_digest() {
    for seed in [0, 7, 42] {
        let (a, b) = (program(seed), program(seed));
        assert_eq!(a.digest, b.digest, "seed {seed}");
        assert_eq!(a.schedule, b.schedule, "seed {seed}");
        assert_eq!(a.results, b.results, "seed {seed}");
        assert!(a.steps > 50, "a non-trivial program: {} steps", a.steps);
    }
}

#[test]
fn different_seeds_different_schedules() {
    let runs: Vec<RunReport> = (0..10).map(program).collect();
    let mut digests: Vec<u64> = runs.iter().map(|r| r.digest).collect();
    digests.sort();
    digests.dedup();
    assert!(digests.len() > 1, "10 seeds, one digest");
    let mut orders: Vec<String> = runs
        .iter()
        .map(|r| r.value(0).unwrap().to_string())
        .collect();
    orders.sort();
    orders.dedup();
    assert!(
        orders.len() > 1,
        "10 seeds, one observable order: {orders:?}"
    );
}

#[test]
fn registering_is_in_the_full_trace_and_not_in_the_digest() {
    let run = |mode: TraceMode| {
        let mut sim = Sim::builder()
            .nodes([A])
            .trace(mode)
            .build()
            .expect("a node");
        sim.spawn(A, |cx| async move {
            cx.register("clerk", cx.self_pid()).await?;
            cx.unregister("clerk").await?;
            Ok(atom!("ok"))
        })
        .unwrap();
        sim.run()
    };
    let full = run(TraceMode::Full);
    full.assert_ok();
    let pid = full.results[0].0;
    let names: Vec<String> = full
        .trace
        .iter()
        .filter(|r| {
            matches!(
                r.event,
                erpc_sim::core::TraceEvent::Register { .. }
                    | erpc_sim::core::TraceEvent::Unregister { .. }
            )
        })
        .map(|r| r.event.to_string())
        .collect();
    assert_eq!(
        names,
        [
            format!("{pid} registered as clerk"),
            format!("{pid} unregistered clerk")
        ]
    );
    // An annotation: the digest is the one a run without records computes.
    assert_eq!(full.digest, run(TraceMode::Digest).digest);
}
