//! `tests/suites/basic_tests/src`, from `after_test_2.erl` to
//! `load_before_start.erl`. The expected outcomes of each case are those its
//! result file (`tests/suites/basic_tests/results/<program>-<entry>-inf-dpor.txt`)
//! lists; the counts are from `/work/shared/dpor/concuerror-cases.txt`.

use crate::{single, Case};
use erpc_sim::prelude::*;

/// A receive with no clauses and no timeout: blocked for good.
async fn block(cx: &Cx) {
    cx.receive_matching(&Matcher::new(|_| false)).await;
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
            beyond: None,
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
            beyond: None,
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
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "exit.erl"),
            entry: "test2",
            errors_expected: 1,
            explored_expected: 2,
            // exit-test2-inf-dpor.txt: `foo` arrives before P.1 traps exits.
            listed: &["P.1 exits foo"],
            build: |b| single(b, |cx| exit_test(cx, true, "foo")),
            beyond: None,
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
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "exit.erl"),
            entry: "test5",
            errors_expected: 1,
            explored_expected: 1,
            // exit-test5-inf-dpor.txt: `kill` kills P.1.
            listed: &["P.1 exits killed"],
            build: |b| single(b, |cx| exit_test(cx, false, "kill")),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "fun_fail.erl"),
            entry: "test1",
            errors_expected: 1,
            explored_expected: 1,
            // fun_fail-test1-inf-dpor.txt: calling the atom `ban` as a fun.
            listed: &["P exits {badfun,ban}"],
            build: |b| single(b, fun_fail_test1),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "fun_fail.erl"),
            entry: "test2",
            errors_expected: 1,
            explored_expected: 1,
            // fun_fail-test2-inf-dpor.txt: a fun of arity 0 called with one
            // argument; the fun prints as `'<fun>'` here (as in sim-erpc),
            // as `#Fun<fun_fail.0.43455735>` there.
            listed: &["P exits {badarity,{'<fun>',[foo]}}"],
            build: |b| single(b, fun_fail_test2),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "hopeless_after.erl"),
            entry: "hopeless_after",
            errors_expected: 1,
            explored_expected: 1,
            // hopeless_after-hopeless_after-inf-dpor.txt.
            listed: &["P exits {nocatch,no_hope}"],
            build: |b| single(b, hopeless_after),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "init_race_condition.erl"),
            entry: "test",
            errors_expected: 0,
            explored_expected: 2,
            // init_race_condition-test-inf-dpor.txt: no errors.
            listed: &[],
            build: init_race_condition,
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "kill_running_waiting.erl"),
            entry: "test",
            errors_expected: 8,
            explored_expected: 9,
            // kill_running_waiting-test-inf-dpor.txt: the receiver, the
            // sender, or both are killed before they are done.
            listed: &[
                "P.1 exits abnormal",
                "P.2 exits abnormal",
                "P.1 exits abnormal; P.2 exits abnormal",
            ],
            build: |b| single(b, kill_running_waiting),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "late_hope.erl"),
            entry: "late_hope",
            errors_expected: 1,
            explored_expected: 2,
            // late_hope-late_hope-inf-dpor.txt: `hope` arrives before the
            // timeout fires.
            listed: &["P exits {nocatch,saved}"],
            build: |b| single(b, late_hope),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "link_after.erl"),
            entry: "link_after",
            errors_expected: 1,
            explored_expected: 4,
            // link_after-link_after-inf-dpor.txt: P's `normal` exit reaches
            // P.1 as a trapped message before its `after 0`.
            listed: &["P.1 exits {nocatch,untrapped}"],
            build: |b| single(b, link_after),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/basic_tests/src/", "load_before_start.erl"),
            entry: "test",
            errors_expected: 2,
            explored_expected: 3,
            // load_before_start-test-inf-dpor.txt: the lookup comes before
            // the table exists or after its owner has exited (the file's
            // reason also names the `ets:lookup/2` frame).
            listed: &["P.2 exits badarg"],
            build: |b| single(b, load_before_start),
            beyond: None,
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
        .receive_matching_timeout(&Matcher::new(|m| m.is_atom("two")), Timeout::ms(0))
        .await
    {
        return Err(Exception::throw(m));
    }
    cx.receive_matching_timeout(&Matcher::new(|m| m.is_atom("one")), Timeout::ms(0))
        .await;
    cx.receive_matching(&Matcher::new(|m| m.is_atom("deadlock")))
        .await;
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
    cx.receive_matching(&Matcher::new(|m| m.is_atom("ok")))
        .await;
    let p3 = cx
        .spawn(|c| async move {
            c.trap_exit(true);
            match c
                .receive_matching_timeout(&Matcher::any(), Timeout::ms(0))
                .await
            {
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
                c.receive_matching(&Matcher::new(|m| m.is_atom("infinity")))
                    .await;
            }
            Ok(atom!("ok"))
        })
        .await?;
    cx.exit(pid, Atom::new(reason)).await;
    Ok(atom!("true"))
}

