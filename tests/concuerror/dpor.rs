//! `tests/suites/dpor_tests/src`. The expected outcomes of each case are
//! those its result file (`tests/suites/dpor_tests/results/<program>-<entry>-inf-dpor.txt`)
//! lists; the counts are from `/work/shared/dpor/concuerror-cases.txt`.

use crate::{single, Case};
use erpc_sim::prelude::*;
use std::future::Future;
use std::pin::Pin;

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            program: concat!("tests/suites/dpor_tests/src/", "after_test.erl"),
            entry: "after_test",
            errors_expected: 36,
            explored_expected: 36,
            // after_test-after_test-inf-dpor.txt: every interleaving ends
            // with P blocked at its last receive.
            listed: &["P blocked"],
            build: |b| single(b, after_test),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/dpor_tests/src/", "after_test_reduced.erl"),
            entry: "after_test_reduced",
            errors_expected: 6,
            explored_expected: 6,
            // after_test_reduced-after_test_reduced-inf-dpor.txt.
            listed: &["P blocked"],
            build: |b| single(b, after_test_reduced),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/dpor_tests/src/", "independent_receivers.erl"),
            entry: "independent_receivers",
            errors_expected: 0,
            explored_expected: 2,
            // independent_receivers-independent_receivers-inf-dpor.txt.
            listed: &[],
            build: |b| single(b, independent_receivers),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/dpor_tests/src/", "indifferent_senders.erl"),
            entry: "indifferent_senders",
            errors_expected: 0,
            explored_expected: 1,
            // indifferent_senders-indifferent_senders-inf-dpor.txt.
            listed: &[],
            build: |b| single(b, indifferent_senders),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/dpor_tests/src/", "messages_2.erl"),
            entry: "test",
            errors_expected: 1,
            explored_expected: 3,
            // messages_2-test-inf-dpor.txt: B times out on `special`, then
            // takes `c` first and `R = a` fails.
            listed: &["P.1 exits {badmatch,a}"],
            build: |b| single(b, messages_2),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/dpor_tests/src/", "proxy2.erl"),
            entry: "proxy2",
            errors_expected: 0,
            explored_expected: 2,
            // proxy2-proxy2-inf-dpor.txt.
            listed: &[],
            build: |b| single(b, proxy2),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/dpor_tests/src/", "receive_order.erl"),
            entry: "test2",
            errors_expected: 0,
            explored_expected: 1,
            // receive_order-test2-inf-dpor.txt.
            listed: &[],
            build: |b| single(b, receive_order_test2),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/dpor_tests/src/", "receive_order.erl"),
            entry: "test3",
            errors_expected: 0,
            explored_expected: 1,
            // receive_order-test3-inf-dpor.txt.
            listed: &[],
            build: |b| single(b, receive_order_test3),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/dpor_tests/src/", "same_messages_2.erl"),
            entry: "same_messages_2",
            errors_expected: 4,
            explored_expected: 4,
            // same_messages_2-same_messages_2-inf-dpor.txt: P throws `a` or
            // `b`.
            listed: &["P exits {nocatch,a}", "P exits {nocatch,b}"],
            build: |b| single(b, |cx| same_messages(cx, true)),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/dpor_tests/src/", "same_messages_3.erl"),
            entry: "same_messages_3",
            errors_expected: 4,
            explored_expected: 4,
            // same_messages_3-same_messages_3-inf-dpor.txt: P exits `a` or
            // `b`. (The file was made from an earlier version of the
            // program that threw, so it shows `{nocatch, X}`; the program
            // at this commit calls `exit(X)`.)
            listed: &["P exits a", "P exits b"],
            build: |b| single(b, |cx| same_messages(cx, false)),
            beyond: None,
        },
        Case {
            program: concat!("tests/suites/dpor_tests/src/", "workers_2.erl"),
            entry: "workers_2",
            errors_expected: 0,
            explored_expected: 1296,
            // workers_2-workers_2-inf-dpor.txt: no errors.
            listed: &[],
            build: |b| single(b, workers_2),
            beyond: None,
        },
    ]
}

