//! `tests/suites/basic_tests/src`, from `many_links.erl` to
//! `receive_with_guard.erl`. The expected outcomes of each case are those its
//! result file (`tests/suites/basic_tests/results/<program>-<entry>-inf-dpor.txt`)
//! lists; the counts are from `/work/shared/dpor/concuerror-cases.txt`.

use crate::{single, Case};
use erpc_sim::prelude::*;

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            program: concat!("tests/suites/basic_tests/src/", "many_links.erl"),
            entry: "many_links",
            errors_expected: 4,
            explored_expected: 4,
            // many_links-many_links-inf-dpor.txt: P always ends blocked.
            listed: &["P blocked"],
            build: |b| single(b, many_links),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "many_monitors.erl"),
            entry: "many_monitors",
            errors_expected: 4,
            explored_expected: 4,
            // many_monitors-many_monitors-inf-dpor.txt.
            listed: &["P blocked"],
            build: |b| single(b, many_monitors),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "many_send_to_dead_2.erl"),
            entry: "many_send_to_dead_2",
            errors_expected: 7,
            explored_expected: 7,
            // many_send_to_dead_2-many_send_to_dead_2-inf-dpor.txt.
            listed: &["P blocked"],
            build: |b| single(b, many_send_to_dead_2),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "messed_deliveries.erl"),
            entry: "test",
            errors_expected: 0,
            explored_expected: 2,
            // messed_deliveries-test-inf-dpor.txt: no errors.
            listed: &[],
            build: |b| single(b, messed_deliveries),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "monitor_demonitor.erl"),
            entry: "monitor_demonitor",
            errors_expected: 3,
            explored_expected: 4,
            // monitor_demonitor-monitor_demonitor-inf-dpor.txt: P.2 monitors
            // too late and gets `noproc`, or P.4's `'DOWN'` comes before its
            // demonitor, or both.
            listed: &["P.4 blocked", "P.2 blocked", "P.2 blocked; P.4 blocked"],
            build: |b| single(b, monitor_demonitor),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "monitor_failure.erl"),
            entry: "monitor_failure",
            errors_expected: 1,
            explored_expected: 1,
            // monitor_failure-monitor_failure-inf-dpor.txt (the file's
            // reason also names the `erlang:monitor/2` frame).
            listed: &["P exits badarg"],
            build: |b| single(b, monitor_failure),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "normal_exit.erl"),
            entry: "normal_exit",
            errors_expected: 0,
            explored_expected: 1,
            // normal_exit-normal_exit-inf-dpor.txt: no errors.
            listed: &[],
            build: |b| {
                single(
                    b,
                    |_cx| async move { Err(Exception::exit(atom!("normal"))) },
                )
            },
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "process_flag_link.erl"),
            entry: "process_flag_link",
            errors_expected: 1,
            explored_expected: 2,
            // process_flag_link-process_flag_link-inf-dpor.txt: the linker's
            // `'EXIT'` comes first and `message = M1` fails.
            listed: &["P exits {badmatch,{'EXIT',P.2,normal}}"],
            build: |b| single(b, process_flag_link),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "receive_and_after.erl"),
            entry: "receive_and_after",
            errors_expected: 2,
            explored_expected: 2,
            // receive_and_after-receive_and_after-inf-dpor.txt: the message
            // or the timeout, each a throw.
            listed: &["P.1 exits {nocatch,kaboom}", "P.1 exits {nocatch,boom}"],
            build: |b| single(b, receive_and_after),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "receive_with_guard.erl"),
            entry: "receive_with_guard",
            errors_expected: 1,
            explored_expected: 1,
            // receive_with_guard-receive_with_guard-inf-dpor.txt: `10` is
            // not an atom, so P.1 waits for good.
            listed: &["P.1 blocked"],
            build: |b| single(b, receive_with_guard),
            beyond: None,
        },
    ]
}

async fn done(_cx: Cx) -> Result<Term, Exception> {
    Ok(atom!("ok"))
}

/// `receive after infinity -> ok end`.
async fn block(cx: &Cx) {
    cx.receive_matching(&Matcher::new(|_| false)).await;
}

async fn many_links(cx: Cx) -> Result<Term, Exception> {
    cx.trap_exit(true);
    let p1 = cx.spawn(done).await?;
    let p2 = cx.spawn(done).await?;
    // Trapping, a link to a process already gone is an `'EXIT'` message.
    cx.link(p1).await?;
    cx.link(p2).await?;
    block(&cx).await;
    Ok(atom!("ok"))
}

async fn many_monitors(cx: Cx) -> Result<Term, Exception> {
    let p1 = cx.spawn(done).await?;
    let p2 = cx.spawn(done).await?;
    cx.monitor(p1).await;
    cx.monitor(p2).await;
    block(&cx).await;
    Ok(atom!("ok"))
}

