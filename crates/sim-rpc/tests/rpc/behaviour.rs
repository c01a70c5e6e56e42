//! Behaviour of the `rpc` API, one test per rule, each named after it. Every
//! test runs its body under several seeds on `a@sim`, and every body ends, as
//! OTP's `rpc_SUITE` cases do, with the caller's mailbox empty (checked by
//! [`run`] after the body, their `[] = flush([])`).
//!
//! Topology: `a@sim` (the caller), `b@sim`, `c@sim`, every node running
//! `rex`; `nobody@sim` is a name no node has. Some tests build `c@sim`
//! without spawn requests (a node that does not support erpc).

use crate::{A, B, C, NOBODY};
use sim_core::{Control, Cx, Exception, Module, Sim, Term, Time, Timeout};
use sim_rpc::{BadRpc, RpcExt};
use std::future::Future;

const INF: Timeout = Timeout::Infinity;

type R = Result<Term, Exception>;

/// Helpers applied on the targets.
fn helpers() -> Module {
    let arg = |a: &[Term], i: usize| a.get(i).cloned().unwrap_or(Term::atom("undefined"));
    Module::new("t")
        .function("sleep_ret", 2, move |cx, a| async move {
            let ms = arg(&a, 0).as_int().unwrap_or(0);
            cx.sleep(Time::ms(ms as u64)).await;
            Ok(arg(&a, 1))
        })
        .function("signal", 1, move |cx, a| async move {
            cx.exit(cx.self_pid(), arg(&a, 0)).await;
            cx.sleep(Time::MAX).await;
            Ok(Term::atom("not_reached"))
        })
        .function("ret_exit", 1, move |_cx, a| async move {
            Ok(Term::tuple([Term::atom("EXIT"), arg(&a, 0)]))
        })
        .function("throw_exit", 1, move |_cx, a| async move {
            Err(Exception::throw(Term::tuple([
                Term::atom("EXIT"),
                arg(&a, 0),
            ])))
        })
}

/// Runs `body` on `a@sim` under seeds 0..6 (`no_erpc` nodes refuse spawn
/// requests); every seed must print the same value, and the caller's mailbox
/// must be empty afterwards. Returns the printed value.
fn run<F, Fut>(no_erpc: &[&str], body: F) -> String
where
    F: Fn(Cx) -> Fut + Clone + 'static,
    Fut: Future<Output = R> + 'static,
{
    run_in(no_erpc, |_| {}, body)
}

/// [`run`] with `setup` applied to each simulation before it runs.
fn run_in<F, Fut>(no_erpc: &[&str], setup: fn(&mut Sim), body: F) -> String
where
    F: Fn(Cx) -> Fut + Clone + 'static,
    Fut: Future<Output = R> + 'static,
{
    let mut first: Option<String> = None;
    for seed in 0..6 {
        let mut b = Sim::builder()
            .seed(seed)
            .nodes([A, B, C])
            .module_everywhere(helpers())
            .with_rpc();
        for n in no_erpc {
            b = b.without_spawn_request(n);
        }
        let mut sim = b.build().unwrap();
        setup(&mut sim);
        let body = body.clone();
        sim.spawn(A, move |cx| async move {
            let v = body(cx.clone()).await?;
            let left = cx.flush();
            cx.check(left.is_empty(), format!("mailbox not empty: {left:?}"))?;
            Ok(v)
        })
        .unwrap();
        let report = sim.run();
        report.assert_ok();
        let got = report.value(0).expect("the body returned").to_string();
        match &first {
            None => first = Some(got),
            Some(f) => assert_eq!(f, &got, "seed {seed} disagrees"),
        }
    }
    first.unwrap()
}

fn x() -> Term {
    Term::atom("x")
}

/// The outcomes of `call`-like functions for every shape of result, in order:
/// value, throw, thrown `{'EXIT', x}`, exit, error, returned `{'EXIT', x}`,
/// exit signal, undef.
const OUTCOMES: &str = "[b@sim,x,{badrpc,{'EXIT',x}},{badrpc,{'EXIT',x}},\
{badrpc,{'EXIT',{x,[{erlang,error,1,[]}]}}},{badrpc,{'EXIT',x}},{badrpc,{'EXIT',x}},\
{badrpc,{'EXIT',{undef,[{t,nope,[],[]}]}}}]";

/// Calls each shape of outcome on `node` through `f`.
async fn each_outcome<F, Fut>(f: F) -> R
where
    F: Fn(&'static str, &'static str, Vec<Term>) -> Fut,
    Fut: Future<Output = R>,
{
    Ok(Term::list([
        f("erlang", "node", vec![]).await?,
        f("erlang", "throw", vec![x()]).await?,
        f("t", "throw_exit", vec![x()]).await?,
        f("erlang", "exit", vec![x()]).await?,
        f("erlang", "error", vec![x()]).await?,
        f("t", "ret_exit", vec![x()]).await?,
        f("t", "signal", vec![x()]).await?,
        f("t", "nope", vec![]).await?,
    ]))
}