/// A boxed future of a process body's result (the recursive helpers of
/// `after_test.erl` need one).
type Step<'a> = Pin<Box<dyn Future<Output = Result<(), Exception>> + 'a>>;

/// `allow_but_wait(N, M)`: take up to `N` messages, giving up waiting `M`
/// times (`after 0`); then `crash_if_mail()`.
fn allow_but_wait(cx: &Cx, n: u32, m: u32) -> Step<'_> {
    Box::pin(async move {
        if n == 0 {
            return match cx
                .receive_matching_timeout(&Matcher::any(), Timeout::ms(0))
                .await
            {
                Some(any) => Err(Exception::throw(any)),
                None => Ok(()),
            };
        }
        if m == 0 {
            cx.recv().await;
            return allow_but_wait(cx, n - 1, 0).await;
        }
        match cx
            .receive_matching_timeout(&Matcher::any(), Timeout::ms(0))
            .await
        {
            Some(_) => allow_but_wait(cx, n - 1, m).await,
            None => allow_but_wait(cx, n, m - 1).await,
        }
    })
}

/// Spawns a process that sends `msg` to `to`.
async fn send_from_child(cx: &Cx, to: Pid, msg: &'static str) -> Result<Pid, Exception> {
    cx.spawn(move |c| async move {
        c.send(to, atom!(msg)).await?;
        Ok(atom!(msg))
    })
    .await
}

async fn after_test(cx: Cx) -> Result<Term, Exception> {
    allow_but_wait(&cx, 0, 2).await?;
    let parent = cx.self_pid();
    send_from_child(&cx, parent, "ok1").await?;
    allow_but_wait(&cx, 1, 2).await?;
    send_from_child(&cx, parent, "ok2").await?;
    send_from_child(&cx, parent, "ok2").await?;
    allow_but_wait(&cx, 2, 2).await?;
    cx.receive_matching(&Matcher::new(|m| m.is_atom("deadlock")))
        .await;
    Ok(atom!("ok"))
}

async fn after_test_reduced(cx: Cx) -> Result<Term, Exception> {
    let parent = cx.self_pid();
    send_from_child(&cx, parent, "ok2").await?;
    send_from_child(&cx, parent, "ok2").await?;
    allow_but_wait(&cx, 2, 1).await?;
    cx.receive_matching(&Matcher::new(|m| m.is_atom("deadlock")))
        .await;
    Ok(atom!("ok"))
}

async fn independent_receivers(cx: Cx) -> Result<Term, Exception> {
    let parent = cx.self_pid();
    let mut receivers = Vec::new();
    for n in 1..=2 {
        let r = cx
            .spawn(move |c| async move {
                c.receive_matching(&Matcher::new(|m| m.is_atom("ok"))).await;
                c.send(parent, Term::Int(n)).await?;
                Ok(Term::Int(n))
            })
            .await?;
        receivers.push(r);
    }
    for r in receivers {
        send_from_child(&cx, r, "ok").await?;
    }
    cx.recv().await;
    cx.recv().await;
    Ok(atom!("done"))
}

async fn indifferent_senders(cx: Cx) -> Result<Term, Exception> {
    let parent = cx.self_pid();
    let messages = ["msg1", "msg2", "msg3"];
    for msg in messages {
        send_from_child(&cx, parent, msg).await?;
    }
    for msg in messages {
        cx.receive_matching(&Matcher::new(move |m| m.is_atom(msg)))
            .await;
    }
    Ok(atom!("ok"))
}

