//! `tests/suites/basic_tests/src`, from `register_link.erl` to
//! `trace_the_sender.erl`. The expected outcomes of each case are those its
//! result file (`tests/suites/basic_tests/results/<program>-<entry>-inf-<mode>.txt`)
//! lists; the counts are from `/work/shared/dpor/concuerror-cases.txt`.

use crate::{single, Case};
use erpc_sim::prelude::*;

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            program: concat!("tests/suites/basic_tests/src/", "register_link.erl"),
            entry: "test",
            errors_expected: 0,
            explored_expected: 2,
            // register_link-test-inf-optimal.txt: no errors.
            listed: &[],
            build: |b| single(b, register_link),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "registered_1.erl"),
            entry: "registered_1",
            errors_expected: 1,
            explored_expected: 2,
            // registered_1-registered_1-inf-dpor.txt: P.1 registers `parent`
            // while P still holds it.
            listed: &["P.1 exits badarg"],
            build: |b| single(b, registered_1),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "registered_send_1.erl"),
            entry: "registered_send_1",
            errors_expected: 1,
            explored_expected: 2,
            // registered_send_1-registered_send_1-inf-dpor.txt: P sends to
            // `child` before the child registered; the child then waits.
            listed: &["P exits badarg; P.1 blocked"],
            build: |b| single(b, registered_send_1),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "registered_send_2.erl"),
            entry: "registered_send_2",
            errors_expected: 1,
            explored_expected: 2,
            // registered_send_2-registered_send_2-inf-dpor.txt: the child
            // has already exited when P registers it.
            listed: &["P exits badarg"],
            build: |b| single(b, registered_send_2),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "report_blocks.erl"),
            entry: "test",
            errors_expected: 1,
            explored_expected: 1,
            // report_blocks-test-inf-dpor.txt.
            listed: &["P blocked"],
            build: |b| single(b, report_blocks),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "safeops_coverage.erl"),
            entry: "test",
            errors_expected: 0,
            explored_expected: 1,
            // safeops_coverage-test-inf-optimal.txt: no errors.
            listed: &[],
            build: |b| single(b, safeops_coverage),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "simple_spawn.erl"),
            entry: "simple_spawn",
            errors_expected: 0,
            explored_expected: 1,
            // simple_spawn-simple_spawn-inf-dpor.txt: no errors.
            listed: &[],
            build: |b| {
                single(b, |cx| async move {
                    Ok(Term::Pid(cx.spawn(done).await?))
                })
            },
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "spawn_and_send.erl"),
            entry: "spawn_and_send",
            errors_expected: 0,
            explored_expected: 1,
            // spawn_and_send-spawn_and_send-inf-dpor.txt: no errors.
            listed: &[],
            build: |b| {
                single(b, |cx| async move {
                    let p = cx.spawn(done).await?;
                    cx.send(p, atom!("ok")).await?;
                    Ok(atom!("ok"))
                })
            },
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "spawn_failure.erl"),
            entry: "spawn_failure",
            errors_expected: 1,
            explored_expected: 1,
            // spawn_failure-spawn_failure-inf-dpor.txt (the file's reason
            // also names the `erlang:spawn/1` frame).
            listed: &["P exits badarg"],
            build: |b| {
                single(b, |cx| async move {
                    let spawn = Atom::new("spawn");
                    cx.apply(Atom::new("erlang"), spawn, vec![Term::Int(2)])
                        .await
                })
            },
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "spawn_monitor_test.erl"),
            entry: "spawn_monitor_test",
            errors_expected: 1,
            explored_expected: 2,
            // spawn_monitor_test-spawn_monitor_test-inf-dpor.txt: the
            // `'DOWN'` is in before the demonitor and the assertion fails.
            listed: &["P exits {assertEqual,[{module,spawn_monitor_test},{line,17},{expression,\"Result\"},{expected,result2},{value,result1}]}"],
            build: |b| single(b, spawn_monitor_test),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "spawned_senders.erl"),
            entry: "spawned_senders",
            errors_expected: 0,
            explored_expected: 2,
            // spawned_senders-spawned_senders-inf-dpor.txt: no errors.
            listed: &[],
            build: |b| single(b, spawned_senders),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "trace_the_sender.erl"),
            entry: "trace_the_sender",
            errors_expected: 0,
            explored_expected: 2,
            // trace_the_sender-trace_the_sender-inf-dpor.txt: no errors.
            listed: &[],
            build: |b| single(b, trace_the_sender),
            beyond: None,
        },
    ]
}

async fn done(_cx: Cx) -> Result<Term, Exception> {
    Ok(atom!("ok"))
}

async fn register_link(cx: Cx) -> Result<Term, Exception> {
    let p = cx
        .spawn(|c| async move {
            c.receive_matching(&Matcher::new(|m| m.is_atom("ok"))).await;
            Ok(atom!("ok"))
        })
        .await?;
    cx.spawn_monitor(move |c| async move {
        c.register("foo", p).await?;
        Ok(atom!("true"))
    })
    .await?;
    cx.spawn_monitor(move |c| async move {
        c.link(p).await?;
        Ok(atom!("true"))
    })
    .await?;
    cx.recv().await;
    cx.recv().await;
    cx.send(p, atom!("ok")).await?;
    Ok(atom!("ok"))
}

async fn registered_1(cx: Cx) -> Result<Term, Exception> {
    cx.register("parent", cx.self_pid()).await?;
    let pid = cx
        .spawn(|c| async move {
            c.receive_matching(&Matcher::new(|m| m.is_atom("go"))).await;
            c.register("parent", c.self_pid()).await?;
            Ok(atom!("true"))
        })
        .await?;
    cx.send(pid, atom!("go")).await?;
    Ok(atom!("go"))
}