#[test]
fn call_maps_every_outcome_as_rpcify_does() {
    let got = run(&[], |cx| async move {
        each_outcome(|m, f, a| sim_rpc::call(&cx, B, m, f, a, Timeout::ms(1000))).await
    });
    assert_eq!(got, OUTCOMES);
}

#[test]
fn call_to_unknown_node_is_badrpc_nodedown() {
    let got = run(&[], |cx| async move {
        Ok(Term::list([
            sim_rpc::call(&cx, NOBODY, "erlang", "node", vec![], INF).await?,
            sim_rpc::call(&cx, NOBODY, "erlang", "node", vec![], Timeout::ms(100)).await?,
            sim_rpc::block_call(&cx, NOBODY, "erlang", "node", vec![], Timeout::ms(100)).await?,
        ]))
    });
    assert_eq!(
        got,
        "[{badrpc,nodedown},{badrpc,nodedown},{badrpc,nodedown}]"
    );
}

#[test]
fn call_timeout_is_badrpc_timeout_and_late_reply_never_arrives() {
    let got = run(&[], |cx| async move {
        let slow = vec![Term::Int(200), Term::atom("late")];
        let r = sim_rpc::call(&cx, B, "t", "sleep_ret", slow, Timeout::ms(50)).await?;
        cx.check(BadRpc::from_term(&r) == Some(BadRpc::Timeout), "timed out")?;
        cx.sleep(Time::ms(500)).await;
        Ok(r)
    });
    assert_eq!(got, "{badrpc,timeout}");
}

#[test]
fn call_to_own_node_without_timeout_runs_in_the_caller() {
    let got = run(&[], |cx| async move {
        let me = Term::Pid(cx.self_pid());
        let inf = sim_rpc::call(&cx, A, "erlang", "self", vec![], INF).await?;
        let tmo = sim_rpc::call(&cx, A, "erlang", "self", vec![], Timeout::ms(1000)).await?;
        Ok(Term::list([Term::from(inf == me), Term::from(tmo == me)]))
    });
    assert_eq!(got, "[true,false]");
}

#[test]
fn bad_arguments_raise_badarg_and_block_call_function_clause() {
    let got = run(&[], |cx| async move {
        let (b, m, f, none) = (
            Term::atom(B),
            Term::atom("erlang"),
            Term::atom("node"),
            Term::List(vec![]),
        );
        let class = |r: R| r.unwrap_or_else(|e| e.class_reason());
        Ok(Term::list([
            class(sim_rpc::call(&cx, B, "erlang", "node", vec![], Timeout::Ms(1 << 32)).await),
            class(
                sim_rpc::call_term(
                    &cx,
                    &Term::string(B),
                    &m,
                    &f,
                    &none,
                    &Term::atom("infinity"),
                )
                .await,
            ),
            class(sim_rpc::cast_term(&cx, &b, &m, &f, &Term::atom("notalist")).await),
            class(
                sim_rpc::multicall(&cx, &[B], "erlang", "node", vec![], Timeout::Ms(1 << 32)).await,
            ),
            class(
                sim_rpc::block_call(&cx, B, "erlang", "node", vec![], Timeout::Ms(1 << 32)).await,
            ),
            class(sim_rpc::block_call_term(&cx, &b, &m, &f, &none, &Term::Int(-1)).await),
        ]))
    });
    assert_eq!(
        got,
        "[{error,badarg},{error,badarg},{error,badarg},{error,badarg},\
{error,function_clause},{error,function_clause}]"
    );
}

#[test]
fn block_call_runs_inside_the_target_rex() {
    let got = run(&[], |cx| async move {
        let rex = sim_rpc::call(&cx, B, "erlang", "whereis", vec![Term::atom("rex")], INF).await?;
        let inside = sim_rpc::block_call(&cx, B, "erlang", "self", vec![], INF).await?;
        Ok(Term::from(rex == inside))
    });
    assert_eq!(got, "true");
}