async fn messages_2(cx: Cx) -> Result<Term, Exception> {
    let b = cx
        .spawn(|c| async move {
            let special = Matcher::new(|m| m.is_atom("special"));
            let s = match c.receive_matching_timeout(&special, Timeout::ms(0)).await {
                Some(_) => true,
                None => {
                    c.receive_matching(&special).await;
                    false
                }
            };
            if s {
                c.receive_matching(&Matcher::new(|m| m.is_atom("a"))).await;
                c.receive_matching(&Matcher::new(|m| m.is_atom("c"))).await;
            } else {
                let r = c.recv().await;
                if !r.is_atom("a") {
                    return Err(Exception::error(tuple![atom!("badmatch"), atom!("a")]));
                }
                c.recv().await;
            }
            Ok(atom!("ok"))
        })
        .await?;
    send_from_child(&cx, b, "c").await?;
    cx.send(b, atom!("a")).await?;
    cx.send(b, atom!("special")).await?;
    Ok(atom!("special"))
}

async fn proxy2(cx: Cx) -> Result<Term, Exception> {
    let c = cx.self_pid();
    // `proxy(100, C)`: a chain of 100 forwarders ending at C, the one
    // nearest C spawned first.
    let mut b = c;
    for _ in 0..100 {
        let to = b;
        b = cx
            .spawn(move |p| async move {
                let m = p.recv().await;
                p.send(to, m).await?;
                Ok(atom!("ok"))
            })
            .await?;
    }
    cx.spawn(move |a| async move {
        a.send(b, atom!("world")).await?;
        a.send(c, atom!("hello")).await?;
        Ok(atom!("hello"))
    })
    .await?;
    let m1 = cx.recv().await;
    let m2 = cx.recv().await;
    Ok(tuple![m1, m2])
}

/// `receive_order.erl`'s `test(F, S)`: P takes `a`, then anything, which
/// must be `b`.
async fn receive_order(
    cx: Cx,
    first: &'static str,
    second: &'static str,
) -> Result<Term, Exception> {
    let p = cx
        .spawn(|c| async move {
            c.receive_matching(&Matcher::new(|m| m.is_atom("a"))).await;
            let b = c.recv().await;
            if !b.is_atom("b") {
                return Err(Exception::error(tuple![atom!("badmatch"), atom!("b")]));
            }
            Ok(b)
        })
        .await?;
    send_from_child(&cx, p, first).await?;
    send_from_child(&cx, p, second).await?;
    Ok(atom!("ok"))
}

async fn receive_order_test2(cx: Cx) -> Result<Term, Exception> {
    receive_order(cx, "b", "a").await
}

async fn receive_order_test3(cx: Cx) -> Result<Term, Exception> {
    let p = cx
        .spawn(|c| async move {
            c.receive_matching(&Matcher::new(|m| m.is_atom("a"))).await;
            c.receive_matching(&Matcher::new(|m| m.is_atom("b"))).await;
            let last = c.recv().await;
            if !last.is_atom("c") {
                return Err(Exception::error(tuple![atom!("badmatch"), atom!("c")]));
            }
            Ok(last)
        })
        .await?;
    send_from_child(&cx, p, "b").await?;
    cx.spawn(move |c| async move {
        c.send(p, atom!("c")).await?;
        c.send(p, atom!("a")).await?;
        Ok(atom!("a"))
    })
    .await?;
    Ok(atom!("ok"))
}

/// `same_messages_2.erl` (`unlock_first`: each sender sends `unlock` then
/// its letter, P throws the letter) and `same_messages_3.erl` (each sends
/// its letter then `unlock`, P exits with the letter).
async fn same_messages(cx: Cx, unlock_first: bool) -> Result<Term, Exception> {
    let p = cx.self_pid();
    for letter in ["a", "b"] {
        cx.spawn(move |c| async move {
            if unlock_first {
                c.send(p, atom!("unlock")).await?;
                c.send(p, atom!(letter)).await?;
            } else {
                c.send(p, atom!(letter)).await?;
                c.send(p, atom!("unlock")).await?;
            }
            Ok(atom!("unlock"))
        })
        .await?;
    }
    cx.receive_matching(&Matcher::new(|m| m.is_atom("unlock")))
        .await;
    if unlock_first {
        let msg = cx
            .receive_matching(&Matcher::new(|m| m.is_atom("a") || m.is_atom("b")))
            .await;
        Err(Exception::throw(msg))
    } else {
        let x = cx
            .receive_matching(&Matcher::new(|m| !m.is_atom("unlock")))
            .await;
        Err(Exception::exit(x))
    }
}

