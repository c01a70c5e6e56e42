//! sim-erpc's tests against the public API: `behaviour` (one test per rule, in the
//! style of OTP's `erpc_SUITE`) and `otp_edges` (behaviours outside the recorded
//! corpus, checked against `erpc.erl`). Every test runs its caller on `a@sim` and ends
//! by asserting that the caller's mailbox is empty (no stray replies).

mod behaviour;
mod otp_edges;

use sim_core::{Cx, Exception as CoreException, SimBuilder, Term};
use sim_erpc::{ErpcError, Exception};
use std::future::Future;

/// The caller's node.
pub const A: &str = "a@sim";
/// A second node.
pub const B: &str = "b@sim";
/// A third node.
pub const C: &str = "c@sim";
/// A fourth node.
pub const D: &str = "d@sim";

/// Runs `body` on `A` and checks that it succeeded and that the caller's
/// mailbox is empty at the end.
pub fn check<F, Fut>(b: SimBuilder, body: F)
where
    F: FnOnce(Cx) -> Fut + 'static,
    Fut: Future<Output = Result<(), CoreException>> + 'static,
{
    let mut sim = b.build().expect("the simulation builds");
    sim.spawn(A, move |cx| async move {
        body(cx.clone()).await?;
        cx.check(cx.mailbox().is_empty(), "the caller's mailbox is empty")?;
        Ok(Term::atom("passed"))
    })
    .expect("spawn the caller");
    let report = sim.run();
    report.assert_ok();
    assert_eq!(report.value(0), Some(&Term::atom("passed")), "{report}");
}

/// The erpc error of a failed call, if it is one.
pub fn erpc_err(r: &Result<Term, Exception>) -> Option<ErpcError> {
    r.as_ref().err().and_then(Exception::erpc_error)
}