/// `A = ban, A(foo)`: Rust cannot call a term, so the entry raises what the
/// runtime raises for that call.
async fn fun_fail_test1(_cx: Cx) -> Result<Term, Exception> {
    Err(Exception::error(tuple![atom!("badfun"), atom!("ban")]))
}

/// `A = fun() -> ok end, A(foo)`: as `fun_fail_test1`, the runtime's
/// `badarity` for a fun of arity 0 called with `[foo]`.
async fn fun_fail_test2(_cx: Cx) -> Result<Term, Exception> {
    let fun = atom!("<fun>");
    Err(Exception::error(tuple![
        atom!("badarity"),
        tuple![fun, list![atom!("foo")]]
    ]))
}

async fn hopeless_after(cx: Cx) -> Result<Term, Exception> {
    let p = cx.self_pid();
    cx.spawn(move |c| async move {
        c.send(p, atom!("hopeless")).await?;
        Ok(atom!("ok"))
    })
    .await?;
    match cx
        .receive_matching_timeout(&Matcher::new(|m| m.is_atom("hope")), Timeout::ms(100))
        .await
    {
        Some(_) => Ok(atom!("saved")),
        None => Err(Exception::throw(atom!("no_hope"))),
    }
}

/// `init`, the node's own server: it answers `{From, get_arguments}` with
/// `{init, Arguments}`.
async fn init_server(cx: Cx) -> Result<Term, Exception> {
    cx.register("init", cx.self_pid()).await?;
    loop {
        let m = cx.recv().await;
        if let Some([Term::Pid(from), what]) = m.as_tuple() {
            if what.is_atom("get_arguments") {
                cx.send(*from, tuple![atom!("init"), list![]]).await?;
            }
        }
    }
}

fn init_race_condition(b: SimBuilder) -> Sim {
    single(b.boot(crate::NODE, init_server), |cx| async move {
        let mut pids = Vec::new();
        for _ in 0..2 {
            let p = cx
                .spawn(|c| async move {
                    c.send("init", tuple![c.self_pid(), atom!("get_arguments")])
                        .await?;
                    let rep = c
                        .receive_matching(&Matcher::new(
                            |m| matches!(m.as_tuple(), Some([t, _]) if t.is_atom("init")),
                        ))
                        .await;
                    Ok(rep)
                })
                .await?;
            pids.push(Term::Pid(p));
        }
        Ok(Term::List(pids))
    })
}

async fn kill_running_waiting(cx: Cx) -> Result<Term, Exception> {
    let receiver = cx
        .spawn(|c| async move {
            c.receive_matching(&Matcher::new(|m| m.is_atom("ok"))).await;
            Ok(atom!("ok"))
        })
        .await?;
    let sender = cx
        .spawn(move |c| async move {
            c.send(receiver, atom!("ok")).await?;
            Ok(atom!("ok"))
        })
        .await?;
    for victim in [receiver, sender] {
        cx.spawn(move |c| async move {
            c.exit(victim, atom!("abnormal")).await;
            Ok(atom!("true"))
        })
        .await?;
    }
    Ok(atom!("ok"))
}

async fn late_hope(cx: Cx) -> Result<Term, Exception> {
    let p = cx.self_pid();
    let q = cx.spawn(|_c| async move { Ok(atom!("ok")) }).await?;
    cx.spawn(move |c| async move {
        c.send(q, atom!("ignore")).await?;
        c.send(p, atom!("hope")).await?;
        Ok(atom!("ok"))
    })
    .await?;
    match cx
        .receive_matching_timeout(&Matcher::new(|m| m.is_atom("hope")), Timeout::ms(100))
        .await
    {
        Some(_) => Err(Exception::throw(atom!("saved"))),
        None => Ok(atom!("hopeless")),
    }
}

async fn link_after(cx: Cx) -> Result<Term, Exception> {
    let p1 = cx
        .spawn(|c| async move {
            c.trap_exit(true);
            match c
                .receive_matching_timeout(&Matcher::any(), Timeout::ms(0))
                .await
            {
                Some(_) => Err(Exception::throw(atom!("untrapped"))),
                None => Ok(atom!("ok")),
            }
        })
        .await?;
    // `try link(P1) catch _:_ -> ok end`.
    let _ = cx.link(p1).await;
    Ok(atom!("ok"))
}

/// ETS is not modelled. A named table lives here as a name its creator
/// registers: made by one process, gone when that process exits (as the
/// table goes with its owner), and a lookup of a missing one is `badarg`.
async fn load_before_start(cx: Cx) -> Result<Term, Exception> {
    cx.spawn(|c| async move {
        c.register("table", c.self_pid()).await?;
        Ok(atom!("table"))
    })
    .await?;
    cx.spawn(|c| async move {
        match c.whereis("table").await {
            Some(_) => Ok(list![]),
            None => Err(Exception::error(atom!("badarg"))),
        }
    })
    .await?;
    Ok(atom!("ok"))
}
