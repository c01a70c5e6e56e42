//! rpc behaviours outside the recorded OTP 25 corpus, checked against OTP's
//! `rpc.erl`; each test ends by asserting that the caller's mailbox is empty.

use crate::{A, B, C, NOBODY};
use sim_core::{Cx, Exception, Module, Sim, Term, Timeout};
use sim_rpc::RpcExt;
use std::future::Future;

fn helpers() -> Module {
    Module::new("t")
        .function("where", 1, |cx, a| async move {
            Ok(Term::tuple([Term::Atom(cx.node()), a[0].clone()]))
        })
        .function("first", 256, |_cx, a| async move { Ok(a[0].clone()) })
}

/// Runs `body` on `A` (nodes `A`, `B`, `C`, each with `rex`) and returns what
/// it returned, printed; the mailbox must be empty at the end.
fn run<F, Fut>(body: F) -> String
where
    F: FnOnce(Cx) -> Fut + 'static,
    Fut: Future<Output = Result<Term, Exception>> + 'static,
{
    let mut sim = Sim::builder()
        .nodes([A, B, C])
        .module_everywhere(helpers())
        .with_rpc()
        .build()
        .unwrap();
    sim.spawn(A, move |cx| async move {
        let v = body(cx.clone()).await?;
        let left = cx.flush();
        cx.check(left.is_empty(), format!("mailbox not empty: {left:?}"))?;
        Ok(v)
    })
    .unwrap();
    let report = sim.run();
    report.assert_ok();
    report.value(0).expect("the body returned").to_string()
}

/// OTP's `pmap/3` builds its calls with an accumulator (`build_args/5`), so
/// `parallel_eval` gets them in reverse: the last element goes to `node()`,
/// the one before to the first of `nodes()`, and so on; `check/2` reverses the
/// results back into list order.
#[test]
fn pmap_hands_out_nodes_from_the_last_element() {
    let got = run(|cx| async move {
        let list = (1..=4).map(Term::Int).collect();
        sim_rpc::pmap(&cx, "t", "where", vec![], list).await
    });
    // Four elements over `[a, b, c]`, reversed: 4 -> a, 3 -> b, 2 -> c, 1 -> a.
    assert_eq!(got, "[{a@sim,1},{c@sim,2},{b@sim,3},{a@sim,4}]");
}

/// `parallel_eval/1` itself hands out nodes in list order.
#[test]
fn parallel_eval_hands_out_nodes_in_list_order() {
    let got = run(|cx| async move {
        let calls = (1..=4)
            .map(|i| ("t".into(), "where".into(), vec![Term::Int(i)]))
            .collect();
        sim_rpc::parallel_eval(&cx, calls).await
    });
    assert_eq!(got, "[{a@sim,1},{b@sim,2},{c@sim,3},{a@sim,4}]");
}

/// More than 255 arguments: `erpc` raises `{erpc, system_limit}`, which rpc
/// maps to `{badrpc, {'EXIT', system_limit}}` (`rpcify_exception/2`); `rex`
/// (block_call) answers the same through `erpc:is_arg_error/4`.
#[test]
fn too_many_arguments_is_badrpc_exit_system_limit() {
    let got = run(|cx| async move {
        let many: Vec<Term> = (0..256).map(Term::Int).collect();
        let inf = Timeout::Infinity;
        let mc = sim_rpc::multicall(&cx, &[B, A], "t", "first", many.clone(), inf).await?;
        Ok(Term::list([
            sim_rpc::call(&cx, B, "t", "first", many.clone(), inf).await?,
            sim_rpc::call(&cx, A, "t", "first", many.clone(), inf).await?,
            sim_rpc::block_call(&cx, B, "t", "first", many.clone(), inf).await?,
            sim_rpc::block_call(&cx, B, "t", "first", many.clone(), Timeout::ms(1000)).await?,
            mc,
        ]))
    });
    let limit = "{badrpc,{'EXIT',system_limit}}";
    assert_eq!(
        got,
        format!("[{limit},{limit},{limit},{limit},{{[{limit},{limit}],[]}}]")
    );
}

/// `rpc:multicall` with duplicates: ResL and BadNodes both keep `Nodes` order,
/// duplicates included (`rpcmulticallify/4`).
#[test]
fn multicall_duplicates_keep_order_in_both_lists() {
    let got = run(|cx| async move {
        let nodes = [NOBODY, B, NOBODY, A, B];
        sim_rpc::multicall(&cx, &nodes, "erlang", "node", vec![], Timeout::ms(1000)).await
    });
    assert_eq!(got, "{[b@sim,a@sim,b@sim],[nobody@sim,nobody@sim]}");
}

/// `nb_yield(Key, infinity)` waits for the answer (`wait_response/2`), and
/// `sbcast` to the own node goes through the own `rex`.
#[test]
fn nb_yield_infinity_and_sbcast_to_own_node() {
    let got = run(|cx| async move {
        let key = sim_rpc::async_call(&cx, B, "timer", "sleep", vec![Term::Int(50)]).await;
        let v = sim_rpc::nb_yield(&cx, key, Timeout::Infinity).await?;
        cx.register("me", cx.self_pid()).await?;
        let sb = sim_rpc::sbcast(&cx, &[A, B], "me", Term::atom("hi")).await;
        let hi = cx.recv().await;
        Ok(Term::list([v, sb, hi]))
    });
    assert_eq!(got, "[{value,ok},{[a@sim],[b@sim]},hi]");
}
