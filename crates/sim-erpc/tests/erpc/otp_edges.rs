//! erpc behaviours outside the recorded OTP 25 corpus, checked against OTP's
//! `erpc.erl`; each test ends by asserting that the caller's mailbox is empty.

use crate::{check, erpc_err, A, B, C};
use sim_core::{Module, Sim, SimBuilder, Term, Timeout};
use sim_erpc::{ErpcError, PollResult, ReceiveResult};

fn builder() -> SimBuilder {
    let m = Module::new("m").function("first", 256, |_cx, a| async move { Ok(a[0].clone()) });
    Sim::builder().nodes([A, B, C]).module_everywhere(m)
}

fn many() -> Vec<Term> {
    (0..256).map(Term::Int).collect()
}

/// OTP: `apply/3` raises `system_limit` for more than 255 arguments and
/// `erpc:execute_call/4` turns it, through `is_arg_error/4`, into
/// `{Res, error, {erpc, system_limit}}`; the local paths (`call/5` with
/// `infinity`, `mcall_local_call/3`) raise `error:{erpc, system_limit}` too.
#[test]
fn too_many_arguments_is_erpc_system_limit_on_every_path() {
    check(builder(), |cx| async move {
        for (node, t) in [
            (B, Timeout::Infinity),
            (B, Timeout::ms(1000)),
            (A, Timeout::Infinity),
            (A, Timeout::ms(1000)),
        ] {
            let r = sim_erpc::call(&cx, node, "m", "first", many(), t).await;
            cx.check(
                erpc_err(&r) == Some(ErpcError::SystemLimit),
                format!("call {node} {t:?}: {r:?}"),
            )?;
        }
        let all =
            sim_erpc::multicall(&cx, &[B, A, A], "m", "first", many(), Timeout::Infinity).await?;
        cx.check(
            all.iter()
                .all(|r| erpc_err(r) == Some(ErpcError::SystemLimit)),
            format!("every multicall slot: {all:?}"),
        )?;
        let id = sim_erpc::send_request(&cx, B, "m", "first", many()).await;
        let r = sim_erpc::receive_response(&cx, id, Timeout::Infinity).await;
        cx.check(erpc_err(&r) == Some(ErpcError::SystemLimit), "send_request")?;
        let coll = sim_erpc::send_request_labelled(
            &cx,
            C,
            "m",
            "first",
            many(),
            Term::atom("l"),
            &sim_erpc::reqids_new(),
        )
        .await;
        let e = sim_erpc::receive_response_coll(&cx, &coll, Timeout::Infinity, true)
            .await
            .unwrap_err();
        cx.check(
            e.to_string() == "{error,{{erpc,system_limit},l,#{}}}",
            format!("collection: {e}"),
        )?;
        // 255 arguments are fine (the limit is on the count, not the function).
        let ok = sim_erpc::call(&cx, B, "erlang", "node", vec![], Timeout::Infinity).await;
        cx.check(ok == Ok(Term::atom(B)), "a normal call still works")?;
        Ok(())
    });
}

/// OTP `multicall/5` with a finite timeout never runs anything in the caller:
/// every entry, the own node and its duplicates included, is a fresh process,
/// and the results keep the order of the node list.
#[test]
fn multicall_own_node_and_duplicates_with_finite_timeout_are_all_spawned() {
    check(builder(), |cx| async move {
        let me = Term::Pid(cx.self_pid());
        let all = sim_erpc::multicall(
            &cx,
            &[A, B, A, B],
            "erlang",
            "self",
            vec![],
            Timeout::ms(100),
        )
        .await?;
        let pids: Vec<Term> = all.into_iter().collect::<Result<_, _>>()?;
        cx.check(pids.iter().all(|p| *p != me), "none ran in the caller")?;
        let mut distinct = pids.clone();
        distinct.sort();
        distinct.dedup();
        cx.check(distinct.len() == 4, "four processes")?;
        let nodes: Vec<bool> = pids
            .iter()
            .map(|p| matches!(p, Term::Pid(p) if p.node() == cx.node_id()))
            .collect();
        cx.check(nodes == [true, false, true, false], "in node-list order")?;
        Ok(())
    });
}

/// `receive_response/3` and `wait_response/3` with `{abs, T}`: one deadline
/// for the whole collection, not re-armed per call; `check_response/3` with
/// `Delete = false` gives back the collection unchanged.
#[test]
fn collection_abs_deadline_and_check_without_delete() {
    check(builder(), |cx| async move {
        let sleep = |ms: i64| vec![Term::Int(ms)];
        let c0 = sim_erpc::reqids_new();
        let c1 = sim_erpc::send_request_labelled(
            &cx,
            B,
            "timer",
            "sleep",
            sleep(10),
            Term::atom("b"),
            &c0,
        )
        .await;
        let c2 = sim_erpc::send_request_labelled(
            &cx,
            C,
            "timer",
            "sleep",
            sleep(500),
            Term::atom("c"),
            &c1,
        )
        .await;
        let deadline = Timeout::Abs(cx.monotonic_ms() + 100);
        let w = sim_erpc::wait_response_coll(&cx, &c2, deadline, false).await?;
        let unchanged =
            matches!(&w, PollResult::Response(r) if r.label == Term::atom("b") && r.coll == c2);
        cx.check(
            unchanged,
            format!("b answers, Delete=false keeps the collection: {w:?}"),
        )?;
        let w = sim_erpc::wait_response_coll(&cx, &c2, deadline, true).await?;
        cx.check(
            w == PollResult::NoResponse,
            "c is not in by the same deadline",
        )?;
        cx.check(cx.monotonic_ms() <= 101, "the absolute deadline was kept")?;
        let e = sim_erpc::receive_response_coll(&cx, &c2, deadline, true)
            .await
            .unwrap_err();
        cx.check(
            e.exception.erpc_error() == Some(ErpcError::Timeout),
            "timeout",
        )?;
        cx.sleep(sim_core::Time::ms(1000)).await;
        // The foreign message and the emptied collection.
        let foreign = sim_erpc::check_response_coll(&Term::atom("x"), &c2, false)?;
        cx.check(foreign == PollResult::NoResponse, "no_response")?;
        let none = sim_erpc::receive_response_coll(&cx, &c0, deadline, true).await?;
        cx.check(none == ReceiveResult::NoRequest, "no_request")?;
        Ok(())
    });
}