#[test]
fn block_call_maps_every_outcome_as_call_does() {
    // No exit-signal row: it would hit `rex` itself, which traps exits, so (as
    // in OTP) that block_call never returns.
    let got = run(&[], |cx| async move {
        let bc = |m: &'static str, f: &'static str, a: Vec<Term>| {
            sim_rpc::block_call(&cx, B, m, f, a, Timeout::ms(1000))
        };
        Ok(Term::list([
            bc("erlang", "node", vec![]).await?,
            bc("erlang", "throw", vec![x()]).await?,
            bc("t", "throw_exit", vec![x()]).await?,
            bc("erlang", "exit", vec![x()]).await?,
            bc("erlang", "error", vec![x()]).await?,
            bc("t", "ret_exit", vec![x()]).await?,
            bc("t", "nope", vec![]).await?,
        ]))
    });
    let without_signal = OUTCOMES.replace(
        ",{badrpc,{'EXIT',x}},{badrpc,{'EXIT',{undef",
        ",{badrpc,{'EXIT',{undef",
    );
    assert_eq!(got, without_signal);
}

#[test]
fn block_calls_to_one_node_are_serialized() {
    let got = run(&[], |cx| async move {
        let me = cx.self_pid();
        cx.spawn(move |c| async move {
            let long =
                sim_rpc::block_call(&c, B, "timer", "sleep", vec![Term::Int(300)], INF).await?;
            c.send(me, Term::tuple([Term::atom("long"), long])).await?;
            Ok(Term::atom("done"))
        })
        .await?;
        cx.sleep(Time::ms(10)).await;
        let queued =
            sim_rpc::block_call(&cx, B, "erlang", "node", vec![], Timeout::ms(100)).await?;
        let plain = sim_rpc::call(&cx, B, "erlang", "node", vec![], Timeout::ms(100)).await?;
        let long = cx.recv().await;
        let after = sim_rpc::block_call(&cx, B, "erlang", "node", vec![], Timeout::ms(100)).await?;
        Ok(Term::list([queued, plain, long, after]))
    });
    assert_eq!(got, "[{badrpc,timeout},b@sim,{long,ok},b@sim]");
}

#[test]
fn block_call_timeout_leaves_no_late_reply() {
    let got = run(&[], |cx| async move {
        let slow = vec![Term::Int(200), Term::atom("late")];
        let r = sim_rpc::block_call(&cx, B, "t", "sleep_ret", slow, Timeout::ms(50)).await?;
        // The reply comes at 200 ms, to the middleman, which is gone.
        cx.sleep(Time::ms(500)).await;
        Ok(r)
    });
    assert_eq!(got, "{badrpc,timeout}");
}

#[test]
fn multicall_puts_timeouts_in_badnodes() {
    let got = run(&[], |cx| async move {
        let r = sim_rpc::multicall_fun(
            &cx,
            &[C, B, NOBODY, A],
            |c| async move {
                if c.node().as_str() == C {
                    c.sleep(Time::ms(500)).await;
                }
                Ok(Term::Atom(c.node()))
            },
            Timeout::ms(100),
        )
        .await?;
        cx.sleep(Time::ms(1000)).await;
        Ok(r)
    });
    assert_eq!(got, "{[b@sim,a@sim],[c@sim,nobody@sim]}");
}

#[test]
fn multicall_keeps_failures_in_resl_in_node_order() {
    let got = run(&[], |cx| async move {
        let nodes = [B, C, B, NOBODY];
        sim_rpc::multicall(&cx, &nodes, "erlang", "exit", vec![x()], INF).await
    });
    assert_eq!(
        got,
        "{[{badrpc,{'EXIT',x}},{badrpc,{'EXIT',x}},{badrpc,{'EXIT',x}}],[nobody@sim]}"
    );
}

#[test]
fn fallback_through_rex_for_node_without_erpc() {
    let got = run(&[C], |cx| async move {
        let erpc = sim_erpc::call(&cx, C, "erlang", "node", vec![], INF).await;
        cx.check(
            erpc.unwrap_err().to_string() == "{error,{erpc,notsup}}",
            "c refuses erpc",
        )?;
        let outcomes = each_outcome(|m, f, a| sim_rpc::call(&cx, C, m, f, a, INF)).await?;
        let with_timeout =
            each_outcome(|m, f, a| sim_rpc::call(&cx, C, m, f, a, Timeout::ms(1000))).await?;
        cx.check(outcomes == with_timeout, "same with a timeout")?;
        let all = sim_rpc::multicall(
            &cx,
            &[B, C, NOBODY],
            "erlang",
            "node",
            vec![],
            Timeout::ms(1000),
        )
        .await?;
        let me = Term::Pid(cx.self_pid());
        let cast = sim_rpc::cast(&cx, C, "erlang", "send", vec![me, Term::atom("cast")]).await;
        let got = cx.recv().await;
        Ok(Term::list([outcomes, all, cast, got]))
    });
    let want = OUTCOMES.replace("b@sim,", "c@sim,");
    assert_eq!(
        got,
        format!("[{want},{{[b@sim,c@sim],[nobody@sim]}},true,cast]")
    );
}

