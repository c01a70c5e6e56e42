//! W1 ping-pong, W2 spawn, W3 ring, W6 idle processes.

use crate::alloc;
use crate::table::Table;
use erpc_sim::prelude::*;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Instant;

/// W3's ring size.
pub const RING: usize = 10_000;

fn run(sim: &mut Sim) -> RunReport {
    let r = sim.run();
    assert!(r.outcome.is_ok(), "{r}");
    r
}

/// W1's program: two processes on one node exchange `n` messages.
fn ping_pong(n: u64) -> Sim {
    let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    sim.spawn("a@sim", move |cx| async move {
        let me = cx.self_pid();
        let echo = cx
            .spawn(move |c| async move {
                loop {
                    let m = c.recv().await;
                    if m == Term::Int(-1) {
                        return Ok(Term::atom("done"));
                    }
                    c.send(me, m).await?;
                }
            })
            .await?;
        for i in 0..(n / 2) as i64 {
            cx.send(echo, Term::Int(i)).await?;
            cx.recv().await;
        }
        cx.send(echo, Term::Int(-1)).await?;
        Ok(Term::atom("ok"))
    })
    .unwrap();
    sim
}

/// W1: two processes on one node exchange `n` messages.
pub fn w1(t: &mut Table, n: u64) {
    let mut sim = ping_pong(n);
    // Warm the arena and queues, then count allocations over the steady state.
    let allocs0 = alloc::allocs();
    let start = Instant::now();
    let r = run(&mut sim);
    let secs = start.elapsed().as_secs_f64();
    let allocs = alloc::allocs() - allocs0;
    t.add(
        "W1 ping-pong",
        secs * 1e9 / n as f64,
        "ns/message",
        format!("{} steps, {allocs} allocations in total", r.steps),
    );
    t.add(
        "W1 allocations per message",
        allocs as f64 / n as f64,
        "allocs/message",
        "whole run, setup included",
    );
    t.fig("w1", "ns_per_op", secs * 1e9 / n as f64, "msg");
}

/// W1 at `n` messages for its recorded schedule: the packed bytes per step,
/// in all, and the heap the recorder holds (what the 10 MB bound
/// at 10^7 messages is about).
pub fn w1_schedule(t: &mut Table, n: u64) {
    let mut sim = ping_pong(n);
    let r = run(&mut sim);
    let c = &r.schedule.choices;
    let bytes_per_step = c.bytes() as f64 / r.steps.max(1) as f64;
    // The report holds a copy sized to fit; the heap the run held while
    // recording is that of a recorder fed the same picks one by one.
    let mut recorder = erpc_sim::core::Choices::new();
    for v in c.iter() {
        recorder.push(v);
    }
    let heap = recorder.heap_bytes();
    t.add(
        "W1 schedule",
        bytes_per_step,
        "bytes/step",
        format!(
            "{n} messages: {} choice points, {} steps, {} bytes packed, {heap} bytes of heap recording",
            c.len(),
            r.steps,
            c.bytes(),
        ),
    );
    t.fig(
        "schedule_bytes_per_step",
        "value",
        bytes_per_step,
        "byte/step",
    );
    t.fig("schedule_bytes_per_step", "bytes", c.bytes() as f64, "byte");
    t.fig("schedule_bytes_per_step", "heap_bytes", heap as f64, "byte");
    t.fig("schedule_bytes_per_step", "messages", n as f64, "msg");
}

/// W2: `n` processes spawned that exit at once, all awaited (monitor + DOWN).
pub fn w2(t: &mut Table, n: u64) {
    let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    sim.spawn("a@sim", move |cx| async move {
        for _ in 0..n {
            cx.spawn_monitor(|_| async move { Ok(Term::atom("x")) })
                .await?;
        }
        for _ in 0..n {
            cx.recv().await;
        }
        Ok(Term::atom("ok"))
    })
    .unwrap();
    let allocs0 = alloc::allocs();
    let start = Instant::now();
    run(&mut sim);
    let secs = start.elapsed().as_secs_f64();
    let allocs = alloc::allocs() - allocs0;
    t.add(
        "W2 spawn",
        secs * 1e9 / n as f64,
        "ns/spawn",
        "spawn_monitor + DOWN",
    );
    t.add(
        "W2 allocations per spawn",
        allocs as f64 / n as f64,
        "allocs/spawn",
        "whole run",
    );
    t.fig("w2", "ns_per_op", secs * 1e9 / n as f64, "spawn");
}

