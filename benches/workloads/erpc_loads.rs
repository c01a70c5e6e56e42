//! W4 local erpc, W5 remote erpc and multicall, W7 selective receive, W8
//! exploration.

use crate::alloc;
use crate::table::Table;
use erpc_sim::erpc;
use erpc_sim::partition::{Fault, Mode};
use erpc_sim::prelude::*;
use std::time::Instant;

fn timed(sim: &mut Sim) -> f64 {
    timed_counted(sim).0
}

/// The run's wall clock and the allocations it made.
fn timed_counted(sim: &mut Sim) -> (f64, usize) {
    let allocs0 = alloc::allocs();
    let start = Instant::now();
    let r = sim.run();
    let secs = start.elapsed().as_secs_f64();
    let allocs = alloc::allocs() - allocs0;
    assert!(r.outcome.is_ok(), "{r}");
    (secs, allocs)
}

fn calls(nodes: &[&str], target: &'static str, n: u64, timeout: Timeout, queued: usize) -> f64 {
    calls_counted(nodes, target, n, timeout, queued).0
}

/// [`calls`] with the allocations of the run.
fn calls_counted(
    nodes: &[&str],
    target: &'static str,
    n: u64,
    timeout: Timeout,
    queued: usize,
) -> (f64, usize) {
    let mut sim = Sim::builder()
        .nodes(nodes.iter().copied())
        .latency(Time::ZERO, Time::ZERO)
        .build()
        .unwrap();
    sim.spawn(nodes[0], move |cx| async move {
        let me = cx.self_pid();
        for i in 0..queued {
            cx.send(me, Term::Int(i as i64)).await?;
        }
        for _ in 0..n {
            erpc::call(&cx, target, "erlang", "node", vec![], timeout).await?;
        }
        Ok(atom!("ok"))
    })
    .unwrap();
    timed_counted(&mut sim)
}

/// The unrelated messages W7 queues before its calls.
pub const W7_QUEUED: usize = 1_000_000;

/// W4's figure: `n` calls to the own node with a timeout (a spawned applier).
pub fn w4_call(t: &mut Table, n: u64) {
    let (secs, allocs) = calls_counted(&["a@sim"], "a@sim", n, Timeout::ms(5_000), 0);
    t.add(
        "W4 local erpc, timeout",
        secs * 1e9 / n as f64,
        "ns/call",
        "spawned applier",
    );
    t.add(
        "W4 allocations per call",
        allocs as f64 / n as f64,
        "allocs/call",
        "whole run",
    );
    t.fig("w4", "ns_per_op", secs * 1e9 / n as f64, "call");
}

/// W4: `erpc:call` to the own node, with and without a timeout.
pub fn w4(t: &mut Table, n: u64) {
    w4_call(t, n);
    let secs = calls(&["a@sim"], "a@sim", n, Timeout::Infinity, 0);
    t.add(
        "W4 local erpc, infinity",
        n as f64 / secs,
        "calls/s",
        "applied in the caller, as OTP",
    );
}

/// W5's figure: `n` calls to a second node (zero latency).
pub fn w5_call(t: &mut Table, n: u64) {
    let (secs, allocs) = calls_counted(&["a@sim", "b@sim"], "b@sim", n, Timeout::ms(5_000), 0);
    t.add(
        "W5 remote erpc call",
        n as f64 / secs,
        "calls/s",
        "zero latency",
    );
    t.add(
        "W5 allocations per call",
        allocs as f64 / n as f64,
        "allocs/call",
        "whole run",
    );
    t.fig("w5", "ns_per_op", secs * 1e9 / n as f64, "call");
}