#[test]
fn fallback_call_timeout_is_badrpc_timeout_and_late_reply_never_arrives() {
    let got = run(&[C], |cx| async move {
        let slow = || vec![Term::Int(200), Term::atom("late")];
        let one = sim_rpc::call(&cx, C, "t", "sleep_ret", slow(), Timeout::ms(50)).await?;
        let many =
            sim_rpc::multicall(&cx, &[B, C], "t", "sleep_ret", slow(), Timeout::ms(50)).await?;
        let zero = sim_rpc::call(&cx, C, "erlang", "node", vec![], Timeout::ms(0)).await?;
        cx.sleep(Time::ms(500)).await;
        Ok(Term::list([one, many, zero]))
    });
    assert_eq!(
        got,
        "[{badrpc,timeout},{[],[b@sim,c@sim]},{badrpc,timeout}]"
    );
}

#[test]
fn fallback_for_own_node_without_erpc_goes_through_own_rex() {
    let got = run(&[A], |cx| async move {
        let me = Term::Pid(cx.self_pid());
        let inf = sim_rpc::call(&cx, A, "erlang", "self", vec![], INF).await?;
        let tmo = sim_rpc::call(&cx, A, "erlang", "node", vec![], Timeout::ms(100)).await?;
        Ok(Term::list([Term::from(inf == me), tmo]))
    });
    assert_eq!(got, "[true,a@sim]");
}

#[test]
fn call_fun_to_node_without_erpc_is_badrpc_notsup() {
    // A closure cannot travel in a message: no fallback, as in OTP 25.
    let got = run(&[C], |cx| async move {
        sim_rpc::call_fun(&cx, C, |c| async move { Ok(Term::Atom(c.node())) }, INF).await
    });
    assert_eq!(got, "{badrpc,notsup}");
}

#[test]
fn eval_everywhere_reaches_nodes_with_and_without_erpc() {
    let got = run(&[C], |cx| async move {
        let me = Term::Pid(cx.self_pid());
        let r = sim_rpc::eval_everywhere(
            &cx,
            &[B, C, NOBODY],
            "erlang",
            "send",
            vec![me, Term::atom("hi")],
        )
        .await;
        let (one, two) = (cx.recv().await, cx.recv().await);
        Ok(Term::list([r, one, two]))
    });
    assert_eq!(got, "[abcast,hi,hi]");
}

#[test]
fn own_rex_answers_from_time_zero() {
    let got = run(&[], |cx| async move {
        sim_rpc::block_call(&cx, A, "erlang", "node", vec![], INF).await
    });
    assert_eq!(got, "a@sim");
    let got = run(&[], |cx| async move {
        Ok(sim_rpc::sbcast_all(&cx, "rex", Term::atom("x")).await)
    });
    assert_eq!(got, "{[a@sim,b@sim,c@sim],[]}");
}

#[test]
fn sbcast_reports_missing_names_and_nodes_as_bad() {
    let got = run(&[], |cx| async move {
        cx.register("inbox", cx.self_pid()).await?;
        let r = sim_rpc::sbcast(&cx, &[B, A, NOBODY], "inbox", Term::atom("hi")).await;
        let got = cx.recv().await;
        cx.unregister("inbox").await?;
        Ok(Term::list([r, got]))
    });
    assert_eq!(got, "[{[a@sim],[b@sim,nobody@sim]},hi]");
}

#[test]
fn nb_yield_timeout_keeps_the_key() {
    let got = run(&[], |cx| async move {
        let k = sim_rpc::async_call(&cx, B, "t", "sleep_ret", vec![Term::Int(100), x()]).await;
        let early = sim_rpc::nb_yield(&cx, k, Timeout::ms(10)).await?;
        let value = sim_rpc::yield_result(&cx, k).await?;
        Ok(Term::list([early, value]))
    });
    assert_eq!(got, "[timeout,x]");
}

#[test]
fn rex_is_back_after_its_node_restarts() {
    fn crash_b(sim: &mut Sim) {
        sim.at(Time::ms(10), |c: &mut Control<'_>| {
            let b = c.node_id(B).unwrap();
            c.crash(b, "test");
        })
        .unwrap();
        sim.at(Time::ms(20), |c: &mut Control<'_>| {
            let b = c.node_id(B).unwrap();
            c.restart(b);
        })
        .unwrap();
    }
    let got = run_in(&[], crash_b, |cx| async move {
        cx.sleep(Time::ms(50)).await;
        sim_rpc::block_call(&cx, B, "erlang", "node", vec![], Timeout::ms(100)).await
    });
    assert_eq!(got, "b@sim");
}
