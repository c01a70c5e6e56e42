//! Behaviour tests: one test per rule of `docs/semantics.md` ("Processes and
//! signals", "Monitors", "Ordering", "Receive and time"), each named after the
//! rule it proves, written against the public API only.

mod bifs;
mod cross_node;
mod determinism;
mod end_of_run;
mod exits;
mod mailbox;
mod misuse;
mod monitors;
mod ordering;
mod signals;
mod time;

use erpc_sim::prelude::*;
use std::future::Future;

/// The nodes every test uses.
pub const A: &str = "a@sim";
/// The second node.
pub const B: &str = "b@sim";
/// The third node.
pub const C: &str = "c@sim";

/// Runs `body` as the one foreground process on `a@sim` of a simulation of
/// `a@sim`, `b@sim` and `c@sim` under `seed`; returns the report.
pub fn run_on_a<F, Fut>(seed: u64, body: F) -> RunReport
where
    F: FnOnce(Cx) -> Fut + 'static,
    Fut: Future<Output = Result<Term, Exception>> + 'static,
{
    let mut sim = Sim::builder()
        .seed(seed)
        .nodes([A, B, C])
        .build()
        .expect("three nodes");
    sim.spawn(A, body).expect("spawn on a@sim");
    sim.run()
}

/// What the first foreground process returned; panics with the report if the
/// run failed.
pub fn value(report: &RunReport) -> Term {
    report.assert_ok();
    report.value(0).cloned().expect("the body returned")
}

/// Every message that arrives within `ms` of the previous one.
pub async fn flush(cx: &Cx, ms: u64) -> Vec<Term> {
    let mut got = Vec::new();
    while let Some(m) = cx.receive_timeout(|_| true, Timeout::ms(ms)).await {
        got.push(m);
    }
    got
}

/// `{'EXIT', From, Reason}`.
pub fn exit_msg(from: Pid, reason: Term) -> Term {
    tuple![atom!("EXIT"), from, reason]
}

/// `{'DOWN', Ref, process, Object, Reason}`.
pub fn down_msg(r: Ref, object: impl Into<Term>, reason: Term) -> Term {
    tuple![atom!("DOWN"), r, atom!("process"), object.into(), reason]
}

/// A process body that waits forever.
pub async fn forever(cx: Cx) -> Result<Term, Exception> {
    cx.sleep(Time::MAX).await;
    Ok(atom!("ok"))
}