/// W3: `procs` processes in a ring pass a token `hops` times.
pub fn w3(t: &mut Table, procs: usize, hops: i64) {
    // Room for a ring beyond the default limit of 262,144 (`--ring`).
    let mut sim = Sim::builder()
        .nodes(["a@sim"])
        .process_limit("a@sim", procs.max(erpc_sim::core::DEFAULT_PROCESS_LIMIT))
        .build()
        .unwrap();
    // When the token starts (the ring is built) and when its last lap starts
    // (the one in which every process exits): the time per hop without the
    // spawns and exits, which dominate a run of a ring of 10^6.
    let laps: Rc<Cell<Option<(Instant, Instant, i64)>>> = Rc::default();
    let timed = laps.clone();
    sim.spawn("a@sim", move |cx| async move {
        let me = cx.self_pid();
        let mut next = me;
        for _ in 1..procs {
            let to = next;
            next = cx
                .spawn(move |c| async move {
                    loop {
                        let m = c.recv().await;
                        c.send(to, m.clone()).await?;
                        if m == Term::Int(0) {
                            return Ok(Term::atom("done"));
                        }
                    }
                })
                .await?;
        }
        let start = Instant::now();
        cx.send(next, Term::Int(hops)).await?;
        while let Term::Int(k) = cx.recv().await {
            if k <= 0 {
                break;
            }
            if k - (procs as i64) <= 0 {
                timed.set(Some((start, Instant::now(), hops - k + procs as i64)));
            }
            cx.send(next, Term::Int(k - procs as i64)).await?;
        }
        Ok(Term::atom("ok"))
    })
    .unwrap();
    let start = Instant::now();
    run(&mut sim);
    let secs = start.elapsed().as_secs_f64();
    t.add(
        "W3 ring",
        secs * 1e9 / hops as f64,
        "ns/hop",
        format!("{procs} processes"),
    );
    t.fig("w3", "ns_per_op", secs * 1e9 / hops as f64, "hop");
    if let Some((start, end, passed)) = laps.get().filter(|l| l.2 > 0) {
        let passing = (end - start).as_secs_f64() * 1e9 / passed as f64;
        t.add(
            "W3 token passing only",
            passing,
            "ns/hop",
            format!("{procs} processes, all laps but the last (no spawns, no exits)"),
        );
        t.fig("w3", "hop_ns_per_op", passing, "hop");
    }
}

/// W6: `n` processes blocked in receive: bytes per process.
pub fn w6(t: &mut Table, n: usize) {
    let before = alloc::live();
    let mut sim = Sim::builder()
        .nodes(["a@sim"])
        .process_limit("a@sim", n + 1)
        .build()
        .unwrap();
    let start = Instant::now();
    for _ in 0..n {
        sim.spawn_background("a@sim", |cx| async move {
            cx.recv().await;
            Ok(Term::atom("x"))
        })
        .unwrap();
    }
    sim.run();
    let secs = start.elapsed().as_secs_f64();
    let bytes = alloc::live().saturating_sub(before);
    t.add(
        "W6 idle process",
        bytes as f64 / n as f64,
        "bytes/process",
        format!("{n} blocked in receive"),
    );
    t.fig("w6", "ns_per_op", secs * 1e9 / n as f64, "process");
    t.fig("w6", "bytes_per_op", bytes as f64 / n as f64, "process");
    t.add(
        "W6 peak RSS",
        alloc::peak_rss_bytes() as f64 / (1024.0 * 1024.0),
        "MiB",
        format!(
            "whole bench process so far; peak heap {} MiB",
            alloc::peak() / (1024 * 1024)
        ),
    );
    drop(sim);
}
