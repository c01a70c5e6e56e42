//! Exhaustive exploration speed: interleavings per second of a program of
//! two processes with 8 steps each, every step but the last unregistering
//! one shared name that nobody holds (a write of the name, refused with
//! `badarg`: so those steps are all dependent and DPOR explores every order
//! of them: C(14, 7) = 3432 interleavings).
//!
//! `cargo bench --bench dpor` runs it 3 times and reports the best;
//! without `--bench` in the arguments (as `cargo test --all-targets` runs
//! it) a smaller program checks that the bench works.

// Benchmarks measure wall-clock time by design; simulations never see it.
#![allow(clippy::disallowed_methods)]

use erpc_sim::prelude::*;
use std::time::Instant;

/// Two processes of `k + 1` steps: `k` steps that each unregister the
/// shared name (and are refused), then the return.
fn program(k: usize) -> impl Fn(SimBuilder) -> Sim + Sync {
    move |b: SimBuilder| {
        let mut sim = b.nodes(["a@sim"]).build().expect("one node");
        for _ in 0..2 {
            sim.spawn("a@sim", move |cx| async move {
                for _ in 0..k {
                    let refused = cx.unregister("shared").await.is_err();
                    cx.check(refused, "nobody holds the name")?;
                }
                Ok(atom!("ok"))
            })
            .expect("spawn");
        }
        sim
    }
}

/// Nanoseconds this thread has run on a CPU (Linux), to tell the bench's
/// own speed apart from a busy machine's.
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn binomial(n: u64, k: u64) -> u64 {
    (1..=k).fold(1, |acc, i| acc * (n + 1 - i) / i)
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (k, rounds) = if full { (7, 3) } else { (3, 1) };
    let ex = Explorer::new("dpor-bench").quiet(true).write_files(false);
    let mut best = f64::INFINITY;
    let mut best_cpu = f64::INFINITY;
    let mut n = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        let c = cpu_ns();
        let r = ex.exhaustive(program(k));
        best = best.min(t.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (c, cpu_ns()) {
            best_cpu = best_cpu.min(b.saturating_sub(a) as f64 / 1e9);
        }
        assert!(r.complete && r.failure.is_none(), "{r}");
        n = r.interleavings;
    }
    let want = binomial(2 * k as u64, k as u64);
    assert_eq!(n, want, "every order of the dependent steps, once");
    println!(
        "dpor: 2 processes x {} steps: {n} interleavings in {:.3} s: {:.0} interleavings/s",
        k + 1,
        best,
        n as f64 / best
    );
    if best_cpu.is_finite() && best_cpu > 0.0 {
        println!(
            "dpor: on-CPU time {:.3} s: {:.0} interleavings per CPU-second",
            best_cpu,
            n as f64 / best_cpu
        );
    }
}
