//! A planted bug: a monitor race at node crash, giving at-least-once execution.
//!
//! A coordinator on a@sim runs a job on a worker spawned on b@sim, monitors it,
//! and waits for `{result, R}` or the `'DOWN'`. On `'DOWN'` it assumes the job
//! did not happen and runs it again on c@sim. The worker charges a ledger on
//! a@sim (and waits for the ledger's ack) before replying. When b@sim crashes
//! after the charge but before the result crosses back, the result is lost with
//! the connection, the `'DOWN'` says `noconnection`, and the job is charged
//! twice. The crash time comes from the seed; most runs never hit the window.
//!
//! `cargo run --example monitor_race` explores and finds it.

use erpc_sim::prelude::*;

/// The ledger; with `idempotent`, charging a job it has charged already
/// changes nothing (the fix: a retried job is charged once).
async fn ledger(cx: Cx, idempotent: bool) -> Result<Term, Exception> {
    cx.register("ledger", cx.self_pid()).await?;
    let mut charges: Vec<Term> = Vec::new();
    loop {
        let m = cx.recv().await;
        match m.as_tuple() {
            Some([tag, Term::Pid(from), job]) if tag.is_atom("charge") => {
                if !(idempotent && charges.contains(job)) {
                    charges.push(job.clone());
                }
                cx.send(*from, tuple![atom!("charged"), job.clone()])
                    .await?;
            }
            Some([tag, Term::Pid(from)]) if tag.is_atom("count") => {
                cx.send(*from, tuple![atom!("count"), charges.len() as i64])
                    .await?;
            }
            _ => {}
        }
    }
}

async fn worker(cx: Cx, coordinator: Pid, job: Term) -> Result<Term, Exception> {
    cx.send(
        ("ledger", "a@sim"),
        tuple![atom!("charge"), cx.self_pid(), job.clone()],
    )
    .await?;
    cx.receive(|m| matches!(m.as_tuple(), Some([t, _]) if t.is_atom("charged")))
        .await;
    cx.send(coordinator, tuple![atom!("result"), job]).await?;
    Ok(atom!("done"))
}

/// Runs `job` on `node`; `Some(result)` or `None` when the worker went down.
async fn run_on(cx: &Cx, node: &str, job: Term) -> Result<Option<Term>, Exception> {
    let me = cx.self_pid();
    let (_pid, mref) = cx
        .spawn_monitor_on(node, move |c| worker(c, me, job))
        .await?;
    let m = cx
        .receive(move |m| match m.as_tuple() {
            Some([t, _]) => t.is_atom("result"),
            Some([t, Term::Ref(r), ..]) => t.is_atom("DOWN") && *r == mref,
            _ => false,
        })
        .await;
    match m.as_tuple() {
        Some([t, r]) if t.is_atom("result") => {
            cx.demonitor_flush(mref).await;
            Ok(Some(r.clone()))
        }
        _ => Ok(None),
    }
}

async fn coordinator(cx: Cx) -> Result<Term, Exception> {
    let job = atom!("invoice_42");
    if run_on(&cx, "b@sim", job.clone()).await?.is_none() {
        // The bug: a DOWN does not mean the job did not run.
        run_on(&cx, "c@sim", job).await?;
    }
    let r = cx.make_ref_marked();
    let _ = r;
    cx.send(("ledger", "a@sim"), tuple![atom!("count"), cx.self_pid()])
        .await?;
    let m = cx
        .receive(|m| matches!(m.as_tuple(), Some([t, _]) if t.is_atom("count")))
        .await;
    let charged = m.as_tuple().and_then(|t| t[1].as_int()).unwrap_or(-1);
    cx.check(charged == 1, format!("the job was charged {charged} times"))?;
    Ok(atom!("ok"))
}

/// The program: ledger on a, workers on b or c, b crashes at a seeded time.
pub fn program(b: SimBuilder) -> Sim {
    let mut sim = nodes(b, false);
    let mut rng = erpc_sim::core::SimRng::new(sim.seed(), 91);
    let crash_at = Time::us(rng.below(60_000));
    sim.at(crash_at, |c: &mut Control<'_>| {
        if let Some(b) = c.node_id("b@sim") {
            c.crash(b, "crash b@sim");
        }
    })
    .unwrap();
    sim.spawn("a@sim", coordinator).expect("a@sim exists");
    sim
}

/// The program without the crash, for an exhaustive exploration to place
/// it (`may_crash("b@sim")`); `idempotent` is the fixed ledger.
#[allow(dead_code)] // used by the exhaustive tests, not by `main`
pub fn workload(b: SimBuilder, idempotent: bool) -> Sim {
    let mut sim = nodes(b, idempotent);
    sim.spawn("a@sim", coordinator).expect("a@sim exists");
    sim
}

fn nodes(b: SimBuilder, idempotent: bool) -> Sim {
    b.nodes(["a@sim", "b@sim", "c@sim"])
        .boot("a@sim", move |cx| ledger(cx, idempotent))
        .build()
        .expect("valid nodes")
}

#[allow(dead_code)] // the bug tests include this file for `program`
fn main() {
    // The explorer prints the failure report (seed, shrunk schedule, replay
    // file, picture) itself.
    let result = Explorer::new("monitor_race").iterations(5_000).run(program);
    if result.failure.is_none() {
        println!("{result}");
    }
}