const LOW: i64 = 1;
const HIGH: i64 = 2;
const ADD: i64 = 10;
const WORKERS: u32 = 2;
const RETRIES: u32 = 2;

/// `collect_res()`: one `{res, R}` per unit of work, newest first.
async fn collect_res(cx: &Cx) -> Vec<Term> {
    let mut acc = Vec::new();
    for _ in LOW..=HIGH {
        let m = cx
            .receive_matching(&Matcher::new(
                |m| matches!(m.as_tuple(), Some([t, _]) if t.is_atom("res")),
            ))
            .await;
        if let Some([_, r]) = m.as_tuple() {
            acc.insert(0, r.clone());
        }
    }
    acc
}

async fn server(cx: Cx, parent: Pid) -> Result<Term, Exception> {
    let (mut workers, mut retries) = (WORKERS, RETRIES);
    let mut work: Vec<Term> = (LOW..=HIGH).map(Term::Int).collect();
    loop {
        if workers == 0 && retries == 0 && work.is_empty() {
            let mut res = collect_res(&cx).await;
            res.sort();
            cx.send(parent, tuple![atom!("ok"), Term::List(res)])
                .await?;
            return Ok(atom!("ok"));
        }
        let m = cx
            .receive_matching(&Matcher::new(|m| {
                m.is_atom("exit")
                    || matches!(m.as_tuple(), Some([t, Term::Pid(_)]) if t.is_atom("work"))
            }))
            .await;
        let Some([_, Term::Pid(pid)]) = m.as_tuple() else {
            workers -= 1;
            continue;
        };
        let pid = *pid;
        if !work.is_empty() {
            let w = work.remove(0);
            cx.send(pid, tuple![atom!("work"), w]).await?;
        } else if retries == 0 {
            cx.send(pid, atom!("no_work")).await?;
        } else {
            let mut result = collect_res(&cx).await;
            let r = result.remove(0);
            cx.send(pid, tuple![atom!("work"), r]).await?;
            retries -= 1;
            work = result;
        }
    }
}

async fn worker(cx: Cx, server: Pid) -> Result<Term, Exception> {
    loop {
        cx.send(server, tuple![atom!("work"), cx.self_pid()])
            .await?;
        let m = cx
            .receive_matching(&Matcher::new(|m| {
                m.is_atom("no_work")
                    || matches!(m.as_tuple(), Some([t, Term::Int(_)]) if t.is_atom("work"))
            }))
            .await;
        match m.as_tuple() {
            Some([_, Term::Int(n)]) => {
                cx.send(server, tuple![atom!("res"), Term::Int(n + ADD)])
                    .await?;
            }
            _ => {
                cx.send(server, atom!("exit")).await?;
                return Ok(atom!("exit"));
            }
        }
    }
}

async fn workers_2(cx: Cx) -> Result<Term, Exception> {
    let me = cx.self_pid();
    let pid = cx.spawn(move |c| server(c, me)).await?;
    for _ in 0..WORKERS {
        cx.spawn(move |c| worker(c, pid)).await?;
    }
    let m = cx
        .receive_matching(&Matcher::new(
            |m| matches!(m.as_tuple(), Some([t, _]) if t.is_atom("ok")),
        ))
        .await;
    let lo = LOW + i64::from(1 + RETRIES) * ADD;
    let hi = HIGH + i64::from(1 + RETRIES) * ADD;
    let expected = Term::List((lo..=hi).map(Term::Int).collect());
    match m.as_tuple() {
        Some([_, res]) if *res == expected => Ok(m.clone()),
        Some([_, res]) => Err(Exception::error(tuple![atom!("badmatch"), res.clone()])),
        _ => Ok(m.clone()),
    }
}
