//! sim-erpc throughput, in one simulation per workload (zero network latency):
//! `erpc:call` to another node, `send_request` + `receive_response`, and
//! `multicall` to three nodes.
//!
//! `cargo bench --bench erpc` runs the full sizes and writes
//! `target/bench/erpc.json`; without `--bench` in the arguments (as
//! `cargo test --all-targets` runs it) a tiny pass checks the workloads work.

// Benchmarks measure wall-clock time by design; simulations never see it.
#![allow(clippy::disallowed_methods)]

use erpc_sim::prelude::*;
use std::fmt::Write as _;
use std::time::Instant;

struct Row {
    workload: &'static str,
    figure: f64,
    unit: &'static str,
}

/// Runs `body` on `a@sim` of a zero-latency simulation of `nodes`; returns
/// the wall-clock seconds of the run.
fn time_run<F, Fut>(nodes: &[&'static str], body: F) -> f64
where
    F: FnOnce(Cx) -> Fut + 'static,
    Fut: std::future::Future<Output = Result<Term, Exception>> + 'static,
{
    let mut sim = Sim::builder()
        .nodes(nodes.iter().copied())
        .latency(Time::ZERO, Time::ZERO)
        .max_steps(u64::MAX)
        .build()
        .expect("the bench topology builds");
    sim.spawn(nodes[0], body).expect("spawn the caller");
    let start = Instant::now();
    let report = sim.run();
    let secs = start.elapsed().as_secs_f64();
    report.assert_ok();
    assert_eq!(report.value(0), Some(&atom!("done")), "{report}");
    secs
}

fn call(n: u64) -> Row {
    let secs = time_run(&["a@sim", "b@sim"], move |cx| async move {
        for _ in 0..n {
            erpc::call(&cx, "b@sim", "erlang", "node", args![], Timeout::Infinity).await?;
        }
        Ok(atom!("done"))
    });
    Row {
        workload: "erpc call to another node",
        figure: n as f64 / secs,
        unit: "calls/s",
    }
}

fn send_receive(n: u64) -> Row {
    let secs = time_run(&["a@sim", "b@sim"], move |cx| async move {
        for _ in 0..n {
            let id = erpc::send_request(&cx, "b@sim", "erlang", "node", args![]).await;
            erpc::receive_response(&cx, id, Timeout::Infinity).await?;
        }
        Ok(atom!("done"))
    });
    Row {
        workload: "erpc send_request+receive_response",
        figure: n as f64 / secs,
        unit: "requests/s",
    }
}

fn multicall(n: u64) -> Row {
    let nodes = ["a@sim", "b@sim", "c@sim", "d@sim"];
    let secs = time_run(&nodes, move |cx| async move {
        for _ in 0..n {
            let all = erpc::multicall(
                &cx,
                &nodes[1..],
                "erlang",
                "node",
                args![],
                Timeout::Infinity,
            )
            .await?;
            if all.iter().any(Result::is_err) {
                return Err(Exception::error(atom!("multicall_failed")));
            }
        }
        Ok(atom!("done"))
    });
    Row {
        workload: "erpc multicall to 3 nodes",
        figure: n as f64 / secs,
        unit: "multicalls/s",
    }
}

fn json(rows: &[Row]) -> String {
    let mut s = String::from("[\n");
    for (i, r) in rows.iter().enumerate() {
        let sep = if i + 1 < rows.len() { "," } else { "" };
        let _ = writeln!(
            s,
            "  {{\"workload\": {:?}, \"figure\": {:.1}, \"unit\": {:?}}}{sep}",
            r.workload, r.figure, r.unit
        );
    }
    s.push_str("]\n");
    s
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let n = if full { 100_000 } else { 100 };
    let rows = [call(n), send_receive(n), multicall(n / 3)];
    for r in &rows {
        println!("{} | {:.0} | {}", r.workload, r.figure, r.unit);
    }
    if full {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
        match std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(dir.join("erpc.json"), json(&rows)))
        {
            Ok(()) => println!("wrote {}", dir.join("erpc.json").display()),
            Err(e) => eprintln!("could not write {}: {e}", dir.display()),
        }
    }
}