/// W5: `erpc:call` to a second node (zero latency); multicall to 3 nodes.
pub fn w5(t: &mut Table, n: u64) {
    w5_call(t, n);
    let mut sim = Sim::builder()
        .nodes(["a@sim", "b@sim", "c@sim", "d@sim"])
        .latency(Time::ZERO, Time::ZERO)
        .build()
        .unwrap();
    let m = n / 3;
    sim.spawn("a@sim", move |cx| async move {
        for _ in 0..m {
            erpc::multicall(
                &cx,
                &["b@sim", "c@sim", "d@sim"],
                "erlang",
                "node",
                vec![],
                Timeout::ms(5_000),
            )
            .await?;
        }
        Ok(atom!("ok"))
    })
    .unwrap();
    let secs = timed(&mut sim);
    t.add(
        "W5 multicall to 3 nodes",
        m as f64 / secs,
        "multicalls/s",
        "zero latency",
    );
}

/// W7's instruction-count run: `n` calls with `queued` unrelated messages
/// queued first (the filling cancels between two sizes).
pub fn w7_full(t: &mut Table, n: u64, queued: usize) {
    let secs = calls(&["a@sim", "b@sim"], "b@sim", n, Timeout::ms(5_000), queued);
    t.add(
        "W7 call, queued",
        secs * 1e9 / n as f64,
        "ns/call",
        "filling included",
    );
}

/// W7: `erpc:call` with 0 and `queued` unrelated messages queued.
pub fn w7(t: &mut Table, n: u64, queued: usize) {
    let empty = calls(&["a@sim", "b@sim"], "b@sim", n, Timeout::ms(5_000), 0);
    let full = calls(&["a@sim", "b@sim"], "b@sim", n, Timeout::ms(5_000), queued);
    // Subtract the cost of queueing the unrelated messages themselves.
    let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    sim.spawn("a@sim", move |cx| async move {
        let me = cx.self_pid();
        for i in 0..queued {
            cx.send(me, Term::Int(i as i64)).await?;
        }
        Ok(atom!("ok"))
    })
    .unwrap();
    let fill = timed(&mut sim);
    t.add(
        "W7 call, empty mailbox",
        empty * 1e9 / n as f64,
        "ns/call",
        "",
    );
    let per_call = (full - fill).max(0.0) * 1e9 / n as f64;
    t.add(
        "W7 call, queued",
        per_call,
        "ns/call",
        format!("{queued} unrelated messages"),
    );
    let ratio = (full - fill).max(0.0) / empty;
    t.add("W7 ratio", ratio, "ratio", "about 1: the marker skips them");
    t.fig("w7", "ns_per_op", per_call, "call");
    t.fig("w7", "ratio", ratio, "call");
}

/// The W8 scenario: 20 calls from a to b and c with a partition in the middle.
fn scenario(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim", "b@sim", "c@sim"]).build().unwrap();
    sim.at(
        Time::ms(3),
        Fault::partition((["a@sim"], ["b@sim", "c@sim"]), Mode::Drop),
    )
    .unwrap();
    sim.at(Time::ms(8), Fault::heal()).unwrap();
    sim.spawn("a@sim", |cx| async move {
        for i in 0..20 {
            let node = if i % 2 == 0 { "b@sim" } else { "c@sim" };
            let _ = erpc::call(&cx, node, "erlang", "node", vec![], Timeout::ms(10)).await;
        }
        Ok(atom!("ok"))
    })
    .unwrap();
    sim
}

/// W8 on `threads` threads: `runs` schedules of the scenario explored.
pub fn w8_threads(t: &mut Table, runs: u64, threads: usize) {
    let r = Explorer::new("w8")
        .iterations(runs)
        .threads(threads)
        .quiet(true)
        .write_files(false)
        .run(scenario);
    assert!(r.failure.is_none(), "{r}");
    t.add(
        if threads == 1 {
            "W8 exploration, 1 thread"
        } else {
            "W8 exploration, 2 threads"
        },
        r.schedules_per_sec(),
        "schedules/s",
        format!("{threads} thread(s), 20 erpc calls, one partition"),
    );
    if threads == 2 {
        t.fig(
            "w8",
            "ns_per_op",
            r.wall.as_secs_f64() * 1e9 / r.runs.max(1) as f64,
            "schedule",
        );
    }
}

/// W8: schedules per second exploring the scenario, on 1 and 2 threads.
pub fn w8(t: &mut Table, runs: u64) {
    w8_threads(t, runs, 1);
    w8_threads(t, runs, 2);
}
