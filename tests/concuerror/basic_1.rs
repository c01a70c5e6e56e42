//! `tests/suites/basic_tests/src`, from `after_test_2.erl` to
//! `load_before_start.erl`. The expected outcomes of each case are those its
//! result file (`tests/suites/basic_tests/results/<program>-<entry>-inf-dpor.txt`)
//! lists; the counts are from `/work/shared/dpor/concuerror-cases.txt`.

use crate::{single, Case};
use erpc_sim::prelude::*;

/// A receive with no clauses and no timeout: blocked for good.
async fn block(cx: &Cx) {
    cx.receive(|_| false).await;
}

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            program: concat!("tests/suites/basic_tests/src/", "after_test_2.erl"),
            entry: "after_test_2",
            errors_expected: 2,
            explored_expected: 2,
            // after_test_2-after_test_2-inf-dpor.txt: both interleavings end
            // with P blocked at its last receive.
            listed: &["P blocked"],
            build: |b| single(b, after_test_2),
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "after_vs_trap_exit.erl"),
            entry: "after_vs_trap_exit",
            errors_expected: 4,
            explored_expected: 4,
            // after_vs_trap_exit-after_vs_trap_exit-inf-dpor.txt: P.1 is
            // always blocked; in one interleaving P.2 also receives P's
            // `{'EXIT', P, normal}` and throws it.
            listed: &[
                "P.1 blocked",
                "P.1 blocked; P.2 exits {nocatch,{'EXIT',P,normal}}",
            ],
            build: |b| single(b, after_vs_trap_exit),
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "exit.erl"),
            entry: "test1",
            errors_expected: 1,
            explored_expected: 2,
            // exit-test1-inf-dpor.txt: the `normal` signal arrives before
            // P.1 traps exits, so it is ignored and P.1 waits for good.
            listed: &["P.1 blocked"],
            build: |b| single(b, |cx| exit_test(cx, true, "normal")),
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "exit.erl"),
            entry: "test2",
            errors_expected: 1,
            explored_expected: 2,
            // exit-test2-inf-dpor.txt: `foo` arrives before P.1 traps exits.
            listed: &["P.1 exits foo"],
            build: |b| single(b, |cx| exit_test(cx, true, "foo")),
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "exit.erl"),
            entry: "test4",
            errors_expected: 1,
            explored_expected: 1,
            // exit-test4-inf-dpor.txt: a `normal` signal to a process that
            // does not trap exits is ignored.
            listed: &["P.1 blocked"],
            build: |b| single(b, |cx| exit_test(cx, false, "normal")),
        },
    ]
}

async fn after_test_2(cx: Cx) -> Result<Term, Exception> {
    let parent = cx.self_pid();
    cx.spawn(move |c| async move {
        c.send(parent, atom!("one")).await?;
        Ok(atom!("ok"))
    })
    .await?;
    if let Some(m) = cx
        .receive_timeout(|m| m.is_atom("two"), Timeout::ms(0))
        .await
    {
        return Err(Exception::throw(m));
    }
    cx.receive_timeout(|m| m.is_atom("one"), Timeout::ms(0))
        .await;
    cx.receive(|m| m.is_atom("deadlock")).await;
    Ok(atom!("ok"))
}

async fn after_vs_trap_exit(cx: Cx) -> Result<Term, Exception> {
    let p1 = cx.self_pid();
    cx.spawn_link(move |c| async move {
        c.trap_exit(true);
        c.send(p1, atom!("ok")).await?;
        block(&c).await;
        Ok(atom!("block"))
    })
    .await?;
    cx.receive(|m| m.is_atom("ok")).await;
    let p3 = cx
        .spawn(|c| async move {
            c.trap_exit(true);
            match c.receive_timeout(|_| true, Timeout::ms(0)).await {
                Some(m) => Err(Exception::throw(m)),
                None => Ok(atom!("ok")),
            }
        })
        .await?;
    // `catch link(P3)`: a `noproc` is caught.
    let _ = cx.link(p3).await;
    Ok(atom!("ok"))
}

/// `exit.erl`'s `test1`, `test2` (P.1 traps exits, takes any message) and
/// `test4` (P.1 does not, and waits for `infinity`).
async fn exit_test(cx: Cx, trap: bool, reason: &'static str) -> Result<Term, Exception> {
    let pid = cx
        .spawn(move |c| async move {
            if trap {
                c.trap_exit(true);
                c.recv().await;
            } else {
                c.receive(|m| m.is_atom("infinity")).await;
            }
            Ok(atom!("ok"))
        })
        .await?;
    cx.exit(pid, Atom::new(reason)).await;
    Ok(atom!("true"))
}