async fn many_send_to_dead_2(cx: Cx) -> Result<Term, Exception> {
    let pid = cx
        .spawn(|c| async move {
            c.receive_matching_timeout(&Matcher::any(), Timeout::ms(0))
                .await;
            c.receive_matching_timeout(&Matcher::any(), Timeout::ms(0))
                .await;
            Ok(atom!("ok"))
        })
        .await?;
    for msg in ["msg1", "msg2"] {
        cx.spawn(move |c| async move {
            c.send(pid, atom!(msg)).await?;
            Ok(atom!("ok"))
        })
        .await?;
    }
    block(&cx).await;
    Ok(atom!("deadlock"))
}

async fn messed_deliveries(cx: Cx) -> Result<Term, Exception> {
    let p = cx.self_pid();
    cx.trap_exit(true);
    let q = cx
        .spawn(|c| async move {
            c.receive_matching_timeout(&Matcher::any(), Timeout::ms(0))
                .await;
            Ok(atom!("ok"))
        })
        .await?;
    for _ in 0..2 {
        cx.spawn(move |c| async move {
            c.exit(p, atom!("die")).await;
            Ok(atom!("true"))
        })
        .await?;
    }
    cx.send(q, atom!("ok")).await?;
    Ok(atom!("ok"))
}

/// `{'DOWN', Ref, process, Pid, normal}`.
fn is_down_normal(m: &Term, r: Ref, pid: Pid) -> bool {
    *m == tuple![atom!("DOWN"), r, atom!("process"), pid, atom!("normal")]
}

async fn wait_ok(c: Cx) -> Result<Term, Exception> {
    c.receive_matching(&Matcher::new(|m| m.is_atom("ok"))).await;
    Ok(atom!("ok"))
}

async fn monitor_demonitor(cx: Cx) -> Result<Term, Exception> {
    let pid1 = cx.spawn(wait_ok).await?;
    cx.spawn(move |c| async move {
        c.send(pid1, atom!("ok")).await?;
        let r = c.monitor(pid1).await;
        c.receive_matching(&Matcher::new(move |m| is_down_normal(m, r, pid1)))
            .await;
        Ok(atom!("ok"))
    })
    .await?;
    let pid3 = cx.spawn(wait_ok).await?;
    cx.spawn(move |c| async move {
        let r = c.monitor(pid3).await;
        c.send(pid3, atom!("ok")).await?;
        c.demonitor(r).await;
        let down = c
            .receive_matching_timeout(
                &Matcher::new(move |m| is_down_normal(m, r, pid3)),
                Timeout::ms(0),
            )
            .await;
        if down.is_some() {
            c.receive_matching(&Matcher::new(|m| m.is_atom("deadlock")))
                .await;
        }
        Ok(atom!("ok"))
    })
    .await?;
    Ok(atom!("ok"))
}

/// `monitor(process, 1)`, through the BIF as a term call (`Cx::monitor`
/// takes only a pid).
async fn monitor_failure(cx: Cx) -> Result<Term, Exception> {
    let args = vec![atom!("process"), Term::Int(1)];
    cx.apply(Atom::new("erlang"), Atom::new("monitor"), args)
        .await
}

async fn process_flag_link(cx: Cx) -> Result<Term, Exception> {
    let p = cx.self_pid();
    cx.trap_exit(true);
    cx.spawn(move |c| async move {
        c.send(p, atom!("message")).await?;
        Ok(atom!("ok"))
    })
    .await?;
    cx.spawn(move |c| async move {
        c.link(p).await?;
        Ok(atom!("true"))
    })
    .await?;
    let m1 = cx.recv().await;
    cx.recv().await;
    if !m1.is_atom("message") {
        return Err(Exception::error(tuple![atom!("badmatch"), m1]));
    }
    Ok(m1)
}

async fn receive_and_after(cx: Cx) -> Result<Term, Exception> {
    let p1 = cx
        .spawn(|c| async move {
            match c
                .receive_matching_timeout(&Matcher::new(|m| m.is_atom("enable")), Timeout::ms(10))
                .await
            {
                Some(_) => Err(Exception::throw(atom!("kaboom"))),
                None => Err(Exception::throw(atom!("boom"))),
            }
        })
        .await?;
    cx.send(p1, atom!("enable")).await?;
    Ok(atom!("enable"))
}

async fn receive_with_guard(cx: Cx) -> Result<Term, Exception> {
    let p1 = cx
        .spawn(|c| async move {
            c.receive_matching(&Matcher::new(|m| matches!(m, Term::Atom(_))))
                .await;
            Ok(atom!("ok"))
        })
        .await?;
    cx.send(p1, Term::Int(10)).await?;
    Ok(Term::Int(10))
}