async fn registered_send_1(cx: Cx) -> Result<Term, Exception> {
    let parent = cx.self_pid();
    cx.spawn(move |c| async move {
        c.send(parent, atom!("ok")).await?;
        c.register("child", c.self_pid()).await?;
        c.receive_matching(&Matcher::new(|m| m.is_atom("ok"))).await;
        Ok(atom!("ok"))
    })
    .await?;
    cx.receive_matching(&Matcher::new(|m| m.is_atom("ok")))
        .await;
    cx.send("child", atom!("ok")).await?;
    Ok(atom!("ok"))
}

async fn registered_send_2(cx: Cx) -> Result<Term, Exception> {
    let pid = cx.spawn(done).await?;
    cx.register("child", pid).await?;
    Ok(atom!("true"))
}

async fn report_blocks(cx: Cx) -> Result<Term, Exception> {
    let parent = cx.self_pid();
    cx.spawn(move |c| async move {
        c.send(parent, atom!("ok")).await?;
        Ok(atom!("ok"))
    })
    .await?;
    cx.receive_matching(&Matcher::new(|m| m.is_atom("ok")))
        .await;
    cx.receive_matching(&Matcher::new(|_| false)).await;
    Ok(atom!("deadlock"))
}

/// `Pattern = Value`: `badmatch` unless they are equal.
fn matches(pattern: Term, value: Term) -> Result<(), Exception> {
    if pattern == value {
        Ok(())
    } else {
        Err(Exception::error(tuple![atom!("badmatch"), value]))
    }
}

/// The side-effect-free BIFs of `safeops_coverage.erl` whose results it
/// matches, computed on terms (`adler32`, `crc32`, `decode_packet`,
/// `external_size`, `garbage_collect`, `bump_reductions` and `is_builtin`
/// have no counterpart here and nothing in the program depends on them).
async fn safeops_coverage(_cx: Cx) -> Result<Term, Exception> {
    let int = |v: &[i64]| Term::List(v.iter().map(|&i| Term::Int(i)).collect());
    let mut appended = vec![Term::Int(1), Term::Int(2)];
    appended.extend([Term::Int(3), Term::Int(4)]);
    matches(int(&[1, 2, 3, 4]), Term::List(appended))?;
    let deleted = tuple![atom!("c")];
    matches(tuple![atom!("c")], deleted)?;
    matches(
        tuple![atom!("b"), atom!("c")],
        tuple![atom!("b"), atom!("c")],
    )?;
    matches(
        tuple![atom!("a"), atom!("a"), atom!("a")],
        Term::tuple(std::iter::repeat_n(atom!("a"), 3)),
    )?;
    let subtracted: Vec<Term> = [1, 2, 3]
        .into_iter()
        .filter(|&i| i != 3)
        .map(Term::Int)
        .collect();
    matches(int(&[1, 2]), Term::List(subtracted))?;
    Ok(atom!("ok"))
}

async fn spawn_monitor_test(cx: Cx) -> Result<Term, Exception> {
    let (pid, r) = cx.spawn_monitor(done).await?;
    cx.demonitor(r).await;
    let down = tuple![atom!("DOWN"), r, atom!("process"), pid, atom!("normal")];
    let result = match cx
        .receive_matching_timeout(&Matcher::new(move |m| *m == down), Timeout::ms(0))
        .await
    {
        Some(_) => atom!("result1"),
        None => atom!("result2"),
    };
    if result != atom!("result2") {
        let text = |s: &str| Term::List(s.bytes().map(|b| Term::Int(i64::from(b))).collect());
        let info = list![
            tuple![atom!("module"), atom!("spawn_monitor_test")],
            tuple![atom!("line"), 17],
            tuple![atom!("expression"), text("Result")],
            tuple![atom!("expected"), atom!("result2")],
            tuple![atom!("value"), result]
        ];
        return Err(Exception::error(tuple![atom!("assertEqual"), info]));
    }
    Ok(atom!("ok"))
}

/// `receive Pat1 -> receive Pat2 -> [Pat1, Pat2] end end`.
async fn receive_two(c: Cx) -> Result<Term, Exception> {
    let a = c.recv().await;
    let b = c.recv().await;
    Ok(list![a, b])
}

async fn spawned_senders(cx: Cx) -> Result<Term, Exception> {
    let receiver = cx.spawn(receive_two).await?;
    for msg in ["one", "two"] {
        cx.spawn(move |c| async move {
            c.send(receiver, atom!(msg)).await?;
            Ok(atom!(msg))
        })
        .await?;
    }
    Ok(atom!("ok"))
}

async fn trace_the_sender(cx: Cx) -> Result<Term, Exception> {
    cx.spawn(done).await?;
    let receiver = cx.spawn(receive_two).await?;
    // Each link of the chain waits for `ok`, then sends its message on.
    let chain = |to: Pid, msg: &'static str| {
        move |c: Cx| async move {
            c.receive_matching(&Matcher::new(|m| m.is_atom("ok"))).await;
            c.send(to, atom!(msg)).await?;
            Ok(atom!(msg))
        }
    };
    let x = cx.spawn(chain(receiver, "x")).await?;
    let y = cx.spawn(chain(x, "ok")).await?;
    let z = cx.spawn(chain(y, "ok")).await?;
    cx.send(z, atom!("ok")).await?;
    cx.send(receiver, atom!("main")).await?;
    Ok(atom!("ok"))
}
