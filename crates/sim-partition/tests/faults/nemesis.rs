//! The nemesis and signal conservation under random faults.

use super::*;

// ---- nemesis and conservation -------------------------------------------------

/// Every node has a boot `sink`; a foreground sender per node sends `per_node`
/// messages to random sinks, with monitors and calls mixed in.
fn workload(seed: u64, nodes: &[&'static str], per_node: i64, nemesis: Nemesis) -> RunReport {
    let mut b = Sim::builder()
        .seed(seed)
        .nodes(nodes.iter().copied())
        .trace(TraceMode::Full);
    for &n in nodes {
        b = b.boot(n, |cx| async move {
            cx.register("sink", cx.self_pid()).await?;
            loop {
                if cx.recv().await.is_atom("stop") {
                    break;
                }
            }
            Ok(atom("stopped"))
        });
    }
    let mut sim = b.build().unwrap();
    let peers: Vec<&'static str> = nodes.to_vec();
    for &n in nodes {
        let peers = peers.clone();
        sim.spawn(n, move |cx| async move {
            for i in 0..per_node {
                let to = peers[cx.random(peers.len() as u64) as usize];
                cx.send(("sink", to), Term::Int(i)).await?;
                if i % 5 == 4 {
                    cx.sleep(Time::ms(1)).await;
                }
                if i % 100 == 50 {
                    let r = cx.monitor_name("sink", to).await;
                    cx.sleep(Time::ms(1)).await;
                    cx.demonitor_flush(r).await;
                }
                if i % 100 == 99 {
                    let _ = call(&cx, to, |_| async { Ok(atom("pong")) }, Timeout::ms(5)).await;
                }
            }
            Ok(atom("done"))
        })
        .unwrap();
    }
    sim.at(Time::ZERO, nemesis).unwrap();
    sim.run()
}

fn nemesis() -> Nemesis {
    Nemesis::new()
        .period(Time::ms(5))
        .until(Time::ms(400))
        .partition(0.3)
        .heal(0.25)
        .crash(0.05)
        .restart(0.3)
        .net_ticktime(Time::ms(8))
}

#[test]
fn nemesis_is_deterministic_per_seed() {
    let nodes = [A, B, C];
    let one = workload(7, &nodes, 300, nemesis());
    let two = workload(7, &nodes, 300, nemesis());
    assert_eq!(one.digest, two.digest);
    assert_eq!(one.steps, two.steps);
    assert_eq!(one.time, two.time);
    let f1 = faults(&one);
    assert!(f1.len() > 5, "the nemesis acted: {f1:?}");
    assert_eq!(f1, faults(&two));
    let others: Vec<Vec<String>> = (8..11)
        .map(|s| faults(&workload(s, &nodes, 300, nemesis())))
        .collect();
    assert!(
        others.iter().any(|f| *f != f1),
        "other seeds draw other faults"
    );
}

#[test]
fn books_balance_under_random_faults() {
    let nodes = [A, B, C, D];
    let (mut fault_drops, mut sent) = (0, 0);
    for seed in 0..8 {
        let report = workload(seed, &nodes, 1_500, nemesis());
        assert!(report.outcome.is_ok(), "seed {seed}: {}", report.outcome);
        // Crashes kill senders early, so runs differ in size.
        assert!(
            report.books.sent > 2_000,
            "seed {seed}: thousands of signals"
        );
        sent += report.books.sent;
        assert!(report.books.balanced(), "seed {seed}: {:?}", report.books);
        assert_conserved(&report);
        let ledger = Ledger::of(&report);
        for (cause, _) in &ledger.dropped {
            assert!(
                is_fault_cause(cause) || cause == "noconnection",
                "seed {seed}: every drop names a fault (or a down node): {cause}"
            );
        }
        fault_drops += ledger.dropped_by_faults();
    }
    assert!(sent > 25_000, "{sent} signals in all");
    assert!(fault_drops > 0, "faults dropped signals, by name");
}
